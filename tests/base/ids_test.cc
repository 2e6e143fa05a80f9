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

}  // namespace
}  // namespace wharf::base_internal
