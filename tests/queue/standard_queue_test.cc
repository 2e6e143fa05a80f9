// Tests of the standard queue engine (broker/queue/standard_queue.h) through
// the QueueCore contract, on a ManualClock so that time moves only by hand.

#include "broker/queue/standard_queue.h"

#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "wharf/clock.h"
#include "wharf/errors.h"

namespace wharf::queue_internal {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::SizeIs;
using ::wharf::testing::HasError;
using ::wharf::testing::HasErrorCode;
using ::wharf::testing::IsOk;

std::shared_ptr<const Payload> Body(std::string body) {
  auto p = std::make_shared<Payload>();
  p->body = std::move(body);
  return p;
}

ReceiveArgs Args(int max, absl::Duration visibility, absl::Time wait_deadline) {
  ReceiveArgs args;
  args.max_messages = max;
  args.visibility_timeout = visibility;
  args.wait_deadline = wait_deadline;
  return args;
}

class StandardQueueTest : public ::testing::Test {
 protected:
  StandardQueueTest() { Reopen(QueueConfig{}); }

  void Reopen(const QueueConfig& config, DeadLetterSink* sink = nullptr) {
    queue_ = NewStandardQueue(config, clock_, sink, "arn:aws:sqs:us-east-1:000000000000:q");
  }

  std::string Send(std::string body, absl::Duration delay = absl::ZeroDuration()) {
    SendArgs args;
    args.payload = Body(std::move(body));
    args.delay = delay;
    auto outcome = queue_->Send(std::move(args));
    EXPECT_OK(outcome);
    return outcome.ok() ? outcome->message_id : "";
  }

  std::vector<Delivery> Receive(int max = 10, absl::Duration visibility = absl::Seconds(30)) {
    auto got = queue_->Receive(Args(max, visibility, clock_.Now()));
    EXPECT_OK(got);
    return got.ok() ? *std::move(got) : std::vector<Delivery>{};
  }

  std::vector<std::string> Bodies(const std::vector<Delivery>& ds) {
    std::vector<std::string> out;
    for (const Delivery& d : ds) out.push_back(d.payload->body);
    return out;
  }

  ManualClock clock_;
  std::unique_ptr<QueueCore> queue_;
};

TEST_F(StandardQueueTest, ReceiveReturnsSentMessage) {
  std::string id = Send("hello");
  auto got = Receive();
  ASSERT_THAT(got, SizeIs(1));
  EXPECT_EQ(got[0].message_id, id);
  EXPECT_EQ(got[0].payload->body, "hello");
  EXPECT_EQ(got[0].receive_count, 1);
  EXPECT_EQ(got[0].sent_time, clock_.Now());
  EXPECT_EQ(got[0].first_receive_time, clock_.Now());
  EXPECT_FALSE(got[0].receipt_handle.empty());
}

TEST_F(StandardQueueTest, DeletedMessageIsNotDeliveredAgain) {
  Send("a");
  auto got = Receive();
  ASSERT_THAT(got, SizeIs(1));
  EXPECT_OK(queue_->Delete(got[0].receipt_handle));
  clock_.Advance(absl::Seconds(31));
  EXPECT_THAT(Receive(), IsEmpty());
  Counts c = queue_->GetCounts();
  EXPECT_EQ(c.visible + c.in_flight + c.delayed, 0);
}

TEST_F(StandardQueueTest, MessagesFromOneSenderComeInOrder) {
  Send("a");
  Send("b");
  Send("c");
  EXPECT_THAT(Bodies(Receive()), ElementsAre("a", "b", "c"));
}

TEST_F(StandardQueueTest, MalformedHandleIsRejected) {
  EXPECT_THAT(queue_->Delete("garbage"),
              HasError(ErrorCode::kReceiptHandleIsInvalid,
                       "The input receipt handle \"garbage\" is not a valid receipt handle."));
}

}  // namespace
}  // namespace wharf::queue_internal
