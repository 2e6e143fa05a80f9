// Publish and PublishBatch through the SNS service: validation, envelopes and
// raw delivery to SQS subscribers, shared payloads, dead-lettering of failed
// deliveries (spec/sns.md §3, §4, §7).

#include <string>

#include "broker/base/digests.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/service/sns_fixture.h"

namespace wharf::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::Eq;
using ::testing::HasSubstr;
using ::testing::SizeIs;

constexpr ErrorCode kInvalid = ErrorCode::kSnsInvalidParameter;
constexpr ErrorCode kValueInvalid = ErrorCode::kSnsParameterValueInvalid;

class SnsPublishTest : public SnsTest {
 protected:
  void SetUp() override {
    topic_ = CreateTopic("orders");
    sub_ = SubscribeQueue(topic_, "q");
  }

  sns::PublishRequest Request(std::string message) {
    return {.topic_arn = topic_, .message = std::move(message)};
  }

  std::string topic_;
  std::string sub_;
};

TEST_F(SnsPublishTest, PublishReturnsAMessageIdAndDeliversTheEnvelope) {
  ASSERT_OK_AND_ASSIGN(auto result, Publish(topic_, "hello", {{"kind", StringAttr("created")}}));
  EXPECT_THAT(result.message_id, ::testing::MatchesRegex("[0-9a-f-]{36}"));
  EXPECT_TRUE(result.sequence_number.empty());
  std::vector<queue_internal::SendArgs> got = queues_.Messages(QueueArn("q"));
  ASSERT_THAT(got, SizeIs(1));
  const queue_internal::Payload& payload = *got[0].payload;
  EXPECT_EQ(payload.md5_of_body(), base_internal::Md5Of(payload.body()));
  EXPECT_EQ(payload.attributes(), nullptr);  // Enveloped: no SQS attributes.
  rapidjson::Document doc;
  doc.Parse(std::string(payload.body()).c_str());
  ASSERT_TRUE(doc.IsObject()) << payload.body();
  EXPECT_STREQ(doc["Type"].GetString(), "Notification");
  EXPECT_EQ(doc["MessageId"].GetString(), result.message_id);
  EXPECT_EQ(doc["TopicArn"].GetString(), topic_);
  EXPECT_STREQ(doc["Message"].GetString(), "hello");
  EXPECT_STREQ(doc["Timestamp"].GetString(), "2026-01-01T00:00:00.000Z");  // ManualClock.
  EXPECT_EQ(doc["UnsubscribeURL"].GetString(),
            "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=" + sub_);
  EXPECT_STREQ(doc["MessageAttributes"]["kind"]["Type"].GetString(), "String");
  EXPECT_STREQ(doc["MessageAttributes"]["kind"]["Value"].GetString(), "created");
  EXPECT_FALSE(doc.HasMember("Subject"));
}

TEST_F(SnsPublishTest, SubjectIsCarriedIntoTheEnvelope) {
  sns::PublishRequest request = Request("hello");
  request.subject = "Order 42";
  ASSERT_OK(sns_.Publish(request));
  rapidjson::Document doc;
  doc.Parse(Bodies("q")[0].c_str());
  EXPECT_STREQ(doc["Subject"].GetString(), "Order 42");
}

TEST_F(SnsPublishTest, EachEnvelopedSubscriberGetsItsOwnUnsubscribeUrl) {
  std::string other = SubscribeQueue(topic_, "q2");
  ASSERT_OK(Publish(topic_, "hello"));
  rapidjson::Document a, b;
  a.Parse(Bodies("q")[0].c_str());
  b.Parse(Bodies("q2")[0].c_str());
  EXPECT_THAT(a["UnsubscribeURL"].GetString(), HasSubstr(sub_));
  EXPECT_THAT(b["UnsubscribeURL"].GetString(), HasSubstr(other));
  EXPECT_EQ(std::string(a["MessageId"].GetString()), b["MessageId"].GetString());
}

TEST_F(SnsPublishTest, RawDeliveryCarriesTheBodyAndAttributes) {
  SubscribeQueue(topic_, "raw", {{"RawMessageDelivery", "true"}});
  ASSERT_OK(Publish(topic_, "hello", {{"attr1", NumberAttr("99.12")}}));
  std::vector<queue_internal::SendArgs> got = queues_.Messages(QueueArn("raw"));
  ASSERT_THAT(got, SizeIs(1));
  EXPECT_EQ(got[0].payload->body(), "hello");
  EXPECT_EQ(got[0].payload->md5_of_body(), base_internal::Md5Of("hello"));
  ASSERT_NE(got[0].payload->attributes(), nullptr);
  const queue_internal::PayloadAttributes& attributes = *got[0].payload->attributes();
  ASSERT_EQ(attributes.message_attributes.count("attr1"), 1u);
  EXPECT_EQ(attributes.message_attributes.at("attr1").data_type, "Number");
  EXPECT_EQ(attributes.message_attributes.at("attr1").string_value, "99.12");
  EXPECT_EQ(attributes.md5_of_message_attributes, "d302007e9aa062660afc85fd0a482472");
}

// The publisher's X-Ray trace header becomes the AWSTraceHeader of every
// SQS delivery, enveloped or raw (LocalStack
// test_publish_sqs_from_sns_with_xray_propagation, AWS-validated).
TEST_F(SnsPublishTest, TraceHeaderRidesOnEverySqsDelivery) {
  SubscribeQueue(topic_, "raw", {{"RawMessageDelivery", "true"}});
  const std::string trace =
      "Root=1-3152b799-8954dae64eda91bc9a23a7e8;Parent=7fa8c0f79203be72;Sampled=1";
  sns::PublishRequest request = Request("traced");
  request.aws_trace_header = trace;
  ASSERT_OK(sns_.Publish(request));
  ASSERT_OK(sns_.PublishBatch({.topic_arn = topic_,
                               .publish_batch_request_entries = {{.id = "a", .message = "one"}},
                               .aws_trace_header = trace}));
  ASSERT_OK(Publish(topic_, "untraced"));
  for (const char* queue : {"q", "raw"}) {
    std::vector<queue_internal::SendArgs> got = queues_.Messages(QueueArn(queue));
    ASSERT_THAT(got, SizeIs(3)) << queue;
    for (int i = 0; i < 2; ++i) {
      ASSERT_NE(got[i].payload->attributes(), nullptr) << queue;
      EXPECT_EQ(got[i].payload->attributes()->aws_trace_header, trace) << queue;
      EXPECT_EQ(got[i].payload->attributes()->md5_of_message_system_attributes.size(), 32u);
    }
    EXPECT_EQ(got[2].payload->attributes(), nullptr) << queue;
  }
  request.aws_trace_header = "Root=\x01";
  EXPECT_THAT(sns_.Publish(request), HasError(kInvalid, "Invalid parameter: AWSTraceHeader"));
}

TEST_F(SnsPublishTest, RawSubscribersShareOnePayload) {
  SubscribeQueue(topic_, "raw1", {{"RawMessageDelivery", "true"}});
  SubscribeQueue(topic_, "raw2", {{"RawMessageDelivery", "true"}});
  ASSERT_OK(Publish(topic_, "hello"));
  EXPECT_EQ(queues_.Messages(QueueArn("raw1"))[0].payload.get(),
            queues_.Messages(QueueArn("raw2"))[0].payload.get());
}

TEST_F(SnsPublishTest, RawDeliveryOfMoreThanTenAttributesFailsToTheDeadLetterQueue) {
  SubscribeQueue(topic_, "raw",
                 {{"RawMessageDelivery", "true"},
                  {"RedrivePolicy", R"({"deadLetterTargetArn":")" + QueueArn("dlq") + "\"}"}});
  sns::MessageAttributeMap attrs;
  for (int i = 0; i < 11; ++i) attrs["a" + std::to_string(i)] = StringAttr("v");
  ASSERT_OK(Publish(topic_, "hello", attrs));
  EXPECT_THAT(Bodies("raw"), SizeIs(0));
  EXPECT_THAT(EnvelopeMessages("dlq"), ElementsAre("hello"));
}

TEST_F(SnsPublishTest, StandardTopicForwardsTheMessageGroupIdToStandardQueues) {
  sns::PublishRequest request = Request("hello");
  request.message_group_id = "tenant-1";
  ASSERT_OK(sns_.Publish(request));
  EXPECT_EQ(queues_.Messages(QueueArn("q"))[0].message_group_id, "tenant-1");
}

TEST_F(SnsPublishTest, MessageStructureJsonSendsTheSqsText) {
  sns::PublishRequest request = Request(R"({"default":"plain","sqs":"for queues"})");
  request.message_structure = "json";
  ASSERT_OK(sns_.Publish(request));
  EXPECT_THAT(EnvelopeMessages("q"), ElementsAre("for queues"));
}

TEST_F(SnsPublishTest, MessageStructureJsonFallsBackToDefault) {
  sns::PublishRequest request = Request(R"({"default":"plain","email":"ignored","sqs":7})");
  request.message_structure = "json";
  ASSERT_OK(sns_.Publish(request));
  EXPECT_THAT(EnvelopeMessages("q"), ElementsAre("plain"));
}

TEST_F(SnsPublishTest, MessageStructureJsonNeedsADefaultEntry) {
  sns::PublishRequest request = Request(R"({"sqs":"x"})");
  request.message_structure = "json";
  EXPECT_THAT(sns_.Publish(request),
              HasError(kInvalid, Eq("Invalid parameter: Message Structure - No default entry "
                                    "in JSON message body")));
  request.message = "not json";
  EXPECT_THAT(sns_.Publish(request),
              HasError(kInvalid, Eq("Invalid parameter: Message Structure - JSON message body "
                                    "failed to parse")));
}

TEST_F(SnsPublishTest, EmptyMessageIsRejected) {
  EXPECT_THAT(Publish(topic_, ""), HasError(kInvalid, Eq("Invalid parameter: Empty message")));
}

TEST_F(SnsPublishTest, MessageOverTheSizeLimitIsRejected) {
  EXPECT_OK(Publish(topic_, std::string(262144, 'x')));
  EXPECT_THAT(Publish(topic_, std::string(262145, 'x')),
              HasError(kInvalid, Eq("Invalid parameter: Message too long")));
  // Attributes count toward the limit.
  EXPECT_THAT(Publish(topic_, std::string(262140, 'x'), {{"abc", StringAttr("v")}}),
              HasError(kInvalid, Eq("Invalid parameter: Message too long")));
}

TEST_F(SnsPublishTest, EmptyOrMultiLineSubjectIsRejected) {
  for (std::string subject : {std::string(""), std::string("two\nlines"), std::string(100, 's')}) {
    sns::PublishRequest request = Request("hello");
    request.subject = subject;
    EXPECT_THAT(sns_.Publish(request), HasError(kInvalid, Eq("Invalid parameter: Subject")));
  }
}

TEST_F(SnsPublishTest, PublishingToAnUnknownTopicIsNotFound) {
  EXPECT_THAT(Publish("arn:aws:sns:us-east-1:000000000000:nope", "x"),
              HasError(ErrorCode::kSnsNotFound, Eq("Topic does not exist")));
}

TEST_F(SnsPublishTest, PublishNeedsATarget) {
  EXPECT_THAT(sns_.Publish({.message = "x"}),
              HasError(kInvalid, Eq("Invalid parameter: TopicArn or TargetArn Reason: no value "
                                    "for required parameter")));
}

TEST_F(SnsPublishTest, TargetArnWorksLikeTopicArn) {
  ASSERT_OK(sns_.Publish({.target_arn = topic_, .message = "x"}));
  EXPECT_THAT(Bodies("q"), SizeIs(1));
}

// wharf has no platform endpoints, so a TargetArn naming one finds none
// (LocalStack test_publish_non_existent_target, AWS-recorded).
TEST_F(SnsPublishTest, TargetArnOfAPlatformEndpointIsNotFound) {
  EXPECT_THAT(sns_.Publish({.target_arn = "arn:aws:sns:us-east-1:000000000000:endpoint/APNS/app/"
                                          "0f7d5971-aa8b-4bd5-b585-0826e9f93a66",
                            .message = "x"}),
              HasError(kInvalid, Eq("Invalid parameter: TargetArn Reason: No endpoint found for "
                                    "the target arn specified")));
}

// A malformed number has AWS's text (LocalStack test_publish_wrong_phone_format,
// AWS-recorded); a well-formed one is refused (wharf sends no SMS).
TEST_F(SnsPublishTest, PhoneNumberIsCheckedThenRefused) {
  for (std::string number : {"+1a234", "NAA+15551234567"}) {
    EXPECT_THAT(sns_.Publish({.phone_number = number, .message = "x"}),
                HasError(kInvalid, Eq("Invalid parameter: PhoneNumber Reason: " + number +
                                      " is not valid to publish to")));
  }
  EXPECT_THAT(sns_.Publish({.phone_number = "+15551234567", .message = "x"}),
              HasError(kInvalid, HasSubstr("SMS delivery is not supported")));
}

TEST_F(SnsPublishTest, DeduplicationIdIsRejectedOnStandardTopics) {
  sns::PublishRequest request = Request("hello");
  request.message_deduplication_id = "d1";
  EXPECT_THAT(sns_.Publish(request),
              HasError(kInvalid, Eq("Invalid parameter: MessageDeduplicationId Reason: The "
                                    "request includes MessageDeduplicationId parameter that is "
                                    "not valid for this topic type")));
}

TEST_F(SnsPublishTest, AttributeWithAnUnknownTypePrefixIsRejected) {
  EXPECT_THAT(Publish(topic_, "x", {{"a", {.data_type = "Float", .string_value = "1"}}}),
              HasError(kValueInvalid,
                       Eq("The message attribute 'a' has an invalid message attribute type, the "
                          "set of supported type prefixes is Binary, Number, and String.")));
}

// LocalStack test_message_attributes_prefixes (AWS-validated).
TEST_F(SnsPublishTest, AttributeTypeLabelMustNotBeEmpty) {
  for (std::string type : {"String.", "Stringprefixed", "Number.", "Binary."}) {
    EXPECT_THAT(Publish(topic_, "x", {{"attr1", {.data_type = type, .string_value = "v"}}}),
                HasError(kValueInvalid,
                         Eq("The message attribute 'attr1' has an invalid message attribute "
                            "type, the set of supported type prefixes is Binary, Number, and "
                            "String.")))
        << type;
  }
  EXPECT_OK(
      Publish(topic_, "x", {{"attr1", {.data_type = "String.prefixed", .string_value = "v"}}}));
  EXPECT_OK(
      Publish(topic_, "x", {{"attr1", {.data_type = "String.  prefixed.", .string_value = "v"}}}));
}

TEST_F(SnsPublishTest, AttributeWithoutAValueIsRejected) {
  EXPECT_THAT(Publish(topic_, "x", {{"a", {.data_type = "String"}}}),
              HasError(kValueInvalid,
                       Eq("The message attribute 'a' must contain non-empty message attribute "
                          "value for message attribute type 'String'.")));
}

TEST_F(SnsPublishTest, AttributeUsingTheWrongFieldIsRejected) {
  EXPECT_THAT(
      Publish(topic_, "x", {{"a", {.data_type = "Number", .binary_value = "1"}}}),
      HasError(kValueInvalid, Eq("The message attribute 'a' with type 'Number' must use field "
                                 "'String'.")));
  EXPECT_THAT(
      Publish(topic_, "x", {{"b", {.data_type = "Binary", .string_value = "1"}}}),
      HasError(kValueInvalid, Eq("The message attribute 'b' with type 'Binary' must use field "
                                 "'Binary'.")));
}

TEST_F(SnsPublishTest, AttributeWithoutADataTypeIsAValidationError) {
  EXPECT_THAT(Publish(topic_, "x", {{"a", {.string_value = "v"}}}),
              HasError(ErrorCode::kSnsValidation,
                       Eq("1 validation error detected: Value null at "
                          "'messageAttributes.a.member.dataType' failed to satisfy constraint: "
                          "Member must not be null")));
}

TEST_F(SnsPublishTest, AttributeNameCharactersAreChecked) {
  EXPECT_THAT(Publish(topic_, "x", {{"a^b", StringAttr("v")}}),
              HasError(kValueInvalid,
                       Eq("Invalid non-alphanumeric character '#x5E' was found in the message "
                          "attribute name. Can only include alphanumeric characters, hyphens, "
                          "underscores, or dots.")));
  EXPECT_THAT(Publish(topic_, "x", {{".a", StringAttr("v")}}),
              HasError(kValueInvalid, Eq("Invalid message attribute name starting with "
                                         "character '.' was found.")));
  EXPECT_THAT(Publish(topic_, "x", {{"a.", StringAttr("v")}}),
              HasError(kValueInvalid, Eq("Invalid message attribute name ending with character "
                                         "'.' was found.")));
  EXPECT_THAT(
      Publish(topic_, "x", {{"a..b", StringAttr("v")}}),
      HasError(kValueInvalid, Eq("Message attribute name can not have successive '.' character.")));
  EXPECT_THAT(
      Publish(topic_, "x", {{std::string(256, 'a'), StringAttr("v")}}),
      HasError(kValueInvalid, Eq("Length of message attribute name must be less than 256 bytes.")));
}

TEST_F(SnsPublishTest, NumberAttributeMustBeANumber) {
  EXPECT_THAT(Publish(topic_, "x", {{"n", NumberAttr("twelve")}}), HasErrorCode(kValueInvalid));
}

TEST_F(SnsPublishTest, DeliveryToADeletedQueueGoesToTheDeadLetterQueueAsAnEnvelope) {
  std::string sub = SubscribeQueue(
      topic_, "gone", {{"RedrivePolicy", R"({"deadLetterTargetArn":")" + QueueArn("dlq") + "\"}"}});
  queues_.Delete(QueueArn("gone"));
  ASSERT_OK(Publish(topic_, "hello", {{"k", StringAttr("v")}}));
  std::vector<std::string> dlq = Bodies("dlq");
  ASSERT_THAT(dlq, SizeIs(1));
  rapidjson::Document doc;
  doc.Parse(dlq[0].c_str());
  EXPECT_STREQ(doc["Message"].GetString(), "hello");
  EXPECT_THAT(doc["UnsubscribeURL"].GetString(), HasSubstr(sub));
  EXPECT_STREQ(doc["MessageAttributes"]["k"]["Value"].GetString(), "v");
  EXPECT_EQ(sns_.TEST_NumDroppedDeliveries(), 0);
}

// A raw subscription dead-letters the raw message, its attributes as SQS
// message attributes (LocalStack test_redrive_policy_sqs_queue_subscription[True],
// AWS-recorded).
TEST_F(SnsPublishTest, RawDeliveryToADeletedQueueGoesToTheDeadLetterQueueRaw) {
  SubscribeQueue(topic_, "gone",
                 {{"RawMessageDelivery", "true"},
                  {"RedrivePolicy", R"({"deadLetterTargetArn":")" + QueueArn("dlq") + "\"}"}});
  queues_.Delete(QueueArn("gone"));
  ASSERT_OK(Publish(topic_, "hello", {{"attr1", NumberAttr("99.12")}}));
  std::vector<queue_internal::SendArgs> got = queues_.Messages(QueueArn("dlq"));
  ASSERT_THAT(got, SizeIs(1));
  EXPECT_EQ(got[0].payload->body(), "hello");
  ASSERT_NE(got[0].payload->attributes(), nullptr);
  const queue_internal::PayloadAttributes& attributes = *got[0].payload->attributes();
  ASSERT_EQ(attributes.message_attributes.count("attr1"), 1u);
  EXPECT_EQ(attributes.message_attributes.at("attr1").data_type, "Number");
  EXPECT_EQ(attributes.message_attributes.at("attr1").string_value, "99.12");
  EXPECT_EQ(attributes.md5_of_message_attributes, "d302007e9aa062660afc85fd0a482472");
  EXPECT_EQ(sns_.TEST_NumDroppedDeliveries(), 0);
}

TEST_F(SnsPublishTest, FailedDeliveryWithoutDeadLetterQueueIsCountedAsDropped) {
  queues_.Delete(QueueArn("q"));
  ASSERT_OK(Publish(topic_, "hello"));
  EXPECT_EQ(sns_.TEST_NumDroppedDeliveries(), 1);
}

// ---- PublishBatch -----------------------------------------------------------

sns::PublishBatchRequestEntry Entry(std::string id, std::string message) {
  return {.id = std::move(id), .message = std::move(message)};
}

TEST_F(SnsPublishTest, PublishBatchDeliversEveryEntry) {
  ASSERT_OK_AND_ASSIGN(
      auto result,
      sns_.PublishBatch({.topic_arn = topic_,
                         .publish_batch_request_entries = {Entry("a", "one"), Entry("b", "two")}}));
  ASSERT_THAT(result.successful, SizeIs(2));
  EXPECT_EQ(result.successful[0].id, "a");
  EXPECT_THAT(result.failed, SizeIs(0));
  EXPECT_THAT(EnvelopeMessages("q"), ElementsAre("one", "two"));
}

TEST_F(SnsPublishTest, PublishBatchReportsFailedEntriesSeparately) {
  ASSERT_OK_AND_ASSIGN(
      auto result,
      sns_.PublishBatch({.topic_arn = topic_,
                         .publish_batch_request_entries = {Entry("a", "one"), Entry("b", "")}}));
  ASSERT_THAT(result.successful, SizeIs(1));
  ASSERT_THAT(result.failed, SizeIs(1));
  EXPECT_EQ(result.failed[0].id, "b");
  EXPECT_EQ(result.failed[0].code, kInvalid);
  EXPECT_EQ(result.failed[0].message, "Invalid parameter: Empty message");
  EXPECT_TRUE(result.failed[0].sender_fault);
}

// A bad message attribute or message structure in any entry fails the whole
// request with Publish's error, nothing published (LocalStack
// test_empty_or_wrong_message_attributes, AWS-validated).
TEST_F(SnsPublishTest, PublishBatchFailsAsAWholeOnABadEntry) {
  auto batch = [&](sns::PublishBatchRequestEntry bad) {
    return sns_.PublishBatch(
        {.topic_arn = topic_, .publish_batch_request_entries = {Entry("a", "one"), bad}});
  };
  sns::PublishBatchRequestEntry empty_value = Entry("b", "two");
  empty_value.message_attributes = {{"attr1", StringAttr("")}};
  EXPECT_THAT(batch(empty_value),
              HasError(kValueInvalid, Eq("The message attribute 'attr1' must contain non-empty "
                                         "message attribute value for message attribute type "
                                         "'String'.")));
  sns::PublishBatchRequestEntry wrong_field = Entry("b", "two");
  wrong_field.message_attributes = {
      {"attr1", {.data_type = "Number", .string_value = "", .binary_value = "123"}}};
  EXPECT_THAT(
      batch(wrong_field),
      HasError(kValueInvalid, Eq("The message attribute 'attr1' with type 'Number' must use field "
                                 "'String'.")));
  sns::PublishBatchRequestEntry bad_name = Entry("b", "two");
  bad_name.message_attributes = {{"a..bc", StringAttr("123")}};
  EXPECT_THAT(
      batch(bad_name),
      HasError(kValueInvalid, Eq("Message attribute name can not have successive '.' character.")));
  sns::PublishBatchRequestEntry no_type = Entry("b", "two");
  no_type.message_attributes = {{"attr1", {.data_type = "", .string_value = "value"}}};
  EXPECT_THAT(batch(no_type),
              HasError(ErrorCode::kSnsValidation,
                       Eq("1 validation error detected: Value null at "
                          "'publishBatchRequestEntries.2.member.messageAttributes.attr1.member."
                          "dataType' failed to satisfy constraint: Member must not be null")));
  sns::PublishBatchRequestEntry no_default = Entry("b", R"({"sqs":"test sqs"})");
  no_default.message_structure = "json";
  EXPECT_THAT(batch(no_default),
              HasError(kInvalid, Eq("Invalid parameter: Message Structure - No default entry in "
                                    "JSON message body")));
  EXPECT_THAT(Bodies("q"), ::testing::IsEmpty());
}

TEST_F(SnsPublishTest, PublishBatchRejectsBadBatches) {
  EXPECT_THAT(sns_.PublishBatch({.topic_arn = topic_}),
              HasErrorCode(ErrorCode::kSnsEmptyBatchRequest));
  sns::PublishBatchRequest eleven{.topic_arn = topic_};
  for (int i = 0; i < 11; ++i) {
    eleven.publish_batch_request_entries.push_back(Entry("e" + std::to_string(i), "x"));
  }
  EXPECT_THAT(sns_.PublishBatch(eleven),
              HasError(ErrorCode::kSnsTooManyEntriesInBatchRequest,
                       Eq("The batch request contains more entries than permissible.")));
  EXPECT_THAT(
      sns_.PublishBatch({.topic_arn = topic_,
                         .publish_batch_request_entries = {Entry("a", "x"), Entry("a", "y")}}),
      HasError(ErrorCode::kSnsBatchEntryIdsNotDistinct,
               Eq("Two or more batch entries in the request have the same Id.")));
  EXPECT_THAT(
      sns_.PublishBatch({.topic_arn = topic_, .publish_batch_request_entries = {Entry("a!", "x")}}),
      HasError(ErrorCode::kSnsInvalidBatchEntryId,
               Eq("The Id of a batch entry in the batch request contains an "
                  "impermissible character: a!")));
  EXPECT_THAT(
      sns_.PublishBatch({.topic_arn = topic_,
                         .publish_batch_request_entries = {Entry("a", std::string(200000, 'x')),
                                                           Entry("b", std::string(70000, 'x'))}}),
      HasError(ErrorCode::kSnsBatchRequestTooLong,
               Eq("The length of all the messages put together is more than the limit.")));
}

}  // namespace
}  // namespace wharf::testing
