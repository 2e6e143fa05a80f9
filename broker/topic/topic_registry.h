// The SNS core: topics, subscriptions, the fan-out router and delivery
// (spec/sns.md). The service layer (broker/service/sns_service.h) validates
// AWS parameters and parses attribute maps into the typed settings taken
// here; this layer owns the state and moves messages.
//
// Publishing a message to a topic:
//   1. takes the topic's current Routes snapshot (copy-on-write: subscribing
//      builds a new one; publishers never wait on subscribers changing);
//   2. selects the subscriptions to deliver to: every unfiltered one, plus
//      the ids one Matcher per filter-policy scope returns. All of a topic's
//      filter policies are compiled into those matchers, so a filtered-out
//      subscription costs nothing per publish;
//   3. delivers. SQS deliveries share payloads: raw subscribers share one
//      payload holding the message text; enveloped subscribers share one
//      pre-rendered envelope (SqsEnvelope) and differ only in the
//      UnsubscribeURL. Function ("lambda") deliveries run last, on the
//      publishing thread, with no lock held; failures are retried on the
//      Scheduler and then dead-lettered.
//
// FIFO topics take a per-message-group stripe lock around deduplication,
// sequence numbering and delivery, so every FIFO subscriber queue receives a
// group's messages in sequence-number order even with concurrent publishers.
// Only SQS deliveries happen under it (FIFO topics have no function
// subscribers), and the queue engines never call back into the topic layer.
//
// Invariants: a subscription is in exactly one topic's `subscriptions_` and
// in `subscription_topics_`; a subscription's filter policy is in its
// scope's matcher under the subscription ARN; a Routes snapshot lists each
// confirmed sqs or lambda subscription either in `unfiltered` (no policy) or
// in `filtered` (policy), and no other subscription (kExternal ones and
// pending ones receive nothing).
//
// Files: topic_registry.cc (topics, subscriptions), topic_delivery.cc
// (publishing, function calls, dead letters), topic_state.h (the per-topic
// state both use).
//
// Lock order: TopicRegistry::mu_ before Topic::mu_; a FIFO stripe lock
// before Topic::mu_ (taken briefly for snapshots), the deduplication cache's
// lock (under which a FifoJournal records) and the queue engines' locks.
//
// Thread safety: thread-safe.

#ifndef WHARF_BROKER_TOPIC_TOPIC_REGISTRY_H_
#define WHARF_BROKER_TOPIC_TOPIC_REGISTRY_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "broker/base/function_invoker.h"
#include "broker/base/mutex.h"
#include "broker/base/scheduler.h"
#include "broker/queue/queue_core.h"
#include "broker/queue/queue_deliverer.h"
#include "broker/topic/dedup_cache.h"
#include "broker/topic/delivery_policy.h"
#include "broker/topic/topic_stats.h"
#include "wharf/clock.h"
#include "wharf/message.h"
#include "wharf/pattern.h"

namespace wharf::topic_internal {

// Puts messages into the SQS queues of the same broker (the delivery seam,
// broker/queue/queue_deliverer.h); the topic layer knows queues only by ARN.
using QueueDeliverer = queue_internal::QueueDeliverer;

// Topic and subscription attributes by name, as the user gave them.
using AttributeMap = std::map<std::string, std::string>;
// A topic's tags as (key, value) pairs; a later pair overrides an earlier one
// with the same key.
using TagList = std::vector<std::pair<std::string, std::string>>;
// A "lambda" subscription's function: called with the JSON event, returns OK
// when the invocation succeeded (the same type as sns::FunctionHandler).
using FunctionHandler = std::function<absl::Status(std::string_view event)>;

// kExternal: http, https, email, email-json, sms, application and firehose.
// Their subscriptions are kept, listed and counted as on AWS, but wharf sends
// no HTTP request, email or SMS: a publish delivers nothing to them.
enum class Protocol { kSqs, kLambda, kExternal };
enum class FilterScope { kMessageAttributes, kMessageBody };

// Durable mode: records what FIFO publishes change (the service layer keeps
// it in the store). Called under the topic's deduplication lock, so the calls
// of one topic arrive in the order of its changes; an implementation only
// records (no I/O, no waiting) and never calls the registry.
class FifoJournal {
 public:
  virtual ~FifoJournal() = default;
  // `key` entered `topic_arn`'s deduplication window at `now` with `entry`;
  // the `expired` keys left it. The topic's sequence counter (the serial
  // after kFirstSequenceNumber) is now at least `next_sequence`.
  virtual void Recorded(std::string_view topic_arn, const std::string& key, absl::Time now,
                        const DedupCache::Entry& entry, uint64_t next_sequence,
                        const std::vector<std::string>& expired) = 0;
};

// Typed subscription settings, parsed from attributes by the service layer.
struct SubscriptionSettings {
  bool raw_message_delivery = false;
  std::string filter_policy;  // Empty: no filter.
  FilterScope filter_policy_scope = FilterScope::kMessageAttributes;
  std::string dead_letter_target_arn;  // From RedrivePolicy; empty: none.
  RetryPolicy retry_policy;            // Function subscriptions.
  // The settable attributes as the user gave them, reported back by
  // GetSubscriptionAttributes and compared by idempotent Subscribe.
  AttributeMap attributes;
};

// One subscription; immutable, replaced as a whole when its settings change.
struct SubscriptionInfo {
  std::string arn;
  std::string topic_arn;
  Protocol protocol = Protocol::kSqs;
  std::string protocol_name;
  std::string endpoint;
  bool endpoint_is_fifo_queue = false;
  // Waits for a ConfirmSubscription that never comes (http, https, email and
  // email-json endpoints get no confirmation message in process).
  bool pending_confirmation = false;
  SubscriptionSettings settings;
};

// One published message, shared by every delivery, retry and dead-letter
// copy of it. Built by the service layer after validation.
struct PublishedMessage {
  std::string message_id;
  absl::Time timestamp;
  bool has_subject = false;
  std::string subject;
  std::string message;      // The Message parameter as published.
  std::string sqs_text;     // What SQS subscribers get (MessageStructure applied).
  std::string lambda_text;  // What function subscribers get.
  MessageAttributeMap attributes;
  std::string message_group_id;
  std::string deduplication_id;  // FIFO: explicit, or SHA-256 of `message`.
  size_t size = 0;               // Message plus attributes in bytes (PublishSize).
  // The topic's SignatureVersion when published; SQS envelopes show it,
  // function events always say "1" (as AWS does).
  bool signature_version_2 = false;
  // The publisher's X-Ray trace header; empty: none. Every SQS delivery
  // carries it as its AWSTraceHeader system attribute.
  std::string aws_trace_header;
};

struct PublishOutcome {
  std::string message_id;
  std::string sequence_number;  // FIFO only.
};

// Typed topic settings that change how publishing behaves.
struct TopicSettings {
  bool fifo = false;
  bool content_based_deduplication = false;
  bool deduplication_per_message_group = false;  // FifoThroughputScope=MessageGroup.
  bool signature_version_2 = false;              // SignatureVersion=2.
};

class TopicRegistry : public std::enable_shared_from_this<TopicRegistry> {
 public:
  struct Options {
    std::string region = "us-east-1";
    std::string account_id = "000000000000";
    Clock* clock = nullptr;            // Required.
    Scheduler* scheduler = nullptr;    // Null: failed function calls are not retried.
    QueueDeliverer* queues = nullptr;  // Null: SQS deliveries fail.
    // Lambda functions of the broker, for "lambda" subscriptions to a function
    // RegisterFunction does not know: invoked asynchronously, as SNS invokes
    // Lambda (the function's own retries and destinations apply; a missing
    // function is a failed delivery). Null: such deliveries fail.
    base_internal::FunctionInvoker* functions = nullptr;
    size_t max_standard_topics = 100000;
    size_t max_fifo_topics = 1000;
    size_t max_filter_policies_per_topic = 200;
    size_t max_tags = 50;
    // Whether topics count their traffic (topic_stats.h).
    bool metrics = false;
    // Durable mode: where FIFO topics record deduplication and sequence
    // numbers. Null: in memory. Must outlive the registry.
    FifoJournal* fifo_journal = nullptr;
  };

  // The registry is shared so that pending retries can hold it weakly.
  // `options.clock`, `scheduler` and `queues` must outlive it.
  static std::shared_ptr<TopicRegistry> Create(Options options);
  ~TopicRegistry();

  const Options& options() const { return options_; }
  std::string TopicArn(std::string_view name) const;
  std::string FunctionArn(std::string_view name) const;

  // ---- Topics. `attributes` hold the validated settable attributes the
  // user gave; `settings` their typed form.

  // Idempotent: an existing topic with the same attributes and tags returns
  // its ARN (and keeps its data protection policy). Errors: InvalidParameter
  // (exists with different attributes or tags), TopicLimitExceeded.
  absl::StatusOr<std::string> CreateTopic(std::string_view name, const TopicSettings& settings,
                                          AttributeMap attributes, TagList tags,
                                          std::string data_protection_policy = "");
  // Removes the topic and its subscriptions; unknown ARNs are ignored.
  void DeleteTopic(std::string_view topic_arn);
  // Every topic's ARN, sorted.
  std::vector<std::string> ListTopics() const;
  // Every topic's ARN and counters (none when Options::metrics is off).
  std::vector<std::pair<std::string, std::shared_ptr<TopicStats>>> AllTopicStats() const;
  // Every attribute GetTopicAttributes reports. Errors: NotFound.
  absl::StatusOr<AttributeMap> GetTopicAttributes(std::string_view topic_arn) const;
  absl::StatusOr<TopicSettings> GetTopicSettings(std::string_view topic_arn) const;
  // Sets one attribute (empty value removes it); `settings` is the topic's
  // typed settings after the change. Errors: NotFound.
  absl::Status SetTopicAttribute(std::string_view topic_arn, const std::string& name,
                                 const std::string& value, const TopicSettings& settings);
  // Replaces attribute `name` (of no typed setting, e.g. Policy) with
  // `update(current)` atomically, where `current` is the value
  // GetTopicAttributes reports (the default policy for an unset Policy). An
  // empty result removes the attribute; an error leaves it unchanged and is
  // returned. `update` runs under the topic's lock. Errors: NotFound.
  absl::Status UpdateTopicAttribute(
      std::string_view topic_arn, const std::string& name,
      absl::FunctionRef<absl::StatusOr<std::string>(const std::string& current)> update);

  // The topic's data protection policy document, stored as given (empty:
  // none). Errors: NotFound.
  absl::Status SetDataProtectionPolicy(std::string_view topic_arn, std::string policy);
  absl::StatusOr<std::string> GetDataProtectionPolicy(std::string_view topic_arn) const;

  // Errors: ResourceNotFound, TagLimitExceeded.
  absl::Status TagTopic(std::string_view topic_arn, const TagList& tags);
  absl::Status UntagTopic(std::string_view topic_arn, const std::vector<std::string>& keys);
  absl::StatusOr<TagList> ListTopicTags(std::string_view topic_arn) const;

  // What a durable broker stores of a topic: the settable attributes as set
  // (CreateTopic, SetTopicAttributes, permissions), the tags and the data
  // protection policy. Errors: NotFound.
  struct StoredTopic {
    AttributeMap attributes;
    TagList tags;
    std::string data_protection_policy;
  };
  absl::StatusOr<StoredTopic> GetStoredTopic(std::string_view topic_arn) const;

  // ---- Subscriptions.

  // Idempotent for the same (protocol, endpoint) when every attribute given
  // equals the existing one's value (defaults applied; attributes not given
  // are not compared): returns the existing subscription's ARN, pending or
  // not. A new subscription starts pending confirmation if
  // `pending_confirmation`.
  // Errors: NotFound (topic), InvalidParameter (exists with different
  // attributes; invalid filter policy), FilterPolicyLimitExceeded.
  absl::StatusOr<std::string> Subscribe(std::string_view topic_arn, Protocol protocol,
                                        std::string_view protocol_name, std::string_view endpoint,
                                        SubscriptionSettings settings, bool pending_confirmation);
  // Recovery of a durable broker: adds the subscription `info` (its ARN
  // kept) to its topic. Errors: NotFound (topic), those of Subscribe.
  absl::Status RestoreSubscription(SubscriptionInfo info);
  // Recovery of a durable broker: raises a FIFO topic's sequence counter to
  // `next_sequence` and restores one deduplication entry recorded at
  // `recorded_at` (in recording order; ignored once its window ended).
  // Errors: NotFound (topic).
  absl::Status RestoreFifoState(std::string_view topic_arn, uint64_t next_sequence);
  absl::Status RestoreDeduplication(std::string_view topic_arn, const std::string& key,
                                    absl::Time recorded_at, const DedupCache::Entry& entry);
  // The keys in a FIFO topic's deduplication window; empty for an unknown or
  // standard topic.
  std::vector<std::string> DeduplicationKeys(std::string_view topic_arn) const;
  // Unknown ARNs are ignored.
  void Unsubscribe(std::string_view subscription_arn);
  // Errors: NotFound.
  absl::StatusOr<std::shared_ptr<const SubscriptionInfo>> GetSubscription(
      std::string_view subscription_arn) const;
  // Replaces a subscription's settings. Errors: NotFound,
  // FilterPolicyLimitExceeded, InvalidParameter (invalid filter policy).
  absl::Status UpdateSubscription(std::string_view subscription_arn, SubscriptionSettings settings);
  // All subscriptions (topic_arn empty) or one topic's, ordered by ARN.
  // Errors: NotFound (topic).
  absl::StatusOr<std::vector<std::shared_ptr<const SubscriptionInfo>>> ListSubscriptions(
      std::string_view topic_arn) const;

  // ---- Publishing.

  // Delivers `message` to every matching subscription of the topic; see the
  // file comment. FIFO topics deduplicate first (a duplicate returns the
  // original message id and sequence number and delivers nothing). Errors:
  // NotFound (topic). Delivery failures are not errors: they go to the
  // subscription's dead-letter queue, or are dropped and counted.
  absl::StatusOr<PublishOutcome> Publish(std::string_view topic_arn,
                                         std::shared_ptr<const PublishedMessage> message);

  // ---- Functions (the "lambda" protocol).

  std::string RegisterFunction(std::string_view name, FunctionHandler handler);
  bool UnregisterFunction(std::string_view function_arn);

  // Deliveries that failed and could not be dead-lettered.
  int64_t NumDroppedDeliveries() const { return dropped_.load(std::memory_order_relaxed); }

 private:
  class Topic;
  struct Routes;
  struct CallbackJob;
  struct DeliveryContext;

  explicit TopicRegistry(Options options);

  std::shared_ptr<Topic> FindTopic(std::string_view topic_arn) const ABSL_LOCKS_EXCLUDED(mu_);
  // Adds `sub` to `topic`: matchers, routes, the ARN index. REQUIRES: mu_
  // and topic.mu_ held.
  absl::Status AddSubscriptionLocked(Topic& topic, std::shared_ptr<SubscriptionInfo> sub)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Registers or removes `sub`'s policy in its topic's matchers. Errors:
  // InvalidParameter (the matcher's reason), FilterPolicyLimitExceeded.
  absl::Status UpdateMatchers(Topic& topic, const SubscriptionInfo* old_sub,
                              const SubscriptionInfo* new_sub);
  // Pointers into `routes`, which the caller keeps alive.
  // Counts the filtered-out subscriptions in the topic's stats.
  std::vector<const std::shared_ptr<const SubscriptionInfo>*> SelectTargets(
      const Topic& topic, const Routes& routes, const PublishedMessage& message) const;
  void Deliver(const Topic& topic, const std::shared_ptr<const PublishedMessage>& message,
               const std::string& sequence_number,
               const std::vector<const std::shared_ptr<const SubscriptionInfo>*>& targets,
               std::vector<std::shared_ptr<const SubscriptionInfo>>* callbacks);
  void StartCallback(std::shared_ptr<const PublishedMessage> message,
                     std::shared_ptr<const SubscriptionInfo> subscription,
                     std::shared_ptr<TopicStats> stats);
  void RunCallback(std::shared_ptr<CallbackJob> job);
  // Counts a delivery SNS gives up on, then sends the message to `sub`'s
  // dead-letter queue (raw for a raw subscription, else its envelope), or counts
  // it dropped. `failure` (function errors) adds ErrorCode/ErrorMessage/
  // RequestID message attributes. `stats` (nullable) are the topic's.
  void DeadLetter(const SubscriptionInfo& sub, const PublishedMessage& message,
                  const std::string& sequence_number, const absl::Status* failure,
                  TopicStats* stats);

  const Options options_;
  std::atomic<int64_t> dropped_{0};

  mutable Mutex mu_;
  std::map<std::string, std::shared_ptr<Topic>, std::less<>> topics_ ABSL_GUARDED_BY(mu_);
  size_t num_fifo_topics_ ABSL_GUARDED_BY(mu_) = 0;
  // Subscription ARN -> topic ARN.
  std::map<std::string, std::string, std::less<>> subscription_topics_ ABSL_GUARDED_BY(mu_);

  mutable Mutex functions_mu_;
  absl::flat_hash_map<std::string, std::shared_ptr<const FunctionHandler>> functions_
      ABSL_GUARDED_BY(functions_mu_);
};

}  // namespace wharf::topic_internal

#endif  // WHARF_BROKER_TOPIC_TOPIC_REGISTRY_H_
