// Table-driven tests of every operator of the pattern language: each case is
// one pattern and one event, checked against the compiled Matcher and against
// the reference interpreter (so the oracle of the differential test is itself
// pinned to the spec). Expected outcomes follow spec/eventbridge.md §4 and
// spec/sns.md §5; "(observed)" cases there are AWS-recorded behaviour.

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/reference_matcher.h"
#include "tests/testing/status_matchers.h"
#include "wharf/pattern.h"

namespace wharf {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

struct MatchCase {
  const char* name;
  const char* pattern;
  const char* event;
  bool matches;
};

std::string PrintCase(const ::testing::TestParamInfo<MatchCase>& info) { return info.param.name; }

void ExpectCase(PatternDialect dialect, const MatchCase& c) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Matcher> m, Matcher::Create(dialect));
  ASSERT_OK(m->Add("p", c.pattern));
  ASSERT_OK_AND_ASSIGN(std::vector<std::string> ids, m->MatchJson(c.event));
  if (c.matches) {
    EXPECT_THAT(ids, ElementsAre("p")) << c.pattern << " vs " << c.event;
  } else {
    EXPECT_THAT(ids, IsEmpty()) << c.pattern << " vs " << c.event;
  }
  EXPECT_EQ(testing::ReferenceMatches(dialect, c.pattern, c.event), c.matches)
      << "reference matcher: " << c.pattern << " vs " << c.event;
}

// ---- EventBridge ------------------------------------------------------------

class EventBridgeOperatorTest : public ::testing::TestWithParam<MatchCase> {};

TEST_P(EventBridgeOperatorTest, MatchesAsSpecified) {
  ExpectCase(PatternDialect::kEventBridge, GetParam());
}

const MatchCase kEventBridgeCases[] = {
    // Exact values.
    {"ExactStringMatches", R"({"source":["aws.ec2"]})", R"({"source":"aws.ec2"})", true},
    {"ExactStringDiffers", R"({"source":["aws.ec2"]})", R"({"source":"aws.ec3"})", false},
    {"ExactStringIsCaseSensitive", R"({"source":["aws.ec2"]})", R"({"source":"AWS.EC2"})", false},
    {"MissingFieldDoesNotMatchExact", R"({"source":["aws.ec2"]})", R"({"other":"aws.ec2"})", false},
    {"NumberMatchesNumerically", R"({"x":[300]})", R"({"x":300.0})", true},
    {"NumberDoesNotMatchNumericString", R"({"x":[300]})", R"({"x":"300"})", false},
    {"StringDoesNotMatchNumber", R"({"x":["300"]})", R"({"x":300})", false},
    {"TrueMatchesTrue", R"({"x":[true]})", R"({"x":true})", true},
    {"TrueDoesNotMatchFalse", R"({"x":[true]})", R"({"x":false})", false},
    {"TrueDoesNotMatchString", R"({"x":[true]})", R"({"x":"true"})", false},
    {"NullMatchesNull", R"({"x":[null]})", R"({"x":null})", true},
    {"NullDoesNotMatchStringNull", R"({"x":[null]})", R"({"x":"null"})", false},
    {"StringNullDoesNotMatchNull", R"({"x":["null"]})", R"({"x":null})", false},
    {"NullDoesNotMatchMissing", R"({"x":[null]})", R"({"y":1})", false},
    {"MixedListMatchesAnyType", R"({"x":[5,"five",true,null]})", R"({"x":"five"})", true},
    {"MixedListMatchesNull", R"({"x":[5,"five",true,null]})", R"({"x":null})", true},
    {"EmptyStringMatchesEmptyString", R"({"x":[""]})", R"({"x":""})", true},
    {"EmptyStringDoesNotMatchOther", R"({"x":[""]})", R"({"x":"a"})", false},
    {"AllFieldsMustMatch", R"({"a":["1"],"b":["2"]})", R"({"a":"1","b":"3"})", false},
    {"AllFieldsMatch", R"({"a":["1"],"b":["2"]})", R"({"a":"1","b":"2","c":"x"})", true},
    // Arrays in events.
    {"ArrayMatchesIfAnyElementMatches", R"({"x":["a"]})", R"({"x":["b","a"]})", true},
    {"ArrayWithoutMatchingElement", R"({"x":["a"]})", R"({"x":["b","c"]})", false},
    {"EmptyArrayDoesNotMatchNull", R"({"x":[null]})", R"({"x":[]})", false},
    {"EmptyArrayDoesNotExist", R"({"x":[{"exists":true}]})", R"({"x":[]})", false},
    {"EmptyArrayCountsAsAbsent", R"({"x":[{"exists":false}]})", R"({"x":[]})", true},
    {"ArrayOfObjectsSameElement", R"({"a":{"b":["1"],"c":["2"]}})",
     R"({"a":[{"b":"1","c":"2"},{"b":"0"}]})", true},
    {"ArrayOfObjectsFieldsFromDifferentElements", R"({"a":{"b":["1"],"c":["2"]}})",
     R"({"a":[{"b":"1","c":"3"},{"b":"0","c":"2"}]})", false},
    {"NestedArraysAnyElement", R"({"a":{"b":[7]}})", R"({"a":[{"b":[1,2]},{"b":[[3,7]]}]})", true},
    // Nesting and dotted keys.
    {"NestedPatternMatchesNestedEvent", R"({"detail":{"state":["running"]}})",
     R"({"detail":{"state":"running"}})", true},
    {"DottedPatternKeyMatchesNestedEvent", R"({"state.status":["ok"]})",
     R"({"state":{"status":"ok"}})", true},
    {"NestedPatternMatchesDottedEventKey", R"({"state":{"status":["ok"]}})",
     R"({"state.status":"ok"})", true},
    {"LeafConditionNeverMatchesObject", R"({"a":["x"]})", R"({"a":{"b":"x"}})", false},
    // prefix / suffix / equals-ignore-case.
    {"PrefixMatches", R"({"x":[{"prefix":"ord-"}]})", R"({"x":"ord-17"})", true},
    {"PrefixIsCaseSensitive", R"({"x":[{"prefix":"ord-"}]})", R"({"x":"ORD-17"})", false},
    {"PrefixNeverMatchesNumber", R"({"x":[{"prefix":"1"}]})", R"({"x":12})", false},
    {"EmptyPrefixMatchesEveryString", R"({"x":[{"prefix":""}]})", R"({"x":"abc"})", true},
    {"EmptyPrefixMatchesEmptyString", R"({"x":[{"prefix":""}]})", R"({"x":""})", true},
    {"PrefixLongerThanValue", R"({"x":[{"prefix":"abcd"}]})", R"({"x":"abc"})", false},
    {"PrefixIgnoreCaseMatches", R"({"x":[{"prefix":{"equals-ignore-case":"ORD-"}}]})",
     R"({"x":"oRd-9"})", true},
    {"SuffixMatches", R"({"x":[{"suffix":".png"}]})", R"({"x":"cat.png"})", true},
    {"SuffixIsCaseSensitive", R"({"x":[{"suffix":".png"}]})", R"({"x":"cat.PNG"})", false},
    {"SuffixIgnoreCaseMatches", R"({"x":[{"suffix":{"equals-ignore-case":".PNG"}}]})",
     R"({"x":"cat.png"})", true},
    {"EqualsIgnoreCaseMatches", R"({"x":[{"equals-ignore-case":"alice"}]})", R"({"x":"ALIce"})",
     true},
    {"EqualsIgnoreCaseIsWholeValue", R"({"x":[{"equals-ignore-case":"alice"}]})",
     R"({"x":"alice2"})", false},
    {"EqualsIgnoreCaseEmptyMatchesEmpty", R"({"x":[{"equals-ignore-case":""}]})", R"({"x":""})",
     true},
    {"EqualsIgnoreCaseIgnoresNumbers", R"({"x":[{"equals-ignore-case":"5"}]})", R"({"x":5})",
     false},
    // Ignore case beyond ASCII, as aws/event-ruler: each pattern character
    // may appear as Java's lower or upper case of it (broker/pattern/case_fold.h).
    {"IgnoreCaseLatin1", R"({"x":[{"equals-ignore-case":"école"}]})", R"({"x":"ÉCOLE"})", true},
    {"IgnoreCaseLatin1Mixed", R"({"x":[{"equals-ignore-case":"Ærøskøbing"}]})",
     R"({"x":"æRØSKØBING"})", true},
    {"IgnoreCaseKeepsAccents", R"({"x":[{"equals-ignore-case":"ecole"}]})", R"({"x":"école"})",
     false},
    {"IgnoreCaseSharpSMatchesUpperSS", R"({"x":[{"equals-ignore-case":"straße"}]})",
     R"({"x":"STRASSE"})", true},
    {"IgnoreCaseSharpSDoesNotMatchLowerSs", R"({"x":[{"equals-ignore-case":"straße"}]})",
     R"({"x":"strasse"})", false},
    {"IgnoreCaseSsDoesNotMatchSharpS", R"({"x":[{"equals-ignore-case":"STRASSE"}]})",
     R"({"x":"straße"})", false},
    {"IgnoreCaseCapitalSharpSMatchesSharpS", R"({"x":[{"equals-ignore-case":"ẞ"}]})",
     R"({"x":"ß"})", true},
    {"IgnoreCaseCapitalSharpSIsNotSS", R"({"x":[{"equals-ignore-case":"ẞ"}]})", R"({"x":"SS"})",
     false},
    {"IgnoreCaseDottedCapitalI", R"({"x":[{"equals-ignore-case":"İzmir"}]})",
     "{\"x\":\"i\u0307ZMIR\"}", true},
    {"IgnoreCaseDottedCapitalIIsNotPlainI", R"({"x":[{"equals-ignore-case":"İzmir"}]})",
     R"({"x":"izmir"})", false},
    {"IgnoreCaseDotlessIMatchesCapitalI", R"({"x":[{"equals-ignore-case":"ı"}]})", R"({"x":"I"})",
     true},
    {"IgnoreCaseCapitalIIsNotDotlessI", R"({"x":[{"equals-ignore-case":"I"}]})", R"({"x":"ı"})",
     false},
    {"IgnoreCaseKelvinSignMatchesAsciiK", "{\"x\":[{\"equals-ignore-case\":\"\u212A\"}]}",
     R"({"x":"k"})", true},
    {"IgnoreCaseAsciiKIsNotKelvinSign", R"({"x":[{"equals-ignore-case":"k"}]})",
     "{\"x\":\"\u212A\"}", false},
    {"IgnoreCaseTitlecaseDoesNotMatchItself", R"({"x":[{"equals-ignore-case":"ǅ"}]})",
     R"({"x":"ǅ"})", false},
    {"IgnoreCaseTitlecaseMatchesLower", R"({"x":[{"equals-ignore-case":"ǅ"}]})", R"({"x":"ǆ"})",
     true},
    {"IgnoreCaseGreek", R"({"x":[{"equals-ignore-case":"Αθήνα"}]})", R"({"x":"ΑΘΉΝΑ"})", true},
    {"IgnoreCaseGreekCapitalSigmaIsNotFinal", R"({"x":[{"equals-ignore-case":"ΟΔΟΣ"}]})",
     R"({"x":"οδοσ"})", true},
    {"IgnoreCaseGreekCapitalSigmaRejectsFinalSigma", R"({"x":[{"equals-ignore-case":"ΟΔΟΣ"}]})",
     R"({"x":"οδος"})", false},
    {"IgnoreCaseGreekFinalSigmaMatchesCapital", R"({"x":[{"equals-ignore-case":"οδος"}]})",
     R"({"x":"ΟΔΟΣ"})", true},
    {"IgnoreCaseGreekExpansionOfDifferentLength", "{\"x\":[{\"equals-ignore-case\":\"\u0390\"}]}",
     "{\"x\":\"\u0399\u0308\u0301\"}", true},
    {"IgnoreCaseCyrillic", R"({"x":[{"equals-ignore-case":"Москва"}]})", R"({"x":"МОСКВА"})", true},
    {"IgnoreCaseCyrillicYo", R"({"x":[{"equals-ignore-case":"ёлка"}]})", R"({"x":"ЁЛКА"})", true},
    {"IgnoreCaseCyrillicIsNotLatin", R"({"x":[{"equals-ignore-case":"Mocква"}]})",
     R"({"x":"МОСКВА"})", false},
    {"IgnoreCaseOutsideTheBmp", R"({"x":[{"equals-ignore-case":"𐐨😀"}]})", R"({"x":"𐐀😀"})", true},
    {"PrefixIgnoreCaseLatin1", R"({"x":[{"prefix":{"equals-ignore-case":"ÉCO"}}]})",
     R"({"x":"école normale"})", true},
    {"PrefixIgnoreCaseSharpS", R"({"x":[{"prefix":{"equals-ignore-case":"straß"}}]})",
     R"({"x":"STRASSE 5"})", true},
    {"PrefixIgnoreCaseAsciiPatternNonAsciiValue",
     R"({"x":[{"prefix":{"equals-ignore-case":"AB"}}]})", R"({"x":"abé"})", true},
    {"PrefixIgnoreCaseCyrillic", R"({"x":[{"prefix":{"equals-ignore-case":"мос"}}]})",
     R"({"x":"МОСКВА-СИТИ"})", true},
    {"PrefixIgnoreCaseGreekMisses", R"({"x":[{"prefix":{"equals-ignore-case":"ΟΔΟΣ"}}]})",
     R"({"x":"οδος ερμου"})", false},
    {"SuffixIgnoreCaseSharpS", R"({"x":[{"suffix":{"equals-ignore-case":"straße"}}]})",
     R"({"x":"HAUPTSTRASSE"})", true},
    {"SuffixIgnoreCaseAsciiPatternMissesSharpS",
     R"({"x":[{"suffix":{"equals-ignore-case":"STRASSE"}}]})", R"({"x":"Hauptstraße"})", false},
    {"SuffixIgnoreCaseAsciiPatternNonAsciiValue",
     R"({"x":[{"suffix":{"equals-ignore-case":".PNG"}}]})", R"({"x":"été.png"})", true},
    {"SuffixIgnoreCaseCyrillic", R"({"x":[{"suffix":{"equals-ignore-case":"ЁЛКА"}}]})",
     R"({"x":"новая ёлка"})", true},
    // anything-but.
    {"AnythingButStringOtherString", R"({"x":[{"anything-but":"a"}]})", R"({"x":"b"})", true},
    {"AnythingButStringSameString", R"({"x":[{"anything-but":"a"}]})", R"({"x":"a"})", false},
    {"AnythingButStringMatchesNull", R"({"x":[{"anything-but":"initializing"}]})", R"({"x":null})",
     true},
    {"AnythingButStringMatchesNumber", R"({"x":[{"anything-but":"5"}]})", R"({"x":5})", true},
    {"AnythingButNeverMatchesMissing", R"({"x":[{"anything-but":"a"}]})", R"({"y":"b"})", false},
    {"AnythingButNumberSameNumber", R"({"x":[{"anything-but":5}]})", R"({"x":5.0})", false},
    {"AnythingButNumberMatchesString", R"({"x":[{"anything-but":5}]})", R"({"x":"5"})", true},
    {"AnythingButListExcludesMembers", R"({"x":[{"anything-but":["a","b"]}]})", R"({"x":"b"})",
     false},
    {"AnythingButListAllowsOthers", R"({"x":[{"anything-but":["a","b"]}]})", R"({"x":"c"})", true},
    {"AnythingButNumberList", R"({"x":[{"anything-but":[1,2]}]})", R"({"x":2})", false},
    {"AnythingButMatchesBoolean", R"({"x":[{"anything-but":["a"]}]})", R"({"x":true})", true},
    {"AnythingButPrefixExcludes", R"({"x":[{"anything-but":{"prefix":"init"}}]})",
     R"({"x":"initializing"})", false},
    {"AnythingButPrefixAllows", R"({"x":[{"anything-but":{"prefix":"init"}}]})",
     R"({"x":"running"})", true},
    {"AnythingButPrefixMatchesNumber", R"({"x":[{"anything-but":{"prefix":"init"}}]})",
     R"({"x":3})", true},
    {"AnythingButSuffixExcludes", R"({"x":[{"anything-but":{"suffix":".tmp"}}]})",
     R"({"x":"a.tmp"})", false},
    {"AnythingButSuffixAllows", R"({"x":[{"anything-but":{"suffix":".tmp"}}]})", R"({"x":"a.txt"})",
     true},
    // Lists of prefixes / suffixes (aws/event-ruler since 2024): a string
    // matches when it starts (ends) with none of them.
    {"AnythingButPrefixListExcludesFirst", R"({"x":[{"anything-but":{"prefix":["init","err"]}}]})",
     R"({"x":"initializing"})", false},
    {"AnythingButPrefixListExcludesSecond", R"({"x":[{"anything-but":{"prefix":["init","err"]}}]})",
     R"({"x":"error"})", false},
    {"AnythingButPrefixListAllowsOthers", R"({"x":[{"anything-but":{"prefix":["init","err"]}}]})",
     R"({"x":"running"})", true},
    {"AnythingButPrefixListMatchesNumber", R"({"x":[{"anything-but":{"prefix":["1","2"]}}]})",
     R"({"x":12})", true},
    {"AnythingButPrefixListMatchesNull", R"({"x":[{"anything-but":{"prefix":["init","err"]}}]})",
     R"({"x":null})", true},
    {"AnythingButPrefixListAnyArrayElement",
     R"({"x":[{"anything-but":{"prefix":["init","err"]}}]})", R"({"x":["error","ok"]})", true},
    {"AnythingButPrefixListIsCaseSensitive",
     R"({"x":[{"anything-but":{"prefix":["init","err"]}}]})", R"({"x":"ERROR"})", true},
    {"AnythingButSuffixListExcludes", R"({"x":[{"anything-but":{"suffix":[".tmp",".bak"]}}]})",
     R"({"x":"a.bak"})", false},
    {"AnythingButSuffixListAllows", R"({"x":[{"anything-but":{"suffix":[".tmp",".bak"]}}]})",
     R"({"x":"a.txt"})", true},
    {"AnythingButSuffixListUnicode", R"({"x":[{"anything-but":{"suffix":["é","ß"]}}]})",
     R"({"x":"groß"})", false},
    {"AnythingButIgnoreCaseExcludes", R"({"x":[{"anything-but":{"equals-ignore-case":"Ab"}}]})",
     R"({"x":"aB"})", false},
    {"AnythingButIgnoreCaseListAllows",
     R"({"x":[{"anything-but":{"equals-ignore-case":["a","b"]}}]})", R"({"x":"C"})", true},
    {"AnythingButIgnoreCaseLatin1Excludes",
     R"({"x":[{"anything-but":{"equals-ignore-case":["école","москва"]}}]})", R"({"x":"ÉCOLE"})",
     false},
    {"AnythingButIgnoreCaseCyrillicExcludes",
     R"({"x":[{"anything-but":{"equals-ignore-case":["école","москва"]}}]})", R"({"x":"МОСКВА"})",
     false},
    {"AnythingButIgnoreCaseUnicodeAllows",
     R"({"x":[{"anything-but":{"equals-ignore-case":["straße","ΟΔΟΣ"]}}]})", R"({"x":"strasse"})",
     true},
    {"AnythingButIgnoreCaseGreekFinalSigmaAllowed",
     R"({"x":[{"anything-but":{"equals-ignore-case":"ΟΔΟΣ"}}]})", R"({"x":"οδος"})", true},
    {"AnythingButIgnoreCaseAsciiExcludesOnlyAscii",
     R"({"x":[{"anything-but":{"equals-ignore-case":"k"}}]})", "{\"x\":\"\u212A\"}", true},
    {"AnythingButWildcardExcludes", R"({"x":[{"anything-but":{"wildcard":"*/lib/*"}}]})",
     R"({"x":"/usr/lib/x"})", false},
    {"AnythingButWildcardAllows", R"({"x":[{"anything-but":{"wildcard":["*/lib/*","*.so"]}}]})",
     R"({"x":"/usr/bin/x"})", true},
    {"AnythingButAnyArrayElement", R"({"x":[{"anything-but":"a"}]})", R"({"x":["a","b"]})", true},
    {"AnythingButZero", R"({"x":[{"anything-but":0}]})", R"({"x":789})", true},
    {"AnythingButZeroExcludesZero", R"({"x":[{"anything-but":0}]})", R"({"x":0.0})", false},
    // An empty wildcard excludes only "" (observed: LocalStack's AWS-validated
    // content_anything_wildcard_empty).
    {"AnythingButEmptyWildcardAllowsOthers", R"({"x":[{"anything-but":{"wildcard":""}}]})",
     R"({"x":"dir/init/file"})", true},
    // numeric and anything-but in one list: a numeric string only meets the
    // anything-but (observed: or-numeric-anything-but and its _NEG).
    {"NumericOrAnythingButStringNumber", R"({"n":[{"numeric":[">",100]},{"anything-but":"101"}]})",
     R"({"n":"42"})", true},
    {"NumericOrAnythingButExcludedString",
     R"({"n":[{"numeric":[">",100]},{"anything-but":"101"}]})", R"({"n":"101"})", false},
    {"NumericOrAnythingButNumber", R"({"n":[{"numeric":[">",100]},{"anything-but":"101"}]})",
     R"({"n":101})", true},
    // numeric.
    {"NumericRangeUpperInclusive", R"({"x":[{"numeric":[">",0,"<=",5]}]})", R"({"x":5})", true},
    {"NumericRangeLowerExclusive", R"({"x":[{"numeric":[">",0,"<=",5]}]})", R"({"x":0})", false},
    {"NumericRangeInside", R"({"x":[{"numeric":[">",0,"<=",5]}]})", R"({"x":0.5})", true},
    {"NumericRangeJustAbove", R"({"x":[{"numeric":[">",0,"<=",5]}]})", R"({"x":5.000001})", false},
    {"NumericEquals", R"({"x":[{"numeric":["=",3.5]}]})", R"({"x":3.50})", true},
    {"NumericLessThan", R"({"x":[{"numeric":["<",0]}]})", R"({"x":-1})", true},
    {"NumericGreaterOrEqual", R"({"x":[{"numeric":[">=",10]}]})", R"({"x":10})", true},
    {"NumericIgnoresNumericString", R"({"x":[{"numeric":[">",0]}]})", R"({"x":"3"})", false},
    {"NumericIgnoresNull", R"({"x":[{"numeric":["<",1]}]})", R"({"x":null})", false},
    {"NumericComparesAtSixDecimals", R"({"x":[{"numeric":["=",0.3]}]})",
     R"({"x":0.30000000000000004})", true},
    {"NumericHugeValueIsAboveEveryBound", R"({"x":[{"numeric":[">",100]}]})", R"({"x":6e12})",
     true},
    {"NumberLiteralHugeValues", R"({"x":[1e300]})", R"({"x":1e300})", true},
    // exists.
    {"ExistsTrueMatchesString", R"({"x":[{"exists":true}]})", R"({"x":"v"})", true},
    {"ExistsTrueMatchesNull", R"({"x":[{"exists":true}]})", R"({"x":null})", true},
    {"ExistsTrueMissing", R"({"x":[{"exists":true}]})", R"({"y":"v"})", false},
    {"ExistsTrueObjectIsNotALeaf", R"({"x":[{"exists":true}]})", R"({"x":{"y":1}})", false},
    {"ExistsFalseMissing", R"({"x":[{"exists":false}]})", R"({"y":"v"})", true},
    {"ExistsFalsePresent", R"({"x":[{"exists":false}]})", R"({"x":"v"})", false},
    {"ExistsFalseTypoedPath", R"({"detail":{"colour":[{"exists":false}]}})",
     R"({"detail":{"color":"red"}})", true},
    {"MissingOrNotRosesWhenMissing", R"({"f":[{"anything-but":["roses"]},{"exists":false}]})",
     R"({"g":1})", true},
    {"MissingOrNotRosesWhenRoses", R"({"f":[{"anything-but":["roses"]},{"exists":false}]})",
     R"({"f":"roses"})", false},
    {"MissingOrNotRosesWhenTulips", R"({"f":[{"anything-but":["roses"]},{"exists":false}]})",
     R"({"f":"tulips"})", true},
    {"ExistsFalseWithOtherFields", R"({"a":["1"],"b":[{"exists":false}]})", R"({"a":"1"})", true},
    // cidr.
    {"CidrV4Inside", R"({"ip":[{"cidr":"10.0.0.0/24"}]})", R"({"ip":"10.0.0.255"})", true},
    {"CidrV4Outside", R"({"ip":[{"cidr":"10.0.0.0/24"}]})", R"({"ip":"10.0.1.0"})", false},
    // event-ruler takes masks up to /31 and /127 (/32 and /128 are invalid).
    {"CidrV4Slash31", R"({"ip":[{"cidr":"10.0.0.0/31"}]})", R"({"ip":"10.0.0.1"})", true},
    {"CidrV4Slash31Outside", R"({"ip":[{"cidr":"10.0.0.0/31"}]})", R"({"ip":"10.0.0.2"})", false},
    {"CidrV6Slash127", R"({"ip":[{"cidr":"2001:db8::/127"}]})", R"({"ip":"2001:db8::1"})", true},
    {"CidrMaskWithPlusSign", R"({"ip":[{"cidr":"10.0.0.0/+8"}]})", R"({"ip":"10.9.9.9"})", true},
    {"CidrV4HostBitsIgnored", R"({"ip":[{"cidr":"10.0.0.9/24"}]})", R"({"ip":"10.0.0.200"})", true},
    {"CidrNeverMatchesNumber", R"({"ip":[{"cidr":"10.0.0.0/8"}]})", R"({"ip":10})", false},
    {"CidrNeverMatchesNonAddress", R"({"ip":[{"cidr":"10.0.0.0/8"}]})", R"({"ip":"10.x"})", false},
    {"CidrV6Inside", R"({"ip":[{"cidr":"2001:db8::/64"}]})", R"({"ip":"2001:db8::1"})", true},
    {"CidrV6Outside", R"({"ip":[{"cidr":"2001:db8::/64"}]})", R"({"ip":"2001:db9::1"})", false},
    {"CidrV6DoesNotMatchV4", R"({"ip":[{"cidr":"::/0"}]})", R"({"ip":"1.2.3.4"})", false},
    // Addresses as aws/event-ruler reads them (CIDR.ipToBytes: Java's
    // InetAddress literals): IPv4 parts are decimal and may have leading
    // zeros, within 15 characters.
    {"CidrV4LeadingZeroOctet", R"({"ip":[{"cidr":"10.0.0.0/24"}]})", R"({"ip":"10.0.0.01"})", true},
    {"CidrV4LeadingZerosEverywhere", R"({"ip":[{"cidr":"10.0.0.0/24"}]})",
     R"({"ip":"010.000.000.001"})", true},
    {"CidrV4LeadingZeroIsDecimalNotOctal", R"({"ip":[{"cidr":"10.0.0.12/30"}]})",
     R"({"ip":"10.0.0.012"})", true},
    {"CidrV4LongerThan15CharactersIsNoAddress", R"({"ip":[{"cidr":"10.0.0.0/8"}]})",
     R"({"ip":"010.000.000.0001"})", false},
    {"CidrV4PartAbove255IsNoAddress", R"({"ip":[{"cidr":"10.0.0.0/8"}]})",
     R"({"ip":"10.0.0.0256"})", false},
    {"CidrPatternWithLeadingZeros", R"({"ip":[{"cidr":"010.000.000.000/24"}]})",
     R"({"ip":"10.0.0.7"})", true},
    // An IPv6 group is any number of hex digits worth at most ffff.
    {"CidrV6LongGroup", R"({"ip":[{"cidr":"2001:db8::/32"}]})", R"({"ip":"2001:0db8::00001"})",
     true},
    {"CidrV6GroupAboveFfffIsNoAddress", R"({"ip":[{"cidr":"::/0"}]})",
     R"({"ip":"2001:db8::10000"})", false},
    // An IPv4-mapped IPv6 address is its IPv4 address, in events and blocks.
    {"CidrV4MappedIsV4", R"({"ip":[{"cidr":"10.0.0.0/24"}]})", R"({"ip":"::ffff:a00:1"})", true},
    {"CidrV4MappedIsNotInAV6Block", R"({"ip":[{"cidr":"::/1"}]})", R"({"ip":"::ffff:a00:1"})",
     false},
    {"CidrV4MappedBlockIsV4", R"({"ip":[{"cidr":"::ffff:a00:0/24"}]})", R"({"ip":"10.0.0.9"})",
     true},
    // Only hex digits and colons read as IPv6 (no dotted tail).
    {"CidrV6DottedTailIsNoAddress", R"({"ip":[{"cidr":"::/1"}]})", R"({"ip":"::ffff:10.0.0.1"})",
     false},
    // An exact string that reads as an IP address is that one address
    // (aws/event-ruler JsonRuleCompiler: CIDR.ipToRangeIfPossible).
    {"ExactIpMatchesLeadingZeros", R"({"ip":["10.0.0.1"]})", R"({"ip":"10.0.0.01"})", true},
    {"ExactIpWithLeadingZerosMatchesPlain", R"({"ip":["010.0.0.1"]})", R"({"ip":"10.0.0.1"})",
     true},
    {"ExactIpDiffers", R"({"ip":["10.0.0.1"]})", R"({"ip":"10.0.0.2"})", false},
    {"ExactIpv6MatchesAnotherSpelling", R"({"ip":["2001:db8::1"]})",
     R"({"ip":"2001:DB8:0:0:0:0:0:0001"})", true},
    {"ExactIpV4MappedMatchesV4", R"({"ip":["::ffff:a00:1"]})", R"({"ip":"10.0.0.1"})", true},
    {"ExactIpDoesNotMatchNonAddress", R"({"ip":["10.0.0.1"]})", R"({"ip":"10.0.0.1 "})", false},
    {"ExactNonAddressStaysText", R"({"ip":["10.0.0.256"]})", R"({"ip":"10.0.0.256"})", true},
    {"ExactNonAddressIsNotReadAsAddress", R"({"ip":["10.0.0.256"]})", R"({"ip":"10.0.0.0256"})",
     false},
    // anything-but compares text (event-ruler skips it for the address form).
    {"AnythingButIpComparesText", R"({"ip":[{"anything-but":"10.0.0.1"}]})",
     R"({"ip":"10.0.0.01"})", true},
    // wildcard.
    {"WildcardMatches", R"({"r":[{"wildcard":"arn:aws:s3:::bucket/*.png"}]})",
     R"({"r":"arn:aws:s3:::bucket/a/b.png"})", true},
    {"WildcardDoesNotMatch", R"({"r":[{"wildcard":"arn:aws:s3:::bucket/*.png"}]})",
     R"({"r":"arn:aws:s3:::bucket/a.jpg"})", false},
    {"WildcardStarMatchesEmpty", R"({"r":[{"wildcard":"*"}]})", R"({"r":""})", true},
    {"WildcardEmptyMatchesOnlyEmpty", R"({"r":[{"wildcard":""}]})", R"({"r":"a"})", false},
    {"WildcardEscapedStarIsLiteral", R"({"r":[{"wildcard":"a\\*b"}]})", R"({"r":"a*b"})", true},
    {"WildcardEscapedStarNotWild", R"({"r":[{"wildcard":"a\\*b"}]})", R"({"r":"axb"})", false},
    {"WildcardEscapedBackslash", R"({"r":[{"wildcard":"a\\\\b"}]})", R"({"r":"a\\b"})", true},
    {"WildcardSeveralStars", R"({"r":[{"wildcard":"*a*b*"}]})", R"({"r":"xaybz"})", true},
    {"WildcardSeveralStarsOrder", R"({"r":[{"wildcard":"*a*b*"}]})", R"({"r":"xbya"})", false},
    {"WildcardOverlappingEnds", R"({"r":[{"wildcard":"ab*ba"}]})", R"({"r":"aba"})", false},
    {"WildcardNeverMatchesNumber", R"({"r":[{"wildcard":"1*"}]})", R"({"r":12})", false},
    // Repeated sequences after a wildcard are not too complex here (observed:
    // content_wildcard_repeating and its _NEG).
    {"WildcardRepeatingSequence", R"({"f":[{"wildcard":"/Users/*/dir/dir/dir/dir/dir/doc.txt"}]})",
     R"({"f":"/Users/u/dir/dir/dir/dir/dir/doc.txt"})", true},
    {"WildcardRepeatingSequenceMisses",
     R"({"f":[{"wildcard":"/Users/*/dir/dir/dir/dir/dir/doc.txt"}]})",
     R"({"f":"/Users/u/dir/dir/dir/dir/otherdir/doc.txt"})", false},
    {"WildcardStarSpansSlashes", R"({"f":[{"wildcard":"/Users/*/doc.txt"}]})",
     R"({"f":"/Users/u/dir/dir/doc.txt"})", true},
    // $or.
    {"OrFirstBranch", R"({"$or":[{"a":["1"]},{"b":["2"]}]})", R"({"a":"1"})", true},
    {"OrSecondBranch", R"({"$or":[{"a":["1"]},{"b":["2"]}]})", R"({"b":"2"})", true},
    {"OrNoBranch", R"({"$or":[{"a":["1"]},{"b":["2"]}]})", R"({"c":"1"})", false},
    {"OrWithSibling", R"({"c":["3"],"$or":[{"a":["1"]},{"b":["2"]}]})", R"({"b":"2"})", false},
    {"OrWithSiblingMatching", R"({"c":["3"],"$or":[{"a":["1"]},{"b":["2"]}]})",
     R"({"b":"2","c":"3"})", true},
    {"OrNested", R"({"d":{"$or":[{"a":["1"]},{"b":[{"numeric":[">",1]}]}]}})", R"({"d":{"b":2}})",
     true},
};

INSTANTIATE_TEST_SUITE_P(Table, EventBridgeOperatorTest, ::testing::ValuesIn(kEventBridgeCases),
                         PrintCase);

// ---- SNS MessageAttributes ----------------------------------------------------

class SnsAttributesOperatorTest : public ::testing::TestWithParam<MatchCase> {};

TEST_P(SnsAttributesOperatorTest, MatchesAsSpecified) {
  ExpectCase(PatternDialect::kSnsMessageAttributes, GetParam());
}

const MatchCase kSnsAttributeCases[] = {
    // SNS: "{}" is no filter (EventBridge rejects it).
    {"EmptyPolicyMatchesEverything", R"({})", R"({"a":{"Type":"String","Value":"x"}})", true},
    {"StringAttributeExact", R"({"store":["example_corp"]})",
     R"({"store":{"Type":"String","Value":"example_corp"}})", true},
    {"StringAttributeDiffers", R"({"store":["example_corp"]})",
     R"({"store":{"Type":"String","Value":"other"}})", false},
    {"NumberAttributeNumeric", R"({"price":[{"numeric":[">",100]}]})",
     R"({"price":{"Type":"Number","Value":"150"}})", true},
    {"StringAttributeIsNotNumeric", R"({"price":[{"numeric":[">",100]}]})",
     R"({"price":{"Type":"String","Value":"150"}})", false},
    {"NumberLiteralMatchesNumberAttribute", R"({"price":[100]})",
     R"({"price":{"Type":"Number","Value":"100.0"}})", true},
    {"NumberAttributeWithLabel", R"({"price":[100]})",
     R"({"price":{"Type":"Number.float","Value":"1e2"}})", true},
    {"StringArrayAnyElement", R"({"sizes":["m"]})",
     R"({"sizes":{"Type":"String.Array","Value":"[\"s\",\"m\"]"}})", true},
    {"StringArrayNumbers", R"({"n":[{"numeric":["<",0]}]})",
     R"({"n":{"Type":"String.Array","Value":"[3, -1]"}})", true},
    {"StringArrayNoElement", R"({"sizes":["l"]})",
     R"({"sizes":{"Type":"String.Array","Value":"[\"s\",\"m\"]"}})", false},
    {"BinaryAttributeIsIgnored", R"({"b":[{"exists":true}]})",
     R"({"b":{"Type":"Binary","Value":"AAEC"}})", false},
    {"BinaryAttributeCountsAsAbsent", R"({"b":[{"exists":false}]})",
     R"({"b":{"Type":"Binary","Value":"AAEC"}})", true},
    {"AnythingButNumber", R"({"n":[{"anything-but":[1,2]}]})",
     R"({"n":{"Type":"Number","Value":"3"}})", true},
    {"AnythingButMissingAttribute", R"({"n":[{"anything-but":"x"}]})", R"({})", false},
    {"PrefixOnAttribute", R"({"e":[{"prefix":"order_"}]})",
     R"({"e":{"Type":"String","Value":"order_placed"}})", true},
    {"SuffixOnAttribute", R"({"e":[{"suffix":"_placed"}]})",
     R"({"e":{"Type":"String","Value":"order_placed"}})", true},
    {"CidrOnAttribute", R"({"ip":[{"cidr":"192.168.0.0/16"}]})",
     R"({"ip":{"Type":"String","Value":"192.168.4.4"}})", true},
    // SNS keeps host masks (/32); only EventBridge follows event-ruler.
    {"CidrHostOnAttribute", R"({"ip":[{"cidr":"10.0.0.1/32"}]})",
     R"({"ip":{"Type":"String","Value":"10.0.0.1"}})", true},
    {"OrAcrossAttributes", R"({"$or":[{"a":["1"]},{"b":["2"]}]})",
     R"({"b":{"Type":"String","Value":"2"}})", true},
    {"DottedAttributeName", R"({"a.b":["x"]})", R"({"a.b":{"Type":"String","Value":"x"}})", true},
    {"IgnoreCaseLatin1", R"({"city":[{"equals-ignore-case":"zürich"}]})",
     R"({"city":{"Type":"String","Value":"ZÜRICH"}})", true},
    {"IgnoreCaseSharpS", R"({"street":[{"equals-ignore-case":"straße"}]})",
     R"({"street":{"Type":"String","Value":"STRASSE"}})", true},
    {"IgnoreCaseSharpSIsNotLowerSs", R"({"street":[{"equals-ignore-case":"straße"}]})",
     R"({"street":{"Type":"String","Value":"strasse"}})", false},
    {"IgnoreCaseGreek", R"({"city":[{"equals-ignore-case":"ΑΘΗΝΑ"}]})",
     R"({"city":{"Type":"String","Value":"αθηνα"}})", true},
    {"IgnoreCaseGreekFinalSigma", R"({"w":[{"equals-ignore-case":"ΟΔΟΣ"}]})",
     R"({"w":{"Type":"String","Value":"οδος"}})", false},
    {"IgnoreCaseCyrillic", R"({"city":[{"equals-ignore-case":"москва"}]})",
     R"({"city":{"Type":"String","Value":"МОСКВА"}})", true},
    {"IgnoreCaseStringArrayElement", R"({"tags":[{"equals-ignore-case":"ÉTÉ"}]})",
     R"({"tags":{"Type":"String.Array","Value":"[\"hiver\",\"été\"]"}})", true},
    {"AnythingButIgnoreCaseCyrillic",
     R"({"city":[{"anything-but":{"equals-ignore-case":"киев"}}]})",
     R"({"city":{"Type":"String","Value":"КИЕВ"}})", false},
};

INSTANTIATE_TEST_SUITE_P(Table, SnsAttributesOperatorTest, ::testing::ValuesIn(kSnsAttributeCases),
                         PrintCase);

// ---- SNS MessageBody ----------------------------------------------------------

class SnsBodyOperatorTest : public ::testing::TestWithParam<MatchCase> {};

TEST_P(SnsBodyOperatorTest, MatchesAsSpecified) {
  ExpectCase(PatternDialect::kSnsMessageBody, GetParam());
}

const MatchCase kSnsBodyCases[] = {
    {"NestedKey", R"({"order":{"status":["paid"]}})", R"({"order":{"status":"paid"}})", true},
    {"NestedKeyDiffers", R"({"order":{"status":["paid"]}})", R"({"order":{"status":"new"}})",
     false},
    {"BodyArrayAnyElement", R"({"tags":["x"]})", R"({"tags":["y","x"]})", true},
    {"BodyNullLiteral", R"({"v":[null]})", R"({"v":null})", true},
    {"BodyBooleanLiteral", R"({"v":[false]})", R"({"v":false})", true},
    {"BodyNumericRange", R"({"total":[{"numeric":[">=",10,"<",20]}]})", R"({"total":19.99})", true},
    {"BodyNonObjectMatchesNothingPositive", R"({"a":["x"]})", R"("x")", false},
    {"BodyIgnoreCaseLatin1", R"({"order":{"city":[{"equals-ignore-case":"MÜNCHEN"}]}})",
     R"({"order":{"city":"münchen"}})", true},
    {"BodyIgnoreCaseGreek", R"({"order":{"city":[{"equals-ignore-case":"Θεσσαλονίκη"}]}})",
     R"({"order":{"city":"ΘΕΣΣΑΛΟΝΊΚΗ"}})", true},
    {"BodyIgnoreCaseCyrillic", R"({"order":{"city":[{"equals-ignore-case":"Санкт-Петербург"}]}})",
     R"({"order":{"city":"САНКТ-ПЕТЕРБУРГ"}})", true},
    {"BodyIgnoreCaseCyrillicDiffers", R"({"order":{"city":[{"equals-ignore-case":"Москва"}]}})",
     R"({"order":{"city":"МОСКВЫ"}})", false},
};

INSTANTIATE_TEST_SUITE_P(Table, SnsBodyOperatorTest, ::testing::ValuesIn(kSnsBodyCases), PrintCase);

}  // namespace
}  // namespace wharf
