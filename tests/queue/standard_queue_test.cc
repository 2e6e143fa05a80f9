// Tests of the standard queue engine (broker/queue/standard_queue.h) through
// the QueueCore contract, on a ManualClock so that time moves only by hand.

#include "broker/queue/standard_queue.h"

#include <algorithm>
#include <cctype>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "broker/base/ids.h"
#include "broker/base/scheduler.h"
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

PayloadRef Body(std::string_view body) { return base_internal::NewPayload(body); }

ReceiveArgs Args(int max, absl::Duration visibility, absl::Time wait_deadline) {
  ReceiveArgs args;
  args.max_messages = max;
  args.visibility_timeout = visibility;
  args.wait_deadline = wait_deadline;
  return args;
}

// InlineText set from bits (a new message id, a receipt handle) reads as the
// text the formatting functions write, whenever and however often it is read.
TEST(InlineTextTest, PendingUuidReadsAsItsCanonicalText) {
  const base_internal::Uuid id{0x0123456789abcdefull, 0xfedcba9876543210ull};
  char expected[36];
  base_internal::FormatUuid(id, expected);
  InlineText<40> text;
  text.SetUuid(id);
  EXPECT_FALSE(text.empty());
  const InlineText<40> copy = text;  // Copied before its first read.
  EXPECT_EQ(text.size(), 36u);
  EXPECT_EQ(text.view(), std::string_view(expected, 36));
  EXPECT_EQ(text.view(), std::string_view(expected, 36));  // A second read.
  EXPECT_EQ(copy, std::string_view(expected, 36));
  EXPECT_EQ(text.str(), "01234567-89ab-cdef-fedc-ba9876543210");
  text = "other";  // Text replaces the pending bits.
  EXPECT_EQ(text.view(), "other");
  text.SetUuid(id);  // And bits replace text.
  EXPECT_EQ(text, copy);
}

TEST(InlineTextTest, PendingHexReadsAsFortyDigits) {
  InlineText<64> text;
  text.assign(std::string(100, 'x'));  // On the heap first.
  text.SetHex40(0x0000000100000002ull, 0xa0b0c0d0e0f00102ull, 0xdeadbeefu);
  std::string_view read = text;
  EXPECT_EQ(read, "0000000100000002a0b0c0d0e0f00102deadbeef");
  InlineText<64> moved = std::move(text);
  EXPECT_EQ(moved.str(), "0000000100000002a0b0c0d0e0f00102deadbeef");
}

class StandardQueueTest : public ::testing::Test {
 protected:
  StandardQueueTest() { Reopen(QueueConfig{}); }

  void Reopen(const QueueConfig& config, DeadLetterSink* sink = nullptr) {
    queue_ =
        NewStandardQueue(config, clock_, scheduler_, sink, "arn:aws:sqs:us-east-1:000000000000:q");
  }

  std::string Send(std::string body, absl::Duration delay = absl::ZeroDuration()) {
    SendArgs args;
    args.payload = Body(std::move(body));
    args.delay = delay;
    auto outcome = queue_->Send(std::move(args));
    EXPECT_OK(outcome);
    return outcome.ok() ? outcome->message_id.str() : "";
  }

  std::vector<Delivery> Receive(int max = 10, absl::Duration visibility = absl::Seconds(30)) {
    auto got = queue_->Receive(Args(max, visibility, clock_.Now()));
    EXPECT_OK(got);
    return got.ok() ? *std::move(got) : std::vector<Delivery>{};
  }

  std::vector<std::string> Bodies(const std::vector<Delivery>& ds) {
    std::vector<std::string> out;
    for (const Delivery& d : ds) out.emplace_back(d.payload->body());
    return out;
  }

  ManualClock clock_;
  Scheduler scheduler_{clock_};
  std::unique_ptr<QueueCore> queue_;
};

TEST_F(StandardQueueTest, ReceiveReturnsSentMessage) {
  std::string id = Send("hello");
  auto got = Receive();
  ASSERT_THAT(got, SizeIs(1));
  EXPECT_EQ(got[0].message_id, id);
  EXPECT_EQ(got[0].payload->body(), "hello");
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
  EXPECT_THAT(queue_->ChangeVisibility("", absl::Seconds(1)),
              HasError(ErrorCode::kReceiptHandleIsInvalid,
                       "The input receipt handle \"\" is not a valid receipt handle."));
}

TEST_F(StandardQueueTest, AlteredHandleIsRejected) {
  Send("a");
  auto got = Receive();
  ASSERT_THAT(got, SizeIs(1));
  const std::string handle = got[0].receipt_handle.str();
  for (size_t i = 0; i < handle.size(); ++i) {
    std::string forged = handle;
    forged[i] = forged[i] == '0' ? '1' : '0';
    EXPECT_THAT(queue_->Delete(forged), HasErrorCode(ErrorCode::kReceiptHandleIsInvalid))
        << "position " << i;
  }
  std::string upper = handle;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (upper != handle) {
    EXPECT_THAT(queue_->Delete(upper), HasErrorCode(ErrorCode::kReceiptHandleIsInvalid));
  }
  EXPECT_THAT(queue_->Delete(handle + "0"), HasErrorCode(ErrorCode::kReceiptHandleIsInvalid));
  EXPECT_EQ(queue_->GetCounts().in_flight, 1);
}

// Handles are parsed eight digits at a time: every other byte value at every
// position (the neighbours of '0'-'9' and 'a'-'f', upper case, bytes >= 0x80)
// is rejected, and the message stays in flight.
TEST_F(StandardQueueTest, HandleWithAnyOtherByteIsRejected) {
  Send("a");
  auto got = Receive();
  ASSERT_THAT(got, SizeIs(1));
  const std::string handle = got[0].receipt_handle.str();
  ASSERT_EQ(handle.size(), 40u);
  for (char c : handle) ASSERT_TRUE((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) << handle;
  int rejected = 0;
  for (size_t i = 0; i < handle.size(); ++i) {
    for (int b = 0; b < 256; ++b) {
      std::string forged = handle;
      forged[i] = static_cast<char>(b);
      if (forged == handle) continue;
      if (queue_->Delete(forged).code() == absl::StatusCode::kOk) {
        ADD_FAILURE() << "accepted byte " << b << " at position " << i;
      } else {
        ++rejected;
      }
    }
  }
  EXPECT_EQ(rejected, 40 * 255);
  EXPECT_EQ(queue_->GetCounts().in_flight, 1);
  EXPECT_OK(queue_->Delete(handle));
  EXPECT_EQ(queue_->GetCounts().in_flight, 0);
}

std::vector<SendArgs> Batch(const std::vector<std::string>& bodies) {
  std::vector<SendArgs> batch(bodies.size());
  for (size_t i = 0; i < bodies.size(); ++i) batch[i].payload = Body(bodies[i]);
  return batch;
}

TEST_F(StandardQueueTest, SendBatchSendsEveryMessageWithItsOwnId) {
  std::vector<std::string> bodies;
  for (int i = 0; i < 25; ++i) bodies.push_back(std::to_string(i));  // More than one run of 10.
  std::vector<SendArgs> batch = Batch(bodies);
  auto sent = queue_->SendBatch(batch);
  ASSERT_THAT(sent, SizeIs(25));
  std::set<std::string> ids;
  for (const auto& s : sent) {
    ASSERT_OK(s);
    EXPECT_THAT(s->message_id.view(), SizeIs(36));
    ids.insert(s->message_id.str());
  }
  EXPECT_THAT(ids, SizeIs(25));
  EXPECT_EQ(queue_->GetCounts().visible, 25);
  std::set<std::string> got_ids;
  std::multiset<std::string> got_bodies;
  for (int round = 0; round < 3; ++round) {
    for (const Delivery& d : Receive(10)) {
      got_ids.insert(d.message_id.str());
      got_bodies.emplace(d.payload->body());
    }
  }
  EXPECT_EQ(got_ids, ids);
  EXPECT_EQ(got_bodies, std::multiset<std::string>(bodies.begin(), bodies.end()));
}

TEST_F(StandardQueueTest, SendBatchFailsOnlyTheInvalidEntryAndKeepsDelays) {
  std::vector<SendArgs> batch = Batch({"now", "", "later"});
  batch[1].payload = nullptr;
  batch[2].delay = absl::Seconds(5);
  auto sent = queue_->SendBatch(batch);
  ASSERT_THAT(sent, SizeIs(3));
  EXPECT_OK(sent[0]);
  EXPECT_THAT(sent[1], HasErrorCode(ErrorCode::kInternalFailure));
  EXPECT_OK(sent[2]);
  Counts c = queue_->GetCounts();
  EXPECT_EQ(c.visible, 1);
  EXPECT_EQ(c.delayed, 1);
  EXPECT_THAT(Bodies(Receive()), ElementsAre("now"));
  clock_.Advance(absl::Seconds(5));
  EXPECT_THAT(Bodies(Receive()), ElementsAre("later"));
}

TEST_F(StandardQueueTest, SendBatchWakesParkedReceivers) {
  std::vector<std::string> got;
  int completed = 0;
  for (int i = 0; i < 2; ++i) {
    queue_->ReceiveAsync(Args(1, absl::Seconds(30), clock_.Now() + absl::Seconds(20)),
                         [&](ReceiveResult r) {
                           ++completed;
                           ASSERT_OK(r);
                           for (const Delivery& d : *r) got.emplace_back(d.payload->body());
                         });
  }
  EXPECT_EQ(completed, 0);
  std::vector<SendArgs> batch = Batch({"a", "b", "c"});
  queue_->SendBatch(batch);
  EXPECT_EQ(completed, 2);
  EXPECT_THAT(got, ::testing::UnorderedElementsAre(::testing::AnyOf("a", "b", "c"),
                                                   ::testing::AnyOf("a", "b", "c")));
  EXPECT_EQ(queue_->GetCounts().visible, 1);
}

TEST_F(StandardQueueTest, HandleFromAnotherQueueIsRejected) {
  auto other =
      NewStandardQueue(QueueConfig{}, clock_, scheduler_, nullptr, "arn:aws:sqs:us-east-1:0:other");
  SendArgs args;
  args.payload = Body("x");
  ASSERT_OK(other->Send(std::move(args)));
  auto got = other->Receive(Args(1, absl::Seconds(30), clock_.Now()));
  ASSERT_OK(got);
  ASSERT_THAT(*got, SizeIs(1));
  Send("mine");
  Receive();
  const std::string foreign = (*got)[0].receipt_handle.str();
  EXPECT_THAT(queue_->Delete(foreign), HasError(ErrorCode::kReceiptHandleIsInvalid,
                                                "The input receipt handle \"" + foreign +
                                                    "\" is not a valid receipt handle."));
  EXPECT_THAT(queue_->ChangeVisibility(foreign, absl::Seconds(5)),
              HasErrorCode(ErrorCode::kReceiptHandleIsInvalid));
}

TEST_F(StandardQueueTest, ReceivedMessageIsHiddenUntilVisibilityTimeoutEnds) {
  Send("a");
  auto first = Receive(1, absl::Seconds(30));
  ASSERT_THAT(first, SizeIs(1));
  const absl::Time first_receive = clock_.Now();
  clock_.Advance(absl::Seconds(29));
  EXPECT_THAT(Receive(), IsEmpty());
  clock_.Advance(absl::Seconds(1));
  auto second = Receive();
  ASSERT_THAT(second, SizeIs(1));
  EXPECT_EQ(second[0].message_id, first[0].message_id);
  EXPECT_EQ(second[0].receive_count, 2);
  EXPECT_EQ(second[0].first_receive_time, first_receive);
  EXPECT_NE(second[0].receipt_handle, first[0].receipt_handle);
}

// Deadlines in the order they were set go to a FIFO, any earlier one to a
// heap (standard_queue_internal.h: Deadlines); both must surface on time.
TEST_F(StandardQueueTest, MixedVisibilityTimeoutsEndInDeadlineOrder) {
  for (const char* body : {"a", "b", "c", "d", "e", "f"}) Send(body);
  // a 30 s, b 10 s, c 20 s, d 40 s (deleted), e 40 s, f 5 s.
  const int seconds[] = {30, 10, 20, 40, 40, 5};
  std::vector<Delivery> got;
  for (int s : seconds) {
    auto one = Receive(1, absl::Seconds(s));
    ASSERT_THAT(one, SizeIs(1));
    got.push_back(std::move(one[0]));
  }
  ASSERT_EQ(got[3].payload->body(), "d");
  ASSERT_OK(queue_->Delete(got[3].receipt_handle));
  const std::vector<std::pair<int, std::string>> due = {
      {5, "f"}, {10, "b"}, {20, "c"}, {30, "a"}, {40, "e"}};
  int now = 0;
  for (const auto& [at, body] : due) {
    clock_.Advance(absl::Seconds(at - now - 1));
    EXPECT_THAT(Receive(), IsEmpty()) << at;
    clock_.Advance(absl::Seconds(1));
    now = at;
    EXPECT_THAT(Bodies(Receive(10, absl::Hours(1))), ElementsAre(body)) << at;
  }
  EXPECT_EQ(queue_->GetCounts().in_flight, 5);
}

// Many deadlines, half of them dead (deleted messages) and popped while new
// ones arrive: every live one surfaces exactly once, at its time.
TEST_F(StandardQueueTest, ManyDeadlinesWithDeletesSurfaceExactlyTheLiveOnes) {
  constexpr int kCount = 1000;
  for (int i = 0; i < kCount; ++i) Send(std::to_string(i));
  std::set<std::string> live;
  for (int i = 0; i < kCount; ++i) {
    auto one = Receive(1, absl::Seconds(30));
    ASSERT_THAT(one, SizeIs(1));
    if (i % 2 == 0) {
      ASSERT_OK(queue_->Delete(one[0].receipt_handle));
    } else {
      live.emplace(one[0].payload->body());
    }
    clock_.Advance(absl::Milliseconds(10));  // Deadline i at 30 s + 10 ms * i.
  }
  // The receives took 10 s; the first deadline is 30 s after the first one.
  EXPECT_THAT(Receive(), IsEmpty());
  std::set<std::string> surfaced;
  for (int step = 0; step < 40; ++step) {
    clock_.Advance(absl::Seconds(1));
    for (std::vector<Delivery> more = Receive(10, absl::Hours(1)); !more.empty();
         more = Receive(10, absl::Hours(1))) {
      for (const Delivery& d : more) {
        EXPECT_TRUE(surfaced.emplace(d.payload->body()).second) << d.payload->body();
      }
    }
  }
  EXPECT_EQ(surfaced, live);
}

TEST_F(StandardQueueTest, ZeroVisibilityTimeoutLeavesMessageVisible) {
  Send("a");
  auto first = Receive(10, absl::ZeroDuration());
  ASSERT_THAT(first, SizeIs(1));  // Not returned twice by the same call.
  EXPECT_EQ(queue_->GetCounts().visible, 1);
  auto second = Receive(10, absl::ZeroDuration());
  ASSERT_THAT(second, SizeIs(1));
  EXPECT_EQ(second[0].receive_count, 2);
  EXPECT_OK(queue_->Delete(second[0].receipt_handle));
  EXPECT_EQ(queue_->GetCounts().visible, 0);
}

TEST_F(StandardQueueTest, ChangeVisibilityCountsFromNow) {
  Send("a");
  auto got = Receive(1, absl::Seconds(30));
  ASSERT_THAT(got, SizeIs(1));
  clock_.Advance(absl::Seconds(20));
  ASSERT_OK(queue_->ChangeVisibility(got[0].receipt_handle, absl::Seconds(60)));
  clock_.Advance(absl::Seconds(59));  // 79 s after the receive.
  EXPECT_THAT(Receive(), IsEmpty());
  clock_.Advance(absl::Seconds(1));
  EXPECT_THAT(Receive(), SizeIs(1));
}

TEST_F(StandardQueueTest, ChangeVisibilityCanShortenTheTimeout) {
  Send("a");
  auto got = Receive(1, absl::Seconds(300));
  ASSERT_THAT(got, SizeIs(1));
  ASSERT_OK(queue_->ChangeVisibility(got[0].receipt_handle, absl::Seconds(5)));
  clock_.Advance(absl::Seconds(5));
  EXPECT_THAT(Receive(), SizeIs(1));
}

TEST_F(StandardQueueTest, ChangeVisibilityToZeroMakesMessageVisibleAtOnce) {
  Send("a");
  auto got = Receive();
  ASSERT_THAT(got, SizeIs(1));
  ASSERT_OK(queue_->ChangeVisibility(got[0].receipt_handle, absl::ZeroDuration()));
  Counts c = queue_->GetCounts();
  EXPECT_EQ(c.visible, 1);
  EXPECT_EQ(c.in_flight, 0);
  EXPECT_THAT(Receive(), SizeIs(1));
}

TEST_F(StandardQueueTest, ChangeVisibilityBeyondTwelveHoursFromReceiveIsRejected) {
  Send("a");
  auto got = Receive();
  ASSERT_THAT(got, SizeIs(1));
  clock_.Advance(absl::Hours(1));
  EXPECT_THAT(queue_->ChangeVisibility(got[0].receipt_handle, absl::Seconds(43200)),
              HasError(ErrorCode::kInvalidParameterValue,
                       "Value 43200 for parameter VisibilityTimeout is invalid. Reason: Total "
                       "VisibilityTimeout for the message is beyond the limit [43200 seconds]."));
  // Not clamped: the message keeps its old deadline.
  clock_.Advance(absl::Seconds(1));
  EXPECT_THAT(Receive(), SizeIs(1));
}

TEST_F(StandardQueueTest, ChangeVisibilityUpToTwelveHoursFromReceiveIsAccepted) {
  Send("a");
  auto got = Receive();
  ASSERT_THAT(got, SizeIs(1));
  clock_.Advance(absl::Hours(1));
  ASSERT_OK(queue_->ChangeVisibility(got[0].receipt_handle, absl::Hours(11)));
  clock_.Advance(absl::Hours(11) - absl::Seconds(1));
  EXPECT_THAT(Receive(), IsEmpty());
  clock_.Advance(absl::Seconds(1));
  EXPECT_THAT(Receive(), SizeIs(1));
}

TEST_F(StandardQueueTest, ChangeVisibilityOfDeletedMessageIsInvalidParameter) {
  Send("a");
  auto got = Receive();
  ASSERT_THAT(got, SizeIs(1));
  const std::string h = got[0].receipt_handle.str();
  ASSERT_OK(queue_->Delete(h));
  EXPECT_THAT(queue_->ChangeVisibility(h, absl::Seconds(10)),
              HasError(ErrorCode::kInvalidParameterValue,
                       "Value " + h +
                           " for parameter ReceiptHandle is invalid. Reason: Message does not "
                           "exist or is not available for visibility timeout change."));
}

TEST_F(StandardQueueTest, ChangeVisibilityOfSlotReusedByAnotherMessageIsInvalidParameter) {
  Send("a");
  auto got = Receive();
  ASSERT_THAT(got, SizeIs(1));
  ASSERT_OK(queue_->Delete(got[0].receipt_handle));
  Send("b");  // Likely reuses the freed slot.
  EXPECT_THAT(queue_->ChangeVisibility(got[0].receipt_handle, absl::Seconds(10)),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_OK(queue_->Delete(got[0].receipt_handle));
  EXPECT_EQ(queue_->GetCounts().visible, 1);  // "b" untouched.
}

TEST_F(StandardQueueTest, HandlesOfDeletedMessagesDoNotTouchMessagesThatReuseTheirSlots) {
  // Freed slots return to the senders in batches: enough deletes that the
  // messages sent after them reuse slots.
  queue_ = NewStandardQueueWithShards(QueueConfig{}, clock_, scheduler_, nullptr, "arn", 1);
  std::vector<std::string> old_handles;
  for (int round = 0; round < 10; ++round) {
    for (int i = 0; i < 10; ++i) Send("old");
    for (const Delivery& d : Receive(10)) {
      old_handles.emplace_back(d.receipt_handle.view());
      ASSERT_OK(queue_->Delete(d.receipt_handle));
    }
  }
  ASSERT_THAT(old_handles, SizeIs(100));
  std::set<uint32_t> old_slots;
  for (const std::string& h : old_handles)
    old_slots.insert(std::stoul(h.substr(0, 8), nullptr, 16));
  for (int i = 0; i < 100; ++i) Send("new");
  std::vector<Delivery> got = Receive(10);
  ASSERT_THAT(got, SizeIs(10));
  // Some of the new messages sit in slots the old ones had.
  int reused = 0;
  for (const Delivery& d : got) {
    reused +=
        old_slots.count(std::stoul(std::string(d.receipt_handle.view().substr(0, 8)), nullptr, 16));
  }
  EXPECT_GT(reused, 0);
  for (const std::string& h : old_handles) {
    EXPECT_THAT(queue_->ChangeVisibility(h, absl::Seconds(0)),
                HasErrorCode(ErrorCode::kInvalidParameterValue));
    EXPECT_OK(queue_->Delete(h));
  }
  Counts c = queue_->GetCounts();
  EXPECT_EQ(c.visible, 90);
  EXPECT_EQ(c.in_flight, 10);
}

// SQS (LocalStack's AWS-validated
// test_terminate_visibility_timeout_after_receive): a handle of an earlier
// receive changes the visibility of the message's current receive.
TEST_F(StandardQueueTest, ChangeVisibilityWithHandleOfEarlierReceiveChangesTheCurrentOne) {
  Send("a");
  auto first = Receive(1, absl::ZeroDuration());
  ASSERT_THAT(first, SizeIs(1));
  auto second = Receive(1, absl::Seconds(3));
  ASSERT_THAT(second, SizeIs(1));
  EXPECT_THAT(Receive(1), IsEmpty());
  EXPECT_OK(queue_->ChangeVisibility(first[0].receipt_handle, absl::ZeroDuration()));
  auto third = Receive(1);
  ASSERT_THAT(third, SizeIs(1));
  EXPECT_EQ(third[0].receive_count, 3);
}

// Not in flight, only the newest receive's handle is taken.
TEST_F(StandardQueueTest, ChangeVisibilityWithHandleOfEarlierReceiveOfVisibleMessageIsNotInflight) {
  Send("a");
  auto first = Receive(1, absl::Seconds(10));
  ASSERT_THAT(first, SizeIs(1));
  clock_.Advance(absl::Seconds(10));
  auto second = Receive(1, absl::Seconds(10));
  ASSERT_THAT(second, SizeIs(1));
  clock_.Advance(absl::Seconds(10));
  EXPECT_THAT(queue_->ChangeVisibility(first[0].receipt_handle, absl::Seconds(10)),
              HasError(ErrorCode::kMessageNotInflight, "The message referred to isn't in flight."));
  EXPECT_OK(queue_->ChangeVisibility(second[0].receipt_handle, absl::Seconds(10)));
}

TEST_F(StandardQueueTest, ChangeVisibilityWithNewestHandleHidesVisibleMessage) {
  Send("a");
  auto got = Receive(1, absl::ZeroDuration());
  ASSERT_THAT(got, SizeIs(1));
  // The handle is the newest one and the message is visible: the change applies.
  ASSERT_OK(queue_->ChangeVisibility(got[0].receipt_handle, absl::Seconds(10)));
  EXPECT_EQ(queue_->GetCounts().in_flight, 1);
}

TEST_F(StandardQueueTest, ExpiredHandleStillChangesVisibility) {
  Send("a");
  auto got = Receive(1, absl::Seconds(10));
  ASSERT_THAT(got, SizeIs(1));
  clock_.Advance(absl::Seconds(11));
  EXPECT_EQ(queue_->GetCounts().visible, 1);
  ASSERT_OK(queue_->ChangeVisibility(got[0].receipt_handle, absl::Seconds(30)));
  Counts c = queue_->GetCounts();
  EXPECT_EQ(c.visible, 0);
  EXPECT_EQ(c.in_flight, 1);
  EXPECT_THAT(Receive(), IsEmpty());
  clock_.Advance(absl::Seconds(30));
  EXPECT_THAT(Receive(), SizeIs(1));
}

TEST_F(StandardQueueTest, ExpiredHandleStillDeletes) {
  Send("a");
  auto got = Receive(1, absl::Seconds(10));
  ASSERT_THAT(got, SizeIs(1));
  clock_.Advance(absl::Seconds(11));
  EXPECT_OK(queue_->Delete(got[0].receipt_handle));
  EXPECT_THAT(Receive(), IsEmpty());
  Counts c = queue_->GetCounts();
  EXPECT_EQ(c.visible + c.in_flight + c.delayed, 0);
}

TEST_F(StandardQueueTest, HandleOfEarlierReceiveStillDeletes) {
  Send("a");
  auto first = Receive(1, absl::Seconds(10));
  ASSERT_THAT(first, SizeIs(1));
  clock_.Advance(absl::Seconds(10));
  ASSERT_THAT(Receive(1, absl::Seconds(10)), SizeIs(1));
  EXPECT_OK(queue_->Delete(first[0].receipt_handle));
  EXPECT_EQ(queue_->GetCounts().in_flight, 0);
  clock_.Advance(absl::Seconds(10));
  EXPECT_THAT(Receive(), IsEmpty());
}

TEST_F(StandardQueueTest, RepeatedDeleteSucceeds) {
  Send("a");
  Send("b");
  auto got = Receive(1);
  ASSERT_THAT(got, SizeIs(1));
  EXPECT_OK(queue_->Delete(got[0].receipt_handle));
  EXPECT_OK(queue_->Delete(got[0].receipt_handle));
  Send("c");  // May reuse the slot; the old handle must not touch it.
  EXPECT_OK(queue_->Delete(got[0].receipt_handle));
  EXPECT_EQ(queue_->GetCounts().visible, 2);
}

TEST_F(StandardQueueTest, DelayedMessageIsCountedAndHiddenUntilDelayEnds) {
  Send("late", absl::Seconds(5));
  Counts c = queue_->GetCounts();
  EXPECT_EQ(c.delayed, 1);
  EXPECT_EQ(c.visible, 0);
  EXPECT_THAT(Receive(), IsEmpty());
  clock_.Advance(absl::Seconds(4));
  EXPECT_THAT(Receive(), IsEmpty());
  clock_.Advance(absl::Seconds(1));
  c = queue_->GetCounts();
  EXPECT_EQ(c.delayed, 0);
  EXPECT_EQ(c.visible, 1);
  EXPECT_THAT(Bodies(Receive()), ElementsAre("late"));
}

TEST_F(StandardQueueTest, CountsTrackEveryState) {
  Send("a");
  Send("b");
  Send("c");
  Send("d", absl::Seconds(10));
  ASSERT_THAT(Receive(1), SizeIs(1));
  Counts c = queue_->GetCounts();
  EXPECT_EQ(c.visible, 2);
  EXPECT_EQ(c.in_flight, 1);
  EXPECT_EQ(c.delayed, 1);
}

TEST_F(StandardQueueTest, MessagesOlderThanRetentionAreDropped) {
  QueueConfig config;
  config.retention = absl::Seconds(60);
  Reopen(config);
  Send("visible");
  Send("in-flight");
  auto got = Receive(1, absl::Hours(1));
  ASSERT_THAT(got, SizeIs(1));
  clock_.Advance(absl::Seconds(30));
  Send("young");
  clock_.Advance(absl::Seconds(30));
  Counts c = queue_->GetCounts();
  EXPECT_EQ(c.visible, 1);
  EXPECT_EQ(c.in_flight, 0);
  EXPECT_THAT(Bodies(Receive()), ElementsAre("young"));
  EXPECT_OK(queue_->Delete(got[0].receipt_handle));
  EXPECT_THAT(queue_->ChangeVisibility(got[0].receipt_handle, absl::Seconds(1)),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
}

TEST_F(StandardQueueTest, ReceiveNeverReturnsAMessagePastRetention) {
  QueueConfig config;
  config.retention = absl::Seconds(60);
  Reopen(config);
  Send("a");
  clock_.Advance(absl::Seconds(60));
  EXPECT_THAT(Receive(), IsEmpty());
}

TEST_F(StandardQueueTest, LoweringRetentionAppliesToQueuedMessages) {
  Send("old");
  clock_.Advance(absl::Minutes(10));
  Send("new");
  QueueConfig config;
  config.retention = absl::Minutes(5);
  queue_->SetConfig(config);
  EXPECT_EQ(queue_->GetCounts().visible, 1);
  EXPECT_THAT(Bodies(Receive()), ElementsAre("new"));
}

TEST_F(StandardQueueTest, CarriedHistoryIsKept) {
  SendArgs args;
  args.payload = Body("moved");
  args.message_id = "11111111-2222-4333-8444-555555555555";
  args.sent_time = clock_.Now() - absl::Minutes(3);
  args.receive_count = 4;
  args.first_receive_time = clock_.Now() - absl::Minutes(2);
  args.dead_letter_source_arn = "arn:aws:sqs:us-east-1:0:src";
  args.message_group_id = "tenant";
  ASSERT_OK(queue_->Send(args));
  auto got = Receive();
  ASSERT_THAT(got, SizeIs(1));
  EXPECT_EQ(got[0].message_id, args.message_id);
  EXPECT_EQ(got[0].sent_time, args.sent_time);
  EXPECT_EQ(got[0].receive_count, 5);
  EXPECT_EQ(got[0].first_receive_time, args.first_receive_time);
  EXPECT_EQ(got[0].dead_letter_source_arn, "arn:aws:sqs:us-east-1:0:src");
  EXPECT_EQ(got[0].message_group_id, "tenant");
}

// Canonical UUIDs are kept as their bits, anything else as text: every kind
// of carried id comes back exactly as sent.
TEST_F(StandardQueueTest, CarriedIdsComeBackVerbatim) {
  const std::vector<std::string> ids = {
      "0123abcd-4567-4890-a1b2-c3d4e5f60789",  // Canonical.
      "0123ABCD-4567-4890-A1B2-C3D4E5F60789",  // Upper case: not canonical.
      "kept-id", std::string(100, 'x')};       // Longer than a Delivery holds inline.
  for (const std::string& id : ids) {
    SendArgs args;
    args.payload = Body(id);
    args.message_id = id;
    auto sent = queue_->Send(args);
    ASSERT_OK(sent);
    EXPECT_EQ(sent->message_id, id);
    auto got = Receive(1);
    ASSERT_THAT(got, SizeIs(1));
    EXPECT_EQ(got[0].message_id, id);
    EXPECT_OK(queue_->Delete(got[0].receipt_handle));
  }
}

// Ids of messages sent without one are derived from where and when they were
// queued (not stored): every message through one slot (reused LIFO) and
// every live message gets its own version 4 UUID, and another queue's differ.
TEST_F(StandardQueueTest, DerivedIdsAreUniqueVersion4Uuids) {
  std::set<std::string> ids;
  auto check = [&](const std::string& id) {
    ASSERT_EQ(id.size(), 36u);
    base_internal::Uuid bits;
    EXPECT_TRUE(base_internal::ParseUuid(id, &bits)) << id;
    EXPECT_EQ(id[14], '4') << id;
    EXPECT_NE(std::string("89ab").find(id[19]), std::string::npos) << id;
    EXPECT_TRUE(ids.insert(id).second) << "repeated: " << id;
  };
  for (int i = 0; i < 500; ++i) {  // Slots reused as deletes free them.
    const std::string id = Send("one at a time");
    check(id);
    auto got = Receive(1);
    ASSERT_THAT(got, SizeIs(1));
    EXPECT_EQ(got[0].message_id, id);
    ASSERT_OK(queue_->Delete(got[0].receipt_handle));
  }
  std::vector<std::string> live;
  for (int i = 0; i < 500; ++i) live.push_back(Send("live"));
  for (const std::string& id : live) check(id);
  std::set<std::string> received;
  while (true) {
    auto got = Receive(10);
    if (got.empty()) break;
    for (const Delivery& d : got) received.insert(d.message_id.str());
  }
  EXPECT_EQ(received, std::set<std::string>(live.begin(), live.end()));
  Reopen(QueueConfig{});  // Another queue: the same slots, other ids.
  for (int i = 0; i < 100; ++i) check(Send("other queue"));
}

// A slot's next message starts with none of the previous one's receive
// history or carried id. Freed slots return to the senders kFreeBatch (32) at
// a time: one shard, 32 deletes, so the next 32 sends reuse exactly them.
TEST_F(StandardQueueTest, SlotReuseKeepsNothingOfThePreviousMessage) {
  queue_ = NewStandardQueueWithShards(QueueConfig{}, clock_, scheduler_, nullptr, "arn", 1);
  constexpr int kCount = 32;
  auto slot_of = [](const Delivery& d) {
    return std::stoul(std::string(d.receipt_handle.view().substr(0, 8)), nullptr, 16);
  };
  std::set<std::string> old_ids;
  std::set<unsigned long> old_slots;
  for (int i = 0; i < kCount; ++i) {
    SendArgs args;
    args.payload = Body("carried");
    const std::string n = std::to_string(i);
    args.message_id = "0123abcd-4567-4890-a1b2-" + std::string(12 - n.size(), '0') + n;
    args.dead_letter_source_arn = "arn:aws:sqs:us-east-1:0:src";
    ASSERT_OK(queue_->Send(args));
    old_ids.insert(args.message_id);
  }
  for (int round = 0; round < kCount / 8; ++round) {
    for (const Delivery& d : Receive(8)) {
      EXPECT_EQ(d.first_receive_time, clock_.Now());
      EXPECT_TRUE(old_ids.count(d.message_id.str())) << d.message_id;
      EXPECT_EQ(d.dead_letter_source_arn, "arn:aws:sqs:us-east-1:0:src");
      old_slots.insert(slot_of(d));
      ASSERT_OK(queue_->Delete(d.receipt_handle));
    }
  }
  ASSERT_THAT(old_slots, SizeIs(kCount));
  clock_.Advance(absl::Seconds(5));
  std::set<std::string> new_ids;
  for (int i = 0; i < kCount; ++i) new_ids.insert(Send("next"));
  int received = 0;
  for (int round = 0; round < kCount / 8; ++round) {
    for (const Delivery& d : Receive(8)) {
      ++received;
      EXPECT_TRUE(old_slots.count(slot_of(d))) << "not a reused slot: " << d.receipt_handle;
      EXPECT_TRUE(new_ids.count(d.message_id.str())) << d.message_id;
      EXPECT_FALSE(old_ids.count(d.message_id.str())) << d.message_id;
      EXPECT_EQ(d.first_receive_time, clock_.Now());
      EXPECT_EQ(d.dead_letter_source_arn, "");
    }
  }
  EXPECT_EQ(received, kCount);
  EXPECT_THAT(new_ids, SizeIs(kCount));
}

// A first receive at the Unix epoch is a time like any other (kept through
// the next receive), not "never received".
TEST(StandardQueueEpochTest, FirstReceiveAtTheEpochIsKept) {
  ManualClock clock(absl::UnixEpoch());
  Scheduler scheduler(clock);
  auto queue = NewStandardQueue(QueueConfig{}, clock, scheduler, nullptr, "arn");
  SendArgs args;
  args.payload = Body("at zero");
  ASSERT_OK(queue->Send(std::move(args)));
  auto first = queue->Receive(Args(1, absl::Seconds(1), clock.Now()));
  ASSERT_OK(first);
  ASSERT_THAT(*first, SizeIs(1));
  EXPECT_EQ((*first)[0].first_receive_time, absl::UnixEpoch());
  clock.Advance(absl::Seconds(1));
  auto second = queue->Receive(Args(1, absl::Seconds(1), clock.Now()));
  ASSERT_OK(second);
  ASSERT_THAT(*second, SizeIs(1));
  EXPECT_EQ((*second)[0].receive_count, 2);
  EXPECT_EQ((*second)[0].first_receive_time, absl::UnixEpoch());
}

TEST_F(StandardQueueTest, PayloadIsSharedNotCopied) {
  auto payload = Body("shared");
  SendArgs args;
  args.payload = payload;
  ASSERT_OK(queue_->Send(args));
  auto got = Receive();
  ASSERT_THAT(got, SizeIs(1));
  EXPECT_EQ(got[0].payload.get(), payload.get());
}

TEST_F(StandardQueueTest, InFlightCapFailsReceiveWithOverLimit) {
  QueueConfig config;
  config.max_inflight = 2;
  Reopen(config);
  for (int i = 0; i < 4; ++i) Send("m");
  auto got = Receive(10);
  EXPECT_THAT(got, SizeIs(2));
  EXPECT_THAT(queue_->Receive(Args(1, absl::Seconds(30), clock_.Now())),
              HasErrorCode(ErrorCode::kOverLimit));
  ASSERT_OK(queue_->Delete(got[0].receipt_handle));
  EXPECT_THAT(Receive(10), SizeIs(1));
  EXPECT_EQ(queue_->GetCounts().visible, 1);
}

TEST_F(StandardQueueTest, InFlightCapIsExactFarAboveTheCountsStep) {
  // A receive far below the cap reads a floor of the in-flight count kept
  // in steps of 64; near it, every shard's count. Both hold the cap exactly
  // while the count rises with receives and falls with deletes and expiries.
  QueueConfig config;
  config.max_inflight = 300;
  queue_ = NewStandardQueueWithShards(config, clock_, scheduler_, nullptr, "arn", 2);
  for (int i = 0; i < 600; ++i) Send("m");
  const auto receive_to_cap = [&] {
    std::vector<Delivery> taken;
    for (;;) {
      auto got = queue_->Receive(Args(10, absl::Seconds(30), clock_.Now()));
      if (!got.ok()) {
        EXPECT_THAT(got, HasErrorCode(ErrorCode::kOverLimit));
        return taken;
      }
      if (got->empty()) return taken;
      for (Delivery& d : *got) taken.push_back(std::move(d));
    }
  };
  std::vector<Delivery> taken = receive_to_cap();
  ASSERT_THAT(taken, SizeIs(300));
  EXPECT_EQ(queue_->GetCounts().in_flight, 300);
  for (int i = 0; i < 150; ++i) ASSERT_OK(queue_->Delete(taken[i].receipt_handle));
  EXPECT_THAT(receive_to_cap(), SizeIs(150));
  clock_.Advance(absl::Seconds(31));  // All 300 in flight visible again.
  EXPECT_EQ(queue_->GetCounts().in_flight, 0);
  EXPECT_THAT(receive_to_cap(), SizeIs(300));
  EXPECT_EQ(queue_->GetCounts().visible, 150);
}

TEST_F(StandardQueueTest, PurgeRemovesVisibleDelayedAndInFlightMessages) {
  Send("a");
  Send("b");
  Send("c", absl::Seconds(30));
  auto got = Receive(1);
  ASSERT_THAT(got, SizeIs(1));
  queue_->Purge();
  Counts c = queue_->GetCounts();
  EXPECT_EQ(c.visible + c.in_flight + c.delayed, 0);
  clock_.Advance(absl::Minutes(5));
  EXPECT_THAT(Receive(), IsEmpty());
  EXPECT_OK(queue_->Delete(got[0].receipt_handle));
  Send("after");
  EXPECT_THAT(Bodies(Receive()), ElementsAre("after"));
}

TEST_F(StandardQueueTest, TakeForMoveTakesVisibleMessagesWithoutReceiving) {
  Send("a");
  Send("b");
  Send("c");
  Send("d", absl::Seconds(30));
  auto in_flight = Receive(1);
  ASSERT_THAT(in_flight, SizeIs(1));
  clock_.Advance(absl::Seconds(1));
  auto moved = queue_->TakeForMove(1);
  ASSERT_THAT(moved, SizeIs(1));
  EXPECT_EQ(moved[0].payload->body(), "b");
  EXPECT_EQ(moved[0].receive_count, 0);
  EXPECT_TRUE(moved[0].receipt_handle.empty());
  EXPECT_EQ(moved[0].first_receive_time, absl::InfinitePast());
  EXPECT_THAT(queue_->TakeForMove(10), SizeIs(1));
  Counts c = queue_->GetCounts();
  EXPECT_EQ(c.visible, 0);
  EXPECT_EQ(c.in_flight, 1);
  EXPECT_EQ(c.delayed, 1);
}

TEST_F(StandardQueueTest, ReceiveTakesFromEveryShard) {
  queue_ = NewStandardQueueWithShards(QueueConfig{}, clock_, scheduler_, nullptr, "arn", 4);
  std::vector<std::thread> senders;
  for (int t = 0; t < 4; ++t) {
    senders.emplace_back([this] {
      for (int i = 0; i < 2; ++i) Send("m");
    });
  }
  for (auto& t : senders) t.join();
  EXPECT_THAT(Receive(10), SizeIs(8));
}

// The shard a receipt handle names: its first 8 hex digits hold 6 bits of
// shard above 26 bits of slot.
int ShardOfHandle(const Delivery& d) {
  return static_cast<int>(
      std::stoul(std::string(d.receipt_handle.view().substr(0, 8)), nullptr, 16) >> 26);
}

TEST_F(StandardQueueTest, SuccessiveNewThreadsSendToAndReceiveFromDifferentShards) {
  // Two producers and two consumers of a 2-shard queue each get a shard of
  // their own, so the consumers do not contend for one shard lock.
  queue_ = NewStandardQueueWithShards(QueueConfig{}, clock_, scheduler_, nullptr, "arn", 2);
  for (int t = 0; t < 2; ++t) {
    std::thread([this] {
      Send("m");
      Send("m");
    }).join();
  }
  std::vector<int> sent_to;
  for (const Delivery& d : Receive(10)) sent_to.push_back(ShardOfHandle(d));
  std::sort(sent_to.begin(), sent_to.end());
  EXPECT_THAT(sent_to, ElementsAre(0, 0, 1, 1));
  clock_.Advance(absl::Seconds(31));  // All four visible again.

  std::vector<int> taken_from;
  for (int t = 0; t < 2; ++t) {
    std::thread([&] {
      for (const Delivery& d : Receive(1)) taken_from.push_back(ShardOfHandle(d));
    }).join();
  }
  ASSERT_THAT(taken_from, SizeIs(2));
  EXPECT_NE(taken_from[0], taken_from[1]);
}

// ---- Redrive -----------------------------------------------------------------

class RecordingSink : public DeadLetterSink {
 public:
  bool Accept(const Delivery& message) override {
    if (on_accept) on_accept();
    accepted.push_back(message);
    return accept;
  }
  std::vector<Delivery> accepted;
  bool accept = true;
  std::function<void()> on_accept;
};

TEST_F(StandardQueueTest, MessageReceivedMoreThanMaxReceiveCountGoesToDeadLetterSink) {
  RecordingSink sink;
  QueueConfig config;
  config.max_receive_count = 2;
  Reopen(config, &sink);
  const absl::Time sent = clock_.Now();
  std::string id = Send("poison");
  clock_.Advance(absl::Seconds(1));
  const absl::Time first_receive = clock_.Now();
  for (int i = 0; i < 2; ++i) {
    ASSERT_THAT(Receive(1, absl::Seconds(10)), SizeIs(1));
    clock_.Advance(absl::Seconds(10));
  }
  EXPECT_THAT(Receive(), IsEmpty());
  ASSERT_THAT(sink.accepted, SizeIs(1));
  const Delivery& moved = sink.accepted[0];
  EXPECT_EQ(moved.message_id, id);
  EXPECT_EQ(moved.payload->body(), "poison");
  EXPECT_EQ(moved.sent_time, sent);
  EXPECT_EQ(moved.first_receive_time, first_receive);
  EXPECT_EQ(moved.receive_count, 2);  // The receive that moved it does not count.
  EXPECT_EQ(moved.dead_letter_source_arn, "arn:aws:sqs:us-east-1:000000000000:q");
  Counts c = queue_->GetCounts();
  EXPECT_EQ(c.visible + c.in_flight + c.delayed, 0);
}

TEST_F(StandardQueueTest, MoveToDeadLetterDoesNotTakeTheCallersPlace) {
  RecordingSink sink;
  QueueConfig config;
  config.max_receive_count = 1;
  Reopen(config, &sink);
  Send("poison");
  ASSERT_THAT(Receive(1, absl::ZeroDuration()), SizeIs(1));
  Send("good");
  EXPECT_THAT(Bodies(Receive(1)), ElementsAre("good"));
  EXPECT_THAT(sink.accepted, SizeIs(1));
}

TEST_F(StandardQueueTest, MessageStaysWhenDeadLetterSinkRefuses) {
  RecordingSink sink;
  sink.accept = false;
  QueueConfig config;
  config.max_receive_count = 1;
  Reopen(config, &sink);
  Send("poison");
  ASSERT_THAT(Receive(1, absl::ZeroDuration()), SizeIs(1));
  EXPECT_THAT(Receive(), IsEmpty());
  EXPECT_THAT(sink.accepted, SizeIs(1));
  EXPECT_EQ(queue_->GetCounts().visible, 1);
  sink.accept = true;
  EXPECT_THAT(Receive(), IsEmpty());
  EXPECT_THAT(sink.accepted, SizeIs(2));
  EXPECT_EQ(sink.accepted[1].receive_count, 1);  // Refused moves do not count either.
  EXPECT_EQ(queue_->GetCounts().visible, 0);
}

// A receiver whose handle is older than the receive that moves the message
// deletes it meanwhile: deleted, whatever the dead-letter queue answers.
TEST_F(StandardQueueTest, ADeleteDuringAMoveToDeadLetterHolds) {
  RecordingSink sinks[2];
  for (bool accept : {false, true}) {
    SCOPED_TRACE(accept ? "accepted" : "refused");
    RecordingSink& sink = sinks[accept];
    sink.accept = accept;
    QueueConfig config;
    config.max_receive_count = 1;
    Reopen(config, &sink);
    Send("poison");
    std::vector<Delivery> first = Receive(1, absl::ZeroDuration());
    ASSERT_THAT(first, SizeIs(1));
    sink.on_accept = [&] { EXPECT_OK(queue_->Delete(first[0].receipt_handle)); };
    EXPECT_THAT(Receive(), IsEmpty());
    sink.on_accept = nullptr;
    EXPECT_THAT(Receive(), IsEmpty());
    EXPECT_THAT(sink.accepted, SizeIs(1));
    Counts c = queue_->GetCounts();
    EXPECT_EQ(c.visible + c.in_flight + c.delayed, 0);
  }
}

TEST_F(StandardQueueTest, DeadLetterSinkRunsWithoutQueueLocks) {
  RecordingSink sink;
  QueueConfig config;
  config.max_receive_count = 1;
  Reopen(config, &sink);
  sink.on_accept = [this] {
    queue_->GetCounts();
    SendArgs args;
    args.payload = Body("from-sink");
    EXPECT_OK(queue_->Send(std::move(args)));
  };
  Send("poison");
  ASSERT_THAT(Receive(1, absl::ZeroDuration()), SizeIs(1));
  EXPECT_THAT(Bodies(Receive(1)), ElementsAre("from-sink"));
}

// ---- Long polling --------------------------------------------------------------

TEST_F(StandardQueueTest, SendWakesParkedLongPoll) {
  absl::StatusOr<std::vector<Delivery>> got;
  std::thread receiver(
      [&] { got = queue_->Receive(Args(1, absl::Seconds(30), clock_.Now() + absl::Seconds(20))); });
  clock_.AwaitWaiters(1);
  Send("wake");
  receiver.join();
  ASSERT_OK(got);
  EXPECT_THAT(Bodies(*got), ElementsAre("wake"));
}

TEST_F(StandardQueueTest, LongPollReturnsEmptyAtWaitDeadline) {
  absl::StatusOr<std::vector<Delivery>> got;
  const absl::Time deadline = clock_.Now() + absl::Seconds(20);
  std::thread receiver([&] { got = queue_->Receive(Args(1, absl::Seconds(30), deadline)); });
  clock_.AwaitWaiters(1);
  clock_.Advance(absl::Seconds(20));
  receiver.join();
  ASSERT_OK(got);
  EXPECT_THAT(*got, IsEmpty());
}

TEST_F(StandardQueueTest, LongPollStaysParkedBeforeWaitDeadline) {
  absl::StatusOr<std::vector<Delivery>> got;
  const absl::Time deadline = clock_.Now() + absl::Seconds(20);
  std::thread receiver([&] { got = queue_->Receive(Args(1, absl::Seconds(30), deadline)); });
  clock_.AwaitWaiters(1);
  clock_.Advance(absl::Seconds(19));
  clock_.AwaitWaiters(1);  // Woken by the advance, then parked again.
  Send("late");
  receiver.join();
  ASSERT_OK(got);
  EXPECT_THAT(Bodies(*got), ElementsAre("late"));
}

TEST_F(StandardQueueTest, DelayedMessageWakesParkedLongPollWhenDue) {
  Send("delayed", absl::Seconds(5));
  absl::StatusOr<std::vector<Delivery>> got;
  std::thread receiver(
      [&] { got = queue_->Receive(Args(1, absl::Seconds(30), clock_.Now() + absl::Seconds(20))); });
  clock_.AwaitWaiters(1);
  clock_.Advance(absl::Seconds(5));
  receiver.join();
  ASSERT_OK(got);
  EXPECT_THAT(Bodies(*got), ElementsAre("delayed"));
}

TEST_F(StandardQueueTest, ExpiredVisibilityWakesParkedLongPoll) {
  Send("retry");
  ASSERT_THAT(Receive(1, absl::Seconds(10)), SizeIs(1));
  absl::StatusOr<std::vector<Delivery>> got;
  std::thread receiver(
      [&] { got = queue_->Receive(Args(1, absl::Seconds(30), clock_.Now() + absl::Seconds(20))); });
  clock_.AwaitWaiters(1);
  clock_.Advance(absl::Seconds(10));
  receiver.join();
  ASSERT_OK(got);
  ASSERT_THAT(*got, SizeIs(1));
  EXPECT_EQ((*got)[0].receive_count, 2);
}

TEST_F(StandardQueueTest, ChangeVisibilityToZeroWakesParkedLongPoll) {
  Send("a");
  auto held = Receive(1, absl::Seconds(60));
  ASSERT_THAT(held, SizeIs(1));
  absl::StatusOr<std::vector<Delivery>> got;
  std::thread receiver(
      [&] { got = queue_->Receive(Args(1, absl::Seconds(30), clock_.Now() + absl::Seconds(20))); });
  clock_.AwaitWaiters(1);
  ASSERT_OK(queue_->ChangeVisibility(held[0].receipt_handle, absl::ZeroDuration()));
  receiver.join();
  ASSERT_OK(got);
  EXPECT_THAT(*got, SizeIs(1));
}

TEST_F(StandardQueueTest, CloseWakesEveryParkedLongPoll) {
  std::vector<absl::StatusOr<std::vector<Delivery>>> got(3);
  std::vector<std::thread> receivers;
  for (int i = 0; i < 3; ++i) {
    receivers.emplace_back([&, i] {
      got[i] = queue_->Receive(Args(1, absl::Seconds(30), clock_.Now() + absl::Seconds(20)));
    });
  }
  clock_.AwaitWaiters(3);
  queue_->Close();
  for (auto& t : receivers) t.join();
  for (const auto& g : got) {
    ASSERT_OK(g);
    EXPECT_THAT(*g, IsEmpty());
  }
  // Later receives return at once, as short polls.
  ASSERT_OK_AND_ASSIGN(
      auto empty, queue_->Receive(Args(1, absl::Seconds(30), clock_.Now() + absl::Seconds(20))));
  EXPECT_THAT(empty, IsEmpty());
  Send("after");
  EXPECT_THAT(Receive(), SizeIs(1));
}

TEST_F(StandardQueueTest, RecycledDeliveryVectorServesTheThreadsNextReceive) {
  Send("a");
  std::vector<Delivery> first = Receive();
  ASSERT_THAT(first, SizeIs(1));
  // Alive while the engine's record (the message is in flight) holds it.
  const Payload* payload = first[0].payload.get();
  const uint32_t held = payload->refs();  // The engine's record and the delivery.
  const Delivery* storage = first.data();
  RecycleDeliveries(std::move(first));
  EXPECT_EQ(payload->refs(), held - 1);  // The recycled deliveries are destroyed.
  Send("b");
  std::vector<Delivery> second = Receive();
  ASSERT_THAT(second, SizeIs(1));
  EXPECT_EQ(second.data(), storage);
  EXPECT_EQ(second[0].payload->body(), "b");
}

TEST_F(StandardQueueTest, ReceiveThatFindsNothingKeepsTheSpareForTheNext) {
  Send("a");
  std::vector<Delivery> first = Receive();
  ASSERT_THAT(first, SizeIs(1));
  RecycleDeliveries(std::move(first));
  EXPECT_THAT(Receive(), IsEmpty());            // Nothing visible: the message is in flight.
  EXPECT_GE(SpareDeliveries().capacity(), 1u);  // Still the thread's, not dropped.
}

TEST_F(StandardQueueTest, OversizedDeliveryVectorIsNotKeptAsSpare) {
  const std::vector<Delivery> drained = SpareDeliveries();
  std::vector<Delivery> big;
  big.reserve(kMaxSpareDeliveries + 1);
  RecycleDeliveries(std::move(big));
  EXPECT_EQ(SpareDeliveries().capacity(), 0u);
}

}  // namespace
}  // namespace wharf::queue_internal
