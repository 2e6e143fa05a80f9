// CompletionScope (see completion_scope.h).

#include "broker/base/completion_scope.h"

#include <utility>

#include "broker/base/mutex.h"

namespace wharf {
namespace {

// The outermost scope open on this thread, if any.
thread_local CompletionScope* open_scope = nullptr;

}  // namespace

CompletionScope::CompletionScope() {
  if (open_scope == nullptr) {
    open_scope = this;
    outermost_ = true;
  }
}

CompletionScope::~CompletionScope() {
  if (!outermost_) return;
  open_scope = nullptr;
  // Completions run with no scope open; this one takes no more.
  std::vector<absl::AnyInvocable<void()&&>> queued = std::move(queued_);
  if (!queued.empty()) base_internal::CheckNoLocksHeld("a completion");
  for (absl::AnyInvocable<void() &&>& completion : queued) std::move(completion)();
}

bool CompletionScope::Open() { return open_scope != nullptr; }

void CompletionScope::Run(absl::AnyInvocable<void() &&> completion) {
  if (open_scope != nullptr) {
    open_scope->queued_.push_back(std::move(completion));
    return;
  }
  base_internal::CheckNoLocksHeld("a completion");
  std::move(completion)();
}

}  // namespace wharf
