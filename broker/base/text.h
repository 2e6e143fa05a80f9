// Text validation shared by the services and the wire layer: UTF-8 decoding
// and the character set AWS allows in message text; JSON string literals.
//
// "XML text" is well-formed UTF-8 made only of XML 1.0 characters:
//   #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF
// SQS allows exactly these in message bodies and attribute values, SNS and
// EventBridge text travels to SQS, and the query protocol's XML replies can
// carry nothing else.
//
// Thread safety: all functions are pure and thread-safe.

#ifndef WHARF_BROKER_BASE_TEXT_H_
#define WHARF_BROKER_BASE_TEXT_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace wharf::base_internal {

// Decodes the UTF-8 sequence starting at text[i] into `*code_point` and
// returns its length (1-4), or 0 when it is malformed (truncated, overlong,
// beyond U+10FFFF). An encoded surrogate (U+D800-U+DFFF) decodes, as one
// sequence, although no valid text holds it: see IsScalarValue.
// REQUIRES: i < text.size().
int DecodeUtf8(std::string_view text, size_t i, uint32_t* code_point);

// True for Unicode scalar values: code points other than surrogates.
constexpr bool IsScalarValue(uint32_t c) { return c < 0xD800 || (c > 0xDFFF && c <= 0x10FFFF); }

// True for the code points of the XML 1.0 Char production above.
constexpr bool IsXmlChar(uint32_t c) {
  return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) ||
         (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF);
}

// True for the letters and digits of every script, as the C.UTF-8 locale's
// character classes have them (U+00F8 'ø' is one, U+00A7 '§' is not). Where
// that locale is missing, ASCII letters and digits only.
bool IsUnicodeAlnum(uint32_t c);

// True when `text` is well-formed UTF-8 of XML 1.0 characters only.
bool IsXmlText(std::string_view text);

// True when `text` is well-formed UTF-8 (any code point).
bool IsUtf8(std::string_view text);

// Appends `text` to `*out` with each malformed UTF-8 sequence (or byte) and
// each encoded surrogate replaced by U+FFFD, so that what is appended is
// always valid UTF-8.
void AppendUtf8Lossy(std::string_view text, std::string* out);

// Appends `s` as a JSON string literal (quotes included). Escapes `"`, `\`
// and control characters (\b \f \n \r \t, else \u00xx); other bytes (UTF-8)
// pass through.
void AppendJsonString(std::string* out, std::string_view s);

// Bytes AppendJsonString appends for `s`.
size_t JsonStringSize(std::string_view s);

}  // namespace wharf::base_internal

#endif  // WHARF_BROKER_BASE_TEXT_H_
