// Runner: runs one scenario against one target and measures it.
//
//   RealClock clock;
//   Runner runner(scenario, *target, clock, {.progress = PrintProgress});
//   absl::StatusOr<RunResult> result = runner.Run();
//
// The load is open: each producer sends its batches on a fixed schedule
// (batch b of producer j of P is due at start + (b + j/P) * batch * P / rate)
// and stamps every message with the time it was due, whatever the target
// does; a producer that falls behind sends at once to catch up, and the
// delay shows in the latency of those messages. Consumers receive, take the
// latency of each first receipt (now - due), process (the scenario's time
// distribution), then delete what succeeded and leave or return what failed.
// A consumer of type mapping is an event source mapping on the target
// (Target::StartMapping) whose handler does the same with each batch on the
// target's threads (latency to the handler call; failures returned as batch
// item failures); the mappings stop before the topology is torn down.
// A controller samples every second: counters, the interval's latency, queue
// depths through the target, process CPU, producer lag; after the load it
// waits until the consumed queues are empty or the drain time is over.
//
// The work is split into actors whose Step(now) does one piece and says
// when to run next. Run() gives each actor a thread (producers, consumers,
// the controller); RunSimulated() steps them all on the calling thread in
// simulated time, so a test drives a simulated target deterministically.
//
// Thread safety: one Run at a time per Runner.

#ifndef WHARF_BROKER_TOOLS_BENCH_RUNNER_H_
#define WHARF_BROKER_TOOLS_BENCH_RUNNER_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "broker/tools/bench/results.h"
#include "broker/tools/bench/run_clock.h"
#include "broker/tools/bench/scenario.h"
#include "broker/tools/bench/target.h"

namespace wharf::bench {

// What the progress line shows, once per interval.
struct Progress {
  double elapsed_s = 0;
  double total_s = 0;  // Warm-up + duration (the drain comes on top).
  std::string phase;
  double sent_per_s = 0;
  double delivered_per_s = 0;
  int64_t backlog = 0;
  int64_t dlq = 0;
  int64_t p99_ns = 0;  // Of the interval.
};

struct RunOptions {
  // Override the scenario's values when set.
  std::optional<absl::Duration> duration;
  std::optional<absl::Duration> warmup;
  std::optional<absl::Duration> drain;
  // Replaces the rate of every load: messages/s, or unlimited.
  std::optional<double> rate;
  bool unlimited = false;
  // Without consumers (the generator's ceiling against the no-op target).
  bool consumers = true;
  // Prefixes every resource name (distinct runs on one endpoint do not meet).
  std::string prefix = "wb-";
  absl::Duration interval = absl::Seconds(1);            // Series resolution.
  absl::Duration drain_check = absl::Milliseconds(100);  // How often the drain looks.
  std::function<void(const Progress&)> progress;         // Called by the controller.
  // When it turns true, the load ends at the next sample and the run stops
  // without a drain (a Ctrl-C). May be null.
  const std::atomic<bool>* interrupt = nullptr;
};

class Runner {
 public:
  // `scenario`, `target` and `clock` must outlive the Runner.
  Runner(const Scenario& scenario, Target& target, RunClock& clock, RunOptions options);

  // Sets the topology up on the target, runs on threads, tears it down.
  // Errors: the target's setup failure (naming the scenario line).
  absl::StatusOr<RunResult> Run();

  // As Run, with every actor stepped on the calling thread; time moves only
  // when the clock is advanced (by this driver, or by a simulated target's
  // Send/Receive). The target's sessions must not block.
  absl::StatusOr<RunResult> RunSimulated(SimulatedClock& clock);

 private:
  absl::StatusOr<RunResult> RunWith(bool simulated);

  const Scenario& scenario_;
  Target& target_;
  RunClock& clock_;
  RunOptions options_;
};

// The generator's ceiling: the scenario's producers at unlimited rate into
// the no-op target for `duration`; messages per second.
absl::StatusOr<double> MeasureCeiling(const Scenario& scenario, RunClock& clock,
                                      absl::Duration duration);

}  // namespace wharf::bench

#endif  // WHARF_BROKER_TOOLS_BENCH_RUNNER_H_
