// Tests of QueueCore::ReceiveAsync on the FIFO engine (broker/fifo/
// fifo_queue.h): parked receives complete exactly once when a group becomes
// ready for them (send, end of the queue delay, visibility expiry,
// ChangeVisibility to 0, a delete unlocking the group), at their deadline,
// when stopped, closed or destroyed; and a locked group's messages never go
// to a second receive. ManualClock: deadlines fire inside Advance.

#include <deque>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "broker/base/scheduler.h"
#include "broker/fifo/fifo_queue.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "wharf/clock.h"

namespace wharf::fifo_internal {
namespace {

using queue_internal::Delivery;
using queue_internal::Payload;
using queue_internal::QueueConfig;
using queue_internal::QueueCore;
using queue_internal::ReceiveArgs;
using queue_internal::ReceiveResult;
using queue_internal::SendArgs;
using queue_internal::SendOutcome;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::SizeIs;

constexpr absl::Duration kVisibility = absl::Seconds(30);

struct Outcome {
  int calls = 0;
  std::optional<ReceiveResult> result;

  std::vector<std::string> bodies() const {
    std::vector<std::string> out;
    if (result && result->ok()) {
      for (const Delivery& d : **result) out.emplace_back(d.payload->body());
    }
    return out;
  }
  const Delivery& at(size_t i) const { return (**result)[i]; }
};

class FifoQueueAsyncTest : public ::testing::Test {
 protected:
  FifoQueueAsyncTest() { Recreate(QueueConfig{}); }

  void Recreate(const QueueConfig& config) {
    queue_ = NewFifoQueue(config, clock_, scheduler_, nullptr, "arn:aws:sqs:us-east-1:0:q.fifo");
  }

  void Send(const std::string& group, const std::string& body) {
    SendArgs args;
    args.payload = base_internal::NewPayload(body);
    args.message_group_id = group;
    args.deduplication_id = "dedup-" + std::to_string(next_dedup_++);
    ASSERT_OK(queue_->Send(std::move(args)).status());
  }

  ReceiveArgs Args(absl::Duration wait, int max = 10, absl::Duration visibility = kVisibility,
                   std::string attempt_id = "") {
    ReceiveArgs args;
    args.max_messages = max;
    args.visibility_timeout = visibility;
    args.wait_deadline = clock_.Now() + wait;
    args.receive_request_attempt_id = std::move(attempt_id);
    return args;
  }

  // Starts ReceiveAsync; returns what records its completion (owned by the
  // fixture: it outlives the queue).
  Outcome& ReceiveAsync(ReceiveArgs args) {
    Outcome& out = outcomes_.emplace_back();
    queue_->ReceiveAsync(std::move(args), [&out](ReceiveResult r) {
      ++out.calls;
      out.result = std::move(r);
    });
    return out;
  }
  Outcome& LongPoll(int max = 10) { return ReceiveAsync(Args(absl::Seconds(20), max)); }

  std::vector<Delivery> Hold(int max, absl::Duration visibility = kVisibility) {
    auto got = queue_->Receive(Args(absl::ZeroDuration(), max, visibility));
    EXPECT_OK(got.status());
    return got.ok() ? *got : std::vector<Delivery>{};
  }

  ManualClock clock_;
  Scheduler scheduler_{clock_};
  std::deque<Outcome> outcomes_;
  std::unique_ptr<QueueCore> queue_;
  int next_dedup_ = 0;
};

TEST_F(FifoQueueAsyncTest, AShortPollCompletesInline) {
  Outcome& empty = ReceiveAsync(Args(absl::ZeroDuration()));
  ASSERT_EQ(empty.calls, 1);
  EXPECT_THAT(empty.bodies(), IsEmpty());
  Send("g", "a");
  Outcome& got = ReceiveAsync(Args(absl::ZeroDuration()));
  ASSERT_EQ(got.calls, 1);
  EXPECT_THAT(got.bodies(), ElementsAre("a"));
}

// The deduplication window is locked while a send enqueues: the receive
// the send completes runs after, and may send the same key again.
TEST_F(FifoQueueAsyncTest, ACompletionMaySendTheSameDeduplicationIdAgain) {
  auto args = [] {
    SendArgs a;
    a.payload = base_internal::NewPayload("m");
    a.message_group_id = "g";
    a.deduplication_id = "d";
    return a;
  };
  std::optional<absl::StatusOr<SendOutcome>> again;
  Outcome& got = outcomes_.emplace_back();
  queue_->ReceiveAsync(Args(absl::Seconds(20)), [&](ReceiveResult r) {
    ++got.calls;
    got.result = std::move(r);
    again = queue_->Send(args());
  });
  ASSERT_OK_AND_ASSIGN(SendOutcome first, queue_->Send(args()));
  ASSERT_EQ(got.calls, 1);
  EXPECT_THAT(got.bodies(), ElementsAre("m"));
  ASSERT_TRUE(again.has_value());
  ASSERT_OK(*again);
  EXPECT_TRUE((*again)->duplicate);
  EXPECT_EQ((*again)->message_id, first.message_id);
}

TEST_F(FifoQueueAsyncTest, ASendCompletesAParkedReceive) {
  Outcome& got = LongPoll();
  EXPECT_EQ(got.calls, 0);
  Send("g", "hello");
  ASSERT_EQ(got.calls, 1);
  EXPECT_THAT(got.bodies(), ElementsAre("hello"));
  EXPECT_EQ(got.at(0).message_group_id, "g");
}

TEST_F(FifoQueueAsyncTest, TheEndOfTheQueueDelayCompletesAParkedReceive) {
  QueueConfig config;
  config.delay = absl::Seconds(5);
  Recreate(config);
  Send("g", "delayed");
  Outcome& got = LongPoll();
  clock_.Advance(absl::Seconds(4));
  EXPECT_EQ(got.calls, 0);
  clock_.Advance(absl::Seconds(1));
  EXPECT_THAT(got.bodies(), ElementsAre("delayed"));
}

TEST_F(FifoQueueAsyncTest, VisibilityExpiryCompletesAParkedReceiveWithTheHeadOfTheGroup) {
  Send("g", "m0");
  Send("g", "m1");
  ASSERT_THAT(Hold(1, absl::Seconds(10)), SizeIs(1));
  Outcome& got = LongPoll();
  clock_.Advance(absl::Seconds(10));
  ASSERT_EQ(got.calls, 1);
  EXPECT_THAT(got.bodies(), ElementsAre("m0", "m1"));
  EXPECT_EQ(got.at(0).receive_count, 2);
}

TEST_F(FifoQueueAsyncTest, ChangeVisibilityToZeroCompletesAParkedReceive) {
  Send("g", "m0");
  std::vector<Delivery> held = Hold(1);
  Outcome& got = LongPoll();
  ASSERT_OK(queue_->ChangeVisibility(held[0].receipt_handle, absl::ZeroDuration()));
  EXPECT_THAT(got.bodies(), ElementsAre("m0"));
}

TEST_F(FifoQueueAsyncTest, ADeleteThatUnlocksTheGroupCompletesAParkedReceive) {
  Send("g", "m0");
  Send("g", "m1");
  std::vector<Delivery> held = Hold(1);
  Outcome& got = LongPoll();
  EXPECT_EQ(got.calls, 0);  // m1 waits behind m0.
  ASSERT_OK(queue_->Delete(held[0].receipt_handle));
  EXPECT_THAT(got.bodies(), ElementsAre("m1"));
}

TEST_F(FifoQueueAsyncTest, ALockedGroupIsNeverHandedToASecondReceive) {
  Send("g", "g0");
  Send("g", "g1");
  std::vector<Delivery> held = Hold(1);  // g is locked by g0.
  Outcome& first = LongPoll();
  Outcome& second = LongPoll();
  Send("h", "h0");  // Another group: the first parked receive gets only it.
  ASSERT_EQ(first.calls, 1);
  EXPECT_THAT(first.bodies(), ElementsAre("h0"));
  EXPECT_EQ(second.calls, 0);
  Send("g", "g2");  // Joins the locked group: wakes nobody.
  EXPECT_EQ(second.calls, 0);
  ASSERT_OK(queue_->Delete(held[0].receipt_handle));
  ASSERT_EQ(second.calls, 1);
  EXPECT_THAT(second.bodies(), ElementsAre("g1", "g2"));
}

TEST_F(FifoQueueAsyncTest, OneSendWithManyParkedCompletesExactlyOne) {
  std::vector<Outcome*> outcomes;
  for (int i = 0; i < 1000; ++i) outcomes.push_back(&LongPoll());
  Send("g", "one");
  int completed = 0;
  for (const Outcome* o : outcomes) completed += o->calls;
  EXPECT_EQ(completed, 1);
  EXPECT_THAT(outcomes[0]->bodies(), ElementsAre("one"));
}

TEST_F(FifoQueueAsyncTest, TheWaitDeadlineCompletesWithNoMessages) {
  Outcome& got = LongPoll();
  clock_.Advance(absl::Seconds(19));
  EXPECT_EQ(got.calls, 0);
  clock_.Advance(absl::Seconds(1));
  ASSERT_EQ(got.calls, 1);
  ASSERT_OK(got.result->status());
  EXPECT_THAT(got.bodies(), IsEmpty());
}

TEST_F(FifoQueueAsyncTest, StoppingTheTokenCompletesWithNoMessages) {
  std::stop_source stop;
  ReceiveArgs args = Args(absl::Seconds(20));
  args.stop = stop.get_token();
  Outcome& got = ReceiveAsync(std::move(args));
  stop.request_stop();
  ASSERT_EQ(got.calls, 1);
  EXPECT_THAT(got.bodies(), IsEmpty());
}

TEST_F(FifoQueueAsyncTest, CloseAndDestructionCompleteParkedReceives) {
  Outcome& closed = LongPoll();
  queue_->Close();
  ASSERT_EQ(closed.calls, 1);
  EXPECT_THAT(closed.bodies(), IsEmpty());

  Recreate(QueueConfig{});
  Outcome& destroyed = LongPoll();
  queue_.reset();
  ASSERT_EQ(destroyed.calls, 1);
  EXPECT_THAT(destroyed.bodies(), IsEmpty());
  clock_.Advance(absl::Minutes(1));
  EXPECT_EQ(destroyed.calls, 1);
}

TEST_F(FifoQueueAsyncTest, AParkedReceiveRemembersItsAttemptId) {
  Outcome& got = ReceiveAsync(Args(absl::Seconds(20), 10, kVisibility, "attempt-1"));
  Send("g", "m0");
  ASSERT_THAT(got.bodies(), ElementsAre("m0"));
  // A retry with the same attempt id (the reply was lost) gets the same.
  auto again = queue_->Receive(Args(absl::ZeroDuration(), 10, kVisibility, "attempt-1"));
  ASSERT_OK(again.status());
  ASSERT_THAT(*again, SizeIs(1));
  EXPECT_EQ((*again)[0].receipt_handle, got.at(0).receipt_handle);
}

}  // namespace
}  // namespace wharf::fifo_internal
