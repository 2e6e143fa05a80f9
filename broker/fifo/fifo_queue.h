// File: broker/fifo/fifo_queue.h
//
// The FIFO queue engine: a queue_internal::QueueCore for queues whose names
// end in ".fifo" (spec/sqs.md §9). Messages of one message group are delivered
// strictly in send order: a message in flight holds back itself and every
// later message of its group (earlier ones that became visible again are
// handed out again), while other groups proceed. Sends are
// deduplicated over a 5-minute window (by the effective deduplication id the
// service passes in SendArgs), every accepted message gets a per-queue,
// strictly increasing 20-digit sequence number, and a retried receive with the
// same ReceiveRequestAttemptId returns the same messages and receipt handles.
//
//   auto core = wharf::fifo_internal::NewFifoQueue(config, clock, scheduler, dlq_sink, arn);
//   core->Send({.payload = p, .message_group_id = "g", .deduplication_id = "d1"});
//   auto got = core->Receive({.max_messages = 10,
//                             .visibility_timeout = absl::Seconds(30),
//                             .wait_deadline = clock.Now()});
//
// Thread safety: thread-safe; any number of threads may call any method. The
// dead-letter sink is called with no internal lock held.

#ifndef WHARF_BROKER_FIFO_FIFO_QUEUE_H_
#define WHARF_BROKER_FIFO_FIFO_QUEUE_H_

#include <memory>
#include <string>

#include "broker/base/scheduler.h"
#include "broker/queue/queue_core.h"
#include "wharf/clock.h"

namespace wharf::fifo_internal {

// Creates an empty FIFO queue. `clock`, `scheduler` (on `clock`: it times
// parked receives) and `dlq_sink` (may be null: no redrive) must outlive the
// queue. `queue_arn` is the queue's own ARN, passed to the sink as the source
// of dead-lettered messages.
std::unique_ptr<queue_internal::QueueCore> NewFifoQueue(const queue_internal::QueueConfig& config,
                                                        Clock& clock, Scheduler& scheduler,
                                                        queue_internal::DeadLetterSink* dlq_sink,
                                                        std::string queue_arn);

}  // namespace wharf::fifo_internal

#endif  // WHARF_BROKER_FIFO_FIFO_QUEUE_H_
