#include "broker/topic/topic_registry.h"

#include <algorithm>
#include <functional>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "broker/base/aws_errors.h"
#include "broker/base/ids.h"
#include "broker/base/status_macros.h"
#include "broker/topic/envelope.h"
#include "broker/topic/topic_state.h"
#include "wharf/errors.h"

namespace wharf::topic_internal {
namespace {

using base_internal::SubscriptionNotFoundError;
using base_internal::TopicNotFoundError;

std::string DefaultPolicy(std::string_view topic_arn, std::string_view account_id) {
  std::string arn(topic_arn), account(account_id);
  return absl::StrCat(
      R"({"Version":"2008-10-17","Id":"__default_policy_ID","Statement":[{"Sid":"__default_statement_ID","Effect":"Allow","Principal":{"AWS":"*"},"Action":["SNS:GetTopicAttributes","SNS:SetTopicAttributes","SNS:AddPermission","SNS:RemovePermission","SNS:DeleteTopic","SNS:Subscribe","SNS:ListSubscriptionsByTopic","SNS:Publish"],"Resource":")",
      arn, R"(","Condition":{"StringEquals":{"AWS:SourceOwner":")", account, R"("}}}]})");
}

constexpr std::string_view kDefaultEffectiveDeliveryPolicy =
    R"({"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":20,"maxDelayTarget":20,"numRetries":3,"numMaxDelayRetries":0,"numNoDelayRetries":0,"numMinDelayRetries":0,"backoffFunction":"linear"},"disableSubscriptionOverrides":false,"defaultRequestPolicy":{"headerContentType":"text/plain; charset=UTF-8"}}})";

// Whether subscribing again with `given` matches the existing subscription:
// only the attributes given are compared, by their parsed values with the
// defaults applied ("True" equals "true"; FilterPolicyScope=MessageAttributes
// equals no scope). LocalStack test_subscribe_idempotency, AWS-validated.
bool SameAttributes(const SubscriptionSettings& existing, const SubscriptionSettings& given) {
  for (const auto& [name, value] : given.attributes) {
    if (name == "RawMessageDelivery") {
      if (given.raw_message_delivery != existing.raw_message_delivery) return false;
    } else if (name == "FilterPolicyScope") {
      if (given.filter_policy_scope != existing.filter_policy_scope) return false;
    } else {
      auto it = existing.attributes.find(name);
      if (it == existing.attributes.end() || it->second != value) return false;
    }
  }
  return true;
}

}  // namespace

std::shared_ptr<TopicRegistry> TopicRegistry::Create(Options options) {
  return std::shared_ptr<TopicRegistry>(new TopicRegistry(std::move(options)));
}

TopicRegistry::TopicRegistry(Options options) : options_(std::move(options)) {}

TopicRegistry::~TopicRegistry() = default;

std::string TopicRegistry::TopicArn(std::string_view name) const {
  return absl::StrCat("arn:aws:sns:", options_.region, ":", options_.account_id, ":",
                      absl::string_view(name.data(), name.size()));
}

std::string TopicRegistry::FunctionArn(std::string_view name) const {
  return absl::StrCat("arn:aws:lambda:", options_.region, ":", options_.account_id,
                      ":function:", absl::string_view(name.data(), name.size()));
}

std::shared_ptr<TopicRegistry::Topic> TopicRegistry::FindTopic(std::string_view topic_arn) const {
  ReaderMutexLock lock(&mu_);
  auto it = topics_.find(topic_arn);
  return it == topics_.end() ? nullptr : it->second;
}

// ---- Topics -----------------------------------------------------------------

absl::StatusOr<std::string> TopicRegistry::CreateTopic(std::string_view name,
                                                       const TopicSettings& settings,
                                                       AttributeMap attributes, TagList tags,
                                                       std::string data_protection_policy) {
  std::string arn = TopicArn(name);
  MutexLock lock(&mu_);
  auto it = topics_.find(arn);
  if (it != topics_.end()) {
    Topic& topic = *it->second;
    MutexLock topic_lock(&topic.mu_);
    for (const auto& [key, value] : attributes) {
      auto existing = topic.attributes_.find(key);
      std::string current = existing == topic.attributes_.end() ? "" : existing->second;
      if (key == "FifoTopic") current = topic.fifo() ? "true" : "false";
      if (current != value) {
        return MakeError(ErrorCode::kSnsInvalidParameter,
                         "Invalid parameter: Attributes Reason: Topic already exists with "
                         "different attributes");
      }
    }
    // Tags given must be among the topic's, with the same values; a subset
    // is the same topic (LocalStack
    // test_create_duplicate_topic_check_idempotency, AWS-validated).
    for (const auto& [key, value] : tags) {
      auto existing = topic.tags_.find(key);
      if (existing == topic.tags_.end() || existing->second != value) {
        return MakeError(ErrorCode::kSnsInvalidParameter,
                         "Invalid parameter: Tags Reason: Topic already exists with different "
                         "tags");
      }
    }
    return arn;
  }
  size_t limit = settings.fifo ? options_.max_fifo_topics : options_.max_standard_topics;
  size_t count = settings.fifo ? num_fifo_topics_ : topics_.size() - num_fifo_topics_;
  if (count >= limit) {
    return MakeError(ErrorCode::kSnsTopicLimitExceeded, "Topic limit exceeded");
  }
  if (tags.size() > options_.max_tags) {
    return MakeError(ErrorCode::kSnsTagLimitExceeded,
                     "Could not complete request: tag quota of per resource exceeded");
  }
  MatcherOptions attribute_options{.dialect = PatternDialect::kSnsMessageAttributes};
  MatcherOptions body_options{.dialect = PatternDialect::kSnsMessageBody};
  WHARF_ASSIGN_OR_RETURN(auto attribute_matcher, Matcher::Create(attribute_options));
  WHARF_ASSIGN_OR_RETURN(auto body_matcher, Matcher::Create(body_options));
  auto topic = std::make_shared<Topic>(arn, settings, std::move(attributes), std::move(tags),
                                       std::move(attribute_matcher), std::move(body_matcher),
                                       options_.metrics ? std::make_shared<TopicStats>() : nullptr);
  {
    MutexLock topic_lock(&topic->mu_);
    topic->data_protection_policy_ = std::move(data_protection_policy);
  }
  topics_.emplace(arn, std::move(topic));
  if (settings.fifo) ++num_fifo_topics_;
  return arn;
}

void TopicRegistry::DeleteTopic(std::string_view topic_arn) {
  MutexLock lock(&mu_);
  auto it = topics_.find(topic_arn);
  if (it == topics_.end()) return;
  std::shared_ptr<Topic> topic = std::move(it->second);
  topics_.erase(it);
  if (topic->fifo()) --num_fifo_topics_;
  MutexLock topic_lock(&topic->mu_);
  for (const auto& [arn, sub] : topic->subscriptions_) {
    auto sub_it = subscription_topics_.find(arn);
    if (sub_it != subscription_topics_.end()) subscription_topics_.erase(sub_it);
  }
  topic->subscriptions_.clear();
  topic->RebuildRoutes();
}

std::vector<std::string> TopicRegistry::ListTopics() const {
  std::vector<std::string> arns;
  ReaderMutexLock lock(&mu_);
  arns.reserve(topics_.size());
  for (const auto& [arn, topic] : topics_) arns.push_back(arn);  // topics_ is sorted.
  return arns;
}

std::vector<std::pair<std::string, std::shared_ptr<TopicStats>>> TopicRegistry::AllTopicStats()
    const {
  std::vector<std::pair<std::string, std::shared_ptr<TopicStats>>> stats;
  ReaderMutexLock lock(&mu_);
  stats.reserve(topics_.size());
  for (const auto& [arn, topic] : topics_) {
    if (topic->stats() != nullptr) stats.emplace_back(arn, topic->shared_stats());
  }
  return stats;
}

absl::StatusOr<AttributeMap> TopicRegistry::GetTopicAttributes(std::string_view topic_arn) const {
  std::shared_ptr<Topic> topic = FindTopic(topic_arn);
  if (topic == nullptr) return TopicNotFoundError();
  ReaderMutexLock lock(&topic->mu_);
  AttributeMap out = topic->attributes_;
  out["TopicArn"] = topic->arn();
  out["Owner"] = options_.account_id;
  if (out.find("Policy") == out.end())
    out["Policy"] = DefaultPolicy(topic->arn(), options_.account_id);
  out.emplace("DisplayName", "");
  auto delivery = out.find("DeliveryPolicy");
  out["EffectiveDeliveryPolicy"] =
      delivery != out.end() ? delivery->second : std::string(kDefaultEffectiveDeliveryPolicy);
  int64_t pending = 0;
  for (const auto& [arn, sub] : topic->subscriptions_) pending += sub->pending_confirmation;
  out["SubscriptionsConfirmed"] =
      std::to_string(static_cast<int64_t>(topic->subscriptions_.size()) - pending);
  out["SubscriptionsPending"] = std::to_string(pending);
  out["SubscriptionsDeleted"] = std::to_string(topic->subscriptions_deleted_);
  if (topic->fifo()) {
    out["FifoTopic"] = "true";
    out["ContentBasedDeduplication"] =
        topic->settings_.content_based_deduplication ? "true" : "false";
  } else {
    // Not even when created with FifoTopic=false (LocalStack
    // test_topic_get_attributes_with_fifo_false, AWS-validated).
    out.erase("FifoTopic");
  }
  return out;
}

absl::StatusOr<TopicSettings> TopicRegistry::GetTopicSettings(std::string_view topic_arn) const {
  std::shared_ptr<Topic> topic = FindTopic(topic_arn);
  if (topic == nullptr) return TopicNotFoundError();
  return topic->settings();
}

absl::Status TopicRegistry::SetTopicAttribute(std::string_view topic_arn, const std::string& name,
                                              const std::string& value,
                                              const TopicSettings& settings) {
  std::shared_ptr<Topic> topic = FindTopic(topic_arn);
  if (topic == nullptr) return TopicNotFoundError();
  MutexLock lock(&topic->mu_);
  if (value.empty()) {
    topic->attributes_.erase(name);
  } else {
    topic->attributes_[name] = value;
  }
  topic->settings_ = settings;
  return absl::OkStatus();
}

absl::Status TopicRegistry::UpdateTopicAttribute(
    std::string_view topic_arn, const std::string& name,
    absl::FunctionRef<absl::StatusOr<std::string>(const std::string& current)> update) {
  std::shared_ptr<Topic> topic = FindTopic(topic_arn);
  if (topic == nullptr) return TopicNotFoundError();
  MutexLock lock(&topic->mu_);
  std::string current;
  if (auto it = topic->attributes_.find(name); it != topic->attributes_.end()) {
    current = it->second;
  } else if (name == "Policy") {
    current = DefaultPolicy(topic->arn(), options_.account_id);
  }
  absl::StatusOr<std::string> updated = update(current);
  if (!updated.ok()) return updated.status();
  if (updated->empty()) {
    topic->attributes_.erase(name);
  } else {
    topic->attributes_[name] = *std::move(updated);
  }
  return absl::OkStatus();
}

absl::Status TopicRegistry::SetDataProtectionPolicy(std::string_view topic_arn,
                                                    std::string policy) {
  std::shared_ptr<Topic> topic = FindTopic(topic_arn);
  if (topic == nullptr) return TopicNotFoundError();
  MutexLock lock(&topic->mu_);
  topic->data_protection_policy_ = std::move(policy);
  return absl::OkStatus();
}

absl::StatusOr<std::string> TopicRegistry::GetDataProtectionPolicy(
    std::string_view topic_arn) const {
  std::shared_ptr<Topic> topic = FindTopic(topic_arn);
  if (topic == nullptr) return TopicNotFoundError();
  ReaderMutexLock lock(&topic->mu_);
  return topic->data_protection_policy_;
}

absl::Status TopicRegistry::TagTopic(std::string_view topic_arn, const TagList& tags) {
  std::shared_ptr<Topic> topic = FindTopic(topic_arn);
  if (topic == nullptr) {
    return base_internal::SnsResourceNotFoundError();
  }
  MutexLock lock(&topic->mu_);
  std::map<std::string, std::string> updated = topic->tags_;
  for (const auto& [key, value] : tags) updated[key] = value;
  if (updated.size() > options_.max_tags) {
    return MakeError(ErrorCode::kSnsTagLimitExceeded,
                     "Could not complete request: tag quota of per resource exceeded");
  }
  topic->tags_ = std::move(updated);
  return absl::OkStatus();
}

absl::Status TopicRegistry::UntagTopic(std::string_view topic_arn,
                                       const std::vector<std::string>& keys) {
  std::shared_ptr<Topic> topic = FindTopic(topic_arn);
  if (topic == nullptr) {
    return base_internal::SnsResourceNotFoundError();
  }
  MutexLock lock(&topic->mu_);
  for (const auto& key : keys) topic->tags_.erase(key);
  return absl::OkStatus();
}

absl::StatusOr<TopicRegistry::StoredTopic> TopicRegistry::GetStoredTopic(
    std::string_view topic_arn) const {
  std::shared_ptr<Topic> topic = FindTopic(topic_arn);
  if (topic == nullptr) return TopicNotFoundError();
  ReaderMutexLock lock(&topic->mu_);
  StoredTopic stored{.attributes = topic->attributes_,
                     .tags = {},
                     .data_protection_policy = topic->data_protection_policy_};
  for (const auto& [key, value] : topic->tags_) stored.tags.push_back({key, value});
  return stored;
}

absl::StatusOr<TagList> TopicRegistry::ListTopicTags(std::string_view topic_arn) const {
  std::shared_ptr<Topic> topic = FindTopic(topic_arn);
  if (topic == nullptr) {
    return base_internal::SnsResourceNotFoundError();
  }
  ReaderMutexLock lock(&topic->mu_);
  TagList tags;
  for (const auto& [key, value] : topic->tags_) tags.push_back({key, value});
  return tags;
}

// ---- Subscriptions ----------------------------------------------------------

absl::Status TopicRegistry::UpdateMatchers(Topic& topic, const SubscriptionInfo* old_sub,
                                           const SubscriptionInfo* new_sub) {
  const std::string& arn = new_sub != nullptr ? new_sub->arn : old_sub->arn;
  if (HasFilter(new_sub)) {
    FilterScope scope = new_sub->settings.filter_policy_scope;
    size_t held = topic.matcher(FilterScope::kMessageAttributes).size() +
                  topic.matcher(FilterScope::kMessageBody).size();
    if (!HasFilter(old_sub) && held >= options_.max_filter_policies_per_topic) {
      return MakeError(ErrorCode::kSnsFilterPolicyLimitExceeded, "Filter policy limit exceeded");
    }
    WHARF_RETURN_IF_ERROR(topic.matcher(scope).Add(arn, new_sub->settings.filter_policy));
    if (HasFilter(old_sub) && old_sub->settings.filter_policy_scope != scope) {
      topic.matcher(old_sub->settings.filter_policy_scope).Remove(arn).IgnoreError();
    }
  } else if (HasFilter(old_sub)) {
    topic.matcher(old_sub->settings.filter_policy_scope).Remove(arn).IgnoreError();
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> TopicRegistry::Subscribe(std::string_view topic_arn, Protocol protocol,
                                                     std::string_view protocol_name,
                                                     std::string_view endpoint,
                                                     SubscriptionSettings settings,
                                                     bool pending_confirmation) {
  MutexLock lock(&mu_);
  auto topic_it = topics_.find(topic_arn);
  if (topic_it == topics_.end()) return TopicNotFoundError();
  Topic& topic = *topic_it->second;
  MutexLock topic_lock(&topic.mu_);
  for (const auto& [arn, sub] : topic.subscriptions_) {
    if (sub->protocol_name != protocol_name || sub->endpoint != endpoint) continue;
    if (!SameAttributes(sub->settings, settings)) {
      return MakeError(ErrorCode::kSnsInvalidParameter,
                       "Invalid parameter: Attributes Reason: Subscription already exists with "
                       "different attributes");
    }
    return arn;
  }
  auto sub = std::make_shared<SubscriptionInfo>();
  sub->arn = absl::StrCat(topic.arn(), ":", base_internal::NewUuid());
  sub->topic_arn = topic.arn();
  sub->protocol = protocol;
  sub->protocol_name = std::string(protocol_name);
  sub->endpoint = std::string(endpoint);
  sub->endpoint_is_fifo_queue = protocol == Protocol::kSqs && endpoint.size() > 5 &&
                                endpoint.substr(endpoint.size() - 5) == ".fifo";
  sub->pending_confirmation = pending_confirmation;
  sub->settings = std::move(settings);
  std::string arn = sub->arn;
  WHARF_RETURN_IF_ERROR(AddSubscriptionLocked(topic, std::move(sub)));
  return arn;
}

absl::Status TopicRegistry::RestoreSubscription(SubscriptionInfo info) {
  MutexLock lock(&mu_);
  auto topic_it = topics_.find(info.topic_arn);
  if (topic_it == topics_.end()) return TopicNotFoundError();
  Topic& topic = *topic_it->second;
  MutexLock topic_lock(&topic.mu_);
  return AddSubscriptionLocked(topic, std::make_shared<SubscriptionInfo>(std::move(info)));
}

absl::Status TopicRegistry::RestoreFifoState(std::string_view topic_arn, uint64_t next_sequence) {
  std::shared_ptr<Topic> topic = FindTopic(topic_arn);
  if (topic == nullptr) return TopicNotFoundError();
  topic->RaiseNextSequence(next_sequence);
  return absl::OkStatus();
}

absl::Status TopicRegistry::RestoreDeduplication(std::string_view topic_arn, const std::string& key,
                                                 absl::Time recorded_at,
                                                 const DedupCache::Entry& entry) {
  std::shared_ptr<Topic> topic = FindTopic(topic_arn);
  if (topic == nullptr) return TopicNotFoundError();
  topic->dedup().Restore(key, recorded_at, options_.clock->Now(), entry);
  return absl::OkStatus();
}

std::vector<std::string> TopicRegistry::DeduplicationKeys(std::string_view topic_arn) const {
  std::shared_ptr<Topic> topic = FindTopic(topic_arn);
  if (topic == nullptr || !topic->fifo()) return {};
  return topic->dedup().Keys();
}

absl::Status TopicRegistry::AddSubscriptionLocked(Topic& topic,
                                                  std::shared_ptr<SubscriptionInfo> sub) {
  topic.mu_.AssertHeld();  // As is mu_ (the header cannot name topic.mu_).
  WHARF_RETURN_IF_ERROR(UpdateMatchers(topic, nullptr, sub.get()));
  std::string arn = sub->arn;
  topic.subscriptions_.emplace(arn, std::move(sub));
  topic.RebuildRoutes();
  subscription_topics_.emplace(std::move(arn), topic.arn());
  return absl::OkStatus();
}

void TopicRegistry::Unsubscribe(std::string_view subscription_arn) {
  MutexLock lock(&mu_);
  auto it = subscription_topics_.find(subscription_arn);
  if (it == subscription_topics_.end()) return;
  auto topic_it = topics_.find(it->second);
  subscription_topics_.erase(it);
  if (topic_it == topics_.end()) return;
  Topic& topic = *topic_it->second;
  MutexLock topic_lock(&topic.mu_);
  auto sub_it = topic.subscriptions_.find(subscription_arn);
  if (sub_it == topic.subscriptions_.end()) return;
  UpdateMatchers(topic, sub_it->second.get(), nullptr).IgnoreError();
  topic.subscriptions_.erase(sub_it);
  ++topic.subscriptions_deleted_;
  topic.RebuildRoutes();
}

absl::StatusOr<std::shared_ptr<const SubscriptionInfo>> TopicRegistry::GetSubscription(
    std::string_view subscription_arn) const {
  std::shared_ptr<Topic> topic;
  {
    ReaderMutexLock lock(&mu_);
    auto it = subscription_topics_.find(subscription_arn);
    if (it == subscription_topics_.end()) return SubscriptionNotFoundError();
    auto topic_it = topics_.find(it->second);
    if (topic_it == topics_.end()) return SubscriptionNotFoundError();
    topic = topic_it->second;
  }
  ReaderMutexLock topic_lock(&topic->mu_);
  auto sub_it = topic->subscriptions_.find(subscription_arn);
  if (sub_it == topic->subscriptions_.end()) return SubscriptionNotFoundError();
  return sub_it->second;
}

absl::Status TopicRegistry::UpdateSubscription(std::string_view subscription_arn,
                                               SubscriptionSettings settings) {
  MutexLock lock(&mu_);
  auto it = subscription_topics_.find(subscription_arn);
  if (it == subscription_topics_.end()) return SubscriptionNotFoundError();
  auto topic_it = topics_.find(it->second);
  if (topic_it == topics_.end()) return SubscriptionNotFoundError();
  Topic& topic = *topic_it->second;
  MutexLock topic_lock(&topic.mu_);
  auto sub_it = topic.subscriptions_.find(subscription_arn);
  if (sub_it == topic.subscriptions_.end()) return SubscriptionNotFoundError();
  auto updated = std::make_shared<SubscriptionInfo>(*sub_it->second);
  updated->settings = std::move(settings);
  WHARF_RETURN_IF_ERROR(UpdateMatchers(topic, sub_it->second.get(), updated.get()));
  sub_it->second = std::move(updated);
  topic.RebuildRoutes();
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::shared_ptr<const SubscriptionInfo>>>
TopicRegistry::ListSubscriptions(std::string_view topic_arn) const {
  std::vector<std::shared_ptr<const SubscriptionInfo>> all;
  {
    ReaderMutexLock lock(&mu_);
    auto collect = [&all](const Topic& topic) {
      ReaderMutexLock topic_lock(&topic.mu_);
      for (const auto& [arn, sub] : topic.subscriptions_) all.push_back(sub);
    };
    if (!topic_arn.empty()) {
      auto it = topics_.find(topic_arn);
      if (it == topics_.end()) return TopicNotFoundError();
      collect(*it->second);
    } else {
      for (const auto& [arn, topic] : topics_) collect(*topic);
    }
  }
  std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a->arn < b->arn; });
  return all;
}

}  // namespace wharf::topic_internal
