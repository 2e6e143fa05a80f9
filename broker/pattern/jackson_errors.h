// The reason AWS EventBridge gives for an event pattern that is not JSON.
// aws/event-ruler reads patterns with Jackson's streaming parser, so the
// InvalidEventPatternException text is Jackson's message for the first
// syntax error ("Unrecognized token 'this': was expecting (JSON String,
// Number, Array, Object or token 'null', 'true' or 'false')"), followed by a
// "\n at [Source: ...; line: 1, column: n]" locator that is not produced here.
//
// Invariants: pure and thread-safe.

#ifndef WHARF_BROKER_PATTERN_JACKSON_ERRORS_H_
#define WHARF_BROKER_PATTERN_JACKSON_ERRORS_H_

#include <string>
#include <string_view>

namespace wharf::pattern_internal {

// Jackson's message for the first syntax error in `json`, for the errors
// whose text does not depend on the input's position or Jackson's version:
// an unrecognized token, an unexpected character where a value, a field
// name, a colon or a comma belongs, a comment, a control character between
// tokens or unescaped in a string, a bad escape, NaN/Infinity. Empty when
// the first error is of another kind (end of input, a mismatched close
// marker, a malformed number, text after the root value, bytes that are not
// UTF-8) or there is none: the caller then keeps its own parser's reason.
std::string JacksonSyntaxError(std::string_view json);

}  // namespace wharf::pattern_internal

#endif  // WHARF_BROKER_PATTERN_JACKSON_ERRORS_H_
