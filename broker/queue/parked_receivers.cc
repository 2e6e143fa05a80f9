// ParkedReceivers (see parked_receivers.h).
//
// Ownership. A Waiter is reference-counted: the list holds it (Waiter::self)
// while it is parked, the thread serving it holds it while it is not, and
// its wait-deadline task holds it until the task runs or is cancelled.
// Whoever takes it out of the list under mu_ owns it: only the owner parks
// it again or finishes it, so it completes exactly once.
//
// Lock order: mu_ -> nothing. Scheduler calls and ~stop_callback (which
// waits for an OnStop running on another thread, itself waiting for mu_) are
// never made with mu_ held; completions run with no lock held at all.

#include "broker/queue/parked_receivers.h"

#include <memory>
#include <optional>
#include <stop_token>
#include <utility>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "broker/base/completion_scope.h"

namespace wharf::queue_internal {

// Lets a Scheduler task, which may run after its ParkedReceivers is gone,
// touch it (and the engine) only while it exists.
struct ParkedReceivers::Gate {
  Mutex mu;
  CondVar idle;
  int running ABSL_GUARDED_BY(mu) = 0;
  bool closed ABSL_GUARDED_BY(mu) = false;

  bool Enter() {
    MutexLock lock(&mu);
    if (closed) return false;
    ++running;
    return true;
  }
  void Exit() {
    MutexLock lock(&mu);
    if (--running == 0 && closed) idle.SignalAll();
  }
  void Close() {
    MutexLock lock(&mu);
    closed = true;
    while (running > 0) idle.Wait(&mu);
  }
};

struct ParkedReceivers::Waiter {
  struct StopFn {
    ParkedReceivers* self;
    Waiter* w;
    void operator()() const { self->OnStop(w); }
  };

  ReceiveArgs args;
  ReceiveDone done;  // Moved out when finished (unless blocking).
  // A blocking Receive's frame, instead of `done`: Finish hands it the
  // result (or HandOff the receive itself) and notifies it at once, with no
  // lock held, never through a Batch or a CompletionScope, which could be
  // open on the very thread it wakes.
  Blocked* blocked = nullptr;
  // The wait-deadline task, 0 if none. Set before the waiter is first
  // parked; then read and cleared only by its owner.
  Scheduler::TaskId task = 0;
  // The parking thread's spare delivery vector (SpareDeliveries), lent to
  // the thread that serves the waiter: it becomes that thread's spare if it
  // has none, so that the receive made on the waiter's behalf does not
  // allocate on the way to the wake-up. Whatever is left here when the wait
  // ends goes back to the parking thread. Owned like the other fields.
  // Empty for a blocking Receive, which makes its receives itself.
  std::vector<Delivery> spare;

  // Guarded by ParkedReceivers::mu_.
  Waiter* prev = nullptr;
  Waiter* next = nullptr;
  bool parked = false;
  bool expired = false;  // Its deadline task ran while it was not parked.
  std::shared_ptr<Waiter> self;

  // Last, so destroyed first. Reset by Finish, before the completion runs.
  std::optional<std::stop_callback<StopFn>> on_stop;
};

// Completions collected while locks (or the Gate) are held, run by Run()
// (through CompletionScope: after the locks of the engine's callers too).
class ParkedReceivers::Batch {
 public:
  Batch() = default;
  Batch(const Batch&) = delete;
  Batch& operator=(const Batch&) = delete;
  ~Batch() { Run(); }

  void Add(ReceiveDone done, ReceiveResult result) {
    items_.push_back(Item{std::move(done), std::move(result)});
  }
  void Run() {
    if (items_.empty()) return;  // A woken blocking Receive's, on its way out.
    for (Item& item : items_) {
      if (CompletionScope::Open()) {
        CompletionScope::Run(
            [done = std::move(item.done), result = std::move(item.result)]() mutable {
              std::move(done)(std::move(result));
            });
        continue;
      }
      base_internal::CheckNoLocksHeld("a receive's completion");
      std::move(item.done)(std::move(item.result));
    }
    items_.clear();  // Destroys the callables (which may own the engine).
  }

 private:
  struct Item {
    ReceiveDone done;
    ReceiveResult result;
  };
  absl::InlinedVector<Item, 1> items_;
};

namespace {

ReceiveResult NoMessages() { return std::vector<Delivery>(); }

// Whether a first try's result ends the receive rather than letting it wait.
// A short poll that says so with InfinitePast (as the service's do) ends
// without a second clock reading.
bool Ends(const ReceiveResult& got, const ReceiveArgs& args, Clock& clock) {
  return !got.ok() || !got->empty() || args.wait_deadline == absl::InfinitePast() ||
         clock.Now() >= args.wait_deadline || args.stop.stop_requested();
}

}  // namespace

ParkedReceivers::ParkedReceivers(ReceiveSource& source, Clock& clock, Scheduler& scheduler)
    : source_(source), clock_(clock), scheduler_(scheduler), gate_(std::make_shared<Gate>()) {}

ParkedReceivers::~ParkedReceivers() { Shutdown(); }

std::shared_ptr<ParkedReceivers::Waiter> ParkedReceivers::NewWaiter(ReceiveArgs args,
                                                                    ReceiveDone done,
                                                                    Blocked* blocked) {
  auto w = std::make_shared<Waiter>();
  w->args = std::move(args);
  w->done = std::move(done);
  w->blocked = blocked;
  // A blocking Receive tries its receives on its own thread (see HandOff):
  // nothing to lend.
  if (blocked == nullptr) w->spare = SpareDeliveries();
  // Runs OnStop at once if a stop was already requested (it finds w not
  // parked, and Park then refuses it).
  if (w->args.stop.stop_possible()) w->on_stop.emplace(w->args.stop, Waiter::StopFn{this, w.get()});
  return w;
}

void ParkedReceivers::ReceiveAsync(ReceiveArgs args, ReceiveDone done) {
  CompletionScope::CheckMayComplete("ReceiveAsync");
  Batch batch;
  int surfaced = 0;
  ReceiveResult got = source_.TryReceive(args, &surfaced);
  if (Ends(got, args, clock_)) {
    batch.Add(std::move(done), std::move(got));
  } else {
    std::shared_ptr<Waiter> w = NewWaiter(std::move(args), std::move(done), /*blocked=*/nullptr);
    if (w->args.wait_deadline != absl::InfiniteFuture()) {
      // Scheduled before the waiter is shared; if it runs before the waiter
      // is parked it marks it expired, and Park refuses it.
      w->task = scheduler_.ScheduleAt(w->args.wait_deadline, [gate = gate_, self = this, w] {
        Batch batch;
        if (!gate->Enter()) return;
        self->OnWaitDeadline(w, batch);
        gate->Exit();
        batch.Run();
      });
    }
    surfaced += Settle(std::move(w), /*front=*/false, batch);
  }
  Serve(surfaced, batch);
  batch.Run();
}

std::shared_ptr<ParkedReceivers::Waiter>& ParkedReceivers::FinishedWaiter() {
  thread_local std::shared_ptr<Waiter> finished;
  return finished;
}

ReceiveResult ParkedReceivers::Receive(const ReceiveArgs& args) {
  int surfaced = 0;
  ReceiveResult got = source_.TryReceive(args, &surfaced);
  if (Ends(got, args, clock_)) {
    if (surfaced > 0) Wake(surfaced);  // No Batch otherwise: the common short poll.
    return got;
  }
  FinishedWaiter().reset();  // The last wait's, off the path of this one.
  Batch batch;
  // The same continuation as ReceiveAsync, completing into this frame. The
  // wait deadline is timed here, through the clock, not by a Scheduler task.
  Blocked outcome;
  const absl::Time deadline = args.wait_deadline;
  std::shared_ptr<Waiter> w = NewWaiter(args, ReceiveDone(), &outcome);
  surfaced += Settle(w, /*front=*/false, batch);
  Serve(surfaced, batch);
  batch.Run();
  for (;;) {
    while (!outcome.wakeup.HasBeenNotified()) {
      if (clock_.Now() < deadline) {
        clock_.Await(outcome.wakeup, deadline);
      } else if (std::shared_ptr<Waiter> mine = Claim(w.get())) {
        int more = 0;
        ReceiveResult last = source_.TryReceive(mine->args, &more);
        Finish(mine, std::move(last), batch);
        Serve(more, batch);
        batch.Run();
      } else {
        // Handed to this thread or finished by another (Close, a stop),
        // which notifies it at once: it cannot park again after its
        // deadline.
        clock_.Await(outcome.wakeup, absl::InfiniteFuture());
      }
    }
    if (!outcome.handed) break;  // Finished: the result is in `outcome`.
    // Handed over (HandOff): this thread owns `w` again and tries the
    // receive itself; the Wakeup is a new one for the next wait (the
    // notifier touches nothing of the old one but its address: at most a
    // spurious wake of the new one, which Await tolerates).
    outcome.handed = false;
    std::destroy_at(&outcome.wakeup);
    std::construct_at(&outcome.wakeup);
    int more = 0;
    ReceiveResult got = source_.TryReceive(w->args, &more);
    if (!got.ok() || !got->empty()) {
      Finish(w, std::move(got), batch);  // Into `outcome`, notified: no wait.
    } else {
      // Another receive was quicker: parks again at the front, or ends
      // (deadline, stop, Close) into `outcome`.
      more += Settle(w, /*front=*/true, batch);
    }
    Serve(more, batch);
    batch.Run();
  }
  // The wake-up ends when this returns: dropping the waiter (a contended
  // count, its args, a free) waits for this thread's next blocking Receive.
  std::shared_ptr<Waiter>& finished = FinishedWaiter();
  if (finished == nullptr) finished = std::move(w);
  return std::move(outcome.result);
}

void ParkedReceivers::Wake(int n) {
  Batch batch;
  Serve(n, batch);
  batch.Run();
}

void ParkedReceivers::Serve(int n, Batch& batch) {
  while (n > 0) {
    std::shared_ptr<Waiter> w;
    {
      PlainLock lock(&mu_);
      if (head_ == nullptr) return;
      w = Unlink(head_);
    }
    --n;
    if (w->blocked != nullptr) {
      HandOff(*w);
      continue;
    }
    // Becomes this thread's spare if it has none (else stays the waiter's).
    RecycleDeliveries(std::move(w->spare));
    ReceiveResult got = source_.TryReceive(w->args, &n);
    if (!got.ok() || !got->empty()) {
      Finish(w, std::move(got), batch);
    } else {
      n += Settle(std::move(w), /*front=*/true, batch);
    }
  }
}

int ParkedReceivers::Settle(std::shared_ptr<Waiter> w, bool front, Batch& batch) {
  int surfaced = 0;
  for (;;) {
    if (!Park(w, front)) {
      Finish(w, NoMessages(), batch);
      return surfaced;
    }
    // Registered: from here on a message published (or a deadline armed by
    // the engine) sees AnyParked(). Look once more for what came before.
    const absl::Time next = source_.NextDeadline();
    ArmAlarm(next);
    if (!source_.MayHaveMessages() && clock_.Now() < next) return surfaced;
    w = Claim(w.get());
    if (w == nullptr) return surfaced;       // Another thread serves it now.
    RecycleDeliveries(std::move(w->spare));  // As Serve does.
    ReceiveResult got = source_.TryReceive(w->args, &surfaced);
    if (!got.ok() || !got->empty()) {
      Finish(w, std::move(got), batch);
      return surfaced;
    }
    front = true;
  }
}

bool ParkedReceivers::Park(const std::shared_ptr<Waiter>& w, bool front) {
  const absl::Time now = clock_.Now();
  PlainLock lock(&mu_);
  if (closed_ || w->expired || now >= w->args.wait_deadline || w->args.stop.stop_requested()) {
    return false;
  }
  if (front) {
    w->next = head_;
    (head_ != nullptr ? head_->prev : tail_) = w.get();
    head_ = w.get();
  } else {
    w->prev = tail_;
    (tail_ != nullptr ? tail_->next : head_) = w.get();
    tail_ = w.get();
  }
  w->parked = true;
  w->self = w;
  num_parked_.fetch_add(1, std::memory_order_seq_cst);
  return true;
}

std::shared_ptr<ParkedReceivers::Waiter> ParkedReceivers::Claim(Waiter* w) {
  PlainLock lock(&mu_);
  if (!w->parked) return nullptr;
  return Unlink(w);
}

std::shared_ptr<ParkedReceivers::Waiter> ParkedReceivers::Unlink(Waiter* w) {
  (w->prev != nullptr ? w->prev->next : head_) = w->next;
  (w->next != nullptr ? w->next->prev : tail_) = w->prev;
  w->prev = w->next = nullptr;
  w->parked = false;
  num_parked_.fetch_sub(1, std::memory_order_seq_cst);
  return std::move(w->self);
}

void ParkedReceivers::HandOff(Waiter& w) {
  // The waiting thread owns `w` from the Notify on (it holds its own
  // reference); after Notify the frame may be gone: nothing touches it.
  Blocked& to = *w.blocked;
  to.handed = true;
  to.wakeup.Notify();
}

void ParkedReceivers::Finish(const std::shared_ptr<Waiter>& w, ReceiveResult result, Batch& batch) {
  // Waits for an OnStop running on another thread; it finds w not parked.
  w->on_stop.reset();
  if (w->task != 0) {
    scheduler_.Cancel(w->task);
    w->task = 0;
  }
  if (w->blocked != nullptr) {
    // Hands the result to the waiting thread and wakes it (the caller holds
    // no lock). After Notify the frame may be gone: nothing touches it.
    Blocked& to = *w->blocked;
    to.result = std::move(result);
    to.wakeup.Notify();
    return;
  }
  batch.Add(std::move(w->done), std::move(result));
}

void ParkedReceivers::ArmAlarm(absl::Time at) {
  if (at == absl::InfiniteFuture()) return;
  const int64_t at_ns = absl::ToUnixNanos(at);
  int64_t armed = alarm_ns_.load(std::memory_order_seq_cst);
  while (at_ns < armed) {
    if (alarm_ns_.compare_exchange_weak(armed, at_ns, std::memory_order_seq_cst)) {
      scheduler_.ScheduleAt(at, [gate = gate_, self = this, at_ns] {
        Batch batch;
        if (!gate->Enter()) return;
        self->OnAlarm(at_ns, batch);
        gate->Exit();
        batch.Run();
      });
      return;
    }
  }
}

void ParkedReceivers::OnAlarm(int64_t at_ns, Batch& batch) {
  // An earlier alarm armed meanwhile stays armed; a later one does not
  // exist (ArmAlarm only ever lowers alarm_ns_).
  alarm_ns_.compare_exchange_strong(at_ns, kNoAlarm, std::memory_order_seq_cst);
  Serve(source_.ApplyDueDeadlines(), batch);
  // A receive that parks from here on arms the alarm itself.
  if (AnyParked()) ArmAlarm(source_.NextDeadline());
}

void ParkedReceivers::OnWaitDeadline(const std::shared_ptr<Waiter>& w, Batch& batch) {
  std::shared_ptr<Waiter> mine;
  {
    PlainLock lock(&mu_);
    if (w->parked) {
      mine = Unlink(w.get());
    } else {
      w->expired = true;  // Its owner finds out when it tries to park it.
    }
  }
  if (mine == nullptr) return;
  mine->task = 0;  // This task: nothing to cancel.
  int surfaced = 0;
  ReceiveResult got = source_.TryReceive(mine->args, &surfaced);
  Finish(mine, std::move(got), batch);
  Serve(surfaced, batch);
}

void ParkedReceivers::OnStop(Waiter* w) {
  // `w` is alive: its stop callback (this call) is destroyed before it is.
  // The Gate keeps this object alive if the stop races with Shutdown (which
  // then finishes `w` itself).
  Batch batch;
  if (!gate_->Enter()) return;
  if (std::shared_ptr<Waiter> mine = Claim(w)) {
    Finish(mine, NoMessages(), batch);  // Destroys this callback: `w` is gone.
  }  // Else not parked: its owner sees the stop when it tries to park it.
  gate_->Exit();
  batch.Run();
}

void ParkedReceivers::Close() {
  std::vector<std::shared_ptr<Waiter>> all;
  {
    PlainLock lock(&mu_);
    closed_ = true;
    while (head_ != nullptr) all.push_back(Unlink(head_));
  }
  Batch batch;
  for (const std::shared_ptr<Waiter>& w : all) Finish(w, NoMessages(), batch);
  batch.Run();
}

void ParkedReceivers::Shutdown() {
  gate_->Close();
  Close();
}

}  // namespace wharf::queue_internal
