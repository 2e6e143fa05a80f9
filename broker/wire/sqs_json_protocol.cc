#include "broker/wire/sqs_json_protocol.h"

#include <simdjson.h>

#include <climits>
#include <cmath>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "broker/wire/error_mapping.h"
#include "rapidjson/stringbuffer.h"
#include "rapidjson/writer.h"

namespace wharf::wire {
namespace {

absl::string_view Absl(std::string_view s) { return absl::string_view(s.data(), s.size()); }

constexpr JsonErrorStyle kErrorStyle = {.type_prefix = "com.amazonaws.sqs#",
                                        .content_type = "application/x-amz-json-1.0",
                                        .query_compatible = true};

std::string MissingMessage(std::string_view name) {
  return absl::StrCat("The request must contain the parameter ", Absl(name), ".");
}

std::string WrongType(std::string_view name, std::string_view expected) {
  return absl::StrCat("Member ", Absl(name), " must be ", Absl(expected), ".");
}

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void Key(Writer& w, std::string_view key) {
  w.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
}
void String(Writer& w, std::string_view value) {
  w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}
void Member(Writer& w, std::string_view key, std::string_view value) {
  Key(w, key);
  String(w, value);
}
void MemberIfSet(Writer& w, std::string_view key, std::string_view value) {
  if (!value.empty()) Member(w, key, value);
}
void StringMap(Writer& w, std::string_view key, const std::map<std::string, std::string>& map) {
  Key(w, key);
  w.StartObject();
  for (const auto& [k, v] : map) Member(w, k, v);
  w.EndObject();
}

bool IsBinaryType(std::string_view data_type) { return data_type.substr(0, 6) == "Binary"; }

}  // namespace

// One request: the parsed body, the first decoding error, and the JSON
// response being written.
class SqsJsonProtocol::Call {
 public:
  Call(const RequestContext& context, const QueueUrlMapper& urls)
      : context_(context), urls_(urls), writer_(buffer_) {
    std::string_view body = context.http.body;
    if (body.empty()) body = "{}";
    simdjson::dom::element root;
    if (parser_.parse(body.data(), body.size()).get(root) != simdjson::SUCCESS) {
      Fail(SerializationError("The request body is not valid JSON."));
      return;
    }
    if (root.get_object().get(root_) != simdjson::SUCCESS) {
      Fail(SerializationError("The request body must be a JSON object."));
    }
  }

  bool failed() const { return error_.has_value(); }
  simdjson::dom::object root() const { return root_; }

  // ---- Decoding: each reads member `key` of `object`; absent and null are
  // the same. They return false after recording the first error. ----

  // Looks `key` up; false when absent or null.
  static bool Lookup(simdjson::dom::object object, std::string_view key,
                     simdjson::dom::element* out) {
    if (object.at_key(key).get(*out) != simdjson::SUCCESS) return false;
    return !out->is_null();
  }

  bool Str(simdjson::dom::object object, std::string_view key, std::string* out,
           bool required = false) {
    simdjson::dom::element element;
    if (!Lookup(object, key, &element)) {
      if (required) Fail(ErrorFor(ErrorCode::kMissingParameter, MissingMessage(key)));
      return !required;
    }
    std::string_view value;
    if (element.get_string().get(value) != simdjson::SUCCESS) {
      Fail(SerializationError(WrongType(key, "a string")));
      return false;
    }
    out->assign(value.data(), value.size());
    return true;
  }

  bool Int(simdjson::dom::object object, std::string_view key, std::optional<int>* out) {
    simdjson::dom::element element;
    if (!Lookup(object, key, &element)) return true;
    int64_t value = 0;
    bool ok = false;
    if (element.is_int64()) {
      ok = element.get_int64().get(value) == simdjson::SUCCESS;
    } else if (element.is_double()) {
      double d = 0;
      ok = element.get_double().get(d) == simdjson::SUCCESS && std::isfinite(d) &&
           d == std::floor(d) && std::fabs(d) < 1e15;
      if (ok) value = static_cast<int64_t>(d);  // Out-of-range casts are undefined.
    } else if (element.is_string()) {
      std::string_view text;
      ok = element.get_string().get(text) == simdjson::SUCCESS &&
           absl::SimpleAtoi(Absl(text), &value);
    }
    if (!ok) {
      Fail(SerializationError(WrongType(key, "an integer")));
      return false;
    }
    if (value < INT_MIN || value > INT_MAX) {
      Fail(ErrorFor(ErrorCode::kInvalidParameterValue,
                    absl::StrCat("Value ", value, " for parameter ", Absl(key),
                                 " is invalid. Reason: Must be a 32-bit integer.")));
      return false;
    }
    *out = static_cast<int>(value);
    return true;
  }

  bool RequiredInt(simdjson::dom::object object, std::string_view key, int* out) {
    std::optional<int> value;
    if (!Int(object, key, &value)) return false;
    if (!value) {
      Fail(ErrorFor(ErrorCode::kMissingParameter, MissingMessage(key)));
      return false;
    }
    *out = *value;
    return true;
  }

  bool QueueUrl(std::string* out) {
    std::string url;
    if (!Str(root_, "QueueUrl", &url)) return false;
    if (!url.empty()) {
      *out = urls_.ToBroker(url);
      return true;
    }
    *out = urls_.FromPath(context_.http.path);
    if (out->empty()) {
      Fail(ErrorFor(ErrorCode::kMissingParameter, MissingMessage("QueueUrl")));
      return false;
    }
    return true;
  }

  bool StrList(simdjson::dom::object object, std::string_view key, std::vector<std::string>* out) {
    simdjson::dom::element element;
    if (!Lookup(object, key, &element)) return true;
    simdjson::dom::array array;
    if (element.get_array().get(array) != simdjson::SUCCESS) {
      Fail(SerializationError(WrongType(key, "a list of strings")));
      return false;
    }
    for (simdjson::dom::element item : array) {
      std::string_view value;
      if (item.get_string().get(value) != simdjson::SUCCESS) {
        Fail(SerializationError(WrongType(key, "a list of strings")));
        return false;
      }
      out->emplace_back(value);
    }
    return true;
  }

  bool StrMap(simdjson::dom::object object, std::string_view key,
              std::map<std::string, std::string>* out, bool required = false) {
    simdjson::dom::element element;
    if (!Lookup(object, key, &element)) {
      if (required) Fail(ErrorFor(ErrorCode::kMissingParameter, MissingMessage(key)));
      return !required;
    }
    simdjson::dom::object map;
    if (element.get_object().get(map) != simdjson::SUCCESS) {
      Fail(SerializationError(WrongType(key, "a map of strings")));
      return false;
    }
    for (simdjson::dom::key_value_pair field : map) {
      std::string_view value;
      if (field.value.get_string().get(value) != simdjson::SUCCESS) {
        Fail(SerializationError(WrongType(key, "a map of strings")));
        return false;
      }
      (*out)[std::string(field.key)] = std::string(value);
    }
    return true;
  }

  // {"name": {"DataType": .., "StringValue": .., "BinaryValue": base64}}
  bool MessageAttributes(simdjson::dom::object object, std::string_view key,
                         sqs::MessageAttributeMap* out) {
    simdjson::dom::element element;
    if (!Lookup(object, key, &element)) return true;
    simdjson::dom::object map;
    if (element.get_object().get(map) != simdjson::SUCCESS) {
      Fail(SerializationError(WrongType(key, "a map of message attributes")));
      return false;
    }
    for (simdjson::dom::key_value_pair field : map) {
      simdjson::dom::object attribute;
      if (field.value.get_object().get(attribute) != simdjson::SUCCESS) {
        Fail(SerializationError(WrongType(key, "a map of message attributes")));
        return false;
      }
      sqs::MessageAttributeValue value;
      std::string binary;
      if (!Str(attribute, "DataType", &value.data_type) ||
          !Str(attribute, "StringValue", &value.string_value) ||
          !Str(attribute, "BinaryValue", &binary)) {
        return false;
      }
      if (!binary.empty() && !absl::Base64Unescape(binary, &value.binary_value)) {
        Fail(SerializationError(absl::StrCat("BinaryValue of message attribute '", Absl(field.key),
                                             "' is not valid base64.")));
        return false;
      }
      (*out)[std::string(field.key)] = std::move(value);
    }
    return true;
  }

  // Calls `entry(object)` for each element of the list `key` (which must
  // hold objects).
  template <typename F>
  bool Entries(std::string_view key, F entry) {
    simdjson::dom::element element;
    if (!Lookup(root_, key, &element)) return true;
    simdjson::dom::array array;
    if (element.get_array().get(array) != simdjson::SUCCESS) {
      Fail(SerializationError(WrongType(key, "a list of entries")));
      return false;
    }
    for (simdjson::dom::element item : array) {
      simdjson::dom::object object;
      if (item.get_object().get(object) != simdjson::SUCCESS) {
        Fail(SerializationError(WrongType(key, "a list of entries")));
        return false;
      }
      if (!entry(object)) return false;
    }
    return true;
  }

  void Fail(WireError error) {
    if (!error_) error_ = std::move(error);
  }

  // ---- Encoding ----

  // The writer of the response object (already opened).
  Writer& out() {
    if (!started_) {
      started_ = true;
      writer_.StartObject();
    }
    return writer_;
  }

  HttpResponse Finish() {
    out().EndObject();
    HttpResponse response;
    response.content_type = "application/x-amz-json-1.0";
    response.body.assign(buffer_.GetString(), buffer_.GetSize());
    response.headers.emplace_back("x-amzn-RequestId", std::string(context_.request_id));
    return response;
  }

  HttpResponse Error() { return Error(*error_); }
  HttpResponse Error(const absl::Status& status) { return Error(ErrorFromStatus(status)); }
  HttpResponse Error(const WireError& error) {
    return RenderJsonError(error, context_.request_id, kErrorStyle);
  }

 private:
  const RequestContext& context_;
  const QueueUrlMapper& urls_;
  simdjson::dom::parser parser_;
  simdjson::dom::object root_;
  std::optional<WireError> error_;
  rapidjson::StringBuffer buffer_;
  Writer writer_;
  bool started_ = false;
};

namespace {

using Call = SqsJsonProtocol::Call;

void WriteBatchErrors(Writer& w, const std::vector<sqs::BatchResultErrorEntry>& failed) {
  Key(w, "Failed");
  w.StartArray();
  for (const sqs::BatchResultErrorEntry& entry : failed) {
    w.StartObject();
    Member(w, "Id", entry.id);
    Key(w, "SenderFault");
    w.Bool(entry.sender_fault);
    Member(w, "Code", GetErrorInfo(entry.code).query_code);
    Member(w, "Message", entry.message);
    w.EndObject();
  }
  w.EndArray();
}

void WriteIds(Writer& w, const std::vector<std::string>& ids) {
  Key(w, "Successful");
  w.StartArray();
  for (const std::string& id : ids) {
    w.StartObject();
    Member(w, "Id", id);
    w.EndObject();
  }
  w.EndArray();
}

void WriteSendResult(Writer& w, const std::string& message_id, const std::string& md5_body,
                     const std::string& md5_attributes, const std::string& md5_system,
                     const std::string& sequence_number) {
  Member(w, "MessageId", message_id);
  Member(w, "MD5OfMessageBody", md5_body);
  MemberIfSet(w, "MD5OfMessageAttributes", md5_attributes);
  MemberIfSet(w, "MD5OfMessageSystemAttributes", md5_system);
  MemberIfSet(w, "SequenceNumber", sequence_number);
}

}  // namespace

SqsJsonProtocol::SqsJsonProtocol(sqs::Service& service, const QueueUrlMapper& urls,
                                 std::stop_token shutdown)
    : service_(service), urls_(urls), shutdown_(std::move(shutdown)) {
  operations_ = {
      {"CreateQueue", &SqsJsonProtocol::CreateQueue},
      {"DeleteQueue", &SqsJsonProtocol::DeleteQueue},
      {"ListQueues", &SqsJsonProtocol::ListQueues},
      {"GetQueueUrl", &SqsJsonProtocol::GetQueueUrl},
      {"GetQueueAttributes", &SqsJsonProtocol::GetQueueAttributes},
      {"SetQueueAttributes", &SqsJsonProtocol::SetQueueAttributes},
      {"PurgeQueue", &SqsJsonProtocol::PurgeQueue},
      {"TagQueue", &SqsJsonProtocol::TagQueue},
      {"UntagQueue", &SqsJsonProtocol::UntagQueue},
      {"ListQueueTags", &SqsJsonProtocol::ListQueueTags},
      {"ListDeadLetterSourceQueues", &SqsJsonProtocol::ListDeadLetterSourceQueues},
      {"SendMessage", &SqsJsonProtocol::SendMessage},
      {"SendMessageBatch", &SqsJsonProtocol::SendMessageBatch},
      {"ReceiveMessage", &SqsJsonProtocol::ReceiveMessage},
      {"DeleteMessage", &SqsJsonProtocol::DeleteMessage},
      {"DeleteMessageBatch", &SqsJsonProtocol::DeleteMessageBatch},
      {"ChangeMessageVisibility", &SqsJsonProtocol::ChangeMessageVisibility},
      {"ChangeMessageVisibilityBatch", &SqsJsonProtocol::ChangeMessageVisibilityBatch},
      {"StartMessageMoveTask", &SqsJsonProtocol::StartMessageMoveTask},
      {"ListMessageMoveTasks", &SqsJsonProtocol::ListMessageMoveTasks},
      {"CancelMessageMoveTask", &SqsJsonProtocol::CancelMessageMoveTask},
      {"AddPermission", &SqsJsonProtocol::AddPermission},
      {"RemovePermission", &SqsJsonProtocol::RemovePermission},
  };
}

HttpResponse SqsJsonProtocol::RenderError(const RequestContext& context,
                                          const WireError& error) const {
  return RenderJsonError(error, context.request_id, kErrorStyle);
}

HttpResponse SqsJsonProtocol::Handle(const RequestContext& context,
                                     std::string_view operation) const {
  auto it = operations_.find(Absl(operation));
  if (it == operations_.end()) {
    return RenderError(context, ErrorFor(ErrorCode::kInvalidAction,
                                         absl::StrCat("The action ", Absl(operation),
                                                      " is not valid for this endpoint.")));
  }
  Call call(context, urls_);
  if (call.failed()) return call.Error();
  return (this->*(it->second))(call);
}

// ---- Queue lifecycle --------------------------------------------------------

HttpResponse SqsJsonProtocol::CreateQueue(Call& call) const {
  sqs::CreateQueueRequest request;
  if (!call.Str(call.root(), "QueueName", &request.queue_name, /*required=*/true) ||
      !call.StrMap(call.root(), "Attributes", &request.attributes) ||
      !call.StrMap(call.root(), "tags", &request.tags)) {
    return call.Error();
  }
  absl::StatusOr<sqs::CreateQueueResult> result = service_.CreateQueue(request);
  if (!result.ok()) return call.Error(result.status());
  Member(call.out(), "QueueUrl", urls_.ToClient(result->queue_url));
  return call.Finish();
}

HttpResponse SqsJsonProtocol::DeleteQueue(Call& call) const {
  sqs::DeleteQueueRequest request;
  if (!call.QueueUrl(&request.queue_url)) return call.Error();
  absl::Status status = service_.DeleteQueue(request);
  if (!status.ok()) return call.Error(status);
  return call.Finish();
}

HttpResponse SqsJsonProtocol::ListQueues(Call& call) const {
  sqs::ListQueuesRequest request;
  if (!call.Str(call.root(), "QueueNamePrefix", &request.queue_name_prefix) ||
      !call.Int(call.root(), "MaxResults", &request.max_results) ||
      !call.Str(call.root(), "NextToken", &request.next_token)) {
    return call.Error();
  }
  absl::StatusOr<sqs::ListQueuesResult> result = service_.ListQueues(request);
  if (!result.ok()) return call.Error(result.status());
  Writer& w = call.out();
  if (!result->queue_urls.empty()) {
    Key(w, "QueueUrls");
    w.StartArray();
    for (const std::string& url : result->queue_urls) String(w, urls_.ToClient(url));
    w.EndArray();
  }
  MemberIfSet(w, "NextToken", result->next_token);
  return call.Finish();
}

HttpResponse SqsJsonProtocol::GetQueueUrl(Call& call) const {
  sqs::GetQueueUrlRequest request;
  if (!call.Str(call.root(), "QueueName", &request.queue_name, /*required=*/true) ||
      !call.Str(call.root(), "QueueOwnerAWSAccountId", &request.queue_owner_aws_account_id)) {
    return call.Error();
  }
  absl::StatusOr<sqs::GetQueueUrlResult> result = service_.GetQueueUrl(request);
  if (!result.ok()) return call.Error(result.status());
  Member(call.out(), "QueueUrl", urls_.ToClient(result->queue_url));
  return call.Finish();
}

HttpResponse SqsJsonProtocol::GetQueueAttributes(Call& call) const {
  sqs::GetQueueAttributesRequest request;
  if (!call.QueueUrl(&request.queue_url) ||
      !call.StrList(call.root(), "AttributeNames", &request.attribute_names)) {
    return call.Error();
  }
  absl::StatusOr<sqs::GetQueueAttributesResult> result = service_.GetQueueAttributes(request);
  if (!result.ok()) return call.Error(result.status());
  if (!result->attributes.empty()) StringMap(call.out(), "Attributes", result->attributes);
  return call.Finish();
}

HttpResponse SqsJsonProtocol::SetQueueAttributes(Call& call) const {
  sqs::SetQueueAttributesRequest request;
  if (!call.QueueUrl(&request.queue_url) ||
      !call.StrMap(call.root(), "Attributes", &request.attributes, /*required=*/true)) {
    return call.Error();
  }
  absl::Status status = service_.SetQueueAttributes(request);
  if (!status.ok()) return call.Error(status);
  return call.Finish();
}

HttpResponse SqsJsonProtocol::PurgeQueue(Call& call) const {
  sqs::PurgeQueueRequest request;
  if (!call.QueueUrl(&request.queue_url)) return call.Error();
  absl::Status status = service_.PurgeQueue(request);
  if (!status.ok()) return call.Error(status);
  return call.Finish();
}

HttpResponse SqsJsonProtocol::TagQueue(Call& call) const {
  sqs::TagQueueRequest request;
  if (!call.QueueUrl(&request.queue_url) ||
      !call.StrMap(call.root(), "Tags", &request.tags, /*required=*/true)) {
    return call.Error();
  }
  absl::Status status = service_.TagQueue(request);
  if (!status.ok()) return call.Error(status);
  return call.Finish();
}

HttpResponse SqsJsonProtocol::UntagQueue(Call& call) const {
  sqs::UntagQueueRequest request;
  if (!call.QueueUrl(&request.queue_url) ||
      !call.StrList(call.root(), "TagKeys", &request.tag_keys)) {
    return call.Error();
  }
  absl::Status status = service_.UntagQueue(request);
  if (!status.ok()) return call.Error(status);
  return call.Finish();
}

HttpResponse SqsJsonProtocol::ListQueueTags(Call& call) const {
  sqs::ListQueueTagsRequest request;
  if (!call.QueueUrl(&request.queue_url)) return call.Error();
  absl::StatusOr<sqs::ListQueueTagsResult> result = service_.ListQueueTags(request);
  if (!result.ok()) return call.Error(result.status());
  if (!result->tags.empty()) StringMap(call.out(), "Tags", result->tags);
  return call.Finish();
}

HttpResponse SqsJsonProtocol::AddPermission(Call& call) const {
  sqs::AddPermissionRequest request;
  if (!call.QueueUrl(&request.queue_url) || !call.Str(call.root(), "Label", &request.label) ||
      !call.StrList(call.root(), "AWSAccountIds", &request.aws_account_ids) ||
      !call.StrList(call.root(), "Actions", &request.actions)) {
    return call.Error();
  }
  absl::Status status = service_.AddPermission(request);
  if (!status.ok()) return call.Error(status);
  return call.Finish();
}

HttpResponse SqsJsonProtocol::RemovePermission(Call& call) const {
  sqs::RemovePermissionRequest request;
  if (!call.QueueUrl(&request.queue_url) || !call.Str(call.root(), "Label", &request.label)) {
    return call.Error();
  }
  absl::Status status = service_.RemovePermission(request);
  if (!status.ok()) return call.Error(status);
  return call.Finish();
}

HttpResponse SqsJsonProtocol::ListDeadLetterSourceQueues(Call& call) const {
  sqs::ListDeadLetterSourceQueuesRequest request;
  if (!call.QueueUrl(&request.queue_url) ||
      !call.Int(call.root(), "MaxResults", &request.max_results) ||
      !call.Str(call.root(), "NextToken", &request.next_token)) {
    return call.Error();
  }
  absl::StatusOr<sqs::ListDeadLetterSourceQueuesResult> result =
      service_.ListDeadLetterSourceQueues(request);
  if (!result.ok()) return call.Error(result.status());
  Writer& w = call.out();
  Key(w, "queueUrls");  // Lower-case in the model.
  w.StartArray();
  for (const std::string& url : result->queue_urls) String(w, urls_.ToClient(url));
  w.EndArray();
  MemberIfSet(w, "NextToken", result->next_token);
  return call.Finish();
}

// ---- Messages ---------------------------------------------------------------

HttpResponse SqsJsonProtocol::SendMessage(Call& call) const {
  sqs::SendMessageRequest request;
  simdjson::dom::object root = call.root();
  if (!call.QueueUrl(&request.queue_url) ||
      !call.Str(root, "MessageBody", &request.message_body, /*required=*/true) ||
      !call.Int(root, "DelaySeconds", &request.delay_seconds) ||
      !call.MessageAttributes(root, "MessageAttributes", &request.message_attributes) ||
      !call.MessageAttributes(root, "MessageSystemAttributes",
                              &request.message_system_attributes) ||
      !call.Str(root, "MessageDeduplicationId", &request.message_deduplication_id) ||
      !call.Str(root, "MessageGroupId", &request.message_group_id)) {
    return call.Error();
  }
  absl::StatusOr<sqs::SendMessageResult> result = service_.SendMessage(request);
  if (!result.ok()) return call.Error(result.status());
  WriteSendResult(call.out(), result->message_id, result->md5_of_message_body,
                  result->md5_of_message_attributes, result->md5_of_message_system_attributes,
                  result->sequence_number);
  return call.Finish();
}

HttpResponse SqsJsonProtocol::SendMessageBatch(Call& call) const {
  sqs::SendMessageBatchRequest request;
  if (!call.QueueUrl(&request.queue_url)) return call.Error();
  bool ok = call.Entries("Entries", [&](simdjson::dom::object object) {
    sqs::SendMessageBatchRequestEntry& entry = request.entries.emplace_back();
    return call.Str(object, "Id", &entry.id) &&
           call.Str(object, "MessageBody", &entry.message_body) &&
           call.Int(object, "DelaySeconds", &entry.delay_seconds) &&
           call.MessageAttributes(object, "MessageAttributes", &entry.message_attributes) &&
           call.MessageAttributes(object, "MessageSystemAttributes",
                                  &entry.message_system_attributes) &&
           call.Str(object, "MessageDeduplicationId", &entry.message_deduplication_id) &&
           call.Str(object, "MessageGroupId", &entry.message_group_id);
  });
  if (!ok) return call.Error();
  absl::StatusOr<sqs::SendMessageBatchResult> result = service_.SendMessageBatch(request);
  if (!result.ok()) return call.Error(result.status());
  Writer& w = call.out();
  Key(w, "Successful");
  w.StartArray();
  for (const sqs::SendMessageBatchResultEntry& entry : result->successful) {
    w.StartObject();
    Member(w, "Id", entry.id);
    WriteSendResult(w, entry.message_id, entry.md5_of_message_body, entry.md5_of_message_attributes,
                    entry.md5_of_message_system_attributes, entry.sequence_number);
    w.EndObject();
  }
  w.EndArray();
  WriteBatchErrors(w, result->failed);
  return call.Finish();
}

HttpResponse SqsJsonProtocol::ReceiveMessage(Call& call) const {
  sqs::ReceiveMessageRequest request;
  request.stop_token = shutdown_;
  simdjson::dom::object root = call.root();
  std::optional<int> max_messages;
  if (!call.QueueUrl(&request.queue_url) || !call.Int(root, "MaxNumberOfMessages", &max_messages) ||
      !call.Int(root, "VisibilityTimeout", &request.visibility_timeout) ||
      !call.Int(root, "WaitTimeSeconds", &request.wait_time_seconds) ||
      !call.StrList(root, "MessageAttributeNames", &request.message_attribute_names) ||
      !call.StrList(root, "AttributeNames", &request.message_system_attribute_names) ||
      !call.StrList(root, "MessageSystemAttributeNames", &request.message_system_attribute_names) ||
      !call.Str(root, "ReceiveRequestAttemptId", &request.receive_request_attempt_id)) {
    return call.Error();
  }
  if (max_messages) request.max_number_of_messages = *max_messages;
  absl::StatusOr<sqs::ReceiveMessageResult> result = service_.ReceiveMessage(request);
  if (!result.ok()) return call.Error(result.status());
  Writer& w = call.out();
  if (!result->messages.empty()) {
    Key(w, "Messages");
    w.StartArray();
    std::string base64;
    for (const sqs::Message& message : result->messages) {
      w.StartObject();
      Member(w, "MessageId", message.message_id);
      Member(w, "ReceiptHandle", message.receipt_handle);
      Member(w, "MD5OfBody", message.md5_of_body);
      Member(w, "Body", message.body);
      if (!message.attributes.empty()) StringMap(w, "Attributes", message.attributes);
      MemberIfSet(w, "MD5OfMessageAttributes", message.md5_of_message_attributes);
      if (!message.message_attributes.empty()) {
        Key(w, "MessageAttributes");
        w.StartObject();
        for (const auto& [name, value] : message.message_attributes) {
          Key(w, name);
          w.StartObject();
          if (IsBinaryType(value.data_type)) {
            absl::Base64Escape(value.binary_value, &base64);
            Member(w, "BinaryValue", base64);
          } else {
            Member(w, "StringValue", value.string_value);
          }
          Member(w, "DataType", value.data_type);
          w.EndObject();
        }
        w.EndObject();
      }
      w.EndObject();
    }
    w.EndArray();
  }
  return call.Finish();
}

HttpResponse SqsJsonProtocol::DeleteMessage(Call& call) const {
  sqs::DeleteMessageRequest request;
  if (!call.QueueUrl(&request.queue_url) ||
      !call.Str(call.root(), "ReceiptHandle", &request.receipt_handle, /*required=*/true)) {
    return call.Error();
  }
  absl::Status status = service_.DeleteMessage(request);
  if (!status.ok()) return call.Error(status);
  return call.Finish();
}

HttpResponse SqsJsonProtocol::DeleteMessageBatch(Call& call) const {
  sqs::DeleteMessageBatchRequest request;
  if (!call.QueueUrl(&request.queue_url)) return call.Error();
  bool ok = call.Entries("Entries", [&](simdjson::dom::object object) {
    sqs::DeleteMessageBatchRequestEntry& entry = request.entries.emplace_back();
    return call.Str(object, "Id", &entry.id) &&
           call.Str(object, "ReceiptHandle", &entry.receipt_handle);
  });
  if (!ok) return call.Error();
  absl::StatusOr<sqs::DeleteMessageBatchResult> result = service_.DeleteMessageBatch(request);
  if (!result.ok()) return call.Error(result.status());
  WriteIds(call.out(), result->successful);
  WriteBatchErrors(call.out(), result->failed);
  return call.Finish();
}

HttpResponse SqsJsonProtocol::ChangeMessageVisibility(Call& call) const {
  sqs::ChangeMessageVisibilityRequest request;
  if (!call.QueueUrl(&request.queue_url) ||
      !call.Str(call.root(), "ReceiptHandle", &request.receipt_handle, /*required=*/true) ||
      !call.RequiredInt(call.root(), "VisibilityTimeout", &request.visibility_timeout)) {
    return call.Error();
  }
  absl::Status status = service_.ChangeMessageVisibility(request);
  if (!status.ok()) return call.Error(status);
  return call.Finish();
}

HttpResponse SqsJsonProtocol::ChangeMessageVisibilityBatch(Call& call) const {
  sqs::ChangeMessageVisibilityBatchRequest request;
  if (!call.QueueUrl(&request.queue_url)) return call.Error();
  bool ok = call.Entries("Entries", [&](simdjson::dom::object object) {
    sqs::ChangeMessageVisibilityBatchRequestEntry& entry = request.entries.emplace_back();
    std::optional<int> timeout;
    bool fields = call.Str(object, "Id", &entry.id) &&
                  call.Str(object, "ReceiptHandle", &entry.receipt_handle) &&
                  call.Int(object, "VisibilityTimeout", &timeout);
    entry.visibility_timeout = timeout.value_or(0);
    return fields;
  });
  if (!ok) return call.Error();
  absl::StatusOr<sqs::ChangeMessageVisibilityBatchResult> result =
      service_.ChangeMessageVisibilityBatch(request);
  if (!result.ok()) return call.Error(result.status());
  WriteIds(call.out(), result->successful);
  WriteBatchErrors(call.out(), result->failed);
  return call.Finish();
}

// ---- Message move tasks -----------------------------------------------------

HttpResponse SqsJsonProtocol::StartMessageMoveTask(Call& call) const {
  sqs::StartMessageMoveTaskRequest request;
  simdjson::dom::object root = call.root();
  if (!call.Str(root, "SourceArn", &request.source_arn, /*required=*/true) ||
      !call.Str(root, "DestinationArn", &request.destination_arn) ||
      !call.Int(root, "MaxNumberOfMessagesPerSecond", &request.max_number_of_messages_per_second)) {
    return call.Error();
  }
  absl::StatusOr<sqs::StartMessageMoveTaskResult> result = service_.StartMessageMoveTask(request);
  if (!result.ok()) return call.Error(result.status());
  Member(call.out(), "TaskHandle", result->task_handle);
  return call.Finish();
}

HttpResponse SqsJsonProtocol::ListMessageMoveTasks(Call& call) const {
  sqs::ListMessageMoveTasksRequest request;
  if (!call.Str(call.root(), "SourceArn", &request.source_arn, /*required=*/true) ||
      !call.Int(call.root(), "MaxResults", &request.max_results)) {
    return call.Error();
  }
  absl::StatusOr<sqs::ListMessageMoveTasksResult> result = service_.ListMessageMoveTasks(request);
  if (!result.ok()) return call.Error(result.status());
  Writer& w = call.out();
  Key(w, "Results");
  w.StartArray();
  for (const sqs::MessageMoveTask& task : result->results) {
    w.StartObject();
    MemberIfSet(w, "TaskHandle", task.task_handle);
    Member(w, "Status", task.status);
    Member(w, "SourceArn", task.source_arn);
    MemberIfSet(w, "DestinationArn", task.destination_arn);
    if (task.max_number_of_messages_per_second) {
      Key(w, "MaxNumberOfMessagesPerSecond");
      w.Int(*task.max_number_of_messages_per_second);
    }
    Key(w, "ApproximateNumberOfMessagesMoved");
    w.Int64(task.approximate_number_of_messages_moved);
    Key(w, "ApproximateNumberOfMessagesToMove");
    w.Int64(task.approximate_number_of_messages_to_move);
    MemberIfSet(w, "FailureReason", task.failure_reason);
    Key(w, "StartedTimestamp");
    w.Int64(task.started_timestamp);
    w.EndObject();
  }
  w.EndArray();
  return call.Finish();
}

HttpResponse SqsJsonProtocol::CancelMessageMoveTask(Call& call) const {
  sqs::CancelMessageMoveTaskRequest request;
  if (!call.Str(call.root(), "TaskHandle", &request.task_handle, /*required=*/true)) {
    return call.Error();
  }
  absl::StatusOr<sqs::CancelMessageMoveTaskResult> result = service_.CancelMessageMoveTask(request);
  if (!result.ok()) return call.Error(result.status());
  Key(call.out(), "ApproximateNumberOfMessagesMoved");
  call.out().Int64(result->approximate_number_of_messages_moved);
  return call.Finish();
}

}  // namespace wharf::wire
