// EventsEndpoints: how the bus core reaches SQS queues, SNS topics and Lambda
// functions of the same broker, through their public services (a target's queue or topic may
// be deleted and re-created at any time, and the public calls check
// everything a send or publish must satisfy).
//
// Thread safety: thread-safe.

#ifndef WHARF_BROKER_SERVICE_EVENTS_ENDPOINTS_H_
#define WHARF_BROKER_SERVICE_EVENTS_ENDPOINTS_H_

#include <memory>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "broker/base/function_invoker.h"
#include "broker/base/mutex.h"
#include "broker/bus/dispatcher.h"
#include "wharf/sns.h"
#include "wharf/sqs.h"

namespace wharf::service_internal {

class EventsEndpoints final : public bus_internal::Endpoints {
 public:
  // Null services make their targets fail as not found. All must outlive
  // the endpoints.
  EventsEndpoints(sqs::Service* sqs, sns::Service* sns, base_internal::FunctionInvoker* functions)
      : sqs_(sqs), sns_(sns), functions_(functions) {}

  bus_internal::DeliveryOutcome SendToQueue(std::string_view queue_arn, std::string_view body,
                                            std::string_view message_group_id,
                                            const MessageAttributeMap& attributes,
                                            std::string_view trace_header) override;
  bus_internal::DeliveryOutcome PublishToTopic(std::string_view topic_arn,
                                               std::string_view message) override;
  // Queues an asynchronous invocation, as EventBridge invokes Lambda.
  bus_internal::DeliveryOutcome InvokeFunction(std::string_view function_arn,
                                               std::string_view payload) override;

 private:
  // The queue handle for `arn`, cached; `refresh` looks it up again.
  absl::StatusOr<std::shared_ptr<sqs::Queue>> Open(std::string_view arn, bool refresh);

  sqs::Service* const sqs_;
  sns::Service* const sns_;
  base_internal::FunctionInvoker* const functions_;
  Mutex mu_;
  absl::flat_hash_map<std::string, std::shared_ptr<sqs::Queue>> queues_ ABSL_GUARDED_BY(mu_);
};

}  // namespace wharf::service_internal

#endif  // WHARF_BROKER_SERVICE_EVENTS_ENDPOINTS_H_
