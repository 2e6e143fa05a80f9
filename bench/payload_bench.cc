// A payload allocated on one thread and freed on another, the pattern of
// every message (the sender builds it, the receiver drops it), with the
// malloc it replaced as the ceiling to beat.
//
//   build-<you>/bench/payload_bench
//
// Families (body bytes 16, 256, 4096; 4096 is past the block cache's range):
//   Payload/CrossThread   NewPayload(body) on a producer thread, passed in
//                         batches of `batch` through a moodycamel queue to a
//                         consumer thread that drops it (block_cache.h)
//   Malloc/CrossThread    the same with operator new / delete of a block of
//                         the same size, body copied (a payload's allocation
//                         before the block cache, without its reference
//                         count: the ceiling to beat)
//
// Every iteration moves kMessages blocks between freshly started threads and
// reports items/s on wall time; the consumer polls without waiting (yielding
// when empty), as queue_bench's lifecycles do.

#include <benchmark/benchmark.h>
#include <concurrentqueue/concurrentqueue.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstring>
#include <new>
#include <string>
#include <thread>

#include "broker/base/payload.h"

namespace wharf::base_internal {
namespace {

constexpr int kMessages = 1 << 16;
constexpr size_t kMaxBatch = 10;

// Moves kMessages blocks from `make()` on one thread to `drop(block)` on
// another, `batch` at a time.
template <typename Make, typename Drop>
void CrossThread(benchmark::State& state, Make make, Drop drop) {
  const size_t batch = static_cast<size_t>(state.range(1));
  moodycamel::ConcurrentQueue<void*> queue;
  for (auto _ : state) {
    std::thread producer([&] {
      moodycamel::ProducerToken token(queue);
      std::array<void*, kMaxBatch> blocks;
      for (int i = 0; i < kMessages;) {  // Exactly kMessages: none left over.
        const size_t n = std::min(batch, static_cast<size_t>(kMessages - i));
        for (size_t k = 0; k < n; ++k) blocks[k] = make();
        queue.enqueue_bulk(token, blocks.begin(), n);
        i += static_cast<int>(n);
      }
    });
    std::thread consumer([&] {
      moodycamel::ConsumerToken token(queue);
      std::array<void*, kMaxBatch> blocks;
      for (int received = 0; received < kMessages;) {
        const size_t n = queue.try_dequeue_bulk(token, blocks.begin(), batch);
        if (n == 0) std::this_thread::yield();
        for (size_t k = 0; k < n; ++k) drop(blocks[k]);
        received += static_cast<int>(n);
      }
    });
    producer.join();
    consumer.join();
  }
  state.SetItemsProcessed(state.iterations() * kMessages);
}

void BM_PayloadCrossThread(benchmark::State& state) {
  const std::string body(static_cast<size_t>(state.range(0)), 'x');
  CrossThread(
      state, [&] { return static_cast<void*>(const_cast<Payload*>(NewPayload(body).Leak())); },
      [](void* block) { static_cast<const Payload*>(block)->Release(); });
}
BENCHMARK(BM_PayloadCrossThread)
    ->Name("Payload/CrossThread")
    ->ArgNames({"bytes", "batch"})
    ->ArgsProduct({{16, 256, 4096}, {1, 10}})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

void BM_MallocCrossThread(benchmark::State& state) {
  const std::string body(static_cast<size_t>(state.range(0)), 'x');
  CrossThread(
      state,
      [&] {
        void* block = ::operator new(sizeof(Payload) + body.size());
        std::memcpy(static_cast<char*>(block) + sizeof(Payload), body.data(), body.size());
        return block;
      },
      [](void* block) { ::operator delete(block); });
}
BENCHMARK(BM_MallocCrossThread)
    ->Name("Malloc/CrossThread")
    ->ArgNames({"bytes", "batch"})
    ->ArgsProduct({{16, 256, 4096}, {1, 10}})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace wharf::base_internal

BENCHMARK_MAIN();
