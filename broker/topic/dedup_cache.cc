#include "broker/topic/dedup_cache.h"

namespace wharf::topic_internal {

std::optional<DedupCache::Entry> DedupCache::CheckAndInsert(const std::string& key, absl::Time now,
                                                            const Entry& entry) {
  MutexLock lock(&mu_);
  while (!order_.empty() && order_.front().first <= now) {
    auto it = entries_.find(order_.front().second);
    // A key re-recorded after expiring has a later expiry; keep that one.
    if (it != entries_.end() && it->second.first <= now) entries_.erase(it);
    order_.pop_front();
  }
  auto [it, inserted] = entries_.try_emplace(key, now + window_, entry);
  if (!inserted) return it->second.second;
  order_.emplace_back(now + window_, key);
  return std::nullopt;
}

size_t DedupCache::size() const {
  MutexLock lock(&mu_);
  return entries_.size();
}

}  // namespace wharf::topic_internal
