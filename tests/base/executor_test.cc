#include "broker/base/executor.h"

#include <atomic>
#include <thread>
#include <vector>

#include "broker/base/mutex.h"
#include "gtest/gtest.h"

namespace wharf {
namespace {

TEST(ManualExecutorTest, NothingRunsUntilDrained) {
  ManualExecutor executor;
  int ran = 0;
  ASSERT_TRUE(executor.Schedule([&] { ++ran; }));
  EXPECT_EQ(ran, 0);
  EXPECT_EQ(executor.NumQueued(), 1u);
  EXPECT_EQ(executor.RunUntilIdle(), 1);
  EXPECT_EQ(ran, 1);
  EXPECT_EQ(executor.RunUntilIdle(), 0);
}

TEST(ManualExecutorTest, DrainRunsTasksThatTasksScheduleInOrder) {
  ManualExecutor executor;
  std::vector<int> order;
  executor.Schedule([&] {
    order.push_back(1);
    executor.Schedule([&] { order.push_back(3); });
  });
  executor.Schedule([&] { order.push_back(2); });
  EXPECT_EQ(executor.RunUntilIdle(), 3);
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
}

TEST(ManualExecutorTest, NestedDrainReturnsAtOnceAndTheOuterOneContinues) {
  ManualExecutor executor;
  int nested = -1;
  bool in_drain = false;
  executor.Schedule([&] {
    in_drain = executor.InDrain();
    executor.Schedule([] {});
    nested = static_cast<int>(executor.RunUntilIdle());
  });
  EXPECT_EQ(executor.RunUntilIdle(), 2);
  EXPECT_EQ(nested, 0);
  EXPECT_TRUE(in_drain);
  EXPECT_FALSE(executor.InDrain());
}

TEST(ManualExecutorTest, ShutdownDropsQueuedTasksAndRefusesNewOnes) {
  ManualExecutor executor;
  auto token = std::make_shared<int>(0);
  executor.Schedule([token] {});
  EXPECT_EQ(token.use_count(), 2);
  executor.Shutdown();
  EXPECT_EQ(token.use_count(), 1);
  EXPECT_FALSE(executor.Schedule([] {}));
  EXPECT_EQ(executor.RunUntilIdle(), 0);
}

TEST(ThreadPoolTest, RunsEveryTaskOnItsWorkers) {
  constexpr int kTasks = 1000;
  ThreadPool pool(3);
  std::atomic<int> ran{0};
  Notification done;
  const std::thread::id self = std::this_thread::get_id();
  std::atomic<bool> on_caller{false};
  for (int i = 0; i < kTasks; ++i) {
    ASSERT_TRUE(pool.Schedule([&] {
      if (std::this_thread::get_id() == self) on_caller = true;
      if (ran.fetch_add(1) + 1 == kTasks) done.Notify();
    }));
  }
  done.WaitForNotification();
  EXPECT_EQ(ran.load(), kTasks);
  EXPECT_FALSE(on_caller.load());
}

TEST(ThreadPoolTest, ShutdownWaitsForRunningTasksAndDropsQueuedOnes) {
  ThreadPool pool(1);
  Notification started;
  Notification release;
  std::atomic<bool> finished{false};
  pool.Schedule([&] {
    started.Notify();
    release.WaitForNotification();
    finished = true;
  });
  std::atomic<bool> queued_ran{false};
  pool.Schedule([&] { queued_ran = true; });
  started.WaitForNotification();
  std::thread stopper([&] { pool.Shutdown(); });
  // Schedule fails once Shutdown has taken the queue (the worker is still
  // busy, so nothing queued has run).
  while (pool.Schedule([&] { queued_ran = true; })) {
  }
  release.Notify();
  stopper.join();
  EXPECT_TRUE(finished.load());
  EXPECT_FALSE(queued_ran.load());
}

TEST(ThreadPoolTest, ATaskMayScheduleMoreTasks) {
  ThreadPool pool(2);
  Notification done;
  pool.Schedule([&] { pool.Schedule([&] { done.Notify(); }); });
  done.WaitForNotification();
}

}  // namespace
}  // namespace wharf
