// File: wharf/cloudwatch.h
//
// wharf::cloudwatch::Service: Amazon CloudWatch metrics and metric alarms, in
// process. Every queue, topic, rule and bus of the broker reports AWS's
// metrics (AWS/SQS, AWS/SNS, AWS/Events) with AWS's names, units and
// dimensions; the application adds its own with PutMetricData. Operation
// names, request and result fields mirror the CloudWatch API (2010-08-01) in
// snake_case; parameter checks and error codes are AWS's (kCloudWatch* in
// wharf/errors.h).
//
//   wharf::cloudwatch::Service& cw = broker->cloudwatch();
//   cw.PutMetricAlarm({.alarm_name = "dlq-not-empty",
//                      .alarm_actions = {ops_topic_arn},
//                      .metric_name = "ApproximateNumberOfMessagesVisible",
//                      .metric_namespace = "AWS/SQS",
//                      .statistic = "Maximum",
//                      .dimensions = {{"QueueName", "orders-dlq"}},
//                      .period = 60,
//                      .evaluation_periods = 1,
//                      .threshold = 0,
//                      .comparison_operator = "GreaterThanThreshold"});
//
// Time. Datapoints are aggregated per second of the broker's Clock and kept
// for BrokerOptions::metrics.retention (the newest second_resolution at
// one-second resolution, older data per minute). The broker's own AWS/*
// metrics are one datapoint per metric and minute, as AWS publishes them: a
// counter's Sum is its count and its SampleCount 1 per minute, a gauge is
// its latest value in the minute, a size (SentMessageSize, Lambda Duration)
// has one sample per message or run. SQS metrics have a datapoint for every
// minute a queue exists (zeros when idle); SNS, EventBridge and Lambda
// counters only for minutes with activity. Alarms are evaluated on the
// same clock: every 60 s (every 10 s for 10 s and 30 s periods), at multiples
// of that interval, over the periods that ended at that instant. With a
// ManualClock, evaluations run inside ManualClock::Advance, one per instant
// passed, so a test advances and then reads the alarm's state. How missing
// datapoints are handled follows the CloudWatch User Guide, see
// broker/metrics/alarm_evaluation.h.
//
// Composite alarms (PutCompositeAlarm) are in ALARM while their rule holds
// and in OK otherwise; they are evaluated when created or updated and
// whenever an alarm their rule names changes state (a metric alarm's
// evaluation or SetAlarmState, or another composite alarm's change), at
// once, in the same step as that change. A composite alarm's notification
// names the child whose change caused it (TriggeringChildren).
//
// Actions suppression (a composite alarm's ActionsSuppressor, as the
// CloudWatch User Guide's "Suppressing composite alarm actions" describes):
// while the suppressor alarm (any alarm) is in ALARM, the composite alarm's
// actions are held back (ActionsSuppressedBy "Alarm"). When the composite
// alarm changes state while its suppressor is not in ALARM, its actions wait
// ActionsSuppressorWaitPeriod seconds ("WaitPeriod") for the suppressor to go
// into ALARM; when the suppressor leaves ALARM, they wait
// ActionsSuppressorExtensionPeriod seconds more ("ExtensionPeriod"). A wait
// that ends with the suppressor not in ALARM runs the actions held back (those
// of the alarm's latest change, for its state then); a change of the
// composite alarm during a wait starts a new WaitPeriod; replacing the
// suppressor discards a running wait. AWS does not say the rest; wharf runs
// the actions held back at once when a new suppressor (or none) is not in
// ALARM, and counts a suppressor deleted in ALARM as leaving it. The waits
// run on the broker's clock.
//
// Actions. An SNS topic ARN publishes AWS's alarm notification (the JSON
// message with AlarmName, NewStateValue, NewStateReason, Trigger, ...) to the
// topic of this broker; a Lambda function ARN invokes the function with
// CloudWatch's alarm event. Actions run for a change of state into ALARM, OK
// or INSUFFICIENT_DATA while actions are enabled; each is recorded in the
// alarm's history (Action items).
//
// Events. Every change of an alarm's state (evaluation or SetAlarmState,
// actions enabled or not) puts a "CloudWatch Alarm State Change" event
// (source aws.cloudwatch, resources [the alarm's ARN]) on the broker's
// default event bus, with AWS's detail: alarmName, state and previousState
// (value, reason, reasonData, timestamp) and configuration (description, and
// metrics, or a composite alarm's alarmRule). Creating, updating and deleting
// an alarm put a "CloudWatch Alarm Configuration Change" event there (detail:
// alarmName, operation create, update or delete, state, configuration and,
// for an update, previousConfiguration). Enable/DisableAlarmActions send
// none (AWS does not say whether it does).
//
// Not supported (InvalidParameterValue): metric math (Expression, Metrics in
// PutMetricAlarm), anomaly detection thresholds; EC2, Auto Scaling and
// Systems Manager actions. Not enforced: the quotas of 100 alarms in a
// composite alarm's rule and of 150 composite alarms naming one alarm (AWS
// states them, not the errors they raise).
//
// Thread safety: thread-safe. Actions run with no wharf lock held.

#ifndef WHARF_CLOUDWATCH_H_
#define WHARF_CLOUDWATCH_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "wharf/errors.h"

namespace wharf::cloudwatch {

struct Dimension {
  std::string name{};   // 1-255 chars.
  std::string value{};  // 1-1024 chars.

  friend bool operator==(const Dimension&, const Dimension&) = default;
};

struct Metric {
  std::string metric_namespace{};  // "Namespace".
  std::string metric_name{};
  std::vector<Dimension> dimensions{};

  friend bool operator==(const Metric&, const Metric&) = default;
};

// ---- Reading metrics --------------------------------------------------------

struct GetMetricStatisticsRequest {
  std::string metric_namespace{};
  std::string metric_name{};
  std::vector<Dimension> dimensions{};           // <= 30; all of the metric's, exactly.
  absl::Time start_time = absl::InfinitePast();  // Inclusive; rounded down (see Period).
  absl::Time end_time = absl::InfinitePast();    // Exclusive.
  int period = 0;                                // 1, 5, 10, 30 or a multiple of 60 seconds.
  // SampleCount, Average, Sum, Minimum, Maximum; 1-5 of them, or:
  std::vector<std::string> statistics{};
  // p0.0 - p100; 1-10 of them. Exactly one of the two lists is given.
  std::vector<std::string> extended_statistics{};
  std::string unit{};  // Empty: datapoints of every unit.
};
struct Datapoint {
  absl::Time timestamp{};  // Start of the period.
  std::optional<double> sample_count{};
  std::optional<double> average{};
  std::optional<double> sum{};
  std::optional<double> minimum{};
  std::optional<double> maximum{};
  std::string unit{};
  std::map<std::string, double> extended_statistics{};
};
struct GetMetricStatisticsResult {
  std::string label{};                  // The metric name.
  std::vector<Datapoint> datapoints{};  // Periods with data, in time order (AWS: any order).
};

struct MetricStat {
  Metric metric{};
  int period = 0;
  std::string stat{};  // A statistic or pNN.
  std::string unit{};
};
struct MetricDataQuery {
  std::string id{};  // 1-255; starts with a lowercase letter; [A-Za-z0-9_].
  std::optional<MetricStat> metric_stat{};
  std::string expression{};  // Not supported.
  std::string label{};
  std::optional<bool> return_data{};
  std::optional<int> period{};
  std::string account_id{};
};
struct GetMetricDataRequest {
  std::vector<MetricDataQuery> metric_data_queries{};  // 1-500.
  absl::Time start_time = absl::InfinitePast();
  absl::Time end_time = absl::InfinitePast();
  std::string next_token{};
  std::string scan_by{};                // TimestampDescending (default) or TimestampAscending.
  std::optional<int> max_datapoints{};  // Default 100,800.
};
struct MessageData {
  std::string code{};
  std::string value{};
};
struct MetricDataResult {
  std::string id{};
  std::string label{};
  std::vector<absl::Time> timestamps{};
  std::vector<double> values{};
  std::string status_code{};  // Complete or PartialData.
  std::vector<MessageData> messages{};
};
struct GetMetricDataResult {
  std::vector<MetricDataResult> metric_data_results{};
  std::string next_token{};
  std::vector<MessageData> messages{};
};

struct DimensionFilter {
  std::string name{};
  std::optional<std::string> value{};
};
struct ListMetricsRequest {
  std::string metric_namespace{};
  std::string metric_name{};
  std::vector<DimensionFilter> dimensions{};  // <= 10.
  std::string next_token{};
  std::string recently_active{};  // Empty or "PT3H".
};
struct ListMetricsResult {
  std::vector<Metric> metrics{};  // <= 500 per page.
  std::string next_token{};
};

// ---- Publishing metrics -----------------------------------------------------

struct StatisticSet {
  double sample_count = 0;
  double sum = 0;
  double minimum = 0;
  double maximum = 0;
};
struct MetricDatum {
  std::string metric_name{};
  std::vector<Dimension> dimensions{};
  std::optional<absl::Time> timestamp{};  // Default: now; 2 weeks back to 2 hours ahead.
  // One of value, statistic_values and values (with optional counts); values
  // with statistic_values is accepted, as AWS does, and the set is stored.
  std::optional<double> value{};
  std::optional<StatisticSet> statistic_values{};
  std::vector<double> values{};             // <= 150.
  std::vector<double> counts{};             // Empty, or one per value.
  std::string unit{};                       // Default "None".
  std::optional<int> storage_resolution{};  // 1 or 60.
};
struct PutMetricDataRequest {
  std::string metric_namespace{};          // Not starting with "AWS/".
  std::vector<MetricDatum> metric_data{};  // 1-1000.
};

// ---- Alarms -----------------------------------------------------------------

struct Tag {
  std::string key{};
  std::string value{};
};

struct PutMetricAlarmRequest {
  std::string alarm_name{};  // 1-255 ASCII characters.
  std::string alarm_description{};
  std::optional<bool> actions_enabled{};  // Default true.
  std::vector<std::string> ok_actions{};  // <= 5 each.
  std::vector<std::string> alarm_actions{};
  std::vector<std::string> insufficient_data_actions{};
  std::string metric_name{};
  std::string metric_namespace{};
  std::string statistic{};           // Exactly one of statistic and
  std::string extended_statistic{};  // extended_statistic (pNN).
  std::vector<Dimension> dimensions{};
  std::optional<int> period{};  // 10, 30 or a multiple of 60; period * evaluation_periods <= 86400.
  std::string unit{};
  std::optional<int> evaluation_periods{};   // Required, >= 1.
  std::optional<int> datapoints_to_alarm{};  // 1..evaluation_periods; default evaluation_periods.
  std::optional<double> threshold{};         // Required.
  std::string comparison_operator{};         // Required.
  std::string treat_missing_data{};          // breaching|notBreaching|ignore|missing (default).
  std::string evaluate_low_sample_count_percentile{};  // evaluate|ignore; percentiles only.
  std::vector<MetricDataQuery> metrics{};              // Not supported.
  std::vector<Tag> tags{};            // <= 50; ignored when updating an alarm (as AWS).
  std::string threshold_metric_id{};  // Not supported.
};

struct MetricAlarm {
  std::string alarm_name{};
  std::string alarm_arn{};
  std::string alarm_description{};
  absl::Time alarm_configuration_updated_timestamp{};
  bool actions_enabled = true;
  std::vector<std::string> ok_actions{};
  std::vector<std::string> alarm_actions{};
  std::vector<std::string> insufficient_data_actions{};
  std::string state_value{};  // OK, ALARM or INSUFFICIENT_DATA.
  std::string state_reason{};
  std::string state_reason_data{};  // JSON; empty for SetAlarmState without one.
  absl::Time state_updated_timestamp{};
  absl::Time state_transitioned_timestamp{};
  std::string metric_name{};
  std::string metric_namespace{};
  std::string statistic{};
  std::string extended_statistic{};
  std::vector<Dimension> dimensions{};
  int period = 0;
  std::string unit{};
  int evaluation_periods = 0;
  int datapoints_to_alarm = 0;  // 0 when not given (AWS then leaves it out).
  double threshold = 0;
  std::string comparison_operator{};
  std::string treat_missing_data{};  // "" when not given (evaluated as "missing").
  std::string evaluate_low_sample_count_percentile{};
};

struct PutCompositeAlarmRequest {
  std::string alarm_name{};  // 1-255 ASCII characters; not a metric alarm's.
  // 1-10240 characters, no leading or trailing blanks: ALARM(x), OK(x),
  // INSUFFICIENT_DATA(x) (x an alarm's name or ARN, in double quotes or bare),
  // AT_LEAST(2, ALARM, (x, y, z)) and AT_LEAST(50%, NOT OK, (x, y)) (a count
  // or a percentage of the alarms listed, in a state or not in it), TRUE,
  // FALSE, NOT, AND, OR (any case) and parentheses. Every alarm it names must
  // exist (but this one: as on AWS, alarms may depend on themselves;
  // evaluation then stops at the cycle).
  std::string alarm_rule{};
  std::string alarm_description{};        // <= 1024 characters.
  std::optional<bool> actions_enabled{};  // Default true.
  std::vector<std::string> ok_actions{};  // <= 5 each, as PutMetricAlarm's.
  std::vector<std::string> alarm_actions{};
  std::vector<std::string> insufficient_data_actions{};
  std::vector<Tag> tags{};  // <= 50; ignored when updating an alarm (as AWS).
  // The alarm (name or ARN, <= 1600 characters; it must exist, or be this
  // one) whose ALARM state holds this one's actions back; empty: none. With
  // it, both periods are required (seconds, >= 0; 0: no wait); without it,
  // neither may be given.
  std::string actions_suppressor{};
  std::optional<int> actions_suppressor_wait_period{};
  std::optional<int> actions_suppressor_extension_period{};
};

struct CompositeAlarm {
  std::string alarm_name{};
  std::string alarm_arn{};
  std::string alarm_description{};
  std::string alarm_rule{};  // As given.
  absl::Time alarm_configuration_updated_timestamp{};
  bool actions_enabled = true;
  std::vector<std::string> ok_actions{};
  std::vector<std::string> alarm_actions{};
  std::vector<std::string> insufficient_data_actions{};
  std::string state_value{};  // OK, ALARM or INSUFFICIENT_DATA (before the first evaluation).
  std::string state_reason{};
  // JSON: {"triggeringAlarms":[{"arn":...,"state":{"value":...,"timestamp":...}}]}.
  std::string state_reason_data{};
  absl::Time state_updated_timestamp{};
  absl::Time state_transitioned_timestamp{};
  // While actions are held back: WaitPeriod, ExtensionPeriod or Alarm, and
  // "Actions suppressed by <that>". Empty otherwise.
  std::string actions_suppressed_by{};
  std::string actions_suppressed_reason{};
  // As PutCompositeAlarm took them; empty and 0 without a suppressor.
  std::string actions_suppressor{};
  int actions_suppressor_wait_period = 0;
  int actions_suppressor_extension_period = 0;
};

struct DescribeAlarmsRequest {
  std::vector<std::string> alarm_names{};  // <= 100; not with alarm_name_prefix.
  std::string alarm_name_prefix{};
  std::vector<std::string> alarm_types{};  // MetricAlarm (the default), CompositeAlarm.
  // The alarms a composite alarm's rule names, or the composite alarms whose
  // rules name this alarm (of both types; only with max_records, next_token).
  std::string children_of_alarm_name{};
  std::string parents_of_alarm_name{};
  std::string state_value{};
  std::string action_prefix{};
  std::optional<int> max_records{};  // 1-100, default 50.
  std::string next_token{};
};
struct DescribeAlarmsResult {
  std::vector<MetricAlarm> metric_alarms{};  // By name.
  std::string next_token{};
  std::vector<CompositeAlarm> composite_alarms{};  // By name.
};

// The metric alarms on one metric: its namespace, name and all of its
// dimensions, exactly (none: the metric without dimensions); the other fields
// narrow the list when given.
struct DescribeAlarmsForMetricRequest {
  std::string metric_name{};
  std::string metric_namespace{};
  std::string statistic{};
  std::string extended_statistic{};
  std::vector<Dimension> dimensions{};  // In any order.
  std::optional<int> period{};
  std::string unit{};
};
struct DescribeAlarmsForMetricResult {
  std::vector<MetricAlarm> metric_alarms{};
};

struct AlarmHistoryItem {
  std::string alarm_name{};
  std::string alarm_type{};  // MetricAlarm or CompositeAlarm.
  absl::Time timestamp{};
  std::string history_item_type{};  // ConfigurationUpdate, StateUpdate or Action.
  std::string history_summary{};
  std::string history_data{};  // JSON.
};
struct DescribeAlarmHistoryRequest {
  std::string alarm_name{};                // Empty: every alarm (deleted ones too).
  std::vector<std::string> alarm_types{};  // Default: MetricAlarm.
  std::string history_item_type{};
  std::optional<absl::Time> start_date{};
  std::optional<absl::Time> end_date{};
  std::optional<int> max_records{};  // 1-100, default 100.
  std::string next_token{};
  std::string scan_by{};  // TimestampDescending (default) or TimestampAscending.
};
struct DescribeAlarmHistoryResult {
  std::vector<AlarmHistoryItem> alarm_history_items{};
  std::string next_token{};
};

struct DeleteAlarmsRequest {
  std::vector<std::string> alarm_names{};  // 1-100.
};
struct SetAlarmStateRequest {
  std::string alarm_name{};
  std::string state_value{};
  std::string state_reason{};       // <= 1023 chars.
  std::string state_reason_data{};  // JSON, <= 4000 chars.
};
struct EnableAlarmActionsRequest {
  std::vector<std::string> alarm_names{};  // 1-100.
};
struct DisableAlarmActionsRequest {
  std::vector<std::string> alarm_names{};  // 1-100.
};

// Tagging: alarms (by AlarmArn) are the resources wharf tags.
struct TagResourceRequest {
  std::string resource_arn{};  // 1-1024 characters.
  std::vector<Tag> tags{};     // Required. Keys 1-128, values 0-256 characters.
};
struct UntagResourceRequest {
  std::string resource_arn{};
  std::vector<std::string> tag_keys{};  // Required.
};
struct ListTagsForResourceRequest {
  std::string resource_arn{};
};
struct ListTagsForResourceResult {
  std::vector<Tag> tags{};  // In the order they were first added.
};

class Service {
 public:
  virtual ~Service() = default;

  // Errors: InvalidParameterValue, MissingParameter, InvalidParameterCombination
  // (e.g. more than 1,440 datapoints).
  virtual absl::StatusOr<GetMetricStatisticsResult> GetMetricStatistics(
      const GetMetricStatisticsRequest& request) = 0;
  // Errors: InvalidParameterValue, MissingParameter, InvalidNextToken.
  virtual absl::StatusOr<GetMetricDataResult> GetMetricData(
      const GetMetricDataRequest& request) = 0;
  // Metrics with data in the retention window, sorted by namespace, name and
  // dimensions. Errors: InvalidParameterValue, InvalidNextToken.
  virtual absl::StatusOr<ListMetricsResult> ListMetrics(const ListMetricsRequest& request) = 0;
  // Errors: InvalidParameterValue, MissingParameter, InvalidParameterCombination,
  // LimitExceeded (the store's max_series).
  virtual absl::Status PutMetricData(const PutMetricDataRequest& request) = 0;

  // Creates an alarm (state INSUFFICIENT_DATA) or replaces one's
  // configuration (its state is kept). Errors: InvalidParameterValue,
  // MissingParameter, InvalidParameterCombination, LimitExceeded.
  virtual absl::Status PutMetricAlarm(const PutMetricAlarmRequest& request) = 0;
  // Creates a composite alarm (state INSUFFICIENT_DATA, then evaluated at
  // once: its actions run if it changes) or replaces one's configuration
  // (its state is kept, then evaluated). Errors: ValidationError (a bad rule,
  // an alarm it or ActionsSuppressor names missing), InvalidParameterValue,
  // InvalidParameterCombination (suppressor periods without a suppressor),
  // MissingParameter, LimitExceeded.
  virtual absl::Status PutCompositeAlarm(const PutCompositeAlarmRequest& request) = 0;
  // Errors: InvalidParameterValue, InvalidParameterCombination, InvalidNextToken.
  virtual absl::StatusOr<DescribeAlarmsResult> DescribeAlarms(
      const DescribeAlarmsRequest& request) = 0;
  virtual absl::StatusOr<DescribeAlarmsForMetricResult> DescribeAlarmsForMetric(
      const DescribeAlarmsForMetricRequest& request) = 0;
  // History is kept for two weeks of broker time, deleted alarms' too.
  virtual absl::StatusOr<DescribeAlarmHistoryResult> DescribeAlarmHistory(
      const DescribeAlarmHistoryRequest& request) = 0;
  // All or nothing. Errors: ResourceNotFound (a name with no alarm),
  // ValidationError (a composite alarm not deleted with it names one).
  virtual absl::Status DeleteAlarms(const DeleteAlarmsRequest& request) = 0;
  // Until the next evaluation (a composite alarm's: until a child changes
  // state). Runs the new state's actions when it changes, and re-evaluates
  // the composite alarms that name it.
  // Errors: ValidationError (state_value not OK, ALARM or INSUFFICIENT_DATA),
  // ResourceNotFound (no message, as AWS), InvalidFormat (state_reason_data
  // not JSON).
  virtual absl::Status SetAlarmState(const SetAlarmStateRequest& request) = 0;
  // Unknown names are ignored.
  virtual absl::Status EnableAlarmActions(const EnableAlarmActionsRequest& request) = 0;
  virtual absl::Status DisableAlarmActions(const DisableAlarmActionsRequest& request) = 0;

  // Adds tags to an alarm or replaces their values; an alarm has at most 50.
  // Errors: MissingParameter, ValidationError (a key or value too long or a
  // key empty), InvalidParameterValue (over 50 tags), ResourceNotFoundException
  // (no alarm has that ARN).
  virtual absl::Status TagResource(const TagResourceRequest& request) = 0;
  // Removes the tags with these keys (others are ignored). Errors as TagResource.
  virtual absl::Status UntagResource(const UntagResourceRequest& request) = 0;
  // An alarm's tags; none for an ARN no alarm has (a deleted alarm's, as AWS).
  // Errors: MissingParameter, ValidationError.
  virtual absl::StatusOr<ListTagsForResourceResult> ListTagsForResource(
      const ListTagsForResourceRequest& request) = 0;

  // Every metric of the broker in the Prometheus text exposition format
  // (version 0.0.4): what the endpoint serves at GET /metrics.
  virtual std::string RenderPrometheus() = 0;
};

}  // namespace wharf::cloudwatch

#endif  // WHARF_CLOUDWATCH_H_
