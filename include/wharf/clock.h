// File: wharf/clock.h
//
// The injected source of time. Every deadline in wharf (visibility, delay,
// retention, deduplication window, long-poll wait, retries, schedules) reads a
// Clock, never the system time directly, so a test can use ManualClock and move
// time by hand instead of sleeping:
//
//   auto clock = std::make_shared<wharf::ManualClock>();
//   auto broker = wharf::Broker::Open({.clock = clock}).value();
//   ... receive a message, then
//   clock->Advance(absl::Seconds(31));   // its visibility timeout has passed
//
// Blocking waits go through Clock::Await with a Wakeup, so that
// ManualClock::Advance can wake every blocked waiter at once (they re-check
// their condition against the new time).
//
// Thread safety: Clock implementations are thread-safe. A Wakeup may be
// notified from any thread; it is awaited by one thread at a time.

#ifndef WHARF_CLOCK_H_
#define WHARF_CLOCK_H_

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>

#include "absl/container/flat_hash_set.h"
#include "absl/time/time.h"

namespace wharf {

// A one-shot signal a blocked thread waits on (like Abseil's Notification, but
// awaited through a Clock so that simulated time can wake it too).
class Wakeup {
 public:
  Wakeup() = default;
  Wakeup(const Wakeup&) = delete;
  Wakeup& operator=(const Wakeup&) = delete;

  // Wakes the waiter. Idempotent; never blocks: one atomic operation, plus
  // one futex wake if a thread sleeps on it. The waiter may destroy the
  // Wakeup as soon as it sees the notification, even while Notify is still
  // returning: Notify touches no memory of the Wakeup after it notified.
  void Notify();
  bool HasBeenNotified() const;

 private:
  friend class SystemClock;
  friend class ManualClock;

  // Sleeps until notified or `expired()`; `real_deadline` (real time, or
  // InfiniteFuture) bounds each sleep. Returns true if notified.
  template <typename Expired>
  bool Wait(Expired expired, absl::Time real_deadline);
  // Wakes the waiter without notifying it, so that it calls `expired()`
  // again (ManualClock::SetTime).
  void Kick();

  // A futex word (an atomic, so ThreadSanitizer sees every hand-off):
  // kNotified (never cleared) | kSleeping (a waiter sleeps or is about to:
  // changes must wake it) | a count of Kicks in the upper bits (a Kick
  // changes the word, so a waiter about to sleep on its old value does not
  // miss it).
  std::atomic<uint32_t> state_{0};
};

class Clock {
 public:
  virtual ~Clock() = default;

  // The current time. Never blocks; safe to call while holding any lock.
  virtual absl::Time Now() const = 0;

  // Blocks until `wakeup` is notified or Now() >= deadline, whichever comes
  // first; may also return early when time moves (ManualClock::Advance), so
  // callers re-check their condition in a loop. Returns true if notified.
  // REQUIRES: the caller holds no lock that Notify() callers need.
  virtual bool Await(Wakeup& wakeup, absl::Time deadline) = 0;
};

// Real time (absl::Now()).
class SystemClock final : public Clock {
 public:
  absl::Time Now() const override;
  bool Await(Wakeup& wakeup, absl::Time deadline) override;
};

// Simulated time for tests: moves only on Advance/SetTime. Starts at a fixed,
// realistic instant (2026-01-01T00:00:00Z) unless given one.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(absl::Time start = absl::FromUnixSeconds(1767225600));

  absl::Time Now() const override;
  bool Await(Wakeup& wakeup, absl::Time deadline) override;

  // Moves time forward by `d` (>= 0) and wakes every thread blocked in Await,
  // so each re-checks its deadline and condition against the new time.
  void Advance(absl::Duration d);
  // Moves time to `t`; REQUIRES: t >= Now().
  void SetTime(absl::Time t);

  // Registers `fn`, called on the advancing thread at the end of every
  // Advance/SetTime (with no clock lock held), so timer owners can run what
  // fell due before Advance returns. Returns an id for RemoveAdvanceListener.
  int AddAdvanceListener(std::function<void()> fn);
  // Registers `fn`, called on the advancing thread at the start of every
  // Advance/SetTime, before time moves, with the current time and the time it
  // moves to (no clock lock held): what held until now can be recorded as
  // holding until `to` (the metrics sampler records the state jumped over).
  int AddBeforeAdvanceListener(std::function<void(absl::Time now, absl::Time to)> fn);
  // After it returns, the listener is not running and will not run again.
  // Removes either kind.
  void RemoveAdvanceListener(int id);

  // Number of threads blocked in Await right now.
  int NumWaiters() const;
  // Blocks (on real time, without a deadline) until at least `n` threads are
  // blocked in Await. Lets a test learn that a receiver is parked without
  // sleeping.
  void AwaitWaiters(int n) const;

 private:
  std::atomic<int64_t> now_ns_;  // Unix nanoseconds; written under mu_.
  mutable std::mutex mu_;
  mutable std::condition_variable waiters_changed_;
  // Guarded by mu_. A waiter is in the set while it is in Await, so SetTime
  // may Kick it under mu_.
  absl::flat_hash_set<Wakeup*> waiters_;

  // Listeners run outside mu_; listeners_mu_ is held while they run so that
  // RemoveAdvanceListener waits for a running call. Recursive: a listener
  // may itself add or remove listeners.
  // Advances are serialized on it too: one advance's before-listeners, time
  // change and listeners run together.
  std::recursive_mutex listeners_mu_;
  std::map<int, std::function<void()>> listeners_;  // Guarded by listeners_mu_.
  std::map<int, std::function<void(absl::Time, absl::Time)>>
      before_listeners_;      // Guarded by listeners_mu_.
  int next_listener_id_ = 0;  // Guarded by listeners_mu_.
};

}  // namespace wharf

#endif  // WHARF_CLOCK_H_
