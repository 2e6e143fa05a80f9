#include "broker/base/executor.h"

#include <utility>

namespace wharf {

// ---- ThreadPool -------------------------------------------------------------

ThreadPool::ThreadPool(int num_threads) : num_threads_(num_threads < 1 ? 1 : num_threads) {}

ThreadPool::~ThreadPool() { Shutdown(); }

bool ThreadPool::Schedule(Task task) {
  {
    MutexLock lock(&mu_);
    if (shutdown_) return false;
    queue_.push_back(std::move(task));
    if (!started_) {
      started_ = true;
      threads_.reserve(static_cast<size_t>(num_threads_));
      for (int i = 0; i < num_threads_; ++i) threads_.emplace_back([this] { Work(); });
    }
  }
  cv_.Signal();
  return true;
}

void ThreadPool::Work() {
  for (;;) {
    Task task;
    {
      MutexLock lock(&mu_);
      while (queue_.empty() && !shutdown_) cv_.Wait(&mu_);
      if (shutdown_) return;
      task = std::move(queue_.front());
      queue_.pop_front();
    }
    std::move(task)();
  }
}

void ThreadPool::Shutdown() {
  std::deque<Task> dropped;
  {
    MutexLock lock(&mu_);
    if (shutdown_) return;
    shutdown_ = true;
    dropped.swap(queue_);
  }
  cv_.SignalAll();
  // No thread starts after shutdown_ is set, so threads_ is stable here.
  for (std::thread& t : threads_) t.join();
  // Destroyed here, outside the lock: a task's captures may schedule (and be
  // refused) or release objects that lock.
  dropped.clear();
}

// ---- ManualExecutor ---------------------------------------------------------

bool ManualExecutor::Schedule(Task task) {
  MutexLock lock(&mu_);
  if (shutdown_) return false;
  queue_.push_back(std::move(task));
  return true;
}

bool ManualExecutor::InDrain() const {
  MutexLock lock(&mu_);
  return draining_ && drainer_ == std::this_thread::get_id();
}

int64_t ManualExecutor::RunUntilIdle() {
  const std::thread::id self = std::this_thread::get_id();
  {
    MutexLock lock(&mu_);
    if (draining_ && drainer_ == self) return 0;  // Nested: the outer drain continues.
    while (draining_) idle_.Wait(&mu_);
    draining_ = true;
    drainer_ = self;
  }
  int64_t ran = 0;
  for (;;) {
    Task task;
    {
      MutexLock lock(&mu_);
      if (queue_.empty()) {
        draining_ = false;
        drainer_ = std::thread::id();
        break;
      }
      task = std::move(queue_.front());
      queue_.pop_front();
    }
    std::move(task)();
    ++ran;
  }
  idle_.SignalAll();
  return ran;
}

void ManualExecutor::Shutdown() {
  std::deque<Task> dropped;
  {
    MutexLock lock(&mu_);
    shutdown_ = true;
    dropped.swap(queue_);
  }
}

size_t ManualExecutor::NumQueued() const {
  MutexLock lock(&mu_);
  return queue_.size();
}

}  // namespace wharf
