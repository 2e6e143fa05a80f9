// The queue engines' durability seam (broker/base/storage.h), for both
// engines: what they report to a MessageJournal is enough to rebuild them.
// A model journal keeps the state a store would hold; a second engine restored
// from it must behave like the first: same counts, same messages with the same
// history, same FIFO order, deduplication and sequence numbers.

#include <algorithm>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "broker/base/scheduler.h"
#include "broker/base/storage.h"
#include "broker/fifo/fifo_queue.h"
#include "broker/queue/queue_core.h"
#include "broker/queue/standard_queue.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "wharf/clock.h"

namespace wharf::storage_internal {
namespace {

using queue_internal::Delivery;
using queue_internal::Payload;
using queue_internal::PayloadRef;
using queue_internal::QueueConfig;
using queue_internal::QueueCore;
using queue_internal::ReceiveArgs;
using queue_internal::SendArgs;
using ::testing::IsEmpty;
using ::testing::SizeIs;
using wharf::testing::HasErrorCode;
using wharf::testing::IsOk;

// Keeps what a store would: every message with its latest state, the FIFO
// deduplication entries and the highest sequence. Checks that reports arrive
// in a possible order (nothing changed or removed before it was added).
class ModelJournal final : public MessageJournal {
 public:
  void Added(const MessageEntry& e) override {
    RestoredMessage m;
    m.message_id = std::string(e.message_id);
    m.payload = *e.payload;
    m.message_group_id = std::string(e.message_group_id);
    m.deduplication_id = std::string(e.deduplication_id);
    m.dead_letter_source_arn = std::string(e.dead_letter_source_arn);
    m.sequence = e.sequence;
    m.sent_time = e.sent_time;
    m.enqueued_time = e.enqueued_time;
    m.receive_count = e.receive_count;
    m.first_receive_time = e.first_receive_time;
    m.state = e.state;
    m.visible_at = e.visible_at;
    if (!e.deduplication_key.empty()) {
      dedup.push_back({std::string(e.deduplication_key), m.message_id, e.sequence, e.sent_time});
    }
    next_sequence = std::max(next_sequence, e.sequence + 1);
    messages[m.message_id] = std::move(m);
  }
  void Changed(std::string_view id, MessageState state, absl::Time visible_at, int receive_count,
               absl::Time first_receive_time) override {
    auto it = messages.find(std::string(id));
    if (it == messages.end()) {
      if (!purged) ++errors;
      return;
    }
    it->second.state = state;
    it->second.visible_at = visible_at;
    it->second.receive_count = receive_count;
    it->second.first_receive_time = first_receive_time;
  }
  void Removed(std::string_view id) override {
    if (atomic_depth > 0) ++removed_in_atomic;
    if (messages.erase(std::string(id)) == 0 && !purged) ++errors;
  }
  void Purged() override {
    messages.clear();
    dedup.clear();  // As the store: a purge forgets deduplication entries.
    purged = true;
  }
  void BeginAtomic() override { ++atomic_depth; }
  void EndAtomic() override { --atomic_depth; }

  // What a restart would hand the engine.
  RestoredQueue Restored() const {
    RestoredQueue r;
    for (const auto& [id, m] : messages) r.messages.push_back(m);
    std::sort(r.messages.begin(), r.messages.end(),
              [](const auto& a, const auto& b) { return a.sequence < b.sequence; });
    r.deduplication = dedup;
    r.next_sequence = next_sequence;
    return r;
  }

  std::map<std::string, RestoredMessage> messages;
  std::vector<RestoredDeduplication> dedup;
  uint64_t next_sequence = 1;
  bool purged = false;
  int errors = 0;
  int atomic_depth = 0;
  int removed_in_atomic = 0;
};

PayloadRef Body(std::string_view body) { return base_internal::NewPayload(body); }

ReceiveArgs Args(int max, absl::Duration visibility, absl::Time now) {
  ReceiveArgs args;
  args.max_messages = max;
  args.visibility_timeout = visibility;
  args.wait_deadline = now;
  return args;
}

enum class Engine { kStandard, kFifo };

class JournalFixture {
 protected:
  explicit JournalFixture(Engine engine) : engine_(engine) {}
  bool fifo() const { return engine_ == Engine::kFifo; }

  std::unique_ptr<QueueCore> NewEngine(MessageJournal* journal,
                                       queue_internal::DeadLetterSink* sink = nullptr,
                                       QueueConfig config = {}) {
    std::unique_ptr<QueueCore> q = fifo()
                                       ? fifo_internal::NewFifoQueue(config, clock_, scheduler_,
                                                                     sink, "arn:aws:sqs:r:1:q.fifo")
                                       : queue_internal::NewStandardQueue(
                                             config, clock_, scheduler_, sink, "arn:aws:sqs:r:1:q");
    q->AttachJournal(journal);
    return q;
  }

  // A second engine restored from what `journal` recorded; `next` starts
  // with the same records and follows the new engine.
  std::unique_ptr<QueueCore> Restart(const ModelJournal& journal, ModelJournal* next,
                                     queue_internal::DeadLetterSink* sink = nullptr,
                                     QueueConfig config = {}) {
    *next = journal;
    std::unique_ptr<QueueCore> q = NewEngine(next, sink, config);
    q->Restore(journal.Restored());
    return q;
  }

  absl::StatusOr<queue_internal::SendOutcome> Send(QueueCore& q, const std::string& body,
                                                   const std::string& group = "g",
                                                   absl::Duration delay = absl::ZeroDuration(),
                                                   const std::string& dedup = "") {
    SendArgs args;
    args.payload = Body(body);
    if (fifo()) {
      args.message_group_id = group;
      args.deduplication_id = dedup.empty() ? body : dedup;
    } else {
      args.delay = delay;
    }
    return q.Send(std::move(args));
  }

  std::vector<Delivery> Receive(QueueCore& q, int max, absl::Duration visibility) {
    auto got = q.Receive(Args(max, visibility, clock_.Now()));
    EXPECT_THAT(got, IsOk());
    return got.ok() ? *std::move(got) : std::vector<Delivery>{};
  }

  // Receives everything, deleting as it goes, at a time when every deadline
  // has passed. Returns "id body count" per message in receive order.
  std::vector<std::string> Drain(QueueCore& q) {
    std::vector<std::string> out;
    for (;;) {
      std::vector<Delivery> got = Receive(q, 10, absl::Seconds(60));
      if (got.empty()) break;
      for (const Delivery& d : got) {
        out.push_back(absl::StrCat(d.message_group_id, " ", d.message_id.str(), " ",
                                   std::string(d.payload->body()), " ", d.receive_count, " ",
                                   d.sequence_number));
        EXPECT_THAT(q.Delete(d.receipt_handle), IsOk());
      }
    }
    return out;
  }

  const Engine engine_;
  ManualClock clock_;
  Scheduler scheduler_{clock_};  // Engines park receives on it; tests own the engines they make.
};

// Tests both engines pass.
class EngineJournalTest : public JournalFixture, public ::testing::TestWithParam<Engine> {
 protected:
  EngineJournalTest() : JournalFixture(GetParam()) {}
};

class StandardJournalTest : public JournalFixture, public ::testing::Test {
 protected:
  StandardJournalTest() : JournalFixture(Engine::kStandard) {}
};

class FifoJournalTest : public JournalFixture, public ::testing::Test {
 protected:
  FifoJournalTest() : JournalFixture(Engine::kFifo) {}
};

TEST_P(EngineJournalTest, ARestoredEngineMatchesTheOriginalAfterAnyWorkload) {
  const uint32_t seed = 20260101;
  SCOPED_TRACE(absl::StrCat("seed ", seed));
  std::mt19937 rng(seed);
  ModelJournal journal;
  std::unique_ptr<QueueCore> a = NewEngine(&journal);
  std::vector<std::string> handles;
  for (int step = 0; step < 3000; ++step) {
    const int op = static_cast<int>(rng() % 100);
    if (op < 40) {
      const std::string body = absl::StrCat("m", step);
      const absl::Duration delay = absl::Seconds(rng() % 4 == 0 ? rng() % 30 : 0);
      ASSERT_THAT(Send(*a, body, absl::StrCat("g", rng() % 7), delay), IsOk());
    } else if (op < 65) {
      const absl::Duration visibility = absl::Seconds(rng() % 5 == 0 ? 0 : 5 + rng() % 60);
      for (const Delivery& d : Receive(*a, 1 + static_cast<int>(rng() % 10), visibility)) {
        handles.push_back(d.receipt_handle.str());
      }
    } else if (op < 85 && !handles.empty()) {
      const size_t i = rng() % handles.size();
      a->Delete(handles[i]).IgnoreError();  // May be stale: fine either way.
      handles.erase(handles.begin() + static_cast<std::ptrdiff_t>(i));
    } else if (op < 92 && !handles.empty()) {
      a->ChangeVisibility(handles[rng() % handles.size()], absl::Seconds(rng() % 120))
          .IgnoreError();
    } else {
      clock_.Advance(absl::Seconds(rng() % 20));
    }
  }
  ASSERT_EQ(journal.errors, 0);

  ModelJournal journal_b;
  std::unique_ptr<QueueCore> b = Restart(journal, &journal_b);
  queue_internal::Counts ca = a->GetCounts(), cb = b->GetCounts();
  EXPECT_EQ(ca.visible, cb.visible);
  EXPECT_EQ(ca.in_flight, cb.in_flight);
  EXPECT_EQ(ca.delayed, cb.delayed);
  EXPECT_GT(ca.visible + ca.in_flight + ca.delayed, 0);

  // Every deadline over: both hand out the same messages with the same
  // history; FIFO engines in the same order within each group.
  clock_.Advance(absl::Hours(13));
  std::vector<std::string> from_a = Drain(*a);
  std::vector<std::string> from_b = Drain(*b);
  if (!fifo()) {
    std::sort(from_a.begin(), from_a.end());
    std::sort(from_b.begin(), from_b.end());
  } else {
    auto by_group = [](const std::string& x, const std::string& y) {
      return x.substr(0, x.find(' ')) < y.substr(0, y.find(' '));
    };
    std::stable_sort(from_a.begin(), from_a.end(), by_group);
    std::stable_sort(from_b.begin(), from_b.end(), by_group);
  }
  EXPECT_EQ(from_a, from_b);
  EXPECT_EQ(journal_b.errors, 0);
  EXPECT_THAT(journal_b.messages, IsEmpty());  // The drain was recorded too.
}

TEST_P(EngineJournalTest, HandlesFromBeforeARestartAreInvalid) {
  ModelJournal journal;
  std::unique_ptr<QueueCore> a = NewEngine(&journal);
  ASSERT_THAT(Send(*a, "x"), IsOk());
  std::vector<Delivery> got = Receive(*a, 1, absl::Seconds(30));
  ASSERT_THAT(got, SizeIs(1));
  ModelJournal next;
  std::unique_ptr<QueueCore> b = Restart(journal, &next);
  EXPECT_THAT(b->Delete(got[0].receipt_handle), HasErrorCode(ErrorCode::kReceiptHandleIsInvalid));
  EXPECT_THAT(b->ChangeVisibility(got[0].receipt_handle, absl::Seconds(5)),
              HasErrorCode(ErrorCode::kReceiptHandleIsInvalid));
  // The message keeps its deadline: back 30 s after the receive, received once before.
  EXPECT_THAT(Receive(*b, 10, absl::Seconds(30)), IsEmpty());
  clock_.Advance(absl::Seconds(30));
  got = Receive(*b, 10, absl::Seconds(30));
  ASSERT_THAT(got, SizeIs(1));
  EXPECT_EQ(got[0].receive_count, 2);
}

TEST_F(StandardJournalTest, DelayedMessagesKeepTheirDelay) {
  ModelJournal journal;
  std::unique_ptr<QueueCore> a = NewEngine(&journal);
  ASSERT_THAT(Send(*a, "later", "", absl::Seconds(60)), IsOk());
  clock_.Advance(absl::Seconds(20));
  ModelJournal next;
  std::unique_ptr<QueueCore> b = Restart(journal, &next);
  EXPECT_EQ(b->GetCounts().delayed, 1);
  clock_.Advance(absl::Seconds(39));
  EXPECT_THAT(Receive(*b, 10, absl::Seconds(30)), IsEmpty());
  clock_.Advance(absl::Seconds(1));
  EXPECT_THAT(Receive(*b, 10, absl::Seconds(30)), SizeIs(1));
}

TEST_P(EngineJournalTest, PurgeIsRecordedOnce) {
  ModelJournal journal;
  std::unique_ptr<QueueCore> a = NewEngine(&journal);
  for (int i = 0; i < 5; ++i) ASSERT_THAT(Send(*a, absl::StrCat("m", i)), IsOk());
  a->Purge();
  EXPECT_TRUE(journal.purged);
  EXPECT_THAT(journal.messages, IsEmpty());
  ASSERT_THAT(Send(*a, "after"), IsOk());
  EXPECT_THAT(journal.messages, SizeIs(1));
}

// Accepts every dead letter and records whether the journal was inside an
// atomic section at that moment.
class RecordingSink final : public queue_internal::DeadLetterSink {
 public:
  explicit RecordingSink(ModelJournal& journal) : journal_(journal) {}
  bool Accept(const Delivery&) override {
    inside_atomic += journal_.atomic_depth > 0 ? 1 : 0;
    ++accepted;
    return true;
  }
  int accepted = 0;
  int inside_atomic = 0;

 private:
  ModelJournal& journal_;
};

TEST_P(EngineJournalTest, ADeadLetterMoveIsOneAtomicChange) {
  ModelJournal journal;
  RecordingSink sink(journal);
  QueueConfig config;
  config.max_receive_count = 1;
  std::unique_ptr<QueueCore> a = NewEngine(&journal, &sink, config);
  ASSERT_THAT(Send(*a, "poison"), IsOk());
  ASSERT_THAT(Receive(*a, 1, absl::Seconds(1)), SizeIs(1));
  clock_.Advance(absl::Seconds(1));
  EXPECT_THAT(Receive(*a, 1, absl::Seconds(1)), IsEmpty());
  EXPECT_EQ(sink.accepted, 1);
  EXPECT_EQ(sink.inside_atomic, 1);
  EXPECT_EQ(journal.removed_in_atomic, 1);
  EXPECT_EQ(journal.atomic_depth, 0);
  EXPECT_THAT(journal.messages, IsEmpty());
}

TEST_F(FifoJournalTest, AGroupStaysLockedAcrossARestart) {
  ModelJournal journal;
  std::unique_ptr<QueueCore> a = NewEngine(&journal);
  ASSERT_THAT(Send(*a, "first"), IsOk());
  ASSERT_THAT(Send(*a, "second"), IsOk());
  ASSERT_THAT(Receive(*a, 1, absl::Seconds(30)), SizeIs(1));  // "first" in flight.
  ASSERT_THAT(Send(*a, "other", "h"), IsOk());
  ModelJournal next;
  std::unique_ptr<QueueCore> b = Restart(journal, &next);
  std::vector<Delivery> got = Receive(*b, 10, absl::Seconds(30));
  ASSERT_THAT(got, SizeIs(1));
  EXPECT_EQ(got[0].payload->body(), "other");
  ASSERT_THAT(b->Delete(got[0].receipt_handle), IsOk());
  clock_.Advance(absl::Seconds(30));
  got = Receive(*b, 10, absl::Seconds(30));
  ASSERT_THAT(got, SizeIs(2));
  EXPECT_EQ(got[0].payload->body(), "first");
  EXPECT_EQ(got[0].receive_count, 2);
  EXPECT_EQ(got[1].payload->body(), "second");
}

TEST_F(FifoJournalTest, DeduplicationAndSequenceNumbersContinue) {
  ModelJournal journal;
  std::unique_ptr<QueueCore> a = NewEngine(&journal);
  ASSERT_OK_AND_ASSIGN(auto first, Send(*a, "body", "g", absl::ZeroDuration(), "d1"));
  std::vector<Delivery> got = Receive(*a, 1, absl::Seconds(30));
  ASSERT_THAT(got, SizeIs(1));
  ASSERT_THAT(a->Delete(got[0].receipt_handle), IsOk());
  clock_.Advance(absl::Minutes(1));
  ModelJournal next;
  std::unique_ptr<QueueCore> b = Restart(journal, &next);
  ASSERT_OK_AND_ASSIGN(auto again, Send(*b, "body", "g", absl::ZeroDuration(), "d1"));
  EXPECT_TRUE(again.duplicate);
  EXPECT_EQ(again.message_id, first.message_id);
  EXPECT_EQ(again.sequence_number, first.sequence_number);
  ASSERT_OK_AND_ASSIGN(auto fresh, Send(*b, "other", "g", absl::ZeroDuration(), "d2"));
  EXPECT_GT(fresh.sequence_number, first.sequence_number);
  clock_.Advance(absl::Minutes(4));
  ASSERT_OK_AND_ASSIGN(auto later, Send(*b, "body", "g", absl::ZeroDuration(), "d1"));
  EXPECT_FALSE(later.duplicate);
}

INSTANTIATE_TEST_SUITE_P(Engines, EngineJournalTest,
                         ::testing::Values(Engine::kStandard, Engine::kFifo), [](const auto& info) {
                           return info.param == Engine::kStandard ? "Standard" : "Fifo";
                         });

}  // namespace
}  // namespace wharf::storage_internal
