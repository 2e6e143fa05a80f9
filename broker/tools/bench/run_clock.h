// RunClock: the time source of a run. RealClock reads the steady clock and
// sleeps; SimulatedClock is moved by the simulated driver (Runner::
// RunSimulated) and by simulated targets, so a test can stall a target for a
// second at a known moment without sleeping.
//
// Times are nanoseconds since an arbitrary origin (monotonic).
//
// Thread safety: thread-safe.

#ifndef WHARF_BROKER_TOOLS_BENCH_RUN_CLOCK_H_
#define WHARF_BROKER_TOOLS_BENCH_RUN_CLOCK_H_

#include <atomic>
#include <cstdint>
#include <stop_token>

namespace wharf::bench {

class RunClock {
 public:
  virtual ~RunClock() = default;
  virtual int64_t Now() = 0;
  // Returns once Now() >= t or `stop` is requested (real time only; the
  // simulated driver never sleeps).
  virtual void SleepUntil(int64_t t, const std::stop_token& stop) = 0;
};

// The steady clock. Sleeps of more than a few milliseconds wake on `stop`.
class RealClock final : public RunClock {
 public:
  int64_t Now() override;
  void SleepUntil(int64_t t, const std::stop_token& stop) override;
};

class SimulatedClock final : public RunClock {
 public:
  explicit SimulatedClock(int64_t start = 0) : now_(start) {}
  int64_t Now() override { return now_.load(std::memory_order_acquire); }
  // Moves time to max(Now(), t).
  void SleepUntil(int64_t t, const std::stop_token&) override { AdvanceTo(t); }
  void AdvanceTo(int64_t t);
  void Advance(int64_t d) { AdvanceTo(Now() + d); }

 private:
  std::atomic<int64_t> now_;
};

}  // namespace wharf::bench

#endif  // WHARF_BROKER_TOOLS_BENCH_RUN_CLOCK_H_
