// A broker on a ManualClock (starting 2026-01-01T00:00:00Z, a whole minute)
// plus helpers for reading its CloudWatch metrics.

#ifndef WHARF_TESTS_SERVICE_CLOUDWATCH_FIXTURE_H_
#define WHARF_TESTS_SERVICE_CLOUDWATCH_FIXTURE_H_

#include <optional>
#include <string>
#include <vector>

#include "tests/service/sqs_test_fixture.h"
#include "wharf/cloudwatch.h"
#include "wharf/sns.h"

namespace wharf::testing {

class CloudWatchTest : public SqsTest {
 protected:
  cloudwatch::Service& cw() { return broker_->cloudwatch(); }
  sns::Service& sns() { return broker_->sns(); }

  // The clock's start plus `seconds`.
  static absl::Time T(int64_t seconds) {
    return absl::FromUnixSeconds(1767225600) + absl::Seconds(seconds);
  }
  void AdvanceTo(int64_t seconds) { clock_->SetTime(T(seconds)); }

  // Datapoints of an AWS/SQS metric of `queue` with every basic statistic.
  std::vector<cloudwatch::Datapoint> SqsPoints(const std::string& metric, const std::string& queue,
                                               int64_t start, int64_t end, int period) {
    return Points("AWS/SQS", metric, {{"QueueName", queue}}, start, end, period);
  }
  std::vector<cloudwatch::Datapoint> Points(const std::string& ns, const std::string& metric,
                                            std::vector<cloudwatch::Dimension> dims, int64_t start,
                                            int64_t end, int period,
                                            std::vector<std::string> extended = {}) {
    cloudwatch::GetMetricStatisticsRequest request;
    request.metric_namespace = ns;
    request.metric_name = metric;
    request.dimensions = std::move(dims);
    request.start_time = T(start);
    request.end_time = T(end);
    request.period = period;
    if (extended.empty()) {
      request.statistics = {"SampleCount", "Average", "Sum", "Minimum", "Maximum"};
    } else {
      request.extended_statistics = std::move(extended);
    }
    auto result = cw().GetMetricStatistics(request);
    EXPECT_TRUE(result.ok()) << result.status();
    return result.ok() ? std::move(result->datapoints) : std::vector<cloudwatch::Datapoint>();
  }
  // The Sum of the single period [start, start + period); nullopt if no data.
  std::optional<double> SqsSum(const std::string& metric, const std::string& queue, int64_t start,
                               int period) {
    std::vector<cloudwatch::Datapoint> p = SqsPoints(metric, queue, start, start + period, period);
    if (p.empty()) return std::nullopt;
    EXPECT_EQ(p.size(), 1u);
    return p[0].sum;
  }

  std::string CreateTopic(const std::string& name) {
    auto result = sns().CreateTopic({.name = name});
    EXPECT_TRUE(result.ok()) << result.status();
    return result.ok() ? result->topic_arn : std::string();
  }
  // Subscribes queue `url` (raw delivery off: the SNS envelope arrives).
  void SubscribeQueue(const std::string& topic_arn, const std::string& queue_name) {
    sns::SubscribeRequest request;
    request.topic_arn = topic_arn;
    request.protocol = "sqs";
    request.endpoint = ArnOf(queue_name);
    auto result = sns().Subscribe(request);
    EXPECT_TRUE(result.ok()) << result.status();
  }
};

}  // namespace wharf::testing

#endif  // WHARF_TESTS_SERVICE_CLOUDWATCH_FIXTURE_H_
