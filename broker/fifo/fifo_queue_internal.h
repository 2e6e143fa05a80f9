// File: broker/fifo/fifo_queue_internal.h
//
// The insides of the FIFO queue engine (fifo_queue.h), shared by its .cc
// files: message, group and shard records and the FifoQueue class. Thread
// safety: FifoQueue is thread-safe; each record is guarded as annotated.
//
//
// Layout. Message groups are sharded by a hash of the group id. A shard owns,
// under its mutex: its groups (each an ordered deque of its messages), every
// message record of those groups (by serial number), the shard's list of
// ready groups, and a timer set of the shard's deadlines (visibility expiry,
// end of delay). Receivers pop ready groups; they never scan groups.
//
// Invariants (per shard, under its mutex):
//   * A group's deque holds its live messages in send order; a message leaves
//     the deque only when it is deleted, dead-lettered, taken for a move,
//     purged or dropped by retention. In-flight messages stay in place, so a
//     message whose visibility ends is back at the head of its group.
//   * group.in_flight counts the group's messages that are kInFlight or
//     kMoving. A group is "eligible" iff its deque is non-empty and its head
//     is kVisible. Outside a receive that has popped it, a group is in
//     `ready` (and `queued` is set) iff it is eligible.
//   * A group entering `ready` takes the queue's next ready_seq, so every
//     shard's `ready` is in ready_seq order and `ready_front` is its first
//     group's (kNotReady when empty). Receives serve groups in ready_seq
//     order across the shards: the order in which they became ready.
//   * A receive takes the run of kVisible messages at the head of a group,
//     up to the first that is not: an in-flight message holds back itself and
//     everything after it, but not the messages before it that became
//     visible again (as SQS: LocalStack's AWS-validated
//     test_fifo_group_visibility_extends_with_change_message_visibility).
//   * Every kDelayed or kInFlight message has exactly one entry in `timers`,
//     keyed by (timer_at, serial).
//   * A group with an empty deque and in_flight == 0 is erased.
//
// Waiting receives are ParkedReceivers' (broker/queue/parked_receivers.h):
// every change that makes a group ready wakes one of them; a deadline that
// may be the earliest arms its alarm.
//
// Lock order: DedupWindow shard -> timers_mu_ -> Shard::mu -> attempts_mu_,
// and timers_mu_ / Shard::mu -> the Scheduler's lock (ArmAlarm). The
// dead-letter sink and receive completions are called with none held.

#ifndef WHARF_BROKER_FIFO_FIFO_QUEUE_INTERNAL_H_
#define WHARF_BROKER_FIFO_FIFO_QUEUE_INTERNAL_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <deque>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/btree_set.h"
#include "absl/container/flat_hash_map.h"
#include "absl/hash/hash.h"
#include "absl/time/time.h"
#include "broker/base/ids.h"
#include "broker/base/mutex.h"
#include "broker/base/scheduler.h"
#include "broker/fifo/dedup_window.h"
#include "broker/fifo/spin_mutex.h"
#include "broker/queue/parked_receivers.h"
#include "broker/queue/queue_core.h"
#include "wharf/clock.h"

namespace wharf::fifo_internal::fifo_engine {

using queue_internal::Counts;
using queue_internal::DeadLetterSink;
using queue_internal::Delivery;
using queue_internal::ParkedReceivers;
using queue_internal::Payload;
using queue_internal::PayloadRef;
using queue_internal::QueueConfig;
using queue_internal::QueueCore;
using queue_internal::ReceiveArgs;
using queue_internal::ReceiveDone;
using queue_internal::ReceiveResult;
using queue_internal::ReceiveSource;
using queue_internal::SendArgs;
using queue_internal::SendOutcome;

// SQS FIFO windows: deduplication and ReceiveRequestAttemptId retries.
constexpr absl::Duration kDedupWindow = absl::Minutes(5);
constexpr absl::Duration kAttemptWindow = absl::Minutes(5);
// A message may stay invisible at most this long after the receive that
// produced its handle (spec §7.1).
constexpr absl::Duration kMaxVisibility = absl::Hours(12);

// Sequence numbers are kSequenceBase + serial: always 20 decimal digits, so
// they compare the same as strings and as numbers, like AWS's.
constexpr uint64_t kSequenceBase = 18'000'000'000'000'000'000ULL;

constexpr int kShards = 16;
// Per shard, the last deletes remembered so that repeating a delete with the
// same (still unexpired) handle succeeds instead of reporting expiry.
constexpr int kTombstones = 256;
// Per shard, idle (empty, unlocked) groups kept before a sweep erases them.
constexpr size_t kIdleGroups = 1024;

constexpr int64_t kNoDeadline = std::numeric_limits<int64_t>::max();

enum class State : uint8_t {
  kVisible,
  kDelayed,   // Queue-level DelaySeconds not yet over.
  kInFlight,  // Received; invisible until timer_at.
  kMoving,    // Being handed to the dead-letter sink; locks its group.
};

struct Group;

// A message record. Records live in their shard's slot table and are reused
// (strings keep their capacity), so a steady flow allocates nothing for them.
struct Message {
  uint64_t serial = 0;  // Per queue, increasing in send order; 0: slot free.
  uint32_t slot = 0;    // Index in the shard's slot table.
  std::string message_id;
  PayloadRef payload;
  std::string deduplication_id;
  std::string dead_letter_source_arn;
  Group* group = nullptr;
  absl::Time sent_time;    // SentTimestamp.
  absl::Time enqueued_at;  // Retention is counted from here.
  absl::Time first_receive_time = absl::InfinitePast();
  int receive_count = 0;
  State state = State::kVisible;
  absl::Time timer_at;  // Deadline while kDelayed or kInFlight.
  // Of the receive that made it kInFlight.
  uint64_t receive_gen = 0;
  absl::Time received_at;
  bool visibility_changed = false;
  // Neighbours in the group's list, in send order.
  Message* prev = nullptr;
  Message* next = nullptr;
};

// A message group: its live messages as an intrusive list in send order (no
// allocation per message), and whether it is locked or queued as ready.
struct Group {
  std::string id;
  Message* head = nullptr;
  Message* tail = nullptr;
  int in_flight = 0;
  uint64_t ready_seq = 0;  // While queued: when it became ready.
  bool queued = false;
  bool idle_listed = false;  // In its shard's `idle` list.

  bool empty() const { return head == nullptr; }
  void PushBack(Message* m) {
    m->prev = tail;
    m->next = nullptr;
    (tail != nullptr ? tail->next : head) = m;
    tail = m;
  }
  void Unlink(Message* m) {
    (m->prev != nullptr ? m->prev->next : head) = m->next;
    (m->next != nullptr ? m->next->prev : tail) = m->prev;
    m->prev = m->next = nullptr;
  }
};

struct Tombstone {
  uint64_t serial = 0;
  uint64_t receive_gen = 0;
  absl::Time until;
};

struct TimerKey {
  absl::Time at;
  uint64_t serial;
  uint32_t slot;
  friend bool operator<(const TimerKey& a, const TimerKey& b) {
    return a.at != b.at ? a.at < b.at : a.serial < b.serial;
  }
};

struct alignas(64) Shard {
  SpinMutex mu;
  absl::flat_hash_map<std::string, std::unique_ptr<Group>> groups ABSL_GUARDED_BY(mu);
  // Message records by slot; free slots are reused first.
  std::vector<std::unique_ptr<Message>> slots ABSL_GUARDED_BY(mu);
  std::vector<uint32_t> free_slots ABSL_GUARDED_BY(mu);
  // A message record: a free slot if any, else a new one. O(1) amortized.
  Message* TakeSlot() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    if (!free_slots.empty()) {
      Message* m = slots[free_slots.back()].get();
      free_slots.pop_back();
      return m;
    }
    Message* m = slots.emplace_back(std::make_unique<Message>()).get();
    m->slot = static_cast<uint32_t>(slots.size() - 1);
    return m;
  }
  std::deque<Group*> ready ABSL_GUARDED_BY(mu);
  // Groups that became empty and unlocked. They are kept (a busy group often
  // gets its next message soon) and erased in sweeps once kIdleGroups pile up.
  std::vector<Group*> idle ABSL_GUARDED_BY(mu);
  absl::btree_set<TimerKey> timers ABSL_GUARDED_BY(mu);
  std::array<Tombstone, kTombstones> tombstones ABSL_GUARDED_BY(mu);
  int64_t visible ABSL_GUARDED_BY(mu) = 0;
  int64_t delayed ABSL_GUARDED_BY(mu) = 0;
  // ready.size(), readable without the lock (a hint that lets receivers skip
  // empty shards; sequentially consistent, see WakeWaiters).
  std::atomic<int> ready_size{0};
  // The ready_seq of ready.front(), kNotReady if none: readable without the
  // lock, so a receive picks the shard whose group's turn came first.
  static constexpr uint64_t kNotReady = std::numeric_limits<uint64_t>::max();
  std::atomic<uint64_t> ready_front{kNotReady};

  void PushReady(Group& g, uint64_t seq) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    g.ready_seq = seq;
    ready.push_back(&g);
    if (ready.size() == 1) ready_front.store(seq, std::memory_order_seq_cst);
    ready_size.fetch_add(1, std::memory_order_seq_cst);
  }
  Group& PopReady() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    Group& g = *ready.front();
    ready.pop_front();
    ready_front.store(ready.empty() ? kNotReady : ready.front()->ready_seq,
                      std::memory_order_seq_cst);
    ready_size.fetch_sub(1, std::memory_order_seq_cst);
    return g;
  }
  void ClearReady() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    ready_size.fetch_sub(static_cast<int>(ready.size()), std::memory_order_seq_cst);
    ready.clear();
    ready_front.store(kNotReady, std::memory_order_seq_cst);
  }
};

// Parsed receipt handle: 16 hex digits of queue tag, 2 of shard, 8 of slot,
// 16 of message serial, 16 of receive generation. The serial tells a reused
// slot's new message from the one the handle was issued for.
struct Handle {
  int shard = 0;
  uint32_t slot = 0;
  uint64_t serial = 0;
  uint64_t receive_gen = 0;
};
constexpr size_t kHandleSize = 16 + 2 + 8 + 16 + 16;

// The live message in `slot` if it is still message `serial`, else null.
inline Message* FindMessage(Shard& shard, uint32_t slot, uint64_t serial)
    ABSL_EXCLUSIVE_LOCKS_REQUIRED(shard.mu) {
  if (slot >= shard.slots.size()) return nullptr;
  Message* m = shard.slots[slot].get();
  return m->serial == serial ? m : nullptr;
}

// The message a receive still holds through `h` at `now`: not deleted,
// returned or re-received, its visibility unchanged and not yet over. Else
// null.
inline Message* HeldMessage(Shard& shard, const Handle& h, absl::Time now)
    ABSL_EXCLUSIVE_LOCKS_REQUIRED(shard.mu) {
  Message* m = FindMessage(shard, h.slot, h.serial);
  if (m == nullptr) return nullptr;
  if (m->state != State::kInFlight || m->receive_gen != h.receive_gen || m->visibility_changed ||
      m->timer_at <= now) {
    return nullptr;
  }
  return m;
}

class FifoQueue final : public QueueCore, private ReceiveSource {
 public:
  FifoQueue(const QueueConfig& config, Clock& clock, Scheduler& scheduler, DeadLetterSink* dlq_sink,
            std::string queue_arn)
      : clock_(clock),
        dlq_sink_(dlq_sink),
        queue_arn_(std::move(queue_arn)),
        dedup_(kDedupWindow),
        waiters_(*this, clock, scheduler) {
    queue_tag_ = base_internal::RandomUint64();
    SetConfig(config);
  }

  // Completes waiting receives before anything they might touch is gone.
  ~FifoQueue() override { waiters_.Shutdown(); }

  absl::StatusOr<SendOutcome> Send(SendArgs args) override;
  ReceiveResult Receive(const ReceiveArgs& args) override { return waiters_.Receive(args); }
  void ReceiveAsync(ReceiveArgs args, ReceiveDone done) override {
    waiters_.ReceiveAsync(std::move(args), std::move(done));
  }
  absl::Status Delete(std::string_view receipt_handle) override;
  absl::Status ChangeVisibility(std::string_view receipt_handle, absl::Duration timeout) override;
  void Purge() override;
  std::vector<Delivery> TakeForMove(int max) override;
  Counts GetCounts() override;
  absl::Time OldestMessageTime() override;
  void SetConfig(const QueueConfig& config) override;
  void Close() override;
  void AttachJournal(storage_internal::MessageJournal* journal) override { journal_ = journal; }
  void Restore(storage_internal::RestoredQueue restored) override;

 private:
  // A message being handed to the dead-letter sink by a receive.
  struct PendingMove {
    int shard;
    uint32_t slot;
    uint64_t serial;
    Delivery delivery;
  };

  struct Attempt {
    absl::Time expires;
    std::vector<Delivery> deliveries;
  };

  Shard& ShardFor(std::string_view group_id) {
    return shards_[absl::Hash<std::string_view>{}(group_id) % kShards];
  }
  int ShardIndex(const Shard& shard) const { return static_cast<int>(&shard - shards_.data()); }

  // Appends a message to its group; returns its serial number and sets
  // *became_ready if its group became ready (the caller wakes a receiver
  // for it, with no lock held: Enqueue runs under the dedup window's lock).
  // A new message id (args.message_id empty) is also copied to `new_id`.
  // `dedup_key` is what the deduplication window remembers for this send
  // (empty for a moved message), for the journal.
  uint64_t Enqueue(SendArgs& args, absl::Time now, bool* became_ready,
                   std::array<char, 36>* new_id = nullptr, std::string_view dedup_key = {});

  std::string MakeHandle(int shard, const Message& m) const;
  bool ParseHandle(std::string_view text, Handle& handle) const;

  Delivery MakeDelivery(const Message& m, std::string receipt_handle) const;

  static bool Eligible(const Group& g) {
    return g.head != nullptr && g.head->state == State::kVisible;
  }
  // Queues `g` if it became eligible; returns true if it did.
  bool MaybeMakeReady(Shard& shard, Group& g) ABSL_EXCLUSIVE_LOCKS_REQUIRED(shard.mu);
  // Notes `g` as idle if it has neither messages nor messages in flight; may
  // erase idle groups (including `g`: callers must not use `g` after).
  void MaybeEraseGroup(Shard& shard, Group& g) ABSL_EXCLUSIVE_LOCKS_REQUIRED(shard.mu);
  // Removes `m` from its group and the shard and frees it. REQUIRES: m is
  // not kInFlight/kMoving (callers fix group.in_flight first) and has no timer.
  void EraseMessage(Shard& shard, Message* m) ABSL_EXCLUSIVE_LOCKS_REQUIRED(shard.mu);
  // Takes `m` out of the shard's counts and frees its slot (keeping string
  // capacity); leaves its group and timer to the caller.
  void FreeRecord(Shard& shard, Message* m) ABSL_EXCLUSIVE_LOCKS_REQUIRED(shard.mu);
  // Ends the visibility of an in-flight message: back to visible at its
  // place (the head run) of the group. Returns true if its group became ready.
  bool ReturnToQueue(Shard& shard, Message* m) ABSL_EXCLUSIVE_LOCKS_REQUIRED(shard.mu);
  void AddTimer(Shard& shard, Message* m, absl::Time at) ABSL_EXCLUSIVE_LOCKS_REQUIRED(shard.mu);
  void RemoveTimer(Shard& shard, Message* m) ABSL_EXCLUSIVE_LOCKS_REQUIRED(shard.mu);
  void PublishDeadline(absl::Time at);

  // Fires every deadline due at `now` (visibility expiry, end of delay);
  // returns how many groups became ready.
  int ProcessDueTimers(absl::Time now) ABSL_LOCKS_EXCLUDED(timers_mu_);

  // ReceiveSource, for waiters_.
  ReceiveResult TryReceive(const ReceiveArgs& args, int* surfaced) override;
  bool MayHaveMessages() override;
  int ApplyDueDeadlines() override { return ProcessDueTimers(clock_.Now()); }
  absl::Time NextDeadline() override {
    const int64_t ns = next_deadline_ns_.load(std::memory_order_seq_cst);
    return ns == kNoDeadline ? absl::InfiniteFuture() : absl::FromUnixNanos(ns);
  }

  // Takes up to `max - out.size()` messages from the first ready group of
  // `shard`. False if the in-flight cap stops the receive.
  bool CollectFromShard(Shard& shard, int max, absl::Time now, absl::Duration visibility,
                        std::vector<Delivery>& out, std::vector<PendingMove>& moves);
  // Takes from ready groups in the order they became ready, without waiting.
  void Collect(int max, absl::Time now, absl::Duration visibility, std::vector<Delivery>& out,
               std::vector<PendingMove>& moves);
  // Hands `moves` to the sink; a refused message is delivered into `out`.
  // Returns how many groups became ready.
  int FinishMoves(std::vector<PendingMove>& moves, absl::Time now, absl::Duration visibility,
                  std::vector<Delivery>& out);
  // Makes a visible or moving message in flight for this receive.
  void MarkReceived(Shard& shard, Message* m, absl::Time now, absl::Duration visibility)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(shard.mu);
  // Durable queues: reports that `m` is in flight until m.timer_at.
  void JournalInFlight(const Message& m) {
    if (journal_ == nullptr) return;
    journal_->Changed(m.message_id, storage_internal::MessageState::kInFlight, m.timer_at,
                      m.receive_count, m.first_receive_time);
  }

  // ReceiveRequestAttemptId: returns true (and fills `out`) if a previous
  // receive with this id can be replayed.
  bool ReplayAttempt(const std::string& attempt_id, absl::Time now, absl::Duration visibility,
                     std::vector<Delivery>& out);
  void RememberAttempt(const std::string& attempt_id, absl::Time now,
                       const std::vector<Delivery>& out);

  // Wakes parked receivers for `n` groups made ready (after the seq_cst
  // write of ready_size that published them). One load when none is parked.
  void WakeWaiters(int n) { waiters_.WakeFor(n); }

  Clock& clock_;
  DeadLetterSink* const dlq_sink_;
  const std::string queue_arn_;
  uint64_t queue_tag_ = 0;  // Written once in the constructor.
  // Durable queues only; set before any other call. Called under shard locks.
  storage_internal::MessageJournal* journal_ = nullptr;

  // Configuration, read on every operation without a lock.
  std::atomic<int64_t> delay_ns_{0};
  std::atomic<int64_t> retention_ns_{0};
  std::atomic<int> max_receive_count_{0};
  std::atomic<int> max_inflight_{0};
  std::atomic<bool> group_scoped_dedup_{false};

  std::atomic<uint64_t> next_serial_{1};
  std::atomic<uint64_t> next_receive_gen_{1};
  std::atomic<uint32_t> next_start_shard_{0};
  std::atomic<uint64_t> next_ready_seq_{0};

  // Messages in flight (kInFlight or kMoving), for the in-flight cap; visible
  // and delayed messages are counted per shard (no shared counter on the
  // send path).
  std::atomic<int64_t> in_flight_{0};

  std::array<Shard, kShards> shards_;
  DedupWindow dedup_;

  // Earliest timer over all shards, or earlier (never later): a lower bound
  // that lets receivers skip timer processing with one atomic load.
  std::atomic<int64_t> next_deadline_ns_{kNoDeadline};
  Mutex timers_mu_;  // Serialises ProcessDueTimers.

  Mutex attempts_mu_;
  absl::flat_hash_map<std::string, Attempt> attempts_ ABSL_GUARDED_BY(attempts_mu_);
  std::deque<std::pair<absl::Time, std::string>> attempt_expiry_ ABSL_GUARDED_BY(attempts_mu_);

  // Last: destroyed first, while what its Scheduler tasks touch exists.
  ParkedReceivers waiters_;
};

}  // namespace wharf::fifo_internal::fifo_engine

#endif  // WHARF_BROKER_FIFO_FIFO_QUEUE_INTERNAL_H_
