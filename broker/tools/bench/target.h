// The system under test, as the harness sees it. A Target creates a
// scenario's topology (Setup) and hands out Sessions that carry messages; one
// Session per harness thread (for a URL target, one keep-alive connection).
//
//   std::unique_ptr<Target> target = MakeTarget(spec, scenario).value();
//   target->Setup(scenario, "wb1a2b-");
//   std::unique_ptr<Session> s = target->NewSession().value();
//   s->Send(destination, batch);
//
// Kinds (target_spec.h): InprocTarget (a Broker in this process) and
// HttpTarget (any AWS-compatible endpoint) share the topology logic of
// AwsTarget through the ControlPlane interface; NoopTarget drops what it is
// given and measures the generator. A durable target is an InprocTarget
// whose Broker is opened with a data directory. Only the in-process targets
// run event source mappings (StartMapping): the endpoint has no Lambda API.
//
// Thread safety: Target is thread-safe after Setup; a Session is used by one
// thread at a time.

#ifndef WHARF_BROKER_TOOLS_BENCH_TARGET_H_
#define WHARF_BROKER_TOOLS_BENCH_TARGET_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <stop_token>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "broker/tools/bench/scenario.h"
#include "broker/tools/bench/target_spec.h"

namespace wharf::bench {

struct MessageAttribute {
  std::string name;
  std::string value;
  bool number = false;  // DataType Number (else String).
};

// One message as a producer hands it over.
struct OutMessage {
  std::string body;                          // For a bus: the event's Detail (a JSON object).
  std::vector<MessageAttribute> attributes;  // SQS and SNS message attributes.
  std::string group_id;                      // FIFO only.
  std::string dedup_id;                      // FIFO only.
};

// Where a load sends: a queue, topic or bus by its index in the Scenario.
struct Destination {
  DestinationKind kind = DestinationKind::kQueue;
  int index = 0;
  std::string source;       // Bus only.
  std::string detail_type;  // Bus only.
};

struct InMessage {
  std::string body;
  std::string receipt_handle;
  int receive_count = 1;  // ApproximateReceiveCount.
};

struct ReceiveOptions {
  int max_messages = 10;
  int wait_seconds = 1;
  std::optional<int> visibility_timeout;
  std::stop_token stop;  // Ends a wait early where the target can (inproc).
};

struct QueueDepth {
  int64_t visible = 0;
  int64_t in_flight = 0;
  int64_t delayed = 0;
};

// Result of a batch call that the service accepted: how many entries failed.
struct BatchOutcome {
  int failed = 0;
  std::string first_error;  // "Code: message" of the first failed entry.
};

class Session {
 public:
  virtual ~Session() = default;

  // SendMessageBatch / PublishBatch / PutEvents (or the single-message call
  // for a batch of one). A non-OK status means the whole call failed.
  virtual absl::StatusOr<BatchOutcome> Send(const Destination& to,
                                            std::span<const OutMessage> batch) = 0;
  // Appends up to options.max_messages messages of queue `queue` to `out`.
  virtual absl::Status Receive(int queue, const ReceiveOptions& options,
                               std::vector<InMessage>* out) = 0;
  virtual absl::StatusOr<BatchOutcome> Delete(int queue,
                                              std::span<const std::string> receipt_handles) = 0;
  virtual absl::StatusOr<BatchOutcome> ChangeVisibility(
      int queue, std::span<const std::string> receipt_handles, int seconds) = 0;
  virtual absl::StatusOr<QueueDepth> Depth(int queue) = 0;

  // True when Receive waits up to wait_seconds for a message; false when it
  // returns at once and the caller must pace its polls (simulated targets).
  virtual bool ReceiveWaits() const { return true; }
};

// What an event source mapping hands the harness: a batch of records. The
// handler returns the indexes (into `batch`) of the records that failed;
// they are reported as batch item failures, so only they come back.
using BatchHandler = std::function<std::vector<size_t>(std::span<const InMessage> batch)>;

struct MappingOptions {
  int batch_size = 10;
  int window_seconds = 0;          // MaximumBatchingWindowInSeconds.
  std::optional<int> concurrency;  // ScalingConfig.MaximumConcurrency.
};

// A running event source mapping. Stop (or the destructor) ends it: once it
// returns, no handler call runs or starts; a batch handed over later fails
// whole and stays in flight. Thread safety: Stop is called by one thread.
class Mapping {
 public:
  virtual ~Mapping() = default;
  // Idempotent; returns the first error of removing the mapping and function.
  virtual absl::Status Stop() = 0;
};

class Target {
 public:
  virtual ~Target() = default;

  virtual std::string name() const = 0;
  // Creates the scenario's queues, topics, subscriptions, buses, rules and
  // targets, their names prefixed with `prefix`. Errors name the scenario
  // line of the resource that failed.
  virtual absl::Status Setup(const Scenario& scenario, std::string_view prefix) = 0;
  virtual absl::StatusOr<std::unique_ptr<Session>> NewSession() = 0;
  // After Setup: a function running `handler` (on the target's threads,
  // several calls at once) and an event source mapping from queue `queue`
  // to it with ReportBatchItemFailures. Stop it before Teardown. Errors:
  // Unimplemented for targets without event source mappings (the default,
  // RunsMappings false; NoMappingsError).
  virtual bool RunsMappings() const { return false; }
  virtual absl::StatusOr<std::unique_ptr<Mapping>> StartMapping(int queue,
                                                                const MappingOptions& options,
                                                                BatchHandler handler);
  // Deletes what Setup created; returns the first failure.
  virtual absl::Status Teardown() = 0;
};

// ---- The topology shared by the AWS-shaped targets -------------------------------

// The control-plane calls a topology needs, on one service or another.
class ControlPlane {
 public:
  struct QueueRef {
    std::string url;
    std::string arn;
  };
  struct RuleTarget {
    std::string id;
    std::string arn;
    std::string message_group_id;
  };

  virtual ~ControlPlane() = default;
  virtual absl::StatusOr<QueueRef> CreateQueue(const std::string& name,
                                               const std::map<std::string, std::string>& attrs) = 0;
  virtual absl::Status SetQueueAttributes(const std::string& url,
                                          const std::map<std::string, std::string>& attrs) = 0;
  virtual absl::Status DeleteQueue(const std::string& url) = 0;
  virtual absl::StatusOr<std::string> CreateTopic(
      const std::string& name, const std::map<std::string, std::string>& attrs) = 0;
  virtual absl::StatusOr<std::string> Subscribe(
      const std::string& topic_arn, const std::string& queue_arn,
      const std::map<std::string, std::string>& attrs) = 0;
  virtual absl::Status DeleteTopic(const std::string& arn) = 0;
  virtual absl::Status CreateEventBus(const std::string& name) = 0;
  virtual absl::Status PutRule(const std::string& bus, const std::string& name,
                               const std::string& pattern) = 0;
  virtual absl::Status PutTargets(const std::string& bus, const std::string& rule,
                                  const std::vector<RuleTarget>& targets) = 0;
  virtual absl::Status DeleteRule(const std::string& bus, const std::string& rule,
                                  const std::vector<std::string>& target_ids) = 0;
  virtual absl::Status DeleteEventBus(const std::string& name) = 0;
};

// What Setup created, by scenario index.
struct Topology {
  std::vector<ControlPlane::QueueRef> queues;
  std::vector<std::string> topic_arns;
  std::vector<std::string> bus_names;  // As created ("default" stays "default").
  struct CreatedRule {
    std::string bus;
    std::string name;
    std::vector<std::string> target_ids;
  };
  std::vector<CreatedRule> rules;
};

// Setup and Teardown over a ControlPlane; sessions get the Topology.
class AwsTarget : public Target {
 public:
  absl::Status Setup(const Scenario& scenario, std::string_view prefix) override;
  absl::Status Teardown() override;

 protected:
  virtual ControlPlane& control() = 0;
  const Topology& topology() const { return topology_; }
  const std::string& prefix() const { return prefix_; }  // Setup's.

 private:
  Topology topology_;
  std::string prefix_;
};

// Why `target` cannot run a consumer of type mapping (Unimplemented).
absl::Status NoMappingsError(const Target& target);

// The target `spec` names, sized for `scenario` (its limits). Errors:
// InvalidArgument (a kind this build lacks, a bad URL).
absl::StatusOr<std::unique_ptr<Target>> MakeTarget(const TargetSpec& spec,
                                                   const Scenario& scenario);

// A Target for the no-op ceiling: Send accepts everything, Receive returns
// nothing (waiting out its wait or until stopped), Depth is zero.
std::unique_ptr<Target> MakeNoopTarget();

}  // namespace wharf::bench

#endif  // WHARF_BROKER_TOOLS_BENCH_TARGET_H_
