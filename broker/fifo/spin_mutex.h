// File: broker/fifo/spin_mutex.h
//
// SpinMutex: an exclusive lock for very short critical sections (a FIFO
// shard's bookkeeping: a few hash-map and deque operations). It spins briefly
// with try_lock before blocking, because handing a contended lock between two
// threads through the kernel costs far more than the critical section itself.
// Built on std::mutex (pthreads), so ThreadSanitizer sees it; wharf::Mutex
// (broker/base/mutex.h) wraps std::shared_mutex, whose reader/writer
// bookkeeping costs more than these sections need.
//
//   SpinMutex mu;
//   { SpinMutexLock lock(&mu); ... }
//
// Thread safety: thread-safe, like std::mutex. Not recursive.

#ifndef WHARF_BROKER_FIFO_SPIN_MUTEX_H_
#define WHARF_BROKER_FIFO_SPIN_MUTEX_H_

#include <mutex>

#include "absl/base/thread_annotations.h"
#include "broker/base/mutex.h"

namespace wharf::fifo_internal {

class ABSL_LOCKABLE SpinMutex {
 public:
  SpinMutex() = default;
  SpinMutex(const SpinMutex&) = delete;
  SpinMutex& operator=(const SpinMutex&) = delete;

  void Lock() ABSL_EXCLUSIVE_LOCK_FUNCTION() {
    // A few hundred nanoseconds of polite spinning, then sleep in the kernel.
    for (int i = 0; i < kSpins; ++i) {
      if (mu_.try_lock()) {
        base_internal::NoteLocked();
        return;
      }
#if defined(__x86_64__) || defined(__i386__)
      __builtin_ia32_pause();
#endif
    }
    mu_.lock();
    base_internal::NoteLocked();
  }
  void Unlock() ABSL_UNLOCK_FUNCTION() {
    base_internal::NoteUnlocked();
    mu_.unlock();
  }

 private:
  static constexpr int kSpins = 16;
  std::mutex mu_;
};

class ABSL_SCOPED_LOCKABLE SpinMutexLock {
 public:
  explicit SpinMutexLock(SpinMutex* mu) ABSL_EXCLUSIVE_LOCK_FUNCTION(mu) : mu_(mu) { mu_->Lock(); }
  ~SpinMutexLock() ABSL_UNLOCK_FUNCTION() { mu_->Unlock(); }
  SpinMutexLock(const SpinMutexLock&) = delete;
  SpinMutexLock& operator=(const SpinMutexLock&) = delete;

 private:
  SpinMutex* const mu_;
};

}  // namespace wharf::fifo_internal

#endif  // WHARF_BROKER_FIFO_SPIN_MUTEX_H_
