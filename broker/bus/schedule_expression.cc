#include "broker/bus/schedule_expression.h"

#include <array>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "wharf/errors.h"

namespace wharf::bus_internal {
namespace {

constexpr int kMinYear = 1970;
constexpr int kMaxYear = 2199;

absl::Status Invalid() {
  return MakeError(ErrorCode::kEventsValidation, "Parameter ScheduleExpression is not valid.");
}

// Digits only (no sign, no spaces), within [min, max].
bool ParseInt(absl::string_view s, int min, int max, int* out) {
  if (s.empty() || s.size() > 4) return false;
  for (char c : s) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  int v = 0;
  if (!absl::SimpleAtoi(s, &v) || v < min || v > max) return false;
  *out = v;
  return true;
}

// A field value: a number, or a name (JAN-DEC, SUN-SAT) when `names` is given.
bool ParseValue(absl::string_view s, int min, int max, const std::array<const char*, 12>* names,
                int name_base, int* out) {
  if (ParseInt(s, min, max, out)) return true;
  if (names == nullptr) return false;
  for (size_t i = 0; i < names->size() && (*names)[i] != nullptr; ++i) {
    if (absl::EqualsIgnoreCase(s, (*names)[i])) {
      *out = static_cast<int>(i) + name_base;
      return true;
    }
  }
  return false;
}

constexpr std::array<const char*, 12> kMonthNames = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                                     "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
constexpr std::array<const char*, 12> kDayNames = {
    "SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT", nullptr, nullptr, nullptr, nullptr, nullptr};

// Parses the generic list syntax `a`, `a-b`, `*`, with an optional `/step`,
// separated by commas, setting bit v (offset by `bit_base`) for each value.
template <size_t N>
bool ParseList(absl::string_view field, int min, int max, const std::array<const char*, 12>* names,
               int bit_base, std::bitset<N>* bits) {
  for (absl::string_view item : absl::StrSplit(field, ',')) {
    int step = 1;
    absl::string_view range = item;
    size_t slash = item.find('/');
    bool has_step = slash != absl::string_view::npos;
    if (has_step) {
      range = item.substr(0, slash);
      if (!ParseInt(item.substr(slash + 1), 1, max, &step)) return false;
    }
    int lo = min, hi = max;
    if (range == "*") {
      // Whole range.
    } else {
      size_t dash = range.find('-');
      if (dash == absl::string_view::npos) {
        if (!ParseValue(range, min, max, names, 1, &lo)) return false;
        hi = has_step ? max : lo;
      } else {
        if (!ParseValue(range.substr(0, dash), min, max, names, 1, &lo)) return false;
        if (!ParseValue(range.substr(dash + 1), min, max, names, 1, &hi)) return false;
        if (lo > hi) return false;
      }
    }
    for (int v = lo; v <= hi; v += step) bits->set(static_cast<size_t>(v - bit_base));
  }
  return true;
}

int DaysInMonth(absl::CivilDay day) {
  absl::CivilDay first_of_next(day.year(), day.month() + 1, 1);
  return (first_of_next - 1).day();
}

// AWS numbering: 1 = Sunday ... 7 = Saturday.
int AwsWeekday(absl::CivilDay day) {
  absl::Weekday w = absl::GetWeekday(day);
  return w == absl::Weekday::sunday ? 1 : static_cast<int>(w) + 2;
}

}  // namespace

absl::StatusOr<ScheduleExpression> ScheduleExpression::Parse(std::string_view expression) {
  absl::string_view e(expression.data(), expression.size());
  ScheduleExpression s;
  if (absl::ConsumePrefix(&e, "rate(")) {
    if (!absl::ConsumeSuffix(&e, ")")) return Invalid();
    std::vector<absl::string_view> parts = absl::StrSplit(e, ' ');
    if (parts.size() != 2) return Invalid();
    int value = 0;
    if (!ParseInt(parts[0], 1, 9999, &value)) return Invalid();
    absl::string_view unit = parts[1];
    absl::Duration one;
    if (unit == "minute" || unit == "minutes") {
      one = absl::Minutes(1);
    } else if (unit == "hour" || unit == "hours") {
      one = absl::Hours(1);
    } else if (unit == "day" || unit == "days") {
      one = absl::Hours(24);
    } else {
      return Invalid();
    }
    // Singular exactly when the value is 1.
    if ((value == 1) != (unit.back() != 's')) return Invalid();
    s.is_rate_ = true;
    s.period_ = one * value;
    return s;
  }
  if (!absl::ConsumePrefix(&e, "cron(") || !absl::ConsumeSuffix(&e, ")")) return Invalid();
  std::vector<absl::string_view> f = absl::StrSplit(e, ' ', absl::SkipEmpty());
  if (f.size() != 6) return Invalid();
  if (!ParseList(f[0], 0, 59, nullptr, 0, &s.minutes_)) return Invalid();
  if (!ParseList(f[1], 0, 23, nullptr, 0, &s.hours_)) return Invalid();
  if (!ParseList(f[3], 1, 12, &kMonthNames, 0, &s.months_)) return Invalid();
  if (!ParseList(f[5], kMinYear, kMaxYear, nullptr, kMinYear, &s.years_)) return Invalid();

  // Day of month.
  if (f[2] == "?") {
    s.dom_.question = true;
  } else {
    for (absl::string_view item : absl::StrSplit(f[2], ',')) {
      int v = 0;
      if (item == "L") {
        s.dom_.last_day = true;
      } else if (item == "LW") {
        s.dom_.last_weekday = true;
      } else if (absl::EndsWith(item, "W") &&
                 ParseInt(item.substr(0, item.size() - 1), 1, 31, &v)) {
        s.dom_.nearest_weekday.push_back(v);
      } else if (item == "*") {
        s.dom_.any = true;
      } else if (!ParseList(item, 1, 31, nullptr, 0, &s.dom_.values)) {
        return Invalid();
      }
    }
  }
  // Day of week.
  if (f[4] == "?") {
    s.dow_.question = true;
  } else {
    for (absl::string_view item : absl::StrSplit(f[4], ',')) {
      int v = 0, n = 0;
      size_t hash = item.find('#');
      if (item == "L") {
        s.dow_.values.set(7);  // Alone, L is the last day of the week: Saturday.
      } else if (hash != absl::string_view::npos) {
        if (!ParseValue(item.substr(0, hash), 1, 7, &kDayNames, 1, &v) ||
            !ParseInt(item.substr(hash + 1), 1, 5, &n)) {
          return Invalid();
        }
        s.dow_.nth_dow.emplace_back(v, n);
      } else if (item.size() > 1 && absl::EndsWith(item, "L")) {
        if (!ParseValue(item.substr(0, item.size() - 1), 1, 7, &kDayNames, 1, &v)) {
          return Invalid();
        }
        s.dow_.last_dow.push_back(v);
      } else if (item == "*") {
        s.dow_.any = true;
      } else if (!ParseList(item, 1, 7, &kDayNames, 0, &s.dow_.values)) {
        return Invalid();
      }
    }
  }
  // Exactly one of day-of-month and day-of-week is '?'.
  if (s.dom_.question == s.dow_.question) return Invalid();
  return s;
}

bool ScheduleExpression::DayMatches(absl::CivilDay day) const {
  int d = day.day();
  if (dow_.question) {
    const DaySpec& s = dom_;
    if (s.any || s.values.test(static_cast<size_t>(d))) return true;
    int last = DaysInMonth(day);
    if (s.last_day && d == last) return true;
    int wd = AwsWeekday(day);
    bool weekday = wd >= 2 && wd <= 6;
    if (s.last_weekday && weekday) {
      // No weekday after this one in the month.
      absl::CivilDay next = day + 1;
      bool later_weekday = false;
      for (; next.month() == day.month(); next += 1) {
        int nw = AwsWeekday(next);
        if (nw >= 2 && nw <= 6) later_weekday = true;
      }
      if (!later_weekday) return true;
    }
    for (int n : s.nearest_weekday) {
      if (n > last || !weekday) continue;
      absl::CivilDay target(day.year(), day.month(), n);
      int tw = AwsWeekday(target);
      int want = n;
      if (tw == 7) want = n == 1 ? n + 2 : n - 1;     // Saturday: Friday, or Monday at the 1st.
      if (tw == 1) want = n == last ? n - 2 : n + 1;  // Sunday: Monday, or Friday at month end.
      if (want == d) return true;
    }
    return false;
  }
  const DaySpec& s = dow_;
  int wd = AwsWeekday(day);
  if (s.any || s.values.test(static_cast<size_t>(wd))) return true;
  for (int w : s.last_dow) {
    if (w == wd && d + 7 > DaysInMonth(day)) return true;
  }
  for (const auto& [w, n] : s.nth_dow) {
    if (w == wd && (d - 1) / 7 + 1 == n) return true;
  }
  return false;
}

absl::Time ScheduleExpression::NextAfter(absl::Time t) const {
  if (is_rate_) return t + period_;
  const absl::TimeZone utc = absl::UTCTimeZone();
  absl::CivilMinute m = absl::ToCivilMinute(t, utc) + 1;
  while (m.year() <= kMaxYear) {
    if (m.year() < kMinYear) {
      m = absl::CivilMinute(absl::CivilYear(kMinYear));
      continue;
    }
    if (!years_.test(static_cast<size_t>(m.year() - kMinYear))) {
      m = absl::CivilMinute(absl::CivilYear(m) + 1);
      continue;
    }
    if (!months_.test(static_cast<size_t>(m.month()))) {
      m = absl::CivilMinute(absl::CivilMonth(m) + 1);
      continue;
    }
    if (!DayMatches(absl::CivilDay(m))) {
      m = absl::CivilMinute(absl::CivilDay(m) + 1);
      continue;
    }
    if (!hours_.test(static_cast<size_t>(m.hour()))) {
      m = absl::CivilMinute(absl::CivilHour(m) + 1);
      continue;
    }
    if (!minutes_.test(static_cast<size_t>(m.minute()))) {
      m += 1;
      continue;
    }
    return absl::FromCivil(m, utc);
  }
  return absl::InfiniteFuture();
}

}  // namespace wharf::bus_internal
