// Tests for the FIFO queue engine (broker/fifo/fifo_queue.h): group order and
// locking, return to the head of the group, deduplication windows, sequence
// numbers, ReceiveRequestAttemptId replays, handle errors, dead-lettering,
// retention, delay, the in-flight cap and long polling. Time is a ManualClock.

#include "broker/fifo/fifo_queue.h"

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "broker/base/mutex.h"
#include "broker/base/scheduler.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "wharf/clock.h"
#include "wharf/errors.h"

namespace wharf::fifo_internal {
namespace {

using queue_internal::Delivery;
using queue_internal::Payload;
using queue_internal::PayloadRef;
using queue_internal::QueueConfig;
using queue_internal::QueueCore;
using queue_internal::ReceiveArgs;
using queue_internal::SendArgs;
using queue_internal::SendOutcome;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;
using ::wharf::testing::HasError;
using ::wharf::testing::HasErrorCode;
using ::wharf::testing::IsOk;

constexpr absl::Duration kVisibility = absl::Seconds(30);

PayloadRef Body(std::string_view body) { return base_internal::NewPayload(body); }

SendArgs Args(std::string group, std::string body, std::string dedup) {
  SendArgs args;
  args.payload = Body(std::move(body));
  args.message_group_id = std::move(group);
  args.deduplication_id = std::move(dedup);
  return args;
}

ReceiveArgs Poll(int max, absl::Duration visibility, absl::Time deadline,
                 std::string attempt_id = "") {
  ReceiveArgs args;
  args.max_messages = max;
  args.visibility_timeout = visibility;
  args.wait_deadline = deadline;
  args.receive_request_attempt_id = std::move(attempt_id);
  return args;
}

std::vector<std::string> Bodies(const std::vector<Delivery>& ds) {
  std::vector<std::string> out;
  for (const Delivery& d : ds) out.emplace_back(d.payload->body());
  return out;
}

// Records what a queue dead-letters; can be told to refuse.
class RecordingSink : public queue_internal::DeadLetterSink {
 public:
  bool Accept(const Delivery& message) override {
    MutexLock lock(&mu_);
    if (!accept_) return false;
    accepted_.push_back(message);
    return true;
  }
  void SetAccept(bool accept) {
    MutexLock lock(&mu_);
    accept_ = accept;
  }
  std::vector<Delivery> accepted() {
    MutexLock lock(&mu_);
    return accepted_;
  }

 private:
  Mutex mu_;
  bool accept_ ABSL_GUARDED_BY(mu_) = true;
  std::vector<Delivery> accepted_ ABSL_GUARDED_BY(mu_);
};

class FifoQueueTest : public ::testing::Test {
 protected:
  void Recreate(const QueueConfig& config, queue_internal::DeadLetterSink* sink = nullptr) {
    queue_ =
        NewFifoQueue(config, clock_, scheduler_, sink, "arn:aws:sqs:us-east-1:123456789012:q.fifo");
  }
  void SetUp() override { Recreate(QueueConfig{}); }

  absl::StatusOr<SendOutcome> Send(const std::string& group, const std::string& body,
                                   std::string dedup = "") {
    if (dedup.empty()) dedup = "dedup-" + std::to_string(next_dedup_++);
    return queue_->Send(Args(group, body, dedup));
  }

  std::vector<Delivery> Receive(int max = 10, absl::Duration visibility = kVisibility,
                                std::string attempt_id = "") {
    auto got = queue_->Receive(Poll(max, visibility, clock_.Now(), std::move(attempt_id)));
    EXPECT_THAT(got, IsOk());
    return got.ok() ? *got : std::vector<Delivery>{};
  }

  ManualClock clock_;
  Scheduler scheduler_{clock_};
  std::unique_ptr<QueueCore> queue_;
  int next_dedup_ = 0;
};

// ---- Order and group locking ----------------------------------------------------

TEST_F(FifoQueueTest, MessagesOfOneGroupAreDeliveredInSendOrder) {
  for (int i = 0; i < 5; ++i) ASSERT_OK(Send("g", "m" + std::to_string(i)).status());
  EXPECT_THAT(Bodies(Receive(10)), ElementsAre("m0", "m1", "m2", "m3", "m4"));
}

TEST_F(FifoQueueTest, SecondMessageInGroupIsHeldUntilFirstIsDeleted) {
  ASSERT_OK(Send("g", "first").status());
  ASSERT_OK(Send("g", "second").status());
  std::vector<Delivery> got = Receive(1);
  ASSERT_THAT(Bodies(got), ElementsAre("first"));
  EXPECT_THAT(Receive(10), IsEmpty());
  ASSERT_OK(queue_->Delete(got[0].receipt_handle));
  EXPECT_THAT(Bodies(Receive(10)), ElementsAre("second"));
}

// SQS serves groups in the order they became ready, each group's run
// together (LocalStack's AWS-validated
// test_fifo_receive_message_group_id_ordering); a group that is served and
// becomes ready again queues behind the others. Many groups, so that they
// spread over every shard.
TEST_F(FifoQueueTest, GroupsAreServedInTheOrderTheyBecameReady) {
  ASSERT_OK(Send("group-1", "g1-m1").status());
  ASSERT_OK(Send("group-2", "g2-m1").status());
  ASSERT_OK(Send("group-1", "g1-m2").status());
  ASSERT_OK(Send("group-1", "g1-m3").status());
  std::vector<Delivery> got = Receive(10);
  EXPECT_THAT(Bodies(got), ElementsAre("g1-m1", "g1-m2", "g1-m3", "g2-m1"));
  for (const Delivery& d : got) ASSERT_OK(queue_->Delete(d.receipt_handle));

  std::vector<std::string> expected;
  for (int g = 0; g < 40; ++g) {
    ASSERT_OK(Send("g" + std::to_string(g), "first-" + std::to_string(g)).status());
    ASSERT_OK(Send("g" + std::to_string(g), "second-" + std::to_string(g)).status());
  }
  // One message at a time: a group served goes behind the 39 others.
  for (int round = 0; round < 2; ++round) {
    for (int g = 0; g < 40; ++g) {
      std::vector<Delivery> one = Receive(1);
      ASSERT_THAT(one, SizeIs(1));
      EXPECT_EQ(one[0].payload->body(), (round == 0 ? "first-" : "second-") + std::to_string(g));
      ASSERT_OK(queue_->Delete(one[0].receipt_handle));
    }
  }
}

TEST_F(FifoQueueTest, LockedGroupDoesNotBlockOtherGroups) {
  ASSERT_OK(Send("a", "a0").status());
  ASSERT_OK(Send("a", "a1").status());
  ASSERT_THAT(Bodies(Receive(1)), ElementsAre("a0"));
  ASSERT_OK(Send("b", "b0").status());
  EXPECT_THAT(Bodies(Receive(10)), ElementsAre("b0"));
}

TEST_F(FifoQueueTest, OneReceiveReturnsRunsOfSeveralGroupsInOrder) {
  for (int i = 0; i < 3; ++i) {
    ASSERT_OK(Send("a", "a" + std::to_string(i)).status());
    ASSERT_OK(Send("b", "b" + std::to_string(i)).status());
  }
  std::vector<Delivery> got = Receive(10);
  ASSERT_THAT(got, SizeIs(6));
  std::vector<std::string> a, b;
  for (const Delivery& d : got) (d.message_group_id == "a" ? a : b).emplace_back(d.payload->body());
  EXPECT_THAT(a, ElementsAre("a0", "a1", "a2"));
  EXPECT_THAT(b, ElementsAre("b0", "b1", "b2"));
  // Each group's messages come as one consecutive run.
  EXPECT_EQ(got[0].message_group_id, got[1].message_group_id);
  EXPECT_EQ(got[1].message_group_id, got[2].message_group_id);
}

TEST_F(FifoQueueTest, ReceiveHonoursMaxMessagesAndKeepsTheRestOfTheGroupLocked) {
  for (int i = 0; i < 4; ++i) ASSERT_OK(Send("g", "m" + std::to_string(i)).status());
  std::vector<Delivery> got = Receive(2);
  EXPECT_THAT(Bodies(got), ElementsAre("m0", "m1"));
  EXPECT_THAT(Receive(10), IsEmpty());
  ASSERT_OK(queue_->Delete(got[0].receipt_handle));
  EXPECT_THAT(Receive(10), IsEmpty()) << "m1 is still in flight";
  ASSERT_OK(queue_->Delete(got[1].receipt_handle));
  EXPECT_THAT(Bodies(Receive(10)), ElementsAre("m2", "m3"));
}

TEST_F(FifoQueueTest, SendWithoutGroupIdIsRejected) {
  EXPECT_THAT(queue_->Send(Args("", "x", "d")),
              HasError(ErrorCode::kMissingParameter,
                       "The request must contain the parameter MessageGroupId."));
}

TEST_F(FifoQueueTest, SendWithoutDeduplicationIdIsRejected) {
  EXPECT_THAT(queue_->Send(Args("g", "x", "")), HasErrorCode(ErrorCode::kInvalidParameterValue));
}

// ---- Returning to the queue -------------------------------------------------------

TEST_F(FifoQueueTest, MessageReturnsToHeadOfGroupAfterVisibilityExpires) {
  ASSERT_OK(Send("g", "m0").status());
  ASSERT_OK(Send("g", "m1").status());
  ASSERT_THAT(Bodies(Receive(1)), ElementsAre("m0"));
  clock_.Advance(kVisibility - absl::Seconds(1));
  EXPECT_THAT(Receive(10), IsEmpty());
  clock_.Advance(absl::Seconds(1));
  std::vector<Delivery> again = Receive(10);
  EXPECT_THAT(Bodies(again), ElementsAre("m0", "m1"));
  EXPECT_EQ(again[0].receive_count, 2);
  EXPECT_EQ(again[1].receive_count, 1);
}

TEST_F(FifoQueueTest, ChangeVisibilityToZeroReturnsMessageToHeadOfGroup) {
  ASSERT_OK(Send("g", "m0").status());
  ASSERT_OK(Send("g", "m1").status());
  std::vector<Delivery> got = Receive(1);
  ASSERT_OK(queue_->ChangeVisibility(got[0].receipt_handle, absl::ZeroDuration()));
  EXPECT_THAT(Bodies(Receive(1)), ElementsAre("m0"));
}

TEST_F(FifoQueueTest, LaterMessageReturnedWhileEarlierInFlightWaitsBehindIt) {
  for (int i = 0; i < 3; ++i) ASSERT_OK(Send("g", "m" + std::to_string(i)).status());
  std::vector<Delivery> got = Receive(2);
  ASSERT_THAT(Bodies(got), ElementsAre("m0", "m1"));
  ASSERT_OK(queue_->ChangeVisibility(got[1].receipt_handle, absl::ZeroDuration()));
  EXPECT_THAT(Receive(10), IsEmpty()) << "m0 still in flight locks the group";
  ASSERT_OK(queue_->Delete(got[0].receipt_handle));
  EXPECT_THAT(Bodies(Receive(10)), ElementsAre("m1", "m2"));
}

// As SQS (LocalStack's AWS-validated
// test_fifo_message_group_visibility_after_terminate_visibility_timeout): a
// message in flight holds back itself and what follows it, not the messages
// before it that became visible again.
TEST_F(FifoQueueTest, ReturnedHeadIsReceivedAgainUpToTheFirstMessageStillInFlight) {
  for (int i = 0; i < 3; ++i) ASSERT_OK(Send("g", "m" + std::to_string(i)).status());
  std::vector<Delivery> got = Receive(2);
  ASSERT_THAT(Bodies(got), ElementsAre("m0", "m1"));
  ASSERT_OK(queue_->ChangeVisibility(got[0].receipt_handle, absl::ZeroDuration()));
  std::vector<Delivery> again = Receive(10);
  EXPECT_THAT(Bodies(again), ElementsAre("m0")) << "m1, still in flight, holds back m1 and m2";
  ASSERT_OK(queue_->ChangeVisibility(got[1].receipt_handle, absl::ZeroDuration()));
  EXPECT_THAT(Receive(10), IsEmpty()) << "m0 is in flight again";
  ASSERT_OK(queue_->Delete(again[0].receipt_handle));
  EXPECT_THAT(Bodies(Receive(10)), ElementsAre("m1", "m2"));
}

// test_fifo_group_visibility_extends_with_change_message_visibility
// (AWS-validated): one message of a received run kept in flight longer.
TEST_F(FifoQueueTest, AMessageKeptInFlightLongerHoldsBackOnlyItselfAndWhatFollows) {
  for (int kept = 0; kept < 3; ++kept) {
    SCOPED_TRACE(kept);
    Recreate(QueueConfig{});
    for (int i = 0; i < 3; ++i) ASSERT_OK(Send("g", "m" + std::to_string(i)).status());
    std::vector<Delivery> got = Receive(10, absl::Seconds(1));
    ASSERT_THAT(got, SizeIs(3));
    ASSERT_OK(
        queue_->ChangeVisibility(got[static_cast<size_t>(kept)].receipt_handle, absl::Seconds(4)));
    clock_.Advance(absl::Milliseconds(2500));
    std::vector<std::string> expected;
    for (int i = 0; i < kept; ++i) expected.push_back("m" + std::to_string(i));
    EXPECT_THAT(Bodies(Receive(10)), ElementsAreArray(expected));
  }
}

TEST_F(FifoQueueTest, ChangeVisibilityExtendsTheDeadlineFromNow) {
  ASSERT_OK(Send("g", "m0").status());
  std::vector<Delivery> got = Receive(1);
  clock_.Advance(absl::Seconds(20));
  ASSERT_OK(queue_->ChangeVisibility(got[0].receipt_handle, absl::Seconds(60)));
  clock_.Advance(absl::Seconds(59));
  EXPECT_THAT(Receive(10), IsEmpty());
  clock_.Advance(absl::Seconds(1));
  EXPECT_THAT(Bodies(Receive(10)), ElementsAre("m0"));
}

TEST_F(FifoQueueTest, ChangeVisibilityBeyondTwelveHoursFromReceiveIsRejected) {
  ASSERT_OK(Send("g", "m0").status());
  std::vector<Delivery> got = Receive(1, absl::Hours(1));
  clock_.Advance(absl::Minutes(30));
  // Same wording as the standard engine (and AWS).
  EXPECT_THAT(queue_->ChangeVisibility(got[0].receipt_handle, absl::Hours(12)),
              HasError(ErrorCode::kInvalidParameterValue,
                       "Value 43200 for parameter VisibilityTimeout is invalid. Reason: Total "
                       "VisibilityTimeout for the message is beyond the limit [43200 seconds]."));
  EXPECT_OK(queue_->ChangeVisibility(got[0].receipt_handle, absl::Hours(11) + absl::Minutes(30)));
}

TEST_F(FifoQueueTest, ChangeVisibilityOfMessageNoLongerInFlightFails) {
  ASSERT_OK(Send("g", "m0").status());
  std::vector<Delivery> got = Receive(1);
  clock_.Advance(kVisibility);
  EXPECT_THAT(queue_->ChangeVisibility(got[0].receipt_handle, absl::Seconds(10)),
              HasErrorCode(ErrorCode::kMessageNotInflight));
}

TEST_F(FifoQueueTest, ChangeVisibilityOfDeletedMessageFails) {
  ASSERT_OK(Send("g", "m0").status());
  std::vector<Delivery> got = Receive(1);
  ASSERT_OK(queue_->Delete(got[0].receipt_handle));
  EXPECT_THAT(queue_->ChangeVisibility(got[0].receipt_handle, absl::Seconds(10)),
              HasError(ErrorCode::kInvalidParameterValue, HasSubstr("Message does not exist")));
}

// ---- Receipt handles -------------------------------------------------------------

TEST_F(FifoQueueTest, DeleteWithExpiredHandleFailsWithInvalidParameterValue) {
  ASSERT_OK(Send("g", "m0").status());
  std::vector<Delivery> got = Receive(1);
  clock_.Advance(kVisibility);
  const std::string h = got[0].receipt_handle.str();
  EXPECT_THAT(
      queue_->Delete(h),
      HasError(
          ErrorCode::kInvalidParameterValue,
          "Value " + h +
              " for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired."));
  EXPECT_THAT(Bodies(Receive(1)), ElementsAre("m0")) << "the message was not deleted";
}

TEST_F(FifoQueueTest, DeleteWithHandleOfEarlierReceiveFailsAfterRedelivery) {
  ASSERT_OK(Send("g", "m0").status());
  std::vector<Delivery> first = Receive(1);
  clock_.Advance(kVisibility);
  std::vector<Delivery> second = Receive(1);
  ASSERT_THAT(second, SizeIs(1));
  EXPECT_NE(first[0].receipt_handle, second[0].receipt_handle);
  EXPECT_THAT(queue_->Delete(first[0].receipt_handle),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_OK(queue_->Delete(second[0].receipt_handle));
}

TEST_F(FifoQueueTest, MalformedHandleIsInvalid) {
  EXPECT_THAT(queue_->Delete("garbage"),
              HasError(ErrorCode::kReceiptHandleIsInvalid,
                       "The input receipt handle \"garbage\" is not a valid receipt handle."));
  EXPECT_THAT(queue_->ChangeVisibility("", absl::Seconds(1)),
              HasErrorCode(ErrorCode::kReceiptHandleIsInvalid));
}

TEST_F(FifoQueueTest, HandleOfAnotherQueueIsInvalid) {
  std::unique_ptr<QueueCore> other =
      NewFifoQueue(QueueConfig{}, clock_, scheduler_, nullptr, "arn:other.fifo");
  ASSERT_OK(other->Send(Args("g", "x", "d")).status());
  auto got = other->Receive(Poll(1, kVisibility, clock_.Now()));
  ASSERT_OK(got.status());
  ASSERT_THAT(*got, SizeIs(1));
  EXPECT_THAT(queue_->Delete((*got)[0].receipt_handle),
              HasErrorCode(ErrorCode::kReceiptHandleIsInvalid));
}

TEST_F(FifoQueueTest, RepeatingADeleteWithTheSameHandleSucceeds) {
  ASSERT_OK(Send("g", "m0").status());
  std::vector<Delivery> got = Receive(1);
  ASSERT_OK(queue_->Delete(got[0].receipt_handle));
  EXPECT_OK(queue_->Delete(got[0].receipt_handle));
}

// ---- Deduplication ----------------------------------------------------------------

TEST_F(FifoQueueTest, DuplicateWithinWindowReturnsOriginalIdsAndIsNotEnqueued) {
  ASSERT_OK_AND_ASSIGN(SendOutcome first, Send("g", "body", "d1"));
  clock_.Advance(absl::Minutes(4) + absl::Seconds(59));
  ASSERT_OK_AND_ASSIGN(SendOutcome again, Send("g", "other body", "d1"));
  EXPECT_TRUE(again.duplicate);
  EXPECT_FALSE(first.duplicate);
  EXPECT_EQ(again.message_id, first.message_id);
  EXPECT_EQ(again.sequence_number, first.sequence_number);
  EXPECT_THAT(Bodies(Receive(10)), ElementsAre("body"));
}

TEST_F(FifoQueueTest, SameIdAfterWindowIsAcceptedAgain) {
  ASSERT_OK_AND_ASSIGN(SendOutcome first, Send("g", "one", "d1"));
  clock_.Advance(absl::Minutes(5) + absl::Seconds(1));
  ASSERT_OK_AND_ASSIGN(SendOutcome again, Send("g", "two", "d1"));
  EXPECT_FALSE(again.duplicate);
  EXPECT_NE(again.message_id, first.message_id);
  EXPECT_THAT(Bodies(Receive(10)), ElementsAre("one", "two"));
}

TEST_F(FifoQueueTest, WindowStartsAtFirstSendAndIsNotExtendedByDuplicates) {
  ASSERT_OK(Send("g", "one", "d1").status());
  clock_.Advance(absl::Minutes(3));
  ASSERT_OK_AND_ASSIGN(SendOutcome dup, Send("g", "dup", "d1"));
  EXPECT_TRUE(dup.duplicate);
  clock_.Advance(absl::Minutes(2) + absl::Seconds(1));
  ASSERT_OK_AND_ASSIGN(SendOutcome later, Send("g", "later", "d1"));
  EXPECT_FALSE(later.duplicate);
}

TEST_F(FifoQueueTest, DeduplicationIdIsRememberedAfterTheMessageIsDeleted) {
  ASSERT_OK(Send("g", "one", "d1").status());
  std::vector<Delivery> got = Receive(1);
  ASSERT_OK(queue_->Delete(got[0].receipt_handle));
  ASSERT_OK_AND_ASSIGN(SendOutcome again, Send("g", "one", "d1"));
  EXPECT_TRUE(again.duplicate);
  EXPECT_THAT(Receive(10), IsEmpty());
}

TEST_F(FifoQueueTest, QueueScopeDeduplicatesAcrossGroups) {
  ASSERT_OK(Send("a", "one", "d1").status());
  ASSERT_OK_AND_ASSIGN(SendOutcome other_group, Send("b", "two", "d1"));
  EXPECT_TRUE(other_group.duplicate);
}

TEST_F(FifoQueueTest, MessageGroupScopeDeduplicatesOnlyWithinAGroup) {
  QueueConfig config;
  config.deduplication_scope = QueueConfig::DeduplicationScope::kMessageGroup;
  Recreate(config);
  ASSERT_OK(Send("a", "one", "d1").status());
  ASSERT_OK_AND_ASSIGN(SendOutcome other_group, Send("b", "two", "d1"));
  EXPECT_FALSE(other_group.duplicate);
  ASSERT_OK_AND_ASSIGN(SendOutcome same_group, Send("a", "three", "d1"));
  EXPECT_TRUE(same_group.duplicate);
  EXPECT_THAT(Receive(10), SizeIs(2));
}

SendArgs MovedArgs() {
  SendArgs args = Args("g", "moved", "d1");
  args.message_id = "kept-id";
  args.receive_count = 3;
  return args;
}

TEST_F(FifoQueueTest, MessagesCarryingHistoryAreNotDeduplicated) {
  ASSERT_OK(Send("g", "one", "d1").status());
  ASSERT_OK_AND_ASSIGN(SendOutcome moved, queue_->Send(MovedArgs()));
  EXPECT_FALSE(moved.duplicate);
  EXPECT_EQ(moved.message_id, "kept-id");
  std::vector<Delivery> got = Receive(10);
  ASSERT_THAT(Bodies(got), ElementsAre("one", "moved"));
  EXPECT_EQ(got[1].receive_count, 4);
  EXPECT_EQ(got[1].deduplication_id, "d1");
}

// ---- Sequence numbers ---------------------------------------------------------------

TEST_F(FifoQueueTest, SequenceNumbersAreTwentyDigitsAndStrictlyIncreasing) {
  std::string previous;
  for (int i = 0; i < 20; ++i) {
    ASSERT_OK_AND_ASSIGN(SendOutcome out, Send(i % 2 ? "a" : "b", "m"));
    EXPECT_THAT(out.sequence_number, SizeIs(20));
    EXPECT_GT(out.sequence_number, previous);
    previous = out.sequence_number;
  }
}

TEST_F(FifoQueueTest, DeliveryCarriesTheSequenceNumberReturnedBySend) {
  ASSERT_OK_AND_ASSIGN(SendOutcome out, Send("g", "m", "dd"));
  std::vector<Delivery> got = Receive(1);
  ASSERT_THAT(got, SizeIs(1));
  EXPECT_EQ(got[0].sequence_number, out.sequence_number);
  EXPECT_EQ(got[0].message_id, out.message_id);
  EXPECT_EQ(got[0].message_group_id, "g");
  EXPECT_EQ(got[0].deduplication_id, "dd");
  EXPECT_EQ(got[0].sent_time, clock_.Now());
  EXPECT_EQ(got[0].first_receive_time, clock_.Now());
  EXPECT_EQ(got[0].receive_count, 1);
}

// ---- ReceiveRequestAttemptId ----------------------------------------------------------

TEST_F(FifoQueueTest, RetriedReceiveWithSameAttemptIdReturnsSameMessagesAndHandles) {
  ASSERT_OK(Send("g", "m0").status());
  ASSERT_OK(Send("g", "m1").status());
  std::vector<Delivery> first = Receive(10, kVisibility, "attempt-1");
  ASSERT_THAT(first, SizeIs(2));
  clock_.Advance(absl::Seconds(10));
  std::vector<Delivery> retry = Receive(10, kVisibility, "attempt-1");
  ASSERT_THAT(retry, SizeIs(2));
  EXPECT_EQ(retry[0].receipt_handle, first[0].receipt_handle);
  EXPECT_EQ(retry[1].receipt_handle, first[1].receipt_handle);
}

TEST_F(FifoQueueTest, RetriedReceiveResetsTheVisibilityTimeout) {
  ASSERT_OK(Send("g", "m0").status());
  ASSERT_THAT(Receive(10, kVisibility, "attempt-1"), SizeIs(1));
  clock_.Advance(absl::Seconds(20));
  ASSERT_THAT(Receive(10, kVisibility, "attempt-1"), SizeIs(1));
  clock_.Advance(absl::Seconds(20));
  EXPECT_THAT(Receive(10), IsEmpty()) << "visible again only 30 s after the retry";
  clock_.Advance(absl::Seconds(10));
  EXPECT_THAT(Receive(10), SizeIs(1));
}

TEST_F(FifoQueueTest, RetryAfterADeleteIsANewReceive) {
  ASSERT_OK(Send("g", "m0").status());
  ASSERT_OK(Send("g", "m1").status());
  std::vector<Delivery> first = Receive(1, kVisibility, "attempt-1");
  ASSERT_OK(queue_->Delete(first[0].receipt_handle));
  EXPECT_THAT(Bodies(Receive(1, kVisibility, "attempt-1")), ElementsAre("m1"));
}

TEST_F(FifoQueueTest, RetryAfterAVisibilityChangeIsANewReceive) {
  ASSERT_OK(Send("g", "m0").status());
  std::vector<Delivery> first = Receive(1, kVisibility, "attempt-1");
  ASSERT_OK(queue_->ChangeVisibility(first[0].receipt_handle, absl::Seconds(100)));
  EXPECT_THAT(Receive(1, kVisibility, "attempt-1"), IsEmpty())
      << "the group is locked; nothing new";
}

TEST_F(FifoQueueTest, AttemptIdExpiresAfterFiveMinutes) {
  ASSERT_OK(Send("g", "m0").status());
  std::vector<Delivery> first = Receive(1, absl::Minutes(10), "attempt-1");
  clock_.Advance(absl::Minutes(5));
  EXPECT_THAT(Receive(1, kVisibility, "attempt-1"), IsEmpty());
}

TEST_F(FifoQueueTest, DifferentAttemptIdIsANewReceive) {
  ASSERT_OK(Send("g", "m0").status());
  ASSERT_THAT(Receive(1, kVisibility, "attempt-1"), SizeIs(1));
  EXPECT_THAT(Receive(1, kVisibility, "attempt-2"), IsEmpty());
}

// ---- Dead-letter queue -------------------------------------------------------------------

TEST_F(FifoQueueTest, OverReceivedMessageMovesToSinkAndNextOfGroupBecomesEligible) {
  RecordingSink sink;
  QueueConfig config;
  config.max_receive_count = 2;
  Recreate(config, &sink);
  ASSERT_OK_AND_ASSIGN(SendOutcome poison, Send("g", "poison"));
  ASSERT_OK(Send("g", "next").status());
  for (int i = 0; i < 2; ++i) {
    ASSERT_THAT(Bodies(Receive(1)), ElementsAre("poison"));
    clock_.Advance(kVisibility);
  }
  EXPECT_THAT(Bodies(Receive(1)), ElementsAre("next"));
  std::vector<Delivery> moved = sink.accepted();
  ASSERT_THAT(moved, SizeIs(1));
  EXPECT_EQ(moved[0].message_id, poison.message_id);
  EXPECT_EQ(moved[0].payload->body(), "poison");
  EXPECT_EQ(moved[0].receive_count, 2);
  EXPECT_EQ(moved[0].message_group_id, "g");
  EXPECT_EQ(moved[0].dead_letter_source_arn, "arn:aws:sqs:us-east-1:123456789012:q.fifo");
  EXPECT_EQ(queue_->GetCounts().visible, 0);
  EXPECT_EQ(queue_->GetCounts().in_flight, 1);
}

TEST_F(FifoQueueTest, MessageRefusedBySinkStaysAndIsDelivered) {
  RecordingSink sink;
  sink.SetAccept(false);
  QueueConfig config;
  config.max_receive_count = 1;
  Recreate(config, &sink);
  ASSERT_OK(Send("g", "poison").status());
  ASSERT_OK(Send("g", "next").status());
  ASSERT_THAT(Bodies(Receive(1)), ElementsAre("poison"));
  clock_.Advance(kVisibility);
  std::vector<Delivery> again = Receive(10);
  ASSERT_THAT(Bodies(again), ElementsAre("poison")) << "nothing after it in the group";
  EXPECT_EQ(again[0].receive_count, 2);
  EXPECT_THAT(sink.accepted(), IsEmpty());
  sink.SetAccept(true);
  clock_.Advance(kVisibility);
  EXPECT_THAT(Bodies(Receive(1)), ElementsAre("next"));
  EXPECT_THAT(sink.accepted(), SizeIs(1));
}

TEST_F(FifoQueueTest, WithoutSinkMessagesAreNeverDeadLettered) {
  QueueConfig config;
  config.max_receive_count = 1;
  Recreate(config, nullptr);
  ASSERT_OK(Send("g", "m").status());
  for (int i = 0; i < 3; ++i) {
    ASSERT_THAT(Receive(1), SizeIs(1));
    clock_.Advance(kVisibility);
  }
}

// ---- Delay, retention, in-flight cap, counts, purge, moves -------------------------------

TEST_F(FifoQueueTest, QueueDelayHoldsNewMessages) {
  QueueConfig config;
  config.delay = absl::Seconds(10);
  Recreate(config);
  ASSERT_OK(Send("g", "m0").status());
  EXPECT_EQ(queue_->GetCounts().delayed, 1);
  clock_.Advance(absl::Seconds(9));
  EXPECT_THAT(Receive(10), IsEmpty());
  clock_.Advance(absl::Seconds(1));
  EXPECT_THAT(Bodies(Receive(10)), ElementsAre("m0"));
}

TEST_F(FifoQueueTest, DelayedHeadHoldsLaterMessagesOfItsGroup) {
  QueueConfig config;
  config.delay = absl::Seconds(10);
  Recreate(config);
  ASSERT_OK(Send("g", "m0").status());
  config.delay = absl::ZeroDuration();
  queue_->SetConfig(config);
  ASSERT_OK(Send("g", "m1").status());
  EXPECT_THAT(Receive(10), IsEmpty());
  clock_.Advance(absl::Seconds(10));
  EXPECT_THAT(Bodies(Receive(10)), ElementsAre("m0", "m1"));
}

TEST_F(FifoQueueTest, MessagesOlderThanRetentionAreDropped) {
  QueueConfig config;
  config.retention = absl::Seconds(60);
  Recreate(config);
  ASSERT_OK(Send("g", "old").status());
  clock_.Advance(absl::Seconds(30));
  ASSERT_OK(Send("g", "young").status());
  clock_.Advance(absl::Seconds(30));
  EXPECT_THAT(Bodies(Receive(10)), ElementsAre("young"));
}

TEST_F(FifoQueueTest, InFlightCapReturnsNoMessagesInsteadOfAnError) {
  QueueConfig config;
  config.max_inflight = 2;
  Recreate(config);
  for (const char* g : {"a", "b", "c"}) ASSERT_OK(Send(g, "m").status());
  EXPECT_THAT(Receive(10), SizeIs(2));
  EXPECT_THAT(Receive(10), IsEmpty());
}

TEST_F(FifoQueueTest, CountsTrackVisibleInFlightAndDelayed) {
  ASSERT_OK(Send("a", "a0").status());
  ASSERT_OK(Send("a", "a1").status());
  ASSERT_OK(Send("b", "b0").status());
  ASSERT_THAT(Receive(1), SizeIs(1));
  queue_internal::Counts c = queue_->GetCounts();
  EXPECT_EQ(c.visible, 2);
  EXPECT_EQ(c.in_flight, 1);
  EXPECT_EQ(c.delayed, 0);
}

// A purge forgets deduplication ids too: SQS enqueues a send repeating a
// purged message's id (LocalStack test_purge_queue_clears_fifo_deduplication_cache,
// AWS-validated).
TEST_F(FifoQueueTest, PurgeRemovesEverythingAndForgetsDeduplication) {
  ASSERT_OK(Send("a", "a0", "d1").status());
  ASSERT_OK(Send("a", "a1").status());
  std::vector<Delivery> got = Receive(1);
  queue_->Purge();
  queue_internal::Counts c = queue_->GetCounts();
  EXPECT_EQ(c.visible + c.in_flight + c.delayed, 0);
  EXPECT_THAT(Receive(10), IsEmpty());
  EXPECT_THAT(queue_->Delete(got[0].receipt_handle),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
  ASSERT_OK_AND_ASSIGN(SendOutcome again, Send("a", "a0", "d1"));
  EXPECT_FALSE(again.duplicate);
  ASSERT_OK_AND_ASSIGN(SendOutcome dup, Send("a", "a0", "d1"));
  EXPECT_TRUE(dup.duplicate);
  ASSERT_OK(Send("a", "fresh").status());
  EXPECT_THAT(Bodies(Receive(10)), ElementsAre("a0", "fresh"));
}

TEST_F(FifoQueueTest, TakeForMoveRemovesVisibleMessagesInGroupOrderWithoutCountingAReceive) {
  ASSERT_OK(Send("g", "m0").status());
  ASSERT_OK(Send("g", "m1").status());
  ASSERT_OK(Send("h", "h0").status());
  std::vector<Delivery> moved = queue_->TakeForMove(10);
  ASSERT_THAT(moved, SizeIs(3));
  std::vector<std::string> g;
  for (const Delivery& d : moved) {
    EXPECT_EQ(d.receive_count, 0);
    EXPECT_TRUE(d.receipt_handle.empty());
    if (d.message_group_id == "g") g.emplace_back(d.payload->body());
  }
  EXPECT_THAT(g, ElementsAre("m0", "m1"));
  EXPECT_THAT(Receive(10), IsEmpty());
}

TEST_F(FifoQueueTest, TakeForMoveSkipsLockedGroups) {
  ASSERT_OK(Send("g", "m0").status());
  ASSERT_OK(Send("g", "m1").status());
  ASSERT_THAT(Receive(1), SizeIs(1));
  EXPECT_THAT(queue_->TakeForMove(10), IsEmpty());
}

// ---- Long polling --------------------------------------------------------------------------

TEST_F(FifoQueueTest, LongPollReceiverIsWokenBySend) {
  absl::StatusOr<std::vector<Delivery>> got;
  std::thread receiver(
      [&] { got = queue_->Receive(Poll(10, kVisibility, clock_.Now() + absl::Seconds(20))); });
  clock_.AwaitWaiters(1);
  ASSERT_OK(Send("g", "hello").status());
  receiver.join();
  ASSERT_OK(got.status());
  EXPECT_THAT(Bodies(*got), ElementsAre("hello"));
}

TEST_F(FifoQueueTest, LongPollReturnsEmptyAtItsDeadline) {
  absl::StatusOr<std::vector<Delivery>> got;
  std::thread receiver(
      [&] { got = queue_->Receive(Poll(10, kVisibility, clock_.Now() + absl::Seconds(20))); });
  clock_.AwaitWaiters(1);
  clock_.Advance(absl::Seconds(20));
  receiver.join();
  ASSERT_OK(got.status());
  EXPECT_THAT(*got, IsEmpty());
}

TEST_F(FifoQueueTest, LongPollReceiverGetsMessageReturnedByVisibilityExpiry) {
  ASSERT_OK(Send("g", "m0").status());
  ASSERT_THAT(Receive(1, absl::Seconds(10)), SizeIs(1));
  absl::StatusOr<std::vector<Delivery>> got;
  std::thread receiver(
      [&] { got = queue_->Receive(Poll(10, kVisibility, clock_.Now() + absl::Seconds(20))); });
  clock_.AwaitWaiters(1);
  clock_.Advance(absl::Seconds(10));
  receiver.join();
  ASSERT_OK(got.status());
  ASSERT_THAT(Bodies(*got), ElementsAre("m0"));
  EXPECT_EQ((*got)[0].receive_count, 2);
}

TEST_F(FifoQueueTest, LongPollReceiverIsWokenByDeleteUnlockingItsGroup) {
  ASSERT_OK(Send("g", "m0").status());
  ASSERT_OK(Send("g", "m1").status());
  std::vector<Delivery> first = Receive(1);
  absl::StatusOr<std::vector<Delivery>> got;
  std::thread receiver(
      [&] { got = queue_->Receive(Poll(10, kVisibility, clock_.Now() + absl::Seconds(20))); });
  clock_.AwaitWaiters(1);
  ASSERT_OK(queue_->Delete(first[0].receipt_handle));
  receiver.join();
  ASSERT_OK(got.status());
  EXPECT_THAT(Bodies(*got), ElementsAre("m1"));
}

TEST_F(FifoQueueTest, CloseWakesParkedReceivers) {
  absl::StatusOr<std::vector<Delivery>> got;
  std::thread receiver(
      [&] { got = queue_->Receive(Poll(10, kVisibility, clock_.Now() + absl::Seconds(20))); });
  clock_.AwaitWaiters(1);
  queue_->Close();
  receiver.join();
  ASSERT_OK(got.status());
  EXPECT_THAT(*got, IsEmpty());
}

}  // namespace
}  // namespace wharf::fifo_internal
