// CloudWatchService: wharf::cloudwatch::Service over the broker's metric
// store. Reading and publishing metrics live in cloudwatch_service.cc; alarms
// (configuration, evaluation on the broker's clock, actions, history) in
// cloudwatch_alarms.cc.
//
// Alarm evaluation: one task on the broker's Scheduler, at every multiple of
// 60 s of clock time (10 s while an alarm has a 10 s or 30 s period), runs
// while at least one alarm exists. Each run evaluates the alarms due at that
// instant under mu_, then runs the actions of the alarms that changed state
// with no lock held.
//
// Composite alarms share the alarm map; a child's change re-evaluates its
// parents under the same hold of mu_, and their actions join the child's.
// Actions suppression (ActionsSuppressor) is decided in the same step: a
// composite alarm's change holds its actions back while its suppressor is in
// ALARM or for a WaitPeriod, and its suppressor's changes start and end that
// suppression; a WaitPeriod or ExtensionPeriod ends in a task on the
// Scheduler at its end (one per alarm, cancelled when it is cut short), which
// runs the held actions with no lock held.
//
// Durable mode (Options::storage; cloudwatch_durable.cc): each alarm is
// a document of the store (its configuration as PutMetricAlarm or
// PutCompositeAlarm took it, ActionsEnabled and its state: value, reason,
// reason data, timestamps; a composite alarm's actions suppression and the
// actions it holds back), rewritten under mu_ at every change.
// PutMetricAlarm, PutCompositeAlarm, DeleteAlarms,
// SetAlarmState and Enable/DisableAlarmActions return once it is committed;
// a state an evaluation sets is written behind (nobody waits: if a crash
// loses it, the next evaluation after the restart decides again). Recover
// restores the alarms and evaluation resumes at the next multiple of the step
// on the clock; a WaitPeriod or ExtensionPeriod under way ends when it was
// due (at once if that time has passed). Not kept: the alarm history and the metric datapoints (the
// metric store is in memory; a restarted broker starts without data, so an
// alarm sees missing data until new datapoints arrive).
//
// Locking: mu_ guards alarms and history. It is held while alarms read the
// store (whose locks are leaves), never while calling the sampler, SNS or a
// function.
//
// Thread safety: thread-safe.

#ifndef WHARF_BROKER_SERVICE_CLOUDWATCH_SERVICE_H_
#define WHARF_BROKER_SERVICE_CLOUDWATCH_SERVICE_H_

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "broker/base/mutex.h"
#include "broker/base/scheduler.h"
#include "broker/metrics/alarm_evaluation.h"
#include "broker/metrics/collector.h"
#include "broker/metrics/metric_store.h"
#include "broker/metrics/sampler.h"
#include "broker/service/cloudwatch_alarm.h"
#include "broker/service/cloudwatch_checks.h"
#include "broker/storage/store.h"
#include "wharf/clock.h"
#include "wharf/cloudwatch.h"
#include "wharf/sns.h"

namespace wharf::service_internal {

class CloudWatchService final : public cloudwatch::Service {
 public:
  struct Options {
    std::string region;
    std::string account_id;
    Clock* clock = nullptr;
    Scheduler* scheduler = nullptr;
    metrics_internal::MetricStore* store = nullptr;
    // Flushed before each read so that the current second is included.
    metrics_internal::Sampler* sampler = nullptr;
    // What RenderPrometheus collects from.
    std::vector<metrics_internal::MetricSource*> sources;
    // Alarm actions on SNS topic ARNs publish here; null: they fail.
    sns::Service* sns = nullptr;
    // Alarm actions on Lambda function ARNs call this (asynchronously, with
    // the JSON event); empty: they fail.
    std::function<absl::Status(std::string_view function_arn, std::string payload)> invoke_function;
    // Every change of an alarm's state, and every creation, update and
    // deletion of one, calls this (with no lock held) with the event's
    // detail type ("CloudWatch Alarm State Change" or "CloudWatch Alarm
    // Configuration Change"), the alarm's ARN and the event's detail, for the
    // default event bus; empty: no events.
    std::function<void(std::string_view detail_type, std::string alarm_arn, std::string detail)>
        put_event;
    size_t max_alarms = 5000;
    // Durable mode: where alarms are kept. Null: in memory. Must outlive the
    // service.
    storage_internal::Store* storage = nullptr;
  };

  explicit CloudWatchService(Options options);
  ~CloudWatchService() override;

  absl::StatusOr<cloudwatch::GetMetricStatisticsResult> GetMetricStatistics(
      const cloudwatch::GetMetricStatisticsRequest& request) override;
  absl::StatusOr<cloudwatch::GetMetricDataResult> GetMetricData(
      const cloudwatch::GetMetricDataRequest& request) override;
  absl::StatusOr<cloudwatch::ListMetricsResult> ListMetrics(
      const cloudwatch::ListMetricsRequest& request) override;
  absl::Status PutMetricData(const cloudwatch::PutMetricDataRequest& request) override;

  absl::Status PutMetricAlarm(const cloudwatch::PutMetricAlarmRequest& request) override;
  absl::Status PutCompositeAlarm(const cloudwatch::PutCompositeAlarmRequest& request) override;
  absl::StatusOr<cloudwatch::DescribeAlarmsResult> DescribeAlarms(
      const cloudwatch::DescribeAlarmsRequest& request) override;
  absl::StatusOr<cloudwatch::DescribeAlarmsForMetricResult> DescribeAlarmsForMetric(
      const cloudwatch::DescribeAlarmsForMetricRequest& request) override;
  absl::StatusOr<cloudwatch::DescribeAlarmHistoryResult> DescribeAlarmHistory(
      const cloudwatch::DescribeAlarmHistoryRequest& request) override;
  absl::Status DeleteAlarms(const cloudwatch::DeleteAlarmsRequest& request) override;
  absl::Status SetAlarmState(const cloudwatch::SetAlarmStateRequest& request) override;
  absl::Status EnableAlarmActions(const cloudwatch::EnableAlarmActionsRequest& request) override;
  absl::Status DisableAlarmActions(const cloudwatch::DisableAlarmActionsRequest& request) override;
  absl::Status TagResource(const cloudwatch::TagResourceRequest& request) override;
  absl::Status UntagResource(const cloudwatch::UntagResourceRequest& request) override;
  absl::StatusOr<cloudwatch::ListTagsForResourceResult> ListTagsForResource(
      const cloudwatch::ListTagsForResourceRequest& request) override;

  std::string RenderPrometheus() override;

  // Durable mode: restores the alarms from the store and resumes their
  // evaluation. REQUIRES: called once, before any other call. Errors:
  // DataLoss (a damaged record, naming it) and the store's errors.
  absl::Status Recover() ABSL_LOCKS_EXCLUDED(mu_);

  // Stops evaluating alarms (their task is cancelled). Idempotent; called
  // before the services actions use are destroyed.
  void Shutdown() ABSL_LOCKS_EXCLUDED(mu_);

 private:
  using Alarm = CloudWatchAlarm;
  struct PendingAction {
    std::string alarm_name;
    std::string alarm_type;  // For its history item.
    std::string arn;
    std::string subject;  // SNS.
    std::string message;  // SNS message or Lambda event.
    bool lambda = false;
    // An EventBridge event (subject: its detail type; message: its detail;
    // arn: the alarm's), sent whether or not actions are enabled; no history
    // item.
    bool event = false;
    absl::Time when;     // When it runs (its history item's time).
    absl::Time changed;  // Of the state change it is for.
  };

  // Reads.
  void FlushSampler();
  // Periods of `key` (every unit, or `unit`), grouped by unit.
  std::vector<std::pair<std::string, std::vector<metrics_internal::PeriodStats>>> Query(
      const metrics_internal::MetricKey& key, std::string_view unit, int64_t start, int64_t end,
      int64_t period) const;

  // Alarms (cloudwatch_alarms.cc).
  std::string AlarmArn(std::string_view name) const;
  // The alarm whose ARN is `arn`, or null.
  Alarm* FindByArnLocked(std::string_view arn) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Checks a PutMetricAlarm request and builds its alarm (no state yet).
  absl::StatusOr<std::unique_ptr<Alarm>> MakeAlarm(
      const cloudwatch::PutMetricAlarmRequest& request) const;
  // Checks a PutCompositeAlarm request and builds its alarm (its children
  // not looked up yet, no state).
  absl::StatusOr<std::unique_ptr<Alarm>> MakeCompositeAlarm(
      const cloudwatch::PutCompositeAlarmRequest& request) const;
  // Whether composite `alarm` may name its children and its suppressor:
  // ValidationError when one (other than `alarm` itself) does not exist.
  absl::Status CheckChildrenLocked(const Alarm& alarm) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // What PutMetricAlarm and PutCompositeAlarm share: makes `alarm` (checked,
  // no state) the alarm of its name, keeping an existing one's state and
  // tags, with its history and document; returns it. Errors: ValidationError
  // (the name is an alarm of the other type, a composite's child missing),
  // LimitExceeded.
  absl::StatusOr<Alarm*> StoreAlarmLocked(std::unique_ptr<Alarm> alarm, absl::Time now,
                                          std::vector<PendingAction>& actions)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Queues the EventBridge event of `alarm` (see Options::put_event).
  void QueueEventLocked(const Alarm& alarm, std::string_view detail_type, std::string detail,
                        absl::Time at, std::vector<PendingAction>& actions)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Durable mode (no-ops in memory; cloudwatch_durable.cc): enqueue writing
  // `alarm`'s document as it is now, or erasing it.
  void PersistAlarmLocked(const Alarm& alarm) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void EraseAlarmLocked(const Alarm& alarm) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The store's position before a change, and the wait for it.
  uint64_t Mark() const { return options_.storage != nullptr ? options_.storage->Position() : 0; }
  absl::Status Commit(uint64_t since) const {
    return options_.storage != nullptr ? options_.storage->Commit(since) : absl::OkStatus();
  }
  void ScheduleTickLocked(absl::Time after) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Tick(absl::Time at) ABSL_LOCKS_EXCLUDED(mu_);
  void Evaluate(Alarm& alarm, absl::Time at, std::vector<PendingAction>& actions)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Composite `alarm` to ALARM if its rule holds, else to OK; a change names
  // `triggering` as its cause. Does nothing for an alarm whose own change led
  // here (a cycle) or beyond kMaxCompositeDepth composite alarms.
  void EvaluateComposite(Alarm& alarm, std::vector<TriggeringAlarm> triggering, absl::Time at,
                         std::vector<PendingAction>& actions) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Moves `alarm` to `state`, records the history, queues its actions (or
  // holds them back: HoldActionsLocked), moves the suppression of the
  // composite alarms it suppresses and evaluates the composite alarms that
  // name it (transitively, recursing).
  void Transition(Alarm& alarm, metrics_internal::AlarmState state, std::string reason,
                  std::string reason_data, absl::Time at, std::vector<PendingAction>& actions)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Queues the actions of `alarm`'s change at `changed` from `old` (with
  // `old_reason`) to its state, to run at `now`; none while its actions are
  // disabled.
  void QueueActionsLocked(const Alarm& alarm, metrics_internal::AlarmState old,
                          std::string_view old_reason, absl::Time changed, absl::Time now,
                          std::vector<PendingAction>& actions) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // Actions suppression of composite alarms with an ActionsSuppressor (the
  // User Guide's "Suppressing composite alarm actions"). `alarm` changed at
  // `at` from `old`: holds its actions back while the suppressor is in ALARM,
  // else for a new WaitPeriod (none when it is 0: then returns false and the
  // caller runs them).
  bool HoldActionsLocked(Alarm& alarm, metrics_internal::AlarmState old,
                         std::string_view old_reason, absl::Time at)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // `alarm`'s suppressor went into ALARM (`in_alarm`) or left it at `at`: the
  // suppression becomes Alarm, or an Alarm one an ExtensionPeriod (or ends,
  // when that is 0).
  void SuppressorChangedLocked(Alarm& alarm, bool in_alarm, absl::Time at,
                               std::vector<PendingAction>& actions)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Outside a WaitPeriod or ExtensionPeriod (a new alarm, a suppressor
  // replaced or gone): Alarm while the suppressor is in ALARM, else none, the
  // held actions queued.
  void SettleSuppressionLocked(Alarm& alarm, absl::Time at, std::vector<PendingAction>& actions)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Whether `alarm` has a suppressor, and it is in ALARM.
  bool SuppressorInAlarmLocked(const Alarm& alarm) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Starts a WaitPeriod or ExtensionPeriod ending at `until`.
  void StartSuppressionPeriodLocked(Alarm& alarm, Alarm::Suppression period, absl::Time until)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Ends the suppression at `at`, queueing the held actions.
  void EndSuppressionLocked(Alarm& alarm, absl::Time at, std::vector<PendingAction>& actions)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void CancelSuppressionTaskLocked(Alarm& alarm) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The task at the end of alarm `name`'s period ending at `until` (a no-op
  // if that period is over).
  void SuppressionPeriodEnds(const std::string& name, absl::Time until) ABSL_LOCKS_EXCLUDED(mu_);
  void AddHistory(cloudwatch::AlarmHistoryItem item) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void RunActions(std::vector<PendingAction> actions) ABSL_LOCKS_EXCLUDED(mu_);
  cloudwatch::MetricAlarm Describe(const Alarm& alarm) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  cloudwatch::CompositeAlarm DescribeComposite(const Alarm& alarm) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const Options options_;

  mutable Mutex mu_;
  // Metric and composite alarms, by name.
  std::map<std::string, std::unique_ptr<Alarm>> alarms_ ABSL_GUARDED_BY(mu_);
  std::deque<cloudwatch::AlarmHistoryItem> history_ ABSL_GUARDED_BY(mu_);  // Oldest first.
  std::optional<Scheduler::TaskId> tick_ ABSL_GUARDED_BY(mu_);
  absl::Time tick_at_ ABSL_GUARDED_BY(mu_);
  bool shutdown_ ABSL_GUARDED_BY(mu_) = false;
  // The composite alarms being evaluated, outermost first (EvaluateComposite
  // recursing through Transition): a bound on the recursion.
  static constexpr size_t kMaxCompositeDepth = 256;
  std::vector<const Alarm*> evaluating_ ABSL_GUARDED_BY(mu_);
};

}  // namespace wharf::service_internal

#endif  // WHARF_BROKER_SERVICE_CLOUDWATCH_SERVICE_H_
