// CloudWatch's metric operations through the broker: PutMetricData, every
// statistic and percentile, GetMetricData (ordering, paging), ListMetrics
// (filters, paging), and AWS's validation errors for each parameter.

#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tests/service/cloudwatch_fixture.h"

namespace wharf::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::Eq;
using ::testing::HasSubstr;
using ::testing::Optional;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

class CloudWatchServiceTest : public CloudWatchTest {
 protected:
  void Put(const std::string& name, cloudwatch::MetricDatum datum) {
    datum.metric_name = name;
    ASSERT_OK(cw().PutMetricData({.metric_namespace = "App", .metric_data = {datum}}));
  }
  std::vector<cloudwatch::Datapoint> AppPoints(const std::string& name, int64_t start, int64_t end,
                                               int period, std::vector<std::string> extended = {}) {
    return Points("App", name, {}, start, end, period, std::move(extended));
  }
};

TEST_F(CloudWatchServiceTest, EveryStatisticOfValuesAndCounts) {
  // 1, 2, 3 (twice) and 10 at second 0; 4 at second 30; 100 at second 70.
  // Sorted, the first minute holds 1, 2, 3, 3, 4, 10.
  Put("Latency", {.values = {1, 2, 3, 10}, .counts = {1, 1, 2, 1}, .unit = "Milliseconds"});
  Put("Latency", {.timestamp = T(30), .value = 4, .unit = "Milliseconds"});
  Put("Latency", {.timestamp = T(70), .value = 100, .unit = "Milliseconds"});
  std::vector<cloudwatch::Datapoint> p = AppPoints("Latency", 0, 120, 60);
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[0].unit, "Milliseconds");
  EXPECT_THAT(p[0].sample_count, Optional(6.0));
  EXPECT_THAT(p[0].sum, Optional(23.0));
  EXPECT_THAT(p[0].average, Optional(23.0 / 6));
  EXPECT_THAT(p[0].minimum, Optional(1.0));
  EXPECT_THAT(p[0].maximum, Optional(10.0));
  EXPECT_THAT(p[1].sample_count, Optional(1.0));
  EXPECT_THAT(p[1].sum, Optional(100.0));

  p = AppPoints("Latency", 0, 60, 60, {"p0", "p50", "p66.67", "p90", "p99.9", "p100"});
  ASSERT_EQ(p.size(), 1u);
  EXPECT_FALSE(p[0].sum.has_value());  // Only what was asked.
  EXPECT_THAT(p[0].extended_statistics,
              UnorderedElementsAre(Pair("p0", 1.0), Pair("p50", 3.0), Pair("p66.67", 4.0),
                                   Pair("p90", 10.0), Pair("p99.9", 10.0), Pair("p100", 10.0)));
  // Periods of 30 s split them.
  p = AppPoints("Latency", 0, 60, 30, {"p50"});
  ASSERT_EQ(p.size(), 2u);
  EXPECT_THAT(p[1].extended_statistics, UnorderedElementsAre(Pair("p50", 4.0)));
  p = AppPoints("Latency", 0, 60, 10);
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[1].timestamp, T(30));
}

TEST_F(CloudWatchServiceTest, StatisticSetsHaveNoPercentiles) {
  Put("Batch", {.statistic_values = cloudwatch::StatisticSet{
                    .sample_count = 4, .sum = 20, .minimum = 2, .maximum = 8}});
  std::vector<cloudwatch::Datapoint> p = AppPoints("Batch", 0, 60, 60);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_THAT(p[0].sample_count, Optional(4.0));
  EXPECT_THAT(p[0].average, Optional(5.0));
  EXPECT_EQ(p[0].unit, "None");
  p = AppPoints("Batch", 0, 60, 60, {"p50"});
  ASSERT_EQ(p.size(), 1u);
  EXPECT_TRUE(p[0].extended_statistics.empty());
}

TEST_F(CloudWatchServiceTest, UnitsAreKeptApart) {
  Put("Size", {.value = 1, .unit = "Bytes"});
  Put("Size", {.value = 5, .unit = "Kilobytes"});
  std::vector<cloudwatch::Datapoint> p = AppPoints("Size", 0, 60, 60);
  ASSERT_EQ(p.size(), 2u);  // One per unit.
  cloudwatch::GetMetricStatisticsRequest r{.metric_namespace = "App",
                                           .metric_name = "Size",
                                           .start_time = T(0),
                                           .end_time = T(60),
                                           .period = 60,
                                           .statistics = {"Sum"},
                                           .unit = "Kilobytes"};
  auto result = cw().GetMetricStatistics(r);
  ASSERT_OK(result.status());
  ASSERT_EQ(result->datapoints.size(), 1u);
  EXPECT_THAT(result->datapoints[0].sum, Optional(5.0));
  EXPECT_EQ(result->label, "Size");
}

TEST_F(CloudWatchServiceTest, DimensionsIdentifyTheMetricWhateverTheirOrder) {
  Put("Jobs", {.dimensions = {{"b", "2"}, {"a", "1"}}, .value = 7});
  std::vector<cloudwatch::Datapoint> p = Points("App", "Jobs", {{"a", "1"}, {"b", "2"}}, 0, 60, 60);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_THAT(p[0].sum, Optional(7.0));
  EXPECT_TRUE(Points("App", "Jobs", {{"a", "1"}}, 0, 60, 60).empty());  // Not the same metric.
}

// An unlabelled query's label adds its statistic and period only where the
// request's queries differ in them; units never (LocalStack
// test_label_generation and test_get_metric_data_with_zero_and_labels,
// AWS-validated).
TEST_F(CloudWatchServiceTest, GetMetricDataLabelsNameWhatDiffers) {
  auto labels = [&](std::vector<std::tuple<std::string, int, std::string>> queries) {
    cloudwatch::GetMetricDataRequest r{.start_time = T(0), .end_time = T(60)};
    for (auto& [stat, period, unit] : queries) {
      r.metric_data_queries.push_back(
          {.id = absl::StrCat("q", r.metric_data_queries.size()),
           .metric_stat = cloudwatch::MetricStat{
               .metric = {"App", "metric1", {}}, .period = period, .stat = stat, .unit = unit}});
    }
    std::vector<std::string> out;
    auto result = cw().GetMetricData(r);
    EXPECT_OK(result.status());
    if (result.ok()) {
      for (const auto& m : result->metric_data_results) out.push_back(m.label);
    }
    return out;
  };
  EXPECT_THAT(labels({{"Sum", 60, "Seconds"}, {"Minimum", 30, "Seconds"}}),
              ElementsAre("metric1 Sum 60", "metric1 Minimum 30"));
  EXPECT_THAT(labels({{"Sum", 60, "Seconds"}, {"Minimum", 60, "Milliseconds"}}),
              ElementsAre("metric1 Sum", "metric1 Minimum"));
  EXPECT_THAT(labels({{"Sum", 60, "Seconds"}, {"Sum", 30, "Seconds"}}),
              ElementsAre("metric1 60", "metric1 30"));
  EXPECT_THAT(labels({{"Sum", 60, "Seconds"}, {"Sum", 60, "Milliseconds"}}),
              ElementsAre("metric1", "metric1"));
  EXPECT_THAT(labels({{"Average", 60, ""}}), ElementsAre("metric1"));
}

TEST_F(CloudWatchServiceTest, GetMetricDataOrdersAndPages) {
  for (int s = 0; s < 5; ++s) Put("Hits", {.timestamp = T(s * 60), .value = s + 1.0});
  AdvanceTo(300);
  cloudwatch::GetMetricDataRequest r{
      .metric_data_queries = {{.id = "hits",
                               .metric_stat =
                                   cloudwatch::MetricStat{
                                       .metric = {"App", "Hits", {}}, .period = 60, .stat = "Sum"}},
                              {.id = "count",
                               .metric_stat = cloudwatch::MetricStat{.metric = {"App", "Hits", {}},
                                                                     .period = 120,
                                                                     .stat = "SampleCount"},
                               .label = "samples"}},
      .start_time = T(0),
      .end_time = T(300)};
  auto result = cw().GetMetricData(r);
  ASSERT_OK(result.status());
  ASSERT_EQ(result->metric_data_results.size(), 2u);
  const cloudwatch::MetricDataResult& hits = result->metric_data_results[0];
  EXPECT_EQ(hits.id, "hits");
  EXPECT_EQ(hits.label, "Hits Sum 60");  // The other query's stat and period differ.
  EXPECT_EQ(hits.status_code, "Complete");
  EXPECT_THAT(hits.values, ElementsAre(5, 4, 3, 2, 1));  // TimestampDescending by default.
  EXPECT_THAT(hits.timestamps, ElementsAre(T(240), T(180), T(120), T(60), T(0)));
  EXPECT_EQ(result->metric_data_results[1].label, "samples");
  EXPECT_THAT(result->metric_data_results[1].values, ElementsAre(1, 2, 2));
  EXPECT_TRUE(result->next_token.empty());

  // Ascending, two datapoints per page.
  r.scan_by = "TimestampAscending";
  r.max_datapoints = 2;
  std::vector<double> seen;
  for (int page = 0; page < 10; ++page) {
    result = cw().GetMetricData(r);
    ASSERT_OK(result.status());
    for (const auto& m : result->metric_data_results) {
      seen.insert(seen.end(), m.values.begin(), m.values.end());
    }
    if (result->next_token.empty()) break;
    EXPECT_EQ(result->metric_data_results[0].status_code,
              seen.size() < 5 ? "PartialData" : "Complete");
    r.next_token = result->next_token;
  }
  EXPECT_THAT(seen, ElementsAre(1, 2, 3, 4, 5, 2, 2, 1));

  // ReturnData false leaves a query out.
  r = {.metric_data_queries = {{.id = "hidden",
                                .metric_stat =
                                    cloudwatch::MetricStat{
                                        .metric = {"App", "Hits", {}}, .period = 60, .stat = "p50"},
                                .return_data = false}},
       .start_time = T(0),
       .end_time = T(300)};
  result = cw().GetMetricData(r);
  ASSERT_OK(result.status());
  EXPECT_TRUE(result->metric_data_results.empty());
  r.next_token = "points:99";
  EXPECT_THAT(cw().GetMetricData(r), HasErrorCode(ErrorCode::kCloudWatchInvalidNextToken));
}

TEST_F(CloudWatchServiceTest, ListMetricsFiltersAndPages) {
  Put("A", {.dimensions = {{"Queue", "q1"}, {"Stage", "prod"}}, .value = 1});
  Put("A", {.dimensions = {{"Queue", "q2"}}, .value = 1});
  Put("B", {.value = 1});
  auto all = cw().ListMetrics({.metric_namespace = "App"});
  ASSERT_OK(all.status());
  ASSERT_EQ(all->metrics.size(), 3u);
  auto by_name = cw().ListMetrics({.metric_namespace = "App", .metric_name = "A"});
  ASSERT_OK(by_name.status());
  EXPECT_EQ(by_name->metrics.size(), 2u);
  auto by_dim = cw().ListMetrics({.dimensions = {{.name = "Queue", .value = "q1"}}});
  ASSERT_OK(by_dim.status());
  ASSERT_EQ(by_dim->metrics.size(), 1u);
  EXPECT_EQ(by_dim->metrics[0].dimensions,
            (std::vector<cloudwatch::Dimension>{{"Queue", "q1"}, {"Stage", "prod"}}));
  auto by_dim_name = cw().ListMetrics({.dimensions = {{.name = "Queue"}}});
  ASSERT_OK(by_dim_name.status());
  EXPECT_EQ(by_dim_name->metrics.size(), 2u);
  // RecentlyActive: three hours of the broker's clock.
  AdvanceTo(4 * 3600);
  auto recent = cw().ListMetrics({.metric_namespace = "App", .recently_active = "PT3H"});
  ASSERT_OK(recent.status());
  EXPECT_TRUE(recent->metrics.empty());
  EXPECT_THAT(cw().ListMetrics({.recently_active = "PT1H"}),
              HasErrorCode(ErrorCode::kCloudWatchInvalidParameterValue));

  // Pages of 500.
  std::vector<cloudwatch::MetricDatum> data;
  for (int i = 0; i < 1000; ++i)
    data.push_back({.metric_name = absl::StrCat("m", 1000 + i), .value = 1});
  ASSERT_OK(cw().PutMetricData({.metric_namespace = "Many", .metric_data = data}));
  ASSERT_OK(cw().PutMetricData(
      {.metric_namespace = "Many", .metric_data = {{.metric_name = "z", .value = 1}}}));
  auto page = cw().ListMetrics({.metric_namespace = "Many"});
  ASSERT_OK(page.status());
  EXPECT_EQ(page->metrics.size(), 500u);
  EXPECT_EQ(page->metrics.front().metric_name, "m1000");
  size_t total = page->metrics.size();
  while (!page->next_token.empty()) {
    page = cw().ListMetrics({.metric_namespace = "Many", .next_token = page->next_token});
    ASSERT_OK(page.status());
    total += page->metrics.size();
  }
  EXPECT_EQ(total, 1001u);
  EXPECT_THAT(cw().ListMetrics({.next_token = "bogus"}),
              HasErrorCode(ErrorCode::kCloudWatchInvalidNextToken));
}

TEST_F(CloudWatchServiceTest, PutMetricDataValidation) {
  auto put = [&](std::string ns, cloudwatch::MetricDatum d) {
    return cw().PutMetricData({.metric_namespace = std::move(ns), .metric_data = {std::move(d)}});
  };
  EXPECT_THAT(put("", {.metric_name = "x", .value = 1}),
              HasError(ErrorCode::kCloudWatchMissingParameter, HasSubstr("Namespace")));
  EXPECT_THAT(put("AWS/SQS", {.metric_name = "x", .value = 1}),
              HasErrorCode(ErrorCode::kCloudWatchInvalidParameterValue));
  EXPECT_THAT(put(":x", {.metric_name = "x", .value = 1}),
              HasErrorCode(ErrorCode::kCloudWatchInvalidParameterValue));
  EXPECT_THAT(put(std::string(256, 'n'), {.metric_name = "x", .value = 1}),
              HasErrorCode(ErrorCode::kCloudWatchInvalidParameterValue));
  EXPECT_THAT(cw().PutMetricData({.metric_namespace = "App"}),
              HasErrorCode(ErrorCode::kCloudWatchMissingParameter));
  EXPECT_THAT(put("App", {.metric_name = "", .value = 1}),
              HasError(ErrorCode::kCloudWatchMissingParameter,
                       HasSubstr("MetricData.member.1.MetricName")));
  EXPECT_THAT(put("App", {.metric_name = "x"}),
              HasErrorCode(ErrorCode::kCloudWatchMissingParameter));
  EXPECT_THAT(put("App", {.metric_name = "x", .value = 1, .values = {1}}),
              HasErrorCode(ErrorCode::kCloudWatchInvalidParameterCombination));
  EXPECT_THAT(put("App", {.metric_name = "x", .values = {1, 2}, .counts = {1}}),
              HasErrorCode(ErrorCode::kCloudWatchInvalidParameterValue));
  EXPECT_THAT(put("App", {.metric_name = "x", .values = std::vector<double>(151, 1.0)}),
              HasErrorCode(ErrorCode::kCloudWatchInvalidParameterValue));
  EXPECT_THAT(put("App", {.metric_name = "x", .value = std::nan("")}),
              HasErrorCode(ErrorCode::kCloudWatchInvalidParameterValue));
  EXPECT_THAT(put("App", {.metric_name = "x", .value = 1e200}),
              HasErrorCode(ErrorCode::kCloudWatchInvalidParameterValue));
  EXPECT_THAT(put("App", {.metric_name = "x", .value = 1, .unit = "Furlongs"}),
              HasError(ErrorCode::kCloudWatchInvalidParameterValue, HasSubstr("Count/Second")));
  EXPECT_THAT(put("App", {.metric_name = "x", .value = 1, .storage_resolution = 5}),
              HasErrorCode(ErrorCode::kCloudWatchInvalidParameterValue));
  EXPECT_THAT(put("App", {.metric_name = "x", .timestamp = T(-15 * 86400), .value = 1}),
              HasError(ErrorCode::kCloudWatchInvalidParameterValue, HasSubstr("two weeks")));
  EXPECT_THAT(put("App", {.metric_name = "x", .timestamp = T(3 * 3600), .value = 1}),
              HasError(ErrorCode::kCloudWatchInvalidParameterValue, HasSubstr("two hours")));
  EXPECT_THAT(put("App", {.metric_name = "x",
                          .statistic_values =
                              cloudwatch::StatisticSet{
                                  .sample_count = 0, .sum = 1, .minimum = 1, .maximum = 1}}),
              HasErrorCode(ErrorCode::kCloudWatchInvalidParameterValue));
  std::vector<cloudwatch::Dimension> dims;
  for (int i = 0; i < 31; ++i) dims.push_back({absl::StrCat("d", i), "v"});
  EXPECT_THAT(put("App", {.metric_name = "x", .dimensions = dims, .value = 1}),
              HasErrorCode(ErrorCode::kCloudWatchInvalidParameterValue));
  EXPECT_THAT(put("App", {.metric_name = "x", .dimensions = {{"d", "1"}, {"d", "2"}}, .value = 1}),
              HasErrorCode(ErrorCode::kCloudWatchInvalidParameterValue));
  EXPECT_THAT(put("App", {.metric_name = "x", .dimensions = {{"d", ""}}, .value = 1}),
              HasErrorCode(ErrorCode::kCloudWatchMissingParameter));
  std::vector<cloudwatch::MetricDatum> too_many(1001, {.metric_name = "x", .value = 1});
  EXPECT_THAT(cw().PutMetricData({.metric_namespace = "App", .metric_data = too_many}),
              HasErrorCode(ErrorCode::kCloudWatchInvalidParameterValue));
  // Nothing was recorded by the failed calls.
  auto listed = cw().ListMetrics({.metric_namespace = "App"});
  ASSERT_OK(listed.status());
  EXPECT_TRUE(listed->metrics.empty());
}

// AWS names the two members that clash, and takes Values together with
// StatisticValues (LocalStack test_put_metric_data_validation, AWS-validated).
TEST_F(CloudWatchServiceTest, PutMetricDataValueCombinations) {
  auto put = [&](cloudwatch::MetricDatum d) {
    d.metric_name = "x";
    return cw().PutMetricData({.metric_namespace = "Combo", .metric_data = {std::move(d)}});
  };
  const cloudwatch::StatisticSet set{.sample_count = 10, .sum = 55, .minimum = 1, .maximum = 10};
  EXPECT_THAT(put({.value = 1.5, .values = {1, 10}}),
              HasError(ErrorCode::kCloudWatchInvalidParameterCombination,
                       Eq("The parameters MetricData.member.1.Value and "
                          "MetricData.member.1.Values are mutually exclusive and you have "
                          "specified both.")));
  EXPECT_THAT(put({.value = 1.5, .statistic_values = set}),
              HasError(ErrorCode::kCloudWatchInvalidParameterCombination,
                       Eq("The parameters MetricData.member.1.Value and "
                          "MetricData.member.1.StatisticValues are mutually exclusive and you "
                          "have specified both.")));
  EXPECT_THAT(put({.values = {1, 10}, .counts = {2, 4, 5}}),
              HasError(ErrorCode::kCloudWatchInvalidParameterValue,
                       Eq("The parameters MetricData.member.1.Values and "
                          "MetricData.member.1.Counts must be of the same size.")));
  ASSERT_OK(put({.timestamp = T(0), .statistic_values = set, .values = {1, 10}}));
  auto stats = cw().GetMetricStatistics({.metric_namespace = "Combo",
                                         .metric_name = "x",
                                         .start_time = T(0),
                                         .end_time = T(60),
                                         .period = 60,
                                         .statistics = {"SampleCount", "Sum"}});
  ASSERT_OK(stats.status());
  ASSERT_EQ(stats->datapoints.size(), 1u);
  EXPECT_EQ(stats->datapoints[0].sample_count, 10);
  EXPECT_EQ(stats->datapoints[0].sum, 55);
}

TEST_F(CloudWatchServiceTest, GetMetricStatisticsValidation) {
  cloudwatch::GetMetricStatisticsRequest ok{.metric_namespace = "App",
                                            .metric_name = "x",
                                            .start_time = T(0),
                                            .end_time = T(60),
                                            .period = 60,
                                            .statistics = {"Sum"}};
  ASSERT_OK(cw().GetMetricStatistics(ok).status());
  auto with = [&](auto change) {
    cloudwatch::GetMetricStatisticsRequest r = ok;
    change(r);
    return cw().GetMetricStatistics(r).status();
  };
  using R = cloudwatch::GetMetricStatisticsRequest;
  EXPECT_THAT(with([](R& r) { r.metric_namespace.clear(); }),
              HasErrorCode(ErrorCode::kCloudWatchMissingParameter));
  EXPECT_THAT(with([](R& r) { r.metric_name.clear(); }),
              HasErrorCode(ErrorCode::kCloudWatchMissingParameter));
  EXPECT_THAT(with([](R& r) { r.start_time = absl::InfinitePast(); }),
              HasError(ErrorCode::kCloudWatchMissingParameter, HasSubstr("StartTime")));
  EXPECT_THAT(with([](R& r) { r.period = 0; }),
              HasErrorCode(ErrorCode::kCloudWatchMissingParameter));
  EXPECT_THAT(with([](R& r) { r.period = 45; }),
              HasError(ErrorCode::kCloudWatchInvalidParameterValue, HasSubstr("multiple of 60")));
  EXPECT_THAT(
      with([](R& r) { r.statistics = {"Median"}; }),
      HasError(ErrorCode::kCloudWatchInvalidParameterValue, HasSubstr("Statistics.member.1")));
  EXPECT_THAT(with([](R& r) { r.statistics.clear(); }),
              HasErrorCode(ErrorCode::kCloudWatchInvalidParameterCombination));
  EXPECT_THAT(with([](R& r) { r.extended_statistics = {"p50"}; }),
              HasErrorCode(ErrorCode::kCloudWatchInvalidParameterCombination));
  for (const char* bad : {"p", "p101", "p-1", "P50", "p50.", "p50.123", "pten"}) {
    EXPECT_THAT(with([&](R& r) {
                  r.statistics.clear();
                  r.extended_statistics = {bad};
                }),
                HasErrorCode(ErrorCode::kCloudWatchInvalidParameterValue))
        << bad;
  }
  EXPECT_THAT(with([](R& r) { r.statistics = {"Sum", "Sum", "Sum", "Sum", "Sum", "Sum"}; }),
              HasErrorCode(ErrorCode::kCloudWatchInvalidParameterValue));
  EXPECT_THAT(with([](R& r) { r.unit = "bytes"; }),
              HasErrorCode(ErrorCode::kCloudWatchInvalidParameterValue));
  EXPECT_THAT(with([](R& r) { r.end_time = r.start_time; }),
              HasError(ErrorCode::kCloudWatchInvalidParameterValue,
                       HasSubstr("StartTime must be less than")));
  EXPECT_THAT(with([](R& r) {
                r.period = 1;
                r.end_time = T(1441);
              }),
              HasError(ErrorCode::kCloudWatchInvalidParameterCombination,
                       HasSubstr("1441 datapoints, which exceeds the limit of 1440.")));
  EXPECT_OK(with([](R& r) {
    r.period = 1;
    r.end_time = T(1440);
  }));
}

TEST_F(CloudWatchServiceTest, GetMetricDataValidation) {
  auto query = [](std::string id, std::string stat, int period = 60) {
    return cloudwatch::MetricDataQuery{
        .id = std::move(id),
        .metric_stat = cloudwatch::MetricStat{
            .metric = {"App", "x", {}}, .period = period, .stat = std::move(stat)}};
  };
  auto get = [&](std::vector<cloudwatch::MetricDataQuery> q) {
    return cw().GetMetricData(
        {.metric_data_queries = std::move(q), .start_time = T(0), .end_time = T(60)});
  };
  EXPECT_OK(get({query("a", "Sum")}).status());
  EXPECT_THAT(get({}), HasErrorCode(ErrorCode::kCloudWatchMissingParameter));
  EXPECT_THAT(get({query("A", "Sum")}), HasErrorCode(ErrorCode::kCloudWatchInvalidParameterValue));
  EXPECT_THAT(get({query("a-b", "Sum")}),
              HasErrorCode(ErrorCode::kCloudWatchInvalidParameterValue));
  EXPECT_THAT(get({query("a", "Sum"), query("a", "Sum")}),
              HasErrorCode(ErrorCode::kCloudWatchInvalidParameterValue));
  EXPECT_THAT(get({query("a", "Median")}),
              HasErrorCode(ErrorCode::kCloudWatchInvalidParameterValue));
  EXPECT_THAT(get({query("a", "Sum", 7)}),
              HasErrorCode(ErrorCode::kCloudWatchInvalidParameterValue));
  EXPECT_THAT(get({{.id = "a", .expression = "SUM(METRICS())"}}),
              HasError(ErrorCode::kCloudWatchInvalidParameterValue, HasSubstr("Expression")));
  EXPECT_THAT(get({{.id = "a"}}), HasErrorCode(ErrorCode::kCloudWatchMissingParameter));
  std::vector<cloudwatch::MetricDataQuery> many;
  for (int i = 0; i < 501; ++i) many.push_back(query(absl::StrCat("q", i), "Sum"));
  EXPECT_THAT(get(many), HasErrorCode(ErrorCode::kCloudWatchInvalidParameterValue));
  EXPECT_THAT(cw().GetMetricData({.metric_data_queries = {query("a", "Sum")},
                                  .start_time = T(0),
                                  .end_time = T(60),
                                  .scan_by = "Sideways"}),
              HasErrorCode(ErrorCode::kCloudWatchInvalidParameterValue));
}

}  // namespace
}  // namespace wharf::testing
