// SqsServiceImpl::CollectMetrics: every queue's AWS/SQS metrics, with AWS's
// names, units and the QueueName dimension (Prometheus: the `queue` label).
//
// One datapoint per metric and minute, as SQS publishes them (see
// broker/metrics/sampler.h). Counters have one for every minute, zero
// included, as SQS reports active queues (wharf: while the queue exists; AWS
// stops about six hours after the last API call); SentMessageSize only for
// minutes with sends; ApproximateAgeOfOldestMessage only while the queue
// holds a message.
// NumberOfMessagesSent counts sends and SNS/EventBridge deliveries, not
// dead-letter moves; NumberOfDeduplicatedSentMessages (FIFO) the sends that
// deduplication dropped.

#include <algorithm>

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

}  // namespace

void SqsServiceImpl::CollectMetrics(metrics_internal::Collector& out) {
  const absl::Time now = clock_.Now();
  for (const std::shared_ptr<QueueImpl>& queue : AllQueues()) {
    QueueStats* stats = queue->stats();
    if (stats == nullptr || queue->deleted()) continue;
    const metrics_internal::Dimension dims[] = {{"QueueName", queue->name()}};
    const metrics_internal::Label labels[] = {{"queue", queue->name()}};
    const metrics_internal::Object o{stats->id, dims, labels};
    out.Counter(kSent, o, stats->sent.Count());
    out.Counter(kReceived, o, stats->counters.Read(QueueStats::kReceived));
    out.Counter(kDeleted, o, stats->counters.Read(QueueStats::kDeleted));
    out.Counter(kEmptyReceives, o, stats->counters.Read(QueueStats::kEmptyReceives));
    if (queue->fifo()) {
      out.Counter(kDeduplicated, o, stats->counters.Read(QueueStats::kDeduplicated));
    }
    out.Size(kSentSize, o, stats->sent);
    const queue_internal::Counts counts = queue->core().GetCounts();
    out.Gauge(kVisible, o, static_cast<double>(counts.visible));
    out.Gauge(kNotVisible, o, static_cast<double>(counts.in_flight));
    out.Gauge(kDelayed, o, static_cast<double>(counts.delayed));
    if (counts.visible + counts.in_flight + counts.delayed > 0) {
      const absl::Time oldest = queue->core().OldestMessageTime();
      if (oldest < absl::InfiniteFuture()) {
        out.Gauge(kOldestAge, o,
                  static_cast<double>(std::max<int64_t>(0, absl::ToInt64Seconds(now - oldest))));
      }
    }
  }
}

}  // namespace wharf::service_internal
