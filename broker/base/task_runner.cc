#include "broker/base/task_runner.h"

#include <utility>

namespace wharf {

TaskRunner::TaskRunner(Clock& clock, Scheduler* scheduler)
    : own_scheduler_(scheduler == nullptr ? std::make_unique<Scheduler>(clock) : nullptr),
      scheduler_(scheduler != nullptr ? scheduler : own_scheduler_.get()) {}

TaskRunner::~TaskRunner() { Close(); }

void TaskRunner::ScheduleAt(absl::Time when, std::function<void()> fn) {
  scheduler_->ScheduleAt(when, [lifeline = lifeline_, fn = std::move(fn)] {
    {
      MutexLock lock(&lifeline->mu);
      if (lifeline->closed) return;
      ++lifeline->running;
    }
    fn();
    MutexLock lock(&lifeline->mu);
    if (--lifeline->running == 0) lifeline->idle.SignalAll();
  });
}

void TaskRunner::Close() {
  {
    MutexLock lock(&lifeline_->mu);
    lifeline_->closed = true;
    while (lifeline_->running > 0) lifeline_->idle.Wait(&lifeline_->mu);
  }
  if (own_scheduler_ != nullptr) own_scheduler_->Shutdown();
}

}  // namespace wharf
