// Topic, subscription and tag operations of the SNS service: ARNs,
// idempotency, attributes, limits and the AWS errors of spec/sns.md §1-§2.

#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/service/sns_fixture.h"

namespace wharf::testing {
namespace {

using ::testing::Contains;
using ::testing::Eq;
using ::testing::HasSubstr;
using ::testing::Key;
using ::testing::Not;
using ::testing::Pair;
using ::testing::SizeIs;
using ::testing::StartsWith;

constexpr ErrorCode kInvalid = ErrorCode::kSnsInvalidParameter;

class SnsTopicsTest : public SnsTest {};

TEST_F(SnsTopicsTest, CreateTopicReturnsAnAwsArn) {
  EXPECT_EQ(CreateTopic("orders"), "arn:aws:sns:us-east-1:000000000000:orders");
}

TEST_F(SnsTopicsTest, CreateTopicIsIdempotentForTheSameAttributes) {
  std::string arn = CreateTopic("orders", {{"DisplayName", "Orders"}});
  EXPECT_EQ(CreateTopic("orders", {{"DisplayName", "Orders"}}), arn);
}

TEST_F(SnsTopicsTest, CreateTopicWithDifferentAttributesFails) {
  CreateTopic("orders", {{"DisplayName", "Orders"}});
  EXPECT_THAT(sns_.CreateTopic({.name = "orders", .attributes = {{"DisplayName", "Other"}}}),
              HasError(kInvalid, Eq("Invalid parameter: Attributes Reason: Topic already exists "
                                    "with different attributes")));
}

TEST_F(SnsTopicsTest, CreateTopicWithDifferentTagsFails) {
  ASSERT_OK(sns_.CreateTopic({.name = "orders", .tags = {{"team", "a"}}}));
  EXPECT_THAT(sns_.CreateTopic({.name = "orders", .tags = {{"team", "b"}}}),
              HasError(kInvalid, Eq("Invalid parameter: Tags Reason: Topic already exists with "
                                    "different tags")));
}

// LocalStack test_create_duplicate_topic_check_idempotency and
// test_create_duplicate_topic_with_more_tags (AWS-validated).
TEST_F(SnsTopicsTest, CreateTopicWithASubsetOfTheTagsIsIdempotent) {
  ASSERT_OK_AND_ASSIGN(auto created,
                       sns_.CreateTopic({.name = "orders", .tags = {{"a", "1"}, {"b", "2"}}}));
  for (std::vector<sns::Tag> tags : {std::vector<sns::Tag>{{"a", "1"}, {"b", "2"}},
                                     std::vector<sns::Tag>{{"a", "1"}}, std::vector<sns::Tag>{}}) {
    ASSERT_OK_AND_ASSIGN(auto again, sns_.CreateTopic({.name = "orders", .tags = tags}));
    EXPECT_EQ(again.topic_arn, created.topic_arn);
  }
  const auto different = HasError(
      kInvalid, Eq("Invalid parameter: Tags Reason: Topic already exists with different tags"));
  EXPECT_THAT(sns_.CreateTopic({.name = "orders", .tags = {{"a", "1"}, {"c", "3"}}}), different);
  ASSERT_OK(sns_.CreateTopic({.name = "plain"}));
  EXPECT_THAT(sns_.CreateTopic({.name = "plain", .tags = {{"key1", "value1"}}}), different);
}

// LocalStack test_topic_get_attributes_with_fifo_false (AWS-validated).
TEST_F(SnsTopicsTest, StandardTopicDoesNotReportFifoTopicFalse) {
  std::string topic = CreateTopic("orders", {{"FifoTopic", "false"}});
  ASSERT_OK_AND_ASSIGN(auto attrs, sns_.GetTopicAttributes({.topic_arn = topic}));
  EXPECT_THAT(attrs.attributes, Not(Contains(Key("FifoTopic"))));
  EXPECT_EQ(CreateTopic("orders", {{"FifoTopic", "false"}}), topic);
}

TEST_F(SnsTopicsTest, CreateTopicRejectsInvalidNames) {
  for (std::string name :
       {std::string(""), std::string("has space"), std::string("dot.ted"), std::string(257, 'a')}) {
    EXPECT_THAT(sns_.CreateTopic({.name = name}),
                HasError(kInvalid, Eq("Invalid parameter: Topic Name")))
        << name;
  }
  EXPECT_OK(sns_.CreateTopic({.name = std::string(256, 'a')}));
}

// A FIFO topic's bad name has the same text as a standard one's (LocalStack
// test_create_topic_name_constraints / test_create_topic_different_attrs,
// recorded against AWS in 2026).
TEST_F(SnsTopicsTest, FifoTopicNameMustEndInFifo) {
  EXPECT_THAT(sns_.CreateTopic({.name = "orders", .attributes = {{"FifoTopic", "true"}}}),
              HasError(kInvalid, Eq("Invalid parameter: Topic Name")));
  EXPECT_THAT(sns_.CreateTopic({.name = "bad name.fifo", .attributes = {{"FifoTopic", "true"}}}),
              HasError(kInvalid, Eq("Invalid parameter: Topic Name")));
  EXPECT_THAT(sns_.CreateTopic({.name = "orders.fifo"}),
              HasError(kInvalid, Eq("Invalid parameter: Topic Name")));
  EXPECT_OK(sns_.CreateTopic({.name = "orders.fifo", .attributes = {{"FifoTopic", "true"}}}));
}

TEST_F(SnsTopicsTest, ContentBasedDeduplicationIsOnlyForFifoTopics) {
  EXPECT_THAT(
      sns_.CreateTopic({.name = "orders", .attributes = {{"ContentBasedDeduplication", "true"}}}),
      HasErrorCode(kInvalid));
}

TEST_F(SnsTopicsTest, GetTopicAttributesOfAnUnknownTopicIsNotFound) {
  EXPECT_THAT(sns_.GetTopicAttributes({.topic_arn = "arn:aws:sns:us-east-1:000000000000:nope"}),
              HasError(ErrorCode::kSnsNotFound, Eq("Topic does not exist")));
}

TEST_F(SnsTopicsTest, MalformedArnReportsItsElementCount) {
  EXPECT_THAT(sns_.GetTopicAttributes({.topic_arn = "arn:aws:sns:us-east-1"}),
              HasError(kInvalid, Eq("Invalid parameter: TopicArn Reason: An ARN must have at "
                                    "least 6 elements, not 4")));
}

TEST_F(SnsTopicsTest, CrossRegionTopicArnIsInvalid) {
  EXPECT_THAT(Publish("arn:aws:sns:eu-west-1:000000000000:orders", "x"),
              HasError(kInvalid, Eq("Invalid parameter: TopicArn")));
}

TEST_F(SnsTopicsTest, GetTopicAttributesReportsOwnerPolicyAndSubscriptionCounts) {
  std::string topic = CreateTopic("orders");
  SubscribeQueue(topic, "a");
  std::string b = SubscribeQueue(topic, "b");
  ASSERT_OK(sns_.Unsubscribe({.subscription_arn = b}));
  ASSERT_OK_AND_ASSIGN(auto attrs, sns_.GetTopicAttributes({.topic_arn = topic}));
  EXPECT_THAT(attrs.attributes, Contains(Pair("TopicArn", topic)));
  EXPECT_THAT(attrs.attributes, Contains(Pair("Owner", "000000000000")));
  EXPECT_THAT(attrs.attributes, Contains(Pair("SubscriptionsConfirmed", "1")));
  EXPECT_THAT(attrs.attributes, Contains(Pair("SubscriptionsPending", "0")));
  EXPECT_THAT(attrs.attributes, Contains(Pair("SubscriptionsDeleted", "1")));
  EXPECT_THAT(attrs.attributes, Contains(Key("Policy")));
  EXPECT_THAT(attrs.attributes, Contains(Key("EffectiveDeliveryPolicy")));
}

TEST_F(SnsTopicsTest, FifoTopicReportsFifoAttributes) {
  std::string topic =
      CreateTopic("orders.fifo", {{"FifoTopic", "true"}, {"ContentBasedDeduplication", "true"}});
  ASSERT_OK_AND_ASSIGN(auto attrs, sns_.GetTopicAttributes({.topic_arn = topic}));
  EXPECT_THAT(attrs.attributes, Contains(Pair("FifoTopic", "true")));
  EXPECT_THAT(attrs.attributes, Contains(Pair("ContentBasedDeduplication", "true")));
}

TEST_F(SnsTopicsTest, SetTopicAttributesChangesAnAttribute) {
  std::string topic = CreateTopic("orders");
  ASSERT_OK(sns_.SetTopicAttributes(
      {.topic_arn = topic, .attribute_name = "DisplayName", .attribute_value = "Shop orders"}));
  ASSERT_OK_AND_ASSIGN(auto attrs, sns_.GetTopicAttributes({.topic_arn = topic}));
  EXPECT_THAT(attrs.attributes, Contains(Pair("DisplayName", "Shop orders")));
}

TEST_F(SnsTopicsTest, SetTopicAttributesRejectsUnknownAndReadOnlyNames) {
  std::string topic = CreateTopic("orders");
  for (std::string name : {"Bogus", "FifoTopic", "TopicArn"}) {
    EXPECT_THAT(sns_.SetTopicAttributes(
                    {.topic_arn = topic, .attribute_name = name, .attribute_value = "x"}),
                HasError(kInvalid, Eq("Invalid parameter: AttributeName")))
        << name;
  }
}

TEST_F(SnsTopicsTest, DeleteTopicRemovesItsSubscriptions) {
  std::string topic = CreateTopic("orders");
  std::string sub = SubscribeQueue(topic, "a");
  ASSERT_OK(sns_.DeleteTopic({.topic_arn = topic}));
  EXPECT_THAT(sns_.GetSubscriptionAttributes({.subscription_arn = sub}),
              HasError(ErrorCode::kSnsNotFound, Eq("Subscription does not exist")));
  ASSERT_OK_AND_ASSIGN(auto subs, sns_.ListSubscriptions({}));
  EXPECT_THAT(subs.subscriptions, SizeIs(0));
}

TEST_F(SnsTopicsTest, DeletingAnUnknownTopicSucceeds) {
  EXPECT_OK(sns_.DeleteTopic({.topic_arn = "arn:aws:sns:us-east-1:000000000000:nope"}));
}

TEST_F(SnsTopicsTest, ListTopicsReturnsPagesOfOneHundred) {
  for (int i = 0; i < 150; ++i) CreateTopic("t" + std::to_string(1000 + i));
  ASSERT_OK_AND_ASSIGN(auto first, sns_.ListTopics({}));
  EXPECT_THAT(first.topics, SizeIs(100));
  ASSERT_FALSE(first.next_token.empty());
  ASSERT_OK_AND_ASSIGN(auto second, sns_.ListTopics({.next_token = first.next_token}));
  EXPECT_THAT(second.topics, SizeIs(50));
  EXPECT_TRUE(second.next_token.empty());
  EXPECT_LT(first.topics.back().topic_arn, second.topics.front().topic_arn);
}

// The token is base64, as AWS's (LocalStack
// test_list_subscriptions_by_topic_pagination decodes one, AWS-validated);
// one that does not decode to a topic's ARN is refused.
TEST_F(SnsTopicsTest, NextTokenIsBase64) {
  std::string topic = CreateTopic("orders");
  for (int i = 0; i < 101; ++i) SubscribeQueue(topic, "q" + std::to_string(i));
  ASSERT_OK_AND_ASSIGN(auto first, sns_.ListSubscriptionsByTopic({.topic_arn = topic}));
  std::string decoded;
  ASSERT_TRUE(absl::Base64Unescape(first.next_token, &decoded)) << first.next_token;
  EXPECT_THAT(decoded, StartsWith(topic + ":"));
  ASSERT_OK_AND_ASSIGN(auto second, sns_.ListSubscriptionsByTopic(
                                        {.topic_arn = topic, .next_token = first.next_token}));
  EXPECT_THAT(second.subscriptions, SizeIs(1));
  for (std::string bad : {std::string("arn:aws:sns:us-east-1:000000000000:orders"),
                          absl::Base64Escape("something else")}) {
    EXPECT_THAT(sns_.ListTopics({.next_token = bad}),
                HasError(kInvalid, Eq("Invalid parameter: NextToken")));
  }
}

// ---- Tags -------------------------------------------------------------------

TEST_F(SnsTopicsTest, TagsAreAddedListedAndRemoved) {
  std::string topic = CreateTopic("orders");
  ASSERT_OK(sns_.TagResource({.resource_arn = topic, .tags = {{"b", "2"}, {"a", "1"}}}));
  ASSERT_OK_AND_ASSIGN(auto tags, sns_.ListTagsForResource({.resource_arn = topic}));
  EXPECT_THAT(tags.tags, ::testing::ElementsAre(sns::Tag{"a", "1"}, sns::Tag{"b", "2"}));
  ASSERT_OK(sns_.UntagResource({.resource_arn = topic, .tag_keys = {"a"}}));
  ASSERT_OK_AND_ASSIGN(tags, sns_.ListTagsForResource({.resource_arn = topic}));
  EXPECT_THAT(tags.tags, ::testing::ElementsAre(sns::Tag{"b", "2"}));
}

TEST_F(SnsTopicsTest, DuplicateTagKeysInOneRequestAreRejected) {
  std::string topic = CreateTopic("orders");
  EXPECT_THAT(sns_.TagResource({.resource_arn = topic, .tags = {{"a", "1"}, {"a", "2"}}}),
              HasError(kInvalid, Eq("Invalid parameter: Duplicated keys are not allowed.")));
}

TEST_F(SnsTopicsTest, MoreThanFiftyTagsExceedTheLimit) {
  std::string topic = CreateTopic("orders");
  std::vector<sns::Tag> tags;
  for (int i = 0; i < 50; ++i) tags.push_back({"k" + std::to_string(i), "v"});
  ASSERT_OK(sns_.TagResource({.resource_arn = topic, .tags = tags}));
  EXPECT_THAT(sns_.TagResource({.resource_arn = topic, .tags = {{"one-more", "v"}}}),
              HasErrorCode(ErrorCode::kSnsTagLimitExceeded));
}

TEST_F(SnsTopicsTest, TagsOfAnUnknownTopicAreResourceNotFound) {
  EXPECT_THAT(sns_.ListTagsForResource({.resource_arn = "arn:aws:sns:us-east-1:000000000000:nope"}),
              HasErrorCode(ErrorCode::kSnsResourceNotFound));
}

// ---- Subscriptions ----------------------------------------------------------

TEST_F(SnsTopicsTest, SubscriptionArnIsTheTopicArnAndAUuid) {
  std::string topic = CreateTopic("orders");
  EXPECT_THAT(
      SubscribeQueue(topic, "a"),
      ::testing::MatchesRegex("arn:aws:sns:us-east-1:000000000000:orders:"
                              "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"));
}

TEST_F(SnsTopicsTest, SqsEndpointMustBeAQueueArn) {
  std::string topic = CreateTopic("orders");
  EXPECT_THAT(sns_.Subscribe({.topic_arn = topic,
                              .protocol = "sqs",
                              .endpoint = "https://sqs.us-east-1.amazonaws.com/000000000000/a"}),
              HasError(kInvalid, Eq("Invalid parameter: SQS endpoint ARN")));
}

TEST_F(SnsTopicsTest, UnknownProtocolIsRejected) {
  std::string topic = CreateTopic("orders");
  EXPECT_THAT(sns_.Subscribe({.topic_arn = topic, .protocol = "carrier-pigeon", .endpoint = "x"}),
              HasError(kInvalid, Eq("Invalid parameter: Amazon SNS does not support this "
                                    "protocol string: carrier-pigeon")));
}

TEST_F(SnsTopicsTest, FifoQueueCannotSubscribeToAStandardTopic) {
  std::string topic = CreateTopic("orders");
  EXPECT_THAT(
      sns_.Subscribe({.topic_arn = topic, .protocol = "sqs", .endpoint = QueueArn("a.fifo")}),
      HasError(kInvalid, Eq("Invalid parameter: Invalid parameter: Endpoint Reason: FIFO SQS "
                            "Queues can not be subscribed to standard SNS topics")));
}

TEST_F(SnsTopicsTest, SubscribingToAnUnknownTopicIsNotFound) {
  EXPECT_THAT(sns_.Subscribe({.topic_arn = "arn:aws:sns:us-east-1:000000000000:nope",
                              .protocol = "sqs",
                              .endpoint = QueueArn("a")}),
              HasErrorCode(ErrorCode::kSnsNotFound));
}

// LocalStack test_subscribe_idempotency (AWS-validated): values compare
// after normalisation, with defaults applied; attributes left out are not
// compared.
TEST_F(SnsTopicsTest, SubscribeIsIdempotentForTheSameEndpointAndAttributes) {
  std::string topic = CreateTopic("orders");
  std::string sub = SubscribeQueue(topic, "a", {{"RawMessageDelivery", "True"}});
  EXPECT_EQ(SubscribeQueue(topic, "a", {{"RawMessageDelivery", "true"}}), sub);
  EXPECT_EQ(
      SubscribeQueue(topic, "a",
                     {{"RawMessageDelivery", "true"}, {"FilterPolicyScope", "MessageAttributes"}}),
      sub);
  EXPECT_EQ(SubscribeQueue(topic, "a"), sub);
  EXPECT_EQ(SubscribeQueue(topic, "a", {{"FilterPolicyScope", "MessageAttributes"}}), sub);
  const auto different = HasError(kInvalid, Eq("Invalid parameter: Attributes Reason: "
                                               "Subscription already exists with different "
                                               "attributes"));
  auto subscribe = [&](sns::AttributeMap attributes) {
    return sns_.Subscribe({.topic_arn = topic,
                           .protocol = "sqs",
                           .endpoint = QueueArn("a"),
                           .attributes = std::move(attributes)});
  };
  EXPECT_THAT(subscribe({{"RawMessageDelivery", "false"}, {"FilterPolicyScope", "MessageBody"}}),
              different);
  EXPECT_THAT(subscribe({{"RawMessageDelivery", "false"}}), different);
  EXPECT_THAT(subscribe({{"FilterPolicyScope", "MessageBody"}}), different);
  EXPECT_THAT(subscribe({{"FilterPolicy", R"({"k":["v"]})"}}), different);
}

// LocalStack test_data_protection_policy_crud (AWS-validated): the document
// comes back as put, and GetTopicAttributes does not show it.
TEST_F(SnsTopicsTest, DataProtectionPolicyIsStoredAndReturned) {
  std::string topic = CreateTopic("orders");
  ASSERT_OK_AND_ASSIGN(auto none, sns_.GetDataProtectionPolicy({.resource_arn = topic}));
  EXPECT_EQ(none.data_protection_policy, "");
  const std::string policy =
      R"({"Name":"data_protection_policy","Description":"Test Policy","Version":"2021-06-01",)"
      R"("Statement":[{"Sid":"test-statement","DataDirection":"Inbound","Principal":["*"],)"
      R"("DataIdentifier":["arn:aws:dataprotection:us-east-1::data-identifier/EmailAddress"],)"
      R"("Operation":{"Deny":{}}}]})";
  ASSERT_OK_AND_ASSIGN(auto attributes_before, sns_.GetTopicAttributes({.topic_arn = topic}));
  ASSERT_OK(
      sns_.PutDataProtectionPolicy({.resource_arn = topic, .data_protection_policy = policy}));
  ASSERT_OK_AND_ASSIGN(auto got, sns_.GetDataProtectionPolicy({.resource_arn = topic}));
  EXPECT_EQ(got.data_protection_policy, policy);
  ASSERT_OK_AND_ASSIGN(auto attributes, sns_.GetTopicAttributes({.topic_arn = topic}));
  EXPECT_EQ(attributes.attributes, attributes_before.attributes);
  // An empty policy removes it.
  ASSERT_OK(sns_.PutDataProtectionPolicy({.resource_arn = topic, .data_protection_policy = ""}));
  ASSERT_OK_AND_ASSIGN(got, sns_.GetDataProtectionPolicy({.resource_arn = topic}));
  EXPECT_EQ(got.data_protection_policy, "");
}

TEST_F(SnsTopicsTest, CreateTopicStoresItsDataProtectionPolicy) {
  const std::string policy = R"({"Name":"p","Version":"2021-06-01","Statement":[]})";
  ASSERT_OK_AND_ASSIGN(auto created,
                       sns_.CreateTopic({.name = "orders", .data_protection_policy = policy}));
  ASSERT_OK_AND_ASSIGN(auto got, sns_.GetDataProtectionPolicy({.resource_arn = created.topic_arn}));
  EXPECT_EQ(got.data_protection_policy, policy);
  // Creating the topic again keeps the policy it has.
  ASSERT_OK(sns_.CreateTopic({.name = "orders"}));
  ASSERT_OK_AND_ASSIGN(got, sns_.GetDataProtectionPolicy({.resource_arn = created.topic_arn}));
  EXPECT_EQ(got.data_protection_policy, policy);
  EXPECT_THAT(sns_.CreateTopic({.name = "other", .data_protection_policy = "not json"}),
              HasError(kInvalid, Eq("Invalid parameter: DataProtectionPolicy")));
}

TEST_F(SnsTopicsTest, DataProtectionPolicyErrors) {
  std::string topic = CreateTopic("orders");
  const std::string missing = "arn:aws:sns:us-east-1:000000000000:missing";
  EXPECT_THAT(sns_.GetDataProtectionPolicy({.resource_arn = missing}),
              HasError(ErrorCode::kSnsNotFound, Eq("Topic does not exist")));
  EXPECT_THAT(
      sns_.PutDataProtectionPolicy({.resource_arn = missing, .data_protection_policy = "{}"}),
      HasError(ErrorCode::kSnsNotFound, Eq("Topic does not exist")));
  EXPECT_THAT(sns_.GetDataProtectionPolicy({.resource_arn = "not-an-arn"}), HasErrorCode(kInvalid));
  for (const std::string& bad : {std::string("not json"), std::string("[1]"),
                                 R"({"Name":")" + std::string(30720, 'x') + R"("})"}) {
    EXPECT_THAT(
        sns_.PutDataProtectionPolicy({.resource_arn = topic, .data_protection_policy = bad}),
        HasError(kInvalid, Eq("Invalid parameter: DataProtectionPolicy")));
  }
  // 30,720 characters (not bytes) is the longest: 11 of JSON, 30,709 two-byte ones.
  std::string longest = R"({"Name":")";
  for (int i = 0; i < 30709; ++i) longest += "\u00e9";
  longest += R"("})";
  EXPECT_OK(
      sns_.PutDataProtectionPolicy({.resource_arn = topic, .data_protection_policy = longest}));
  EXPECT_THAT(
      sns_.PutDataProtectionPolicy(
          {.resource_arn = topic, .data_protection_policy = "{\"a\":1," + longest.substr(1)}),
      HasErrorCode(kInvalid));
}

TEST_F(SnsTopicsTest, GetSubscriptionAttributesReportsTheSubscription) {
  std::string topic = CreateTopic("orders");
  std::string sub = SubscribeQueue(topic, "a", {{"FilterPolicy", R"({"k":["v"]})"}});
  ASSERT_OK_AND_ASSIGN(auto attrs, sns_.GetSubscriptionAttributes({.subscription_arn = sub}));
  EXPECT_THAT(attrs.attributes, Contains(Pair("SubscriptionArn", sub)));
  EXPECT_THAT(attrs.attributes, Contains(Pair("TopicArn", topic)));
  EXPECT_THAT(attrs.attributes, Contains(Pair("Protocol", "sqs")));
  EXPECT_THAT(attrs.attributes, Contains(Pair("Endpoint", QueueArn("a"))));
  EXPECT_THAT(attrs.attributes, Contains(Pair("Owner", "000000000000")));
  // AWS shows the subscriber's IAM principal (LocalStack
  // test_create_subscriptions_with_attributes, AWS-validated); wharf's is the
  // account's root.
  EXPECT_THAT(attrs.attributes,
              Contains(Pair("SubscriptionPrincipal", "arn:aws:iam::000000000000:root")));
  EXPECT_THAT(attrs.attributes, Contains(Pair("PendingConfirmation", "false")));
  EXPECT_THAT(attrs.attributes, Contains(Pair("RawMessageDelivery", "false")));
  EXPECT_THAT(attrs.attributes, Contains(Pair("FilterPolicy", R"({"k":["v"]})")));
  EXPECT_THAT(attrs.attributes, Contains(Pair("FilterPolicyScope", "MessageAttributes")));
}

TEST_F(SnsTopicsTest, SetSubscriptionAttributesRejectsUnknownNames) {
  std::string sub = SubscribeQueue(CreateTopic("orders"), "a");
  EXPECT_THAT(sns_.SetSubscriptionAttributes(
                  {.subscription_arn = sub, .attribute_name = "Bogus", .attribute_value = "1"}),
              HasError(kInvalid, Eq("Invalid parameter: AttributeName")));
}

TEST_F(SnsTopicsTest, RawMessageDeliveryMustBeTrueOrFalse) {
  std::string topic = CreateTopic("orders");
  EXPECT_THAT(sns_.Subscribe({.topic_arn = topic,
                              .protocol = "sqs",
                              .endpoint = QueueArn("a"),
                              .attributes = {{"RawMessageDelivery", "yes"}}}),
              HasError(kInvalid, Eq("Invalid parameter: Attributes Reason: RawMessageDelivery: "
                                    "Invalid value [yes]. Must be true or false.")));
  std::string sub = SubscribeQueue(topic, "a");
  EXPECT_THAT(sns_.SetSubscriptionAttributes({.subscription_arn = sub,
                                              .attribute_name = "RawMessageDelivery",
                                              .attribute_value = "yes"}),
              HasError(kInvalid, Eq("Invalid parameter: RawMessageDelivery: Invalid value "
                                    "[yes]. Must be true or false.")));
  // Unlike FilterPolicy, an empty value does not remove it (LocalStack
  // test_validate_set_sub_attributes, AWS-recorded).
  EXPECT_THAT(
      sns_.SetSubscriptionAttributes(
          {.subscription_arn = sub, .attribute_name = "RawMessageDelivery", .attribute_value = ""}),
      HasError(kInvalid, Eq("Invalid parameter: RawMessageDelivery: Invalid value "
                            "[]. Must be true or false.")));
}

TEST_F(SnsTopicsTest, FilterPolicyScopeMustBeKnown) {
  std::string sub = SubscribeQueue(CreateTopic("orders"), "a");
  EXPECT_THAT(sns_.SetSubscriptionAttributes({.subscription_arn = sub,
                                              .attribute_name = "FilterPolicyScope",
                                              .attribute_value = "Everything"}),
              HasError(kInvalid, Eq("Invalid parameter: FilterPolicyScope: Invalid value "
                                    "[Everything]. Please use either MessageBody or "
                                    "MessageAttributes")));
}

// LocalStack test_set_subscription_filter_policy_scope (AWS-validated): the
// scope is kept but reported only once a filter policy exists.
TEST_F(SnsTopicsTest, FilterPolicyScopeShowsOnlyWithAFilterPolicy) {
  std::string sub = SubscribeQueue(CreateTopic("orders"), "a");
  auto attributes = [&] {
    return sns_.GetSubscriptionAttributes({.subscription_arn = sub}).value().attributes;
  };
  EXPECT_THAT(attributes(), Not(Contains(Key("FilterPolicyScope"))));
  ASSERT_OK(sns_.SetSubscriptionAttributes({.subscription_arn = sub,
                                            .attribute_name = "FilterPolicyScope",
                                            .attribute_value = "MessageBody"}));
  EXPECT_THAT(attributes(), Not(Contains(Key("FilterPolicyScope"))));
  ASSERT_OK(sns_.SetSubscriptionAttributes({.subscription_arn = sub,
                                            .attribute_name = "FilterPolicy",
                                            .attribute_value = R"({"attr":["match-this"]})"}));
  EXPECT_THAT(attributes(), Contains(Pair("FilterPolicyScope", "MessageBody")));
}

TEST_F(SnsTopicsTest, RedrivePolicyNeedsAValidQueueArn) {
  std::string sub = SubscribeQueue(CreateTopic("orders"), "a");
  EXPECT_THAT(sns_.SetSubscriptionAttributes(
                  {.subscription_arn = sub,
                   .attribute_name = "RedrivePolicy",
                   .attribute_value = R"({"deadLetterTargetArn":"not-an-arn"})"}),
              HasError(kInvalid, Eq("Invalid parameter: RedrivePolicy: deadLetterTargetArn is "
                                    "an invalid arn")));
}

TEST_F(SnsTopicsTest, FifoSubscriptionNeedsAFifoDeadLetterQueue) {
  std::string topic = CreateTopic("orders.fifo", {{"FifoTopic", "true"}});
  std::string sub = SubscribeQueue(topic, "a.fifo");
  EXPECT_THAT(sns_.SetSubscriptionAttributes(
                  {.subscription_arn = sub,
                   .attribute_name = "RedrivePolicy",
                   .attribute_value =
                       R"({"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dlq"})"}),
              HasError(kInvalid, Eq("Invalid parameter: RedrivePolicy: must use a FIFO queue as "
                                    "DLQ for a FIFO Subscription to a FIFO Topic.")));
}

TEST_F(SnsTopicsTest, FifoTopicsAcceptOnlySqsSubscribers) {
  std::string topic = CreateTopic("orders.fifo", {{"FifoTopic", "true"}});
  EXPECT_THAT(sns_.Subscribe({.topic_arn = topic,
                              .protocol = "lambda",
                              .endpoint = "arn:aws:lambda:us-east-1:000000000000:function:f"}),
              HasErrorCode(kInvalid));
}

// LocalStack test_unsubscribe_wrong_arn_format (AWS-validated).
TEST_F(SnsTopicsTest, UnsubscribeRejectsMalformedArnsAndIgnoresUnknownOnes) {
  EXPECT_THAT(sns_.Unsubscribe({.subscription_arn = "randomstring"}),
              HasError(kInvalid, Eq("Invalid parameter: SubscriptionArn Reason: An ARN must "
                                    "have at least 6 elements, not 1")));
  EXPECT_THAT(sns_.Unsubscribe({.subscription_arn = "arn:aws:sns:us-east-1:random"}),
              HasError(kInvalid, Eq("Invalid parameter: SubscriptionArn Reason: An ARN must "
                                    "have at least 6 elements, not 5")));
  EXPECT_THAT(sns_.Unsubscribe({.subscription_arn = "arn:aws:sns:us-east-1:111111111111:random"}),
              HasError(kInvalid, Eq("Invalid parameter: SubscriptionId")));
  EXPECT_THAT(sns_.Unsubscribe({}),
              HasError(kInvalid, Eq("Invalid parameter: SubscriptionArn Reason: no value for "
                                    "required parameter")));
  EXPECT_OK(sns_.Unsubscribe({.subscription_arn = "arn:aws:sns:us-east-1:000000000000:orders:"
                                                  "00000000-0000-4000-8000-000000000000"}));
}

TEST_F(SnsTopicsTest, UnsubscribedQueueNoLongerReceives) {
  std::string topic = CreateTopic("orders");
  std::string sub = SubscribeQueue(topic, "a");
  ASSERT_OK(sns_.Unsubscribe({.subscription_arn = sub}));
  ASSERT_OK(Publish(topic, "hello"));
  EXPECT_THAT(Bodies("a"), SizeIs(0));
}

TEST_F(SnsTopicsTest, ListSubscriptionsByTopicListsOnlyThatTopic) {
  std::string orders = CreateTopic("orders");
  std::string users = CreateTopic("users");
  SubscribeQueue(orders, "a");
  SubscribeQueue(orders, "b");
  SubscribeQueue(users, "c");
  ASSERT_OK_AND_ASSIGN(auto subs, sns_.ListSubscriptionsByTopic({.topic_arn = orders}));
  ASSERT_THAT(subs.subscriptions, SizeIs(2));
  for (const auto& s : subs.subscriptions) {
    EXPECT_EQ(s.topic_arn, orders);
    EXPECT_EQ(s.protocol, "sqs");
    EXPECT_EQ(s.owner, "000000000000");
  }
  ASSERT_OK_AND_ASSIGN(auto all, sns_.ListSubscriptions({}));
  EXPECT_THAT(all.subscriptions, SizeIs(3));
  EXPECT_THAT(
      sns_.ListSubscriptionsByTopic({.topic_arn = "arn:aws:sns:us-east-1:000000000000:nope"}),
      HasErrorCode(ErrorCode::kSnsNotFound));
}

TEST_F(SnsTopicsTest, TwoHundredFilterPoliciesPerTopicIsTheLimit) {
  std::string topic = CreateTopic("orders");
  for (int i = 0; i < 200; ++i) {
    SubscribeQueue(topic, "q" + std::to_string(i), {{"FilterPolicy", R"({"k":["v"]})"}});
  }
  EXPECT_THAT(sns_.Subscribe({.topic_arn = topic,
                              .protocol = "sqs",
                              .endpoint = QueueArn("one-more"),
                              .attributes = {{"FilterPolicy", R"({"k":["v"]})"}}}),
              HasErrorCode(ErrorCode::kSnsFilterPolicyLimitExceeded));
  // Unfiltered subscriptions do not count.
  SubscribeQueue(topic, "unfiltered");
}

}  // namespace
}  // namespace wharf::testing
