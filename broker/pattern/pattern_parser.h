// Parses and validates one pattern (EventBridge event pattern or SNS filter
// policy) into disjunctive normal form: a list of alternatives, each an
// ordered list of (field path, any-of conditions) that must all hold plus a list of
// paths that must be absent. "$or" and "exists": false are expanded here, so
// the automaton only ever sees conjunctions of positive conditions.
//
// Invariants of a ParsedPattern:
//   * every Conjunction's fields are sorted by (selectivity rank, path), ties
//     in pattern order (see SelectivityRank in the .cc: exact-value fields
//     first, so that the automaton narrows the candidates early);
//   * every FieldConstraint has at least one condition, none of kind kAbsent;
//   * conditions of a field are sorted by canonical key and de-duplicated;
//   * alternatives are de-duplicated.

#ifndef WHARF_BROKER_PATTERN_PATTERN_PARSER_H_
#define WHARF_BROKER_PATTERN_PATTERN_PARSER_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "broker/pattern/case_fold.h"
#include "broker/pattern/value_ops.h"
#include "wharf/pattern.h"

namespace wharf::pattern_internal {

struct NumericRange {
  bool has_lower = false, lower_inclusive = false;
  bool has_upper = false, upper_inclusive = false;
  int64_t lower = 0, upper = 0;  // Scaled (see value_ops.h).
};

struct AnythingBut {
  enum class Kind { kValues, kPrefix, kSuffix, kEqualsIgnoreCase, kWildcard };
  Kind kind = Kind::kValues;
  // kValues; kPrefix/kSuffix (one or more, none empty); kEqualsIgnoreCase:
  // the ASCII strings, lower-cased (the others: Condition::ignore_case).
  // Sorted, unique.
  std::vector<std::string> strings;
  std::vector<NumberKey> numbers;   // kValues.
  std::vector<Wildcard> wildcards;  // kWildcard.
};

struct Condition {
  enum class Kind {
    kString,  // text
    kNumber,  // number
    kTrue,
    kFalse,
    kNull,
    kPrefix,            // text
    kPrefixIgnoreCase,  // text (FoldCase key), ignore_case
    kSuffix,            // text
    kSuffixIgnoreCase,  // text (FoldCase key), ignore_case
    kEqualsIgnoreCase,  // text (FoldCase key), ignore_case
    kWildcard,          // wildcard
    kNumeric,           // range
    kCidr,              // cidr
    kExists,            // exists: true
    kAbsent,            // exists: false (only inside the parser)
    kAnythingBut,       // anything_but
  };
  Kind kind = Kind::kString;
  std::string text;
  NumberKey number{true, 0};
  NumericRange range;
  Cidr cidr;
  Wildcard wildcard;
  AnythingBut anything_but;
  // The ignore-case kinds (one) and anything-but/equals-ignore-case (any
  // number): the strings that are not all ASCII, compiled to their
  // spellings (see case_fold.h), sorted by signature; null when every string
  // is ASCII. Shared, as conditions are copied while "$or" is expanded.
  std::shared_ptr<const std::vector<IgnoreCaseString>> ignore_case;
  // Canonical, injective description; equal keys mean equal conditions.
  std::string key;
};

struct FieldConstraint {
  std::string path;
  std::vector<Condition> any_of;
};

struct Conjunction {
  std::vector<FieldConstraint> fields;
  std::vector<std::string> absent;  // Sorted, unique.
};

struct ParsedPattern {
  std::vector<Conjunction> alternatives;
};

// Most alternatives one pattern may expand to ("$or" branches times fields
// that also accept absence); beyond it the pattern is "too complex".
inline constexpr size_t kMaxAlternatives = 1024;

// SNS limits (spec/sns.md §5.4).
inline constexpr int kSnsMaxKeys = 5;
inline constexpr int64_t kSnsMaxCombinations = 150;
inline constexpr double kSnsMaxNumber = 1e9;

// Parses `json` as a pattern of `dialect`. Errors carry the dialect's AWS
// error code and reason (see wharf/pattern.h).
absl::StatusOr<ParsedPattern> ParsePattern(PatternDialect dialect, std::string_view json);

}  // namespace wharf::pattern_internal

#endif  // WHARF_BROKER_PATTERN_PATTERN_PARSER_H_
