#include "broker/service/message_validation.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace wharf::service_internal {
namespace {

using ::testing::HasSubstr;
using ::wharf::testing::HasError;
using ::wharf::testing::HasErrorCode;
using ::wharf::testing::IsOk;

MessageAttributeValue Str(std::string v, std::string type = "String") {
  return {.data_type = std::move(type), .string_value = std::move(v)};
}
MessageAttributeValue Bin(std::string v, std::string type = "Binary") {
  return {.data_type = std::move(type), .binary_value = std::move(v)};
}

TEST(MessageTextTest, AcceptsXmlCharacters) {
  EXPECT_TRUE(IsValidMessageText("plain ascii\t\r\n"));
  EXPECT_TRUE(IsValidMessageText("Z\xC3\xBCrich"));     // ü
  EXPECT_TRUE(IsValidMessageText("\xEF\xBF\xBD"));      // U+FFFD
  EXPECT_TRUE(IsValidMessageText("\xF0\x9F\x98\x80"));  // U+1F600
  EXPECT_TRUE(IsValidMessageText("\xED\x9F\xBF"));      // U+D7FF
  EXPECT_TRUE(IsValidMessageText("\xEE\x80\x80"));      // U+E000
}

TEST(MessageTextTest, RejectsControlsSurrogatesNonCharactersAndBadUtf8) {
  EXPECT_FALSE(IsValidMessageText(std::string("a\0b", 3)));
  EXPECT_FALSE(IsValidMessageText("\x01"));
  EXPECT_FALSE(IsValidMessageText("\x1F"));
  EXPECT_FALSE(IsValidMessageText("\xED\xA0\x80"));  // U+D800, a surrogate
  EXPECT_FALSE(IsValidMessageText("\xEF\xBF\xBE"));  // U+FFFE
  EXPECT_FALSE(IsValidMessageText("\xEF\xBF\xBF"));  // U+FFFF
  EXPECT_FALSE(IsValidMessageText("\xC0\xAF"));      // overlong '/'
  EXPECT_FALSE(IsValidMessageText("\xC3"));          // truncated
  EXPECT_FALSE(IsValidMessageText("\xFF"));
  EXPECT_FALSE(IsValidMessageText("\xF4\x90\x80\x80"));  // above U+10FFFF
}

TEST(MessageTextTest, InvalidContentsErrorHasTheAwsCode) {
  EXPECT_THAT(InvalidMessageContentsError(),
              HasError(ErrorCode::kInvalidMessageContents, HasSubstr("Invalid characters found.")));
}

TEST(MessageSizeTest, CountsBodyAndAttributeNameTypeAndValueBytes) {
  MessageAttributeMap attributes = {{"city", Str("Z\xC3\xBCrich")},  // 4 + 6 + 7
                                    {"blob", Bin("\x01\x02\x03")}};  // 4 + 6 + 3
  EXPECT_EQ(MessageSize("hello", attributes), 5u + 17u + 13u);
}

TEST(ValidateMessageAttributesTest, AcceptsCustomTypeLabels) {
  EXPECT_THAT(ValidateSqsMessageAttributes({{"a", Str("1.5", "Number.float")},
                                            {"b", Str("{}", "String.json")},
                                            {"c", Bin("x", "Binary.gif")}}),
              IsOk());
}

TEST(ValidateMessageAttributesTest, AtMostTen) {
  MessageAttributeMap attributes;
  for (int i = 0; i < 11; ++i) attributes["a" + std::to_string(i)] = Str("v");
  EXPECT_THAT(ValidateSqsMessageAttributes(attributes),
              HasError(ErrorCode::kInvalidParameterValue,
                       "Number of message attributes [11] exceeds the allowed maximum [10]."));
}

TEST(ValidateMessageAttributesTest, RejectsBadNames) {
  for (std::string name : std::vector<std::string>{"AWS.x", "amazon.y", ".lead", "trail.", "a..b",
                                                   "sp ace", "", std::string(257, 'n')}) {
    EXPECT_THAT(ValidateSqsMessageAttributes({{name, Str("v")}}),
                HasErrorCode(ErrorCode::kInvalidParameterValue))
        << name;
  }
}

// AWS's own baseline name "attr.1øßä" is valid: letters of any script count;
// symbols, ASCII or not, do not.
TEST(ValidateMessageAttributesTest, NamesMayHoldLettersAndDigitsOfAnyScript) {
  for (std::string name : {"attr.1\u00f8\u00df\u00e4", "\u4e2d\u6587", "x\u0661"}) {
    EXPECT_THAT(ValidateSqsMessageAttributes({{name, Str("v")}}), IsOk()) << name;
  }
  std::string long_name;  // 256 two-byte letters: 512 bytes, 256 characters.
  for (int i = 0; i < 256; ++i) long_name += "\u00e4";
  EXPECT_THAT(ValidateSqsMessageAttributes({{long_name, Str("v")}}), IsOk());
  EXPECT_THAT(ValidateSqsMessageAttributes({{long_name + "a", Str("v")}}),
              HasError(ErrorCode::kInvalidParameterValue,
                       HasSubstr("Names must be at most 256 characters long.")));
  for (std::string name : {"Invalid-\u00a7-attr", "Invalid-!-attr", "Invalid-(-attr",
                           "smile\xf0\x9f\x98\x80", "bad\xc3"}) {
    EXPECT_THAT(ValidateSqsMessageAttributes({{name, Str("v")}}),
                HasError(ErrorCode::kInvalidParameterValue,
                         HasSubstr("Names can only include alphanumeric characters")))
        << name;
  }
}

TEST(ValidateMessageAttributesTest, RejectsBadDataTypes) {
  EXPECT_THAT(ValidateSqsMessageAttributes({{"a", Str("v", "")}}),
              HasError(ErrorCode::kInvalidParameterValue,
                       "The message attribute 'a' must contain non-empty message attribute type."));
  for (std::string type : {"Text", "string", "Number.", "StringX"}) {
    EXPECT_THAT(ValidateSqsMessageAttributes({{"a", Str("v", type)}}),
                HasError(ErrorCode::kInvalidParameterValue,
                         HasSubstr("supported type prefixes: Binary, Number, String")))
        << type;
  }
}

TEST(ValidateMessageAttributesTest, RejectsEmptyValues) {
  EXPECT_THAT(ValidateSqsMessageAttributes({{"a", Str("")}}),
              HasError(ErrorCode::kInvalidParameterValue,
                       "Message (user) attribute 'a' must contain a non-empty value of type "
                       "'String'."));
  EXPECT_THAT(ValidateSqsMessageAttributes({{"n", Str("", "Number.int")}}),
              HasError(ErrorCode::kInvalidParameterValue, HasSubstr("of type 'Number'.")));
  EXPECT_THAT(ValidateSqsMessageAttributes({{"b", Bin("")}}),
              HasError(ErrorCode::kInvalidParameterValue, HasSubstr("of type 'Binary'.")));
}

TEST(ValidateMessageAttributesTest, NumbersMustParse) {
  for (std::string ok : {"0", "-1", "007", "1.50", "1e10", "-2.5E-3", ".5", "5."}) {
    EXPECT_THAT(ValidateSqsMessageAttributes({{"n", Str(ok, "Number")}}), IsOk()) << ok;
  }
  for (std::string bad :
       {"abc", "1..2", "1e", "--1", "1e200", "12345678901234567890123456789012345678901"}) {
    EXPECT_THAT(ValidateSqsMessageAttributes({{"n", Str(bad, "Number")}}),
                HasErrorCode(ErrorCode::kInvalidParameterValue))
        << bad;
  }
}

TEST(ValidateMessageAttributesTest, StringValuesFollowTheBodyCharacterRules) {
  EXPECT_THAT(ValidateSqsMessageAttributes({{"s", Str("\x01")}}),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
}

TEST(ValidateMessageSystemAttributesTest, OnlyAwsTraceHeaderOfTypeString) {
  EXPECT_THAT(ValidateMessageSystemAttributes({{"AWSTraceHeader", Str("Root=1")}}), IsOk());
  EXPECT_THAT(ValidateMessageSystemAttributes({{"Other", Str("x")}}),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
  EXPECT_THAT(ValidateMessageSystemAttributes({{"AWSTraceHeader", Bin("x")}}),
              HasErrorCode(ErrorCode::kInvalidParameterValue));
}

TEST(IdTokenTest, IsPrintableAsciiWithoutSpaceUpTo128) {
  EXPECT_TRUE(IsValidIdToken("group-1"));
  EXPECT_TRUE(IsValidIdToken("!#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"));
  EXPECT_TRUE(IsValidIdToken(std::string(128, 'g')));
  EXPECT_FALSE(IsValidIdToken(std::string(129, 'g')));
  EXPECT_FALSE(IsValidIdToken(""));
  EXPECT_FALSE(IsValidIdToken("a b"));
  EXPECT_FALSE(IsValidIdToken("\xC3\xBC"));
}

TEST(BatchEntryIdTest, IsAlphanumericHyphenUnderscoreUpTo80) {
  EXPECT_TRUE(IsValidBatchEntryId("entry_1-a"));
  EXPECT_TRUE(IsValidBatchEntryId(std::string(80, 'e')));
  EXPECT_FALSE(IsValidBatchEntryId(std::string(81, 'e')));
  EXPECT_FALSE(IsValidBatchEntryId(""));
  EXPECT_FALSE(IsValidBatchEntryId("a.b"));
  EXPECT_FALSE(IsValidBatchEntryId("a b"));
}

TEST(AttributeNameTest, ReservedPrefixesInAnyCase) {
  EXPECT_TRUE(HasReservedAttributePrefix("AWS.x"));
  EXPECT_TRUE(HasReservedAttributePrefix("aws."));
  EXPECT_TRUE(HasReservedAttributePrefix("Amazon.trace"));
  EXPECT_TRUE(HasReservedAttributePrefix("AMAZON.x"));
  EXPECT_FALSE(HasReservedAttributePrefix("awsx"));
  EXPECT_FALSE(HasReservedAttributePrefix("amazonian"));
  EXPECT_FALSE(HasReservedAttributePrefix("my.aws.x"));
}

}  // namespace
}  // namespace wharf::service_internal
