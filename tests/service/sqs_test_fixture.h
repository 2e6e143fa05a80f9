// A broker on a ManualClock plus helpers shared by the SQS service tests.
//
// With WHARF_TEST_DURABLE=1 in the environment the broker is durable (a
// fresh data_dir per test): ctest runs every SQS service test twice, once in
// memory and once prefixed "durable/", so both modes behave the same.

#ifndef WHARF_TESTS_SERVICE_SQS_TEST_FIXTURE_H_
#define WHARF_TESTS_SERVICE_SQS_TEST_FIXTURE_H_

#include <cstdlib>
#include <memory>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"
#include "wharf/broker.h"
#include "wharf/clock.h"
#include "wharf/sqs.h"

namespace wharf::testing {

inline constexpr char kAccount[] = "123456789012";
inline constexpr char kRegion[] = "us-east-1";

class SqsTest : public ::testing::Test {
 protected:
  SqsTest() : clock_(std::make_shared<ManualClock>()) {
    BrokerOptions options;
    options.clock = clock_;
    options.account_id = kAccount;
    options.region = kRegion;
    if (Durable()) options.data_dir = data_dir_.path();
    broker_ = std::move(Broker::Open(std::move(options)).value());
  }

  // Whether this run uses durable brokers (WHARF_TEST_DURABLE=1).
  static bool Durable() {
    const char* durable = std::getenv("WHARF_TEST_DURABLE");
    return durable != nullptr && std::string(durable) == "1";
  }

  sqs::Service& sqs() { return broker_->sqs(); }

  static std::string UrlOf(const std::string& name) {
    return std::string("https://sqs.us-east-1.amazonaws.com/") + kAccount + "/" + name;
  }
  static std::string ArnOf(const std::string& name) {
    return std::string("arn:aws:sqs:us-east-1:") + kAccount + ":" + name;
  }

  // Creates a queue; fails the test on error.
  std::string Create(const std::string& name, sqs::AttributeMap attributes = {}) {
    auto result = sqs().CreateQueue({.queue_name = name, .attributes = std::move(attributes)});
    EXPECT_TRUE(result.ok()) << result.status();
    return result.ok() ? result->queue_url : std::string();
  }

  std::string Send(const std::string& url, const std::string& body) {
    auto result = sqs().SendMessage({.queue_url = url, .message_body = body});
    EXPECT_TRUE(result.ok()) << result.status();
    return result.ok() ? result->message_id : std::string();
  }

  std::string SendFifo(const std::string& url, const std::string& body, const std::string& group,
                       const std::string& dedup = "") {
    auto result = sqs().SendMessage({.queue_url = url,
                                     .message_body = body,
                                     .message_deduplication_id = dedup.empty() ? body : dedup,
                                     .message_group_id = group});
    EXPECT_TRUE(result.ok()) << result.status();
    return result.ok() ? result->message_id : std::string();
  }

  // Short-polls up to `max` messages with every system attribute.
  std::vector<sqs::Message> Receive(const std::string& url, int max = 10,
                                    std::optional<int> visibility = std::nullopt) {
    auto result = sqs().ReceiveMessage({.queue_url = url,
                                        .max_number_of_messages = max,
                                        .visibility_timeout = visibility,
                                        .wait_time_seconds = 0,
                                        .message_attribute_names = {"All"},
                                        .message_system_attribute_names = {"All"}});
    EXPECT_TRUE(result.ok()) << result.status();
    return result.ok() ? std::move(result->messages) : std::vector<sqs::Message>();
  }

  // Starts a 20 s long poll on another thread, waits until it is parked,
  // then requests a stop (the clock never moves) and returns what it got.
  absl::StatusOr<sqs::ReceiveMessageResult> LongPollUntilStopped(const std::string& url) {
    std::stop_source stop;
    absl::StatusOr<sqs::ReceiveMessageResult> got;
    std::thread receiver([&] {
      got = sqs().ReceiveMessage(
          {.queue_url = url, .wait_time_seconds = 20, .stop_token = stop.get_token()});
    });
    clock_->AwaitWaiters(1);
    stop.request_stop();
    receiver.join();
    return got;
  }

  std::string Attribute(const std::string& url, const std::string& name) {
    auto result = sqs().GetQueueAttributes({.queue_url = url, .attribute_names = {name}});
    EXPECT_TRUE(result.ok()) << result.status();
    if (!result.ok()) return {};
    auto it = result->attributes.find(name);
    return it == result->attributes.end() ? std::string("<absent>") : it->second;
  }

  TempDir data_dir_;  // Used in durable runs; outlives broker_.
  std::shared_ptr<ManualClock> clock_;
  std::unique_ptr<Broker> broker_;
};

}  // namespace wharf::testing

#endif  // WHARF_TESTS_SERVICE_SQS_TEST_FIXTURE_H_
