// order_consumer: an SQS-triggered function with partial batch responses and
// a dead-letter queue, the way the AWS labs build it.
//
// An "orders" queue (visibility timeout 60 s) sends a message to "orders-dlq"
// after 3 receives. An event source mapping hands the queue to the function
// "process-orders" in batches of 10 with ReportBatchItemFailures: the function
// reports the orders it cannot process (a non-positive amount), so only those
// come back, 60 s later, with a higher receive count, until the third failure
// moves them to the dead-letter queue. Every other order is processed once.
//
// Runs on a ManualClock: the three minutes of visibility timeouts pass in
// three Advance calls, and the program finishes at once. Exits 0 when the
// outcome is the expected one.

#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "rapidjson/document.h"
#include "wharf/broker.h"
#include "wharf/lambda.h"
#include "wharf/sqs.h"

namespace {

constexpr int kOrders = 25;
constexpr int kMaxReceives = 3;

template <typename T>
T Check(absl::StatusOr<T> result, const char* what) {
  if (!result.ok()) {
    std::fprintf(stderr, "%s failed: %s\n", what, result.status().ToString().c_str());
    std::exit(1);
  }
  return *std::move(result);
}

void Check(const absl::Status& status, const char* what) {
  if (!status.ok()) {
    std::fprintf(stderr, "%s failed: %s\n", what, status.ToString().c_str());
    std::exit(1);
  }
}

bool IsBad(int order) { return order % 10 == 3; }  // Orders 3, 13 and 23.

}  // namespace

int main() {
  auto clock = std::make_shared<wharf::ManualClock>();
  auto broker = Check(wharf::Broker::Open({.clock = clock}), "Broker::Open");
  wharf::sqs::Service& sqs = broker->sqs();
  wharf::lambda::Service& lambda = broker->lambda();
  const std::string prefix = "arn:aws:sqs:us-east-1:000000000000:";

  const std::string dlq =
      Check(sqs.CreateQueue({.queue_name = "orders-dlq"}), "CreateQueue").queue_url;
  const std::string queue =
      Check(sqs.CreateQueue(
                {.queue_name = "orders",
                 .attributes = {{"VisibilityTimeout", "60"},
                                {"RedrivePolicy", R"({"deadLetterTargetArn":")" + prefix +
                                                      R"(orders-dlq","maxReceiveCount":"3"})"}}}),
            "CreateQueue")
          .queue_url;

  std::map<int, int> processed;  // Order -> times processed. Handlers run on this thread.
  int invocations = 0;
  Check(lambda.CreateFunction(
            {.function_name = "process-orders",
             .handler = [&](const wharf::lambda::Invocation& in) -> absl::StatusOr<std::string> {
               ++invocations;
               std::vector<std::string> failed;
               for (const wharf::lambda::SqsRecord& r : in.sqs()->records) {
                 rapidjson::Document order;
                 order.Parse(r.body.c_str());
                 if (order.HasParseError() || !order.IsObject() || order["amount"].GetInt() <= 0) {
                   std::printf("  order %d rejected (receive %s)\n", order["orderId"].GetInt(),
                               r.attributes.approximate_receive_count.c_str());
                   failed.push_back(r.message_id);
                   continue;
                 }
                 ++processed[order["orderId"].GetInt()];
               }
               return wharf::lambda::BatchItemFailuresResponse(failed);
             },
             .timeout = 30}),
        "CreateFunction");
  Check(lambda.CreateEventSourceMapping({.event_source_arn = prefix + "orders",
                                         .function_name = "process-orders",
                                         .batch_size = 10,
                                         .function_response_types = {"ReportBatchItemFailures"}}),
        "CreateEventSourceMapping");

  for (int i = 0; i < kOrders; ++i) {
    const int amount = IsBad(i) ? -1 : 10 * (i + 1);
    Check(sqs.SendMessage({.queue_url = queue,
                           .message_body = "{\"orderId\":" + std::to_string(i) +
                                           ",\"amount\":" + std::to_string(amount) + "}"}),
          "SendMessage");
  }
  std::printf("sent %d orders; the mapping polls:\n", kOrders);
  Check(lambda.RunUntilIdle(), "RunUntilIdle");
  for (int round = 1; round <= kMaxReceives; ++round) {
    std::printf("after %d s:\n", 60 * round);
    clock->Advance(absl::Seconds(60));  // Failed orders become visible again.
  }

  std::vector<int> dead;
  for (;;) {
    auto got = Check(sqs.ReceiveMessage({.queue_url = dlq, .max_number_of_messages = 10}),
                     "ReceiveMessage");
    if (got.messages.empty()) break;
    for (const auto& m : got.messages) {
      rapidjson::Document order;
      order.Parse(m.body.c_str());
      dead.push_back(order["orderId"].GetInt());
      Check(sqs.DeleteMessage({.queue_url = dlq, .receipt_handle = m.receipt_handle}),
            "DeleteMessage");
    }
  }
  auto left =
      Check(sqs.GetQueueAttributes({.queue_url = queue,
                                    .attribute_names = {"ApproximateNumberOfMessages",
                                                        "ApproximateNumberOfMessagesNotVisible"}}),
            "GetQueueAttributes");

  bool ok = static_cast<int>(dead.size()) == 3 &&
            left.attributes["ApproximateNumberOfMessages"] == "0" &&
            left.attributes["ApproximateNumberOfMessagesNotVisible"] == "0";
  for (int i = 0; i < kOrders; ++i) {
    if (IsBad(i)) {
      ok = ok && processed.count(i) == 0;
    } else {
      ok = ok && processed[i] == 1;
    }
  }
  for (int order : dead) ok = ok && IsBad(order);
  std::printf("%d invocations; %zu orders processed once; dead-letter queue:", invocations,
              processed.size());
  for (int order : dead) std::printf(" %d", order);
  std::printf("\n%s\n",
              ok ? "OK: good orders processed once, bad ones dead-lettered" : "UNEXPECTED OUTCOME");
  return ok ? 0 : 1;
}
