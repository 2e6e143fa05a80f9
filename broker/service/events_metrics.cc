// EventsService::CollectMetrics: the AWS/Events metrics of every rule, with
// AWS's names and units. As on AWS, a rule of the default bus has the
// RuleName dimension only and a rule of a custom bus EventBusName and
// RuleName; the same metrics with no dimension count for the whole broker
// (Prometheus shows the per-rule series, labels `bus` and `rule`). A datapoint
// exists only for minutes with activity. What each counter counts is in
// broker/bus/rule_stats.h.

#include <string>

#include "broker/service/events_checks.h"
#include "broker/service/events_service.h"

namespace wharf::service_internal {
namespace {

using bus_internal::RuleStats;
using metrics_internal::Emit;
using metrics_internal::MetricDef;
using metrics_internal::MetricKind;

constexpr std::string_view kNs = "AWS/Events";

struct CounterDef {
  RuleStats::Counter counter;
  MetricDef per_rule;
  MetricDef total;  // The same, without a dimension; not exported to Prometheus.
};

constexpr CounterDef Def(RuleStats::Counter counter, std::string_view name,
                         std::string_view prometheus_name, std::string_view help) {
  return {counter,
          {kNs, name, "Count", MetricKind::kCounter, Emit::kWhenNonZero, prometheus_name, help},
          {kNs, name, "Count", MetricKind::kCounter, Emit::kWhenNonZero, "", help}};
}

constexpr CounterDef kCounters[] = {
    Def(RuleStats::kMatchedEvents, "MatchedEvents", "wharf_events_matched_events_total",
        "Events the rule's pattern matched."),
    Def(RuleStats::kTriggeredRules, "TriggeredRules", "wharf_events_triggered_rules_total",
        "Runs of the rule (matches and scheduled firings)."),
    Def(RuleStats::kInvocationAttempts, "InvocationAttempts",
        "wharf_events_invocation_attempts_total",
        "Attempts to deliver to the rule's targets, retries included."),
    Def(RuleStats::kSuccessfulInvocationAttempts, "SuccessfulInvocationAttempts",
        "wharf_events_successful_invocation_attempts_total",
        "Attempts to deliver to the rule's targets that succeeded."),
    Def(RuleStats::kRetryInvocationAttempts, "RetryInvocationAttempts",
        "wharf_events_retry_invocation_attempts_total",
        "Attempts to deliver to the rule's targets that were retries."),
    Def(RuleStats::kInvocations, "Invocations", "wharf_events_invocations_total",
        "Deliveries to the rule's targets that ended (delivered or failed for good)."),
    Def(RuleStats::kFailedInvocations, "FailedInvocations", "wharf_events_failed_invocations_total",
        "Deliveries that failed for good."),
    Def(RuleStats::kInvocationsSentToDlq, "InvocationsSentToDlq",
        "wharf_events_invocations_sent_to_dlq_total",
        "Failed deliveries moved to the target's dead-letter queue."),
    Def(RuleStats::kInvocationsFailedToBeSentToDlq, "InvocationsFailedToBeSentToDlq",
        "wharf_events_invocations_failed_to_be_sent_to_dlq_total",
        "Failed deliveries the target's dead-letter queue refused."),
    Def(RuleStats::kDeadLetterInvocations, "DeadLetterInvocations",
        "wharf_events_dead_letter_invocations_total",
        "Targets not invoked because the event would loop between buses."),
};

constexpr MetricDef kPutEventsRequestSize{kNs,
                                          "PutEventsRequestSize",
                                          "Bytes",
                                          MetricKind::kSize,
                                          Emit::kWhenNonZero,
                                          "wharf_events_put_events_request_size_bytes",
                                          "Sizes of accepted PutEvents requests (their entries)."};

}  // namespace

void EventsService::CollectMetrics(metrics_internal::Collector& out) {
  const RuleStats* totals = core_->dispatcher().totals();
  if (totals == nullptr) return;
  for (const auto& ref : core_->table().AllRuleStats()) {
    const metrics_internal::Dimension dims[] = {{"RuleName", ref.rule}, {"EventBusName", ref.bus}};
    const metrics_internal::Label labels[] = {{"bus", ref.bus}, {"rule", ref.rule}};
    const size_t num_dims = ref.bus == events_checks::kDefaultBus ? 1 : 2;
    const metrics_internal::Object o{ref.stats->id, {dims, num_dims}, labels};
    for (const CounterDef& c : kCounters) out.Counter(c.per_rule, o, ref.stats->Read(c.counter));
  }
  const metrics_internal::Object broker{stats_id_, {}, {}};
  for (const CounterDef& c : kCounters) out.Counter(c.total, broker, totals->Read(c.counter));
  out.Size(kPutEventsRequestSize, broker, put_events_size_);
}

}  // namespace wharf::service_internal
