// TopicRegistry's per-topic state (its private Topic and Routes), shared by
// the registry's two source files: topic_registry.cc (topics, subscriptions)
// and topic_delivery.cc (publishing, function calls, dead letters). Not for
// use outside TopicRegistry.

#ifndef WHARF_BROKER_TOPIC_TOPIC_STATE_H_
#define WHARF_BROKER_TOPIC_TOPIC_STATE_H_

#include <array>
#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "broker/base/mutex.h"
#include "broker/topic/dedup_cache.h"
#include "broker/topic/topic_registry.h"
#include "broker/topic/topic_stats.h"
#include "wharf/pattern.h"

namespace wharf::topic_internal {

inline constexpr size_t kNumGroupStripes = 16;
// FIFO sequence numbers are 20 decimal digits, as AWS shows them.
inline constexpr uint64_t kFirstSequenceNumber = 10000000000000000000ull;

inline bool HasFilter(const SubscriptionInfo* sub) {
  return sub != nullptr && !sub->settings.filter_policy.empty();
}

// The subscriptions a publish considers, as of one moment.
struct TopicRegistry::Routes {
  std::vector<std::shared_ptr<const SubscriptionInfo>> unfiltered;
  // Subscriptions with a filter policy, by ARN (the matchers' pattern ids).
  absl::flat_hash_map<std::string, std::shared_ptr<const SubscriptionInfo>> filtered;
  // How many of `filtered` have a policy of each scope.
  size_t attribute_filters = 0;
  size_t body_filters = 0;
};

class TopicRegistry::Topic {
 public:
  Topic(std::string arn, const TopicSettings& settings, AttributeMap attributes, TagList tags,
        std::unique_ptr<Matcher> attribute_matcher, std::unique_ptr<Matcher> body_matcher,
        std::shared_ptr<TopicStats> stats)
      : settings_(settings),
        attributes_(std::move(attributes)),
        arn_(std::move(arn)),
        fifo_(settings.fifo),
        attribute_matcher_(std::move(attribute_matcher)),
        body_matcher_(std::move(body_matcher)),
        routes_(std::make_shared<Routes>()),
        stats_(std::move(stats)) {
    for (auto& [key, value] : tags) tags_[key] = std::move(value);
  }

  const std::string& arn() const { return arn_; }
  bool fifo() const { return fifo_; }
  Matcher& matcher(FilterScope scope) const {
    return scope == FilterScope::kMessageAttributes ? *attribute_matcher_ : *body_matcher_;
  }
  DedupCache& dedup() { return dedup_; }
  // Null when metrics are off.
  TopicStats* stats() const { return stats_.get(); }
  const std::shared_ptr<TopicStats>& shared_stats() const { return stats_; }
  Mutex& stripe(std::string_view group) {
    return stripes_[std::hash<std::string_view>()(group) % kNumGroupStripes];
  }
  std::string NextSequenceNumber() {
    return std::to_string(kFirstSequenceNumber +
                          next_sequence_.fetch_add(1, std::memory_order_relaxed));
  }
  // The serial the next NextSequenceNumber takes (after kFirstSequenceNumber).
  uint64_t next_sequence() const { return next_sequence_.load(std::memory_order_relaxed); }
  // Recovery: the counter continues at `next` at least.
  void RaiseNextSequence(uint64_t next) {
    uint64_t current = next_sequence_.load(std::memory_order_relaxed);
    while (current < next && !next_sequence_.compare_exchange_weak(current, next)) {
    }
  }

  std::shared_ptr<const Routes> routes() const ABSL_LOCKS_EXCLUDED(mu_) {
    ReaderMutexLock lock(&mu_);
    return routes_;
  }
  TopicSettings settings() const ABSL_LOCKS_EXCLUDED(mu_) {
    ReaderMutexLock lock(&mu_);
    return settings_;
  }

  // Rebuilds the Routes snapshot from subscriptions_; O(subscriptions).
  void RebuildRoutes() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    auto routes = std::make_shared<Routes>();
    for (const auto& [arn, sub] : subscriptions_) {
      // Pending and external subscriptions receive nothing, so publishing
      // does not consider them (their filter policies stay in the matchers,
      // where a match that is not in `filtered` is skipped).
      if (sub->pending_confirmation || sub->protocol == Protocol::kExternal) continue;
      if (!HasFilter(sub.get())) {
        routes->unfiltered.push_back(sub);
        continue;
      }
      routes->filtered.emplace(arn, sub);
      if (sub->settings.filter_policy_scope == FilterScope::kMessageAttributes) {
        ++routes->attribute_filters;
      } else {
        ++routes->body_filters;
      }
    }
    routes_ = std::move(routes);
  }

  mutable Mutex mu_;
  TopicSettings settings_ ABSL_GUARDED_BY(mu_);
  AttributeMap attributes_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::string> tags_ ABSL_GUARDED_BY(mu_);
  std::string data_protection_policy_ ABSL_GUARDED_BY(mu_);  // Empty: none.
  std::map<std::string, std::shared_ptr<const SubscriptionInfo>, std::less<>> subscriptions_
      ABSL_GUARDED_BY(mu_);
  int64_t subscriptions_deleted_ ABSL_GUARDED_BY(mu_) = 0;

 private:
  const std::string arn_;
  const bool fifo_;
  // Thread-safe on their own; changed only under mu_ so that they agree with
  // subscriptions_.
  const std::unique_ptr<Matcher> attribute_matcher_;
  const std::unique_ptr<Matcher> body_matcher_;
  DedupCache dedup_;
  std::array<Mutex, kNumGroupStripes> stripes_;
  std::atomic<uint64_t> next_sequence_{0};
  std::shared_ptr<const Routes> routes_ ABSL_GUARDED_BY(mu_);
  const std::shared_ptr<TopicStats> stats_;  // Null when metrics are off.
};

}  // namespace wharf::topic_internal

#endif  // WHARF_BROKER_TOPIC_TOPIC_STATE_H_
