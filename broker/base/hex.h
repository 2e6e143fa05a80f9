// Lower-case hexadecimal in caller buffers, for the text AWS shows as hex:
// digests, message ids, receipt handles. Built on every send and receive, so
// nothing allocates and a table lookup writes two digits at once.
//
// Thread safety: pure functions.

#ifndef WHARF_BROKER_BASE_HEX_H_
#define WHARF_BROKER_BASE_HEX_H_

#include <array>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace wharf::base_internal {
namespace hex_detail {

// kPairs[2b], kPairs[2b + 1]: the two digits of byte b.
inline constexpr std::array<char, 512> kPairs = [] {
  constexpr char kDigits[] = "0123456789abcdef";
  std::array<char, 512> t{};
  for (int b = 0; b < 256; ++b) {
    t[2 * b] = kDigits[b >> 4];
    t[2 * b + 1] = kDigits[b & 15];
  }
  return t;
}();

// The value of each byte as a lower-case digit; 0xff if it is not one.
inline constexpr std::array<uint8_t, 256> kValues = [] {
  std::array<uint8_t, 256> t{};
  for (auto& v : t) v = 0xff;
  for (int c = '0'; c <= '9'; ++c) t[c] = static_cast<uint8_t>(c - '0');
  for (int c = 'a'; c <= 'f'; ++c) t[c] = static_cast<uint8_t>(c - 'a' + 10);
  return t;
}();

}  // namespace hex_detail

// Writes the 2 * size digits of `data` at `out`; returns the end.
inline char* WriteHex(const uint8_t* data, size_t size, char* out) {
  for (size_t i = 0; i < size; ++i, out += 2) {
    std::memcpy(out, &hex_detail::kPairs[2 * size_t{data[i]}], 2);
  }
  return out;
}

// Writes the low 4 * digits bits of `value` as `digits` digits (even, at most
// 16), most significant first; returns the end.
inline char* WriteHexNumber(uint64_t value, int digits, char* out) {
  for (int i = digits - 2; i >= 0; i -= 2) {
    std::memcpy(out + i, &hex_detail::kPairs[2 * (value & 0xff)], 2);
    value >>= 8;
  }
  return out + digits;
}

// Parses `text` (at most 16 lower-case digits) into *value. False if any byte
// is not a lower-case hex digit.
inline bool ParseHexNumber(std::string_view text, uint64_t* value) {
  uint64_t v = 0;
  uint8_t seen = 0;  // OR of every digit's value: branch-free, 0xff marks a bad byte.
  for (char c : text) {
    const uint8_t d = hex_detail::kValues[static_cast<uint8_t>(c)];
    seen |= d;
    v = (v << 4) | (d & 15);
  }
  *value = v;
  return seen <= 15;
}

}  // namespace wharf::base_internal

#endif  // WHARF_BROKER_BASE_HEX_H_
