// The AWS errors more than one file returns, in one place: each constructor
// gives the ErrorCode and the message text the real service uses
// (spec/sqs.md §11, spec/sns.md §8, spec/eventbridge.md §9). Errors that one
// file alone returns stay beside the check that raises them.
//
// Thread safety: pure functions.

#ifndef WHARF_BROKER_BASE_AWS_ERRORS_H_
#define WHARF_BROKER_BASE_AWS_ERRORS_H_

#include <string_view>

#include "absl/status/status.h"

namespace wharf::base_internal {

// ---- SQS ----
// QueueDoesNotExist "The specified queue does not exist."
absl::Status QueueDoesNotExistError();
// InvalidParameterValue "Value <value> for parameter <parameter> is invalid.
// Reason: <parameter> can only include alphanumeric and punctuation
// characters. 1 to 128 in length." (MessageGroupId, MessageDeduplicationId,
// ReceiveRequestAttemptId; the endpoint answers it for one given empty).
absl::Status InvalidIdTokenError(std::string_view parameter, std::string_view value);

// ---- SNS ----
// NotFound "Topic does not exist"
absl::Status TopicNotFoundError();
// NotFound "Subscription does not exist"
absl::Status SubscriptionNotFoundError();
// ResourceNotFound "Resource does not exist" (tag operations).
absl::Status SnsResourceNotFoundError();

// ---- EventBridge ----
// ResourceNotFoundException "Event bus <bus> does not exist."
absl::Status EventBusNotFoundError(std::string_view bus);
// ResourceNotFoundException "Rule <rule> does not exist on EventBus <bus>."
absl::Status RuleNotFoundError(std::string_view rule, std::string_view bus);
// ResourceNotFoundException "Archive <name> does not exist."
absl::Status ArchiveNotFoundError(std::string_view name);
// ResourceNotFoundException "Replay <name> does not exist."
absl::Status ReplayNotFoundError(std::string_view name);
// ResourceAlreadyExistsException "<kind> <name> already exists.", e.g.
// kind "Event bus", "Archive", "Replay".
absl::Status EventsAlreadyExistsError(std::string_view kind, std::string_view name);
// LimitExceededException "The requested resource exceeds the maximum number
// allowed."
absl::Status EventsLimitExceededError();
// ValidationException with `message`.
absl::Status EventsValidationError(std::string_view message);
// ValidationException in the Coral form AWS uses for a member constraint:
// "1 validation error detected: Value '<value>' at '<path>' failed to satisfy
// constraint: <constraint>".
absl::Status EventsConstraintError(std::string_view value, std::string_view path,
                                   std::string_view constraint);

}  // namespace wharf::base_internal

#endif  // WHARF_BROKER_BASE_AWS_ERRORS_H_
