#include "broker/bus/event_envelope.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace wharf::bus_internal {
namespace {

TEST(CompactDetailTest, RewritesAnObjectCompactly) {
  std::string out;
  ASSERT_TRUE(CompactDetail(R"( { "a" : 1 , "b" : [true, null, "x", 2.50] } )", &out));
  EXPECT_EQ(out, R"({"a":1,"b":[true,null,"x",2.50]})");
}

TEST(CompactDetailTest, RejectsEverythingButAnObject) {
  std::string out;
  for (const char* bad : {R"("a string")", "[1,2]", "42", "null", R"("{\"a\":1}")", "{", "{}{}",
                          "{\"a\":}", "not json", "{} x"}) {
    EXPECT_FALSE(CompactDetail(bad, &out)) << bad;
  }
}

TEST(CompactDetailTest, RejectsIntegersOutsideSigned64Bits) {
  std::string out;
  EXPECT_TRUE(CompactDetail(R"({"n":9223372036854775807})", &out));
  EXPECT_TRUE(CompactDetail(R"({"n":-9223372036854775808})", &out));
  EXPECT_FALSE(CompactDetail(R"({"n":9223372036854775808})", &out));
  EXPECT_TRUE(CompactDetail(R"({"n":9223372036854775808.0})", &out));
}

TEST(CompactDetailTest, AllowsAThousandLevelsAndNoMore) {
  std::string out;
  auto nested = [](int depth) {
    std::string s;
    for (int i = 1; i < depth; ++i) s += "{\"a\":";
    s += "{}";
    for (int i = 1; i < depth; ++i) s += "}";
    return s;
  };
  EXPECT_TRUE(CompactDetail(nested(1000), &out));
  EXPECT_FALSE(CompactDetail(nested(1001), &out));
}

TEST(BuildEnvelopeTest, UsesAwsKeyOrder) {
  std::vector<std::string> resources = {"arn:aws:ec2:us-east-1:123456789012:instance/i-1"};
  EnvelopeFields f;
  f.id = "6a7e8feb-b491-4cf7-a9f1-bf3703467718";
  f.detail_type = "OrderPlaced";
  f.source = "com.example.orders";
  f.account = "123456789012";
  f.time = absl::FromUnixSeconds(1768480496);
  f.region = "us-east-1";
  f.resources = &resources;
  f.compact_detail = R"({"orderId":42})";
  EXPECT_EQ(
      BuildEnvelope(f),
      R"({"version":"0","id":"6a7e8feb-b491-4cf7-a9f1-bf3703467718","detail-type":"OrderPlaced",)"
      R"("source":"com.example.orders","account":"123456789012","time":"2026-01-15T12:34:56Z",)"
      R"("region":"us-east-1","resources":["arn:aws:ec2:us-east-1:123456789012:instance/i-1"],)"
      R"("detail":{"orderId":42}})");
}

TEST(BuildEnvelopeTest, ReplayNameGoesAfterRegion) {
  EnvelopeFields f;
  f.id = "i";
  f.detail_type = "t";
  f.source = "s";
  f.account = "a";
  f.time = absl::FromUnixSeconds(0);
  f.region = "r";
  f.compact_detail = "{}";
  std::string plain = BuildEnvelope(f);
  EXPECT_EQ(
      WithReplayName(plain, "rp"),
      R"({"version":"0","id":"i","detail-type":"t","source":"s","account":"a",)"
      R"("time":"1970-01-01T00:00:00Z","region":"r","replay-name":"rp","resources":[],"detail":{}})");
  EXPECT_EQ(WithReplayName(WithReplayName(plain, "one"), "two"), WithReplayName(plain, "two"));
}

}  // namespace
}  // namespace wharf::bus_internal
