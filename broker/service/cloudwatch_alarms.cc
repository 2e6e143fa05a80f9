// CloudWatchService's metric alarms: configuration, evaluation on the
// broker's clock, state changes, actions and history. See
// cloudwatch_service.h; the texts alarms produce are in cloudwatch_alarm.cc.

#include <algorithm>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "broker/service/cloudwatch_alarm.h"
#include "broker/service/cloudwatch_service.h"
#include "wharf/errors.h"

namespace wharf::service_internal {

using metrics_internal::AlarmDecision;
using metrics_internal::AlarmRule;
using metrics_internal::AlarmState;
using metrics_internal::AlarmStateName;
using metrics_internal::Comparison;
using metrics_internal::PeriodStats;

namespace {

constexpr size_t kMaxHistory = 10000;
constexpr absl::Duration kHistoryRetention = absl::Hours(24 * 14);
constexpr size_t kMaxReason = 1023;
constexpr size_t kMaxReasonData = 4000;
constexpr size_t kMaxHistoryData = 4095;
// The detail types of CloudWatch's events (the User Guide's "Alarm events and
// EventBridge").
constexpr std::string_view kStateChangeEvent = "CloudWatch Alarm State Change";
constexpr std::string_view kConfigurationChangeEvent = "CloudWatch Alarm Configuration Change";

absl::string_view Absl(std::string_view s) { return absl::string_view(s.data(), s.size()); }
std::string_view Std(absl::string_view s) { return std::string_view(s.data(), s.size()); }
absl::string_view StateName(AlarmState s) { return Absl(AlarmStateName(s)); }

absl::Status CheckAlarmName(const std::string& name) {
  if (name.empty()) return CloudWatchMissing("AlarmName");
  if (name.size() > 255) {
    return CloudWatchInvalid("The parameter AlarmName must be between 1 and 255 characters long.");
  }
  for (char c : name) {
    if (static_cast<unsigned char>(c) > 127) {
      return CloudWatchInvalid("The parameter AlarmName must contain only ASCII characters.");
    }
  }
  return absl::OkStatus();
}

// The action lists of PutMetricAlarm and PutCompositeAlarm.
template <typename Request>
absl::Status CheckAlarmActions(const Request& r) {
  if (r.alarm_description.size() > 1024) {
    return CloudWatchInvalid(
        "The parameter AlarmDescription must be between 0 and 1024 characters long.");
  }
  for (const auto& [name, list] :
       {std::pair{"OKActions", &r.ok_actions}, std::pair{"AlarmActions", &r.alarm_actions},
        std::pair{"InsufficientDataActions", &r.insufficient_data_actions}}) {
    if (list->size() > 5) {
      return CloudWatchInvalid(
          absl::StrCat("The collection ", name, " must not have a size greater than 5."));
    }
    for (const std::string& arn : *list) {
      if (arn.empty() || arn.size() > 1024 ||
          AlarmActionKindOf(arn) == AlarmActionKind::kUnsupported) {
        return CloudWatchInvalid(
            absl::StrCat("Invalid ", name, " ARN ", arn,
                         ": wharf runs SNS topic (arn:aws:sns:...) and Lambda function "
                         "(arn:aws:lambda:...:function:...) actions."));
      }
    }
  }
  return absl::OkStatus();
}

// Checked creation tags; a key given twice takes its last value.
absl::StatusOr<std::vector<cloudwatch::Tag>> CheckedTags(
    const std::vector<cloudwatch::Tag>& given) {
  if (absl::Status s = CheckTags(given); !s.ok()) return s;
  std::vector<cloudwatch::Tag> tags;
  MergeTags(tags, given);
  if (tags.size() > kMaxTags) {
    return CloudWatchInvalid(
        absl::StrCat("The collection Tags must not have a size greater than ", kMaxTags, "."));
  }
  return tags;
}

absl::string_view TypeName(const CloudWatchAlarm& a) {
  return a.composite ? "CompositeAlarm" : "MetricAlarm";
}

}  // namespace

std::string CloudWatchService::AlarmArn(std::string_view name) const {
  return absl::StrCat("arn:aws:cloudwatch:", options_.region, ":", options_.account_id,
                      ":alarm:", Absl(name));
}

CloudWatchAlarm* CloudWatchService::FindByArnLocked(std::string_view arn) {
  const std::string prefix = AlarmArn("");
  if (!absl::StartsWith(Absl(arn), prefix)) return nullptr;
  auto it = alarms_.find(std::string(arn.substr(prefix.size())));
  return it == alarms_.end() ? nullptr : it->second.get();
}

namespace {

// The fields a metric and a composite alarm's description share.
template <typename Description>
Description DescribeCommon(const CloudWatchAlarm& a) {
  Description d;
  d.alarm_name = a.name;
  d.alarm_arn = a.arn;
  d.alarm_description = a.description;
  d.alarm_configuration_updated_timestamp = a.configuration_updated;
  d.actions_enabled = a.actions_enabled;
  d.ok_actions = a.ok_actions;
  d.alarm_actions = a.alarm_actions;
  d.insufficient_data_actions = a.insufficient_data_actions;
  d.state_value = std::string(AlarmStateName(a.state));
  d.state_reason = a.state_reason;
  d.state_reason_data = a.state_reason_data;
  d.state_updated_timestamp = a.state_updated;
  d.state_transitioned_timestamp = a.state_transitioned;
  return d;
}

}  // namespace

cloudwatch::MetricAlarm CloudWatchService::Describe(const Alarm& a) const {
  auto m = DescribeCommon<cloudwatch::MetricAlarm>(a);
  m.metric_name = a.key.name;
  m.metric_namespace = a.key.ns;
  m.statistic = a.statistic;
  m.extended_statistic = a.extended_statistic;
  m.dimensions = a.dimensions;
  m.period = a.period;
  m.unit = a.unit;
  m.evaluation_periods = a.rule.evaluation_periods;
  m.datapoints_to_alarm = a.datapoints_to_alarm_given ? a.rule.datapoints_to_alarm : 0;
  m.threshold = a.rule.threshold;
  m.comparison_operator = a.comparison_operator;
  m.treat_missing_data = a.treat_missing_data;
  m.evaluate_low_sample_count_percentile = a.evaluate_low_sample_count_percentile;
  return m;
}

cloudwatch::CompositeAlarm CloudWatchService::DescribeComposite(const Alarm& a) const {
  auto c = DescribeCommon<cloudwatch::CompositeAlarm>(a);
  c.alarm_rule = a.alarm_rule;
  c.actions_suppressed_by = std::string(SuppressionName(a.suppressed_by));
  c.actions_suppressed_reason = ActionsSuppressedReason(a.suppressed_by);
  c.actions_suppressor = a.actions_suppressor;
  c.actions_suppressor_wait_period =
      static_cast<int>(absl::ToInt64Seconds(a.suppressor_wait_period));
  c.actions_suppressor_extension_period =
      static_cast<int>(absl::ToInt64Seconds(a.suppressor_extension_period));
  return c;
}

absl::StatusOr<std::unique_ptr<CloudWatchAlarm>> CloudWatchService::MakeCompositeAlarm(
    const cloudwatch::PutCompositeAlarmRequest& r) const {
  if (absl::Status s = CheckAlarmName(r.alarm_name); !s.ok()) return s;
  if (r.alarm_rule.empty()) return CloudWatchMissing("AlarmRule");
  if (r.alarm_rule.size() > 10240) {
    return CloudWatchInvalid(
        "The parameter AlarmRule must be between 1 and 10240 characters long.");
  }
  if (absl::ascii_isspace(static_cast<unsigned char>(r.alarm_rule.front())) ||
      absl::ascii_isspace(static_cast<unsigned char>(r.alarm_rule.back()))) {
    // AWS's words (as SDK users report them).
    return MakeError(ErrorCode::kCloudWatchValidation,
                     "AlarmRule must not contain leading or trailing whitespace or be null");
  }
  const std::pair<const char*, const std::optional<int>*> periods[] = {
      {"ActionsSuppressorWaitPeriod", &r.actions_suppressor_wait_period},
      {"ActionsSuppressorExtensionPeriod", &r.actions_suppressor_extension_period}};
  if (r.actions_suppressor.empty()) {
    if (r.actions_suppressor_wait_period.has_value() ||
        r.actions_suppressor_extension_period.has_value()) {
      // Not recorded from AWS: wharf's words (the periods are the
      // suppressor's, in the API reference).
      return CloudWatchCombination(
          "The parameters ActionsSuppressorWaitPeriod and ActionsSuppressorExtensionPeriod "
          "require ActionsSuppressor.");
    }
  } else {
    if (r.actions_suppressor.size() > 1600) {
      return CloudWatchInvalid(
          "The parameter ActionsSuppressor must be between 1 and 1600 characters long.");
    }
    // "WaitPeriod is required only when ActionsSuppressor is specified" (and
    // ExtensionPeriod: the API reference); >= 0 (CloudFormation's schema).
    for (const auto& [name, period] : periods) {
      if (!period->has_value()) return CloudWatchMissing(name);
      if (**period < 0) {
        return CloudWatchInvalid(
            absl::StrCat("The parameter ", name, " must be greater than or equal to 0."));
      }
    }
  }
  if (absl::Status s = CheckAlarmActions(r); !s.ok()) return s;
  absl::StatusOr<std::vector<cloudwatch::Tag>> tags = CheckedTags(r.tags);
  if (!tags.ok()) return tags.status();
  absl::StatusOr<AlarmRuleNode> rule = ParseAlarmRule(r.alarm_rule, AlarmArn(""));
  if (!rule.ok()) return rule.status();

  auto alarm = std::make_unique<Alarm>();
  alarm->name = r.alarm_name;
  alarm->arn = AlarmArn(r.alarm_name);
  alarm->description = r.alarm_description;
  alarm->actions_enabled = r.actions_enabled.value_or(true);
  alarm->ok_actions = r.ok_actions;
  alarm->alarm_actions = r.alarm_actions;
  alarm->insufficient_data_actions = r.insufficient_data_actions;
  alarm->tags = *std::move(tags);
  alarm->composite = true;
  alarm->alarm_rule = r.alarm_rule;
  alarm->parsed_rule = *std::move(rule);
  std::vector<std::string> written;
  AlarmRuleChildren(alarm->parsed_rule, &alarm->children, &written);
  if (!r.actions_suppressor.empty()) {
    // A name, or the ARN of an alarm of this region and account.
    const std::string prefix = AlarmArn("");
    alarm->actions_suppressor = r.actions_suppressor;
    alarm->suppressor = absl::StartsWith(r.actions_suppressor, prefix) &&
                                r.actions_suppressor.size() > prefix.size()
                            ? r.actions_suppressor.substr(prefix.size())
                            : r.actions_suppressor;
    alarm->suppressor_wait_period = absl::Seconds(*r.actions_suppressor_wait_period);
    alarm->suppressor_extension_period = absl::Seconds(*r.actions_suppressor_extension_period);
  }
  return alarm;
}

absl::Status CloudWatchService::CheckChildrenLocked(const Alarm& alarm) const {
  std::vector<std::string> names;
  std::vector<std::string> written;
  AlarmRuleChildren(alarm.parsed_rule, &names, &written);
  std::vector<std::string> missing;
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] != alarm.name && !alarms_.contains(names[i])) missing.push_back(written[i]);
  }
  if (!missing.empty()) {
    // AWS's words (as CloudFormation reports them); the list's separator is
    // wharf's.
    return MakeError(
        ErrorCode::kCloudWatchValidation,
        absl::StrCat("Could not save the composite alarm as alarms [", absl::StrJoin(missing, ", "),
                     "] in the alarm rule do not exist"));
  }
  // A rule may make alarms depend on themselves, as on AWS: evaluation stops
  // at the cycle (EvaluateComposite). So may the suppressor be the alarm.
  if (!alarm.suppressor.empty() && alarm.suppressor != alarm.name &&
      !alarms_.contains(alarm.suppressor)) {
    // Not recorded from AWS: wharf's words, after the rule's.
    return MakeError(ErrorCode::kCloudWatchValidation,
                     absl::StrCat("Could not save the composite alarm as the ActionsSuppressor "
                                  "alarm [",
                                  alarm.actions_suppressor, "] does not exist"));
  }
  return absl::OkStatus();
}

absl::StatusOr<CloudWatchAlarm*> CloudWatchService::StoreAlarmLocked(
    std::unique_ptr<Alarm> alarm, absl::Time now, std::vector<PendingAction>& actions) {
  auto it = alarms_.find(alarm->name);
  const bool created = it == alarms_.end();
  if (!created && it->second->composite != alarm->composite) {
    return MakeError(
        ErrorCode::kCloudWatchValidation,
        absl::StrCat("The alarm ", alarm->name,
                     alarm->composite
                         ? " is a metric alarm; PutCompositeAlarm cannot replace it."
                         : " is a composite alarm; PutMetricAlarm cannot replace it."));
  }
  if (created && alarms_.size() >= options_.max_alarms) {
    return MakeError(ErrorCode::kCloudWatchLimitExceeded,
                     absl::StrCat("The maximum allowed number of alarms (", options_.max_alarms,
                                  ") has been reached."));
  }
  if (alarm->composite) {
    if (absl::Status s = CheckChildrenLocked(*alarm); !s.ok()) return s;
  }
  alarm->configuration_updated = now;
  if (created) {
    alarm->state = AlarmState::kInsufficientData;
    alarm->state_reason = "Unchecked: Initial alarm creation";
    alarm->state_updated = now;
    alarm->state_transitioned = now;
  } else {
    // An update keeps the state (and its reason), replaces the rest.
    const Alarm& old = *it->second;
    alarm->state = old.state;
    alarm->state_reason = old.state_reason;
    alarm->state_reason_data = old.state_reason_data;
    alarm->state_updated = old.state_updated;
    alarm->state_transitioned = old.state_transitioned;
    alarm->triggering = old.triggering;
    // The held actions stay owed; a WaitPeriod or ExtensionPeriod under way
    // goes on with the same suppressor, and is discarded with another one
    // (the User Guide's tip; the caller settles it).
    alarm->actions_held = old.actions_held;
    alarm->held_from = old.held_from;
    alarm->held_from_reason = old.held_from_reason;
    if (alarm->suppressor == old.suppressor) {
      alarm->suppressed_by = old.suppressed_by;
      alarm->suppressed_until = old.suppressed_until;
      alarm->suppression_task = old.suppression_task;
    } else {
      CancelSuppressionTaskLocked(*it->second);
    }
    // Tags given to an update are ignored (PutMetricAlarm's API reference:
    // TagResource and UntagResource change them).
    alarm->tags = old.tags;
  }
  AddHistory({.alarm_name = alarm->name,
              .alarm_type = std::string(TypeName(*alarm)),
              .timestamp = now,
              .history_item_type = "ConfigurationUpdate",
              .history_summary =
                  absl::StrCat("Alarm \"", alarm->name, created ? "\" created" : "\" updated"),
              .history_data = absl::StrCat("{\"version\":\"1.0\",\"type\":\"",
                                           created ? "Create" : "Update", "\"}")});
  PersistAlarmLocked(*alarm);
  if (options_.put_event) {
    QueueEventLocked(*alarm, kConfigurationChangeEvent,
                     AlarmConfigurationChangeDetail(*alarm, created ? nullptr : it->second.get(),
                                                    created ? "create" : "update"),
                     now, actions);
  }
  const std::string name = alarm->name;
  return (alarms_[name] = std::move(alarm)).get();
}

absl::Status CloudWatchService::PutCompositeAlarm(const cloudwatch::PutCompositeAlarmRequest& r) {
  absl::StatusOr<std::unique_ptr<Alarm>> made = MakeCompositeAlarm(r);
  if (!made.ok()) return made.status();
  std::unique_ptr<Alarm> alarm = *std::move(made);
  const absl::Time now = options_.clock->Now();
  std::vector<PendingAction> actions;
  const uint64_t since = Mark();
  {
    MutexLock lock(&mu_);
    absl::StatusOr<Alarm*> put = StoreAlarmLocked(std::move(alarm), now, actions);
    if (!put.ok()) return put.status();
    Alarm& stored = **put;
    SettleSuppressionLocked(stored, now, actions);
    // Evaluated at once, every child counted as triggering (AWS, as
    // LocalStack's test_trigger_composite_alarm notes).
    std::vector<TriggeringAlarm> triggering;
    for (const std::string& child : stored.children) {
      const Alarm& c = *alarms_.at(child);
      triggering.push_back({c.arn, c.state, c.state_updated});
    }
    EvaluateComposite(stored, std::move(triggering), now, actions);
  }
  absl::Status committed = Commit(since);
  RunActions(std::move(actions));
  return committed;
}

absl::StatusOr<std::unique_ptr<CloudWatchAlarm>> CloudWatchService::MakeAlarm(
    const cloudwatch::PutMetricAlarmRequest& r) const {
  if (absl::Status s = CheckAlarmName(r.alarm_name); !s.ok()) return s;
  if (!r.evaluation_periods.has_value()) return CloudWatchMissing("EvaluationPeriods");
  if (*r.evaluation_periods < 1) {
    return CloudWatchInvalid("The parameter EvaluationPeriods must be greater than or equal to 1.");
  }
  if (r.comparison_operator.empty()) return CloudWatchMissing("ComparisonOperator");
  std::optional<Comparison> comparison = metrics_internal::ParseComparison(r.comparison_operator);
  if (!comparison) {
    return CloudWatchInvalid(absl::StrCat(
        "The value ", r.comparison_operator,
        " for parameter ComparisonOperator is not supported: wharf supports static thresholds "
        "(GreaterThanOrEqualToThreshold, GreaterThanThreshold, LessThanThreshold, "
        "LessThanOrEqualToThreshold)."));
  }
  if (!r.metrics.empty() || !r.threshold_metric_id.empty()) {
    return CloudWatchInvalid(
        "The parameters Metrics and ThresholdMetricId are not supported: wharf evaluates alarms "
        "on a single metric.");
  }
  if (r.metric_name.empty()) return CloudWatchMissing("MetricName");
  if (absl::Status s = CheckMetricName(r.metric_name, "MetricName"); !s.ok()) return s;
  if (r.metric_namespace.empty()) return CloudWatchMissing("Namespace");
  if (absl::Status s = CheckNamespace(r.metric_namespace, "Namespace", false); !s.ok()) return s;
  if (!r.statistic.empty() && !r.extended_statistic.empty()) {
    return CloudWatchCombination(
        "The parameters Statistic and ExtendedStatistic are mutually exclusive and you have "
        "specified both.");
  }
  if (r.statistic.empty() && r.extended_statistic.empty()) {
    return CloudWatchMissing("Statistic or ExtendedStatistic");
  }
  std::optional<Stat> stat;
  if (!r.statistic.empty()) {
    stat = ParseStatistic(r.statistic);
    if (!stat) {
      return CloudWatchInvalid(
          "The parameter Statistic must be a value in the set [ SampleCount, Average, Sum, "
          "Minimum, Maximum ].");
    }
  } else {
    stat = ParsePercentile(r.extended_statistic);
    if (!stat) {
      return CloudWatchInvalid(absl::StrCat("The value ", r.extended_statistic,
                                            " for parameter ExtendedStatistic is not a valid "
                                            "percentile (p0.0 - p100)."));
    }
  }
  if (!r.period.has_value()) return CloudWatchMissing("Period");
  const int period = *r.period;
  if (period != 10 && period != 30 && (period <= 0 || period % 60 != 0)) {
    return CloudWatchInvalid("The parameter Period must be 10, 30 or a multiple of 60.");
  }
  if (static_cast<int64_t>(period) * *r.evaluation_periods > 86400) {
    return CloudWatchCombination(
        "Metrics cannot be checked across more than a day (EvaluationPeriods * Period must be <= "
        "86400).");
  }
  const int datapoints = r.datapoints_to_alarm.value_or(*r.evaluation_periods);
  if (datapoints < 1 || datapoints > *r.evaluation_periods) {
    return CloudWatchInvalid(
        "The parameter DatapointsToAlarm must be between 1 and EvaluationPeriods.");
  }
  if (!r.threshold.has_value()) return CloudWatchMissing("Threshold");
  if (!std::isfinite(*r.threshold)) {
    return CloudWatchInvalid("The parameter Threshold must be a finite number.");
  }
  metrics_internal::TreatMissingData treat = metrics_internal::TreatMissingData::kMissing;
  if (!r.treat_missing_data.empty()) {
    std::optional<metrics_internal::TreatMissingData> t =
        metrics_internal::ParseTreatMissingData(r.treat_missing_data);
    if (!t) {
      return CloudWatchInvalid(
          "The parameter TreatMissingData must be a value in the set [ breaching, notBreaching, "
          "ignore, missing ].");
    }
    treat = *t;
  }
  if (!r.evaluate_low_sample_count_percentile.empty() &&
      r.evaluate_low_sample_count_percentile != "evaluate" &&
      r.evaluate_low_sample_count_percentile != "ignore") {
    return CloudWatchInvalid(
        "The parameter EvaluateLowSampleCountPercentile must be a value in the set [ evaluate, "
        "ignore ].");
  }
  if (absl::Status s = CheckAlarmActions(r); !s.ok()) return s;
  absl::StatusOr<metrics_internal::Dimensions> dims = CheckDimensions(r.dimensions, "Dimensions");
  if (!dims.ok()) return dims.status();
  if (absl::Status s = CheckUnit(r.unit, "Unit"); !s.ok()) return s;
  absl::StatusOr<std::vector<cloudwatch::Tag>> tags = CheckedTags(r.tags);
  if (!tags.ok()) return tags.status();

  auto alarm = std::make_unique<Alarm>();
  alarm->name = r.alarm_name;
  alarm->arn = AlarmArn(r.alarm_name);
  alarm->description = r.alarm_description;
  alarm->actions_enabled = r.actions_enabled.value_or(true);
  alarm->ok_actions = r.ok_actions;
  alarm->alarm_actions = r.alarm_actions;
  alarm->insufficient_data_actions = r.insufficient_data_actions;
  alarm->key = {r.metric_namespace, r.metric_name, *std::move(dims)};
  alarm->dimensions = r.dimensions;
  alarm->stat = *stat;
  alarm->statistic = r.statistic;
  alarm->extended_statistic = r.extended_statistic;
  alarm->period = period;
  alarm->unit = r.unit;
  alarm->rule = {.evaluation_periods = *r.evaluation_periods,
                 .datapoints_to_alarm = datapoints,
                 .comparison = *comparison,
                 .threshold = *r.threshold,
                 .treat_missing_data = treat};
  alarm->comparison_operator = r.comparison_operator;
  // AWS describes DatapointsToAlarm and TreatMissingData only when they were
  // given (LocalStack test_describe_minimal_metric_alarm, AWS-validated).
  alarm->treat_missing_data = r.treat_missing_data;
  alarm->datapoints_to_alarm_given = r.datapoints_to_alarm.has_value();
  alarm->evaluate_low_sample_count_percentile = r.evaluate_low_sample_count_percentile;
  alarm->tags = *std::move(tags);
  return alarm;
}

absl::Status CloudWatchService::PutMetricAlarm(const cloudwatch::PutMetricAlarmRequest& r) {
  absl::StatusOr<std::unique_ptr<Alarm>> made = MakeAlarm(r);
  if (!made.ok()) return made.status();
  std::unique_ptr<Alarm> alarm = *std::move(made);
  const absl::Time now = options_.clock->Now();
  const uint64_t since = Mark();
  std::vector<PendingAction> actions;
  {
    MutexLock lock(&mu_);
    if (absl::StatusOr<Alarm*> put = StoreAlarmLocked(std::move(alarm), now, actions); !put.ok()) {
      return put.status();
    }
    // (Re)schedule: an earlier first evaluation, or a 10 s step for a
    // high-resolution alarm.
    if (!shutdown_) {
      if (tick_.has_value()) options_.scheduler->Cancel(*tick_);
      tick_.reset();
      ScheduleTickLocked(now - absl::Nanoseconds(1));
    }
  }
  absl::Status committed = Commit(since);
  RunActions(std::move(actions));
  return committed;
}

void CloudWatchService::ScheduleTickLocked(absl::Time after) {
  if (shutdown_) return;
  int64_t step = 0;  // None while no metric alarm exists.
  for (const auto& [name, a] : alarms_) {
    if (a->composite) continue;
    if (step == 0) step = 60;
    if (a->period < 60) step = 10;
  }
  if (step == 0) return;
  // The first multiple of `step` seconds strictly after `after`.
  const int64_t s = absl::ToInt64Seconds(absl::Floor(after - absl::UnixEpoch(), absl::Seconds(1)));
  int64_t next = s - (s % step + step) % step + step;
  const absl::Time at = absl::FromUnixSeconds(next);
  tick_at_ = at;
  tick_ = options_.scheduler->ScheduleAt(at, [this, at] { Tick(at); });
}

void CloudWatchService::Tick(absl::Time at) {
  std::vector<PendingAction> actions;
  {
    MutexLock lock(&mu_);
    tick_.reset();
    if (shutdown_) return;
    const int64_t second = absl::ToUnixSeconds(at);
    for (auto& [name, alarm] : alarms_) {
      // Minute-or-longer periods every 60 s; 10 s and 30 s ones every 10 s.
      if (alarm->composite) continue;  // Evaluated when a child changes.
      if (second % 60 == 0 || alarm->period < 60) Evaluate(*alarm, at, actions);
    }
    ScheduleTickLocked(at);
  }
  RunActions(std::move(actions));
}

void CloudWatchService::Evaluate(Alarm& alarm, absl::Time at, std::vector<PendingAction>& actions) {
  const int64_t period = alarm.period;
  const int range_size = metrics_internal::EvaluationRange(alarm.rule.evaluation_periods);
  const int64_t end = absl::ToUnixSeconds(at);
  const int64_t start = end - range_size * period;

  // The statistic of each period in the range, oldest first.
  AlarmRange r{start, period, std::vector<std::optional<PeriodStats>>(range_size),
               std::vector<std::optional<double>>(range_size)};
  for (const auto& series : options_.store->Find(alarm.key)) {
    if (!alarm.unit.empty() && series->unit() != alarm.unit) continue;
    for (PeriodStats& p : series->Aggregate(start, end, period)) {
      const int64_t i = (absl::ToUnixSeconds(p.start) - start) / period;
      if (i < 0 || i >= range_size) continue;
      if (!r.periods[i].has_value()) {
        r.periods[i] = std::move(p);
      } else {
        r.periods[i]->sample.Merge(p.sample);
        r.periods[i]->values.reset();  // Units mixed: no percentiles.
      }
    }
  }
  bool low_sample = false;
  for (int i = 0; i < range_size; ++i) {
    if (!r.periods[i].has_value()) continue;
    r.values[i] = StatValue(alarm.stat, *r.periods[i]);
    if (alarm.stat.kind == Stat::kPercentile && r.values[i].has_value()) {
      // CloudWatch's low sample count: under 10 / (1 - p) samples (p >= 0.5),
      // or 10 / p.
      const double p = alarm.stat.percentile / 100;
      const double needed = p >= 0.5 ? 10 / std::max(1 - p, 1e-9) : 10 / std::max(p, 1e-9);
      low_sample = low_sample || r.periods[i]->sample.count < needed;
    }
  }
  const AlarmDecision d = EvaluateAlarm(r.values, alarm.rule, alarm.state);
  if (low_sample && alarm.evaluate_low_sample_count_percentile == "ignore") return;
  if (d.state == alarm.state) return;
  Transition(alarm, d.state, Truncated(AlarmStateReason(alarm, r, d), kMaxReason),
             Truncated(AlarmStateReasonData(alarm, r, d, at), kMaxReasonData), at, actions);
}

void CloudWatchService::EvaluateComposite(Alarm& alarm, std::vector<TriggeringAlarm> triggering,
                                          absl::Time at, std::vector<PendingAction>& actions) {
  // A cycle (the alarm's own change led here) or a chain too deep: stop, as
  // AWS stops evaluating a cycle.
  if (evaluating_.size() >= kMaxCompositeDepth ||
      std::find(evaluating_.begin(), evaluating_.end(), &alarm) != evaluating_.end()) {
    return;
  }
  evaluating_.push_back(&alarm);
  absl::Cleanup done = [&]() ABSL_NO_THREAD_SAFETY_ANALYSIS { evaluating_.pop_back(); };
  // mu_ is held throughout (the analysis does not follow into lambdas).
  const bool holds = EvaluateAlarmRule(
      alarm.parsed_rule, [&](const std::string& name) ABSL_NO_THREAD_SAFETY_ANALYSIS {
        auto it = alarms_.find(name);
        return it == alarms_.end() ? AlarmState::kInsufficientData : it->second->state;
      });
  const AlarmState state = holds ? AlarmState::kAlarm : AlarmState::kOk;
  if (state == alarm.state) return;
  // Whole JSON within StateReasonData's bound: fewer children rather than a cut.
  std::string data = CompositeStateReasonData(triggering);
  while (data.size() > kMaxReasonData && !triggering.empty()) {
    triggering.pop_back();
    data = CompositeStateReasonData(triggering);
  }
  alarm.triggering = std::move(triggering);
  Transition(alarm, state, Truncated(CompositeStateReason(alarm.triggering), kMaxReason),
             std::move(data), at, actions);
}

void CloudWatchService::QueueEventLocked(const Alarm& alarm, std::string_view detail_type,
                                         std::string detail, absl::Time at,
                                         std::vector<PendingAction>& actions) {
  PendingAction event{alarm.name,
                      std::string(TypeName(alarm)),
                      alarm.arn,
                      std::string(detail_type),
                      std::move(detail),
                      false,
                      true,
                      at,
                      at};
  actions.push_back(std::move(event));
}

void CloudWatchService::Transition(Alarm& alarm, AlarmState state, std::string reason,
                                   std::string reason_data, absl::Time at,
                                   std::vector<PendingAction>& actions) {
  const AlarmState old = alarm.state;
  const std::string old_reason = alarm.state_reason;
  const std::string old_data = alarm.state_reason_data;
  const absl::Time old_at = alarm.state_updated;
  alarm.state = state;
  alarm.state_reason = std::move(reason);
  alarm.state_reason_data = std::move(reason_data);
  alarm.state_updated = at;
  alarm.state_transitioned = at;
  const bool held = !alarm.suppressor.empty() && HoldActionsLocked(alarm, old, old_reason, at);
  PersistAlarmLocked(alarm);
  AddHistory({.alarm_name = alarm.name,
              .alarm_type = std::string(TypeName(alarm)),
              .timestamp = at,
              .history_item_type = "StateUpdate",
              .history_summary =
                  absl::StrCat("Alarm updated from ", StateName(old), " to ", StateName(state)),
              .history_data = [&] {
                // With the reason data when it fits whole: a cut would not be JSON.
                std::string data = AlarmStateHistoryData(old, old_reason, alarm, true);
                if (data.size() > kMaxHistoryData) {
                  data = AlarmStateHistoryData(old, old_reason, alarm, false);
                }
                return Truncated(std::move(data), kMaxHistoryData);
              }()});

  // CloudWatch sends EventBridge every state change, actions enabled or not
  // (the User Guide's "Alarm events and EventBridge").
  if (options_.put_event) {
    QueueEventLocked(alarm, kStateChangeEvent,
                     AlarmStateChangeDetail(alarm, old, old_reason, old_data, old_at, at), at,
                     actions);
  }
  if (!held) QueueActionsLocked(alarm, old, old_reason, at, at, actions);

  // The composite alarms this one suppresses, when it goes into or out of
  // ALARM.
  if ((old == AlarmState::kAlarm) != (state == AlarmState::kAlarm)) {
    for (auto& [name, other] : alarms_) {
      if (other->composite && other->suppressor == alarm.name) {
        SuppressorChangedLocked(*other, state == AlarmState::kAlarm, at, actions);
      }
    }
  }

  // The composite alarms naming this one, with it as their trigger.
  for (auto& [name, parent] : alarms_) {
    if (!parent->composite || std::find(parent->children.begin(), parent->children.end(),
                                        alarm.name) == parent->children.end()) {
      continue;
    }
    EvaluateComposite(*parent, {{alarm.arn, alarm.state, alarm.state_updated}}, at, actions);
  }
}

void CloudWatchService::QueueActionsLocked(const Alarm& alarm, AlarmState old,
                                           std::string_view old_reason, absl::Time changed,
                                           absl::Time now, std::vector<PendingAction>& actions) {
  if (!alarm.actions_enabled) return;
  const std::vector<std::string>& arns = alarm.state == AlarmState::kAlarm ? alarm.alarm_actions
                                         : alarm.state == AlarmState::kOk
                                             ? alarm.ok_actions
                                             : alarm.insufficient_data_actions;
  for (const std::string& arn : arns) {
    PendingAction a{alarm.name, std::string(TypeName(alarm)), arn, {}, {}, false, false, now,
                    changed};
    if (AlarmActionKindOf(arn) == AlarmActionKind::kLambda) {
      a.lambda = true;
      a.message =
          AlarmLambdaEvent(alarm, old, old_reason, changed, options_.region, options_.account_id);
    } else {
      a.subject = AlarmNotificationSubject(alarm, options_.region);
      a.message =
          AlarmNotificationMessage(alarm, old, changed, options_.region, options_.account_id);
    }
    actions.push_back(std::move(a));
  }
}

bool CloudWatchService::HoldActionsLocked(Alarm& alarm, AlarmState old, std::string_view old_reason,
                                          absl::Time at) {
  if (SuppressorInAlarmLocked(alarm)) {
    CancelSuppressionTaskLocked(alarm);
    alarm.suppressed_by = Alarm::Suppression::kAlarm;
  } else if (alarm.suppressor_wait_period > absl::ZeroDuration()) {
    // A new one, in place of one under way (the User Guide's examples 3, 6).
    StartSuppressionPeriodLocked(alarm, Alarm::Suppression::kWaitPeriod,
                                 at + alarm.suppressor_wait_period);
  } else {
    CancelSuppressionTaskLocked(alarm);
    alarm.suppressed_by = Alarm::Suppression::kNone;
    alarm.actions_held = false;
    return false;
  }
  // The actions of an earlier change still held are dropped: only the latest
  // change's run (the User Guide's example 3).
  alarm.actions_held = true;
  alarm.held_from = old;
  alarm.held_from_reason = std::string(old_reason);
  return true;
}

void CloudWatchService::SuppressorChangedLocked(Alarm& alarm, bool in_alarm, absl::Time at,
                                                std::vector<PendingAction>& actions) {
  if (in_alarm) {
    // A WaitPeriod under way is discarded (the User Guide's example 2).
    CancelSuppressionTaskLocked(alarm);
    alarm.suppressed_by = Alarm::Suppression::kAlarm;
  } else if (alarm.suppressed_by == Alarm::Suppression::kAlarm) {
    if (alarm.suppressor_extension_period > absl::ZeroDuration()) {
      StartSuppressionPeriodLocked(alarm, Alarm::Suppression::kExtensionPeriod,
                                   at + alarm.suppressor_extension_period);
    } else {
      EndSuppressionLocked(alarm, at, actions);
    }
  }
  PersistAlarmLocked(alarm);
}

void CloudWatchService::SettleSuppressionLocked(Alarm& alarm, absl::Time at,
                                                std::vector<PendingAction>& actions) {
  if (alarm.InSuppressionPeriod()) return;
  if (SuppressorInAlarmLocked(alarm)) {
    alarm.suppressed_by = Alarm::Suppression::kAlarm;
  } else {
    EndSuppressionLocked(alarm, at, actions);
  }
  PersistAlarmLocked(alarm);
}

bool CloudWatchService::SuppressorInAlarmLocked(const Alarm& alarm) const {
  if (alarm.suppressor.empty()) return false;
  auto it = alarms_.find(alarm.suppressor);
  return it != alarms_.end() && it->second->state == AlarmState::kAlarm;
}

void CloudWatchService::StartSuppressionPeriodLocked(Alarm& alarm, Alarm::Suppression period,
                                                     absl::Time until) {
  CancelSuppressionTaskLocked(alarm);
  alarm.suppressed_by = period;
  alarm.suppressed_until = until;
  if (shutdown_) return;
  alarm.suppression_task = options_.scheduler->ScheduleAt(
      until, [this, name = alarm.name, until] { SuppressionPeriodEnds(name, until); });
}

void CloudWatchService::EndSuppressionLocked(Alarm& alarm, absl::Time at,
                                             std::vector<PendingAction>& actions) {
  CancelSuppressionTaskLocked(alarm);
  alarm.suppressed_by = Alarm::Suppression::kNone;
  if (!alarm.actions_held) return;
  // "Composite alarms take actions that are based on their current states
  // when ExtensionPeriod and WaitPeriod become inactive" (the User Guide).
  alarm.actions_held = false;
  QueueActionsLocked(alarm, alarm.held_from, alarm.held_from_reason, alarm.state_transitioned, at,
                     actions);
}

void CloudWatchService::CancelSuppressionTaskLocked(Alarm& alarm) {
  if (alarm.suppression_task.has_value()) options_.scheduler->Cancel(*alarm.suppression_task);
  alarm.suppression_task.reset();
}

void CloudWatchService::SuppressionPeriodEnds(const std::string& name, absl::Time until) {
  std::vector<PendingAction> actions;
  {
    MutexLock lock(&mu_);
    if (shutdown_) return;
    auto it = alarms_.find(name);
    if (it == alarms_.end()) return;
    Alarm& a = *it->second;
    if (!a.InSuppressionPeriod() || a.suppressed_until != until) return;  // Cut short since.
    a.suppression_task.reset();
    EndSuppressionLocked(a, until, actions);
    PersistAlarmLocked(a);  // Written behind, as an evaluation's state.
  }
  RunActions(std::move(actions));
}

void CloudWatchService::AddHistory(cloudwatch::AlarmHistoryItem item) {
  const absl::Time oldest = item.timestamp - kHistoryRetention;
  while (!history_.empty() &&
         (history_.size() >= kMaxHistory || history_.front().timestamp < oldest)) {
    history_.pop_front();
  }
  history_.push_back(std::move(item));
}

void CloudWatchService::RunActions(std::vector<PendingAction> actions) {
  for (PendingAction& a : actions) {
    if (a.event) {
      options_.put_event(a.subject, std::move(a.arn), std::move(a.message));
      continue;
    }
    absl::Status status;
    if (a.lambda) {
      status = options_.invoke_function
                   ? options_.invoke_function(a.arn, std::move(a.message))
                   : MakeError(ErrorCode::kInternalFailure, "Lambda functions are not available.");
    } else if (options_.sns != nullptr) {
      sns::PublishRequest publish;
      publish.topic_arn = a.arn;
      publish.message = a.message;
      publish.subject = a.subject;
      status = options_.sns->Publish(publish).status();
    } else {
      status = MakeError(ErrorCode::kInternalFailure, "SNS is not available.");
    }
    MutexLock lock(&mu_);
    AddHistory(
        {.alarm_name = a.alarm_name,
         .alarm_type = a.alarm_type,
         .timestamp = a.when,
         .history_item_type = "Action",
         .history_summary =
             Truncated(status.ok() ? absl::StrCat("Successfully executed action ", a.arn)
                                   : absl::StrCat("Failed to execute action ", a.arn,
                                                  ". Received error: \"", status.message(), "\""),
                       255),
         .history_data = Truncated(
             AlarmActionHistoryData(a.changed, a.arn, status.ok() ? "" : Std(status.message())),
             kMaxHistoryData)});
  }
}

absl::StatusOr<cloudwatch::DescribeAlarmsResult> CloudWatchService::DescribeAlarms(
    const cloudwatch::DescribeAlarmsRequest& r) {
  if (r.alarm_names.size() > 100) {
    return CloudWatchInvalid("The collection AlarmNames must not have a size greater than 100.");
  }
  if (!r.alarm_names.empty() && !r.alarm_name_prefix.empty()) {
    return CloudWatchCombination(
        "The parameters AlarmNames and AlarmNamePrefix are mutually exclusive.");
  }
  if (r.alarm_name_prefix.size() > 255) {
    return CloudWatchInvalid(
        "The parameter AlarmNamePrefix must be between 1 and 255 characters long.");
  }
  if (r.action_prefix.size() > 1024) {
    return CloudWatchInvalid(
        "The parameter ActionPrefix must be between 1 and 1024 characters long.");
  }
  std::optional<AlarmState> state;
  if (!r.state_value.empty()) {
    state = metrics_internal::ParseAlarmState(r.state_value);
    if (!state) {
      return CloudWatchInvalid(
          "The parameter StateValue must be a value in the set [ OK, ALARM, INSUFFICIENT_DATA ].");
    }
  }
  bool metric_alarms = r.alarm_types.empty();
  bool composite_alarms = false;
  for (const std::string& t : r.alarm_types) {
    if (t != "MetricAlarm" && t != "CompositeAlarm") {
      return CloudWatchInvalid(
          "The parameter AlarmTypes must contain values in the set [ CompositeAlarm, MetricAlarm "
          "].");
    }
    metric_alarms = metric_alarms || t == "MetricAlarm";
    composite_alarms = composite_alarms || t == "CompositeAlarm";
  }
  const int max_records = r.max_records.value_or(50);
  if (max_records < 1 || max_records > 100) {
    return CloudWatchInvalid("The parameter MaxRecords must be between 1 and 100.");
  }
  std::string after;
  if (!r.next_token.empty()) {
    if (!absl::StartsWith(r.next_token, "alarm:")) return InvalidNextTokenError();
    after = r.next_token.substr(6);
  }
  cloudwatch::DescribeAlarmsResult result;
  MutexLock lock(&mu_);
  // ChildrenOfAlarmName, ParentsOfAlarmName: alarms of both types, those the
  // composite alarm's rule names, or the composite alarms naming the alarm.
  std::optional<std::vector<std::string>> related;
  if (!r.children_of_alarm_name.empty() || !r.parents_of_alarm_name.empty()) {
    metric_alarms = composite_alarms = true;
    related.emplace();
    if (!r.children_of_alarm_name.empty()) {
      if (auto it = alarms_.find(r.children_of_alarm_name); it != alarms_.end()) {
        *related = it->second->children;
      }
    }
    for (const auto& [name, a] : alarms_) {
      if (!r.parents_of_alarm_name.empty() && a->composite &&
          std::find(a->children.begin(), a->children.end(), r.parents_of_alarm_name) !=
              a->children.end()) {
        related->push_back(name);
      }
    }
  }
  int listed = 0;
  std::string last;
  for (auto it = after.empty() ? alarms_.begin() : alarms_.upper_bound(after); it != alarms_.end();
       ++it) {
    const Alarm& a = *it->second;
    if (!(a.composite ? composite_alarms : metric_alarms)) continue;
    if (related.has_value() &&
        std::find(related->begin(), related->end(), a.name) == related->end()) {
      continue;
    }
    if (!r.alarm_names.empty() &&
        std::find(r.alarm_names.begin(), r.alarm_names.end(), a.name) == r.alarm_names.end()) {
      continue;
    }
    if (!absl::StartsWith(a.name, r.alarm_name_prefix)) continue;
    if (state.has_value() && a.state != *state) continue;
    if (!r.action_prefix.empty()) {
      bool any = false;
      for (const auto* list : {&a.ok_actions, &a.alarm_actions, &a.insufficient_data_actions}) {
        for (const std::string& arn : *list) any = any || absl::StartsWith(arn, r.action_prefix);
      }
      if (!any) continue;
    }
    if (listed == max_records) {
      result.next_token = absl::StrCat("alarm:", last);
      break;
    }
    ++listed;
    last = a.name;
    if (a.composite) {
      result.composite_alarms.push_back(DescribeComposite(a));
    } else {
      result.metric_alarms.push_back(Describe(a));
    }
  }
  return result;
}

absl::StatusOr<cloudwatch::DescribeAlarmsForMetricResult>
CloudWatchService::DescribeAlarmsForMetric(const cloudwatch::DescribeAlarmsForMetricRequest& r) {
  if (absl::Status s = CheckMetricName(r.metric_name, "MetricName"); !s.ok()) return s;
  if (absl::Status s = CheckNamespace(r.metric_namespace, "Namespace", false); !s.ok()) return s;
  absl::StatusOr<metrics_internal::Dimensions> dims = CheckDimensions(r.dimensions, "Dimensions");
  if (!dims.ok()) return dims.status();
  cloudwatch::DescribeAlarmsForMetricResult result;
  MutexLock lock(&mu_);
  for (const auto& [name, a] : alarms_) {
    if (a->composite) continue;
    if (a->key.ns != r.metric_namespace || a->key.name != r.metric_name) continue;
    // A metric is its namespace, name and every dimension: "If the metric
    // has any associated dimensions, you must specify them" (the API
    // reference), so no dimensions names the metric that has none.
    if (a->key.dimensions != *dims) continue;
    if (!r.statistic.empty() && a->statistic != r.statistic) continue;
    if (!r.extended_statistic.empty() && a->extended_statistic != r.extended_statistic) continue;
    if (r.period.has_value() && a->period != *r.period) continue;
    if (!r.unit.empty() && a->unit != r.unit) continue;
    result.metric_alarms.push_back(Describe(*a));
  }
  return result;
}

absl::StatusOr<cloudwatch::DescribeAlarmHistoryResult> CloudWatchService::DescribeAlarmHistory(
    const cloudwatch::DescribeAlarmHistoryRequest& r) {
  if (r.alarm_name.size() > 255) {
    return CloudWatchInvalid("The parameter AlarmName must be between 1 and 255 characters long.");
  }
  // Without AlarmTypes: metric alarms' items only (DescribeAlarmHistory's
  // API reference).
  std::vector<std::string> types = r.alarm_types;
  if (types.empty()) types.push_back("MetricAlarm");
  for (const std::string& t : types) {
    if (t != "MetricAlarm" && t != "CompositeAlarm") {
      return CloudWatchInvalid(
          "The parameter AlarmTypes must contain values in the set [ CompositeAlarm, MetricAlarm "
          "].");
    }
  }
  if (!r.history_item_type.empty() && r.history_item_type != "ConfigurationUpdate" &&
      r.history_item_type != "StateUpdate" && r.history_item_type != "Action") {
    return CloudWatchInvalid(
        "The parameter HistoryItemType must be a value in the set [ ConfigurationUpdate, "
        "StateUpdate, Action ].");
  }
  const int max_records = r.max_records.value_or(100);
  if (max_records < 1 || max_records > 100) {
    return CloudWatchInvalid("The parameter MaxRecords must be between 1 and 100.");
  }
  const bool ascending = r.scan_by == "TimestampAscending";
  if (!r.scan_by.empty() && !ascending && r.scan_by != "TimestampDescending") {
    return CloudWatchInvalid(
        "The parameter ScanBy must be a value in the set [ TimestampDescending, "
        "TimestampAscending ].");
  }
  size_t offset = 0;
  if (!r.next_token.empty()) {
    std::string_view digits = std::string_view(r.next_token);
    if (!absl::StartsWith(r.next_token, "history:") || digits.size() == 8) {
      return InvalidNextTokenError();
    }
    for (char c : digits.substr(8)) {
      if (c < '0' || c > '9' || offset > 1'000'000'000) return InvalidNextTokenError();
      offset = offset * 10 + static_cast<size_t>(c - '0');
    }
  }
  cloudwatch::DescribeAlarmHistoryResult result;
  std::vector<cloudwatch::AlarmHistoryItem> matched;
  {
    MutexLock lock(&mu_);
    for (const auto& item : history_) {
      if (!r.alarm_name.empty() && item.alarm_name != r.alarm_name) continue;
      if (std::find(types.begin(), types.end(), item.alarm_type) == types.end()) continue;
      if (!r.history_item_type.empty() && item.history_item_type != r.history_item_type) continue;
      if (r.start_date.has_value() && item.timestamp < *r.start_date) continue;
      if (r.end_date.has_value() && item.timestamp >= *r.end_date) continue;
      matched.push_back(item);
    }
  }
  if (!ascending) std::reverse(matched.begin(), matched.end());
  if (offset > matched.size()) return InvalidNextTokenError();
  const size_t end = std::min(matched.size(), offset + static_cast<size_t>(max_records));
  result.alarm_history_items.assign(matched.begin() + static_cast<ptrdiff_t>(offset),
                                    matched.begin() + static_cast<ptrdiff_t>(end));
  if (end < matched.size()) result.next_token = absl::StrCat("history:", end);
  return result;
}

absl::Status CloudWatchService::DeleteAlarms(const cloudwatch::DeleteAlarmsRequest& r) {
  if (r.alarm_names.empty()) return CloudWatchMissing("AlarmNames");
  if (r.alarm_names.size() > 100) {
    return CloudWatchInvalid("The collection AlarmNames must not have a size greater than 100.");
  }
  const absl::Time now = options_.clock->Now();
  std::vector<PendingAction> actions;
  const uint64_t since = Mark();
  {
    MutexLock lock(&mu_);
    std::vector<std::string> missing;
    for (const std::string& name : r.alarm_names) {
      if (alarms_.find(name) == alarms_.end()) missing.push_back(name);
    }
    if (!missing.empty()) {
      return MakeError(
          ErrorCode::kCloudWatchResourceNotFound,
          absl::StrCat("The following alarms were not found: ", absl::StrJoin(missing, ", "), "."));
    }
    // Alarms a composite alarm that stays names.
    std::vector<std::string> needed;
    for (const std::string& name : r.alarm_names) {
      const bool parent = std::any_of(alarms_.begin(), alarms_.end(), [&](const auto& entry) {
        const Alarm& p = *entry.second;
        return p.composite &&
               std::find(p.children.begin(), p.children.end(), name) != p.children.end() &&
               std::find(r.alarm_names.begin(), r.alarm_names.end(), p.name) == r.alarm_names.end();
      });
      if (parent && std::find(needed.begin(), needed.end(), name) == needed.end()) {
        needed.push_back(name);
      }
    }
    if (!needed.empty()) {
      // AWS's words (as SDK users report them).
      return MakeError(ErrorCode::kCloudWatchValidation,
                       absl::StrCat("Cannot delete ", absl::StrJoin(needed, ","),
                                    " as there are composite alarm(s) depending on ",
                                    needed.size() == 1 ? "it." : "them."));
    }
    for (const std::string& name : r.alarm_names) {
      auto it = alarms_.find(name);
      if (it == alarms_.end()) continue;  // Named twice.
      const std::string type(TypeName(*it->second));
      if (options_.put_event) {
        QueueEventLocked(*it->second, kConfigurationChangeEvent,
                         AlarmConfigurationChangeDetail(*it->second, nullptr, "delete"), now,
                         actions);
      }
      CancelSuppressionTaskLocked(*it->second);
      EraseAlarmLocked(*it->second);
      alarms_.erase(it);
      AddHistory({.alarm_name = name,
                  .alarm_type = type,
                  .timestamp = now,
                  .history_item_type = "ConfigurationUpdate",
                  .history_summary = absl::StrCat("Alarm \"", name, "\" deleted"),
                  .history_data = "{\"version\":\"1.0\",\"type\":\"Delete\"}"});
    }
    // A suppressor deleted in ALARM has left it (wharf's choice: AWS does
    // not say).
    for (auto& [name, a] : alarms_) {
      if (a->suppressed_by == Alarm::Suppression::kAlarm && !alarms_.contains(a->suppressor)) {
        SuppressorChangedLocked(*a, false, now, actions);
      }
    }
    const bool metric_alarms = std::any_of(
        alarms_.begin(), alarms_.end(), [](const auto& entry) { return !entry.second->composite; });
    if (!metric_alarms && tick_.has_value()) {
      options_.scheduler->Cancel(*tick_);
      tick_.reset();
    }
  }
  absl::Status committed = Commit(since);
  RunActions(std::move(actions));
  return committed;
}

absl::Status CloudWatchService::SetAlarmState(const cloudwatch::SetAlarmStateRequest& r) {
  if (r.alarm_name.empty()) return CloudWatchMissing("AlarmName");
  if (r.state_value.empty()) return CloudWatchMissing("StateValue");
  std::optional<AlarmState> state = metrics_internal::ParseAlarmState(r.state_value);
  if (!state) {
    // AWS's request validation, before the alarm is looked up (LocalStack
    // test_set_alarm_invalid_input, AWS-validated).
    return MakeError(ErrorCode::kCloudWatchValidation,
                     absl::StrCat("1 validation error detected: Value '", r.state_value,
                                  "' at 'stateValue' failed to satisfy constraint: Member must "
                                  "satisfy enum value set: [INSUFFICIENT_DATA, ALARM, OK]"));
  }
  if (r.state_reason.empty()) return CloudWatchMissing("StateReason");
  if (r.state_reason.size() > 1023) {
    return CloudWatchInvalid(
        "The parameter StateReason must be between 0 and 1023 characters long.");
  }
  if (r.state_reason_data.size() > kMaxReasonData) {
    return CloudWatchInvalid(
        "The parameter StateReasonData must be between 0 and 4000 characters long.");
  }
  if (!r.state_reason_data.empty() && !IsJson(r.state_reason_data)) {
    return MakeError(ErrorCode::kCloudWatchInvalidFormat,
                     "The parameter StateReasonData must be valid JSON.");
  }
  const absl::Time now = options_.clock->Now();
  std::vector<PendingAction> actions;
  const uint64_t since = Mark();
  {
    MutexLock lock(&mu_);
    auto it = alarms_.find(r.alarm_name);
    if (it == alarms_.end()) {
      // AWS says no more than the code (LocalStack
      // test_set_alarm_invalid_input, AWS-validated).
      return MakeError(ErrorCode::kCloudWatchResourceNotFound, "");
    }
    Alarm& a = *it->second;
    if (a.state != *state) {
      a.triggering.clear();  // No child caused it.
      Transition(a, *state, r.state_reason, r.state_reason_data, now, actions);
    } else {
      a.state_reason = r.state_reason;
      a.state_reason_data = r.state_reason_data;
      a.state_updated = now;
      PersistAlarmLocked(a);
    }
  }
  // Durable before its actions run: a restart cannot undo a state they saw.
  absl::Status committed = Commit(since);
  RunActions(std::move(actions));
  return committed;
}

absl::Status CloudWatchService::EnableAlarmActions(const cloudwatch::EnableAlarmActionsRequest& r) {
  if (r.alarm_names.empty()) return CloudWatchMissing("AlarmNames");
  if (r.alarm_names.size() > 100) {
    return CloudWatchInvalid("The collection AlarmNames must not have a size greater than 100.");
  }
  const uint64_t since = Mark();
  {
    MutexLock lock(&mu_);
    for (const std::string& name : r.alarm_names) {
      if (auto it = alarms_.find(name); it != alarms_.end()) {
        it->second->actions_enabled = true;
        PersistAlarmLocked(*it->second);
      }
    }
  }
  return Commit(since);
}

absl::Status CloudWatchService::DisableAlarmActions(
    const cloudwatch::DisableAlarmActionsRequest& r) {
  if (r.alarm_names.empty()) return CloudWatchMissing("AlarmNames");
  if (r.alarm_names.size() > 100) {
    return CloudWatchInvalid("The collection AlarmNames must not have a size greater than 100.");
  }
  const uint64_t since = Mark();
  {
    MutexLock lock(&mu_);
    for (const std::string& name : r.alarm_names) {
      if (auto it = alarms_.find(name); it != alarms_.end()) {
        it->second->actions_enabled = false;
        PersistAlarmLocked(*it->second);
      }
    }
  }
  return Commit(since);
}

namespace {

// The checks every tagging operation starts with.
absl::Status CheckResourceArn(const std::string& arn) {
  if (arn.empty()) return CloudWatchMissing("ResourceARN");
  return CheckLength(arn, 1, 1024, "resourceARN");
}

absl::Status NoSuchResource(std::string_view arn) {
  return MakeError(ErrorCode::kCloudWatchResourceNotFoundException,
                   absl::StrCat("The resource ", Absl(arn), " does not exist."));
}

}  // namespace

absl::Status CloudWatchService::TagResource(const cloudwatch::TagResourceRequest& r) {
  if (absl::Status s = CheckResourceArn(r.resource_arn); !s.ok()) return s;
  if (r.tags.empty()) return CloudWatchMissing("Tags");
  if (absl::Status s = CheckTags(r.tags); !s.ok()) return s;
  const uint64_t since = Mark();
  {
    MutexLock lock(&mu_);
    Alarm* alarm = FindByArnLocked(r.resource_arn);
    if (alarm == nullptr) return NoSuchResource(r.resource_arn);
    std::vector<cloudwatch::Tag> tags = alarm->tags;
    MergeTags(tags, r.tags);
    if (tags.size() > kMaxTags) {
      return CloudWatchInvalid(absl::StrCat("The resource ", r.resource_arn, " would have ",
                                            tags.size(), " tags; at most ", kMaxTags,
                                            " are allowed."));
    }
    alarm->tags = std::move(tags);
    PersistAlarmLocked(*alarm);
  }
  return Commit(since);
}

absl::Status CloudWatchService::UntagResource(const cloudwatch::UntagResourceRequest& r) {
  if (absl::Status s = CheckResourceArn(r.resource_arn); !s.ok()) return s;
  if (r.tag_keys.empty()) return CloudWatchMissing("TagKeys");
  const uint64_t since = Mark();
  {
    MutexLock lock(&mu_);
    Alarm* alarm = FindByArnLocked(r.resource_arn);
    if (alarm == nullptr) return NoSuchResource(r.resource_arn);
    std::erase_if(alarm->tags, [&](const cloudwatch::Tag& t) {
      return std::find(r.tag_keys.begin(), r.tag_keys.end(), t.key) != r.tag_keys.end();
    });
    PersistAlarmLocked(*alarm);
  }
  return Commit(since);
}

absl::StatusOr<cloudwatch::ListTagsForResourceResult> CloudWatchService::ListTagsForResource(
    const cloudwatch::ListTagsForResourceRequest& r) {
  if (absl::Status s = CheckResourceArn(r.resource_arn); !s.ok()) return s;
  cloudwatch::ListTagsForResourceResult result;
  MutexLock lock(&mu_);
  // No alarm: no tags, not an error (a deleted alarm's ARN: LocalStack
  // test_tagging_metric_alarm, AWS-validated).
  if (const Alarm* alarm = FindByArnLocked(r.resource_arn); alarm != nullptr) {
    result.tags = alarm->tags;
  }
  return result;
}

void CloudWatchService::Shutdown() {
  MutexLock lock(&mu_);
  shutdown_ = true;
  if (tick_.has_value()) options_.scheduler->Cancel(*tick_);
  tick_.reset();
  for (auto& [name, a] : alarms_) CancelSuppressionTaskLocked(*a);
}

}  // namespace wharf::service_internal
