// File: wharf/broker.h  (start here)
//
// wharf::Broker owns one in-process message broker: its services (SQS, SNS,
// EventBridge, Lambda, CloudWatch) and what they share (the clock, the timer
// thread, the worker pool that runs Lambda functions, the account and region
// used in URLs and ARNs). It is a composition root: the operations live on the
// services it hands out.
//
//   auto broker = wharf::Broker::Open({}).value();
//   wharf::sqs::Service& sqs = broker->sqs();
//
// Two brokers in one process share nothing.
//
// Thread safety: thread-safe. The services it returns live as long as the
// Broker.
//
// Lifetime. Work the broker runs on its own (it owns one timer thread; with a
// ManualClock there is none and the work runs inside ManualClock::Advance):
// SNS delivery retries, EventBridge target retries, scheduled rules, archive
// replays and paced message move tasks; and, on its Lambda worker pool (see
// BrokerOptions::lambda_worker_threads), Lambda functions and the pollers of
// event source mappings. User code it calls: SNS function handlers and
// EventBridge callback targets, on the thread that publishes or puts events,
// or on the timer for retries and schedules; Lambda handlers on the worker
// pool (or, with a ManualClock, in lambda::Service::RunUntilIdle and
// ManualClock::Advance). Destroying the Broker, in this order:
//   0. stops Lambda: event source mappings stop polling (records received
//      and not yet handed over stay in flight), invocations not yet started
//      are dropped, and the handlers that are running finish first while
//      every service still works;
//   1. stops the timer: work not yet started is dropped, never run; work
//      that is running (on the timer thread, or in an Advance on another
//      thread) finishes first, and meanwhile every service still works, so a
//      handler or callback it runs may publish, send or put events (whatever
//      those schedule is dropped);
//   2. deletes every queue: a ReceiveMessage blocked in a long poll on another
//      thread returns QueueDoesNotExist, and the destructor waits until it has
//      returned; a pending ReceiveMessageAsync completes with
//      QueueDoesNotExist, and the destructor waits until its callback has
//      returned (no receive callback runs after the destructor);
//   3. frees the services, their queues, topics, buses and messages, and the
//      handlers and callbacks registered with them.
// It never waits for a handler or callback that another thread is running
// inside a call it made (Publish, PutEvents): those calls must have returned.
// REQUIRES: when destruction starts, no other thread is inside a call into
// the broker, except long polls (2) and the broker's own work (0, 1), and none
// starts one; no handler or callback destroys the Broker. A Queue handle
// (sqs::Service::OpenQueue) may outlive the Broker: its calls then fail with
// QueueDoesNotExist. The clock (BrokerOptions::clock) is shared and outlives
// the Broker if the caller keeps it.

#ifndef WHARF_BROKER_H_
#define WHARF_BROKER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "wharf/clock.h"
#include "wharf/cloudwatch.h"
#include "wharf/events.h"
#include "wharf/lambda.h"
#include "wharf/sns.h"
#include "wharf/sqs.h"

namespace wharf {

// CloudWatch metrics (broker->cloudwatch(), the Prometheus text).
struct MetricsOptions {
  // Whether queues, topics, rules and buses count their traffic. Off: no
  // AWS/* metrics and an empty Prometheus text (PutMetricData and alarms on
  // custom metrics still work); the hot paths skip the counters.
  bool enabled = true;
  // Datapoints are kept per second for this long, then per minute until
  // `retention`. A series costs about 64 bytes per distinct second and
  // minute kept: at most ~150 KB with the defaults, one cell when its value
  // never changes. REQUIRES: 1 s <= second_resolution <= retention.
  absl::Duration second_resolution = absl::Minutes(15);
  absl::Duration retention = absl::Hours(24);
  // Series (metric, dimensions, unit) kept at most; PutMetricData past it
  // fails with LimitExceeded, the broker's own metrics stop growing.
  size_t max_series = 100000;
  // Alarms at most (PutMetricAlarm: LimitExceeded).
  size_t max_alarms = 5000;
};

// What a durable broker's commits survive (BrokerOptions::sync_level). Every
// level keeps the data directory consistent; they differ in how much of the
// newest acknowledged work a machine failure may take back.
enum class SyncLevel {
  // A commit is handed to the operating system before the operation returns:
  // it survives a crash of the process (kill -9, abort, an exception), but a
  // power loss or kernel crash may take back the last commits (SQLite WAL,
  // synchronous=NORMAL). The fastest durable level.
  kNormal,
  // A commit is also flushed to the disk (fsync) before the operation
  // returns: it survives a power loss too (synchronous=FULL). Concurrent
  // callers share each flush (group commit).
  kFull,
};

struct BrokerOptions {
  // Source of time for every deadline. Null: a SystemClock. Tests pass a
  // ManualClock and move time with Advance().
  std::shared_ptr<Clock> clock{};

  // Used in queue URLs and ARNs: arn:aws:sqs:<region>:<account_id>:<name>.
  std::string region = "us-east-1";
  std::string account_id = "000000000000";

  // Base of queue URLs, without a trailing slash. Empty: the AWS form
  // "https://sqs.<region>.amazonaws.com". An embedded HTTP endpoint sets its
  // own address here so that returned URLs point back at it.
  std::string sqs_url_base{};

  // Reported as the SenderId system attribute of sent messages.
  std::string sender_id = "AIDAIENQZJOLO23YVJ4VO";

  // In-flight messages per standard queue before ReceiveMessage fails with
  // OverLimit (AWS: about 120,000). FIFO queues return no messages instead.
  int max_inflight_messages = 120000;

  MetricsOptions metrics{};

  // Threads that run Lambda functions (asynchronous invocations, SNS and
  // EventBridge deliveries, event source mapping batches) and pollers, when
  // the clock is not a ManualClock (a ManualClock runs them on the thread
  // that drains: see lambda::Service::RunUntilIdle). At least 1. The threads
  // start with the first function or mapping. An idle event source mapping
  // holds none: its long polls wait parked, without a thread, and a message
  // wakes one of them onto a worker for the batch (and the handler call).
  int lambda_worker_threads = 16;

  // Durable mode. Empty (the default): everything lives in memory and is gone
  // when the broker is destroyed. A directory (created if missing): the
  // broker keeps its state there in SQLite (README, "Durable mode", lists
  // what is kept: SQS queues with their attributes, tags, policies and
  // messages, move tasks, ...) and Open restores it. An operation that
  // changes that state reports success only once the change is committed
  // ("acknowledged means durable"). One broker at a time may use a
  // directory: while it is open, another Open of it (in this process or
  // another) fails with FailedPrecondition. A file that is not a wharf
  // store, or is damaged, makes Open fail with a status that names it.
  std::string data_dir{};

  // With data_dir: what a commit survives.
  SyncLevel sync_level = SyncLevel::kNormal;

  // EventBridge quotas and limits (rules per bus, pattern size, ...), AWS's
  // defaults unless raised (AWS quotas are adjustable too).
  events::ServiceOptions events{};
};

class Broker {
 public:
  // Creates a broker; with options.data_dir, recovers what is stored there
  // first. Fails with InvalidArgument on bad options, FailedPrecondition if
  // the data directory is in use, DataLoss if its store is damaged or not a
  // wharf store, and with the I/O error if it cannot be read or created.
  static absl::StatusOr<std::unique_ptr<Broker>> Open(BrokerOptions options);

  // See "Lifetime" above.
  virtual ~Broker() = default;

  virtual sqs::Service& sqs() = 0;
  virtual sns::Service& sns() = 0;
  virtual events::Service& events() = 0;
  virtual cloudwatch::Service& cloudwatch() = 0;
  virtual lambda::Service& lambda() = 0;
  virtual Clock& clock() = 0;
  virtual const BrokerOptions& options() const = 0;
};

}  // namespace wharf

#endif  // WHARF_BROKER_H_
