// Long polls through wharf::Endpoint hold no thread: 200 ReceiveMessage
// requests with WaitTimeSeconds=20 wait on a broker whose ManualClock never
// moves, while the endpoint's two I/O threads answer other requests and the
// process gains no thread; sends complete some of the polls (each message
// once), and Stop answers the rest at once.

#include <dirent.h>
#include <poll.h>

#include <chrono>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/http/raw_http_client.h"
#include "tests/testing/status_matchers.h"
#include "wharf/broker.h"
#include "wharf/clock.h"
#include "wharf/endpoint.h"

namespace wharf::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// Threads of this process now.
int ThreadCount() {
  DIR* tasks = opendir("/proc/self/task");
  if (tasks == nullptr) return -1;
  int n = 0;
  while (const dirent* entry = readdir(tasks)) n += entry->d_name[0] != '.';
  closedir(tasks);
  return n;
}

// An SQS JSON 1.0 request to the endpoint at `host`.
std::string SqsJson(const std::string& host, const std::string& operation,
                    const std::string& body) {
  return absl::StrCat("POST / HTTP/1.1\r\nHost: ", host,
                      "\r\nContent-Type: application/x-amz-json-1.0\r\nX-Amz-Target: AmazonSQS.",
                      operation, "\r\nContent-Length: ", body.size(), "\r\n\r\n", body);
}

// The message bodies of a JSON ReceiveMessage answer.
std::vector<std::string> Bodies(const std::string& json) {
  std::vector<std::string> bodies;
  constexpr std::string_view kKey = R"("Body":")";
  for (size_t at = json.find(kKey); at != std::string::npos; at = json.find(kKey, at)) {
    at += kKey.size();
    bodies.push_back(json.substr(at, json.find('"', at) - at));
  }
  return bodies;
}

TEST(LongPollTest, ParkedPollsHoldNoThreadAndStopAnswersThemAtOnce) {
  constexpr int kPolls = 200;
  constexpr int kSends = 100;
  auto clock = std::make_shared<ManualClock>();
  std::unique_ptr<Broker> broker = Broker::Open({.clock = clock}).value();
  ASSERT_OK_AND_ASSIGN(sqs::CreateQueueResult polled,
                       broker->sqs().CreateQueue({.queue_name = "polled"}));
  ASSERT_OK(broker->sqs().CreateQueue({.queue_name = "other"}));
  Endpoint endpoint(*broker, {.port = 0, .io_threads = 2});
  ASSERT_TRUE(endpoint.ok()) << endpoint.status();
  const std::string host = endpoint.url().substr(std::string("http://").size());
  const std::string polled_url = endpoint.url() + "/000000000000/polled";
  const std::string other_url = endpoint.url() + "/000000000000/other";

  RawClient other(endpoint.port());
  auto call = [&](const std::string& operation, const std::string& body) {
    EXPECT_TRUE(other.Send(SqsJson(host, operation, body)));
    std::optional<RawResponse> response = other.ReadResponse();
    return response ? response->status : 0;
  };
  // Whatever a first send and receive start is running before the count.
  ASSERT_EQ(call("SendMessage",
                 absl::StrCat(R"({"QueueUrl":")", other_url, R"(","MessageBody":"first"})")),
            200);
  ASSERT_EQ(call("ReceiveMessage", absl::StrCat(R"({"QueueUrl":")", other_url, R"("})")), 200);
  const int threads_before = ThreadCount();

  const std::string receive =
      SqsJson(host, "ReceiveMessage",
              absl::StrCat(R"({"QueueUrl":")", polled_url, R"(","WaitTimeSeconds":20})"));
  std::vector<std::unique_ptr<RawClient>> polls;
  for (int i = 0; i < kPolls; ++i) {
    polls.push_back(std::make_unique<RawClient>(endpoint.port()));
    ASSERT_TRUE(polls.back()->connected());
    ASSERT_TRUE(polls.back()->Send(receive));
  }

  // While they wait, other requests are answered, by the same two threads.
  for (int i = 0; i < 50; ++i) {
    ASSERT_EQ(call("SendMessage", absl::StrCat(R"({"QueueUrl":")", other_url,
                                               R"(","MessageBody":"x)", i, R"("})")),
              200);
    ASSERT_EQ(call("ReceiveMessage", absl::StrCat(R"({"QueueUrl":")", other_url, R"("})")), 200);
  }
  EXPECT_EQ(ThreadCount(), threads_before);
  std::vector<pollfd> waiting;
  for (const auto& poll : polls) waiting.push_back({.fd = poll->fd(), .events = POLLIN});
  EXPECT_EQ(::poll(waiting.data(), waiting.size(), 0), 0) << "a poll ended with no message";

  // Sends complete as many polls, each with one message.
  std::set<std::string> sent;
  for (int i = 0; i < kSends; ++i) {
    sent.insert(absl::StrCat("m", i));
    ASSERT_OK(broker->sqs().SendMessage(
        {.queue_url = polled.queue_url, .message_body = absl::StrCat("m", i)}));
  }
  std::multiset<std::string> received;
  std::vector<bool> answered(kPolls, false);
  int answers = 0;
  while (answers < kSends) {
    ASSERT_GT(::poll(waiting.data(), waiting.size(), 60'000), 0) << answers << " answers";
    for (int i = 0; i < kPolls; ++i) {
      if (waiting[i].revents == 0 || answered[i]) continue;
      std::optional<RawResponse> response = polls[i]->ReadResponse();
      ASSERT_TRUE(response.has_value());
      ASSERT_EQ(response->status, 200) << response->body;
      const std::vector<std::string> bodies = Bodies(response->body);
      ASSERT_EQ(bodies.size(), 1u) << response->body;
      received.insert(bodies[0]);
      answered[i] = true;
      waiting[i].fd = -1;  // poll() ignores it from now on.
      ++answers;
    }
  }
  EXPECT_EQ(received, std::multiset<std::string>(sent.begin(), sent.end()));

  // Stop ends the remaining polls at once, each answered with no message.
  const auto start = std::chrono::steady_clock::now();
  endpoint.Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
  for (int i = 0; i < kPolls; ++i) {
    if (answered[i]) continue;
    std::optional<RawResponse> response = polls[i]->ReadResponse();
    ASSERT_TRUE(response.has_value()) << "poll " << i << " was not answered";
    EXPECT_EQ(response->status, 200);
    EXPECT_THAT(response->body, HasSubstr("{")) << response->body;
    EXPECT_THAT(response->body, Not(HasSubstr("Body"))) << response->body;
  }
}

}  // namespace
}  // namespace wharf::testing
