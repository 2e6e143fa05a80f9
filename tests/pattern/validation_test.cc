// Table-driven tests of pattern validation: each invalid pattern fails with
// the dialect's AWS error code and the reason text of spec/eventbridge.md §4
// and spec/sns.md §5.4.

#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "wharf/errors.h"
#include "wharf/pattern.h"

namespace wharf {
namespace {

using ::testing::ElementsAre;
using testing::HasError;
using testing::HasErrorCode;
using ::testing::IsEmpty;
using testing::IsOk;
using testing::IsOkAndHolds;
using ::testing::StartsWith;

struct InvalidCase {
  const char* name;
  const char* pattern;
  const char* reason;  // Without the dialect's prefix.
};

std::string PrintCase(const ::testing::TestParamInfo<InvalidCase>& info) { return info.param.name; }

class EventBridgeValidationTest : public ::testing::TestWithParam<InvalidCase> {};

TEST_P(EventBridgeValidationTest, RejectsWithInvalidEventPattern) {
  const InvalidCase& c = GetParam();
  EXPECT_THAT(ValidatePattern(PatternDialect::kEventBridge, c.pattern),
              HasError(ErrorCode::kInvalidEventPattern,
                       std::string("Event pattern is not valid. Reason: ") + c.reason))
      << c.pattern;
}

const InvalidCase kEventBridgeInvalid[] = {
    {"LeafMustBeArray", R"({"source":"x"})", "\"source\" must be an object or an array"},
    {"LeafNumberMustBeArray", R"({"a":{"b":5}})", "\"b\" must be an object or an array"},
    {"EmptyArray", R"({"source":[]})", "Empty arrays are not allowed"},
    {"TopLevelArray", R"([{"source":["x"]}])", "Filter is not an object"},
    {"NestedArrayValue", R"({"a":[["x"]]})",
     "Match value must be String, number, true, false, or null"},
    {"OperatorNamesAreCaseSensitive", R"({"a":[{"EXISTS":true}]})",
     "Unrecognized match type EXISTS"},
    {"UnknownOperator", R"({"a":[{"regex":"x"}]})", "Unrecognized match type regex"},
    {"TwoOperatorsInOneObject", R"({"a":[{"prefix":"x","suffix":"y"}]})",
     "Only one key allowed in match expression"},
    // Two keys: aws/event-ruler reads the first operator (and its value)
    // before it finds the second (processMatchExpression).
    {"TwoKeysFirstUnknown", R"({"a":[{"foo":"x","bar":"y"}]})", "Unrecognized match type foo"},
    {"TwoKeysFirstValueBad", R"({"a":[{"prefix":5,"x":1}]})",
     "prefix match pattern must be a string"},
    {"TwoKeysNumeric", R"({"a":[{"numeric":[">",1],"x":1}]})",
     "Too many elements in numeric expression"},
    {"TwoKeysAnythingButValue", R"({"a":[{"anything-but":"a","x":1}]})",
     "Too many elements in numeric expression"},
    {"TwoKeysAnythingButObject", R"({"a":[{"anything-but":{"prefix":"a"},"x":1}]})",
     "Only one key allowed in match expression"},
    {"OrOneBranchTwoKeys", R"({"$or":[{"source":["a"],"b":["c"]}]})",
     "Unrecognized match type source"},
    {"PrefixNotString", R"({"a":[{"prefix":5}]})", "prefix match pattern must be a string"},
    {"SuffixNotString", R"({"a":[{"suffix":5}]})", "suffix match pattern must be a string"},
    {"EqualsIgnoreCaseNotString", R"({"a":[{"equals-ignore-case":5}]})",
     "equals-ignore-case match pattern must be a string"},
    {"WildcardNotString", R"({"a":[{"wildcard":5}]})", "wildcard match pattern must be a string"},
    {"AnythingButListWithNull", R"({"a":[{"anything-but":["x",null]}]})",
     "Inside anything but list, start|null|boolean is not supported."},
    {"AnythingButListWithBoolean", R"({"a":[{"anything-but":[true]}]})",
     "Inside anything but list, start|null|boolean is not supported."},
    {"AnythingButIgnoreCaseListWithNumber",
     R"({"a":[{"anything-but":{"equals-ignore-case":["x",1]}}]})",
     "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported."},
    {"AnythingButEmptyPrefix", R"({"a":[{"anything-but":{"prefix":""}}]})",
     "Null prefix/suffix not allowed"},
    {"AnythingButEmptySuffix", R"({"a":[{"anything-but":{"suffix":""}}]})",
     "Null prefix/suffix not allowed"},
    {"AnythingButPrefixIgnoreCase",
     R"({"a":[{"anything-but":{"prefix":{"equals-ignore-case":"x"}}}]})",
     "Value of anything-but must be an array or single string/number value."},
    // anything-but's object forms, with aws/event-ruler's reasons.
    {"AnythingButPrefixNumber", R"({"a":[{"anything-but":{"prefix":5}}]})",
     "prefix/suffix match pattern must be a string"},
    {"AnythingButPrefixBoolean", R"({"a":[{"anything-but":{"prefix":true}}]})",
     "Value of anything-but must be an array or single string/number value."},
    {"AnythingButPrefixListWithNumber", R"({"a":[{"anything-but":{"prefix":["x",1]}}]})",
     "prefix/suffix match pattern must be a string"},
    {"AnythingButSuffixListWithNull", R"({"a":[{"anything-but":{"suffix":["x",null]}}]})",
     "prefix/suffix match pattern must be a string"},
    {"AnythingButPrefixListWithEmptyString", R"({"a":[{"anything-but":{"prefix":["x",""]}}]})",
     "Null prefix/suffix not allowed"},
    {"AnythingButSuffixListEmptyStringBeforeNumber",
     R"({"a":[{"anything-but":{"suffix":["",1]}}]})", "Null prefix/suffix not allowed"},
    {"AnythingButPrefixListNested", R"({"a":[{"anything-but":{"prefix":[["x"]]}}]})",
     "prefix/suffix match pattern must be a string"},
    {"AnythingButPrefixEmptyList", R"({"a":[{"anything-but":{"prefix":[]}}]})",
     "Empty arrays are not allowed"},
    {"AnythingButIgnoreCaseNumber", R"({"a":[{"anything-but":{"equals-ignore-case":5}}]})",
     "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported."},
    {"AnythingButIgnoreCaseNull", R"({"a":[{"anything-but":{"equals-ignore-case":null}}]})",
     "Value of anything-but must be an array or single string/number value."},
    {"AnythingButWildcardNumber", R"({"a":[{"anything-but":{"wildcard":5}}]})",
     "wildcard match pattern must be a string"},
    {"AnythingButWildcardBoolean", R"({"a":[{"anything-but":{"wildcard":false}}]})",
     "Value of anything-but must be an array or single string/number value."},
    {"AnythingButUnknownOperator", R"({"a":[{"anything-but":{"numeric":[">",1]}}]})",
     "Unsupported anything-but pattern: numeric"},
    {"AnythingButBoolean", R"({"a":[{"anything-but":true}]})",
     "Value of anything-but must be an array or single string/number value."},
    // aws/event-ruler JsonRuleCompiler.processAnythingButListMatchExpression:
    // all strings or all numbers; its check also catches the empty list.
    {"AnythingButListMixesStringAndNumber", R"({"a":[{"anything-but":["a",1]}]})",
     "Inside anything but list, either all values are number or string, mixed type is not "
     "supported"},
    {"AnythingButListMixesNumberAndString", R"({"a":[{"anything-but":[1,"a"]}]})",
     "Inside anything but list, either all values are number or string, mixed type is not "
     "supported"},
    {"AnythingButMixedListWithNull", R"({"a":[{"anything-but":["a",1,null]}]})",
     "Inside anything but list, start|null|boolean is not supported."},
    {"AnythingButEmptyList", R"({"a":[{"anything-but":[]}]})",
     "Inside anything but list, either all values are number or string, mixed type is not "
     "supported"},
    {"NumericNotArray", R"({"a":[{"numeric":5}]})", "Value of numeric must be an array."},
    {"NumericTwoLowerBounds", R"({"a":[{"numeric":[">",0,">",0]}]})",
     "Bad numeric range operator: >"},
    {"NumericValueNotNumber", R"({"a":[{"numeric":["<","x"]}]})", "Value of < must be numeric"},
    {"NumericMissingValue", R"({"a":[{"numeric":[">="]}]})", "Value of >= must be numeric"},
    // "=" spelt out, as event-ruler and SNS (SnsRecordedValidationTest) do.
    {"NumericEqualsNotNumber", R"({"a":[{"numeric":["=","000"]}]})",
     "Value of equals must be numeric"},
    // AWS names the prefix operator for a cidr value that is not a string
    // (LocalStack event_pattern_templates/content_ip_address_type_EXC,
    // AWS-validated).
    {"CidrListIsNotString", R"({"ip":[{"cidr":["10.0.0.0/8"]}]})",
     "prefix match pattern must be a string"},
    {"CidrNumberIsNotString", R"({"ip":[{"cidr":24}]})", "prefix match pattern must be a string"},
    {"NumericUnknownOperator", R"({"a":[{"numeric":["!=",1]}]})",
     "Unrecognized numeric range operator: !="},
    {"NumericEmpty", R"({"a":[{"numeric":[]}]})", "Invalid member in numeric match: ]"},
    {"NumericBottomNotBelowTop", R"({"a":[{"numeric":[">",5,"<",5]}]})",
     "Bottom must be less than top"},
    {"NumericEqualsWithMore", R"({"a":[{"numeric":["=",5,"<",6]}]})",
     "Too many elements in numeric expression"},
    {"NumericTooManyTerms", R"({"a":[{"numeric":[">",1,"<",5,"<",6]}]})",
     "Too many terms in numeric range expression"},
    {"NumericUpperThenLower", R"({"a":[{"numeric":["<",5,">",1]}]})",
     "Bad numeric range operator: >"},
    {"NumericOutOfRange", R"({"a":[{"numeric":[">",6e9]}]})",
     "Bad value in numeric range: 6000000000"},
    {"ExistsNotBoolean", R"({"a":[{"exists":"yes"}]})",
     "exists match pattern must be either true or false."},
    {"CidrWithoutSlash", R"({"ip":[{"cidr":"10.0.0.0"}]})", "Malformed CIDR, one '/' required"},
    {"CidrBadMask", R"({"ip":[{"cidr":"10.0.0.0/x"}]})",
     "Malformed CIDR, mask bits must be an integer"},
    // aws/event-ruler CIDR.cidr: masks must be shorter than the address.
    {"CidrMaskTooLong", R"({"ip":[{"cidr":"10.0.0.0/33"}]})", "IPv4 mask bits must be < 32"},
    {"CidrV4HostMask", R"({"ip":[{"cidr":"10.0.0.1/32"}]})", "IPv4 mask bits must be < 32"},
    {"CidrV6HostMask", R"({"ip":[{"cidr":"::1/128"}]})", "IPv6 mask bits must be < 128"},
    {"CidrV6MaskTooLong", R"({"ip":[{"cidr":"2001:db8::/129"}]})", "IPv6 mask bits must be < 128"},
    {"CidrNegativeMask", R"({"ip":[{"cidr":"10.0.0.0/-1"}]})",
     "Malformed CIDR, mask bits must not be negative"},
    {"CidrEmptyMask", R"({"ip":[{"cidr":"10.0.0.0/"}]})", "Malformed CIDR, one '/' required"},
    {"CidrMaskOverflowsInt", R"({"ip":[{"cidr":"10.0.0.0/2147483648"}]})",
     "Malformed CIDR, mask bits must be an integer"},
    {"CidrBadAddressBeforeMaskRange", R"({"ip":[{"cidr":"10.0.0/40"}]})",
     "Nonstandard IP address: 10.0.0"},
    // aws/event-ruler CIDR.ipToBytes: text shaped like an address that Java's
    // InetAddress does not read is invalid, other text nonstandard.
    {"CidrBadAddress", R"({"ip":[{"cidr":"10.0.0.256/8"}]})", "Invalid IP address: 10.0.0.256"},
    {"CidrAddressTooLong", R"({"ip":[{"cidr":"0010.000.000.000/8"}]})",
     "Invalid IP address: 0010.000.000.000"},
    {"CidrBadV6Group", R"({"ip":[{"cidr":"2001:db8::10000/64"}]})",
     "Invalid IP address: 2001:db8::10000"},
    {"CidrV6DottedTail", R"({"ip":[{"cidr":"::ffff:10.0.0.0/120"}]})",
     "Nonstandard IP address: ::ffff:10.0.0.0"},
    {"CidrV4MappedMaskTooLong", R"({"ip":[{"cidr":"::ffff:a00:0/96"}]})",
     "IPv4 mask bits must be < 32"},
    {"WildcardConsecutiveStars", R"({"a":[{"wildcard":"a**"}]})",
     "Consecutive wildcard characters at pos 2"},
    // The position is the second star's 0-based index (observed:
    // content_wildcard_repeating_star_EXC).
    {"WildcardConsecutiveStarsInArn",
     R"({"EventBusArn":[{"wildcard":"arn:aws:events:us-east-1:**:event-bus/*"}]})",
     "Consecutive wildcard characters at pos 26"},
    {"WildcardBadEscape", R"({"a":[{"wildcard":"a\\x"}]})", "Invalid escape character at pos 1"},
    {"WildcardTooComplex", R"({"a":[{"wildcard":"*:*:*:*:*:event-bus/*"}]})",
     "Rule is too complex - try using fewer wildcard characters or fewer repeating character "
     "sequences after a wildcard character"},
    // A malformed "$or": aws/event-ruler's Machine.addRule reads the pattern
    // again with "$or" as a field name (RuleCompiler) and reports that
    // reading's error (checked with the compiled ruler).
    {"OrEmpty", R"({"$or":[]})", "Empty arrays are not allowed"},
    {"OrBranchNotObject", R"({"$or":[["x"]]})",
     "Match value must be String, number, true, false, or null"},
    {"OrOneBranch", R"({"$or":[{"source":["a"]}]})", "Unrecognized match type source"},
    {"OrOneBranchWithSibling", R"({"x":["y"],"$or":[{"source":["a"]}]})",
     "Unrecognized match type source"},
    {"OrOneBranchNested", R"({"d":{"$or":[{"a":["x"]}]}})", "Unrecognized match type a"},
    {"OrOneEmptyBranch", R"({"$or":[{}]})", "Match expression name not found"},
    {"OrEmptyFirstBranch", R"({"$or":[{},{"a":[1]}]})", "Match expression name not found"},
    {"OrEmptySecondBranch", R"({"$or":[{"a":[1]},{}]})", "Unrecognized match type a"},
    {"OrBranchError", R"({"$or":[{"a":[]},{"b":["x"]}]})", "Unrecognized match type a"},
    {"OrErrorAfterOr", R"({"$or":[{"a":["x"]},{"b":["c"]}],"c":[]})", "Unrecognized match type a"},
    {"ErrorBeforeOr", R"({"c":[],"$or":[{"a":["x"]}]})", "Empty arrays are not allowed"},
    {"OrReservedFieldName", R"({"$or":[{"prefix":["a"]},{"b":["c"]}]})",
     "prefix match pattern must be a string"},
    {"OrReservedNestedFieldName", R"({"$or":[{"d":{"numeric":["a"]}},{"b":["c"]}]})",
     "Unrecognized match type d"},
    // cidr errors are not parse errors in event-ruler: no second reading.
    {"OrCidrErrorIsFinal", R"({"$or":[{"ip":[{"cidr":"1.2.3.4/40"}]},{"b":["c"]}]})",
     "IPv4 mask bits must be < 32"},
    // Empty objects: aws/event-ruler JsonRuleCompiler.parseObject (every
    // level) and processMatchExpression / its anything-but branch.
    {"EmptyPattern", R"({})", "Empty objects are not allowed"},
    {"EmptyNestedObject", R"({"detail":{}})", "Empty objects are not allowed"},
    {"EmptyDeepObjectAfterField", R"({"a":["x"],"d":{"e":{}}})", "Empty objects are not allowed"},
    {"EmptyOperatorObject", R"({"a":[{}]})", "Match expression name not found"},
    {"EmptyAnythingButObject", R"({"a":[{"anything-but":{}}]})",
     "Anything-But expression name not found"},
};

INSTANTIATE_TEST_SUITE_P(Table, EventBridgeValidationTest, ::testing::ValuesIn(kEventBridgeInvalid),
                         PrintCase);

TEST(EventBridgeValidationTest, RejectsInvalidJsonWithParserReason) {
  EXPECT_THAT(ValidatePattern(PatternDialect::kEventBridge, R"({"a": ["x"])"),
              HasError(ErrorCode::kInvalidEventPattern,
                       StartsWith("Event pattern is not valid. Reason: ")));
}

// Text that is not JSON: AWS gives the message of event-ruler's parser
// (Jackson) for the first syntax error, without the "\n at [Source: ...]"
// locator here. The first four are AWS's recorded answers (LocalStack
// test_events_patterns.py test_invalid_json_event_pattern, AWS-validated);
// the others are Jackson's texts for the same kinds of error.
const InvalidCase kEventBridgeNotJson[] = {
    {"WordAtRoot", "this is valid json but not a dict",
     "Unrecognized token 'this': was expecting (JSON String, Number, Array, Object or token "
     "'null', 'true' or 'false')"},
    {"SingleQuotedName", "{'bad': 'quotation'}",
     "Unexpected character (''' (code 39)): was expecting double-quote to start field name"},
    {"UnquotedValue", R"({"not": closed mark")",
     "Unrecognized token 'closed': was expecting (JSON String, Number, Array, Object or token "
     "'null', 'true' or 'false')"},
    {"ArrayAtRoot", R"(["not", "a", "dict", "but valid json"])", "Filter is not an object"},
    // event-ruler reads only the first token of a pattern that is not an
    // object.
    {"UnclosedArrayAtRoot", "[1,", "Filter is not an object"},
    {"StringAtRoot", R"("x")", "Filter is not an object"},
    {"TruncatedTrue", R"({"a": [tru]})",
     "Unrecognized token 'tru': was expecting (JSON String, Number, Array, Object or token "
     "'null', 'true' or 'false')"},
    {"TrueRunsOn", R"({"a": [truex]})",
     "Unrecognized token 'truex': was expecting (JSON String, Number, Array, Object or token "
     "'null', 'true' or 'false')"},
    {"MissingColon", R"({"a" ["x"]})",
     "Unexpected character ('[' (code 91)): was expecting a colon to separate field name and "
     "value"},
    {"MissingComma", R"({"a": ["x"] "b": ["y"]})",
     "Unexpected character ('\"' (code 34)): was expecting comma to separate Object entries"},
    {"MissingCommaInArray", R"({"a": ["x" "y"]})",
     "Unexpected character ('\"' (code 34)): was expecting comma to separate Array entries"},
    {"TrailingCommaInArray", R"({"a": ["x",]})",
     "Unexpected character (']' (code 93)): expected a valid value (JSON String, Number, Array, "
     "Object or token 'null', 'true' or 'false')"},
    {"CloseBraceForValue", R"({"a": })", "Unexpected character ('}' (code 125)): expected a value"},
    {"CloseBraceAfterComma", R"({"a": ["x",}})",
     "Unexpected character ('}' (code 125)): expected a value"},
    {"TrailingCommaInObject", R"({"a": ["x"],})",
     "Unexpected character ('}' (code 125)): was expecting double-quote to start field name"},
    {"BadEscape", R"({"a": ["x\q"]})", "Unrecognized character escape 'q' (code 113)"},
    {"BadUnicodeEscape", R"({"a": ["\u12g4"]})",
     "Unexpected character ('g' (code 103)): expected a hex-digit for character escape "
     "sequence"},
    {"RawNewlineInString", "{\"a\": [\"x\ny\"]}",
     "Illegal unquoted character ((CTRL-CHAR, code 10)): has to be escaped using backslash to "
     "be included in string value"},
    {"RawTabInName", "{\"a\tb\": [\"x\"]}",
     "Illegal unquoted character ((CTRL-CHAR, code 9)): has to be escaped using backslash to be "
     "included in name"},
    {"ControlBetweenTokens", "{\"a\":\x01[\"x\"]}",
     "Illegal character ((CTRL-CHAR, code 1)): only regular white space (\\r, \\n, \\t) is "
     "allowed between tokens"},
    {"Comment", R"({/* c */ "a": ["x"]})",
     "Unexpected character ('/' (code 47)): maybe a (non-standard) comment? (not recognized as "
     "one since Feature 'ALLOW_COMMENTS' not enabled for parser)"},
    {"NaN", R"({"a": [NaN]})",
     "Non-standard token 'NaN': enable JsonParser.Feature.ALLOW_NON_NUMERIC_NUMBERS to allow"},
    {"OddCharacter", R"({"a": [@]})",
     "Unexpected character ('@' (code 64)): expected a valid value (JSON String, Number, Array, "
     "Object or token 'null', 'true' or 'false')"},
    {"NonAsciiCharacter", "{\"a\": [\u0100x]}",
     "Unrecognized token '\u0100x': was expecting (JSON String, Number, Array, Object or token "
     "'null', 'true' or 'false')"},
};

INSTANTIATE_TEST_SUITE_P(NotJson, EventBridgeValidationTest,
                         ::testing::ValuesIn(kEventBridgeNotJson), PrintCase);

TEST(EventBridgeValidationTest, RejectsOrExplosionAsTooComplex) {
  // 4^6 = 4096 alternatives > kMaxAlternatives.
  std::string pattern = "{";
  for (int i = 0; i < 6; ++i) {
    if (i > 0) pattern += ",";
    pattern += "\"k" + std::to_string(i) +
               "\":{\"$or\":[{\"a\":[1]},{\"b\":[1]},{\"c\":[1]},{\"d\":[1]}]}";
  }
  pattern += "}";
  EXPECT_THAT(ValidatePattern(PatternDialect::kEventBridge, pattern),
              HasError(ErrorCode::kInvalidEventPattern, StartsWith("Event pattern is not valid. "
                                                                   "Reason: Rule is too complex")));
}

TEST(EventBridgeValidationTest, MalformedOrIsReadAsAFieldName) {
  // As aws/event-ruler's Machine (GenericMachine.addRule falls back to
  // RuleCompiler): these are patterns on a field named "$or".
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Matcher> m, Matcher::Create(PatternDialect::kEventBridge));
  ASSERT_OK(m->Add("prefix", R"({"$or":[{"prefix":"a"}]})"));
  ASSERT_OK(m->Add("object", R"({"$or":{"a":["x"]}})"));
  ASSERT_OK(m->Add("strings", R"({"$or":["x","y"]})"));
  EXPECT_THAT(m->MatchJson(R"({"$or":"abc"})"), IsOkAndHolds(ElementsAre("prefix")));
  EXPECT_THAT(m->MatchJson(R"({"$or":{"a":"x"}})"), IsOkAndHolds(ElementsAre("object")));
  EXPECT_THAT(m->MatchJson(R"({"$or":"y"})"), IsOkAndHolds(ElementsAre("strings")));
  EXPECT_THAT(m->MatchJson(R"({"a":"x"})"), IsOkAndHolds(IsEmpty()));
}

TEST(EventBridgeValidationTest, RepeatedPathKeepsTheLastInThePattern) {
  // aws/event-ruler (rule overriding, its Machine's default): a path given
  // twice takes the later value, in each "$or" alternative (checked with
  // the compiled ruler).
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Matcher> m, Matcher::Create(PatternDialect::kEventBridge));
  ASSERT_OK(m->Add("dup", R"({"a":["x"],"a":["y"]})"));
  ASSERT_OK(m->Add("dotted", R"({"d.e":["x"],"d":{"e":["y"]}})"));
  ASSERT_OK(m->Add("or", R"({"b":["x"],"$or":[{"b":["y"]},{"c":["z"]}]})"));
  ASSERT_OK(m->Add("after_or", R"({"$or":[{"f":["y"]},{"c":["z"]}],"f":["x"]})"));
  ASSERT_OK(m->Add("exists", R"({"g":["x"],"g":[{"exists":false}]})"));
  EXPECT_THAT(m->MatchJson(R"({"a":"x"})"), IsOkAndHolds(ElementsAre("exists")));
  EXPECT_THAT(m->MatchJson(R"({"a":"y"})"), IsOkAndHolds(ElementsAre("dup", "exists")));
  EXPECT_THAT(m->MatchJson(R"({"d":{"e":"y"},"g":"x"})"), IsOkAndHolds(ElementsAre("dotted")));
  EXPECT_THAT(m->MatchJson(R"({"b":"y","g":"x"})"), IsOkAndHolds(ElementsAre("or")));
  EXPECT_THAT(m->MatchJson(R"({"b":"x","c":"z","g":"x"})"), IsOkAndHolds(ElementsAre("or")));
  EXPECT_THAT(m->MatchJson(R"({"f":"y","g":"x"})"), IsOkAndHolds(IsEmpty()));
  EXPECT_THAT(m->MatchJson(R"({"f":"x","c":"z","g":"x"})"), IsOkAndHolds(ElementsAre("after_or")));
}

TEST(SnsValidationTest, RepeatedPathMustMatchEveryTime) {
  // SNS is unchanged: both conditions apply.
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Matcher> m,
                       Matcher::Create(PatternDialect::kSnsMessageBody));
  ASSERT_OK(m->Add("dup", R"({"a":["x"],"a":["y"]})"));
  EXPECT_THAT(m->MatchJson(R"({"a":"y"})"), IsOkAndHolds(IsEmpty()));
}

TEST(EventBridgeValidationTest, AcceptsAnythingButPrefixAndSuffixLists) {
  EXPECT_THAT(ValidatePattern(PatternDialect::kEventBridge,
                              R"({"a":[{"anything-but":{"prefix":["init","err"]}}],
                                  "b":[{"anything-but":{"suffix":[".tmp"]}}]})"),
              IsOk());
}

TEST(EventBridgeValidationTest, AcceptsIgnoreCaseOperatorsOnAnyScript) {
  EXPECT_THAT(ValidatePattern(PatternDialect::kEventBridge, R"({
    "a": [{"equals-ignore-case": "École"}, {"prefix": {"equals-ignore-case": "ΟΔΟΣ"}},
          {"suffix": {"equals-ignore-case": "ёлка"}},
          {"anything-but": {"equals-ignore-case": ["straße", "İ", "😀"]}}]})"),
              IsOk());
}

TEST(EventBridgeValidationTest, AcceptsFiveWildcardStars) {
  EXPECT_THAT(ValidatePattern(PatternDialect::kEventBridge, R"({"a":[{"wildcard":"*a*b*c*d*"}]})"),
              IsOk());
}

TEST(EventBridgeValidationTest, AcceptsEveryOperatorTogether) {
  EXPECT_THAT(ValidatePattern(PatternDialect::kEventBridge, R"({
    "a": ["x", 1, true, null, {"prefix": "p"}, {"suffix": "s"}, {"equals-ignore-case": "e"},
          {"prefix": {"equals-ignore-case": "P"}}, {"suffix": {"equals-ignore-case": "S"}},
          {"wildcard": "w*"}, {"numeric": [">", 0, "<", 1]}, {"exists": true},
          {"cidr": "10.0.0.0/8"}, {"anything-but": {"wildcard": ["x*"]}}],
    "b": {"$or": [{"c": [1]}, {"d": [{"exists": false}]}]}})"),
              IsOk());
}

// ---- SNS ------------------------------------------------------------------------

void ExpectSnsRejects(PatternDialect scope, const InvalidCase& c) {
  EXPECT_THAT(ValidatePattern(scope, c.pattern),
              HasError(ErrorCode::kSnsInvalidParameter, std::string("FilterPolicy: ") + c.reason))
      << c.pattern;
}

class SnsValidationTest : public ::testing::TestWithParam<InvalidCase> {};

TEST_P(SnsValidationTest, RejectsWithInvalidParameter) {
  ExpectSnsRejects(PatternDialect::kSnsMessageBody, GetParam());
}

const InvalidCase kSnsInvalid[] = {
    {"LeafMustBeArray", R"({"store":"x"})", "\"store\" must be an object or an array"},
    {"EmptyArray", R"({"store":[]})", "Empty arrays are not allowed"},
    {"NestedArrayValue", R"({"a":[["x"]]})",
     "Match value must be String, number, true, false, or null"},
    {"UnknownOperator", R"({"a":[{"regex":"x"}]})", "Unrecognized match type regex"},
    {"WildcardIsNotAnSnsOperator", R"({"a":[{"wildcard":"x*"}]})",
     "Unrecognized match type wildcard"},
    {"TwoOperators", R"({"a":[{"prefix":"x","numeric":[">",1]}]})",
     "Only one key allowed in match expression"},
    {"SuffixNotString", R"({"a":[{"suffix":100}]})", "suffix match pattern must be a string"},
    {"PrefixIgnoreCaseUnsupported", R"({"a":[{"prefix":{"equals-ignore-case":"x"}}]})",
     "prefix match pattern must be a string"},
    {"AnythingButSuffixUnsupported", R"({"a":[{"anything-but":{"suffix":"x"}}]})",
     "Unsupported anything-but pattern: suffix"},
    {"AnythingButExistsUnsupported", R"({"a":[{"anything-but":{"exists":true}}]})",
     "Unsupported anything-but pattern: exists"},
    {"AnythingButPrefixNotString", R"({"a":[{"anything-but":{"prefix":1}}]})",
     "prefix match pattern must be a string"},
    // SNS takes one prefix, not the lists EventBridge takes.
    {"AnythingButPrefixList", R"({"a":[{"anything-but":{"prefix":["x","y"]}}]})",
     "prefix match pattern must be a string"},
    {"AnythingButPrefixObject", R"({"a":[{"anything-but":{"prefix":{"equals-ignore-case":"x"}}}]})",
     "Value of anything-but must be an array or single string/number value."},
    {"AnythingButEmptyPrefix", R"({"a":[{"anything-but":{"prefix":""}}]})",
     "Null prefix/suffix not allowed"},
    {"AnythingButWildcardUnsupported", R"({"a":[{"anything-but":{"wildcard":"x*"}}]})",
     "Unsupported anything-but pattern: wildcard"},
    {"ExistsNotBoolean", R"({"a":[{"exists":1}]})",
     "exists match pattern must be either true or false."},
    {"NumericOutOfSnsRange", R"({"a":[{"numeric":["<",2e9]}]})",
     "Bad value in numeric range: 2000000000"},
    {"NumericBottomAboveTop", R"({"a":[{"numeric":[">",5,"<=",1]}]})",
     "Bottom must be less than top"},
    {"CidrBad", R"({"a":[{"cidr":"1.2.3.4/8/8"}]})", "Malformed CIDR, one '/' required"},
    {"MoreThanFiveKeys", R"({"a":[1],"b":[1],"c":[1],"d":[1],"e":[1],"f":[1]})",
     "Filter policy can not have more than 5 keys"},
    {"MoreThanFiveKeysThroughOr",
     R"({"a":[1],"b":[1],"c":[1],"$or":[{"d":[1]},{"e":[1],"f":[1]}]})",
     "Filter policy can not have more than 5 keys"},
    // 3 * 4 * 5 * 3 = 180 > 150.
    {"TooManyCombinations", R"({"a":[1,2,3],"b":[1,2,3,4],"c":[1,2,3,4,5],"d":[1,2,3]})",
     "Filter policy is too complex"},
    // Body scope multiplies by depth: 4 values at depth 3 times 3 values at
    // depth 2 is 72 (AWS example) ... here 6 * 3 * 5 * 2 = 180.
    {"TooManyCombinationsWithDepth", R"({"a":{"b":{"c":[1,2,3,4,5,6]}},"d":{"e":[1,2,3,4,5]}})",
     "Filter policy is too complex"},
};

INSTANTIATE_TEST_SUITE_P(Table, SnsValidationTest, ::testing::ValuesIn(kSnsInvalid), PrintCase);

// Every invalid policy of LocalStack's test_validate_policy* tests
// (AWS-validated; MessageAttributes scope), with AWS's reason.
class SnsRecordedValidationTest : public ::testing::TestWithParam<InvalidCase> {};

TEST_P(SnsRecordedValidationTest, RejectsWithTheRecordedReason) {
  ExpectSnsRejects(PatternDialect::kSnsMessageAttributes, GetParam());
}

const InvalidCase kSnsRecorded[] = {
    {"ConditionList", R"({"key":[["value"]]})",
     "Match value must be String, number, true, false, or null"},
    {"ConditionOperator", R"({"key":[{"wrong-operator":true}]})",
     "Unrecognized match type wrong-operator"},
    {"TwoOperators", R"({"key":[{"suffix":"value","prefix":"value2"}]})",
     "Only one key allowed in match expression"},
    {"EmptyArray", R"({"key":[]})", "Empty arrays are not allowed"},
    {"SuffixNumber", R"({"key":[{"suffix":100}]})", "suffix match pattern must be a string"},
    {"SuffixNull", R"({"key":[{"suffix":null}]})", "suffix match pattern must be a string"},
    {"OperatorNotInList", R"({"key":{"suffix":"value"}})",
     "\"suffix\" must be an object or an array"},
    {"SuffixEmptyList", R"({"key":[{"suffix":[]}]})", "suffix match pattern must be a string"},
    {"SuffixList", R"({"key":[{"suffix":["test","test2"]}]})",
     "suffix match pattern must be a string"},
    {"TwoOperatorsNotInList", R"({"key":{"suffix":"value","prefix":"value"}})",
     "\"suffix\" must be an object or an array"},
    {"NoOperatorNotInList", R"({"key":{"not-an-operator":"value"}})",
     "\"not-an-operator\" must be an object or an array"},
    {"CidrList", R"({"key":[{"cidr":["bad-filter"]}]})", "prefix match pattern must be a string"},
    {"CidrNoSlash", R"({"key":[{"cidr":"bad-filter"}]})", "Malformed CIDR, one '/' required"},
    {"CidrBadAddress", R"({"key":[{"cidr":"bad-filter/64"}]})",
     "Nonstandard IP address: bad-filter"},
    {"CidrBadV4", R"({"key":[{"cidr":"xx.11.xx/8"}]})", "Nonstandard IP address: xx.11.xx"},
    {"CidrBadV6", R"({"key":[{"cidr":"xxxx:db8:1234:1a00::/64"}]})",
     "Nonstandard IP address: xxxx:db8:1234:1a00::"},
    {"NumericEmpty", R"({"key":[{"numeric":[]}]})", "Invalid member in numeric match: ]"},
    {"NumericWrongOperator", R"({"key":[{"numeric":["operator"]}]})",
     "Unrecognized numeric range operator: operator"},
    {"NumericOperatorOrder", R"({"key":[{"numeric":[1,"<="]}]})",
     "Invalid member in numeric match: 1"},
    {"NumericEqualsString", R"({"key":[{"numeric":["=","000"]}]})",
     "Value of equals must be numeric"},
    {"NumericMissingValue", R"({"key":[{"numeric":[">="]}]})", "Value of >= must be numeric"},
    {"NumericUpperThenLower", R"({"key":[{"numeric":["<",100,">",10]}]})",
     "Too many elements in numeric expression"},
    {"NumericTwoLowerBounds", R"({"key":[{"numeric":[">=",1,">",2]}]})",
     "Bad numeric range operator: >"},
    {"NumericBottomAboveTop", R"({"key":[{"numeric":[">",3,"<",1]}]})",
     "Bottom must be less than top"},
    {"NumericMissingRangeValue", R"({"key":[{"numeric":[">",20,"<="]}]})",
     "Value of <= must be numeric"},
    {"NumericMissingRangeOperator", R"({"key":[{"numeric":[">",20,30]}]})",
     "Bad value in numeric range: 30"},
    {"NumericWrongSecondOperator", R"({"key":[{"numeric":[">",20,"test"]}]})",
     "Bad numeric range operator: test"},
    {"NumericLowerString", R"({"key":[{"numeric":[">","20","<","30"]}]})",
     "Value of > must be numeric"},
    {"NumericUpperString", R"({"key":[{"numeric":[">",20,"<","30"]}]})",
     "Value of < must be numeric"},
    {"NumericTooManyTerms", R"({"key":[{"numeric":[">",20,"<",30,"<",50]}]})",
     "Too many terms in numeric range expression"},
    {"ExistsNull", R"({"key":[{"exists":null}]})",
     "exists match pattern must be either true or false."},
    {"ExistsString", R"({"key":[{"exists":"no"}]})",
     "exists match pattern must be either true or false."},
    {"AnythingButWrongOperator", R"({"key":[{"anything-but":{"wrong-operator":null}}]})",
     "Unsupported anything-but pattern: wrong-operator"},
    {"AnythingButSuffix", R"({"key":[{"anything-but":{"suffix":"test"}}]})",
     "Unsupported anything-but pattern: suffix"},
    {"AnythingButExists", R"({"key":[{"anything-but":{"exists":false}}]})",
     "Unsupported anything-but pattern: exists"},
    {"AnythingButPrefixBoolean", R"({"key":[{"anything-but":{"prefix":false}}]})",
     "prefix match pattern must be a string"},
    {"CidrMaskNotInteger", R"({"key":[{"cidr":"bad-/64filter"}]})",
     "Malformed CIDR, mask bits must be an integer"},
};

INSTANTIATE_TEST_SUITE_P(Table, SnsRecordedValidationTest, ::testing::ValuesIn(kSnsRecorded),
                         PrintCase);

TEST(SnsValidationTest, MessageAttributesScopeRejectsNestedPolicy) {
  EXPECT_THAT(ValidatePattern(PatternDialect::kSnsMessageAttributes, R"({"a":{"b":["x"]}})"),
              HasError(ErrorCode::kSnsInvalidParameter,
                       "Filter policy scope MessageAttributes does not support nested filter "
                       "policy"));
}

TEST(SnsValidationTest, MessageBodyScopeAcceptsNestedPolicy) {
  EXPECT_THAT(ValidatePattern(PatternDialect::kSnsMessageBody, R"({"a":{"b":["x"]}})"), IsOk());
}

TEST(SnsValidationTest, AwsDocumentationExampleOf72CombinationsIsAccepted) {
  EXPECT_THAT(ValidatePattern(PatternDialect::kSnsMessageBody,
                              R"({"a":{"b":{"c":[1,2,3,4]}},"d":{"e":[1,2,3]}})"),
              IsOk());
}

TEST(SnsValidationTest, OrBranchesAreSummed) {
  // (3*3) + (3*3) = 18 per branch set; 150 is not exceeded.
  EXPECT_THAT(ValidatePattern(PatternDialect::kSnsMessageAttributes,
                              R"({"$or":[{"a":[1,2,3],"b":[1,2,3]},{"c":[1,2,3],"d":[1,2,3]}]})"),
              IsOk());
}

TEST(SnsValidationTest, RejectsInvalidJsonWithParseReason) {
  EXPECT_THAT(ValidatePattern(PatternDialect::kSnsMessageAttributes, "{nope"),
              HasError(ErrorCode::kSnsInvalidParameter,
                       StartsWith("FilterPolicy: failed to parse JSON. ")));
}

TEST(SnsValidationTest, OrKeepsItsOwnRules) {
  // SNS does not read a malformed "$or" again as a field name.
  EXPECT_THAT(ValidatePattern(PatternDialect::kSnsMessageBody, R"({"$or":[{"a":["x"]}]})"), IsOk());
  EXPECT_THAT(ValidatePattern(PatternDialect::kSnsMessageBody, R"({"$or":{"a":["x"]}})"),
              HasError(ErrorCode::kSnsInvalidParameter,
                       "FilterPolicy: Value of $or must be an array of objects"));
}

TEST(SnsValidationTest, CidrHostMaskIsAccepted) {
  // Unchanged for SNS: /32 and /128 are accepted (only EventBridge rejects).
  EXPECT_THAT(ValidatePattern(PatternDialect::kSnsMessageAttributes,
                              R"({"ip":[{"cidr":"10.0.0.1/32"},{"cidr":"::1/128"}]})"),
              IsOk());
  EXPECT_THAT(ValidatePattern(PatternDialect::kSnsMessageBody, R"({"ip":[{"cidr":"1.2.3.4/33"}]})"),
              HasError(ErrorCode::kSnsInvalidParameter,
                       "FilterPolicy: Malformed CIDR, mask bits must be an integer"));
}

TEST(SnsValidationTest, EmptyPolicyIsAccepted) {
  // SNS: "{}" is no filter; only EventBridge rejects empty objects.
  EXPECT_THAT(ValidatePattern(PatternDialect::kSnsMessageAttributes, "{}"), IsOk());
  EXPECT_THAT(ValidatePattern(PatternDialect::kSnsMessageBody, "{}"), IsOk());
  EXPECT_THAT(
      ValidatePattern(PatternDialect::kSnsMessageBody, R"({"a":[{}]})"),
      HasError(ErrorCode::kSnsInvalidParameter, "FilterPolicy: Empty objects are not allowed"));
}

TEST(SnsValidationTest, AnythingButListMayMixStringsAndNumbers) {
  // Only EventBridge (aws/event-ruler) rejects mixed lists; SNS is unchanged.
  EXPECT_THAT(
      ValidatePattern(PatternDialect::kSnsMessageAttributes, R"({"a":[{"anything-but":["x",1]}]})"),
      IsOk());
  EXPECT_THAT(
      ValidatePattern(PatternDialect::kSnsMessageBody, R"({"a":[{"anything-but":[]}]})"),
      HasError(ErrorCode::kSnsInvalidParameter, "FilterPolicy: Empty arrays are not allowed"));
}

TEST(SnsValidationTest, AnythingButPrefixIsSupported) {
  EXPECT_THAT(ValidatePattern(PatternDialect::kSnsMessageAttributes,
                              R"({"a":[{"anything-but":{"prefix":"tmp"}}]})"),
              IsOk());
}

TEST(MatcherLimitTest, SnsPolicyCountLimitIsFilterPolicyLimitExceeded) {
  MatcherOptions options;
  options.dialect = PatternDialect::kSnsMessageAttributes;
  options.max_patterns = 2;
  ASSERT_OK_AND_ASSIGN(auto m, Matcher::Create(options));
  ASSERT_OK(m->Add("a", R"({"x":["1"]})"));
  ASSERT_OK(m->Add("b", R"({"x":["2"]})"));
  EXPECT_THAT(m->Add("c", R"({"x":["3"]})"),
              HasErrorCode(ErrorCode::kSnsFilterPolicyLimitExceeded));
  EXPECT_THAT(m->Add("b", R"({"x":["4"]})"), IsOk());  // Replacing is not adding.
}

TEST(MatcherLimitTest, EventBridgeRuleCountLimitIsLimitExceeded) {
  MatcherOptions options;
  options.max_patterns = 1;
  ASSERT_OK_AND_ASSIGN(auto m, Matcher::Create(options));
  ASSERT_OK(m->Add("a", R"({"x":["1"]})"));
  EXPECT_THAT(m->Add("b", R"({"x":["3"]})"), HasErrorCode(ErrorCode::kEventsLimitExceeded));
}

}  // namespace
}  // namespace wharf
