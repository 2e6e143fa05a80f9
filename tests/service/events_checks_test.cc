#include "broker/service/events_checks.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace wharf::service_internal::events_checks {
namespace {

using ::wharf::testing::HasError;
using ::wharf::testing::IsOk;

TEST(EntrySizeTest, CountsSourceDetailTypeDetailResourcesAndTime) {
  events::PutEventsRequestEntry e;
  e.source = "abc";
  e.detail_type = "de";
  e.detail = "{}";
  e.resources = {"r1", "r22"};
  EXPECT_EQ(EntrySize(e), 3 + 2 + 2 + 2 + 3);
  e.time = absl::UnixEpoch();
  EXPECT_EQ(EntrySize(e), 3 + 2 + 2 + 2 + 3 + 14);
}

TEST(CheckNameTest, NamesAreOneToMaxOfTheNameCharacters) {
  EXPECT_THAT(CheckName("orders.v2-_x", "name", 64), IsOk());
  EXPECT_THAT(CheckName("", "name", 64),
              HasError(ErrorCode::kEventsValidation,
                       ::testing::HasSubstr("Member must have length greater than or equal to 1")));
  EXPECT_THAT(
      CheckName(std::string(65, 'a'), "name", 64),
      HasError(ErrorCode::kEventsValidation, ::testing::HasSubstr("less than or equal to 64")));
  EXPECT_THAT(CheckName("a/b", "name", 64),
              HasError(ErrorCode::kEventsValidation, ::testing::HasSubstr("[\\.\\-_A-Za-z0-9]+")));
  EXPECT_THAT(CheckName("a/b", "name", 64, /*allow_slash=*/true), IsOk());
  EXPECT_THAT(CheckName(std::string(3, '!'), "name", 2),
              HasError(ErrorCode::kEventsValidation,
                       "2 validation errors detected: Value '!!!' at 'name' failed to satisfy "
                       "constraint: Member must satisfy regular expression pattern: "
                       "[\\.\\-_A-Za-z0-9]+; Value '!!!' at 'name' failed to satisfy constraint: "
                       "Member must have length less than or equal to 2"));
}

TEST(Utf8CharsTest, CountsCodePoints) {
  EXPECT_EQ(Utf8Chars(""), 0u);
  EXPECT_EQ(Utf8Chars("abc"), 3u);
  EXPECT_EQ(Utf8Chars("\xC3\xA9t\xC3\xA9"), 3u);  // été
  EXPECT_EQ(Utf8Chars("\xF0\x9F\x98\x80"), 1u);   // U+1F600
}

TEST(AfterLastTest, TakesTheTextAfterTheLastSeparator) {
  EXPECT_EQ(AfterLast("arn:aws:events:r:a:archive/name", '/'), "name");
  EXPECT_EQ(AfterLast("plain", '/'), "plain");
  EXPECT_EQ(AfterLast("ends/", '/'), "");
}

}  // namespace
}  // namespace wharf::service_internal::events_checks
