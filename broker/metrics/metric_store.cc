#include "broker/metrics/metric_store.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <map>
#include <tuple>

namespace wharf::metrics_internal {
namespace {

// Distinct values a cell keeps for percentiles; past it, the cell's
// percentiles are unavailable.
constexpr size_t kMaxValues = 256;

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}
int64_t CeilDiv(int64_t a, int64_t b) { return -FloorDiv(-a, b); }

// Merges b (scaled by k) into a; false when the result has too many values.
bool MergeValues(ValueCounts& a, const ValueCounts& b, double k) {
  ValueCounts out;
  out.reserve(a.size() + b.size());
  size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    if (j == b.size() || (i < a.size() && a[i].first < b[j].first)) {
      out.push_back(a[i++]);
    } else if (i == a.size() || b[j].first < a[i].first) {
      out.emplace_back(b[j].first, b[j].second * k);
      ++j;
    } else {
      out.emplace_back(a[i].first, a[i].second + b[j].second * k);
      ++i;
      ++j;
    }
  }
  if (out.size() > kMaxValues) return false;
  a = std::move(out);
  return true;
}

}  // namespace

double RoundForPercentile(double v) {
  if (v == 0 || !std::isfinite(v)) return v;
  // Keep the sign, the exponent and the top 7 stored mantissa bits.
  constexpr uint64_t kDropped = (uint64_t{1} << 45) - 1;
  return std::bit_cast<double>(std::bit_cast<uint64_t>(v) & ~kDropped);
}

double Percentile(const ValueCounts& values, double p) {
  if (values.empty()) return 0;
  double total = 0;
  for (const auto& [v, n] : values) total += n;
  const double rank = p / 100.0 * total;
  double seen = 0;
  for (const auto& [v, n] : values) {
    seen += n;
    if (seen >= rank - 1e-9 * total && seen > 0) return v;
  }
  return values.back().first;
}

Series::Series(MetricKey key, std::string unit, Granularity granularity,
               absl::Duration second_resolution, absl::Duration retention)
    : key_(std::move(key)),
      unit_(std::move(unit)),
      granularity_(granularity),
      second_resolution_(absl::ToInt64Seconds(second_resolution)),
      retention_(absl::ToInt64Seconds(retention)) {}

bool Series::SameStats(const Cell& a, const Cell& b) {
  if (!(a.sample == b.sample) || a.values_known != b.values_known) return false;
  if (a.values == nullptr || b.values == nullptr) return a.values == nullptr && b.values == nullptr;
  return *a.values == *b.values;
}

Series::Tier::iterator Series::Split(Tier& tier, Tier::iterator it, int64_t at) {
  Cell right{at, it->end() - at, it->sample, it->values_known,
             it->values ? std::make_unique<ValueCounts>(*it->values) : nullptr};
  it->run = at - it->start;
  return tier.insert(it + 1, std::move(right));
}

void Series::Coalesce(Tier& tier, size_t from, size_t to) {
  size_t k = std::max<size_t>(from, 1);
  to = std::min(to, tier.size());
  while (k < to && k < tier.size()) {
    Cell& prev = tier[k - 1];
    if (prev.end() == tier[k].start && SameStats(prev, tier[k])) {
      prev.run += tier[k].run;
      tier.erase(tier.begin() + static_cast<ptrdiff_t>(k));
      --to;
    } else {
      ++k;
    }
  }
}

void Series::ApplyToCell(Cell& cell, Mode mode, const Sample& sample, bool values_known,
                         const ValueCounts* values) {
  switch (mode) {
    case Mode::kReplace:
      cell.sample = sample;
      cell.values_known = true;
      cell.values.reset();
      return;
    case Mode::kAdd: {
      double v = cell.sample.sum + sample.sum;
      cell.sample = Sample::Of(v);
      cell.values_known = true;
      cell.values.reset();
      return;
    }
    case Mode::kMerge:
      break;
  }
  const bool known = cell.values_known && values_known;
  Sample merged = cell.sample;
  merged.Merge(sample);
  if (!known) {
    cell.values_known = false;
    cell.values.reset();
  } else if (merged.min == merged.max) {
    cell.values.reset();  // Implied: {min: count}.
  } else {
    ValueCounts mine = cell.values
                           ? std::move(*cell.values)
                           : ValueCounts{{RoundForPercentile(cell.sample.min), cell.sample.count}};
    ValueCounts theirs =
        values ? *values : ValueCounts{{RoundForPercentile(sample.min), sample.count}};
    if (MergeValues(mine, theirs, 1)) {
      cell.values = std::make_unique<ValueCounts>(std::move(mine));
    } else {
      cell.values_known = false;
      cell.values.reset();
    }
  }
  cell.sample = merged;
}

void Series::Apply(Tier& tier, int64_t unit, int64_t run, Mode mode, const Sample& sample,
                   bool values_known, const ValueCounts* values) {
  auto fresh = [&](int64_t start, int64_t n) {
    Cell c{start, n, sample, values_known, nullptr};
    if (mode != Mode::kMerge) {
      c.values_known = true;
    } else if (values != nullptr && sample.min != sample.max) {
      c.values = std::make_unique<ValueCounts>(*values);
    } else if (sample.min != sample.max) {
      c.values_known = false;  // Neither given nor implied.
    }
    return c;
  };
  // The common case: a later unit than any recorded.
  if (tier.empty() || unit >= tier.back().end()) {
    Cell c = fresh(unit, run);
    if (!tier.empty() && tier.back().end() == unit && SameStats(tier.back(), c)) {
      tier.back().run += run;
    } else {
      tier.push_back(std::move(c));
    }
    return;
  }
  // The first cell that ends after `unit`.
  auto it = std::partition_point(tier.begin(), tier.end(),
                                 [&](const Cell& c) { return c.end() <= unit; });
  // Units that already hold what the mode would leave (a zero count, a gauge
  // that kept its value: an idle queue's minute, updated every second) need
  // no split.
  if (it != tier.end() && it->start <= unit && unit + run <= it->end() && it->values_known &&
      it->values == nullptr &&
      ((mode == Mode::kReplace && it->sample == sample) ||
       (mode == Mode::kAdd && sample.sum == 0 && it->sample == Sample::Of(it->sample.sum)))) {
    return;
  }
  if (it != tier.end() && it->start < unit) it = Split(tier, it, unit);
  const size_t first = static_cast<size_t>(it - tier.begin());
  size_t idx = first;
  int64_t pos = unit;
  const int64_t stop = unit + run;
  while (pos < stop) {
    if (idx < tier.size() && tier[idx].start == pos) {
      if (tier[idx].end() > stop) Split(tier, tier.begin() + static_cast<ptrdiff_t>(idx), stop);
      ApplyToCell(tier[idx], mode, sample, values_known, values);
      pos = tier[idx].end();
    } else {
      int64_t gap_end = stop;
      if (idx < tier.size()) gap_end = std::min(gap_end, tier[idx].start);
      tier.insert(tier.begin() + static_cast<ptrdiff_t>(idx), fresh(pos, gap_end - pos));
      pos = gap_end;
    }
    ++idx;
  }
  Coalesce(tier, first == 0 ? 0 : first - 1, idx + 1);
}

void Series::Record(int64_t second, int64_t run, Mode mode, const Sample& sample,
                    const ValueCounts* values, int64_t now) {
  RecordUnits(/*unit_seconds=*/1, second, run, mode, sample, values, now);
}

void Series::RecordMinutes(int64_t minute, int64_t run, Mode mode, const Sample& sample,
                           const ValueCounts* values, int64_t now) {
  RecordUnits(/*unit_seconds=*/60, minute, run, mode, sample, values, now);
}

void Series::RecordUnits(int64_t unit_seconds, int64_t unit, int64_t run, Mode mode,
                         const Sample& sample, const ValueCounts* values, int64_t now) {
  if (run <= 0 || sample.count <= 0) return;
  const int64_t oldest = FloorDiv(now - retention_, unit_seconds);
  if (unit + run <= oldest) return;
  if (unit < oldest) {
    run -= oldest - unit;
    unit = oldest;
  }
  const bool values_known = mode != Mode::kMerge || values != nullptr || sample.min == sample.max;
  MutexLock lock(&mu_);
  Apply(unit_seconds == 1 ? seconds_ : minutes_, unit, run, mode, sample, values_known, values);
  last_data_second_ = std::max(last_data_second_, (unit + run - 1) * unit_seconds);
  Fold(now);
}

void Series::Fold(int64_t now) {
  const int64_t cutoff = now - second_resolution_;
  while (!seconds_.empty() && seconds_.front().start < cutoff) {
    if (seconds_.front().end() > cutoff) Split(seconds_, seconds_.begin(), cutoff);
    const Cell& c = seconds_.front();
    int64_t a = c.start;
    const int64_t e = c.end();
    while (a < e) {
      const int64_t minute = FloorDiv(a, 60);
      const int64_t minute_end = (minute + 1) * 60;
      int64_t units = 1;  // Minutes this step covers.
      int64_t seconds_each;
      if (a == minute * 60 && e >= minute_end) {
        units = (e - a) / 60;  // Whole minutes, identical.
        seconds_each = 60;
      } else {
        seconds_each = std::min(e, minute_end) - a;
      }
      const double k = static_cast<double>(seconds_each);
      std::unique_ptr<ValueCounts> scaled;
      if (c.values) {
        scaled = std::make_unique<ValueCounts>(*c.values);
        for (auto& [v, n] : *scaled) n *= k;
      } else if (c.values_known) {
        scaled = std::make_unique<ValueCounts>(
            ValueCounts{{RoundForPercentile(c.sample.min), c.sample.count * k}});
      }
      Apply(minutes_, minute, units, Mode::kMerge, c.sample.Times(k), c.values_known, scaled.get());
      a += units * seconds_each;
    }
    seconds_.pop_front();
  }
  const int64_t oldest_minute = FloorDiv(now - retention_, 60);
  while (!minutes_.empty() && minutes_.front().start < oldest_minute) {
    Cell& c = minutes_.front();
    if (c.end() <= oldest_minute) {
      minutes_.pop_front();
    } else {
      c.run = c.end() - oldest_minute;
      c.start = oldest_minute;
    }
  }
}

bool Series::Maintain(int64_t now) {
  MutexLock lock(&mu_);
  Fold(now);
  return seconds_.empty() && minutes_.empty();
}

int64_t Series::LastDataSecond() const {
  ReaderMutexLock lock(&mu_);
  if (seconds_.empty() && minutes_.empty()) return std::numeric_limits<int64_t>::min();
  return last_data_second_;
}

namespace {

struct Accumulator {
  Sample sample;
  bool values_known = true;
  ValueCounts values;  // Unsorted, possibly repeated; combined at the end.
};

// Sorts and combines equal values.
ValueCounts Combine(ValueCounts values) {
  std::sort(values.begin(), values.end());
  ValueCounts out;
  for (const auto& [v, n] : values) {
    if (!out.empty() && out.back().first == v) {
      out.back().second += n;
    } else {
      out.emplace_back(v, n);
    }
  }
  return out;
}

}  // namespace

std::vector<PeriodStats> Series::Aggregate(int64_t start, int64_t end, int64_t period) const {
  std::map<int64_t, Accumulator> periods;
  auto add = [&](int64_t p, const Cell& c, int64_t units) {
    Accumulator& acc = periods[p];
    const double k = static_cast<double>(units);
    acc.sample.Merge(c.sample.Times(k));
    if (!acc.values_known) return;
    if (!c.values_known) {
      acc.values_known = false;
      acc.values.clear();
      return;
    }
    if (c.values == nullptr) {
      acc.values.emplace_back(RoundForPercentile(c.sample.min), c.sample.count * k);
      return;
    }
    for (const auto& [v, n] : *c.values) acc.values.emplace_back(v, n * k);
  };
  // Walks [a, e) in steps that stay within one period; `unit` seconds per unit.
  auto walk = [&](const Cell& c, int64_t a, int64_t e, int64_t unit) {
    while (a < e) {
      const int64_t p = FloorDiv(a - start, period);
      const int64_t period_end = start + (p + 1) * period;
      const int64_t step = std::min(e, period_end) - a;
      add(p, c, std::max<int64_t>(step / unit, 1));
      a += std::max(step, unit);
    }
  };
  ReaderMutexLock lock(&mu_);
  if (granularity_ == Granularity::kMinute) {
    // Each minute is a point at its first second, in the period holding it.
    const int64_t first = CeilDiv(start, 60);
    const int64_t stop = CeilDiv(end, 60);
    auto c = std::partition_point(minutes_.begin(), minutes_.end(),
                                  [&](const Cell& cell) { return cell.end() <= first; });
    for (; c != minutes_.end() && c->start < stop; ++c) {
      int64_t a = std::max(c->start, first);
      const int64_t e = std::min(c->end(), stop);
      while (a < e) {
        const int64_t p = FloorDiv(a * 60 - start, period);
        const int64_t next = std::min(e, CeilDiv(start + (p + 1) * period, 60));
        add(p, *c, next - a);
        a = next;
      }
    }
  } else if (period % 60 == 0 && start % 60 == 0) {
    for (const Cell& c : minutes_) {
      const int64_t a = std::max(c.start * 60, start);
      const int64_t e = std::min(c.end() * 60, ((end + 59) / 60) * 60);
      if (a < e) walk(c, a, e, 60);
    }
  }
  auto it = std::partition_point(seconds_.begin(), seconds_.end(),
                                 [&](const Cell& c) { return c.end() <= start; });
  for (; it != seconds_.end() && it->start < end; ++it) {
    walk(*it, std::max(it->start, start), std::min(it->end(), end), 1);
  }
  std::vector<PeriodStats> out;
  out.reserve(periods.size());
  for (auto& [p, acc] : periods) {
    PeriodStats& ps = out.emplace_back();
    ps.start = absl::FromUnixSeconds(start + p * period);
    ps.sample = acc.sample;
    if (!acc.values_known) continue;
    ValueCounts values = Combine(std::move(acc.values));
    if (values.empty() || values.front().first >= 0) ps.values = std::move(values);
  }
  return out;
}

MetricStore::MetricStore(Options options) : options_(std::move(options)) {}

std::shared_ptr<Series> MetricStore::Open(const MetricKey& key, const std::string& unit,
                                          Granularity granularity) {
  MutexLock lock(&mu_);
  std::vector<std::shared_ptr<Series>>& siblings = series_[key];
  for (const auto& s : siblings) {
    if (s->unit() == unit) return s;
  }
  if (num_series_ >= options_.max_series) {
    if (siblings.empty()) series_.erase(key);
    return nullptr;
  }
  ++num_series_;
  return siblings.emplace_back(std::make_shared<Series>(
      key, unit, granularity, options_.second_resolution, options_.retention));
}

std::vector<std::shared_ptr<Series>> MetricStore::Find(const MetricKey& key) const {
  ReaderMutexLock lock(&mu_);
  auto it = series_.find(key);
  if (it == series_.end()) return {};
  return it->second;
}

std::vector<MetricStore::Listed> MetricStore::List() const {
  std::vector<std::pair<MetricKey, std::vector<std::shared_ptr<Series>>>> all;
  {
    ReaderMutexLock lock(&mu_);
    all.reserve(series_.size());
    for (const auto& [key, siblings] : series_) all.emplace_back(key, siblings);
  }
  std::vector<Listed> out;
  for (const auto& [key, siblings] : all) {
    int64_t last = std::numeric_limits<int64_t>::min();
    for (const auto& s : siblings) last = std::max(last, s->LastDataSecond());
    if (last != std::numeric_limits<int64_t>::min()) out.push_back({key, last});
  }
  std::sort(out.begin(), out.end(), [](const Listed& a, const Listed& b) {
    return std::tie(a.key.ns, a.key.name, a.key.dimensions) <
           std::tie(b.key.ns, b.key.name, b.key.dimensions);
  });
  return out;
}

void MetricStore::Maintain(int64_t now) {
  std::vector<std::shared_ptr<Series>> all;
  {
    ReaderMutexLock lock(&mu_);
    for (const auto& [key, siblings] : series_)
      all.insert(all.end(), siblings.begin(), siblings.end());
  }
  std::vector<const Series*> empty;
  for (const auto& s : all) {
    if (s->Maintain(now)) empty.push_back(s.get());
  }
  if (empty.empty()) return;
  all.clear();
  MutexLock lock(&mu_);
  for (const Series* s : empty) {
    auto it = series_.find(s->key());
    if (it == series_.end()) continue;
    auto& siblings = it->second;
    for (size_t i = 0; i < siblings.size(); ++i) {
      // Held only by the map: nobody records into it (Open takes mu_).
      if (siblings[i].get() == s && siblings[i].use_count() == 1 &&
          s->LastDataSecond() == std::numeric_limits<int64_t>::min()) {
        siblings.erase(siblings.begin() + static_cast<ptrdiff_t>(i));
        --num_series_;
        break;
      }
    }
    if (siblings.empty()) series_.erase(it);
  }
}

size_t MetricStore::NumSeries() const {
  ReaderMutexLock lock(&mu_);
  return num_series_;
}

}  // namespace wharf::metrics_internal
