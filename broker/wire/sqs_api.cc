// The SQS operation table (API 2012-11-05): each operation's members mapped
// once, for the query protocol (XML, flattened lists and maps under their
// xmlName: "Attribute.1.Name", "<SendMessageBatchResultEntry>") and AWS JSON
// 1.0 (member names: "Attributes", "Successful").

#include <optional>
#include <stop_token>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "absl/strings/escaping.h"
#include "broker/base/aws_errors.h"
#include "broker/wire/apis.h"
#include "broker/wire/operation_table.h"

namespace wharf::wire {
namespace {

void AdjustQueryError(ErrorCode code, WireError* error) {
  if (code == ErrorCode::kQueueDoesNotExist) {
    error->message = "The specified queue does not exist for this wsdl version.";
  }
}

constexpr ServiceModel kSqsModel = {
    .signing_name = "sqs",
    .xml_namespace = "http://queue.amazonaws.com/doc/2012-11-05/",
    .xml_flattened = true,
    .json_target_prefix = "AmazonSQS",
    .json_content_type = "application/x-amz-json-1.0",
    .json_type_prefix = "com.amazonaws.sqs#",
    .query_compatible = true,
    .missing = ErrorCode::kMissingParameter,
    .invalid_value = ErrorCode::kInvalidParameterValue,
    .query_error = AdjustQueryError,
};

// Every request with a queue_url reads it first: the QueueUrl member, else
// the path it was posted to. Every result's queue URLs point back at the
// endpoint.
struct SqsTarget {
  sqs::Service& service;
  const QueueUrlMapper& urls;
  std::stop_token shutdown;

  template <typename Request>
  bool Prepare(Exchange& exchange, Request& request) const {
    // A queue's URL is no endpoint for the account's actions: AWS answers
    // CreateQueue and ListQueues sent to one with InvalidAction (LocalStack
    // test_get_create_queue_fails and test_get_list_queues_fails,
    // AWS-validated).
    if constexpr (std::is_same_v<Request, sqs::CreateQueueRequest> ||
                  std::is_same_v<Request, sqs::ListQueuesRequest>) {
      if (!urls.FromPath(exchange.request().path).empty()) {
        return exchange.input().Fail(UnknownOperationError(
            "action",
            std::is_same_v<Request, sqs::CreateQueueRequest> ? "CreateQueue" : "ListQueues"));
      }
    }
    if constexpr (requires { request.queue_url; }) {
      std::string url;
      if (!exchange.input().Str("QueueUrl", &url)) return false;
      request.queue_url = url.empty() ? urls.FromPath(exchange.request().path) : urls.ToBroker(url);
      if (request.queue_url.empty()) {
        return exchange.input().Fail(ErrorFor(ErrorCode::kMissingParameter,
                                              "The request must contain the parameter QueueUrl."));
      }
    }
    return true;
  }

  // The request's X-Ray header is the AWSTraceHeader of every message it
  // sends without one: the system attribute wins ("Amazon SQS and AWS
  // X-Ray", X-Ray developer guide).
  template <typename Request>
  void Complete(const Exchange& exchange, Request& request) const {
    const std::string_view trace = XRayTraceHeader(exchange.request());
    if (trace.empty()) return;
    auto add = [&](sqs::MessageAttributeMap& system) {
      if (!system.contains("AWSTraceHeader")) {
        system.emplace("AWSTraceHeader", MessageAttributeValue::String(std::string(trace)));
      }
    };
    if constexpr (std::is_same_v<Request, sqs::SendMessageRequest>) {
      add(request.message_system_attributes);
    } else if constexpr (std::is_same_v<Request, sqs::SendMessageBatchRequest>) {
      for (sqs::SendMessageBatchRequestEntry& entry : request.entries) {
        add(entry.message_system_attributes);
      }
    }
  }

  template <typename Result>
  void Adjust(Result& result) const {
    if constexpr (requires { result.queue_url; })
      result.queue_url = urls.ToClient(result.queue_url);
    if constexpr (requires { result.queue_urls; }) {
      for (std::string& url : result.queue_urls) url = urls.ToClient(url);
    }
  }
};

constexpr MapNames kNameValue = {"Name", "Value"};
constexpr MapNames kKeyValue = {"Key", "Value"};

bool IsBinaryType(std::string_view data_type) { return data_type.substr(0, 6) == "Binary"; }

bool MessageAttributes(Input& in, Name name, sqs::MessageAttributeMap* out) {
  return DecodeMessageAttributes(in, name, out, ErrorCode::kInvalidParameterValue);
}

// ---- Queues -----------------------------------------------------------------

bool DecodeCreateQueue(Input& in, sqs::CreateQueueRequest& r) {
  return in.Str("QueueName", &r.queue_name, kRequired) &&
         in.StrMap({"Attributes", "Attribute"}, kNameValue, &r.attributes) &&
         in.StrMap({"tags", "Tag"}, kKeyValue, &r.tags);
}

template <typename Result>
void EncodeQueueUrl(Output& out, const Result& r) {
  out.Str("QueueUrl", r.queue_url);
}

bool DecodeListQueues(Input& in, sqs::ListQueuesRequest& r) {
  return in.Str("QueueNamePrefix", &r.queue_name_prefix) && in.Int("MaxResults", &r.max_results) &&
         in.Str("NextToken", &r.next_token);
}

void EncodeListQueues(Output& out, const sqs::ListQueuesResult& r) {
  if (!r.queue_urls.empty()) out.StrList({"QueueUrls", "QueueUrl"}, r.queue_urls);
  out.StrIfSet("NextToken", r.next_token);
}

bool DecodeGetQueueUrl(Input& in, sqs::GetQueueUrlRequest& r) {
  return in.Str("QueueName", &r.queue_name, kRequired) &&
         in.Str("QueueOwnerAWSAccountId", &r.queue_owner_aws_account_id);
}

bool DecodeGetQueueAttributes(Input& in, sqs::GetQueueAttributesRequest& r) {
  return in.StrList({"AttributeNames", "AttributeName"}, &r.attribute_names);
}

void EncodeGetQueueAttributes(Output& out, const sqs::GetQueueAttributesResult& r) {
  if (!r.attributes.empty()) out.StrMap({"Attributes", "Attribute"}, kNameValue, r.attributes);
}

bool DecodeSetQueueAttributes(Input& in, sqs::SetQueueAttributesRequest& r) {
  return in.StrMap({"Attributes", "Attribute"}, kNameValue, &r.attributes, kRequired);
}

bool DecodeTagQueue(Input& in, sqs::TagQueueRequest& r) {
  return in.StrMap({"Tags", "Tag"}, kKeyValue, &r.tags, kRequired);
}

bool DecodeUntagQueue(Input& in, sqs::UntagQueueRequest& r) {
  return in.StrList({"TagKeys", "TagKey"}, &r.tag_keys);
}

void EncodeListQueueTags(Output& out, const sqs::ListQueueTagsResult& r) {
  if (!r.tags.empty()) out.StrMap({"Tags", "Tag"}, kKeyValue, r.tags);
}

bool DecodeListDeadLetterSourceQueues(Input& in, sqs::ListDeadLetterSourceQueuesRequest& r) {
  return in.Int("MaxResults", &r.max_results) && in.Str("NextToken", &r.next_token);
}

void EncodeListDeadLetterSourceQueues(Output& out, const sqs::ListDeadLetterSourceQueuesResult& r) {
  out.StrList({"queueUrls", "QueueUrl"}, r.queue_urls);  // Lower-case in the model.
  out.StrIfSet("NextToken", r.next_token);
}

bool DecodeAddPermission(Input& in, sqs::AddPermissionRequest& r) {
  return in.Str("Label", &r.label) &&
         in.StrList({"AWSAccountIds", "AWSAccountId"}, &r.aws_account_ids) &&
         in.StrList({"Actions", "ActionName"}, &r.actions);
}

bool DecodeRemovePermission(Input& in, sqs::RemovePermissionRequest& r) {
  return in.Str("Label", &r.label);
}

// ---- Messages ---------------------------------------------------------------

// MessageGroupId or MessageDeduplicationId. Given empty, it is invalid, not
// absent: AWS answers the service's invalid-token error with an empty value,
// which the request structs (empty: not given) cannot carry to the service.
bool IdToken(Input& in, const char* name, std::string* out) {
  std::optional<std::string> value;
  if (!in.Str(name, &value)) return false;
  if (!value) return true;
  if (value->empty()) {
    return in.Fail(ErrorFromStatus(base_internal::InvalidIdTokenError(name, "")));
  }
  *out = std::move(*value);
  return true;
}

template <typename Request>
bool DecodeSend(Input& in, Request& r, bool body_required) {
  return in.Str("MessageBody", &r.message_body, body_required) &&
         in.Int("DelaySeconds", &r.delay_seconds) &&
         MessageAttributes(in, {"MessageAttributes", "MessageAttribute"}, &r.message_attributes) &&
         MessageAttributes(in, {"MessageSystemAttributes", "MessageSystemAttribute"},
                           &r.message_system_attributes) &&
         IdToken(in, "MessageDeduplicationId", &r.message_deduplication_id) &&
         IdToken(in, "MessageGroupId", &r.message_group_id);
}

bool DecodeSendMessage(Input& in, sqs::SendMessageRequest& r) {
  return DecodeSend(in, r, kRequired);
}

template <typename Result>
void EncodeSendMessage(Output& out, const Result& r) {
  out.Str("MessageId", r.message_id);
  out.Str("MD5OfMessageBody", r.md5_of_message_body.str());
  out.StrIfSet("MD5OfMessageAttributes", r.md5_of_message_attributes);
  out.StrIfSet("MD5OfMessageSystemAttributes", r.md5_of_message_system_attributes);
  out.StrIfSet("SequenceNumber", r.sequence_number);
}

// "<Action>RequestEntry" on the query protocol, "Entries" in JSON.
template <typename Entry>
bool DecodeEntries(Input& in, const char* query_name, std::vector<Entry>* entries,
                   bool (*decode)(Input&, Entry&)) {
  return in.List({"Entries", query_name},
                 [&](Input& element) { return decode(element, entries->emplace_back()); });
}

// AWS leaves out an empty Failed (JSON: LocalStack
// test_send_message_batch_with_oversized_contents_with_updated_maximum_message_size,
// AWS-validated; query: an empty flattened list is no element either).
void EncodeFailed(Output& out, const std::vector<sqs::BatchResultErrorEntry>& failed) {
  if (failed.empty()) return;
  out.List({"Failed", "BatchResultErrorEntry"}, failed, [&](const sqs::BatchResultErrorEntry& e) {
    out.Str("Id", e.id);
    out.Bool("SenderFault", e.sender_fault);
    out.Str("Code", GetErrorInfo(e.code).query_code);
    out.Str("Message", e.message);
  });
}

// Successful ids and failures, the result of the Delete and
// ChangeMessageVisibility batches.
template <typename Result>
void EncodeBatchIds(Output& out, const Result& r, const char* entry) {
  out.List({"Successful", entry}, r.successful, [&](const std::string& id) { out.Str("Id", id); });
  EncodeFailed(out, r.failed);
}

bool DecodeSendEntry(Input& in, sqs::SendMessageBatchRequestEntry& e) {
  return in.Str("Id", &e.id) && DecodeSend(in, e, false);
}

bool DecodeSendMessageBatch(Input& in, sqs::SendMessageBatchRequest& r) {
  return DecodeEntries(in, "SendMessageBatchRequestEntry", &r.entries, DecodeSendEntry);
}

void EncodeSendMessageBatch(Output& out, const sqs::SendMessageBatchResult& r) {
  out.List({"Successful", "SendMessageBatchResultEntry"}, r.successful,
           [&](const sqs::SendMessageBatchResultEntry& e) {
             out.Str("Id", e.id);
             EncodeSendMessage(out, e);
           });
  EncodeFailed(out, r.failed);
}

bool DecodeReceiveMessage(Input& in, sqs::ReceiveMessageRequest& r) {
  std::optional<int> max_messages;
  if (!in.Int("MaxNumberOfMessages", &max_messages) ||
      !in.Int("VisibilityTimeout", &r.visibility_timeout) ||
      !in.Int("WaitTimeSeconds", &r.wait_time_seconds) ||
      !in.StrList({"MessageAttributeNames", "MessageAttributeName"}, &r.message_attribute_names) ||
      !in.StrList({"AttributeNames", "AttributeName"}, &r.message_system_attribute_names) ||
      !in.StrList({"MessageSystemAttributeNames", "MessageSystemAttributeName"},
                  &r.message_system_attribute_names) ||
      !in.Str("ReceiveRequestAttemptId", &r.receive_request_attempt_id)) {
    return false;
  }
  if (max_messages) r.max_number_of_messages = *max_messages;
  return true;
}

void EncodeReceiveMessage(Output& out, const sqs::ReceiveMessageResult& r) {
  if (r.messages.empty()) return;
  out.List({"Messages", "Message"}, r.messages, [&](const sqs::Message& m) {
    out.Str("MessageId", m.message_id);
    out.Str("ReceiptHandle", m.receipt_handle);
    out.Str("MD5OfBody", m.md5_of_body.str());
    out.Str("Body", m.body);
    if (!m.attributes.empty()) out.StrMap({"Attributes", "Attribute"}, kNameValue, m.attributes);
    out.StrIfSet("MD5OfMessageAttributes", m.md5_of_message_attributes);
    if (m.message_attributes.empty()) return;
    out.BeginMap({"MessageAttributes", "MessageAttribute"}, kNameValue);
    for (const auto& [name, value] : m.message_attributes) {
      out.BeginEntry(name);
      if (IsBinaryType(value.data_type)) {
        out.Str("BinaryValue", absl::Base64Escape(value.binary_value));
      } else {
        out.Str("StringValue", value.string_value);
      }
      out.Str("DataType", value.data_type);
      out.EndEntry();
    }
    out.EndMap();
  });
}

// A long poll's stop token: stopped when the request's cancel or the
// endpoint's shutdown is. Owns the exchange until the receive completes.
class LongPoll {
 public:
  LongPoll(ExchangePtr exchange, const std::stop_token& shutdown) : exchange_(std::move(exchange)) {
    on_cancel_.emplace(exchange_->request().cancel, Stop{&stop_});
    on_shutdown_.emplace(shutdown, Stop{&stop_});
  }
  std::stop_token token() const { return stop_.get_token(); }
  // Unregisters from both tokens and hands the exchange back.
  ExchangePtr Finish() {
    on_cancel_.reset();
    on_shutdown_.reset();
    return std::move(exchange_);
  }

 private:
  struct Stop {
    std::stop_source* source;
    void operator()() const { source->request_stop(); }
  };

  ExchangePtr exchange_;
  std::stop_source stop_;
  std::optional<std::stop_callback<Stop>> on_cancel_;
  std::optional<std::stop_callback<Stop>> on_shutdown_;
};

// Waits without a thread: the answer is rendered when the receive completes.
void ReceiveMessage(const SqsTarget& target, ExchangePtr exchange) {
  sqs::ReceiveMessageRequest request;
  if (!target.Prepare(*exchange, request) || !DecodeReceiveMessage(exchange->input(), request)) {
    return exchange->ReplyDecodeError();
  }
  auto poll = std::make_unique<LongPoll>(std::move(exchange), target.shutdown);
  request.stop_token = poll->token();
  target.service.ReceiveMessageAsync(
      std::move(request),
      [poll = std::move(poll)](absl::StatusOr<sqs::ReceiveMessageResult> result) mutable {
        ExchangePtr exchange = poll->Finish();
        Answer<EncodeReceiveMessage>(*exchange, std::monostate(), result);
      });
}

bool DecodeDeleteMessage(Input& in, sqs::DeleteMessageRequest& r) {
  return in.Str("ReceiptHandle", &r.receipt_handle, kRequired);
}

bool DecodeDeleteEntry(Input& in, sqs::DeleteMessageBatchRequestEntry& e) {
  return in.Str("Id", &e.id) && in.Str("ReceiptHandle", &e.receipt_handle);
}

bool DecodeDeleteMessageBatch(Input& in, sqs::DeleteMessageBatchRequest& r) {
  return DecodeEntries(in, "DeleteMessageBatchRequestEntry", &r.entries, DecodeDeleteEntry);
}

void EncodeDeleteMessageBatch(Output& out, const sqs::DeleteMessageBatchResult& r) {
  EncodeBatchIds(out, r, "DeleteMessageBatchResultEntry");
}

bool DecodeChangeMessageVisibility(Input& in, sqs::ChangeMessageVisibilityRequest& r) {
  std::optional<int> timeout;
  if (!in.Str("ReceiptHandle", &r.receipt_handle, kRequired) ||
      !in.Int("VisibilityTimeout", &timeout, kRequired)) {
    return false;
  }
  r.visibility_timeout = *timeout;
  return true;
}

bool DecodeVisibilityEntry(Input& in, sqs::ChangeMessageVisibilityBatchRequestEntry& e) {
  std::optional<int> timeout;
  bool ok = in.Str("Id", &e.id) && in.Str("ReceiptHandle", &e.receipt_handle) &&
            in.Int("VisibilityTimeout", &timeout);
  e.visibility_timeout = timeout.value_or(0);
  return ok;
}

bool DecodeChangeMessageVisibilityBatch(Input& in, sqs::ChangeMessageVisibilityBatchRequest& r) {
  return DecodeEntries(in, "ChangeMessageVisibilityBatchRequestEntry", &r.entries,
                       DecodeVisibilityEntry);
}

void EncodeChangeMessageVisibilityBatch(Output& out,
                                        const sqs::ChangeMessageVisibilityBatchResult& r) {
  EncodeBatchIds(out, r, "ChangeMessageVisibilityBatchResultEntry");
}

// ---- Message move tasks -----------------------------------------------------

bool DecodeStartMessageMoveTask(Input& in, sqs::StartMessageMoveTaskRequest& r) {
  return in.Str("SourceArn", &r.source_arn, kRequired) &&
         in.Str("DestinationArn", &r.destination_arn) &&
         in.Int("MaxNumberOfMessagesPerSecond", &r.max_number_of_messages_per_second);
}

void EncodeStartMessageMoveTask(Output& out, const sqs::StartMessageMoveTaskResult& r) {
  out.Str("TaskHandle", r.task_handle);
}

bool DecodeListMessageMoveTasks(Input& in, sqs::ListMessageMoveTasksRequest& r) {
  return in.Str("SourceArn", &r.source_arn, kRequired) && in.Int("MaxResults", &r.max_results);
}

void EncodeListMessageMoveTasks(Output& out, const sqs::ListMessageMoveTasksResult& r) {
  out.List({"Results", "ListMessageMoveTasksResultEntry"}, r.results,
           [&](const sqs::MessageMoveTask& task) {
             out.StrIfSet("TaskHandle", task.task_handle);
             out.Str("Status", task.status);
             out.Str("SourceArn", task.source_arn);
             out.StrIfSet("DestinationArn", task.destination_arn);
             if (task.max_number_of_messages_per_second) {
               out.Int("MaxNumberOfMessagesPerSecond", *task.max_number_of_messages_per_second);
             }
             out.Int("ApproximateNumberOfMessagesMoved", task.approximate_number_of_messages_moved);
             out.Int("ApproximateNumberOfMessagesToMove",
                     task.approximate_number_of_messages_to_move);
             out.StrIfSet("FailureReason", task.failure_reason);
             out.Int("StartedTimestamp", task.started_timestamp);
           });
}

bool DecodeCancelMessageMoveTask(Input& in, sqs::CancelMessageMoveTaskRequest& r) {
  return in.Str("TaskHandle", &r.task_handle, kRequired);
}

void EncodeCancelMessageMoveTask(Output& out, const sqs::CancelMessageMoveTaskResult& r) {
  out.Int("ApproximateNumberOfMessagesMoved", r.approximate_number_of_messages_moved);
}

using S = sqs::Service;

}  // namespace

std::shared_ptr<const Api> MakeSqsApi(sqs::Service& service, const QueueUrlMapper& urls,
                                      std::stop_token shutdown) {
  return MakeOperationTable(
      kSqsModel, SqsTarget{service, urls, std::move(shutdown)},
      {
          {"CreateQueue",
           RunOp<DecodeCreateQueue, &S::CreateQueue, EncodeQueueUrl<sqs::CreateQueueResult>>},
          {"DeleteQueue", RunOp<nullptr, &S::DeleteQueue>},
          {"ListQueues", RunOp<DecodeListQueues, &S::ListQueues, EncodeListQueues>},
          {"GetQueueUrl",
           RunOp<DecodeGetQueueUrl, &S::GetQueueUrl, EncodeQueueUrl<sqs::GetQueueUrlResult>>},
          {"GetQueueAttributes",
           RunOp<DecodeGetQueueAttributes, &S::GetQueueAttributes, EncodeGetQueueAttributes>},
          {"SetQueueAttributes", RunOp<DecodeSetQueueAttributes, &S::SetQueueAttributes>},
          {"PurgeQueue", RunOp<nullptr, &S::PurgeQueue>},
          {"TagQueue", RunOp<DecodeTagQueue, &S::TagQueue>},
          {"UntagQueue", RunOp<DecodeUntagQueue, &S::UntagQueue>},
          {"ListQueueTags", RunOp<nullptr, &S::ListQueueTags, EncodeListQueueTags>},
          {"ListDeadLetterSourceQueues",
           RunOp<DecodeListDeadLetterSourceQueues, &S::ListDeadLetterSourceQueues,
                 EncodeListDeadLetterSourceQueues>},
          {"AddPermission", RunOp<DecodeAddPermission, &S::AddPermission>},
          {"RemovePermission", RunOp<DecodeRemovePermission, &S::RemovePermission>},
          {"SendMessage",
           RunOp<DecodeSendMessage, &S::SendMessage, EncodeSendMessage<sqs::SendMessageResult>>},
          {"SendMessageBatch",
           RunOp<DecodeSendMessageBatch, &S::SendMessageBatch, EncodeSendMessageBatch>},
          {"ReceiveMessage", ReceiveMessage},
          {"DeleteMessage", RunOp<DecodeDeleteMessage, &S::DeleteMessage>},
          {"DeleteMessageBatch",
           RunOp<DecodeDeleteMessageBatch, &S::DeleteMessageBatch, EncodeDeleteMessageBatch>},
          {"ChangeMessageVisibility",
           RunOp<DecodeChangeMessageVisibility, &S::ChangeMessageVisibility>},
          {"ChangeMessageVisibilityBatch",
           RunOp<DecodeChangeMessageVisibilityBatch, &S::ChangeMessageVisibilityBatch,
                 EncodeChangeMessageVisibilityBatch>},
          {"StartMessageMoveTask",
           RunOp<DecodeStartMessageMoveTask, &S::StartMessageMoveTask, EncodeStartMessageMoveTask>},
          {"ListMessageMoveTasks",
           RunOp<DecodeListMessageMoveTasks, &S::ListMessageMoveTasks, EncodeListMessageMoveTasks>},
          {"CancelMessageMoveTask", RunOp<DecodeCancelMessageMoveTask, &S::CancelMessageMoveTask,
                                          EncodeCancelMessageMoveTask>},
      });
}

}  // namespace wharf::wire
