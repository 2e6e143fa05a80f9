#include "broker/fifo/dedup_window.h"

#include <cstring>

#include "absl/hash/hash.h"
#include "absl/strings/string_view.h"

namespace wharf::fifo_internal {

uint32_t DedupWindow::Generation::Find(std::string_view key, uint64_t hash) const {
  auto it = index_.find(hash);
  if (it == index_.end()) return kNone;
  for (uint32_t i = it->second; i != kNone; i = entry(i).next) {
    const Entry& e = entry(i);
    if (std::string_view(Bytes(e.bytes), e.key_size) == key) return i;
  }
  return kNone;
}

DedupWindow::Record DedupWindow::Generation::RecordOf(const Entry& e) const {
  Record r;
  std::memcpy(r.message_id.data(), Bytes(e.bytes) + e.key_size, r.message_id.size());
  r.serial = e.serial;
  return r;
}

void DedupWindow::Generation::Insert(std::string_view key, uint64_t hash, const Record& record,
                                     absl::Time expires) {
  const uint32_t need = static_cast<uint32_t>(key.size() + record.message_id.size());
  uint32_t block = bytes_used_ / kBytesPerBlock;
  uint32_t in_block = bytes_used_ % kBytesPerBlock;
  if (in_block + need > kBytesPerBlock) {  // Keys are at most a few hundred bytes.
    ++block;
    in_block = 0;
  }
  if (block == byte_blocks_.size())
    byte_blocks_.push_back(std::make_unique<char[]>(kBytesPerBlock));
  bytes_used_ = block * kBytesPerBlock + in_block;
  const uint32_t offset = bytes_used_;
  char* bytes = byte_blocks_[offset / kBytesPerBlock].get() + offset % kBytesPerBlock;
  std::memcpy(bytes, key.data(), key.size());
  std::memcpy(bytes + key.size(), record.message_id.data(), record.message_id.size());
  bytes_used_ += need;

  const uint32_t i = size_++;
  if (i / kEntriesPerBlock >= entry_blocks_.size()) {
    entry_blocks_.push_back(std::make_unique<Entry[]>(kEntriesPerBlock));
  }
  auto [it, inserted] = index_.try_emplace(hash, i);
  entry(i) = Entry{offset, static_cast<uint32_t>(key.size()), inserted ? kNone : it->second,
                   record.serial, expires};
  if (!inserted) it->second = i;
}

void DedupWindow::Generation::Clear() {
  index_.clear();
  size_ = 0;
  bytes_used_ = 0;
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
  const uint32_t in_current = shard.current.Find(key, hash);
  if (in_current != kNone && now < shard.current.entry(in_current).expires) {
    return {shard.current.RecordOf(shard.current.entry(in_current)), true};
  }
  if (in_current == kNone) {
    const uint32_t in_previous = shard.previous.Find(key, hash);
    if (in_previous != kNone && now < shard.previous.entry(in_previous).expires) {
      return {shard.previous.RecordOf(shard.previous.entry(in_previous)), true};
    }
  }
  const Record record = enqueue();
  // A key whose entry expired within this generation (possible only when
  // callers' clocks disagree a little) gets a newer entry, which the hash
  // chain finds first; a stale copy in `previous` is simply shadowed.
  shard.current.Insert(key, hash, record, now + window_);
  return {record, false};
}

void DedupWindow::Clear() {
  for (Shard& shard : shards_) {
    SpinMutexLock lock(&shard.mu);
    shard.previous.Clear();
    shard.current.Clear();
    shard.current_start = absl::InfinitePast();
  }
}

size_t DedupWindow::SizeForTesting() {
  size_t n = 0;
  for (Shard& shard : shards_) {
    SpinMutexLock lock(&shard.mu);
    n += shard.current.size() + shard.previous.size();
  }
  return n;
}

}  // namespace wharf::fifo_internal
