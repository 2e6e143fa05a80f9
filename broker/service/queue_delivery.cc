#include "broker/service/queue_delivery.h"

#include <utility>

#include "broker/base/aws_errors.h"
#include "broker/base/digests.h"
#include "broker/service/message_validation.h"
#include "broker/service/queue_checks.h"
#include "wharf/errors.h"

namespace wharf::service_internal {

absl::Status QueueDelivery::DeliverToQueue(std::string_view queue_arn,
                                           queue_internal::SendArgs args) {
  std::shared_ptr<QueueImpl> queue = Find(queue_arn);
  if (queue == nullptr) return base_internal::QueueDoesNotExistError();
  const queue_internal::Payload& p = *args.payload;
  static const MessageAttributeMap kNone;
  const MessageAttributeMap& attributes =
      p.attributes() != nullptr ? p.attributes()->message_attributes : kNone;
  // The text and attributes were validated when published; only the queue's
  // own limits remain, counted as SendMessage counts them.
  if (attributes.size() > 10 ||
      MessageSize(p.body(), attributes) > static_cast<size_t>(queue->maximum_message_size())) {
    return MakeError(ErrorCode::kInvalidParameterValue, "Message does not fit the queue.");
  }
  // The group and deduplication rules of SendMessage; the publisher's checks
  // may differ (an EventBridge target names its group; SNS passes its own).
  if (!args.message_group_id.empty() && !IsValidIdToken(args.message_group_id)) {
    return base_internal::InvalidIdTokenError("MessageGroupId", args.message_group_id);
  }
  if (queue->fifo()) {
    if (args.message_group_id.empty()) return queue_checks::MissingGroupId(false);
    if (args.deduplication_id.empty()) {
      if (!queue->content_based_deduplication()) return queue_checks::MissingDeduplicationId();
      args.deduplication_id = base_internal::Sha256Hex(p.body());
    }
  } else {
    args.delay = absl::Seconds(queue->delay_seconds());
  }
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
