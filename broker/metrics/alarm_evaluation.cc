#include "broker/metrics/alarm_evaluation.h"

#include <algorithm>
#include <array>
#include <utility>

namespace wharf::metrics_internal {
namespace {

template <typename E, size_t N>
std::optional<E> Parse(const std::array<std::pair<std::string_view, E>, N>& names,
                       std::string_view s) {
  for (const auto& [name, value] : names) {
    if (name == s) return value;
  }
  return std::nullopt;
}

template <typename E, size_t N>
std::string_view Name(const std::array<std::pair<std::string_view, E>, N>& names, E e) {
  for (const auto& [name, value] : names) {
    if (value == e) return name;
  }
  return "";
}

constexpr std::array<std::pair<std::string_view, AlarmState>, 3> kStates = {{
    {"OK", AlarmState::kOk},
    {"ALARM", AlarmState::kAlarm},
    {"INSUFFICIENT_DATA", AlarmState::kInsufficientData},
}};
constexpr std::array<std::pair<std::string_view, TreatMissingData>, 4> kTreatments = {{
    {"missing", TreatMissingData::kMissing},
    {"ignore", TreatMissingData::kIgnore},
    {"breaching", TreatMissingData::kBreaching},
    {"notBreaching", TreatMissingData::kNotBreaching},
}};
constexpr std::array<std::pair<std::string_view, Comparison>, 4> kComparisons = {{
    {"GreaterThanOrEqualToThreshold", Comparison::kGreaterThanOrEqualTo},
    {"GreaterThanThreshold", Comparison::kGreaterThan},
    {"LessThanThreshold", Comparison::kLessThan},
    {"LessThanOrEqualToThreshold", Comparison::kLessThanOrEqualTo},
}};

}  // namespace

std::string_view AlarmStateName(AlarmState s) { return Name(kStates, s); }
std::optional<AlarmState> ParseAlarmState(std::string_view s) { return Parse(kStates, s); }
std::string_view TreatMissingDataName(TreatMissingData t) { return Name(kTreatments, t); }
std::optional<TreatMissingData> ParseTreatMissingData(std::string_view s) {
  return Parse(kTreatments, s);
}
std::string_view ComparisonName(Comparison c) { return Name(kComparisons, c); }
std::optional<Comparison> ParseComparison(std::string_view s) { return Parse(kComparisons, s); }

bool Breaches(Comparison c, double value, double threshold) {
  switch (c) {
    case Comparison::kGreaterThanOrEqualTo:
      return value >= threshold;
    case Comparison::kGreaterThan:
      return value > threshold;
    case Comparison::kLessThan:
      return value < threshold;
    case Comparison::kLessThanOrEqualTo:
      return value <= threshold;
  }
  return false;
}

int EvaluationRange(int evaluation_periods) { return evaluation_periods + 2; }

AlarmDecision EvaluateAlarm(const std::vector<std::optional<double>>& range, const AlarmRule& rule,
                            AlarmState current) {
  const int n = rule.evaluation_periods;
  const int m = rule.datapoints_to_alarm;
  const int r = static_cast<int>(range.size());
  std::vector<int> real;
  for (int i = 0; i < r; ++i) {
    if (range[i].has_value()) real.push_back(i);
  }
  auto breaches = [&](int i) { return Breaches(rule.comparison, *range[i], rule.threshold); };
  AlarmDecision d{current, {}, 0, 0};

  if (static_cast<int>(real.size()) >= n) {
    // Enough real datapoints: the newest N, missing ones not considered.
    d.evaluated.assign(real.end() - n, real.end());
    for (int i : d.evaluated) d.breaching += breaches(i) ? 1 : 0;
    d.state = d.breaching >= m ? AlarmState::kAlarm : AlarmState::kOk;
    return d;
  }

  // Which missing datapoints make up N: those of the newest N-period window
  // holding every real datapoint, or (real ones spread wider than N) the
  // newest missing ones between them.
  std::vector<int> missing;
  if (real.empty()) {
    for (int i = std::max(0, r - n); i < r; ++i) missing.push_back(i);
  } else if (real.back() - real.front() + 1 <= n) {
    const int end = std::min(r - 1, real.front() + n - 1);
    for (int i = std::max(0, end - n + 1); i <= end; ++i) {
      if (!range[i].has_value()) missing.push_back(i);
    }
  } else {
    const int needed = n - static_cast<int>(real.size());
    for (int i = real.back(); i > real.front() && static_cast<int>(missing.size()) < needed; --i) {
      if (!range[i].has_value()) missing.insert(missing.begin(), i);
    }
  }
  d.evaluated = real;
  d.evaluated.insert(d.evaluated.end(), missing.begin(), missing.end());
  std::sort(d.evaluated.begin(), d.evaluated.end());

  int real_breaching = 0;
  for (int i : real) real_breaching += breaches(i) ? 1 : 0;
  const int real_ok = static_cast<int>(real.size()) - real_breaching;

  switch (rule.treat_missing_data) {
    case TreatMissingData::kBreaching:
      d.filled = static_cast<int>(missing.size());
      d.breaching = real_breaching + d.filled;
      d.state = d.breaching >= m ? AlarmState::kAlarm : AlarmState::kOk;
      return d;
    case TreatMissingData::kNotBreaching:
      d.filled = static_cast<int>(missing.size());
      d.breaching = real_breaching;
      d.state = d.breaching >= m ? AlarmState::kAlarm : AlarmState::kOk;
      return d;
    case TreatMissingData::kMissing:
    case TreatMissingData::kIgnore:
      break;
  }
  d.breaching = real_breaching;
  if (real.empty()) {
    d.state = rule.treat_missing_data == TreatMissingData::kIgnore ? current
                                                                   : AlarmState::kInsufficientData;
  } else if (real_breaching >= m) {
    d.state = AlarmState::kAlarm;
  } else if (real_ok > 0) {
    d.state = AlarmState::kOk;
  } else if (rule.treat_missing_data == TreatMissingData::kIgnore) {
    d.state = current;
  } else {
    d.state =
        range[d.evaluated.front()].has_value() ? AlarmState::kAlarm : AlarmState::kInsufficientData;
  }
  return d;
}

}  // namespace wharf::metrics_internal
