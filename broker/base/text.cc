#include "broker/base/text.h"

#include <locale.h>
#include <wctype.h>

#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace wharf::base_internal {

int DecodeUtf8(std::string_view text, size_t i, uint32_t* code_point) {
  const auto byte = [&](size_t k) { return static_cast<uint8_t>(text[k]); };
  const uint8_t first = byte(i);
  int length;
  uint32_t c;
  if (first < 0x80) {
    *code_point = first;
    return 1;
  } else if ((first & 0xE0) == 0xC0) {
    length = 2;
    c = first & 0x1F;
  } else if ((first & 0xF0) == 0xE0) {
    length = 3;
    c = first & 0x0F;
  } else if ((first & 0xF8) == 0xF0) {
    length = 4;
    c = first & 0x07;
  } else {
    return 0;
  }
  if (text.size() - i < static_cast<size_t>(length)) return 0;
  for (int k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    c = (c << 6) | (byte(i + k) & 0x3F);
  }
  static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (c < kMin[length] || c > 0x10FFFF) return 0;
  *code_point = c;
  return length;
}

namespace {

constexpr uint64_t kEachByte = 0x0101010101010101ull;
constexpr uint64_t kHighBits = 0x8080808080808080ull;

uint64_t Load8(const char* p) {
  uint64_t word;
  std::memcpy(&word, p, sizeof(word));
  return word;
}

// True when none of the 8 bytes at `p` is non-ASCII (>= 0x80) or a control
// character (< 0x20). Subtracting 0x20 from each byte sets its high bit
// exactly for those below 0x20 (a borrow into the next byte only happens
// when one already failed).
bool PrintableAscii8(const char* p) {
  const uint64_t word = Load8(p);
  return ((word | (word - 0x20 * kEachByte)) & kHighBits) == 0;
}

// The longest prefix of `text` checked by the widest steps the CPU offers to
// be printable ASCII: a multiple of 32 bytes (SSE2, which every x86-64 has),
// else of 8 (any CPU), so what remains starts within a step that is not.
size_t PrintableAsciiPrefix(std::string_view text) {
  const char* p = text.data();
  const size_t n = text.size();
  size_t i = 0;
#if defined(__SSE2__)
  // As signed bytes, exactly the non-ASCII (>= 0x80) and the control
  // characters (< 0x20) are less than 0x20.
  const __m128i space = _mm_set1_epi8(0x20);
  for (; n - i >= 32; i += 32) {
    const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
    const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i + 16));
    const __m128i bad = _mm_or_si128(_mm_cmplt_epi8(a, space), _mm_cmplt_epi8(b, space));
    if (_mm_movemask_epi8(bad) != 0) return i;
  }
#endif
  for (; n - i >= 8; i += 8) {
    if (!PrintableAscii8(p + i)) break;
  }
  return i;
}

}  // namespace

// Both checks skip whole words (IsXmlText: 32-byte vectors where it can)
// while the text is plain ASCII (most message text) and decode code points
// only from where it is not.
bool IsXmlText(std::string_view text) {
  size_t i = PrintableAsciiPrefix(text);
  while (i < text.size()) {
    if (text.size() - i >= 8 && PrintableAscii8(text.data() + i)) {
      i += 8;
      continue;
    }
    const uint8_t byte = static_cast<uint8_t>(text[i]);
    if (byte >= 0x20 && byte < 0x80) {
      ++i;
      continue;
    }
    uint32_t c;
    int n = DecodeUtf8(text, i, &c);
    if (n == 0 || !IsXmlChar(c)) return false;
    i += n;
  }
  return true;
}

bool IsUtf8(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    if (text.size() - i >= 8 && (Load8(text.data() + i) & kHighBits) == 0) {
      i += 8;
      continue;
    }
    uint32_t c;
    int n = DecodeUtf8(text, i, &c);
    if (n == 0 || !IsScalarValue(c)) return false;
    i += n;
  }
  return true;
}

void AppendUtf8Lossy(std::string_view text, std::string* out) {
  size_t run = 0;  // Start of the valid run not yet appended.
  for (size_t i = 0; i < text.size();) {
    uint32_t c;
    int n = static_cast<uint8_t>(text[i]) < 0x80 ? 1 : DecodeUtf8(text, i, &c);
    if (n > 0 && (n == 1 || IsScalarValue(c))) {
      i += n;
      continue;
    }
    out->append(text.data() + run, i - run);
    out->append("\xEF\xBF\xBD");  // U+FFFD
    i += n > 0 ? n : 1;
    run = i;
  }
  out->append(text.data() + run, text.size() - run);
}

void AppendJsonString(std::string* out, std::string_view s) {
  out->reserve(out->size() + s.size() + 2);
  out->push_back('"');
  size_t run = 0;  // Start of the pending run of bytes that need no escape.
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out->append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      case '\b':
        out->append("\\b");
        break;
      case '\f':
        out->append("\\f");
        break;
      default: {
        static constexpr char kHex[] = "0123456789abcdef";
        char buf[7] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF], 0};
        out->append(buf, 6);
      }
    }
  }
  out->append(s.data() + run, s.size() - run);
  out->push_back('"');
}

size_t JsonStringSize(std::string_view s) {
  size_t n = s.size() + 2;
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\' || c == '\n' || c == '\r' || c == '\t' || c == '\b' || c == '\f') {
      n += 1;
    } else if (c < 0x20) {
      n += 5;  // \u00XX
    }
  }
  return n;
}

bool IsUnicodeAlnum(uint32_t c) {
  if (c < 0x80) return (c | 0x20) - 'a' < 26 || c - '0' < 10;
  // Made once, never freed; a locale_t is only read by iswalnum_l.
  static const locale_t utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", locale_t{});
  return utf8 != locale_t{} && iswalnum_l(static_cast<wint_t>(c), utf8) != 0;
}

}  // namespace wharf::base_internal
