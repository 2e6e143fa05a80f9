// The JSON shapes against AWS's documented examples (Lambda developer guide:
// "Using Lambda with Amazon SQS", "... Amazon SNS", "Amazon EventBridge
// events", "Capturing records of Lambda asynchronous invocations"), and the
// partial batch response rules ("Handling errors for an SQS event source").

#include "broker/lambda/event_json.h"

#include <random>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rapidjson/document.h"
#include "wharf/lambda.h"

namespace wharf::lambda_internal {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

rapidjson::Document Parse(std::string_view json) {
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  EXPECT_FALSE(doc.HasParseError()) << json;
  return doc;
}

// The first record of AWS's example SQS event.
constexpr char kAwsSqsEvent[] = R"({
  "Records": [
    {
      "messageId": "059f36b4-87a3-44ab-83d2-661975830a7d",
      "receiptHandle": "AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a...",
      "body": "test",
      "attributes": {
        "ApproximateReceiveCount": "1",
        "SentTimestamp": "1545082649183",
        "SenderId": "AIDAIENQZJOLO23YVJ4VO",
        "ApproximateFirstReceiveTimestamp": "1545082649185"
      },
      "messageAttributes": {},
      "md5OfBody": "098f6bcd4621d373cade4e832627b4f6",
      "eventSource": "aws:sqs",
      "eventSourceARN": "arn:aws:sqs:us-east-2:123456789012:my-queue",
      "awsRegion": "us-east-2"
    }
  ]
})";

lambda::SqsRecord AwsExampleRecord() {
  lambda::SqsRecord r;
  r.message_id = "059f36b4-87a3-44ab-83d2-661975830a7d";
  r.receipt_handle = "AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a...";
  r.body = "test";
  r.attributes.approximate_receive_count = "1";
  r.attributes.sent_timestamp = "1545082649183";
  r.attributes.sender_id = "AIDAIENQZJOLO23YVJ4VO";
  r.attributes.approximate_first_receive_timestamp = "1545082649185";
  r.md5_of_body = "098f6bcd4621d373cade4e832627b4f6";
  r.event_source_arn = "arn:aws:sqs:us-east-2:123456789012:my-queue";
  r.aws_region = "us-east-2";
  return r;
}

// AWS's documented example leaves md5OfMessageAttributes out; the events
// Lambda sends carry it, null for a message without attributes (LocalStack's
// recording of AWS, test_sqs_event_source_mapping snapshot).
TEST(SqsEventTest, RendersAwsDocumentedExample) {
  lambda::SqsEvent event;
  event.records.push_back(AwsExampleRecord());
  std::string json = RenderSqsEvent(event);
  rapidjson::Document want = Parse(kAwsSqsEvent);
  want["Records"][0].AddMember("md5OfMessageAttributes", rapidjson::Value(), want.GetAllocator());
  EXPECT_EQ(Parse(json), want) << json;
  EXPECT_THAT(json, ::testing::HasSubstr(R"("messageAttributes":{},"md5OfMessageAttributes":null,)"
                                         R"("md5OfBody":)"));
}

// The typed SQS event of `json` (null if it is not one); it is no other shape.
std::unique_ptr<lambda::SqsEvent> ParseSqsEvent(std::string_view json) {
  std::unique_ptr<lambda::SqsEvent> sqs;
  std::unique_ptr<lambda::SnsEvent> sns;
  std::unique_ptr<lambda::EventBridgeEvent> eb;
  ParseTypedEvent(json, &sqs, &sns, &eb);
  EXPECT_EQ(sns, nullptr);
  EXPECT_EQ(eb, nullptr);
  return sqs;
}

TEST(SqsEventTest, ParsesAwsDocumentedExampleBack) {
  std::unique_ptr<lambda::SqsEvent> sqs = ParseSqsEvent(kAwsSqsEvent);
  ASSERT_NE(sqs, nullptr);
  ASSERT_EQ(sqs->records.size(), 1u);
  const lambda::SqsRecord& r = sqs->records[0];
  const lambda::SqsRecord want = AwsExampleRecord();
  EXPECT_EQ(r.message_id, want.message_id);
  EXPECT_EQ(r.receipt_handle, want.receipt_handle);
  EXPECT_EQ(r.body, want.body);
  EXPECT_EQ(r.attributes, want.attributes);
  EXPECT_EQ(r.md5_of_body, want.md5_of_body);
  EXPECT_EQ(r.event_source, "aws:sqs");
  EXPECT_EQ(r.event_source_arn, want.event_source_arn);
  EXPECT_EQ(r.aws_region, want.aws_region);
}

// AWS's example of a FIFO queue's event, minified: the attributes in AWS's
// order, which RenderSqsEvent keeps, with the null md5OfMessageAttributes of
// real events (see above).
constexpr char kAwsFifoSqsEvent[] =
    R"({"Records":[{"messageId":"11d6ee51-4cc7-4302-9e22-7cd8afdaadf5",)"
    R"("receiptHandle":"AQEBBX8nesZEXmkhsmZeyIE8iQAMig7qw...","body":"Test message.",)"
    R"("attributes":{"ApproximateReceiveCount":"1","SentTimestamp":"1573251510774",)"
    R"("SequenceNumber":"18849496460467696128","MessageGroupId":"1",)"
    R"("SenderId":"AIDAIO23YVJENQZJOL4VO","MessageDeduplicationId":"1",)"
    R"("ApproximateFirstReceiveTimestamp":"1573251510774"},"messageAttributes":{},)"
    R"("md5OfMessageAttributes":null,)"
    R"("md5OfBody":"e4e68fb7bd0e697a0ae8f1bb342846b3","eventSource":"aws:sqs",)"
    R"("eventSourceARN":"arn:aws:sqs:us-east-2:123456789012:fifo.fifo","awsRegion":"us-east-2"}]})";

TEST(SqsEventTest, FifoExampleParsesAndRendersBackExactly) {
  std::unique_ptr<lambda::SqsEvent> sqs = ParseSqsEvent(kAwsFifoSqsEvent);
  ASSERT_NE(sqs, nullptr);
  ASSERT_EQ(sqs->records.size(), 1u);
  const lambda::SqsRecordAttributes& a = sqs->records[0].attributes;
  EXPECT_EQ(a.approximate_receive_count, "1");
  EXPECT_EQ(a.sent_timestamp, "1573251510774");
  EXPECT_EQ(a.sequence_number, "18849496460467696128");
  EXPECT_EQ(a.message_group_id, "1");
  EXPECT_EQ(a.sender_id, "AIDAIO23YVJENQZJOL4VO");
  EXPECT_EQ(a.message_deduplication_id, "1");
  EXPECT_EQ(a.approximate_first_receive_timestamp, "1573251510774");
  EXPECT_EQ(a.aws_trace_header, "");
  EXPECT_EQ(RenderSqsEvent(*sqs), kAwsFifoSqsEvent);
}

TEST(SqsEventTest, TraceHeaderComesFirstAndUnknownAttributesAreDropped) {
  lambda::SqsRecord r = AwsExampleRecord();
  r.attributes.aws_trace_header = "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1";
  lambda::SqsEvent event;
  event.records.push_back(r);
  const std::string json = RenderSqsEvent(event);
  EXPECT_THAT(json,
              ::testing::HasSubstr(
                  R"("attributes":{"AWSTraceHeader":"Root=1-5759e988-bd862e3fe1be46a994272793;)"
                  R"(Sampled=1","ApproximateReceiveCount":"1",)"));
  std::string with_unknown = json;
  with_unknown.replace(with_unknown.find(R"("attributes":{)"), 14,
                       R"("attributes":{"NotAnAttribute":"x",)");
  std::unique_ptr<lambda::SqsEvent> sqs = ParseSqsEvent(with_unknown);
  ASSERT_NE(sqs, nullptr);
  EXPECT_EQ(sqs->records[0].attributes, r.attributes);
  EXPECT_EQ(RenderSqsEvent(*sqs), json);
}

TEST(SqsEventTest, MessageAttributesHaveLambdasShape) {
  lambda::SqsRecord r = AwsExampleRecord();
  r.message_attributes["myAttribute"] = {"String", "myValue", ""};
  r.message_attributes["blob"] = {"Binary", "", std::string("\x00\x01\xff", 3)};
  r.md5_of_message_attributes = "0123456789abcdef0123456789abcdef";
  lambda::SqsEvent event;
  event.records.push_back(r);
  rapidjson::Document doc = Parse(RenderSqsEvent(event));
  const rapidjson::Value& attrs = doc["Records"][0]["messageAttributes"];
  EXPECT_EQ(attrs["myAttribute"],
            Parse(R"({"stringValue":"myValue","stringListValues":[],"binaryListValues":[],)"
                  R"("dataType":"String"})"));
  EXPECT_STREQ(attrs["blob"]["binaryValue"].GetString(), "AAH/");
  EXPECT_STREQ(attrs["blob"]["dataType"].GetString(), "Binary");
  EXPECT_STREQ(doc["Records"][0]["md5OfMessageAttributes"].GetString(),
               "0123456789abcdef0123456789abcdef");

  // And back: the typed form of the JSON is the record.
  std::unique_ptr<lambda::SqsEvent> sqs;
  std::unique_ptr<lambda::SnsEvent> sns;
  std::unique_ptr<lambda::EventBridgeEvent> eb;
  ParseTypedEvent(RenderSqsEvent(event), &sqs, &sns, &eb);
  ASSERT_NE(sqs, nullptr);
  EXPECT_EQ(sqs->records[0].message_attributes, r.message_attributes);
}

TEST(SqsEventTest, RecordSizeIsExactAndTheBoundHolds) {
  std::mt19937 rng(7);
  for (int i = 0; i < 200; ++i) {
    lambda::SqsRecord r = AwsExampleRecord();
    r.body.clear();
    int n = static_cast<int>(rng() % 300);
    for (int j = 0; j < n; ++j) r.body.push_back(static_cast<char>(rng() % 256));
    if (i % 3 == 0) r.message_attributes["a"] = {"String", r.body.substr(0, 20), ""};
    if (i % 5 == 0) r.message_attributes["b"] = {"Binary", "", r.body.substr(0, 33)};
    lambda::SqsEvent event;
    event.records.push_back(r);
    const size_t rendered = RenderSqsEvent(event).size() - std::string("{\"Records\":[]}").size();
    EXPECT_EQ(SqsRecordJsonSize(r), rendered);
    EXPECT_GE(SqsRecordJsonSizeBound(r), rendered);
  }
}

TEST(SqsEventTest, ControlCharactersAreEscaped) {
  lambda::SqsRecord r = AwsExampleRecord();
  r.body = std::string("a\"b\\c\n\x01", 7);
  lambda::SqsEvent event;
  event.records.push_back(r);
  rapidjson::Document doc = Parse(RenderSqsEvent(event));
  EXPECT_EQ(std::string(doc["Records"][0]["body"].GetString(),
                        doc["Records"][0]["body"].GetStringLength()),
            r.body);
}

TEST(SqsEventTest, FilterViewEmbedsAJsonBody) {
  lambda::SqsRecord r = AwsExampleRecord();
  r.body = R"({"kind":"order","total":12})";
  rapidjson::Document doc = Parse(RenderSqsRecordForFilter(r));
  EXPECT_STREQ(doc["body"]["kind"].GetString(), "order");
  r.body = "plain text";
  doc = Parse(RenderSqsRecordForFilter(r));
  EXPECT_STREQ(doc["body"].GetString(), "plain text");
}

// AWS's example SNS event for Lambda.
constexpr char kAwsSnsEvent[] = R"({
  "Records": [
    {
      "EventVersion": "1.0",
      "EventSubscriptionArn": "arn:aws:sns:us-east-1:123456789012:sns-lambda:21be56ed-a058-49f5-8c98-aedd2564c486",
      "EventSource": "aws:sns",
      "Sns": {
        "SignatureVersion": "1",
        "Timestamp": "2019-01-02T12:45:07.000Z",
        "Signature": "tcc6faL2yUC6dgZdmrwh1Y4cGa/ebXEkAi6RibDsvpi+tE/1+82j...65r==",
        "SigningCertUrl": "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-ac565b8b1a6c5d002d285f9598aa1d9b.pem",
        "MessageId": "95df01b4-ee98-5cb9-9903-4c221d41eb5e",
        "Message": "Hello from SNS!",
        "MessageAttributes": {
          "Test": {"Type": "String", "Value": "TestString"},
          "TestBinary": {"Type": "Binary", "Value": "TestBinary"}
        },
        "Type": "Notification",
        "UnsubscribeUrl": "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&amp;SubscriptionArn=arn:aws:sns:us-east-1:123456789012:test-lambda:21be56ed-a058-49f5-8c98-aedd2564c486",
        "TopicArn": "arn:aws:sns:us-east-1:123456789012:sns-lambda",
        "Subject": "TestInvoke"
      }
    }
  ]
})";

TEST(SnsEventTest, ParsesAwsDocumentedExample) {
  std::unique_ptr<lambda::SqsEvent> sqs;
  std::unique_ptr<lambda::SnsEvent> sns;
  std::unique_ptr<lambda::EventBridgeEvent> eb;
  ParseTypedEvent(kAwsSnsEvent, &sqs, &sns, &eb);
  ASSERT_NE(sns, nullptr);
  EXPECT_EQ(sqs, nullptr);
  ASSERT_EQ(sns->records.size(), 1u);
  const lambda::SnsRecord& r = sns->records[0];
  EXPECT_EQ(r.event_source, "aws:sns");
  EXPECT_EQ(r.event_version, "1.0");
  EXPECT_EQ(r.event_subscription_arn,
            "arn:aws:sns:us-east-1:123456789012:sns-lambda:21be56ed-a058-49f5-8c98-aedd2564c486");
  EXPECT_EQ(r.sns.type, "Notification");
  EXPECT_EQ(r.sns.message_id, "95df01b4-ee98-5cb9-9903-4c221d41eb5e");
  EXPECT_EQ(r.sns.message, "Hello from SNS!");
  EXPECT_EQ(r.sns.subject, "TestInvoke");
  EXPECT_EQ(r.sns.timestamp, "2019-01-02T12:45:07.000Z");
  EXPECT_EQ(r.sns.signature_version, "1");
  EXPECT_EQ(r.sns.topic_arn, "arn:aws:sns:us-east-1:123456789012:sns-lambda");
  ASSERT_EQ(r.sns.message_attributes.size(), 2u);
  EXPECT_EQ(r.sns.message_attributes.at("Test").type, "String");
  EXPECT_EQ(r.sns.message_attributes.at("Test").value, "TestString");
}

TEST(SnsEventTest, NullSubjectStaysUnset) {
  std::string json = kAwsSnsEvent;
  json.replace(json.find("\"TestInvoke\""), 12, "null");
  std::unique_ptr<lambda::SqsEvent> sqs;
  std::unique_ptr<lambda::SnsEvent> sns;
  std::unique_ptr<lambda::EventBridgeEvent> eb;
  ParseTypedEvent(json, &sqs, &sns, &eb);
  ASSERT_NE(sns, nullptr);
  EXPECT_FALSE(sns->records[0].sns.subject.has_value());
}

// AWS's example event (EventBridge user guide, "Amazon EventBridge events").
constexpr char kAwsEventBridgeEvent[] = R"({
  "version": "0",
  "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
  "detail-type": "EC2 Instance State-change Notification",
  "source": "aws.ec2",
  "account": "111122223333",
  "time": "2017-12-22T18:43:48Z",
  "region": "us-west-1",
  "resources": ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"],
  "detail": {"instance-id": " i-1234567890abcdef0", "state": "terminated"}
})";

TEST(EventBridgeEventTest, ParsesAwsDocumentedExample) {
  std::unique_ptr<lambda::SqsEvent> sqs;
  std::unique_ptr<lambda::SnsEvent> sns;
  std::unique_ptr<lambda::EventBridgeEvent> eb;
  ParseTypedEvent(kAwsEventBridgeEvent, &sqs, &sns, &eb);
  ASSERT_NE(eb, nullptr);
  EXPECT_EQ(eb->version, "0");
  EXPECT_EQ(eb->id, "6a7e8feb-b491-4cf7-a9f1-bf3703467718");
  EXPECT_EQ(eb->detail_type, "EC2 Instance State-change Notification");
  EXPECT_EQ(eb->source, "aws.ec2");
  EXPECT_EQ(eb->account, "111122223333");
  EXPECT_EQ(eb->time, "2017-12-22T18:43:48Z");
  EXPECT_EQ(eb->region, "us-west-1");
  EXPECT_THAT(eb->resources,
              ElementsAre("arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"));
  EXPECT_EQ(Parse(eb->detail),
            Parse(R"({"instance-id":" i-1234567890abcdef0","state":"terminated"})"));
}

TEST(TypedEventTest, OtherPayloadsHaveNoTypedForm) {
  for (const char* payload : {"", "{}", "[1,2]", "not json", R"({"Records":[]})",
                              R"({"Records":[{"eventSource":"aws:kinesis"}]})", "{\"a\":"}) {
    std::unique_ptr<lambda::SqsEvent> sqs;
    std::unique_ptr<lambda::SnsEvent> sns;
    std::unique_ptr<lambda::EventBridgeEvent> eb;
    ParseTypedEvent(payload, &sqs, &sns, &eb);
    EXPECT_EQ(sqs, nullptr) << payload;
    EXPECT_EQ(sns, nullptr) << payload;
    EXPECT_EQ(eb, nullptr) << payload;
  }
}

TEST(TypedEventTest, DeeplyNestedPayloadIsParsedWithoutRecursion) {
  std::string payload(200000, '[');
  std::unique_ptr<lambda::SqsEvent> sqs;
  std::unique_ptr<lambda::SnsEvent> sns;
  std::unique_ptr<lambda::EventBridgeEvent> eb;
  ParseTypedEvent(payload, &sqs, &sns, &eb);
  EXPECT_EQ(sqs, nullptr);
  EXPECT_FALSE(IsJson(payload));
}

// ---- Partial batch responses ------------------------------------------------

class BatchResponseTest : public ::testing::Test {
 protected:
  BatchResponse Check(std::string_view payload) { return ParseBatchResponse(payload, ids_); }
  absl::flat_hash_set<std::string_view> ids_ = {"id1", "id2", "id3"};
};

TEST_F(BatchResponseTest, SuccessResponses) {
  for (const char* payload : {"", "  ", "null", "{}", R"({"batchItemFailures":null})",
                              R"({"batchItemFailures":[]})", R"({"other":1})"}) {
    BatchResponse r = Check(payload);
    EXPECT_FALSE(r.whole_batch_failed) << payload;
    EXPECT_THAT(r.failed_ids, IsEmpty()) << payload;
  }
}

TEST_F(BatchResponseTest, ListedItemsFail) {
  BatchResponse r =
      Check(R"({"batchItemFailures":[{"itemIdentifier":"id2"},{"itemIdentifier":"id3"}]})");
  EXPECT_FALSE(r.whole_batch_failed);
  EXPECT_THAT(r.failed_ids, ElementsAre("id2", "id3"));
}

TEST_F(BatchResponseTest, MalformedResponsesFailTheWholeBatch) {
  for (const char* payload : {
           "not json",
           R"({"batchItemFailures":[{"itemIdentifier":"id2"})",       // Truncated.
           R"({"batchItemFailures":[{"itemIdentifier":"nope"}]})",    // Unknown id.
           R"({"batchItemFailures":[{"itemIdentifier":""}]})",        // Empty id.
           R"({"batchItemFailures":[{"itemIdentifier":null}]})",      // Null id.
           R"({"batchItemFailures":[{"itemIdentifer":"id1"}]})",      // Bad key name.
           R"({"batchItemFailures":[{"itemIdentifier":7}]})",         // Not a string.
           R"({"batchItemFailures":["id1"]})",                        // Not an object.
           R"({"batchItemFailures":{"itemIdentifier":"id1"}})",       // Not an array.
           R"({"batchItemFailures":[{"itemIdentifier":"id1"},{}]})",  // One bad entry.
           R"("done")",
           "[]",
           "42",
       }) {
    BatchResponse r = Check(payload);
    EXPECT_TRUE(r.whole_batch_failed) << payload;
    EXPECT_THAT(r.failed_ids, IsEmpty()) << payload;
  }
}

TEST(BatchItemFailuresResponseTest, RendersTheResponseShape) {
  EXPECT_EQ(lambda::BatchItemFailuresResponse({}), R"({"batchItemFailures":[]})");
  std::string json = lambda::BatchItemFailuresResponse({"id2", "we\"ird"});
  EXPECT_EQ(
      Parse(json),
      Parse(R"({"batchItemFailures":[{"itemIdentifier":"id2"},{"itemIdentifier":"we\"ird"}]})"));
}

// ---- Invocation records -------------------------------------------------------

// AWS's example record for a failed asynchronous invocation.
constexpr char kAwsInvocationRecord[] = R"({
  "version": "1.0",
  "timestamp": "2019-11-14T18:16:05.568Z",
  "requestContext": {
    "requestId": "e4b46cbf-b738-xmpl-8880-a18cdf61200e",
    "functionArn": "arn:aws:lambda:us-east-2:123456789012:function:my-function:$LATEST",
    "condition": "RetriesExhausted",
    "approximateInvokeCount": 3
  },
  "requestPayload": {"ORDER_IDS": ["9e07af03-ce31-4ff3-xmpl-36dce652cb4f"]},
  "responseContext": {
    "statusCode": 200,
    "executedVersion": "$LATEST",
    "functionError": "Unhandled"
  },
  "responsePayload": {
    "errorMessage": "RequestId: e4b46cbf-b738-xmpl-8880-a18cdf61200e Process exited before completing request"
  }
})";

TEST(InvocationRecordTest, RendersAwsDocumentedExample) {
  InvocationRecord r;
  r.timestamp = absl::FromUnixMillis(1573755365568);
  r.request_id = "e4b46cbf-b738-xmpl-8880-a18cdf61200e";
  r.function_arn = "arn:aws:lambda:us-east-2:123456789012:function:my-function";
  r.condition = "RetriesExhausted";
  r.approximate_invoke_count = 3;
  r.request_payload = R"({"ORDER_IDS": ["9e07af03-ce31-4ff3-xmpl-36dce652cb4f"]})";
  r.function_error = true;
  r.response_payload =
      R"({"errorMessage": "RequestId: e4b46cbf-b738-xmpl-8880-a18cdf61200e Process exited before completing request"})";
  std::string json = RenderInvocationRecord(r);
  EXPECT_EQ(Parse(json), Parse(kAwsInvocationRecord)) << json;
}

TEST(InvocationRecordTest, NonJsonResponseIsAString) {
  InvocationRecord r;
  r.function_arn = "arn:aws:lambda:us-east-1:123456789012:function:f";
  r.condition = "Success";
  r.approximate_invoke_count = 1;
  r.request_payload = "{}";
  r.response_payload = "plain";
  rapidjson::Document doc = Parse(RenderInvocationRecord(r));
  EXPECT_STREQ(doc["responsePayload"].GetString(), "plain");
  EXPECT_FALSE(doc["responseContext"].HasMember("functionError"));
}

}  // namespace
}  // namespace wharf::lambda_internal
