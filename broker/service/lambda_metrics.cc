#include "broker/service/lambda_metrics.h"

#include <algorithm>
#include <string>
#include <utility>

namespace wharf::service_internal {
namespace {

using metrics_internal::Emit;
using metrics_internal::MetricDef;
using metrics_internal::MetricKind;

constexpr std::string_view kNs = "AWS/Lambda";

constexpr MetricDef kInvocations{kNs,
                                 "Invocations",
                                 "Count",
                                 MetricKind::kCounter,
                                 Emit::kWhenNonZero,
                                 "wharf_lambda_invocations_total",
                                 "Function invocations (successful or not)."};
constexpr MetricDef kErrors{kNs,
                            "Errors",
                            "Count",
                            MetricKind::kCounter,
                            Emit::kWhenNonZero,
                            "wharf_lambda_errors_total",
                            "Invocations that ended in a function error."};
constexpr MetricDef kThrottles{kNs,
                               "Throttles",
                               "Count",
                               MetricKind::kCounter,
                               Emit::kWhenNonZero,
                               "wharf_lambda_throttles_total",
                               "Invocation requests refused for want of concurrency."};
// Recorded in microseconds per run.
constexpr MetricDef kDuration{kNs,
                              "Duration",
                              "Milliseconds",
                              MetricKind::kSize,
                              Emit::kWhenNonZero,
                              "wharf_lambda_duration_seconds",
                              "Time spent in the function's handler, per run.",
                              /*prometheus_scale=*/1e-6,
                              /*cloudwatch_scale=*/1e-3};
constexpr MetricDef kConcurrent{kNs,
                                "ConcurrentExecutions",
                                "Count",
                                MetricKind::kGauge,
                                Emit::kAlways,
                                "wharf_lambda_concurrent_executions",
                                "Invocations of the function running now."};
constexpr MetricDef kAsyncReceived{kNs,
                                   "AsyncEventsReceived",
                                   "Count",
                                   MetricKind::kCounter,
                                   Emit::kWhenNonZero,
                                   "wharf_lambda_async_events_received_total",
                                   "Events queued for asynchronous invocation."};
constexpr MetricDef kAsyncDropped{kNs,
                                  "AsyncEventsDropped",
                                  "Count",
                                  MetricKind::kCounter,
                                  Emit::kWhenNonZero,
                                  "wharf_lambda_async_events_dropped_total",
                                  "Asynchronous events dropped without reaching the function."};
constexpr MetricDef kDestinationFailures{kNs,
                                         "DestinationDeliveryFailures",
                                         "Count",
                                         MetricKind::kCounter,
                                         Emit::kWhenNonZero,
                                         "wharf_lambda_destination_delivery_failures_total",
                                         "Invocation records a destination refused."};

// The same, for all functions together (no dimension; not in Prometheus).
constexpr MetricDef kAllInvocations{
    kNs, "Invocations", "Count", MetricKind::kCounter, Emit::kWhenNonZero, "", kInvocations.help};
constexpr MetricDef kAllErrors{kNs, "Errors",    "Count", MetricKind::kCounter, Emit::kWhenNonZero,
                               "",  kErrors.help};
constexpr MetricDef kAllThrottles{
    kNs, "Throttles", "Count", MetricKind::kCounter, Emit::kWhenNonZero, "", kThrottles.help};
constexpr MetricDef kAllConcurrent{
    kNs, "ConcurrentExecutions", "Count", MetricKind::kGauge, Emit::kAlways, "", kConcurrent.help};

// Event source mappings (dimension EventSourceMappingUUID).
constexpr MetricDef kPolled{kNs,
                            "PolledEventCount",
                            "Count",
                            MetricKind::kCounter,
                            Emit::kWhenNonZero,
                            "wharf_lambda_mapping_polled_events_total",
                            "Messages the mapping read from its queue."};
constexpr MetricDef kFilteredOut{kNs,
                                 "FilteredOutEventCount",
                                 "Count",
                                 MetricKind::kCounter,
                                 Emit::kWhenNonZero,
                                 "wharf_lambda_mapping_filtered_out_events_total",
                                 "Messages the mapping's filter criteria dropped."};
constexpr MetricDef kInvoked{kNs,
                             "InvokedEventCount",
                             "Count",
                             MetricKind::kCounter,
                             Emit::kWhenNonZero,
                             "wharf_lambda_mapping_invoked_events_total",
                             "Messages handed to the function."};
constexpr MetricDef kFailedInvoke{kNs,
                                  "FailedInvokeEventCount",
                                  "Count",
                                  MetricKind::kCounter,
                                  Emit::kWhenNonZero,
                                  "wharf_lambda_mapping_failed_invoke_events_total",
                                  "Messages whose invocation failed."};
constexpr MetricDef kDeleted{kNs,
                             "DeletedEventCount",
                             "Count",
                             MetricKind::kCounter,
                             Emit::kWhenNonZero,
                             "wharf_lambda_mapping_deleted_events_total",
                             "Messages deleted from the queue after a successful invocation."};

}  // namespace

void LambdaMetrics::CollectMetrics(metrics_internal::Collector& out) {
  LambdaService::Metrics metrics = service_.CollectMetrics();
  if (!metrics.functions.empty()) {
    MutexLock lock(&mu_);
    absl::flat_hash_map<uint64_t, Counts> seen;
    double running = 0;
    for (const LambdaService::FunctionMetrics& f : metrics.functions) {
      const lambda_internal::FunctionCounterValues& c = f.counters;
      const Counts now{c.invocations, c.errors, c.throttles};
      const Counts before = seen_.contains(f.function_id) ? seen_[f.function_id] : Counts{};
      // Counters only grow; taken apart so a racing read cannot go back.
      auto add = [](uint64_t& total, uint64_t was, uint64_t is) {
        total += is > was ? is - was : 0;
      };
      add(all_.invocations, before.invocations, now.invocations);
      add(all_.errors, before.errors, now.errors);
      add(all_.throttles, before.throttles, now.throttles);
      seen[f.function_id] = {std::max(before.invocations, now.invocations),
                             std::max(before.errors, now.errors),
                             std::max(before.throttles, now.throttles)};
      running += static_cast<double>(c.running);
    }
    seen_ = std::move(seen);  // Deleted functions forgotten; their counts stay in all_.
    const metrics_internal::Object all{all_id_, {}, {}};
    out.Counter(kAllInvocations, all, all_.invocations);
    out.Counter(kAllErrors, all, all_.errors);
    out.Counter(kAllThrottles, all, all_.throttles);
    out.Gauge(kAllConcurrent, all, running);
  }
  for (const LambdaService::FunctionMetrics& f : metrics.functions) {
    const metrics_internal::Dimension dims[] = {{"FunctionName", f.function_name}};
    const metrics_internal::Label labels[] = {{"function", f.function_name}};
    const metrics_internal::Object o{f.function_id, dims, labels};
    const lambda_internal::FunctionCounterValues& c = f.counters;
    out.Counter(kInvocations, o, c.invocations);
    out.Counter(kErrors, o, c.errors);
    out.Counter(kThrottles, o, c.throttles);
    out.Size(kDuration, o, f.live->duration);
    out.Gauge(kConcurrent, o, static_cast<double>(c.running));
    out.Counter(kAsyncReceived, o, c.async_received);
    out.Counter(kAsyncDropped, o, c.async_dropped);
    out.Counter(kDestinationFailures, o, c.destination_failures);
  }
  for (const LambdaService::MappingMetrics& m : metrics.mappings) {
    const metrics_internal::Dimension dims[] = {{"EventSourceMappingUUID", m.uuid}};
    const metrics_internal::Label labels[] = {{"mapping", m.uuid}, {"function", m.function_name}};
    // A mapping's UUID is unique for the broker's life: its hash tells it
    // apart from every other object's id well enough for the sampler.
    const metrics_internal::Object o{std::hash<std::string>()(m.uuid) | 1, dims, labels};
    const lambda_internal::MappingCounterValues& c = m.counters;
    out.Counter(kPolled, o, c.polled);
    out.Counter(kFilteredOut, o, c.filtered_out);
    out.Counter(kInvoked, o, c.invoked);
    out.Counter(kFailedInvoke, o, c.failed);
    out.Counter(kDeleted, o, c.deleted);
  }
}

}  // namespace wharf::service_internal
