#include "broker/service/events_endpoints.h"

#include <optional>
#include <utility>
#include <vector>

#include "broker/base/arn.h"
#include "broker/base/aws_errors.h"
#include "wharf/errors.h"

namespace wharf::service_internal {
namespace {

using bus_internal::DeliveryOutcome;

bool IsRetryableSqsError(const absl::Status& status) {
  std::optional<ErrorCode> code = GetErrorCode(status);
  return !code.has_value() || *code == ErrorCode::kInternalFailure ||
         *code == ErrorCode::kServiceUnavailable || *code == ErrorCode::kOverLimit;
}

DeliveryOutcome FromStatus(const absl::Status& status, bool retryable) {
  std::optional<ErrorCode> code = GetErrorCode(status);
  std::string name = code.has_value() ? std::string(GetErrorInfo(*code).name)
                                      : absl::StatusCodeToString(status.code());
  std::string message(status.message());
  return retryable ? DeliveryOutcome::Retryable(std::move(name), std::move(message))
                   : DeliveryOutcome::Permanent(std::move(name), std::move(message));
}

}  // namespace

DeliveryOutcome EventsEndpoints::SendToQueue(std::string_view queue_arn, std::string_view body,
                                             std::string_view message_group_id,
                                             const MessageAttributeMap& attributes,
                                             std::string_view trace_header) {
  sqs::SendMessageRequest request;
  request.message_body = std::string(body);
  request.message_group_id = std::string(message_group_id);
  request.message_attributes = attributes;
  if (!trace_header.empty()) {
    request.message_system_attributes["AWSTraceHeader"] =
        MessageAttributeValue::String(std::string(trace_header));
  }
  // A cached handle of a deleted queue fails with QueueDoesNotExist: look
  // the ARN up again once (the queue may have been re-created).
  for (int pass = 0; pass < 2; ++pass) {
    auto queue = Open(queue_arn, pass == 1);
    if (!queue.ok()) return FromStatus(queue.status(), false);
    auto sent = (*queue)->SendMessage(request);
    if (sent.ok()) return DeliveryOutcome::Ok();
    if (GetErrorCode(sent.status()) == ErrorCode::kQueueDoesNotExist && pass == 0) continue;
    return FromStatus(sent.status(), IsRetryableSqsError(sent.status()));
  }
  return FromStatus(base_internal::QueueDoesNotExistError(), false);
}

DeliveryOutcome EventsEndpoints::PublishToTopic(std::string_view topic_arn,
                                                std::string_view message) {
  if (sns_ == nullptr) return FromStatus(base_internal::TopicNotFoundError(), false);
  sns::PublishRequest request;
  request.topic_arn = std::string(topic_arn);
  request.message = std::string(message);
  auto published = sns_->Publish(request);
  if (published.ok()) return DeliveryOutcome::Ok();
  std::optional<ErrorCode> code = GetErrorCode(published.status());
  bool retryable = !code.has_value() || *code == ErrorCode::kSnsInternalError;
  return FromStatus(published.status(), retryable);
}

DeliveryOutcome EventsEndpoints::InvokeFunction(std::string_view function_arn,
                                                std::string_view payload) {
  if (functions_ == nullptr) {
    return DeliveryOutcome::Permanent("ResourceNotFoundException",
                                      "Function not found: " + std::string(function_arn));
  }
  absl::Status queued = functions_->InvokeAsync(function_arn, std::string(payload));
  if (queued.ok()) return DeliveryOutcome::Ok();
  std::optional<ErrorCode> code = GetErrorCode(queued);
  // Throttling and a broker shutting down pass; a missing function or an
  // oversized event does not.
  bool retryable = code == ErrorCode::kLambdaTooManyRequests || code == ErrorCode::kLambdaService;
  return FromStatus(queued, retryable);
}

absl::StatusOr<std::shared_ptr<sqs::Queue>> EventsEndpoints::Open(std::string_view arn,
                                                                  bool refresh) {
  if (sqs_ == nullptr) return base_internal::QueueDoesNotExistError();
  std::string key(arn);
  if (!refresh) {
    ReaderMutexLock lock(&mu_);
    auto it = queues_.find(key);
    if (it != queues_.end()) return it->second;
  }
  // arn:aws:sqs:<region>:<account>:<name>
  std::vector<std::string_view> parts = base_internal::ArnFields(key);
  if (parts.size() != 6) return base_internal::QueueDoesNotExistError();
  sqs::GetQueueUrlRequest lookup;
  lookup.queue_name = std::string(parts[5]);
  lookup.queue_owner_aws_account_id = std::string(parts[4]);
  auto url = sqs_->GetQueueUrl(lookup);
  if (!url.ok()) return url.status();
  auto queue = sqs_->OpenQueue(url->queue_url);
  if (!queue.ok()) return queue.status();
  MutexLock lock(&mu_);
  queues_[key] = *queue;
  return *queue;
}

}  // namespace wharf::service_internal
