// File: broker/queue/standard_queue.h
//
// The engine behind an SQS standard (non-FIFO) queue: at-least-once delivery,
// best-effort order, visibility timeouts, delays, retention, redrive to a
// dead-letter queue and long polling. The service layer (broker/service/)
// creates one per queue through NewStandardQueue and talks to it only through
// queue_internal::QueueCore.
//
//   ManualClock clock;
//   Scheduler scheduler(clock);
//   std::unique_ptr<QueueCore> q = NewStandardQueue(QueueConfig{}, clock, scheduler,
//                                                   /*dlq_sink=*/nullptr, "arn:aws:sqs:...:jobs");
//   q->Send({.payload = payload});
//   auto got = q->Receive({.max_messages = 10, .visibility_timeout = absl::Seconds(30),
//                          .wait_deadline = clock.Now()});
//   q->Delete(got->front().receipt_handle);
//
// Design (see DESIGN.md, "Standard queue core"): messages live in sharded slot
// tables; each shard has a lock-free queue of references to ready messages, so
// sending takes no lock and wakes nobody unless a receiver is parked. Each
// slot's state word (free / ready / delayed / in flight / moving, receive
// count, incarnation) identifies exactly which message and which receive a
// receipt handle belongs to, so Delete and ChangeVisibility are O(1) and a
// stale handle is recognised rather than acted on. Visibility and delay
// deadlines sit in per-shard timers (a FIFO for those set in order, as
// receives with one visibility timeout set them; a heap for the rest) and
// are applied lazily against
// Clock::Now() by receives and counts, and, while receives are parked
// (ParkedReceivers, broker/queue/parked_receivers.h), by a Scheduler task at
// the earliest deadline, so ManualClock tests need no background thread.
//
// Receipt handles are 40 lower-case hex digits: shard and slot, incarnation,
// receive count and a 64-bit tag keyed by a random per-queue secret. The tag is
// a keyed mix, not a cryptographic MAC: it rejects made-up strings and handles
// from other queues, not a determined forger.
//
// Thread safety: thread-safe (every QueueCore method may be called
// concurrently). DeadLetterSink::Accept runs with no lock of this queue held.

#ifndef WHARF_BROKER_QUEUE_STANDARD_QUEUE_H_
#define WHARF_BROKER_QUEUE_STANDARD_QUEUE_H_

#include <memory>
#include <string>

#include "broker/base/scheduler.h"
#include "broker/queue/queue_core.h"
#include "wharf/clock.h"

namespace wharf::queue_internal {

// Creates a standard queue engine. `clock`, `scheduler` (on `clock`: it
// times parked receives) and `dlq_sink` (may be null: no redrive) must
// outlive the queue. `queue_arn` is put in Delivery::dead_letter_source_arn
// of messages handed to the sink.
std::unique_ptr<QueueCore> NewStandardQueue(const QueueConfig& config, Clock& clock,
                                            Scheduler& scheduler, DeadLetterSink* dlq_sink,
                                            std::string queue_arn);

// As above with an explicit shard count (1-64), for tests and benchmarks.
// NewStandardQueue picks one from the number of hardware threads.
std::unique_ptr<QueueCore> NewStandardQueueWithShards(const QueueConfig& config, Clock& clock,
                                                      Scheduler& scheduler,
                                                      DeadLetterSink* dlq_sink,
                                                      std::string queue_arn, int num_shards);

}  // namespace wharf::queue_internal

#endif  // WHARF_BROKER_QUEUE_STANDARD_QUEUE_H_
