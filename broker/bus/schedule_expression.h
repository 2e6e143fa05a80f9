// Schedule expressions of EventBridge scheduled rules: `rate(<n> <unit>)` and
// `cron(<min> <hour> <day-of-month> <month> <day-of-week> <year>)` (UTC), parsed
// and validated as AWS does (spec/eventbridge.md §7), and the next fire time
// after a given instant.
//
//   auto s = ScheduleExpression::Parse("cron(0 8 * * ? *)");   // 08:00 UTC daily
//   absl::Time next = s->NextAfter(clock.Now());
//
// Thread safety: immutable after Parse; thread-safe.

#ifndef WHARF_BROKER_BUS_SCHEDULE_EXPRESSION_H_
#define WHARF_BROKER_BUS_SCHEDULE_EXPRESSION_H_

#include <bitset>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace wharf::bus_internal {

class ScheduleExpression {
 public:
  // Errors: ValidationException "Parameter ScheduleExpression is not valid."
  static absl::StatusOr<ScheduleExpression> Parse(std::string_view expression);

  // The first fire time strictly after `t`. For rate(): t + the period (the
  // caller passes the creation time or the previous fire time). For cron(): the
  // first whole UTC minute after `t` that matches every field, or
  // absl::InfiniteFuture() when none does before the year 2200.
  absl::Time NextAfter(absl::Time t) const;

  bool is_rate() const { return is_rate_; }
  absl::Duration period() const { return period_; }

 private:
  // Day-of-month / day-of-week specials besides plain value sets.
  struct DaySpec {
    bool any = false;                          // '?' (or '*').
    bool question = false;                     // Exactly '?'.
    std::bitset<32> values;                    // Day-of-month 1-31 or day-of-week 1-7.
    bool last_day = false;                     // DOM "L".
    bool last_weekday = false;                 // DOM "LW".
    std::vector<int> nearest_weekday;          // DOM "15W".
    std::vector<int> last_dow;                 // DOW "5L": last Thursday.
    std::vector<std::pair<int, int>> nth_dow;  // DOW "3#2": (weekday, n).
  };

  bool DayMatches(absl::CivilDay day) const;

  bool is_rate_ = false;
  absl::Duration period_;
  std::bitset<60> minutes_;
  std::bitset<24> hours_;
  std::bitset<13> months_;
  std::bitset<230> years_;  // Bit (year - 1970).
  DaySpec dom_;
  DaySpec dow_;
};

}  // namespace wharf::bus_internal

#endif  // WHARF_BROKER_BUS_SCHEDULE_EXPRESSION_H_
