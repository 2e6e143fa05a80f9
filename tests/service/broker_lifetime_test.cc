// What destroying a Broker waits for and what it drops (wharf/broker.h,
// "Lifetime"): timer work in progress finishes first and may call into the
// broker, work not yet started never runs, long polls on other threads end,
// and Queue handles outlive the broker.

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "broker/base/block_cache.h"
#include "broker/base/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "wharf/broker.h"

namespace wharf {
namespace {

using ::wharf::testing::HasErrorCode;
using ::wharf::testing::IsOk;

class BrokerLifetimeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(broker_, Broker::Open({.clock = clock_}));
    ASSERT_OK_AND_ASSIGN(auto queue, broker_->sqs().CreateQueue({.queue_name = "jobs"}));
    url_ = queue.queue_url;
    ASSERT_OK_AND_ASSIGN(auto topic, broker_->sns().CreateTopic({.name = "news"}));
    topic_ = topic.topic_arn;
  }

  // An EventBridge rule on the default bus sending every "app" event to the
  // callback target `name`.
  void RuleToCallback(const std::string& name, events::Callback callback) {
    ASSERT_OK_AND_ASSIGN(std::string arn,
                         broker_->events().RegisterCallback(name, std::move(callback)));
    ASSERT_OK(broker_->events().PutRule({.name = name, .event_pattern = R"({"source":["app"]})"}));
    ASSERT_OK(broker_->events().PutTargets({.rule = name, .targets = {{.id = "t", .arn = arn}}}));
  }
  void PutAppEvent() {
    ASSERT_OK_AND_ASSIGN(
        auto put, broker_->events().PutEvents(
                      {.entries = {{.source = "app", .detail_type = "Tick", .detail = "{}"}}}));
    ASSERT_EQ(put.failed_entry_count, 0);
  }

  // Destroys the broker on another thread while `in_work` (set by work the
  // broker runs inside clock_->Advance on a third thread) has been notified;
  // returns once both are done.
  void AdvanceAndDestroyDuring(Notification& in_work, Notification& destroying,
                               std::atomic<bool>& work_done, bool* destroyed_after_work) {
    std::thread advancer([&] { clock_->Advance(absl::Seconds(1)); });
    in_work.WaitForNotification();
    std::thread destroyer([&] {
      destroying.Notify();
      broker_.reset();
      *destroyed_after_work = work_done.load();
    });
    destroyer.join();
    advancer.join();
  }

  std::shared_ptr<ManualClock> clock_ = std::make_shared<ManualClock>();
  std::unique_ptr<Broker> broker_;
  std::string url_;
  std::string topic_;
};

TEST_F(BrokerLifetimeTest, AnEventBridgeRetryRunningDuringDestructionMayUseTheBroker) {
  Notification in_work;
  Notification destroying;
  std::atomic<bool> work_done{false};
  absl::Status sent = absl::UnknownError("not run");
  absl::Status published = absl::UnknownError("not run");
  Broker* broker = broker_.get();
  RuleToCallback("cb", [&](const events::CallbackEvent& event) {
    if (event.attempt == 1) return absl::UnavailableError("try again");
    in_work.Notify();
    destroying.WaitForNotification();
    // The broker is being destroyed on another thread, and waits for us
    // (broker_ itself is already null: unique_ptr::reset clears it first).
    sent = broker->sqs().SendMessage({.queue_url = url_, .message_body = "from retry"}).status();
    published = broker->sns().Publish({.topic_arn = topic_, .message = "from retry"}).status();
    work_done = true;
    return absl::OkStatus();
  });
  PutAppEvent();  // The first attempt fails; the retry is due in 1 s.
  bool destroyed_after_work = false;
  AdvanceAndDestroyDuring(in_work, destroying, work_done, &destroyed_after_work);
  EXPECT_OK(sent);
  EXPECT_OK(published);
  EXPECT_TRUE(destroyed_after_work);
}

TEST_F(BrokerLifetimeTest, AnSnsRetryRunningDuringDestructionMayUseTheBroker) {
  Notification in_work;
  Notification destroying;
  std::atomic<bool> work_done{false};
  std::atomic<int> calls{0};
  absl::Status sent = absl::UnknownError("not run");
  absl::Status put = absl::UnknownError("not run");
  Broker* broker = broker_.get();
  ASSERT_OK_AND_ASSIGN(
      auto fn,
      broker_->sns().RegisterFunction(
          {.function_name = "fn", .handler = [&](std::string_view) {
             // Four failures: the call and three immediate retries,
             // on the publishing thread; the next retry is due in 1 s.
             if (++calls <= 4) return absl::UnavailableError("try again");
             in_work.Notify();
             destroying.WaitForNotification();
             sent = broker->sqs()
                        .SendMessage({.queue_url = url_, .message_body = "from retry"})
                        .status();
             put = broker->events()
                       .PutEvents(
                           {.entries = {{.source = "other", .detail_type = "x", .detail = "{}"}}})
                       .status();
             work_done = true;
             return absl::OkStatus();
           }}));
  ASSERT_OK(broker_->sns().Subscribe(
      {.topic_arn = topic_, .protocol = "lambda", .endpoint = fn.function_arn}));
  ASSERT_OK(broker_->sns().Publish({.topic_arn = topic_, .message = "m"}));
  ASSERT_EQ(calls.load(), 4);
  bool destroyed_after_work = false;
  AdvanceAndDestroyDuring(in_work, destroying, work_done, &destroyed_after_work);
  EXPECT_EQ(calls.load(), 5);
  EXPECT_OK(sent);
  EXPECT_OK(put);
  EXPECT_TRUE(destroyed_after_work);
}

TEST_F(BrokerLifetimeTest, RetriesAndSchedulesNotYetStartedAreDropped) {
  std::atomic<int> event_calls{0};
  std::atomic<int> scheduled_calls{0};
  std::atomic<int> sns_calls{0};
  RuleToCallback("failing", [&](const events::CallbackEvent&) {
    ++event_calls;
    return absl::UnavailableError("always");
  });
  ASSERT_OK_AND_ASSIGN(std::string arn, broker_->events().RegisterCallback(
                                            "tick", [&](const events::CallbackEvent&) {
                                              ++scheduled_calls;
                                              return absl::OkStatus();
                                            }));
  ASSERT_OK(
      broker_->events().PutRule({.name = "every-minute", .schedule_expression = "rate(1 minute)"}));
  ASSERT_OK(
      broker_->events().PutTargets({.rule = "every-minute", .targets = {{.id = "t", .arn = arn}}}));
  ASSERT_OK_AND_ASSIGN(auto fn, broker_->sns().RegisterFunction(
                                    {.function_name = "fn", .handler = [&](std::string_view) {
                                       ++sns_calls;
                                       return absl::UnavailableError("always");
                                     }}));
  ASSERT_OK(broker_->sns().Subscribe(
      {.topic_arn = topic_, .protocol = "lambda", .endpoint = fn.function_arn}));
  PutAppEvent();
  ASSERT_OK(broker_->sns().Publish({.topic_arn = topic_, .message = "m"}));
  const int events_before = event_calls.load();
  const int sns_before = sns_calls.load();
  EXPECT_EQ(events_before, 1);
  EXPECT_EQ(sns_before, 4);

  broker_.reset();
  clock_->Advance(absl::Hours(2));  // Every retry and firing would have been due.
  EXPECT_EQ(event_calls.load(), events_before);
  EXPECT_EQ(sns_calls.load(), sns_before);
  EXPECT_EQ(scheduled_calls.load(), 0);
}

TEST_F(BrokerLifetimeTest, ALongPollOnAnotherThreadEndsWithQueueDoesNotExist) {
  absl::StatusOr<sqs::ReceiveMessageResult> got;
  std::thread receiver(
      [&] { got = broker_->sqs().ReceiveMessage({.queue_url = url_, .wait_time_seconds = 20}); });
  clock_->AwaitWaiters(1);
  broker_.reset();
  // The destructor returned only after the receiver left its wait.
  EXPECT_EQ(clock_->NumWaiters(), 0);
  receiver.join();
  EXPECT_THAT(got, HasErrorCode(ErrorCode::kQueueDoesNotExist));
}

TEST_F(BrokerLifetimeTest, ALongPollOnAQueueHandleEndsToo) {
  ASSERT_OK_AND_ASSIGN(std::shared_ptr<sqs::Queue> queue, broker_->sqs().OpenQueue(url_));
  absl::StatusOr<sqs::ReceiveMessageResult> got;
  std::thread receiver([&] { got = queue->ReceiveMessage({.wait_time_seconds = 20}); });
  clock_->AwaitWaiters(1);
  broker_.reset();
  EXPECT_EQ(clock_->NumWaiters(), 0);
  receiver.join();
  EXPECT_THAT(got, HasErrorCode(ErrorCode::kQueueDoesNotExist));
}

TEST_F(BrokerLifetimeTest, AQueueHandleOutlivesTheBroker) {
  ASSERT_OK(broker_->sqs().SendMessage({.queue_url = url_, .message_body = "left behind"}));
  ASSERT_OK_AND_ASSIGN(std::shared_ptr<sqs::Queue> queue, broker_->sqs().OpenQueue(url_));
  broker_.reset();
  EXPECT_EQ(queue->url(), url_);
  EXPECT_THAT(queue->SendMessage({.message_body = "x"}),
              HasErrorCode(ErrorCode::kQueueDoesNotExist));
  EXPECT_THAT(queue->SendMessageBatch({.entries = {{.id = "a", .message_body = "x"}}}),
              HasErrorCode(ErrorCode::kQueueDoesNotExist));
  EXPECT_THAT(queue->ReceiveMessage({}), HasErrorCode(ErrorCode::kQueueDoesNotExist));
  EXPECT_THAT(queue->DeleteMessage({.receipt_handle = "h"}),
              HasErrorCode(ErrorCode::kQueueDoesNotExist));
  EXPECT_THAT(queue->DeleteMessageBatch({.entries = {{.id = "a", .receipt_handle = "h"}}}),
              HasErrorCode(ErrorCode::kQueueDoesNotExist));
  EXPECT_THAT(queue->ChangeMessageVisibility({.receipt_handle = "h", .visibility_timeout = 1}),
              HasErrorCode(ErrorCode::kQueueDoesNotExist));
  EXPECT_THAT(queue->ChangeMessageVisibilityBatch(
                  {.entries = {{.id = "a", .receipt_handle = "h", .visibility_timeout = 1}}}),
              HasErrorCode(ErrorCode::kQueueDoesNotExist));
  absl::StatusOr<sqs::ReceiveMessageResult> async = absl::UnknownError("not called");
  queue->ReceiveMessageAsync({.wait_time_seconds = 20},
                             [&](absl::StatusOr<sqs::ReceiveMessageResult> r) { async = r; });
  EXPECT_THAT(async, HasErrorCode(ErrorCode::kQueueDoesNotExist));
}

TEST_F(BrokerLifetimeTest, DestroyingTheBrokerEmptiesThePayloadBlockDepot) {
  if (!base_internal::kBlockCacheEnabled) {
    GTEST_SKIP() << "ASan builds bypass the block cache (block_cache.h)";
  }
  // Frees past this thread's bound put a batch into the depot.
  constexpr size_t kBytes = 200;
  std::vector<void*> blocks;
  for (size_t i = 0; i < 3 * base_internal::kBlockBatch; ++i) {
    blocks.push_back(base_internal::AllocateBlock(kBytes));
  }
  for (void* block : blocks) base_internal::FreeBlock(block, kBytes);
  ASSERT_GT(base_internal::CountCachedBlocks(kBytes).depot_batches, 0u);
  broker_.reset();
  EXPECT_EQ(base_internal::CountCachedBlocks(kBytes).depot_batches, 0u);
}

}  // namespace
}  // namespace wharf
