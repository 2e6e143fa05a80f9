// AWS/SNS metrics after known traffic, exact on the ManualClock: published,
// delivered (queues and functions), failed, filtered out (and why),
// redriven to the dead-letter queue or not, PublishSize; and the same counts
// in the Prometheus text.

#include <string>
#include <vector>

#include "tests/service/cloudwatch_fixture.h"

namespace wharf::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Optional;

class CloudWatchSnsMetricsTest : public CloudWatchTest {
 protected:
  std::optional<double> SnsSum(const std::string& metric, const std::string& topic) {
    std::vector<cloudwatch::Datapoint> p =
        Points("AWS/SNS", metric, {{"TopicName", topic}}, 0, 60, 60);
    if (p.empty()) return std::nullopt;
    EXPECT_EQ(p.size(), 1u);
    return p[0].sum;
  }
  void Subscribe(const std::string& topic_arn, const std::string& protocol,
                 const std::string& endpoint, sns::AttributeMap attributes = {}) {
    ASSERT_OK(sns()
                  .Subscribe({.topic_arn = topic_arn,
                              .protocol = protocol,
                              .endpoint = endpoint,
                              .attributes = std::move(attributes)})
                  .status());
  }
  static sns::AttributeMap RedriveTo(const std::string& queue) {
    return {{"RedrivePolicy", R"({"deadLetterTargetArn":")" + ArnOf(queue) + "\"}"}};
  }
};

TEST_F(CloudWatchSnsMetricsTest, EveryMetricAfterKnownTraffic) {
  const std::string topic = CreateTopic("orders");
  Create("all");
  Create("red");
  Create("json");
  Create("dlq");
  const std::string gone = Create("gone");
  const std::string gone_too = Create("gone-too");
  const std::string lost = Create("lost");
  const std::string lost_dlq = Create("lost-dlq");
  int calls = 0;
  ASSERT_OK_AND_ASSIGN(sns::RegisterFunctionResult fn,
                       sns().RegisterFunction({.function_name = "ok", .handler = [&](auto) {
                                                 ++calls;
                                                 return absl::OkStatus();
                                               }}));
  Subscribe(topic, "sqs", ArnOf("all"));
  Subscribe(topic, "sqs", ArnOf("red"), {{"FilterPolicy", R"({"color":["red"]})"}});
  Subscribe(topic, "sqs", ArnOf("json"),
            {{"FilterPolicy", R"({"kind":["a"]})"}, {"FilterPolicyScope", "MessageBody"}});
  Subscribe(topic, "sqs", ArnOf("gone"), RedriveTo("dlq"));       // Redriven.
  Subscribe(topic, "sqs", ArnOf("gone-too"));                     // Failed, no DLQ.
  Subscribe(topic, "sqs", ArnOf("lost"), RedriveTo("lost-dlq"));  // DLQ gone too.
  Subscribe(topic, "lambda", fn.function_arn);
  for (const std::string& url : {gone, gone_too, lost, lost_dlq}) {
    ASSERT_OK(sqs().DeleteQueue({.queue_url = url}));
  }

  // Second 0: not JSON, no attributes: "red" and "json" filter it out.
  ASSERT_OK(sns().Publish({.topic_arn = topic, .message = "hello"}).status());
  AdvanceTo(5);
  // Second 5: both filters match; then neither (a valid body and attributes).
  ASSERT_OK(
      sns()
          .Publish({.topic_arn = topic,
                    .message = R"({"kind":"a"})",
                    .message_attributes = {{"color", sns::MessageAttributeValue::String("red")}}})
          .status());
  ASSERT_OK(
      sns()
          .Publish({.topic_arn = topic,
                    .message = R"({"kind":"b"})",
                    .message_attributes = {{"color", sns::MessageAttributeValue::String("blue")}}})
          .status());
  AdvanceTo(60);
  EXPECT_EQ(calls, 3);

  std::vector<cloudwatch::Datapoint> p =
      Points("AWS/SNS", "NumberOfMessagesPublished", {{"TopicName", "orders"}}, 0, 60, 60);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].unit, "Count");
  // One datapoint for the minute, its count (publishes at 0 and 5).
  EXPECT_THAT(p[0].sample_count, Optional(1.0));
  EXPECT_THAT(p[0].sum, Optional(3.0));
  EXPECT_THAT(p[0].minimum, Optional(3.0));
  EXPECT_THAT(p[0].maximum, Optional(3.0));

  // all x3, red x1, json x1, the function x3.
  EXPECT_THAT(SnsSum("NumberOfNotificationsDelivered", "orders"), Optional(8.0));
  // gone, gone-too and lost, each x3.
  EXPECT_THAT(SnsSum("NumberOfNotificationsFailed", "orders"), Optional(9.0));
  EXPECT_THAT(SnsSum("NumberOfNotificationsRedrivenToDlq", "orders"), Optional(3.0));
  EXPECT_THAT(SnsSum("NumberOfNotificationsFailedToRedriveToDlq", "orders"), Optional(3.0));
  EXPECT_THAT(SnsSum("NumberOfNotificationsFilteredOut", "orders"), Optional(4.0));
  EXPECT_THAT(SnsSum("NumberOfNotificationsFilteredOut-NoMessageAttributes", "orders"),
              Optional(1.0));
  EXPECT_THAT(SnsSum("NumberOfNotificationsFilteredOut-InvalidMessageBody", "orders"),
              Optional(1.0));
  // The third message's: "red" by its attributes, "json" by its body.
  EXPECT_THAT(SnsSum("NumberOfNotificationsFilteredOut-MessageAttributes", "orders"),
              Optional(1.0));
  EXPECT_THAT(SnsSum("NumberOfNotificationsFilteredOut-MessageBody", "orders"), Optional(1.0));

  // Body plus attributes (name, type, value): 5; 12 + 5 + 6 + 3; 12 + 5 + 6 + 4.
  p = Points("AWS/SNS", "PublishSize", {{"TopicName", "orders"}}, 0, 60, 60);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].unit, "Bytes");
  EXPECT_THAT(p[0].sample_count, Optional(3.0));
  EXPECT_THAT(p[0].sum, Optional(58.0));
  EXPECT_THAT(p[0].minimum, Optional(5.0));
  EXPECT_THAT(p[0].maximum, Optional(27.0));

  const std::string text = cw().RenderPrometheus();
  EXPECT_THAT(text, HasSubstr("# TYPE wharf_sns_messages_published_total counter\n"
                              "wharf_sns_messages_published_total{topic=\"orders\"} 3\n"));
  EXPECT_THAT(text, HasSubstr("wharf_sns_notifications_delivered_total{topic=\"orders\"} 8\n"));
  EXPECT_THAT(text, HasSubstr("wharf_sns_notifications_filtered_out_total{topic=\"orders\"} 4\n"));
  EXPECT_THAT(text, HasSubstr("wharf_sns_publish_size_bytes_count{topic=\"orders\"} 3\n"));
}

TEST_F(CloudWatchSnsMetricsTest, AFailingFunctionCountsOnceWhenSnsGivesUp) {
  const std::string topic = CreateTopic("jobs");
  Create("fn-dlq");
  ASSERT_OK_AND_ASSIGN(sns::RegisterFunctionResult fn,
                       sns().RegisterFunction({.function_name = "broken", .handler = [](auto) {
                                                 return absl::InternalError("boom");
                                               }}));
  Subscribe(topic, "lambda", fn.function_arn, RedriveTo("fn-dlq"));
  ASSERT_OK(sns().Publish({.topic_arn = topic, .message = "m"}).status());
  // One advance runs the whole retry schedule; its tasks see the time it
  // advanced to, so the failure lands in the minute from 600.
  AdvanceTo(600);
  auto sum = [&](const std::string& metric, int64_t start) -> std::optional<double> {
    std::vector<cloudwatch::Datapoint> p =
        Points("AWS/SNS", metric, {{"TopicName", "jobs"}}, start, start + 60, 60);
    if (p.empty()) return std::nullopt;
    EXPECT_EQ(p.size(), 1u);
    return p[0].sum;
  };
  EXPECT_EQ(sum("NumberOfNotificationsFailed", 0), std::nullopt);
  EXPECT_THAT(sum("NumberOfNotificationsFailed", 600), Optional(1.0));
  EXPECT_THAT(sum("NumberOfNotificationsRedrivenToDlq", 600), Optional(1.0));
  EXPECT_THAT(sum("NumberOfMessagesPublished", 0), Optional(1.0));
  EXPECT_EQ(SnsSum("NumberOfNotificationsDelivered", "jobs"), std::nullopt);
}

TEST_F(CloudWatchSnsMetricsTest, ADeletedTopicStopsReporting) {
  const std::string topic = CreateTopic("short-lived");
  ASSERT_OK(sns().Publish({.topic_arn = topic, .message = "m"}).status());
  ASSERT_OK(sns().DeleteTopic({.topic_arn = topic}));
  EXPECT_THAT(cw().RenderPrometheus(), Not(HasSubstr("short-lived")));
}

}  // namespace
}  // namespace wharf::testing
