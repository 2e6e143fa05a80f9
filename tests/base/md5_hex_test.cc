// wharf::Md5Hex: known text, lazy digests of payloads, and the ways user code
// reads the MD5 fields of results (compare, convert, print, copy).

#include <latch>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "broker/base/payload.h"
#include "gtest/gtest.h"
#include "wharf/lambda.h"
#include "wharf/message.h"
#include "wharf/sqs.h"

namespace wharf {
namespace {

constexpr char kHelloMd5[] = "9f5f155ec5da7b214e3a43b0386514d9";  // MD5("Hello, SQS").

base_internal::PayloadRef Hello() { return base_internal::MakePayload("Hello, SQS", {}, {}); }

TEST(Md5HexTest, DefaultIsEmpty) {
  const Md5Hex md5;
  EXPECT_TRUE(md5.empty());
  EXPECT_EQ(md5.size(), 0u);
  EXPECT_EQ(md5.str(), "");
  EXPECT_EQ(md5, "");
  EXPECT_EQ(md5, Md5Hex());
  EXPECT_NE(md5, Md5Hex(Hello()));
}

TEST(Md5HexTest, KnownTextFromEveryStringType) {
  const std::string text = "abc";
  const Md5Hex from_literal = "abc";
  const Md5Hex from_string = text;
  const Md5Hex from_view = std::string_view(text);
  for (const Md5Hex* md5 : {&from_literal, &from_string, &from_view}) {
    EXPECT_FALSE(md5->empty());
    EXPECT_EQ(md5->size(), 3u);
    EXPECT_EQ(md5->str(), "abc");
    EXPECT_EQ(*md5, "abc");
    EXPECT_EQ(*md5, text);
    EXPECT_EQ(*md5, std::string_view("abc"));
    EXPECT_EQ(*md5, from_literal);
    EXPECT_NE(*md5, "abd");
  }
}

TEST(Md5HexTest, ResultFieldsTakeTextAsBefore) {
  sqs::SendMessageResult sent{.message_id = "m", .md5_of_message_body = "x"};
  EXPECT_EQ(sent.md5_of_message_body, "x");
  sent.md5_of_message_body = std::string("y");
  EXPECT_EQ(sent.md5_of_message_body, "y");
  sqs::Message message;
  message.md5_of_body = "md5";
  std::string copied;
  copied = message.md5_of_body;
  EXPECT_EQ(copied, "md5");
  lambda::SqsRecord record;
  EXPECT_TRUE(record.md5_of_body.empty());
  record.md5_of_body = kHelloMd5;
  EXPECT_EQ(record.md5_of_body.size(), 32u);
}

TEST(Md5HexTest, LazyDigestOfAPayload) {
  auto payload = Hello();
  const Md5Hex md5(payload);
  EXPECT_FALSE(md5.empty());
  EXPECT_EQ(md5.size(), 32u);
  EXPECT_EQ(md5.str(), kHelloMd5);
  EXPECT_FALSE(payload->md5_of_body_cached()) << "a small body's digest is not cached";
  const std::string converted = md5;
  EXPECT_EQ(converted, kHelloMd5);
  std::ostringstream printed;
  printed << md5;
  EXPECT_EQ(printed.str(), kHelloMd5);
  EXPECT_EQ(testing::PrintToString(md5), kHelloMd5);
}

// A body large enough for the payload to cache its digest: reading the
// size does not compute it, reading the text does (once).
TEST(Md5HexTest, LazyDigestOfALargePayloadIsCachedWhenRead) {
  const std::string body(base_internal::Payload::kMd5CachedFrom, 'm');
  auto payload = base_internal::MakePayload(body, {}, {});
  const Md5Hex md5(payload);
  EXPECT_EQ(md5.size(), 32u);
  EXPECT_FALSE(payload->md5_of_body_cached()) << "empty() and size() must not compute";
  EXPECT_EQ(md5.str(), base_internal::ToHex(base_internal::Md5Of(body)));
  EXPECT_TRUE(payload->md5_of_body_cached());
  EXPECT_EQ(md5, base_internal::ToHex(base_internal::Md5Of(body)));
}

TEST(Md5HexTest, EqualityAcrossRepresentations) {
  const Md5Hex lazy(Hello());
  const Md5Hex other_payload(Hello());  // Same body, another payload.
  const Md5Hex different(base_internal::MakePayload("Hello, SNS", {}, {}));
  const std::string text = kHelloMd5;
  EXPECT_EQ(lazy, lazy);
  EXPECT_EQ(lazy, other_payload);
  EXPECT_NE(lazy, different);
  EXPECT_EQ(lazy, kHelloMd5);
  EXPECT_EQ(kHelloMd5, lazy);
  EXPECT_EQ(lazy, text);
  EXPECT_EQ(text, lazy);
  EXPECT_EQ(lazy, std::string_view(text));
  EXPECT_EQ(lazy, Md5Hex(text));
  EXPECT_EQ(Md5Hex(text), lazy);
  EXPECT_NE(lazy, "9f5f155ec5da7b214e3a43b0386514d8");  // Last digit differs.
  EXPECT_NE(lazy, "9f5f155ec5da7b214e3a43b0386514d");   // Too short.
  EXPECT_NE(lazy, text + "0");                          // Too long.
  EXPECT_NE(lazy, Md5Hex());
  EXPECT_TRUE(lazy != different);
  EXPECT_FALSE(lazy != text);
}

TEST(Md5HexTest, CopiesShareThePayloadAndKeepItAlive) {
  const base_internal::PayloadRef watch = Hello();  // The test's own reference.
  auto md5 = std::make_unique<Md5Hex>(watch);
  EXPECT_EQ(watch->refs(), 2u);
  Md5Hex copy = *md5;
  Md5Hex assigned;
  assigned = copy;
  md5.reset();
  EXPECT_EQ(watch->refs(), 3u) << "a copy keeps the body alive";
  EXPECT_EQ(copy, kHelloMd5);
  EXPECT_EQ(assigned, copy);
  Md5Hex moved = std::move(copy);
  EXPECT_EQ(moved, kHelloMd5);
  copy = "replaced";  // A moved-from value can be assigned.
  EXPECT_EQ(copy, "replaced");
  moved = "known";
  assigned = Md5Hex();
  EXPECT_EQ(watch->refs(), 1u) << "every Md5Hex dropped its reference";
  EXPECT_EQ(moved, "known");
}

TEST(Md5HexTest, ConcurrentFirstReadsSeeOneValue) {
  constexpr int kThreads = 4;
  constexpr int kValues = 200;
  std::vector<Md5Hex> values;
  std::vector<std::string> want;
  for (int i = 0; i < kValues; ++i) {
    const std::string body = "message " + std::to_string(i);
    values.emplace_back(base_internal::MakePayload(body, {}, {}));
    want.push_back(base_internal::Md5Hex(body));
  }
  std::vector<std::vector<std::string>> seen(kThreads);
  std::latch start(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      start.arrive_and_wait();
      // Alternate between reading a shared value and a private copy of it.
      for (int i = 0; i < kValues; ++i) {
        const Md5Hex copy = values[i];
        seen[t].push_back(t % 2 == 0 ? values[i].str() : copy.str());
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (int i = 0; i < kValues; ++i) {
    EXPECT_EQ(values[i], want[i]);
    for (int t = 0; t < kThreads; ++t) EXPECT_EQ(seen[t][i], want[i]) << "thread " << t;
  }
}

}  // namespace
}  // namespace wharf
