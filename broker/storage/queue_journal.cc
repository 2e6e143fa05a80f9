#include "broker/storage/queue_journal.h"

#include <algorithm>
#include <cstdint>
#include <utility>

#include "broker/base/hex.h"
#include "broker/storage/op.h"

namespace wharf::storage_internal {
namespace {

// Packs a lower-case "8-4-4-4-12" UUID into 128 bits. Called three times per
// message (added, received, removed).
bool PackUuid(std::string_view id, absl::uint128& out) {
  using base_internal::ParseHexNumber;
  if (id.size() != 36 || id[8] != '-' || id[13] != '-' || id[18] != '-' || id[23] != '-') {
    return false;
  }
  uint64_t a, b, c, d, e;
  if (!ParseHexNumber(id.substr(0, 8), &a) || !ParseHexNumber(id.substr(9, 4), &b) ||
      !ParseHexNumber(id.substr(14, 4), &c) || !ParseHexNumber(id.substr(19, 4), &d) ||
      !ParseHexNumber(id.substr(24, 12), &e)) {
    return false;
  }
  out = absl::MakeUint128(a << 32 | b << 16 | c, d << 48 | e);
  return true;
}

}  // namespace

// ---- Ids -----------------------------------------------------------------------

int64_t QueueJournal::Ids::Find(std::string_view id) const {
  absl::uint128 key;
  if (PackUuid(id, key)) {
    auto it = uuids_.find(key);
    return it == uuids_.end() ? 0 : it->second;
  }
  auto it = others_.find(std::string(id));
  return it == others_.end() ? 0 : it->second;
}

int64_t QueueJournal::Ids::Set(std::string_view id, int64_t row) {
  absl::uint128 key;
  if (PackUuid(id, key)) {
    auto [it, inserted] = uuids_.try_emplace(key, row);
    if (inserted) return 0;
    return std::exchange(it->second, row);
  }
  auto [it, inserted] = others_.try_emplace(std::string(id), row);
  if (inserted) return 0;
  return std::exchange(it->second, row);
}

int64_t QueueJournal::Ids::Take(std::string_view id) {
  absl::uint128 key;
  if (PackUuid(id, key)) {
    auto it = uuids_.find(key);
    if (it == uuids_.end()) return 0;
    const int64_t row = it->second;
    uuids_.erase(it);
    return row;
  }
  auto it = others_.find(std::string(id));
  if (it == others_.end()) return 0;
  const int64_t row = it->second;
  others_.erase(it);
  return row;
}

void QueueJournal::Ids::Clear() {
  uuids_.clear();
  others_.clear();
}

// ---- QueueJournal ----------------------------------------------------------------

QueueJournal::QueueJournal(Store& store, int64_t queue_id, bool fifo)
    : store_(store),
      queue_id_(queue_id),
      fifo_(fifo),
      next_row_(FirstRow(queue_id) + 1),
      next_dedup_row_(FirstRow(queue_id) + 1) {}

void QueueJournal::NoteRow(std::string_view message_id, int64_t row) {
  MutexLock lock(&store_.mu_);
  ids_.Set(message_id, row);
  next_row_ = std::max(next_row_, row + 1);
}

void QueueJournal::NoteDedupRow(int64_t row) {
  MutexLock lock(&store_.mu_);
  next_dedup_row_ = std::max(next_dedup_row_, row + 1);
}

void QueueJournal::Added(const MessageEntry& e) {
  Store::Op op;
  op.kind = Store::Op::Kind::kInsert;
  op.state = e.state;
  op.visible_at = ToNanos(e.visible_at);
  op.receive_count = e.receive_count;
  op.first_receive = ToNanos(e.first_receive_time);
  op.sent = ToNanos(e.sent_time);
  op.enqueued = ToNanos(e.enqueued_time);
  op.sequence = static_cast<int64_t>(e.sequence);
  op.payload = *e.payload;
  op.message_id.assign(e.message_id.data(), e.message_id.size());
  op.group_id.assign(e.message_group_id.data(), e.message_group_id.size());
  op.deduplication_id.assign(e.deduplication_id.data(), e.deduplication_id.size());
  op.dead_letter_source_arn.assign(e.dead_letter_source_arn.data(),
                                   e.dead_letter_source_arn.size());
  op.deduplication_key.assign(e.deduplication_key.data(), e.deduplication_key.size());
  MutexLock lock(&store_.mu_);
  op.id = next_row_++;
  if (fifo_ && !e.deduplication_key.empty()) op.dedup_row = next_dedup_row_++;
  if (int64_t replaced = ids_.Set(e.message_id, op.id); replaced != 0) {
    Store::Op drop;
    drop.kind = Store::Op::Kind::kDelete;
    drop.id = replaced;
    store_.EnqueueLocked(std::move(drop));
  }
  store_.EnqueueLocked(std::move(op));
}

void QueueJournal::Changed(std::string_view message_id, MessageState state, absl::Time visible_at,
                           int receive_count, absl::Time first_receive_time) {
  Store::Op op;
  op.kind = Store::Op::Kind::kUpdate;
  op.state = state;
  op.visible_at = ToNanos(visible_at);
  op.receive_count = receive_count;
  op.first_receive = ToNanos(first_receive_time);
  MutexLock lock(&store_.mu_);
  op.id = ids_.Find(message_id);
  if (op.id == 0) return;  // Purged meanwhile.
  store_.EnqueueLocked(std::move(op));
}

void QueueJournal::Removed(std::string_view message_id) {
  Store::Op op;
  op.kind = Store::Op::Kind::kDelete;
  MutexLock lock(&store_.mu_);
  op.id = ids_.Take(message_id);
  if (op.id == 0) return;  // Purged meanwhile.
  store_.EnqueueLocked(std::move(op));
}

void QueueJournal::Purged() {
  Store::Op op;
  op.kind = Store::Op::Kind::kPurge;
  op.id = queue_id_;
  MutexLock lock(&store_.mu_);
  ids_.Clear();
  store_.EnqueueLocked(std::move(op));
}

}  // namespace wharf::storage_internal
