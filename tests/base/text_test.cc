// UTF-8 decoding, the XML character set of SQS message text, JSON string
// literals.

#include "broker/base/text.h"

#include <iterator>
#include <random>
#include <string>
#include <string_view>

#include "gtest/gtest.h"

namespace wharf::base_internal {
namespace {

TEST(TextTest, DecodesEachUtf8LengthAndRefusesMalformedSequences) {
  uint32_t c = 0;
  EXPECT_EQ(DecodeUtf8("a", 0, &c), 1);
  EXPECT_EQ(c, 'a');
  EXPECT_EQ(DecodeUtf8("\xC3\xBC", 0, &c), 2);
  EXPECT_EQ(c, 0xFCu);
  EXPECT_EQ(DecodeUtf8("\xE2\x82\xAC", 0, &c), 3);
  EXPECT_EQ(c, 0x20ACu);
  EXPECT_EQ(DecodeUtf8("\xF0\x9F\x98\x80", 0, &c), 4);
  EXPECT_EQ(c, 0x1F600u);
  EXPECT_EQ(DecodeUtf8("\xFF", 0, &c), 0);              // Never a lead byte.
  EXPECT_EQ(DecodeUtf8("\xC3", 0, &c), 0);              // Truncated.
  EXPECT_EQ(DecodeUtf8("\xC0\x80", 0, &c), 0);          // Overlong NUL.
  EXPECT_EQ(DecodeUtf8("\xED\xA0\x80", 0, &c), 3);      // A surrogate decodes...
  EXPECT_FALSE(IsScalarValue(c));                       // ...but is no scalar value.
  EXPECT_EQ(DecodeUtf8("\xF4\x90\x80\x80", 0, &c), 0);  // Beyond U+10FFFF.
  EXPECT_EQ(DecodeUtf8("\xE2\x28\xA1", 0, &c), 0);      // Bad continuation.
}

TEST(TextTest, XmlTextIsTheSqsCharacterSet) {
  EXPECT_TRUE(IsXmlText(""));
  EXPECT_TRUE(IsXmlText("tab\there\r\nZ\xC3\xBCrich \xEF\xBF\xBD \xF0\x9F\x98\x80"));
  EXPECT_FALSE(IsXmlText(std::string("a\0b", 3)));
  EXPECT_FALSE(IsXmlText("\x01"));
  EXPECT_FALSE(IsXmlText("\x1F"));
  EXPECT_FALSE(IsXmlText("\xEF\xBF\xBE"));  // U+FFFE
  EXPECT_FALSE(IsXmlText("\xEF\xBF\xBF"));  // U+FFFF
  EXPECT_FALSE(IsXmlText("ok\xFF"));
  EXPECT_FALSE(IsXmlText("\xED\xA0\x80"));
}

// What IsXmlText and IsUtf8 decide, one code point at a time (they skip
// plain ASCII 8 or 32 bytes at a time).
bool ReferenceCheck(std::string_view text, bool xml) {
  for (size_t i = 0; i < text.size();) {
    uint32_t c;
    int n = DecodeUtf8(text, i, &c);
    if (n == 0 || !(xml ? IsXmlChar(c) : IsScalarValue(c))) return false;
    i += n;
  }
  return true;
}

TEST(TextTest, WordAtATimeChecksAgreeWithDecodingEachCodePoint) {
  // Every byte at every position of an ASCII text around the 8-byte blocks
  // and the 32-byte vectors.
  for (int byte = 0; byte < 256; ++byte) {
    for (size_t at = 0; at < 75; ++at) {
      std::string text(at < 19 ? 19 : 75, 'a');
      text[at] = static_cast<char>(byte);
      EXPECT_EQ(IsXmlText(text), ReferenceCheck(text, true)) << byte << " at " << at;
      EXPECT_EQ(IsUtf8(text), ReferenceCheck(text, false)) << byte << " at " << at;
    }
  }
  // Random mixes of ASCII, control bytes and multi-byte sequences (whole or
  // cut) across block boundaries.
  const std::string pieces[] = {"abcdefgh",
                                "\t",
                                "\n",
                                "\x7F",
                                "\x01",
                                "\x1F",
                                "\xC3\xBC",
                                "\xE2\x82\xAC",
                                "\xF0\x9F\x98\x80",
                                "\xEF\xBF\xBE",
                                "\xED\xA0\x80",
                                "\xC3",
                                "\x80",
                                "z"};
  std::mt19937 rng(7);
  for (int round = 0; round < 20000; ++round) {
    std::string text;
    const int count = static_cast<int>(rng() % 12);
    for (int k = 0; k < count; ++k) {
      // Mostly valid pieces, so that long valid runs get checked too.
      const size_t pick = rng() % 4 == 0 ? rng() % std::size(pieces) : rng() % 3 == 0 ? 7 : 0;
      text += pieces[pick];
    }
    ASSERT_EQ(IsXmlText(text), ReferenceCheck(text, true)) << text;
    ASSERT_EQ(IsUtf8(text), ReferenceCheck(text, false)) << text;
  }
}

TEST(TextTest, Utf8AllowsEveryScalarValue) {
  EXPECT_TRUE(IsUtf8(std::string("\x01\0\xEF\xBF\xBE", 5)));
  EXPECT_FALSE(IsUtf8("Send\xFFMessage"));
  EXPECT_FALSE(IsUtf8("\xED\xA0\x80"));
}

TEST(TextTest, LossyAppendReplacesEachMalformedByte) {
  std::string out = "x:";
  AppendUtf8Lossy("Send\xFFMessage \xC3\xBC \xED\xA0\x80 \xE2\x82", &out);
  EXPECT_EQ(out, "x:Send\xEF\xBF\xBDMessage \xC3\xBC \xEF\xBF\xBD \xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_TRUE(IsUtf8(out));
}

TEST(TextTest, JsonStringEscapesQuotesBackslashesAndControlCharacters) {
  std::string out = "x:";
  AppendJsonString(&out, std::string_view("a\"b\\c\n\r\t\b\f\x01\x1fz\xc3\xa9", 15));
  EXPECT_EQ(out, "x:\"a\\\"b\\\\c\\n\\r\\t\\b\\f\\u0001\\u001fz\xc3\xa9\"");
}

TEST(TextTest, JsonStringSizeIsWhatAppendJsonStringAppends) {
  std::string every_byte;
  for (int c = 0; c < 256; ++c) every_byte.push_back(static_cast<char>(c));
  for (std::string_view s :
       {std::string_view(), std::string_view("plain"), std::string_view(every_byte)}) {
    std::string out;
    AppendJsonString(&out, s);
    EXPECT_EQ(JsonStringSize(s), out.size()) << out;
  }
}

}  // namespace
}  // namespace wharf::base_internal
