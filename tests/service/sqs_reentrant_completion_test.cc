// A ReceiveMessageAsync completion may call the broker again, whatever
// completed it (wharf/sqs.h). Each test's completion re-enters the lock the
// completing call holds: the service's move-task lock (StartMessageMoveTask,
// a rate-limited task's pacing inside ManualClock::Advance), its
// administrative lock (DeleteQueue), a FIFO queue's deduplication window
// (SendMessage) and an SNS FIFO topic's group stripe (Publish). Completions
// run once those locks are released (broker/base/completion_scope.h), so
// none deadlocks; checked builds (sanitizers, no NDEBUG) also abort if a
// completion runs while its thread holds any wharf lock.

#include <deque>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "tests/service/sqs_test_fixture.h"

namespace wharf::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

struct Completion {
  int calls = 0;
  absl::StatusOr<sqs::ReceiveMessageResult> result = absl::UnknownError("not completed");

  std::vector<std::string> bodies() const {
    std::vector<std::string> out;
    if (result.ok()) {
      for (const sqs::Message& m : result->messages) out.push_back(m.body);
    }
    return out;
  }
};

class SqsReentrantCompletionTest : public SqsTest {
 protected:
  // Parked receives that outlive a test end with the broker, before the
  // completions they write to.
  ~SqsReentrantCompletionTest() override { broker_.reset(); }

  // Parks a 20 s long poll on `url`; its completion records what it got,
  // then runs `then` on the completing thread.
  Completion& LongPoll(const std::string& url, std::function<void()> then) {
    Completion& c = completions_.emplace_back();
    sqs().ReceiveMessageAsync(
        {.queue_url = url, .max_number_of_messages = 10, .wait_time_seconds = 20},
        [&c, then = std::move(then)](absl::StatusOr<sqs::ReceiveMessageResult> got) {
          ++c.calls;
          c.result = std::move(got);
          then();
        });
    EXPECT_EQ(c.calls, 0) << "expected the receive to park";
    return c;
  }

  // A dead-letter queue "dlq" holding `bodies`, moved there from "src".
  std::string DeadLetter(const std::vector<std::string>& bodies) {
    Create("dlq");
    std::string src =
        Create("src", {{"RedrivePolicy", R"({"deadLetterTargetArn":")" + ArnOf("dlq") +
                                             R"(","maxReceiveCount":1})"}});
    for (const std::string& body : bodies) Send(src, body);
    EXPECT_THAT(Receive(src, 10, /*visibility=*/0), SizeIs(bodies.size()));
    EXPECT_THAT(Receive(src, 10, /*visibility=*/0), IsEmpty());  // Moved to dlq.
    return src;
  }

  std::deque<Completion> completions_;
};

TEST_F(SqsReentrantCompletionTest, AMoveTaskCompletionMayCallMoveTasksSendAndDeleteTheQueue) {
  std::string src = DeadLetter({"poison"});
  absl::StatusOr<sqs::ListMessageMoveTasksResult> listed;
  absl::StatusOr<sqs::StartMessageMoveTaskResult> restarted;
  absl::StatusOr<sqs::SendMessageResult> sent;
  absl::Status deleted;
  Completion& got = LongPoll(src, [&] {
    listed = sqs().ListMessageMoveTasks({.source_arn = ArnOf("dlq")});
    restarted = sqs().StartMessageMoveTask({.source_arn = ArnOf("dlq")});  // Nothing left.
    sent = sqs().SendMessage({.queue_url = src, .message_body = "again"});
    deleted = sqs().DeleteQueue({.queue_url = src});
  });
  ASSERT_OK(sqs().StartMessageMoveTask({.source_arn = ArnOf("dlq")}));
  ASSERT_EQ(got.calls, 1);  // Before StartMessageMoveTask returned.
  EXPECT_THAT(got.bodies(), ElementsAre("poison"));
  ASSERT_OK(listed);
  ASSERT_THAT(listed->results, SizeIs(1));
  EXPECT_EQ(listed->results[0].status, "COMPLETED");
  EXPECT_OK(restarted);
  EXPECT_OK(sent);
  EXPECT_OK(deleted);
  EXPECT_THAT(sqs().GetQueueUrl({.queue_name = "src"}),
              HasErrorCode(ErrorCode::kQueueDoesNotExist));
}

TEST_F(SqsReentrantCompletionTest, ARateLimitedMoveTaskCompletionMayCallMoveTasksInsideAdvance) {
  std::string src = DeadLetter({"m1", "m2"});
  ASSERT_OK_AND_ASSIGN(sqs::StartMessageMoveTaskResult task,
                       sqs().StartMessageMoveTask(
                           {.source_arn = ArnOf("dlq"), .max_number_of_messages_per_second = 1}));
  ASSERT_THAT(Receive(src), SizeIs(1));  // The first second's message.
  absl::StatusOr<sqs::ListMessageMoveTasksResult> listed;
  absl::StatusOr<sqs::CancelMessageMoveTaskResult> cancelled;
  Completion& got = LongPoll(src, [&] {
    listed = sqs().ListMessageMoveTasks({.source_arn = ArnOf("dlq")});
    cancelled = sqs().CancelMessageMoveTask({.task_handle = task.task_handle});
  });
  clock_->Advance(absl::Seconds(1));  // The task's next second, on the Scheduler.
  ASSERT_EQ(got.calls, 1);
  EXPECT_THAT(got.bodies(), SizeIs(1));
  ASSERT_OK(listed);
  ASSERT_THAT(listed->results, SizeIs(1));
  EXPECT_EQ(listed->results[0].status, "COMPLETED");
  EXPECT_EQ(listed->results[0].approximate_number_of_messages_moved, 2);
  // Completed before the completion ran: there is nothing left to cancel.
  EXPECT_THAT(cancelled, HasErrorCode(ErrorCode::kInvalidParameterValue));
}

TEST_F(SqsReentrantCompletionTest, ADeleteQueueCompletionMayCreateAndDeleteQueues) {
  std::string url = Create("jobs");
  absl::StatusOr<sqs::CreateQueueResult> created;
  absl::Status deleted;
  Completion& got = LongPoll(url, [&] {
    created = sqs().CreateQueue({.queue_name = "other"});
    if (created.ok()) deleted = sqs().DeleteQueue({.queue_url = created->queue_url});
  });
  ASSERT_OK(sqs().DeleteQueue({.queue_url = url}));
  ASSERT_EQ(got.calls, 1);
  EXPECT_THAT(got.result, HasErrorCode(ErrorCode::kQueueDoesNotExist));
  EXPECT_OK(created);
  EXPECT_OK(deleted);
}

TEST_F(SqsReentrantCompletionTest, AFifoSendCompletionMaySendTheSameDeduplicationIdAgain) {
  std::string url = Create("jobs.fifo", {{"FifoQueue", "true"}});
  absl::StatusOr<sqs::SendMessageResult> again;
  Completion& got = LongPoll(url, [&] {
    again = sqs().SendMessage({.queue_url = url,
                               .message_body = "m",
                               .message_deduplication_id = "d",
                               .message_group_id = "g"});
  });
  std::string id = SendFifo(url, "m", "g", "d");
  ASSERT_EQ(got.calls, 1);
  EXPECT_THAT(got.bodies(), ElementsAre("m"));
  ASSERT_OK(again);
  EXPECT_EQ(again->message_id, id);  // A duplicate, answered from the window.
}

TEST_F(SqsReentrantCompletionTest, AnSnsFifoFanOutCompletionMayPublishToTheSameGroup) {
  std::string url = Create("q.fifo", {{"FifoQueue", "true"}});
  ASSERT_OK_AND_ASSIGN(
      sns::CreateTopicResult topic,
      broker_->sns().CreateTopic(
          {.name = "orders.fifo",
           .attributes = {{"FifoTopic", "true"}, {"ContentBasedDeduplication", "true"}}}));
  ASSERT_OK(broker_->sns().Subscribe({.topic_arn = topic.topic_arn,
                                      .protocol = "sqs",
                                      .endpoint = ArnOf("q.fifo"),
                                      .attributes = {{"RawMessageDelivery", "true"}}}));
  absl::StatusOr<sns::PublishResult> republished;
  Completion& got = LongPoll(url, [&] {
    republished = broker_->sns().Publish(
        {.topic_arn = topic.topic_arn, .message = "a2", .message_group_id = "a"});
  });
  ASSERT_OK(broker_->sns().Publish(
      {.topic_arn = topic.topic_arn, .message = "a1", .message_group_id = "a"}));
  ASSERT_EQ(got.calls, 1);
  EXPECT_THAT(got.bodies(), ElementsAre("a1"));
  ASSERT_OK(republished);
  // a2 waits behind a1, which the completed receive holds.
  EXPECT_THAT(Receive(url), IsEmpty());
  ASSERT_OK(sqs().DeleteMessage(
      {.queue_url = url, .receipt_handle = got.result->messages[0].receipt_handle}));
  std::vector<sqs::Message> next = Receive(url);
  ASSERT_THAT(next, SizeIs(1));
  EXPECT_THAT(next[0].body, HasSubstr("a2"));
}

}  // namespace
}  // namespace wharf::testing
