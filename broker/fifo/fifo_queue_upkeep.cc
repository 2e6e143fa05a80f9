// FifoQueue's upkeep: Purge, TakeForMove, Restore, counts and the oldest
// message. Thread-safe; each shard is visited under its lock.
#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "broker/fifo/fifo_queue_internal.h"

namespace wharf::fifo_internal::fifo_engine {

// ---- Purge, moves, counts, config -----------------------------------------------

void FifoQueue::Purge() {
  if (journal_ != nullptr) journal_->Purged();
  for (Shard& shard : shards_) {
    SpinMutexLock lock(&shard.mu);
    for (const std::unique_ptr<Message>& m : shard.slots) {
      if (m->serial != 0) FreeRecord(shard, m.get());
    }
    shard.ClearReady();
    shard.idle.clear();
    shard.timers.clear();
    shard.groups.clear();
  }
  // SQS forgets the deduplication ids of purged messages: a send repeating
  // one is enqueued (LocalStack test_purge_queue_clears_fifo_deduplication_cache,
  // AWS-validated).
  dedup_.Clear();
}

std::vector<Delivery> FifoQueue::TakeForMove(int max) {
  std::vector<Delivery> out;
  const uint32_t start = next_start_shard_.fetch_add(1, std::memory_order_relaxed);
  for (int i = 0; i < kShards && static_cast<int>(out.size()) < max; ++i) {
    Shard& shard = shards_[(start + i) % kShards];
    SpinMutexLock lock(&shard.mu);
    while (static_cast<int>(out.size()) < max && !shard.ready.empty()) {
      Group& g = shard.PopReady();
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
      // It holds back the rest of its group until the deadline, as before
      // the restart.
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

}  // namespace wharf::fifo_internal::fifo_engine
