// A durable broker (BrokerOptions::data_dir) reopened on the same directory
// and ManualClock: the state outside queues and topic configuration that it
// gives back. SNS FIFO topics: the deduplication window and the sequence
// numbers. Then the storage error path of each.

#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/fault_vfs.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"
#include "wharf/broker.h"
#include "wharf/clock.h"
#include "wharf/errors.h"
#include "wharf/sns.h"
#include "wharf/sqs.h"

namespace wharf::testing {
namespace {

using ::testing::SizeIs;

constexpr char kAccount[] = "123456789012";

// Sequence numbers are decimal text without leading zeros.
bool SequenceLess(const std::string& a, const std::string& b) {
  return a.size() != b.size() ? a.size() < b.size() : a < b;
}

class DurableStateTest : public ::testing::Test {
 protected:
  DurableStateTest() : clock_(std::make_shared<ManualClock>()) { Reopen(); }

  // Destroys the broker (a clean shutdown) and opens a new one on the same
  // directory and clock.
  void Reopen() {
    broker_.reset();
    absl::StatusOr<std::unique_ptr<Broker>> broker = Broker::Open(
        {.clock = clock_, .region = "us-east-1", .account_id = kAccount, .data_dir = dir_.path()});
    ASSERT_THAT(broker, IsOk());
    broker_ = std::move(*broker);
  }

  sqs::Service& sqs() { return broker_->sqs(); }
  sns::Service& sns() { return broker_->sns(); }

  TempDir dir_;  // Outlives broker_.
  std::shared_ptr<ManualClock> clock_;
  std::unique_ptr<Broker> broker_;
};

// ---- SNS FIFO topics ----------------------------------------------------------

class DurableFifoTopicTest : public DurableStateTest {
 protected:
  // A FIFO topic with a FIFO queue subscribed, to count what was delivered.
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(
        auto topic, sns().CreateTopic({.name = "orders.fifo",
                                       .attributes = {{"FifoTopic", "true"},
                                                      {"ContentBasedDeduplication", "true"}}}));
    topic_ = topic.topic_arn;
    ASSERT_OK_AND_ASSIGN(auto queue, sqs().CreateQueue({.queue_name = "inbox.fifo",
                                                        .attributes = {{"FifoQueue", "true"}}}));
    url_ = queue.queue_url;
    ASSERT_THAT(sns().Subscribe(
                    {.topic_arn = topic_,
                     .protocol = "sqs",
                     .endpoint = std::string("arn:aws:sqs:us-east-1:") + kAccount + ":inbox.fifo"}),
                IsOk());
  }

  absl::StatusOr<sns::PublishResult> Publish(const std::string& message,
                                             const std::string& dedup = "") {
    return sns().Publish({.topic_arn = topic_,
                          .message = message,
                          .message_deduplication_id = dedup,
                          .message_group_id = "g"});
  }

  std::string Queued() {
    auto got = sqs().GetQueueAttributes(
        {.queue_url = url_, .attribute_names = {"ApproximateNumberOfMessages"}});
    EXPECT_THAT(got, IsOk());
    return got.ok() ? got->attributes["ApproximateNumberOfMessages"] : "";
  }

  std::string topic_;
  std::string url_;
};

TEST_F(DurableFifoTopicTest, ADuplicateInsideTheWindowIsDeduplicatedAfterARestart) {
  ASSERT_OK_AND_ASSIGN(sns::PublishResult first, Publish("one", "id-1"));
  ASSERT_OK_AND_ASSIGN(sns::PublishResult by_content, Publish("two"));
  clock_->Advance(absl::Minutes(2));
  Reopen();
  clock_->Advance(absl::Minutes(2));
  // Both duplicates get the original answer and deliver nothing.
  ASSERT_OK_AND_ASSIGN(sns::PublishResult again, Publish("one, again", "id-1"));
  EXPECT_EQ(again.message_id, first.message_id);
  EXPECT_EQ(again.sequence_number, first.sequence_number);
  ASSERT_OK_AND_ASSIGN(sns::PublishResult content_again, Publish("two"));
  EXPECT_EQ(content_again.message_id, by_content.message_id);
  EXPECT_EQ(content_again.sequence_number, by_content.sequence_number);
  EXPECT_EQ(Queued(), "2");
  // New messages continue the sequence.
  ASSERT_OK_AND_ASSIGN(sns::PublishResult next, Publish("three"));
  EXPECT_TRUE(SequenceLess(by_content.sequence_number, next.sequence_number))
      << by_content.sequence_number << " then " << next.sequence_number;
  EXPECT_EQ(Queued(), "3");
}

TEST_F(DurableFifoTopicTest, ADuplicateAfterTheWindowIsANewMessage) {
  ASSERT_OK_AND_ASSIGN(sns::PublishResult first, Publish("one", "id-1"));
  ASSERT_OK_AND_ASSIGN(sns::PublishResult second, Publish("two", "id-2"));
  Reopen();
  clock_->Advance(absl::Minutes(5));
  ASSERT_OK_AND_ASSIGN(sns::PublishResult again, Publish("one", "id-1"));
  EXPECT_NE(again.message_id, first.message_id);
  EXPECT_TRUE(SequenceLess(second.sequence_number, again.sequence_number))
      << second.sequence_number << " then " << again.sequence_number;
  EXPECT_EQ(Queued(), "3");
  // Expired entries are not restored by a later restart either: id-2 (5
  // minutes old) is new again, id-1 (just recorded) is still a duplicate.
  Reopen();
  ASSERT_OK_AND_ASSIGN(sns::PublishResult two_again, Publish("two", "id-2"));
  EXPECT_NE(two_again.message_id, second.message_id);
  ASSERT_OK_AND_ASSIGN(sns::PublishResult one_again, Publish("one", "id-1"));
  EXPECT_EQ(one_again.message_id, again.message_id);
  EXPECT_EQ(Queued(), "4");
}

TEST_F(DurableFifoTopicTest, SequenceNumbersKeepIncreasingWhenTheWindowIsEmpty) {
  std::string last;
  for (int i = 0; i < 3; ++i) {
    ASSERT_OK_AND_ASSIGN(sns::PublishResult published, Publish("m" + std::to_string(i)));
    last = published.sequence_number;
  }
  clock_->Advance(absl::Hours(1));
  Reopen();
  ASSERT_OK_AND_ASSIGN(sns::PublishResult next, Publish("later"));
  EXPECT_TRUE(SequenceLess(last, next.sequence_number)) << last << " then " << next.sequence_number;
}

TEST_F(DurableFifoTopicTest, ARecreatedTopicStartsWithAnEmptyWindow) {
  ASSERT_OK_AND_ASSIGN(sns::PublishResult first, Publish("one", "id-1"));
  ASSERT_THAT(sns().DeleteTopic({.topic_arn = topic_}), IsOk());
  ASSERT_OK_AND_ASSIGN(auto topic,
                       sns().CreateTopic({.name = "orders.fifo",
                                          .attributes = {{"FifoTopic", "true"},
                                                         {"ContentBasedDeduplication", "true"}}}));
  ASSERT_EQ(topic.topic_arn, topic_);
  Reopen();
  ASSERT_OK_AND_ASSIGN(sns::PublishResult again, Publish("one", "id-1"));
  EXPECT_NE(again.message_id, first.message_id);
}

class DurableStateFaultTest : public DurableStateTest {
 protected:
  // The shim only sees connections opened after it is installed.
  DurableStateFaultTest() : vfs_(FaultVfs::Install()) { Reopen(); }
  ~DurableStateFaultTest() override { vfs_.Disarm(); }

  FaultVfs& vfs_;
};

TEST_F(DurableStateFaultTest, AFifoPublishThatCannotBeStoredFails) {
  ASSERT_OK_AND_ASSIGN(auto topic, sns().CreateTopic({.name = "orders.fifo",
                                                      .attributes = {{"FifoTopic", "true"}}}));
  ASSERT_OK_AND_ASSIGN(sns::PublishResult kept, sns().Publish({.topic_arn = topic.topic_arn,
                                                               .message = "kept",
                                                               .message_deduplication_id = "a",
                                                               .message_group_id = "g"}));
  vfs_.Arm(dir_.path(), FaultVfs::Fault::kDiskFull);
  EXPECT_THAT(sns().Publish({.topic_arn = topic.topic_arn,
                             .message = "refused",
                             .message_deduplication_id = "b",
                             .message_group_id = "g"}),
              HasErrorCode(ErrorCode::kServiceUnavailable));
  vfs_.Disarm();
  Reopen();
  // What was acknowledged is still deduplicated.
  ASSERT_OK_AND_ASSIGN(sns::PublishResult again, sns().Publish({.topic_arn = topic.topic_arn,
                                                                .message = "kept",
                                                                .message_deduplication_id = "a",
                                                                .message_group_id = "g"}));
  EXPECT_EQ(again.message_id, kept.message_id);
  EXPECT_EQ(again.sequence_number, kept.sequence_number);
}

}  // namespace
}  // namespace wharf::testing
