#include "broker/base/payload.h"

#include <atomic>
#include <latch>
#include <memory>
#include <string>
#include <thread>
#include <utility>
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
  ASSERT_NE(payload->attributes(), nullptr);
  EXPECT_EQ(payload->attributes()->md5_of_message_attributes, "adb59cd4678ea5a855436b949cd07ab6");
  EXPECT_EQ(payload->attributes()->md5_of_message_system_attributes,
            "5ae4d5d7636402d80f4eb6d213245a88");
  EXPECT_EQ(payload->attributes()->aws_trace_header,
            "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1");
}

TEST(MakePayloadTest, AMessageWithoutAttributesHasNoAttributeBlock) {
  auto payload = MakePayload("plain", {}, {});
  EXPECT_EQ(payload->body(), "plain");
  EXPECT_EQ(payload->attributes(), nullptr);
}

TEST(PayloadMd5Test, ComputedOnFirstReadAndCachedForLargeBodies) {
  const std::string large(Payload::kMd5CachedFrom, 'l');
  auto payload = MakePayload(large, {}, {});
  EXPECT_FALSE(payload->md5_of_body_cached());
  EXPECT_EQ(payload->md5_of_body(), Md5Of(large));
  EXPECT_TRUE(payload->md5_of_body_cached());
  EXPECT_EQ(payload->md5_of_body(), Md5Of(large));
  EXPECT_EQ(payload->body(), large);
}

// Below kMd5CachedFrom the block has no room for the digest: it is computed
// on every read (and right every time).
TEST(PayloadMd5Test, ComputedOnEveryReadForSmallBodies) {
  const std::string small(Payload::kMd5CachedFrom - 1, 's');
  for (const std::string& body : {std::string("Hello, SQS"), small}) {
    auto payload = MakePayload(body, {}, {});
    EXPECT_EQ(payload->md5_of_body(), Md5Of(body));
    EXPECT_FALSE(payload->md5_of_body_cached());
    EXPECT_EQ(payload->md5_of_body(), Md5Of(body));
  }
}

// Block sizes: the 16-byte header and the body; from kMd5CachedFrom on, the
// cache after the body at the next multiple of 8.
TEST(PayloadTest, BlockBytes) {
  EXPECT_EQ(sizeof(Payload), 16u);
  EXPECT_EQ(Payload::BlockBytes(0), 16u);
  EXPECT_EQ(Payload::BlockBytes(100), 116u);
  EXPECT_EQ(Payload::BlockBytes(511), 527u);
  EXPECT_EQ(Payload::BlockBytes(512), 16u + 512u + 16u);
  EXPECT_EQ(Payload::BlockBytes(513), 16u + 520u + 16u);
}

TEST(PayloadMd5Test, ConcurrentFirstReadsAgree) {
  constexpr int kThreads = 4;
  constexpr int kPayloads = 200;
  std::vector<PayloadRef> payloads;
  for (int i = 0; i < kPayloads; ++i) {
    // Large enough to be cached; lengths that are not multiples of 8.
    payloads.push_back(
        MakePayload(std::string(Payload::kMd5CachedFrom + i % 9, 'b') + std::to_string(i), {}, {}));
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
    const Md5 want = Md5Of(payloads[i]->body());
    EXPECT_TRUE(payloads[i]->md5_of_body_cached());
    EXPECT_EQ(payloads[i]->md5_of_body(), want);
    for (int t = 0; t < kThreads; ++t) EXPECT_EQ(seen[t][i], want) << "thread " << t;
  }
}

TEST(PayloadTest, OneBlockHoldsTheConcatenatedBody) {
  const PayloadRef joined = ConcatPayload({"ab", "", std::string_view("c\0d", 3)});
  EXPECT_EQ(joined->body(), std::string_view("abc\0d", 5));
  EXPECT_EQ(joined->attributes(), nullptr);
  // The body follows the 16-byte header in the same block.
  EXPECT_EQ(joined->body().data(), reinterpret_cast<const char*>(joined.get()) + sizeof(Payload));

  const PayloadRef empty = NewPayload("");
  EXPECT_TRUE(empty->body().empty());
  EXPECT_EQ(empty->md5_of_body(), Md5Of(""));

  auto attributes = std::make_unique<PayloadAttributes>();
  attributes->aws_trace_header = "Root=1-abc";
  const PayloadAttributes* raw = attributes.get();
  const PayloadRef with = NewPayload("x", std::move(attributes));
  EXPECT_EQ(with->attributes(), raw);  // Owned by the payload from now on.
}

TEST(PayloadRefTest, CopiesCountMovesTransferResetsDrop) {
  PayloadRef a = NewPayload("counted");
  EXPECT_EQ(a->refs(), 1u);
  PayloadRef b = a;
  EXPECT_EQ(a->refs(), 2u);
  EXPECT_EQ(a, b);
  PayloadRef c = std::move(b);
  EXPECT_EQ(b, nullptr);  // NOLINT(bugprone-use-after-move): moved-from is null.
  EXPECT_EQ(a->refs(), 2u);
  c = a;  // Same payload: the count stays.
  EXPECT_EQ(a->refs(), 2u);
  c = NewPayload("other");
  EXPECT_EQ(a->refs(), 1u);
  EXPECT_NE(a, c);
  {
    const wharf::Md5Hex lazy(a);
    wharf::Md5Hex copy = lazy;
    EXPECT_EQ(a->refs(), 3u);
    wharf::Md5Hex moved = std::move(copy);
    EXPECT_EQ(a->refs(), 3u);
    moved = wharf::Md5Hex("text");
    EXPECT_EQ(a->refs(), 2u);
    EXPECT_EQ(lazy, ToHex(Md5Of("counted")));
  }
  EXPECT_EQ(a->refs(), 1u);
  c.reset();
  EXPECT_EQ(c, nullptr);
  EXPECT_FALSE(static_cast<bool>(c));
}

// Threads copy, move and drop handles (PayloadRef and lazy wharf::Md5Hex) to one
// payload while reading it, then drop their last references at once: the
// count ends exact and exactly one release frees the block (ASan reports a
// use after free or a double free, LSan a leak, TSan a free that is not
// ordered after another thread's reads).
TEST(PayloadRefTest, ASharedPayloadIsFreedExactlyOnce) {
  constexpr int kThreads = 4;
  constexpr int kRounds = 200;
  constexpr int kCopies = 64;
  const std::string body(300, 'p');
  const std::string want = ToHex(Md5Of(body));
  int freed_total = 0;
  for (int round = 0; round < kRounds; ++round) {
    auto attributes = std::make_unique<PayloadAttributes>();
    attributes->message_attributes["n"] = Str(std::to_string(round));
    PayloadRef payload = NewPayload(body, std::move(attributes));
    std::vector<PayloadRef> held(kThreads, payload);
    payload.reset();  // Only the threads hold it now.
    std::atomic<int> freed{0};
    std::atomic<int> mismatches{0};
    std::latch start(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        PayloadRef mine = std::move(held[t]);
        start.arrive_and_wait();
        std::vector<PayloadRef> copies;
        std::vector<wharf::Md5Hex> digests;
        for (int i = 0; i < kCopies; ++i) {
          copies.push_back(mine);
          if (i % 8 == 0) digests.emplace_back(copies.back());
          PayloadRef moved = std::move(copies.back());
          copies.back() = std::move(moved);
        }
        for (const wharf::Md5Hex& d : digests) {
          if (!(d == want)) mismatches.fetch_add(1);
        }
        if (mine->body() != body || mine->attributes()->message_attributes.size() != 1) {
          mismatches.fetch_add(1);
        }
        copies.clear();
        digests.clear();
        if (mine.Leak()->Release()) freed.fetch_add(1);
      });
    }
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(mismatches.load(), 0) << "round " << round;
    EXPECT_EQ(freed.load(), 1) << "round " << round;
    freed_total += freed.load();
  }
  EXPECT_EQ(freed_total, kRounds);
}

}  // namespace
}  // namespace wharf::base_internal
