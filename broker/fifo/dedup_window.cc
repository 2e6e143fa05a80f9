#include "broker/fifo/dedup_window.h"

namespace wharf::fifo_internal {

using queue_internal::SendOutcome;

void DedupWindow::DropExpired(Shard& shard, absl::Time now) {
  while (!shard.expiry.empty() && shard.expiry.front().first <= now) {
    auto it = shard.entries.find(shard.expiry.front().second);
    // A key re-accepted after its window has a later expiry; keep that entry.
    if (it != shard.entries.end() && it->second.expires == shard.expiry.front().first) {
      shard.entries.erase(it);
    }
    shard.expiry.pop_front();
  }
}

absl::StatusOr<SendOutcome> DedupWindow::SendOnce(
    std::string_view key, absl::Time now,
    absl::FunctionRef<absl::StatusOr<SendOutcome>()> enqueue) {
  Shard& shard = shards_[absl::Hash<std::string_view>{}(key) % kShards];
  MutexLock lock(&shard.mu);
  DropExpired(shard, now);
  auto it = shard.entries.find(absl::string_view(key.data(), key.size()));
  if (it != shard.entries.end() && now < it->second.expires) {
    return SendOutcome{.message_id = it->second.message_id,
                       .sequence_number = it->second.sequence_number,
                       .duplicate = true};
  }
  absl::StatusOr<SendOutcome> outcome = enqueue();
  if (!outcome.ok()) return outcome;
  const absl::Time expires = now + window_;
  Entry entry{outcome->message_id, outcome->sequence_number, expires};
  if (it != shard.entries.end()) {
    it->second = std::move(entry);
  } else {
    shard.entries.emplace(std::string(key), std::move(entry));
  }
  // The clock may be moved by hand, but never backwards, so appending keeps
  // the list sorted; a caller passing an older `now` only delays the drop.
  shard.expiry.emplace_back(expires, std::string(key));
  return outcome;
}

size_t DedupWindow::SizeForTesting() {
  size_t n = 0;
  for (Shard& shard : shards_) {
    MutexLock lock(&shard.mu);
    n += shard.entries.size();
  }
  return n;
}

}  // namespace wharf::fifo_internal
