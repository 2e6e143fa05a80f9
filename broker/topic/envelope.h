// The JSON documents SNS delivers: the notification envelope an SQS
// subscriber receives (spec/sns.md §4.1), the event a Lambda function
// receives (§2.2), and the raw-delivery payload (§4.2).
//
// What is shared in a fan-out: everything in an SQS envelope except the
// subscription ARN inside UnsubscribeURL is the same for every subscriber of
// one publish. SqsEnvelope therefore renders the envelope once, split around
// that ARN; the per-subscriber work is one copy of the bytes. The MD5 of
// each subscriber's envelope is computed only if someone reads it (see
// base_internal::Payload).
//
// Thread safety: SqsEnvelope is immutable after construction and may be used
// from several threads. The free functions are pure.

#ifndef WHARF_BROKER_TOPIC_ENVELOPE_H_
#define WHARF_BROKER_TOPIC_ENVELOPE_H_

#include <memory>
#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "broker/base/text.h"
#include "broker/queue/queue_core.h"
#include "wharf/message.h"

namespace wharf::topic_internal {

// Appends `s` as a JSON string literal (quotes included); see broker/base/text.h.
using base_internal::AppendJsonString;

// ISO-8601 UTC with exactly three fractional digits: 2026-01-15T12:34:56.789Z
std::string FormatTimestamp(absl::Time t);

// The fields of one published message as its envelopes show them. The views
// must outlive the envelope builders that read them.
struct EnvelopeFields {
  std::string_view message_id;
  std::string_view topic_arn;
  bool has_subject = false;
  std::string_view subject;
  std::string_view message;    // The text for the protocol (MessageStructure applied).
  std::string_view timestamp;  // FormatTimestamp of the publish time.
  bool fifo = false;
  std::string_view sequence_number;                 // FIFO only.
  const MessageAttributeMap* attributes = nullptr;  // May be null or empty.
  std::string_view region;                          // For SigningCertURL and UnsubscribeURL.
  bool signature_version_2 = false;                 // SQS envelopes only; function events say "1".
};

// "https://sns.<region>.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=<arn>"
std::string UnsubscribeUrl(std::string_view region, std::string_view subscription_arn);

// The fixed signature fields (no signing key in process; spec/sns.md §4.1).
// kSignatureVersion is the default; SignatureVersion=2 topics show "2" in
// SQS envelopes.
inline constexpr std::string_view kSignatureVersion = "1";
inline constexpr std::string_view kDummySignature =
    "d2hhcmYgaW4tcHJvY2VzcyBicm9rZXI6IG5vdCBhIHJlYWwgc2lnbmF0dXJl";
std::string SigningCertUrl(std::string_view region);

// The X-Ray trace header the SQS copies of a message carry as their
// AWSTraceHeader system attribute (none when `value` is empty), with its
// MD5OfMessageSystemAttributes: computed once per publish.
struct TraceHeader {
  std::string_view value;  // Must outlive the payloads built with it.
  std::string md5;
};
TraceHeader MakeTraceHeader(std::string_view value);

// The envelope delivered to non-raw SQS subscriptions, rendered once per
// publish and completed per subscription.
class SqsEnvelope {
 public:
  explicit SqsEnvelope(const EnvelopeFields& fields);
  ~SqsEnvelope();
  SqsEnvelope(const SqsEnvelope&) = delete;
  SqsEnvelope& operator=(const SqsEnvelope&) = delete;

  // The complete envelope for one subscription, as a payload with
  // `extra_attributes` as SQS message attributes (used for dead-letter
  // copies) and `trace` (may be null) as its AWSTraceHeader. Allocates the
  // payload; O(size of the envelope) copy.
  queue_internal::PayloadRef ForSubscription(std::string_view subscription_arn,
                                             const MessageAttributeMap* extra_attributes = nullptr,
                                             const TraceHeader* trace = nullptr) const;

  // The complete envelope text for one subscription (tests, diagnostics).
  std::string Text(std::string_view subscription_arn) const;

 private:
  std::string prefix_;  // Up to and including "...&SubscriptionArn=".
  std::string suffix_;  // From the closing quote of UnsubscribeURL to the end.
};

// The event a "lambda" subscription's function receives.
std::string LambdaEvent(const EnvelopeFields& fields, std::string_view subscription_arn);

// The raw-delivery payload: body = message text, SNS message attributes as
// SQS message attributes (same data types), with digests; `trace` (may be
// null) as its AWSTraceHeader.
queue_internal::PayloadRef RawPayload(std::string_view message,
                                      const MessageAttributeMap& attributes,
                                      const TraceHeader* trace = nullptr);

}  // namespace wharf::topic_internal

#endif  // WHARF_BROKER_TOPIC_ENVELOPE_H_
