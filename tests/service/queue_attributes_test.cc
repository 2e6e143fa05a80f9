#include "broker/service/queue_attributes.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace wharf::service_internal {
namespace {

using ::testing::HasSubstr;
using ::wharf::testing::HasError;
using ::wharf::testing::HasErrorCode;
using ::wharf::testing::IsOk;

TEST(ApplyAttributesTest, ParsesEveryIntegerAttribute) {
  QueueSettings settings;
  ASSERT_OK(ApplyAttributes({{"DelaySeconds", "900"},
                             {"MaximumMessageSize", "1024"},
                             {"MessageRetentionPeriod", "60"},
                             {"ReceiveMessageWaitTimeSeconds", "20"},
                             {"VisibilityTimeout", "43200"}},
                            /*creating=*/true, settings));
  EXPECT_EQ(settings.delay_seconds, 900);
  EXPECT_EQ(settings.maximum_message_size, 1024);
  EXPECT_EQ(settings.message_retention_period, 60);
  EXPECT_EQ(settings.receive_message_wait_time_seconds, 20);
  EXPECT_EQ(settings.visibility_timeout, 43200);
}

TEST(ApplyAttributesTest, RejectsOutOfRangeValuesWithInvalidAttributeValue) {
  const std::pair<const char*, const char*> kBad[] = {
      {"DelaySeconds", "901"},
      {"DelaySeconds", "-1"},
      {"MaximumMessageSize", "1023"},
      {"MaximumMessageSize", "1048577"},
      {"MessageRetentionPeriod", "59"},
      {"MessageRetentionPeriod", "1209601"},
      {"VisibilityTimeout", "43201"},
      {"ReceiveMessageWaitTimeSeconds", "21"},
      {"VisibilityTimeout", "ten"},
      {"VisibilityTimeout", ""},
      {"KmsDataKeyReusePeriodSeconds", "59"},
      {"SqsManagedSseEnabled", "yes"},
  };
  for (const auto& [name, value] : kBad) {
    QueueSettings settings;
    EXPECT_THAT(ApplyAttributes({{name, value}}, true, settings),
                HasError(ErrorCode::kInvalidAttributeValue,
                         std::string("Invalid value for the parameter ") + name + "."))
        << name << "=" << value;
  }
}

TEST(ApplyAttributesTest, UnknownNamesAreInvalidAttributeName) {
  QueueSettings settings;
  EXPECT_THAT(ApplyAttributes({{"Color", "blue"}}, true, settings),
              HasError(ErrorCode::kInvalidAttributeName, "Unknown Attribute Color."));
  EXPECT_THAT(ApplyAttributes({{"QueueArn", "x"}}, false, settings),
              HasError(ErrorCode::kInvalidAttributeName, "Unknown Attribute QueueArn."));
}

TEST(ApplyAttributesTest, FifoOnlyAttributesAreRejectedOnStandardQueues) {
  QueueSettings settings;
  EXPECT_THAT(
      ApplyAttributes({{"ContentBasedDeduplication", "true"}}, true, settings),
      HasError(ErrorCode::kInvalidAttributeName, "Unknown Attribute ContentBasedDeduplication."));
  EXPECT_THAT(ApplyAttributes({{"DeduplicationScope", "queue"}}, true, settings),
              HasError(ErrorCode::kInvalidAttributeName,
                       "You can specify the DeduplicationScope only when FifoQueue is set to "
                       "true."));
  EXPECT_THAT(ApplyAttributes({{"FifoThroughputLimit", "perQueue"}}, true, settings),
              HasError(ErrorCode::kInvalidAttributeName,
                       "You can specify the FifoThroughputLimit only when FifoQueue is set to "
                       "true."));
  EXPECT_THAT(ApplyAttributes({{"FifoQueue", "true"}}, false, settings),
              HasError(ErrorCode::kInvalidAttributeName, "Unknown Attribute FifoQueue."));
}

TEST(ApplyAttributesTest, FifoQueueCannotBeChangedOnAFifoQueue) {
  QueueSettings settings;
  settings.fifo = true;
  // Restating the type is accepted (LocalStack test_set_unsupported_attribute_fifo,
  // AWS-validated); only "false" would change it.
  EXPECT_THAT(ApplyAttributes({{"FifoQueue", "true"}}, false, settings), IsOk());
  EXPECT_THAT(ApplyAttributes({{"FifoQueue", "TRUE"}}, false, settings), IsOk());
  EXPECT_TRUE(settings.fifo);
  EXPECT_THAT(ApplyAttributes({{"FifoQueue", "false"}}, false, settings),
              HasError(ErrorCode::kInvalidAttributeValue,
                       "Invalid value for the parameter FifoQueue. Reason: Modifying queue type "
                       "is not supported."));
}

TEST(ApplyAttributesTest, PerMessageGroupIdThroughputNeedsMessageGroupScope) {
  QueueSettings settings;
  settings.fifo = true;
  EXPECT_THAT(ApplyAttributes({{"FifoThroughputLimit", "perMessageGroupId"}}, true, settings),
              HasErrorCode(ErrorCode::kInvalidAttributeValue));
  QueueSettings ok;
  ok.fifo = true;
  EXPECT_THAT(ApplyAttributes({{"FifoThroughputLimit", "perMessageGroupId"},
                               {"DeduplicationScope", "messageGroup"}},
                              true, ok),
              IsOk());
}

TEST(ApplyAttributesTest, BooleansRenderLowerCase) {
  QueueSettings settings;
  settings.fifo = true;
  ASSERT_OK(ApplyAttributes({{"ContentBasedDeduplication", "True"}}, true, settings));
  EXPECT_EQ(RenderSetting(settings, "ContentBasedDeduplication"), "true");
  EXPECT_EQ(RenderSetting(settings, "FifoQueue"), "true");
  EXPECT_EQ(RenderSetting(settings, "SqsManagedSseEnabled"), "true");
}

TEST(ApplyAttributesTest, KmsKeyTurnsOffManagedSse) {
  QueueSettings settings;
  ASSERT_OK(ApplyAttributes({{"KmsMasterKeyId", "alias/aws/sqs"}}, true, settings));
  EXPECT_EQ(RenderSetting(settings, "SqsManagedSseEnabled"), "false");
  EXPECT_EQ(RenderSetting(settings, "KmsDataKeyReusePeriodSeconds"), "300");
  QueueSettings both;
  EXPECT_THAT(
      ApplyAttributes({{"KmsMasterKeyId", "k"}, {"SqsManagedSseEnabled", "true"}}, true, both),
      HasErrorCode(ErrorCode::kInvalidAttributeName));
}

TEST(RenderSettingTest, FifoAttributesAreAbsentOnStandardQueues) {
  QueueSettings settings;
  EXPECT_EQ(RenderSetting(settings, "FifoQueue"), std::nullopt);
  EXPECT_EQ(RenderSetting(settings, "ContentBasedDeduplication"), std::nullopt);
  EXPECT_EQ(RenderSetting(settings, "Policy"), std::nullopt);
  EXPECT_EQ(RenderSetting(settings, "KmsDataKeyReusePeriodSeconds"), std::nullopt);
  EXPECT_EQ(RenderSetting(settings, "MaximumMessageSize"), "1048576");
}

TEST(RedrivePolicyTest, AcceptsMaxReceiveCountAsNumberOrString) {
  for (std::string_view json :
       {R"({"deadLetterTargetArn":"arn:aws:sqs:us-east-1:1:d","maxReceiveCount":5})",
        R"({"deadLetterTargetArn":"arn:aws:sqs:us-east-1:1:d","maxReceiveCount":"5"})"}) {
    auto policy = ParseRedrivePolicy(json);
    ASSERT_OK(policy.status());
    ASSERT_TRUE(policy->has_value());
    EXPECT_EQ((*policy)->max_receive_count, 5);
    EXPECT_EQ((*policy)->dead_letter_target_arn, "arn:aws:sqs:us-east-1:1:d");
    EXPECT_EQ(RenderRedrivePolicy(**policy),
              R"({"deadLetterTargetArn":"arn:aws:sqs:us-east-1:1:d","maxReceiveCount":5})");
  }
}

TEST(RedrivePolicyTest, EmptyStringRemovesThePolicy) {
  auto policy = ParseRedrivePolicy("");
  ASSERT_OK(policy.status());
  EXPECT_FALSE(policy->has_value());
}

TEST(RedrivePolicyTest, MaxReceiveCountMustBeFrom1To1000) {
  std::string json =
      R"({"deadLetterTargetArn":"arn:aws:sqs:us-east-1:1:d","maxReceiveCount":1001})";
  EXPECT_THAT(ParseRedrivePolicy(json),
              HasError(ErrorCode::kInvalidParameterValue,
                       "Value " + json +
                           " for parameter RedrivePolicy is invalid. Reason: Invalid value for "
                           "maxReceiveCount: 1001, valid values are from 1 to 1000 both "
                           "inclusive."));
  EXPECT_THAT(ParseRedrivePolicy(
                  R"({"deadLetterTargetArn":"arn:aws:sqs:us-east-1:1:d","maxReceiveCount":"0"})"),
              HasError(ErrorCode::kInvalidParameterValue, HasSubstr("maxReceiveCount: 0,")));
}

// The wording AWS returns (seen in real-AWS error reports, e.g. crossplane
// provider-aws #443), which names the policy and the missing attribute.
TEST(RedrivePolicyTest, MissingDeadLetterTargetArnIsReportedAsAwsDoes) {
  const std::string json = R"({"maxReceiveCount":5})";
  EXPECT_THAT(ParseRedrivePolicy(json),
              HasError(ErrorCode::kInvalidParameterValue,
                       "Value " + json +
                           " for parameter RedrivePolicy is invalid. Reason: Redrive policy does "
                           "not contain mandatory attribute: deadLetterTargetArn."));
}

TEST(RedrivePolicyTest, MissingMaxReceiveCountIsReportedAsAwsDoes) {
  const std::string json = R"({"deadLetterTargetArn":"arn:aws:sqs:us-east-1:1:d"})";
  EXPECT_THAT(ParseRedrivePolicy(json),
              HasError(ErrorCode::kInvalidParameterValue,
                       "Value " + json +
                           " for parameter RedrivePolicy is invalid. Reason: Redrive policy does "
                           "not contain mandatory attribute: maxReceiveCount."));
}

TEST(RedrivePolicyTest, NonJsonPolicyIsInvalidParameterValue) {
  EXPECT_THAT(ParseRedrivePolicy("not json"), HasErrorCode(ErrorCode::kInvalidParameterValue));
}

TEST(RedriveAllowPolicyTest, ByQueueAllowsOnlyListedSources) {
  auto policy = ParseRedriveAllowPolicy(
      R"({"redrivePermission":"byQueue","sourceQueueArns":["arn:aws:sqs:us-east-1:1:a"]})");
  ASSERT_OK(policy.status());
  ASSERT_TRUE(policy->has_value());
  EXPECT_TRUE((*policy)->Allows("arn:aws:sqs:us-east-1:1:a"));
  EXPECT_FALSE((*policy)->Allows("arn:aws:sqs:us-east-1:1:b"));
  EXPECT_EQ(RenderRedriveAllowPolicy(**policy),
            R"({"redrivePermission":"byQueue","sourceQueueArns":["arn:aws:sqs:us-east-1:1:a"]})");
}

TEST(RedriveAllowPolicyTest, AllowAllAndDenyAll) {
  auto allow = ParseRedriveAllowPolicy(R"({"redrivePermission":"allowAll"})");
  ASSERT_OK(allow.status());
  EXPECT_TRUE((*allow)->Allows("anything"));
  auto deny = ParseRedriveAllowPolicy(R"({"redrivePermission":"denyAll"})");
  ASSERT_OK(deny.status());
  EXPECT_FALSE((*deny)->Allows("anything"));
}

TEST(RedriveAllowPolicyTest, ByQueueNeedsOneToTenArns) {
  EXPECT_THAT(ParseRedriveAllowPolicy(R"({"redrivePermission":"byQueue"})"),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
  std::string eleven = R"({"redrivePermission":"byQueue","sourceQueueArns":[)";
  for (int i = 0; i < 11; ++i) eleven += (i ? ",\"a" : "\"a") + std::to_string(i) + "\"";
  eleven += "]}";
  EXPECT_THAT(ParseRedriveAllowPolicy(eleven), HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(ParseRedriveAllowPolicy(
                  R"({"redrivePermission":"allowAll","sourceQueueArns":["arn:aws:sqs:r:1:a"]})"),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(ParseRedriveAllowPolicy(R"({"redrivePermission":"some"})"),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
}

TEST(ToQueueConfigTest, CarriesDurationsAndRedriveCount) {
  QueueSettings settings;
  settings.visibility_timeout = 45;
  settings.delay_seconds = 3;
  settings.message_retention_period = 120;
  settings.redrive_policy = RedrivePolicy{"arn:aws:sqs:us-east-1:1:d", 4};
  queue_internal::QueueConfig config = ToQueueConfig(settings, 77);
  EXPECT_EQ(config.visibility_timeout, absl::Seconds(45));
  EXPECT_EQ(config.delay, absl::Seconds(3));
  EXPECT_EQ(config.retention, absl::Seconds(120));
  EXPECT_EQ(config.max_receive_count, 4);
  EXPECT_EQ(config.max_inflight, 77);
}

TEST(ParseIntegerTest, IsStrict) {
  EXPECT_EQ(ParseInteger("42"), 42);
  EXPECT_EQ(ParseInteger("-3"), -3);
  EXPECT_EQ(ParseInteger(" 4"), std::nullopt);
  EXPECT_EQ(ParseInteger("+4"), std::nullopt);
  EXPECT_EQ(ParseInteger("4.0"), std::nullopt);
  EXPECT_EQ(ParseInteger(""), std::nullopt);
}

}  // namespace
}  // namespace wharf::service_internal
