#include "broker/bus/schedule_expression.h"

#include "absl/time/civil_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace wharf::bus_internal {
namespace {

using ::wharf::testing::HasError;
using ::wharf::testing::IsOk;

absl::Time Utc(int y, int mo, int d, int h = 0, int mi = 0) {
  return absl::FromCivil(absl::CivilMinute(y, mo, d, h, mi), absl::UTCTimeZone());
}

absl::Time Next(const char* expression, absl::Time after) {
  auto s = ScheduleExpression::Parse(expression);
  EXPECT_THAT(s, IsOk()) << expression;
  return s.ok() ? s->NextAfter(after) : absl::InfinitePast();
}

TEST(ScheduleExpressionTest, RateAddsThePeriod) {
  EXPECT_EQ(Next("rate(5 minutes)", Utc(2026, 1, 1)), Utc(2026, 1, 1, 0, 5));
  EXPECT_EQ(Next("rate(1 hour)", Utc(2026, 1, 1)), Utc(2026, 1, 1, 1));
  EXPECT_EQ(Next("rate(2 days)", Utc(2026, 1, 1)), Utc(2026, 1, 3));
}

TEST(ScheduleExpressionTest, RateRequiresSingularForOneAndPluralOtherwise) {
  for (const char* bad :
       {"rate(1 minutes)", "rate(5 minute)", "rate(0 minutes)", "rate(-1 days)", "rate(5 seconds)",
        "rate(5)", "rate(five minutes)", "rate(5  minutes)", "rate 5 minutes", "rate(5 minutes"}) {
    EXPECT_THAT(
        ScheduleExpression::Parse(bad),
        HasError(ErrorCode::kEventsValidation, "Parameter ScheduleExpression is not valid."))
        << bad;
  }
}

TEST(ScheduleExpressionTest, CronDailyAtEightFiresNextMorning) {
  EXPECT_EQ(Next("cron(0 8 * * ? *)", Utc(2026, 1, 1, 9)), Utc(2026, 1, 2, 8));
  EXPECT_EQ(Next("cron(0 8 * * ? *)", Utc(2026, 1, 1, 7, 59)), Utc(2026, 1, 1, 8));
}

TEST(ScheduleExpressionTest, CronFiresStrictlyAfterTheGivenTime) {
  EXPECT_EQ(Next("cron(0 8 * * ? *)", Utc(2026, 1, 1, 8)), Utc(2026, 1, 2, 8));
}

TEST(ScheduleExpressionTest, CronStepsListsAndRanges) {
  EXPECT_EQ(Next("cron(0/15 * * * ? *)", Utc(2026, 1, 1, 0, 1)), Utc(2026, 1, 1, 0, 15));
  EXPECT_EQ(Next("cron(10,40 9-17 * * ? *)", Utc(2026, 1, 1, 17, 41)), Utc(2026, 1, 2, 9, 10));
}

TEST(ScheduleExpressionTest, CronDayOfWeekNamesAndNumbers) {
  // 2026-01-01 is a Thursday. MON-FRI at 12:00 -> Friday the 2nd.
  EXPECT_EQ(Next("cron(0 12 ? * MON-FRI *)", Utc(2026, 1, 1, 13)), Utc(2026, 1, 2, 12));
  // 1 = Sunday -> the 4th.
  EXPECT_EQ(Next("cron(0 12 ? * 1 *)", Utc(2026, 1, 1)), Utc(2026, 1, 4, 12));
}

TEST(ScheduleExpressionTest, CronLastDayAndNthWeekday) {
  EXPECT_EQ(Next("cron(0 0 L * ? *)", Utc(2026, 2, 1)), Utc(2026, 2, 28));
  // 3#2: second Tuesday of January 2026 is the 13th.
  EXPECT_EQ(Next("cron(0 0 ? * 3#2 *)", Utc(2026, 1, 1)), Utc(2026, 1, 13));
  // 5L: last Thursday of January 2026 is the 29th.
  EXPECT_EQ(Next("cron(0 0 ? * 5L *)", Utc(2026, 1, 1)), Utc(2026, 1, 29));
  // 15W: the 15th of February 2026 is a Sunday -> Monday the 16th.
  EXPECT_EQ(Next("cron(0 0 15W * ? *)", Utc(2026, 2, 1)), Utc(2026, 2, 16));
  // LW: last weekday of January 2026 is Friday the 30th.
  EXPECT_EQ(Next("cron(0 0 LW * ? *)", Utc(2026, 1, 1)), Utc(2026, 1, 30));
}

TEST(ScheduleExpressionTest, CronMonthNamesAndYears) {
  EXPECT_EQ(Next("cron(0 0 1 MAR ? 2027)", Utc(2026, 1, 1)), Utc(2027, 3, 1));
  EXPECT_EQ(Next("cron(0 0 1 1 ? 2025)", Utc(2026, 1, 1)), absl::InfiniteFuture());
}

TEST(ScheduleExpressionTest, CronRejectsInvalidExpressions) {
  for (const char* bad :
       {"cron(INVALID)", "cron(0 8 * * * *)", "cron(0 8 ? * ? *)", "cron(0 8 * *)",
        "cron(60 8 * * ? *)", "cron(0 24 * * ? *)", "cron(0 8 32 * ? *)", "cron(0 8 * 13 ? *)",
        "cron(0 8 ? * 8 *)", "cron(0 8 * * ? 2200)", "cron(0 8 * * ? 1969)", "cron(0 8 ? * 3#6 *)",
        "cron(5-1 8 * * ? *)", "cron(0 8 * * ? * *)", "cron(0/0 8 * * ? *)", "every day", ""}) {
    EXPECT_THAT(
        ScheduleExpression::Parse(bad),
        HasError(ErrorCode::kEventsValidation, "Parameter ScheduleExpression is not valid."))
        << bad;
  }
}

}  // namespace
}  // namespace wharf::bus_internal
