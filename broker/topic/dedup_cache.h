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
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/time/time.h"
#include "broker/base/mutex.h"

namespace wharf::topic_internal {

// How long a FIFO topic remembers a deduplication key.
inline constexpr absl::Duration kDeduplicationWindow = absl::Minutes(5);

class DedupCache {
 public:
  struct Entry {
    std::string message_id;
    std::string sequence_number;
  };

  explicit DedupCache(absl::Duration window = kDeduplicationWindow) : window_(window) {}

  // Durable mode: called under the cache's lock when a key is recorded, with
  // the keys that left the window meanwhile, so that what it records in
  // storage is in the order of the cache's changes. It must not call the
  // cache.
  using OnRecord = absl::FunctionRef<void(const std::vector<std::string>& expired)>;

  // If `key` was recorded within the window before `now`, returns what was
  // recorded; otherwise records `entry` under `key`, calls `on_record` (if
  // not null) and returns nullopt. Amortized O(1).
  std::optional<Entry> CheckAndInsert(const std::string& key, absl::Time now, const Entry& entry,
                                      const OnRecord* on_record = nullptr) ABSL_LOCKS_EXCLUDED(mu_);

  // Recovery: records `entry` under `key` as recorded at `recorded_at`,
  // unless its window ended by `now`. REQUIRES: calls in recording order.
  void Restore(const std::string& key, absl::Time recorded_at, absl::Time now, const Entry& entry)
      ABSL_LOCKS_EXCLUDED(mu_);

  // The keys in the window (some may have expired since the last insert).
  std::vector<std::string> Keys() const ABSL_LOCKS_EXCLUDED(mu_);

  size_t size() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  const absl::Duration window_;
  mutable Mutex mu_;
  absl::flat_hash_map<std::string, std::pair<absl::Time, Entry>> entries_ ABSL_GUARDED_BY(mu_);
  std::deque<std::pair<absl::Time, std::string>> order_ ABSL_GUARDED_BY(mu_);
};

}  // namespace wharf::topic_internal

#endif  // WHARF_BROKER_TOPIC_DEDUP_CACHE_H_
