#include "broker/base/payload.h"

#include <latch>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace wharf::base_internal {
namespace {

MessageAttributeValue Str(std::string v, std::string type = "String") {
  return {.data_type = std::move(type), .string_value = std::move(v), .binary_value = {}};
}
MessageAttributeValue Bin(std::string v, std::string type = "Binary") {
  return {.data_type = std::move(type), .string_value = {}, .binary_value = std::move(v)};
}

TEST(AttributesMd5Test, MatchesTheSpecWorkedExample) {
  MessageAttributeMap attributes = {
      {"city", Str("Z\xC3\xBCrich")},
      {"Count", Str("42", "Number.int")},
      {"trace", Bin("\xde\xad\xbe\xef")},
  };
  EXPECT_EQ(AttributesMd5(attributes), "2c562bcf772108c4fa2b800f49d08139");
}

TEST(AttributesMd5Test, MatchesAwsRecordedValues) {
  EXPECT_EQ(AttributesMd5({{"attr1", Str("99.12", "Number")}}), "d302007e9aa062660afc85fd0a482472");
  EXPECT_EQ(AttributesMd5({{"MyAttribute", Str("foobar")}}), "adb59cd4678ea5a855436b949cd07ab6");
  EXPECT_EQ(AttributesMd5({}), "");
}

TEST(MakePayloadTest, ComputesEveryDigest) {
  auto payload = MakePayload(
      "Hello, SQS", {{"MyAttribute", Str("foobar")}},
      {{"AWSTraceHeader",
        Str("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1")}});
  EXPECT_EQ(ToHex(payload->md5_of_body()), "9f5f155ec5da7b214e3a43b0386514d9");
  ASSERT_NE(payload->attributes, nullptr);
  EXPECT_EQ(payload->attributes->md5_of_message_attributes, "adb59cd4678ea5a855436b949cd07ab6");
  EXPECT_EQ(payload->attributes->md5_of_message_system_attributes,
            "5ae4d5d7636402d80f4eb6d213245a88");
  EXPECT_EQ(payload->attributes->aws_trace_header,
            "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1");
}

TEST(MakePayloadTest, AMessageWithoutAttributesHasNoAttributeBlock) {
  auto payload = MakePayload("plain", {}, {});
  EXPECT_EQ(payload->body, "plain");
  EXPECT_EQ(payload->attributes, nullptr);
}

TEST(PayloadMd5Test, ComputedOnFirstReadAndCached) {
  auto payload = MakePayload("Hello, SQS", {}, {});
  EXPECT_FALSE(payload->md5_of_body_cached());
  EXPECT_EQ(payload->md5_of_body(), Md5Of("Hello, SQS"));
  EXPECT_TRUE(payload->md5_of_body_cached());
  EXPECT_EQ(payload->md5_of_body(), Md5Of("Hello, SQS"));
}

TEST(PayloadMd5Test, ConcurrentFirstReadsAgree) {
  constexpr int kThreads = 4;
  constexpr int kPayloads = 200;
  std::vector<std::shared_ptr<const Payload>> payloads;
  for (int i = 0; i < kPayloads; ++i) {
    payloads.push_back(MakePayload("body " + std::to_string(i), {}, {}));
  }
  std::vector<std::vector<Md5>> seen(kThreads);
  std::latch start(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      start.arrive_and_wait();
      for (const auto& p : payloads) seen[t].push_back(p->md5_of_body());
    });
  }
  for (auto& thread : threads) thread.join();
  for (int i = 0; i < kPayloads; ++i) {
    const Md5 want = Md5Of("body " + std::to_string(i));
    EXPECT_TRUE(payloads[i]->md5_of_body_cached());
    EXPECT_EQ(payloads[i]->md5_of_body(), want);
    for (int t = 0; t < kThreads; ++t) EXPECT_EQ(seen[t][i], want) << "thread " << t;
  }
}

}  // namespace
}  // namespace wharf::base_internal
