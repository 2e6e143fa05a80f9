#include "broker/base/scheduler.h"

namespace wharf {

Scheduler::Scheduler(Clock& clock)
    : clock_(clock), manual_clock_(dynamic_cast<ManualClock*>(&clock)) {
  if (manual_clock_ != nullptr) {
    listener_id_ = manual_clock_->AddAdvanceListener([this] { RunDue(); });
  } else {
    thread_ = std::thread([this] { Loop(); });
  }
}

Scheduler::~Scheduler() { Shutdown(); }

Scheduler::TaskId Scheduler::ScheduleAt(absl::Time when, std::function<void()> fn) {
  std::shared_ptr<Wakeup> to_notify;
  TaskId id;
  {
    MutexLock lock(&mu_);
    id = next_id_++;
    if (shutdown_) return id;
    bool earliest = tasks_.empty() || when < tasks_.begin()->first.first;
    tasks_.emplace(std::make_pair(when, id), std::move(fn));
    due_.emplace(id, when);
    if (earliest) to_notify = wakeup_;
  }
  if (to_notify) to_notify->Notify();
  return id;
}

bool Scheduler::Cancel(TaskId id) {
  MutexLock lock(&mu_);
  auto it = due_.find(id);
  if (it == due_.end()) return false;
  tasks_.erase({it->second, id});
  due_.erase(it);
  return true;
}

void Scheduler::RunDue() {
  for (;;) {
    std::function<void()> fn;
    {
      MutexLock lock(&mu_);
      if (tasks_.empty() || tasks_.begin()->first.first > clock_.Now()) return;
      auto it = tasks_.begin();
      fn = std::move(it->second);
      due_.erase(it->first.second);
      tasks_.erase(it);
    }
    fn();
  }
}

void Scheduler::Loop() {
  for (;;) {
    std::shared_ptr<Wakeup> wakeup = std::make_shared<Wakeup>();
    absl::Time next;
    {
      MutexLock lock(&mu_);
      if (shutdown_) return;
      wakeup_ = wakeup;
      next = tasks_.empty() ? absl::InfiniteFuture() : tasks_.begin()->first.first;
    }
    if (next > clock_.Now()) clock_.Await(*wakeup, next);
    RunDue();
  }
}

void Scheduler::Shutdown() {
  std::shared_ptr<Wakeup> to_notify;
  {
    MutexLock lock(&mu_);
    if (shutdown_) return;
    shutdown_ = true;
    tasks_.clear();
    due_.clear();
    to_notify = wakeup_;
  }
  if (manual_clock_ != nullptr) manual_clock_->RemoveAdvanceListener(listener_id_);
  if (to_notify) to_notify->Notify();
  if (thread_.joinable()) thread_.join();
}

size_t Scheduler::NumPending() const {
  MutexLock lock(&mu_);
  return tasks_.size();
}

}  // namespace wharf
