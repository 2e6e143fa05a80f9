// File: broker/queue/standard_queue_internal.h
//
// The insides of the standard queue engine (standard_queue.h), shared by its
// .cc files: slot and state-word layout, shards, the StandardQueue class and
// its hot slot/timer helpers (inline, as they were in one file). Thread
// safety: as documented on each type; StandardQueue itself is thread-safe.

#ifndef WHARF_BROKER_QUEUE_STANDARD_QUEUE_INTERNAL_H_
#define WHARF_BROKER_QUEUE_STANDARD_QUEUE_INTERNAL_H_

#include <concurrentqueue/concurrentqueue.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>
#include <new>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/time/time.h"
#include "broker/base/ids.h"
#include "broker/base/mutex.h"
#include "broker/base/ref_ptr.h"
#include "broker/base/scheduler.h"
#include "broker/queue/parked_receivers.h"
#include "broker/queue/plain_mutex.h"
#include "broker/queue/queue_core.h"
#include "wharf/clock.h"

namespace wharf::queue_internal::standard_engine {

constexpr int64_t kNever = std::numeric_limits<int64_t>::max();
constexpr int64_t kNoTime = std::numeric_limits<int64_t>::min();
constexpr int64_t kSecondNs = 1'000'000'000;
// A message may stay invisible at most 12 hours counted from its receive.
constexpr int64_t kMaxVisibilityNs = 43'200 * kSecondNs;
// Retention sweeps scan a shard's slot table; they run at most once per second
// of clock time per shard (so retention is enforced to within a second).
constexpr int64_t kMinSweepIntervalNs = kSecondNs;
constexpr int kMaxBatch = 10;
// The granularity of StandardQueue's in-flight floor (in_flight_floor_).
constexpr int64_t kInFlightStep = 64;
// Freed slots reach the senders' free stack this many at a time.
constexpr uint32_t kFreeBatch = 32;

// Slot index layout inside a receipt handle: 6 bits of shard, 26 of slot.
constexpr int kMaxShards = 64;
constexpr int kSlotBits = 26;
constexpr uint32_t kMaxSlots = 1u << kSlotBits;
// Receipt handles: shard and slot, incarnation, receive count and tag (two
// halves), 8 hex digits each.
constexpr size_t kHandleSize = 40;

// ---- State word -------------------------------------------------------------
// bits 0-2: state; bits 3-31: receive count; bits 32-63: incarnation. The
// incarnation changes each time a slot is freed, so it names one message; the
// receive count names one receive of that message (one receipt handle). A
// free slot's count bits hold the next free slot + 1 (Shard::free_head).

enum SlotState : uint32_t { kFree = 0, kReady = 1, kDelayed = 2, kInFlight = 3, kMoving = 4 };
constexpr uint32_t kMaxReceiveCount = (1u << 29) - 1;

constexpr uint64_t MakeWord(uint32_t incarnation, uint32_t receive_count, SlotState state) {
  return (uint64_t{incarnation} << 32) | (uint64_t{receive_count & kMaxReceiveCount} << 3) |
         uint64_t{state};
}
constexpr SlotState StateOf(uint64_t w) { return static_cast<SlotState>(w & 7); }
constexpr uint32_t CountOf(uint64_t w) { return static_cast<uint32_t>(w >> 3) & kMaxReceiveCount; }
constexpr uint32_t IncarnationOf(uint64_t w) { return static_cast<uint32_t>(w >> 32); }

// A reference in a ready queue: slot and the incarnation it was queued for.
// References are never removed from the middle of a queue; one whose message
// is gone (or no longer ready) is dropped when it is dequeued.
constexpr uint64_t MakeRef(uint32_t slot, uint32_t incarnation) {
  return (uint64_t{incarnation} << 32) | slot;
}
constexpr uint32_t SlotOfRef(uint64_t ref) { return static_cast<uint32_t>(ref); }
constexpr uint32_t IncarnationOfRef(uint64_t ref) { return static_cast<uint32_t>(ref >> 32); }

constexpr uint64_t Mix(uint64_t x) {  // The splitmix64 finaliser.
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  x ^= x >> 31;
  return x;
}

// absl's conversions to nanoseconds are out of line in this Abseil (~30
// instructions a call, two or three per message); the common case (a
// non-negative value below 2^33 seconds) is one multiply-add on absl's
// representation (seconds, quarter nanoseconds), as later Abseils inline it.
inline int64_t ToNs(absl::Duration d) {
  const int64_t hi = absl::time_internal::GetRepHi(d);
  if (hi >= 0 && (hi >> 33) == 0) return hi * kSecondNs + absl::time_internal::GetRepLo(d) / 4;
  return absl::ToInt64Nanoseconds(d);
}
// Since the epoch; infinite times saturate as absl::ToUnixNanos does.
inline int64_t ToNs(absl::Time t) { return ToNs(absl::time_internal::ToUnixDuration(t)); }
inline absl::Time FromNs(int64_t ns) {
  if (ns == kNever) return absl::InfiniteFuture();
  if (ns == kNoTime) return absl::InfinitePast();
  return absl::FromUnixNanos(ns);
}
inline int64_t SaturatingAdd(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_add_overflow(a, b, &r)) return b > 0 ? kNever : kNoTime;
  return r;
}

// Rarely set message fields, kept out of line so that messages without them
// stay small.
struct Extras : base_internal::RefCounted<Extras> {
  std::string message_id;  // Only when the id is not a canonical UUID.
  std::string message_group_id;
  std::string dead_letter_source_arn;
};

// Memory per queued message (queue_bench's Core/MemoryPerMessage): a message
// that is sent and not yet received costs its payload block, a 24-byte Record
// and its 8-byte reference in the ready queue. Everything else a slot needs
// only once its message is received, delayed, or has rare fields lives in its
// Cold entry, in the same chunk but on pages of their own that stay untouched
// (zero, from calloc) until first written. Message ids are not stored: a
// message's id is derived from its shard, slot, incarnation and sent time
// (StandardQueue::DerivedId), unless it came with one (a move, a dead-letter
// redrive, a restore), which Cold::id or Extras hold.

// The hot part of a message slot. `word` is the only field read without the
// shard lock: Send fills the other fields of a free slot it owns (and its
// Cold entry) and then publishes it with a release store of `word`; every
// other transition of a slot happens under its shard's lock.
struct Record {
  std::atomic<uint64_t> word{MakeWord(0, 0, kFree)};
  int64_t sent_ns = 0;
  PayloadRef payload;
};
static_assert(sizeof(Record) == 24, "memory per queued message");

// The cold part of a slot: all zero while its message (and every earlier one
// in the slot) was never received, delayed, given an id or rare fields, so
// that its page may never be touched. FreeSlot puts back to zero `extras` and
// `id`; the times are written before they are read (`first_receive_ns` is
// read only when the message's receive count is not zero: FirstReceiveNs).
// An implicit-lifetime type (an aggregate with a trivial destructor), so that
// calloc'ed memory holds Cold objects.
struct Cold {
  int64_t deadline_ns;       // Visibility deadline (in flight) or end of delay.
  int64_t receive_ns;        // The receive that issued the newest handle.
  int64_t first_receive_ns;  // Valid when the receive count is not zero.
  const Extras* extras;      // One reference, or null.
  base_internal::Uuid id;    // The message id given at send; zero: derived.

  bool has_id() const { return (id.hi | id.lo) != 0; }
};
static_assert(std::is_aggregate_v<Cold> && std::is_trivially_destructible_v<Cold> &&
              std::is_trivially_copyable_v<Cold>);

// A growable array of slots with stable addresses: chunk 0 holds slots
// [0, 64), chunk k >= 1 holds [64 << (k-1), 64 << k). A chunk is one calloc
// block: its Records, then their Cold entries (left as calloc gave them, so
// the pages of those never written are not resident). Slots are handed out
// once (Grow) and recycled through the shard's free list.
class SlotTable {
 public:
  SlotTable() = default;
  SlotTable(const SlotTable&) = delete;
  SlotTable& operator=(const SlotTable&) = delete;
  ~SlotTable() {
    const uint32_t n = size();
    for (int chunk = 0; chunk < kNumChunks; ++chunk) {
      Record* c = chunks_[chunk].load(std::memory_order_acquire);
      if (c == nullptr) continue;
      const uint32_t size = ChunkSize(chunk);
      const uint32_t used = n > ChunkBase(chunk) ? std::min(size, n - ChunkBase(chunk)) : 0;
      Cold* cold = ColdOfChunk(c, chunk);
      for (uint32_t i = 0; i < used; ++i) {
        if (cold[i].extras != nullptr) cold[i].extras->Release();
      }
      std::destroy_n(c, size);
      std::free(c);
    }
  }

  // The record of a slot that was handed out by Grow (its chunk exists).
  Record& Get(uint32_t slot) const {
    auto [chunk, offset] = Locate(slot);
    return chunks_[chunk].load(std::memory_order_acquire)[offset];
  }
  // Its Cold entry.
  Cold& GetCold(uint32_t slot) const { return *GetBoth(slot).second; }
  // Both, locating the slot once.
  std::pair<Record*, Cold*> GetBoth(uint32_t slot) const {
    auto [chunk, offset] = Locate(slot);
    return At(chunks_[chunk].load(std::memory_order_acquire), slot, offset);
  }
  // Null if the slot's chunk does not exist yet.
  Record* Find(uint32_t slot) const {
    auto [chunk, offset] = Locate(slot);
    Record* c = chunks_[chunk].load(std::memory_order_acquire);
    return c == nullptr ? nullptr : c + offset;
  }
  // Both; nulls if the slot's chunk does not exist yet.
  std::pair<Record*, Cold*> FindBoth(uint32_t slot) const {
    auto [chunk, offset] = Locate(slot);
    Record* c = chunks_[chunk].load(std::memory_order_acquire);
    if (c == nullptr) return {nullptr, nullptr};
    return At(c, slot, offset);
  }

  // Hands out a never-used slot. False when the table is full. Throws
  // std::bad_alloc when a new chunk cannot be allocated.
  bool Grow(uint32_t* slot) {
    uint32_t i = next_.fetch_add(1, std::memory_order_relaxed);
    if (i >= kMaxSlots) return false;
    auto [chunk, offset] = Locate(i);
    if (chunks_[chunk].load(std::memory_order_acquire) == nullptr) {
      const size_t size = ChunkSize(chunk);
      // calloc: large chunks come from fresh zero pages (mmap) that become
      // resident only where written; the Records are constructed (written),
      // the Cold entries are zero as they are.
      void* block = std::calloc(size, sizeof(Record) + sizeof(Cold));
      if (block == nullptr) throw std::bad_alloc();
      Record* fresh = static_cast<Record*>(block);
      std::uninitialized_default_construct_n(fresh, size);
      Record* expected = nullptr;
      if (!chunks_[chunk].compare_exchange_strong(expected, fresh, std::memory_order_acq_rel)) {
        std::destroy_n(fresh, size);
        std::free(block);
      }
    }
    *slot = i;
    return true;
  }

  // Upper bound of the slots handed out so far.
  uint32_t size() const { return std::min(next_.load(std::memory_order_acquire), kMaxSlots); }

  // Calls fn(slot, record) for every existing record below size().
  template <typename Fn>
  void ForEach(Fn fn) const {
    uint32_t n = size();
    for (int chunk = 0; chunk < kNumChunks; ++chunk) {
      uint32_t base = ChunkBase(chunk);
      if (base >= n) break;
      Record* c = chunks_[chunk].load(std::memory_order_acquire);
      if (c == nullptr) continue;
      uint32_t end = std::min(n, base + ChunkSize(chunk));
      for (uint32_t i = base; i < end; ++i) fn(i, c[i - base]);
    }
  }

 private:
  static constexpr int kFirstChunkBits = 6;
  static constexpr int kNumChunks = kSlotBits - kFirstChunkBits + 1;

  static constexpr uint32_t ChunkBase(int chunk) {
    return chunk == 0 ? 0 : (1u << kFirstChunkBits) << (chunk - 1);
  }
  static constexpr uint32_t ChunkSize(int chunk) {
    return chunk == 0 ? (1u << kFirstChunkBits) : ChunkBase(chunk);
  }
  static std::pair<int, uint32_t> Locate(uint32_t slot) {
    int chunk = slot < (1u << kFirstChunkBits) ? 0 : std::bit_width(slot) - kFirstChunkBits;
    return {chunk, slot - ChunkBase(chunk)};
  }

  // The Cold entries of a chunk of `size` slots: they follow its Records in
  // the same calloc block (objects calloc created implicitly, hence launder).
  static Cold* ColdOf(Record* c, uint32_t size) {
    return std::launder(
        reinterpret_cast<Cold*>(reinterpret_cast<std::byte*>(c) + size * sizeof(Record)));
  }
  static Cold* ColdOfChunk(Record* c, int chunk) { return ColdOf(c, ChunkSize(chunk)); }
  // The slot at `offset` in chunk `c`: its chunk's size is its base (slot -
  // offset), or 64 for chunk 0 (base 0).
  static std::pair<Record*, Cold*> At(Record* c, uint32_t slot, uint32_t offset) {
    const uint32_t size = std::max(slot - offset, uint32_t{1} << kFirstChunkBits);
    return {c + offset, ColdOf(c, size) + offset};
  }

  std::atomic<uint32_t> next_{0};
  std::array<std::atomic<Record*>, kNumChunks> chunks_{};
};

struct Timer {
  int64_t deadline_ns;
  uint32_t slot;
  uint32_t incarnation;
};
struct TimerLater {
  bool operator()(const Timer& a, const Timer& b) const { return a.deadline_ns > b.deadline_ns; }
};

// A shard's pending visibility and delay deadlines, earliest first. Those
// that come in non-decreasing order (the usual case: receives with the
// queue's one visibility timeout, on a clock that does not go back) are
// appended to a FIFO in O(1); any other (a shorter timeout, a delay, a
// visibility change) goes to a min-heap. Entries are not removed when their
// message is deleted or its deadline changes; EraseIf drops them.
// Not thread-safe (the shard lock guards it).
class Deadlines {
 public:
  bool empty() const { return head_ == fifo_.size() && heap_.empty(); }
  size_t size() const { return fifo_.size() - head_ + heap_.size(); }

  void Push(const Timer& t) {
    if (head_ == fifo_.size() || t.deadline_ns >= fifo_.back().deadline_ns) {
      fifo_.push_back(t);
    } else {
      heap_.push_back(t);
      std::push_heap(heap_.begin(), heap_.end(), TimerLater());
    }
  }

  // The earliest deadline; kNever if empty.
  int64_t Earliest() const {
    int64_t earliest = heap_.empty() ? kNever : heap_.front().deadline_ns;
    if (head_ < fifo_.size()) earliest = std::min(earliest, fifo_[head_].deadline_ns);
    return earliest;
  }

  // Removes and returns the earliest entry. REQUIRES: !empty().
  Timer Pop() {
    if (head_ < fifo_.size() &&
        (heap_.empty() || fifo_[head_].deadline_ns <= heap_.front().deadline_ns)) {
      const Timer t = fifo_[head_++];
      if (head_ == fifo_.size()) {
        fifo_.clear();
        head_ = 0;
      } else if (head_ >= 64 && 2 * head_ >= fifo_.size()) {
        // Drop the popped prefix: amortised O(1) per pop, bounded memory.
        fifo_.erase(fifo_.begin(), fifo_.begin() + static_cast<std::ptrdiff_t>(head_));
        head_ = 0;
      }
      return t;
    }
    std::pop_heap(heap_.begin(), heap_.end(), TimerLater());
    const Timer t = heap_.back();
    heap_.pop_back();
    return t;
  }

  // Drops the entries for which dead(entry) is true. O(size).
  template <typename Dead>
  void EraseIf(Dead dead) {
    fifo_.erase(fifo_.begin(), fifo_.begin() + static_cast<std::ptrdiff_t>(head_));
    head_ = 0;
    std::erase_if(fifo_, dead);  // Keeps the order.
    std::erase_if(heap_, dead);
    std::make_heap(heap_.begin(), heap_.end(), TimerLater());
  }

  void Clear() {
    fifo_.clear();
    head_ = 0;
    heap_.clear();
  }

 private:
  std::vector<Timer> fifo_;  // [head_, end): pending, non-decreasing.
  size_t head_ = 0;
  std::vector<Timer> heap_;
};

struct alignas(64) Shard {
  Shard() : ready(256) {}

  moodycamel::ConcurrentQueue<uint64_t> ready;
  SlotTable slots;

  // Free slots: a lock-free stack threaded through the free records' state
  // words (their count bits hold the next free slot + 1; 0 ends it). Low 32
  // bits: the top slot + 1 (0: empty); high 32 bits: a counter every push and
  // pop bumps, so a pop that read a stale top fails its CAS (no ABA). Pushed
  // under mu, kFreeBatch slots a time (FreeSlot chains them first), popped
  // without a lock by senders (AllocSlot): one CAS per pop and one per batch
  // pushed, where a moodycamel queue cost ~250 instructions per message, and
  // a push per message moved this line between the consumers' and the
  // senders' cores twice per message. Recently freed, first reused (its
  // record is warm). A slot's incarnation then advances with every message
  // through it, so a receipt handle kept while 2^32 others went through its
  // slot (72 minutes at a million a second) could name a later message there
  // that has the same receive count. Up to kFreeBatch - 1 freed slots wait
  // in the chain below (senders grow the table meanwhile).
  alignas(64) std::atomic<uint64_t> free_head{0};

  // The lock and `timers` on a line of their own: the shard's consumers
  // write it on every receive and delete, while every receiver reads the
  // deadlines below (Maintain) for all shards.
  alignas(64) PlainMutex mu;
  // Visibility and delay deadlines. An entry is live only while its record
  // has the same incarnation and deadline and is in flight or delayed;
  // PushTimer drops the rest when they outnumber the live ones.
  Deadlines timers ABSL_GUARDED_BY(mu);
  // Slots freed since the last push onto free_head, chained as it is:
  // freed_top is the first + 1 (0: none), freed_last the last one's slot.
  uint32_t freed_top ABSL_GUARDED_BY(mu) = 0;
  uint32_t freed_last ABSL_GUARDED_BY(mu) = 0;
  uint32_t num_freed ABSL_GUARDED_BY(mu) = 0;

  // Earliest entry of `timers` (kNever if none); written under mu.
  alignas(64) std::atomic<int64_t> next_deadline_ns{kNever};
  // No message of this shard can exceed the retention period before this time.
  std::atomic<int64_t> retention_check_ns{kNever};
  // Message counts. Visible messages are `raised` - `lowered` (Visible()):
  // `raised` grows without the lock, seq_cst (Send, after the reference is
  // queued, so a reader may briefly see the difference below zero; the
  // parked receivers' handshake); `lowered` and the others change only under
  // mu (AddUnderLock: no locked instruction). A receive thus writes no line
  // that senders write (one decrement on the senders' line per message was a
  // locked instruction that moved the line between cores twice).
  alignas(64) std::atomic<int64_t> raised{0};
  alignas(64) std::atomic<int64_t> in_flight{0};
  std::atomic<int64_t> delayed{0};
  std::atomic<int64_t> lowered{0};
};

// Adds `delta` to a count that only changes under its shard's lock: a load
// and a store, not a locked read-modify-write (two fewer per message).
// Readers without the lock read a value it had (relaxed: counts are
// approximate; the admission check in TryReceive reads it so too).
inline void AddUnderLock(std::atomic<int64_t>& count, int64_t delta) {
  count.store(count.load(std::memory_order_relaxed) + delta, std::memory_order_relaxed);
}

// A ready message stops being visible. REQUIRES: s.mu held.
inline void LowerVisible(Shard& s) ABSL_EXCLUSIVE_LOCKS_REQUIRED(s.mu) {
  AddUnderLock(s.lowered, 1);
}

// The visible messages of a shard (possibly briefly below zero). `lowered`
// is read first, so a concurrent change can only make this too high (a
// receiver then looks once more rather than parking).
inline int64_t Visible(const Shard& s, std::memory_order order) {
  const int64_t lowered = s.lowered.load(order);
  return s.raised.load(order) - lowered;
}

// A copy of what a Delivery needs, taken under the shard lock.
struct Snapshot {
  uint32_t slot;
  uint32_t incarnation;
  uint32_t receive_count;
  int64_t sent_ns;
  int64_t first_receive_ns;
  PayloadRef payload;
  base_internal::RefPtr<const Extras> extras;
  base_internal::Uuid id;
};

// The text of a message id (`id`, or the one in `extras`).
inline void WriteMessageId(const base_internal::Uuid& id, const Extras* extras,
                           InlineText<40>& out) {
  if (extras != nullptr && !extras->message_id.empty()) {
    out = extras->message_id;
  } else {
    out.SetUuid(id);  // Its text is written when read.
  }
}

// The first receive of a message whose receive count is `receive_count`
// (kNoTime: never received).
inline int64_t FirstReceiveNs(const Cold& c, uint32_t receive_count) {
  return receive_count == 0 ? kNoTime : c.first_receive_ns;
}

// Sets a free slot's given message id and rare fields (its Cold entry is as
// FreeSlot left it), consuming them: the id as its bits if it is a canonical
// UUID (not the nil one, which means "derived"), anything else in Extras.
// Nothing is written for an empty id without rare fields.
inline void SetIdentity(Cold& c, std::string&& message_id, std::string&& message_group_id,
                        std::string&& dead_letter_source_arn) {
  base_internal::Uuid id;
  const bool plain_id =
      message_id.empty() || (base_internal::ParseUuid(message_id, &id) && (id.hi | id.lo) != 0);
  if (!message_id.empty() && plain_id) c.id = id;
  if (!plain_id || !message_group_id.empty() || !dead_letter_source_arn.empty()) {
    auto extras = base_internal::MakeRef<Extras>();
    if (!plain_id) extras->message_id = std::move(message_id);
    extras->message_group_id = std::move(message_group_id);
    extras->dead_letter_source_arn = std::move(dead_letter_source_arn);
    c.extras = extras.Leak();
  }
}

class StandardQueue final : public QueueCore, private ReceiveSource {
 public:
  StandardQueue(const QueueConfig& config, Clock& clock, Scheduler& scheduler, DeadLetterSink* sink,
                std::string queue_arn, int num_shards)
      : clock_(clock),
        sink_(sink),
        queue_arn_(std::move(queue_arn)),
        num_shards_(num_shards),
        shards_(new Shard[num_shards]),
        waiters_(*this, clock, scheduler) {
    key0_ = base_internal::RandomUint64();
    key1_ = base_internal::RandomUint64();
    for (uint64_t& key : id_keys_) key = base_internal::RandomUint64();
    ApplyConfig(config);
  }
  // Completes waiting receives before anything they might touch is gone.
  ~StandardQueue() override { waiters_.Shutdown(); }

  absl::StatusOr<SendOutcome> Send(SendArgs args) override;
  SendOutcomes SendBatch(std::span<SendArgs> batch) override;
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
  struct Handle {
    int shard;
    uint32_t slot;
    uint32_t incarnation;
    uint32_t receive_count;
  };
  // A ready reference to queue again once the current Receive is over (so
  // that the same call cannot return the message twice).
  struct Deferred {
    int shard;
    uint64_t ref;
  };

  // A message written into its slot by Fill and not yet reachable.
  struct Staged {
    Record* record = nullptr;
    int shard = 0;
    uint32_t slot = 0;
    uint32_t incarnation = 0;
    uint32_t receive_count = 0;
    int64_t deadline_ns = kNoTime;  // End of its delay; kNoTime: ready at once.
  };

  void ApplyConfig(const QueueConfig& config);
  // Takes a free slot of `s` and writes the message into it (consuming
  // `args`' fields); sets outcome.message_id.
  absl::Status Fill(SendArgs& args, int64_t now_ns, int shard, Staged& staged,
                    SendOutcome& outcome);
  // Makes a filled message delayed; returns true if its deadline became the
  // shard's earliest.
  bool StageDelayed(Shard& s, const Staged& m) ABSL_EXCLUSIVE_LOCKS_REQUIRED(s.mu);
  // Marks a filled message ready; returns the reference to queue (which
  // makes it reachable).
  uint64_t StageReady(const Staged& m);
  // The shard a thread sends to, and the one it receives from first.
  int SendShard() const;
  int ReceiveShard() const;
  uint64_t Tag(uint32_t shard_slot, uint32_t incarnation, uint32_t receive_count) const;
  // The id of a message sent without one: a keyed function of where and when
  // it was queued, unique within the queue. `x` names one message of the
  // queue until its slot's incarnation wraps (2^32 messages through the slot
  // later). `hi` is a bijection of x (a key, an odd multiplier, an xorshift):
  // messages that differ in x get ids that differ in hi, and so in the id,
  // as the 4 bits of hi the version replaces are kept in lo's 4 lowest bits.
  // lo mixes in the sent time, so two with the same x (a wrapped
  // incarnation) differ there. Other keys make another queue's ids
  // unrelated. Ids need only be unique (as SQS promises), not unpredictable
  // or statistically random: two multiplies, ~20 instructions where two
  // random words took ~40 (receipt handles have keys of their own).
  base_internal::Uuid DerivedId(int shard, uint32_t slot, uint32_t incarnation,
                                int64_t sent_ns) const {
    const uint64_t x =
        (uint64_t{(static_cast<uint32_t>(shard) << kSlotBits) | slot} << 32) | incarnation;
    uint64_t hi = (x ^ id_keys_[0]) * 0x9e3779b97f4a7c15ull;
    hi ^= hi >> 29;
    const uint64_t lo =
        ((hi ^ static_cast<uint64_t>(sent_ns)) * 0xbf58476d1ce4e5b9ull) ^ id_keys_[1];
    base_internal::Uuid id;
    id.hi = (hi & ~0xF000ull) | 0x4000ull;  // Version 4.
    // Variant 10xx in the top two bits; the bits of hi the version replaced
    // in the lowest four.
    id.lo = (lo & 0x3FFFFFFFFFFFFFF0ull) | 0x8000000000000000ull | ((hi >> 12) & 0xF);
    return id;
  }
  // The id of the message in a slot (given or derived).
  base_internal::Uuid IdOf(int shard, uint32_t slot, uint32_t incarnation, const Record& r,
                           const Cold& c) const {
    return c.has_id() ? c.id : DerivedId(shard, slot, incarnation, r.sent_ns);
  }
  // The message id of a slot that holds a message.
  InlineText<40> MessageIdOf(int shard, uint32_t slot, const Record& r, const Cold& c) const {
    InlineText<40> text;
    const uint32_t incarnation = IncarnationOf(r.word.load(std::memory_order_relaxed));
    WriteMessageId(IdOf(shard, slot, incarnation, r, c), c.extras, text);
    return text;
  }
  // What a Delivery needs of a slot's message. REQUIRES: its shard's lock.
  Snapshot TakeSnapshot(int shard, uint32_t slot, const Record& r, const Cold& c,
                        uint32_t incarnation, uint32_t receive_count) const {
    if (c.extras != nullptr) c.extras->Retain();
    return Snapshot{slot,
                    incarnation,
                    receive_count,
                    r.sent_ns,
                    FirstReceiveNs(c, receive_count),
                    r.payload,
                    base_internal::RefPtr<const Extras>::Adopt(c.extras),
                    IdOf(shard, slot, incarnation, r, c)};
  }
  int ShardIndex(const Shard& s) const { return static_cast<int>(&s - shards_.get()); }
  // Makes `out` the kHandleSize characters of a receipt handle (written when
  // read: InlineText::SetHex40).
  void EncodeHandle(int shard, uint32_t slot, uint32_t incarnation, uint32_t receive_count,
                    InlineText<64>& out) const;
  bool DecodeHandle(std::string_view text, Handle* handle) const;
  // Fills `d` (default-constructed, in place: a Delivery is large).
  void MakeDelivery(int shard, Snapshot&& snap, bool with_handle, Delivery& d) const;
  // Durable queues: reports a message entering the queue. REQUIRES: journal_.
  void JournalAdded(const Staged& m, storage_internal::MessageState state, int64_t deadline_ns);

  bool AllocSlot(Shard& s, uint32_t* slot);
  void FreeSlot(Shard& s, uint32_t slot, Record& r, Cold& c) ABSL_EXCLUSIVE_LOCKS_REQUIRED(s.mu);
  void FreeSlot(Shard& s, uint32_t slot, Record& r) ABSL_EXCLUSIVE_LOCKS_REQUIRED(s.mu) {
    FreeSlot(s, slot, r, s.slots.GetCold(slot));
  }
  // Pushes the chain of freed slots onto free_head. REQUIRES: num_freed > 0.
  void PushFreed(Shard& s) ABSL_EXCLUSIVE_LOCKS_REQUIRED(s.mu);
  // Pushes a deadline; returns true if it became the shard's earliest.
  bool PushTimer(Shard& s, Timer t) ABSL_EXCLUSIVE_LOCKS_REQUIRED(s.mu);
  bool TimerLive(Shard& s, const Timer& t) ABSL_EXCLUSIVE_LOCKS_REQUIRED(s.mu);
  void PublishNextDeadline(Shard& s) ABSL_EXCLUSIVE_LOCKS_REQUIRED(s.mu);
  void NoteRetentionCandidate(Shard& s, int64_t check_ns);

  // Applies due deadlines and retention to every shard; returns how many
  // messages became visible.
  int Maintain(int64_t now_ns);
  int ProcessTimers(Shard& s, int64_t now_ns);
  void SweepRetention(Shard& s, int64_t now_ns);

  int64_t TotalInFlight() const;
  // Moves a shard's in-flight count by `delta`, and the floor with it.
  void AddInFlight(Shard& s, int64_t delta) ABSL_EXCLUSIVE_LOCKS_REQUIRED(s.mu);
  // What a receive compares with the in-flight limit: the floor when even a
  // full batch on top of the largest total it allows stays below the limit
  // (one line that changes once per kInFlightStep messages, where
  // TotalInFlight reads every shard's counts, each another consumer's line),
  // otherwise TotalInFlight(). Take compares the value only with the limit,
  // so both give the same answers.
  int64_t InFlightForAdmission(int64_t max_inflight) const;
  bool AnyVisible() const;
  int64_t NextDeadlineNs() const;

  // ReceiveSource, for waiters_.
  ReceiveResult TryReceive(const ReceiveArgs& args, int* surfaced) override;
  bool MayHaveMessages() override { return AnyVisible(); }
  int ApplyDueDeadlines() override { return Maintain(ToNs(clock_.Now())); }
  absl::Time NextDeadline() override { return FromNs(NextDeadlineNs()); }

  // Takes up to `max` ready messages; returns the earliest visibility
  // deadline it set (kNever if none).
  // `in_flight`: InFlightForAdmission() as the caller read it.
  int64_t Take(const ReceiveArgs& args, int64_t now_ns, int64_t in_flight, size_t max,
               std::vector<Delivery>& out, std::vector<Deferred>& deferred);
  void MoveToDeadLetter(int shard, Snapshot&& snap, std::vector<Deferred>& deferred);
  // Queues deferred references again; returns how many.
  int Requeue(const std::vector<Deferred>& deferred);
  // Wakes parked receivers for `n` messages made visible (after the seq_cst
  // write that published them).
  void WakeFor(int n) { waiters_.WakeFor(n); }
  // A deadline was published (seq_cst) and may be the earliest.
  void ArmFor(int64_t deadline_ns) {
    if (waiters_.AnyParked()) waiters_.ArmAlarm(FromNs(deadline_ns));
  }

  Clock& clock_;
  DeadLetterSink* const sink_;
  const std::string queue_arn_;
  const int num_shards_;
  const std::unique_ptr<Shard[]> shards_;
  uint64_t key0_;  // Receipt-handle tag keys; constant after construction.
  uint64_t key1_;
  uint64_t id_keys_[2];  // DerivedId's keys; constant after construction.

  std::atomic<int64_t> retention_ns_{0};
  std::atomic<int> max_receive_count_{0};
  std::atomic<int64_t> max_inflight_{0};
  // The sum over the shards of their in-flight count rounded down to a
  // multiple of kInFlightStep (each shard adds its steps under its lock), so
  // the true total is below it + num_shards_ * kInFlightStep. On a line of
  // its own: written once per kInFlightStep receives or deletes of a shard.
  struct alignas(64) Floor {
    std::atomic<int64_t> v{0};
  };
  Floor in_flight_floor_;
  // Durable queues only; set before any other call.
  storage_internal::MessageJournal* journal_ = nullptr;

  // Last: destroyed first, while what its Scheduler tasks touch exists.
  ParkedReceivers waiters_;
};

// ---- Slots and timers -------------------------------------------------------

constexpr uint64_t NextHead(uint64_t head, uint32_t top) {
  return (((head >> 32) + 1) << 32) | top;
}

inline bool StandardQueue::AllocSlot(Shard& s, uint32_t* slot) {
  // Acquire: the pusher's writes (payload reset, the word) happen before ours.
  uint64_t head = s.free_head.load(std::memory_order_acquire);
  while (const uint32_t top = static_cast<uint32_t>(head)) {
    // If another sender took `top` meanwhile, this reads a word that is not
    // the link, and the CAS fails (the counter moved).
    const uint32_t next = CountOf(s.slots.Get(top - 1).word.load(std::memory_order_relaxed));
    if (s.free_head.compare_exchange_weak(head, NextHead(head, next), std::memory_order_acquire,
                                          std::memory_order_acquire)) {
      *slot = top - 1;
      // The next send's slot, most likely: its record was last written by
      // whichever thread freed it, so start the transfer now.
      if (next != 0) __builtin_prefetch(&s.slots.Get(next - 1), 1);
      return true;
    }
  }
  return s.slots.Grow(slot);
}

inline void StandardQueue::FreeSlot(Shard& s, uint32_t slot, Record& r, Cold& c) {
  if (journal_ != nullptr) journal_->Removed(MessageIdOf(ShardIndex(s), slot, r, c));
  const uint32_t incarnation = IncarnationOf(r.word.load(std::memory_order_relaxed));
  r.payload.reset();
  // Back to zero what the message changed (a page never written stays so).
  if (c.extras != nullptr) {
    c.extras->Release();
    c.extras = nullptr;
  }
  if (c.has_id()) c.id = base_internal::Uuid{};
  // Onto the chain (mu orders these writes before the push that publishes
  // them); the chain onto the stack once it holds kFreeBatch slots.
  r.word.store(MakeWord(incarnation + 1, s.freed_top, kFree), std::memory_order_relaxed);
  if (s.freed_top == 0) s.freed_last = slot;
  s.freed_top = slot + 1;
  if (++s.num_freed == kFreeBatch) PushFreed(s);
}

inline void StandardQueue::PushFreed(Shard& s) {
  Record& last = s.slots.Get(s.freed_last);
  const uint32_t incarnation = IncarnationOf(last.word.load(std::memory_order_relaxed));
  // Pushes are serialised by mu; pops are not, hence the CAS loop. Release:
  // the popper that takes a slot of the chain sees its reset fields and word.
  uint64_t head = s.free_head.load(std::memory_order_relaxed);
  do {
    last.word.store(MakeWord(incarnation, static_cast<uint32_t>(head), kFree),
                    std::memory_order_relaxed);
  } while (!s.free_head.compare_exchange_weak(
      head, NextHead(head, s.freed_top), std::memory_order_release, std::memory_order_relaxed));
  s.freed_top = 0;
  s.num_freed = 0;
}

inline bool StandardQueue::TimerLive(Shard& s, const Timer& t) {
  const auto [r, c] = s.slots.GetBoth(t.slot);
  uint64_t w = r->word.load(std::memory_order_relaxed);
  SlotState st = StateOf(w);
  return IncarnationOf(w) == t.incarnation && (st == kInFlight || st == kDelayed) &&
         c->deadline_ns == t.deadline_ns;
}

inline bool StandardQueue::PushTimer(Shard& s, Timer t) {
  int64_t live =
      s.in_flight.load(std::memory_order_relaxed) + s.delayed.load(std::memory_order_relaxed);
  if (static_cast<int64_t>(s.timers.size()) > 2 * live + 64) {
    // Most entries are dead (deleted messages, changed deadlines): compact,
    // so the deadlines stay proportional to the messages that need one.
    auto dead = [&](const Timer& e)
                    ABSL_EXCLUSIVE_LOCKS_REQUIRED(s.mu) { return !TimerLive(s, e); };
    s.timers.EraseIf(dead);
  }
  s.timers.Push(t);
  const int64_t front = s.timers.Earliest();
  const int64_t published = s.next_deadline_ns.load(std::memory_order_relaxed);  // Under mu.
  const bool earliest = front == t.deadline_ns && t.deadline_ns < published;
  // Usually a new visibility deadline is not the earliest: then the front is
  // unchanged and the seq_cst store (a fence, and a write to a line every
  // receiver reads in Maintain) is skipped.
  if (front != published) PublishNextDeadline(s);
  return earliest;
}

inline void StandardQueue::PublishNextDeadline(Shard& s) {
  s.next_deadline_ns.store(s.timers.Earliest(), std::memory_order_seq_cst);
}

inline void StandardQueue::AddInFlight(Shard& s, int64_t delta) {
  const int64_t before = s.in_flight.load(std::memory_order_relaxed);
  const int64_t after = before + delta;
  s.in_flight.store(after, std::memory_order_relaxed);
  // Counts are never negative, so / rounds down.
  const int64_t steps = after / kInFlightStep - before / kInFlightStep;
  if (steps != 0) {
    in_flight_floor_.v.fetch_add(steps * kInFlightStep, std::memory_order_relaxed);
  }
}

inline int64_t StandardQueue::InFlightForAdmission(int64_t max_inflight) const {
  const int64_t floor = in_flight_floor_.v.load(std::memory_order_relaxed);
  if (floor + num_shards_ * kInFlightStep + kMaxBatch <= max_inflight) return floor;
  return TotalInFlight();
}

inline void StandardQueue::NoteRetentionCandidate(Shard& s, int64_t check_ns) {
  int64_t cur = s.retention_check_ns.load(std::memory_order_relaxed);
  while (check_ns < cur &&
         !s.retention_check_ns.compare_exchange_weak(cur, check_ns, std::memory_order_acq_rel)) {
  }
}

}  // namespace wharf::queue_internal::standard_engine

#endif  // WHARF_BROKER_QUEUE_STANDARD_QUEUE_INTERNAL_H_
