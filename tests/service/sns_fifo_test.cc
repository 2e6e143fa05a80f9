// FIFO topics (spec/sns.md §4.3, §6): required ids, deduplication window and
// scope, content-based deduplication ids, sequence numbers, and group order
// into FIFO subscriber queues under concurrent publishers.

#include <map>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/service/sns_fixture.h"

namespace wharf::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::Eq;
using ::testing::SizeIs;

constexpr ErrorCode kInvalid = ErrorCode::kSnsInvalidParameter;

class SnsFifoTest : public SnsTest {
 protected:
  void SetUp() override {
    topic_ = CreateTopic("orders.fifo", {{"FifoTopic", "true"}});
    SubscribeQueue(topic_, "q.fifo");
  }

  absl::StatusOr<sns::PublishResult> PublishFifo(const std::string& message,
                                                 const std::string& group,
                                                 const std::string& dedup) {
    return sns_.Publish({.topic_arn = topic_,
                         .message = message,
                         .message_deduplication_id = dedup,
                         .message_group_id = group});
  }

  std::string topic_;
};

TEST_F(SnsFifoTest, MessageGroupIdIsRequired) {
  EXPECT_THAT(PublishFifo("m", "", "d1"),
              HasError(kInvalid, Eq("Invalid parameter: The MessageGroupId parameter is "
                                    "required for FIFO topics")));
}

TEST_F(SnsFifoTest, DeduplicationIdIsRequiredWithoutContentBasedDeduplication) {
  EXPECT_THAT(PublishFifo("m", "g", ""),
              HasError(kInvalid, Eq("Invalid parameter: The topic should either have "
                                    "ContentBasedDeduplication enabled or "
                                    "MessageDeduplicationId provided explicitly")));
}

TEST_F(SnsFifoTest, PublishReturnsIncreasingSequenceNumbers) {
  ASSERT_OK_AND_ASSIGN(auto first, PublishFifo("m1", "g", "d1"));
  ASSERT_OK_AND_ASSIGN(auto second, PublishFifo("m2", "g", "d2"));
  EXPECT_THAT(first.sequence_number, SizeIs(20));
  EXPECT_LT(first.sequence_number, second.sequence_number);
}

TEST_F(SnsFifoTest, GroupAndDeduplicationIdsArePropagatedToFifoQueues) {
  ASSERT_OK(PublishFifo("m1", "g1", "d1"));
  std::vector<queue_internal::SendArgs> got = queues_.Messages(QueueArn("q.fifo"));
  ASSERT_THAT(got, SizeIs(1));
  EXPECT_EQ(got[0].message_group_id, "g1");
  EXPECT_EQ(got[0].deduplication_id, "d1");
}

// The dead letter of a raw FIFO subscription is raw, with the message's group
// and deduplication ids (LocalStack test_publish_fifo_messages_to_dlq[True],
// AWS-recorded).
TEST_F(SnsFifoTest, RawSubscriptionDeadLettersTheRawMessageWithItsIds) {
  SubscribeQueue(topic_, "gone.fifo",
                 {{"RawMessageDelivery", "true"},
                  {"RedrivePolicy", R"({"deadLetterTargetArn":")" + QueueArn("dlq.fifo") + "\"}"}});
  queues_.Delete(QueueArn("gone.fifo"));
  ASSERT_OK(PublishFifo("m1", "g1", "d1"));
  std::vector<queue_internal::SendArgs> got = queues_.Messages(QueueArn("dlq.fifo"));
  ASSERT_THAT(got, SizeIs(1));
  EXPECT_EQ(got[0].payload->body(), "m1");
  EXPECT_EQ(got[0].message_group_id, "g1");
  EXPECT_EQ(got[0].deduplication_id, "d1");
}

TEST_F(SnsFifoTest, EnvelopeCarriesTheSequenceNumberAndNoSignature) {
  ASSERT_OK_AND_ASSIGN(auto result, PublishFifo("m1", "g1", "d1"));
  rapidjson::Document doc;
  doc.Parse(Bodies("q.fifo")[0].c_str());
  EXPECT_EQ(doc["SequenceNumber"].GetString(), result.sequence_number);
  EXPECT_FALSE(doc.HasMember("Signature"));
  EXPECT_FALSE(doc.HasMember("SigningCertURL"));
}

TEST_F(SnsFifoTest, DuplicateWithinFiveMinutesIsAcceptedButNotDelivered) {
  ASSERT_OK_AND_ASSIGN(auto first, PublishFifo("m1", "g", "d1"));
  clock_.Advance(absl::Minutes(4));
  ASSERT_OK_AND_ASSIGN(auto dup, PublishFifo("m1 again", "g", "d1"));
  EXPECT_EQ(dup.message_id, first.message_id);
  EXPECT_EQ(dup.sequence_number, first.sequence_number);
  EXPECT_THAT(EnvelopeMessages("q.fifo"), ElementsAre("m1"));
}

TEST_F(SnsFifoTest, SameDeduplicationIdAfterFiveMinutesIsDeliveredAgain) {
  ASSERT_OK(PublishFifo("m1", "g", "d1"));
  clock_.Advance(absl::Minutes(5));
  ASSERT_OK(PublishFifo("m2", "g", "d1"));
  EXPECT_THAT(EnvelopeMessages("q.fifo"), ElementsAre("m1", "m2"));
}

TEST_F(SnsFifoTest, TopicScopeDeduplicatesAcrossGroups) {
  ASSERT_OK(PublishFifo("m1", "g1", "d1"));
  ASSERT_OK(PublishFifo("m2", "g2", "d1"));
  EXPECT_THAT(EnvelopeMessages("q.fifo"), ElementsAre("m1"));
}

TEST_F(SnsFifoTest, MessageGroupScopeDeduplicatesWithinAGroupOnly) {
  ASSERT_OK(sns_.SetTopicAttributes({.topic_arn = topic_,
                                     .attribute_name = "FifoThroughputScope",
                                     .attribute_value = "MessageGroup"}));
  ASSERT_OK(PublishFifo("m1", "g1", "d1"));
  ASSERT_OK(PublishFifo("m2", "g2", "d1"));
  ASSERT_OK(PublishFifo("m3", "g2", "d1"));
  EXPECT_THAT(EnvelopeMessages("q.fifo"), ElementsAre("m1", "m2"));
}

TEST_F(SnsFifoTest, ContentBasedDeduplicationUsesTheSha256OfTheMessage) {
  ASSERT_OK(sns_.SetTopicAttributes({.topic_arn = topic_,
                                     .attribute_name = "ContentBasedDeduplication",
                                     .attribute_value = "true"}));
  ASSERT_OK(PublishFifo("Test", "g", ""));
  ASSERT_OK(PublishFifo("Test", "g", ""));
  std::vector<queue_internal::SendArgs> got = queues_.Messages(QueueArn("q.fifo"));
  ASSERT_THAT(got, SizeIs(1));
  // The id AWS propagates for the message "Test" (spec/sns.md §4.3).
  EXPECT_EQ(got[0].deduplication_id,
            "532eaabd9574880dbf76b9b8cc00832c20a6ec113d682299550d7a6e0f345e25");
}

TEST_F(SnsFifoTest, StandardQueueSubscriberGetsNoGroupId) {
  SubscribeQueue(topic_, "plain");
  ASSERT_OK(PublishFifo("m1", "g1", "d1"));
  std::vector<queue_internal::SendArgs> got = queues_.Messages(QueueArn("plain"));
  ASSERT_THAT(got, SizeIs(1));
  EXPECT_TRUE(got[0].message_group_id.empty());
  EXPECT_TRUE(got[0].deduplication_id.empty());
}

TEST_F(SnsFifoTest, PublishBatchWithoutGroupIdFailsAsAWhole) {
  EXPECT_THAT(
      sns_.PublishBatch({.topic_arn = topic_,
                         .publish_batch_request_entries =
                             {{.id = "a",
                               .message = "m",
                               .message_deduplication_id = "d",
                               .message_group_id = "g"},
                              {.id = "b", .message = "m", .message_deduplication_id = "e"}}}),
      HasError(kInvalid, Eq("Invalid parameter: The MessageGroupId parameter is "
                            "required for FIFO topics")));
}

// LocalStack test_publish_batch_exceptions (AWS-validated): the message
// structure is checked before the FIFO group and deduplication ids.
TEST_F(SnsFifoTest, PublishBatchChecksTheMessageStructureBeforeTheGroupId) {
  EXPECT_THAT(sns_.PublishBatch({.topic_arn = topic_,
                                 .publish_batch_request_entries = {{.id = "1",
                                                                    .message = R"({"sqs":"x"})",
                                                                    .message_structure = "json"}}}),
              HasError(kInvalid, Eq("Invalid parameter: Message Structure - No default entry in "
                                    "JSON message body")));
}

// Several threads publish into the same few groups at once. Every FIFO
// subscriber must see each group's messages in the same order, and that order
// must be the order of the sequence numbers Publish returned.
TEST_F(SnsFifoTest, ConcurrentPublishersKeepGroupOrderInEverySubscriber) {
  SubscribeQueue(topic_, "q2.fifo");
  SubscribeQueue(topic_, "q3.fifo");
  constexpr int kThreads = 4;
  constexpr int kPerThread = 250;
  constexpr int kGroups = 3;
  std::vector<std::thread> threads;
  std::vector<std::map<std::string, std::string>> sequence_of(kThreads);  // message -> seq
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        std::string message = "t" + std::to_string(t) + "-" + std::to_string(i);
        auto result = PublishFifo(message, "g" + std::to_string(i % kGroups), message);
        ASSERT_OK(result);
        sequence_of[t][message] = result->sequence_number;
      }
    });
  }
  for (auto& th : threads) th.join();
  std::map<std::string, std::string> seq;
  for (const auto& m : sequence_of) seq.insert(m.begin(), m.end());

  std::map<std::string, std::vector<std::string>> reference;  // group -> messages
  for (const std::string queue : {"q.fifo", "q2.fifo", "q3.fifo"}) {
    std::map<std::string, std::vector<std::string>> by_group;
    std::vector<queue_internal::SendArgs> got = queues_.Messages(QueueArn(queue));
    ASSERT_THAT(got, SizeIs(kThreads * kPerThread)) << queue;
    for (const auto& args : got) {
      rapidjson::Document doc;
      doc.Parse(std::string(args.payload->body()).c_str());
      by_group[args.message_group_id].push_back(doc["Message"].GetString());
    }
    for (const auto& [group, messages] : by_group) {
      for (size_t i = 1; i < messages.size(); ++i) {
        ASSERT_LT(seq[messages[i - 1]], seq[messages[i]]) << queue << " " << group;
      }
    }
    if (reference.empty()) {
      reference = by_group;
    } else {
      EXPECT_EQ(by_group, reference) << queue;
    }
  }
}

}  // namespace
}  // namespace wharf::testing
