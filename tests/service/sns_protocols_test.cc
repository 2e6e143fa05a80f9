// Subscriptions to the protocols wharf does not deliver to (http, https,
// email, email-json, sms, application, firehose): endpoint validation with
// AWS's errors, pending confirmation for http/https/email/email-json, and
// publishing that delivers nothing to them (spec/sns.md §2, §3).

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/service/sns_fixture.h"

namespace wharf::testing {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::Eq;
using ::testing::IsEmpty;
using ::testing::Pair;
using ::testing::StartsWith;

constexpr ErrorCode kInvalid = ErrorCode::kSnsInvalidParameter;

constexpr char kApplicationEndpoint[] =
    "arn:aws:sns:us-east-1:000000000000:endpoint/GCM/app/5e3e9847-3183-3f18-a7e8-671c3a57d4b3";
constexpr char kStream[] = "arn:aws:firehose:us-east-1:000000000000:deliverystream/archive";
constexpr char kRole[] = "arn:aws:iam::000000000000:role/sns-to-firehose";

class SnsProtocolsTest : public SnsTest {
 protected:
  absl::StatusOr<sns::SubscribeResult> Subscribe(const std::string& topic,
                                                 const std::string& protocol,
                                                 const std::string& endpoint,
                                                 sns::AttributeMap attributes = {},
                                                 bool return_arn = false) {
    return sns_.Subscribe({.topic_arn = topic,
                           .protocol = protocol,
                           .endpoint = endpoint,
                           .attributes = std::move(attributes),
                           .return_subscription_arn = return_arn});
  }

  // Subscribes with ReturnSubscriptionArn, so the real ARN comes back.
  std::string SubscribeForArn(const std::string& topic, const std::string& protocol,
                              const std::string& endpoint, sns::AttributeMap attributes = {}) {
    auto result = Subscribe(topic, protocol, endpoint, std::move(attributes), true);
    EXPECT_OK(result);
    return result.ok() ? result->subscription_arn : "";
  }

  std::string Attribute(const std::string& subscription_arn, const std::string& name) {
    auto result = sns_.GetSubscriptionAttributes({.subscription_arn = subscription_arn});
    EXPECT_OK(result);
    if (!result.ok()) return "";
    auto it = result->attributes.find(name);
    return it == result->attributes.end() ? "<absent>" : it->second;
  }

  std::string TopicAttribute(const std::string& topic, const std::string& name) {
    auto result = sns_.GetTopicAttributes({.topic_arn = topic});
    EXPECT_OK(result);
    return result.ok() ? result->attributes[name] : "";
  }
};

struct Endpoint {
  std::string protocol;
  std::string endpoint;
};

TEST_F(SnsProtocolsTest, EveryProtocolAcceptsItsEndpointForms) {
  std::string topic = CreateTopic("orders");
  const std::vector<Endpoint> accepted = {
      {"http", "http://example.com/hook"},
      {"http", "http://localhost:8080"},
      {"https", "https://example.com/hook?x=1"},
      {"email", "ops@example.com"},
      {"email", "first.last+tag@mail.example.co.uk"},
      {"email-json", "ops@example.com"},
      {"sms", "+15550100199"},
      {"sms", "+1-555-010-0199"},
      {"sms", "15550100199"},
      {"application", kApplicationEndpoint},
  };
  for (const Endpoint& e : accepted) {
    SCOPED_TRACE(e.protocol + " " + e.endpoint);
    EXPECT_OK(Subscribe(topic, e.protocol, e.endpoint));
  }
  SCOPED_TRACE("firehose");
  EXPECT_OK(Subscribe(topic, "firehose", kStream, {{"SubscriptionRoleArn", kRole}}));
}

TEST_F(SnsProtocolsTest, HttpEndpointsMustStartWithTheirScheme) {
  std::string topic = CreateTopic("orders");
  const std::vector<Endpoint> rejected = {{"http", "https://example.com"},
                                          {"https", "http://example.com"},
                                          {"http", "example.com"},
                                          {"https", "https://"},
                                          {"http", ""}};
  for (const Endpoint& e : rejected) {
    SCOPED_TRACE(e.protocol + " " + e.endpoint);
    EXPECT_THAT(Subscribe(topic, e.protocol, e.endpoint),
                HasError(kInvalid, Eq("Invalid parameter: Endpoint must match the specified "
                                      "protocol")));
  }
}

TEST_F(SnsProtocolsTest, EmailEndpointsMustBeOneAddress) {
  std::string topic = CreateTopic("orders");
  for (const std::string protocol : {"email", "email-json"}) {
    for (const std::string endpoint :
         {"", "ops", "@example.com", "ops@", "ops@example", "ops@example.", "a@b@example.com",
          "a@example.com;b@example.com", "ops @example.com"}) {
      SCOPED_TRACE(protocol + " " + endpoint);
      EXPECT_THAT(Subscribe(topic, protocol, endpoint),
                  HasError(kInvalid, Eq("Invalid parameter: Email address")));
    }
  }
}

TEST_F(SnsProtocolsTest, SmsEndpointsMustBePhoneNumbers) {
  std::string topic = CreateTopic("orders");
  for (const std::string endpoint :
       {"", "+", "NAA+15550100199", "+15--550100199", "+15550100199.", "/+15550100199",
        "+1234567890123456", "+05550100199", "+1 555 010 0199"}) {
    SCOPED_TRACE(endpoint);
    EXPECT_THAT(Subscribe(topic, "sms", endpoint),
                HasError(kInvalid, Eq("Invalid SMS endpoint: " + endpoint)));
  }
}

TEST_F(SnsProtocolsTest, ApplicationEndpointsMustBePlatformEndpointArns) {
  std::string topic = CreateTopic("orders");
  for (const std::string endpoint : {"", "not-an-arn", "arn:aws:sns:us-east-1:000000000000:orders",
                                     "arn:aws:sns:us-east-1:000000000000:endpoint/GCM/app",
                                     "arn:aws:sqs:us-east-1:000000000000:endpoint/GCM/app/id",
                                     "arn:aws:sns:us-east-1:12:endpoint/GCM/app/id"}) {
    SCOPED_TRACE(endpoint);
    EXPECT_THAT(
        Subscribe(topic, "application", endpoint),
        HasError(kInvalid, Eq("Invalid parameter: Application endpoint arn invalid:" + endpoint)));
  }
}

TEST_F(SnsProtocolsTest, FirehoseEndpointsMustBeDeliveryStreamArns) {
  std::string topic = CreateTopic("orders");
  for (const std::string endpoint :
       {"", "archive", "arn:aws:firehose:us-east-1:000000000000:archive",
        "arn:aws:kinesis:us-east-1:000000000000:deliverystream/archive",
        "arn:aws:firehose:us-east-1:000000000000:deliverystream/"}) {
    SCOPED_TRACE(endpoint);
    EXPECT_THAT(Subscribe(topic, "firehose", endpoint, {{"SubscriptionRoleArn", kRole}}),
                HasError(kInvalid, Eq("Invalid parameter: Firehose endpoint ARN")));
  }
}

TEST_F(SnsProtocolsTest, FirehoseSubscriptionsNeedARoleArn) {
  std::string topic = CreateTopic("orders");
  EXPECT_THAT(Subscribe(topic, "firehose", kStream),
              HasError(kInvalid, Eq("Invalid parameter: SubscriptionRoleArn")));
  EXPECT_THAT(Subscribe(topic, "firehose", kStream, {{"SubscriptionRoleArn", "not-a-role"}}),
              HasError(kInvalid, Eq("Invalid parameter: SubscriptionRoleArn")));
}

TEST_F(SnsProtocolsTest, AFirehoseSubscriptionKeepsItsRoleArn) {
  std::string sub =
      SubscribeForArn(CreateTopic("orders"), "firehose", kStream, {{"SubscriptionRoleArn", kRole}});
  EXPECT_EQ(Attribute(sub, "SubscriptionRoleArn"), kRole);
  for (const std::string value : {"", "not-a-role"}) {
    SCOPED_TRACE(value);
    EXPECT_THAT(sns_.SetSubscriptionAttributes({.subscription_arn = sub,
                                                .attribute_name = "SubscriptionRoleArn",
                                                .attribute_value = value}),
                HasError(kInvalid, Eq("Invalid parameter: SubscriptionRoleArn")));
  }
  const std::string other_role = "arn:aws:iam::000000000000:role/other";
  EXPECT_OK(sns_.SetSubscriptionAttributes({.subscription_arn = sub,
                                            .attribute_name = "SubscriptionRoleArn",
                                            .attribute_value = other_role}));
  EXPECT_EQ(Attribute(sub, "SubscriptionRoleArn"), other_role);
}

TEST_F(SnsProtocolsTest, FifoTopicsStillAcceptOnlySqs) {
  std::string topic = CreateTopic("orders.fifo", {{"FifoTopic", "true"}});
  EXPECT_THAT(Subscribe(topic, "email", "ops@example.com"),
              HasError(kInvalid, Eq("Invalid parameter: Invalid protocol type: email")));
  EXPECT_THAT(Subscribe(topic, "sms", "+15550100199"),
              HasError(kInvalid, Eq("Invalid parameter: Invalid protocol type: sms")));
}

TEST_F(SnsProtocolsTest, RawMessageDeliveryIsOnlyForSqsHttpAndFirehose) {
  std::string topic = CreateTopic("orders");
  sns::AttributeMap raw = {{"RawMessageDelivery", "true"}};
  EXPECT_OK(Subscribe(topic, "http", "http://example.com/hook", raw));
  EXPECT_OK(Subscribe(topic, "https", "https://example.com/hook", raw));
  EXPECT_OK(Subscribe(topic, "firehose", kStream,
                      {{"RawMessageDelivery", "true"}, {"SubscriptionRoleArn", kRole}}));
  for (const Endpoint& e : std::vector<Endpoint>{{"email", "ops@example.com"},
                                                 {"email-json", "ops@example.com"},
                                                 {"sms", "+15550100199"},
                                                 {"application", kApplicationEndpoint}}) {
    SCOPED_TRACE(e.protocol);
    EXPECT_THAT(Subscribe(topic, e.protocol, e.endpoint, raw),
                HasError(kInvalid, Eq("Invalid parameter: Attributes Reason: Delivery protocol [" +
                                      e.protocol + "] does not support raw message delivery.")));
  }
}

TEST_F(SnsProtocolsTest, HttpAndEmailSubscriptionsArePendingConfirmation) {
  std::string topic = CreateTopic("orders");
  for (const Endpoint& e : std::vector<Endpoint>{{"http", "http://example.com/hook"},
                                                 {"https", "https://example.com/hook"},
                                                 {"email", "ops@example.com"},
                                                 {"email-json", "ops@example.com"}}) {
    SCOPED_TRACE(e.protocol);
    ASSERT_OK_AND_ASSIGN(auto result, Subscribe(topic, e.protocol, e.endpoint));
    EXPECT_EQ(result.subscription_arn, "pending confirmation");
  }
}

TEST_F(SnsProtocolsTest, ReturnSubscriptionArnGivesThePendingSubscriptionsArn) {
  std::string topic = CreateTopic("orders");
  ASSERT_OK_AND_ASSIGN(auto result, Subscribe(topic, "email", "ops@example.com", {}, true));
  EXPECT_THAT(result.subscription_arn, StartsWith(topic + ":"));
  EXPECT_EQ(Attribute(result.subscription_arn, "PendingConfirmation"), "true");
}

TEST_F(SnsProtocolsTest, SmsApplicationAndFirehoseSubscriptionsAreConfirmedAtOnce) {
  std::string topic = CreateTopic("orders");
  std::vector<std::string> arns;
  for (const Endpoint& e :
       std::vector<Endpoint>{{"sms", "+15550100199"}, {"application", kApplicationEndpoint}}) {
    ASSERT_OK_AND_ASSIGN(auto result, Subscribe(topic, e.protocol, e.endpoint));
    arns.push_back(result.subscription_arn);
  }
  ASSERT_OK_AND_ASSIGN(auto firehose,
                       Subscribe(topic, "firehose", kStream, {{"SubscriptionRoleArn", kRole}}));
  arns.push_back(firehose.subscription_arn);
  for (const std::string& arn : arns) {
    SCOPED_TRACE(arn);
    EXPECT_THAT(arn, StartsWith(topic + ":"));
    EXPECT_EQ(Attribute(arn, "PendingConfirmation"), "false");
  }
  EXPECT_EQ(TopicAttribute(topic, "SubscriptionsConfirmed"), "3");
  EXPECT_EQ(TopicAttribute(topic, "SubscriptionsPending"), "0");
}

TEST_F(SnsProtocolsTest, GetSubscriptionAttributesReportsAPendingSubscription) {
  std::string topic = CreateTopic("orders");
  std::string sub = SubscribeForArn(topic, "https", "https://example.com/hook");
  ASSERT_OK_AND_ASSIGN(auto attrs, sns_.GetSubscriptionAttributes({.subscription_arn = sub}));
  EXPECT_THAT(attrs.attributes, Contains(Pair("SubscriptionArn", sub)));
  EXPECT_THAT(attrs.attributes, Contains(Pair("Protocol", "https")));
  EXPECT_THAT(attrs.attributes, Contains(Pair("Endpoint", "https://example.com/hook")));
  EXPECT_THAT(attrs.attributes, Contains(Pair("PendingConfirmation", "true")));
  EXPECT_THAT(attrs.attributes, Contains(Pair("ConfirmationWasAuthenticated", "false")));
  EXPECT_THAT(attrs.attributes, Contains(Pair("RawMessageDelivery", "false")));
}

TEST_F(SnsProtocolsTest, ListingsShowPendingSubscriptionsWithoutTheirArn) {
  std::string topic = CreateTopic("orders");
  SubscribeForArn(topic, "email", "ops@example.com");
  std::string sms = SubscribeForArn(topic, "sms", "+15550100199");
  ASSERT_OK_AND_ASSIGN(auto by_topic, sns_.ListSubscriptionsByTopic({.topic_arn = topic}));
  ASSERT_OK_AND_ASSIGN(auto all, sns_.ListSubscriptions({}));
  for (const auto* list : {&by_topic, &all}) {
    std::vector<std::pair<std::string, std::string>> seen;
    for (const sns::Subscription& s : list->subscriptions) {
      EXPECT_EQ(s.topic_arn, topic);
      EXPECT_EQ(s.owner, "000000000000");
      seen.emplace_back(s.protocol + " " + s.endpoint, s.subscription_arn);
    }
    std::sort(seen.begin(), seen.end());
    EXPECT_THAT(seen, ElementsAre(Pair("email ops@example.com", "PendingConfirmation"),
                                  Pair("sms +15550100199", sms)));
  }
}

TEST_F(SnsProtocolsTest, TopicCountsPendingAndConfirmedSubscriptionsApart) {
  std::string topic = CreateTopic("orders");
  SubscribeQueue(topic, "a");
  SubscribeForArn(topic, "sms", "+15550100199");
  SubscribeForArn(topic, "email", "ops@example.com");
  SubscribeForArn(topic, "http", "http://example.com/hook");
  EXPECT_EQ(TopicAttribute(topic, "SubscriptionsConfirmed"), "2");
  EXPECT_EQ(TopicAttribute(topic, "SubscriptionsPending"), "2");
}

TEST_F(SnsProtocolsTest, SubscribingAPendingEndpointAgainReturnsTheSameSubscription) {
  std::string topic = CreateTopic("orders");
  std::string sub = SubscribeForArn(topic, "email", "ops@example.com");
  EXPECT_EQ(SubscribeForArn(topic, "email", "ops@example.com"), sub);
  ASSERT_OK_AND_ASSIGN(auto again, Subscribe(topic, "email", "ops@example.com"));
  EXPECT_EQ(again.subscription_arn, "pending confirmation");
  EXPECT_EQ(TopicAttribute(topic, "SubscriptionsPending"), "1");
  EXPECT_THAT(Subscribe(topic, "email", "ops@example.com", {{"FilterPolicy", R"({"k":["v"]})"}}),
              HasError(kInvalid, Eq("Invalid parameter: Attributes Reason: Subscription already "
                                    "exists with different attributes")));
}

TEST_F(SnsProtocolsTest, UnsubscribeRemovesAPendingSubscriptionByItsArn) {
  std::string topic = CreateTopic("orders");
  std::string sub = SubscribeForArn(topic, "email", "ops@example.com");
  EXPECT_OK(sns_.Unsubscribe({.subscription_arn = sub}));
  ASSERT_OK_AND_ASSIGN(auto list, sns_.ListSubscriptionsByTopic({.topic_arn = topic}));
  EXPECT_THAT(list.subscriptions, IsEmpty());
  EXPECT_EQ(TopicAttribute(topic, "SubscriptionsPending"), "0");
  EXPECT_EQ(TopicAttribute(topic, "SubscriptionsDeleted"), "1");
  EXPECT_THAT(sns_.GetSubscriptionAttributes({.subscription_arn = sub}),
              HasErrorCode(ErrorCode::kSnsNotFound));
}

TEST_F(SnsProtocolsTest, PublishDeliversOnlyToTheSqsSubscriber) {
  std::string topic = CreateTopic("orders");
  SubscribeQueue(topic, "a");
  // Every other subscriber has a dead-letter queue that would show a failed
  // delivery, and a filter policy the message matches.
  sns::AttributeMap attributes = {
      {"RedrivePolicy", R"({"deadLetterTargetArn":")" + QueueArn("dlq") + R"("})"},
      {"FilterPolicy", R"({"k":["v"]})"}};
  const std::vector<Endpoint> others = {{"http", "http://example.com/hook"},
                                        {"https", "https://example.com/hook"},
                                        {"email", "ops@example.com"},
                                        {"email-json", "ops@example.com"},
                                        {"sms", "+15550100199"},
                                        {"application", kApplicationEndpoint}};
  for (const Endpoint& e : others) SubscribeForArn(topic, e.protocol, e.endpoint, attributes);
  sns::AttributeMap firehose = attributes;
  firehose["SubscriptionRoleArn"] = kRole;
  SubscribeForArn(topic, "firehose", kStream, firehose);

  ASSERT_OK(Publish(topic, "hello", {{"k", StringAttr("v")}}));
  ASSERT_OK(Publish(topic, "unfiltered"));
  clock_.Advance(absl::Hours(24));  // Any retry would have run by now.

  EXPECT_THAT(EnvelopeMessages("a"), ElementsAre("hello", "unfiltered"));
  EXPECT_THAT(Bodies("dlq"), IsEmpty());
  for (const Endpoint& e : others) EXPECT_THAT(queues_.Bodies(e.endpoint), IsEmpty());
  EXPECT_THAT(queues_.Bodies(kStream), IsEmpty());
  EXPECT_EQ(sns_.TEST_NumDroppedDeliveries(), 0);
}

}  // namespace
}  // namespace wharf::testing
