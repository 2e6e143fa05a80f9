#include "broker/service/pagination.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace wharf::service_internal {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

const std::string& Self(const std::string& s) { return s; }

std::vector<std::string> Letters() { return {"a", "b", "c", "d", "e"}; }

TEST(TakePageTest, FirstPageWithoutStartKey) {
  Page<std::string> page = TakePage(Letters(), Self, "", PageStart::kAtKey, 2);
  EXPECT_THAT(page.items, ElementsAre("a", "b"));
  EXPECT_TRUE(page.more);
  EXPECT_EQ(page.next_key, "c");
}

TEST(TakePageTest, AtKeyIncludesTheStartKey) {
  Page<std::string> page = TakePage(Letters(), Self, "c", PageStart::kAtKey, 2);
  EXPECT_THAT(page.items, ElementsAre("c", "d"));
  EXPECT_EQ(page.next_key, "e");
}

TEST(TakePageTest, AfterKeySkipsTheStartKey) {
  Page<std::string> page = TakePage(Letters(), Self, "c", PageStart::kAfterKey, 2);
  EXPECT_THAT(page.items, ElementsAre("d", "e"));
  EXPECT_FALSE(page.more);
  EXPECT_EQ(page.next_key, "");
}

TEST(TakePageTest, AStartKeyBetweenItemsStartsAtTheNextOne) {
  EXPECT_THAT(TakePage(Letters(), Self, "bb", PageStart::kAtKey, 10).items,
              ElementsAre("c", "d", "e"));
  EXPECT_THAT(TakePage(Letters(), Self, "bb", PageStart::kAfterKey, 10).items,
              ElementsAre("c", "d", "e"));
}

TEST(TakePageTest, AStartKeyPastTheEndGivesAnEmptyLastPage) {
  Page<std::string> page = TakePage(Letters(), Self, "z", PageStart::kAtKey, 2);
  EXPECT_THAT(page.items, IsEmpty());
  EXPECT_FALSE(page.more);
}

TEST(TakePageTest, ALimitAtTheSizeLeavesNothingMore) {
  Page<std::string> page = TakePage(Letters(), Self, "", PageStart::kAtKey, 5);
  EXPECT_EQ(page.items.size(), 5u);
  EXPECT_FALSE(page.more);
}

TEST(TakePageTest, KeysCanBeProjected) {
  struct Item {
    std::string name;
    int value;
  };
  std::vector<Item> items = {{"x", 1}, {"y", 2}, {"z", 3}};
  auto page = TakePage(
      std::move(items), [](const Item& i) { return i.name; }, "y", PageStart::kAtKey, 1);
  ASSERT_EQ(page.items.size(), 1u);
  EXPECT_EQ(page.items[0].value, 2);
  EXPECT_EQ(page.next_key, "z");
}

}  // namespace
}  // namespace wharf::service_internal
