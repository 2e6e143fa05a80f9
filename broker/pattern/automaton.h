// The compiled form of a pattern set: an automaton over an event's flattened
// leaves (path, scalar value), in the manner of aws/event-ruler's
// "name states" and "byte machines".
//
// States are reached by matching one field constraint after another, in path
// order. A state's transitions are keyed by path; each transition owns a
// FieldMatcher that maps one leaf value to the set of next states, using
// hash maps (exact, ignore-case by case-folded key, prefix/suffix by length),
// per-position lists or a segment tree (numeric ranges) and masked-address
// maps (cidr), so its cost depends on the value and on the number of
// conditions it satisfies, not on how many conditions are loaded. Patterns
// sharing a leading (path, conditions) sequence share states. A state's
// terminals name the patterns (and absent paths to check) that are satisfied
// on reaching it.
//
// Arrays: a leaf carries its array trail (which element of which array it came
// from). Two leaves used by one pattern must agree on every array they share,
// so {"a":[{"b":1,"c":2}]} does not pair b of one element with c of another.
//
// Invariants: an Automaton is immutable after Build and safe to share between
// threads; each thread matches with its own MatchScratch.

#ifndef WHARF_BROKER_PATTERN_AUTOMATON_H_
#define WHARF_BROKER_PATTERN_AUTOMATON_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "broker/pattern/case_fold.h"
#include "broker/pattern/pattern_parser.h"
#include "broker/pattern/value_ops.h"
#include "simdjson.h"
#include "wharf/pattern.h"

namespace wharf::pattern_internal {

using LeafKind = FlatEvent::Kind;

struct TrailStep {
  uint32_t array_id;
  uint32_t index;
};

// One scalar of the event. Views point into the event text, the parser's
// buffer or MatchScratch::owned; they live until the scratch is reused.
struct Leaf {
  uint32_t path_id;
  LeafKind kind;
  std::string_view text;  // kString.
  double number = 0;      // kNumber.
  uint32_t trail_begin = 0, trail_len = 0;
};

// Per-thread state of one match; reused across matches to avoid allocation.
struct MatchScratch {
  simdjson::dom::parser parser;        // Event documents.
  simdjson::dom::parser array_parser;  // String.Array attribute values.
  std::string path;                    // Flattening: the current path.
  std::deque<std::string> owned;       // Strings leaves point into.
  std::vector<Leaf> leaves;
  std::vector<TrailStep> trails;
  uint32_t next_array_id = 0;

  // Index of leaves by path id (valid when path_stamp[id] == epoch).
  std::vector<uint32_t> path_stamp, path_begin, path_end;
  std::vector<uint32_t> distinct_paths;
  // States already walked with no array constraint (== epoch).
  std::vector<uint32_t> state_stamp;
  uint32_t epoch = 0;
  std::vector<uint32_t> used;  // Leaves on the current walk.
  uint32_t used_with_trail = 0;
  FoldedValue folded;         // The string leaf being stepped, for ignore-case lookups.
  std::vector<uint32_t> out;  // Pattern indices matched (may repeat).

  void Clear() {
    owned.clear();
    leaves.clear();
    trails.clear();
    next_array_id = 0;
  }
};

class Automaton {
 public:
  // Compiles patterns[i] under pattern index i.
  static std::unique_ptr<const Automaton> Build(const std::vector<const ParsedPattern*>& patterns);

  // The id of a path some pattern names, or nullopt.
  std::optional<uint32_t> PathId(std::string_view path) const {
    auto it = path_ids_.find(absl::string_view(path.data(), path.size()));
    if (it == path_ids_.end()) return std::nullopt;
    return it->second;
  }
  // True if some pattern path starts with `prefix` + ".".
  bool IsPathPrefix(std::string_view prefix) const {
    return prefixes_.contains(absl::string_view(prefix.data(), prefix.size()));
  }
  bool has_paths() const { return !path_ids_.empty(); }

  // Appends to scratch->out the index of every pattern the leaves in
  // scratch->leaves satisfy (unsorted, possibly repeated).
  void Match(MatchScratch* scratch) const;

  struct FieldMatcher;
  ~Automaton();

 private:
  Automaton() = default;
  void Walk(uint32_t state, MatchScratch* m) const;
  void Step(uint32_t matcher, uint32_t leaf, MatchScratch* m) const;

  // A field matcher's target: a state id; or kPatternTarget and a pattern
  // index (for a state that only reports that pattern); or kMatcherTarget
  // and a matcher id (for a state with only that transition). State, matcher
  // and pattern counts stay far below 2^30 (each costs tens of bytes).
  static constexpr uint32_t kPatternTarget = 1u << 31, kMatcherTarget = 1u << 30;

  absl::flat_hash_map<std::string, uint32_t> path_ids_;
  absl::flat_hash_set<std::string> prefixes_;
  // State id -> its record in state_data_, which is: the number of
  // transitions T, the number of terminals, T (path id, matcher) pairs sorted
  // by path id, then each terminal as (pattern, n, n absent path ids). One
  // state's record is contiguous, so a walk touches one or two cache lines
  // per state.
  std::vector<uint32_t> state_offset_;
  std::vector<uint32_t> state_data_;
  std::vector<FieldMatcher> matchers_;
};

}  // namespace wharf::pattern_internal

#endif  // WHARF_BROKER_PATTERN_AUTOMATON_H_
