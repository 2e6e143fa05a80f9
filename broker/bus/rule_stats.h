// A rule's delivery counters (EventBridge's AWS/Events metrics), kept by the
// Dispatcher when metrics are on and read by the events service's
// CollectMetrics. One RuleStats lives as long as the rule: every RuleEntry of
// it (entries are replaced on each change) shares it.
//
// What counts (AWS's definitions, per rule):
//   kMatchedEvents      an event the rule's pattern matched
//   kTriggeredRules     a run of the rule: a match, or a scheduled firing
//   kInvocationAttempts every attempt to deliver to a target, retries included
//   kSuccessfulInvocationAttempts an attempt the target took
//   kRetryInvocationAttempts an attempt that was a retry (not the first)
//   kInvocations        a delivery that ended: delivered, or failed for good
//                       (retries are not counted until they end)
//   kFailedInvocations  a delivery that failed for good
//   kInvocationsSentToDlq / kInvocationsFailedToBeSentToDlq
//                       a failed delivery the target's dead-letter queue took
//                       / refused
//   kDeadLetterInvocations a target not invoked because the event would loop
//                       (it crossed too many buses); not in kInvocations
// The same counters without a rule (Dispatcher::totals) count for the whole
// broker; there kMatchedEvents counts events that matched any rule.
//
// Thread safety: thread-safe (relaxed atomics, see broker/metrics/stats.h).

#ifndef WHARF_BROKER_BUS_RULE_STATS_H_
#define WHARF_BROKER_BUS_RULE_STATS_H_

#include <cstdint>

#include "broker/metrics/stats.h"

namespace wharf::bus_internal {

struct RuleStats {
  enum Counter {
    kMatchedEvents,
    kTriggeredRules,
    kInvocationAttempts,
    kInvocations,
    kFailedInvocations,
    kInvocationsSentToDlq,
    kInvocationsFailedToBeSentToDlq,
    kDeadLetterInvocations,
    kSuccessfulInvocationAttempts,
    kRetryInvocationAttempts,
    kNumCounters,
  };

  void Add(Counter c, uint64_t n = 1) { counters.Add(c, n); }
  uint64_t Read(Counter c) const { return counters.Read(c); }

  const uint64_t id = metrics_internal::NewObjectId();
  metrics_internal::CounterSet<kNumCounters> counters;
};

}  // namespace wharf::bus_internal

#endif  // WHARF_BROKER_BUS_RULE_STATS_H_
