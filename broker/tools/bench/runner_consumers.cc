// A run's consumers (runner_internal.h): receive loops (Consumer) and mapping
// handlers (MappingConsumer), which judge their batches alike.
// Thread safety: a Consumer is stepped by one thread; MappingConsumer::Handle
// runs on the target's threads, several calls at once.
#include <atomic>
#include <memory>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "broker/tools/bench/runner_internal.h"

namespace wharf::bench::runner_internal {
namespace {

constexpr int64_t kErrorBackoff = 100'000'000;  // After a failed receive, ns.
constexpr int64_t kPollInterval = 1'000'000;    // Between empty polls of a target that never waits.

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

}  // namespace

absl::Status AddConsumers(RunContext& ctx, Target& target, bool simulated,
                          std::vector<std::unique_ptr<Actor>>* actors,
                          std::vector<std::unique_ptr<Mapping>>* mappings) {
  const Scenario& s = ctx.scenario;
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

}  // namespace wharf::bench::runner_internal
