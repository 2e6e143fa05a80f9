// A wharf-bench scenario: the topology of a messaging design (queues, topics,
// event buses), the load driven into it and the consumers draining it, read
// from a YAML file. bench/scenarios/ holds the built-in ones; the README's
// wharf-bench section documents every field.
//
//   absl::StatusOr<Scenario> s = ParseScenario(yaml_text, "work-queue.yaml");
//
// Parsing checks every field (type, range, unknown or duplicate keys) and
// every reference (a DLQ, a subscribed queue, a rule target, a load
// destination, a consumed queue must be declared); an error names the file,
// line, column and field: "work.yaml:12:11: load[0].rate: expected ...".
// Names may carry "{i}" when the entry has `count: N`: the entry is repeated
// for i = 0..N-1 with "{i}" replaced in its names, filter and pattern.
//
// Thread safety: plain values.

#ifndef WHARF_BROKER_TOOLS_BENCH_SCENARIO_H_
#define WHARF_BROKER_TOOLS_BENCH_SCENARIO_H_

#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "broker/tools/bench/target_spec.h"

namespace wharf::bench {

// Random non-negative values: message sizes (bytes) or processing times
// (nanoseconds). YAML: a scalar (fixed), or {fixed: X}, {uniform: [A, B]},
// {exponential: MEAN} with an optional max, {normal: [MEAN, STDDEV]}
// (truncated at 0), {weighted: {X: W, Y: W, ...}}.
struct Distribution {
  enum class Kind { kFixed, kUniform, kExponential, kNormal, kWeighted };
  Kind kind = Kind::kFixed;
  double a = 0;  // fixed value; uniform low; exponential and normal mean.
  double b = 0;  // uniform high; exponential cap (0: none); normal stddev.
  std::vector<std::pair<double, double>> weighted;  // (value, cumulative weight in (0, 1]).

  static Distribution Fixed(double v) {
    Distribution d;
    d.a = v;
    return d;
  }
  double Sample(std::mt19937_64& rng) const;
  double Mean() const;
  // e.g. "uniform 256 B..2 KiB"; `unit` is "B" or "ns".
  std::string ToString(std::string_view unit) const;
};

struct DeadLetterSpec {
  std::string queue;  // A declared queue.
  int max_receive_count = 3;
};

struct QueueSpec {
  std::string name;
  bool fifo = false;                              // From the ".fifo" suffix.
  std::map<std::string, std::string> attributes;  // SQS queue attributes, as given.
  std::optional<DeadLetterSpec> dead_letter;
  int line = 0;
};

struct SubscriptionSpec {
  std::string queue;          // A declared queue.
  std::string filter_policy;  // JSON; empty: none.
  std::string filter_scope;   // "", "MessageAttributes" or "MessageBody".
  bool raw = true;            // RawMessageDelivery.
  int line = 0;
};

struct TopicSpec {
  std::string name;
  bool fifo = false;
  std::map<std::string, std::string> attributes;
  std::vector<SubscriptionSpec> subscriptions;
  int line = 0;
};

struct RuleSpec {
  std::string name;
  std::string pattern;                     // JSON event pattern.
  std::vector<std::string> target_queues;  // Declared queues; at most 5.
  std::string message_group_id;            // For FIFO target queues.
  int line = 0;
};

struct BusSpec {
  std::string name;  // "default" is the account's default bus (not created).
  std::vector<RuleSpec> rules;
  int line = 0;
};

// A message attribute (SQS, SNS) or detail field (EventBridge) of the load.
struct AttributeSpec {
  std::string name;
  bool number = false;  // Number (else String).
  double present = 1;   // Share of messages that carry it.
  // Either weighted values (value, cumulative weight)...
  std::vector<std::pair<std::string, double>> values;
  // ...or format with "{n}", n uniform in [0, range).
  std::string format = "{n}";
  int64_t range = 0;
  int line = 0;
};

enum class DestinationKind { kQueue, kTopic, kBus };

struct LoadSpec {
  DestinationKind kind = DestinationKind::kQueue;
  std::string destination;  // A declared queue, topic or bus.
  int producers = 1;
  std::optional<double> rate;  // Messages per second over all producers; nullopt: unlimited.
  int batch = 1;               // 1-10 messages per call.
  Distribution size = Distribution::Fixed(256);  // Body bytes.
  int groups = 1;                                // FIFO message groups.
  std::string source = "wharf.bench";            // EventBridge Source.
  std::string detail_type = "BenchEvent";        // EventBridge DetailType.
  std::vector<AttributeSpec> attributes;
  int line = 0;
};

// The kinds of consumer a scenario may ask for (ConsumerSpec::type).
enum class ConsumerType {
  kReceive,  // Receive loops: ReceiveMessage, process, DeleteMessageBatch.
  kMapping,  // An event source mapping (Lambda) calling the harness's handler.
};
struct ConsumerTypeInfo {
  ConsumerType type;
  std::string_view name;
};
// Every consumer type, by its name in a scenario.
const std::vector<ConsumerTypeInfo>& ConsumerTypes();

// A consumer of type receive runs `count` receive loops per queue; one of
// type mapping creates a function and an event source mapping (with
// ReportBatchItemFailures) per queue, and takes count, wait,
// visibility_timeout and retry_delay from no one (they are errors there).
struct ConsumerSpec {
  ConsumerType type = ConsumerType::kReceive;
  std::vector<std::string> queues;  // Declared queues (a name or a glob with '*').
  int count = 1;                    // Threads per queue (receive).
  // Receive: MaxNumberOfMessages, 1-10. Mapping: BatchSize, 1-10,000 (above
  // 10 only with a window; 1-10 on FIFO queues).
  int batch = 10;
  // Mapping only: MaximumBatchingWindowInSeconds (0-300; 0 on FIFO queues)
  // and ScalingConfig.MaximumConcurrency (2-1,000; nullopt: Lambda's scaling).
  int window_seconds = 0;
  std::optional<int> concurrency;
  absl::Duration wait = absl::Seconds(1);            // WaitTimeSeconds, 0-20 s.
  std::optional<int> visibility_timeout;             // Seconds; default the queue's.
  Distribution processing = Distribution::Fixed(0);  // Per message, nanoseconds.
  double failure = 0;  // Probability that one attempt fails (the message is not deleted).
  double poison = 0;   // Share of messages that fail every attempt.
  // On failure, ChangeMessageVisibility to this; nullopt: wait out the
  // visibility timeout.
  std::optional<absl::Duration> retry_delay;
  int line = 0;
};

// Quotas of the broker under test that a scenario needs raised (AWS
// quotas are adjustable too). Applied to inproc; a URL target must be
// configured to match.
struct LimitsSpec {
  int max_rules_per_event_bus = 300;
};

struct Scenario {
  std::string name;
  std::string description;
  std::string file;
  absl::Duration duration = absl::Seconds(10);
  absl::Duration warmup = absl::Seconds(2);
  absl::Duration drain = absl::Seconds(5);  // After the load: time for consumers to catch up.
  uint64_t seed = 1;
  std::optional<TargetSpec> target;  // Default for `run` without --target.
  LimitsSpec limits;
  std::vector<QueueSpec> queues;  // Dead-letter queues before the queues that use them.
  std::vector<TopicSpec> topics;
  std::vector<BusSpec> buses;
  std::vector<LoadSpec> loads;
  std::vector<ConsumerSpec> consumers;

  int QueueIndex(std::string_view name) const;  // -1 when absent.
  int TopicIndex(std::string_view name) const;
  int BusIndex(std::string_view name) const;
  // Queues that some queue names as its dead-letter queue.
  std::vector<int> DeadLetterQueues() const;
  // Queues named by some consumer.
  std::vector<int> ConsumedQueues() const;
};

// Size bound of a scenario file (bytes) and of what it expands to.
inline constexpr size_t kMaxScenarioBytes = 1 << 20;
inline constexpr int kMaxExpandedEntries = 10000;

// Parses a scenario; `file` names it in errors. Errors: InvalidArgument.
absl::StatusOr<Scenario> ParseScenario(std::string_view yaml, std::string_view file);
// Reads and parses a file. Errors: NotFound, InvalidArgument.
absl::StatusOr<Scenario> LoadScenarioFile(const std::string& path);

// Parses "10s", "250ms", "1.5" (seconds). Exposed for the command line.
std::optional<absl::Duration> ParseDurationText(std::string_view text);

}  // namespace wharf::bench

#endif  // WHARF_BROKER_TOOLS_BENCH_SCENARIO_H_
