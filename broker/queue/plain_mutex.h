// File: broker/queue/plain_mutex.h
//
// PlainMutex: the exclusive lock of the queue engine's hot paths (a standard
// queue shard's lock, taken on every receive and delete), with the thread
// annotations of wharf::Mutex. A futex word (Drepper, "Futexes Are Tricky",
// mutex 2): 0 free, 1 held, 2 held and someone may sleep. An uncontended
// Lock and Unlock are one atomic instruction each, inline, where
// std::mutex's pthread calls cost ~100 instructions per pair; a contended
// Lock polls the word ~100 times (about one critical section; not on a
// single core) before it sleeps in the kernel. ThreadSanitizer sees the
// acquire and release on the word. Linux (futex), like wharf's Wakeup.
//
//   PlainMutex mu;
//   { PlainLock lock(&mu); ... }
//
// Thread safety: thread-safe; not recursive, no shared mode, no condition
// variable.

#ifndef WHARF_BROKER_QUEUE_PLAIN_MUTEX_H_
#define WHARF_BROKER_QUEUE_PLAIN_MUTEX_H_

#include <atomic>
#include <cstdint>

#include "absl/base/thread_annotations.h"
#include "broker/base/futex.h"
#include "broker/base/mutex.h"

namespace wharf::queue_internal {

class ABSL_LOCKABLE PlainMutex {
 public:
  PlainMutex() = default;
  PlainMutex(const PlainMutex&) = delete;
  PlainMutex& operator=(const PlainMutex&) = delete;

  void Lock() ABSL_EXCLUSIVE_LOCK_FUNCTION() {
    uint32_t seen = kFree;
    if (!state_.compare_exchange_strong(seen, kHeld, std::memory_order_acquire,
                                        std::memory_order_relaxed)) {
      LockSlow(seen);
    }
    base_internal::NoteLocked();  // Checked builds count it (mutex.h).
  }
  void Unlock() ABSL_UNLOCK_FUNCTION() {
    base_internal::NoteUnlocked();
    // Once the word is free another thread may take and destroy the mutex:
    // from then on only the word's address is used (FutexWake).
    std::atomic<uint32_t>* word = &state_;
    if (word->exchange(kFree, std::memory_order_release) == kContended) {
      base_internal::FutexWake(word);
    }
  }

 private:
  static constexpr uint32_t kFree = 0;
  static constexpr uint32_t kHeld = 1;
  static constexpr uint32_t kContended = 2;

  // Polls briefly, then marks the word contended and sleeps until it takes it.
  void LockSlow(uint32_t seen);

  std::atomic<uint32_t> state_{kFree};
};

class ABSL_SCOPED_LOCKABLE PlainLock {
 public:
  explicit PlainLock(PlainMutex* mu) ABSL_EXCLUSIVE_LOCK_FUNCTION(mu) : mu_(mu) { mu_->Lock(); }
  ~PlainLock() ABSL_UNLOCK_FUNCTION() { mu_->Unlock(); }
  PlainLock(const PlainLock&) = delete;
  PlainLock& operator=(const PlainLock&) = delete;

 private:
  PlainMutex* const mu_;
};

}  // namespace wharf::queue_internal

#endif  // WHARF_BROKER_QUEUE_PLAIN_MUTEX_H_
