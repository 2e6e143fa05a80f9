// The SNS query protocol against a mock service: form decoding into the
// request structs of wharf/sns.h, XML encoding of results, XML errors in the
// SNS namespace, and routing of action names SQS shares by signing name.

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "broker/wire/apis.h"
#include "broker/wire/router.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/wire/mock_sqs_service.h"
#include "tests/wire/sns_mock_service.h"
#include "tests/wire/wire_test_util.h"
#include "wharf/errors.h"
#include "wharf/sns.h"

namespace wharf::testing {
namespace {

using ::testing::_;
using ::testing::AllOf;
using ::testing::DoAll;
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Return;
using ::testing::SaveArg;

constexpr char kTopicArn[] = "arn:aws:sns:us-east-1:000000000000:orders";
constexpr char kSubscriptionArn[] =
    "arn:aws:sns:us-east-1:000000000000:orders:6f1c0d6e-0000-4000-8000-000000000001";
constexpr char kQueueArn[] = "arn:aws:sqs:us-east-1:000000000000:jobs";

// A Router with the SQS and SNS query protocols (in the endpoint's order)
// over strict mocks.
class SnsFixture {
 public:
  SnsFixture() : urls_(kBrokerBase, kEndpointBase), router_(wire::RouterOptions{}) {
    router_.AddQuery(wire::MakeSqsApi(sqs_, urls_));
    router_.AddQuery(wire::MakeSnsApi(sns_));
  }

  ::testing::StrictMock<MockSnsService>& sns() { return sns_; }
  ::testing::StrictMock<MockSqsService>& sqs() { return sqs_; }

  // A query request for SNS: Version 2010-03-31 plus `pairs`, signed (in
  // form only; signatures are not checked) for `signing_name`, with `headers`
  // (lower-case names) besides.
  wire::HttpResponse Handle(std::vector<std::pair<std::string, std::string>> pairs,
                            const std::string& signing_name = "sns",
                            std::vector<std::pair<std::string, std::string>> headers = {}) {
    pairs.emplace_back("Version", "2010-03-31");
    wire::HttpRequest request = QueryRequest(pairs);
    for (auto& header : headers) request.headers.push_back(std::move(header));
    request.headers.emplace_back(
        "authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/" +
                             signing_name + "/aws4_request, SignedHeaders=host, Signature=00");
    return HandleNow(router_, request);
  }

 private:
  ::testing::StrictMock<MockSnsService> sns_;
  ::testing::StrictMock<MockSqsService> sqs_;
  wire::QueueUrlMapper urls_;
  wire::Router router_;
};

// The <Code> and <Message> of an error response, its SNS namespace, and no
// <Detail/> (SQS has one, SNS does not: none in LocalStack's AWS-recorded
// test_sns snapshots).
MATCHER_P2(IsSnsError, code, message, "") {
  const wire::HttpResponse& response = arg;
  return ::testing::ExplainMatchResult(
      AllOf(HasSubstr("<ErrorResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\">"),
            HasSubstr(std::string("<Code>") + code + "</Code>"),
            HasSubstr(std::string("<Message>") + message + "</Message></Error>"),
            Not(HasSubstr("Detail"))),
      response.body, result_listener);
}

// ---- Topics -----------------------------------------------------------------

TEST(SnsQueryProtocolTest, CreateTopicDecodesAttributesAndTagsAndReturnsTheArn) {
  SnsFixture fixture;
  sns::CreateTopicRequest got;
  EXPECT_CALL(fixture.sns(), CreateTopic(_))
      .WillOnce(DoAll(SaveArg<0>(&got), Return(sns::CreateTopicResult{kTopicArn})));
  wire::HttpResponse response = fixture.Handle({{"Action", "CreateTopic"},
                                                {"Name", "orders"},
                                                {"Attributes.entry.1.key", "DisplayName"},
                                                {"Attributes.entry.1.value", "Orders"},
                                                {"Attributes.entry.2.key", "TracingConfig"},
                                                {"Attributes.entry.2.value", "Active"},
                                                {"Tags.member.1.Key", "team"},
                                                {"Tags.member.1.Value", "core"},
                                                {"Tags.member.2.Key", "env"},
                                                {"Tags.member.2.Value", ""}});
  EXPECT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(got.name, "orders");
  EXPECT_EQ(got.attributes,
            (sns::AttributeMap{{"DisplayName", "Orders"}, {"TracingConfig", "Active"}}));
  EXPECT_EQ(got.tags, (std::vector<sns::Tag>{{"team", "core"}, {"env", ""}}));
  EXPECT_THAT(response.body,
              AllOf(HasSubstr("<CreateTopicResponse xmlns=\"http://sns.amazonaws.com/doc/"
                              "2010-03-31/\"><CreateTopicResult><TopicArn>"
                              "arn:aws:sns:us-east-1:000000000000:orders</TopicArn>"
                              "</CreateTopicResult><ResponseMetadata><RequestId>"),
                    HasSubstr("</CreateTopicResponse>")));
}

TEST(SnsQueryProtocolTest, CreateTopicWithoutNameIsAValidationError) {
  SnsFixture fixture;
  wire::HttpResponse response = fixture.Handle({{"Action", "CreateTopic"}});
  EXPECT_EQ(response.status, 400);
  EXPECT_THAT(response,
              IsSnsError("ValidationError",
                         "1 validation error detected: Value null at 'name' failed to satisfy "
                         "constraint: Member must not be null"));
}

TEST(SnsQueryProtocolTest, CreateTopicPassesServiceErrorsThrough) {
  SnsFixture fixture;
  EXPECT_CALL(fixture.sns(), CreateTopic(_))
      .WillOnce(
          Return(MakeError(ErrorCode::kSnsInvalidParameter, "Invalid parameter: Topic Name")));
  wire::HttpResponse response = fixture.Handle({{"Action", "CreateTopic"}, {"Name", "a b"}});
  EXPECT_EQ(response.status, 400);
  EXPECT_THAT(response, IsSnsError("InvalidParameter", "Invalid parameter: Topic Name"));
  EXPECT_THAT(response.body, HasSubstr("<Type>Sender</Type>"));
}

TEST(SnsQueryProtocolTest, DeleteTopicAnswersWithAnEmptyResponse) {
  SnsFixture fixture;
  EXPECT_CALL(fixture.sns(), DeleteTopic(Field(&sns::DeleteTopicRequest::topic_arn, kTopicArn)))
      .WillOnce(Return(absl::OkStatus()));
  wire::HttpResponse response =
      fixture.Handle({{"Action", "DeleteTopic"}, {"TopicArn", kTopicArn}});
  EXPECT_EQ(response.status, 200);
  EXPECT_THAT(response.body,
              AllOf(HasSubstr("<DeleteTopicResponse xmlns=\"http://sns.amazonaws.com/doc/"
                              "2010-03-31/\"><ResponseMetadata>"),
                    Not(HasSubstr("DeleteTopicResult"))));
}

TEST(SnsQueryProtocolTest, ListTopicsPassesTheTokenAndListsMembers) {
  SnsFixture fixture;
  sns::ListTopicsResult result;
  result.topics = {{kTopicArn}, {"arn:aws:sns:us-east-1:000000000000:payments"}};
  result.next_token = "next-1";
  EXPECT_CALL(fixture.sns(), ListTopics(Field(&sns::ListTopicsRequest::next_token, "page-0")))
      .WillOnce(Return(result));
  wire::HttpResponse response = fixture.Handle({{"Action", "ListTopics"}, {"NextToken", "page-0"}});
  EXPECT_EQ(response.status, 200);
  EXPECT_THAT(response.body,
              HasSubstr("<ListTopicsResult><Topics><member><TopicArn>"
                        "arn:aws:sns:us-east-1:000000000000:orders</TopicArn></member>"
                        "<member><TopicArn>arn:aws:sns:us-east-1:000000000000:payments"
                        "</TopicArn></member></Topics><NextToken>next-1</NextToken>"
                        "</ListTopicsResult>"));
}

TEST(SnsQueryProtocolTest, ListTopicsWithNoTopicsHasAnEmptyListAndNoToken) {
  SnsFixture fixture;
  EXPECT_CALL(fixture.sns(), ListTopics(_)).WillOnce(Return(sns::ListTopicsResult{}));
  wire::HttpResponse response = fixture.Handle({{"Action", "ListTopics"}});
  EXPECT_THAT(response.body, HasSubstr("<ListTopicsResult><Topics></Topics></ListTopicsResult>"));
}

TEST(SnsQueryProtocolTest, GetTopicAttributesWritesEntries) {
  SnsFixture fixture;
  sns::GetTopicAttributesResult result;
  result.attributes = {{"DisplayName", "A & B"}, {"TopicArn", kTopicArn}};
  EXPECT_CALL(fixture.sns(), GetTopicAttributes(_)).WillOnce(Return(result));
  wire::HttpResponse response =
      fixture.Handle({{"Action", "GetTopicAttributes"}, {"TopicArn", kTopicArn}});
  EXPECT_THAT(response.body,
              HasSubstr("<GetTopicAttributesResult><Attributes><entry><key>DisplayName</key>"
                        "<value>A &amp; B</value></entry><entry><key>TopicArn</key><value>"
                        "arn:aws:sns:us-east-1:000000000000:orders</value></entry></Attributes>"
                        "</GetTopicAttributesResult>"));
}

TEST(SnsQueryProtocolTest, UnknownTopicIsNotFoundWith404) {
  SnsFixture fixture;
  EXPECT_CALL(fixture.sns(), GetTopicAttributes(_))
      .WillOnce(Return(MakeError(ErrorCode::kSnsNotFound, "Topic does not exist")));
  wire::HttpResponse response =
      fixture.Handle({{"Action", "GetTopicAttributes"}, {"TopicArn", kTopicArn}});
  EXPECT_EQ(response.status, 404);
  EXPECT_THAT(response, IsSnsError("NotFound", "Topic does not exist"));
}

TEST(SnsQueryProtocolTest, SetTopicAttributesDecodesNameAndValue) {
  SnsFixture fixture;
  sns::SetTopicAttributesRequest got;
  EXPECT_CALL(fixture.sns(), SetTopicAttributes(_))
      .WillOnce(DoAll(SaveArg<0>(&got), Return(absl::OkStatus())));
  wire::HttpResponse response = fixture.Handle({{"Action", "SetTopicAttributes"},
                                                {"TopicArn", kTopicArn},
                                                {"AttributeName", "DisplayName"},
                                                {"AttributeValue", "Orders"}});
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(got.topic_arn, kTopicArn);
  EXPECT_EQ(got.attribute_name, "DisplayName");
  EXPECT_EQ(got.attribute_value, "Orders");
}

TEST(SnsQueryProtocolTest, SetTopicAttributesWithoutAttributeNameIsAValidationError) {
  SnsFixture fixture;
  wire::HttpResponse response =
      fixture.Handle({{"Action", "SetTopicAttributes"}, {"TopicArn", kTopicArn}});
  EXPECT_THAT(response, IsSnsError("ValidationError",
                                   "1 validation error detected: Value null at 'attributeName' "
                                   "failed to satisfy constraint: Member must not be null"));
}

TEST(SnsQueryProtocolTest, BadTopicAttributeIsInvalidParameter) {
  SnsFixture fixture;
  EXPECT_CALL(fixture.sns(), SetTopicAttributes(_))
      .WillOnce(
          Return(MakeError(ErrorCode::kSnsInvalidParameter, "Invalid parameter: AttributeName")));
  wire::HttpResponse response = fixture.Handle({{"Action", "SetTopicAttributes"},
                                                {"TopicArn", kTopicArn},
                                                {"AttributeName", "Colour"},
                                                {"AttributeValue", "blue"}});
  EXPECT_EQ(response.status, 400);
  EXPECT_THAT(response, IsSnsError("InvalidParameter", "Invalid parameter: AttributeName"));
}

// ---- Subscriptions ----------------------------------------------------------

TEST(SnsQueryProtocolTest, SubscribeDecodesAttributesAndReturnSubscriptionArn) {
  SnsFixture fixture;
  sns::SubscribeRequest got;
  EXPECT_CALL(fixture.sns(), Subscribe(_))
      .WillOnce(DoAll(SaveArg<0>(&got), Return(sns::SubscribeResult{kSubscriptionArn})));
  wire::HttpResponse response =
      fixture.Handle({{"Action", "Subscribe"},
                      {"TopicArn", kTopicArn},
                      {"Protocol", "sqs"},
                      {"Endpoint", kQueueArn},
                      {"Attributes.entry.1.key", "RawMessageDelivery"},
                      {"Attributes.entry.1.value", "true"},
                      {"Attributes.entry.2.key", "FilterPolicy"},
                      {"Attributes.entry.2.value", R"({"kind":["shipped"]})"},
                      {"ReturnSubscriptionArn", "true"}});
  EXPECT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(got.topic_arn, kTopicArn);
  EXPECT_EQ(got.protocol, "sqs");
  EXPECT_EQ(got.endpoint, kQueueArn);
  EXPECT_EQ(got.attributes, (sns::AttributeMap{{"FilterPolicy", R"({"kind":["shipped"]})"},
                                               {"RawMessageDelivery", "true"}}));
  EXPECT_TRUE(got.return_subscription_arn);
  EXPECT_THAT(response.body, HasSubstr(std::string("<SubscribeResult><SubscriptionArn>") +
                                       kSubscriptionArn + "</SubscriptionArn></SubscribeResult>"));
}

TEST(SnsQueryProtocolTest, SubscribeWithoutReturnSubscriptionArnDefaultsToFalse) {
  SnsFixture fixture;
  EXPECT_CALL(fixture.sns(),
              Subscribe(Field(&sns::SubscribeRequest::return_subscription_arn, false)))
      .WillOnce(Return(sns::SubscribeResult{kSubscriptionArn}));
  wire::HttpResponse response = fixture.Handle(
      {{"Action", "Subscribe"}, {"TopicArn", kTopicArn}, {"Protocol", "sqs"}, {"Endpoint", "x"}});
  EXPECT_EQ(response.status, 200);
}

TEST(SnsQueryProtocolTest, SubscribeWithoutProtocolIsAValidationError) {
  SnsFixture fixture;
  wire::HttpResponse response = fixture.Handle({{"Action", "Subscribe"}, {"TopicArn", kTopicArn}});
  EXPECT_EQ(response.status, 400);
  EXPECT_THAT(response, IsSnsError("ValidationError",
                                   "1 validation error detected: Value null at 'protocol' failed "
                                   "to satisfy constraint: Member must not be null"));
}

TEST(SnsQueryProtocolTest, BadFilterPolicyIsInvalidParameter) {
  SnsFixture fixture;
  constexpr char kMessage[] =
      "Invalid parameter: Attributes Reason: FilterPolicy: Empty arrays are not allowed";
  EXPECT_CALL(fixture.sns(), Subscribe(_))
      .WillOnce(Return(MakeError(ErrorCode::kSnsInvalidParameter, kMessage)));
  wire::HttpResponse response = fixture.Handle({{"Action", "Subscribe"},
                                                {"TopicArn", kTopicArn},
                                                {"Protocol", "sqs"},
                                                {"Endpoint", kQueueArn},
                                                {"Attributes.entry.1.key", "FilterPolicy"},
                                                {"Attributes.entry.1.value", R"({"a":[]})"}});
  EXPECT_EQ(response.status, 400);
  EXPECT_THAT(response, IsSnsError("InvalidParameter", kMessage));
}

TEST(SnsQueryProtocolTest, ConfirmSubscriptionRejectsEveryTokenOfAnExistingTopic) {
  SnsFixture fixture;
  EXPECT_CALL(fixture.sns(), GetTopicAttributes(_))
      .WillOnce(Return(sns::GetTopicAttributesResult{}));
  wire::HttpResponse response = fixture.Handle(
      {{"Action", "ConfirmSubscription"}, {"TopicArn", kTopicArn}, {"Token", "abc"}});
  EXPECT_EQ(response.status, 400);
  EXPECT_THAT(response, IsSnsError("InvalidParameter", "Invalid token"));
}

// A token of AWS's shape (288 hex digits) is "Invalid parameter: Token", the
// topic unread (LocalStack test_sns_confirm_subscription_wrong_token,
// AWS-recorded).
TEST(SnsQueryProtocolTest, ConfirmSubscriptionRejectsAnUnknownTokenOfAwsShape) {
  SnsFixture fixture;
  wire::HttpResponse response = fixture.Handle({{"Action", "ConfirmSubscription"},
                                                {"TopicArn", kTopicArn},
                                                {"Token", std::string(288, 'a')}});
  EXPECT_EQ(response.status, 400);
  EXPECT_THAT(response, IsSnsError("InvalidParameter", "Invalid parameter: Token"));
  EXPECT_CALL(fixture.sns(), GetTopicAttributes(_))
      .WillOnce(Return(sns::GetTopicAttributesResult{}));
  response = fixture.Handle({{"Action", "ConfirmSubscription"},
                             {"TopicArn", kTopicArn},
                             {"Token", std::string(287, 'a') + "g"}});
  EXPECT_THAT(response, IsSnsError("InvalidParameter", "Invalid token"));
}

TEST(SnsQueryProtocolTest, UnsubscribePassesTheArn) {
  SnsFixture fixture;
  EXPECT_CALL(fixture.sns(),
              Unsubscribe(Field(&sns::UnsubscribeRequest::subscription_arn, kSubscriptionArn)))
      .WillOnce(Return(absl::OkStatus()));
  wire::HttpResponse response =
      fixture.Handle({{"Action", "Unsubscribe"}, {"SubscriptionArn", kSubscriptionArn}});
  EXPECT_EQ(response.status, 200);
  EXPECT_THAT(response.body, HasSubstr("<UnsubscribeResponse xmlns="));
}

// Unlike the other required members, a missing SubscriptionArn is left to
// the service (AWS answers InvalidParameter, not ValidationError).
TEST(SnsQueryProtocolTest, UnsubscribeWithoutAnArnReachesTheService) {
  SnsFixture fixture;
  EXPECT_CALL(fixture.sns(), Unsubscribe(Field(&sns::UnsubscribeRequest::subscription_arn, "")))
      .WillOnce(Return(MakeError(ErrorCode::kSnsInvalidParameter, "no value")));
  wire::HttpResponse response = fixture.Handle({{"Action", "Unsubscribe"}});
  EXPECT_EQ(response.status, 400);
  EXPECT_THAT(response, IsSnsError("InvalidParameter", "no value"));
}

TEST(SnsQueryProtocolTest, ListSubscriptionsByTopicWritesEveryField) {
  SnsFixture fixture;
  sns::ListSubscriptionsResult result;
  result.subscriptions = {{kSubscriptionArn, "000000000000", "sqs", kQueueArn, kTopicArn}};
  result.next_token = "t2";
  sns::ListSubscriptionsByTopicRequest got;
  EXPECT_CALL(fixture.sns(), ListSubscriptionsByTopic(_))
      .WillOnce(DoAll(SaveArg<0>(&got), Return(result)));
  wire::HttpResponse response = fixture.Handle(
      {{"Action", "ListSubscriptionsByTopic"}, {"TopicArn", kTopicArn}, {"NextToken", "t1"}});
  EXPECT_EQ(got.topic_arn, kTopicArn);
  EXPECT_EQ(got.next_token, "t1");
  EXPECT_THAT(response.body,
              HasSubstr(std::string("<ListSubscriptionsByTopicResult><Subscriptions><member>"
                                    "<SubscriptionArn>") +
                        kSubscriptionArn +
                        "</SubscriptionArn><Owner>000000000000</Owner><Protocol>sqs</Protocol>"
                        "<Endpoint>" +
                        kQueueArn + "</Endpoint><TopicArn>" + kTopicArn +
                        "</TopicArn></member></Subscriptions><NextToken>t2</NextToken>"));
}

TEST(SnsQueryProtocolTest, ListSubscriptionsOfUnknownTopicIsNotFound) {
  SnsFixture fixture;
  EXPECT_CALL(fixture.sns(), ListSubscriptionsByTopic(_))
      .WillOnce(Return(MakeError(ErrorCode::kSnsNotFound, "Topic does not exist")));
  wire::HttpResponse response =
      fixture.Handle({{"Action", "ListSubscriptionsByTopic"}, {"TopicArn", kTopicArn}});
  EXPECT_EQ(response.status, 404);
  EXPECT_THAT(response, IsSnsError("NotFound", "Topic does not exist"));
}

TEST(SnsQueryProtocolTest, ListSubscriptionsWritesMembers) {
  SnsFixture fixture;
  sns::ListSubscriptionsResult result;
  result.subscriptions = {{kSubscriptionArn, "000000000000", "sqs", kQueueArn, kTopicArn}};
  EXPECT_CALL(fixture.sns(), ListSubscriptions(_)).WillOnce(Return(result));
  wire::HttpResponse response = fixture.Handle({{"Action", "ListSubscriptions"}});
  EXPECT_THAT(response.body, AllOf(HasSubstr("<ListSubscriptionsResult><Subscriptions><member>"),
                                   Not(HasSubstr("NextToken"))));
}

TEST(SnsQueryProtocolTest, SubscriptionAttributesRoundTrip) {
  SnsFixture fixture;
  sns::GetSubscriptionAttributesResult result;
  result.attributes = {{"RawMessageDelivery", "true"}};
  EXPECT_CALL(fixture.sns(), GetSubscriptionAttributes(_)).WillOnce(Return(result));
  sns::SetSubscriptionAttributesRequest got;
  EXPECT_CALL(fixture.sns(), SetSubscriptionAttributes(_))
      .WillOnce(DoAll(SaveArg<0>(&got), Return(absl::OkStatus())));
  EXPECT_EQ(fixture
                .Handle({{"Action", "SetSubscriptionAttributes"},
                         {"SubscriptionArn", kSubscriptionArn},
                         {"AttributeName", "RawMessageDelivery"},
                         {"AttributeValue", "true"}})
                .status,
            200);
  EXPECT_EQ(got.subscription_arn, kSubscriptionArn);
  EXPECT_EQ(got.attribute_name, "RawMessageDelivery");
  EXPECT_EQ(got.attribute_value, "true");
  wire::HttpResponse response = fixture.Handle(
      {{"Action", "GetSubscriptionAttributes"}, {"SubscriptionArn", kSubscriptionArn}});
  EXPECT_THAT(response.body,
              HasSubstr("<Attributes><entry><key>RawMessageDelivery</key><value>true</value>"
                        "</entry></Attributes>"));
}

TEST(SnsQueryProtocolTest, UnknownSubscriptionIsNotFound) {
  SnsFixture fixture;
  EXPECT_CALL(fixture.sns(), GetSubscriptionAttributes(_))
      .WillOnce(Return(MakeError(ErrorCode::kSnsNotFound, "Subscription does not exist")));
  wire::HttpResponse response = fixture.Handle(
      {{"Action", "GetSubscriptionAttributes"}, {"SubscriptionArn", kSubscriptionArn}});
  EXPECT_EQ(response.status, 404);
  EXPECT_THAT(response, IsSnsError("NotFound", "Subscription does not exist"));
}

// ---- Publishing -------------------------------------------------------------

TEST(SnsQueryProtocolTest, PublishDecodesEveryParameter) {
  SnsFixture fixture;
  sns::PublishRequest got;
  EXPECT_CALL(fixture.sns(), Publish(_))
      .WillOnce(DoAll(SaveArg<0>(&got),
                      Return(sns::PublishResult{.message_id = "m-1", .sequence_number = "17"})));
  wire::HttpResponse response =
      fixture.Handle({{"Action", "Publish"},
                      {"TopicArn", kTopicArn},
                      {"Message", R"({"default":"d","sqs":"s"})"},
                      {"MessageStructure", "json"},
                      {"Subject", "Hello"},
                      {"MessageGroupId", "g1"},
                      {"MessageDeduplicationId", "d1"},
                      {"MessageAttributes.entry.1.Name", "kind"},
                      {"MessageAttributes.entry.1.Value.DataType", "String"},
                      {"MessageAttributes.entry.1.Value.StringValue", "shipped"},
                      {"MessageAttributes.entry.2.Name", "blob"},
                      {"MessageAttributes.entry.2.Value.DataType", "Binary"},
                      {"MessageAttributes.entry.2.Value.BinaryValue", "3q2+7w=="}});
  EXPECT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(got.topic_arn, kTopicArn);
  EXPECT_EQ(got.message, R"({"default":"d","sqs":"s"})");
  EXPECT_EQ(got.message_structure, "json");
  EXPECT_EQ(got.subject, "Hello");
  EXPECT_EQ(got.message_group_id, "g1");
  EXPECT_EQ(got.message_deduplication_id, "d1");
  EXPECT_EQ(got.message_attributes,
            (sns::MessageAttributeMap{
                {"blob", {.data_type = "Binary", .binary_value = "\xde\xad\xbe\xef"}},
                {"kind", {.data_type = "String", .string_value = "shipped"}}}));
  EXPECT_THAT(response.body, HasSubstr("<PublishResult><MessageId>m-1</MessageId>"
                                       "<SequenceNumber>17</SequenceNumber></PublishResult>"));
}

// The X-Ray header of the request is the trace header of what it publishes
// (LocalStack test_publish_sqs_from_sns_with_xray_propagation, AWS-validated).
TEST(SnsQueryProtocolTest, PublishTakesTheXRayTraceHeader) {
  SnsFixture fixture;
  const std::string trace =
      "Root=1-3152b799-8954dae64eda91bc9a23a7e8;Parent=7fa8c0f79203be72;Sampled=1";
  sns::PublishRequest published;
  sns::PublishBatchRequest batch;
  EXPECT_CALL(fixture.sns(), Publish(_))
      .WillOnce(DoAll(SaveArg<0>(&published), Return(sns::PublishResult{.message_id = "m"})))
      .WillOnce(DoAll(SaveArg<0>(&published), Return(sns::PublishResult{.message_id = "m"})));
  EXPECT_CALL(fixture.sns(), PublishBatch(_))
      .WillOnce(DoAll(SaveArg<0>(&batch), Return(sns::PublishBatchResult{})));
  fixture.Handle({{"Action", "Publish"}, {"TopicArn", kTopicArn}, {"Message", "m"}}, "sns",
                 {{"x-amzn-trace-id", trace}});
  EXPECT_EQ(published.aws_trace_header, trace);
  fixture.Handle({{"Action", "PublishBatch"},
                  {"TopicArn", kTopicArn},
                  {"PublishBatchRequestEntries.member.1.Id", "a"},
                  {"PublishBatchRequestEntries.member.1.Message", "m"}},
                 "sns", {{"x-amzn-trace-id", trace}});
  EXPECT_EQ(batch.aws_trace_header, trace);
  // None, or one no message can carry: no trace header.
  fixture.Handle({{"Action", "Publish"}, {"TopicArn", kTopicArn}, {"Message", "m"}}, "sns",
                 {{"x-amzn-trace-id", "Root=\x01"}});
  EXPECT_EQ(published.aws_trace_header, "");
}

TEST(SnsQueryProtocolTest, PublishWithoutSubjectLeavesItUnset) {
  SnsFixture fixture;
  sns::PublishRequest got;
  EXPECT_CALL(fixture.sns(), Publish(_))
      .WillOnce(DoAll(SaveArg<0>(&got), Return(sns::PublishResult{.message_id = "m-2"})));
  wire::HttpResponse response =
      fixture.Handle({{"Action", "Publish"}, {"TargetArn", kTopicArn}, {"Message", "hi"}});
  EXPECT_EQ(got.target_arn, kTopicArn);
  EXPECT_FALSE(got.subject.has_value());
  EXPECT_THAT(response.body,
              AllOf(HasSubstr("<MessageId>m-2</MessageId>"), Not(HasSubstr("SequenceNumber"))));
}

TEST(SnsQueryProtocolTest, PublishWithEmptySubjectPassesItOn) {
  SnsFixture fixture;
  EXPECT_CALL(fixture.sns(), Publish(Field(&sns::PublishRequest::subject, "")))
      .WillOnce(Return(MakeError(ErrorCode::kSnsInvalidParameter, "Invalid parameter: Subject")));
  wire::HttpResponse response = fixture.Handle(
      {{"Action", "Publish"}, {"TopicArn", kTopicArn}, {"Message", "hi"}, {"Subject", ""}});
  EXPECT_THAT(response, IsSnsError("InvalidParameter", "Invalid parameter: Subject"));
}

TEST(SnsQueryProtocolTest, PublishWithoutMessageIsAValidationError) {
  SnsFixture fixture;
  wire::HttpResponse response = fixture.Handle({{"Action", "Publish"}, {"TopicArn", kTopicArn}});
  EXPECT_THAT(response, IsSnsError("ValidationError",
                                   "1 validation error detected: Value null at 'message' failed "
                                   "to satisfy constraint: Member must not be null"));
}

TEST(SnsQueryProtocolTest, PublishWithBadBase64IsParameterValueInvalid) {
  SnsFixture fixture;
  wire::HttpResponse response =
      fixture.Handle({{"Action", "Publish"},
                      {"TopicArn", kTopicArn},
                      {"Message", "hi"},
                      {"MessageAttributes.entry.1.Name", "blob"},
                      {"MessageAttributes.entry.1.Value.DataType", "Binary"},
                      {"MessageAttributes.entry.1.Value.BinaryValue", "!!!"}});
  EXPECT_EQ(response.status, 400);
  EXPECT_THAT(response, IsSnsError("ParameterValueInvalid",
                                   "The message attribute 'blob' has an invalid base64 binary "
                                   "value."));
}

TEST(SnsQueryProtocolTest, PublishToUnknownTopicIsNotFound) {
  SnsFixture fixture;
  EXPECT_CALL(fixture.sns(), Publish(_))
      .WillOnce(Return(MakeError(ErrorCode::kSnsNotFound, "Topic does not exist")));
  wire::HttpResponse response =
      fixture.Handle({{"Action", "Publish"}, {"TopicArn", kTopicArn}, {"Message", "hi"}});
  EXPECT_EQ(response.status, 404);
  EXPECT_THAT(response, IsSnsError("NotFound", "Topic does not exist"));
}

TEST(SnsQueryProtocolTest, PublishBatchDecodesEntriesAndWritesBothLists) {
  SnsFixture fixture;
  sns::PublishBatchRequest got;
  sns::PublishBatchResult result;
  result.successful = {{.id = "a", .message_id = "m-a"}};
  result.failed = {{.id = "b",
                    .code = ErrorCode::kSnsParameterValueInvalid,
                    .message = "bad attribute",
                    .sender_fault = true}};
  EXPECT_CALL(fixture.sns(), PublishBatch(_)).WillOnce(DoAll(SaveArg<0>(&got), Return(result)));
  wire::HttpResponse response = fixture.Handle(
      {{"Action", "PublishBatch"},
       {"TopicArn", kTopicArn},
       {"PublishBatchRequestEntries.member.1.Id", "a"},
       {"PublishBatchRequestEntries.member.1.Message", "first"},
       {"PublishBatchRequestEntries.member.1.Subject", "S"},
       {"PublishBatchRequestEntries.member.1.MessageAttributes.entry.1.Name", "n"},
       {"PublishBatchRequestEntries.member.1.MessageAttributes.entry.1.Value.DataType", "Number"},
       {"PublishBatchRequestEntries.member.1.MessageAttributes.entry.1.Value.StringValue", "7"},
       {"PublishBatchRequestEntries.member.2.Id", "b"},
       {"PublishBatchRequestEntries.member.2.Message", "second"},
       {"PublishBatchRequestEntries.member.2.MessageGroupId", "g"},
       {"PublishBatchRequestEntries.member.2.MessageDeduplicationId", "d"},
       {"PublishBatchRequestEntries.member.2.MessageStructure", "json"}});
  EXPECT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(got.topic_arn, kTopicArn);
  ASSERT_EQ(got.publish_batch_request_entries.size(), 2u);
  const sns::PublishBatchRequestEntry& first = got.publish_batch_request_entries[0];
  EXPECT_EQ(first.id, "a");
  EXPECT_EQ(first.message, "first");
  EXPECT_EQ(first.subject, "S");
  EXPECT_EQ(first.message_attributes,
            (sns::MessageAttributeMap{{"n", {.data_type = "Number", .string_value = "7"}}}));
  const sns::PublishBatchRequestEntry& second = got.publish_batch_request_entries[1];
  EXPECT_EQ(second.id, "b");
  EXPECT_FALSE(second.subject.has_value());
  EXPECT_EQ(second.message_group_id, "g");
  EXPECT_EQ(second.message_deduplication_id, "d");
  EXPECT_EQ(second.message_structure, "json");
  EXPECT_THAT(response.body,
              HasSubstr("<PublishBatchResult><Successful><member><Id>a</Id><MessageId>m-a"
                        "</MessageId></member></Successful><Failed><member><Id>b</Id><Code>"
                        "ParameterValueInvalid</Code><Message>bad attribute</Message>"
                        "<SenderFault>true</SenderFault></member></Failed></PublishBatchResult>"));
}

TEST(SnsQueryProtocolTest, PublishBatchErrorsOfTheWholeRequestUseTheirCode) {
  SnsFixture fixture;
  EXPECT_CALL(fixture.sns(), PublishBatch(_))
      .WillOnce(Return(MakeError(ErrorCode::kSnsTooManyEntriesInBatchRequest,
                                 "The batch request contains more entries than permissible.")));
  wire::HttpResponse response =
      fixture.Handle({{"Action", "PublishBatch"},
                      {"TopicArn", kTopicArn},
                      {"PublishBatchRequestEntries.member.1.Id", "a"},
                      {"PublishBatchRequestEntries.member.1.Message", "x"}});
  EXPECT_EQ(response.status, 400);
  EXPECT_THAT(response, IsSnsError("TooManyEntriesInBatchRequest",
                                   "The batch request contains more entries than permissible."));
}

TEST(SnsQueryProtocolTest, PublishBatchEntryWithoutMessageIsAValidationError) {
  SnsFixture fixture;
  wire::HttpResponse response = fixture.Handle({{"Action", "PublishBatch"},
                                                {"TopicArn", kTopicArn},
                                                {"PublishBatchRequestEntries.member.1.Id", "a"}});
  EXPECT_THAT(response.body, HasSubstr("<Code>ValidationError</Code>"));
}

// ---- Tags -------------------------------------------------------------------

TEST(SnsQueryProtocolTest, TagsRoundTrip) {
  SnsFixture fixture;
  sns::TagResourceRequest tagged;
  sns::UntagResourceRequest untagged;
  EXPECT_CALL(fixture.sns(), TagResource(_))
      .WillOnce(DoAll(SaveArg<0>(&tagged), Return(absl::OkStatus())));
  EXPECT_CALL(fixture.sns(), UntagResource(_))
      .WillOnce(DoAll(SaveArg<0>(&untagged), Return(absl::OkStatus())));
  EXPECT_CALL(fixture.sns(), ListTagsForResource(_))
      .WillOnce(Return(sns::ListTagsForResourceResult{{{"team", "core"}}}));
  wire::HttpResponse response = fixture.Handle({{"Action", "TagResource"},
                                                {"ResourceArn", kTopicArn},
                                                {"Tags.member.1.Key", "team"},
                                                {"Tags.member.1.Value", "core"}});
  EXPECT_THAT(response.body, HasSubstr("<TagResourceResult/>"));
  EXPECT_EQ(tagged.resource_arn, kTopicArn);
  EXPECT_EQ(tagged.tags, (std::vector<sns::Tag>{{"team", "core"}}));
  fixture.Handle({{"Action", "UntagResource"},
                  {"ResourceArn", kTopicArn},
                  {"TagKeys.member.1", "env"},
                  {"TagKeys.member.2", "owner"}});
  EXPECT_EQ(untagged.tag_keys, (std::vector<std::string>{"env", "owner"}));
  response = fixture.Handle({{"Action", "ListTagsForResource"}, {"ResourceArn", kTopicArn}});
  EXPECT_THAT(response.body, HasSubstr("<ListTagsForResourceResult><Tags><member><Key>team</Key>"
                                       "<Value>core</Value></member></Tags>"));
}

TEST(SnsQueryProtocolTest, TagsOfUnknownResourceAreResourceNotFound) {
  SnsFixture fixture;
  EXPECT_CALL(fixture.sns(), ListTagsForResource(_))
      .WillOnce(Return(MakeError(ErrorCode::kSnsResourceNotFound, "Resource does not exist")));
  wire::HttpResponse response =
      fixture.Handle({{"Action", "ListTagsForResource"}, {"ResourceArn", kTopicArn}});
  EXPECT_EQ(response.status, 404);
  EXPECT_THAT(response, IsSnsError("ResourceNotFound", "Resource does not exist"));
}

// ---- Data protection policies ---------------------------------------------

TEST(SnsQueryProtocolTest, DataProtectionPolicyRoundTrip) {
  SnsFixture fixture;
  const std::string policy = R"({"Name":"p","Version":"2021-06-01","Statement":[]})";
  sns::PutDataProtectionPolicyRequest put;
  EXPECT_CALL(fixture.sns(), PutDataProtectionPolicy(_))
      .WillOnce(DoAll(SaveArg<0>(&put), Return(absl::OkStatus())));
  EXPECT_CALL(fixture.sns(), GetDataProtectionPolicy(Field(
                                 &sns::GetDataProtectionPolicyRequest::resource_arn, kTopicArn)))
      .WillOnce(Return(sns::GetDataProtectionPolicyResult{policy}))
      .WillOnce(Return(sns::GetDataProtectionPolicyResult{}));
  wire::HttpResponse response = fixture.Handle({{"Action", "PutDataProtectionPolicy"},
                                                {"ResourceArn", kTopicArn},
                                                {"DataProtectionPolicy", policy}});
  EXPECT_EQ(response.status, 200);
  // No result element: the operation has no output (LocalStack
  // test_data_protection_policy_crud, AWS-validated: ResponseMetadata only).
  EXPECT_THAT(response.body, AllOf(HasSubstr("<PutDataProtectionPolicyResponse xmlns="),
                                   Not(HasSubstr("PutDataProtectionPolicyResult"))));
  EXPECT_EQ(put.resource_arn, kTopicArn);
  EXPECT_EQ(put.data_protection_policy, policy);
  response = fixture.Handle({{"Action", "GetDataProtectionPolicy"}, {"ResourceArn", kTopicArn}});
  EXPECT_THAT(response.body,
              HasSubstr("<GetDataProtectionPolicyResult><DataProtectionPolicy>{&quot;Name&quot;:"));
  response = fixture.Handle({{"Action", "GetDataProtectionPolicy"}, {"ResourceArn", kTopicArn}});
  EXPECT_THAT(response.body, HasSubstr("<GetDataProtectionPolicyResult/>"));
}

TEST(SnsQueryProtocolTest, PutDataProtectionPolicyNeedsBothMembers) {
  SnsFixture fixture;
  wire::HttpResponse response =
      fixture.Handle({{"Action", "PutDataProtectionPolicy"}, {"ResourceArn", kTopicArn}});
  EXPECT_EQ(response.status, 400);
  EXPECT_THAT(response.body, HasSubstr("<Code>ValidationError</Code>"));
  // Given empty, it is given: the service removes the policy.
  EXPECT_CALL(fixture.sns(), PutDataProtectionPolicy(Field(
                                 &sns::PutDataProtectionPolicyRequest::data_protection_policy, "")))
      .WillOnce(Return(absl::OkStatus()));
  response = fixture.Handle({{"Action", "PutDataProtectionPolicy"},
                             {"ResourceArn", kTopicArn},
                             {"DataProtectionPolicy", ""}});
  EXPECT_EQ(response.status, 200);
}

TEST(SnsQueryProtocolTest, DataProtectionPolicyOfUnknownTopicIsNotFound) {
  SnsFixture fixture;
  EXPECT_CALL(fixture.sns(), GetDataProtectionPolicy(_))
      .WillOnce(Return(MakeError(ErrorCode::kSnsNotFound, "Topic does not exist")));
  wire::HttpResponse response =
      fixture.Handle({{"Action", "GetDataProtectionPolicy"}, {"ResourceArn", kTopicArn}});
  EXPECT_EQ(response.status, 404);
  EXPECT_THAT(response, IsSnsError("NotFound", "Topic does not exist"));
}

// ---- Permissions ------------------------------------------------------------

TEST(SnsQueryProtocolTest, AddPermissionDecodesMemberLists) {
  SnsFixture fixture;
  sns::AddPermissionRequest got;
  EXPECT_CALL(fixture.sns(), AddPermission(_))
      .WillOnce(DoAll(SaveArg<0>(&got), Return(absl::OkStatus())));
  wire::HttpResponse response = fixture.Handle({{"Action", "AddPermission"},
                                                {"TopicArn", kTopicArn},
                                                {"Label", "alice"},
                                                {"AWSAccountId.member.1", "111122223333"},
                                                {"AWSAccountId.member.2", "444455556666"},
                                                {"ActionName.member.1", "Publish"}});
  EXPECT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(got.topic_arn, kTopicArn);
  EXPECT_EQ(got.label, "alice");
  EXPECT_EQ(got.aws_account_ids, (std::vector<std::string>{"111122223333", "444455556666"}));
  EXPECT_EQ(got.actions, (std::vector<std::string>{"Publish"}));
  EXPECT_THAT(response.body,
              HasSubstr("<AddPermissionResponse xmlns=\"http://sns.amazonaws.com/doc/"
                        "2010-03-31/\"><ResponseMetadata><RequestId>"));
}

TEST(SnsQueryProtocolTest, AddPermissionWithoutLabelIsAValidationError) {
  SnsFixture fixture;
  wire::HttpResponse response =
      fixture.Handle({{"Action", "AddPermission"}, {"TopicArn", kTopicArn}});
  EXPECT_EQ(response.status, 400);
  EXPECT_THAT(response, IsSnsError("ValidationError",
                                   "1 validation error detected: Value null at 'label' failed to "
                                   "satisfy constraint: Member must not be null"));
}

TEST(SnsQueryProtocolTest, DuplicatePermissionLabelIsInvalidParameter) {
  SnsFixture fixture;
  EXPECT_CALL(fixture.sns(), AddPermission(_))
      .WillOnce(Return(MakeError(ErrorCode::kSnsInvalidParameter,
                                 "Invalid parameter: Statement already exists")));
  wire::HttpResponse response = fixture.Handle({{"Action", "AddPermission"},
                                                {"TopicArn", kTopicArn},
                                                {"Label", "alice"},
                                                {"AWSAccountId.member.1", "111122223333"},
                                                {"ActionName.member.1", "Publish"}});
  EXPECT_EQ(response.status, 400);
  EXPECT_THAT(response,
              IsSnsError("InvalidParameter", "Invalid parameter: Statement already exists"));
}

TEST(SnsQueryProtocolTest, RemovePermissionDecodesTopicAndLabel) {
  SnsFixture fixture;
  EXPECT_CALL(fixture.sns(),
              RemovePermission(AllOf(Field(&sns::RemovePermissionRequest::topic_arn, kTopicArn),
                                     Field(&sns::RemovePermissionRequest::label, "alice"))))
      .WillOnce(Return(absl::OkStatus()));
  wire::HttpResponse response =
      fixture.Handle({{"Action", "RemovePermission"}, {"TopicArn", kTopicArn}, {"Label", "alice"}});
  EXPECT_EQ(response.status, 200) << response.body;
  EXPECT_THAT(response.body, HasSubstr("<RemovePermissionResponse xmlns="));
}

// ---- Routing ----------------------------------------------------------------

TEST(SnsQueryProtocolTest, SharedActionSignedForSnsGoesToSns) {
  SnsFixture fixture;
  EXPECT_CALL(fixture.sns(), AddPermission(Field(&sns::AddPermissionRequest::label, "l")))
      .WillOnce(Return(absl::OkStatus()));
  wire::HttpResponse response =
      fixture.Handle({{"Action", "AddPermission"}, {"TopicArn", kTopicArn}, {"Label", "l"}}, "sns");
  EXPECT_EQ(response.status, 200) << response.body;
  EXPECT_THAT(response.body, HasSubstr("xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\""));
}

TEST(SnsQueryProtocolTest, SharedActionSignedForSqsGoesToSqs) {
  SnsFixture fixture;
  EXPECT_CALL(fixture.sqs(), AddPermission(Field(&sqs::AddPermissionRequest::label, "l")))
      .WillOnce(Return(absl::OkStatus()));
  wire::HttpResponse response = fixture.Handle(
      {{"Action", "AddPermission"}, {"QueueUrl", kClientQueueUrl}, {"Label", "l"}}, "sqs");
  EXPECT_THAT(response.body, HasSubstr("xmlns=\"http://queue.amazonaws.com/doc/2012-11-05/\""));
}

TEST(SnsQueryProtocolTest, UnknownActionIsInvalidAction) {
  SnsFixture fixture;
  wire::HttpResponse response = fixture.Handle({{"Action", "CreatePlatformApplication"}});
  EXPECT_EQ(response.status, 400);
  EXPECT_THAT(response.body, HasSubstr("<Code>InvalidAction</Code>"));
}

}  // namespace
}  // namespace wharf::testing
