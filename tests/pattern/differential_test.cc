// Differential test: randomly generated patterns and events (fixed seeds),
// on which the compiled Matcher and the reference interpreter
// (tests/testing/reference_matcher.h) must agree. Each round loads 40
// patterns into one Matcher, so shared states and shared field matchers are
// exercised, then checks 100 events against every pattern (15 rounds per dialect).
//
// The seed can be overridden with WHARF_TEST_SEED=<n>; a failure prints the
// seed, the pattern and the event.

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "tests/testing/reference_matcher.h"
#include "tests/testing/status_matchers.h"
#include "wharf/pattern.h"

namespace wharf {
namespace {

constexpr int kRounds = 15;
constexpr int kPatternsPerRound = 40;
constexpr int kEventsPerRound = 100;

uint32_t BaseSeed() {
  const char* env = std::getenv("WHARF_TEST_SEED");
  return env != nullptr ? static_cast<uint32_t>(std::strtoul(env, nullptr, 10)) : 20261123u;
}

class Gen {
 public:
  Gen(uint32_t seed, PatternDialect dialect) : rng_(seed), dialect_(dialect) {}

  // ---- Events ----

  std::string Event() {
    if (dialect_ == PatternDialect::kSnsMessageAttributes) return AttributeEvent();
    std::vector<std::string> members;
    for (const char* key : {"a", "b", "c"}) {
      if (Chance(20)) continue;
      members.push_back(absl::StrCat("\"", key, "\":", Chance(25) ? ScalarArray() : Scalar()));
    }
    if (Chance(70)) {
      if (Chance(15)) {
        members.push_back(absl::StrCat("\"d.e\":", Scalar()));
      } else if (Chance(40)) {
        std::vector<std::string> elements;
        for (int i = Pick(0, 3); i > 0; --i) elements.push_back(DObject());
        members.push_back(absl::StrCat("\"d\":[", absl::StrJoin(elements, ","), "]"));
      } else {
        members.push_back(absl::StrCat("\"d\":", DObject()));
      }
    }
    return absl::StrCat("{", absl::StrJoin(members, ","), "}");
  }

  // ---- Patterns ----

  std::string Pattern() {
    std::vector<std::string> members;
    const bool flat = dialect_ == PatternDialect::kSnsMessageAttributes;
    for (int n = Pick(1, 2); n > 0; --n) members.push_back(Field(flat));
    if (Chance(25)) {
      std::vector<std::string> branches;
      for (int n = Pick(2, 3); n > 0; --n) branches.push_back(absl::StrCat("{", Field(flat), "}"));
      members.push_back(absl::StrCat("\"$or\":[", absl::StrJoin(branches, ","), "]"));
    }
    return absl::StrCat("{", absl::StrJoin(members, ","), "}");
  }

 private:
  bool Chance(int percent) { return static_cast<int>(rng_() % 100) < percent; }
  int Pick(int lo, int hi) { return lo + static_cast<int>(rng_() % (hi - lo + 1)); }
  template <typename T, size_t N>
  const T& OneOf(const T (&items)[N]) {
    return items[rng_() % N];
  }

  // EventBridge reads "10.0.0.01" and "::ffff:a00:1" as 10.0.0.1 (as Java does).
  static constexpr const char* kStrings[] = {
      "\"\"",         "\"x\"",           "\"X\"",         "\"xy\"",          "\"abc\"",
      "\"ABC\"",      "\"a.png\"",       "\"b.PNG\"",     "\"10.0.0.1\"",    "\"10.0.1.7\"",
      "\"10.1.2.3\"", "\"2001:db8::1\"", "\"init\"",      "\"initial\"",     "\"foo*bar\"",
      "\"a\\\\b\"",   "\"null\"",        "\"10.0.0.01\"", "\"::ffff:a00:1\""};
  static constexpr const char* kNumbers[] = {"-1",   "0",   "0.5",  "1",  "2",
                                             "3.25", "100", "1e10", "1.0"};
  // For the ignore-case operators: Latin-1, Greek, Cyrillic, and characters
  // whose two cases differ in length or are not each other's (ß and SS, ẞ,
  // İ and i + U+0307, ı, final sigma, titlecase ǅ, the Kelvin sign, ᾳ).
  static constexpr const char* kCaseStrings[] = {
      "\"école\"", "\"ÉCOLE\"",  "\"Ecole\"",   "\"straße\"", "\"STRASSE\"",  "\"strasse\"",
      "\"ẞ\"",     "\"ß\"",      "\"SS\"",      "\"İ\"",      "\"i\\u0307\"", "\"ı\"",
      "\"I\"",     "\"i\"",      "\"ΟΔΟΣ\"",    "\"οδοσ\"",   "\"οδος\"",     "\"ǅ\"",
      "\"ǆ\"",     "\"Ǆ\"",      "\"\\u212A\"", "\"k\"",      "\"ᾳ\"",        "\"ΑΙ\"",
      "\"ᾼ\"",     "\"Москва\"", "\"МОСКВА\"",  "\"ёлка\"",   "\"ЁЛКА\"",     "\"ﬁ\"",
      "\"FI\""};
  static constexpr const char* kCaseAffixes[] = {"\"é\"", "\"ÉC\"", "\"ß\"",   "\"SS\"",
                                                 "\"Σ\"", "\"ς\"",  "\"МОС\"", "\"ка\"",
                                                 "\"i\"", "\"İ\"",  "\"ΑΙ\""};

  std::string Scalar() {
    int r = Pick(0, 99);
    if (r < 42) return OneOf(kStrings);
    if (r < 55) return OneOf(kCaseStrings);
    if (r < 85) return OneOf(kNumbers);
    if (r < 90) return "true";
    if (r < 95) return "false";
    return "null";
  }

  std::string ScalarArray() {
    std::vector<std::string> items;
    for (int i = Pick(0, 3); i > 0; --i) items.push_back(Scalar());
    return absl::StrCat("[", absl::StrJoin(items, ","), "]");
  }

  std::string DObject() {
    std::vector<std::string> members;
    for (const char* key : {"e", "f"}) {
      if (Chance(25)) continue;
      members.push_back(absl::StrCat("\"", key, "\":", Chance(20) ? ScalarArray() : Scalar()));
    }
    return absl::StrCat("{", absl::StrJoin(members, ","), "}");
  }

  std::string AttributeEvent() {
    std::vector<std::string> members;
    for (const char* key : {"a", "b", "c"}) {
      if (Chance(20)) continue;
      std::string type, value;
      int r = Pick(0, 99);
      if (r < 45) {
        type = "String";
        value = OneOf(kStrings);
      } else if (r < 75) {
        type = "Number";
        value = absl::StrCat("\"", OneOf(kNumbers), "\"");
      } else if (r < 92) {
        type = "String.Array";
        std::string array = ScalarArray();
        std::string escaped;
        for (char c : array) {
          if (c == '"' || c == '\\') escaped.push_back('\\');
          escaped.push_back(c);
        }
        value = absl::StrCat("\"", escaped, "\"");
      } else {
        type = "Binary";
        value = "\"AAEC\"";
      }
      members.push_back(
          absl::StrCat("\"", key, "\":{\"Type\":\"", type, "\",\"Value\":", value, "}"));
    }
    return absl::StrCat("{", absl::StrJoin(members, ","), "}");
  }

  std::string Field(bool flat) {
    std::string conditions = Conditions();
    if (flat) return absl::StrCat("\"", OneOf(kFlatKeys), "\":", conditions);
    int r = Pick(0, 5);
    if (r <= 2) return absl::StrCat("\"", OneOf(kFlatKeys), "\":", conditions);
    const char* sub = Chance(50) ? "e" : "f";
    if (r == 3) return absl::StrCat("\"d.", sub, "\":", conditions);
    if (r == 4) return absl::StrCat("\"d\":{\"", sub, "\":", conditions, "}");
    return absl::StrCat("\"d\":{\"e\":", conditions, ",\"f\":", Conditions(), "}");
  }
  static constexpr const char* kFlatKeys[] = {"a", "b", "c"};

  std::string Conditions() {
    std::vector<std::string> items;
    for (int n = Pick(1, 3); n > 0; --n) items.push_back(Condition());
    return absl::StrCat("[", absl::StrJoin(items, ","), "]");
  }

  std::string Condition() {
    const bool eb = dialect_ == PatternDialect::kEventBridge;
    static constexpr const char* kPrefixes[] = {"\"\"",   "\"x\"",   "\"a\"",
                                                "\"in\"", "\"10.\"", "\"AB\""};
    static constexpr const char* kSuffixes[] = {"\"\"",  "\"y\"", "\".png\"",
                                                "\"c\"", "\"1\"", "\"BC\""};
    static constexpr const char* kWildcards[] = {
        "\"*\"",           "\"x*\"",  "\"*png\"", "\"a*c\"", "\"init*\"",
        "\"foo\\\\*bar\"", "\"*0*\"", "\"\"",     "\"*.*\"", "\"a\\\\\\\\b\""};
    // EventBridge masks stop at /31 (aws/event-ruler); SNS takes /32.
    static constexpr const char* kCidrs[] = {"\"10.0.0.0/24\"",   "\"10.0.0.0/8\"",
                                             "\"2001:db8::/32\"", "\"0.0.0.0/0\"",
                                             "\"10.0.0.1/32\"",   "\"10.0.0.0/31\""};
    static constexpr const char* kBounds[] = {"-1", "0", "0.5", "1", "2", "3.25", "100"};
    switch (Pick(0, 13)) {
      case 0:
        return OneOf(kStrings);
      case 1:
        return OneOf(kNumbers);
      case 2:
        return OneOf({"true", "false", "null"});
      case 3:
        return absl::StrCat("{\"prefix\":", OneOf(kPrefixes), "}");
      case 4:
        return absl::StrCat("{\"suffix\":", OneOf(kSuffixes), "}");
      case 5:
        if (eb && Chance(50)) {
          return absl::StrCat("{\"", Chance(50) ? "prefix" : "suffix",
                              "\":{\"equals-ignore-case\":",
                              Chance(50) ? OneOf(kSuffixes) : OneOf(kCaseAffixes), "}}");
        }
        return absl::StrCat(
            "{\"equals-ignore-case\":", Chance(50) ? OneOf(kStrings) : OneOf(kCaseStrings), "}");
      case 6:
        if (!eb) return OneOf(kStrings);
        return absl::StrCat("{\"wildcard\":", OneOf(kWildcards), "}");
      case 7:
      case 8: {
        std::string lo = OneOf(kBounds), hi = OneOf(kBounds);
        if (std::stod(lo) > std::stod(hi)) std::swap(lo, hi);
        switch (Pick(0, 3)) {
          case 0:
            return absl::StrCat("{\"numeric\":[\"=\",", lo, "]}");
          case 1:
            return absl::StrCat("{\"numeric\":[\"", Chance(50) ? ">" : ">=", "\",", lo, "]}");
          case 2:
            return absl::StrCat("{\"numeric\":[\"", Chance(50) ? "<" : "<=", "\",", hi, "]}");
          default:
            if (lo == hi) return absl::StrCat("{\"numeric\":[\"<\",", hi, "]}");
            return absl::StrCat("{\"numeric\":[\"", Chance(50) ? ">" : ">=", "\",", lo, ",\"",
                                Chance(50) ? "<" : "<=", "\",", hi, "]}");
        }
      }
      case 9:
        return absl::StrCat("{\"exists\":", Chance(50) ? "true" : "false", "}");
      case 10: {
        const int i = Pick(0, 4);
        return absl::StrCat("{\"cidr\":", kCidrs[eb && i == 4 ? 5 : i], "}");
      }
      default:
        return AnythingBut(eb);
    }
  }

  static constexpr const char* kAnythingButPrefixes[] = {"\"x\"", "\"in\"", "\"10.\"", "\"é\"",
                                                         "\"МОС\""};
  static constexpr const char* kAnythingButSuffixes[] = {"\".png\"", "\"c\"", "\"ß\"", "\"ΟΣ\""};

  std::string AnythingBut(bool eb) {
    switch (Pick(0, eb ? 6 : 4)) {
      case 0:
        return absl::StrCat("{\"anything-but\":", OneOf(kStrings), "}");
      case 1:
        return absl::StrCat("{\"anything-but\":", OneOf(kNumbers), "}");
      case 2:
        if (eb) {  // aws/event-ruler: strings or numbers, not both.
          if (Chance(50)) {
            return absl::StrCat("{\"anything-but\":[", OneOf(kStrings), ",", OneOf(kStrings), "]}");
          }
          return absl::StrCat("{\"anything-but\":[", OneOf(kNumbers), ",", OneOf(kNumbers), "]}");
        }
        return absl::StrCat("{\"anything-but\":[", OneOf(kStrings), ",", OneOf(kNumbers), ",",
                            OneOf(kStrings), "]}");
      case 3:
        if (eb && Chance(50)) {  // EventBridge takes a list.
          return absl::StrCat("{\"anything-but\":{\"prefix\":[", OneOf(kAnythingButPrefixes), ",",
                              OneOf(kAnythingButPrefixes), "]}}");
        }
        return absl::StrCat("{\"anything-but\":{\"prefix\":", OneOf(kAnythingButPrefixes), "}}");
      case 4:
        return absl::StrCat("{\"anything-but\":{\"equals-ignore-case\":[", OneOf(kStrings), ",",
                            OneOf(kCaseStrings), "]}}");
      case 5:
        if (Chance(50)) {
          return absl::StrCat("{\"anything-but\":{\"suffix\":[", OneOf(kAnythingButSuffixes), ",",
                              OneOf(kAnythingButSuffixes), "]}}");
        }
        return absl::StrCat("{\"anything-but\":{\"suffix\":", OneOf(kAnythingButSuffixes), "}}");
      default:
        return absl::StrCat("{\"anything-but\":{\"wildcard\":[",
                            OneOf({"\"*png\"", "\"a*\"", "\"*0*\""}), "]}}");
    }
  }

  std::mt19937 rng_;
  const PatternDialect dialect_;
};

void RunDifferential(PatternDialect dialect, uint32_t seed_offset) {
  const uint32_t base = BaseSeed() + seed_offset;
  int compared = 0, matched = 0;
  for (int round = 0; round < kRounds; ++round) {
    const uint32_t seed = base + static_cast<uint32_t>(round);
    Gen gen(seed, dialect);
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Matcher> m, Matcher::Create(dialect));
    std::vector<std::string> patterns;
    for (int i = 0; i < kPatternsPerRound; ++i) {
      std::string pattern = gen.Pattern();
      absl::Status s = m->Add(absl::StrCat("p", i < 10 ? "0" : "", i), pattern);
      // SNS limits (5 keys, 150 combinations) reject some random policies:
      // draw another.
      while (!s.ok() && absl::StrContains(s.message(), "Filter policy")) {
        pattern = gen.Pattern();
        s = m->Add(absl::StrCat("p", i < 10 ? "0" : "", i), pattern);
      }
      ASSERT_TRUE(s.ok()) << "seed " << seed << ": generated an invalid pattern " << pattern << ": "
                          << s;
      patterns.push_back(pattern);
    }
    for (int e = 0; e < kEventsPerRound; ++e) {
      std::string event = gen.Event();
      ASSERT_OK_AND_ASSIGN(std::vector<std::string> got, m->MatchJson(event));
      std::vector<std::string> want;
      for (int i = 0; i < kPatternsPerRound; ++i) {
        if (testing::ReferenceMatches(dialect, patterns[i], event)) {
          want.push_back(absl::StrCat("p", i < 10 ? "0" : "", i));
        }
      }
      ++compared;
      matched += static_cast<int>(want.size());
      if (got != want) {
        std::string detail;
        for (int i = 0; i < kPatternsPerRound; ++i) {
          std::string id = absl::StrCat("p", i < 10 ? "0" : "", i);
          bool in_got = std::find(got.begin(), got.end(), id) != got.end();
          bool in_want = std::find(want.begin(), want.end(), id) != want.end();
          if (in_got != in_want) {
            absl::StrAppend(&detail, "\n  ", id, " matcher=", in_got, " reference=", in_want,
                            " pattern=", patterns[i]);
          }
        }
        FAIL() << "seed " << seed << " (WHARF_TEST_SEED=" << BaseSeed() << ") event " << event
               << detail;
      }
    }
  }
  // Guard against a generator that never matches anything.
  EXPECT_GT(matched, compared / 4) << "generator produces too few matches to be informative";
}

// The ids[i] of the EventBridge patterns[i] the reference matches `event`
// with, in order.
std::vector<std::string> ReferenceIds(const std::vector<std::string>& patterns,
                                      const std::vector<std::string>& ids,
                                      const std::string& event) {
  std::vector<std::string> matched;
  for (size_t i = 0; i < patterns.size(); ++i) {
    if (testing::ReferenceMatches(PatternDialect::kEventBridge, patterns[i], event)) {
      matched.push_back(ids[i]);
    }
  }
  return matched;
}

// Many anything-but conditions on one field, in one state: the automaton
// indexes them by excluded value (keeping, per value, whichever is smaller of
// the conditions excluding it and the next states passing it). "w0" is in
// most lists and "w7" in none, so both forms and the no-exclusion path are
// used; some lists repeat (shared entries), some rules add a range or exists
// on another field (ordered before the anything-but), some ignore case.
TEST(DifferentialTest, AnythingButListsOnOneFieldAgreeWithReference) {
  std::mt19937 rng(BaseSeed() + 3000);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<uint32_t>(n)); };
  const std::vector<std::string> words = {"w0", "w1", "w2", "w3", "w4", "w5", "w6", "w7"};
  auto list = [&](bool numbers, bool upper) {
    std::vector<std::string> items;
    if (pick(10) < 8) items.push_back(upper ? "\"W0\"" : "\"w0\"");
    // EventBridge lists hold strings or numbers, not both (aws/event-ruler).
    if (numbers && pick(6) == 0) {
      items.clear();
      for (int n = 1 + pick(4); n > 0; --n) items.push_back(absl::StrCat(pick(4)));
    } else {
      for (int n = 1 + pick(5); n > 0; --n) {
        items.push_back(absl::StrCat("\"", words[1 + pick(6)], "\""));
      }
    }
    std::sort(items.begin(), items.end());
    items.erase(std::unique(items.begin(), items.end()), items.end());
    return absl::StrCat("[", absl::StrJoin(items, ","), "]");
  };
  constexpr int kPatterns = 300;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Matcher> m, Matcher::Create(PatternDialect::kEventBridge));
  std::vector<std::string> patterns;
  std::vector<std::string> ids;
  for (int i = 0; i < kPatterns; ++i) {
    std::string condition;
    switch (pick(6)) {
      case 0:
        condition = absl::StrCat(R"({"anything-but":")", words[pick(8)], R"("})");
        break;
      case 1:
        condition = absl::StrCat(R"({"anything-but":{"equals-ignore-case":)",
                                 pick(4) == 0 ? R"(["w1","wé"])" : list(false, pick(2) == 0), "}}");
        break;
      case 2:
        condition = absl::StrCat(R"({"anything-but":{"prefix":"w)", pick(8), R"("}})");
        break;
      default:
        condition = absl::StrCat(R"({"anything-but":)", list(true, false), "}");
        break;
    }
    std::string other;
    switch (pick(4)) {
      case 0:
        other = absl::StrCat(R"(,"n":[{"numeric":[">",)", pick(4), "]}]");
        break;
      case 1:
        other = R"(,"n":[{"exists":true}])";
        break;
      default:
        break;
    }
    const std::string extra = pick(5) == 0 ? R"(,"w1")" : "";
    patterns.push_back(absl::StrCat(R"({"s":["a"],"k":[)", condition, extra, "]", other, "}"));
    ids.push_back(absl::StrCat("p", 1000 + i));  // Same width: sorted as numbers.
    ASSERT_OK(m->Add(ids.back(), patterns.back())) << patterns.back();
  }
  const std::vector<std::string> values = {R"("w0")",
                                           R"("W0")",
                                           R"("w1")",
                                           R"("w3")",
                                           R"("w6")",
                                           R"("w7")",
                                           R"("WÉ")",
                                           R"("wé")",
                                           "0",
                                           "1",
                                           "2.0",
                                           "7",
                                           "true",
                                           "null",
                                           R"(["w0","w7"])",
                                           R"(["w0","W0"])",
                                           R"([1,"w0"])",
                                           "[]"};
  int matched = 0;
  for (int e = 0; e < 400; ++e) {
    std::string event = absl::StrCat(R"({"s":"a")");
    if (pick(10) != 0) absl::StrAppend(&event, R"(,"k":)", values[pick(values.size())]);
    if (pick(2) == 0) absl::StrAppend(&event, R"(,"n":)", pick(6));
    absl::StrAppend(&event, "}");
    ASSERT_OK_AND_ASSIGN(std::vector<std::string> got, m->MatchJson(event));
    const std::vector<std::string> want = ReferenceIds(patterns, ids, event);
    matched += static_cast<int>(want.size());
    ASSERT_EQ(got, want) << "event " << event;
  }
  EXPECT_GT(matched, 400 * kPatterns / 10);
}

// Many numeric ranges on one field, in one state. Narrow ranges (closed on
// both sides, a few bounds each) are listed per elementary position; wide
// ones (one-sided or spanning a quarter of 40 bounds, 200 of them) exceed the
// listing budget (32 entries per position) and go to the segment tree. Both
// compared with the reference at the bounds, between them and beyond them,
// with open and closed ends.
void RunNumericRanges(bool wide, uint32_t seed) {
  std::mt19937 rng(seed);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<uint32_t>(n)); };
  auto bound = [&] { return wide ? pick(40) : pick(400); };
  constexpr int kPatterns = 200;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Matcher> m, Matcher::Create(PatternDialect::kEventBridge));
  std::vector<std::string> patterns, ids;
  for (int i = 0; i < kPatterns; ++i) {
    const int lo = bound();
    const int hi = wide ? lo + 10 + pick(30) : lo + 1 + pick(4);
    std::string range;
    switch (wide ? pick(5) : 2 + pick(3)) {
      case 0:
        range = absl::StrCat(R"([">",)", lo, "]");
        break;
      case 1:
        range = absl::StrCat(R"(["<=",)", hi, "]");
        break;
      case 2:
        range = absl::StrCat(R"(["=",)", lo, "]");
        break;
      default:
        range = absl::StrCat(pick(2) == 0 ? R"([">=",)" : R"([">",)", lo,
                             pick(2) == 0 ? R"(,"<",)" : R"(,"<=",)", hi, "]");
        break;
    }
    patterns.push_back(absl::StrCat(R"({"n":[{"numeric":)", range, "}]}"));
    ids.push_back(absl::StrCat("p", 1000 + i));
    ASSERT_OK(m->Add(ids.back(), patterns.back())) << patterns.back();
  }
  int matched = 0;
  for (int e = 0; e < 300; ++e) {
    const double v = pick(3) == 0 ? bound() + 0.5 : bound() - (wide ? 5 : 1) + pick(wide ? 50 : 8);
    const std::string event = absl::StrCat(R"({"n":)", v, "}");
    ASSERT_OK_AND_ASSIGN(std::vector<std::string> got, m->MatchJson(event));
    const std::vector<std::string> want = ReferenceIds(patterns, ids, event);
    matched += static_cast<int>(want.size());
    ASSERT_EQ(got, want) << "event " << event;
  }
  EXPECT_GT(matched, 150);  // Events match ~1 range on average: informative.
}

TEST(DifferentialTest, NarrowNumericRangesAgreeWithReference) {
  RunNumericRanges(/*wide=*/false, BaseSeed() + 4000);
}

TEST(DifferentialTest, WideNumericRangesAgreeWithReference) {
  RunNumericRanges(/*wide=*/true, BaseSeed() + 5000);
}

TEST(DifferentialTest, EventBridgeMatcherAgreesWithReference) {
  RunDifferential(PatternDialect::kEventBridge, 0);
}

TEST(DifferentialTest, SnsAttributesMatcherAgreesWithReference) {
  RunDifferential(PatternDialect::kSnsMessageAttributes, 1000);
}

TEST(DifferentialTest, SnsBodyMatcherAgreesWithReference) {
  RunDifferential(PatternDialect::kSnsMessageBody, 2000);
}

}  // namespace
}  // namespace wharf
