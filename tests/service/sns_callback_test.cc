// Function ("lambda") subscriptions: the event a function receives, calls
// made with no lock held, retries on the broker's clock and dead-lettering
// after the delivery policy is exhausted (spec/sns.md §2.2, §7).

#include <atomic>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/service/sns_fixture.h"

namespace wharf::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::Eq;
using ::testing::SizeIs;

class SnsCallbackTest : public SnsTest {
 protected:
  void SetUp() override { topic_ = CreateTopic("orders"); }

  // Registers a function that records events and fails its first
  // `failures` calls.
  std::string RegisterRecorder(const std::string& name, int failures) {
    failures_left_ = failures;
    auto result =
        sns_.RegisterFunction({.function_name = name, .handler = [this](std::string_view event) {
                                 events_.push_back(std::string(event));
                                 if (failures_left_ > 0) {
                                   --failures_left_;
                                   return absl::UnavailableError("function threw");
                                 }
                                 return absl::OkStatus();
                               }});
    EXPECT_OK(result);
    return result->function_arn;
  }

  std::string SubscribeFunction(const std::string& function_arn, sns::AttributeMap attrs = {}) {
    auto result = sns_.Subscribe({.topic_arn = topic_,
                                  .protocol = "lambda",
                                  .endpoint = function_arn,
                                  .attributes = std::move(attrs)});
    EXPECT_OK(result);
    return result.ok() ? result->subscription_arn : "";
  }

  sns::AttributeMap WithDeadLetterQueue(sns::AttributeMap attrs = {}) {
    attrs["RedrivePolicy"] = R"({"deadLetterTargetArn":")" + QueueArn("dlq") + "\"}";
    return attrs;
  }

  std::string topic_;
  std::vector<std::string> events_;  // Only touched on the test thread.
  int failures_left_ = 0;
};

TEST_F(SnsCallbackTest, RegisterFunctionReturnsALambdaArn) {
  EXPECT_EQ(RegisterRecorder("handler", 0),
            "arn:aws:lambda:us-east-1:000000000000:function:handler");
}

TEST_F(SnsCallbackTest, FunctionReceivesTheLambdaEventOnce) {
  std::string sub = SubscribeFunction(RegisterRecorder("handler", 0));
  ASSERT_OK_AND_ASSIGN(auto published, Publish(topic_, "hello", {{"k", StringAttr("v")}}));
  ASSERT_THAT(events_, SizeIs(1));
  rapidjson::Document doc;
  doc.Parse(events_[0].c_str());
  const rapidjson::Value& record = doc["Records"][0];
  EXPECT_STREQ(record["EventSource"].GetString(), "aws:sns");
  EXPECT_EQ(record["EventSubscriptionArn"].GetString(), sub);
  EXPECT_EQ(record["Sns"]["MessageId"].GetString(), published.message_id);
  EXPECT_STREQ(record["Sns"]["Message"].GetString(), "hello");
  EXPECT_STREQ(record["Sns"]["MessageAttributes"]["k"]["Value"].GetString(), "v");
}

// LocalStack test_publish_sqs_verify_signature (AWS-validated): a
// SignatureVersion=2 topic's SQS envelopes say "2"; function events keep "1",
// as AWS's do.
TEST_F(SnsCallbackTest, SignatureVersionTwoShowsInSqsEnvelopesOnly) {
  ASSERT_OK(sns_.SetTopicAttributes(
      {.topic_arn = topic_, .attribute_name = "SignatureVersion", .attribute_value = "2"}));
  SubscribeFunction(RegisterRecorder("handler", 0));
  SubscribeQueue(topic_, "q");
  ASSERT_OK(Publish(topic_, "hello"));
  ASSERT_THAT(events_, SizeIs(1));
  rapidjson::Document event;
  event.Parse(events_[0].c_str());
  EXPECT_STREQ(event["Records"][0]["Sns"]["SignatureVersion"].GetString(), "1");
  ASSERT_THAT(Bodies("q"), SizeIs(1));
  rapidjson::Document envelope;
  envelope.Parse(Bodies("q")[0].c_str());
  EXPECT_STREQ(envelope["SignatureVersion"].GetString(), "2");
}

TEST_F(SnsCallbackTest, MessageStructureJsonSendsTheLambdaText) {
  SubscribeFunction(RegisterRecorder("handler", 0));
  ASSERT_OK(sns_.Publish({.topic_arn = topic_,
                          .message = R"({"default":"d","lambda":"for functions"})",
                          .message_structure = "json"}));
  rapidjson::Document doc;
  doc.Parse(events_.at(0).c_str());
  EXPECT_STREQ(doc["Records"][0]["Sns"]["Message"].GetString(), "for functions");
}

TEST_F(SnsCallbackTest, FunctionIsCalledWithNoLockHeld) {
  // The handler calls back into the service; a lock held around the call
  // would deadlock here.
  std::vector<std::string> seen;
  auto fn = sns_.RegisterFunction(
      {.function_name = "reentrant", .handler = [&](std::string_view) {
         auto attrs = sns_.GetTopicAttributes({.topic_arn = topic_});
         EXPECT_OK(attrs);
         auto sub =
             sns_.Subscribe({.topic_arn = topic_, .protocol = "sqs", .endpoint = QueueArn("late")});
         EXPECT_OK(sub);
         seen.push_back("called");
         return absl::OkStatus();
       }});
  ASSERT_OK(fn);
  SubscribeFunction(fn->function_arn);
  ASSERT_OK(Publish(topic_, "hello"));
  EXPECT_THAT(seen, SizeIs(1));
}

TEST_F(SnsCallbackTest, FailedCallIsRetriedImmediatelyThenOnTheClock) {
  SubscribeFunction(RegisterRecorder("flaky", 4), WithDeadLetterQueue());
  ASSERT_OK(Publish(topic_, "hello"));
  // The managed-endpoint policy: 3 immediate retries after the first call.
  EXPECT_THAT(events_, SizeIs(4));
  clock_.Advance(absl::Milliseconds(999));
  EXPECT_THAT(events_, SizeIs(4));
  clock_.Advance(absl::Milliseconds(1));
  EXPECT_THAT(events_, SizeIs(5));  // Succeeds now.
  clock_.Advance(absl::Hours(1));
  EXPECT_THAT(events_, SizeIs(5));
  EXPECT_THAT(Bodies("dlq"), SizeIs(0));
}

TEST_F(SnsCallbackTest, ExhaustedRetriesGoToTheSubscriptionDeadLetterQueue) {
  std::string sub = SubscribeFunction(RegisterRecorder("broken", 1000), WithDeadLetterQueue());
  ASSERT_OK_AND_ASSIGN(auto published, Publish(topic_, "hello"));
  clock_.Advance(absl::Minutes(10));
  EXPECT_THAT(events_, SizeIs(16));  // 1 call + 15 retries.
  std::vector<queue_internal::SendArgs> dlq = queues_.Messages(QueueArn("dlq"));
  ASSERT_THAT(dlq, SizeIs(1));
  rapidjson::Document doc;
  doc.Parse(std::string(dlq[0].payload->body()).c_str());
  EXPECT_STREQ(doc["Type"].GetString(), "Notification");
  EXPECT_EQ(doc["MessageId"].GetString(), published.message_id);
  EXPECT_STREQ(doc["Message"].GetString(), "hello");
  ASSERT_NE(dlq[0].payload->attributes(), nullptr);
  const auto& attrs = dlq[0].payload->attributes()->message_attributes;
  EXPECT_EQ(attrs.at("ErrorCode").string_value, "UNAVAILABLE");
  EXPECT_EQ(attrs.at("ErrorMessage").string_value, "function threw");
  EXPECT_THAT(attrs.at("RequestID").string_value, SizeIs(36));
  EXPECT_FALSE(dlq[0].payload->attributes()->md5_of_message_attributes.empty());
}

TEST_F(SnsCallbackTest, DeliveryPolicySetsTheRetrySchedule) {
  SubscribeFunction(
      RegisterRecorder("broken", 1000),
      WithDeadLetterQueue(
          {{"DeliveryPolicy", R"({"healthyRetryPolicy":{"numRetries":2,"minDelayTarget":30,)"
                              R"("maxDelayTarget":30}})"}}));
  ASSERT_OK(Publish(topic_, "hello"));
  EXPECT_THAT(events_, SizeIs(1));
  clock_.Advance(absl::Seconds(30));
  EXPECT_THAT(events_, SizeIs(2));
  EXPECT_THAT(Bodies("dlq"), SizeIs(0));
  clock_.Advance(absl::Seconds(30));
  EXPECT_THAT(events_, SizeIs(3));
  EXPECT_THAT(Bodies("dlq"), SizeIs(1));
}

TEST_F(SnsCallbackTest, UnregisteredFunctionFailsLikeADeletedLambda) {
  std::string arn = RegisterRecorder("gone", 0);
  SubscribeFunction(arn, WithDeadLetterQueue());
  ASSERT_OK(sns_.UnregisterFunction(arn));
  ASSERT_OK(Publish(topic_, "hello"));
  clock_.Advance(absl::Minutes(10));
  EXPECT_THAT(events_, SizeIs(0));
  EXPECT_THAT(Bodies("dlq"), SizeIs(1));
}

TEST_F(SnsCallbackTest, RetriesStopWhenTheSubscriptionIsRemoved) {
  std::string sub = SubscribeFunction(RegisterRecorder("broken", 1000), WithDeadLetterQueue());
  ASSERT_OK(Publish(topic_, "hello"));
  EXPECT_THAT(events_, SizeIs(4));
  ASSERT_OK(sns_.Unsubscribe({.subscription_arn = sub}));
  clock_.Advance(absl::Minutes(10));
  EXPECT_THAT(events_, SizeIs(4));
  EXPECT_THAT(Bodies("dlq"), SizeIs(0));
}

TEST_F(SnsCallbackTest, RawDeliveryIsNotSupportedForFunctions) {
  std::string arn = RegisterRecorder("handler", 0);
  EXPECT_THAT(sns_.Subscribe({.topic_arn = topic_,
                              .protocol = "lambda",
                              .endpoint = arn,
                              .attributes = {{"RawMessageDelivery", "true"}}}),
              HasError(ErrorCode::kSnsInvalidParameter,
                       Eq("Invalid parameter: Attributes Reason: Delivery protocol [lambda] "
                          "does not support raw message delivery.")));
}

TEST_F(SnsCallbackTest, FilterPoliciesApplyToFunctions) {
  SubscribeFunction(RegisterRecorder("handler", 0), {{"FilterPolicy", R"({"k":["yes"]})"}});
  ASSERT_OK(Publish(topic_, "no", {{"k", StringAttr("no")}}));
  ASSERT_OK(Publish(topic_, "yes", {{"k", StringAttr("yes")}}));
  EXPECT_THAT(events_, SizeIs(1));
}

}  // namespace
}  // namespace wharf::testing
