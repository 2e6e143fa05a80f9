// MockCloudWatchService: a gmock of wharf::cloudwatch::Service for testing
// the wire layer without the real service.

#ifndef WHARF_TESTS_WIRE_CLOUDWATCH_MOCK_SERVICE_H_
#define WHARF_TESTS_WIRE_CLOUDWATCH_MOCK_SERVICE_H_

#include <string>

#include "gmock/gmock.h"
#include "wharf/cloudwatch.h"

namespace wharf::testing {

class MockCloudWatchService : public cloudwatch::Service {
 public:
  MOCK_METHOD(absl::StatusOr<cloudwatch::GetMetricStatisticsResult>, GetMetricStatistics,
              (const cloudwatch::GetMetricStatisticsRequest&), (override));
  MOCK_METHOD(absl::StatusOr<cloudwatch::GetMetricDataResult>, GetMetricData,
              (const cloudwatch::GetMetricDataRequest&), (override));
  MOCK_METHOD(absl::StatusOr<cloudwatch::ListMetricsResult>, ListMetrics,
              (const cloudwatch::ListMetricsRequest&), (override));
  MOCK_METHOD(absl::Status, PutMetricData, (const cloudwatch::PutMetricDataRequest&), (override));
  MOCK_METHOD(absl::Status, PutMetricAlarm, (const cloudwatch::PutMetricAlarmRequest&), (override));
  MOCK_METHOD(absl::Status, PutCompositeAlarm, (const cloudwatch::PutCompositeAlarmRequest&),
              (override));
  MOCK_METHOD(absl::StatusOr<cloudwatch::DescribeAlarmsResult>, DescribeAlarms,
              (const cloudwatch::DescribeAlarmsRequest&), (override));
  MOCK_METHOD(absl::StatusOr<cloudwatch::DescribeAlarmsForMetricResult>, DescribeAlarmsForMetric,
              (const cloudwatch::DescribeAlarmsForMetricRequest&), (override));
  MOCK_METHOD(absl::StatusOr<cloudwatch::DescribeAlarmHistoryResult>, DescribeAlarmHistory,
              (const cloudwatch::DescribeAlarmHistoryRequest&), (override));
  MOCK_METHOD(absl::Status, DeleteAlarms, (const cloudwatch::DeleteAlarmsRequest&), (override));
  MOCK_METHOD(absl::Status, SetAlarmState, (const cloudwatch::SetAlarmStateRequest&), (override));
  MOCK_METHOD(absl::Status, EnableAlarmActions, (const cloudwatch::EnableAlarmActionsRequest&),
              (override));
  MOCK_METHOD(absl::Status, DisableAlarmActions, (const cloudwatch::DisableAlarmActionsRequest&),
              (override));
  MOCK_METHOD(absl::Status, TagResource, (const cloudwatch::TagResourceRequest&), (override));
  MOCK_METHOD(absl::Status, UntagResource, (const cloudwatch::UntagResourceRequest&), (override));
  MOCK_METHOD(absl::StatusOr<cloudwatch::ListTagsForResourceResult>, ListTagsForResource,
              (const cloudwatch::ListTagsForResourceRequest&), (override));
  MOCK_METHOD(std::string, RenderPrometheus, (), (override));
};

}  // namespace wharf::testing

#endif  // WHARF_TESTS_WIRE_CLOUDWATCH_MOCK_SERVICE_H_
