// The CloudWatch query protocol over a real broker (ManualClock): form
// decoding into the request structs of wharf/cloudwatch.h (member lists,
// nested MetricStat, StatisticValues, doubles), XML encoding of results
// (doubles as "4.0", ExtendedStatistics as entries, Timestamps/Values lists),
// errors in the monitoring namespace; the same table over AWS JSON 1.0
// (epoch-second timestamps, numbers, query-compatible errors) and Smithy RPC
// v2 CBOR; and the
// endpoint's routes outside the AWS protocols (GET /metrics, the test clock).

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "broker/wire/admin_routes.h"
#include "broker/wire/apis.h"
#include "broker/wire/cbor_codec.h"
#include "broker/wire/router.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rapidjson/document.h"
#include "tests/testing/status_matchers.h"
#include "tests/wire/wire_test_util.h"
#include "wharf/broker.h"
#include "wharf/clock.h"

namespace wharf::testing {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;
using Pairs = std::vector<std::pair<std::string, std::string>>;

constexpr char kNamespace[] = "http://monitoring.amazonaws.com/doc/2010-08-01/";
// ManualClock's default start, 2026-01-01T00:00:00Z.
constexpr int64_t kStart = 1767225600;

class CloudWatchQueryProtocolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(broker_, Broker::Open({.clock = clock_}));
    std::shared_ptr<const wire::Api> api = wire::MakeCloudWatchApi(broker_->cloudwatch());
    router_.AddQuery(api);
    router_.AddJson(api);
    router_.AddCbor(api);
    wire::AddAdminRoutes(router_, *broker_);
  }

  // A CloudWatch query request: Version 2010-08-01 plus `pairs`.
  wire::HttpResponse Call(Pairs pairs) {
    pairs.emplace_back("Version", "2010-08-01");
    return HandleNow(router_, QueryRequest(pairs));
  }
  // Calls and expects success; returns the XML body.
  std::string Ok(Pairs pairs) {
    const std::string action = pairs.front().second;
    wire::HttpResponse response = Call(std::move(pairs));
    EXPECT_EQ(response.status, 200) << action << ": " << response.body;
    EXPECT_THAT(response.body,
                HasSubstr("<" + action + "Response xmlns=\"" + std::string(kNamespace) + "\">"));
    return response.body;
  }

  wire::HttpResponse Plain(std::string method, std::string path, std::string body = "") {
    wire::HttpRequest request;
    request.method = std::move(method);
    request.path = std::move(path);
    request.headers = {{"host", "127.0.0.1:4566"}};
    request.body = std::move(body);
    return HandleNow(router_, std::move(request));
  }

  std::shared_ptr<ManualClock> clock_ = std::make_shared<ManualClock>();
  std::unique_ptr<Broker> broker_;
  wire::Router router_{wire::RouterOptions{}};
};

MATCHER_P2(IsCloudWatchError, code, message, "") {
  const wire::HttpResponse& response = arg;
  return ::testing::ExplainMatchResult(
      AllOf(HasSubstr(std::string("<ErrorResponse xmlns=\"") + kNamespace + "\">"),
            HasSubstr(std::string("<Code>") + code + "</Code>"),
            HasSubstr(std::string("<Message>") + message + "</Message>")),
      response.body, result_listener);
}

TEST_F(CloudWatchQueryProtocolTest, PutMetricDataThenGetMetricStatistics) {
  // Values/Counts, a single Value with a timestamp, and a StatisticSet.
  Ok({{"Action", "PutMetricData"},
      {"Namespace", "App"},
      {"MetricData.member.1.MetricName", "Latency"},
      {"MetricData.member.1.Dimensions.member.1.Name", "Host"},
      {"MetricData.member.1.Dimensions.member.1.Value", "a"},
      {"MetricData.member.1.Values.member.1", "1"},
      {"MetricData.member.1.Values.member.2", "2.5"},
      {"MetricData.member.1.Counts.member.1", "1"},
      {"MetricData.member.1.Counts.member.2", "2"},
      {"MetricData.member.1.Unit", "Milliseconds"},
      {"MetricData.member.2.MetricName", "Latency"},
      {"MetricData.member.2.Dimensions.member.1.Name", "Host"},
      {"MetricData.member.2.Dimensions.member.1.Value", "a"},
      {"MetricData.member.2.Timestamp", "2026-01-01T00:01:10Z"},
      {"MetricData.member.2.StatisticValues.SampleCount", "4"},
      {"MetricData.member.2.StatisticValues.Sum", "40"},
      {"MetricData.member.2.StatisticValues.Minimum", "1e-7"},
      {"MetricData.member.2.StatisticValues.Maximum", "20"},
      {"MetricData.member.2.Unit", "Milliseconds"}});

  std::string xml = Ok({{"Action", "GetMetricStatistics"},
                        {"Namespace", "App"},
                        {"MetricName", "Latency"},
                        {"Dimensions.member.1.Name", "Host"},
                        {"Dimensions.member.1.Value", "a"},
                        {"StartTime", "2026-01-01T00:00:00Z"},
                        {"EndTime", "2026-01-01T00:02:00Z"},
                        {"Period", "60"},
                        {"Statistics.member.1", "Sum"},
                        {"Statistics.member.2", "SampleCount"},
                        {"Statistics.member.3", "Minimum"},
                        {"Statistics.member.4", "Average"}});
  EXPECT_THAT(xml, HasSubstr("<Label>Latency</Label>"));
  EXPECT_THAT(xml, HasSubstr("<Datapoints><member><Timestamp>2026-01-01T00:00:00+00:00</Timestamp>"
                             "<SampleCount>3.0</SampleCount><Average>2.0</Average>"
                             "<Sum>6.0</Sum><Minimum>1.0</Minimum><Unit>Milliseconds</Unit>"
                             "</member><member><Timestamp>2026-01-01T00:01:00+00:00</Timestamp>"
                             "<SampleCount>4.0</SampleCount><Average>10.0</Average>"
                             "<Sum>40.0</Sum><Minimum>1e-07</Minimum>"));

  xml = Ok({{"Action", "GetMetricStatistics"},
            {"Namespace", "App"},
            {"MetricName", "Latency"},
            {"Dimensions.member.1.Name", "Host"},
            {"Dimensions.member.1.Value", "a"},
            {"StartTime", std::to_string(kStart)},  // Epoch seconds are accepted too.
            {"EndTime", std::to_string(kStart + 60)},
            {"Period", "60"},
            {"ExtendedStatistics.member.1", "p50"}});
  EXPECT_THAT(xml, HasSubstr("<ExtendedStatistics><entry><key>p50</key><value>2.5</value>"
                             "</entry></ExtendedStatistics>"));
  EXPECT_THAT(xml, Not(HasSubstr("<Sum>")));
}

TEST_F(CloudWatchQueryProtocolTest, GetMetricDataAndListMetrics) {
  Ok({{"Action", "PutMetricData"},
      {"Namespace", "App"},
      {"MetricData.member.1.MetricName", "Orders"},
      {"MetricData.member.1.Value", "3"},
      {"MetricData.member.2.MetricName", "Orders"},
      {"MetricData.member.2.Value", "4"},
      {"MetricData.member.2.Timestamp", "2026-01-01T00:01:00Z"}});

  std::string xml = Ok({{"Action", "GetMetricData"},
                        {"StartTime", "2026-01-01T00:00:00Z"},
                        {"EndTime", "2026-01-01T00:02:00Z"},
                        {"MetricDataQueries.member.1.Id", "orders"},
                        {"MetricDataQueries.member.1.MetricStat.Metric.Namespace", "App"},
                        {"MetricDataQueries.member.1.MetricStat.Metric.MetricName", "Orders"},
                        {"MetricDataQueries.member.1.MetricStat.Period", "60"},
                        {"MetricDataQueries.member.1.MetricStat.Stat", "Sum"}});
  // Newest first (ScanBy's default, TimestampDescending).
  EXPECT_THAT(xml, HasSubstr("<MetricDataResults><member><Id>orders</Id><Label>Orders</Label>"
                             "<Timestamps><member>2026-01-01T00:01:00+00:00</member>"
                             "<member>2026-01-01T00:00:00+00:00</member></Timestamps>"
                             "<Values><member>4.0</member><member>3.0</member></Values>"
                             "<StatusCode>Complete</StatusCode>"));

  xml = Ok({{"Action", "ListMetrics"}, {"Namespace", "App"}});
  EXPECT_THAT(
      xml,
      HasSubstr("<Metrics><member><Namespace>App</Namespace>"
                "<MetricName>Orders</MetricName><Dimensions></Dimensions></member></Metrics>"));
}

TEST_F(CloudWatchQueryProtocolTest, AlarmsThroughTheirLifecycle) {
  Ok({{"Action", "PutMetricAlarm"},
      {"AlarmName", "busy"},
      {"AlarmDescription", "too many"},
      {"MetricName", "Orders"},
      {"Namespace", "App"},
      {"Statistic", "Sum"},
      {"Period", "60"},
      {"EvaluationPeriods", "2"},
      {"DatapointsToAlarm", "1"},
      {"Threshold", "2.5"},
      {"ComparisonOperator", "GreaterThanOrEqualToThreshold"},
      {"TreatMissingData", "notBreaching"},
      {"ActionsEnabled", "false"}});
  std::string xml = Ok({{"Action", "DescribeAlarms"}, {"AlarmNames.member.1", "busy"}});
  EXPECT_THAT(xml, HasSubstr("<MetricAlarms><member><AlarmName>busy</AlarmName>"
                             "<AlarmArn>arn:aws:cloudwatch:us-east-1:000000000000:alarm:busy"
                             "</AlarmArn><AlarmDescription>too many</AlarmDescription>"));
  EXPECT_THAT(xml, HasSubstr("<ActionsEnabled>false</ActionsEnabled>"));
  EXPECT_THAT(xml, HasSubstr("<StateValue>INSUFFICIENT_DATA</StateValue>"));
  EXPECT_THAT(xml, HasSubstr("<Threshold>2.5</Threshold>"));
  EXPECT_THAT(xml, HasSubstr("<EvaluationPeriods>2</EvaluationPeriods>"
                             "<DatapointsToAlarm>1</DatapointsToAlarm>"));
  EXPECT_THAT(xml, HasSubstr("<TreatMissingData>notBreaching</TreatMissingData>"));
  EXPECT_THAT(xml, HasSubstr("<CompositeAlarms></CompositeAlarms>"));

  Ok({{"Action", "SetAlarmState"},
      {"AlarmName", "busy"},
      {"StateValue", "ALARM"},
      {"StateReason", "testing"},
      {"StateReasonData", "{\"a\":1}"}});
  xml = Ok({{"Action", "DescribeAlarms"}, {"StateValue", "ALARM"}});
  EXPECT_THAT(xml, HasSubstr("<StateReason>testing</StateReason>"));
  EXPECT_THAT(xml, HasSubstr("<StateReasonData>{&quot;a&quot;:1}</StateReasonData>"));

  xml = Ok({{"Action", "DescribeAlarmHistory"},
            {"AlarmName", "busy"},
            {"HistoryItemType", "StateUpdate"}});
  EXPECT_THAT(xml, HasSubstr("<HistorySummary>Alarm updated from INSUFFICIENT_DATA to ALARM"
                             "</HistorySummary>"));

  xml = Ok({{"Action", "DescribeAlarmsForMetric"}, {"MetricName", "Orders"}, {"Namespace", "App"}});
  EXPECT_THAT(xml, HasSubstr("<AlarmName>busy</AlarmName>"));

  Ok({{"Action", "EnableAlarmActions"}, {"AlarmNames.member.1", "busy"}});
  xml = Ok({{"Action", "DescribeAlarms"}, {"AlarmNames.member.1", "busy"}});
  EXPECT_THAT(xml, HasSubstr("<ActionsEnabled>true</ActionsEnabled>"));
  Ok({{"Action", "DisableAlarmActions"}, {"AlarmNames.member.1", "busy"}});
  Ok({{"Action", "DeleteAlarms"}, {"AlarmNames.member.1", "busy"}});
  xml = Ok({{"Action", "DescribeAlarms"}});
  EXPECT_THAT(xml, HasSubstr("<MetricAlarms></MetricAlarms>"));
}

// TagResource, UntagResource and ListTagsForResource on the query protocol
// (LocalStack test_store_tags[query], AWS-validated: the tags as
// <Tags><member><Key>/<Value>, none for a deleted alarm's ARN).
TEST_F(CloudWatchQueryProtocolTest, AlarmTags) {
  const std::string arn = "arn:aws:cloudwatch:us-east-1:000000000000:alarm:busy";
  Ok({{"Action", "PutMetricAlarm"},
      {"AlarmName", "busy"},
      {"MetricName", "Orders"},
      {"Namespace", "App"},
      {"Statistic", "Sum"},
      {"Period", "60"},
      {"EvaluationPeriods", "1"},
      {"Threshold", "30"},
      {"ComparisonOperator", "GreaterThanThreshold"},
      {"Tags.member.1.Key", "Environment"},
      {"Tags.member.1.Value", "Production"}});
  std::string xml = Ok({{"Action", "TagResource"},
                        {"ResourceARN", arn},
                        {"Tags.member.1.Key", "tag1"},
                        {"Tags.member.1.Value", "foo"},
                        {"Tags.member.2.Key", "tag2"},
                        {"Tags.member.2.Value", "bar"}});
  EXPECT_THAT(xml, HasSubstr("<TagResourceResult"));
  xml = Ok({{"Action", "UntagResource"}, {"ResourceARN", arn}, {"TagKeys.member.1", "tag1"}});
  EXPECT_THAT(xml, HasSubstr("<UntagResourceResult"));
  xml = Ok({{"Action", "ListTagsForResource"}, {"ResourceARN", arn}});
  EXPECT_THAT(xml, HasSubstr("<ListTagsForResourceResult><Tags>"
                             "<member><Key>Environment</Key><Value>Production</Value></member>"
                             "<member><Key>tag2</Key><Value>bar</Value></member>"
                             "</Tags></ListTagsForResourceResult>"));

  Ok({{"Action", "DeleteAlarms"}, {"AlarmNames.member.1", "busy"}});
  xml = Ok({{"Action", "ListTagsForResource"}, {"ResourceARN", arn}});
  EXPECT_THAT(xml, HasSubstr("<ListTagsForResourceResult><Tags></Tags>"));
  wire::HttpResponse response = Call({{"Action", "TagResource"},
                                      {"ResourceARN", arn},
                                      {"Tags.member.1.Key", "k"},
                                      {"Tags.member.1.Value", "v"}});
  EXPECT_EQ(response.status, 404);
  EXPECT_THAT(response, IsCloudWatchError("ResourceNotFoundException",
                                          "The resource " + arn + " does not exist."));
  response = Call({{"Action", "TagResource"}, {"ResourceARN", arn}});
  EXPECT_EQ(response.status, 400);
  EXPECT_THAT(response, IsCloudWatchError("MissingParameter", "The parameter Tags is required."));
}

TEST_F(CloudWatchQueryProtocolTest, ErrorsInTheMonitoringNamespace) {
  wire::HttpResponse response = Call({{"Action", "DeleteAlarms"}, {"AlarmNames.member.1", "nope"}});
  EXPECT_EQ(response.status, 404);
  EXPECT_THAT(response,
              IsCloudWatchError("ResourceNotFound", "The following alarms were not found: nope."));

  response = Call({{"Action", "PutMetricAlarm"}, {"AlarmName", "x"}});
  EXPECT_EQ(response.status, 400);
  EXPECT_THAT(response.body, HasSubstr("<Code>MissingParameter</Code>"));

  response = Call({{"Action", "PutMetricData"},
                   {"Namespace", "App"},
                   {"MetricData.member.1.MetricName", "m"},
                   {"MetricData.member.1.Value", "lots"}});
  EXPECT_EQ(response.status, 400);
  EXPECT_THAT(response,
              IsCloudWatchError("InvalidParameterValue",
                                "Value lots for parameter MetricData.member.1.Value is invalid. "
                                "Reason: Must be a number."));

  response = Call({{"Action", "ListDashboards"}});
  EXPECT_EQ(response.status, 400);
  EXPECT_THAT(response.body, HasSubstr("<Code>InvalidAction</Code>"));
}

TEST_F(CloudWatchQueryProtocolTest, PrometheusTextAtGetMetrics) {
  ASSERT_OK(broker_->sqs().CreateQueue({.queue_name = "jobs"}).status());
  clock_->Advance(absl::Seconds(1));
  wire::HttpResponse response = Plain("GET", "/metrics");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.content_type, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_THAT(response.body, HasSubstr("wharf_sqs_messages_sent_total{queue=\"jobs\"} 0"));

  response = Plain("POST", "/metrics");
  EXPECT_EQ(response.status, 405);
  EXPECT_THAT(response.headers,
              ::testing::Contains(std::pair<std::string, std::string>("Allow", "GET")));
}

TEST_F(CloudWatchQueryProtocolTest, TheClockMovesOverTheWireAndFiresWhatFallsDue) {
  wire::HttpResponse response = Plain("GET", "/_wharf/clock");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.content_type, "application/json");
  EXPECT_EQ(response.body, "{\"now\":\"2026-01-01T00:00:00.000Z\",\"epochMillis\":1767225600000}");

  // A delayed message becomes visible when the advance passes its delay.
  ASSERT_OK_AND_ASSIGN(sqs::CreateQueueResult queue,
                       broker_->sqs().CreateQueue({.queue_name = "later"}));
  ASSERT_OK(
      broker_->sqs()
          .SendMessage({.queue_url = queue.queue_url, .message_body = "hi", .delay_seconds = 10})
          .status());
  response = Plain("POST", "/_wharf/clock/advance", "{\"seconds\": 10.5}");
  EXPECT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(response.body, "{\"now\":\"2026-01-01T00:00:10.500Z\",\"epochMillis\":1767225610500}");
  EXPECT_EQ(clock_->Now(), absl::FromUnixMillis(1767225610500));
  ASSERT_OK_AND_ASSIGN(sqs::ReceiveMessageResult got,
                       broker_->sqs().ReceiveMessage({.queue_url = queue.queue_url}));
  ASSERT_EQ(got.messages.size(), 1u);
  EXPECT_EQ(got.messages[0].body, "hi");

  for (const char* bad : {"", "[]", "{}", "{\"seconds\": \"1\"}", "{\"seconds\": -1}",
                          "{\"seconds\": 2592001}", "{\"seconds\": 1e400}", "{\"seconds\": 1"}) {
    response = Plain("POST", "/_wharf/clock/advance", bad);
    EXPECT_EQ(response.status, 400) << bad;
    EXPECT_THAT(response.body, HasSubstr("\"message\":")) << bad;
  }
  EXPECT_EQ(clock_->Now(), absl::FromUnixMillis(1767225610500));
  EXPECT_EQ(Plain("GET", "/_wharf/clock/advance").status, 405);
}

// ---- AWS JSON 1.0 -------------------------------------------------------------

wire::HttpResponse CallJson(const wire::Router& router, const std::string& operation,
                            std::string body, bool query_mode = false) {
  wire::HttpRequest request =
      JsonRequest(operation, std::move(body), "GraniteServiceVersion20100801");
  if (query_mode) request.headers.emplace_back("x-amzn-query-mode", "true");
  return HandleNow(router, std::move(request));
}

TEST_F(CloudWatchQueryProtocolTest, JsonPutMetricDataThenGetMetricStatistics) {
  wire::HttpResponse response = CallJson(router_, "PutMetricData", R"({
      "Namespace": "App",
      "MetricData": [
        {"MetricName": "Latency", "Dimensions": [{"Name": "Host", "Value": "a"}],
         "Values": [1, 2.5], "Counts": [1, 2], "Unit": "Milliseconds"},
        {"MetricName": "Latency", "Dimensions": [{"Name": "Host", "Value": "a"}],
         "Timestamp": 1767225670.5, "Unit": "Milliseconds",
         "StatisticValues": {"SampleCount": 4, "Sum": 40, "Minimum": 1e-7, "Maximum": 20}}]})");
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(response.body, "{}");
  EXPECT_EQ(response.content_type, "application/x-amz-json-1.0");

  response = CallJson(router_, "GetMetricStatistics", R"({
      "Namespace": "App", "MetricName": "Latency", "Dimensions": [{"Name": "Host", "Value": "a"}],
      "StartTime": 1767225600, "EndTime": "2026-01-01T00:02:00Z", "Period": 60,
      "Statistics": ["Sum", "Minimum", "SampleCount"]})");
  ASSERT_EQ(response.status, 200) << response.body;
  rapidjson::Document doc = ParseJson(response.body);
  EXPECT_STREQ(doc["Label"].GetString(), "Latency");
  const auto& points = doc["Datapoints"];
  ASSERT_EQ(points.Size(), 2u) << response.body;
  // Ordered by time; timestamps are epoch seconds.
  EXPECT_EQ(points[0]["Timestamp"].GetInt64(), kStart);
  EXPECT_EQ(points[0]["Sum"].GetDouble(), 6.0);
  EXPECT_EQ(points[0]["SampleCount"].GetDouble(), 3.0);
  EXPECT_STREQ(points[0]["Unit"].GetString(), "Milliseconds");
  EXPECT_EQ(points[1]["Timestamp"].GetInt64(), kStart + 60);
  EXPECT_EQ(points[1]["Minimum"].GetDouble(), 1e-7);
  EXPECT_FALSE(points[1].HasMember("Maximum"));
}

// Current SDKs gzip PutMetricData bodies from 10 KiB on.
TEST_F(CloudWatchQueryProtocolTest, GzipBodiesAreInflated) {
  std::string data;
  for (int i = 0; i < 200; ++i) {
    absl::StrAppend(&data, i == 0 ? "" : ",", R"({"MetricName": "m)", i,
                    R"(", "Dimensions": [{"Name": "Host", "Value": "host-)", i,
                    R"("}], "Value": 1})");
  }
  wire::HttpRequest request =
      JsonRequest("PutMetricData", Gzip(R"({"Namespace": "App", "MetricData": [)" + data + "]}"),
                  "GraniteServiceVersion20100801");
  request.headers.emplace_back("content-encoding", "gzip");
  wire::HttpResponse response = HandleNow(router_, request);
  ASSERT_EQ(response.status, 200) << response.body;
  response = CallJson(router_, "ListMetrics", R"({"Namespace": "App"})");
  EXPECT_EQ(ParseJson(response.body)["Metrics"].Size(), 200u);

  // The query protocol too, and what does not inflate is refused.
  wire::HttpRequest query = QueryRequest({{"Action", "ListMetrics"}, {"Version", "2010-08-01"}});
  query.body = Gzip(query.body);
  query.headers.emplace_back("content-encoding", "GZIP");
  EXPECT_EQ(HandleNow(router_, query).status, 200);
  request.body = "not gzip";
  response = HandleNow(router_, request);
  EXPECT_EQ(response.status, 400);
  EXPECT_THAT(response.body, HasSubstr("not valid gzip"));
}

TEST_F(CloudWatchQueryProtocolTest, JsonAlarmsRoundTrip) {
  wire::HttpResponse response = CallJson(router_, "PutMetricAlarm", R"({
      "AlarmName": "errors", "MetricName": "Errors", "Namespace": "App", "Statistic": "Sum",
      "Dimensions": [{"Name": "Service", "Value": "api"}], "Period": "60",
      "EvaluationPeriods": 1, "Threshold": 5.5, "ComparisonOperator": "GreaterThanThreshold",
      "ActionsEnabled": false})");
  ASSERT_EQ(response.status, 200) << response.body;
  response = CallJson(router_, "DescribeAlarms", R"({"AlarmNames": ["errors"]})");
  ASSERT_EQ(response.status, 200) << response.body;
  rapidjson::Document doc = ParseJson(response.body);
  ASSERT_EQ(doc["MetricAlarms"].Size(), 1u) << response.body;
  const auto& alarm = doc["MetricAlarms"][0];
  EXPECT_STREQ(alarm["AlarmArn"].GetString(),
               "arn:aws:cloudwatch:us-east-1:000000000000:alarm:errors");
  EXPECT_EQ(alarm["Threshold"].GetDouble(), 5.5);
  EXPECT_EQ(alarm["Period"].GetInt(), 60);  // Given as a string (query-compatible).
  EXPECT_FALSE(alarm["ActionsEnabled"].GetBool());
  EXPECT_STREQ(alarm["StateValue"].GetString(), "INSUFFICIENT_DATA");
  EXPECT_EQ(alarm["StateUpdatedTimestamp"].GetInt64(), kStart);
  EXPECT_STREQ(alarm["Dimensions"][0]["Value"].GetString(), "api");
  EXPECT_EQ(doc["CompositeAlarms"].Size(), 0u);
}

TEST_F(CloudWatchQueryProtocolTest, JsonErrorsCarryTheQueryCode) {
  wire::HttpResponse response =
      CallJson(router_, "DeleteAlarms", R"({"AlarmNames": ["never-created"]})");
  // 400 over JSON; the query status 404 only in query mode, as current SDKs
  // ask (LocalStack test_exception_serializing_with_no_shape_in_spec,
  // AWS-validated).
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(CallJson(router_, "DeleteAlarms", R"({"AlarmNames": ["never-created"]})", true).status,
            404);
  EXPECT_EQ(response.content_type, "application/x-amz-json-1.0");
  EXPECT_EQ(HeaderOf(response, "x-amzn-query-error"), "ResourceNotFound;Sender");
  rapidjson::Document doc = ParseJson(response.body);
  EXPECT_STREQ(doc["__type"].GetString(), "com.amazonaws.cloudwatch.v2010_08_01#ResourceNotFound");

  // A non-finite double as Smithy spells it reaches the service, which
  // refuses it; a value of the wrong type is the codec's error.
  response =
      CallJson(router_, "PutMetricData",
               R"({"Namespace": "App", "MetricData": [{"MetricName": "m", "Value": "NaN"}]})");
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(HeaderOf(response, "x-amzn-query-error"), "InvalidParameterValue;Sender");
  doc = ParseJson(response.body);
  EXPECT_STREQ(doc["__type"].GetString(),
               "com.amazonaws.cloudwatch.v2010_08_01#InvalidParameterValueException");
  response = CallJson(router_, "PutMetricData",
                      R"({"Namespace": "App", "MetricData": [{"MetricName": "m", "Value": "1"}]})");
  EXPECT_EQ(response.status, 400);
  EXPECT_THAT(response.body, HasSubstr("SerializationException"));

  response = CallJson(router_, "PutDashboard", "{}");
  EXPECT_EQ(response.status, 400);
  EXPECT_THAT(response.body, HasSubstr("PutDashboard"));
}

TEST_F(CloudWatchQueryProtocolTest, JsonAlarmTags) {
  ASSERT_EQ(CallJson(router_, "PutMetricAlarm", R"({
      "AlarmName": "errors", "MetricName": "Errors", "Namespace": "App", "Statistic": "Sum",
      "Period": 60, "EvaluationPeriods": 1, "Threshold": 1,
      "ComparisonOperator": "GreaterThanThreshold"})")
                .status,
            200);
  const std::string arn = "arn:aws:cloudwatch:us-east-1:000000000000:alarm:errors";
  wire::HttpResponse response =
      CallJson(router_, "TagResource",
               R"({"ResourceARN": ")" + arn + R"(", "Tags": [{"Key": "tag1", "Value": "foo"}]})");
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(response.body, "{}");
  response = CallJson(router_, "ListTagsForResource", R"({"ResourceARN": ")" + arn + R"("})");
  ASSERT_EQ(response.status, 200) << response.body;
  rapidjson::Document doc = ParseJson(response.body);
  ASSERT_EQ(doc["Tags"].Size(), 1u);
  EXPECT_STREQ(doc["Tags"][0]["Key"].GetString(), "tag1");
  EXPECT_STREQ(doc["Tags"][0]["Value"].GetString(), "foo");
  response = CallJson(router_, "UntagResource",
                      R"({"ResourceARN": ")" + arn + R"(", "TagKeys": ["tag1"]})");
  ASSERT_EQ(response.status, 200) << response.body;
  response = CallJson(router_, "ListTagsForResource", R"({"ResourceARN": ")" + arn + R"("})");
  EXPECT_EQ(ParseJson(response.body)["Tags"].Size(), 0u);

  // The model's ResourceNotFoundException; a key too long is the request
  // validation's ValidationException.
  response = CallJson(router_, "UntagResource",
                      R"({"ResourceARN": ")" + arn + R"(x", "TagKeys": ["tag1"]})");
  EXPECT_EQ(HeaderOf(response, "x-amzn-query-error"), "ResourceNotFoundException;Sender");
  doc = ParseJson(response.body);
  EXPECT_STREQ(doc["__type"].GetString(),
               "com.amazonaws.cloudwatch.v2010_08_01#ResourceNotFoundException");
  response = CallJson(router_, "TagResource",
                      R"({"ResourceARN": ")" + arn + R"(", "Tags": [{"Key": ")" +
                          std::string(129, 'k') + R"(", "Value": "v"}]})");
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(HeaderOf(response, "x-amzn-query-error"), "ValidationError;Sender");
  EXPECT_THAT(ParseJson(response.body)["message"].GetString(),
              HasSubstr("at 'tags.1.member.key' failed to satisfy constraint: Member must have "
                        "length less than or equal to 128"));
}

// ---- Smithy RPC v2 CBOR ------------------------------------------------------

// CBOR text and maps of text keys, enough for the requests below.
std::string CborText(std::string_view text) {
  std::string out(1, static_cast<char>(0x60 | text.size()));  // Shorter than 24 bytes.
  return out.append(text);
}
std::string CborMap(const std::vector<std::pair<std::string, std::string>>& members) {
  std::string out(1, static_cast<char>(0xa0 | members.size()));
  for (const auto& [key, value] : members) out += CborText(key) + value;
  return out;
}

std::string CborArray(const std::vector<std::string>& items) {
  std::string out(1, static_cast<char>(0x80 | items.size()));
  for (const std::string& item : items) out += item;
  return out;
}

wire::HttpResponse CallCbor(const wire::Router& router, const std::string& operation,
                            std::string body) {
  wire::HttpRequest request;
  request.method = "POST";
  request.path = "/service/GraniteServiceVersion20100801/operation/" + operation;
  request.headers = {{"smithy-protocol", "rpc-v2-cbor"}, {"content-type", "application/cbor"}};
  request.body = std::move(body);
  return HandleNow(router, std::move(request));
}

TEST_F(CloudWatchQueryProtocolTest, CborAlarmsRoundTripAndErrorsCarryTheQueryCode) {
  const std::string five_and_a_half("\xfb\x40\x16\x00\x00\x00\x00\x00\x00", 9);  // 5.5
  wire::HttpResponse response =
      CallCbor(router_, "PutMetricAlarm",
               CborMap({{"AlarmName", CborText("errors")},
                        {"MetricName", CborText("Errors")},
                        {"Namespace", CborText("App")},
                        {"Statistic", CborText("Sum")},
                        {"Period", std::string("\x18\x3c", 2)},  // 60
                        {"EvaluationPeriods", std::string("\x01", 1)},
                        {"Threshold", five_and_a_half},
                        {"ComparisonOperator", CborText("GreaterThanThreshold")}}));
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(HeaderOf(response, "smithy-protocol"), "rpc-v2-cbor");
  EXPECT_EQ(response.body, "\xbf\xff");

  response =
      CallCbor(router_, "DescribeAlarms", CborMap({{"AlarmNames", "\x81" + CborText("errors")}}));
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(response.content_type, "application/cbor");
  EXPECT_TRUE(wire::IsCborMap(response.body));
  // Members as CBOR text keys and values; the threshold a double; the
  // timestamps tag 1 with whole epoch seconds.
  EXPECT_THAT(response.body, HasSubstr(CborText("StateValue") + "\x71INSUFFICIENT_DATA"));
  EXPECT_THAT(response.body, HasSubstr(CborText("Threshold") + five_and_a_half));
  EXPECT_THAT(response.body, HasSubstr(CborText("StateUpdatedTimestamp") + "\xc1\x1a\x69\x55\xb9"));

  response = CallCbor(router_, "DeleteAlarms",
                      CborMap({{"AlarmNames", "\x81" + CborText("never-created")}}));
  EXPECT_EQ(response.status, 400);  // 404 only in query mode.
  EXPECT_EQ(HeaderOf(response, "x-amzn-query-error"), "ResourceNotFound;Sender");
  EXPECT_THAT(response.body, HasSubstr("com.amazonaws.cloudwatch.v2010_08_01#ResourceNotFound"));
  EXPECT_TRUE(wire::IsCborMap(response.body));
}

TEST_F(CloudWatchQueryProtocolTest, CborAlarmTags) {
  wire::HttpResponse response = CallCbor(
      router_, "PutMetricAlarm",
      CborMap({{"AlarmName", CborText("errors")},
               {"MetricName", CborText("Errors")},
               {"Namespace", CborText("App")},
               {"Statistic", CborText("Sum")},
               {"Period", std::string("\x18\x3c", 2)},  // 60
               {"EvaluationPeriods", std::string("\x01", 1)},
               {"Threshold", std::string("\x01", 1)},
               {"ComparisonOperator", CborText("GreaterThanThreshold")},
               {"Tags",
                CborArray({CborMap({{"Key", CborText("team")}, {"Value", CborText("core")}})})}}));
  ASSERT_EQ(response.status, 200) << response.body;
  // 56 characters: a text string with a one-byte length.
  const std::string arn = "arn:aws:cloudwatch:us-east-1:000000000000:alarm:errors";
  const std::string arn_text = std::string("\x78") + static_cast<char>(arn.size()) + arn;
  response = CallCbor(
      router_, "TagResource",
      CborMap(
          {{"ResourceARN", arn_text},
           {"Tags", CborArray({CborMap({{"Key", CborText("env")}, {"Value", CborText("ci")}})})}}));
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_TRUE(wire::IsCborMap(response.body));
  response = CallCbor(router_, "ListTagsForResource", CborMap({{"ResourceARN", arn_text}}));
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_THAT(response.body,
              HasSubstr(CborText("Key") + CborText("team") + CborText("Value") + CborText("core")));
  EXPECT_THAT(response.body,
              HasSubstr(CborText("Key") + CborText("env") + CborText("Value") + CborText("ci")));
  response =
      CallCbor(router_, "UntagResource",
               CborMap({{"ResourceARN", arn_text}, {"TagKeys", CborArray({CborText("env")})}}));
  ASSERT_EQ(response.status, 200) << response.body;
  response = CallCbor(router_, "ListTagsForResource", CborMap({{"ResourceARN", arn_text}}));
  EXPECT_THAT(response.body, Not(HasSubstr(CborText("env"))));
}

// SetAlarmState's errors as AWS writes them: a state outside the enum is
// Coral's ValidationException, an unknown alarm ResourceNotFound without a
// message (LocalStack test_exception_serializing_with_no_shape_in_spec and
// test_set_alarm_invalid_input, AWS-validated).
// PutCompositeAlarm and the CompositeAlarms list on the three protocols,
// with the members AWS returns (LocalStack test_trigger_composite_alarm,
// AWS-validated).
TEST_F(CloudWatchQueryProtocolTest, CompositeAlarmsOnEveryProtocol) {
  Ok({{"Action", "PutMetricAlarm"},
      {"AlarmName", "child"},
      {"MetricName", "Orders"},
      {"Namespace", "App"},
      {"Statistic", "Sum"},
      {"Period", "60"},
      {"EvaluationPeriods", "1"},
      {"Threshold", "30"},
      {"ComparisonOperator", "GreaterThanThreshold"}});
  Ok({{"Action", "PutCompositeAlarm"},
      {"AlarmName", "parent"},
      {"AlarmRule", "ALARM(\"child\")"},
      {"AlarmDescription", "composite alarm description"},
      {"AlarmActions.member.1", "arn:aws:sns:us-east-1:000000000000:ops"},
      {"Tags.member.1.Key", "Environment"},
      {"Tags.member.1.Value", "Production"}});
  std::string xml = Ok({{"Action", "DescribeAlarms"},
                        {"AlarmNames.member.1", "parent"},
                        {"AlarmTypes.member.1", "CompositeAlarm"}});
  EXPECT_THAT(xml, HasSubstr("<MetricAlarms></MetricAlarms>"));
  EXPECT_THAT(xml, HasSubstr("<CompositeAlarms><member><ActionsEnabled>true</ActionsEnabled>"
                             "<AlarmActions><member>arn:aws:sns:us-east-1:000000000000:ops</member>"
                             "</AlarmActions><AlarmArn>arn:aws:cloudwatch:us-east-1:000000000000:"
                             "alarm:parent</AlarmArn>"));
  EXPECT_THAT(xml, HasSubstr("<AlarmRule>ALARM(&quot;child&quot;)</AlarmRule>"));
  EXPECT_THAT(xml, HasSubstr("<StateValue>OK</StateValue>"));
  EXPECT_THAT(xml, HasSubstr("<StateReasonData>{&quot;triggeringAlarms&quot;:[{&quot;arn&quot;:"));
  xml = Ok({{"Action", "ListTagsForResource"},
            {"ResourceARN", "arn:aws:cloudwatch:us-east-1:000000000000:alarm:parent"}});
  EXPECT_THAT(xml, HasSubstr("<Key>Environment</Key>"));

  wire::HttpResponse response = CallJson(router_, "PutCompositeAlarm", R"j({
      "AlarmName": "json-parent", "AlarmRule": "INSUFFICIENT_DATA(child) AND NOT ALARM(parent)",
      "OKActions": ["arn:aws:sns:us-east-1:000000000000:ops"], "ActionsEnabled": false})j");
  ASSERT_EQ(response.status, 200) << response.body;
  response = CallJson(router_, "DescribeAlarms",
                      R"({"AlarmNames": ["json-parent"], "AlarmTypes": ["CompositeAlarm"]})");
  ASSERT_EQ(response.status, 200) << response.body;
  rapidjson::Document doc = ParseJson(response.body);
  ASSERT_EQ(doc["CompositeAlarms"].Size(), 1u) << response.body;
  const auto& alarm = doc["CompositeAlarms"][0];
  EXPECT_STREQ(alarm["AlarmRule"].GetString(), "INSUFFICIENT_DATA(child) AND NOT ALARM(parent)");
  EXPECT_FALSE(alarm["ActionsEnabled"].GetBool());
  EXPECT_STREQ(alarm["StateValue"].GetString(), "ALARM");
  EXPECT_TRUE(alarm["StateUpdatedTimestamp"].IsNumber());
  EXPECT_FALSE(alarm.HasMember("ActionsSuppressor"));
  response = CallJson(router_, "PutCompositeAlarm",
                      R"j({"AlarmName": "bad", "AlarmRule": "ALARM(nope)"})j");
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(HeaderOf(response, "x-amzn-query-error"), "ValidationError;Sender");
  EXPECT_THAT(response.body, HasSubstr("Could not save the composite alarm as alarms [nope] in "
                                       "the alarm rule do not exist"));

  response = CallCbor(
      router_, "PutCompositeAlarm",
      CborMap({{"AlarmName", CborText("cbor-parent")}, {"AlarmRule", CborText("ALARM(child)")}}));
  ASSERT_EQ(response.status, 200) << response.body;
  response = CallCbor(router_, "DescribeAlarms",
                      CborMap({{"AlarmNames", "\x81" + CborText("cbor-parent")},
                               {"AlarmTypes", "\x81" + CborText("CompositeAlarm")}}));
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_THAT(response.body, HasSubstr(CborText("CompositeAlarms")));
  EXPECT_THAT(response.body, HasSubstr(CborText("AlarmRule") + CborText("ALARM(child)")));
  EXPECT_THAT(response.body, HasSubstr(CborText("StateValue") + CborText("OK")));
}

// An AT_LEAST rule and an ActionsSuppressor through the three protocols: the
// rule described as given, the suppressor's members (the suppressor as
// given, its periods) and, while actions are held, ActionsSuppressedBy and
// ActionsSuppressedReason; none of them on an alarm without a suppressor.
TEST_F(CloudWatchQueryProtocolTest, ActionsSuppressorOnEveryProtocol) {
  Ok({{"Action", "PutCompositeAlarm"}, {"AlarmName", "maint"}, {"AlarmRule", "FALSE"}});
  Ok({{"Action", "PutCompositeAlarm"},
      {"AlarmName", "svc"},
      {"AlarmRule", "AT_LEAST(1, NOT ALARM, (maint))"},
      {"ActionsSuppressor", "maint"},
      {"ActionsSuppressorWaitPeriod", "60"},
      {"ActionsSuppressorExtensionPeriod", "120"}});
  const Pairs describe = {{"Action", "DescribeAlarms"},
                          {"AlarmNames.member.1", "svc"},
                          {"AlarmTypes.member.1", "CompositeAlarm"}};
  std::string xml = Ok(describe);
  EXPECT_THAT(xml,
              HasSubstr("<ActionsEnabled>true</ActionsEnabled>"
                        "<ActionsSuppressedBy>WaitPeriod</ActionsSuppressedBy>"
                        "<ActionsSuppressedReason>Actions suppressed by WaitPeriod"
                        "</ActionsSuppressedReason><ActionsSuppressor>maint</ActionsSuppressor>"
                        "<ActionsSuppressorExtensionPeriod>120"
                        "</ActionsSuppressorExtensionPeriod><ActionsSuppressorWaitPeriod>60"
                        "</ActionsSuppressorWaitPeriod>"));
  EXPECT_THAT(xml, HasSubstr("<AlarmRule>AT_LEAST(1, NOT ALARM, (maint))</AlarmRule>"));
  EXPECT_THAT(xml, HasSubstr("<StateValue>ALARM</StateValue>"));
  EXPECT_THAT(Ok({{"Action", "DescribeAlarms"},
                  {"AlarmNames.member.1", "maint"},
                  {"AlarmTypes.member.1", "CompositeAlarm"}}),
              Not(HasSubstr("ActionsSuppress")));

  wire::HttpResponse response =
      CallCbor(router_, "DescribeAlarms",
               CborMap({{"AlarmNames", "\x81" + CborText("svc")},
                        {"AlarmTypes", "\x81" + CborText("CompositeAlarm")}}));
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_THAT(response.body, HasSubstr(CborText("ActionsSuppressedBy") + CborText("WaitPeriod")));
  EXPECT_THAT(response.body, HasSubstr(CborText("ActionsSuppressor") + CborText("maint")));

  // The WaitPeriod over: no more ActionsSuppressedBy, the suppressor stays.
  clock_->Advance(absl::Seconds(60));
  xml = Ok(describe);
  EXPECT_THAT(xml, Not(HasSubstr("ActionsSuppressedBy")));
  EXPECT_THAT(xml, HasSubstr("<ActionsSuppressor>maint</ActionsSuppressor>"));

  // AWS JSON 1.0: a suppressor by ARN, described as given; periods of 0.
  response = CallJson(router_, "PutCompositeAlarm", R"j({
      "AlarmName": "json-svc", "AlarmRule": "AT_LEAST(100%, OK, (maint, svc))",
      "ActionsSuppressor": "arn:aws:cloudwatch:us-east-1:000000000000:alarm:maint",
      "ActionsSuppressorWaitPeriod": 0, "ActionsSuppressorExtensionPeriod": 0})j");
  ASSERT_EQ(response.status, 200) << response.body;
  response = CallJson(router_, "DescribeAlarms",
                      R"({"AlarmNames": ["json-svc"], "AlarmTypes": ["CompositeAlarm"]})");
  ASSERT_EQ(response.status, 200) << response.body;
  rapidjson::Document doc = ParseJson(response.body);
  ASSERT_EQ(doc["CompositeAlarms"].Size(), 1u) << response.body;
  const auto& alarm = doc["CompositeAlarms"][0];
  EXPECT_STREQ(alarm["AlarmRule"].GetString(), "AT_LEAST(100%, OK, (maint, svc))");
  EXPECT_STREQ(alarm["StateValue"].GetString(), "OK");
  EXPECT_STREQ(alarm["ActionsSuppressor"].GetString(),
               "arn:aws:cloudwatch:us-east-1:000000000000:alarm:maint");
  EXPECT_EQ(alarm["ActionsSuppressorWaitPeriod"].GetInt(), 0);
  EXPECT_EQ(alarm["ActionsSuppressorExtensionPeriod"].GetInt(), 0);
  EXPECT_FALSE(alarm.HasMember("ActionsSuppressedBy"));
  EXPECT_FALSE(alarm.HasMember("ActionsSuppressedReason"));

  response = CallJson(router_, "PutCompositeAlarm",
                      R"j({"AlarmName": "bad", "AlarmRule": "TRUE",
                           "ActionsSuppressorWaitPeriod": 60})j");
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(HeaderOf(response, "x-amzn-query-error"), "InvalidParameterCombination;Sender");
  response = CallJson(router_, "PutCompositeAlarm",
                      R"j({"AlarmName": "bad", "AlarmRule": "TRUE", "ActionsSuppressor": "maint",
                           "ActionsSuppressorWaitPeriod": 60})j");
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(HeaderOf(response, "x-amzn-query-error"), "MissingParameter;Sender");
  EXPECT_THAT(response.body,
              HasSubstr("The parameter ActionsSuppressorExtensionPeriod is required."));
}

TEST_F(CloudWatchQueryProtocolTest, SetAlarmStateErrorsAsAwsWritesThem) {
  wire::HttpResponse response =
      CallJson(router_, "SetAlarmState",
               R"({"AlarmName": "nope", "StateValue": "INVALID", "StateReason": "test"})");
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(HeaderOf(response, "x-amzn-query-error"), "ValidationError;Sender");
  rapidjson::Document doc = ParseJson(response.body);
  EXPECT_STREQ(doc["__type"].GetString(), "com.amazon.coral.validate#ValidationException");
  EXPECT_STREQ(doc["message"].GetString(),
               "1 validation error detected: Value 'INVALID' at 'stateValue' failed to satisfy "
               "constraint: Member must satisfy enum value set: [INSUFFICIENT_DATA, ALARM, OK]");

  response = CallJson(router_, "SetAlarmState",
                      R"({"AlarmName": "nope", "StateValue": "OK", "StateReason": "test"})");
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(HeaderOf(response, "x-amzn-query-error"), "ResourceNotFound;Sender");
  doc = ParseJson(response.body);
  EXPECT_STREQ(doc["__type"].GetString(), "com.amazonaws.cloudwatch.v2010_08_01#ResourceNotFound");
  EXPECT_FALSE(doc.HasMember("message"));
  EXPECT_EQ(CallJson(router_, "SetAlarmState",
                     R"({"AlarmName": "nope", "StateValue": "OK", "StateReason": "test"})", true)
                .status,
            404);
}

TEST_F(CloudWatchQueryProtocolTest, CborPutMetricDataThenGetMetricStatistics) {
  const std::string dimensions =
      CborArray({CborMap({{"Name", CborText("Host")}, {"Value", CborText("a")}})});
  // Tag 1 with a fractional second (a double) and with whole seconds.
  const std::string at_70_5("\xc1\xfb\x41\xda\x55\x6e\x51\xa0\x00\x00", 10);
  const std::string at_0("\xc1\x1a\x69\x55\xb9\x00", 6);
  const std::string at_120("\xc1\x1a\x69\x55\xb9\x78", 6);
  wire::HttpResponse response = CallCbor(
      router_, "PutMetricData",
      CborMap({{"Namespace", CborText("App")},
               {"MetricData", CborArray({CborMap({{"MetricName", CborText("Latency")},
                                                  {"Dimensions", dimensions},
                                                  {"Timestamp", at_70_5},
                                                  {"Values", CborArray({"\x01", "\x02", "\x03"})},
                                                  {"Unit", CborText("Milliseconds")}})})}}));
  ASSERT_EQ(response.status, 200) << response.body;

  response = CallCbor(router_, "GetMetricStatistics",
                      CborMap({{"Namespace", CborText("App")},
                               {"MetricName", CborText("Latency")},
                               {"Dimensions", dimensions},
                               {"StartTime", at_0},
                               {"EndTime", at_120},
                               {"Period", std::string("\x18\x3c", 2)},
                               {"ExtendedStatistics", CborArray({CborText("p100")})}}));
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_TRUE(wire::IsCborMap(response.body));
  // One datapoint, at the start of the minute from 60 s, with a definite map
  // of its percentile: p100 = 3.0.
  EXPECT_THAT(response.body, HasSubstr(CborText("Timestamp") + "\xc1\x1a\x69\x55\xb9\x3c"));
  EXPECT_THAT(response.body, HasSubstr(CborText("ExtendedStatistics") + "\xa1" + CborText("p100") +
                                       std::string("\xfb\x40\x08\x00\x00\x00\x00\x00\x00", 9)));

  // A non-finite value, as CBOR carries it, is refused by the service.
  response = CallCbor(
      router_, "PutMetricData",
      CborMap({{"Namespace", CborText("App")},
               {"MetricData", CborArray({CborMap({{"MetricName", CborText("Latency")},
                                                  {"Value", std::string("\xf9\x7c\x00", 3)}})})}}));
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(HeaderOf(response, "x-amzn-query-error"), "InvalidParameterValue;Sender");
}

TEST(AdminRoutesTest, TheClockRoutesNeedAManualClock) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Broker> broker, Broker::Open({}));
  wire::Router router{wire::RouterOptions{}};
  wire::AddAdminRoutes(router, *broker);
  for (auto [method, path] : std::vector<std::pair<std::string, std::string>>{
           {"GET", "/_wharf/clock"}, {"POST", "/_wharf/clock/advance"}}) {
    wire::HttpRequest request;
    request.method = method;
    request.path = path;
    request.body = "{\"seconds\": 1}";
    wire::HttpResponse response = HandleNow(router, std::move(request));
    EXPECT_EQ(response.status, 403) << path;
    EXPECT_THAT(response.body, HasSubstr("--clock=manual")) << path;
  }
}

}  // namespace
}  // namespace wharf::testing
