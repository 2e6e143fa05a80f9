// CloudWatchService: reading metrics (GetMetricStatistics, GetMetricData,
// ListMetrics), publishing them (PutMetricData) and the Prometheus text. See
// cloudwatch_service.h; alarms are in cloudwatch_alarms.cc.

#include "broker/service/cloudwatch_service.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "broker/metrics/prometheus.h"
#include "wharf/errors.h"

namespace wharf::service_internal {
namespace {

using metrics_internal::MetricKey;
using metrics_internal::PeriodStats;
using metrics_internal::Sample;

constexpr int kMaxStatisticsDatapoints = 1440;
constexpr int kMaxMetricDataQueries = 500;
constexpr int kDefaultMaxDatapoints = 100800;
constexpr size_t kMaxMetricData = 1000;
constexpr size_t kMaxValues = 150;
constexpr int kListMetricsPage = 500;
// PutMetricData accepts timestamps this far back and ahead of now.
constexpr absl::Duration kMaxPast = absl::Hours(24 * 14);
constexpr absl::Duration kMaxFuture = absl::Hours(2);

int64_t Seconds(absl::Time t) {
  return absl::ToInt64Seconds(absl::Floor(t - absl::UnixEpoch(), absl::Seconds(1)));
}
int64_t CeilSeconds(absl::Time t) {
  return absl::ToInt64Seconds(absl::Ceil(t - absl::UnixEpoch(), absl::Seconds(1)));
}
int64_t FloorTo(int64_t v, int64_t step) {
  int64_t r = v % step;
  return r < 0 ? v - r - step : v - r;
}

// Where a query's periods start: StartTime rounded down to the period for
// periods under a minute, to the minute otherwise (CloudWatch's rounding for
// data younger than 15 days).
int64_t RoundStart(absl::Time start, int period) {
  return FloorTo(Seconds(start), period < 60 ? period : 60);
}

// CloudWatch accepts values of magnitude 2^-360 to 2^360, and 0.
bool IsAcceptedValue(double v) {
  if (!std::isfinite(v)) return false;
  const double a = std::fabs(v);
  return a == 0 || (a >= std::ldexp(1.0, -360) && a <= std::ldexp(1.0, 360));
}

// Tokens are "<prefix><decimal offset>".
absl::StatusOr<size_t> ParseToken(std::string_view token, std::string_view prefix) {
  if (token.empty()) return 0;
  if (token.substr(0, prefix.size()) != prefix) return InvalidNextTokenError();
  std::string_view digits = token.substr(prefix.size());
  size_t value = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size()) {
    return InvalidNextTokenError();
  }
  return value;
}

void MergeInto(PeriodStats& into, const PeriodStats& from) {
  into.sample.Merge(from.sample);
  if (!into.values.has_value() || !from.values.has_value()) {
    into.values.reset();
    return;
  }
  metrics_internal::ValueCounts merged;
  std::merge(into.values->begin(), into.values->end(), from.values->begin(), from.values->end(),
             std::back_inserter(merged));
  into.values = std::move(merged);
}

}  // namespace

CloudWatchService::CloudWatchService(Options options) : options_(std::move(options)) {}

CloudWatchService::~CloudWatchService() { Shutdown(); }

void CloudWatchService::FlushSampler() {
  if (options_.sampler == nullptr) return;
  const absl::Time now = options_.clock->Now();
  options_.sampler->Flush(now, now);
}

std::vector<std::pair<std::string, std::vector<PeriodStats>>> CloudWatchService::Query(
    const MetricKey& key, std::string_view unit, int64_t start, int64_t end, int64_t period) const {
  std::vector<std::pair<std::string, std::vector<PeriodStats>>> out;
  for (const auto& series : options_.store->Find(key)) {
    if (!unit.empty() && series->unit() != unit) continue;
    out.emplace_back(series->unit(), series->Aggregate(start, end, period));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  return out;
}

absl::StatusOr<cloudwatch::GetMetricStatisticsResult> CloudWatchService::GetMetricStatistics(
    const cloudwatch::GetMetricStatisticsRequest& request) {
  if (absl::Status s = CheckNamespace(request.metric_namespace, "Namespace", false); !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckMetricName(request.metric_name, "MetricName"); !s.ok()) return s;
  if (request.start_time == absl::InfinitePast()) return CloudWatchMissing("StartTime");
  if (request.end_time == absl::InfinitePast()) return CloudWatchMissing("EndTime");
  if (request.period == 0) return CloudWatchMissing("Period");
  if (!IsQueryPeriod(request.period)) {
    return CloudWatchInvalid("The parameter Period must be a multiple of 60.");
  }
  if (request.statistics.empty() == request.extended_statistics.empty()) {
    return CloudWatchCombination(
        "Exactly one of the parameters Statistics and ExtendedStatistics must be specified.");
  }
  if (request.statistics.size() > 5) {
    return CloudWatchInvalid("The collection Statistics must not have a size greater than 5.");
  }
  if (request.extended_statistics.size() > 10) {
    return CloudWatchInvalid(
        "The collection ExtendedStatistics must not have a size greater than 10.");
  }
  std::vector<Stat> stats;
  for (size_t i = 0; i < request.statistics.size(); ++i) {
    std::optional<Stat> stat = ParseStatistic(request.statistics[i]);
    if (!stat) {
      return CloudWatchInvalid(absl::StrCat(
          "The parameter Statistics.member.", i + 1,
          " must be a value in the set [ SampleCount, Average, Sum, Minimum, Maximum ]."));
    }
    stats.push_back(*stat);
  }
  for (size_t i = 0; i < request.extended_statistics.size(); ++i) {
    std::optional<Stat> stat = ParsePercentile(request.extended_statistics[i]);
    if (!stat) {
      return CloudWatchInvalid(absl::StrCat("The value ", request.extended_statistics[i],
                                            " for parameter ExtendedStatistics.member.", i + 1,
                                            " is not a valid percentile (p0.0 - p100)."));
    }
    stats.push_back(*stat);
  }
  absl::StatusOr<metrics_internal::Dimensions> dims =
      CheckDimensions(request.dimensions, "Dimensions");
  if (!dims.ok()) return dims.status();
  if (absl::Status s = CheckUnit(request.unit, "Unit"); !s.ok()) return s;
  if (request.start_time >= request.end_time) {
    return CloudWatchInvalid("The parameter StartTime must be less than the parameter EndTime.");
  }
  const int64_t start = RoundStart(request.start_time, request.period);
  const int64_t end = CeilSeconds(request.end_time);
  // AWS counts the periods in the requested range as given (a day at Period
  // 1 is 86400 whatever its milliseconds) and writes the numbers without
  // separators (LocalStack test_invalid_amount_of_datapoints, AWS-validated).
  const int64_t points = static_cast<int64_t>(
      std::ceil(absl::ToDoubleSeconds(request.end_time - request.start_time) / request.period));
  if (points > kMaxStatisticsDatapoints) {
    return CloudWatchCombination(absl::StrCat(
        "You have requested up to ", points, " datapoints, which exceeds the limit of ",
        kMaxStatisticsDatapoints,
        ". You may reduce the datapoints requested by increasing Period, or decreasing the time "
        "range."));
  }
  FlushSampler();
  cloudwatch::GetMetricStatisticsResult result;
  result.label = request.metric_name;
  MetricKey key{request.metric_namespace, request.metric_name, *std::move(dims)};
  for (auto& [unit, periods] : Query(key, request.unit, start, end, request.period)) {
    for (const PeriodStats& p : periods) {
      cloudwatch::Datapoint& d = result.datapoints.emplace_back();
      d.timestamp = p.start;
      d.unit = unit;
      for (const Stat& stat : stats) {
        std::optional<double> v = StatValue(stat, p);
        switch (stat.kind) {
          case Stat::kSampleCount:
            d.sample_count = v;
            break;
          case Stat::kAverage:
            d.average = v;
            break;
          case Stat::kSum:
            d.sum = v;
            break;
          case Stat::kMinimum:
            d.minimum = v;
            break;
          case Stat::kMaximum:
            d.maximum = v;
            break;
          case Stat::kPercentile:
            if (v.has_value()) d.extended_statistics[stat.name] = *v;
            break;
        }
      }
    }
  }
  std::stable_sort(result.datapoints.begin(), result.datapoints.end(),
                   [](const cloudwatch::Datapoint& a, const cloudwatch::Datapoint& b) {
                     return a.timestamp < b.timestamp;
                   });
  return result;
}

absl::StatusOr<cloudwatch::GetMetricDataResult> CloudWatchService::GetMetricData(
    const cloudwatch::GetMetricDataRequest& request) {
  const auto& queries = request.metric_data_queries;
  if (queries.empty()) return CloudWatchMissing("MetricDataQueries");
  if (queries.size() > kMaxMetricDataQueries) {
    return CloudWatchInvalid(
        "The collection MetricDataQueries must not have a size greater than 500.");
  }
  if (request.start_time == absl::InfinitePast()) return CloudWatchMissing("StartTime");
  if (request.end_time == absl::InfinitePast()) return CloudWatchMissing("EndTime");
  if (request.start_time >= request.end_time) {
    return CloudWatchInvalid("The parameter StartTime must be less than the parameter EndTime.");
  }
  const bool ascending = request.scan_by == "TimestampAscending";
  if (!request.scan_by.empty() && !ascending && request.scan_by != "TimestampDescending") {
    return CloudWatchInvalid(
        "The parameter ScanBy must be a value in the set [ TimestampDescending, "
        "TimestampAscending ].");
  }
  const int max_points = request.max_datapoints.value_or(kDefaultMaxDatapoints);
  if (max_points < 1) {
    return CloudWatchInvalid("The parameter MaxDatapoints must be greater than 0.");
  }
  struct Parsed {
    MetricKey key;
    Stat stat;
    int period;
    std::string unit;
    std::string stat_name;  // As the query gave it, for the label.
  };
  std::vector<Parsed> parsed;
  parsed.reserve(queries.size());
  absl::flat_hash_set<std::string> ids;
  for (size_t i = 0; i < queries.size(); ++i) {
    const cloudwatch::MetricDataQuery& q = queries[i];
    const std::string member = absl::StrCat("MetricDataQueries.member.", i + 1);
    if (q.id.empty()) return CloudWatchMissing(absl::StrCat(member, ".Id"));
    bool id_ok = q.id.size() <= 255 && q.id[0] >= 'a' && q.id[0] <= 'z';
    for (char c : q.id) {
      id_ok = id_ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '_');
    }
    if (!id_ok) {
      return CloudWatchInvalid(absl::StrCat(
          "The value ", q.id, " for parameter ", member,
          ".Id is invalid: it must start with a lowercase letter and contain only letters, "
          "numbers and underscores."));
    }
    if (!ids.insert(q.id).second) {
      return CloudWatchInvalid(absl::StrCat("The value ", q.id, " for parameter ", member,
                                            ".Id is used more than once."));
    }
    if (!q.expression.empty()) {
      return CloudWatchInvalid(absl::StrCat("The parameter ", member,
                                            ".Expression is not supported: wharf answers "
                                            "MetricStat queries only."));
    }
    if (!q.metric_stat.has_value()) return CloudWatchMissing(absl::StrCat(member, ".MetricStat"));
    const cloudwatch::MetricStat& ms = *q.metric_stat;
    if (absl::Status s =
            CheckNamespace(ms.metric.metric_namespace,
                           absl::StrCat(member, ".MetricStat.Metric.Namespace"), false);
        !s.ok()) {
      return s;
    }
    if (absl::Status s = CheckMetricName(ms.metric.metric_name,
                                         absl::StrCat(member, ".MetricStat.Metric.MetricName"));
        !s.ok()) {
      return s;
    }
    absl::StatusOr<metrics_internal::Dimensions> dims = CheckDimensions(
        ms.metric.dimensions, absl::StrCat(member, ".MetricStat.Metric.Dimensions"));
    if (!dims.ok()) return dims.status();
    if (ms.period == 0) return CloudWatchMissing(absl::StrCat(member, ".MetricStat.Period"));
    if (!IsQueryPeriod(ms.period)) {
      return CloudWatchInvalid(absl::StrCat("The parameter ", member,
                                            ".MetricStat.Period must be 1, 5, 10, 30 or a "
                                            "multiple of 60."));
    }
    if (ms.stat.empty()) return CloudWatchMissing(absl::StrCat(member, ".MetricStat.Stat"));
    std::optional<Stat> stat = ParseStat(ms.stat);
    if (!stat) {
      return CloudWatchInvalid(absl::StrCat("The value ", ms.stat, " for parameter ", member,
                                            ".MetricStat.Stat is not a supported statistic."));
    }
    if (absl::Status s = CheckUnit(ms.unit, absl::StrCat(member, ".MetricStat.Unit")); !s.ok()) {
      return s;
    }
    parsed.push_back({{ms.metric.metric_namespace, ms.metric.metric_name, *std::move(dims)},
                      *stat,
                      ms.period,
                      ms.unit,
                      ms.stat});
  }
  // A query without a Label is labelled with its metric's name, followed by
  // its statistic when the queries' statistics differ and by its period when
  // their periods do (LocalStack test_label_generation, AWS-validated).
  bool stats_differ = false, periods_differ = false;
  for (const Parsed& p : parsed) {
    stats_differ = stats_differ || p.stat_name != parsed.front().stat_name;
    periods_differ = periods_differ || p.period != parsed.front().period;
  }
  absl::StatusOr<size_t> offset = ParseToken(request.next_token, "points:");
  if (!offset.ok()) return offset.status();

  FlushSampler();
  const absl::Time now = options_.clock->Now();
  const metrics_internal::MetricStore::Options& store = options_.store->options();
  cloudwatch::GetMetricDataResult result;
  std::vector<cloudwatch::MetricDataResult> all;
  size_t total = 0;
  for (size_t i = 0; i < queries.size(); ++i) {
    if (!queries[i].return_data.value_or(true)) continue;
    const Parsed& p = parsed[i];
    cloudwatch::MetricDataResult& r = all.emplace_back();
    r.id = queries[i].id;
    r.label = queries[i].label;
    if (r.label.empty()) {
      r.label = p.key.name;
      if (stats_differ) absl::StrAppend(&r.label, " ", p.stat_name);
      if (periods_differ) absl::StrAppend(&r.label, " ", p.period);
    }
    // Only the window the store keeps can have data: bound the periods.
    int64_t start = RoundStart(request.start_time, p.period);
    const absl::Time oldest = now - (p.period < 60 ? store.second_resolution : store.retention);
    if (request.start_time < oldest) {
      start = std::max(start, start + FloorTo(Seconds(oldest) - start, p.period));
    }
    const int64_t end = std::min(CeilSeconds(request.end_time), Seconds(now + kMaxFuture) + 1);
    if (start >= end) continue;
    std::vector<PeriodStats> merged;
    for (auto& [unit, periods] : Query(p.key, p.unit, start, end, p.period)) {
      if (merged.empty()) {
        merged = std::move(periods);
        continue;
      }
      std::vector<PeriodStats> combined;
      size_t a = 0, b = 0;
      while (a < merged.size() || b < periods.size()) {
        if (b == periods.size() || (a < merged.size() && merged[a].start < periods[b].start)) {
          combined.push_back(std::move(merged[a++]));
        } else if (a == merged.size() || periods[b].start < merged[a].start) {
          combined.push_back(std::move(periods[b++]));
        } else {
          MergeInto(merged[a], periods[b++]);
          combined.push_back(std::move(merged[a++]));
        }
      }
      merged = std::move(combined);
    }
    for (const PeriodStats& ps : merged) {
      std::optional<double> v = StatValue(p.stat, ps);
      if (!v.has_value()) continue;
      r.timestamps.push_back(ps.start);
      r.values.push_back(*v);
    }
    if (!ascending) {
      std::reverse(r.timestamps.begin(), r.timestamps.end());
      std::reverse(r.values.begin(), r.values.end());
    }
    total += r.values.size();
  }
  if (*offset > total) return InvalidNextTokenError();
  // The page: datapoints [offset, offset + max_points) in query order.
  size_t skip = *offset;
  size_t room = static_cast<size_t>(max_points);
  for (cloudwatch::MetricDataResult& r : all) {
    const size_t n = r.values.size();
    const size_t from = std::min(skip, n);
    skip -= from;
    const size_t take = std::min(room, n - from);
    room -= take;
    r.timestamps =
        std::vector<absl::Time>(r.timestamps.begin() + static_cast<ptrdiff_t>(from),
                                r.timestamps.begin() + static_cast<ptrdiff_t>(from + take));
    r.values = std::vector<double>(r.values.begin() + static_cast<ptrdiff_t>(from),
                                   r.values.begin() + static_cast<ptrdiff_t>(from + take));
    r.status_code = from + take < n ? "PartialData" : "Complete";
    result.metric_data_results.push_back(std::move(r));
  }
  const size_t served = *offset + static_cast<size_t>(max_points) - room;
  if (served < total) result.next_token = absl::StrCat("points:", served);
  return result;
}

absl::StatusOr<cloudwatch::ListMetricsResult> CloudWatchService::ListMetrics(
    const cloudwatch::ListMetricsRequest& request) {
  if (!request.metric_namespace.empty()) {
    if (absl::Status s = CheckNamespace(request.metric_namespace, "Namespace", false); !s.ok()) {
      return s;
    }
  }
  if (!request.metric_name.empty()) {
    if (absl::Status s = CheckMetricName(request.metric_name, "MetricName"); !s.ok()) return s;
  }
  if (request.dimensions.size() > 10) {
    return CloudWatchInvalid("The collection Dimensions must not have a size greater than 10.");
  }
  for (size_t i = 0; i < request.dimensions.size(); ++i) {
    const cloudwatch::DimensionFilter& f = request.dimensions[i];
    if (f.name.empty())
      return CloudWatchMissing(absl::StrCat("Dimensions.member.", i + 1, ".Name"));
    if (f.name.size() > 255 ||
        (f.value.has_value() && (f.value->empty() || f.value->size() > 1024))) {
      return CloudWatchInvalid(
          absl::StrCat("The parameter Dimensions.member.", i + 1, " is invalid."));
    }
  }
  if (!request.recently_active.empty() && request.recently_active != "PT3H") {
    return CloudWatchInvalid("The parameter RecentlyActive must be a value in the set [ PT3H ].");
  }
  absl::StatusOr<size_t> offset = ParseToken(request.next_token, "metrics:");
  if (!offset.ok()) return offset.status();
  FlushSampler();
  const int64_t recent = Seconds(options_.clock->Now() - absl::Hours(3));
  std::vector<cloudwatch::Metric> matched;
  for (const auto& listed : options_.store->List()) {
    const MetricKey& k = listed.key;
    if (!request.metric_namespace.empty() && k.ns != request.metric_namespace) continue;
    if (!request.metric_name.empty() && k.name != request.metric_name) continue;
    if (!request.recently_active.empty() && listed.last_data_second < recent) continue;
    bool match = true;
    for (const cloudwatch::DimensionFilter& f : request.dimensions) {
      match = match && std::any_of(k.dimensions.begin(), k.dimensions.end(), [&](const auto& d) {
                return d.first == f.name && (!f.value.has_value() || d.second == *f.value);
              });
    }
    if (!match) continue;
    cloudwatch::Metric& m = matched.emplace_back();
    m.metric_namespace = k.ns;
    m.metric_name = k.name;
    for (const auto& [name, value] : k.dimensions) m.dimensions.push_back({name, value});
  }
  if (*offset > matched.size()) return InvalidNextTokenError();
  cloudwatch::ListMetricsResult result;
  const size_t end = std::min(matched.size(), *offset + kListMetricsPage);
  result.metrics.assign(std::make_move_iterator(matched.begin() + static_cast<ptrdiff_t>(*offset)),
                        std::make_move_iterator(matched.begin() + static_cast<ptrdiff_t>(end)));
  if (end < matched.size()) result.next_token = absl::StrCat("metrics:", end);
  return result;
}

absl::Status CloudWatchService::PutMetricData(const cloudwatch::PutMetricDataRequest& request) {
  if (absl::Status s = CheckNamespace(request.metric_namespace, "Namespace", true); !s.ok()) {
    return s;
  }
  if (request.metric_data.empty()) return CloudWatchMissing("MetricData");
  if (request.metric_data.size() > kMaxMetricData) {
    return CloudWatchInvalid("The collection MetricData must not have a size greater than 1000.");
  }
  const absl::Time now = options_.clock->Now();
  struct Parsed {
    MetricKey key;
    std::string unit;
    int64_t second;
    Sample sample;
    std::optional<metrics_internal::ValueCounts> values;
  };
  std::vector<Parsed> parsed;
  parsed.reserve(request.metric_data.size());
  for (size_t i = 0; i < request.metric_data.size(); ++i) {
    const cloudwatch::MetricDatum& d = request.metric_data[i];
    const std::string member = absl::StrCat("MetricData.member.", i + 1);
    if (absl::Status s = CheckMetricName(d.metric_name, absl::StrCat(member, ".MetricName"));
        !s.ok()) {
      return s;
    }
    absl::StatusOr<metrics_internal::Dimensions> dims =
        CheckDimensions(d.dimensions, absl::StrCat(member, ".Dimensions"));
    if (!dims.ok()) return dims.status();
    if (absl::Status s = CheckUnit(d.unit, absl::StrCat(member, ".Unit")); !s.ok()) return s;
    if (d.storage_resolution.has_value() && *d.storage_resolution != 1 &&
        *d.storage_resolution != 60) {
      return CloudWatchInvalid(
          absl::StrCat("The parameter ", member, ".StorageResolution must be 1 or 60."));
    }
    const absl::Time at = d.timestamp.value_or(now);
    if (at < now - kMaxPast) {
      return CloudWatchInvalid(absl::StrCat("The parameter ", member,
                                            ".Timestamp must specify a time no more than two "
                                            "weeks in the past."));
    }
    if (at > now + kMaxFuture) {
      return CloudWatchInvalid(absl::StrCat("The parameter ", member,
                                            ".Timestamp must specify a time no more than two "
                                            "hours in the future."));
    }
    // AWS rejects Value with Values or with StatisticValues, naming the pair,
    // but takes Values with StatisticValues (LocalStack
    // test_put_metric_data_validation, AWS-validated); the statistic set is
    // then what is stored.
    if (d.value.has_value() && !d.values.empty()) {
      return CloudWatchCombination(absl::StrCat("The parameters ", member, ".Value and ", member,
                                                ".Values are mutually exclusive and you have "
                                                "specified both."));
    }
    if (d.value.has_value() && d.statistic_values.has_value()) {
      return CloudWatchCombination(absl::StrCat("The parameters ", member, ".Value and ", member,
                                                ".StatisticValues are mutually exclusive and you "
                                                "have specified both."));
    }
    if (!d.value.has_value() && !d.statistic_values.has_value() && d.values.empty()) {
      return CloudWatchMissing(absl::StrCat(member, ".Value"));
    }
    if (!d.counts.empty() && d.values.empty()) {
      return CloudWatchCombination(
          absl::StrCat("The parameter ", member, ".Counts requires ", member, ".Values."));
    }
    Parsed p{{request.metric_namespace, d.metric_name, *std::move(dims)},
             d.unit.empty() ? "None" : d.unit,
             Seconds(at),
             {},
             std::nullopt};
    auto check_value = [&](double v, std::string_view field) -> absl::Status {
      if (IsAcceptedValue(v)) return absl::OkStatus();
      return CloudWatchInvalid(absl::StrCat("The value ", v, " for parameter ", member, ".",
                                            absl::string_view(field.data(), field.size()),
                                            " is invalid: it must be finite, and 0 or of "
                                            "magnitude 2^-360 to 2^360."));
    };
    if (d.value.has_value()) {
      if (absl::Status s = check_value(*d.value, "Value"); !s.ok()) return s;
      p.sample = Sample::Of(*d.value);
      p.values = metrics_internal::ValueCounts{{metrics_internal::RoundForPercentile(*d.value), 1}};
    } else if (d.statistic_values.has_value()) {
      const cloudwatch::StatisticSet& st = *d.statistic_values;
      for (auto [v, field] : {std::pair{st.sample_count, "StatisticValues.SampleCount"},
                              std::pair{st.sum, "StatisticValues.Sum"},
                              std::pair{st.minimum, "StatisticValues.Minimum"},
                              std::pair{st.maximum, "StatisticValues.Maximum"}}) {
        if (absl::Status s = check_value(v, field); !s.ok()) return s;
      }
      if (st.sample_count <= 0) {
        return CloudWatchInvalid(absl::StrCat("The parameter ", member,
                                              ".StatisticValues.SampleCount must be positive."));
      }
      if (st.minimum > st.maximum) {
        return CloudWatchInvalid(absl::StrCat("The parameter ", member,
                                              ".StatisticValues.Minimum must not exceed "
                                              "Maximum."));
      }
      p.sample = Sample{st.sample_count, st.sum, st.minimum, st.maximum};
    } else {
      if (d.values.size() > kMaxValues) {
        return CloudWatchInvalid(absl::StrCat("The collection ", member,
                                              ".Values must not have a size greater than 150."));
      }
      if (!d.counts.empty() && d.counts.size() != d.values.size()) {
        return CloudWatchInvalid(absl::StrCat("The parameters ", member, ".Values and ", member,
                                              ".Counts must be of the same size."));
      }
      metrics_internal::ValueCounts values;
      for (size_t j = 0; j < d.values.size(); ++j) {
        const double v = d.values[j];
        const double n = d.counts.empty() ? 1 : d.counts[j];
        if (absl::Status s = check_value(v, "Values"); !s.ok()) return s;
        if (!std::isfinite(n) || n <= 0 || n > std::ldexp(1.0, 53)) {
          return CloudWatchInvalid(absl::StrCat("The parameter ", member, ".Counts.member.", j + 1,
                                                " must be a positive number."));
        }
        Sample one{n, v * n, v, v};
        p.sample.Merge(one);
        values.emplace_back(metrics_internal::RoundForPercentile(v), n);
      }
      std::sort(values.begin(), values.end());
      metrics_internal::ValueCounts combined;
      for (const auto& [v, n] : values) {
        if (!combined.empty() && combined.back().first == v) {
          combined.back().second += n;
        } else {
          combined.emplace_back(v, n);
        }
      }
      p.values = std::move(combined);
    }
    parsed.push_back(std::move(p));
  }
  // All valid: record (a full store fails the rest, as the limit would).
  const int64_t now_second = Seconds(now);
  for (const Parsed& p : parsed) {
    std::shared_ptr<metrics_internal::Series> series = options_.store->Open(p.key, p.unit);
    if (series == nullptr) {
      return MakeError(ErrorCode::kCloudWatchLimitExceeded,
                       absl::StrCat("The limit of ", options_.store->options().max_series,
                                    " metrics has been reached."));
    }
    series->Record(p.second, 1, metrics_internal::Mode::kMerge, p.sample,
                   p.values.has_value() ? &*p.values : nullptr, now_second);
  }
  return absl::OkStatus();
}

std::string CloudWatchService::RenderPrometheus() {
  metrics_internal::PrometheusCollector prometheus;
  for (metrics_internal::MetricSource* source : options_.sources) {
    source->CollectMetrics(prometheus);
  }
  return prometheus.Render();
}

}  // namespace wharf::service_internal
