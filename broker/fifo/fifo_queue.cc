// FifoQueue's engine proper: receipt handles, group and timer bookkeeping,
// Send, Delete, ChangeVisibility, config and the factory. Thread-safe (see
// fifo_queue_internal.h for the lock order).
#include "broker/fifo/fifo_queue.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "broker/base/hex.h"
#include "broker/fifo/fifo_queue_internal.h"
#include "wharf/errors.h"

namespace wharf::fifo_internal {
namespace fifo_engine {
namespace {

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

}  // namespace

// ---- Handles and deliveries --------------------------------------------------

std::string FifoQueue::MakeHandle(int shard, const Message& m) const {
  std::string h(kHandleSize, '\0');
  char* out = base_internal::WriteHexNumber(queue_tag_, 16, h.data());
  out = base_internal::WriteHexNumber(static_cast<uint64_t>(shard), 2, out);
  out = base_internal::WriteHexNumber(m.slot, 8, out);
  out = base_internal::WriteHexNumber(m.serial, 16, out);
  base_internal::WriteHexNumber(m.receive_gen, 16, out);
  return h;
}

bool FifoQueue::ParseHandle(std::string_view text, Handle& handle) const {
  if (text.size() != kHandleSize) return false;
  using base_internal::ParseHexNumber;
  uint64_t tag, shard;
  if (!ParseHexNumber(text.substr(0, 16), &tag) || tag != queue_tag_) return false;
  if (!ParseHexNumber(text.substr(16, 2), &shard) || shard >= kShards) return false;
  uint64_t slot;
  if (!ParseHexNumber(text.substr(18, 8), &slot)) return false;
  if (!ParseHexNumber(text.substr(26, 16), &handle.serial) || handle.serial == 0) return false;
  if (!ParseHexNumber(text.substr(42, 16), &handle.receive_gen)) return false;
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
  shard.PushReady(g, next_ready_seq_.fetch_add(1, std::memory_order_relaxed));
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
  m->group->Unlink(m);
  FreeRecord(shard, m);
}

void FifoQueue::FreeRecord(Shard& shard, Message* m) {
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
    bool became_ready = false;
    outcome.sequence_number = SequenceNumber(Enqueue(args, now, &became_ready));
    WakeWaiters(became_ready ? 1 : 0);
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
  bool became_ready = false;
  auto [record, duplicate] = dedup_.SendOnce(key, now, [&] {
    DedupWindow::Record r;
    r.serial = Enqueue(args, now, &became_ready, &r.message_id, key);
    return r;
  });
  WakeWaiters(became_ready ? 1 : 0);  // Out of the window's lock.
  SendOutcome outcome;
  outcome.message_id = std::string_view(record.message_id.data(), record.message_id.size());
  outcome.sequence_number = SequenceNumber(record.serial);
  outcome.duplicate = duplicate;
  return outcome;
}

uint64_t FifoQueue::Enqueue(SendArgs& args, absl::Time now, bool* became_ready,
                            std::array<char, 36>* new_id, std::string_view dedup_key) {
  const absl::Duration delay = absl::Nanoseconds(delay_ns_.load(std::memory_order_relaxed));
  Shard& shard = ShardFor(args.message_group_id);
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
      *became_ready = MaybeMakeReady(shard, g);
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
  return serial;
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
  WakeWaiters(became_ready ? 1 : 0);
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
  WakeWaiters(became_ready ? 1 : 0);
  return status;
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

}  // namespace fifo_engine

std::unique_ptr<queue_internal::QueueCore> NewFifoQueue(const queue_internal::QueueConfig& config,
                                                        Clock& clock, Scheduler& scheduler,
                                                        queue_internal::DeadLetterSink* dlq_sink,
                                                        std::string queue_arn) {
  return std::make_unique<fifo_engine::FifoQueue>(config, clock, scheduler, dlq_sink,
                                                  std::move(queue_arn));
}

}  // namespace wharf::fifo_internal
