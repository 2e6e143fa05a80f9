// The metrics sampler: turns the cumulative counters and current values the
// sources report into CloudWatch datapoints in a MetricStore, one per metric
// and minute, as AWS services publish their metrics (once a minute: an alarm
// on SQS NumberOfMessagesSent with SampleCount over 60 s sees 1 for one
// message sent; LocalStack TestSQSMetrics::test_alarm_number_of_messages_sent,
// AWS-validated).
//
//   Sampler sampler(store);
//   sampler.AddSource(&sqs);
//   sampler.Flush(now, next);  // before the clock moves from `now` to `next`
//
// Flush(now, next) records, in minute m = floor(now / 60 s):
//  * counters: what they counted since the previous flush, added to the
//    minute's single sample (so its Sum is the count, its SampleCount 1);
//    SQS-style counters (Emit::kAlways) also record 0 for the minutes up to
//    that of the last second before `next`, which saw no activity;
//  * sizes: the count, sum and extremes since the previous flush, merged into
//    the minute (SampleCount counts the messages);
//  * gauges: their current value, replacing the minute's (the latest value
//    of a minute is its datapoint), for every minute up to that of the last
//    second before `next` (the state holds until the clock moves on).
// Zeros and held values stop at the object's Object::active_until (SQS's
// idle queues); counts and sizes are recorded whenever they happen.
// With a ManualClock the broker flushes before each Advance (so everything
// that happened at the old time lands in its minute, and the old state fills
// the minutes jumped over); with a real clock once per second, and before
// every CloudWatch query, so the current minute's datapoint is always up to
// date.
//
// An object that stops being reported (a deleted queue) is forgotten at the
// end of the flush; its series keep their data until it ages out.
//
// Thread safety: thread-safe; flushes are serialized. Sources are called with
// the sampler's lock held, so a source must never call back into the sampler.

#ifndef WHARF_BROKER_METRICS_SAMPLER_H_
#define WHARF_BROKER_METRICS_SAMPLER_H_

#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/time/time.h"
#include "broker/base/mutex.h"
#include "broker/metrics/collector.h"
#include "broker/metrics/metric_store.h"

namespace wharf::metrics_internal {

class Sampler {
 public:
  // `store` must outlive the sampler.
  explicit Sampler(MetricStore& store);

  // Sources must outlive the sampler, or be removed first.
  void AddSource(MetricSource* source) ABSL_LOCKS_EXCLUDED(mu_);
  void RemoveSource(MetricSource* source) ABSL_LOCKS_EXCLUDED(mu_);

  // See the file comment. REQUIRES: next >= now.
  void Flush(absl::Time now, absl::Time next) ABSL_LOCKS_EXCLUDED(mu_);

  // Seconds flushed so far (floor(now) of the latest Flush), or INT64_MIN.
  int64_t LastFlushedSecond() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  class Visitor;
  struct State {
    std::shared_ptr<Series> series;  // Null when the store is full.
    uint64_t last_a = 0;             // Counter total, or size count.
    uint64_t last_b = 0;             // Size sum.
    uint64_t pass = 0;
  };
  using StateKey = std::pair<const MetricDef*, uint64_t>;

  MetricStore& store_;
  mutable Mutex mu_;
  std::vector<MetricSource*> sources_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<StateKey, State> states_ ABSL_GUARDED_BY(mu_);
  uint64_t pass_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t last_second_ ABSL_GUARDED_BY(mu_);
  int64_t last_maintenance_ ABSL_GUARDED_BY(mu_);
};

}  // namespace wharf::metrics_internal

#endif  // WHARF_BROKER_METRICS_SAMPLER_H_
