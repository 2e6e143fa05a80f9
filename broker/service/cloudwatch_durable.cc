// CloudWatchService in durable mode: the alarm documents and their recovery
// (see cloudwatch_service.h). One document per metric alarm, keyed by name,
// kind "cloudwatch.alarm": the PutMetricAlarm parameters as the alarm holds
// them (recovery checks them again through MakeAlarm), then
//   actions_enabled, configuration_updated,
//   state, state_reason, state_reason_data, state_updated, state_transitioned.
// One per composite alarm, kind "cloudwatch.composite_alarm": description,
// alarm_rule, the three action lists and tags, then the same state fields,
// then with an ActionsSuppressor: actions_suppressor, suppressor_wait_period
// and suppressor_extension_period (seconds), suppressed_by ("",
// "WaitPeriod", "ExtensionPeriod" or "Alarm"), suppressed_until,
// actions_held, held_from and held_from_reason (a document without them, of
// an earlier wharf, has no suppressor). Recovery checks them through
// MakeCompositeAlarm and, once every alarm is back, that each rule's alarms
// and suppressor exist.
// Dimensions and tags are flat [name, value, ...] lists, in the order given;
// the threshold is its shortest round-trip decimal text.

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "broker/base/status_macros.h"
#include "broker/service/cloudwatch_service.h"
#include "broker/storage/document.h"

namespace wharf::service_internal {
namespace {

constexpr char kAlarmDocument[] = "cloudwatch.alarm";
constexpr char kCompositeDocument[] = "cloudwatch.composite_alarm";

std::vector<std::string> TagPairs(const std::vector<cloudwatch::Tag>& tags) {
  std::vector<std::string> pairs;
  for (const cloudwatch::Tag& t : tags) {
    pairs.push_back(t.key);
    pairs.push_back(t.value);
  }
  return pairs;
}

void WriteState(storage_internal::DocumentWriter& doc, const CloudWatchAlarm& a) {
  doc.Bool("actions_enabled", a.actions_enabled);
  doc.Time("configuration_updated", a.configuration_updated);
  doc.String("state", metrics_internal::AlarmStateName(a.state));
  doc.String("state_reason", a.state_reason);
  doc.String("state_reason_data", a.state_reason_data);
  doc.Time("state_updated", a.state_updated);
  doc.Time("state_transitioned", a.state_transitioned);
}

// The state fields of `doc` into `a`; false when the state is unknown (the
// reader's own errors are left for its caller).
bool ReadState(storage_internal::DocumentReader& doc, CloudWatchAlarm& a) {
  a.actions_enabled = doc.Bool("actions_enabled");
  a.configuration_updated = doc.Time("configuration_updated");
  const std::optional<metrics_internal::AlarmState> state =
      metrics_internal::ParseAlarmState(doc.String("state"));
  a.state_reason = doc.String("state_reason");
  a.state_reason_data = doc.String("state_reason_data");
  a.state_updated = doc.Time("state_updated");
  a.state_transitioned = doc.Time("state_transitioned");
  if (state.has_value()) a.state = *state;
  return state.has_value();
}

}  // namespace

void CloudWatchService::PersistAlarmLocked(const Alarm& a) {
  if (options_.storage == nullptr) return;
  storage_internal::DocumentWriter doc;
  if (a.composite) {
    doc.String("description", a.description);
    doc.String("alarm_rule", a.alarm_rule);
    doc.StringList("ok_actions", a.ok_actions);
    doc.StringList("alarm_actions", a.alarm_actions);
    doc.StringList("insufficient_data_actions", a.insufficient_data_actions);
    doc.StringList("tags", TagPairs(a.tags));
    WriteState(doc, a);
    if (!a.actions_suppressor.empty()) {
      doc.String("actions_suppressor", a.actions_suppressor);
      doc.Int("suppressor_wait_period", absl::ToInt64Seconds(a.suppressor_wait_period));
      doc.Int("suppressor_extension_period", absl::ToInt64Seconds(a.suppressor_extension_period));
      doc.String("suppressed_by", SuppressionName(a.suppressed_by));
      doc.Time("suppressed_until", a.suppressed_until);
      doc.Bool("actions_held", a.actions_held);
      doc.String("held_from", metrics_internal::AlarmStateName(a.held_from));
      doc.String("held_from_reason", a.held_from_reason);
    }
    options_.storage->Put(kCompositeDocument, a.name, doc.Finish());
    return;
  }
  doc.String("description", a.description);
  doc.StringList("ok_actions", a.ok_actions);
  doc.StringList("alarm_actions", a.alarm_actions);
  doc.StringList("insufficient_data_actions", a.insufficient_data_actions);
  doc.String("metric_name", a.key.name);
  doc.String("namespace", a.key.ns);
  doc.String("statistic", a.statistic);
  doc.String("extended_statistic", a.extended_statistic);
  std::vector<std::string> pairs;
  for (const cloudwatch::Dimension& d : a.dimensions) {
    pairs.push_back(d.name);
    pairs.push_back(d.value);
  }
  doc.StringList("dimensions", pairs);
  doc.Int("period", a.period);
  doc.String("unit", a.unit);
  doc.Int("evaluation_periods", a.rule.evaluation_periods);
  doc.Int("datapoints_to_alarm", a.datapoints_to_alarm_given ? a.rule.datapoints_to_alarm : 0);
  doc.String("threshold", absl::StrFormat("%.17g", a.rule.threshold));
  doc.String("comparison_operator", a.comparison_operator);
  doc.String("treat_missing_data", a.treat_missing_data);
  doc.String("evaluate_low_sample_count_percentile", a.evaluate_low_sample_count_percentile);
  doc.StringList("tags", TagPairs(a.tags));
  WriteState(doc, a);
  options_.storage->Put(kAlarmDocument, a.name, doc.Finish());
}

void CloudWatchService::EraseAlarmLocked(const Alarm& a) {
  if (options_.storage != nullptr) {
    options_.storage->Erase(a.composite ? kCompositeDocument : kAlarmDocument, a.name);
  }
}

absl::Status CloudWatchService::Recover() {
  if (options_.storage == nullptr) return absl::OkStatus();
  WHARF_ASSIGN_OR_RETURN(std::vector<storage_internal::StoredDocument> docs,
                         options_.storage->LoadDocuments(kAlarmDocument));
  std::vector<std::unique_ptr<Alarm>> alarms;
  for (const storage_internal::StoredDocument& stored : docs) {
    const std::string what = absl::StrCat("CloudWatch alarm ", stored.name);
    auto refused = [&](absl::string_view why) {
      return absl::DataLossError(absl::StrCat("storage: the stored ", what, " is refused: ", why));
    };
    storage_internal::DocumentReader doc(stored.value);
    cloudwatch::PutMetricAlarmRequest r;
    r.alarm_name = stored.name;
    r.alarm_description = doc.String("description");
    r.ok_actions = doc.StringList("ok_actions");
    r.alarm_actions = doc.StringList("alarm_actions");
    r.insufficient_data_actions = doc.StringList("insufficient_data_actions");
    r.metric_name = doc.String("metric_name");
    r.metric_namespace = doc.String("namespace");
    r.statistic = doc.String("statistic");
    r.extended_statistic = doc.String("extended_statistic");
    std::vector<std::string> pairs = doc.StringList("dimensions");
    if (pairs.size() % 2 != 0) return refused("odd dimensions");
    for (size_t i = 0; i < pairs.size(); i += 2) {
      r.dimensions.push_back({.name = std::move(pairs[i]), .value = std::move(pairs[i + 1])});
    }
    r.period = static_cast<int>(doc.Int("period"));
    r.unit = doc.String("unit");
    r.evaluation_periods = static_cast<int>(doc.Int("evaluation_periods"));
    if (const int64_t m = doc.Int("datapoints_to_alarm"); m > 0) {  // 0: not given.
      r.datapoints_to_alarm = static_cast<int>(m);
    }
    double threshold = 0;
    if (!absl::SimpleAtod(doc.String("threshold"), &threshold)) return refused("bad threshold");
    r.threshold = threshold;
    r.comparison_operator = doc.String("comparison_operator");
    r.treat_missing_data = doc.String("treat_missing_data");
    r.evaluate_low_sample_count_percentile = doc.String("evaluate_low_sample_count_percentile");
    pairs = doc.StringList("tags");
    if (pairs.size() % 2 != 0) return refused("odd tags");
    for (size_t i = 0; i < pairs.size(); i += 2) {
      r.tags.push_back({.key = std::move(pairs[i]), .value = std::move(pairs[i + 1])});
    }
    const bool actions_enabled = doc.Bool("actions_enabled");
    const absl::Time configuration_updated = doc.Time("configuration_updated");
    const std::optional<metrics_internal::AlarmState> state =
        metrics_internal::ParseAlarmState(doc.String("state"));
    std::string state_reason = doc.String("state_reason");
    std::string state_reason_data = doc.String("state_reason_data");
    const absl::Time state_updated = doc.Time("state_updated");
    const absl::Time state_transitioned = doc.Time("state_transitioned");
    if (!doc.ok()) return doc.Error(what);
    if (!state.has_value()) return refused("unknown state");
    absl::StatusOr<std::unique_ptr<Alarm>> alarm = MakeAlarm(r);
    if (!alarm.ok()) return refused(alarm.status().message());
    Alarm& a = **alarm;
    a.actions_enabled = actions_enabled;
    a.configuration_updated = configuration_updated;
    a.state = *state;
    a.state_reason = std::move(state_reason);
    a.state_reason_data = std::move(state_reason_data);
    a.state_updated = state_updated;
    a.state_transitioned = state_transitioned;
    alarms.push_back(*std::move(alarm));
  }
  WHARF_ASSIGN_OR_RETURN(std::vector<storage_internal::StoredDocument> composite_docs,
                         options_.storage->LoadDocuments(kCompositeDocument));
  std::vector<std::string> composites;
  for (const storage_internal::StoredDocument& stored : composite_docs) {
    const std::string what = absl::StrCat("CloudWatch composite alarm ", stored.name);
    storage_internal::DocumentReader doc(stored.value);
    cloudwatch::PutCompositeAlarmRequest r;
    r.alarm_name = stored.name;
    r.alarm_description = doc.String("description");
    r.alarm_rule = doc.String("alarm_rule");
    r.ok_actions = doc.StringList("ok_actions");
    r.alarm_actions = doc.StringList("alarm_actions");
    r.insufficient_data_actions = doc.StringList("insufficient_data_actions");
    std::vector<std::string> pairs = doc.StringList("tags");
    if (pairs.size() % 2 != 0) {
      return absl::DataLossError(
          absl::StrCat("storage: the stored ", what, " is refused: odd tags"));
    }
    for (size_t i = 0; i < pairs.size(); i += 2) {
      r.tags.push_back({.key = std::move(pairs[i]), .value = std::move(pairs[i + 1])});
    }
    const bool suppressor = doc.Has("actions_suppressor");
    if (suppressor) {
      r.actions_suppressor = doc.String("actions_suppressor");
      r.actions_suppressor_wait_period = static_cast<int>(doc.Int("suppressor_wait_period"));
      r.actions_suppressor_extension_period =
          static_cast<int>(doc.Int("suppressor_extension_period"));
    }
    auto refused = [&](absl::string_view why) {
      return absl::DataLossError(absl::StrCat("storage: the stored ", what, " is refused: ", why));
    };
    absl::StatusOr<std::unique_ptr<Alarm>> alarm = MakeCompositeAlarm(r);
    if (!alarm.ok()) return refused(alarm.status().message());
    Alarm& a = **alarm;
    const bool known_state = ReadState(doc, a);
    std::optional<Alarm::Suppression> suppressed_by = Alarm::Suppression::kNone;
    std::optional<metrics_internal::AlarmState> held_from = a.held_from;
    if (suppressor) {
      const std::string by = doc.String("suppressed_by");
      suppressed_by.reset();
      for (Alarm::Suppression s :
           {Alarm::Suppression::kNone, Alarm::Suppression::kWaitPeriod,
            Alarm::Suppression::kExtensionPeriod, Alarm::Suppression::kAlarm}) {
        if (by == SuppressionName(s)) suppressed_by = s;
      }
      a.suppressed_until = doc.Time("suppressed_until");
      a.actions_held = doc.Bool("actions_held");
      held_from = metrics_internal::ParseAlarmState(doc.String("held_from"));
      a.held_from_reason = doc.String("held_from_reason");
    }
    if (!doc.ok()) return doc.Error(what);
    if (!known_state || !held_from.has_value()) return refused("unknown state");
    if (!suppressed_by.has_value()) return refused("unknown suppression");
    a.suppressed_by = *suppressed_by;
    a.held_from = *held_from;
    composites.push_back(stored.name);
    alarms.push_back(*std::move(alarm));
  }
  MutexLock lock(&mu_);
  for (std::unique_ptr<Alarm>& a : alarms) {
    std::string name = a->name;
    alarms_[std::move(name)] = std::move(a);
  }
  for (const std::string& name : composites) {
    Alarm& a = *alarms_.at(name);
    if (absl::Status s = CheckChildrenLocked(a); !s.ok()) {
      return absl::DataLossError(absl::StrCat("storage: the stored CloudWatch composite alarm ",
                                              name, " is refused: ", s.message()));
    }
    // A WaitPeriod or ExtensionPeriod goes on to its end (one already past
    // ends at the scheduler's next pass).
    if (a.InSuppressionPeriod()) {
      StartSuppressionPeriodLocked(a, a.suppressed_by, a.suppressed_until);
    }
  }
  ScheduleTickLocked(options_.clock->Now() - absl::Nanoseconds(1));
  return absl::OkStatus();
}

}  // namespace wharf::service_internal
