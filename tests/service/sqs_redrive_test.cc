// Dead-letter queues through sqs::Service: RedrivePolicy and
// RedriveAllowPolicy validation, the move of over-received messages into real
// DLQs (standard and FIFO), ListDeadLetterSourceQueues, and message move
// tasks (immediate and paced on the ManualClock).

#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "tests/service/sqs_test_fixture.h"

namespace wharf::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

class SqsRedriveTest : public SqsTest {
 protected:
  static std::string Redrive(const std::string& dlq_name, int max_receive_count) {
    return R"({"deadLetterTargetArn":")" + ArnOf(dlq_name) + R"(","maxReceiveCount":)" +
           std::to_string(max_receive_count) + "}";
  }

  // Receives `url` until its messages exceed maxReceiveCount: each receive
  // with visibility 0 counts once; the receive after the last allowed one
  // moves them.
  void ReceiveTimes(const std::string& url, int times) {
    for (int i = 0; i < times; ++i) Receive(url, 10, /*visibility=*/0);
  }

  int64_t Visible(const std::string& url) {
    return std::stoll(Attribute(url, "ApproximateNumberOfMessages"));
  }
};

TEST_F(SqsRedriveTest, RedrivePolicyIsReturnedInCanonicalForm) {
  Create("dlq");
  std::string url =
      Create("src", {{"RedrivePolicy", R"({"maxReceiveCount":"3","deadLetterTargetArn":")" +
                                           ArnOf("dlq") + R"("})"}});
  EXPECT_EQ(Attribute(url, "RedrivePolicy"), Redrive("dlq", 3));
}

// AWS rejects the policy itself (InvalidParameterValue), not the request's
// queue (QueueDoesNotExist would read as "the queue you addressed is gone").
TEST_F(SqsRedriveTest, TargetMustExist) {
  const std::string policy = Redrive("missing", 3);
  EXPECT_THAT(
      sqs().CreateQueue({.queue_name = "src", .attributes = {{"RedrivePolicy", policy}}}),
      HasError(ErrorCode::kInvalidParameterValue,
               "Value " + policy +
                   " for parameter RedrivePolicy is invalid. Reason: Dead letter target does not "
                   "exist."));
}

TEST_F(SqsRedriveTest, SetQueueAttributesRejectsAMissingTarget) {
  std::string url = Create("src");
  EXPECT_THAT(sqs().SetQueueAttributes(
                  {.queue_url = url, .attributes = {{"RedrivePolicy", Redrive("missing", 3)}}}),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_EQ(Attribute(url, "RedrivePolicy"), "<absent>");
}

TEST_F(SqsRedriveTest, TargetInAnotherRegionDoesNotExist) {
  const std::string policy = std::string(R"({"deadLetterTargetArn":"arn:aws:sqs:eu-west-1:)") +
                             kAccount + R"(:dlq","maxReceiveCount":3})";
  Create("dlq");
  EXPECT_THAT(sqs().CreateQueue({.queue_name = "src", .attributes = {{"RedrivePolicy", policy}}}),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
}

TEST_F(SqsRedriveTest, TargetMustHaveTheSameType) {
  Create("dlq.fifo", {{"FifoQueue", "true"}});
  Create("dlq");
  std::string policy = Redrive("dlq.fifo", 3);
  EXPECT_THAT(sqs().CreateQueue({.queue_name = "src", .attributes = {{"RedrivePolicy", policy}}}),
              HasError(ErrorCode::kInvalidParameterValue,
                       "Value " + policy +
                           " for parameter RedrivePolicy is invalid. Reason: Dead-letter target "
                           "must also be a standard queue."));
  EXPECT_THAT(sqs().CreateQueue(
                  {.queue_name = "src.fifo",
                   .attributes = {{"FifoQueue", "true"}, {"RedrivePolicy", Redrive("dlq", 3)}}}),
              HasError(ErrorCode::kInvalidParameterValue,
                       HasSubstr("Dead-letter target must also be a FIFO queue.")));
}

TEST_F(SqsRedriveTest, MaxReceiveCountIsValidatedOnSet) {
  Create("dlq");
  std::string url = Create("src");
  EXPECT_THAT(sqs().SetQueueAttributes(
                  {.queue_url = url, .attributes = {{"RedrivePolicy", Redrive("dlq", 0)}}}),
              HasError(ErrorCode::kInvalidParameterValue,
                       HasSubstr("Invalid value for maxReceiveCount: 0, valid values are from 1 "
                                 "to 1000 both inclusive.")));
}

TEST_F(SqsRedriveTest, EmptyRedrivePolicyRemovesIt) {
  Create("dlq");
  std::string url = Create("src", {{"RedrivePolicy", Redrive("dlq", 1)}});
  ASSERT_OK(sqs().SetQueueAttributes({.queue_url = url, .attributes = {{"RedrivePolicy", ""}}}));
  EXPECT_EQ(Attribute(url, "RedrivePolicy"), "<absent>");
  Send(url, "m");
  ReceiveTimes(url, 5);
  EXPECT_EQ(Visible(url), 1);
}

TEST_F(SqsRedriveTest, RedriveAllowPolicyDenyAllRejectsEverySource) {
  Create("dlq", {{"RedriveAllowPolicy", R"({"redrivePermission":"denyAll"})"}});
  EXPECT_THAT(sqs().CreateQueue(
                  {.queue_name = "src", .attributes = {{"RedrivePolicy", Redrive("dlq", 1)}}}),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
}

TEST_F(SqsRedriveTest, RedriveAllowPolicyByQueueAdmitsOnlyListedSources) {
  Create("dlq", {{"RedriveAllowPolicy", R"({"redrivePermission":"byQueue","sourceQueueArns":[")" +
                                            ArnOf("allowed") + R"("]})"}});
  EXPECT_OK(sqs().CreateQueue(
      {.queue_name = "allowed", .attributes = {{"RedrivePolicy", Redrive("dlq", 1)}}}));
  EXPECT_THAT(sqs().CreateQueue(
                  {.queue_name = "other", .attributes = {{"RedrivePolicy", Redrive("dlq", 1)}}}),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
}

TEST_F(SqsRedriveTest, MessageMovesToTheDlqWhenItsReceiveCountExceedsTheMaximum) {
  std::string dlq = Create("dlq");
  std::string src = Create("src", {{"RedrivePolicy", Redrive("dlq", 2)}});
  const absl::Time sent_at = clock_->Now();
  std::string id = Send(src, "poison");
  clock_->Advance(absl::Seconds(1));
  ReceiveTimes(src, 2);
  EXPECT_EQ(Visible(src), 1);
  EXPECT_EQ(Visible(dlq), 0);
  // The third receive finds the count would exceed 2: the message moves.
  EXPECT_THAT(Receive(src, 10, 0), IsEmpty());
  EXPECT_EQ(Visible(dlq), 1);
  std::vector<sqs::Message> got = Receive(dlq);
  ASSERT_THAT(got, SizeIs(1));
  EXPECT_EQ(got[0].message_id, id);
  EXPECT_EQ(got[0].body, "poison");
  EXPECT_EQ(got[0].attributes.at("DeadLetterQueueSourceArn"), ArnOf("src"));
  EXPECT_EQ(got[0].attributes.at("SentTimestamp"), std::to_string(absl::ToUnixMillis(sent_at)));
  // Two receives in the source, not the one that moved it, then this one (as
  // AWS reports it).
  EXPECT_EQ(got[0].attributes.at("ApproximateReceiveCount"), "3");
}

TEST_F(SqsRedriveTest, MoveUsesTheCurrentRedriveTarget) {
  std::string first = Create("first-dlq");
  std::string second = Create("second-dlq");
  std::string src = Create("src", {{"RedrivePolicy", Redrive("first-dlq", 1)}});
  Send(src, "m");
  ReceiveTimes(src, 1);
  ASSERT_OK(sqs().SetQueueAttributes(
      {.queue_url = src, .attributes = {{"RedrivePolicy", Redrive("second-dlq", 1)}}}));
  ReceiveTimes(src, 1);
  EXPECT_EQ(Visible(first), 0);
  EXPECT_EQ(Visible(second), 1);
}

TEST_F(SqsRedriveTest, MessageStaysWhenTheDlqWasDeleted) {
  std::string dlq = Create("dlq");
  std::string src = Create("src", {{"RedrivePolicy", Redrive("dlq", 1)}});
  Send(src, "m");
  ReceiveTimes(src, 1);
  ASSERT_OK(sqs().DeleteQueue({.queue_url = dlq}));
  ReceiveTimes(src, 1);
  EXPECT_EQ(Visible(src) + std::stoll(Attribute(src, "ApproximateNumberOfMessagesNotVisible")), 1);
}

TEST_F(SqsRedriveTest, FifoMessagesMoveToAFifoDlqKeepingTheirGroup) {
  std::string dlq = Create("dlq.fifo", {{"FifoQueue", "true"}});
  std::string src =
      Create("src.fifo", {{"FifoQueue", "true"}, {"RedrivePolicy", Redrive("dlq.fifo", 1)}});
  std::string id = SendFifo(src, "poison", "g1");
  SendFifo(src, "next", "g1");
  std::vector<sqs::Message> first = Receive(src, 1, /*visibility=*/0);
  ASSERT_THAT(first, SizeIs(1));
  EXPECT_EQ(first[0].body, "poison");
  // The second receive moves "poison"; the group's next message follows.
  std::vector<sqs::Message> second = Receive(src, 1);
  ASSERT_THAT(second, SizeIs(1));
  EXPECT_EQ(second[0].body, "next");
  std::vector<sqs::Message> dead = Receive(dlq);
  ASSERT_THAT(dead, SizeIs(1));
  EXPECT_EQ(dead[0].message_id, id);
  EXPECT_EQ(dead[0].attributes.at("MessageGroupId"), "g1");
  EXPECT_EQ(dead[0].attributes.at("DeadLetterQueueSourceArn"), ArnOf("src.fifo"));
}

TEST_F(SqsRedriveTest, ListDeadLetterSourceQueuesFindsQueuesTargetingTheDlq) {
  std::string dlq = Create("dlq");
  Create("b-src", {{"RedrivePolicy", Redrive("dlq", 1)}});
  Create("a-src", {{"RedrivePolicy", Redrive("dlq", 1)}});
  Create("unrelated");
  ASSERT_OK_AND_ASSIGN(auto all, sqs().ListDeadLetterSourceQueues({.queue_url = dlq}));
  EXPECT_THAT(all.queue_urls, ElementsAre(UrlOf("a-src"), UrlOf("b-src")));
  ASSERT_OK_AND_ASSIGN(auto page,
                       sqs().ListDeadLetterSourceQueues({.queue_url = dlq, .max_results = 1}));
  EXPECT_THAT(page.queue_urls, ElementsAre(UrlOf("a-src")));
  ASSERT_OK_AND_ASSIGN(auto rest,
                       sqs().ListDeadLetterSourceQueues(
                           {.queue_url = dlq, .max_results = 1, .next_token = page.next_token}));
  EXPECT_THAT(rest.queue_urls, ElementsAre(UrlOf("b-src")));
  EXPECT_EQ(rest.next_token, "");
  EXPECT_THAT(sqs().ListDeadLetterSourceQueues({.queue_url = UrlOf("nope")}),
              HasErrorCode(ErrorCode::kQueueDoesNotExist));
}

// ---- Message move tasks -----------------------------------------------------

class SqsMoveTaskTest : public SqsRedriveTest {
 protected:
  // A source queue with `n` messages dead-lettered into "dlq".
  void SetUpDeadLetters(int n) {
    dlq_ = Create("dlq");
    src_ = Create("src", {{"RedrivePolicy", Redrive("dlq", 1)}});
    for (int i = 0; i < n; ++i) Send(src_, "m" + std::to_string(i));
    ReceiveTimes(src_, 2);
    ASSERT_EQ(Visible(dlq_), n);
    ASSERT_EQ(Visible(src_), 0);
  }

  sqs::MessageMoveTask LatestTask() {
    auto listed = sqs().ListMessageMoveTasks({.source_arn = ArnOf("dlq")});
    EXPECT_TRUE(listed.ok()) << listed.status();
    EXPECT_FALSE(listed->results.empty());
    return listed.ok() && !listed->results.empty() ? listed->results[0] : sqs::MessageMoveTask{};
  }

  std::string dlq_;
  std::string src_;
};

TEST_F(SqsMoveTaskTest, MovesMessagesBackToTheirSourceQueue) {
  SetUpDeadLetters(3);
  ASSERT_OK_AND_ASSIGN(auto started, sqs().StartMessageMoveTask({.source_arn = ArnOf("dlq")}));
  EXPECT_FALSE(started.task_handle.empty());
  EXPECT_EQ(Visible(dlq_), 0);
  EXPECT_EQ(Visible(src_), 3);
  sqs::MessageMoveTask task = LatestTask();
  EXPECT_EQ(task.status, "COMPLETED");
  EXPECT_EQ(task.task_handle, "");
  EXPECT_EQ(task.approximate_number_of_messages_moved, 3);
  EXPECT_EQ(task.approximate_number_of_messages_to_move, 3);
  EXPECT_EQ(task.source_arn, ArnOf("dlq"));
  EXPECT_EQ(task.started_timestamp, absl::ToUnixMillis(clock_->Now()));
  // Redriven messages start a fresh receive history.
  std::vector<sqs::Message> got = Receive(src_);
  ASSERT_THAT(got, SizeIs(3));
  EXPECT_EQ(got[0].attributes.at("ApproximateReceiveCount"), "1");
  EXPECT_EQ(got[0].attributes.count("DeadLetterQueueSourceArn"), 0u);
}

TEST_F(SqsMoveTaskTest, MovesMessagesToAnExplicitDestination) {
  SetUpDeadLetters(2);
  std::string other = Create("other");
  ASSERT_OK(
      sqs().StartMessageMoveTask({.source_arn = ArnOf("dlq"), .destination_arn = ArnOf("other")}));
  EXPECT_EQ(Visible(other), 2);
  EXPECT_EQ(LatestTask().destination_arn, ArnOf("other"));
}

TEST_F(SqsMoveTaskTest, PacedTaskMovesItsRatePerSecond) {
  SetUpDeadLetters(5);
  ASSERT_OK_AND_ASSIGN(auto started,
                       sqs().StartMessageMoveTask(
                           {.source_arn = ArnOf("dlq"), .max_number_of_messages_per_second = 2}));
  sqs::MessageMoveTask task = LatestTask();
  EXPECT_EQ(task.status, "RUNNING");
  EXPECT_EQ(task.task_handle, started.task_handle);
  EXPECT_EQ(task.approximate_number_of_messages_moved, 2);
  EXPECT_EQ(task.max_number_of_messages_per_second, 2);
  clock_->Advance(absl::Seconds(1));
  EXPECT_EQ(LatestTask().approximate_number_of_messages_moved, 4);
  clock_->Advance(absl::Seconds(1));
  task = LatestTask();
  EXPECT_EQ(task.status, "COMPLETED");
  EXPECT_EQ(task.approximate_number_of_messages_moved, 5);
  EXPECT_EQ(Visible(src_), 5);
}

TEST_F(SqsMoveTaskTest, OnlyOneRunningTaskPerSource) {
  SetUpDeadLetters(3);
  ASSERT_OK(sqs().StartMessageMoveTask(
      {.source_arn = ArnOf("dlq"), .max_number_of_messages_per_second = 1}));
  EXPECT_THAT(sqs().StartMessageMoveTask({.source_arn = ArnOf("dlq")}),
              HasError(ErrorCode::kInvalidParameterValue,
                       "There is already a task running. Only one active task is allowed for a "
                       "source queue arn at a given time."));
}

TEST_F(SqsMoveTaskTest, CancelStopsARunningTask) {
  SetUpDeadLetters(3);
  ASSERT_OK_AND_ASSIGN(auto started,
                       sqs().StartMessageMoveTask(
                           {.source_arn = ArnOf("dlq"), .max_number_of_messages_per_second = 1}));
  ASSERT_OK_AND_ASSIGN(auto cancelled,
                       sqs().CancelMessageMoveTask({.task_handle = started.task_handle}));
  EXPECT_EQ(cancelled.approximate_number_of_messages_moved, 1);
  clock_->Advance(absl::Seconds(5));
  EXPECT_EQ(LatestTask().status, "CANCELLED");
  EXPECT_EQ(Visible(dlq_), 2);
  EXPECT_THAT(sqs().CancelMessageMoveTask({.task_handle = started.task_handle}),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
  // A new task may start once none is running.
  EXPECT_OK(sqs().StartMessageMoveTask({.source_arn = ArnOf("dlq")}));
}

TEST_F(SqsMoveTaskTest, ListShowsTasksMostRecentFirst) {
  SetUpDeadLetters(1);
  ASSERT_OK(sqs().StartMessageMoveTask({.source_arn = ArnOf("dlq")}));
  clock_->Advance(absl::Seconds(1));
  ASSERT_OK(sqs().StartMessageMoveTask({.source_arn = ArnOf("dlq")}));
  ASSERT_OK_AND_ASSIGN(auto listed,
                       sqs().ListMessageMoveTasks({.source_arn = ArnOf("dlq"), .max_results = 10}));
  ASSERT_THAT(listed.results, SizeIs(2));
  EXPECT_GT(listed.results[0].started_timestamp, listed.results[1].started_timestamp);
  EXPECT_EQ(listed.results[0].approximate_number_of_messages_to_move, 0);
  EXPECT_EQ(listed.results[1].approximate_number_of_messages_to_move, 1);
  ASSERT_OK_AND_ASSIGN(auto one, sqs().ListMessageMoveTasks({.source_arn = ArnOf("dlq")}));
  EXPECT_THAT(one.results, SizeIs(1));
}

TEST_F(SqsMoveTaskTest, OnlyMessagesPresentAtStartAreCounted) {
  SetUpDeadLetters(2);
  ASSERT_OK(sqs().StartMessageMoveTask(
      {.source_arn = ArnOf("dlq"), .max_number_of_messages_per_second = 1}));
  Send(dlq_, "late");  // Not part of the snapshot.
  clock_->Advance(absl::Seconds(3));
  sqs::MessageMoveTask task = LatestTask();
  EXPECT_EQ(task.status, "COMPLETED");
  EXPECT_EQ(task.approximate_number_of_messages_to_move, 2);
  EXPECT_EQ(task.approximate_number_of_messages_moved, 2);
  EXPECT_EQ(Visible(dlq_), 1);
}

TEST_F(SqsMoveTaskTest, StartValidatesItsRequest) {
  Create("plain");
  EXPECT_THAT(sqs().StartMessageMoveTask({.source_arn = "not-an-arn"}),
              HasError(ErrorCode::kInvalidParameterValue,
                       "You must use this format to specify the SourceArn: "
                       "arn:<partition>:<service>:<region>:<account-id>:<resource-id>"));
  EXPECT_THAT(sqs().StartMessageMoveTask({.source_arn = ArnOf("ghost")}),
              HasError(ErrorCode::kSqsResourceNotFound,
                       "The resource that you specified for the SourceArn parameter doesn't "
                       "exist."));
  EXPECT_THAT(sqs().StartMessageMoveTask({.source_arn = ArnOf("plain")}),
              HasError(ErrorCode::kInvalidParameterValue,
                       "Source queue must be configured as a Dead Letter Queue."));
  EXPECT_THAT(sqs().StartMessageMoveTask({}), HasErrorCode(ErrorCode::kMissingParameter));
  Create("dlq");
  Create("src", {{"RedrivePolicy", Redrive("dlq", 1)}});
  EXPECT_THAT(sqs().StartMessageMoveTask(
                  {.source_arn = ArnOf("dlq"), .max_number_of_messages_per_second = 501}),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(
      sqs().StartMessageMoveTask({.source_arn = ArnOf("dlq"), .destination_arn = ArnOf("ghost")}),
      HasErrorCode(ErrorCode::kSqsResourceNotFound));
}

TEST_F(SqsMoveTaskTest, CancelAndListValidateTheirRequests) {
  EXPECT_THAT(
      sqs().CancelMessageMoveTask({.task_handle = "garbage!"}),
      HasError(ErrorCode::kInvalidParameterValue, "Value for parameter TaskHandle is invalid."));
  SetUpDeadLetters(1);
  ASSERT_OK_AND_ASSIGN(auto started, sqs().StartMessageMoveTask({.source_arn = ArnOf("dlq")}));
  EXPECT_THAT(sqs().CancelMessageMoveTask({.task_handle = started.task_handle}),
              HasError(ErrorCode::kInvalidParameterValue, "Only active tasks can be cancelled."));
  ASSERT_OK(sqs().DeleteQueue({.queue_url = dlq_}));
  EXPECT_THAT(sqs().CancelMessageMoveTask({.task_handle = started.task_handle}),
              HasError(ErrorCode::kSqsResourceNotFound,
                       "The resource that you specified for the SourceArn parameter doesn't "
                       "exist."));
  EXPECT_THAT(sqs().ListMessageMoveTasks({.source_arn = ArnOf("dlq")}),
              HasErrorCode(ErrorCode::kSqsResourceNotFound));
  EXPECT_THAT(sqs().ListMessageMoveTasks({.source_arn = ArnOf("src"), .max_results = 11}),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
}

// Handles in AWS's form, base64 of {"taskId":...,"sourceArn":...}, made up as
// AWS-recorded tests make them: an unknown source, then an unknown task.
TEST_F(SqsMoveTaskTest, CancelTellsAnUnknownSourceFromAnUnknownTask) {
  SetUpDeadLetters(1);
  auto handle = [](std::string task_id, std::string source_arn) {
    return absl::Base64Escape(
        absl::StrCat(R"({"taskId":")", task_id, R"(","sourceArn":")", source_arn, R"("})"));
  };
  EXPECT_THAT(sqs().CancelMessageMoveTask(
                  {.task_handle = handle("10f57157-fc38-4da9-a113-4de7e12d05dd", ArnOf("ghost"))}),
              HasError(ErrorCode::kSqsResourceNotFound,
                       "The resource that you specified for the SourceArn parameter doesn't "
                       "exist."));
  EXPECT_THAT(sqs().CancelMessageMoveTask(
                  {.task_handle = handle("10f57157-fc38-4da9-a113-4de7e12d05aa", ArnOf("dlq"))}),
              HasError(ErrorCode::kSqsResourceNotFound, "Task does not exist."));
  ASSERT_OK_AND_ASSIGN(auto started, sqs().StartMessageMoveTask({.source_arn = ArnOf("dlq")}));
  std::string decoded;
  ASSERT_TRUE(absl::Base64Unescape(started.task_handle, &decoded));
  EXPECT_THAT(decoded, HasSubstr(absl::StrCat(R"(","sourceArn":")", ArnOf("dlq"), R"("})")));
}

TEST_F(SqsMoveTaskTest, FifoDeadLettersMoveBackInOrder) {
  std::string dlq = Create("dlq.fifo", {{"FifoQueue", "true"}});
  std::string src =
      Create("src.fifo", {{"FifoQueue", "true"}, {"RedrivePolicy", Redrive("dlq.fifo", 1)}});
  SendFifo(src, "a", "g");
  SendFifo(src, "b", "g");
  ReceiveTimes(src, 4);
  ASSERT_EQ(Visible(dlq), 2);
  ASSERT_OK(sqs().StartMessageMoveTask({.source_arn = ArnOf("dlq.fifo")}));
  std::vector<sqs::Message> got = Receive(src);
  ASSERT_THAT(got, SizeIs(2));
  EXPECT_EQ(got[0].body, "a");
  EXPECT_EQ(got[1].body, "b");
}

}  // namespace
}  // namespace wharf::testing
