#include "broker/base/arn.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace wharf::base_internal {
namespace {

using ::testing::ElementsAre;

TEST(ParseArnTest, SplitsTheSixParts) {
  auto parsed = ParseArn("arn:aws:sqs:us-east-1:123456789012:dlq");
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->partition, "aws");
  EXPECT_EQ(parsed->service, "sqs");
  EXPECT_EQ(parsed->region, "us-east-1");
  EXPECT_EQ(parsed->account_id, "123456789012");
  EXPECT_EQ(parsed->resource, "dlq");
}

TEST(ParseArnTest, TheResourceKeepsItsColonsAndSlashes) {
  auto parsed = ParseArn("arn:aws:sns:us-east-1:123456789012:orders:0f3c-11");
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->resource, "orders:0f3c-11");
  parsed = ParseArn("arn:aws:events:eu-west-1:123456789012:rule/bus/name");
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->resource, "rule/bus/name");
}

TEST(ParseArnTest, RegionAndAccountMayBeEmpty) {
  auto parsed = ParseArn("arn:aws:iam::123456789012:role/r");
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->region, "");
  parsed = ParseArn("arn:aws:s3:::bucket");
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->account_id, "");
  EXPECT_EQ(parsed->resource, "bucket");
}

TEST(ParseArnTest, RejectsMalformedArns) {
  for (std::string_view arn : {"", "arn:aws:sqs", "urn:aws:sqs:r:a:q", "arn::sqs:r:a:q",
                               "arn:aws::r:a:q", "arn:aws:sqs:r:a:", "not-an-arn"}) {
    EXPECT_FALSE(ParseArn(arn).has_value()) << arn;
  }
}

TEST(ArnFieldsTest, SplitsAtEveryColon) {
  EXPECT_THAT(ArnFields("arn:aws:sns:r:a:t:id"),
              ElementsAre("arn", "aws", "sns", "r", "a", "t", "id"));
  EXPECT_THAT(ArnFields("a::b"), ElementsAre("a", "", "b"));
  EXPECT_THAT(ArnFields("x:"), ElementsAre("x", ""));
  EXPECT_THAT(ArnFields(""), ElementsAre(""));
}

TEST(IsAwsAccountIdTest, TwelveDigits) {
  EXPECT_TRUE(IsAwsAccountId("000000000000"));
  EXPECT_TRUE(IsAwsAccountId("123456789012"));
  EXPECT_FALSE(IsAwsAccountId("12345678901"));
  EXPECT_FALSE(IsAwsAccountId("1234567890123"));
  EXPECT_FALSE(IsAwsAccountId("12345678901a"));
  EXPECT_FALSE(IsAwsAccountId(""));
}

}  // namespace
}  // namespace wharf::base_internal
