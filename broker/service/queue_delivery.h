// QueueDelivery: the SQS side of the delivery seam
// (broker/queue/queue_deliverer.h). It places a shared payload straight into
// the engine of the queue an ARN names, after the checks a queue makes of any
// message (its size limit and the 10-attribute limit; the text and attributes
// were validated where the message entered the broker).
//
// Thread safety: thread-safe.

#ifndef WHARF_BROKER_SERVICE_QUEUE_DELIVERY_H_
#define WHARF_BROKER_SERVICE_QUEUE_DELIVERY_H_

#include <memory>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "broker/base/mutex.h"
#include "broker/queue/queue_deliverer.h"
#include "broker/service/sqs_service_impl.h"

namespace wharf::service_internal {

class QueueDelivery final : public queue_internal::QueueDeliverer {
 public:
  // `sqs` must outlive the delivery.
  explicit QueueDelivery(SqsServiceImpl& sqs) : sqs_(sqs) {}

  absl::Status DeliverToQueue(std::string_view queue_arn, queue_internal::SendArgs args) override;

 private:
  // Bounds the cache; past it, the cache starts over.
  static constexpr size_t kMaxCachedQueues = 4096;

  // FindByArn parses the ARN and looks the name up on every call; a fan-out
  // resolves the same few ARNs for every publish, so resolutions are cached.
  // A cached queue that was deleted (or destroyed) is resolved again, which
  // also finds a queue re-created under the same name.
  std::shared_ptr<QueueImpl> Find(std::string_view queue_arn);

  SqsServiceImpl& sqs_;
  Mutex mu_;
  absl::flat_hash_map<std::string, std::weak_ptr<QueueImpl>> cache_ ABSL_GUARDED_BY(mu_);
};

}  // namespace wharf::service_internal

#endif  // WHARF_BROKER_SERVICE_QUEUE_DELIVERY_H_
