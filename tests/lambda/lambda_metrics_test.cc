// AWS/Lambda metrics after known traffic on a ManualClock: invocations and
// errors per function, and an event source mapping's polled, invoked,
// failed and deleted events; the same counts in the Prometheus text.

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
using ::testing::Optional;

class LambdaMetricsTest : public LambdaTest {
 protected:
  // The Sum of `metric` over the minute starting at the clock's start.
  std::optional<double> Sum(const std::string& metric, const std::string& dimension,
                            const std::string& value) {
    cloudwatch::GetMetricStatisticsRequest request;
    request.metric_namespace = "AWS/Lambda";
    request.metric_name = metric;
    request.dimensions = {{.name = dimension, .value = value}};
    request.start_time = start_;
    request.end_time = start_ + absl::Minutes(1);
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
  EXPECT_EQ(Sum("Errors", "FunctionName", "ok"), std::nullopt);  // Only active seconds.
  EXPECT_THAT(Sum("Invocations", "FunctionName", "bad"), Optional(1.0));
  EXPECT_THAT(Sum("Errors", "FunctionName", "bad"), Optional(1.0));
  const std::string text = broker_->cloudwatch().RenderPrometheus();
  EXPECT_THAT(text, HasSubstr("wharf_lambda_invocations_total{function=\"ok\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("wharf_lambda_errors_total{function=\"bad\"} 1\n"));
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
