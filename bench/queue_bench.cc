// Benchmarks of the standard queue engine (broker/queue/standard_queue.h),
// with the bare moodycamel queue it is built on as the ceiling.
//
//   build-<you>/bench/queue_bench --benchmark_filter=Lifecycle
//   build-<you>/bench/queue_bench --benchmark_filter=Memory   # alone: RSS deltas
//
// Families (payload bytes 16, 256, 4096):
//   Core/Send, Core/ReceiveDelete      one thread, batch 1 or 10
//   Core/Lifecycle                     send -> receive -> delete, P producers and
//                                      C consumers, batch 1 or 10 (SendBatch,
//                                      receives of 10)
//   Moodycamel/Lifecycle               ConcurrentQueue<std::string> with tokens,
//                                      single or bulk(10), same payload copies
//   Core/WakeLatency, Moodycamel/WakeLatency
//                                      a blocked receiver woken by a send:
//                                      send -> the receive returns with the
//                                      message (Core deletes it after), p50/
//                                      p99 in microseconds (counters)
//   Wakeup/WakeLatency                 the same for a thread blocked on a bare
//                                      Wakeup (SystemClock::Await): the floor
//   Core/AsyncWakeLatency              send -> completion of a parked
//                                      ReceiveAsync with 1, 100 or 10,000
//                                      parked: p50/p99 in microseconds
//   Core/AsyncWakeAll                  10,000 parked, then 10,000 sends: the
//                                      sends' total time
//   Service/Lifecycle                  the same through the public sqs::Queue
//                                      handle (built when wharf_service exists)
//   Core/MemoryPerMessage              RSS delta of 1,000,000 queued 100-byte
//                                      messages, bytes per message (counter)
//
// Every lifecycle iteration moves kMessages messages between freshly started
// threads and reports items/s on wall time. Consumers poll without waiting
// (yielding when empty) in both the core and the moodycamel runs.

// g++ 12 reports a bogus -Wstringop-overflow inside moodycamel's
// ConcurrentQueue<std::string> instantiation (reported at instantiation, so a
// push/pop around the includes does not reach it). clang has no such warning.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wstringop-overflow"
#endif

#include <benchmark/benchmark.h>
#include <concurrentqueue/blockingconcurrentqueue.h>
#include <concurrentqueue/concurrentqueue.h>
#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <iterator>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "broker/base/digests.h"
#include "broker/base/scheduler.h"
#include "broker/queue/standard_queue.h"
#include "wharf/clock.h"
#if WHARF_QUEUE_BENCH_SERVICE
#include "wharf/broker.h"
#include "wharf/sqs.h"
#endif

namespace wharf::queue_internal {
namespace {

constexpr int kMessages = 1 << 16;

// A copy of `body`, as the service layer makes from a request.
PayloadRef NewPayload(const std::string& body) { return base_internal::NewPayload(body); }

SendArgs Args(PayloadRef payload) {
  SendArgs args;
  args.payload = std::move(payload);
  return args;
}

ReceiveArgs Poll(int max, absl::Time deadline) {
  ReceiveArgs args;
  args.max_messages = max;
  args.visibility_timeout = absl::Seconds(30);
  args.wait_deadline = deadline;
  return args;
}

// Receives up to `max` (short poll) and deletes them; returns how many. As
// the service does: a short poll says so with InfinitePast (no clock read),
// and the result's vector goes back as the thread's spare (RecycleDeliveries).
int ReceiveAndDelete(QueueCore& q, int max) {
  auto got = q.Receive(Poll(max, absl::InfinitePast()));
  if (!got.ok()) return 0;
  for (const Delivery& d : *got) {
    if (!q.Delete(d.receipt_handle).ok()) std::abort();
  }
  const int n = static_cast<int>(got->size());
  RecycleDeliveries(std::move(*got));
  return n;
}

// ---- Single-threaded core operations ----------------------------------------

void BM_CoreSend(benchmark::State& state) {
  const std::string body(static_cast<size_t>(state.range(0)), 'x');
  SystemClock clock;
  Scheduler scheduler(clock);
  auto q = NewStandardQueue(QueueConfig{}, clock, scheduler, nullptr, "arn");
  int64_t since_purge = 0;
  for (auto _ : state) {
    auto sent = q->Send(Args(NewPayload(body)));
    benchmark::DoNotOptimize(sent);
    // Purge often enough that the payloads' memory stays in the allocator
    // (a large backlog is returned to the OS and faulted in again).
    if (++since_purge == 1024) {
      state.PauseTiming();
      q->Purge();
      since_purge = 0;
      state.ResumeTiming();
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CoreSend)->Name("Core/Send")->Arg(16)->Arg(256)->Arg(4096);

void BM_CoreReceiveDelete(benchmark::State& state) {
  const std::string body(static_cast<size_t>(state.range(0)), 'x');
  const int batch = static_cast<int>(state.range(1));
  SystemClock clock;
  Scheduler scheduler(clock);
  auto q = NewStandardQueue(QueueConfig{}, clock, scheduler, nullptr, "arn");
  int64_t items = 0;
  for (auto _ : state) {
    int n = ReceiveAndDelete(*q, batch);
    if (n == 0) {
      state.PauseTiming();
      for (int i = 0; i < kMessages; ++i) (void)q->Send(Args(NewPayload(body)));
      state.ResumeTiming();
    }
    items += n;
  }
  state.SetItemsProcessed(items);
}
BENCHMARK(BM_CoreReceiveDelete)
    ->Name("Core/ReceiveDelete")
    ->ArgNames({"bytes", "batch"})
    ->ArgsProduct({{16, 256, 4096}, {1, 10}});

// ---- Lifecycle: producers and consumers ---------------------------------------

// Runs `producer(i)` on P threads and `consumer()` on C threads; consumers
// return when `done` says so.
template <typename Producer, typename Consumer>
void RunThreads(int producers, int consumers, Producer producer, Consumer consumer) {
  std::vector<std::thread> threads;
  for (int i = 0; i < producers; ++i) threads.emplace_back([&, i] { producer(i); });
  for (int i = 0; i < consumers; ++i) threads.emplace_back([&] { consumer(); });
  for (auto& t : threads) t.join();
}

void BM_CoreLifecycle(benchmark::State& state) {
  const std::string body(static_cast<size_t>(state.range(0)), 'x');
  const int batch = static_cast<int>(state.range(1));
  const int producers = static_cast<int>(state.range(2));
  const int consumers = static_cast<int>(state.range(3));
  SystemClock clock;
  Scheduler scheduler(clock);
  auto q = NewStandardQueue(QueueConfig{}, clock, scheduler, nullptr, "arn");
  for (auto _ : state) {
    std::atomic<int> received{0};
    RunThreads(
        producers, consumers,
        [&](int) {
          std::vector<SendArgs> args(static_cast<size_t>(batch));
          for (int i = 0; i < kMessages / producers; i += batch) {
            if (batch == 1) {
              (void)q->Send(Args(NewPayload(body)));
              continue;
            }
            for (SendArgs& a : args) a = Args(NewPayload(body));
            (void)q->SendBatch(args);
          }
        },
        [&] {
          while (received.load(std::memory_order_relaxed) < kMessages) {
            int n = ReceiveAndDelete(*q, batch);
            if (n == 0) {
              std::this_thread::yield();
            } else {
              received.fetch_add(n, std::memory_order_relaxed);
            }
          }
        });
  }
  state.SetItemsProcessed(state.iterations() * kMessages);
}
BENCHMARK(BM_CoreLifecycle)
    ->Name("Core/Lifecycle")
    ->ArgNames({"bytes", "batch", "producers", "consumers"})
    ->ArgsProduct({{16, 256, 4096}, {1, 10}, {1, 2}, {1, 2}})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

void BM_MoodycamelLifecycle(benchmark::State& state) {
  const std::string body(static_cast<size_t>(state.range(0)), 'x');
  const int batch = static_cast<int>(state.range(1));
  const int producers = static_cast<int>(state.range(2));
  const int consumers = static_cast<int>(state.range(3));
  moodycamel::ConcurrentQueue<std::string> q;
  for (auto _ : state) {
    std::atomic<int> received{0};
    RunThreads(
        producers, consumers,
        [&](int) {
          moodycamel::ProducerToken token(q);
          std::array<std::string, 10> items;
          for (int i = 0; i < kMessages / producers; i += batch) {
            if (batch == 1) {
              q.enqueue(token, std::string(body));
            } else {
              for (auto& item : items) item = body;
              q.enqueue_bulk(token, std::make_move_iterator(items.begin()), items.size());
            }
          }
        },
        [&] {
          moodycamel::ConsumerToken token(q);
          std::array<std::string, 10> items;
          while (received.load(std::memory_order_relaxed) < kMessages) {
            size_t n = batch == 1 ? (q.try_dequeue(token, items[0]) ? 1 : 0)
                                  : q.try_dequeue_bulk(token, items.begin(), items.size());
            if (n == 0) {
              std::this_thread::yield();
            } else {
              benchmark::DoNotOptimize(items);
              received.fetch_add(static_cast<int>(n), std::memory_order_relaxed);
            }
          }
        });
  }
  state.SetItemsProcessed(state.iterations() * kMessages);
}
BENCHMARK(BM_MoodycamelLifecycle)
    ->Name("Moodycamel/Lifecycle")
    ->ArgNames({"bytes", "batch", "producers", "consumers"})
    ->ArgsProduct({{16, 256, 4096}, {1, 10}, {1, 2}, {1, 2}})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// ---- The public path: wharf::sqs::Queue (service layer + engine) -------------
#if WHARF_QUEUE_BENCH_SERVICE

// The same lifecycle through Broker -> sqs::Queue handle: request validation,
// MD5 of the body, message ids, attribute handling. Batch 10 uses
// SendMessageBatch and DeleteMessageBatch.
void BM_ServiceLifecycle(benchmark::State& state) {
  const std::string body(static_cast<size_t>(state.range(0)), 'x');
  const int batch = static_cast<int>(state.range(1));
  const int producers = static_cast<int>(state.range(2));
  const int consumers = static_cast<int>(state.range(3));
  BrokerOptions options;
  options.metrics.enabled = state.range(4) != 0;
  auto broker = Broker::Open(options);
  if (!broker.ok()) {
    state.SkipWithError("Broker::Open failed");
    return;
  }
  sqs::CreateQueueRequest create;
  create.queue_name = "bench";
  auto created = (*broker)->sqs().CreateQueue(create);
  if (!created.ok()) {
    state.SkipWithError("CreateQueue failed");
    return;
  }
  auto queue = (*broker)->sqs().OpenQueue(created->queue_url);
  if (!queue.ok()) {
    state.SkipWithError("OpenQueue failed");
    return;
  }
  sqs::Queue& q = **queue;
  for (auto _ : state) {
    std::atomic<int> received{0};
    RunThreads(
        producers, consumers,
        [&](int) {
          // One request per thread, refilled for each message (or batch) as
          // a sending loop would: every body is copied from `body`, as in
          // the moodycamel rows; the entry ids stay.
          sqs::SendMessageRequest send;
          sqs::SendMessageBatchRequest send_batch;
          send_batch.entries.resize(static_cast<size_t>(batch));
          for (int b = 0; b < batch; ++b) {
            send_batch.entries[static_cast<size_t>(b)].id = std::to_string(b);
          }
          for (int i = 0; i < kMessages / producers; i += batch) {
            if (batch == 1) {
              send.message_body = body;
              if (!q.SendMessage(send).ok()) std::abort();
            } else {
              for (sqs::SendMessageBatchRequestEntry& e : send_batch.entries) e.message_body = body;
              if (!q.SendMessageBatch(send_batch).ok()) std::abort();
            }
          }
        },
        [&] {
          sqs::ReceiveMessageRequest receive;
          receive.max_number_of_messages = batch;
          receive.wait_time_seconds = 0;
          sqs::DeleteMessageRequest del;
          sqs::DeleteMessageBatchRequest del_batch;
          while (received.load(std::memory_order_relaxed) < kMessages) {
            auto got = q.ReceiveMessage(receive);
            if (!got.ok()) std::abort();
            const int n = static_cast<int>(got->messages.size());
            if (n == 0) {
              std::this_thread::yield();
              continue;
            }
            if (batch == 1) {
              for (sqs::Message& m : got->messages) {
                del.receipt_handle = std::move(m.receipt_handle);
                if (!q.DeleteMessage(del).ok()) std::abort();
              }
            } else {
              // Ids "0".."n-1", kept from the previous batch where they exist.
              while (del_batch.entries.size() > static_cast<size_t>(n))
                del_batch.entries.pop_back();
              while (del_batch.entries.size() < static_cast<size_t>(n)) {
                std::string id = std::to_string(del_batch.entries.size());
                del_batch.entries.emplace_back().id = std::move(id);
              }
              for (int k = 0; k < n; ++k) {
                del_batch.entries[static_cast<size_t>(k)].receipt_handle =
                    std::move(got->messages[static_cast<size_t>(k)].receipt_handle);
              }
              if (!q.DeleteMessageBatch(del_batch).ok()) std::abort();
            }
            received.fetch_add(n, std::memory_order_relaxed);
          }
        });
  }
  state.SetItemsProcessed(state.iterations() * kMessages);
}
// Metrics are on (the default) in every row; the 256-byte rows run again with
// them off, so one run shows what the metrics cost (README: at most 5%).
void LifecycleArgs(benchmark::internal::Benchmark* b) {
  for (int64_t bytes : {16, 256, 4096}) {
    for (int64_t batch : {1, 10}) {
      for (int64_t producers : {1, 2}) {
        for (int64_t consumers : {1, 2}) {
          b->Args({bytes, batch, producers, consumers, 1});
          if (bytes == 256) b->Args({bytes, batch, producers, consumers, 0});
        }
      }
    }
  }
}
BENCHMARK(BM_ServiceLifecycle)
    ->Name("Service/Lifecycle")
    ->ArgNames({"bytes", "batch", "producers", "consumers", "metrics"})
    ->Apply(LifecycleArgs)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

#endif  // WHARF_QUEUE_BENCH_SERVICE

// ---- Wake-up latency of a blocked receiver -----------------------------------

constexpr int kWakeRounds = 2000;

int64_t SteadyNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Sends kWakeRounds times, each after the receiver is back and had time to
// block; `receive_one` blocks until a message arrives and returns what
// `settle` needs, which runs after the latency is taken (a delete is the
// consumer's next step, not part of its wake-up). Reports percentiles.
template <typename Send, typename ReceiveOne, typename Settle>
void MeasureWake(benchmark::State& state, Send send, ReceiveOne receive_one, Settle settle) {
  for (auto _ : state) {
    std::atomic<int64_t> sent_at{0};
    std::atomic<int> round_done{0};
    std::vector<int64_t> latencies;
    latencies.reserve(kWakeRounds);
    std::thread receiver([&] {
      for (int i = 0; i < kWakeRounds; ++i) {
        auto received = receive_one();
        latencies.push_back(SteadyNanos() - sent_at.load(std::memory_order_acquire));
        settle(std::move(received));
        round_done.store(i + 1, std::memory_order_release);
      }
    });
    for (int i = 0; i < kWakeRounds; ++i) {
      while (round_done.load(std::memory_order_acquire) < i) std::this_thread::yield();
      // A wall-clock pause is the point here (a benchmark, not a test): the
      // figure is the wake-up of a receiver parked in the kernel, and the bare
      // moodycamel queue has no waiter count to wait on instead.
      std::this_thread::sleep_for(std::chrono::microseconds(200));
      sent_at.store(SteadyNanos(), std::memory_order_release);
      send();
    }
    receiver.join();
    std::sort(latencies.begin(), latencies.end());
    state.counters["p50_us"] = static_cast<double>(latencies[latencies.size() / 2]) / 1e3;
    state.counters["p99_us"] = static_cast<double>(latencies[latencies.size() * 99 / 100]) / 1e3;
  }
}

void BM_CoreWakeLatency(benchmark::State& state) {
  SystemClock clock;
  Scheduler scheduler(clock);
  auto q = NewStandardQueue(QueueConfig{}, clock, scheduler, nullptr, "arn");
  const std::string body(256, 'x');
  MeasureWake(
      state, [&] { (void)q->Send(Args(NewPayload(body))); },
      [&] {
        for (;;) {
          auto got = q->Receive(Poll(1, clock.Now() + absl::Seconds(5)));
          if (got.ok() && !got->empty()) return std::move(*got);
        }
      },
      [&](std::vector<Delivery> got) {
        (void)q->Delete(got.front().receipt_handle);
        RecycleDeliveries(std::move(got));
      });
}
BENCHMARK(BM_CoreWakeLatency)->Name("Core/WakeLatency")->Iterations(1)->UseRealTime();

// Asynchronous receives (ReceiveAsync) parked on the queue, `parked` of them
// at all times: each send completes the first one parked, on the sending
// thread, which then parks a new one. Latency: from before Send to the start
// of the completion (p50/p99 in microseconds, counters).
void BM_CoreAsyncWakeLatency(benchmark::State& state) {
  const int parked = static_cast<int>(state.range(0));
  SystemClock clock;
  Scheduler scheduler(clock);
  auto q = NewStandardQueue(QueueConfig{}, clock, scheduler, nullptr, "arn");
  const std::string body(256, 'x');
  int64_t completed_at = 0;  // Written by completions, on this thread.
  bool closing = false;
  std::function<void()> park = [&] {
    q->ReceiveAsync(Poll(1, clock.Now() + absl::Seconds(20)), [&](ReceiveResult got) {
      completed_at = SteadyNanos();
      if (closing) return;
      if (got.ok() && !got->empty()) {
        (void)q->Delete(got->front().receipt_handle);
        RecycleDeliveries(std::move(*got));
      }
      park();
    });
  };
  for (int i = 0; i < parked; ++i) park();
  for (auto _ : state) {
    std::vector<int64_t> latencies;
    latencies.reserve(kWakeRounds);
    for (int i = 0; i < kWakeRounds; ++i) {
      const int64_t sent_at = SteadyNanos();
      (void)q->Send(Args(NewPayload(body)));
      latencies.push_back(completed_at - sent_at);
    }
    std::sort(latencies.begin(), latencies.end());
    state.counters["p50_us"] = static_cast<double>(latencies[latencies.size() / 2]) / 1e3;
    state.counters["p99_us"] = static_cast<double>(latencies[latencies.size() * 99 / 100]) / 1e3;
  }
  closing = true;
  q->Close();
}
BENCHMARK(BM_CoreAsyncWakeLatency)
    ->Name("Core/AsyncWakeLatency")
    ->ArgName("parked")
    ->Arg(1)
    ->Arg(100)
    ->Arg(10000)
    ->Iterations(1)
    ->UseRealTime();

// 10,000 asynchronous receives parked, then 10,000 sends: each send
// completes one receive. The time is the sends' (manual time); counters give
// the parking time and check that every receive got a message.
void BM_CoreAsyncWakeAll(benchmark::State& state) {
  constexpr int kParked = 10000;
  SystemClock clock;
  Scheduler scheduler(clock);
  auto q = NewStandardQueue(QueueConfig{}, clock, scheduler, nullptr, "arn");
  const std::string body(256, 'x');
  for (auto _ : state) {
    int got_message = 0;
    int completed = 0;
    const int64_t park_start = SteadyNanos();
    for (int i = 0; i < kParked; ++i) {
      q->ReceiveAsync(Poll(1, clock.Now() + absl::Seconds(20)), [&](ReceiveResult got) {
        ++completed;
        if (got.ok() && got->size() == 1) ++got_message;
      });
    }
    const int64_t send_start = SteadyNanos();
    for (int i = 0; i < kParked; ++i) (void)q->Send(Args(NewPayload(body)));
    const int64_t end = SteadyNanos();
    state.SetIterationTime(static_cast<double>(end - send_start) / 1e9);
    state.counters["park_ms"] = static_cast<double>(send_start - park_start) / 1e6;
    state.counters["send_ms"] = static_cast<double>(end - send_start) / 1e6;
    state.counters["completed_with_message"] = got_message;
    if (completed != kParked) state.SkipWithError("a receive was not completed");
    q->Purge();
  }
}
BENCHMARK(BM_CoreAsyncWakeAll)
    ->Name("Core/AsyncWakeAll")
    ->Iterations(1)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

void BM_MoodycamelWakeLatency(benchmark::State& state) {
  moodycamel::BlockingConcurrentQueue<std::string> q;
  const std::string body(256, 'x');
  MeasureWake(
      state, [&] { q.enqueue(std::string(body)); },
      [&] {
        std::string s;
        q.wait_dequeue(s);
        return s;
      },
      [](std::string) {});
}
BENCHMARK(BM_MoodycamelWakeLatency)->Name("Moodycamel/WakeLatency")->Iterations(1)->UseRealTime();

// The floor under Core/WakeLatency: a thread blocked in SystemClock::Await
// on a Wakeup (with a deadline, as a long poll's), notified by the sender;
// no queue. The i-th send notifies the i-th Wakeup.
void BM_WakeupWakeLatency(benchmark::State& state) {
  SystemClock clock;
  std::unique_ptr<Wakeup[]> wakeups(new Wakeup[kWakeRounds]);
  int sent = 0;      // On the sending thread.
  int received = 0;  // On the receiving thread.
  MeasureWake(
      state, [&] { wakeups[sent++].Notify(); },
      [&] {
        Wakeup& wakeup = wakeups[received++];
        while (!clock.Await(wakeup, clock.Now() + absl::Seconds(5))) {
        }
        return 0;
      },
      [](int) {});
}
BENCHMARK(BM_WakeupWakeLatency)->Name("Wakeup/WakeLatency")->Iterations(1)->UseRealTime();

// ---- Memory ------------------------------------------------------------------

int64_t ResidentBytes() {
  long pages = 0;
  long resident = 0;
  FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0;
  if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
  std::fclose(f);
  return static_cast<int64_t>(resident) * sysconf(_SC_PAGESIZE);
}

// range(0) == 1: every message has its own Payload (100-byte body and its
// MD5 cache, as the service builds it); 0: all share one (the engine's own cost).
void BM_CoreMemoryPerMessage(benchmark::State& state) {
  constexpr int kCount = 1'000'000;
  const bool own_payload = state.range(0) == 1;
  const std::string body(100, 'x');
  const PayloadRef shared = NewPayload(body);
  SystemClock clock;
  Scheduler scheduler(clock);  // Started before the measurement (its thread).
  for (auto _ : state) {
    malloc_trim(0);
    const int64_t before = ResidentBytes();
    auto q = NewStandardQueue(QueueConfig{}, clock, scheduler, nullptr, "arn");
    for (int i = 0; i < kCount; ++i) {
      if (own_payload) {
        (void)q->Send(Args(NewPayload(body)));
      } else {
        (void)q->Send(Args(shared));
      }
    }
    const int64_t after = ResidentBytes();
    state.counters["bytes_per_message"] = static_cast<double>(after - before) / kCount;
    state.counters["visible"] = static_cast<double>(q->GetCounts().visible);
  }
}
BENCHMARK(BM_CoreMemoryPerMessage)
    ->Name("Core/MemoryPerMessage")
    ->ArgName("own_payload")
    ->Arg(0)
    ->Arg(1)
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace wharf::queue_internal

BENCHMARK_MAIN();
