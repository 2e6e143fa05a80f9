#include "broker/tools/bench/histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace wharf::bench {
namespace {

constexpr int64_t kExact = int64_t{1} << Histogram::kSubBits;  // Values counted exactly.
constexpr int64_t kHalf = kExact / 2;                          // Buckets per power of two above.

}  // namespace

Histogram::Histogram() : counts_(kNumBuckets, 0) {}

int Histogram::IndexOf(int64_t value) {
  if (value < kExact) return static_cast<int>(std::max<int64_t>(value, 0));
  if (value > kMaxValue) value = kMaxValue;
  // value in [2^k, 2^(k+1)) with k >= kSubBits; keep its top kSubBits bits.
  int k = 63 - std::countl_zero(static_cast<uint64_t>(value));
  int shift = k - kSubBits + 1;
  int64_t top = value >> shift;  // In [kHalf, kExact).
  return static_cast<int>(kExact + (shift - 1) * kHalf + (top - kHalf));
}

int64_t Histogram::LowestOf(int index) {
  if (index < kExact) return index;
  int shift = static_cast<int>((index - kExact) / kHalf) + 1;
  int64_t top = (index - kExact) % kHalf + kHalf;
  return top << shift;
}

int64_t Histogram::HighestOf(int index) {
  if (index < kExact) return index;
  int shift = static_cast<int>((index - kExact) / kHalf) + 1;
  return LowestOf(index) + (int64_t{1} << shift) - 1;
}

void Histogram::RecordN(int64_t value, int64_t count) {
  if (count <= 0) return;
  value = std::max<int64_t>(value, 0);
  counts_[IndexOf(value)] += count;
  if (count_ == 0 || value < min_) min_ = value;
  max_ = std::max(max_, value);
  count_ += count;
  sum_ += static_cast<double>(value) * static_cast<double>(count);
}

void Histogram::Merge(const Histogram& other) {
  if (other.count_ == 0) return;
  for (int i = 0; i < kNumBuckets; ++i) counts_[i] += other.counts_[i];
  if (count_ == 0 || other.min_ < min_) min_ = other.min_;
  max_ = std::max(max_, other.max_);
  count_ += other.count_;
  sum_ += other.sum_;
}

void Histogram::Reset() {
  std::fill(counts_.begin(), counts_.end(), 0);
  count_ = 0;
  min_ = 0;
  max_ = 0;
  sum_ = 0;
}

int64_t Histogram::Percentile(double q) const {
  if (count_ == 0) return 0;
  q = std::clamp(q, 0.0, 1.0);
  // Nearest rank: the rank-th smallest value, rank in [1, count].
  int64_t rank = static_cast<int64_t>(std::ceil(q * static_cast<double>(count_)));
  rank = std::clamp<int64_t>(rank, 1, count_);
  int64_t seen = 0;
  for (int i = 0; i < kNumBuckets; ++i) {
    seen += counts_[i];
    if (seen >= rank) {
      // The top bucket also holds everything above kMaxValue.
      return i == kNumBuckets - 1 ? max_ : std::clamp(HighestOf(i), min(), max_);
    }
  }
  return max_;
}

std::vector<Histogram::Bucket> Histogram::NonEmptyBuckets() const {
  std::vector<Bucket> out;
  for (int i = 0; i < kNumBuckets; ++i) {
    if (counts_[i] != 0) out.push_back({LowestOf(i), HighestOf(i), counts_[i]});
  }
  return out;
}

}  // namespace wharf::bench
