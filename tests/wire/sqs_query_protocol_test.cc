// The SQS query protocol against a mock service: form decoding into the
// request structs, XML encoding of results, and XML errors.

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/wire/wire_test_util.h"
#include "wharf/errors.h"

namespace wharf::testing {
namespace {

using ::testing::_;
using ::testing::AllOf;
using ::testing::DoAll;
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::Return;
using ::testing::SaveArg;

TEST(SqsQueryProtocolTest, CreateQueueDecodesAttributesAndTagsAndReturnsEndpointUrl) {
  WireFixture fixture;
  sqs::CreateQueueRequest got;
  EXPECT_CALL(fixture.service(), CreateQueue(_))
      .WillOnce(DoAll(SaveArg<0>(&got), Return(sqs::CreateQueueResult{kBrokerQueueUrl})));
  wire::HttpResponse response =
      fixture.Handle(QueryRequest({{"Action", "CreateQueue"},
                                   {"Version", "2012-11-05"},
                                   {"QueueName", "jobs"},
                                   {"Attribute.1.Name", "DelaySeconds"},
                                   {"Attribute.1.Value", "5"},
                                   {"Attribute.2.Name", "VisibilityTimeout"},
                                   {"Attribute.2.Value", "60"},
                                   {"Tag.1.Key", "team"},
                                   {"Tag.1.Value", "core"}}));
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(got.queue_name, "jobs");
  EXPECT_EQ(got.attributes,
            (sqs::AttributeMap{{"DelaySeconds", "5"}, {"VisibilityTimeout", "60"}}));
  EXPECT_EQ(got.tags, (sqs::TagMap{{"team", "core"}}));
  EXPECT_THAT(response.body,
              AllOf(HasSubstr("<CreateQueueResponse xmlns=\"http://queue.amazonaws.com/doc/"
                              "2012-11-05/\"><CreateQueueResult><QueueUrl>"
                              "http://127.0.0.1:4566/000000000000/jobs</QueueUrl>"),
                    HasSubstr("<ResponseMetadata><RequestId>")));
}

TEST(SqsQueryProtocolTest, SendMessageDecodesStringAndBinaryAttributes) {
  WireFixture fixture;
  sqs::SendMessageRequest got;
  sqs::SendMessageResult result{.message_id = "m-1",
                                .md5_of_message_body = "9f5f155ec5da7b214e3a43b0386514d9",
                                .md5_of_message_attributes = "2c562bcf772108c4fa2b800f49d08139"};
  EXPECT_CALL(fixture.service(), SendMessage(_)).WillOnce(DoAll(SaveArg<0>(&got), Return(result)));
  wire::HttpResponse response = fixture.Handle(QueryRequest({
      {"Action", "SendMessage"},
      {"QueueUrl", kClientQueueUrl},
      {"MessageBody", "Hello, SQS"},
      {"DelaySeconds", "3"},
      {"MessageAttribute.1.Name", "city"},
      {"MessageAttribute.1.Value.DataType", "String"},
      {"MessageAttribute.1.Value.StringValue", "Zürich"},
      {"MessageAttribute.2.Name", "trace"},
      {"MessageAttribute.2.Value.DataType", "Binary"},
      {"MessageAttribute.2.Value.BinaryValue", "3q2+7w=="},
  }));
  EXPECT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(got.queue_url, kBrokerQueueUrl);
  EXPECT_EQ(got.message_body, "Hello, SQS");
  EXPECT_EQ(got.delay_seconds, 3);
  ASSERT_EQ(got.message_attributes.size(), 2u);
  EXPECT_EQ(got.message_attributes["city"],
            (sqs::MessageAttributeValue{.data_type = "String", .string_value = "Zürich"}));
  EXPECT_EQ(
      got.message_attributes["trace"],
      (sqs::MessageAttributeValue{.data_type = "Binary", .binary_value = "\xde\xad\xbe\xef"}));
  EXPECT_THAT(response.body,
              AllOf(HasSubstr("<MessageId>m-1</MessageId>"),
                    HasSubstr("<MD5OfMessageBody>9f5f155ec5da7b214e3a43b0386514d9"),
                    HasSubstr("<MD5OfMessageAttributes>2c562bcf772108c4fa2b800f49d08139")));
}

TEST(SqsQueryProtocolTest, ReceiveMessageEncodesBodyAndAttributesAsXml) {
  WireFixture fixture;
  sqs::Message message;
  message.message_id = "m-1";
  message.receipt_handle = "rh-1";
  message.md5_of_body = "abc";
  message.body = "line1\r\n<b>&</b>";
  message.attributes = {{"SentTimestamp", "1700000000000"}};
  message.md5_of_message_attributes = "def";
  message.message_attributes = {
      {"trace", {.data_type = "Binary", .binary_value = "\xde\xad\xbe\xef"}},
      {"n", {.data_type = "Number.int", .string_value = "42"}}};
  sqs::ReceiveMessageRequest got;
  EXPECT_CALL(fixture.service(), ReceiveMessage(_))
      .WillOnce(DoAll(SaveArg<0>(&got), Return(sqs::ReceiveMessageResult{{message}})));
  wire::HttpResponse response = fixture.Handle(QueryRequest({{"Action", "ReceiveMessage"},
                                                             {"QueueUrl", kClientQueueUrl},
                                                             {"MaxNumberOfMessages", "10"},
                                                             {"WaitTimeSeconds", "2"},
                                                             {"AttributeName.1", "All"},
                                                             {"MessageAttributeName.1", "All"}}));
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(got.max_number_of_messages, 10);
  EXPECT_EQ(got.wait_time_seconds, 2);
  EXPECT_EQ(got.message_system_attribute_names, std::vector<std::string>{"All"});
  EXPECT_EQ(got.message_attribute_names, std::vector<std::string>{"All"});
  EXPECT_THAT(response.body,
              AllOf(HasSubstr("<Message><MessageId>m-1</MessageId><ReceiptHandle>rh-1"),
                    HasSubstr("<Body>line1&#xD;\n&lt;b&gt;&amp;&lt;/b&gt;</Body>"),
                    HasSubstr("<Attribute><Name>SentTimestamp</Name><Value>1700000000000</Value>"),
                    HasSubstr("<MessageAttribute><Name>trace</Name><Value><BinaryValue>3q2+7w==</"
                              "BinaryValue><DataType>Binary</DataType></Value>"),
                    HasSubstr("<StringValue>42</StringValue><DataType>Number.int</DataType>")));
}

// AWS writes an empty result as one self-closing element (LocalStack's
// test_get_send_and_receive_messages, AWS-validated).
TEST(SqsQueryProtocolTest, EmptyReceiveIsASelfClosingResult) {
  WireFixture fixture;
  EXPECT_CALL(fixture.service(), ReceiveMessage(_)).WillOnce(Return(sqs::ReceiveMessageResult{}));
  wire::HttpResponse response =
      fixture.Handle(QueryRequest({{"Action", "ReceiveMessage"}, {"QueueUrl", kClientQueueUrl}}));
  EXPECT_EQ(response.status, 200);
  EXPECT_THAT(response.body, HasSubstr("<ReceiveMessageResponse xmlns="));
  EXPECT_THAT(response.body, HasSubstr("\"><ReceiveMessageResult/><ResponseMetadata>"));
}

TEST(SqsQueryProtocolTest, SendMessageBatchDecodesEntriesAndRendersFailures) {
  WireFixture fixture;
  sqs::SendMessageBatchRequest got;
  sqs::SendMessageBatchResult result;
  result.successful.push_back({.id = "a", .message_id = "m-a", .md5_of_message_body = "x"});
  result.failed.push_back({.id = "b",
                           .sender_fault = true,
                           .code = ErrorCode::kInvalidMessageContents,
                           .message = "Invalid characters found."});
  EXPECT_CALL(fixture.service(), SendMessageBatch(_))
      .WillOnce(DoAll(SaveArg<0>(&got), Return(result)));
  wire::HttpResponse response = fixture.Handle(QueryRequest({
      {"Action", "SendMessageBatch"},
      {"QueueUrl", kClientQueueUrl},
      {"SendMessageBatchRequestEntry.1.Id", "a"},
      {"SendMessageBatchRequestEntry.1.MessageBody", "one"},
      {"SendMessageBatchRequestEntry.1.MessageAttribute.1.Name", "k"},
      {"SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.DataType", "String"},
      {"SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.StringValue", "v"},
      {"SendMessageBatchRequestEntry.2.Id", "b"},
      {"SendMessageBatchRequestEntry.2.MessageBody", "two"},
      {"SendMessageBatchRequestEntry.2.DelaySeconds", "7"},
  }));
  EXPECT_EQ(response.status, 200);
  ASSERT_EQ(got.entries.size(), 2u);
  EXPECT_EQ(got.entries[0].message_attributes.at("k").string_value, "v");
  EXPECT_EQ(got.entries[1].delay_seconds, 7);
  EXPECT_THAT(response.body,
              AllOf(HasSubstr("<SendMessageBatchResultEntry><Id>a</Id><MessageId>m-a"),
                    HasSubstr("<BatchResultErrorEntry><Id>b</Id><SenderFault>true</SenderFault>"
                              "<Code>InvalidMessageContents</Code>")));
}

TEST(SqsQueryProtocolTest, EmptyGroupIdIsInvalid) {
  WireFixture fixture;
  EXPECT_CALL(fixture.service(), SendMessage(_)).Times(0);
  wire::HttpResponse response =
      fixture.Handle(QueryRequest({{"Action", "SendMessage"},
                                   {"QueueUrl", "http://127.0.0.1:4566/000000000000/jobs"},
                                   {"MessageBody", "x"},
                                   {"MessageGroupId", ""}}));
  EXPECT_EQ(response.status, 400);
  EXPECT_THAT(response.body, AllOf(HasSubstr("<Code>InvalidParameterValue</Code>"),
                                   HasSubstr("<Message>Value  for parameter MessageGroupId is "
                                             "invalid.")));
}

TEST(SqsQueryProtocolTest, UnknownQueueIsNonExistentQueueWithWsdlMessage) {
  WireFixture fixture;
  EXPECT_CALL(fixture.service(), GetQueueUrl(_))
      .WillOnce(
          Return(MakeError(ErrorCode::kQueueDoesNotExist, "The specified queue does not exist.")));
  wire::HttpResponse response =
      fixture.Handle(QueryRequest({{"Action", "GetQueueUrl"}, {"QueueName", "nope"}}));
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(response.content_type, "text/xml");
  EXPECT_THAT(response.body,
              AllOf(HasSubstr("<ErrorResponse xmlns=\"http://queue.amazonaws.com/doc/2012-11-05/"
                              "\"><Error><Type>Sender</Type>"),
                    HasSubstr("<Code>AWS.SimpleQueueService.NonExistentQueue</Code>"),
                    HasSubstr("<Message>The specified queue does not exist for this wsdl "
                              "version.</Message><Detail/>"),
                    HasSubstr("<RequestId>")));
}

TEST(SqsQueryProtocolTest, PurgeInProgressKeepsItsStatus403) {
  WireFixture fixture;
  EXPECT_CALL(fixture.service(), PurgeQueue(_))
      .WillOnce(Return(MakeError(ErrorCode::kPurgeQueueInProgress, "Only one PurgeQueue")));
  wire::HttpResponse response =
      fixture.Handle(QueryRequest({{"Action", "PurgeQueue"}, {"QueueUrl", kClientQueueUrl}}));
  EXPECT_EQ(response.status, 403);
  EXPECT_THAT(response.body, HasSubstr("<Code>AWS.SimpleQueueService.PurgeQueueInProgress</Code>"));
}

TEST(SqsQueryProtocolTest, XRayHeaderIsTheTraceHeaderOfMessagesWithoutOne) {
  WireFixture fixture;
  std::vector<sqs::SendMessageRequest> sent;
  EXPECT_CALL(fixture.service(), SendMessage(_))
      .Times(3)
      .WillRepeatedly([&](const sqs::SendMessageRequest& r) {
        sent.push_back(r);
        return sqs::SendMessageResult{.message_id = "m"};
      });
  std::vector<std::pair<std::string, std::string>> send = {
      {"Action", "SendMessage"}, {"QueueUrl", kClientQueueUrl}, {"MessageBody", "x"}};
  wire::HttpRequest request = QueryRequest(send);
  request.headers.emplace_back("x-amzn-trace-id", "Root=1-from-header");
  fixture.Handle(request);
  send.insert(send.end(), {{"MessageSystemAttribute.1.Name", "AWSTraceHeader"},
                           {"MessageSystemAttribute.1.Value.DataType", "String"},
                           {"MessageSystemAttribute.1.Value.StringValue", "Root=1-own"}});
  request = QueryRequest(send);
  request.headers.emplace_back("x-amzn-trace-id", "Root=1-from-header");
  fixture.Handle(request);
  fixture.Handle(QueryRequest(
      {{"Action", "SendMessage"}, {"QueueUrl", kClientQueueUrl}, {"MessageBody", "x"}}));
  ASSERT_EQ(sent.size(), 3u);
  EXPECT_EQ(sent[0].message_system_attributes["AWSTraceHeader"].string_value, "Root=1-from-header");
  EXPECT_EQ(sent[1].message_system_attributes["AWSTraceHeader"].string_value, "Root=1-own");
  EXPECT_TRUE(sent[2].message_system_attributes.empty());
}

// 404, as the SQS Smithy model's awsQueryError trait gives it.
TEST(SqsQueryProtocolTest, InvalidReceiptHandleIs404) {
  WireFixture fixture;
  const absl::Status invalid =
      MakeError(ErrorCode::kReceiptHandleIsInvalid,
                "The input receipt handle \"garbage\" is not a valid receipt handle.");
  EXPECT_CALL(fixture.service(), DeleteMessage(_)).WillOnce(Return(invalid));
  EXPECT_CALL(fixture.service(), ChangeMessageVisibility(_)).WillOnce(Return(invalid));
  for (const char* action : {"DeleteMessage", "ChangeMessageVisibility"}) {
    wire::HttpResponse response = fixture.Handle(QueryRequest({{"Action", action},
                                                               {"QueueUrl", kClientQueueUrl},
                                                               {"ReceiptHandle", "garbage"},
                                                               {"VisibilityTimeout", "60"}}));
    EXPECT_EQ(response.status, 404) << action;
    EXPECT_THAT(response.body,
                AllOf(HasSubstr("<Type>Sender</Type><Code>ReceiptHandleIsInvalid</Code>"),
                      HasSubstr("<Message>The input receipt handle &quot;garbage&quot; is not a "
                                "valid receipt handle.</Message>")))
        << action;
  }
}

TEST(SqsQueryProtocolTest, UnknownActionIsInvalidAction) {
  WireFixture fixture;
  wire::HttpResponse response = fixture.Handle(QueryRequest({{"Action", "FlyToTheMoon"}}));
  EXPECT_EQ(response.status, 400);
  EXPECT_THAT(response.body, HasSubstr("<Code>InvalidAction</Code>"));
}

TEST(SqsQueryProtocolTest, MissingActionIsMissingParameter) {
  WireFixture fixture;
  wire::HttpResponse response = fixture.Handle(QueryRequest({{"QueueName", "x"}}));
  EXPECT_EQ(response.status, 400);
  EXPECT_THAT(response.body, HasSubstr("<Code>MissingParameter</Code>"));
}

TEST(SqsQueryProtocolTest, MissingQueueUrlIsMissingParameter) {
  WireFixture fixture;
  wire::HttpResponse response = fixture.Handle(QueryRequest({{"Action", "DeleteQueue"}}));
  EXPECT_EQ(response.status, 400);
  EXPECT_THAT(response.body, AllOf(HasSubstr("<Code>MissingParameter</Code>"),
                                   HasSubstr("The request must contain the parameter QueueUrl.")));
}

TEST(SqsQueryProtocolTest, MissingMessageBodyIsMissingParameter) {
  WireFixture fixture;
  wire::HttpResponse response =
      fixture.Handle(QueryRequest({{"Action", "SendMessage"}, {"QueueUrl", kClientQueueUrl}}));
  EXPECT_EQ(response.status, 400);
  EXPECT_THAT(response.body, HasSubstr("The request must contain the parameter MessageBody."));
}

TEST(SqsQueryProtocolTest, NonIntegerParameterIsInvalidParameterValue) {
  WireFixture fixture;
  wire::HttpResponse response = fixture.Handle(QueryRequest({{"Action", "ReceiveMessage"},
                                                             {"QueueUrl", kClientQueueUrl},
                                                             {"MaxNumberOfMessages", "ten"}}));
  EXPECT_EQ(response.status, 400);
  EXPECT_THAT(response.body,
              AllOf(HasSubstr("<Code>InvalidParameterValue</Code>"),
                    HasSubstr("Value ten for parameter MaxNumberOfMessages is invalid.")));
}

TEST(SqsQueryProtocolTest, RequestPostedToQueuePathAddressesThatQueue) {
  WireFixture fixture;
  EXPECT_CALL(fixture.service(),
              DeleteQueue(Field(&sqs::DeleteQueueRequest::queue_url, kBrokerQueueUrl)))
      .WillOnce(Return(absl::OkStatus()));
  wire::HttpResponse response =
      fixture.Handle(QueryRequest({{"Action", "DeleteQueue"}}, "/000000000000/jobs"));
  EXPECT_EQ(response.status, 200);
  EXPECT_THAT(response.body, HasSubstr("<DeleteQueueResponse"));
}

// LocalStack test_get_create_queue_fails and test_get_list_queues_fails
// (AWS-validated): the account's actions are not served at a queue's URL.
TEST(SqsQueryProtocolTest, CreateQueueAndListQueuesAtAQueuePathAreInvalidActions) {
  WireFixture fixture;
  EXPECT_CALL(fixture.service(), CreateQueue(_)).Times(0);
  EXPECT_CALL(fixture.service(), ListQueues(_)).Times(0);
  wire::HttpResponse create = fixture.Handle(
      QueryRequest({{"Action", "CreateQueue"}, {"QueueName", "other"}}, "/000000000000/jobs"));
  EXPECT_EQ(create.status, 400);
  EXPECT_THAT(create.body,
              AllOf(HasSubstr("<Code>InvalidAction</Code>"),
                    HasSubstr("<Message>The action CreateQueue is not valid for this endpoint.")));
  wire::HttpResponse list =
      fixture.Handle(QueryRequest({{"Action", "ListQueues"}}, "/000000000000/jobs"));
  EXPECT_EQ(list.status, 400);
  EXPECT_THAT(list.body,
              AllOf(HasSubstr("<Code>InvalidAction</Code>"),
                    HasSubstr("<Message>The action ListQueues is not valid for this endpoint.")));
}

TEST(SqsQueryProtocolTest, MalformedPercentEncodingIsMalformedQueryString) {
  WireFixture fixture;
  wire::HttpRequest request = QueryRequest({});
  request.body = "Action=ListQueues&QueueNamePrefix=%zz";
  wire::HttpResponse response = fixture.Handle(request);
  EXPECT_EQ(response.status, 400);
  EXPECT_THAT(response.body, HasSubstr("<Code>MalformedQueryString</Code>"));
}

TEST(SqsQueryProtocolTest, ActionInQueryStringOfGetIsServed) {
  WireFixture fixture;
  EXPECT_CALL(fixture.service(), ListQueues(_)).WillOnce(Return(sqs::ListQueuesResult{}));
  wire::HttpRequest request;
  request.method = "GET";
  request.path = "/";
  request.query = "Action=ListQueues&Version=2012-11-05";
  wire::HttpResponse response = fixture.Handle(request);
  EXPECT_EQ(response.status, 200);
  EXPECT_THAT(response.body, HasSubstr("<ListQueuesResult/>"));
}

TEST(SqsQueryProtocolTest, ListQueuesRewritesUrlsAndReturnsToken) {
  WireFixture fixture;
  sqs::ListQueuesResult result;
  result.queue_urls = {kBrokerQueueUrl};
  result.next_token = "tok";
  EXPECT_CALL(fixture.service(),
              ListQueues(AllOf(Field(&sqs::ListQueuesRequest::max_results, 1),
                               Field(&sqs::ListQueuesRequest::queue_name_prefix, "j"))))
      .WillOnce(Return(result));
  wire::HttpResponse response = fixture.Handle(
      QueryRequest({{"Action", "ListQueues"}, {"MaxResults", "1"}, {"QueueNamePrefix", "j"}}));
  EXPECT_THAT(response.body,
              HasSubstr("<QueueUrl>http://127.0.0.1:4566/000000000000/jobs</QueueUrl>"
                        "<NextToken>tok</NextToken>"));
}

TEST(SqsQueryProtocolTest, ChangeMessageVisibilityBatchDefaultsMissingTimeoutToZero) {
  WireFixture fixture;
  sqs::ChangeMessageVisibilityBatchRequest got;
  sqs::ChangeMessageVisibilityBatchResult result;
  result.successful = {"a"};
  EXPECT_CALL(fixture.service(), ChangeMessageVisibilityBatch(_))
      .WillOnce(DoAll(SaveArg<0>(&got), Return(result)));
  wire::HttpResponse response = fixture.Handle(
      QueryRequest({{"Action", "ChangeMessageVisibilityBatch"},
                    {"QueueUrl", kClientQueueUrl},
                    {"ChangeMessageVisibilityBatchRequestEntry.1.Id", "a"},
                    {"ChangeMessageVisibilityBatchRequestEntry.1.ReceiptHandle", "rh"}}));
  ASSERT_EQ(got.entries.size(), 1u);
  EXPECT_EQ(got.entries[0].visibility_timeout, 0);
  EXPECT_THAT(response.body, HasSubstr("<ChangeMessageVisibilityBatchResultEntry><Id>a</Id>"));
}

TEST(SqsQueryProtocolTest, ServiceFailureWithoutAwsCodeIsInternalFailure) {
  WireFixture fixture;
  EXPECT_CALL(fixture.service(), PurgeQueue(_)).WillOnce(Return(absl::InternalError("disk")));
  wire::HttpResponse response =
      fixture.Handle(QueryRequest({{"Action", "PurgeQueue"}, {"QueueUrl", kClientQueueUrl}}));
  EXPECT_EQ(response.status, 500);
  EXPECT_THAT(response.body,
              AllOf(HasSubstr("<Type>Receiver</Type>"), HasSubstr("<Code>InternalFailure</Code>")));
}

TEST(SqsQueryProtocolTest, AddPermissionDecodesFlattenedAccountAndActionLists) {
  WireFixture fixture;
  sqs::AddPermissionRequest got;
  EXPECT_CALL(fixture.service(), AddPermission(_))
      .WillOnce(DoAll(SaveArg<0>(&got), Return(absl::OkStatus())));
  wire::HttpResponse response = fixture.Handle(QueryRequest({{"Action", "AddPermission"},
                                                             {"QueueUrl", kClientQueueUrl},
                                                             {"Label", "alice"},
                                                             {"AWSAccountId.1", "111122223333"},
                                                             {"AWSAccountId.2", "444455556666"},
                                                             {"ActionName.1", "SendMessage"},
                                                             {"ActionName.2", "ReceiveMessage"}}));
  EXPECT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(got.queue_url, kBrokerQueueUrl);
  EXPECT_EQ(got.label, "alice");
  EXPECT_EQ(got.aws_account_ids, (std::vector<std::string>{"111122223333", "444455556666"}));
  EXPECT_EQ(got.actions, (std::vector<std::string>{"SendMessage", "ReceiveMessage"}));
  EXPECT_THAT(response.body,
              HasSubstr("<AddPermissionResponse xmlns=\"http://queue.amazonaws.com/doc/"
                        "2012-11-05/\"><ResponseMetadata><RequestId>"));
}

TEST(SqsQueryProtocolTest, AddPermissionOverLimitIsAnOverLimitErrorWith403) {
  WireFixture fixture;
  EXPECT_CALL(fixture.service(), AddPermission(_))
      .WillOnce(
          Return(MakeError(ErrorCode::kOverLimit, "8 Actions were found, maximum allowed is 7.")));
  wire::HttpResponse response = fixture.Handle(
      QueryRequest({{"Action", "AddPermission"}, {"QueueUrl", kClientQueueUrl}, {"Label", "l"}}));
  EXPECT_EQ(response.status, 403);
  EXPECT_THAT(response.body,
              AllOf(HasSubstr("<Code>OverLimit</Code>"),
                    HasSubstr("<Message>8 Actions were found, maximum allowed is 7.</Message>")));
}

TEST(SqsQueryProtocolTest, RemovePermissionDecodesTheLabel) {
  WireFixture fixture;
  EXPECT_CALL(
      fixture.service(),
      RemovePermission(AllOf(Field(&sqs::RemovePermissionRequest::queue_url, kBrokerQueueUrl),
                             Field(&sqs::RemovePermissionRequest::label, "alice"))))
      .WillOnce(Return(absl::OkStatus()));
  wire::HttpResponse response = fixture.Handle(QueryRequest(
      {{"Action", "RemovePermission"}, {"QueueUrl", kClientQueueUrl}, {"Label", "alice"}}));
  EXPECT_EQ(response.status, 200) << response.body;
  EXPECT_THAT(response.body, HasSubstr("<RemovePermissionResponse xmlns="));
}

}  // namespace
}  // namespace wharf::testing
