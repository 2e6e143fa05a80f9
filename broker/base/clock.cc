#include "wharf/clock.h"

namespace wharf {

void Wakeup::Notify() {
  absl::MutexLock lock(&mu_);
  notified_ = true;
  cv_.SignalAll();
}

bool Wakeup::HasBeenNotified() const {
  absl::MutexLock lock(&mu_);
  return notified_;
}

absl::Time SystemClock::Now() const { return absl::Now(); }

bool SystemClock::Await(Wakeup& wakeup, absl::Time deadline) {
  absl::MutexLock lock(&wakeup.mu_);
  while (!wakeup.notified_) {
    if (wakeup.cv_.WaitWithDeadline(&wakeup.mu_, deadline)) break;  // Timed out.
  }
  return wakeup.notified_;
}

ManualClock::ManualClock(absl::Time start) : now_ns_(absl::ToUnixNanos(start)) {}

absl::Time ManualClock::Now() const {
  return absl::FromUnixNanos(now_ns_.load(std::memory_order_acquire));
}

bool ManualClock::Await(Wakeup& wakeup, absl::Time deadline) {
  {
    absl::MutexLock lock(&mu_);
    waiters_.insert(&wakeup);
  }
  bool notified;
  {
    // Advance stores the new time before it takes wakeup.mu_ to signal, so
    // checking Now() under wakeup.mu_ cannot miss a wake-up.
    absl::MutexLock lock(&wakeup.mu_);
    while (!wakeup.notified_ && Now() < deadline) wakeup.cv_.Wait(&wakeup.mu_);
    notified = wakeup.notified_;
  }
  absl::MutexLock lock(&mu_);
  waiters_.erase(&wakeup);
  return notified;
}

void ManualClock::Advance(absl::Duration d) { SetTime(Now() + d); }

void ManualClock::SetTime(absl::Time t) {
  absl::MutexLock lock(&mu_);
  if (t > Now()) now_ns_.store(absl::ToUnixNanos(t), std::memory_order_release);
  for (Wakeup* w : waiters_) {
    absl::MutexLock wlock(&w->mu_);
    w->cv_.SignalAll();
  }
}

int ManualClock::NumWaiters() const {
  absl::MutexLock lock(&mu_);
  return static_cast<int>(waiters_.size());
}

void ManualClock::AwaitWaiters(int n) const {
  auto enough = [this, n]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    return static_cast<int>(waiters_.size()) >= n;
  };
  absl::MutexLock lock(&mu_, absl::Condition(&enough));
}

}  // namespace wharf
