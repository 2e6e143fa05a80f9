#include "broker/service/sqs_names.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace wharf::service_internal {
namespace {

using ::wharf::testing::HasError;

TEST(ParseQueueUrlTest, AcceptsTheAwsForm) {
  auto address = ParseQueueUrl("https://sqs.us-east-1.amazonaws.com/123456789012/jobs");
  ASSERT_TRUE(address.has_value());
  EXPECT_EQ(address->account_id, "123456789012");
  EXPECT_EQ(address->name, "jobs");
}

TEST(ParseQueueUrlTest, TreatsTheHostAsOpaque) {
  for (std::string_view url :
       {"https://eu-west-1.queue.amazonaws.com/123456789012/jobs",
        "https://queue.amazonaws.com/123456789012/jobs", "http://localhost:4566/123456789012/jobs",
        "http://127.0.0.1:9324/123456789012/jobs/"}) {
    auto address = ParseQueueUrl(url);
    ASSERT_TRUE(address.has_value()) << url;
    EXPECT_EQ(address->account_id, "123456789012") << url;
    EXPECT_EQ(address->name, "jobs") << url;
  }
}

TEST(ParseQueueUrlTest, AcceptsABarePath) {
  auto address = ParseQueueUrl("/123456789012/jobs.fifo");
  ASSERT_TRUE(address.has_value());
  EXPECT_EQ(address->name, "jobs.fifo");
}

TEST(ParseQueueUrlTest, RejectsOtherShapes) {
  for (std::string_view url : {"", "jobs", "https://sqs.amazonaws.com", "https://h/123/",
                               "https://h/123", "https://h/a/b/c", "https://h//jobs"}) {
    EXPECT_FALSE(ParseQueueUrl(url).has_value()) << url;
  }
}

TEST(MakeQueueUrlTest, JoinsBaseAccountAndName) {
  EXPECT_EQ(MakeQueueUrl(DefaultSqsUrlBase("eu-west-1"), "123456789012", "q"),
            "https://sqs.eu-west-1.amazonaws.com/123456789012/q");
}

TEST(MakeQueueArnTest, JoinsRegionAccountAndName) {
  EXPECT_EQ(MakeQueueArn("us-east-1", "123456789012", "dlq"),
            "arn:aws:sqs:us-east-1:123456789012:dlq");
}

TEST(QueueNameTest, StandardNamesAreAlphanumericHyphenUnderscoreUpTo80) {
  EXPECT_TRUE(IsValidQueueName("a", false));
  EXPECT_TRUE(IsValidQueueName("Jobs_2-b", false));
  EXPECT_TRUE(IsValidQueueName(std::string(80, 'x'), false));
  EXPECT_FALSE(IsValidQueueName(std::string(81, 'x'), false));
  EXPECT_FALSE(IsValidQueueName("", false));
  EXPECT_FALSE(IsValidQueueName("has space", false));
  EXPECT_FALSE(IsValidQueueName("jobs.fifo", false));
}

TEST(QueueNameTest, FifoNamesEndInDotFifoWhichCountsTowardThe80) {
  EXPECT_TRUE(IsValidQueueName("jobs.fifo", true));
  EXPECT_TRUE(IsValidQueueName(std::string(75, 'x') + ".fifo", true));
  EXPECT_FALSE(IsValidQueueName(std::string(76, 'x') + ".fifo", true));
  EXPECT_FALSE(IsValidQueueName("jobs", true));
  EXPECT_FALSE(IsValidQueueName(".fifo", true));
}

TEST(QueueNameTest, ErrorsCarryTheAwsMessages) {
  EXPECT_THAT(InvalidQueueNameError(false),
              HasError(ErrorCode::kInvalidParameterValue,
                       "Can only include alphanumeric characters, hyphens, or underscores. 1 to "
                       "80 in length"));
  EXPECT_THAT(InvalidQueueNameError(true),
              HasError(ErrorCode::kInvalidParameterValue, ::testing::HasSubstr(".fifo suffix")));
}

}  // namespace
}  // namespace wharf::service_internal
