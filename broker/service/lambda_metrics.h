// LambdaMetrics: the AWS/Lambda metrics of a LambdaService's functions
// (FunctionName dimension, Prometheus label `function`) and event source
// mappings (EventSourceMappingUUID, labels `mapping` and `function`), read
// from the counters the service keeps (LambdaService::CollectMetrics).
//
// Duration is a distribution of the runs' times (in microseconds, reported in
// milliseconds): SampleCount counts runs, Minimum/Maximum are single runs';
// Prometheus shows it as the histogram wharf_lambda_duration_seconds.
//
// Thread safety: thread-safe. The service must outlive it.

#ifndef WHARF_BROKER_SERVICE_LAMBDA_METRICS_H_
#define WHARF_BROKER_SERVICE_LAMBDA_METRICS_H_

#include "broker/metrics/collector.h"
#include "broker/service/lambda_service.h"

namespace wharf::service_internal {

class LambdaMetrics final : public metrics_internal::MetricSource {
 public:
  explicit LambdaMetrics(const LambdaService& service) : service_(service) {}
  void CollectMetrics(metrics_internal::Collector& out) override;

 private:
  const LambdaService& service_;
};

}  // namespace wharf::service_internal

#endif  // WHARF_BROKER_SERVICE_LAMBDA_METRICS_H_
