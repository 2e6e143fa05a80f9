// SNS fan-out cost (issue #6): publishes/s to a standard topic with N SQS
// subscriptions of which M match, deliveries/s, beside the plain SQS
// SendMessage of the same 256-byte body in the same run.
//
// Every subscription has its own standard queue. Filtered-out subscriptions
// carry a filter policy the message does not match; matching subscriptions
// either have no policy (policy:0) or one that matches (policy:1). Queues are
// purged, off the clock, before they hold kPurgeEvery deliveries, so memory
// stays bounded; the broker runs on a ManualClock that jumps past PurgeQueue's
// 60-second limit before each purge.
//
// BM_TargetRatios measures the issue's two targets by interleaving short
// rounds of the three workloads (SQS send; 10 subscriptions all matching;
// 100 subscriptions of which 90 filter the message out) so that the shared,
// loaded machine slows all three alike, timing each round in thread CPU
// time, and reports the per-operation CPU cost and the ratios as counters:
//   fanout10_vs_send      (target <= 5)
//   filtered100_vs_fanout10 (target <= 2)

#include <benchmark/benchmark.h>
#include <time.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "wharf/broker.h"
#include "wharf/clock.h"
#include "wharf/sns.h"
#include "wharf/sqs.h"

namespace wharf {
namespace {

constexpr size_t kBodyBytes = 256;
constexpr int kPurgeEvery = 8192;  // Deliveries held before the queues are purged.

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "sns_bench: %s failed\n", what);
    std::abort();
  }
}

// A broker with one "send" queue for the plain SQS figure and topics built
// on demand.
class Fixture {
 public:
  Fixture() : clock_(std::make_shared<ManualClock>()) {
    auto broker = Broker::Open(BrokerOptions{.clock = clock_});
    Check(broker.ok(), "Broker::Open");
    broker_ = *std::move(broker);
    send_queue_url_ = CreateQueue("send");
    send_.queue_url = send_queue_url_;
    send_.message_body = std::string(kBodyBytes, 'x');
    send_.message_attributes["kind"] = {.data_type = "String", .string_value = "order"};
  }

  // A topic with `subscriptions` SQS subscriptions; the first `matching` get
  // the message; the others filter it out. `policy_on_matching` gives the
  // matching ones a policy that matches instead of none.
  std::string CreateTopic(int subscriptions, int matching, bool policy_on_matching) {
    std::string name = absl::StrCat("t", topics_++);
    auto topic = broker_->sns().CreateTopic({.name = name});
    Check(topic.ok(), "CreateTopic");
    for (int i = 0; i < subscriptions; ++i) {
      std::string queue_name = absl::StrCat(name, "-q", i);
      queue_urls_.push_back(CreateQueue(queue_name));
      sns::SubscribeRequest subscribe{
          .topic_arn = topic->topic_arn,
          .protocol = "sqs",
          .endpoint = absl::StrCat("arn:aws:sqs:us-east-1:000000000000:", queue_name)};
      if (i >= matching) {
        subscribe.attributes["FilterPolicy"] = absl::StrCat(R"({"kind":["refund-)", i, R"("]})");
      } else if (policy_on_matching) {
        subscribe.attributes["FilterPolicy"] = R"({"kind":["order","refund"]})";
      }
      Check(broker_->sns().Subscribe(subscribe).ok(), "Subscribe");
    }
    return topic->topic_arn;
  }

  sns::PublishRequest PublishTo(const std::string& topic_arn) const {
    sns::PublishRequest publish{.topic_arn = topic_arn, .message = send_.message_body};
    publish.message_attributes["kind"] = {.data_type = "String", .string_value = "order"};
    return publish;
  }

  void Send() { Check(broker_->sqs().SendMessage(send_).ok(), "SendMessage"); }
  void Publish(const sns::PublishRequest& request) {
    Check(broker_->sns().Publish(request).ok(), "Publish");
  }

  // Counts `n` deliveries; purges every queue when they add up to kPurgeEvery.
  // Returns true when it purged (the caller pauses its timing around it).
  bool NeedsPurge(int n) {
    held_ += n;
    return held_ >= kPurgeEvery;
  }
  void Purge() {
    clock_->Advance(absl::Seconds(61));
    Check(broker_->sqs().PurgeQueue({.queue_url = send_queue_url_}).ok(), "PurgeQueue");
    for (const std::string& url : queue_urls_) {
      Check(broker_->sqs().PurgeQueue({.queue_url = url}).ok(), "PurgeQueue");
    }
    held_ = 0;
  }

 private:
  std::string CreateQueue(const std::string& name) {
    auto created = broker_->sqs().CreateQueue({.queue_name = name});
    Check(created.ok(), "CreateQueue");
    return created->queue_url;
  }

  std::shared_ptr<ManualClock> clock_;
  std::unique_ptr<Broker> broker_;
  std::string send_queue_url_;
  sqs::SendMessageRequest send_;
  std::vector<std::string> queue_urls_;
  int topics_ = 0;
  int held_ = 0;
};

// The plain SQS figure: SendMessage by queue URL, same body and attribute.
void BM_SqsSendMessage(benchmark::State& state) {
  Fixture f;
  for (auto _ : state) {
    f.Send();
    if (f.NeedsPurge(1)) {
      state.PauseTiming();
      f.Purge();
      state.ResumeTiming();
    }
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(kBodyBytes));
}
BENCHMARK(BM_SqsSendMessage);

// Publish to a topic: args are subscriptions, matching subscriptions, and
// whether the matching ones carry a (matching) filter policy.
void BM_Publish(benchmark::State& state) {
  const int subscriptions = static_cast<int>(state.range(0));
  const int matching = static_cast<int>(state.range(1));
  Fixture f;
  sns::PublishRequest publish =
      f.PublishTo(f.CreateTopic(subscriptions, matching, state.range(2) != 0));
  for (auto _ : state) {
    f.Publish(publish);
    if (f.NeedsPurge(matching)) {
      state.PauseTiming();
      f.Purge();
      state.ResumeTiming();
    }
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["deliveries/s"] = benchmark::Counter(
      static_cast<double>(state.iterations() * matching), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Publish)
    ->ArgNames({"subs", "matching", "policy"})
    // 1, 10 and 100 subscriptions, half filtered out (1: the one matches).
    ->Args({1, 1, 0})
    ->Args({10, 5, 1})
    ->Args({100, 50, 1})
    // The targets' cases.
    ->Args({10, 10, 0})
    ->Args({10, 10, 1})
    ->Args({100, 10, 0})
    ->Args({100, 10, 1});

// CPU time of the calling thread: unlike wall time, it does not count the
// time other processes on the shared machine hold the core.
int64_t ThreadCpuNanos() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

// The two targets, measured in interleaved rounds (see the file comment).
// Matching subscriptions carry no policy, the stricter baseline.
void BM_TargetRatios(benchmark::State& state) {
  constexpr int kRound = 256;
  Fixture f;
  sns::PublishRequest fanout10 = f.PublishTo(f.CreateTopic(10, 10, false));
  sns::PublishRequest filtered100 = f.PublishTo(f.CreateTopic(100, 10, false));
  int64_t send_ns = 0, fanout10_ns = 0, filtered100_ns = 0;
  int64_t rounds = 0;
  for (auto _ : state) {
    int64_t t0 = ThreadCpuNanos();
    for (int i = 0; i < kRound; ++i) f.Send();
    int64_t t1 = ThreadCpuNanos();
    for (int i = 0; i < kRound; ++i) f.Publish(fanout10);
    int64_t t2 = ThreadCpuNanos();
    for (int i = 0; i < kRound; ++i) f.Publish(filtered100);
    int64_t t3 = ThreadCpuNanos();
    send_ns += t1 - t0;
    fanout10_ns += t2 - t1;
    filtered100_ns += t3 - t2;
    ++rounds;
    if (f.NeedsPurge(21 * kRound)) {
      state.PauseTiming();
      f.Purge();
      state.ResumeTiming();
    }
  }
  const double ops = static_cast<double>(rounds * kRound);
  state.counters["send_ns"] = static_cast<double>(send_ns) / ops;
  state.counters["fanout10_ns"] = static_cast<double>(fanout10_ns) / ops;
  state.counters["filtered100_ns"] = static_cast<double>(filtered100_ns) / ops;
  state.counters["fanout10_vs_send"] =
      static_cast<double>(fanout10_ns) / static_cast<double>(send_ns);
  state.counters["filtered100_vs_fanout10"] =
      static_cast<double>(filtered100_ns) / static_cast<double>(fanout10_ns);
}
BENCHMARK(BM_TargetRatios)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace wharf

BENCHMARK_MAIN();
