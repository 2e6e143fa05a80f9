// The one table mapping wharf::ErrorCode to AWS names and HTTP statuses.
// Sources: spec/sqs.md §11, spec/sns.md §8, spec/eventbridge.md §9, and the
// CloudWatch API model (2010-08-01) for its errors, and the Lambda API
// reference (Errors of CreateEventSourceMapping and Invoke).

#include "wharf/errors.h"

#include <array>
#include <string>

#include "absl/strings/cord.h"

namespace wharf {
namespace {

using SC = absl::StatusCode;
constexpr Fault S = Fault::kSender;
constexpr Fault R = Fault::kReceiver;

// Order must follow the enum; checked by a static_assert below and a test.
constexpr ErrorInfo kTable[] = {
    // SQS: name, query code, JSON shape.
    {ErrorCode::kQueueDoesNotExist, "QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue",
     "QueueDoesNotExist", 400, SC::kNotFound, S},
    {ErrorCode::kQueueNameExists, "QueueNameExists", "QueueAlreadyExists", "QueueNameExists", 400,
     SC::kAlreadyExists, S},
    {ErrorCode::kQueueDeletedRecently, "QueueDeletedRecently",
     "AWS.SimpleQueueService.QueueDeletedRecently", "QueueDeletedRecently", 400,
     SC::kFailedPrecondition, S},
    {ErrorCode::kInvalidParameterValue, "InvalidParameterValue", "InvalidParameterValue",
     "InvalidParameterValueException", 400, SC::kInvalidArgument, S},
    {ErrorCode::kMissingParameter, "MissingParameter", "MissingParameter",
     "MissingRequiredParameterException", 400, SC::kInvalidArgument, S},
    {ErrorCode::kInvalidAttributeName, "InvalidAttributeName", "InvalidAttributeName",
     "InvalidAttributeName", 400, SC::kInvalidArgument, S},
    {ErrorCode::kInvalidAttributeValue, "InvalidAttributeValue", "InvalidAttributeValue",
     "InvalidAttributeValue", 400, SC::kInvalidArgument, S},
    {ErrorCode::kInvalidMessageContents, "InvalidMessageContents", "InvalidMessageContents",
     "InvalidMessageContents", 400, SC::kInvalidArgument, S},
    // 404 on both protocols: the SQS Smithy model's httpError and awsQueryError
    // (aws/api-models-aws sqs-2012-11-05.json); its other statuses agree with
    // recordings (PurgeQueueInProgress 403, LocalStack
    // test_successive_purge_calls_fail, AWS-validated).
    {ErrorCode::kReceiptHandleIsInvalid, "ReceiptHandleIsInvalid", "ReceiptHandleIsInvalid",
     "ReceiptHandleIsInvalid", 404, SC::kInvalidArgument, S},
    {ErrorCode::kMessageNotInflight, "MessageNotInflight",
     "AWS.SimpleQueueService.MessageNotInflight", "MessageNotInflight", 400,
     SC::kFailedPrecondition, S},
    {ErrorCode::kEmptyBatchRequest, "EmptyBatchRequest", "AWS.SimpleQueueService.EmptyBatchRequest",
     "EmptyBatchRequest", 400, SC::kInvalidArgument, S},
    {ErrorCode::kTooManyEntriesInBatchRequest, "TooManyEntriesInBatchRequest",
     "AWS.SimpleQueueService.TooManyEntriesInBatchRequest", "TooManyEntriesInBatchRequest", 400,
     SC::kInvalidArgument, S},
    {ErrorCode::kBatchEntryIdsNotDistinct, "BatchEntryIdsNotDistinct",
     "AWS.SimpleQueueService.BatchEntryIdsNotDistinct", "BatchEntryIdsNotDistinct", 400,
     SC::kInvalidArgument, S},
    {ErrorCode::kInvalidBatchEntryId, "InvalidBatchEntryId",
     "AWS.SimpleQueueService.InvalidBatchEntryId", "InvalidBatchEntryId", 400, SC::kInvalidArgument,
     S},
    {ErrorCode::kBatchRequestTooLong, "BatchRequestTooLong",
     "AWS.SimpleQueueService.BatchRequestTooLong", "BatchRequestTooLong", 400, SC::kInvalidArgument,
     S},
    {ErrorCode::kPurgeQueueInProgress, "PurgeQueueInProgress",
     "AWS.SimpleQueueService.PurgeQueueInProgress", "PurgeQueueInProgress", 403,
     SC::kFailedPrecondition, S},
    {ErrorCode::kOverLimit, "OverLimit", "OverLimit", "OverLimit", 403, SC::kResourceExhausted, S},
    {ErrorCode::kUnsupportedOperation, "UnsupportedOperation",
     "AWS.SimpleQueueService.UnsupportedOperation", "UnsupportedOperation", 400, SC::kUnimplemented,
     S},
    {ErrorCode::kInvalidAddress, "InvalidAddress", "InvalidAddress", "InvalidAddress", 404,
     SC::kInvalidArgument, S},
    {ErrorCode::kInvalidSecurity, "InvalidSecurity", "InvalidSecurity", "InvalidSecurity", 403,
     SC::kPermissionDenied, S},
    {ErrorCode::kSqsResourceNotFound, "ResourceNotFoundException", "ResourceNotFoundException",
     "ResourceNotFoundException", 404, SC::kNotFound, S},
    {ErrorCode::kInvalidAction, "InvalidAction", "InvalidAction", "UnknownOperationException", 400,
     SC::kUnimplemented, S},

    // SNS: name = query <Code>, JSON shape = *Exception.
    {ErrorCode::kSnsInvalidParameter, "InvalidParameter", "InvalidParameter",
     "InvalidParameterException", 400, SC::kInvalidArgument, S},
    {ErrorCode::kSnsParameterValueInvalid, "ParameterValueInvalid", "ParameterValueInvalid",
     "InvalidParameterValueException", 400, SC::kInvalidArgument, S},
    {ErrorCode::kSnsNotFound, "NotFound", "NotFound", "NotFoundException", 404, SC::kNotFound, S},
    {ErrorCode::kSnsResourceNotFound, "ResourceNotFound", "ResourceNotFound",
     "ResourceNotFoundException", 404, SC::kNotFound, S},
    {ErrorCode::kSnsAuthorizationError, "AuthorizationError", "AuthorizationError",
     "AuthorizationErrorException", 403, SC::kPermissionDenied, S},
    {ErrorCode::kSnsInternalError, "InternalError", "InternalError", "InternalErrorException", 500,
     SC::kInternal, R},
    {ErrorCode::kSnsTopicLimitExceeded, "TopicLimitExceeded", "TopicLimitExceeded",
     "TopicLimitExceededException", 403, SC::kResourceExhausted, S},
    {ErrorCode::kSnsSubscriptionLimitExceeded, "SubscriptionLimitExceeded",
     "SubscriptionLimitExceeded", "SubscriptionLimitExceededException", 403, SC::kResourceExhausted,
     S},
    {ErrorCode::kSnsFilterPolicyLimitExceeded, "FilterPolicyLimitExceeded",
     "FilterPolicyLimitExceeded", "FilterPolicyLimitExceededException", 403, SC::kResourceExhausted,
     S},
    {ErrorCode::kSnsTagLimitExceeded, "TagLimitExceeded", "TagLimitExceeded",
     "TagLimitExceededException", 400, SC::kResourceExhausted, S},
    {ErrorCode::kSnsInvalidState, "InvalidState", "InvalidState", "InvalidStateException", 400,
     SC::kFailedPrecondition, S},
    {ErrorCode::kSnsEmptyBatchRequest, "EmptyBatchRequest", "EmptyBatchRequest",
     "EmptyBatchRequestException", 400, SC::kInvalidArgument, S},
    {ErrorCode::kSnsTooManyEntriesInBatchRequest, "TooManyEntriesInBatchRequest",
     "TooManyEntriesInBatchRequest", "TooManyEntriesInBatchRequestException", 400,
     SC::kInvalidArgument, S},
    {ErrorCode::kSnsBatchEntryIdsNotDistinct, "BatchEntryIdsNotDistinct",
     "BatchEntryIdsNotDistinct", "BatchEntryIdsNotDistinctException", 400, SC::kInvalidArgument, S},
    {ErrorCode::kSnsBatchRequestTooLong, "BatchRequestTooLong", "BatchRequestTooLong",
     "BatchRequestTooLongException", 400, SC::kInvalidArgument, S},
    {ErrorCode::kSnsInvalidBatchEntryId, "InvalidBatchEntryId", "InvalidBatchEntryId",
     "InvalidBatchEntryIdException", 400, SC::kInvalidArgument, S},
    {ErrorCode::kSnsValidation, "ValidationError", "ValidationError", "ValidationException", 400,
     SC::kInvalidArgument, S},

    // EventBridge (JSON only; name = __type).
    {ErrorCode::kEventsValidation, "ValidationException", "ValidationException",
     "ValidationException", 400, SC::kInvalidArgument, S},
    {ErrorCode::kEventsResourceNotFound, "ResourceNotFoundException", "ResourceNotFoundException",
     "ResourceNotFoundException", 400, SC::kNotFound, S},
    {ErrorCode::kEventsResourceAlreadyExists, "ResourceAlreadyExistsException",
     "ResourceAlreadyExistsException", "ResourceAlreadyExistsException", 400, SC::kAlreadyExists,
     S},
    {ErrorCode::kInvalidEventPattern, "InvalidEventPatternException",
     "InvalidEventPatternException", "InvalidEventPatternException", 400, SC::kInvalidArgument, S},
    {ErrorCode::kEventsLimitExceeded, "LimitExceededException", "LimitExceededException",
     "LimitExceededException", 400, SC::kResourceExhausted, S},
    {ErrorCode::kEventsConcurrentModification, "ConcurrentModificationException",
     "ConcurrentModificationException", "ConcurrentModificationException", 400, SC::kAborted, S},
    {ErrorCode::kEventsIllegalStatus, "IllegalStatusException", "IllegalStatusException",
     "IllegalStatusException", 400, SC::kFailedPrecondition, S},
    {ErrorCode::kEventsInvalidState, "InvalidStateException", "InvalidStateException",
     "InvalidStateException", 400, SC::kFailedPrecondition, S},
    {ErrorCode::kEventsInternal, "InternalException", "InternalException", "InternalException", 500,
     SC::kInternal, R},
    {ErrorCode::kEventsPolicyLengthExceeded, "PolicyLengthExceededException",
     "PolicyLengthExceededException", "PolicyLengthExceededException", 400, SC::kResourceExhausted,
     S},
    {ErrorCode::kEventsManagedRule, "ManagedRuleException", "ManagedRuleException",
     "ManagedRuleException", 400, SC::kFailedPrecondition, S},
    {ErrorCode::kEventsInvalidArgument, "InvalidArgument", "InvalidArgument", "InvalidArgument",
     400, SC::kInvalidArgument, S},
    {ErrorCode::kEventsMalformedDetail, "MalformedDetail", "MalformedDetail", "MalformedDetail",
     400, SC::kInvalidArgument, S},
    {ErrorCode::kEventsNotAuthorizedForSource, "NotAuthorizedForSourceException",
     "NotAuthorizedForSourceException", "NotAuthorizedForSourceException", 400,
     SC::kPermissionDenied, S},

    // CloudWatch: name = query <Code>, JSON shape = the model's error shape.
    {ErrorCode::kCloudWatchInvalidParameterValue, "InvalidParameterValue", "InvalidParameterValue",
     "InvalidParameterValueException", 400, SC::kInvalidArgument, S},
    {ErrorCode::kCloudWatchMissingParameter, "MissingParameter", "MissingParameter",
     "MissingRequiredParameterException", 400, SC::kInvalidArgument, S},
    {ErrorCode::kCloudWatchInvalidParameterCombination, "InvalidParameterCombination",
     "InvalidParameterCombination", "InvalidParameterCombinationException", 400,
     SC::kInvalidArgument, S},
    {ErrorCode::kCloudWatchLimitExceeded, "LimitExceeded", "LimitExceeded", "LimitExceededFault",
     400, SC::kResourceExhausted, S},
    {ErrorCode::kCloudWatchResourceNotFound, "ResourceNotFound", "ResourceNotFound",
     "ResourceNotFound", 404, SC::kNotFound, S},
    {ErrorCode::kCloudWatchInvalidFormat, "InvalidFormat", "InvalidFormat", "InvalidFormatFault",
     400, SC::kInvalidArgument, S},
    {ErrorCode::kCloudWatchInvalidNextToken, "InvalidNextToken", "InvalidNextToken",
     "InvalidNextToken", 400, SC::kInvalidArgument, S},
    {ErrorCode::kCloudWatchInternalServiceError, "InternalServiceError", "InternalServiceError",
     "InternalServiceFault", 500, SC::kInternal, R},
    // Not in the model: AWS's request validation answers it, with its own
    // JSON namespace (LocalStack test_set_alarm_invalid_input, AWS-validated).
    {ErrorCode::kCloudWatchValidation, "ValidationError", "ValidationError",
     "com.amazon.coral.validate#ValidationException", 400, SC::kInvalidArgument, S},
    // The model's other not-found error, of the tagging operations.
    {ErrorCode::kCloudWatchResourceNotFoundException, "ResourceNotFoundException",
     "ResourceNotFoundException", "ResourceNotFoundException", 404, SC::kNotFound, S},

    // Lambda (JSON only; name = __type).
    {ErrorCode::kLambdaInvalidParameterValue, "InvalidParameterValueException",
     "InvalidParameterValueException", "InvalidParameterValueException", 400, SC::kInvalidArgument,
     S},
    {ErrorCode::kLambdaValidation, "ValidationException", "ValidationException",
     "ValidationException", 400, SC::kInvalidArgument, S},
    {ErrorCode::kLambdaResourceNotFound, "ResourceNotFoundException", "ResourceNotFoundException",
     "ResourceNotFoundException", 404, SC::kNotFound, S},
    {ErrorCode::kLambdaResourceConflict, "ResourceConflictException", "ResourceConflictException",
     "ResourceConflictException", 409, SC::kAlreadyExists, S},
    {ErrorCode::kLambdaResourceInUse, "ResourceInUseException", "ResourceInUseException",
     "ResourceInUseException", 400, SC::kFailedPrecondition, S},
    {ErrorCode::kLambdaRequestTooLarge, "RequestTooLargeException", "RequestTooLargeException",
     "RequestTooLargeException", 413, SC::kInvalidArgument, S},
    {ErrorCode::kLambdaInvalidRequestContent, "InvalidRequestContentException",
     "InvalidRequestContentException", "InvalidRequestContentException", 400, SC::kInvalidArgument,
     S},
    {ErrorCode::kLambdaTooManyRequests, "TooManyRequestsException", "TooManyRequestsException",
     "TooManyRequestsException", 429, SC::kResourceExhausted, S},
    {ErrorCode::kLambdaService, "ServiceException", "ServiceException", "ServiceException", 500,
     SC::kUnavailable, R},

    {ErrorCode::kServiceUnavailable, "ServiceUnavailable", "ServiceUnavailable",
     "ServiceUnavailable", 503, SC::kUnavailable, R},
    {ErrorCode::kInternalFailure, "InternalFailure", "InternalFailure", "InternalFailure", 500,
     SC::kInternal, R},
};

constexpr bool TableFollowsEnum() {
  for (size_t i = 0; i < std::size(kTable); ++i) {
    if (static_cast<size_t>(kTable[i].code) != i) return false;
  }
  return std::size(kTable) == static_cast<size_t>(ErrorCode::kInternalFailure) + 1;
}
static_assert(TableFollowsEnum(), "kTable rows must follow the ErrorCode enum order");

// Debian's Abseil has its own string_view (not std::string_view).
constexpr absl::string_view kPayloadUrl = "type.wharf.dev/wharf.ErrorCode";

}  // namespace

const ErrorInfo& GetErrorInfo(ErrorCode code) { return kTable[static_cast<size_t>(code)]; }

absl::Status MakeError(ErrorCode code, std::string_view message) {
  const ErrorInfo& info = GetErrorInfo(code);
  absl::Status status(info.status_code, absl::string_view(message.data(), message.size()));
  status.SetPayload(kPayloadUrl, absl::Cord(std::to_string(static_cast<int>(code))));
  return status;
}

std::optional<ErrorCode> GetErrorCode(const absl::Status& status) {
  absl::optional<absl::Cord> payload = status.GetPayload(kPayloadUrl);
  if (!payload) return std::nullopt;
  int value = std::stoi(std::string(*payload));
  if (value < 0 || value >= static_cast<int>(std::size(kTable))) return std::nullopt;
  return static_cast<ErrorCode>(value);
}

}  // namespace wharf
