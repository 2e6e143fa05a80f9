// SNS through wharf::Broker, end to end into real SQS queues: what a
// consumer receives (envelope, raw body and attributes, digests), FIFO
// topics into FIFO queues, dead-lettering when a queue is deleted, and the
// order-events fan-out of examples/order_fanout.cc.

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rapidjson/document.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"
#include "wharf/broker.h"

namespace wharf {
namespace {

using ::testing::ElementsAre;
using ::testing::SizeIs;
using ::testing::UnorderedElementsAre;

sns::MessageAttributeValue StringAttr(std::string v) {
  return {.data_type = "String", .string_value = std::move(v)};
}

class SnsBrokerTest : public ::testing::Test {
 protected:
  // With WHARF_TEST_DURABLE=1, a durable broker (a fresh data_dir per test).
  void SetUp() override {
    const char* durable = std::getenv("WHARF_TEST_DURABLE");
    const bool is_durable = durable != nullptr && std::string(durable) == "1";
    ASSERT_OK_AND_ASSIGN(
        broker_, Broker::Open({.clock = clock_, .data_dir = is_durable ? data_dir_.path() : ""}));
  }

  // Creates a queue; returns its ARN.
  std::string CreateQueue(const std::string& name, sqs::AttributeMap attributes = {}) {
    auto url = broker_->sqs().CreateQueue({.queue_name = name, .attributes = attributes});
    EXPECT_OK(url);
    urls_[name] = url->queue_url;
    return "arn:aws:sqs:us-east-1:000000000000:" + name;
  }

  std::vector<sqs::Message> ReceiveAll(const std::string& queue) {
    std::vector<sqs::Message> all;
    for (;;) {
      auto got = broker_->sqs().ReceiveMessage({.queue_url = urls_[queue],
                                                .max_number_of_messages = 10,
                                                .message_attribute_names = {"All"}});
      EXPECT_OK(got);
      if (!got.ok() || got->messages.empty()) return all;
      for (auto& m : got->messages) {
        EXPECT_OK(broker_->sqs().DeleteMessage(
            {.queue_url = urls_[queue], .receipt_handle = m.receipt_handle}));
        all.push_back(std::move(m));
      }
    }
  }

  // The Message field of each envelope in the queue, in receive order.
  std::vector<std::string> Messages(const std::string& queue) {
    std::vector<std::string> out;
    for (const auto& m : ReceiveAll(queue)) {
      rapidjson::Document doc;
      doc.Parse(m.body.c_str());
      out.push_back(doc.IsObject() ? doc["Message"].GetString() : m.body);
    }
    return out;
  }

  testing::TempDir data_dir_;  // Used in durable runs; outlives broker_.
  std::shared_ptr<ManualClock> clock_ = std::make_shared<ManualClock>();
  std::unique_ptr<Broker> broker_;
  std::map<std::string, std::string> urls_;
};

TEST_F(SnsBrokerTest, SqsSubscriberReceivesTheEnvelopeWithAMatchingDigest) {
  std::string queue = CreateQueue("q");
  ASSERT_OK_AND_ASSIGN(auto topic, broker_->sns().CreateTopic({.name = "orders"}));
  ASSERT_OK_AND_ASSIGN(auto sub,
                       broker_->sns().Subscribe(
                           {.topic_arn = topic.topic_arn, .protocol = "sqs", .endpoint = queue}));
  ASSERT_OK_AND_ASSIGN(auto published,
                       broker_->sns().Publish({.topic_arn = topic.topic_arn, .message = "hi"}));
  std::vector<sqs::Message> got = ReceiveAll("q");
  ASSERT_THAT(got, SizeIs(1));
  EXPECT_NE(got[0].message_id, published.message_id);  // SQS assigns its own id.
  rapidjson::Document doc;
  doc.Parse(got[0].body.c_str());
  EXPECT_EQ(doc["MessageId"].GetString(), published.message_id);
  EXPECT_THAT(doc["UnsubscribeURL"].GetString(), ::testing::HasSubstr(sub.subscription_arn));
  EXPECT_TRUE(got[0].message_attributes.empty());
  EXPECT_EQ(got[0].md5_of_body.size(), 32u);
}

TEST_F(SnsBrokerTest, RawSubscriberReceivesSqsMessageAttributes) {
  std::string queue = CreateQueue("raw");
  ASSERT_OK_AND_ASSIGN(auto topic, broker_->sns().CreateTopic({.name = "orders"}));
  ASSERT_OK(broker_->sns().Subscribe({.topic_arn = topic.topic_arn,
                                      .protocol = "sqs",
                                      .endpoint = queue,
                                      .attributes = {{"RawMessageDelivery", "true"}}}));
  ASSERT_OK(broker_->sns().Publish(
      {.topic_arn = topic.topic_arn,
       .message = "hello",
       .message_attributes = {{"attr1", {.data_type = "Number", .string_value = "99.12"}}}}));
  std::vector<sqs::Message> got = ReceiveAll("raw");
  ASSERT_THAT(got, SizeIs(1));
  EXPECT_EQ(got[0].body, "hello");
  EXPECT_EQ(got[0].message_attributes.at("attr1").data_type, "Number");
  EXPECT_EQ(got[0].message_attributes.at("attr1").string_value, "99.12");
  EXPECT_EQ(got[0].md5_of_message_attributes, "d302007e9aa062660afc85fd0a482472");
}

// LocalStack test_publish_sqs_from_sns_with_xray_propagation (AWS-validated):
// the consumer reads the publisher's trace header as AWSTraceHeader.
TEST_F(SnsBrokerTest, SqsSubscriberReceivesThePublishersTraceHeader) {
  std::string queue = CreateQueue("q");
  ASSERT_OK_AND_ASSIGN(auto topic, broker_->sns().CreateTopic({.name = "orders"}));
  ASSERT_OK(broker_->sns().Subscribe(
      {.topic_arn = topic.topic_arn, .protocol = "sqs", .endpoint = queue}));
  const std::string trace =
      "Root=1-3152b799-8954dae64eda91bc9a23a7e8;Parent=7fa8c0f79203be72;Sampled=1";
  ASSERT_OK(broker_->sns().Publish({.topic_arn = topic.topic_arn,
                                    .message = "X-Ray propagation test msg",
                                    .aws_trace_header = trace}));
  ASSERT_OK_AND_ASSIGN(auto got, broker_->sqs().ReceiveMessage(
                                     {.queue_url = urls_["q"],
                                      .message_system_attribute_names = {"AWSTraceHeader"}}));
  ASSERT_THAT(got.messages, SizeIs(1));
  EXPECT_EQ(got.messages[0].attributes.at("AWSTraceHeader"), trace);
}

TEST_F(SnsBrokerTest, QueueDelayAppliesToFannedOutMessages) {
  std::string queue = CreateQueue("slow", {{"DelaySeconds", "10"}});
  ASSERT_OK_AND_ASSIGN(auto topic, broker_->sns().CreateTopic({.name = "orders"}));
  ASSERT_OK(broker_->sns().Subscribe(
      {.topic_arn = topic.topic_arn, .protocol = "sqs", .endpoint = queue}));
  ASSERT_OK(broker_->sns().Publish({.topic_arn = topic.topic_arn, .message = "later"}));
  EXPECT_THAT(Messages("slow"), SizeIs(0));
  clock_->Advance(absl::Seconds(10));
  EXPECT_THAT(Messages("slow"), ElementsAre("later"));
}

TEST_F(SnsBrokerTest, FifoTopicDeliversGroupsInOrderIntoFifoQueues) {
  std::string queue = CreateQueue("q.fifo", {{"FifoQueue", "true"}});
  ASSERT_OK_AND_ASSIGN(
      auto topic,
      broker_->sns().CreateTopic(
          {.name = "orders.fifo",
           .attributes = {{"FifoTopic", "true"}, {"ContentBasedDeduplication", "true"}}}));
  ASSERT_OK(broker_->sns().Subscribe(
      {.topic_arn = topic.topic_arn, .protocol = "sqs", .endpoint = queue}));
  for (std::string m : {"a1", "a2", "a3"}) {
    ASSERT_OK(broker_->sns().Publish(
        {.topic_arn = topic.topic_arn, .message = m, .message_group_id = "a"}));
  }
  ASSERT_OK(broker_->sns().Publish(
      {.topic_arn = topic.topic_arn, .message = "a1", .message_group_id = "a"}));  // Duplicate.
  EXPECT_THAT(Messages("q.fifo"), ElementsAre("a1", "a2", "a3"));
}

TEST_F(SnsBrokerTest, DeletedQueueSendsTheEnvelopeToTheSubscriptionDeadLetterQueue) {
  std::string queue = CreateQueue("gone");
  std::string dlq = CreateQueue("dlq");
  ASSERT_OK_AND_ASSIGN(auto topic, broker_->sns().CreateTopic({.name = "orders"}));
  ASSERT_OK(broker_->sns().Subscribe(
      {.topic_arn = topic.topic_arn,
       .protocol = "sqs",
       .endpoint = queue,
       .attributes = {{"RedrivePolicy", R"({"deadLetterTargetArn":")" + dlq + "\"}"}}}));
  ASSERT_OK(broker_->sqs().DeleteQueue({.queue_url = urls_["gone"]}));
  ASSERT_OK(broker_->sns().Publish({.topic_arn = topic.topic_arn, .message = "lost?"}));
  EXPECT_THAT(Messages("dlq"), ElementsAre("lost?"));
}

// The broker caches queue resolutions per ARN; a queue deleted after a
// delivery and created again under the same name must get the next one.
TEST_F(SnsBrokerTest, QueueRecreatedUnderTheSameNameReceivesLaterPublishes) {
  std::string queue = CreateQueue("again");
  ASSERT_OK_AND_ASSIGN(auto topic, broker_->sns().CreateTopic({.name = "orders"}));
  ASSERT_OK(broker_->sns().Subscribe(
      {.topic_arn = topic.topic_arn, .protocol = "sqs", .endpoint = queue}));
  ASSERT_OK(broker_->sns().Publish({.topic_arn = topic.topic_arn, .message = "first"}));
  ASSERT_OK(broker_->sqs().DeleteQueue({.queue_url = urls_["again"]}));
  clock_->Advance(absl::Seconds(61));  // SQS refuses the name for 60 s.
  CreateQueue("again");
  ASSERT_OK(broker_->sns().Publish({.topic_arn = topic.topic_arn, .message = "second"}));
  EXPECT_THAT(Messages("again"), ElementsAre("second"));
}

TEST_F(SnsBrokerTest, FailingFunctionIsRetriedAndDeadLetteredIntoARealQueue) {
  std::string dlq = CreateQueue("fn-dlq");
  ASSERT_OK_AND_ASSIGN(auto topic, broker_->sns().CreateTopic({.name = "orders"}));
  int calls = 0;
  ASSERT_OK_AND_ASSIGN(auto fn, broker_->sns().RegisterFunction(
                                    {.function_name = "broken", .handler = [&](std::string_view) {
                                       ++calls;
                                       return absl::InternalError("boom");
                                     }}));
  ASSERT_OK(broker_->sns().Subscribe(
      {.topic_arn = topic.topic_arn,
       .protocol = "lambda",
       .endpoint = fn.function_arn,
       .attributes = {{"RedrivePolicy", R"({"deadLetterTargetArn":")" + dlq + "\"}"}}}));
  ASSERT_OK(broker_->sns().Publish({.topic_arn = topic.topic_arn, .message = "m"}));
  clock_->Advance(absl::Minutes(5));
  EXPECT_EQ(calls, 16);
  std::vector<sqs::Message> got = ReceiveAll("fn-dlq");
  ASSERT_THAT(got, SizeIs(1));
  EXPECT_EQ(got[0].message_attributes.at("ErrorMessage").string_value, "boom");
}

// The order-events fan-out: one topic; inventory wants placed/cancelled
// orders, shipping wants paid orders to North America, analytics takes
// everything raw.
TEST_F(SnsBrokerTest, OrderEventsFanOutByFilterPolicy) {
  std::string inventory = CreateQueue("inventory");
  std::string shipping = CreateQueue("shipping");
  std::string analytics = CreateQueue("analytics");
  ASSERT_OK_AND_ASSIGN(auto topic, broker_->sns().CreateTopic({.name = "order-events"}));
  const std::string& arn = topic.topic_arn;
  ASSERT_OK(broker_->sns().Subscribe(
      {.topic_arn = arn,
       .protocol = "sqs",
       .endpoint = inventory,
       .attributes = {{"FilterPolicy", R"({"event_type":["order_placed","order_cancelled"]})"}}}));
  ASSERT_OK(broker_->sns().Subscribe(
      {.topic_arn = arn,
       .protocol = "sqs",
       .endpoint = shipping,
       .attributes = {
           {"FilterPolicy", R"({"event_type":["order_paid"],"country":["US","CA"]})"}}}));
  ASSERT_OK(broker_->sns().Subscribe({.topic_arn = arn,
                                      .protocol = "sqs",
                                      .endpoint = analytics,
                                      .attributes = {{"RawMessageDelivery", "true"}}}));
  struct Event {
    std::string body, type, country;
  };
  for (const Event& e : std::vector<Event>{{"o1 placed", "order_placed", "US"},
                                           {"o1 paid", "order_paid", "US"},
                                           {"o2 placed", "order_placed", "FR"},
                                           {"o2 paid", "order_paid", "FR"},
                                           {"o3 cancelled", "order_cancelled", "CA"}}) {
    ASSERT_OK(broker_->sns().Publish({.topic_arn = arn,
                                      .message = e.body,
                                      .message_attributes = {{"event_type", StringAttr(e.type)},
                                                             {"country", StringAttr(e.country)}}}));
  }
  EXPECT_THAT(Messages("inventory"),
              UnorderedElementsAre("o1 placed", "o2 placed", "o3 cancelled"));
  EXPECT_THAT(Messages("shipping"), UnorderedElementsAre("o1 paid"));
  EXPECT_THAT(Messages("analytics"),
              UnorderedElementsAre("o1 placed", "o1 paid", "o2 placed", "o2 paid", "o3 cancelled"));
}

}  // namespace
}  // namespace wharf
