// MetricStore: CloudWatch-style metric series, aggregated per second (or per
// minute) of the broker's clock and kept for a bounded window.
//
//   MetricStore store({.second_resolution = absl::Minutes(15), .retention = absl::Hours(24)});
//   auto series = store.Open({"App", "Latency", {{"Api", "get"}}}, "Milliseconds");
//   series->Record(second, 1, Mode::kMerge, Sample::Of(3), nullptr, now_second);
//   std::vector<PeriodStats> points = series->Aggregate(start, end, 60);
//
// A series is one (namespace, metric name, dimensions, unit). Its data lives in
// cells: a cell covers `run` consecutive units (seconds, or minutes once older
// than `second_resolution`) that hold the same per-unit statistics, so a
// constant value (an idle queue's zero depth) costs one cell however long it
// lasts. Seconds older than `second_resolution` are folded into minute cells;
// minutes older than `retention` are dropped.
//
// Memory: a cell is about 64 bytes (plus 16 per distinct value when a cell
// keeps values for percentiles), so a series costs at most
// (second_resolution / 1 s + retention / 1 min) cells: 900 + 1,440 cells
// (~150 KB) with the defaults when every second differs, one cell when the
// value never changes. `max_series` bounds the number of series.
//
// Granularity: a series kept per second (PutMetricData) folds its seconds
// into minutes as they age. A series kept per minute (the metrics AWS
// services publish themselves, once a minute) holds minute datapoints from
// the start: a minute is one sample timestamped at its first second, so a
// query with a sub-minute period finds it in the period holding that second.
//
// Percentiles: a cell keeps the values of its samples (each rounded down to 8
// significant bits, so to within 0.8%; integers up to 256 are exact) when
// they were given one by one (PutMetricData Value/Values) or are implied (one
// sample, or minimum == maximum). Cells made from statistic sets or from
// hot-path counters of sizes do not, and a period containing one has no
// percentiles, as in CloudWatch.
//
// Thread safety: thread-safe. The series map has one mutex; each series has
// its own, taken for a record or a query of that series only.

#ifndef WHARF_BROKER_METRICS_METRIC_STORE_H_
#define WHARF_BROKER_METRICS_METRIC_STORE_H_

#include <cstdint>
#include <deque>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "broker/base/mutex.h"

namespace wharf::metrics_internal {

// Dimensions sorted by name (CloudWatch: the order given does not matter).
using Dimensions = std::vector<std::pair<std::string, std::string>>;

struct MetricKey {
  std::string ns;
  std::string name;
  Dimensions dimensions;  // Sorted by name.

  friend bool operator==(const MetricKey&, const MetricKey&) = default;
  template <typename H>
  friend H AbslHashValue(H h, const MetricKey& k) {
    return H::combine(std::move(h), k.ns, k.name, k.dimensions);
  }
};

// Statistics of the samples in one unit of time (or, in a query, one period).
struct Sample {
  double count = 0;
  double sum = 0;
  double min = std::numeric_limits<double>::infinity();
  double max = -std::numeric_limits<double>::infinity();

  static Sample Of(double v) { return {1, v, v, v}; }
  void Merge(const Sample& o) {
    count += o.count;
    sum += o.sum;
    if (o.min < min) min = o.min;
    if (o.max > max) max = o.max;
  }
  // This sample repeated k times (count and sum scale, extremes do not).
  Sample Times(double k) const { return {count * k, sum * k, min, max}; }
  friend bool operator==(const Sample&, const Sample&) = default;
};

// The values behind a sample, for percentiles: (value rounded to 8
// significant bits, count) sorted by value.
using ValueCounts = std::vector<std::pair<double, double>>;
double RoundForPercentile(double v);

enum class Granularity {
  kSecond,  // Seconds, folded into minutes once older than the second resolution.
  kMinute,  // Minutes only (RecordMinutes).
};

enum class Mode {
  kAdd,      // A count: the unit's single sample grows by the value (count stays 1).
  kMerge,    // Independent samples: counts, sums and extremes combine.
  kReplace,  // A gauge: the unit's sample becomes the value.
};

// One period of a query's answer.
struct PeriodStats {
  absl::Time start;
  Sample sample;
  // Sorted values when every sample's value is known and none is negative;
  // nullopt when percentiles cannot be computed for this period.
  std::optional<ValueCounts> values;
};

// The value at percentile p (0-100) of `values`: the smallest value with at
// least p% of the samples at or below it.
double Percentile(const ValueCounts& values, double p);

class Series {
 public:
  Series(MetricKey key, std::string unit, Granularity granularity, absl::Duration second_resolution,
         absl::Duration retention);

  const MetricKey& key() const { return key_; }
  const std::string& unit() const { return unit_; }
  Granularity granularity() const { return granularity_; }

  // Applies a sample to seconds [second, second + run). `values` (may be
  // null) are the sample's values for percentiles; for kAdd and kReplace
  // they are implied. `now` is the clock's current second: data older than
  // the retention is dropped, seconds older than the second resolution are
  // folded into minutes.
  void Record(int64_t second, int64_t run, Mode mode, const Sample& sample,
              const ValueCounts* values, int64_t now);
  // The same for minutes [minute, minute + run) (minute = second / 60) of a
  // Granularity::kMinute series; `now` is still a second.
  void RecordMinutes(int64_t minute, int64_t run, Mode mode, const Sample& sample,
                     const ValueCounts* values, int64_t now);

  // Statistics per period [start + k*period, start + (k+1)*period) below
  // `end`, for periods with at least one sample, in time order. Seconds
  // folded into minutes are used only when `period` and `start` are
  // multiples of 60 s; a kMinute series' minutes always are.
  std::vector<PeriodStats> Aggregate(int64_t start, int64_t end, int64_t period) const;

  // Folds and drops by age; returns whether the series holds no data.
  bool Maintain(int64_t now);
  // The last second with data, or INT64_MIN if none.
  int64_t LastDataSecond() const;

 private:
  struct Cell {
    int64_t start;      // First unit (second or minute number).
    int64_t run;        // Units covered, each with `sample`.
    Sample sample;      // Per unit.
    bool values_known;  // False: percentiles unavailable.
    // Null with values_known: implied ({min: count}; needs count == 1 or min == max).
    std::unique_ptr<ValueCounts> values;

    int64_t end() const { return start + run; }
  };
  using Tier = std::deque<Cell>;

  // Record (unit_seconds 1: the seconds tier) or RecordMinutes (60).
  void RecordUnits(int64_t unit_seconds, int64_t unit, int64_t run, Mode mode, const Sample& sample,
                   const ValueCounts* values, int64_t now) ABSL_LOCKS_EXCLUDED(mu_);
  static void Apply(Tier& tier, int64_t unit, int64_t run, Mode mode, const Sample& sample,
                    bool values_known, const ValueCounts* values);
  static void ApplyToCell(Cell& cell, Mode mode, const Sample& sample, bool values_known,
                          const ValueCounts* values);
  static bool SameStats(const Cell& a, const Cell& b);
  static Tier::iterator Split(Tier& tier, Tier::iterator it, int64_t at);
  static void Coalesce(Tier& tier, size_t from, size_t to);
  void Fold(int64_t now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  static void AddTo(PeriodStats& p, const Cell& c, int64_t units);

  const MetricKey key_;
  const std::string unit_;
  const Granularity granularity_;
  const int64_t second_resolution_;  // Seconds.
  const int64_t retention_;          // Seconds.

  mutable Mutex mu_;
  Tier seconds_ ABSL_GUARDED_BY(mu_);
  Tier minutes_ ABSL_GUARDED_BY(mu_);
  int64_t last_data_second_ ABSL_GUARDED_BY(mu_) = std::numeric_limits<int64_t>::min();
};

class MetricStore {
 public:
  struct Options {
    absl::Duration second_resolution = absl::Minutes(15);
    absl::Duration retention = absl::Hours(24);
    size_t max_series = 100000;
  };

  explicit MetricStore(Options options);

  // The series for `key` and `unit`, created with `granularity` if needed;
  // null when creating it would exceed max_series. `key.dimensions` must be
  // sorted by name.
  std::shared_ptr<Series> Open(const MetricKey& key, const std::string& unit,
                               Granularity granularity = Granularity::kSecond);

  // Every unit's series of `key` (empty if none).
  std::vector<std::shared_ptr<Series>> Find(const MetricKey& key) const;

  struct Listed {
    MetricKey key;
    int64_t last_data_second;
  };
  // Every metric with data, sorted by namespace, name, dimensions.
  std::vector<Listed> List() const;

  // Folds and drops old data in every series; forgets series left with no
  // data that nobody holds.
  void Maintain(int64_t now);

  size_t NumSeries() const;
  const Options& options() const { return options_; }

 private:
  const Options options_;
  mutable Mutex mu_;
  absl::flat_hash_map<MetricKey, std::vector<std::shared_ptr<Series>>> series_ ABSL_GUARDED_BY(mu_);
  size_t num_series_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace wharf::metrics_internal

#endif  // WHARF_BROKER_METRICS_METRIC_STORE_H_
