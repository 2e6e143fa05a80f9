// The alarm state machine against CloudWatch's documented examples ("How
// alarm state is evaluated when data is missing", CloudWatch User Guide): the
// two tables of a 3-of-3 and a 2-of-3 alarm over 5 retrieved datapoints, one
// row per datapoint pattern and one column per TreatMissingData.

#include "broker/metrics/alarm_evaluation.h"

#include <optional>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace wharf::metrics_internal {
namespace {

using ::testing::ElementsAre;

constexpr double kThreshold = 1;  // 'X' = 5 (breaching), '0' = 0 (not).

// "0 - X - X" -> {0, missing, 5, missing, 5}, oldest first.
std::vector<std::optional<double>> Points(const std::string& pattern) {
  std::vector<std::optional<double>> out;
  for (char c : pattern) {
    if (c == '0') out.push_back(0.0);
    if (c == 'X') out.push_back(5.0);
    if (c == '-') out.push_back(std::nullopt);
  }
  return out;
}

// What the table says; kRetain = "Retain current state".
enum Expect { kOk, kAlarm, kInsufficient, kRetain };

struct Row {
  const char* points;
  int missing;  // The table's "# of missing data points" column.
  Expect missing_col, ignore_col, breaching_col, not_breaching_col;
};

void CheckRow(const Row& row, int n, int m) {
  SCOPED_TRACE(row.points);
  const std::vector<std::optional<double>> range = Points(row.points);
  ASSERT_EQ(static_cast<int>(range.size()), EvaluationRange(n));
  int missing = 0;
  for (const auto& p : range) missing += p.has_value() ? 0 : 1;
  EXPECT_EQ(missing, row.missing);
  const std::pair<TreatMissingData, Expect> columns[] = {
      {TreatMissingData::kMissing, row.missing_col},
      {TreatMissingData::kIgnore, row.ignore_col},
      {TreatMissingData::kBreaching, row.breaching_col},
      {TreatMissingData::kNotBreaching, row.not_breaching_col},
  };
  for (const auto& [treatment, expect] : columns) {
    SCOPED_TRACE(std::string(TreatMissingDataName(treatment)));
    const AlarmRule rule{.evaluation_periods = n,
                         .datapoints_to_alarm = m,
                         .comparison = Comparison::kGreaterThan,
                         .threshold = kThreshold,
                         .treat_missing_data = treatment};
    // Each current state: "Retain" must keep each of them; the others must
    // not depend on the current state.
    for (AlarmState current :
         {AlarmState::kOk, AlarmState::kAlarm, AlarmState::kInsufficientData}) {
      const AlarmDecision d = EvaluateAlarm(range, rule, current);
      switch (expect) {
        case kOk:
          EXPECT_EQ(d.state, AlarmState::kOk);
          break;
        case kAlarm:
          EXPECT_EQ(d.state, AlarmState::kAlarm);
          break;
        case kInsufficient:
          EXPECT_EQ(d.state, AlarmState::kInsufficientData);
          break;
        case kRetain:
          EXPECT_EQ(d.state, current);
          break;
      }
      // N datapoints are evaluated whenever any is (the guide: "the number
      // of datapoints evaluated is equal to the value of Evaluation Periods").
      EXPECT_EQ(static_cast<int>(d.evaluated.size()), n);
    }
  }
}

TEST(AlarmEvaluationTest, ThreeOfThreeTableFromTheGuide) {
  const Row rows[] = {
      {"0-X-X", 2, kOk, kOk, kOk, kOk},
      {"0----", 4, kOk, kOk, kOk, kOk},
      {"-----", 5, kInsufficient, kRetain, kAlarm, kOk},
      {"0XX-X", 1, kAlarm, kAlarm, kAlarm, kAlarm},
      {"----X", 4, kInsufficient, kRetain, kAlarm, kOk},
      {"X----", 4, kAlarm, kRetain, kAlarm, kOk},
  };
  for (const Row& row : rows) CheckRow(row, 3, 3);
}

TEST(AlarmEvaluationTest, TwoOfThreeTableFromTheGuide) {
  const Row rows[] = {
      {"0-X-X", 2, kAlarm, kAlarm, kAlarm, kAlarm},
      {"00X0X", 0, kAlarm, kAlarm, kAlarm, kAlarm},
      {"0-X--", 3, kOk, kOk, kAlarm, kOk},
      {"----0", 4, kOk, kOk, kAlarm, kOk},
      {"----X", 4, kInsufficient, kRetain, kAlarm, kOk},
  };
  for (const Row& row : rows) CheckRow(row, 3, 2);
}

TEST(AlarmEvaluationTest, EnoughRealDatapointsUseTheNewestAndIgnoreTreatment) {
  // "0XX-X": the newest three real ones (X X X), not the oldest 0.
  const AlarmDecision d = EvaluateAlarm(
      Points("0XX-X"), {.evaluation_periods = 3, .datapoints_to_alarm = 3, .threshold = kThreshold},
      AlarmState::kOk);
  EXPECT_THAT(d.evaluated, ElementsAre(1, 2, 4));
  EXPECT_EQ(d.breaching, 3);
  EXPECT_EQ(d.filled, 0);
}

TEST(AlarmEvaluationTest, FilledDatapointsComeFromTheWindowHoldingTheRealOnes) {
  // "0----" with breaching: the window is the oldest three (0 - -), so the
  // lone non-breaching datapoint keeps it OK this time (the guide's second row).
  AlarmDecision d = EvaluateAlarm(Points("0----"),
                                  {.evaluation_periods = 3,
                                   .datapoints_to_alarm = 3,
                                   .threshold = kThreshold,
                                   .treat_missing_data = TreatMissingData::kBreaching},
                                  AlarmState::kOk);
  EXPECT_THAT(d.evaluated, ElementsAre(0, 1, 2));
  EXPECT_EQ(d.filled, 2);
  EXPECT_EQ(d.breaching, 2);
  // Once it has left the range, the missing ones alone make ALARM.
  d = EvaluateAlarm(Points("-----"),
                    {.evaluation_periods = 3,
                     .datapoints_to_alarm = 3,
                     .threshold = kThreshold,
                     .treat_missing_data = TreatMissingData::kBreaching},
                    AlarmState::kOk);
  EXPECT_EQ(d.state, AlarmState::kAlarm);
  EXPECT_THAT(d.evaluated, ElementsAre(2, 3, 4));
}

TEST(AlarmEvaluationTest, RealDatapointsSpreadWiderThanTheWindowAreAllEvaluated) {
  // N = 3, real ones at 0 and 4: both, plus the newest missing one between.
  const AlarmDecision d = EvaluateAlarm(Points("X---X"),
                                        {.evaluation_periods = 3,
                                         .datapoints_to_alarm = 3,
                                         .threshold = kThreshold,
                                         .treat_missing_data = TreatMissingData::kBreaching},
                                        AlarmState::kOk);
  EXPECT_THAT(d.evaluated, ElementsAre(0, 3, 4));
  EXPECT_EQ(d.state, AlarmState::kAlarm);
}

TEST(AlarmEvaluationTest, OnePeriodAlarmLikeTheDeadLetterQueueAlarm) {
  // ApproximateNumberOfMessagesVisible > 0 for 1 of 1 period.
  const AlarmRule rule{.evaluation_periods = 1, .datapoints_to_alarm = 1, .threshold = 0};
  EXPECT_EQ(EvaluateAlarm({0.0, 0.0, 1.0}, rule, AlarmState::kOk).state, AlarmState::kAlarm);
  EXPECT_EQ(EvaluateAlarm({1.0, 1.0, 0.0}, rule, AlarmState::kAlarm).state, AlarmState::kOk);
  EXPECT_EQ(EvaluateAlarm({std::nullopt, std::nullopt, std::nullopt}, rule, AlarmState::kOk).state,
            AlarmState::kInsufficientData);
  // The metric stopped after a breaching datapoint: still ALARM (missing).
  EXPECT_EQ(EvaluateAlarm({1.0, std::nullopt, std::nullopt}, rule, AlarmState::kOk).state,
            AlarmState::kAlarm);
}

TEST(AlarmEvaluationTest, ComparisonOperators) {
  EXPECT_TRUE(Breaches(Comparison::kGreaterThanOrEqualTo, 1, 1));
  EXPECT_FALSE(Breaches(Comparison::kGreaterThan, 1, 1));
  EXPECT_TRUE(Breaches(Comparison::kGreaterThan, 1.5, 1));
  EXPECT_TRUE(Breaches(Comparison::kLessThan, 0.5, 1));
  EXPECT_FALSE(Breaches(Comparison::kLessThan, 1, 1));
  EXPECT_TRUE(Breaches(Comparison::kLessThanOrEqualTo, 1, 1));
  for (const char* name : {"GreaterThanOrEqualToThreshold", "GreaterThanThreshold",
                           "LessThanThreshold", "LessThanOrEqualToThreshold"}) {
    std::optional<Comparison> c = ParseComparison(name);
    ASSERT_TRUE(c.has_value()) << name;
    EXPECT_EQ(ComparisonName(*c), name);
  }
  EXPECT_FALSE(ParseComparison("GreaterThanUpperThreshold").has_value());
  EXPECT_EQ(ParseTreatMissingData("notBreaching"), TreatMissingData::kNotBreaching);
  EXPECT_FALSE(ParseTreatMissingData("NotBreaching").has_value());
  EXPECT_EQ(ParseAlarmState("INSUFFICIENT_DATA"), AlarmState::kInsufficientData);
}

}  // namespace
}  // namespace wharf::metrics_internal
