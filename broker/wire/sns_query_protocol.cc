#include "broker/wire/sns_query_protocol.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "broker/wire/error_mapping.h"
#include "broker/wire/xml_writer.h"

namespace wharf::wire {
namespace {

absl::string_view Absl(std::string_view s) { return absl::string_view(s.data(), s.size()); }

// AWS names the missing member in lowerCamelCase ("TopicArn" -> "topicArn").
WireError MissingError(std::string_view key) {
  std::string member(key);
  if (!member.empty()) member[0] = absl::ascii_tolower(static_cast<unsigned char>(member[0]));
  return ErrorFor(ErrorCode::kSnsValidation,
                  absl::StrCat("1 validation error detected: Value null at '", member,
                               "' failed to satisfy constraint: Member must not be null"));
}

}  // namespace

// One request: the decoded form plus the first decoding error, and the XML
// response being written.
class SnsQueryProtocol::Call {
 public:
  Call(const RequestContext& context, std::string_view action, const FormParams& params)
      : context_(context), action_(action), params_(params), xml_(&body_) {}

  bool failed() const { return error_.has_value(); }

  // ---- Decoding (each records the first error) ----

  const std::string* Find(std::string_view key) const { return params_.Find(key); }

  // Returns false when `key` is absent (an error only when `required`).
  bool Str(std::string_view key, std::string* out, bool required = false) {
    const std::string* value = params_.Find(key);
    if (value == nullptr) {
      if (required) Fail(MissingError(key));
      return false;
    }
    *out = *value;
    return true;
  }

  void OptionalStr(std::string_view key, std::optional<std::string>* out) {
    if (const std::string* value = params_.Find(key)) *out = *value;
  }

  // "true" in any case is true; anything else (or absence) is false.
  bool Bool(std::string_view key) {
    const std::string* value = params_.Find(key);
    return value != nullptr && absl::AsciiStrToLower(*value) == "true";
  }

  // "<prefix>.member.1", "<prefix>.member.2", ... until the first gap.
  void List(std::string_view prefix, std::vector<std::string>* out) {
    for (int i = 1;; ++i) {
      const std::string* value = params_.Find(absl::StrCat(Absl(prefix), ".member.", i));
      if (value == nullptr) return;
      out->push_back(*value);
    }
  }

  // "<prefix>.entry.N.key" / "<prefix>.entry.N.value".
  void Map(std::string_view prefix, sns::AttributeMap* out) {
    for (int i = 1;; ++i) {
      std::string base = absl::StrCat(Absl(prefix), ".entry.", i, ".");
      const std::string* key = params_.Find(absl::StrCat(base, "key"));
      if (key == nullptr) return;
      const std::string* value = params_.Find(absl::StrCat(base, "value"));
      (*out)[*key] = value == nullptr ? std::string() : *value;
    }
  }

  // "<prefix>.member.N.Key" / "<prefix>.member.N.Value".
  void Tags(std::string_view prefix, std::vector<sns::Tag>* out) {
    for (int i = 1;; ++i) {
      std::string base = absl::StrCat(Absl(prefix), ".member.", i, ".");
      const std::string* key = params_.Find(absl::StrCat(base, "Key"));
      if (key == nullptr) return;
      const std::string* value = params_.Find(absl::StrCat(base, "Value"));
      out->push_back({*key, value == nullptr ? std::string() : *value});
    }
  }

  // "<prefix>.entry.N.Name", "<prefix>.entry.N.Value.DataType|StringValue|
  // BinaryValue" (BinaryValue in base64).
  void MessageAttributes(std::string_view prefix, sns::MessageAttributeMap* out) {
    for (int i = 1;; ++i) {
      std::string base = absl::StrCat(Absl(prefix), ".entry.", i, ".");
      const std::string* name = params_.Find(absl::StrCat(base, "Name"));
      if (name == nullptr) return;
      sns::MessageAttributeValue value;
      Str(absl::StrCat(base, "Value.DataType"), &value.data_type);
      Str(absl::StrCat(base, "Value.StringValue"), &value.string_value);
      if (const std::string* v = params_.Find(absl::StrCat(base, "Value.BinaryValue"))) {
        if (!absl::Base64Unescape(*v, &value.binary_value)) {
          Fail(ErrorFor(ErrorCode::kSnsParameterValueInvalid,
                        absl::StrCat("The message attribute '", *name,
                                     "' has an invalid base64 binary value.")));
        }
      }
      (*out)[*name] = std::move(value);
    }
  }

  void Fail(WireError error) {
    if (!error_) error_ = std::move(error);
  }

  // ---- Encoding ----

  XmlWriter& xml() { return xml_; }

  // Opens <ActionResponse><ActionResult>.
  void BeginResult() {
    body_.reserve(1024);
    xml_.Declaration();
    xml_.Open(absl::StrCat(Absl(action_), "Response"), kSnsXmlNamespace);
    xml_.Open(absl::StrCat(Absl(action_), "Result"));
  }

  HttpResponse Finish(bool had_result = true) {
    if (had_result) {
      xml_.Close(absl::StrCat(Absl(action_), "Result"));
    } else {
      xml_.Declaration();
      xml_.Open(absl::StrCat(Absl(action_), "Response"), kSnsXmlNamespace);
    }
    xml_.Open("ResponseMetadata");
    xml_.Element("RequestId", context_.request_id);
    xml_.Close("ResponseMetadata");
    xml_.Close(absl::StrCat(Absl(action_), "Response"));
    HttpResponse response;
    response.content_type = "text/xml";
    response.body = std::move(body_);
    response.headers.emplace_back("x-amzn-RequestId", std::string(context_.request_id));
    return response;
  }

  // A response without a result element (operations with no output).
  HttpResponse Empty() { return Finish(/*had_result=*/false); }

  HttpResponse Error() { return Error(*error_); }
  HttpResponse Error(const absl::Status& status) { return Error(ErrorFromStatus(status)); }
  HttpResponse Error(const WireError& error) {
    return RenderXmlError(error, context_.request_id, kSnsXmlNamespace);
  }

 private:
  const RequestContext& context_;
  std::string_view action_;
  const FormParams& params_;
  std::optional<WireError> error_;
  std::string body_;
  XmlWriter xml_;
};

namespace {

using Call = SnsQueryProtocol::Call;

// <Attributes><entry><key>k</key><value>v</value></entry>...</Attributes>
void WriteAttributes(XmlWriter& xml, const sns::AttributeMap& attributes) {
  xml.Open("Attributes");
  for (const auto& [key, value] : attributes) {
    xml.Open("entry");
    xml.Element("key", key);
    xml.Element("value", value);
    xml.Close("entry");
  }
  xml.Close("Attributes");
}

void WriteSubscriptions(XmlWriter& xml, const sns::ListSubscriptionsResult& result) {
  xml.Open("Subscriptions");
  for (const sns::Subscription& subscription : result.subscriptions) {
    xml.Open("member");
    xml.Element("SubscriptionArn", subscription.subscription_arn);
    xml.Element("Owner", subscription.owner);
    xml.Element("Protocol", subscription.protocol);
    xml.Element("Endpoint", subscription.endpoint);
    xml.Element("TopicArn", subscription.topic_arn);
    xml.Close("member");
  }
  xml.Close("Subscriptions");
  if (!result.next_token.empty()) xml.Element("NextToken", result.next_token);
}

}  // namespace

SnsQueryProtocol::SnsQueryProtocol(sns::Service& service) : service_(service) {
  operations_ = {
      {"CreateTopic", &SnsQueryProtocol::CreateTopic},
      {"DeleteTopic", &SnsQueryProtocol::DeleteTopic},
      {"ListTopics", &SnsQueryProtocol::ListTopics},
      {"GetTopicAttributes", &SnsQueryProtocol::GetTopicAttributes},
      {"SetTopicAttributes", &SnsQueryProtocol::SetTopicAttributes},
      {"Subscribe", &SnsQueryProtocol::Subscribe},
      {"ConfirmSubscription", &SnsQueryProtocol::ConfirmSubscription},
      {"Unsubscribe", &SnsQueryProtocol::Unsubscribe},
      {"ListSubscriptions", &SnsQueryProtocol::ListSubscriptions},
      {"ListSubscriptionsByTopic", &SnsQueryProtocol::ListSubscriptionsByTopic},
      {"GetSubscriptionAttributes", &SnsQueryProtocol::GetSubscriptionAttributes},
      {"SetSubscriptionAttributes", &SnsQueryProtocol::SetSubscriptionAttributes},
      {"Publish", &SnsQueryProtocol::Publish},
      {"PublishBatch", &SnsQueryProtocol::PublishBatch},
      {"TagResource", &SnsQueryProtocol::TagResource},
      {"UntagResource", &SnsQueryProtocol::UntagResource},
      {"ListTagsForResource", &SnsQueryProtocol::ListTagsForResource},
      // Share their names with SQS actions; the router picks this protocol
      // for requests signed for "sns".
      {"AddPermission", &SnsQueryProtocol::AddPermission},
      {"RemovePermission", &SnsQueryProtocol::RemovePermission},
  };
}

bool SnsQueryProtocol::HasAction(std::string_view action) const {
  return operations_.contains(Absl(action));
}

HttpResponse SnsQueryProtocol::RenderError(const RequestContext& context,
                                           const WireError& error) const {
  return RenderXmlError(error, context.request_id, kSnsXmlNamespace);
}

HttpResponse SnsQueryProtocol::Handle(const RequestContext& context, std::string_view action,
                                      const FormParams& params) const {
  auto it = operations_.find(Absl(action));
  if (it == operations_.end()) {
    return RenderError(context, ErrorFor(ErrorCode::kInvalidAction,
                                         absl::StrCat("The action ", Absl(action),
                                                      " is not valid for this endpoint.")));
  }
  Call call(context, action, params);
  return (this->*(it->second))(call);
}

// ---- Topics -----------------------------------------------------------------

HttpResponse SnsQueryProtocol::CreateTopic(Call& call) const {
  sns::CreateTopicRequest request;
  call.Str("Name", &request.name, /*required=*/true);
  call.Map("Attributes", &request.attributes);
  call.Tags("Tags", &request.tags);
  call.Str("DataProtectionPolicy", &request.data_protection_policy);
  if (call.failed()) return call.Error();
  absl::StatusOr<sns::CreateTopicResult> result = service_.CreateTopic(request);
  if (!result.ok()) return call.Error(result.status());
  call.BeginResult();
  call.xml().Element("TopicArn", result->topic_arn);
  return call.Finish();
}

HttpResponse SnsQueryProtocol::DeleteTopic(Call& call) const {
  sns::DeleteTopicRequest request;
  if (!call.Str("TopicArn", &request.topic_arn, /*required=*/true)) return call.Error();
  absl::Status status = service_.DeleteTopic(request);
  if (!status.ok()) return call.Error(status);
  return call.Empty();
}

HttpResponse SnsQueryProtocol::ListTopics(Call& call) const {
  sns::ListTopicsRequest request;
  call.Str("NextToken", &request.next_token);
  absl::StatusOr<sns::ListTopicsResult> result = service_.ListTopics(request);
  if (!result.ok()) return call.Error(result.status());
  call.BeginResult();
  XmlWriter& xml = call.xml();
  xml.Open("Topics");
  for (const sns::TopicSummary& topic : result->topics) {
    xml.Open("member");
    xml.Element("TopicArn", topic.topic_arn);
    xml.Close("member");
  }
  xml.Close("Topics");
  if (!result->next_token.empty()) xml.Element("NextToken", result->next_token);
  return call.Finish();
}

HttpResponse SnsQueryProtocol::GetTopicAttributes(Call& call) const {
  sns::GetTopicAttributesRequest request;
  if (!call.Str("TopicArn", &request.topic_arn, /*required=*/true)) return call.Error();
  absl::StatusOr<sns::GetTopicAttributesResult> result = service_.GetTopicAttributes(request);
  if (!result.ok()) return call.Error(result.status());
  call.BeginResult();
  WriteAttributes(call.xml(), result->attributes);
  return call.Finish();
}

HttpResponse SnsQueryProtocol::SetTopicAttributes(Call& call) const {
  sns::SetTopicAttributesRequest request;
  call.Str("TopicArn", &request.topic_arn, /*required=*/true);
  call.Str("AttributeName", &request.attribute_name, /*required=*/true);
  call.Str("AttributeValue", &request.attribute_value);
  if (call.failed()) return call.Error();
  absl::Status status = service_.SetTopicAttributes(request);
  if (!status.ok()) return call.Error(status);
  return call.Empty();
}

HttpResponse SnsQueryProtocol::AddPermission(Call& call) const {
  sns::AddPermissionRequest request;
  call.Str("TopicArn", &request.topic_arn, /*required=*/true);
  call.Str("Label", &request.label, /*required=*/true);
  call.List("AWSAccountId", &request.aws_account_ids);
  call.List("ActionName", &request.actions);
  if (call.failed()) return call.Error();
  absl::Status status = service_.AddPermission(request);
  if (!status.ok()) return call.Error(status);
  return call.Empty();
}

HttpResponse SnsQueryProtocol::RemovePermission(Call& call) const {
  sns::RemovePermissionRequest request;
  call.Str("TopicArn", &request.topic_arn, /*required=*/true);
  call.Str("Label", &request.label, /*required=*/true);
  if (call.failed()) return call.Error();
  absl::Status status = service_.RemovePermission(request);
  if (!status.ok()) return call.Error(status);
  return call.Empty();
}

// ---- Subscriptions ----------------------------------------------------------

HttpResponse SnsQueryProtocol::Subscribe(Call& call) const {
  sns::SubscribeRequest request;
  call.Str("TopicArn", &request.topic_arn, /*required=*/true);
  call.Str("Protocol", &request.protocol, /*required=*/true);
  call.Str("Endpoint", &request.endpoint);
  call.Map("Attributes", &request.attributes);
  request.return_subscription_arn = call.Bool("ReturnSubscriptionArn");
  if (call.failed()) return call.Error();
  absl::StatusOr<sns::SubscribeResult> result = service_.Subscribe(request);
  if (!result.ok()) return call.Error(result.status());
  call.BeginResult();
  call.xml().Element("SubscriptionArn", result->subscription_arn);
  return call.Finish();
}

// No subscription ever gets a confirmation token: sqs, lambda, sms,
// application and firehose subscriptions are confirmed at once, and wharf
// sends no confirmation message to http, https and email endpoints (their
// subscriptions stay pending). So no token is valid; an unknown topic is
// still NotFound, as in AWS.
HttpResponse SnsQueryProtocol::ConfirmSubscription(Call& call) const {
  std::string topic_arn;
  std::string token;
  call.Str("TopicArn", &topic_arn, /*required=*/true);
  call.Str("Token", &token, /*required=*/true);
  if (call.failed()) return call.Error();
  absl::StatusOr<sns::GetTopicAttributesResult> topic =
      service_.GetTopicAttributes({.topic_arn = topic_arn});
  if (!topic.ok()) return call.Error(topic.status());
  return call.Error(ErrorFor(ErrorCode::kSnsInvalidParameter, "Invalid token"));
}

HttpResponse SnsQueryProtocol::Unsubscribe(Call& call) const {
  sns::UnsubscribeRequest request;
  if (!call.Str("SubscriptionArn", &request.subscription_arn, /*required=*/true)) {
    return call.Error();
  }
  absl::Status status = service_.Unsubscribe(request);
  if (!status.ok()) return call.Error(status);
  return call.Empty();
}

HttpResponse SnsQueryProtocol::ListSubscriptions(Call& call) const {
  sns::ListSubscriptionsRequest request;
  call.Str("NextToken", &request.next_token);
  absl::StatusOr<sns::ListSubscriptionsResult> result = service_.ListSubscriptions(request);
  if (!result.ok()) return call.Error(result.status());
  call.BeginResult();
  WriteSubscriptions(call.xml(), *result);
  return call.Finish();
}

HttpResponse SnsQueryProtocol::ListSubscriptionsByTopic(Call& call) const {
  sns::ListSubscriptionsByTopicRequest request;
  if (!call.Str("TopicArn", &request.topic_arn, /*required=*/true)) return call.Error();
  call.Str("NextToken", &request.next_token);
  absl::StatusOr<sns::ListSubscriptionsByTopicResult> result =
      service_.ListSubscriptionsByTopic(request);
  if (!result.ok()) return call.Error(result.status());
  call.BeginResult();
  WriteSubscriptions(call.xml(), *result);
  return call.Finish();
}

HttpResponse SnsQueryProtocol::GetSubscriptionAttributes(Call& call) const {
  sns::GetSubscriptionAttributesRequest request;
  if (!call.Str("SubscriptionArn", &request.subscription_arn, /*required=*/true)) {
    return call.Error();
  }
  absl::StatusOr<sns::GetSubscriptionAttributesResult> result =
      service_.GetSubscriptionAttributes(request);
  if (!result.ok()) return call.Error(result.status());
  call.BeginResult();
  WriteAttributes(call.xml(), result->attributes);
  return call.Finish();
}

HttpResponse SnsQueryProtocol::SetSubscriptionAttributes(Call& call) const {
  sns::SetSubscriptionAttributesRequest request;
  call.Str("SubscriptionArn", &request.subscription_arn, /*required=*/true);
  call.Str("AttributeName", &request.attribute_name, /*required=*/true);
  call.Str("AttributeValue", &request.attribute_value);
  if (call.failed()) return call.Error();
  absl::Status status = service_.SetSubscriptionAttributes(request);
  if (!status.ok()) return call.Error(status);
  return call.Empty();
}

// ---- Publishing -------------------------------------------------------------

HttpResponse SnsQueryProtocol::Publish(Call& call) const {
  sns::PublishRequest request;
  call.Str("TopicArn", &request.topic_arn);
  call.Str("TargetArn", &request.target_arn);
  call.Str("PhoneNumber", &request.phone_number);
  call.Str("Message", &request.message, /*required=*/true);
  call.OptionalStr("Subject", &request.subject);
  call.Str("MessageStructure", &request.message_structure);
  call.MessageAttributes("MessageAttributes", &request.message_attributes);
  call.Str("MessageDeduplicationId", &request.message_deduplication_id);
  call.Str("MessageGroupId", &request.message_group_id);
  if (call.failed()) return call.Error();
  absl::StatusOr<sns::PublishResult> result = service_.Publish(request);
  if (!result.ok()) return call.Error(result.status());
  call.BeginResult();
  call.xml().Element("MessageId", result->message_id);
  if (!result->sequence_number.empty()) {
    call.xml().Element("SequenceNumber", result->sequence_number);
  }
  return call.Finish();
}

HttpResponse SnsQueryProtocol::PublishBatch(Call& call) const {
  sns::PublishBatchRequest request;
  call.Str("TopicArn", &request.topic_arn, /*required=*/true);
  for (int i = 1;; ++i) {
    std::string base = absl::StrCat("PublishBatchRequestEntries.member.", i, ".");
    std::string id;
    if (!call.Str(absl::StrCat(base, "Id"), &id)) break;
    sns::PublishBatchRequestEntry& entry = request.publish_batch_request_entries.emplace_back();
    entry.id = std::move(id);
    call.Str(absl::StrCat(base, "Message"), &entry.message, /*required=*/true);
    call.OptionalStr(absl::StrCat(base, "Subject"), &entry.subject);
    call.Str(absl::StrCat(base, "MessageStructure"), &entry.message_structure);
    call.MessageAttributes(absl::StrCat(base, "MessageAttributes"), &entry.message_attributes);
    call.Str(absl::StrCat(base, "MessageDeduplicationId"), &entry.message_deduplication_id);
    call.Str(absl::StrCat(base, "MessageGroupId"), &entry.message_group_id);
  }
  if (call.failed()) return call.Error();
  absl::StatusOr<sns::PublishBatchResult> result = service_.PublishBatch(request);
  if (!result.ok()) return call.Error(result.status());
  call.BeginResult();
  XmlWriter& xml = call.xml();
  xml.Open("Successful");
  for (const sns::PublishBatchResultEntry& entry : result->successful) {
    xml.Open("member");
    xml.Element("Id", entry.id);
    xml.Element("MessageId", entry.message_id);
    if (!entry.sequence_number.empty()) xml.Element("SequenceNumber", entry.sequence_number);
    xml.Close("member");
  }
  xml.Close("Successful");
  xml.Open("Failed");
  for (const sns::BatchResultErrorEntry& entry : result->failed) {
    xml.Open("member");
    xml.Element("Id", entry.id);
    xml.Element("Code", GetErrorInfo(entry.code).query_code);
    xml.Element("Message", entry.message);
    xml.Element("SenderFault", entry.sender_fault ? "true" : "false");
    xml.Close("member");
  }
  xml.Close("Failed");
  return call.Finish();
}

// ---- Tags -------------------------------------------------------------------

HttpResponse SnsQueryProtocol::TagResource(Call& call) const {
  sns::TagResourceRequest request;
  call.Str("ResourceArn", &request.resource_arn, /*required=*/true);
  call.Tags("Tags", &request.tags);
  if (call.failed()) return call.Error();
  absl::Status status = service_.TagResource(request);
  if (!status.ok()) return call.Error(status);
  call.BeginResult();
  return call.Finish();
}

HttpResponse SnsQueryProtocol::UntagResource(Call& call) const {
  sns::UntagResourceRequest request;
  call.Str("ResourceArn", &request.resource_arn, /*required=*/true);
  call.List("TagKeys", &request.tag_keys);
  if (call.failed()) return call.Error();
  absl::Status status = service_.UntagResource(request);
  if (!status.ok()) return call.Error(status);
  call.BeginResult();
  return call.Finish();
}

HttpResponse SnsQueryProtocol::ListTagsForResource(Call& call) const {
  sns::ListTagsForResourceRequest request;
  if (!call.Str("ResourceArn", &request.resource_arn, /*required=*/true)) return call.Error();
  absl::StatusOr<sns::ListTagsForResourceResult> result = service_.ListTagsForResource(request);
  if (!result.ok()) return call.Error(result.status());
  call.BeginResult();
  XmlWriter& xml = call.xml();
  xml.Open("Tags");
  for (const sns::Tag& tag : result->tags) {
    xml.Open("member");
    xml.Element("Key", tag.key);
    xml.Element("Value", tag.value);
    xml.Close("member");
  }
  xml.Close("Tags");
  return call.Finish();
}

}  // namespace wharf::wire
