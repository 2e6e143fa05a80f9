// Queue lifecycle, attributes, tags, listing and purging through sqs::Service.

#include <string>

#include "tests/service/sqs_test_fixture.h"

namespace wharf::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

using SqsQueueTest = SqsTest;

TEST_F(SqsQueueTest, CreateQueueReturnsTheAwsUrl) {
  ASSERT_OK_AND_ASSIGN(auto result, sqs().CreateQueue({.queue_name = "jobs"}));
  EXPECT_EQ(result.queue_url, "https://sqs.us-east-1.amazonaws.com/123456789012/jobs");
}

TEST_F(SqsQueueTest, UrlBaseOptionChangesReturnedUrls) {
  BrokerOptions options;
  options.clock = clock_;
  options.sqs_url_base = "http://localhost:4566";
  ASSERT_OK_AND_ASSIGN(auto broker, Broker::Open(options));
  ASSERT_OK_AND_ASSIGN(auto result, broker->sqs().CreateQueue({.queue_name = "jobs"}));
  EXPECT_EQ(result.queue_url, "http://localhost:4566/000000000000/jobs");
}

TEST_F(SqsQueueTest, QueuesResolveByAccountAndNameWhateverTheHost) {
  Create("jobs");
  for (std::string url : {"https://queue.amazonaws.com/123456789012/jobs",
                          "https://us-east-1.queue.amazonaws.com/123456789012/jobs",
                          "http://localhost:9324/123456789012/jobs"}) {
    EXPECT_OK(sqs().SendMessage({.queue_url = url, .message_body = "x"})) << url;
  }
  EXPECT_THAT(sqs().SendMessage({.queue_url = "https://queue.amazonaws.com/999999999999/jobs",
                                 .message_body = "x"}),
              HasError(ErrorCode::kQueueDoesNotExist, "The specified queue does not exist."));
}

// AWS-recorded: SendMessage and Set/GetQueueAttributes take QueueUrl=<name>.
TEST_F(SqsQueueTest, ABareQueueNameStandsForThisAccountsQueue) {
  Create("jobs");
  EXPECT_OK(sqs().SendMessage({.queue_url = "jobs", .message_body = "x"}));
  EXPECT_OK(sqs().SetQueueAttributes({.queue_url = "jobs", .attributes = {{"DelaySeconds", "1"}}}));
  ASSERT_OK_AND_ASSIGN(auto got, sqs().GetQueueAttributes(
                                     {.queue_url = "jobs", .attribute_names = {"DelaySeconds"}}));
  EXPECT_EQ(got.attributes.at("DelaySeconds"), "1");
  EXPECT_OK(sqs().OpenQueue("jobs"));
  for (std::string url : {"other", "", "/jobs", "jobs/"}) {
    EXPECT_THAT(sqs().SendMessage({.queue_url = url, .message_body = "x"}),
                HasErrorCode(ErrorCode::kQueueDoesNotExist))
        << url;
  }
}

TEST_F(SqsQueueTest, CreateQueueIsIdempotentWithIdenticalAttributes) {
  std::string url = Create("jobs", {{"VisibilityTimeout", "60"}});
  ASSERT_OK_AND_ASSIGN(
      auto again,
      sqs().CreateQueue({.queue_name = "jobs", .attributes = {{"VisibilityTimeout", "60"}}}));
  EXPECT_EQ(again.queue_url, url);
  ASSERT_OK_AND_ASSIGN(auto bare, sqs().CreateQueue({.queue_name = "jobs"}));
  EXPECT_EQ(bare.queue_url, url);
}

TEST_F(SqsQueueTest, CreateQueueWithADifferentAttributeFailsWithQueueNameExists) {
  Create("jobs", {{"VisibilityTimeout", "60"}});
  EXPECT_THAT(
      sqs().CreateQueue({.queue_name = "jobs", .attributes = {{"VisibilityTimeout", "61"}}}),
      HasError(ErrorCode::kQueueNameExists,
               "A queue already exists with the same name and a different value for "
               "attribute VisibilityTimeout"));
  EXPECT_THAT(sqs().CreateQueue({.queue_name = "jobs", .attributes = {{"DelaySeconds", "5"}}}),
              HasError(ErrorCode::kQueueNameExists, HasSubstr("attribute DelaySeconds")));
}

TEST_F(SqsQueueTest, CreateQueueRejectsBadNames) {
  EXPECT_THAT(sqs().CreateQueue({.queue_name = "bad name"}),
              HasError(ErrorCode::kInvalidParameterValue,
                       "Can only include alphanumeric characters, hyphens, or underscores. 1 to "
                       "80 in length"));
  EXPECT_THAT(sqs().CreateQueue({.queue_name = std::string(81, 'q')}),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(sqs().CreateQueue({.queue_name = ""}),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
}

TEST_F(SqsQueueTest, FifoQueueAttributeAndFifoSuffixGoTogether) {
  EXPECT_THAT(sqs().CreateQueue({.queue_name = "jobs", .attributes = {{"FifoQueue", "true"}}}),
              HasError(ErrorCode::kInvalidParameterValue, HasSubstr("must end with .fifo suffix")));
  EXPECT_THAT(sqs().CreateQueue({.queue_name = "jobs.fifo"}),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(sqs().CreateQueue({.queue_name = "jobs", .attributes = {{"FifoQueue", "false"}}}),
              HasError(ErrorCode::kInvalidAttributeName, "Unknown Attribute FifoQueue."));
  EXPECT_OK(sqs().CreateQueue({.queue_name = "jobs.fifo", .attributes = {{"FifoQueue", "true"}}}));
}

// As the other boolean attributes: any case (AWS-recorded with "True").
TEST_F(SqsQueueTest, FifoQueueAttributeIgnoresCase) {
  ASSERT_OK_AND_ASSIGN(auto created,
                       sqs().CreateQueue({.queue_name = "jobs.fifo",
                                          .attributes = {{"FifoQueue", "True"},
                                                         {"ContentBasedDeduplication", "False"}}}));
  ASSERT_OK_AND_ASSIGN(auto got, sqs().GetQueueAttributes({.queue_url = created.queue_url,
                                                           .attribute_names = {"FifoQueue"}}));
  EXPECT_EQ(got.attributes.at("FifoQueue"), "true");
  EXPECT_THAT(sqs().CreateQueue({.queue_name = "jobs", .attributes = {{"FifoQueue", "FALSE"}}}),
              HasError(ErrorCode::kInvalidAttributeName, "Unknown Attribute FifoQueue."));
  EXPECT_THAT(
      sqs().CreateQueue({.queue_name = "jobs.fifo", .attributes = {{"FifoQueue", "yes"}}}),
      HasError(ErrorCode::kInvalidAttributeValue, "Invalid value for the parameter FifoQueue."));
}

TEST_F(SqsQueueTest, CreateQueueValidatesAttributes) {
  EXPECT_THAT(
      sqs().CreateQueue({.queue_name = "q", .attributes = {{"DelaySeconds", "901"}}}),
      HasError(ErrorCode::kInvalidAttributeValue, "Invalid value for the parameter DelaySeconds."));
  EXPECT_THAT(sqs().CreateQueue({.queue_name = "q", .attributes = {{"Bogus", "1"}}}),
              HasError(ErrorCode::kInvalidAttributeName, "Unknown Attribute Bogus."));
  EXPECT_THAT(
      sqs().CreateQueue({.queue_name = "q", .attributes = {{"ContentBasedDeduplication", "true"}}}),
      HasError(ErrorCode::kInvalidAttributeName, "Unknown Attribute ContentBasedDeduplication."));
}

TEST_F(SqsQueueTest, DeletedNameCannotBeReusedFor60Seconds) {
  std::string url = Create("jobs");
  ASSERT_OK(sqs().DeleteQueue({.queue_url = url}));
  EXPECT_THAT(sqs().CreateQueue({.queue_name = "jobs"}),
              HasError(ErrorCode::kQueueDeletedRecently,
                       "You must wait 60 seconds after deleting a queue before you can create "
                       "another with the same name."));
  clock_->Advance(absl::Seconds(59));
  EXPECT_THAT(sqs().CreateQueue({.queue_name = "jobs"}),
              HasErrorCode(ErrorCode::kQueueDeletedRecently));
  clock_->Advance(absl::Seconds(1));
  EXPECT_OK(sqs().CreateQueue({.queue_name = "jobs"}));
}

TEST_F(SqsQueueTest, DeleteQueueMakesEveryOperationFailWithQueueDoesNotExist) {
  std::string url = Create("jobs");
  Send(url, "m");
  ASSERT_OK(sqs().DeleteQueue({.queue_url = url}));
  EXPECT_THAT(sqs().DeleteQueue({.queue_url = url}), HasErrorCode(ErrorCode::kQueueDoesNotExist));
  EXPECT_THAT(sqs().SendMessage({.queue_url = url, .message_body = "x"}),
              HasErrorCode(ErrorCode::kQueueDoesNotExist));
  EXPECT_THAT(sqs().ReceiveMessage({.queue_url = url}),
              HasErrorCode(ErrorCode::kQueueDoesNotExist));
  EXPECT_THAT(sqs().GetQueueAttributes({.queue_url = url, .attribute_names = {"All"}}),
              HasErrorCode(ErrorCode::kQueueDoesNotExist));
  EXPECT_THAT(sqs().GetQueueUrl({.queue_name = "jobs"}),
              HasErrorCode(ErrorCode::kQueueDoesNotExist));
}

TEST_F(SqsQueueTest, QueueHandleFailsAfterDeleteAndRecreatedQueueIsNew) {
  std::string url = Create("jobs");
  ASSERT_OK_AND_ASSIGN(std::shared_ptr<sqs::Queue> handle, sqs().OpenQueue(url));
  EXPECT_EQ(handle->url(), url);
  EXPECT_EQ(handle->arn(), ArnOf("jobs"));
  ASSERT_OK(handle->SendMessage({.message_body = "before"}));
  ASSERT_OK(sqs().DeleteQueue({.queue_url = url}));
  EXPECT_THAT(handle->SendMessage({.message_body = "after"}),
              HasErrorCode(ErrorCode::kQueueDoesNotExist));
  clock_->Advance(absl::Seconds(60));
  Create("jobs");
  EXPECT_THAT(Receive(url), IsEmpty());
}

TEST_F(SqsQueueTest, OpenQueueOfUnknownUrlFails) {
  EXPECT_THAT(sqs().OpenQueue(UrlOf("nope")), HasErrorCode(ErrorCode::kQueueDoesNotExist));
}

TEST_F(SqsQueueTest, GetQueueUrlFindsQueuesByNameAndOwner) {
  std::string url = Create("jobs");
  ASSERT_OK_AND_ASSIGN(auto got, sqs().GetQueueUrl({.queue_name = "jobs"}));
  EXPECT_EQ(got.queue_url, url);
  ASSERT_OK_AND_ASSIGN(auto owned, sqs().GetQueueUrl({.queue_name = "jobs",
                                                      .queue_owner_aws_account_id = kAccount}));
  EXPECT_EQ(owned.queue_url, url);
  EXPECT_THAT(
      sqs().GetQueueUrl({.queue_name = "jobs", .queue_owner_aws_account_id = "111111111111"}),
      HasErrorCode(ErrorCode::kQueueDoesNotExist));
  EXPECT_THAT(sqs().GetQueueUrl({.queue_name = "other"}),
              HasError(ErrorCode::kQueueDoesNotExist, "The specified queue does not exist."));
}

TEST_F(SqsQueueTest, ListQueuesFiltersByPrefixInNameOrder) {
  Create("b-jobs");
  Create("a-jobs");
  Create("other");
  ASSERT_OK_AND_ASSIGN(auto all, sqs().ListQueues({}));
  EXPECT_THAT(all.queue_urls, ElementsAre(UrlOf("a-jobs"), UrlOf("b-jobs"), UrlOf("other")));
  EXPECT_EQ(all.next_token, "");
  ASSERT_OK_AND_ASSIGN(auto some, sqs().ListQueues({.queue_name_prefix = "b-"}));
  EXPECT_THAT(some.queue_urls, ElementsAre(UrlOf("b-jobs")));
  ASSERT_OK_AND_ASSIGN(auto none, sqs().ListQueues({.queue_name_prefix = "zzz"}));
  EXPECT_THAT(none.queue_urls, IsEmpty());
}

TEST_F(SqsQueueTest, ListQueuesPagesOnlyWhenMaxResultsIsSet) {
  for (std::string name : {"q1", "q2", "q3"}) Create(name);
  ASSERT_OK_AND_ASSIGN(auto page1, sqs().ListQueues({.max_results = 2}));
  EXPECT_THAT(page1.queue_urls, ElementsAre(UrlOf("q1"), UrlOf("q2")));
  ASSERT_FALSE(page1.next_token.empty());
  ASSERT_OK_AND_ASSIGN(auto page2,
                       sqs().ListQueues({.max_results = 2, .next_token = page1.next_token}));
  EXPECT_THAT(page2.queue_urls, ElementsAre(UrlOf("q3")));
  EXPECT_EQ(page2.next_token, "");
  ASSERT_OK_AND_ASSIGN(auto exact, sqs().ListQueues({.max_results = 3}));
  EXPECT_EQ(exact.next_token, "");
}

TEST_F(SqsQueueTest, ListQueuesValidatesMaxResultsAndToken) {
  EXPECT_THAT(sqs().ListQueues({.max_results = 0}),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(sqs().ListQueues({.max_results = 1001}),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(sqs().ListQueues({.max_results = 1, .next_token = "!!!"}),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
}

TEST_F(SqsQueueTest, GetQueueAttributesWithoutNamesReturnsNothing) {
  std::string url = Create("jobs");
  ASSERT_OK_AND_ASSIGN(auto result, sqs().GetQueueAttributes({.queue_url = url}));
  EXPECT_THAT(result.attributes, IsEmpty());
}

TEST_F(SqsQueueTest, GetQueueAttributesAllReturnsTheObservedDefaultSet) {
  std::string url = Create("jobs");
  ASSERT_OK_AND_ASSIGN(auto result,
                       sqs().GetQueueAttributes({.queue_url = url, .attribute_names = {"All"}}));
  const std::string created = std::to_string(absl::ToUnixSeconds(clock_->Now()));
  EXPECT_THAT(
      result.attributes,
      UnorderedElementsAre(
          std::pair("ApproximateNumberOfMessages", "0"),
          std::pair("ApproximateNumberOfMessagesNotVisible", "0"),
          std::pair("ApproximateNumberOfMessagesDelayed", "0"),
          std::pair("CreatedTimestamp", created), std::pair("DelaySeconds", "0"),
          std::pair("LastModifiedTimestamp", created), std::pair("MaximumMessageSize", "1048576"),
          std::pair("MessageRetentionPeriod", "345600"), std::pair("QueueArn", ArnOf("jobs")),
          std::pair("ReceiveMessageWaitTimeSeconds", "0"),
          std::pair("SqsManagedSseEnabled", "true"), std::pair("VisibilityTimeout", "30")));
}

TEST_F(SqsQueueTest, GetQueueAttributesAllOnFifoAddsTheFifoAttributes) {
  std::string url = Create("jobs.fifo", {{"FifoQueue", "true"}});
  ASSERT_OK_AND_ASSIGN(auto result,
                       sqs().GetQueueAttributes({.queue_url = url, .attribute_names = {"All"}}));
  EXPECT_EQ(result.attributes.at("FifoQueue"), "true");
  EXPECT_EQ(result.attributes.at("ContentBasedDeduplication"), "false");
  EXPECT_EQ(result.attributes.at("DeduplicationScope"), "queue");
  EXPECT_EQ(result.attributes.at("FifoThroughputLimit"), "perQueue");
  EXPECT_EQ(result.attributes.size(), 16u);
}

TEST_F(SqsQueueTest, GetQueueAttributesReturnsOnlyTheNamedOnes) {
  std::string url = Create("jobs");
  ASSERT_OK_AND_ASSIGN(auto result,
                       sqs().GetQueueAttributes(
                           {.queue_url = url, .attribute_names = {"QueueArn", "DelaySeconds"}}));
  EXPECT_THAT(result.attributes, UnorderedElementsAre(std::pair("QueueArn", ArnOf("jobs")),
                                                      std::pair("DelaySeconds", "0")));
  EXPECT_THAT(sqs().GetQueueAttributes({.queue_url = url, .attribute_names = {"Nope"}}),
              HasError(ErrorCode::kInvalidAttributeName, "Unknown Attribute Nope."));
}

TEST_F(SqsQueueTest, ApproximateCountsFollowMessageStates) {
  std::string url = Create("jobs");
  Send(url, "visible");
  Send(url, "inflight");
  ASSERT_OK(sqs().SendMessage({.queue_url = url, .message_body = "delayed", .delay_seconds = 5}));
  ASSERT_EQ(Receive(url, 1).size(), 1u);
  EXPECT_EQ(Attribute(url, "ApproximateNumberOfMessages"), "1");
  EXPECT_EQ(Attribute(url, "ApproximateNumberOfMessagesNotVisible"), "1");
  EXPECT_EQ(Attribute(url, "ApproximateNumberOfMessagesDelayed"), "1");
}

TEST_F(SqsQueueTest, SetQueueAttributesUpdatesValuesAndLastModified) {
  std::string url = Create("jobs");
  const std::string created = Attribute(url, "CreatedTimestamp");
  clock_->Advance(absl::Seconds(10));
  ASSERT_OK(sqs().SetQueueAttributes(
      {.queue_url = url, .attributes = {{"VisibilityTimeout", "5"}, {"DelaySeconds", "2"}}}));
  EXPECT_EQ(Attribute(url, "VisibilityTimeout"), "5");
  EXPECT_EQ(Attribute(url, "DelaySeconds"), "2");
  EXPECT_EQ(Attribute(url, "CreatedTimestamp"), created);
  EXPECT_EQ(Attribute(url, "LastModifiedTimestamp"),
            std::to_string(absl::ToUnixSeconds(clock_->Now())));
}

TEST_F(SqsQueueTest, SetQueueAttributesReachesTheEngine) {
  std::string url = Create("jobs");
  ASSERT_OK(
      sqs().SetQueueAttributes({.queue_url = url, .attributes = {{"VisibilityTimeout", "5"}}}));
  Send(url, "m");
  ASSERT_EQ(Receive(url).size(), 1u);
  clock_->Advance(absl::Seconds(4));
  EXPECT_THAT(Receive(url), IsEmpty());
  clock_->Advance(absl::Seconds(1));
  EXPECT_EQ(Receive(url).size(), 1u);
}

TEST_F(SqsQueueTest, SetQueueAttributesRejectsBadValuesAndChangesNothing) {
  std::string url = Create("jobs");
  EXPECT_THAT(sqs().SetQueueAttributes(
                  {.queue_url = url,
                   .attributes = {{"DelaySeconds", "3"}, {"VisibilityTimeout", "99999"}}}),
              HasError(ErrorCode::kInvalidAttributeValue,
                       "Invalid value for the parameter VisibilityTimeout."));
  EXPECT_EQ(Attribute(url, "DelaySeconds"), "0");
  EXPECT_THAT(sqs().SetQueueAttributes({.queue_url = url, .attributes = {{"QueueArn", "x"}}}),
              HasErrorCode(ErrorCode::kInvalidAttributeName));
  EXPECT_THAT(sqs().SetQueueAttributes({.queue_url = url, .attributes = {{"FifoQueue", "true"}}}),
              HasError(ErrorCode::kInvalidAttributeName, "Unknown Attribute FifoQueue."));
}

TEST_F(SqsQueueTest, SetFifoQueueOnAFifoQueueIsRejected) {
  std::string url = Create("jobs.fifo", {{"FifoQueue", "true"}});
  // Restating "true" succeeds and changes nothing (LocalStack
  // test_set_unsupported_attribute_fifo, AWS-validated).
  EXPECT_THAT(sqs().SetQueueAttributes({.queue_url = url, .attributes = {{"FifoQueue", "true"}}}),
              IsOk());
  EXPECT_EQ(Attribute(url, "FifoQueue"), "true");
  EXPECT_THAT(sqs().SetQueueAttributes({.queue_url = url, .attributes = {{"FifoQueue", "false"}}}),
              HasError(ErrorCode::kInvalidAttributeValue,
                       "Invalid value for the parameter FifoQueue. Reason: Modifying queue type "
                       "is not supported."));
}

TEST_F(SqsQueueTest, PolicyIsStoredAndReturned) {
  std::string policy = R"({"Version":"2012-10-17","Statement":[]})";
  std::string url = Create("jobs", {{"Policy", policy}});
  EXPECT_EQ(Attribute(url, "Policy"), policy);
  EXPECT_THAT(sqs().SetQueueAttributes({.queue_url = url, .attributes = {{"Policy", "{"}}}),
              HasErrorCode(ErrorCode::kInvalidAttributeValue));
}

TEST_F(SqsQueueTest, PurgeDeletesEveryMessageIncludingInFlightAndDelayed) {
  std::string url = Create("jobs");
  Send(url, "a");
  Send(url, "b");
  ASSERT_OK(sqs().SendMessage({.queue_url = url, .message_body = "c", .delay_seconds = 10}));
  ASSERT_EQ(Receive(url, 1).size(), 1u);
  ASSERT_OK(sqs().PurgeQueue({.queue_url = url}));
  clock_->Advance(absl::Seconds(60));
  EXPECT_THAT(Receive(url), IsEmpty());
  EXPECT_EQ(Attribute(url, "ApproximateNumberOfMessagesNotVisible"), "0");
}

TEST_F(SqsQueueTest, SecondPurgeWithin60SecondsIsRejected) {
  std::string url = Create("jobs");
  ASSERT_OK(sqs().PurgeQueue({.queue_url = url}));
  clock_->Advance(absl::Seconds(59));
  EXPECT_THAT(sqs().PurgeQueue({.queue_url = url}),
              HasError(ErrorCode::kPurgeQueueInProgress,
                       "Only one PurgeQueue operation on jobs is allowed every 60 seconds."));
  clock_->Advance(absl::Seconds(1));
  EXPECT_OK(sqs().PurgeQueue({.queue_url = url}));
}

TEST_F(SqsQueueTest, TagsAreSetOverwrittenRemovedAndListed) {
  ASSERT_OK_AND_ASSIGN(auto created,
                       sqs().CreateQueue({.queue_name = "jobs", .tags = {{"team", "a"}}}));
  const std::string& url = created.queue_url;
  ASSERT_OK(sqs().TagQueue({.queue_url = url, .tags = {{"team", "b"}, {"env", "dev"}}}));
  ASSERT_OK_AND_ASSIGN(auto listed, sqs().ListQueueTags({.queue_url = url}));
  EXPECT_THAT(listed.tags, UnorderedElementsAre(std::pair("team", "b"), std::pair("env", "dev")));
  ASSERT_OK(sqs().UntagQueue({.queue_url = url, .tag_keys = {"team", "missing"}}));
  ASSERT_OK_AND_ASSIGN(auto after, sqs().ListQueueTags({.queue_url = url}));
  EXPECT_THAT(after.tags, UnorderedElementsAre(std::pair("env", "dev")));
}

TEST_F(SqsQueueTest, TagQueueValidatesTags) {
  std::string url = Create("jobs");
  EXPECT_THAT(sqs().TagQueue({.queue_url = url}), HasErrorCode(ErrorCode::kMissingParameter));
  EXPECT_THAT(sqs().TagQueue({.queue_url = url, .tags = {{std::string(129, 'k'), "v"}}}),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
  sqs::TagMap many;
  for (int i = 0; i < 51; ++i) many["k" + std::to_string(i)] = "v";
  EXPECT_THAT(sqs().TagQueue({.queue_url = url, .tags = many}),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
}

TEST_F(SqsQueueTest, QueueOperationsOnUnknownQueuesFail) {
  std::string url = UrlOf("ghost");
  EXPECT_THAT(sqs().PurgeQueue({.queue_url = url}), HasErrorCode(ErrorCode::kQueueDoesNotExist));
  EXPECT_THAT(sqs().TagQueue({.queue_url = url, .tags = {{"a", "b"}}}),
              HasErrorCode(ErrorCode::kQueueDoesNotExist));
  EXPECT_THAT(sqs().ListQueueTags({.queue_url = url}), HasErrorCode(ErrorCode::kQueueDoesNotExist));
  EXPECT_THAT(sqs().SetQueueAttributes({.queue_url = url, .attributes = {{"DelaySeconds", "1"}}}),
              HasErrorCode(ErrorCode::kQueueDoesNotExist));
  EXPECT_THAT(sqs().DeleteQueue({.queue_url = "garbage"}),
              HasErrorCode(ErrorCode::kQueueDoesNotExist));
}

TEST(BrokerOpenTest, RejectsBadOptions) {
  EXPECT_EQ(Broker::Open({.region = ""}).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Broker::Open({.account_id = "12"}).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Broker::Open({.sqs_url_base = "http://h/"}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Broker::Open({.max_inflight_messages = 0}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(BrokerOpenTest, DefaultsToASystemClock) {
  ASSERT_OK_AND_ASSIGN(auto broker, Broker::Open({}));
  EXPECT_GT(broker->clock().Now(), absl::FromUnixSeconds(1700000000));
  EXPECT_EQ(broker->options().region, "us-east-1");
}

}  // namespace
}  // namespace wharf::testing
