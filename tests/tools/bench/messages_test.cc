// Message bodies and stamps: what producers send and consumers read back,
// directly or wrapped in an SNS envelope or an EventBridge event.

#include "broker/tools/bench/messages.h"

#include <rapidjson/document.h>

#include <map>
#include <set>
#include <string>

#include "absl/strings/str_replace.h"
#include "gtest/gtest.h"

namespace wharf::bench {
namespace {

LoadSpec QueueLoad(std::string destination = "q") {
  LoadSpec load;
  load.destination = std::move(destination);
  load.batch = 10;
  return load;
}

TEST(StampTest, RoundTrips) {
  Stamp s{.intended = 1234567890123, .producer = 7, .seq = 99, .group = 12};
  std::string text;
  AppendStamp(s, &text);
  EXPECT_EQ(text, "wb1.1234567890123.7.99.12");
  EXPECT_EQ(FindStamp(text), s);
}

TEST(StampTest, IsFoundInsideAnSnsEnvelopeAndAnEventBridgeEvent) {
  Stamp s{.intended = 5, .producer = 1, .seq = 2, .group = 0};
  std::string body = "{\"wharf_bench\":\"";
  AppendStamp(s, &body);
  body += "\",\"pad\":\"xx\"}";
  // SNS without raw delivery: the body is a JSON string inside the envelope.
  std::string escaped = absl::StrReplaceAll(body, {{"\"", "\\\""}});
  std::string envelope = R"({"Type":"Notification","MessageId":"m-1","Message":")" + escaped +
                         R"(","Timestamp":"2026-01-01T00:00:00.000Z"})";
  EXPECT_EQ(FindStamp(envelope), s);
  // EventBridge: the body is the event's detail.
  std::string event =
      R"({"version":"0","id":"e","detail-type":"T","source":"s","detail":)" + body + "}";
  EXPECT_EQ(FindStamp(event), s);
}

TEST(StampTest, TextWithoutAWholeStampHasNone) {
  EXPECT_EQ(FindStamp(""), std::nullopt);
  EXPECT_EQ(FindStamp("hello"), std::nullopt);
  EXPECT_EQ(FindStamp("wb1.12.3"), std::nullopt);
  EXPECT_EQ(FindStamp("wb1.12.3.4."), std::nullopt);
  EXPECT_EQ(FindStamp("wb1.99999999999999999999.1.2.3"), std::nullopt);  // Overflows.
  // A broken stamp before a good one does not hide it.
  EXPECT_EQ(FindStamp("wb1.x wb1.1.2.3.4"),
            (Stamp{.intended = 1, .producer = 2, .seq = 3, .group = 4}));
}

TEST(MessageFactoryTest, BodiesAreJsonObjectsOfTheDrawnSize) {
  LoadSpec load = QueueLoad();
  load.size =
      Distribution{.kind = Distribution::Kind::kUniform, .a = 200, .b = 3000, .weighted = {}};
  MessageFactory factory(load, 3, 0, 1, 1);
  std::vector<OutMessage> batch;
  int64_t total = 0;
  for (int round = 0; round < 100; ++round) {
    factory.Make(1000 + round, 10, &batch);
    ASSERT_EQ(batch.size(), 10u);
    for (const OutMessage& m : batch) {
      rapidjson::Document doc;
      ASSERT_FALSE(doc.Parse(m.body.c_str()).HasParseError()) << m.body;
      ASSERT_TRUE(doc.IsObject());
      ASSERT_GE(m.body.size(), 200u);
      ASSERT_LE(m.body.size(), 3000u);
      std::optional<Stamp> stamp = FindStamp(m.body);
      ASSERT_TRUE(stamp.has_value());
      EXPECT_EQ(stamp->intended, 1000 + round);
      EXPECT_EQ(stamp->producer, 3);
      EXPECT_TRUE(m.group_id.empty());
      EXPECT_TRUE(m.dedup_id.empty());
      total += static_cast<int64_t>(m.body.size());
    }
  }
  EXPECT_NEAR(total / 1000.0, 1600, 100);
  EXPECT_EQ(factory.next_seq(), 1000);
}

TEST(MessageFactoryTest, ABodyIsNeverShorterThanItsStampAndAttributes) {
  LoadSpec load = QueueLoad();
  load.size = Distribution::Fixed(0);
  MessageFactory factory(load, 0, 0, 1, 1);
  std::vector<OutMessage> batch;
  factory.Make(1, 1, &batch);
  EXPECT_EQ(batch[0].body, R"({"wharf_bench":"wb1.1.0.0.0","pad":""})");
}

TEST(MessageFactoryTest, FifoProducersOwnDisjointGroupsAndUniqueDeduplicationIds) {
  LoadSpec load = QueueLoad("orders.fifo");
  load.groups = 10;
  std::map<int, int> owner;
  std::set<std::string> dedup;
  for (int p = 0; p < 3; ++p) {
    MessageFactory factory(load, p, p, 3, 1);
    std::vector<OutMessage> batch;
    for (int round = 0; round < 10; ++round) {
      factory.Make(0, 10, &batch);
      for (const OutMessage& m : batch) {
        std::optional<Stamp> stamp = FindStamp(m.body);
        ASSERT_TRUE(stamp.has_value());
        EXPECT_EQ(m.group_id, absl::StrCat("g", stamp->group));
        EXPECT_EQ(stamp->group % 3, p);
        auto [it, fresh] = owner.emplace(stamp->group, p);
        EXPECT_EQ(it->second, p) << "group " << stamp->group << " has two producers";
        EXPECT_TRUE(dedup.insert(m.dedup_id).second) << m.dedup_id;
      }
    }
  }
  EXPECT_EQ(owner.size(), 10u) << "every group is used";
}

TEST(MessageFactoryTest, AttributesFollowTheirWeightsRangesAndPresence) {
  LoadSpec load = QueueLoad();
  AttributeSpec kind;
  kind.name = "kind";
  kind.values = {{"placed", 0.6}, {"shipped", 0.9}, {"cancelled", 1}};
  AttributeSpec shard;
  shard.name = "shard";
  shard.format = "s{n}!";
  shard.range = 4;
  shard.present = 0.5;
  AttributeSpec amount;
  amount.name = "amount";
  amount.number = true;
  amount.range = 1000;
  load.attributes = {kind, shard, amount};
  MessageFactory factory(load, 0, 0, 1, 9);
  std::map<std::string, int> kinds;
  std::map<std::string, int> shards;
  int with_shard = 0;
  std::vector<OutMessage> batch;
  constexpr int kMessages = 20000;
  for (int i = 0; i < kMessages / 10; ++i) {
    factory.Make(0, 10, &batch);
    for (const OutMessage& m : batch) {
      rapidjson::Document doc;
      ASSERT_FALSE(doc.Parse(m.body.c_str()).HasParseError()) << m.body;
      for (const MessageAttribute& a : m.attributes) {
        if (a.name == "kind") {
          ++kinds[a.value];
          EXPECT_EQ(doc["kind"].GetString(), a.value);
          EXPECT_FALSE(a.number);
        } else if (a.name == "shard") {
          ++shards[a.value];
          ++with_shard;
          EXPECT_EQ(doc["shard"].GetString(), a.value);
        } else {
          EXPECT_EQ(a.name, "amount");
          EXPECT_TRUE(a.number);
          ASSERT_TRUE(doc["amount"].IsInt());
          EXPECT_EQ(absl::StrCat(doc["amount"].GetInt()), a.value);
          EXPECT_LT(doc["amount"].GetInt(), 1000);
        }
      }
    }
  }
  EXPECT_NEAR(kinds["placed"] / double{kMessages}, 0.6, 0.02);
  EXPECT_NEAR(kinds["shipped"] / double{kMessages}, 0.3, 0.02);
  EXPECT_NEAR(kinds["cancelled"] / double{kMessages}, 0.1, 0.02);
  EXPECT_NEAR(with_shard / double{kMessages}, 0.5, 0.02);
  EXPECT_EQ(shards.size(), 4u);
  EXPECT_TRUE(shards.count("s3!"));
}

}  // namespace
}  // namespace wharf::bench
