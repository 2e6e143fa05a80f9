#include "broker/metrics/stats.h"

#include <cstdint>
#include <vector>

#include "gtest/gtest.h"

namespace wharf::metrics_internal {
namespace {

// RecordAll(values) leaves the same counts, sum and extremes as Record(v)
// for each value.
TEST(SizeStatTest, RecordAllEqualsOneRecordPerValue) {
  const std::vector<uint64_t> values = {256, 1, 256, 70000, 0, 64, 65, 2000000, 256};
  SizeStat each;
  for (uint64_t v : values) each.Record(v);
  SizeStat all;
  all.RecordAll(values);
  EXPECT_EQ(all.Count(), values.size());
  EXPECT_EQ(all.Sum(), each.Sum());
  for (int b = 0; b < kSizeBuckets; ++b) {
    EXPECT_EQ(all.BucketCount(b), each.BucketCount(b)) << "bucket " << b;
  }
  const Extremes::Taken a = all.TakeExtremes();
  EXPECT_EQ(a.min, 0u);
  EXPECT_EQ(a.max, 2000000u);
}

TEST(SizeStatTest, RecordAllOfOneSizeAndOfNothing) {
  SizeStat stat;
  stat.RecordAll({});
  EXPECT_EQ(stat.Count(), 0u);
  EXPECT_FALSE(stat.TakeExtremes().any());
  const std::vector<uint64_t> ten(10, 300);
  stat.RecordAll(ten);
  EXPECT_EQ(stat.Count(), 10u);
  EXPECT_EQ(stat.BucketCount(SizeBucket(300)), 10u);
  EXPECT_EQ(stat.Sum(), 3000u);
  const Extremes::Taken t = stat.TakeExtremes();
  EXPECT_EQ(t.min, 300u);
  EXPECT_EQ(t.max, 300u);
}

}  // namespace
}  // namespace wharf::metrics_internal
