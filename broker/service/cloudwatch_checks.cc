#include "broker/service/cloudwatch_checks.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "broker/base/json.h"
#include "wharf/errors.h"

namespace wharf::service_internal {
namespace {

absl::string_view Absl(std::string_view s) { return absl::string_view(s.data(), s.size()); }

constexpr std::array<std::string_view, 27> kUnits = {"Seconds",
                                                     "Microseconds",
                                                     "Milliseconds",
                                                     "Bytes",
                                                     "Kilobytes",
                                                     "Megabytes",
                                                     "Gigabytes",
                                                     "Terabytes",
                                                     "Bits",
                                                     "Kilobits",
                                                     "Megabits",
                                                     "Gigabits",
                                                     "Terabits",
                                                     "Percent",
                                                     "Count",
                                                     "Bytes/Second",
                                                     "Kilobytes/Second",
                                                     "Megabytes/Second",
                                                     "Gigabytes/Second",
                                                     "Terabytes/Second",
                                                     "Bits/Second",
                                                     "Kilobits/Second",
                                                     "Megabits/Second",
                                                     "Gigabits/Second",
                                                     "Terabits/Second",
                                                     "Count/Second",
                                                     "None"};

absl::Status Length(std::string_view value, size_t min, size_t max, std::string_view parameter) {
  if (value.size() < min || value.size() > max) {
    return CloudWatchInvalid(absl::StrCat("The parameter ", Absl(parameter), " must be between ",
                                          min, " and ", max, " characters long."));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CloudWatchInvalid(std::string_view message) {
  return MakeError(ErrorCode::kCloudWatchInvalidParameterValue, message);
}

absl::Status CloudWatchMissing(std::string_view parameter) {
  return MakeError(ErrorCode::kCloudWatchMissingParameter,
                   absl::StrCat("The parameter ", Absl(parameter), " is required."));
}

absl::Status CloudWatchCombination(std::string_view message) {
  return MakeError(ErrorCode::kCloudWatchInvalidParameterCombination, message);
}

absl::Status InvalidNextTokenError() {
  return MakeError(ErrorCode::kCloudWatchInvalidNextToken, "The NextToken is invalid.");
}

absl::Status CheckNamespace(std::string_view ns, std::string_view parameter, bool custom) {
  if (ns.empty()) return CloudWatchMissing(parameter);
  if (absl::Status s = Length(ns, 1, 255, parameter); !s.ok()) return s;
  if (ns.front() == ':' || (custom && absl::StartsWith(Absl(ns), "AWS/"))) {
    return CloudWatchInvalid(
        absl::StrCat("The value ", Absl(ns), " for parameter ", Absl(parameter), " is invalid."));
  }
  return absl::OkStatus();
}

absl::Status CheckLength(std::string_view value, size_t min, size_t max, std::string_view path) {
  if (value.size() >= min && value.size() <= max) return absl::OkStatus();
  return MakeError(
      ErrorCode::kCloudWatchValidation,
      absl::StrCat("1 validation error detected: Value '", Absl(value), "' at '", Absl(path),
                   "' failed to satisfy constraint: Member must have length ",
                   value.size() < min ? "greater than or equal to " : "less than or equal to ",
                   value.size() < min ? min : max));
}

absl::Status CheckTags(const std::vector<cloudwatch::Tag>& tags) {
  for (size_t i = 0; i < tags.size(); ++i) {
    const std::string member = absl::StrCat("tags.", i + 1, ".member.");
    if (absl::Status s = CheckLength(tags[i].key, 1, 128, absl::StrCat(member, "key")); !s.ok()) {
      return s;
    }
    if (absl::Status s = CheckLength(tags[i].value, 0, 256, absl::StrCat(member, "value"));
        !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

void MergeTags(std::vector<cloudwatch::Tag>& tags, const std::vector<cloudwatch::Tag>& add) {
  for (const cloudwatch::Tag& tag : add) {
    auto it = std::find_if(tags.begin(), tags.end(),
                           [&](const cloudwatch::Tag& t) { return t.key == tag.key; });
    if (it != tags.end()) {
      it->value = tag.value;
    } else {
      tags.push_back(tag);
    }
  }
}

absl::Status CheckMetricName(std::string_view name, std::string_view parameter) {
  if (name.empty()) return CloudWatchMissing(parameter);
  return Length(name, 1, 255, parameter);
}

absl::StatusOr<metrics_internal::Dimensions> CheckDimensions(
    const std::vector<cloudwatch::Dimension>& dimensions, std::string_view parameter) {
  if (dimensions.size() > 30) {
    return CloudWatchInvalid(
        absl::StrCat("The collection ", Absl(parameter), " must not have a size greater than 30."));
  }
  metrics_internal::Dimensions out;
  out.reserve(dimensions.size());
  for (size_t i = 0; i < dimensions.size(); ++i) {
    const std::string member = absl::StrCat(Absl(parameter), ".member.", i + 1);
    const cloudwatch::Dimension& d = dimensions[i];
    if (d.name.empty()) return CloudWatchMissing(absl::StrCat(member, ".Name"));
    if (d.value.empty()) return CloudWatchMissing(absl::StrCat(member, ".Value"));
    if (absl::Status s = Length(d.name, 1, 255, absl::StrCat(member, ".Name")); !s.ok()) return s;
    if (absl::Status s = Length(d.value, 1, 1024, absl::StrCat(member, ".Value")); !s.ok()) {
      return s;
    }
    out.emplace_back(d.name, d.value);
  }
  std::sort(out.begin(), out.end());
  for (size_t i = 1; i < out.size(); ++i) {
    if (out[i].first == out[i - 1].first) {
      return CloudWatchInvalid(
          absl::StrCat("The dimension name ", out[i].first, " is specified more than once."));
    }
  }
  return out;
}

bool IsStandardUnit(std::string_view unit) {
  return std::find(kUnits.begin(), kUnits.end(), unit) != kUnits.end();
}

absl::Status CheckUnit(std::string_view unit, std::string_view parameter) {
  if (unit.empty() || IsStandardUnit(unit)) return absl::OkStatus();
  std::string set;
  for (std::string_view u : kUnits) absl::StrAppend(&set, set.empty() ? "" : ", ", Absl(u));
  return CloudWatchInvalid(absl::StrCat("The parameter ", Absl(parameter),
                                        " must be a value in the set [ ", set, " ]."));
}

std::optional<Stat> ParseStatistic(std::string_view name) {
  static constexpr std::pair<std::string_view, Stat::Kind> kStats[] = {
      {"SampleCount", Stat::kSampleCount}, {"Average", Stat::kAverage}, {"Sum", Stat::kSum},
      {"Minimum", Stat::kMinimum},         {"Maximum", Stat::kMaximum},
  };
  for (const auto& [n, kind] : kStats) {
    if (n == name) return Stat{kind, 0, std::string(name)};
  }
  return std::nullopt;
}

std::optional<Stat> ParsePercentile(std::string_view name) {
  // p, then digits with at most one '.', and at most two decimals.
  if (name.size() < 2 || name.size() > 7 || name[0] != 'p') return std::nullopt;
  std::string_view digits = name.substr(1);
  const size_t dot = digits.find('.');
  if (dot != std::string_view::npos &&
      (dot == 0 || dot + 1 == digits.size() || digits.size() - dot - 1 > 2)) {
    return std::nullopt;
  }
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i != dot && (digits[i] < '0' || digits[i] > '9')) return std::nullopt;
  }
  double value = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || end != digits.data() + digits.size() || value < 0 || value > 100) {
    return std::nullopt;
  }
  return Stat{Stat::kPercentile, value, std::string(name)};
}

std::optional<Stat> ParseStat(std::string_view name) {
  if (std::optional<Stat> s = ParseStatistic(name)) return s;
  return ParsePercentile(name);
}

bool IsQueryPeriod(int period) {
  return period == 1 || period == 5 || period == 10 || period == 30 ||
         (period > 0 && period % 60 == 0);
}

std::optional<double> StatValue(const Stat& stat, const metrics_internal::PeriodStats& p) {
  const metrics_internal::Sample& s = p.sample;
  if (s.count <= 0) return std::nullopt;
  switch (stat.kind) {
    case Stat::kSampleCount:
      return s.count;
    case Stat::kAverage:
      return s.sum / s.count;
    case Stat::kSum:
      return s.sum;
    case Stat::kMinimum:
      return s.min;
    case Stat::kMaximum:
      return s.max;
    case Stat::kPercentile:
      break;
  }
  if (!p.values.has_value() || p.values->empty()) return std::nullopt;
  if (stat.percentile <= 0) return s.min;
  if (stat.percentile >= 100) return s.max;
  return std::clamp(metrics_internal::Percentile(*p.values, stat.percentile), s.min, s.max);
}

std::string AlarmTimestamp(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3S+0000", t, absl::UTCTimeZone());
}

std::string ReasonTimestamp(absl::Time t) {
  return absl::FormatTime("%d/%m/%y %H:%M:%S", t, absl::UTCTimeZone());
}

std::string ReasonNumber(double v) {
  if (std::isfinite(v) && v == std::trunc(v) && std::fabs(v) < 1e15) {
    return absl::StrFormat("%.1f", v);
  }
  return absl::StrCat(v);
}

bool IsJson(std::string_view text) {
  rapidjson::Document doc;
  return base_internal::ParseJson(text, &doc);
}

}  // namespace wharf::service_internal
