// work_queue: a producer/consumer work queue with a dead-letter queue.
//
// A producer thread sends ten jobs; two of them are "poison" and make the
// consumer fail. Each failure hands the job back (visibility 0) so it is
// retried at once; after maxReceiveCount = 3 failed receives SQS moves it to
// the dead-letter queue instead of delivering it again. Then the consumer is
// "fixed" and a message move task redrives the dead letters back to the work
// queue, where they are processed.
//
// Runs in real time (SystemClock) and finishes in about a second.

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include "wharf/broker.h"
#include "wharf/sqs.h"

namespace {

// Unwraps a StatusOr or exits with the error: fine for a demo.
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

int Count(wharf::sqs::Service& sqs, const std::string& url) {
  auto attributes =
      Check(sqs.GetQueueAttributes(
                {.queue_url = url, .attribute_names = {"ApproximateNumberOfMessages"}}),
            "GetQueueAttributes");
  return std::stoi(attributes.attributes["ApproximateNumberOfMessages"]);
}

// Receives and handles jobs until `processed` reaches `target` and the DLQ
// holds `dead_letters` messages. Poison jobs fail unless `fixed`.
void Consume(wharf::sqs::Service& sqs, const std::string& url, const std::string& dlq_url,
             bool fixed, int target, int dead_letters, int& processed) {
  while (processed < target || Count(sqs, dlq_url) < dead_letters) {
    auto got =
        Check(sqs.ReceiveMessage({.queue_url = url,
                                  .max_number_of_messages = 10,
                                  .wait_time_seconds = 1,
                                  .message_system_attribute_names = {"ApproximateReceiveCount"}}),
              "ReceiveMessage");
    for (const wharf::sqs::Message& m : got.messages) {
      const std::string& attempt = m.attributes.at("ApproximateReceiveCount");
      if (m.body.find("poison") != std::string::npos && !fixed) {
        std::printf("  consumer: %-16s FAILED (attempt %s), handing it back\n", m.body.c_str(),
                    attempt.c_str());
        Check(sqs.ChangeMessageVisibility(
                  {.queue_url = url, .receipt_handle = m.receipt_handle, .visibility_timeout = 0}),
              "ChangeMessageVisibility");
        continue;
      }
      std::printf("  consumer: %-16s done (attempt %s)\n", m.body.c_str(), attempt.c_str());
      Check(sqs.DeleteMessage({.queue_url = url, .receipt_handle = m.receipt_handle}),
            "DeleteMessage");
      ++processed;
    }
  }
}

}  // namespace

int main() {
  auto broker = Check(wharf::Broker::Open({}), "Broker::Open");
  wharf::sqs::Service& sqs = broker->sqs();

  const std::string dlq_url =
      Check(sqs.CreateQueue({.queue_name = "jobs-dlq"}), "CreateQueue").queue_url;
  const std::string dlq_arn =
      Check(sqs.GetQueueAttributes({.queue_url = dlq_url, .attribute_names = {"QueueArn"}}),
            "GetQueueAttributes")
          .attributes["QueueArn"];
  const std::string url =
      Check(sqs.CreateQueue(
                {.queue_name = "jobs",
                 .attributes = {{"VisibilityTimeout", "5"},
                                {"RedrivePolicy", R"({"deadLetterTargetArn":")" + dlq_arn +
                                                      R"(","maxReceiveCount":3})"}}}),
            "CreateQueue")
          .queue_url;
  std::printf("work queue  %s\ndead letter %s (maxReceiveCount 3)\n\n", url.c_str(),
              dlq_url.c_str());

  std::printf("phase 1: ten jobs, two of them poison\n");
  std::thread producer([&] {
    for (int i = 1; i <= 10; ++i) {
      std::string body =
          (i == 3 || i == 7) ? "job-" + std::to_string(i) + "-poison" : "job-" + std::to_string(i);
      Check(sqs.SendMessage({.queue_url = url, .message_body = body}), "SendMessage");
    }
    std::printf("  producer: sent 10 jobs\n");
  });
  int processed = 0;
  Consume(sqs, url, dlq_url, /*fixed=*/false, /*target=*/8, /*dead_letters=*/2, processed);
  producer.join();
  std::printf("  -> %d jobs done, %d in the dead-letter queue\n\n", processed, Count(sqs, dlq_url));

  std::printf("phase 2: consumer fixed; redrive the dead letters\n");
  Check(sqs.StartMessageMoveTask({.source_arn = dlq_arn}), "StartMessageMoveTask");
  auto tasks = Check(sqs.ListMessageMoveTasks({.source_arn = dlq_arn}), "ListMessageMoveTasks");
  std::printf("  move task %s: moved %lld of %lld\n", tasks.results[0].status.c_str(),
              static_cast<long long>(tasks.results[0].approximate_number_of_messages_moved),
              static_cast<long long>(tasks.results[0].approximate_number_of_messages_to_move));
  Consume(sqs, url, dlq_url, /*fixed=*/true, /*target=*/10, /*dead_letters=*/0, processed);
  std::printf("  -> %d jobs done, %d in the dead-letter queue\n", processed, Count(sqs, dlq_url));
  return 0;
}
