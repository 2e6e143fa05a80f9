// Concurrency stress test of Wakeup and Clock::Await, the protocol a blocking
// receive uses (ParkedReceivers::Receive): a waiter publishes a Wakeup that
// lives on its stack in a slot; a notifier that takes it from the slot writes
// a result and notifies it; a waiter whose deadline passes takes its Wakeup
// back, or, if a notifier took it first, waits for that notification. The
// waiter destroys the Wakeup as soon as it returns, racing the end of Notify
// (AddressSanitizer and ThreadSanitizer see a use after that).
// It checks that every round completes exactly once, by notification or by
// deadline, that a notified waiter sees the notifier's result, and that the
// notifiers delivered exactly what the waiters received. Runs on the real
// clock (deadlines of a few microseconds, so notifications race timeouts)
// and on a ManualClock moved by a driver thread.

#include <atomic>
#include <cstdint>
#include <random>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "wharf/clock.h"

namespace wharf {
namespace {

constexpr int kWaiters = 8;
constexpr int kNotifiers = 2;
constexpr int kRounds = 1500;
constexpr uint32_t kSeed = 20261206;

// What a notifier answers to a round's token.
int64_t Answer(int64_t token) { return token * 3 + 1; }

// One waiter's hand-off point.
struct Slot {
  struct Round {
    int64_t token = 0;    // Written by the waiter before it publishes the round.
    int64_t result = -1;  // Written by the notifier before Notify.
    Wakeup wakeup;
  };
  std::atomic<Round*> round{nullptr};
  std::atomic<int64_t> delivered{0};  // Rounds notified by a notifier.
};

struct Totals {
  int64_t notified = 0;
  int64_t timed_out = 0;
};

// Runs kRounds rounds on `slot`; `deadline(rng)` gives each round's deadline.
template <typename Deadline>
Totals Wait(Clock& clock, Slot& slot, int waiter, Deadline deadline) {
  std::mt19937 rng(kSeed + 100 + waiter);
  Totals totals;
  for (int i = 0; i < kRounds; ++i) {
    Slot::Round round;
    round.token = int64_t{waiter} * kRounds + i;
    const absl::Time until = deadline(rng);
    slot.round.store(&round, std::memory_order_release);
    bool notified = false;
    while (!notified && clock.Now() < until) notified = clock.Await(round.wakeup, until);
    if (!notified && slot.round.exchange(nullptr, std::memory_order_acq_rel) == &round) {
      // No notifier has it, and none will.
      EXPECT_FALSE(round.wakeup.HasBeenNotified());
      ++totals.timed_out;
      continue;
    }
    // A notifier took it: it notifies it, whatever the deadline.
    while (!notified) notified = clock.Await(round.wakeup, absl::InfiniteFuture());
    EXPECT_TRUE(round.wakeup.HasBeenNotified());
    EXPECT_EQ(round.result, Answer(round.token)) << "waiter " << waiter << " round " << i;
    ++totals.notified;
    // `round` is destroyed here, possibly while its notifier is still in
    // Notify.
  }
  return totals;
}

// Notifies rounds of random slots until `done`.
void NotifyRounds(std::vector<Slot>& slots, int notifier, const std::atomic<bool>& done) {
  std::mt19937 rng(kSeed + notifier);
  while (!done.load(std::memory_order_acquire)) {
    Slot& slot = slots[rng() % slots.size()];
    Slot::Round* round = slot.round.exchange(nullptr, std::memory_order_acq_rel);
    if (round == nullptr) {
      std::this_thread::yield();
      continue;
    }
    round->result = Answer(round->token);
    slot.delivered.fetch_add(1, std::memory_order_relaxed);
    round->wakeup.Notify();
  }
}

// Runs the waiters and notifiers (and `drive`, on its own thread, until the
// waiters are done) and checks the totals: each round completed once, by
// deadline or by a notification, which nothing lost or invented.
template <typename Deadline, typename Drive>
void RunRounds(Clock& clock, Deadline deadline, Drive drive) {
  std::vector<Slot> slots(kWaiters);
  std::vector<Totals> totals(kWaiters);
  std::atomic<bool> done{false};
  std::vector<std::thread> notifiers;
  for (int n = 0; n < kNotifiers; ++n) {
    notifiers.emplace_back([&, n] { NotifyRounds(slots, n, done); });
  }
  std::thread driver([&] {
    while (!done.load(std::memory_order_acquire)) drive();
  });
  std::vector<std::thread> waiters;
  for (int w = 0; w < kWaiters; ++w) {
    waiters.emplace_back([&, w] { totals[w] = Wait(clock, slots[w], w, deadline); });
  }
  for (std::thread& t : waiters) t.join();
  done.store(true, std::memory_order_release);
  for (std::thread& t : notifiers) t.join();
  driver.join();

  int64_t notified = 0;
  int64_t timed_out = 0;
  for (int w = 0; w < kWaiters; ++w) {
    EXPECT_EQ(totals[w].notified + totals[w].timed_out, kRounds) << "waiter " << w;
    EXPECT_EQ(totals[w].notified, slots[w].delivered.load()) << "waiter " << w;
    EXPECT_EQ(slots[w].round.load(), nullptr);
    notified += totals[w].notified;
    timed_out += totals[w].timed_out;
  }
  // Both outcomes happened, so notifications raced deadlines.
  EXPECT_GT(notified, 0);
  EXPECT_GT(timed_out, 0);
}

TEST(WakeupStressTest, NotifyRacesRealDeadlinesAndDestruction) {
  SystemClock clock;
  RunRounds(
      clock, [&](std::mt19937& rng) { return clock.Now() + absl::Microseconds(rng() % 50); },
      [] { std::this_thread::yield(); });
}

TEST(WakeupStressTest, NotifyRacesManualAdvancesAndDestruction) {
  ManualClock clock;
  RunRounds(
      clock, [&](std::mt19937& rng) { return clock.Now() + absl::Milliseconds(rng() % 1000); },
      [&] { clock.Advance(absl::Milliseconds(250)); });
  EXPECT_EQ(clock.NumWaiters(), 0);
}

}  // namespace
}  // namespace wharf
