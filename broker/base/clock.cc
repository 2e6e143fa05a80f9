#include "wharf/clock.h"

#include <algorithm>
#include <vector>

namespace wharf {

void Wakeup::Notify() {
  std::lock_guard<std::mutex> lock(mu_);
  notified_ = true;
  cv_.notify_all();
}

bool Wakeup::HasBeenNotified() const {
  std::lock_guard<std::mutex> lock(mu_);
  return notified_;
}

absl::Time SystemClock::Now() const { return absl::Now(); }

bool SystemClock::Await(Wakeup& wakeup, absl::Time deadline) {
  std::unique_lock<std::mutex> lock(wakeup.mu_);
  auto notified = [&] { return wakeup.notified_; };
  // Converting far-future deadlines between clocks overflows in libstdc++.
  if (deadline - absl::Now() > absl::Hours(24 * 365)) {
    wakeup.cv_.wait(lock, notified);
  } else {
    wakeup.cv_.wait_until(lock, absl::ToChronoTime(deadline), notified);
  }
  return wakeup.notified_;
}

ManualClock::ManualClock(absl::Time start) : now_ns_(absl::ToUnixNanos(start)) {}

absl::Time ManualClock::Now() const {
  return absl::FromUnixNanos(now_ns_.load(std::memory_order_acquire));
}

bool ManualClock::Await(Wakeup& wakeup, absl::Time deadline) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    waiters_.insert(&wakeup);
    waiters_changed_.notify_all();
  }
  bool notified;
  {
    // SetTime stores the new time before it takes wakeup.mu_ to signal, so
    // checking Now() under wakeup.mu_ cannot miss a wake-up.
    std::unique_lock<std::mutex> lock(wakeup.mu_);
    wakeup.cv_.wait(lock, [&] { return wakeup.notified_ || Now() >= deadline; });
    notified = wakeup.notified_;
  }
  std::lock_guard<std::mutex> lock(mu_);
  waiters_.erase(&wakeup);
  waiters_changed_.notify_all();
  return notified;
}

void ManualClock::Advance(absl::Duration d) { SetTime(Now() + d); }

void ManualClock::SetTime(absl::Time t) {
  std::lock_guard<std::recursive_mutex> listeners_lock(listeners_mu_);
  if (!before_listeners_.empty()) {
    const absl::Time now = Now();
    // Copy: a listener may add or remove listeners.
    std::vector<std::function<void(absl::Time, absl::Time)>> before;
    for (auto& [id, fn] : before_listeners_) before.push_back(fn);
    for (auto& fn : before) fn(now, std::max(now, t));
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (t > Now()) now_ns_.store(absl::ToUnixNanos(t), std::memory_order_release);
    for (Wakeup* w : waiters_) {
      std::lock_guard<std::mutex> wlock(w->mu_);
      w->cv_.notify_all();
    }
  }
  // Copy: a listener may add or remove listeners.
  std::vector<std::function<void()>> listeners;
  for (auto& [id, fn] : listeners_) listeners.push_back(fn);
  for (auto& fn : listeners) fn();
}

int ManualClock::AddAdvanceListener(std::function<void()> fn) {
  std::lock_guard<std::recursive_mutex> lock(listeners_mu_);
  int id = next_listener_id_++;
  listeners_.emplace(id, std::move(fn));
  return id;
}

int ManualClock::AddBeforeAdvanceListener(std::function<void(absl::Time, absl::Time)> fn) {
  std::lock_guard<std::recursive_mutex> lock(listeners_mu_);
  int id = next_listener_id_++;
  before_listeners_.emplace(id, std::move(fn));
  return id;
}

void ManualClock::RemoveAdvanceListener(int id) {
  std::lock_guard<std::recursive_mutex> lock(listeners_mu_);
  listeners_.erase(id);
  before_listeners_.erase(id);
}

int ManualClock::NumWaiters() const {
  std::lock_guard<std::mutex> lock(mu_);
  return static_cast<int>(waiters_.size());
}

void ManualClock::AwaitWaiters(int n) const {
  std::unique_lock<std::mutex> lock(mu_);
  waiters_changed_.wait(lock, [&] { return static_cast<int>(waiters_.size()) >= n; });
}

}  // namespace wharf
