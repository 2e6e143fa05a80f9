// A run's paced producers (runner_internal.h), each sending its load's batches
// on its own schedule (runner.h).
// Thread safety: a Producer is stepped by one thread.
#include <cmath>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "broker/tools/bench/runner_internal.h"

namespace wharf::bench::runner_internal {
namespace {

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

}  // namespace

absl::Status AddProducers(RunContext& ctx, Target& target, const RunOptions& options,
                          std::vector<std::unique_ptr<Actor>>* actors) {
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
  return absl::OkStatus();
}

}  // namespace wharf::bench::runner_internal
