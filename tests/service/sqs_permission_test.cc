// AddPermission and RemovePermission through sqs::Service: the statements
// they write into the queue's Policy attribute, read back with
// GetQueueAttributes, and their validation errors with the AWS messages.

#include <latch>
#include <string>
#include <thread>
#include <vector>

#include "tests/service/sqs_test_fixture.h"

namespace wharf::testing {
namespace {

using SqsPermissionTest = SqsTest;

constexpr char kQueueArn[] = "arn:aws:sqs:us-east-1:123456789012:jobs";

// The statement AddPermission writes for one account and one action.
std::string Statement(const std::string& sid, const std::string& principal,
                      const std::string& action) {
  return R"({"Sid":")" + sid + R"(","Effect":"Allow","Principal":{"AWS":)" + principal +
         R"(},"Action":)" + action + R"(,"Resource":")" + kQueueArn + R"("})";
}

std::string Policy(const std::string& statements) {
  return R"({"Version":"2008-10-17","Id":")" + std::string(kQueueArn) +
         R"(/SQSDefaultPolicy","Statement":[)" + statements + "]}";
}

TEST_F(SqsPermissionTest, AddPermissionCreatesThePolicyWithOneStatement) {
  std::string url = Create("jobs");
  ASSERT_OK(sqs().AddPermission({.queue_url = url,
                                 .label = "alice-send",
                                 .aws_account_ids = {"111122223333"},
                                 .actions = {"SendMessage"}}));
  EXPECT_EQ(Attribute(url, "Policy"),
            Policy(Statement("alice-send", R"("arn:aws:iam::111122223333:root")",
                             R"("SQS:SendMessage")")));
}

TEST_F(SqsPermissionTest, SecondLabelAppendsAStatementListingAccountsAndActions) {
  std::string url = Create("jobs");
  ASSERT_OK(sqs().AddPermission(
      {.queue_url = url, .label = "one", .aws_account_ids = {"111122223333"}, .actions = {"*"}}));
  ASSERT_OK(sqs().AddPermission({.queue_url = url,
                                 .label = "two",
                                 .aws_account_ids = {"111122223333", "444455556666"},
                                 .actions = {"ReceiveMessage", "DeleteMessage"}}));
  EXPECT_EQ(
      Attribute(url, "Policy"),
      Policy(Statement("one", R"("arn:aws:iam::111122223333:root")", R"("SQS:*")") + "," +
             Statement("two",
                       R"(["arn:aws:iam::111122223333:root","arn:aws:iam::444455556666:root"])",
                       R"(["SQS:ReceiveMessage","SQS:DeleteMessage"])")));
}

TEST_F(SqsPermissionTest, DuplicateLabelIsRejectedAndThePolicyIsUnchanged) {
  std::string url = Create("jobs");
  ASSERT_OK(sqs().AddPermission({.queue_url = url,
                                 .label = "alice",
                                 .aws_account_ids = {"111122223333"},
                                 .actions = {"SendMessage"}}));
  std::string before = Attribute(url, "Policy");
  EXPECT_THAT(sqs().AddPermission({.queue_url = url,
                                   .label = "alice",
                                   .aws_account_ids = {"111122223333"},
                                   .actions = {"ReceiveMessage"}}),
              HasError(ErrorCode::kInvalidParameterValue,
                       "Value alice for parameter Label is invalid. Reason: Already exists."));
  EXPECT_EQ(Attribute(url, "Policy"), before);
}

TEST_F(SqsPermissionTest, RemovePermissionDropsOnlyThatStatement) {
  std::string url = Create("jobs");
  for (const char* label : {"one", "two"}) {
    ASSERT_OK(sqs().AddPermission({.queue_url = url,
                                   .label = label,
                                   .aws_account_ids = {"111122223333"},
                                   .actions = {"SendMessage"}}));
  }
  ASSERT_OK(sqs().RemovePermission({.queue_url = url, .label = "one"}));
  EXPECT_EQ(Attribute(url, "Policy"), Policy(Statement("two", R"("arn:aws:iam::111122223333:root")",
                                                       R"("SQS:SendMessage")")));
}

TEST_F(SqsPermissionTest, RemovingTheLastStatementRemovesThePolicy) {
  std::string url = Create("jobs");
  ASSERT_OK(sqs().AddPermission({.queue_url = url,
                                 .label = "one",
                                 .aws_account_ids = {"111122223333"},
                                 .actions = {"SendMessage"}}));
  ASSERT_OK(sqs().RemovePermission({.queue_url = url, .label = "one"}));
  EXPECT_EQ(Attribute(url, "Policy"), "<absent>");
}

TEST_F(SqsPermissionTest, RemovingAnUnknownLabelIsInvalidParameterValue) {
  std::string url = Create("jobs");
  EXPECT_THAT(sqs().RemovePermission({.queue_url = url, .label = "ghost"}),
              HasError(ErrorCode::kInvalidParameterValue,
                       "Value ghost for parameter Label is invalid. Reason: can't find label."));
  ASSERT_OK(sqs().AddPermission({.queue_url = url,
                                 .label = "one",
                                 .aws_account_ids = {"111122223333"},
                                 .actions = {"SendMessage"}}));
  EXPECT_THAT(sqs().RemovePermission({.queue_url = url, .label = "ghost"}),
              HasError(ErrorCode::kInvalidParameterValue,
                       "Value ghost for parameter Label is invalid. Reason: can't find label."));
}

TEST_F(SqsPermissionTest, PermissionsEditAPolicySetWithSetQueueAttributes) {
  std::string url = Create("jobs");
  ASSERT_OK(sqs().SetQueueAttributes(
      {.queue_url = url,
       .attributes = {{"Policy", R"({"Version":"2012-10-17","Statement":{"Sid":"mine"}})"}}}));
  ASSERT_OK(sqs().AddPermission({.queue_url = url,
                                 .label = "added",
                                 .aws_account_ids = {"111122223333"},
                                 .actions = {"GetQueueUrl"}}));
  EXPECT_EQ(Attribute(url, "Policy"),
            R"({"Version":"2012-10-17","Statement":[{"Sid":"mine"},)" +
                Statement("added", R"("arn:aws:iam::111122223333:root")", R"("SQS:GetQueueUrl")") +
                "]}");
  ASSERT_OK(sqs().RemovePermission({.queue_url = url, .label = "mine"}));
  ASSERT_OK(sqs().SetQueueAttributes({.queue_url = url, .attributes = {{"Policy", ""}}}));
  EXPECT_THAT(sqs().RemovePermission({.queue_url = url, .label = "added"}),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
}

TEST_F(SqsPermissionTest, LabelIsRequiredAndLimitedToEightyNameCharacters) {
  std::string url = Create("jobs");
  auto add = [&](const std::string& label) {
    return sqs().AddPermission({.queue_url = url,
                                .label = label,
                                .aws_account_ids = {"111122223333"},
                                .actions = {"SendMessage"}});
  };
  EXPECT_THAT(add(""), HasError(ErrorCode::kMissingParameter,
                                "The request must contain the parameter Label."));
  EXPECT_THAT(
      sqs().RemovePermission({.queue_url = url, .label = ""}),
      HasError(ErrorCode::kMissingParameter, "The request must contain the parameter Label."));
  EXPECT_THAT(add("a b"), HasError(ErrorCode::kInvalidParameterValue,
                                   "Value a b for parameter Label is invalid. Reason: Label can "
                                   "only include alphanumeric characters, hyphens, or "
                                   "underscores. 1 to 80 in length."));
  EXPECT_THAT(add(std::string(81, 'a')), HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_OK(add(std::string(80, 'a')));
  EXPECT_OK(add("Az09_-"));
}

TEST_F(SqsPermissionTest, ActionsAndAccountsAreRequired) {
  std::string url = Create("jobs");
  EXPECT_THAT(
      sqs().AddPermission({.queue_url = url, .label = "l", .aws_account_ids = {"111122223333"}}),
      HasError(ErrorCode::kMissingParameter, "The request must contain the parameter Actions."));
  EXPECT_THAT(sqs().AddPermission({.queue_url = url, .label = "l", .actions = {"SendMessage"}}),
              HasError(ErrorCode::kInvalidParameterValue,
                       "Value [] for parameter PrincipalId is invalid. Reason: Unable to verify."));
}

TEST_F(SqsPermissionTest, AccountsMustBeTwelveDigitIds) {
  std::string url = Create("jobs");
  for (std::string bad : {"", "12345678901", "1234567890123", "11112222333x"}) {
    EXPECT_THAT(sqs().AddPermission({.queue_url = url,
                                     .label = "l",
                                     .aws_account_ids = {"111122223333", bad},
                                     .actions = {"SendMessage"}}),
                HasError(ErrorCode::kInvalidParameterValue,
                         "Value [" + bad +
                             "] for parameter PrincipalId is invalid. Reason: Unable to verify."))
        << bad;
  }
  EXPECT_EQ(Attribute(url, "Policy"), "<absent>");
}

// As everywhere in SQS, the request is checked before the queue is looked up.
TEST_F(SqsPermissionTest, ABadRequestOnAMissingQueueIsReportedAsBad) {
  EXPECT_THAT(sqs().AddPermission({.queue_url = UrlOf("missing"), .label = "l"}),
              HasErrorCode(ErrorCode::kMissingParameter));
  EXPECT_THAT(sqs().RemovePermission({.queue_url = UrlOf("missing")}),
              HasErrorCode(ErrorCode::kMissingParameter));
}

TEST_F(SqsPermissionTest, MoreThanSevenActionsIsOverLimit) {
  std::string url = Create("jobs");
  std::vector<std::string> eight = {
      "ChangeMessageVisibility",    "DeleteMessage", "GetQueueAttributes", "GetQueueUrl",
      "ListDeadLetterSourceQueues", "PurgeQueue",    "ReceiveMessage",     "SendMessage"};
  EXPECT_THAT(
      sqs().AddPermission(
          {.queue_url = url, .label = "l", .aws_account_ids = {"111122223333"}, .actions = eight}),
      HasError(ErrorCode::kOverLimit, "8 Actions were found, maximum allowed is 7."));
  eight.pop_back();
  EXPECT_OK(sqs().AddPermission(
      {.queue_url = url, .label = "l", .aws_account_ids = {"111122223333"}, .actions = eight}));
}

TEST_F(SqsPermissionTest, OwnerOnlyAndUnknownActionsAreInvalid) {
  std::string url = Create("jobs");
  auto add = [&](const std::string& action) {
    return sqs().AddPermission(
        {.queue_url = url, .label = "l", .aws_account_ids = {"111122223333"}, .actions = {action}});
  };
  EXPECT_THAT(add("RemovePermission"),
              HasError(ErrorCode::kInvalidParameterValue,
                       "Value SQS:RemovePermission for parameter ActionName is invalid. Reason: "
                       "Only the queue owner is allowed to invoke this action."));
  EXPECT_THAT(add("SendMessageBatch"),
              HasError(ErrorCode::kInvalidParameterValue,
                       "Value SQS:SendMessageBatch for parameter ActionName is invalid. Reason: "
                       "Please refer to the appropriate WSDL for a list of valid actions."));
  EXPECT_EQ(Attribute(url, "Policy"), "<absent>");
}

TEST_F(SqsPermissionTest, UnknownQueueIsQueueDoesNotExist) {
  std::string url = UrlOf("ghost");
  EXPECT_THAT(sqs().AddPermission({.queue_url = url,
                                   .label = "l",
                                   .aws_account_ids = {"111122223333"},
                                   .actions = {"SendMessage"}}),
              HasErrorCode(ErrorCode::kQueueDoesNotExist));
  EXPECT_THAT(sqs().RemovePermission({.queue_url = url, .label = "l"}),
              HasErrorCode(ErrorCode::kQueueDoesNotExist));
}

TEST_F(SqsPermissionTest, ConcurrentAddPermissionsKeepEveryStatement) {
  std::string url = Create("jobs");
  constexpr int kThreads = 4;
  constexpr int kLabelsPerThread = 10;
  std::latch start(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      start.arrive_and_wait();
      for (int i = 0; i < kLabelsPerThread; ++i) {
        EXPECT_OK(sqs().AddPermission({.queue_url = url,
                                       .label = "t" + std::to_string(t) + "-" + std::to_string(i),
                                       .aws_account_ids = {"111122223333"},
                                       .actions = {"SendMessage"}}));
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  std::string policy = Attribute(url, "Policy");
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kLabelsPerThread; ++i) {
      std::string sid = "t" + std::to_string(t) + "-" + std::to_string(i);
      EXPECT_NE(policy.find(R"("Sid":")" + sid + R"(")"), std::string::npos) << sid;
    }
  }
}

}  // namespace
}  // namespace wharf::testing
