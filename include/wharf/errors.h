// File: wharf/errors.h
//
// AWS errors carried by absl::Status. Every wharf operation that can fail
// returns absl::Status or absl::StatusOr<T>; a failed status carries, as a
// payload, the AWS error code the real service would return, so a test can
// assert the exact error and the wire layer can map it 1:1.
//
//   absl::Status s = sqs->DeleteQueue({.queue_url = "nope"});
//   if (wharf::GetErrorCode(s) == wharf::ErrorCode::kQueueDoesNotExist) ...
//
// Thread safety: all functions here are thread-safe; they hold no state.

#ifndef WHARF_ERRORS_H_
#define WHARF_ERRORS_H_

#include <optional>
#include <string_view>

#include "absl/status/status.h"

namespace wharf {

// One value per AWS error code wharf can return. Grouped by service because
// the same idea has different codes in different services (SQS
// InvalidParameterValue, SNS InvalidParameter, EventBridge ValidationException,
// Lambda InvalidParameterValueException).
// The table in broker/base/errors.cc gives each its AWS names and HTTP status.
enum class ErrorCode {
  // SQS.
  kQueueDoesNotExist,
  kQueueNameExists,
  kQueueDeletedRecently,
  kInvalidParameterValue,
  kMissingParameter,
  kInvalidAttributeName,
  kInvalidAttributeValue,
  kInvalidMessageContents,
  kReceiptHandleIsInvalid,
  kMessageNotInflight,
  kEmptyBatchRequest,
  kTooManyEntriesInBatchRequest,
  kBatchEntryIdsNotDistinct,
  kInvalidBatchEntryId,
  kBatchRequestTooLong,
  kPurgeQueueInProgress,
  kOverLimit,
  kUnsupportedOperation,
  kInvalidAddress,
  kInvalidSecurity,
  kSqsResourceNotFound,  // ResourceNotFoundException (move tasks).
  kInvalidAction,        // Wire: unknown Action / X-Amz-Target.

  // SNS.
  kSnsInvalidParameter,
  kSnsParameterValueInvalid,
  kSnsNotFound,
  kSnsResourceNotFound,
  kSnsAuthorizationError,
  kSnsInternalError,
  kSnsTopicLimitExceeded,
  kSnsSubscriptionLimitExceeded,
  kSnsFilterPolicyLimitExceeded,
  kSnsTagLimitExceeded,
  kSnsInvalidState,
  kSnsEmptyBatchRequest,
  kSnsTooManyEntriesInBatchRequest,
  kSnsBatchEntryIdsNotDistinct,
  kSnsBatchRequestTooLong,
  kSnsInvalidBatchEntryId,
  kSnsValidation,

  // EventBridge.
  kEventsValidation,
  kEventsResourceNotFound,
  kEventsResourceAlreadyExists,
  kInvalidEventPattern,
  kEventsLimitExceeded,
  kEventsConcurrentModification,
  kEventsIllegalStatus,
  kEventsInvalidState,
  kEventsInternal,
  kEventsPolicyLengthExceeded,
  kEventsManagedRule,  // "ManagedRuleException": a rule an AWS service manages.
  // PutEvents entry errors (PutEventsResultEntry::error_code).
  kEventsInvalidArgument,         // "InvalidArgument": a missing or too long field.
  kEventsMalformedDetail,         // "MalformedDetail": Detail is not a JSON object.
  kEventsNotAuthorizedForSource,  // "NotAuthorizedForSourceException": an "aws." source.

  // CloudWatch (query protocol; name = <Code>).
  kCloudWatchInvalidParameterValue,
  kCloudWatchMissingParameter,
  kCloudWatchInvalidParameterCombination,
  kCloudWatchLimitExceeded,
  kCloudWatchResourceNotFound,
  kCloudWatchInvalidFormat,
  kCloudWatchInvalidNextToken,
  kCloudWatchInternalServiceError,
  kCloudWatchValidation,                 // "ValidationError": a member outside its enum or length.
  kCloudWatchResourceNotFoundException,  // TagResource, UntagResource: no such alarm.

  // Lambda (JSON; name = __type).
  kLambdaInvalidParameterValue,
  kLambdaValidation,
  kLambdaResourceNotFound,
  kLambdaResourceConflict,
  kLambdaResourceInUse,
  kLambdaRequestTooLarge,
  kLambdaInvalidRequestContent,
  kLambdaTooManyRequests,
  kLambdaService,

  // Any service: the service cannot take the request now; retry later (a
  // durable broker's disk is full).
  kServiceUnavailable,
  // Any service: an internal failure (storage I/O error, invariant).
  kInternalFailure,
};

enum class Fault { kSender, kReceiver };

// What the wire layer needs to render an error.
struct ErrorInfo {
  ErrorCode code{};
  std::string_view name{};        // Code as the AWS docs name it, e.g. "QueueDoesNotExist".
  std::string_view query_code{};  // <Code> in query/XML errors, x-amzn-query-error.
  std::string_view json_type{};   // __type shape name in JSON errors.
  int http_status{};
  absl::StatusCode status_code{};  // Canonical absl code for the status.
  Fault fault{};
};

// The table row for `code`. Never fails: every ErrorCode has a row.
const ErrorInfo& GetErrorInfo(ErrorCode code);

// A non-OK status with `code` attached. `message` is what AWS puts in the
// error's Message (e.g. "The specified queue does not exist.").
absl::Status MakeError(ErrorCode code, std::string_view message);

// The code attached by MakeError, or nullopt for OK and foreign statuses.
std::optional<ErrorCode> GetErrorCode(const absl::Status& status);

}  // namespace wharf

#endif  // WHARF_ERRORS_H_
