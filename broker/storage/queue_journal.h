// File: broker/storage/queue_journal.h
//
// QueueJournal: the MessageJournal of one durable queue. It turns an engine's
// reports (a message added, received, removed) into row changes of the
// store's messages table and enqueues them; the store's writer commits them.
//
// Messages are identified to the journal by their message id, the rows by a
// per-queue number, so the journal keeps a map from message id to row
// (about 40 bytes per queued message, in durable mode only). A message id
// added again while its row exists (a message moved back into the queue it
// was copied from) replaces the row.
//
// Thread safety: thread-safe; every call takes the store's queue lock briefly
// (a hash map operation and an append), never does I/O, never waits.

#ifndef WHARF_BROKER_STORAGE_QUEUE_JOURNAL_H_
#define WHARF_BROKER_STORAGE_QUEUE_JOURNAL_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/numeric/int128.h"
#include "broker/base/storage.h"
#include "broker/storage/store.h"

namespace wharf::storage_internal {

class QueueJournal final : public MessageJournal {
 public:
  // Row ids: queue id in the high bits, a per-queue counter in the low 40.
  static constexpr int kRowBits = 40;
  static constexpr int64_t kMaxQueueId = (int64_t{1} << (63 - kRowBits)) - 1;

  QueueJournal(Store& store, int64_t queue_id, bool fifo);

  int64_t queue_id() const { return queue_id_; }

  void Added(const MessageEntry& entry) override;
  void Changed(std::string_view message_id, MessageState state, absl::Time visible_at,
               int receive_count, absl::Time first_receive_time) override;
  void Removed(std::string_view message_id) override;
  void Purged() override;
  void BeginAtomic() override { store_.BeginAtomic(); }
  void EndAtomic() override { store_.EndAtomic(); }

  // Recovery: a stored row of this queue.
  void NoteRow(std::string_view message_id, int64_t row) ABSL_LOCKS_EXCLUDED(store_.mu_);
  void NoteDedupRow(int64_t row) ABSL_LOCKS_EXCLUDED(store_.mu_);

  // The first and last possible row ids of queue `queue_id`.
  static int64_t FirstRow(int64_t queue_id) { return queue_id << kRowBits; }
  static int64_t LastRow(int64_t queue_id) { return (queue_id << kRowBits) | kRowMask; }

 private:
  static constexpr int64_t kRowMask = (int64_t{1} << kRowBits) - 1;

  // Message ids are normally lower-case UUIDs, packed into 128 bits; any
  // other id is kept as text.
  class Ids {
   public:
    // The row of `id`, or 0.
    int64_t Find(std::string_view id) const;
    // Sets the row of `id`; returns the row it replaces, or 0.
    int64_t Set(std::string_view id, int64_t row);
    // Removes `id`; returns its row, or 0.
    int64_t Take(std::string_view id);
    void Clear();

   private:
    absl::flat_hash_map<absl::uint128, int64_t> uuids_;
    absl::flat_hash_map<std::string, int64_t> others_;
  };

  Store& store_;
  const int64_t queue_id_;
  const bool fifo_;
  Ids ids_ ABSL_GUARDED_BY(store_.mu_);
  int64_t next_row_ ABSL_GUARDED_BY(store_.mu_);
  int64_t next_dedup_row_ ABSL_GUARDED_BY(store_.mu_);
};

}  // namespace wharf::storage_internal

#endif  // WHARF_BROKER_STORAGE_QUEUE_JOURNAL_H_
