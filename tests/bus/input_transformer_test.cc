#include "broker/bus/input_transformer.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace wharf::bus_internal {
namespace {

using ::wharf::testing::HasError;
using ::wharf::testing::IsOk;

constexpr char kEvent[] =
    R"({"version":"0","id":"ev-1","detail-type":"OrderPlaced","source":"com.example",)"
    R"("account":"123456789012","time":"2026-01-15T12:34:56Z","region":"us-east-1",)"
    R"("resources":["arn:r1"],"detail":{"userId":"0a787ecb-4015",)"
    R"("payload":{"acc_id":"0a787ecb-4015","sf_id":"baz"},"listsingle":["HIGH"],)"
    R"("listmulti":["ACTIVE","INACTIVE"],"valid":true,"total":250.5,"quote":"say \"hi\""}})";

InputTransformerSpec Transformer(std::string tpl) {
  InputTransformerSpec t;
  t.input_paths_map = {{"userId", "$.detail.userId"},
                       {"payload", "$.detail.payload"},
                       {"listsingle", "$.detail.listsingle"},
                       {"listmulti", "$.detail.listmulti"},
                       {"valid", "$.detail.valid"},
                       {"missing", "$.detail.nope"},
                       {"detail-type", "$.detail-type"},
                       {"total", "$.detail.total"},
                       {"quote", "$.detail.quote"}};
  t.input_template = std::move(tpl);
  return t;
}

// What the target gets; "<nothing>" when the template gives no JSON.
std::string Render(const TargetSpec& target) {
  auto input = TargetInput::Create(target);
  EXPECT_THAT(input, IsOk());
  if (!input.ok()) return "";
  EventView view(kEvent);
  DeliveryContext context{"arn:aws:events:us-east-1:123456789012:rule/r", "r",
                          absl::FromUnixSeconds(1768480496)};
  return (*input)->Render(view, context).value_or("<nothing>");
}

std::string RenderTemplate(std::string tpl) {
  TargetSpec target;
  target.id = "t1";
  target.input_transformer = Transformer(std::move(tpl));
  return Render(target);
}

TEST(InputTransformerTest, NoShapingDeliversTheEnvelope) {
  TargetSpec target;
  target.id = "t1";
  EXPECT_EQ(Render(target), kEvent);
}

TEST(InputTransformerTest, InputIsSentVerbatim) {
  TargetSpec target;
  target.id = "t1";
  target.input = R"({"constant": [1, 2]})";
  EXPECT_EQ(Render(target), R"({"constant": [1, 2]})");
}

TEST(InputTransformerTest, InputPathSelectsAValue) {
  TargetSpec target;
  target.id = "t1";
  target.input_path = "$.detail.payload";
  EXPECT_EQ(Render(target), R"({"acc_id":"0a787ecb-4015","sf_id":"baz"})");
  target.input_path = "$.detail.listmulti[1]";
  EXPECT_EQ(Render(target), R"("INACTIVE")");
  target.input_path = "$['detail']['userId']";
  EXPECT_EQ(Render(target), R"("0a787ecb-4015")");
}

TEST(InputTransformerTest, QuotedStringTemplateKeepsItsQuotes) {
  EXPECT_EQ(RenderTemplate(R"("Event of <detail-type> type")"), R"("Event of OrderPlaced type")");
}

TEST(InputTransformerTest, BarePlaceholderWithStringValueBecomesAJsonString) {
  EXPECT_EQ(RenderTemplate(R"({"id" : <userId>})"), R"({"id" : "0a787ecb-4015"})");
}

TEST(InputTransformerTest, QuotedPlaceholderIsSubstitutedInsideTheString) {
  EXPECT_EQ(RenderTemplate(R"({"id" : "<userId>"})"), R"({"id" : "0a787ecb-4015"})");
}

TEST(InputTransformerTest, ObjectInJsonContextIsEmbeddedAsJson) {
  EXPECT_EQ(RenderTemplate(R"({"bod": <payload>})"),
            R"({"bod": {"acc_id":"0a787ecb-4015","sf_id":"baz"}})");
}

TEST(InputTransformerTest, ObjectInsideAStringLosesItsQuotes) {
  EXPECT_EQ(RenderTemplate(R"("Payload of <payload> here")"),
            R"("Payload of {acc_id:0a787ecb-4015,sf_id:baz} here")");
}

TEST(InputTransformerTest, ListsInsideAStringLoseTheirQuotes) {
  EXPECT_EQ(RenderTemplate(R"("<listsingle> single list item")"), R"("[HIGH] single list item")");
  EXPECT_EQ(RenderTemplate(R"("<listmulti> multi")"), R"("[ACTIVE,INACTIVE] multi")");
}

TEST(InputTransformerTest, ListInJsonContextStaysAnArray) {
  EXPECT_EQ(RenderTemplate(R"({"singlelistitem": <listsingle>})"),
            R"({"singlelistitem": ["HIGH"]})");
}

TEST(InputTransformerTest, BooleansAndNumbersAreWrittenAsText) {
  EXPECT_EQ(RenderTemplate(R"("Command is <valid>!")"), R"("Command is true!")");
  EXPECT_EQ(RenderTemplate(R"({"total": <total>})"), R"({"total": 250.5})");
}

TEST(InputTransformerTest, PlaceholderMayBeReused) {
  EXPECT_EQ(RenderTemplate(R"({"multi": "users/<userId>/second/<userId>"})"),
            R"({"multi": "users/0a787ecb-4015/second/0a787ecb-4015"})");
}

// AWS delivers {"command": ""} for "command": <command> when the event has no
// such path (LocalStack test_put_events_with_input_transformer_input_template_json,
// AWS-validated).
TEST(InputTransformerTest, MissingPathIsAnEmptyString) {
  EXPECT_EQ(RenderTemplate(R"({"a": "x<missing>y", "b": <missing>})"), R"({"a": "xy", "b": ""})");
  EXPECT_EQ(RenderTemplate(R"("at <missing>!")"), R"("at !")");
}

TEST(InputTransformerTest, MissingInputPathIsNull) {
  TargetSpec target;
  target.id = "t1";
  target.input_path = "$.detail.nope";
  EXPECT_EQ(Render(target), "null");
}

// An object template with an object or array inside one of its strings would
// not be JSON: AWS delivers nothing (LocalStack
// test_input_transformer_nested_keys_replacement_not_valid, AWS-validated). A
// string template takes them without quotes (above).
TEST(InputTransformerTest, ObjectOrListInsideAStringOfAnObjectTemplateGivesNothing) {
  EXPECT_EQ(RenderTemplate(R"({"not_valid": "users/<payload>", "bod": <payload>})"), "<nothing>");
  EXPECT_EQ(RenderTemplate(R"({"payload": "<payload>"})"), "<nothing>");
  EXPECT_EQ(RenderTemplate(R"( {"singlelistitem": "<listsingle>"})"), "<nothing>");
  EXPECT_EQ(RenderTemplate(R"({"e": "<aws.events.event>"})"), "<nothing>");
  // Strings, numbers and booleans inside strings are fine.
  EXPECT_EQ(RenderTemplate(R"({"s": "<userId> <valid> <total>"})"),
            R"({"s": "0a787ecb-4015 true 250.5"})");
}

TEST(InputTransformerTest, StringValuesAreEscapedInsideStrings) {
  EXPECT_EQ(RenderTemplate(R"({"q": "<quote>"})"), R"({"q": "say \"hi\""})");
}

TEST(InputTransformerTest, MultiLineTemplateKeepsEachQuotedLine) {
  EXPECT_EQ(RenderTemplate("\"line <userId>\"\n\"second\""), "\"line 0a787ecb-4015\"\n\"second\"");
}

TEST(InputTransformerTest, PredefinedVariables) {
  EXPECT_EQ(RenderTemplate(R"({"arn": <aws.events.rule-arn>, "name": "<aws.events.rule-name>",)"
                           R"( "at": <aws.events.event.ingestion-time>})"),
            R"({"arn": "arn:aws:events:us-east-1:123456789012:rule/r", "name": "r",)"
            R"( "at": "2026-01-15T12:34:56Z"})");
  // In AWS's key order (LocalStack test_input_transformer_predefined_variables,
  // AWS-validated).
  EXPECT_EQ(RenderTemplate(R"({"e": <aws.events.event>})"),
            R"({"e": {"id":"ev-1","account":"123456789012","detailType":"OrderPlaced",)"
            R"("time":"2026-01-15T12:34:56Z","source":"com.example","region":"us-east-1",)"
            R"("resources":["arn:r1"],"version":"0"}})");
  EXPECT_EQ(RenderTemplate(R"({"e": <aws.events.event.json>})"),
            std::string(R"({"e": )") + kEvent + "}");
}

TEST(InputTransformerTest, UnknownPlaceholderIsRejected) {
  TargetSpec target;
  target.id = "t1";
  target.input_transformer = Transformer(R"({"x": <nope>})");
  EXPECT_THAT(TargetInput::Create(target),
              HasError(ErrorCode::kEventsValidation,
                       "InputTemplate for target t1 contains invalid placeholder nope."));
}

TEST(InputTransformerTest, OnlyOneInputModeIsAllowed) {
  TargetSpec target;
  target.id = "t1";
  target.input = "{}";
  target.input_path = "$.detail";
  EXPECT_THAT(TargetInput::Create(target),
              HasError(ErrorCode::kEventsValidation,
                       "Only one of Input, InputPath, or InputTransformer must be provided for "
                       "target t1."));
}

TEST(InputTransformerTest, PathsMapKeysMayNotStartWithAws) {
  TargetSpec target;
  target.id = "t1";
  target.input_transformer = Transformer("{}");
  target.input_transformer->input_paths_map["AWS.x"] = "$.id";
  EXPECT_THAT(TargetInput::Create(target),
              HasError(ErrorCode::kEventsValidation, ::testing::HasSubstr("AWS.x")));
}

TEST(InputTransformerTest, InvalidJsonPathIsRejected) {
  TargetSpec target;
  target.id = "t1";
  target.input_path = "detail.x";
  EXPECT_THAT(TargetInput::Create(target),
              HasError(ErrorCode::kEventsValidation, ::testing::HasSubstr("InputPath")));
  target.input_path = "$.a[x]";
  EXPECT_THAT(TargetInput::Create(target),
              HasError(ErrorCode::kEventsValidation, ::testing::HasSubstr("InputPath")));
}

}  // namespace
}  // namespace wharf::bus_internal
