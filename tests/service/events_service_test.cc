// Operations of events::Service and their AWS errors (spec/eventbridge.md).

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tests/service/events_fixture.h"

namespace wharf::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::SizeIs;

class EventsServiceTest : public EventsTest {};

// ---- Buses ------------------------------------------------------------------

TEST_F(EventsServiceTest, DefaultBusAlwaysExists) {
  ASSERT_OK_AND_ASSIGN(auto bus, ev().DescribeEventBus({}));
  EXPECT_EQ(bus.name, "default");
  EXPECT_EQ(bus.arn, "arn:aws:events:us-east-1:123456789012:event-bus/default");
}

TEST_F(EventsServiceTest, CreateEventBusReturnsItsArn) {
  ASSERT_OK_AND_ASSIGN(auto created, ev().CreateEventBus({.name = "orders", .description = "d"}));
  EXPECT_EQ(created.event_bus_arn, "arn:aws:events:us-east-1:123456789012:event-bus/orders");
  ASSERT_OK_AND_ASSIGN(auto bus, ev().DescribeEventBus({.name = created.event_bus_arn}));
  EXPECT_EQ(bus.name, "orders");
  EXPECT_EQ(bus.description, "d");
}

TEST_F(EventsServiceTest, CreatingAnExistingBusFails) {
  ASSERT_THAT(ev().CreateEventBus({.name = "orders"}), IsOk());
  EXPECT_THAT(
      ev().CreateEventBus({.name = "orders"}),
      HasError(ErrorCode::kEventsResourceAlreadyExists, "Event bus orders already exists."));
  EXPECT_THAT(ev().CreateEventBus({.name = "default"}),
              HasErrorCode(ErrorCode::kEventsResourceAlreadyExists));
}

TEST_F(EventsServiceTest, CustomBusNamesAreValidated) {
  EXPECT_THAT(ev().CreateEventBus({.name = "a/b"}), HasErrorCode(ErrorCode::kEventsValidation));
  EXPECT_THAT(ev().CreateEventBus({.name = "bad name"}),
              HasError(ErrorCode::kEventsValidation, HasSubstr("regular expression pattern")));
  EXPECT_THAT(ev().CreateEventBus({.name = ""}), HasErrorCode(ErrorCode::kEventsValidation));
  EXPECT_THAT(ev().CreateEventBus({.name = std::string(257, 'a')}),
              HasError(ErrorCode::kEventsValidation,
                       HasSubstr("Member must have length less than or equal to 256")));
}

TEST_F(EventsServiceTest, DefaultBusCannotBeDeleted) {
  EXPECT_THAT(ev().DeleteEventBus({.name = "default"}),
              HasError(ErrorCode::kEventsValidation, "Cannot delete event bus default."));
}

TEST_F(EventsServiceTest, DeletedBusNoLongerExists) {
  ASSERT_THAT(ev().CreateEventBus({.name = "orders"}), IsOk());
  ASSERT_THAT(ev().DeleteEventBus({.name = "orders"}), IsOk());
  EXPECT_THAT(ev().DescribeEventBus({.name = "orders"}),
              HasError(ErrorCode::kEventsResourceNotFound, "Event bus orders does not exist."));
  EXPECT_THAT(ev().DeleteEventBus({.name = "orders"}), IsOk());
}

TEST_F(EventsServiceTest, ListEventBusesFiltersByPrefixAndPages) {
  for (const char* name : {"a1", "a2", "a3", "b1"}) {
    ASSERT_THAT(ev().CreateEventBus({.name = name}), IsOk());
  }
  ASSERT_OK_AND_ASSIGN(auto page1, ev().ListEventBuses({.name_prefix = "a", .limit = 2}));
  ASSERT_THAT(page1.event_buses, SizeIs(2));
  EXPECT_EQ(page1.event_buses[0].name, "a1");
  EXPECT_FALSE(page1.next_token.empty());
  ASSERT_OK_AND_ASSIGN(
      auto page2,
      ev().ListEventBuses({.name_prefix = "a", .next_token = page1.next_token, .limit = 2}));
  ASSERT_THAT(page2.event_buses, SizeIs(1));
  EXPECT_EQ(page2.event_buses[0].name, "a3");
  EXPECT_TRUE(page2.next_token.empty());
  ASSERT_OK_AND_ASSIGN(auto all, ev().ListEventBuses({}));
  EXPECT_THAT(all.event_buses, SizeIs(5));  // With default.
  EXPECT_THAT(ev().ListEventBuses({.limit = 0}), HasErrorCode(ErrorCode::kEventsValidation));
}

TEST_F(EventsServiceTest, BusQuotaIsEnforced) {
  for (int i = 0; i < 99; ++i) {
    ASSERT_THAT(ev().CreateEventBus({.name = absl::StrCat("bus", i)}), IsOk());
  }
  EXPECT_THAT(ev().CreateEventBus({.name = "one-too-many"}),
              HasErrorCode(ErrorCode::kEventsLimitExceeded));
}

// ---- PutEvents --------------------------------------------------------------

TEST_F(EventsServiceTest, PutEventsReturnsAnIdPerEntry) {
  events::PutEventsRequestEntry e{.source = "shop", .detail_type = "t", .detail = "{}"};
  ASSERT_OK_AND_ASSIGN(auto result, ev().PutEvents({.entries = {e, e}}));
  EXPECT_EQ(result.failed_entry_count, 0);
  ASSERT_THAT(result.entries, SizeIs(2));
  EXPECT_THAT(result.entries[0].event_id, SizeIs(36));
  EXPECT_NE(result.entries[0].event_id, result.entries[1].event_id);
}

TEST_F(EventsServiceTest, MissingFieldsFailTheirEntryOnly) {
  events::PutEventsRequestEntry ok{.source = "s", .detail_type = "t", .detail = "{}"};
  events::PutEventsRequestEntry no_source{.detail_type = "t", .detail = "{}"};
  events::PutEventsRequestEntry no_type{.source = "s", .detail = "{}"};
  events::PutEventsRequestEntry no_detail{.source = "s", .detail_type = "t"};
  ASSERT_OK_AND_ASSIGN(auto r, ev().PutEvents({.entries = {ok, no_source, no_type, no_detail}}));
  EXPECT_EQ(r.failed_entry_count, 3);
  EXPECT_FALSE(r.entries[0].event_id.empty());
  EXPECT_EQ(r.entries[1].error_code, "InvalidArgument");
  EXPECT_EQ(r.entries[1].error_message,
            "Parameter Source is not valid. Reason: Source is a required argument.");
  EXPECT_EQ(r.entries[2].error_message,
            "Parameter DetailType is not valid. Reason: DetailType is a required argument.");
  EXPECT_EQ(r.entries[3].error_message,
            "Parameter Detail is not valid. Reason: Detail is a required argument.");
  EXPECT_TRUE(r.entries[1].event_id.empty());
}

TEST_F(EventsServiceTest, DetailMustBeAJsonObject) {
  for (const char* detail : {R"("text")", "[1]", R"("{\"a\":1}")", "{bad", "12"}) {
    ASSERT_OK_AND_ASSIGN(auto r, Put("s", "t", detail));
    EXPECT_EQ(r.failed_entry_count, 1) << detail;
    EXPECT_EQ(r.entries[0].error_code, "MalformedDetail") << detail;
    EXPECT_EQ(r.entries[0].error_message, "Detail is malformed.");
  }
}

TEST_F(EventsServiceTest, MoreThanTenEntriesFailTheRequest) {
  events::PutEventsRequest request;
  request.entries.assign(11, {.source = "s", .detail_type = "t", .detail = "{}"});
  EXPECT_THAT(ev().PutEvents(request),
              HasError(ErrorCode::kEventsValidation,
                       HasSubstr("at 'entries' failed to satisfy constraint: Member must have "
                                 "length less than or equal to 10")));
  EXPECT_THAT(ev().PutEvents({}), HasErrorCode(ErrorCode::kEventsValidation));
}

// AWS answers an entry for a bus that does not exist with an EventId and
// drops the event; the other entries are delivered (LocalStack
// test_put_events_nonexistent_event_bus, AWS-validated). This test asserted
// the whole request failing before.
TEST_F(EventsServiceTest, UnknownBusEntrySucceedsAndGoesNowhere) {
  Recorder recorder;
  RuleTo("all", R"({"source":["s"]})", Callback("cb", recorder));
  events::PutEventsRequestEntry good{.source = "s", .detail_type = "t", .detail = "{}"};
  events::PutEventsRequestEntry bad = good;
  bad.event_bus_name = "nope";
  events::PutEventsRequestEntry bad_arn = good;
  bad_arn.event_bus_name = "arn:aws:events:us-east-1:000000000000:event-bus/nope";
  ASSERT_OK_AND_ASSIGN(auto r, ev().PutEvents({.entries = {good, bad, bad_arn}}));
  EXPECT_EQ(r.failed_entry_count, 0);
  ASSERT_THAT(r.entries, SizeIs(3));
  for (const auto& entry : r.entries) {
    EXPECT_THAT(entry.event_id, SizeIs(36));
    EXPECT_EQ(entry.error_code, "");
  }
  EXPECT_EQ(recorder.size(), 1u);
}

// The value AWS dumps is Java's toString of each entry (LocalStack
// test_put_events_exceed_limit_ten_entries, AWS-validated).
TEST_F(EventsServiceTest, MoreThanTenEntriesAreDumpedAsAwsDoes) {
  events::PutEventsRequest request;
  request.entries.assign(
      11,
      {.source = "core.cmd", .detail_type = "cmd", .detail = R"({"a": 1})", .event_bus_name = "b"});
  auto result = ev().PutEvents(request);
  ASSERT_THAT(result, HasErrorCode(ErrorCode::kEventsValidation));
  EXPECT_THAT(
      std::string(result.status().message()),
      ::testing::StartsWith("1 validation error detected: Value '[PutEventsRequestEntry(time=null, "
                            "source=core.cmd, resources=null, detailType=cmd, detail={\"a\": 1}, "
                            "eventBusName=b, traceHeader=null, kmsKeyIdentifier=null, "
                            "internalMetadata=null), PutEventsRequestEntry(time=null, "));
}

class SmallRequestLimitTest : public EventsTest {
 protected:
  SmallRequestLimitTest() : EventsTest({.max_put_events_request_bytes = 262144}) {}
};

TEST_F(SmallRequestLimitTest, TotalSizeOverTheLimitFailsTheRequest) {
  std::string detail = absl::StrCat(R"({"x":")", std::string(262144, 'a'), R"("})");
  EXPECT_THAT(Put("s", "t", detail),
              HasError(ErrorCode::kEventsValidation,
                       "Total size of the entries in the request is over the limit."));
}

TEST_F(EventsServiceTest, DefaultLimitAcceptsEventsBeyond256Kilobytes) {
  std::string detail = absl::StrCat(R"({"x":")", std::string(300000, 'a'), R"("})");
  ASSERT_OK_AND_ASSIGN(auto r, Put("s", "t", detail));
  EXPECT_EQ(r.failed_entry_count, 0);
  std::string huge = absl::StrCat(R"({"x":")", std::string(1048576, 'a'), R"("})");
  EXPECT_THAT(Put("s", "t", huge), HasErrorCode(ErrorCode::kEventsValidation));
}

TEST_F(EventsServiceTest, EnvelopeCarriesTimeResourcesAndTheEventId) {
  Recorder recorder;
  RuleTo("all", R"({"source":["s"]})", Callback("cb", recorder));
  events::PutEventsRequestEntry e{
      .source = "s", .resources = {"arn:x"}, .detail_type = "t", .detail = R"({"a": 1})"};
  ASSERT_OK_AND_ASSIGN(auto r, ev().PutEvents({.entries = {e}}));
  e.time = absl::FromUnixSeconds(1768480496);
  ASSERT_OK_AND_ASSIGN(auto r2, ev().PutEvents({.entries = {e}}));
  ASSERT_THAT(recorder.bodies(), SizeIs(2));
  EXPECT_EQ(recorder.bodies()[0],
            absl::StrCat(R"({"version":"0","id":")", r.entries[0].event_id,
                         R"(","detail-type":"t","source":"s","account":"123456789012",)"
                         R"("time":"2026-01-01T00:00:00Z","region":"us-east-1",)"
                         R"("resources":["arn:x"],"detail":{"a":1}})"));
  EXPECT_THAT(recorder.bodies()[1], HasSubstr(R"("time":"2026-01-15T12:34:56Z")"));
  EXPECT_THAT(recorder.bodies()[1], HasSubstr(r2.entries[0].event_id));
}

TEST_F(EventsServiceTest, AwsSourcesAreNotAuthorized) {
  ASSERT_OK_AND_ASSIGN(auto r, Put("aws.ec2", "t", "{}"));
  EXPECT_EQ(r.entries[0].error_code, "NotAuthorizedForSourceException");
}

// ---- Rules ------------------------------------------------------------------

TEST_F(EventsServiceTest, RuleArnsFollowTheBus) {
  ASSERT_OK_AND_ASSIGN(auto r1,
                       ev().PutRule({.name = "r", .event_pattern = R"({"source":["s"]})"}));
  EXPECT_EQ(r1.rule_arn, "arn:aws:events:us-east-1:123456789012:rule/r");
  ASSERT_THAT(ev().CreateEventBus({.name = "orders"}), IsOk());
  ASSERT_OK_AND_ASSIGN(auto r2, ev().PutRule({.name = "r",
                                              .event_pattern = R"({"source":["s"]})",
                                              .event_bus_name = "orders"}));
  EXPECT_EQ(r2.rule_arn, "arn:aws:events:us-east-1:123456789012:rule/orders/r");
}

TEST_F(EventsServiceTest, RuleNeedsAPatternOrASchedule) {
  EXPECT_THAT(ev().PutRule({.name = "r"}), HasErrorCode(ErrorCode::kEventsValidation));
}

TEST_F(EventsServiceTest, InvalidPatternIsRejected) {
  EXPECT_THAT(
      ev().PutRule({.name = "r", .event_pattern = R"({"source":"x"})"}),
      HasError(ErrorCode::kInvalidEventPattern, HasSubstr("Event pattern is not valid. Reason: ")));
  EXPECT_THAT(ev().DescribeRule({.name = "r"}), HasErrorCode(ErrorCode::kEventsResourceNotFound));
}

TEST_F(EventsServiceTest, EmptyPatternObjectIsRejected) {
  // aws/event-ruler rejects empty objects at every level; "{"detail":{}}"
  // used to be taken as matching every event.
  for (const char* pattern : {"{}", R"({"source":["s"],"detail":{}})"}) {
    EXPECT_THAT(ev().PutRule({.name = "r", .event_pattern = pattern}),
                HasError(ErrorCode::kInvalidEventPattern,
                         "Event pattern is not valid. Reason: Empty objects are not allowed"))
        << pattern;
  }
  EXPECT_THAT(ev().DescribeRule({.name = "r"}), HasErrorCode(ErrorCode::kEventsResourceNotFound));
}

TEST_F(EventsServiceTest, PatternLongerThanTheQuotaIsRejected) {
  std::string pattern = absl::StrCat(R"({"source":[")", std::string(2100, 'a'), R"("]})");
  EXPECT_THAT(ev().PutRule({.name = "r", .event_pattern = pattern}),
              HasErrorCode(ErrorCode::kInvalidEventPattern));
}

TEST_F(EventsServiceTest, ScheduleOnlyOnTheDefaultBus) {
  ASSERT_THAT(ev().CreateEventBus({.name = "orders"}), IsOk());
  EXPECT_THAT(
      ev().PutRule(
          {.name = "r", .schedule_expression = "rate(5 minutes)", .event_bus_name = "orders"}),
      HasError(ErrorCode::kEventsValidation,
               "ScheduleExpression is supported only on the default event bus."));
}

TEST_F(EventsServiceTest, InvalidScheduleIsRejected) {
  EXPECT_THAT(ev().PutRule({.name = "r", .schedule_expression = "cron(INVALID)"}),
              HasError(ErrorCode::kEventsValidation, "Parameter ScheduleExpression is not valid."));
}

TEST_F(EventsServiceTest, RuleNamesAreValidated) {
  EXPECT_THAT(ev().PutRule({.name = "bad name", .event_pattern = R"({"source":["s"]})"}),
              HasError(ErrorCode::kEventsValidation,
                       "1 validation error detected: Value 'bad name' at 'name' failed to satisfy "
                       "constraint: Member must satisfy regular expression pattern: "
                       "[\\.\\-_A-Za-z0-9]+"));
  EXPECT_THAT(ev().PutRule({.name = std::string(65, 'r'), .event_pattern = R"({"source":["s"]})"}),
              HasErrorCode(ErrorCode::kEventsValidation));
}

// A name failing both its pattern and its length gets both, the pattern first
// (LocalStack test_create_connection_validations, AWS-validated).
TEST_F(EventsServiceTest, ANameFailingPatternAndLengthReportsBoth) {
  const std::string name = "This should fail with two errors 123467890123412341234123412341234";
  const std::string both = absl::StrCat(
      "2 validation errors detected: Value '", name,
      "' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: "
      "[\\.\\-_A-Za-z0-9]+; Value '",
      name,
      "' at 'name' failed to satisfy constraint: Member must have length less than or equal to 64");
  EXPECT_THAT(ev().PutRule({.name = name, .event_pattern = R"({"source":["s"]})"}),
              HasError(ErrorCode::kEventsValidation, both));
  EXPECT_THAT(ev().DescribeRule({.name = name}), HasError(ErrorCode::kEventsValidation, both));
  ASSERT_THAT(ev().PutRule({.name = "r", .event_pattern = R"({"source":["s"]})"}), IsOk());
  EXPECT_THAT(ev().PutTargets({.rule = "r", .targets = {{.id = name, .arn = "arn:aws:sqs:x"}}}),
              HasError(ErrorCode::kEventsValidation,
                       HasSubstr("2 validation errors detected: Value '" + name +
                                 "' at 'targets.1.member.id' failed to satisfy constraint: Member "
                                 "must satisfy regular expression pattern")));
}

TEST_F(EventsServiceTest, RuleStateMustBeKnown) {
  EXPECT_THAT(ev().PutRule({.name = "r", .event_pattern = R"({"source":["s"]})", .state = "ON"}),
              HasErrorCode(ErrorCode::kEventsValidation));
}

TEST_F(EventsServiceTest, DescribeRuleReturnsWhatWasPut) {
  ASSERT_THAT(ev().PutRule({.name = "r",
                            .event_pattern = R"({"source":["s"]})",
                            .state = "DISABLED",
                            .description = "desc"}),
              IsOk());
  ASSERT_OK_AND_ASSIGN(auto rule, ev().DescribeRule({.name = "r"}));
  EXPECT_EQ(rule.arn, "arn:aws:events:us-east-1:123456789012:rule/r");
  EXPECT_EQ(rule.event_pattern, R"({"source":["s"]})");
  EXPECT_EQ(rule.state, "DISABLED");
  EXPECT_EQ(rule.description, "desc");
  EXPECT_EQ(rule.event_bus_name, "default");
  EXPECT_EQ(rule.created_by, kAccount);
}

TEST_F(EventsServiceTest, DescribeUnknownRuleNamesTheBus) {
  EXPECT_THAT(ev().DescribeRule({.name = "nope"}),
              HasError(ErrorCode::kEventsResourceNotFound,
                       "Rule nope does not exist on EventBus default."));
  EXPECT_THAT(ev().DescribeRule({.name = "nope", .event_bus_name = "missing"}),
              HasError(ErrorCode::kEventsResourceNotFound, "Event bus missing does not exist."));
}

TEST_F(EventsServiceTest, PutRuleReplacesTheRuleButKeepsItsTargets) {
  Recorder recorder;
  RuleTo("r", R"({"source":["a"]})", Callback("cb", recorder));
  ASSERT_THAT(ev().PutRule({.name = "r", .event_pattern = R"({"source":["b"]})"}), IsOk());
  ASSERT_OK_AND_ASSIGN(auto rule, ev().DescribeRule({.name = "r"}));
  EXPECT_EQ(rule.description, "");
  ASSERT_OK_AND_ASSIGN(auto targets, ev().ListTargetsByRule({.rule = "r"}));
  EXPECT_THAT(targets.targets, SizeIs(1));
  ASSERT_THAT(Put("a", "t", "{}"), IsOk());
  ASSERT_THAT(Put("b", "t", "{}"), IsOk());
  EXPECT_EQ(recorder.size(), 1u);
}

TEST_F(EventsServiceTest, ListRulesFiltersByPrefixAndPages) {
  for (const char* name : {"x1", "x2", "x3", "y"}) {
    ASSERT_THAT(ev().PutRule({.name = name, .event_pattern = R"({"source":["s"]})"}), IsOk());
  }
  ASSERT_OK_AND_ASSIGN(auto page, ev().ListRules({.name_prefix = "x", .limit = 2}));
  ASSERT_THAT(page.rules, SizeIs(2));
  EXPECT_EQ(page.rules[1].name, "x2");
  ASSERT_OK_AND_ASSIGN(auto rest,
                       ev().ListRules({.name_prefix = "x", .next_token = page.next_token}));
  ASSERT_THAT(rest.rules, SizeIs(1));
  EXPECT_EQ(rest.rules[0].name, "x3");
}

TEST_F(EventsServiceTest, RuleWithTargetsCannotBeDeleted) {
  Recorder recorder;
  RuleTo("r", R"({"source":["s"]})", Callback("cb", recorder));
  EXPECT_THAT(
      ev().DeleteRule({.name = "r"}),
      HasError(ErrorCode::kEventsValidation, "Rule can't be deleted since it has targets."));
  ASSERT_THAT(ev().RemoveTargets({.rule = "r", .ids = {"t1"}}), IsOk());
  EXPECT_THAT(ev().DeleteRule({.name = "r"}), IsOk());
  EXPECT_THAT(ev().DescribeRule({.name = "r"}), HasErrorCode(ErrorCode::kEventsResourceNotFound));
}

TEST_F(EventsServiceTest, DeletingAMissingRuleSucceeds) {
  EXPECT_THAT(ev().DeleteRule({.name = "never"}), IsOk());
}

TEST_F(EventsServiceTest, EnableAndDisableUnknownRuleFail) {
  EXPECT_THAT(ev().EnableRule({.name = "nope"}), HasErrorCode(ErrorCode::kEventsResourceNotFound));
  EXPECT_THAT(ev().DisableRule({.name = "nope"}), HasErrorCode(ErrorCode::kEventsResourceNotFound));
}

TEST_F(EventsServiceTest, DisableRuleChangesItsState) {
  ASSERT_THAT(ev().PutRule({.name = "r", .event_pattern = R"({"source":["s"]})"}), IsOk());
  ASSERT_THAT(ev().DisableRule({.name = "r"}), IsOk());
  EXPECT_EQ(ev().DescribeRule({.name = "r"})->state, "DISABLED");
  ASSERT_THAT(ev().EnableRule({.name = "r"}), IsOk());
  EXPECT_EQ(ev().DescribeRule({.name = "r"})->state, "ENABLED");
}

class FewRulesTest : public EventsTest {
 protected:
  FewRulesTest() : EventsTest({.max_rules_per_event_bus = 2}) {}
};

TEST_F(FewRulesTest, RulesPerBusAreLimited) {
  ASSERT_THAT(ev().PutRule({.name = "a", .event_pattern = R"({"source":["s"]})"}), IsOk());
  ASSERT_THAT(ev().PutRule({.name = "b", .event_pattern = R"({"source":["s"]})"}), IsOk());
  EXPECT_THAT(ev().PutRule({.name = "c", .event_pattern = R"({"source":["s"]})"}),
              HasError(ErrorCode::kEventsLimitExceeded,
                       "The requested resource exceeds the maximum number allowed."));
  EXPECT_THAT(ev().PutRule({.name = "a", .event_pattern = R"({"source":["t"]})"}), IsOk());
}

// ---- Targets ----------------------------------------------------------------

TEST_F(EventsServiceTest, AtMostFiveTargetsPerRule) {
  ASSERT_THAT(ev().PutRule({.name = "r", .event_pattern = R"({"source":["s"]})"}), IsOk());
  std::vector<events::Target> targets;
  for (int i = 0; i < 5; ++i) {
    targets.push_back({.id = absl::StrCat("t", i), .arn = "arn:aws:sqs:us-east-1:1:q"});
  }
  ASSERT_THAT(ev().PutTargets({.rule = "r", .targets = targets}), IsOk());
  // Upserting an existing id is fine; a sixth id is not.
  ASSERT_THAT(ev().PutTargets({.rule = "r", .targets = {targets[0]}}), IsOk());
  EXPECT_THAT(ev().PutTargets({.rule = "r", .targets = {{.id = "t6", .arn = "arn:aws:sqs:x"}}}),
              HasError(ErrorCode::kEventsLimitExceeded,
                       "The requested resource exceeds the maximum number allowed."));
  ASSERT_OK_AND_ASSIGN(auto listed, ev().ListTargetsByRule({.rule = "r"}));
  EXPECT_THAT(listed.targets, SizeIs(5));
}

TEST_F(EventsServiceTest, TargetIdsAreValidated) {
  ASSERT_THAT(ev().PutRule({.name = "r", .event_pattern = R"({"source":["s"]})"}), IsOk());
  EXPECT_THAT(ev().PutTargets({.rule = "r", .targets = {{.id = "bad id", .arn = "arn:aws:sqs:x"}}}),
              HasError(ErrorCode::kEventsValidation,
                       "1 validation error detected: Value 'bad id' at 'targets.1.member.id' "
                       "failed to satisfy constraint: Member must satisfy regular expression "
                       "pattern: [\\.\\-_A-Za-z0-9]+"));
  EXPECT_THAT(
      ev().PutTargets({.rule = "r", .targets = {{.id = std::string(65, 'i'), .arn = "arn:x"}}}),
      HasError(ErrorCode::kEventsValidation,
               HasSubstr("Member must have length less than or equal to 64")));
}

TEST_F(EventsServiceTest, OnlyOneInputModePerTarget) {
  ASSERT_THAT(ev().PutRule({.name = "r", .event_pattern = R"({"source":["s"]})"}), IsOk());
  events::Target t{.id = "t1", .arn = "arn:aws:sqs:x", .input = "{}", .input_path = "$.detail"};
  EXPECT_THAT(ev().PutTargets({.rule = "r", .targets = {t}}),
              HasError(ErrorCode::kEventsValidation,
                       "Only one of Input, InputPath, or InputTransformer must be provided for "
                       "target t1."));
}

TEST_F(EventsServiceTest, InvalidTemplatePlaceholderIsRejectedAtPutTargets) {
  ASSERT_THAT(ev().PutRule({.name = "r", .event_pattern = R"({"source":["s"]})"}), IsOk());
  events::Target t{.id = "t1", .arn = "arn:aws:sqs:x"};
  t.input_transformer = events::InputTransformer{{{"a", "$.id"}}, R"({"x": <b>})"};
  EXPECT_THAT(ev().PutTargets({.rule = "r", .targets = {t}}),
              HasError(ErrorCode::kEventsValidation,
                       "InputTemplate for target t1 contains invalid placeholder b."));
}

TEST_F(EventsServiceTest, FifoQueueTargetNeedsAMessageGroupId) {
  ASSERT_THAT(ev().PutRule({.name = "r", .event_pattern = R"({"source":["s"]})"}), IsOk());
  EXPECT_THAT(ev().PutTargets({.rule = "r",
                               .targets = {{.id = "t1", .arn = "arn:aws:sqs:us-east-1:1:q.fifo"}}}),
              HasErrorCode(ErrorCode::kEventsValidation));
}

TEST_F(EventsServiceTest, RetryPolicyRangesAreValidated) {
  ASSERT_THAT(ev().PutRule({.name = "r", .event_pattern = R"({"source":["s"]})"}), IsOk());
  events::Target t{.id = "t1", .arn = "arn:aws:sqs:x"};
  t.retry_policy = events::RetryPolicy{.maximum_retry_attempts = 186};
  EXPECT_THAT(ev().PutTargets({.rule = "r", .targets = {t}}),
              HasError(ErrorCode::kEventsValidation,
                       HasSubstr("Member must have value less than or equal to 185")));
  t.retry_policy = events::RetryPolicy{.maximum_event_age_in_seconds = 59};
  EXPECT_THAT(ev().PutTargets({.rule = "r", .targets = {t}}),
              HasError(ErrorCode::kEventsValidation,
                       HasSubstr("Member must have value greater than or equal to 60")));
}

TEST_F(EventsServiceTest, TargetsOfAnUnknownRuleFail) {
  EXPECT_THAT(ev().PutTargets({.rule = "nope", .targets = {{.id = "t", .arn = "arn:x"}}}),
              HasError(ErrorCode::kEventsResourceNotFound,
                       "Rule nope does not exist on EventBus default."));
  EXPECT_THAT(ev().ListTargetsByRule({.rule = "nope"}),
              HasErrorCode(ErrorCode::kEventsResourceNotFound));
  EXPECT_THAT(ev().RemoveTargets({.rule = "nope", .ids = {"t"}}),
              HasErrorCode(ErrorCode::kEventsResourceNotFound));
}

TEST_F(EventsServiceTest, ListRuleNamesByTargetFindsEveryRuleUsingTheArn) {
  RuleTo("a", R"({"source":["s"]})", "arn:aws:sqs:us-east-1:1:q");
  RuleTo("b", R"({"source":["s"]})", "arn:aws:sqs:us-east-1:1:other");
  RuleTo("c", R"({"source":["s"]})", "arn:aws:sqs:us-east-1:1:q");
  ASSERT_OK_AND_ASSIGN(auto names,
                       ev().ListRuleNamesByTarget({.target_arn = "arn:aws:sqs:us-east-1:1:q"}));
  EXPECT_THAT(names.rule_names, ElementsAre("a", "c"));
}

// ---- TestEventPattern -------------------------------------------------------

constexpr char kFullEvent[] =
    R"({"id":"1","account":"123456789012","source":"shop","time":"2026-01-01T00:00:00Z",)"
    R"("region":"us-east-1","resources":[],"detail-type":"t","detail":{"total":250}})";

TEST_F(EventsServiceTest, TestEventPatternMatches) {
  ASSERT_OK_AND_ASSIGN(
      auto yes,
      ev().TestEventPattern({.event_pattern = R"({"detail":{"total":[{"numeric":[">",100]}]}})",
                             .event = kFullEvent}));
  EXPECT_TRUE(yes.result);
  ASSERT_OK_AND_ASSIGN(auto no, ev().TestEventPattern({.event_pattern = R"({"source":["other"]})",
                                                       .event = kFullEvent}));
  EXPECT_FALSE(no.result);
}

// AWS requires id, account, source, time, region and detail-type, not
// resources (LocalStack test_events_patterns.py: every
// event_pattern_templates event and test_event_pattern_source omit it, and
// AWS matches them).
TEST_F(EventsServiceTest, TestEventPatternDoesNotNeedResources) {
  constexpr char kNoResources[] =
      R"({"id":"1","account":"123456789012","source":"order","time":"2026-01-01T00:00:00Z",)"
      R"("region":"us-east-1","detail-type":"Test"})";
  ASSERT_OK_AND_ASSIGN(auto yes, ev().TestEventPattern({.event_pattern = R"({"source":["order"]})",
                                                        .event = kNoResources}));
  EXPECT_TRUE(yes.result);
  ASSERT_OK_AND_ASSIGN(auto no, ev().TestEventPattern({.event_pattern = R"({"source":["ship"]})",
                                                       .event = kNoResources}));
  EXPECT_FALSE(no.result);
  const std::vector<std::pair<std::string, std::string>> fields = {
      {"id", "1"},         {"account", "123456789012"}, {"source", "order"},
      {"time", "2026-01"}, {"region", "us-east-1"},     {"detail-type", "Test"}};
  for (const auto& [missing, unused] : fields) {
    std::string event = R"({"resources":[])";
    for (const auto& [name, value] : fields) {
      if (name != missing) absl::StrAppend(&event, ",\"", name, "\":\"", value, "\"");
    }
    event += "}";
    EXPECT_THAT(ev().TestEventPattern({.event_pattern = R"({"source":["order"]})", .event = event}),
                HasError(ErrorCode::kEventsValidation, "Parameter Event is not valid."))
        << event;
  }
}

TEST_F(EventsServiceTest, TestEventPatternNeedsAFullEvent) {
  EXPECT_THAT(ev().TestEventPattern(
                  {.event_pattern = R"({"source":["shop"]})", .event = R"({"source":"shop"})"}),
              HasError(ErrorCode::kEventsValidation, "Parameter Event is not valid."));
  EXPECT_THAT(ev().TestEventPattern({.event_pattern = R"({"source":["shop"]})", .event = "{"}),
              HasError(ErrorCode::kEventsValidation, "Parameter Event is not valid."));
  EXPECT_THAT(ev().TestEventPattern({.event_pattern = "[]", .event = kFullEvent}),
              HasErrorCode(ErrorCode::kInvalidEventPattern));
}

// ---- Callbacks --------------------------------------------------------------

TEST_F(EventsServiceTest, CallbackArnsAreWharfArns) {
  Recorder recorder;
  EXPECT_EQ(Callback("cb", recorder), "arn:wharf:events:us-east-1:123456789012:callback/cb");
  EXPECT_THAT(ev().RegisterCallback("bad name", recorder.AsCallback()),
              HasErrorCode(ErrorCode::kEventsValidation));
}

// ---- Tags -------------------------------------------------------------------

constexpr char kPattern[] = R"({"source":["s"]})";
constexpr char kDefaultBusArn[] = "arn:aws:events:us-east-1:123456789012:event-bus/default";
constexpr char kRuleArn[] = "arn:aws:events:us-east-1:123456789012:rule/r";

class EventsTagsTest : public EventsTest {
 protected:
  std::vector<events::Tag> TagsOf(const std::string& arn) {
    auto listed = ev().ListTagsForResource({.resource_arn = arn});
    EXPECT_THAT(listed, IsOk());
    return listed.ok() ? listed->tags : std::vector<events::Tag>{};
  }
  // `n` tags "k0".."k<n-1>".
  static std::vector<events::Tag> ManyTags(int n, const std::string& prefix = "k") {
    std::vector<events::Tag> tags;
    for (int i = 0; i < n; ++i) tags.push_back({absl::StrCat(prefix, i), "v"});
    return tags;
  }
};

using Tags = std::vector<events::Tag>;

TEST_F(EventsTagsTest, RuleTagsAreListedByKey) {
  ASSERT_THAT(ev().PutRule({.name = "r", .event_pattern = kPattern}), IsOk());
  EXPECT_THAT(TagsOf(kRuleArn), ::testing::IsEmpty());
  ASSERT_THAT(ev().TagResource({.resource_arn = kRuleArn, .tags = {{"team", "a"}, {"env", "p"}}}),
              IsOk());
  EXPECT_EQ(TagsOf(kRuleArn), (Tags{{"env", "p"}, {"team", "a"}}));
}

TEST_F(EventsTagsTest, TaggingAnExistingKeyReplacesItsValue) {
  ASSERT_THAT(ev().PutRule({.name = "r", .event_pattern = kPattern}), IsOk());
  ASSERT_THAT(ev().TagResource({.resource_arn = kRuleArn, .tags = {{"a", "1"}, {"b", "2"}}}),
              IsOk());
  ASSERT_THAT(ev().TagResource({.resource_arn = kRuleArn, .tags = {{"b", "3"}, {"c", ""}}}),
              IsOk());
  EXPECT_EQ(TagsOf(kRuleArn), (Tags{{"a", "1"}, {"b", "3"}, {"c", ""}}));
}

TEST_F(EventsTagsTest, UntagRemovesKeysAndIgnoresAbsentOnes) {
  ASSERT_THAT(ev().PutRule({.name = "r", .event_pattern = kPattern}), IsOk());
  ASSERT_THAT(ev().TagResource({.resource_arn = kRuleArn, .tags = {{"a", "1"}, {"b", "2"}}}),
              IsOk());
  ASSERT_THAT(ev().UntagResource({.resource_arn = kRuleArn, .tag_keys = {"a", "never"}}), IsOk());
  EXPECT_EQ(TagsOf(kRuleArn), (Tags{{"b", "2"}}));
}

TEST_F(EventsTagsTest, BusesAreTaggedByTheirArn) {
  ASSERT_OK_AND_ASSIGN(auto bus, ev().CreateEventBus({.name = "orders"}));
  ASSERT_THAT(ev().TagResource({.resource_arn = bus.event_bus_arn, .tags = {{"k", "v"}}}), IsOk());
  EXPECT_EQ(TagsOf(bus.event_bus_arn), (Tags{{"k", "v"}}));
  ASSERT_THAT(ev().UntagResource({.resource_arn = bus.event_bus_arn, .tag_keys = {"k"}}), IsOk());
  EXPECT_THAT(TagsOf(bus.event_bus_arn), ::testing::IsEmpty());
}

TEST_F(EventsTagsTest, TheDefaultBusCanBeTagged) {
  ASSERT_THAT(ev().TagResource({.resource_arn = kDefaultBusArn, .tags = {{"k", "v"}}}), IsOk());
  EXPECT_EQ(TagsOf(kDefaultBusArn), (Tags{{"k", "v"}}));
}

TEST_F(EventsTagsTest, BusAndRuleTagsAreSeparate) {
  ASSERT_THAT(ev().CreateEventBus({.name = "orders"}), IsOk());
  ASSERT_OK_AND_ASSIGN(
      auto rule,
      ev().PutRule({.name = "r", .event_pattern = kPattern, .event_bus_name = "orders"}));
  ASSERT_THAT(ev().PutRule({.name = "r", .event_pattern = kPattern}), IsOk());
  ASSERT_THAT(ev().TagResource({.resource_arn = rule.rule_arn, .tags = {{"rule", "1"}}}), IsOk());
  EXPECT_EQ(TagsOf(rule.rule_arn), (Tags{{"rule", "1"}}));
  EXPECT_THAT(TagsOf("arn:aws:events:us-east-1:123456789012:event-bus/orders"),
              ::testing::IsEmpty());
  EXPECT_THAT(TagsOf(kRuleArn), ::testing::IsEmpty());  // Same name, default bus.
}

TEST_F(EventsTagsTest, RuleOnABusNamedLikeAnArnPartIsFound) {
  ASSERT_THAT(ev().CreateEventBus({.name = "my-event-bus"}), IsOk());
  ASSERT_OK_AND_ASSIGN(
      auto rule,
      ev().PutRule({.name = "r", .event_pattern = kPattern, .event_bus_name = "my-event-bus"}));
  EXPECT_EQ(rule.rule_arn, "arn:aws:events:us-east-1:123456789012:rule/my-event-bus/r");
  ASSERT_THAT(ev().TagResource({.resource_arn = rule.rule_arn, .tags = {{"k", "v"}}}), IsOk());
  EXPECT_EQ(TagsOf(rule.rule_arn), (Tags{{"k", "v"}}));
}

TEST_F(EventsTagsTest, TagsGivenAtCreationAreListed) {
  ASSERT_OK_AND_ASSIGN(auto bus,
                       ev().CreateEventBus({.name = "orders", .tags = {{"b", "2"}, {"a", "1"}}}));
  EXPECT_EQ(TagsOf(bus.event_bus_arn), (Tags{{"a", "1"}, {"b", "2"}}));
  ASSERT_OK_AND_ASSIGN(
      auto rule, ev().PutRule({.name = "r", .event_pattern = kPattern, .tags = {{"t", "x"}}}));
  EXPECT_EQ(TagsOf(rule.rule_arn), (Tags{{"t", "x"}}));
}

TEST_F(EventsTagsTest, PutRuleOnAnExistingRuleKeepsItsTags) {
  ASSERT_THAT(ev().PutRule({.name = "r", .event_pattern = kPattern, .tags = {{"a", "1"}}}), IsOk());
  ASSERT_THAT(ev().TagResource({.resource_arn = kRuleArn, .tags = {{"b", "2"}}}), IsOk());
  ASSERT_THAT(ev().PutRule({.name = "r",
                            .event_pattern = R"({"source":["t"]})",
                            .tags = {{"a", "changed"}, {"c", "3"}}}),
              IsOk());
  EXPECT_EQ(TagsOf(kRuleArn), (Tags{{"a", "1"}, {"b", "2"}}));
}

TEST_F(EventsTagsTest, DeletingARuleDropsItsTags) {
  ASSERT_THAT(ev().PutRule({.name = "r", .event_pattern = kPattern, .tags = {{"a", "1"}}}), IsOk());
  ASSERT_THAT(ev().DeleteRule({.name = "r"}), IsOk());
  EXPECT_THAT(
      ev().ListTagsForResource({.resource_arn = kRuleArn}),
      HasError(ErrorCode::kEventsResourceNotFound, "Rule r does not exist on EventBus default."));
  ASSERT_THAT(ev().PutRule({.name = "r", .event_pattern = kPattern}), IsOk());
  EXPECT_THAT(TagsOf(kRuleArn), ::testing::IsEmpty());
}

TEST_F(EventsTagsTest, DeletingABusDropsItsTags) {
  ASSERT_OK_AND_ASSIGN(auto bus, ev().CreateEventBus({.name = "orders", .tags = {{"a", "1"}}}));
  ASSERT_THAT(ev().DeleteEventBus({.name = "orders"}), IsOk());
  EXPECT_THAT(ev().TagResource({.resource_arn = bus.event_bus_arn, .tags = {{"k", "v"}}}),
              HasError(ErrorCode::kEventsResourceNotFound, "Event bus orders does not exist."));
  ASSERT_THAT(ev().CreateEventBus({.name = "orders"}), IsOk());
  EXPECT_THAT(TagsOf(bus.event_bus_arn), ::testing::IsEmpty());
}

TEST_F(EventsTagsTest, UnknownResourcesAreNotFound) {
  EXPECT_THAT(
      ev().TagResource({.resource_arn = kRuleArn, .tags = {{"k", "v"}}}),
      HasError(ErrorCode::kEventsResourceNotFound, "Rule r does not exist on EventBus default."));
  EXPECT_THAT(
      ev().UntagResource({.resource_arn = "arn:aws:events:us-east-1:123456789012:rule/nobus/r",
                          .tag_keys = {"k"}}),
      HasError(ErrorCode::kEventsResourceNotFound, "Event bus nobus does not exist."));
  EXPECT_THAT(ev().ListTagsForResource(
                  {.resource_arn = "arn:aws:events:us-east-1:123456789012:event-bus/nobus"}),
              HasError(ErrorCode::kEventsResourceNotFound, "Event bus nobus does not exist."));
}

TEST_F(EventsTagsTest, ArnsOfAnotherRegionOrAccountAreNotFound) {
  ASSERT_THAT(ev().PutRule({.name = "r", .event_pattern = kPattern}), IsOk());
  EXPECT_THAT(
      ev().ListTagsForResource({.resource_arn = "arn:aws:events:eu-west-1:123456789012:rule/r"}),
      HasError(ErrorCode::kEventsResourceNotFound, "Rule r does not exist on EventBus default."));
  EXPECT_THAT(ev().ListTagsForResource(
                  {.resource_arn = "arn:aws:events:us-east-1:999999999999:event-bus/default"}),
              HasError(ErrorCode::kEventsResourceNotFound, "Event bus default does not exist."));
}

TEST_F(EventsTagsTest, MalformedArnsAreValidationErrors) {
  for (const char* arn :
       {"r", "arn:aws:events:us-east-1:123456789012", "arn:aws:sqs:us-east-1:123456789012:q",
        "arn:aws:events:us-east-1:1234:rule/r", "arn:aws:events:us-east-1:123456789012:archive/a",
        "arn:aws:events:us-east-1:123456789012:rule/",
        "arn:aws:events:us-east-1:123456789012:rule/b/",
        "arn:aws:events:us-east-1:123456789012:event-bus/", "arn:aws:events::123456789012:rule/r",
        "arn:aws:events:us-east-1:123456789012:rule/bad name"}) {
    SCOPED_TRACE(arn);
    EXPECT_THAT(ev().ListTagsForResource({.resource_arn = arn}),
                HasError(ErrorCode::kEventsValidation, "Parameter ResourceARN is not valid."));
  }
  EXPECT_THAT(ev().ListTagsForResource({.resource_arn = ""}),
              HasError(ErrorCode::kEventsValidation, HasSubstr("at 'resourceARN'")));
  EXPECT_THAT(ev().ListTagsForResource({.resource_arn = std::string(1601, 'a')}),
              HasError(ErrorCode::kEventsValidation,
                       HasSubstr("Member must have length less than or equal to 1600")));
}

TEST_F(EventsTagsTest, KeyAndValueLengthsAreValidated) {
  ASSERT_THAT(ev().PutRule({.name = "r", .event_pattern = kPattern}), IsOk());
  EXPECT_THAT(ev().TagResource({.resource_arn = kRuleArn, .tags = {{"ok", ""}, {"", "v"}}}),
              HasError(ErrorCode::kEventsValidation,
                       "1 validation error detected: Value '' at 'tags.2.member.key' failed to "
                       "satisfy constraint: Member must have length greater than or equal to 1"));
  EXPECT_THAT(ev().TagResource({.resource_arn = kRuleArn, .tags = {{std::string(129, 'k'), ""}}}),
              HasError(ErrorCode::kEventsValidation,
                       HasSubstr("at 'tags.1.member.key' failed to satisfy constraint: Member "
                                 "must have length less than or equal to 128")));
  EXPECT_THAT(ev().TagResource({.resource_arn = kRuleArn, .tags = {{"k", std::string(257, 'v')}}}),
              HasError(ErrorCode::kEventsValidation,
                       HasSubstr("at 'tags.1.member.value' failed to satisfy constraint: Member "
                                 "must have length less than or equal to 256")));
  EXPECT_THAT(ev().UntagResource({.resource_arn = kRuleArn, .tag_keys = {""}}),
              HasError(ErrorCode::kEventsValidation, HasSubstr("at 'tagKeys'")));
  EXPECT_THAT(TagsOf(kRuleArn), ::testing::IsEmpty());
}

TEST_F(EventsTagsTest, LengthsCountCharactersNotBytes) {
  ASSERT_THAT(ev().PutRule({.name = "r", .event_pattern = kPattern}), IsOk());
  std::string key;
  for (int i = 0; i < 128; ++i) key += "\xC3\xA9";  // 128 x U+00E9 (256 bytes).
  std::string value;
  for (int i = 0; i < 256; ++i) value += "\xE2\x82\xAC";  // 256 x U+20AC.
  EXPECT_THAT(ev().TagResource({.resource_arn = kRuleArn, .tags = {{key, value}}}), IsOk());
}

TEST_F(EventsTagsTest, AtMostFiftyTagsPerResource) {
  ASSERT_THAT(ev().PutRule({.name = "r", .event_pattern = kPattern}), IsOk());
  ASSERT_THAT(ev().TagResource({.resource_arn = kRuleArn, .tags = ManyTags(49)}), IsOk());
  // Replacing values does not count.
  ASSERT_THAT(ev().TagResource({.resource_arn = kRuleArn, .tags = {{"k0", "w"}, {"new", "v"}}}),
              IsOk());
  EXPECT_THAT(ev().TagResource({.resource_arn = kRuleArn, .tags = {{"k0", "x"}, {"one-more", ""}}}),
              HasError(ErrorCode::kEventsLimitExceeded,
                       "The requested resource exceeds the maximum number allowed."));
  auto tags = TagsOf(kRuleArn);
  EXPECT_THAT(tags, SizeIs(50));
  EXPECT_THAT(tags,
              ::testing::Contains(events::Tag{"k0", "w"}));  // The failed call changed nothing.
  ASSERT_THAT(ev().UntagResource({.resource_arn = kRuleArn, .tag_keys = {"new"}}), IsOk());
  EXPECT_THAT(ev().TagResource({.resource_arn = kRuleArn, .tags = {{"one-more", ""}}}), IsOk());
}

TEST_F(EventsTagsTest, AtMostFiftyTagsAtCreation) {
  EXPECT_THAT(ev().CreateEventBus({.name = "orders", .tags = ManyTags(51)}),
              HasErrorCode(ErrorCode::kEventsLimitExceeded));
  EXPECT_THAT(ev().DescribeEventBus({.name = "orders"}),
              HasErrorCode(ErrorCode::kEventsResourceNotFound));
  EXPECT_THAT(ev().PutRule({.name = "r", .event_pattern = kPattern, .tags = ManyTags(51)}),
              HasErrorCode(ErrorCode::kEventsLimitExceeded));
  EXPECT_THAT(ev().DescribeRule({.name = "r"}), HasErrorCode(ErrorCode::kEventsResourceNotFound));
  EXPECT_THAT(ev().PutRule({.name = "r", .event_pattern = kPattern, .tags = ManyTags(50)}), IsOk());
}

TEST_F(EventsTagsTest, TagsAtCreationAreValidated) {
  EXPECT_THAT(ev().CreateEventBus({.name = "orders", .tags = {{"", "v"}}}),
              HasError(ErrorCode::kEventsValidation, HasSubstr("'tags.1.member.key'")));
  EXPECT_THAT(ev().PutRule({.name = "r", .event_pattern = kPattern, .tags = {{"", "v"}}}),
              HasError(ErrorCode::kEventsValidation, HasSubstr("'tags.1.member.key'")));
}

TEST_F(EventsTagsTest, TaggingAScheduledRuleKeepsItsSchedule) {
  Recorder recorder;
  std::string arn = Callback("cb", recorder);
  ASSERT_THAT(ev().PutRule({.name = "tick", .schedule_expression = "rate(1 minute)"}), IsOk());
  ASSERT_THAT(ev().PutTargets({.rule = "tick", .targets = {{.id = "t", .arn = arn}}}), IsOk());
  const std::string tick = "arn:aws:events:us-east-1:123456789012:rule/tick";
  ASSERT_THAT(ev().TagResource({.resource_arn = tick, .tags = {{"k", "v"}}}), IsOk());
  clock_->Advance(absl::Minutes(2));
  ASSERT_THAT(ev().UntagResource({.resource_arn = tick, .tag_keys = {"k"}}), IsOk());
  clock_->Advance(absl::Minutes(1));
  EXPECT_EQ(recorder.size(), 3u);
  // The targets survive too.
  EXPECT_THAT(ev().ListTargetsByRule({.rule = "tick"})->targets, SizeIs(1));
}

}  // namespace
}  // namespace wharf::testing
