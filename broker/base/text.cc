#include "broker/base/text.h"

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

bool IsXmlText(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    uint32_t c;
    int n = DecodeUtf8(text, i, &c);
    if (n == 0 || !IsXmlChar(c)) return false;
    i += n;
  }
  return true;
}

bool IsUtf8(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
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

}  // namespace wharf::base_internal
