// Message content rules of SQS (spec/sqs.md §3.2, §4, §6): allowed body
// characters, message and system attribute validation, size accounting,
// MD5OfMessageAttributes, and building the shared queue_internal::Payload
// handed to the engines.
//
// Thread safety: all functions are pure and thread-safe.

#ifndef WHARF_BROKER_SERVICE_MESSAGE_VALIDATION_H_
#define WHARF_BROKER_SERVICE_MESSAGE_VALIDATION_H_

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "broker/queue/queue_core.h"
#include "wharf/sqs.h"

namespace wharf::service_internal {

// True when `text` is well-formed UTF-8 made only of XML 1.0 characters:
// #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF.
bool IsValidMessageText(std::string_view text);

// InvalidMessageContents, the error for a body that fails IsValidMessageText.
absl::Status InvalidMessageContentsError();

// Checks the user message attributes: at most 10, names, data types, values
// (non-empty, allowed characters, Number syntax). Errors: InvalidParameterValue.
absl::Status ValidateMessageAttributes(const sqs::MessageAttributeMap& attributes);

// Checks message system attributes: only AWSTraceHeader, of type String.
// Errors: InvalidParameterValue.
absl::Status ValidateMessageSystemAttributes(const sqs::MessageAttributeMap& attributes);

// Bytes counted against MaximumMessageSize: body bytes plus, per attribute,
// name + data type + value bytes. System attributes do not count.
size_t MessageSize(std::string_view body, const sqs::MessageAttributeMap& attributes);

// MD5OfMessageAttributes over `attributes` (spec §6); empty for no attributes.
std::string AttributesMd5(const sqs::MessageAttributeMap& attributes);

// The immutable payload for a validated message, with its digests.
std::shared_ptr<const queue_internal::Payload> MakePayload(
    std::string body, sqs::MessageAttributeMap attributes,
    const sqs::MessageAttributeMap& system_attributes);

// MessageGroupId / MessageDeduplicationId / ReceiveRequestAttemptId syntax:
// 1-128 characters, alphanumeric and punctuation (printable ASCII, no space).
bool IsValidIdToken(std::string_view id);

}  // namespace wharf::service_internal

#endif  // WHARF_BROKER_SERVICE_MESSAGE_VALIDATION_H_
