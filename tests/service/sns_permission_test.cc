// AddPermission and RemovePermission of the SNS service: the statements they
// write into the topic's Policy attribute (the default policy until one is
// set), read back with GetTopicAttributes, and their errors.

#include <latch>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/service/sns_fixture.h"

namespace wharf::testing {
namespace {

using ::testing::Eq;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr ErrorCode kInvalid = ErrorCode::kSnsInvalidParameter;
constexpr char kTopic[] = "arn:aws:sns:us-east-1:000000000000:orders";

class SnsPermissionTest : public SnsTest {
 protected:
  std::string Policy(const std::string& topic) {
    auto result = sns_.GetTopicAttributes({.topic_arn = topic});
    EXPECT_OK(result);
    return result.ok() ? result->attributes["Policy"] : "";
  }

  absl::Status Add(const std::string& topic, const std::string& label,
                   std::vector<std::string> accounts = {"111122223333"},
                   std::vector<std::string> actions = {"Publish"}) {
    return sns_.AddPermission({.topic_arn = topic,
                               .label = label,
                               .aws_account_ids = std::move(accounts),
                               .actions = std::move(actions)});
  }
};

// The default policy's statement, as GetTopicAttributes reports it.
constexpr char kDefaultStatement[] =
    R"({"Sid":"__default_statement_ID","Effect":"Allow","Principal":{"AWS":"*"},"Action":)"
    R"(["SNS:GetTopicAttributes","SNS:SetTopicAttributes","SNS:AddPermission",)"
    R"("SNS:RemovePermission","SNS:DeleteTopic","SNS:Subscribe",)"
    R"("SNS:ListSubscriptionsByTopic","SNS:Publish"],"Resource":")"
    R"(arn:aws:sns:us-east-1:000000000000:orders","Condition":{"StringEquals":)"
    R"({"AWS:SourceOwner":"000000000000"}}})";

std::string DefaultPolicyWith(const std::string& statements) {
  return std::string(R"({"Version":"2008-10-17","Id":"__default_policy_ID","Statement":[)") +
         kDefaultStatement + statements + "]}";
}

TEST_F(SnsPermissionTest, AddPermissionAppendsAStatementToTheDefaultPolicy) {
  std::string topic = CreateTopic("orders");
  ASSERT_EQ(topic, kTopic);
  ASSERT_OK(Add(topic, "alice-publish"));
  EXPECT_EQ(
      Policy(topic),
      DefaultPolicyWith(R"(,{"Sid":"alice-publish","Effect":"Allow","Principal":{"AWS":)"
                        R"("arn:aws:iam::111122223333:root"},"Action":"SNS:Publish","Resource":")" +
                        std::string(kTopic) + R"("})"));
}

TEST_F(SnsPermissionTest, SeveralAccountsAndActionsAreWrittenAsLists) {
  std::string topic = CreateTopic("orders");
  ASSERT_OK(Add(topic, "both", {"111122223333", "444455556666"}, {"Subscribe", "Receive"}));
  EXPECT_THAT(Policy(topic),
              HasSubstr(R"({"Sid":"both","Effect":"Allow","Principal":{"AWS":)"
                        R"(["arn:aws:iam::111122223333:root","arn:aws:iam::444455556666:root"]},)"
                        R"("Action":["SNS:Subscribe","SNS:Receive"],"Resource":")"));
}

TEST_F(SnsPermissionTest, DuplicateLabelIsRejected) {
  std::string topic = CreateTopic("orders");
  ASSERT_OK(Add(topic, "alice"));
  std::string before = Policy(topic);
  EXPECT_THAT(Add(topic, "alice", {"999999999999"}, {"Subscribe"}),
              HasError(kInvalid, Eq("Invalid parameter: Statement already exists")));
  EXPECT_THAT(Add(topic, "__default_statement_ID"),
              HasError(kInvalid, Eq("Invalid parameter: Statement already exists")));
  EXPECT_EQ(Policy(topic), before);
}

TEST_F(SnsPermissionTest, RemovePermissionRemovesTheStatementWithThatLabel) {
  std::string topic = CreateTopic("orders");
  std::string original = Policy(topic);
  ASSERT_OK(Add(topic, "alice"));
  ASSERT_OK(sns_.RemovePermission({.topic_arn = topic, .label = "alice"}));
  EXPECT_EQ(Policy(topic), original);
}

TEST_F(SnsPermissionTest, RemovingAnUnknownLabelSucceedsAndChangesNothing) {
  std::string topic = CreateTopic("orders");
  ASSERT_OK(Add(topic, "alice"));
  std::string before = Policy(topic);
  EXPECT_OK(sns_.RemovePermission({.topic_arn = topic, .label = "ghost"}));
  EXPECT_EQ(Policy(topic), before);
}

TEST_F(SnsPermissionTest, PermissionsEditAPolicySetWithSetTopicAttributes) {
  std::string topic = CreateTopic("orders");
  ASSERT_OK(sns_.SetTopicAttributes({.topic_arn = topic,
                                     .attribute_name = "Policy",
                                     .attribute_value = R"({"Version":"2012-10-17"})"}));
  ASSERT_OK(Add(topic, "alice"));
  EXPECT_EQ(Policy(topic),
            R"({"Version":"2012-10-17","Statement":[{"Sid":"alice","Effect":"Allow",)"
            R"("Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"SNS:Publish",)"
            R"("Resource":")" +
                std::string(kTopic) + R"("}]})");
  ASSERT_OK(sns_.RemovePermission({.topic_arn = topic, .label = "alice"}));
  EXPECT_EQ(Policy(topic), R"({"Version":"2012-10-17","Statement":[]})");
}

TEST_F(SnsPermissionTest, LabelAccountsAndActionsAreRequired) {
  std::string topic = CreateTopic("orders");
  EXPECT_THAT(Add(topic, ""), HasError(kInvalid, Eq("Invalid parameter: Label")));
  EXPECT_THAT(Add(topic, "l", {}), HasError(kInvalid, Eq("Invalid parameter: AWSAccountId")));
  EXPECT_THAT(Add(topic, "l", {"111122223333", "not-an-account"}),
              HasError(kInvalid, Eq("Invalid parameter: AWSAccountId")));
  EXPECT_THAT(Add(topic, "l", {"111122223333"}, {}),
              HasError(kInvalid, Eq("Invalid parameter: ActionName")));
  EXPECT_THAT(sns_.RemovePermission({.topic_arn = topic, .label = ""}),
              HasError(kInvalid, Eq("Invalid parameter: Label")));
}

TEST_F(SnsPermissionTest, OnlyTopicActionsCanBeShared) {
  std::string topic = CreateTopic("orders");
  EXPECT_THAT(
      Add(topic, "l", {"111122223333"}, {"Publish", "CreateTopic"}),
      HasError(kInvalid, Eq("Invalid parameter: Policy statement action out of service scope!")));
  EXPECT_THAT(Policy(topic), Not(HasSubstr(R"("Sid":"l")")));
  for (const char* action :
       {"GetTopicAttributes", "SetTopicAttributes", "AddPermission", "RemovePermission",
        "DeleteTopic", "Subscribe", "ListSubscriptionsByTopic", "Publish", "Receive"}) {
    EXPECT_OK(Add(topic, action, {"111122223333"}, {action})) << action;
  }
}

TEST_F(SnsPermissionTest, UnknownTopicIsNotFound) {
  EXPECT_THAT(Add(kTopic, "l"), HasError(ErrorCode::kSnsNotFound, Eq("Topic does not exist")));
  EXPECT_THAT(sns_.RemovePermission({.topic_arn = kTopic, .label = "l"}),
              HasError(ErrorCode::kSnsNotFound, Eq("Topic does not exist")));
}

TEST_F(SnsPermissionTest, MalformedTopicArnIsInvalidParameter) {
  EXPECT_THAT(Add("orders", "l"),
              HasError(kInvalid, Eq("Invalid parameter: TopicArn Reason: An ARN must have at "
                                    "least 6 elements, not 1")));
}

TEST_F(SnsPermissionTest, ConcurrentAddAndRemoveKeepEveryOtherStatement) {
  std::string topic = CreateTopic("orders");
  ASSERT_OK(Add(topic, "doomed"));
  constexpr int kThreads = 4;
  constexpr int kLabelsPerThread = 10;
  std::latch start(kThreads + 1);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      start.arrive_and_wait();
      for (int i = 0; i < kLabelsPerThread; ++i) {
        EXPECT_OK(Add(topic, "t" + std::to_string(t) + "-" + std::to_string(i)));
      }
    });
  }
  threads.emplace_back([&] {
    start.arrive_and_wait();
    EXPECT_OK(sns_.RemovePermission({.topic_arn = topic, .label = "doomed"}));
  });
  for (std::thread& thread : threads) thread.join();
  std::string policy = Policy(topic);
  EXPECT_THAT(policy, HasSubstr("__default_statement_ID"));
  EXPECT_THAT(policy, Not(HasSubstr("doomed")));
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kLabelsPerThread; ++i) {
      std::string sid = "t" + std::to_string(t) + "-" + std::to_string(i);
      EXPECT_THAT(policy, HasSubstr(R"("Sid":")" + sid + R"(")")) << sid;
    }
  }
}

}  // namespace
}  // namespace wharf::testing
