#include "broker/tools/bench/runner.h"

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <memory>
#include <queue>
#include <random>
#include <span>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "broker/base/mutex.h"
#include "broker/tools/bench/messages.h"

namespace wharf::bench {
namespace {

constexpr int64_t kDone = INT64_MAX;
constexpr int64_t kErrorBackoff = 100'000'000;  // After a failed receive, ns.
constexpr int64_t kPollInterval = 1'000'000;    // Between empty polls of a target that never waits.
constexpr size_t kMaxDistinctErrors = 20;

int64_t Nanos(absl::Duration d) { return absl::ToInt64Nanoseconds(d); }

double CpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& tv) { return tv.tv_sec + tv.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

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

void StoreMax(std::atomic<int64_t>& a, int64_t v) {
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
// of its batch comes back.) The broker keeps a group locked while one of its
// messages is in flight, so processing order across consumers is defined.
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

class Producer final : public Actor {
 public:
  Producer(RunContext& ctx, const LoadSpec& load, Destination to, std::unique_ptr<Session> session,
           int producer, int index, int count, std::optional<double> rate)
      : ctx_(ctx),
        load_(load),
        to_(std::move(to)),
        session_(std::move(session)),
        factory_(load, producer, index, count, ctx.scenario.seed),
        rate_(rate) {
    if (rate_) {
      interval_ns_ = load.batch * count / *rate_ * 1e9;
      offset_ = static_cast<int64_t>(std::llround(index * load.batch / *rate_ * 1e9));
    }
  }

  int64_t Step(int64_t now) override {
    int64_t load_end = ctx_.load_end.load(std::memory_order_relaxed);
    int64_t due = now;
    if (rate_) {
      due = Due();
      if (due >= load_end) return Finish();
      if (now < due) return due;
      StoreMax(ctx_.counters.lag_max, now - due);
    } else if (now >= load_end) {
      return Finish();
    }
    factory_.Make(due, load_.batch, &batch_);
    absl::StatusOr<BatchOutcome> outcome = session_->Send(to_, batch_);
    int n = static_cast<int>(batch_.size());
    int failed = n;
    if (outcome.ok()) {
      failed = outcome->failed;
      if (failed > 0) ctx_.errors.Note("send", outcome->first_error);
    } else {
      ctx_.counters.send_errors.fetch_add(1, std::memory_order_relaxed);
      ctx_.errors.Note("send", outcome.status().message());
    }
    ctx_.counters.sent.fetch_add(n - failed, std::memory_order_relaxed);
    ctx_.counters.send_failed.fetch_add(failed, std::memory_order_relaxed);
    if (ctx_.Measured(due)) {
      ctx_.counters.sent_measured.fetch_add(n - failed, std::memory_order_relaxed);
      ctx_.counters.send_failed_measured.fetch_add(failed, std::memory_order_relaxed);
    }
    if (!rate_) return ctx_.clock.Now();
    ++batches_;
    return Due();
  }

 private:
  int64_t Due() const {
    return ctx_.start + offset_ + static_cast<int64_t>(std::llround(batches_ * interval_ns_));
  }
  int64_t Finish() {
    ctx_.producers_running.fetch_sub(1, std::memory_order_acq_rel);
    return kDone;
  }

  RunContext& ctx_;
  const LoadSpec& load_;
  const Destination to_;
  std::unique_ptr<Session> session_;
  MessageFactory factory_;
  const std::optional<double> rate_;
  double interval_ns_ = 0;  // Between two batches of this producer.
  int64_t offset_ = 0;      // Of its first batch from the start, spreading the producers.
  int64_t batches_ = 0;
  std::vector<OutMessage> batch_;
};

// Whether the message fails every attempt: a fixed share of all messages,
// the same whichever consumer receives it.
bool Poisoned(const Scenario& scenario, const ConsumerSpec& spec, const Stamp& s) {
  if (spec.poison <= 0) return false;
  uint64_t x =
      scenario.seed ^ (static_cast<uint64_t>(s.producer) << 40) ^ static_cast<uint64_t>(s.seq);
  // splitmix64
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return static_cast<double>(x >> 11) / static_cast<double>(uint64_t{1} << 53) < spec.poison;
}

// What a consumer makes of a batch in hand, per message; the vectors are
// reused from batch to batch.
struct Verdicts {
  std::vector<char> failed;  // This attempt fails (the message is not deleted).
  std::vector<int64_t> due;  // Intended send time when measured, else -1.
  int64_t work = 0;          // Processing time of the batch, ns.
  std::vector<std::pair<int64_t, bool>> receipts;  // Scratch.
  absl::flat_hash_set<uint64_t> failed_groups;     // Scratch.
};

// Judges a batch handed to a consumer at `t` (a receive's return, a
// handler's call): records the latency of first receipts, counts
// deliveries, decides which messages fail (the spec's failure probability
// and poison share; a FIFO batch's failed group fails to its end, so the
// group comes back in order) and checks FIFO order of what succeeds.
void Judge(RunContext& ctx, const ConsumerSpec& spec, OrderTracker* order, LatencyShard* shard,
           std::mt19937_64& rng, std::span<const InMessage> batch, int64_t t, Verdicts* v) {
  v->failed.assign(batch.size(), 0);
  v->due.assign(batch.size(), -1);
  v->work = 0;
  v->receipts.clear();
  v->failed_groups.clear();
  int64_t delivered = 0;
  int64_t delivered_measured = 0;
  int64_t redelivered = 0;
  bool in_window = t >= ctx.measure_start && t < ctx.load_end.load(std::memory_order_relaxed);
  std::uniform_real_distribution<double> unit(0, 1);
  for (size_t i = 0; i < batch.size(); ++i) {
    const InMessage& m = batch[i];
    std::optional<Stamp> stamp = FindStamp(m.body);
    if (!stamp) {
      // Not ours (or mangled): count it and take it out of the way.
      ctx.counters.foreign.fetch_add(1, std::memory_order_relaxed);
      continue;
    }
    bool measured = ctx.Measured(stamp->intended);
    if (m.receive_count <= 1) {
      v->receipts.emplace_back(t - stamp->intended, measured);
      ++delivered;
      if (measured) ++delivered_measured;
    } else {
      ++redelivered;
    }
    uint64_t group =
        (static_cast<uint64_t>(stamp->producer) << 32) | static_cast<uint32_t>(stamp->group);
    bool fail;
    if (order != nullptr && v->failed_groups.contains(group)) {
      fail = true;
    } else {
      fail = Poisoned(ctx.scenario, spec, *stamp) || (spec.failure > 0 && unit(rng) < spec.failure);
      v->work += static_cast<int64_t>(spec.processing.Sample(rng));
    }
    if (fail) {
      v->failed[i] = 1;
      if (order != nullptr) v->failed_groups.insert(group);
    } else {
      // Processed: a FIFO group's messages must be processed in order.
      if (order != nullptr && !order->Check(*stamp)) {
        ctx.counters.order_violations.fetch_add(1, std::memory_order_relaxed);
      }
      if (measured) v->due[i] = stamp->intended;
    }
  }
  if (!v->receipts.empty()) shard->Receipts(v->receipts);
  ctx.counters.delivered.fetch_add(delivered, std::memory_order_relaxed);
  ctx.counters.delivered_measured.fetch_add(delivered_measured, std::memory_order_relaxed);
  if (in_window) ctx.counters.delivered_in_window.fetch_add(delivered, std::memory_order_relaxed);
  ctx.counters.redelivered.fetch_add(redelivered, std::memory_order_relaxed);
}

class Consumer final : public Actor {
 public:
  Consumer(RunContext& ctx, const ConsumerSpec& spec, int queue, std::unique_ptr<Session> session,
           LatencyShard* shard, OrderTracker* order, uint64_t seed)
      : ctx_(ctx),
        spec_(spec),
        queue_(queue),
        session_(std::move(session)),
        shard_(shard),
        order_(order),
        rng_(seed) {
    options_.max_messages = spec.batch;
    options_.wait_seconds = static_cast<int>(absl::ToInt64Seconds(spec.wait));
    options_.visibility_timeout = spec.visibility_timeout;
    options_.stop = ctx.stop.get_token();
  }

  int64_t Step(int64_t now) override {
    (void)now;
    if (processing_) return Finish();
    if (ctx_.stop.stop_requested()) return kDone;
    received_.clear();
    absl::Status status = session_->Receive(queue_, options_, &received_);
    int64_t t = ctx_.clock.Now();
    if (!status.ok()) {
      if (ctx_.stop.stop_requested()) return kDone;
      ctx_.counters.receive_errors.fetch_add(1, std::memory_order_relaxed);
      ctx_.errors.Note("receive", status.message());
      return t + kErrorBackoff;
    }
    if (received_.empty()) return session_->ReceiveWaits() ? t : t + kPollInterval;

    Judge(ctx_, spec_, order_, shard_, rng_, received_, t, &verdicts_);
    succeeded_.clear();
    succeeded_due_.clear();
    failed_.clear();
    for (size_t i = 0; i < received_.size(); ++i) {
      if (verdicts_.failed[i]) {
        failed_.push_back(std::move(received_[i].receipt_handle));
      } else {
        succeeded_.push_back(std::move(received_[i].receipt_handle));
        succeeded_due_.push_back(verdicts_.due[i]);
      }
    }
    processing_ = true;
    return t + verdicts_.work;
  }

 private:
  // After the processing time: deletes what succeeded, returns what failed.
  int64_t Finish() {
    processing_ = false;
    if (!succeeded_.empty()) {
      absl::StatusOr<BatchOutcome> outcome = session_->Delete(queue_, succeeded_);
      int64_t t = ctx_.clock.Now();
      if (!outcome.ok()) {
        ctx_.counters.receive_errors.fetch_add(1, std::memory_order_relaxed);
        ctx_.errors.Note("delete", outcome.status().message());
      } else {
        ctx_.counters.deleted.fetch_add(static_cast<int64_t>(succeeded_.size()) - outcome->failed,
                                        std::memory_order_relaxed);
        if (outcome->failed > 0) {
          ctx_.errors.Note("delete", outcome->first_error);
        } else {
          completions_.clear();
          for (int64_t due : succeeded_due_) {
            if (due >= 0) completions_.push_back(t - due);
          }
          if (!completions_.empty()) shard_->Completions(completions_);
        }
      }
    }
    if (!failed_.empty()) {
      ctx_.counters.failed.fetch_add(static_cast<int64_t>(failed_.size()),
                                     std::memory_order_relaxed);
      if (spec_.retry_delay) {
        absl::StatusOr<BatchOutcome> outcome = session_->ChangeVisibility(
            queue_, failed_, static_cast<int>(absl::ToInt64Seconds(*spec_.retry_delay)));
        if (!outcome.ok()) {
          ctx_.counters.receive_errors.fetch_add(1, std::memory_order_relaxed);
          ctx_.errors.Note("change visibility", outcome.status().message());
        } else if (outcome->failed > 0) {
          ctx_.errors.Note("change visibility", outcome->first_error);
        }
      }
    }
    return ctx_.clock.Now();
  }

  RunContext& ctx_;
  const ConsumerSpec& spec_;
  const int queue_;
  std::unique_ptr<Session> session_;
  LatencyShard* const shard_;
  OrderTracker* const order_;  // Null unless the queue is FIFO.
  std::mt19937_64 rng_;
  ReceiveOptions options_;
  bool processing_ = false;
  // The batch in hand (reused between steps).
  std::vector<InMessage> received_;
  Verdicts verdicts_;
  std::vector<std::string> succeeded_;
  std::vector<int64_t> succeeded_due_;  // -1 when not measured.
  std::vector<std::string> failed_;
  std::vector<int64_t> completions_;
};

// The handler of an event source mapping (type: mapping), called on the
// target's threads, several calls at once. A batch is judged as a receive
// loop's (latency to the call), processed for its time, and its failures
// returned as batch item failures; the mapping deletes the rest, which
// count as deleted and complete when the handler returns.
class MappingConsumer {
 public:
  MappingConsumer(RunContext& ctx, const ConsumerSpec& spec, LatencyShard* shard,
                  OrderTracker* order, uint64_t seed)
      : ctx_(ctx), spec_(spec), shard_(shard), order_(order), seed_(seed) {}

  std::vector<size_t> Handle(std::span<const InMessage> batch) {
    int64_t t = ctx_.clock.Now();
    // Calls run in parallel: each has its own generator.
    std::mt19937_64 rng(seed_ + 0x9e3779b97f4a7c15ULL * calls_.fetch_add(1));
    Verdicts v;
    Judge(ctx_, spec_, order_, shard_, rng, batch, t, &v);
    if (v.work > 0) ctx_.clock.SleepUntil(t + v.work, ctx_.stop.get_token());
    int64_t end = ctx_.clock.Now();
    std::vector<size_t> failed;
    std::vector<int64_t> completions;
    for (size_t i = 0; i < batch.size(); ++i) {
      if (v.failed[i]) {
        failed.push_back(i);
      } else if (v.due[i] >= 0) {
        completions.push_back(end - v.due[i]);
      }
    }
    ctx_.counters.deleted.fetch_add(static_cast<int64_t>(batch.size() - failed.size()),
                                    std::memory_order_relaxed);
    ctx_.counters.failed.fetch_add(static_cast<int64_t>(failed.size()), std::memory_order_relaxed);
    if (!completions.empty()) shard_->Completions(completions);
    return failed;
  }

 private:
  RunContext& ctx_;
  const ConsumerSpec& spec_;
  LatencyShard* const shard_;
  OrderTracker* const order_;  // Null unless the queue is FIFO.
  const uint64_t seed_;
  std::atomic<uint64_t> calls_{0};
};

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

// Steps every actor on the calling thread in time order, moving `clock`.
void DriveSimulated(std::vector<std::unique_ptr<Actor>>& actors, SimulatedClock& clock) {
  using Wake = std::pair<int64_t, size_t>;
  std::priority_queue<Wake, std::vector<Wake>, std::greater<Wake>> queue;
  for (size_t i = 0; i < actors.size(); ++i) queue.emplace(clock.Now(), i);
  while (!queue.empty()) {
    auto [wake, i] = queue.top();
    queue.pop();
    clock.AdvanceTo(wake);
    int64_t next = actors[i]->Step(clock.Now());
    if (next != kDone) queue.emplace(std::max(next, clock.Now()), i);
  }
}

// Gives each actor a thread; returns when all are done.
void DriveThreads(std::vector<std::unique_ptr<Actor>>& actors, RunClock& clock,
                  const std::stop_source& stop) {
  std::vector<std::jthread> threads;
  threads.reserve(actors.size());
  for (auto& actor : actors) {
    threads.emplace_back([&clock, &stop, a = actor.get()] {
      for (;;) {
        int64_t next = a->Step(clock.Now());
        if (next == kDone) return;
        clock.SleepUntil(next, stop.get_token());
      }
    });
  }
}

std::string RateText(const Scenario& s, const RunOptions& o) {
  if (o.unlimited) return "unlimited (closed loop)";
  if (o.rate) return absl::StrFormat("%g/s per load", *o.rate);
  std::vector<std::string> parts;
  for (const LoadSpec& l : s.loads) {
    parts.push_back(l.rate ? absl::StrFormat("%g/s", *l.rate) : "unlimited (closed loop)");
  }
  return absl::StrJoin(parts, " + ");
}

// The figures known before the run: what runs where, when, on what host.
RunResult NewResult(const Scenario& s, const Target& target, const RunOptions& options) {
  RunResult result;
  result.scenario = s.name;
  result.description = s.description;
  result.target = target.name();
  result.label = absl::StrCat(s.name, " @ ", result.target);
  result.started_at = absl::FormatTime(absl::RFC3339_sec, absl::Now(), absl::UTCTimeZone());
  result.seed = s.seed;
  result.warmup_s = absl::ToDoubleSeconds(options.warmup.value_or(s.warmup));
  result.duration_s = absl::ToDoubleSeconds(options.duration.value_or(s.duration));
  result.drain_s = absl::ToDoubleSeconds(options.drain.value_or(s.drain));
  result.rate = RateText(s, options);
  bool receive = false;
  bool mapping = false;
  for (const ConsumerSpec& c : s.consumers) {
    (c.type == ConsumerType::kMapping ? mapping : receive) = true;
  }
  if (mapping) {
    result.receipt_at = receive ? "first receipt or handler call" : "handler call";
    result.completion_at = receive ? "deleted or handler return" : "handler return";
  }
  result.host.cores = static_cast<int>(std::thread::hardware_concurrency());
  double load[3] = {0, 0, 0};
  if (getloadavg(load, 3) == 3) {
    result.host.load1 = load[0];
    result.host.load5 = load[1];
    result.host.load15 = load[2];
  }
  return result;
}

// One actor per producer and receive-loop thread, each with its own
// session; one mapping per queue of a mapping consumer.
absl::Status AddActors(RunContext& ctx, Target& target, const RunOptions& options, bool simulated,
                       std::vector<std::unique_ptr<Actor>>* actors,
                       std::vector<std::unique_ptr<Mapping>>* mappings) {
  const Scenario& s = ctx.scenario;
  int producer = 0;
  for (const LoadSpec& l : s.loads) {
    Destination to{.kind = l.kind,
                   .index = l.kind == DestinationKind::kQueue   ? s.QueueIndex(l.destination)
                            : l.kind == DestinationKind::kTopic ? s.TopicIndex(l.destination)
                                                                : s.BusIndex(l.destination),
                   .source = l.source,
                   .detail_type = l.detail_type};
    std::optional<double> rate = options.rate ? options.rate : l.rate;
    if (options.unlimited) rate.reset();
    for (int j = 0; j < l.producers; ++j) {
      absl::StatusOr<std::unique_ptr<Session>> session = target.NewSession();
      if (!session.ok()) return session.status();
      actors->push_back(std::make_unique<Producer>(ctx, l, to, *std::move(session), producer++, j,
                                                   l.producers, rate));
    }
  }
  ctx.producers_running.store(producer);
  if (!options.consumers) return absl::OkStatus();
  ctx.order.resize(s.queues.size());
  uint64_t seed = s.seed * 0x2545f4914f6cdd1dULL;
  for (const ConsumerSpec& c : s.consumers) {
    if (c.type == ConsumerType::kMapping && simulated) {
      return absl::InvalidArgumentError(
          absl::StrCat(s.file, ":", c.line,
                       ": a mapping's handler runs on the target's threads, not in a "
                       "simulated run"));
    }
    for (const std::string& name : c.queues) {
      int q = s.QueueIndex(name);
      if (s.queues[q].fifo && ctx.order[q] == nullptr) {
        ctx.order[q] = std::make_unique<OrderTracker>();
      }
      if (c.type == ConsumerType::kMapping) {
        ctx.shards.push_back(std::make_unique<LatencyShard>());
        auto consumer = std::make_shared<MappingConsumer>(ctx, c, ctx.shards.back().get(),
                                                          ctx.order[q].get(), ++seed);
        absl::StatusOr<std::unique_ptr<Mapping>> mapping = target.StartMapping(
            q,
            {.batch_size = c.batch,
             .window_seconds = c.window_seconds,
             .concurrency = c.concurrency},
            [consumer](std::span<const InMessage> batch) { return consumer->Handle(batch); });
        if (!mapping.ok()) {
          return absl::Status(mapping.status().code(),
                              absl::StrCat(s.file, ":", c.line, ": consumer of ", name, ": ",
                                           mapping.status().message()));
        }
        mappings->push_back(*std::move(mapping));
        continue;
      }
      for (int k = 0; k < c.count; ++k) {
        absl::StatusOr<std::unique_ptr<Session>> session = target.NewSession();
        if (!session.ok()) return session.status();
        ctx.shards.push_back(std::make_unique<LatencyShard>());
        actors->push_back(std::make_unique<Consumer>(
            ctx, c, q, *std::move(session), ctx.shards.back().get(), ctx.order[q].get(), ++seed));
      }
    }
  }
  return absl::OkStatus();
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

}  // namespace

Runner::Runner(const Scenario& scenario, Target& target, RunClock& clock, RunOptions options)
    : scenario_(scenario), target_(target), clock_(clock), options_(std::move(options)) {}

absl::StatusOr<RunResult> Runner::Run() { return RunWith(false); }

absl::StatusOr<RunResult> Runner::RunSimulated(SimulatedClock& clock) {
  if (&clock != &clock_) {
    return absl::InvalidArgumentError("RunSimulated needs the clock the Runner was given");
  }
  return RunWith(true);
}

absl::StatusOr<RunResult> Runner::RunWith(bool simulated) {
  const Scenario& s = scenario_;
  RunResult result = NewResult(s, target_, options_);
  RunContext ctx(s, clock_);
  std::vector<std::unique_ptr<Actor>> actors;
  std::vector<std::unique_ptr<Mapping>> mappings;
  // Ends the mappings: their handlers use `ctx`.
  auto stop_mappings = [&mappings, &ctx] {
    for (auto& mapping : mappings) {
      if (absl::Status stopped = mapping->Stop(); !stopped.ok()) {
        ctx.errors.Note("teardown", stopped.message());
      }
    }
    mappings.clear();
  };
  // Refused before the target is touched.
  for (const ConsumerSpec& c : s.consumers) {
    if (c.type == ConsumerType::kMapping && options_.consumers && !target_.RunsMappings()) {
      absl::Status no = NoMappingsError(target_);
      return absl::Status(no.code(), absl::StrCat(s.file, ":", c.line, ": ", no.message()));
    }
  }
  absl::Status status = target_.Setup(s, options_.prefix);
  if (status.ok()) status = AddActors(ctx, target_, options_, simulated, &actors, &mappings);
  if (status.ok()) {
    absl::StatusOr<std::unique_ptr<Session>> session = target_.NewSession();
    status = session.status();
    if (status.ok()) {
      actors.push_back(std::make_unique<Controller>(ctx, *std::move(session), options_,
                                                    options_.consumers, &result));
    }
  }
  if (!status.ok()) {
    actors.clear();
    stop_mappings();
    (void)target_.Teardown();
    return status;
  }

  // Threads need a moment to start before the first batch is due.
  auto nanos = [](double seconds) { return Nanos(absl::Seconds(seconds)); };
  ctx.start = clock_.Now() + (simulated ? 0 : Nanos(absl::Milliseconds(20)));
  ctx.measure_start = ctx.start + nanos(result.warmup_s);
  ctx.load_end.store(ctx.measure_start + nanos(result.duration_s));
  ctx.drain_deadline.store(ctx.load_end.load() + nanos(result.drain_s));
  if (simulated) {
    DriveSimulated(actors, static_cast<SimulatedClock&>(clock_));
  } else {
    DriveThreads(actors, clock_, ctx.stop);
  }
  actors.clear();  // Sessions close before the topology goes.
  stop_mappings();

  Summarize(ctx, &result);
  if (absl::Status torn = target_.Teardown(); !torn.ok()) {
    ctx.errors.Note("teardown", torn.message());
  }
  result.errors = ctx.errors.Lines();
  return result;
}

absl::StatusOr<double> MeasureCeiling(const Scenario& scenario, RunClock& clock,
                                      absl::Duration duration) {
  std::unique_ptr<Target> noop = MakeNoopTarget();
  RunOptions options;
  options.duration = duration;
  options.warmup = absl::ZeroDuration();
  options.drain = absl::ZeroDuration();
  options.unlimited = true;
  options.consumers = false;
  Runner runner(scenario, *noop, clock, std::move(options));
  absl::StatusOr<RunResult> result = runner.Run();
  if (!result.ok()) return result.status();
  return result->sent_per_s;
}

}  // namespace wharf::bench
