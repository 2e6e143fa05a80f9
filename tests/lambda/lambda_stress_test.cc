// Event source mappings on the SystemClock and the broker's worker pool:
// many producers, a function that fails random records (reporting them with
// ReportBatchItemFailures and handing them back at once), concurrency 10, a
// dead-letter queue drained by a second mapping. Every message must end
// either processed exactly once or in the dead-letter queue, the function must
// never run more than 10 batches at once, and on FIFO queues a group's
// processed records must keep their send order and never be in two batches
// at once. Also: destroying the broker waits for a running handler that calls
// the broker.
//
// Seeds are fixed (WHARF_STRESS_SEED overrides) and printed on failure.

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/hash/hash.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "broker/base/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/stress_seed.h"
#include "wharf/broker.h"
#include "wharf/lambda.h"

namespace wharf::testing {
namespace {

constexpr char kAccount[] = "123456789012";
constexpr int kProducers = 4;
constexpr int kMessagesPerProducer = 400;
constexpr int kTotal = kProducers * kMessagesPerProducer;
constexpr int kMaxConcurrency = 10;
constexpr int kMaxReceives = 3;
constexpr uint64_t kFailPercent = 30;

std::string QueueArn(const std::string& name) {
  return absl::StrCat("arn:aws:sqs:us-east-1:", kAccount, ":", name);
}

class LambdaStressTest : public ::testing::Test {
 protected:
  LambdaStressTest() {
    BrokerOptions options;
    options.account_id = kAccount;
    options.lambda_worker_threads = kMaxConcurrency + 4;
    broker_ = Broker::Open(options).value();
  }
  ~LambdaStressTest() override {
    broker_.reset();  // Waits for running handlers, which use the members below.
    if (HasFailure()) std::printf("seed %u (WHARF_STRESS_SEED)\n", seed_);
  }

  // Whether the attempt `receive_count` of `body` fails: a fixed function of
  // the seed, so a failure replays.
  bool Fails(const std::string& body, const std::string& receive_count) const {
    return absl::HashOf(seed_, body, receive_count) % 100 < kFailPercent;
  }

  std::string CreateQueue(const std::string& name, sqs::AttributeMap attributes) {
    auto created = broker_->sqs().CreateQueue({.queue_name = name, .attributes = attributes});
    EXPECT_OK(created);
    return created.ok() ? created->queue_url : "";
  }

  // A "work" call starts. The first one waits until a second one runs beside
  // it: while it holds its batch the queue still has a backlog, so a mapping
  // that runs batches concurrently gets there (one that does not hangs here
  // and the test times out).
  void Enter() {
    const int now = active_.fetch_add(1) + 1;
    for (int seen = max_active_.load();
         now > seen && !max_active_.compare_exchange_weak(seen, now);) {
    }
    MutexLock lock(&mu_);
    cv_.SignalAll();
    if (!first_call_) return;
    first_call_ = false;
    while (max_active_.load() < 2) cv_.Wait(&mu_);
  }

  // Counts a processed or dead-lettered message and wakes the test thread.
  enum class End { kProcessed, kDeadLettered };
  void Done(End end, const std::string& body) {
    MutexLock lock(&mu_);
    ++(end == End::kProcessed ? processed_ : dead_)[body];
    ++finished_;
    cv_.SignalAll();
  }
  void AwaitAll() {
    MutexLock lock(&mu_);
    while (finished_ < kTotal) cv_.Wait(&mu_);
  }

  // Hands failed records back at once (so the test does not wait out the
  // visibility timeout) and reports them.
  std::string Fail(const std::string& url, const std::vector<const lambda::SqsRecord*>& failed) {
    std::vector<std::string> ids;
    for (size_t i = 0; i < failed.size(); i += 10) {
      sqs::ChangeMessageVisibilityBatchRequest request;
      request.queue_url = url;
      for (size_t j = i; j < failed.size() && j < i + 10; ++j) {
        request.entries.push_back({absl::StrCat(j), failed[j]->receipt_handle, 0});
      }
      EXPECT_OK(broker_->sqs().ChangeMessageVisibilityBatch(request));
    }
    for (const lambda::SqsRecord* r : failed) ids.push_back(r->message_id);
    return lambda::BatchItemFailuresResponse(ids);
  }

  // Maps `queue` to the function "work" (partial batch responses,
  // concurrency 10) and `dead_letters` to a function that records what
  // reaches it.
  void MapWorkAndDeadLetters(const std::string& queue, const std::string& dead_letters) {
    lambda::Service& lambda = broker_->lambda();
    ASSERT_OK(lambda.CreateFunction(
        {.function_name = "dead",
         .handler = [this](const lambda::Invocation& in) -> absl::StatusOr<std::string> {
           for (const lambda::SqsRecord& r : in.sqs()->records) Done(End::kDeadLettered, r.body);
           return std::string();
         }}));
    ASSERT_OK(lambda.CreateEventSourceMapping(
        {.event_source_arn = QueueArn(queue),
         .function_name = "work",
         .function_response_types = {"ReportBatchItemFailures"},
         .scaling_config = lambda::ScalingConfig{kMaxConcurrency}}));
    ASSERT_OK(lambda.CreateEventSourceMapping(
        {.event_source_arn = QueueArn(dead_letters), .function_name = "dead"}));
  }

  void Produce(const std::function<void(int producer, int i)>& send) {
    std::vector<std::thread> producers;
    for (int p = 0; p < kProducers; ++p) {
      producers.emplace_back([&, p] {
        for (int i = 0; i < kMessagesPerProducer; ++i) send(p, i);
      });
    }
    for (std::thread& t : producers) t.join();
  }

  const uint32_t seed_ = StressSeed(20260101);
  std::atomic<int> active_{0};
  std::atomic<int> max_active_{0};

  Mutex mu_;
  CondVar cv_;
  int finished_ ABSL_GUARDED_BY(mu_) = 0;
  bool first_call_ ABSL_GUARDED_BY(mu_) = true;
  std::map<std::string, int> processed_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, int> dead_ ABSL_GUARDED_BY(mu_);
  std::unique_ptr<Broker> broker_;  // Last: destroyed first.
};

TEST_F(LambdaStressTest, StandardQueueProcessesEachMessageOnceOrDeadLettersIt) {
  CreateQueue("dead", {});
  const std::string url = CreateQueue(
      "work", {{"VisibilityTimeout", "60"},
               {"RedrivePolicy", absl::StrCat(R"({"deadLetterTargetArn":")", QueueArn("dead"),
                                              R"(","maxReceiveCount":")", kMaxReceives, "\"}")}});
  lambda::Service& lambda = broker_->lambda();
  ASSERT_OK(lambda.CreateFunction(
      {.function_name = "work",
       .handler = [&](const lambda::Invocation& in) -> absl::StatusOr<std::string> {
         Enter();
         std::vector<const lambda::SqsRecord*> failed;
         for (const lambda::SqsRecord& r : in.sqs()->records) {
           if (Fails(r.body, r.attributes.approximate_receive_count)) {
             failed.push_back(&r);
           } else {
             Done(End::kProcessed, r.body);
           }
         }
         std::string response = Fail(url, failed);
         active_.fetch_sub(1);
         return response;
       },
       .timeout = 60}));
  MapWorkAndDeadLetters("work", "dead");

  Produce([&](int p, int i) {
    ASSERT_OK(broker_->sqs().SendMessage(
        {.queue_url = url, .message_body = absl::StrCat("m-", p, "-", i)}));
  });
  AwaitAll();
  broker_.reset();  // No handler runs after this (they use this test's locals).

  MutexLock lock(&mu_);
  int dead = 0;
  for (int p = 0; p < kProducers; ++p) {
    for (int i = 0; i < kMessagesPerProducer; ++i) {
      const std::string body = absl::StrCat("m-", p, "-", i);
      bool all_attempts_fail = true;
      for (int attempt = 1; attempt <= kMaxReceives; ++attempt) {
        all_attempts_fail = all_attempts_fail && Fails(body, absl::StrCat(attempt));
      }
      if (all_attempts_fail) {
        ++dead;
        EXPECT_EQ(dead_[body], 1) << body;
        EXPECT_EQ(processed_.count(body), 0u) << body;
      } else {
        EXPECT_EQ(processed_[body], 1) << body;
        EXPECT_EQ(dead_.count(body), 0u) << body;
      }
    }
  }
  EXPECT_GT(dead, 0);  // The seed exercises the dead-letter path.
  EXPECT_LE(max_active_.load(), kMaxConcurrency);
}

TEST_F(LambdaStressTest, FifoQueueKeepsEachGroupInOrderUnderFailures) {
  constexpr int kGroupsPerProducer = 5;
  CreateQueue("dead.fifo", {{"FifoQueue", "true"}, {"ContentBasedDeduplication", "true"}});
  const std::string url = CreateQueue(
      "work.fifo",
      {{"FifoQueue", "true"},
       {"ContentBasedDeduplication", "true"},
       {"VisibilityTimeout", "60"},
       {"RedrivePolicy", absl::StrCat(R"({"deadLetterTargetArn":")", QueueArn("dead.fifo"),
                                      R"(","maxReceiveCount":")", kMaxReceives, "\"}")}});
  std::set<std::string> active_groups;            // Guarded by mu_.
  std::map<std::string, std::vector<int>> order;  // Guarded by mu_: processed seqs per group.
  lambda::Service& lambda = broker_->lambda();
  ASSERT_OK(lambda.CreateFunction(
      {.function_name = "work",
       .handler = [&](const lambda::Invocation& in) -> absl::StatusOr<std::string> {
         Enter();
         const std::vector<lambda::SqsRecord>& records = in.sqs()->records;
         std::set<std::string> groups;
         for (const lambda::SqsRecord& r : records) groups.insert(r.attributes.message_group_id);
         {
           MutexLock lock(&mu_);
           for (const std::string& g : groups) {
             EXPECT_TRUE(active_groups.insert(g).second) << "group " << g << " in two batches";
           }
         }
         // As AWS asks of FIFO functions: stop a group at its first failure.
         std::set<std::string> stopped;
         std::vector<const lambda::SqsRecord*> failed;
         for (const lambda::SqsRecord& r : records) {
           const std::string& g = r.attributes.message_group_id;
           if (stopped.contains(g) || Fails(r.body, r.attributes.approximate_receive_count)) {
             stopped.insert(g);
             failed.push_back(&r);
             continue;
           }
           {
             MutexLock lock(&mu_);
             order[g].push_back(std::stoi(r.body.substr(r.body.rfind('|') + 1)));
           }
           Done(End::kProcessed, r.body);
         }
         {
           // Done with the groups: Fail makes their failed records visible
           // again, and another batch may take them at once.
           MutexLock lock(&mu_);
           for (const std::string& g : groups) active_groups.erase(g);
         }
         std::string response = Fail(url, failed);
         active_.fetch_sub(1);
         return response;
       },
       .timeout = 60}));
  MapWorkAndDeadLetters("work.fifo", "dead.fifo");

  Produce([&](int p, int i) {
    const std::string group = absl::StrCat("g", p, "-", i % kGroupsPerProducer);
    ASSERT_OK(broker_->sqs().SendMessage({.queue_url = url,
                                          .message_body = absl::StrCat(group, "|", i),
                                          .message_group_id = group}));
  });
  AwaitAll();
  broker_.reset();  // No handler runs after this (they use this test's locals).

  MutexLock lock(&mu_);
  size_t accounted = 0;
  for (const auto& [body, count] : processed_) {
    EXPECT_EQ(count, 1) << body;
    EXPECT_EQ(dead_.count(body), 0u) << body;
    ++accounted;
  }
  for (const auto& [body, count] : dead_) {
    EXPECT_EQ(count, 1) << body;
    ++accounted;
  }
  EXPECT_EQ(accounted, static_cast<size_t>(kTotal));
  for (const auto& [group, seqs] : order) {
    EXPECT_TRUE(std::is_sorted(seqs.begin(), seqs.end())) << "group " << group;
    EXPECT_EQ(std::adjacent_find(seqs.begin(), seqs.end()), seqs.end()) << "group " << group;
  }
  EXPECT_GT(dead_.size(), 0u);
  EXPECT_LE(max_active_.load(), kMaxConcurrency);
}

TEST(LambdaShutdownTest, DestroyingTheBrokerWaitsForARunningHandlerThatCallsTheBroker) {
  BrokerOptions options;
  options.account_id = kAccount;
  options.lambda_worker_threads = 2;
  std::unique_ptr<Broker> broker = Broker::Open(options).value();
  sqs::Service* sqs = &broker->sqs();
  auto in = sqs->CreateQueue({.queue_name = "in"});
  auto out = sqs->CreateQueue({.queue_name = "out"});
  ASSERT_OK(in);
  ASSERT_OK(out);
  Notification entered;
  Notification release;
  std::atomic<bool> finished{false};
  absl::Status sent;
  ASSERT_OK(broker->lambda().CreateFunction(
      {.function_name = "f",
       .handler = [&](const lambda::Invocation&) -> absl::StatusOr<std::string> {
         entered.Notify();
         release.WaitForNotification();
         sent = sqs->SendMessage({.queue_url = out->queue_url, .message_body = "done"}).status();
         finished = true;
         return std::string();
       }}));
  ASSERT_OK(broker->lambda().CreateEventSourceMapping(
      {.event_source_arn = QueueArn("in"), .function_name = "f"}));
  ASSERT_OK(sqs->SendMessage({.queue_url = in->queue_url, .message_body = "go"}));
  entered.WaitForNotification();
  std::thread destroyer([&] { broker.reset(); });
  release.Notify();
  destroyer.join();
  EXPECT_TRUE(finished.load());
  EXPECT_OK(sent);
}

TEST(LambdaShutdownTest, AsyncInvocationsRunOnTheWorkerPool) {
  BrokerOptions options;
  options.account_id = kAccount;
  std::unique_ptr<Broker> broker = Broker::Open(options).value();
  Notification ran;
  std::thread::id handler_thread;
  ASSERT_OK(broker->lambda().CreateFunction(
      {.function_name = "f",
       .handler = [&](const lambda::Invocation&) -> absl::StatusOr<std::string> {
         handler_thread = std::this_thread::get_id();
         ran.Notify();
         return std::string();
       }}));
  ASSERT_OK(broker->lambda().Invoke(
      {.function_name = "f", .invocation_type = lambda::InvocationType::kEvent}));
  ran.WaitForNotification();
  EXPECT_NE(handler_thread, std::this_thread::get_id());
}

}  // namespace
}  // namespace wharf::testing
