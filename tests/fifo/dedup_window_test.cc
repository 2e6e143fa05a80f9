// Tests for DedupWindow (broker/fifo/dedup_window.h).

#include "broker/fifo/dedup_window.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace wharf::fifo_internal {
namespace {

const absl::Time kStart = absl::FromUnixSeconds(1767225600);
constexpr absl::Duration kWindow = absl::Minutes(5);

// An enqueue that counts its calls and numbers its records.
struct CountingEnqueue {
  int calls = 0;
  DedupWindow::Record operator()() {
    DedupWindow::Record r;
    r.serial = static_cast<uint64_t>(++calls);
    r.message_id.fill('a');
    return r;
  }
};

TEST(DedupWindowTest, FirstSendEnqueuesAndDuplicateReturnsItsRecord) {
  DedupWindow window(kWindow);
  CountingEnqueue enqueue;
  auto [first, first_dup] = window.SendOnce("k", kStart, std::ref(enqueue));
  auto [again, again_dup] =
      window.SendOnce("k", kStart + kWindow - absl::Nanoseconds(1), std::ref(enqueue));
  EXPECT_FALSE(first_dup);
  EXPECT_TRUE(again_dup);
  EXPECT_EQ(enqueue.calls, 1);
  EXPECT_EQ(again.serial, first.serial);
}

TEST(DedupWindowTest, KeyIsForgottenExactlyAtTheEndOfTheWindow) {
  DedupWindow window(kWindow);
  CountingEnqueue enqueue;
  window.SendOnce("k", kStart, std::ref(enqueue));
  auto [later, duplicate] = window.SendOnce("k", kStart + kWindow, std::ref(enqueue));
  EXPECT_FALSE(duplicate);
  EXPECT_EQ(later.serial, 2u);
}

TEST(DedupWindowTest, DistinctKeysAreIndependent) {
  DedupWindow window(kWindow);
  CountingEnqueue enqueue;
  window.SendOnce("a", kStart, std::ref(enqueue));
  EXPECT_FALSE(window.SendOnce("b", kStart, std::ref(enqueue)).second);
  EXPECT_TRUE(window.SendOnce("a", kStart, std::ref(enqueue)).second);
}

TEST(DedupWindowTest, ClearForgetsKeysOfBothGenerations) {
  DedupWindow window(kWindow);
  CountingEnqueue enqueue;
  window.SendOnce("old", kStart, std::ref(enqueue));
  window.SendOnce("new", kStart + absl::Minutes(6), std::ref(enqueue));  // "old" rotated.
  window.Clear();
  EXPECT_EQ(window.SizeForTesting(), 0u);
  EXPECT_FALSE(window.SendOnce("old", kStart + absl::Minutes(6), std::ref(enqueue)).second);
  EXPECT_FALSE(window.SendOnce("new", kStart + absl::Minutes(6), std::ref(enqueue)).second);
  EXPECT_TRUE(window.SendOnce("new", kStart + absl::Minutes(7), std::ref(enqueue)).second);
}

TEST(DedupWindowTest, KeySentLateInAGenerationSurvivesOneRotation) {
  DedupWindow window(kWindow);
  CountingEnqueue enqueue;
  window.SendOnce("first", kStart, std::ref(enqueue));  // Starts a generation.
  window.SendOnce("late", kStart + absl::Minutes(4), std::ref(enqueue));
  // Past the first generation's end: "late" moved to the previous generation.
  EXPECT_TRUE(window.SendOnce("late", kStart + absl::Minutes(8), std::ref(enqueue)).second);
  EXPECT_FALSE(window.SendOnce("first", kStart + absl::Minutes(8), std::ref(enqueue)).second);
}

TEST(DedupWindowTest, OldGenerationsAreDropped) {
  DedupWindow window(kWindow);
  CountingEnqueue enqueue;
  for (int i = 0; i < 100; ++i) window.SendOnce("k" + std::to_string(i), kStart, std::ref(enqueue));
  EXPECT_EQ(window.SizeForTesting(), 100u);
  // Two windows later every shard that is touched drops both generations.
  for (int i = 0; i < 100; ++i) {
    window.SendOnce("k" + std::to_string(i), kStart + 2 * kWindow, std::ref(enqueue));
  }
  EXPECT_EQ(window.SizeForTesting(), 100u);
  EXPECT_EQ(enqueue.calls, 200);
}

TEST(DedupWindowTest, ManyLongKeysSpanningStorageBlocksAreAllRemembered) {
  DedupWindow window(kWindow);
  CountingEnqueue enqueue;
  auto key = [](int i) { return std::string(120, 'k') + std::to_string(i); };
  for (int i = 0; i < 5000; ++i)
    ASSERT_FALSE(window.SendOnce(key(i), kStart, std::ref(enqueue)).second);
  for (int i = 0; i < 5000; ++i) {
    auto [record, duplicate] =
        window.SendOnce(key(i), kStart + absl::Minutes(1), std::ref(enqueue));
    ASSERT_TRUE(duplicate) << i;
    ASSERT_EQ(record.serial, static_cast<uint64_t>(i + 1)) << i;
  }
}

TEST(DedupWindowTest, GenerationStorageIsReusedAfterRotation) {
  DedupWindow window(kWindow);
  CountingEnqueue enqueue;
  for (int round = 0; round < 4; ++round) {
    const absl::Time t = kStart + round * kWindow;
    for (int i = 0; i < 3000; ++i) {
      ASSERT_FALSE(
          window
              .SendOnce("r" + std::to_string(round) + "-" + std::to_string(i), t, std::ref(enqueue))
              .second);
    }
    EXPECT_TRUE(window.SendOnce("r" + std::to_string(round) + "-7", t, std::ref(enqueue)).second);
  }
  EXPECT_LE(window.SizeForTesting(), 6000u);
}

}  // namespace
}  // namespace wharf::fifo_internal
