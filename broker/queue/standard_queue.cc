#include "broker/queue/standard_queue.h"

#include <concurrentqueue/concurrentqueue.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <mutex>
#include <stop_token>
#include <thread>
#include <utility>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "absl/strings/str_cat.h"
#include "broker/base/ids.h"
#include "broker/queue/parked_receivers.h"
#include "wharf/errors.h"

namespace wharf::queue_internal {
namespace {

constexpr int64_t kNever = std::numeric_limits<int64_t>::max();
constexpr int64_t kNoTime = std::numeric_limits<int64_t>::min();
constexpr int64_t kSecondNs = 1'000'000'000;
// A message may stay invisible at most 12 hours counted from its receive.
constexpr int64_t kMaxVisibilityNs = 43'200 * kSecondNs;
// Retention sweeps scan a shard's slot table; they run at most once per second
// of clock time per shard (so retention is enforced to within a second).
constexpr int64_t kMinSweepIntervalNs = kSecondNs;
constexpr int kMaxBatch = 10;

// Slot index layout inside a receipt handle: 6 bits of shard, 26 of slot.
constexpr int kMaxShards = 64;
constexpr int kSlotBits = 26;
constexpr uint32_t kMaxSlots = 1u << kSlotBits;

// ---- State word -------------------------------------------------------------
// bits 0-2: state; bits 3-31: receive count; bits 32-63: incarnation. The
// incarnation changes each time a slot is freed, so it names one message; the
// receive count names one receive of that message (one receipt handle).

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

int64_t ToNs(absl::Time t) { return absl::ToUnixNanos(t); }
int64_t ToNs(absl::Duration d) { return absl::ToInt64Nanoseconds(d); }
absl::Time FromNs(int64_t ns) {
  if (ns == kNever) return absl::InfiniteFuture();
  if (ns == kNoTime) return absl::InfinitePast();
  return absl::FromUnixNanos(ns);
}
int64_t SaturatingAdd(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_add_overflow(a, b, &r)) return b > 0 ? kNever : kNoTime;
  return r;
}

// Rarely set message fields, kept out of line so a Record stays small.
struct Extras {
  std::string message_id;  // Only when the id is not a 36-character UUID.
  std::string message_group_id;
  std::string dead_letter_source_arn;
};

// One message slot. `word` is the only field read without the shard lock:
// Send fills the other fields of a free slot it owns and then publishes it
// with a release store of `word`; every other transition of a slot happens
// under its shard's lock.
struct Record {
  std::atomic<uint64_t> word{MakeWord(0, 0, kFree)};
  int64_t sent_ns = 0;
  int64_t deadline_ns = 0;  // Visibility deadline (in flight) or end of delay.
  int64_t receive_ns = 0;   // The receive that issued the newest handle.
  int64_t first_receive_ns = kNoTime;
  std::shared_ptr<const Payload> payload;
  std::shared_ptr<const Extras> extras;
  char message_id[36];
};

// A growable array of Records with stable addresses: chunk 0 holds slots
// [0, 64), chunk k >= 1 holds [64 << (k-1), 64 << k). Slots are handed out
// once (Grow) and recycled through the shard's free list.
class SlotTable {
 public:
  SlotTable() = default;
  SlotTable(const SlotTable&) = delete;
  SlotTable& operator=(const SlotTable&) = delete;
  ~SlotTable() {
    for (auto& c : chunks_) delete[] c.load(std::memory_order_acquire);
  }

  // The record of a slot that was handed out by Grow (its chunk exists).
  Record& Get(uint32_t slot) const {
    auto [chunk, offset] = Locate(slot);
    return chunks_[chunk].load(std::memory_order_acquire)[offset];
  }
  // Null if the slot's chunk does not exist yet.
  Record* Find(uint32_t slot) const {
    auto [chunk, offset] = Locate(slot);
    Record* c = chunks_[chunk].load(std::memory_order_acquire);
    return c == nullptr ? nullptr : c + offset;
  }

  // Hands out a never-used slot. False when the table is full.
  bool Grow(uint32_t* slot) {
    uint32_t i = next_.fetch_add(1, std::memory_order_relaxed);
    if (i >= kMaxSlots) return false;
    auto [chunk, offset] = Locate(i);
    if (chunks_[chunk].load(std::memory_order_acquire) == nullptr) {
      Record* fresh = new Record[ChunkSize(chunk)];
      Record* expected = nullptr;
      if (!chunks_[chunk].compare_exchange_strong(expected, fresh, std::memory_order_acq_rel)) {
        delete[] fresh;
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

  std::atomic<uint32_t> next_{0};
  std::array<std::atomic<Record*>, kNumChunks> chunks_{};
};

// The shard and waiter locks: a plain std::mutex (TSan sees it) with the
// annotations of wharf::Mutex. These locks are only ever taken exclusively,
// and std::mutex costs about half of wharf::Mutex's std::shared_mutex.
class ABSL_LOCKABLE PlainMutex {
 public:
  void Lock() ABSL_EXCLUSIVE_LOCK_FUNCTION() { mu_.lock(); }
  void Unlock() ABSL_UNLOCK_FUNCTION() { mu_.unlock(); }

 private:
  std::mutex mu_;
};

class ABSL_SCOPED_LOCKABLE PlainLock {
 public:
  explicit PlainLock(PlainMutex* mu) ABSL_EXCLUSIVE_LOCK_FUNCTION(mu) : mu_(mu) { mu_->Lock(); }
  ~PlainLock() ABSL_UNLOCK_FUNCTION() { mu_->Unlock(); }
  PlainLock(const PlainLock&) = delete;
  PlainLock& operator=(const PlainLock&) = delete;

 private:
  PlainMutex* const mu_;
};

struct Timer {
  int64_t deadline_ns;
  uint32_t slot;
  uint32_t incarnation;
};
struct TimerLater {
  bool operator()(const Timer& a, const Timer& b) const { return a.deadline_ns > b.deadline_ns; }
};

struct alignas(64) Shard {
  Shard() : ready(256), free_slots(256) {}

  moodycamel::ConcurrentQueue<uint64_t> ready;
  moodycamel::ConcurrentQueue<uint32_t> free_slots;
  SlotTable slots;

  PlainMutex mu;
  // Min-heap of visibility and delay deadlines. Entries are not removed when
  // their message is deleted or its deadline changes; an entry is live only
  // while its record has the same incarnation and deadline and is in flight
  // or delayed. Compact() drops the rest when they outnumber the live ones.
  std::vector<Timer> timers ABSL_GUARDED_BY(mu);

  // Earliest entry of `timers` (kNever if none); written under mu.
  std::atomic<int64_t> next_deadline_ns{kNever};
  // No message of this shard can exceed the retention period before this time.
  std::atomic<int64_t> retention_check_ns{kNever};
  // Message counts. `visible` is raised without the lock by Send (after the
  // reference is queued, so a reader may briefly see it below zero); the
  // others change only under mu.
  alignas(64) std::atomic<int64_t> visible{0};
  alignas(64) std::atomic<int64_t> in_flight{0};
  std::atomic<int64_t> delayed{0};
};

// A copy of what a Delivery needs, taken under the shard lock.
struct Snapshot {
  uint32_t slot;
  uint32_t incarnation;
  uint32_t receive_count;
  int64_t sent_ns;
  int64_t first_receive_ns;
  std::shared_ptr<const Payload> payload;
  std::shared_ptr<const Extras> extras;
  char message_id[36];
};

// The message id of a record that holds a message.
std::string_view MessageIdOf(const Record& r) {
  if (r.extras != nullptr && !r.extras->message_id.empty()) return r.extras->message_id;
  return std::string_view(r.message_id, sizeof(r.message_id));
}

Snapshot TakeSnapshot(const Record& r, uint32_t slot, uint32_t incarnation,
                      uint32_t receive_count) {
  Snapshot s{slot,     incarnation, receive_count, r.sent_ns, r.first_receive_ns, r.payload,
             r.extras, {}};
  std::memcpy(s.message_id, r.message_id, sizeof(s.message_id));
  return s;
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
    ApplyConfig(config);
  }
  // Completes waiting receives before anything they might touch is gone.
  ~StandardQueue() override { waiters_.Shutdown(); }

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

  void ApplyConfig(const QueueConfig& config);
  int ThreadShard() const;
  uint64_t Tag(uint32_t shard_slot, uint32_t incarnation, uint32_t receive_count) const;
  std::string EncodeHandle(int shard, uint32_t slot, uint32_t incarnation,
                           uint32_t receive_count) const;
  bool DecodeHandle(std::string_view text, Handle* handle) const;
  Delivery MakeDelivery(int shard, Snapshot&& snap, bool with_handle) const;
  // Durable queues: reports a message entering the queue. REQUIRES: journal_.
  void JournalAdded(const Record& r, uint32_t receive_count, storage_internal::MessageState state,
                    int64_t deadline_ns);

  bool AllocSlot(Shard& s, uint32_t* slot);
  void FreeSlot(Shard& s, uint32_t slot, Record& r) ABSL_EXCLUSIVE_LOCKS_REQUIRED(s.mu);
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
  bool AnyVisible() const;
  int64_t NextDeadlineNs() const;

  // ReceiveSource, for waiters_.
  ReceiveResult TryReceive(const ReceiveArgs& args, int* surfaced) override;
  bool MayHaveMessages() override { return AnyVisible(); }
  int ApplyDueDeadlines() override { return Maintain(ToNs(clock_.Now())); }
  absl::Time NextDeadline() override { return FromNs(NextDeadlineNs()); }

  // Takes up to `max` ready messages; returns the earliest visibility
  // deadline it set (kNever if none).
  int64_t Take(const ReceiveArgs& args, int64_t now_ns, size_t max, std::vector<Delivery>& out,
               std::vector<Deferred>& deferred);
  void MoveToDeadLetter(int shard, Snapshot&& snap, std::vector<Deferred>& deferred);
  // Queues deferred references again; returns how many.
  int Requeue(const std::vector<Deferred>& deferred);
  // Wakes parked receivers for `n` messages made visible (after the seq_cst
  // write that published them).
  void WakeFor(int n) {
    if (n > 0 && waiters_.AnyParked()) waiters_.Wake(n);
  }
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

  std::atomic<int64_t> retention_ns_{0};
  std::atomic<int> max_receive_count_{0};
  std::atomic<int64_t> max_inflight_{0};
  // Durable queues only; set before any other call.
  storage_internal::MessageJournal* journal_ = nullptr;

  // Last: destroyed first, while what its Scheduler tasks touch exists.
  ParkedReceivers waiters_;
};

// ---- Configuration and identities ------------------------------------------

void StandardQueue::ApplyConfig(const QueueConfig& config) {
  int64_t retention = std::max<int64_t>(ToNs(config.retention), 0);
  int64_t old = retention_ns_.exchange(retention, std::memory_order_acq_rel);
  max_receive_count_.store(std::max(config.max_receive_count, 0), std::memory_order_relaxed);
  max_inflight_.store(config.max_inflight, std::memory_order_relaxed);
  if (old != retention) {
    // Re-evaluate every message against the new period at the next call.
    for (int i = 0; i < num_shards_; ++i) {
      shards_[i].retention_check_ns.store(kNoTime, std::memory_order_release);
    }
  }
}

void StandardQueue::SetConfig(const QueueConfig& config) { ApplyConfig(config); }

int StandardQueue::ThreadShard() const {
  if (num_shards_ == 1) return 0;
  uint64_t h = Mix(std::hash<std::thread::id>{}(std::this_thread::get_id()));
  return static_cast<int>(h % static_cast<uint64_t>(num_shards_));
}

uint64_t StandardQueue::Tag(uint32_t shard_slot, uint32_t incarnation,
                            uint32_t receive_count) const {
  uint64_t h = Mix(((uint64_t{shard_slot} << 32) | incarnation) ^ key0_);
  h = Mix(h ^ receive_count ^ key1_);
  return Mix(h ^ key0_);
}

std::string StandardQueue::EncodeHandle(int shard, uint32_t slot, uint32_t incarnation,
                                        uint32_t receive_count) const {
  static constexpr char kHex[] = "0123456789abcdef";
  uint32_t shard_slot = (static_cast<uint32_t>(shard) << kSlotBits) | slot;
  uint64_t tag = Tag(shard_slot, incarnation, receive_count);
  std::string out(40, '0');
  auto put = [&](int pos, uint64_t v, int digits) {
    for (int i = digits - 1; i >= 0; --i, v >>= 4) out[pos + i] = kHex[v & 15];
  };
  put(0, shard_slot, 8);
  put(8, incarnation, 8);
  put(16, receive_count, 8);
  put(24, tag, 16);
  return out;
}

// Value of each byte as a lower-case hex digit, 0xff if it is not one.
constexpr std::array<uint8_t, 256> kHexValue = [] {
  std::array<uint8_t, 256> t{};
  for (auto& v : t) v = 0xff;
  for (int c = '0'; c <= '9'; ++c) t[c] = static_cast<uint8_t>(c - '0');
  for (int c = 'a'; c <= 'f'; ++c) t[c] = static_cast<uint8_t>(c - 'a' + 10);
  return t;
}();

bool StandardQueue::DecodeHandle(std::string_view text, Handle* handle) const {
  if (text.size() != 40) return false;
  uint64_t v[3] = {0, 0, 0};  // shard_slot, incarnation, receive count, then the tag.
  uint64_t tag = 0;
  uint8_t bad = 0;  // Branch-free: OR of every digit value; 0xff marks a non-digit.
  for (int i = 0; i < 24; ++i) {
    uint8_t d = kHexValue[static_cast<uint8_t>(text[i])];
    bad |= d;
    v[i / 8] = (v[i / 8] << 4) | (d & 15);
  }
  for (int i = 24; i < 40; ++i) {
    uint8_t d = kHexValue[static_cast<uint8_t>(text[i])];
    bad |= d;
    tag = (tag << 4) | (d & 15);
  }
  if (bad > 15) return false;
  const uint32_t shard_slot = static_cast<uint32_t>(v[0]);
  if (Tag(shard_slot, static_cast<uint32_t>(v[1]), static_cast<uint32_t>(v[2])) != tag) {
    return false;
  }
  handle->shard = static_cast<int>(shard_slot >> kSlotBits);
  handle->slot = shard_slot & (kMaxSlots - 1);
  handle->incarnation = static_cast<uint32_t>(v[1]);
  handle->receive_count = static_cast<uint32_t>(v[2]);
  return handle->shard < num_shards_;
}

absl::Status InvalidHandle(std::string_view handle) {
  return MakeError(
      ErrorCode::kReceiptHandleIsInvalid,
      absl::StrCat("The input receipt handle \"", absl::string_view(handle.data(), handle.size()),
                   "\" is not a valid receipt handle."));
}

Delivery StandardQueue::MakeDelivery(int shard, Snapshot&& snap, bool with_handle) const {
  Delivery d;
  if (snap.extras != nullptr && !snap.extras->message_id.empty()) {
    d.message_id = snap.extras->message_id;
  } else {
    d.message_id.assign(snap.message_id, sizeof(snap.message_id));
  }
  if (with_handle) {
    d.receipt_handle = EncodeHandle(shard, snap.slot, snap.incarnation, snap.receive_count);
  }
  d.payload = std::move(snap.payload);
  d.receive_count = static_cast<int>(snap.receive_count);
  d.sent_time = FromNs(snap.sent_ns);
  d.first_receive_time = FromNs(snap.first_receive_ns);
  if (snap.extras != nullptr) {
    d.message_group_id = snap.extras->message_group_id;
    d.dead_letter_source_arn = snap.extras->dead_letter_source_arn;
  }
  return d;
}

void StandardQueue::JournalAdded(const Record& r, uint32_t receive_count,
                                 storage_internal::MessageState state, int64_t deadline_ns) {
  storage_internal::MessageEntry e;
  e.message_id = MessageIdOf(r);
  e.payload = &r.payload;
  if (r.extras != nullptr) {
    e.message_group_id = r.extras->message_group_id;
    e.dead_letter_source_arn = r.extras->dead_letter_source_arn;
  }
  e.sent_time = FromNs(r.sent_ns);
  e.enqueued_time = e.sent_time;  // Standard queues count retention from the first send.
  e.receive_count = static_cast<int>(receive_count);
  e.first_receive_time = FromNs(r.first_receive_ns);
  e.state = state;
  e.visible_at = FromNs(deadline_ns);
  journal_->Added(e);
}

// ---- Slots and timers -------------------------------------------------------

bool StandardQueue::AllocSlot(Shard& s, uint32_t* slot) {
  if (s.free_slots.try_dequeue(*slot)) return true;
  return s.slots.Grow(slot);
}

void StandardQueue::FreeSlot(Shard& s, uint32_t slot, Record& r) {
  if (journal_ != nullptr) journal_->Removed(MessageIdOf(r));
  uint32_t incarnation = IncarnationOf(r.word.load(std::memory_order_relaxed));
  r.payload.reset();
  r.extras.reset();
  r.word.store(MakeWord(incarnation + 1, 0, kFree), std::memory_order_release);
  s.free_slots.enqueue(slot);
}

bool StandardQueue::TimerLive(Shard& s, const Timer& t) {
  const Record& r = s.slots.Get(t.slot);
  uint64_t w = r.word.load(std::memory_order_relaxed);
  SlotState st = StateOf(w);
  return IncarnationOf(w) == t.incarnation && (st == kInFlight || st == kDelayed) &&
         r.deadline_ns == t.deadline_ns;
}

bool StandardQueue::PushTimer(Shard& s, Timer t) {
  int64_t live =
      s.in_flight.load(std::memory_order_relaxed) + s.delayed.load(std::memory_order_relaxed);
  if (static_cast<int64_t>(s.timers.size()) > 2 * live + 64) {
    // Most entries are dead (deleted messages, changed deadlines): compact,
    // so the heap stays proportional to the messages that need a deadline.
    auto dead = [&](const Timer& e)
                    ABSL_EXCLUSIVE_LOCKS_REQUIRED(s.mu) { return !TimerLive(s, e); };
    std::erase_if(s.timers, dead);
    std::make_heap(s.timers.begin(), s.timers.end(), TimerLater());
  }
  s.timers.push_back(t);
  std::push_heap(s.timers.begin(), s.timers.end(), TimerLater());
  bool earliest = s.timers.front().deadline_ns == t.deadline_ns &&
                  t.deadline_ns < s.next_deadline_ns.load(std::memory_order_relaxed);
  PublishNextDeadline(s);
  return earliest;
}

void StandardQueue::PublishNextDeadline(Shard& s) {
  s.next_deadline_ns.store(s.timers.empty() ? kNever : s.timers.front().deadline_ns,
                           std::memory_order_seq_cst);
}

void StandardQueue::NoteRetentionCandidate(Shard& s, int64_t check_ns) {
  int64_t cur = s.retention_check_ns.load(std::memory_order_relaxed);
  while (check_ns < cur &&
         !s.retention_check_ns.compare_exchange_weak(cur, check_ns, std::memory_order_acq_rel)) {
  }
}

int StandardQueue::Maintain(int64_t now_ns) {
  int surfaced = 0;
  for (int i = 0; i < num_shards_; ++i) {
    Shard& s = shards_[i];
    if (s.next_deadline_ns.load(std::memory_order_acquire) <= now_ns) {
      surfaced += ProcessTimers(s, now_ns);
    }
    if (s.retention_check_ns.load(std::memory_order_acquire) <= now_ns) SweepRetention(s, now_ns);
  }
  return surfaced;
}

int StandardQueue::ProcessTimers(Shard& s, int64_t now_ns) {
  int requeued = 0;
  {
    PlainLock lock(&s.mu);
    while (!s.timers.empty() && s.timers.front().deadline_ns <= now_ns) {
      Timer t = s.timers.front();
      std::pop_heap(s.timers.begin(), s.timers.end(), TimerLater());
      s.timers.pop_back();
      if (!TimerLive(s, t)) continue;
      Record& r = s.slots.Get(t.slot);
      uint64_t w = r.word.load(std::memory_order_relaxed);
      if (StateOf(w) == kInFlight) {
        s.in_flight.fetch_sub(1, std::memory_order_relaxed);
      } else {
        s.delayed.fetch_sub(1, std::memory_order_relaxed);
      }
      r.word.store(MakeWord(t.incarnation, CountOf(w), kReady), std::memory_order_release);
      s.ready.enqueue(MakeRef(t.slot, t.incarnation));
      s.visible.fetch_add(1, std::memory_order_seq_cst);
      ++requeued;
    }
    PublishNextDeadline(s);
  }
  return requeued;
}

void StandardQueue::SweepRetention(Shard& s, int64_t now_ns) {
  int64_t retention = retention_ns_.load(std::memory_order_acquire);
  // Sends from here on lower the check time themselves; exchange (not store)
  // so that every send that lowered it before is visible to the scan.
  s.retention_check_ns.exchange(kNever, std::memory_order_acq_rel);
  int64_t oldest_kept = kNever;
  {
    PlainLock lock(&s.mu);
    s.slots.ForEach([&](uint32_t slot, Record& r) ABSL_NO_THREAD_SAFETY_ANALYSIS {
      uint64_t w = r.word.load(std::memory_order_acquire);
      SlotState st = StateOf(w);
      if (st == kFree || st == kMoving) return;
      if (now_ns - r.sent_ns < retention) {
        oldest_kept = std::min(oldest_kept, r.sent_ns);
        return;
      }
      if (st == kReady) s.visible.fetch_sub(1, std::memory_order_relaxed);
      if (st == kInFlight) s.in_flight.fetch_sub(1, std::memory_order_relaxed);
      if (st == kDelayed) s.delayed.fetch_sub(1, std::memory_order_relaxed);
      FreeSlot(s, slot, r);
    });
  }
  if (oldest_kept != kNever) {
    NoteRetentionCandidate(s, std::max(SaturatingAdd(oldest_kept, retention),
                                       SaturatingAdd(now_ns, kMinSweepIntervalNs)));
  }
}

int64_t StandardQueue::TotalInFlight() const {
  int64_t n = 0;
  for (int i = 0; i < num_shards_; ++i) n += shards_[i].in_flight.load(std::memory_order_relaxed);
  return n;
}

bool StandardQueue::AnyVisible() const {
  int64_t n = 0;
  for (int i = 0; i < num_shards_; ++i) n += shards_[i].visible.load(std::memory_order_seq_cst);
  return n > 0;
}

int64_t StandardQueue::NextDeadlineNs() const {
  int64_t next = kNever;
  for (int i = 0; i < num_shards_; ++i) {
    next = std::min(next, shards_[i].next_deadline_ns.load(std::memory_order_seq_cst));
  }
  return next;
}

// ---- Operations -------------------------------------------------------------

absl::StatusOr<SendOutcome> StandardQueue::Send(SendArgs args) {
  if (args.payload == nullptr) {
    return MakeError(ErrorCode::kInternalFailure, "Send without a payload.");
  }
  const int64_t now_ns = ToNs(clock_.Now());
  const int shard = ThreadShard();
  Shard& s = shards_[shard];
  uint32_t slot;
  if (!AllocSlot(s, &slot)) {
    return MakeError(ErrorCode::kInternalFailure, "The queue is full.");
  }
  Record& r = s.slots.Get(slot);
  const uint32_t incarnation = IncarnationOf(r.word.load(std::memory_order_acquire));
  r.sent_ns = args.sent_time == absl::InfinitePast() ? now_ns : ToNs(args.sent_time);
  r.first_receive_ns =
      args.first_receive_time == absl::InfinitePast() ? kNoTime : ToNs(args.first_receive_time);
  r.payload = std::move(args.payload);

  SendOutcome outcome;
  const bool plain_id = args.message_id.empty() || args.message_id.size() == 36;
  if (args.message_id.empty()) {
    base_internal::NewUuid(r.message_id);
    outcome.message_id.assign(r.message_id, sizeof(r.message_id));
  } else {
    if (plain_id) std::memcpy(r.message_id, args.message_id.data(), sizeof(r.message_id));
    outcome.message_id = args.message_id;
  }
  if (!plain_id || !args.message_group_id.empty() || !args.dead_letter_source_arn.empty()) {
    auto extras = std::make_shared<Extras>();
    if (!plain_id) extras->message_id = std::move(args.message_id);
    extras->message_group_id = std::move(args.message_group_id);
    extras->dead_letter_source_arn = std::move(args.dead_letter_source_arn);
    r.extras = std::move(extras);
  } else {
    r.extras.reset();
  }
  const uint32_t receive_count =
      static_cast<uint32_t>(std::clamp<int64_t>(args.receive_count, 0, int64_t{kMaxReceiveCount}));
  const int64_t sent_ns = r.sent_ns;

  const int64_t delay_ns = ToNs(args.delay);
  if (delay_ns > 0) {
    bool earliest;
    int64_t deadline = SaturatingAdd(now_ns, delay_ns);
    {
      PlainLock lock(&s.mu);
      r.deadline_ns = deadline;
      if (journal_ != nullptr) {
        JournalAdded(r, receive_count, storage_internal::MessageState::kDelayed, deadline);
      }
      r.word.store(MakeWord(incarnation, receive_count, kDelayed), std::memory_order_release);
      s.delayed.fetch_add(1, std::memory_order_relaxed);
      earliest = PushTimer(s, Timer{deadline, slot, incarnation});
    }
    if (earliest) ArmFor(deadline);
  } else {
    // Reported before the message becomes reachable, so its journal entry
    // precedes any receive or delete of it.
    if (journal_ != nullptr) {
      JournalAdded(r, receive_count, storage_internal::MessageState::kVisible, kNoTime);
    }
    r.word.store(MakeWord(incarnation, receive_count, kReady), std::memory_order_release);
    s.ready.enqueue(MakeRef(slot, incarnation));
    s.visible.fetch_add(1, std::memory_order_seq_cst);
    WakeFor(1);
  }
  NoteRetentionCandidate(s, SaturatingAdd(sent_ns, retention_ns_.load(std::memory_order_relaxed)));
  return outcome;
}

ReceiveResult StandardQueue::TryReceive(const ReceiveArgs& args, int* surfaced) {
  const int64_t now_ns = ToNs(clock_.Now());
  *surfaced += Maintain(now_ns);
  if (TotalInFlight() >= max_inflight_.load(std::memory_order_relaxed)) {
    return MakeError(ErrorCode::kOverLimit,
                     "The maximum number of in flight messages has been reached.");
  }
  const size_t max = static_cast<size_t>(std::clamp(args.max_messages, 1, kMaxBatch));
  std::vector<Delivery> out;
  std::vector<Deferred> deferred;
  const int64_t earliest = Take(args, now_ns, max, out, deferred);
  // Queued again only now, so that this receive cannot return them twice.
  *surfaced += Requeue(deferred);
  if (earliest != kNever) ArmFor(earliest);
  return out;
}

int64_t StandardQueue::Take(const ReceiveArgs& args, int64_t now_ns, size_t max,
                            std::vector<Delivery>& out, std::vector<Deferred>& deferred) {
  const int64_t visibility_ns = std::max<int64_t>(ToNs(args.visibility_timeout), 0);
  const int64_t retention = retention_ns_.load(std::memory_order_relaxed);
  const uint32_t max_receives =
      sink_ == nullptr ? 0
                       : static_cast<uint32_t>(max_receive_count_.load(std::memory_order_relaxed));
  const int64_t max_inflight = max_inflight_.load(std::memory_order_relaxed);
  int64_t in_flight = TotalInFlight();
  const int start = ThreadShard();
  int64_t earliest = kNever;
  out.reserve(max);

  for (int i = 0; i < num_shards_ && out.size() < max; ++i) {
    const int shard = (start + i) % num_shards_;
    Shard& s = shards_[shard];
    while (out.size() < max && in_flight < max_inflight) {
      uint64_t refs[kMaxBatch];
      size_t n = s.ready.try_dequeue_bulk(refs, max - out.size());
      if (n == 0) break;
      absl::InlinedVector<Snapshot, kMaxBatch> got;  // Constructs only what it holds.
      std::vector<Snapshot> moving;                  // Rare: over-received messages.
      {
        PlainLock lock(&s.mu);
        for (size_t k = 0; k < n; ++k) {
          const uint32_t slot = SlotOfRef(refs[k]);
          Record& r = s.slots.Get(slot);
          const uint64_t w = r.word.load(std::memory_order_acquire);
          const uint32_t incarnation = IncarnationOf(w);
          if (incarnation != IncarnationOfRef(refs[k]) || StateOf(w) != kReady) continue;
          if (now_ns - r.sent_ns >= retention) {
            s.visible.fetch_sub(1, std::memory_order_relaxed);
            FreeSlot(s, slot, r);
            continue;
          }
          if (in_flight >= max_inflight) {
            deferred.push_back({shard, refs[k]});
            continue;
          }
          const uint32_t count = std::min(CountOf(w) + 1, kMaxReceiveCount);
          if (max_receives > 0 && count > max_receives) {
            r.word.store(MakeWord(incarnation, count, kMoving), std::memory_order_relaxed);
            s.visible.fetch_sub(1, std::memory_order_relaxed);
            moving.push_back(TakeSnapshot(r, slot, incarnation, count));
            continue;
          }
          r.receive_ns = now_ns;
          if (r.first_receive_ns == kNoTime) r.first_receive_ns = now_ns;
          if (visibility_ns == 0) {
            // Visible again at once; queued after this call so it is not
            // returned twice by it.
            r.word.store(MakeWord(incarnation, count, kReady), std::memory_order_relaxed);
            deferred.push_back({shard, refs[k]});
          } else {
            r.deadline_ns = SaturatingAdd(now_ns, visibility_ns);
            r.word.store(MakeWord(incarnation, count, kInFlight), std::memory_order_relaxed);
            s.visible.fetch_sub(1, std::memory_order_relaxed);
            s.in_flight.fetch_add(1, std::memory_order_relaxed);
            ++in_flight;
            if (PushTimer(s, Timer{r.deadline_ns, slot, incarnation})) {
              earliest = std::min(earliest, r.deadline_ns);
            }
          }
          if (journal_ != nullptr) {
            journal_->Changed(MessageIdOf(r),
                              visibility_ns == 0 ? storage_internal::MessageState::kVisible
                                                 : storage_internal::MessageState::kInFlight,
                              FromNs(visibility_ns == 0 ? kNoTime : r.deadline_ns),
                              static_cast<int>(count), FromNs(r.first_receive_ns));
          }
          got.push_back(TakeSnapshot(r, slot, incarnation, count));
        }
      }
      for (size_t k = 0; k < got.size(); ++k) {
        out.push_back(MakeDelivery(shard, std::move(got[k]), /*with_handle=*/true));
      }
      for (size_t k = 0; k < moving.size(); ++k) {
        MoveToDeadLetter(shard, std::move(moving[k]), deferred);
      }
    }
  }
  return earliest;
}

void StandardQueue::MoveToDeadLetter(int shard, Snapshot&& snap, std::vector<Deferred>& deferred) {
  const uint32_t slot = snap.slot;
  const uint32_t incarnation = snap.incarnation;
  const uint32_t count = snap.receive_count;
  Delivery d = MakeDelivery(shard, std::move(snap), /*with_handle=*/false);
  d.dead_letter_source_arn = queue_arn_;
  // Durable queues: the copy into the dead-letter queue and the removal from
  // this one reach storage together.
  struct AtomicSection {
    storage_internal::MessageJournal* journal;
    explicit AtomicSection(storage_internal::MessageJournal* j) : journal(j) {
      if (journal != nullptr) journal->BeginAtomic();
    }
    ~AtomicSection() {
      if (journal != nullptr) journal->EndAtomic();
    }
  } atomic(journal_);
  const bool accepted = sink_->Accept(d);  // No lock held.
  Shard& s = shards_[shard];
  PlainLock lock(&s.mu);
  Record& r = s.slots.Get(slot);
  const uint64_t w = r.word.load(std::memory_order_relaxed);
  if (IncarnationOf(w) != incarnation || StateOf(w) != kMoving) return;  // Purged meanwhile.
  if (accepted) {
    FreeSlot(s, slot, r);
    return;
  }
  // The dead-letter queue could not take it: keep it, as if not received.
  r.word.store(MakeWord(incarnation, count - 1, kReady), std::memory_order_relaxed);
  s.visible.fetch_add(1, std::memory_order_seq_cst);
  deferred.push_back({shard, MakeRef(slot, incarnation)});
}

int StandardQueue::Requeue(const std::vector<Deferred>& deferred) {
  // These messages stayed counted as visible, so a receiver that parks from
  // here on sees them and does not stay parked.
  for (const Deferred& d : deferred) shards_[d.shard].ready.enqueue(d.ref);
  return static_cast<int>(deferred.size());
}

absl::Status StandardQueue::Delete(std::string_view receipt_handle) {
  Handle h;
  if (!DecodeHandle(receipt_handle, &h)) return InvalidHandle(receipt_handle);
  Shard& s = shards_[h.shard];
  Record* r = s.slots.Find(h.slot);
  if (r == nullptr) return InvalidHandle(receipt_handle);
  PlainLock lock(&s.mu);
  const uint64_t w = r->word.load(std::memory_order_acquire);
  const SlotState st = StateOf(w);
  // A handle of a message that is gone (deleted, expired by retention, moved,
  // purged) deletes nothing and succeeds, as SQS does for repeated deletes.
  if (IncarnationOf(w) != h.incarnation || st == kFree || st == kMoving) return absl::OkStatus();
  // Any handle of the message deletes it, even one older than the newest
  // receive (standard queues).
  if (st == kReady) s.visible.fetch_sub(1, std::memory_order_relaxed);
  if (st == kInFlight) s.in_flight.fetch_sub(1, std::memory_order_relaxed);
  if (st == kDelayed) s.delayed.fetch_sub(1, std::memory_order_relaxed);
  FreeSlot(s, h.slot, *r);
  return absl::OkStatus();
}

absl::Status StandardQueue::ChangeVisibility(std::string_view receipt_handle,
                                             absl::Duration timeout) {
  Handle h;
  if (!DecodeHandle(receipt_handle, &h)) return InvalidHandle(receipt_handle);
  Shard& s = shards_[h.shard];
  Record* r = s.slots.Find(h.slot);
  if (r == nullptr) return InvalidHandle(receipt_handle);
  const int64_t now_ns = ToNs(clock_.Now());
  const int64_t timeout_ns = std::max<int64_t>(ToNs(timeout), 0);
  bool visible = false;
  bool earliest = false;
  int64_t deadline = 0;
  {
    PlainLock lock(&s.mu);
    const uint64_t w = r->word.load(std::memory_order_acquire);
    const SlotState st = StateOf(w);
    if (IncarnationOf(w) != h.incarnation || st == kFree || st == kMoving) {
      return MakeError(
          ErrorCode::kInvalidParameterValue,
          absl::StrCat("Value ", absl::string_view(receipt_handle.data(), receipt_handle.size()),
                       " for parameter ReceiptHandle is invalid. Reason: Message "
                       "does not exist or is not available for visibility timeout "
                       "change."));
    }
    // Only the newest receive's handle refers to a receive that can still be
    // in flight. Its visibility may have run out (the message is visible and
    // not received again): SQS still accepts the change then.
    if (h.receive_count != CountOf(w) || st == kDelayed) {
      return MakeError(ErrorCode::kMessageNotInflight, "The message referred to isn't in flight.");
    }
    if (now_ns + timeout_ns - r->receive_ns > kMaxVisibilityNs) {
      return MakeError(ErrorCode::kInvalidParameterValue,
                       absl::StrCat("Value ", timeout_ns / kSecondNs,
                                    " for parameter VisibilityTimeout is invalid. Reason: Total "
                                    "VisibilityTimeout for the message is beyond the limit [43200 "
                                    "seconds]."));
    }
    if (timeout_ns == 0) {
      if (st == kInFlight) {
        if (journal_ != nullptr) {
          journal_->Changed(MessageIdOf(*r), storage_internal::MessageState::kVisible,
                            absl::InfinitePast(), static_cast<int>(CountOf(w)),
                            FromNs(r->first_receive_ns));
        }
        r->word.store(MakeWord(h.incarnation, CountOf(w), kReady), std::memory_order_release);
        s.in_flight.fetch_sub(1, std::memory_order_relaxed);
        s.ready.enqueue(MakeRef(h.slot, h.incarnation));
        s.visible.fetch_add(1, std::memory_order_seq_cst);
        visible = true;
      }
    } else {
      if (st == kReady) {
        // Its reference stays in the ready queue and is dropped when dequeued.
        r->word.store(MakeWord(h.incarnation, CountOf(w), kInFlight), std::memory_order_release);
        s.visible.fetch_sub(1, std::memory_order_relaxed);
        s.in_flight.fetch_add(1, std::memory_order_relaxed);
      }
      deadline = now_ns + timeout_ns;
      r->deadline_ns = deadline;
      earliest = PushTimer(s, Timer{deadline, h.slot, h.incarnation});
      if (journal_ != nullptr) {
        journal_->Changed(MessageIdOf(*r), storage_internal::MessageState::kInFlight,
                          FromNs(deadline), static_cast<int>(CountOf(w)),
                          FromNs(r->first_receive_ns));
      }
    }
  }
  if (visible) WakeFor(1);
  if (earliest) ArmFor(deadline);
  return absl::OkStatus();
}

void StandardQueue::Purge() {
  // The journal forgets every message now; the Removed() reports of the
  // slots freed below are then ignored.
  if (journal_ != nullptr) journal_->Purged();
  for (int i = 0; i < num_shards_; ++i) {
    Shard& s = shards_[i];
    PlainLock lock(&s.mu);
    s.slots.ForEach([&](uint32_t slot, Record& r) ABSL_NO_THREAD_SAFETY_ANALYSIS {
      uint64_t w = r.word.load(std::memory_order_acquire);
      SlotState st = StateOf(w);
      if (st == kFree || st == kMoving) return;
      if (st == kReady) s.visible.fetch_sub(1, std::memory_order_relaxed);
      if (st == kInFlight) s.in_flight.fetch_sub(1, std::memory_order_relaxed);
      if (st == kDelayed) s.delayed.fetch_sub(1, std::memory_order_relaxed);
      FreeSlot(s, slot, r);
    });
    s.timers.clear();
    PublishNextDeadline(s);
    // Drop the references of purged messages; keep those of messages sent
    // while the slots were being scanned.
    std::vector<uint64_t> keep;
    uint64_t refs[64];
    while (size_t n = s.ready.try_dequeue_bulk(refs, 64)) {
      for (size_t k = 0; k < n; ++k) {
        uint64_t w = s.slots.Get(SlotOfRef(refs[k])).word.load(std::memory_order_acquire);
        if (IncarnationOf(w) == IncarnationOfRef(refs[k]) && StateOf(w) == kReady) {
          keep.push_back(refs[k]);
        }
      }
    }
    for (uint64_t ref : keep) s.ready.enqueue(ref);
  }
}

std::vector<Delivery> StandardQueue::TakeForMove(int max) {
  std::vector<Delivery> out;
  if (max <= 0) return out;
  const int64_t now_ns = ToNs(clock_.Now());
  const int surfaced = Maintain(now_ns);
  const int64_t retention = retention_ns_.load(std::memory_order_relaxed);
  for (int shard = 0; shard < num_shards_; ++shard) {
    Shard& s = shards_[shard];
    while (static_cast<int>(out.size()) < max) {
      uint64_t refs[kMaxBatch];
      size_t want = std::min<size_t>(kMaxBatch, static_cast<size_t>(max) - out.size());
      size_t n = s.ready.try_dequeue_bulk(refs, want);
      if (n == 0) break;
      std::vector<Snapshot> taken;
      {
        PlainLock lock(&s.mu);
        for (size_t k = 0; k < n; ++k) {
          const uint32_t slot = SlotOfRef(refs[k]);
          Record& r = s.slots.Get(slot);
          const uint64_t w = r.word.load(std::memory_order_acquire);
          if (IncarnationOf(w) != IncarnationOfRef(refs[k]) || StateOf(w) != kReady) continue;
          s.visible.fetch_sub(1, std::memory_order_relaxed);
          if (now_ns - r.sent_ns < retention) {
            taken.push_back(TakeSnapshot(r, slot, IncarnationOf(w), CountOf(w)));
          }
          FreeSlot(s, slot, r);
        }
      }
      for (Snapshot& snap : taken) {
        out.push_back(MakeDelivery(shard, std::move(snap), /*with_handle=*/false));
      }
    }
  }
  WakeFor(surfaced);
  return out;
}

void StandardQueue::Restore(storage_internal::RestoredQueue restored) {
  const int64_t now_ns = ToNs(clock_.Now());
  const int64_t retention = retention_ns_.load(std::memory_order_relaxed);
  int shard = 0;
  for (storage_internal::RestoredMessage& m : restored.messages) {
    Shard& s = shards_[shard];
    shard = (shard + 1) % num_shards_;
    uint32_t slot;
    if (!AllocSlot(s, &slot)) break;  // 64M messages per shard: not reached in practice.
    Record& r = s.slots.Get(slot);
    const uint32_t incarnation = IncarnationOf(r.word.load(std::memory_order_relaxed));
    r.sent_ns = ToNs(m.sent_time);
    r.first_receive_ns =
        m.first_receive_time == absl::InfinitePast() ? kNoTime : ToNs(m.first_receive_time);
    r.receive_ns = now_ns;
    r.payload = std::move(m.payload);
    const bool plain_id = m.message_id.size() == sizeof(r.message_id);
    if (plain_id) std::memcpy(r.message_id, m.message_id.data(), sizeof(r.message_id));
    if (!plain_id || !m.message_group_id.empty() || !m.dead_letter_source_arn.empty()) {
      auto extras = std::make_shared<Extras>();
      if (!plain_id) extras->message_id = std::move(m.message_id);
      extras->message_group_id = std::move(m.message_group_id);
      extras->dead_letter_source_arn = std::move(m.dead_letter_source_arn);
      r.extras = std::move(extras);
    } else {
      r.extras.reset();
    }
    const uint32_t count =
        static_cast<uint32_t>(std::clamp<int64_t>(m.receive_count, 0, int64_t{kMaxReceiveCount}));
    const int64_t deadline = ToNs(m.visible_at);
    if (m.state != storage_internal::MessageState::kVisible && deadline > now_ns) {
      const bool delayed = m.state == storage_internal::MessageState::kDelayed;
      PlainLock lock(&s.mu);
      r.deadline_ns = deadline;
      r.word.store(MakeWord(incarnation, count, delayed ? kDelayed : kInFlight),
                   std::memory_order_release);
      (delayed ? s.delayed : s.in_flight).fetch_add(1, std::memory_order_relaxed);
      PushTimer(s, Timer{deadline, slot, incarnation});
    } else {
      r.word.store(MakeWord(incarnation, count, kReady), std::memory_order_release);
      s.ready.enqueue(MakeRef(slot, incarnation));
      s.visible.fetch_add(1, std::memory_order_seq_cst);
    }
    NoteRetentionCandidate(s, SaturatingAdd(r.sent_ns, retention));
  }
}

Counts StandardQueue::GetCounts() {
  WakeFor(Maintain(ToNs(clock_.Now())));
  Counts c;
  for (int i = 0; i < num_shards_; ++i) {
    c.visible += shards_[i].visible.load(std::memory_order_acquire);
    c.in_flight += shards_[i].in_flight.load(std::memory_order_acquire);
    c.delayed += shards_[i].delayed.load(std::memory_order_acquire);
  }
  c.visible = std::max<int64_t>(c.visible, 0);
  return c;
}

absl::Time StandardQueue::OldestMessageTime() {
  WakeFor(Maintain(ToNs(clock_.Now())));
  int64_t oldest = kNever;
  for (int i = 0; i < num_shards_; ++i) {
    Shard& s = shards_[i];
    // Under the lock a message's state can only leave kFree by a Send that
    // publishes its fields first, so sent_ns is read only once published.
    PlainLock lock(&s.mu);
    s.slots.ForEach([&](uint32_t, Record& r) ABSL_NO_THREAD_SAFETY_ANALYSIS {
      SlotState st = StateOf(r.word.load(std::memory_order_acquire));
      if (st == kReady || st == kInFlight || st == kDelayed) oldest = std::min(oldest, r.sent_ns);
    });
  }
  return FromNs(oldest);
}

void StandardQueue::Close() { waiters_.Close(); }

}  // namespace

std::unique_ptr<QueueCore> NewStandardQueueWithShards(const QueueConfig& config, Clock& clock,
                                                      Scheduler& scheduler,
                                                      DeadLetterSink* dlq_sink,
                                                      std::string queue_arn, int num_shards) {
  return std::make_unique<StandardQueue>(config, clock, scheduler, dlq_sink, std::move(queue_arn),
                                         std::clamp(num_shards, 1, kMaxShards));
}

std::unique_ptr<QueueCore> NewStandardQueue(const QueueConfig& config, Clock& clock,
                                            Scheduler& scheduler, DeadLetterSink* dlq_sink,
                                            std::string queue_arn) {
  int shards = static_cast<int>(std::thread::hardware_concurrency());
  return NewStandardQueueWithShards(config, clock, scheduler, dlq_sink, std::move(queue_arn),
                                    std::clamp(shards, 1, 8));
}

}  // namespace wharf::queue_internal

#if defined(__SANITIZE_THREAD__)
// ThreadSanitizer cannot see the std::atomic_thread_fence orderings with which
// moodycamel::ConcurrentQueue recycles its blocks, and reports a race between
// a dequeue's read of a cell and a later enqueue into the recycled block.
// wharf does not rely on the queue to publish message state (a record is
// published by a release store of its state word, read with an acquire load),
// so hiding reports inside the queue hides none of ours. Defined here, in the
// object every user of wharf_queue links, so the service tests get it too.
extern "C" const char* __tsan_default_suppressions() {
  return "race:moodycamel::ConcurrentQueue\n";
}
#endif
