// events::ParseEvent: what a target receives, read back into its fields.

#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "wharf/broker.h"

namespace wharf {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(ParseEventTest, ReadsWhatAQueueTargetReceives) {
  auto clock = std::make_shared<ManualClock>();
  ASSERT_OK_AND_ASSIGN(auto broker, Broker::Open({.clock = clock}));
  ASSERT_OK_AND_ASSIGN(auto queue, broker->sqs().CreateQueue({.queue_name = "orders"}));
  ASSERT_OK(broker->events().PutRule(
      {.name = "placed", .event_pattern = R"({"source":["com.example.orders"]})"}));
  ASSERT_OK(broker->events().PutTargets(
      {.rule = "placed",
       .targets = {{.id = "q", .arn = "arn:aws:sqs:us-east-1:000000000000:orders"}}}));
  absl::Time when = absl::FromUnixSeconds(1767225600 - 60);
  ASSERT_OK_AND_ASSIGN(
      auto put,
      broker->events().PutEvents(
          {.entries = {{.time = when,
                        .source = "com.example.orders",
                        .resources = {"arn:aws:s3:::bucket/a"},
                        .detail_type = "OrderPlaced",
                        .detail = R"({ "orderId" : 42, "total": 19.50, "tags": ["a", null] })"}}}));
  ASSERT_EQ(put.failed_entry_count, 0);
  auto got = broker->sqs().ReceiveMessage({.queue_url = queue.queue_url});
  ASSERT_OK(got);
  ASSERT_EQ(got->messages.size(), 1u);

  ASSERT_OK_AND_ASSIGN(events::Event event, events::ParseEvent(got->messages[0].body));
  EXPECT_EQ(event.version, "0");
  EXPECT_EQ(event.id, put.entries[0].event_id);
  EXPECT_EQ(event.detail_type, "OrderPlaced");
  EXPECT_EQ(event.source, "com.example.orders");
  EXPECT_EQ(event.account, "000000000000");
  EXPECT_EQ(event.time, when);
  EXPECT_EQ(event.region, "us-east-1");
  EXPECT_THAT(event.resources, ElementsAre("arn:aws:s3:::bucket/a"));
  // Compact, with the numbers as written.
  EXPECT_EQ(event.detail, R"({"orderId":42,"total":19.50,"tags":["a",null]})");
  EXPECT_EQ(event.replay_name, "");
}

TEST(ParseEventTest, ReadsAReplayName) {
  ASSERT_OK_AND_ASSIGN(
      events::Event event,
      events::ParseEvent(R"({"version":"0","id":"e","detail-type":"t","source":"s",)"
                         R"("account":"000000000000","time":"2026-01-01T00:00:00Z",)"
                         R"("region":"eu-west-1","replay-name":"r1","resources":[],)"
                         R"("detail":{}})"));
  EXPECT_EQ(event.replay_name, "r1");
  EXPECT_EQ(event.region, "eu-west-1");
  EXPECT_EQ(event.time, absl::FromUnixSeconds(1767225600));
  EXPECT_EQ(event.detail, "{}");
  EXPECT_TRUE(event.resources.empty());
}

TEST(ParseEventTest, SaysWhatIsWrong) {
  const std::string head =
      R"({"id":"e","detail-type":"t","source":"s","account":"0","region":"r",)";
  struct Case {
    std::string json;
    std::string says;
  } cases[] = {
      {"", "not a JSON object"},
      {"[]", "not a JSON object"},
      {head + R"("time":"2026-01-01T00:00:00Z"})", "detail is missing"},
      {head + R"("detail":{}})", "time is missing"},
      {head + R"("time":"soon","detail":{}})", "not an ISO-8601"},
      {head + R"("time":"2026-01-01T00:00:00Z","detail":"x"})", "detail is not a JSON object"},
      {head + R"("time":"2026-01-01T00:00:00Z","detail":{"a":}})", "not a JSON object"},
      {head + R"("time":"2026-01-01T00:00:00Z","detail":{"n":18446744073709551615}})",
       "detail is not a JSON object"},
      {head + R"("time":"2026-01-01T00:00:00Z","detail":{},"resources":"r"})",
       "resources is not an array"},
      {head + R"("time":"2026-01-01T00:00:00Z","detail":{},"resources":[1]})", "not a string"},
      {head + R"("time":"2026-01-01T00:00:00Z","detail":{},"source":3})", "source is not a string"},
      {head + R"("time":"2026-01-01T00:00:00Z","detail":{}} x)", "not a JSON object"},
      {head + R"("time":"2026-01-01T00:00:00Z","detail":)" + std::string(1500, '[') +
           std::string(1500, ']') + "}",
       "not"},
  };
  for (const Case& c : cases) {
    auto parsed = events::ParseEvent(c.json);
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument) << c.json;
    EXPECT_THAT(parsed.status().message(), HasSubstr(c.says)) << c.json;
  }
}

}  // namespace
}  // namespace wharf
