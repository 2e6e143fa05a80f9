// LambdaMetrics: the AWS/Lambda metrics of a LambdaService's functions
// (FunctionName dimension, Prometheus label `function`) and event source
// mappings (EventSourceMappingUUID, labels `mapping` and `function`), read
// from the counters the service keeps (LambdaService::CollectMetrics).
//
// As on AWS, Invocations, Errors, Throttles and ConcurrentExecutions are also
// published without a dimension, for all functions together (not exported to
// Prometheus, whose per-function series sum to them). The counts of a deleted
// function stay in them.
//
// Duration is a distribution of the runs' times (in microseconds, reported in
// milliseconds): SampleCount counts runs, Minimum/Maximum are single runs';
// Prometheus shows it as the histogram wharf_lambda_duration_seconds.
//
// Thread safety: thread-safe. The service must outlive it.

#ifndef WHARF_BROKER_SERVICE_LAMBDA_METRICS_H_
#define WHARF_BROKER_SERVICE_LAMBDA_METRICS_H_

#include <cstdint>

#include "absl/container/flat_hash_map.h"
#include "broker/base/mutex.h"
#include "broker/metrics/collector.h"
#include "broker/service/lambda_service.h"

namespace wharf::service_internal {

class LambdaMetrics final : public metrics_internal::MetricSource {
 public:
  explicit LambdaMetrics(const LambdaService& service) : service_(service) {}
  void CollectMetrics(metrics_internal::Collector& out) override;

 private:
  struct Counts {
    uint64_t invocations = 0;
    uint64_t errors = 0;
    uint64_t throttles = 0;
  };

  const LambdaService& service_;
  const uint64_t all_id_ = metrics_internal::NewObjectId();  // The metrics of all functions.
  // Collections may overlap (the sampler, the Prometheus text): each
  // function's counts are added to all_ once, by the one that sees them first.
  Mutex mu_;
  absl::flat_hash_map<uint64_t, Counts> seen_ ABSL_GUARDED_BY(mu_);  // By function id.
  Counts all_ ABSL_GUARDED_BY(mu_);
};

}  // namespace wharf::service_internal

#endif  // WHARF_BROKER_SERVICE_LAMBDA_METRICS_H_
