// File: wharf/events.h
//
// wharf::events::Service: Amazon EventBridge event buses, in process. Operation
// names, request and result fields mirror the AWS API (2015-10-07) in
// snake_case, so code written from the AWS docs reads the same here. Limits,
// defaults and error codes follow spec/eventbridge.md; failures carry the AWS
// error code (see wharf/errors.h).
//
//   wharf::events::Service& events = broker->events();
//   events.PutRule({.name = "orders",
//                   .event_pattern = R"({"source":["com.example.orders"]})"});
//   events.PutTargets({.rule = "orders",
//                      .targets = {{.id = "q", .arn = queue_arn}}});
//   events.PutEvents({.entries = {{.source = "com.example.orders",
//                                  .detail_type = "OrderPlaced",
//                                  .detail = R"({"orderId":42})"}}});
//
// Delivery is synchronous: PutEvents matches each event against the bus's
// enabled rules (one compiled matcher per bus) and delivers to every target of
// every matching rule before it returns. A failed delivery is retried on the
// broker's Clock (RetryPolicy, exponential backoff), then sent to the target's
// dead-letter queue. Scheduled rules and replays also run on the Clock: with a
// ManualClock they run inside ManualClock::Advance.
//
// Besides AWS target kinds (SQS queues, SNS topics, event buses and Lambda
// functions of the same broker) a target may be an in-process callback:
// RegisterCallback gives it an ARN to use as a Target's `arn`. A function
// target (arn:aws:lambda:<region>:<account>:function:<name>, see
// wharf/lambda.h) is invoked asynchronously, as EventBridge invokes Lambda:
// the delivery succeeds once the invocation is queued.
//
// A target receives the event envelope as JSON (unless Input, InputPath or
// an InputTransformer shape it); ParseEvent reads it back:
//
//   auto event = wharf::events::ParseEvent(message.body);
//   if (event.ok() && event->detail_type == "OrderPlaced") Handle(event->detail);
//
// Thread safety: thread-safe. Callbacks run on the thread that delivers
// (PutEvents, or the clock's scheduler thread) with no wharf lock held; they
// may call back into the Service.
//
// Lifetime (see wharf/broker.h): the Service lives as long as its Broker.
// Destroying the Broker drops the retries, scheduled-rule firings and replay
// steps not yet started and waits for one that is running (with a
// ManualClock: an Advance in progress on another thread), so a callback may
// put events, publish or send even while the Broker is being destroyed. It
// must not destroy the Broker itself. Callbacks are destroyed with the
// Broker.

#ifndef WHARF_EVENTS_H_
#define WHARF_EVENTS_H_

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "wharf/errors.h"

namespace wharf::events {

struct Tag {
  std::string key{};    // 1-128 chars.
  std::string value{};  // 0-256 chars.

  friend bool operator==(const Tag&, const Tag&) = default;
};

struct DeadLetterConfig {
  std::string arn{};  // An SQS queue ARN.
};

// ---- Event buses ------------------------------------------------------------

struct CreateEventBusRequest {
  std::string name{};  // 1-256 [.\-_A-Za-z0-9]; not "default".
  std::string event_source_name{};
  std::string description{};  // <= 512 chars.
  std::string kms_key_identifier{};
  std::optional<DeadLetterConfig> dead_letter_config{};
  std::vector<Tag> tags{};
};
struct CreateEventBusResult {
  std::string event_bus_arn{};
  std::string description{};
};

struct DeleteEventBusRequest {
  std::string name{};
};

struct DescribeEventBusRequest {
  std::string name{};  // Name or ARN; empty: "default".
};
struct EventBus {
  std::string name{};
  std::string arn{};
  std::string description{};
  // Set by DescribeEventBus only (ListEventBuses omits them, as AWS).
  std::string kms_key_identifier{};
  std::optional<DeadLetterConfig> dead_letter_config{};
  // The resource policy (JSON) PutPermission made; empty: none.
  std::string policy{};
  absl::Time creation_time{};
  absl::Time last_modified_time{};
};
using DescribeEventBusResult = EventBus;

// A field left unset keeps its value; an empty description or key
// identifier, or a dead_letter_config without an ARN, removes it.
struct UpdateEventBusRequest {
  std::string name{};                               // Empty: "default".
  std::optional<std::string> description{};         // <= 512 chars.
  std::optional<std::string> kms_key_identifier{};  // <= 2048 [A-Za-z0-9_\-/:].
  std::optional<DeadLetterConfig> dead_letter_config{};
};
struct UpdateEventBusResult {
  std::string arn{};
  std::string name{};
  std::string description{};
  std::string kms_key_identifier{};
  std::optional<DeadLetterConfig> dead_letter_config{};
};

// Grants another account (or, with a condition, an organization) PutEvents on
// a bus: a statement of the bus's resource policy. Either the statement
// fields, or a whole `policy` document that replaces the bus's policy.
struct Condition {
  std::string type{};   // "StringEquals".
  std::string key{};    // "aws:PrincipalOrgID".
  std::string value{};  // The organization id.
};
struct PutPermissionRequest {
  std::string event_bus_name{};          // A name (not an ARN); empty: "default".
  std::string action{};                  // "events:PutEvents".
  std::string principal{};               // A 12-digit account id, or "*".
  std::string statement_id{};            // 1-64 [a-zA-Z0-9-_]; replaces a statement of that id.
  std::optional<Condition> condition{};  // Needs principal "*".
  std::string policy{};                  // JSON; when set, the fields above are ignored.
};
struct RemovePermissionRequest {
  std::string statement_id{};
  bool remove_all_permissions = false;
  std::string event_bus_name{};
};

struct ListEventBusesRequest {
  std::string name_prefix{};
  std::string next_token{};
  std::optional<int> limit{};  // 1-100.
};
struct ListEventBusesResult {
  std::vector<EventBus> event_buses{};  // By name.
  std::string next_token{};             // Empty when there are no more.
};

// ---- Events -----------------------------------------------------------------

struct PutEventsRequestEntry {
  std::optional<absl::Time> time{};  // Default: the time of the call.
  std::string source{};
  std::vector<std::string> resources{};
  std::string detail_type{};
  std::string detail{};          // A JSON object.
  std::string event_bus_name{};  // Name or ARN; empty: "default".
  std::string trace_header{};
};
struct PutEventsRequest {
  std::vector<PutEventsRequestEntry> entries{};  // 1-10.
  std::string endpoint_id{};
};
struct PutEventsResultEntry {
  std::string event_id{};       // Set on success.
  std::string error_code{};     // Set on failure: the AWS name of an ErrorCode, e.g.
                                // "MalformedDetail" (ErrorCode::kEventsMalformedDetail).
  std::string error_message{};  // e.g. "Detail is malformed."
};
struct PutEventsResult {
  int failed_entry_count = 0;
  std::vector<PutEventsResultEntry> entries{};  // entries[i] answers request entry i.
};

struct TestEventPatternRequest {
  std::string event_pattern{};
  // A JSON object with at least "id", "account", "source", "time", "region"
  // and "detail-type" (else ValidationException "Parameter Event is not
  // valid."); "resources" may be missing.
  std::string event{};
};
struct TestEventPatternResult {
  bool result = false;
};

// An event as EventBridge delivers it to a target without input shaping (and
// as TestEventPattern takes it).
struct Event {
  std::string version{};  // "0".
  std::string id{};
  std::string detail_type{};
  std::string source{};
  std::string account{};
  absl::Time time{};
  std::string region{};
  std::vector<std::string> resources{};
  std::string detail{};       // A JSON object, compact, numbers as written.
  std::string replay_name{};  // Set on events a replay sends.
};

// Parses an event envelope. Unknown keys are ignored. Errors: InvalidArgument
// naming what is missing or malformed (not a JSON object; id, detail-type,
// source, account, time or region missing or not a string; a bad time;
// resources not an array of strings; detail missing or not an object).
// Bounded: the input is parsed once, at most 1,000 levels deep. Thread-safe.
absl::StatusOr<Event> ParseEvent(std::string_view json);

// ---- Rules ------------------------------------------------------------------

struct PutRuleRequest {
  std::string name{};                 // 1-64 [.\-_A-Za-z0-9].
  std::string schedule_expression{};  // rate(...) or cron(...); default bus only.
  std::string event_pattern{};        // JSON; at least one of pattern / schedule.
  std::string state{};                // ENABLED (default if empty) | DISABLED |
                                      // ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS
  std::string description{};          // <= 512 chars.
  std::string role_arn{};
  std::vector<Tag> tags{};  // Ignored when the rule exists.
  std::string event_bus_name{};
};
struct PutRuleResult {
  std::string rule_arn{};
};

struct DeleteRuleRequest {
  std::string name{};
  std::string event_bus_name{};
  bool force = false;
};

struct DescribeRuleRequest {
  std::string name{};
  std::string event_bus_name{};
};
struct Rule {
  std::string name{};
  std::string arn{};
  std::string event_pattern{};
  std::string schedule_expression{};
  std::string state{};
  std::string description{};
  std::string role_arn{};
  std::string managed_by{};
  std::string event_bus_name{};
  std::string created_by{};  // The account id.
};
using DescribeRuleResult = Rule;

struct ListRulesRequest {
  std::string name_prefix{};
  std::string event_bus_name{};
  std::string next_token{};
  std::optional<int> limit{};  // 1-100.
};
struct ListRulesResult {
  std::vector<Rule> rules{};  // By name.
  std::string next_token{};
};

struct EnableRuleRequest {
  std::string name{};
  std::string event_bus_name{};
};
using DisableRuleRequest = EnableRuleRequest;

// ---- Targets ----------------------------------------------------------------

struct InputTransformer {
  std::map<std::string, std::string> input_paths_map{};  // <= 100; key -> JSONPath.
  std::string input_template{};                          // 1-8192 chars.
};
struct SqsParameters {
  std::string message_group_id{};  // FIFO queues; <= 100 chars.
};
struct RetryPolicy {
  std::optional<int> maximum_retry_attempts{};        // 0-185, default 185.
  std::optional<int> maximum_event_age_in_seconds{};  // 60-86400, default 86400.
};
struct Target {
  std::string id{};   // 1-64 [.\-_A-Za-z0-9].
  std::string arn{};  // Queue, topic, event bus or RegisterCallback ARN.
  std::string role_arn{};
  // At most one of input, input_path, input_transformer.
  std::optional<std::string> input{};  // Constant JSON, <= 8192 chars.
  std::string input_path{};            // JSONPath, <= 256 chars.
  std::optional<InputTransformer> input_transformer{};
  std::optional<SqsParameters> sqs_parameters{};
  std::optional<DeadLetterConfig> dead_letter_config{};
  std::optional<RetryPolicy> retry_policy{};
};

struct PutTargetsRequest {
  std::string rule{};
  std::string event_bus_name{};
  std::vector<Target> targets{};  // 1-100; at most 5 per rule in total.
};
struct FailedTargetEntry {
  std::string target_id{};
  std::string error_code{};
  std::string error_message{};
};
struct PutTargetsResult {
  int failed_entry_count = 0;
  std::vector<FailedTargetEntry> failed_entries{};
};

struct RemoveTargetsRequest {
  std::string rule{};
  std::string event_bus_name{};
  std::vector<std::string> ids{};  // 1-100.
  bool force = false;
};
using RemoveTargetsResult = PutTargetsResult;

struct ListTargetsByRuleRequest {
  std::string rule{};
  std::string event_bus_name{};
  std::string next_token{};
  std::optional<int> limit{};  // 1-100.
};
struct ListTargetsByRuleResult {
  std::vector<Target> targets{};  // By id.
  std::string next_token{};
};

struct ListRuleNamesByTargetRequest {
  std::string target_arn{};
  std::string event_bus_name{};
  std::string next_token{};
  std::optional<int> limit{};  // 1-100.
};
struct ListRuleNamesByTargetResult {
  std::vector<std::string> rule_names{};
  std::string next_token{};
};

// ---- Archives and replays ---------------------------------------------------

struct CreateArchiveRequest {
  std::string archive_name{};      // 1-48 [.\-_A-Za-z0-9].
  std::string event_source_arn{};  // The bus ARN.
  std::string description{};
  std::string event_pattern{};          // Empty: every event.
  std::optional<int> retention_days{};  // >= 0; 0 (default) keeps forever.
  std::string kms_key_identifier{};
};
struct CreateArchiveResult {
  std::string archive_arn{};
  std::string state{};  // ENABLED.
  std::string state_reason{};
  absl::Time creation_time{};
};

struct UpdateArchiveRequest {
  std::string archive_name{};
  std::optional<std::string> description{};
  std::optional<std::string> event_pattern{};
  std::optional<int> retention_days{};
  std::string kms_key_identifier{};
};
using UpdateArchiveResult = CreateArchiveResult;

struct DescribeArchiveRequest {
  std::string archive_name{};
};
struct Archive {
  std::string archive_arn{};  // Set by DescribeArchive only (ListArchives omits it, as AWS).
  std::string archive_name{};
  std::string event_source_arn{};
  std::string description{};
  std::string event_pattern{};
  std::string state{};
  std::string state_reason{};
  int retention_days = 0;
  int64_t size_bytes = 0;
  int64_t event_count = 0;
  absl::Time creation_time{};
};
using DescribeArchiveResult = Archive;

struct ListArchivesRequest {
  std::string name_prefix{};
  std::string event_source_arn{};
  std::string state{};
  std::string next_token{};
  std::optional<int> limit{};  // 1-100.
};
struct ListArchivesResult {
  std::vector<Archive> archives{};
  std::string next_token{};
};

struct DeleteArchiveRequest {
  std::string archive_name{};
};

struct ReplayDestination {
  std::string arn{};                       // The archive's bus.
  std::vector<std::string> filter_arns{};  // Rule ARNs; empty: every rule.
};
struct StartReplayRequest {
  std::string replay_name{};  // 1-64 [.\-_A-Za-z0-9].
  std::string description{};
  std::string event_source_arn{};  // The archive ARN.
  absl::Time event_start_time{};
  absl::Time event_end_time{};  // Exclusive.
  ReplayDestination destination{};
};
struct StartReplayResult {
  std::string replay_arn{};
  std::string state{};  // STARTING.
  std::string state_reason{};
  absl::Time replay_start_time{};
};

struct DescribeReplayRequest {
  std::string replay_name{};
};
struct Replay {
  std::string replay_name{};
  std::string replay_arn{};
  std::string description{};
  std::string state{};  // STARTING RUNNING CANCELLING COMPLETED CANCELLED FAILED
  std::string state_reason{};
  std::string event_source_arn{};
  ReplayDestination destination{};
  absl::Time event_start_time{};
  absl::Time event_end_time{};
  std::optional<absl::Time> event_last_replayed_time{};
  absl::Time replay_start_time{};
  std::optional<absl::Time> replay_end_time{};
};
using DescribeReplayResult = Replay;

struct ListReplaysRequest {
  std::string name_prefix{};
  std::string state{};
  std::string event_source_arn{};
  std::string next_token{};
  std::optional<int> limit{};  // 1-100.
};
struct ListReplaysResult {
  std::vector<Replay> replays{};
  std::string next_token{};
};

struct CancelReplayRequest {
  std::string replay_name{};
};
struct CancelReplayResult {
  std::string replay_arn{};
  std::string state{};  // CANCELLING, or CANCELLED when nothing was left to stop.
  std::string state_reason{};
};

// ---- Tags -------------------------------------------------------------------

// Event buses and rules carry tags (at most 50 each). A resource is named by
// its ARN: arn:aws:events:<region>:<account>:event-bus/<name>, or
// ...:rule/<name> for a rule on the default bus and ...:rule/<bus>/<name>
// otherwise. Tags given at CreateEventBus / PutRule (creation) count too;
// deleting the resource drops them.
struct TagResourceRequest {
  std::string resource_arn{};
  std::vector<Tag> tags{};  // Adds, or replaces the value of an existing key.
};
struct UntagResourceRequest {
  std::string resource_arn{};
  std::vector<std::string> tag_keys{};  // Keys the resource lacks are ignored.
};
struct ListTagsForResourceRequest {
  std::string resource_arn{};
};
struct ListTagsForResourceResult {
  std::vector<Tag> tags{};  // By key.
};

// ---- In-process callback targets --------------------------------------------

// What a callback target receives: the shaped input (the event envelope, or
// what Input / InputPath / InputTransformer made of it) and where it came from.
struct CallbackEvent {
  std::string body{};
  std::string rule_arn{};
  std::string target_id{};
  std::string event_id{};
  int attempt = 1;  // 1 for the first delivery, 2 for the first retry, ...
};
// Returns OK when delivered. A failure with absl::StatusCode::kUnavailable,
// kResourceExhausted, kDeadlineExceeded or kInternal is retried under the
// target's RetryPolicy; any other failure goes straight to the dead-letter
// queue (or is dropped).
using Callback = std::function<absl::Status(const CallbackEvent& event)>;

// ---- Service ----------------------------------------------------------------

struct ServiceOptions {
  // Upper bound on the summed entry sizes of one PutEvents request (bytes).
  // AWS raised it from 262,144 to 1,048,576 on 2026-01-29; set 262144 for the
  // older limit.
  int64_t max_put_events_request_bytes = 1048576;
  int max_event_buses = 100;           // Custom buses, plus default.
  int max_rules_per_event_bus = 300;   // LimitExceededException beyond.
  int max_event_pattern_chars = 2048;  // AWS default quota (model: 4096).
  int max_concurrent_replays = 10;
  // AWS rejects PutEvents entries whose Source starts with "aws." (those
  // sources belong to AWS services) with NotAuthorizedForSourceException.
  // True lets a test inject events as an AWS service would send them.
  bool allow_aws_event_sources = false;
};

class Service {
 public:
  virtual ~Service() = default;

  // Event buses. Errors: ValidationException, ResourceAlreadyExistsException,
  // ResourceNotFoundException, LimitExceededException.
  virtual absl::StatusOr<CreateEventBusResult> CreateEventBus(
      const CreateEventBusRequest& request) = 0;
  virtual absl::Status DeleteEventBus(const DeleteEventBusRequest& request) = 0;
  virtual absl::StatusOr<DescribeEventBusResult> DescribeEventBus(
      const DescribeEventBusRequest& request) = 0;
  virtual absl::StatusOr<ListEventBusesResult> ListEventBuses(
      const ListEventBusesRequest& request) = 0;
  virtual absl::StatusOr<UpdateEventBusResult> UpdateEventBus(
      const UpdateEventBusRequest& request) = 0;

  // A bus's resource policy, shown by DescribeEventBus and ListEventBuses.
  // wharf keeps it but does not enforce it (one account, in process).
  // Errors: ValidationException, ResourceNotFoundException (the bus; a
  // statement id the policy lacks; RemoveAllPermissions without a policy),
  // PolicyLengthExceededException (a policy over 10 KB).
  virtual absl::Status PutPermission(const PutPermissionRequest& request) = 0;
  virtual absl::Status RemovePermission(const RemovePermissionRequest& request) = 0;

  // Validates, matches and delivers each entry. Per-entry failures are in the
  // result; request-level failures (entry count, total size, a malformed bus
  // name) are a ValidationException status. An entry for a bus that does not
  // exist gets an EventId and is dropped, as AWS does.
  virtual absl::StatusOr<PutEventsResult> PutEvents(const PutEventsRequest& request) = 0;
  virtual absl::StatusOr<TestEventPatternResult> TestEventPattern(
      const TestEventPatternRequest& request) = 0;

  // Rules.
  virtual absl::StatusOr<PutRuleResult> PutRule(const PutRuleRequest& request) = 0;
  virtual absl::Status DeleteRule(const DeleteRuleRequest& request) = 0;
  virtual absl::StatusOr<DescribeRuleResult> DescribeRule(const DescribeRuleRequest& request) = 0;
  virtual absl::StatusOr<ListRulesResult> ListRules(const ListRulesRequest& request) = 0;
  virtual absl::Status EnableRule(const EnableRuleRequest& request) = 0;
  virtual absl::Status DisableRule(const DisableRuleRequest& request) = 0;

  // Targets.
  virtual absl::StatusOr<PutTargetsResult> PutTargets(const PutTargetsRequest& request) = 0;
  virtual absl::StatusOr<RemoveTargetsResult> RemoveTargets(
      const RemoveTargetsRequest& request) = 0;
  virtual absl::StatusOr<ListTargetsByRuleResult> ListTargetsByRule(
      const ListTargetsByRuleRequest& request) = 0;
  virtual absl::StatusOr<ListRuleNamesByTargetResult> ListRuleNamesByTarget(
      const ListRuleNamesByTargetRequest& request) = 0;

  // Archives and replays.
  virtual absl::StatusOr<CreateArchiveResult> CreateArchive(
      const CreateArchiveRequest& request) = 0;
  virtual absl::StatusOr<UpdateArchiveResult> UpdateArchive(
      const UpdateArchiveRequest& request) = 0;
  virtual absl::StatusOr<DescribeArchiveResult> DescribeArchive(
      const DescribeArchiveRequest& request) = 0;
  virtual absl::StatusOr<ListArchivesResult> ListArchives(const ListArchivesRequest& request) = 0;
  virtual absl::Status DeleteArchive(const DeleteArchiveRequest& request) = 0;
  virtual absl::StatusOr<StartReplayResult> StartReplay(const StartReplayRequest& request) = 0;
  virtual absl::StatusOr<DescribeReplayResult> DescribeReplay(
      const DescribeReplayRequest& request) = 0;
  virtual absl::StatusOr<ListReplaysResult> ListReplays(const ListReplaysRequest& request) = 0;
  virtual absl::StatusOr<CancelReplayResult> CancelReplay(const CancelReplayRequest& request) = 0;

  // Tags on event buses and rules. Errors: ValidationException (malformed
  // ARN, key or value length), ResourceNotFoundException,
  // LimitExceededException (more than 50 tags on the resource).
  virtual absl::Status TagResource(const TagResourceRequest& request) = 0;
  virtual absl::Status UntagResource(const UntagResourceRequest& request) = 0;
  virtual absl::StatusOr<ListTagsForResourceResult> ListTagsForResource(
      const ListTagsForResourceRequest& request) = 0;

  // Registers an in-process target and returns its ARN
  // ("arn:wharf:events:<region>:<account>:callback/<name>"). Registering an
  // existing name replaces its function. Errors: ValidationException (name
  // not 1-64 [.\-_A-Za-z0-9]).
  virtual absl::StatusOr<std::string> RegisterCallback(const std::string& name,
                                                       Callback callback) = 0;
  // After it returns, the callback is not called again (calls in progress on
  // other threads may finish). Deliveries to it then fail as to a missing target.
  virtual void UnregisterCallback(const std::string& name) = 0;
};

}  // namespace wharf::events

#endif  // WHARF_EVENTS_H_
