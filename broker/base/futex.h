// File: broker/base/futex.h
//
// The two Linux futex calls under wharf's own waiting primitives (Wakeup in
// clock.cc, the queue engine's PlainMutex). Private futexes: the word lives
// in this process.
//
// Thread safety: both are system calls on a word other threads change.

#ifndef WHARF_BROKER_BASE_FUTEX_H_
#define WHARF_BROKER_BASE_FUTEX_H_

#include <atomic>
#include <cstdint>

#include "absl/time/time.h"

namespace wharf::base_internal {

// Sleeps while *word == expected, until woken or (if not InfiniteFuture)
// `deadline` on CLOCK_REALTIME; may return early (signals, spurious wakes).
// The kernel compares the word and queues the sleeper atomically with
// respect to FutexWake, so a change made before a wake is never missed.
void FutexWait(std::atomic<uint32_t>& word, uint32_t expected,
               absl::Time deadline = absl::InfiniteFuture());

// Wakes one sleeper. Passes only the word's address to the kernel, which
// uses it as a key and never reads it: the word may already be gone (a
// waiter that saw the change returned and freed it), and a wake that reaches
// another futex at a reused address is a spurious wake, which every futex
// user tolerates.
void FutexWake(std::atomic<uint32_t>* word);

}  // namespace wharf::base_internal

#endif  // WHARF_BROKER_BASE_FUTEX_H_
