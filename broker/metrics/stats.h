// The counters queues, topics, buses and functions keep on their hot paths,
// read by the metrics sampler (CloudWatch datapoints) and the Prometheus
// renderer. Both read cumulative values; neither resets a counter, so the two
// readers never disturb each other.
//
//   CounterSet<kNumQueueCounters> counters;
//   counters.Add(kReceived, 3);          // one relaxed fetch_add
//   uint64_t total = counters.Read(kReceived);
//
// Cost: CounterSet::Add is one relaxed fetch_add on a cache line of the
// calling thread's stripe (kStripes stripes, picked per thread), so writers on
// different threads rarely share a line. Read sums the stripes. SizeStat adds a
// relaxed fetch_add for the sum and one for a bucket, and two relaxed loads for
// the extremes (a compare-and-swap only when a value is a new extreme).
//
// Thread safety: every method is thread-safe. Reads are not a snapshot: two
// counters read one after the other may see different instants.

#ifndef WHARF_BROKER_METRICS_STATS_H_
#define WHARF_BROKER_METRICS_STATS_H_

#include <array>
#include <atomic>
#include <bit>
#include <cstdint>
#include <limits>
#include <span>

namespace wharf::metrics_internal {

inline constexpr int kStripes = 4;

// The calling thread's stripe, 0..kStripes-1, assigned round-robin the first
// time a thread asks.
int ThisThreadStripe();

// A process-wide unique id for a stats-keeping object (a queue, a topic, a
// rule), so that the sampler tells a deleted object from its namesake
// created later. Never 0.
uint64_t NewObjectId();

// N monotonically increasing counters, striped per thread.
template <int N>
class CounterSet {
 public:
  void Add(int i, uint64_t delta) {
    rows_[ThisThreadStripe()].v[i].fetch_add(delta, std::memory_order_relaxed);
  }
  uint64_t Read(int i) const {
    uint64_t total = 0;
    for (const Row& row : rows_) total += row.v[i].load(std::memory_order_relaxed);
    return total;
  }

 private:
  struct alignas(64) Row {
    std::array<std::atomic<uint64_t>, N> v{};
  };
  std::array<Row, kStripes> rows_;
};

// Prometheus buckets for sizes in bytes: le 64, 256, 1 KiB, ..., 1 MiB, +Inf;
// for durations in microseconds: le 64 us, 256 us, ~1 ms, ..., ~1 s, +Inf.
inline constexpr int kSizeBuckets = 9;
inline constexpr std::array<uint64_t, kSizeBuckets - 1> kSizeBucketBounds = {
    64, 256, 1024, 4096, 16384, 65536, 262144, 1048576};

// The bucket of `bytes`: the first bound >= bytes, or the +Inf bucket.
constexpr int SizeBucket(uint64_t bytes) {
  // bit_width(bytes - 1) = ceil(log2(bytes)) for bytes >= 2; bounds are 4^k * 64.
  int b = (static_cast<int>(std::bit_width(bytes == 0 ? 0 : bytes - 1)) - 5) / 2;
  return b < 0 ? 0 : (b > kSizeBuckets - 1 ? kSizeBuckets - 1 : b);
}

// The smallest and largest value noted since the last Take().
class Extremes {
 public:
  void Note(uint64_t v) {
    uint64_t cur = min_.load(std::memory_order_relaxed);
    while (v < cur && !min_.compare_exchange_weak(cur, v, std::memory_order_relaxed)) {
    }
    cur = max_.load(std::memory_order_relaxed);
    while (v > cur && !max_.compare_exchange_weak(cur, v, std::memory_order_relaxed)) {
    }
  }
  struct Taken {
    uint64_t min;
    uint64_t max;
    bool any() const { return min <= max; }
  };
  // Returns the extremes and starts over. A value noted concurrently lands in
  // this Take or the next one (or, rarely, its min in one and max in the other).
  Taken Take() {
    return {min_.exchange(kNoMin, std::memory_order_relaxed),
            max_.exchange(0, std::memory_order_relaxed)};
  }

 private:
  static constexpr uint64_t kNoMin = std::numeric_limits<uint64_t>::max();
  std::atomic<uint64_t> min_{kNoMin};
  std::atomic<uint64_t> max_{0};
};

// A distribution of sizes in bytes (SentMessageSize, PublishSize,
// PutEventsRequestSize) or durations in microseconds (Lambda's Duration):
// count and sum in the buckets above, plus the extremes since the sampler last
// took them.
class SizeStat {
 public:
  void Record(uint64_t bytes) {
    counters_.Add(SizeBucket(bytes), 1);
    counters_.Add(kSum, bytes);
    extremes_.Note(bytes);
  }
  // Records each of `values`, with one add per bucket used instead of per
  // value (a batch's sizes, usually in one bucket).
  void RecordAll(std::span<const uint64_t> values) {
    if (values.empty()) return;
    std::array<uint64_t, kSizeBuckets> buckets{};
    uint64_t sum = 0;
    uint64_t min = values[0];
    uint64_t max = values[0];
    for (uint64_t v : values) {
      ++buckets[static_cast<size_t>(SizeBucket(v))];
      sum += v;
      min = v < min ? v : min;
      max = v > max ? v : max;
    }
    for (int b = 0; b < kSizeBuckets; ++b) {
      if (buckets[static_cast<size_t>(b)] != 0) counters_.Add(b, buckets[static_cast<size_t>(b)]);
    }
    counters_.Add(kSum, sum);
    extremes_.Note(min);
    if (max != min) extremes_.Note(max);
  }
  uint64_t Count() const {
    uint64_t n = 0;
    for (int b = 0; b < kSizeBuckets; ++b) n += counters_.Read(b);
    return n;
  }
  uint64_t Sum() const { return counters_.Read(kSum); }
  // Values in bucket b: (kSizeBucketBounds[b-1], kSizeBucketBounds[b]], the
  // last bucket holding everything above 1 MiB. Not cumulative.
  uint64_t BucketCount(int b) const { return counters_.Read(b); }
  Extremes::Taken TakeExtremes() { return extremes_.Take(); }

 private:
  static constexpr int kSum = kSizeBuckets;
  CounterSet<kSizeBuckets + 1> counters_;
  Extremes extremes_;
};

}  // namespace wharf::metrics_internal

#endif  // WHARF_BROKER_METRICS_STATS_H_
