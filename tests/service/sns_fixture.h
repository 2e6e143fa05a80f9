// A fixture with an SNS service over FakeQueues, a ManualClock and a
// Scheduler driven by it, plus helpers to create topics and subscriptions.
//
// With WHARF_TEST_DURABLE=1 in the environment the service is durable (a
// store in a fresh directory per test): ctest runs every SNS service test
// twice, once in memory and once prefixed "durable/", so both modes behave
// the same.

#ifndef WHARF_TESTS_SERVICE_SNS_FIXTURE_H_
#define WHARF_TESTS_SERVICE_SNS_FIXTURE_H_

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "broker/base/scheduler.h"
#include "broker/service/sns_service.h"
#include "broker/storage/store.h"
#include "gtest/gtest.h"
#include "rapidjson/document.h"
#include "tests/service/fake_queues.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"
#include "wharf/clock.h"
#include "wharf/sns.h"

namespace wharf::testing {

inline std::string QueueArn(const std::string& name) {
  return "arn:aws:sqs:us-east-1:000000000000:" + name;
}

// Whether this run uses durable brokers (WHARF_TEST_DURABLE=1).
inline bool DurableRun() {
  const char* durable = std::getenv("WHARF_TEST_DURABLE");
  return durable != nullptr && std::string(durable) == "1";
}

inline sns::MessageAttributeValue StringAttr(std::string v) {
  return {.data_type = "String", .string_value = std::move(v), .binary_value = ""};
}
inline sns::MessageAttributeValue NumberAttr(std::string v) {
  return {.data_type = "Number", .string_value = std::move(v), .binary_value = ""};
}

class SnsTest : public ::testing::Test {
 protected:
  std::string CreateTopic(const std::string& name, sns::AttributeMap attributes = {}) {
    auto result = sns_.CreateTopic({.name = name, .attributes = std::move(attributes)});
    EXPECT_OK(result);
    return result.ok() ? result->topic_arn : "";
  }

  std::string SubscribeQueue(const std::string& topic_arn, const std::string& queue_name,
                             sns::AttributeMap attributes = {}) {
    auto result = sns_.Subscribe({.topic_arn = topic_arn,
                                  .protocol = "sqs",
                                  .endpoint = QueueArn(queue_name),
                                  .attributes = std::move(attributes)});
    EXPECT_OK(result);
    return result.ok() ? result->subscription_arn : "";
  }

  absl::StatusOr<sns::PublishResult> Publish(const std::string& topic_arn,
                                             const std::string& message,
                                             sns::MessageAttributeMap attributes = {}) {
    return sns_.Publish(
        {.topic_arn = topic_arn, .message = message, .message_attributes = std::move(attributes)});
  }

  std::vector<std::string> Bodies(const std::string& queue_name) {
    return queues_.Bodies(QueueArn(queue_name));
  }

  // The "Message" field of each envelope delivered to the queue.
  std::vector<std::string> EnvelopeMessages(const std::string& queue_name) {
    std::vector<std::string> out;
    for (const std::string& body : Bodies(queue_name)) {
      rapidjson::Document doc;
      doc.Parse(body.c_str());
      out.push_back(doc.IsObject() && doc.HasMember("Message") ? doc["Message"].GetString()
                                                               : "<not an envelope>");
    }
    return out;
  }

  // A store in data_dir_ in durable runs, else null.
  static std::unique_ptr<storage_internal::Store> OpenStore(const TempDir& dir) {
    if (!DurableRun()) return nullptr;
    return std::move(storage_internal::Store::Open({.dir = dir.path()}).value());
  }

  TempDir data_dir_;  // Outlives store_.
  ManualClock clock_;
  Scheduler scheduler_{clock_};
  FakeQueues queues_;
  std::unique_ptr<storage_internal::Store> store_ = OpenStore(data_dir_);  // Outlives sns_.
  service_internal::SnsService sns_{
      {.clock = &clock_, .scheduler = &scheduler_, .queues = &queues_, .store = store_.get()}};
};

}  // namespace wharf::testing

#endif  // WHARF_TESTS_SERVICE_SNS_FIXTURE_H_
