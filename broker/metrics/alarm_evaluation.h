// One evaluation of a metric alarm, as CloudWatch documents it ("How alarm
// state is evaluated when data is missing", CloudWatch User Guide).
//
//   std::vector<std::optional<double>> range = {0.0, {}, 5.0, {}, 5.0};  // oldest first
//   AlarmDecision d = EvaluateAlarm(range, {.evaluation_periods = 3, .datapoints_to_alarm = 2,
//                                           .comparison = Comparison::kGreaterThan,
//                                           .threshold = 1}, AlarmState::kOk);
//   // d.state == AlarmState::kAlarm
//
// The evaluation range holds more periods than EvaluationPeriods (N):
// CloudWatch retrieves N + 2 in its documented examples, and so does wharf
// (EvaluationRange). Then:
//  * N or more real datapoints: the newest N real ones are evaluated; missing
//    ones are not filled, whatever TreatMissingData says.
//  * none: missing -> INSUFFICIENT_DATA, ignore -> the state is kept,
//    breaching -> ALARM, notBreaching -> OK.
//  * some, fewer than N: every real datapoint is evaluated, plus as few
//    missing ones as make N, taken from the newest N-period window that holds
//    every real one. breaching/notBreaching fill them. missing and ignore do
//    not: ALARM when M (DatapointsToAlarm) real ones breach, else OK when a real
//    one does not breach; else (only breaching ones, fewer than M) missing
//    gives ALARM if the oldest evaluated datapoint is real (the metric stopped
//    after breaching) and INSUFFICIENT_DATA if it is missing (the metric has
//    just started), and ignore keeps the state.
// These rules reproduce every row of the guide's two example tables (3 of 3 and
// 2 of 3 alarms); tests/metrics/alarm_evaluation_test.cc checks them.
//
// Thread safety: pure functions.

#ifndef WHARF_BROKER_METRICS_ALARM_EVALUATION_H_
#define WHARF_BROKER_METRICS_ALARM_EVALUATION_H_

#include <optional>
#include <string_view>
#include <vector>

namespace wharf::metrics_internal {

enum class AlarmState { kOk, kAlarm, kInsufficientData };
enum class TreatMissingData { kMissing, kIgnore, kBreaching, kNotBreaching };
enum class Comparison {
  kGreaterThanOrEqualTo,
  kGreaterThan,
  kLessThan,
  kLessThanOrEqualTo,
};

std::string_view AlarmStateName(AlarmState s);  // "OK", "ALARM", "INSUFFICIENT_DATA".
std::optional<AlarmState> ParseAlarmState(std::string_view s);
std::string_view TreatMissingDataName(TreatMissingData t);  // "missing", ...
std::optional<TreatMissingData> ParseTreatMissingData(std::string_view s);
std::string_view ComparisonName(Comparison c);  // "GreaterThanThreshold", ...
std::optional<Comparison> ParseComparison(std::string_view s);

bool Breaches(Comparison c, double value, double threshold);

struct AlarmRule {
  int evaluation_periods = 1;   // N >= 1.
  int datapoints_to_alarm = 1;  // M, 1..N.
  Comparison comparison = Comparison::kGreaterThan;
  double threshold = 0;
  TreatMissingData treat_missing_data = TreatMissingData::kMissing;
};

// Periods in the evaluation range: N + 2.
int EvaluationRange(int evaluation_periods);

struct AlarmDecision {
  AlarmState state;
  // Indices into the range (oldest first) of the evaluated datapoints,
  // oldest first; missing ones included when they were filled or counted.
  std::vector<int> evaluated;
  int breaching = 0;  // Evaluated datapoints counted as breaching (filled ones too).
  int filled = 0;     // Missing datapoints filled by TreatMissingData.
};

// `range` holds EvaluationRange(N) periods, oldest first; nullopt = missing.
AlarmDecision EvaluateAlarm(const std::vector<std::optional<double>>& range, const AlarmRule& rule,
                            AlarmState current);

}  // namespace wharf::metrics_internal

#endif  // WHARF_BROKER_METRICS_ALARM_EVALUATION_H_
