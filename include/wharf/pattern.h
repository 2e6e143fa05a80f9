// File: wharf/pattern.h
//
// A set of JSON patterns matched together: EventBridge event patterns and SNS
// filter policies. Patterns are added under string ids; matching an event
// returns the ids of every pattern it satisfies. All patterns of a Matcher
// are compiled into one automaton over the event's flattened, sorted field
// paths (in the manner of aws/event-ruler and quamina), so the cost of a match
// depends on the event and on how many patterns it satisfies, and only weakly
// on how many patterns are loaded. The language, its limits and the known
// differences from AWS are described in broker/pattern/README.md.
//
//   ASSIGN_OR_RETURN(auto m, wharf::Matcher::Create(wharf::PatternDialect::kEventBridge));
//   RETURN_IF_ERROR(m->Add("orders",
//   R"({"source":["shop"],"detail":{"total":[{"numeric":[">",100]}]}})"));
//   ASSIGN_OR_RETURN(std::vector<std::string> ids,
//                    m->MatchJson(R"({"source":"shop","detail":{"total":250}})"));  // {"orders"}
//
// Lifecycle: Create -> any number of Add/Remove and Match calls, in any order
// and from any threads. Add and Remove validate and record a pattern; the
// automaton is rebuilt lazily, once, by the first Match after a change (or by
// Compile), so loading N patterns costs O(N) and not O(N^2).
//
// Thread safety: Matcher is thread-safe. Add, Remove and Compile serialize
// on an internal mutex; Match calls run concurrently on an immutable snapshot
// of the automaton (copy-on-write) and never block on each other, except that
// the first Match after a change rebuilds the snapshot while holding the
// writer mutex (others needing the new snapshot wait for it).

#ifndef WHARF_PATTERN_H_
#define WHARF_PATTERN_H_

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace wharf {

// Which pattern language, which validation rules and which error codes.
enum class PatternDialect {
  // EventBridge event patterns (spec/eventbridge.md §4). Invalid patterns fail
  // with ErrorCode::kInvalidEventPattern, message
  // "Event pattern is not valid. Reason: <reason>".
  kEventBridge,
  // SNS filter policy, FilterPolicyScope=MessageAttributes (spec/sns.md §5):
  // flat policies over message attribute names. Invalid policies fail with
  // ErrorCode::kSnsInvalidParameter and the spec's reason text (e.g.
  // "FilterPolicy: Empty arrays are not allowed"); the service layer adds the
  // "Invalid parameter: ..." prefix of the operation.
  kSnsMessageAttributes,
  // SNS filter policy, FilterPolicyScope=MessageBody: nested policies over the
  // message body parsed as JSON.
  kSnsMessageBody,
};

struct MatcherOptions {
  PatternDialect dialect = PatternDialect::kEventBridge;
  // Most patterns the matcher holds; 0 = unlimited. Adding a new id beyond it
  // fails with kSnsFilterPolicyLimitExceeded (SNS dialects) or
  // kEventsLimitExceeded (EventBridge). Replacing an existing id never fails
  // on this limit. SNS allows 200 filter policies per topic.
  size_t max_patterns = 0;
};

// One SNS message attribute, as MatchAttributes takes it. data_type is
// "String", "String.Array", "Number" or "Binary", optionally followed by
// ".label" (e.g. "Number.float"). For String.Array, value is the JSON array
// text (e.g. R"(["a", 3, true])"). Binary attributes never match (SNS
// ignores them in filter policies). The views must stay valid for the call.
struct MessageAttributeRef {
  std::string_view name{};
  std::string_view data_type{};
  std::string_view value{};
};

// An event given as already flattened fields: each field is a dot-separated
// path ("detail.state") and a scalar value. Adding several values under the
// same path behaves like an array in a JSON event (any element may match).
// Not thread-safe; the Matcher only reads it.
class FlatEvent {
 public:
  enum class Kind : unsigned char { kString, kNumber, kTrue, kFalse, kNull };
  struct Field {
    std::string path{};
    Kind kind{};
    std::string text{};  // kString: the value.
    double number = 0;   // kNumber: the value.
  };

  void AddString(std::string_view path, std::string_view value);
  void AddNumber(std::string_view path, double value);
  void AddBool(std::string_view path, bool value);
  void AddNull(std::string_view path);

  const std::vector<Field>& fields() const { return fields_; }

 private:
  std::vector<Field> fields_;
};

class Matcher {
 public:
  // A matcher with no patterns. Never fails today; StatusOr leaves room for
  // options that can be invalid.
  static absl::StatusOr<std::unique_ptr<Matcher>> Create(PatternDialect dialect);
  static absl::StatusOr<std::unique_ptr<Matcher>> Create(const MatcherOptions& options);

  virtual ~Matcher() = default;
  Matcher(const Matcher&) = delete;
  Matcher& operator=(const Matcher&) = delete;

  // Validates `pattern_json` and records it under `id`, replacing any pattern
  // already under that id (on error the old pattern stays). Errors: the
  // dialect's invalid-pattern code (see PatternDialect) with the AWS reason;
  // the limit codes of MatcherOptions::max_patterns. O(size of the pattern);
  // the automaton is rebuilt by the next Match or Compile.
  virtual absl::Status Add(std::string_view id, std::string_view pattern_json) = 0;

  // Removes the pattern under `id`. absl::NotFoundError (no AWS code) if
  // there is none.
  virtual absl::Status Remove(std::string_view id) = 0;

  // Number of patterns held.
  virtual size_t size() const = 0;

  // Rebuilds the automaton now if patterns changed since the last build, so
  // that the next Match does not pay for it. Optional. O(total pattern size).
  virtual void Compile() = 0;

  // The ids of the patterns `event_json` matches, sorted and de-duplicated.
  // For kSnsMessageAttributes the event is the MessageAttributes map in its
  // JSON form: {"name": {"Type": "String", "Value": "x"}, ...} ("DataType"/
  // "StringValue" are accepted as the key names too). Fails with
  // kEventsValidation (EventBridge) or kSnsInvalidParameter (SNS) when the
  // text is not JSON. Allocates the result; thread-safe.
  virtual absl::StatusOr<std::vector<std::string>> MatchJson(std::string_view event_json) const = 0;

  // Same, over already flattened fields.
  virtual std::vector<std::string> Match(const FlatEvent& event) const = 0;

  // Same, over SNS message attributes (any dialect; normally
  // kSnsMessageAttributes). Malformed String.Array or Number values are
  // matched as plain strings.
  virtual std::vector<std::string> MatchAttributes(
      const std::vector<MessageAttributeRef>& attributes) const = 0;

 protected:
  Matcher() = default;
};

// Validates one pattern of `dialect` without keeping it (e.g. EventBridge
// TestEventPattern, SNS Subscribe). Same errors as Matcher::Add.
absl::Status ValidatePattern(PatternDialect dialect, std::string_view pattern_json);

}  // namespace wharf

#endif  // WHARF_PATTERN_H_
