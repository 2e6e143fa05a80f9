// Histogram: a log-linear histogram of non-negative integers (latencies in
// nanoseconds), in the manner of HdrHistogram. Values below 2^kSubBits are
// counted exactly; above, each power of two is split into 2^(kSubBits-1)
// equal buckets, so a bucket's width is at most 2^-(kSubBits-1) (0.78%) of
// its lower bound. Memory is fixed (kNumBuckets = 4,608 counters, 37 KB); Record is
// O(1) and allocation-free; values above kMaxValue (about 73 minutes in
// nanoseconds) are counted in the top bucket and reported as the exact max.
//
// Percentiles use the nearest-rank definition (the smallest recorded value v
// such that at least q of the values are <= v) and report the highest value
// of that value's bucket, clipped to the exact maximum, so the figure is
// never below the true percentile and exceeds it by less than
// kMaxRelativeError of it.
//
// Thread safety: thread-compatible (callers synchronize).

#ifndef WHARF_BROKER_TOOLS_BENCH_HISTOGRAM_H_
#define WHARF_BROKER_TOOLS_BENCH_HISTOGRAM_H_

#include <cstdint>
#include <vector>

namespace wharf::bench {

class Histogram {
 public:
  static constexpr int kSubBits = 8;   // 256 exact values.
  static constexpr int kMaxBits = 42;  // 2^42 ns ~ 73 min.
  static constexpr int64_t kMaxValue = (int64_t{1} << kMaxBits) - 1;
  static constexpr int kNumBuckets =
      (1 << kSubBits) + (kMaxBits - kSubBits) * (1 << (kSubBits - 1));
  static constexpr double kMaxRelativeError = 1.0 / (1 << (kSubBits - 1));

  Histogram();

  // Negative values count as 0.
  void Record(int64_t value) { RecordN(value, 1); }
  void RecordN(int64_t value, int64_t count);
  void Merge(const Histogram& other);
  void Reset();

  int64_t count() const { return count_; }
  int64_t min() const { return count_ == 0 ? 0 : min_; }
  int64_t max() const { return max_; }
  double mean() const { return count_ == 0 ? 0 : sum_ / static_cast<double>(count_); }

  // q in [0, 1]; 0 when empty. Percentile(1) == max().
  int64_t Percentile(double q) const;

  // The buckets that hold values, in increasing order.
  struct Bucket {
    int64_t low;   // Smallest value of the bucket.
    int64_t high;  // Largest value of the bucket.
    int64_t count;
  };
  std::vector<Bucket> NonEmptyBuckets() const;

  // Bucket index of a value, and the value range of an index (exposed for tests).
  static int IndexOf(int64_t value);
  static int64_t LowestOf(int index);
  static int64_t HighestOf(int index);

 private:
  std::vector<int64_t> counts_;
  int64_t count_ = 0;
  int64_t min_ = 0;
  int64_t max_ = 0;
  double sum_ = 0;
};

}  // namespace wharf::bench

#endif  // WHARF_BROKER_TOOLS_BENCH_HISTOGRAM_H_
