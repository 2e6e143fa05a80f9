// What a run measured, and its files: results.json (every figure, the
// per-second series and the latency histograms), results.csv (the per-second
// series, one row per run and second).
//
// Latency is measured from the moment a message was due to be sent (its
// intended time on the producer's schedule, not the moment the send
// happened) to the moment a consumer's receive returned it, so a stalled
// target shows in the percentiles instead of slowing the load down
// (coordinated omission). With rate "unlimited" there is no schedule: the
// intended time is the send itself (closed loop).
//
// Thread safety: plain values.

#ifndef WHARF_BROKER_TOOLS_BENCH_RESULTS_H_
#define WHARF_BROKER_TOOLS_BENCH_RESULTS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "broker/tools/bench/histogram.h"

namespace wharf::bench {

// One interval of the run (a second, the last one possibly shorter).
struct SeriesPoint {
  double t = 0;        // Seconds since the start, at the end of the interval.
  double seconds = 0;  // Length of the interval.
  std::string phase;   // "warmup", "measure" or "drain".
  // Counts in the interval.
  int64_t sent = 0;         // Messages accepted by the target.
  int64_t send_failed = 0;  // Messages refused (failed calls and failed batch entries).
  int64_t delivered = 0;    // First receipts.
  int64_t redelivered = 0;  // Receipts of a message received before.
  int64_t deleted = 0;      // Messages processed successfully.
  int64_t failed = 0;       // Processing attempts that failed.
  // Queue depths at the end of the interval (consumed queues; dead-letter queues).
  int64_t backlog = 0;    // Visible + delayed.
  int64_t in_flight = 0;  // Received, not yet deleted or returned.
  int64_t dlq = 0;
  // Latency of the interval's first receipts, nanoseconds.
  int64_t p50 = 0;
  int64_t p90 = 0;
  int64_t p99 = 0;
  int64_t max = 0;
  double cpu = 0;   // Process CPU time / wall time (cores busy).
  int64_t lag = 0;  // How far the most late producer ran behind its schedule, ns.
};

struct LatencyFigures {
  int64_t count = 0;
  double mean = 0;
  int64_t min = 0;
  int64_t p50 = 0;
  int64_t p90 = 0;
  int64_t p99 = 0;
  int64_t p999 = 0;
  int64_t max = 0;
  Histogram histogram;

  static LatencyFigures Of(const Histogram& h);
};

struct QueueFigures {
  std::string name;
  bool dead_letter = false;
  bool consumed = false;
  int64_t visible = 0;  // At the end of the run.
  int64_t in_flight = 0;
};

struct HostFigures {
  int cores = 0;
  double load1 = 0;  // /proc/loadavg when the run started.
  double load5 = 0;
  double load15 = 0;
};

struct RunResult {
  std::string scenario;
  std::string description;
  std::string target;
  std::string label;       // "scenario @ target", unique within a comparison.
  std::string started_at;  // UTC, RFC 3339.
  uint64_t seed = 0;
  double warmup_s = 0;
  double duration_s = 0;  // The measured window.
  double drain_s = 0;
  std::string rate;  // e.g. "2000/s" or "unlimited (closed loop)".
  HostFigures host;

  // The measured window, [warmup, warmup + duration): the messages due in
  // it, and the first receipts that happened in it. Under saturation these
  // differ: consumers still working through older messages deliver at their
  // own pace (delivered_per_s) while few of the window's messages arrive.
  int64_t sent = 0;
  int64_t send_failed = 0;
  int64_t delivered = 0;  // First receipts of messages due in the window (by the end).
  double sent_per_s = 0;
  double delivered_per_s = 0;  // First receipts in the window, per second.
  // Over the whole run.
  int64_t sent_total = 0;
  int64_t delivered_total = 0;
  int64_t redelivered = 0;
  int64_t deleted = 0;
  int64_t failed = 0;
  int64_t send_errors = 0;     // Calls that failed as a whole.
  int64_t receive_errors = 0;  // Receive, delete and visibility calls that failed.
  int64_t foreign = 0;         // Messages received without a wharf-bench stamp.
  int64_t fifo_order_violations = 0;
  int64_t backlog_end = 0;  // Consumed queues, visible + in flight + delayed, at the end.
  int64_t dlq_end = 0;      // Messages in dead-letter queues at the end.
  std::vector<QueueFigures> queues;

  LatencyFigures receipt;     // Due -> first receipt.
  LatencyFigures completion;  // Due -> deleted after successful processing.
  // What ends each latency: for receive loops the receipt and the delete,
  // for event source mappings the handler's call and its return.
  std::string receipt_at = "first receipt";
  std::string completion_at = "deleted";

  double cpu_seconds = 0;  // Of this process (for inproc: harness and broker).
  double cpu_cores = 0;    // cpu_seconds / wall seconds.
  double wall_s = 0;

  std::vector<SeriesPoint> series;
  // Messages/s the generator drives into the no-op target (the ceiling).
  std::optional<double> ceiling_per_s;
  std::vector<std::string> errors;  // The first distinct errors, with counts.
};

// Writes the results.json / results.csv of `runs` to `path`.
absl::Status WriteJson(const std::vector<RunResult>& runs, const std::string& path);
absl::Status WriteCsv(const std::vector<RunResult>& runs, const std::string& path);

// The files' contents (tests).
std::string ResultsJson(const std::vector<RunResult>& runs);
std::string ResultsCsv(const std::vector<RunResult>& runs);

// Writes `content` to `path`. Errors: Internal with the system's reason.
absl::Status WriteFile(const std::string& path, const std::string& content);

}  // namespace wharf::bench

#endif  // WHARF_BROKER_TOOLS_BENCH_RESULTS_H_
