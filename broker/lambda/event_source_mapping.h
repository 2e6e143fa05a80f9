// One event source mapping: pollers that read an SQS queue in batches, hand
// each batch to a function and settle it by AWS's rules (Lambda developer
// guide, "Using Lambda with Amazon SQS"):
//
//   * a batch is handed over when it holds batch_size records, when the
//     batching window (counted from its first record) ends, or when the next
//     record would take the event past the 6 MB payload limit (that record
//     starts the next batch);
//   * records that match none of the filters are deleted without invoking;
//   * after the call, successful records are deleted; failed ones are left in
//     flight, so they come back after the queue's visibility timeout with a
//     higher receive count and reach the dead-letter queue by its redrive
//     policy. A function error fails the whole batch; with
//     ReportBatchItemFailures only the listed records fail, and a malformed
//     response fails the whole batch;
//   * FIFO: a failed record fails every later record of its message group in
//     the batch, so a group's order holds across retries.
//
// Pollers ("slots") are the unit of concurrency: each holds at most one batch
// and invokes the function with it, so no more than `slots` invocations run
// at once. A mapping starts with min(5, MaximumConcurrency) slots and, while
// full batches keep coming, adds up to 300 a minute (on the clock) up to
// MaximumConcurrency (default 1,000); when a poll finds the queue empty it
// goes back to the base. Idle slots park instead of polling, but two: with a
// SystemClock two slots long-poll (20 s), so that the one that receives can
// invoke at once while the other listens; a full receive (a backlog) wakes
// every parked slot, and a slot that goes to work while no other slot polls
// wakes one. With a ManualClock slots poll without waiting and park until the
// owner calls Wake (RunUntilIdle, ManualClock::Advance).
//
// State machine (AWS's names; the owner reads it through Describe):
//
//   Creating --> Enabled                  (the next transition task)
//   (created disabled) Disabled           (at once, as AWS answers)
//   Disabled --Update(enabled)--> Enabling --> Enabled
//   Enabled --Update(!enabled)--> Disabling --> Disabled   (when no batch is out)
//   Enabled|Disabled --Update--> Updating --> Enabled|Disabled
//   any stable or Enabling|Disabling --Delete--> Deleting --> Deleted
//   Enabled|Enabling|Updating --queue or function deleted--> Disabling --> Disabled
//                                                (reason LAMBDA_INITIATED)
//
// Update and Delete in Creating, Updating or Deleting fail (ResourceInUse).
// Polling stops the moment a mapping leaves Enabled/Updating: outstanding
// long polls are stopped, and records already received are still handed to
// the function (a partial batch is flushed), so nothing in flight is lost.
//
// Lock order: EventSourceMapping::mu_ is a leaf (no other wharf lock is taken
// under it; receives, deletes and handlers run outside it).
//
// Thread safety: thread-safe.

#ifndef WHARF_BROKER_LAMBDA_EVENT_SOURCE_MAPPING_H_
#define WHARF_BROKER_LAMBDA_EVENT_SOURCE_MAPPING_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "broker/base/executor.h"
#include "broker/base/mutex.h"
#include "broker/base/scheduler.h"
#include "broker/lambda/function_registry.h"
#include "broker/lambda/record_source.h"
#include "wharf/clock.h"
#include "wharf/lambda.h"
#include "wharf/pattern.h"

namespace wharf::lambda_internal {

enum class MappingState {
  kCreating,
  kEnabling,
  kEnabled,
  kDisabling,
  kDisabled,
  kUpdating,
  kDeleting,
  kDeleted,  // Gone: the owner drops it.
};
std::string_view MappingStateName(MappingState state);

inline constexpr std::string_view kUserInitiated = "USER_INITIATED";
inline constexpr std::string_view kLambdaInitiated = "LAMBDA_INITIATED";

// Typed, validated settings (the service layer checks AWS's rules).
struct MappingSettings {
  std::string function_name;
  std::string function_arn;
  int batch_size = 10;
  int batching_window_seconds = 0;
  bool report_batch_item_failures = false;
  std::optional<lambda::FilterCriteria> filter_criteria;  // As given, reported back.
  std::shared_ptr<const Matcher> filters;                 // Compiled; null: none.
  std::optional<int> maximum_concurrency;                 // Unset: 1,000.
};

// A mapping's counters, for metrics (the event source mapping metrics of
// AWS/Lambda in brackets): cumulative, relaxed atomics, added once per
// receive or batch, no lock.
struct MappingCounters {
  std::atomic<uint64_t> polled{0};        // Records received [PolledEventCount].
  std::atomic<uint64_t> filtered_out{0};  // Matched no filter, deleted [FilteredOutEventCount].
  std::atomic<uint64_t> invoked{0};       // Records handed to the function [InvokedEventCount].
  std::atomic<uint64_t> failed{0};        // Records that failed [FailedInvokeEventCount].
  std::atomic<uint64_t> deleted{0};       // Processed records deleted [DeletedEventCount].
  std::atomic<uint64_t> batches{0};       // Invocations.
  // When the last batch was handed over, the age of its oldest record (from
  // its SentTimestamp), in milliseconds: how far the mapping lags behind the
  // queue (cf. IteratorAge of stream sources).
  std::atomic<int64_t> oldest_record_age_millis{0};
};

// A plain copy of MappingCounters.
struct MappingCounterValues {
  uint64_t polled = 0;
  uint64_t filtered_out = 0;
  uint64_t invoked = 0;
  uint64_t failed = 0;
  uint64_t deleted = 0;
  uint64_t batches = 0;
  int64_t oldest_record_age_millis = 0;
};
MappingCounterValues Read(const MappingCounters& counters);

struct MappingView {
  std::string uuid;
  std::string queue_arn;
  MappingSettings settings;
  MappingState state = MappingState::kCreating;
  std::string_view state_transition_reason = kUserInitiated;
  absl::Time last_modified;
};

class EventSourceMapping : public std::enable_shared_from_this<EventSourceMapping> {
 public:
  struct Deps {
    Clock* clock = nullptr;          // Outlives the mapping.
    Scheduler* scheduler = nullptr;  // Outlives the mapping (window ends, back-off).
    std::shared_ptr<Executor> executor;
    std::shared_ptr<FunctionRegistry> functions;
    bool manual = false;  // ManualClock: short polls; work only when woken.
    std::string region;
  };

  // A mapping in state Creating (Disabled when not `enabled`); its first
  // transition is queued on the executor. `queue` is the queue of `queue_arn`.
  static std::shared_ptr<EventSourceMapping> Create(Deps deps, std::string uuid,
                                                    std::string queue_arn,
                                                    std::shared_ptr<RecordSource> queue, bool fifo,
                                                    MappingSettings settings, bool enabled);
  ~EventSourceMapping();
  EventSourceMapping(const EventSourceMapping&) = delete;
  EventSourceMapping& operator=(const EventSourceMapping&) = delete;

  MappingView Describe() const ABSL_LOCKS_EXCLUDED(mu_);
  const std::string& uuid() const { return uuid_; }
  const std::string& queue_arn() const { return queue_arn_; }
  bool fifo() const { return fifo_; }

  // Applies `settings` (new batches use them) and, when `enabled` changes
  // the mapping's, enables or disables it. Errors: kLambdaResourceInUse.
  absl::Status Update(MappingSettings settings, std::optional<bool> enabled)
      ABSL_LOCKS_EXCLUDED(mu_);
  // Errors: kLambdaResourceInUse.
  absl::Status Delete() ABSL_LOCKS_EXCLUDED(mu_);
  // The queue or the function is gone: disables the mapping with reason
  // LAMBDA_INITIATED (no-op unless it is enabled or becoming so).
  void DisableByLambda() ABSL_LOCKS_EXCLUDED(mu_);

  // ManualClock: lets every parked slot poll again (RunUntilIdle, Advance).
  void Wake() ABSL_LOCKS_EXCLUDED(mu_);
  // Grows whenever the mapping does something (receives messages, invokes,
  // changes state); RunUntilIdle stops when no mapping's grows.
  int64_t progress() const { return progress_.load(std::memory_order_acquire); }
  // The broker is going away: stops polling; nothing runs afterwards.
  void Shutdown() ABSL_LOCKS_EXCLUDED(mu_);

  const MappingCounters& counters() const { return counters_; }
  // Pollers (slots) the mapping runs now: its current concurrency.
  int NumPollers() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  struct Slot;
  enum class Next { kPollAgain, kInvoke, kDone };

  EventSourceMapping(Deps deps, std::string uuid, std::string queue_arn,
                     std::shared_ptr<RecordSource> queue, bool fifo, MappingSettings settings,
                     bool enabled);

  bool Transitional() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void SetState(MappingState state, std::string_view reason) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Queues the task that completes the current transition.
  void ScheduleTransition() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void CompleteTransition() ABSL_LOCKS_EXCLUDED(mu_);
  // Stops polling: stops outstanding polls and wakes parked slots so they
  // flush their partial batches and retire.
  void StopPollingLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Disabling/Deleting and no slot busy: completes the transition.
  void MaybeFinishStopLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Adds slots up to target_ (when polling).
  void SpawnSlotsLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void ScheduleStep(Slot* slot, bool invoke) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void ParkLocked(Slot* slot) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void RetireLocked(Slot* slot) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void WakeParkedLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void WakeOneParkedLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  int BaseConcurrency() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  int MaxConcurrency() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // A slot's steps, run by RunSlot in an executor task with no lock held.
  // Each returns what the slot does next; kDone when it parked, retired or
  // waits for a receive to complete (which continues it as a new task).
  void RunSlot(Slot* slot, Next next) ABSL_LOCKS_EXCLUDED(mu_);
  Next PollStep(Slot* slot) ABSL_LOCKS_EXCLUDED(mu_);
  Next OnReceived(Slot* slot, absl::StatusOr<std::vector<lambda::SqsRecord>> result)
      ABSL_LOCKS_EXCLUDED(mu_);
  Next InvokeStep(Slot* slot) ABSL_LOCKS_EXCLUDED(mu_);

  const Deps deps_;
  const std::string uuid_;
  const std::string queue_arn_;
  const std::shared_ptr<RecordSource> queue_;
  const bool fifo_;
  std::atomic<int64_t> progress_{0};
  MappingCounters counters_;

  mutable Mutex mu_;
  MappingSettings settings_ ABSL_GUARDED_BY(mu_);
  bool enabled_ ABSL_GUARDED_BY(mu_);  // What the user asked for.
  MappingState state_ ABSL_GUARDED_BY(mu_) = MappingState::kCreating;
  std::string_view reason_ ABSL_GUARDED_BY(mu_) = kUserInitiated;
  absl::Time last_modified_ ABSL_GUARDED_BY(mu_);
  bool polling_ ABSL_GUARDED_BY(mu_) = false;
  bool shutdown_ ABSL_GUARDED_BY(mu_) = false;
  bool transition_queued_ ABSL_GUARDED_BY(mu_) = false;

  // Slots are owned here and destroyed only by their own retirement (or with
  // the mapping), so a step or a receive callback never outlives its slot.
  std::vector<std::unique_ptr<Slot>> slots_ ABSL_GUARDED_BY(mu_);
  std::vector<Slot*> parked_ ABSL_GUARDED_BY(mu_);
  int busy_ ABSL_GUARDED_BY(mu_) = 0;      // Slots not parked.
  int invoking_ ABSL_GUARDED_BY(mu_) = 0;  // Busy slots inside InvokeStep.
  int standby_ ABSL_GUARDED_BY(mu_) = 0;   // Slots in an idle long poll (SystemClock).
  int target_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Time last_scale_up_ ABSL_GUARDED_BY(mu_);
};

}  // namespace wharf::lambda_internal

#endif  // WHARF_BROKER_LAMBDA_EVENT_SOURCE_MAPPING_H_
