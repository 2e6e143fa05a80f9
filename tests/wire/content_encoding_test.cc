// Gunzip (Content-Encoding: gzip bodies): round trips, several members, the
// output bound (a small body that would inflate past it), malformed input.

#include "broker/wire/content_encoding.h"

#include <string>

#include "gtest/gtest.h"
#include "tests/wire/wire_test_util.h"

namespace wharf::wire {
namespace {

using testing::Gzip;

TEST(GunzipTest, InflatesOneOrSeveralMembers) {
  std::string out;
  const std::string text(100000, 'x');
  ASSERT_EQ(Gunzip(Gzip(text), 1 << 20, &out), InflateResult::kOk);
  EXPECT_EQ(out, text);
  ASSERT_EQ(Gunzip(Gzip("ab") + Gzip("") + Gzip("cd"), 16, &out), InflateResult::kOk);
  EXPECT_EQ(out, "abcd");
}

TEST(GunzipTest, StopsAtTheBound) {
  std::string out;
  const std::string text(1000, 'y');
  EXPECT_EQ(Gunzip(Gzip(text), 1000, &out), InflateResult::kOk);
  EXPECT_EQ(Gunzip(Gzip(text), 999, &out), InflateResult::kTooLarge);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(Gunzip(Gzip(text) + Gzip("z"), 1000, &out), InflateResult::kTooLarge);
  // 64 MiB of zeros in ~64 KiB: refused without inflating past the bound.
  EXPECT_EQ(Gunzip(Gzip(std::string(64 << 20, '\0')), 1 << 20, &out), InflateResult::kTooLarge);
}

TEST(GunzipTest, RefusesWhatIsNotGzip) {
  std::string out;
  const std::string good = Gzip("hello");
  EXPECT_EQ(Gunzip("", 100, &out), InflateResult::kMalformed);
  EXPECT_EQ(Gunzip("hello", 100, &out), InflateResult::kMalformed);
  EXPECT_EQ(Gunzip(good.substr(0, good.size() - 1), 100, &out), InflateResult::kMalformed);
  EXPECT_EQ(Gunzip(good + "junk", 100, &out), InflateResult::kMalformed);
  std::string corrupt = good;
  corrupt[corrupt.size() - 6] ^= 1;  // The CRC.
  EXPECT_EQ(Gunzip(corrupt, 100, &out), InflateResult::kMalformed);
  EXPECT_TRUE(out.empty());
}

}  // namespace
}  // namespace wharf::wire
