// AWS/Events metrics after known traffic, exact on the ManualClock: matches,
// triggered rules, invocations and their attempts, failures, dead-letter
// queues taken or refused, loops refused, PutEventsRequestSize; the default
// bus's rules by RuleName, a custom bus's by EventBusName and RuleName, the
// broker-wide series without dimension; and the same counts in the Prometheus
// text.

#include <string>
#include <vector>

#include "tests/service/cloudwatch_fixture.h"
#include "wharf/events.h"

namespace wharf::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Optional;

class CloudWatchEventsMetricsTest : public CloudWatchTest {
 protected:
  events::Service& ev() { return broker_->events(); }

  // The Sum over the first minute; nullopt when there is no datapoint.
  std::optional<double> Sum(const std::string& metric, std::vector<cloudwatch::Dimension> dims) {
    std::vector<cloudwatch::Datapoint> p = Points("AWS/Events", metric, std::move(dims), 0, 60, 60);
    if (p.empty()) return std::nullopt;
    EXPECT_EQ(p.size(), 1u);
    return p[0].sum;
  }
  std::optional<double> RuleSum(const std::string& metric, const std::string& rule,
                                const std::string& bus = "") {
    if (bus.empty()) return Sum(metric, {{"RuleName", rule}});
    return Sum(metric, {{"EventBusName", bus}, {"RuleName", rule}});
  }
  void Rule(const std::string& name, const std::string& pattern,
            std::vector<events::Target> targets, const std::string& bus = "") {
    ASSERT_OK(
        ev().PutRule({.name = name, .event_pattern = pattern, .event_bus_name = bus}).status());
    ASSERT_OK(ev().PutTargets({.rule = name, .event_bus_name = bus, .targets = std::move(targets)})
                  .status());
  }
  absl::Status Put(const std::string& source, const std::string& detail,
                   const std::string& bus = "") {
    events::PutEventsRequestEntry e;
    e.source = source;
    e.detail_type = "t";
    e.detail = detail;
    e.event_bus_name = bus;
    auto result = ev().PutEvents({.entries = {e}});
    if (!result.ok()) return result.status();
    EXPECT_EQ(result->failed_entry_count, 0);
    return absl::OkStatus();
  }
};

TEST_F(CloudWatchEventsMetricsTest, EveryMetricAfterKnownTraffic) {
  Create("q");
  Create("dlq");
  const std::string gone_dlq = Create("gone-dlq");
  ASSERT_OK(sqs().DeleteQueue({.queue_url = gone_dlq}));
  ASSERT_OK(ev().CreateEventBus({.name = "audit"}).status());
  int busy_calls = 0;
  ASSERT_OK_AND_ASSIGN(std::string busy, ev().RegisterCallback("busy", [&](const auto&) {
    ++busy_calls;
    return absl::UnavailableError("busy");
  }));
  ASSERT_OK_AND_ASSIGN(std::string broken, ev().RegisterCallback("broken", [](const auto&) {
    return absl::InvalidArgumentError("no");
  }));

  // Default bus: "orders" delivers to a queue and to a callback that fails
  // for good (its DLQ takes the event); "refunds" never matches.
  events::Target to_broken{.id = "broken", .arn = broken};
  to_broken.dead_letter_config = events::DeadLetterConfig{ArnOf("dlq")};
  Rule("orders", R"({"source":["shop"]})", {{.id = "q", .arn = ArnOf("q")}, to_broken});
  Rule("refunds", R"({"source":["bank"]})", {{.id = "q", .arn = ArnOf("q")}});
  // Custom bus: "retry" retries twice, then its DLQ (deleted) refuses it.
  events::Target to_busy{.id = "busy", .arn = busy};
  to_busy.retry_policy = events::RetryPolicy{.maximum_retry_attempts = 2};
  to_busy.dead_letter_config = events::DeadLetterConfig{ArnOf("gone-dlq")};
  Rule("retry", R"({"source":["shop"]})", {to_busy}, "audit");

  ASSERT_OK(Put("shop", R"({"n":1})"));   // 4 + 1 + 7 = 12 bytes.
  ASSERT_OK(Put("shop", R"({"n":22})"));  // 13
  ASSERT_OK(Put("other", R"({"n":3})"));  // 13; matches nothing.
  ASSERT_OK(Put("shop", "{}", "audit"));  // 7
  AdvanceTo(30);                          // Retries at 1 s and 2 s.
  EXPECT_EQ(busy_calls, 3);

  EXPECT_THAT(RuleSum("MatchedEvents", "orders"), Optional(2.0));
  EXPECT_THAT(RuleSum("TriggeredRules", "orders"), Optional(2.0));
  EXPECT_THAT(RuleSum("InvocationAttempts", "orders"), Optional(4.0));
  EXPECT_THAT(RuleSum("SuccessfulInvocationAttempts", "orders"), Optional(2.0));
  EXPECT_EQ(RuleSum("RetryInvocationAttempts", "orders"), std::nullopt);
  EXPECT_THAT(RuleSum("Invocations", "orders"), Optional(4.0));
  EXPECT_THAT(RuleSum("FailedInvocations", "orders"), Optional(2.0));
  EXPECT_THAT(RuleSum("InvocationsSentToDlq", "orders"), Optional(2.0));
  EXPECT_EQ(RuleSum("InvocationsFailedToBeSentToDlq", "orders"), std::nullopt);
  EXPECT_EQ(RuleSum("MatchedEvents", "refunds"), std::nullopt);

  // A custom bus's rule has both dimensions, not RuleName alone.
  EXPECT_EQ(RuleSum("MatchedEvents", "retry"), std::nullopt);
  EXPECT_THAT(RuleSum("MatchedEvents", "retry", "audit"), Optional(1.0));
  EXPECT_THAT(RuleSum("InvocationAttempts", "retry", "audit"), Optional(3.0));
  EXPECT_EQ(RuleSum("SuccessfulInvocationAttempts", "retry", "audit"), std::nullopt);
  EXPECT_THAT(RuleSum("RetryInvocationAttempts", "retry", "audit"), Optional(2.0));
  EXPECT_THAT(RuleSum("Invocations", "retry", "audit"), Optional(1.0));
  EXPECT_THAT(RuleSum("FailedInvocations", "retry", "audit"), Optional(1.0));
  EXPECT_EQ(RuleSum("InvocationsSentToDlq", "retry", "audit"), std::nullopt);
  EXPECT_THAT(RuleSum("InvocationsFailedToBeSentToDlq", "retry", "audit"), Optional(1.0));

  // Broker-wide: events that matched any rule, every rule's invocations.
  EXPECT_THAT(Sum("MatchedEvents", {}), Optional(3.0));
  EXPECT_THAT(Sum("Invocations", {}), Optional(5.0));
  EXPECT_THAT(Sum("InvocationAttempts", {}), Optional(7.0));
  EXPECT_THAT(Sum("SuccessfulInvocationAttempts", {}), Optional(2.0));
  EXPECT_THAT(Sum("RetryInvocationAttempts", {}), Optional(2.0));
  std::vector<cloudwatch::Datapoint> p =
      Points("AWS/Events", "PutEventsRequestSize", {}, 0, 60, 60);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].unit, "Bytes");
  EXPECT_THAT(p[0].sample_count, Optional(4.0));
  EXPECT_THAT(p[0].sum, Optional(45.0));
  EXPECT_THAT(p[0].minimum, Optional(7.0));
  EXPECT_THAT(p[0].maximum, Optional(13.0));

  const std::string text = cw().RenderPrometheus();
  EXPECT_THAT(text, HasSubstr("# TYPE wharf_events_matched_events_total counter\n"));
  EXPECT_THAT(text,
              HasSubstr("wharf_events_matched_events_total{bus=\"default\",rule=\"orders\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("wharf_events_invocations_failed_to_be_sent_to_dlq_total{bus="
                              "\"audit\",rule=\"retry\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("wharf_events_put_events_request_size_bytes_count 4\n"));
}

TEST_F(CloudWatchEventsMetricsTest, AnEventLoopingBetweenBusesCountsADeadLetterInvocation) {
  ASSERT_OK(ev().CreateEventBus({.name = "ping"}).status());
  ASSERT_OK_AND_ASSIGN(events::DescribeEventBusResult ping,
                       ev().DescribeEventBus({.name = "ping"}));
  Rule("echo", R"({"source":["s"]})", {{.id = "self", .arn = ping.arn}}, "ping");
  ASSERT_OK(Put("s", "{}", "ping"));
  // Dispatched on "ping" six times: five deliveries, the sixth refused.
  EXPECT_THAT(RuleSum("MatchedEvents", "echo", "ping"), Optional(6.0));
  EXPECT_THAT(RuleSum("Invocations", "echo", "ping"), Optional(5.0));
  EXPECT_THAT(RuleSum("DeadLetterInvocations", "echo", "ping"), Optional(1.0));
  EXPECT_EQ(RuleSum("FailedInvocations", "echo", "ping"), std::nullopt);
}

TEST_F(CloudWatchEventsMetricsTest, ARuleKeepsItsCountsAcrossChangesAndADeletedOneStopsReporting) {
  Create("q");
  Rule("r", R"({"source":["s"]})", {{.id = "q", .arn = ArnOf("q")}});
  ASSERT_OK(Put("s", "{}"));
  ASSERT_OK(ev().DisableRule({.name = "r"}));
  ASSERT_OK(ev().EnableRule({.name = "r"}));
  ASSERT_OK(ev().PutRule({.name = "r", .event_pattern = R"({"source":["s","t"]})"}).status());
  ASSERT_OK(Put("t", "{}"));
  EXPECT_THAT(cw().RenderPrometheus(),
              HasSubstr("wharf_events_matched_events_total{bus=\"default\",rule=\"r\"} 2\n"));
  ASSERT_OK(ev().RemoveTargets({.rule = "r", .ids = {"q"}}).status());
  ASSERT_OK(ev().DeleteRule({.name = "r"}));
  EXPECT_THAT(cw().RenderPrometheus(), Not(HasSubstr("rule=\"r\"")));
}

}  // namespace
}  // namespace wharf::testing
