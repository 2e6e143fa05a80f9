#include "broker/base/futex.h"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

namespace wharf::base_internal {

void FutexWait(std::atomic<uint32_t>& word, uint32_t expected, absl::Time deadline) {
  timespec ts{};
  const timespec* timeout = nullptr;
  if (deadline != absl::InfiniteFuture()) {
    ts = absl::ToTimespec(deadline);
    timeout = &ts;
  }
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(&word),
          FUTEX_WAIT_BITSET_PRIVATE | FUTEX_CLOCK_REALTIME, expected, timeout, nullptr,
          FUTEX_BITSET_MATCH_ANY);
}

void FutexWake(std::atomic<uint32_t>* word) {
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(word), FUTEX_WAKE_PRIVATE, 1);
}

}  // namespace wharf::base_internal
