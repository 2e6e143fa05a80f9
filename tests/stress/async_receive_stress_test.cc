// Stress test of asynchronous receives (QueueCore::ReceiveAsync) on both
// engines: sender threads, a pool of asynchronous receives kept outstanding
// (random batch sizes, random wait deadlines from a short poll to 100 ms,
// about a quarter with a stop token that the clock's driver thread stops at
// random), completions that delete, release or let messages time out. The
// completions run wherever the engine completes them: on senders, on the
// pump threads (inline), on the driver thread (deadlines and stops, inside
// ManualClock::Advance) and on the Scheduler's thread (SystemClock).
//
// It checks against a model:
//   * every callback is called exactly once (a second call is caught when it
//     happens; at the end every receive issued has completed);
//   * no message is lost: each is deleted in the end, and the receive counts
//     seen for a message are exactly 1..k, once each (no receive handed to
//     two receivers, none dropped);
//   * standard queue: a message is not delivered again within the visibility
//     timeout of its previous receive (unless released by
//     ChangeVisibility 0), nor to a receive issued after its delete returned;
//   * FIFO queue: each group's messages are processed exactly in send order,
//     and a group is never held by two receives at once.
// Runs on a ManualClock moved by a driver thread and on the SystemClock.
// Seeds are fixed (WHARF_STRESS_SEED overrides) and printed on failure.

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <memory>
#include <random>
#include <stop_token>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "broker/base/mutex.h"
#include "broker/base/scheduler.h"
#include "broker/fifo/fifo_queue.h"
#include "broker/queue/standard_queue.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/stress_seed.h"
#include "wharf/clock.h"

namespace wharf::queue_internal {
namespace {

// A deterministic choice for (seed, a, b), usable on any thread.
uint64_t Mix(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  x ^= x >> 31;
  return x;
}
double Chance(uint32_t seed, uint64_t a, uint64_t b) {
  return static_cast<double>(Mix(Mix(seed ^ a) ^ b) >> 11) * 0x1.0p-53;
}

int BodyInt(const Delivery& d) {
  int v = -1;
  return absl::SimpleAtoi(std::string(d.payload->body()), &v) ? v : -1;
}

// One asynchronous receive as issued.
struct Issued {
  int64_t id;
  absl::Time requested;  // Clock time just before ReceiveAsync.
  int64_t seq;           // The harness's operation count then.
  absl::Duration visibility;
};

// Keeps `outstanding` receives issued on a queue from two pump threads and
// counts their completions. A driver thread moves the clock (if manual),
// stops pending stop tokens at random and watches for progress.
class ReceivePool {
 public:
  using Handler = std::function<void(const Issued&, std::vector<Delivery>&)>;

  ReceivePool(QueueCore& queue, Clock& clock, ManualClock* manual, uint32_t seed, int outstanding,
              absl::Duration long_visibility, absl::Duration short_visibility)
      : queue_(queue),
        clock_(clock),
        manual_(manual),
        seed_(seed),
        free_(outstanding),
        long_visibility_(long_visibility),
        short_visibility_(short_visibility) {}

  // `handler` runs in each completion that got messages; `progress` returns
  // a count that grows while the test makes progress; `done` says when to
  // stop issuing.
  void Run(Handler handler, std::function<int()> progress, std::function<bool()> done) {
    handler_ = std::move(handler);
    std::vector<std::thread> pumps;
    for (int p = 0; p < 2; ++p) pumps.emplace_back([this, p] { Pump(p); });
    std::thread driver([&] { Drive(progress, done); });
    driver.join();
    {
      MutexLock lock(&mu_);
      stopping_ = true;
      changed_.SignalAll();
    }
    for (std::thread& t : pumps) t.join();
    // No receive is issued any more: end the parked ones, and wait for those
    // another thread (a sender, the Scheduler's) is completing right now. The
    // real-time bound only turns a lost completion into a failure, not a hang.
    queue_.Close();
    MutexLock lock(&mu_);
    const absl::Time give_up = absl::Now() + absl::Minutes(2);
    while (completed_ < calls_.size()) {
      if (changed_.WaitWithDeadline(&mu_, give_up)) {
        ADD_FAILURE() << calls_.size() - completed_ << " receives never completed";
        break;
      }
    }
    for (size_t id = 0; id < calls_.size(); ++id) {
      EXPECT_EQ(calls_[id], 1) << "receive " << id << " completed " << calls_[id] << " times";
    }
    EXPECT_EQ(errors_, 0);
  }

  bool stuck() const { return stuck_.load(); }
  int64_t NextSeq() { return seq_.fetch_add(1) + 1; }
  int64_t Seq() const { return seq_.load(); }
  Clock& clock() { return clock_; }

 private:
  void Pump(int pump) {
    std::mt19937 rng(seed_ + 7 * pump + 1);
    for (;;) {
      int64_t id;
      {
        MutexLock lock(&mu_);
        while (free_ == 0 && !stopping_) changed_.Wait(&mu_);
        if (stopping_) return;
        --free_;
        id = static_cast<int64_t>(calls_.size());
        calls_.push_back(0);
      }
      ReceiveArgs args;
      args.max_messages = std::uniform_int_distribution<int>(1, 10)(rng);
      args.visibility_timeout =
          std::bernoulli_distribution(0.25)(rng) ? short_visibility_ : long_visibility_;
      const int wait_ms = std::uniform_int_distribution<int>(-20, 100)(rng);
      const absl::Time requested = clock_.Now();
      args.wait_deadline = requested + absl::Milliseconds(std::max(wait_ms, 0));
      if (std::bernoulli_distribution(0.25)(rng)) {
        std::stop_source stop;
        args.stop = stop.get_token();
        MutexLock lock(&mu_);
        stops_.push_back(std::move(stop));
      }
      const Issued issued{id, requested, Seq(), args.visibility_timeout};
      queue_.ReceiveAsync(std::move(args), [this, issued](ReceiveResult got) {
        {
          MutexLock lock(&mu_);
          if (++calls_[issued.id] != 1) {
            ADD_FAILURE() << "receive " << issued.id << " completed twice";
          }
          if (!got.ok()) ++errors_;
        }
        if (got.ok() && !got->empty()) handler_(issued, *got);
        MutexLock lock(&mu_);
        ++free_;
        ++completed_;
        changed_.SignalAll();
      });
    }
  }

  void Drive(const std::function<int()>& progress, const std::function<bool()>& done) {
    std::mt19937 rng(seed_ + 99);
    int last_progress = -1;
    // A watchdog on real time: the driver can move simulated time far while
    // a descheduled completion holds messages.
    absl::Time last_progress_time = absl::Now();
    while (!done()) {
      if (manual_ != nullptr) manual_->Advance(absl::Milliseconds(1));
      const int now_progress = progress();
      const absl::Time now = absl::Now();
      if (now_progress != last_progress) {
        last_progress = now_progress;
        last_progress_time = now;
      } else if (now - last_progress_time > absl::Seconds(60)) {
        ADD_FAILURE() << "no progress at " << now_progress;
        stuck_.store(true);
        return;
      }
      std::stop_source stop;
      {
        MutexLock lock(&mu_);
        if (!stops_.empty() && std::bernoulli_distribution(0.3)(rng)) {
          const size_t i = std::uniform_int_distribution<size_t>(0, stops_.size() - 1)(rng);
          std::swap(stops_[i], stops_.back());
          stop = std::move(stops_.back());
          stops_.pop_back();
        }
      }
      stop.request_stop();  // Outside mu_: may complete a receive here.
      std::this_thread::yield();
    }
  }

  QueueCore& queue_;
  Clock& clock_;
  ManualClock* const manual_;
  const uint32_t seed_;
  Handler handler_;
  std::atomic<int64_t> seq_{0};
  std::atomic<bool> stuck_{false};

  Mutex mu_;
  CondVar changed_;
  int free_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<int> calls_ ABSL_GUARDED_BY(mu_);  // Per issued receive.
  size_t completed_ ABSL_GUARDED_BY(mu_) = 0;    // Completions with their handler run.
  std::vector<std::stop_source> stops_ ABSL_GUARDED_BY(mu_);
  int errors_ ABSL_GUARDED_BY(mu_) = 0;
  const absl::Duration long_visibility_;
  const absl::Duration short_visibility_;
};

// ---- Standard queue -----------------------------------------------------------

constexpr int kSenders = 3;
constexpr int kPerSender = 4000;
constexpr int kStandardTotal = kSenders * kPerSender;
constexpr absl::Duration kShortVisibility = absl::Milliseconds(30);
constexpr absl::Duration kLongVisibility = absl::Seconds(60);

struct Receipt {
  int receive_count;
  absl::Time requested;  // Of the receive that got it.
  absl::Time completed;  // Clock time in the completion.
  absl::Duration visibility;
  bool released = false;  // Made visible again with ChangeVisibility 0.
};

struct SeenMessage {
  std::vector<Receipt> receipts;
  int64_t deleted_seq = -1;  // Harness operation number of the first delete.
};

void RunStandard(Clock& clock, ManualClock* manual) {
  const uint32_t seed = wharf::testing::StressSeed(20261206);
  SCOPED_TRACE(absl::StrCat("seed=", seed, " (set WHARF_STRESS_SEED to replay)"));
  Scheduler scheduler(clock);
  QueueConfig config;
  config.retention = absl::Hours(24 * 365);  // The driver moves the ManualClock fast.
  std::unique_ptr<QueueCore> queue =
      NewStandardQueueWithShards(config, clock, scheduler, nullptr, "arn", 2);
  ReceivePool pool(*queue, clock, manual, seed, /*outstanding=*/256, kLongVisibility,
                   kShortVisibility);

  Mutex mu;
  std::vector<SeenMessage> seen(kStandardTotal);
  std::atomic<int> deleted{0};

  std::vector<std::thread> senders;
  for (int t = 0; t < kSenders; ++t) {
    senders.emplace_back([&, t] {
      std::mt19937 rng(seed + 1000 + t);
      for (int i = 0; i < kPerSender; ++i) {
        SendArgs args;
        args.payload = base_internal::NewPayload(absl::StrCat(t * kPerSender + i));
        if (rng() % 16 == 0) args.delay = absl::Milliseconds(1 + rng() % 20);
        ASSERT_OK(queue->Send(std::move(args)));
      }
    });
  }

  pool.Run(
      [&](const Issued& issued, std::vector<Delivery>& got) {
        for (const Delivery& d : got) {
          const int index = BodyInt(d);
          ASSERT_GE(index, 0);
          ASSERT_LT(index, kStandardTotal);
          const double choice = Chance(seed, static_cast<uint64_t>(issued.id), index);
          const bool expire = choice < 0.1 && issued.visibility == kShortVisibility;
          const bool release = !expire && choice < 0.15;
          {
            MutexLock lock(&mu);
            SeenMessage& s = seen[index];
            if (s.deleted_seq >= 0 && s.deleted_seq <= issued.seq) {
              ADD_FAILURE() << "message " << index << " delivered to a receive issued after its "
                            << "delete";
            }
            s.receipts.push_back(Receipt{d.receive_count, issued.requested, clock.Now(),
                                         issued.visibility, release});
          }
          if (expire) continue;  // Comes back after its visibility timeout.
          if (release) {
            // May fail once the short visibility ran out and it was received
            // again: then that receive holds it.
            absl::Status s = queue->ChangeVisibility(d.receipt_handle, absl::ZeroDuration());
            if (s.ok()) continue;
            // Not released after all.
            MutexLock lock(&mu);
            for (Receipt& r : seen[index].receipts) {
              if (r.receive_count == d.receive_count) r.released = false;
            }
            continue;
          }
          ASSERT_OK(queue->Delete(d.receipt_handle));
          MutexLock lock(&mu);
          if (seen[index].deleted_seq < 0) {
            seen[index].deleted_seq = pool.NextSeq();
            deleted.fetch_add(1);
          }
        }
      },
      [&] { return deleted.load(); },
      [&] { return deleted.load() == kStandardTotal || pool.stuck(); });
  for (std::thread& t : senders) t.join();

  // Outside mu: checked builds refuse a queue call that could complete a
  // receive under a lock.
  Counts counts = queue->GetCounts();
  EXPECT_EQ(counts.visible + counts.in_flight + counts.delayed, 0);
  MutexLock lock(&mu);
  EXPECT_EQ(deleted.load(), kStandardTotal);
  for (int i = 0; i < kStandardTotal; ++i) {
    std::vector<Receipt>& r = seen[i].receipts;
    std::sort(r.begin(), r.end(),
              [](const Receipt& a, const Receipt& b) { return a.receive_count < b.receive_count; });
    ASSERT_FALSE(r.empty()) << "message " << i << " never delivered";
    for (size_t k = 0; k < r.size(); ++k) {
      ASSERT_EQ(r[k].receive_count, static_cast<int>(k) + 1)
          << "message " << i << ": receive counts not 1..n once each";
      if (k > 0 && !r[k - 1].released) {
        // Delivered again no earlier than the previous receive's timeout.
        EXPECT_GE(r[k].completed, r[k - 1].requested + r[k - 1].visibility)
            << "message " << i << " delivered twice within its visibility timeout";
      }
    }
    EXPECT_GE(seen[i].deleted_seq, 0) << "message " << i << " never deleted";
  }
}

TEST(AsyncReceiveStressTest, StandardQueueOnDrivenManualClock) {
  ManualClock clock;
  RunStandard(clock, &clock);
}

TEST(AsyncReceiveStressTest, StandardQueueOnSystemClock) {
  SystemClock clock;
  RunStandard(clock, nullptr);
}

// ---- FIFO queue -----------------------------------------------------------------

constexpr int kProducers = 3;
constexpr int kGroupsPerProducer = 4;
constexpr int kGroups = kProducers * kGroupsPerProducer;
constexpr int kPerGroup = 250;
constexpr int kFifoTotal = kGroups * kPerGroup;

// Touched only by the receive holding the group's marker.
struct GroupModel {
  std::atomic<bool> held{false};
  int processed = 0;
};

std::pair<int, int> GroupAndIndex(const Delivery& d) {
  std::vector<std::string> parts = absl::StrSplit(std::string(d.payload->body()), ':');
  std::pair<int, int> out{-1, -1};
  if (parts.size() == 2) {
    (void)absl::SimpleAtoi(parts[0], &out.first);
    (void)absl::SimpleAtoi(parts[1], &out.second);
  }
  return out;
}

void RunFifo(Clock& clock, ManualClock* manual) {
  const uint32_t seed = wharf::testing::StressSeed(20261206) + 1;
  SCOPED_TRACE(absl::StrCat("seed=", seed, " (set WHARF_STRESS_SEED to replay)"));
  Scheduler scheduler(clock);
  std::unique_ptr<QueueCore> queue =
      fifo_internal::NewFifoQueue(QueueConfig{}, clock, scheduler, nullptr, "arn:stress.fifo");
  // Held messages never time out, so no group can pass to a second receive
  // while its holder still works on it; failures are released explicitly.
  ReceivePool pool(*queue, clock, manual, seed, /*outstanding=*/64, absl::InfiniteDuration(),
                   absl::InfiniteDuration());
  std::vector<GroupModel> groups(kGroups);
  std::atomic<int> processed{0};
  std::atomic<int> violations{0};

  std::vector<std::thread> producers;
  for (int p = 0; p < kProducers; ++p) {
    producers.emplace_back([&, p] {
      std::mt19937 rng(seed + 500 + p);
      std::vector<int> next(kGroupsPerProducer, 0);
      for (int sent = 0; sent < kGroupsPerProducer * kPerGroup; ++sent) {
        int j = std::uniform_int_distribution<int>(0, kGroupsPerProducer - 1)(rng);
        while (next[j] == kPerGroup) j = (j + 1) % kGroupsPerProducer;
        const int group = p * kGroupsPerProducer + j;
        SendArgs args;
        args.payload = base_internal::NewPayload(absl::StrCat(group, ":", next[j]));
        args.message_group_id = absl::StrCat("group-", group);
        args.deduplication_id = absl::StrCat(group, "-", next[j]);
        ASSERT_OK(queue->Send(std::move(args)));
        ++next[j];
      }
    });
  }

  pool.Run(
      [&](const Issued& issued, std::vector<Delivery>& got) {
        // A receive returns consecutive runs, one per group.
        size_t i = 0;
        while (i < got.size()) {
          const int group = GroupAndIndex(got[i]).first;
          ASSERT_GE(group, 0);
          ASSERT_LT(group, kGroups);
          size_t end = i;
          while (end < got.size() && GroupAndIndex(got[end]).first == group) ++end;
          GroupModel& model = groups[group];
          bool expected = false;
          if (!model.held.compare_exchange_strong(expected, true, std::memory_order_acquire)) {
            ++violations;
            ADD_FAILURE() << "group " << group << " handed to two receives at once";
            return;
          }
          // Process a prefix of the run, release the rest (first, from the
          // last to the first, so each waits behind an earlier one in flight).
          std::vector<std::pair<std::string, bool>> calls;  // (handle, delete?)
          std::vector<std::string> done;
          bool failing = false;
          for (size_t k = i; k < end; ++k) {
            const int index = GroupAndIndex(got[k]).second;
            if (!failing && index != model.processed + static_cast<int>(done.size())) {
              ++violations;
              ADD_FAILURE() << "group " << group << " delivered " << index << " after "
                            << model.processed << " processed";
            }
            if (!failing && Chance(seed, static_cast<uint64_t>(issued.id), k) < 0.1) {
              failing = true;
            }
            if (failing) {
              calls.emplace_back(got[k].receipt_handle, false);
            } else {
              done.push_back(got[k].receipt_handle.str());
            }
          }
          model.processed += static_cast<int>(done.size());
          std::reverse(calls.begin(), calls.end());
          for (std::string& h : done) calls.emplace_back(std::move(h), true);
          // A group is served while its first message is visible: every call
          // but the last leaves the run's first message in flight. Give the
          // marker up just before that call.
          for (size_t k = 0; k < calls.size(); ++k) {
            if (k + 1 == calls.size()) model.held.store(false, std::memory_order_release);
            absl::Status s = calls[k].second
                                 ? queue->Delete(calls[k].first)
                                 : queue->ChangeVisibility(calls[k].first, absl::ZeroDuration());
            EXPECT_TRUE(s.ok()) << s;
          }
          processed.fetch_add(static_cast<int>(done.size()));
          i = end;
        }
      },
      [&] { return processed.load(); },
      [&] { return processed.load() == kFifoTotal || violations.load() > 0 || pool.stuck(); });
  for (std::thread& t : producers) t.join();

  EXPECT_EQ(violations.load(), 0);
  EXPECT_EQ(processed.load(), kFifoTotal);
  for (int g = 0; g < kGroups; ++g) EXPECT_EQ(groups[g].processed, kPerGroup) << "group " << g;
  Counts counts = queue->GetCounts();
  EXPECT_EQ(counts.visible + counts.in_flight + counts.delayed, 0);
}

TEST(AsyncReceiveStressTest, FifoQueueOnDrivenManualClock) {
  ManualClock clock;
  RunFifo(clock, &clock);
}

TEST(AsyncReceiveStressTest, FifoQueueOnSystemClock) {
  SystemClock clock;
  RunFifo(clock, nullptr);
}

}  // namespace
}  // namespace wharf::queue_internal
