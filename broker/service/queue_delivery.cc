#include "broker/service/queue_delivery.h"

#include <utility>

#include "broker/base/aws_errors.h"
#include "broker/service/message_validation.h"
#include "wharf/errors.h"

namespace wharf::service_internal {

absl::Status QueueDelivery::DeliverToQueue(std::string_view queue_arn,
                                           queue_internal::SendArgs args) {
  std::shared_ptr<QueueImpl> queue = Find(queue_arn);
  if (queue == nullptr) return base_internal::QueueDoesNotExistError();
  const queue_internal::Payload& p = *args.payload;
  static const MessageAttributeMap kNone;
  const MessageAttributeMap& attributes =
      p.attributes != nullptr ? p.attributes->message_attributes : kNone;
  // The text and attributes were validated when published; only the queue's
  // own limits remain, counted as SendMessage counts them.
  if (attributes.size() > 10 ||
      MessageSize(p.body, attributes) > static_cast<size_t>(queue->maximum_message_size())) {
    return MakeError(ErrorCode::kInvalidParameterValue, "Message does not fit the queue.");
  }
  if (!queue->fifo()) args.delay = absl::Seconds(queue->delay_seconds());
  if (!queue->Place(std::move(args))) return base_internal::QueueDoesNotExistError();
  return absl::OkStatus();
}

std::shared_ptr<QueueImpl> QueueDelivery::Find(std::string_view queue_arn) {
  const absl::string_view key(queue_arn.data(), queue_arn.size());
  {
    ReaderMutexLock lock(&mu_);
    if (auto it = cache_.find(key); it != cache_.end()) {
      std::shared_ptr<QueueImpl> queue = it->second.lock();
      if (queue != nullptr && !queue->deleted()) return queue;
    }
  }
  std::shared_ptr<QueueImpl> queue = sqs_.FindByArn(queue_arn);
  if (queue == nullptr) return nullptr;
  MutexLock lock(&mu_);
  if (cache_.size() >= kMaxCachedQueues) cache_.clear();
  cache_[key] = queue;
  return queue;
}

}  // namespace wharf::service_internal
