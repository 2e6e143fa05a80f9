// FIFO queues through sqs::Service: the FIFO send rules (group id,
// deduplication id, no per-message delay), batch quirks, and the behaviour the
// service exposes (sequence numbers, dedup, ordering, system attributes).

#include <string>

#include "tests/service/sqs_test_fixture.h"

namespace wharf::testing {
namespace {

using ::testing::IsEmpty;
using ::testing::SizeIs;

class SqsFifoTest : public SqsTest {
 protected:
  std::string CreateFifo(const std::string& name, sqs::AttributeMap attributes = {}) {
    attributes["FifoQueue"] = "true";
    return Create(name, std::move(attributes));
  }
};

TEST_F(SqsFifoTest, SendReturnsASequenceNumber) {
  std::string url = CreateFifo("jobs.fifo");
  ASSERT_OK_AND_ASSIGN(auto first, sqs().SendMessage({.queue_url = url,
                                                      .message_body = "a",
                                                      .message_deduplication_id = "d1",
                                                      .message_group_id = "g"}));
  ASSERT_OK_AND_ASSIGN(auto second, sqs().SendMessage({.queue_url = url,
                                                       .message_body = "b",
                                                       .message_deduplication_id = "d2",
                                                       .message_group_id = "g"}));
  EXPECT_FALSE(first.sequence_number.empty());
  EXPECT_LT(first.sequence_number, second.sequence_number);
}

TEST_F(SqsFifoTest, AStopRequestEndsALongPoll) {
  absl::StatusOr<sqs::ReceiveMessageResult> got = LongPollUntilStopped(CreateFifo("jobs.fifo"));
  ASSERT_OK(got.status());
  EXPECT_THAT(got->messages, IsEmpty());
}

TEST_F(SqsFifoTest, MissingGroupIdIsAMissingParameter) {
  std::string url = CreateFifo("jobs.fifo");
  EXPECT_THAT(
      sqs().SendMessage({.queue_url = url, .message_body = "a", .message_deduplication_id = "d"}),
      HasError(ErrorCode::kMissingParameter,
               "The request must contain the parameter MessageGroupId."));
}

TEST_F(SqsFifoTest, DelaySecondsIsNotAllowedPerMessage) {
  std::string url = CreateFifo("jobs.fifo");
  EXPECT_THAT(sqs().SendMessage({.queue_url = url,
                                 .message_body = "a",
                                 .delay_seconds = 2,
                                 .message_deduplication_id = "d",
                                 .message_group_id = "g"}),
              HasError(ErrorCode::kInvalidParameterValue,
                       "Value 2 for parameter DelaySeconds is invalid. Reason: The request "
                       "include parameter that is not valid for this queue type."));
}

// AWS accepts an explicit DelaySeconds of 0 on a FIFO send (SDKs that always
// serialize the field depend on it); only non-zero values are rejected.
TEST_F(SqsFifoTest, ZeroDelaySecondsIsAcceptedOnASend) {
  std::string url = CreateFifo("jobs.fifo");
  EXPECT_OK(sqs().SendMessage({.queue_url = url,
                               .message_body = "a",
                               .delay_seconds = 0,
                               .message_deduplication_id = "d",
                               .message_group_id = "g"}));
  EXPECT_THAT(Receive(url), SizeIs(1));
}

TEST_F(SqsFifoTest, ZeroDelaySecondsIsAcceptedInABatchEntry) {
  std::string url = CreateFifo("jobs.fifo");
  ASSERT_OK_AND_ASSIGN(auto result,
                       sqs().SendMessageBatch({.queue_url = url,
                                               .entries = {{.id = "e1",
                                                            .message_body = "a",
                                                            .delay_seconds = 0,
                                                            .message_deduplication_id = "d",
                                                            .message_group_id = "g"}}}));
  EXPECT_THAT(result.successful, SizeIs(1));
  EXPECT_THAT(result.failed, IsEmpty());
}

// On FIFO queues the delay is queue-level only: a per-message 0 does not
// override the queue's DelaySeconds.
TEST_F(SqsFifoTest, ZeroDelaySecondsDoesNotOverrideTheQueueDelay) {
  std::string url = CreateFifo("jobs.fifo", {{"DelaySeconds", "5"}});
  ASSERT_OK(sqs().SendMessage({.queue_url = url,
                               .message_body = "a",
                               .delay_seconds = 0,
                               .message_deduplication_id = "d",
                               .message_group_id = "g"}));
  EXPECT_THAT(Receive(url), IsEmpty());
  clock_->Advance(absl::Seconds(5));
  EXPECT_THAT(Receive(url), SizeIs(1));
}

TEST_F(SqsFifoTest, DeduplicationIdIsRequiredWithoutContentBasedDeduplication) {
  std::string url = CreateFifo("jobs.fifo");
  EXPECT_THAT(sqs().SendMessage({.queue_url = url, .message_body = "a", .message_group_id = "g"}),
              HasError(ErrorCode::kInvalidParameterValue,
                       "The queue should either have ContentBasedDeduplication enabled or "
                       "MessageDeduplicationId provided explicitly"));
}

TEST_F(SqsFifoTest, GroupAndDeduplicationIdsMustBePrintableAsciiUpTo128) {
  std::string url = CreateFifo("jobs.fifo");
  EXPECT_THAT(sqs().SendMessage({.queue_url = url,
                                 .message_body = "a",
                                 .message_deduplication_id = "d",
                                 .message_group_id = "a b"}),
              HasError(ErrorCode::kInvalidParameterValue,
                       "Value a b for parameter MessageGroupId is invalid. Reason: MessageGroupId "
                       "can only include alphanumeric and punctuation characters. 1 to 128 in "
                       "length."));
  std::string long_id(129, 'd');
  EXPECT_THAT(sqs().SendMessage({.queue_url = url,
                                 .message_body = "a",
                                 .message_deduplication_id = long_id,
                                 .message_group_id = "g"}),
              HasError(ErrorCode::kInvalidParameterValue,
                       "Value " + long_id +
                           " for parameter MessageDeduplicationId is invalid. Reason: "
                           "MessageDeduplicationId can only include alphanumeric and punctuation "
                           "characters. 1 to 128 in length."));
}

TEST_F(SqsFifoTest, DuplicateSendWithinFiveMinutesReturnsTheOriginalAndEnqueuesNothing) {
  std::string url = CreateFifo("jobs.fifo");
  std::string id = SendFifo(url, "a", "g", "same");
  ASSERT_OK_AND_ASSIGN(auto again, sqs().SendMessage({.queue_url = url,
                                                      .message_body = "b",
                                                      .message_deduplication_id = "same",
                                                      .message_group_id = "g"}));
  EXPECT_EQ(again.message_id, id);
  std::vector<sqs::Message> got = Receive(url);
  ASSERT_THAT(got, SizeIs(1));
  EXPECT_EQ(got[0].body, "a");
}

// LocalStack test_purge_queue_clears_fifo_deduplication_cache (AWS-validated):
// after a purge, a send repeating a purged message's deduplication id is
// enqueued, not deduplicated.
TEST_F(SqsFifoTest, PurgeForgetsDeduplicationIds) {
  std::string url = CreateFifo("jobs.fifo");
  std::string first = SendFifo(url, "message-1", "g", "same");
  ASSERT_THAT(sqs().PurgeQueue({.queue_url = url}), IsOk());
  std::string second = SendFifo(url, "message-2", "g", "same");
  EXPECT_NE(second, first);
  std::vector<sqs::Message> got = Receive(url);
  ASSERT_THAT(got, SizeIs(1));
  EXPECT_EQ(got[0].body, "message-2");
  EXPECT_EQ(got[0].message_id, second);
  // The new send is remembered again.
  EXPECT_EQ(SendFifo(url, "message-3", "g", "same"), second);
}

TEST_F(SqsFifoTest, ContentBasedDeduplicationUsesTheBodySha256) {
  std::string url = CreateFifo("jobs.fifo", {{"ContentBasedDeduplication", "true"}});
  ASSERT_OK_AND_ASSIGN(
      auto first,
      sqs().SendMessage({.queue_url = url, .message_body = "Hello, SQS", .message_group_id = "g"}));
  ASSERT_OK_AND_ASSIGN(
      auto second,
      sqs().SendMessage({.queue_url = url, .message_body = "Hello, SQS", .message_group_id = "g"}));
  EXPECT_EQ(first.message_id, second.message_id);
  std::vector<sqs::Message> got = Receive(url);
  ASSERT_THAT(got, SizeIs(1));
  EXPECT_EQ(got[0].attributes.at("MessageDeduplicationId"),
            "f5d8716444cb1db3a58470e033bd9362a3b11c26c7e2e42a60996c6c9299a30c");
}

TEST_F(SqsFifoTest, ReceiveReturnsFifoSystemAttributes) {
  std::string url = CreateFifo("jobs.fifo");
  ASSERT_OK_AND_ASSIGN(auto sent, sqs().SendMessage({.queue_url = url,
                                                     .message_body = "a",
                                                     .message_deduplication_id = "d",
                                                     .message_group_id = "g"}));
  std::vector<sqs::Message> got = Receive(url);
  ASSERT_THAT(got, SizeIs(1));
  EXPECT_EQ(got[0].attributes.at("MessageGroupId"), "g");
  EXPECT_EQ(got[0].attributes.at("MessageDeduplicationId"), "d");
  EXPECT_EQ(got[0].attributes.at("SequenceNumber"), sent.sequence_number);
  EXPECT_EQ(got[0].attributes.at("ApproximateReceiveCount"), "1");
}

TEST_F(SqsFifoTest, GroupOrderAndBlockingAreVisibleThroughTheService) {
  std::string url = CreateFifo("jobs.fifo");
  SendFifo(url, "g1-a", "g1");
  SendFifo(url, "g1-b", "g1");
  std::vector<sqs::Message> first = Receive(url, 1);
  ASSERT_THAT(first, SizeIs(1));
  EXPECT_EQ(first[0].body, "g1-a");
  // g1 is blocked while g1-a is in flight; another group is still served.
  EXPECT_THAT(Receive(url, 10), IsEmpty());
  SendFifo(url, "g2-a", "g2");
  std::vector<sqs::Message> second = Receive(url, 10);
  ASSERT_THAT(second, SizeIs(1));
  EXPECT_EQ(second[0].body, "g2-a");
  ASSERT_OK(sqs().DeleteMessage({.queue_url = url, .receipt_handle = first[0].receipt_handle}));
  std::vector<sqs::Message> third = Receive(url, 10);
  ASSERT_THAT(third, SizeIs(1));
  EXPECT_EQ(third[0].body, "g1-b");
}

// LocalStack's AWS-validated
// test_fifo_message_group_visibility_after_terminate_visibility_timeout: a
// group is served again as soon as its first message is visible, up to its
// first message still in flight.
TEST_F(SqsFifoTest, AGroupWhoseFirstMessageReturnsIsServedUpToItsFirstMessageInFlight) {
  std::string url = CreateFifo("jobs.fifo");
  SendFifo(url, "g1-m1", "group-1");
  SendFifo(url, "g1-m2", "group-1");
  std::vector<sqs::Message> first = Receive(url, 2);
  ASSERT_THAT(first, SizeIs(2));
  ASSERT_EQ(first[0].body, "g1-m1");
  ASSERT_EQ(first[1].body, "g1-m2");
  SendFifo(url, "g2-m1", "group-2");
  ASSERT_OK(sqs().ChangeMessageVisibility(
      {.queue_url = url, .receipt_handle = first[0].receipt_handle, .visibility_timeout = 0}));
  std::vector<std::string> bodies;
  for (const sqs::Message& m : Receive(url, 3)) bodies.push_back(m.body);
  // AWS answered g2-m1 first; the order across groups is not specified.
  EXPECT_THAT(bodies, ::testing::UnorderedElementsAre("g1-m1", "g2-m1"));
}

TEST_F(SqsFifoTest, QueueLevelDelayIsAllowed) {
  std::string url = CreateFifo("jobs.fifo", {{"DelaySeconds", "5"}});
  SendFifo(url, "a", "g");
  EXPECT_THAT(Receive(url), IsEmpty());
  clock_->Advance(absl::Seconds(5));
  EXPECT_THAT(Receive(url), SizeIs(1));
}

TEST_F(SqsFifoTest, ExpiredReceiptHandleCannotDelete) {
  std::string url = CreateFifo("jobs.fifo");
  SendFifo(url, "a", "g");
  std::vector<sqs::Message> got = Receive(url, 1, /*visibility=*/5);
  ASSERT_THAT(got, SizeIs(1));
  clock_->Advance(absl::Seconds(6));
  EXPECT_THAT(sqs().DeleteMessage({.queue_url = url, .receipt_handle = got[0].receipt_handle}),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
}

TEST_F(SqsFifoTest, ReceiveRequestAttemptIdReturnsTheSameMessages) {
  std::string url = CreateFifo("jobs.fifo");
  SendFifo(url, "a", "g");
  ASSERT_OK_AND_ASSIGN(
      auto first, sqs().ReceiveMessage({.queue_url = url, .receive_request_attempt_id = "try-1"}));
  ASSERT_OK_AND_ASSIGN(
      auto retry, sqs().ReceiveMessage({.queue_url = url, .receive_request_attempt_id = "try-1"}));
  ASSERT_THAT(first.messages, SizeIs(1));
  ASSERT_THAT(retry.messages, SizeIs(1));
  EXPECT_EQ(first.messages[0].receipt_handle, retry.messages[0].receipt_handle);
  EXPECT_THAT(sqs().ReceiveMessage({.queue_url = url, .receive_request_attempt_id = "a b"}),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
}

TEST_F(SqsFifoTest, BatchWithoutGroupIdFailsTheWholeRequest) {
  std::string url = CreateFifo("jobs.fifo");
  EXPECT_THAT(
      sqs().SendMessageBatch(
          {.queue_url = url,
           .entries = {{.id = "ok",
                        .message_body = "a",
                        .message_deduplication_id = "d1",
                        .message_group_id = "g"},
                       {.id = "nogroup", .message_body = "b", .message_deduplication_id = "d2"}}}),
      HasError(ErrorCode::kInvalidParameterValue,
               "The request must contain the parameter MessageGroupId."));
  EXPECT_THAT(Receive(url), IsEmpty());
}

TEST_F(SqsFifoTest, BatchWithoutDeduplicationIdFailsTheWholeRequest) {
  std::string url = CreateFifo("jobs.fifo");
  EXPECT_THAT(sqs().SendMessageBatch(
                  {.queue_url = url,
                   .entries = {{.id = "a", .message_body = "a", .message_group_id = "g"}}}),
              HasError(ErrorCode::kInvalidParameterValue,
                       "The queue should either have ContentBasedDeduplication enabled or "
                       "MessageDeduplicationId provided explicitly"));
}

TEST_F(SqsFifoTest, BatchEntriesAreEnqueuedInOrder) {
  std::string url = CreateFifo("jobs.fifo", {{"ContentBasedDeduplication", "true"}});
  ASSERT_OK_AND_ASSIGN(
      auto result,
      sqs().SendMessageBatch(
          {.queue_url = url,
           .entries = {{.id = "1", .message_body = "one", .message_group_id = "g"},
                       {.id = "2", .message_body = "two", .message_group_id = "g"},
                       {.id = "3", .message_body = "three", .message_group_id = "g"}}}));
  ASSERT_THAT(result.successful, SizeIs(3));
  EXPECT_LT(result.successful[0].sequence_number, result.successful[1].sequence_number);
  std::vector<sqs::Message> got = Receive(url);
  ASSERT_THAT(got, SizeIs(3));
  EXPECT_EQ(got[0].body, "one");
  EXPECT_EQ(got[1].body, "two");
  EXPECT_EQ(got[2].body, "three");
}

TEST_F(SqsFifoTest, DeduplicationScopeAndThroughputLimitAreSettable) {
  std::string url = CreateFifo("jobs.fifo");
  ASSERT_OK(
      sqs().SetQueueAttributes({.queue_url = url,
                                .attributes = {{"DeduplicationScope", "messageGroup"},
                                               {"FifoThroughputLimit", "perMessageGroupId"}}}));
  EXPECT_EQ(Attribute(url, "DeduplicationScope"), "messageGroup");
  EXPECT_EQ(Attribute(url, "FifoThroughputLimit"), "perMessageGroupId");
  // With messageGroup scope the same dedup id in two groups is two messages.
  SendFifo(url, "a", "g1", "same");
  SendFifo(url, "b", "g2", "same");
  EXPECT_THAT(Receive(url), SizeIs(2));
}

}  // namespace
}  // namespace wharf::testing
