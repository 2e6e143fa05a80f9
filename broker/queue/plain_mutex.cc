// PlainMutex's slow paths (see plain_mutex.h).
#include "broker/queue/plain_mutex.h"

namespace wharf::queue_internal {

void PlainMutex::LockSlow(uint32_t seen) {
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
