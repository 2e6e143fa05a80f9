// How the parts of a broker report their metrics: each source (the SQS, SNS,
// EventBridge and Lambda services) walks its objects and hands every value to
// a Collector. Two collectors exist: the sampler, which turns them into
// CloudWatch datapoints, and the Prometheus renderer.
//
//   void SqsServiceImpl::CollectMetrics(Collector& out) {
//     for (queue : queues) {
//       Object o{queue.stats_id, dims, labels};
//       out.Counter(kNumberOfMessagesReceived, o, queue.stats.Read(kReceived));
//       out.Gauge(kApproximateNumberOfMessagesVisible, o, counts.visible);
//     }
//   }
//
// A MetricDef names one metric twice: as CloudWatch knows it (namespace,
// name, unit) and as Prometheus shows it. Defs are static constants.
//
// Thread safety: a source's CollectMetrics may run concurrently with its hot
// paths (it reads counters); one collection runs at a time per collector.

#ifndef WHARF_BROKER_METRICS_COLLECTOR_H_
#define WHARF_BROKER_METRICS_COLLECTOR_H_

#include <cstdint>
#include <span>
#include <string_view>

#include "absl/time/time.h"
#include "broker/metrics/stats.h"

namespace wharf::metrics_internal {

enum class MetricKind {
  kCounter,  // Cumulative count; CloudWatch gets one datapoint per minute (the count in it).
  kGauge,    // A current value; CloudWatch gets one per minute (the minute's latest).
  kSize,     // A SizeStat (sizes, durations); CloudWatch gets count, sum and extremes per
             // minute, Prometheus a histogram.
};

enum class Emit {
  kAlways,       // A datapoint every minute, zero included (SQS).
  kWhenNonZero,  // Only minutes with activity (SNS, EventBridge, Lambda).
};

struct MetricDef {
  std::string_view aws_namespace;  // "AWS/SQS".
  std::string_view aws_name;       // "NumberOfMessagesSent".
  std::string_view unit;           // A CloudWatch StandardUnit: "Count", "Bytes", "Seconds".
  MetricKind kind;
  Emit emit;
  std::string_view prometheus_name;  // "wharf_sqs_messages_sent_total"; empty: not exported.
  std::string_view help;
  // Prometheus shows the value (and a histogram's bucket bounds) multiplied by
  // this (e.g. microseconds as seconds); CloudWatch by cloudwatch_scale.
  double prometheus_scale = 1;
  double cloudwatch_scale = 1;
};

struct Dimension {
  std::string_view name;  // CloudWatch dimension name: "QueueName".
  std::string_view value;
};
struct Label {
  std::string_view name;  // Prometheus label: "queue".
  std::string_view value;
};

// One object that has metrics: a queue, a topic, a rule, a bus, a function.
struct Object {
  uint64_t id;  // NewObjectId() of the object; 0 for broker-wide metrics.
  std::span<const Dimension> dimensions;
  std::span<const Label> labels;
  // CloudWatch datapoints stop here while nothing happens (SQS stops
  // publishing an idle queue's metrics): the zeros of Emit::kAlways counters
  // and the held values of gauges are recorded only for minutes that begin
  // before it. What the object counts is recorded whenever it happens.
  absl::Time active_until = absl::InfiniteFuture();
};

class Collector {
 public:
  virtual ~Collector() = default;
  virtual void Counter(const MetricDef& def, const Object& object, uint64_t total) = 0;
  virtual void Gauge(const MetricDef& def, const Object& object, double value) = 0;
  virtual void Size(const MetricDef& def, const Object& object, SizeStat& stat) = 0;
};

class MetricSource {
 public:
  virtual ~MetricSource() = default;
  // Reports every metric of every object to `out`. Called under the
  // sampler's lock, inside a CompletionScope (what it completes, e.g. parked
  // receives a queue's counts wake, runs after the flush): must not call
  // the sampler; reports nothing it would have to hold a lock across.
  virtual void CollectMetrics(Collector& out) = 0;
};

}  // namespace wharf::metrics_internal

#endif  // WHARF_BROKER_METRICS_COLLECTOR_H_
