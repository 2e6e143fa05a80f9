// Tests of the Matcher API: lifecycle (add, replace, remove), result order,
// the three event forms (JSON, FlatEvent, SNS attributes) and concurrent use.

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "wharf/errors.h"
#include "wharf/pattern.h"

namespace wharf {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using testing::HasErrorCode;
using ::testing::IsEmpty;
using testing::IsOk;
using testing::IsOkAndHolds;

std::unique_ptr<Matcher> NewMatcher(PatternDialect dialect = PatternDialect::kEventBridge) {
  auto m = Matcher::Create(dialect);
  EXPECT_TRUE(m.ok());
  return std::move(m).value();
}

TEST(MatcherTest, NewMatcherMatchesNothing) {
  auto m = NewMatcher();
  EXPECT_THAT(m->MatchJson(R"({"a":1})"), IsOkAndHolds(IsEmpty()));
  EXPECT_EQ(m->size(), 0u);
}

TEST(MatcherTest, ReturnsIdsOfMatchingPatternsOnly) {
  auto m = NewMatcher();
  ASSERT_OK(m->Add("yes", R"({"a":[1]})"));
  ASSERT_OK(m->Add("no", R"({"a":[2]})"));
  EXPECT_THAT(m->MatchJson(R"({"a":1})"), IsOkAndHolds(ElementsAre("yes")));
}

TEST(MatcherTest, ResultsAreSortedAndDeduplicated) {
  auto m = NewMatcher();
  ASSERT_OK(m->Add("zeta", R"({"a":[1]})"));
  ASSERT_OK(m->Add("alpha", R"({"$or":[{"a":[1]},{"b":[2]}]})"));
  ASSERT_OK(m->Add("mid", R"({"a":[{"numeric":[">",0]}, 1]})"));
  EXPECT_THAT(m->MatchJson(R"({"a":1,"b":2})"), IsOkAndHolds(ElementsAre("alpha", "mid", "zeta")));
}

TEST(MatcherTest, AddingUnderAnExistingIdReplacesThePattern) {
  auto m = NewMatcher();
  ASSERT_OK(m->Add("p", R"({"a":[1]})"));
  ASSERT_OK(m->Add("p", R"({"a":[2]})"));
  EXPECT_EQ(m->size(), 1u);
  EXPECT_THAT(m->MatchJson(R"({"a":1})"), IsOkAndHolds(IsEmpty()));
  EXPECT_THAT(m->MatchJson(R"({"a":2})"), IsOkAndHolds(ElementsAre("p")));
}

TEST(MatcherTest, FailedAddKeepsThePreviousPattern) {
  auto m = NewMatcher();
  ASSERT_OK(m->Add("p", R"({"a":[1]})"));
  EXPECT_THAT(m->Add("p", R"({"a":[]})"), HasErrorCode(ErrorCode::kInvalidEventPattern));
  EXPECT_THAT(m->MatchJson(R"({"a":1})"), IsOkAndHolds(ElementsAre("p")));
}

TEST(MatcherTest, RemovedPatternNoLongerMatches) {
  auto m = NewMatcher();
  ASSERT_OK(m->Add("p", R"({"a":[1]})"));
  ASSERT_OK(m->Add("q", R"({"a":[1]})"));
  EXPECT_THAT(m->MatchJson(R"({"a":1})"), IsOkAndHolds(ElementsAre("p", "q")));
  ASSERT_OK(m->Remove("p"));
  EXPECT_THAT(m->MatchJson(R"({"a":1})"), IsOkAndHolds(ElementsAre("q")));
}

TEST(MatcherTest, RemovingAnUnknownIdIsNotFound) {
  auto m = NewMatcher();
  EXPECT_EQ(m->Remove("nope").code(), absl::StatusCode::kNotFound);
}

TEST(MatcherTest, CompileIsOptionalAndIdempotent) {
  auto m = NewMatcher();
  ASSERT_OK(m->Add("p", R"({"a":["x"]})"));
  m->Compile();
  m->Compile();
  EXPECT_THAT(m->MatchJson(R"({"a":"x"})"), IsOkAndHolds(ElementsAre("p")));
}

TEST(MatcherTest, InvalidEventJsonIsAValidationError) {
  auto m = NewMatcher();
  EXPECT_THAT(m->MatchJson("{not json"), HasErrorCode(ErrorCode::kEventsValidation));
  auto sns = NewMatcher(PatternDialect::kSnsMessageBody);
  EXPECT_THAT(sns->MatchJson("plain text body"), HasErrorCode(ErrorCode::kSnsInvalidParameter));
}

TEST(MatcherTest, PatternsSharingFieldsEachMatchIndependently) {
  auto m = NewMatcher();
  ASSERT_OK(m->Add("src", R"({"source":["shop"]})"));
  ASSERT_OK(m->Add("src+type", R"({"source":["shop"],"detail-type":["Order"]})"));
  ASSERT_OK(m->Add(
      "src+type+big",
      R"({"source":["shop"],"detail-type":["Order"],"detail":{"total":[{"numeric":[">",100]}]}})"));
  EXPECT_THAT(m->MatchJson(R"({"source":"shop","detail-type":"Order","detail":{"total":50}})"),
              IsOkAndHolds(ElementsAre("src", "src+type")));
  EXPECT_THAT(m->MatchJson(R"({"source":"shop","detail-type":"Order","detail":{"total":500}})"),
              IsOkAndHolds(ElementsAre("src", "src+type", "src+type+big")));
}

TEST(MatcherTest, ManyPatternsOnlyTheMatchingOnesAreReturned) {
  auto m = NewMatcher();
  for (int i = 0; i < 2000; ++i) {
    ASSERT_OK(m->Add(absl::StrCat("p", i),
                     absl::StrCat(R"({"n":[)", i, R"(],"k":[{"prefix":"x)", i % 10, R"("}]})")));
  }
  EXPECT_THAT(m->MatchJson(R"({"n":1234,"k":"x4yz"})"), IsOkAndHolds(ElementsAre("p1234")));
  EXPECT_THAT(m->MatchJson(R"({"n":1234,"k":"x5"})"), IsOkAndHolds(IsEmpty()));
}

TEST(MatcherTest, FlatEventFieldsMatch) {
  auto m = NewMatcher();
  ASSERT_OK(m->Add("p", R"({"detail":{"state":["running"],"n":[{"numeric":[">",1]}]}})"));
  FlatEvent e;
  e.AddString("detail.state", "running");
  e.AddNumber("detail.n", 2);
  EXPECT_THAT(m->Match(e), ElementsAre("p"));
}

TEST(MatcherTest, FlatEventRepeatedPathBehavesLikeAnArray) {
  auto m = NewMatcher();
  ASSERT_OK(m->Add("p", R"({"tags":["b"],"flag":[true],"gone":[null]})"));
  FlatEvent e;
  e.AddString("tags", "a");
  e.AddString("tags", "b");
  e.AddBool("flag", true);
  e.AddNull("gone");
  EXPECT_THAT(m->Match(e), ElementsAre("p"));
}

TEST(MatcherTest, SnsAttributesMatchWithoutJson) {
  auto m = NewMatcher(PatternDialect::kSnsMessageAttributes);
  ASSERT_OK(m->Add("sub", R"({"store":["example_corp"],"price":[{"numeric":[">=",10]}]})"));
  std::vector<MessageAttributeRef> attrs = {{"store", "String", "example_corp"},
                                            {"price", "Number", "10.5"}};
  EXPECT_THAT(m->MatchAttributes(attrs), ElementsAre("sub"));
  attrs[1].value = "9";
  EXPECT_THAT(m->MatchAttributes(attrs), IsEmpty());
}

TEST(MatcherTest, SnsStringArrayAttributeMatchesAnyElement) {
  auto m = NewMatcher(PatternDialect::kSnsMessageAttributes);
  ASSERT_OK(m->Add("sub", R"({"sizes":[{"prefix":"x"}]})"));
  EXPECT_THAT(m->MatchAttributes({{"sizes", "String.Array", R"(["s", "xl"])"}}),
              ElementsAre("sub"));
}

TEST(MatcherTest, SnsMalformedNumberAttributeIsMatchedAsString) {
  auto m = NewMatcher(PatternDialect::kSnsMessageAttributes);
  ASSERT_OK(m->Add("sub", R"({"n":["abc"]})"));
  EXPECT_THAT(m->MatchAttributes({{"n", "Number", "abc"}}), ElementsAre("sub"));
}

TEST(MatcherTest, SnsBinaryAttributeNeverMatches) {
  auto m = NewMatcher(PatternDialect::kSnsMessageAttributes);
  ASSERT_OK(m->Add("sub", R"({"b":[{"exists":true}]})"));
  EXPECT_THAT(m->MatchAttributes({{"b", "Binary", "xyz"}}), IsEmpty());
}

// Ignore-case patterns with one lookup key but different spellings share a
// field matcher and still each accept only their own spellings.
TEST(MatcherTest, IgnoreCasePatternsWithOneKeyKeepTheirOwnSpellings) {
  auto m = NewMatcher();
  ASSERT_OK(m->Add("sharp-s", R"({"x":[{"equals-ignore-case":"ß"}]})"));
  ASSERT_OK(m->Add("capital-sharp-s", R"({"x":[{"equals-ignore-case":"ẞ"}]})"));
  ASSERT_OK(m->Add("ss", R"({"x":[{"equals-ignore-case":"ss"}]})"));
  ASSERT_OK(m->Add("prefix-sharp-s", R"({"x":[{"prefix":{"equals-ignore-case":"ß"}}]})"));
  ASSERT_OK(m->Add("suffix-ss", R"({"x":[{"suffix":{"equals-ignore-case":"SS"}}]})"));
  EXPECT_THAT(m->MatchJson(R"({"x":"SS"})"),
              IsOkAndHolds(ElementsAre("prefix-sharp-s", "sharp-s", "ss", "suffix-ss")));
  EXPECT_THAT(m->MatchJson(R"({"x":"ß"})"),
              IsOkAndHolds(ElementsAre("capital-sharp-s", "prefix-sharp-s", "sharp-s")));
  EXPECT_THAT(m->MatchJson(R"({"x":"ẞ"})"), IsOkAndHolds(ElementsAre("capital-sharp-s")));
  EXPECT_THAT(m->MatchJson(R"({"x":"sS"})"), IsOkAndHolds(ElementsAre("ss", "suffix-ss")));
}

// Values that are not UTF-8 reach the matcher through FlatEvent and SNS
// attributes (JSON events must be UTF-8): their bytes are compared as they
// are, so they never spell a pattern character but may follow a prefix.
TEST(MatcherTest, IgnoreCaseComparesBytesThatAreNotUtf8AsTheyAre) {
  auto m = NewMatcher();
  ASSERT_OK(m->Add("equals", R"({"x":[{"equals-ignore-case":"é"}]})"));
  ASSERT_OK(m->Add("prefix", R"({"x":[{"prefix":{"equals-ignore-case":"é"}}]})"));
  ASSERT_OK(m->Add("not", R"({"x":[{"anything-but":{"equals-ignore-case":"é"}}]})"));
  FlatEvent truncated;
  truncated.AddString("x", "\xC3");
  EXPECT_THAT(m->Match(truncated), ElementsAre("not"));
  FlatEvent trailing;
  trailing.AddString("x", "\xC3\x89\xFF");  // "É" then a stray byte.
  EXPECT_THAT(m->Match(trailing), ElementsAre("not", "prefix"));
  auto sns = NewMatcher(PatternDialect::kSnsMessageAttributes);
  ASSERT_OK(sns->Add("zurich", R"({"city":[{"equals-ignore-case":"zürich"}]})"));
  EXPECT_THAT(sns->MatchAttributes({{"city", "String", "Z\xDCRICH"}}), IsEmpty());  // Latin-1.
  EXPECT_THAT(sns->MatchAttributes({{"city", "String", "ZÜRICH"}}), ElementsAre("zurich"));
}

TEST(MatcherTest, JsonEventThatIsNotUtf8IsAValidationError) {
  auto m = NewMatcher();
  ASSERT_OK(m->Add("p", R"({"x":[{"equals-ignore-case":"é"}]})"));
  EXPECT_THAT(m->MatchJson("{\"x\":\"\xC3\"}"), HasErrorCode(ErrorCode::kEventsValidation));
  EXPECT_THAT(m->MatchJson(R"({"x":"\ud800"})"), HasErrorCode(ErrorCode::kEventsValidation));
}

// Matching threads run while a writer adds and removes patterns: the stable
// pattern is in every result, and every result is one the writer could have
// produced (TSan checks the snapshot hand-off).
TEST(MatcherConcurrencyTest, MatchingWhileAddingAndRemovingIsSafe) {
  auto m = NewMatcher();
  ASSERT_OK(m->Add("stable", R"({"a":[1]})"));
  std::atomic<bool> writer_done{false};
  std::atomic<int> bad{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 2; ++t) {
    readers.emplace_back([&] {
      int rounds = 0;
      while (!writer_done.load() || rounds < 10) {
        ++rounds;
        auto ids = m->MatchJson(R"({"a":1})");
        if (!ids.ok() || ids->empty() || ids->front() != "stable") {
          bad.fetch_add(1);
        }
        if (!ids.ok()) continue;
        for (const std::string& id : *ids) {
          if (id != "stable" && id.rfind("tmp", 0) != 0) bad.fetch_add(1);
        }
      }
    });
  }
  for (int i = 0; i < 200; ++i) {
    std::string id = absl::StrCat("tmp", i);
    EXPECT_OK(m->Add(id, R"({"a":[{"numeric":[">",0]}]})"));
    if (i % 2 == 0) {
      EXPECT_OK(m->Remove(id));
    }
  }
  writer_done.store(true);
  for (std::thread& t : readers) t.join();
  EXPECT_EQ(bad.load(), 0);
  ASSERT_OK_AND_ASSIGN(std::vector<std::string> final_ids, m->MatchJson(R"({"a":1})"));
  EXPECT_EQ(final_ids.size(), 101u);
  EXPECT_THAT(final_ids, Contains("tmp199"));
}

}  // namespace
}  // namespace wharf
