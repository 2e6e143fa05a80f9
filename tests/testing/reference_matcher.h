// A slow, obviously-correct interpreter of the pattern language, used as the
// oracle for differential tests of wharf::Matcher (in the manner of
// re2/testing/backtrack.cc). It shares no code with broker/pattern: it parses
// with RapidJSON, expands "$or" by brute force, and searches every assignment
// of event leaves to pattern fields by backtracking.
//
// Semantics implemented (spec/eventbridge.md §4, spec/sns.md §5):
//   * an event flattens to leaves (dotted path, scalar, array trail); arrays
//     contribute one leaf per element; objects and empty arrays are no leaf;
//   * a pattern matches if some "$or" alternative has, for every field, a leaf
//     at that path satisfying one of its conditions (or no leaf at all, when
//     the field lists {"exists": false}), and the chosen leaves agree on the
//     index of every array they share;
//   * EventBridge: a path given more than once in one alternative keeps its
//     last value in the pattern (aws/event-ruler's rule overriding);
//   * numbers compare after rounding to 6 decimal places (long double);
//   * ignore-case operators accept, for each code point c of the pattern,
//     Java's toLowerCase or toUpperCase of c alone (aws/event-ruler's
//     EqualsIgnoreCaseParser), searched by backtracking;
//   * EventBridge reads IP addresses as Java's InetAddress (aws/event-ruler
//     CIDR.ipToBytes), SNS as inet_pton; an EventBridge exact string that
//     reads as an address equals every spelling of it.
//
// The pattern must be valid (the oracle does not validate). Thread-compatible.

#ifndef WHARF_TESTS_TESTING_REFERENCE_MATCHER_H_
#define WHARF_TESTS_TESTING_REFERENCE_MATCHER_H_

#include <string>
#include <string_view>
#include <vector>

#include "wharf/pattern.h"

namespace wharf::testing {

// Whether `event_json` matches the valid pattern `pattern_json`. For
// kSnsMessageAttributes the event is the attribute map in JSON form
// ({"name": {"Type": "String", "Value": "x"}}). An event that is not JSON
// matches nothing.
bool ReferenceMatches(PatternDialect dialect, std::string_view pattern_json,
                      std::string_view event_json);

// The UTF-8 spellings an ignore-case pattern character `c` accepts: Java's
// String.toLowerCase(Locale.ROOT) of c alone, then toUpperCase if it
// differs. Simple mappings from utf8proc, expansions from SpecialCasing.txt.
std::vector<std::string> ReferenceCaseSpellings(char32_t c);

}  // namespace wharf::testing

#endif  // WHARF_TESTS_TESTING_REFERENCE_MATCHER_H_
