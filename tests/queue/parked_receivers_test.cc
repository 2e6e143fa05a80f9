// Tests of ParkedReceivers (broker/queue/parked_receivers.h) over a fake
// engine that hands out numbered messages, on a ManualClock: park order,
// one wake per message, re-parking, deadlines through the Scheduler, stops,
// Close, destruction and the blocking receive built on the same waiters.

#include "broker/queue/parked_receivers.h"

#include <atomic>
#include <deque>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "broker/base/mutex.h"
#include "broker/base/scheduler.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "wharf/clock.h"

namespace wharf::queue_internal {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::SizeIs;

// Numbered messages, some visible, some due at a time (as delayed messages
// are). Follows the ReceiveSource protocol: a message is counted in
// `visible_` (seq_cst) before the test calls AnyParked()/Wake.
class FakeSource : public ReceiveSource {
 public:
  explicit FakeSource(Clock& clock) : clock_(clock) {}

  void Add(int n) {
    MutexLock lock(&mu_);
    for (int i = 0; i < n; ++i) ready_.push_back(next_id_++);
    visible_.store(static_cast<int>(ready_.size()), std::memory_order_seq_cst);
  }
  void AddDue(absl::Time at) {
    MutexLock lock(&mu_);
    due_.push_back(at);
  }
  int tries() const { return tries_.load(); }
  // The thread of the last try that found messages.
  std::thread::id last_hit_thread() {
    MutexLock lock(&mu_);
    return last_hit_thread_;
  }

  ReceiveResult TryReceive(const ReceiveArgs& args, int* surfaced) override {
    ++tries_;
    *surfaced += ApplyDueDeadlines();
    MutexLock lock(&mu_);
    std::vector<Delivery> out;
    while (!ready_.empty() && static_cast<int>(out.size()) < args.max_messages) {
      Delivery d;
      d.message_id = absl::StrCat(ready_.front());
      ready_.erase(ready_.begin());
      out.push_back(std::move(d));
    }
    visible_.store(static_cast<int>(ready_.size()), std::memory_order_seq_cst);
    if (!out.empty()) last_hit_thread_ = std::this_thread::get_id();
    return out;
  }
  bool MayHaveMessages() override { return visible_.load(std::memory_order_seq_cst) > 0; }
  int ApplyDueDeadlines() override {
    const absl::Time now = clock_.Now();
    MutexLock lock(&mu_);
    int made_visible = 0;
    for (auto it = due_.begin(); it != due_.end();) {
      if (*it <= now) {
        ready_.push_back(next_id_++);
        it = due_.erase(it);
        ++made_visible;
      } else {
        ++it;
      }
    }
    visible_.store(static_cast<int>(ready_.size()), std::memory_order_seq_cst);
    return made_visible;
  }
  absl::Time NextDeadline() override {
    MutexLock lock(&mu_);
    absl::Time next = absl::InfiniteFuture();
    for (absl::Time t : due_) next = std::min(next, t);
    return next;
  }

 private:
  Clock& clock_;
  Mutex mu_;
  std::vector<int> ready_ ABSL_GUARDED_BY(mu_);
  std::vector<absl::Time> due_ ABSL_GUARDED_BY(mu_);
  int next_id_ ABSL_GUARDED_BY(mu_) = 0;
  std::thread::id last_hit_thread_ ABSL_GUARDED_BY(mu_);
  std::atomic<int> visible_{0};
  std::atomic<int> tries_{0};
};

// What one receive's completion saw. Only touched on the test's thread
// unless a test says otherwise.
struct Outcome {
  int calls = 0;
  std::optional<ReceiveResult> result;

  std::vector<std::string> ids() const {
    std::vector<std::string> out;
    if (result && result->ok()) {
      for (const Delivery& d : **result) out.push_back(d.message_id.str());
    }
    return out;
  }
};

class ParkedReceiversTest : public ::testing::Test {
 protected:
  ParkedReceiversTest()
      : source_(clock_), waiters_(std::make_unique<ParkedReceivers>(source_, clock_, scheduler_)) {}

  ReceiveArgs Args(absl::Duration wait, std::stop_token stop = {}) {
    ReceiveArgs args;
    args.max_messages = 1;
    args.wait_deadline = clock_.Now() + wait;
    args.stop = std::move(stop);
    return args;
  }
  // Starts an asynchronous receive; returns what records its completion
  // (owned by the fixture: it outlives waiters_).
  Outcome& Receive(absl::Duration wait = absl::Seconds(20), std::stop_token stop = {}) {
    Outcome& out = outcomes_.emplace_back();
    waiters_->ReceiveAsync(Args(wait, std::move(stop)), [&out](ReceiveResult r) {
      ++out.calls;
      out.result = std::move(r);
    });
    return out;
  }
  std::vector<Outcome*> ReceiveMany(int n) {
    std::vector<Outcome*> out;
    for (int i = 0; i < n; ++i) out.push_back(&Receive());
    return out;
  }

  ManualClock clock_;
  Scheduler scheduler_{clock_};
  FakeSource source_;
  std::deque<Outcome> outcomes_;
  std::unique_ptr<ParkedReceivers> waiters_;
};

TEST_F(ParkedReceiversTest, AShortPollCompletesInline) {
  Outcome& empty = Receive(absl::ZeroDuration());
  EXPECT_EQ(empty.calls, 1);
  EXPECT_THAT(empty.ids(), IsEmpty());

  source_.Add(1);
  Outcome& got = Receive(absl::ZeroDuration());
  EXPECT_EQ(got.calls, 1);
  EXPECT_THAT(got.ids(), ElementsAre("0"));
  EXPECT_EQ(waiters_->NumParked(), 0);
  EXPECT_EQ(scheduler_.NumPending(), 0u);
}

TEST_F(ParkedReceiversTest, AVisibleMessageCompletesALongPollInlineWithoutParking) {
  source_.Add(1);
  Outcome& got = Receive();
  EXPECT_EQ(got.calls, 1);
  EXPECT_THAT(got.ids(), ElementsAre("0"));
  EXPECT_EQ(scheduler_.NumPending(), 0u);  // No deadline task was needed.
}

TEST_F(ParkedReceiversTest, OneWakeWithTenThousandParkedTriesAndCompletesOnlyTheFirst) {
  constexpr int kParked = 10000;
  std::vector<Outcome*> outcomes = ReceiveMany(kParked);
  ASSERT_EQ(waiters_->NumParked(), kParked);
  const int tries_before = source_.tries();

  source_.Add(1);
  waiters_->Wake(1);

  EXPECT_EQ(source_.tries() - tries_before, 1);  // O(1): no other receive looked.
  EXPECT_EQ(outcomes[0]->calls, 1);
  EXPECT_THAT(outcomes[0]->ids(), ElementsAre("0"));
  for (int i = 1; i < kParked; ++i) ASSERT_EQ(outcomes[i]->calls, 0) << i;
  EXPECT_EQ(waiters_->NumParked(), kParked - 1);
}

TEST_F(ParkedReceiversTest, ParkedReceivesAreServedInParkOrder) {
  std::vector<Outcome*> outcomes = ReceiveMany(3);
  for (int i = 0; i < 3; ++i) {
    source_.Add(1);
    waiters_->Wake(1);
    for (int j = 0; j < 3; ++j) EXPECT_EQ(outcomes[j]->calls, j <= i ? 1 : 0);
  }
  EXPECT_THAT(outcomes[2]->ids(), ElementsAre("2"));
}

TEST_F(ParkedReceiversTest, WakeForSeveralMessagesServesAsManyReceives) {
  std::vector<Outcome*> outcomes = ReceiveMany(5);
  source_.Add(3);
  waiters_->Wake(3);
  EXPECT_THAT(outcomes[0]->ids(), ElementsAre("0"));
  EXPECT_THAT(outcomes[1]->ids(), ElementsAre("1"));
  EXPECT_THAT(outcomes[2]->ids(), ElementsAre("2"));
  EXPECT_EQ(outcomes[3]->calls + outcomes[4]->calls, 0);
}

TEST_F(ParkedReceiversTest, AReceiveThatFindsNothingWhenWokenKeepsItsPlace) {
  Outcome& first = Receive();
  Outcome& second = Receive();
  waiters_->Wake(1);  // A message another receiver already took.
  EXPECT_EQ(first.calls, 0);
  EXPECT_EQ(waiters_->NumParked(), 2);
  source_.Add(1);
  waiters_->Wake(1);
  EXPECT_THAT(first.ids(), ElementsAre("0"));
  EXPECT_EQ(second.calls, 0);
}

TEST_F(ParkedReceiversTest, TheWaitDeadlineCompletesWithNoMessagesInsideAdvance) {
  Outcome& out = Receive(absl::Seconds(20));
  clock_.Advance(absl::Seconds(19));
  EXPECT_EQ(out.calls, 0);
  clock_.Advance(absl::Seconds(1));
  EXPECT_EQ(out.calls, 1);
  ASSERT_OK(*out.result);
  EXPECT_THAT(out.ids(), IsEmpty());
  EXPECT_EQ(waiters_->NumParked(), 0);
  clock_.Advance(absl::Seconds(60));
  EXPECT_EQ(out.calls, 1);
}

TEST_F(ParkedReceiversTest, TheWaitDeadlineMakesOneLastTry) {
  Outcome& out = Receive(absl::Seconds(20));
  source_.AddDue(clock_.Now() + absl::Seconds(20));  // Due with the deadline, no alarm.
  clock_.Advance(absl::Seconds(20));
  EXPECT_THAT(out.ids(), ElementsAre("0"));
}

TEST_F(ParkedReceiversTest, AnEarlierCompletionCancelsTheDeadlineTask) {
  Outcome& out = Receive();
  EXPECT_EQ(scheduler_.NumPending(), 1u);
  source_.Add(1);
  waiters_->Wake(1);
  EXPECT_EQ(out.calls, 1);
  EXPECT_EQ(scheduler_.NumPending(), 0u);
}

TEST_F(ParkedReceiversTest, StoppingTheTokenCompletesWithNoMessages) {
  std::stop_source stop;
  Outcome& out = Receive(absl::Seconds(20), stop.get_token());
  Outcome& other = Receive();
  stop.request_stop();
  EXPECT_EQ(out.calls, 1);
  ASSERT_OK(*out.result);
  EXPECT_THAT(out.ids(), IsEmpty());
  EXPECT_EQ(other.calls, 0);
  EXPECT_EQ(waiters_->NumParked(), 1);
  // The other receive is next in line.
  source_.Add(1);
  waiters_->Wake(1);
  EXPECT_THAT(other.ids(), ElementsAre("0"));
  EXPECT_EQ(out.calls, 1);
}

TEST_F(ParkedReceiversTest, AnAlreadyStoppedTokenCompletesInline) {
  std::stop_source stop;
  stop.request_stop();
  Outcome& out = Receive(absl::Seconds(20), stop.get_token());
  EXPECT_EQ(out.calls, 1);
  EXPECT_EQ(waiters_->NumParked(), 0);
}

TEST_F(ParkedReceiversTest, AStopFromAnotherThreadCompletesOnThatThread) {
  std::stop_source stop;
  std::atomic<int> calls{0};
  std::thread::id completed_on;
  waiters_->ReceiveAsync(Args(absl::Seconds(20), stop.get_token()), [&](ReceiveResult r) {
    EXPECT_OK(r);
    completed_on = std::this_thread::get_id();
    ++calls;
  });
  std::thread stopper([&] { stop.request_stop(); });
  const std::thread::id stopper_id = stopper.get_id();
  stopper.join();
  EXPECT_EQ(calls.load(), 1);
  EXPECT_EQ(completed_on, stopper_id);
}

TEST_F(ParkedReceiversTest, CloseCompletesEveryParkedReceiveAndLaterOnesDoNotPark) {
  std::vector<Outcome*> outcomes = ReceiveMany(3);
  waiters_->Close();
  for (const Outcome* o : outcomes) {
    EXPECT_EQ(o->calls, 1);
    EXPECT_THAT(o->ids(), IsEmpty());
  }
  Outcome& later = Receive();
  EXPECT_EQ(later.calls, 1);
  EXPECT_EQ(waiters_->NumParked(), 0);
  EXPECT_EQ(scheduler_.NumPending(), 0u);
}

TEST_F(ParkedReceiversTest, DestructionCompletesParkedReceivesAndLeavesNoLiveTask) {
  Outcome& out = Receive();
  source_.AddDue(clock_.Now() + absl::Seconds(5));
  waiters_->ArmAlarm(clock_.Now() + absl::Seconds(5));
  waiters_.reset();
  EXPECT_EQ(out.calls, 1);
  EXPECT_THAT(out.ids(), IsEmpty());
  // The alarm task outlives the object; it must not touch it.
  clock_.Advance(absl::Seconds(30));
  EXPECT_EQ(out.calls, 1);
}

TEST_F(ParkedReceiversTest, TheAlarmAppliesDueDeadlinesAndServesOneReceivePerMessage) {
  std::vector<Outcome*> outcomes = ReceiveMany(3);
  // What an engine does when it publishes a deadline while receives wait.
  source_.AddDue(clock_.Now() + absl::Seconds(5));
  source_.AddDue(clock_.Now() + absl::Seconds(5));
  waiters_->ArmAlarm(clock_.Now() + absl::Seconds(5));
  clock_.Advance(absl::Seconds(4));
  EXPECT_EQ(outcomes[0]->calls, 0);
  clock_.Advance(absl::Seconds(1));
  EXPECT_THAT(outcomes[0]->ids(), ElementsAre("0"));
  EXPECT_THAT(outcomes[1]->ids(), ElementsAre("1"));
  EXPECT_EQ(outcomes[2]->calls, 0);
}

TEST_F(ParkedReceiversTest, AParkingReceiveArmsTheAlarmAtTheEarliestDeadline) {
  source_.AddDue(clock_.Now() + absl::Seconds(7));
  source_.AddDue(clock_.Now() + absl::Seconds(3));
  Outcome& first = Receive();
  Outcome& second = Receive();
  clock_.Advance(absl::Seconds(3));
  EXPECT_THAT(first.ids(), ElementsAre("0"));
  EXPECT_EQ(second.calls, 0);
  // The alarm re-arms itself for the next deadline while receives wait.
  clock_.Advance(absl::Seconds(4));
  EXPECT_THAT(second.ids(), ElementsAre("1"));
}

TEST_F(ParkedReceiversTest, ACompletionMayReceiveAgain) {
  Outcome& first = outcomes_.emplace_back();
  Outcome* second = nullptr;
  waiters_->ReceiveAsync(Args(absl::Seconds(20)), [&](ReceiveResult r) {
    ++first.calls;
    first.result = std::move(r);
    second = &Receive();
  });
  source_.Add(1);
  waiters_->Wake(1);
  EXPECT_THAT(first.ids(), ElementsAre("0"));
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(second->calls, 0);
  EXPECT_EQ(waiters_->NumParked(), 1);
  source_.Add(1);
  waiters_->Wake(1);
  EXPECT_THAT(second->ids(), ElementsAre("1"));
}

TEST_F(ParkedReceiversTest, ABlockingReceiveIsWokenLikeAParkedOne) {
  ReceiveResult got;
  std::thread receiver([&] { got = waiters_->Receive(Args(absl::Seconds(20))); });
  clock_.AwaitWaiters(1);  // Blocked in Clock::Await.
  EXPECT_EQ(waiters_->NumParked(), 1);
  source_.Add(1);
  waiters_->Wake(1);
  receiver.join();
  ASSERT_OK(got);
  ASSERT_THAT(*got, SizeIs(1));
  EXPECT_EQ((*got)[0].message_id, "0");
}

TEST_F(ParkedReceiversTest, AWokenBlockingReceiveTriesOnItsOwnThread) {
  ReceiveResult got;
  std::thread::id receiver_id;
  std::thread receiver([&] {
    receiver_id = std::this_thread::get_id();
    got = waiters_->Receive(Args(absl::Seconds(20)));
  });
  clock_.AwaitWaiters(1);
  const int tries_parked = source_.tries();
  source_.Add(1);
  waiters_->Wake(1);  // Hands the receive back to its thread, without a try.
  receiver.join();
  ASSERT_OK(got);
  ASSERT_THAT(*got, SizeIs(1));
  EXPECT_EQ(source_.last_hit_thread(), receiver_id);
  EXPECT_EQ(source_.tries(), tries_parked + 1);
}

TEST_F(ParkedReceiversTest, AWokenBlockingReceiveThatFindsNothingParksAgainAtTheFront) {
  ReceiveResult got;
  std::thread receiver([&] { got = waiters_->Receive(Args(absl::Seconds(20))); });
  clock_.AwaitWaiters(1);
  Outcome& behind = Receive();  // Parked after the blocking one.
  const int tries_parked = source_.tries();
  source_.Add(1);
  int surfaced = 0;
  ASSERT_THAT(*source_.TryReceive(Args(absl::ZeroDuration()), &surfaced), SizeIs(1));  // Taken.
  waiters_->Wake(1);
  // The woken receive tries, finds nothing and parks again, first in line.
  while (source_.tries() < tries_parked + 2 || waiters_->NumParked() < 2) {
    std::this_thread::yield();
  }
  source_.Add(1);
  waiters_->Wake(1);  // Serves the front one.
  EXPECT_EQ(behind.calls, 0);
  if (behind.calls != 0) {  // The blocking receive still waits: free it.
    source_.Add(1);
    waiters_->Wake(1);
  }
  receiver.join();
  ASSERT_OK(got);
  ASSERT_THAT(*got, SizeIs(1));
  EXPECT_EQ((*got)[0].message_id, "1");
  EXPECT_EQ(behind.calls, 0);
}

TEST_F(ParkedReceiversTest, ABlockingReceiveTimesItselfOutOnTheClock) {
  ReceiveResult got;
  std::thread receiver([&] { got = waiters_->Receive(Args(absl::Seconds(20))); });
  clock_.AwaitWaiters(1);
  EXPECT_EQ(scheduler_.NumPending(), 0u);  // No task: the blocked thread times itself.
  clock_.Advance(absl::Seconds(20));
  receiver.join();
  ASSERT_OK(got);
  EXPECT_THAT(*got, IsEmpty());
  EXPECT_EQ(waiters_->NumParked(), 0);
}

TEST_F(ParkedReceiversTest, ABlockingReceiveThatEndsEmptyKeepsItsThreadsSpare) {
  size_t spare_after = 0;
  std::thread receiver([&] {
    std::vector<Delivery> spare;
    spare.reserve(kMaxSpareDeliveries);
    RecycleDeliveries(std::move(spare));  // The thread's spare, lent while it waits.
    ReceiveResult got = waiters_->Receive(Args(absl::Seconds(20)));
    if (got.ok() && got->empty()) spare_after = SpareDeliveries().capacity();
  });
  clock_.AwaitWaiters(1);
  clock_.Advance(absl::Seconds(20));
  receiver.join();
  EXPECT_EQ(spare_after, kMaxSpareDeliveries);
}

TEST_F(ParkedReceiversTest, ABlockingReceiveEndsWhenStoppedOrClosed) {
  std::stop_source stop;
  ReceiveResult stopped, closed;
  std::thread a([&] { stopped = waiters_->Receive(Args(absl::Seconds(20), stop.get_token())); });
  std::thread b([&] { closed = waiters_->Receive(Args(absl::Seconds(20))); });
  clock_.AwaitWaiters(2);
  stop.request_stop();
  a.join();
  ASSERT_OK(stopped);
  EXPECT_THAT(*stopped, IsEmpty());
  waiters_->Close();
  b.join();
  ASSERT_OK(closed);
  EXPECT_THAT(*closed, IsEmpty());
}

}  // namespace
}  // namespace wharf::queue_internal
