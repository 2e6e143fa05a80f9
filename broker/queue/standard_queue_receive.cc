// StandardQueue's receive path: taking ready messages, redrive of
// over-received ones to the dead-letter sink, requeueing. Thread-safe; the
// sink is called with no lock held.
#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

#include "absl/cleanup/cleanup.h"
#include "broker/queue/standard_queue_internal.h"
#include "wharf/errors.h"

namespace wharf::queue_internal::standard_engine {

ReceiveResult StandardQueue::TryReceive(const ReceiveArgs& args, int* surfaced) {
  const int64_t now_ns = ToNs(clock_.Now());
  *surfaced += Maintain(now_ns);
  const int64_t max_inflight = max_inflight_.load(std::memory_order_relaxed);
  const int64_t in_flight = InFlightForAdmission(max_inflight);
  if (in_flight >= max_inflight) {
    return MakeError(ErrorCode::kOverLimit,
                     "The maximum number of in flight messages has been reached.");
  }
  const size_t max = static_cast<size_t>(std::clamp(args.max_messages, 1, kMaxBatch));
  std::vector<Delivery> out = SpareDeliveries();
  std::vector<Deferred> deferred;
  const int64_t earliest = Take(args, now_ns, in_flight, max, out, deferred);
  // Queued again only now, so that this receive cannot return them twice.
  *surfaced += Requeue(deferred);
  if (earliest != kNever) ArmFor(earliest);
  if (out.empty()) {  // The spare stays the thread's (a long poll finds nothing often).
    RecycleDeliveries(std::move(out));
    return std::vector<Delivery>();
  }
  return out;
}

int64_t StandardQueue::Take(const ReceiveArgs& args, int64_t now_ns, int64_t in_flight, size_t max,
                            std::vector<Delivery>& out, std::vector<Deferred>& deferred) {
  const int64_t visibility_ns = std::max<int64_t>(ToNs(args.visibility_timeout), 0);
  const int64_t retention = retention_ns_.load(std::memory_order_relaxed);
  const uint32_t max_receives =
      sink_ == nullptr ? 0
                       : static_cast<uint32_t>(max_receive_count_.load(std::memory_order_relaxed));
  const int64_t max_inflight = max_inflight_.load(std::memory_order_relaxed);
  const int start = ReceiveShard();
  int64_t earliest = kNever;

  for (int i = 0; i < num_shards_ && out.size() < max; ++i) {
    // start + i wraps at most once: no division per shard visited.
    const int shard = start + i < num_shards_ ? start + i : start + i - num_shards_;
    Shard& s = shards_[shard];
    while (out.size() < max && in_flight < max_inflight) {
      uint64_t refs[kMaxBatch];
      size_t n = s.ready.try_dequeue_bulk(refs, max - out.size());
      if (n == 0) break;
      out.reserve(max);  // Only now: a receive that finds nothing allocates nothing.
      // The Deliveries are constructed before the lock; under it each gets
      // its payload and `texts` what the rest is made of after it.
      const size_t first = out.size();
      for (size_t k = 0; k < n; ++k) out.emplace_back();
      struct Text {  // Trivial, left uninitialised: only the filled ones are read.
        uint32_t slot;
        uint32_t incarnation;
        uint32_t receive_count;
        int64_t sent_ns;
        int64_t first_receive_ns;
        // The id given at send; zero: derived (after the lock). Two words, not
        // a Uuid, whose initialisers would zero every entry on each call.
        uint64_t id_hi;
        uint64_t id_lo;
        // The rare fields, with a reference taken under the lock (the slot
        // may be reused after it) and adopted after it. Nothing under the
        // lock may throw, or the refs already dequeued would be lost.
        const Extras* extras;
      };
      std::array<Text, kMaxBatch> texts;
      size_t filled = 0;
      // Room for what may be deferred under the lock (push_back there must
      // not allocate); only the rare cases that defer reserve it.
      if (visibility_ns == 0 || in_flight + static_cast<int64_t>(n) > max_inflight) {
        deferred.reserve(deferred.size() + n);
      }
      std::vector<Snapshot> moving;  // Rare: over-received messages (may throw under the lock).
      // The slots were last written by their senders: their lines are
      // fetched together, not one miss after another under the lock.
      for (size_t k = 0; k < n; ++k) {
        const auto [rp, cp] = s.slots.GetBoth(SlotOfRef(refs[k]));
        __builtin_prefetch(rp, 1);
        __builtin_prefetch(cp, 1);
      }
      {
        PlainLock lock(&s.mu);
        for (size_t k = 0; k < n; ++k) {
          const uint32_t slot = SlotOfRef(refs[k]);
          const auto [rp, cp] = s.slots.GetBoth(slot);
          Record& r = *rp;
          Cold& c = *cp;
          const uint64_t w = r.word.load(std::memory_order_acquire);
          const uint32_t incarnation = IncarnationOf(w);
          if (incarnation != IncarnationOfRef(refs[k]) || StateOf(w) != kReady) continue;
          if (now_ns - r.sent_ns >= retention) {
            LowerVisible(s);
            FreeSlot(s, slot, r, c);
            continue;
          }
          if (in_flight >= max_inflight) {
            deferred.push_back({shard, refs[k]});
            continue;
          }
          const uint32_t count = std::min(CountOf(w) + 1, kMaxReceiveCount);
          if (max_receives > 0 && count > max_receives) {
            // The receive that moves it is not counted (as AWS reports it in
            // the dead-letter queue, and as the FIFO engine does).
            r.word.store(MakeWord(incarnation, CountOf(w), kMoving), std::memory_order_relaxed);
            LowerVisible(s);
            moving.push_back(TakeSnapshot(shard, slot, r, c, incarnation, CountOf(w)));
            continue;
          }
          c.receive_ns = now_ns;
          if (CountOf(w) == 0 || c.first_receive_ns == kNoTime) c.first_receive_ns = now_ns;
          if (visibility_ns == 0) {
            // Visible again at once; queued after this call so it is not
            // returned twice by it.
            r.word.store(MakeWord(incarnation, count, kReady), std::memory_order_relaxed);
            deferred.push_back({shard, refs[k]});
          } else {
            c.deadline_ns = SaturatingAdd(now_ns, visibility_ns);
            r.word.store(MakeWord(incarnation, count, kInFlight), std::memory_order_relaxed);
            LowerVisible(s);
            AddInFlight(s, 1);
            ++in_flight;
            if (PushTimer(s, Timer{c.deadline_ns, slot, incarnation})) {
              earliest = std::min(earliest, c.deadline_ns);
            }
          }
          if (journal_ != nullptr) {
            journal_->Changed(MessageIdOf(shard, slot, r, c),
                              visibility_ns == 0 ? storage_internal::MessageState::kVisible
                                                 : storage_internal::MessageState::kInFlight,
                              FromNs(visibility_ns == 0 ? kNoTime : c.deadline_ns),
                              static_cast<int>(count), FromNs(c.first_receive_ns));
          }
          out[first + filled].payload = r.payload;
          Text& t = texts[filled++];
          t.slot = slot;
          t.incarnation = incarnation;
          t.receive_count = count;
          t.sent_ns = r.sent_ns;
          t.first_receive_ns = c.first_receive_ns;
          t.id_hi = c.id.hi;
          t.id_lo = c.id.lo;
          t.extras = c.extras;
          if (t.extras != nullptr) t.extras->Retain();
        }
      }
      while (out.size() > first + filled) out.pop_back();
      size_t adopted = 0;
      absl::Cleanup release_unadopted = [&] {  // If a copy below throws.
        for (size_t k = adopted; k < filled; ++k) {
          if (texts[k].extras != nullptr) texts[k].extras->Release();
        }
      };
      for (size_t k = 0; k < filled; ++k) {
        const Text& t = texts[k];
        const auto extras = base_internal::RefPtr<const Extras>::Adopt(t.extras);
        adopted = k + 1;
        const Extras* x = extras.get();
        Delivery& d = out[first + k];
        WriteMessageId((t.id_hi | t.id_lo) != 0
                           ? base_internal::Uuid{t.id_hi, t.id_lo}
                           : DerivedId(shard, t.slot, t.incarnation, t.sent_ns),
                       x, d.message_id);
        EncodeHandle(shard, t.slot, t.incarnation, t.receive_count, d.receipt_handle);
        d.receive_count = static_cast<int>(t.receive_count);
        d.sent_time = FromNs(t.sent_ns);
        d.first_receive_time = FromNs(t.first_receive_ns);
        if (x != nullptr) {
          d.message_group_id = x->message_group_id;
          d.dead_letter_source_arn = x->dead_letter_source_arn;
        }
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
  Delivery d;
  MakeDelivery(shard, std::move(snap), /*with_handle=*/false, d);
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
  r.word.store(MakeWord(incarnation, count, kReady), std::memory_order_relaxed);
  s.raised.fetch_add(1, std::memory_order_seq_cst);
  deferred.push_back({shard, MakeRef(slot, incarnation)});
}

int StandardQueue::Requeue(const std::vector<Deferred>& deferred) {
  // These messages stayed counted as visible, so a receiver that parks from
  // here on sees them and does not stay parked.
  for (const Deferred& d : deferred) shards_[d.shard].ready.enqueue(d.ref);
  return static_cast<int>(deferred.size());
}

}  // namespace wharf::queue_internal::standard_engine
