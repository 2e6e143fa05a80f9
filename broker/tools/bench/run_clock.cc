#include "broker/tools/bench/run_clock.h"

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace wharf::bench {

int64_t RealClock::Now() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void RealClock::SleepUntil(int64_t t, const std::stop_token& stop) {
  int64_t wait = t - Now();
  if (wait <= 0) return;
  // Short waits (a producer between two sends) sleep outright: a stop is
  // noticed at the next step anyway.
  if (wait < 5'000'000) {
    std::this_thread::sleep_for(std::chrono::nanoseconds(wait));
    return;
  }
  std::mutex mu;
  std::condition_variable_any cv;
  std::unique_lock<std::mutex> lock(mu);
  cv.wait_for(lock, stop, std::chrono::nanoseconds(wait), [] { return false; });
}

void SimulatedClock::AdvanceTo(int64_t t) {
  int64_t now = now_.load(std::memory_order_acquire);
  while (now < t && !now_.compare_exchange_weak(now, t, std::memory_order_acq_rel)) {
  }
}

}  // namespace wharf::bench
