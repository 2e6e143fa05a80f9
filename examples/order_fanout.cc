// order_fanout: one SNS topic of order events fanned out to three SQS queues.
//
//   inventory  wants order_placed and order_cancelled events (filter policy);
//   shipping   wants order_paid events for orders shipping to the US or Canada
//              whose total is over 0 (filter policy on two attributes);
//   analytics  takes every event, as the raw message body (no envelope).
//
// The publisher sends a handful of events with message attributes; each
// consumer then drains its queue and prints what it got. Inventory and
// shipping receive the SNS JSON envelope and read the "Message" field.
//
// Runs in real time (SystemClock) and finishes at once.

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "rapidjson/document.h"
#include "wharf/broker.h"
#include "wharf/sns.h"
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

// Creates a queue; returns {url, arn}.
std::pair<std::string, std::string> MakeQueue(wharf::sqs::Service& sqs, const std::string& name) {
  auto url = Check(sqs.CreateQueue({.queue_name = name}), "CreateQueue").queue_url;
  auto attrs = Check(sqs.GetQueueAttributes({.queue_url = url, .attribute_names = {"QueueArn"}}),
                     "GetQueueAttributes");
  return {url, attrs.attributes["QueueArn"]};
}

void Drain(wharf::sqs::Service& sqs, const std::string& name, const std::string& url,
           bool enveloped) {
  std::printf("%s:\n", name.c_str());
  for (;;) {
    auto got = Check(sqs.ReceiveMessage({.queue_url = url, .max_number_of_messages = 10}),
                     "ReceiveMessage");
    if (got.messages.empty()) return;
    for (const auto& m : got.messages) {
      std::string text = m.body;
      if (enveloped) {
        rapidjson::Document envelope;
        envelope.Parse(m.body.c_str());
        text = envelope["Message"].GetString();
      }
      std::printf("  %s\n", text.c_str());
      absl::Status deleted =
          sqs.DeleteMessage({.queue_url = url, .receipt_handle = m.receipt_handle});
      if (!deleted.ok()) {
        std::fprintf(stderr, "DeleteMessage failed: %s\n", deleted.ToString().c_str());
        std::exit(1);
      }
    }
  }
}

}  // namespace

int main() {
  auto broker = Check(wharf::Broker::Open({}), "Broker::Open");
  wharf::sqs::Service& sqs = broker->sqs();
  wharf::sns::Service& sns = broker->sns();

  auto [inventory_url, inventory_arn] = MakeQueue(sqs, "inventory");
  auto [shipping_url, shipping_arn] = MakeQueue(sqs, "shipping");
  auto [analytics_url, analytics_arn] = MakeQueue(sqs, "analytics");

  std::string topic = Check(sns.CreateTopic({.name = "order-events"}), "CreateTopic").topic_arn;
  Check(sns.Subscribe({.topic_arn = topic,
                       .protocol = "sqs",
                       .endpoint = inventory_arn,
                       .attributes = {{"FilterPolicy",
                                       R"({"event_type":["order_placed","order_cancelled"]})"}}}),
        "Subscribe inventory");
  Check(sns.Subscribe({.topic_arn = topic,
                       .protocol = "sqs",
                       .endpoint = shipping_arn,
                       .attributes = {{"FilterPolicy", R"({"event_type":["order_paid"],)"
                                                       R"("country":["US","CA"],)"
                                                       R"("total":[{"numeric":[">",0]}]})"}}}),
        "Subscribe shipping");
  Check(sns.Subscribe({.topic_arn = topic,
                       .protocol = "sqs",
                       .endpoint = analytics_arn,
                       .attributes = {{"RawMessageDelivery", "true"}}}),
        "Subscribe analytics");

  struct Event {
    const char* order;
    const char* type;
    const char* country;
    const char* total;
  };
  for (const Event& e : std::vector<Event>{{"o-1", "order_placed", "US", "42.50"},
                                           {"o-1", "order_paid", "US", "42.50"},
                                           {"o-2", "order_placed", "FR", "18.00"},
                                           {"o-2", "order_paid", "FR", "18.00"},
                                           {"o-3", "order_cancelled", "CA", "7.25"}}) {
    std::string body = std::string(R"({"order":")") + e.order + R"(","event":")" + e.type + "\"}";
    Check(
        sns.Publish(
            {.topic_arn = topic,
             .message = body,
             .message_attributes = {{"event_type", {.data_type = "String", .string_value = e.type}},
                                    {"country", {.data_type = "String", .string_value = e.country}},
                                    {"total", {.data_type = "Number", .string_value = e.total}}}}),
        "Publish");
  }

  Drain(sqs, "inventory", inventory_url, /*enveloped=*/true);
  Drain(sqs, "shipping", shipping_url, /*enveloped=*/true);
  Drain(sqs, "analytics", analytics_url, /*enveloped=*/false);
  return 0;
}
