// SnsService::CollectMetrics: every topic's AWS/SNS metrics, with AWS's
// names, units and the TopicName dimension (Prometheus: the `topic` label).
// What each counter counts is in broker/topic/topic_stats.h. As on AWS, a
// datapoint exists only for minutes with activity.
//
// NumberOfNotificationsFilteredOut-InvalidAttributes is not reported: Publish
// refuses messages whose attributes are invalid, so none reaches a filter.

#include <string>

#include "broker/service/sns_service.h"

namespace wharf::service_internal {
namespace {

using metrics_internal::Emit;
using metrics_internal::MetricDef;
using metrics_internal::MetricKind;
using topic_internal::TopicStats;

constexpr std::string_view kNs = "AWS/SNS";

struct CounterDef {
  TopicStats::Counter counter;
  MetricDef def;
};

constexpr CounterDef kCounters[] = {
    {TopicStats::kPublished,
     {kNs, "NumberOfMessagesPublished", "Count", MetricKind::kCounter, Emit::kWhenNonZero,
      "wharf_sns_messages_published_total", "Messages published to the topic."}},
    {TopicStats::kDelivered,
     {kNs, "NumberOfNotificationsDelivered", "Count", MetricKind::kCounter, Emit::kWhenNonZero,
      "wharf_sns_notifications_delivered_total",
      "Messages delivered to subscriptions (queues that took them, functions that succeeded)."}},
    {TopicStats::kFailed,
     {kNs, "NumberOfNotificationsFailed", "Count", MetricKind::kCounter, Emit::kWhenNonZero,
      "wharf_sns_notifications_failed_total",
      "Deliveries SNS stopped attempting (after the function's retries)."}},
    {TopicStats::kFilteredOut,
     {kNs, "NumberOfNotificationsFilteredOut", "Count", MetricKind::kCounter, Emit::kWhenNonZero,
      "wharf_sns_notifications_filtered_out_total",
      "Deliveries a subscription's filter policy rejected."}},
    {TopicStats::kFilteredOutMessageAttributes,
     {kNs, "NumberOfNotificationsFilteredOut-MessageAttributes", "Count", MetricKind::kCounter,
      Emit::kWhenNonZero, "wharf_sns_notifications_filtered_out_message_attributes_total",
      "Deliveries an attribute-scope filter policy rejected (the message had attributes)."}},
    {TopicStats::kFilteredOutMessageBody,
     {kNs, "NumberOfNotificationsFilteredOut-MessageBody", "Count", MetricKind::kCounter,
      Emit::kWhenNonZero, "wharf_sns_notifications_filtered_out_message_body_total",
      "Deliveries a body-scope filter policy rejected (the body was JSON)."}},
    {TopicStats::kFilteredOutNoMessageAttributes,
     {kNs, "NumberOfNotificationsFilteredOut-NoMessageAttributes", "Count", MetricKind::kCounter,
      Emit::kWhenNonZero, "wharf_sns_notifications_filtered_out_no_message_attributes_total",
      "Deliveries an attribute-scope filter policy rejected because the message had no "
      "attributes."}},
    {TopicStats::kFilteredOutInvalidMessageBody,
     {kNs, "NumberOfNotificationsFilteredOut-InvalidMessageBody", "Count", MetricKind::kCounter,
      Emit::kWhenNonZero, "wharf_sns_notifications_filtered_out_invalid_message_body_total",
      "Deliveries a body-scope filter policy rejected because the body was not JSON."}},
    {TopicStats::kRedrivenToDlq,
     {kNs, "NumberOfNotificationsRedrivenToDlq", "Count", MetricKind::kCounter, Emit::kWhenNonZero,
      "wharf_sns_notifications_redriven_to_dlq_total",
      "Failed deliveries moved to the subscription's dead-letter queue."}},
    {TopicStats::kFailedToRedriveToDlq,
     {kNs, "NumberOfNotificationsFailedToRedriveToDlq", "Count", MetricKind::kCounter,
      Emit::kWhenNonZero, "wharf_sns_notifications_failed_to_redrive_to_dlq_total",
      "Failed deliveries the subscription's dead-letter queue refused."}},
};

constexpr MetricDef kPublishSize{kNs,
                                 "PublishSize",
                                 "Bytes",
                                 MetricKind::kSize,
                                 Emit::kWhenNonZero,
                                 "wharf_sns_publish_size_bytes",
                                 "Sizes of messages published (message and attributes)."};

}  // namespace

void SnsService::CollectMetrics(metrics_internal::Collector& out) {
  for (const auto& [arn, stats] : registry_->AllTopicStats()) {
    const std::string_view name = std::string_view(arn).substr(arn.rfind(':') + 1);
    const metrics_internal::Dimension dims[] = {{"TopicName", name}};
    const metrics_internal::Label labels[] = {{"topic", name}};
    const metrics_internal::Object o{stats->id, dims, labels};
    for (const CounterDef& c : kCounters) out.Counter(c.def, o, stats->Read(c.counter));
    out.Size(kPublishSize, o, stats->publish_size);
  }
}

}  // namespace wharf::service_internal
