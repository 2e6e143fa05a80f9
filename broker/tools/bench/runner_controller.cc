// A run's controller (runner_internal.h): the per-interval series and progress,
// the end of the load, the drain, and the end figures (Summarize).
// Thread safety: one actor, stepped by one thread; it reads the other actors'
// counts through the RunContext.
#include <sys/resource.h>

#include <algorithm>
#include <memory>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "broker/tools/bench/runner_internal.h"

namespace wharf::bench::runner_internal {
namespace {

double CpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& tv) { return tv.tv_sec + tv.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// Samples the run each interval and ends it.
class Controller final : public Actor {
 public:
  Controller(RunContext& ctx, std::unique_ptr<Session> session, const RunOptions& options,
             bool consumers, RunResult* result)
      : ctx_(ctx),
        session_(std::move(session)),
        options_(options),
        consumers_(consumers),
        consumed_(ctx.scenario.ConsumedQueues()),
        dead_letter_(ctx.scenario.DeadLetterQueues()),
        result_(result) {}

  int64_t Step(int64_t now) override {
    if (!started_) {
      started_ = true;
      last_sample_ = ctx_.start;
      cpu_start_ = cpu_last_ = CpuSeconds();
      next_sample_ = ctx_.start + Nanos(options_.interval);
      return next_sample_;
    }
    if (options_.interrupt != nullptr && options_.interrupt->load() && !interrupted_) {
      interrupted_ = true;
      int64_t end = std::max(now, ctx_.start);
      if (end < ctx_.load_end.load()) ctx_.load_end.store(end);
      ctx_.drain_deadline.store(end);
    }
    if (now >= next_sample_) {
      Sample(now);
      while (next_sample_ <= now) next_sample_ += Nanos(options_.interval);
    }
    int64_t load_end = ctx_.load_end.load();
    if (now < load_end) return std::min(next_sample_, load_end);
    if (ctx_.producers_running.load(std::memory_order_acquire) > 0) {
      return std::min(next_sample_, now + Nanos(options_.drain_check));
    }
    if (now >= ctx_.drain_deadline.load() || Drained()) {
      if (now > last_sample_) Sample(now);
      ctx_.stop.request_stop();
      Finish(now);
      return kDone;
    }
    return std::min(next_sample_, now + Nanos(options_.drain_check));
  }

 private:
  struct Depths {
    int64_t backlog = 0;
    int64_t in_flight = 0;
    int64_t dlq = 0;
  };

  Depths QueryDepths() {
    Depths d = last_depths_;
    bool ok = true;
    Depths fresh;
    for (int q : consumed_) {
      absl::StatusOr<QueueDepth> depth = session_->Depth(q);
      if (!depth.ok()) {
        ok = false;
        ctx_.errors.Note("queue depth", depth.status().message());
        break;
      }
      fresh.backlog += depth->visible + depth->delayed;
      fresh.in_flight += depth->in_flight;
    }
    for (int q : dead_letter_) {
      absl::StatusOr<QueueDepth> depth = ok ? session_->Depth(q) : absl::StatusOr<QueueDepth>();
      if (!ok || !depth.ok()) {
        ok = false;
        break;
      }
      fresh.dlq += depth->visible + depth->in_flight + depth->delayed;
    }
    if (ok) d = last_depths_ = fresh;
    return d;
  }

  bool Drained() {
    if (!consumers_) return true;
    Depths d = QueryDepths();
    return d.backlog == 0 && d.in_flight == 0;
  }

  void Sample(int64_t now) {
    const Counters& c = ctx_.counters;
    // The counts so far; the point gets the difference from the last sample.
    SeriesPoint s;
    s.sent = c.sent.load();
    s.send_failed = c.send_failed.load();
    s.delivered = c.delivered.load();
    s.redelivered = c.redelivered.load();
    s.deleted = c.deleted.load();
    s.failed = c.failed.load();
    interval_.Reset();
    for (auto& shard : ctx_.shards) shard->TakeInterval(&interval_);
    Depths depths = QueryDepths();
    double cpu = CpuSeconds();
    SeriesPoint p;
    p.t = (now - ctx_.start) / 1e9;
    p.seconds = (now - last_sample_) / 1e9;
    // By the interval's middle: samples come a little after their tick.
    int64_t middle = last_sample_ + (now - last_sample_) / 2;
    p.phase = middle < ctx_.measure_start     ? "warmup"
              : middle < ctx_.load_end.load() ? "measure"
                                              : "drain";
    p.sent = s.sent - last_.sent;
    p.send_failed = s.send_failed - last_.send_failed;
    p.delivered = s.delivered - last_.delivered;
    p.redelivered = s.redelivered - last_.redelivered;
    p.deleted = s.deleted - last_.deleted;
    p.failed = s.failed - last_.failed;
    p.backlog = depths.backlog;
    p.in_flight = depths.in_flight;
    p.dlq = depths.dlq;
    p.p50 = interval_.Percentile(0.5);
    p.p90 = interval_.Percentile(0.9);
    p.p99 = interval_.Percentile(0.99);
    p.max = interval_.max();
    p.cpu = p.seconds > 0 ? (cpu - cpu_last_) / p.seconds : 0;
    p.lag = ctx_.counters.lag_max.exchange(0);
    result_->series.push_back(p);
    last_ = s;
    last_sample_ = now;
    cpu_last_ = cpu;
    if (options_.progress) {
      double seconds = std::max(p.seconds, 1e-9);
      options_.progress({.elapsed_s = p.t,
                         .total_s = (ctx_.load_end.load() - ctx_.start) / 1e9,
                         .phase = p.phase,
                         .sent_per_s = p.sent / seconds,
                         .delivered_per_s = p.delivered / seconds,
                         .backlog = p.backlog,
                         .dlq = p.dlq,
                         .p99_ns = p.p99});
    }
  }

  // The figures only the end knows: queue depths and CPU.
  void Finish(int64_t now) {
    const Scenario& scenario = ctx_.scenario;
    for (size_t i = 0; i < scenario.queues.size(); ++i) {
      QueueFigures q{.name = scenario.queues[i].name};
      int index = static_cast<int>(i);
      q.dead_letter =
          std::find(dead_letter_.begin(), dead_letter_.end(), index) != dead_letter_.end();
      q.consumed = std::find(consumed_.begin(), consumed_.end(), index) != consumed_.end();
      absl::StatusOr<QueueDepth> depth = session_->Depth(index);
      if (depth.ok()) {
        q.visible = depth->visible + depth->delayed;
        q.in_flight = depth->in_flight;
      } else {
        ctx_.errors.Note("queue depth", depth.status().message());
      }
      if (q.consumed) result_->backlog_end += q.visible + q.in_flight;
      if (q.dead_letter) result_->dlq_end += q.visible + q.in_flight;
      result_->queues.push_back(q);
    }
    result_->cpu_seconds = CpuSeconds() - cpu_start_;
    result_->wall_s = (now - ctx_.start) / 1e9;
    result_->cpu_cores = result_->wall_s > 0 ? result_->cpu_seconds / result_->wall_s : 0;
  }

  RunContext& ctx_;
  std::unique_ptr<Session> session_;
  const RunOptions& options_;
  const bool consumers_;
  const std::vector<int> consumed_;
  const std::vector<int> dead_letter_;
  RunResult* const result_;
  bool started_ = false;
  bool interrupted_ = false;
  int64_t next_sample_ = 0;
  int64_t last_sample_ = 0;
  double cpu_start_ = 0;
  double cpu_last_ = 0;
  SeriesPoint last_;  // Counts at the last sample.
  Depths last_depths_;
  Histogram interval_;
};

}  // namespace

std::unique_ptr<Actor> NewController(RunContext& ctx, std::unique_ptr<Session> session,
                                     const RunOptions& options, bool consumers, RunResult* result) {
  return std::make_unique<Controller>(ctx, std::move(session), options, consumers, result);
}

// The figures the counters and histograms hold once every actor is done.
void Summarize(RunContext& ctx, RunResult* result) {
  const Counters& c = ctx.counters;
  double measured_s = std::max(0.0, (ctx.load_end.load() - ctx.measure_start) / 1e9);
  result->duration_s = measured_s;
  result->sent = c.sent_measured.load();
  result->send_failed = c.send_failed_measured.load();
  result->delivered = c.delivered_measured.load();
  result->sent_per_s = measured_s > 0 ? result->sent / measured_s : 0;
  result->delivered_per_s = measured_s > 0 ? c.delivered_in_window.load() / measured_s : 0;
  result->sent_total = c.sent.load();
  result->delivered_total = c.delivered.load();
  result->redelivered = c.redelivered.load();
  result->deleted = c.deleted.load();
  result->failed = c.failed.load();
  result->send_errors = c.send_errors.load();
  result->receive_errors = c.receive_errors.load();
  result->foreign = c.foreign.load();
  result->fifo_order_violations = c.order_violations.load();
  // Counts made after the controller's last sample (a producer's last batch
  // racing the end check, a consumer's last delete after the queues showed
  // empty) go to the last point, so the series adds up to the totals.
  if (!result->series.empty()) {
    SeriesPoint sum;
    for (const SeriesPoint& p : result->series) {
      sum.sent += p.sent;
      sum.send_failed += p.send_failed;
      sum.delivered += p.delivered;
      sum.redelivered += p.redelivered;
      sum.deleted += p.deleted;
      sum.failed += p.failed;
    }
    SeriesPoint& last = result->series.back();
    last.sent += c.sent.load() - sum.sent;
    last.send_failed += c.send_failed.load() - sum.send_failed;
    last.delivered += c.delivered.load() - sum.delivered;
    last.redelivered += c.redelivered.load() - sum.redelivered;
    last.deleted += c.deleted.load() - sum.deleted;
    last.failed += c.failed.load() - sum.failed;
  }
  Histogram receipt;
  Histogram completion;
  for (auto& shard : ctx.shards) shard->MergeTotals(&receipt, &completion);
  result->receipt = LatencyFigures::Of(receipt);
  result->completion = LatencyFigures::Of(completion);
}

}  // namespace wharf::bench::runner_internal
