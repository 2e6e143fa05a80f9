// Renders collected metrics in the Prometheus text exposition format 0.0.4:
// one family per MetricDef (HELP and TYPE lines, then its samples, grouped as
// the format requires however the sources interleave them), counters named
// *_total, SizeStats as histograms (le 64 B ... 1 MiB, +Inf; _sum, _count).
//
//   PrometheusCollector prometheus;
//   sqs.CollectMetrics(prometheus);
//   sns.CollectMetrics(prometheus);
//   std::string text = prometheus.Render();
//
// Label values are escaped (backslash, double quote, newline); names are
// constants of the MetricDefs.
//
// Thread safety: thread-compatible (one collection at a time).

#ifndef WHARF_BROKER_METRICS_PROMETHEUS_H_
#define WHARF_BROKER_METRICS_PROMETHEUS_H_

#include <string>
#include <string_view>
#include <vector>

#include "broker/metrics/collector.h"

namespace wharf::metrics_internal {

// Appends `value` as a Prometheus label value (without quotes), escaped.
void AppendEscapedLabelValue(std::string& out, std::string_view value);
// Appends a sample value: integers without a fraction, others with 15
// significant digits, "+Inf", "-Inf", "NaN".
void AppendSampleValue(std::string& out, double value);

class PrometheusCollector final : public Collector {
 public:
  void Counter(const MetricDef& def, const Object& object, uint64_t total) override;
  void Gauge(const MetricDef& def, const Object& object, double value) override;
  void Size(const MetricDef& def, const Object& object, SizeStat& stat) override;

  // The exposition text of everything collected so far.
  std::string Render() const;

 private:
  struct Family {
    const MetricDef* def;
    std::string samples;  // Sample lines, each ending in '\n'.
  };
  Family& FamilyOf(const MetricDef& def);
  static void AppendLabels(std::string& out, const Object& object, std::string_view extra_name,
                           std::string_view extra_value);

  std::vector<Family> families_;  // In order of first appearance.
};

}  // namespace wharf::metrics_internal

#endif  // WHARF_BROKER_METRICS_PROMETHEUS_H_
