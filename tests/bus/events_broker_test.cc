// EventBridge reached through wharf::Broker: a rule on the default bus
// delivers matching events into a queue of the same broker.

#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "wharf/broker.h"

namespace wharf {
namespace {

using ::testing::HasSubstr;
using ::testing::SizeIs;

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

}  // namespace
}  // namespace wharf
