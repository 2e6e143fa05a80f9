// Tests of QueueCore::ReceiveAsync on the standard queue engine
// (broker/queue/standard_queue.h): a receive that finds nothing parks,
// holding no thread, and completes exactly once when a message becomes
// visible for it (send, end of delay, visibility expiry, ChangeVisibility to
// 0, a dead-letter move), at its wait deadline, when stopped, or when the
// queue is closed or destroyed. ManualClock: deadlines fire inside Advance.

#include <deque>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "broker/base/scheduler.h"
#include "broker/queue/standard_queue.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "wharf/clock.h"
#include "wharf/errors.h"

namespace wharf::queue_internal {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::SizeIs;
using ::wharf::testing::HasErrorCode;

constexpr absl::Duration kVisibility = absl::Seconds(30);

PayloadRef Body(std::string_view body) { return base_internal::NewPayload(body); }

// What one receive's completion saw; touched on the completing thread, read
// by the test after it is known to have run.
struct Outcome {
  int calls = 0;
  std::optional<ReceiveResult> result;
  std::thread::id thread;

  std::vector<std::string> bodies() const {
    std::vector<std::string> out;
    if (result && result->ok()) {
      for (const Delivery& d : **result) out.emplace_back(d.payload->body());
    }
    return out;
  }
};

class StandardQueueAsyncTest : public ::testing::Test {
 protected:
  StandardQueueAsyncTest() { Reopen(QueueConfig{}); }

  void Reopen(const QueueConfig& config, DeadLetterSink* sink = nullptr) {
    queue_ = NewStandardQueue(config, clock_, scheduler_, sink, "arn:aws:sqs:us-east-1:0:q");
  }

  void Send(std::string body, absl::Duration delay = absl::ZeroDuration()) {
    SendArgs args;
    args.payload = Body(std::move(body));
    args.delay = delay;
    ASSERT_OK(queue_->Send(std::move(args)));
  }

  ReceiveArgs Args(absl::Duration wait, int max = 10, absl::Duration visibility = kVisibility) {
    ReceiveArgs args;
    args.max_messages = max;
    args.visibility_timeout = visibility;
    args.wait_deadline = clock_.Now() + wait;
    return args;
  }

  // Starts ReceiveAsync on `queue`; returns what records its completion
  // (owned by the fixture: it outlives the queues).
  Outcome& ReceiveAsync(ReceiveArgs args, QueueCore* queue = nullptr) {
    Outcome& out = outcomes_.emplace_back();
    (queue != nullptr ? queue : queue_.get())
        ->ReceiveAsync(std::move(args), [&out](ReceiveResult r) {
          ++out.calls;
          out.result = std::move(r);
          out.thread = std::this_thread::get_id();
        });
    return out;
  }
  Outcome& LongPoll(absl::Duration wait = absl::Seconds(20)) { return ReceiveAsync(Args(wait)); }

  // Receives one message (short poll) with `visibility`.
  Delivery Hold(absl::Duration visibility) {
    auto got = queue_->Receive(Args(absl::ZeroDuration(), 1, visibility));
    EXPECT_OK(got);
    EXPECT_THAT(*got, SizeIs(1));
    return got.ok() && !got->empty() ? (*got)[0] : Delivery{};
  }

  ManualClock clock_;
  Scheduler scheduler_{clock_};
  std::deque<Outcome> outcomes_;
  std::unique_ptr<QueueCore> queue_;
};

TEST_F(StandardQueueAsyncTest, AShortPollCompletesInline) {
  Outcome& empty = ReceiveAsync(Args(absl::ZeroDuration()));
  ASSERT_EQ(empty.calls, 1);
  ASSERT_OK(*empty.result);
  EXPECT_THAT(empty.bodies(), IsEmpty());

  Send("a");
  Outcome& got = ReceiveAsync(Args(absl::ZeroDuration()));
  ASSERT_EQ(got.calls, 1);
  EXPECT_THAT(got.bodies(), ElementsAre("a"));
}

TEST_F(StandardQueueAsyncTest, ALongPollWithAVisibleMessageCompletesInline) {
  Send("a");
  Outcome& got = LongPoll();
  ASSERT_EQ(got.calls, 1);
  EXPECT_THAT(got.bodies(), ElementsAre("a"));
  EXPECT_EQ(got.thread, std::this_thread::get_id());
}

TEST_F(StandardQueueAsyncTest, ASendCompletesAParkedReceiveBeforeItReturns) {
  Outcome& got = LongPoll();
  EXPECT_EQ(got.calls, 0);
  std::thread sender([this] { Send("wake"); });
  const std::thread::id sender_id = sender.get_id();
  sender.join();
  ASSERT_EQ(got.calls, 1);
  EXPECT_THAT(got.bodies(), ElementsAre("wake"));
  EXPECT_EQ(got.thread, sender_id);  // Completed by the sender.
  // It was received: in flight for the visibility timeout.
  EXPECT_EQ(queue_->GetCounts().in_flight, 1);
  ASSERT_OK(queue_->Delete((*got.result)->front().receipt_handle));
  EXPECT_EQ(queue_->GetCounts().in_flight, 0);
}

TEST_F(StandardQueueAsyncTest, TheEndOfADelayCompletesAParkedReceive) {
  Send("delayed", absl::Seconds(5));
  Outcome& got = LongPoll();
  clock_.Advance(absl::Seconds(4));
  EXPECT_EQ(got.calls, 0);
  clock_.Advance(absl::Seconds(1));
  ASSERT_EQ(got.calls, 1);
  EXPECT_THAT(got.bodies(), ElementsAre("delayed"));
}

TEST_F(StandardQueueAsyncTest, ADelayedSendWhileParkedCompletesItWhenDue) {
  Outcome& got = LongPoll();
  Send("later", absl::Seconds(3));
  clock_.Advance(absl::Seconds(3));
  ASSERT_EQ(got.calls, 1);
  EXPECT_THAT(got.bodies(), ElementsAre("later"));
}

TEST_F(StandardQueueAsyncTest, VisibilityExpiryCompletesAParkedReceive) {
  Send("retry");
  Hold(absl::Seconds(10));
  Outcome& got = LongPoll();
  clock_.Advance(absl::Seconds(9));
  EXPECT_EQ(got.calls, 0);
  clock_.Advance(absl::Seconds(1));
  ASSERT_EQ(got.calls, 1);
  ASSERT_THAT(got.bodies(), ElementsAre("retry"));
  EXPECT_EQ((**got.result)[0].receive_count, 2);
}

TEST_F(StandardQueueAsyncTest, AVisibilityShortenedWhileParkedCompletesItAtTheNewDeadline) {
  Send("m");
  Delivery held = Hold(absl::Seconds(60));
  Outcome& got = LongPoll();
  ASSERT_OK(queue_->ChangeVisibility(held.receipt_handle, absl::Seconds(4)));
  clock_.Advance(absl::Seconds(4));
  ASSERT_EQ(got.calls, 1);
  EXPECT_THAT(got.bodies(), ElementsAre("m"));
}

TEST_F(StandardQueueAsyncTest, AVisibilityStartedByAnotherReceiveWhileParkedIsWaitedFor) {
  Outcome& parked = LongPoll();
  Send("m");  // Completes `parked`, which holds it for kVisibility.
  ASSERT_EQ(parked.calls, 1);
  Outcome& next = LongPoll();
  clock_.Advance(kVisibility);
  ASSERT_EQ(next.calls, 1);
  EXPECT_THAT(next.bodies(), ElementsAre("m"));
}

TEST_F(StandardQueueAsyncTest, ChangeVisibilityToZeroCompletesAParkedReceive) {
  Send("a");
  Delivery held = Hold(absl::Seconds(60));
  Outcome& got = LongPoll();
  ASSERT_OK(queue_->ChangeVisibility(held.receipt_handle, absl::ZeroDuration()));
  ASSERT_EQ(got.calls, 1);
  EXPECT_THAT(got.bodies(), ElementsAre("a"));
}

TEST_F(StandardQueueAsyncTest, TheWaitDeadlineCompletesWithNoMessages) {
  Outcome& got = LongPoll(absl::Seconds(20));
  clock_.Advance(absl::Seconds(19));
  EXPECT_EQ(got.calls, 0);
  clock_.Advance(absl::Seconds(1));
  ASSERT_EQ(got.calls, 1);
  ASSERT_OK(*got.result);
  EXPECT_THAT(got.bodies(), IsEmpty());
  clock_.Advance(absl::Minutes(1));
  EXPECT_EQ(got.calls, 1);
}

TEST_F(StandardQueueAsyncTest, StoppingTheTokenCompletesWithNoMessages) {
  std::stop_source stop;
  ReceiveArgs args = Args(absl::Seconds(20));
  args.stop = stop.get_token();
  Outcome& got = ReceiveAsync(std::move(args));
  EXPECT_EQ(got.calls, 0);
  stop.request_stop();
  ASSERT_EQ(got.calls, 1);
  EXPECT_THAT(got.bodies(), IsEmpty());
  // The message sent next stays for the next receive.
  Send("kept");
  EXPECT_EQ(got.calls, 1);
  EXPECT_EQ(queue_->GetCounts().visible, 1);
}

TEST_F(StandardQueueAsyncTest, CloseCompletesParkedReceivesAndLaterOnesDoNotWait) {
  std::vector<Outcome*> outcomes;
  for (int i = 0; i < 3; ++i) outcomes.push_back(&LongPoll());
  queue_->Close();
  for (const Outcome* o : outcomes) {
    ASSERT_EQ(o->calls, 1);
    EXPECT_THAT(o->bodies(), IsEmpty());
  }
  Outcome& later = LongPoll();
  EXPECT_EQ(later.calls, 1);
  Send("after");  // Still works as a queue.
  Outcome& got = LongPoll();
  EXPECT_THAT(got.bodies(), ElementsAre("after"));
}

TEST_F(StandardQueueAsyncTest, DestroyingTheQueueCompletesParkedReceives) {
  Send("delayed", absl::Seconds(5));  // Leaves an alarm armed behind the queue.
  Outcome& got = LongPoll();
  queue_.reset();
  ASSERT_EQ(got.calls, 1);
  EXPECT_THAT(got.bodies(), IsEmpty());
  clock_.Advance(absl::Seconds(30));  // The queue's Scheduler tasks find it gone.
  EXPECT_EQ(got.calls, 1);
}

TEST_F(StandardQueueAsyncTest, OneSendWithAThousandParkedCompletesExactlyTheFirst) {
  std::vector<Outcome*> outcomes;
  for (int i = 0; i < 1000; ++i) outcomes.push_back(&LongPoll());
  Send("one");
  EXPECT_THAT(outcomes[0]->bodies(), ElementsAre("one"));
  int completed = 0;
  for (const Outcome* o : outcomes) completed += o->calls;
  EXPECT_EQ(completed, 1);
  Send("two");
  EXPECT_THAT(outcomes[1]->bodies(), ElementsAre("two"));
}

TEST_F(StandardQueueAsyncTest, ASendWakesOnlyOneReceiveEvenWhenItCouldTakeMore) {
  Outcome& first = LongPoll();  // Up to 10 messages.
  Outcome& second = LongPoll();
  Send("a");
  EXPECT_THAT(first.bodies(), ElementsAre("a"));
  EXPECT_EQ(second.calls, 0);
}

TEST_F(StandardQueueAsyncTest, TheInFlightCapEndsAParkedReceiveWithOverLimit) {
  QueueConfig config;
  config.max_inflight = 1;
  Reopen(config);
  Outcome& got = LongPoll();
  Send("a");  // Completes `got`: now 1 in flight.
  ASSERT_EQ(got.calls, 1);
  Outcome& over = LongPoll();
  ASSERT_EQ(over.calls, 1);
  EXPECT_THAT(*over.result, HasErrorCode(ErrorCode::kOverLimit));
}

// Places over-received messages into a second queue, as the service's
// redrive does.
class MoveToQueue : public DeadLetterSink {
 public:
  explicit MoveToQueue(QueueCore*& target) : target_(target) {}
  bool Accept(const Delivery& message) override {
    SendArgs args;
    args.payload = message.payload;
    args.message_id = message.message_id;
    args.receive_count = message.receive_count;
    return target_->Send(std::move(args)).ok();
  }

 private:
  QueueCore*& target_;
};

TEST_F(StandardQueueAsyncTest, AMessageArrivingByDeadLetterMoveCompletesAParkedReceive) {
  std::unique_ptr<QueueCore> dlq =
      NewStandardQueue(QueueConfig{}, clock_, scheduler_, nullptr, "arn:aws:sqs:us-east-1:0:dlq");
  QueueCore* target = dlq.get();
  MoveToQueue sink(target);
  QueueConfig config;
  config.max_receive_count = 1;
  Reopen(config, &sink);
  Send("poison");
  Hold(absl::Seconds(1));
  Outcome& on_dlq = ReceiveAsync(Args(absl::Seconds(20)), dlq.get());
  clock_.Advance(absl::Seconds(1));
  // The second receive moves the message instead of returning it.
  Outcome& second = ReceiveAsync(Args(absl::ZeroDuration()));
  ASSERT_EQ(second.calls, 1);
  EXPECT_THAT(second.bodies(), IsEmpty());
  ASSERT_EQ(on_dlq.calls, 1);
  ASSERT_THAT(on_dlq.bodies(), ElementsAre("poison"));
  queue_.reset();  // Before `sink`.
}

}  // namespace
}  // namespace wharf::queue_internal
