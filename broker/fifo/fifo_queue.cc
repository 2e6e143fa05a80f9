// FifoQueue: group-locked, deduplicated FIFO queue engine (see fifo_queue.h).
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
//     kMoving. A group is "eligible" iff in_flight == 0, its deque is non-empty
//     and its head is kVisible. Outside a receive that has popped it, a group
//     is in `ready` (and `queued` is set) iff it is eligible.
//   * Because a group is only received from while in_flight == 0, a receive
//     takes a run of messages from the head of the group.
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

#include "broker/fifo/fifo_queue.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <deque>
#include <limits>
#include <memory>
#include <stop_token>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/cleanup/cleanup.h"
#include "absl/container/btree_set.h"
#include "absl/container/flat_hash_map.h"
#include "absl/hash/hash.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "broker/base/ids.h"
#include "broker/base/mutex.h"
#include "broker/fifo/dedup_window.h"
#include "broker/fifo/spin_mutex.h"
#include "broker/queue/parked_receivers.h"
#include "wharf/errors.h"

namespace wharf::fifo_internal {
namespace {

using queue_internal::Counts;
using queue_internal::DeadLetterSink;
using queue_internal::Delivery;
using queue_internal::ParkedReceivers;
using queue_internal::Payload;
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
  std::shared_ptr<const Payload> payload;
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
Message* FindMessage(Shard& shard, uint32_t slot, uint64_t serial)
    ABSL_EXCLUSIVE_LOCKS_REQUIRED(shard.mu) {
  if (slot >= shard.slots.size()) return nullptr;
  Message* m = shard.slots[slot].get();
  return m->serial == serial ? m : nullptr;
}

// The message a receive still holds through `h` at `now`: not deleted,
// returned or re-received, its visibility unchanged and not yet over. Else
// null.
Message* HeldMessage(Shard& shard, const Handle& h, absl::Time now)
    ABSL_EXCLUSIVE_LOCKS_REQUIRED(shard.mu) {
  Message* m = FindMessage(shard, h.slot, h.serial);
  if (m == nullptr) return nullptr;
  if (m->state != State::kInFlight || m->receive_gen != h.receive_gen || m->visibility_changed ||
      m->timer_at <= now) {
    return nullptr;
  }
  return m;
}

void AppendHex(uint64_t value, int digits, std::string& out) {
  static constexpr char kDigits[] = "0123456789abcdef";
  for (int i = digits - 1; i >= 0; --i) out.push_back(kDigits[(value >> (4 * i)) & 0xf]);
}

bool ParseHex(std::string_view text, uint64_t& value) {
  value = 0;
  for (char c : text) {
    int d;
    if (c >= '0' && c <= '9') {
      d = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      d = c - 'a' + 10;
    } else {
      return false;
    }
    value = (value << 4) | static_cast<uint64_t>(d);
  }
  return true;
}

// Debian's Abseil has its own string_view type.
absl::string_view Absl(std::string_view s) { return absl::string_view(s.data(), s.size()); }

std::string SequenceNumber(uint64_t serial) { return absl::StrCat(kSequenceBase + serial); }

absl::Status InvalidHandleError(std::string_view handle) {
  return MakeError(ErrorCode::kReceiptHandleIsInvalid,
                   absl::StrCat("The input receipt handle \"", Absl(handle),
                                "\" is not a valid receipt handle."));
}

absl::Status ExpiredHandleError(std::string_view handle) {
  return MakeError(
      ErrorCode::kInvalidParameterValue,
      absl::StrCat(
          "Value ", Absl(handle),
          " for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired."));
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

  // Appends a message to its group; returns its serial number. A new
  // message id (args.message_id empty) is also copied to `new_id`.
  // `dedup_key` is what the deduplication window remembers for this send
  // (empty for a moved message), for the journal.
  uint64_t Enqueue(SendArgs& args, absl::Time now, std::array<char, 36>* new_id = nullptr,
                   std::string_view dedup_key = {});

  std::string MakeHandle(int shard, const Message& m) const;
  bool ParseHandle(std::string_view text, Handle& handle) const;

  Delivery MakeDelivery(const Message& m, std::string receipt_handle) const;

  static bool Eligible(const Group& g) {
    return g.in_flight == 0 && g.head != nullptr && g.head->state == State::kVisible;
  }
  // Queues `g` if it became eligible; returns true if it did.
  bool MaybeMakeReady(Shard& shard, Group& g) ABSL_EXCLUSIVE_LOCKS_REQUIRED(shard.mu);
  // Notes `g` as idle if it has neither messages nor messages in flight; may
  // erase idle groups (including `g`: callers must not use `g` after).
  void MaybeEraseGroup(Shard& shard, Group& g) ABSL_EXCLUSIVE_LOCKS_REQUIRED(shard.mu);
  // Removes `m` from its group and the shard and frees it. REQUIRES: m is
  // not kInFlight/kMoving (callers fix group.in_flight first) and has no timer.
  void EraseMessage(Shard& shard, Message* m) ABSL_EXCLUSIVE_LOCKS_REQUIRED(shard.mu);
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

  // Takes up to `max - out.size()` messages from ready groups of `shard`.
  void CollectFromShard(Shard& shard, int max, absl::Time now, absl::Duration visibility,
                        std::vector<Delivery>& out, std::vector<PendingMove>& moves);
  // One non-blocking pass over the shards.
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
  void WakeWaiters(int n) {
    if (n > 0 && waiters_.AnyParked()) waiters_.Wake(n);
  }

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

// ---- Handles and deliveries --------------------------------------------------

std::string FifoQueue::MakeHandle(int shard, const Message& m) const {
  std::string h;
  h.reserve(kHandleSize);
  AppendHex(queue_tag_, 16, h);
  AppendHex(static_cast<uint64_t>(shard), 2, h);
  AppendHex(m.slot, 8, h);
  AppendHex(m.serial, 16, h);
  AppendHex(m.receive_gen, 16, h);
  return h;
}

bool FifoQueue::ParseHandle(std::string_view text, Handle& handle) const {
  if (text.size() != kHandleSize) return false;
  uint64_t tag, shard;
  if (!ParseHex(text.substr(0, 16), tag) || tag != queue_tag_) return false;
  if (!ParseHex(text.substr(16, 2), shard) || shard >= kShards) return false;
  uint64_t slot;
  if (!ParseHex(text.substr(18, 8), slot)) return false;
  if (!ParseHex(text.substr(26, 16), handle.serial) || handle.serial == 0) return false;
  if (!ParseHex(text.substr(42, 16), handle.receive_gen)) return false;
  handle.slot = static_cast<uint32_t>(slot);
  handle.shard = static_cast<int>(shard);
  return true;
}

Delivery FifoQueue::MakeDelivery(const Message& m, std::string receipt_handle) const {
  Delivery d;
  d.message_id = m.message_id;
  d.receipt_handle = std::move(receipt_handle);
  d.payload = m.payload;
  d.receive_count = m.receive_count;
  d.sent_time = m.sent_time;
  d.first_receive_time = m.first_receive_time;
  d.message_group_id = m.group->id;
  d.deduplication_id = m.deduplication_id;
  d.sequence_number = SequenceNumber(m.serial);
  d.dead_letter_source_arn = m.dead_letter_source_arn;
  return d;
}

// ---- Group and timer bookkeeping ---------------------------------------------

bool FifoQueue::MaybeMakeReady(Shard& shard, Group& g) {
  if (g.queued || !Eligible(g)) return false;
  g.queued = true;
  shard.ready.push_back(&g);
  shard.ready_size.fetch_add(1, std::memory_order_seq_cst);
  return true;
}

void FifoQueue::MaybeEraseGroup(Shard& shard, Group& g) {
  if (!g.empty() || g.in_flight != 0 || g.queued || g.idle_listed) return;
  g.idle_listed = true;
  shard.idle.push_back(&g);
  if (shard.idle.size() < kIdleGroups) return;
  std::vector<Group*> idle;
  idle.swap(shard.idle);
  for (Group* group : idle) {
    group->idle_listed = false;
    if (group->empty() && group->in_flight == 0 && !group->queued) {
      shard.groups.erase(group->id);  // Frees *group.
    }
  }
}

void FifoQueue::EraseMessage(Shard& shard, Message* m) {
  if (journal_ != nullptr) journal_->Removed(m->message_id);
  Group& g = *m->group;
  g.Unlink(m);
  switch (m->state) {
    case State::kVisible:
      --shard.visible;
      break;
    case State::kDelayed:
      --shard.delayed;
      break;
    case State::kInFlight:
    case State::kMoving:
      in_flight_.fetch_sub(1, std::memory_order_relaxed);
      break;
  }
  // Free the slot; drop what the record holds, keep string capacity.
  m->serial = 0;
  m->payload.reset();
  m->group = nullptr;
  shard.free_slots.push_back(m->slot);
}

bool FifoQueue::ReturnToQueue(Shard& shard, Message* m) {
  RemoveTimer(shard, m);
  m->state = State::kVisible;
  in_flight_.fetch_sub(1, std::memory_order_relaxed);
  ++shard.visible;
  --m->group->in_flight;
  return MaybeMakeReady(shard, *m->group);
}

void FifoQueue::AddTimer(Shard& shard, Message* m, absl::Time at) {
  m->timer_at = at;
  shard.timers.insert({at, m->serial, m->slot});
  PublishDeadline(at);
}

void FifoQueue::RemoveTimer(Shard& shard, Message* m) {
  shard.timers.erase({m->timer_at, m->serial, m->slot});
}

void FifoQueue::PublishDeadline(absl::Time at) {
  const int64_t ns = absl::ToUnixNanos(at);
  int64_t cur = next_deadline_ns_.load(std::memory_order_relaxed);
  while (ns < cur && !next_deadline_ns_.compare_exchange_weak(cur, ns, std::memory_order_seq_cst,
                                                              std::memory_order_relaxed)) {
  }
  // Parked receivers need the alarm at the earliest deadline. Pairs with a
  // parking receive: it registers (seq_cst), then reads next_deadline_ns_.
  if (ns < cur && waiters_.AnyParked()) waiters_.ArmAlarm(at);
}

int FifoQueue::ProcessDueTimers(absl::Time now) {
  if (absl::ToUnixNanos(now) < next_deadline_ns_.load(std::memory_order_acquire)) return 0;
  int became_ready = 0;
  {
    MutexLock timers_lock(&timers_mu_);
    if (absl::ToUnixNanos(now) < next_deadline_ns_.load(std::memory_order_acquire)) return 0;
    // Reset before scanning: a timer added to a shard after we scanned it
    // publishes its own deadline, and the earliest one left in the shards we
    // scanned is re-published below.
    next_deadline_ns_.store(kNoDeadline, std::memory_order_release);
    absl::Time earliest = absl::InfiniteFuture();
    for (Shard& shard : shards_) {
      SpinMutexLock lock(&shard.mu);
      while (!shard.timers.empty() && shard.timers.begin()->at <= now) {
        const TimerKey key = *shard.timers.begin();
        shard.timers.erase(shard.timers.begin());
        Message* m = FindMessage(shard, key.slot, key.serial);
        if (m == nullptr) continue;
        if (m->state == State::kInFlight) {
          m->timer_at = absl::InfinitePast();  // Already removed from timers.
          m->state = State::kVisible;
          in_flight_.fetch_sub(1, std::memory_order_relaxed);
          ++shard.visible;
          --m->group->in_flight;
          if (MaybeMakeReady(shard, *m->group)) ++became_ready;
        } else if (m->state == State::kDelayed) {
          m->state = State::kVisible;
          --shard.delayed;
          ++shard.visible;
          if (MaybeMakeReady(shard, *m->group)) ++became_ready;
        }
      }
      if (!shard.timers.empty()) earliest = std::min(earliest, shard.timers.begin()->at);
    }
    if (earliest != absl::InfiniteFuture()) PublishDeadline(earliest);
  }
  return became_ready;
}

// ---- Waiting ------------------------------------------------------------------

bool FifoQueue::MayHaveMessages() {
  // At the in-flight cap ready groups give nothing (and parked receives are
  // not woken until a group becomes ready).
  if (in_flight_.load(std::memory_order_relaxed) >= max_inflight_.load(std::memory_order_relaxed)) {
    return false;
  }
  for (const Shard& shard : shards_) {
    if (shard.ready_size.load(std::memory_order_seq_cst) > 0) return true;
  }
  return false;
}

void FifoQueue::Close() { waiters_.Close(); }

// ---- Send ---------------------------------------------------------------------

absl::StatusOr<SendOutcome> FifoQueue::Send(SendArgs args) {
  if (args.message_group_id.empty()) {
    return MakeError(ErrorCode::kMissingParameter,
                     "The request must contain the parameter MessageGroupId.");
  }
  if (args.payload == nullptr) {
    return MakeError(ErrorCode::kMissingParameter,
                     "The request must contain the parameter MessageBody.");
  }
  const absl::Time now = clock_.Now();
  // A message carrying its history (dead-letter move, move task) was already
  // accepted once; deduplicating it again could lose it.
  if (!args.message_id.empty()) {
    SendOutcome outcome;
    outcome.message_id = args.message_id;
    outcome.sequence_number = SequenceNumber(Enqueue(args, now));
    return outcome;
  }
  if (args.deduplication_id.empty()) {
    return MakeError(ErrorCode::kInvalidParameterValue,
                     "The queue should either have ContentBasedDeduplication enabled or "
                     "MessageDeduplicationId provided explicitly");
  }
  std::string scoped_key;
  std::string_view key = args.deduplication_id;
  if (group_scoped_dedup_.load(std::memory_order_relaxed)) {
    // Group ids never contain NUL (alphanumeric and punctuation only).
    scoped_key =
        absl::StrCat(args.message_group_id, absl::string_view("\0", 1), args.deduplication_id);
    key = scoped_key;
  }
  auto [record, duplicate] = dedup_.SendOnce(key, now, [&] {
    DedupWindow::Record r;
    r.serial = Enqueue(args, now, &r.message_id, key);
    return r;
  });
  SendOutcome outcome;
  outcome.message_id.assign(record.message_id.data(), record.message_id.size());
  outcome.sequence_number = SequenceNumber(record.serial);
  outcome.duplicate = duplicate;
  return outcome;
}

uint64_t FifoQueue::Enqueue(SendArgs& args, absl::Time now, std::array<char, 36>* new_id,
                            std::string_view dedup_key) {
  const absl::Duration delay = absl::Nanoseconds(delay_ns_.load(std::memory_order_relaxed));
  Shard& shard = ShardFor(args.message_group_id);
  bool became_ready = false;
  uint64_t serial;
  {
    SpinMutexLock lock(&shard.mu);
    Message* m = shard.TakeSlot();
    // Taken under the group's lock, so serials follow the group's send order.
    serial = next_serial_.fetch_add(1, std::memory_order_relaxed);
    m->serial = serial;
    if (args.message_id.empty()) {
      m->message_id.resize(36);
      base_internal::NewUuid(m->message_id.data());
      if (new_id != nullptr) std::copy_n(m->message_id.data(), 36, new_id->data());
    } else {
      m->message_id.assign(args.message_id);
    }
    m->payload = std::move(args.payload);
    m->deduplication_id.assign(args.deduplication_id);
    m->dead_letter_source_arn.assign(args.dead_letter_source_arn);
    m->sent_time = args.sent_time == absl::InfinitePast() ? now : args.sent_time;
    // FIFO: retention restarts when a message is moved in (spec §8).
    m->enqueued_at = now;
    m->receive_count = args.receive_count;
    m->first_receive_time = args.first_receive_time;
    m->receive_gen = 0;
    m->visibility_changed = false;

    auto [it, inserted] = shard.groups.try_emplace(args.message_group_id);
    if (inserted) {
      it->second = std::make_unique<Group>();
      it->second->id = args.message_group_id;
    }
    Group& g = *it->second;
    m->group = &g;
    g.PushBack(m);
    if (delay > absl::ZeroDuration()) {
      m->state = State::kDelayed;
      ++shard.delayed;
      AddTimer(shard, m, now + delay);
    } else {
      m->state = State::kVisible;
      ++shard.visible;
      became_ready = MaybeMakeReady(shard, g);
    }
    if (journal_ != nullptr) {
      storage_internal::MessageEntry e;
      e.message_id = m->message_id;
      e.payload = &m->payload;
      e.message_group_id = g.id;
      e.deduplication_id = m->deduplication_id;
      e.dead_letter_source_arn = m->dead_letter_source_arn;
      e.deduplication_key = dedup_key;
      e.sequence = serial;
      e.sent_time = m->sent_time;
      e.enqueued_time = m->enqueued_at;
      e.receive_count = m->receive_count;
      e.first_receive_time = m->first_receive_time;
      if (m->state == State::kDelayed) {
        e.state = storage_internal::MessageState::kDelayed;
        e.visible_at = m->timer_at;
      }
      journal_->Added(e);
    }
  }
  if (became_ready) WakeWaiters(1);
  return serial;
}

// ---- Receive ------------------------------------------------------------------

void FifoQueue::CollectFromShard(Shard& shard, int max, absl::Time now, absl::Duration visibility,
                                 std::vector<Delivery>& out, std::vector<PendingMove>& moves) {
  const absl::Duration retention = absl::Nanoseconds(retention_ns_.load(std::memory_order_relaxed));
  const int max_receive_count = max_receive_count_.load(std::memory_order_relaxed);
  const int64_t max_inflight = max_inflight_.load(std::memory_order_relaxed);
  const bool redrive = dlq_sink_ != nullptr && max_receive_count > 0;
  const int shard_index = ShardIndex(shard);

  SpinMutexLock lock(&shard.mu);
  auto taken = [&] { return static_cast<int>(out.size() + moves.size()); };
  while (taken() < max && !shard.ready.empty()) {
    if (in_flight_.load(std::memory_order_relaxed) >= max_inflight) return;
    Group& g = *shard.ready.front();
    shard.ready.pop_front();
    shard.ready_size.fetch_sub(1, std::memory_order_seq_cst);
    g.queued = false;

    // Retention: the oldest messages of a group are at its head.
    while (g.head != nullptr && g.head->state == State::kVisible &&
           g.head->enqueued_at + retention <= now) {
      EraseMessage(shard, g.head);
    }
    if (!Eligible(g)) {
      MaybeEraseGroup(shard, g);
      continue;
    }
    for (Message* m = g.head; m != nullptr; m = m->next) {
      if (taken() >= max || m->state != State::kVisible) break;
      if (in_flight_.load(std::memory_order_relaxed) >= max_inflight) break;
      --shard.visible;
      in_flight_.fetch_add(1, std::memory_order_relaxed);
      ++g.in_flight;
      if (redrive && m->receive_count + 1 > max_receive_count) {
        // Over-received: goes to the sink instead of the caller. It keeps its
        // group locked until the move is settled, and nothing after it in the
        // group may be handed out in this receive.
        m->state = State::kMoving;
        Delivery d = MakeDelivery(*m, std::string());
        d.dead_letter_source_arn = queue_arn_;
        moves.push_back({shard_index, m->slot, m->serial, std::move(d)});
        break;
      }
      MarkReceived(shard, m, now, visibility);
      out.push_back(MakeDelivery(*m, MakeHandle(shard_index, *m)));
    }
    // Nothing taken (in-flight cap reached): the group stays ready.
    MaybeMakeReady(shard, g);
  }
}

void FifoQueue::MarkReceived(Shard& shard, Message* m, absl::Time now, absl::Duration visibility) {
  ++m->receive_count;
  if (m->first_receive_time == absl::InfinitePast()) m->first_receive_time = now;
  m->state = State::kInFlight;
  m->receive_gen = next_receive_gen_.fetch_add(1, std::memory_order_relaxed);
  m->received_at = now;
  m->visibility_changed = false;
  AddTimer(shard, m, now + visibility);
  JournalInFlight(*m);
}

void FifoQueue::Collect(int max, absl::Time now, absl::Duration visibility,
                        std::vector<Delivery>& out, std::vector<PendingMove>& moves) {
  const uint32_t start = next_start_shard_.fetch_add(1, std::memory_order_relaxed);
  for (int i = 0; i < kShards && static_cast<int>(out.size() + moves.size()) < max; ++i) {
    Shard& shard = shards_[(start + i) % kShards];
    if (shard.ready_size.load(std::memory_order_seq_cst) == 0) continue;
    CollectFromShard(shard, max, now, visibility, out, moves);
  }
}

int FifoQueue::FinishMoves(std::vector<PendingMove>& moves, absl::Time now,
                           absl::Duration visibility, std::vector<Delivery>& out) {
  int became_ready = 0;
  for (PendingMove& move : moves) {
    // Durable queues: the copy into the dead-letter queue and the removal
    // from this one reach storage together.
    if (journal_ != nullptr) journal_->BeginAtomic();
    absl::Cleanup end_atomic = [this] {
      if (journal_ != nullptr) journal_->EndAtomic();
    };
    // No lock held: the sink may send into another queue (or this one).
    const bool accepted = dlq_sink_->Accept(move.delivery);
    Shard& shard = shards_[move.shard];
    {
      SpinMutexLock lock(&shard.mu);
      Message* m = FindMessage(shard, move.slot, move.serial);
      if (m == nullptr) continue;  // Purged meanwhile.
      if (m->state != State::kMoving) continue;
      Group& g = *m->group;
      if (accepted) {
        --g.in_flight;
        EraseMessage(shard, m);
        if (MaybeMakeReady(shard, g)) ++became_ready;
        MaybeEraseGroup(shard, g);
      } else {
        // The sink could not take it (e.g. the DLQ is gone): the queue keeps
        // it and this receive delivers it, as if there were no redrive.
        MarkReceived(shard, m, now, visibility);
        out.push_back(MakeDelivery(*m, MakeHandle(move.shard, *m)));
      }
    }
  }
  moves.clear();
  return became_ready;
}

ReceiveResult FifoQueue::TryReceive(const ReceiveArgs& args, int* surfaced) {
  const int max = std::clamp(args.max_messages, 1, 10);
  std::vector<Delivery> out;
  absl::Time now = clock_.Now();
  if (!args.receive_request_attempt_id.empty() &&
      ReplayAttempt(args.receive_request_attempt_id, now, args.visibility_timeout, out)) {
    return out;
  }
  std::vector<PendingMove> moves;
  for (;;) {
    *surfaced += ProcessDueTimers(now);
    Collect(max, now, args.visibility_timeout, out, moves);
    if (moves.empty()) break;
    *surfaced += FinishMoves(moves, now, args.visibility_timeout, out);
    if (!out.empty()) break;
    now = clock_.Now();  // The moved messages' groups may have more to give.
  }
  if (!out.empty() && !args.receive_request_attempt_id.empty()) {
    RememberAttempt(args.receive_request_attempt_id, now, out);
  }
  return out;
}

// ---- ReceiveRequestAttemptId ---------------------------------------------------

bool FifoQueue::ReplayAttempt(const std::string& attempt_id, absl::Time now,
                              absl::Duration visibility, std::vector<Delivery>& out) {
  std::vector<Delivery> previous;
  {
    MutexLock lock(&attempts_mu_);
    auto it = attempts_.find(attempt_id);
    if (it == attempts_.end() || now >= it->second.expires) return false;
    previous = it->second.deliveries;
  }
  // Replayable only if every message is still held by that receive: not
  // deleted, not returned or re-received, visibility not changed.
  std::vector<Handle> handles(previous.size());
  for (size_t i = 0; i < previous.size(); ++i) {
    if (!ParseHandle(previous[i].receipt_handle, handles[i])) return false;
  }
  for (const Handle& h : handles) {
    Shard& shard = shards_[h.shard];
    SpinMutexLock lock(&shard.mu);
    if (HeldMessage(shard, h, now) == nullptr) return false;
  }
  for (const Handle& h : handles) {
    Shard& shard = shards_[h.shard];
    SpinMutexLock lock(&shard.mu);
    Message* m = HeldMessage(shard, h, now);
    if (m == nullptr) continue;  // Lost a race with a delete; still a replay.
    RemoveTimer(shard, m);
    AddTimer(shard, m, now + visibility);
    JournalInFlight(*m);
  }
  out = std::move(previous);
  return true;
}

void FifoQueue::RememberAttempt(const std::string& attempt_id, absl::Time now,
                                const std::vector<Delivery>& out) {
  MutexLock lock(&attempts_mu_);
  while (!attempt_expiry_.empty() && attempt_expiry_.front().first <= now) {
    auto it = attempts_.find(attempt_expiry_.front().second);
    if (it != attempts_.end() && it->second.expires == attempt_expiry_.front().first)
      attempts_.erase(it);
    attempt_expiry_.pop_front();
  }
  const absl::Time expires = now + kAttemptWindow;
  attempts_[attempt_id] = Attempt{expires, out};
  attempt_expiry_.emplace_back(expires, attempt_id);
}

// ---- Delete and visibility -------------------------------------------------------

absl::Status FifoQueue::Delete(std::string_view receipt_handle) {
  Handle h;
  if (!ParseHandle(receipt_handle, h)) return InvalidHandleError(receipt_handle);
  const absl::Time now = clock_.Now();
  Shard& shard = shards_[h.shard];
  bool became_ready = false;
  bool deleted = false;
  {
    SpinMutexLock lock(&shard.mu);
    Message* m = FindMessage(shard, h.slot, h.serial);
    if (m == nullptr) {
      const Tombstone& t = shard.tombstones[h.serial % kTombstones];
      if (t.serial == h.serial && t.receive_gen == h.receive_gen && now < t.until)
        return absl::OkStatus();
      return ExpiredHandleError(receipt_handle);
    }
    if (m->state != State::kInFlight || m->receive_gen != h.receive_gen)
      return ExpiredHandleError(receipt_handle);
    Group& g = *m->group;
    if (m->timer_at <= now) {
      // Expired, but no receive has processed the deadline yet.
      became_ready = ReturnToQueue(shard, m);
    } else {
      shard.tombstones[h.serial % kTombstones] = {h.serial, h.receive_gen, m->timer_at};
      RemoveTimer(shard, m);
      --g.in_flight;
      EraseMessage(shard, m);
      became_ready = MaybeMakeReady(shard, g);
      MaybeEraseGroup(shard, g);
      deleted = true;
    }
  }
  if (became_ready) WakeWaiters(1);
  return deleted ? absl::OkStatus() : ExpiredHandleError(receipt_handle);
}

absl::Status FifoQueue::ChangeVisibility(std::string_view receipt_handle, absl::Duration timeout) {
  Handle h;
  if (!ParseHandle(receipt_handle, h)) return InvalidHandleError(receipt_handle);
  const absl::Time now = clock_.Now();
  Shard& shard = shards_[h.shard];
  bool became_ready = false;
  absl::Status status;
  {
    SpinMutexLock lock(&shard.mu);
    Message* m = FindMessage(shard, h.slot, h.serial);
    if (m == nullptr) {
      return MakeError(
          ErrorCode::kInvalidParameterValue,
          absl::StrCat("Value ", Absl(receipt_handle),
                       " for parameter ReceiptHandle is invalid. Reason: Message does not exist or "
                       "is not available for visibility timeout change."));
    }
    if (m->state == State::kInFlight && m->receive_gen == h.receive_gen && m->timer_at <= now) {
      became_ready = ReturnToQueue(shard, m);
      status =
          MakeError(ErrorCode::kMessageNotInflight, "The message referred to isn't in flight.");
    } else if (m->state != State::kInFlight) {
      status =
          MakeError(ErrorCode::kMessageNotInflight, "The message referred to isn't in flight.");
    } else if (m->receive_gen != h.receive_gen) {
      // Re-received since: this handle is no longer the current one.
      status = ExpiredHandleError(receipt_handle);
    } else if (now + timeout > m->received_at + kMaxVisibility) {
      status = MakeError(
          ErrorCode::kInvalidParameterValue,
          absl::StrCat(
              "Value ", absl::ToInt64Seconds(timeout),
              " for parameter VisibilityTimeout is invalid. Reason: Total VisibilityTimeout "
              "for the message is beyond the limit [43200 seconds]."));
    } else {
      m->visibility_changed = true;
      if (timeout <= absl::ZeroDuration()) {
        became_ready = ReturnToQueue(shard, m);
        if (journal_ != nullptr) {
          journal_->Changed(m->message_id, storage_internal::MessageState::kVisible,
                            absl::InfinitePast(), m->receive_count, m->first_receive_time);
        }
      } else {
        RemoveTimer(shard, m);
        AddTimer(shard, m, now + timeout);
        JournalInFlight(*m);
      }
    }
  }
  if (became_ready) WakeWaiters(1);
  return status;
}

// ---- Purge, moves, counts, config -----------------------------------------------

void FifoQueue::Purge() {
  if (journal_ != nullptr) journal_->Purged();
  for (Shard& shard : shards_) {
    SpinMutexLock lock(&shard.mu);
    for (const std::unique_ptr<Message>& m : shard.slots) {
      if (m->serial == 0) continue;
      switch (m->state) {
        case State::kVisible:
          --shard.visible;
          break;
        case State::kDelayed:
          --shard.delayed;
          break;
        case State::kInFlight:
        case State::kMoving:
          in_flight_.fetch_sub(1, std::memory_order_relaxed);
          break;
      }
    }
    shard.ready_size.fetch_sub(static_cast<int>(shard.ready.size()), std::memory_order_seq_cst);
    shard.ready.clear();
    shard.idle.clear();
    shard.timers.clear();
    shard.groups.clear();
    shard.free_slots.clear();
    for (const std::unique_ptr<Message>& m : shard.slots) {
      m->serial = 0;
      m->payload.reset();
      m->group = nullptr;
      shard.free_slots.push_back(m->slot);
    }
  }
}

std::vector<Delivery> FifoQueue::TakeForMove(int max) {
  std::vector<Delivery> out;
  const uint32_t start = next_start_shard_.fetch_add(1, std::memory_order_relaxed);
  for (int i = 0; i < kShards && static_cast<int>(out.size()) < max; ++i) {
    Shard& shard = shards_[(start + i) % kShards];
    SpinMutexLock lock(&shard.mu);
    while (static_cast<int>(out.size()) < max && !shard.ready.empty()) {
      Group& g = *shard.ready.front();
      shard.ready.pop_front();
      shard.ready_size.fetch_sub(1, std::memory_order_seq_cst);
      g.queued = false;
      while (static_cast<int>(out.size()) < max && Eligible(g)) {
        Message* m = g.head;
        out.push_back(MakeDelivery(*m, std::string()));
        EraseMessage(shard, m);
      }
      MaybeMakeReady(shard, g);
      MaybeEraseGroup(shard, g);
    }
  }
  return out;
}

void FifoQueue::Restore(storage_internal::RestoredQueue restored) {
  const absl::Time now = clock_.Now();
  uint64_t next_serial = std::max<uint64_t>(restored.next_sequence, 1);
  // The window as it was: entries in send order, each with its send time.
  for (const storage_internal::RestoredDeduplication& d : restored.deduplication) {
    if (d.message_id.size() != 36) continue;  // Deduplicated sends always have UUIDs.
    next_serial = std::max(next_serial, d.sequence + 1);
    dedup_.SendOnce(d.key, d.sent_time, [&] {
      DedupWindow::Record r;
      std::copy_n(d.message_id.data(), 36, r.message_id.data());
      r.serial = d.sequence;
      return r;
    });
  }
  std::vector<std::pair<Shard*, Group*>> groups;
  for (storage_internal::RestoredMessage& rm : restored.messages) {  // In sequence order.
    next_serial = std::max(next_serial, rm.sequence + 1);
    Shard& shard = ShardFor(rm.message_group_id);
    SpinMutexLock lock(&shard.mu);
    Message* m = shard.TakeSlot();
    m->serial = rm.sequence;
    m->message_id = std::move(rm.message_id);
    m->payload = std::move(rm.payload);
    m->deduplication_id = std::move(rm.deduplication_id);
    m->dead_letter_source_arn = std::move(rm.dead_letter_source_arn);
    m->sent_time = rm.sent_time;
    m->enqueued_at = rm.enqueued_time;
    m->receive_count = rm.receive_count;
    m->first_receive_time = rm.first_receive_time;
    m->receive_gen = 0;
    m->received_at = now;
    m->visibility_changed = false;
    auto [it, inserted] = shard.groups.try_emplace(rm.message_group_id);
    if (inserted) {
      it->second = std::make_unique<Group>();
      it->second->id = rm.message_group_id;
    }
    Group& g = *it->second;
    if (groups.empty() || groups.back().second != &g) groups.emplace_back(&shard, &g);
    m->group = &g;
    g.PushBack(m);
    const bool pending =
        rm.state != storage_internal::MessageState::kVisible && rm.visible_at > now;
    if (pending && rm.state == storage_internal::MessageState::kInFlight) {
      // Its group stays locked until the deadline, as before the restart.
      m->state = State::kInFlight;
      m->receive_gen = next_receive_gen_.fetch_add(1, std::memory_order_relaxed);
      in_flight_.fetch_add(1, std::memory_order_relaxed);
      ++g.in_flight;
      AddTimer(shard, m, rm.visible_at);
    } else if (pending) {
      m->state = State::kDelayed;
      ++shard.delayed;
      AddTimer(shard, m, rm.visible_at);
    } else {
      m->state = State::kVisible;
      ++shard.visible;
    }
  }
  // A group listed twice is queued once (MaybeMakeReady checks `queued`).
  for (auto [shard, group] : groups) {
    SpinMutexLock lock(&shard->mu);
    MaybeMakeReady(*shard, *group);
  }
  uint64_t current = next_serial_.load(std::memory_order_relaxed);
  while (current < next_serial &&
         !next_serial_.compare_exchange_weak(current, next_serial, std::memory_order_relaxed)) {
  }
}

Counts FifoQueue::GetCounts() {
  WakeWaiters(ProcessDueTimers(clock_.Now()));
  Counts counts;
  for (Shard& shard : shards_) {
    SpinMutexLock lock(&shard.mu);
    counts.visible += shard.visible;
    counts.delayed += shard.delayed;
  }
  counts.in_flight = std::max<int64_t>(0, in_flight_.load(std::memory_order_relaxed));
  return counts;
}

absl::Time FifoQueue::OldestMessageTime() {
  WakeWaiters(ProcessDueTimers(clock_.Now()));
  absl::Time oldest = absl::InfiniteFuture();
  for (Shard& shard : shards_) {
    SpinMutexLock lock(&shard.mu);
    // A group's messages are in send order: its head is its oldest.
    for (const auto& [id, group] : shard.groups) {
      if (group->head != nullptr && group->head->state != State::kMoving) {
        oldest = std::min(oldest, group->head->sent_time);
      }
    }
  }
  return oldest;
}

void FifoQueue::SetConfig(const QueueConfig& config) {
  delay_ns_.store(absl::ToInt64Nanoseconds(config.delay), std::memory_order_relaxed);
  retention_ns_.store(absl::ToInt64Nanoseconds(config.retention), std::memory_order_relaxed);
  max_receive_count_.store(config.max_receive_count, std::memory_order_relaxed);
  max_inflight_.store(config.max_inflight, std::memory_order_relaxed);
  group_scoped_dedup_.store(
      config.deduplication_scope == QueueConfig::DeduplicationScope::kMessageGroup,
      std::memory_order_relaxed);
}

}  // namespace

std::unique_ptr<QueueCore> NewFifoQueue(const QueueConfig& config, Clock& clock,
                                        Scheduler& scheduler, DeadLetterSink* dlq_sink,
                                        std::string queue_arn) {
  return std::make_unique<FifoQueue>(config, clock, scheduler, dlq_sink, std::move(queue_arn));
}

}  // namespace wharf::fifo_internal
