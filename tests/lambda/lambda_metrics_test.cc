// AWS/Lambda metrics after known traffic on a ManualClock: invocations and
// errors per function, the Duration distribution, and an event source
// mapping's polled, invoked, failed and deleted events; the same counts in the
// Prometheus text.

#include <optional>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/lambda/lambda_fixture.h"
#include "wharf/cloudwatch.h"

namespace wharf::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Optional;

class LambdaMetricsTest : public LambdaTest {
 protected:
  // The Sum of `metric` over the minute starting at the clock's start.
  // With an empty `dimension`: the metric without dimensions. `minute`: which
  // one, from the start.
  std::optional<double> Sum(const std::string& metric, const std::string& dimension,
                            const std::string& value, int minute = 0) {
    cloudwatch::GetMetricStatisticsRequest request;
    request.metric_namespace = "AWS/Lambda";
    request.metric_name = metric;
    if (!dimension.empty()) request.dimensions = {{.name = dimension, .value = value}};
    request.start_time = start_ + absl::Minutes(minute);
    request.end_time = start_ + absl::Minutes(minute + 1);
    request.period = 60;
    request.statistics = {"Sum"};
    auto result = broker_->cloudwatch().GetMetricStatistics(request);
    EXPECT_OK(result);
    if (!result.ok() || result->datapoints.empty()) return std::nullopt;
    EXPECT_EQ(result->datapoints.size(), 1u);
    return result->datapoints[0].sum;
  }

  const absl::Time start_ = clock_->Now();
};

TEST_F(LambdaMetricsTest, InvocationsAndErrorsPerFunction) {
  Recorder ok;
  Recorder bad;
  bad.set_respond([](const lambda::Invocation&) -> absl::StatusOr<std::string> {
    return absl::InternalError("boom");
  });
  CreateFunction("ok", ok);
  CreateFunction("bad", bad);
  for (int i = 0; i < 2; ++i) ASSERT_OK(lambda().Invoke({.function_name = "ok"}));
  ASSERT_OK(lambda().Invoke({.function_name = "bad"}));
  clock_->Advance(absl::Seconds(10));

  EXPECT_THAT(Sum("Invocations", "FunctionName", "ok"), Optional(2.0));
  EXPECT_EQ(Sum("Errors", "FunctionName", "ok"), std::nullopt);  // Only active minutes.
  EXPECT_THAT(Sum("Invocations", "FunctionName", "bad"), Optional(1.0));
  EXPECT_THAT(Sum("Errors", "FunctionName", "bad"), Optional(1.0));
  const std::string text = broker_->cloudwatch().RenderPrometheus();
  EXPECT_THAT(text, HasSubstr("wharf_lambda_invocations_total{function=\"ok\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("wharf_lambda_errors_total{function=\"bad\"} 1\n"));
}

// AWS also publishes Invocations, Errors, Throttles and ConcurrentExecutions
// without a dimension, for all functions together; a deleted function's
// counts stay in the minute they happened.
TEST_F(LambdaMetricsTest, AllFunctionsTogetherWithoutDimension) {
  Recorder ok;
  Recorder bad;
  bad.set_respond([](const lambda::Invocation&) -> absl::StatusOr<std::string> {
    return absl::InternalError("boom");
  });
  CreateFunction("ok", ok);
  CreateFunction("bad", bad);
  for (int i = 0; i < 2; ++i) ASSERT_OK(lambda().Invoke({.function_name = "ok"}));
  for (int i = 0; i < 3; ++i) ASSERT_OK(lambda().Invoke({.function_name = "bad"}));
  clock_->Advance(absl::Seconds(70));
  ASSERT_OK(lambda().DeleteFunction({.function_name = "bad"}));
  ASSERT_OK(lambda().Invoke({.function_name = "ok"}));
  clock_->Advance(absl::Seconds(60));

  EXPECT_THAT(Sum("Invocations", "", ""), Optional(5.0));
  EXPECT_THAT(Sum("Errors", "", ""), Optional(3.0));
  EXPECT_EQ(Sum("Throttles", "", ""), std::nullopt);
  EXPECT_THAT(Sum("Invocations", "", "", 1), Optional(1.0));
  EXPECT_EQ(Sum("Errors", "", "", 1), std::nullopt);
  EXPECT_THAT(Sum("ConcurrentExecutions", "", ""), Optional(0.0));
  // Not a series of its own in the Prometheus text.
  EXPECT_THAT(broker_->cloudwatch().RenderPrometheus(),
              Not(HasSubstr("wharf_lambda_invocations_total 5")));
}

TEST_F(LambdaMetricsTest, DurationIsADistributionOfRuns) {
  Recorder slow;
  // Runs take 2 ms, 300 ms and 5 s of the broker's clock.
  slow.set_respond([this](const lambda::Invocation& in) -> absl::StatusOr<std::string> {
    clock_->Advance(absl::Milliseconds(std::stoi(std::string(in.payload()))));
    return std::string("{}");
  });
  CreateFunction("slow", slow);
  for (const char* ms : {"2", "300", "5000"}) {
    ASSERT_OK(lambda().Invoke({.function_name = "slow", .payload = ms}));
  }
  clock_->Advance(absl::Seconds(10));

  cloudwatch::GetMetricStatisticsRequest request;
  request.metric_namespace = "AWS/Lambda";
  request.metric_name = "Duration";
  request.dimensions = {{.name = "FunctionName", .value = "slow"}};
  request.start_time = start_;
  request.end_time = start_ + absl::Minutes(1);
  request.period = 60;
  request.statistics = {"SampleCount", "Sum", "Minimum", "Maximum"};
  ASSERT_OK_AND_ASSIGN(auto stats, broker_->cloudwatch().GetMetricStatistics(request));
  ASSERT_EQ(stats.datapoints.size(), 1u);
  const cloudwatch::Datapoint& p = stats.datapoints[0];
  EXPECT_EQ(p.unit, "Milliseconds");
  EXPECT_THAT(p.sample_count, Optional(3.0));  // Runs, not seconds.
  EXPECT_THAT(p.sum, Optional(5302.0));
  EXPECT_THAT(p.minimum, Optional(2.0));
  EXPECT_THAT(p.maximum, Optional(5000.0));

  // Buckets in seconds: 2 ms is under 4.096 ms, 300 ms under 1.048576 s.
  const std::string text = broker_->cloudwatch().RenderPrometheus();
  EXPECT_THAT(text, HasSubstr("# TYPE wharf_lambda_duration_seconds histogram\n"));
  EXPECT_THAT(
      text,
      HasSubstr("wharf_lambda_duration_seconds_bucket{function=\"slow\",le=\"0.001024\"} 0\n"));
  EXPECT_THAT(
      text,
      HasSubstr("wharf_lambda_duration_seconds_bucket{function=\"slow\",le=\"0.004096\"} 1\n"));
  EXPECT_THAT(
      text,
      HasSubstr("wharf_lambda_duration_seconds_bucket{function=\"slow\",le=\"1.048576\"} 2\n"));
  EXPECT_THAT(text,
              HasSubstr("wharf_lambda_duration_seconds_bucket{function=\"slow\",le=\"+Inf\"} 3\n"));
  EXPECT_THAT(text, HasSubstr("wharf_lambda_duration_seconds_sum{function=\"slow\"} 5.302\n"));
  EXPECT_THAT(text, HasSubstr("wharf_lambda_duration_seconds_count{function=\"slow\"} 3\n"));
}

TEST_F(LambdaMetricsTest, AMappingCountsWhatItPolledInvokedAndDeleted) {
  const std::string queue = CreateQueue("jobs");
  Recorder worker;
  CreateFunction("worker", worker);
  ASSERT_OK_AND_ASSIGN(auto mapping,
                       lambda().CreateEventSourceMapping(
                           {.event_source_arn = QueueArn("jobs"), .function_name = "worker"}));
  Drain();
  for (const char* body : {"a", "b", "c"}) Send(queue, body);
  Drain();
  ASSERT_EQ(worker.bodies().size(), 3u);
  clock_->Advance(absl::Seconds(10));

  EXPECT_THAT(Sum("PolledEventCount", "EventSourceMappingUUID", mapping.uuid), Optional(3.0));
  EXPECT_THAT(Sum("InvokedEventCount", "EventSourceMappingUUID", mapping.uuid), Optional(3.0));
  EXPECT_THAT(Sum("DeletedEventCount", "EventSourceMappingUUID", mapping.uuid), Optional(3.0));
  EXPECT_EQ(Sum("FailedInvokeEventCount", "EventSourceMappingUUID", mapping.uuid), std::nullopt);
  EXPECT_THAT(broker_->cloudwatch().RenderPrometheus(),
              HasSubstr("wharf_lambda_mapping_invoked_events_total{mapping=\"" + mapping.uuid +
                        "\",function=\"worker\"} 3\n"));
}

}  // namespace
}  // namespace wharf::testing
