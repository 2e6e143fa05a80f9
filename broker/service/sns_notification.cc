// sns::ParseNotification: reads the notification envelope SNS delivers
// (spec/sns.md §4.1) back into its fields.

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "simdjson.h"
#include "wharf/sns.h"

namespace wharf::sns {
namespace {

absl::string_view Sv(std::string_view s) { return absl::string_view(s.data(), s.size()); }

absl::Status Malformed(std::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("not an SNS notification: ", Sv(what)));
}

// Reads `value` as a string into `out`. Errors name the key.
absl::Status GetString(simdjson::dom::element value, std::string_view key, std::string& out) {
  std::string_view text;
  if (value.get_string().get(text) != simdjson::SUCCESS) {
    return Malformed(absl::StrCat(Sv(key), " is not a string"));
  }
  out.assign(text.data(), text.size());
  return absl::OkStatus();
}

// "MessageAttributes":{"name":{"Type":"String","Value":"v"},...}; Binary
// values are base64.
absl::Status GetAttributes(simdjson::dom::element value, MessageAttributeMap& out) {
  simdjson::dom::object attributes;
  if (value.get_object().get(attributes) != simdjson::SUCCESS) {
    return Malformed("MessageAttributes is not an object");
  }
  for (auto [name, attribute] : attributes) {
    std::string type;
    std::string text;
    simdjson::dom::element type_value;
    simdjson::dom::element text_value;
    if (attribute["Type"].get(type_value) != simdjson::SUCCESS ||
        attribute["Value"].get(text_value) != simdjson::SUCCESS ||
        !GetString(type_value, "MessageAttributes.Type", type).ok() ||
        !GetString(text_value, "MessageAttributes.Value", text).ok()) {
      return Malformed(
          absl::StrCat("message attribute ", Sv(name), " lacks a string Type or Value"));
    }
    MessageAttributeValue& attr = out[std::string(name)];
    if (type.substr(0, 6) == "Binary") {
      std::string bytes;
      if (!absl::Base64Unescape(text, &bytes)) {
        return Malformed(absl::StrCat("message attribute ", Sv(name), " is not base64"));
      }
      attr = MessageAttributeValue::Binary(std::move(bytes));
      attr.data_type = std::move(type);
    } else {
      attr.data_type = std::move(type);
      attr.string_value = std::move(text);
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Notification> ParseNotification(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(simdjson::padded_string(json)).get(root) != simdjson::SUCCESS) {
    return Malformed("not JSON");
  }
  simdjson::dom::object object;
  if (root.get_object().get(object) != simdjson::SUCCESS) return Malformed("not a JSON object");
  Notification out;
  bool seen[5] = {};  // Type, MessageId, TopicArn, Message, Timestamp.
  std::string timestamp;
  for (auto [key, value] : object) {
    absl::Status s;
    if (key == "Type") {
      s = GetString(value, key, out.type);
      seen[0] = true;
    } else if (key == "MessageId") {
      s = GetString(value, key, out.message_id);
      seen[1] = true;
    } else if (key == "TopicArn") {
      s = GetString(value, key, out.topic_arn);
      seen[2] = true;
    } else if (key == "Message") {
      s = GetString(value, key, out.message);
      seen[3] = true;
    } else if (key == "Timestamp") {
      s = GetString(value, key, timestamp);
      seen[4] = true;
    } else if (key == "Subject") {
      if (!value.is_null()) s = GetString(value, key, out.subject.emplace());
    } else if (key == "SequenceNumber") {
      s = GetString(value, key, out.sequence_number);
    } else if (key == "SignatureVersion") {
      s = GetString(value, key, out.signature_version);
    } else if (key == "Signature") {
      s = GetString(value, key, out.signature);
    } else if (key == "SigningCertURL" || key == "SigningCertUrl") {
      s = GetString(value, key, out.signing_cert_url);
    } else if (key == "UnsubscribeURL" || key == "UnsubscribeUrl") {
      s = GetString(value, key, out.unsubscribe_url);
    } else if (key == "MessageAttributes") {
      s = GetAttributes(value, out.message_attributes);
    }
    if (!s.ok()) return s;
  }
  constexpr std::string_view kRequired[] = {"Type", "MessageId", "TopicArn", "Message",
                                            "Timestamp"};
  for (size_t i = 0; i < std::size(seen); ++i) {
    if (!seen[i]) return Malformed(absl::StrCat(Sv(kRequired[i]), " is missing"));
  }
  std::string error;
  if (!absl::ParseTime("%Y-%m-%dT%H:%M:%E*SZ", timestamp, absl::UTCTimeZone(), &out.timestamp,
                       &error)) {
    return Malformed(absl::StrCat("Timestamp ", timestamp, " is not an ISO-8601 UTC time"));
  }
  return out;
}

}  // namespace wharf::sns
