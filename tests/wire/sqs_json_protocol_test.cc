// The SQS JSON 1.0 protocol against a mock service: body decoding into the
// request structs, JSON encoding of results, and JSON errors with the
// x-amzn-query-error header.

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/wire/wire_test_util.h"
#include "wharf/errors.h"

namespace wharf::testing {
namespace {

using ::testing::_;
using ::testing::DoAll;
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::Return;
using ::testing::SaveArg;

TEST(SqsJsonProtocolTest, SendMessageDecodesMembersAndBinaryAttributes) {
  WireFixture fixture;
  sqs::SendMessageRequest got;
  EXPECT_CALL(fixture.service(), SendMessage(_))
      .WillOnce(DoAll(SaveArg<0>(&got),
                      Return(sqs::SendMessageResult{.message_id = "m-1",
                                                    .md5_of_message_body = "b",
                                                    .md5_of_message_attributes = "a",
                                                    .md5_of_message_system_attributes = "s"})));
  wire::HttpResponse response = fixture.Handle(JsonRequest("SendMessage", R"({
      "QueueUrl": "http://localhost:4566/000000000000/jobs",
      "MessageBody": "Hello, SQS",
      "DelaySeconds": 4,
      "MessageGroupId": "g",
      "MessageDeduplicationId": "d",
      "MessageAttributes": {
        "trace": {"DataType": "Binary", "BinaryValue": "3q2+7w=="},
        "city": {"DataType": "String", "StringValue": "Zürich"}},
      "MessageSystemAttributes": {
        "AWSTraceHeader": {"DataType": "String", "StringValue": "Root=1"}}})"));
  EXPECT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(got.queue_url, kBrokerQueueUrl);
  EXPECT_EQ(got.message_body, "Hello, SQS");
  EXPECT_EQ(got.delay_seconds, 4);
  EXPECT_EQ(got.message_group_id, "g");
  EXPECT_EQ(got.message_deduplication_id, "d");
  EXPECT_EQ(got.message_attributes["trace"].binary_value, "\xde\xad\xbe\xef");
  EXPECT_EQ(got.message_attributes["city"].string_value, "Zürich");
  EXPECT_EQ(got.message_system_attributes["AWSTraceHeader"].string_value, "Root=1");
  rapidjson::Document json = ParseJson(response.body);
  EXPECT_STREQ(json["MessageId"].GetString(), "m-1");
  EXPECT_STREQ(json["MD5OfMessageBody"].GetString(), "b");
  EXPECT_STREQ(json["MD5OfMessageAttributes"].GetString(), "a");
  EXPECT_STREQ(json["MD5OfMessageSystemAttributes"].GetString(), "s");
  EXPECT_FALSE(json.HasMember("SequenceNumber"));
  EXPECT_EQ(response.content_type, "application/x-amz-json-1.0");
}

TEST(SqsJsonProtocolTest, ReceiveMessageEncodesMessagesAndOmitsEmptyList) {
  WireFixture fixture;
  sqs::Message message;
  message.message_id = "m-1";
  message.receipt_handle = "rh";
  message.md5_of_body = "md5";
  message.body = "line\r\n\"quoted\"";
  message.attributes = {{"ApproximateReceiveCount", "1"}};
  message.md5_of_message_attributes = "ma";
  message.message_attributes = {{"bin", {.data_type = "Binary", .binary_value = "\x01\x02"}},
                                {"s", {.data_type = "String", .string_value = "v"}}};
  sqs::ReceiveMessageRequest got;
  EXPECT_CALL(fixture.service(), ReceiveMessage(_))
      .WillOnce(DoAll(SaveArg<0>(&got), Return(sqs::ReceiveMessageResult{{message}})))
      .WillOnce(Return(sqs::ReceiveMessageResult{}));
  wire::HttpResponse response = fixture.Handle(JsonRequest(
      "ReceiveMessage",
      R"({"QueueUrl":"http://127.0.0.1:4566/000000000000/jobs","MaxNumberOfMessages":10,)"
      R"("WaitTimeSeconds":20,"VisibilityTimeout":0,"MessageSystemAttributeNames":["All"],)"
      R"("MessageAttributeNames":["s","bin"]})"));
  EXPECT_EQ(got.max_number_of_messages, 10);
  EXPECT_EQ(got.wait_time_seconds, 20);
  EXPECT_EQ(got.visibility_timeout, 0);
  EXPECT_EQ(got.message_system_attribute_names, std::vector<std::string>{"All"});
  rapidjson::Document json = ParseJson(response.body);
  const rapidjson::Value& m = json["Messages"][0];
  EXPECT_STREQ(m["Body"].GetString(), "line\r\n\"quoted\"");
  EXPECT_STREQ(m["Attributes"]["ApproximateReceiveCount"].GetString(), "1");
  EXPECT_STREQ(m["MessageAttributes"]["bin"]["BinaryValue"].GetString(), "AQI=");
  EXPECT_STREQ(m["MessageAttributes"]["bin"]["DataType"].GetString(), "Binary");
  EXPECT_STREQ(m["MessageAttributes"]["s"]["StringValue"].GetString(), "v");
  EXPECT_STREQ(m["MD5OfMessageAttributes"].GetString(), "ma");

  wire::HttpResponse empty = fixture.Handle(
      JsonRequest("ReceiveMessage", R"({"QueueUrl":"http://127.0.0.1:4566/000000000000/jobs"})"));
  EXPECT_EQ(empty.body, "{}");
}

TEST(SqsJsonProtocolTest, ServiceErrorHasShapeTypeAndQueryErrorHeader) {
  WireFixture fixture;
  EXPECT_CALL(fixture.service(), GetQueueUrl(_))
      .WillOnce(
          Return(MakeError(ErrorCode::kQueueDoesNotExist, "The specified queue does not exist.")));
  wire::HttpResponse response =
      fixture.Handle(JsonRequest("GetQueueUrl", R"({"QueueName":"nope"})"));
  EXPECT_EQ(response.status, 400);
  rapidjson::Document json = ParseJson(response.body);
  EXPECT_STREQ(json["__type"].GetString(), "com.amazonaws.sqs#QueueDoesNotExist");
  EXPECT_STREQ(json["message"].GetString(), "The specified queue does not exist.");
  EXPECT_EQ(HeaderOf(response, "x-amzn-query-error"),
            "AWS.SimpleQueueService.NonExistentQueue;Sender");
  EXPECT_FALSE(HeaderOf(response, "x-amzn-RequestId").empty());
}

// 404 over JSON too: the SQS Smithy model's httpError trait.
TEST(SqsJsonProtocolTest, InvalidReceiptHandleIs404) {
  WireFixture fixture;
  const absl::Status invalid =
      MakeError(ErrorCode::kReceiptHandleIsInvalid,
                "The input receipt handle \"garbage\" is not a valid receipt handle.");
  EXPECT_CALL(fixture.service(), DeleteMessage(_)).WillOnce(Return(invalid));
  EXPECT_CALL(fixture.service(), ChangeMessageVisibility(_)).WillOnce(Return(invalid));
  for (const char* operation : {"DeleteMessage", "ChangeMessageVisibility"}) {
    wire::HttpResponse response = fixture.Handle(
        JsonRequest(operation, R"({"QueueUrl":"http://localhost:4566/000000000000/jobs",)"
                               R"("ReceiptHandle":"garbage","VisibilityTimeout":60})"));
    EXPECT_EQ(response.status, 404) << operation;
    rapidjson::Document json = ParseJson(response.body);
    EXPECT_STREQ(json["__type"].GetString(), "com.amazonaws.sqs#ReceiptHandleIsInvalid");
    EXPECT_STREQ(json["message"].GetString(),
                 "The input receipt handle \"garbage\" is not a valid receipt handle.");
    EXPECT_EQ(HeaderOf(response, "x-amzn-query-error"), "ReceiptHandleIsInvalid;Sender");
  }
}

// The X-Ray header is the AWSTraceHeader of every message sent without one
// (LocalStack test_aws_trace_header_propagation, AWS-validated; the
// attribute wins: X-Ray developer guide).
TEST(SqsJsonProtocolTest, XRayHeaderIsTheTraceHeaderOfMessagesWithoutOne) {
  WireFixture fixture;
  sqs::SendMessageRequest sent;
  sqs::SendMessageBatchRequest batch;
  EXPECT_CALL(fixture.service(), SendMessage(_))
      .WillOnce(DoAll(SaveArg<0>(&sent), Return(sqs::SendMessageResult{.message_id = "m"})));
  EXPECT_CALL(fixture.service(), SendMessageBatch(_))
      .WillOnce(DoAll(SaveArg<0>(&batch), Return(sqs::SendMessageBatchResult{})));
  auto traced = [](wire::HttpRequest request) {
    request.headers.emplace_back("x-amzn-trace-id", "Root=1-from-header");
    return request;
  };
  fixture.Handle(traced(
      JsonRequest("SendMessage",
                  R"({"QueueUrl":"http://localhost:4566/000000000000/jobs","MessageBody":"x"})")));
  EXPECT_EQ(sent.message_system_attributes["AWSTraceHeader"].data_type, "String");
  EXPECT_EQ(sent.message_system_attributes["AWSTraceHeader"].string_value, "Root=1-from-header");
  fixture.Handle(traced(JsonRequest("SendMessageBatch", R"({
      "QueueUrl": "http://localhost:4566/000000000000/jobs",
      "Entries": [
        {"Id": "a", "MessageBody": "x"},
        {"Id": "b", "MessageBody": "y", "MessageSystemAttributes": {
          "AWSTraceHeader": {"DataType": "String", "StringValue": "Root=1-own"}}}]})")));
  ASSERT_EQ(batch.entries.size(), 2u);
  EXPECT_EQ(batch.entries[0].message_system_attributes["AWSTraceHeader"].string_value,
            "Root=1-from-header");
  EXPECT_EQ(batch.entries[1].message_system_attributes["AWSTraceHeader"].string_value,
            "Root=1-own");
}

TEST(SqsJsonProtocolTest, UnknownOperationIsUnknownOperationException) {
  WireFixture fixture;
  wire::HttpResponse response = fixture.Handle(JsonRequest("FlyToTheMoon", "{}"));
  EXPECT_EQ(response.status, 400);
  EXPECT_STREQ(ParseJson(response.body)["__type"].GetString(),
               "com.amazonaws.sqs#UnknownOperationException");
  EXPECT_EQ(HeaderOf(response, "x-amzn-query-error"), "InvalidAction;Sender");
}

TEST(SqsJsonProtocolTest, UnknownTargetPrefixIsUnknownOperationException) {
  WireFixture fixture;
  wire::HttpRequest request = JsonRequest("ListQueues", "{}");
  request.headers[1].second = "AmazonFoo_20121105.ListQueues";
  wire::HttpResponse response = fixture.Handle(request);
  EXPECT_EQ(response.status, 400);
  EXPECT_THAT(response.body, HasSubstr("UnknownOperationException"));
}

TEST(SqsJsonProtocolTest, InvalidJsonIsSerializationException) {
  WireFixture fixture;
  wire::HttpResponse response = fixture.Handle(JsonRequest("ListQueues", "{\"QueueNamePrefix\":"));
  EXPECT_EQ(response.status, 400);
  EXPECT_STREQ(ParseJson(response.body)["__type"].GetString(),
               "com.amazonaws.sqs#SerializationException");
}

TEST(SqsJsonProtocolTest, NonObjectBodyIsSerializationException) {
  WireFixture fixture;
  wire::HttpResponse response = fixture.Handle(JsonRequest("ListQueues", "[1,2]"));
  EXPECT_EQ(response.status, 400);
  EXPECT_THAT(response.body, HasSubstr("SerializationException"));
}

TEST(SqsJsonProtocolTest, MemberOfWrongTypeIsSerializationException) {
  WireFixture fixture;
  wire::HttpResponse response = fixture.Handle(JsonRequest(
      "ReceiveMessage",
      R"({"QueueUrl":"http://127.0.0.1:4566/000000000000/jobs","MaxNumberOfMessages":[1]})"));
  EXPECT_EQ(response.status, 400);
  EXPECT_THAT(response.body, HasSubstr("SerializationException"));
}

TEST(SqsJsonProtocolTest, IntegerBeyondInt64IsSerializationException) {
  WireFixture fixture;
  wire::HttpResponse response = fixture.Handle(JsonRequest(
      "ReceiveMessage",
      R"({"QueueUrl":"http://127.0.0.1:4566/000000000000/jobs","MaxNumberOfMessages":1e300})"));
  EXPECT_EQ(response.status, 400);
  EXPECT_THAT(response.body, HasSubstr("SerializationException"));
}

TEST(SqsJsonProtocolTest, MissingMessageBodyIsMissingRequiredParameter) {
  WireFixture fixture;
  wire::HttpResponse response = fixture.Handle(
      JsonRequest("SendMessage", R"({"QueueUrl":"http://127.0.0.1:4566/000000000000/jobs"})"));
  EXPECT_EQ(response.status, 400);
  rapidjson::Document json = ParseJson(response.body);
  EXPECT_STREQ(json["__type"].GetString(), "com.amazonaws.sqs#MissingRequiredParameterException");
  EXPECT_STREQ(json["message"].GetString(), "The request must contain the parameter MessageBody.");
  EXPECT_EQ(HeaderOf(response, "x-amzn-query-error"), "MissingParameter;Sender");
}

// AWS-recorded: an id given empty is an invalid value, on any queue type; the
// service never sees the request (its structs read empty as not given).
TEST(SqsJsonProtocolTest, EmptyGroupOrDeduplicationIdIsInvalid) {
  WireFixture fixture;
  EXPECT_CALL(fixture.service(), SendMessage(_)).Times(0);
  EXPECT_CALL(fixture.service(), SendMessageBatch(_)).Times(0);
  for (const char* id : {"MessageGroupId", "MessageDeduplicationId"}) {
    SCOPED_TRACE(id);
    wire::HttpResponse response = fixture.Handle(JsonRequest(
        "SendMessage", std::string(R"({"QueueUrl":"http://127.0.0.1:4566/000000000000/jobs",)") +
                           R"("MessageBody":"x",")" + id + R"(":""})"));
    EXPECT_EQ(response.status, 400);
    rapidjson::Document json = ParseJson(response.body);
    EXPECT_STREQ(json["__type"].GetString(), "com.amazonaws.sqs#InvalidParameterValueException");
    EXPECT_EQ(json["message"].GetString(),
              std::string("Value  for parameter ") + id + " is invalid. Reason: " + id +
                  " can only include alphanumeric and punctuation characters. 1 to 128 in "
                  "length.");
  }
  wire::HttpResponse batch = fixture.Handle(JsonRequest(
      "SendMessageBatch", R"({"QueueUrl":"http://127.0.0.1:4566/000000000000/jobs",)"
                          R"("Entries":[{"Id":"a","MessageBody":"x","MessageGroupId":""}]})"));
  EXPECT_EQ(batch.status, 400);
  EXPECT_EQ(HeaderOf(batch, "x-amzn-query-error"), "InvalidParameterValue;Sender");
}

TEST(SqsJsonProtocolTest, EmptyBodyMeansNoMembers) {
  WireFixture fixture;
  EXPECT_CALL(fixture.service(), ListQueues(_)).WillOnce(Return(sqs::ListQueuesResult{}));
  wire::HttpResponse response = fixture.Handle(JsonRequest("ListQueues", ""));
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "{}");
}

TEST(SqsJsonProtocolTest, DeleteMessageBatchRendersSuccessfulAndFailed) {
  WireFixture fixture;
  sqs::DeleteMessageBatchRequest got;
  sqs::DeleteMessageBatchResult result;
  result.successful = {"a"};
  result.failed.push_back({.id = "b",
                           .sender_fault = true,
                           .code = ErrorCode::kReceiptHandleIsInvalid,
                           .message = "bad handle"});
  EXPECT_CALL(fixture.service(), DeleteMessageBatch(_))
      .WillOnce(DoAll(SaveArg<0>(&got), Return(result)));
  wire::HttpResponse response = fixture.Handle(
      JsonRequest("DeleteMessageBatch", R"({"QueueUrl":"http://127.0.0.1:4566/000000000000/jobs",)"
                                        R"("Entries":[{"Id":"a","ReceiptHandle":"x"},)"
                                        R"({"Id":"b","ReceiptHandle":"y"}]})"));
  ASSERT_EQ(got.entries.size(), 2u);
  EXPECT_EQ(got.entries[1].receipt_handle, "y");
  rapidjson::Document json = ParseJson(response.body);
  EXPECT_STREQ(json["Successful"][0]["Id"].GetString(), "a");
  EXPECT_STREQ(json["Failed"][0]["Code"].GetString(), "ReceiptHandleIsInvalid");
  EXPECT_TRUE(json["Failed"][0]["SenderFault"].GetBool());
}

// AWS answers a batch without failures with no "Failed" member (LocalStack
// test_send_message_batch_with_oversized_contents_with_updated_maximum_message_size,
// AWS-validated).
TEST(SqsJsonProtocolTest, ABatchWithoutFailuresHasNoFailedMember) {
  WireFixture fixture;
  sqs::SendMessageBatchResult sent;
  sent.successful.push_back({.id = "a"});
  EXPECT_CALL(fixture.service(), SendMessageBatch(_)).WillOnce(Return(sent));
  sqs::DeleteMessageBatchResult deleted;
  deleted.successful = {"a"};
  EXPECT_CALL(fixture.service(), DeleteMessageBatch(_)).WillOnce(Return(deleted));
  wire::HttpResponse send = fixture.Handle(
      JsonRequest("SendMessageBatch", R"({"QueueUrl":"http://127.0.0.1:4566/000000000000/jobs",)"
                                      R"("Entries":[{"Id":"a","MessageBody":"x"}]})"));
  rapidjson::Document json = ParseJson(send.body);
  EXPECT_STREQ(json["Successful"][0]["Id"].GetString(), "a") << send.body;
  EXPECT_FALSE(json.HasMember("Failed")) << send.body;
  wire::HttpResponse del = fixture.Handle(
      JsonRequest("DeleteMessageBatch", R"({"QueueUrl":"http://127.0.0.1:4566/000000000000/jobs",)"
                                        R"("Entries":[{"Id":"a","ReceiptHandle":"x"}]})"));
  json = ParseJson(del.body);
  EXPECT_STREQ(json["Successful"][0]["Id"].GetString(), "a") << del.body;
  EXPECT_FALSE(json.HasMember("Failed")) << del.body;
}

TEST(SqsJsonProtocolTest, CreateQueueReadsLowerCaseTags) {
  WireFixture fixture;
  sqs::CreateQueueRequest got;
  EXPECT_CALL(fixture.service(), CreateQueue(_))
      .WillOnce(DoAll(SaveArg<0>(&got), Return(sqs::CreateQueueResult{kBrokerQueueUrl})));
  wire::HttpResponse response = fixture.Handle(JsonRequest(
      "CreateQueue",
      R"({"QueueName":"jobs","Attributes":{"FifoQueue":"false"},"tags":{"team":"core"}})"));
  EXPECT_EQ(got.tags, (sqs::TagMap{{"team", "core"}}));
  EXPECT_EQ(got.attributes, (sqs::AttributeMap{{"FifoQueue", "false"}}));
  EXPECT_STREQ(ParseJson(response.body)["QueueUrl"].GetString(), kClientQueueUrl);
}

TEST(SqsJsonProtocolTest, ListDeadLetterSourceQueuesUsesLowerCaseMember) {
  WireFixture fixture;
  sqs::ListDeadLetterSourceQueuesResult result;
  result.queue_urls = {kBrokerQueueUrl};
  EXPECT_CALL(fixture.service(), ListDeadLetterSourceQueues(_)).WillOnce(Return(result));
  wire::HttpResponse response = fixture.Handle(JsonRequest(
      "ListDeadLetterSourceQueues", R"({"QueueUrl":"http://127.0.0.1:4566/000000000000/dlq"})"));
  EXPECT_STREQ(ParseJson(response.body)["queueUrls"][0].GetString(), kClientQueueUrl);
}

TEST(SqsJsonProtocolTest, IntegerOutOfRangeIsInvalidParameterValue) {
  WireFixture fixture;
  wire::HttpResponse response = fixture.Handle(JsonRequest(
      "ReceiveMessage",
      R"({"QueueUrl":"http://127.0.0.1:4566/000000000000/jobs","WaitTimeSeconds":99999999999})"));
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(HeaderOf(response, "x-amzn-query-error"), "InvalidParameterValue;Sender");
}

TEST(SqsJsonProtocolTest, AddPermissionDecodesAccountsAndActions) {
  WireFixture fixture;
  sqs::AddPermissionRequest got;
  EXPECT_CALL(fixture.service(), AddPermission(_))
      .WillOnce(DoAll(SaveArg<0>(&got), Return(absl::OkStatus())));
  wire::HttpResponse response = fixture.Handle(JsonRequest("AddPermission", R"({
      "QueueUrl": "http://127.0.0.1:4566/000000000000/jobs", "Label": "alice",
      "AWSAccountIds": ["111122223333"], "Actions": ["SendMessage", "DeleteMessage"]})"));
  EXPECT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(response.body, "{}");
  EXPECT_EQ(got.queue_url, kBrokerQueueUrl);
  EXPECT_EQ(got.label, "alice");
  EXPECT_EQ(got.aws_account_ids, (std::vector<std::string>{"111122223333"}));
  EXPECT_EQ(got.actions, (std::vector<std::string>{"SendMessage", "DeleteMessage"}));
}

TEST(SqsJsonProtocolTest, AddPermissionWithANonListIsSerializationException) {
  WireFixture fixture;
  wire::HttpResponse response = fixture.Handle(JsonRequest(
      "AddPermission", R"({"QueueUrl":"http://127.0.0.1:4566/000000000000/jobs","Label":"l",)"
                       R"("Actions":"SendMessage"})"));
  EXPECT_EQ(response.status, 400);
  rapidjson::Document json = ParseJson(response.body);
  EXPECT_STREQ(json["__type"].GetString(), "com.amazonaws.sqs#SerializationException");
}

TEST(SqsJsonProtocolTest, RemovePermissionUnknownLabelIsInvalidParameterValue) {
  WireFixture fixture;
  EXPECT_CALL(fixture.service(),
              RemovePermission(Field(&sqs::RemovePermissionRequest::label, "ghost")))
      .WillOnce(Return(
          MakeError(ErrorCode::kInvalidParameterValue,
                    "Value ghost for parameter Label is invalid. Reason: can't find label.")));
  wire::HttpResponse response = fixture.Handle(
      JsonRequest("RemovePermission",
                  R"({"QueueUrl":"http://127.0.0.1:4566/000000000000/jobs","Label":"ghost"})"));
  EXPECT_EQ(response.status, 400);
  rapidjson::Document json = ParseJson(response.body);
  EXPECT_STREQ(json["__type"].GetString(), "com.amazonaws.sqs#InvalidParameterValueException");
  EXPECT_STREQ(json["message"].GetString(),
               "Value ghost for parameter Label is invalid. Reason: can't find label.");
}

}  // namespace
}  // namespace wharf::testing
