// Stress test of the FIFO queue engine (broker/fifo/fifo_queue.h).
//
// Several producers each own some message groups and send every group's
// messages in order (with immediate duplicate re-sends, which must be
// deduplicated). Several consumers receive batches and, at random, process a
// prefix of each group's run and fail the rest: either releasing it
// (ChangeVisibility 0) or "crashing" (a short visibility that then expires as
// the ManualClock moves). The test proves, against a sequential model:
//   * for every group, the successfully processed messages are exactly the
//     send order with no gap and no duplicate (each received run starts at the
//     first unprocessed message);
//   * no group ever has messages in flight with two consumers at once (a
//     per-group marker taken on receive must be free).
// Seeds are fixed (WHARF_STRESS_SEED overrides) and printed on failure.

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "broker/base/mutex.h"
#include "broker/fifo/fifo_queue.h"
#include "gtest/gtest.h"
#include "tests/testing/stress_seed.h"
#include "wharf/clock.h"

namespace wharf::fifo_internal {
namespace {

using queue_internal::Delivery;
using queue_internal::Payload;
using queue_internal::QueueConfig;
using queue_internal::QueueCore;
using queue_internal::ReceiveArgs;
using queue_internal::SendArgs;

constexpr int kProducers = 3;
constexpr int kGroupsPerProducer = 6;
constexpr int kGroups = kProducers * kGroupsPerProducer;
constexpr int kMessagesPerGroup = 150;
constexpr int kTotal = kGroups * kMessagesPerGroup;
constexpr int kConsumers = 4;
constexpr double kFailureRate = 0.1;
// Held messages never expire, so simulated time moving on cannot hand a group
// that is still being processed to a second consumer.
constexpr absl::Duration kHold = absl::InfiniteDuration();
constexpr absl::Duration kCrashVisibility = absl::Seconds(3);
// Consumer 0 moves simulated time on only this far past the last receive
// that returned messages. A consumer may hold messages it has received but
// not yet counted as busy (descheduled between the queue's take and its own
// count, or woken with them but not yet running), and consumer 0 can advance
// hundreds of seconds in the milliseconds that consumer waits for a CPU:
// unbounded, simulated time would race to the 12-hour cap or retention.
constexpr absl::Duration kMaxAdvanceWithoutActivity = absl::Minutes(10);
// Real time without any message processed: the queue is stuck. A watchdog,
// not a timing assertion (simulated time cannot tell a stuck queue from a
// descheduled consumer).
constexpr absl::Duration kGiveUpAfter = absl::Seconds(60);

SendArgs Args(int group, int index) {
  SendArgs args;
  args.payload = base_internal::NewPayload(absl::StrCat(group, ":", index));
  args.message_group_id = absl::StrCat("group-", group);
  args.deduplication_id = absl::StrCat(group, "-", index);
  return args;
}

// Per group state, touched only by the consumer holding the group's marker
// (the queue's group lock plus the marker's acquire/release order the turns).
struct GroupModel {
  std::atomic<bool> held{false};
  int processed = 0;
  std::string last_sequence_number;
};

struct Parsed {
  int group;
  int index;
};

Parsed Parse(const Delivery& d) {
  std::vector<std::string> parts = absl::StrSplit(std::string(d.payload->body()), ':');
  Parsed p{-1, -1};
  if (parts.size() == 2) {
    (void)absl::SimpleAtoi(parts[0], &p.group);
    (void)absl::SimpleAtoi(parts[1], &p.index);
  }
  return p;
}

TEST(FifoStressTest, EveryGroupIsProcessedExactlyInSendOrderWithOneHolderAtATime) {
  const uint32_t seed = wharf::testing::StressSeed(20261123);
  SCOPED_TRACE(absl::StrCat("seed=", seed, " (set WHARF_STRESS_SEED to replay)"));
  ManualClock clock;
  Scheduler scheduler(clock);
  std::unique_ptr<QueueCore> queue =
      NewFifoQueue(QueueConfig{}, clock, scheduler, nullptr, "arn:aws:sqs:::stress.fifo");
  std::vector<GroupModel> groups(kGroups);
  std::atomic<int> processed_total{0};
  std::atomic<bool> stuck{false};
  std::atomic<int> violations{0};
  std::atomic<int> producers_done{0};
  std::atomic<int> busy{0};      // Consumers holding received messages.
  std::atomic<int> activity{0};  // Receives that returned messages.
  Notification finished;

  std::vector<std::thread> producers;
  for (int p = 0; p < kProducers; ++p) {
    producers.emplace_back([&, p] {
      std::mt19937 rng(seed + p);
      std::vector<int> next(kGroupsPerProducer, 0);
      int remaining = kGroupsPerProducer * kMessagesPerGroup;
      while (remaining > 0) {
        int j = std::uniform_int_distribution<int>(0, kGroupsPerProducer - 1)(rng);
        while (next[j] == kMessagesPerGroup) j = (j + 1) % kGroupsPerProducer;
        const int group = p * kGroupsPerProducer + j;
        auto sent = queue->Send(Args(group, next[j]));
        ASSERT_TRUE(sent.ok()) << sent.status();
        ASSERT_FALSE(sent->duplicate);
        if (std::bernoulli_distribution(0.1)(rng)) {
          auto again = queue->Send(Args(group, next[j]));
          ASSERT_TRUE(again.ok()) << again.status();
          EXPECT_TRUE(again->duplicate);
          EXPECT_EQ(again->message_id, sent->message_id);
          EXPECT_EQ(again->sequence_number, sent->sequence_number);
        }
        ++next[j];
        --remaining;
      }
      producers_done.fetch_add(1);
    });
  }

  std::vector<std::thread> consumers;
  for (int c = 0; c < kConsumers; ++c) {
    consumers.emplace_back([&, c] {
      std::mt19937 rng(seed + 1000 + c);
      int last_progress = -1;
      absl::Time last_progress_real = absl::Now();
      int last_activity = -1;
      absl::Time last_activity_time = clock.Now();
      for (;;) {
        // Read the time before the exit check: the main thread sets nothing
        // after `finished` but moves the clock, which this read then sees.
        const absl::Time now = clock.Now();
        const int progress = processed_total.load();
        if (progress >= kTotal || stuck.load()) return;
        if (const int a = activity.load(); a != last_activity) {
          last_activity = a;
          last_activity_time = now;
        }
        if (progress != last_progress) {
          last_progress = progress;
          last_progress_real = absl::Now();
        } else if (absl::Now() - last_progress_real > kGiveUpAfter) {
          ADD_FAILURE() << "no progress: " << progress << " of " << kTotal << " processed";
          stuck.store(true);
          finished.Notify();
          return;
        }
        // Consumer 0 never parks, so someone always moves the clock.
        const bool long_poll = c != 0 && std::bernoulli_distribution(0.5)(rng);
        ReceiveArgs args;
        args.max_messages = std::uniform_int_distribution<int>(1, 10)(rng);
        args.visibility_timeout = kHold;
        args.wait_deadline = long_poll ? now + absl::Seconds(2) : now;
        auto got = queue->Receive(args);
        ASSERT_TRUE(got.ok()) << got.status();
        if (!got->empty()) {
          busy.fetch_add(1);
          activity.fetch_add(1);
        }
        if (got->empty()) {
          // Let crashed messages expire, but only once the producers are done
          // (so an immediate re-send is always inside the dedup window) and
          // while no consumer is between a receive and its last call (so a
          // held message's handle is never near the 12-hour cap).
          if (!long_poll && producers_done.load() == kProducers && busy.load() == 0 &&
              now - last_activity_time < kMaxAdvanceWithoutActivity) {
            clock.Advance(absl::Seconds(1));
          } else {
            std::this_thread::yield();
          }
          continue;
        }
        // A receive returns consecutive runs, one per group.
        size_t i = 0;
        while (i < got->size()) {
          const int group = Parse((*got)[i]).group;
          ASSERT_GE(group, 0);
          ASSERT_LT(group, kGroups);
          size_t end = i;
          while (end < got->size() && Parse((*got)[end]).group == group) ++end;
          GroupModel& model = groups[group];
          bool expected = false;
          if (!model.held.compare_exchange_strong(expected, true, std::memory_order_acquire)) {
            ++violations;
            ADD_FAILURE() << "group " << group << " handed to two consumers at once";
            return;
          }
          std::vector<std::string> done, failed;
          bool failing = false;
          for (size_t k = i; k < end; ++k) {
            const Delivery& d = (*got)[k];
            const Parsed parsed = Parse(d);
            if (parsed.index != model.processed + static_cast<int>(k - i) && !failing) {
              ++violations;
              ADD_FAILURE() << "group " << group << " delivered message " << parsed.index << " but "
                            << model.processed << " were processed (run offset " << (k - i) << ")";
            }
            if (!failing && std::bernoulli_distribution(kFailureRate)(rng)) failing = true;
            (failing ? failed : done).push_back(d.receipt_handle.str());
            if (!failing) {
              if (d.sequence_number <= model.last_sequence_number) {
                ++violations;
                ADD_FAILURE() << "sequence numbers not increasing in group " << group;
              }
              model.last_sequence_number = d.sequence_number;
            }
          }
          model.processed += static_cast<int>(done.size());
          // A group is served while its first message is visible, so every
          // call but the last must leave the run's first message in flight:
          // failures go first, from the last to the first (each released one
          // waits behind an earlier one still in flight), then the deletes in
          // order. The marker is given up just before the last call.
          const bool crash = std::bernoulli_distribution(0.5)(rng);
          std::vector<std::pair<std::string, bool>> calls;  // (handle, delete?)
          for (auto h = failed.rbegin(); h != failed.rend(); ++h) {
            calls.emplace_back(std::move(*h), false);
          }
          for (std::string& h : done) calls.emplace_back(std::move(h), true);
          for (size_t k = 0; k < calls.size(); ++k) {
            if (k + 1 == calls.size()) model.held.store(false, std::memory_order_release);
            absl::Status s = calls[k].second ? queue->Delete(calls[k].first)
                                             : queue->ChangeVisibility(
                                                   calls[k].first,
                                                   crash ? kCrashVisibility : absl::ZeroDuration());
            EXPECT_TRUE(s.ok()) << s;
          }
          if (processed_total.fetch_add(static_cast<int>(done.size())) +
                  static_cast<int>(done.size()) ==
              kTotal) {
            finished.Notify();
          }
          i = end;
        }
        busy.fetch_sub(1);
      }
    });
  }

  for (std::thread& t : producers) t.join();
  finished.WaitForNotification();
  // Wake long-pollers still parked: their deadlines are now in the past.
  clock.Advance(absl::Hours(2));
  for (std::thread& t : consumers) t.join();

  EXPECT_EQ(violations.load(), 0);
  EXPECT_EQ(processed_total.load(), kTotal);
  for (int g = 0; g < kGroups; ++g)
    EXPECT_EQ(groups[g].processed, kMessagesPerGroup) << "group " << g;
  queue_internal::Counts counts = queue->GetCounts();
  EXPECT_EQ(counts.visible + counts.in_flight + counts.delayed, 0);
}

}  // namespace
}  // namespace wharf::fifo_internal
