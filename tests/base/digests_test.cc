#include "broker/base/digests.h"

#include "gtest/gtest.h"

namespace wharf::base_internal {
namespace {

// Vectors from spec/sqs.md §6 (checked against AWS-recorded values).
TEST(DigestsTest, Md5OfBody) {
  EXPECT_EQ(Md5Hex("Hello, SQS"), "9f5f155ec5da7b214e3a43b0386514d9");
}

TEST(DigestsTest, Md5OfMessageAttributesWorkedExample) {
  AttributeMd5 md5;
  md5.AddString("Count", "Number.int", "42");
  md5.AddString("city", "String", "Z\xc3\xbcrich");
  md5.AddBinary("trace", "Binary", std::string("\xde\xad\xbe\xef", 4));
  EXPECT_EQ(md5.HexDigest(), "2c562bcf772108c4fa2b800f49d08139");
}

TEST(DigestsTest, Md5OfMessageAttributesAwsRecorded) {
  AttributeMd5 a;
  a.AddString("attr1", "Number", "99.12");
  EXPECT_EQ(a.HexDigest(), "d302007e9aa062660afc85fd0a482472");
  AttributeMd5 b;
  b.AddString("MyAttribute", "String", "foobar");
  EXPECT_EQ(b.HexDigest(), "adb59cd4678ea5a855436b949cd07ab6");
}

TEST(DigestsTest, Md5OfSystemAttributes) {
  AttributeMd5 md5;
  md5.AddString("AWSTraceHeader", "String",
                "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1");
  EXPECT_EQ(md5.HexDigest(), "5ae4d5d7636402d80f4eb6d213245a88");
}

TEST(DigestsTest, Sha256OfBodyForContentBasedDeduplication) {
  EXPECT_EQ(Sha256Hex("Hello, SQS"),
            "f5d8716444cb1db3a58470e033bd9362a3b11c26c7e2e42a60996c6c9299a30c");
}

}  // namespace
}  // namespace wharf::base_internal
