// EventsService: the events::Service implementation, over the bus core
// (broker/bus/bus_core.h). It checks AWS parameters, limits and ARNs (with
// the AWS messages of spec/eventbridge.md), resolves EventBusName (name or
// ARN) and target ARNs, makes every ARN, builds event envelopes, converts
// between the AWS shapes and the core's, and paginates. It reaches SQS queues
// through the delivery seam and SNS topics through the public sns::Service of
// the same broker.
//
// Files: events_service.cc (names, events, rules, tags, callbacks),
// events_buses.cc (buses, their settings and permissions), events_targets.cc
// (targets), events_archives.cc (archives and replays),
// events_checks.h (parameter checks shared by them), events_endpoints.h (how
// the core reaches queues and topics), events_metrics.cc (AWS/Events metrics),
// events_durable.cc (durable mode).
//
// Durable mode (Options::store). Decisions:
// - Configuration: each bus (description, key identifier, dead-letter ARN,
//   resource policy, times, tags), rule (every field, tags, creation time,
//   schedule phase, and its targets inside: at most 5) and archive
//   (settings) is a document of the store, rewritten after a
//   change succeeded in memory and committed before the call returns. The
//   administrative calls are serialized (admin_mu_) so a document is the
//   state its call left; when the commit fails, the change is undone in
//   memory (the previous RuleEntry, bus object or archive is put back) and
//   the store's error returned: nothing is left half made.
// - Archived events: one document per event, keyed <archive>/<seq> (seq
//   counts up per archive and is never reused), written under the archive's
//   lock as the event is archived, so it is in the commit PutEvents waits
//   for. Documents, not a new table: an event is written once and erased
//   once, the store's group commit batches them, and a whole archive is
//   never rewritten. Retention and DeleteArchive erase them; recovery
//   erases those whose archive is gone (offered while it was deleted).
// - Schedules: a rate() rule fires at armed_at + k * period, armed_at being
//   the time of its last PutRule, EnableRule or DisableRule (stored); cron()
//   follows the clock anyway. After a restart the next firing is the first
//   on that phase after the restart: firings missed while the process was
//   down are not made up (AWS does not backfill them).
// - Replays: their state and progress are documents, the progress written
//   behind each step. A replay running at a crash resumes after its last
//   replayed event (every event of that time was sent; a crash between a
//   step and its progress sends that step again: at least once); one
//   CANCELLING ends CANCELLED; one whose archive or bus is gone ends FAILED.
//   CancelReplay is not undone when its commit fails.
// - Retries: each delivery waiting for one is a document (keyed by a
//   dispatcher-wide id, kept across its retries), so a PutEvents whose first
//   attempt failed commits it; later retries rewrite it behind and its end
//   erases it. Recovery reschedules them at their time; a restored retry to
//   a callback not registered again yet is retryable (the process restarted;
//   the target did not go away).
// - Not kept: callback registrations (code: RegisterCallback again; targets
//   naming them are kept).
//
// Thread safety: thread-safe.

#ifndef WHARF_BROKER_SERVICE_EVENTS_SERVICE_H_
#define WHARF_BROKER_SERVICE_EVENTS_SERVICE_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/functional/function_ref.h"
#include "broker/base/function_invoker.h"
#include "broker/base/mutex.h"
#include "broker/base/scheduler.h"
#include "broker/bus/bus_core.h"
#include "broker/metrics/collector.h"
#include "broker/queue/queue_deliverer.h"
#include "broker/service/events_endpoints.h"
#include "broker/storage/store.h"
#include "wharf/clock.h"
#include "wharf/events.h"
#include "wharf/sns.h"

namespace wharf::service_internal {

class EventsService final : public events::Service, public metrics_internal::MetricSource {
 public:
  struct Options {
    std::string region = "us-east-1";
    std::string account_id = "000000000000";
    Clock* clock = nullptr;  // Required.
    // Runs retries, scheduled rules and replays; must outlive the service.
    // Null: the service runs its own.
    Scheduler* scheduler = nullptr;
    // SQS queue targets. Null: they fail (not found).
    queue_internal::QueueDeliverer* queues = nullptr;
    // Durable mode: PutEvents returns once what it placed in durable queues
    // is committed. Null in memory.
    storage_internal::Store* store = nullptr;
    sns::Service* sns = nullptr;  // Null: SNS targets fail (not found).
    // Lambda function targets (arn:aws:lambda:...:function:...), invoked
    // asynchronously. Null: they fail (not found).
    base_internal::FunctionInvoker* functions = nullptr;
    events::ServiceOptions limits;
    bool metrics = false;  // Keep the AWS/Events counters for CollectMetrics.
  };

  // `clock`, `queues`, `store`, `sns` and `functions` must outlive the
  // service.
  explicit EventsService(const Options& options);
  ~EventsService() override;

  // Durable mode: rebuilds buses, rules with their targets, archives with
  // their events, and replays from the store. Errors: DataLoss (a damaged
  // or inconsistent record, naming it) and the store's errors.
  absl::Status Recover();

  absl::StatusOr<events::CreateEventBusResult> CreateEventBus(
      const events::CreateEventBusRequest& request) override;
  absl::Status DeleteEventBus(const events::DeleteEventBusRequest& request) override;
  absl::StatusOr<events::DescribeEventBusResult> DescribeEventBus(
      const events::DescribeEventBusRequest& request) override;
  absl::StatusOr<events::ListEventBusesResult> ListEventBuses(
      const events::ListEventBusesRequest& request) override;
  absl::StatusOr<events::UpdateEventBusResult> UpdateEventBus(
      const events::UpdateEventBusRequest& request) override;
  absl::Status PutPermission(const events::PutPermissionRequest& request) override;
  absl::Status RemovePermission(const events::RemovePermissionRequest& request) override;

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

  // An event an AWS service sends the default bus (e.g. source
  // "aws.cloudwatch", "CloudWatch Alarm State Change"), stamped now with this
  // broker's account and region. `detail` is a JSON object. Dropped when it
  // is not (no caller sees an error, as no AWS caller would).
  void PutServiceEvent(std::string_view source, std::string_view detail_type,
                       std::vector<std::string> resources, std::string_view detail);

  // AWS/Events: per rule (RuleName; EventBusName too on a custom bus) and for
  // the whole broker (no dimension). Nothing when Options::metrics is off.
  void CollectMetrics(metrics_internal::Collector& out) override;

  // Delivery counters of the core (tests, benchmarks).
  bus_internal::BusStats TEST_stats() const { return core_->dispatcher().stats(); }

 private:
  // ARNs: arn:aws:events:<region>:<account>:event-bus/<bus>, ...:rule/<rule>
  // (default bus) or ...:rule/<bus>/<rule>, ...:archive/<name>,
  // ...:replay/<name>, and arn:wharf:events:...:callback/<name> for
  // callback targets.
  std::string BusArn(std::string_view bus) const;
  std::string RuleArn(std::string_view bus, std::string_view rule) const;
  std::string ArchiveArn(std::string_view archive) const;
  std::string ReplayArn(std::string_view replay) const;
  std::string CallbackArn(std::string_view name) const;
  // Fills info.rule_arn and info.rule_target_arn, the ARNs of the managed
  // rule of the archive info.name on `bus` and of its target.
  void NameArchiveRule(std::string_view bus, bus_internal::ArchiveInfo& info) const;
  // ManagedRuleException if the rule `rule` on `bus` is managed (an
  // archive's): `force` is the request's Force where it has one (DeleteRule,
  // RemoveTargets: true lets the call through), nullopt where none does.
  absl::Status CheckNotManaged(std::string_view bus, std::string_view rule,
                               std::optional<bool> force) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(admin_mu_);

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

  // The AWS shapes of the core's records.
  events::EventBus ToEventBus(const bus_internal::BusInfo& info) const;
  events::Rule ToRule(bus_internal::RuleSpec spec, const std::string& bus) const;
  // The core's form of a target, with what its ARN names resolved.
  bus_internal::TargetSpec ToTargetSpec(const events::Target& target) const;

  // ---- Durable mode (events_durable.cc). Each Persist* enqueues the
  // object's document as it is now in memory (or its erasure when it is
  // gone); callers then Commit. Nothing without a store.
  // Writes archived events (one document each), replays and deliveries
  // waiting for a retry to the store.
  class Journal final : public bus_internal::ArchiveObserver, public bus_internal::RetryObserver {
   public:
    explicit Journal(storage_internal::Store& store) : store_(store) {}
    void Archived(const bus_internal::ArchiveState& archive,
                  const bus_internal::ArchivedEvent& event) override;
    void Dropped(const bus_internal::ArchiveState& archive, uint64_t seq) override;
    void ReplayChanged(const bus_internal::ReplayInfo& info) override;
    void Forget(const std::string& replay);  // A StartReplay undone.
    void RetryScheduled(const bus_internal::PendingRetry& retry) override;
    void RetryEnded(uint64_t id) override;

   private:
    storage_internal::Store& store_;
  };
  void PersistBus(const std::string& bus) ABSL_EXCLUSIVE_LOCKS_REQUIRED(admin_mu_);
  void PersistRule(const std::string& bus, const std::string& rule)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(admin_mu_);
  void PersistArchive(const std::string& archive) ABSL_EXCLUSIVE_LOCKS_REQUIRED(admin_mu_);
  uint64_t Mark() const { return options_.store != nullptr ? options_.store->Position() : 0; }
  absl::Status Commit(uint64_t since) const {
    return options_.store != nullptr ? options_.store->Commit(since) : absl::OkStatus();
  }
  // Runs `change` (which changes the rule `rule` on `bus`, or fails) and
  // makes it durable; when the store refuses it, the rule is put back as it
  // was and the store's error returned. A managed rule is left alone
  // (CheckNotManaged with `force`).
  absl::Status ChangeRule(const std::string& bus, const std::string& rule,
                          std::optional<bool> force, absl::FunctionRef<absl::Status()> change)
      ABSL_LOCKS_EXCLUDED(admin_mu_);
  // Runs `change` on the settings of the bus `bus` (BusTable::UpdateBus) and
  // makes them durable; when the store refuses them, puts the bus's settings
  // back and returns the store's error. Returns the new settings.
  absl::StatusOr<bus_internal::BusInfo> ChangeBus(
      const std::string& bus, absl::FunctionRef<absl::Status(bus_internal::BusInfo&)> change)
      ABSL_LOCKS_EXCLUDED(admin_mu_);
  // Tags: as ChangeRule for a rule, likewise for a bus's own tags.
  absl::Status ChangeTags(const TaggedResource& resource, absl::FunctionRef<absl::Status()> change)
      ABSL_LOCKS_EXCLUDED(admin_mu_);
  // Commit(since); when it fails, runs `undo` (which puts memory back as
  // it was and enqueues the documents again) and returns the error.
  absl::Status CommitOrUndo(uint64_t since, absl::FunctionRef<void()> undo)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(admin_mu_);
  absl::Status RecoverRules() ABSL_EXCLUSIVE_LOCKS_REQUIRED(admin_mu_);
  absl::Status RecoverArchives() ABSL_EXCLUSIVE_LOCKS_REQUIRED(admin_mu_);
  absl::Status RecoverRetries() ABSL_EXCLUSIVE_LOCKS_REQUIRED(admin_mu_);

  const Options options_;
  // Serializes the administrative calls with their documents (and the undo
  // of a change the store refused), so a document is always the state that
  // its call left. Held across the commit: administrative calls are rare.
  Mutex admin_mu_;
  std::unique_ptr<Journal> journal_;                           // Durable mode; outlives core_.
  const uint64_t stats_id_ = metrics_internal::NewObjectId();  // The broker-wide metrics.
  metrics_internal::SizeStat put_events_size_;  // Accepted PutEvents requests, in bytes.
  std::unique_ptr<EventsEndpoints> endpoints_;
  std::unique_ptr<bus_internal::BusCore> core_;  // After endpoints_: destroyed first.
};

}  // namespace wharf::service_internal

#endif  // WHARF_BROKER_SERVICE_EVENTS_SERVICE_H_
