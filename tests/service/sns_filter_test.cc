// Filter policies through real subscriptions: each operator of spec/sns.md
// §5.3 in both scopes where it applies, the AND/OR semantics of §5.2, and
// the validation errors of §5.4 with the prefixes of each operation.

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/service/sns_fixture.h"

namespace wharf::testing {
namespace {

using ::testing::Eq;
using ::testing::HasSubstr;
using ::testing::SizeIs;
using ::testing::StartsWith;

constexpr ErrorCode kInvalid = ErrorCode::kSnsInvalidParameter;

class SnsFilterTest : public SnsTest {
 protected:
  // Publishes to a fresh topic whose only subscriber has `policy`, and says
  // whether the subscriber received the message.
  bool AttributesMatch(const std::string& policy, sns::MessageAttributeMap attributes) {
    std::string name = "t" + std::to_string(++count_);
    std::string topic = CreateTopic(name);
    SubscribeQueue(topic, name, {{"FilterPolicy", policy}});
    EXPECT_OK(Publish(topic, "body", std::move(attributes)));
    return Bodies(name).size() == 1;
  }

  bool BodyMatches(const std::string& policy, const std::string& body) {
    std::string name = "t" + std::to_string(++count_);
    std::string topic = CreateTopic(name);
    SubscribeQueue(topic, name, {{"FilterPolicy", policy}, {"FilterPolicyScope", "MessageBody"}});
    EXPECT_OK(Publish(topic, body));
    return Bodies(name).size() == 1;
  }

  absl::Status SubscribeWithPolicy(const std::string& policy, const std::string& scope) {
    std::string topic = CreateTopic("validation");
    return sns_
        .Subscribe({.topic_arn = topic,
                    .protocol = "sqs",
                    .endpoint = QueueArn("v"),
                    .attributes = {{"FilterPolicy", policy}, {"FilterPolicyScope", scope}}})
        .status();
  }

  int count_ = 0;
};

TEST_F(SnsFilterTest, ExactStringMatchesOnlyThatString) {
  EXPECT_TRUE(AttributesMatch(R"({"color":["red","blue"]})", {{"color", StringAttr("blue")}}));
  EXPECT_FALSE(AttributesMatch(R"({"color":["red"]})", {{"color", StringAttr("Red")}}));
}

TEST_F(SnsFilterTest, MissingAttributeDoesNotMatch) {
  EXPECT_FALSE(AttributesMatch(R"({"color":["red"]})", {}));
}

TEST_F(SnsFilterTest, ExactNumberMatchesNumericallyEqualValues) {
  EXPECT_TRUE(AttributesMatch(R"({"price":[300]})", {{"price", NumberAttr("300.0")}}));
  EXPECT_FALSE(AttributesMatch(R"({"price":[300]})", {{"price", NumberAttr("301")}}));
}

TEST_F(SnsFilterTest, PrefixMatchesTheStartOfAString) {
  EXPECT_TRUE(AttributesMatch(R"({"id":[{"prefix":"ord-"}]})", {{"id", StringAttr("ord-42")}}));
  EXPECT_FALSE(AttributesMatch(R"({"id":[{"prefix":"ord-"}]})", {{"id", StringAttr("inv-42")}}));
}

TEST_F(SnsFilterTest, SuffixMatchesTheEndOfAString) {
  EXPECT_TRUE(AttributesMatch(R"({"file":[{"suffix":".png"}]})", {{"file", StringAttr("a.png")}}));
  EXPECT_FALSE(AttributesMatch(R"({"file":[{"suffix":".png"}]})", {{"file", StringAttr("a.gif")}}));
}

TEST_F(SnsFilterTest, EqualsIgnoreCaseIgnoresCase) {
  EXPECT_TRUE(
      AttributesMatch(R"({"c":[{"equals-ignore-case":"Red"}]})", {{"c", StringAttr("rED")}}));
  EXPECT_FALSE(
      AttributesMatch(R"({"c":[{"equals-ignore-case":"Red"}]})", {{"c", StringAttr("blue")}}));
}

TEST_F(SnsFilterTest, AnythingButMatchesOtherPresentValues) {
  EXPECT_TRUE(
      AttributesMatch(R"({"c":[{"anything-but":["red","blue"]}]})", {{"c", StringAttr("green")}}));
  EXPECT_FALSE(
      AttributesMatch(R"({"c":[{"anything-but":["red","blue"]}]})", {{"c", StringAttr("red")}}));
  // A missing attribute does not match anything-but.
  EXPECT_FALSE(AttributesMatch(R"({"c":[{"anything-but":"red"}]})", {}));
}

TEST_F(SnsFilterTest, AnythingButPrefixExcludesAPrefix) {
  EXPECT_TRUE(
      AttributesMatch(R"({"c":[{"anything-but":{"prefix":"tmp"}}]})", {{"c", StringAttr("prod")}}));
  EXPECT_FALSE(AttributesMatch(R"({"c":[{"anything-but":{"prefix":"tmp"}}]})",
                               {{"c", StringAttr("tmp-1")}}));
}

TEST_F(SnsFilterTest, AnythingButNumberExcludesThatNumber) {
  EXPECT_TRUE(AttributesMatch(R"({"n":[{"anything-but":100}]})", {{"n", NumberAttr("99")}}));
  EXPECT_FALSE(AttributesMatch(R"({"n":[{"anything-but":100}]})", {{"n", NumberAttr("100")}}));
}

TEST_F(SnsFilterTest, NumericRangeMatchesWithinBounds) {
  const std::string policy = R"({"price":[{"numeric":[">",0,"<=",100]}]})";
  EXPECT_TRUE(AttributesMatch(policy, {{"price", NumberAttr("100")}}));
  EXPECT_TRUE(AttributesMatch(policy, {{"price", NumberAttr("0.5")}}));
  EXPECT_FALSE(AttributesMatch(policy, {{"price", NumberAttr("0")}}));
  EXPECT_FALSE(AttributesMatch(policy, {{"price", NumberAttr("100.01")}}));
}

TEST_F(SnsFilterTest, NumericEqualsMatchesOneValue) {
  EXPECT_TRUE(AttributesMatch(R"({"n":[{"numeric":["=",5]}]})", {{"n", NumberAttr("5")}}));
  EXPECT_FALSE(AttributesMatch(R"({"n":[{"numeric":["=",5]}]})", {{"n", NumberAttr("6")}}));
}

TEST_F(SnsFilterTest, ExistsTrueNeedsTheAttribute) {
  EXPECT_TRUE(AttributesMatch(R"({"c":[{"exists":true}]})", {{"c", StringAttr("x")}}));
  EXPECT_FALSE(AttributesMatch(R"({"c":[{"exists":true}]})", {{"d", StringAttr("x")}}));
}

TEST_F(SnsFilterTest, ExistsFalseNeedsTheAttributeAbsent) {
  EXPECT_TRUE(AttributesMatch(R"({"c":[{"exists":false}]})", {{"d", StringAttr("x")}}));
  EXPECT_TRUE(AttributesMatch(R"({"c":[{"exists":false}]})", {}));
  EXPECT_FALSE(AttributesMatch(R"({"c":[{"exists":false}]})", {{"c", StringAttr("x")}}));
}

TEST_F(SnsFilterTest, CidrMatchesAddressesInTheBlock) {
  EXPECT_TRUE(
      AttributesMatch(R"({"ip":[{"cidr":"10.0.0.0/24"}]})", {{"ip", StringAttr("10.0.0.255")}}));
  EXPECT_FALSE(
      AttributesMatch(R"({"ip":[{"cidr":"10.0.0.0/24"}]})", {{"ip", StringAttr("10.0.1.0")}}));
}

TEST_F(SnsFilterTest, KeysAreAndedAndValuesOred) {
  const std::string policy = R"({"c":["red","blue"],"size":["L"]})";
  EXPECT_TRUE(AttributesMatch(policy, {{"c", StringAttr("blue")}, {"size", StringAttr("L")}}));
  EXPECT_FALSE(AttributesMatch(policy, {{"c", StringAttr("blue")}, {"size", StringAttr("S")}}));
}

TEST_F(SnsFilterTest, OrCombinesSubPolicies) {
  const std::string policy = R"({"$or":[{"c":["red"]},{"size":["L"]}]})";
  EXPECT_TRUE(AttributesMatch(policy, {{"size", StringAttr("L")}}));
  EXPECT_TRUE(AttributesMatch(policy, {{"c", StringAttr("red")}}));
  EXPECT_FALSE(AttributesMatch(policy, {{"c", StringAttr("blue")}}));
}

TEST_F(SnsFilterTest, StringArrayMatchesWhenAnyElementMatches) {
  sns::MessageAttributeValue array{.data_type = "String.Array",
                                   .string_value = R"(["pizza","salad"])"};
  EXPECT_TRUE(AttributesMatch(R"({"food":["salad"]})", {{"food", array}}));
  EXPECT_FALSE(AttributesMatch(R"({"food":["soup"]})", {{"food", array}}));
}

TEST_F(SnsFilterTest, BinaryAttributesAreIgnored) {
  EXPECT_FALSE(AttributesMatch(R"({"b":[{"exists":true}]})",
                               {{"b", {.data_type = "Binary", .binary_value = "xyz"}}}));
}

TEST_F(SnsFilterTest, BodyScopeMatchesNestedKeys) {
  const std::string policy = R"({"order":{"status":["shipped"],"total":[{"numeric":[">",100]}]}})";
  EXPECT_TRUE(BodyMatches(policy, R"({"order":{"status":"shipped","total":250}})"));
  EXPECT_FALSE(BodyMatches(policy, R"({"order":{"status":"shipped","total":50}})"));
}

TEST_F(SnsFilterTest, BodyScopeMatchesAnyArrayElement) {
  EXPECT_TRUE(BodyMatches(R"({"tags":["vip"]})", R"({"tags":["new","vip"]})"));
}

TEST_F(SnsFilterTest, BodyScopeNeverMatchesANonJsonBody) {
  EXPECT_FALSE(BodyMatches(R"({"a":["b"]})", "plain text"));
}

TEST_F(SnsFilterTest, FilteredOutSubscriberReceivesNothingWhileOthersDo) {
  std::string topic = CreateTopic("orders");
  SubscribeQueue(topic, "all");
  SubscribeQueue(topic, "red", {{"FilterPolicy", R"({"c":["red"]})"}});
  SubscribeQueue(topic, "blue", {{"FilterPolicy", R"({"c":["blue"]})"}});
  ASSERT_OK(Publish(topic, "m", {{"c", StringAttr("red")}}));
  EXPECT_THAT(Bodies("all"), SizeIs(1));
  EXPECT_THAT(Bodies("red"), SizeIs(1));
  EXPECT_THAT(Bodies("blue"), SizeIs(0));
}

TEST_F(SnsFilterTest, ChangingAPolicyTakesEffectForTheNextPublish) {
  std::string topic = CreateTopic("orders");
  std::string sub = SubscribeQueue(topic, "q", {{"FilterPolicy", R"({"c":["red"]})"}});
  ASSERT_OK(sns_.SetSubscriptionAttributes({.subscription_arn = sub,
                                            .attribute_name = "FilterPolicy",
                                            .attribute_value = R"({"c":["blue"]})"}));
  ASSERT_OK(Publish(topic, "m1", {{"c", StringAttr("red")}}));
  ASSERT_OK(Publish(topic, "m2", {{"c", StringAttr("blue")}}));
  EXPECT_THAT(EnvelopeMessages("q"), ::testing::ElementsAre("m2"));
}

TEST_F(SnsFilterTest, RemovingAPolicyDeliversEverything) {
  std::string topic = CreateTopic("orders");
  std::string sub = SubscribeQueue(topic, "q", {{"FilterPolicy", R"({"c":["red"]})"}});
  ASSERT_OK(sns_.SetSubscriptionAttributes(
      {.subscription_arn = sub, .attribute_name = "FilterPolicy", .attribute_value = ""}));
  ASSERT_OK(Publish(topic, "m", {{"c", StringAttr("blue")}}));
  EXPECT_THAT(Bodies("q"), SizeIs(1));
}

TEST_F(SnsFilterTest, SwitchingScopeToBodyFiltersOnTheBody) {
  std::string topic = CreateTopic("orders");
  std::string sub = SubscribeQueue(topic, "q", {{"FilterPolicy", R"({"c":["red"]})"}});
  ASSERT_OK(sns_.SetSubscriptionAttributes({.subscription_arn = sub,
                                            .attribute_name = "FilterPolicyScope",
                                            .attribute_value = "MessageBody"}));
  ASSERT_OK(Publish(topic, R"({"c":"blue"})", {{"c", StringAttr("red")}}));
  ASSERT_OK(Publish(topic, R"({"c":"red"})"));
  EXPECT_THAT(EnvelopeMessages("q"), ::testing::ElementsAre(R"({"c":"red"})"));
}

// ---- Validation -------------------------------------------------------------

TEST_F(SnsFilterTest, SubscribeReportsPolicyErrorsWithTheAttributesPrefix) {
  EXPECT_THAT(SubscribeWithPolicy(R"({"c":[]})", "MessageAttributes"),
              HasError(kInvalid, Eq("Invalid parameter: Attributes Reason: FilterPolicy: Empty "
                                    "arrays are not allowed")));
}

TEST_F(SnsFilterTest, SetSubscriptionAttributesReportsPolicyErrorsWithTheShortPrefix) {
  std::string sub = SubscribeQueue(CreateTopic("orders"), "q");
  EXPECT_THAT(sns_.SetSubscriptionAttributes({.subscription_arn = sub,
                                              .attribute_name = "FilterPolicy",
                                              .attribute_value = R"({"c":[]})"}),
              HasError(kInvalid, Eq("Invalid parameter: FilterPolicy: Empty arrays are not "
                                    "allowed")));
}

TEST_F(SnsFilterTest, NestedPolicyIsRejectedForAttributeScope) {
  EXPECT_THAT(SubscribeWithPolicy(R"({"a":{"b":["c"]}})", "MessageAttributes"),
              HasError(kInvalid, HasSubstr("Filter policy scope MessageAttributes does not "
                                           "support nested filter policy")));
  EXPECT_OK(SubscribeWithPolicy(R"({"a":{"b":["c"]}})", "MessageBody"));
}

TEST_F(SnsFilterTest, UnparsablePolicyIsRejected) {
  EXPECT_THAT(SubscribeWithPolicy("{not json", "MessageAttributes"),
              HasError(kInvalid, StartsWith("Invalid parameter: Attributes Reason: FilterPolicy: "
                                            "failed to parse JSON.")));
}

TEST_F(SnsFilterTest, UnknownOperatorIsRejected) {
  EXPECT_THAT(SubscribeWithPolicy(R"({"a":[{"regex":"x"}]})", "MessageAttributes"),
              HasError(kInvalid, HasSubstr("FilterPolicy: Unrecognized match type regex")));
}

TEST_F(SnsFilterTest, ExistsMustBeABoolean) {
  EXPECT_THAT(SubscribeWithPolicy(R"({"a":[{"exists":"yes"}]})", "MessageAttributes"),
              HasError(kInvalid, HasSubstr("FilterPolicy: exists match pattern must be either "
                                           "true or false.")));
}

TEST_F(SnsFilterTest, AnythingButSuffixIsUnsupported) {
  EXPECT_THAT(
      SubscribeWithPolicy(R"({"a":[{"anything-but":{"suffix":"x"}}]})", "MessageAttributes"),
      HasError(kInvalid, HasSubstr("Unsupported anything-but pattern: suffix")));
}

TEST_F(SnsFilterTest, MoreThanFiveKeysIsRejected) {
  EXPECT_THAT(
      SubscribeWithPolicy(R"({"a":["1"],"b":["1"],"c":["1"],"d":["1"],"e":["1"],"f":["1"]})",
                          "MessageAttributes"),
      HasError(kInvalid, HasSubstr("FilterPolicy: Filter policy can not have more than 5 "
                                   "keys")));
}

TEST_F(SnsFilterTest, TooManyCombinationsIsRejected) {
  std::string many;
  for (int i = 0; i < 200; ++i) many += (i ? ",\"" : "\"") + std::to_string(i) + "\"";
  EXPECT_THAT(SubscribeWithPolicy(R"({"a":[)" + many + "]}", "MessageAttributes"),
              HasError(kInvalid, HasSubstr("FilterPolicy: Filter policy is too complex")));
}

TEST_F(SnsFilterTest, BadNumericRangeIsRejected) {
  EXPECT_THAT(SubscribeWithPolicy(R"({"a":[{"numeric":[">",10,"<",5]}]})", "MessageAttributes"),
              HasError(kInvalid, HasSubstr("Bottom must be less than top")));
}

}  // namespace
}  // namespace wharf::testing
