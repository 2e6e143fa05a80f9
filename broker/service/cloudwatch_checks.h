// The parameter checks CloudWatch operations share (namespaces, names,
// dimensions, units, periods, statistics), with AWS's error codes, and the
// statistics of a period.
//
// Thread safety: pure functions.

#ifndef WHARF_BROKER_SERVICE_CLOUDWATCH_CHECKS_H_
#define WHARF_BROKER_SERVICE_CLOUDWATCH_CHECKS_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "broker/metrics/metric_store.h"
#include "wharf/cloudwatch.h"

namespace wharf::service_internal {

absl::Status CloudWatchInvalid(std::string_view message);      // InvalidParameterValue.
absl::Status CloudWatchMissing(std::string_view parameter);    // MissingParameter.
absl::Status CloudWatchCombination(std::string_view message);  // InvalidParameterCombination.
absl::Status InvalidNextTokenError();                          // InvalidNextToken.

// Namespace: 1-255 characters, not starting with ':'; `custom` also refuses
// the reserved "AWS/" prefix (PutMetricData).
absl::Status CheckNamespace(std::string_view ns, std::string_view parameter, bool custom);
absl::Status CheckMetricName(std::string_view name, std::string_view parameter);
// At most 30, names 1-255, values 1-1024, no name twice. Returns them sorted.
absl::StatusOr<metrics_internal::Dimensions> CheckDimensions(
    const std::vector<cloudwatch::Dimension>& dimensions, std::string_view parameter);
// AWS's request validation of a member's length (ValidationError, "1
// validation error detected: Value '...' at '<path>' failed to satisfy
// constraint: ..."); `path` as AWS names it ("resourceARN", "tags.1.member.key").
absl::Status CheckLength(std::string_view value, size_t min, size_t max, std::string_view path);

// Alarm tags (PutMetricAlarm, TagResource): keys 1-128, values 0-256
// characters (the model's constraints, so ValidationError).
absl::Status CheckTags(const std::vector<cloudwatch::Tag>& tags);
// Tags an alarm may have (TagResource; PutMetricAlarm's Tags).
constexpr size_t kMaxTags = 50;
// Adds `add` to `tags`: a key already there takes the new value in place, a
// new key is appended.
void MergeTags(std::vector<cloudwatch::Tag>& tags, const std::vector<cloudwatch::Tag>& add);

// One of CloudWatch's StandardUnit values ("Seconds", ..., "None").
bool IsStandardUnit(std::string_view unit);
absl::Status CheckUnit(std::string_view unit, std::string_view parameter);

// A statistic: one of the five, or a percentile pNN[.NN] (0 <= NN <= 100).
struct Stat {
  enum Kind { kSampleCount, kAverage, kSum, kMinimum, kMaximum, kPercentile };
  Kind kind = kSum;
  double percentile = 0;  // kPercentile.
  std::string name;       // As given ("Maximum", "p99").
};
std::optional<Stat> ParseStatistic(std::string_view name);   // The five only.
std::optional<Stat> ParsePercentile(std::string_view name);  // pNN only.
std::optional<Stat> ParseStat(std::string_view name);        // Either.

// Query periods: 1, 5, 10, 30 or a multiple of 60.
bool IsQueryPeriod(int period);

// The statistic of a period; nullopt when it has none (a percentile whose
// values are unknown). Percentiles are clamped to the period's extremes.
std::optional<double> StatValue(const Stat& stat, const metrics_internal::PeriodStats& p);

// "2026-01-01T00:00:00.000+0000" (alarm notifications, reason data).
std::string AlarmTimestamp(absl::Time t);
// "01/01/26 00:00:00" (dd/MM/yy, in alarm state reasons).
std::string ReasonTimestamp(absl::Time t);
// A number as CloudWatch prints it in reasons: "1.0", "0.5", "1234.0".
std::string ReasonNumber(double v);
// Whether `text` is one JSON value (StateReasonData), with bounded depth.
bool IsJson(std::string_view text);

}  // namespace wharf::service_internal

#endif  // WHARF_BROKER_SERVICE_CLOUDWATCH_CHECKS_H_
