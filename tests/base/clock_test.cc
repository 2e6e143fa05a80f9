#include "wharf/clock.h"

#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace wharf {
namespace {

TEST(ManualClockTest, MovesOnlyWhenAdvanced) {
  ManualClock clock;
  absl::Time start = clock.Now();
  EXPECT_EQ(clock.Now(), start);
  clock.Advance(absl::Seconds(31));
  EXPECT_EQ(clock.Now(), start + absl::Seconds(31));
}

TEST(ManualClockTest, AwaitReturnsAtOnceWhenDeadlinePassed) {
  ManualClock clock;
  Wakeup wakeup;
  EXPECT_FALSE(clock.Await(wakeup, clock.Now()));
}

TEST(ManualClockTest, AwaitReturnsTrueWhenNotified) {
  ManualClock clock;
  Wakeup wakeup;
  wakeup.Notify();
  EXPECT_TRUE(clock.Await(wakeup, clock.Now() + absl::Hours(1)));
}

TEST(ManualClockTest, AdvancePastDeadlineWakesBlockedWaiter) {
  ManualClock clock;
  Wakeup wakeup;
  absl::Time deadline = clock.Now() + absl::Seconds(20);
  bool notified = true;
  std::thread waiter([&] { notified = clock.Await(wakeup, deadline); });
  clock.AwaitWaiters(1);
  clock.Advance(absl::Seconds(20));
  waiter.join();
  EXPECT_FALSE(notified);
  EXPECT_EQ(clock.NumWaiters(), 0);
}

TEST(ManualClockTest, NotifyWakesBlockedWaiter) {
  ManualClock clock;
  Wakeup wakeup;
  bool notified = false;
  std::thread waiter([&] { notified = clock.Await(wakeup, absl::InfiniteFuture()); });
  clock.AwaitWaiters(1);
  wakeup.Notify();
  waiter.join();
  EXPECT_TRUE(notified);
}

TEST(SystemClockTest, AwaitTimesOutOnRealTime) {
  SystemClock clock;
  Wakeup wakeup;
  absl::Time before = clock.Now();
  EXPECT_FALSE(clock.Await(wakeup, before + absl::Milliseconds(5)));
  EXPECT_GE(clock.Now(), before + absl::Milliseconds(5));
}

}  // namespace
}  // namespace wharf

namespace wharf {
namespace {

TEST(SystemClockTest, AwaitWithInfiniteDeadlineWaitsForNotify) {
  SystemClock clock;
  Wakeup wakeup;
  bool notified = false;
  std::thread waiter([&] { notified = clock.Await(wakeup, absl::InfiniteFuture()); });
  wakeup.Notify();
  waiter.join();
  EXPECT_TRUE(notified);
}

}  // namespace
}  // namespace wharf

namespace wharf {
namespace {

TEST(ManualClockTest, BeforeAdvanceListenersSeeTheOldTimeAndTheNewOne) {
  ManualClock clock(absl::FromUnixSeconds(100));
  std::vector<std::string> calls;
  int before = clock.AddBeforeAdvanceListener([&](absl::Time now, absl::Time to) {
    // Time has not moved yet.
    EXPECT_EQ(clock.Now(), now);
    calls.push_back(
        absl::StrCat("before ", absl::ToUnixSeconds(now), "->", absl::ToUnixSeconds(to)));
  });
  int after = clock.AddAdvanceListener(
      [&] { calls.push_back(absl::StrCat("after ", absl::ToUnixSeconds(clock.Now()))); });
  clock.Advance(absl::Seconds(5));
  clock.SetTime(absl::FromUnixSeconds(90));  // Never backwards: `to` is the current time.
  EXPECT_EQ(calls, (std::vector<std::string>{"before 100->105", "after 105", "before 105->105",
                                             "after 105"}));
  clock.RemoveAdvanceListener(before);
  clock.RemoveAdvanceListener(after);
  clock.Advance(absl::Seconds(1));
  EXPECT_EQ(calls.size(), 4u);
}

}  // namespace
}  // namespace wharf
