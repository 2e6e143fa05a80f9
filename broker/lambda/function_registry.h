// The Lambda core's functions: the registry of handlers, running one
// (synchronously, on the calling thread), and asynchronous invocations with
// AWS's retries and destinations (Lambda developer guide, "Asynchronous
// invocation": two retries, one minute then two minutes after a function
// error, within the maximum event age; then the on-failure destination).
//
// A function is an immutable Function snapshot, replaced as a whole when its
// configuration or handler changes; an invocation keeps the snapshot it
// started with. Asynchronous invocations run as tasks on the Executor; their
// retries wait on the Scheduler and then go back to the Executor, so no
// handler ever runs on the scheduler's thread.
//
// Invariants: pending_async_ counts the asynchronous jobs queued on the
// executor or waiting for a retry; it never exceeds max_pending_async.
//
// Thread safety: thread-safe. Handlers run with no registry lock held.

#ifndef WHARF_BROKER_LAMBDA_FUNCTION_REGISTRY_H_
#define WHARF_BROKER_LAMBDA_FUNCTION_REGISTRY_H_

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "broker/base/executor.h"
#include "broker/base/mutex.h"
#include "broker/base/scheduler.h"
#include "broker/metrics/stats.h"
#include "wharf/clock.h"
#include "wharf/lambda.h"

namespace wharf::lambda_internal {

// A function's asynchronous invocation settings (PutFunctionEventInvokeConfig).
struct AsyncConfig {
  int maximum_retry_attempts = 2;
  int maximum_event_age_seconds = 21600;
  lambda::DestinationConfig destinations;
  absl::Time last_modified;
};

// A function's counters, for metrics (CloudWatch's AWS/Lambda names in
// brackets): cumulative, relaxed atomics, one add per event and no lock. Every
// snapshot of a function shares them (updates keep them); a function created
// again under the same name starts from zero.
struct FunctionCounters {
  // Handler runs: synchronous invokes, asynchronous attempts, mapping
  // batches [Invocations].
  std::atomic<uint64_t> invocations{0};
  std::atomic<uint64_t> errors{0};     // Runs that were function errors [Errors].
  std::atomic<uint64_t> throttles{0};  // Invocations refused (TooManyRequests) [Throttles].
  // Each run's time on the broker's clock, in microseconds [Duration].
  metrics_internal::SizeStat duration;
  std::atomic<int64_t> running{0};            // Runs in progress [ConcurrentExecutions].
  std::atomic<uint64_t> async_received{0};    // Events queued [AsyncEventsReceived].
  std::atomic<uint64_t> async_dropped{0};     // Retries exhausted or too old [AsyncEventsDropped].
  std::atomic<uint64_t> async_age_micros{0};  // Queued to first attempt, summed [AsyncEventAge].
  std::atomic<uint64_t> destination_failures{0};  // [DestinationDeliveryFailures].
};

// A plain copy of FunctionCounters.
struct FunctionCounterValues {
  uint64_t invocations = 0;
  uint64_t errors = 0;
  uint64_t throttles = 0;
  uint64_t duration_micros = 0;  // Summed.
  int64_t running = 0;
  uint64_t async_received = 0;
  uint64_t async_dropped = 0;
  uint64_t async_age_micros = 0;
  uint64_t destination_failures = 0;
};
FunctionCounterValues Read(const FunctionCounters& counters);

struct Function {
  std::string name;
  std::string arn;
  // Tells apart functions created under the same name; kept by updates.
  uint64_t id = 0;
  lambda::Handler handler;
  absl::Duration timeout = absl::Seconds(3);
  std::string description;
  absl::Time last_modified;
  std::optional<AsyncConfig> async_config;  // Unset: AWS's defaults.
  std::shared_ptr<FunctionCounters> counters = std::make_shared<FunctionCounters>();
};

// How one run of a handler ended.
struct RunOutcome {
  bool function_error = false;
  // The handler's response, or {"errorMessage":...,"errorType":...}.
  std::string payload;
};

// Where invocation records go. Implemented by the service layer, which
// reaches queues, topics and buses; a function destination comes back to
// FunctionRegistry::InvokeAsync.
class Destinations {
 public:
  virtual ~Destinations() = default;
  // Sends `record` (JSON) to `destination_arn`. `success` tells which
  // condition it reports (EventBridge's detail-type depends on it).
  virtual absl::Status Send(std::string_view destination_arn, std::string_view function_arn,
                            const std::string& record, bool success) = 0;
};

// Counters for tests.
struct FunctionStats {
  int64_t async_invocations = 0;  // Attempts, retries included.
  int64_t async_dropped = 0;      // Function deleted while the event waited.
  int64_t destination_records = 0;
  int64_t destination_failures = 0;  // Records that could not be delivered.
};

class FunctionRegistry : public std::enable_shared_from_this<FunctionRegistry> {
 public:
  struct Options {
    Clock* clock = nullptr;          // Required; outlives the registry.
    Scheduler* scheduler = nullptr;  // Required; retries. Outlives the registry.
    std::shared_ptr<Executor> executor;
    Destinations* destinations = nullptr;  // Null: records are dropped (counted).
    size_t max_pending_async = 100000;
  };

  // Shared so that pending retries hold it weakly.
  static std::shared_ptr<FunctionRegistry> Create(Options options);
  FunctionRegistry(const FunctionRegistry&) = delete;
  FunctionRegistry& operator=(const FunctionRegistry&) = delete;

  // Adds a function; false if one of that name exists.
  bool Add(std::shared_ptr<const Function> function) ABSL_LOCKS_EXCLUDED(mu_);
  // Replaces the function of the same name; false if there is none.
  bool Replace(std::shared_ptr<const Function> function) ABSL_LOCKS_EXCLUDED(mu_);
  // Removes and returns it (null if there is none).
  std::shared_ptr<const Function> Remove(std::string_view name) ABSL_LOCKS_EXCLUDED(mu_);
  std::shared_ptr<const Function> Find(std::string_view name) const ABSL_LOCKS_EXCLUDED(mu_);
  // Ordered by name, starting after `after` (empty: from the start).
  std::vector<std::shared_ptr<const Function>> List(std::string_view after, size_t max) const
      ABSL_LOCKS_EXCLUDED(mu_);

  // Runs the handler on the calling thread with no lock held. Exceptions and
  // error statuses are function errors; a run longer than the timeout (on
  // the clock) is a timeout error whatever it returned. Counts the run in the
  // function's counters.
  RunOutcome Run(const Function& function, const lambda::Invocation& invocation) const;

  // Queues an asynchronous invocation of `function` with `payload` (valid
  // JSON, within the size limit). Errors: kLambdaTooManyRequests (too many
  // pending), kLambdaService (executor shut down).
  absl::Status InvokeAsync(const Function& function, std::string payload);

  FunctionStats stats() const;

 private:
  struct AsyncJob;

  explicit FunctionRegistry(Options options);
  void RunAsync(std::shared_ptr<AsyncJob> job);
  void Deliver(const AsyncJob& job, const Function& function, const AsyncConfig& config,
               std::string condition, bool success);

  const Options options_;
  std::atomic<int64_t> pending_async_{0};
  std::atomic<int64_t> async_invocations_{0};
  std::atomic<int64_t> async_dropped_{0};
  std::atomic<int64_t> destination_records_{0};
  std::atomic<int64_t> destination_failures_{0};

  mutable Mutex mu_;
  std::map<std::string, std::shared_ptr<const Function>, std::less<>> functions_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace wharf::lambda_internal

#endif  // WHARF_BROKER_LAMBDA_FUNCTION_REGISTRY_H_
