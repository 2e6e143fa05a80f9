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

}  // namespace
}  // namespace wharf::base_internal
