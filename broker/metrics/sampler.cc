#include "broker/metrics/sampler.h"

#include <algorithm>
#include <limits>
#include <string>

#include "broker/base/completion_scope.h"

namespace wharf::metrics_internal {
namespace {

// How often (in clock seconds) a flush also folds and drops old data.
constexpr int64_t kMaintenanceInterval = 60;

int64_t FloorSeconds(absl::Time t) {
  return absl::ToInt64Seconds(absl::Floor(t - absl::UnixEpoch(), absl::Seconds(1)));
}
int64_t MinuteOf(int64_t second) { return second / 60 - (second % 60 < 0 ? 1 : 0); }
// The last minute that begins before `t` (INT64_MAX for InfiniteFuture).
int64_t LastMinuteBefore(absl::Time t) {
  if (t == absl::InfiniteFuture()) return std::numeric_limits<int64_t>::max();
  return absl::ToInt64Minutes(absl::Ceil(t - absl::UnixEpoch(), absl::Minutes(1))) - 1;
}

}  // namespace

// Collector for one flush; runs with the sampler's lock held.
class Sampler::Visitor final : public Collector {
 public:
  // The minutes from that of `second` to that of the last second before
  // `until` (> second).
  Visitor(Sampler& sampler, int64_t second, int64_t until)
      : sampler_(sampler),
        second_(second),
        minute_(MinuteOf(second)),
        last_minute_(MinuteOf(until - 1)) {}

  void Counter(const MetricDef& def, const Object& object,
               uint64_t total) override ABSL_NO_THREAD_SAFETY_ANALYSIS {
    State& s = StateOf(def, object);
    const uint64_t delta = total >= s.last_a ? total - s.last_a : total;  // Restarted: all new.
    s.last_a = total;
    if (s.series == nullptr) return;
    const int64_t last = LastMinute(object);
    // The minute's single sample grows by the count (kAdd).
    if (delta > 0 || (def.emit == Emit::kAlways && minute_ <= last)) {
      s.series->RecordMinutes(minute_, 1, Mode::kAdd, Sample::Of(static_cast<double>(delta)),
                              nullptr, second_);
    }
    if (def.emit == Emit::kAlways && last > minute_) {
      s.series->RecordMinutes(minute_ + 1, last - minute_, Mode::kAdd, Sample::Of(0), nullptr,
                              second_);
    }
  }

  void Gauge(const MetricDef& def, const Object& object,
             double value) override ABSL_NO_THREAD_SAFETY_ANALYSIS {
    State& s = StateOf(def, object);
    const int64_t last = LastMinute(object);
    if (s.series == nullptr || last < minute_) return;
    // The value replaces the current minute's (its latest value wins) and
    // holds through the minutes the clock jumps over.
    s.series->RecordMinutes(minute_, last - minute_ + 1, Mode::kReplace, Sample::Of(value), nullptr,
                            second_);
  }

  void Size(const MetricDef& def, const Object& object,
            SizeStat& stat) override ABSL_NO_THREAD_SAFETY_ANALYSIS {
    State& s = StateOf(def, object);
    // Extremes first: a value recorded after this read is in the next flush's
    // count, and its extremes in the next Take at the latest.
    const Extremes::Taken extremes = stat.TakeExtremes();
    const uint64_t count = stat.Count();
    const uint64_t sum = stat.Sum();
    const uint64_t dc = count >= s.last_a ? count - s.last_a : count;
    const uint64_t ds = sum >= s.last_b ? sum - s.last_b : sum;
    s.last_a = count;
    s.last_b = sum;
    if (s.series == nullptr || dc == 0) return;
    const double scale = def.cloudwatch_scale;
    Sample sample{static_cast<double>(dc), static_cast<double>(ds) * scale,
                  static_cast<double>(extremes.any() ? extremes.min : ds / dc) * scale,
                  static_cast<double>(extremes.any() ? extremes.max : ds / dc) * scale};
    s.series->RecordMinutes(minute_, 1, Mode::kMerge, sample, nullptr, second_);
  }

 private:
  // The last minute of this flush that `object` records without activity.
  int64_t LastMinute(const Object& object) const {
    return std::min(last_minute_, LastMinuteBefore(object.active_until));
  }

  State& StateOf(const MetricDef& def, const Object& object) ABSL_NO_THREAD_SAFETY_ANALYSIS {
    auto [it, inserted] = sampler_.states_.try_emplace(StateKey{&def, object.id});
    State& s = it->second;
    s.pass = sampler_.pass_;
    if (inserted) {
      MetricKey key{std::string(def.aws_namespace), std::string(def.aws_name), {}};
      for (const Dimension& d : object.dimensions) {
        key.dimensions.emplace_back(std::string(d.name), std::string(d.value));
      }
      std::sort(key.dimensions.begin(), key.dimensions.end());
      s.series = sampler_.store_.Open(key, std::string(def.unit), Granularity::kMinute);
    }
    return s;
  }

  Sampler& sampler_;
  const int64_t second_;
  const int64_t minute_;
  const int64_t last_minute_;
};

Sampler::Sampler(MetricStore& store)
    : store_(store),
      last_second_(std::numeric_limits<int64_t>::min()),
      last_maintenance_(std::numeric_limits<int64_t>::min()) {}

void Sampler::AddSource(MetricSource* source) {
  MutexLock lock(&mu_);
  sources_.push_back(source);
}

void Sampler::RemoveSource(MetricSource* source) {
  MutexLock lock(&mu_);
  sources_.erase(std::remove(sources_.begin(), sources_.end(), source), sources_.end());
}

void Sampler::Flush(absl::Time now, absl::Time next) {
  const int64_t second = FloorSeconds(now);
  const int64_t until = std::max(FloorSeconds(next), second + 1);
  // Sources read queue counts, which may make messages visible and complete
  // receives: those run after mu_ is released.
  CompletionScope completions;
  MutexLock lock(&mu_);
  const uint64_t pass = ++pass_;
  Visitor visitor(*this, second, until);
  for (MetricSource* source : sources_) source->CollectMetrics(visitor);
  // Forget objects that were not reported (deleted).
  absl::erase_if(states_, [pass](const auto& entry) { return entry.second.pass != pass; });
  last_second_ = std::max(last_second_, second);
  if (last_maintenance_ == std::numeric_limits<int64_t>::min() ||
      second - last_maintenance_ >= kMaintenanceInterval) {
    last_maintenance_ = second;
    store_.Maintain(second);
  }
}

int64_t Sampler::LastFlushedSecond() const {
  MutexLock lock(&mu_);
  return last_second_;
}

}  // namespace wharf::metrics_internal
