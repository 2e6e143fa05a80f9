// File: broker/queue/parked_receivers.h
//
// ParkedReceivers: the receives of one queue engine that wait for a message,
// parked as continuations (no thread held), and the one waiting mechanism of
// both engines (StandardQueue, FifoQueue). An asynchronous receive parks its
// completion; a blocking receive parks a completion that notifies a Wakeup
// it awaits through Clock::Await.
//
//   class Engine final : public QueueCore, private ReceiveSource {
//     void Send(...) {
//       ... publish the message (a seq_cst write MayHaveMessages reads) ...
//       if (waiters_.AnyParked()) waiters_.Wake(1);
//     }
//     void ReceiveAsync(ReceiveArgs a, ReceiveDone d) override {
//       waiters_.ReceiveAsync(std::move(a), std::move(d));
//     }
//     ParkedReceivers waiters_{*this, clock, scheduler};  // Last member.
//   };
//
// A parked receive completes exactly once:
//   * Wake(n): the engine made n messages visible. The first n parked
//     receives (first parked, first served) each try a receive: an
//     asynchronous one on the waking thread, a blocking one on its own
//     thread, woken first (the waking thread only takes it out of the list
//     and notifies it). One that finds nothing (a short poll was quicker)
//     parks again at the front. Wake(n) costs O(n) whatever the number
//     parked.
//   * At its wait deadline: a task on the broker's Scheduler makes one final
//     try (a blocking receive times itself out through Clock::Await).
//   * When its stop token is stopped: with no messages, on the stopping
//     thread.
//   * Close() or destruction: with no messages.
// Message deadlines (visibility expiry, end of a delay) reach parked
// receives through one alarm per queue: while any receive is parked, a
// Scheduler task is armed at the engine's earliest deadline; it applies the
// due deadlines and wakes one receive per message they made visible.
//
// Costs. Nothing is added to a send when nobody is parked beyond the
// engine's one seq_cst load in AnyParked(). Parking allocates one node and,
// for an asynchronous receive with a finite deadline, one Scheduler task
// (O(log tasks), cancelled when the receive completes earlier).
//
// Where completions run: with no lock held (no lock of this class, of the
// engine, or of the engine's callers), on the thread that completes the
// receive: the ReceiveAsync caller (inline), a sender or other engine call
// that woke it, the thread that stopped its token, the Scheduler's thread
// (inside ManualClock::Advance with a ManualClock), or the caller of Close
// or of the destructor. A caller that holds a lock across an engine call
// opens a CompletionScope (broker/base/completion_scope.h) before taking it:
// the completions run when the scope ends. They must be short and must not
// block: the thread has its own work to finish.
// A completion may call the engine again, and may destroy it, except when
// it runs inside Close, Shutdown or the destructor.
//
// Thread safety: thread-safe. The engine must not be destroyed while other
// threads call it (the Scheduler's tasks are handled here).

#ifndef WHARF_BROKER_QUEUE_PARKED_RECEIVERS_H_
#define WHARF_BROKER_QUEUE_PARKED_RECEIVERS_H_

#include <atomic>
#include <cstdint>
#include <limits>
#include <memory>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/time/time.h"
#include "broker/base/completion_scope.h"
#include "broker/base/mutex.h"
#include "broker/base/scheduler.h"
#include "broker/queue/plain_mutex.h"
#include "broker/queue/queue_core.h"
#include "wharf/clock.h"

namespace wharf::queue_internal {

// What ParkedReceivers needs of its engine. Called with no ParkedReceivers
// lock held, and never after ParkedReceivers::Shutdown has returned.
class ReceiveSource {
 public:
  // One receive that never waits, at the clock's current time (the engine's
  // receive minus the waiting). Adds to *surfaced the number of messages it
  // made visible for other receivers (deadlines it applied, messages it put
  // back), for which the caller then wakes parked receives.
  virtual ReceiveResult TryReceive(const ReceiveArgs& args, int* surfaced) = 0;
  // Whether TryReceive could find a message now. Must read (seq_cst) what
  // the engine writes (seq_cst) before calling AnyParked() when it publishes
  // a message: a receive parks, then asks this, so one of the two sees the
  // other and no wake-up is lost.
  virtual bool MayHaveMessages() = 0;
  // Applies every deadline due now; returns how many messages became visible.
  virtual int ApplyDueDeadlines() = 0;
  // The earliest pending visibility or delay deadline (InfiniteFuture if
  // none), read seq_cst like MayHaveMessages (paired with ArmAlarm).
  virtual absl::Time NextDeadline() = 0;

 protected:
  ~ReceiveSource() = default;
};

class ParkedReceivers {
 public:
  // `source`, `clock` and `scheduler` must outlive this object; `scheduler`
  // runs on `clock`.
  ParkedReceivers(ReceiveSource& source, Clock& clock, Scheduler& scheduler);
  // Shutdown().
  ~ParkedReceivers();
  ParkedReceivers(const ParkedReceivers&) = delete;
  ParkedReceivers& operator=(const ParkedReceivers&) = delete;

  // QueueCore::ReceiveAsync and Receive on top of source.TryReceive.
  void ReceiveAsync(ReceiveArgs args, ReceiveDone done) ABSL_LOCKS_EXCLUDED(mu_);
  // Receive copies `args` only when it has to wait.
  ReceiveResult Receive(const ReceiveArgs& args) ABSL_LOCKS_EXCLUDED(mu_);

  // One seq_cst load; the engine calls it after publishing a message.
  bool AnyParked() const { return num_parked_.load(std::memory_order_seq_cst) > 0; }

  // Serves up to `n` parked receives, first parked first, on this thread;
  // their completions run before it returns, or when the CompletionScope
  // open on this thread ends. REQUIRES: the caller holds no engine lock.
  void Wake(int n) ABSL_LOCKS_EXCLUDED(mu_);
  // What the engine calls after making `n` messages visible (n >= 0), on
  // every path that can make one visible (whether or not it did): one load
  // when nobody is parked; checks (checked builds) that no completion could
  // run under a caller's lock.
  void WakeFor(int n) ABSL_LOCKS_EXCLUDED(mu_) {
    CompletionScope::CheckMayComplete("a queue call that can complete a parked receive");
    if (n > 0 && AnyParked()) Wake(n);
  }

  // Makes sure a Scheduler task applies the engine's deadlines at `at` (or
  // earlier). The engine calls it when a deadline it publishes may be the
  // earliest and AnyParked() (parking receives arm it themselves). One
  // atomic load when an alarm at or before `at` is already armed; may be
  // called with engine locks held (takes only the Scheduler's lock).
  void ArmAlarm(absl::Time at);

  // Completes every parked receive with no messages; later receives do not
  // park (they return as short polls).
  void Close() ABSL_LOCKS_EXCLUDED(mu_);

  // Close(), and after it returns no Scheduler task of this object touches
  // the engine. Waits for a task that is running on another thread.
  // Idempotent; the engine calls it first thing in its destructor.
  void Shutdown() ABSL_LOCKS_EXCLUDED(mu_);

  // For tests.
  int NumParked() const { return num_parked_.load(std::memory_order_acquire); }

 private:
  struct Waiter;
  struct Gate;
  class Batch;
  // A blocking Receive's result, on its stack: written by the thread that
  // finishes the receive, then `wakeup` notified. Aligned: the hand-off
  // shares no line with the rest of the frame (64 bytes with libstdc++).
  struct alignas(64) Blocked {
    Wakeup wakeup;
    // Set before `wakeup` is notified: the receive is handed back to the
    // waiting thread (HandOff), not finished.
    bool handed = false;
    ReceiveResult result;
  };

  // The waiter of this thread's last blocking Receive (finished, referenced
  // by nothing of the engine), dropped when the thread's next Receive is
  // about to wait, or at its exit: after the wake-up rather than inside it.
  static std::shared_ptr<Waiter>& FinishedWaiter();

  // `blocked`: Receive's own waiter, completed into its frame (see
  // Waiter::blocked); nullptr for ReceiveAsync's.
  std::shared_ptr<Waiter> NewWaiter(ReceiveArgs args, ReceiveDone done, Blocked* blocked);
  // Parks `w` (owned by the caller: not parked, not finished) after a try
  // that found nothing, and re-tries while messages may be visible; ends in
  // `w` parked, handed to another thread, or finished into `batch`.
  // Returns the messages made visible by its tries (to wake others for).
  int Settle(std::shared_ptr<Waiter> w, bool front, Batch& batch) ABSL_LOCKS_EXCLUDED(mu_);
  // Tries and settles up to `n` parked receives.
  void Serve(int n, Batch& batch) ABSL_LOCKS_EXCLUDED(mu_);
  // False (nothing done) if `w` must not wait any longer.
  bool Park(const std::shared_ptr<Waiter>& w, bool front) ABSL_LOCKS_EXCLUDED(mu_);
  // Takes `w` out of the list if it is parked.
  std::shared_ptr<Waiter> Claim(Waiter* w) ABSL_LOCKS_EXCLUDED(mu_);
  std::shared_ptr<Waiter> Unlink(Waiter* w) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Gives a blocking Receive's waiter `w` (owned by the caller, not parked)
  // back to its waiting thread and wakes it: that thread tries the receive
  // itself, after the wake-up rather than before it, and parks again at the
  // front if it finds nothing.
  static void HandOff(Waiter& w);
  // Ends `w` (owned by the caller) with `result`, to be completed by `batch`
  // (a blocking Receive's at once).
  void Finish(const std::shared_ptr<Waiter>& w, ReceiveResult result, Batch& batch)
      ABSL_LOCKS_EXCLUDED(mu_);

  // Scheduler tasks and the stop callback.
  void OnWaitDeadline(const std::shared_ptr<Waiter>& w, Batch& batch) ABSL_LOCKS_EXCLUDED(mu_);
  void OnAlarm(int64_t at_ns, Batch& batch);
  void OnStop(Waiter* w) ABSL_LOCKS_EXCLUDED(mu_);

  static constexpr int64_t kNoAlarm = std::numeric_limits<int64_t>::max();

  ReceiveSource& source_;
  Clock& clock_;
  Scheduler& scheduler_;
  // Shared with the Scheduler tasks, which may outlive this object.
  const std::shared_ptr<Gate> gate_;

  std::atomic<int> num_parked_{0};  // Written under mu_.
  // The time of the earliest armed alarm task (kNoAlarm: none).
  std::atomic<int64_t> alarm_ns_{kNoAlarm};

  PlainMutex mu_;  // Taken by every wake-up and park: the cheap lock.
  // Parked receives in park order (intrusive list; each holds a reference to
  // itself while parked).
  Waiter* head_ ABSL_GUARDED_BY(mu_) = nullptr;
  Waiter* tail_ ABSL_GUARDED_BY(mu_) = nullptr;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace wharf::queue_internal

#endif  // WHARF_BROKER_QUEUE_PARKED_RECEIVERS_H_
