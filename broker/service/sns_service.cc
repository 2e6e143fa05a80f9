#include "broker/service/sns_service.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <optional>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "broker/base/digests.h"
#include "broker/base/ids.h"
#include "broker/base/json.h"
#include "broker/base/status_macros.h"
#include "broker/base/text.h"
#include "broker/service/permission_policy.h"
#include "rapidjson/document.h"
#include "wharf/errors.h"
#include "wharf/pattern.h"

namespace wharf::service_internal {
namespace {

using topic_internal::FilterScope;
using topic_internal::Protocol;
using topic_internal::PublishedMessage;
using topic_internal::SubscriptionSettings;
using topic_internal::TopicSettings;

constexpr size_t kMaxMessageBytes = 262144;
constexpr size_t kMaxFilterPolicyBytes = 256 * 1024;
constexpr size_t kPageSize = 100;
constexpr size_t kMaxBatchEntries = 10;

absl::string_view AbslView(std::string_view s) { return absl::string_view(s.data(), s.size()); }

absl::Status InvalidParameter(std::string_view message) {
  return MakeError(ErrorCode::kSnsInvalidParameter, message);
}
absl::Status ParameterValueInvalid(std::string_view message) {
  return MakeError(ErrorCode::kSnsParameterValueInvalid, message);
}

bool EndsWithFifo(std::string_view name) {
  return name.size() >= 5 && name.substr(name.size() - 5) == ".fifo";
}

bool IsNameChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
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
absl::StatusOr<std::vector<std::string>> SplitArn(std::string_view param, std::string_view arn,
                                                  std::string_view service) {
  std::vector<std::string> parts = absl::StrSplit(AbslView(arn), ':');
  if (parts.size() < 6) {
    return InvalidParameter(absl::StrCat("Invalid parameter: ", AbslView(param),
                                         " Reason: An ARN must have at least 6 elements, not ",
                                         parts.size()));
  }
  if (parts[0] != "arn" || parts[2] != AbslView(service) || parts[5].empty()) {
    return InvalidParameter(absl::StrCat("Invalid parameter: ", AbslView(param)));
  }
  return parts;
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

// MessageGroupId / MessageDeduplicationId: 1-128 printable ASCII, no space.
bool IsValidIdToken(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    if (c < 0x21 || c > 0x7E) return false;
  }
  return true;
}

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

struct SubscriptionContext {
  Protocol protocol;
  std::string_view protocol_name;
  bool fifo_topic;
  bool fifo_endpoint;
};

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
    std::vector<std::string> parts = absl::StrSplit(dlq, ':');
    if (parts.size() != 6 || parts[0] != "arn" || parts[2] != "sqs" || parts[5].empty()) {
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

// ---- Message attributes (spec/sns.md §3.2) ----------------------------------

bool IsValidStringArray(std::string_view value) {
  rapidjson::Document doc;
  if (!base_internal::ParseJson(value, &doc) || !doc.IsArray()) return false;
  for (const auto& v : doc.GetArray()) {
    if (v.IsArray() || v.IsObject()) return false;
  }
  return true;
}

absl::Status ValidateMessageAttributes(const sns::MessageAttributeMap& attributes) {
  for (const auto& [name, value] : attributes) {
    if (name.empty() || name.size() >= 256) {
      return ParameterValueInvalid("Length of message attribute name must be less than 256 bytes.");
    }
    for (char c : name) {
      if (!IsNameChar(c) && c != '.') {
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
    std::string lower = absl::AsciiStrToLower(name);
    if (absl::StartsWith(lower, "aws.") || absl::StartsWith(lower, "amazon.")) {
      return ParameterValueInvalid(
          absl::StrCat("The message attribute name '", name, "' is reserved for use by AWS."));
    }
    if (value.data_type.empty()) {
      return MakeError(ErrorCode::kSnsValidation,
                       absl::StrCat("1 validation error detected: Value null at "
                                    "'messageAttributes.",
                                    name,
                                    ".member.dataType' failed to satisfy constraint: Member "
                                    "must not be null"));
    }
    std::string_view type = value.data_type;
    std::string_view base = type.substr(0, type.find('.'));
    if (base != "String" && base != "Number" && base != "Binary") {
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

absl::Status InvalidMessageCharacters() {
  return InvalidParameter(
      "Invalid parameter: Message Reason: Message contains characters outside the allowed set "
      "(#x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF)");
}

size_t MessageBytes(std::string_view message, const sns::MessageAttributeMap& attributes) {
  size_t size = message.size();
  for (const auto& [name, value] : attributes) {
    size += name.size() + value.data_type.size() + value.string_value.size() +
            value.binary_value.size();
  }
  return size;
}

// Per-protocol texts of a MessageStructure=json message.
struct StructuredTexts {
  std::string sqs;
  std::string lambda;
};

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

absl::Status CheckBatchEntryId(const std::string& id) {
  if (id.size() > 80) {
    return MakeError(
        ErrorCode::kSnsInvalidBatchEntryId,
        absl::StrCat("The Id of a batch entry in the batch request is too long: ", id));
  }
  if (!IsValidName(id, 80)) {
    return MakeError(ErrorCode::kSnsInvalidBatchEntryId,
                     absl::StrCat("The Id of a batch entry in the batch request contains an "
                                  "impermissible character: ",
                                  id));
  }
  return absl::OkStatus();
}

}  // namespace

struct SnsService::PublishInput {
  const std::string& message;
  const std::optional<std::string>& subject;
  const std::string& message_structure;
  const sns::MessageAttributeMap& message_attributes;
  const std::string& message_deduplication_id;
  const std::string& message_group_id;
};

SnsService::SnsService(const Options& options)
    : options_(options),
      registry_(topic_internal::TopicRegistry::Create({.region = options.region,
                                                       .account_id = options.account_id,
                                                       .clock = options.clock,
                                                       .scheduler = options.scheduler,
                                                       .queues = options.queues})) {}

SnsService::~SnsService() = default;

absl::Status SnsService::CheckTopicArn(std::string_view param, std::string_view arn) const {
  WHARF_ASSIGN_OR_RETURN(std::vector<std::string> parts, SplitArn(param, arn, "sns"));
  if (parts[3] != options_.region) {
    return InvalidParameter(absl::StrCat("Invalid parameter: ", AbslView(param)));
  }
  return absl::OkStatus();
}

// ---- Topics -----------------------------------------------------------------

absl::StatusOr<sns::CreateTopicResult> SnsService::CreateTopic(
    const sns::CreateTopicRequest& request) {
  TopicSettings settings;
  sns::AttributeMap attributes = request.attributes;
  if (auto it = attributes.find("FifoTopic"); it != attributes.end()) {
    std::optional<bool> fifo = ParseBool(it->second);
    if (!fifo.has_value()) {
      return InvalidParameter(
          absl::StrCat("Invalid parameter: Attributes Reason: FifoTopic: Invalid value [",
                       it->second, "]. Must be true or false."));
    }
    settings.fifo = *fifo;
    it->second = *fifo ? "true" : "false";
  }
  bool name_ok =
      settings.fifo
          ? EndsWithFifo(request.name) &&
                IsValidName(std::string_view(request.name).substr(0, request.name.size() - 5), 251)
          : IsValidName(request.name, 256);
  if (!name_ok) {
    if (settings.fifo) {
      return InvalidParameter(
          "Invalid parameter: Fifo Topic names must end with .fifo and must be made up of only "
          "uppercase and lowercase ASCII letters, numbers, underscores, and hyphens, and must "
          "be between 1 and 256 characters long.");
    }
    return InvalidParameter("Invalid parameter: Topic Name");
  }
  for (const auto& [name, value] : attributes) {
    if (name == "FifoTopic") continue;
    absl::Status s = ApplyTopicAttribute(name, value, &settings);
    if (!s.ok()) {
      return InvalidParameter(absl::StrCat("Invalid parameter: Attributes Reason: ", s.message()));
    }
  }
  WHARF_RETURN_IF_ERROR(ValidateTags(request.tags));
  WHARF_ASSIGN_OR_RETURN(
      std::string arn,
      registry_->CreateTopic(request.name, settings, std::move(attributes), request.tags));
  return sns::CreateTopicResult{.topic_arn = std::move(arn)};
}

absl::Status SnsService::DeleteTopic(const sns::DeleteTopicRequest& request) {
  WHARF_RETURN_IF_ERROR(CheckTopicArn("TopicArn", request.topic_arn));
  registry_->DeleteTopic(request.topic_arn);
  return absl::OkStatus();
}

absl::StatusOr<sns::ListTopicsResult> SnsService::ListTopics(
    const sns::ListTopicsRequest& request) {
  WHARF_ASSIGN_OR_RETURN(topic_internal::Page page,
                         registry_->ListTopics(request.next_token, kPageSize));
  sns::ListTopicsResult result;
  for (auto& arn : page.arns) result.topics.push_back({.topic_arn = std::move(arn)});
  result.next_token = std::move(page.next_token);
  return result;
}

absl::StatusOr<sns::GetTopicAttributesResult> SnsService::GetTopicAttributes(
    const sns::GetTopicAttributesRequest& request) {
  WHARF_RETURN_IF_ERROR(CheckTopicArn("TopicArn", request.topic_arn));
  WHARF_ASSIGN_OR_RETURN(sns::AttributeMap attributes,
                         registry_->GetTopicAttributes(request.topic_arn));
  return sns::GetTopicAttributesResult{.attributes = std::move(attributes)};
}

absl::Status SnsService::SetTopicAttributes(const sns::SetTopicAttributesRequest& request) {
  WHARF_RETURN_IF_ERROR(CheckTopicArn("TopicArn", request.topic_arn));
  WHARF_ASSIGN_OR_RETURN(TopicSettings settings, registry_->GetTopicSettings(request.topic_arn));
  absl::Status s = ApplyTopicAttribute(request.attribute_name, request.attribute_value, &settings);
  if (!s.ok()) return InvalidParameter(absl::StrCat("Invalid parameter: ", s.message()));
  return registry_->SetTopicAttribute(request.topic_arn, request.attribute_name,
                                      request.attribute_value, settings);
}

absl::Status SnsService::AddPermission(const sns::AddPermissionRequest& request) {
  WHARF_RETURN_IF_ERROR(CheckTopicArn("TopicArn", request.topic_arn));
  if (request.label.empty()) return InvalidParameter("Invalid parameter: Label");
  if (request.aws_account_ids.empty() ||
      !std::all_of(request.aws_account_ids.begin(), request.aws_account_ids.end(),
                   IsAwsAccountId)) {
    return InvalidParameter("Invalid parameter: AWSAccountId");
  }
  if (request.actions.empty()) return InvalidParameter("Invalid parameter: ActionName");
  for (const std::string& action : request.actions) {
    if (!IsTopicAction(action)) {
      return InvalidParameter("Invalid parameter: Policy statement action out of service scope!");
    }
  }
  const PermissionStatement statement{.sid = request.label,
                                      .account_ids = request.aws_account_ids,
                                      .action_prefix = "SNS",
                                      .actions = request.actions,
                                      .resource = request.topic_arn};
  return registry_->UpdateTopicAttribute(
      request.topic_arn, "Policy", [&](const std::string& current) -> absl::StatusOr<std::string> {
        std::optional<std::string> updated = AddPolicyStatement(
            current, absl::StrCat(request.topic_arn, "/SNSDefaultPolicy"), statement);
        if (!updated) return InvalidParameter("Invalid parameter: Statement already exists");
        return *std::move(updated);
      });
}

absl::Status SnsService::RemovePermission(const sns::RemovePermissionRequest& request) {
  WHARF_RETURN_IF_ERROR(CheckTopicArn("TopicArn", request.topic_arn));
  if (request.label.empty()) return InvalidParameter("Invalid parameter: Label");
  return registry_->UpdateTopicAttribute(
      request.topic_arn, "Policy", [&](const std::string& current) -> absl::StatusOr<std::string> {
        // An unknown label changes nothing and is not an error.
        std::optional<RemovedStatement> removed = RemovePolicyStatement(current, request.label);
        return removed ? std::move(removed->document) : current;
      });
}

// ---- Subscriptions ----------------------------------------------------------

namespace {

// http, https, email and email-json subscriptions wait for the endpoint to
// confirm (spec/sns.md §2.1); the other protocols are confirmed at once.
bool NeedsConfirmation(std::string_view protocol) {
  return protocol == "http" || protocol == "https" || protocol == "email" ||
         protocol == "email-json";
}

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

// arn:<partition>:<service>:<region>:<account>:<resource_type>/<path> where
// the path has `path_segments` non-empty '/'-separated parts.
bool IsResourceArn(std::string_view arn, std::string_view service, std::string_view resource_type,
                   size_t path_segments) {
  std::vector<std::string> parts = absl::StrSplit(AbslView(arn), ':');
  if (parts.size() != 6 || parts[0] != "arn" || parts[1].empty() || parts[2] != AbslView(service) ||
      parts[3].empty() || !IsAwsAccountId(parts[4])) {
    return false;
  }
  std::vector<std::string> resource = absl::StrSplit(parts[5], '/');
  if (resource.size() != path_segments + 1 || resource[0] != AbslView(resource_type)) return false;
  return std::none_of(resource.begin(), resource.end(),
                      [](const std::string& segment) { return segment.empty(); });
}

// arn:<partition>:iam::<account>:role/<path/>name.
bool IsRoleArn(std::string_view arn) {
  std::vector<std::string> parts = absl::StrSplit(AbslView(arn), ':');
  return parts.size() == 6 && parts[0] == "arn" && parts[2] == "iam" && parts[3].empty() &&
         IsAwsAccountId(parts[4]) && absl::StartsWith(parts[5], "role/") && parts[5].size() > 5;
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
    std::vector<std::string> parts = absl::StrSplit(endpoint, ':');
    if (parts.size() != 6 || parts[0] != "arn" || parts[2] != "sqs" || parts[5].empty()) {
      return InvalidParameter("Invalid parameter: SQS endpoint ARN");
    }
    return Protocol::kSqs;
  }
  if (protocol == "lambda") {
    std::vector<std::string> parts = absl::StrSplit(endpoint, ':');
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

}  // namespace

absl::StatusOr<sns::SubscribeResult> SnsService::Subscribe(const sns::SubscribeRequest& request) {
  WHARF_RETURN_IF_ERROR(CheckTopicArn("TopicArn", request.topic_arn));
  WHARF_ASSIGN_OR_RETURN(Protocol protocol, CheckEndpoint(request.protocol, request.endpoint));
  WHARF_ASSIGN_OR_RETURN(TopicSettings topic, registry_->GetTopicSettings(request.topic_arn));
  bool fifo_endpoint = protocol == Protocol::kSqs && EndsWithFifo(request.endpoint);
  if (topic.fifo && protocol != Protocol::kSqs) {
    return InvalidParameter(
        absl::StrCat("Invalid parameter: Invalid protocol type: ", request.protocol));
  }
  if (!topic.fifo && fifo_endpoint) {
    return InvalidParameter(
        "Invalid parameter: Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be "
        "subscribed to standard SNS topics");
  }
  SubscriptionSettings settings;
  settings.attributes = request.attributes;
  for (auto it = settings.attributes.begin(); it != settings.attributes.end();) {
    // An empty value is the same as not giving the attribute.
    it = it->second.empty() ? settings.attributes.erase(it) : std::next(it);
  }
  absl::Status s =
      ParseSubscriptionSettings({protocol, request.protocol, topic.fifo, fifo_endpoint}, &settings);
  if (!s.ok()) {
    if (GetErrorCode(s) != ErrorCode::kSnsInvalidParameter) return s;
    return InvalidParameter(absl::StrCat("Invalid parameter: Attributes Reason: ", s.message()));
  }
  WHARF_RETURN_IF_ERROR(CheckSubscriptionRole(request.protocol, settings.attributes));
  const bool pending = NeedsConfirmation(request.protocol);
  WHARF_ASSIGN_OR_RETURN(std::string arn,
                         registry_->Subscribe(request.topic_arn, protocol, request.protocol,
                                              request.endpoint, std::move(settings), pending));
  // A subscription waiting for confirmation (a new one, or the same one
  // subscribed again) is reported as AWS does unless the caller asked for
  // the ARN.
  if (pending && !request.return_subscription_arn) {
    return sns::SubscribeResult{.subscription_arn = "pending confirmation"};
  }
  return sns::SubscribeResult{.subscription_arn = std::move(arn)};
}

absl::Status SnsService::Unsubscribe(const sns::UnsubscribeRequest& request) {
  std::vector<std::string> parts = absl::StrSplit(request.subscription_arn, ':');
  if (parts.size() != 7 || parts[0] != "arn" || parts[2] != "sns") {
    return InvalidParameter("Invalid parameter: SubscriptionId");
  }
  registry_->Unsubscribe(request.subscription_arn);
  return absl::OkStatus();
}

namespace {

sns::Subscription ToSubscription(const topic_internal::SubscriptionInfo& info,
                                 const std::string& owner) {
  // AWS lists a subscription that awaits confirmation without its ARN.
  return {.subscription_arn = info.pending_confirmation ? "PendingConfirmation" : info.arn,
          .owner = owner,
          .protocol = info.protocol_name,
          .endpoint = info.endpoint,
          .topic_arn = info.topic_arn};
}

}  // namespace

absl::StatusOr<sns::ListSubscriptionsResult> SnsService::ListSubscriptions(
    const sns::ListSubscriptionsRequest& request) {
  sns::ListSubscriptionsResult result;
  WHARF_ASSIGN_OR_RETURN(auto subs, registry_->ListSubscriptions("", request.next_token, kPageSize,
                                                                 &result.next_token));
  for (const auto& sub : subs)
    result.subscriptions.push_back(ToSubscription(*sub, options_.account_id));
  return result;
}

absl::StatusOr<sns::ListSubscriptionsByTopicResult> SnsService::ListSubscriptionsByTopic(
    const sns::ListSubscriptionsByTopicRequest& request) {
  WHARF_RETURN_IF_ERROR(CheckTopicArn("TopicArn", request.topic_arn));
  sns::ListSubscriptionsResult result;
  WHARF_ASSIGN_OR_RETURN(
      auto subs, registry_->ListSubscriptions(request.topic_arn, request.next_token, kPageSize,
                                              &result.next_token));
  for (const auto& sub : subs)
    result.subscriptions.push_back(ToSubscription(*sub, options_.account_id));
  return result;
}

absl::StatusOr<sns::GetSubscriptionAttributesResult> SnsService::GetSubscriptionAttributes(
    const sns::GetSubscriptionAttributesRequest& request) {
  std::vector<std::string> parts = absl::StrSplit(request.subscription_arn, ':');
  if (parts.size() != 7 || parts[0] != "arn" || parts[2] != "sns") {
    return InvalidParameter("Invalid parameter: SubscriptionId");
  }
  WHARF_ASSIGN_OR_RETURN(auto sub, registry_->GetSubscription(request.subscription_arn));
  sns::AttributeMap out = sub->settings.attributes;
  out["SubscriptionArn"] = sub->arn;
  out["TopicArn"] = sub->topic_arn;
  out["Owner"] = options_.account_id;
  out["Protocol"] = sub->protocol_name;
  out["Endpoint"] = sub->endpoint;
  out["PendingConfirmation"] = sub->pending_confirmation ? "true" : "false";
  out["ConfirmationWasAuthenticated"] = sub->pending_confirmation ? "false" : "true";
  out["RawMessageDelivery"] = sub->settings.raw_message_delivery ? "true" : "false";
  if (!sub->settings.filter_policy.empty()) {
    out["FilterPolicyScope"] = sub->settings.filter_policy_scope == FilterScope::kMessageBody
                                   ? "MessageBody"
                                   : "MessageAttributes";
  }
  if (sub->protocol == Protocol::kLambda) {
    out["EffectiveDeliveryPolicy"] = RenderRetryPolicy(sub->settings.retry_policy);
  }
  return sns::GetSubscriptionAttributesResult{.attributes = std::move(out)};
}

absl::Status SnsService::SetSubscriptionAttributes(
    const sns::SetSubscriptionAttributesRequest& request) {
  std::vector<std::string> parts = absl::StrSplit(request.subscription_arn, ':');
  if (parts.size() != 7 || parts[0] != "arn" || parts[2] != "sns") {
    return InvalidParameter("Invalid parameter: SubscriptionId");
  }
  if (!IsSettableSubscriptionAttribute(request.attribute_name)) {
    return InvalidParameter("Invalid parameter: AttributeName");
  }
  WHARF_ASSIGN_OR_RETURN(auto sub, registry_->GetSubscription(request.subscription_arn));
  WHARF_ASSIGN_OR_RETURN(TopicSettings topic, registry_->GetTopicSettings(sub->topic_arn));
  SubscriptionSettings settings = sub->settings;
  if (request.attribute_value.empty()) {
    settings.attributes.erase(request.attribute_name);
  } else {
    settings.attributes[request.attribute_name] = request.attribute_value;
  }
  absl::Status s = ParseSubscriptionSettings(
      {sub->protocol, sub->protocol_name, topic.fifo, sub->endpoint_is_fifo_queue}, &settings);
  if (!s.ok()) {
    if (GetErrorCode(s) != ErrorCode::kSnsInvalidParameter) return s;
    return InvalidParameter(absl::StrCat("Invalid parameter: ", s.message()));
  }
  WHARF_RETURN_IF_ERROR(CheckSubscriptionRole(sub->protocol_name, settings.attributes));
  return registry_->UpdateSubscription(request.subscription_arn, std::move(settings));
}

// ---- Publishing -------------------------------------------------------------

absl::StatusOr<std::shared_ptr<const PublishedMessage>> SnsService::MakeMessage(
    const TopicSettings& topic, const PublishInput& in) const {
  if (in.message.empty()) return InvalidParameter("Invalid parameter: Empty message");
  // SNS delivers to SQS, whose text is XML's (spec/sqs.md §4).
  if (!base_internal::IsXmlText(in.message)) return InvalidMessageCharacters();
  if (in.subject.has_value() && !IsValidSubject(*in.subject)) {
    return InvalidParameter("Invalid parameter: Subject");
  }
  WHARF_RETURN_IF_ERROR(ValidateMessageAttributes(in.message_attributes));
  if (MessageBytes(in.message, in.message_attributes) > kMaxMessageBytes) {
    return InvalidParameter("Invalid parameter: Message too long");
  }
  if (topic.fifo) {
    if (in.message_group_id.empty()) {
      return InvalidParameter(
          "Invalid parameter: The MessageGroupId parameter is required for FIFO topics");
    }
    if (in.message_deduplication_id.empty() && !topic.content_based_deduplication) {
      return InvalidParameter(
          "Invalid parameter: The topic should either have ContentBasedDeduplication enabled "
          "or MessageDeduplicationId provided explicitly");
    }
    if (!in.message_deduplication_id.empty() && !IsValidIdToken(in.message_deduplication_id)) {
      return InvalidParameter("Invalid parameter: MessageDeduplicationId");
    }
  } else if (!in.message_deduplication_id.empty()) {
    return InvalidParameter(
        "Invalid parameter: MessageDeduplicationId Reason: The request includes "
        "MessageDeduplicationId parameter that is not valid for this topic type");
  }
  if (!in.message_group_id.empty() && !IsValidIdToken(in.message_group_id)) {
    return InvalidParameter("Invalid parameter: MessageGroupId");
  }
  auto message = std::make_shared<PublishedMessage>();
  if (in.message_structure == "json") {
    WHARF_ASSIGN_OR_RETURN(StructuredTexts texts, ParseMessageStructure(in.message));
    // JSON escapes ("\u0001") decode to characters the message may not hold.
    if (!base_internal::IsXmlText(texts.sqs) || !base_internal::IsXmlText(texts.lambda)) {
      return InvalidMessageCharacters();
    }
    message->sqs_text = std::move(texts.sqs);
    message->lambda_text = std::move(texts.lambda);
  } else if (!in.message_structure.empty()) {
    return InvalidParameter("Invalid parameter: MessageStructure");
  } else {
    message->sqs_text = in.message;
    message->lambda_text = in.message;
  }
  message->message_id = base_internal::NewUuid();
  message->timestamp = options_.clock->Now();
  message->has_subject = in.subject.has_value();
  if (message->has_subject) message->subject = *in.subject;
  message->message = in.message;
  message->attributes = in.message_attributes;
  message->message_group_id = in.message_group_id;
  if (topic.fifo) {
    // Content-based: SHA-256 of the published message text (spec/sns.md §4.3).
    message->deduplication_id = in.message_deduplication_id.empty()
                                    ? base_internal::Sha256Hex(in.message)
                                    : in.message_deduplication_id;
  }
  return message;
}

absl::StatusOr<sns::PublishResult> SnsService::Publish(const sns::PublishRequest& request) {
  if (!request.phone_number.empty()) {
    return InvalidParameter(
        "Invalid parameter: PhoneNumber Reason: SMS delivery is not supported in process");
  }
  if (!request.topic_arn.empty() && !request.target_arn.empty()) {
    return InvalidParameter(
        "Invalid parameter: TopicArn or TargetArn Reason: Only one of TopicArn or TargetArn "
        "may be specified");
  }
  const std::string& topic_arn = request.topic_arn.empty() ? request.target_arn : request.topic_arn;
  if (topic_arn.empty()) {
    return InvalidParameter(
        "Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter");
  }
  WHARF_RETURN_IF_ERROR(
      CheckTopicArn(request.topic_arn.empty() ? "TargetArn" : "TopicArn", topic_arn));
  WHARF_ASSIGN_OR_RETURN(TopicSettings topic, registry_->GetTopicSettings(topic_arn));
  WHARF_ASSIGN_OR_RETURN(
      auto message,
      MakeMessage(topic, {request.message, request.subject, request.message_structure,
                          request.message_attributes, request.message_deduplication_id,
                          request.message_group_id}));
  WHARF_ASSIGN_OR_RETURN(topic_internal::PublishOutcome outcome,
                         registry_->Publish(topic_arn, std::move(message)));
  return sns::PublishResult{.message_id = std::move(outcome.message_id),
                            .sequence_number = std::move(outcome.sequence_number)};
}

absl::StatusOr<sns::PublishBatchResult> SnsService::PublishBatch(
    const sns::PublishBatchRequest& request) {
  const auto& entries = request.publish_batch_request_entries;
  if (entries.empty()) {
    return MakeError(ErrorCode::kSnsEmptyBatchRequest,
                     "The batch request doesn't contain any entries.");
  }
  if (entries.size() > kMaxBatchEntries) {
    return MakeError(ErrorCode::kSnsTooManyEntriesInBatchRequest,
                     "The batch request contains more entries than permissible.");
  }
  absl::flat_hash_set<std::string> ids;
  size_t total = 0;
  for (const auto& entry : entries) {
    if (!ids.insert(entry.id).second) {
      return MakeError(ErrorCode::kSnsBatchEntryIdsNotDistinct,
                       "Two or more batch entries in the request have the same Id.");
    }
    WHARF_RETURN_IF_ERROR(CheckBatchEntryId(entry.id));
    total += MessageBytes(entry.message, entry.message_attributes);
  }
  if (total > kMaxMessageBytes) {
    return MakeError(ErrorCode::kSnsBatchRequestTooLong,
                     "The length of all the messages put together is more than the limit.");
  }
  WHARF_RETURN_IF_ERROR(CheckTopicArn("TopicArn", request.topic_arn));
  WHARF_ASSIGN_OR_RETURN(TopicSettings topic, registry_->GetTopicSettings(request.topic_arn));
  if (topic.fifo) {
    // A FIFO entry without a group or deduplication id fails the whole
    // request (spec/sns.md §3.3).
    for (const auto& entry : entries) {
      if (entry.message_group_id.empty()) {
        return InvalidParameter(
            "Invalid parameter: The MessageGroupId parameter is required for FIFO topics");
      }
      if (entry.message_deduplication_id.empty() && !topic.content_based_deduplication) {
        return InvalidParameter(
            "Invalid parameter: The topic should either have ContentBasedDeduplication enabled "
            "or MessageDeduplicationId provided explicitly");
      }
    }
  }
  sns::PublishBatchResult result;
  for (const auto& entry : entries) {
    absl::StatusOr<std::shared_ptr<const PublishedMessage>> message = MakeMessage(
        topic, {entry.message, entry.subject, entry.message_structure, entry.message_attributes,
                entry.message_deduplication_id, entry.message_group_id});
    absl::StatusOr<topic_internal::PublishOutcome> outcome =
        message.ok() ? registry_->Publish(request.topic_arn, *std::move(message))
                     : absl::StatusOr<topic_internal::PublishOutcome>(message.status());
    if (outcome.ok()) {
      result.successful.push_back({.id = entry.id,
                                   .message_id = std::move(outcome->message_id),
                                   .sequence_number = std::move(outcome->sequence_number)});
      continue;
    }
    std::optional<ErrorCode> code = GetErrorCode(outcome.status());
    ErrorCode c = code.value_or(ErrorCode::kSnsInternalError);
    result.failed.push_back({.id = entry.id,
                             .code = c,
                             .message = std::string(outcome.status().message()),
                             .sender_fault = GetErrorInfo(c).fault == Fault::kSender});
  }
  return result;
}

// ---- Tags -------------------------------------------------------------------

absl::Status SnsService::TagResource(const sns::TagResourceRequest& request) {
  WHARF_RETURN_IF_ERROR(CheckTopicArn("ResourceArn", request.resource_arn));
  WHARF_RETURN_IF_ERROR(ValidateTags(request.tags));
  return registry_->TagTopic(request.resource_arn, request.tags);
}

absl::Status SnsService::UntagResource(const sns::UntagResourceRequest& request) {
  WHARF_RETURN_IF_ERROR(CheckTopicArn("ResourceArn", request.resource_arn));
  return registry_->UntagTopic(request.resource_arn, request.tag_keys);
}

absl::StatusOr<sns::ListTagsForResourceResult> SnsService::ListTagsForResource(
    const sns::ListTagsForResourceRequest& request) {
  WHARF_RETURN_IF_ERROR(CheckTopicArn("ResourceArn", request.resource_arn));
  WHARF_ASSIGN_OR_RETURN(std::vector<sns::Tag> tags,
                         registry_->ListTopicTags(request.resource_arn));
  return sns::ListTagsForResourceResult{.tags = std::move(tags)};
}

// ---- Functions --------------------------------------------------------------

absl::StatusOr<sns::RegisterFunctionResult> SnsService::RegisterFunction(
    sns::RegisterFunctionRequest request) {
  if (!IsValidName(request.function_name, 64)) {
    return InvalidParameter("Invalid parameter: FunctionName");
  }
  if (!request.handler) return InvalidParameter("Invalid parameter: Handler");
  return sns::RegisterFunctionResult{.function_arn = registry_->RegisterFunction(
                                         request.function_name, std::move(request.handler))};
}

absl::Status SnsService::UnregisterFunction(const std::string& function_arn) {
  if (!registry_->UnregisterFunction(function_arn)) {
    return MakeError(ErrorCode::kSnsNotFound, "Function does not exist");
  }
  return absl::OkStatus();
}

}  // namespace wharf::service_internal
