// A topic's traffic counters (SNS's AWS/SNS metrics), kept by TopicRegistry
// on its publish and delivery paths when Options::metrics is on, and read by
// the SNS service's CollectMetrics.
//
// What counts (AWS's definitions, per topic):
//   kPublished          every accepted Publish / PublishBatch entry (FIFO
//                       duplicates included: the call succeeds)
//   kDelivered          an SQS delivery that the queue took; a function call
//                       that returned OK (after retries too)
//   kFailed             a delivery SNS stopped attempting (the queue refused
//                       it; a function failed its last retry)
//   kFilteredOut*       per subscription whose filter policy rejected the
//                       message; -NoMessageAttributes when an attribute-scope
//                       policy met a message without attributes,
//                       -MessageAttributes when it met one with attributes,
//                       -InvalidMessageBody when a body-scope policy met a
//                       body that is not JSON, -MessageBody when it met JSON
//                       (AWS does not say whether its per-scope counts take
//                       in the no-attributes and invalid-body ones; wharf's
//                       are apart, and together make kFilteredOut)
//   kRedrivenToDlq      a failed delivery moved to the subscription's DLQ
//   kFailedToRedriveToDlq  one whose DLQ refused it
//
// Thread safety: thread-safe (relaxed atomics, see broker/metrics/stats.h).

#ifndef WHARF_BROKER_TOPIC_TOPIC_STATS_H_
#define WHARF_BROKER_TOPIC_TOPIC_STATS_H_

#include <cstdint>

#include "broker/metrics/stats.h"

namespace wharf::topic_internal {

struct TopicStats {
  enum Counter {
    kPublished,
    kDelivered,
    kFailed,
    kFilteredOut,
    kFilteredOutNoMessageAttributes,
    kFilteredOutInvalidMessageBody,
    kRedrivenToDlq,
    kFailedToRedriveToDlq,
    kFilteredOutMessageAttributes,
    kFilteredOutMessageBody,
    kNumCounters,
  };

  void Add(Counter c, uint64_t n = 1) { counters.Add(c, n); }
  uint64_t Read(Counter c) const { return counters.Read(c); }

  const uint64_t id = metrics_internal::NewObjectId();
  metrics_internal::CounterSet<kNumCounters> counters;
  metrics_internal::SizeStat publish_size;  // Message plus attributes, in bytes.
};

}  // namespace wharf::topic_internal

#endif  // WHARF_BROKER_TOPIC_TOPIC_STATS_H_
