// PlainMutex's slow paths (see plain_mutex.h).
#include "broker/queue/plain_mutex.h"

#include <thread>

namespace wharf::queue_internal {

namespace {

// How many times a contended Lock polls the word before it sleeps: a few
// hundred nanoseconds to a microsecond, about one shard critical section. A
// sleep and its wake-up cost two context switches (~10 us here); with 2
// producers and 2 consumers on 2 cores, sleeping at once made Core 2/2
// switch ~70,000 times a second and run slower than 1/1. No spinning on one
// core: the holder cannot run while we poll.
constexpr int kSpins = 100;

bool Multicore() {
  static const bool multicore = std::thread::hardware_concurrency() > 1;
  return multicore;
}

inline void CpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

}  // namespace

void PlainMutex::LockSlow(uint32_t seen) {
  if (seen != kContended && Multicore()) {
    // Poll with plain loads (no line ownership taken while the holder runs);
    // stop early if someone already sleeps (the word is kContended): we
    // would only queue behind it.
    for (int i = 0; i < kSpins; ++i) {
      CpuRelax();
      seen = state_.load(std::memory_order_relaxed);
      if (seen == kFree && state_.compare_exchange_weak(seen, kHeld, std::memory_order_acquire,
                                                        std::memory_order_relaxed)) {
        return;
      }
      if (seen == kContended) break;
    }
  }
  // Whoever takes the word from here on takes it as contended, so that its
  // Unlock wakes a sleeper (possibly needlessly: a spurious wake re-checks).
  if (seen != kContended) seen = state_.exchange(kContended, std::memory_order_acquire);
  while (seen != kFree) {
    // Sleeps only while the word is still kContended (the kernel checks it
    // atomically with queueing us), so an Unlock in between is not missed.
    base_internal::FutexWait(state_, kContended);
    seen = state_.exchange(kContended, std::memory_order_acquire);
  }
}

}  // namespace wharf::queue_internal
