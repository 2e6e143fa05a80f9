// AWS/SQS metrics after known traffic, exact on the ManualClock: every
// metric, every statistic, periods of 1, 5, 10, 30, 60 and 300 seconds.
//
// As SQS publishes them, each metric has one datapoint per minute (at the
// minute's first second): a counter's is the count in the minute (SampleCount
// 1), a gauge's the latest value the minute saw. The clock starts at a whole
// minute (T(0)). The sampler records before the clock moves on, so traffic at
// T(0) lands in minute 0 and the state at T(10) holds for every minute the
// clock jumps over from there.

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tests/service/cloudwatch_fixture.h"

namespace wharf::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Optional;

class CloudWatchSqsMetricsTest : public CloudWatchTest {};

TEST_F(CloudWatchSqsMetricsTest, EveryMetricAfterKnownTraffic) {
  const std::string url = Create("jobs");
  Send(url, "hello");                // 5 bytes
  Send(url, "0123456789");           // 10
  Send(url, std::string(100, 'x'));  // 100
  std::vector<sqs::Message> first = Receive(url, 2);
  ASSERT_EQ(first.size(), 2u);
  ASSERT_EQ(Receive(url).size(), 1u);  // 3 received in all, each in flight for 30 s
  ASSERT_TRUE(Receive(url).empty());   // 1 empty receive
  for (const sqs::Message& m : first) {
    ASSERT_OK(sqs().DeleteMessage({.queue_url = url, .receipt_handle = m.receipt_handle}));
  }
  AdvanceTo(10);
  ASSERT_OK(sqs().SendMessage({.queue_url = url, .message_body = "delayed", .delay_seconds = 60}));
  AdvanceTo(60);  // The third message's visibility ran out at 30: visible now.

  // Counters: one datapoint for the minute, the count in it. One message
  // sent in a minute is SampleCount 1 and Average 1 on AWS (LocalStack
  // TestSQSMetrics::test_alarm_number_of_messages_sent, AWS-validated); four
  // are SampleCount 1, Sum and Average 4.
  std::vector<cloudwatch::Datapoint> p = SqsPoints("NumberOfMessagesSent", "jobs", 0, 60, 60);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].timestamp, T(0));
  EXPECT_EQ(p[0].unit, "Count");
  EXPECT_THAT(p[0].sample_count, Optional(1.0));
  EXPECT_THAT(p[0].sum, Optional(4.0));
  EXPECT_THAT(p[0].minimum, Optional(4.0));
  EXPECT_THAT(p[0].maximum, Optional(4.0));
  EXPECT_THAT(p[0].average, Optional(4.0));
  EXPECT_THAT(SqsSum("NumberOfMessagesReceived", "jobs", 0, 60), Optional(3.0));
  EXPECT_THAT(SqsSum("NumberOfMessagesDeleted", "jobs", 0, 60), Optional(2.0));
  EXPECT_THAT(SqsSum("NumberOfEmptyReceives", "jobs", 0, 60), Optional(1.0));

  // SentMessageSize: one sample per message.
  p = SqsPoints("SentMessageSize", "jobs", 0, 60, 60);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].unit, "Bytes");
  EXPECT_THAT(p[0].sample_count, Optional(4.0));
  EXPECT_THAT(p[0].sum, Optional(122.0));
  EXPECT_THAT(p[0].minimum, Optional(5.0));
  EXPECT_THAT(p[0].maximum, Optional(100.0));
  EXPECT_THAT(p[0].average, Optional(30.5));

  // Gauges: one sample for the minute, its latest state (at 10, which held
  // until the clock moved to 60).
  p = SqsPoints("ApproximateNumberOfMessagesVisible", "jobs", 0, 60, 60);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_THAT(p[0].sample_count, Optional(1.0));
  EXPECT_THAT(p[0].maximum, Optional(0.0));
  EXPECT_THAT(SqsSum("ApproximateNumberOfMessagesNotVisible", "jobs", 0, 60), Optional(1.0));
  EXPECT_THAT(SqsSum("ApproximateNumberOfMessagesDelayed", "jobs", 0, 60), Optional(1.0));
  p = SqsPoints("ApproximateAgeOfOldestMessage", "jobs", 0, 60, 60);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].unit, "Seconds");
  EXPECT_THAT(p[0].sample_count, Optional(1.0));
  EXPECT_THAT(p[0].sum, Optional(10.0));

  // The current minute is included in a query: at 60 one message is visible.
  p = SqsPoints("ApproximateNumberOfMessagesVisible", "jobs", 60, 120, 60);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_THAT(p[0].sample_count, Optional(1.0));
  EXPECT_THAT(p[0].sum, Optional(1.0));
  EXPECT_THAT(SqsSum("ApproximateAgeOfOldestMessage", "jobs", 60, 60), Optional(60.0));
  // So is an idle minute's zero count.
  p = SqsPoints("NumberOfMessagesSent", "jobs", 60, 120, 60);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_THAT(p[0].sample_count, Optional(1.0));
  EXPECT_THAT(p[0].sum, Optional(0.0));
}

TEST_F(CloudWatchSqsMetricsTest, EveryPeriod) {
  const std::string url = Create("jobs");
  Send(url, "a");
  AdvanceTo(10);
  ASSERT_OK(sqs().SendMessage({.queue_url = url, .message_body = "b", .delay_seconds = 60}));
  AdvanceTo(60);  // Minute 0: 1 visible, 1 delayed at its end.
  AdvanceTo(70);  // Minute 1 (its latest, from 70 to 299): 2 visible.
  AdvanceTo(300);

  // A period under a minute finds the minute's datapoint in the period that
  // holds its first second; the others have none.
  for (int period : {1, 5, 10, 30, 60}) {
    SCOPED_TRACE(period);
    std::vector<cloudwatch::Datapoint> p = SqsPoints("NumberOfMessagesSent", "jobs", 0, 60, period);
    ASSERT_EQ(p.size(), 1u);
    EXPECT_EQ(p[0].timestamp, T(0));
    EXPECT_THAT(p[0].sample_count, Optional(1.0));
    EXPECT_THAT(p[0].sum, Optional(2.0));
    p = SqsPoints("ApproximateNumberOfMessagesDelayed", "jobs", 0, 120, period);
    ASSERT_EQ(p.size(), 2u);
    EXPECT_EQ(p[1].timestamp, T(60));
    EXPECT_THAT(p[0].sum, Optional(1.0));
    EXPECT_THAT(p[1].sum, Optional(0.0));
  }
  // Five minutes: a sample each.
  std::vector<cloudwatch::Datapoint> p =
      SqsPoints("ApproximateNumberOfMessagesVisible", "jobs", 0, 300, 300);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_THAT(p[0].sample_count, Optional(5.0));
  EXPECT_THAT(p[0].sum, Optional(9.0));
  EXPECT_THAT(p[0].minimum, Optional(1.0));
  EXPECT_THAT(p[0].maximum, Optional(2.0));
  p = SqsPoints("NumberOfMessagesSent", "jobs", 0, 300, 300);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_THAT(p[0].sample_count, Optional(5.0));
  EXPECT_THAT(p[0].sum, Optional(2.0));
  EXPECT_THAT(p[0].average, Optional(0.4));

  // A start time that is not on a period boundary is rounded down.
  p = SqsPoints("ApproximateNumberOfMessagesDelayed", "jobs", 17, 70, 10);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].timestamp, T(60));
  p = SqsPoints("ApproximateNumberOfMessagesDelayed", "jobs", 17, 60, 60);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].timestamp, T(0));
}

// SQS publishes a queue's metrics while it holds messages and for six hours
// after an action accessed it, then nothing until it is accessed again (the
// SQS Developer Guide, "Monitoring Amazon SQS queues using CloudWatch"):
// hours after that have no datapoint, so an alarm sees missing data.
TEST_F(CloudWatchSqsMetricsTest, AnIdleQueueIsSilentSixHoursAfterItsLastAccess) {
  constexpr int64_t kHour = 3600;
  const std::string url = Create("jobs");
  Send(url, "a");
  std::vector<sqs::Message> got = Receive(url);
  ASSERT_EQ(got.size(), 1u);
  ASSERT_OK(sqs().DeleteMessage({.queue_url = url, .receipt_handle = got[0].receipt_handle}));
  AdvanceTo(60);
  AdvanceTo(10 * kHour);  // One jump: the datapoints stop six hours into it.
  for (const char* metric : {"NumberOfMessagesSent", "ApproximateNumberOfMessagesVisible"}) {
    SCOPED_TRACE(metric);
    std::vector<cloudwatch::Datapoint> p = SqsPoints(metric, "jobs", 0, 10 * kHour, 3600);
    ASSERT_EQ(p.size(), 6u);
    EXPECT_EQ(p.back().timestamp, T(5 * kHour));
    EXPECT_THAT(p.back().sample_count, Optional(60.0));
    EXPECT_THAT(p.back().maximum, Optional(0.0));
  }
  // Used again: published again from that minute.
  Send(url, "b");
  AdvanceTo(10 * kHour + 120);
  EXPECT_THAT(SqsSum("NumberOfMessagesSent", "jobs", 10 * kHour, 120), Optional(1.0));
  EXPECT_THAT(SqsSum("ApproximateNumberOfMessagesVisible", "jobs", 10 * kHour, 120), Optional(2.0));
}

// Creating a queue is an access; a queue that holds a message stays active
// however long nobody touches it.
TEST_F(CloudWatchSqsMetricsTest, CreationCountsAndHeldMessagesKeepAQueueActive) {
  constexpr int64_t kHour = 3600;
  Create("unused");
  const std::string url = Create("backlog");
  Send(url, "waiting");
  AdvanceTo(60);
  AdvanceTo(8 * kHour);
  EXPECT_EQ(SqsPoints("NumberOfMessagesSent", "unused", 0, 8 * kHour, 3600).size(), 6u);
  std::vector<cloudwatch::Datapoint> p =
      SqsPoints("ApproximateNumberOfMessagesVisible", "backlog", 0, 8 * kHour, 3600);
  ASSERT_EQ(p.size(), 8u);
  EXPECT_THAT(p.back().minimum, Optional(1.0));
}

TEST_F(CloudWatchSqsMetricsTest, DeadLetterMovesAreNotSends) {
  const std::string dlq = Create("work-dlq");
  const std::string url = Create(
      "work", {{"RedrivePolicy", absl::StrCat("{\"deadLetterTargetArn\":\"", ArnOf("work-dlq"),
                                              "\",\"maxReceiveCount\":1}")}});
  Send(url, "poison");
  ASSERT_EQ(Receive(url).size(), 1u);
  AdvanceTo(31);
  ASSERT_TRUE(Receive(url).empty());  // Moved to the DLQ instead.
  AdvanceTo(60);
  EXPECT_THAT(SqsSum("NumberOfMessagesSent", "work", 0, 60), Optional(1.0));
  EXPECT_THAT(SqsSum("NumberOfMessagesReceived", "work", 0, 60), Optional(1.0));
  EXPECT_THAT(SqsSum("NumberOfEmptyReceives", "work", 0, 60), Optional(1.0));
  EXPECT_THAT(SqsSum("NumberOfMessagesSent", "work-dlq", 0, 60), Optional(0.0));
  std::vector<cloudwatch::Datapoint> p =
      SqsPoints("ApproximateNumberOfMessagesVisible", "work-dlq", 0, 60, 60);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_THAT(p[0].sample_count, Optional(1.0));
  EXPECT_THAT(p[0].maximum, Optional(1.0));  // From 31 on.
}

TEST_F(CloudWatchSqsMetricsTest, FifoDeduplicatedSends) {
  const std::string url =
      Create("orders.fifo", {{"FifoQueue", "true"}, {"ContentBasedDeduplication", "true"}});
  SendFifo(url, "a", "g", "same");
  SendFifo(url, "a", "g", "same");  // Deduplicated.
  SendFifo(url, "b", "g", "other");
  EXPECT_THAT(SqsSum("NumberOfMessagesSent", "orders.fifo", 0, 60), Optional(2.0));
  EXPECT_THAT(SqsSum("NumberOfDeduplicatedSentMessages", "orders.fifo", 0, 60), Optional(1.0));
  EXPECT_THAT(SqsSum("ApproximateNumberOfMessagesVisible", "orders.fifo", 0, 60), Optional(2.0));
  // Standard queues do not report it.
  Create("plain");
  EXPECT_TRUE(SqsPoints("NumberOfDeduplicatedSentMessages", "plain", 0, 60, 60).empty());
}

TEST_F(CloudWatchSqsMetricsTest, SnsDeliveriesAreSends) {
  const std::string url = Create("subscriber");
  const std::string topic = CreateTopic("news");
  SubscribeQueue(topic, "subscriber");
  ASSERT_TRUE(sns().Publish({.topic_arn = topic, .message = "one"}).ok());
  ASSERT_TRUE(sns().Publish({.topic_arn = topic, .message = "two"}).ok());
  EXPECT_THAT(SqsSum("NumberOfMessagesSent", "subscriber", 0, 60), Optional(2.0));
  std::vector<cloudwatch::Datapoint> p = SqsPoints("SentMessageSize", "subscriber", 0, 60, 60);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_THAT(p[0].sample_count, Optional(2.0));
  EXPECT_GT(*p[0].minimum, 100);  // The SNS envelope, not the bare message.
}

TEST_F(CloudWatchSqsMetricsTest, ListMetricsNamesEveryQueueMetric) {
  const std::string url = Create("jobs");
  Send(url, "a");
  auto listed = cw().ListMetrics({.metric_namespace = "AWS/SQS"});
  ASSERT_OK(listed.status());
  std::vector<std::string> names;
  for (const cloudwatch::Metric& m : listed->metrics) {
    EXPECT_EQ(m.dimensions, (std::vector<cloudwatch::Dimension>{{"QueueName", "jobs"}}));
    names.push_back(m.metric_name);
  }
  EXPECT_THAT(names,
              ::testing::ElementsAre(
                  "ApproximateAgeOfOldestMessage", "ApproximateNumberOfMessagesDelayed",
                  "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesVisible",
                  "NumberOfEmptyReceives", "NumberOfMessagesDeleted", "NumberOfMessagesReceived",
                  "NumberOfMessagesSent", "SentMessageSize"));
}

TEST_F(CloudWatchSqsMetricsTest, PrometheusTextInProcess) {
  const std::string url = Create("jobs");
  Send(url, "hello");
  Send(url, std::string(300, 'x'));
  ASSERT_EQ(Receive(url, 1).size(), 1u);
  const std::string text = cw().RenderPrometheus();
  EXPECT_THAT(text, HasSubstr("# TYPE wharf_sqs_messages_sent_total counter\n"
                              "wharf_sqs_messages_sent_total{queue=\"jobs\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("wharf_sqs_messages_received_total{queue=\"jobs\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("wharf_sqs_messages_visible{queue=\"jobs\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("wharf_sqs_messages_not_visible{queue=\"jobs\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("wharf_sqs_sent_message_size_bytes_bucket{queue=\"jobs\",le=\"64\"} "
                              "1\n"));
  EXPECT_THAT(text,
              HasSubstr("wharf_sqs_sent_message_size_bytes_bucket{queue=\"jobs\",le=\"1024\"} "
                        "2\n"));
  EXPECT_THAT(text, HasSubstr("wharf_sqs_sent_message_size_bytes_sum{queue=\"jobs\"} 305\n"));
  EXPECT_THAT(text, Not(HasSubstr("deduplicated")));  // Standard queue.
}

TEST(CloudWatchMetricsOffTest, NoMetricsAndNoPrometheusWhenDisabled) {
  auto clock = std::make_shared<ManualClock>();
  BrokerOptions options;
  options.clock = clock;
  options.metrics.enabled = false;
  std::unique_ptr<Broker> broker = std::move(Broker::Open(options).value());
  auto created = broker->sqs().CreateQueue({.queue_name = "jobs"});
  ASSERT_OK(created.status());
  ASSERT_OK(
      broker->sqs().SendMessage({.queue_url = created->queue_url, .message_body = "x"}).status());
  clock->Advance(absl::Seconds(5));
  auto listed = broker->cloudwatch().ListMetrics({});
  ASSERT_OK(listed.status());
  EXPECT_TRUE(listed->metrics.empty());
  EXPECT_EQ(broker->cloudwatch().RenderPrometheus(), "");
  // Custom metrics still work.
  ASSERT_OK(broker->cloudwatch().PutMetricData(
      {.metric_namespace = "App", .metric_data = {{.metric_name = "Jobs", .value = 1}}}));
  listed = broker->cloudwatch().ListMetrics({});
  ASSERT_OK(listed.status());
  EXPECT_EQ(listed->metrics.size(), 1u);
}

TEST(CloudWatchOptionsTest, RejectsBadWindows) {
  BrokerOptions options;
  options.metrics.retention = absl::Minutes(1);  // Below second_resolution.
  EXPECT_FALSE(Broker::Open(options).ok());
  options.metrics.retention = absl::Hours(1);
  options.metrics.second_resolution = absl::ZeroDuration();
  EXPECT_FALSE(Broker::Open(options).ok());
}

}  // namespace
}  // namespace wharf::testing
