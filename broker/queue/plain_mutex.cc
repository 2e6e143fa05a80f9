// PlainMutex's slow paths (see plain_mutex.h).
#include "broker/queue/plain_mutex.h"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace wharf::queue_internal {

void PlainMutex::LockSlow(uint32_t seen) {
  // Whoever takes the word from here on takes it as contended, so that its
  // Unlock wakes a sleeper (possibly needlessly: a spurious wake re-checks).
  if (seen != kContended) seen = state_.exchange(kContended, std::memory_order_acquire);
  while (seen != kFree) {
    // Sleeps only while the word is still kContended (the kernel checks it
    // atomically with queueing us), so an Unlock in between is not missed.
    syscall(SYS_futex, reinterpret_cast<uint32_t*>(&state_), FUTEX_WAIT_PRIVATE, kContended,
            nullptr, nullptr, 0);
    seen = state_.exchange(kContended, std::memory_order_acquire);
  }
}

void PlainMutex::WakeOne() {
  // Passes only the address: the word may already be gone (its owner
  // destroyed after taking and releasing it); a wake at a reused address is
  // a spurious wake, which every futex user tolerates.
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(&state_), FUTEX_WAKE_PRIVATE, 1, nullptr, nullptr,
          0);
}

}  // namespace wharf::queue_internal
