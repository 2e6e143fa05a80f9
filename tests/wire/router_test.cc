// The asynchronous Router: a long poll (SQS ReceiveMessage) is answered when
// its receive completes, from the completing thread, exactly once; its stop
// token fires on the request's cancel or the endpoint's shutdown. Every
// exchange is answered, and JSON replies are valid UTF-8 whatever the
// request held.

#include "broker/wire/router.h"

#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "broker/base/mutex.h"
#include "broker/base/text.h"
#include "broker/wire/apis.h"
#include "broker/wire/operation_table.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/wire/wire_test_util.h"

namespace wharf::testing {
namespace {

using ::testing::_;
using ::testing::HasSubstr;
using ::testing::Return;

// Parks every ReceiveMessageAsync until the test completes it.
class ParkingSqsService : public MockSqsService {
 public:
  struct Parked {
    sqs::ReceiveMessageRequest request;
    sqs::ReceiveMessageCallback done;
  };
  void ReceiveMessageAsync(sqs::ReceiveMessageRequest request,
                           sqs::ReceiveMessageCallback done) override {
    MutexLock lock(&mu_);
    parked_.push_back({std::move(request), std::move(done)});
  }
  Parked Take() {
    MutexLock lock(&mu_);
    EXPECT_EQ(parked_.size(), 1u);
    Parked parked = std::move(parked_.front());
    parked_.clear();
    return parked;
  }

 private:
  Mutex mu_;
  std::vector<Parked> parked_ ABSL_GUARDED_BY(mu_);
};

// The answers given to one request, and the thread that gave the first.
struct Answers {
  Mutex mu;
  std::vector<wire::HttpResponse> responses ABSL_GUARDED_BY(mu);
  std::thread::id thread ABSL_GUARDED_BY(mu);
  Notification answered;

  wire::Respond Respond() {
    return [this](wire::HttpResponse response) {
      MutexLock lock(&mu);
      if (responses.empty()) thread = std::this_thread::get_id();
      responses.push_back(std::move(response));
      answered.Notify();
    };
  }
  size_t count() {
    MutexLock lock(&mu);
    return responses.size();
  }
};

class LongPollTest : public ::testing::Test {
 protected:
  LongPollTest() : urls_(kBrokerBase, kEndpointBase), router_(wire::RouterOptions{}) {
    std::shared_ptr<const wire::Api> sqs = wire::MakeSqsApi(service_, urls_, shutdown_.get_token());
    router_.AddQuery(sqs);
    router_.AddJson(sqs);
  }

  // Starts a JSON 1.0 long poll whose cancel token is `cancel`'s.
  void StartPoll(Answers& answers, const std::stop_source& cancel) {
    wire::HttpRequest request =
        JsonRequest("ReceiveMessage", R"({"QueueUrl":"http://127.0.0.1:4566/000000000000/jobs",)"
                                      R"("WaitTimeSeconds":20})");
    request.cancel = cancel.get_token();
    router_.Handle(std::move(request), answers.Respond());
  }

  ParkingSqsService service_;
  wire::QueueUrlMapper urls_;
  std::stop_source shutdown_;
  wire::Router router_;
};

TEST_F(LongPollTest, IsAnsweredLaterFromTheThreadThatCompletesIt) {
  Answers answers;
  std::stop_source cancel;
  StartPoll(answers, cancel);
  EXPECT_EQ(answers.count(), 0u);  // Parked: Handle returned without an answer.
  ParkingSqsService::Parked parked = service_.Take();
  EXPECT_EQ(parked.request.queue_url, kBrokerQueueUrl);
  EXPECT_EQ(parked.request.wait_time_seconds, 20);
  EXPECT_FALSE(parked.request.stop_token.stop_requested());

  sqs::Message message;
  message.message_id = "m-1";
  message.body = "late";
  std::thread completer(
      [&] { std::move(parked.done)(sqs::ReceiveMessageResult{.messages = {message}}); });
  const std::thread::id completer_id = completer.get_id();
  completer.join();
  answers.answered.WaitForNotification();
  MutexLock lock(&answers.mu);
  ASSERT_EQ(answers.responses.size(), 1u);
  EXPECT_EQ(answers.thread, completer_id);
  EXPECT_EQ(answers.responses[0].status, 200);
  EXPECT_STREQ(ParseJson(answers.responses[0].body)["Messages"][0]["Body"].GetString(), "late");
}

TEST_F(LongPollTest, TheRequestsCancelStopsTheReceive) {
  Answers answers;
  std::stop_source cancel;
  StartPoll(answers, cancel);
  ParkingSqsService::Parked parked = service_.Take();
  cancel.request_stop();
  EXPECT_TRUE(parked.request.stop_token.stop_requested());
  EXPECT_FALSE(shutdown_.stop_requested());
  std::move(parked.done)(sqs::ReceiveMessageResult{});
  ASSERT_EQ(answers.count(), 1u);
  MutexLock lock(&answers.mu);
  EXPECT_EQ(answers.responses[0].body, "{}");
}

TEST_F(LongPollTest, TheEndpointsShutdownStopsEveryReceive) {
  Answers first;
  Answers second;
  std::stop_source cancel;
  StartPoll(first, cancel);
  ParkingSqsService::Parked a = service_.Take();
  StartPoll(second, cancel);
  ParkingSqsService::Parked b = service_.Take();
  shutdown_.request_stop();
  EXPECT_TRUE(a.request.stop_token.stop_requested());
  EXPECT_TRUE(b.request.stop_token.stop_requested());
  EXPECT_FALSE(cancel.stop_requested());
  std::move(a.done)(sqs::ReceiveMessageResult{});
  std::move(b.done)(MakeError(ErrorCode::kQueueDoesNotExist, "gone"));
  EXPECT_EQ(first.count(), 1u);
  ASSERT_EQ(second.count(), 1u);
  MutexLock lock(&second.mu);
  EXPECT_EQ(second.responses[0].status, 400);
}

TEST_F(LongPollTest, ACancelAfterTheAnswerIsHarmless) {
  Answers answers;
  std::stop_source cancel;
  StartPoll(answers, cancel);
  ParkingSqsService::Parked parked = service_.Take();
  std::stop_token token = parked.request.stop_token;
  std::move(parked.done)(sqs::ReceiveMessageResult{});
  cancel.request_stop();
  shutdown_.request_stop();
  EXPECT_FALSE(token.stop_requested());  // The poll unregistered when answered.
  EXPECT_EQ(answers.count(), 1u);
}

TEST_F(LongPollTest, AnAlreadyCancelledRequestStartsStopped) {
  Answers answers;
  std::stop_source cancel;
  cancel.request_stop();
  StartPoll(answers, cancel);
  ParkingSqsService::Parked parked = service_.Take();
  EXPECT_TRUE(parked.request.stop_token.stop_requested());
  std::move(parked.done)(sqs::ReceiveMessageResult{});
  EXPECT_EQ(answers.count(), 1u);
}

TEST_F(LongPollTest, QueryProtocolLongPollRendersXmlOnCompletion) {
  Answers answers;
  router_.Handle(QueryRequest({{"Action", "ReceiveMessage"}, {"QueueUrl", kClientQueueUrl}}),
                 answers.Respond());
  ParkingSqsService::Parked parked = service_.Take();
  sqs::Message message;
  message.body = "x";
  std::move(parked.done)(sqs::ReceiveMessageResult{.messages = {message}});
  ASSERT_EQ(answers.count(), 1u);
  MutexLock lock(&answers.mu);
  EXPECT_THAT(answers.responses[0].body,
              HasSubstr("<ReceiveMessageResult><Message><MessageId></MessageId>"));
}

TEST_F(LongPollTest, AnInvalidRequestIsAnsweredWithoutReceiving) {
  Answers answers;
  router_.Handle(JsonRequest("ReceiveMessage", R"({"QueueUrl":"http://127.0.0.1:4566/000000000000/)"
                                               R"(jobs","WaitTimeSeconds":"x"})"),
                 answers.Respond());
  ASSERT_EQ(answers.count(), 1u);
  MutexLock lock(&answers.mu);
  EXPECT_EQ(answers.responses[0].status, 400);
}

// ---- Every exchange is answered ----------------------------------------------

TEST(RouterTest, AnOperationThatDropsItsExchangeStillAnswersInternalFailure) {
  struct Dummy {};
  using Table = wire::OperationTable<wire::ServiceTarget<Dummy>>;
  static constexpr wire::ServiceModel kModel = {
      .signing_name = "dummy",
      .xml_namespace = "",
      .xml_flattened = false,
      .json_target_prefix = "Dummy",
      .json_content_type = "application/x-amz-json-1.1",
      .json_type_prefix = "",
      .query_compatible = false,
      .missing = ErrorCode::kEventsValidation,
      .invalid_value = ErrorCode::kEventsValidation,
      .query_error = nullptr,
  };
  Dummy dummy;
  wire::Router router(wire::RouterOptions{});
  router.AddJson(std::make_shared<Table>(
      kModel, wire::ServiceTarget<Dummy>{dummy},
      std::initializer_list<Table::Operation>{
          {"Forget", [](const wire::ServiceTarget<Dummy>&, wire::ExchangePtr) {}}}));
  wire::HttpRequest request;
  request.method = "POST";
  request.headers = {{"x-amz-target", "Dummy.Forget"}};
  wire::HttpResponse response = HandleNow(router, std::move(request));
  EXPECT_EQ(response.status, 500);
  EXPECT_STREQ(ParseJson(response.body)["__type"].GetString(), "InternalFailure");
}

TEST(RouterTest, JsonErrorsEchoingInvalidUtf8AreValidUtf8) {
  WireFixture fixture;
  wire::HttpResponse response = fixture.Handle(JsonRequest("Send\xffMessage", "{}"));
  EXPECT_EQ(response.status, 400);
  EXPECT_TRUE(base_internal::IsUtf8(response.body)) << response.body;
  EXPECT_STREQ(ParseJson(response.body)["message"].GetString(),
               "The action Send\xEF\xBF\xBDMessage is not valid for this endpoint.");

  wire::HttpRequest unknown = JsonRequest("ListQueues", "{}");
  unknown.headers[1].second = "Amazon\xc3SQS.ListQueues";
  response = fixture.Handle(unknown);
  EXPECT_TRUE(base_internal::IsUtf8(response.body)) << response.body;
}

TEST(RouterTest, JsonResultsAreValidUtf8WhateverTheServiceHolds) {
  WireFixture fixture;
  EXPECT_CALL(fixture.service(), ListQueueTags(_))
      .WillOnce(Return(sqs::ListQueueTagsResult{{{"k\xff", "v\xed\xa0\x80"}}}));
  wire::HttpResponse response = fixture.Handle(
      JsonRequest("ListQueueTags", R"({"QueueUrl":"http://127.0.0.1:4566/000000000000/jobs"})"));
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "{\"Tags\":{\"k\xEF\xBF\xBD\":\"v\xEF\xBF\xBD\"}}");
}

TEST(RouterTest, JsonBodiesNestedTooDeeplyAreSerializationExceptions) {
  WireFixture fixture;
  std::string deep =
      R"({"QueueUrl":)" + std::string(200'000, '[') + std::string(200'000, ']') + "}";
  wire::HttpResponse response = fixture.Handle(JsonRequest("ListQueues", deep));
  EXPECT_EQ(response.status, 400);
  EXPECT_STREQ(ParseJson(response.body)["__type"].GetString(),
               "com.amazonaws.sqs#SerializationException");
}

}  // namespace
}  // namespace wharf::testing
