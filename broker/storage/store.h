// File: broker/storage/store.h
//
// The durable store of one broker (BrokerOptions::data_dir): a SQLite
// database in WAL mode, `wharf.db`, and a lock file, `LOCK`, in the data
// directory. Services record changes in it; one writer thread commits them.
//
//   ASSIGN_OR_RETURN(std::unique_ptr<Store> store, Store::Open({.dir = "/var/lib/wharf"}));
//   uint64_t since = store->Position();
//   store->Put("sqs.queue", "jobs", document);   // or an engine's journal records a send
//   RETURN_IF_ERROR(store->Commit(since));       // now it is durable: acknowledge
//
// Acknowledged means durable. Every change is enqueued in memory, in the
// order the callers make it, and gets the next log position. A caller that
// acknowledges an operation takes Position() before it and Commit() after:
// Commit returns once everything enqueued so far is committed, with the error
// if the batch holding one of the caller's changes failed. Operations that
// wait: SendMessage(Batch), DeleteMessage(Batch), ChangeMessageVisibility
// (Batch), PurgeQueue, Publish(Batch), PutEvents and every administrative
// operation. A receive's new receive count and visibility deadline are
// written behind: nobody waits for them, because losing one in a crash only
// makes the message visible again sooner with a lower receive count, a
// redelivery at-least-once delivery allows (and a FIFO message that returns
// early is still the head of its group, so order holds).
//
// Group commit (after leveldb's DBImpl::Write). The writer thread takes
// everything pending as one batch and commits it in one transaction, with one
// sync at the FULL level, while callers keep enqueueing the next batch; under
// load batches grow by themselves and a sync is shared by all the callers
// that arrived during the previous commit. The writer starts a batch when a
// caller waits in Commit; changes nobody waits for (a receive's, a document
// put without a Commit) ride along with the next batch, or are committed
// after kWriteBehind. So a caller's changes are not split over two batches
// by an early wake-up, and a received message's new state is seldom written
// at all: a row inserted and deleted within one batch (a message sent,
// received and deleted quickly) is never written, nor is an update of a row
// the same batch deletes. No lock of the callers is held while the writer
// does I/O.
//
// Sync levels (SQLite synchronous=NORMAL or FULL, WAL, exclusive locking).
// Both keep the file consistent: a transaction is in the file whole or not at
// all. NORMAL: a commit is written to the operating system (not flushed)
// before Commit returns, so it survives the process being killed (kill -9);
// the WAL is flushed at each checkpoint, so a power loss may take back the
// commits since the last one. FULL: the WAL is flushed at every commit, so
// commits also survive a power loss.
//
// Schema (version 1; `PRAGMA application_id` 0x77686172 "whar" marks a
// wharf file, `PRAGMA user_version` the schema version):
//   documents(kind, name, value)  configuration: queues (attributes, tags),
//                                 topics, subscriptions, buses, rules, ...
//                                 each an opaque document its service writes.
//   messages(id, ...)             one row per queued message: id, state and
//                                 deadline, receive count, first receive,
//                                 sent and enqueue times, FIFO sequence,
//                                 group and deduplication ids, dead-letter
//                                 source, MD5, attributes, and the body last.
//   dedup(id, key, ...)           FIFO deduplication window entries.
//   sequences(queue, next)        each FIFO queue's next sequence number.
// Row ids are (queue id << 40 | a per-queue counter), so a queue's rows are
// one range of the table: appends are sequential, a purge or a queue deletion
// is one range delete, and recovery reads each queue in order.
//
// Room for a backlog larger than memory: the body is the last column and each
// row is addressed by its id, so a later version can recover only the
// metadata and read a body by id when it is delivered (SQLite reads a row's
// overflow pages only for the columns asked for). Today recovery reads the
// bodies too and they stay in memory.
//
// Faults. A full disk fails the batch with ServiceUnavailable, any other I/O
// error with InternalFailure; the transaction is rolled back, the callers
// waiting for that batch get the error (so nothing they were told is
// durable is lost) and later batches are tried again. A damaged file fails
// every later batch. A file that is not a wharf store, from a newer schema,
// or damaged makes Open fail with a status naming it; a data directory
// already open (another process or another broker in this process) makes
// Open fail with FailedPrecondition (an flock on LOCK).
//
// Thread safety: thread-safe. Recovery (LoadDocuments, OpenQueue) is meant for
// Open time but is safe at any time.

#ifndef WHARF_BROKER_STORAGE_STORE_H_
#define WHARF_BROKER_STORAGE_STORE_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "broker/base/mutex.h"
#include "broker/base/storage.h"
#include "broker/storage/sqlite.h"

namespace wharf::storage_internal {

class QueueJournal;

struct StoreOptions {
  std::string dir;         // Created if missing.
  bool full_sync = false;  // SyncLevel::kFull.
};

struct StoredDocument {
  std::string name;
  std::string value;
};

class Store {
 public:
  // The file name of the database inside the data directory.
  static constexpr char kFileName[] = "wharf.db";

  // Opens (or creates) the store in options.dir and starts its writer.
  // Errors: FailedPrecondition (directory in use), DataLoss (damaged file, not
  // a wharf store, newer schema), InternalFailure (I/O).
  static absl::StatusOr<std::unique_ptr<Store>> Open(const StoreOptions& options);

  // Commits what is pending, stops the writer and releases the directory.
  // REQUIRES: no other thread uses the store.
  ~Store();

  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // The database file's path.
  const std::string& path() const { return db_->path(); }

  // ---- Group commit ---------------------------------------------------------

  // The position of the last change enqueued. Lock-free.
  uint64_t Position() const { return enqueued_.load(std::memory_order_acquire); }

  // Blocks until every change enqueued so far is committed, whoever enqueued
  // it; a caller that enqueued nothing after `since` does not wait for the
  // receives' state updates (written behind). Returns the error of a failed
  // batch that held a change enqueued after `since` or, for a caller that
  // enqueued nothing, one that failed after `since` (its answer may rest on
  // that batch), else OK. Never call it inside an atomic section.
  absl::Status Commit(uint64_t since) ABSL_LOCKS_EXCLUDED(mu_);

  // See MessageJournal::BeginAtomic.
  void BeginAtomic() ABSL_LOCKS_EXCLUDED(mu_);
  void EndAtomic() ABSL_LOCKS_EXCLUDED(mu_);

  // ---- Documents (configuration) ----------------------------------------------

  // Enqueue writing or erasing the document `name` of `kind`.
  void Put(std::string_view kind, std::string_view name, std::string value)
      ABSL_LOCKS_EXCLUDED(mu_);
  void Erase(std::string_view kind, std::string_view name) ABSL_LOCKS_EXCLUDED(mu_);

  // Every document of `kind`, by name.
  absl::StatusOr<std::vector<StoredDocument>> LoadDocuments(std::string_view kind)
      ABSL_LOCKS_EXCLUDED(db_mu_);

  // ---- Queues ---------------------------------------------------------------------

  // A queue id never used in this store (ids are kept in the queue's document
  // by the service; they are 1 to 2^23 - 1).
  absl::StatusOr<int64_t> NewQueueId() ABSL_LOCKS_EXCLUDED(mu_);
  // Records that `queue_id` is in use (recovery), so NewQueueId skips it.
  void NoteQueueId(int64_t queue_id) ABSL_LOCKS_EXCLUDED(mu_);

  // Opens the journal of queue `queue_id` (FIFO or standard) and hands what
  // is stored for it to `restore`: messages in chunks of at most
  // kRestoreChunk, in the order they were added (for a FIFO queue that is
  // sequence order within each group, since a group's messages are added
  // under one engine lock); the last call also carries the deduplication
  // entries still in their window at `now` and the next sequence number.
  absl::StatusOr<std::unique_ptr<QueueJournal>> OpenQueue(
      int64_t queue_id, bool fifo, absl::Time now, absl::FunctionRef<void(RestoredQueue)> restore)
      ABSL_LOCKS_EXCLUDED(mu_, db_mu_);
  static constexpr size_t kRestoreChunk = 4096;

  // Enqueue removing every message, deduplication entry and counter of a
  // deleted queue.
  void DropQueue(int64_t queue_id) ABSL_LOCKS_EXCLUDED(mu_);

  // Removes the rows of every queue not in `live` (left by a queue deleted
  // while sends to it were still arriving). Recovery; waits for the commit.
  absl::Status DropQueuesExcept(const std::vector<int64_t>& live) ABSL_LOCKS_EXCLUDED(mu_, db_mu_);

  // How long a change nobody waits for may stay pending, and how many such
  // changes may pile up, before the writer commits them anyway.
  static constexpr absl::Duration kWriteBehind = absl::Milliseconds(5);
  static constexpr size_t kMaxWriteBehind = 4096;

  // Number of transactions committed (or failed) so far, for tests and
  // benchmarks.
  uint64_t TEST_Batches() ABSL_LOCKS_EXCLUDED(mu_);

 private:
  friend class QueueJournal;

  struct Op;
  struct Failure {
    uint64_t first;  // Log positions of the batch.
    uint64_t last;
    uint64_t enqueued;  // The last position enqueued when the batch failed.
    absl::Status status;
  };
  struct Statements;

  Store(std::unique_ptr<Database> db, int lock_fd);

  absl::Status Prepare() ABSL_LOCKS_EXCLUDED(db_mu_);

  // Appends `op` to the pending batch and gives it the next log position.
  void EnqueueLocked(Op op) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Enqueue(Op op) ABSL_LOCKS_EXCLUDED(mu_);

  void WriterLoop() ABSL_LOCKS_EXCLUDED(mu_, db_mu_);
  // Applies `batch` in one transaction.
  absl::Status Apply(std::vector<Op>& batch) ABSL_LOCKS_EXCLUDED(db_mu_);
  absl::Status ApplyOps(std::vector<Op>& batch) ABSL_EXCLUSIVE_LOCKS_REQUIRED(db_mu_);

  const int lock_fd_;

  Mutex db_mu_ ABSL_ACQUIRED_AFTER(mu_);
  std::unique_ptr<Database> db_;  // Used under db_mu_ (path() is constant).
  std::unique_ptr<Statements> stmts_ ABSL_GUARDED_BY(db_mu_);
  absl::Status fatal_ ABSL_GUARDED_BY(db_mu_);  // Set once the file cannot be trusted.
  // Per FIFO queue, the send time of the last sweep of expired dedup rows.
  absl::flat_hash_map<int64_t, int64_t> dedup_cleaned_ ABSL_GUARDED_BY(db_mu_);

  Mutex mu_;
  CondVar work_cv_;  // The writer waits for work.
  // Committers wait for the writer: those of batch number n on
  // commit_cv_[n % 2], so a batch wakes only the callers it committed, not
  // those already waiting for the next one.
  CondVar commit_cv_[2];
  std::vector<Op> pending_ ABSL_GUARDED_BY(mu_);
  std::atomic<uint64_t> enqueued_{0};  // Written under mu_.
  uint64_t committed_ ABSL_GUARDED_BY(mu_) = 0;
  // The highest position a caller waits for in Commit.
  uint64_t wanted_ ABSL_GUARDED_BY(mu_) = 0;
  // The position of the last change other than a receive's state update
  // (written behind): what a Commit with no change of its own waits for.
  uint64_t answerable_ ABSL_GUARDED_BY(mu_) = 0;
  // When pending_ became non-empty, plus kWriteBehind.
  absl::Time write_behind_deadline_ ABSL_GUARDED_BY(mu_);
  uint64_t batches_ ABSL_GUARDED_BY(mu_) = 0;
  // Batches taken by the writer (the one in flight included), and the last
  // position of the latest.
  uint64_t taken_batches_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t taken_ ABSL_GUARDED_BY(mu_) = 0;
  int open_atomic_ ABSL_GUARDED_BY(mu_) = 0;
  bool writer_idle_ ABSL_GUARDED_BY(mu_) = false;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  // The most recent failed batches (bounded), for Commit.
  std::deque<Failure> failures_ ABSL_GUARDED_BY(mu_);
  // Commit's answer for a caller that took `since` and waited for `target`.
  absl::Status FailureFor(uint64_t since, uint64_t target, bool own) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  int64_t next_queue_id_ ABSL_GUARDED_BY(mu_) = 1;

  std::thread writer_;
};

}  // namespace wharf::storage_internal

#endif  // WHARF_BROKER_STORAGE_STORE_H_
