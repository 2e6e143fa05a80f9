// ReceiveMessageAsync through sqs::Service and sqs::Queue: validated as
// ReceiveMessage is, completed inline when the answer is known, otherwise
// parked (no thread) and completed exactly once by a send, a move task, a
// dead-letter move, a visibility change, the wait deadline (inside
// ManualClock::Advance), a stop, DeleteQueue or the broker's destruction.

#include <atomic>
#include <deque>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "broker/base/mutex.h"
#include "tests/service/sqs_test_fixture.h"

namespace wharf::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::SizeIs;

struct Outcome {
  int calls = 0;
  std::optional<absl::StatusOr<sqs::ReceiveMessageResult>> result;
  std::thread::id thread;

  std::vector<std::string> bodies() const {
    std::vector<std::string> out;
    if (result && result->ok()) {
      for (const sqs::Message& m : (*result)->messages) out.push_back(m.body);
    }
    return out;
  }
};

class SqsAsyncReceiveTest : public SqsTest {
 protected:
  // Parked receives that outlive a test end with the broker, before the
  // outcomes they write to.
  ~SqsAsyncReceiveTest() override { broker_.reset(); }

  sqs::ReceiveMessageCallback Record(Outcome& out) {
    return [&out](absl::StatusOr<sqs::ReceiveMessageResult> r) {
      ++out.calls;
      out.result = std::move(r);
      out.thread = std::this_thread::get_id();
    };
  }
  Outcome& ReceiveAsync(sqs::ReceiveMessageRequest request) {
    Outcome& out = outcomes_.emplace_back();
    sqs().ReceiveMessageAsync(std::move(request), Record(out));
    return out;
  }
  Outcome& LongPoll(const std::string& url, int wait = 20) {
    return ReceiveAsync(
        {.queue_url = url, .max_number_of_messages = 10, .wait_time_seconds = wait});
  }

  std::deque<Outcome> outcomes_;
};

TEST_F(SqsAsyncReceiveTest, AShortPollCompletesInlineWithWhatReceiveMessageReturns) {
  std::string url = Create("jobs");
  ASSERT_OK(sqs().SendMessage(
      {.queue_url = url,
       .message_body = "hello",
       .message_attributes = {{"color", {.data_type = "String", .string_value = "red"}}}}));
  sqs::ReceiveMessageRequest request{.queue_url = url,
                                     .wait_time_seconds = 0,
                                     .message_attribute_names = {"All"},
                                     .message_system_attribute_names = {"SentTimestamp"}};
  Outcome& got = ReceiveAsync(request);
  ASSERT_EQ(got.calls, 1);
  ASSERT_OK(*got.result);
  ASSERT_THAT((*got.result)->messages, SizeIs(1));
  const sqs::Message& m = (*got.result)->messages[0];
  EXPECT_EQ(m.body, "hello");
  EXPECT_EQ(m.message_attributes.at("color").string_value, "red");
  EXPECT_FALSE(m.md5_of_message_attributes.empty());
  EXPECT_EQ(m.attributes.at("SentTimestamp"), std::to_string(absl::ToUnixMillis(clock_->Now())));
  EXPECT_EQ(m.attributes.count("ApproximateReceiveCount"), 0u);

  Outcome& empty = ReceiveAsync({.queue_url = url, .wait_time_seconds = 0});
  ASSERT_EQ(empty.calls, 1);
  ASSERT_OK(*empty.result);
  EXPECT_THAT((*empty.result)->messages, IsEmpty());
}

TEST_F(SqsAsyncReceiveTest, InvalidRequestsFailInlineAsReceiveMessageDoes) {
  std::string url = Create("jobs");
  for (const sqs::ReceiveMessageRequest& request :
       {sqs::ReceiveMessageRequest{.queue_url = url, .max_number_of_messages = 11},
        sqs::ReceiveMessageRequest{.queue_url = url, .visibility_timeout = 43201},
        sqs::ReceiveMessageRequest{.queue_url = url, .wait_time_seconds = 21},
        sqs::ReceiveMessageRequest{.queue_url = url, .message_system_attribute_names = {"Nope"}},
        sqs::ReceiveMessageRequest{.queue_url = UrlOf("missing")}}) {
    Outcome& got = ReceiveAsync(request);
    ASSERT_EQ(got.calls, 1);
    absl::StatusOr<sqs::ReceiveMessageResult> blocking = sqs().ReceiveMessage(request);
    ASSERT_FALSE(blocking.ok());
    EXPECT_EQ(got.result->status(), blocking.status());
  }
}

TEST_F(SqsAsyncReceiveTest, ASendCompletesAParkedReceiveBeforeSendMessageReturns) {
  std::string url = Create("jobs");
  Outcome& got = ReceiveAsync({.queue_url = url,
                               .wait_time_seconds = 20,
                               .message_system_attribute_names = {"ApproximateReceiveCount"}});
  EXPECT_EQ(got.calls, 0);
  Send(url, "wake");
  ASSERT_EQ(got.calls, 1);
  EXPECT_EQ(got.thread, std::this_thread::get_id());
  EXPECT_THAT(got.bodies(), ElementsAre("wake"));
  EXPECT_EQ((*got.result)->messages[0].attributes.at("ApproximateReceiveCount"), "1");
  ASSERT_OK(sqs().DeleteMessage(
      {.queue_url = url, .receipt_handle = (*got.result)->messages[0].receipt_handle}));
}

TEST_F(SqsAsyncReceiveTest, TheWaitTimeEndsAParkedReceiveInsideAdvance) {
  std::string url = Create("jobs", {{"ReceiveMessageWaitTimeSeconds", "10"}});
  Outcome& got = ReceiveAsync({.queue_url = url});  // The queue's wait time.
  clock_->Advance(absl::Seconds(9));
  EXPECT_EQ(got.calls, 0);
  clock_->Advance(absl::Seconds(1));
  ASSERT_EQ(got.calls, 1);
  ASSERT_OK(*got.result);
  EXPECT_THAT((*got.result)->messages, IsEmpty());
}

TEST_F(SqsAsyncReceiveTest, AStopEndsAParkedReceiveWithNoMessages) {
  std::string url = Create("jobs");
  std::stop_source stop;
  Outcome& got =
      ReceiveAsync({.queue_url = url, .wait_time_seconds = 20, .stop_token = stop.get_token()});
  stop.request_stop();
  ASSERT_EQ(got.calls, 1);
  ASSERT_OK(*got.result);
  EXPECT_THAT((*got.result)->messages, IsEmpty());
}

TEST_F(SqsAsyncReceiveTest, VisibilityExpiryAndChangeToZeroCompleteParkedReceives) {
  std::string url = Create("jobs");
  Send(url, "a");
  Send(url, "b");
  std::vector<sqs::Message> held = Receive(url, 2, /*visibility=*/10);
  ASSERT_THAT(held, SizeIs(2));
  Outcome& first = LongPoll(url);
  Outcome& second = LongPoll(url);
  ASSERT_OK(sqs().ChangeMessageVisibility(
      {.queue_url = url, .receipt_handle = held[0].receipt_handle, .visibility_timeout = 0}));
  EXPECT_THAT(first.bodies(), ElementsAre(held[0].body));
  EXPECT_EQ(second.calls, 0);
  clock_->Advance(absl::Seconds(10));
  EXPECT_THAT(second.bodies(), ElementsAre(held[1].body));
}

TEST_F(SqsAsyncReceiveTest, DeletingTheQueueEndsParkedReceivesWithQueueDoesNotExist) {
  std::string url = Create("jobs");
  Outcome& got = LongPoll(url);
  ASSERT_OK(sqs().DeleteQueue({.queue_url = url}));
  ASSERT_EQ(got.calls, 1);
  EXPECT_THAT(*got.result, HasErrorCode(ErrorCode::kQueueDoesNotExist));
}

TEST_F(SqsAsyncReceiveTest, DestroyingTheBrokerEndsParkedReceivesBeforeItReturns) {
  std::string url = Create("jobs");
  std::stop_source stop;
  Outcome& got =
      ReceiveAsync({.queue_url = url, .wait_time_seconds = 20, .stop_token = stop.get_token()});
  Outcome& fifo = LongPoll(Create("jobs.fifo", {{"FifoQueue", "true"}}));
  broker_.reset();
  ASSERT_EQ(got.calls, 1);
  EXPECT_THAT(*got.result, HasErrorCode(ErrorCode::kQueueDoesNotExist));
  ASSERT_EQ(fifo.calls, 1);
  EXPECT_THAT(*fifo.result, HasErrorCode(ErrorCode::kQueueDoesNotExist));
  // Nothing calls back afterwards.
  stop.request_stop();
  clock_->Advance(absl::Minutes(1));
  EXPECT_EQ(got.calls, 1);
  EXPECT_EQ(fifo.calls, 1);
}

TEST_F(SqsAsyncReceiveTest, DestroyingTheBrokerWaitsForACallbackRunningOnAnotherThread) {
  std::string url = Create("jobs");
  std::stop_source stop;
  Notification in_callback;
  Notification destroying;
  std::atomic<bool> callback_done{false};
  std::optional<absl::StatusOr<sqs::ReceiveMessageResult>> got;
  sqs().ReceiveMessageAsync(
      {.queue_url = url, .wait_time_seconds = 20, .stop_token = stop.get_token()},
      [&](absl::StatusOr<sqs::ReceiveMessageResult> result) {
        in_callback.Notify();
        destroying.WaitForNotification();
        got = std::move(result);
        callback_done = true;
      });
  // The stop completes the receive on the stopping thread, which is not a
  // call into the broker.
  std::thread stopper([&] { stop.request_stop(); });
  in_callback.WaitForNotification();
  bool destroyed_after_callback = false;
  std::thread destroyer([&] {
    destroying.Notify();
    broker_.reset();
    destroyed_after_callback = callback_done.load();
  });
  destroyer.join();
  stopper.join();
  EXPECT_TRUE(destroyed_after_callback);
  ASSERT_TRUE(got.has_value());
  ASSERT_OK(*got);
  EXPECT_THAT((*got)->messages, IsEmpty());
}

TEST_F(SqsAsyncReceiveTest, AParkedReceiveOutlivesTheQueueHandleItWasMadeThrough) {
  std::string url = Create("jobs");
  Outcome& got = outcomes_.emplace_back();
  {
    ASSERT_OK_AND_ASSIGN(std::shared_ptr<sqs::Queue> queue, sqs().OpenQueue(url));
    queue->ReceiveMessageAsync({.wait_time_seconds = 20}, Record(got));
  }
  Send(url, "later");
  EXPECT_THAT(got.bodies(), ElementsAre("later"));
}

TEST_F(SqsAsyncReceiveTest, ParkedAndBlockedReceivesAreServedInTheOrderTheyWaited) {
  std::string url = Create("jobs");
  absl::StatusOr<sqs::ReceiveMessageResult> blocked;
  std::thread receiver(
      [&] { blocked = sqs().ReceiveMessage({.queue_url = url, .wait_time_seconds = 20}); });
  clock_->AwaitWaiters(1);
  Outcome& parked = LongPoll(url);
  Send(url, "first");
  receiver.join();
  ASSERT_OK(blocked);
  ASSERT_THAT(blocked->messages, SizeIs(1));
  EXPECT_EQ(blocked->messages[0].body, "first");
  EXPECT_EQ(parked.calls, 0);
  Send(url, "second");
  EXPECT_THAT(parked.bodies(), ElementsAre("second"));
}

TEST_F(SqsAsyncReceiveTest, AMessageMovedByAMoveTaskCompletesAParkedReceive) {
  std::string dlq = Create("dlq");
  std::string src = Create("src", {{"RedrivePolicy", R"({"deadLetterTargetArn":")" + ArnOf("dlq") +
                                                         R"(","maxReceiveCount":1})"}});
  Send(src, "poison");
  Receive(src, 10, /*visibility=*/0);
  Outcome& on_dlq = LongPoll(dlq);
  Receive(src, 10, /*visibility=*/0);  // Over maxReceiveCount: moved to the DLQ.
  ASSERT_EQ(on_dlq.calls, 1);
  EXPECT_THAT(on_dlq.bodies(), ElementsAre("poison"));

  ASSERT_OK(
      sqs().ChangeMessageVisibility({.queue_url = dlq,
                                     .receipt_handle = (*on_dlq.result)->messages[0].receipt_handle,
                                     .visibility_timeout = 0}));
  Outcome& on_src = LongPoll(src);
  ASSERT_OK(sqs().StartMessageMoveTask({.source_arn = ArnOf("dlq")}));  // Back to src.
  ASSERT_EQ(on_src.calls, 1);
  EXPECT_THAT(on_src.bodies(), ElementsAre("poison"));
}

TEST_F(SqsAsyncReceiveTest, FifoParkedReceivesGetEachGroupInOrderOneHolderAtATime) {
  std::string url = Create("jobs.fifo", {{"FifoQueue", "true"}});
  Outcome& first = LongPoll(url);
  Outcome& second = LongPoll(url);
  SendFifo(url, "g1", "g");
  ASSERT_EQ(first.calls, 1);
  EXPECT_THAT(first.bodies(), ElementsAre("g1"));
  SendFifo(url, "g2", "g");  // Its group is held by `first`.
  EXPECT_EQ(second.calls, 0);
  ASSERT_OK(sqs().DeleteMessage(
      {.queue_url = url, .receipt_handle = (*first.result)->messages[0].receipt_handle}));
  EXPECT_THAT(second.bodies(), ElementsAre("g2"));
}

}  // namespace
}  // namespace wharf::testing
