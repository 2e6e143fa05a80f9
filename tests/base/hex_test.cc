#include "broker/base/hex.h"

#include <cstdint>
#include <string>

#include "gtest/gtest.h"

namespace wharf::base_internal {
namespace {

TEST(HexTest, WritesEveryByteAsTwoLowerCaseDigits) {
  uint8_t bytes[256];
  std::string expected;
  for (int b = 0; b < 256; ++b) {
    bytes[b] = static_cast<uint8_t>(b);
    expected += "0123456789abcdef"[b >> 4];
    expected += "0123456789abcdef"[b & 15];
  }
  std::string out(512, '?');
  EXPECT_EQ(WriteHex(bytes, 256, out.data()), out.data() + 512);
  EXPECT_EQ(out, expected);
}

TEST(HexTest, WritesTheLowDigitsOfANumberMostSignificantFirst) {
  std::string out(16, '?');
  EXPECT_EQ(WriteHexNumber(0x0123456789abcdefull, 16, out.data()), out.data() + 16);
  EXPECT_EQ(out, "0123456789abcdef");
  out.assign(8, '?');
  WriteHexNumber(0xffffffff0000002aull, 8, out.data());  // Higher bits are left out.
  EXPECT_EQ(out, "0000002a");
  out.assign(2, '?');
  WriteHexNumber(7, 2, out.data());
  EXPECT_EQ(out, "07");
}

TEST(HexTest, ParsesWhatItWrites) {
  for (uint64_t v : {uint64_t{0}, uint64_t{1}, uint64_t{0xdeadbeef}, ~uint64_t{0}}) {
    std::string text(16, '?');
    WriteHexNumber(v, 16, text.data());
    uint64_t parsed = 12345;
    ASSERT_TRUE(ParseHexNumber(text, &parsed)) << text;
    EXPECT_EQ(parsed, v);
  }
  uint64_t parsed = 0;
  EXPECT_TRUE(ParseHexNumber("", &parsed));
  EXPECT_EQ(parsed, 0u);
}

TEST(HexTest, RefusesEveryByteThatIsNotALowerCaseDigit) {
  for (int c = 0; c < 256; ++c) {
    const bool digit = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
    std::string text = "00";
    text += static_cast<char>(c);
    uint64_t parsed = 0;
    EXPECT_EQ(ParseHexNumber(text, &parsed), digit) << c;
  }
}

TEST(HexTest, EightDigitsAtATimeMatchTheTableWriter) {
  for (uint32_t v : {0u, 1u, 9u, 10u, 0xau, 0x0123abcdu, 0x9fa0f9afu, 0xdeadbeefu, ~0u}) {
    std::string fast(8, '?');
    WriteHex8(v, fast.data());
    std::string table(8, '?');
    WriteHexNumber(v, 8, table.data());
    EXPECT_EQ(fast, table);
    uint32_t parsed = 12345;
    ASSERT_TRUE(ParseHex8(fast.data(), &parsed)) << fast;
    EXPECT_EQ(parsed, v);
  }
}

TEST(HexTest, EightDigitParserRefusesEveryOtherByteInEveryPosition) {
  for (int pos = 0; pos < 8; ++pos) {
    for (int c = 0; c < 256; ++c) {
      const bool digit = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
      std::string text = "9f0a5e1b";
      text[static_cast<size_t>(pos)] = static_cast<char>(c);
      uint32_t parsed = 0;
      EXPECT_EQ(ParseHex8(text.data(), &parsed), digit) << pos << " " << c;
    }
  }
}

TEST(HexTest, SixteenDigitsAtATimeMatchTheTableWriter) {
  for (uint64_t v : {uint64_t{0}, uint64_t{1}, uint64_t{0x0123456789abcdef},
                     uint64_t{0xf9a09fa0deadbeef}, ~uint64_t{0}}) {
    std::string fast(16, '?');
    WriteHex16(v, fast.data());
    std::string table(16, '?');
    WriteHexNumber(v, 16, table.data());
    EXPECT_EQ(fast, table);
    uint64_t parsed = 12345;
    ASSERT_TRUE(ParseHex16(fast.data(), &parsed)) << fast;
    EXPECT_EQ(parsed, v);
  }
}

TEST(HexTest, SixteenDigitParserRefusesEveryOtherByteInEveryPosition) {
  for (int pos = 0; pos < 16; ++pos) {
    for (int c = 0; c < 256; ++c) {
      const bool digit = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
      std::string text = "9f0a5e1b7c3d2468";
      text[static_cast<size_t>(pos)] = static_cast<char>(c);
      uint64_t parsed = 0;
      EXPECT_EQ(ParseHex16(text.data(), &parsed), digit) << pos << " " << c;
    }
  }
}

}  // namespace
}  // namespace wharf::base_internal
