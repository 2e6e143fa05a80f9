#include "broker/topic/dedup_cache.h"

namespace wharf::topic_internal {

std::optional<DedupCache::Entry> DedupCache::CheckAndInsert(const std::string& key, absl::Time now,
                                                            const Entry& entry,
                                                            const OnRecord* on_record) {
  MutexLock lock(&mu_);
  std::vector<std::string> expired;
  while (!order_.empty() && order_.front().first <= now) {
    auto it = entries_.find(order_.front().second);
    // A key re-recorded after expiring has a later expiry; keep that one.
    if (it != entries_.end() && it->second.first <= now) {
      entries_.erase(it);
      if (on_record != nullptr) expired.push_back(std::move(order_.front().second));
    }
    order_.pop_front();
  }
  auto [it, inserted] = entries_.try_emplace(key, now + window_, entry);
  if (!inserted) return it->second.second;
  order_.emplace_back(now + window_, key);
  if (on_record != nullptr) (*on_record)(expired);
  return std::nullopt;
}

void DedupCache::Restore(const std::string& key, absl::Time recorded_at, absl::Time now,
                         const Entry& entry) {
  const absl::Time expiry = recorded_at + window_;
  if (expiry <= now) return;
  MutexLock lock(&mu_);
  entries_.insert_or_assign(key, std::make_pair(expiry, entry));
  order_.emplace_back(expiry, key);
}

std::vector<std::string> DedupCache::Keys() const {
  MutexLock lock(&mu_);
  std::vector<std::string> keys;
  keys.reserve(entries_.size());
  for (const auto& [key, value] : entries_) keys.push_back(key);
  return keys;
}

size_t DedupCache::size() const {
  MutexLock lock(&mu_);
  return entries_.size();
}

}  // namespace wharf::topic_internal
