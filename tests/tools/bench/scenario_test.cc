// Scenario files: every field is read, every error names the file, line and
// field, and every built-in scenario parses.

#include "broker/tools/bench/scenario.h"

#include <string>

#include "broker/tools/bench/builtin_scenarios.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace wharf::bench {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

constexpr char kEveryField[] = R"(# every field once
name: everything
description: A scenario with every field.
duration: 1.5
warmup: 250ms
drain: 2s
seed: 42
target: http://127.0.0.1:4566/
limits:
  max_rules_per_event_bus: 400
queues:
  - name: work
    attributes: {VisibilityTimeout: 5, DelaySeconds: 0}
    dead_letter: {queue: dlq, max_receive_count: 4}
  - name: dlq
  - name: fan-{i}
    count: 3
  - name: orders.fifo
topics:
  - name: news
    attributes: {DisplayName: News}
    subscriptions:
      - queue: fan-{i}
        count: 3
        filter: {shard: ["s{i}"], size: [{numeric: [">", 10]}], flag: [true]}
        filter_scope: MessageAttributes
        raw: false
  - name: orders.fifo
    subscriptions:
      - queue: orders.fifo
        filter: '{"kind":["a"]}'
        filter_scope: MessageBody
buses:
  - name: default
  - name: events
    rules:
      - name: r-{i}
        count: 2
        pattern: {source: [app], detail: {n: ["{i}"]}}
        targets: [work, orders.fifo]
        message_group_id: g{i}
load:
  - queue: work
    producers: 3
    rate: 1500
    batch: 10
    size: {uniform: [1KiB, 2KiB]}
    attributes:
      - name: kind
        values: {a: 3, b: 1}
      - name: shard
        format: s{n}
        range: 6
        present: 0.5
      - name: amount
        type: Number
        range: 100
  - topic: orders.fifo
    rate: unlimited
    groups: 8
    size: {weighted: {100: 1, 1000: 3}}
  - bus: events
    rate: 100
    source: app
    detail_type: Thing
    size: {exponential: 500, max: 4000}
  - queue: dlq
    rate: 1
    size: {normal: [300, 50]}
consumers:
  - queue: work
    type: receive
    count: 2
    batch: 5
    wait: 3
    visibility_timeout: 9
    processing: {exponential: 2ms}
    failure: 0.25
    poison: 0.01
    retry_delay: 4s
  - queue: fan-*
    processing: 1ms
  - queue: [orders.fifo, dlq]
    processing: {fixed: 10us}
  - queue: work
    type: mapping
    batch: 500
    window: 2
    concurrency: 20
    processing: 1ms
    failure: 0.1
    poison: 0.02
)";

TEST(ScenarioTest, ReadsEveryField) {
  absl::StatusOr<Scenario> parsed = ParseScenario(kEveryField, "every.yaml");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  const Scenario& s = *parsed;
  EXPECT_EQ(s.name, "everything");
  EXPECT_EQ(s.description, "A scenario with every field.");
  EXPECT_EQ(s.file, "every.yaml");
  EXPECT_EQ(s.duration, absl::Milliseconds(1500));
  EXPECT_EQ(s.warmup, absl::Milliseconds(250));
  EXPECT_EQ(s.drain, absl::Seconds(2));
  EXPECT_EQ(s.seed, 42u);
  ASSERT_TRUE(s.target.has_value());
  EXPECT_EQ(s.target->kind, TargetSpec::Kind::kUrl);
  EXPECT_EQ(s.target->url, "http://127.0.0.1:4566");
  EXPECT_EQ(s.limits.max_rules_per_event_bus, 400);

  // Queues: the dead-letter queue first, "{i}" expanded.
  ASSERT_EQ(s.queues.size(), 6u);
  EXPECT_EQ(s.queues[0].name, "dlq");
  EXPECT_EQ(s.queues[1].name, "work");
  EXPECT_EQ(s.queues[1].line, 12);
  EXPECT_THAT(s.queues[1].attributes,
              ElementsAre(Pair("DelaySeconds", "0"), Pair("VisibilityTimeout", "5")));
  ASSERT_TRUE(s.queues[1].dead_letter.has_value());
  EXPECT_EQ(s.queues[1].dead_letter->queue, "dlq");
  EXPECT_EQ(s.queues[1].dead_letter->max_receive_count, 4);
  EXPECT_EQ(s.queues[2].name, "fan-0");
  EXPECT_EQ(s.queues[4].name, "fan-2");
  EXPECT_TRUE(s.queues[5].fifo);
  EXPECT_FALSE(s.queues[1].fifo);
  EXPECT_EQ(s.DeadLetterQueues(), std::vector<int>{0});

  ASSERT_EQ(s.topics.size(), 2u);
  EXPECT_EQ(s.topics[0].attributes.at("DisplayName"), "News");
  ASSERT_EQ(s.topics[0].subscriptions.size(), 3u);
  EXPECT_EQ(s.topics[0].subscriptions[2].queue, "fan-2");
  EXPECT_EQ(s.topics[0].subscriptions[2].filter_policy,
            R"({"shard":["s2"],"size":[{"numeric":[">",10]}],"flag":[true]})");
  EXPECT_EQ(s.topics[0].subscriptions[2].filter_scope, "MessageAttributes");
  EXPECT_FALSE(s.topics[0].subscriptions[2].raw);
  EXPECT_TRUE(s.topics[1].fifo);
  EXPECT_EQ(s.topics[1].attributes.at("FifoTopic"), "true");
  EXPECT_EQ(s.topics[1].subscriptions[0].filter_policy, R"({"kind":["a"]})");
  EXPECT_EQ(s.topics[1].subscriptions[0].filter_scope, "MessageBody");
  EXPECT_TRUE(s.topics[1].subscriptions[0].raw);

  ASSERT_EQ(s.buses.size(), 2u);
  EXPECT_EQ(s.buses[0].name, "default");
  EXPECT_TRUE(s.buses[0].rules.empty());
  ASSERT_EQ(s.buses[1].rules.size(), 2u);
  EXPECT_EQ(s.buses[1].rules[1].name, "r-1");
  EXPECT_EQ(s.buses[1].rules[1].pattern, R"({"source":["app"],"detail":{"n":["1"]}})");
  EXPECT_THAT(s.buses[1].rules[1].target_queues, ElementsAre("work", "orders.fifo"));
  EXPECT_EQ(s.buses[1].rules[1].message_group_id, "g1");

  ASSERT_EQ(s.loads.size(), 4u);
  const LoadSpec& work = s.loads[0];
  EXPECT_EQ(work.kind, DestinationKind::kQueue);
  EXPECT_EQ(work.destination, "work");
  EXPECT_EQ(work.producers, 3);
  EXPECT_EQ(work.rate, 1500);
  EXPECT_EQ(work.batch, 10);
  EXPECT_EQ(work.size.kind, Distribution::Kind::kUniform);
  EXPECT_EQ(work.size.a, 1024);
  EXPECT_EQ(work.size.b, 2048);
  ASSERT_EQ(work.attributes.size(), 3u);
  EXPECT_EQ(work.attributes[0].name, "kind");
  ASSERT_EQ(work.attributes[0].values.size(), 2u);
  EXPECT_EQ(work.attributes[0].values[0].first, "a");
  EXPECT_DOUBLE_EQ(work.attributes[0].values[0].second, 0.75);
  EXPECT_DOUBLE_EQ(work.attributes[0].values[1].second, 1);
  EXPECT_EQ(work.attributes[1].format, "s{n}");
  EXPECT_EQ(work.attributes[1].range, 6);
  EXPECT_DOUBLE_EQ(work.attributes[1].present, 0.5);
  EXPECT_TRUE(work.attributes[2].number);
  EXPECT_EQ(work.attributes[2].range, 100);

  const LoadSpec& fifo = s.loads[1];
  EXPECT_EQ(fifo.kind, DestinationKind::kTopic);
  EXPECT_FALSE(fifo.rate.has_value());
  EXPECT_EQ(fifo.groups, 8);
  EXPECT_EQ(fifo.size.kind, Distribution::Kind::kWeighted);
  EXPECT_DOUBLE_EQ(fifo.size.Mean(), 775);

  const LoadSpec& bus = s.loads[2];
  EXPECT_EQ(bus.kind, DestinationKind::kBus);
  EXPECT_EQ(bus.source, "app");
  EXPECT_EQ(bus.detail_type, "Thing");
  EXPECT_EQ(bus.size.kind, Distribution::Kind::kExponential);
  EXPECT_EQ(bus.size.a, 500);
  EXPECT_EQ(bus.size.b, 4000);
  EXPECT_EQ(s.loads[3].size.kind, Distribution::Kind::kNormal);
  EXPECT_EQ(s.loads[3].size.b, 50);

  ASSERT_EQ(s.consumers.size(), 4u);
  const ConsumerSpec& c = s.consumers[0];
  EXPECT_EQ(c.type, ConsumerType::kReceive);
  EXPECT_THAT(c.queues, ElementsAre("work"));
  EXPECT_EQ(c.count, 2);
  EXPECT_EQ(c.batch, 5);
  EXPECT_EQ(c.wait, absl::Seconds(3));
  EXPECT_EQ(c.visibility_timeout, 9);
  EXPECT_EQ(c.processing.kind, Distribution::Kind::kExponential);
  EXPECT_EQ(c.processing.a, 2e6);
  EXPECT_DOUBLE_EQ(c.failure, 0.25);
  EXPECT_DOUBLE_EQ(c.poison, 0.01);
  EXPECT_EQ(c.retry_delay, absl::Seconds(4));
  EXPECT_THAT(s.consumers[1].queues, ElementsAre("fan-0", "fan-1", "fan-2"));
  EXPECT_EQ(s.consumers[1].processing.a, 1e6);
  EXPECT_EQ(s.consumers[1].wait, absl::Seconds(1));  // The default.
  EXPECT_THAT(s.consumers[2].queues, ElementsAre("orders.fifo", "dlq"));
  EXPECT_EQ(s.consumers[2].processing.a, 10e3);
  EXPECT_EQ(s.consumers[2].window_seconds, 0);
  EXPECT_FALSE(s.consumers[2].concurrency.has_value());
  const ConsumerSpec& m = s.consumers[3];
  EXPECT_EQ(m.type, ConsumerType::kMapping);
  EXPECT_THAT(m.queues, ElementsAre("work"));
  EXPECT_EQ(m.batch, 500);
  EXPECT_EQ(m.window_seconds, 2);
  EXPECT_EQ(m.concurrency, 20);
  EXPECT_EQ(m.processing.a, 1e6);
  EXPECT_DOUBLE_EQ(m.failure, 0.1);
  EXPECT_DOUBLE_EQ(m.poison, 0.02);
  EXPECT_EQ(m.line, 85);
}

TEST(ScenarioTest, ADurableTargetNamesItsDirectoryOrNone) {
  absl::StatusOr<Scenario> s = ParseScenario(
      "name: x\ntarget: durable:/tmp/d\nqueues: [{name: q}]\nload: [{queue: q, rate: 5}]\n",
      "d.yaml");
  ASSERT_TRUE(s.ok()) << s.status();
  ASSERT_TRUE(s->target.has_value());
  EXPECT_EQ(s->target->kind, TargetSpec::Kind::kDurable);
  EXPECT_EQ(s->target->data_dir, "/tmp/d");
  EXPECT_EQ(s->target->Name(), "durable:/tmp/d");
  s = ParseScenario("name: x\ntarget: durable\nqueues: [{name: q}]\nload: [{queue: q, rate: 5}]\n",
                    "d.yaml");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->target->data_dir, "");
  EXPECT_EQ(s->target->Name(), "durable");
}

TEST(ScenarioTest, DefaultsApplyWhenFieldsAreLeftOut) {
  absl::StatusOr<Scenario> s =
      ParseScenario("name: min\nqueues: [{name: q}]\nload: [{queue: q, rate: 5}]\n", "m.yaml");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->duration, absl::Seconds(10));
  EXPECT_EQ(s->warmup, absl::Seconds(2));
  EXPECT_EQ(s->drain, absl::Seconds(5));
  EXPECT_EQ(s->seed, 1u);
  EXPECT_FALSE(s->target.has_value());
  EXPECT_EQ(s->loads[0].producers, 1);
  EXPECT_EQ(s->loads[0].batch, 1);
  EXPECT_EQ(s->loads[0].size.a, 256);
  EXPECT_TRUE(s->consumers.empty());
}

struct ErrorCase {
  const char* what;
  const char* yaml;
  int line;
  const char* field;    // Empty: no field named.
  const char* message;  // A part of the message.
};

// Lines: every case's YAML starts on line 1.
const ErrorCase kErrors[] = {
    {"YAML syntax", "name: x\nload: [1, 2\nfoo: 3\n", 3, "", "end of sequence flow not found"},
    {"not a map", "- a\n- b\n", 1, "", "expected a map of fields"},
    {"unknown top-level field", "name: x\nlod: []\n", 2, "lod", "unknown field"},
    {"duplicate field", "name: x\nname: y\n", 2, "name", "duplicate field"},
    {"missing name", "queues: []\nload: []\n", 1, "", "missing field \"name\""},
    {"empty name", "name: ''\n", 1, "name", "1-256 characters"},
    {"bad duration", "name: x\nduration: fast\n", 2, "duration", "expected a duration"},
    {"short duration", "name: x\nduration: 10ms\n", 2, "duration", "must be between 100ms"},
    {"negative warm-up", "name: x\nwarmup: -1s\n", 2, "warmup", "expected a duration"},
    {"bad seed", "name: x\nseed: abc\n", 2, "seed", "expected an integer"},
    {"unknown target", "name: x\ntarget: ftp://x\n", 2, "target", "unknown target"},
    {"durable target without its directory", "name: x\ntarget: 'durable:'\n", 2, "target",
     "names no directory"},
    {"unknown limit", "name: x\nlimits: {rules: 5}\n", 2, "limits.rules", "unknown field"},
    {"limit out of range", "name: x\nlimits: {max_rules_per_event_bus: 0}\n", 2,
     "limits.max_rules_per_event_bus", "between 1 and"},
    {"queues not a list", "name: x\nqueues: {name: q}\n", 2, "queues", "expected a list"},
    {"queue without a name", "name: x\nqueues:\n  - count: 2\n", 3, "queues[0]",
     "missing field \"name\""},
    {"queue declared twice", "name: x\nqueues:\n  - name: q\n  - name: q\n", 4, "queues[1].name",
     "declared twice"},
    {"count out of range", "name: x\nqueues:\n  - name: q{i}\n    count: 0\n", 4, "queues[0].count",
     "between 1 and 10000"},
    {"expansion budget",
     "name: x\nqueues:\n  - name: a{i}\n    count: 6000\n  - name: b{i}\n    count: 6000\n", 6,
     "queues[1].count", "more than 10000 entries"},
    {"FifoQueue set by hand", "name: x\nqueues:\n  - name: q\n    attributes: {FifoQueue: true}\n",
     4, "queues[0].attributes.FifoQueue", "set by the harness"},
    {"unknown dead-letter queue", "name: x\nqueues:\n  - name: q\n    dead_letter: {queue: nope}\n",
     4, "queues[0].dead_letter.queue", "no queue \"nope\" is declared"},
    {"own dead-letter queue", "name: x\nqueues:\n  - name: q\n    dead_letter: {queue: q}\n", 4,
     "queues[0].dead_letter.queue", "its own dead-letter queue"},
    {"max_receive_count out of range",
     "name: x\nqueues:\n  - name: d\n  - name: q\n    dead_letter: {queue: d, max_receive_count: "
     "0}\n",
     5, "queues[1].dead_letter.max_receive_count", "between 1 and 1000"},
    {"dead-letter cycle",
     "name: x\nqueues:\n  - name: a\n    dead_letter: {queue: b}\n  - name: b\n    dead_letter: "
     "{queue: a}\n"
     "load: [{queue: a, rate: 1}]\n",
     3, "queues", "cycle"},
    {"subscription to an unknown queue",
     "name: x\ntopics:\n  - name: t\n    subscriptions:\n      - queue: nope\n", 5,
     "topics[0].subscriptions[0].queue", "no queue \"nope\""},
    {"bad filter scope",
     "name: x\nqueues: [{name: q}]\ntopics:\n  - name: t\n    subscriptions:\n      - queue: q\n   "
     "     filter_scope: Body\n",
     7, "topics[0].subscriptions[0].filter_scope", "MessageAttributes or MessageBody"},
    {"raw not a boolean",
     "name: x\nqueues: [{name: q}]\ntopics:\n  - name: t\n    subscriptions:\n      - queue: q\n   "
     "     raw: maybe\n",
     7, "topics[0].subscriptions[0].raw", "expected true or false"},
    {"topic declared twice", "name: x\ntopics:\n  - name: t\n  - name: t\n", 4, "topics[1].name",
     "declared twice"},
    {"bus declared twice", "name: x\nbuses:\n  - name: b\n  - name: b\n", 4, "buses[1].name",
     "declared twice"},
    {"rule without a pattern",
     "name: x\nqueues: [{name: q}]\nbuses:\n  - name: b\n    rules:\n      - name: r\n        "
     "targets: q\n",
     6, "buses[0].rules[0]", "missing field \"pattern\""},
    {"rule target unknown",
     "name: x\nbuses:\n  - name: b\n    rules:\n      - name: r\n        pattern: {a: [1]}\n       "
     " targets: [nope]\n",
     7, "buses[0].rules[0].targets", "no queue \"nope\""},
    {"six rule targets",
     "name: x\nqueues: [{name: q}]\nbuses:\n  - name: b\n    rules:\n      - name: r\n        "
     "pattern: {a: [1]}\n        targets: [q, q, q, q, q, q]\n",
     8, "buses[0].rules[0].targets", "at most 5 targets"},
    {"rule declared twice",
     "name: x\nqueues: [{name: q}]\nbuses:\n  - name: b\n    rules:\n      - name: r\n        "
     "pattern: {a: [1]}\n        targets: q\n      - name: r\n        pattern: {a: [2]}\n        "
     "targets: q\n",
     9, "buses[0].rules[1].name", "declared twice"},
    {"more rules than the limit",
     "name: x\nlimits: {max_rules_per_event_bus: 2}\nqueues: [{name: q}]\nbuses:\n  - name: b\n    "
     "rules:\n      - name: r{i}\n        count: 3\n        pattern: {a: [1]}\n        targets: "
     "q\n",
     5, "buses[0]", "more than limits.max_rules_per_event_bus (2)"},
    {"no load", "name: x\n", 1, "", "missing field \"load\""},
    {"empty load", "name: x\nload: []\n", 2, "load", "at least one load"},
    {"load without destination", "name: x\nload:\n  - rate: 5\n", 3, "load[0]",
     "exactly one destination"},
    {"load with two destinations",
     "name: x\nqueues: [{name: q}]\ntopics: [{name: t}]\nload:\n  - queue: q\n    topic: t\n    "
     "rate: 5\n",
     5, "load[0]", "exactly one destination"},
    {"load to an unknown topic", "name: x\nload:\n  - topic: nope\n    rate: 5\n", 3,
     "load[0].topic", "no topic \"nope\" is declared under topics"},
    {"load to an unknown bus", "name: x\nload:\n  - bus: nope\n    rate: 5\n", 3, "load[0].bus",
     "no bus \"nope\" is declared under buses"},
    {"load without rate", "name: x\nqueues: [{name: q}]\nload:\n  - queue: q\n", 4, "load[0]",
     "missing field \"rate\""},
    {"bad rate", "name: x\nqueues: [{name: q}]\nload:\n  - queue: q\n    rate: fast\n", 5,
     "load[0].rate", "or \"unlimited\""},
    {"zero rate", "name: x\nqueues: [{name: q}]\nload:\n  - queue: q\n    rate: 0\n", 5,
     "load[0].rate", "0 < rate"},
    {"batch of 11",
     "name: x\nqueues: [{name: q}]\nload:\n  - queue: q\n    rate: 5\n    batch: 11\n", 6,
     "load[0].batch", "between 1 and 10"},
    {"too many producers",
     "name: x\nqueues: [{name: q}]\nload:\n  - queue: q\n    rate: 5\n    producers: 257\n", 6,
     "load[0].producers", "between 1 and 256"},
    {"bad size", "name: x\nqueues: [{name: q}]\nload:\n  - queue: q\n    rate: 5\n    size: big\n",
     6, "load[0].size", "expected a size"},
    {"size above 1 MiB",
     "name: x\nqueues: [{name: q}]\nload:\n  - queue: q\n    rate: 5\n    size: 2MiB\n", 6,
     "load[0].size", "between 0 and 1048576 bytes"},
    {"uniform with one bound",
     "name: x\nqueues: [{name: q}]\nload:\n  - queue: q\n    rate: 5\n    size: {uniform: [1]}\n",
     6, "load[0].size.uniform", "expected [LOW, HIGH]"},
    {"uniform upside down",
     "name: x\nqueues: [{name: q}]\nload:\n  - queue: q\n    rate: 5\n    size: {uniform: [9, "
     "1]}\n",
     6, "load[0].size.uniform", "below the low bound"},
    {"unknown distribution",
     "name: x\nqueues: [{name: q}]\nload:\n  - queue: q\n    rate: 5\n    size: {gauss: 3}\n", 6,
     "load[0].size.gauss", "unknown field"},
    {"two distributions",
     "name: x\nqueues: [{name: q}]\nload:\n  - queue: q\n    rate: 5\n    size: {fixed: 3, "
     "uniform: [1, 2]}\n",
     6, "load[0].size", "exactly one distribution"},
    {"weights of zero",
     "name: x\nqueues: [{name: q}]\nload:\n  - queue: q\n    rate: 5\n    size: {weighted: {10: "
     "0}}\n",
     6, "load[0].size.weighted", "add up to 0"},
    {"groups on a standard queue",
     "name: x\nqueues: [{name: q}]\nload:\n  - queue: q\n    rate: 5\n    groups: 4\n", 6,
     "load[0].groups", "FIFO queues and topics only"},
    {"fewer FIFO groups than producers",
     "name: x\nqueues: [{name: q.fifo}]\nload:\n  - queue: q.fifo\n    rate: 5\n    producers: 3\n "
     "   groups: 2\n",
     4, "load[0]", "at least as many groups (2) as producers (3)"},
    {"source on a queue load",
     "name: x\nqueues: [{name: q}]\nload:\n  - queue: q\n    rate: 5\n    source: s\n", 6,
     "load[0].source", "bus load only"},
    {"attribute with values and range",
     "name: x\nqueues: [{name: q}]\nload:\n  - queue: q\n    rate: 5\n    attributes:\n      - "
     "name: a\n        values: {x: 1}\n        range: 3\n",
     7, "load[0].attributes[0]", "either values"},
    {"attribute format without {n}",
     "name: x\nqueues: [{name: q}]\nload:\n  - queue: q\n    rate: 5\n    attributes:\n      - "
     "name: a\n        range: 3\n        format: abc\n",
     9, "load[0].attributes[0].format", "containing {n}"},
    {"Number attribute with a word",
     "name: x\nqueues: [{name: q}]\nload:\n  - queue: q\n    rate: 5\n    attributes:\n      - "
     "name: a\n        type: Number\n        values: {ten: 1}\n",
     9, "load[0].attributes[0].values", "\"ten\" is not a number"},
    {"attribute type",
     "name: x\nqueues: [{name: q}]\nload:\n  - queue: q\n    rate: 5\n    attributes:\n      - "
     "name: a\n        type: Binary\n        range: 2\n",
     8, "load[0].attributes[0].type", "String or Number"},
    {"attribute presence above 1",
     "name: x\nqueues: [{name: q}]\nload:\n  - queue: q\n    rate: 5\n    attributes:\n      - "
     "name: a\n        range: 2\n        present: 1.5\n",
     9, "load[0].attributes[0].present", "between 0 and 1"},
    {"eleven SQS attributes",
     "name: x\nqueues: [{name: q}]\nload:\n  - queue: q\n    rate: 5\n    attributes: [{name: a, "
     "range: 1}, {name: b, range: 1}, {name: c, range: 1}, {name: d, range: 1}, {name: e, range: "
     "1}, {name: f, range: 1}, {name: g, range: 1}, {name: h, range: 1}, {name: i, range: 1}, "
     "{name: j, range: 1}, {name: k, range: 1}]\n",
     6, "load[0].attributes", "at most 10 attributes"},
    {"unknown consumer type",
     "name: x\nqueues: [{name: q}]\nload: [{queue: q, rate: 5}]\nconsumers:\n  - queue: q\n    "
     "type: lambda\n",
     6, "consumers[0].type", "unknown consumer type \"lambda\"; expected one of: receive, mapping"},
    {"receive-loop field on a mapping",
     "name: x\nqueues: [{name: q}]\nload: [{queue: q, rate: 5}]\nconsumers:\n  - queue: q\n    "
     "type: mapping\n    count: 2\n",
     7, "consumers[0].count", "applies to receive loops only"},
    {"retry delay on a mapping",
     "name: x\nqueues: [{name: q}]\nload: [{queue: q, rate: 5}]\nconsumers:\n  - queue: q\n    "
     "type: mapping\n    retry_delay: 1\n",
     7, "consumers[0].retry_delay", "visibility timeout"},
    {"mapping field on a receive loop",
     "name: x\nqueues: [{name: q}]\nload: [{queue: q, rate: 5}]\nconsumers:\n  - queue: q\n    "
     "concurrency: 5\n",
     6, "consumers[0].concurrency", "applies to type: mapping only"},
    {"mapping batch above 10 without a window",
     "name: x\nqueues: [{name: q}]\nload: [{queue: q, rate: 5}]\nconsumers:\n  - queue: q\n    "
     "type: mapping\n    batch: 100\n",
     7, "consumers[0].batch", "needs a window above 0"},
    {"mapping batch above 10,000",
     "name: x\nqueues: [{name: q}]\nload: [{queue: q, rate: 5}]\nconsumers:\n  - queue: q\n    "
     "type: mapping\n    window: 1\n    batch: 10001\n",
     8, "consumers[0].batch", "between 1 and 10000"},
    {"mapping window above 300 s",
     "name: x\nqueues: [{name: q}]\nload: [{queue: q, rate: 5}]\nconsumers:\n  - queue: q\n    "
     "type: mapping\n    window: 301\n",
     7, "consumers[0].window", "between 0 and 300"},
    {"mapping concurrency below 2",
     "name: x\nqueues: [{name: q}]\nload: [{queue: q, rate: 5}]\nconsumers:\n  - queue: q\n    "
     "type: mapping\n    concurrency: 1\n",
     7, "consumers[0].concurrency", "between 2 and 1000"},
    {"FIFO mapping with a window",
     "name: x\nqueues: [{name: q.fifo}]\nload: [{queue: q.fifo, rate: 5}]\nconsumers:\n  - "
     "queue: q.fifo\n    type: mapping\n    window: 1\n",
     7, "consumers[0].window", "FIFO queue \"q.fifo\" takes no batching window"},
    {"FIFO mapping batch above 10",
     "name: x\nqueues: [{name: q.fifo}]\nload: [{queue: q.fifo, rate: 5}]\nconsumers:\n  - "
     "queue: q.fifo\n    type: mapping\n    window: 0\n    batch: 20\n",
     8, "consumers[0].batch", "needs a window above 0"},
    {"consumer of no queue",
     "name: x\nqueues: [{name: q}]\nload: [{queue: q, rate: 5}]\nconsumers:\n  - queue: z*\n", 5,
     "consumers[0].queue", "no declared queue matches \"z*\""},
    {"fractional wait",
     "name: x\nqueues: [{name: q}]\nload: [{queue: q, rate: 5}]\nconsumers:\n  - queue: q\n    "
     "wait: 1.5s\n",
     6, "consumers[0].wait", "whole number of seconds"},
    {"wait above 20 s",
     "name: x\nqueues: [{name: q}]\nload: [{queue: q, rate: 5}]\nconsumers:\n  - queue: q\n    "
     "wait: 21\n",
     6, "consumers[0].wait", "must be between 0 and 20s"},
    {"visibility timeout out of range",
     "name: x\nqueues: [{name: q}]\nload: [{queue: q, rate: 5}]\nconsumers:\n  - queue: q\n    "
     "visibility_timeout: 43201\n",
     6, "consumers[0].visibility_timeout", "between 0 and 43200"},
    {"failure above 1",
     "name: x\nqueues: [{name: q}]\nload: [{queue: q, rate: 5}]\nconsumers:\n  - queue: q\n    "
     "failure: 2\n",
     6, "consumers[0].failure", "between 0 and 1"},
    {"bad processing time",
     "name: x\nqueues: [{name: q}]\nload: [{queue: q, rate: 5}]\nconsumers:\n  - queue: q\n    "
     "processing: {exponential: slow}\n",
     6, "consumers[0].processing.exponential", "expected a duration"},
    {"fractional retry delay",
     "name: x\nqueues: [{name: q}]\nload: [{queue: q, rate: 5}]\nconsumers:\n  - queue: q\n    "
     "retry_delay: 500ms\n",
     6, "consumers[0].retry_delay", "whole number of seconds"},
    {"too many consumer threads",
     "name: x\nqueues:\n  - name: q{i}\n    count: 5\nload: [{queue: q0, rate: 5}]\nconsumers:\n"
     "  - queue: q*\n    count: 250\n",
     7, "consumers[0]", "more than 1024"},
    {"unknown consumer field",
     "name: x\nqueues: [{name: q}]\nload: [{queue: q, rate: 5}]\nconsumers:\n  - queue: q\n    "
     "threads: 2\n",
     6, "consumers[0].threads", "unknown field"},
};

TEST(ScenarioTest, EveryErrorNamesTheFileLineAndField) {
  for (const ErrorCase& c : kErrors) {
    SCOPED_TRACE(c.what);
    absl::StatusOr<Scenario> s = ParseScenario(c.yaml, "t.yaml");
    ASSERT_FALSE(s.ok()) << c.what;
    EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
    std::string message(s.status().message());
    std::string where = absl::StrCat("t.yaml:", c.line, ":");
    EXPECT_TRUE(message.starts_with(where)) << message;
    if (*c.field != '\0') {
      EXPECT_THAT(message, HasSubstr(absl::StrCat(": ", c.field, ": ")));
    }
    EXPECT_THAT(message, HasSubstr(c.message));
  }
}

TEST(ScenarioTest, RefusesAFileLargerThanTheLimit) {
  std::string yaml = "name: x\n# " + std::string(kMaxScenarioBytes, 'x') + "\n";
  absl::StatusOr<Scenario> s = ParseScenario(yaml, "big.yaml");
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(std::string(s.status().message()), HasSubstr("larger than"));
}

TEST(ScenarioTest, DeeplyNestedFiltersAreRefused) {
  std::string nested = "x";
  for (int i = 0; i < 40; ++i) nested = "{a: " + nested + "}";
  std::string yaml =
      "name: x\nqueues: [{name: q}]\ntopics:\n  - name: t\n    subscriptions:\n"
      "      - queue: q\n        filter: " +
      nested + "\nload: [{queue: q, rate: 1}]\n";
  absl::StatusOr<Scenario> s = ParseScenario(yaml, "deep.yaml");
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(std::string(s.status().message()), HasSubstr("nested more than 32 levels"));
}

TEST(ScenarioTest, AliasesCannotBlowAPatternUp) {
  // A "billion laughs": nine levels of ten aliases each would be 10^9 words.
  std::string yaml =
      "name: x\nqueues: [{name: q}]\nload: [{queue: q, rate: 1}]\nbuses:\n  - name: b\n"
      "    rules:\n      - name: r\n        targets: q\n        pattern:\n"
      "          a0: &a0 [l, l, l, l, l, l, l, l, l, l]\n";
  for (int i = 1; i < 9; ++i) {
    std::string alias = absl::StrCat("*a", i - 1);
    absl::StrAppend(&yaml, "          a", i, ": &a", i, " [", alias);
    for (int k = 1; k < 10; ++k) absl::StrAppend(&yaml, ", ", alias);
    yaml += "]\n";
  }
  absl::StatusOr<Scenario> s = ParseScenario(yaml, "laughs.yaml");
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(std::string(s.status().message()),
              HasSubstr("buses[0].rules[0].pattern: the document is larger than 262144 bytes"));
}

TEST(ScenarioTest, ExpandedPatternsHaveABudget) {
  // 10,000 rules of a 2 KiB pattern each: 20 MiB of patterns.
  std::string yaml = absl::StrCat(
      "name: x\nlimits: {max_rules_per_event_bus: 10000}\nqueues: [{name: q}]\n"
      "load: [{queue: q, rate: 1}]\nbuses:\n  - name: b\n    rules:\n      - name: r{i}\n"
      "        count: 10000\n        targets: q\n        pattern: '{\"a\": [\"",
      std::string(2048, 'x'), "{i}\"]}'\n");
  absl::StatusOr<Scenario> s = ParseScenario(yaml, "big.yaml");
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(std::string(s.status().message()), HasSubstr("expand to more than 16777216 bytes"));
}

TEST(ScenarioTest, MissingFileIsNotFound) {
  EXPECT_EQ(LoadScenarioFile("/nonexistent/scenario.yaml").status().code(),
            absl::StatusCode::kNotFound);
}

TEST(ScenarioTest, DurationTextAcceptsSecondsAndUnits) {
  EXPECT_EQ(ParseDurationText("1.5"), absl::Milliseconds(1500));
  EXPECT_EQ(ParseDurationText("250ms"), absl::Milliseconds(250));
  EXPECT_EQ(ParseDurationText("20µs"), absl::Microseconds(20));
  EXPECT_EQ(ParseDurationText("2m"), absl::Minutes(2));
  EXPECT_EQ(ParseDurationText("soon"), std::nullopt);
  EXPECT_EQ(ParseDurationText("-3"), std::nullopt);
  EXPECT_EQ(ParseDurationText("inf"), std::nullopt);
}

TEST(ScenarioTest, DistributionsSampleWithinTheirShape) {
  std::mt19937_64 rng(7);
  Distribution uniform{.kind = Distribution::Kind::kUniform, .a = 10, .b = 20, .weighted = {}};
  Distribution capped{.kind = Distribution::Kind::kExponential, .a = 100, .b = 150, .weighted = {}};
  Distribution weighted{
      .kind = Distribution::Kind::kWeighted, .a = 0, .b = 0, .weighted = {{1, 0.25}, {9, 1}}};
  double sum = 0;
  int nines = 0;
  for (int i = 0; i < 20000; ++i) {
    double u = uniform.Sample(rng);
    ASSERT_GE(u, 10);
    ASSERT_LE(u, 20);
    ASSERT_LE(capped.Sample(rng), 150);
    double w = weighted.Sample(rng);
    ASSERT_TRUE(w == 1 || w == 9);
    nines += w == 9;
    sum += u;
  }
  EXPECT_NEAR(sum / 20000, uniform.Mean(), 0.2);
  EXPECT_NEAR(nines / 20000.0, 0.75, 0.02);
  EXPECT_DOUBLE_EQ(weighted.Mean(), 0.25 * 1 + 0.75 * 9);
  EXPECT_EQ(uniform.ToString("B"), "uniform 10 B..20 B");
  EXPECT_EQ(Distribution::Fixed(2048).ToString("B"), "2 KiB");
  EXPECT_EQ(Distribution::Fixed(2e6).ToString("ns"), "2ms");
}

TEST(ScenarioTest, EveryBuiltinScenarioParses) {
  ASSERT_GE(BuiltinScenarios().size(), 5u);
  for (const BuiltinScenario& b : BuiltinScenarios()) {
    absl::StatusOr<Scenario> s = ParseScenario(b.yaml, b.name);
    ASSERT_TRUE(s.ok()) << b.name << ": " << s.status();
    EXPECT_EQ(s->name, b.name) << "a built-in scenario is named after its file";
    EXPECT_FALSE(s->description.empty()) << b.name;
    EXPECT_FALSE(s->consumers.empty()) << b.name;
  }
  EXPECT_NE(FindBuiltinScenario("work-queue-dlq"), nullptr);
  EXPECT_EQ(FindBuiltinScenario("nope"), nullptr);
}

}  // namespace
}  // namespace wharf::bench
