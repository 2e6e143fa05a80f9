#include "broker/tools/bench/runner.h"

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <memory>
#include <queue>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "broker/tools/bench/runner_internal.h"

namespace wharf::bench {
namespace {

using runner_internal::Actor;
using runner_internal::AddConsumers;
using runner_internal::AddProducers;
using runner_internal::kDone;
using runner_internal::Nanos;
using runner_internal::NewController;
using runner_internal::RunContext;
using runner_internal::Summarize;

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
  absl::Status status = AddProducers(ctx, target, options, actors);
  if (!status.ok() || !options.consumers) return status;
  return AddConsumers(ctx, target, simulated, actors, mappings);
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
      actors.push_back(
          NewController(ctx, *std::move(session), options_, options_.consumers, &result));
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
