// Parameter checks of the Lambda service, with AWS's error texts: limits,
// function names, destination ARNs and the settings of an event source
// mapping (ranges, FIFO rules, filter patterns).
//
// Thread safety: pure functions.

#ifndef WHARF_BROKER_SERVICE_LAMBDA_CHECKS_H_
#define WHARF_BROKER_SERVICE_LAMBDA_CHECKS_H_

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "broker/lambda/event_source_mapping.h"
#include "broker/lambda/function_registry.h"
#include "wharf/lambda.h"
#include "wharf/pattern.h"

namespace wharf::service_internal::lambda_checks {

inline constexpr int kMaxFunctionNameLength = 64;
inline constexpr int kMaxDescriptionLength = 256;
inline constexpr int kMinTimeout = 1;
inline constexpr int kMaxTimeout = 900;
inline constexpr int kMaxBatchSize = 10000;
inline constexpr int kMaxUnbatchedBatchSize = 10;
inline constexpr int kMaxBatchingWindow = 300;
inline constexpr size_t kMaxFilters = 5;
inline constexpr size_t kMaxFilterPatternLength = 4096;
inline constexpr int kMinConcurrency = 2;
inline constexpr int kMaxConcurrency = 1000;
inline constexpr int kMaxRetryAttempts = 2;
inline constexpr int kMinEventAge = 60;
inline constexpr int kMaxEventAge = 21600;
inline constexpr int kMaxListItems = 10000;
inline constexpr int kDefaultListFunctions = 50;
inline constexpr int kDefaultListMappings = 100;
inline constexpr std::string_view kReportBatchItemFailures = "ReportBatchItemFailures";

// Debian's Abseil has its own string_view, which StrCat and StrSplit take.
inline absl::string_view Av(std::string_view s) { return absl::string_view(s.data(), s.size()); }

absl::Status Validation(std::string_view value, std::string_view field, std::string_view rule);
absl::Status Range(int value, std::string_view field, int min, int max);
absl::Status InvalidParameter(std::string_view message);
absl::Status NotFound(std::string_view message);
absl::Status MappingNotFound();
bool IsFunctionName(std::string_view name);
// The bus name of an event bus ARN (arn:aws:events:<region>:<account>:event-bus/<name>).
bool IsDestinationArn(std::string_view arn);
std::string Join(const std::vector<std::string>& parts);

// The parameters of Create and Update, merged over the mapping's current
// settings for Update.
struct MappingParams {
  int batch_size = 10;
  int window = 0;
  std::optional<lambda::FilterCriteria> filter_criteria;
  std::vector<std::string> response_types;
  std::optional<int> maximum_concurrency;
};

// Checks the parameters that do not depend on the queue or the function.
absl::Status CheckRanges(const MappingParams& p);
// Checks the parameters against the queue and compiles the filters.
absl::StatusOr<std::shared_ptr<const Matcher>> CheckForQueue(const MappingParams& p, bool fifo);
// Checks `p` against the function and the queue, and builds the settings.
absl::StatusOr<lambda_internal::MappingSettings> BuildSettings(
    const MappingParams& p, const lambda_internal::Function& function, bool fifo,
    int visibility_timeout);
absl::Status MappingConflict(const std::string& queue_arn, const std::string& function_name,
                             const std::string& uuid);

}  // namespace wharf::service_internal::lambda_checks

#endif  // WHARF_BROKER_SERVICE_LAMBDA_CHECKS_H_
