// The insides of Runner (runner.h), shared by runner.cc (the run: setup,
// the actors' threads or simulated stepping, teardown), runner_producers.cc
// (the paced producers), runner_consumers.cc (receive loops and mapping
// handlers) and runner_controller.cc (the per-interval series, progress, the
// drain and the end figures).
// Thread safety: RunContext is shared by every actor of a run: its counters
// are atomics, ErrorLog, LatencyShard and OrderTracker lock their own mutex,
// and its other fields are set before the actors start. An Actor is stepped
// by one thread at a time.

#ifndef WHARF_BROKER_TOOLS_BENCH_RUNNER_INTERNAL_H_
#define WHARF_BROKER_TOOLS_BENCH_RUNNER_INTERNAL_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <stop_token>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "broker/base/mutex.h"
#include "broker/tools/bench/histogram.h"
#include "broker/tools/bench/messages.h"
#include "broker/tools/bench/results.h"
#include "broker/tools/bench/run_clock.h"
#include "broker/tools/bench/runner.h"
#include "broker/tools/bench/scenario.h"
#include "broker/tools/bench/target.h"

namespace wharf::bench::runner_internal {

inline constexpr int64_t kDone = INT64_MAX;
inline constexpr size_t kMaxDistinctErrors = 20;

inline int64_t Nanos(absl::Duration d) { return absl::ToInt64Nanoseconds(d); }

// One piece of a run: Step does the work due at `now` and returns when it
// wants to run next (>= now means "sleep until then"), or kDone.
class Actor {
 public:
  virtual ~Actor() = default;
  virtual int64_t Step(int64_t now) = 0;
};

// The first distinct error messages of a run, with how often each came.
class ErrorLog {
 public:
  void Note(absl::string_view what, absl::string_view message) {
    std::string line = absl::StrCat(what, ": ", message);
    MutexLock lock(&mu_);
    for (auto& [text, count] : entries_) {
      if (text == line) {
        ++count;
        return;
      }
    }
    if (entries_.size() < kMaxDistinctErrors) entries_.emplace_back(std::move(line), 1);
  }
  std::vector<std::string> Lines() {
    MutexLock lock(&mu_);
    std::vector<std::string> out;
    for (const auto& [text, count] : entries_) out.push_back(absl::StrCat(count, "x ", text));
    return out;
  }

 private:
  Mutex mu_;
  std::vector<std::pair<std::string, int64_t>> entries_ ABSL_GUARDED_BY(mu_);
};

// Cumulative counts, written by producers and consumers, read by the controller.
struct Counters {
  std::atomic<int64_t> sent{0};
  std::atomic<int64_t> send_failed{0};
  std::atomic<int64_t> send_errors{0};
  std::atomic<int64_t> sent_measured{0};
  std::atomic<int64_t> send_failed_measured{0};
  std::atomic<int64_t> delivered{0};
  std::atomic<int64_t> delivered_measured{0};   // Of messages due in the window.
  std::atomic<int64_t> delivered_in_window{0};  // Received in the window.
  std::atomic<int64_t> redelivered{0};
  std::atomic<int64_t> deleted{0};
  std::atomic<int64_t> failed{0};
  std::atomic<int64_t> receive_errors{0};
  std::atomic<int64_t> foreign{0};
  std::atomic<int64_t> order_violations{0};
  std::atomic<int64_t> lag_max{0};  // Since the controller's last sample.
};

inline void StoreMax(std::atomic<int64_t>& a, int64_t v) {
  int64_t old = a.load(std::memory_order_relaxed);
  while (v > old && !a.compare_exchange_weak(old, v, std::memory_order_relaxed)) {
  }
}

// The latency samples of one consumer. Its own mutex, so consumers never
// contend with each other; the controller takes each once per interval.
class LatencyShard {
 public:
  void Receipts(const std::vector<std::pair<int64_t, bool>>& samples) {
    MutexLock lock(&mu_);
    for (const auto& [latency, measured] : samples) {
      interval_.Record(latency);
      if (measured) receipt_.Record(latency);
    }
  }
  void Completions(const std::vector<int64_t>& samples) {
    MutexLock lock(&mu_);
    for (int64_t latency : samples) completion_.Record(latency);
  }
  void TakeInterval(Histogram* into) {
    MutexLock lock(&mu_);
    into->Merge(interval_);
    interval_.Reset();
  }
  void MergeTotals(Histogram* receipt, Histogram* completion) {
    MutexLock lock(&mu_);
    receipt->Merge(receipt_);
    completion->Merge(completion_);
  }

 private:
  Mutex mu_;
  Histogram interval_ ABSL_GUARDED_BY(mu_);    // Every first receipt since the last sample.
  Histogram receipt_ ABSL_GUARDED_BY(mu_);     // Measured first receipts.
  Histogram completion_ ABSL_GUARDED_BY(mu_);  // Measured completions.
};

// FIFO order per (producer, group) on one queue, checked as messages are
// processed: each group has one producer, so the sequence numbers processed
// must increase. (Receipts may repeat one: a message returned with the rest
// of its batch comes back.) A message in flight holds back the later
// messages of its group, so processing order across consumers is defined.
class OrderTracker {
 public:
  bool Check(const Stamp& s) {
    uint64_t key = (static_cast<uint64_t>(s.producer) << 32) | static_cast<uint32_t>(s.group);
    MutexLock lock(&mu_);
    auto [it, inserted] = last_.try_emplace(key, s.seq);
    if (inserted) return true;
    if (s.seq < it->second) return false;
    it->second = s.seq;
    return true;
  }

 private:
  Mutex mu_;
  absl::flat_hash_map<uint64_t, int64_t> last_ ABSL_GUARDED_BY(mu_);
};

struct RunContext {
  RunContext(const Scenario& s, RunClock& c) : scenario(s), clock(c) {}

  const Scenario& scenario;
  RunClock& clock;
  int64_t start = 0;
  int64_t measure_start = 0;
  std::atomic<int64_t> load_end{0};  // Moves earlier when the run is interrupted.
  std::atomic<int64_t> drain_deadline{0};
  std::stop_source stop;  // Requested when consumers must stop.
  Counters counters;
  ErrorLog errors;
  std::atomic<int> producers_running{0};
  std::vector<std::unique_ptr<LatencyShard>> shards;
  std::vector<std::unique_ptr<OrderTracker>> order;  // By queue; set for consumed FIFO queues.

  bool Measured(int64_t due) const {
    return due >= measure_start && due < load_end.load(std::memory_order_relaxed);
  }
};

// runner_producers.cc: one actor per producer of each load, each with its own
// session; sets ctx.producers_running.
absl::Status AddProducers(RunContext& ctx, Target& target, const RunOptions& options,
                          std::vector<std::unique_ptr<Actor>>* actors);

// runner_consumers.cc: one actor per receive-loop thread, each with its own
// session; one mapping per queue of a mapping consumer (refused when
// `simulated`). Sets ctx.order and adds to ctx.shards.
absl::Status AddConsumers(RunContext& ctx, Target& target, bool simulated,
                          std::vector<std::unique_ptr<Actor>>* actors,
                          std::vector<std::unique_ptr<Mapping>>* mappings);

// runner_controller.cc: the actor that samples the run each interval (into
// result->series, and options.progress) and ends it.
std::unique_ptr<Actor> NewController(RunContext& ctx, std::unique_ptr<Session> session,
                                     const RunOptions& options, bool consumers, RunResult* result);

// runner_controller.cc: the figures the counters and histograms hold once
// every actor is done.
void Summarize(RunContext& ctx, RunResult* result);

}  // namespace wharf::bench::runner_internal

#endif  // WHARF_BROKER_TOOLS_BENCH_RUNNER_INTERNAL_H_
