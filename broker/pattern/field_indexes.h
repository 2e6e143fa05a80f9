// The per-field indexes of the automaton's FieldMatchers (automaton.cc):
// strings by prefix/suffix, numeric ranges, CIDR blocks and anything-but
// exclusions, each built once (Add..., Finish) and then only read.
//
// Thread safety: none while built; after Finish, const lookups may run
// concurrently.

#ifndef WHARF_BROKER_PATTERN_FIELD_INDEXES_H_
#define WHARF_BROKER_PATTERN_FIELD_INDEXES_H_

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/inlined_vector.h"
#include "broker/pattern/pattern_parser.h"
#include "broker/pattern/value_ops.h"

namespace wharf::pattern_internal::field_index {

// Next states. Most conditions lead to one or two states, held inline: a
// lookup then touches no further cache line.
using Targets = absl::InlinedVector<uint32_t, 4>;

// push_back rather than a range insert: g++ 12 at -O2 reports a false
// maybe-uninitialized inside InlinedVector::insert.
template <typename Range, typename Out>
inline void AppendTargets(const Range& t, Out* out) {
  for (uint32_t target : t) out->push_back(target);
}

// Strings keyed by a leading (prefix) or trailing (suffix) part: lookups try
// each distinct key length once, so the cost is bounded by the number of
// distinct lengths, not the number of keys.
struct AffixIndex {
  absl::flat_hash_map<std::string, Targets> map;
  absl::InlinedVector<uint32_t, 4> lengths;  // Sorted, distinct.

  bool empty() const { return map.empty(); }
  void Add(const std::string& key, uint32_t target) { map[key].push_back(target); }
  void Finish() {
    for (const auto& [key, unused] : map) lengths.push_back(static_cast<uint32_t>(key.size()));
    std::sort(lengths.begin(), lengths.end());
    lengths.erase(std::unique(lengths.begin(), lengths.end()), lengths.end());
  }
  template <typename F>
  void Lookup(std::string_view value, bool suffix, F&& f) const {
    for (uint32_t len : lengths) {
      if (len > value.size()) break;
      std::string_view part = suffix ? value.substr(value.size() - len) : value.substr(0, len);
      auto it = map.find(absl::string_view(part.data(), part.size()));
      if (it != map.end()) f(it->second);
    }
  }
};

// Numeric ranges over "elementary positions": for sorted distinct bounds
// b_0 < ... < b_{n-1}, position 2k+1 is the point b_k and position 2k the
// open interval below it (2n: above every bound). A range covers a
// contiguous run of positions. When the runs are short in total (at most
// kMaxListed per position on average: narrow ranges, the common case), each
// position lists the ranges covering it, so a query is one binary search and
// one list; otherwise a segment tree stores each range in O(log n) nodes and
// a query collects the nodes on one root-to-leaf path.
struct NumericIndex {
  struct Pending {
    NumericRange range;
    uint32_t target;
  };
  static constexpr uint32_t kMaxListed = 32;
  std::vector<Pending> pending;  // Build only.
  std::vector<int64_t> bounds;
  uint32_t positions = 0;
  // Listed: position p's targets are listed[list_begin[p] .. list_begin[p + 1]).
  std::vector<uint32_t> list_begin, listed;
  std::vector<Targets> tree;  // Otherwise.

  bool empty() const { return positions == 0; }

  uint32_t Position(int64_t v) const {
    auto it = std::lower_bound(bounds.begin(), bounds.end(), v);
    uint32_t k = static_cast<uint32_t>(it - bounds.begin());
    return (it != bounds.end() && *it == v) ? 2 * k + 1 : 2 * k;
  }

  void Insert(uint32_t node, uint32_t lo, uint32_t hi, uint32_t a, uint32_t b, uint32_t target) {
    if (b < lo || hi < a) return;
    if (a <= lo && hi <= b) {
      tree[node].push_back(target);
      return;
    }
    uint32_t mid = lo + (hi - lo) / 2;
    Insert(2 * node, lo, mid, a, b, target);
    Insert(2 * node + 1, mid + 1, hi, a, b, target);
  }

  void Finish() {
    if (pending.empty()) return;
    for (const Pending& p : pending) {
      if (p.range.has_lower) bounds.push_back(p.range.lower);
      if (p.range.has_upper) bounds.push_back(p.range.upper);
    }
    std::sort(bounds.begin(), bounds.end());
    bounds.erase(std::unique(bounds.begin(), bounds.end()), bounds.end());
    positions = 2 * static_cast<uint32_t>(bounds.size()) + 1;
    // Each range's run of positions [a, b] (empty when a > b).
    std::vector<std::pair<uint32_t, uint32_t>> runs;
    runs.reserve(pending.size());
    uint64_t covered = 0;
    for (const Pending& p : pending) {
      const NumericRange& r = p.range;
      uint32_t a = 0, b = positions - 1;
      if (r.has_lower) a = Position(r.lower) + (r.lower_inclusive ? 0 : 1);
      if (r.has_upper) b = Position(r.upper) - (r.upper_inclusive ? 0 : 1);
      runs.emplace_back(a, b);
      if (a <= b) covered += b - a + 1;
    }
    if (covered <= uint64_t{kMaxListed} * positions) {
      list_begin.assign(positions + 1, 0);
      for (const auto& [a, b] : runs) {
        for (uint32_t q = a; q <= b && a <= b; ++q) ++list_begin[q + 1];
      }
      for (uint32_t q = 0; q < positions; ++q) list_begin[q + 1] += list_begin[q];
      listed.resize(covered);
      std::vector<uint32_t> fill(list_begin.begin(), list_begin.end() - 1);
      for (size_t i = 0; i < runs.size(); ++i) {
        const auto [a, b] = runs[i];
        for (uint32_t q = a; q <= b && a <= b; ++q) listed[fill[q]++] = pending[i].target;
      }
    } else {
      tree.assign(4 * positions, Targets());
      for (size_t i = 0; i < runs.size(); ++i) {
        const auto [a, b] = runs[i];
        if (a <= b) Insert(1, 0, positions - 1, a, b, pending[i].target);
      }
    }
    pending.clear();
    pending.shrink_to_fit();
  }

  void Query(int64_t v, absl::InlinedVector<uint32_t, 8>* out) const {
    uint32_t pos = Position(v);
    if (!list_begin.empty()) {
      for (uint32_t i = list_begin[pos]; i < list_begin[pos + 1]; ++i) out->push_back(listed[i]);
      return;
    }
    uint32_t node = 1, lo = 0, hi = positions - 1;
    while (true) {
      AppendTargets(tree[node], out);
      if (lo == hi) break;
      uint32_t mid = lo + (hi - lo) / 2;
      if (pos <= mid) {
        node = 2 * node;
        hi = mid;
      } else {
        node = 2 * node + 1;
        lo = mid + 1;
      }
    }
  }
};

// CIDR blocks keyed by (how values are read, family, mask length) then by
// the masked address.
struct CidrIndex {
  struct Bucket {
    bool event_ruler;
    bool v6;
    int bits;
    absl::flat_hash_map<std::string, Targets> blocks;
  };
  std::vector<Bucket> buckets;

  bool empty() const { return buckets.empty(); }
  static std::string KeyOf(const IpAddress& ip) {
    return std::string(reinterpret_cast<const char*>(ip.bytes.data()), ip.v6 ? 16 : 4);
  }
  void Add(const Cidr& c, uint32_t target) {
    for (Bucket& b : buckets) {
      if (b.event_ruler == c.event_ruler && b.v6 == c.base.v6 && b.bits == c.bits) {
        b.blocks[KeyOf(c.base)].push_back(target);
        return;
      }
    }
    buckets.push_back(Bucket{c.event_ruler, c.base.v6, c.bits, {}});
    buckets.back().blocks[KeyOf(c.base)].push_back(target);
  }
  void Query(std::string_view value, absl::InlinedVector<uint32_t, 8>* out) const {
    // Each reading is parsed once, when a bucket needs it.
    std::optional<IpAddress> read[2];
    bool tried[2] = {false, false};
    for (const Bucket& b : buckets) {
      const int r = b.event_ruler ? 1 : 0;
      if (!tried[r]) {
        tried[r] = true;
        IpAddress ip;
        if (b.event_ruler ? ParseEventRulerIp(value, &ip) == EventRulerIp::kAddress
                          : ParseIpAddress(value, &ip)) {
          read[r] = ip;
        }
      }
      if (!read[r].has_value() || b.v6 != read[r]->v6) continue;
      auto it = b.blocks.find(KeyOf(MaskAddress(*read[r], b.bits)));
      if (it != b.blocks.end()) AppendTargets(it->second, out);
    }
  }
};

// Anything-but conditions that exclude exact keys (values, numbers, ASCII
// ignore-case strings) on one field, indexed by excluded key so a lookup
// costs O(1 + output) whatever the number of conditions: most conditions
// pass most values, and the few that exclude a value are found through it.
// Entry e stands for one distinct condition and `targets[e]` its next states.
//
// For each excluded key, `keys` keeps whichever is smaller (in targets) of
// the entries excluding it (sorted; the walk merges them against 0..n-1) and
// the targets of the entries passing it. So memory is linear in the total
// size of the lists, and a lookup is O(output): when the excluding entries
// are kept, they carry fewer targets than the passing ones the walk emits.
template <typename Key>
struct ExclusionIndex {
  struct Excluded {
    bool passing = false;  // `ids` lists targets passing (else entries excluding).
    std::vector<uint32_t> ids;
  };
  std::vector<Targets> targets;  // Per entry.
  std::vector<uint32_t> all;     // Every entry's targets (a key no entry excludes).
  absl::flat_hash_map<Key, Excluded> keys;
  std::vector<std::vector<Key>> pending;  // Build only: per entry, the keys it excludes.

  bool empty() const { return targets.empty(); }

  // A new entry excluding `excluded` (distinct keys).
  uint32_t AddEntry(std::vector<Key> excluded) {
    targets.emplace_back();
    pending.push_back(std::move(excluded));
    return static_cast<uint32_t>(targets.size() - 1);
  }

  void Finish() {
    for (uint32_t e = 0; e < pending.size(); ++e) {
      AppendTargets(targets[e], &all);
      for (Key& k : pending[e]) {
        std::vector<uint32_t>& ids = keys[std::move(k)].ids;
        if (ids.empty() || ids.back() != e) ids.push_back(e);
      }
    }
    pending.clear();
    pending.shrink_to_fit();
    std::vector<bool> excluding(targets.size());
    for (auto& [key, x] : keys) {
      size_t excluded_targets = 0;
      for (uint32_t e : x.ids) excluded_targets += targets[e].size();
      if (all.size() - excluded_targets > excluded_targets) continue;
      for (uint32_t e : x.ids) excluding[e] = true;
      std::vector<uint32_t> passing;
      for (uint32_t e = 0; e < targets.size(); ++e) {
        if (!excluding[e]) AppendTargets(targets[e], &passing);
      }
      for (uint32_t e : x.ids) excluding[e] = false;
      x.passing = true;
      x.ids = std::move(passing);
    }
  }

  // Appends the targets of the entries not excluding `key`.
  template <typename K>
  void Lookup(const K& key, absl::InlinedVector<uint32_t, 8>* out) const {
    auto it = keys.find(key);
    if (it == keys.end()) return AppendPassing(nullptr, out);
    AppendPassing(&it->second, out);
  }
  // `x` null: no entry excludes the value.
  void AppendPassing(const Excluded* x, absl::InlinedVector<uint32_t, 8>* out) const {
    if (x == nullptr) return AppendTargets(all, out);
    if (x->passing) return AppendTargets(x->ids, out);
    auto next = x->ids.begin();  // Sorted entry ids.
    for (uint32_t e = 0; e < targets.size(); ++e) {
      if (next != x->ids.end() && *next == e) {
        ++next;
      } else {
        AppendTargets(targets[e], out);
      }
    }
  }
};

}  // namespace wharf::pattern_internal::field_index

#endif  // WHARF_BROKER_PATTERN_FIELD_INDEXES_H_
