// File: broker/base/completion_scope.h
//
// CompletionScope keeps completions (user code: a ReceiveMessageAsync
// callback, the HTTP reply to a long poll) from running while their thread
// holds a lock. Code that holds a lock across a call that may complete
// parked receives (a queue engine's Send, ChangeVisibility, Delete,
// TakeForMove, GetCounts, ...) opens a scope before taking the lock:
//
//   CompletionScope completions;  // Declared first: ends after the lock.
//   MutexLock lock(&mu_);
//   core.Send(args);              // Completions it causes are queued...
//   // ... and run by ~CompletionScope, once ~MutexLock has run.
//
// Scopes nest: the outermost one open on the thread runs, in order, what
// every scope queued. It runs them with no scope open, so what they cause
// runs inline (or in the scopes they open themselves).
//
// CompletionScope::Run is how the code that completes a receive hands the
// completion over: queued to the open scope if any, else run at once. In
// checked builds (WHARF_LOCK_CHECKS, see mutex.h) running a completion while
// the thread holds a wharf::Mutex aborts, naming the path to fix.
//
// Thread safety: a scope belongs to the thread that opened it; open and
// close it on the same thread, innermost first (as a local variable).

#ifndef WHARF_BROKER_BASE_COMPLETION_SCOPE_H_
#define WHARF_BROKER_BASE_COMPLETION_SCOPE_H_

#include <vector>

#include "absl/functional/any_invocable.h"
#include "broker/base/mutex.h"

namespace wharf {

class CompletionScope {
 public:
  CompletionScope();
  // The outermost scope runs what was queued.
  ~CompletionScope();
  CompletionScope(const CompletionScope&) = delete;
  CompletionScope& operator=(const CompletionScope&) = delete;

  // Whether a scope is open on this thread (Run would queue).
  static bool Open();
  // Queues `completion` to the open scope, or runs it now if none is open.
  static void Run(absl::AnyInvocable<void() &&> completion);

  // Checked builds: aborts if this thread holds a lock and no scope is open,
  // i.e. if a completion could run under the lock here. Called where a
  // completion may be caused (a queue engine's wake-ups, ReceiveAsync), so
  // that tests find such paths whether or not a receive is parked there.
  static void CheckMayComplete(const char* where) {
#ifdef WHARF_LOCK_CHECKS
    if (!Open()) base_internal::CheckNoLocksHeld(where);
#else
    (void)where;
#endif
  }

 private:
  bool outermost_ = false;
  std::vector<absl::AnyInvocable<void() &&>> queued_;  // Outermost scope only.
};

}  // namespace wharf

#endif  // WHARF_BROKER_BASE_COMPLETION_SCOPE_H_
