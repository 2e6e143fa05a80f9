// report.html: one self-contained page (inline CSS and SVG, no script, no
// network) with the figures of one run or of several side by side:
//   * a summary table (throughput, latency percentiles, DLQ, backlog, CPU)
//     and the generator's ceiling (the no-op target row),
//   * throughput over time (sent and delivered per second),
//   * backlog and dead-letter queue depth over time,
//   * latency percentiles over time (p50, p99, max; log scale),
//   * the latency distribution (percentile spectrum, as HdrHistogram plots).
// The page is well-formed XHTML: every chart is an <svg> element with a
// data-chart attribute, every line a <polyline> with data-run (the run's
// label) and data-series attributes, so tools can read it back.
//
// Thread safety: thread-safe (pure functions).

#ifndef WHARF_BROKER_TOOLS_BENCH_REPORT_H_
#define WHARF_BROKER_TOOLS_BENCH_REPORT_H_

#include <string>
#include <string_view>
#include <vector>

#include "broker/tools/bench/results.h"

namespace wharf::bench {

std::string RenderReport(const std::vector<RunResult>& runs, std::string_view title);

// The series each chart draws per run, in order (tests check the page for them).
inline constexpr std::string_view kThroughputSeries[] = {"sent", "delivered"};
inline constexpr std::string_view kBacklogSeries[] = {"backlog", "dlq"};
inline constexpr std::string_view kLatencySeries[] = {"p50", "p99", "max"};
inline constexpr std::string_view kDistributionSeries[] = {"distribution"};

}  // namespace wharf::bench

#endif  // WHARF_BROKER_TOOLS_BENCH_REPORT_H_
