// Tests of broker/pattern/case_fold.h: the spellings an ignore-case pattern
// character accepts (aws/event-ruler's EqualsIgnoreCaseParser: Java's
// toLowerCase and toUpperCase of the character, Locale.ROOT), the lookup key
// that every spelling shares, and the matching of compiled ignore-case
// strings. The exhaustive tests run over every Unicode scalar value.

#include "broker/pattern/case_fold.h"

#include <utf8proc.h>

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/reference_matcher.h"

namespace wharf::pattern_internal {
namespace {

using ::testing::ElementsAre;

std::string Utf8(char32_t c) {
  utf8proc_uint8_t buf[4];
  const utf8proc_ssize_t n = utf8proc_encode_char(static_cast<utf8proc_int32_t>(c), buf);
  return std::string(reinterpret_cast<const char*>(buf), static_cast<size_t>(n));
}

bool IsScalarValue(char32_t c) { return c < 0xD800 || (c > 0xDFFF && c <= 0x10FFFF); }

// ---- Spellings ------------------------------------------------------------------

TEST(CaseSpellingsTest, AsciiLetterHasItsTwoCases) {
  EXPECT_THAT(CaseSpellings(U'a'), ElementsAre("a", "A"));
  EXPECT_THAT(CaseSpellings(U'A'), ElementsAre("a", "A"));
  EXPECT_THAT(CaseSpellings(U'1'), ElementsAre("1"));
}

TEST(CaseSpellingsTest, Latin1GreekAndCyrillicLettersHaveTheirTwoCases) {
  EXPECT_THAT(CaseSpellings(U'É'), ElementsAre("é", "É"));
  EXPECT_THAT(CaseSpellings(U'ø'), ElementsAre("ø", "Ø"));
  EXPECT_THAT(CaseSpellings(U'Ω'), ElementsAre("ω", "Ω"));
  EXPECT_THAT(CaseSpellings(U'ж'), ElementsAre("ж", "Ж"));
  EXPECT_THAT(CaseSpellings(U'Ё'), ElementsAre("ё", "Ё"));
}

TEST(CaseSpellingsTest, UpperCaseExpansionsOfSpecialCasing) {
  EXPECT_THAT(CaseSpellings(U'ß'), ElementsAre("ß", "SS"));
  EXPECT_THAT(CaseSpellings(U'ŉ'), ElementsAre("ŉ", "ʼN"));
  EXPECT_THAT(CaseSpellings(U'ﬁ'), ElementsAre("ﬁ", "FI"));
  EXPECT_THAT(CaseSpellings(U'\u0390'),
              ElementsAre("\u0390", "\u0399\u0308\u0301"));  // 2 vs 6 bytes.
  EXPECT_THAT(CaseSpellings(U'ᾳ'), ElementsAre("ᾳ", "ΑΙ"));
}

TEST(CaseSpellingsTest, CapitalSharpSKeepsItsUpperCase) {
  EXPECT_THAT(CaseSpellings(U'ẞ'), ElementsAre("ß", "ẞ"));
}

TEST(CaseSpellingsTest, DottedCapitalILowersToIWithCombiningDot) {
  EXPECT_THAT(CaseSpellings(U'İ'), ElementsAre("i\u0307", "İ"));
  EXPECT_THAT(CaseSpellings(U'ı'), ElementsAre("ı", "I"));
  EXPECT_THAT(CaseSpellings(U'i'), ElementsAre("i", "I"));
}

TEST(CaseSpellingsTest, SigmaIsNeverFinalOnItsOwn) {
  EXPECT_THAT(CaseSpellings(U'Σ'), ElementsAre("σ", "Σ"));
  EXPECT_THAT(CaseSpellings(U'σ'), ElementsAre("σ", "Σ"));
  EXPECT_THAT(CaseSpellings(U'ς'), ElementsAre("ς", "Σ"));
}

TEST(CaseSpellingsTest, TitlecaseLetterDoesNotSpellItself) {
  EXPECT_THAT(CaseSpellings(U'ǅ'), ElementsAre("ǆ", "Ǆ"));
  EXPECT_THAT(CaseSpellings(U'ᾼ'), ElementsAre("ᾳ", "ΑΙ"));
}

TEST(CaseSpellingsTest, KelvinSignLowersToAsciiK) {
  EXPECT_THAT(CaseSpellings(U'\u212A'), ElementsAre("k", "\u212A"));
}

TEST(CaseSpellingsTest, AgreesWithReferenceForEveryCodePoint) {
  int differences = 0;
  for (char32_t c = 0; c <= 0x10FFFF; ++c) {
    if (!IsScalarValue(c)) continue;
    std::vector<std::string> got = CaseSpellings(c);
    std::vector<std::string> want = testing::ReferenceCaseSpellings(c);
    if (got != want && ++differences <= 10) {
      ADD_FAILURE() << "U+" << std::hex << static_cast<uint32_t>(c) << ": " << got.size()
                    << " spellings, reference " << want.size() << " (first " << got[0] << " vs "
                    << want[0] << ")";
    }
  }
  EXPECT_EQ(differences, 0);
}

TEST(CaseSpellingsTest, NoSpellingIsAPrefixOrSuffixOfTheOther) {
  // IgnoreCaseString relies on it to track a single offset.
  for (char32_t c = 0; c <= 0x10FFFF; ++c) {
    if (!IsScalarValue(c)) continue;
    std::vector<std::string> s = CaseSpellings(c);
    ASSERT_FALSE(s[0].empty());
    if (s.size() < 2) continue;
    const std::string_view a = s[0], b = s[1];
    ASSERT_FALSE(a.starts_with(b) || b.starts_with(a) || a.ends_with(b) || b.ends_with(a))
        << "U+" << std::hex << static_cast<uint32_t>(c);
  }
}

// ---- FoldCase ---------------------------------------------------------------------

TEST(FoldCaseTest, EverySpellingHasTheKeyOfItsCharacter) {
  // What makes a lookup by key complete: a value that spells the pattern has
  // the pattern's key.
  for (char32_t c = 0; c <= 0x10FFFF; ++c) {
    if (!IsScalarValue(c)) continue;
    const std::string key = FoldCase(Utf8(c));
    for (const std::string& s : CaseSpellings(c)) {
      ASSERT_EQ(FoldCase(s), key) << "U+" << std::hex << static_cast<uint32_t>(c);
    }
  }
}

TEST(FoldCaseTest, FoldsAsciiLatinGreekAndCyrillic) {
  EXPECT_EQ(FoldCase("ÉCOLE Straße ΟΔΟΣ МОСКВА"), "école strasse οδοσ москва");
}

TEST(FoldCaseTest, KeepsBytesThatAreNotUtf8) {
  EXPECT_EQ(FoldCase("A\xFF\xC3"), "a\xFF\xC3");
  EXPECT_EQ(FoldCase("\xED\xA0\x80Z"), "\xED\xA0\x80z");  // An encoded surrogate.
}

TEST(FoldedValueTest, LowersAsciiAndFoldsTheRest) {
  FoldedValue v;
  v.Set("ABé-Cd", /*fold=*/true);
  EXPECT_EQ(v.lower, "abé-cd");
  EXPECT_FALSE(v.ascii);
  EXPECT_EQ(v.key(), "abé-cd");
  v.Set("STRASSE Straße", /*fold=*/true);
  EXPECT_EQ(v.lower, "strasse straße");
  EXPECT_EQ(v.key(), "strasse strasse");
  v.Set("Plain", /*fold=*/true);
  EXPECT_TRUE(v.ascii);
  EXPECT_EQ(v.key(), "plain");
}

// ---- IgnoreCaseString ---------------------------------------------------------------

TEST(IgnoreCaseStringTest, MatchesEitherCaseOfEachCharacter) {
  IgnoreCaseString p("École");
  EXPECT_FALSE(p.ascii());
  EXPECT_EQ(p.key(), "école");
  EXPECT_TRUE(p.Matches("ÉCOLE"));
  EXPECT_TRUE(p.Matches("école"));
  EXPECT_TRUE(p.Matches("éCoLe"));
  EXPECT_FALSE(p.Matches("ecole"));
  EXPECT_FALSE(p.Matches("écoles"));
  EXPECT_FALSE(p.Matches("écol"));
}

TEST(IgnoreCaseStringTest, SpellingsOfDifferentLengths) {
  IgnoreCaseString p("straße");
  EXPECT_TRUE(p.Matches("STRASSE"));
  EXPECT_TRUE(p.Matches("straße"));
  EXPECT_TRUE(p.Matches("StraSSe"));
  EXPECT_FALSE(p.Matches("strasse"));  // "ss" is not a spelling of ß.
  EXPECT_FALSE(p.Matches("STRAẞE"));   // Nor is ẞ.
}

TEST(IgnoreCaseStringTest, PrefixAndSuffix) {
  IgnoreCaseString p("ΟΔΟΣ");
  EXPECT_TRUE(p.IsPrefixOf("οδοσ ερμου"));
  EXPECT_FALSE(p.IsPrefixOf("οδος ερμου"));  // Final sigma is not a spelling of Σ.
  EXPECT_TRUE(p.IsSuffixOf("μεγαλη οδοσ"));
  EXPECT_FALSE(p.IsSuffixOf("οδο"));
  EXPECT_TRUE(IgnoreCaseString("").IsPrefixOf("x"));
  EXPECT_TRUE(IgnoreCaseString("").Matches(""));
}

TEST(IgnoreCaseStringTest, ValueBytesThatAreNotUtf8NeverSpellACharacter) {
  IgnoreCaseString p("é");
  EXPECT_FALSE(p.Matches("\xC3"));
  EXPECT_TRUE(p.IsPrefixOf("É\xFF"));
  EXPECT_TRUE(p.IsSuffixOf("\xFF\xC3\xA9"));
  EXPECT_FALSE(p.IsSuffixOf("\xC3\xA9\xFF"));
}

TEST(IgnoreCaseStringTest, EquivalentPatternsShareASignature) {
  EXPECT_EQ(IgnoreCaseString("ÉCOLE").signature(), IgnoreCaseString("école").signature());
  EXPECT_EQ(IgnoreCaseString("ABC").signature(), IgnoreCaseString("abc").signature());
  // Same key, different spellings: ß accepts SS, ẞ accepts ẞ.
  EXPECT_EQ(IgnoreCaseString("ß").key(), IgnoreCaseString("ẞ").key());
  EXPECT_NE(IgnoreCaseString("ß").signature(), IgnoreCaseString("ẞ").signature());
}

}  // namespace
}  // namespace wharf::pattern_internal
