// Checks and error constructors of SQS queue message operations
// (queue_checks.h). Pure functions.
#include "broker/service/queue_checks.h"

#include "absl/strings/str_cat.h"
#include "broker/base/aws_errors.h"
#include "wharf/errors.h"

namespace wharf::service_internal::queue_checks {

absl::Status InvalidParameter(std::string message) {
  return MakeError(ErrorCode::kInvalidParameterValue, message);
}

absl::Status NotValidForQueueType(std::string_view parameter, std::string_view value) {
  return InvalidParameter(absl::StrCat(
      "Value ", absl::string_view(value.data(), value.size()), " for parameter ",
      absl::string_view(parameter.data(), parameter.size()),
      " is invalid. Reason: The request include parameter that is not valid for this queue "
      "type."));
}

absl::Status MissingGroupId(bool in_batch) {
  constexpr std::string_view kMessage = "The request must contain the parameter MessageGroupId.";
  return MakeError(in_batch ? ErrorCode::kInvalidParameterValue : ErrorCode::kMissingParameter,
                   kMessage);
}

absl::Status MissingDeduplicationId() {
  return InvalidParameter(
      "The queue should either have ContentBasedDeduplication enabled or "
      "MessageDeduplicationId provided explicitly");
}

absl::Status VisibilityTimeoutOutOfRange(int value) {
  return InvalidParameter(absl::StrCat("Value ", value,
                                       " for parameter VisibilityTimeout is invalid. Reason: Must "
                                       "be >= 0 and <= 43200, if provided."));
}

sqs::BatchResultErrorEntry FailedEntry(const std::string& id, const absl::Status& status) {
  sqs::BatchResultErrorEntry failed;
  failed.id = id;
  failed.code = GetErrorCode(status).value_or(ErrorCode::kInternalFailure);
  failed.sender_fault = GetErrorInfo(failed.code).fault == Fault::kSender;
  failed.message = std::string(status.message());
  return failed;
}
}  // namespace wharf::service_internal::queue_checks
