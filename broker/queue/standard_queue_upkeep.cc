// StandardQueue's upkeep: due deadlines and retention sweeps, Purge,
// TakeForMove, Restore, counts and the oldest message. Thread-safe; each
// shard is scanned under its lock.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <utility>
#include <vector>

#include "broker/queue/standard_queue_internal.h"

namespace wharf::queue_internal::standard_engine {

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
    while (!s.timers.empty() && s.timers.Earliest() <= now_ns) {
      const Timer t = s.timers.Pop();
      if (!TimerLive(s, t)) continue;
      Record& r = s.slots.Get(t.slot);
      uint64_t w = r.word.load(std::memory_order_relaxed);
      if (StateOf(w) == kInFlight) {
        AddInFlight(s, -1);
      } else {
        AddUnderLock(s.delayed, -1);
      }
      r.word.store(MakeWord(t.incarnation, CountOf(w), kReady), std::memory_order_release);
      s.ready.enqueue(MakeRef(t.slot, t.incarnation));
      s.raised.fetch_add(1, std::memory_order_seq_cst);
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
      if (st == kReady) LowerVisible(s);
      if (st == kInFlight) AddInFlight(s, -1);
      if (st == kDelayed) AddUnderLock(s.delayed, -1);
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
  for (int i = 0; i < num_shards_; ++i) n += Visible(shards_[i], std::memory_order_seq_cst);
  return n > 0;
}

int64_t StandardQueue::NextDeadlineNs() const {
  int64_t next = kNever;
  for (int i = 0; i < num_shards_; ++i) {
    next = std::min(next, shards_[i].next_deadline_ns.load(std::memory_order_seq_cst));
  }
  return next;
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
      if (st == kReady) LowerVisible(s);
      if (st == kInFlight) AddInFlight(s, -1);
      if (st == kDelayed) AddUnderLock(s.delayed, -1);
      FreeSlot(s, slot, r);
    });
    s.timers.Clear();
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
          LowerVisible(s);
          if (now_ns - r.sent_ns < retention) {
            taken.push_back(
                TakeSnapshot(shard, slot, r, s.slots.GetCold(slot), IncarnationOf(w), CountOf(w)));
          }
          FreeSlot(s, slot, r);
        }
      }
      for (Snapshot& snap : taken) {
        MakeDelivery(shard, std::move(snap), /*with_handle=*/false, out.emplace_back());
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
    const auto [rp, cp] = s.slots.GetBoth(slot);
    Record& r = *rp;
    Cold& c = *cp;
    const uint32_t incarnation = IncarnationOf(r.word.load(std::memory_order_relaxed));
    r.sent_ns = ToNs(m.sent_time);
    c.receive_ns = now_ns;
    r.payload = std::move(m.payload);
    SetIdentity(c, std::move(m.message_id), std::move(m.message_group_id),
                std::move(m.dead_letter_source_arn));
    const uint32_t count =
        static_cast<uint32_t>(std::clamp<int64_t>(m.receive_count, 0, int64_t{kMaxReceiveCount}));
    if (count > 0) {
      c.first_receive_ns =
          m.first_receive_time == absl::InfinitePast() ? kNoTime : ToNs(m.first_receive_time);
    }
    const int64_t deadline = ToNs(m.visible_at);
    if (m.state != storage_internal::MessageState::kVisible && deadline > now_ns) {
      const bool delayed = m.state == storage_internal::MessageState::kDelayed;
      PlainLock lock(&s.mu);
      c.deadline_ns = deadline;
      r.word.store(MakeWord(incarnation, count, delayed ? kDelayed : kInFlight),
                   std::memory_order_release);
      if (delayed) {
        AddUnderLock(s.delayed, 1);
      } else {
        AddInFlight(s, 1);
      }
      PushTimer(s, Timer{deadline, slot, incarnation});
    } else {
      r.word.store(MakeWord(incarnation, count, kReady), std::memory_order_release);
      s.ready.enqueue(MakeRef(slot, incarnation));
      s.raised.fetch_add(1, std::memory_order_seq_cst);
    }
    NoteRetentionCandidate(s, SaturatingAdd(r.sent_ns, retention));
  }
}

Counts StandardQueue::GetCounts() {
  WakeFor(Maintain(ToNs(clock_.Now())));
  Counts c;
  for (int i = 0; i < num_shards_; ++i) {
    c.visible += Visible(shards_[i], std::memory_order_acquire);
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

}  // namespace wharf::queue_internal::standard_engine
