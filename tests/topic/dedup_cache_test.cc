#include "broker/topic/dedup_cache.h"

#include "broker/topic/delivery_policy.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace wharf::topic_internal {
namespace {

constexpr absl::Time kStart = absl::FromUnixSeconds(1767225600);

TEST(DedupCacheTest, SecondInsertWithinWindowReturnsTheFirstEntry) {
  DedupCache cache;
  EXPECT_FALSE(cache.CheckAndInsert("k", kStart, {"m1", "1"}).has_value());
  auto dup = cache.CheckAndInsert("k", kStart + absl::Minutes(4), {"m2", "2"});
  ASSERT_TRUE(dup.has_value());
  EXPECT_EQ(dup->message_id, "m1");
  EXPECT_EQ(dup->sequence_number, "1");
}

TEST(DedupCacheTest, KeyIsForgottenAfterFiveMinutes) {
  DedupCache cache;
  cache.CheckAndInsert("k", kStart, {"m1", "1"});
  EXPECT_FALSE(cache.CheckAndInsert("k", kStart + absl::Minutes(5), {"m2", "2"}).has_value());
  EXPECT_EQ(cache.size(), 1u);
}

TEST(DeliveryPolicyTest, ManagedPolicyRetriesImmediatelyThenBacksOff) {
  RetryPolicy p = ManagedEndpointRetryPolicy();
  EXPECT_EQ(p.num_retries, 15);
  EXPECT_EQ(p.DelayBeforeRetry(1), absl::ZeroDuration());
  EXPECT_EQ(p.DelayBeforeRetry(3), absl::ZeroDuration());
  EXPECT_EQ(p.DelayBeforeRetry(4), absl::Seconds(1));
  EXPECT_EQ(p.DelayBeforeRetry(5), absl::Seconds(1));
  EXPECT_GE(p.DelayBeforeRetry(6), absl::Seconds(1));
  EXPECT_LT(p.DelayBeforeRetry(6), p.DelayBeforeRetry(10));
  EXPECT_EQ(p.DelayBeforeRetry(15), absl::Seconds(20));
}

TEST(DeliveryPolicyTest, ParsesHealthyRetryPolicy) {
  ASSERT_OK_AND_ASSIGN(
      RetryPolicy p,
      ParseDeliveryPolicy(R"({"healthyRetryPolicy":{"numRetries":4,"numNoDelayRetries":1,)"
                          R"("minDelayTarget":5,"maxDelayTarget":5,"backoffFunction":"linear"}})",
                          RetryPolicy()));
  EXPECT_EQ(p.num_retries, 4);
  EXPECT_EQ(p.DelayBeforeRetry(1), absl::ZeroDuration());
  EXPECT_EQ(p.DelayBeforeRetry(2), absl::Seconds(5));
  EXPECT_EQ(p.DelayBeforeRetry(4), absl::Seconds(5));
}

TEST(DeliveryPolicyTest, RejectsOutOfRangeRetries) {
  EXPECT_FALSE(
      ParseDeliveryPolicy(R"({"healthyRetryPolicy":{"numRetries":101}})", RetryPolicy()).ok());
  EXPECT_FALSE(ParseDeliveryPolicy("not json", RetryPolicy()).ok());
}

}  // namespace
}  // namespace wharf::topic_internal
