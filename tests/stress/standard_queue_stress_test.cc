// Concurrency stress test of the standard queue engine: several producers and
// consumers, consumers that randomly let messages time out (short visibility
// and no delete), make them visible again at once (ChangeVisibility 0) or
// delete with an older handle. It checks what at-least-once delivery
// promises:
//   * every message sent is eventually deleted, and nothing unknown appears;
//   * the receive counts seen for a message are exactly 1..k, once each (every
//     receive is observed, none is invented or lost);
//   * the queue counts return to zero.
// Runs once on the real clock and once on a ManualClock moved by a driver
// thread, and once with producers that send in batches (SendBatch: runs of
// 1-12 messages, some delayed, some invalid), whose ids must be the ones
// consumers see. A few seconds at most, also under ThreadSanitizer.

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "broker/base/mutex.h"
#include "broker/queue/standard_queue.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "wharf/clock.h"
#include "wharf/errors.h"

namespace wharf::queue_internal {
namespace {

using ::wharf::testing::HasErrorCode;

constexpr int kProducers = 2;
constexpr int kConsumers = 3;
constexpr int kPerProducer = 4000;
constexpr int kTotal = kProducers * kPerProducer;
constexpr uint32_t kSeed = 20261123;

// What the consumers saw of one message. Guarded by the harness's mutex.
struct Seen {
  std::string message_id;
  std::vector<int> receive_counts;
  int64_t deleted_seq = -1;  // Operation number after the first delete returned.
};

class Harness {
 public:
  Harness(Clock& clock, int shards, bool batched = false)
      : batched_(batched),
        clock_(clock),
        scheduler_(clock),
        queue_(NewStandardQueueWithShards(Config(), clock, scheduler_, nullptr, "arn", shards)) {
    seen_.resize(kTotal);
    sent_ids_.resize(kTotal);
  }

  static QueueConfig Config() {
    QueueConfig config;
    config.retention = absl::Hours(24 * 365);  // The ManualClock driver moves fast.
    return config;
  }

  void Produce(int producer) {
    if (batched_) return ProduceBatches(producer);
    std::mt19937 rng(kSeed + producer);
    for (int i = 0; i < kPerProducer; ++i) {
      SendArgs args;
      args.payload = base_internal::NewPayload(absl::StrCat(producer * kPerProducer + i));
      if (rng() % 64 == 0) args.delay = absl::Milliseconds(1 + rng() % 5);
      auto sent = queue_->Send(std::move(args));
      ASSERT_OK(sent);
    }
  }

  // SendBatch in runs of 1-12; one run in 16 carries an entry without a
  // payload, which must fail alone.
  void ProduceBatches(int producer) {
    std::mt19937 rng(kSeed + 50 + producer);
    int i = 0;
    while (i < kPerProducer) {
      const int n = std::min(kPerProducer - i, 1 + static_cast<int>(rng() % 12));
      std::vector<SendArgs> batch(static_cast<size_t>(n));
      std::vector<int> index(static_cast<size_t>(n));
      for (int k = 0; k < n; ++k) {
        index[k] = producer * kPerProducer + i + k;
        batch[k].payload = base_internal::NewPayload(absl::StrCat(index[k]));
        if (rng() % 64 == 0) batch[k].delay = absl::Milliseconds(1 + rng() % 5);
      }
      int invalid = -1;
      if (rng() % 16 == 0) {
        invalid = static_cast<int>(batch.size());
        batch.emplace_back();  // No payload.
      }
      SendOutcomes sent = queue_->SendBatch(batch);
      ASSERT_EQ(sent.size(), batch.size());
      for (int k = 0; k < static_cast<int>(sent.size()); ++k) {
        if (k == invalid) {
          EXPECT_THAT(sent[k], HasErrorCode(ErrorCode::kInternalFailure));
          continue;
        }
        ASSERT_OK(sent[k]);
        MutexLock lock(&mu_);
        sent_ids_[index[k]] = sent[k]->message_id.str();
      }
      i += n;
    }
  }

  void Consume(int consumer) {
    const uint32_t seed = kSeed + 100 + consumer;
    std::mt19937 rng(seed);
    std::vector<std::string> old_handles;  // Handles of messages let go.
    while (deleted_.load(std::memory_order_acquire) < kTotal) {
      ReceiveArgs args;
      args.max_messages = 1 + static_cast<int>(rng() % 10);
      const bool short_visibility = rng() % 4 == 0;
      args.visibility_timeout = short_visibility ? absl::Milliseconds(2) : absl::Seconds(60);
      args.wait_deadline = clock_.Now() + absl::Milliseconds(20);
      const int64_t receive_start = op_seq_.load(std::memory_order_acquire);
      auto got = queue_->Receive(args);
      ASSERT_OK(got) << "seed " << seed;
      for (const Delivery& d : *got) {
        int index;
        ASSERT_TRUE(absl::SimpleAtoi(std::string(d.payload->body()), &index)) << d.payload->body();
        ASSERT_GE(index, 0);
        ASSERT_LT(index, kTotal);
        {
          MutexLock lock(&mu_);
          Seen& s = seen_[index];
          if (s.message_id.empty()) s.message_id = d.message_id;
          ASSERT_EQ(s.message_id, d.message_id) << "seed " << seed;
          s.receive_counts.push_back(d.receive_count);
          // A message whose delete returned before this receive began is
          // never delivered again.
          ASSERT_TRUE(s.deleted_seq < 0 || s.deleted_seq >= receive_start)
              << "message " << index << " delivered after delete, seed " << seed;
        }
        const uint32_t action = rng() % 10;
        if (action == 0 && short_visibility) {
          old_handles.push_back(d.receipt_handle.str());  // Let it time out.
        } else if (action == 1) {
          // May already be gone: its visibility may have run out and another
          // consumer received (and maybe deleted) it.
          ExpectHandleStillUsable(queue_->ChangeVisibility(d.receipt_handle, absl::ZeroDuration()));
          old_handles.push_back(d.receipt_handle.str());
        } else {
          ASSERT_OK(queue_->Delete(d.receipt_handle));
          bool first = false;
          {
            MutexLock lock(&mu_);
            Seen& s = seen_[index];
            if (s.deleted_seq < 0) {
              s.deleted_seq = op_seq_.fetch_add(1, std::memory_order_acq_rel);
              first = true;
            }
          }
          if (first) deleted_.fetch_add(1, std::memory_order_acq_rel);
        }
      }
      // Handles of messages let go stay usable (they may delete nothing).
      if (old_handles.size() > 16) {
        for (const std::string& h : old_handles) {
          ExpectHandleStillUsable(queue_->ChangeVisibility(h, absl::Milliseconds(1)));
        }
        old_handles.clear();
      }
    }
  }

  // A handle whose message may have been received again or deleted since.
  static void ExpectHandleStillUsable(const absl::Status& s) {
    EXPECT_TRUE(s.ok() || GetErrorCode(s) == ErrorCode::kMessageNotInflight ||
                GetErrorCode(s) == ErrorCode::kInvalidParameterValue)
        << s;
  }

  void Run(std::function<void()> drive = nullptr) {
    std::vector<std::thread> threads;
    for (int p = 0; p < kProducers; ++p) threads.emplace_back([this, p] { Produce(p); });
    std::atomic<int> consumers_left{kConsumers};
    for (int c = 0; c < kConsumers; ++c) {
      threads.emplace_back([this, c, &consumers_left] {
        Consume(c);
        consumers_left.fetch_sub(1, std::memory_order_acq_rel);
      });
    }
    std::thread driver;
    if (drive) {
      // Until the last consumer is out: a parked one needs time to move.
      driver = std::thread([&] {
        while (consumers_left.load(std::memory_order_acquire) > 0) drive();
      });
    }
    for (auto& t : threads) t.join();
    if (driver.joinable()) driver.join();
  }

  void Check() {
    CheckSeen();
    // Outside mu_: a call that can complete a parked receive runs with no
    // lock held (checked builds abort otherwise).
    Counts c = queue_->GetCounts();
    EXPECT_EQ(c.visible, 0);
    EXPECT_EQ(c.in_flight, 0);
    EXPECT_EQ(c.delayed, 0);
  }

  void CheckSeen() {
    MutexLock lock(&mu_);
    int64_t receives = 0;
    for (int i = 0; i < kTotal; ++i) {
      Seen& s = seen_[i];
      ASSERT_GE(s.deleted_seq, 0) << "message " << i << " never deleted";
      if (batched_) {
        EXPECT_EQ(s.message_id, sent_ids_[i]) << "message " << i;
      }
      std::sort(s.receive_counts.begin(), s.receive_counts.end());
      for (size_t k = 0; k < s.receive_counts.size(); ++k) {
        ASSERT_EQ(s.receive_counts[k], static_cast<int>(k) + 1) << "message " << i;
      }
      receives += static_cast<int64_t>(s.receive_counts.size());
    }
    EXPECT_GT(receives, kTotal);  // Some redeliveries happened.
  }

 private:
  const bool batched_;
  Clock& clock_;
  Scheduler scheduler_;
  std::unique_ptr<QueueCore> queue_;
  std::atomic<int> deleted_{0};     // Messages deleted at least once.
  std::atomic<int64_t> op_seq_{0};  // Numbers completed deletes.
  Mutex mu_;
  std::vector<Seen> seen_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> sent_ids_ ABSL_GUARDED_BY(mu_);  // Batched: by message index.
};

TEST(StandardQueueStressTest, EveryMessageIsDeliveredUntilDeletedOnSystemClock) {
  SystemClock clock;
  Harness harness(clock, 4);
  harness.Run();
  harness.Check();
}

TEST(StandardQueueStressTest, EveryMessageIsDeliveredUntilDeletedOnDrivenManualClock) {
  ManualClock clock;
  Harness harness(clock, 2);
  harness.Run([&] {
    clock.Advance(absl::Milliseconds(1));
    std::this_thread::yield();
  });
  harness.Check();
}

TEST(StandardQueueStressTest, EveryBatchSentMessageIsDeliveredUntilDeleted) {
  SystemClock clock;
  Harness harness(clock, 4, /*batched=*/true);
  harness.Run();
  harness.Check();
}

}  // namespace
}  // namespace wharf::queue_internal
