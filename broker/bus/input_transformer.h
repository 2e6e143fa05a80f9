// Target input shaping (spec/eventbridge.md §5): what a target receives in
// place of the full event envelope. A TargetInput is built and validated once,
// when PutTargets stores the target, and applied per delivery.
//
//   none               the envelope, verbatim
//   Input              a constant JSON text
//   InputPath          the JSON value a JSONPath selects from the envelope
//   InputTransformer   InputPathsMap (name -> JSONPath) + InputTemplate with
//                      <name> placeholders; a placeholder inside a JSON string
//                      is replaced by the value's text form (strings bare,
//                      objects and arrays without quotes), elsewhere by its
//                      JSON form (strings quoted). Predefined placeholders:
//                      <aws.events.rule-arn>, <aws.events.rule-name>,
//                      <aws.events.event.ingestion-time>, <aws.events.event>
//                      (the envelope without detail, "detailType" key) and
//                      <aws.events.event.json> (the whole envelope).
//
// JSONPath subset: `$`, then `.name`, `['name']` / `["name"]` and `[index]`
// steps. A path that selects nothing yields "" in a template (inside a string
// or not) and null as an InputPath.
//
// Thread safety: JsonPath and TargetInput are immutable after creation and
// thread-safe. EventView is not thread-safe (it parses lazily).

#ifndef WHARF_BROKER_BUS_INPUT_TRANSFORMER_H_
#define WHARF_BROKER_BUS_INPUT_TRANSFORMER_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "broker/bus/target.h"
#include "rapidjson/document.h"

namespace wharf::bus_internal {

class JsonPath {
 public:
  // Errors: ValidationException naming `what` (e.g. "InputPath").
  static absl::StatusOr<JsonPath> Parse(std::string_view path, std::string_view what);

  // The selected value, or null when the path selects nothing.
  const rapidjson::Value* Eval(const rapidjson::Value& root) const;

 private:
  // A step is a member name or an array index.
  std::vector<std::variant<std::string, size_t>> steps_;
};

// One event as seen by shaping: the envelope text, parsed on first use.
class EventView {
 public:
  explicit EventView(std::string_view envelope) : envelope_(envelope) {}
  std::string_view envelope() const { return envelope_; }
  // The parsed envelope. REQUIRES: the envelope is valid JSON (it is built by
  // the bus, so it always is).
  const rapidjson::Document& doc();

 private:
  std::string_view envelope_;
  std::optional<rapidjson::Document> doc_;
};

// Per-delivery facts the predefined placeholders need.
struct DeliveryContext {
  std::string_view rule_arn;
  std::string_view rule_name;
  absl::Time ingestion_time;
};

class TargetInput {
 public:
  // Validates the target's Input / InputPath / InputTransformer (at most one)
  // and prepares it. Errors: ValidationException with the AWS messages.
  static absl::StatusOr<std::shared_ptr<const TargetInput>> Create(const TargetSpec& target);

  // The text to deliver for `event`, or nullopt when a JSON object template
  // would not give JSON: an object or array value placed inside one of its
  // strings (AWS delivers nothing then; LocalStack
  // test_input_transformer_nested_keys_replacement_not_valid, AWS-validated).
  // A string template ("Payload of <payload>") takes such values without
  // their quotes instead.
  std::optional<std::string> Render(EventView& event, const DeliveryContext& context) const;
  // True when Render returns the envelope unchanged (no input shaping).
  bool verbatim() const { return mode_ == Mode::kEnvelope; }

 private:
  enum class Mode { kEnvelope, kConstant, kPath, kTemplate };
  struct Segment {
    std::string literal;     // Text before the placeholder (may be empty).
    int placeholder = -1;    // Index into paths_, or a kPredefined* value; -1: none.
    bool in_string = false;  // The placeholder sits inside a JSON string.
  };

  Mode mode_ = Mode::kEnvelope;
  bool object_template_ = false;  // The InputTemplate starts with '{'.
  std::string constant_;
  std::optional<JsonPath> path_;
  std::vector<JsonPath> paths_;  // InputPathsMap values, by placeholder index.
  std::vector<Segment> segments_;
};

}  // namespace wharf::bus_internal

#endif  // WHARF_BROKER_BUS_INPUT_TRANSFORMER_H_
