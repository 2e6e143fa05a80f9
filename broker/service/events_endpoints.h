// EventsEndpoints: how the bus core reaches SQS queues, SNS topics and Lambda
// functions of the same broker. Queue targets go through the delivery seam
// (broker/queue/queue_deliverer.h), sharing the bus's payload; topics and
// functions through their public services.
//
// Thread safety: thread-safe.

#ifndef WHARF_BROKER_SERVICE_EVENTS_ENDPOINTS_H_
#define WHARF_BROKER_SERVICE_EVENTS_ENDPOINTS_H_

#include <memory>
#include <string_view>

#include "broker/base/function_invoker.h"
#include "broker/base/payload.h"
#include "broker/bus/dispatcher.h"
#include "broker/queue/queue_deliverer.h"
#include "wharf/sns.h"

namespace wharf::service_internal {

class EventsEndpoints final : public bus_internal::Endpoints {
 public:
  // Null services make their targets fail as not found. All must outlive
  // the endpoints.
  EventsEndpoints(queue_internal::QueueDeliverer* queues, sns::Service* sns,
                  base_internal::FunctionInvoker* functions)
      : queues_(queues), sns_(sns), functions_(functions) {}

  bus_internal::DeliveryOutcome SendToQueue(std::string_view queue_arn,
                                            base_internal::PayloadRef payload,
                                            std::string_view message_group_id) override;
  bus_internal::DeliveryOutcome PublishToTopic(std::string_view topic_arn,
                                               std::string_view message) override;
  // Queues an asynchronous invocation, as EventBridge invokes Lambda.
  bus_internal::DeliveryOutcome InvokeFunction(std::string_view function_arn,
                                               std::string_view payload) override;

 private:
  queue_internal::QueueDeliverer* const queues_;
  sns::Service* const sns_;
  base_internal::FunctionInvoker* const functions_;
};

}  // namespace wharf::service_internal

#endif  // WHARF_BROKER_SERVICE_EVENTS_ENDPOINTS_H_
