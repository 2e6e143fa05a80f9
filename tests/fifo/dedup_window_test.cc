// Tests for DedupWindow (broker/fifo/dedup_window.h).

#include "broker/fifo/dedup_window.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "wharf/errors.h"

namespace wharf::fifo_internal {
namespace {

using queue_internal::SendOutcome;
using ::wharf::testing::HasErrorCode;

SendOutcome Outcome(std::string message_id) {
  SendOutcome out;
  out.message_id = std::move(message_id);
  out.sequence_number = "18000000000000000001";
  return out;
}

const absl::Time kStart = absl::FromUnixSeconds(1767225600);

TEST(DedupWindowTest, FirstSendEnqueuesAndDuplicateReturnsItsOutcome) {
  DedupWindow window(absl::Minutes(5));
  int calls = 0;
  auto enqueue = [&]() -> absl::StatusOr<SendOutcome> {
    ++calls;
    return Outcome("id" + std::to_string(calls));
  };
  ASSERT_OK_AND_ASSIGN(SendOutcome first, window.SendOnce("k", kStart, enqueue));
  ASSERT_OK_AND_ASSIGN(SendOutcome dup, window.SendOnce("k", kStart + absl::Seconds(299), enqueue));
  EXPECT_EQ(calls, 1);
  EXPECT_TRUE(dup.duplicate);
  EXPECT_EQ(dup.message_id, first.message_id);
}

TEST(DedupWindowTest, KeyIsForgottenExactlyAtTheEndOfTheWindow) {
  DedupWindow window(absl::Minutes(5));
  auto enqueue = []() -> absl::StatusOr<SendOutcome> { return Outcome("x"); };
  ASSERT_OK(window.SendOnce("k", kStart, enqueue).status());
  ASSERT_OK_AND_ASSIGN(SendOutcome later, window.SendOnce("k", kStart + absl::Minutes(5), enqueue));
  EXPECT_FALSE(later.duplicate);
}

TEST(DedupWindowTest, FailedEnqueueIsNotRemembered) {
  DedupWindow window(absl::Minutes(5));
  auto fail = []() -> absl::StatusOr<SendOutcome> {
    return MakeError(ErrorCode::kInvalidParameterValue, "no");
  };
  EXPECT_THAT(window.SendOnce("k", kStart, fail), HasErrorCode(ErrorCode::kInvalidParameterValue));
  auto ok = []() -> absl::StatusOr<SendOutcome> { return Outcome("x"); };
  ASSERT_OK_AND_ASSIGN(SendOutcome out, window.SendOnce("k", kStart, ok));
  EXPECT_FALSE(out.duplicate);
}

TEST(DedupWindowTest, ExpiredKeysAreDroppedAsTimeMoves) {
  DedupWindow window(absl::Minutes(5));
  auto enqueue = []() -> absl::StatusOr<SendOutcome> { return Outcome("x"); };
  for (int i = 0; i < 100; ++i)
    ASSERT_OK(window.SendOnce("k" + std::to_string(i), kStart, enqueue).status());
  EXPECT_EQ(window.SizeForTesting(), 100u);
  // Touch every shard after the window.
  for (int i = 0; i < 100; ++i) {
    ASSERT_OK(
        window.SendOnce("n" + std::to_string(i), kStart + absl::Minutes(6), enqueue).status());
  }
  EXPECT_EQ(window.SizeForTesting(), 100u);
}

}  // namespace
}  // namespace wharf::fifo_internal
