// Tests of PlainMutex (broker/queue/plain_mutex.h): mutual exclusion and the
// hand-off to sleeping waiters. Under ThreadSanitizer the unguarded counter
// also checks that Unlock happens-before the next Lock.

#include "broker/queue/plain_mutex.h"

#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace wharf::queue_internal {
namespace {

TEST(PlainMutexTest, ThreadsNeverHoldItTogetherAndNoIncrementIsLost) {
  constexpr int kThreads = 4;  // More than this machine's cores: some sleep.
  constexpr int kRounds = 50000;
  PlainMutex mu;
  int64_t counter = 0;         // Guarded by mu (not annotated: a plain int).
  std::atomic<int> inside{0};  // Threads inside the critical section.
  std::atomic<bool> overlap{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kRounds; ++i) {
        PlainLock lock(&mu);
        if (inside.fetch_add(1, std::memory_order_relaxed) != 0) overlap = true;
        ++counter;
        inside.fetch_sub(1, std::memory_order_relaxed);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_FALSE(overlap.load());
  EXPECT_EQ(counter, int64_t{kThreads} * kRounds);
}

TEST(PlainMutexTest, AThreadBlockedOnTheLockGetsItWhenReleased) {
  PlainMutex mu;
  std::atomic<bool> waiting{false};
  std::atomic<bool> got{false};
  mu.Lock();
  std::thread waiter([&] {
    waiting = true;
    PlainLock lock(&mu);  // Blocks (or sleeps) until the main thread unlocks.
    got = true;
  });
  while (!waiting.load()) std::this_thread::yield();
  EXPECT_FALSE(got.load());
  mu.Unlock();
  waiter.join();
  EXPECT_TRUE(got.load());
  // Free again: the waiter released it.
  PlainLock lock(&mu);
}

}  // namespace
}  // namespace wharf::queue_internal
