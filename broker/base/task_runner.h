// wharf::TaskRunner: one component's timed work (retries, scheduled rules,
// replays) on a Scheduler that the component may share with others and that
// may outlive it.
//
//   TaskRunner tasks(clock, &broker_scheduler);
//   tasks.ScheduleAt(when, [this] { Retry(); });
//   ...
//   tasks.Close();  // In the owner's destructor, before anything a task uses.
//
// Close() is the component's lifeline: once it returns no task of this runner
// is running or will run, so a task may use its component freely. Pending
// tasks are dropped, not run.
//
// Thread safety: thread-safe. Tasks run with no TaskRunner lock held; a task
// may schedule more (they are dropped after Close). REQUIRES: Close is not
// called from one of this runner's tasks (it would wait for itself).

#ifndef WHARF_BROKER_BASE_TASK_RUNNER_H_
#define WHARF_BROKER_BASE_TASK_RUNNER_H_

#include <functional>
#include <memory>

#include "absl/time/time.h"
#include "broker/base/mutex.h"
#include "broker/base/scheduler.h"
#include "wharf/clock.h"

namespace wharf {

class TaskRunner {
 public:
  // Runs tasks on `scheduler`, or on a Scheduler of its own when it is null.
  // `clock` and `scheduler` must outlive the runner.
  TaskRunner(Clock& clock, Scheduler* scheduler);
  ~TaskRunner();  // Close().
  TaskRunner(const TaskRunner&) = delete;
  TaskRunner& operator=(const TaskRunner&) = delete;

  // Runs `fn` at `when` on the clock, unless Close() has been called by then.
  void ScheduleAt(absl::Time when, std::function<void()> fn);

  // Drops the tasks not yet started and waits for the running ones.
  // Idempotent.
  void Close();

 private:
  // Shared with every scheduled task, which may outlive the runner.
  struct Lifeline {
    Mutex mu;
    CondVar idle;
    bool closed ABSL_GUARDED_BY(mu) = false;
    int running ABSL_GUARDED_BY(mu) = 0;
  };

  const std::shared_ptr<Lifeline> lifeline_ = std::make_shared<Lifeline>();
  std::unique_ptr<Scheduler> own_scheduler_;  // Null when one was given.
  Scheduler* const scheduler_;
};

}  // namespace wharf

#endif  // WHARF_BROKER_BASE_TASK_RUNNER_H_
