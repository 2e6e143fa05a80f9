// libFuzzer target for the wire request decoders: arbitrary bytes become an
// HTTP request (query form, JSON 1.0 with a chosen or arbitrary target, a GET
// query string, or RPC v2 CBOR to a chosen or arbitrary path), marked
// Content-Encoding: gzip when the first byte says so, handed to the Router
// over a stub sqs::Service and a stub cloudwatch::Service (the services of
// those protocols; the CBOR codec also runs over SQS's table, for its richer
// shapes), each of which answers every call with a fixed, non-trivial
// result, so the encoders run too. Any crash, sanitizer report or hang is a
// bug: malformed input must end in an AWS error response.
//
// Build and run (clang only):
//   CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DWHARF_BUILD_FUZZ=ON \
//       -DWHARF_BUILD_BENCH=OFF -DWHARF_BUILD_EXAMPLES=OFF
//   ninja -C build-fuzz wire_request_fuzzer
//   mkdir -p /tmp/wharf-fuzz   # new inputs go to the first directory
//   build-fuzz/tests/wire/wire_request_fuzzer -max_total_time=30 -max_len=4096 \
//       /tmp/wharf-fuzz tests/wire/fuzz_corpus

#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <string_view>

#include "broker/wire/apis.h"
#include "broker/wire/http_types.h"
#include "broker/wire/queue_url_mapper.h"
#include "broker/wire/router.h"
#include "tests/wire/fuzz_util.h"
#include "wharf/cloudwatch.h"
#include "wharf/errors.h"
#include "wharf/sqs.h"

namespace wharf {
namespace {

constexpr char kUrl[] = "https://sqs.us-east-1.amazonaws.com/000000000000/q";

sqs::Message StubMessage() {
  sqs::Message m;
  m.message_id = "m";
  m.receipt_handle = "rh";
  m.md5_of_body = "md5";
  m.body = "body\r\n<&>";
  m.attributes = {{"SentTimestamp", "1"}};
  m.md5_of_message_attributes = "a";
  m.message_attributes = {{"b", {"Binary", "", std::string("\0\xff", 2)}},
                          {"s", {"String", "v", ""}}};
  return m;
}

// Answers every call; fails one in a few with an AWS error to reach the
// error renderers, chosen by the request's own content.
class StubService : public sqs::Service {
 public:
  template <typename T>
  static absl::StatusOr<T> Maybe(const std::string& key, T value) {
    if (!key.empty() && key.back() == 'x') {
      return MakeError(ErrorCode::kQueueDoesNotExist, "The specified queue does not exist.");
    }
    return value;
  }
  static absl::Status MaybeStatus(const std::string& key) { return Maybe(key, 0).status(); }

  absl::StatusOr<sqs::CreateQueueResult> CreateQueue(const sqs::CreateQueueRequest& r) override {
    return Maybe(r.queue_name, sqs::CreateQueueResult{kUrl});
  }
  absl::Status DeleteQueue(const sqs::DeleteQueueRequest& r) override {
    return MaybeStatus(r.queue_url);
  }
  absl::StatusOr<sqs::ListQueuesResult> ListQueues(const sqs::ListQueuesRequest& r) override {
    return Maybe(r.queue_name_prefix, sqs::ListQueuesResult{{kUrl, "other"}, "token"});
  }
  absl::StatusOr<sqs::GetQueueUrlResult> GetQueueUrl(const sqs::GetQueueUrlRequest& r) override {
    return Maybe(r.queue_name, sqs::GetQueueUrlResult{kUrl});
  }
  absl::StatusOr<sqs::GetQueueAttributesResult> GetQueueAttributes(
      const sqs::GetQueueAttributesRequest& r) override {
    return Maybe(r.queue_url, sqs::GetQueueAttributesResult{{{"DelaySeconds", "0"}}});
  }
  absl::Status SetQueueAttributes(const sqs::SetQueueAttributesRequest& r) override {
    return MaybeStatus(r.queue_url);
  }
  absl::Status PurgeQueue(const sqs::PurgeQueueRequest& r) override {
    return MaybeStatus(r.queue_url);
  }
  absl::Status TagQueue(const sqs::TagQueueRequest& r) override { return MaybeStatus(r.queue_url); }
  absl::Status UntagQueue(const sqs::UntagQueueRequest& r) override {
    return MaybeStatus(r.queue_url);
  }
  absl::StatusOr<sqs::ListQueueTagsResult> ListQueueTags(
      const sqs::ListQueueTagsRequest& r) override {
    return Maybe(r.queue_url, sqs::ListQueueTagsResult{{{"k", "v"}}});
  }
  absl::StatusOr<sqs::ListDeadLetterSourceQueuesResult> ListDeadLetterSourceQueues(
      const sqs::ListDeadLetterSourceQueuesRequest& r) override {
    return Maybe(r.queue_url, sqs::ListDeadLetterSourceQueuesResult{{kUrl}, ""});
  }
  absl::Status AddPermission(const sqs::AddPermissionRequest& r) override {
    return MaybeStatus(r.label);
  }
  absl::Status RemovePermission(const sqs::RemovePermissionRequest& r) override {
    return MaybeStatus(r.label);
  }
  absl::StatusOr<sqs::SendMessageResult> SendMessage(const sqs::SendMessageRequest& r) override {
    return Maybe(r.message_body, sqs::SendMessageResult{"m", "b", "a", "s", "1"});
  }
  absl::StatusOr<sqs::SendMessageBatchResult> SendMessageBatch(
      const sqs::SendMessageBatchRequest& r) override {
    sqs::SendMessageBatchResult result;
    for (const auto& e : r.entries) {
      if (e.message_body.empty()) {
        result.failed.push_back({e.id, true, ErrorCode::kMissingParameter, "empty"});
      } else {
        result.successful.push_back({e.id, "m", "b", "", "", ""});
      }
    }
    return Maybe(r.queue_url, result);
  }
  absl::StatusOr<sqs::ReceiveMessageResult> ReceiveMessage(
      const sqs::ReceiveMessageRequest& r) override {
    return Maybe(r.queue_url, sqs::ReceiveMessageResult{{StubMessage(), StubMessage()}});
  }
  void ReceiveMessageAsync(sqs::ReceiveMessageRequest r,
                           sqs::ReceiveMessageCallback done) override {
    std::move(done)(ReceiveMessage(r));
  }
  absl::Status DeleteMessage(const sqs::DeleteMessageRequest& r) override {
    return MaybeStatus(r.receipt_handle);
  }
  absl::StatusOr<sqs::DeleteMessageBatchResult> DeleteMessageBatch(
      const sqs::DeleteMessageBatchRequest& r) override {
    sqs::DeleteMessageBatchResult result;
    for (const auto& e : r.entries) result.successful.push_back(e.id);
    return Maybe(r.queue_url, result);
  }
  absl::Status ChangeMessageVisibility(const sqs::ChangeMessageVisibilityRequest& r) override {
    return MaybeStatus(r.receipt_handle);
  }
  absl::StatusOr<sqs::ChangeMessageVisibilityBatchResult> ChangeMessageVisibilityBatch(
      const sqs::ChangeMessageVisibilityBatchRequest& r) override {
    sqs::ChangeMessageVisibilityBatchResult result;
    for (const auto& e : r.entries) {
      result.failed.push_back({e.id, true, ErrorCode::kReceiptHandleIsInvalid, e.receipt_handle});
    }
    return Maybe(r.queue_url, result);
  }
  absl::StatusOr<sqs::StartMessageMoveTaskResult> StartMessageMoveTask(
      const sqs::StartMessageMoveTaskRequest& r) override {
    return Maybe(r.source_arn, sqs::StartMessageMoveTaskResult{"task"});
  }
  absl::StatusOr<sqs::ListMessageMoveTasksResult> ListMessageMoveTasks(
      const sqs::ListMessageMoveTasksRequest& r) override {
    sqs::MessageMoveTask task;
    task.status = "RUNNING";
    task.max_number_of_messages_per_second = 5;
    return Maybe(r.source_arn, sqs::ListMessageMoveTasksResult{{task}});
  }
  absl::StatusOr<sqs::CancelMessageMoveTaskResult> CancelMessageMoveTask(
      const sqs::CancelMessageMoveTaskRequest& r) override {
    return Maybe(r.task_handle, sqs::CancelMessageMoveTaskResult{3});
  }
  absl::StatusOr<std::shared_ptr<sqs::Queue>> OpenQueue(const std::string&) override {
    return MakeError(ErrorCode::kQueueDoesNotExist, "The specified queue does not exist.");
  }
};

// Answers every CloudWatch call with results that reach every encoder path
// (timestamps and number lists, the ExtendedStatistics map, a non-finite
// value); a name ending in 'x' gets an error.
class StubCloudWatch : public cloudwatch::Service {
 public:
  template <typename T>
  static absl::StatusOr<T> Maybe(const std::string& key, T value) {
    if (!key.empty() && key.back() == 'x') {
      return MakeError(ErrorCode::kCloudWatchResourceNotFound, "not found");
    }
    return value;
  }
  static cloudwatch::MetricAlarm Alarm() {
    cloudwatch::MetricAlarm a;
    a.alarm_name = "a";
    a.ok_actions = {"arn"};
    a.dimensions = {{"d", "v"}};
    a.threshold = 0.1;
    a.state_updated_timestamp = absl::FromUnixMillis(1500);
    return a;
  }
  absl::StatusOr<cloudwatch::GetMetricStatisticsResult> GetMetricStatistics(
      const cloudwatch::GetMetricStatisticsRequest& r) override {
    cloudwatch::Datapoint d;
    d.timestamp = absl::FromUnixSeconds(60);
    d.sum = 1.5;
    d.average = std::numeric_limits<double>::infinity();
    d.extended_statistics = {{"p99", 2.0}};
    return Maybe(r.metric_name, cloudwatch::GetMetricStatisticsResult{"m", {d}});
  }
  absl::StatusOr<cloudwatch::GetMetricDataResult> GetMetricData(
      const cloudwatch::GetMetricDataRequest& r) override {
    cloudwatch::MetricDataResult m{
        "id",        "l",        {absl::FromUnixMillis(1), absl::FromUnixSeconds(2)},
        {1.0, -0.5}, "Complete", {{"c", "v"}}};
    return Maybe(r.next_token, cloudwatch::GetMetricDataResult{{m}, "t", {}});
  }
  absl::StatusOr<cloudwatch::ListMetricsResult> ListMetrics(
      const cloudwatch::ListMetricsRequest& r) override {
    return Maybe(r.metric_name, cloudwatch::ListMetricsResult{{{"ns", "m", {{"d", "v"}}}}, "t"});
  }
  absl::Status PutMetricData(const cloudwatch::PutMetricDataRequest& r) override {
    return Maybe(r.metric_namespace, 0).status();
  }
  absl::Status PutMetricAlarm(const cloudwatch::PutMetricAlarmRequest& r) override {
    return Maybe(r.alarm_name, 0).status();
  }
  absl::Status PutCompositeAlarm(const cloudwatch::PutCompositeAlarmRequest& r) override {
    return Maybe(r.alarm_name, 0).status();
  }
  absl::StatusOr<cloudwatch::DescribeAlarmsResult> DescribeAlarms(
      const cloudwatch::DescribeAlarmsRequest& r) override {
    cloudwatch::CompositeAlarm c;
    c.alarm_name = "c";
    c.alarm_rule = "ALARM(a)";
    c.state_value = "OK";
    return Maybe(r.alarm_name_prefix, cloudwatch::DescribeAlarmsResult{{Alarm()}, "", {c}});
  }
  absl::StatusOr<cloudwatch::DescribeAlarmsForMetricResult> DescribeAlarmsForMetric(
      const cloudwatch::DescribeAlarmsForMetricRequest& r) override {
    return Maybe(r.metric_name, cloudwatch::DescribeAlarmsForMetricResult{{Alarm()}});
  }
  absl::StatusOr<cloudwatch::DescribeAlarmHistoryResult> DescribeAlarmHistory(
      const cloudwatch::DescribeAlarmHistoryRequest& r) override {
    cloudwatch::AlarmHistoryItem h{"a",           "MetricAlarm", absl::FromUnixSeconds(3),
                                   "StateUpdate", "s",           "{}"};
    return Maybe(r.alarm_name, cloudwatch::DescribeAlarmHistoryResult{{h}, ""});
  }
  absl::Status DeleteAlarms(const cloudwatch::DeleteAlarmsRequest& r) override {
    return Maybe(r.alarm_names.empty() ? "" : r.alarm_names.back(), 0).status();
  }
  absl::Status SetAlarmState(const cloudwatch::SetAlarmStateRequest& r) override {
    return Maybe(r.alarm_name, 0).status();
  }
  absl::Status EnableAlarmActions(const cloudwatch::EnableAlarmActionsRequest&) override {
    return absl::OkStatus();
  }
  absl::Status DisableAlarmActions(const cloudwatch::DisableAlarmActionsRequest&) override {
    return absl::OkStatus();
  }
  absl::Status TagResource(const cloudwatch::TagResourceRequest&) override {
    return absl::OkStatus();
  }
  absl::Status UntagResource(const cloudwatch::UntagResourceRequest&) override {
    return absl::OkStatus();
  }
  absl::StatusOr<cloudwatch::ListTagsForResourceResult> ListTagsForResource(
      const cloudwatch::ListTagsForResourceRequest&) override {
    return cloudwatch::ListTagsForResourceResult{.tags = {{"k", "v"}}};
  }
  std::string RenderPrometheus() override { return ""; }
};

constexpr std::string_view kCloudWatchOperations[] = {
    "GetMetricStatistics",  "GetMetricData",     "ListMetrics",    "PutMetricData",
    "PutMetricAlarm",       "PutCompositeAlarm", "DescribeAlarms", "DescribeAlarmsForMetric",
    "DescribeAlarmHistory", "DeleteAlarms",      "SetAlarmState",  "EnableAlarmActions",
    "DisableAlarmActions",  "TagResource",       "UntagResource",  "ListTagsForResource",
};

constexpr std::string_view kOperations[] = {
    "CreateQueue",
    "DeleteQueue",
    "ListQueues",
    "GetQueueUrl",
    "GetQueueAttributes",
    "SetQueueAttributes",
    "PurgeQueue",
    "TagQueue",
    "UntagQueue",
    "ListQueueTags",
    "SendMessage",
    "SendMessageBatch",
    "ReceiveMessage",
    "DeleteMessage",
    "DeleteMessageBatch",
    "ChangeMessageVisibility",
    "ChangeMessageVisibilityBatch",
    "StartMessageMoveTask",
    "ListMessageMoveTasks",
    "CancelMessageMoveTask",
    "ListDeadLetterSourceQueues",
};

struct Harness {
  Harness() : urls("https://sqs.us-east-1.amazonaws.com", "http://127.0.0.1:1"), router({}) {
    std::shared_ptr<const wire::Api> sqs = wire::MakeSqsApi(service, urls);
    router.AddQuery(sqs);
    router.AddJson(sqs);
    router.AddCbor(sqs);
    std::shared_ptr<const wire::Api> cw = wire::MakeCloudWatchApi(cloudwatch);
    router.AddQuery(cw);
    router.AddJson(cw);
    router.AddCbor(cw);
  }
  StubService service;
  StubCloudWatch cloudwatch;
  wire::QueueUrlMapper urls;
  wire::Router router;
};

}  // namespace
}  // namespace wharf

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static wharf::Harness* harness = new wharf::Harness();
  if (size < 2) return 0;
  const uint8_t mode = data[0] & 3;
  const uint8_t pick = data[1];
  std::string_view rest(reinterpret_cast<const char*>(data) + 2, size - 2);

  wharf::wire::HttpRequest request;
  request.method = "POST";
  request.path = (pick & 0x80) ? "/000000000000/q" : "/";
  if ((data[0] & 4) != 0) {  // RPC v2 CBOR.
    request.headers = {{"smithy-protocol", "rpc-v2-cbor"}, {"content-type", "application/cbor"}};
    if ((data[0] & 8) == 0) {  // One of the operations of SQS or CloudWatch.
      request.path =
          (pick & 0x40) != 0
              ? "/service/GraniteServiceVersion20100801/operation/" +
                    std::string(
                        wharf::kCloudWatchOperations[pick %
                                                     std::size(wharf::kCloudWatchOperations)])
              : "/service/AmazonSQS/operation/" +
                    std::string(wharf::kOperations[pick % std::size(wharf::kOperations)]);
      request.body = std::string(rest);
    } else {  // An arbitrary path: the first line, then the body.
      size_t eol = rest.find('\n');
      request.path = std::string(rest.substr(0, eol));
      if (eol != std::string_view::npos) request.body = std::string(rest.substr(eol + 1));
    }
    if ((data[0] & 16) != 0) request.headers.emplace_back("content-encoding", "gzip");
    wharf::testing::FuzzHandle(harness->router, std::move(request));
    return 0;
  }
  switch (mode) {
    case 0:  // Query protocol form body.
      request.headers = {{"content-type", "application/x-www-form-urlencoded"}};
      request.body = std::string(rest);
      break;
    case 1: {  // JSON 1.0 for one of the operations of SQS or CloudWatch.
      const std::string target =
          (pick & 0x40) != 0
              ? "GraniteServiceVersion20100801." +
                    std::string(
                        wharf::kCloudWatchOperations[pick %
                                                     std::size(wharf::kCloudWatchOperations)])
              : "AmazonSQS." +
                    std::string(wharf::kOperations[pick % std::size(wharf::kOperations)]);
      request.headers = {{"content-type", "application/x-amz-json-1.0"}, {"x-amz-target", target}};
      request.body = std::string(rest);
      break;
    }
    case 2:  // GET with a query string.
      request.method = "GET";
      request.query = std::string(rest);
      break;
    default: {  // Arbitrary target: the first line, then the body.
      size_t eol = rest.find('\n');
      std::string_view target = rest.substr(0, eol);
      request.headers = {{"content-type", "application/x-amz-json-1.0"},
                         {"x-amz-target", std::string(target)},
                         {"authorization", std::string(target)}};
      if (eol != std::string_view::npos) request.body = std::string(rest.substr(eol + 1));
      break;
    }
  }
  if ((data[0] & 16) != 0) request.headers.emplace_back("content-encoding", "gzip");
  wharf::testing::FuzzHandle(harness->router, std::move(request));
  return 0;
}
