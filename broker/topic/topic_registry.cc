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
#include "wharf/errors.h"

namespace wharf::topic_internal {
namespace {

constexpr size_t kNumGroupStripes = 16;
// FIFO sequence numbers are 20 decimal digits, as AWS shows them.
constexpr uint64_t kFirstSequenceNumber = 10000000000000000000ull;

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

bool HasFilter(const SubscriptionInfo* sub) {
  return sub != nullptr && !sub->settings.filter_policy.empty();
}

}  // namespace

// The subscriptions a publish considers, as of one moment.
struct TopicRegistry::Routes {
  std::vector<std::shared_ptr<const SubscriptionInfo>> unfiltered;
  // Subscriptions with a filter policy, by ARN (the matchers' pattern ids).
  absl::flat_hash_map<std::string, std::shared_ptr<const SubscriptionInfo>> filtered;
  bool any_attribute_filters = false;
  bool any_body_filters = false;
};

class TopicRegistry::Topic {
 public:
  Topic(std::string arn, const TopicSettings& settings, AttributeMap attributes, TagList tags,
        std::unique_ptr<Matcher> attribute_matcher, std::unique_ptr<Matcher> body_matcher)
      : settings_(settings),
        attributes_(std::move(attributes)),
        arn_(std::move(arn)),
        fifo_(settings.fifo),
        attribute_matcher_(std::move(attribute_matcher)),
        body_matcher_(std::move(body_matcher)),
        routes_(std::make_shared<Routes>()) {
    for (auto& [key, value] : tags) tags_[key] = std::move(value);
  }

  const std::string& arn() const { return arn_; }
  bool fifo() const { return fifo_; }
  Matcher& matcher(FilterScope scope) const {
    return scope == FilterScope::kMessageAttributes ? *attribute_matcher_ : *body_matcher_;
  }
  DedupCache& dedup() { return dedup_; }
  Mutex& stripe(std::string_view group) {
    return stripes_[std::hash<std::string_view>()(group) % kNumGroupStripes];
  }
  std::string NextSequenceNumber() {
    return std::to_string(kFirstSequenceNumber +
                          next_sequence_.fetch_add(1, std::memory_order_relaxed));
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
        routes->any_attribute_filters = true;
      } else {
        routes->any_body_filters = true;
      }
    }
    routes_ = std::move(routes);
  }

  mutable Mutex mu_;
  TopicSettings settings_ ABSL_GUARDED_BY(mu_);
  AttributeMap attributes_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::string> tags_ ABSL_GUARDED_BY(mu_);
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
};

// A function delivery in progress, shared with its scheduled retries.
struct TopicRegistry::CallbackJob {
  std::shared_ptr<const PublishedMessage> message;
  std::shared_ptr<const SubscriptionInfo> subscription;
  std::string event;
  int retries = 0;  // Retries started so far.
  // When the current attempt was due. Retries are scheduled from it, not
  // from Now(), so that one large ManualClock::Advance runs the whole
  // schedule (each task then sees the end time as Now()).
  absl::Time due;
};

// Payloads built at most once per publish and shared by its deliveries.
struct TopicRegistry::DeliveryContext {
  DeliveryContext(const Topic& topic, const PublishedMessage& message,
                  const std::string& sequence_number, std::string_view region)
      : timestamp(FormatTimestamp(message.timestamp)) {
    fields.message_id = message.message_id;
    fields.topic_arn = topic.arn();
    fields.has_subject = message.has_subject;
    fields.subject = message.subject;
    fields.message = message.sqs_text;
    fields.timestamp = timestamp;
    fields.fifo = topic.fifo();
    fields.sequence_number = sequence_number;
    fields.attributes = &message.attributes;
    fields.region = region;
  }

  const std::shared_ptr<const queue_internal::Payload>& Raw(const PublishedMessage& message) {
    if (raw == nullptr) raw = RawPayload(message.sqs_text, message.attributes);
    return raw;
  }
  const SqsEnvelope& Envelope() {
    if (!envelope.has_value()) envelope.emplace(fields);
    return *envelope;
  }

  std::string timestamp;
  EnvelopeFields fields;
  std::shared_ptr<const queue_internal::Payload> raw;
  std::optional<SqsEnvelope> envelope;
};

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
                                                       AttributeMap attributes, TagList tags) {
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
    if (!tags.empty()) {
      std::map<std::string, std::string> given;
      for (const auto& [key, value] : tags) given[key] = value;
      if (given != topic.tags_) {
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
  topics_.emplace(arn,
                  std::make_shared<Topic>(arn, settings, std::move(attributes), std::move(tags),
                                          std::move(attribute_matcher), std::move(body_matcher)));
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
    if (sub->settings.attributes != settings.attributes) {
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
  WHARF_RETURN_IF_ERROR(UpdateMatchers(topic, nullptr, sub.get()));
  std::string arn = sub->arn;
  topic.subscriptions_.emplace(arn, std::move(sub));
  topic.RebuildRoutes();
  subscription_topics_.emplace(arn, topic.arn());
  return arn;
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

// ---- Publishing -------------------------------------------------------------

std::vector<const std::shared_ptr<const SubscriptionInfo>*> TopicRegistry::SelectTargets(
    const Topic& topic, const Routes& routes, const PublishedMessage& message) const {
  std::vector<const std::shared_ptr<const SubscriptionInfo>*> targets;
  targets.reserve(routes.unfiltered.size() + 8);
  for (const auto& sub : routes.unfiltered) targets.push_back(&sub);
  auto add_matches = [&](const std::vector<std::string>& ids, FilterScope scope) {
    for (const std::string& id : ids) {
      auto it = routes.filtered.find(id);
      // A subscription whose policy changed after this snapshot was taken
      // may be matched under its new scope; it is then skipped, not doubled.
      if (it != routes.filtered.end() && it->second->settings.filter_policy_scope == scope) {
        targets.push_back(&it->second);
      }
    }
  };
  if (routes.any_attribute_filters) {
    std::vector<MessageAttributeRef> refs;
    refs.reserve(message.attributes.size());
    for (const auto& [name, value] : message.attributes) {
      refs.push_back({name, value.data_type, value.string_value});
    }
    add_matches(topic.matcher(FilterScope::kMessageAttributes).MatchAttributes(refs),
                FilterScope::kMessageAttributes);
  }
  if (routes.any_body_filters) {
    // A body that is not JSON matches no body-scope policy.
    absl::StatusOr<std::vector<std::string>> ids =
        topic.matcher(FilterScope::kMessageBody).MatchJson(message.message);
    if (ids.ok()) add_matches(*ids, FilterScope::kMessageBody);
  }
  return targets;
}

void TopicRegistry::Deliver(
    const Topic& topic, const std::shared_ptr<const PublishedMessage>& message,
    const std::string& sequence_number,
    const std::vector<const std::shared_ptr<const SubscriptionInfo>*>& targets,
    std::vector<std::shared_ptr<const SubscriptionInfo>>* callbacks) {
  DeliveryContext context(topic, *message, sequence_number, options_.region);
  for (const std::shared_ptr<const SubscriptionInfo>* target : targets) {
    const SubscriptionInfo* sub = target->get();
    if (sub->protocol == Protocol::kLambda) {
      callbacks->push_back(*target);  // The call outlives the routes snapshot.
      continue;
    }
    queue_internal::SendArgs args;
    bool deliverable = options_.queues != nullptr;
    if (sub->settings.raw_message_delivery) {
      // SQS carries at most 10 message attributes (spec/sns.md §4.2).
      if (message->attributes.size() > 10) deliverable = false;
      args.payload = context.Raw(*message);
    } else {
      args.payload = context.Envelope().ForSubscription(sub->arn);
    }
    if (topic.fifo()) {
      if (sub->endpoint_is_fifo_queue) {
        args.message_group_id = message->message_group_id;
        args.deduplication_id = message->deduplication_id;
      }
    } else if (!sub->endpoint_is_fifo_queue) {
      args.message_group_id = message->message_group_id;  // Fair queues.
    }
    if (!deliverable || !options_.queues->DeliverToQueue(sub->endpoint, std::move(args)).ok()) {
      DeadLetter(*sub, *message, sequence_number, nullptr);
    }
  }
}

absl::StatusOr<PublishOutcome> TopicRegistry::Publish(
    std::string_view topic_arn, std::shared_ptr<const PublishedMessage> message) {
  std::shared_ptr<Topic> topic = FindTopic(topic_arn);
  if (topic == nullptr) return TopicNotFoundError();
  PublishOutcome outcome{.message_id = message->message_id, .sequence_number = ""};
  std::vector<std::shared_ptr<const SubscriptionInfo>> callbacks;
  if (!topic->fifo()) {
    std::shared_ptr<const Routes> routes = topic->routes();
    Deliver(*topic, message, outcome.sequence_number, SelectTargets(*topic, *routes, *message),
            &callbacks);
  } else {
    // Sequence numbering and delivery of one group happen under its stripe
    // lock, so every subscriber queue sees the group in sequence order.
    MutexLock stripe_lock(&topic->stripe(message->message_group_id));
    outcome.sequence_number = topic->NextSequenceNumber();
    TopicSettings settings = topic->settings();
    std::string key = settings.deduplication_per_message_group
                          ? absl::StrCat(message->message_group_id, "\n", message->deduplication_id)
                          : message->deduplication_id;
    std::optional<DedupCache::Entry> original = topic->dedup().CheckAndInsert(
        key, options_.clock->Now(), {outcome.message_id, outcome.sequence_number});
    if (original.has_value()) {
      return PublishOutcome{original->message_id, original->sequence_number};
    }
    std::shared_ptr<const Routes> routes = topic->routes();
    Deliver(*topic, message, outcome.sequence_number, SelectTargets(*topic, *routes, *message),
            &callbacks);
  }
  // Function calls run last and with no lock held: they are user code.
  for (auto& sub : callbacks) StartCallback(message, std::move(sub));
  return outcome;
}

void TopicRegistry::DeadLetter(const SubscriptionInfo& sub, const PublishedMessage& message,
                               const std::string& sequence_number, const absl::Status* failure) {
  const std::string& dlq = sub.settings.dead_letter_target_arn;
  if (dlq.empty() || options_.queues == nullptr) {
    dropped_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  // The dead-lettered copy is always the JSON envelope, as AWS does
  // (spec/sns.md §7), even for raw subscriptions.
  std::string timestamp = FormatTimestamp(message.timestamp);
  EnvelopeFields fields;
  fields.message_id = message.message_id;
  fields.topic_arn = sub.topic_arn;
  fields.has_subject = message.has_subject;
  fields.subject = message.subject;
  fields.message = sub.protocol == Protocol::kLambda ? message.lambda_text : message.sqs_text;
  fields.timestamp = timestamp;
  fields.fifo = !sequence_number.empty();
  fields.sequence_number = sequence_number;
  fields.attributes = &message.attributes;
  fields.region = options_.region;
  MessageAttributeMap extra;
  if (failure != nullptr) {
    std::string error_message(failure->message());
    if (error_message.empty()) error_message = absl::StatusCodeToString(failure->code());
    extra["ErrorCode"] = {.data_type = "String",
                          .string_value = absl::StatusCodeToString(failure->code()),
                          .binary_value = ""};
    extra["ErrorMessage"] = {
        .data_type = "String", .string_value = error_message, .binary_value = ""};
    extra["RequestID"] = {
        .data_type = "String", .string_value = base_internal::NewUuid(), .binary_value = ""};
  }
  queue_internal::SendArgs args;
  args.payload = SqsEnvelope(fields).ForSubscription(sub.arn, &extra);
  if (dlq.size() > 5 && dlq.substr(dlq.size() - 5) == ".fifo") {
    args.message_group_id =
        message.message_group_id.empty() ? "sns-dead-letter" : message.message_group_id;
    args.deduplication_id =
        message.deduplication_id.empty() ? message.message_id : message.deduplication_id;
  }
  if (!options_.queues->DeliverToQueue(dlq, std::move(args)).ok()) {
    dropped_.fetch_add(1, std::memory_order_relaxed);
  }
}

// ---- Functions --------------------------------------------------------------

std::string TopicRegistry::RegisterFunction(std::string_view name, FunctionHandler handler) {
  std::string arn = FunctionArn(name);
  auto shared = std::make_shared<const FunctionHandler>(std::move(handler));
  MutexLock lock(&functions_mu_);
  functions_[arn] = std::move(shared);
  return arn;
}

bool TopicRegistry::UnregisterFunction(std::string_view function_arn) {
  MutexLock lock(&functions_mu_);
  return functions_.erase(absl::string_view(function_arn.data(), function_arn.size())) > 0;
}

void TopicRegistry::StartCallback(std::shared_ptr<const PublishedMessage> message,
                                  std::shared_ptr<const SubscriptionInfo> subscription) {
  auto job = std::make_shared<CallbackJob>();
  std::string timestamp = FormatTimestamp(message->timestamp);
  EnvelopeFields fields;
  fields.message_id = message->message_id;
  fields.topic_arn = subscription->topic_arn;
  fields.has_subject = message->has_subject;
  fields.subject = message->subject;
  fields.message = message->lambda_text;
  fields.timestamp = timestamp;
  fields.attributes = &message->attributes;
  fields.region = options_.region;
  job->event = LambdaEvent(fields, subscription->arn);
  job->message = std::move(message);
  job->subscription = std::move(subscription);
  job->due = options_.clock->Now();
  RunCallback(std::move(job));
}

void TopicRegistry::RunCallback(std::shared_ptr<CallbackJob> job) {
  for (;;) {
    std::shared_ptr<const FunctionHandler> handler;
    {
      MutexLock lock(&functions_mu_);
      auto it = functions_.find(job->subscription->endpoint);
      if (it != functions_.end()) handler = it->second;
    }
    absl::Status status = handler != nullptr
                              ? (*handler)(job->event)
                              : absl::NotFoundError(absl::StrCat("Function not found: ",
                                                                 job->subscription->endpoint));
    if (status.ok()) return;
    const RetryPolicy& policy = job->subscription->settings.retry_policy;
    if (job->retries >= policy.num_retries || options_.scheduler == nullptr) {
      DeadLetter(*job->subscription, *job->message, "", &status);
      return;
    }
    ++job->retries;
    absl::Duration delay = policy.DelayBeforeRetry(job->retries);
    if (delay <= absl::ZeroDuration()) continue;
    job->due += delay;
    absl::Time due = job->due;
    std::weak_ptr<TopicRegistry> weak = weak_from_this();
    options_.scheduler->ScheduleAt(due, [weak, job = std::move(job)]() mutable {
      std::shared_ptr<TopicRegistry> self = weak.lock();
      // Retries stop when the broker goes away or the subscription is removed.
      if (self == nullptr || !self->GetSubscription(job->subscription->arn).ok()) return;
      self->RunCallback(std::move(job));
    });
    return;
  }
}

}  // namespace wharf::topic_internal
