// SnsService: the sns::Service implementation. A thin layer over the topic
// core (broker/topic/topic_registry.h): it checks AWS parameters, limits and
// ARNs, parses attribute maps into typed settings and renders them back, and
// turns a Publish request into a validated, shared PublishedMessage. It keeps
// no state of its own. Its parameter checks are in sns_checks.h, the message
// attribute rules it shares with SQS in message_validation.h.
//
// Durable mode (Options::store; sns_durable.cc): each topic (settable
// attributes, tags, data protection policy) and each subscription (topic, protocol, endpoint,
// confirmation, attributes with the filter policy) is a document of the
// store, rewritten after every change that succeeded and committed before
// the call returns; Publish and PublishBatch return once the messages they
// placed in durable SQS queues are committed. A FIFO topic's deduplication
// entries (one document each, erased when they leave the window) and its
// sequence counter are recorded under the topic's deduplication lock and
// committed with the Publish that made them, so a duplicate published after a
// restart gets the original's MessageId and SequenceNumber and sequence
// numbers keep increasing. Not kept: in-process function handlers
// (RegisterFunction again after a restart; their subscriptions are kept).
//
// Thread safety: thread-safe.

#ifndef WHARF_BROKER_SERVICE_SNS_SERVICE_H_
#define WHARF_BROKER_SERVICE_SNS_SERVICE_H_

#include <memory>
#include <string>

#include "broker/base/function_invoker.h"
#include "broker/base/mutex.h"
#include "broker/base/scheduler.h"
#include "broker/metrics/collector.h"
#include "broker/storage/store.h"
#include "broker/topic/topic_registry.h"
#include "wharf/clock.h"
#include "wharf/sns.h"

namespace wharf::service_internal {

class SnsService final : public sns::Service, public metrics_internal::MetricSource {
 public:
  struct Options {
    std::string region = "us-east-1";
    std::string account_id = "000000000000";
    Clock* clock = nullptr;                            // Required.
    Scheduler* scheduler = nullptr;                    // Null: no retries of failed calls.
    queue_internal::QueueDeliverer* queues = nullptr;  // Null: SQS deliveries fail.
    // Lambda functions for "lambda" subscriptions whose function was not
    // registered with RegisterFunction. Null: such deliveries fail.
    base_internal::FunctionInvoker* functions = nullptr;
    storage_internal::Store* store = nullptr;  // Null: in memory.
    bool metrics = false;                      // Topics count their traffic.
  };

  // `clock`, `scheduler`, `queues` and `store` must outlive the service.
  explicit SnsService(const Options& options);
  ~SnsService() override;

  // Durable mode: rebuilds the topics and subscriptions from the store.
  // REQUIRES: called once, before any other call. Errors: DataLoss (a damaged
  // record, naming it) and the store's errors.
  absl::Status Recover();

  absl::StatusOr<sns::CreateTopicResult> CreateTopic(
      const sns::CreateTopicRequest& request) override;
  absl::Status DeleteTopic(const sns::DeleteTopicRequest& request) override;
  absl::StatusOr<sns::ListTopicsResult> ListTopics(const sns::ListTopicsRequest& request) override;
  absl::StatusOr<sns::GetTopicAttributesResult> GetTopicAttributes(
      const sns::GetTopicAttributesRequest& request) override;
  absl::Status SetTopicAttributes(const sns::SetTopicAttributesRequest& request) override;
  absl::Status AddPermission(const sns::AddPermissionRequest& request) override;
  absl::Status RemovePermission(const sns::RemovePermissionRequest& request) override;
  absl::Status PutDataProtectionPolicy(const sns::PutDataProtectionPolicyRequest& request) override;
  absl::StatusOr<sns::GetDataProtectionPolicyResult> GetDataProtectionPolicy(
      const sns::GetDataProtectionPolicyRequest& request) override;

  absl::StatusOr<sns::SubscribeResult> Subscribe(const sns::SubscribeRequest& request) override;
  absl::Status Unsubscribe(const sns::UnsubscribeRequest& request) override;
  absl::StatusOr<sns::ListSubscriptionsResult> ListSubscriptions(
      const sns::ListSubscriptionsRequest& request) override;
  absl::StatusOr<sns::ListSubscriptionsByTopicResult> ListSubscriptionsByTopic(
      const sns::ListSubscriptionsByTopicRequest& request) override;
  absl::StatusOr<sns::GetSubscriptionAttributesResult> GetSubscriptionAttributes(
      const sns::GetSubscriptionAttributesRequest& request) override;
  absl::Status SetSubscriptionAttributes(
      const sns::SetSubscriptionAttributesRequest& request) override;

  absl::StatusOr<sns::PublishResult> Publish(const sns::PublishRequest& request) override;
  absl::StatusOr<sns::PublishBatchResult> PublishBatch(
      const sns::PublishBatchRequest& request) override;

  absl::Status TagResource(const sns::TagResourceRequest& request) override;
  absl::Status UntagResource(const sns::UntagResourceRequest& request) override;
  absl::StatusOr<sns::ListTagsForResourceResult> ListTagsForResource(
      const sns::ListTagsForResourceRequest& request) override;

  absl::StatusOr<sns::RegisterFunctionResult> RegisterFunction(
      sns::RegisterFunctionRequest request) override;
  absl::Status UnregisterFunction(const std::string& function_arn) override;

  // Every topic's AWS/SNS metrics (sns_metrics.cc).
  void CollectMetrics(metrics_internal::Collector& out) override;

  // Deliveries that failed and had no dead-letter queue to go to.
  int64_t TEST_NumDroppedDeliveries() const { return registry_->NumDroppedDeliveries(); }

 private:
  // The fields of one Publish or PublishBatch entry.
  struct PublishInput;

  absl::Status CheckTopicArn(std::string_view param, std::string_view arn) const;
  // The page of `subscriptions` (sorted by ARN) that starts at the ARN
  // `start` ("" for the first), with the NextToken of the next.
  sns::ListSubscriptionsResult SubscriptionPage(
      std::vector<std::shared_ptr<const topic_internal::SubscriptionInfo>> subscriptions,
      const std::string& start) const;
  // Validates `input` against the topic and builds the shared message.
  absl::StatusOr<std::shared_ptr<const topic_internal::PublishedMessage>> MakeMessage(
      const topic_internal::TopicSettings& topic, const PublishInput& input) const;

  // CreateTopic without storing it.
  absl::StatusOr<std::string> CreateTopicInMemory(const sns::CreateTopicRequest& request);

  // Durable mode (no-ops in memory). Write the topic's or subscription's
  // document as it is now (or erase it if it is gone) and wait for the
  // commit.
  absl::Status PersistTopic(const std::string& topic_arn) ABSL_LOCKS_EXCLUDED(persist_mu_);
  absl::Status PersistSubscription(const std::string& subscription_arn)
      ABSL_LOCKS_EXCLUDED(persist_mu_);
  // Erases a deleted topic's documents: its own, those of `subscriptions`
  // and of its deduplication entries `dedup_keys`.
  absl::Status EraseTopic(const std::string& topic_arn,
                          const std::vector<std::string>& subscriptions,
                          const std::vector<std::string>& dedup_keys)
      ABSL_LOCKS_EXCLUDED(persist_mu_);
  // Restores FIFO topics' sequence counters and deduplication windows
  // (Recover, after the topics).
  absl::Status RecoverFifoState();
  // The store's position before a publish, and the wait for what it placed.
  uint64_t Mark() const { return options_.store != nullptr ? options_.store->Position() : 0; }
  absl::Status Commit(uint64_t since) const {
    return options_.store != nullptr ? options_.store->Commit(since) : absl::OkStatus();
  }

  // Durable mode: records FIFO deduplication and sequences in the store
  // (sns_durable.cc); null in memory.
  class StoreFifoJournal;
  static std::unique_ptr<topic_internal::FifoJournal> MakeFifoJournal(
      storage_internal::Store* store);

  const Options options_;
  const std::unique_ptr<topic_internal::FifoJournal> fifo_journal_;  // Outlives registry_.
  const std::shared_ptr<topic_internal::TopicRegistry> registry_;
  // Orders reading an entity and enqueueing its document, so that the last
  // document enqueued for an entity is its latest state.
  Mutex persist_mu_;
};

}  // namespace wharf::service_internal

#endif  // WHARF_BROKER_SERVICE_SNS_SERVICE_H_
