// Lower-case hexadecimal in caller buffers, for the text AWS shows as hex:
// digests, message ids, receipt handles. Built on every send and receive, so
// nothing allocates and a table lookup writes two digits at once.
//
// Thread safety: pure functions.

#ifndef WHARF_BROKER_BASE_HEX_H_
#define WHARF_BROKER_BASE_HEX_H_

#include <array>
#include <bit>
#include <cstdint>
#include <cstring>
#include <string_view>

#if defined(__SSE2__) && defined(__x86_64__)
#include <emmintrin.h>
#endif

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

// The value of a hexadecimal digit of either case (for text from outside:
// percent-escapes, IPv6 groups); -1 if `c` is not one.
inline int HexDigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  const char lower = static_cast<char>(c | 0x20);
  if (lower >= 'a' && lower <= 'f') return lower - 'a' + 10;
  return -1;
}

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

// Eight digits <-> 32 bits, a word at a time (no table): the fields of
// receipt handles and message ids, written on every send and receive and
// parsed on every delete. Bytes are loaded and stored little-endian, so the
// first digit is the lowest byte.
namespace hex_detail {

inline constexpr uint64_t kOnes = 0x0101010101010101ull;

inline uint64_t LoadLittle(const char* in) {
  uint64_t x;
  std::memcpy(&x, in, 8);
  if constexpr (std::endian::native == std::endian::big) x = __builtin_bswap64(x);
  return x;
}

}  // namespace hex_detail

// Writes the eight digits of `value`, most significant first, at `out`.
inline void WriteHex8(uint32_t value, char* out) {
  using hex_detail::kOnes;
  // Spread the nibbles into bytes, least significant in byte 0, then put the
  // most significant first.
  uint64_t n = value;
  n = (n | (n << 16)) & 0x0000ffff0000ffffull;
  n = (n | (n << 8)) & 0x00ff00ff00ff00ffull;
  n = (n | (n << 4)) & 0x0f0f0f0f0f0f0f0full;
  n = __builtin_bswap64(n);
  // '0' + n, plus 'a' - '0' - 10 where n >= 10 (n + 6 carries into bit 4).
  const uint64_t letters = ((n + 6 * kOnes) >> 4) & kOnes;
  uint64_t text = n + '0' * kOnes + letters * ('a' - '0' - 10);
  if constexpr (std::endian::native == std::endian::big) text = __builtin_bswap64(text);
  std::memcpy(out, &text, 8);
}

// Parses the eight digits at `in` into *value. False (and *value untouched)
// unless all eight bytes are lower-case hex digits.
inline bool ParseHex8(const char* in, uint32_t* value) {
  using hex_detail::kOnes;
  const uint64_t x = hex_detail::LoadLittle(in);
  const uint64_t high = 0x80 * kOnes;
  // For bytes below 0x80, x + (0x80 - c) sets a byte's high bit iff byte >= c
  // (no carry leaves a byte).
  const uint64_t at_least_0 = x + (0x80 - '0') * kOnes;
  const uint64_t above_9 = x + (0x80 - '9' - 1) * kOnes;
  const uint64_t at_least_a = x + (0x80 - 'a') * kOnes;
  const uint64_t above_f = x + (0x80 - 'f' - 1) * kOnes;
  const uint64_t digit = ((at_least_0 & ~above_9) | (at_least_a & ~above_f)) & high;
  if ((x & high) != 0 || digit != high) return false;
  // A digit's value is its low nibble, plus 9 for letters (bit 6 set).
  uint64_t n = (x & 0x0f0f0f0f0f0f0f0full) + ((x >> 6) & kOnes) * 9;
  n = __builtin_bswap64(n);  // The first digit most significant.
  n = (n | (n >> 4)) & 0x00ff00ff00ff00ffull;
  n = (n | (n >> 8)) & 0x0000ffff0000ffffull;
  n = (n | (n >> 16)) & 0x00000000ffffffffull;
  *value = static_cast<uint32_t>(n);
  return true;
}

// Writes the sixteen digits of `value`, most significant first, at `out`:
// one SSE2 pass on x86-64, two WriteHex8 elsewhere.
inline void WriteHex16(uint64_t value, char* out) {
#if defined(__SSE2__) && defined(__x86_64__)
  // Bytes most significant first; each splits into its high and low nibble.
  const __m128i x = _mm_cvtsi64_si128(static_cast<long long>(__builtin_bswap64(value)));
  const __m128i low4 = _mm_set1_epi8(0x0f);
  const __m128i n =
      _mm_unpacklo_epi8(_mm_and_si128(_mm_srli_epi16(x, 4), low4), _mm_and_si128(x, low4));
  const __m128i letters =
      _mm_and_si128(_mm_cmpgt_epi8(n, _mm_set1_epi8(9)), _mm_set1_epi8('a' - '0' - 10));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(out),
                   _mm_add_epi8(n, _mm_add_epi8(letters, _mm_set1_epi8('0'))));
#else
  WriteHex8(static_cast<uint32_t>(value >> 32), out);
  WriteHex8(static_cast<uint32_t>(value), out + 8);
#endif
}

// Parses the sixteen digits at `in` into *value. False (and *value
// untouched) unless all sixteen bytes are lower-case hex digits.
inline bool ParseHex16(const char* in, uint64_t* value) {
#if defined(__SSE2__) && defined(__x86_64__)
  const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(in));
  // Signed compares: bytes >= 0x80 are negative, below '0'.
  const __m128i digit = _mm_and_si128(_mm_cmpgt_epi8(x, _mm_set1_epi8('0' - 1)),
                                      _mm_cmplt_epi8(x, _mm_set1_epi8('9' + 1)));
  const __m128i letter = _mm_and_si128(_mm_cmpgt_epi8(x, _mm_set1_epi8('a' - 1)),
                                       _mm_cmplt_epi8(x, _mm_set1_epi8('f' + 1)));
  if (_mm_movemask_epi8(_mm_or_si128(digit, letter)) != 0xffff) return false;
  // Nibbles; then each 16-bit lane (first digit low) becomes one byte.
  const __m128i n =
      _mm_add_epi8(_mm_and_si128(x, _mm_set1_epi8(0x0f)), _mm_and_si128(letter, _mm_set1_epi8(9)));
  const __m128i pairs =
      _mm_or_si128(_mm_and_si128(_mm_slli_epi16(n, 4), _mm_set1_epi16(0xff)), _mm_srli_epi16(n, 8));
  const uint64_t bytes = static_cast<uint64_t>(_mm_cvtsi128_si64(_mm_packus_epi16(pairs, pairs)));
  *value = __builtin_bswap64(bytes);  // The first pair most significant.
  return true;
#else
  uint32_t high, low;
  if (!ParseHex8(in, &high) || !ParseHex8(in + 8, &low)) return false;
  *value = (uint64_t{high} << 32) | low;
  return true;
#endif
}

}  // namespace wharf::base_internal

#endif  // WHARF_BROKER_BASE_HEX_H_
