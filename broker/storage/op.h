// Store::Op: one change waiting in the store's pending batch. Internal to
// broker/storage (store.cc applies ops, queue_journal.cc makes most of them).

#ifndef WHARF_BROKER_STORAGE_OP_H_
#define WHARF_BROKER_STORAGE_OP_H_

#include <cstdint>
#include <limits>
#include <memory>
#include <string>

#include "absl/time/time.h"
#include "broker/base/payload.h"
#include "broker/base/storage.h"
#include "broker/storage/store.h"

namespace wharf::storage_internal {

// Times are stored as Unix nanoseconds; kNoTime stands for "never"
// (InfinitePast), kForever for InfiniteFuture.
inline constexpr int64_t kNoTime = std::numeric_limits<int64_t>::min();
inline constexpr int64_t kForever = std::numeric_limits<int64_t>::max();

inline int64_t ToNanos(absl::Time t) {
  if (t == absl::InfinitePast()) return kNoTime;
  if (t == absl::InfiniteFuture()) return kForever;
  return absl::ToUnixNanos(t);
}

inline absl::Time FromNanos(int64_t ns) {
  if (ns == kNoTime) return absl::InfinitePast();
  if (ns == kForever) return absl::InfiniteFuture();
  return absl::FromUnixNanos(ns);
}

struct Store::Op {
  enum class Kind : uint8_t {
    kInsert,     // A message row (and, for a deduplicated FIFO send, a dedup row).
    kUpdate,     // A message's state, deadline and receive history.
    kDelete,     // A message row.
    kPurge,      // Every message row and dedup entry of queue `id`.
    kDropQueue,  // Every row of queue `id`: messages, dedup entries, counter.
    kPut,        // A document.
    kErase,      // A document.
  };

  // A document's kind and name, and the value for kPut.
  struct Document {
    std::string kind;
    std::string name;
    std::string value;
  };

  Kind kind = Kind::kInsert;
  MessageState state = MessageState::kVisible;
  int64_t id = 0;  // Message row id; queue id for kPurge and kDropQueue.
  int64_t visible_at = 0;
  int64_t receive_count = 0;
  int64_t first_receive = kNoTime;
  // kInsert only.
  int64_t sent = 0;
  int64_t enqueued = 0;
  int64_t sequence = 0;
  int64_t dedup_row = 0;  // 0: no dedup entry.
  base_internal::PayloadRef payload;
  std::string message_id;
  std::string group_id;
  std::string deduplication_id;
  std::string dead_letter_source_arn;
  std::string deduplication_key;
  // kPut, kErase only.
  std::unique_ptr<Document> document;
};

}  // namespace wharf::storage_internal

#endif  // WHARF_BROKER_STORAGE_OP_H_
