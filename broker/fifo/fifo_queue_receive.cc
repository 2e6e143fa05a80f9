// FifoQueue's receive path: collecting from ready groups, redrive to the
// dead-letter sink, ReceiveRequestAttemptId replays. Thread-safe; the sink
// is called with no lock held.
#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/cleanup/cleanup.h"
#include "absl/time/time.h"
#include "broker/fifo/fifo_queue_internal.h"
#include "wharf/errors.h"

namespace wharf::fifo_internal::fifo_engine {

// ---- Receive ------------------------------------------------------------------

bool FifoQueue::CollectFromShard(Shard& shard, int max, absl::Time now, absl::Duration visibility,
                                 std::vector<Delivery>& out, std::vector<PendingMove>& moves) {
  const absl::Duration retention = absl::Nanoseconds(retention_ns_.load(std::memory_order_relaxed));
  const int max_receive_count = max_receive_count_.load(std::memory_order_relaxed);
  const int64_t max_inflight = max_inflight_.load(std::memory_order_relaxed);
  const bool redrive = dlq_sink_ != nullptr && max_receive_count > 0;
  const int shard_index = ShardIndex(shard);

  SpinMutexLock lock(&shard.mu);
  auto taken = [&] { return static_cast<int>(out.size() + moves.size()); };
  if (shard.ready.empty()) return true;  // Taken by another receive meanwhile.
  if (in_flight_.load(std::memory_order_relaxed) >= max_inflight) return false;
  Group& g = shard.PopReady();
  g.queued = false;

  // Retention: the oldest messages of a group are at its head.
  while (g.head != nullptr && g.head->state == State::kVisible &&
         g.head->enqueued_at + retention <= now) {
    EraseMessage(shard, g.head);
  }
  if (!Eligible(g)) {
    MaybeEraseGroup(shard, g);
    return true;
  }
  for (Message* m = g.head; m != nullptr; m = m->next) {
    if (taken() >= max || m->state != State::kVisible) break;
    if (in_flight_.load(std::memory_order_relaxed) >= max_inflight) break;
    --shard.visible;
    in_flight_.fetch_add(1, std::memory_order_relaxed);
    ++g.in_flight;
    if (redrive && m->receive_count + 1 > max_receive_count) {
      // Over-received: goes to the sink instead of the caller. Until the
      // move is settled it holds back everything after it in its group.
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
  return in_flight_.load(std::memory_order_relaxed) < max_inflight;
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
  // Groups in the order they became ready, as SQS serves them (LocalStack's
  // AWS-validated test_fifo_receive_message_group_id_ordering: a group sent
  // to first is received first, its whole run, then the next): each step
  // takes the group whose turn came first in any shard. O(kShards) per group.
  while (static_cast<int>(out.size() + moves.size()) < max) {
    Shard* first = nullptr;
    uint64_t first_seq = Shard::kNotReady;
    for (Shard& shard : shards_) {
      const uint64_t seq = shard.ready_front.load(std::memory_order_seq_cst);
      if (seq < first_seq) {
        first_seq = seq;
        first = &shard;
      }
    }
    if (first == nullptr) return;
    if (!CollectFromShard(*first, max, now, visibility, out, moves)) return;
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
  std::vector<Delivery> out = queue_internal::SpareDeliveries();
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
  if (out.empty()) {  // The spare stays the thread's (a long poll finds nothing often).
    queue_internal::RecycleDeliveries(std::move(out));
    return std::vector<Delivery>();
  }
  if (!args.receive_request_attempt_id.empty()) {
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

}  // namespace wharf::fifo_internal::fifo_engine
