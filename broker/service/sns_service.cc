#include "broker/service/sns_service.h"

#include <algorithm>
#include <optional>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "broker/base/arn.h"
#include "broker/base/digests.h"
#include "broker/base/ids.h"
#include "broker/base/status_macros.h"
#include "broker/base/text.h"
#include "broker/service/message_validation.h"
#include "broker/service/pagination.h"
#include "broker/service/permission_policy.h"
#include "broker/service/sns_checks.h"
#include "wharf/errors.h"
#include "wharf/pattern.h"

namespace wharf::service_internal {
namespace {

using topic_internal::FilterScope;
using topic_internal::Protocol;
using topic_internal::PublishedMessage;
using topic_internal::SubscriptionSettings;
using topic_internal::TopicSettings;

using sns_checks::ApplyTopicAttribute;
using sns_checks::CheckBatchEntryId;
using sns_checks::CheckDataProtectionPolicy;
using sns_checks::CheckEndpoint;
using sns_checks::CheckSubscriptionRole;
using sns_checks::DecodeNextToken;
using sns_checks::EncodeNextToken;
using sns_checks::EndsWithFifo;
using sns_checks::InvalidMessageCharacters;
using sns_checks::InvalidParameter;
using sns_checks::IsPhoneNumber;
using sns_checks::IsSettableSubscriptionAttribute;
using sns_checks::IsSubscriptionArn;
using sns_checks::IsTopicAction;
using sns_checks::IsValidName;
using sns_checks::IsValidSubject;
using sns_checks::NeedsConfirmation;
using sns_checks::ParseBool;
using sns_checks::ParseMessageStructure;
using sns_checks::ParseSubscriptionSettings;
using sns_checks::RenderRetryPolicy;
using sns_checks::SplitArn;
using sns_checks::StructuredTexts;
using sns_checks::ToTagList;
using sns_checks::ValidateTags;

constexpr size_t kMaxMessageBytes = 262144;
constexpr size_t kPageSize = 100;
constexpr size_t kMaxBatchEntries = 10;

absl::string_view AbslView(std::string_view s) { return absl::string_view(s.data(), s.size()); }

}  // namespace

struct SnsService::PublishInput {
  const std::string& message;
  const std::optional<std::string>& subject;
  const std::string& message_structure;
  const sns::MessageAttributeMap& message_attributes;
  const std::string& message_deduplication_id;
  const std::string& message_group_id;
  const std::string& aws_trace_header;
};

SnsService::SnsService(const Options& options)
    : options_(options),
      fifo_journal_(MakeFifoJournal(options.store)),
      registry_(topic_internal::TopicRegistry::Create({.region = options.region,
                                                       .account_id = options.account_id,
                                                       .clock = options.clock,
                                                       .scheduler = options.scheduler,
                                                       .queues = options.queues,
                                                       .functions = options.functions,
                                                       .metrics = options.metrics,
                                                       .fifo_journal = fifo_journal_.get()})) {}

SnsService::~SnsService() = default;

absl::Status SnsService::CheckTopicArn(std::string_view param, std::string_view arn) const {
  WHARF_ASSIGN_OR_RETURN(std::vector<std::string_view> parts, SplitArn(param, arn, "sns"));
  if (parts[3] != options_.region) {
    return InvalidParameter(absl::StrCat("Invalid parameter: ", AbslView(param)));
  }
  return absl::OkStatus();
}

// ---- Topics -----------------------------------------------------------------

absl::StatusOr<sns::CreateTopicResult> SnsService::CreateTopic(
    const sns::CreateTopicRequest& request) {
  WHARF_ASSIGN_OR_RETURN(std::string arn, CreateTopicInMemory(request));
  WHARF_RETURN_IF_ERROR(PersistTopic(arn));
  return sns::CreateTopicResult{.topic_arn = std::move(arn)};
}

absl::StatusOr<std::string> SnsService::CreateTopicInMemory(
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
  // FIFO or not, one text (LocalStack test_create_topic_name_constraints,
  // AWS-recorded 2026).
  if (!name_ok) return InvalidParameter("Invalid parameter: Topic Name");
  for (const auto& [name, value] : attributes) {
    if (name == "FifoTopic") continue;
    absl::Status s = ApplyTopicAttribute(name, value, &settings);
    if (!s.ok()) {
      return InvalidParameter(absl::StrCat("Invalid parameter: Attributes Reason: ", s.message()));
    }
  }
  WHARF_RETURN_IF_ERROR(ValidateTags(request.tags));
  WHARF_RETURN_IF_ERROR(CheckDataProtectionPolicy(request.data_protection_policy));
  return registry_->CreateTopic(request.name, settings, std::move(attributes),
                                ToTagList(request.tags), request.data_protection_policy);
}

absl::Status SnsService::DeleteTopic(const sns::DeleteTopicRequest& request) {
  WHARF_RETURN_IF_ERROR(CheckTopicArn("TopicArn", request.topic_arn));
  std::vector<std::string> subscriptions;
  if (options_.store != nullptr) {
    if (auto subs = registry_->ListSubscriptions(request.topic_arn); subs.ok()) {
      for (const auto& sub : *subs) subscriptions.push_back(sub->arn);
    }
  }
  std::vector<std::string> dedup_keys;
  if (options_.store != nullptr) dedup_keys = registry_->DeduplicationKeys(request.topic_arn);
  registry_->DeleteTopic(request.topic_arn);
  return EraseTopic(request.topic_arn, subscriptions, dedup_keys);
}

absl::StatusOr<sns::ListTopicsResult> SnsService::ListTopics(
    const sns::ListTopicsRequest& request) {
  WHARF_ASSIGN_OR_RETURN(std::string start, DecodeNextToken(request.next_token));
  Page<std::string> page = TakePage(
      registry_->ListTopics(), [](const std::string& arn) -> const std::string& { return arn; },
      start, PageStart::kAtKey, kPageSize);
  sns::ListTopicsResult result;
  for (auto& arn : page.items) result.topics.push_back({.topic_arn = std::move(arn)});
  result.next_token = EncodeNextToken(page.next_key);
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
  WHARF_RETURN_IF_ERROR(registry_->SetTopicAttribute(request.topic_arn, request.attribute_name,
                                                     request.attribute_value, settings));
  return PersistTopic(request.topic_arn);
}

absl::Status SnsService::AddPermission(const sns::AddPermissionRequest& request) {
  WHARF_RETURN_IF_ERROR(CheckTopicArn("TopicArn", request.topic_arn));
  if (request.label.empty()) return InvalidParameter("Invalid parameter: Label");
  if (request.aws_account_ids.empty() ||
      !std::all_of(request.aws_account_ids.begin(), request.aws_account_ids.end(),
                   base_internal::IsAwsAccountId)) {
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
  WHARF_RETURN_IF_ERROR(registry_->UpdateTopicAttribute(
      request.topic_arn, "Policy", [&](const std::string& current) -> absl::StatusOr<std::string> {
        std::optional<std::string> updated = AddPolicyStatement(
            current, absl::StrCat(request.topic_arn, "/SNSDefaultPolicy"), statement);
        if (!updated) return InvalidParameter("Invalid parameter: Statement already exists");
        return *std::move(updated);
      }));
  return PersistTopic(request.topic_arn);
}

absl::Status SnsService::RemovePermission(const sns::RemovePermissionRequest& request) {
  WHARF_RETURN_IF_ERROR(CheckTopicArn("TopicArn", request.topic_arn));
  if (request.label.empty()) return InvalidParameter("Invalid parameter: Label");
  WHARF_RETURN_IF_ERROR(registry_->UpdateTopicAttribute(
      request.topic_arn, "Policy", [&](const std::string& current) -> absl::StatusOr<std::string> {
        // An unknown label changes nothing and is not an error.
        std::optional<RemovedStatement> removed = RemovePolicyStatement(current, request.label);
        return removed ? std::move(removed->document) : current;
      }));
  return PersistTopic(request.topic_arn);
}

// Stored and returned as given (LocalStack test_data_protection_policy_crud,
// AWS-validated: an empty PutDataProtectionPolicy result, the document back
// from GetDataProtectionPolicy, GetTopicAttributes unchanged). An empty
// policy removes it, as Terraform's aws_sns_topic_data_protection_policy
// deletes one.
absl::Status SnsService::PutDataProtectionPolicy(
    const sns::PutDataProtectionPolicyRequest& request) {
  WHARF_RETURN_IF_ERROR(CheckTopicArn("ResourceArn", request.resource_arn));
  WHARF_RETURN_IF_ERROR(CheckDataProtectionPolicy(request.data_protection_policy));
  WHARF_RETURN_IF_ERROR(
      registry_->SetDataProtectionPolicy(request.resource_arn, request.data_protection_policy));
  return PersistTopic(request.resource_arn);
}

absl::StatusOr<sns::GetDataProtectionPolicyResult> SnsService::GetDataProtectionPolicy(
    const sns::GetDataProtectionPolicyRequest& request) {
  WHARF_RETURN_IF_ERROR(CheckTopicArn("ResourceArn", request.resource_arn));
  WHARF_ASSIGN_OR_RETURN(std::string policy,
                         registry_->GetDataProtectionPolicy(request.resource_arn));
  return sns::GetDataProtectionPolicyResult{.data_protection_policy = std::move(policy)};
}

// ---- Subscriptions ----------------------------------------------------------

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
  WHARF_RETURN_IF_ERROR(PersistSubscription(arn));
  // A subscription waiting for confirmation (a new one, or the same one
  // subscribed again) is reported as AWS does unless the caller asked for
  // the ARN.
  if (pending && !request.return_subscription_arn) {
    return sns::SubscribeResult{.subscription_arn = "pending confirmation"};
  }
  return sns::SubscribeResult{.subscription_arn = std::move(arn)};
}

absl::Status SnsService::Unsubscribe(const sns::UnsubscribeRequest& request) {
  // LocalStack test_unsubscribe_wrong_arn_format (AWS-validated).
  if (request.subscription_arn.empty()) {
    return InvalidParameter(
        "Invalid parameter: SubscriptionArn Reason: no value for required parameter");
  }
  const size_t fields = base_internal::ArnFields(request.subscription_arn).size();
  if (fields < 6) {
    return InvalidParameter(absl::StrCat(
        "Invalid parameter: SubscriptionArn Reason: An ARN must have at least 6 elements, not ",
        fields));
  }
  if (!IsSubscriptionArn(request.subscription_arn)) {
    return InvalidParameter("Invalid parameter: SubscriptionId");
  }
  registry_->Unsubscribe(request.subscription_arn);
  return PersistSubscription(request.subscription_arn);
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

sns::ListSubscriptionsResult SnsService::SubscriptionPage(
    std::vector<std::shared_ptr<const topic_internal::SubscriptionInfo>> subscriptions,
    const std::string& start) const {
  auto page = TakePage(
      std::move(subscriptions),
      [](const std::shared_ptr<const topic_internal::SubscriptionInfo>& sub) -> const std::string& {
        return sub->arn;
      },
      start, PageStart::kAtKey, kPageSize);
  sns::ListSubscriptionsResult result;
  for (const auto& sub : page.items) {
    result.subscriptions.push_back(ToSubscription(*sub, options_.account_id));
  }
  result.next_token = EncodeNextToken(page.next_key);
  return result;
}

namespace {}  // namespace

absl::StatusOr<sns::ListSubscriptionsResult> SnsService::ListSubscriptions(
    const sns::ListSubscriptionsRequest& request) {
  WHARF_ASSIGN_OR_RETURN(std::string start, DecodeNextToken(request.next_token));
  WHARF_ASSIGN_OR_RETURN(auto subs, registry_->ListSubscriptions(""));
  return SubscriptionPage(std::move(subs), start);
}

absl::StatusOr<sns::ListSubscriptionsByTopicResult> SnsService::ListSubscriptionsByTopic(
    const sns::ListSubscriptionsByTopicRequest& request) {
  WHARF_RETURN_IF_ERROR(CheckTopicArn("TopicArn", request.topic_arn));
  WHARF_ASSIGN_OR_RETURN(std::string start, DecodeNextToken(request.next_token));
  WHARF_ASSIGN_OR_RETURN(auto subs, registry_->ListSubscriptions(request.topic_arn));
  return SubscriptionPage(std::move(subs), start);
}

absl::StatusOr<sns::GetSubscriptionAttributesResult> SnsService::GetSubscriptionAttributes(
    const sns::GetSubscriptionAttributesRequest& request) {
  if (!IsSubscriptionArn(request.subscription_arn)) {
    return InvalidParameter("Invalid parameter: SubscriptionId");
  }
  WHARF_ASSIGN_OR_RETURN(auto sub, registry_->GetSubscription(request.subscription_arn));
  sns::AttributeMap out = sub->settings.attributes;
  out["SubscriptionArn"] = sub->arn;
  out["TopicArn"] = sub->topic_arn;
  out["Owner"] = options_.account_id;
  // The principal that subscribed: on AWS the caller's IAM identity
  // (arn:aws:iam::<account>:user/<name> in LocalStack's AWS-validated
  // test_create_subscriptions_with_attributes and every other
  // GetSubscriptionAttributes recording). wharf knows no IAM users; every
  // caller acts as the account, whose principal is its root.
  out["SubscriptionPrincipal"] = absl::StrCat("arn:aws:iam::", options_.account_id, ":root");
  out["Protocol"] = sub->protocol_name;
  out["Endpoint"] = sub->endpoint;
  out["PendingConfirmation"] = sub->pending_confirmation ? "true" : "false";
  out["ConfirmationWasAuthenticated"] = sub->pending_confirmation ? "false" : "true";
  out["RawMessageDelivery"] = sub->settings.raw_message_delivery ? "true" : "false";
  // The scope, even one set explicitly, shows only with a filter policy
  // (LocalStack test_set_subscription_filter_policy_scope, AWS-validated).
  out.erase("FilterPolicyScope");
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
  if (!IsSubscriptionArn(request.subscription_arn)) {
    return InvalidParameter("Invalid parameter: SubscriptionId");
  }
  if (!IsSettableSubscriptionAttribute(request.attribute_name)) {
    return InvalidParameter("Invalid parameter: AttributeName");
  }
  WHARF_ASSIGN_OR_RETURN(auto sub, registry_->GetSubscription(request.subscription_arn));
  WHARF_ASSIGN_OR_RETURN(TopicSettings topic, registry_->GetTopicSettings(sub->topic_arn));
  SubscriptionSettings settings = sub->settings;
  // An empty value removes the attribute, but RawMessageDelivery takes only
  // true or false (LocalStack test_validate_set_sub_attributes, AWS-recorded).
  if (request.attribute_value.empty() && request.attribute_name != "RawMessageDelivery") {
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
  WHARF_RETURN_IF_ERROR(
      registry_->UpdateSubscription(request.subscription_arn, std::move(settings)));
  return PersistSubscription(request.subscription_arn);
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
  WHARF_RETURN_IF_ERROR(ValidateSnsMessageAttributes(in.message_attributes));
  if (SnsMessageSize(in.message, in.message_attributes) > kMaxMessageBytes) {
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
  // It becomes an SQS system attribute, whose text is XML's too.
  if (!base_internal::IsXmlText(in.aws_trace_header)) {
    return InvalidParameter("Invalid parameter: AWSTraceHeader");
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
  message->size = SnsMessageSize(in.message, in.message_attributes);
  message->message_group_id = in.message_group_id;
  message->signature_version_2 = topic.signature_version_2;
  message->aws_trace_header = in.aws_trace_header;
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
    // AWS's text for a malformed number (LocalStack
    // test_publish_wrong_phone_format, AWS-recorded); a well-formed one is
    // refused with ours, since wharf sends no SMS.
    if (!IsPhoneNumber(request.phone_number)) {
      return InvalidParameter(absl::StrCat("Invalid parameter: PhoneNumber Reason: ",
                                           request.phone_number, " is not valid to publish to"));
    }
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
  // A TargetArn may name a platform endpoint; wharf has none (LocalStack
  // test_publish_non_existent_target, AWS-recorded).
  if (!request.target_arn.empty()) {
    WHARF_ASSIGN_OR_RETURN(std::vector<std::string_view> parts,
                           SplitArn("TargetArn", topic_arn, "sns"));
    if (parts[5].starts_with("endpoint/")) {
      return InvalidParameter(
          "Invalid parameter: TargetArn Reason: No endpoint found for the target arn specified");
    }
  }
  WHARF_ASSIGN_OR_RETURN(TopicSettings topic, registry_->GetTopicSettings(topic_arn));
  WHARF_ASSIGN_OR_RETURN(
      auto message,
      MakeMessage(topic, {request.message, request.subject, request.message_structure,
                          request.message_attributes, request.message_deduplication_id,
                          request.message_group_id, request.aws_trace_header}));
  const uint64_t since = Mark();
  WHARF_ASSIGN_OR_RETURN(topic_internal::PublishOutcome outcome,
                         registry_->Publish(topic_arn, std::move(message)));
  // Durable mode: what the fan-out placed in durable queues is committed.
  WHARF_RETURN_IF_ERROR(Commit(since));
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
    total += SnsMessageSize(entry.message, entry.message_attributes);
  }
  if (total > kMaxMessageBytes) {
    return MakeError(ErrorCode::kSnsBatchRequestTooLong,
                     "The length of all the messages put together is more than the limit.");
  }
  WHARF_RETURN_IF_ERROR(CheckTopicArn("TopicArn", request.topic_arn));
  WHARF_ASSIGN_OR_RETURN(TopicSettings topic, registry_->GetTopicSettings(request.topic_arn));
  // The request's, so it fails the request rather than each entry.
  if (!base_internal::IsXmlText(request.aws_trace_header)) {
    return InvalidParameter("Invalid parameter: AWSTraceHeader");
  }
  // A bad message attribute or message structure in any entry fails the
  // whole request as Publish would, before the FIFO checks (LocalStack
  // test_empty_or_wrong_message_attributes, test_publish_batch_exceptions,
  // AWS-validated).
  for (size_t i = 0; i < entries.size(); ++i) {
    const auto& entry = entries[i];
    WHARF_RETURN_IF_ERROR(ValidateSnsMessageAttributes(
        entry.message_attributes,
        absl::StrCat("publishBatchRequestEntries.", i + 1, ".member.messageAttributes")));
    if (entry.message_structure == "json") {
      WHARF_RETURN_IF_ERROR(ParseMessageStructure(entry.message).status());
    }
  }
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
  const uint64_t since = Mark();
  for (const auto& entry : entries) {
    absl::StatusOr<std::shared_ptr<const PublishedMessage>> message = MakeMessage(
        topic, {entry.message, entry.subject, entry.message_structure, entry.message_attributes,
                entry.message_deduplication_id, entry.message_group_id, request.aws_trace_header});
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
  // Durable mode: one commit for the whole batch; if it fails, no entry is
  // acknowledged.
  if (!result.successful.empty()) WHARF_RETURN_IF_ERROR(Commit(since));
  return result;
}

// ---- Tags -------------------------------------------------------------------

absl::Status SnsService::TagResource(const sns::TagResourceRequest& request) {
  WHARF_RETURN_IF_ERROR(CheckTopicArn("ResourceArn", request.resource_arn));
  WHARF_RETURN_IF_ERROR(ValidateTags(request.tags));
  WHARF_RETURN_IF_ERROR(registry_->TagTopic(request.resource_arn, ToTagList(request.tags)));
  return PersistTopic(request.resource_arn);
}

absl::Status SnsService::UntagResource(const sns::UntagResourceRequest& request) {
  WHARF_RETURN_IF_ERROR(CheckTopicArn("ResourceArn", request.resource_arn));
  WHARF_RETURN_IF_ERROR(registry_->UntagTopic(request.resource_arn, request.tag_keys));
  return PersistTopic(request.resource_arn);
}

absl::StatusOr<sns::ListTagsForResourceResult> SnsService::ListTagsForResource(
    const sns::ListTagsForResourceRequest& request) {
  WHARF_RETURN_IF_ERROR(CheckTopicArn("ResourceArn", request.resource_arn));
  WHARF_ASSIGN_OR_RETURN(topic_internal::TagList tags,
                         registry_->ListTopicTags(request.resource_arn));
  sns::ListTagsForResourceResult result;
  for (auto& [key, value] : tags) result.tags.push_back({std::move(key), std::move(value)});
  return result;
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
