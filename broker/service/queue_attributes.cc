#include "broker/service/queue_attributes.h"

#include <algorithm>
#include <cstdint>
#include <iterator>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "broker/base/json.h"
#include "broker/base/status_macros.h"
#include "rapidjson/document.h"
#include "rapidjson/stringbuffer.h"
#include "rapidjson/writer.h"
#include "wharf/errors.h"

namespace wharf::service_internal {
namespace {

using sqs::AttributeMap;

absl::string_view AbslView(std::string_view s) { return absl::string_view(s.data(), s.size()); }

absl::Status InvalidValue(std::string_view name) {
  return MakeError(ErrorCode::kInvalidAttributeValue,
                   absl::StrCat("Invalid value for the parameter ", AbslView(name), "."));
}

absl::Status InvalidValue(std::string_view name, std::string_view reason) {
  return MakeError(ErrorCode::kInvalidAttributeValue,
                   absl::StrCat("Invalid value for the parameter ", AbslView(name),
                                ". Reason: ", AbslView(reason)));
}

absl::Status UnknownAttribute(std::string_view name) {
  return MakeError(ErrorCode::kInvalidAttributeName,
                   absl::StrCat("Unknown Attribute ", AbslView(name), "."));
}

absl::Status IntAttribute(std::string_view name, std::string_view value, int min, int max,
                          int& out) {
  std::optional<int64_t> n = ParseInteger(value);
  if (!n || *n < min || *n > max) return InvalidValue(name);
  out = static_cast<int>(*n);
  return absl::OkStatus();
}

absl::Status BoolAttribute(std::string_view name, std::string_view value, bool& out) {
  std::string lower = absl::AsciiStrToLower(AbslView(value));
  if (lower == "true") {
    out = true;
  } else if (lower == "false") {
    out = false;
  } else {
    return InvalidValue(name);
  }
  return absl::OkStatus();
}

absl::Status RedriveError(std::string_view json, std::string_view reason) {
  return MakeError(
      ErrorCode::kInvalidParameterValue,
      absl::StrCat("Value ", AbslView(json),
                   " for parameter RedrivePolicy is invalid. Reason: ", AbslView(reason)));
}

absl::Status RedriveAllowError(std::string_view json, std::string_view reason) {
  return MakeError(
      ErrorCode::kInvalidParameterValue,
      absl::StrCat("Value ", AbslView(json),
                   " for parameter RedriveAllowPolicy is invalid. Reason: ", AbslView(reason)));
}

std::string JsonText(const rapidjson::Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

constexpr std::string_view kAllowAll = "allowAll";
constexpr std::string_view kDenyAll = "denyAll";
constexpr std::string_view kByQueue = "byQueue";

}  // namespace

std::optional<int64_t> ParseInteger(std::string_view text) {
  std::string_view digits = text;
  bool negative = false;
  if (!digits.empty() && digits.front() == '-') {
    negative = true;
    digits.remove_prefix(1);
  }
  if (digits.empty() || digits.size() > 18) return std::nullopt;
  int64_t value = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return negative ? -value : value;
}

absl::StatusOr<std::optional<RedrivePolicy>> ParseRedrivePolicy(std::string_view json) {
  if (json.empty()) return std::optional<RedrivePolicy>();
  rapidjson::Document doc;
  if (!base_internal::ParseJson(json, &doc) || !doc.IsObject()) {
    return RedriveError(json, "Redrive policy is not a valid JSON map.");
  }
  rapidjson::Value::ConstMemberIterator target = doc.FindMember("deadLetterTargetArn");
  if (target == doc.MemberEnd()) {
    return RedriveError(json,
                        "Redrive policy does not contain mandatory attribute: "
                        "deadLetterTargetArn.");
  }
  rapidjson::Value::ConstMemberIterator count = doc.FindMember("maxReceiveCount");
  if (count == doc.MemberEnd()) {
    return RedriveError(json,
                        "Redrive policy does not contain mandatory attribute: "
                        "maxReceiveCount.");
  }
  if (!target->value.IsString() || target->value.GetStringLength() == 0) {
    return RedriveError(json, "Invalid value for deadLetterTargetArn.");
  }
  RedrivePolicy policy;
  policy.dead_letter_target_arn.assign(target->value.GetString(), target->value.GetStringLength());
  std::optional<int64_t> n;
  std::string shown;
  if (count->value.IsString()) {
    shown.assign(count->value.GetString(), count->value.GetStringLength());
    n = ParseInteger(shown);
  } else {
    shown = JsonText(count->value);
    if (count->value.IsInt64()) n = count->value.GetInt64();
  }
  if (!n || *n < 1 || *n > 1000) {
    return RedriveError(json, absl::StrCat("Invalid value for maxReceiveCount: ", shown,
                                           ", valid values are from 1 to 1000 both inclusive."));
  }
  policy.max_receive_count = static_cast<int>(*n);
  return std::optional<RedrivePolicy>(std::move(policy));
}

std::string RenderRedrivePolicy(const RedrivePolicy& policy) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.StartObject();
  writer.Key("deadLetterTargetArn");
  writer.String(policy.dead_letter_target_arn.data(),
                static_cast<rapidjson::SizeType>(policy.dead_letter_target_arn.size()));
  writer.Key("maxReceiveCount");
  writer.Int(policy.max_receive_count);
  writer.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

absl::StatusOr<std::optional<RedriveAllowPolicy>> ParseRedriveAllowPolicy(std::string_view json) {
  if (json.empty()) return std::optional<RedriveAllowPolicy>();
  rapidjson::Document doc;
  if (!base_internal::ParseJson(json, &doc) || !doc.IsObject()) {
    return RedriveAllowError(json, "Redrive allow policy is not a valid JSON map.");
  }
  RedriveAllowPolicy policy;
  rapidjson::Value::ConstMemberIterator permission = doc.FindMember("redrivePermission");
  if (permission == doc.MemberEnd() || !permission->value.IsString()) {
    return RedriveAllowError(json, "Invalid value for redrivePermission.");
  }
  std::string_view p(permission->value.GetString(), permission->value.GetStringLength());
  if (p == kAllowAll) {
    policy.permission = RedriveAllowPolicy::Permission::kAllowAll;
  } else if (p == kDenyAll) {
    policy.permission = RedriveAllowPolicy::Permission::kDenyAll;
  } else if (p == kByQueue) {
    policy.permission = RedriveAllowPolicy::Permission::kByQueue;
  } else {
    return RedriveAllowError(json, "Invalid value for redrivePermission.");
  }
  rapidjson::Value::ConstMemberIterator arns = doc.FindMember("sourceQueueArns");
  if (policy.permission != RedriveAllowPolicy::Permission::kByQueue) {
    if (arns != doc.MemberEnd()) {
      return RedriveAllowError(
          json,
          "Amazon SQS can't create the redrive allow policy. To specify one or more source queue "
          "ARNs, you must set redrivePermission to byQueue.");
    }
    return std::optional<RedriveAllowPolicy>(std::move(policy));
  }
  if (arns == doc.MemberEnd() || !arns->value.IsArray() || arns->value.Empty()) {
    return RedriveAllowError(
        json,
        "Amazon SQS can't create the redrive allow policy. When you specify the byQueue permission "
        "type, you must also specify one or more sourceQueueArns values.");
  }
  if (arns->value.Size() > 10) {
    return RedriveAllowError(json,
                             "Amazon SQS can't create the redrive allow policy. The maximum number "
                             "of source queue ARNs you can specify is 10.");
  }
  for (const rapidjson::Value& arn : arns->value.GetArray()) {
    if (!arn.IsString()) return RedriveAllowError(json, "Invalid value for sourceQueueArns.");
    policy.source_queue_arns.emplace_back(arn.GetString(), arn.GetStringLength());
  }
  return std::optional<RedriveAllowPolicy>(std::move(policy));
}

std::string RenderRedriveAllowPolicy(const RedriveAllowPolicy& policy) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.StartObject();
  writer.Key("redrivePermission");
  switch (policy.permission) {
    case RedriveAllowPolicy::Permission::kAllowAll:
      writer.String(kAllowAll.data(), kAllowAll.size());
      break;
    case RedriveAllowPolicy::Permission::kDenyAll:
      writer.String(kDenyAll.data(), kDenyAll.size());
      break;
    case RedriveAllowPolicy::Permission::kByQueue:
      writer.String(kByQueue.data(), kByQueue.size());
      writer.Key("sourceQueueArns");
      writer.StartArray();
      for (const std::string& arn : policy.source_queue_arns) {
        writer.String(arn.data(), static_cast<rapidjson::SizeType>(arn.size()));
      }
      writer.EndArray();
      break;
  }
  writer.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

const std::vector<std::string_view>& SettableAttributeNames() {
  static const auto* const kNames = new std::vector<std::string_view>{
      "DelaySeconds",
      "MaximumMessageSize",
      "MessageRetentionPeriod",
      "ReceiveMessageWaitTimeSeconds",
      "VisibilityTimeout",
      "Policy",
      "RedrivePolicy",
      "RedriveAllowPolicy",
      "KmsMasterKeyId",
      "KmsDataKeyReusePeriodSeconds",
      "SqsManagedSseEnabled",
      "FifoQueue",
      "ContentBasedDeduplication",
      "DeduplicationScope",
      "FifoThroughputLimit",
  };
  return *kNames;
}

bool IsReadOnlyAttributeName(std::string_view name) {
  return name == "QueueArn" || name == "CreatedTimestamp" || name == "LastModifiedTimestamp" ||
         name == "ApproximateNumberOfMessages" || name == "ApproximateNumberOfMessagesNotVisible" ||
         name == "ApproximateNumberOfMessagesDelayed";
}

absl::Status ApplyAttributes(const AttributeMap& attributes, bool creating,
                             QueueSettings& settings) {
  bool kms_in_request = false;
  bool sse_in_request = false;
  for (const auto& [name, value] : attributes) {
    if (name == "DelaySeconds") {
      if (absl::Status s = IntAttribute(name, value, 0, 900, settings.delay_seconds); !s.ok()) {
        return s;
      }
    } else if (name == "MaximumMessageSize") {
      if (absl::Status s = IntAttribute(name, value, 1024, 1048576, settings.maximum_message_size);
          !s.ok()) {
        return s;
      }
    } else if (name == "MessageRetentionPeriod") {
      if (absl::Status s =
              IntAttribute(name, value, 60, 1209600, settings.message_retention_period);
          !s.ok()) {
        return s;
      }
    } else if (name == "ReceiveMessageWaitTimeSeconds") {
      if (absl::Status s =
              IntAttribute(name, value, 0, 20, settings.receive_message_wait_time_seconds);
          !s.ok()) {
        return s;
      }
    } else if (name == "VisibilityTimeout") {
      if (absl::Status s = IntAttribute(name, value, 0, 43200, settings.visibility_timeout);
          !s.ok()) {
        return s;
      }
    } else if (name == "Policy") {
      if (value.empty()) {
        settings.policy.reset();
        continue;
      }
      rapidjson::Document doc;
      if (!base_internal::ParseJson(value, &doc) || !doc.IsObject()) {
        return InvalidValue(name, "Policy must be a valid JSON document.");
      }
      settings.policy = value;
    } else if (name == "RedrivePolicy") {
      absl::StatusOr<std::optional<RedrivePolicy>> policy = ParseRedrivePolicy(value);
      if (!policy.ok()) return policy.status();
      settings.redrive_policy = std::move(*policy);
    } else if (name == "RedriveAllowPolicy") {
      absl::StatusOr<std::optional<RedriveAllowPolicy>> policy = ParseRedriveAllowPolicy(value);
      if (!policy.ok()) return policy.status();
      settings.redrive_allow_policy = std::move(*policy);
    } else if (name == "KmsMasterKeyId") {
      kms_in_request = !value.empty();
      if (value.empty()) {
        settings.kms_master_key_id.reset();
      } else {
        settings.kms_master_key_id = value;
        settings.sqs_managed_sse_enabled = false;
      }
    } else if (name == "KmsDataKeyReusePeriodSeconds") {
      if (absl::Status s =
              IntAttribute(name, value, 60, 86400, settings.kms_data_key_reuse_period_seconds);
          !s.ok()) {
        return s;
      }
    } else if (name == "SqsManagedSseEnabled") {
      if (absl::Status s = BoolAttribute(name, value, settings.sqs_managed_sse_enabled); !s.ok()) {
        return s;
      }
      sse_in_request = settings.sqs_managed_sse_enabled;
      if (settings.sqs_managed_sse_enabled) settings.kms_master_key_id.reset();
    } else if (name == "FifoQueue") {
      if (creating) continue;  // Consumed by CreateQueue, which decides the type.
      if (!settings.fifo) return UnknownAttribute(name);
      // Restating the type of a FIFO queue changes nothing and succeeds
      // (LocalStack test_set_unsupported_attribute_fifo, AWS-validated).
      if (absl::AsciiStrToLower(AbslView(value)) == "true") continue;
      return InvalidValue(name, "Modifying queue type is not supported.");
    } else if (name == "ContentBasedDeduplication") {
      if (!settings.fifo) return UnknownAttribute(name);
      if (absl::Status s = BoolAttribute(name, value, settings.content_based_deduplication);
          !s.ok()) {
        return s;
      }
    } else if (name == "DeduplicationScope") {
      if (!settings.fifo) {
        return MakeError(ErrorCode::kInvalidAttributeName,
                         "You can specify the DeduplicationScope only when FifoQueue is set to "
                         "true.");
      }
      if (value != "queue" && value != "messageGroup") return InvalidValue(name);
      settings.deduplication_scope = value;
    } else if (name == "FifoThroughputLimit") {
      if (!settings.fifo) {
        return MakeError(ErrorCode::kInvalidAttributeName,
                         "You can specify the FifoThroughputLimit only when FifoQueue is set to "
                         "true.");
      }
      if (value != "perQueue" && value != "perMessageGroupId") return InvalidValue(name);
      settings.fifo_throughput_limit = value;
    } else {
      return UnknownAttribute(name);
    }
  }
  if (kms_in_request && sse_in_request) {
    return MakeError(ErrorCode::kInvalidAttributeName,
                     "You can use one type of server-side encryption (SSE) at one time. You can "
                     "either enable KMS SSE or SQS SSE.");
  }
  if (settings.fifo && settings.fifo_throughput_limit == "perMessageGroupId" &&
      settings.deduplication_scope != "messageGroup") {
    return InvalidValue("FifoThroughputLimit",
                        "The perMessageGroupId value is allowed only when the value for "
                        "DeduplicationScope is messageGroup.");
  }
  return absl::OkStatus();
}

std::optional<std::string> RenderSetting(const QueueSettings& settings, std::string_view name) {
  auto boolean = [](bool b) { return std::string(b ? "true" : "false"); };
  if (name == "DelaySeconds") return absl::StrCat(settings.delay_seconds);
  if (name == "MaximumMessageSize") return absl::StrCat(settings.maximum_message_size);
  if (name == "MessageRetentionPeriod") return absl::StrCat(settings.message_retention_period);
  if (name == "ReceiveMessageWaitTimeSeconds") {
    return absl::StrCat(settings.receive_message_wait_time_seconds);
  }
  if (name == "VisibilityTimeout") return absl::StrCat(settings.visibility_timeout);
  if (name == "Policy") return settings.policy;
  if (name == "RedrivePolicy") {
    if (!settings.redrive_policy) return std::nullopt;
    return RenderRedrivePolicy(*settings.redrive_policy);
  }
  if (name == "RedriveAllowPolicy") {
    if (!settings.redrive_allow_policy) return std::nullopt;
    return RenderRedriveAllowPolicy(*settings.redrive_allow_policy);
  }
  if (name == "KmsMasterKeyId") return settings.kms_master_key_id;
  if (name == "KmsDataKeyReusePeriodSeconds") {
    if (!settings.kms_master_key_id) return std::nullopt;
    return absl::StrCat(settings.kms_data_key_reuse_period_seconds);
  }
  if (name == "SqsManagedSseEnabled") return boolean(settings.sqs_managed_sse_enabled);
  if (!settings.fifo) return std::nullopt;
  if (name == "FifoQueue") return boolean(true);
  if (name == "ContentBasedDeduplication") return boolean(settings.content_based_deduplication);
  if (name == "DeduplicationScope") return settings.deduplication_scope;
  if (name == "FifoThroughputLimit") return settings.fifo_throughput_limit;
  return std::nullopt;
}

queue_internal::QueueConfig ToQueueConfig(const QueueSettings& settings, int max_inflight) {
  queue_internal::QueueConfig config;
  config.visibility_timeout = absl::Seconds(settings.visibility_timeout);
  config.delay = absl::Seconds(settings.delay_seconds);
  config.retention = absl::Seconds(settings.message_retention_period);
  config.max_receive_count =
      settings.redrive_policy ? settings.redrive_policy->max_receive_count : 0;
  config.max_inflight = max_inflight;
  config.content_based_deduplication = settings.content_based_deduplication;
  config.deduplication_scope = settings.deduplication_scope == "messageGroup"
                                   ? queue_internal::QueueConfig::DeduplicationScope::kMessageGroup
                                   : queue_internal::QueueConfig::DeduplicationScope::kQueue;
  return config;
}

}  // namespace wharf::service_internal

namespace wharf {

// ---- sqs::QueueAttributes -----------------------------------------------------

namespace sqs {
namespace {

using service_internal::ParseInteger;

constexpr std::string_view kSeconds[] = {"DelaySeconds", "MessageRetentionPeriod",
                                         "ReceiveMessageWaitTimeSeconds", "VisibilityTimeout",
                                         "KmsDataKeyReusePeriodSeconds"};

absl::Status FormError(std::string_view name) {
  return MakeError(ErrorCode::kInvalidAttributeValue,
                   absl::StrCat("Invalid value for the parameter ",
                                absl::string_view(name.data(), name.size()), "."));
}

absl::StatusOr<int64_t> Integer(std::string_view name, const std::string& value) {
  std::optional<int64_t> n = ParseInteger(value);
  if (!n) return FormError(name);
  return *n;
}

absl::StatusOr<bool> Boolean(std::string_view name, const std::string& value) {
  std::string lower = absl::AsciiStrToLower(value);
  if (lower == "true") return true;
  if (lower == "false") return false;
  return FormError(name);
}

std::string Text(bool b) { return b ? "true" : "false"; }

}  // namespace

bool RedriveAllowPolicy::Allows(std::string_view source_arn) const {
  switch (permission) {
    case Permission::kAllowAll:
      return true;
    case Permission::kDenyAll:
      return false;
    case Permission::kByQueue:
      return std::find(source_queue_arns.begin(), source_queue_arns.end(), source_arn) !=
             source_queue_arns.end();
  }
  return false;
}

AttributeMap QueueAttributes::ToMap() const {
  AttributeMap out;
  auto seconds = [&](const char* name, const std::optional<absl::Duration>& d) {
    if (d) out[name] = absl::StrCat(absl::ToInt64Seconds(*d));
  };
  seconds("DelaySeconds", delay);
  if (maximum_message_size) out["MaximumMessageSize"] = absl::StrCat(*maximum_message_size);
  seconds("MessageRetentionPeriod", message_retention_period);
  seconds("ReceiveMessageWaitTimeSeconds", receive_message_wait_time);
  seconds("VisibilityTimeout", visibility_timeout);
  if (policy) out["Policy"] = *policy;
  if (redrive_policy) out["RedrivePolicy"] = service_internal::RenderRedrivePolicy(*redrive_policy);
  if (redrive_allow_policy) {
    out["RedriveAllowPolicy"] = service_internal::RenderRedriveAllowPolicy(*redrive_allow_policy);
  }
  if (kms_master_key_id) out["KmsMasterKeyId"] = *kms_master_key_id;
  seconds("KmsDataKeyReusePeriodSeconds", kms_data_key_reuse_period);
  if (sqs_managed_sse_enabled) out["SqsManagedSseEnabled"] = Text(*sqs_managed_sse_enabled);
  if (fifo_queue) out["FifoQueue"] = Text(*fifo_queue);
  if (content_based_deduplication) {
    out["ContentBasedDeduplication"] = Text(*content_based_deduplication);
  }
  if (deduplication_scope) {
    out["DeduplicationScope"] =
        *deduplication_scope == DeduplicationScope::kMessageGroup ? "messageGroup" : "queue";
  }
  if (fifo_throughput_limit) {
    out["FifoThroughputLimit"] = *fifo_throughput_limit == FifoThroughputLimit::kPerMessageGroupId
                                     ? "perMessageGroupId"
                                     : "perQueue";
  }
  return out;
}

absl::StatusOr<QueueAttributes> QueueAttributes::FromMap(const AttributeMap& attributes) {
  QueueAttributes out;
  for (const auto& [name, value] : attributes) {
    if (std::find(std::begin(kSeconds), std::end(kSeconds), name) != std::end(kSeconds)) {
      WHARF_ASSIGN_OR_RETURN(int64_t n, Integer(name, value));
      absl::Duration d = absl::Seconds(n);
      if (name == "DelaySeconds") out.delay = d;
      if (name == "MessageRetentionPeriod") out.message_retention_period = d;
      if (name == "ReceiveMessageWaitTimeSeconds") out.receive_message_wait_time = d;
      if (name == "VisibilityTimeout") out.visibility_timeout = d;
      if (name == "KmsDataKeyReusePeriodSeconds") out.kms_data_key_reuse_period = d;
    } else if (name == "MaximumMessageSize") {
      WHARF_ASSIGN_OR_RETURN(int64_t n, Integer(name, value));
      if (n < INT32_MIN || n > INT32_MAX) return FormError(name);
      out.maximum_message_size = static_cast<int>(n);
    } else if (name == "Policy") {
      out.policy = value;
    } else if (name == "RedrivePolicy") {
      WHARF_ASSIGN_OR_RETURN(out.redrive_policy, service_internal::ParseRedrivePolicy(value));
    } else if (name == "RedriveAllowPolicy") {
      WHARF_ASSIGN_OR_RETURN(out.redrive_allow_policy,
                             service_internal::ParseRedriveAllowPolicy(value));
    } else if (name == "KmsMasterKeyId") {
      out.kms_master_key_id = value;
    } else if (name == "SqsManagedSseEnabled") {
      WHARF_ASSIGN_OR_RETURN(out.sqs_managed_sse_enabled, Boolean(name, value));
    } else if (name == "FifoQueue") {
      WHARF_ASSIGN_OR_RETURN(out.fifo_queue, Boolean(name, value));
    } else if (name == "ContentBasedDeduplication") {
      WHARF_ASSIGN_OR_RETURN(out.content_based_deduplication, Boolean(name, value));
    } else if (name == "DeduplicationScope") {
      if (value == "queue") {
        out.deduplication_scope = DeduplicationScope::kQueue;
      } else if (value == "messageGroup") {
        out.deduplication_scope = DeduplicationScope::kMessageGroup;
      } else {
        return FormError(name);
      }
    } else if (name == "FifoThroughputLimit") {
      if (value == "perQueue") {
        out.fifo_throughput_limit = FifoThroughputLimit::kPerQueue;
      } else if (value == "perMessageGroupId") {
        out.fifo_throughput_limit = FifoThroughputLimit::kPerMessageGroupId;
      } else {
        return FormError(name);
      }
    } else if (name == "QueueArn") {
      out.queue_arn = value;
    } else if (name == "ApproximateNumberOfMessages") {
      WHARF_ASSIGN_OR_RETURN(out.approximate_number_of_messages, Integer(name, value));
    } else if (name == "ApproximateNumberOfMessagesNotVisible") {
      WHARF_ASSIGN_OR_RETURN(out.approximate_number_of_messages_not_visible, Integer(name, value));
    } else if (name == "ApproximateNumberOfMessagesDelayed") {
      WHARF_ASSIGN_OR_RETURN(out.approximate_number_of_messages_delayed, Integer(name, value));
    } else if (name == "CreatedTimestamp") {
      WHARF_ASSIGN_OR_RETURN(int64_t n, Integer(name, value));
      out.created_timestamp = absl::FromUnixSeconds(n);
    } else if (name == "LastModifiedTimestamp") {
      WHARF_ASSIGN_OR_RETURN(int64_t n, Integer(name, value));
      out.last_modified_timestamp = absl::FromUnixSeconds(n);
    }
  }
  return out;
}

}  // namespace sqs
}  // namespace wharf
