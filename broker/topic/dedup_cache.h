// The 5-minute deduplication window of a FIFO topic (spec/sns.md §4.3, §6).
//
// Invariants: every key in `entries_` appears once in `order_`, which is
// sorted by expiry (insertion order, since the window is constant and the
// clock never goes back). Expired entries are dropped lazily, by the next
// CheckAndInsert, so the cache holds at most the keys published within one
// window.
//
// Thread safety: thread-safe.

#ifndef WHARF_BROKER_TOPIC_DEDUP_CACHE_H_
#define WHARF_BROKER_TOPIC_DEDUP_CACHE_H_

#include <deque>
#include <optional>
#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/time/time.h"
#include "broker/base/mutex.h"

namespace wharf::topic_internal {

class DedupCache {
 public:
  struct Entry {
    std::string message_id;
    std::string sequence_number;
  };

  explicit DedupCache(absl::Duration window = absl::Minutes(5)) : window_(window) {}

  // If `key` was recorded within the window before `now`, returns what was
  // recorded; otherwise records `entry` under `key` and returns nullopt.
  // Amortized O(1).
  std::optional<Entry> CheckAndInsert(const std::string& key, absl::Time now, const Entry& entry)
      ABSL_LOCKS_EXCLUDED(mu_);

  size_t size() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  const absl::Duration window_;
  mutable Mutex mu_;
  absl::flat_hash_map<std::string, std::pair<absl::Time, Entry>> entries_ ABSL_GUARDED_BY(mu_);
  std::deque<std::pair<absl::Time, std::string>> order_ ABSL_GUARDED_BY(mu_);
};

}  // namespace wharf::topic_internal

#endif  // WHARF_BROKER_TOPIC_DEDUP_CACHE_H_
