// event_rules: an EventBridge bus with rules, targets and a schedule.
//
//   big-orders     {"detail":{"total":[{"numeric":[">=",100]}]}} on the "shop"
//                  bus, into the SQS queue "big-orders", reshaped by an
//                  InputTransformer to {"order": <id>, "total": <total>};
//   cancellations  {"detail-type":["OrderCancelled"]} on the "shop" bus, into
//                  an in-process callback that prints the event;
//   nightly        cron(0 2 * * ? *) on the default bus, into the same
//                  callback: the broker runs on a ManualClock, so advancing
//                  it one day fires the rule once.
//
// Exits 0 when every step did what it should.

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "wharf/broker.h"
#include "wharf/clock.h"
#include "wharf/events.h"
#include "wharf/sqs.h"

namespace {

template <typename T>
T Check(absl::StatusOr<T> result, const char* what) {
  if (!result.ok()) {
    std::fprintf(stderr, "%s failed: %s\n", what, result.status().ToString().c_str());
    std::exit(1);
  }
  return *std::move(result);
}

void Expect(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "unexpected: %s\n", what);
    std::exit(1);
  }
}

// One rule on `bus` with one target.
void AddRule(wharf::events::Service& events, const std::string& bus, const std::string& name,
             const std::string& pattern, const std::string& schedule,
             const wharf::events::Target& target) {
  Check(events.PutRule({.name = name,
                        .schedule_expression = schedule,
                        .event_pattern = pattern,
                        .event_bus_name = bus}),
        "PutRule");
  auto put = Check(events.PutTargets({.rule = name, .event_bus_name = bus, .targets = {target}}),
                   "PutTargets");
  Expect(put.failed_entry_count == 0, "PutTargets accepted the target");
}

}  // namespace

int main() {
  // 2026-01-01T00:00:00Z; time moves only when we say so.
  auto clock = std::make_shared<wharf::ManualClock>();
  auto broker = Check(wharf::Broker::Open({.clock = clock}), "Broker::Open");
  wharf::events::Service& events = broker->events();
  wharf::sqs::Service& sqs = broker->sqs();

  Check(events.CreateEventBus({.name = "shop"}), "CreateEventBus");

  // SQS target with an input transformer.
  auto queue_url = Check(sqs.CreateQueue({.queue_name = "big-orders"}), "CreateQueue").queue_url;
  auto attrs =
      Check(sqs.GetQueueAttributes({.queue_url = queue_url, .attribute_names = {"QueueArn"}}),
            "GetQueueAttributes");
  wharf::events::Target to_queue;
  to_queue.id = "queue";
  to_queue.arn = attrs.attributes["QueueArn"];
  to_queue.input_transformer = wharf::events::InputTransformer{
      .input_paths_map = {{"id", "$.detail.id"}, {"total", "$.detail.total"}},
      .input_template = R"({"order": <id>, "total": <total>})"};
  AddRule(events, "shop", "big-orders", R"({"detail":{"total":[{"numeric":[">=",100]}]}})", "",
          to_queue);

  // Callback target (runs on the thread that delivers, with no broker lock).
  std::atomic<int> callbacks{0};
  auto callback_arn =
      Check(events.RegisterCallback("printer",
                                    [&](const wharf::events::CallbackEvent& e) {
                                      std::printf("callback (rule %s): %s\n", e.rule_arn.c_str(),
                                                  e.body.c_str());
                                      callbacks.fetch_add(1);
                                      return absl::OkStatus();
                                    }),
            "RegisterCallback");
  wharf::events::Target to_callback;
  to_callback.id = "printer";
  to_callback.arn = callback_arn;
  AddRule(events, "shop", "cancellations", R"({"detail-type":["OrderCancelled"]})", "",
          to_callback);
  AddRule(events, "", "nightly", "", "cron(0 2 * * ? *)", to_callback);

  // Three events on the shop bus: one big order, one small, one cancellation.
  std::vector<wharf::events::PutEventsRequestEntry> entries = {
      {.source = "shop.orders",
       .detail_type = "OrderPlaced",
       .detail = R"({"id":1,"total":250})",
       .event_bus_name = "shop"},
      {.source = "shop.orders",
       .detail_type = "OrderPlaced",
       .detail = R"({"id":2,"total":20})",
       .event_bus_name = "shop"},
      {.source = "shop.orders",
       .detail_type = "OrderCancelled",
       .detail = R"({"id":2,"total":20})",
       .event_bus_name = "shop"},
  };
  auto put = Check(events.PutEvents({.entries = entries}), "PutEvents");
  Expect(put.failed_entry_count == 0, "every event accepted");

  auto got = Check(sqs.ReceiveMessage({.queue_url = queue_url, .max_number_of_messages = 10}),
                   "ReceiveMessage");
  for (const auto& m : got.messages) std::printf("big-orders queue: %s\n", m.body.c_str());
  Expect(got.messages.size() == 1 && got.messages[0].body == R"({"order": 1, "total": 250})",
         "one reshaped big order in the queue");
  Expect(callbacks.load() == 1, "the cancellation reached the callback");

  // A day of simulated time: the nightly rule fires once, at 02:00.
  clock->Advance(absl::Hours(24));
  Expect(callbacks.load() == 2, "the nightly rule fired once");
  std::printf("ok\n");
  return 0;
}
