// wharf::Executor runs tasks off the caller's stack: on a pool of worker
// threads (ThreadPool), or, for ManualClock tests, on whichever thread drains
// it (ManualExecutor), so that tests decide when background work happens.
//
//   ThreadPool pool(4);
//   pool.Schedule([] { HandleBatch(); });
//   pool.Shutdown();  // waits for running tasks, drops queued ones
//
// Thread safety: thread-safe. Tasks run with no executor lock held and may
// schedule more tasks.

#ifndef WHARF_BROKER_BASE_EXECUTOR_H_
#define WHARF_BROKER_BASE_EXECUTOR_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <thread>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "broker/base/mutex.h"

namespace wharf {

using Task = absl::AnyInvocable<void() &&>;

class Executor {
 public:
  virtual ~Executor() = default;
  // Queues `task`; never runs it on the calling thread's stack. Returns false
  // (and destroys the task) once the executor is shut down. O(1); allocates
  // when the queue grows.
  virtual bool Schedule(Task task) = 0;
};

// Runs tasks on `num_threads` worker threads, started on the first Schedule.
// The queue is unbounded: callers bound what they schedule.
class ThreadPool final : public Executor {
 public:
  explicit ThreadPool(int num_threads);
  ~ThreadPool() override;  // Shutdown().
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  bool Schedule(Task task) override ABSL_LOCKS_EXCLUDED(mu_);

  // Stops accepting tasks, drops the queued ones (destroyed outside the lock)
  // and joins the workers, waiting for running tasks. Idempotent. A task
  // calling Shutdown (or destroying the pool) is undefined.
  void Shutdown() ABSL_LOCKS_EXCLUDED(mu_);

 private:
  void Work() ABSL_LOCKS_EXCLUDED(mu_);

  const int num_threads_;
  Mutex mu_;
  CondVar cv_;
  std::deque<Task> queue_ ABSL_GUARDED_BY(mu_);
  bool started_ ABSL_GUARDED_BY(mu_) = false;
  bool shutdown_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;  // Written once under mu_ (start), joined by Shutdown.
};

// Queues tasks until a thread calls RunUntilIdle, which runs them (and the
// tasks they schedule) on that thread. For ManualClock tests: no background
// thread, so what runs when is decided by the test.
class ManualExecutor final : public Executor {
 public:
  ManualExecutor() = default;
  ManualExecutor(const ManualExecutor&) = delete;
  ManualExecutor& operator=(const ManualExecutor&) = delete;

  bool Schedule(Task task) override ABSL_LOCKS_EXCLUDED(mu_);

  // Runs queued tasks in FIFO order on the calling thread until the queue is
  // empty; returns how many ran. Called from one of its own tasks (nested) it
  // returns 0 at once: the outer call carries on. A second thread calling it
  // waits for the running drain to end, then drains what is left.
  int64_t RunUntilIdle() ABSL_LOCKS_EXCLUDED(mu_);

  // True while the calling thread is inside RunUntilIdle.
  bool InDrain() const;

  // Drops queued tasks; later Schedule calls fail. Idempotent.
  void Shutdown() ABSL_LOCKS_EXCLUDED(mu_);

  size_t NumQueued() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  mutable Mutex mu_;
  CondVar idle_;
  std::deque<Task> queue_ ABSL_GUARDED_BY(mu_);
  bool draining_ ABSL_GUARDED_BY(mu_) = false;
  std::thread::id drainer_ ABSL_GUARDED_BY(mu_);
  bool shutdown_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace wharf

#endif  // WHARF_BROKER_BASE_EXECUTOR_H_
