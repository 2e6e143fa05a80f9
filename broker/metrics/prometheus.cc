#include "broker/metrics/prometheus.h"

#include <cmath>
#include <cstdio>

#include "absl/strings/str_cat.h"

namespace wharf::metrics_internal {

void AppendEscapedLabelValue(std::string& out, std::string_view value) {
  for (char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
}

void AppendSampleValue(std::string& out, double value) {
  if (std::isnan(value)) {
    out += "NaN";
  } else if (std::isinf(value)) {
    out += value > 0 ? "+Inf" : "-Inf";
  } else if (value == std::trunc(value) && std::fabs(value) < 1e15) {
    absl::StrAppend(&out, static_cast<int64_t>(value));
  } else {
    // 15 significant digits: scaled values print as written (1024 us is
    // 0.001024 s, not 0.0010239999999999999).
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%.15g", value);
    out += buf;
  }
}

PrometheusCollector::Family& PrometheusCollector::FamilyOf(const MetricDef& def) {
  for (Family& f : families_) {
    if (f.def == &def) return f;
  }
  return families_.emplace_back(Family{&def, {}});
}

void PrometheusCollector::AppendLabels(std::string& out, const Object& object,
                                       std::string_view extra_name, std::string_view extra_value) {
  if (object.labels.empty() && extra_name.empty()) return;
  out += '{';
  bool first = true;
  auto one = [&](std::string_view name, std::string_view value) {
    if (!first) out += ',';
    first = false;
    absl::StrAppend(&out, absl::string_view(name.data(), name.size()), "=\"");
    AppendEscapedLabelValue(out, value);
    out += '"';
  };
  for (const Label& l : object.labels) one(l.name, l.value);
  if (!extra_name.empty()) one(extra_name, extra_value);
  out += '}';
}

void PrometheusCollector::Counter(const MetricDef& def, const Object& object, uint64_t total) {
  if (def.prometheus_name.empty()) return;
  std::string& out = FamilyOf(def).samples;
  out += def.prometheus_name;
  AppendLabels(out, object, {}, {});
  out += ' ';
  AppendSampleValue(out, static_cast<double>(total) * def.prometheus_scale);
  out += '\n';
}

void PrometheusCollector::Gauge(const MetricDef& def, const Object& object, double value) {
  if (def.prometheus_name.empty()) return;
  std::string& out = FamilyOf(def).samples;
  out += def.prometheus_name;
  AppendLabels(out, object, {}, {});
  out += ' ';
  AppendSampleValue(out, value * def.prometheus_scale);
  out += '\n';
}

void PrometheusCollector::Size(const MetricDef& def, const Object& object, SizeStat& stat) {
  if (def.prometheus_name.empty()) return;
  std::string& out = FamilyOf(def).samples;
  // Read the buckets once; the count is their total so the histogram is
  // consistent even while values are being recorded.
  uint64_t cumulative = 0;
  std::string bound;
  for (int b = 0; b < kSizeBuckets; ++b) {
    cumulative += stat.BucketCount(b);
    bound.clear();
    if (b + 1 < kSizeBuckets) {
      AppendSampleValue(bound, static_cast<double>(kSizeBucketBounds[b]) * def.prometheus_scale);
    } else {
      bound = "+Inf";
    }
    absl::StrAppend(&out, absl::string_view(def.prometheus_name.data(), def.prometheus_name.size()),
                    "_bucket");
    AppendLabels(out, object, "le", bound);
    absl::StrAppend(&out, " ", cumulative, "\n");
  }
  absl::StrAppend(&out, absl::string_view(def.prometheus_name.data(), def.prometheus_name.size()),
                  "_sum");
  AppendLabels(out, object, {}, {});
  out += ' ';
  AppendSampleValue(out, static_cast<double>(stat.Sum()) * def.prometheus_scale);
  out += '\n';
  absl::StrAppend(&out, absl::string_view(def.prometheus_name.data(), def.prometheus_name.size()),
                  "_count");
  AppendLabels(out, object, {}, {});
  absl::StrAppend(&out, " ", cumulative, "\n");
}

std::string PrometheusCollector::Render() const {
  std::string out;
  for (const Family& f : families_) {
    const MetricDef& d = *f.def;
    const absl::string_view name(d.prometheus_name.data(), d.prometheus_name.size());
    out += "# HELP ";
    out += d.prometheus_name;
    out += ' ';
    for (char c : d.help) {
      if (c == '\\') {
        out += "\\\\";
      } else if (c == '\n') {
        out += "\\n";
      } else {
        out += c;
      }
    }
    out += '\n';
    const char* type = d.kind == MetricKind::kCounter ? "counter"
                       : d.kind == MetricKind::kGauge ? "gauge"
                                                      : "histogram";
    absl::StrAppend(&out, "# TYPE ", name, " ", type, "\n");
    out += f.samples;
  }
  return out;
}

}  // namespace wharf::metrics_internal
