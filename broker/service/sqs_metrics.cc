// SqsServiceImpl::CollectMetrics: every queue's AWS/SQS metrics, with AWS's
// names, units and the QueueName dimension (Prometheus: the `queue` label).
//
// One datapoint per metric and minute, as SQS publishes them (see
// broker/metrics/sampler.h). Counters and gauges have one for every minute,
// zero included, while the queue is active; SentMessageSize only for minutes
// with sends; ApproximateAgeOfOldestMessage only while the queue holds a
// message. SQS considers a queue active while it holds messages and for six
// hours after an action accessed it, and publishes nothing for it after that
// (the SQS Developer Guide, "Monitoring Amazon SQS queues using CloudWatch"):
// an alarm on an idle queue then sees missing data. wharf counts as accesses
// what its counters see (sends, receives, empty receives, deletes) and the
// queue's creation, not reads of its attributes, which it does not count.
// NumberOfMessagesSent counts sends and SNS/EventBridge deliveries, not
// dead-letter moves; NumberOfDeduplicatedSentMessages (FIFO) the sends that
// deduplication dropped.

#include <algorithm>
#include <atomic>
#include <limits>

#include "broker/service/sqs_service_impl.h"

namespace wharf::service_internal {
namespace {

using metrics_internal::Emit;
using metrics_internal::MetricDef;
using metrics_internal::MetricKind;

constexpr std::string_view kNs = "AWS/SQS";

constexpr MetricDef kSent{kNs,
                          "NumberOfMessagesSent",
                          "Count",
                          MetricKind::kCounter,
                          Emit::kAlways,
                          "wharf_sqs_messages_sent_total",
                          "Messages added to the queue (sends, SNS and EventBridge deliveries)."};
constexpr MetricDef kReceived{kNs,
                              "NumberOfMessagesReceived",
                              "Count",
                              MetricKind::kCounter,
                              Emit::kAlways,
                              "wharf_sqs_messages_received_total",
                              "Messages returned by ReceiveMessage."};
constexpr MetricDef kDeleted{kNs,
                             "NumberOfMessagesDeleted",
                             "Count",
                             MetricKind::kCounter,
                             Emit::kAlways,
                             "wharf_sqs_messages_deleted_total",
                             "Messages deleted from the queue."};
constexpr MetricDef kEmptyReceives{kNs,
                                   "NumberOfEmptyReceives",
                                   "Count",
                                   MetricKind::kCounter,
                                   Emit::kAlways,
                                   "wharf_sqs_empty_receives_total",
                                   "ReceiveMessage calls that returned no message."};
constexpr MetricDef kDeduplicated{kNs,
                                  "NumberOfDeduplicatedSentMessages",
                                  "Count",
                                  MetricKind::kCounter,
                                  Emit::kAlways,
                                  "wharf_sqs_deduplicated_sent_messages_total",
                                  "Messages sent to a FIFO queue that were deduplicated."};
constexpr MetricDef kVisible{kNs,
                             "ApproximateNumberOfMessagesVisible",
                             "Count",
                             MetricKind::kGauge,
                             Emit::kAlways,
                             "wharf_sqs_messages_visible",
                             "Messages available for retrieval."};
constexpr MetricDef kNotVisible{kNs,
                                "ApproximateNumberOfMessagesNotVisible",
                                "Count",
                                MetricKind::kGauge,
                                Emit::kAlways,
                                "wharf_sqs_messages_not_visible",
                                "Messages in flight (received, not yet deleted)."};
constexpr MetricDef kDelayed{kNs,
                             "ApproximateNumberOfMessagesDelayed",
                             "Count",
                             MetricKind::kGauge,
                             Emit::kAlways,
                             "wharf_sqs_messages_delayed",
                             "Messages delayed, not yet available."};
constexpr MetricDef kOldestAge{kNs,
                               "ApproximateAgeOfOldestMessage",
                               "Seconds",
                               MetricKind::kGauge,
                               Emit::kAlways,
                               "wharf_sqs_oldest_message_age_seconds",
                               "Age of the oldest message in the queue."};
constexpr MetricDef kSentSize{kNs,
                              "SentMessageSize",
                              "Bytes",
                              MetricKind::kSize,
                              Emit::kWhenNonZero,
                              "wharf_sqs_sent_message_size_bytes",
                              "Sizes of messages added to the queue (body and attributes)."};

// How long SQS keeps publishing an idle queue's metrics.
constexpr absl::Duration kActiveAfterAccess = absl::Hours(6);

// When `stats`' queue stops being active, seen at `now` with `activity` (the
// sum of its counts) and `holds_messages`.
absl::Time ActiveUntil(QueueStats& stats, absl::Time created, absl::Time now, uint64_t activity,
                       bool holds_messages) {
  const int64_t now_ns = absl::ToUnixNanos(now);
  if (stats.activity.exchange(activity, std::memory_order_relaxed) != activity || holds_messages) {
    // Only forward (the Prometheus text may collect at the same time).
    int64_t seen = stats.active_ns.load(std::memory_order_relaxed);
    while (seen < now_ns &&
           !stats.active_ns.compare_exchange_weak(seen, now_ns, std::memory_order_relaxed)) {
    }
  }
  // While it holds messages it stays active, however far the clock jumps.
  if (holds_messages) return absl::InfiniteFuture();
  const int64_t active_ns = stats.active_ns.load(std::memory_order_relaxed);
  const absl::Time active =
      active_ns == std::numeric_limits<int64_t>::min() ? created : absl::FromUnixNanos(active_ns);
  return active + kActiveAfterAccess;
}

}  // namespace

void SqsServiceImpl::CollectMetrics(metrics_internal::Collector& out) {
  const absl::Time now = clock_.Now();
  for (const std::shared_ptr<QueueImpl>& queue : AllQueues()) {
    QueueStats* stats = queue->stats();
    if (stats == nullptr || queue->deleted()) continue;
    const metrics_internal::Dimension dims[] = {{"QueueName", queue->name()}};
    const metrics_internal::Label labels[] = {{"queue", queue->name()}};
    const uint64_t sent = stats->sent.Count();
    const uint64_t received = stats->counters.Read(QueueStats::kReceived);
    const uint64_t deleted = stats->counters.Read(QueueStats::kDeleted);
    const uint64_t empty_receives = stats->counters.Read(QueueStats::kEmptyReceives);
    const uint64_t deduplicated = stats->counters.Read(QueueStats::kDeduplicated);
    const queue_internal::Counts counts = queue->core().GetCounts();
    const uint64_t activity = sent + received + deleted + empty_receives + deduplicated;
    const bool holds_messages = counts.visible + counts.in_flight + counts.delayed > 0;
    const metrics_internal::Object o{
        stats->id, dims, labels,
        ActiveUntil(*stats, queue->created(), now, activity, holds_messages)};
    out.Counter(kSent, o, sent);
    out.Counter(kReceived, o, received);
    out.Counter(kDeleted, o, deleted);
    out.Counter(kEmptyReceives, o, empty_receives);
    if (queue->fifo()) out.Counter(kDeduplicated, o, deduplicated);
    out.Size(kSentSize, o, stats->sent);
    out.Gauge(kVisible, o, static_cast<double>(counts.visible));
    out.Gauge(kNotVisible, o, static_cast<double>(counts.in_flight));
    out.Gauge(kDelayed, o, static_cast<double>(counts.delayed));
    if (holds_messages) {
      const absl::Time oldest = queue->core().OldestMessageTime();
      if (oldest < absl::InfiniteFuture()) {
        out.Gauge(kOldestAge, o,
                  static_cast<double>(std::max<int64_t>(0, absl::ToInt64Seconds(now - oldest))));
      }
    }
  }
}

}  // namespace wharf::service_internal
