#include "broker/wire/sqs_query_protocol.h"

#include <climits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "broker/wire/error_mapping.h"
#include "broker/wire/xml_writer.h"

namespace wharf::wire {
namespace {

absl::string_view Absl(std::string_view s) { return absl::string_view(s.data(), s.size()); }

constexpr std::string_view kNonExistentQueueQueryMessage =
    "The specified queue does not exist for this wsdl version.";

std::string MissingMessage(std::string_view name) {
  return absl::StrCat("The request must contain the parameter ", Absl(name), ".");
}

}  // namespace

// One request: the decoded form plus the first decoding error, and the XML
// response being written.
class SqsQueryProtocol::Call {
 public:
  Call(const RequestContext& context, std::string_view action, const FormParams& params,
       const QueueUrlMapper& urls)
      : context_(context), action_(action), params_(params), urls_(urls), xml_(&body_) {}

  bool failed() const { return error_.has_value(); }

  // ---- Decoding (each returns false after recording the first error) ----

  const std::string* Find(std::string_view key) const { return params_.Find(key); }

  bool Str(std::string_view key, std::string* out, bool required = false) {
    const std::string* value = params_.Find(key);
    if (value == nullptr) {
      if (required) Fail(ErrorFor(ErrorCode::kMissingParameter, MissingMessage(key)));
      return !required;
    }
    *out = *value;
    return true;
  }

  bool Int(std::string_view key, std::optional<int>* out) {
    const std::string* value = params_.Find(key);
    if (value == nullptr) return true;
    int64_t parsed;
    if (!absl::SimpleAtoi(*value, &parsed) || parsed < INT_MIN || parsed > INT_MAX) {
      Fail(ErrorFor(ErrorCode::kInvalidParameterValue,
                    absl::StrCat("Value ", *value, " for parameter ", Absl(key),
                                 " is invalid. Reason: Must be an integer.")));
      return false;
    }
    *out = static_cast<int>(parsed);
    return true;
  }

  bool RequiredInt(std::string_view key, int* out) {
    std::optional<int> value;
    if (!Int(key, &value)) return false;
    if (!value) {
      Fail(ErrorFor(ErrorCode::kMissingParameter, MissingMessage(key)));
      return false;
    }
    *out = *value;
    return true;
  }

  // The queue URL: the QueueUrl parameter, else the request path.
  bool QueueUrl(std::string* out) {
    const std::string* value = params_.Find("QueueUrl");
    if (value != nullptr) {
      *out = urls_.ToBroker(*value);
      return true;
    }
    *out = urls_.FromPath(context_.http.path);
    if (out->empty()) {
      Fail(ErrorFor(ErrorCode::kMissingParameter, MissingMessage("QueueUrl")));
      return false;
    }
    return true;
  }

  // "<prefix>.1", "<prefix>.2", ... until the first gap.
  void List(std::string_view prefix, std::vector<std::string>* out) {
    for (int i = 1;; ++i) {
      const std::string* value = params_.Find(absl::StrCat(Absl(prefix), ".", i));
      if (value == nullptr) return;
      out->push_back(*value);
    }
  }

  // "<prefix>.N.<key_field>" / "<prefix>.N.<value_field>" pairs.
  void Map(std::string_view prefix, std::string_view key_field, std::string_view value_field,
           std::map<std::string, std::string>* out) {
    for (int i = 1;; ++i) {
      std::string base = absl::StrCat(Absl(prefix), ".", i, ".");
      const std::string* key = params_.Find(absl::StrCat(base, Absl(key_field)));
      if (key == nullptr) return;
      const std::string* value = params_.Find(absl::StrCat(base, Absl(value_field)));
      (*out)[*key] = value == nullptr ? std::string() : *value;
    }
  }

  // "<prefix>.N.Name", "<prefix>.N.Value.DataType|StringValue|BinaryValue".
  bool MessageAttributes(std::string_view prefix, sqs::MessageAttributeMap* out) {
    for (int i = 1;; ++i) {
      std::string base = absl::StrCat(Absl(prefix), ".", i, ".");
      const std::string* name = params_.Find(absl::StrCat(base, "Name"));
      if (name == nullptr) return true;
      sqs::MessageAttributeValue value;
      if (const std::string* v = params_.Find(absl::StrCat(base, "Value.DataType"))) {
        value.data_type = *v;
      }
      if (const std::string* v = params_.Find(absl::StrCat(base, "Value.StringValue"))) {
        value.string_value = *v;
      }
      if (const std::string* v = params_.Find(absl::StrCat(base, "Value.BinaryValue"))) {
        if (!absl::Base64Unescape(*v, &value.binary_value)) {
          Fail(ErrorFor(ErrorCode::kInvalidParameterValue,
                        absl::StrCat("The message attribute '", *name,
                                     "' has an invalid base64 binary value.")));
          return false;
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
    xml_.Open(absl::StrCat(Absl(action_), "Response"), kSqsXmlNamespace);
    xml_.Open(absl::StrCat(Absl(action_), "Result"));
  }

  HttpResponse Finish(bool had_result = true) {
    if (had_result) {
      xml_.Close(absl::StrCat(Absl(action_), "Result"));
    } else {
      xml_.Declaration();
      xml_.Open(absl::StrCat(Absl(action_), "Response"), kSqsXmlNamespace);
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

  HttpResponse Empty() { return Finish(/*had_result=*/false); }

  HttpResponse Error() { return Error(*error_); }

  HttpResponse Error(const absl::Status& status) {
    WireError error = ErrorFromStatus(status);
    if (GetErrorCode(status) == ErrorCode::kQueueDoesNotExist) {
      error.message = std::string(kNonExistentQueueQueryMessage);
    }
    return Error(error);
  }

  HttpResponse Error(const WireError& error) {
    return RenderXmlError(error, context_.request_id, kSqsXmlNamespace);
  }

  const QueueUrlMapper& urls() const { return urls_; }

 private:
  const RequestContext& context_;
  std::string_view action_;
  const FormParams& params_;
  const QueueUrlMapper& urls_;
  std::optional<WireError> error_;
  std::string body_;
  XmlWriter xml_;
};

namespace {

using Call = SqsQueryProtocol::Call;

void WriteAttributeMap(XmlWriter& xml, const std::map<std::string, std::string>& map,
                       std::string_view element, std::string_view key, std::string_view value) {
  for (const auto& [k, v] : map) {
    xml.Open(element);
    xml.Element(key, k);
    xml.Element(value, v);
    xml.Close(element);
  }
}

void WriteBatchErrors(XmlWriter& xml, const std::vector<sqs::BatchResultErrorEntry>& failed) {
  for (const sqs::BatchResultErrorEntry& entry : failed) {
    xml.Open("BatchResultErrorEntry");
    xml.Element("Id", entry.id);
    xml.Element("SenderFault", entry.sender_fault ? "true" : "false");
    xml.Element("Code", GetErrorInfo(entry.code).query_code);
    xml.Element("Message", entry.message);
    xml.Close("BatchResultErrorEntry");
  }
}

void WriteSendResult(XmlWriter& xml, const std::string& message_id, const std::string& md5_body,
                     const std::string& md5_attributes, const std::string& md5_system,
                     const std::string& sequence_number) {
  xml.Element("MessageId", message_id);
  xml.Element("MD5OfMessageBody", md5_body);
  if (!md5_attributes.empty()) xml.Element("MD5OfMessageAttributes", md5_attributes);
  if (!md5_system.empty()) xml.Element("MD5OfMessageSystemAttributes", md5_system);
  if (!sequence_number.empty()) xml.Element("SequenceNumber", sequence_number);
}

bool IsBinaryType(std::string_view data_type) { return data_type.substr(0, 6) == "Binary"; }

}  // namespace

SqsQueryProtocol::SqsQueryProtocol(sqs::Service& service, const QueueUrlMapper& urls,
                                   std::stop_token shutdown)
    : service_(service), urls_(urls), shutdown_(std::move(shutdown)) {
  operations_ = {
      {"CreateQueue", &SqsQueryProtocol::CreateQueue},
      {"DeleteQueue", &SqsQueryProtocol::DeleteQueue},
      {"ListQueues", &SqsQueryProtocol::ListQueues},
      {"GetQueueUrl", &SqsQueryProtocol::GetQueueUrl},
      {"GetQueueAttributes", &SqsQueryProtocol::GetQueueAttributes},
      {"SetQueueAttributes", &SqsQueryProtocol::SetQueueAttributes},
      {"PurgeQueue", &SqsQueryProtocol::PurgeQueue},
      {"TagQueue", &SqsQueryProtocol::TagQueue},
      {"UntagQueue", &SqsQueryProtocol::UntagQueue},
      {"ListQueueTags", &SqsQueryProtocol::ListQueueTags},
      {"ListDeadLetterSourceQueues", &SqsQueryProtocol::ListDeadLetterSourceQueues},
      {"SendMessage", &SqsQueryProtocol::SendMessage},
      {"SendMessageBatch", &SqsQueryProtocol::SendMessageBatch},
      {"ReceiveMessage", &SqsQueryProtocol::ReceiveMessage},
      {"DeleteMessage", &SqsQueryProtocol::DeleteMessage},
      {"DeleteMessageBatch", &SqsQueryProtocol::DeleteMessageBatch},
      {"ChangeMessageVisibility", &SqsQueryProtocol::ChangeMessageVisibility},
      {"ChangeMessageVisibilityBatch", &SqsQueryProtocol::ChangeMessageVisibilityBatch},
      {"StartMessageMoveTask", &SqsQueryProtocol::StartMessageMoveTask},
      {"ListMessageMoveTasks", &SqsQueryProtocol::ListMessageMoveTasks},
      {"CancelMessageMoveTask", &SqsQueryProtocol::CancelMessageMoveTask},
      {"AddPermission", &SqsQueryProtocol::AddPermission},
      {"RemovePermission", &SqsQueryProtocol::RemovePermission},
  };
}

bool SqsQueryProtocol::HasAction(std::string_view action) const {
  return operations_.contains(Absl(action));
}

HttpResponse SqsQueryProtocol::RenderError(const RequestContext& context,
                                           const WireError& error) const {
  return RenderXmlError(error, context.request_id, kSqsXmlNamespace);
}

HttpResponse SqsQueryProtocol::Handle(const RequestContext& context, std::string_view action,
                                      const FormParams& params) const {
  auto it = operations_.find(Absl(action));
  if (it == operations_.end()) {
    return RenderError(context, ErrorFor(ErrorCode::kInvalidAction,
                                         absl::StrCat("The action ", Absl(action),
                                                      " is not valid for this endpoint.")));
  }
  Call call(context, action, params, urls_);
  return (this->*(it->second))(call);
}

// ---- Queue lifecycle --------------------------------------------------------

HttpResponse SqsQueryProtocol::CreateQueue(Call& call) const {
  sqs::CreateQueueRequest request;
  call.Str("QueueName", &request.queue_name, /*required=*/true);
  call.Map("Attribute", "Name", "Value", &request.attributes);
  call.Map("Tag", "Key", "Value", &request.tags);
  if (call.failed()) return call.Error();
  absl::StatusOr<sqs::CreateQueueResult> result = service_.CreateQueue(request);
  if (!result.ok()) return call.Error(result.status());
  call.BeginResult();
  call.xml().Element("QueueUrl", urls_.ToClient(result->queue_url));
  return call.Finish();
}

HttpResponse SqsQueryProtocol::DeleteQueue(Call& call) const {
  sqs::DeleteQueueRequest request;
  if (!call.QueueUrl(&request.queue_url)) return call.Error();
  absl::Status status = service_.DeleteQueue(request);
  if (!status.ok()) return call.Error(status);
  return call.Empty();
}

HttpResponse SqsQueryProtocol::ListQueues(Call& call) const {
  sqs::ListQueuesRequest request;
  call.Str("QueueNamePrefix", &request.queue_name_prefix);
  call.Int("MaxResults", &request.max_results);
  call.Str("NextToken", &request.next_token);
  if (call.failed()) return call.Error();
  absl::StatusOr<sqs::ListQueuesResult> result = service_.ListQueues(request);
  if (!result.ok()) return call.Error(result.status());
  call.BeginResult();
  for (const std::string& url : result->queue_urls) {
    call.xml().Element("QueueUrl", urls_.ToClient(url));
  }
  if (!result->next_token.empty()) call.xml().Element("NextToken", result->next_token);
  return call.Finish();
}

HttpResponse SqsQueryProtocol::GetQueueUrl(Call& call) const {
  sqs::GetQueueUrlRequest request;
  call.Str("QueueName", &request.queue_name, /*required=*/true);
  call.Str("QueueOwnerAWSAccountId", &request.queue_owner_aws_account_id);
  if (call.failed()) return call.Error();
  absl::StatusOr<sqs::GetQueueUrlResult> result = service_.GetQueueUrl(request);
  if (!result.ok()) return call.Error(result.status());
  call.BeginResult();
  call.xml().Element("QueueUrl", urls_.ToClient(result->queue_url));
  return call.Finish();
}

HttpResponse SqsQueryProtocol::GetQueueAttributes(Call& call) const {
  sqs::GetQueueAttributesRequest request;
  if (!call.QueueUrl(&request.queue_url)) return call.Error();
  call.List("AttributeName", &request.attribute_names);
  absl::StatusOr<sqs::GetQueueAttributesResult> result = service_.GetQueueAttributes(request);
  if (!result.ok()) return call.Error(result.status());
  call.BeginResult();
  WriteAttributeMap(call.xml(), result->attributes, "Attribute", "Name", "Value");
  return call.Finish();
}

HttpResponse SqsQueryProtocol::SetQueueAttributes(Call& call) const {
  sqs::SetQueueAttributesRequest request;
  if (!call.QueueUrl(&request.queue_url)) return call.Error();
  call.Map("Attribute", "Name", "Value", &request.attributes);
  absl::Status status = service_.SetQueueAttributes(request);
  if (!status.ok()) return call.Error(status);
  return call.Empty();
}

HttpResponse SqsQueryProtocol::PurgeQueue(Call& call) const {
  sqs::PurgeQueueRequest request;
  if (!call.QueueUrl(&request.queue_url)) return call.Error();
  absl::Status status = service_.PurgeQueue(request);
  if (!status.ok()) return call.Error(status);
  return call.Empty();
}

HttpResponse SqsQueryProtocol::TagQueue(Call& call) const {
  sqs::TagQueueRequest request;
  if (!call.QueueUrl(&request.queue_url)) return call.Error();
  call.Map("Tag", "Key", "Value", &request.tags);
  absl::Status status = service_.TagQueue(request);
  if (!status.ok()) return call.Error(status);
  return call.Empty();
}

HttpResponse SqsQueryProtocol::UntagQueue(Call& call) const {
  sqs::UntagQueueRequest request;
  if (!call.QueueUrl(&request.queue_url)) return call.Error();
  call.List("TagKey", &request.tag_keys);
  absl::Status status = service_.UntagQueue(request);
  if (!status.ok()) return call.Error(status);
  return call.Empty();
}

HttpResponse SqsQueryProtocol::ListQueueTags(Call& call) const {
  sqs::ListQueueTagsRequest request;
  if (!call.QueueUrl(&request.queue_url)) return call.Error();
  absl::StatusOr<sqs::ListQueueTagsResult> result = service_.ListQueueTags(request);
  if (!result.ok()) return call.Error(result.status());
  call.BeginResult();
  WriteAttributeMap(call.xml(), result->tags, "Tag", "Key", "Value");
  return call.Finish();
}

// Lists are flattened under their member names: AWSAccountId.N, ActionName.N.
HttpResponse SqsQueryProtocol::AddPermission(Call& call) const {
  sqs::AddPermissionRequest request;
  if (!call.QueueUrl(&request.queue_url)) return call.Error();
  call.Str("Label", &request.label);
  call.List("AWSAccountId", &request.aws_account_ids);
  call.List("ActionName", &request.actions);
  absl::Status status = service_.AddPermission(request);
  if (!status.ok()) return call.Error(status);
  return call.Empty();
}

HttpResponse SqsQueryProtocol::RemovePermission(Call& call) const {
  sqs::RemovePermissionRequest request;
  if (!call.QueueUrl(&request.queue_url)) return call.Error();
  call.Str("Label", &request.label);
  absl::Status status = service_.RemovePermission(request);
  if (!status.ok()) return call.Error(status);
  return call.Empty();
}

HttpResponse SqsQueryProtocol::ListDeadLetterSourceQueues(Call& call) const {
  sqs::ListDeadLetterSourceQueuesRequest request;
  if (!call.QueueUrl(&request.queue_url)) return call.Error();
  call.Int("MaxResults", &request.max_results);
  call.Str("NextToken", &request.next_token);
  if (call.failed()) return call.Error();
  absl::StatusOr<sqs::ListDeadLetterSourceQueuesResult> result =
      service_.ListDeadLetterSourceQueues(request);
  if (!result.ok()) return call.Error(result.status());
  call.BeginResult();
  for (const std::string& url : result->queue_urls) {
    call.xml().Element("QueueUrl", urls_.ToClient(url));
  }
  if (!result->next_token.empty()) call.xml().Element("NextToken", result->next_token);
  return call.Finish();
}

// ---- Messages ---------------------------------------------------------------

HttpResponse SqsQueryProtocol::SendMessage(Call& call) const {
  sqs::SendMessageRequest request;
  if (!call.QueueUrl(&request.queue_url)) return call.Error();
  call.Str("MessageBody", &request.message_body, /*required=*/true);
  call.Int("DelaySeconds", &request.delay_seconds);
  call.MessageAttributes("MessageAttribute", &request.message_attributes);
  call.MessageAttributes("MessageSystemAttribute", &request.message_system_attributes);
  call.Str("MessageDeduplicationId", &request.message_deduplication_id);
  call.Str("MessageGroupId", &request.message_group_id);
  if (call.failed()) return call.Error();
  absl::StatusOr<sqs::SendMessageResult> result = service_.SendMessage(request);
  if (!result.ok()) return call.Error(result.status());
  call.BeginResult();
  WriteSendResult(call.xml(), result->message_id, result->md5_of_message_body,
                  result->md5_of_message_attributes, result->md5_of_message_system_attributes,
                  result->sequence_number);
  return call.Finish();
}

HttpResponse SqsQueryProtocol::SendMessageBatch(Call& call) const {
  sqs::SendMessageBatchRequest request;
  if (!call.QueueUrl(&request.queue_url)) return call.Error();
  for (int i = 1;; ++i) {
    std::string base = absl::StrCat("SendMessageBatchRequestEntry.", i, ".");
    const std::string* id = call.Find(absl::StrCat(base, "Id"));
    if (id == nullptr) break;
    sqs::SendMessageBatchRequestEntry& entry = request.entries.emplace_back();
    entry.id = *id;
    call.Str(absl::StrCat(base, "MessageBody"), &entry.message_body);
    call.Int(absl::StrCat(base, "DelaySeconds"), &entry.delay_seconds);
    call.MessageAttributes(absl::StrCat(base, "MessageAttribute"), &entry.message_attributes);
    call.MessageAttributes(absl::StrCat(base, "MessageSystemAttribute"),
                           &entry.message_system_attributes);
    call.Str(absl::StrCat(base, "MessageDeduplicationId"), &entry.message_deduplication_id);
    call.Str(absl::StrCat(base, "MessageGroupId"), &entry.message_group_id);
    if (call.failed()) return call.Error();
  }
  absl::StatusOr<sqs::SendMessageBatchResult> result = service_.SendMessageBatch(request);
  if (!result.ok()) return call.Error(result.status());
  call.BeginResult();
  for (const sqs::SendMessageBatchResultEntry& entry : result->successful) {
    call.xml().Open("SendMessageBatchResultEntry");
    call.xml().Element("Id", entry.id);
    WriteSendResult(call.xml(), entry.message_id, entry.md5_of_message_body,
                    entry.md5_of_message_attributes, entry.md5_of_message_system_attributes,
                    entry.sequence_number);
    call.xml().Close("SendMessageBatchResultEntry");
  }
  WriteBatchErrors(call.xml(), result->failed);
  return call.Finish();
}

HttpResponse SqsQueryProtocol::ReceiveMessage(Call& call) const {
  sqs::ReceiveMessageRequest request;
  request.stop_token = shutdown_;
  if (!call.QueueUrl(&request.queue_url)) return call.Error();
  std::optional<int> max_messages;
  call.Int("MaxNumberOfMessages", &max_messages);
  if (max_messages) request.max_number_of_messages = *max_messages;
  call.Int("VisibilityTimeout", &request.visibility_timeout);
  call.Int("WaitTimeSeconds", &request.wait_time_seconds);
  call.List("MessageAttributeName", &request.message_attribute_names);
  call.List("AttributeName", &request.message_system_attribute_names);
  call.List("MessageSystemAttributeName", &request.message_system_attribute_names);
  call.Str("ReceiveRequestAttemptId", &request.receive_request_attempt_id);
  if (call.failed()) return call.Error();
  absl::StatusOr<sqs::ReceiveMessageResult> result = service_.ReceiveMessage(request);
  if (!result.ok()) return call.Error(result.status());
  call.BeginResult();
  XmlWriter& xml = call.xml();
  std::string base64;
  for (const sqs::Message& message : result->messages) {
    xml.Open("Message");
    xml.Element("MessageId", message.message_id);
    xml.Element("ReceiptHandle", message.receipt_handle);
    xml.Element("MD5OfBody", message.md5_of_body);
    xml.Element("Body", message.body);
    WriteAttributeMap(xml, message.attributes, "Attribute", "Name", "Value");
    if (!message.md5_of_message_attributes.empty()) {
      xml.Element("MD5OfMessageAttributes", message.md5_of_message_attributes);
    }
    for (const auto& [name, value] : message.message_attributes) {
      xml.Open("MessageAttribute");
      xml.Element("Name", name);
      xml.Open("Value");
      if (IsBinaryType(value.data_type)) {
        absl::Base64Escape(value.binary_value, &base64);
        xml.Element("BinaryValue", base64);
      } else {
        xml.Element("StringValue", value.string_value);
      }
      xml.Element("DataType", value.data_type);
      xml.Close("Value");
      xml.Close("MessageAttribute");
    }
    xml.Close("Message");
  }
  return call.Finish();
}

HttpResponse SqsQueryProtocol::DeleteMessage(Call& call) const {
  sqs::DeleteMessageRequest request;
  if (!call.QueueUrl(&request.queue_url)) return call.Error();
  call.Str("ReceiptHandle", &request.receipt_handle, /*required=*/true);
  if (call.failed()) return call.Error();
  absl::Status status = service_.DeleteMessage(request);
  if (!status.ok()) return call.Error(status);
  return call.Empty();
}

HttpResponse SqsQueryProtocol::DeleteMessageBatch(Call& call) const {
  sqs::DeleteMessageBatchRequest request;
  if (!call.QueueUrl(&request.queue_url)) return call.Error();
  for (int i = 1;; ++i) {
    std::string base = absl::StrCat("DeleteMessageBatchRequestEntry.", i, ".");
    const std::string* id = call.Find(absl::StrCat(base, "Id"));
    if (id == nullptr) break;
    sqs::DeleteMessageBatchRequestEntry& entry = request.entries.emplace_back();
    entry.id = *id;
    call.Str(absl::StrCat(base, "ReceiptHandle"), &entry.receipt_handle);
  }
  absl::StatusOr<sqs::DeleteMessageBatchResult> result = service_.DeleteMessageBatch(request);
  if (!result.ok()) return call.Error(result.status());
  call.BeginResult();
  for (const std::string& id : result->successful) {
    call.xml().Open("DeleteMessageBatchResultEntry");
    call.xml().Element("Id", id);
    call.xml().Close("DeleteMessageBatchResultEntry");
  }
  WriteBatchErrors(call.xml(), result->failed);
  return call.Finish();
}

HttpResponse SqsQueryProtocol::ChangeMessageVisibility(Call& call) const {
  sqs::ChangeMessageVisibilityRequest request;
  if (!call.QueueUrl(&request.queue_url)) return call.Error();
  if (!call.Str("ReceiptHandle", &request.receipt_handle, /*required=*/true) ||
      !call.RequiredInt("VisibilityTimeout", &request.visibility_timeout)) {
    return call.Error();
  }
  absl::Status status = service_.ChangeMessageVisibility(request);
  if (!status.ok()) return call.Error(status);
  return call.Empty();
}

HttpResponse SqsQueryProtocol::ChangeMessageVisibilityBatch(Call& call) const {
  sqs::ChangeMessageVisibilityBatchRequest request;
  if (!call.QueueUrl(&request.queue_url)) return call.Error();
  for (int i = 1;; ++i) {
    std::string base = absl::StrCat("ChangeMessageVisibilityBatchRequestEntry.", i, ".");
    const std::string* id = call.Find(absl::StrCat(base, "Id"));
    if (id == nullptr) break;
    sqs::ChangeMessageVisibilityBatchRequestEntry& entry = request.entries.emplace_back();
    entry.id = *id;
    call.Str(absl::StrCat(base, "ReceiptHandle"), &entry.receipt_handle);
    std::optional<int> timeout;
    call.Int(absl::StrCat(base, "VisibilityTimeout"), &timeout);
    entry.visibility_timeout = timeout.value_or(0);
    if (call.failed()) return call.Error();
  }
  absl::StatusOr<sqs::ChangeMessageVisibilityBatchResult> result =
      service_.ChangeMessageVisibilityBatch(request);
  if (!result.ok()) return call.Error(result.status());
  call.BeginResult();
  for (const std::string& id : result->successful) {
    call.xml().Open("ChangeMessageVisibilityBatchResultEntry");
    call.xml().Element("Id", id);
    call.xml().Close("ChangeMessageVisibilityBatchResultEntry");
  }
  WriteBatchErrors(call.xml(), result->failed);
  return call.Finish();
}

// ---- Message move tasks -----------------------------------------------------

HttpResponse SqsQueryProtocol::StartMessageMoveTask(Call& call) const {
  sqs::StartMessageMoveTaskRequest request;
  call.Str("SourceArn", &request.source_arn, /*required=*/true);
  call.Str("DestinationArn", &request.destination_arn);
  call.Int("MaxNumberOfMessagesPerSecond", &request.max_number_of_messages_per_second);
  if (call.failed()) return call.Error();
  absl::StatusOr<sqs::StartMessageMoveTaskResult> result = service_.StartMessageMoveTask(request);
  if (!result.ok()) return call.Error(result.status());
  call.BeginResult();
  call.xml().Element("TaskHandle", result->task_handle);
  return call.Finish();
}

HttpResponse SqsQueryProtocol::ListMessageMoveTasks(Call& call) const {
  sqs::ListMessageMoveTasksRequest request;
  call.Str("SourceArn", &request.source_arn, /*required=*/true);
  call.Int("MaxResults", &request.max_results);
  if (call.failed()) return call.Error();
  absl::StatusOr<sqs::ListMessageMoveTasksResult> result = service_.ListMessageMoveTasks(request);
  if (!result.ok()) return call.Error(result.status());
  call.BeginResult();
  XmlWriter& xml = call.xml();
  for (const sqs::MessageMoveTask& task : result->results) {
    xml.Open("ListMessageMoveTasksResultEntry");
    if (!task.task_handle.empty()) xml.Element("TaskHandle", task.task_handle);
    xml.Element("Status", task.status);
    xml.Element("SourceArn", task.source_arn);
    if (!task.destination_arn.empty()) xml.Element("DestinationArn", task.destination_arn);
    if (task.max_number_of_messages_per_second) {
      xml.Element("MaxNumberOfMessagesPerSecond",
                  absl::StrCat(*task.max_number_of_messages_per_second));
    }
    xml.Element("ApproximateNumberOfMessagesMoved",
                absl::StrCat(task.approximate_number_of_messages_moved));
    xml.Element("ApproximateNumberOfMessagesToMove",
                absl::StrCat(task.approximate_number_of_messages_to_move));
    if (!task.failure_reason.empty()) xml.Element("FailureReason", task.failure_reason);
    xml.Element("StartedTimestamp", absl::StrCat(task.started_timestamp));
    xml.Close("ListMessageMoveTasksResultEntry");
  }
  return call.Finish();
}

HttpResponse SqsQueryProtocol::CancelMessageMoveTask(Call& call) const {
  sqs::CancelMessageMoveTaskRequest request;
  call.Str("TaskHandle", &request.task_handle, /*required=*/true);
  if (call.failed()) return call.Error();
  absl::StatusOr<sqs::CancelMessageMoveTaskResult> result = service_.CancelMessageMoveTask(request);
  if (!result.ok()) return call.Error(result.status());
  call.BeginResult();
  call.xml().Element("ApproximateNumberOfMessagesMoved",
                     absl::StrCat(result->approximate_number_of_messages_moved));
  return call.Finish();
}

}  // namespace wharf::wire
