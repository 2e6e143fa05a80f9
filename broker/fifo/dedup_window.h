// File: broker/fifo/dedup_window.h
//
// Remembers, for a fixed window (5 minutes on SQS FIFO queues), which message
// the first accepted send of each deduplication key produced, so a later send
// with the same key inside the window returns that message instead of
// enqueuing again.
//
//   DedupWindow window(absl::Minutes(5));
//   auto [record, duplicate] = window.SendOnce(key, now, [&] { return Enqueue(...); });
//
// Keys are sharded by hash. Each shard keeps two generations of keys, each
// covering one window length of first sends: lookups check both (and each
// entry's own expiry, so the window is exact to the nanosecond); when the
// current generation is a window old it becomes the previous one and the old
// previous one, all expired, is dropped wholesale. So expiry costs nothing per
// key, and memory is bounded by the keys first sent in the last two windows.
//
// Thread safety: thread-safe.

#ifndef WHARF_BROKER_FIFO_DEDUP_WINDOW_H_
#define WHARF_BROKER_FIFO_DEDUP_WINDOW_H_

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/time/time.h"
#include "broker/fifo/spin_mutex.h"

namespace wharf::fifo_internal {

class DedupWindow {
 public:
  // What a first send produced. Message ids of deduplicated sends are always
  // UUIDs (36 characters), so they are kept inline.
  struct Record {
    std::array<char, 36> message_id{};
    uint64_t serial = 0;
  };

  explicit DedupWindow(absl::Duration window) : window_(window) {}
  DedupWindow(const DedupWindow&) = delete;
  DedupWindow& operator=(const DedupWindow&) = delete;

  // If `key` was first accepted less than `window` before `now`, returns that
  // send's record and true, without calling `enqueue`. Otherwise calls
  // `enqueue`, remembers its record until now + window and returns it and
  // false. Concurrent calls with the same key are serialised, so exactly one
  // of them enqueues. `enqueue` runs under the key's shard lock: it must be
  // short and must not call back into this window. O(1) expected.
  std::pair<Record, bool> SendOnce(std::string_view key, absl::Time now,
                                   absl::FunctionRef<Record()> enqueue);

  // Forgets every key, so the next send of any key enqueues (PurgeQueue
  // clears a FIFO queue's deduplication window on SQS).
  void Clear();

  // Number of remembered keys, including expired ones not yet dropped.
  size_t SizeForTesting();

 private:
  static constexpr int kShards = 16;

  // One generation. Each key's bytes and its record's message id are copied
  // into fixed-size byte blocks, entries into fixed-size entry blocks, and the
  // index maps the key's 64-bit hash to its newest entry (entries of keys with
  // equal hashes are chained). Blocks never move once allocated, and Clear()
  // keeps them for the next generation, so a steady flow of sends reuses the
  // same memory and inserting copies each key once.
  struct Entry {
    uint32_t bytes;  // Offset of key then message id in the byte blocks.
    uint32_t key_size;
    uint32_t next;  // Index of an older entry with the same hash, or kNone.
    uint64_t serial;
    absl::Time expires;
  };
  static constexpr uint32_t kEntriesPerBlock = 4096;
  static constexpr uint32_t kBytesPerBlock = 1 << 16;  // > longest key + id.

  class Generation {
   public:
    // Returns the entry of `key` (with `hash`), or kNone.
    uint32_t Find(std::string_view key, uint64_t hash) const;
    void Insert(std::string_view key, uint64_t hash, const Record& record, absl::Time expires);
    Entry& entry(uint32_t i) { return entry_blocks_[i / kEntriesPerBlock][i % kEntriesPerBlock]; }
    const Entry& entry(uint32_t i) const {
      return entry_blocks_[i / kEntriesPerBlock][i % kEntriesPerBlock];
    }
    Record RecordOf(const Entry& e) const;
    size_t size() const { return size_; }
    void Clear();

   private:
    const char* Bytes(uint32_t offset) const {
      return byte_blocks_[offset / kBytesPerBlock].get() + offset % kBytesPerBlock;
    }

    absl::flat_hash_map<uint64_t, uint32_t> index_;
    std::vector<std::unique_ptr<Entry[]>> entry_blocks_;
    uint32_t size_ = 0;
    std::vector<std::unique_ptr<char[]>> byte_blocks_;
    uint32_t bytes_used_ = 0;  // Offset of the next free byte.
  };
  static constexpr uint32_t kNone = ~uint32_t{0};

  struct alignas(64) Shard {
    SpinMutex mu;
    // Keys first sent in [current_start, current_start + window) are in
    // `current`; in the window before that, in `previous`.
    absl::Time current_start ABSL_GUARDED_BY(mu) = absl::InfinitePast();
    Generation current ABSL_GUARDED_BY(mu);
    Generation previous ABSL_GUARDED_BY(mu);
  };

  void Rotate(Shard& shard, absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(shard.mu);

  const absl::Duration window_;
  std::array<Shard, kShards> shards_;
};

}  // namespace wharf::fifo_internal

#endif  // WHARF_BROKER_FIFO_DEDUP_WINDOW_H_
