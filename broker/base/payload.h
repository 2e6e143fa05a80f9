// The immutable content of a message, shared (never copied) by every queue it
// is placed in: an SNS fan-out's subscriber queues, EventBridge targets, a
// queue and its dead-letter queue. A queue holds one per message, so the
// common case is kept to two heap blocks: the Payload (with its shared_ptr
// control block) and the body.
//
// Thread safety: a Payload is immutable once built and may be read from any
// number of threads. The functions are pure.

#ifndef WHARF_BROKER_BASE_PAYLOAD_H_
#define WHARF_BROKER_BASE_PAYLOAD_H_

#include <memory>
#include <string>

#include "broker/base/digests.h"
#include "wharf/message.h"

namespace wharf::base_internal {

// The parts of a message most messages do not have.
struct PayloadAttributes {
  MessageAttributeMap message_attributes;
  std::string md5_of_message_attributes;         // Over all attributes; empty if none.
  std::string aws_trace_header;                  // Empty if none.
  std::string md5_of_message_system_attributes;  // Empty if no trace header.
};

struct Payload {
  std::string body;
  Md5 md5_of_body;                                      // Raw; ToHex for text.
  std::unique_ptr<const PayloadAttributes> attributes;  // Null when there are none.
};

// SQS's MD5OfMessageAttributes over `attributes` (spec/sqs.md §6): Binary
// types digest binary_value, the others string_value. Empty for none.
std::string AttributesMd5(const MessageAttributeMap& attributes);

// The payload of a message with its digests. `system_attributes` may hold
// AWSTraceHeader (String); other entries are ignored. Allocates the payload,
// and PayloadAttributes only when there are attributes or a trace header.
std::shared_ptr<const Payload> MakePayload(std::string body, MessageAttributeMap attributes,
                                           const MessageAttributeMap& system_attributes);

}  // namespace wharf::base_internal

#endif  // WHARF_BROKER_BASE_PAYLOAD_H_
