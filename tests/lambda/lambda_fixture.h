// A test fixture for lambda::Service: a broker on a ManualClock, helpers to
// create queues and functions, and a Recorder handler that keeps every
// invocation and answers as the test says. With WHARF_TEST_DURABLE=1 in the
// environment the broker is durable (a fresh data_dir per test).

#ifndef WHARF_TESTS_LAMBDA_LAMBDA_FIXTURE_H_
#define WHARF_TESTS_LAMBDA_LAMBDA_FIXTURE_H_

#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "broker/base/mutex.h"
#include "broker/service/lambda_service.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"
#include "wharf/broker.h"
#include "wharf/clock.h"
#include "wharf/lambda.h"

namespace wharf::testing {

inline constexpr char kAccount[] = "123456789012";
inline constexpr char kRegion[] = "us-east-1";

// What one invocation carried.
struct Call {
  std::string payload;
  std::vector<lambda::SqsRecord> records;  // SQS events only.
  std::string sns_message;                 // SNS events only.
  std::string detail_type;                 // EventBridge events only.
  std::string request_id;
};

// A handler that records its invocations. `respond` decides the outcome
// (default: success with an empty response).
class Recorder {
 public:
  using Respond = std::function<absl::StatusOr<std::string>(const lambda::Invocation&)>;

  lambda::Handler AsHandler() {
    return [this](const lambda::Invocation& in) -> absl::StatusOr<std::string> {
      Call call;
      call.payload = in.payload();
      call.request_id = in.request_id();
      if (const lambda::SqsEvent* e = in.sqs()) call.records = e->records;
      if (const lambda::SnsEvent* e = in.sns()) call.sns_message = e->records.at(0).sns.message;
      if (const lambda::EventBridgeEvent* e = in.eventbridge()) call.detail_type = e->detail_type;
      Respond respond;
      {
        MutexLock lock(&mu_);
        calls_.push_back(std::move(call));
        respond = respond_;
      }
      if (respond) return respond(in);
      return std::string();
    };
  }
  void set_respond(Respond respond) {
    MutexLock lock(&mu_);
    respond_ = std::move(respond);
  }
  std::vector<Call> calls() {
    MutexLock lock(&mu_);
    return calls_;
  }
  size_t size() {
    MutexLock lock(&mu_);
    return calls_.size();
  }
  // Bodies of every SQS record seen, in call order.
  std::vector<std::string> bodies() {
    std::vector<std::string> out;
    for (const Call& c : calls()) {
      for (const lambda::SqsRecord& r : c.records) out.push_back(r.body);
    }
    return out;
  }
  void clear() {
    MutexLock lock(&mu_);
    calls_.clear();
  }

 private:
  Mutex mu_;
  std::vector<Call> calls_ ABSL_GUARDED_BY(mu_);
  Respond respond_ ABSL_GUARDED_BY(mu_);
};

class LambdaTest : public ::testing::Test {
 protected:
  LambdaTest() : clock_(std::make_shared<ManualClock>()) {
    BrokerOptions options;
    options.clock = clock_;
    options.account_id = kAccount;
    options.region = kRegion;
    const char* durable = std::getenv("WHARF_TEST_DURABLE");
    if (durable != nullptr && std::string(durable) == "1") options.data_dir = data_dir_.path();
    broker_ = Broker::Open(options).value();
  }

  lambda::Service& lambda() { return broker_->lambda(); }
  sqs::Service& sqs() { return broker_->sqs(); }
  service_internal::LambdaService& impl() {
    return dynamic_cast<service_internal::LambdaService&>(broker_->lambda());
  }

  static std::string QueueArn(const std::string& name) {
    return std::string("arn:aws:sqs:") + kRegion + ":" + kAccount + ":" + name;
  }
  static std::string FunctionArn(const std::string& name) {
    return std::string("arn:aws:lambda:") + kRegion + ":" + kAccount + ":function:" + name;
  }

  // Creates a queue; returns its URL.
  std::string CreateQueue(const std::string& name, sqs::AttributeMap attributes = {}) {
    auto created = sqs().CreateQueue({.queue_name = name, .attributes = std::move(attributes)});
    EXPECT_OK(created);
    return created.ok() ? created->queue_url : "";
  }
  // A queue whose messages move to `dlq_name` after `max_receives` receives.
  std::string CreateQueueWithDlq(const std::string& name, const std::string& dlq_name,
                                 int max_receives, sqs::AttributeMap attributes = {}) {
    attributes["RedrivePolicy"] = R"({"deadLetterTargetArn":")" + QueueArn(dlq_name) +
                                  R"(","maxReceiveCount":")" + std::to_string(max_receives) + "\"}";
    return CreateQueue(name, std::move(attributes));
  }

  std::string CreateFunction(const std::string& name, Recorder& recorder, int timeout = 3) {
    auto created = lambda().CreateFunction(
        {.function_name = name, .handler = recorder.AsHandler(), .timeout = timeout});
    EXPECT_OK(created);
    return created.ok() ? created->function_arn : "";
  }

  // Creates a mapping and drains, so it is Enabled (or Disabled) on return.
  std::string CreateMapping(lambda::CreateEventSourceMappingRequest request) {
    auto created = lambda().CreateEventSourceMapping(request);
    EXPECT_OK(created);
    Drain();
    return created.ok() ? created->uuid : "";
  }

  void Drain() { ASSERT_OK(lambda().RunUntilIdle()); }

  void Send(const std::string& url, const std::string& body, const std::string& group = "") {
    sqs::SendMessageRequest request;
    request.queue_url = url;
    request.message_body = body;
    request.message_group_id = group;
    ASSERT_OK(sqs().SendMessage(request));
  }

  // Visible, in flight.
  std::pair<int, int> Counts(const std::string& url) {
    auto got =
        sqs().GetQueueAttributes({.queue_url = url,
                                  .attribute_names = {"ApproximateNumberOfMessages",
                                                      "ApproximateNumberOfMessagesNotVisible"}});
    EXPECT_OK(got);
    if (!got.ok()) return {-1, -1};
    return {std::stoi(got->attributes["ApproximateNumberOfMessages"]),
            std::stoi(got->attributes["ApproximateNumberOfMessagesNotVisible"])};
  }

  // Receives (and deletes) everything visible.
  std::vector<sqs::Message> ReceiveAll(const std::string& url) {
    std::vector<sqs::Message> out;
    for (;;) {
      auto got = sqs().ReceiveMessage({.queue_url = url,
                                       .max_number_of_messages = 10,
                                       .wait_time_seconds = 0,
                                       .message_attribute_names = {"All"},
                                       .message_system_attribute_names = {"All"}});
      EXPECT_OK(got);
      if (!got.ok() || got->messages.empty()) return out;
      for (sqs::Message& m : got->messages) {
        EXPECT_OK(sqs().DeleteMessage({.queue_url = url, .receipt_handle = m.receipt_handle}));
        out.push_back(std::move(m));
      }
    }
  }

  std::string State(const std::string& uuid) {
    auto got = lambda().GetEventSourceMapping({.uuid = uuid});
    return got.ok() ? got->state : std::string(got.status().message());
  }

  TempDir data_dir_;  // Used in durable runs; outlives broker_.
  std::shared_ptr<ManualClock> clock_;
  std::unique_ptr<Broker> broker_;
};

}  // namespace wharf::testing

#endif  // WHARF_TESTS_LAMBDA_LAMBDA_FIXTURE_H_
