#include "broker/service/events_endpoints.h"

#include <optional>
#include <utility>

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

DeliveryOutcome EventsEndpoints::SendToQueue(std::string_view queue_arn,
                                             base_internal::PayloadRef payload,
                                             std::string_view message_group_id) {
  if (queues_ == nullptr) return FromStatus(base_internal::QueueDoesNotExistError(), false);
  queue_internal::SendArgs args;
  args.payload = std::move(payload);
  args.message_group_id = std::string(message_group_id);
  absl::Status sent = queues_->DeliverToQueue(queue_arn, std::move(args));
  if (sent.ok()) return DeliveryOutcome::Ok();
  return FromStatus(sent, IsRetryableSqsError(sent));
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

}  // namespace wharf::service_internal
