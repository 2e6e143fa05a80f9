// Hostile input through the wire layer into real services (a Broker on a
// ManualClock):
//  * every JSON field nested 200,000 levels deep, which overflowed the stack
//    of a recursive parser, gets the AWS error for an invalid value of that
//    field (and the process lives). Fields whose length limit is shorter than
//    that are also sent as deep as their limit allows, far past the nesting
//    limit (base_internal::kMaxJsonDepth);
//  * every text field with invalid UTF-8, U+FFFE or a control character gets
//    the AWS error for it, so that what reaches a queue is always text the
//    XML receive carries unchanged (MD5OfBody matches the body read back).

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "broker/base/digests.h"
#include "broker/wire/apis.h"
#include "broker/wire/router.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/wire/wire_test_util.h"
#include "wharf/broker.h"
#include "wharf/clock.h"

namespace wharf::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr size_t kDeep = 200'000;
constexpr char kQueueArn[] = "arn:aws:sqs:us-east-1:000000000000:inbox";
constexpr char kTopicArn[] = "arn:aws:sns:us-east-1:000000000000:news";
constexpr char kClientInbox[] = "http://127.0.0.1:4566/000000000000/inbox";

// [[[...]]] `depth` levels deep.
std::string Nested(size_t depth = kDeep) {
  return std::string(depth, '[') + std::string(depth, ']');
}
// A JSON object whose member "a" is nested `depth` levels deep.
std::string DeepObject(size_t depth = kDeep) { return R"({"a":)" + Nested(depth) + "}"; }
// The same, as the text of a JSON string member.
std::string DeepObjectString(size_t depth = kDeep) {
  return R"("{\"a\":)" + Nested(depth) + R"(}")";
}

// An AWS error as the three protocols carry it.
struct Error {
  int status = 0;
  std::string code;
  std::string message;
};

std::string Between(const std::string& text, const std::string& open, const std::string& close) {
  size_t start = text.find(open);
  if (start == std::string::npos) return "";
  start += open.size();
  return text.substr(start, text.find(close, start) - start);
}

class HostileInputTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(broker_, Broker::Open({.clock = clock_}));
    std::shared_ptr<const wire::Api> sqs = wire::MakeSqsApi(broker_->sqs(), urls_);
    router_.AddQuery(sqs);
    router_.AddJson(sqs);
    router_.AddQuery(wire::MakeSnsApi(broker_->sns()));
    router_.AddJson(wire::MakeEventsApi(broker_->events()));
    ASSERT_OK_AND_ASSIGN(sqs::CreateQueueResult queue,
                         broker_->sqs().CreateQueue({.queue_name = "inbox"}));
    queue_url_ = queue.queue_url;
    ASSERT_OK(broker_->sns().CreateTopic({.name = "news"}).status());
  }

  // An SQS JSON 1.0 call; `members` is the body without its braces.
  wire::HttpResponse Sqs(const std::string& operation, const std::string& members) {
    return HandleNow(router_, JsonRequest(operation, "{" + members + "}"));
  }
  // An SNS query call, signed (in form) for sns.
  wire::HttpResponse Sns(std::vector<std::pair<std::string, std::string>> pairs) {
    pairs.emplace_back("Version", "2010-03-31");
    wire::HttpRequest request = QueryRequest(pairs);
    request.headers.emplace_back("authorization",
                                 "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/sns/"
                                 "aws4_request, SignedHeaders=host, Signature=00");
    return HandleNow(router_, std::move(request));
  }
  // An EventBridge JSON 1.1 call.
  wire::HttpResponse Events(const std::string& operation, const std::string& members) {
    wire::HttpRequest request;
    request.method = "POST";
    request.path = "/";
    request.headers = {{"content-type", "application/x-amz-json-1.1"},
                       {"x-amz-target", "AWSEvents." + operation}};
    request.body = "{" + members + "}";
    return HandleNow(router_, std::move(request));
  }

  // The code is the query-compatible one where there is one (SQS).
  static Error JsonError(const wire::HttpResponse& response) {
    rapidjson::Document body = ParseJson(response.body);
    Error error{.status = response.status};
    if (body.IsObject() && body.HasMember("__type")) {
      std::string type = body["__type"].GetString();
      error.code = type.substr(type.find('#') + 1);
      error.message = body["message"].GetString();
    }
    std::string query_code = HeaderOf(response, "x-amzn-query-error");
    if (!query_code.empty()) error.code = query_code.substr(0, query_code.find(';'));
    return error;
  }
  static Error XmlError(const wire::HttpResponse& response) {
    return {.status = response.status,
            .code = Between(response.body, "<Code>", "</Code>"),
            .message = Between(response.body, "<Message>", "</Message>")};
  }

  // A rule delivering the detail of events from source "s" to the inbox.
  void RouteDetailsToInbox() {
    ASSERT_OK(
        broker_->events().PutRule({.name = "r", .event_pattern = R"({"source":["s"]})"}).status());
    ASSERT_OK(
        broker_->events()
            .PutTargets(
                {.rule = "r", .targets = {{.id = "t", .arn = kQueueArn, .input_path = "$.detail"}}})
            .status());
  }

  std::string QueueUrlMember() const {
    return R"("QueueUrl":"http://127.0.0.1:4566/000000000000/inbox")";
  }

  std::shared_ptr<ManualClock> clock_ = std::make_shared<ManualClock>();
  std::unique_ptr<Broker> broker_;
  wire::QueueUrlMapper urls_{kBrokerBase, kEndpointBase};
  wire::Router router_{wire::RouterOptions{}};
  std::string queue_url_;
};

// ---- SQS --------------------------------------------------------------------

TEST_F(HostileInputTest, SqsJsonBody) {
  Error error = JsonError(Sqs("ListQueues", R"("QueueNamePrefix":)" + Nested()));
  EXPECT_EQ(error.code, "SerializationException");
  EXPECT_EQ(error.message, "The request body is not valid JSON.");
}

TEST_F(HostileInputTest, SqsQueuePolicy) {
  Error error =
      JsonError(Sqs("SetQueueAttributes",
                    QueueUrlMember() + R"(,"Attributes":{"Policy":)" + DeepObjectString() + "}"));
  EXPECT_EQ(error.code, "InvalidAttributeValue");
  EXPECT_EQ(
      error.message,
      "Invalid value for the parameter Policy. Reason: Policy must be a valid JSON document.");
  Error created = JsonError(
      Sqs("CreateQueue", R"("QueueName":"q2","Attributes":{"Policy":)" + DeepObjectString() + "}"));
  EXPECT_EQ(created.code, "InvalidAttributeValue");
}

TEST_F(HostileInputTest, SqsRedrivePolicy) {
  Error error =
      JsonError(Sqs("SetQueueAttributes", QueueUrlMember() + R"(,"Attributes":{"RedrivePolicy":)" +
                                              DeepObjectString() + "}"));
  EXPECT_EQ(error.code, "InvalidParameterValue");
  EXPECT_THAT(error.message, HasSubstr(" for parameter RedrivePolicy is invalid. Reason: Redrive "
                                       "policy is not a valid JSON map."));
}

TEST_F(HostileInputTest, SqsRedriveAllowPolicy) {
  Error error = JsonError(
      Sqs("SetQueueAttributes",
          QueueUrlMember() + R"(,"Attributes":{"RedriveAllowPolicy":)" + DeepObjectString() + "}"));
  EXPECT_EQ(error.code, "InvalidParameterValue");
  EXPECT_THAT(error.message, HasSubstr(" for parameter RedriveAllowPolicy is invalid. Reason: "
                                       "Redrive allow policy is not a valid JSON map."));
}

// ---- SNS --------------------------------------------------------------------

TEST_F(HostileInputTest, SnsTopicPolicyAndDeliveryPolicy) {
  for (const char* attribute : {"Policy", "DeliveryPolicy"}) {
    Error set = XmlError(Sns({{"Action", "SetTopicAttributes"},
                              {"TopicArn", kTopicArn},
                              {"AttributeName", attribute},
                              {"AttributeValue", DeepObject()}}));
    EXPECT_EQ(set.code, "InvalidParameter") << attribute;
    EXPECT_THAT(set.message, HasSubstr("failed to parse JSON")) << attribute;
    Error created = XmlError(Sns({{"Action", "CreateTopic"},
                                  {"Name", "other"},
                                  {"Attributes.entry.1.key", attribute},
                                  {"Attributes.entry.1.value", DeepObject()}}));
    EXPECT_EQ(created.code, "InvalidParameter") << attribute;
    EXPECT_THAT(created.message, HasSubstr("failed to parse JSON")) << attribute;
  }
}

TEST_F(HostileInputTest, SnsSubscriptionAttributes) {
  auto subscribe = [&](const std::string& attribute, const std::string& value,
                       const std::string& scope) {
    return XmlError(Sns({{"Action", "Subscribe"},
                         {"TopicArn", kTopicArn},
                         {"Protocol", "sqs"},
                         {"Endpoint", kQueueArn},
                         {"Attributes.entry.1.key", "FilterPolicyScope"},
                         {"Attributes.entry.1.value", scope},
                         {"Attributes.entry.2.key", attribute},
                         {"Attributes.entry.2.value", value}}));
  };
  for (const char* attribute : {"RedrivePolicy", "DeliveryPolicy"}) {
    Error error = subscribe(attribute, DeepObject(), "MessageAttributes");
    EXPECT_EQ(error.code, "InvalidParameter") << attribute;
    EXPECT_THAT(error.message, HasSubstr("failed to parse JSON")) << attribute;
  }
  // A filter policy is at most 256 KiB: 100,000 levels fit, in both scopes.
  for (const char* scope : {"MessageAttributes", "MessageBody"}) {
    Error error = subscribe("FilterPolicy", DeepObject(100'000), scope);
    EXPECT_EQ(error.code, "InvalidParameter") << scope;
    EXPECT_THAT(error.message, HasSubstr("FilterPolicy: failed to parse JSON")) << scope;
    Error longer = subscribe("FilterPolicy", DeepObject(), scope);
    EXPECT_EQ(longer.code, "InvalidParameter") << scope;
    EXPECT_THAT(longer.message, HasSubstr("FilterPolicy: Filter policy is too long")) << scope;
  }
}

TEST_F(HostileInputTest, SnsSetSubscriptionAttributes) {
  ASSERT_OK_AND_ASSIGN(
      sns::SubscribeResult subscription,
      broker_->sns().Subscribe({.topic_arn = kTopicArn, .protocol = "sqs", .endpoint = kQueueArn}));
  for (const char* attribute : {"FilterPolicy", "RedrivePolicy", "DeliveryPolicy"}) {
    Error error = XmlError(Sns({{"Action", "SetSubscriptionAttributes"},
                                {"SubscriptionArn", subscription.subscription_arn},
                                {"AttributeName", attribute},
                                {"AttributeValue", DeepObject(100'000)}}));
    EXPECT_EQ(error.code, "InvalidParameter") << attribute;
    EXPECT_THAT(error.message, HasSubstr("failed to parse JSON")) << attribute;
  }
}

// A message is at most 262,144 bytes: 130,000 levels fit.
TEST_F(HostileInputTest, SnsJsonMessageStructure) {
  Error error = XmlError(Sns({{"Action", "Publish"},
                              {"TopicArn", kTopicArn},
                              {"MessageStructure", "json"},
                              {"Message", DeepObject(130'000)}}));
  EXPECT_EQ(error.code, "InvalidParameter");
  EXPECT_EQ(error.message,
            "Invalid parameter: Message Structure - JSON message body failed to parse");
  Error longer = XmlError(Sns({{"Action", "Publish"},
                               {"TopicArn", kTopicArn},
                               {"MessageStructure", "json"},
                               {"Message", DeepObject()}}));
  EXPECT_EQ(longer.message, "Invalid parameter: Message too long");
}

TEST_F(HostileInputTest, SnsStringArrayAttribute) {
  Error error = XmlError(Sns({{"Action", "Publish"},
                              {"TopicArn", kTopicArn},
                              {"Message", "m"},
                              {"MessageAttributes.entry.1.Name", "list"},
                              {"MessageAttributes.entry.1.Value.DataType", "String.Array"},
                              {"MessageAttributes.entry.1.Value.StringValue", Nested()}}));
  EXPECT_EQ(error.code, "ParameterValueInvalid");
  EXPECT_THAT(error.message, HasSubstr("with type 'String.Array' must be a JSON array"));
}

TEST_F(HostileInputTest, SnsDeepMessageBodyDoesNotMatchABodyPolicy) {
  ASSERT_OK(broker_->sns()
                .Subscribe({.topic_arn = kTopicArn,
                            .protocol = "sqs",
                            .endpoint = kQueueArn,
                            .attributes = {{"FilterPolicyScope", "MessageBody"},
                                           {"FilterPolicy", R"({"a":[{"exists":true}]})"},
                                           {"RawMessageDelivery", "true"}}})
                .status());
  wire::HttpResponse published =
      Sns({{"Action", "Publish"}, {"TopicArn", kTopicArn}, {"Message", DeepObject(130'000)}});
  EXPECT_EQ(published.status, 200) << published.body;
  Sns({{"Action", "Publish"}, {"TopicArn", kTopicArn}, {"Message", R"({"a":1})"}});
  ASSERT_OK_AND_ASSIGN(
      sqs::ReceiveMessageResult received,
      broker_->sqs().ReceiveMessage({.queue_url = queue_url_, .max_number_of_messages = 10}));
  ASSERT_EQ(received.messages.size(), 1u);
  EXPECT_EQ(received.messages[0].body, R"({"a":1})");
}

// ---- EventBridge ------------------------------------------------------------

TEST_F(HostileInputTest, EventsJsonBody) {
  Error error = JsonError(Events("ListRules", R"("NamePrefix":)" + Nested()));
  EXPECT_EQ(error.code, "SerializationException");
}

// An event pattern is at most 4,096 characters: 2,000 levels fit.
TEST_F(HostileInputTest, EventsEventPatterns) {
  const std::string pattern = DeepObjectString(2000);
  Error rule = JsonError(Events("PutRule", R"("Name":"r","EventPattern":)" + pattern));
  EXPECT_EQ(rule.code, "InvalidEventPatternException");
  EXPECT_THAT(rule.message, StartsWith("Event pattern is not valid."));
  Error archive = JsonError(
      Events("CreateArchive", R"("ArchiveName":"a","EventSourceArn":)"
                              R"("arn:aws:events:us-east-1:000000000000:event-bus/default",)"
                              R"("EventPattern":)" +
                                  pattern));
  EXPECT_EQ(archive.code, "InvalidEventPatternException");
  Error tested =
      JsonError(Events("TestEventPattern", R"("EventPattern":)" + pattern + R"(,"Event":"{}")"));
  EXPECT_EQ(tested.code, "InvalidEventPatternException");
  Error longer = JsonError(Events("PutRule", R"("Name":"r","EventPattern":)" + DeepObjectString()));
  EXPECT_EQ(longer.code, "ValidationException");
  EXPECT_THAT(longer.message, HasSubstr("Member must have length less than or equal to 4096"));
}

TEST_F(HostileInputTest, EventsTestEventPatternEvent) {
  Error error = JsonError(Events("TestEventPattern", R"("EventPattern":"{\"source\":[\"s\"]}",)"
                                                     R"("Event":)" +
                                                         DeepObjectString()));
  EXPECT_EQ(error.code, "ValidationException");
  EXPECT_EQ(error.message, "Parameter Event is not valid.");
}

TEST_F(HostileInputTest, EventsPutEventsDetail) {
  wire::HttpResponse response =
      Events("PutEvents",
             R"("Entries":[{"Source":"s","DetailType":"t","Detail":)" + DeepObjectString() + "}]");
  ASSERT_EQ(response.status, 200) << response.body;
  rapidjson::Document result = ParseJson(response.body);
  EXPECT_EQ(result["FailedEntryCount"].GetInt(), 1);
  EXPECT_STREQ(result["Entries"][0]["ErrorCode"].GetString(), "MalformedDetail");
  EXPECT_STREQ(result["Entries"][0]["ErrorMessage"].GetString(), "Detail is malformed.");
}

// A constant Input is at most 8,192 characters: 4,000 levels fit.
TEST_F(HostileInputTest, EventsTargetInput) {
  ASSERT_OK(
      broker_->events().PutRule({.name = "r", .event_pattern = R"({"source":["s"]})"}).status());
  Error error =
      JsonError(Events("PutTargets", std::string(R"("Rule":"r","Targets":[{"Id":"t","Arn":")") +
                                         kQueueArn + R"(","Input":")" + Nested(4000) + R"("}])"));
  EXPECT_EQ(error.code, "ValidationException");
  EXPECT_EQ(error.message, "Parameter Input is not valid for target t.");
}

TEST_F(HostileInputTest, EventsInputTransformerTemplate) {
  ASSERT_OK(
      broker_->events().PutRule({.name = "r", .event_pattern = R"({"source":["s"]})"}).status());
  Error error = JsonError(Events(
      "PutTargets", std::string(R"("Rule":"r","Targets":[{"Id":"t","Arn":")") + kQueueArn +
                        R"(","InputTransformer":{"InputTemplate":")" + Nested() + R"("}}])"));
  EXPECT_EQ(error.code, "ValidationException");
  EXPECT_THAT(error.message, HasSubstr("inputTemplate' failed to satisfy constraint"));
}

TEST_F(HostileInputTest, EventsDetailAtTheDepthLimitIsDeliveredIntact) {
  RouteDetailsToInbox();
  // Detail may nest 1,000 levels: the object and 999 arrays.
  const std::string detail = R"({"a":)" + Nested(999) + "}";
  wire::HttpResponse response =
      Events("PutEvents", R"("Entries":[{"Source":"s","DetailType":"t","Detail":")" +
                              std::string(R"({\"a\":)") + Nested(999) + R"(}"}])");
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(ParseJson(response.body)["FailedEntryCount"].GetInt(), 0) << response.body;
  ASSERT_OK_AND_ASSIGN(sqs::ReceiveMessageResult received,
                       broker_->sqs().ReceiveMessage({.queue_url = queue_url_}));
  ASSERT_EQ(received.messages.size(), 1u);
  EXPECT_EQ(received.messages[0].body, detail);
}

// ---- Text ---------------------------------------------------------------------

// Bytes no text field may hold, raw (query protocol) and as JSON escapes.
struct BadText {
  const char* name;
  const char* raw;
  const char* escaped;  // Null: JSON cannot carry it (invalid UTF-8).
};
constexpr BadText kBadTexts[] = {
    {"invalid UTF-8",
     "a\xFF"
     "b",
     nullptr},
    {"U+FFFE", "a\xEF\xBF\xBE", "a\\uFFFE"},
    {"a control character", "a\x01", "a\\u0001"},
};

// The text of an XML element as a parser reads it back.
std::string XmlText(const std::string& body, const std::string& element) {
  std::string text = Between(body, "<" + element + ">", "</" + element + ">");
  for (auto [entity, character] : std::vector<std::pair<std::string, std::string>>{
           {"&#xD;", "\r"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&amp;", "&"}}) {
    for (size_t at = text.find(entity); at != std::string::npos; at = text.find(entity, at)) {
      text.replace(at, entity.size(), character);
      at += character.size();
    }
  }
  return text;
}

TEST_F(HostileInputTest, SqsMessageBodyAndAttributes) {
  for (const BadText& bad : kBadTexts) {
    Error body = XmlError(HandleNow(router_, QueryRequest({{"Action", "SendMessage"},
                                                           {"QueueUrl", kClientInbox},
                                                           {"MessageBody", bad.raw}})));
    EXPECT_EQ(body.code, "InvalidMessageContents") << bad.name;
    Error attribute = XmlError(
        HandleNow(router_, QueryRequest({{"Action", "SendMessage"},
                                         {"QueueUrl", kClientInbox},
                                         {"MessageBody", "ok"},
                                         {"MessageAttribute.1.Name", "a"},
                                         {"MessageAttribute.1.Value.DataType", "String"},
                                         {"MessageAttribute.1.Value.StringValue", bad.raw}})));
    EXPECT_EQ(attribute.code, "InvalidParameterValue") << bad.name;
    EXPECT_EQ(attribute.message, "Message (user) attribute 'a' contains invalid characters.");
    if (bad.escaped == nullptr) continue;
    Error json = JsonError(
        Sqs("SendMessage", QueueUrlMember() + R"(,"MessageBody":")" + bad.escaped + R"(")"));
    EXPECT_EQ(json.code, "InvalidMessageContents") << bad.name;
  }
  Error raw = JsonError(Sqs("SendMessage", QueueUrlMember() + ",\"MessageBody\":\"a\xFF\""));
  EXPECT_EQ(raw.code, "SerializationException");
}

TEST_F(HostileInputTest, SnsMessageSubjectAndAttributes) {
  for (const BadText& bad : kBadTexts) {
    Error message =
        XmlError(Sns({{"Action", "Publish"}, {"TopicArn", kTopicArn}, {"Message", bad.raw}}));
    EXPECT_EQ(message.code, "InvalidParameter") << bad.name;
    EXPECT_THAT(message.message, StartsWith("Invalid parameter: Message Reason: Message contains "
                                            "characters outside the allowed set"));
    Error subject = XmlError(Sns(
        {{"Action", "Publish"}, {"TopicArn", kTopicArn}, {"Message", "m"}, {"Subject", bad.raw}}));
    EXPECT_EQ(subject.message, "Invalid parameter: Subject") << bad.name;
    for (const char* type : {"String", "Number", "String.Array"}) {
      Error attribute = XmlError(Sns({{"Action", "Publish"},
                                      {"TopicArn", kTopicArn},
                                      {"Message", "m"},
                                      {"MessageAttributes.entry.1.Name", "a"},
                                      {"MessageAttributes.entry.1.Value.DataType", type},
                                      {"MessageAttributes.entry.1.Value.StringValue", bad.raw}}));
      EXPECT_EQ(attribute.code, "ParameterValueInvalid") << bad.name << " " << type;
      EXPECT_EQ(attribute.message, "The message attribute 'a' contains invalid characters.");
    }
    Error type = XmlError(
        Sns({{"Action", "Publish"},
             {"TopicArn", kTopicArn},
             {"Message", "m"},
             {"MessageAttributes.entry.1.Name", "a"},
             {"MessageAttributes.entry.1.Value.DataType", std::string("String.") + bad.raw},
             {"MessageAttributes.entry.1.Value.StringValue", "v"}}));
    EXPECT_EQ(type.code, "ParameterValueInvalid") << bad.name;
    wire::HttpResponse batch = Sns({{"Action", "PublishBatch"},
                                    {"TopicArn", kTopicArn},
                                    {"PublishBatchRequestEntries.member.1.Id", "ok"},
                                    {"PublishBatchRequestEntries.member.1.Message", "fine"},
                                    {"PublishBatchRequestEntries.member.2.Id", "bad"},
                                    {"PublishBatchRequestEntries.member.2.Message", bad.raw}});
    EXPECT_THAT(batch.body, HasSubstr("<Failed><member><Id>bad</Id><Code>InvalidParameter</Code>"))
        << bad.name;
    if (bad.escaped == nullptr) continue;
    // A JSON message structure's texts are checked once unescaped.
    Error structured =
        XmlError(Sns({{"Action", "Publish"},
                      {"TopicArn", kTopicArn},
                      {"MessageStructure", "json"},
                      {"Message", std::string(R"({"default":")") + (bad.escaped + 0) + R"("})"}}));
    EXPECT_EQ(structured.code, "InvalidParameter") << bad.name;
    EXPECT_THAT(structured.message, StartsWith("Invalid parameter: Message Reason:"));
  }
}

TEST_F(HostileInputTest, EventsEntryTextFields) {
  for (const BadText& bad : kBadTexts) {
    if (bad.escaped == nullptr) continue;  // Raw: the JSON body itself is invalid.
    const std::string text = bad.escaped;
    const std::string entries[] = {
        R"({"Source":")" + text + R"(","DetailType":"t","Detail":"{}"})",
        R"({"Source":"s","DetailType":")" + text + R"(","Detail":"{}"})",
        R"({"Source":"s","DetailType":"t","Detail":"{}","Resources":["r",")" + text + R"("]})",
    };
    const char* fields[] = {"Source", "DetailType", "Resources"};
    for (size_t i = 0; i < 3; ++i) {
      wire::HttpResponse response = Events("PutEvents", R"("Entries":[)" + entries[i] + "]");
      rapidjson::Document result = ParseJson(response.body);
      ASSERT_EQ(result["FailedEntryCount"].GetInt(), 1) << bad.name << " " << fields[i];
      EXPECT_STREQ(result["Entries"][0]["ErrorCode"].GetString(), "InvalidArgument");
      EXPECT_EQ(std::string(result["Entries"][0]["ErrorMessage"].GetString()),
                std::string("Parameter ") + fields[i] + " is not valid. Reason: " + fields[i] +
                    " contains characters outside the allowed set.");
    }
    // Decoded into Detail's text: U+FFFE would reach the event (checked on
    // Detail's compact form), a raw control character makes it invalid JSON.
    wire::HttpResponse detail =
        Events("PutEvents", R"("Entries":[{"Source":"s","DetailType":"t","Detail":"{\"k\":\")" +
                                text + R"(\"}"}])");
    rapidjson::Document result = ParseJson(detail.body);
    ASSERT_EQ(result["FailedEntryCount"].GetInt(), 1) << detail.body;
    EXPECT_STREQ(result["Entries"][0]["ErrorCode"].GetString(), "MalformedDetail");
  }
  Error raw = JsonError(Events("PutEvents", "\"Entries\":[{\"Source\":\"\xFF\"}]"));
  EXPECT_EQ(raw.code, "SerializationException");
}

// Whatever reaches a queue reads back through XML unchanged, MD5 and all.
TEST_F(HostileInputTest, XmlReceiveKeepsMd5OfBodyForSnsAndEventsDeliveries) {
  ASSERT_OK(broker_->sns()
                .Subscribe({.topic_arn = kTopicArn,
                            .protocol = "sqs",
                            .endpoint = kQueueArn,
                            .attributes = {{"RawMessageDelivery", "true"}}})
                .status());
  const std::string text = "line\r\n<&>\"\t Z\xC3\xBCrich \xF0\x9F\x98\x80 \xEF\xBF\xBD";
  ASSERT_EQ(Sns({{"Action", "Publish"}, {"TopicArn", kTopicArn}, {"Message", text}}).status, 200);
  RouteDetailsToInbox();
  ASSERT_EQ(Events("PutEvents", R"("Entries":[{"Source":"s","DetailType":"t",)"
                                R"("Detail":"{\"k\":\"\\u0001\\u2028\u00fc\"}"}])")
                .status,
            200);
  const std::string event = "{\"k\":\"\\u0001\xE2\x80\xA8\xC3\xBC\"}";
  wire::HttpResponse received = HandleNow(router_, QueryRequest({{"Action", "ReceiveMessage"},
                                                                 {"QueueUrl", kClientInbox},
                                                                 {"MaxNumberOfMessages", "10"}}));
  ASSERT_EQ(received.status, 200);
  std::vector<std::string> bodies;
  for (size_t at = received.body.find("<Message>"); at != std::string::npos;
       at = received.body.find("<Message>", at + 1)) {
    std::string message = received.body.substr(at, received.body.find("</Message>", at) - at);
    std::string body = XmlText(message, "Body");
    EXPECT_EQ(XmlText(message, "MD5OfBody"), base_internal::Md5Hex(body)) << body;
    bodies.push_back(body);
  }
  EXPECT_THAT(bodies, ::testing::UnorderedElementsAre(text, event));
}

}  // namespace
}  // namespace wharf::testing
