// Lambda event source mappings against the hand-written consumer they
// replace, in the same run (SystemClock, the broker's worker pool):
//
//   Lambda/Throughput/HandLoop   one thread: ReceiveMessage(10, long poll) +
//                                DeleteMessageBatch through the public
//                                sqs::Queue handle, until the queue is empty;
//                                attributes:1 also asks for the attributes an
//                                SQS event record carries
//   Lambda/Throughput/Mapping    a mapping (batch size 10, no-op handler)
//                                draining the same queue, on 1, 2 or 4 worker
//                                threads; items/s, and CPU per message
//   Lambda/WakeLatency/LongPoll  send -> a receiver parked in a long poll
//                                returns: p50/p99 in microseconds
//   Lambda/WakeLatency/Mapping   send -> the handler of an idle mapping runs
//   Lambda/Targets               all four in one iteration, with the ratios
//                                the issue sets as targets: throughput
//                                mapping/loop >= 0.8, latency p50
//                                mapping/long poll <= 2
//
// Each throughput run prefills kMessages messages of 256 bytes, then times
// only the draining (manual time).

#include <benchmark/benchmark.h>
#include <time.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "broker/base/mutex.h"
#include "wharf/broker.h"
#include "wharf/lambda.h"
#include "wharf/sqs.h"

namespace wharf {
namespace {

constexpr int kMessages = 20000;
constexpr int kBodyBytes = 256;
constexpr int kWakeRounds = 1000;
constexpr char kQueueArn[] = "arn:aws:sqs:us-east-1:000000000000:bench";

// CPU time of the whole process (every thread), in nanoseconds.
int64_t CpuNanos() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

// A throughput run: messages per second of wall time, and process CPU
// microseconds per message (less sensitive to other load on the machine).
struct Rate {
  double msgs_per_s = 0;
  double cpu_us_per_msg = 0;
};

int64_t SteadyNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

struct Setup {
  std::unique_ptr<Broker> broker;
  std::shared_ptr<sqs::Queue> queue;
};

Setup Open(int worker_threads = 4) {
  Setup s;
  s.broker = Broker::Open({.lambda_worker_threads = worker_threads}).value();
  std::string url = s.broker->sqs().CreateQueue({.queue_name = "bench"}).value().queue_url;
  s.queue = s.broker->sqs().OpenQueue(url).value();
  return s;
}

void Fill(sqs::Queue& queue, int n) {
  const std::string body(kBodyBytes, 'x');
  sqs::SendMessageBatchRequest batch;
  for (int i = 0; i < 10; ++i)
    batch.entries.push_back({.id = std::to_string(i), .message_body = body});
  for (int sent = 0; sent < n; sent += 10) (void)queue.SendMessageBatch(batch);
}

// One thread receiving and deleting in batches of 10; with `attributes`, it
// asks for what an SQS event record carries (every system and message
// attribute), as the mapping does.
Rate LoopRate(bool attributes = false) {
  Setup s = Open();
  Fill(*s.queue, kMessages);
  const int64_t start = SteadyNanos();
  const int64_t cpu_start = CpuNanos();
  int left = kMessages;
  while (left > 0) {
    sqs::ReceiveMessageRequest request{.max_number_of_messages = 10, .wait_time_seconds = 20};
    if (attributes) {
      request.message_attribute_names = {"All"};
      request.message_system_attribute_names = {"All"};
    }
    auto got = s.queue->ReceiveMessage(request);
    if (!got.ok() || got->messages.empty()) continue;
    sqs::DeleteMessageBatchRequest del;
    for (size_t i = 0; i < got->messages.size(); ++i) {
      del.entries.push_back({std::to_string(i), got->messages[i].receipt_handle});
    }
    (void)s.queue->DeleteMessageBatch(del);
    left -= static_cast<int>(got->messages.size());
  }
  return {kMessages / (static_cast<double>(SteadyNanos() - start) / 1e9),
          static_cast<double>(CpuNanos() - cpu_start) / 1e3 / kMessages};
}

// A mapping (batch size 10, no-op handler).
Rate MappingRate(int worker_threads) {
  Setup s = Open(worker_threads);
  Fill(*s.queue, kMessages);
  std::atomic<int> handled{0};
  Notification done;
  (void)s.broker->lambda().CreateFunction(
      {.function_name = "noop",
       .handler = [&](const lambda::Invocation& in) -> absl::StatusOr<std::string> {
         int n = static_cast<int>(in.sqs()->records.size());
         if (handled.fetch_add(n) + n == kMessages) done.Notify();
         return std::string();
       }});
  const int64_t start = SteadyNanos();
  const int64_t cpu_start = CpuNanos();
  (void)s.broker->lambda().CreateEventSourceMapping(
      {.event_source_arn = kQueueArn, .function_name = "noop", .batch_size = 10});
  done.WaitForNotification();
  const int64_t elapsed = SteadyNanos() - start;
  const int64_t cpu = CpuNanos() - cpu_start;
  // The last batch's deletes may still run; the figure counts handled records.
  return {kMessages / (static_cast<double>(elapsed) / 1e9),
          static_cast<double>(cpu) / 1e3 / kMessages};
}

struct Percentiles {
  double p50_us = 0;
  double p99_us = 0;
};

Percentiles Summarize(std::vector<int64_t> latencies) {
  std::sort(latencies.begin(), latencies.end());
  return {static_cast<double>(latencies[latencies.size() / 2]) / 1e3,
          static_cast<double>(latencies[latencies.size() * 99 / 100]) / 1e3};
}

// Counts the rounds the consumer finished; the sender blocks (rather than
// spins) until the previous round is done, so that it takes no CPU from the
// consumer being measured.
class Rounds {
 public:
  void Done() {
    MutexLock lock(&mu_);
    ++done_;
    cv_.SignalAll();
  }
  void Await(int n) {
    MutexLock lock(&mu_);
    while (done_ < n) cv_.Wait(&mu_);
  }

 private:
  Mutex mu_;
  CondVar cv_;
  int done_ ABSL_GUARDED_BY(mu_) = 0;
};

// Sends kWakeRounds messages, each after the previous one was consumed and
// the consumer had time to park again.
void SendRounds(sqs::Queue& queue, std::atomic<int64_t>& sent_at, Rounds& rounds) {
  const std::string body(kBodyBytes, 'x');
  for (int i = 0; i < kWakeRounds; ++i) {
    rounds.Await(i);
    // A wall-clock pause is the point (a benchmark, not a test): the figure
    // is the wake-up of a consumer that had time to park.
    std::this_thread::sleep_for(std::chrono::microseconds(200));
    sent_at.store(SteadyNanos(), std::memory_order_release);
    (void)queue.SendMessage({.message_body = body});
  }
  rounds.Await(kWakeRounds);
}

Percentiles LongPollLatency() {
  Setup s = Open();
  std::atomic<int64_t> sent_at{0};
  Rounds rounds;
  std::vector<int64_t> latencies;
  latencies.reserve(kWakeRounds);
  std::thread receiver([&] {
    for (int i = 0; i < kWakeRounds;) {
      auto got = s.queue->ReceiveMessage({.max_number_of_messages = 10, .wait_time_seconds = 20});
      if (!got.ok() || got->messages.empty()) continue;
      latencies.push_back(SteadyNanos() - sent_at.load(std::memory_order_acquire));
      (void)s.queue->DeleteMessage({.receipt_handle = got->messages[0].receipt_handle});
      ++i;
      rounds.Done();
    }
  });
  SendRounds(*s.queue, sent_at, rounds);
  receiver.join();
  return Summarize(std::move(latencies));
}

Percentiles MappingLatency() {
  Setup s = Open();
  std::atomic<int64_t> sent_at{0};
  Rounds rounds;
  std::vector<int64_t> latencies;  // Written by one handler call at a time.
  latencies.reserve(kWakeRounds);
  (void)s.broker->lambda().CreateFunction(
      {.function_name = "noop",
       .handler = [&](const lambda::Invocation&) -> absl::StatusOr<std::string> {
         latencies.push_back(SteadyNanos() - sent_at.load(std::memory_order_acquire));
         rounds.Done();
         return std::string();
       }});
  (void)s.broker->lambda().CreateEventSourceMapping(
      {.event_source_arn = kQueueArn, .function_name = "noop", .batch_size = 10});
  SendRounds(*s.queue, sent_at, rounds);
  s.broker.reset();  // Waits for the last handler before `latencies` is read.
  return Summarize(std::move(latencies));
}

void BM_HandLoop(benchmark::State& state) {
  for (auto _ : state) {
    Rate rate = LoopRate(state.range(0) == 1);
    state.SetIterationTime(kMessages / rate.msgs_per_s);
    state.counters["cpu_us_per_msg"] = rate.cpu_us_per_msg;
  }
  state.SetItemsProcessed(state.iterations() * kMessages);
}
BENCHMARK(BM_HandLoop)
    ->Name("Lambda/Throughput/HandLoop")
    ->ArgName("attributes")
    ->Arg(0)
    ->Arg(1)
    ->UseManualTime()
    ->Iterations(3);

void BM_Mapping(benchmark::State& state) {
  for (auto _ : state) {
    Rate rate = MappingRate(static_cast<int>(state.range(0)));
    state.SetIterationTime(kMessages / rate.msgs_per_s);
    state.counters["cpu_us_per_msg"] = rate.cpu_us_per_msg;
  }
  state.SetItemsProcessed(state.iterations() * kMessages);
}
BENCHMARK(BM_Mapping)
    ->Name("Lambda/Throughput/Mapping")
    ->ArgName("workers")
    ->Arg(1)
    ->Arg(2)
    ->Arg(4)
    ->UseManualTime()
    ->Iterations(3);

void BM_LongPollLatency(benchmark::State& state) {
  for (auto _ : state) {
    Percentiles p = LongPollLatency();
    state.counters["p50_us"] = p.p50_us;
    state.counters["p99_us"] = p.p99_us;
  }
}
BENCHMARK(BM_LongPollLatency)->Name("Lambda/WakeLatency/LongPoll")->Iterations(1)->UseRealTime();

void BM_MappingLatency(benchmark::State& state) {
  for (auto _ : state) {
    Percentiles p = MappingLatency();
    state.counters["p50_us"] = p.p50_us;
    state.counters["p99_us"] = p.p99_us;
  }
}
BENCHMARK(BM_MappingLatency)->Name("Lambda/WakeLatency/Mapping")->Iterations(1)->UseRealTime();

// Both comparisons inside one iteration, alternating the two sides three
// times and taking medians, so that load on the machine affects both alike.
void BM_Targets(benchmark::State& state) {
  for (auto _ : state) {
    std::vector<double> loop, mapping, loop_cpu, attr_loop_cpu, mapping_cpu, poll_p50, mapping_p50;
    for (int i = 0; i < 3; ++i) {
      Rate l = LoopRate();
      Rate a = LoopRate(/*attributes=*/true);
      Rate m = MappingRate(4);
      loop.push_back(l.msgs_per_s);
      mapping.push_back(m.msgs_per_s);
      loop_cpu.push_back(l.cpu_us_per_msg);
      attr_loop_cpu.push_back(a.cpu_us_per_msg);
      mapping_cpu.push_back(m.cpu_us_per_msg);
      poll_p50.push_back(LongPollLatency().p50_us);
      mapping_p50.push_back(MappingLatency().p50_us);
    }
    auto median = [](std::vector<double> v) {
      std::sort(v.begin(), v.end());
      return v[v.size() / 2];
    };
    state.counters["loop_msgs_per_s"] = median(loop);
    state.counters["mapping_msgs_per_s"] = median(mapping);
    state.counters["throughput_ratio"] = median(mapping) / median(loop);
    // The same comparison in CPU per message (loop / mapping: >= 0.8 means
    // the mapping costs at most 1.25x the loop's CPU).
    state.counters["loop_cpu_us_per_msg"] = median(loop_cpu);
    state.counters["mapping_cpu_us_per_msg"] = median(mapping_cpu);
    state.counters["cpu_ratio"] = median(loop_cpu) / median(mapping_cpu);
    state.counters["attr_loop_cpu_us_per_msg"] = median(attr_loop_cpu);
    state.counters["cpu_ratio_vs_attr_loop"] = median(attr_loop_cpu) / median(mapping_cpu);
    state.counters["longpoll_p50_us"] = median(poll_p50);
    state.counters["mapping_p50_us"] = median(mapping_p50);
    state.counters["latency_ratio"] = median(mapping_p50) / median(poll_p50);
  }
}
BENCHMARK(BM_Targets)->Name("Lambda/Targets")->Iterations(1)->UseRealTime();

}  // namespace
}  // namespace wharf

BENCHMARK_MAIN();
