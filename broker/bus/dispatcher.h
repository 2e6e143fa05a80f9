// Event dispatch of the EventBridge core: matching an event against a bus's
// rules, delivering it to their targets, retrying failed deliveries and
// dead-lettering them (spec/eventbridge.md §5, §6).
//
// Dispatching one event on a bus:
//   1. the bus's Matcher (wharf/pattern.h) holds the pattern of every enabled
//      rule under the rule's name and matches the envelope text against all of
//      them at once, so the cost barely grows with the number of rules;
//   2. the matched names are looked up in the bus's rule table (one reader
//      lock); a rule disabled or deleted after the match is skipped;
//   3. each target of each rule gets the event, shaped by its TargetInput, on
//      the calling thread with no lock held. A retryable failure is retried on
//      the TaskRunner with exponential backoff (1 s, 2 s, 4 s, … capped at
//      300 s) until RetryPolicy's attempts or event age run out; then, like a
//      non-retryable failure, the event goes to the target's DeadLetterConfig
//      queue with EventBridge's error attributes, or is dropped.
//   4. archives whose pattern matches store the event (replayed events are
//      never archived).
//
// Thread safety: thread-safe. No lock is held while a target (callback,
// queue, topic, other bus) is called.

#ifndef WHARF_BROKER_BUS_DISPATCHER_H_
#define WHARF_BROKER_BUS_DISPATCHER_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "broker/base/mutex.h"
#include "broker/base/payload.h"
#include "broker/base/task_runner.h"
#include "broker/bus/bus_table.h"
#include "broker/bus/input_transformer.h"
#include "wharf/clock.h"
#include "wharf/message.h"

namespace wharf::bus_internal {

// One event on its way through buses and targets; shared by every delivery
// and retry of it.
struct Event {
  std::string id;
  // Compact JSON, as delivered when a target has no input shaping. Always
  // valid SQS message text (XML characters): PutEvents checks every field.
  std::string envelope;
  absl::Time time;
  absl::Time ingestion_time;
  std::string trace_header;
  std::string replay_name;  // Non-empty for replayed events.
  int hops = 0;             // Bus-to-bus deliveries so far.
};

// How one delivery attempt ended.
struct DeliveryOutcome {
  enum class Kind { kOk, kRetryable, kPermanent };
  Kind kind = Kind::kOk;
  std::string error_code;  // e.g. "ResourceNotFoundException"
  std::string error_message;

  static DeliveryOutcome Ok() { return {}; }
  static DeliveryOutcome Retryable(std::string code, std::string message) {
    return {Kind::kRetryable, std::move(code), std::move(message)};
  }
  static DeliveryOutcome Permanent(std::string code, std::string message) {
    return {Kind::kPermanent, std::move(code), std::move(message)};
  }
};

// Targets outside the bus core: SQS queues and SNS topics of the same broker.
// Implemented by the service layer. Calls must not block for long.
class Endpoints {
 public:
  virtual ~Endpoints() = default;
  // Enqueues `payload` (shared, never copied; its body valid SQS message
  // text) into the queue `queue_arn`.
  // FIFO queues: in group `message_group_id`, deduplicated as the queue's
  // content-based deduplication does.
  virtual DeliveryOutcome SendToQueue(std::string_view queue_arn, base_internal::PayloadRef payload,
                                      std::string_view message_group_id) = 0;
  virtual DeliveryOutcome PublishToTopic(std::string_view topic_arn, std::string_view message) = 0;
  // Invokes the Lambda function `function_arn` asynchronously with `payload`.
  virtual DeliveryOutcome InvokeFunction(std::string_view function_arn,
                                         std::string_view payload) = 0;
};

// What an in-process callback target receives.
struct CallbackInvocation {
  std::string body;  // The shaped input.
  std::string rule_arn;
  std::string target_id;
  std::string event_id;
  int attempt = 1;  // 1 for the first delivery, 2 for the first retry, ...
};
// Returns OK when delivered. kUnavailable, kResourceExhausted,
// kDeadlineExceeded and kInternal failures are retried; others are final.
using CallbackFunction = std::function<absl::Status(CallbackInvocation invocation)>;

// A delivery waiting for its retry, as durable mode keeps it so that the
// retry still happens after a restart.
struct PendingRetry {
  uint64_t id = 0;  // One per delivery, kept across its retries; never 0.
  std::shared_ptr<const Event> event;
  std::shared_ptr<const RuleEntry> rule;
  std::shared_ptr<const TargetEntry> target;
  int attempt = 2;  // The attempt the retry makes (2: the first retry).
  absl::Time at;    // When it runs.
};

// Durable mode: told of each delivery waiting for a retry (set once, before
// the dispatcher is shared). Called on the delivering thread with no lock
// held; implementations only record (no I/O, no waiting).
class RetryObserver {
 public:
  // A retry was scheduled: the first of its delivery, or the next one (same id).
  virtual void RetryScheduled(const PendingRetry& retry) = 0;
  // The delivery `id` ended: delivered, dead-lettered or dropped.
  virtual void RetryEnded(uint64_t id) = 0;

 protected:
  ~RetryObserver() = default;
};

// Counters for tests and benchmarks.
struct BusStats {
  int64_t events_matched = 0;  // Rule matches (an event matching 3 rules counts 3).
  int64_t deliveries_ok = 0;
  int64_t delivery_failures = 0;  // Attempts that failed (each retry counts).
  int64_t retries_scheduled = 0;
  int64_t dead_lettered = 0;
  int64_t dropped = 0;  // Failed for good with no (working) dead-letter queue.
};

class Dispatcher {
 public:
  // Every argument must outlive the dispatcher; `endpoints` may be null (SQS
  // and SNS targets then fail). `metrics`: keep totals() (rules keep their
  // own RuleStats when the table makes them).
  Dispatcher(Clock& clock, TaskRunner& tasks, const BusTable& table, Endpoints* endpoints,
             bool metrics);
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  // Matches `event` on the bus named `bus` and delivers it.
  // ResourceNotFoundException if the bus does not exist.
  absl::Status PutEvent(std::string_view bus, std::shared_ptr<const Event> event);

  // Matches and delivers on `bus`; `filter_rule_arns` (replays), when not
  // null, limits the rules. Archives the event unless it is a replay.
  void Dispatch(Bus& bus, const std::shared_ptr<const Event>& event,
                const std::vector<std::string>* filter_rule_arns);

  // Delivers `event` to every target of `rule` (a scheduled rule's firing),
  // the first attempt at `at`, and counts one match.
  void DeliverToTargets(const std::shared_ptr<const Event>& event,
                        const std::shared_ptr<const RuleEntry>& rule, absl::Time at);

  // Registers (or replaces) the callback target `name`; unregistering stops
  // later calls (calls in progress finish).
  void RegisterCallback(const std::string& name, CallbackFunction callback);
  // Set once, before the dispatcher is shared; must outlive it.
  void SetRetryObserver(RetryObserver* observer) { retry_observer_ = observer; }
  // Schedules a retry kept by durable mode (`retry.id` stays its id). A
  // restored retry whose callback target is not registered (again) yet
  // counts as a retryable failure, not a missing target: the callback is
  // code that the restarted process registers after Broker::Open.
  void RestoreRetry(PendingRetry retry);
  void UnregisterCallback(const std::string& name);

  BusStats stats() const;
  // The broker-wide AWS/Events counters (rule_stats.h); null when metrics are
  // off.
  const RuleStats* totals() const { return totals_.get(); }

 private:
  // What the targets of one dispatch share, each part made on first use.
  struct Shared;

  // Which retry an attempt is: id 0 for a first attempt (or in memory);
  // `restored` when durable mode brought it back after a restart.
  struct RetryOf {
    uint64_t id = 0;
    bool restored = false;
  };

  // One delivery attempt of `event` to `target`; schedules the retry or
  // dead-letters on failure. `attempt` is 1 for the first try. `at` is the
  // time of this attempt (its scheduled time for a retry). `shared`
  // (nullable) is shared by the targets of one dispatch.
  void Deliver(const std::shared_ptr<const Event>& event,
               const std::shared_ptr<const RuleEntry>& rule,
               const std::shared_ptr<const TargetEntry>& target, int attempt, absl::Time at,
               Shared* shared, RetryOf retry);
  DeliveryOutcome Attempt(const Event& event, const RuleEntry& rule, const TargetEntry& target,
                          int attempt, bool restored, Shared& shared);
  // Runs `retry.attempt` at `retry.at` on the TaskRunner.
  void ScheduleRetry(PendingRetry retry, bool restored);
  void DeadLetter(const Event& event, const RuleEntry& rule, const TargetEntry& target,
                  const DeliveryOutcome& outcome, int retries, std::string_view exhausted);
  // Adds one to counter `c` of `rule` and of the totals (when kept).
  void Count(const RuleEntry& rule, RuleStats::Counter c) {
    if (rule.stats != nullptr) rule.stats->Add(c);
    if (totals_ != nullptr) totals_->Add(c);
  }

  Clock& clock_;
  TaskRunner& tasks_;
  const BusTable& table_;
  Endpoints* const endpoints_;
  const std::unique_ptr<RuleStats> totals_;
  RetryObserver* retry_observer_ = nullptr;
  std::atomic<uint64_t> next_retry_id_{1};

  mutable Mutex mu_;
  std::map<std::string, std::shared_ptr<const CallbackFunction>, std::less<>> callbacks_
      ABSL_GUARDED_BY(mu_);

  struct AtomicStats {
    std::atomic<int64_t> events_matched{0};
    std::atomic<int64_t> deliveries_ok{0};
    std::atomic<int64_t> delivery_failures{0};
    std::atomic<int64_t> retries_scheduled{0};
    std::atomic<int64_t> dead_lettered{0};
    std::atomic<int64_t> dropped{0};
  };
  AtomicStats stats_;
};

}  // namespace wharf::bus_internal

#endif  // WHARF_BROKER_BUS_DISPATCHER_H_
