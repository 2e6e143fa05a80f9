// The EventBridge AWS JSON 1.1 protocol over a real broker (ManualClock):
// body decoding into the request structs, JSON encoding of results
// (timestamps as epoch seconds), delivery to an SQS target, and errors as
// {"__type": <Shape>, "message": ...} with the error table's HTTP status.

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "broker/wire/apis.h"
#include "broker/wire/router.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rapidjson/document.h"
#include "rapidjson/stringbuffer.h"
#include "rapidjson/writer.h"
#include "tests/testing/status_matchers.h"
#include "tests/wire/wire_test_util.h"
#include "wharf/broker.h"
#include "wharf/clock.h"

namespace wharf::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::SizeIs;

constexpr char kQueueArn[] = "arn:aws:sqs:us-east-1:000000000000:inbox";
// ManualClock's default start, 2026-01-01T00:00:00Z.
constexpr int64_t kStart = 1767225600;

class EventsJsonProtocolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(broker_, Broker::Open({.clock = clock_}));
    router_.AddJson(wire::MakeEventsApi(broker_->events()));
    ASSERT_OK_AND_ASSIGN(sqs::CreateQueueResult queue,
                         broker_->sqs().CreateQueue({.queue_name = "inbox"}));
    queue_url_ = queue.queue_url;
  }

  wire::HttpResponse Call(const std::string& operation, std::string body) {
    wire::HttpRequest request;
    request.method = "POST";
    request.path = "/";
    request.headers = {{"content-type", "application/x-amz-json-1.1"},
                       {"x-amz-target", "AWSEvents." + operation},
                       {"host", "127.0.0.1:4566"}};
    request.body = std::move(body);
    return HandleNow(router_, request);
  }

  // Calls `operation` and parses its (successful) JSON answer.
  rapidjson::Document Ok(const std::string& operation, std::string body) {
    wire::HttpResponse response = Call(operation, std::move(body));
    EXPECT_EQ(response.status, 200) << operation << ": " << response.body;
    EXPECT_EQ(response.content_type, "application/x-amz-json-1.1");
    rapidjson::Document document;
    document.Parse(response.body.c_str(), response.body.size());
    EXPECT_FALSE(document.HasParseError()) << response.body;
    EXPECT_TRUE(document.IsObject()) << response.body;
    return document;
  }

  // The bodies of the messages waiting in the inbox queue.
  std::vector<std::string> InboxBodies() {
    absl::StatusOr<sqs::ReceiveMessageResult> got =
        broker_->sqs().ReceiveMessage({.queue_url = queue_url_, .max_number_of_messages = 10});
    EXPECT_OK(got.status());
    std::vector<std::string> bodies;
    if (got.ok()) {
      for (const sqs::Message& message : got->messages) bodies.push_back(message.body);
    }
    return bodies;
  }

  std::shared_ptr<ManualClock> clock_ = std::make_shared<ManualClock>();
  std::unique_ptr<Broker> broker_;
  wire::Router router_{wire::RouterOptions{}};
  std::string queue_url_;
};

// An error response: its status, __type and message.
struct ErrorOf {
  explicit ErrorOf(const wire::HttpResponse& response) : status(response.status) {
    rapidjson::Document document;
    document.Parse(response.body.c_str(), response.body.size());
    if (!document.HasParseError() && document.IsObject() && document.HasMember("__type") &&
        document.HasMember("message")) {
      type = document["__type"].GetString();
      message = document["message"].GetString();
    }
    for (const auto& [name, value] : response.headers) {
      if (name == "x-amzn-query-error") query_error_header = true;
    }
    content_type = response.content_type;
  }
  int status;
  std::string type;
  std::string message;
  std::string content_type;
  bool query_error_header = false;
};

// ---- Event buses ------------------------------------------------------------

TEST_F(EventsJsonProtocolTest, CreateEventBusReturnsItsArn) {
  rapidjson::Document created =
      Ok("CreateEventBus", R"({"Name":"orders","Description":"all orders",)"
                           R"("Tags":[{"Key":"team","Value":"core"}]})");
  EXPECT_STREQ(created["EventBusArn"].GetString(),
               "arn:aws:events:us-east-1:000000000000:event-bus/orders");
  EXPECT_STREQ(created["Description"].GetString(), "all orders");
}

TEST_F(EventsJsonProtocolTest, DescribeEventBusWritesTimesAsEpochSeconds) {
  Ok("CreateEventBus", R"({"Name":"orders","Description":"all orders"})");
  rapidjson::Document bus = Ok("DescribeEventBus", R"({"Name":"orders"})");
  EXPECT_STREQ(bus["Name"].GetString(), "orders");
  EXPECT_STREQ(bus["Arn"].GetString(), "arn:aws:events:us-east-1:000000000000:event-bus/orders");
  EXPECT_STREQ(bus["Description"].GetString(), "all orders");
  ASSERT_TRUE(bus["CreationTime"].IsNumber());
  EXPECT_EQ(bus["CreationTime"].GetDouble(), kStart);
  EXPECT_EQ(bus["LastModifiedTime"].GetDouble(), kStart);
}

TEST_F(EventsJsonProtocolTest, DescribeEventBusWithoutNameDescribesTheDefaultBus) {
  rapidjson::Document bus = Ok("DescribeEventBus", "{}");
  EXPECT_STREQ(bus["Name"].GetString(), "default");
}

TEST_F(EventsJsonProtocolTest, ListEventBusesPagesByNameWithNextToken) {
  Ok("CreateEventBus", R"({"Name":"a-bus"})");
  Ok("CreateEventBus", R"({"Name":"b-bus"})");
  rapidjson::Document first = Ok("ListEventBuses", R"({"Limit":2})");
  ASSERT_EQ(first["EventBuses"].Size(), 2u);
  EXPECT_STREQ(first["EventBuses"][0]["Name"].GetString(), "a-bus");
  EXPECT_STREQ(first["EventBuses"][1]["Name"].GetString(), "b-bus");
  ASSERT_TRUE(first.HasMember("NextToken"));
  rapidjson::Document rest = Ok("ListEventBuses", std::string(R"({"Limit":2,"NextToken":")") +
                                                      first["NextToken"].GetString() + R"("})");
  ASSERT_EQ(rest["EventBuses"].Size(), 1u);
  EXPECT_STREQ(rest["EventBuses"][0]["Name"].GetString(), "default");
  EXPECT_FALSE(rest.HasMember("NextToken"));
}

TEST_F(EventsJsonProtocolTest, CreatingAnExistingBusIsResourceAlreadyExists) {
  Ok("CreateEventBus", R"({"Name":"orders"})");
  ErrorOf error(Call("CreateEventBus", R"({"Name":"orders"})"));
  EXPECT_EQ(error.status, 400);
  EXPECT_EQ(error.type, "ResourceAlreadyExistsException");
  EXPECT_EQ(error.message, "Event bus orders already exists.");
}

TEST_F(EventsJsonProtocolTest, DeleteEventBusRemovesTheBus) {
  Ok("CreateEventBus", R"({"Name":"orders"})");
  Ok("DeleteEventBus", R"({"Name":"orders"})");
  ErrorOf error(Call("DescribeEventBus", R"({"Name":"orders"})"));
  EXPECT_EQ(error.type, "ResourceNotFoundException");
  EXPECT_EQ(error.message, "Event bus orders does not exist.");
}

// DescribeEventBus answers the policy as a JSON string, as AWS does (its
// SDKs json.loads it: LocalStack's cloudformation test_eventbus_policies).
TEST_F(EventsJsonProtocolTest, PutPermissionShowsInDescribeEventBusAsAPolicyString) {
  Ok("CreateEventBus", R"({"Name":"orders"})");
  rapidjson::Document put =
      Ok("PutPermission", R"({"EventBusName":"orders","Action":"events:PutEvents",)"
                          R"("Principal":"*","StatementId":"org","Condition":{"Type":)"
                          R"("StringEquals","Key":"aws:PrincipalOrgID","Value":"o-1"}})");
  EXPECT_EQ(put.MemberCount(), 0u);
  rapidjson::Document bus = Ok("DescribeEventBus", R"({"Name":"orders"})");
  ASSERT_TRUE(bus["Policy"].IsString());
  EXPECT_STREQ(bus["Policy"].GetString(),
               R"({"Version":"2012-10-17","Statement":[{"Sid":"org","Effect":"Allow",)"
               R"("Principal":"*","Action":"events:PutEvents","Resource":)"
               R"("arn:aws:events:us-east-1:000000000000:event-bus/orders",)"
               R"("Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-1"}}}]})");
  rapidjson::Document listed = Ok("ListEventBuses", R"({"NamePrefix":"orders"})");
  EXPECT_STREQ(listed["EventBuses"][0]["Policy"].GetString(), bus["Policy"].GetString());

  Ok("RemovePermission", R"({"EventBusName":"orders","StatementId":"org"})");
  EXPECT_FALSE(Ok("DescribeEventBus", R"({"Name":"orders"})").HasMember("Policy"));
  ErrorOf error(Call("RemovePermission", R"({"EventBusName":"orders","StatementId":"org"})"));
  EXPECT_EQ(error.status, 400);
  EXPECT_EQ(error.type, "ResourceNotFoundException");
  EXPECT_EQ(error.message, "Statement with the provided id does not exist.");
}

TEST_F(EventsJsonProtocolTest, PutPermissionTakesAWholePolicy) {
  Ok("PutPermission", R"({"Policy":"{\"Version\": \"2012-10-17\", \"Statement\": []}"})");
  EXPECT_STREQ(Ok("DescribeEventBus", "{}")["Policy"].GetString(),
               R"({"Version":"2012-10-17","Statement":[]})");
  Ok("RemovePermission", R"({"RemoveAllPermissions":true})");
  EXPECT_FALSE(Ok("DescribeEventBus", "{}").HasMember("Policy"));
  ErrorOf error(Call("PutPermission", R"({"EventBusName":"nope","Policy":"{}"})"));
  EXPECT_EQ(error.type, "ResourceNotFoundException");
  EXPECT_EQ(error.message, "Event bus nope does not exist.");
}

TEST_F(EventsJsonProtocolTest, AnOverlongPolicyIsPolicyLengthExceededException) {
  ErrorOf error(
      Call("PutPermission", R"({"Policy":"{\"Id\":\")" + std::string(10240, 'x') + R"(\"}"})"));
  EXPECT_EQ(error.status, 400);
  EXPECT_EQ(error.type, "PolicyLengthExceededException");
  EXPECT_EQ(error.message, "Policy size would be larger than the maximum allowed.");
}

TEST_F(EventsJsonProtocolTest, UpdateEventBusAnswersTheBusAndDescribeShowsIt) {
  Ok("CreateEventBus", R"({"Name":"orders","Description":"all orders"})");
  clock_->Advance(absl::Seconds(30));
  rapidjson::Document updated =
      Ok("UpdateEventBus", R"({"Name":"orders","KmsKeyIdentifier":"alias/orders",)"
                           R"("DeadLetterConfig":{"Arn":"arn:aws:sqs:us-east-1:000000000000:d"}})");
  EXPECT_STREQ(updated["Arn"].GetString(),
               "arn:aws:events:us-east-1:000000000000:event-bus/orders");
  EXPECT_STREQ(updated["Name"].GetString(), "orders");
  EXPECT_STREQ(updated["Description"].GetString(), "all orders");
  EXPECT_STREQ(updated["KmsKeyIdentifier"].GetString(), "alias/orders");
  EXPECT_STREQ(updated["DeadLetterConfig"]["Arn"].GetString(),
               "arn:aws:sqs:us-east-1:000000000000:d");
  rapidjson::Document bus = Ok("DescribeEventBus", R"({"Name":"orders"})");
  EXPECT_STREQ(bus["KmsKeyIdentifier"].GetString(), "alias/orders");
  EXPECT_STREQ(bus["DeadLetterConfig"]["Arn"].GetString(), "arn:aws:sqs:us-east-1:000000000000:d");
  EXPECT_EQ(bus["CreationTime"].GetDouble(), kStart);
  EXPECT_EQ(bus["LastModifiedTime"].GetDouble(), kStart + 30);
  // ListEventBuses's EventBus shape has neither.
  rapidjson::Document listed = Ok("ListEventBuses", R"({"NamePrefix":"orders"})");
  EXPECT_FALSE(listed["EventBuses"][0].HasMember("KmsKeyIdentifier"));
  EXPECT_FALSE(listed["EventBuses"][0].HasMember("DeadLetterConfig"));
  // An empty config removes the dead-letter queue.
  updated = Ok("UpdateEventBus", R"({"Name":"orders","DeadLetterConfig":{}})");
  EXPECT_FALSE(updated.HasMember("DeadLetterConfig"));
  EXPECT_FALSE(Ok("DescribeEventBus", R"({"Name":"orders"})").HasMember("DeadLetterConfig"));
}

// ---- Rules and targets ------------------------------------------------------

TEST_F(EventsJsonProtocolTest, PutRuleThenDescribeRuleRoundTripsEveryField) {
  rapidjson::Document put = Ok(
      "PutRule",
      R"({"Name":"placed","EventPattern":"{\"detail-type\":[\"OrderPlaced\"]}",)"
      R"("State":"DISABLED","Description":"say \"hi\"\n\u00e9","RoleArn":"arn:aws:iam::0:role/r"})");
  EXPECT_STREQ(put["RuleArn"].GetString(), "arn:aws:events:us-east-1:000000000000:rule/placed");
  rapidjson::Document rule = Ok("DescribeRule", R"({"Name":"placed"})");
  EXPECT_STREQ(rule["Name"].GetString(), "placed");
  EXPECT_STREQ(rule["Arn"].GetString(), "arn:aws:events:us-east-1:000000000000:rule/placed");
  EXPECT_STREQ(rule["EventPattern"].GetString(), R"({"detail-type":["OrderPlaced"]})");
  EXPECT_STREQ(rule["State"].GetString(), "DISABLED");
  EXPECT_STREQ(rule["Description"].GetString(), "say \"hi\"\n\xc3\xa9");
  EXPECT_STREQ(rule["RoleArn"].GetString(), "arn:aws:iam::0:role/r");
  EXPECT_STREQ(rule["EventBusName"].GetString(), "default");
  EXPECT_STREQ(rule["CreatedBy"].GetString(), "000000000000");
  EXPECT_FALSE(rule.HasMember("ScheduleExpression"));
}

TEST_F(EventsJsonProtocolTest, RuleOnACustomBusHasTheBusInItsArn) {
  Ok("CreateEventBus", R"({"Name":"orders"})");
  rapidjson::Document put = Ok(
      "PutRule", R"({"Name":"all","EventBusName":"orders","EventPattern":"{\"source\":[\"s\"]}"})");
  EXPECT_STREQ(put["RuleArn"].GetString(), "arn:aws:events:us-east-1:000000000000:rule/orders/all");
}

TEST_F(EventsJsonProtocolTest, EnableAndDisableRuleChangeItsState) {
  Ok("PutRule", R"({"Name":"r","EventPattern":"{\"source\":[\"s\"]}"})");
  Ok("DisableRule", R"({"Name":"r"})");
  EXPECT_STREQ(Ok("DescribeRule", R"({"Name":"r"})")["State"].GetString(), "DISABLED");
  Ok("EnableRule", R"({"Name":"r"})");
  EXPECT_STREQ(Ok("DescribeRule", R"({"Name":"r"})")["State"].GetString(), "ENABLED");
}

TEST_F(EventsJsonProtocolTest, ListRulesFiltersByPrefixAndOmitsCreatedBy) {
  Ok("PutRule", R"({"Name":"order-placed","EventPattern":"{\"source\":[\"s\"]}"})");
  Ok("PutRule", R"({"Name":"order-shipped","EventPattern":"{\"source\":[\"s\"]}"})");
  Ok("PutRule", R"({"Name":"other","EventPattern":"{\"source\":[\"s\"]}"})");
  rapidjson::Document list = Ok("ListRules", R"({"NamePrefix":"order-"})");
  ASSERT_EQ(list["Rules"].Size(), 2u);
  EXPECT_STREQ(list["Rules"][0]["Name"].GetString(), "order-placed");
  EXPECT_STREQ(list["Rules"][1]["Name"].GetString(), "order-shipped");
  EXPECT_FALSE(list["Rules"][0].HasMember("CreatedBy"));
}

TEST_F(EventsJsonProtocolTest, PutTargetsRoundTripsEveryTargetFieldThroughListTargetsByRule) {
  Ok("PutRule", R"({"Name":"r","EventPattern":"{\"source\":[\"s\"]}"})");
  rapidjson::Document put = Ok("PutTargets", std::string(R"({"Rule":"r","Targets":[)") +
                                                 R"({"Id":"constant","Arn":")" + kQueueArn +
                                                 R"(","Input":"{\"fixed\":true}",)"
                                                 R"("RetryPolicy":{"MaximumRetryAttempts":3,)"
                                                 R"("MaximumEventAgeInSeconds":120},)"
                                                 R"("DeadLetterConfig":{"Arn":")" +
                                                 kQueueArn +
                                                 R"("}},)"
                                                 R"({"Id":"path","Arn":")" +
                                                 kQueueArn +
                                                 R"(","InputPath":"$.detail"},)"
                                                 R"({"Id":"shaped","Arn":")" +
                                                 kQueueArn +
                                                 R"(","InputTransformer":{"InputPathsMap":)"
                                                 R"({"who":"$.detail.who"},)"
                                                 R"("InputTemplate":"\"hello <who>\""},)"
                                                 R"("SqsParameters":{"MessageGroupId":"g1"}}]})");
  EXPECT_EQ(put["FailedEntryCount"].GetInt(), 0);
  EXPECT_EQ(put["FailedEntries"].Size(), 0u);

  rapidjson::Document list = Ok("ListTargetsByRule", R"({"Rule":"r"})");
  const rapidjson::Value& targets = list["Targets"];
  ASSERT_EQ(targets.Size(), 3u);
  EXPECT_STREQ(targets[0]["Id"].GetString(), "constant");
  EXPECT_STREQ(targets[0]["Arn"].GetString(), kQueueArn);
  EXPECT_STREQ(targets[0]["Input"].GetString(), R"({"fixed":true})");
  EXPECT_EQ(targets[0]["RetryPolicy"]["MaximumRetryAttempts"].GetInt(), 3);
  EXPECT_EQ(targets[0]["RetryPolicy"]["MaximumEventAgeInSeconds"].GetInt(), 120);
  EXPECT_STREQ(targets[0]["DeadLetterConfig"]["Arn"].GetString(), kQueueArn);
  EXPECT_STREQ(targets[1]["Id"].GetString(), "path");
  EXPECT_STREQ(targets[1]["InputPath"].GetString(), "$.detail");
  EXPECT_FALSE(targets[1].HasMember("Input"));
  EXPECT_STREQ(targets[2]["Id"].GetString(), "shaped");
  EXPECT_STREQ(targets[2]["InputTransformer"]["InputPathsMap"]["who"].GetString(), "$.detail.who");
  EXPECT_STREQ(targets[2]["InputTransformer"]["InputTemplate"].GetString(), "\"hello <who>\"");
  EXPECT_STREQ(targets[2]["SqsParameters"]["MessageGroupId"].GetString(), "g1");
}

TEST_F(EventsJsonProtocolTest, ListRuleNamesByTargetFindsTheRulesOfAnArn) {
  for (const char* rule : {"a", "b"}) {
    Ok("PutRule",
       std::string(R"({"Name":")") + rule + R"(","EventPattern":"{\"source\":[\"s\"]}"})");
    Ok("PutTargets", std::string(R"({"Rule":")") + rule + R"(","Targets":[{"Id":"q","Arn":")" +
                         kQueueArn + R"("}]})");
  }
  rapidjson::Document names =
      Ok("ListRuleNamesByTarget", std::string(R"({"TargetArn":")") + kQueueArn + R"("})");
  ASSERT_EQ(names["RuleNames"].Size(), 2u);
  EXPECT_STREQ(names["RuleNames"][0].GetString(), "a");
  EXPECT_STREQ(names["RuleNames"][1].GetString(), "b");
}

TEST_F(EventsJsonProtocolTest, RemoveTargetsAnswersFailedEntryCountAndAllowsDeleteRule) {
  Ok("PutRule", R"({"Name":"r","EventPattern":"{\"source\":[\"s\"]}"})");
  Ok("PutTargets",
     std::string(R"({"Rule":"r","Targets":[{"Id":"q","Arn":")") + kQueueArn + R"("}]})");
  ErrorOf blocked(Call("DeleteRule", R"({"Name":"r"})"));
  EXPECT_EQ(blocked.type, "ValidationException");
  EXPECT_EQ(blocked.message, "Rule can't be deleted since it has targets.");
  rapidjson::Document removed = Ok("RemoveTargets", R"({"Rule":"r","Ids":["q"],"Force":false})");
  EXPECT_EQ(removed["FailedEntryCount"].GetInt(), 0);
  Ok("DeleteRule", R"({"Name":"r"})");
  EXPECT_EQ(ErrorOf(Call("DescribeRule", R"({"Name":"r"})")).type, "ResourceNotFoundException");
}

// ---- PutEvents and delivery -------------------------------------------------

TEST_F(EventsJsonProtocolTest, PutEventsDeliversTheEnvelopeToAnSqsTarget) {
  Ok("PutRule", R"({"Name":"placed","EventPattern":"{\"detail-type\":[\"OrderPlaced\"]}"})");
  Ok("PutTargets",
     std::string(R"({"Rule":"placed","Targets":[{"Id":"q","Arn":")") + kQueueArn + R"("}]})");
  rapidjson::Document put =
      Ok("PutEvents", R"({"Entries":[{"Source":"shop","DetailType":"OrderPlaced",)"
                      R"("Detail":"{\"id\": 7}","Resources":["arn:r"],"Time":1767225661.5}]})");
  EXPECT_EQ(put["FailedEntryCount"].GetInt(), 0);
  ASSERT_EQ(put["Entries"].Size(), 1u);
  std::string event_id = put["Entries"][0]["EventId"].GetString();

  std::vector<std::string> bodies = InboxBodies();
  ASSERT_THAT(bodies, SizeIs(1));
  EXPECT_EQ(bodies[0], R"({"version":"0","id":")" + event_id +
                           R"(","detail-type":"OrderPlaced","source":"shop",)"
                           R"("account":"000000000000","time":"2026-01-01T00:01:01Z",)"
                           R"("region":"us-east-1","resources":["arn:r"],"detail":{"id":7}})");
}

TEST_F(EventsJsonProtocolTest, PutEventsAcceptsAnRfc3339Time) {
  Ok("PutRule", R"({"Name":"all","EventPattern":"{\"source\":[\"shop\"]}"})");
  Ok("PutTargets",
     std::string(R"({"Rule":"all","Targets":[{"Id":"q","Arn":")") + kQueueArn + R"("}]})");
  Ok("PutEvents", R"({"Entries":[{"Source":"shop","DetailType":"T","Detail":"{}",)"
                  R"("Time":"2025-06-30T12:00:00Z"}]})");
  std::vector<std::string> bodies = InboxBodies();
  ASSERT_THAT(bodies, SizeIs(1));
  EXPECT_THAT(bodies[0], HasSubstr(R"("time":"2025-06-30T12:00:00Z")"));
}

TEST_F(EventsJsonProtocolTest, PutEventsReportsPerEntryFailuresInOrder) {
  rapidjson::Document put =
      Ok("PutEvents", R"({"Entries":[{"DetailType":"T","Detail":"{}"},)"
                      R"({"Source":"shop","DetailType":"T","Detail":"[1]"},)"
                      R"({"Source":"shop","DetailType":"T","Detail":"{}"}]})");
  EXPECT_EQ(put["FailedEntryCount"].GetInt(), 2);
  const rapidjson::Value& entries = put["Entries"];
  ASSERT_EQ(entries.Size(), 3u);
  EXPECT_STREQ(entries[0]["ErrorCode"].GetString(), "InvalidArgument");
  EXPECT_STREQ(entries[0]["ErrorMessage"].GetString(),
               "Parameter Source is not valid. Reason: Source is a required argument.");
  EXPECT_FALSE(entries[0].HasMember("EventId"));
  EXPECT_STREQ(entries[1]["ErrorCode"].GetString(), "MalformedDetail");
  EXPECT_STREQ(entries[1]["ErrorMessage"].GetString(), "Detail is malformed.");
  EXPECT_TRUE(entries[2].HasMember("EventId"));
  EXPECT_FALSE(entries[2].HasMember("ErrorCode"));
}

// AWS answers an entry for an unknown bus with an EventId and drops the event
// (LocalStack test_put_events_nonexistent_event_bus, AWS-validated); this
// test asserted a failed request before.
TEST_F(EventsJsonProtocolTest, PutEventsToAnUnknownBusSucceedsAndGoesNowhere) {
  rapidjson::Document put = Ok("PutEvents", R"({"Entries":[{"Source":"s","DetailType":"T",)"
                                            R"("Detail":"{}","EventBusName":"nope"}]})");
  ASSERT_TRUE(put.IsObject());
  EXPECT_EQ(put["FailedEntryCount"].GetInt(), 0);
  EXPECT_TRUE(put["Entries"][0].HasMember("EventId"));
}

TEST_F(EventsJsonProtocolTest, InputTransformerTargetReceivesTheShapedBody) {
  Ok("PutRule", R"({"Name":"r","EventPattern":"{\"source\":[\"shop\"]}"})");
  Ok("PutTargets", std::string(R"({"Rule":"r","Targets":[{"Id":"q","Arn":")") + kQueueArn +
                       R"(","InputTransformer":{"InputPathsMap":{"id":"$.detail.id"},)"
                       R"("InputTemplate":"{\"order\": <id>}"}}]})");
  Ok("PutEvents",
     R"({"Entries":[{"Source":"shop","DetailType":"T","Detail":"{\"id\":\"o-1\"}"}]})");
  std::vector<std::string> bodies = InboxBodies();
  ASSERT_THAT(bodies, SizeIs(1));
  EXPECT_EQ(bodies[0], R"({"order": "o-1"})");
}

TEST_F(EventsJsonProtocolTest, TestEventPatternAnswersWhetherTheEventMatches) {
  const std::string event =
      R"(\"id\":\"1\",\"account\":\"1\",\"source\":\"shop\",\"time\":\"2026-01-01T00:00:00Z\",)"
      R"(\"region\":\"us-east-1\",\"resources\":[],\"detail-type\":\"T\",\"detail\":{}})";
  rapidjson::Document yes = Ok("TestEventPattern", R"({"EventPattern":"{\"source\":[\"shop\"]}",)"
                                                   R"("Event":"{)" +
                                                       event + R"("})");
  EXPECT_TRUE(yes["Result"].GetBool());
  rapidjson::Document no = Ok("TestEventPattern", R"({"EventPattern":"{\"source\":[\"other\"]}",)"
                                                  R"("Event":"{)" +
                                                      event + R"("})");
  EXPECT_FALSE(no["Result"].GetBool());
}

// ---- Archives and replays ---------------------------------------------------

TEST_F(EventsJsonProtocolTest, ArchiveLifecycleRoundTripsThroughTheWire) {
  rapidjson::Document created =
      Ok("CreateArchive",
         R"({"ArchiveName":"all","EventSourceArn":"arn:aws:events:us-east-1:000000000000:)"
         R"(event-bus/default","Description":"d","RetentionDays":3})");
  EXPECT_STREQ(created["ArchiveArn"].GetString(),
               "arn:aws:events:us-east-1:000000000000:archive/all");
  EXPECT_STREQ(created["State"].GetString(), "ENABLED");
  EXPECT_EQ(created["CreationTime"].GetDouble(), kStart);

  rapidjson::Document updated =
      Ok("UpdateArchive", R"({"ArchiveName":"all","EventPattern":"{\"source\":[\"shop\"]}"})");
  EXPECT_STREQ(updated["ArchiveArn"].GetString(), created["ArchiveArn"].GetString());

  rapidjson::Document described = Ok("DescribeArchive", R"({"ArchiveName":"all"})");
  EXPECT_STREQ(described["ArchiveArn"].GetString(), created["ArchiveArn"].GetString());
  EXPECT_STREQ(described["EventPattern"].GetString(), R"({"source":["shop"]})");
  EXPECT_STREQ(described["Description"].GetString(), "d");
  EXPECT_EQ(described["RetentionDays"].GetInt(), 3);
  EXPECT_EQ(described["EventCount"].GetInt(), 0);

  rapidjson::Document list = Ok("ListArchives", R"({"NamePrefix":"a"})");
  ASSERT_EQ(list["Archives"].Size(), 1u);
  EXPECT_STREQ(list["Archives"][0]["ArchiveName"].GetString(), "all");
  EXPECT_FALSE(list["Archives"][0].HasMember("ArchiveArn"));

  Ok("DeleteArchive", R"({"ArchiveName":"all"})");
  ErrorOf gone(Call("DescribeArchive", R"({"ArchiveName":"all"})"));
  EXPECT_EQ(gone.type, "ResourceNotFoundException");
  EXPECT_EQ(gone.message, "Archive all does not exist.");
}

TEST_F(EventsJsonProtocolTest, StartReplayTakesEpochSecondsAndDescribeReplayWritesThem) {
  Ok("CreateArchive", R"({"ArchiveName":"all","EventSourceArn":)"
                      R"("arn:aws:events:us-east-1:000000000000:event-bus/default"})");
  rapidjson::Document started =
      Ok("StartReplay",
         R"({"ReplayName":"again","EventSourceArn":"arn:aws:events:us-east-1:000000000000:)"
         R"(archive/all","EventStartTime":1767225000,"EventEndTime":1767225500.25,)"
         R"("Destination":{"Arn":"arn:aws:events:us-east-1:000000000000:event-bus/default"}})");
  EXPECT_STREQ(started["ReplayArn"].GetString(),
               "arn:aws:events:us-east-1:000000000000:replay/again");
  EXPECT_STREQ(started["State"].GetString(), "STARTING");
  EXPECT_EQ(started["ReplayStartTime"].GetDouble(), kStart);

  rapidjson::Document replay = Ok("DescribeReplay", R"({"ReplayName":"again"})");
  EXPECT_STREQ(replay["ReplayName"].GetString(), "again");
  EXPECT_EQ(replay["EventStartTime"].GetDouble(), 1767225000);
  EXPECT_EQ(replay["EventEndTime"].GetDouble(), 1767225500.25);
  EXPECT_STREQ(replay["Destination"]["Arn"].GetString(),
               "arn:aws:events:us-east-1:000000000000:event-bus/default");

  rapidjson::Document list = Ok("ListReplays", R"({"NamePrefix":"ag"})");
  ASSERT_EQ(list["Replays"].Size(), 1u);
  EXPECT_STREQ(list["Replays"][0]["ReplayName"].GetString(), "again");
  EXPECT_FALSE(list["Replays"][0].HasMember("Destination"));
}

TEST_F(EventsJsonProtocolTest, StartReplayWithStartAfterEndIsValidationException) {
  Ok("CreateArchive", R"({"ArchiveName":"all","EventSourceArn":)"
                      R"("arn:aws:events:us-east-1:000000000000:event-bus/default"})");
  ErrorOf error(Call("StartReplay",
                     R"({"ReplayName":"r","EventSourceArn":"arn:aws:events:us-east-1:)"
                     R"(000000000000:archive/all","EventStartTime":20,"EventEndTime":10,)"
                     R"("Destination":{"Arn":"arn:aws:events:us-east-1:000000000000:)"
                     R"(event-bus/default"}})"));
  EXPECT_EQ(error.type, "ValidationException");
  EXPECT_EQ(error.message,
            "Parameter EventEndTime is not valid. Reason: EventStartTime must be before "
            "EventEndTime.");
}

// ---- Errors -----------------------------------------------------------------

TEST_F(EventsJsonProtocolTest, UnknownRuleIsResourceNotFoundInJsonOneOneShape) {
  wire::HttpResponse response = Call("DescribeRule", R"({"Name":"nope"})");
  ErrorOf error(response);
  EXPECT_EQ(error.status, 400);
  EXPECT_EQ(error.type, "ResourceNotFoundException");
  EXPECT_EQ(error.message, "Rule nope does not exist on EventBus default.");
  EXPECT_EQ(error.content_type, "application/x-amz-json-1.1");
  EXPECT_FALSE(error.query_error_header);
}

TEST_F(EventsJsonProtocolTest, InvalidPatternIsInvalidEventPatternException) {
  ErrorOf error(Call("PutRule", R"({"Name":"r","EventPattern":"{\"source\":\"shop\"}"})"));
  EXPECT_EQ(error.status, 400);
  EXPECT_EQ(error.type, "InvalidEventPatternException");
  EXPECT_THAT(error.message, HasSubstr("Event pattern is not valid."));
}

TEST_F(EventsJsonProtocolTest, BodyThatIsNotJsonIsSerializationException) {
  ErrorOf error(Call("ListRules", R"({"NamePrefix":)"));
  EXPECT_EQ(error.status, 400);
  EXPECT_EQ(error.type, "SerializationException");
  EXPECT_EQ(error.message, "The request body is not valid JSON.");
}

TEST_F(EventsJsonProtocolTest, BodyThatIsAnArrayIsSerializationException) {
  ErrorOf error(Call("ListRules", "[]"));
  EXPECT_EQ(error.type, "SerializationException");
  EXPECT_EQ(error.message, "The request body must be a JSON object.");
}

TEST_F(EventsJsonProtocolTest, EmptyBodyReadsAsAnEmptyObject) {
  rapidjson::Document list = Ok("ListRules", "");
  EXPECT_EQ(list["Rules"].Size(), 0u);
}

TEST_F(EventsJsonProtocolTest, MissingRequiredMemberIsValidationExceptionInCoralWording) {
  ErrorOf error(Call("DescribeRule", "{}"));
  EXPECT_EQ(error.status, 400);
  EXPECT_EQ(error.type, "ValidationException");
  EXPECT_EQ(error.message,
            "1 validation error detected: Value null at 'name' failed to satisfy constraint: "
            "Member must not be null");
}

TEST_F(EventsJsonProtocolTest, NullMemberCountsAsMissing) {
  ErrorOf error(Call("PutEvents", R"({"Entries":null})"));
  EXPECT_EQ(error.type, "ValidationException");
  EXPECT_THAT(error.message, HasSubstr("Value null at 'entries'"));
}

TEST_F(EventsJsonProtocolTest, MissingTargetMemberIsNamedByItsListPath) {
  Ok("PutRule", R"({"Name":"r","EventPattern":"{\"source\":[\"s\"]}"})");
  ErrorOf error(Call("PutTargets", std::string(R"({"Rule":"r","Targets":[{"Id":"a","Arn":")") +
                                       kQueueArn + R"("},{"Id":"b"}]})"));
  EXPECT_EQ(error.type, "ValidationException");
  EXPECT_EQ(error.message,
            "1 validation error detected: Value null at 'targets.2.member.arn' failed to "
            "satisfy constraint: Member must not be null");
}

TEST_F(EventsJsonProtocolTest, MemberOfTheWrongTypeIsSerializationException) {
  ErrorOf limit(Call("ListRules", R"({"Limit":"ten"})"));
  EXPECT_EQ(limit.type, "SerializationException");
  EXPECT_EQ(limit.message, "Member limit must be a 32-bit integer.");
  ErrorOf force(Call("DeleteRule", R"({"Name":"r","Force":"yes"})"));
  EXPECT_EQ(force.type, "SerializationException");
  EXPECT_EQ(force.message, "Member force must be a boolean.");
  ErrorOf detail(Call("PutEvents", R"({"Entries":[{"Source":"s","DetailType":"T","Detail":{}}]})"));
  EXPECT_EQ(detail.type, "SerializationException");
  EXPECT_EQ(detail.message, "Member entries.1.member.detail must be a string.");
  ErrorOf time(Call("PutEvents", R"({"Entries":[{"Source":"s","DetailType":"T","Detail":"{}",)"
                                 R"("Time":"yesterday"}]})"));
  EXPECT_EQ(time.type, "SerializationException");
  EXPECT_EQ(time.message, "Member entries.1.member.time must be a timestamp.");
}

TEST_F(EventsJsonProtocolTest, ServiceValidationErrorsPassThrough) {
  ErrorOf error(Call("PutRule", R"({"Name":"bad name!","EventPattern":"{\"source\":[\"s\"]}"})"));
  EXPECT_EQ(error.type, "ValidationException");
  EXPECT_THAT(error.message, HasSubstr("at 'name' failed to satisfy constraint"));
}

TEST_F(EventsJsonProtocolTest, UnknownOperationIsUnknownOperationException) {
  ErrorOf error(Call("PutPartnerEvents", "{}"));
  EXPECT_EQ(error.status, 400);
  EXPECT_EQ(error.type, "UnknownOperationException");
  EXPECT_EQ(error.message, "The action PutPartnerEvents is not valid for this endpoint.");
}

TEST_F(EventsJsonProtocolTest, TagsRoundTripOnARule) {
  Ok("PutRule", R"({"Name":"r","EventPattern":"{\"source\":[\"s\"]}",)"
                R"("Tags":[{"Key":"z","Value":"created"}]})");
  const std::string arn = R"("ResourceARN":"arn:aws:events:us-east-1:000000000000:rule/r")";
  rapidjson::Document tagged =
      Ok("TagResource", "{" + arn + R"(,"Tags":[{"Key":"b","Value":"2"},{"Key":"a","Value":""}]})");
  EXPECT_EQ(tagged.MemberCount(), 0u);
  rapidjson::Document untagged = Ok("UntagResource", "{" + arn + R"(,"TagKeys":["z","never"]})");
  EXPECT_EQ(untagged.MemberCount(), 0u);
  rapidjson::Document listed = Ok("ListTagsForResource", "{" + arn + "}");
  ASSERT_TRUE(listed.HasMember("Tags") && listed["Tags"].IsArray());
  const rapidjson::Value& tags = listed["Tags"];
  ASSERT_EQ(tags.Size(), 2u);
  EXPECT_STREQ(tags[0]["Key"].GetString(), "a");
  EXPECT_STREQ(tags[0]["Value"].GetString(), "");
  EXPECT_STREQ(tags[1]["Key"].GetString(), "b");
  EXPECT_STREQ(tags[1]["Value"].GetString(), "2");
}

TEST_F(EventsJsonProtocolTest, ABusWithoutTagsListsAnEmptyArray) {
  rapidjson::Document listed =
      Ok("ListTagsForResource",
         R"({"ResourceARN":"arn:aws:events:us-east-1:000000000000:event-bus/default"})");
  ASSERT_TRUE(listed.HasMember("Tags") && listed["Tags"].IsArray());
  EXPECT_EQ(listed["Tags"].Size(), 0u);
}

TEST_F(EventsJsonProtocolTest, TaggingErrorsAreAwsErrors) {
  ErrorOf missing_rule(Call("TagResource",
                            R"({"ResourceARN":"arn:aws:events:us-east-1:000000000000:rule/nope",)"
                            R"("Tags":[{"Key":"k","Value":"v"}]})"));
  EXPECT_EQ(missing_rule.status, 400);
  EXPECT_EQ(missing_rule.type, "ResourceNotFoundException");
  EXPECT_EQ(missing_rule.message, "Rule nope does not exist on EventBus default.");
  ErrorOf bad_arn(Call("ListTagsForResource", R"({"ResourceARN":"not-an-arn"})"));
  EXPECT_EQ(bad_arn.type, "ValidationException");
  EXPECT_EQ(bad_arn.message, "Parameter ResourceARN is not valid.");
}

TEST_F(EventsJsonProtocolTest, TaggingParametersAreRequired) {
  ErrorOf no_arn(Call("ListTagsForResource", "{}"));
  EXPECT_EQ(no_arn.type, "ValidationException");
  EXPECT_EQ(no_arn.message,
            "1 validation error detected: Value null at 'resourceARN' failed to satisfy "
            "constraint: Member must not be null");
  ErrorOf no_tags(
      Call("TagResource",
           R"({"ResourceARN":"arn:aws:events:us-east-1:000000000000:event-bus/default"})"));
  EXPECT_EQ(no_tags.type, "ValidationException");
  EXPECT_EQ(no_tags.message,
            "1 validation error detected: Value null at 'tags' failed to satisfy constraint: "
            "Member must not be null");
  ErrorOf no_keys(
      Call("UntagResource",
           R"({"ResourceARN":"arn:aws:events:us-east-1:000000000000:event-bus/default"})"));
  EXPECT_EQ(no_keys.type, "ValidationException");
  EXPECT_EQ(no_keys.message,
            "1 validation error detected: Value null at 'tagKeys' failed to satisfy constraint: "
            "Member must not be null");
  ErrorOf no_value(Call("TagResource",
                        R"({"ResourceARN":"arn:aws:events:us-east-1:000000000000:event-bus/)"
                        R"(default","Tags":[{"Key":"k"}]})"));
  EXPECT_EQ(no_value.type, "ValidationException");
  EXPECT_EQ(no_value.message,
            "1 validation error detected: Value null at 'tags.1.member.value' failed to satisfy "
            "constraint: Member must not be null");
}

// ---- Robustness: malformed requests end in an AWS error, never a crash ------

// One well-formed request per operation, the seeds of the sweeps below.
const std::vector<std::pair<std::string, std::string>>& SampleRequests() {
  static const auto* samples = new std::vector<std::pair<std::string, std::string>>{
      {"CreateEventBus",
       R"({"Name":"b","Description":"d","Tags":[{"Key":"k","Value":"v"}],)"
       R"("DeadLetterConfig":{"Arn":"arn:aws:sqs:us-east-1:000000000000:inbox"}})"},
      {"DeleteEventBus", R"({"Name":"b"})"},
      {"DescribeEventBus", R"({"Name":"default"})"},
      {"ListEventBuses", R"({"NamePrefix":"d","Limit":5,"NextToken":"t"})"},
      {"PutEvents", R"({"Entries":[{"Source":"s","DetailType":"T","Detail":"{\"a\":1}",)"
                    R"("Resources":["r"],"Time":1767225600,"TraceHeader":"x"}],"EndpointId":"e"})"},
      {"TestEventPattern", R"({"EventPattern":"{\"source\":[\"s\"]}","Event":"{}"})"},
      {"PutRule", R"({"Name":"r","EventPattern":"{\"source\":[\"s\"]}","State":"ENABLED",)"
                  R"("Description":"d","RoleArn":"a","Tags":[{"Key":"k","Value":"v"}]})"},
      {"TagResource", R"({"ResourceARN":"arn:aws:events:us-east-1:000000000000:rule/r",)"
                      R"("Tags":[{"Key":"k","Value":"v"}]})"},
      {"ListTagsForResource", R"({"ResourceARN":"arn:aws:events:us-east-1:000000000000:rule/r"})"},
      {"UntagResource", R"({"ResourceARN":"arn:aws:events:us-east-1:000000000000:event-bus/)"
                        R"(default","TagKeys":["k"]})"},
      {"DescribeRule", R"({"Name":"r","EventBusName":"default"})"},
      {"ListRules", R"({"NamePrefix":"r","Limit":1})"},
      {"EnableRule", R"({"Name":"r"})"},
      {"DisableRule", R"({"Name":"r"})"},
      {"PutTargets", R"({"Rule":"r","Targets":[{"Id":"t","Arn":"arn:aws:sqs:us-east-1:)"
                     R"(000000000000:inbox","InputTransformer":{"InputPathsMap":{"a":"$.id"},)"
                     R"("InputTemplate":"<a>"},"RetryPolicy":{"MaximumRetryAttempts":1},)"
                     R"("SqsParameters":{"MessageGroupId":"g"}}]})"},
      {"ListTargetsByRule", R"({"Rule":"r","Limit":10})"},
      {"ListRuleNamesByTarget", R"({"TargetArn":"arn:aws:sqs:us-east-1:000000000000:inbox"})"},
      {"RemoveTargets", R"({"Rule":"r","Ids":["t"],"Force":true})"},
      {"DeleteRule", R"({"Name":"r","Force":false})"},
      {"CreateArchive", R"({"ArchiveName":"a","EventSourceArn":"arn:aws:events:us-east-1:)"
                        R"(000000000000:event-bus/default","RetentionDays":1})"},
      {"UpdateArchive", R"({"ArchiveName":"a","Description":"d"})"},
      {"DescribeArchive", R"({"ArchiveName":"a"})"},
      {"ListArchives", R"({"NamePrefix":"a","State":"ENABLED"})"},
      {"StartReplay",
       R"({"ReplayName":"p","EventSourceArn":"arn:aws:events:us-east-1:)"
       R"(000000000000:archive/a","EventStartTime":1,"EventEndTime":"1970-01-01T00:00:09Z",)"
       R"("Destination":{"Arn":"arn:aws:events:us-east-1:000000000000:event-bus/)"
       R"(default","FilterArns":["f"]}})"},
      {"DescribeReplay", R"({"ReplayName":"p"})"},
      {"ListReplays", R"({"NamePrefix":"p"})"},
      {"CancelReplay", R"({"ReplayName":"p"})"},
      {"DeleteArchive", R"({"ArchiveName":"a"})"},
      {"UpdateEventBus", R"({"Name":"default","Description":"d","KmsKeyIdentifier":"alias/k",)"
                         R"("DeadLetterConfig":{"Arn":"arn:aws:sqs:us-east-1:000000000000:d"}})"},
      {"PutPermission", R"({"EventBusName":"default","Action":"events:PutEvents",)"
                        R"("Principal":"*","StatementId":"s","Condition":{"Type":)"
                        R"("StringEquals","Key":"aws:PrincipalOrgID","Value":"o-1"}})"},
      {"PutPermission", R"({"Policy":"{\"Version\":\"2012-10-17\",\"Statement\":[]}"})"},
      {"RemovePermission", R"({"EventBusName":"default","StatementId":"s"})"},
      {"RemovePermission", R"({"RemoveAllPermissions":true})"},
  };
  return *samples;
}

// A response is acceptable when it is a JSON object with the 1.1 content
// type, and either a success or a client error with __type and message.
void ExpectWellFormed(const wire::HttpResponse& response, const std::string& request) {
  SCOPED_TRACE(request);
  EXPECT_EQ(response.content_type, "application/x-amz-json-1.1");
  rapidjson::Document document;
  document.Parse(response.body.c_str(), response.body.size());
  ASSERT_FALSE(document.HasParseError()) << response.body;
  ASSERT_TRUE(document.IsObject()) << response.body;
  if (response.status != 200) {
    EXPECT_EQ(response.status, 400) << response.body;
    EXPECT_TRUE(document.HasMember("__type") && document["__type"].IsString()) << response.body;
    EXPECT_TRUE(document.HasMember("message") && document["message"].IsString()) << response.body;
  }
}

TEST_F(EventsJsonProtocolTest, EveryOperationAcceptsItsSampleRequest) {
  for (const auto& [operation, body] : SampleRequests()) {
    wire::HttpResponse response = Call(operation, body);
    ExpectWellFormed(response, operation + " " + body);
    // Only service verdicts (unknown names, constraints), never decoding errors.
    EXPECT_THAT(response.body, ::testing::Not(HasSubstr("SerializationException")))
        << operation << " " << body;
  }
}

TEST_F(EventsJsonProtocolTest, EveryTruncationOfASampleRequestGetsAnAwsError) {
  for (const auto& [operation, body] : SampleRequests()) {
    for (size_t length = 0; length < body.size(); ++length) {
      ExpectWellFormed(Call(operation, body.substr(0, length)),
                       operation + " " + body.substr(0, length));
    }
  }
}

// Replaces each member of the body (and of its first-level objects and list
// elements) by values of every JSON type.
TEST_F(EventsJsonProtocolTest, EveryMemberOfTheWrongTypeGetsAnAwsError) {
  const char* kValues[] = {
      "null", "true",  "0",  "-1",  "2147483648", "1.5",       "-1e300", "18446744073709551615",
      "\"\"", "\"x\"", "[]", "[1]", "{}",         "{\"a\":[]}"};
  for (const auto& [operation, body] : SampleRequests()) {
    rapidjson::Document sample;
    sample.Parse(body.c_str(), body.size());
    ASSERT_FALSE(sample.HasParseError()) << body;
    // Every (container, member name) pair reachable in two levels.
    std::vector<std::pair<rapidjson::Value*, std::string>> slots;
    // Iterated through const views: rapidjson 1.1's comparison of two
    // non-const member iterators is ambiguous in C++20.
    for (const auto& member : std::as_const(sample).GetObject()) {
      slots.emplace_back(&sample, member.name.GetString());
      rapidjson::Value& value = sample[member.name];
      std::vector<rapidjson::Value*> children;
      if (value.IsObject()) children.push_back(&value);
      if (value.IsArray() && !value.Empty() && value[0].IsObject()) children.push_back(&value[0]);
      for (rapidjson::Value* child : children) {
        for (const auto& inner : std::as_const(*child).GetObject())
          slots.emplace_back(child, inner.name.GetString());
      }
    }
    for (const auto& [container, name] : slots) {
      rapidjson::Value& slot = (*container)[name.c_str()];
      rapidjson::Value saved(slot, sample.GetAllocator());
      for (const char* text : kValues) {
        rapidjson::Document replacement(&sample.GetAllocator());
        replacement.Parse(text);
        slot.CopyFrom(replacement, sample.GetAllocator());
        rapidjson::StringBuffer buffer;
        rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
        sample.Accept(writer);
        std::string mutated(buffer.GetString(), buffer.GetSize());
        ExpectWellFormed(Call(operation, mutated), operation + " " + mutated);
      }
      slot.CopyFrom(saved, sample.GetAllocator());
    }
  }
}

}  // namespace
}  // namespace wharf::testing
