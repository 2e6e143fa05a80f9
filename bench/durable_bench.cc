// Durable mode against in memory, in the same run.
//
// Lifecycle: the standard-queue lifecycle through an sqs::Queue handle
// (SendMessageBatch, ReceiveMessage, DeleteMessageBatch, batches of 10) from
// 4 concurrent callers (2 senders, 2 receivers), on an in-memory broker (the
// ceiling) and on durable brokers at SyncLevel::kNormal and kFull. Every send
// and delete waits for its commit, so the durable figures are acknowledged,
// durable messages per second.
//
// Recovery: Broker::Open of a data directory holding N queued messages.
//
//   build-release/bench/durable_bench --benchmark_min_time=1
//   (TMPDIR chooses the disk the data directories are on.)

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "benchmark/benchmark.h"
#include "wharf/broker.h"
#include "wharf/sqs.h"

namespace wharf {
namespace {

constexpr int kBatch = 10;
constexpr int kSenders = 2;
constexpr int kReceivers = 2;
constexpr int kMessages = 1 << 15;  // Per iteration.

// A fresh directory, removed with its contents at the end.
class ScratchDir {
 public:
  ScratchDir() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern =
        std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/wharf-bench-XXXXXX";
    if (char* made = ::mkdtemp(pattern.data()); made != nullptr) path_ = made;
  }
  ~ScratchDir() {
    std::error_code ignored;
    if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// mode 0: in memory; 1: durable, kNormal; 2: durable, kFull.
absl::StatusOr<std::unique_ptr<Broker>> OpenBroker(int mode, const std::string& dir) {
  BrokerOptions options;
  if (mode > 0) {
    options.data_dir = dir;
    options.sync_level = mode == 2 ? SyncLevel::kFull : SyncLevel::kNormal;
  }
  return Broker::Open(std::move(options));
}

std::shared_ptr<sqs::Queue> OpenQueue(Broker& broker) {
  sqs::CreateQueueRequest create;
  create.queue_name = "bench";
  auto created = broker.sqs().CreateQueue(create);
  if (!created.ok()) std::abort();
  auto queue = broker.sqs().OpenQueue(created->queue_url);
  if (!queue.ok()) std::abort();
  return std::move(*queue);
}

void SendBatches(sqs::Queue& q, const std::string& body, int messages) {
  sqs::SendMessageBatchRequest send;
  send.entries.resize(kBatch);
  for (int b = 0; b < kBatch; ++b) {
    send.entries[static_cast<size_t>(b)].id = std::to_string(b);
    send.entries[static_cast<size_t>(b)].message_body = body;
  }
  for (int i = 0; i < messages; i += kBatch) {
    if (!q.SendMessageBatch(send).ok()) std::abort();
  }
}

void BM_Lifecycle(benchmark::State& state) {
  const int mode = static_cast<int>(state.range(0));
  const std::string body(256, 'x');
  ScratchDir dir;
  auto broker = OpenBroker(mode, dir.path());
  if (!broker.ok()) {
    state.SkipWithError(std::string(broker.status().message()).c_str());
    return;
  }
  std::shared_ptr<sqs::Queue> queue = OpenQueue(**broker);
  sqs::Queue& q = *queue;
  for (auto _ : state) {
    std::atomic<int> received{0};
    std::vector<std::thread> threads;
    for (int s = 0; s < kSenders; ++s) {
      threads.emplace_back([&] { SendBatches(q, body, kMessages / kSenders); });
    }
    for (int r = 0; r < kReceivers; ++r) {
      threads.emplace_back([&] {
        sqs::ReceiveMessageRequest receive;
        receive.max_number_of_messages = kBatch;
        receive.wait_time_seconds = 0;
        while (received.load(std::memory_order_relaxed) < kMessages) {
          auto got = q.ReceiveMessage(receive);
          if (!got.ok()) std::abort();
          const int n = static_cast<int>(got->messages.size());
          if (n == 0) {
            std::this_thread::yield();
            continue;
          }
          sqs::DeleteMessageBatchRequest del;
          for (int k = 0; k < n; ++k) {
            sqs::DeleteMessageBatchRequestEntry e;
            e.id = std::to_string(k);
            e.receipt_handle = std::move(got->messages[static_cast<size_t>(k)].receipt_handle);
            del.entries.push_back(std::move(e));
          }
          if (!q.DeleteMessageBatch(del).ok()) std::abort();
          received.fetch_add(n, std::memory_order_relaxed);
        }
      });
    }
    for (std::thread& t : threads) t.join();
  }
  state.SetItemsProcessed(state.iterations() * kMessages);
}
BENCHMARK(BM_Lifecycle)
    ->Name("Lifecycle")
    ->ArgName("durable")  // 0: in memory (the ceiling), 1: kNormal, 2: kFull.
    ->Arg(0)
    ->Arg(1)
    ->Arg(2)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// Broker::Open of a directory holding state.range(0) messages (256-byte
// bodies) in one standard queue; the directory is filled once, outside the
// timing, by 4 senders.
void BM_Recovery(benchmark::State& state) {
  const int messages = static_cast<int>(state.range(0));
  const std::string body(256, 'x');
  ScratchDir dir;
  {
    auto broker = OpenBroker(1, dir.path());
    if (!broker.ok()) {
      state.SkipWithError(std::string(broker.status().message()).c_str());
      return;
    }
    std::shared_ptr<sqs::Queue> queue = OpenQueue(**broker);
    std::vector<std::thread> threads;
    for (int s = 0; s < 4; ++s) {
      threads.emplace_back([&] { SendBatches(*queue, body, messages / 4); });
    }
    for (std::thread& t : threads) t.join();
  }
  for (auto _ : state) {
    auto broker = OpenBroker(1, dir.path());
    if (!broker.ok()) std::abort();
    state.PauseTiming();
    broker->reset();  // Destruction is not recovery.
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * messages);
}
BENCHMARK(BM_Recovery)
    ->Name("Recovery")
    ->ArgName("messages")
    ->Arg(100000)
    ->Arg(1000000)
    ->Iterations(2)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace wharf

BENCHMARK_MAIN();
