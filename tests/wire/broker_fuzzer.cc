// libFuzzer target for the whole broker behind its endpoint: arbitrary bytes
// become a sequence of requests to the real services of one Broker on a
// ManualClock (SQS and CloudWatch over JSON 1.0 and, for the operations with
// the richest answers, query; SNS over query; EventBridge over JSON 1.1),
// with the clock moved between some of them, so that what a request leaves
// behind (queues and their policies, subscriptions and filter policies,
// rules, patterns and input transformers, alarms) meets later requests,
// deliveries, timers and alarm evaluations. The decoder fuzzers
// (request_fuzzer.cc & co.) stop at stub services; this one reaches the
// services' own validation and what they do with what they accepted.
//
// Input: records split at 0x1e (ASCII record separator). A record's first
// byte picks an operation of kOperations (or a clock step); the rest is its
// body: the JSON document, or over query the form after
// "Action=<op>&Version=<version>&". At most kMaxRecords records run; then
// the clock moves 30 s, which ends any long poll still parked. The seeds
// (broker_fuzz_corpus/) index kOperations: make_broker_fuzz_corpus.py writes
// them again after the list changes.
//
// A crash, a sanitizer report, a hang, a request never answered, a
// 5xx answer (hostile input gets the AWS client error) or a body that is not
// well-formed JSON or XML is a bug.
//
// Build and run (clang only; built with wire_request_fuzzer):
//   ninja -C build-fuzz wire_broker_fuzzer
//   mkdir -p /tmp/wharf-broker-fuzz   # new inputs go to the first directory
//   build-fuzz/tests/wire/wire_broker_fuzzer -max_total_time=60 -max_len=4096 \
//       /tmp/wharf-broker-fuzz tests/wire/broker_fuzz_corpus

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

#include "absl/time/time.h"
#include "broker/wire/apis.h"
#include "broker/wire/http_types.h"
#include "broker/wire/queue_url_mapper.h"
#include "broker/wire/router.h"
#include "tests/wire/fuzz_util.h"
#include "wharf/broker.h"
#include "wharf/clock.h"
#include "wharf/lambda.h"

namespace wharf {
namespace {

enum class Api { kSqs, kSqsQuery, kSns, kEvents, kCloudWatch, kCloudWatchQuery, kClock };

struct Operation {
  Api api;
  std::string_view name;
};

constexpr Operation kOperations[] = {
    {Api::kSqs, "CreateQueue"},
    {Api::kSqs, "DeleteQueue"},
    {Api::kSqs, "ListQueues"},
    {Api::kSqs, "GetQueueUrl"},
    {Api::kSqs, "GetQueueAttributes"},
    {Api::kSqs, "SetQueueAttributes"},
    {Api::kSqs, "PurgeQueue"},
    {Api::kSqs, "TagQueue"},
    {Api::kSqs, "UntagQueue"},
    {Api::kSqs, "ListQueueTags"},
    {Api::kSqs, "ListDeadLetterSourceQueues"},
    {Api::kSqs, "AddPermission"},
    {Api::kSqs, "RemovePermission"},
    {Api::kSqs, "SendMessage"},
    {Api::kSqs, "SendMessageBatch"},
    {Api::kSqs, "ReceiveMessage"},
    {Api::kSqs, "DeleteMessage"},
    {Api::kSqs, "DeleteMessageBatch"},
    {Api::kSqs, "ChangeMessageVisibility"},
    {Api::kSqs, "ChangeMessageVisibilityBatch"},
    {Api::kSqs, "StartMessageMoveTask"},
    {Api::kSqs, "ListMessageMoveTasks"},
    {Api::kSqs, "CancelMessageMoveTask"},
    {Api::kSns, "CreateTopic"},
    {Api::kSns, "DeleteTopic"},
    {Api::kSns, "ListTopics"},
    {Api::kSns, "GetTopicAttributes"},
    {Api::kSns, "SetTopicAttributes"},
    {Api::kSns, "PutDataProtectionPolicy"},
    {Api::kSns, "GetDataProtectionPolicy"},
    {Api::kSns, "Subscribe"},
    {Api::kSns, "ConfirmSubscription"},
    {Api::kSns, "Unsubscribe"},
    {Api::kSns, "ListSubscriptions"},
    {Api::kSns, "ListSubscriptionsByTopic"},
    {Api::kSns, "GetSubscriptionAttributes"},
    {Api::kSns, "SetSubscriptionAttributes"},
    {Api::kSns, "Publish"},
    {Api::kSns, "PublishBatch"},
    {Api::kSns, "TagResource"},
    {Api::kSns, "UntagResource"},
    {Api::kSns, "ListTagsForResource"},
    {Api::kSns, "AddPermission"},
    {Api::kSns, "RemovePermission"},
    {Api::kEvents, "CreateEventBus"},
    {Api::kEvents, "DeleteEventBus"},
    {Api::kEvents, "DescribeEventBus"},
    {Api::kEvents, "ListEventBuses"},
    {Api::kEvents, "UpdateEventBus"},
    {Api::kEvents, "PutPermission"},
    {Api::kEvents, "RemovePermission"},
    {Api::kEvents, "PutEvents"},
    {Api::kEvents, "TestEventPattern"},
    {Api::kEvents, "PutRule"},
    {Api::kEvents, "DeleteRule"},
    {Api::kEvents, "DescribeRule"},
    {Api::kEvents, "ListRules"},
    {Api::kEvents, "EnableRule"},
    {Api::kEvents, "DisableRule"},
    {Api::kEvents, "PutTargets"},
    {Api::kEvents, "RemoveTargets"},
    {Api::kEvents, "ListTargetsByRule"},
    {Api::kEvents, "ListRuleNamesByTarget"},
    {Api::kEvents, "CreateArchive"},
    {Api::kEvents, "UpdateArchive"},
    {Api::kEvents, "DescribeArchive"},
    {Api::kEvents, "ListArchives"},
    {Api::kEvents, "DeleteArchive"},
    {Api::kEvents, "StartReplay"},
    {Api::kEvents, "DescribeReplay"},
    {Api::kEvents, "ListReplays"},
    {Api::kEvents, "CancelReplay"},
    {Api::kEvents, "TagResource"},
    {Api::kEvents, "UntagResource"},
    {Api::kEvents, "ListTagsForResource"},
    {Api::kCloudWatch, "GetMetricStatistics"},
    {Api::kCloudWatch, "GetMetricData"},
    {Api::kCloudWatch, "ListMetrics"},
    {Api::kCloudWatch, "PutMetricData"},
    {Api::kCloudWatch, "PutMetricAlarm"},
    {Api::kCloudWatch, "DescribeAlarms"},
    {Api::kCloudWatch, "DescribeAlarmsForMetric"},
    {Api::kCloudWatch, "DescribeAlarmHistory"},
    {Api::kCloudWatch, "DeleteAlarms"},
    {Api::kCloudWatch, "SetAlarmState"},
    {Api::kCloudWatch, "EnableAlarmActions"},
    {Api::kCloudWatch, "DisableAlarmActions"},
    {Api::kCloudWatch, "TagResource"},
    {Api::kCloudWatch, "UntagResource"},
    {Api::kCloudWatch, "ListTagsForResource"},
    {Api::kSqsQuery, "CreateQueue"},
    {Api::kSqsQuery, "GetQueueAttributes"},
    {Api::kSqsQuery, "SendMessage"},
    {Api::kSqsQuery, "SendMessageBatch"},
    {Api::kSqsQuery, "ReceiveMessage"},
    {Api::kSqsQuery, "DeleteMessageBatch"},
    {Api::kSqsQuery, "ListQueues"},
    {Api::kSqsQuery, "ListMessageMoveTasks"},
    {Api::kCloudWatchQuery, "PutMetricData"},
    {Api::kCloudWatchQuery, "PutMetricAlarm"},
    {Api::kCloudWatchQuery, "GetMetricData"},
    {Api::kCloudWatchQuery, "GetMetricStatistics"},
    {Api::kCloudWatchQuery, "ListMetrics"},
    {Api::kCloudWatchQuery, "DescribeAlarms"},
    {Api::kCloudWatchQuery, "DescribeAlarmHistory"},
    {Api::kClock, "Advance"},
    // Appended: the corpus's records name operations by their index.
    {Api::kCloudWatch, "PutCompositeAlarm"},
    {Api::kCloudWatchQuery, "PutCompositeAlarm"},
};

constexpr size_t kMaxRecords = 32;

wire::HttpRequest JsonRequest(std::string_view content_type, std::string_view target,
                              std::string_view body) {
  wire::HttpRequest request;
  request.method = "POST";
  request.path = "/";
  request.headers = {{"content-type", std::string(content_type)},
                     {"x-amz-target", std::string(target)}};
  request.body = std::string(body);
  return request;
}

// A query request to the service `signing_name` (which picks among the
// services sharing an action).
wire::HttpRequest QueryRequest(std::string_view signing_name, std::string_view version,
                               std::string_view action, std::string_view body) {
  wire::HttpRequest request;
  request.method = "POST";
  request.path = "/";
  request.headers = {{"content-type", "application/x-www-form-urlencoded"},
                     {"authorization", "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/" +
                                           std::string(signing_name) +
                                           "/aws4_request, SignedHeaders=host, Signature=00"}};
  request.body = "Action=" + std::string(action) + "&Version=" + std::string(version) + "&" +
                 std::string(body);
  return request;
}

wire::HttpRequest Request(const Operation& op, std::string_view body) {
  const std::string name(op.name);
  switch (op.api) {
    case Api::kSqs:
      return JsonRequest("application/x-amz-json-1.0", "AmazonSQS." + name, body);
    case Api::kSqsQuery:
      return QueryRequest("sqs", "2012-11-05", name, body);
    case Api::kSns:
      return QueryRequest("sns", "2010-03-31", name, body);
    case Api::kEvents:
      return JsonRequest("application/x-amz-json-1.1", "AWSEvents." + name, body);
    case Api::kCloudWatch:
      return JsonRequest("application/x-amz-json-1.0", "GraniteServiceVersion20100801." + name,
                         body);
    case Api::kCloudWatchQuery:
    case Api::kClock:  // Not a request; never called with it.
      break;
  }
  return QueryRequest("monitoring", "2010-08-01", name, body);
}

// One broker and its router for one input: nothing carries over to the next
// input, so a crash reproduces from its input alone.
class Harness {
 public:
  Harness() {
    auto broker = Broker::Open({.clock = clock_});
    if (!broker.ok()) __builtin_trap();
    broker_ = *std::move(broker);
    std::shared_ptr<const wire::Api> sqs = wire::MakeSqsApi(broker_->sqs(), urls_);
    router_.AddQuery(sqs);
    router_.AddJson(sqs);
    router_.AddQuery(wire::MakeSnsApi(broker_->sns()));
    router_.AddJson(wire::MakeEventsApi(broker_->events()));
    std::shared_ptr<const wire::Api> cloudwatch = wire::MakeCloudWatchApi(broker_->cloudwatch());
    router_.AddQuery(cloudwatch);
    router_.AddJson(cloudwatch);
  }

  ~Harness() {
    // Long polls end at their deadline (at most 20 s); deliveries drain.
    Advance(absl::Seconds(30));
    std::lock_guard lock(mu_);
    if (answered_ != sent_) __builtin_trap();  // A request never answered.
  }

  void Run(const Operation& op, std::string_view body) {
    if (op.api == Api::kClock) {
      // 1 ms to ~18.6 hours: visibility, delays, retention of short
      // periods, alarm periods, schedules.
      const int shift = body.empty() ? 0 : static_cast<uint8_t>(body[0]) % 27;
      Advance(absl::Milliseconds(int64_t{1} << shift));
      return;
    }
    {
      std::lock_guard lock(mu_);
      ++sent_;
    }
    // Long polls answer later, from the thread that completes them.
    router_.Handle(Request(op, body), [this](wire::HttpResponse response) {
      testing::CheckFuzzAnswer(response);
      if (response.status >= 500) __builtin_trap();
      std::lock_guard lock(mu_);
      ++answered_;
    });
    // What a server's workers would run meanwhile: deliveries the request
    // queued (SNS and EventBridge targets).
    Drain();
  }

 private:
  void Advance(absl::Duration d) {
    clock_->Advance(d);
    Drain();
  }
  void Drain() {
    if (!broker_->lambda().RunUntilIdle().ok()) __builtin_trap();
  }

  std::shared_ptr<ManualClock> clock_ = std::make_shared<ManualClock>();
  std::unique_ptr<Broker> broker_;
  wire::QueueUrlMapper urls_{"https://sqs.us-east-1.amazonaws.com", "http://127.0.0.1:4566"};
  wire::Router router_{wire::RouterOptions{}};
  std::mutex mu_;
  int sent_ = 0;      // Guarded by mu_.
  int answered_ = 0;  // Guarded by mu_.
};

}  // namespace
}  // namespace wharf

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  constexpr size_t kCount = sizeof(wharf::kOperations) / sizeof(wharf::kOperations[0]);
  wharf::Harness harness;
  size_t records = 0;
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  while (!rest.empty() && records < wharf::kMaxRecords) {
    const size_t end = std::min(rest.find('\x1e'), rest.size());
    const std::string_view record = rest.substr(0, end);
    rest.remove_prefix(std::min(end + 1, rest.size()));
    if (record.empty()) continue;
    ++records;
    harness.Run(wharf::kOperations[static_cast<uint8_t>(record[0]) % kCount], record.substr(1));
  }
  return 0;
}
