// Parameter checks of the Lambda service (lambda_checks.h). Pure functions.
#include "broker/service/lambda_checks.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "wharf/errors.h"

namespace wharf::service_internal::lambda_checks {

using lambda_internal::Function;
using lambda_internal::MappingSettings;

absl::Status Validation(std::string_view value, std::string_view field, std::string_view rule) {
  return MakeError(ErrorCode::kLambdaValidation,
                   absl::StrCat("1 validation error detected: Value '", Av(value), "' at '",
                                Av(field), "' failed to satisfy constraint: ", Av(rule)));
}

absl::Status Range(int value, std::string_view field, int min, int max) {
  if (value < min) {
    return Validation(absl::StrCat(value), field,
                      absl::StrCat("Member must have value greater than or equal to ", min));
  }
  if (value > max) {
    return Validation(absl::StrCat(value), field,
                      absl::StrCat("Member must have value less than or equal to ", max));
  }
  return absl::OkStatus();
}

absl::Status InvalidParameter(std::string_view message) {
  return MakeError(ErrorCode::kLambdaInvalidParameterValue, message);
}

absl::Status NotFound(std::string_view message) {
  return MakeError(ErrorCode::kLambdaResourceNotFound, message);
}

absl::Status MappingNotFound() { return NotFound("The resource you requested does not exist."); }

bool IsFunctionName(std::string_view name) {
  if (name.empty() || name.size() > static_cast<size_t>(kMaxFunctionNameLength)) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
  });
}

bool IsDestinationArn(std::string_view arn) {
  std::vector<absl::string_view> parts = absl::StrSplit(Av(arn), ':');
  if (parts.size() < 6 || parts[0] != "arn" || parts[1] != "aws") return false;
  if (parts[2] == "sqs" || parts[2] == "sns") return parts.size() == 6 && !parts[5].empty();
  if (parts[2] == "events") return parts[5].substr(0, 10) == "event-bus/";
  if (parts[2] == "lambda") return parts.size() >= 7 && parts[5] == "function";
  return false;
}

std::string Join(const std::vector<std::string>& parts) {
  std::string out = "[";
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += ", ";
    out += parts[i];
  }
  return out + "]";
}

// Checks the parameters that do not depend on the queue or the function.
absl::Status CheckRanges(const MappingParams& p) {
  if (absl::Status s = Range(p.batch_size, "batchSize", 1, kMaxBatchSize); !s.ok()) return s;
  if (absl::Status s = Range(p.window, "maximumBatchingWindowInSeconds", 0, kMaxBatchingWindow);
      !s.ok()) {
    return s;
  }
  // Recorded on AWS (LocalStack's test_event_source_mapping_default_batch_size
  // snapshot), on Create and Update alike, before the function or the queue is
  // looked up. A FIFO queue with a batch size above 10 fails here or on its
  // window below, so AWS needs no FIFO batch-size text of its own.
  if (p.batch_size > kMaxUnbatchedBatchSize && p.window == 0) {
    return InvalidParameter(
        "Maximum batch window in seconds must be greater than 0 if maximum batch size is greater "
        "than 10");
  }
  if (p.response_types.size() > 1) {
    return Validation(Join(p.response_types), "functionResponseTypes",
                      "Member must have length less than or equal to 1");
  }
  for (const std::string& type : p.response_types) {
    if (type != kReportBatchItemFailures) {
      return Validation(Join(p.response_types), "functionResponseTypes",
                        "Member must satisfy constraint: [Member must satisfy enum value set: "
                        "[ReportBatchItemFailures]]");
    }
  }
  if (p.maximum_concurrency.has_value()) {
    if (absl::Status s = Range(*p.maximum_concurrency, "scalingConfig.maximumConcurrency",
                               kMinConcurrency, kMaxConcurrency);
        !s.ok()) {
      return s;
    }
  }
  if (p.filter_criteria.has_value()) {
    for (const lambda::Filter& f : p.filter_criteria->filters) {
      if (f.pattern.size() > kMaxFilterPatternLength) {
        return Validation(f.pattern.substr(0, 64), "filterCriteria.filters.member.pattern",
                          "Member must have length less than or equal to 4096");
      }
    }
    if (p.filter_criteria->filters.size() > kMaxFilters) {
      // The code is AWS's (Lambda "returns an error" above the quota); the
      // text is ours (unrecorded).
      return InvalidParameter(absl::StrCat("The maximum number of filters is ", kMaxFilters,
                                           " per event source mapping."));
    }
  }
  return absl::OkStatus();
}

// Checks the parameters against the queue and compiles the filters.
absl::StatusOr<std::shared_ptr<const Matcher>> CheckForQueue(const MappingParams& p, bool fifo) {
  if (fifo) {
    // AWS's text (CloudFormation's report of CreateEventSourceMapping; see
    // aws/aws-lambda-dotnet#1758). A batch size above 10 with no window
    // failed in CheckRanges, so this check also bounds FIFO batches to 10.
    if (p.window > 0) {
      return InvalidParameter("Batching window is not supported for FIFO queues");
    }
  }
  if (!p.filter_criteria.has_value() || p.filter_criteria->filters.empty()) return nullptr;
  auto matcher = Matcher::Create(PatternDialect::kEventBridge);
  if (!matcher.ok()) return matcher.status();
  for (size_t i = 0; i < p.filter_criteria->filters.size(); ++i) {
    if (!(*matcher)->Add(absl::StrCat(i), p.filter_criteria->filters[i].pattern).ok()) {
      return InvalidParameter("Invalid filter pattern definition.");
    }
  }
  (*matcher)->Compile();
  return std::shared_ptr<const Matcher>(*std::move(matcher));
}

// Checks `p` against the function and the queue, and builds the settings.
absl::StatusOr<MappingSettings> BuildSettings(const MappingParams& p, const Function& function,
                                              bool fifo, int visibility_timeout) {
  auto filters = CheckForQueue(p, fifo);
  if (!filters.ok()) return filters.status();
  const int64_t timeout = absl::ToInt64Seconds(function.timeout);
  if (visibility_timeout < timeout) {
    return InvalidParameter(absl::StrCat("Queue visibility timeout: ", visibility_timeout,
                                         " seconds is less than Function timeout: ", timeout,
                                         " seconds"));
  }
  MappingSettings settings;
  settings.function_name = function.name;
  settings.function_arn = function.arn;
  settings.batch_size = p.batch_size;
  settings.batching_window_seconds = p.window;
  settings.report_batch_item_failures = !p.response_types.empty();
  if (p.filter_criteria.has_value() && !p.filter_criteria->filters.empty()) {
    settings.filter_criteria = p.filter_criteria;
  }
  settings.filters = *std::move(filters);
  settings.maximum_concurrency = p.maximum_concurrency;
  return settings;
}

absl::Status MappingConflict(const std::string& queue_arn, const std::string& function_name,
                             const std::string& uuid) {
  return MakeError(ErrorCode::kLambdaResourceConflict,
                   absl::StrCat("An event source mapping with SQS arn (\" ", queue_arn,
                                " \") and function (\" ", function_name,
                                " \") already exists. Please update or delete the existing "
                                "mapping with UUID ",
                                uuid));
}

}  // namespace wharf::service_internal::lambda_checks
