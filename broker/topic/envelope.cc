#include "broker/topic/envelope.h"

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "broker/base/digests.h"
#include "broker/base/payload.h"

namespace wharf::topic_internal {
namespace {

bool IsBinaryType(std::string_view data_type) { return data_type.substr(0, 6) == "Binary"; }

// "MessageAttributes":{"n":{"Type":"String","Value":"v"},...}
void AppendMessageAttributes(std::string* out, const MessageAttributeMap& attributes) {
  out->append("\"MessageAttributes\":{");
  bool first = true;
  for (const auto& [name, value] : attributes) {
    if (!first) out->push_back(',');
    first = false;
    AppendJsonString(out, name);
    out->append(":{\"Type\":");
    AppendJsonString(out, value.data_type);
    out->append(",\"Value\":");
    if (IsBinaryType(value.data_type)) {
      AppendJsonString(out, absl::Base64Escape(value.binary_value));
    } else {
      AppendJsonString(out, value.string_value);
    }
    out->push_back('}');
  }
  out->push_back('}');
}

void AppendField(std::string* out, std::string_view key, std::string_view value) {
  out->push_back('"');
  out->append(key);
  out->append("\":");
  AppendJsonString(out, value);
  out->push_back(',');
}

}  // namespace

// By hand rather than absl::FormatTime, which parses its format string and
// goes through cctz on every call: this runs once per publish.
std::string FormatTimestamp(absl::Time t) {
  const absl::CivilSecond cs = absl::ToCivilSecond(t, absl::UTCTimeZone());
  const int64_t millis = absl::ToInt64Milliseconds(t - absl::FromCivil(cs, absl::UTCTimeZone()));
  const int64_t year = cs.year();
  if (year < 0 || year > 9999) {
    return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", t, absl::UTCTimeZone());
  }
  char buf[24];
  auto put = [&buf](int at, int64_t value, int digits) {
    for (int i = digits - 1; i >= 0; --i) {
      buf[at + i] = static_cast<char>('0' + value % 10);
      value /= 10;
    }
  };
  put(0, year, 4);
  buf[4] = '-';
  put(5, cs.month(), 2);
  buf[7] = '-';
  put(8, cs.day(), 2);
  buf[10] = 'T';
  put(11, cs.hour(), 2);
  buf[13] = ':';
  put(14, cs.minute(), 2);
  buf[16] = ':';
  put(17, cs.second(), 2);
  buf[19] = '.';
  put(20, millis, 3);
  buf[23] = 'Z';
  return std::string(buf, sizeof(buf));
}

std::string UnsubscribeUrl(std::string_view region, std::string_view subscription_arn) {
  return absl::StrCat("https://sns.", absl::string_view(region.data(), region.size()),
                      ".amazonaws.com/?Action=Unsubscribe&SubscriptionArn=",
                      absl::string_view(subscription_arn.data(), subscription_arn.size()));
}

std::string SigningCertUrl(std::string_view region) {
  return absl::StrCat("https://sns.", absl::string_view(region.data(), region.size()),
                      ".amazonaws.com/SimpleNotificationService-"
                      "9c6465fa7f48f5cacd23014631ec1136.pem");
}

SqsEnvelope::SqsEnvelope(const EnvelopeFields& f) {
  // Field order as AWS emits it (spec/sns.md §4.1).
  prefix_.reserve(f.message.size() + f.topic_arn.size() * 2 + 400);
  prefix_.append("{\"Type\":\"Notification\",");
  AppendField(&prefix_, "MessageId", f.message_id);
  if (f.fifo) AppendField(&prefix_, "SequenceNumber", f.sequence_number);
  AppendField(&prefix_, "TopicArn", f.topic_arn);
  if (f.has_subject) AppendField(&prefix_, "Subject", f.subject);
  AppendField(&prefix_, "Message", f.message);
  AppendField(&prefix_, "Timestamp", f.timestamp);
  if (!f.fifo) {
    AppendField(&prefix_, "SignatureVersion", f.signature_version_2 ? "2" : kSignatureVersion);
    AppendField(&prefix_, "Signature", kDummySignature);
    AppendField(&prefix_, "SigningCertURL", SigningCertUrl(f.region));
  }
  std::string unsubscribe = UnsubscribeUrl(f.region, "");
  prefix_.append("\"UnsubscribeURL\":\"");
  prefix_.append(unsubscribe);
  suffix_.push_back('"');
  if (f.attributes != nullptr && !f.attributes->empty()) {
    suffix_.push_back(',');
    AppendMessageAttributes(&suffix_, *f.attributes);
  }
  suffix_.push_back('}');
}

SqsEnvelope::~SqsEnvelope() = default;

std::string SqsEnvelope::Text(std::string_view subscription_arn) const {
  std::string text;
  text.reserve(prefix_.size() + subscription_arn.size() + suffix_.size());
  text.append(prefix_);
  // ARNs hold no character that needs JSON escaping.
  text.append(subscription_arn);
  text.append(suffix_);
  return text;
}

TraceHeader MakeTraceHeader(std::string_view value) {
  TraceHeader trace{.value = value, .md5 = ""};
  if (!value.empty()) {
    trace.md5 = base_internal::AttributesMd5(
        {{"AWSTraceHeader", MessageAttributeValue::String(std::string(value))}});
  }
  return trace;
}

namespace {

bool HasTrace(const TraceHeader* trace) { return trace != nullptr && !trace->value.empty(); }

void SetTrace(const TraceHeader& trace, queue_internal::PayloadAttributes* out) {
  out->aws_trace_header = trace.value;
  out->md5_of_message_system_attributes = trace.md5;
}

}  // namespace

queue_internal::PayloadRef SqsEnvelope::ForSubscription(std::string_view subscription_arn,
                                                        const MessageAttributeMap* extra_attributes,
                                                        const TraceHeader* trace) const {
  std::unique_ptr<queue_internal::PayloadAttributes> extra;
  if ((extra_attributes != nullptr && !extra_attributes->empty()) || HasTrace(trace)) {
    extra = std::make_unique<queue_internal::PayloadAttributes>();
  }
  if (extra_attributes != nullptr && !extra_attributes->empty()) {
    extra->message_attributes = *extra_attributes;
    extra->md5_of_message_attributes = base_internal::AttributesMd5(*extra_attributes);
  }
  if (HasTrace(trace)) SetTrace(*trace, extra.get());
  // ARNs hold no character that needs JSON escaping. Built in place: the
  // text is never a separate string.
  return base_internal::ConcatPayload({prefix_, subscription_arn, suffix_}, std::move(extra));
}

std::string LambdaEvent(const EnvelopeFields& f, std::string_view subscription_arn) {
  std::string out;
  out.reserve(f.message.size() + 700);
  out.append("{\"Records\":[{\"EventSource\":\"aws:sns\",\"EventVersion\":\"1.0\",");
  AppendField(&out, "EventSubscriptionArn", subscription_arn);
  out.append("\"Sns\":{\"Type\":\"Notification\",");
  AppendField(&out, "MessageId", f.message_id);
  if (f.fifo) AppendField(&out, "SequenceNumber", f.sequence_number);
  AppendField(&out, "TopicArn", f.topic_arn);
  if (f.has_subject) {
    AppendField(&out, "Subject", f.subject);
  } else {
    out.append("\"Subject\":null,");
  }
  AppendField(&out, "Message", f.message);
  AppendField(&out, "Timestamp", f.timestamp);
  AppendField(&out, "SignatureVersion", kSignatureVersion);
  AppendField(&out, "Signature", kDummySignature);
  AppendField(&out, "SigningCertUrl", SigningCertUrl(f.region));
  AppendField(&out, "UnsubscribeUrl", UnsubscribeUrl(f.region, subscription_arn));
  if (f.attributes != nullptr) {
    AppendMessageAttributes(&out, *f.attributes);
  } else {
    out.append("\"MessageAttributes\":{}");
  }
  out.append("}}]}");
  return out;
}

queue_internal::PayloadRef RawPayload(std::string_view message,
                                      const MessageAttributeMap& attributes,
                                      const TraceHeader* trace) {
  std::unique_ptr<queue_internal::PayloadAttributes> extra;
  if (!attributes.empty() || HasTrace(trace)) {
    extra = std::make_unique<queue_internal::PayloadAttributes>();
  }
  if (HasTrace(trace)) SetTrace(*trace, extra.get());
  if (!attributes.empty()) {
    // Only the value field of each attribute's type travels to SQS.
    for (const auto& [name, value] : attributes) {
      MessageAttributeValue& out = extra->message_attributes[name];
      out.data_type = value.data_type;
      if (IsBinaryType(value.data_type)) {
        out.binary_value = value.binary_value;
      } else {
        out.string_value = value.string_value;
      }
    }
    extra->md5_of_message_attributes = base_internal::AttributesMd5(extra->message_attributes);
  }
  return base_internal::NewPayload(message, std::move(extra));
}

}  // namespace wharf::topic_internal
