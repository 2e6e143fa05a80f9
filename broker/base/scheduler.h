// wharf::Scheduler runs callbacks at times on the broker's Clock: delivery
// retries, scheduled rules, paced move tasks.
//
//   Scheduler scheduler(clock);
//   scheduler.ScheduleAfter(absl::Seconds(20), [&] { RetryDelivery(); });
//
// With a ManualClock there is no thread: due tasks run inside
// ManualClock::Advance on the advancing thread, in time order, before Advance
// returns, so a test can advance and assert at once. With any other clock one
// background thread waits on the clock and runs due tasks.
//
// Thread safety: thread-safe. Tasks run with no Scheduler lock held, so a task
// may schedule or cancel tasks. Tasks must not block for long: they delay the
// tasks behind them.

#ifndef WHARF_BROKER_BASE_SCHEDULER_H_
#define WHARF_BROKER_BASE_SCHEDULER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <thread>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/time/time.h"
#include "broker/base/mutex.h"
#include "wharf/clock.h"

namespace wharf {

class Scheduler {
 public:
  using TaskId = uint64_t;

  // `clock` must outlive the Scheduler.
  explicit Scheduler(Clock& clock);
  ~Scheduler();  // Shutdown().
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Runs `fn` once, at or soon after `when` on the clock. O(log n).
  TaskId ScheduleAt(absl::Time when, std::function<void()> fn) ABSL_LOCKS_EXCLUDED(mu_);
  TaskId ScheduleAfter(absl::Duration delay, std::function<void()> fn) {
    return ScheduleAt(clock_.Now() + delay, std::move(fn));
  }
  // Returns true if the task was pending (it will not run now).
  bool Cancel(TaskId id) ABSL_LOCKS_EXCLUDED(mu_);

  // Runs every task due at clock.Now(), on the calling thread.
  void RunDue() ABSL_LOCKS_EXCLUDED(mu_);

  // Drops pending tasks and stops the thread. Idempotent. A task running on
  // another thread finishes first. After Shutdown, ScheduleAt is a no-op.
  void Shutdown() ABSL_LOCKS_EXCLUDED(mu_);

  size_t NumPending() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  void Loop() ABSL_LOCKS_EXCLUDED(mu_);

  Clock& clock_;
  ManualClock* const manual_clock_;  // Non-null when clock_ is a ManualClock.
  int listener_id_ = -1;

  mutable Mutex mu_;
  // Ordered by (due time, id): ids break ties in scheduling order.
  std::map<std::pair<absl::Time, TaskId>, std::function<void()>> tasks_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<TaskId, absl::Time> due_ ABSL_GUARDED_BY(mu_);
  TaskId next_id_ ABSL_GUARDED_BY(mu_) = 1;
  bool shutdown_ ABSL_GUARDED_BY(mu_) = false;
  // The background thread's current wait; notified when an earlier task
  // arrives or on shutdown. Replaced for each wait (a Wakeup is one-shot).
  std::shared_ptr<Wakeup> wakeup_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

}  // namespace wharf

#endif  // WHARF_BROKER_BASE_SCHEDULER_H_
