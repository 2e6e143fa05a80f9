// Benchmarks of the FIFO queue engine (broker/fifo/fifo_queue.h), beside the
// standard queue engine (broker/queue/standard_queue.h) in the same run.
//
//   build-<you>/bench/fifo_bench --benchmark_filter=Lifecycle
//
// Families (256-byte bodies):
//   Fifo/Lifecycle       send -> receive -> delete: 1 producer thread sending
//                        round-robin over `groups` message groups (1, 10, 1000)
//                        with unique deduplication ids; `consumers` threads (1, 2)
//                        receiving up to `batch` (1, 10) and deleting each.
//   Standard/Lifecycle   the same through the standard engine (no groups, no
//                        deduplication): the reference figure.
//   Fifo/Send            one thread, sends only (dedup window, group append).
//
// Every lifecycle iteration moves kMessages messages between freshly started
// threads through one queue per benchmark and reports items/s on wall time. Consumers
// poll without waiting (yielding when empty).

#include <benchmark/benchmark.h>
#include <time.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "broker/base/scheduler.h"
#include "broker/fifo/fifo_queue.h"
#include "broker/queue/standard_queue.h"
#include "wharf/clock.h"

namespace wharf::fifo_internal {
namespace {

using queue_internal::Delivery;
using queue_internal::PayloadRef;
using queue_internal::QueueConfig;
using queue_internal::QueueCore;
using queue_internal::ReceiveArgs;
using queue_internal::SendArgs;

constexpr int kMessages = 1 << 16;
constexpr size_t kBodyBytes = 256;

// A fresh payload per send, as the service layer builds one per request.
PayloadRef NewPayload(const std::string& body) { return base_internal::NewPayload(body); }

ReceiveArgs Poll(int max, absl::Time deadline) {
  ReceiveArgs args;
  args.max_messages = max;
  args.visibility_timeout = absl::Seconds(30);
  args.wait_deadline = deadline;
  return args;
}

// Receives up to `max` (short poll) and deletes them; returns how many.
int ReceiveAndDelete(QueueCore& q, Clock& clock, int max) {
  auto got = q.Receive(Poll(max, clock.Now()));
  if (!got.ok()) std::abort();
  for (const Delivery& d : *got) {
    if (!q.Delete(d.receipt_handle).ok()) std::abort();
  }
  return static_cast<int>(got->size());
}

// CPU time of the whole process (all threads), in nanoseconds. Reported per
// message beside wall-clock items/s, because on a shared machine the wall
// figure also measures how much CPU the other tenants left us.
int64_t ProcessCpuNanos() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

// Group ids and deduplication ids are made before timing (the service layer
// has them from the request); each iteration uses fresh dedup ids.
struct Inputs {
  std::vector<std::string> groups;
  std::vector<std::string> dedup_ids;
};

Inputs MakeInputs(int groups, int iteration) {
  Inputs in;
  for (int g = 0; g < groups; ++g) in.groups.push_back(absl::StrCat("group-", g));
  in.dedup_ids.reserve(kMessages);
  for (int i = 0; i < kMessages; ++i) in.dedup_ids.push_back(absl::StrCat("it", iteration, "-", i));
  return in;
}

// Runs one producer (`send(i)` for every message) and `consumers` consumer
// threads until kMessages have been received and deleted.
// Returns the process CPU time it took.
template <typename Send>
int64_t RunLifecycle(QueueCore& q, Clock& clock, int batch, int consumers, Send send) {
  const int64_t cpu_start = ProcessCpuNanos();
  std::atomic<int> received{0};
  std::vector<std::thread> threads;
  threads.emplace_back([&] {
    for (int i = 0; i < kMessages; ++i) send(i);
  });
  for (int c = 0; c < consumers; ++c) {
    threads.emplace_back([&] {
      while (received.load(std::memory_order_relaxed) < kMessages) {
        const int n = ReceiveAndDelete(q, clock, batch);
        if (n == 0) {
          std::this_thread::yield();
        } else {
          received.fetch_add(n, std::memory_order_relaxed);
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  return ProcessCpuNanos() - cpu_start;
}

void ReportCpu(benchmark::State& state, int64_t cpu_nanos) {
  state.counters["cpu_ns_per_msg"] =
      static_cast<double>(cpu_nanos) / static_cast<double>(state.iterations() * kMessages);
}

void BM_FifoLifecycle(benchmark::State& state) {
  const int groups = static_cast<int>(state.range(0));
  const int batch = static_cast<int>(state.range(1));
  const int consumers = static_cast<int>(state.range(2));
  const std::string body(kBodyBytes, 'x');
  SystemClock clock;
  Scheduler scheduler(clock);
  int iteration = 0;
  int64_t cpu = 0;
  // One queue for all iterations (its slot tables and dedup window warm up,
  // as in a long-lived queue); each iteration sends fresh dedup ids.
  std::unique_ptr<QueueCore> q =
      NewFifoQueue(QueueConfig{}, clock, scheduler, nullptr, "arn:bench.fifo");
  for (auto _ : state) {
    state.PauseTiming();
    Inputs in = MakeInputs(groups, iteration++);
    state.ResumeTiming();
    cpu += RunLifecycle(*q, clock, batch, consumers, [&](int i) {
      SendArgs args;
      args.payload = NewPayload(body);
      args.message_group_id = in.groups[i % groups];
      args.deduplication_id = in.dedup_ids[i];
      if (!q->Send(std::move(args)).ok()) std::abort();
    });
  }
  state.SetItemsProcessed(state.iterations() * kMessages);
  ReportCpu(state, cpu);
}
BENCHMARK(BM_FifoLifecycle)
    ->Name("Fifo/Lifecycle")
    ->ArgNames({"groups", "batch", "consumers"})
    ->ArgsProduct({{1, 10, 1000}, {1, 10}, {1, 2}})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

void BM_StandardLifecycle(benchmark::State& state) {
  const int batch = static_cast<int>(state.range(0));
  const int consumers = static_cast<int>(state.range(1));
  const std::string body(kBodyBytes, 'x');
  SystemClock clock;
  Scheduler scheduler(clock);
  int64_t cpu = 0;
  std::unique_ptr<QueueCore> q =
      queue_internal::NewStandardQueue(QueueConfig{}, clock, scheduler, nullptr, "arn:bench");
  for (auto _ : state) {
    cpu += RunLifecycle(*q, clock, batch, consumers, [&](int) {
      SendArgs args;
      args.payload = NewPayload(body);
      if (!q->Send(std::move(args)).ok()) std::abort();
    });
  }
  state.SetItemsProcessed(state.iterations() * kMessages);
  ReportCpu(state, cpu);
}
BENCHMARK(BM_StandardLifecycle)
    ->Name("Standard/Lifecycle")
    ->ArgNames({"batch", "consumers"})
    ->ArgsProduct({{1, 10}, {1, 2}})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

void BM_FifoSend(benchmark::State& state) {
  const int groups = static_cast<int>(state.range(0));
  const std::string body(kBodyBytes, 'x');
  SystemClock clock;
  Scheduler scheduler(clock);
  int iteration = 0;
  Inputs in = MakeInputs(groups, iteration);
  std::unique_ptr<QueueCore> q =
      NewFifoQueue(QueueConfig{}, clock, scheduler, nullptr, "arn:bench.fifo");
  int i = 0;
  for (auto _ : state) {
    SendArgs args;
    args.payload = NewPayload(body);
    args.message_group_id = in.groups[i % groups];
    args.deduplication_id = in.dedup_ids[i];
    benchmark::DoNotOptimize(q->Send(std::move(args)));
    if (++i == kMessages) {
      state.PauseTiming();
      in = MakeInputs(groups, ++iteration);
      q = NewFifoQueue(QueueConfig{}, clock, scheduler, nullptr, "arn:bench.fifo");
      i = 0;
      state.ResumeTiming();
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_FifoSend)->Name("Fifo/Send")->ArgNames({"groups"})->Arg(1)->Arg(1000);

// One thread: send `batch` messages (over `groups` groups), receive them,
// delete them. No contention: the engines' own cost per message.
void SingleThreadCycle(benchmark::State& state, bool fifo) {
  const int groups = static_cast<int>(state.range(0));
  const int batch = static_cast<int>(state.range(1));
  const std::string body(kBodyBytes, 'x');
  SystemClock clock;
  Scheduler scheduler(clock);
  int iteration = 0;
  Inputs in = MakeInputs(groups, iteration);
  auto make = [&] {
    return fifo ? NewFifoQueue(QueueConfig{}, clock, scheduler, nullptr, "arn:bench.fifo")
                : queue_internal::NewStandardQueue(QueueConfig{}, clock, scheduler, nullptr,
                                                   "arn:bench");
  };
  std::unique_ptr<QueueCore> q = make();
  int i = 0;
  int64_t items = 0;
  for (auto _ : state) {
    for (int b = 0; b < batch; ++b, ++i) {
      SendArgs args;
      args.payload = NewPayload(body);
      if (fifo) {
        args.message_group_id = in.groups[i % groups];
        args.deduplication_id = in.dedup_ids[i];
      }
      if (!q->Send(std::move(args)).ok()) std::abort();
    }
    int got = 0;
    while (got < batch) got += ReceiveAndDelete(*q, clock, batch);
    items += got;
    if (i + batch > kMessages) {
      state.PauseTiming();
      in = MakeInputs(groups, ++iteration);
      q = make();
      i = 0;
      state.ResumeTiming();
    }
  }
  state.SetItemsProcessed(items);
}
void BM_FifoCycle(benchmark::State& state) { SingleThreadCycle(state, true); }
void BM_StandardCycle(benchmark::State& state) { SingleThreadCycle(state, false); }
BENCHMARK(BM_FifoCycle)
    ->Name("Fifo/Cycle")
    ->ArgNames({"groups", "batch"})
    ->ArgsProduct({{1, 1000}, {1, 10}});
BENCHMARK(BM_StandardCycle)
    ->Name("Standard/Cycle")
    ->ArgNames({"groups", "batch"})
    ->ArgsProduct({{1}, {1, 10}});

}  // namespace
}  // namespace wharf::fifo_internal

BENCHMARK_MAIN();
