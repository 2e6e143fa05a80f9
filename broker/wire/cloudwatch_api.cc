// The CloudWatch operation table (API 2010-08-01), served over the three
// protocols its SDKs speak to it: the query protocol of older ones (Debian's
// boto3 and AWS CLI: lists as "<Member>.member.N", answered in XML with
// <member> elements, ExtendedStatistics as <entry><key>/<value>); AWS JSON
// 1.0 of current botocore (since 1.42.7) and the JavaScript SDK v3
// ("X-Amz-Target: GraniteServiceVersion20100801.<Op>"); and Smithy RPC v2
// CBOR, which the SDKs for C++, Go and Java prefer
// ("/service/GraniteServiceVersion20100801/operation/<Op>"). The last two
// are query-compatible: errors carry their query code in x-amzn-query-error.
//
// Required members are not checked here: the service reports each missing one
// as CloudWatch does ("MissingParameter: The parameter X is required.").

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "broker/wire/apis.h"
#include "broker/wire/operation_table.h"

namespace wharf::wire {
namespace {

constexpr ServiceModel kCloudWatchModel = {
    .signing_name = "monitoring",
    .xml_namespace = "http://monitoring.amazonaws.com/doc/2010-08-01/",
    .json_target_prefix = "GraniteServiceVersion20100801",
    .json_content_type = "application/x-amz-json-1.0",
    // As AWS names the model's errors (LocalStack
    // test_exception_serializing_with_no_shape_in_spec, AWS-validated).
    .json_type_prefix = "com.amazonaws.cloudwatch.v2010_08_01#",
    .query_compatible = true,
    .query_status_needs_query_mode = true,
    .missing = ErrorCode::kCloudWatchMissingParameter,
    .invalid_value = ErrorCode::kCloudWatchInvalidParameterValue,
};

using S = cloudwatch::Service;

// ---- Shared members ---------------------------------------------------------

bool Dimensions(Input& in, std::vector<cloudwatch::Dimension>* out) {
  return in.List("Dimensions", [&](Input& element) {
    cloudwatch::Dimension& d = out->emplace_back();
    return element.Str("Name", &d.name) && element.Str("Value", &d.value);
  });
}

void EncodeDimensions(Output& out, const std::vector<cloudwatch::Dimension>& dims) {
  out.List("Dimensions", dims, [&](const cloudwatch::Dimension& d) {
    out.Str("Name", d.name);
    out.Str("Value", d.value);
  });
}

// A timestamp member the service requires: absent stays InfinitePast.
bool Time(Input& in, Name name, absl::Time* out) {
  std::optional<absl::Time> t;
  if (!in.Time(name, &t)) return false;
  if (t.has_value()) *out = *t;
  return true;
}

bool Period(Input& in, int* out) {
  std::optional<int> p;
  if (!in.Int("Period", &p)) return false;
  *out = p.value_or(0);
  return true;
}

bool Metric(Input& in, cloudwatch::Metric* m) {
  return in.Str("Namespace", &m->metric_namespace) && in.Str("MetricName", &m->metric_name) &&
         Dimensions(in, &m->dimensions);
}

bool MetricDataQueries(Input& in, Name name, std::vector<cloudwatch::MetricDataQuery>* out) {
  return in.List(name, [&](Input& element) {
    cloudwatch::MetricDataQuery& q = out->emplace_back();
    cloudwatch::MetricStat stat;
    bool has_stat = false;
    bool return_data = true;  // The default.
    if (!element.Str("Id", &q.id) || !element.Str("Expression", &q.expression) ||
        !element.Str("Label", &q.label) || !element.Int("Period", &q.period) ||
        !element.Str("AccountId", &q.account_id) || !element.Bool("ReturnData", &return_data)) {
      return false;
    }
    q.return_data = return_data;
    // A structure has no presence of its own in a form: it is there when one
    // of its members is.
    if (!element.Struct("MetricStat", [&](Input& ms) {
          std::optional<int> period;
          if (!ms.Struct("Metric", [&](Input& m) { return Metric(m, &stat.metric); }) ||
              !ms.Int("Period", &period) || !ms.Str("Stat", &stat.stat) ||
              !ms.Str("Unit", &stat.unit)) {
            return false;
          }
          stat.period = period.value_or(0);
          has_stat = period.has_value() || !stat.stat.empty() || !stat.metric.metric_name.empty() ||
                     !stat.metric.metric_namespace.empty();
          return true;
        })) {
      return false;
    }
    if (has_stat) q.metric_stat = std::move(stat);
    return true;
  });
}

// ---- Metrics ----------------------------------------------------------------

bool DecodeGetMetricStatistics(Input& in, cloudwatch::GetMetricStatisticsRequest& r) {
  return in.Str("Namespace", &r.metric_namespace) && in.Str("MetricName", &r.metric_name) &&
         Dimensions(in, &r.dimensions) && Time(in, "StartTime", &r.start_time) &&
         Time(in, "EndTime", &r.end_time) && Period(in, &r.period) &&
         in.StrList("Statistics", &r.statistics) &&
         in.StrList("ExtendedStatistics", &r.extended_statistics) && in.Str("Unit", &r.unit);
}

void EncodeGetMetricStatistics(Output& out, const cloudwatch::GetMetricStatisticsResult& r) {
  out.Str("Label", r.label);
  out.List("Datapoints", r.datapoints, [&](const cloudwatch::Datapoint& d) {
    out.Time("Timestamp", d.timestamp);
    if (d.sample_count) out.Double("SampleCount", *d.sample_count);
    if (d.average) out.Double("Average", *d.average);
    if (d.sum) out.Double("Sum", *d.sum);
    if (d.minimum) out.Double("Minimum", *d.minimum);
    if (d.maximum) out.Double("Maximum", *d.maximum);
    out.StrIfSet("Unit", d.unit);
    if (!d.extended_statistics.empty()) {
      out.DoubleMap("ExtendedStatistics", {}, d.extended_statistics);
    }
  });
}

bool DecodeGetMetricData(Input& in, cloudwatch::GetMetricDataRequest& r) {
  return MetricDataQueries(in, "MetricDataQueries", &r.metric_data_queries) &&
         Time(in, "StartTime", &r.start_time) && Time(in, "EndTime", &r.end_time) &&
         in.Str("NextToken", &r.next_token) && in.Str("ScanBy", &r.scan_by) &&
         in.Int("MaxDatapoints", &r.max_datapoints);
}

void EncodeMessages(Output& out, const std::vector<cloudwatch::MessageData>& messages) {
  out.List("Messages", messages, [&](const cloudwatch::MessageData& m) {
    out.Str("Code", m.code);
    out.Str("Value", m.value);
  });
}

void EncodeGetMetricData(Output& out, const cloudwatch::GetMetricDataResult& r) {
  out.List("MetricDataResults", r.metric_data_results, [&](const cloudwatch::MetricDataResult& m) {
    out.Str("Id", m.id);
    out.Str("Label", m.label);
    out.TimeList("Timestamps", m.timestamps);
    out.DoubleList("Values", m.values);
    out.Str("StatusCode", m.status_code);
    EncodeMessages(out, m.messages);
  });
  out.StrIfSet("NextToken", r.next_token);
  EncodeMessages(out, r.messages);
}

bool DecodeListMetrics(Input& in, cloudwatch::ListMetricsRequest& r) {
  return in.Str("Namespace", &r.metric_namespace) && in.Str("MetricName", &r.metric_name) &&
         in.List("Dimensions",
                 [&](Input& element) {
                   cloudwatch::DimensionFilter& f = r.dimensions.emplace_back();
                   return element.Str("Name", &f.name) && element.Str("Value", &f.value);
                 }) &&
         in.Str("NextToken", &r.next_token) && in.Str("RecentlyActive", &r.recently_active);
}

void EncodeListMetrics(Output& out, const cloudwatch::ListMetricsResult& r) {
  out.List("Metrics", r.metrics, [&](const cloudwatch::Metric& m) {
    out.Str("Namespace", m.metric_namespace);
    out.Str("MetricName", m.metric_name);
    EncodeDimensions(out, m.dimensions);
  });
  out.StrIfSet("NextToken", r.next_token);
}

bool DecodePutMetricData(Input& in, cloudwatch::PutMetricDataRequest& r) {
  return in.Str("Namespace", &r.metric_namespace) && in.List("MetricData", [&](Input& element) {
    cloudwatch::MetricDatum& d = r.metric_data.emplace_back();
    std::optional<double> count, sum, minimum, maximum;
    if (!element.Str("MetricName", &d.metric_name) || !Dimensions(element, &d.dimensions) ||
        !element.Time("Timestamp", &d.timestamp) || !element.Double("Value", &d.value) ||
        !element.Struct("StatisticValues",
                        [&](Input& st) {
                          return st.Double("SampleCount", &count) && st.Double("Sum", &sum) &&
                                 st.Double("Minimum", &minimum) && st.Double("Maximum", &maximum);
                        }) ||
        !element.DoubleList("Values", &d.values) || !element.DoubleList("Counts", &d.counts) ||
        !element.Str("Unit", &d.unit) || !element.Int("StorageResolution", &d.storage_resolution)) {
      return false;
    }
    if (count || sum || minimum || maximum) {
      d.statistic_values = cloudwatch::StatisticSet{count.value_or(0), sum.value_or(0),
                                                    minimum.value_or(0), maximum.value_or(0)};
    }
    return true;
  });
}

// ---- Alarms -----------------------------------------------------------------

void EncodeMetricAlarm(Output& out, const cloudwatch::MetricAlarm& a) {
  out.Str("AlarmName", a.alarm_name);
  out.Str("AlarmArn", a.alarm_arn);
  out.StrIfSet("AlarmDescription", a.alarm_description);
  out.Time("AlarmConfigurationUpdatedTimestamp", a.alarm_configuration_updated_timestamp);
  out.Bool("ActionsEnabled", a.actions_enabled);
  out.StrList("OKActions", a.ok_actions);
  out.StrList("AlarmActions", a.alarm_actions);
  out.StrList("InsufficientDataActions", a.insufficient_data_actions);
  out.Str("StateValue", a.state_value);
  out.Str("StateReason", a.state_reason);
  out.StrIfSet("StateReasonData", a.state_reason_data);
  out.Time("StateUpdatedTimestamp", a.state_updated_timestamp);
  out.Str("MetricName", a.metric_name);
  out.Str("Namespace", a.metric_namespace);
  out.StrIfSet("Statistic", a.statistic);
  out.StrIfSet("ExtendedStatistic", a.extended_statistic);
  EncodeDimensions(out, a.dimensions);
  out.Int("Period", a.period);
  out.StrIfSet("Unit", a.unit);
  out.Int("EvaluationPeriods", a.evaluation_periods);
  if (a.datapoints_to_alarm > 0) out.Int("DatapointsToAlarm", a.datapoints_to_alarm);
  out.Double("Threshold", a.threshold);
  out.Str("ComparisonOperator", a.comparison_operator);
  out.StrIfSet("TreatMissingData", a.treat_missing_data);
  out.StrIfSet("EvaluateLowSampleCountPercentile", a.evaluate_low_sample_count_percentile);
  out.Time("StateTransitionedTimestamp", a.state_transitioned_timestamp);
}

bool DecodePutMetricAlarm(Input& in, cloudwatch::PutMetricAlarmRequest& r) {
  bool actions_enabled = true;  // The default.
  if (!in.Str("AlarmName", &r.alarm_name) || !in.Str("AlarmDescription", &r.alarm_description) ||
      !in.Bool("ActionsEnabled", &actions_enabled) || !in.StrList("OKActions", &r.ok_actions) ||
      !in.StrList("AlarmActions", &r.alarm_actions) ||
      !in.StrList("InsufficientDataActions", &r.insufficient_data_actions) ||
      !in.Str("MetricName", &r.metric_name) || !in.Str("Namespace", &r.metric_namespace) ||
      !in.Str("Statistic", &r.statistic) || !in.Str("ExtendedStatistic", &r.extended_statistic) ||
      !Dimensions(in, &r.dimensions) || !in.Int("Period", &r.period) || !in.Str("Unit", &r.unit) ||
      !in.Int("EvaluationPeriods", &r.evaluation_periods) ||
      !in.Int("DatapointsToAlarm", &r.datapoints_to_alarm) ||
      !in.Double("Threshold", &r.threshold) ||
      !in.Str("ComparisonOperator", &r.comparison_operator) ||
      !in.Str("TreatMissingData", &r.treat_missing_data) ||
      !in.Str("EvaluateLowSampleCountPercentile", &r.evaluate_low_sample_count_percentile) ||
      !MetricDataQueries(in, "Metrics", &r.metrics) || !DecodeTags(in, &r.tags) ||
      !in.Str("ThresholdMetricId", &r.threshold_metric_id)) {
    return false;
  }
  r.actions_enabled = actions_enabled;
  return true;
}

bool DecodePutCompositeAlarm(Input& in, cloudwatch::PutCompositeAlarmRequest& r) {
  bool actions_enabled = true;  // The default.
  if (!in.Str("AlarmName", &r.alarm_name) || !in.Str("AlarmRule", &r.alarm_rule) ||
      !in.Str("AlarmDescription", &r.alarm_description) ||
      !in.Bool("ActionsEnabled", &actions_enabled) || !in.StrList("OKActions", &r.ok_actions) ||
      !in.StrList("AlarmActions", &r.alarm_actions) ||
      !in.StrList("InsufficientDataActions", &r.insufficient_data_actions) ||
      !DecodeTags(in, &r.tags) || !in.Str("ActionsSuppressor", &r.actions_suppressor) ||
      !in.Int("ActionsSuppressorWaitPeriod", &r.actions_suppressor_wait_period) ||
      !in.Int("ActionsSuppressorExtensionPeriod", &r.actions_suppressor_extension_period)) {
    return false;
  }
  r.actions_enabled = actions_enabled;
  return true;
}

// The members AWS returns (LocalStack test_trigger_composite_alarm,
// AWS-validated): no ActionsSuppressor* without a suppressor. With one, its
// three members (as the Terraform provider's acceptance test reads them back:
// the suppressor as given), and ActionsSuppressedBy and
// ActionsSuppressedReason while actions are suppressed.
void EncodeCompositeAlarm(Output& out, const cloudwatch::CompositeAlarm& a) {
  out.Bool("ActionsEnabled", a.actions_enabled);
  if (!a.actions_suppressor.empty()) {
    out.StrIfSet("ActionsSuppressedBy", a.actions_suppressed_by);
    out.StrIfSet("ActionsSuppressedReason", a.actions_suppressed_reason);
    out.Str("ActionsSuppressor", a.actions_suppressor);
    out.Int("ActionsSuppressorExtensionPeriod", a.actions_suppressor_extension_period);
    out.Int("ActionsSuppressorWaitPeriod", a.actions_suppressor_wait_period);
  }
  out.StrList("AlarmActions", a.alarm_actions);
  out.Str("AlarmArn", a.alarm_arn);
  out.Time("AlarmConfigurationUpdatedTimestamp", a.alarm_configuration_updated_timestamp);
  out.StrIfSet("AlarmDescription", a.alarm_description);
  out.Str("AlarmName", a.alarm_name);
  out.Str("AlarmRule", a.alarm_rule);
  out.StrList("InsufficientDataActions", a.insufficient_data_actions);
  out.StrList("OKActions", a.ok_actions);
  out.Str("StateReason", a.state_reason);
  out.StrIfSet("StateReasonData", a.state_reason_data);
  out.Time("StateUpdatedTimestamp", a.state_updated_timestamp);
  out.Str("StateValue", a.state_value);
  out.Time("StateTransitionedTimestamp", a.state_transitioned_timestamp);
}

bool DecodeDescribeAlarms(Input& in, cloudwatch::DescribeAlarmsRequest& r) {
  return in.StrList("AlarmNames", &r.alarm_names) &&
         in.Str("AlarmNamePrefix", &r.alarm_name_prefix) &&
         in.StrList("AlarmTypes", &r.alarm_types) &&
         in.Str("ChildrenOfAlarmName", &r.children_of_alarm_name) &&
         in.Str("ParentsOfAlarmName", &r.parents_of_alarm_name) &&
         in.Str("StateValue", &r.state_value) && in.Str("ActionPrefix", &r.action_prefix) &&
         in.Int("MaxRecords", &r.max_records) && in.Str("NextToken", &r.next_token);
}

void EncodeDescribeAlarms(Output& out, const cloudwatch::DescribeAlarmsResult& r) {
  out.List("MetricAlarms", r.metric_alarms,
           [&](const cloudwatch::MetricAlarm& a) { EncodeMetricAlarm(out, a); });
  out.List("CompositeAlarms", r.composite_alarms,
           [&](const cloudwatch::CompositeAlarm& a) { EncodeCompositeAlarm(out, a); });
  out.StrIfSet("NextToken", r.next_token);
}

bool DecodeDescribeAlarmsForMetric(Input& in, cloudwatch::DescribeAlarmsForMetricRequest& r) {
  return in.Str("MetricName", &r.metric_name) && in.Str("Namespace", &r.metric_namespace) &&
         in.Str("Statistic", &r.statistic) && in.Str("ExtendedStatistic", &r.extended_statistic) &&
         Dimensions(in, &r.dimensions) && in.Int("Period", &r.period) && in.Str("Unit", &r.unit);
}

void EncodeDescribeAlarmsForMetric(Output& out,
                                   const cloudwatch::DescribeAlarmsForMetricResult& r) {
  out.List("MetricAlarms", r.metric_alarms,
           [&](const cloudwatch::MetricAlarm& a) { EncodeMetricAlarm(out, a); });
}

bool DecodeDescribeAlarmHistory(Input& in, cloudwatch::DescribeAlarmHistoryRequest& r) {
  return in.Str("AlarmName", &r.alarm_name) && in.StrList("AlarmTypes", &r.alarm_types) &&
         in.Str("HistoryItemType", &r.history_item_type) && in.Time("StartDate", &r.start_date) &&
         in.Time("EndDate", &r.end_date) && in.Int("MaxRecords", &r.max_records) &&
         in.Str("NextToken", &r.next_token) && in.Str("ScanBy", &r.scan_by);
}

void EncodeDescribeAlarmHistory(Output& out, const cloudwatch::DescribeAlarmHistoryResult& r) {
  out.List("AlarmHistoryItems", r.alarm_history_items, [&](const cloudwatch::AlarmHistoryItem& h) {
    out.Str("AlarmName", h.alarm_name);
    out.Str("AlarmType", h.alarm_type);
    out.Time("Timestamp", h.timestamp);
    out.Str("HistoryItemType", h.history_item_type);
    out.Str("HistorySummary", h.history_summary);
    out.Str("HistoryData", h.history_data);
  });
  out.StrIfSet("NextToken", r.next_token);
}

template <typename Request>
bool DecodeAlarmNames(Input& in, Request& r) {
  return in.StrList("AlarmNames", &r.alarm_names);
}

bool DecodeSetAlarmState(Input& in, cloudwatch::SetAlarmStateRequest& r) {
  return in.Str("AlarmName", &r.alarm_name) && in.Str("StateValue", &r.state_value) &&
         in.Str("StateReason", &r.state_reason) && in.Str("StateReasonData", &r.state_reason_data);
}

// ---- Tags -------------------------------------------------------------------

bool DecodeTagResource(Input& in, cloudwatch::TagResourceRequest& r) {
  return in.Str("ResourceARN", &r.resource_arn) && DecodeTags(in, &r.tags);
}

bool DecodeUntagResource(Input& in, cloudwatch::UntagResourceRequest& r) {
  return in.Str("ResourceARN", &r.resource_arn) && in.StrList("TagKeys", &r.tag_keys);
}

bool DecodeListTagsForResource(Input& in, cloudwatch::ListTagsForResourceRequest& r) {
  return in.Str("ResourceARN", &r.resource_arn);
}

// TagResource and UntagResource have an output shape without members: an
// empty result element in XML, an empty structure otherwise.
void EmptyResult(Output&) {}

}  // namespace

std::shared_ptr<const Api> MakeCloudWatchApi(cloudwatch::Service& service) {
  return MakeOperationTable(
      kCloudWatchModel, ServiceTarget<S>{service},
      {
          {"GetMetricStatistics",
           RunOp<DecodeGetMetricStatistics, &S::GetMetricStatistics, EncodeGetMetricStatistics>},
          {"GetMetricData", RunOp<DecodeGetMetricData, &S::GetMetricData, EncodeGetMetricData>},
          {"ListMetrics", RunOp<DecodeListMetrics, &S::ListMetrics, EncodeListMetrics>},
          {"PutMetricData", RunOp<DecodePutMetricData, &S::PutMetricData>},
          {"PutMetricAlarm", RunOp<DecodePutMetricAlarm, &S::PutMetricAlarm>},
          {"PutCompositeAlarm", RunOp<DecodePutCompositeAlarm, &S::PutCompositeAlarm>},
          {"DescribeAlarms", RunOp<DecodeDescribeAlarms, &S::DescribeAlarms, EncodeDescribeAlarms>},
          {"DescribeAlarmsForMetric",
           RunOp<DecodeDescribeAlarmsForMetric, &S::DescribeAlarmsForMetric,
                 EncodeDescribeAlarmsForMetric>},
          {"DescribeAlarmHistory",
           RunOp<DecodeDescribeAlarmHistory, &S::DescribeAlarmHistory, EncodeDescribeAlarmHistory>},
          {"DeleteAlarms",
           RunOp<DecodeAlarmNames<cloudwatch::DeleteAlarmsRequest>, &S::DeleteAlarms>},
          {"SetAlarmState", RunOp<DecodeSetAlarmState, &S::SetAlarmState>},
          {"EnableAlarmActions",
           RunOp<DecodeAlarmNames<cloudwatch::EnableAlarmActionsRequest>, &S::EnableAlarmActions>},
          {"DisableAlarmActions", RunOp<DecodeAlarmNames<cloudwatch::DisableAlarmActionsRequest>,
                                        &S::DisableAlarmActions>},
          {"TagResource", RunOp<DecodeTagResource, &S::TagResource, EmptyResult>},
          {"UntagResource", RunOp<DecodeUntagResource, &S::UntagResource, EmptyResult>},
          {"ListTagsForResource",
           RunOp<DecodeListTagsForResource, &S::ListTagsForResource,
                 EncodeListTagsForResource<cloudwatch::ListTagsForResourceResult>>},
      });
}

}  // namespace wharf::wire
