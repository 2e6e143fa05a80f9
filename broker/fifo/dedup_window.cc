#include "broker/fifo/dedup_window.h"

#include "absl/hash/hash.h"
#include "absl/strings/string_view.h"

namespace wharf::fifo_internal {

DedupWindow::Entry* DedupWindow::Generation::Find(std::string_view key, uint64_t hash) {
  auto it = index.find(hash);
  if (it == index.end()) return nullptr;
  for (uint32_t i = it->second; i != kNone; i = entries[i].next) {
    Entry& e = entries[i];
    if (std::string_view(keys).substr(e.key_offset, e.key_size) == key) return &e;
  }
  return nullptr;
}

void DedupWindow::Generation::Insert(std::string_view key, uint64_t hash, const Record& record,
                                     absl::Time expires) {
  const uint32_t i = static_cast<uint32_t>(entries.size());
  auto [it, inserted] = index.try_emplace(hash, i);
  entries.push_back(Entry{static_cast<uint32_t>(keys.size()), static_cast<uint32_t>(key.size()),
                          inserted ? kNone : it->second, expires, record});
  if (!inserted) it->second = i;
  keys.append(key);
}

void DedupWindow::Generation::Clear() {
  index.clear();
  entries.clear();
  keys.clear();
}

void DedupWindow::Rotate(Shard& shard, absl::Time now) {
  if (now < shard.current_start + window_) return;
  if (now < shard.current_start + 2 * window_) {
    // Every key of `previous` expired by current_start + window <= now.
    std::swap(shard.previous, shard.current);
    shard.current.Clear();
    shard.current_start += window_;
  } else {
    shard.previous.Clear();
    shard.current.Clear();
    shard.current_start = now;
  }
}

std::pair<DedupWindow::Record, bool> DedupWindow::SendOnce(std::string_view key, absl::Time now,
                                                           absl::FunctionRef<Record()> enqueue) {
  // Debian's Abseil has its own string_view.
  const uint64_t hash = absl::Hash<absl::string_view>{}(absl::string_view(key.data(), key.size()));
  Shard& shard = shards_[hash % kShards];
  SpinMutexLock lock(&shard.mu);
  Rotate(shard, now);
  Entry* in_current = shard.current.Find(key, hash);
  if (in_current != nullptr && now < in_current->expires) return {in_current->record, true};
  if (in_current == nullptr) {
    Entry* in_previous = shard.previous.Find(key, hash);
    if (in_previous != nullptr && now < in_previous->expires) return {in_previous->record, true};
  }
  const Record record = enqueue();
  if (in_current != nullptr) {
    // Expired within this generation (only if callers' clocks disagree a
    // little): reuse the entry. A stale copy in `previous` is simply shadowed.
    in_current->record = record;
    in_current->expires = now + window_;
  } else {
    shard.current.Insert(key, hash, record, now + window_);
  }
  return {record, false};
}

size_t DedupWindow::SizeForTesting() {
  size_t n = 0;
  for (Shard& shard : shards_) {
    SpinMutexLock lock(&shard.mu);
    n += shard.current.entries.size() + shard.previous.entries.size();
  }
  return n;
}

}  // namespace wharf::fifo_internal
