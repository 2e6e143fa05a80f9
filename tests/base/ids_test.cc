#include "broker/base/ids.h"

#include "absl/container/flat_hash_set.h"
#include "gtest/gtest.h"

namespace wharf::base_internal {
namespace {

TEST(IdsTest, UuidHasVersion4Shape) {
  std::string id = NewUuid();
  ASSERT_EQ(id.size(), 36u);
  EXPECT_EQ(id[8], '-');
  EXPECT_EQ(id[13], '-');
  EXPECT_EQ(id[14], '4');
  EXPECT_EQ(id[18], '-');
  EXPECT_NE(std::string("89ab").find(id[19]), std::string::npos);
  EXPECT_EQ(id[23], '-');
  for (int i : {0, 7, 9, 12, 15, 17, 20, 22, 24, 35}) {
    EXPECT_NE(std::string("0123456789abcdef").find(id[i]), std::string::npos) << id;
  }
}

TEST(IdsTest, UuidsAreDistinct) {
  absl::flat_hash_set<std::string> seen;
  for (int i = 0; i < 10000; ++i) EXPECT_TRUE(seen.insert(NewUuid()).second);
}

TEST(IdsTest, UuidTextAndBitsConvertBackAndForth) {
  for (int i = 0; i < 1000; ++i) {
    const std::string text = NewUuid();
    Uuid id;
    ASSERT_TRUE(ParseUuid(text, &id)) << text;
    char again[36];
    FormatUuid(id, again);
    EXPECT_EQ(std::string(again, 36), text);
  }
  Uuid id;
  ASSERT_TRUE(ParseUuid("0123abcd-4567-4890-a1b2-c3d4e5f60789", &id));
  EXPECT_EQ(id.hi, 0x0123abcd45674890ull);
  EXPECT_EQ(id.lo, 0xa1b2c3d4e5f60789ull);
}

TEST(IdsTest, ParseUuidTakesOnlyTheCanonicalText) {
  Uuid id;
  for (const char* text : {
           "0123ABCD-4567-4890-a1b2-c3d4e5f60789",   // Upper case.
           "0123abcd-4567-4890-a1b2-c3d4e5f6078",    // Short.
           "0123abcd-4567-4890-a1b2-c3d4e5f607890",  // Long.
           "0123abcd+4567-4890-a1b2-c3d4e5f60789",   // No dash at 8.
           "0123abcd-4567-4890-a1b2c-3d4e5f60789",   // Dash moved.
           "0123abcg-4567-4890-a1b2-c3d4e5f60789",   // Not hex.
           "",
       }) {
    EXPECT_FALSE(ParseUuid(text, &id)) << text;
  }
}

}  // namespace
}  // namespace wharf::base_internal
