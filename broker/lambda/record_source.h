// What an event source mapping needs of its queue: receive messages as the
// records of an SQS event, and delete processed ones. The SQS service's
// queues implement it (broker/service/queue_receive.cc) straight from the
// engine's deliveries, so that a mapping pays neither the public
// ReceiveMessage result (a map of system attributes per message, then a
// second copy into the record) nor DeleteMessageBatch's request checks.
//
// Thread safety: implementations are thread-safe.

#ifndef WHARF_BROKER_LAMBDA_RECORD_SOURCE_H_
#define WHARF_BROKER_LAMBDA_RECORD_SOURCE_H_

#include <stop_token>
#include <string>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "wharf/lambda.h"

namespace wharf::lambda_internal {

// A receive for a mapping: ReceiveMessage with every system and message
// attribute, the queue's own visibility timeout and no attempt id.
struct RecordReceive {
  int max_records = 10;  // 1-10.
  int wait_seconds = 0;  // 0-20: a long poll.
  std::stop_token stop;  // A stop request ends the wait early.
  std::string region;    // The records' awsRegion.
};

// The records (possibly none), or ReceiveMessage's error (QueueDoesNotExist
// once the queue is deleted, OverLimit, ...). Called exactly once.
using RecordsDone = absl::AnyInvocable<void(absl::StatusOr<std::vector<lambda::SqsRecord>>) &&>;

class RecordSource {
 public:
  virtual ~RecordSource() = default;

  // ReceiveMessageAsync's contract (wharf/sqs.h): `done` runs inline when
  // the answer is known at once, otherwise later on the thread that ends the
  // wait, with no queue lock held. Each record carries the message's system
  // attributes as the SQS event does (no DeadLetterQueueSourceArn), all its
  // message attributes, eventSourceARN the queue's ARN.
  virtual void ReceiveRecordsAsync(RecordReceive receive, RecordsDone done) = 0;

  // Deletes the messages of these receipt handles (consumed), as one
  // DeleteMessageBatch of any length would; a handle that fails (stale,
  // queue deleted) is skipped: its message comes back, as at-least-once
  // delivery allows.
  virtual void DeleteRecords(std::vector<std::string>& receipt_handles) = 0;
};

}  // namespace wharf::lambda_internal

#endif  // WHARF_BROKER_LAMBDA_RECORD_SOURCE_H_
