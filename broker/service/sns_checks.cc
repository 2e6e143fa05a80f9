#include "broker/service/sns_checks.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "broker/base/arn.h"
#include "broker/base/json.h"
#include "broker/service/message_validation.h"
#include "rapidjson/document.h"
#include "wharf/errors.h"
#include "wharf/pattern.h"

namespace wharf::service_internal::sns_checks {

using topic_internal::FilterScope;
using topic_internal::Protocol;
using topic_internal::SubscriptionSettings;
using topic_internal::TopicSettings;

namespace {

constexpr size_t kMaxFilterPolicyBytes = 256 * 1024;

absl::string_view AbslView(std::string_view s) { return absl::string_view(s.data(), s.size()); }

bool IsNameChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
}

}  // namespace

absl::Status InvalidParameter(std::string_view message) {
  return MakeError(ErrorCode::kSnsInvalidParameter, message);
}

bool EndsWithFifo(std::string_view name) {
  return name.size() >= 5 && name.substr(name.size() - 5) == ".fifo";
}

bool IsValidName(std::string_view name, size_t max_length) {
  if (name.empty() || name.size() > max_length) return false;
  for (char c : name) {
    if (!IsNameChar(c)) return false;
  }
  return true;
}

// `arn:aws:<service>:<region>:<account>:<resource...>`. Errors as AWS words
// them for a malformed ARN in parameter `param` (spec/sns.md §2).
absl::StatusOr<std::vector<std::string_view>> SplitArn(std::string_view param, std::string_view arn,
                                                       std::string_view service) {
  std::vector<std::string_view> parts = base_internal::ArnFields(arn);
  if (parts.size() < 6) {
    return InvalidParameter(absl::StrCat("Invalid parameter: ", AbslView(param),
                                         " Reason: An ARN must have at least 6 elements, not ",
                                         parts.size()));
  }
  if (parts[0] != "arn" || parts[2] != service || parts[5].empty()) {
    return InvalidParameter(absl::StrCat("Invalid parameter: ", AbslView(param)));
  }
  return parts;
}

// An SQS queue ARN as SNS checks one: arn:<partition>:sqs:<region>:<account>:<name>.
bool IsSqsQueueArn(std::string_view arn) {
  std::vector<std::string_view> parts = base_internal::ArnFields(arn);
  return parts.size() == 6 && parts[0] == "arn" && parts[2] == "sqs" && !parts[5].empty();
}

// arn:<partition>:sns:<region>:<account>:<topic>:<id>.
bool IsSubscriptionArn(std::string_view arn) {
  std::vector<std::string_view> parts = base_internal::ArnFields(arn);
  return parts.size() == 7 && parts[0] == "arn" && parts[2] == "sns";
}

// "true"/"false", any case.
std::optional<bool> ParseBool(std::string_view value) {
  std::string lower = absl::AsciiStrToLower(AbslView(value));
  if (lower == "true") return true;
  if (lower == "false") return false;
  return std::nullopt;
}

// Subject: 1-99 printable ASCII characters, no line breaks.
bool IsValidSubject(std::string_view subject) {
  if (subject.empty() || subject.size() >= 100) return false;
  for (char c : subject) {
    if (c < 0x20 || c > 0x7E) return false;
  }
  return !absl::ascii_isspace(static_cast<unsigned char>(subject.front()));
}

namespace {

bool IsFeedbackAttribute(std::string_view name) {
  for (std::string_view proto : {"HTTP", "Firehose", "Lambda", "Application", "SQS"}) {
    if (name.substr(0, proto.size()) != proto) continue;
    std::string_view rest = name.substr(proto.size());
    if (rest == "SuccessFeedbackRoleArn" || rest == "SuccessFeedbackSampleRate" ||
        rest == "FailureFeedbackRoleArn") {
      return true;
    }
  }
  return false;
}

bool IsSettableTopicAttribute(std::string_view name) {
  for (std::string_view known :
       {"DisplayName", "Policy", "DeliveryPolicy", "KmsMasterKeyId", "SignatureVersion",
        "TracingConfig", "ContentBasedDeduplication", "FifoThroughputScope", "ArchivePolicy"}) {
    if (name == known) return true;
  }
  return IsFeedbackAttribute(name);
}

}  // namespace

// Checks one settable topic attribute and applies it to `settings`. Returns
// the reason (without the operation's prefix) on error.
absl::Status ApplyTopicAttribute(const std::string& name, const std::string& value,
                                 TopicSettings* settings) {
  auto invalid = [&](std::string_view why) {
    return InvalidParameter(absl::StrCat(name, ": ", AbslView(why)));
  };
  if (!IsSettableTopicAttribute(name)) return InvalidParameter("AttributeName");
  if (name == "ContentBasedDeduplication") {
    std::optional<bool> b = ParseBool(value);
    if (!b.has_value())
      return invalid(absl::StrCat("Invalid value [", value, "]. Must be true or false."));
    if (!settings->fifo && *b) {
      return invalid("ContentBasedDeduplication is only valid for FIFO topics");
    }
    settings->content_based_deduplication = *b;
  } else if (name == "FifoThroughputScope") {
    if (!settings->fifo) return invalid("FifoThroughputScope is only valid for FIFO topics");
    if (value != "Topic" && value != "MessageGroup") {
      return invalid(
          absl::StrCat("Invalid value [", value, "]. Please use either Topic or MessageGroup"));
    }
    settings->deduplication_per_message_group = value == "MessageGroup";
  } else if (name == "SignatureVersion") {
    if (value != "1" && value != "2") return invalid(absl::StrCat("Invalid value [", value, "]"));
    settings->signature_version_2 = value == "2";
  } else if (name == "TracingConfig") {
    if (value != "PassThrough" && value != "Active") {
      return invalid(absl::StrCat("Invalid value [", value, "]"));
    }
  } else if (name == "DisplayName") {
    if (value.size() > 100) return invalid("Display name is too long");
  } else if (name == "DeliveryPolicy" && !value.empty()) {
    absl::StatusOr<topic_internal::RetryPolicy> parsed =
        topic_internal::ParseDeliveryPolicy(value, topic_internal::RetryPolicy());
    if (!parsed.ok()) return InvalidParameter(std::string(parsed.status().message()));
  } else if (name == "Policy" && !value.empty()) {
    rapidjson::Document doc;
    if (!base_internal::ParseJson(value, &doc) || !doc.IsObject()) {
      return invalid("failed to parse JSON");
    }
  } else if (absl::EndsWith(name, "SuccessFeedbackSampleRate")) {
    int rate = 0;
    if (!absl::SimpleAtoi(value, &rate) || rate < 0 || rate > 100) {
      return invalid("must be an integer from 0 to 100");
    }
  }
  return absl::OkStatus();
}

absl::Status CheckDataProtectionPolicy(std::string_view policy) {
  if (policy.empty()) return absl::OkStatus();
  size_t characters = 0;
  for (char c : policy) characters += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  rapidjson::Document doc;
  if (characters > 30720 || !base_internal::ParseJson(policy, &doc) || !doc.IsObject()) {
    return InvalidParameter("Invalid parameter: DataProtectionPolicy");
  }
  return absl::OkStatus();
}

// The topic actions AddPermission can share (its ActionName values).
bool IsTopicAction(std::string_view action) {
  for (std::string_view known :
       {"GetTopicAttributes", "SetTopicAttributes", "AddPermission", "RemovePermission",
        "DeleteTopic", "Subscribe", "ListSubscriptionsByTopic", "Publish", "Receive",
        "ListTagsForResource", "GetDataProtectionPolicy", "PutDataProtectionPolicy"}) {
    if (action == known) return true;
  }
  return false;
}

absl::Status ValidateTags(const std::vector<sns::Tag>& tags) {
  absl::flat_hash_set<std::string> keys;
  for (const auto& tag : tags) {
    if (!keys.insert(tag.key).second) {
      return InvalidParameter("Invalid parameter: Duplicated keys are not allowed.");
    }
    if (tag.key.empty() || tag.key.size() > 128) {
      return InvalidParameter("Invalid parameter: TagKey Reason: must be 1 to 128 characters");
    }
    if (tag.value.size() > 256) {
      return InvalidParameter("Invalid parameter: TagValue Reason: must be at most 256 characters");
    }
  }
  if (tags.size() > 50) {
    return MakeError(ErrorCode::kSnsTagLimitExceeded,
                     "Could not complete request: tag quota of per resource exceeded");
  }
  return absl::OkStatus();
}

// ---- Subscription attributes ------------------------------------------------

bool IsSettableSubscriptionAttribute(std::string_view name) {
  for (std::string_view known :
       {"DeliveryPolicy", "FilterPolicy", "FilterPolicyScope", "RawMessageDelivery",
        "RedrivePolicy", "SubscriptionRoleArn", "ReplayPolicy"}) {
    if (name == known) return true;
  }
  return false;
}

// Recomputes the typed settings from settings->attributes. Errors carry the
// reason only ("FilterPolicy: ..."); callers add their prefix.
absl::Status ParseSubscriptionSettings(const SubscriptionContext& ctx,
                                       SubscriptionSettings* settings) {
  const sns::AttributeMap& attrs = settings->attributes;
  for (const auto& [name, value] : attrs) {
    if (!IsSettableSubscriptionAttribute(name)) return InvalidParameter("AttributeName");
  }
  settings->raw_message_delivery = false;
  settings->filter_policy.clear();
  settings->filter_policy_scope = FilterScope::kMessageAttributes;
  settings->dead_letter_target_arn.clear();
  settings->retry_policy = topic_internal::ManagedEndpointRetryPolicy();

  if (auto it = attrs.find("RawMessageDelivery"); it != attrs.end()) {
    std::optional<bool> raw = ParseBool(it->second);
    if (!raw.has_value()) {
      return InvalidParameter(absl::StrCat("RawMessageDelivery: Invalid value [", it->second,
                                           "]. Must be true or false."));
    }
    // Raw delivery exists for sqs, http, https and firehose (spec/sns.md §2.1).
    if (*raw && ctx.protocol_name != "sqs" && ctx.protocol_name != "http" &&
        ctx.protocol_name != "https" && ctx.protocol_name != "firehose") {
      return InvalidParameter(absl::StrCat("Delivery protocol [", AbslView(ctx.protocol_name),
                                           "] does not support raw message delivery."));
    }
    settings->raw_message_delivery = *raw;
  }
  if (auto it = attrs.find("FilterPolicyScope"); it != attrs.end()) {
    if (it->second == "MessageBody") {
      settings->filter_policy_scope = FilterScope::kMessageBody;
    } else if (it->second != "MessageAttributes") {
      return InvalidParameter(absl::StrCat("FilterPolicyScope: Invalid value [", it->second,
                                           "]. Please use either MessageBody or "
                                           "MessageAttributes"));
    }
  }
  if (auto it = attrs.find("FilterPolicy"); it != attrs.end() && !it->second.empty()) {
    if (it->second.size() > kMaxFilterPolicyBytes) {
      return InvalidParameter("FilterPolicy: Filter policy is too long");
    }
    PatternDialect dialect = settings->filter_policy_scope == FilterScope::kMessageBody
                                 ? PatternDialect::kSnsMessageBody
                                 : PatternDialect::kSnsMessageAttributes;
    absl::Status valid = ValidatePattern(dialect, it->second);
    if (!valid.ok()) {
      if (GetErrorCode(valid) == ErrorCode::kSnsInvalidParameter) {
        return InvalidParameter(std::string(valid.message()));
      }
      return valid;
    }
    settings->filter_policy = it->second;
  }
  if (auto it = attrs.find("RedrivePolicy"); it != attrs.end() && !it->second.empty()) {
    rapidjson::Document doc;
    if (!base_internal::ParseJson(it->second, &doc) || !doc.IsObject()) {
      return InvalidParameter("RedrivePolicy: failed to parse JSON.");
    }
    rapidjson::Value::ConstMemberIterator target = doc.FindMember("deadLetterTargetArn");
    if (target == doc.MemberEnd() || !target->value.IsString()) {
      return InvalidParameter("RedrivePolicy: deadLetterTargetArn is an invalid arn");
    }
    std::string dlq = target->value.GetString();
    if (!IsSqsQueueArn(dlq)) {
      return InvalidParameter("RedrivePolicy: deadLetterTargetArn is an invalid arn");
    }
    if (ctx.fifo_topic && ctx.fifo_endpoint && !EndsWithFifo(dlq)) {
      return InvalidParameter(
          "RedrivePolicy: must use a FIFO queue as DLQ for a FIFO Subscription to a FIFO "
          "Topic.");
    }
    settings->dead_letter_target_arn = std::move(dlq);
  }
  if (auto it = attrs.find("DeliveryPolicy"); it != attrs.end() && !it->second.empty()) {
    absl::StatusOr<topic_internal::RetryPolicy> policy =
        topic_internal::ParseDeliveryPolicy(it->second, settings->retry_policy);
    if (!policy.ok()) return InvalidParameter(std::string(policy.status().message()));
    settings->retry_policy = *policy;
  }
  return absl::OkStatus();
}

std::string RenderRetryPolicy(const topic_internal::RetryPolicy& p) {
  const char* backoff = "linear";
  switch (p.backoff) {
    case topic_internal::RetryPolicy::Backoff::kLinear:
      backoff = "linear";
      break;
    case topic_internal::RetryPolicy::Backoff::kArithmetic:
      backoff = "arithmetic";
      break;
    case topic_internal::RetryPolicy::Backoff::kGeometric:
      backoff = "geometric";
      break;
    case topic_internal::RetryPolicy::Backoff::kExponential:
      backoff = "exponential";
      break;
  }
  return absl::StrFormat(
      R"({"healthyRetryPolicy":{"minDelayTarget":%d,"maxDelayTarget":%d,"numRetries":%d,"numNoDelayRetries":%d,"numMinDelayRetries":%d,"numMaxDelayRetries":%d,"backoffFunction":"%s"}})",
      absl::ToInt64Seconds(p.min_delay), absl::ToInt64Seconds(p.max_delay), p.num_retries,
      p.num_no_delay_retries, p.num_min_delay_retries, p.num_max_delay_retries, backoff);
}

absl::Status InvalidMessageCharacters() {
  return InvalidParameter(
      "Invalid parameter: Message Reason: Message contains characters outside the allowed set "
      "(#x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF)");
}

absl::StatusOr<StructuredTexts> ParseMessageStructure(std::string_view message) {
  rapidjson::Document doc;
  if (!base_internal::ParseJson(message, &doc) || !doc.IsObject()) {
    return InvalidParameter(
        "Invalid parameter: Message Structure - JSON message body failed to parse");
  }
  rapidjson::Value::ConstMemberIterator def = doc.FindMember("default");
  if (def == doc.MemberEnd() || !def->value.IsString()) {
    return InvalidParameter(
        "Invalid parameter: Message Structure - No default entry in JSON message body");
  }
  StructuredTexts texts;
  texts.sqs = texts.lambda = std::string(def->value.GetString(), def->value.GetStringLength());
  // Non-string protocol values are ignored, as AWS does.
  rapidjson::Value::ConstMemberIterator sqs = doc.FindMember("sqs");
  if (sqs != doc.MemberEnd() && sqs->value.IsString()) {
    texts.sqs.assign(sqs->value.GetString(), sqs->value.GetStringLength());
  }
  rapidjson::Value::ConstMemberIterator lambda = doc.FindMember("lambda");
  if (lambda != doc.MemberEnd() && lambda->value.IsString()) {
    texts.lambda.assign(lambda->value.GetString(), lambda->value.GetStringLength());
  }
  return texts;
}

topic_internal::TagList ToTagList(const std::vector<sns::Tag>& tags) {
  topic_internal::TagList out;
  out.reserve(tags.size());
  for (const sns::Tag& tag : tags) out.emplace_back(tag.key, tag.value);
  return out;
}

std::string EncodeNextToken(std::string_view arn) {
  return arn.empty() ? std::string() : absl::Base64Escape(AbslView(arn));
}

absl::StatusOr<std::string> DecodeNextToken(std::string_view token) {
  std::string arn;
  if (token.empty()) return arn;
  if (!absl::Base64Unescape(AbslView(token), &arn) || !absl::StartsWith(arn, "arn:aws:sns:")) {
    return InvalidParameter("Invalid parameter: NextToken");
  }
  return arn;
}

absl::Status CheckBatchEntryId(const std::string& id) {
  if (id.size() > 80) {
    return MakeError(
        ErrorCode::kSnsInvalidBatchEntryId,
        absl::StrCat("The Id of a batch entry in the batch request is too long: ", id));
  }
  if (!IsValidBatchEntryId(id)) {
    return MakeError(ErrorCode::kSnsInvalidBatchEntryId,
                     absl::StrCat("The Id of a batch entry in the batch request contains an "
                                  "impermissible character: ",
                                  id));
  }
  return absl::OkStatus();
}

// http, https, email and email-json subscriptions wait for the endpoint to
// confirm (spec/sns.md §2.1); the other protocols are confirmed at once.
bool NeedsConfirmation(std::string_view protocol) {
  return protocol == "http" || protocol == "https" || protocol == "email" ||
         protocol == "email-json";
}

namespace {

// One '@' between a non-empty local part and a domain with an inner dot; no
// whitespace, control characters or list separators (one address only).
bool IsEmailAddress(std::string_view s) {
  size_t at = s.find('@');
  if (at == std::string_view::npos || at == 0 || s.find('@', at + 1) != std::string_view::npos) {
    return false;
  }
  std::string_view domain = s.substr(at + 1);
  size_t dot = domain.find('.');
  if (dot == std::string_view::npos || dot == 0 || domain.back() == '.') return false;
  return std::none_of(s.begin(), s.end(), [](char c) {
    unsigned char u = static_cast<unsigned char>(c);
    return std::isspace(u) || std::iscntrl(u) || c == ',' || c == ';';
  });
}

// arn:<partition>:<service>:<region>:<account>:<resource_type>/<path> where
// the path has `path_segments` non-empty '/'-separated parts.
bool IsResourceArn(std::string_view arn, std::string_view service, std::string_view resource_type,
                   size_t path_segments) {
  std::vector<std::string_view> parts = base_internal::ArnFields(arn);
  if (parts.size() != 6 || parts[0] != "arn" || parts[1].empty() || parts[2] != service ||
      parts[3].empty() || !base_internal::IsAwsAccountId(parts[4])) {
    return false;
  }
  std::vector<absl::string_view> resource = absl::StrSplit(AbslView(parts[5]), '/');
  if (resource.size() != path_segments + 1 || resource[0] != AbslView(resource_type)) return false;
  return std::none_of(resource.begin(), resource.end(),
                      [](absl::string_view segment) { return segment.empty(); });
}

// arn:<partition>:iam::<account>:role/<path/>name.
bool IsRoleArn(std::string_view arn) {
  std::vector<std::string_view> parts = base_internal::ArnFields(arn);
  return parts.size() == 6 && parts[0] == "arn" && parts[2] == "iam" && parts[3].empty() &&
         base_internal::IsAwsAccountId(parts[4]) && parts[5].substr(0, 5) == "role/" &&
         parts[5].size() > 5;
}

}  // namespace

// E.164 with optional separators: an optional '+', then 2-15 digits not
// starting with 0, which single '-', '.' or '/' may separate (not lead or
// trail), e.g. "+1-555-010-0199".
bool IsPhoneNumber(std::string_view s) {
  size_t i = !s.empty() && s[0] == '+' ? 1 : 0;
  std::string digits;
  bool after_separator = true;  // Also forbids a leading separator.
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (std::isdigit(static_cast<unsigned char>(c))) {
      digits.push_back(c);
      after_separator = false;
    } else if ((c == '-' || c == '.' || c == '/') && !after_separator) {
      after_separator = true;
    } else {
      return false;
    }
  }
  return !after_separator && digits.size() >= 2 && digits.size() <= 15 && digits[0] != '0';
}

// Firehose subscriptions name the role SNS assumes to write to the stream;
// AWS refuses one without a valid SubscriptionRoleArn.
absl::Status CheckSubscriptionRole(std::string_view protocol, const sns::AttributeMap& attributes) {
  if (protocol != "firehose") return absl::OkStatus();
  auto role = attributes.find("SubscriptionRoleArn");
  if (role == attributes.end() || !IsRoleArn(role->second)) {
    return InvalidParameter("Invalid parameter: SubscriptionRoleArn");
  }
  return absl::OkStatus();
}

// Checks that `endpoint` has the form `protocol` takes and returns the
// protocol's delivery kind. Errors: InvalidParameter with AWS's message.
absl::StatusOr<Protocol> CheckEndpoint(const std::string& protocol, const std::string& endpoint) {
  if (protocol == "sqs") {
    if (!IsSqsQueueArn(endpoint)) {
      return InvalidParameter("Invalid parameter: SQS endpoint ARN");
    }
    return Protocol::kSqs;
  }
  if (protocol == "lambda") {
    std::vector<std::string_view> parts = base_internal::ArnFields(endpoint);
    if (parts.size() < 7 || parts[0] != "arn" || parts[2] != "lambda" || parts[5] != "function") {
      return InvalidParameter("Invalid parameter: Lambda endpoint ARN");
    }
    return Protocol::kLambda;
  }
  if (protocol == "http" || protocol == "https") {
    std::string scheme = absl::StrCat(protocol, "://");
    if (!absl::StartsWith(endpoint, scheme) || endpoint.size() == scheme.size()) {
      return InvalidParameter("Invalid parameter: Endpoint must match the specified protocol");
    }
  } else if (protocol == "email" || protocol == "email-json") {
    if (!IsEmailAddress(endpoint)) return InvalidParameter("Invalid parameter: Email address");
  } else if (protocol == "sms") {
    if (!IsPhoneNumber(endpoint)) {
      return InvalidParameter(absl::StrCat("Invalid SMS endpoint: ", endpoint));
    }
  } else if (protocol == "application") {
    // arn:aws:sns:<region>:<account>:endpoint/<platform>/<application>/<id>
    if (!IsResourceArn(endpoint, "sns", "endpoint", 3)) {
      return InvalidParameter(
          absl::StrCat("Invalid parameter: Application endpoint arn invalid:", endpoint));
    }
  } else if (protocol == "firehose") {
    // arn:aws:firehose:<region>:<account>:deliverystream/<name>
    if (!IsResourceArn(endpoint, "firehose", "deliverystream", 1)) {
      return InvalidParameter("Invalid parameter: Firehose endpoint ARN");
    }
  } else {
    return InvalidParameter(absl::StrCat(
        "Invalid parameter: Amazon SNS does not support this protocol string: ", protocol));
  }
  return Protocol::kExternal;
}

}  // namespace wharf::service_internal::sns_checks
