// Case-insensitive matching for the ignore-case operators (equals-ignore-case
// and the equals-ignore-case forms of prefix, suffix and anything-but), with
// the semantics of aws/event-ruler, EventBridge's matcher:
//
//   Each character c of the pattern may appear in the event as Java's
//   String.valueOf(c).toLowerCase(Locale.ROOT) or .toUpperCase(Locale.ROOT)
//   (input/EqualsIgnoreCaseParser.java); the event's bytes are compared as
//   they are, never folded.
//
// So "É" accepts "é" and "É"; "ß" accepts "ß" and "SS" (not "ss"); "İ"
// accepts "İ" and "i̇" (i + U+0307); "Σ" and "σ" accept "σ" and "Σ" but not
// "ς", while "ς" accepts "ς" and "Σ"; a titlecase letter such as "ǅ" accepts
// "ǆ" and "Ǆ" but not itself. event-ruler walks UTF-16 units, which turns a
// character outside the BMP into "?" bytes; wharf takes each code point
// whole (broker/pattern/README.md, known differences). Tables: utf8proc
// (Unicode 15), plus SpecialCasing's unconditional uppercase expansions,
// derived from full case folding (see CaseSpellings in the .cc).
//
// An all-ASCII pattern accepts exactly the values whose ASCII lower-casing
// (other bytes kept) equals the pattern's: one hash lookup. Other patterns
// are looked up by FoldCase, a per-code-point key with FoldCase(s) ==
// FoldCase(c) for every spelling s of c, so a value that matches has the
// pattern's key (for prefix/suffix: starts/ends with it). The converse does
// not hold ("ǅ"; "ss" and "ß"), so each hit is confirmed against the
// pattern's spellings (IgnoreCaseString).
//
// Invariants: all functions are pure and thread-safe; bytes that are not
// UTF-8 are kept as they are (in keys and in comparisons), so they never
// match a pattern character.

#ifndef WHARF_BROKER_PATTERN_CASE_FOLD_H_
#define WHARF_BROKER_PATTERN_CASE_FOLD_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace wharf::pattern_internal {

// The UTF-8 spellings of code point `c` in an event that an ignore-case
// pattern character `c` accepts: Java's lower case, then its upper case if
// different. Every spelling is non-empty and none is a prefix or a suffix of
// the other (checked for every code point by tests/pattern/case_fold_test).
std::vector<std::string> CaseSpellings(char32_t c);

// Appends the lookup key of `s`: ASCII letters lower-cased, U+0131 (dotless
// i) as "i", other code points by Unicode full case folding, bytes that are
// not UTF-8 as they are. O(|s|); at most 3 code points per input code point.
void AppendFoldCase(std::string_view s, std::string* out);
std::string FoldCase(std::string_view s);

// An event string prepared for the ignore-case lookups of one field matcher.
// Reused across leaves (no allocation once the buffers are large enough).
struct FoldedValue {
  // The value with ASCII letters lower-cased and other bytes kept: the key
  // to look all-ASCII patterns up by.
  std::string lower;
  // Only after Set(value, /*fold=*/true): whether the value is all ASCII
  // (then FoldCase(value) == lower), and FoldCase(value) if it is not.
  bool ascii = true;
  std::string folded;

  // FoldCase(value); valid after Set(value, /*fold=*/true).
  const std::string& key() const { return ascii ? lower : folded; }
  // O(|value|); folding (UTF-8 decoding, case folding) only if `fold`.
  void Set(std::string_view value, bool fold);
};

// An ignore-case pattern string compiled to its accepted spellings.
// Immutable after construction; cheap to test against a value: O(|value|)
// (one reachable offset per pattern character, by the invariant of
// CaseSpellings), no allocation for short values.
class IgnoreCaseString {
 public:
  explicit IgnoreCaseString(std::string_view pattern);

  // Whether the pattern is all ASCII (then key() is its ASCII lower case,
  // and FoldedValue::lower equal to it means a match).
  bool ascii() const { return ascii_; }
  // FoldCase(pattern).
  const std::string& key() const { return key_; }
  // Equal signatures accept the same values (used to share conditions).
  const std::string& signature() const { return signature_; }

  // Whether `value` is a spelling of the whole pattern, or starts / ends
  // with one.
  bool Matches(std::string_view value) const;
  bool IsPrefixOf(std::string_view value) const;
  bool IsSuffixOf(std::string_view value) const;

 private:
  struct Char {
    uint32_t offset;     // Into spellings_: the first spelling, then the second.
    uint8_t first_len;   // > 0.
    uint8_t second_len;  // 0 when the character has one spelling.
  };
  enum class Anchor { kWhole, kStart, kEnd };
  bool Run(std::string_view value, Anchor anchor) const;

  bool ascii_ = true;
  std::string key_;
  std::string spellings_;
  std::vector<Char> chars_;
  std::string signature_;
};

}  // namespace wharf::pattern_internal

#endif  // WHARF_BROKER_PATTERN_CASE_FOLD_H_
