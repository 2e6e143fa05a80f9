// The one in-process delivery seam: how a component that is not the queue's
// owner places a message into a queue of the same broker, by the queue's ARN,
// sharing the message's Payload (no copy of the body, no second digest).
// SNS fan-out (broker/topic) and EventBridge queue targets (broker/bus,
// through the service's EventsEndpoints) deliver through it; dead-letter
// moves and message move tasks use QueueImpl::Place directly.
//
// The SQS service implements it (broker/service/queue_delivery.h); a test can
// record deliveries instead (tests/service/fake_queues.h).
//
// Thread safety: implementations are thread-safe.

#ifndef WHARF_BROKER_QUEUE_QUEUE_DELIVERER_H_
#define WHARF_BROKER_QUEUE_QUEUE_DELIVERER_H_

#include <string_view>

#include "absl/status/status.h"
#include "broker/queue/queue_core.h"

namespace wharf::queue_internal {

class QueueDeliverer {
 public:
  virtual ~QueueDeliverer() = default;

  // Enqueues `args` into the queue named by `queue_arn`, sharing the payload
  // (no copy, no re-validation of the text). Never calls back into the
  // caller's layer. A FIFO message without a deduplication id is deduplicated
  // by content when the queue has content-based deduplication. Errors:
  // QueueDoesNotExist; InvalidParameterValue when the message does not fit
  // the queue (over its MaximumMessageSize, more than 10 message attributes)
  // or has an invalid group id; MissingParameter for a FIFO queue without a
  // group id, or without a deduplication id the queue could make. A FIFO
  // duplicate is a success.
  virtual absl::Status DeliverToQueue(std::string_view queue_arn, SendArgs args) = 0;
};

}  // namespace wharf::queue_internal

#endif  // WHARF_BROKER_QUEUE_QUEUE_DELIVERER_H_
