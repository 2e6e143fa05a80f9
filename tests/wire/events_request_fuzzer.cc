// libFuzzer target for the EventBridge JSON 1.1 decoder: arbitrary bytes
// become a request body for one of the AWSEvents operations (chosen by the
// first byte) handed to the Router over a stub events::Service that answers
// every call with a fixed, non-trivial result (timestamps, optional members,
// per-entry failures), so the encoders run too. Any crash, sanitizer report
// or hang is a bug: malformed input must end in an AWS error response.
//
// Build and run (clang only; built with wire_request_fuzzer):
//   cmake -S . -B build-fuzz -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DWHARF_BUILD_FUZZ=ON
//   ninja -C build-fuzz wire_events_fuzzer
//   mkdir -p /tmp/wharf-events-fuzz   # new inputs go to the first directory
//   cd build-fuzz/tests/wire && ./wire_events_fuzzer -max_total_time=30
//       -max_len=4096 /tmp/wharf-events-fuzz ../../../tests/wire/events_fuzz_corpus
//   (one line)

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "broker/wire/apis.h"
#include "broker/wire/http_types.h"
#include "broker/wire/router.h"
#include "tests/wire/fuzz_util.h"
#include "wharf/errors.h"
#include "wharf/events.h"

namespace wharf {
namespace {

// Answers every call; a name ending in 'x' fails with an AWS error to reach
// the error renderer.
class StubService : public events::Service {
 public:
  template <typename T>
  static absl::StatusOr<T> Maybe(const std::string& key, T value) {
    if (!key.empty() && key.back() == 'x') {
      return MakeError(ErrorCode::kEventsResourceNotFound, "Resource \"x\" does not exist.");
    }
    return value;
  }
  static absl::Status MaybeStatus(const std::string& key) { return Maybe(key, 0).status(); }

  static events::EventBus Bus() {
    events::EventBus bus;
    bus.name = "b";
    bus.arn = "arn:aws:events:us-east-1:000000000000:event-bus/b";
    bus.description = "d\n\"q\"";
    bus.creation_time = absl::FromUnixMillis(1767225600123);
    bus.last_modified_time = absl::InfinitePast();
    return bus;
  }
  static events::Rule Rule() {
    events::Rule rule;
    rule.name = "r";
    rule.arn = "arn:aws:events:us-east-1:000000000000:rule/r";
    rule.event_pattern = R"({"source":["s"]})";
    rule.state = "ENABLED";
    rule.event_bus_name = "default";
    rule.created_by = "000000000000";
    return rule;
  }
  static events::Target Target() {
    events::Target target;
    target.id = "t";
    target.arn = "arn:aws:sqs:us-east-1:000000000000:q";
    target.input = "{}";
    target.input_transformer = events::InputTransformer{{{"a", "$.a"}}, "<a>"};
    target.sqs_parameters = events::SqsParameters{"g"};
    target.dead_letter_config = events::DeadLetterConfig{"arn:aws:sqs:us-east-1:000000000000:d"};
    target.retry_policy = events::RetryPolicy{3, std::nullopt};
    return target;
  }
  static events::Archive Archive() {
    events::Archive archive;
    archive.archive_arn = "arn:aws:events:us-east-1:000000000000:archive/a";
    archive.archive_name = "a";
    archive.event_source_arn = Bus().arn;
    archive.state = "ENABLED";
    archive.event_count = 7;
    archive.creation_time = absl::InfiniteFuture();
    return archive;
  }
  static events::Replay Replay() {
    events::Replay replay;
    replay.replay_name = "p";
    replay.replay_arn = "arn:aws:events:us-east-1:000000000000:replay/p";
    replay.state = "RUNNING";
    replay.destination = {Bus().arn, {Rule().arn}};
    replay.event_end_time = absl::FromUnixSeconds(-1);
    replay.event_last_replayed_time = absl::FromUnixMicros(1);
    return replay;
  }

  absl::StatusOr<events::CreateEventBusResult> CreateEventBus(
      const events::CreateEventBusRequest& r) override {
    return Maybe(r.name, events::CreateEventBusResult{Bus().arn, r.description});
  }
  absl::Status DeleteEventBus(const events::DeleteEventBusRequest& r) override {
    return MaybeStatus(r.name);
  }
  absl::StatusOr<events::DescribeEventBusResult> DescribeEventBus(
      const events::DescribeEventBusRequest& r) override {
    return Maybe(r.name, Bus());
  }
  absl::StatusOr<events::ListEventBusesResult> ListEventBuses(
      const events::ListEventBusesRequest& r) override {
    return Maybe(r.name_prefix, events::ListEventBusesResult{{Bus(), Bus()}, "token"});
  }
  absl::StatusOr<events::UpdateEventBusResult> UpdateEventBus(
      const events::UpdateEventBusRequest& r) override {
    events::UpdateEventBusResult result;
    result.arn = Bus().arn;
    result.name = r.name;
    result.description = r.description.value_or("");
    result.kms_key_identifier = r.kms_key_identifier.value_or("");
    result.dead_letter_config = r.dead_letter_config;
    return Maybe(r.name, result);
  }
  absl::Status PutPermission(const events::PutPermissionRequest& r) override {
    return MaybeStatus(r.event_bus_name);
  }
  absl::Status RemovePermission(const events::RemovePermissionRequest& r) override {
    return MaybeStatus(r.event_bus_name);
  }
  absl::StatusOr<events::PutEventsResult> PutEvents(const events::PutEventsRequest& r) override {
    events::PutEventsResult result;
    for (const events::PutEventsRequestEntry& e : r.entries) {
      if (e.source.empty()) {
        result.entries.push_back({"", "InvalidArgument", "Source is a required argument."});
        ++result.failed_entry_count;
      } else {
        result.entries.push_back({"id", "", ""});
      }
    }
    return Maybe(r.endpoint_id, result);
  }
  absl::StatusOr<events::TestEventPatternResult> TestEventPattern(
      const events::TestEventPatternRequest& r) override {
    return Maybe(r.event_pattern, events::TestEventPatternResult{r.event.size() % 2 == 0});
  }
  absl::StatusOr<events::PutRuleResult> PutRule(const events::PutRuleRequest& r) override {
    return Maybe(r.name, events::PutRuleResult{Rule().arn});
  }
  absl::Status DeleteRule(const events::DeleteRuleRequest& r) override {
    return MaybeStatus(r.name);
  }
  absl::StatusOr<events::DescribeRuleResult> DescribeRule(
      const events::DescribeRuleRequest& r) override {
    return Maybe(r.name, Rule());
  }
  absl::StatusOr<events::ListRulesResult> ListRules(const events::ListRulesRequest& r) override {
    return Maybe(r.name_prefix, events::ListRulesResult{{Rule()}, ""});
  }
  absl::Status EnableRule(const events::EnableRuleRequest& r) override {
    return MaybeStatus(r.name);
  }
  absl::Status DisableRule(const events::DisableRuleRequest& r) override {
    return MaybeStatus(r.name);
  }
  absl::StatusOr<events::PutTargetsResult> PutTargets(const events::PutTargetsRequest& r) override {
    events::PutTargetsResult result;
    for (const events::Target& t : r.targets) {
      if (t.input && t.input_transformer) {
        result.failed_entries.push_back({t.id, "ValidationException", "Only one."});
        ++result.failed_entry_count;
      }
    }
    return Maybe(r.rule, result);
  }
  absl::StatusOr<events::RemoveTargetsResult> RemoveTargets(
      const events::RemoveTargetsRequest& r) override {
    return Maybe(r.rule, events::RemoveTargetsResult{});
  }
  absl::StatusOr<events::ListTargetsByRuleResult> ListTargetsByRule(
      const events::ListTargetsByRuleRequest& r) override {
    return Maybe(r.rule, events::ListTargetsByRuleResult{{Target()}, "next"});
  }
  absl::StatusOr<events::ListRuleNamesByTargetResult> ListRuleNamesByTarget(
      const events::ListRuleNamesByTargetRequest& r) override {
    return Maybe(r.target_arn, events::ListRuleNamesByTargetResult{{"a", "b"}, ""});
  }
  absl::StatusOr<events::CreateArchiveResult> CreateArchive(
      const events::CreateArchiveRequest& r) override {
    return Maybe(r.archive_name, events::CreateArchiveResult{Archive().archive_arn, "ENABLED", "",
                                                             absl::UnixEpoch()});
  }
  absl::StatusOr<events::UpdateArchiveResult> UpdateArchive(
      const events::UpdateArchiveRequest& r) override {
    return Maybe(r.archive_name, events::UpdateArchiveResult{Archive().archive_arn, "ENABLED",
                                                             "why", absl::UnixEpoch()});
  }
  absl::StatusOr<events::DescribeArchiveResult> DescribeArchive(
      const events::DescribeArchiveRequest& r) override {
    return Maybe(r.archive_name, Archive());
  }
  absl::StatusOr<events::ListArchivesResult> ListArchives(
      const events::ListArchivesRequest& r) override {
    return Maybe(r.name_prefix, events::ListArchivesResult{{Archive()}, "t"});
  }
  absl::Status DeleteArchive(const events::DeleteArchiveRequest& r) override {
    return MaybeStatus(r.archive_name);
  }
  absl::StatusOr<events::StartReplayResult> StartReplay(
      const events::StartReplayRequest& r) override {
    return Maybe(r.replay_name, events::StartReplayResult{Replay().replay_arn, "STARTING", "",
                                                          r.event_start_time});
  }
  absl::StatusOr<events::DescribeReplayResult> DescribeReplay(
      const events::DescribeReplayRequest& r) override {
    return Maybe(r.replay_name, Replay());
  }
  absl::StatusOr<events::ListReplaysResult> ListReplays(
      const events::ListReplaysRequest& r) override {
    return Maybe(r.name_prefix, events::ListReplaysResult{{Replay()}, ""});
  }
  absl::StatusOr<events::CancelReplayResult> CancelReplay(
      const events::CancelReplayRequest& r) override {
    return Maybe(r.replay_name, events::CancelReplayResult{Replay().replay_arn, "CANCELLING", ""});
  }
  absl::Status TagResource(const events::TagResourceRequest& r) override {
    return MaybeStatus(r.resource_arn);
  }
  absl::Status UntagResource(const events::UntagResourceRequest& r) override {
    return MaybeStatus(r.resource_arn);
  }
  absl::StatusOr<events::ListTagsForResourceResult> ListTagsForResource(
      const events::ListTagsForResourceRequest& r) override {
    return Maybe(r.resource_arn, events::ListTagsForResourceResult{{{"a", ""}, {"k\n\"q\"", "v"}}});
  }
  absl::StatusOr<std::string> RegisterCallback(const std::string& name, events::Callback) override {
    return name;
  }
  void UnregisterCallback(const std::string&) override {}
};

constexpr std::string_view kOperations[] = {
    "CreateEventBus", "DeleteEventBus",      "DescribeEventBus",  "ListEventBuses",
    "PutEvents",      "TestEventPattern",    "PutRule",           "DeleteRule",
    "DescribeRule",   "ListRules",           "EnableRule",        "DisableRule",
    "PutTargets",     "RemoveTargets",       "ListTargetsByRule", "ListRuleNamesByTarget",
    "CreateArchive",  "UpdateArchive",       "DescribeArchive",   "ListArchives",
    "DeleteArchive",  "StartReplay",         "DescribeReplay",    "ListReplays",
    "CancelReplay",   "ListTagsForResource", "Teleport",          "TagResource",
    "UntagResource",  "UpdateEventBus",      "PutPermission",     "RemovePermission",
};

struct Harness {
  Harness() : router({}) { router.AddJson(wire::MakeEventsApi(service)); }
  StubService service;
  wire::Router router;
};

}  // namespace
}  // namespace wharf

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static wharf::Harness* harness = new wharf::Harness();
  if (size < 1) return 0;
  constexpr size_t kCount = sizeof(wharf::kOperations) / sizeof(wharf::kOperations[0]);
  std::string_view operation = wharf::kOperations[data[0] % kCount];
  wharf::wire::HttpRequest request;
  request.method = "POST";
  request.path = "/";
  request.headers = {{"content-type", "application/x-amz-json-1.1"},
                     {"x-amz-target", "AWSEvents." + std::string(operation)}};
  request.body.assign(reinterpret_cast<const char*>(data) + 1, size - 1);
  wharf::wire::HttpResponse response =
      wharf::testing::FuzzHandle(harness->router, std::move(request));
  // Every answer is JSON in the 1.1 content type, 200 or an AWS error.
  if (response.content_type != "application/x-amz-json-1.1" || response.body.empty() ||
      response.body.front() != '{' || (response.status != 200 && response.status != 400)) {
    __builtin_trap();
  }
  return 0;
}
