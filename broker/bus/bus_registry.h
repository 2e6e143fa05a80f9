// The EventBridge core: event buses, their rules and targets, event dispatch,
// delivery retries and dead-lettering, archives, replays and scheduled rules
// (spec/eventbridge.md). The service layer (broker/service/events_service.h)
// validates AWS parameters, resolves names and paginates; this layer owns the
// state and moves events.
//
// Dispatching one event on a bus:
//   1. the bus's Matcher (wharf/pattern.h) holds the pattern of every enabled
//      rule under the rule's name and matches the envelope text against all of
//      them at once, so the cost barely grows with the number of rules;
//   2. the matched names are looked up in the bus's rule table (one reader
//      lock); a rule disabled or deleted after the match is skipped;
//   3. each target of each rule gets the event, shaped by its TargetInput, on
//      the calling thread with no lock held. A retryable failure is retried on
//      the Scheduler with exponential backoff (1 s, 2 s, 4 s, … capped at
//      300 s) until RetryPolicy's attempts or event age run out; then, like a
//      non-retryable failure, the event goes to the target's DeadLetterConfig
//      queue with EventBridge's error attributes, or is dropped.
//   4. archives whose pattern matches store the event (replayed events are
//      never archived).
//
// Invariants: a rule's pattern is in its bus's Matcher iff the rule is enabled
// and has a pattern. Every change to a rule replaces its RuleEntry (entries are
// immutable); PutRule, EnableRule and DisableRule give the new entry a new
// generation, while target and tag changes keep it. A scheduled rule's timer
// chain belongs to one generation and stops when it is superseded.
//
// Lock order: BusRegistry::mu_ before Bus::mu_. No lock is held while a target
// (callback, queue, topic, other bus) is called.
//
// Thread safety: thread-safe.

#ifndef WHARF_BROKER_BUS_BUS_REGISTRY_H_
#define WHARF_BROKER_BUS_BUS_REGISTRY_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "broker/base/mutex.h"
#include "broker/base/scheduler.h"
#include "broker/bus/input_transformer.h"
#include "broker/bus/schedule_expression.h"
#include "wharf/clock.h"
#include "wharf/events.h"
#include "wharf/pattern.h"
#include "wharf/sqs.h"

namespace wharf::bus_internal {

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

// Targets outside the bus layer: SQS queues and SNS topics of the same broker.
// Implemented by the service layer. Calls must not block for long.
class Endpoints {
 public:
  virtual ~Endpoints() = default;
  // Enqueues `body` into the queue `queue_arn`. FIFO queues: in group
  // `message_group_id`, deduplicated as the queue's content-based
  // deduplication does. `trace_header` becomes the AWSTraceHeader attribute.
  virtual DeliveryOutcome SendToQueue(std::string_view queue_arn, std::string_view body,
                                      std::string_view message_group_id,
                                      const sqs::MessageAttributeMap& attributes,
                                      std::string_view trace_header) = 0;
  virtual DeliveryOutcome PublishToTopic(std::string_view topic_arn, std::string_view message) = 0;
};

// One event on its way through buses and targets; shared by every delivery
// and retry of it.
struct Event {
  std::string id;
  std::string envelope;  // Compact JSON, as delivered when a target has no input shaping.
  absl::Time time;
  absl::Time ingestion_time;
  std::string trace_header;
  std::string replay_name;  // Non-empty for replayed events.
  int hops = 0;             // Bus-to-bus deliveries so far.
};

struct TargetEntry {
  enum class Kind { kQueue, kTopic, kBus, kCallback, kUnsupported };
  events::Target target;
  std::shared_ptr<const TargetInput> input;
  Kind kind = Kind::kUnsupported;
  std::string resource;  // kBus: bus name; kCallback: callback name.
};

// A resource's tags, by key.
using TagMap = std::map<std::string, std::string, std::less<>>;
// The EventBridge quota of tags on one event bus or rule.
inline constexpr size_t kMaxTagsPerResource = 50;

struct RuleEntry {
  events::Rule rule;
  TagMap tags;
  bool enabled = true;
  std::optional<ScheduleExpression> schedule;
  std::vector<std::shared_ptr<const TargetEntry>> targets;  // Sorted by id.
  uint64_t generation = 0;
  absl::Time created;
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

class BusRegistry {
 public:
  struct Options {
    std::string region;
    std::string account_id;
    Clock* clock = nullptr;  // Must outlive the registry.
    // Runs retries, schedules and replays. Null: the registry owns one.
    // Shared (the broker's): must outlive the registry; tasks the registry
    // left pending do nothing once it is destroyed.
    Scheduler* scheduler = nullptr;
    Endpoints* endpoints = nullptr;  // Must outlive the registry.
    events::ServiceOptions limits;
  };

  explicit BusRegistry(Options options);
  ~BusRegistry();  // No task of the registry runs after it returns.
  BusRegistry(const BusRegistry&) = delete;
  BusRegistry& operator=(const BusRegistry&) = delete;

  std::string BusArn(std::string_view bus) const;
  std::string RuleArn(std::string_view bus, std::string_view rule) const;
  std::string ArchiveArn(std::string_view archive) const;
  std::string ReplayArn(std::string_view replay) const;
  std::string CallbackArn(std::string_view name) const;
  const std::string& region() const { return options_.region; }
  const std::string& account_id() const { return options_.account_id; }

  // ---- Buses (names already validated; "default" always exists) ----------
  absl::StatusOr<events::EventBus> CreateBus(const events::CreateEventBusRequest& request);
  absl::Status DeleteBus(std::string_view name);
  absl::StatusOr<events::EventBus> DescribeBus(std::string_view name);
  std::vector<events::EventBus> ListBuses(std::string_view prefix);
  bool BusExists(std::string_view name);

  // ---- Events ----------------------------------------------------------------
  // Matches `event` on bus `bus` and delivers it. ResourceNotFoundException if
  // the bus does not exist.
  absl::Status PutEvent(std::string_view bus, std::shared_ptr<const Event> event);

  // ---- Rules -----------------------------------------------------------------
  // `rule` carries the validated fields; `schedule` is parsed already.
  // `tags` are the new rule's; a rule that exists keeps its own.
  absl::StatusOr<std::string> PutRule(std::string_view bus, events::Rule rule,
                                      std::optional<ScheduleExpression> schedule,
                                      const std::vector<events::Tag>& tags = {});
  absl::Status DeleteRule(std::string_view bus, std::string_view name);
  absl::StatusOr<events::Rule> DescribeRule(std::string_view bus, std::string_view name);
  absl::StatusOr<std::vector<events::Rule>> ListRules(std::string_view bus,
                                                      std::string_view prefix);
  absl::Status SetRuleEnabled(std::string_view bus, std::string_view name, bool enabled);

  // ---- Targets ---------------------------------------------------------------
  absl::Status PutTargets(std::string_view bus, std::string_view rule,
                          const std::vector<events::Target>& targets);
  absl::Status RemoveTargets(std::string_view bus, std::string_view rule,
                             const std::vector<std::string>& ids);
  absl::StatusOr<std::vector<events::Target>> ListTargets(std::string_view bus,
                                                          std::string_view rule);
  absl::StatusOr<std::vector<std::string>> ListRuleNamesByTarget(std::string_view bus,
                                                                 std::string_view target_arn);

  // ---- Tags --------------------------------------------------------------------
  // The bus `bus` when `rule` is empty, else the rule `rule` on it.
  // ResourceNotFoundException when it does not exist; TagResource fails with
  // LimitExceededException (and changes nothing) when the resource would
  // end up with more than kMaxTagsPerResource tags.
  absl::Status TagResource(std::string_view bus, std::string_view rule,
                           const std::vector<events::Tag>& tags);
  absl::Status UntagResource(std::string_view bus, std::string_view rule,
                             const std::vector<std::string>& keys);
  absl::StatusOr<std::vector<events::Tag>> ListTags(std::string_view bus, std::string_view rule);

  // ---- Archives and replays ----------------------------------------------
  absl::StatusOr<events::CreateArchiveResult> CreateArchive(
      std::string_view bus, const events::CreateArchiveRequest& request);
  absl::StatusOr<events::UpdateArchiveResult> UpdateArchive(
      const events::UpdateArchiveRequest& request);
  absl::StatusOr<events::Archive> DescribeArchive(std::string_view name);
  std::vector<events::Archive> ListArchives(std::string_view prefix, std::string_view source_arn,
                                            std::string_view state);
  absl::Status DeleteArchive(std::string_view name);
  absl::StatusOr<events::StartReplayResult> StartReplay(const events::StartReplayRequest& request);
  absl::StatusOr<events::Replay> DescribeReplay(std::string_view name);
  std::vector<events::Replay> ListReplays(std::string_view prefix, std::string_view state,
                                          std::string_view source_arn);
  absl::StatusOr<events::CancelReplayResult> CancelReplay(std::string_view name);

  // ---- Callbacks -------------------------------------------------------------
  std::string RegisterCallback(const std::string& name, events::Callback callback);
  void UnregisterCallback(const std::string& name);

  BusStats stats() const;

 private:
  class Bus;
  struct ArchiveState;
  struct ReplayState;
  // Shared with every task the registry schedules: the destructor closes it
  // and waits for running tasks, so a task never touches a dead registry
  // (the scheduler may be shared and outlive the registry).
  struct Lifeline {
    Mutex mu;
    CondVar idle;
    bool closed ABSL_GUARDED_BY(mu) = false;
    int running ABSL_GUARDED_BY(mu) = 0;
  };

  // Looks a bus up. ResourceNotFoundException "Event bus <name> does not exist."
  absl::StatusOr<std::shared_ptr<Bus>> FindBus(std::string_view name) ABSL_LOCKS_EXCLUDED(mu_);

  // Matches and delivers; `filter_rule_arns` (replays) limits the rules.
  void Dispatch(Bus& bus, const std::shared_ptr<const Event>& event,
                const std::vector<std::string>* filter_rule_arns) ABSL_LOCKS_EXCLUDED(mu_);
  // One delivery attempt of `event` to `target`; schedules the retry or
  // dead-letters on failure. `attempt` is 1 for the first try.
  // `at` is the time of this attempt (its scheduled time for a retry).
  // `view` (nullable) shares the parsed envelope between the targets of one
  // dispatch.
  void Deliver(const std::shared_ptr<const Event>& event,
               const std::shared_ptr<const RuleEntry>& rule,
               const std::shared_ptr<const TargetEntry>& target, int attempt, absl::Time at,
               EventView* view) ABSL_LOCKS_EXCLUDED(mu_);
  DeliveryOutcome Attempt(const Event& event, const RuleEntry& rule, const TargetEntry& target,
                          int attempt, EventView& view) ABSL_LOCKS_EXCLUDED(mu_);
  void DeadLetter(const Event& event, const RuleEntry& rule, const TargetEntry& target,
                  const DeliveryOutcome& outcome, int retries, std::string_view exhausted);

  // Scheduled rules: arms the next firing of `rule` (generation-checked).
  void ArmSchedule(std::shared_ptr<Bus> bus, std::shared_ptr<const RuleEntry> rule,
                   absl::Time after);
  void FireSchedule(const std::weak_ptr<Bus>& bus, const std::string& rule_name,
                    uint64_t generation, absl::Time when);

  void RunReplay(std::shared_ptr<ReplayState> replay);

  absl::StatusOr<std::shared_ptr<TargetEntry>> MakeTarget(const events::Target& target) const;

  // Runs `fn` at `when` on the scheduler, unless the registry has been
  // destroyed by then.
  void ScheduleAt(absl::Time when, std::function<void()> fn);

  const Options options_;
  Clock& clock_;
  std::atomic<uint64_t> next_generation_{1};

  mutable Mutex mu_;
  std::map<std::string, std::shared_ptr<Bus>, std::less<>> buses_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::shared_ptr<ArchiveState>, std::less<>> archives_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::shared_ptr<ReplayState>, std::less<>> replays_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::shared_ptr<const events::Callback>, std::less<>> callbacks_
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

  const std::shared_ptr<Lifeline> lifeline_ = std::make_shared<Lifeline>();
  // Null when options_.scheduler is given; shut down by the destructor.
  std::unique_ptr<Scheduler> own_scheduler_;
  Scheduler* const scheduler_;  // options_.scheduler or own_scheduler_.
};

}  // namespace wharf::bus_internal

#endif  // WHARF_BROKER_BUS_BUS_REGISTRY_H_
