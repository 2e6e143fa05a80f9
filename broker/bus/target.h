// A rule's target as the bus core keeps it: the fields PutTargets gave
// (spec/eventbridge.md §4), and where its ARN points, which the service layer
// resolves (the core makes and parses no ARNs).
//
// Thread safety: value types.

#ifndef WHARF_BROKER_BUS_TARGET_H_
#define WHARF_BROKER_BUS_TARGET_H_

#include <map>
#include <optional>
#include <string>

namespace wharf::bus_internal {

struct InputTransformerSpec {
  std::map<std::string, std::string> input_paths_map;  // Key -> JSONPath.
  std::string input_template;
};

// RetryPolicy; unset fields take the defaults (185 attempts, 86,400 s).
struct RetryLimits {
  std::optional<int> maximum_retry_attempts;
  std::optional<int> maximum_event_age_in_seconds;
};

struct TargetSpec {
  // What the ARN names, resolved by the service layer. kArchive: the target
  // of an archive's managed rule (archives.h), made by the core only.
  enum class Kind { kQueue, kTopic, kBus, kCallback, kFunction, kArchive, kUnsupported };

  std::string id;
  std::string arn;
  Kind kind = Kind::kUnsupported;
  std::string resource;  // kBus: the bus name; kCallback: the callback name.
  std::string role_arn;
  // Input shaping (input_transformer.h): at most one of the three.
  std::optional<std::string> input;
  std::string input_path;
  std::optional<InputTransformerSpec> input_transformer;
  std::optional<std::string> sqs_message_group_id;  // SqsParameters, when given.
  std::optional<std::string> dead_letter_arn;       // DeadLetterConfig, when given.
  std::optional<RetryLimits> retry_policy;
};

}  // namespace wharf::bus_internal

#endif  // WHARF_BROKER_BUS_TARGET_H_
