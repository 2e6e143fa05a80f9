// Parameter checks of the SNS service, with AWS's error texts (spec/sns.md
// §2, §3, §8): names and ARNs, topic and subscription attributes, endpoints
// per protocol, tags, MessageStructure, batch ids and paging tokens. The
// message attribute rules SNS shares with SQS are in message_validation.h.
//
// Thread safety: pure functions.

#ifndef WHARF_BROKER_SERVICE_SNS_CHECKS_H_
#define WHARF_BROKER_SERVICE_SNS_CHECKS_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "broker/topic/delivery_policy.h"
#include "broker/topic/topic_registry.h"
#include "wharf/sns.h"

namespace wharf::service_internal::sns_checks {

// InvalidParameter with `message`.
absl::Status InvalidParameter(std::string_view message);
// InvalidParameter for a message holding characters SQS cannot carry.
absl::Status InvalidMessageCharacters();

bool EndsWithFifo(std::string_view name);
// 1..max_length of [A-Za-z0-9_-].
bool IsValidName(std::string_view name, size_t max_length);

// `arn:aws:<service>:<region>:<account>:<resource...>`: its ':'-separated
// fields. Errors as AWS words them for a malformed ARN in parameter `param`.
absl::StatusOr<std::vector<std::string_view>> SplitArn(std::string_view param, std::string_view arn,
                                                       std::string_view service);
// arn:<partition>:sqs:<region>:<account>:<name>.
bool IsSqsQueueArn(std::string_view arn);
// arn:<partition>:sns:<region>:<account>:<topic>:<id>.
bool IsSubscriptionArn(std::string_view arn);

// "true"/"false", any case.
std::optional<bool> ParseBool(std::string_view value);
// Subject: 1-99 printable ASCII characters, no line breaks.
bool IsValidSubject(std::string_view subject);

// Checks one settable topic attribute and applies it to `settings`. Returns
// the reason (without the operation's prefix) on error.
absl::Status ApplyTopicAttribute(const std::string& name, const std::string& value,
                                 topic_internal::TopicSettings* settings);
// A data protection policy (CreateTopic, PutDataProtectionPolicy): empty, or
// a JSON object of at most 30,720 characters (API reference). AWS also
// checks its statements, with messages no recording shows; wharf does not.
// Errors: InvalidParameter "Invalid parameter: DataProtectionPolicy" (wharf's
// wording).
absl::Status CheckDataProtectionPolicy(std::string_view policy);
// The topic actions AddPermission can share (its ActionName values).
bool IsTopicAction(std::string_view action);
// Keys 1-128 characters and distinct, values at most 256, at most 50 tags.
absl::Status ValidateTags(const std::vector<sns::Tag>& tags);
topic_internal::TagList ToTagList(const std::vector<sns::Tag>& tags);

bool IsSettableSubscriptionAttribute(std::string_view name);
struct SubscriptionContext {
  topic_internal::Protocol protocol;
  std::string_view protocol_name;
  bool fifo_topic;
  bool fifo_endpoint;
};
// Recomputes the typed settings from settings->attributes. Errors carry the
// reason only ("FilterPolicy: ..."); callers add their prefix.
absl::Status ParseSubscriptionSettings(const SubscriptionContext& ctx,
                                       topic_internal::SubscriptionSettings* settings);
// The EffectiveDeliveryPolicy JSON of a retry policy.
std::string RenderRetryPolicy(const topic_internal::RetryPolicy& p);
// http, https, email and email-json subscriptions await confirmation.
bool NeedsConfirmation(std::string_view protocol);
// E.164 with optional separators: an optional '+', then 2-15 digits not
// starting with 0, which single '-', '.' or '/' may separate.
bool IsPhoneNumber(std::string_view s);
// Firehose subscriptions need a valid SubscriptionRoleArn.
absl::Status CheckSubscriptionRole(std::string_view protocol, const sns::AttributeMap& attributes);
// Checks that `endpoint` has the form `protocol` takes and returns the
// protocol's delivery kind. Errors: InvalidParameter with AWS's message.
absl::StatusOr<topic_internal::Protocol> CheckEndpoint(const std::string& protocol,
                                                       const std::string& endpoint);

// Per-protocol texts of a MessageStructure=json message.
struct StructuredTexts {
  std::string sqs;
  std::string lambda;
};
absl::StatusOr<StructuredTexts> ParseMessageStructure(std::string_view message);

// A NextToken of ListTopics or ListSubscriptions*: the base64 of the ARN the
// page starts at (AWS's tokens are base64: LocalStack
// test_list_subscriptions_by_topic_pagination decodes one, AWS-validated).
std::string EncodeNextToken(std::string_view arn);
// The ARN `token` starts at ("" for none). Errors: InvalidParameter.
absl::StatusOr<std::string> DecodeNextToken(std::string_view token);
// PublishBatch entry ids. Errors: InvalidBatchEntryId.
absl::Status CheckBatchEntryId(const std::string& id);

}  // namespace wharf::service_internal::sns_checks

#endif  // WHARF_BROKER_SERVICE_SNS_CHECKS_H_
