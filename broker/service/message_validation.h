// Message content rules of SQS and SNS, the one place for them: allowed body
// characters, message and system attribute validation (SQS: spec/sqs.md §3.2,
// §4, §6; SNS: spec/sns.md §3.2), id tokens and batch entry ids, and size
// accounting. The two services share the rules where AWS does and keep their
// own error codes and texts. The payload built from a validated message is in
// broker/base/payload.h.
//
// Thread safety: all functions are pure and thread-safe.

#ifndef WHARF_BROKER_SERVICE_MESSAGE_VALIDATION_H_
#define WHARF_BROKER_SERVICE_MESSAGE_VALIDATION_H_

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "wharf/message.h"

namespace wharf::service_internal {

// True when `text` is well-formed UTF-8 made only of XML 1.0 characters:
// #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF.
bool IsValidMessageText(std::string_view text);

// InvalidMessageContents, the error for a body that fails IsValidMessageText.
absl::Status InvalidMessageContentsError();

// A character allowed in a message attribute name: [A-Za-z0-9_.-].
bool IsMessageAttributeNameChar(char c);
// True when `name` starts with "AWS." or "Amazon." in any case.
bool HasReservedAttributePrefix(std::string_view name);

// SQS: checks the user message attributes: at most 10, names, data types,
// values (non-empty, allowed characters, Number syntax). Errors:
// InvalidParameterValue.
absl::Status ValidateSqsMessageAttributes(const MessageAttributeMap& attributes);

// Checks message system attributes: only AWSTraceHeader, of type String.
// Errors: InvalidParameterValue.
absl::Status ValidateMessageSystemAttributes(const MessageAttributeMap& attributes);

// Bytes counted against MaximumMessageSize: body bytes plus, per attribute,
// name + data type + value bytes. System attributes do not count.
size_t AttributesSize(const MessageAttributeMap& attributes);
inline size_t MessageSize(std::string_view body, const MessageAttributeMap& attributes) {
  return attributes.empty() ? body.size() : body.size() + AttributesSize(attributes);
}

// MessageGroupId / MessageDeduplicationId / ReceiveRequestAttemptId syntax
// (SQS and SNS): 1-128 characters, alphanumeric and punctuation (printable
// ASCII, no space).
bool IsValidIdToken(std::string_view id);

// The Id of a batch entry (SQS and SNS): 1-80 of [A-Za-z0-9_-].
bool IsValidBatchEntryId(std::string_view id);

// SNS: checks message attribute names, data types (String, String.Array,
// Number, Binary, with an optional label) and values. Errors:
// ParameterValueInvalid, ValidationError (no data type; the message names the
// request member `path`, e.g. "publishBatchRequestEntries.1.member.messageAttributes").
absl::Status ValidateSnsMessageAttributes(const MessageAttributeMap& attributes,
                                          std::string_view path = "messageAttributes");

// SNS: bytes counted against the 256 KiB message limit: the message plus,
// per attribute, name + data type + value bytes.
size_t SnsMessageSize(std::string_view message, const MessageAttributeMap& attributes);

}  // namespace wharf::service_internal

#endif  // WHARF_BROKER_SERVICE_MESSAGE_VALIDATION_H_
