// File: broker/fifo/dedup_window.h
//
// Remembers, for a fixed window (5 minutes on SQS FIFO queues), the outcome of
// the first accepted send of each deduplication key, so a later send with the
// same key inside the window returns that outcome instead of enqueuing again.
// Keys are sharded by hash; each shard keeps its entries in a hash map plus an
// insertion-ordered expiry list, so expired entries are dropped in O(1) each
// as the clock moves (windows all have the same length and time only moves
// forward, so insertion order is expiry order).
//
//   DedupWindow window(absl::Minutes(5));
//   auto outcome = window.SendOnce(key, now, [&] { return Enqueue(...); });
//
// Thread safety: thread-safe.
//
// Invariants (per shard):
//   * every map entry has exactly one expiry-list element with the same key
//     and expiry time; expiry-list elements whose map entry was replaced or
//     removed are skipped when they reach the front.

#ifndef WHARF_BROKER_FIFO_DEDUP_WINDOW_H_
#define WHARF_BROKER_FIFO_DEDUP_WINDOW_H_

#include <array>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/hash/hash.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "broker/base/mutex.h"
#include "broker/queue/queue_core.h"

namespace wharf::fifo_internal {

class DedupWindow {
 public:
  explicit DedupWindow(absl::Duration window) : window_(window) {}
  DedupWindow(const DedupWindow&) = delete;
  DedupWindow& operator=(const DedupWindow&) = delete;

  // If `key` was accepted less than `window` before `now`, returns the
  // remembered outcome with `duplicate` set and does not call `enqueue`.
  // Otherwise calls `enqueue` and, if it succeeds, remembers its outcome until
  // now + window. Concurrent calls with the same key are serialised, so at
  // most one of them enqueues. `enqueue` runs under this key's shard lock: it
  // must not call back into this window.
  absl::StatusOr<queue_internal::SendOutcome> SendOnce(
      std::string_view key, absl::Time now,
      absl::FunctionRef<absl::StatusOr<queue_internal::SendOutcome>()> enqueue);

  // Number of remembered (possibly already expired but not yet dropped) keys.
  size_t SizeForTesting();

 private:
  static constexpr int kShards = 16;

  struct Entry {
    std::string message_id;
    std::string sequence_number;
    absl::Time expires;
  };
  struct alignas(64) Shard {
    Mutex mu;
    absl::flat_hash_map<std::string, Entry> entries ABSL_GUARDED_BY(mu);
    std::deque<std::pair<absl::Time, std::string>> expiry ABSL_GUARDED_BY(mu);
  };

  static void DropExpired(Shard& shard, absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(shard.mu);

  const absl::Duration window_;
  std::array<Shard, kShards> shards_;
};

}  // namespace wharf::fifo_internal

#endif  // WHARF_BROKER_FIFO_DEDUP_WINDOW_H_
