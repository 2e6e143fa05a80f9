// CloudWatch metric alarms through the broker, on the ManualClock: the
// parameter checks, evaluation at each minute of broker time, state changes
// with their reasons and history, SNS notifications delivered into a
// subscribed queue (AWS's JSON), OK and INSUFFICIENT_DATA actions, enabling
// and disabling actions, SetAlarmState, DeleteAlarms, and the dead-letter
// queue alarm end to end.

#include <rapidjson/document.h>

#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "broker/base/mutex.h"
#include "tests/service/cloudwatch_fixture.h"

namespace wharf::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

// What an SQS subscriber of the alarm's topic received: the SNS envelope's
// Subject and its Message parsed as JSON.
struct Notification {
  std::string subject;
  rapidjson::Document message;
};

class CloudWatchAlarmTest : public CloudWatchTest {
 protected:
  CloudWatchAlarmTest() {
    alerts_ = Create("alerts");
    topic_ = CreateTopic("ops");
    SubscribeQueue(topic_, "alerts");
  }

  // Sum > 5 over 60 s, one period; every action notifies the topic.
  cloudwatch::PutMetricAlarmRequest ErrorsAlarm() {
    cloudwatch::PutMetricAlarmRequest r;
    r.alarm_name = "errors";
    r.alarm_description = "Too many errors";
    r.ok_actions = {topic_};
    r.alarm_actions = {topic_};
    r.insufficient_data_actions = {topic_};
    r.metric_name = "Errors";
    r.metric_namespace = "App";
    r.statistic = "Sum";
    r.period = 60;
    r.evaluation_periods = 1;
    r.threshold = 5;
    r.comparison_operator = "GreaterThanThreshold";
    return r;
  }
  void PutErrors(double n) {
    ASSERT_OK(cw().PutMetricData(
        {.metric_namespace = "App", .metric_data = {{.metric_name = "Errors", .value = n}}}));
  }
  cloudwatch::MetricAlarm Alarm(const std::string& name) {
    auto r = cw().DescribeAlarms({.alarm_names = {name}});
    EXPECT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->metric_alarms.size(), 1u);
    return r.ok() && !r->metric_alarms.empty() ? r->metric_alarms[0] : cloudwatch::MetricAlarm();
  }
  std::vector<Notification> Notifications() {
    std::vector<Notification> out;
    for (const sqs::Message& m : Receive(alerts_)) {
      rapidjson::Document envelope;
      envelope.Parse(m.body.c_str());
      EXPECT_FALSE(envelope.HasParseError()) << m.body;
      if (envelope.HasParseError()) continue;
      Notification& n = out.emplace_back();
      n.subject = envelope["Subject"].GetString();
      n.message.Parse(envelope["Message"].GetString());
      EXPECT_FALSE(n.message.HasParseError()) << envelope["Message"].GetString();
      EXPECT_OK(sqs().DeleteMessage({.queue_url = alerts_, .receipt_handle = m.receipt_handle}));
    }
    return out;
  }
  std::vector<std::string> History(const std::string& name, const std::string& type = "") {
    auto r = cw().DescribeAlarmHistory(
        {.alarm_name = name, .history_item_type = type, .scan_by = "TimestampAscending"});
    EXPECT_TRUE(r.ok()) << r.status();
    std::vector<std::string> out;
    if (r.ok()) {
      for (const auto& item : r->alarm_history_items) out.push_back(item.history_summary);
    }
    return out;
  }

  std::string alerts_;
  std::string topic_;
};

TEST_F(CloudWatchAlarmTest, LifecycleWithNotifications) {
  ASSERT_OK(cw().PutMetricAlarm(ErrorsAlarm()));
  cloudwatch::MetricAlarm a = Alarm("errors");
  EXPECT_EQ(a.alarm_arn, std::string("arn:aws:cloudwatch:us-east-1:") + kAccount + ":alarm:errors");
  EXPECT_EQ(a.state_value, "INSUFFICIENT_DATA");
  EXPECT_EQ(a.state_reason, "Unchecked: Initial alarm creation");
  // Neither was given: AWS describes neither (LocalStack
  // test_describe_minimal_metric_alarm, AWS-validated).
  EXPECT_EQ(a.treat_missing_data, "");
  EXPECT_EQ(a.datapoints_to_alarm, 0);

  // 10 errors in the first minute: ALARM when that minute is evaluated, at 60.
  PutErrors(10);
  AdvanceTo(59);
  EXPECT_EQ(Alarm("errors").state_value, "INSUFFICIENT_DATA");
  AdvanceTo(60);
  a = Alarm("errors");
  EXPECT_EQ(a.state_value, "ALARM");
  EXPECT_EQ(a.state_updated_timestamp, T(60));
  // Without DatapointsToAlarm, AWS's short form (LocalStack
  // test_put_metric_alarm, AWS-validated).
  EXPECT_EQ(a.state_reason,
            "Threshold Crossed: 1 datapoint [10.0 (01/01/26 00:00:00)] was greater than the "
            "threshold (5.0).");
  rapidjson::Document data;
  data.Parse(a.state_reason_data.c_str());
  ASSERT_FALSE(data.HasParseError()) << a.state_reason_data;
  EXPECT_STREQ(data["statistic"].GetString(), "Sum");
  EXPECT_EQ(data["period"].GetInt(), 60);
  EXPECT_EQ(data["recentDatapoints"][0].GetDouble(), 10);
  EXPECT_STREQ(data["queryDate"].GetString(), "2026-01-01T00:01:00.000+0000");

  std::vector<Notification> n = Notifications();
  ASSERT_THAT(n, SizeIs(1));
  EXPECT_EQ(n[0].subject, "ALARM: \"errors\" in US East (N. Virginia)");
  const rapidjson::Document& m = n[0].message;
  EXPECT_STREQ(m["AlarmName"].GetString(), "errors");
  EXPECT_STREQ(m["AlarmDescription"].GetString(), "Too many errors");
  EXPECT_STREQ(m["AWSAccountId"].GetString(), kAccount);
  EXPECT_STREQ(m["NewStateValue"].GetString(), "ALARM");
  EXPECT_FALSE(m["ActionExecutedAfterMuteWindow"].GetBool());  // As AWS now sends.
  EXPECT_STREQ(m["OldStateValue"].GetString(), "INSUFFICIENT_DATA");
  EXPECT_EQ(m["NewStateReason"].GetString(), a.state_reason);
  EXPECT_STREQ(m["StateChangeTime"].GetString(), "2026-01-01T00:01:00.000+0000");
  EXPECT_STREQ(m["Region"].GetString(), "US East (N. Virginia)");
  EXPECT_EQ(m["AlarmArn"].GetString(), a.alarm_arn);
  EXPECT_EQ(m["AlarmActions"][0].GetString(), topic_);
  const rapidjson::Value& trigger = m["Trigger"];
  EXPECT_STREQ(trigger["MetricName"].GetString(), "Errors");
  EXPECT_STREQ(trigger["Namespace"].GetString(), "App");
  EXPECT_STREQ(trigger["StatisticType"].GetString(), "Statistic");
  EXPECT_STREQ(trigger["Statistic"].GetString(), "SUM");
  EXPECT_TRUE(trigger["Unit"].IsNull());
  EXPECT_EQ(trigger["Period"].GetInt(), 60);
  EXPECT_EQ(trigger["EvaluationPeriods"].GetInt(), 1);
  EXPECT_STREQ(trigger["ComparisonOperator"].GetString(), "GreaterThanThreshold");
  EXPECT_EQ(trigger["Threshold"].GetDouble(), 5);
  EXPECT_STREQ(trigger["TreatMissingData"].GetString(), "missing");
  // Only a DatapointsToAlarm that was given (LocalStack test_set_alarm,
  // AWS-validated).
  EXPECT_FALSE(trigger.HasMember("DatapointsToAlarm"));

  // One error in the second minute: OK at 120, notified.
  AdvanceTo(90);
  PutErrors(1);
  AdvanceTo(120);
  a = Alarm("errors");
  EXPECT_EQ(a.state_value, "OK");
  EXPECT_THAT(a.state_reason, HasSubstr("1 datapoint [1.0 (01/01/26 00:01:00)] "
                                        "was not greater than the threshold (5.0)"));
  n = Notifications();
  ASSERT_THAT(n, SizeIs(1));
  EXPECT_EQ(n[0].subject, "OK: \"errors\" in US East (N. Virginia)");
  EXPECT_STREQ(n[0].message["OldStateValue"].GetString(), "ALARM");

  // No more data: the last datapoint keeps it OK while it is in the
  // evaluation range (3 periods), then INSUFFICIENT_DATA.
  AdvanceTo(240);
  EXPECT_EQ(Alarm("errors").state_value, "OK");
  EXPECT_THAT(Notifications(), IsEmpty());
  AdvanceTo(300);
  a = Alarm("errors");
  EXPECT_EQ(a.state_value, "INSUFFICIENT_DATA");
  EXPECT_EQ(a.state_reason, "Insufficient Data: 1 datapoint was unknown.");
  n = Notifications();
  ASSERT_THAT(n, SizeIs(1));
  EXPECT_STREQ(n[0].message["NewStateValue"].GetString(), "INSUFFICIENT_DATA");

  EXPECT_THAT(
      History("errors"),
      ElementsAre("Alarm \"errors\" created", "Alarm updated from INSUFFICIENT_DATA to ALARM",
                  "Successfully executed action " + topic_, "Alarm updated from ALARM to OK",
                  "Successfully executed action " + topic_,
                  "Alarm updated from OK to INSUFFICIENT_DATA",
                  "Successfully executed action " + topic_));
  EXPECT_THAT(History("errors", "StateUpdate"), SizeIs(3));
  auto newest = cw().DescribeAlarmHistory({.alarm_name = "errors", .max_records = 1});
  ASSERT_OK(newest.status());
  ASSERT_THAT(newest->alarm_history_items, SizeIs(1));
  EXPECT_EQ(newest->alarm_history_items[0].timestamp, T(300));  // Newest first by default.
  EXPECT_FALSE(newest->next_token.empty());

  // A StateUpdate carries the new state's reason data as an object
  // (LocalStack test_put_metric_alarm, AWS-validated).
  auto updates = cw().DescribeAlarmHistory({.alarm_name = "errors",
                                            .history_item_type = "StateUpdate",
                                            .scan_by = "TimestampAscending"});
  ASSERT_OK(updates.status());
  ASSERT_THAT(updates->alarm_history_items, SizeIs(3));
  rapidjson::Document first;
  first.Parse(updates->alarm_history_items[0].history_data.c_str());
  ASSERT_FALSE(first.HasParseError()) << updates->alarm_history_items[0].history_data;
  EXPECT_STREQ(first["newState"]["stateValue"].GetString(), "ALARM");
  ASSERT_TRUE(first["newState"]["stateReasonData"].IsObject());
  EXPECT_EQ(first["newState"]["stateReasonData"]["recentDatapoints"][0].GetDouble(), 10);
}

TEST_F(CloudWatchAlarmTest, DeadLetterQueueAlarmNotifiesASubscribedQueue) {
  Create("work-dlq");
  const std::string work = Create(
      "work", {{"RedrivePolicy", absl::StrCat("{\"deadLetterTargetArn\":\"", ArnOf("work-dlq"),
                                              "\",\"maxReceiveCount\":1}")}});
  cloudwatch::PutMetricAlarmRequest r;
  r.alarm_name = "work-dlq-not-empty";
  r.alarm_actions = {topic_};
  r.metric_name = "ApproximateNumberOfMessagesVisible";
  r.metric_namespace = "AWS/SQS";
  r.statistic = "Maximum";
  r.dimensions = {{"QueueName", "work-dlq"}};
  r.period = 60;
  r.evaluation_periods = 1;
  r.threshold = 0;
  r.comparison_operator = "GreaterThanThreshold";
  ASSERT_OK(cw().PutMetricAlarm(r));

  // A poison message: received once, then moved to the DLQ on the next receive.
  Send(work, "poison");
  ASSERT_THAT(Receive(work), SizeIs(1));
  AdvanceTo(31);
  ASSERT_THAT(Receive(work), IsEmpty());
  AdvanceTo(60);
  EXPECT_EQ(Alarm("work-dlq-not-empty").state_value, "ALARM");
  std::vector<Notification> n = Notifications();
  ASSERT_THAT(n, SizeIs(1));
  const rapidjson::Value& trigger = n[0].message["Trigger"];
  EXPECT_STREQ(trigger["MetricName"].GetString(), "ApproximateNumberOfMessagesVisible");
  EXPECT_STREQ(trigger["Namespace"].GetString(), "AWS/SQS");
  EXPECT_STREQ(trigger["Statistic"].GetString(), "MAXIMUM");
  EXPECT_STREQ(trigger["Dimensions"][0]["name"].GetString(), "QueueName");
  EXPECT_STREQ(trigger["Dimensions"][0]["value"].GetString(), "work-dlq");
  EXPECT_THAT(std::string(n[0].message["NewStateReason"].GetString()),
              HasSubstr("[1.0 (01/01/26 00:00:00)] was greater than the threshold (0.0)"));
  // Draining the DLQ brings it back to OK a minute later (no OK action).
  for (const sqs::Message& m : Receive(UrlOf("work-dlq"))) {
    ASSERT_OK(
        sqs().DeleteMessage({.queue_url = UrlOf("work-dlq"), .receipt_handle = m.receipt_handle}));
  }
  AdvanceTo(180);
  EXPECT_EQ(Alarm("work-dlq-not-empty").state_value, "OK");
  EXPECT_THAT(Notifications(), IsEmpty());
}

// Every state change goes to the default event bus as a "CloudWatch Alarm
// State Change" event (the User Guide's "Alarm events and EventBridge", its
// sample for a single-metric alarm), whether actions are enabled or not.
TEST_F(CloudWatchAlarmTest, StateChangesAreEventsOnTheDefaultBus) {
  const std::string events_queue = Create("alarm-events");
  ASSERT_OK(broker_->events()
                .PutRule({.name = "alarms",
                          .event_pattern = R"({"source":["aws.cloudwatch"],)"
                                           R"("detail-type":["CloudWatch Alarm State Change"]})"})
                .status());
  ASSERT_OK(
      broker_->events()
          .PutTargets({.rule = "alarms", .targets = {{.id = "q", .arn = ArnOf("alarm-events")}}})
          .status());
  cloudwatch::PutMetricAlarmRequest r = ErrorsAlarm();
  r.actions_enabled = false;
  ASSERT_OK(cw().PutMetricAlarm(r));
  AdvanceTo(30);
  PutErrors(9);
  AdvanceTo(60);
  ASSERT_EQ(Alarm("errors").state_value, "ALARM");
  ASSERT_OK(
      cw().SetAlarmState({.alarm_name = "errors", .state_value = "OK", .state_reason = "by hand"}));
  EXPECT_THAT(Notifications(), IsEmpty());  // Actions are disabled.

  std::vector<rapidjson::Document> events;
  for (const sqs::Message& m : Receive(events_queue)) {
    events.emplace_back().Parse(m.body.c_str());
    ASSERT_FALSE(events.back().HasParseError()) << m.body;
  }
  ASSERT_THAT(events, SizeIs(2));
  if (std::string(events[0]["detail"]["state"]["value"].GetString()) != "ALARM") {
    std::swap(events[0], events[1]);
  }
  const rapidjson::Value& e = events[0];
  EXPECT_STREQ(e["source"].GetString(), "aws.cloudwatch");
  EXPECT_STREQ(e["detail-type"].GetString(), "CloudWatch Alarm State Change");
  EXPECT_STREQ(e["account"].GetString(), kAccount);
  EXPECT_STREQ(e["region"].GetString(), "us-east-1");
  EXPECT_STREQ(e["time"].GetString(), "2026-01-01T00:01:00Z");
  ASSERT_EQ(e["resources"].Size(), 1u);
  EXPECT_EQ(std::string(e["resources"][0].GetString()),
            std::string("arn:aws:cloudwatch:us-east-1:") + kAccount + ":alarm:errors");
  const rapidjson::Value& d = e["detail"];
  EXPECT_STREQ(d["alarmName"].GetString(), "errors");
  EXPECT_STREQ(d["state"]["value"].GetString(), "ALARM");
  EXPECT_THAT(std::string(d["state"]["reason"].GetString()),
              HasSubstr("Threshold Crossed: 1 datapoint [9.0 (01/01/26 00:00:00)]"));
  EXPECT_TRUE(d["state"].HasMember("reasonData"));
  EXPECT_STREQ(d["state"]["timestamp"].GetString(), "2026-01-01T00:01:00.000+0000");
  EXPECT_STREQ(d["previousState"]["value"].GetString(), "INSUFFICIENT_DATA");
  EXPECT_STREQ(d["previousState"]["reason"].GetString(), "Unchecked: Initial alarm creation");
  EXPECT_STREQ(d["previousState"]["timestamp"].GetString(), "2026-01-01T00:00:00.000+0000");
  EXPECT_STREQ(d["configuration"]["description"].GetString(), "Too many errors");
  const rapidjson::Value& stat = d["configuration"]["metrics"][0]["metricStat"];
  EXPECT_STREQ(stat["metric"]["namespace"].GetString(), "App");
  EXPECT_STREQ(stat["metric"]["name"].GetString(), "Errors");
  EXPECT_EQ(stat["period"].GetInt(), 60);
  EXPECT_STREQ(stat["stat"].GetString(), "Sum");
  EXPECT_TRUE(d["configuration"]["metrics"][0]["returnData"].GetBool());

  // SetAlarmState's change: the previous state keeps its reason data and time.
  const rapidjson::Value& d2 = events[1]["detail"];
  EXPECT_STREQ(d2["state"]["value"].GetString(), "OK");
  EXPECT_STREQ(d2["state"]["reason"].GetString(), "by hand");
  EXPECT_FALSE(d2["state"].HasMember("reasonData"));
  EXPECT_STREQ(d2["previousState"]["value"].GetString(), "ALARM");
  EXPECT_EQ(std::string(d2["previousState"]["reason"].GetString()),
            std::string(d["state"]["reason"].GetString()));
  EXPECT_EQ(std::string(d2["previousState"]["reasonData"].GetString()),
            std::string(d["state"]["reasonData"].GetString()));
  EXPECT_STREQ(d2["previousState"]["timestamp"].GetString(), "2026-01-01T00:01:00.000+0000");
}

// A composite alarm's event: its rule and suppressor in the configuration,
// the suppression of its actions in the state (the User Guide's sample "State
// change for a composite alarm with a suppressor alarm").
TEST_F(CloudWatchAlarmTest, CompositeStateChangesAreEventsToo) {
  const std::string events_queue = Create("alarm-events");
  ASSERT_OK(broker_->events()
                .PutRule({.name = "alarms",
                          .event_pattern = R"({"source":["aws.cloudwatch"],)"
                                           R"("detail-type":["CloudWatch Alarm State Change"],)"
                                           R"("detail":{"alarmName":["service"]}})"})
                .status());
  ASSERT_OK(
      broker_->events()
          .PutTargets({.rule = "alarms", .targets = {{.id = "q", .arn = ArnOf("alarm-events")}}})
          .status());
  ASSERT_OK(cw().PutMetricAlarm(ErrorsAlarm()));
  cloudwatch::PutMetricAlarmRequest maintenance = ErrorsAlarm();
  maintenance.alarm_name = "maintenance";
  ASSERT_OK(cw().PutMetricAlarm(maintenance));
  ASSERT_OK(cw().PutCompositeAlarm({.alarm_name = "service",
                                    .alarm_rule = "ALARM(errors)",
                                    .alarm_actions = {topic_},
                                    .actions_suppressor = "maintenance",
                                    .actions_suppressor_wait_period = 120,
                                    .actions_suppressor_extension_period = 180}));
  AdvanceTo(10);
  ASSERT_OK(cw().SetAlarmState(
      {.alarm_name = "errors", .state_value = "ALARM", .state_reason = "by hand"}));

  std::vector<rapidjson::Document> events;
  for (const sqs::Message& m : Receive(events_queue)) {
    events.emplace_back().Parse(m.body.c_str());
    ASSERT_FALSE(events.back().HasParseError()) << m.body;
  }
  // Created: OK at once (its rule does not hold); then ALARM.
  ASSERT_THAT(events, SizeIs(2));
  if (std::string(events[0]["detail"]["state"]["value"].GetString()) != "ALARM") {
    std::swap(events[0], events[1]);
  }
  const rapidjson::Value& d = events[0]["detail"];
  EXPECT_STREQ(d["state"]["value"].GetString(), "ALARM");
  EXPECT_STREQ(d["state"]["actionsSuppressedBy"].GetString(), "WaitPeriod");
  EXPECT_STREQ(d["state"]["actionsSuppressedReason"].GetString(),
               "Actions suppressed by WaitPeriod");
  EXPECT_STREQ(d["previousState"]["value"].GetString(), "OK");
  EXPECT_STREQ(d["configuration"]["alarmRule"].GetString(), "ALARM(errors)");
  EXPECT_STREQ(d["configuration"]["actionsSuppressor"].GetString(), "maintenance");
  EXPECT_EQ(d["configuration"]["actionsSuppressorWaitPeriod"].GetInt(), 120);
  EXPECT_EQ(d["configuration"]["actionsSuppressorExtensionPeriod"].GetInt(), 180);
  EXPECT_FALSE(d["configuration"].HasMember("metrics"));
  EXPECT_STREQ(events[1]["detail"]["state"]["value"].GetString(), "OK");
  EXPECT_STREQ(events[1]["detail"]["previousState"]["value"].GetString(), "INSUFFICIENT_DATA");
}

// Creating, updating and deleting an alarm are "CloudWatch Alarm
// Configuration Change" events (the User Guide's samples "Update of a metric
// alarm", "Deletion of a metric math alarm").
TEST_F(CloudWatchAlarmTest, ConfigurationChangesAreEvents) {
  const std::string events_queue = Create("alarm-events");
  ASSERT_OK(broker_->events()
                .PutRule({.name = "alarms",
                          .event_pattern = R"({"source":["aws.cloudwatch"],)"
                                           R"("detail-type":)"
                                           R"(["CloudWatch Alarm Configuration Change"]})"})
                .status());
  ASSERT_OK(
      broker_->events()
          .PutTargets({.rule = "alarms", .targets = {{.id = "q", .arn = ArnOf("alarm-events")}}})
          .status());
  ASSERT_OK(cw().PutMetricAlarm(ErrorsAlarm()));
  AdvanceTo(30);
  cloudwatch::PutMetricAlarmRequest update = ErrorsAlarm();
  update.threshold = 7;
  update.treat_missing_data = "ignore";
  ASSERT_OK(cw().PutMetricAlarm(update));
  AdvanceTo(40);
  ASSERT_OK(cw().DeleteAlarms({.alarm_names = {"errors"}}));

  std::map<std::string, rapidjson::Document> by_operation;
  for (const sqs::Message& m : Receive(events_queue)) {
    rapidjson::Document e;
    e.Parse(m.body.c_str());
    ASSERT_FALSE(e.HasParseError()) << m.body;
    EXPECT_STREQ(e["detail-type"].GetString(), "CloudWatch Alarm Configuration Change");
    EXPECT_EQ(std::string(e["resources"][0].GetString()),
              std::string("arn:aws:cloudwatch:us-east-1:") + kAccount + ":alarm:errors");
    by_operation[e["detail"]["operation"].GetString()] = std::move(e);
  }
  ASSERT_EQ(by_operation.size(), 3u);
  const rapidjson::Value& created = by_operation["create"]["detail"];
  EXPECT_STREQ(created["alarmName"].GetString(), "errors");
  EXPECT_STREQ(created["state"]["value"].GetString(), "INSUFFICIENT_DATA");
  EXPECT_STREQ(created["state"]["timestamp"].GetString(), "2026-01-01T00:00:00.000+0000");
  const rapidjson::Value& c = created["configuration"];
  EXPECT_STREQ(c["alarmName"].GetString(), "errors");
  EXPECT_STREQ(c["description"].GetString(), "Too many errors");
  EXPECT_EQ(c["evaluationPeriods"].GetInt(), 1);
  EXPECT_EQ(c["threshold"].GetDouble(), 5);
  EXPECT_STREQ(c["comparisonOperator"].GetString(), "GreaterThanThreshold");
  EXPECT_FALSE(c.HasMember("treatMissingData"));  // Not given.
  EXPECT_STREQ(c["metrics"][0]["metricStat"]["metric"]["name"].GetString(), "Errors");
  EXPECT_STREQ(c["metrics"][0]["metricStat"]["stat"].GetString(), "Sum");
  EXPECT_TRUE(c["actionsEnabled"].GetBool());
  EXPECT_STREQ(c["timestamp"].GetString(), "2026-01-01T00:00:00.000+0000");
  EXPECT_STREQ(c["okActions"][0].GetString(), topic_.c_str());
  EXPECT_FALSE(created.HasMember("previousConfiguration"));

  const rapidjson::Value& updated = by_operation["update"]["detail"];
  EXPECT_EQ(updated["configuration"]["threshold"].GetDouble(), 7);
  EXPECT_STREQ(updated["configuration"]["treatMissingData"].GetString(), "ignore");
  EXPECT_STREQ(updated["configuration"]["timestamp"].GetString(), "2026-01-01T00:00:30.000+0000");
  EXPECT_EQ(updated["previousConfiguration"]["threshold"].GetDouble(), 5);
  EXPECT_STREQ(updated["previousConfiguration"]["timestamp"].GetString(),
               "2026-01-01T00:00:00.000+0000");

  const rapidjson::Value& deleted = by_operation["delete"]["detail"];
  EXPECT_EQ(deleted["configuration"]["threshold"].GetDouble(), 7);
  EXPECT_FALSE(deleted.HasMember("previousConfiguration"));
}

TEST_F(CloudWatchAlarmTest, TreatMissingDataWithNoDataAtAll) {
  for (const char* t : {"missing", "breaching", "notBreaching", "ignore"}) {
    cloudwatch::PutMetricAlarmRequest r = ErrorsAlarm();
    r.alarm_name = t;
    r.treat_missing_data = t;
    r.ok_actions = r.alarm_actions = r.insufficient_data_actions = {};
    ASSERT_OK(cw().PutMetricAlarm(r));
  }
  AdvanceTo(60);
  EXPECT_EQ(Alarm("missing").state_value, "INSUFFICIENT_DATA");
  EXPECT_EQ(Alarm("breaching").state_value, "ALARM");
  EXPECT_EQ(Alarm("breaching").state_reason,
            "Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint "
            "was treated as [Breaching].");
  // No datapoints: no startDate (LocalStack test_breaching_alarm_actions,
  // AWS-validated).
  rapidjson::Document data;
  data.Parse(Alarm("breaching").state_reason_data.c_str());
  ASSERT_FALSE(data.HasParseError());
  EXPECT_FALSE(data.HasMember("startDate"));
  EXPECT_EQ(data["recentDatapoints"].Size(), 0u);
  EXPECT_EQ(data["evaluatedDatapoints"].Size(), 1u);
  EXPECT_EQ(Alarm("notBreaching").state_value, "OK");
  EXPECT_EQ(Alarm("ignore").state_value, "INSUFFICIENT_DATA");
  auto alarming = cw().DescribeAlarms({.state_value = "ALARM"});
  ASSERT_OK(alarming.status());
  ASSERT_THAT(alarming->metric_alarms, SizeIs(1));
  EXPECT_EQ(alarming->metric_alarms[0].alarm_name, "breaching");
}

TEST_F(CloudWatchAlarmTest, TwoOutOfThreeFromTheGuideThroughTheService) {
  // Datapoints 0 - X - X (oldest first) in the five minutes before 300.
  cloudwatch::PutMetricAlarmRequest r = ErrorsAlarm();
  r.evaluation_periods = 3;
  r.datapoints_to_alarm = 2;
  r.treat_missing_data = "missing";
  r.ok_actions = r.alarm_actions = r.insufficient_data_actions = {};
  ASSERT_OK(cw().PutMetricAlarm(r));
  EXPECT_EQ(Alarm("errors").datapoints_to_alarm, 2);  // Given: described.
  EXPECT_EQ(Alarm("errors").treat_missing_data, "missing");
  PutErrors(0);
  AdvanceTo(120);
  PutErrors(9);
  AdvanceTo(240);
  PutErrors(9);
  AdvanceTo(299);
  EXPECT_EQ(Alarm("errors").state_value, "OK");  // At 240: 0 - X: 1 of 2 breaching.
  AdvanceTo(300);
  EXPECT_EQ(Alarm("errors").state_value, "ALARM");
  EXPECT_THAT(Alarm("errors").state_reason,
              HasSubstr("2 out of the last 3 datapoints [9.0 (01/01/26 00:04:00), 9.0 (01/01/26 "
                        "00:02:00)] were greater than the threshold"));
}

TEST_F(CloudWatchAlarmTest, HighResolutionAlarmsAreEvaluatedEveryTenSeconds) {
  cloudwatch::PutMetricAlarmRequest r = ErrorsAlarm();
  r.period = 10;
  r.ok_actions = r.alarm_actions = r.insufficient_data_actions = {};
  ASSERT_OK(cw().PutMetricAlarm(r));
  AdvanceTo(5);
  ASSERT_OK(cw().PutMetricData(
      {.metric_namespace = "App",
       .metric_data = {{.metric_name = "Errors", .value = 8, .storage_resolution = 1}}}));
  AdvanceTo(10);
  EXPECT_EQ(Alarm("errors").state_value, "ALARM");
  AdvanceTo(20);
  EXPECT_EQ(Alarm("errors").state_value, "ALARM");  // Its datapoint is still the newest.
}

TEST_F(CloudWatchAlarmTest, LowSampleCountPercentiles) {
  cloudwatch::PutMetricAlarmRequest r = ErrorsAlarm();
  r.statistic.clear();
  r.extended_statistic = "p99";
  r.ok_actions = r.alarm_actions = r.insufficient_data_actions = {};
  for (const char* mode : {"ignore", "evaluate"}) {
    r.alarm_name = mode;
    r.evaluate_low_sample_count_percentile = mode;
    ASSERT_OK(cw().PutMetricAlarm(r));
  }
  PutErrors(50);  // One sample: far below 10 / (1 - 0.99).
  AdvanceTo(60);
  EXPECT_EQ(Alarm("ignore").state_value, "INSUFFICIENT_DATA");
  EXPECT_EQ(Alarm("evaluate").state_value, "ALARM");
  EXPECT_EQ(Alarm("evaluate").extended_statistic, "p99");
}

TEST_F(CloudWatchAlarmTest, DisabledActionsAndSetAlarmState) {
  ASSERT_OK(cw().PutMetricAlarm(ErrorsAlarm()));
  ASSERT_OK(cw().DisableAlarmActions({.alarm_names = {"errors", "unknown"}}));
  EXPECT_FALSE(Alarm("errors").actions_enabled);
  PutErrors(10);
  AdvanceTo(60);
  EXPECT_EQ(Alarm("errors").state_value, "ALARM");
  EXPECT_THAT(Notifications(), IsEmpty());
  ASSERT_OK(cw().EnableAlarmActions({.alarm_names = {"errors"}}));

  // SetAlarmState runs the new state's actions; the next evaluation corrects it.
  ASSERT_OK(cw().SetAlarmState({.alarm_name = "errors",
                                .state_value = "OK",
                                .state_reason = "testing",
                                .state_reason_data = "{\"by\":\"test\"}"}));
  cloudwatch::MetricAlarm a = Alarm("errors");
  EXPECT_EQ(a.state_value, "OK");
  EXPECT_EQ(a.state_reason, "testing");
  EXPECT_EQ(a.state_reason_data, "{\"by\":\"test\"}");
  std::vector<Notification> n = Notifications();
  ASSERT_THAT(n, SizeIs(1));
  EXPECT_STREQ(n[0].message["NewStateReason"].GetString(), "testing");
  AdvanceTo(120);  // The first minute is still in the range: back to ALARM.
  EXPECT_EQ(Alarm("errors").state_value, "ALARM");
  EXPECT_THAT(Notifications(), SizeIs(1));

  EXPECT_THAT(cw().SetAlarmState({.alarm_name = "nope", .state_value = "OK", .state_reason = "x"}),
              HasErrorCode(ErrorCode::kCloudWatchResourceNotFound));
  EXPECT_THAT(
      cw().SetAlarmState({.alarm_name = "errors", .state_value = "BAD", .state_reason = "x"}),
      HasErrorCode(ErrorCode::kCloudWatchValidation));  // AWS's ValidationError.
  EXPECT_THAT(cw().SetAlarmState({.alarm_name = "errors", .state_value = "OK"}),
              HasErrorCode(ErrorCode::kCloudWatchMissingParameter));
  EXPECT_THAT(cw().SetAlarmState({.alarm_name = "errors",
                                  .state_value = "OK",
                                  .state_reason = "x",
                                  .state_reason_data = "{not json"}),
              HasErrorCode(ErrorCode::kCloudWatchInvalidFormat));
}

TEST_F(CloudWatchAlarmTest, UpdatesKeepTheStateAndDeletesAreAllOrNothing) {
  ASSERT_OK(cw().PutMetricAlarm(ErrorsAlarm()));
  PutErrors(10);
  AdvanceTo(60);
  ASSERT_EQ(Alarm("errors").state_value, "ALARM");
  cloudwatch::PutMetricAlarmRequest r = ErrorsAlarm();
  r.threshold = 100;
  ASSERT_OK(cw().PutMetricAlarm(r));
  cloudwatch::MetricAlarm a = Alarm("errors");
  EXPECT_EQ(a.state_value, "ALARM");
  EXPECT_EQ(a.threshold, 100);
  EXPECT_EQ(a.alarm_configuration_updated_timestamp, T(60));

  EXPECT_THAT(cw().DeleteAlarms({.alarm_names = {"errors", "missing"}}),
              HasError(ErrorCode::kCloudWatchResourceNotFound, HasSubstr("missing")));
  EXPECT_EQ(Alarm("errors").alarm_name, "errors");
  ASSERT_OK(cw().DeleteAlarms({.alarm_names = {"errors"}}));
  auto left = cw().DescribeAlarms({});
  ASSERT_OK(left.status());
  EXPECT_THAT(left->metric_alarms, IsEmpty());
  // Its history outlives it.
  EXPECT_EQ(History("errors").back(), "Alarm \"errors\" deleted");
  EXPECT_THAT(cw().DeleteAlarms({}), HasErrorCode(ErrorCode::kCloudWatchMissingParameter));
}

TEST_F(CloudWatchAlarmTest, DescribeAlarmsFiltersAndPages) {
  for (int i = 0; i < 5; ++i) {
    cloudwatch::PutMetricAlarmRequest r = ErrorsAlarm();
    r.alarm_name = absl::StrCat(i < 3 ? "api-" : "db-", i);
    if (i == 4) r.alarm_actions = {};
    ASSERT_OK(cw().PutMetricAlarm(r));
  }
  auto by_prefix = cw().DescribeAlarms({.alarm_name_prefix = "api-"});
  ASSERT_OK(by_prefix.status());
  EXPECT_THAT(by_prefix->metric_alarms, SizeIs(3));
  auto by_action = cw().DescribeAlarms({.action_prefix = topic_});
  ASSERT_OK(by_action.status());
  EXPECT_THAT(by_action->metric_alarms, SizeIs(5));  // db-4 still has OK actions.
  auto composite = cw().DescribeAlarms({.alarm_types = {"CompositeAlarm"}});
  ASSERT_OK(composite.status());
  EXPECT_THAT(composite->metric_alarms, IsEmpty());
  std::vector<std::string> names;
  cloudwatch::DescribeAlarmsRequest page{.max_records = 2};
  for (;;) {
    auto r = cw().DescribeAlarms(page);
    ASSERT_OK(r.status());
    for (const auto& a : r->metric_alarms) names.push_back(a.alarm_name);
    if (r->next_token.empty()) break;
    page.next_token = r->next_token;
  }
  EXPECT_THAT(names, ElementsAre("api-0", "api-1", "api-2", "db-3", "db-4"));
  auto for_metric = cw().DescribeAlarmsForMetric(
      {.metric_name = "Errors", .metric_namespace = "App", .statistic = "Sum"});
  ASSERT_OK(for_metric.status());
  EXPECT_THAT(for_metric->metric_alarms, SizeIs(5));

  EXPECT_THAT(cw().DescribeAlarms({.alarm_names = {"a"}, .alarm_name_prefix = "b"}),
              HasErrorCode(ErrorCode::kCloudWatchInvalidParameterCombination));
  EXPECT_THAT(cw().DescribeAlarms({.state_value = "PANIC"}),
              HasErrorCode(ErrorCode::kCloudWatchInvalidParameterValue));
  EXPECT_THAT(cw().DescribeAlarms({.max_records = 101}),
              HasErrorCode(ErrorCode::kCloudWatchInvalidParameterValue));
  EXPECT_THAT(cw().DescribeAlarms({.next_token = "x"}),
              HasErrorCode(ErrorCode::kCloudWatchInvalidNextToken));
  EXPECT_THAT(cw().DescribeAlarmHistory({.history_item_type = "Other"}),
              HasErrorCode(ErrorCode::kCloudWatchInvalidParameterValue));
}

// DescribeAlarmsForMetric names a metric by all of its dimensions: "If the
// metric has any associated dimensions, you must specify them" (its API
// reference).
TEST_F(CloudWatchAlarmTest, DescribeAlarmsForMetricMatchesEveryDimension) {
  ASSERT_OK(cw().PutMetricAlarm(ErrorsAlarm()));
  cloudwatch::PutMetricAlarmRequest api = ErrorsAlarm();
  api.alarm_name = "api-errors";
  api.dimensions = {{"Service", "api"}, {"Stage", "prod"}};
  ASSERT_OK(cw().PutMetricAlarm(api));
  cloudwatch::PutMetricAlarmRequest p99 = api;
  p99.alarm_name = "api-errors-p99";
  p99.statistic = "";
  p99.extended_statistic = "p99";
  ASSERT_OK(cw().PutMetricAlarm(p99));

  auto names = [&](const cloudwatch::DescribeAlarmsForMetricRequest& r) {
    std::vector<std::string> out;
    auto result = cw().DescribeAlarmsForMetric(r);
    EXPECT_TRUE(result.ok()) << result.status();
    if (result.ok()) {
      for (const auto& a : result->metric_alarms) out.push_back(a.alarm_name);
    }
    return out;
  };
  EXPECT_THAT(names({.metric_name = "Errors", .metric_namespace = "App"}), ElementsAre("errors"));
  EXPECT_THAT(names({.metric_name = "Errors",
                     .metric_namespace = "App",
                     .dimensions = {{"Stage", "prod"}, {"Service", "api"}}}),
              ElementsAre("api-errors", "api-errors-p99"));
  EXPECT_THAT(names({.metric_name = "Errors",
                     .metric_namespace = "App",
                     .extended_statistic = "p99",
                     .dimensions = {{"Service", "api"}, {"Stage", "prod"}}}),
              ElementsAre("api-errors-p99"));
  EXPECT_THAT(
      names(
          {.metric_name = "Errors", .metric_namespace = "App", .dimensions = {{"Service", "api"}}}),
      IsEmpty());
}

TEST_F(CloudWatchAlarmTest, LambdaActionsFailWithoutFunctionsAndSayWhyInHistory) {
  cloudwatch::PutMetricAlarmRequest r = ErrorsAlarm();
  r.alarm_actions = {std::string("arn:aws:lambda:us-east-1:") + kAccount + ":function:pager"};
  ASSERT_OK(cw().PutMetricAlarm(r));
  PutErrors(10);
  AdvanceTo(60);
  std::vector<std::string> actions = History("errors", "Action");
  ASSERT_THAT(actions, SizeIs(1));
  EXPECT_THAT(actions[0], HasSubstr("Failed to execute action arn:aws:lambda:"));
}

TEST_F(CloudWatchAlarmTest, LambdaActionsInvokeTheFunctionWithTheAlarmEvent) {
  Mutex mu;
  std::vector<std::string> payloads;
  ASSERT_OK(broker_->lambda()
                .CreateFunction(
                    {.function_name = "pager",
                     .handler = [&](const lambda::Invocation& in) -> absl::StatusOr<std::string> {
                       MutexLock lock(&mu);
                       payloads.push_back(in.payload());
                       return std::string();
                     }})
                .status());
  cloudwatch::PutMetricAlarmRequest r = ErrorsAlarm();
  r.alarm_actions = {std::string("arn:aws:lambda:us-east-1:") + kAccount + ":function:pager"};
  ASSERT_OK(cw().PutMetricAlarm(r));
  PutErrors(10);
  AdvanceTo(60);
  ASSERT_OK(broker_->lambda().RunUntilIdle());
  MutexLock lock(&mu);
  ASSERT_THAT(payloads, SizeIs(1));
  rapidjson::Document event;
  event.Parse(payloads[0].c_str());
  ASSERT_FALSE(event.HasParseError()) << payloads[0];
  EXPECT_STREQ(event["source"].GetString(), "aws.cloudwatch");
  EXPECT_STREQ(event["alarmData"]["alarmName"].GetString(), "errors");
  EXPECT_STREQ(event["alarmData"]["state"]["value"].GetString(), "ALARM");
  EXPECT_STREQ(event["alarmData"]["previousState"]["value"].GetString(), "INSUFFICIENT_DATA");
}

TEST_F(CloudWatchAlarmTest, PutMetricAlarmValidation) {
  using R = cloudwatch::PutMetricAlarmRequest;
  auto with = [&](auto change) {
    R r = ErrorsAlarm();
    change(r);
    return cw().PutMetricAlarm(r);
  };
  const ErrorCode kInvalid = ErrorCode::kCloudWatchInvalidParameterValue;
  const ErrorCode kMissing = ErrorCode::kCloudWatchMissingParameter;
  const ErrorCode kCombination = ErrorCode::kCloudWatchInvalidParameterCombination;
  EXPECT_THAT(with([](R& r) { r.alarm_name.clear(); }), HasErrorCode(kMissing));
  EXPECT_THAT(with([](R& r) { r.alarm_name = std::string(256, 'a'); }), HasErrorCode(kInvalid));
  EXPECT_THAT(with([](R& r) { r.alarm_name = "caf\xc3\xa9"; }), HasErrorCode(kInvalid));
  EXPECT_THAT(with([](R& r) { r.evaluation_periods.reset(); }), HasErrorCode(kMissing));
  EXPECT_THAT(with([](R& r) { r.evaluation_periods = 0; }), HasErrorCode(kInvalid));
  EXPECT_THAT(with([](R& r) { r.comparison_operator.clear(); }), HasErrorCode(kMissing));
  EXPECT_THAT(with([](R& r) { r.comparison_operator = "GreaterThanUpperThreshold"; }),
              HasErrorCode(kInvalid));
  EXPECT_THAT(with([](R& r) { r.metric_name.clear(); }), HasErrorCode(kMissing));
  EXPECT_THAT(with([](R& r) { r.metric_namespace.clear(); }), HasErrorCode(kMissing));
  EXPECT_THAT(with([](R& r) { r.extended_statistic = "p90"; }), HasErrorCode(kCombination));
  EXPECT_THAT(with([](R& r) { r.statistic.clear(); }), HasErrorCode(kMissing));
  EXPECT_THAT(with([](R& r) { r.statistic = "Median"; }), HasErrorCode(kInvalid));
  EXPECT_THAT(with([](R& r) {
                r.statistic.clear();
                r.extended_statistic = "p200";
              }),
              HasErrorCode(kInvalid));
  EXPECT_THAT(with([](R& r) { r.period.reset(); }), HasErrorCode(kMissing));
  for (int bad : {0, 5, 20, 90}) {
    EXPECT_THAT(with([&](R& r) { r.period = bad; }), HasErrorCode(kInvalid)) << bad;
  }
  EXPECT_THAT(with([](R& r) {
                r.period = 3600;
                r.evaluation_periods = 25;
              }),
              HasError(kCombination, HasSubstr("more than a day")));
  EXPECT_OK(with([](R& r) {
    r.period = 3600;
    r.evaluation_periods = 24;
  }));
  EXPECT_THAT(with([](R& r) { r.datapoints_to_alarm = 2; }), HasErrorCode(kInvalid));
  EXPECT_THAT(with([](R& r) { r.datapoints_to_alarm = 0; }), HasErrorCode(kInvalid));
  EXPECT_THAT(with([](R& r) { r.threshold.reset(); }), HasErrorCode(kMissing));
  EXPECT_THAT(with([](R& r) { r.treat_missing_data = "Breaching"; }), HasErrorCode(kInvalid));
  EXPECT_THAT(with([](R& r) { r.evaluate_low_sample_count_percentile = "maybe"; }),
              HasErrorCode(kInvalid));
  EXPECT_THAT(with([](R& r) { r.alarm_description = std::string(1025, 'd'); }),
              HasErrorCode(kInvalid));
  EXPECT_THAT(with([](R& r) { r.alarm_actions = std::vector<std::string>(6, r.alarm_actions[0]); }),
              HasErrorCode(kInvalid));
  EXPECT_THAT(with([](R& r) { r.alarm_actions = {"arn:aws:automate:us-east-1:ec2:stop"}; }),
              HasErrorCode(kInvalid));
  EXPECT_THAT(with([](R& r) { r.ok_actions = {"not-an-arn"}; }), HasErrorCode(kInvalid));
  EXPECT_THAT(with([](R& r) { r.unit = "Seconds/Second"; }), HasErrorCode(kInvalid));
  EXPECT_THAT(with([](R& r) { r.dimensions = {{"", "v"}}; }), HasErrorCode(kMissing));
  EXPECT_THAT(with([](R& r) { r.metrics = {{.id = "m1"}}; }), HasErrorCode(kInvalid));
  // None of these created anything.
  auto described = cw().DescribeAlarms({});
  ASSERT_OK(described.status());
  ASSERT_THAT(described->metric_alarms, SizeIs(1));  // The one valid 3600 x 24 alarm.
  EXPECT_EQ(described->metric_alarms[0].period, 3600);
}

// Tags of an alarm through TagResource, UntagResource and
// ListTagsForResource (LocalStack test_store_tags and
// test_tagging_metric_alarm, AWS-validated).
TEST_F(CloudWatchAlarmTest, TagsAreAddedReplacedRemovedAndGoWithTheAlarm) {
  cloudwatch::PutMetricAlarmRequest r = ErrorsAlarm();
  r.tags = {{"Environment", "Production"}};
  ASSERT_OK(cw().PutMetricAlarm(r));
  const std::string arn = Alarm("errors").alarm_arn;
  auto tags = [&](const std::string& resource) {
    auto listed = cw().ListTagsForResource({.resource_arn = resource});
    EXPECT_TRUE(listed.ok()) << listed.status();
    std::vector<std::pair<std::string, std::string>> out;
    if (listed.ok()) {
      for (const cloudwatch::Tag& t : listed->tags) out.emplace_back(t.key, t.value);
    }
    return out;
  };
  using P = std::pair<std::string, std::string>;
  EXPECT_THAT(tags(arn), ElementsAre(P{"Environment", "Production"}));

  ASSERT_OK(cw().TagResource({.resource_arn = arn, .tags = {{"tag1", "foo"}, {"tag2", "bar"}}}));
  EXPECT_THAT(tags(arn),
              ElementsAre(P{"Environment", "Production"}, P{"tag1", "foo"}, P{"tag2", "bar"}));
  // A key already there takes the new value, in place.
  ASSERT_OK(cw().TagResource({.resource_arn = arn, .tags = {{"Environment", "Staging"}}}));
  ASSERT_OK(cw().UntagResource({.resource_arn = arn, .tag_keys = {"tag1", "never-there"}}));
  EXPECT_THAT(tags(arn), ElementsAre(P{"Environment", "Staging"}, P{"tag2", "bar"}));

  // Updating the alarm ignores its Tags (PutMetricAlarm's API reference).
  r.tags = {{"other", "x"}};
  ASSERT_OK(cw().PutMetricAlarm(r));
  EXPECT_THAT(tags(arn), ElementsAre(P{"Environment", "Staging"}, P{"tag2", "bar"}));

  // DeleteAlarms drops them: the deleted alarm's ARN lists none, and an alarm
  // created again under the name starts with its own.
  ASSERT_OK(cw().DeleteAlarms({.alarm_names = {"errors"}}));
  EXPECT_THAT(tags(arn), IsEmpty());
  EXPECT_THAT(cw().TagResource({.resource_arn = arn, .tags = {{"k", "v"}}}),
              HasErrorCode(ErrorCode::kCloudWatchResourceNotFoundException));
  EXPECT_THAT(cw().UntagResource({.resource_arn = arn, .tag_keys = {"k"}}),
              HasErrorCode(ErrorCode::kCloudWatchResourceNotFoundException));
  r.tags = {};
  ASSERT_OK(cw().PutMetricAlarm(r));
  EXPECT_THAT(tags(arn), IsEmpty());
  // Another account's or region's ARN, or another kind of resource, names no alarm.
  EXPECT_THAT(tags("arn:aws:cloudwatch:eu-west-1:" + std::string(kAccount) + ":alarm:errors"),
              IsEmpty());
  EXPECT_THAT(cw().TagResource({.resource_arn = "arn:aws:cloudwatch::" + std::string(kAccount) +
                                                ":dashboard/errors",
                                .tags = {{"k", "v"}}}),
              HasErrorCode(ErrorCode::kCloudWatchResourceNotFoundException));
}

TEST_F(CloudWatchAlarmTest, TagLimits) {
  cloudwatch::PutMetricAlarmRequest r = ErrorsAlarm();
  const ErrorCode kInvalid = ErrorCode::kCloudWatchInvalidParameterValue;
  const ErrorCode kMissing = ErrorCode::kCloudWatchMissingParameter;
  const ErrorCode kValidation = ErrorCode::kCloudWatchValidation;
  auto many = [](int n, const std::string& prefix) {
    std::vector<cloudwatch::Tag> tags;
    for (int i = 0; i < n; ++i) tags.push_back({absl::StrCat(prefix, i), "v"});
    return tags;
  };
  // PutMetricAlarm: at most 50 (a key given twice counts once), keys 1-128,
  // values 0-256 characters.
  r.tags = many(51, "k");
  EXPECT_THAT(cw().PutMetricAlarm(r),
              HasError(kInvalid, "The collection Tags must not have a size greater than 50."));
  r.tags = {{std::string(129, 'k'), "v"}};
  EXPECT_THAT(cw().PutMetricAlarm(r), HasErrorCode(kValidation));
  r.tags = {{"k", std::string(257, 'v')}};
  EXPECT_THAT(cw().PutMetricAlarm(r), HasErrorCode(kValidation));
  r.tags = many(50, "k");
  r.tags.push_back({"k0", "again"});
  ASSERT_OK(cw().PutMetricAlarm(r));
  const std::string arn = Alarm("errors").alarm_arn;
  auto listed = cw().ListTagsForResource({.resource_arn = arn});
  ASSERT_OK(listed.status());
  ASSERT_THAT(listed->tags, SizeIs(50));
  EXPECT_EQ(listed->tags[0].value, "again");

  // TagResource: the alarm's tags after it are at most 50.
  EXPECT_THAT(cw().TagResource({.resource_arn = arn, .tags = {{"one-more", "v"}}}),
              HasErrorCode(kInvalid));
  EXPECT_OK(cw().TagResource({.resource_arn = arn, .tags = {{"k1", "replaced"}}}));
  ASSERT_OK(cw().UntagResource({.resource_arn = arn, .tag_keys = {"k2"}}));
  EXPECT_OK(cw().TagResource(
      {.resource_arn = arn, .tags = {{std::string(128, 'k'), std::string(256, 'v')}}}));
  EXPECT_THAT(cw().TagResource({.resource_arn = arn, .tags = {{"", "v"}}}),
              HasError(kValidation,
                       "1 validation error detected: Value '' at "
                       "'tags.1.member.key' failed to satisfy constraint: Member "
                       "must have length greater than or equal to 1"));
  EXPECT_THAT(
      cw().TagResource({.resource_arn = arn, .tags = {{"a", "v"}, {"b", std::string(257, 'v')}}}),
      HasError(kValidation, HasSubstr("at 'tags.2.member.value' failed to satisfy "
                                      "constraint: Member must have length less than or "
                                      "equal to 256")));
  EXPECT_THAT(cw().TagResource({.resource_arn = arn}),
              HasError(kMissing, "The parameter Tags is required."));
  EXPECT_THAT(cw().TagResource({.tags = {{"k", "v"}}}),
              HasError(kMissing, "The parameter ResourceARN is required."));
  EXPECT_THAT(cw().UntagResource({.resource_arn = arn}),
              HasError(kMissing, "The parameter TagKeys is required."));
  EXPECT_THAT(cw().ListTagsForResource({}), HasErrorCode(kMissing));
  EXPECT_THAT(cw().ListTagsForResource({.resource_arn = std::string(1025, 'a')}),
              HasError(kValidation, HasSubstr("at 'resourceARN' failed to satisfy constraint: "
                                              "Member must have length less than or equal to "
                                              "1024")));
  listed = cw().ListTagsForResource({.resource_arn = arn});
  ASSERT_OK(listed.status());
  EXPECT_THAT(listed->tags, SizeIs(50));
}

TEST(CloudWatchAlarmLimitTest, MaxAlarms) {
  BrokerOptions options;
  options.clock = std::make_shared<ManualClock>();
  options.metrics.max_alarms = 2;
  std::unique_ptr<Broker> broker = std::move(Broker::Open(options).value());
  cloudwatch::PutMetricAlarmRequest r;
  r.metric_name = "m";
  r.metric_namespace = "App";
  r.statistic = "Sum";
  r.period = 60;
  r.evaluation_periods = 1;
  r.threshold = 1;
  r.comparison_operator = "GreaterThanThreshold";
  for (const char* name : {"a", "b"}) {
    r.alarm_name = name;
    ASSERT_OK(broker->cloudwatch().PutMetricAlarm(r));
  }
  r.alarm_name = "c";
  EXPECT_THAT(broker->cloudwatch().PutMetricAlarm(r),
              HasErrorCode(ErrorCode::kCloudWatchLimitExceeded));
  r.alarm_name = "a";  // Updating one still works.
  EXPECT_OK(broker->cloudwatch().PutMetricAlarm(r));
}

}  // namespace
}  // namespace wharf::testing
