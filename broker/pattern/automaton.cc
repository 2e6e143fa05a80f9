#include "broker/pattern/automaton.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "absl/container/inlined_vector.h"
#include "absl/strings/str_cat.h"
#include "broker/pattern/field_indexes.h"

namespace wharf::pattern_internal {

using field_index::AffixIndex;
using field_index::AppendTargets;
using field_index::CidrIndex;
using field_index::ExclusionIndex;
using field_index::NumericIndex;
using field_index::Targets;

namespace {

// `value` is prepared for the leaf when it is a string and `ab` ignores case;
// `others` are its strings that are not all ASCII (may be null).
bool AnythingButMatches(const AnythingBut& ab, const std::vector<IgnoreCaseString>* others,
                        const Leaf& leaf, const FoldedValue& value) {
  switch (ab.kind) {
    case AnythingBut::Kind::kValues:
      if (leaf.kind == LeafKind::kString) {
        return !std::binary_search(ab.strings.begin(), ab.strings.end(), leaf.text);
      }
      if (leaf.kind == LeafKind::kNumber) {
        NumberKey k = MakeNumberKey(leaf.number);
        return std::find(ab.numbers.begin(), ab.numbers.end(), k) == ab.numbers.end();
      }
      return true;
    case AnythingBut::Kind::kPrefix:
      if (leaf.kind != LeafKind::kString) return true;
      for (const std::string& s : ab.strings) {
        if (leaf.text.starts_with(s)) return false;
      }
      return true;
    case AnythingBut::Kind::kSuffix:
      if (leaf.kind != LeafKind::kString) return true;
      for (const std::string& s : ab.strings) {
        if (leaf.text.ends_with(s)) return false;
      }
      return true;
    case AnythingBut::Kind::kEqualsIgnoreCase:
      if (leaf.kind != LeafKind::kString) return true;
      if (std::binary_search(ab.strings.begin(), ab.strings.end(), value.lower)) return false;
      if (others != nullptr) {
        for (const IgnoreCaseString& s : *others) {
          if (s.Matches(leaf.text)) return false;
        }
      }
      return true;
    case AnythingBut::Kind::kWildcard:
      if (leaf.kind != LeafKind::kString) return true;
      for (const Wildcard& w : ab.wildcards) {
        if (WildcardMatches(w, leaf.text)) return false;
      }
      return true;
  }
  return false;
}

}  // namespace

// A FieldMatcher is one cache line (which Walk prefetches): the kinds
// present, a lone anything-but list of strings (the common shape: one rule's
// exclusion list after a state of its own) scanned in place, and pointers to
// the exact strings and to every other index, each allocated when a condition
// needs it. At 10,000 rules most matchers are only a lone list, so the
// automaton's hot parts stay small.
struct alignas(64) Automaton::FieldMatcher {
  bool Has(Condition::Kind k) const { return (present >> static_cast<int>(k)) & 1u; }

  // The most used first.
  struct Indexes {
    AffixIndex prefix;
    absl::flat_hash_map<NumberKey, Targets> exact_number;
    Targets on_true, on_false, on_null, on_exists;
    AffixIndex suffix;
    // Ignore-case conditions whose pattern is all ASCII, by lower-cased
    // pattern, looked up by FoldedValue::lower (no further check).
    absl::flat_hash_map<std::string, Targets> equals_ic;
    AffixIndex prefix_ic, suffix_ic;
    // The other ignore-case conditions, by FoldCase key; a hit is confirmed
    // against the spellings. Rare, so allocated on first use; string leaves
    // are case-folded only when it is.
    struct UnicodeIgnoreCase {
      struct Entry {
        std::shared_ptr<const std::vector<IgnoreCaseString>> spelled;  // One.
        Targets targets;
      };
      std::vector<Entry> entries;
      // Targets here are indices into `entries`.
      absl::flat_hash_map<std::string, Targets> equals;
      AffixIndex prefix, suffix;
    };
    std::unique_ptr<UnicodeIgnoreCase> unicode;
    NumericIndex numeric;
    CidrIndex cidr;
    struct WildcardEntry {
      Wildcard wildcard;
      Targets targets;
    };
    std::vector<WildcardEntry> wildcards;
    // Wildcards not starting with '*', indexed by their first literal segment.
    AffixIndex wildcard_by_prefix;  // Targets here are indices into `wildcards`.
    std::vector<uint32_t> wildcard_floating;
    // Anything-but of values (strings and numbers, each entry in both indexes
    // under the same id) and of ASCII ignore-case strings (by lower case).
    // Allocated on first use (most field matchers have none).
    struct Exclusions {
      ExclusionIndex<std::string> strings;
      ExclusionIndex<NumberKey> numbers;
      ExclusionIndex<std::string> lower;
    };
    std::unique_ptr<Exclusions> excluded;
    // The other anything-but conditions (prefix, suffix, wildcard, non-ASCII
    // ignore-case), tested one by one.
    struct AnythingButEntry {
      AnythingBut anything_but;
      std::shared_ptr<const std::vector<IgnoreCaseString>> ignore_case;  // May be null.
      Targets targets;
    };
    std::vector<AnythingButEntry> anything_buts;
    // Build only: condition key -> entry index, to share entries.
    absl::flat_hash_map<std::string, uint32_t> entry_by_key;
  };

  // Bit (1 << Condition::Kind) set when conditions of that kind are indexed
  // here. Step tests these bits first, so it touches only the indexes in use.
  uint32_t present = 0;
  uint32_t lone_target = 0;  // See lone_excluded.
  // The state this matcher leaves from and the path it reads (for a target
  // naming the matcher instead of its state).
  uint32_t state = 0, path_id = 0;
  std::unique_ptr<absl::flat_hash_map<std::string, Targets>> exact_string;
  std::unique_ptr<Indexes> more;
  bool needs_lower = false;  // Some condition ignores case: prepare string leaves.
  // The anything-but of values here when it is the only one, has one target
  // and lists only strings that fit lone_excluded as a length byte and their
  // bytes each (Finish moves it out of `more`). lone_size 0: none.
  uint8_t lone_size = 0;
  char lone_excluded[30] = {};

  bool LoneExcludes(std::string_view value) const {
    for (size_t i = 0; i < lone_size;) {
      const size_t len = static_cast<unsigned char>(lone_excluded[i]);
      if (len == value.size() && std::equal(value.begin(), value.end(), lone_excluded + i + 1)) {
        return true;
      }
      i += 1 + len;
    }
    return false;
  }

  Indexes& More() {
    if (more == nullptr) more = std::make_unique<Indexes>();
    return *more;
  }

  void Add(const Condition& c, uint32_t target) {
    using K = Condition::Kind;
    present |= 1u << static_cast<int>(c.kind);
    if (c.kind == K::kString) {
      if (exact_string == nullptr) {
        exact_string = std::make_unique<absl::flat_hash_map<std::string, Targets>>();
      }
      (*exact_string)[c.text].push_back(target);
      return;
    }
    Indexes& ix = More();
    switch (c.kind) {
      case K::kString:
        break;
      case K::kNumber:
        ix.exact_number[c.number].push_back(target);
        break;
      case K::kTrue:
        ix.on_true.push_back(target);
        break;
      case K::kFalse:
        ix.on_false.push_back(target);
        break;
      case K::kNull:
        ix.on_null.push_back(target);
        break;
      case K::kExists:
        ix.on_exists.push_back(target);
        break;
      case K::kAbsent:
        break;  // Expanded away by the parser.
      case K::kPrefix:
        ix.prefix.Add(c.text, target);
        break;
      case K::kSuffix:
        ix.suffix.Add(c.text, target);
        break;
      case K::kPrefixIgnoreCase:
        needs_lower = true;
        if (c.ignore_case == nullptr) {
          ix.prefix_ic.Add(c.text, target);
        } else {
          AddUnicodeIgnoreCase(c, target, [&](uint32_t e) { ix.unicode->prefix.Add(c.text, e); });
        }
        break;
      case K::kSuffixIgnoreCase:
        needs_lower = true;
        if (c.ignore_case == nullptr) {
          ix.suffix_ic.Add(c.text, target);
        } else {
          AddUnicodeIgnoreCase(c, target, [&](uint32_t e) { ix.unicode->suffix.Add(c.text, e); });
        }
        break;
      case K::kEqualsIgnoreCase:
        needs_lower = true;
        if (c.ignore_case == nullptr) {
          ix.equals_ic[c.text].push_back(target);
        } else {
          AddUnicodeIgnoreCase(c, target,
                               [&](uint32_t e) { ix.unicode->equals[c.text].push_back(e); });
        }
        break;
      case K::kNumeric:
        if (c.range.has_lower && c.range.has_upper && c.range.lower == c.range.upper) {
          ix.exact_number[NumberKey{true, c.range.lower}].push_back(target);
          present |= 1u << static_cast<int>(K::kNumber);
        } else {
          ix.numeric.pending.push_back({c.range, target});
        }
        break;
      case K::kCidr:
        ix.cidr.Add(c.cidr, target);
        break;
      case K::kWildcard: {
        auto [it, inserted] =
            ix.entry_by_key.try_emplace(c.key, static_cast<uint32_t>(ix.wildcards.size()));
        if (inserted) {
          ix.wildcards.emplace_back().wildcard = c.wildcard;
          if (c.wildcard.leading_star || c.wildcard.segments.empty()) {
            ix.wildcard_floating.push_back(it->second);
          } else {
            ix.wildcard_by_prefix.Add(c.wildcard.segments[0], it->second);
          }
        }
        ix.wildcards[it->second].targets.push_back(target);
        break;
      }
      case K::kAnythingBut: {
        const AnythingBut& ab = c.anything_but;
        auto [it, inserted] = ix.entry_by_key.try_emplace(c.key, 0);
        if (ab.kind == AnythingBut::Kind::kValues) {
          if (ix.excluded == nullptr) ix.excluded = std::make_unique<Indexes::Exclusions>();
          if (inserted) {
            it->second = ix.excluded->strings.AddEntry(ab.strings);
            ix.excluded->numbers.AddEntry(ab.numbers);
          }
          ix.excluded->strings.targets[it->second].push_back(target);
          ix.excluded->numbers.targets[it->second].push_back(target);
          break;
        }
        if (ab.kind == AnythingBut::Kind::kEqualsIgnoreCase) needs_lower = true;
        if (ab.kind == AnythingBut::Kind::kEqualsIgnoreCase && c.ignore_case == nullptr) {
          if (ix.excluded == nullptr) ix.excluded = std::make_unique<Indexes::Exclusions>();
          if (inserted) it->second = ix.excluded->lower.AddEntry(ab.strings);
          ix.excluded->lower.targets[it->second].push_back(target);
          break;
        }
        if (inserted) {
          it->second = static_cast<uint32_t>(ix.anything_buts.size());
          Indexes::AnythingButEntry& e = ix.anything_buts.emplace_back();
          e.anything_but = ab;
          e.ignore_case = c.ignore_case;
        }
        ix.anything_buts[it->second].targets.push_back(target);
        break;
      }
    }
  }

  // Shares one entry per distinct condition; `index` records a new entry.
  template <typename F>
  void AddUnicodeIgnoreCase(const Condition& c, uint32_t target, F&& index) {
    Indexes& ix = More();
    if (ix.unicode == nullptr) ix.unicode = std::make_unique<Indexes::UnicodeIgnoreCase>();
    auto [it, inserted] =
        ix.entry_by_key.try_emplace(c.key, static_cast<uint32_t>(ix.unicode->entries.size()));
    if (inserted) {
      ix.unicode->entries.emplace_back().spelled = c.ignore_case;
      index(it->second);
    }
    ix.unicode->entries[it->second].targets.push_back(target);
  }

  void Finish() {
    if (more == nullptr) return;
    Indexes& ix = *more;
    ix.prefix.Finish();
    ix.suffix.Finish();
    ix.prefix_ic.Finish();
    ix.suffix_ic.Finish();
    if (ix.unicode != nullptr) {
      ix.unicode->prefix.Finish();
      ix.unicode->suffix.Finish();
    }
    ix.wildcard_by_prefix.Finish();
    ix.numeric.Finish();
    ix.entry_by_key.clear();
    if (ix.excluded != nullptr) {
      if (!TakeLoneExclusion(ix)) {
        ix.excluded->strings.Finish();
        ix.excluded->numbers.Finish();
        ix.excluded->lower.Finish();
      }
    }
    constexpr uint32_t kInline = (1u << static_cast<int>(Condition::Kind::kString)) |
                                 (1u << static_cast<int>(Condition::Kind::kAnythingBut));
    if ((present & ~kInline) == 0 && ix.excluded == nullptr && ix.anything_buts.empty()) {
      more.reset();
    }
  }

  // Moves a lone anything-but list of strings out of `ix` into
  // lone_target/lone_excluded; false if there is none.
  bool TakeLoneExclusion(Indexes& ix) {
    Indexes::Exclusions& x = *ix.excluded;
    if (x.strings.targets.size() != 1 || x.strings.targets[0].size() != 1 || !x.lower.empty() ||
        !x.numbers.pending[0].empty()) {
      return false;
    }
    size_t size = 0;
    for (const std::string& s : x.strings.pending[0]) size += 1 + s.size();
    if (size == 0 || size > sizeof(lone_excluded)) return false;
    for (const std::string& s : x.strings.pending[0]) {
      lone_excluded[lone_size++] = static_cast<char>(s.size());
      std::copy(s.begin(), s.end(), lone_excluded + lone_size);
      lone_size += static_cast<uint8_t>(s.size());
    }
    lone_target = x.strings.targets[0][0];
    ix.excluded.reset();
    return true;
  }
};

// Walk prefetches one line.
static_assert(sizeof(Automaton::FieldMatcher) == 64);

Automaton::~Automaton() = default;

std::unique_ptr<const Automaton> Automaton::Build(
    const std::vector<const ParsedPattern*>& patterns) {
  std::unique_ptr<Automaton> a(new Automaton());
  auto intern = [&](const std::string& path) -> uint32_t {
    auto [it, inserted] =
        a->path_ids_.try_emplace(path, static_cast<uint32_t>(a->path_ids_.size()));
    if (inserted) {
      for (size_t dot = path.find('.'); dot != std::string::npos; dot = path.find('.', dot + 1)) {
        a->prefixes_.insert(path.substr(0, dot));
      }
    }
    return it->second;
  };
  // Per state while building: transitions as (path id, matcher), and
  // terminals as (pattern, absent path ids).
  struct StateBuild {
    std::vector<std::pair<uint32_t, uint32_t>> transitions;
    std::vector<std::pair<uint32_t, std::vector<uint32_t>>> terminals;
  };
  std::vector<StateBuild> states(1);
  // (state, path id) -> matcher; (state, path id, condition keys) -> next state.
  absl::flat_hash_map<std::pair<uint32_t, uint32_t>, uint32_t> matcher_of;
  absl::flat_hash_map<std::string, uint32_t> next_of;
  // State -> the matcher and field whose conditions lead to it (none for 0).
  std::vector<std::pair<uint32_t, const FieldConstraint*>> edge_into(1);
  std::string edge_key;
  for (uint32_t p = 0; p < patterns.size(); ++p) {
    for (const Conjunction& alt : patterns[p]->alternatives) {
      uint32_t state = 0;
      for (const FieldConstraint& f : alt.fields) {
        uint32_t path_id = intern(f.path);
        auto [mit, new_matcher] =
            matcher_of.try_emplace({state, path_id}, static_cast<uint32_t>(a->matchers_.size()));
        if (new_matcher) {
          a->matchers_.emplace_back();
          states[state].transitions.push_back({path_id, mit->second});
        }
        edge_key = absl::StrCat(state, ":", path_id, ":");
        for (const Condition& c : f.any_of) absl::StrAppend(&edge_key, c.key.size(), ":", c.key);
        auto [nit, new_state] = next_of.try_emplace(edge_key, static_cast<uint32_t>(states.size()));
        if (new_state) {
          states.emplace_back();
          edge_into.emplace_back(mit->second, &f);
        }
        state = nit->second;
      }
      std::vector<uint32_t> absent;
      for (const std::string& path : alt.absent) absent.push_back(intern(path));
      states[state].terminals.emplace_back(p, std::move(absent));
    }
  }
  // A state with nothing to do but report one pattern (no transitions, no
  // absent paths) is not a target: the pattern is; nor is a state with one
  // transition and no terminals: its matcher is. So a match skips reading
  // their records (each a cache miss at 10,000 rules).
  for (uint32_t s = 0; s < states.size(); ++s) {
    for (const auto& [path_id, matcher] : states[s].transitions) {
      a->matchers_[matcher].state = s;
      a->matchers_[matcher].path_id = path_id;
    }
  }
  for (uint32_t s = 1; s < states.size(); ++s) {
    const StateBuild& b = states[s];
    uint32_t target = s;
    if (b.transitions.empty() && b.terminals.size() == 1 && b.terminals[0].second.empty()) {
      target = kPatternTarget | b.terminals[0].first;
    } else if (b.transitions.size() == 1 && b.terminals.empty()) {
      target = kMatcherTarget | b.transitions[0].second;
    }
    const auto& [matcher, field] = edge_into[s];
    for (const Condition& c : field->any_of) a->matchers_[matcher].Add(c, target);
  }
  a->state_offset_.reserve(states.size());
  for (StateBuild& b : states) {
    std::sort(b.transitions.begin(), b.transitions.end());
    std::vector<uint32_t>& d = a->state_data_;
    a->state_offset_.push_back(static_cast<uint32_t>(d.size()));
    d.push_back(static_cast<uint32_t>(b.transitions.size()));
    d.push_back(static_cast<uint32_t>(b.terminals.size()));
    for (const auto& [path_id, matcher] : b.transitions) {
      d.push_back(path_id);
      d.push_back(matcher);
    }
    for (const auto& [pattern, absent] : b.terminals) {
      d.push_back(pattern);
      d.push_back(static_cast<uint32_t>(absent.size()));
      d.insert(d.end(), absent.begin(), absent.end());
    }
    b = StateBuild();
  }
  for (FieldMatcher& m : a->matchers_) m.Finish();
  return a;
}

void Automaton::Match(MatchScratch* m) const {
  ++m->epoch;
  if (m->epoch == 0) {  // Wrapped: stale stamps could collide; reset them.
    std::fill(m->path_stamp.begin(), m->path_stamp.end(), 0);
    std::fill(m->state_stamp.begin(), m->state_stamp.end(), 0);
    m->epoch = 1;
  }
  if (m->path_stamp.size() < path_ids_.size()) {
    m->path_stamp.resize(path_ids_.size(), 0);
    m->path_begin.resize(path_ids_.size());
    m->path_end.resize(path_ids_.size());
  }
  if (m->state_stamp.size() < state_offset_.size()) {
    m->state_stamp.resize(state_offset_.size(), 0);
  }
  std::stable_sort(m->leaves.begin(), m->leaves.end(),
                   [](const Leaf& x, const Leaf& y) { return x.path_id < y.path_id; });
  m->distinct_paths.clear();
  for (uint32_t i = 0; i < m->leaves.size(); ++i) {
    uint32_t id = m->leaves[i].path_id;
    if (m->path_stamp[id] != m->epoch) {
      m->path_stamp[id] = m->epoch;
      m->path_begin[id] = i;
      m->distinct_paths.push_back(id);
    }
    m->path_end[id] = i + 1;
  }
  m->used.clear();
  m->used_with_trail = 0;
  Walk(0, m);
}

void Automaton::Walk(uint32_t state, MatchScratch* m) const {
  const uint32_t* d = state_data_.data() + state_offset_[state];
  const uint32_t transitions = d[0];
  const uint32_t* transition = d + 2;  // (path id, matcher) pairs, by path id.
  const uint32_t* terminal = transition + 2 * transitions;
  for (uint32_t t = 0; t < d[1]; ++t) {
    const uint32_t pattern = terminal[0], absent = terminal[1];
    bool ok = true;
    for (uint32_t a = 0; a < absent; ++a) ok = ok && m->path_stamp[terminal[2 + a]] != m->epoch;
    if (ok) m->out.push_back(pattern);
    terminal += 2 + absent;
  }
  if (transitions == 0) return;
  // The transitions with leaves (indices), whose field matchers are fetched
  // together: in a large automaton each is a cache miss; this overlaps them.
  absl::InlinedVector<uint32_t, 16> live;
  if (transitions <= 4 * m->distinct_paths.size()) {
    for (uint32_t t = 0; t < transitions; ++t) {
      if (m->path_stamp[transition[2 * t]] == m->epoch) live.push_back(t);
    }
  } else {
    for (uint32_t id : m->distinct_paths) {
      uint32_t lo = 0, hi = transitions;  // Binary search on the path ids.
      while (lo < hi) {
        const uint32_t mid = lo + (hi - lo) / 2;
        if (transition[2 * mid] < id) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      if (lo < transitions && transition[2 * lo] == id) live.push_back(lo);
    }
  }
  for (uint32_t t : live) {
    const char* fm = reinterpret_cast<const char*>(&matchers_[transition[2 * t + 1]]);
    __builtin_prefetch(fm);
  }
  for (uint32_t t : live) {
    const uint32_t path_id = transition[2 * t];
    for (uint32_t i = m->path_begin[path_id]; i < m->path_end[path_id]; ++i) {
      Step(transition[2 * t + 1], i, m);
    }
  }
}

namespace {

// The conditions indexed in fm.more, for one leaf: appends their targets.
void StepIndexes(const Automaton::FieldMatcher& fm, const Leaf& leaf, MatchScratch* m,
                 absl::InlinedVector<uint32_t, 8>* next) {
  using FieldMatcher = Automaton::FieldMatcher;
  using K = Condition::Kind;
  const FieldMatcher::Indexes& ix = *fm.more;
  if (fm.Has(K::kExists)) AppendTargets(ix.on_exists, next);
  switch (leaf.kind) {
    case LeafKind::kString: {
      const std::string_view text = leaf.text;
      auto append = [&](const Targets& t) { AppendTargets(t, next); };
      if (fm.Has(K::kPrefix)) ix.prefix.Lookup(text, false, append);
      if (fm.Has(K::kSuffix)) ix.suffix.Lookup(text, true, append);
      if (fm.needs_lower) {
        FoldedValue& v = m->folded;
        v.Set(text, /*fold=*/ix.unicode != nullptr);
        if (fm.Has(K::kEqualsIgnoreCase)) {
          auto eit = ix.equals_ic.find(v.lower);
          if (eit != ix.equals_ic.end()) AppendTargets(eit->second, next);
        }
        if (fm.Has(K::kPrefixIgnoreCase)) ix.prefix_ic.Lookup(v.lower, false, append);
        if (fm.Has(K::kSuffixIgnoreCase)) ix.suffix_ic.Lookup(v.lower, true, append);
        if (ix.unicode != nullptr) {
          // Candidates by key, confirmed against their spellings.
          const FieldMatcher::Indexes::UnicodeIgnoreCase& u = *ix.unicode;
          auto confirm = [&](const Targets& entries, auto&& spells) {
            for (uint32_t e : entries) {
              if (spells(u.entries[e].spelled->front())) AppendTargets(u.entries[e].targets, next);
            }
          };
          const std::string& key = v.key();
          auto eit = u.equals.find(key);
          if (eit != u.equals.end()) {
            confirm(eit->second, [&](const IgnoreCaseString& s) { return s.Matches(text); });
          }
          u.prefix.Lookup(key, false, [&](const Targets& t) {
            confirm(t, [&](const IgnoreCaseString& s) { return s.IsPrefixOf(text); });
          });
          u.suffix.Lookup(key, true, [&](const Targets& t) {
            confirm(t, [&](const IgnoreCaseString& s) { return s.IsSuffixOf(text); });
          });
        }
      }
      if (fm.Has(K::kWildcard)) {
        auto try_wildcards = [&](const auto& entries) {
          for (uint32_t e : entries) {
            if (WildcardMatches(ix.wildcards[e].wildcard, text)) {
              AppendTargets(ix.wildcards[e].targets, next);
            }
          }
        };
        ix.wildcard_by_prefix.Lookup(text, false, try_wildcards);
        try_wildcards(ix.wildcard_floating);
      }
      if (fm.Has(K::kCidr)) ix.cidr.Query(text, next);
      break;
    }
    case LeafKind::kNumber: {
      if (fm.Has(K::kNumber)) {
        auto it = ix.exact_number.find(MakeNumberKey(leaf.number));
        if (it != ix.exact_number.end()) AppendTargets(it->second, next);
      }
      if (fm.Has(K::kNumeric) && !ix.numeric.empty()) {
        ix.numeric.Query(ClampedScaledNumber(leaf.number), next);
      }
      break;
    }
    case LeafKind::kTrue:
      if (fm.Has(K::kTrue)) AppendTargets(ix.on_true, next);
      break;
    case LeafKind::kFalse:
      if (fm.Has(K::kFalse)) AppendTargets(ix.on_false, next);
      break;
    case LeafKind::kNull:
      if (fm.Has(K::kNull)) AppendTargets(ix.on_null, next);
      break;
  }
  if (fm.Has(K::kAnythingBut)) {
    if (const FieldMatcher::Indexes::Exclusions* x = ix.excluded.get(); x != nullptr) {
      if (!x->strings.empty()) {
        if (leaf.kind == LeafKind::kString) {
          x->strings.Lookup(absl::string_view(leaf.text.data(), leaf.text.size()), next);
        } else if (leaf.kind == LeafKind::kNumber) {
          x->numbers.Lookup(MakeNumberKey(leaf.number), next);
        } else {
          x->strings.AppendPassing(nullptr, next);
        }
      }
      // m->folded holds this leaf if it is a string and case matters here.
      if (!x->lower.empty()) {
        if (leaf.kind == LeafKind::kString) {
          x->lower.Lookup(m->folded.lower, next);
        } else {
          x->lower.AppendPassing(nullptr, next);
        }
      }
    }
    for (const FieldMatcher::Indexes::AnythingButEntry& e : ix.anything_buts) {
      if (AnythingButMatches(e.anything_but, e.ignore_case.get(), leaf, m->folded)) {
        AppendTargets(e.targets, next);
      }
    }
  }
}

}  // namespace

void Automaton::Step(uint32_t matcher, uint32_t leaf_index, MatchScratch* m) const {
  const Leaf& leaf = m->leaves[leaf_index];
  // Array consistency: trails are root-first, so arrays two leaves share
  // form a common prefix of both trails; their indices there must agree.
  if (leaf.trail_len > 0) {
    for (uint32_t u : m->used) {
      const Leaf& other = m->leaves[u];
      uint32_t n = std::min(leaf.trail_len, other.trail_len);
      for (uint32_t k = 0; k < n; ++k) {
        const TrailStep& x = m->trails[leaf.trail_begin + k];
        const TrailStep& y = m->trails[other.trail_begin + k];
        if (x.array_id != y.array_id) break;
        if (x.index != y.index) return;
      }
    }
  }
  const FieldMatcher& fm = matchers_[matcher];
  using K = Condition::Kind;
  absl::InlinedVector<uint32_t, 8> next;
  if (leaf.kind == LeafKind::kString && fm.Has(K::kString)) {
    auto it = fm.exact_string->find(absl::string_view(leaf.text.data(), leaf.text.size()));
    if (it != fm.exact_string->end()) AppendTargets(it->second, &next);
  }
  if (fm.more != nullptr) StepIndexes(fm, leaf, m, &next);
  if (fm.lone_size != 0 && (leaf.kind != LeafKind::kString || !fm.LoneExcludes(leaf.text))) {
    next.push_back(fm.lone_target);
  }
  if (next.empty()) return;
  if (next.size() > 1) {
    std::sort(next.begin(), next.end());
    next.erase(std::unique(next.begin(), next.end()), next.end());
  }
  // The next states' records or matchers, fetched together (most are cache
  // misses).
  for (uint32_t n : next) {
    if ((n & kPatternTarget) != 0) continue;
    if ((n & kMatcherTarget) != 0) {
      const char* next_fm = reinterpret_cast<const char*>(&matchers_[n & ~kMatcherTarget]);
      __builtin_prefetch(next_fm);
    } else {
      __builtin_prefetch(&state_data_[state_offset_[n]]);
    }
  }
  m->used.push_back(leaf_index);
  if (leaf.trail_len > 0) ++m->used_with_trail;
  for (uint32_t n : next) {
    if ((n & kPatternTarget) != 0) {
      m->out.push_back(n & ~kPatternTarget);
      continue;
    }
    const uint32_t next_matcher = n & ~kMatcherTarget;
    const uint32_t state = (n & kMatcherTarget) != 0 ? matchers_[next_matcher].state : n;
    // With no array constraint in force, walking a state again cannot find
    // anything new.
    if (m->used_with_trail == 0) {
      if (m->state_stamp[state] == m->epoch) continue;
      m->state_stamp[state] = m->epoch;
    }
    if ((n & kMatcherTarget) == 0) {
      Walk(n, m);
      continue;
    }
    // The state's one transition.
    const uint32_t path_id = matchers_[next_matcher].path_id;
    if (m->path_stamp[path_id] != m->epoch) continue;
    for (uint32_t i = m->path_begin[path_id]; i < m->path_end[path_id]; ++i) {
      Step(next_matcher, i, m);
    }
  }
  if (leaf.trail_len > 0) --m->used_with_trail;
  m->used.pop_back();
}

}  // namespace wharf::pattern_internal
