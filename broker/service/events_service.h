// EventsService: the events::Service implementation. A thin layer over the
// bus core (broker/bus/bus_registry.h): it checks AWS parameters, limits and
// ARNs (with the AWS messages of spec/eventbridge.md), resolves EventBusName
// (name or ARN), builds event envelopes, and paginates. It reaches SQS queues
// and SNS topics through the public sqs::Service / sns::Service of the same
// broker.
//
// Thread safety: thread-safe.

#ifndef WHARF_BROKER_SERVICE_EVENTS_SERVICE_H_
#define WHARF_BROKER_SERVICE_EVENTS_SERVICE_H_

#include <memory>
#include <string>

#include "broker/base/scheduler.h"
#include "broker/bus/bus_registry.h"
#include "wharf/clock.h"
#include "wharf/events.h"
#include "wharf/sns.h"
#include "wharf/sqs.h"

namespace wharf::service_internal {

class EventsService final : public events::Service {
 public:
  struct Options {
    std::string region = "us-east-1";
    std::string account_id = "000000000000";
    Clock* clock = nullptr;  // Required.
    // Runs retries, scheduled rules and replays; must outlive the service.
    // Null: the service runs its own.
    Scheduler* scheduler = nullptr;
    sqs::Service* sqs = nullptr;  // Null: SQS targets fail (not found).
    sns::Service* sns = nullptr;  // Null: SNS targets fail (not found).
    events::ServiceOptions limits;
  };

  // `clock`, `sqs` and `sns` must outlive the service.
  explicit EventsService(const Options& options);
  ~EventsService() override;

  absl::StatusOr<events::CreateEventBusResult> CreateEventBus(
      const events::CreateEventBusRequest& request) override;
  absl::Status DeleteEventBus(const events::DeleteEventBusRequest& request) override;
  absl::StatusOr<events::DescribeEventBusResult> DescribeEventBus(
      const events::DescribeEventBusRequest& request) override;
  absl::StatusOr<events::ListEventBusesResult> ListEventBuses(
      const events::ListEventBusesRequest& request) override;

  absl::StatusOr<events::PutEventsResult> PutEvents(
      const events::PutEventsRequest& request) override;
  absl::StatusOr<events::TestEventPatternResult> TestEventPattern(
      const events::TestEventPatternRequest& request) override;

  absl::StatusOr<events::PutRuleResult> PutRule(const events::PutRuleRequest& request) override;
  absl::Status DeleteRule(const events::DeleteRuleRequest& request) override;
  absl::StatusOr<events::DescribeRuleResult> DescribeRule(
      const events::DescribeRuleRequest& request) override;
  absl::StatusOr<events::ListRulesResult> ListRules(
      const events::ListRulesRequest& request) override;
  absl::Status EnableRule(const events::EnableRuleRequest& request) override;
  absl::Status DisableRule(const events::DisableRuleRequest& request) override;

  absl::StatusOr<events::PutTargetsResult> PutTargets(
      const events::PutTargetsRequest& request) override;
  absl::StatusOr<events::RemoveTargetsResult> RemoveTargets(
      const events::RemoveTargetsRequest& request) override;
  absl::StatusOr<events::ListTargetsByRuleResult> ListTargetsByRule(
      const events::ListTargetsByRuleRequest& request) override;
  absl::StatusOr<events::ListRuleNamesByTargetResult> ListRuleNamesByTarget(
      const events::ListRuleNamesByTargetRequest& request) override;

  absl::StatusOr<events::CreateArchiveResult> CreateArchive(
      const events::CreateArchiveRequest& request) override;
  absl::StatusOr<events::UpdateArchiveResult> UpdateArchive(
      const events::UpdateArchiveRequest& request) override;
  absl::StatusOr<events::DescribeArchiveResult> DescribeArchive(
      const events::DescribeArchiveRequest& request) override;
  absl::StatusOr<events::ListArchivesResult> ListArchives(
      const events::ListArchivesRequest& request) override;
  absl::Status DeleteArchive(const events::DeleteArchiveRequest& request) override;
  absl::StatusOr<events::StartReplayResult> StartReplay(
      const events::StartReplayRequest& request) override;
  absl::StatusOr<events::DescribeReplayResult> DescribeReplay(
      const events::DescribeReplayRequest& request) override;
  absl::StatusOr<events::ListReplaysResult> ListReplays(
      const events::ListReplaysRequest& request) override;
  absl::StatusOr<events::CancelReplayResult> CancelReplay(
      const events::CancelReplayRequest& request) override;

  absl::Status TagResource(const events::TagResourceRequest& request) override;
  absl::Status UntagResource(const events::UntagResourceRequest& request) override;
  absl::StatusOr<events::ListTagsForResourceResult> ListTagsForResource(
      const events::ListTagsForResourceRequest& request) override;

  absl::StatusOr<std::string> RegisterCallback(const std::string& name,
                                               events::Callback callback) override;
  void UnregisterCallback(const std::string& name) override;

  // Delivery counters of the core (tests, benchmarks).
  bus_internal::BusStats TEST_stats() const { return registry_->stats(); }

 private:
  class QueueAndTopicEndpoints;

  // EventBusName (name or ARN; empty: default) -> bus name.
  absl::StatusOr<std::string> ResolveBus(const std::string& param, const char* field) const;

  // A taggable resource: a bus, or the rule `rule` on it.
  struct TaggedResource {
    std::string bus;
    std::string rule;  // Empty: the bus itself.
  };
  // ResourceARN -> the bus or rule it names. ValidationException when it is
  // not an event bus or rule ARN; ResourceNotFoundException when it is one
  // of another region or account (or not in the form this broker makes).
  absl::StatusOr<TaggedResource> ResolveTaggedResource(const std::string& arn) const;

  const Options options_;
  std::unique_ptr<QueueAndTopicEndpoints> endpoints_;
  std::unique_ptr<bus_internal::BusRegistry> registry_;  // After endpoints_: destroyed first.
};

}  // namespace wharf::service_internal

#endif  // WHARF_BROKER_SERVICE_EVENTS_SERVICE_H_
