// Stress test of blocking receives (QueueCore::Receive with a wait) woken by
// sends, on both engines and the real clock: a woken blocking receive tries
// its receive on its own thread after the wake-up (ParkedReceivers'
// hand-off), so it races with short polls that take the message first, with
// its own wait deadline and with a stop from another thread. Senders send in
// bursts so that receivers park and are woken often; a short-polling thread
// steals messages from woken receivers; one blocking receiver has a short
// wait (its deadline races the hand-off) and one a stop token that a thread
// stops at random.
//
// It checks:
//   * no message is lost: every message sent is received and deleted before
//     a real-time watchdog gives up (a lost wake-up leaves a message visible
//     while every receiver is parked: a failure, not a hang);
//   * none is received twice (the visibility timeout outlasts the test, so
//     at-least-once allows no redelivery here), none unknown;
//   * FIFO: each group's messages are received in send order;
//   * at the end nothing is visible or in flight, and nothing stays parked.
// Seeds are fixed (WHARF_STRESS_SEED overrides). A few seconds at most, also
// under ThreadSanitizer.

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <random>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "broker/base/mutex.h"
#include "broker/base/payload.h"
#include "broker/base/scheduler.h"
#include "broker/fifo/fifo_queue.h"
#include "broker/queue/standard_queue.h"
#include "gtest/gtest.h"
#include "tests/testing/stress_seed.h"
#include "wharf/clock.h"

namespace wharf::queue_internal {
namespace {

constexpr int kSenders = 2;
constexpr int kPerSender = 3000;
constexpr int kMessages = kSenders * kPerSender;
constexpr int kGroups = 8;  // FIFO.

// Message n's body is "n"; FIFO message n is in group n % kGroups.
SendArgs Message(int n, bool fifo) {
  SendArgs args;
  args.payload = base_internal::NewPayload(absl::StrCat(n));
  if (fifo) {
    args.message_group_id = absl::StrCat("group-", n % kGroups);
    args.deduplication_id = absl::StrCat(n);
  }
  return args;
}

class Harness {
 public:
  // `only_long_waits`: no short polls, no short waits, no stops: every
  // receive waits until a send wakes it, so a lost wake-up leaves a message
  // visible with every receiver parked (the last ones cannot be masked).
  Harness(QueueCore& q, Clock& clock, bool fifo, bool only_long_waits)
      : q_(q), clock_(clock), fifo_(fifo), only_long_waits_(only_long_waits) {
    for (auto& s : seen_) s.store(0);
    for (auto& g : last_in_group_) g = -1;
  }

  void Run() {
    const uint32_t seed = wharf::testing::StressSeed(20261207);
    std::vector<std::thread> threads;
    for (int s = 0; s < kSenders; ++s) threads.emplace_back([this, s, seed] { Send(s, seed); });
    // Blocking receivers: two with long waits (one of them max 3), one
    // whose deadline races its wake-ups, one with a stop token.
    threads.emplace_back([this] { Block(1, absl::Seconds(60), /*stoppable=*/false); });
    threads.emplace_back([this] { Block(3, absl::Seconds(60), /*stoppable=*/false); });
    if (only_long_waits_) {
      threads.emplace_back([this] { Block(2, absl::Seconds(60), /*stoppable=*/false); });
      threads.emplace_back([this] { Block(1, absl::Seconds(60), /*stoppable=*/false); });
    } else {
      threads.emplace_back([this] { Block(1, absl::Microseconds(300), /*stoppable=*/false); });
      threads.emplace_back([this] { Block(2, absl::Seconds(60), /*stoppable=*/true); });
      threads.emplace_back([this, seed] { Steal(seed); });
      threads.emplace_back([this, seed] { Stop(seed); });
    }

    // Watchdog on real time: a lost wake-up shows as no progress. The bound
    // only turns a stuck message into a failure, not a hang.
    {
      int last = -1;
      absl::Time last_change = absl::Now();
      MutexLock lock(&mu_);
      while (deleted_.load() < kMessages) {
        const int now_deleted = deleted_.load();
        if (now_deleted != last) {
          last = now_deleted;
          last_change = absl::Now();
        } else if (absl::Now() - last_change > absl::Seconds(30)) {
          ADD_FAILURE() << "stuck at " << now_deleted << " of " << kMessages
                        << " messages deleted; visible " << q_.GetCounts().visible;
          break;
        }
        all_deleted_.WaitWithDeadline(&mu_, absl::Now() + absl::Milliseconds(10));
      }
    }
    done_.store(true);
    q_.Close();  // Ends the parked receives; later ones return at once.
    for (std::thread& t : threads) t.join();

    EXPECT_EQ(deleted_.load(), kMessages);
    for (int n = 0; n < kMessages; ++n) {
      ASSERT_EQ(seen_[n].load(), 1)
          << "message " << n << " received " << seen_[n].load() << " times";
    }
    EXPECT_EQ(errors_.load(), 0);
    const Counts counts = q_.GetCounts();
    EXPECT_EQ(counts.visible, 0);
    EXPECT_EQ(counts.in_flight, 0);
  }

 private:
  void Send(int sender, uint32_t seed) {
    std::mt19937 rng(seed + static_cast<uint32_t>(sender));
    for (int i = 0; i < kPerSender; ++i) {
      const int n = fifo_ ? i * kSenders + sender : sender * kPerSender + i;
      if (!q_.Send(Message(n, fifo_)).ok()) errors_.fetch_add(1);
      // Bursts of 1-4, then a pause that lets the receivers park.
      if (std::uniform_int_distribution<int>(0, 3)(rng) == 0) {
        for (int y = std::uniform_int_distribution<int>(1, 50)(rng); y > 0; --y) {
          std::this_thread::yield();
        }
      }
    }
  }

  void Block(int max, absl::Duration wait, bool stoppable) {
    while (!done_.load()) {
      ReceiveArgs args;
      args.max_messages = max;
      args.visibility_timeout = absl::Hours(1);
      args.wait_deadline = clock_.Now() + wait;
      std::stop_source stop;
      if (stoppable) {
        args.stop = stop.get_token();
        MutexLock lock(&mu_);
        stop_ = stop;
      }
      Take(q_.Receive(args));
    }
  }

  // Short polls that take messages a woken receive was about to try for.
  void Steal(uint32_t seed) {
    std::mt19937 rng(seed + 100);
    while (!done_.load()) {
      ReceiveArgs args;
      args.max_messages = 1;
      args.visibility_timeout = absl::Hours(1);
      args.wait_deadline = absl::InfinitePast();
      Take(q_.Receive(args));
      for (int y = std::uniform_int_distribution<int>(0, 20)(rng); y > 0; --y) {
        std::this_thread::yield();
      }
    }
  }

  void Stop(uint32_t seed) {
    std::mt19937 rng(seed + 200);
    while (!done_.load()) {
      for (int y = std::uniform_int_distribution<int>(1, 200)(rng); y > 0; --y) {
        std::this_thread::yield();
      }
      std::stop_source stop;
      {
        MutexLock lock(&mu_);
        stop = stop_;
      }
      stop.request_stop();
    }
  }

  // Records and deletes what a receive got; returns how many.
  int Take(const ReceiveResult& got) {
    if (!got.ok()) {
      errors_.fetch_add(1);
      return 0;
    }
    for (const Delivery& d : *got) {
      int n = -1;
      if (!absl::SimpleAtoi(std::string(d.payload->body()), &n) || n < 0 || n >= kMessages) {
        ADD_FAILURE() << "unknown message " << d.payload->body();
        errors_.fetch_add(1);
        continue;
      }
      seen_[n].fetch_add(1);
      if (fifo_) {
        // The group is locked until this delete: its next message cannot
        // have been received yet.
        MutexLock lock(&mu_);
        const int g = n % kGroups;
        const int expected = last_in_group_[g] < 0 ? g : last_in_group_[g] + kGroups;
        if (n != expected) {
          ADD_FAILURE() << "group " << g << ": " << n << " after " << last_in_group_[g];
          errors_.fetch_add(1);
        }
        last_in_group_[g] = n;
      }
      if (!q_.Delete(d.receipt_handle).ok()) errors_.fetch_add(1);
      if (deleted_.fetch_add(1) + 1 == kMessages) {
        MutexLock lock(&mu_);
        all_deleted_.SignalAll();
      }
    }
    return static_cast<int>(got->size());
  }

  QueueCore& q_;
  Clock& clock_;
  const bool fifo_;
  const bool only_long_waits_;
  std::atomic<bool> done_{false};
  std::atomic<int> deleted_{0};
  std::atomic<int> errors_{0};
  std::atomic<int> seen_[kMessages];
  Mutex mu_;
  CondVar all_deleted_;
  std::stop_source stop_ ABSL_GUARDED_BY(mu_);
  int last_in_group_[kGroups] ABSL_GUARDED_BY(mu_);
};

void RunStandard(bool only_long_waits) {
  SystemClock clock;
  Scheduler scheduler(clock);
  auto q = NewStandardQueueWithShards(QueueConfig{}, clock, scheduler, nullptr, "arn", 2);
  Harness(*q, clock, /*fifo=*/false, only_long_waits).Run();
}

void RunFifo(bool only_long_waits) {
  SystemClock clock;
  Scheduler scheduler(clock);
  auto q = fifo_internal::NewFifoQueue(QueueConfig{}, clock, scheduler, nullptr, "arn:stress.fifo");
  Harness(*q, clock, /*fifo=*/true, only_long_waits).Run();
}

TEST(BlockingReceiveStressTest, StandardQueueLosesNothingAndDeliversOnce) { RunStandard(false); }

TEST(BlockingReceiveStressTest, StandardQueueLosesNoWakeUp) { RunStandard(true); }

TEST(BlockingReceiveStressTest, FifoQueueLosesNothingAndKeepsGroupOrder) { RunFifo(false); }

TEST(BlockingReceiveStressTest, FifoQueueLosesNoWakeUp) { RunFifo(true); }

}  // namespace
}  // namespace wharf::queue_internal
