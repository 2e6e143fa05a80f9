// wharf::Mutex, MutexLock, ReaderMutexLock, CondVar and Notification: thin,
// annotated wrappers over the standard library's primitives.
//
// Why not Abseil's Mutex: Debian's Abseil is a prebuilt shared library that is
// not instrumented for ThreadSanitizer, so TSan cannot see the ordering an
// Abseil Mutex (or Notification, CondVar) provides and reports
// false races on everything it protects. std::mutex goes through pthreads,
// which TSan intercepts. Broker code and tests use these types instead.
//
// The names and shapes follow absl (pointer-taking MutexLock, GUARDED_BY
// annotations checked by clang's -Wthread-safety).
//
// Checked builds (WHARF_LOCK_CHECKS: builds without NDEBUG and sanitizer
// builds) count the locks each thread holds, so that code which must not run
// under a lock (completions: user code) can assert that none is held.
//
// Thread safety: as the underlying std:: types.

#ifndef WHARF_BROKER_BASE_MUTEX_H_
#define WHARF_BROKER_BASE_MUTEX_H_

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <shared_mutex>

#include "absl/base/thread_annotations.h"
#include "absl/time/time.h"

#ifndef WHARF_LOCK_CHECKS
#if !defined(NDEBUG) || defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
#define WHARF_LOCK_CHECKS 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer) || __has_feature(address_sanitizer)
#define WHARF_LOCK_CHECKS 1
#endif
#endif
#endif

namespace wharf {
namespace base_internal {

#ifdef WHARF_LOCK_CHECKS
// The number of locks (wharf::Mutex, shared or exclusive, and the FIFO
// engine's SpinMutex) this thread holds.
inline int& LocksHeld() {
  thread_local int held = 0;
  return held;
}
inline void NoteLocked() { ++LocksHeld(); }
inline void NoteUnlocked() { --LocksHeld(); }
// Aborts if this thread holds a lock: `what` (user code) must not run now.
inline void CheckNoLocksHeld(const char* what) {
  if (LocksHeld() == 0) return;
  std::fprintf(stderr, "wharf: %s ran while its thread held %d lock(s)\n", what, LocksHeld());
  std::abort();
}
#else
inline void NoteLocked() {}
inline void NoteUnlocked() {}
inline void CheckNoLocksHeld(const char*) {}
#endif

}  // namespace base_internal

class ABSL_LOCKABLE Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void Lock() ABSL_EXCLUSIVE_LOCK_FUNCTION() {
    mu_.lock();
    base_internal::NoteLocked();
  }
  void Unlock() ABSL_UNLOCK_FUNCTION() {
    base_internal::NoteUnlocked();
    mu_.unlock();
  }
  bool TryLock() ABSL_EXCLUSIVE_TRYLOCK_FUNCTION(true) {
    if (!mu_.try_lock()) return false;
    base_internal::NoteLocked();
    return true;
  }
  void ReaderLock() ABSL_SHARED_LOCK_FUNCTION() {
    mu_.lock_shared();
    base_internal::NoteLocked();
  }
  void ReaderUnlock() ABSL_UNLOCK_FUNCTION() {
    base_internal::NoteUnlocked();
    mu_.unlock_shared();
  }
  // Documentation only (std::shared_mutex cannot check ownership).
  void AssertHeld() const ABSL_ASSERT_EXCLUSIVE_LOCK() {}

 private:
  friend class CondVar;
  std::shared_mutex mu_;
};

class ABSL_SCOPED_LOCKABLE MutexLock {
 public:
  explicit MutexLock(Mutex* mu) ABSL_EXCLUSIVE_LOCK_FUNCTION(mu) : mu_(mu) { mu_->Lock(); }
  ~MutexLock() ABSL_UNLOCK_FUNCTION() { mu_->Unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex* const mu_;
};

class ABSL_SCOPED_LOCKABLE ReaderMutexLock {
 public:
  explicit ReaderMutexLock(Mutex* mu) ABSL_SHARED_LOCK_FUNCTION(mu) : mu_(mu) { mu_->ReaderLock(); }
  ~ReaderMutexLock() ABSL_UNLOCK_FUNCTION() { mu_->ReaderUnlock(); }
  ReaderMutexLock(const ReaderMutexLock&) = delete;
  ReaderMutexLock& operator=(const ReaderMutexLock&) = delete;

 private:
  Mutex* const mu_;
};

// Waits on a wharf::Mutex held exclusively by the caller. Real time only:
// waits on the broker's Clock go through Clock::Await.
class CondVar {
 public:
  void Wait(Mutex* mu) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) { cv_.wait(mu->mu_); }
  // Returns true on timeout.
  bool WaitWithDeadline(Mutex* mu, absl::Time deadline) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    return cv_.wait_until(mu->mu_, absl::ToChronoTime(deadline)) == std::cv_status::timeout;
  }
  void Signal() { cv_.notify_one(); }
  void SignalAll() { cv_.notify_all(); }

 private:
  std::condition_variable_any cv_;
};

// A one-shot event, like Abseil's Notification.
class Notification {
 public:
  void Notify() {
    MutexLock lock(&mu_);
    notified_ = true;
    cv_.SignalAll();
  }
  void WaitForNotification() {
    MutexLock lock(&mu_);
    while (!notified_) cv_.Wait(&mu_);
  }
  bool HasBeenNotified() {
    MutexLock lock(&mu_);
    return notified_;
  }

 private:
  Mutex mu_;
  CondVar cv_;
  bool notified_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace wharf

#endif  // WHARF_BROKER_BASE_MUTEX_H_
