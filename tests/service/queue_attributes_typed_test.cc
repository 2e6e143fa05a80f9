// sqs::QueueAttributes: the typed attribute map, both ways, against a real
// queue.

#include "tests/service/sqs_test_fixture.h"

namespace wharf::testing {
namespace {

using sqs::QueueAttributes;

QueueAttributes Everything() {
  QueueAttributes a;
  a.delay = absl::Seconds(5);
  a.maximum_message_size = 2048;
  a.message_retention_period = absl::Hours(1);
  a.receive_message_wait_time = absl::Seconds(20);
  a.visibility_timeout = absl::Minutes(1);
  a.policy = R"({"Version":"2012-10-17","Statement":[]})";
  a.redrive_policy = sqs::RedrivePolicy{
      .dead_letter_target_arn = "arn:aws:sqs:us-east-1:" + std::string(kAccount) + ":dlq",
      .max_receive_count = 3};
  a.redrive_allow_policy =
      sqs::RedriveAllowPolicy{.permission = sqs::RedriveAllowPolicy::Permission::kByQueue,
                              .source_queue_arns = {"arn:aws:sqs:us-east-1:123456789012:src"}};
  a.kms_master_key_id = "alias/aws/sqs";
  a.kms_data_key_reuse_period = absl::Minutes(5);
  a.sqs_managed_sse_enabled = false;
  a.fifo_queue = true;
  a.content_based_deduplication = true;
  a.deduplication_scope = QueueAttributes::DeduplicationScope::kMessageGroup;
  a.fifo_throughput_limit = QueueAttributes::FifoThroughputLimit::kPerMessageGroupId;
  return a;
}

TEST(QueueAttributesTest, ToMapWritesTheAwsNamesAndValues) {
  sqs::AttributeMap map = Everything().ToMap();
  EXPECT_THAT(
      map,
      ::testing::UnorderedElementsAre(
          ::testing::Pair("DelaySeconds", "5"), ::testing::Pair("MaximumMessageSize", "2048"),
          ::testing::Pair("MessageRetentionPeriod", "3600"),
          ::testing::Pair("ReceiveMessageWaitTimeSeconds", "20"),
          ::testing::Pair("VisibilityTimeout", "60"),
          ::testing::Pair("Policy", R"({"Version":"2012-10-17","Statement":[]})"),
          ::testing::Pair("RedrivePolicy", R"({"deadLetterTargetArn":"arn:aws:sqs:us-east-1:)"
                                           R"(123456789012:dlq","maxReceiveCount":3})"),
          ::testing::Pair("RedriveAllowPolicy",
                          R"({"redrivePermission":"byQueue","sourceQueueArns":)"
                          R"(["arn:aws:sqs:us-east-1:123456789012:src"]})"),
          ::testing::Pair("KmsMasterKeyId", "alias/aws/sqs"),
          ::testing::Pair("KmsDataKeyReusePeriodSeconds", "300"),
          ::testing::Pair("SqsManagedSseEnabled", "false"), ::testing::Pair("FifoQueue", "true"),
          ::testing::Pair("ContentBasedDeduplication", "true"),
          ::testing::Pair("DeduplicationScope", "messageGroup"),
          ::testing::Pair("FifoThroughputLimit", "perMessageGroupId")));
}

TEST(QueueAttributesTest, UnsetFieldsAreLeftOut) {
  QueueAttributes a;
  EXPECT_TRUE(a.ToMap().empty());
  a.visibility_timeout = absl::Seconds(90);
  EXPECT_EQ(a.ToMap(), (sqs::AttributeMap{{"VisibilityTimeout", "90"}}));
}

TEST(QueueAttributesTest, FromMapReadsWhatToMapWrites) {
  ASSERT_OK_AND_ASSIGN(QueueAttributes back, QueueAttributes::FromMap(Everything().ToMap()));
  EXPECT_EQ(back, Everything());
}

TEST(QueueAttributesTest, FromMapIgnoresNamesItDoesNotKnow) {
  ASSERT_OK_AND_ASSIGN(QueueAttributes a,
                       QueueAttributes::FromMap({{"Unheard", "x"}, {"DelaySeconds", "7"}}));
  EXPECT_EQ(a.delay, absl::Seconds(7));
}

TEST(QueueAttributesTest, FromMapRejectsValuesOfTheWrongForm) {
  for (const auto& [name, value] :
       std::vector<std::pair<std::string, std::string>>{{"VisibilityTimeout", "sixty"},
                                                        {"DelaySeconds", "1.5"},
                                                        {"MaximumMessageSize", ""},
                                                        {"FifoQueue", "yes"},
                                                        {"DeduplicationScope", "global"},
                                                        {"FifoThroughputLimit", "fast"},
                                                        {"ApproximateNumberOfMessages", "-"}}) {
    EXPECT_THAT(QueueAttributes::FromMap({{name, value}}),
                HasError(ErrorCode::kInvalidAttributeValue, ::testing::HasSubstr(name)))
        << name;
  }
  EXPECT_THAT(QueueAttributes::FromMap({{"RedrivePolicy", R"({"maxReceiveCount":3})"}}),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
}

class QueueAttributesBrokerTest : public SqsTest {};

TEST_F(QueueAttributesBrokerTest, CreateFromTypedAttributesAndReadThemBack) {
  QueueAttributes dlq_attributes;
  dlq_attributes.message_retention_period = absl::Hours(24 * 14);
  std::string dlq = Create("dlq", dlq_attributes.ToMap());

  QueueAttributes wanted;
  wanted.visibility_timeout = absl::Minutes(1);
  wanted.delay = absl::Seconds(2);
  wanted.redrive_policy =
      sqs::RedrivePolicy{.dead_letter_target_arn = ArnOf("dlq"), .max_receive_count = 3};
  std::string url = Create("jobs", wanted.ToMap());
  Send(url, "one");

  ASSERT_OK_AND_ASSIGN(auto all,
                       sqs().GetQueueAttributes({.queue_url = url, .attribute_names = {"All"}}));
  ASSERT_OK_AND_ASSIGN(QueueAttributes got, QueueAttributes::FromMap(all.attributes));
  EXPECT_EQ(got.visibility_timeout, absl::Minutes(1));
  EXPECT_EQ(got.delay, absl::Seconds(2));
  EXPECT_EQ(got.redrive_policy, wanted.redrive_policy);
  EXPECT_EQ(got.message_retention_period, absl::Seconds(345600));  // The default.
  EXPECT_EQ(got.queue_arn, ArnOf("jobs"));
  EXPECT_EQ(got.approximate_number_of_messages_delayed, 1);
  EXPECT_EQ(got.approximate_number_of_messages, 0);
  EXPECT_EQ(got.created_timestamp, absl::FromUnixSeconds(absl::ToUnixSeconds(clock_->Now())));
  EXPECT_FALSE(got.fifo_queue.has_value());  // Standard queues do not report it.
}

TEST_F(QueueAttributesBrokerTest, TypedAttributesAreValidatedByTheService) {
  QueueAttributes a;
  a.visibility_timeout = absl::Hours(13);  // Over the 12-hour maximum.
  EXPECT_THAT(sqs().CreateQueue({.queue_name = "bad", .attributes = a.ToMap()}),
              HasErrorCode(ErrorCode::kInvalidAttributeValue));
}

}  // namespace
}  // namespace wharf::testing
