// Stress test of SNS fan-out through wharf::Broker (broker/topic/,
// broker/service/sns_service.h) into real SQS queues, with consumers draining
// the queues while publishers run.
//
// Standard topic: several publishers publish JSON messages, each with a
// `kind` attribute and body field, to a topic with four SQS subscriptions
// (enveloped; raw; attribute filter kind=a; body filter kind=b). A churn
// thread meanwhile flips a fifth subscription's filter policy, so publishes
// race with routing snapshots being replaced. Every queue must end up with
// exactly the messages its subscription selects, each once.
//
// FIFO topic: publishers share a few message groups and publish into them
// concurrently, re-publishing some messages with the same deduplication id.
// Two FIFO queues (enveloped and raw) must each receive every message exactly
// once, in the same per-group order, with each publisher's messages in its
// own publish order and sequence numbers increasing within a group.
//
// Seeds are fixed (WHARF_STRESS_SEED overrides) and printed on failure.

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "broker/base/mutex.h"
#include "gtest/gtest.h"
#include "rapidjson/document.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/stress_seed.h"
#include "wharf/broker.h"

namespace wharf {
namespace {

constexpr int kPublishers = 4;
constexpr int kStandardPerPublisher = 400;
constexpr int kFifoPerPublisher = 250;
constexpr int kGroups = 3;
constexpr int kConsumers = 2;

std::string QueueArn(const std::string& name) {
  return "arn:aws:sqs:us-east-1:000000000000:" + name;
}

// One received message, reduced to what the checks need.
struct Received {
  std::string text;             // The published message text.
  std::string sequence_number;  // Enveloped FIFO deliveries only.
};

class SnsStressTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(broker_, Broker::Open({.clock = clock_}));
    std::printf("seed %u (WHARF_STRESS_SEED)\n", seed_);
  }

  std::string CreateQueue(const std::string& name, bool fifo) {
    sqs::AttributeMap attributes;
    if (fifo) attributes["FifoQueue"] = "true";
    auto created = broker_->sqs().CreateQueue({.queue_name = name, .attributes = attributes});
    EXPECT_OK(created);
    return created.ok() ? created->queue_url : "";
  }

  std::string Subscribe(const std::string& topic_arn, const std::string& queue_name,
                        sns::AttributeMap attributes) {
    auto sub = broker_->sns().Subscribe({.topic_arn = topic_arn,
                                         .protocol = "sqs",
                                         .endpoint = QueueArn(queue_name),
                                         .attributes = std::move(attributes)});
    EXPECT_OK(sub);
    return sub.ok() ? sub->subscription_arn : "";
  }

  // Receives and deletes one batch from `url`; appends what it got to `out`
  // (under out_mu) before deleting, so that on a FIFO queue the recorded
  // order is the delivery order. Returns how many it received.
  int ReceiveBatch(const std::string& url, bool raw, Mutex* out_mu, std::vector<Received>* out) {
    auto got = broker_->sqs().ReceiveMessage(
        {.queue_url = url, .max_number_of_messages = 10, .wait_time_seconds = 0});
    EXPECT_OK(got);
    if (!got.ok() || got->messages.empty()) return 0;
    std::vector<Received> batch;
    for (const sqs::Message& m : got->messages) {
      if (raw) {
        batch.push_back({m.body, ""});
        continue;
      }
      rapidjson::Document doc;
      doc.Parse(m.body.c_str());
      EXPECT_FALSE(doc.HasParseError()) << m.body;
      if (doc.HasParseError()) continue;
      Received r{doc["Message"].GetString(), ""};
      if (doc.HasMember("SequenceNumber")) r.sequence_number = doc["SequenceNumber"].GetString();
      batch.push_back(std::move(r));
    }
    {
      MutexLock lock(out_mu);
      for (auto& r : batch) out->push_back(std::move(r));
    }
    for (const sqs::Message& m : got->messages) {
      EXPECT_OK(
          broker_->sqs().DeleteMessage({.queue_url = url, .receipt_handle = m.receipt_handle}));
    }
    return static_cast<int>(got->messages.size());
  }

  const uint32_t seed_ = wharf::testing::StressSeed(20261123);
  std::shared_ptr<ManualClock> clock_ = std::make_shared<ManualClock>();
  std::unique_ptr<Broker> broker_;
};

// A consumed queue: its URL, delivery mode and what was received from it.
struct Sink {
  std::string url;
  bool raw = false;
  Mutex mu;
  std::vector<Received> received ABSL_GUARDED_BY(mu);
};

TEST_F(SnsStressTest, StandardFanOutDeliversEachMessageOnceToEveryMatchingQueue) {
  ASSERT_OK_AND_ASSIGN(auto topic, broker_->sns().CreateTopic({.name = "stress"}));
  const std::string& topic_arn = topic.topic_arn;
  // all: enveloped, no filter; raw: raw; a: kind=a attribute; b: kind=b body.
  std::vector<std::string> names = {"all", "raw", "a", "b", "churn"};
  std::map<std::string, Sink> sinks;
  for (const std::string& name : names) {
    sinks[name].url = CreateQueue(name, false);
  }
  sinks["raw"].raw = true;
  Subscribe(topic_arn, "all", {});
  Subscribe(topic_arn, "raw", {{"RawMessageDelivery", "true"}});
  Subscribe(topic_arn, "a", {{"FilterPolicy", R"({"kind":["a"]})"}});
  Subscribe(topic_arn, "b",
            {{"FilterPolicy", R"({"kind":["b"]})"}, {"FilterPolicyScope", "MessageBody"}});
  std::string churn_arn = Subscribe(topic_arn, "churn", {});

  std::atomic<int> publishers_left{kPublishers};
  std::atomic<bool> churn_stop{false};
  std::vector<std::thread> threads;
  for (int p = 0; p < kPublishers; ++p) {
    threads.emplace_back([&, p] {
      std::mt19937 rng(seed_ + static_cast<uint32_t>(p));
      for (int i = 0; i < kStandardPerPublisher; ++i) {
        std::string kind = rng() % 2 == 0 ? "a" : "b";
        sns::PublishRequest publish{
            .topic_arn = topic_arn,
            .message = absl::StrCat(R"({"p":)", p, R"(,"i":)", i, R"(,"kind":")", kind, R"("})")};
        publish.message_attributes["kind"] = {.data_type = "String", .string_value = kind};
        EXPECT_OK(broker_->sns().Publish(publish));
      }
      publishers_left.fetch_sub(1);
    });
  }
  threads.emplace_back([&] {
    const std::string policies[] = {R"({"kind":["a"]})", R"({"kind":["b"]})", ""};
    for (int i = 0; !churn_stop.load(); ++i) {
      EXPECT_OK(broker_->sns().SetSubscriptionAttributes({.subscription_arn = churn_arn,
                                                          .attribute_name = "FilterPolicy",
                                                          .attribute_value = policies[i % 3]}));
    }
  });
  std::vector<std::thread> consumers;
  for (int c = 0; c < kConsumers; ++c) {
    consumers.emplace_back([&] {
      for (;;) {
        // Read before draining: once no publisher is left, one more full
        // pass that finds nothing means every queue is empty for good.
        const bool publishing = publishers_left.load() > 0;
        int got = 0;
        for (auto& [name, sink] : sinks) {
          got += ReceiveBatch(sink.url, sink.raw, &sink.mu, &sink.received);
        }
        if (!publishing && got == 0) return;
      }
    });
  }
  for (auto& t : consumers) t.join();
  churn_stop.store(true);
  for (auto& t : threads) t.join();

  // Expected texts per queue.
  std::map<std::string, std::multiset<std::string>> expected;
  for (int p = 0; p < kPublishers; ++p) {
    std::mt19937 rng(seed_ + static_cast<uint32_t>(p));
    for (int i = 0; i < kStandardPerPublisher; ++i) {
      std::string kind = rng() % 2 == 0 ? "a" : "b";
      std::string text = absl::StrCat(R"({"p":)", p, R"(,"i":)", i, R"(,"kind":")", kind, R"("})");
      expected["all"].insert(text);
      expected["raw"].insert(text);
      expected[kind].insert(text);
    }
  }
  for (const char* name : {"all", "raw", "a", "b"}) {
    Sink& sink = sinks[name];
    MutexLock lock(&sink.mu);
    std::multiset<std::string> got;
    for (const Received& r : sink.received) got.insert(r.text);
    EXPECT_EQ(got.size(), expected[name].size()) << name << " seed " << seed_;
    EXPECT_TRUE(got == expected[name]) << name << " seed " << seed_;
  }
  // Whatever the churning subscription matched, it got each message at most once.
  Sink& churn = sinks["churn"];
  MutexLock lock(&churn.mu);
  std::set<std::string> unique;
  for (const Received& r : churn.received) {
    EXPECT_TRUE(unique.insert(r.text).second) << "duplicate " << r.text << " seed " << seed_;
  }
}

TEST_F(SnsStressTest, FifoTopicKeepsGroupOrderAndDeduplicatesUnderConcurrentPublishers) {
  ASSERT_OK_AND_ASSIGN(
      auto topic,
      broker_->sns().CreateTopic({.name = "stress.fifo", .attributes = {{"FifoTopic", "true"}}}));
  const std::string& topic_arn = topic.topic_arn;
  Sink sinks[2];
  sinks[0].url = CreateQueue("env.fifo", true);
  sinks[1].url = CreateQueue("raw.fifo", true);
  sinks[1].raw = true;
  Subscribe(topic_arn, "env.fifo", {});
  Subscribe(topic_arn, "raw.fifo", {{"RawMessageDelivery", "true"}});

  std::atomic<int> publishers_left{kPublishers};
  std::vector<std::thread> threads;
  for (int p = 0; p < kPublishers; ++p) {
    threads.emplace_back([&, p] {
      std::mt19937 rng(seed_ + 100 + static_cast<uint32_t>(p));
      for (int i = 0; i < kFifoPerPublisher; ++i) {
        // Message i of publisher p goes to group i % kGroups, so each
        // publisher's messages of one group are in increasing i.
        sns::PublishRequest publish{.topic_arn = topic_arn,
                                    .message = absl::StrCat(p, ":", i),
                                    .message_deduplication_id = absl::StrCat("d", p, "-", i),
                                    .message_group_id = absl::StrCat("g", i % kGroups)};
        EXPECT_OK(broker_->sns().Publish(publish));
        if (rng() % 8 == 0) {
          EXPECT_OK(broker_->sns().Publish(publish));  // A duplicate: not delivered again.
        }
      }
      publishers_left.fetch_sub(1);
    });
  }
  for (int c = 0; c < kConsumers; ++c) {
    threads.emplace_back([&] {
      for (;;) {
        const bool publishing = publishers_left.load() > 0;
        int got = 0;
        for (Sink& sink : sinks) got += ReceiveBatch(sink.url, sink.raw, &sink.mu, &sink.received);
        if (!publishing && got == 0) return;
      }
    });
  }
  for (auto& t : threads) t.join();

  // Per queue: group -> texts in delivery order.
  std::vector<std::map<int, std::vector<std::string>>> orders(2);
  for (int s = 0; s < 2; ++s) {
    MutexLock lock(&sinks[s].mu);
    EXPECT_EQ(sinks[s].received.size(), static_cast<size_t>(kPublishers * kFifoPerPublisher))
        << "queue " << s << " seed " << seed_;
    std::set<std::string> unique;
    std::map<int, std::string> last_sequence;   // Enveloped: per group.
    std::map<std::pair<int, int>, int> last_i;  // (group, publisher) -> last i.
    for (const Received& r : sinks[s].received) {
      EXPECT_TRUE(unique.insert(r.text).second) << "duplicate " << r.text << " seed " << seed_;
      int p = 0, i = 0;
      ASSERT_EQ(std::sscanf(r.text.c_str(), "%d:%d", &p, &i), 2) << r.text;
      const int group = i % kGroups;
      orders[s][group].push_back(r.text);
      auto [it, first] = last_i.try_emplace({group, p}, i);
      if (!first) {
        EXPECT_LT(it->second, i) << "publisher order broken in group " << group << " seed "
                                 << seed_;
        it->second = i;
      }
      if (!r.sequence_number.empty()) {
        std::string& last = last_sequence[group];
        // Sequence numbers are fixed-width decimal strings.
        EXPECT_TRUE(last.empty() ||
                    (last.size() == r.sequence_number.size() && last < r.sequence_number))
            << last << " then " << r.sequence_number << " seed " << seed_;
        last = r.sequence_number;
      }
    }
  }
  // Both subscriber queues saw every group in the same order.
  EXPECT_TRUE(orders[0] == orders[1]) << "seed " << seed_;
}

}  // namespace
}  // namespace wharf
