#include "broker/metrics/metric_store.h"

#include <cmath>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace wharf::metrics_internal {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

constexpr int64_t kT0 = 1767225600;  // 2026-01-01T00:00:00Z, a multiple of 60.

MetricKey Key(std::string name = "NumberOfMessagesSent") {
  return {"AWS/SQS", std::move(name), {{"QueueName", "jobs"}}};
}

std::unique_ptr<Series> NewSeries(absl::Duration second_resolution = absl::Minutes(15),
                                  absl::Duration retention = absl::Hours(24),
                                  Granularity granularity = Granularity::kSecond) {
  return std::make_unique<Series>(Key(), "Count", granularity, second_resolution, retention);
}

TEST(MetricStoreTest, CountsPerSecondAggregateIntoPeriods) {
  auto s = NewSeries();
  // 3 at second 0, 2 more at second 0 (one datapoint: 5), 4 at 59, 7 at 60.
  s->Record(kT0, 1, Mode::kAdd, Sample::Of(3), nullptr, kT0);
  s->Record(kT0, 1, Mode::kAdd, Sample::Of(2), nullptr, kT0);
  s->Record(kT0 + 59, 1, Mode::kAdd, Sample::Of(4), nullptr, kT0 + 59);
  s->Record(kT0 + 60, 1, Mode::kAdd, Sample::Of(7), nullptr, kT0 + 60);
  std::vector<PeriodStats> p = s->Aggregate(kT0, kT0 + 120, 60);
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[0].start, absl::FromUnixSeconds(kT0));
  EXPECT_EQ(p[0].sample, (Sample{2, 9, 4, 5}));
  EXPECT_EQ(p[1].start, absl::FromUnixSeconds(kT0 + 60));
  EXPECT_EQ(p[1].sample, (Sample{1, 7, 7, 7}));
  // Period 1: three datapoints, each its second.
  p = s->Aggregate(kT0, kT0 + 120, 1);
  ASSERT_EQ(p.size(), 3u);
  EXPECT_EQ(p[1].start, absl::FromUnixSeconds(kT0 + 59));
  EXPECT_EQ(p[1].sample.sum, 4);
  // End is exclusive.
  EXPECT_EQ(s->Aggregate(kT0, kT0 + 60, 60).size(), 1u);
  EXPECT_TRUE(s->Aggregate(kT0 + 1, kT0 + 59, 1).empty());
}

TEST(MetricStoreTest, GaugeRunsCostOneCellAndCountOnePerSecond) {
  auto s = NewSeries();
  s->Record(kT0, 600, Mode::kReplace, Sample::Of(4), nullptr, kT0);
  // A new value in the middle splits the run.
  s->Record(kT0 + 90, 1, Mode::kReplace, Sample::Of(9), nullptr, kT0 + 90);
  std::vector<PeriodStats> p = s->Aggregate(kT0, kT0 + 180, 60);
  ASSERT_EQ(p.size(), 3u);
  EXPECT_EQ(p[0].sample, (Sample{60, 240, 4, 4}));
  EXPECT_EQ(p[1].sample, (Sample{60, 59 * 4 + 9, 4, 9}));
  EXPECT_EQ(p[2].sample, (Sample{60, 240, 4, 4}));
  // Replacing the same second again keeps one sample for it.
  s->Record(kT0 + 90, 1, Mode::kReplace, Sample::Of(1), nullptr, kT0 + 90);
  EXPECT_EQ(s->Aggregate(kT0 + 60, kT0 + 120, 60)[0].sample, (Sample{60, 59 * 4 + 1, 1, 4}));
}

TEST(MetricStoreTest, AddingToAZeroRunSplitsIt) {
  auto s = NewSeries();
  s->Record(kT0, 100, Mode::kAdd, Sample::Of(0), nullptr, kT0);
  s->Record(kT0 + 50, 1, Mode::kAdd, Sample::Of(6), nullptr, kT0 + 50);
  std::vector<PeriodStats> p = s->Aggregate(kT0, kT0 + 100, 100);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].sample, (Sample{100, 6, 0, 6}));
}

TEST(MetricStoreTest, MergedSamplesKeepTheirValuesForPercentiles) {
  auto s = NewSeries();
  ValueCounts a = {{1, 1}, {2, 1}, {3, 1}};
  s->Record(kT0, 1, Mode::kMerge, Sample{3, 6, 1, 3}, &a, kT0);
  ValueCounts b = {{3, 1}, {100, 1}};
  s->Record(kT0 + 1, 1, Mode::kMerge, Sample{2, 103, 3, 100}, &b, kT0 + 1);
  s->Record(kT0 + 1, 1, Mode::kMerge, Sample::Of(4), nullptr, kT0 + 1);  // Implied value.
  std::vector<PeriodStats> p = s->Aggregate(kT0, kT0 + 60, 60);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].sample, (Sample{6, 113, 1, 100}));
  ASSERT_TRUE(p[0].values.has_value());
  EXPECT_THAT(*p[0].values,
              ElementsAre(Pair(1, 1), Pair(2, 1), Pair(3, 2), Pair(4, 1), Pair(100, 1)));
  EXPECT_EQ(Percentile(*p[0].values, 50), 3);
  EXPECT_EQ(Percentile(*p[0].values, 100), 100);
  EXPECT_EQ(Percentile(*p[0].values, 0), 1);
  EXPECT_EQ(Percentile(*p[0].values, 90), 100);
  EXPECT_EQ(Percentile(*p[0].values, 80), 4);
}

TEST(MetricStoreTest, StatisticSetsAndNegativeValuesHaveNoPercentiles) {
  auto s = NewSeries();
  s->Record(kT0, 1, Mode::kMerge, Sample{10, 55, 1, 10}, nullptr, kT0);  // A statistic set.
  EXPECT_FALSE(s->Aggregate(kT0, kT0 + 60, 60)[0].values.has_value());
  // min == max: the values are implied, percentiles available.
  s->Record(kT0 + 120, 1, Mode::kMerge, Sample{5, 10, 2, 2}, nullptr, kT0 + 120);
  std::vector<PeriodStats> p = s->Aggregate(kT0 + 120, kT0 + 180, 60);
  ASSERT_TRUE(p[0].values.has_value());
  EXPECT_THAT(*p[0].values, ElementsAre(Pair(2, 5)));
  ValueCounts negative = {{-1, 1}, {5, 1}};
  s->Record(kT0 + 240, 1, Mode::kMerge, Sample{2, 4, -1, 5}, &negative, kT0 + 240);
  EXPECT_FALSE(s->Aggregate(kT0 + 240, kT0 + 300, 60)[0].values.has_value());
}

TEST(MetricStoreTest, PercentileValuesAreRoundedToEightSignificantBits) {
  EXPECT_EQ(RoundForPercentile(200), 200);
  EXPECT_EQ(RoundForPercentile(255), 255);
  EXPECT_EQ(RoundForPercentile(257), 256);
  EXPECT_EQ(RoundForPercentile(0), 0);
  EXPECT_LE(std::fabs(RoundForPercentile(123456.789) - 123456.789) / 123456.789, 1.0 / 128);
  EXPECT_EQ(RoundForPercentile(-3), -3);
}

TEST(MetricStoreTest, PastDataIsInsertedInOrder) {
  auto s = NewSeries();
  s->Record(kT0 + 100, 1, Mode::kMerge, Sample::Of(1), nullptr, kT0 + 100);
  s->Record(kT0 + 10, 1, Mode::kMerge, Sample::Of(2), nullptr, kT0 + 100);
  s->Record(kT0 + 50, 1, Mode::kMerge, Sample::Of(3), nullptr, kT0 + 100);
  std::vector<PeriodStats> p = s->Aggregate(kT0, kT0 + 120, 1);
  ASSERT_EQ(p.size(), 3u);
  EXPECT_EQ(p[0].sample.sum, 2);
  EXPECT_EQ(p[1].sample.sum, 3);
  EXPECT_EQ(p[2].sample.sum, 1);
  EXPECT_EQ(s->LastDataSecond(), kT0 + 100);
}

TEST(MetricStoreTest, OldSecondsFoldIntoMinutes) {
  auto s = NewSeries(/*second_resolution=*/absl::Minutes(2), /*retention=*/absl::Hours(1));
  // Seconds 0..179: value 1 each, one sample per second.
  s->Record(kT0, 180, Mode::kReplace, Sample::Of(1), nullptr, kT0);
  s->Record(kT0 + 30, 1, Mode::kReplace, Sample::Of(7), nullptr, kT0 + 30);
  // Ten minutes later everything is minute data.
  const int64_t now = kT0 + 600;
  s->Record(now, 1, Mode::kReplace, Sample::Of(2), nullptr, now);
  std::vector<PeriodStats> p = s->Aggregate(kT0, kT0 + 180, 60);
  ASSERT_EQ(p.size(), 3u);
  EXPECT_EQ(p[0].sample, (Sample{60, 66, 1, 7}));
  EXPECT_EQ(p[1].sample, (Sample{60, 60, 1, 1}));
  ASSERT_TRUE(p[0].values.has_value());
  EXPECT_THAT(*p[0].values, ElementsAre(Pair(1, 59), Pair(7, 1)));
  // Folded minutes cannot answer sub-minute periods.
  EXPECT_TRUE(s->Aggregate(kT0, kT0 + 180, 30).empty());
  EXPECT_EQ(s->Aggregate(now, now + 10, 10).size(), 1u);
}

TEST(MetricStoreTest, MinuteSeriesHoldOnePointPerMinute) {
  auto s = NewSeries(absl::Minutes(15), absl::Hours(1), Granularity::kMinute);
  const int64_t m0 = kT0 / 60;
  // Counts: two adds in minute 0 stay one sample; zeros for minutes 1-99
  // cost one cell.
  s->RecordMinutes(m0, 1, Mode::kAdd, Sample::Of(1), nullptr, kT0);
  s->RecordMinutes(m0, 1, Mode::kAdd, Sample::Of(2), nullptr, kT0 + 30);
  s->RecordMinutes(m0 + 1, 99, Mode::kAdd, Sample::Of(0), nullptr, kT0 + 30);
  s->RecordMinutes(m0 + 2, 1, Mode::kAdd, Sample::Of(4), nullptr, kT0 + 150);
  std::vector<PeriodStats> p = s->Aggregate(kT0, kT0 + 180, 60);
  ASSERT_EQ(p.size(), 3u);
  EXPECT_EQ(p[0].sample, Sample::Of(3));
  EXPECT_EQ(p[1].sample, Sample::Of(0));
  EXPECT_EQ(p[2].sample, Sample::Of(4));
  p = s->Aggregate(kT0, kT0 + 300, 300);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].sample, (Sample{5, 7, 0, 4}));
  EXPECT_EQ(s->LastDataSecond(), kT0 + 99 * 60);
  // Adding 0 inside the run of zeros leaves it as it was.
  s->RecordMinutes(m0 + 50, 1, Mode::kAdd, Sample::Of(0), nullptr, kT0 + 3000);
  p = s->Aggregate(kT0 + 2940, kT0 + 3120, 60);
  ASSERT_EQ(p.size(), 3u);
  for (const PeriodStats& each : p) EXPECT_EQ(each.sample, Sample::Of(0));
  // A sub-minute period (or a start off the minute) finds each minute at its
  // first second.
  p = s->Aggregate(kT0, kT0 + 120, 10);
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[0].start, absl::FromUnixSeconds(kT0));
  EXPECT_EQ(p[0].sample, Sample::Of(3));
  EXPECT_EQ(p[1].start, absl::FromUnixSeconds(kT0 + 60));
  EXPECT_TRUE(s->Aggregate(kT0 + 1, kT0 + 60, 1).empty());
  p = s->Aggregate(kT0 + 30, kT0 + 150, 60);
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[0].start, absl::FromUnixSeconds(kT0 + 30));
  EXPECT_EQ(p[0].sample, Sample::Of(0));  // Minute 1.
  EXPECT_EQ(p[1].sample, Sample::Of(4));  // Minute 2.
  // Gauges: the newest value replaces the minute's.
  s->RecordMinutes(m0 + 100, 1, Mode::kReplace, Sample::Of(7), nullptr, kT0 + 6000);
  s->RecordMinutes(m0 + 100, 1, Mode::kReplace, Sample::Of(5), nullptr, kT0 + 6030);
  p = s->Aggregate(kT0 + 6000, kT0 + 6060, 60);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].sample, Sample::Of(5));
  // Minutes older than the retention are dropped.
  EXPECT_TRUE(s->Aggregate(kT0, kT0 + 60, 60).empty());
}

TEST(MetricStoreTest, DataOlderThanRetentionIsDropped) {
  auto s = NewSeries(absl::Minutes(1), absl::Minutes(10));
  s->Record(kT0, 1, Mode::kAdd, Sample::Of(5), nullptr, kT0);
  EXPECT_FALSE(s->Maintain(kT0 + 300));
  EXPECT_EQ(s->Aggregate(kT0, kT0 + 60, 60).size(), 1u);
  EXPECT_TRUE(s->Maintain(kT0 + 700));
  EXPECT_TRUE(s->Aggregate(kT0, kT0 + 60, 60).empty());
  EXPECT_EQ(s->LastDataSecond(), std::numeric_limits<int64_t>::min());
  // A record already older than the retention is ignored.
  s->Record(kT0, 1, Mode::kAdd, Sample::Of(5), nullptr, kT0 + 700);
  EXPECT_TRUE(s->Aggregate(kT0, kT0 + 60, 60).empty());
}

TEST(MetricStoreTest, StoreOpensListsAndForgetsSeries) {
  MetricStore store(
      {.second_resolution = absl::Minutes(1), .retention = absl::Minutes(10), .max_series = 2});
  std::shared_ptr<Series> a = store.Open(Key("A"), "Count");
  std::shared_ptr<Series> a_bytes = store.Open(Key("A"), "Bytes");
  ASSERT_NE(a, nullptr);
  ASSERT_NE(a_bytes, nullptr);
  EXPECT_NE(a, a_bytes);
  EXPECT_EQ(store.Open(Key("A"), "Count"), a);
  EXPECT_EQ(store.Open(Key("B"), "Count"), nullptr);  // max_series.
  EXPECT_EQ(store.Find(Key("A")).size(), 2u);
  EXPECT_TRUE(store.Find(Key("B")).empty());

  EXPECT_TRUE(store.List().empty());  // No data yet.
  a->Record(kT0, 1, Mode::kAdd, Sample::Of(1), nullptr, kT0);
  std::vector<MetricStore::Listed> listed = store.List();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].key, Key("A"));
  EXPECT_EQ(listed[0].last_data_second, kT0);

  // Held series survive maintenance; released, empty ones are forgotten.
  store.Maintain(kT0 + 3600);
  EXPECT_EQ(store.NumSeries(), 2u);
  a.reset();
  a_bytes.reset();
  store.Maintain(kT0 + 3600);
  EXPECT_EQ(store.NumSeries(), 0u);
  EXPECT_NE(store.Open(Key("B"), "Count"), nullptr);
}

}  // namespace
}  // namespace wharf::metrics_internal
