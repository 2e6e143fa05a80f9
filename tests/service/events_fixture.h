// A test fixture for the events::Service: a broker on a ManualClock (for its
// SQS queues) with an EventsService over it, plus helpers to create queues,
// drain them and record callback deliveries.
//
// With WHARF_TEST_DURABLE=1 in the environment both are durable (fresh data
// directories per test; the service recovers from its empty store as a
// broker's does): ctest runs the EventBridge service tests twice, once in
// memory and once prefixed "durable/", so both modes behave the same.

#ifndef WHARF_TESTS_SERVICE_EVENTS_FIXTURE_H_
#define WHARF_TESTS_SERVICE_EVENTS_FIXTURE_H_

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "broker/base/mutex.h"
#include "broker/service/events_service.h"
#include "broker/service/queue_delivery.h"
#include "broker/storage/store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"
#include "wharf/broker.h"
#include "wharf/clock.h"
#include "wharf/events.h"

namespace wharf::testing {

constexpr char kAccount[] = "123456789012";
constexpr char kRegion[] = "us-east-1";

// Records what a callback target receives; can be told to fail.
class Recorder {
 public:
  events::Callback AsCallback() {
    return [this](const events::CallbackEvent& e) {
      MutexLock lock(&mu_);
      events_.push_back(e);
      if (failures_left_ > 0) {
        --failures_left_;
        return failure_;
      }
      return absl::OkStatus();
    };
  }
  // The next `n` calls return `status` (after recording).
  void FailNext(int n, absl::Status status) {
    MutexLock lock(&mu_);
    failures_left_ = n;
    failure_ = std::move(status);
  }
  std::vector<events::CallbackEvent> events() {
    MutexLock lock(&mu_);
    return events_;
  }
  std::vector<std::string> bodies() {
    std::vector<std::string> out;
    for (const auto& e : events()) out.push_back(e.body);
    return out;
  }
  size_t size() {
    MutexLock lock(&mu_);
    return events_.size();
  }

 private:
  Mutex mu_;
  std::vector<events::CallbackEvent> events_ ABSL_GUARDED_BY(mu_);
  int failures_left_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Status failure_ ABSL_GUARDED_BY(mu_);
};

class EventsTest : public ::testing::Test {
 protected:
  explicit EventsTest(events::ServiceOptions limits = {})
      : clock_(std::make_shared<ManualClock>()) {
    BrokerOptions options;
    options.clock = clock_;
    options.account_id = kAccount;
    options.region = kRegion;
    if (Durable()) options.data_dir = data_dir_.path() + "/broker";
    broker_ = Broker::Open(options).value();
    service_internal::EventsService::Options o;
    o.region = kRegion;
    o.account_id = kAccount;
    o.clock = clock_.get();
    // The broker's SQS service is an SqsServiceImpl; queue targets reach it
    // through the delivery seam, as in a broker.
    delivery_ = std::make_unique<service_internal::QueueDelivery>(
        static_cast<service_internal::SqsServiceImpl&>(broker_->sqs()));
    o.queues = delivery_.get();
    o.limits = limits;
    if (Durable()) {
      store_ = storage_internal::Store::Open({.dir = data_dir_.path() + "/events"}).value();
      o.store = store_.get();
    }
    events_ = std::make_unique<service_internal::EventsService>(o);
    EXPECT_THAT(events_->Recover(), IsOk());
  }
  ~EventsTest() override { events_.reset(); }

  // Whether this run is durable (WHARF_TEST_DURABLE=1).
  static bool Durable() {
    const char* durable = std::getenv("WHARF_TEST_DURABLE");
    return durable != nullptr && std::string(durable) == "1";
  }

  events::Service& ev() { return *events_; }
  sqs::Service& sqs() { return broker_->sqs(); }

  struct TestQueue {
    std::string url;
    std::string arn;
  };
  TestQueue CreateQueue(const std::string& name, sqs::AttributeMap attributes = {}) {
    auto created = sqs().CreateQueue({.queue_name = name, .attributes = std::move(attributes)});
    EXPECT_THAT(created, IsOk());
    return {created.ok() ? created->queue_url : "",
            absl::StrCat("arn:aws:sqs:", kRegion, ":", kAccount, ":", name)};
  }
  std::vector<sqs::Message> Drain(const TestQueue& q) {
    std::vector<sqs::Message> out;
    for (;;) {
      sqs::ReceiveMessageRequest r;
      r.queue_url = q.url;
      r.max_number_of_messages = 10;
      r.wait_time_seconds = 0;
      r.message_attribute_names = {"All"};
      r.message_system_attribute_names = {"All"};
      auto got = sqs().ReceiveMessage(r);
      EXPECT_THAT(got, IsOk());
      if (!got.ok() || got->messages.empty()) return out;
      for (auto& m : got->messages) {
        EXPECT_THAT(sqs().DeleteMessage({.queue_url = q.url, .receipt_handle = m.receipt_handle}),
                    IsOk());
        out.push_back(std::move(m));
      }
    }
  }
  std::vector<std::string> DrainBodies(const TestQueue& q) {
    std::vector<std::string> out;
    for (auto& m : Drain(q)) out.push_back(m.body);
    return out;
  }

  // A rule on `bus` with `pattern` whose one target is `arn`.
  void RuleTo(const std::string& rule, const std::string& pattern, const std::string& arn,
              const std::string& bus = "") {
    ASSERT_THAT(ev().PutRule({.name = rule, .event_pattern = pattern, .event_bus_name = bus}),
                IsOk());
    events::Target t;
    t.id = "t1";
    t.arn = arn;
    ASSERT_THAT(ev().PutTargets({.rule = rule, .event_bus_name = bus, .targets = {t}}), IsOk());
  }
  std::string Callback(const std::string& name, Recorder& recorder) {
    auto arn = ev().RegisterCallback(name, recorder.AsCallback());
    EXPECT_THAT(arn, IsOk());
    return arn.ok() ? *arn : "";
  }

  absl::StatusOr<events::PutEventsResult> Put(const std::string& source,
                                              const std::string& detail_type,
                                              const std::string& detail,
                                              const std::string& bus = "") {
    events::PutEventsRequestEntry e;
    e.source = source;
    e.detail_type = detail_type;
    e.detail = detail;
    e.event_bus_name = bus;
    return ev().PutEvents({.entries = {e}});
  }

  TempDir data_dir_;  // Outlives the stores.
  std::shared_ptr<ManualClock> clock_;
  std::unique_ptr<Broker> broker_;
  std::unique_ptr<storage_internal::Store> store_;             // Durable: outlives events_.
  std::unique_ptr<service_internal::QueueDelivery> delivery_;  // Outlives events_.
  std::unique_ptr<service_internal::EventsService> events_;
};

}  // namespace wharf::testing

#endif  // WHARF_TESTS_SERVICE_EVENTS_FIXTURE_H_
