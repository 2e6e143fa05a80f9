// EventBridge reached through wharf::Broker: a rule on the default bus
// delivers matching events into a queue of the same broker, a scheduled
// rule fires on the broker's scheduler, and BrokerOptions::events sets the
// quotas. Also: an EventsService on a shared Scheduler leaves no live task
// behind when it is destroyed.

#include <atomic>

#include "broker/base/scheduler.h"
#include "broker/service/events_service.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "wharf/broker.h"

namespace wharf {
namespace {

using ::testing::HasSubstr;
using ::testing::SizeIs;
using ::wharf::testing::HasErrorCode;

TEST(EventsBrokerTest, RuleOnTheDefaultBusDeliversToAQueueOfTheSameBroker) {
  auto clock = std::make_shared<ManualClock>();
  ASSERT_OK_AND_ASSIGN(auto broker, Broker::Open({.clock = clock}));
  ASSERT_OK_AND_ASSIGN(auto queue, broker->sqs().CreateQueue({.queue_name = "orders"}));
  ASSERT_OK_AND_ASSIGN(auto attrs,
                       broker->sqs().GetQueueAttributes(
                           {.queue_url = queue.queue_url, .attribute_names = {"QueueArn"}}));

  events::Service& ev = broker->events();
  ASSERT_OK(ev.PutRule({.name = "placed", .event_pattern = R"({"detail-type":["OrderPlaced"]})"}));
  events::Target target;
  target.id = "orders-queue";
  target.arn = attrs.attributes["QueueArn"];
  ASSERT_OK_AND_ASSIGN(auto put, ev.PutTargets({.rule = "placed", .targets = {target}}));
  ASSERT_EQ(put.failed_entry_count, 0);

  events::PutEventsRequestEntry placed{
      .source = "shop", .detail_type = "OrderPlaced", .detail = R"({"id":1})"};
  events::PutEventsRequestEntry shipped{
      .source = "shop", .detail_type = "OrderShipped", .detail = R"({"id":1})"};
  ASSERT_OK_AND_ASSIGN(auto result, ev.PutEvents({.entries = {placed, shipped}}));
  ASSERT_EQ(result.failed_entry_count, 0);

  ASSERT_OK_AND_ASSIGN(auto got, broker->sqs().ReceiveMessage(
                                     {.queue_url = queue.queue_url, .max_number_of_messages = 10}));
  ASSERT_THAT(got.messages, SizeIs(1));
  EXPECT_THAT(got.messages[0].body, HasSubstr(R"("detail-type":"OrderPlaced")"));
  EXPECT_THAT(got.messages[0].body, HasSubstr(R"("detail":{"id":1})"));
}

TEST(EventsBrokerTest, BrokerOptionsRaiseTheRulesPerBusQuota) {
  // AWS's default quota is 300 rules per bus; a broker may be given more.
  BrokerOptions options;
  options.clock = std::make_shared<ManualClock>();
  options.events.max_rules_per_event_bus = 301;
  ASSERT_OK_AND_ASSIGN(auto broker, Broker::Open(options));
  for (int i = 0; i < 301; ++i) {
    ASSERT_OK(broker->events().PutRule(
        {.name = "r" + std::to_string(i), .event_pattern = R"({"source":["s"]})"}));
  }
  EXPECT_THAT(
      broker->events().PutRule({.name = "one-more", .event_pattern = R"({"source":["s"]})"}),
      HasErrorCode(ErrorCode::kEventsLimitExceeded));

  ASSERT_OK_AND_ASSIGN(auto standard, Broker::Open({.clock = std::make_shared<ManualClock>()}));
  for (int i = 0; i < 300; ++i) {
    ASSERT_OK(standard->events().PutRule(
        {.name = "r" + std::to_string(i), .event_pattern = R"({"source":["s"]})"}));
  }
  EXPECT_THAT(standard->events().PutRule({.name = "r300", .event_pattern = R"({"source":["s"]})"}),
              HasErrorCode(ErrorCode::kEventsLimitExceeded));
}

TEST(EventsBrokerTest, ScheduledRuleFiresOnTheBrokersClock) {
  auto clock = std::make_shared<ManualClock>();
  ASSERT_OK_AND_ASSIGN(auto broker, Broker::Open({.clock = clock}));
  events::Service& ev = broker->events();
  std::atomic<int> fired{0};
  ASSERT_OK_AND_ASSIGN(std::string arn, ev.RegisterCallback("tick", [&](const auto&) {
    fired.fetch_add(1);
    return absl::OkStatus();
  }));
  ASSERT_OK(ev.PutRule({.name = "every-minute", .schedule_expression = "rate(1 minute)"}));
  events::Target target;
  target.id = "tick";
  target.arn = arn;
  ASSERT_OK(ev.PutTargets({.rule = "every-minute", .targets = {target}}));
  clock->Advance(absl::Minutes(3));
  EXPECT_EQ(fired.load(), 3);
}

TEST(EventsBrokerTest, PendingRetriesOfADestroyedServiceOnASharedSchedulerDoNothing) {
  ManualClock clock;
  Scheduler scheduler(clock);
  std::atomic<int> calls{0};
  {
    service_internal::EventsService service(
        {.account_id = "123456789012", .clock = &clock, .scheduler = &scheduler});
    ASSERT_OK_AND_ASSIGN(std::string arn, service.RegisterCallback("flaky", [&](const auto&) {
      calls.fetch_add(1);
      return absl::UnavailableError("down");
    }));
    ASSERT_OK(service.PutRule({.name = "all", .event_pattern = R"({"source":["s"]})"}));
    events::Target target;
    target.id = "flaky";
    target.arn = arn;
    ASSERT_OK(service.PutTargets({.rule = "all", .targets = {target}}));
    ASSERT_OK(
        service.PutEvents({.entries = {{.source = "s", .detail_type = "t", .detail = "{}"}}}));
    ASSERT_EQ(calls.load(), 1);
    ASSERT_EQ(scheduler.NumPending(), 1u);  // The first retry.
  }
  clock.Advance(absl::Minutes(10));
  EXPECT_EQ(calls.load(), 1);
  EXPECT_EQ(scheduler.NumPending(), 0u);
}

}  // namespace
}  // namespace wharf
