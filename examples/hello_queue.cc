#include <cstdio>
#include <string>

#include "wharf/broker.h"

// Every call returns an absl::Status or absl::StatusOr that carries the AWS
// error (wharf::GetErrorCode in wharf/errors.h).
int Fail(const char* call, const absl::Status& status) {
  std::fprintf(stderr, "%s: %s\n", call, status.ToString().c_str());
  return 1;
}

int main() {
  auto broker = wharf::Broker::Open({});
  if (!broker.ok()) return Fail("Open", broker.status());
  wharf::sqs::Service& sqs = (*broker)->sqs();

  auto queue = sqs.CreateQueue({.queue_name = "jobs"});
  if (!queue.ok()) return Fail("CreateQueue", queue.status());
  const std::string url = queue->queue_url;

  auto sent = sqs.SendMessage({.queue_url = url, .message_body = "hello"});
  if (!sent.ok()) return Fail("SendMessage", sent.status());

  auto received = sqs.ReceiveMessage({.queue_url = url, .wait_time_seconds = 20});
  if (!received.ok()) return Fail("ReceiveMessage", received.status());
  for (const wharf::sqs::Message& m : received->messages) {
    std::printf("%s\n", m.body.c_str());
    absl::Status deleted =
        sqs.DeleteMessage({.queue_url = url, .receipt_handle = m.receipt_handle});
    if (!deleted.ok()) return Fail("DeleteMessage", deleted);
  }
  return 0;
}
