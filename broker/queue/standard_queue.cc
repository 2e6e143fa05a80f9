// StandardQueue's identities (config, receipt handles, deliveries), Send,
// Delete, ChangeVisibility and the factories. Thread-safe (see
// standard_queue.h); shard state changes under the shard's lock.
#include "broker/queue/standard_queue.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <cstdint>
#include <cstring>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "broker/base/hex.h"
#include "broker/base/ids.h"
#include "broker/queue/standard_queue_internal.h"
#include "wharf/errors.h"

namespace wharf::queue_internal {
namespace standard_engine {

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

namespace {

// Threads are numbered in the order they first send (and, separately, first
// receive), process-wide, so that N producers or N consumers of a queue with
// N shards get a shard each. (A hash of the thread id put two of them on the
// same shard half of the time with 2 shards, and always when a joined
// thread's id was reused: the consumers then contended for one shard lock.)
std::atomic<uint32_t> next_sender{0};
std::atomic<uint32_t> next_receiver{0};

}  // namespace

int StandardQueue::SendShard() const {
  if (num_shards_ == 1) return 0;
  thread_local const uint32_t index = next_sender.fetch_add(1, std::memory_order_relaxed);
  return static_cast<int>(index % static_cast<uint32_t>(num_shards_));
}

int StandardQueue::ReceiveShard() const {
  if (num_shards_ == 1) return 0;
  thread_local const uint32_t index = next_receiver.fetch_add(1, std::memory_order_relaxed);
  return static_cast<int>(index % static_cast<uint32_t>(num_shards_));
}

uint64_t StandardQueue::Tag(uint32_t shard_slot, uint32_t incarnation,
                            uint32_t receive_count) const {
  // Two keyed rounds: a handle is checked on every delete and written on
  // every receive, and the tag only has to reject made-up and foreign
  // handles (standard_queue.h).
  const uint64_t h = Mix(((uint64_t{shard_slot} << 32) | incarnation) ^ key0_);
  return Mix(h ^ (uint64_t{receive_count} << 32) ^ receive_count ^ key1_);
}

void StandardQueue::EncodeHandle(int shard, uint32_t slot, uint32_t incarnation,
                                 uint32_t receive_count, InlineText<64>& out) const {
  const uint32_t shard_slot = (static_cast<uint32_t>(shard) << kSlotBits) | slot;
  const uint64_t tag = Tag(shard_slot, incarnation, receive_count);
  static_assert(kHandleSize == 40);
  out.SetHex40((uint64_t{shard_slot} << 32) | incarnation,
               (uint64_t{receive_count} << 32) | (tag >> 32), static_cast<uint32_t>(tag));
}

bool StandardQueue::DecodeHandle(std::string_view text, Handle* handle) const {
  if (text.size() != kHandleSize) return false;
  // shard_slot and incarnation, receive count and the tag's high half, then
  // its low half.
  uint64_t first, second;
  uint32_t tag_low;
  if (!base_internal::ParseHex16(text.data(), &first) ||
      !base_internal::ParseHex16(text.data() + 16, &second) ||
      !base_internal::ParseHex8(text.data() + 32, &tag_low)) {
    return false;
  }
  const uint32_t shard_slot = static_cast<uint32_t>(first >> 32);
  const uint32_t incarnation = static_cast<uint32_t>(first);
  const uint32_t receive_count = static_cast<uint32_t>(second >> 32);
  if (Tag(shard_slot, incarnation, receive_count) != (((second & 0xffffffffull) << 32) | tag_low)) {
    return false;
  }
  handle->shard = static_cast<int>(shard_slot >> kSlotBits);
  handle->slot = shard_slot & (kMaxSlots - 1);
  handle->incarnation = incarnation;
  handle->receive_count = receive_count;
  return handle->shard < num_shards_;
}

namespace {

absl::Status InvalidHandle(std::string_view handle) {
  return MakeError(
      ErrorCode::kReceiptHandleIsInvalid,
      absl::StrCat("The input receipt handle \"", absl::string_view(handle.data(), handle.size()),
                   "\" is not a valid receipt handle."));
}

}  // namespace

void StandardQueue::MakeDelivery(int shard, Snapshot&& snap, bool with_handle, Delivery& d) const {
  WriteMessageId(snap.id, snap.extras.get(), d.message_id);
  if (with_handle) {
    EncodeHandle(shard, snap.slot, snap.incarnation, snap.receive_count, d.receipt_handle);
  }
  d.payload = std::move(snap.payload);
  d.receive_count = static_cast<int>(snap.receive_count);
  d.sent_time = FromNs(snap.sent_ns);
  d.first_receive_time = FromNs(snap.first_receive_ns);
  if (snap.extras != nullptr) {
    d.message_group_id = snap.extras->message_group_id;
    d.dead_letter_source_arn = snap.extras->dead_letter_source_arn;
  }
}

void StandardQueue::JournalAdded(const Staged& m, storage_internal::MessageState state,
                                 int64_t deadline_ns) {
  const Record& r = *m.record;
  const Cold& c = shards_[m.shard].slots.GetCold(m.slot);
  storage_internal::MessageEntry e;
  const InlineText<40> id = MessageIdOf(m.shard, m.slot, r, c);
  e.message_id = id;
  e.payload = &r.payload;
  if (c.extras != nullptr) {
    e.message_group_id = c.extras->message_group_id;
    e.dead_letter_source_arn = c.extras->dead_letter_source_arn;
  }
  e.sent_time = FromNs(r.sent_ns);
  e.enqueued_time = e.sent_time;  // Standard queues count retention from the first send.
  e.receive_count = static_cast<int>(m.receive_count);
  e.first_receive_time = FromNs(FirstReceiveNs(c, m.receive_count));
  e.state = state;
  e.visible_at = FromNs(deadline_ns);
  journal_->Added(e);
}

// ---- Operations -------------------------------------------------------------

absl::Status StandardQueue::Fill(SendArgs& args, int64_t now_ns, int shard, Staged& staged,
                                 SendOutcome& outcome) {
  Shard& s = shards_[shard];
  if (args.payload == nullptr) {
    return MakeError(ErrorCode::kInternalFailure, "Send without a payload.");
  }
  if (!AllocSlot(s, &staged.slot)) {
    return MakeError(ErrorCode::kInternalFailure, "The queue is full.");
  }
  Record& r = s.slots.Get(staged.slot);
  staged.record = &r;
  staged.shard = shard;
  staged.incarnation = IncarnationOf(r.word.load(std::memory_order_acquire));
  r.sent_ns = args.sent_time == absl::InfinitePast() ? now_ns : ToNs(args.sent_time);
  r.payload = std::move(args.payload);

  // The common case (no receive history, id or rare fields given) leaves the
  // slot's Cold entry alone (FreeSlot left no id or extras), maybe never
  // touched. A history without receives has no first receive time.
  if (args.message_id.empty() && args.message_group_id.empty() &&
      args.dead_letter_source_arn.empty() && args.receive_count <= 0) {
    // Its text is written when read.
    outcome.message_id.SetUuid(DerivedId(staged.shard, staged.slot, staged.incarnation, r.sent_ns));
  } else {
    Cold& c = s.slots.GetCold(staged.slot);
    if (args.receive_count > 0) {
      c.first_receive_ns =
          args.first_receive_time == absl::InfinitePast() ? kNoTime : ToNs(args.first_receive_time);
    }
    SetIdentity(c, std::move(args.message_id), std::move(args.message_group_id),
                std::move(args.dead_letter_source_arn));
    WriteMessageId(IdOf(staged.shard, staged.slot, staged.incarnation, r, c), c.extras,
                   outcome.message_id);
  }
  staged.receive_count =
      static_cast<uint32_t>(std::clamp<int64_t>(args.receive_count, 0, int64_t{kMaxReceiveCount}));
  // Most sends have no delay: skip the (out-of-line) conversion then.
  const int64_t delay_ns = args.delay > absl::ZeroDuration() ? ToNs(args.delay) : 0;
  staged.deadline_ns = delay_ns > 0 ? SaturatingAdd(now_ns, delay_ns) : kNoTime;
  return absl::OkStatus();
}

bool StandardQueue::StageDelayed(Shard& s, const Staged& m) {
  Record& r = *m.record;
  s.slots.GetCold(m.slot).deadline_ns = m.deadline_ns;
  if (journal_ != nullptr) {
    JournalAdded(m, storage_internal::MessageState::kDelayed, m.deadline_ns);
  }
  r.word.store(MakeWord(m.incarnation, m.receive_count, kDelayed), std::memory_order_release);
  AddUnderLock(s.delayed, 1);
  return PushTimer(s, Timer{m.deadline_ns, m.slot, m.incarnation});
}

uint64_t StandardQueue::StageReady(const Staged& m) {
  Record& r = *m.record;
  // Reported before the message becomes reachable, so its journal entry
  // precedes any receive or delete of it.
  if (journal_ != nullptr) {
    JournalAdded(m, storage_internal::MessageState::kVisible, kNoTime);
  }
  r.word.store(MakeWord(m.incarnation, m.receive_count, kReady), std::memory_order_release);
  return MakeRef(m.slot, m.incarnation);
}

absl::StatusOr<SendOutcome> StandardQueue::Send(SendArgs args) {
  const int64_t now_ns = ToNs(clock_.Now());
  const int shard = SendShard();
  Shard& s = shards_[shard];
  Staged m;
  SendOutcome outcome;
  if (absl::Status st = Fill(args, now_ns, shard, m, outcome); !st.ok()) return st;
  const int64_t sent_ns = m.record->sent_ns;
  if (m.deadline_ns != kNoTime) {
    bool earliest;
    {
      PlainLock lock(&s.mu);
      earliest = StageDelayed(s, m);
    }
    if (earliest) ArmFor(m.deadline_ns);
  } else {
    s.ready.enqueue(StageReady(m));
    s.raised.fetch_add(1, std::memory_order_seq_cst);
    WakeFor(1);
  }
  NoteRetentionCandidate(s, SaturatingAdd(sent_ns, retention_ns_.load(std::memory_order_relaxed)));
  return outcome;
}

SendOutcomes StandardQueue::SendBatch(std::span<SendArgs> batch) {
  SendOutcomes outcomes;
  outcomes.reserve(batch.size());
  const int64_t now_ns = ToNs(clock_.Now());
  const int64_t retention = retention_ns_.load(std::memory_order_relaxed);
  const int shard = SendShard();
  Shard& s = shards_[shard];
  for (size_t begin = 0; begin < batch.size(); begin += kMaxBatch) {
    const size_t end = std::min(batch.size(), begin + kMaxBatch);
    std::array<Staged, kMaxBatch> delayed;
    std::array<uint64_t, kMaxBatch> ready;
    size_t num_delayed = 0;
    size_t num_ready = 0;
    int64_t oldest_sent = kNever;
    for (size_t i = begin; i < end; ++i) {
      Staged m;
      SendOutcome outcome;
      if (absl::Status st = Fill(batch[i], now_ns, shard, m, outcome); !st.ok()) {
        outcomes.emplace_back(std::move(st));
        continue;
      }
      outcomes.emplace_back(std::move(outcome));
      oldest_sent = std::min(oldest_sent, m.record->sent_ns);
      if (m.deadline_ns != kNoTime) {
        delayed[num_delayed++] = m;
      } else {
        ready[num_ready++] = StageReady(m);
      }
    }
    if (num_delayed > 0) {
      int64_t earliest = kNever;
      {
        PlainLock lock(&s.mu);
        for (size_t k = 0; k < num_delayed; ++k) {
          if (StageDelayed(s, delayed[k])) earliest = std::min(earliest, delayed[k].deadline_ns);
        }
      }
      if (earliest != kNever) ArmFor(earliest);
    }
    if (num_ready > 0) {
      // One publication for the batch: one bulk enqueue, one count update, one wake-up.
      s.ready.enqueue_bulk(ready.data(), num_ready);
      s.raised.fetch_add(static_cast<int64_t>(num_ready), std::memory_order_seq_cst);
      WakeFor(static_cast<int>(num_ready));
    }
    if (oldest_sent != kNever) NoteRetentionCandidate(s, SaturatingAdd(oldest_sent, retention));
  }
  return outcomes;
}

absl::Status StandardQueue::Delete(std::string_view receipt_handle) {
  Handle h;
  if (!DecodeHandle(receipt_handle, &h)) return InvalidHandle(receipt_handle);
  Shard& s = shards_[h.shard];
  const auto [r, c] = s.slots.FindBoth(h.slot);
  if (r == nullptr) return InvalidHandle(receipt_handle);
  PlainLock lock(&s.mu);
  const uint64_t w = r->word.load(std::memory_order_acquire);
  const SlotState st = StateOf(w);
  // A handle of a message that is gone (deleted, expired by retention, moved,
  // purged) deletes nothing and succeeds, as SQS does for repeated deletes.
  if (IncarnationOf(w) != h.incarnation || st == kFree) return absl::OkStatus();
  // Any handle of the message deletes it, even one older than the newest
  // receive (standard queues); also while a receive moves it to the
  // dead-letter queue (MoveToDeadLetter then finds it gone: were the move
  // refused, the message must not come back).
  if (st == kReady) LowerVisible(s);
  if (st == kInFlight) AddInFlight(s, -1);
  if (st == kDelayed) AddUnderLock(s.delayed, -1);
  FreeSlot(s, h.slot, *r, *c);
  return absl::OkStatus();
}

absl::Status StandardQueue::ChangeVisibility(std::string_view receipt_handle,
                                             absl::Duration timeout) {
  Handle h;
  if (!DecodeHandle(receipt_handle, &h)) return InvalidHandle(receipt_handle);
  Shard& s = shards_[h.shard];
  const auto [r, cp] = s.slots.FindBoth(h.slot);
  if (r == nullptr) return InvalidHandle(receipt_handle);
  Cold& c = *cp;
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
    // While the message is in flight, a handle of any of its receives changes
    // the current one (SQS: LocalStack's AWS-validated
    // test_terminate_visibility_timeout_after_receive). Once its visibility
    // has run out (visible, not received again), SQS still accepts the newest
    // receive's handle.
    const bool in_flight = st == kInFlight && c.deadline_ns > now_ns;
    if (st == kDelayed || (!in_flight && h.receive_count != CountOf(w))) {
      return MakeError(ErrorCode::kMessageNotInflight, "The message referred to isn't in flight.");
    }
    if (now_ns + timeout_ns - c.receive_ns > kMaxVisibilityNs) {
      return MakeError(ErrorCode::kInvalidParameterValue,
                       absl::StrCat("Value ", timeout_ns / kSecondNs,
                                    " for parameter VisibilityTimeout is invalid. Reason: Total "
                                    "VisibilityTimeout for the message is beyond the limit [43200 "
                                    "seconds]."));
    }
    if (timeout_ns == 0) {
      if (st == kInFlight) {
        if (journal_ != nullptr) {
          journal_->Changed(MessageIdOf(h.shard, h.slot, *r, c),
                            storage_internal::MessageState::kVisible, absl::InfinitePast(),
                            static_cast<int>(CountOf(w)), FromNs(FirstReceiveNs(c, CountOf(w))));
        }
        r->word.store(MakeWord(h.incarnation, CountOf(w), kReady), std::memory_order_release);
        AddInFlight(s, -1);
        s.ready.enqueue(MakeRef(h.slot, h.incarnation));
        s.raised.fetch_add(1, std::memory_order_seq_cst);
        visible = true;
      }
    } else {
      if (st == kReady) {
        // Its reference stays in the ready queue and is dropped when dequeued.
        r->word.store(MakeWord(h.incarnation, CountOf(w), kInFlight), std::memory_order_release);
        LowerVisible(s);
        AddInFlight(s, 1);
      }
      deadline = now_ns + timeout_ns;
      c.deadline_ns = deadline;
      earliest = PushTimer(s, Timer{deadline, h.slot, h.incarnation});
      if (journal_ != nullptr) {
        journal_->Changed(MessageIdOf(h.shard, h.slot, *r, c),
                          storage_internal::MessageState::kInFlight, FromNs(deadline),
                          static_cast<int>(CountOf(w)), FromNs(FirstReceiveNs(c, CountOf(w))));
      }
    }
  }
  WakeFor(visible ? 1 : 0);
  if (earliest) ArmFor(deadline);
  return absl::OkStatus();
}

void StandardQueue::Close() { waiters_.Close(); }

}  // namespace standard_engine

std::unique_ptr<QueueCore> NewStandardQueueWithShards(const QueueConfig& config, Clock& clock,
                                                      Scheduler& scheduler,
                                                      DeadLetterSink* dlq_sink,
                                                      std::string queue_arn, int num_shards) {
  return std::make_unique<standard_engine::StandardQueue>(
      config, clock, scheduler, dlq_sink, std::move(queue_arn),
      std::clamp(num_shards, 1, standard_engine::kMaxShards));
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
