#include "broker/lambda/event_json.h"

#include <string_view>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "broker/base/text.h"
#include "rapidjson/document.h"
#include "rapidjson/error/en.h"
#include "rapidjson/reader.h"
#include "rapidjson/stringbuffer.h"
#include "rapidjson/writer.h"

namespace wharf::lambda_internal {
namespace {

constexpr unsigned kParseFlags = rapidjson::kParseIterativeFlag;

// Writes JSON text into a string. The record renderer is written once
// against a sink, so that Counter can measure exactly what Appender writes.
class Appender {
 public:
  explicit Appender(std::string* out) : out_(out) {}
  void Raw(std::string_view s) { out_->append(s.data(), s.size()); }
  void Str(std::string_view s) { base_internal::AppendJsonString(out_, s); }

 private:
  std::string* out_;
};

class Counter {
 public:
  void Raw(std::string_view s) { n_ += s.size(); }
  void Str(std::string_view s) { n_ += base_internal::JsonStringSize(s); }
  size_t size() const { return n_; }

 private:
  size_t n_ = 0;
};

// The names of SqsRecordAttributes' fields, in the order of AWS's documented
// examples (standard and FIFO queues, X-Ray).
struct AttributeField {
  std::string_view name;
  std::string lambda::SqsRecordAttributes::*field;
};
constexpr AttributeField kAttributeFields[] = {
    {"AWSTraceHeader", &lambda::SqsRecordAttributes::aws_trace_header},
    {"ApproximateReceiveCount", &lambda::SqsRecordAttributes::approximate_receive_count},
    {"SentTimestamp", &lambda::SqsRecordAttributes::sent_timestamp},
    {"SequenceNumber", &lambda::SqsRecordAttributes::sequence_number},
    {"MessageGroupId", &lambda::SqsRecordAttributes::message_group_id},
    {"SenderId", &lambda::SqsRecordAttributes::sender_id},
    {"MessageDeduplicationId", &lambda::SqsRecordAttributes::message_deduplication_id},
    {"ApproximateFirstReceiveTimestamp",
     &lambda::SqsRecordAttributes::approximate_first_receive_timestamp},
};

// One record, in the field order of AWS's documented example. With
// `body_as_json`, a JSON body is written as the value itself (filters).
template <typename Sink>
void WriteRecord(Sink& w, const lambda::SqsRecord& r, bool body_as_json) {
  w.Raw("{\"messageId\":");
  w.Str(r.message_id);
  w.Raw(",\"receiptHandle\":");
  w.Str(r.receipt_handle);
  w.Raw(",\"body\":");
  if (body_as_json && IsJson(r.body)) {
    w.Raw(r.body);
  } else {
    w.Str(r.body);
  }
  w.Raw(",\"attributes\":{");
  bool first = true;
  for (const AttributeField& a : kAttributeFields) {
    const std::string& value = r.attributes.*a.field;
    if (value.empty()) continue;
    if (!first) w.Raw(",");
    first = false;
    w.Str(a.name);
    w.Raw(":");
    w.Str(value);
  }
  w.Raw("},\"messageAttributes\":{");
  first = true;
  for (const auto& [name, value] : r.message_attributes) {
    if (!first) w.Raw(",");
    first = false;
    w.Str(name);
    bool binary = value.data_type.rfind("Binary", 0) == 0;
    if (binary) {
      w.Raw(":{\"binaryValue\":");
      w.Str(absl::Base64Escape(value.binary_value));
    } else {
      w.Raw(":{\"stringValue\":");
      w.Str(value.string_value);
    }
    w.Raw(",\"stringListValues\":[],\"binaryListValues\":[],\"dataType\":");
    w.Str(value.data_type);
    w.Raw("}");
  }
  // A message without attributes has "md5OfMessageAttributes":null in real
  // events (LocalStack's test_sqs_event_source_mapping snapshot); AWS's
  // documented examples leave the field out.
  w.Raw("},\"md5OfMessageAttributes\":");
  if (r.md5_of_message_attributes.empty()) {
    w.Raw("null");
  } else {
    w.Str(r.md5_of_message_attributes);
  }
  w.Raw(",\"md5OfBody\":");
  w.Str(r.md5_of_body.str());
  w.Raw(",\"eventSource\":");
  w.Str(r.event_source);
  w.Raw(",\"eventSourceARN\":");
  w.Str(r.event_source_arn);
  w.Raw(",\"awsRegion\":");
  w.Str(r.aws_region);
  w.Raw("}");
}

std::string String(const rapidjson::Value& object, const char* key) {
  auto it = object.FindMember(key);
  if (it == object.MemberEnd() || !it->value.IsString()) return "";
  return std::string(it->value.GetString(), it->value.GetStringLength());
}

std::string ToJson(const rapidjson::Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::unique_ptr<lambda::SqsEvent> ParseSqs(const rapidjson::Value& records) {
  auto event = std::make_unique<lambda::SqsEvent>();
  for (const rapidjson::Value& r : records.GetArray()) {
    if (!r.IsObject()) return nullptr;
    lambda::SqsRecord& out = event->records.emplace_back();
    out.message_id = String(r, "messageId");
    out.receipt_handle = String(r, "receiptHandle");
    out.body = String(r, "body");
    if (auto a = r.FindMember("attributes"); a != r.MemberEnd() && a->value.IsObject()) {
      for (const auto& m : a->value.GetObject()) {
        if (!m.value.IsString()) continue;
        const std::string_view name(m.name.GetString(), m.name.GetStringLength());
        for (const AttributeField& f : kAttributeFields) {
          if (f.name == name) {
            out.attributes.*f.field = std::string(m.value.GetString(), m.value.GetStringLength());
          }
        }
      }
    }
    if (auto a = r.FindMember("messageAttributes"); a != r.MemberEnd() && a->value.IsObject()) {
      for (const auto& m : a->value.GetObject()) {
        if (!m.value.IsObject()) continue;
        MessageAttributeValue& attr = out.message_attributes[m.name.GetString()];
        attr.data_type = String(m.value, "dataType");
        attr.string_value = String(m.value, "stringValue");
        std::string binary = String(m.value, "binaryValue");
        if (!binary.empty()) absl::Base64Unescape(binary, &attr.binary_value);
      }
    }
    out.md5_of_body = String(r, "md5OfBody");
    out.md5_of_message_attributes = String(r, "md5OfMessageAttributes");
    out.event_source = String(r, "eventSource");
    out.event_source_arn = String(r, "eventSourceARN");
    out.aws_region = String(r, "awsRegion");
  }
  return event;
}

std::unique_ptr<lambda::SnsEvent> ParseSns(const rapidjson::Value& records) {
  auto event = std::make_unique<lambda::SnsEvent>();
  for (const rapidjson::Value& r : records.GetArray()) {
    if (!r.IsObject()) return nullptr;
    lambda::SnsRecord& out = event->records.emplace_back();
    out.event_source = String(r, "EventSource");
    out.event_version = String(r, "EventVersion");
    out.event_subscription_arn = String(r, "EventSubscriptionArn");
    auto sns = r.FindMember("Sns");
    if (sns == r.MemberEnd() || !sns->value.IsObject()) continue;
    const rapidjson::Value& s = sns->value;
    lambda::SnsMessage& m = out.sns;
    m.type = String(s, "Type");
    m.message_id = String(s, "MessageId");
    m.sequence_number = String(s, "SequenceNumber");
    m.topic_arn = String(s, "TopicArn");
    if (auto subject = s.FindMember("Subject");
        subject != s.MemberEnd() && subject->value.IsString()) {
      m.subject = subject->value.GetString();
    }
    m.message = String(s, "Message");
    m.timestamp = String(s, "Timestamp");
    m.signature_version = String(s, "SignatureVersion");
    m.signature = String(s, "Signature");
    m.signing_cert_url = String(s, "SigningCertUrl");
    m.unsubscribe_url = String(s, "UnsubscribeUrl");
    if (auto a = s.FindMember("MessageAttributes"); a != s.MemberEnd() && a->value.IsObject()) {
      for (const auto& attr : a->value.GetObject()) {
        if (!attr.value.IsObject()) continue;
        m.message_attributes[attr.name.GetString()] = {String(attr.value, "Type"),
                                                       String(attr.value, "Value")};
      }
    }
  }
  return event;
}

std::unique_ptr<lambda::EventBridgeEvent> ParseEventBridge(const rapidjson::Value& doc) {
  auto event = std::make_unique<lambda::EventBridgeEvent>();
  event->version = String(doc, "version");
  event->id = String(doc, "id");
  event->detail_type = String(doc, "detail-type");
  event->source = String(doc, "source");
  event->account = String(doc, "account");
  event->time = String(doc, "time");
  event->region = String(doc, "region");
  if (auto r = doc.FindMember("resources"); r != doc.MemberEnd() && r->value.IsArray()) {
    for (const rapidjson::Value& v : r->value.GetArray()) {
      if (v.IsString()) event->resources.emplace_back(v.GetString(), v.GetStringLength());
    }
  }
  event->detail = ToJson(doc["detail"]);
  return event;
}

}  // namespace

std::string RenderSqsEvent(const lambda::SqsEvent& event) {
  std::string out;
  size_t size = 14;
  for (const auto& r : event.records) size += SqsRecordJsonSizeBound(r);
  out.reserve(size);
  Appender w(&out);
  w.Raw("{\"Records\":[");
  bool first = true;
  for (const lambda::SqsRecord& r : event.records) {
    if (!first) w.Raw(",");
    first = false;
    WriteRecord(w, r, /*body_as_json=*/false);
  }
  w.Raw("]}");
  return out;
}

size_t SqsRecordJsonSize(const lambda::SqsRecord& record) {
  Counter counter;
  WriteRecord(counter, record, /*body_as_json=*/false);
  return counter.size();
}

size_t SqsRecordJsonSizeBound(const lambda::SqsRecord& record) {
  // Each byte escapes to at most 6; 400 covers the keys and punctuation.
  size_t n = 400 + 6 * (record.message_id.size() + record.receipt_handle.size() +
                        record.body.size() + record.md5_of_body.size() +
                        record.md5_of_message_attributes.size() + record.event_source.size() +
                        record.event_source_arn.size() + record.aws_region.size());
  for (const AttributeField& a : kAttributeFields) {
    n += 6 * (a.name.size() + (record.attributes.*a.field).size()) + 8;
  }
  for (const auto& [name, value] : record.message_attributes) {
    n += 6 * (name.size() + value.data_type.size() + value.string_value.size()) +
         2 * value.binary_value.size() + 100;
  }
  return n;
}

std::string RenderSqsRecordForFilter(const lambda::SqsRecord& record) {
  std::string out;
  Appender w(&out);
  WriteRecord(w, record, /*body_as_json=*/true);
  return out;
}

void ParseTypedEvent(std::string_view payload, std::unique_ptr<lambda::SqsEvent>* sqs,
                     std::unique_ptr<lambda::SnsEvent>* sns,
                     std::unique_ptr<lambda::EventBridgeEvent>* eventbridge) {
  rapidjson::Document parsed;
  parsed.Parse<kParseFlags>(payload.data(), payload.size());
  if (parsed.HasParseError() || !parsed.IsObject()) return;
  const rapidjson::Value& doc = parsed;
  if (auto records = doc.FindMember("Records");
      records != doc.MemberEnd() && records->value.IsArray() && !records->value.Empty() &&
      records->value[0].IsObject()) {
    const rapidjson::Value& first = records->value[0];
    if (String(first, "eventSource") == "aws:sqs") {
      *sqs = ParseSqs(records->value);
    } else if (String(first, "EventSource") == "aws:sns") {
      *sns = ParseSns(records->value);
    }
    return;
  }
  if (doc.HasMember("detail-type") && doc.HasMember("source") && doc.HasMember("detail")) {
    *eventbridge = ParseEventBridge(doc);
  }
}

BatchResponse ParseBatchResponse(std::string_view payload,
                                 const absl::flat_hash_set<std::string_view>& message_ids) {
  BatchResponse out;
  const size_t first = payload.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return out;  // Empty: null.
  rapidjson::Document parsed;
  parsed.Parse<kParseFlags>(payload.data(), payload.size());
  if (parsed.HasParseError()) {
    out.whole_batch_failed = true;
    return out;
  }
  const rapidjson::Value& doc = parsed;
  if (doc.IsNull()) return out;
  if (!doc.IsObject()) {
    out.whole_batch_failed = true;
    return out;
  }
  auto failures = doc.FindMember("batchItemFailures");
  if (failures == doc.MemberEnd() || failures->value.IsNull()) return out;
  if (!failures->value.IsArray()) {
    out.whole_batch_failed = true;
    return out;
  }
  for (const rapidjson::Value& item : failures->value.GetArray()) {
    const rapidjson::Value* id = nullptr;
    if (item.IsObject()) {
      auto it = item.FindMember("itemIdentifier");
      if (it != item.MemberEnd()) id = &it->value;
    }
    if (id == nullptr || !id->IsString() || id->GetStringLength() == 0 ||
        !message_ids.contains(std::string_view(id->GetString(), id->GetStringLength()))) {
      out.whole_batch_failed = true;
      out.failed_ids.clear();
      return out;
    }
    out.failed_ids.emplace_back(id->GetString(), id->GetStringLength());
  }
  return out;
}

bool IsJson(std::string_view text) {
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) return false;
  rapidjson::BaseReaderHandler<> handler;
  rapidjson::Reader reader;
  rapidjson::MemoryStream ms(text.data(), text.size());
  return !reader.Parse<kParseFlags | rapidjson::kParseValidateEncodingFlag>(ms, handler).IsError();
}

std::string ErrorDocument(std::string_view message, std::string_view type) {
  std::string out;
  Appender w(&out);
  w.Raw("{\"errorMessage\":");
  w.Str(message);
  w.Raw(",\"errorType\":");
  w.Str(type);
  w.Raw("}");
  return out;
}

std::string FormatIsoMillis(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", t, absl::UTCTimeZone());
}

std::string RenderInvocationRecord(const InvocationRecord& r) {
  std::string out;
  Appender w(&out);
  w.Raw("{\"version\":\"1.0\",\"timestamp\":");
  w.Str(FormatIsoMillis(r.timestamp));
  w.Raw(",\"requestContext\":{\"requestId\":");
  w.Str(r.request_id);
  w.Raw(",\"functionArn\":");
  w.Str(absl::StrCat(r.function_arn, ":$LATEST"));
  w.Raw(",\"condition\":");
  w.Str(r.condition);
  w.Raw(absl::StrCat(",\"approximateInvokeCount\":", r.approximate_invoke_count, "}"));
  w.Raw(",\"requestPayload\":");
  if (IsJson(r.request_payload)) {
    w.Raw(r.request_payload);
  } else {
    w.Str(r.request_payload);
  }
  if (r.invoked) {
    w.Raw(",\"responseContext\":{\"statusCode\":200,\"executedVersion\":\"$LATEST\"");
    if (r.function_error) w.Raw(",\"functionError\":\"Unhandled\"");
    w.Raw("},\"responsePayload\":");
    if (r.response_payload.empty()) {
      w.Raw("null");
    } else if (IsJson(r.response_payload)) {
      w.Raw(r.response_payload);
    } else {
      w.Str(r.response_payload);
    }
  }
  w.Raw("}");
  return out;
}

}  // namespace wharf::lambda_internal
