// LambdaService: the lambda::Service implementation. A thin layer over the
// Lambda core (broker/lambda/): it checks AWS parameters, ranges and ARNs and
// answers with Lambda's error codes, resolves FunctionName (name, ARN or
// partial ARN) and queue ARNs, and owns what the core runs on: the executor
// (a ThreadPool, or a ManualExecutor drained by RunUntilIdle and by
// ManualClock::Advance), the function registry and the event source
// mappings. It is also the FunctionInvoker of the SNS and EventBridge cores,
// and delivers asynchronous invocation records to queues, topics, buses and
// functions through the public services of the same broker.
//
// Lifecycle: construct; Connect() the SNS and EventBridge services once they
// exist; Shutdown() before they are destroyed (stops pollers, waits for the
// handlers that run); then destroy.
//
// Durable mode (Options::store; lambda_durable.cc): each event source mapping
// is a document of the store (UUID, queue, function name, batch size,
// batching window, filter criteria, ReportBatchItemFailures, maximum
// concurrency, enabled), written when Create/Update/DeleteEventSourceMapping
// or DeleteFunction change it and committed before they return. Functions
// are code: they are not kept, and the user creates them again after a
// restart. Recover restores each mapping as waiting for its function: it is
// listed (Get/List show its configuration and stored state, List after the
// running mappings, so a restart does not keep the listing order; Delete works;
// Update fails with ResourceInUseException) but does not poll, so no record
// is received, and no receive count spent, before the function is back.
// CreateFunction of its name starts it with its UUID, as configured
// (enabled or not). A mapping whose function never comes back keeps waiting:
// its queue's records stay there under the queue's retention (AWS would
// invoke, fail and let the redrive policy act). A mapping whose queue is gone
// or whose function no longer fits it (timeout above the queue's visibility
// timeout) keeps waiting too.
//
// Lock order: mu_ before EventSourceMapping::mu_ (never held while a handler
// runs, nor while the executor is shut down).
//
// Thread safety: thread-safe.

#ifndef WHARF_BROKER_SERVICE_LAMBDA_SERVICE_H_
#define WHARF_BROKER_SERVICE_LAMBDA_SERVICE_H_

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "broker/base/executor.h"
#include "broker/base/function_invoker.h"
#include "broker/base/mutex.h"
#include "broker/base/scheduler.h"
#include "broker/lambda/event_source_mapping.h"
#include "broker/lambda/function_registry.h"
#include "broker/service/lambda_checks.h"
#include "broker/storage/store.h"
#include "wharf/clock.h"
#include "wharf/events.h"
#include "wharf/lambda.h"
#include "wharf/sns.h"
#include "wharf/sqs.h"

namespace wharf::service_internal {

class LambdaService final : public lambda::Service, public base_internal::FunctionInvoker {
 public:
  struct Options {
    std::string region = "us-east-1";
    std::string account_id = "000000000000";
    Clock* clock = nullptr;          // Required.
    Scheduler* scheduler = nullptr;  // Required (retries, batching windows).
    sqs::Service* sqs = nullptr;     // Required (event sources, queue destinations).
    int worker_threads = 4;
    size_t max_pending_async = 100000;         // TooManyRequestsException beyond.
    storage_internal::Store* store = nullptr;  // Null: in memory.
  };

  // `clock`, `scheduler` and `sqs` must outlive the service.
  explicit LambdaService(const Options& options);
  ~LambdaService() override;  // Shutdown().

  // Durable mode: restores the event source mappings, each waiting for its
  // function. REQUIRES: called once, before any other call. Errors: DataLoss
  // (a damaged record, naming it) and the store's errors.
  absl::Status Recover() ABSL_LOCKS_EXCLUDED(mu_);

  // The services destinations reach; they must stay alive until Shutdown.
  void Connect(sns::Service* sns, events::Service* events) ABSL_LOCKS_EXCLUDED(mu_);
  // Stops mappings and asynchronous work and waits for running handlers
  // (which may still call the broker). Idempotent.
  void Shutdown() ABSL_LOCKS_EXCLUDED(mu_);

  // lambda::Service.
  absl::StatusOr<lambda::FunctionConfiguration> CreateFunction(
      lambda::CreateFunctionRequest request) override;
  absl::StatusOr<lambda::FunctionConfiguration> GetFunctionConfiguration(
      const lambda::GetFunctionConfigurationRequest& request) override;
  absl::StatusOr<lambda::FunctionConfiguration> UpdateFunctionConfiguration(
      const lambda::UpdateFunctionConfigurationRequest& request) override;
  absl::StatusOr<lambda::FunctionConfiguration> UpdateFunctionCode(
      lambda::UpdateFunctionCodeRequest request) override;
  absl::Status DeleteFunction(const lambda::DeleteFunctionRequest& request) override;
  absl::StatusOr<lambda::ListFunctionsResult> ListFunctions(
      const lambda::ListFunctionsRequest& request) override;
  absl::StatusOr<lambda::InvokeResult> Invoke(const lambda::InvokeRequest& request) override;
  absl::StatusOr<lambda::FunctionEventInvokeConfig> PutFunctionEventInvokeConfig(
      const lambda::PutFunctionEventInvokeConfigRequest& request) override;
  absl::StatusOr<lambda::FunctionEventInvokeConfig> GetFunctionEventInvokeConfig(
      const lambda::GetFunctionEventInvokeConfigRequest& request) override;
  absl::Status DeleteFunctionEventInvokeConfig(
      const lambda::DeleteFunctionEventInvokeConfigRequest& request) override;
  absl::StatusOr<lambda::EventSourceMappingConfiguration> CreateEventSourceMapping(
      const lambda::CreateEventSourceMappingRequest& request) override;
  absl::StatusOr<lambda::EventSourceMappingConfiguration> UpdateEventSourceMapping(
      const lambda::UpdateEventSourceMappingRequest& request) override;
  absl::StatusOr<lambda::EventSourceMappingConfiguration> DeleteEventSourceMapping(
      const lambda::DeleteEventSourceMappingRequest& request) override;
  absl::StatusOr<lambda::EventSourceMappingConfiguration> GetEventSourceMapping(
      const lambda::GetEventSourceMappingRequest& request) override;
  absl::StatusOr<lambda::ListEventSourceMappingsResult> ListEventSourceMappings(
      const lambda::ListEventSourceMappingsRequest& request) override;
  absl::Status RunUntilIdle() override;

  // base_internal::FunctionInvoker (SNS "lambda" subscriptions, EventBridge
  // function targets).
  absl::Status InvokeAsync(std::string_view function_arn, std::string payload) override;

  // Metrics (the CloudWatch/Prometheus collector reads these once per
  // sample): every function's and every mapping's counters, by name and by
  // creation. Cost: one pass over the functions and mappings, no handler or
  // poller is held up.
  struct FunctionMetrics {
    std::string function_name;
    uint64_t function_id = 0;  // Tells apart functions created again under one name.
    lambda_internal::FunctionCounterValues counters;
    std::shared_ptr<lambda_internal::FunctionCounters> live;  // For the Duration distribution.
  };
  struct MappingMetrics {
    std::string uuid;
    std::string function_name;
    std::string event_source_arn;
    int pollers = 0;
    lambda_internal::MappingCounterValues counters;
  };
  struct Metrics {
    std::vector<FunctionMetrics> functions;
    std::vector<MappingMetrics> mappings;
  };
  Metrics CollectMetrics() const ABSL_LOCKS_EXCLUDED(mu_);

  // For tests.
  lambda_internal::FunctionStats TEST_function_stats() const { return functions_->stats(); }
  std::shared_ptr<lambda_internal::EventSourceMapping> TEST_mapping(const std::string& uuid) const
      ABSL_LOCKS_EXCLUDED(mu_);

 private:
  class RecordDestinations;
  struct QueueInfo {
    // The queue as a mapping reads it: the broker's own queues implement the
    // seam (QueueImpl); a queue of another sqs::Service is not an event source.
    std::shared_ptr<lambda_internal::RecordSource> source;
    bool fifo = false;
    int visibility_timeout = 30;
  };

  std::string FunctionArn(std::string_view name) const;
  // FunctionName (name, ARN or partial ARN; ":$LATEST" allowed) -> name.
  // Errors: ValidationException (malformed), ResourceNotFoundException
  // (another region or account, or another qualifier).
  absl::StatusOr<std::string> ResolveFunctionName(std::string_view param) const;
  // The function, or ResourceNotFoundException.
  absl::StatusOr<std::shared_ptr<const lambda_internal::Function>> FindFunction(
      std::string_view param) const;
  // ResourceNotFoundException "The function <arn>:$LATEST doesn't have an
  // EventInvokeConfig" (also AWS's answer for a function that does not exist).
  absl::Status NoEventInvokeConfig(std::string_view name) const;
  // A destination of PutFunctionEventInvokeConfig for `function`.
  absl::Status CheckDestination(const lambda::DestinationConfig& config, const std::string& arn,
                                const lambda_internal::Function& function) const;
  // FindFunction for Create/UpdateEventSourceMapping, which answer a missing
  // function with InvalidParameterValueException "Function does not exist".
  absl::StatusOr<std::shared_ptr<const lambda_internal::Function>> FindMappedFunction(
      std::string_view param) const;
  // The queue of an EventSourceArn. Errors: InvalidParameterValueException
  // (not an SQS queue ARN, or no such queue).
  absl::StatusOr<QueueInfo> ResolveQueue(const std::string& arn) const;
  lambda::EventSourceMappingConfiguration ToConfiguration(
      const lambda_internal::MappingView& view) const;
  lambda::FunctionConfiguration ToConfiguration(const lambda_internal::Function& function) const;
  std::shared_ptr<lambda_internal::EventSourceMapping> FindMapping(const std::string& uuid) const
      ABSL_LOCKS_EXCLUDED(mu_);
  // A new mapping in the table. REQUIRES: not shut down.
  std::shared_ptr<lambda_internal::EventSourceMapping> AddMappingLocked(
      std::string uuid, const std::string& queue_arn, const QueueInfo& queue,
      lambda_internal::MappingSettings settings, bool enabled) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // Durable mode (lambda_durable.cc; no-ops in memory). A mapping's stored
  // configuration; one restored and waiting for its function.
  struct StoredMapping {
    std::string uuid;
    std::string queue_arn;
    std::string function_name;
    lambda_checks::MappingParams params;
    bool enabled = true;
    absl::Time last_modified;
  };
  static StoredMapping ToStored(const lambda_internal::MappingView& view, bool enabled);
  // Write (or erase) a mapping's document and wait for the commit.
  absl::Status PersistMapping(const StoredMapping& mapping);
  absl::Status EraseMapping(const std::string& uuid);
  lambda::EventSourceMappingConfiguration ToConfiguration(const StoredMapping& waiting) const;
  // The waiting mapping `uuid`, or nullopt.
  std::optional<StoredMapping> FindWaiting(const std::string& uuid) const ABSL_LOCKS_EXCLUDED(mu_);
  // Starts the waiting mappings of function `name` (just created).
  void StartWaiting(const std::string& name) ABSL_LOCKS_EXCLUDED(mu_);
  // Drops mappings that finished deleting.
  void PurgeDeletedLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // ManualClock: runs due timers, wakes pollers and drains the executor until
  // nothing progresses. A nested call (from a handler) returns at once.
  void Drain() ABSL_LOCKS_EXCLUDED(mu_);

  const Options options_;
  ManualClock* const manual_clock_;            // Non-null: ManualClock mode.
  ManualExecutor* manual_executor_ = nullptr;  // Owned by executor_ in ManualClock mode.
  std::shared_ptr<Executor> executor_;
  std::unique_ptr<RecordDestinations> destinations_;
  std::shared_ptr<lambda_internal::FunctionRegistry> functions_;
  int listener_id_ = -1;

  mutable Mutex mu_;
  bool shut_down_ ABSL_GUARDED_BY(mu_) = false;
  // By UUID; `order_` keeps creation order for listings.
  std::map<std::string, std::shared_ptr<lambda_internal::EventSourceMapping>> mappings_
      ABSL_GUARDED_BY(mu_);
  std::vector<std::string> order_ ABSL_GUARDED_BY(mu_);
  // Durable mode: restored mappings waiting for their function, by UUID.
  std::map<std::string, StoredMapping> waiting_ ABSL_GUARDED_BY(mu_);
};

}  // namespace wharf::service_internal

#endif  // WHARF_BROKER_SERVICE_LAMBDA_SERVICE_H_
