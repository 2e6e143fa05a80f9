// Message operations on standard queues through sqs::Service: send, receive,
// delete, change visibility, the batch versions, MD5s and the time rules
// (visibility, delay, retention, long polling) on a ManualClock.

#include <optional>
#include <set>
#include <stop_token>
#include <string>
#include <thread>

#include "broker/base/mutex.h"
#include "tests/service/sqs_test_fixture.h"

namespace wharf::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;
using ::testing::UnorderedElementsAre;

using SqsMessageTest = SqsTest;

sqs::MessageAttributeValue Str(std::string v, std::string type = "String") {
  return {.data_type = std::move(type), .string_value = std::move(v)};
}
sqs::MessageAttributeValue Bin(std::string v) {
  return {.data_type = "Binary", .binary_value = std::move(v)};
}

constexpr char kTrace[] =
    "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";

TEST_F(SqsMessageTest, SendReturnsTheSpecDigestsAndReceiveReturnsTheMessage) {
  std::string url = Create("jobs");
  sqs::MessageAttributeMap attributes = {{"city", Str("Z\xC3\xBCrich")},
                                         {"Count", Str("42", "Number.int")},
                                         {"trace", Bin("\xde\xad\xbe\xef")}};
  ASSERT_OK_AND_ASSIGN(
      auto sent,
      sqs().SendMessage({.queue_url = url,
                         .message_body = "Hello, SQS",
                         .message_attributes = attributes,
                         .message_system_attributes = {{"AWSTraceHeader", Str(kTrace)}}}));
  EXPECT_EQ(sent.md5_of_message_body, "9f5f155ec5da7b214e3a43b0386514d9");
  EXPECT_EQ(sent.md5_of_message_attributes, "2c562bcf772108c4fa2b800f49d08139");
  EXPECT_EQ(sent.md5_of_message_system_attributes, "5ae4d5d7636402d80f4eb6d213245a88");
  EXPECT_EQ(sent.message_id.size(), 36u);
  EXPECT_EQ(sent.sequence_number, "");

  std::vector<sqs::Message> got = Receive(url);
  ASSERT_THAT(got, SizeIs(1));
  EXPECT_EQ(got[0].message_id, sent.message_id);
  EXPECT_EQ(got[0].body, "Hello, SQS");
  EXPECT_EQ(got[0].md5_of_body, "9f5f155ec5da7b214e3a43b0386514d9");
  EXPECT_EQ(got[0].md5_of_message_attributes, "2c562bcf772108c4fa2b800f49d08139");
  EXPECT_EQ(got[0].message_attributes, attributes);
  EXPECT_FALSE(got[0].receipt_handle.empty());
  EXPECT_EQ(got[0].attributes.at("AWSTraceHeader"), kTrace);
}

// The results' digests are computed when read, from their own reference to
// the body: still there after the messages are deleted (ASan checks).
TEST_F(SqsMessageTest, SendDigestsOutliveTheDeletedMessages) {
  std::string url = Create("jobs");
  ASSERT_OK_AND_ASSIGN(auto sent,
                       sqs().SendMessage({.queue_url = url, .message_body = "Hello, SQS"}));
  ASSERT_OK_AND_ASSIGN(
      auto batch, sqs().SendMessageBatch({.queue_url = url,
                                          .entries = {{.id = "a", .message_body = "Hello, SQS"},
                                                      {.id = "b", .message_body = "x"}}}));
  for (int i = 0; i < 3; ++i) {
    for (const sqs::Message& m : Receive(url, 10)) {
      ASSERT_OK(sqs().DeleteMessage({.queue_url = url, .receipt_handle = m.receipt_handle}));
    }
  }
  EXPECT_EQ(sent.md5_of_message_body, "9f5f155ec5da7b214e3a43b0386514d9");
  ASSERT_THAT(batch.successful, SizeIs(2));
  EXPECT_EQ(batch.successful[0].md5_of_message_body, "9f5f155ec5da7b214e3a43b0386514d9");
  EXPECT_EQ(batch.successful[1].md5_of_message_body, "9dd4e461268c8034f5c8564e155c67a6");
}

TEST_F(SqsMessageTest, SendWithoutAttributesLeavesAttributeDigestsEmpty) {
  std::string url = Create("jobs");
  ASSERT_OK_AND_ASSIGN(auto sent, sqs().SendMessage({.queue_url = url, .message_body = "x"}));
  EXPECT_EQ(sent.md5_of_message_attributes, "");
  EXPECT_EQ(sent.md5_of_message_system_attributes, "");
  std::vector<sqs::Message> got = Receive(url);
  ASSERT_THAT(got, SizeIs(1));
  EXPECT_EQ(got[0].md5_of_message_attributes, "");
  EXPECT_THAT(got[0].message_attributes, IsEmpty());
}

TEST_F(SqsMessageTest, ReceiveReturnsOnlyRequestedAttributesWithTheirDigest) {
  std::string url = Create("jobs");
  ASSERT_OK(sqs().SendMessage({.queue_url = url,
                               .message_body = "x",
                               .message_attributes = {{"MyAttribute", Str("foobar")},
                                                      {"foo.a", Str("1")},
                                                      {"foo.b", Str("2")},
                                                      {"other", Str("3")}}}));
  ASSERT_OK_AND_ASSIGN(
      auto one,
      sqs().ReceiveMessage(
          {.queue_url = url, .visibility_timeout = 0, .message_attribute_names = {"MyAttribute"}}));
  ASSERT_THAT(one.messages, SizeIs(1));
  EXPECT_THAT(one.messages[0].message_attributes,
              UnorderedElementsAre(std::pair("MyAttribute", Str("foobar"))));
  EXPECT_EQ(one.messages[0].md5_of_message_attributes, "adb59cd4678ea5a855436b949cd07ab6");

  ASSERT_OK_AND_ASSIGN(auto prefixed, sqs().ReceiveMessage({.queue_url = url,
                                                            .visibility_timeout = 0,
                                                            .message_attribute_names = {"foo.*"}}));
  ASSERT_THAT(prefixed.messages, SizeIs(1));
  EXPECT_THAT(prefixed.messages[0].message_attributes,
              UnorderedElementsAre(std::pair("foo.a", Str("1")), std::pair("foo.b", Str("2"))));

  ASSERT_OK_AND_ASSIGN(auto all, sqs().ReceiveMessage({.queue_url = url,
                                                       .visibility_timeout = 0,
                                                       .message_attribute_names = {".*"}}));
  EXPECT_THAT(all.messages[0].message_attributes, SizeIs(4));

  ASSERT_OK_AND_ASSIGN(auto none, sqs().ReceiveMessage({.queue_url = url}));
  EXPECT_THAT(none.messages[0].message_attributes, IsEmpty());
  EXPECT_EQ(none.messages[0].md5_of_message_attributes, "");
}

// The filters of an AWS recording, with its digests: "*" is every name and
// "Hel.*" every name starting with "Hel", with or without a period after it.
TEST_F(SqsMessageTest, MessageAttributeNameFiltersMatchAws) {
  std::string url = Create("jobs", {{"VisibilityTimeout", "0"}});
  ASSERT_OK(sqs().SendMessage(
      {.queue_url = url,
       .message_body = "msg",
       .message_attributes = {
           {"Help.Me", Str("Me")}, {"Hello", Str("There")}, {"General", Str("Kenobi")}}}));
  auto receive = [&](std::vector<std::string> names) {
    auto got = sqs().ReceiveMessage({.queue_url = url, .message_attribute_names = names});
    EXPECT_OK(got);
    EXPECT_THAT(got->messages, SizeIs(1));
    return got->messages.at(0);
  };
  for (const char* all : {"All", "*", ".*"}) {
    SCOPED_TRACE(all);
    sqs::Message m = receive({all});
    EXPECT_THAT(m.message_attributes, SizeIs(3));
    EXPECT_EQ(m.md5_of_message_attributes, "4c360f3fdafd970e05fae2f149d997f5");
  }
  sqs::Message prefixed = receive({"Hel.*"});
  EXPECT_THAT(prefixed.message_attributes, UnorderedElementsAre(std::pair("Hello", Str("There")),
                                                                std::pair("Help.Me", Str("Me"))));
  EXPECT_EQ(prefixed.md5_of_message_attributes, "83fee93c1bcd8b9a5a923ffacdc636c7");
  EXPECT_THAT(receive({"Foo", "Help"}).message_attributes, IsEmpty());
  EXPECT_EQ(receive({"Foo", "Hello"}).md5_of_message_attributes,
            "a311262e065454b75da111d535b8dacd");
}

TEST_F(SqsMessageTest, ReceiveReturnsRequestedSystemAttributes) {
  std::string url = Create("jobs");
  const absl::Time sent_at = clock_->Now();
  Send(url, "x");
  clock_->Advance(absl::Seconds(3));
  ASSERT_OK_AND_ASSIGN(auto got, sqs().ReceiveMessage({.queue_url = url,
                                                       .message_system_attribute_names = {"All"}}));
  ASSERT_THAT(got.messages, SizeIs(1));
  EXPECT_THAT(
      got.messages[0].attributes,
      UnorderedElementsAre(std::pair("ApproximateReceiveCount", "1"),
                           std::pair("ApproximateFirstReceiveTimestamp",
                                     std::to_string(absl::ToUnixMillis(clock_->Now()))),
                           std::pair("SentTimestamp", std::to_string(absl::ToUnixMillis(sent_at))),
                           std::pair("SenderId", "AIDAIENQZJOLO23YVJ4VO")));
}

TEST_F(SqsMessageTest, ReceiveReturnsOnlyTheNamedSystemAttributes) {
  std::string url = Create("jobs");
  Send(url, "x");
  ASSERT_OK_AND_ASSIGN(
      auto got,
      sqs().ReceiveMessage(
          {.queue_url = url, .message_system_attribute_names = {"ApproximateReceiveCount"}}));
  ASSERT_THAT(got.messages, SizeIs(1));
  EXPECT_THAT(got.messages[0].attributes,
              UnorderedElementsAre(std::pair("ApproximateReceiveCount", "1")));
  EXPECT_THAT(sqs().ReceiveMessage({.queue_url = url, .message_system_attribute_names = {"Bad"}}),
              HasError(ErrorCode::kInvalidAttributeName, "Unknown Attribute Bad."));
}

TEST_F(SqsMessageTest, StandardQueueAcceptsAFairQueueGroupId) {
  std::string url = Create("jobs");
  ASSERT_OK(sqs().SendMessage({.queue_url = url, .message_body = "x", .message_group_id = "t1"}));
  std::vector<sqs::Message> got = Receive(url);
  ASSERT_THAT(got, SizeIs(1));
  EXPECT_EQ(got[0].attributes.at("MessageGroupId"), "t1");
  EXPECT_THAT(sqs().SendMessage({.queue_url = url, .message_body = "x", .message_group_id = "a b"}),
              HasError(ErrorCode::kInvalidParameterValue,
                       "Value a b for parameter MessageGroupId is invalid. Reason: MessageGroupId "
                       "can only include alphanumeric and punctuation characters. 1 to 128 in "
                       "length."));
}

TEST_F(SqsMessageTest, StandardQueueRejectsADeduplicationId) {
  std::string url = Create("jobs");
  EXPECT_THAT(
      sqs().SendMessage({.queue_url = url, .message_body = "x", .message_deduplication_id = "d"}),
      HasErrorCode(ErrorCode::kInvalidParameterValue));
}

TEST_F(SqsMessageTest, EmptyBodyIsAMissingParameter) {
  std::string url = Create("jobs");
  EXPECT_THAT(sqs().SendMessage({.queue_url = url, .message_body = ""}),
              HasError(ErrorCode::kMissingParameter,
                       "The request must contain the parameter MessageBody."));
}

TEST_F(SqsMessageTest, InvalidBodyCharactersAreInvalidMessageContents) {
  std::string url = Create("jobs");
  EXPECT_THAT(sqs().SendMessage({.queue_url = url, .message_body = "bad\x01"}),
              HasError(ErrorCode::kInvalidMessageContents,
                       "Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | "
                       "#x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF"));
}

TEST_F(SqsMessageTest, MessageSizeCountsAttributesAgainstMaximumMessageSize) {
  std::string url = Create("jobs", {{"MaximumMessageSize", "1024"}});
  EXPECT_OK(sqs().SendMessage({.queue_url = url, .message_body = std::string(1024, 'a')}));
  EXPECT_THAT(sqs().SendMessage({.queue_url = url, .message_body = std::string(1025, 'a')}),
              HasError(ErrorCode::kInvalidParameterValue,
                       "One or more parameters are invalid. Reason: Message must be shorter than "
                       "1024 bytes."));
  // 1000 + "k" (1) + "String" (6) + 17 = 1024: fits; one more byte does not.
  EXPECT_OK(sqs().SendMessage({.queue_url = url,
                               .message_body = std::string(1000, 'a'),
                               .message_attributes = {{"k", Str(std::string(17, 'v'))}}}));
  EXPECT_THAT(sqs().SendMessage({.queue_url = url,
                                 .message_body = std::string(1000, 'a'),
                                 .message_attributes = {{"k", Str(std::string(18, 'v'))}}}),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
}

TEST_F(SqsMessageTest, DefaultMaximumIsOneMebibyte) {
  std::string url = Create("jobs");
  EXPECT_OK(sqs().SendMessage({.queue_url = url, .message_body = std::string(1048576, 'a')}));
  EXPECT_THAT(sqs().SendMessage({.queue_url = url, .message_body = std::string(1048577, 'a')}),
              HasError(ErrorCode::kInvalidParameterValue,
                       HasSubstr("Message must be shorter than 1048576 bytes.")));
}

TEST_F(SqsMessageTest, InvalidAttributesAreRejected) {
  std::string url = Create("jobs");
  EXPECT_THAT(sqs().SendMessage(
                  {.queue_url = url, .message_body = "x", .message_attributes = {{"a", Str("")}}}),
              HasError(ErrorCode::kInvalidParameterValue,
                       "Message (user) attribute 'a' must contain a non-empty value of type "
                       "'String'."));
  EXPECT_THAT(sqs().SendMessage({.queue_url = url,
                                 .message_body = "x",
                                 .message_system_attributes = {{"Other", Str("v")}}}),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
}

TEST_F(SqsMessageTest, DelaySecondsRange) {
  std::string url = Create("jobs");
  EXPECT_THAT(sqs().SendMessage({.queue_url = url, .message_body = "x", .delay_seconds = 901}),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(sqs().SendMessage({.queue_url = url, .message_body = "x", .delay_seconds = -1}),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_OK(sqs().SendMessage({.queue_url = url, .message_body = "x", .delay_seconds = 900}));
}

TEST_F(SqsMessageTest, DelayedMessageBecomesVisibleAfterItsDelay) {
  std::string url = Create("jobs");
  ASSERT_OK(sqs().SendMessage({.queue_url = url, .message_body = "x", .delay_seconds = 10}));
  clock_->Advance(absl::Seconds(9));
  EXPECT_THAT(Receive(url), IsEmpty());
  clock_->Advance(absl::Seconds(1));
  EXPECT_THAT(Receive(url), SizeIs(1));
}

TEST_F(SqsMessageTest, QueueDelayAppliesUnlessTheMessageOverridesIt) {
  std::string url = Create("jobs", {{"DelaySeconds", "30"}});
  Send(url, "queue-delay");
  ASSERT_OK(sqs().SendMessage({.queue_url = url, .message_body = "no-delay", .delay_seconds = 0}));
  std::vector<sqs::Message> now = Receive(url, 10, /*visibility=*/300);
  ASSERT_THAT(now, SizeIs(1));
  EXPECT_EQ(now[0].body, "no-delay");
  clock_->Advance(absl::Seconds(30));
  std::vector<sqs::Message> later = Receive(url);
  ASSERT_THAT(later, SizeIs(1));
  EXPECT_EQ(later[0].body, "queue-delay");
}

TEST_F(SqsMessageTest, ReceivedMessageIsInvisibleForTheVisibilityTimeout) {
  std::string url = Create("jobs");
  Send(url, "x");
  ASSERT_THAT(Receive(url), SizeIs(1));
  clock_->Advance(absl::Seconds(29));
  EXPECT_THAT(Receive(url), IsEmpty());
  clock_->Advance(absl::Seconds(1));
  std::vector<sqs::Message> again = Receive(url);
  ASSERT_THAT(again, SizeIs(1));
  EXPECT_EQ(again[0].attributes.at("ApproximateReceiveCount"), "2");
}

TEST_F(SqsMessageTest, RequestVisibilityTimeoutOverridesTheQueues) {
  std::string url = Create("jobs");
  Send(url, "x");
  ASSERT_THAT(Receive(url, 1, /*visibility=*/5), SizeIs(1));
  clock_->Advance(absl::Seconds(5));
  EXPECT_THAT(Receive(url), SizeIs(1));
}

TEST_F(SqsMessageTest, ReceiveValidatesItsParameters) {
  std::string url = Create("jobs");
  EXPECT_THAT(sqs().ReceiveMessage({.queue_url = url, .max_number_of_messages = 11}),
              HasError(ErrorCode::kInvalidParameterValue,
                       "Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be "
                       "between 1 and 10, if provided."));
  EXPECT_THAT(sqs().ReceiveMessage({.queue_url = url, .max_number_of_messages = 0}),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(sqs().ReceiveMessage({.queue_url = url, .wait_time_seconds = 21}),
              HasError(ErrorCode::kInvalidParameterValue,
                       "Value 21 for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 "
                       "and <= 20, if provided."));
  EXPECT_THAT(sqs().ReceiveMessage({.queue_url = url, .visibility_timeout = 43201}),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
}

// ReceiveRequestAttemptId applies only to FIFO queues: a standard queue
// neither checks it nor replays a receive by it.
TEST_F(SqsMessageTest, StandardQueueIgnoresReceiveRequestAttemptId) {
  std::string url = Create("jobs");
  Send(url, "a");
  Send(url, "b");
  ASSERT_OK_AND_ASSIGN(
      auto first, sqs().ReceiveMessage({.queue_url = url, .receive_request_attempt_id = "try-1"}));
  ASSERT_OK_AND_ASSIGN(
      auto retry, sqs().ReceiveMessage({.queue_url = url, .receive_request_attempt_id = "try-1"}));
  ASSERT_THAT(first.messages, SizeIs(1));
  ASSERT_THAT(retry.messages, SizeIs(1));
  EXPECT_NE(first.messages[0].message_id, retry.messages[0].message_id);
  EXPECT_OK(sqs().ReceiveMessage({.queue_url = url, .receive_request_attempt_id = "a b"}));
  EXPECT_OK(sqs().ReceiveMessage(
      {.queue_url = url, .receive_request_attempt_id = std::string(200, 'x')}));
}

TEST_F(SqsMessageTest, ReceiveReturnsAtMostMaxNumberOfMessages) {
  std::string url = Create("jobs");
  for (int i = 0; i < 15; ++i) Send(url, "m" + std::to_string(i));
  EXPECT_THAT(Receive(url, 10), SizeIs(10));
  EXPECT_THAT(Receive(url, 10), SizeIs(5));
}

TEST_F(SqsMessageTest, DeleteRemovesTheMessage) {
  std::string url = Create("jobs");
  Send(url, "x");
  std::vector<sqs::Message> got = Receive(url, 1, /*visibility=*/0);
  ASSERT_THAT(got, SizeIs(1));
  ASSERT_OK(sqs().DeleteMessage({.queue_url = url, .receipt_handle = got[0].receipt_handle}));
  EXPECT_THAT(Receive(url), IsEmpty());
  EXPECT_OK(sqs().DeleteMessage({.queue_url = url, .receipt_handle = got[0].receipt_handle}));
}

TEST_F(SqsMessageTest, MalformedReceiptHandleIsInvalid) {
  std::string url = Create("jobs");
  EXPECT_THAT(sqs().DeleteMessage({.queue_url = url, .receipt_handle = "garbage"}),
              HasErrorCode(ErrorCode::kReceiptHandleIsInvalid));
  EXPECT_THAT(sqs().ChangeMessageVisibility(
                  {.queue_url = url, .receipt_handle = "garbage", .visibility_timeout = 5}),
              HasErrorCode(ErrorCode::kReceiptHandleIsInvalid));
}

TEST_F(SqsMessageTest, ChangeVisibilityCountsFromNow) {
  std::string url = Create("jobs");
  Send(url, "x");
  std::vector<sqs::Message> got = Receive(url);
  ASSERT_THAT(got, SizeIs(1));
  clock_->Advance(absl::Seconds(20));
  ASSERT_OK(sqs().ChangeMessageVisibility(
      {.queue_url = url, .receipt_handle = got[0].receipt_handle, .visibility_timeout = 60}));
  clock_->Advance(absl::Seconds(59));
  EXPECT_THAT(Receive(url), IsEmpty());
  clock_->Advance(absl::Seconds(1));
  EXPECT_THAT(Receive(url), SizeIs(1));
}

TEST_F(SqsMessageTest, ChangeVisibilityToZeroReleasesTheMessage) {
  std::string url = Create("jobs");
  Send(url, "x");
  std::vector<sqs::Message> got = Receive(url);
  ASSERT_THAT(got, SizeIs(1));
  ASSERT_OK(sqs().ChangeMessageVisibility(
      {.queue_url = url, .receipt_handle = got[0].receipt_handle, .visibility_timeout = 0}));
  EXPECT_THAT(Receive(url), SizeIs(1));
}

TEST_F(SqsMessageTest, ChangeVisibilityValidatesTheTimeout) {
  std::string url = Create("jobs");
  Send(url, "x");
  std::vector<sqs::Message> got = Receive(url);
  ASSERT_THAT(got, SizeIs(1));
  EXPECT_THAT(
      sqs().ChangeMessageVisibility(
          {.queue_url = url, .receipt_handle = got[0].receipt_handle, .visibility_timeout = 43201}),
      HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(
      sqs().ChangeMessageVisibility(
          {.queue_url = url, .receipt_handle = got[0].receipt_handle, .visibility_timeout = -1}),
      HasErrorCode(ErrorCode::kInvalidParameterValue));
}

TEST_F(SqsMessageTest, RetentionDropsOldMessages) {
  std::string url = Create("jobs", {{"MessageRetentionPeriod", "60"}});
  Send(url, "old");
  clock_->Advance(absl::Seconds(61));
  EXPECT_THAT(Receive(url), IsEmpty());
}

TEST_F(SqsMessageTest, LoweringRetentionAppliesToExistingMessages) {
  std::string url = Create("jobs");
  Send(url, "old");
  clock_->Advance(absl::Seconds(120));
  ASSERT_OK(sqs().SetQueueAttributes(
      {.queue_url = url, .attributes = {{"MessageRetentionPeriod", "60"}}}));
  EXPECT_THAT(Receive(url), IsEmpty());
}

TEST_F(SqsMessageTest, LongPollWakesWhenAMessageArrives) {
  std::string url = Create("jobs");
  absl::StatusOr<sqs::ReceiveMessageResult> got;
  std::thread receiver(
      [&] { got = sqs().ReceiveMessage({.queue_url = url, .wait_time_seconds = 20}); });
  clock_->AwaitWaiters(1);
  Send(url, "wake");
  receiver.join();
  ASSERT_OK(got.status());
  ASSERT_THAT(got->messages, SizeIs(1));
  EXPECT_EQ(got->messages[0].body, "wake");
}

TEST_F(SqsMessageTest, LongPollReturnsEmptyAtTheWaitDeadline) {
  std::string url = Create("jobs");
  absl::StatusOr<sqs::ReceiveMessageResult> got;
  std::thread receiver(
      [&] { got = sqs().ReceiveMessage({.queue_url = url, .wait_time_seconds = 5}); });
  clock_->AwaitWaiters(1);
  clock_->Advance(absl::Seconds(5));
  receiver.join();
  ASSERT_OK(got.status());
  EXPECT_THAT(got->messages, IsEmpty());
}

TEST_F(SqsMessageTest, QueueWaitTimeIsTheDefaultLongPoll) {
  std::string url = Create("jobs", {{"ReceiveMessageWaitTimeSeconds", "20"}});
  absl::StatusOr<sqs::ReceiveMessageResult> got;
  std::thread receiver([&] { got = sqs().ReceiveMessage({.queue_url = url}); });
  clock_->AwaitWaiters(1);
  clock_->Advance(absl::Seconds(19));
  Send(url, "late");
  receiver.join();
  ASSERT_OK(got.status());
  EXPECT_THAT(got->messages, SizeIs(1));
}

TEST_F(SqsMessageTest, DeletingTheQueueEndsALongPoll) {
  std::string url = Create("jobs");
  absl::StatusOr<sqs::ReceiveMessageResult> got;
  std::thread receiver(
      [&] { got = sqs().ReceiveMessage({.queue_url = url, .wait_time_seconds = 20}); });
  clock_->AwaitWaiters(1);
  ASSERT_OK(sqs().DeleteQueue({.queue_url = url}));
  receiver.join();
  EXPECT_THAT(got, HasErrorCode(ErrorCode::kQueueDoesNotExist));
}

TEST_F(SqsMessageTest, AStopRequestEndsALongPoll) {
  absl::StatusOr<sqs::ReceiveMessageResult> got = LongPollUntilStopped(Create("jobs"));
  ASSERT_OK(got.status());
  EXPECT_THAT(got->messages, IsEmpty());
}

TEST_F(SqsMessageTest, AnAlreadyStoppedTokenStillReturnsWhatIsVisible) {
  std::string url = Create("jobs");
  std::stop_source stop;
  stop.request_stop();
  ASSERT_OK_AND_ASSIGN(
      auto empty, sqs().ReceiveMessage(
                      {.queue_url = url, .wait_time_seconds = 20, .stop_token = stop.get_token()}));
  EXPECT_THAT(empty.messages, IsEmpty());
  Send(url, "ready");
  ASSERT_OK_AND_ASSIGN(
      auto got, sqs().ReceiveMessage(
                    {.queue_url = url, .wait_time_seconds = 20, .stop_token = stop.get_token()}));
  EXPECT_THAT(got.messages, SizeIs(1));
}

TEST_F(SqsMessageTest, FirstReceiveTimestampStaysAtTheFirstReceive) {
  std::string url = Create("jobs");
  Send(url, "x");
  const std::string first = std::to_string(absl::ToUnixMillis(clock_->Now()));
  ASSERT_THAT(Receive(url, 1, /*visibility=*/1), SizeIs(1));
  clock_->Advance(absl::Seconds(2));
  std::vector<sqs::Message> again = Receive(url);
  ASSERT_THAT(again, SizeIs(1));
  EXPECT_EQ(again[0].attributes.at("ApproximateFirstReceiveTimestamp"), first);
  EXPECT_EQ(again[0].attributes.at("ApproximateReceiveCount"), "2");
}

TEST_F(SqsMessageTest, TooManyInFlightIsOverLimitOnStandardQueues) {
  BrokerOptions options;
  options.clock = clock_;
  options.max_inflight_messages = 2;
  ASSERT_OK_AND_ASSIGN(auto broker, Broker::Open(options));
  ASSERT_OK_AND_ASSIGN(auto created, broker->sqs().CreateQueue({.queue_name = "jobs"}));
  for (int i = 0; i < 3; ++i) {
    ASSERT_OK(broker->sqs().SendMessage({.queue_url = created.queue_url, .message_body = "m"}));
  }
  ASSERT_OK_AND_ASSIGN(auto got, broker->sqs().ReceiveMessage({.queue_url = created.queue_url,
                                                               .max_number_of_messages = 2}));
  ASSERT_THAT(got.messages, SizeIs(2));
  EXPECT_THAT(broker->sqs().ReceiveMessage({.queue_url = created.queue_url}),
              HasErrorCode(ErrorCode::kOverLimit));
}

// ---- Batches ----------------------------------------------------------------

TEST_F(SqsMessageTest, SendMessageBatchSendsEveryEntry) {
  std::string url = Create("jobs");
  ASSERT_OK_AND_ASSIGN(
      auto result, sqs().SendMessageBatch(
                       {.queue_url = url,
                        .entries = {{.id = "a", .message_body = "Hello, SQS"},
                                    {.id = "b",
                                     .message_body = "two",
                                     .message_attributes = {{"MyAttribute", Str("foobar")}}}}}));
  ASSERT_THAT(result.successful, SizeIs(2));
  EXPECT_THAT(result.failed, IsEmpty());
  EXPECT_EQ(result.successful[0].id, "a");
  EXPECT_EQ(result.successful[0].md5_of_message_body, "9f5f155ec5da7b214e3a43b0386514d9");
  EXPECT_EQ(result.successful[1].md5_of_message_attributes, "adb59cd4678ea5a855436b949cd07ab6");
  EXPECT_THAT(Receive(url), SizeIs(2));
}

TEST_F(SqsMessageTest, BatchRequestLevelErrorsComeInSpecOrder) {
  std::string url = Create("jobs");
  EXPECT_THAT(sqs().SendMessageBatch({.queue_url = url}),
              HasError(ErrorCode::kEmptyBatchRequest,
                       "There should be at least one SendMessageBatchRequestEntry in the "
                       "request."));
  std::vector<sqs::SendMessageBatchRequestEntry> eleven;
  for (int i = 0; i < 11; ++i) eleven.push_back({.id = "bad id", .message_body = "x"});
  EXPECT_THAT(sqs().SendMessageBatch({.queue_url = url, .entries = eleven}),
              HasError(ErrorCode::kTooManyEntriesInBatchRequest,
                       "Maximum number of entries per request are 10. You have sent 11."));
  EXPECT_THAT(sqs().SendMessageBatch({.queue_url = url,
                                      .entries = {{.id = "a", .message_body = "x"},
                                                  {.id = "bad id", .message_body = "x"}}}),
              HasError(ErrorCode::kInvalidBatchEntryId,
                       "A batch entry id can only contain alphanumeric characters, hyphens and "
                       "underscores. It can be at most 80 letters long."));
  EXPECT_THAT(sqs().SendMessageBatch({.queue_url = url,
                                      .entries = {{.id = "a", .message_body = "x"},
                                                  {.id = "a", .message_body = "y"}}}),
              HasError(ErrorCode::kBatchEntryIdsNotDistinct, "Id a repeated."));
  // Ids that agree in size and in their first, middle and last characters
  // are told apart by the rest; a repeat among other ids is still found.
  auto sent = sqs().SendMessageBatch(
      {.queue_url = url,
       .entries = {{.id = "a1cdef", .message_body = "x"}, {.id = "a2cdef", .message_body = "y"}}});
  ASSERT_OK(sent);
  EXPECT_THAT(sent->successful, SizeIs(2));
  EXPECT_THAT(sqs().SendMessageBatch({.queue_url = url,
                                      .entries = {{.id = "a1cdef", .message_body = "x"},
                                                  {.id = "b", .message_body = "y"},
                                                  {.id = "a2cdef", .message_body = "y"},
                                                  {.id = "a1cdef", .message_body = "z"}}}),
              HasError(ErrorCode::kBatchEntryIdsNotDistinct, "Id a1cdef repeated."));
  EXPECT_THAT(
      sqs().SendMessageBatch(
          {.queue_url = url, .entries = {{.id = std::string(81, 'i'), .message_body = "x"}}}),
      HasErrorCode(ErrorCode::kInvalidBatchEntryId));
}

TEST_F(SqsMessageTest, BatchTotalIsCappedAtOneMebibyteWhateverTheQueueMaximum) {
  std::string url = Create("jobs", {{"MaximumMessageSize", "1024"}});
  std::vector<sqs::SendMessageBatchRequestEntry> entries;
  entries.push_back({.id = "a", .message_body = std::string(524288, 'a')});
  entries.push_back({.id = "b", .message_body = std::string(524289, 'b')});
  EXPECT_THAT(sqs().SendMessageBatch({.queue_url = url, .entries = entries}),
              HasError(ErrorCode::kBatchRequestTooLong,
                       "Batch requests cannot be longer than 1048576 bytes. You have sent 1048577 "
                       "bytes."));
}

TEST_F(SqsMessageTest, BatchEntryProblemsFailOnlyThatEntry) {
  std::string url = Create("jobs", {{"MaximumMessageSize", "1024"}});
  ASSERT_OK_AND_ASSIGN(
      auto result,
      sqs().SendMessageBatch({.queue_url = url,
                              .entries = {{.id = "ok", .message_body = "fine"},
                                          {.id = "big", .message_body = std::string(1025, 'x')},
                                          {.id = "bad", .message_body = "\x01"}}}));
  ASSERT_THAT(result.successful, SizeIs(1));
  EXPECT_EQ(result.successful[0].id, "ok");
  ASSERT_THAT(result.failed, SizeIs(2));
  EXPECT_EQ(result.failed[0].id, "big");
  EXPECT_EQ(result.failed[0].code, ErrorCode::kInvalidParameterValue);
  EXPECT_TRUE(result.failed[0].sender_fault);
  // Not SendMessage's "are invalid" (AWS-recorded wording for a batch entry).
  EXPECT_EQ(result.failed[0].message,
            "One or more parameters cannot be validated. Reason: Message must be shorter than "
            "1024 bytes.");
  EXPECT_EQ(result.failed[1].id, "bad");
  EXPECT_EQ(result.failed[1].code, ErrorCode::kInvalidMessageContents);
}

TEST_F(SqsMessageTest, DeleteMessageBatchReportsEachEntry) {
  std::string url = Create("jobs");
  Send(url, "a");
  Send(url, "b");
  std::vector<sqs::Message> got = Receive(url);
  ASSERT_THAT(got, SizeIs(2));
  ASSERT_OK_AND_ASSIGN(
      auto result,
      sqs().DeleteMessageBatch({.queue_url = url,
                                .entries = {{.id = "one", .receipt_handle = got[0].receipt_handle},
                                            {.id = "two", .receipt_handle = got[1].receipt_handle},
                                            {.id = "bad", .receipt_handle = "nope"}}}));
  EXPECT_THAT(result.successful, ElementsAre("one", "two"));
  ASSERT_THAT(result.failed, SizeIs(1));
  EXPECT_EQ(result.failed[0].id, "bad");
  EXPECT_EQ(result.failed[0].code, ErrorCode::kReceiptHandleIsInvalid);
  clock_->Advance(absl::Seconds(30));
  EXPECT_THAT(Receive(url), IsEmpty());
  EXPECT_THAT(sqs().DeleteMessageBatch({.queue_url = url}),
              HasError(ErrorCode::kEmptyBatchRequest,
                       "There should be at least one DeleteMessageBatchRequestEntry in the "
                       "request."));
}

TEST_F(SqsMessageTest, ChangeMessageVisibilityBatchReportsEachEntry) {
  std::string url = Create("jobs");
  Send(url, "a");
  std::vector<sqs::Message> got = Receive(url);
  ASSERT_THAT(got, SizeIs(1));
  ASSERT_OK_AND_ASSIGN(
      auto result,
      sqs().ChangeMessageVisibilityBatch(
          {.queue_url = url,
           .entries = {
               {.id = "ok", .receipt_handle = got[0].receipt_handle, .visibility_timeout = 0},
               {.id = "range",
                .receipt_handle = got[0].receipt_handle,
                .visibility_timeout = 43201}}}));
  EXPECT_THAT(result.successful, ElementsAre("ok"));
  ASSERT_THAT(result.failed, SizeIs(1));
  EXPECT_EQ(result.failed[0].code, ErrorCode::kInvalidParameterValue);
  EXPECT_THAT(Receive(url), SizeIs(1));
  EXPECT_THAT(sqs().ChangeMessageVisibilityBatch({.queue_url = url}),
              HasErrorCode(ErrorCode::kEmptyBatchRequest));
}

TEST_F(SqsMessageTest, QueueHandleSkipsTheUrlAndIgnoresRequestUrls) {
  std::string url = Create("jobs");
  ASSERT_OK_AND_ASSIGN(std::shared_ptr<sqs::Queue> queue, sqs().OpenQueue(url));
  ASSERT_OK(queue->SendMessage({.queue_url = "ignored", .message_body = "x"}));
  ASSERT_OK_AND_ASSIGN(auto got, queue->ReceiveMessage({}));
  ASSERT_THAT(got.messages, SizeIs(1));
  EXPECT_OK(queue->DeleteMessage({.receipt_handle = got.messages[0].receipt_handle}));
}

TEST_F(SqsMessageTest, ConcurrentProducersAndConsumersSeeEveryMessageOnce) {
  std::string url = Create("jobs");
  constexpr int kPerProducer = 200;
  std::vector<std::thread> threads;
  for (int p = 0; p < 2; ++p) {
    threads.emplace_back([&, p] {
      for (int i = 0; i < kPerProducer; ++i) {
        ASSERT_OK(sqs().SendMessage(
            {.queue_url = url, .message_body = std::to_string(p) + ":" + std::to_string(i)}));
      }
    });
  }
  Mutex mu;
  std::set<std::string> seen;
  for (int c = 0; c < 2; ++c) {
    threads.emplace_back([&] {
      int empty_polls = 0;
      while (empty_polls < 1000) {
        auto got = sqs().ReceiveMessage({.queue_url = url, .max_number_of_messages = 10});
        ASSERT_OK(got.status());
        if (got->messages.empty()) {
          ++empty_polls;
          continue;
        }
        for (const auto& m : got->messages) {
          ASSERT_OK(sqs().DeleteMessage({.queue_url = url, .receipt_handle = m.receipt_handle}));
          MutexLock lock(&mu);
          EXPECT_TRUE(seen.insert(m.body).second) << m.body;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  // Whatever the consumers missed by giving up is still in the queue.
  while (true) {
    std::vector<sqs::Message> rest = Receive(url);
    if (rest.empty()) break;
    for (const auto& m : rest) EXPECT_TRUE(seen.insert(m.body).second);
  }
  EXPECT_EQ(seen.size(), 2u * kPerProducer);
}

TEST_F(SqsMessageTest, ReceiveMessageAsyncDeliversWhatReceiveMessageWould) {
  std::string url = Create("async");
  Send(url, "hello");
  std::optional<absl::StatusOr<sqs::ReceiveMessageResult>> got;
  sqs().ReceiveMessageAsync(
      {.queue_url = url, .max_number_of_messages = 10},
      [&](absl::StatusOr<sqs::ReceiveMessageResult> r) { got = std::move(r); });
  ASSERT_TRUE(got.has_value());
  ASSERT_OK(*got);
  ASSERT_EQ((*got)->messages.size(), 1u);
  EXPECT_EQ((*got)->messages[0].body, "hello");

  std::optional<absl::StatusOr<sqs::ReceiveMessageResult>> missing;
  sqs().ReceiveMessageAsync(
      {.queue_url = UrlOf("nope")},
      [&](absl::StatusOr<sqs::ReceiveMessageResult> r) { missing = std::move(r); });
  ASSERT_TRUE(missing.has_value());
  EXPECT_EQ(GetErrorCode(missing->status()), ErrorCode::kQueueDoesNotExist);
}

}  // namespace
}  // namespace wharf::testing
