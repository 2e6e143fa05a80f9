#include "broker/base/scheduler.h"

#include <vector>

#include "gtest/gtest.h"

namespace wharf {
namespace {

TEST(SchedulerTest, ManualClockRunsDueTasksInsideAdvance) {
  ManualClock clock;
  Scheduler scheduler(clock);
  std::vector<int> ran;
  scheduler.ScheduleAfter(absl::Seconds(20), [&] { ran.push_back(20); });
  scheduler.ScheduleAfter(absl::Seconds(10), [&] { ran.push_back(10); });
  clock.Advance(absl::Seconds(9));
  EXPECT_TRUE(ran.empty());
  clock.Advance(absl::Seconds(11));
  EXPECT_EQ(ran, (std::vector<int>{10, 20}));
  EXPECT_EQ(scheduler.NumPending(), 0u);
}

TEST(SchedulerTest, TaskMayScheduleAnotherThatIsAlreadyDue) {
  ManualClock clock;
  Scheduler scheduler(clock);
  int runs = 0;
  scheduler.ScheduleAfter(absl::Seconds(1), [&] {
    ++runs;
    scheduler.ScheduleAfter(absl::ZeroDuration(), [&] { ++runs; });
  });
  clock.Advance(absl::Seconds(1));
  EXPECT_EQ(runs, 2);
}

TEST(SchedulerTest, CancelledTaskDoesNotRun) {
  ManualClock clock;
  Scheduler scheduler(clock);
  bool ran = false;
  Scheduler::TaskId id = scheduler.ScheduleAfter(absl::Seconds(1), [&] { ran = true; });
  EXPECT_TRUE(scheduler.Cancel(id));
  EXPECT_FALSE(scheduler.Cancel(id));
  clock.Advance(absl::Seconds(5));
  EXPECT_FALSE(ran);
}

TEST(SchedulerTest, ShutdownDropsPendingTasks) {
  ManualClock clock;
  bool ran = false;
  {
    Scheduler scheduler(clock);
    scheduler.ScheduleAfter(absl::Seconds(1), [&] { ran = true; });
  }
  clock.Advance(absl::Seconds(5));
  EXPECT_FALSE(ran);
}

TEST(SchedulerTest, SystemClockRunsTaskOnItsThread) {
  SystemClock clock;
  Scheduler scheduler(clock);
  Notification done;
  scheduler.ScheduleAfter(absl::Milliseconds(1), [&] { done.Notify(); });
  done.WaitForNotification();
  EXPECT_EQ(scheduler.NumPending(), 0u);
}

}  // namespace
}  // namespace wharf
