// sns::ParseNotification: what a subscribed queue or function receives, read
// back into its fields.

#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rapidjson/document.h"
#include "rapidjson/stringbuffer.h"
#include "rapidjson/writer.h"
#include "tests/testing/status_matchers.h"
#include "wharf/broker.h"

namespace wharf {
namespace {

using ::testing::HasSubstr;
using ::wharf::testing::HasErrorCode;

class ParseNotificationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(broker_, Broker::Open({.clock = clock_}));
    ASSERT_OK_AND_ASSIGN(auto queue, broker_->sqs().CreateQueue({.queue_name = "inbox"}));
    url_ = queue.queue_url;
    ASSERT_OK_AND_ASSIGN(auto topic, broker_->sns().CreateTopic({.name = "orders"}));
    topic_ = topic.topic_arn;
    ASSERT_OK(broker_->sns().Subscribe({.topic_arn = topic_,
                                        .protocol = "sqs",
                                        .endpoint = "arn:aws:sqs:us-east-1:000000000000:inbox"}));
  }

  std::string ReceiveBody() {
    auto got = broker_->sqs().ReceiveMessage({.queue_url = url_});
    EXPECT_OK(got);
    if (!got.ok() || got->messages.size() != 1) return "";
    return got->messages[0].body;
  }

  std::shared_ptr<ManualClock> clock_ = std::make_shared<ManualClock>();
  std::unique_ptr<Broker> broker_;
  std::string url_;
  std::string topic_;
};

TEST_F(ParseNotificationTest, ReadsTheEnvelopeAQueueReceives) {
  ASSERT_OK_AND_ASSIGN(
      auto published,
      broker_->sns().Publish(
          {.topic_arn = topic_,
           .message = "order 42 shipped",
           .subject = "Shipped",
           .message_attributes = {
               {"kind", MessageAttributeValue::String("shipped")},
               {"qty", MessageAttributeValue::Number(3)},
               {"sig", MessageAttributeValue::Binary(std::string("\x00\xff\x10", 3))},
               {"tags", MessageAttributeValue::StringArray(R"(["a","b"])")}}}));
  ASSERT_OK_AND_ASSIGN(sns::Notification n, sns::ParseNotification(ReceiveBody()));
  EXPECT_EQ(n.type, "Notification");
  EXPECT_EQ(n.message_id, published.message_id);
  EXPECT_EQ(n.topic_arn, topic_);
  EXPECT_EQ(n.subject, "Shipped");
  EXPECT_EQ(n.message, "order 42 shipped");
  EXPECT_EQ(n.timestamp, clock_->Now());
  EXPECT_EQ(n.signature_version, "1");
  EXPECT_FALSE(n.signature.empty());
  EXPECT_THAT(n.signing_cert_url, HasSubstr("https://sns.us-east-1.amazonaws.com/"));
  EXPECT_THAT(n.unsubscribe_url, HasSubstr("SubscriptionArn=" + topic_ + ":"));
  EXPECT_EQ(n.sequence_number, "");
  EXPECT_EQ(
      n.message_attributes,
      (MessageAttributeMap{{"kind", MessageAttributeValue::String("shipped")},
                           {"qty", MessageAttributeValue::Number("3")},
                           {"sig", MessageAttributeValue::Binary(std::string("\x00\xff\x10", 3))},
                           {"tags", MessageAttributeValue::StringArray(R"(["a","b"])")}}));
}

TEST_F(ParseNotificationTest, ASubjectlessNotificationHasNoSubject) {
  ASSERT_OK(broker_->sns().Publish({.topic_arn = topic_, .message = "{\"id\":1}"}));
  ASSERT_OK_AND_ASSIGN(sns::Notification n, sns::ParseNotification(ReceiveBody()));
  EXPECT_FALSE(n.subject.has_value());
  EXPECT_EQ(n.message, "{\"id\":1}");
  EXPECT_TRUE(n.message_attributes.empty());
}

TEST_F(ParseNotificationTest, FifoTopicsCarryASequenceNumber) {
  ASSERT_OK_AND_ASSIGN(auto queue,
                       broker_->sqs().CreateQueue(
                           {.queue_name = "inbox.fifo", .attributes = {{"FifoQueue", "true"}}}));
  ASSERT_OK_AND_ASSIGN(
      auto topic,
      broker_->sns().CreateTopic({.name = "orders.fifo", .attributes = {{"FifoTopic", "true"}}}));
  ASSERT_OK(
      broker_->sns().Subscribe({.topic_arn = topic.topic_arn,
                                .protocol = "sqs",
                                .endpoint = "arn:aws:sqs:us-east-1:000000000000:inbox.fifo"}));
  ASSERT_OK_AND_ASSIGN(auto published, broker_->sns().Publish({.topic_arn = topic.topic_arn,
                                                               .message = "m",
                                                               .message_deduplication_id = "d",
                                                               .message_group_id = "g"}));
  auto got = broker_->sqs().ReceiveMessage({.queue_url = queue.queue_url});
  ASSERT_OK(got);
  ASSERT_EQ(got->messages.size(), 1u);
  ASSERT_OK_AND_ASSIGN(sns::Notification n, sns::ParseNotification(got->messages[0].body));
  EXPECT_EQ(n.sequence_number, published.sequence_number);
  EXPECT_FALSE(n.sequence_number.empty());
}

TEST_F(ParseNotificationTest, ReadsTheSnsRecordOfALambdaEvent) {
  std::string event;
  ASSERT_OK_AND_ASSIGN(auto fn,
                       broker_->sns().RegisterFunction(
                           {.function_name = "handler", .handler = [&event](std::string_view e) {
                              event = std::string(e);
                              return absl::OkStatus();
                            }}));
  ASSERT_OK(broker_->sns().Subscribe(
      {.topic_arn = topic_, .protocol = "lambda", .endpoint = fn.function_arn}));
  ASSERT_OK(broker_->sns().Publish(
      {.topic_arn = topic_,
       .message = "to the function",
       .message_attributes = {{"kind", MessageAttributeValue::String("k")}}}));
  rapidjson::Document doc;
  doc.Parse(event.c_str());
  ASSERT_TRUE(doc.IsObject()) << event;
  rapidjson::StringBuffer record;
  rapidjson::Writer<rapidjson::StringBuffer> writer(record);
  doc["Records"][0]["Sns"].Accept(writer);
  ASSERT_OK_AND_ASSIGN(sns::Notification n, sns::ParseNotification(record.GetString()));
  EXPECT_EQ(n.message, "to the function");
  EXPECT_EQ(n.topic_arn, topic_);
  EXPECT_FALSE(n.subject.has_value());  // "Subject":null in a Lambda record.
  EXPECT_FALSE(n.signing_cert_url.empty());
  EXPECT_FALSE(n.unsubscribe_url.empty());
  EXPECT_EQ(n.message_attributes,
            (MessageAttributeMap{{"kind", MessageAttributeValue::String("k")}}));
}

TEST(ParseNotificationErrorsTest, SaysWhatIsWrong) {
  const std::string ok_head =
      R"({"Type":"Notification","MessageId":"m","TopicArn":"arn:aws:sns:us-east-1:0:t",)";
  struct Case {
    std::string json;
    std::string says;
  } cases[] = {
      {"", "not JSON"},
      {"[1]", "not a JSON object"},
      {R"({"Type":"Notification"})", "MessageId is missing"},
      {ok_head + R"("Message":"x"})", "Timestamp is missing"},
      {ok_head + R"("Message":7,"Timestamp":"2026-01-01T00:00:00.000Z"})",
       "Message is not a string"},
      {ok_head + R"("Message":"x","Timestamp":"yesterday"})", "not an ISO-8601"},
      {ok_head + R"("Message":"x","Timestamp":"2026-01-01T00:00:00.000Z",)"
                 R"("MessageAttributes":{"b":{"Type":"Binary","Value":"@@"}}})",
       "not base64"},
      {ok_head + R"("Message":"x","Timestamp":"2026-01-01T00:00:00.000Z",)"
                 R"("MessageAttributes":{"b":{"Type":"String"}}})",
       "lacks a string Type or Value"},
      {std::string(2000, '[') + std::string(2000, ']'), "not JSON"},
  };
  for (const Case& c : cases) {
    auto parsed = sns::ParseNotification(c.json);
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument) << c.json;
    EXPECT_THAT(parsed.status().message(), HasSubstr(c.says)) << c.json;
  }
}

TEST(ParseNotificationErrorsTest, AMinimalEnvelopeIsEnough) {
  ASSERT_OK_AND_ASSIGN(
      sns::Notification n,
      sns::ParseNotification(R"({"Type":"Notification","MessageId":"m","TopicArn":"t",)"
                             R"("Message":"x","Timestamp":"2026-01-01T00:00:00.5Z","Extra":[1]})"));
  EXPECT_EQ(n.timestamp, absl::FromUnixMillis(1767225600500));
}

}  // namespace
}  // namespace wharf
