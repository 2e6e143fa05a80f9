#include "broker/service/message_validation.h"

#include <cstdint>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "broker/base/digests.h"
#include "broker/base/json.h"
#include "broker/base/text.h"
#include "rapidjson/document.h"
#include "wharf/errors.h"

namespace wharf::service_internal {
namespace {

absl::string_view AbslView(std::string_view s) { return absl::string_view(s.data(), s.size()); }

absl::Status AttributeError(std::string message) {
  return MakeError(ErrorCode::kInvalidParameterValue, message);
}

// Returns the reason a name is invalid, or empty when it is valid.
std::string_view NameProblem(std::string_view name) {
  // Letters and digits of any script (AWS takes "attr.1øßä", refuses "§"); at
  // most 256 of them, however many bytes each takes.
  constexpr std::string_view kTooLong = "Names must be at most 256 characters long.";
  if (name.size() > 4 * 256) return kTooLong;
  size_t characters = 0;
  for (size_t i = 0; i < name.size(); ++characters) {
    uint32_t c = 0;
    const int length = base_internal::DecodeUtf8(name, i, &c);
    if (length == 0 || !(c < 0x80 ? IsMessageAttributeNameChar(static_cast<char>(c))
                                  : base_internal::IsUnicodeAlnum(c))) {
      return "Names can only include alphanumeric characters, hyphens, underscores, or periods.";
    }
    i += static_cast<size_t>(length);
  }
  if (characters > 256) return kTooLong;
  if (HasReservedAttributePrefix(name)) {
    return "Names must not start with AWS-reserved prefixes 'AWS.' or 'Amazon.'.";
  }
  if (name.front() == '.' || name.back() == '.')
    return "Names must not start or end with a period.";
  if (absl::StrContains(AbslView(name), "..")) return "Names must not contain successive periods.";
  return {};
}

// "String", "Number" or "Binary" when `data_type` is one of them, optionally
// followed by "." and a non-empty printable-ASCII label; empty otherwise.
std::string_view BaseType(std::string_view data_type) {
  for (std::string_view base : {"String", "Number", "Binary"}) {
    if (!absl::StartsWith(AbslView(data_type), AbslView(base))) continue;
    std::string_view rest = data_type.substr(base.size());
    if (rest.empty()) return base;
    if (rest.front() != '.' || rest.size() < 2) return {};
    for (char c : rest.substr(1)) {
      if (c < 0x20 || c > 0x7E) return {};
    }
    return base;
  }
  return {};
}

// A decimal number with at most 38 significant digits whose magnitude lies
// within SQS's Number range (about 10^-128 to 10^126).
bool IsValidNumber(std::string_view v) {
  size_t i = 0;
  if (i < v.size() && (v[i] == '+' || v[i] == '-')) ++i;
  int int_digits = 0;
  int frac_digits = 0;
  int significant = 0;
  int leading_exponent = 0;  // Decimal exponent of the first non-zero digit.
  bool seen_nonzero = false;
  for (; i < v.size() && absl::ascii_isdigit(static_cast<unsigned char>(v[i])); ++i) {
    if (v[i] != '0' && !seen_nonzero) seen_nonzero = true;
    if (seen_nonzero) ++significant;
    ++int_digits;
  }
  if (seen_nonzero) leading_exponent = significant - 1;
  if (i < v.size() && v[i] == '.') {
    ++i;
    for (; i < v.size() && absl::ascii_isdigit(static_cast<unsigned char>(v[i])); ++i) {
      ++frac_digits;
      if (v[i] != '0' && !seen_nonzero) {
        seen_nonzero = true;
        leading_exponent = -frac_digits;
      }
      if (seen_nonzero) ++significant;
    }
  }
  if (int_digits + frac_digits == 0) return false;
  int64_t exponent = 0;
  if (i < v.size() && (v[i] == 'e' || v[i] == 'E')) {
    ++i;
    bool negative = false;
    if (i < v.size() && (v[i] == '+' || v[i] == '-')) negative = v[i++] == '-';
    size_t start = i;
    for (; i < v.size() && absl::ascii_isdigit(static_cast<unsigned char>(v[i])); ++i) {
      if (exponent < 100000) exponent = exponent * 10 + (v[i] - '0');
    }
    if (i == start) return false;
    if (negative) exponent = -exponent;
  }
  if (i != v.size()) return false;
  if (!seen_nonzero) return true;  // Zero.
  // Trailing zeros of the fraction are not significant digits of the value,
  // but SQS keeps the text verbatim; count them conservatively.
  if (significant > 38) return false;
  int64_t magnitude = leading_exponent + exponent;
  return magnitude >= -128 && magnitude <= 126;
}

}  // namespace

bool IsMessageAttributeNameChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
}

bool HasReservedAttributePrefix(std::string_view name) {
  std::string lower = absl::AsciiStrToLower(AbslView(name.substr(0, 7)));
  return absl::StartsWith(lower, "aws.") || absl::StartsWith(lower, "amazon.");
}

bool IsValidMessageText(std::string_view text) { return base_internal::IsXmlText(text); }

absl::Status InvalidMessageContentsError() {
  return MakeError(ErrorCode::kInvalidMessageContents,
                   "Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 "
                   "to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF");
}

absl::Status ValidateSqsMessageAttributes(const MessageAttributeMap& attributes) {
  if (attributes.size() > 10) {
    return AttributeError(absl::StrCat("Number of message attributes [", attributes.size(),
                                       "] exceeds the allowed maximum [10]."));
  }
  for (const auto& [name, value] : attributes) {
    if (name.empty()) {
      return AttributeError("The request must contain non-empty message attribute name.");
    }
    if (std::string_view problem = NameProblem(name); !problem.empty()) {
      return AttributeError(absl::StrCat("Message (user) attribute name '", name,
                                         "' is invalid. Reason: ", AbslView(problem)));
    }
    if (value.data_type.empty()) {
      return AttributeError(absl::StrCat("The message attribute '", name,
                                         "' must contain non-empty message attribute type."));
    }
    std::string_view base = BaseType(value.data_type);
    if (base.empty() || value.data_type.size() > 256) {
      return AttributeError(absl::StrCat(
          "The type of message (user) attribute '", name,
          "' is invalid. You must use only the following supported type prefixes: Binary, "
          "Number, String."));
    }
    const std::string& v = base == "Binary" ? value.binary_value : value.string_value;
    if (v.empty()) {
      return AttributeError(absl::StrCat("Message (user) attribute '", name,
                                         "' must contain a non-empty value of type '",
                                         AbslView(base), "'."));
    }
    if (base == "Binary") continue;
    if (!IsValidMessageText(v)) {
      return AttributeError(
          absl::StrCat("Message (user) attribute '", name, "' contains invalid characters."));
    }
    if (base == "Number" && !IsValidNumber(v)) {
      return AttributeError(
          absl::StrCat("Could not cast message attribute '", name, "' value to number."));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateMessageSystemAttributes(const MessageAttributeMap& attributes) {
  for (const auto& [name, value] : attributes) {
    if (name != "AWSTraceHeader") {
      return AttributeError(absl::StrCat("Message system attribute name '", name, "' is invalid."));
    }
    if (value.data_type != "String") {
      return AttributeError(absl::StrCat("Message system attribute '", name,
                                         "' has an invalid type. Type must be String."));
    }
    if (value.string_value.empty()) {
      return AttributeError(absl::StrCat("Message system attribute '", name,
                                         "' must contain a non-empty value of type 'String'."));
    }
    if (!IsValidMessageText(value.string_value)) {
      return AttributeError(
          absl::StrCat("Message system attribute '", name, "' contains invalid characters."));
    }
  }
  return absl::OkStatus();
}

size_t AttributesSize(const MessageAttributeMap& attributes) {
  size_t size = 0;
  for (const auto& [name, value] : attributes) {
    size += name.size() + value.data_type.size();
    size += absl::StartsWith(value.data_type, "Binary") ? value.binary_value.size()
                                                        : value.string_value.size();
  }
  return size;
}

bool IsValidIdToken(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    if (c < 0x21 || c > 0x7E) return false;
  }
  return true;
}

bool IsValidBatchEntryId(std::string_view id) {
  if (id.empty() || id.size() > 80) return false;
  for (char c : id) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') return false;
  }
  return true;
}

// ---- SNS (spec/sns.md §3.2) --------------------------------------------------

namespace {

// SNS's String.Array: a JSON array of strings, numbers, booleans and nulls.
bool IsValidStringArray(std::string_view value) {
  rapidjson::Document doc;
  if (!base_internal::ParseJson(value, &doc) || !doc.IsArray()) return false;
  for (const auto& v : doc.GetArray()) {
    if (v.IsArray() || v.IsObject()) return false;
  }
  return true;
}

absl::Status ParameterValueInvalid(std::string_view message) {
  return MakeError(ErrorCode::kSnsParameterValueInvalid, message);
}

}  // namespace

absl::Status ValidateSnsMessageAttributes(const MessageAttributeMap& attributes,
                                          std::string_view path) {
  for (const auto& [name, value] : attributes) {
    if (name.empty() || name.size() >= 256) {
      return ParameterValueInvalid("Length of message attribute name must be less than 256 bytes.");
    }
    for (char c : name) {
      if (!IsMessageAttributeNameChar(c)) {
        return ParameterValueInvalid(
            absl::StrFormat("Invalid non-alphanumeric character '#x%X' was found in the message "
                            "attribute name. Can only include alphanumeric characters, "
                            "hyphens, underscores, or dots.",
                            static_cast<unsigned char>(c)));
      }
    }
    if (name.front() == '.') {
      return ParameterValueInvalid(
          "Invalid message attribute name starting with character '.' was found.");
    }
    if (name.back() == '.') {
      return ParameterValueInvalid(
          "Invalid message attribute name ending with character '.' was found.");
    }
    if (name.find("..") != std::string::npos) {
      return ParameterValueInvalid("Message attribute name can not have successive '.' character.");
    }
    if (HasReservedAttributePrefix(name)) {
      return ParameterValueInvalid(
          absl::StrCat("The message attribute name '", name, "' is reserved for use by AWS."));
    }
    if (value.data_type.empty()) {
      return MakeError(ErrorCode::kSnsValidation,
                       absl::StrCat("1 validation error detected: Value null at '",
                                    absl::string_view(path.data(), path.size()), ".", name,
                                    ".member.dataType' failed to satisfy constraint: Member "
                                    "must not be null"));
    }
    std::string_view type = value.data_type;
    std::string_view base = type.substr(0, type.find('.'));
    // A custom label needs a character after the dot: "String." is invalid,
    // "String.  x." is not (LocalStack test_message_attributes_prefixes,
    // AWS-validated).
    if ((base != "String" && base != "Number" && base != "Binary") ||
        type.size() == base.size() + 1) {
      return ParameterValueInvalid(absl::StrCat(
          "The message attribute '", name,
          "' has an invalid message attribute type, the set of supported type prefixes is "
          "Binary, Number, and String."));
    }
    std::string base_str(base);
    if (base == "Binary") {
      if (!value.string_value.empty()) {
        return ParameterValueInvalid(absl::StrCat("The message attribute '", name,
                                                  "' with type 'Binary' must use field 'Binary'."));
      }
      if (value.binary_value.empty()) {
        return ParameterValueInvalid(
            absl::StrCat("The message attribute '", name,
                         "' must contain non-empty message attribute value for message "
                         "attribute type 'Binary'."));
      }
      continue;
    }
    if (value.string_value.empty()) {
      if (!value.binary_value.empty()) {
        return ParameterValueInvalid(absl::StrCat("The message attribute '", name, "' with type '",
                                                  base_str, "' must use field 'String'."));
      }
      return ParameterValueInvalid(absl::StrCat(
          "The message attribute '", name,
          "' must contain non-empty message attribute value for message attribute type '", base_str,
          "'."));
    }
    if (!base_internal::IsXmlText(value.data_type) ||
        !base_internal::IsXmlText(value.string_value)) {
      return ParameterValueInvalid(
          absl::StrCat("The message attribute '", name, "' contains invalid characters."));
    }
    if (base == "Number") {
      double d;
      if (!absl::SimpleAtod(value.string_value, &d) ||
          value.string_value.find_first_not_of("0123456789+-.eE") != std::string::npos) {
        return ParameterValueInvalid(
            absl::StrCat("Could not cast message attribute '", name, "' value to number."));
      }
    } else if (type == "String.Array" && !IsValidStringArray(value.string_value)) {
      return ParameterValueInvalid(absl::StrCat(
          "The message attribute '", name,
          "' with type 'String.Array' must be a JSON array of strings, numbers, true, false or "
          "null."));
    }
  }
  return absl::OkStatus();
}

size_t SnsMessageSize(std::string_view message, const MessageAttributeMap& attributes) {
  size_t size = message.size();
  for (const auto& [name, value] : attributes) {
    size += name.size() + value.data_type.size() + value.string_value.size() +
            value.binary_value.size();
  }
  return size;
}

}  // namespace wharf::service_internal
