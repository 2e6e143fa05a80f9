// The histogram against exact percentiles computed by sorting the same data:
// every reported percentile lies in [exact, exact * (1 + kMaxRelativeError)].

#include "broker/tools/bench/histogram.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "gtest/gtest.h"

namespace wharf::bench {
namespace {

constexpr double kQuantiles[] = {0, 0.001, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999, 0.9999, 1};

// Nearest rank, as Histogram::Percentile defines it.
int64_t ExactPercentile(std::vector<int64_t> sorted, double q) {
  int64_t n = static_cast<int64_t>(sorted.size());
  int64_t rank = std::clamp<int64_t>(static_cast<int64_t>(std::ceil(q * n)), 1, n);
  return sorted[static_cast<size_t>(rank - 1)];
}

void ExpectWithinBound(const std::vector<int64_t>& values, const char* what) {
  Histogram h;
  for (int64_t v : values) h.Record(v);
  std::vector<int64_t> sorted = values;
  std::sort(sorted.begin(), sorted.end());
  ASSERT_EQ(h.count(), static_cast<int64_t>(values.size()));
  EXPECT_EQ(h.min(), sorted.front());
  EXPECT_EQ(h.max(), sorted.back());
  for (double q : kQuantiles) {
    int64_t exact = ExactPercentile(sorted, q);
    int64_t got = h.Percentile(q);
    EXPECT_GE(got, exact) << what << " q=" << q;
    EXPECT_LE(static_cast<double>(got),
              static_cast<double>(exact) * (1 + Histogram::kMaxRelativeError) + 1e-9)
        << what << " q=" << q;
  }
}

TEST(HistogramTest, SmallValuesAreExact) {
  Histogram h;
  for (int64_t v = 0; v < 256; ++v) h.Record(v);
  EXPECT_EQ(h.Percentile(0.5), 127);
  EXPECT_EQ(h.Percentile(1), 255);
  EXPECT_EQ(h.Percentile(0), 0);
  for (int64_t v = 0; v < 256; ++v) EXPECT_EQ(Histogram::IndexOf(v), v);
}

TEST(HistogramTest, BucketsTileTheRangeWithBoundedWidth) {
  // Consecutive buckets touch; the first 2^kSubBits hold one value each, the
  // others are at most 2^-(kSubBits-1) of their low end wide.
  for (int i = 1; i < Histogram::kNumBuckets; ++i) {
    ASSERT_EQ(Histogram::LowestOf(i), Histogram::HighestOf(i - 1) + 1) << i;
    double width = static_cast<double>(Histogram::HighestOf(i) - Histogram::LowestOf(i) + 1);
    if (i < (1 << Histogram::kSubBits)) {
      ASSERT_EQ(width, 1) << i;
    } else {
      ASSERT_LE(width / static_cast<double>(Histogram::LowestOf(i)),
                Histogram::kMaxRelativeError + 1e-12)
          << i;
    }
    ASSERT_EQ(Histogram::IndexOf(Histogram::LowestOf(i)), i);
    ASSERT_EQ(Histogram::IndexOf(Histogram::HighestOf(i)), i);
  }
  EXPECT_EQ(Histogram::HighestOf(Histogram::kNumBuckets - 1), Histogram::kMaxValue);
}

TEST(HistogramTest, PercentilesOfUniformDataAreWithinTheBound) {
  std::mt19937_64 rng(1);
  std::vector<int64_t> values;
  for (int i = 0; i < 100000; ++i) {
    values.push_back(std::uniform_int_distribution<int64_t>(1000, 50'000'000)(rng));
  }
  ExpectWithinBound(values, "uniform");
}

TEST(HistogramTest, PercentilesOfExponentialDataAreWithinTheBound) {
  std::mt19937_64 rng(2);
  std::exponential_distribution<double> exp(1 / 250000.0);
  std::vector<int64_t> values;
  for (int i = 0; i < 100000; ++i) values.push_back(static_cast<int64_t>(exp(rng)));
  ExpectWithinBound(values, "exponential");
}

TEST(HistogramTest, PercentilesOfABimodalTailAreWithinTheBound) {
  // Mostly ~100 us, 2% around one second: the shape of a stall.
  std::mt19937_64 rng(3);
  std::vector<int64_t> values;
  for (int i = 0; i < 50000; ++i) {
    bool slow = std::uniform_int_distribution<int>(0, 49)(rng) == 0;
    values.push_back(slow ? std::uniform_int_distribution<int64_t>(900'000'000, 1'100'000'000)(rng)
                          : std::uniform_int_distribution<int64_t>(80'000, 120'000)(rng));
  }
  ExpectWithinBound(values, "bimodal");
}

TEST(HistogramTest, WideRangeLogUniformDataIsWithinTheBound) {
  std::mt19937_64 rng(4);
  std::vector<int64_t> values;
  for (int i = 0; i < 100000; ++i) {
    double e = std::uniform_real_distribution<double>(0, 12)(rng);  // 1 ns .. 1000 s
    values.push_back(static_cast<int64_t>(std::pow(10, e)));
  }
  ExpectWithinBound(values, "log-uniform");
}

TEST(HistogramTest, OneValueIsReportedExactly) {
  Histogram h;
  h.Record(123456789);
  for (double q : kQuantiles) EXPECT_EQ(h.Percentile(q), 123456789) << q;
  EXPECT_DOUBLE_EQ(h.mean(), 123456789);
}

TEST(HistogramTest, ValuesAboveTheRangeCountInTheTopBucketWithTheExactMax) {
  Histogram h;
  h.Record(Histogram::kMaxValue * 4);
  h.Record(-5);  // Counts as 0.
  EXPECT_EQ(h.count(), 2);
  EXPECT_EQ(h.min(), 0);
  EXPECT_EQ(h.max(), Histogram::kMaxValue * 4);
  EXPECT_EQ(h.Percentile(1), Histogram::kMaxValue * 4);
  EXPECT_EQ(h.Percentile(0.5), 0);
}

TEST(HistogramTest, MergeEqualsRecordingEverythingInOne) {
  std::mt19937_64 rng(5);
  Histogram a;
  Histogram b;
  Histogram all;
  for (int i = 0; i < 20000; ++i) {
    int64_t v = std::uniform_int_distribution<int64_t>(0, 1'000'000'000)(rng);
    (i % 3 == 0 ? a : b).Record(v);
    all.Record(v);
  }
  a.Merge(b);
  EXPECT_EQ(a.count(), all.count());
  EXPECT_EQ(a.min(), all.min());
  EXPECT_EQ(a.max(), all.max());
  for (double q : kQuantiles) EXPECT_EQ(a.Percentile(q), all.Percentile(q)) << q;
  ASSERT_EQ(a.NonEmptyBuckets().size(), all.NonEmptyBuckets().size());
}

TEST(HistogramTest, ResetEmptiesIt) {
  Histogram h;
  h.RecordN(5000, 10);
  EXPECT_EQ(h.count(), 10);
  h.Reset();
  EXPECT_EQ(h.count(), 0);
  EXPECT_EQ(h.max(), 0);
  EXPECT_EQ(h.Percentile(0.99), 0);
  EXPECT_TRUE(h.NonEmptyBuckets().empty());
}

TEST(HistogramTest, NonEmptyBucketsCountEveryValue) {
  Histogram h;
  for (int64_t v : std::vector<int64_t>{1, 1, 300, 301, 5'000'000, 5'000'001, 9'000'000'000}) {
    h.Record(v);
  }
  int64_t total = 0;
  int64_t previous_high = -1;
  for (const Histogram::Bucket& b : h.NonEmptyBuckets()) {
    EXPECT_GT(b.low, previous_high);
    EXPECT_LE(b.low, b.high);
    previous_high = b.high;
    total += b.count;
  }
  EXPECT_EQ(total, 7);
}

}  // namespace
}  // namespace wharf::bench
