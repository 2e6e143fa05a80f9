// One CloudWatch metric alarm as the service keeps it, and the texts it
// produces: state reasons (CloudWatch's "Threshold Crossed: ..." wording and
// the reason data JSON), history data, the SNS notification (subject and
// JSON message) and the event a Lambda alarm action receives.
//
// Thread safety: the struct is guarded by CloudWatchService's mutex; the
// functions are pure.

#ifndef WHARF_BROKER_SERVICE_CLOUDWATCH_ALARM_H_
#define WHARF_BROKER_SERVICE_CLOUDWATCH_ALARM_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"
#include "broker/base/scheduler.h"
#include "broker/metrics/alarm_evaluation.h"
#include "broker/metrics/metric_store.h"
#include "broker/service/cloudwatch_alarm_rule.h"
#include "broker/service/cloudwatch_checks.h"
#include "wharf/cloudwatch.h"

namespace wharf::service_internal {

// A child alarm whose state change moved a composite alarm.
struct TriggeringAlarm {
  std::string arn;
  metrics_internal::AlarmState state = metrics_internal::AlarmState::kInsufficientData;
  absl::Time timestamp;  // Of the child's state.
};

// A metric alarm, or a composite one (`composite`: then only the names,
// actions, tags and the fields below `composite` count).
struct CloudWatchAlarm {
  std::string name;
  std::string arn;
  std::string description;
  bool actions_enabled = true;
  std::vector<std::string> ok_actions;
  std::vector<std::string> alarm_actions;
  std::vector<std::string> insufficient_data_actions;
  metrics_internal::MetricKey key;
  std::vector<cloudwatch::Dimension> dimensions;  // As given.
  Stat stat;
  std::string statistic;
  std::string extended_statistic;
  int period = 60;
  std::string unit;
  metrics_internal::AlarmRule rule;
  std::string comparison_operator;
  std::string treat_missing_data;  // As given; "" for the default (missing).
  bool datapoints_to_alarm_given = false;
  std::string evaluate_low_sample_count_percentile;
  std::vector<cloudwatch::Tag> tags;
  absl::Time configuration_updated;

  bool composite = false;
  std::string alarm_rule;  // As given.
  AlarmRuleNode parsed_rule;
  std::vector<std::string> children;  // The alarms the rule names, each once.
  // The children behind the latest state change (not kept in durable mode).
  std::vector<TriggeringAlarm> triggering;

  // ActionsSuppressor as given ("": none), the alarm's name it stands for,
  // and its two periods.
  std::string actions_suppressor;
  std::string suppressor;
  absl::Duration suppressor_wait_period;
  absl::Duration suppressor_extension_period;
  // The suppression in force (see CloudWatchService::Transition). Invariant:
  // kAlarm exactly while the suppressor is in ALARM; `suppressed_until` and
  // `suppression_task` belong to kWaitPeriod and kExtensionPeriod.
  enum class Suppression { kNone, kWaitPeriod, kExtensionPeriod, kAlarm };
  Suppression suppressed_by = Suppression::kNone;
  // A WaitPeriod or ExtensionPeriod is under way (until `suppressed_until`).
  bool InSuppressionPeriod() const {
    return suppressed_by == Suppression::kWaitPeriod ||
           suppressed_by == Suppression::kExtensionPeriod;
  }
  absl::Time suppressed_until;
  std::optional<Scheduler::TaskId> suppression_task;  // Not kept in durable mode.
  // Whether the actions of the latest change, from `held_from` (and its
  // reason) to `state`, are held back, owed once the suppression ends.
  bool actions_held = false;
  metrics_internal::AlarmState held_from = metrics_internal::AlarmState::kInsufficientData;
  std::string held_from_reason;

  metrics_internal::AlarmState state = metrics_internal::AlarmState::kInsufficientData;
  std::string state_reason;
  std::string state_reason_data;
  absl::Time state_updated;
  absl::Time state_transitioned;
};

// What one evaluation looked at: the range's periods, oldest first.
struct AlarmRange {
  int64_t start = 0;   // Unix seconds of the first period.
  int64_t period = 0;  // Seconds.
  std::vector<std::optional<metrics_internal::PeriodStats>> periods;
  std::vector<std::optional<double>> values;  // The alarm's statistic of each.
};

// "Threshold Crossed: 1 out of the last 1 datapoints [5.0 (01/01/26 00:01:00)]
// was greater than the threshold (0.0) (minimum 1 datapoint for OK -> ALARM
// transition)." and the other wordings, for a decision that changes `alarm`'s
// state to `d.state`.
std::string AlarmStateReason(const CloudWatchAlarm& alarm, const AlarmRange& range,
                             const metrics_internal::AlarmDecision& d);
// The StateReasonData JSON of the same decision, evaluated at `at`.
std::string AlarmStateReasonData(const CloudWatchAlarm& alarm, const AlarmRange& range,
                                 const metrics_internal::AlarmDecision& d, absl::Time at);

// A composite alarm's StateReason ("<arn> transitioned to ALARM at Sunday 30
// October, 2022 20:47:35 UTC") and StateReasonData
// ({"triggeringAlarms":[...]}) for a change caused by `triggering`.
std::string CompositeStateReason(const std::vector<TriggeringAlarm>& triggering);
std::string CompositeStateReasonData(const std::vector<TriggeringAlarm>& triggering);

// "WaitPeriod", "ExtensionPeriod", "Alarm"; "" for kNone. Its
// ActionsSuppressedReason: "Actions suppressed by WaitPeriod" (AWS's words,
// in the User Guide's example alarm state change event; the other two follow
// them).
std::string_view SuppressionName(CloudWatchAlarm::Suppression s);
std::string ActionsSuppressedReason(CloudWatchAlarm::Suppression s);

// HistoryData of a StateUpdate item; with the new state's reason data as an
// object when `with_reason_data`, and the suppression of its actions.
std::string AlarmStateHistoryData(metrics_internal::AlarmState old, std::string_view old_reason,
                                  const CloudWatchAlarm& now, bool with_reason_data);
// HistoryData of an Action item; `error` empty when it succeeded.
std::string AlarmActionHistoryData(absl::Time when, std::string_view arn, std::string_view error);

// The SNS notification of `alarm`'s change from `old` (its state now) at `at`;
// a composite alarm's has AlarmRule and TriggeringChildren for Trigger.
std::string AlarmNotificationSubject(const CloudWatchAlarm& alarm, std::string_view region);
std::string AlarmNotificationMessage(const CloudWatchAlarm& alarm, metrics_internal::AlarmState old,
                                     absl::Time at, std::string_view region,
                                     std::string_view account_id);
// The event a Lambda function receives for the same change.
std::string AlarmLambdaEvent(const CloudWatchAlarm& alarm, metrics_internal::AlarmState old,
                             std::string_view old_reason, absl::Time at, std::string_view region,
                             std::string_view account_id);

// The "detail" of the "CloudWatch Alarm State Change" event (source
// aws.cloudwatch) CloudWatch sends the default event bus for the same change;
// the previous state with its reason data and time (`old_at`).
std::string AlarmStateChangeDetail(const CloudWatchAlarm& alarm, metrics_internal::AlarmState old,
                                   std::string_view old_reason, std::string_view old_data,
                                   absl::Time old_at, absl::Time at);

// The "detail" of the "CloudWatch Alarm Configuration Change" event for
// `operation` ("create", "update" or "delete") of `alarm` (its configuration
// after an update; `previous` its configuration before, else null).
std::string AlarmConfigurationChangeDetail(const CloudWatchAlarm& alarm,
                                           const CloudWatchAlarm* previous,
                                           std::string_view operation);

// Action ARNs wharf runs: SNS topics and Lambda functions.
enum class AlarmActionKind { kSns, kLambda, kUnsupported };
AlarmActionKind AlarmActionKindOf(std::string_view arn);

// `s` cut to at most `max` bytes.
std::string Truncated(std::string s, size_t max);

}  // namespace wharf::service_internal

#endif  // WHARF_BROKER_SERVICE_CLOUDWATCH_ALARM_H_
