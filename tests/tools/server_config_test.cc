// The wharf-server configuration file, applied through the services'
// operation tables: resources it declares exist afterwards, a bad line is
// reported with its number and the AWS message, and JSON values nested far
// too deep are errors, not crashes.

#include "broker/tools/server_config.h"

#include <map>
#include <memory>
#include <sstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "wharf/broker.h"
#include "wharf/clock.h"

namespace wharf::tools {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

class ServerConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(broker_, Broker::Open({.clock = std::make_shared<ManualClock>()}));
  }

  absl::Status Apply(const std::string& text) {
    std::istringstream in(text);
    return ApplyConfig(in, "test.conf", *broker_, &credentials_);
  }

  // The message of the error Apply(text) returns.
  std::string ErrorOf(const std::string& text) { return std::string(Apply(text).message()); }

  std::unique_ptr<Broker> broker_;
  std::map<std::string, std::string> credentials_;
};

TEST_F(ServerConfigTest, CreatesWhatTheDirectivesDeclare) {
  ASSERT_OK(Apply(R"(# a comment line
queue dlq
queue jobs VisibilityTimeout=45 RedrivePolicy="{\"deadLetterTargetArn\":\"arn:aws:sqs:us-east-1:000000000000:dlq\",\"maxReceiveCount\":2}" tag:team=wire
queue jobs.fifo FifoQueue=true ContentBasedDeduplication=true  # trailing comment
credential AKID "a secret"
bus orders description="all orders" tag:team=core
rule orders placed pattern="{\"source\":[\"shop\"]}" target=arn:aws:sqs:us-east-1:000000000000:jobs target:audit=arn:aws:sqs:us-east-1:000000000000:dlq
topic news DisplayName=News tag:team=wire
subscription news sqs jobs RawMessageDelivery=true
)"));
  ASSERT_OK_AND_ASSIGN(sqs::GetQueueUrlResult jobs,
                       broker_->sqs().GetQueueUrl({.queue_name = "jobs"}));
  ASSERT_OK_AND_ASSIGN(
      sqs::GetQueueAttributesResult attributes,
      broker_->sqs().GetQueueAttributes({.queue_url = jobs.queue_url, .attribute_names = {"All"}}));
  EXPECT_EQ(attributes.attributes["VisibilityTimeout"], "45");
  EXPECT_THAT(attributes.attributes["RedrivePolicy"], HasSubstr("\"maxReceiveCount\":2"));
  ASSERT_OK_AND_ASSIGN(sqs::ListQueueTagsResult tags,
                       broker_->sqs().ListQueueTags({.queue_url = jobs.queue_url}));
  EXPECT_EQ(tags.tags, (sqs::TagMap{{"team", "wire"}}));
  EXPECT_OK(broker_->sqs().GetQueueUrl({.queue_name = "jobs.fifo"}).status());
  EXPECT_EQ(credentials_, (std::map<std::string, std::string>{{"AKID", "a secret"}}));
  ASSERT_OK_AND_ASSIGN(
      events::ListTargetsByRuleResult targets,
      broker_->events().ListTargetsByRule({.rule = "placed", .event_bus_name = "orders"}));
  ASSERT_EQ(targets.targets.size(), 2u);
  EXPECT_EQ(targets.targets[0].id, "audit");
  EXPECT_EQ(targets.targets[1].id, "t1");
  ASSERT_OK_AND_ASSIGN(sns::ListSubscriptionsResult subscriptions,
                       broker_->sns().ListSubscriptions({}));
  ASSERT_EQ(subscriptions.subscriptions.size(), 1u);
  EXPECT_EQ(subscriptions.subscriptions[0].endpoint, "arn:aws:sqs:us-east-1:000000000000:jobs");
}

TEST_F(ServerConfigTest, ABadLineIsReportedWithItsNumberAndTheAwsMessage) {
  EXPECT_EQ(Apply("queue ok\nfly away\n"),
            absl::InvalidArgumentError("test.conf:2: unknown directive 'fly'"));
  EXPECT_EQ(Apply("queue q VisibilityTimeout\n"),
            absl::InvalidArgumentError(
                "test.conf:1: queue: expected Attribute=value, got 'VisibilityTimeout'"));
  EXPECT_EQ(Apply("queue q \"unterminated\n"),
            absl::InvalidArgumentError("test.conf:1: unterminated quote"));
  EXPECT_THAT(ErrorOf("queue bad! VisibilityTimeout=1\n"),
              StartsWith("test.conf:1: queue bad!: Can only include alphanumeric characters"));
  EXPECT_THAT(ErrorOf("queue q2 VisibilityTimeout=-1\n"),
              StartsWith("test.conf:1: queue q2: Invalid value for the parameter "
                         "VisibilityTimeout"));
  EXPECT_THAT(ErrorOf("rule default r pattern=\"{\\\"source\\\":[\\\"s\\\"]}\" "
                      "target:bad!=arn:aws:sqs:us-east-1:000000000000:q\n"),
              StartsWith("test.conf:1: rule default/r: 1 validation error detected: Value 'bad!' "
                         "at 'targets.1.member.id'"));
  EXPECT_THAT(ErrorOf("subscription nope sqs q\n"),
              StartsWith("test.conf:1: subscription nope q: "));
}

TEST_F(ServerConfigTest, DeepJsonValuesAreErrorsNotCrashes) {
  const std::string deep = std::string(200'000, '[') + std::string(200'000, ']');
  EXPECT_THAT(ErrorOf("queue q RedrivePolicy=" + deep + "\n"),
              HasSubstr("for parameter RedrivePolicy is invalid. Reason: Redrive policy is not "
                        "a valid JSON map."));
  EXPECT_THAT(ErrorOf("queue q Policy=" + deep + "\n"),
              HasSubstr("Policy must be a valid JSON document."));
  // Patterns are at most 4,096 characters; 2,000 levels fit.
  const std::string pattern = "{\"a\":" + std::string(2000, '[') + std::string(2000, ']') + "}";
  EXPECT_THAT(ErrorOf("rule default r pattern=" + pattern + "\n"),
              HasSubstr("test.conf:1: rule default/r: Event pattern is not valid."));
  ASSERT_OK(Apply("topic t\nqueue q\n"));
  const std::string policy =
      "{\"a\":" + std::string(100'000, '[') + std::string(100'000, ']') + "}";
  EXPECT_THAT(ErrorOf("subscription t sqs q FilterPolicy=" + policy + "\n"),
              HasSubstr("FilterPolicy: failed to parse JSON"));
  EXPECT_THAT(ErrorOf("topic t2 DeliveryPolicy=" + deep + "\n"), HasSubstr("failed to parse JSON"));
}

}  // namespace
}  // namespace wharf::tools
