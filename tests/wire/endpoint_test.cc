// wharf::Endpoint over real HTTP on the loopback interface, with a mock
// service behind it: both protocols on one URL, keep-alive, queue URLs that
// point back at the endpoint, size limits and signature checks.

#include "wharf/endpoint.h"

#include <httplib.h>

#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>

#include "broker/base/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/wire/mock_sqs_service.h"

namespace wharf::testing {
namespace {

using ::testing::_;
using ::testing::AllOf;
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Return;
using ::testing::StartsWith;

constexpr char kForm[] = "application/x-www-form-urlencoded";
constexpr char kJson[] = "application/x-amz-json-1.0";

httplib::Headers JsonTarget(const std::string& operation) {
  return {{"X-Amz-Target", "AmazonSQS." + operation}};
}

TEST(EndpointTest, BindsToLoopbackOnAFreePort) {
  FakeBroker broker;
  Endpoint endpoint(broker, {.port = 0});
  ASSERT_TRUE(endpoint.ok()) << endpoint.status();
  EXPECT_GT(endpoint.port(), 0);
  EXPECT_EQ(endpoint.url(), "http://127.0.0.1:" + std::to_string(endpoint.port()));
}

TEST(EndpointTest, ReportsAPortThatCannotBeBound) {
  FakeBroker broker;
  Endpoint first(broker, {.port = 0});
  ASSERT_TRUE(first.ok());
  Endpoint second(broker, {.port = first.port()});
  EXPECT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable);
}

TEST(EndpointTest, ServesQueryAndJsonOnTheSameUrlWithUrlsPointingBack) {
  FakeBroker broker;
  Endpoint endpoint(broker, {.port = 0});
  ASSERT_TRUE(endpoint.ok());
  EXPECT_CALL(broker.mock(), GetQueueUrl(Field(&sqs::GetQueueUrlRequest::queue_name, "jobs")))
      .Times(2)
      .WillRepeatedly(
          Return(sqs::GetQueueUrlResult{"https://sqs.us-east-1.amazonaws.com/000000000000/jobs"}));
  httplib::Client client(endpoint.url());

  auto query = client.Post("/", "Action=GetQueueUrl&QueueName=jobs", kForm);
  ASSERT_TRUE(query);
  EXPECT_EQ(query->status, 200);
  EXPECT_THAT(query->body, HasSubstr("<QueueUrl>" + endpoint.url() + "/000000000000/jobs<"));

  auto json = client.Post("/", JsonTarget("GetQueueUrl"), R"({"QueueName":"jobs"})", kJson);
  ASSERT_TRUE(json);
  EXPECT_EQ(json->status, 200);
  EXPECT_EQ(json->body, R"({"QueueUrl":")" + endpoint.url() + R"(/000000000000/jobs"})");
  EXPECT_EQ(json->get_header_value("Content-Type"), kJson);
}

TEST(EndpointTest, UsesTheBrokersUrlBaseToResolveIncomingUrls) {
  BrokerOptions options;
  options.sqs_url_base = "http://wharf.local:1";
  FakeBroker broker(options);
  Endpoint endpoint(broker, {.port = 0});
  ASSERT_TRUE(endpoint.ok());
  EXPECT_CALL(broker.mock(), PurgeQueue(Field(&sqs::PurgeQueueRequest::queue_url,
                                              "http://wharf.local:1/000000000000/jobs")))
      .WillOnce(Return(absl::OkStatus()));
  httplib::Client client(endpoint.url());
  auto response = client.Post(
      "/", "Action=PurgeQueue&QueueUrl=" + endpoint.url() + "/000000000000/jobs", kForm);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
}

TEST(EndpointTest, KeepsOneConnectionAliveAcrossManyRequests) {
  FakeBroker broker;
  Endpoint endpoint(broker, {.port = 0});
  ASSERT_TRUE(endpoint.ok());
  EXPECT_CALL(broker.mock(), ListQueues(_))
      .Times(100)
      .WillRepeatedly(Return(sqs::ListQueuesResult{}));
  httplib::Client client(endpoint.url());
  client.set_keep_alive(true);
  client.set_tcp_nodelay(true);
  for (int i = 0; i < 100; ++i) {
    auto response = client.Post("/", JsonTarget("ListQueues"), "{}", kJson);
    ASSERT_TRUE(response) << "request " << i;
    ASSERT_EQ(response->status, 200);
  }
}

TEST(EndpointTest, AcceptsFormBodiesLargerThanEightKilobytes) {
  FakeBroker broker;
  Endpoint endpoint(broker, {.port = 0});
  ASSERT_TRUE(endpoint.ok());
  std::string body(100'000, 'x');
  EXPECT_CALL(broker.mock(), SendMessage(Field(&sqs::SendMessageRequest::message_body, body)))
      .WillOnce(Return(sqs::SendMessageResult{.message_id = "m", .md5_of_message_body = "x"}));
  httplib::Client client(endpoint.url());
  auto response =
      client.Post("/", "Action=SendMessage&QueueUrl=http://h/0/q&MessageBody=" + body, kForm);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200) << response->body;
}

TEST(EndpointTest, RefusesAnOversizedBodyWithAnAwsError) {
  FakeBroker broker;
  Endpoint endpoint(broker, {.port = 0, .max_request_bytes = 1024});
  ASSERT_TRUE(endpoint.ok());
  httplib::Client client(endpoint.url());
  auto response = client.Post("/", JsonTarget("SendMessage"), std::string(2048, ' '), kJson);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 413);
  EXPECT_THAT(response->body, HasSubstr("RequestEntityTooLarge"));
  // The connection is still usable afterwards.
  EXPECT_CALL(broker.mock(), ListQueues(_)).WillOnce(Return(sqs::ListQueuesResult{}));
  auto next = client.Post("/", JsonTarget("ListQueues"), "{}", kJson);
  ASSERT_TRUE(next);
  EXPECT_EQ(next->status, 200);
}

TEST(EndpointTest, AnswersANonAwsRequestWithAnError) {
  FakeBroker broker;
  Endpoint endpoint(broker, {.port = 0});
  ASSERT_TRUE(endpoint.ok());
  httplib::Client client(endpoint.url());
  auto get = client.Get("/index.html");
  ASSERT_TRUE(get);
  EXPECT_EQ(get->status, 400);
  EXPECT_THAT(get->body, HasSubstr("<Code>MissingParameter</Code>"));
  httplib::MultipartFormDataItems items = {{"Action", "ListQueues", "", ""}};
  auto multipart = client.Post("/", items);
  ASSERT_TRUE(multipart);
  EXPECT_EQ(multipart->status, 400);
}

TEST(EndpointTest, RejectsUnsignedRequestsWhenVerifyingSignatures) {
  FakeBroker broker;
  Endpoint endpoint(
      broker, {.port = 0, .verify_signatures = true, .credentials = {{"AKIDEXAMPLE", "secret"}}});
  ASSERT_TRUE(endpoint.ok());
  httplib::Client client(endpoint.url());
  auto response = client.Post("/", JsonTarget("ListQueues"), "{}", kJson);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 403);
  EXPECT_THAT(response->body, HasSubstr("MissingAuthenticationToken"));
  EXPECT_EQ(response->get_header_value("x-amzn-query-error"), "MissingAuthenticationToken;Sender");
}

TEST(EndpointTest, StopIsIdempotentAndRefusesNewConnections) {
  FakeBroker broker;
  Endpoint endpoint(broker, {.port = 0});
  ASSERT_TRUE(endpoint.ok());
  endpoint.Stop();
  endpoint.Stop();
  httplib::Client client(endpoint.url());
  client.set_connection_timeout(1);
  EXPECT_FALSE(client.Post("/", "Action=ListQueues", kForm));
}

// The broker's clock never moves here, so the poll can only end through Stop.
TEST(EndpointTest, StopEndsALongPollInProgress) {
  // The service stands in for a long poll that only a stop ends (a real one
  // parks without a thread, so nothing would tell this test it is waiting;
  // the engines' stop is tested in sqs_async_receive_test).
  FakeBroker broker;
  Notification polling;
  EXPECT_CALL(broker.mock(), ReceiveMessage(Field(&sqs::ReceiveMessageRequest::wait_time_seconds,
                                                  std::optional<int>(20))))
      .WillOnce([&](const sqs::ReceiveMessageRequest& request) {
        Notification stopped;
        std::stop_callback on_stop(request.stop_token, [&] { stopped.Notify(); });
        polling.Notify();
        stopped.WaitForNotification();
        return sqs::ReceiveMessageResult{};
      });
  Endpoint endpoint(broker, {.port = 0});
  ASSERT_TRUE(endpoint.ok());
  int status = 0;
  std::string body;
  std::thread poller([&] {
    httplib::Client client(endpoint.url());
    auto response =
        client.Post("/",
                    "Action=ReceiveMessage&WaitTimeSeconds=20&QueueUrl=" + endpoint.url() +
                        "/000000000000/jobs",
                    kForm);
    if (!response) return;
    status = response->status;
    body = response->body;
  });
  polling.WaitForNotification();
  endpoint.Stop();
  poller.join();
  EXPECT_EQ(status, 200);
  EXPECT_THAT(body, HasSubstr("<ReceiveMessageResult"));
  EXPECT_THAT(body, Not(HasSubstr("<Message>")));
}

}  // namespace
}  // namespace wharf::testing
