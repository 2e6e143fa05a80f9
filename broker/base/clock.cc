#include "wharf/clock.h"

#include <time.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "broker/base/futex.h"

namespace wharf {

namespace {

using base_internal::FutexWait;
using base_internal::FutexWake;

constexpr uint32_t kNotified = 1;
constexpr uint32_t kSleeping = 2;
constexpr uint32_t kKick = 4;  // The unit of the kick count.

}  // namespace

void Wakeup::Notify() {
  std::atomic<uint32_t>* word = &state_;
  // Release: what the notifier wrote before is visible to a waiter that sees
  // kNotified. From here on *this may be destroyed by the waiter (it may see
  // kNotified without sleeping, or wake spuriously): only the address is used.
  const uint32_t before = word->fetch_or(kNotified, std::memory_order_acq_rel);
  if ((before & (kNotified | kSleeping)) == kSleeping) FutexWake(word);
}

bool Wakeup::HasBeenNotified() const {
  return (state_.load(std::memory_order_acquire) & kNotified) != 0;
}

void Wakeup::Kick() {
  const uint32_t before = state_.fetch_add(kKick, std::memory_order_acq_rel);
  if ((before & kSleeping) != 0) FutexWake(&state_);
}

template <typename Expired>
bool Wakeup::Wait(Expired expired, absl::Time real_deadline) {
  for (;;) {
    uint32_t seen = state_.load(std::memory_order_acquire);
    if ((seen & kNotified) != 0) return true;
    // After the load: a Kick the load saw happened after the change it
    // signals (time moved), so expired() sees that change.
    if (expired()) return false;
    if ((seen & kSleeping) == 0) {
      // Fails if a Notify or Kick came since the load: look again.
      if (!state_.compare_exchange_weak(seen, seen | kSleeping, std::memory_order_acq_rel,
                                        std::memory_order_acquire)) {
        continue;
      }
      seen |= kSleeping;
    }
    // Returns at once if the word changed since `seen`; kSleeping stays set
    // (a later Notify or Kick makes one needless wake at most).
    FutexWait(state_, seen, real_deadline);
  }
}

absl::Time SystemClock::Now() const {
  // Not absl::Now(): Debian's Abseil takes its cycle-clock slow path (a
  // vDSO read under one process-wide SpinLock) on most calls here, so every
  // send and receive of every queue contended for that lock (17% of the
  // cycles of Core/Lifecycle 2/2). CLOCK_REALTIME through the vDSO is the
  // same time without shared state.
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return absl::FromUnixNanos(int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec);
}

bool SystemClock::Await(Wakeup& wakeup, absl::Time deadline) {
  return wakeup.Wait([&] { return Now() >= deadline; }, deadline);
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
  // SetTime stores the new time before it kicks the waiters it finds in
  // waiters_ (this one is there from now until it erases itself below).
  const bool notified = wakeup.Wait([&] { return Now() >= deadline; }, absl::InfiniteFuture());
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
    for (Wakeup* w : waiters_) w->Kick();
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
