// The immutable content of a message, shared (never copied) by every queue it
// is placed in: an SNS fan-out's subscriber queues, EventBridge targets, a
// queue and its dead-letter queue. A queue holds one per message, so the
// common case is kept to two heap blocks: the Payload (with its shared_ptr
// control block) and the body. The MD5 of the body is computed when someone
// first asks for it (a receiver, a SendMessage caller reading its result, the
// wire layer writing a response), not when the message is sent.
//
// Thread safety: a Payload is immutable once built (its MD5 cache aside, which
// is thread-safe) and may be read from any number of threads. The functions
// are pure.

#ifndef WHARF_BROKER_BASE_PAYLOAD_H_
#define WHARF_BROKER_BASE_PAYLOAD_H_

#include <atomic>
#include <cstdint>
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
  std::unique_ptr<const PayloadAttributes> attributes;  // Null when there are none.

  // The raw MD5 of `body` (ToHex for text), computed on the first call and
  // cached. Never blocks: callers that find it not yet cached compute it
  // themselves and store it (equal values). `body` must not change once
  // this has been called.
  Md5 md5_of_body() const {
    const uint64_t high = md5_words_[1].load(std::memory_order_acquire);
    if (high != 0) return FromWords(md5_words_[0].load(std::memory_order_relaxed), high);
    return ComputeMd5OfBody();
  }
  // Whether md5_of_body() has been cached (tests).
  bool md5_of_body_cached() const { return md5_words_[1].load(std::memory_order_acquire) != 0; }

 private:
  static Md5 FromWords(uint64_t low, uint64_t high);
  Md5 ComputeMd5OfBody() const;

  // The cache, in two words rather than a state byte beside 16 bytes (which
  // would grow every payload by 8): words_[1] is stored after words_[0]
  // (release), so a reader that sees it non-zero (acquire) sees the whole
  // digest. A digest whose second half is zero (a 2^-64 chance) is never
  // cached, only computed again.
  mutable std::atomic<uint64_t> md5_words_[2] = {};
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
