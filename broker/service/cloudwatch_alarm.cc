#include "broker/service/cloudwatch_alarm.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace wharf::service_internal {
namespace {

using metrics_internal::AlarmDecision;
using metrics_internal::AlarmState;
using metrics_internal::AlarmStateName;
using metrics_internal::Comparison;
using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

constexpr size_t kMaxSubject = 99;  // SNS: 1-99 characters.

absl::string_view Absl(std::string_view s) { return absl::string_view(s.data(), s.size()); }
absl::string_view StateName(AlarmState s) { return Absl(AlarmStateName(s)); }

void Key(Writer& w, std::string_view k) {
  w.Key(k.data(), static_cast<rapidjson::SizeType>(k.size()));
}
void String(Writer& w, std::string_view v) {
  w.String(v.data(), static_cast<rapidjson::SizeType>(v.size()));
}
void StringOrNull(Writer& w, std::string_view v) {
  if (v.empty()) {
    w.Null();
  } else {
    String(w, v);
  }
}
void Strings(Writer& w, const std::vector<std::string>& v) {
  w.StartArray();
  for (const std::string& s : v) String(w, s);
  w.EndArray();
}
std::string Text(const rapidjson::StringBuffer& buf) {
  return std::string(buf.GetString(), buf.GetSize());
}

// The display name CloudWatch puts in notifications ("US East (N. Virginia)").
std::string_view RegionDisplayName(std::string_view region) {
  static constexpr std::pair<std::string_view, std::string_view> kNames[] = {
      {"us-east-1", "US East (N. Virginia)"},
      {"us-east-2", "US East (Ohio)"},
      {"us-west-1", "US West (N. California)"},
      {"us-west-2", "US West (Oregon)"},
      {"ca-central-1", "Canada (Central)"},
      {"eu-west-1", "EU (Ireland)"},
      {"eu-west-2", "EU (London)"},
      {"eu-west-3", "EU (Paris)"},
      {"eu-central-1", "EU (Frankfurt)"},
      {"eu-north-1", "EU (Stockholm)"},
      {"ap-south-1", "Asia Pacific (Mumbai)"},
      {"ap-northeast-1", "Asia Pacific (Tokyo)"},
      {"ap-northeast-2", "Asia Pacific (Seoul)"},
      {"ap-southeast-1", "Asia Pacific (Singapore)"},
      {"ap-southeast-2", "Asia Pacific (Sydney)"},
      {"sa-east-1", "South America (Sao Paulo)"},
  };
  for (const auto& [code, name] : kNames) {
    if (code == region) return name;
  }
  return region;
}

// "SampleCount" -> "SAMPLE_COUNT", as in notifications' Trigger.Statistic.
std::string UpperStatistic(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c >= 'A' && c <= 'Z' && !out.empty()) out += '_';
    out += static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  }
  return out;
}

std::string_view ComparisonWords(Comparison c) {
  switch (c) {
    case Comparison::kGreaterThanOrEqualTo:
      return "greater than or equal to";
    case Comparison::kGreaterThan:
      return "greater than";
    case Comparison::kLessThan:
      return "less than";
    case Comparison::kLessThanOrEqualTo:
      return "less than or equal to";
  }
  return "";
}

std::string Plural(int n, std::string_view one, std::string_view many) {
  return absl::StrCat(n, " ", n == 1 ? Absl(one) : Absl(many));
}

absl::Time PeriodStart(const AlarmRange& range, int i) {
  return absl::FromUnixSeconds(range.start + i * range.period);
}

}  // namespace

std::string Truncated(std::string s, size_t max) {
  if (s.size() > max) s.resize(max);
  return s;
}

std::string AlarmStateReason(const CloudWatchAlarm& alarm, const AlarmRange& range,
                             const AlarmDecision& d) {
  std::vector<int> real;  // Evaluated datapoints that exist, oldest first.
  for (int i : d.evaluated) {
    if (range.values[i].has_value()) real.push_back(i);
  }
  const int n = alarm.rule.evaluation_periods;
  if (d.state == AlarmState::kInsufficientData) {
    const int unknown = n - static_cast<int>(real.size());
    return absl::StrCat("Insufficient Data: ", Plural(unknown, "datapoint was", "datapoints were"),
                        " unknown.");
  }
  const bool alarming = d.state == AlarmState::kAlarm;
  if (real.empty()) {
    return absl::StrCat("Threshold Crossed: no datapoints were received for ",
                        Plural(n, "period", "periods"), " and ",
                        Plural(d.filled, "missing datapoint was", "missing datapoints were"),
                        " treated as [", alarming ? "Breaching" : "NonBreaching", "].");
  }
  std::vector<std::string> items;  // Newest first, those on the side of the new state.
  for (auto it = real.rbegin(); it != real.rend(); ++it) {
    const double v = *range.values[*it];
    if (metrics_internal::Breaches(alarm.rule.comparison, v, alarm.rule.threshold) != alarming) {
      continue;
    }
    items.push_back(
        absl::StrCat(ReasonNumber(v), " (", ReasonTimestamp(PeriodStart(range, *it)), ")"));
  }
  const int count = alarming ? d.breaching : n - d.breaching;
  if (!alarm.datapoints_to_alarm_given) {
    // Without DatapointsToAlarm AWS writes the short form (LocalStack
    // test_put_metric_alarm and test_alarm_number_of_messages_sent,
    // AWS-validated).
    return absl::StrCat("Threshold Crossed: ", Plural(count, "datapoint", "datapoints"), " [",
                        absl::StrJoin(items, ", "), "] ", count == 1 ? "was " : "were ",
                        alarming ? "" : "not ", Absl(ComparisonWords(alarm.rule.comparison)),
                        " the threshold (", ReasonNumber(alarm.rule.threshold), ").");
  }
  const int minimum =
      alarming ? alarm.rule.datapoints_to_alarm : n - alarm.rule.datapoints_to_alarm + 1;
  // CloudWatch writes "out of the last 1 datapoints": always plural there.
  return absl::StrCat("Threshold Crossed: ", count, " out of the last ", n, " datapoints [",
                      absl::StrJoin(items, ", "), "] ", count == 1 ? "was " : "were ",
                      alarming ? "" : "not ", Absl(ComparisonWords(alarm.rule.comparison)),
                      " the threshold (", ReasonNumber(alarm.rule.threshold), ") (minimum ",
                      Plural(minimum, "datapoint", "datapoints"), " for ", StateName(alarm.state),
                      " -> ", StateName(d.state), " transition).");
}

std::string AlarmStateReasonData(const CloudWatchAlarm& alarm, const AlarmRange& range,
                                 const AlarmDecision& d, absl::Time at) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  Key(w, "version");
  String(w, "1.0");
  Key(w, "queryDate");
  String(w, AlarmTimestamp(at));
  // Only with datapoints to start from (LocalStack
  // test_breaching_alarm_actions, AWS-validated).
  if (std::any_of(d.evaluated.begin(), d.evaluated.end(),
                  [&](int i) { return range.values[i].has_value(); })) {
    Key(w, "startDate");
    String(w, AlarmTimestamp(PeriodStart(range, d.evaluated.front())));
  }
  Key(w, alarm.stat.kind == Stat::kPercentile ? "extendedStatistic" : "statistic");
  String(w, alarm.stat.name);
  if (!alarm.unit.empty()) {
    Key(w, "unit");
    String(w, alarm.unit);
  }
  Key(w, "period");
  w.Int64(range.period);
  Key(w, "recentDatapoints");
  w.StartArray();
  for (int i : d.evaluated) {
    if (range.values[i].has_value()) w.Double(*range.values[i]);
  }
  w.EndArray();
  Key(w, "threshold");
  w.Double(alarm.rule.threshold);
  Key(w, "evaluatedDatapoints");
  w.StartArray();
  for (auto it = d.evaluated.rbegin(); it != d.evaluated.rend(); ++it) {
    w.StartObject();
    Key(w, "timestamp");
    String(w, AlarmTimestamp(PeriodStart(range, *it)));
    if (range.values[*it].has_value()) {
      Key(w, "sampleCount");
      w.Double(range.periods[*it]->sample.count);
      Key(w, "value");
      w.Double(*range.values[*it]);
    }
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return Text(buf);
}

std::string CompositeStateReason(const std::vector<TriggeringAlarm>& triggering) {
  std::vector<std::string> parts;
  for (const TriggeringAlarm& t : triggering) {
    // As AWS words it (a composite alarm's StateReason as DescribeAlarms
    // returns it).
    parts.push_back(absl::StrCat(
        t.arn, " transitioned to ", StateName(t.state), " at ",
        absl::FormatTime("%A %d %B, %Y %H:%M:%S UTC", t.timestamp, absl::UTCTimeZone())));
  }
  return absl::StrJoin(parts, ", ");
}

std::string CompositeStateReasonData(const std::vector<TriggeringAlarm>& triggering) {
  // LocalStack test_trigger_composite_alarm, AWS-validated.
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  Key(w, "triggeringAlarms");
  w.StartArray();
  for (const TriggeringAlarm& t : triggering) {
    w.StartObject();
    Key(w, "arn");
    String(w, t.arn);
    Key(w, "state");
    w.StartObject();
    Key(w, "value");
    String(w, AlarmStateName(t.state));
    Key(w, "timestamp");
    String(w, AlarmTimestamp(t.timestamp));
    w.EndObject();
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return Text(buf);
}

std::string AlarmStateHistoryData(AlarmState old, std::string_view old_reason,
                                  const CloudWatchAlarm& now, bool with_reason_data) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  Key(w, "version");
  String(w, "1.0");
  Key(w, "oldState");
  w.StartObject();
  Key(w, "stateValue");
  String(w, AlarmStateName(old));
  Key(w, "stateReason");
  String(w, old_reason);
  w.EndObject();
  Key(w, "newState");
  w.StartObject();
  Key(w, "stateValue");
  String(w, AlarmStateName(now.state));
  Key(w, "stateReason");
  String(w, now.state_reason);
  // The evaluation's data, as an object (LocalStack test_put_metric_alarm,
  // AWS-validated).
  if (with_reason_data && !now.state_reason_data.empty()) {
    Key(w, "stateReasonData");
    w.RawValue(now.state_reason_data.data(), now.state_reason_data.size(), rapidjson::kObjectType);
  }
  // Actions held back: as the alarm's state change event names them
  // (actionsSuppressedBy, actionsSuppressedReason); their place here is
  // wharf's (not recorded from AWS).
  if (now.actions_held) {
    Key(w, "actionsSuppressedBy");
    String(w, SuppressionName(now.suppressed_by));
    Key(w, "actionsSuppressedReason");
    String(w, ActionsSuppressedReason(now.suppressed_by));
  }
  w.EndObject();
  w.EndObject();
  return Text(buf);
}

std::string_view SuppressionName(CloudWatchAlarm::Suppression s) {
  switch (s) {
    case CloudWatchAlarm::Suppression::kNone:
      return "";
    case CloudWatchAlarm::Suppression::kWaitPeriod:
      return "WaitPeriod";
    case CloudWatchAlarm::Suppression::kExtensionPeriod:
      return "ExtensionPeriod";
    case CloudWatchAlarm::Suppression::kAlarm:
      return "Alarm";
  }
  return "";
}

std::string ActionsSuppressedReason(CloudWatchAlarm::Suppression s) {
  return s == CloudWatchAlarm::Suppression::kNone
             ? ""
             : absl::StrCat("Actions suppressed by ", Absl(SuppressionName(s)));
}

std::string AlarmActionHistoryData(absl::Time when, std::string_view arn, std::string_view error) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  Key(w, "actionState");
  String(w, error.empty() ? "Succeeded" : "Failed");
  Key(w, "stateUpdateTimestamp");
  String(w, AlarmTimestamp(when));
  Key(w, "notificationResource");
  String(w, arn);
  if (!error.empty()) {
    Key(w, "error");
    String(w, error);
  }
  w.EndObject();
  return Text(buf);
}

std::string AlarmNotificationSubject(const CloudWatchAlarm& alarm, std::string_view region) {
  return Truncated(absl::StrCat(StateName(alarm.state), ": \"", alarm.name, "\" in ",
                                Absl(RegionDisplayName(region))),
                   kMaxSubject);
}

std::string AlarmNotificationMessage(const CloudWatchAlarm& alarm, AlarmState old, absl::Time at,
                                     std::string_view region, std::string_view account_id) {
  rapidjson::StringBuffer buf;
  Writer n(buf);
  n.StartObject();
  Key(n, "AlarmName");
  String(n, alarm.name);
  Key(n, "AlarmDescription");
  StringOrNull(n, alarm.description);
  Key(n, "AWSAccountId");
  String(n, account_id);
  Key(n, "AlarmConfigurationUpdatedTimestamp");
  String(n, AlarmTimestamp(alarm.configuration_updated));
  Key(n, "NewStateValue");
  String(n, AlarmStateName(alarm.state));
  Key(n, "NewStateReason");
  String(n, alarm.state_reason);
  Key(n, "StateChangeTime");
  String(n, AlarmTimestamp(at));
  Key(n, "Region");
  String(n, RegionDisplayName(region));
  Key(n, "AlarmArn");
  String(n, alarm.arn);
  Key(n, "OldStateValue");
  String(n, AlarmStateName(old));
  // No mute rules here: always false (LocalStack test_put_metric_alarm,
  // AWS-validated).
  Key(n, "ActionExecutedAfterMuteWindow");
  n.Bool(false);
  Key(n, "OKActions");
  Strings(n, alarm.ok_actions);
  Key(n, "AlarmActions");
  Strings(n, alarm.alarm_actions);
  Key(n, "InsufficientDataActions");
  Strings(n, alarm.insufficient_data_actions);
  if (alarm.composite) {
    // The fields LocalStack test_trigger_composite_alarm (AWS-validated)
    // reads: NewStateValue, AlarmName, AlarmDescription, TriggeringChildren.
    Key(n, "AlarmRule");
    String(n, alarm.alarm_rule);
    Key(n, "TriggeringChildren");
    n.StartArray();
    for (const TriggeringAlarm& t : alarm.triggering) {
      n.StartObject();
      Key(n, "Arn");
      String(n, t.arn);
      Key(n, "State");
      n.StartObject();
      Key(n, "Value");
      String(n, AlarmStateName(t.state));
      Key(n, "Timestamp");
      String(n, AlarmTimestamp(t.timestamp));
      n.EndObject();
      n.EndObject();
    }
    n.EndArray();
    n.EndObject();
    return Text(buf);
  }
  Key(n, "Trigger");
  n.StartObject();
  Key(n, "MetricName");
  String(n, alarm.key.name);
  Key(n, "Namespace");
  String(n, alarm.key.ns);
  Key(n, "StatisticType");
  if (alarm.stat.kind == Stat::kPercentile) {
    String(n, "ExtendedStatistic");
    Key(n, "ExtendedStatistic");
    String(n, alarm.extended_statistic);
  } else {
    String(n, "Statistic");
    Key(n, "Statistic");
    String(n, UpperStatistic(alarm.statistic));
  }
  Key(n, "Unit");
  StringOrNull(n, alarm.unit);
  Key(n, "Dimensions");
  n.StartArray();
  for (const cloudwatch::Dimension& dim : alarm.dimensions) {
    n.StartObject();
    Key(n, "value");
    String(n, dim.value);
    Key(n, "name");
    String(n, dim.name);
    n.EndObject();
  }
  n.EndArray();
  Key(n, "Period");
  n.Int(alarm.period);
  Key(n, "EvaluationPeriods");
  n.Int(alarm.rule.evaluation_periods);
  if (alarm.datapoints_to_alarm_given) {  // As AWS (LocalStack test_set_alarm, AWS-validated).
    Key(n, "DatapointsToAlarm");
    n.Int(alarm.rule.datapoints_to_alarm);
  }
  Key(n, "ComparisonOperator");
  String(n, alarm.comparison_operator);
  Key(n, "Threshold");
  n.Double(alarm.rule.threshold);
  Key(n, "TreatMissingData");
  String(n, alarm.treat_missing_data.empty() ? "missing" : alarm.treat_missing_data);
  Key(n, "EvaluateLowSampleCountPercentile");
  String(n, alarm.evaluate_low_sample_count_percentile);
  n.EndObject();
  n.EndObject();
  return Text(buf);
}

namespace {

// A composite alarm's actions suppressor, if it has one, as the alarm events
// show it.
void WriteSuppressor(Writer& e, const CloudWatchAlarm& alarm) {
  if (alarm.actions_suppressor.empty()) return;
  Key(e, "actionsSuppressor");
  String(e, alarm.actions_suppressor);
  Key(e, "actionsSuppressorWaitPeriod");
  e.Int64(absl::ToInt64Seconds(alarm.suppressor_wait_period));
  Key(e, "actionsSuppressorExtensionPeriod");
  e.Int64(absl::ToInt64Seconds(alarm.suppressor_extension_period));
}

// A metric alarm's metric as the alarm events show it: "metrics", one
// metricStat (with the alarm's unit, if any, when `with_unit`).
void WriteMetrics(Writer& e, const CloudWatchAlarm& alarm, bool with_unit) {
  Key(e, "metrics");
  e.StartArray();
  e.StartObject();
  Key(e, "id");
  String(e, "m1");
  Key(e, "metricStat");
  e.StartObject();
  Key(e, "metric");
  e.StartObject();
  Key(e, "namespace");
  String(e, alarm.key.ns);
  Key(e, "name");
  String(e, alarm.key.name);
  Key(e, "dimensions");
  e.StartObject();
  for (const cloudwatch::Dimension& dim : alarm.dimensions) {
    Key(e, dim.name);
    String(e, dim.value);
  }
  e.EndObject();
  e.EndObject();
  Key(e, "period");
  e.Int(alarm.period);
  Key(e, "stat");
  String(e, alarm.stat.name);
  if (with_unit && !alarm.unit.empty()) {
    Key(e, "unit");
    String(e, alarm.unit);
  }
  e.EndObject();
  Key(e, "returnData");
  e.Bool(true);
  e.EndObject();
  e.EndArray();
}

// The "alarmData" of a Lambda alarm event, the "detail" of an EventBridge
// alarm state change event: `alarm`'s change at `at` from `old` (with
// `old_reason`, `old_data`, at `old_at`); with the actions suppression of a
// composite alarm when `suppression`.
void WriteAlarmData(Writer& e, const CloudWatchAlarm& alarm, AlarmState old,
                    std::string_view old_reason, std::string_view old_data, absl::Time old_at,
                    absl::Time at, bool suppression) {
  auto state_object = [&](AlarmState s, std::string_view why, std::string_view data,
                          absl::Time when, bool with_suppression) {
    e.StartObject();
    Key(e, "value");
    String(e, AlarmStateName(s));
    Key(e, "reason");
    String(e, why);
    if (!data.empty()) {
      Key(e, "reasonData");
      String(e, data);
    }
    Key(e, "timestamp");
    String(e, AlarmTimestamp(when));
    if (with_suppression && alarm.suppressed_by != CloudWatchAlarm::Suppression::kNone) {
      Key(e, "actionsSuppressedBy");
      String(e, SuppressionName(alarm.suppressed_by));
      Key(e, "actionsSuppressedReason");
      String(e, ActionsSuppressedReason(alarm.suppressed_by));
    }
    e.EndObject();
  };
  e.StartObject();
  Key(e, "alarmName");
  String(e, alarm.name);
  Key(e, "state");
  state_object(alarm.state, alarm.state_reason, alarm.state_reason_data, at, suppression);
  Key(e, "previousState");
  state_object(old, old_reason, old_data, old_at, false);
  Key(e, "configuration");
  e.StartObject();
  if (alarm.composite) {
    Key(e, "alarmRule");
    String(e, alarm.alarm_rule);
    if (suppression) WriteSuppressor(e, alarm);
  }
  Key(e, "description");
  String(e, alarm.description);
  if (!alarm.composite) {
    WriteMetrics(e, alarm, /*with_unit=*/false);
  }
  e.EndObject();
  e.EndObject();
}

}  // namespace

std::string AlarmLambdaEvent(const CloudWatchAlarm& alarm, AlarmState old,
                             std::string_view old_reason, absl::Time at, std::string_view region,
                             std::string_view account_id) {
  rapidjson::StringBuffer buf;
  Writer e(buf);
  e.StartObject();
  Key(e, "source");
  String(e, "aws.cloudwatch");
  Key(e, "alarmArn");
  String(e, alarm.arn);
  Key(e, "accountId");
  String(e, account_id);
  Key(e, "time");
  String(e, AlarmTimestamp(at));
  Key(e, "region");
  String(e, region);
  Key(e, "alarmData");
  WriteAlarmData(e, alarm, old, old_reason, "", at, at, false);
  e.EndObject();
  return Text(buf);
}

std::string AlarmStateChangeDetail(const CloudWatchAlarm& alarm, AlarmState old,
                                   std::string_view old_reason, std::string_view old_data,
                                   absl::Time old_at, absl::Time at) {
  rapidjson::StringBuffer buf;
  Writer e(buf);
  WriteAlarmData(e, alarm, old, old_reason, old_data, old_at, at, true);
  return Text(buf);
}

namespace {

// An alarm's configuration as the configuration change events show it.
void WriteAlarmConfiguration(Writer& e, const CloudWatchAlarm& alarm) {
  e.StartObject();
  if (alarm.composite) {
    Key(e, "alarmRule");
    String(e, alarm.alarm_rule);
    WriteSuppressor(e, alarm);
  } else {
    Key(e, "evaluationPeriods");
    e.Int(alarm.rule.evaluation_periods);
    if (alarm.datapoints_to_alarm_given) {
      Key(e, "datapointsToAlarm");
      e.Int(alarm.rule.datapoints_to_alarm);
    }
    Key(e, "threshold");
    e.Double(alarm.rule.threshold);
    Key(e, "comparisonOperator");
    String(e, alarm.comparison_operator);
    if (!alarm.treat_missing_data.empty()) {
      Key(e, "treatMissingData");
      String(e, alarm.treat_missing_data);
    }
    if (!alarm.evaluate_low_sample_count_percentile.empty()) {
      Key(e, "evaluateLowSampleCountPercentile");
      String(e, alarm.evaluate_low_sample_count_percentile);
    }
    WriteMetrics(e, alarm, /*with_unit=*/true);
  }
  Key(e, "alarmName");
  String(e, alarm.name);
  if (!alarm.description.empty()) {
    Key(e, "description");
    String(e, alarm.description);
  }
  Key(e, "actionsEnabled");
  e.Bool(alarm.actions_enabled);
  Key(e, "timestamp");
  String(e, AlarmTimestamp(alarm.configuration_updated));
  Key(e, "okActions");
  Strings(e, alarm.ok_actions);
  Key(e, "alarmActions");
  Strings(e, alarm.alarm_actions);
  Key(e, "insufficientDataActions");
  Strings(e, alarm.insufficient_data_actions);
  e.EndObject();
}

}  // namespace

std::string AlarmConfigurationChangeDetail(const CloudWatchAlarm& alarm,
                                           const CloudWatchAlarm* previous,
                                           std::string_view operation) {
  rapidjson::StringBuffer buf;
  Writer e(buf);
  e.StartObject();
  Key(e, "alarmName");
  String(e, alarm.name);
  Key(e, "operation");
  String(e, operation);
  Key(e, "state");
  e.StartObject();
  if (alarm.suppressed_by != CloudWatchAlarm::Suppression::kNone) {
    Key(e, "actionsSuppressedBy");
    String(e, SuppressionName(alarm.suppressed_by));
  }
  Key(e, "value");
  String(e, AlarmStateName(alarm.state));
  Key(e, "timestamp");
  String(e, AlarmTimestamp(alarm.state_updated));
  e.EndObject();
  Key(e, "configuration");
  WriteAlarmConfiguration(e, alarm);
  if (previous != nullptr) {
    Key(e, "previousConfiguration");
    WriteAlarmConfiguration(e, *previous);
  }
  e.EndObject();
  return Text(buf);
}

AlarmActionKind AlarmActionKindOf(std::string_view arn) {
  // arn:aws:sns:<region>:<account>:<topic>, or
  // arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>].
  std::vector<std::string_view> parts;
  size_t pos = 0;
  for (;;) {
    const size_t colon = arn.find(':', pos);
    parts.push_back(arn.substr(pos, colon == std::string_view::npos ? colon : colon - pos));
    if (colon == std::string_view::npos) break;
    pos = colon + 1;
  }
  if (parts.size() < 6 || parts[0] != "arn" || parts[1].empty() || parts[3].empty() ||
      parts[4].empty()) {
    return AlarmActionKind::kUnsupported;
  }
  if (parts[2] == "sns" && parts.size() == 6 && !parts[5].empty()) return AlarmActionKind::kSns;
  if (parts[2] == "lambda" && (parts.size() == 7 || parts.size() == 8) && parts[5] == "function" &&
      !parts[6].empty()) {
    return AlarmActionKind::kLambda;
  }
  return AlarmActionKind::kUnsupported;
}

}  // namespace wharf::service_internal
