// The SNS operation table (API 2010-03-31), served over the query protocol:
// lists as "<Member>.member.N", maps as "<Member>.entry.N.key|value",
// answered in XML with <member> and <entry> elements.

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "broker/wire/apis.h"
#include "broker/wire/operation_table.h"

namespace wharf::wire {
namespace {

constexpr ServiceModel kSnsModel = {
    .signing_name = "sns",
    .xml_namespace = "http://sns.amazonaws.com/doc/2010-03-31/",
    .xml_error_detail = false,
    .missing = ErrorCode::kSnsValidation,
    .invalid_value = ErrorCode::kSnsParameterValueInvalid,
};

using S = sns::Service;

// Publish and PublishBatch take the X-Ray header of their HTTP request.
struct SnsTarget : ServiceTarget<S> {
  template <typename Request>
  void Complete(const Exchange& exchange, Request& request) const {
    if constexpr (requires { request.aws_trace_header; }) {
      request.aws_trace_header = std::string(XRayTraceHeader(exchange.request()));
    }
  }
};

bool MessageAttributes(Input& in, sns::MessageAttributeMap* out) {
  return DecodeMessageAttributes(in, "MessageAttributes", out,
                                 ErrorCode::kSnsParameterValueInvalid);
}

template <typename Result>
void EncodeAttributes(Output& out, const Result& r) {
  out.StrMap("Attributes", {}, r.attributes);
}

// Operations without output members that still answer with an empty result
// element (TagResource, UntagResource).
void EmptyResult(Output&) {}

// ---- Topics -----------------------------------------------------------------

bool DecodeCreateTopic(Input& in, sns::CreateTopicRequest& r) {
  return in.Str("Name", &r.name, kRequired) && in.StrMap("Attributes", {}, &r.attributes) &&
         DecodeTags(in, &r.tags) && in.Str("DataProtectionPolicy", &r.data_protection_policy);
}

void EncodeCreateTopic(Output& out, const sns::CreateTopicResult& r) {
  out.Str("TopicArn", r.topic_arn);
}

template <typename Request>
bool DecodeTopicArn(Input& in, Request& r) {
  return in.Str("TopicArn", &r.topic_arn, kRequired);
}

bool DecodeListTopics(Input& in, sns::ListTopicsRequest& r) {
  return in.Str("NextToken", &r.next_token);
}

void EncodeListTopics(Output& out, const sns::ListTopicsResult& r) {
  out.List("Topics", r.topics,
           [&](const sns::TopicSummary& topic) { out.Str("TopicArn", topic.topic_arn); });
  out.StrIfSet("NextToken", r.next_token);
}

bool DecodeSetTopicAttributes(Input& in, sns::SetTopicAttributesRequest& r) {
  return in.Str("TopicArn", &r.topic_arn, kRequired) &&
         in.Str("AttributeName", &r.attribute_name, kRequired) &&
         in.Str("AttributeValue", &r.attribute_value);
}

bool DecodeAddPermission(Input& in, sns::AddPermissionRequest& r) {
  return in.Str("TopicArn", &r.topic_arn, kRequired) && in.Str("Label", &r.label, kRequired) &&
         in.StrList("AWSAccountId", &r.aws_account_ids) && in.StrList("ActionName", &r.actions);
}

bool DecodeRemovePermission(Input& in, sns::RemovePermissionRequest& r) {
  return in.Str("TopicArn", &r.topic_arn, kRequired) && in.Str("Label", &r.label, kRequired);
}

bool DecodePutDataProtectionPolicy(Input& in, sns::PutDataProtectionPolicyRequest& r) {
  return in.Str("ResourceArn", &r.resource_arn, kRequired) &&
         in.Str("DataProtectionPolicy", &r.data_protection_policy, kRequired);
}

void EncodeGetDataProtectionPolicy(Output& out, const sns::GetDataProtectionPolicyResult& r) {
  out.StrIfSet("DataProtectionPolicy", r.data_protection_policy);
}

// ---- Subscriptions ----------------------------------------------------------

bool DecodeSubscribe(Input& in, sns::SubscribeRequest& r) {
  return in.Str("TopicArn", &r.topic_arn, kRequired) &&
         in.Str("Protocol", &r.protocol, kRequired) && in.Str("Endpoint", &r.endpoint) &&
         in.StrMap("Attributes", {}, &r.attributes) &&
         in.Bool("ReturnSubscriptionArn", &r.return_subscription_arn);
}

void EncodeSubscribe(Output& out, const sns::SubscribeResult& r) {
  out.Str("SubscriptionArn", r.subscription_arn);
}

// An AWS confirmation token: 288 lowercase hex digits.
bool IsTokenShaped(std::string_view token) {
  return token.size() == 288 && std::all_of(token.begin(), token.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

// No subscription ever gets a confirmation token: sqs, lambda, sms,
// application and firehose subscriptions are confirmed at once, and wharf
// sends no confirmation message to http, https and email endpoints (their
// subscriptions stay pending). So no token is valid. AWS answers a token of
// its shape that it does not know with "Invalid parameter: Token", whether
// the topic exists or not, and one of another shape with "Invalid token"
// (LocalStack test_sns_confirm_subscription_wrong_token, AWS-recorded 2025);
// an unknown topic with a token of another shape is NotFound (ours;
// unrecorded).
void ConfirmSubscription(const SnsTarget& target, ExchangePtr exchange) {
  sns::GetTopicAttributesRequest topic;
  std::string token;
  Input& in = exchange->input();
  if (!in.Str("TopicArn", &topic.topic_arn, kRequired) || !in.Str("Token", &token, kRequired)) {
    return exchange->ReplyDecodeError();
  }
  if (IsTokenShaped(token)) {
    return exchange->Reply(ErrorFor(ErrorCode::kSnsInvalidParameter, "Invalid parameter: Token"));
  }
  absl::StatusOr<sns::GetTopicAttributesResult> found = target.service.GetTopicAttributes(topic);
  if (!found.ok()) return exchange->Reply(found.status());
  exchange->Reply(ErrorFor(ErrorCode::kSnsInvalidParameter, "Invalid token"));
}

template <typename Request>
bool DecodeSubscriptionArn(Input& in, Request& r) {
  return in.Str("SubscriptionArn", &r.subscription_arn, kRequired);
}

// Unsubscribe without SubscriptionArn is the service's InvalidParameter, not
// a ValidationError (LocalStack test_unsubscribe_wrong_arn_format,
// AWS-validated).
bool DecodeUnsubscribe(Input& in, sns::UnsubscribeRequest& r) {
  return in.Str("SubscriptionArn", &r.subscription_arn);
}

bool DecodeListSubscriptions(Input& in, sns::ListSubscriptionsRequest& r) {
  return in.Str("NextToken", &r.next_token);
}

bool DecodeListSubscriptionsByTopic(Input& in, sns::ListSubscriptionsByTopicRequest& r) {
  return in.Str("TopicArn", &r.topic_arn, kRequired) && in.Str("NextToken", &r.next_token);
}

void EncodeSubscriptions(Output& out, const sns::ListSubscriptionsResult& r) {
  out.List("Subscriptions", r.subscriptions, [&](const sns::Subscription& s) {
    out.Str("SubscriptionArn", s.subscription_arn);
    out.Str("Owner", s.owner);
    out.Str("Protocol", s.protocol);
    out.Str("Endpoint", s.endpoint);
    out.Str("TopicArn", s.topic_arn);
  });
  out.StrIfSet("NextToken", r.next_token);
}

bool DecodeSetSubscriptionAttributes(Input& in, sns::SetSubscriptionAttributesRequest& r) {
  return in.Str("SubscriptionArn", &r.subscription_arn, kRequired) &&
         in.Str("AttributeName", &r.attribute_name, kRequired) &&
         in.Str("AttributeValue", &r.attribute_value);
}

// ---- Publishing -------------------------------------------------------------

// The members a Publish shares with a PublishBatch entry.
template <typename Request>
bool DecodeMessage(Input& in, Request& r) {
  return in.Str("Message", &r.message, kRequired) && in.Str("Subject", &r.subject) &&
         in.Str("MessageStructure", &r.message_structure) &&
         MessageAttributes(in, &r.message_attributes) &&
         in.Str("MessageDeduplicationId", &r.message_deduplication_id) &&
         in.Str("MessageGroupId", &r.message_group_id);
}

bool DecodePublish(Input& in, sns::PublishRequest& r) {
  return in.Str("TopicArn", &r.topic_arn) && in.Str("TargetArn", &r.target_arn) &&
         in.Str("PhoneNumber", &r.phone_number) && DecodeMessage(in, r);
}

void EncodePublish(Output& out, const sns::PublishResult& r) {
  out.Str("MessageId", r.message_id);
  out.StrIfSet("SequenceNumber", r.sequence_number);
}

bool DecodePublishBatch(Input& in, sns::PublishBatchRequest& r) {
  return in.Str("TopicArn", &r.topic_arn, kRequired) &&
         in.List("PublishBatchRequestEntries", [&](Input& element) {
           sns::PublishBatchRequestEntry& entry = r.publish_batch_request_entries.emplace_back();
           return element.Str("Id", &entry.id) && DecodeMessage(element, entry);
         });
}

void EncodePublishBatch(Output& out, const sns::PublishBatchResult& r) {
  out.List("Successful", r.successful, [&](const sns::PublishBatchResultEntry& e) {
    out.Str("Id", e.id);
    out.Str("MessageId", e.message_id);
    out.StrIfSet("SequenceNumber", e.sequence_number);
  });
  out.List("Failed", r.failed, [&](const sns::BatchResultErrorEntry& e) {
    out.Str("Id", e.id);
    out.Str("Code", GetErrorInfo(e.code).query_code);
    out.Str("Message", e.message);
    out.Bool("SenderFault", e.sender_fault);
  });
}

// ---- Tags -------------------------------------------------------------------

template <typename Request>
bool DecodeResourceArn(Input& in, Request& r) {
  return in.Str("ResourceArn", &r.resource_arn, kRequired);
}

bool DecodeTagResource(Input& in, sns::TagResourceRequest& r) {
  return DecodeResourceArn(in, r) && DecodeTags(in, &r.tags);
}

bool DecodeUntagResource(Input& in, sns::UntagResourceRequest& r) {
  return DecodeResourceArn(in, r) && in.StrList("TagKeys", &r.tag_keys);
}

}  // namespace

std::shared_ptr<const Api> MakeSnsApi(sns::Service& service) {
  return MakeOperationTable(
      kSnsModel, SnsTarget{{service}},
      {
          {"CreateTopic", RunOp<DecodeCreateTopic, &S::CreateTopic, EncodeCreateTopic>},
          {"DeleteTopic", RunOp<DecodeTopicArn<sns::DeleteTopicRequest>, &S::DeleteTopic>},
          {"ListTopics", RunOp<DecodeListTopics, &S::ListTopics, EncodeListTopics>},
          {"GetTopicAttributes",
           RunOp<DecodeTopicArn<sns::GetTopicAttributesRequest>, &S::GetTopicAttributes,
                 EncodeAttributes<sns::GetTopicAttributesResult>>},
          {"SetTopicAttributes", RunOp<DecodeSetTopicAttributes, &S::SetTopicAttributes>},
          {"PutDataProtectionPolicy",
           RunOp<DecodePutDataProtectionPolicy, &S::PutDataProtectionPolicy>},
          {"GetDataProtectionPolicy",
           RunOp<DecodeResourceArn<sns::GetDataProtectionPolicyRequest>,
                 &S::GetDataProtectionPolicy, EncodeGetDataProtectionPolicy>},
          {"Subscribe", RunOp<DecodeSubscribe, &S::Subscribe, EncodeSubscribe>},
          {"ConfirmSubscription", ConfirmSubscription},
          {"Unsubscribe", RunOp<DecodeUnsubscribe, &S::Unsubscribe>},
          {"ListSubscriptions",
           RunOp<DecodeListSubscriptions, &S::ListSubscriptions, EncodeSubscriptions>},
          {"ListSubscriptionsByTopic", RunOp<DecodeListSubscriptionsByTopic,
                                             &S::ListSubscriptionsByTopic, EncodeSubscriptions>},
          {"GetSubscriptionAttributes",
           RunOp<DecodeSubscriptionArn<sns::GetSubscriptionAttributesRequest>,
                 &S::GetSubscriptionAttributes,
                 EncodeAttributes<sns::GetSubscriptionAttributesResult>>},
          {"SetSubscriptionAttributes",
           RunOp<DecodeSetSubscriptionAttributes, &S::SetSubscriptionAttributes>},
          {"Publish", RunOp<DecodePublish, &S::Publish, EncodePublish>},
          {"PublishBatch", RunOp<DecodePublishBatch, &S::PublishBatch, EncodePublishBatch>},
          {"TagResource", RunOp<DecodeTagResource, &S::TagResource, EmptyResult>},
          {"UntagResource", RunOp<DecodeUntagResource, &S::UntagResource, EmptyResult>},
          {"ListTagsForResource",
           RunOp<DecodeResourceArn<sns::ListTagsForResourceRequest>, &S::ListTagsForResource,
                 EncodeListTagsForResource<sns::ListTagsForResourceResult>>},
          // Share their names with SQS actions; the router picks this table
          // for requests signed for "sns".
          {"AddPermission", RunOp<DecodeAddPermission, &S::AddPermission>},
          {"RemovePermission", RunOp<DecodeRemovePermission, &S::RemovePermission>},
      });
}

}  // namespace wharf::wire
