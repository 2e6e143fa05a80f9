// A durable broker (BrokerOptions::data_dir) reopened on the same directory
// and ManualClock: the state outside queues and topic configuration that it
// gives back. SNS FIFO topics: the deduplication window and the sequence
// numbers. CloudWatch metric and composite alarms: configuration, actions
// enabled, state, and their evaluation going on. Lambda event source mappings: their UUID and
// configuration, waiting for their function and polling again once it is
// created. Then the storage error path of each.

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "broker/base/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/service/durable_fixture.h"
#include "tests/testing/status_matchers.h"
#include "wharf/broker.h"
#include "wharf/clock.h"
#include "wharf/cloudwatch.h"
#include "wharf/errors.h"
#include "wharf/lambda.h"
#include "wharf/sns.h"
#include "wharf/sqs.h"

namespace wharf::testing {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::SizeIs;

using DurableStateTest = DurableFixture;

// ---- SNS FIFO topics ----------------------------------------------------------

class DurableFifoTopicTest : public DurableStateTest {
 protected:
  // A FIFO topic with a FIFO queue subscribed, to count what was delivered.
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(
        auto topic, sns().CreateTopic({.name = "orders.fifo",
                                       .attributes = {{"FifoTopic", "true"},
                                                      {"ContentBasedDeduplication", "true"}}}));
    topic_ = topic.topic_arn;
    ASSERT_OK_AND_ASSIGN(auto queue, sqs().CreateQueue({.queue_name = "inbox.fifo",
                                                        .attributes = {{"FifoQueue", "true"}}}));
    url_ = queue.queue_url;
    ASSERT_THAT(sns().Subscribe(
                    {.topic_arn = topic_,
                     .protocol = "sqs",
                     .endpoint = std::string("arn:aws:sqs:us-east-1:") + kAccount + ":inbox.fifo"}),
                IsOk());
  }

  absl::StatusOr<sns::PublishResult> Publish(const std::string& message,
                                             const std::string& dedup = "") {
    return sns().Publish({.topic_arn = topic_,
                          .message = message,
                          .message_deduplication_id = dedup,
                          .message_group_id = "g"});
  }

  std::string Queued() {
    auto got = sqs().GetQueueAttributes(
        {.queue_url = url_, .attribute_names = {"ApproximateNumberOfMessages"}});
    EXPECT_THAT(got, IsOk());
    return got.ok() ? got->attributes["ApproximateNumberOfMessages"] : "";
  }

  std::string topic_;
  std::string url_;
};

TEST_F(DurableFifoTopicTest, ADuplicateInsideTheWindowIsDeduplicatedAfterARestart) {
  ASSERT_OK_AND_ASSIGN(sns::PublishResult first, Publish("one", "id-1"));
  ASSERT_OK_AND_ASSIGN(sns::PublishResult by_content, Publish("two"));
  clock_->Advance(absl::Minutes(2));
  Reopen();
  clock_->Advance(absl::Minutes(2));
  // Both duplicates get the original answer and deliver nothing.
  ASSERT_OK_AND_ASSIGN(sns::PublishResult again, Publish("one, again", "id-1"));
  EXPECT_EQ(again.message_id, first.message_id);
  EXPECT_EQ(again.sequence_number, first.sequence_number);
  ASSERT_OK_AND_ASSIGN(sns::PublishResult content_again, Publish("two"));
  EXPECT_EQ(content_again.message_id, by_content.message_id);
  EXPECT_EQ(content_again.sequence_number, by_content.sequence_number);
  EXPECT_EQ(Queued(), "2");
  // New messages continue the sequence.
  ASSERT_OK_AND_ASSIGN(sns::PublishResult next, Publish("three"));
  EXPECT_TRUE(SequenceLess(by_content.sequence_number, next.sequence_number))
      << by_content.sequence_number << " then " << next.sequence_number;
  EXPECT_EQ(Queued(), "3");
}

TEST_F(DurableFifoTopicTest, ADuplicateAfterTheWindowIsANewMessage) {
  ASSERT_OK_AND_ASSIGN(sns::PublishResult first, Publish("one", "id-1"));
  ASSERT_OK_AND_ASSIGN(sns::PublishResult second, Publish("two", "id-2"));
  Reopen();
  clock_->Advance(absl::Minutes(5));
  ASSERT_OK_AND_ASSIGN(sns::PublishResult again, Publish("one", "id-1"));
  EXPECT_NE(again.message_id, first.message_id);
  EXPECT_TRUE(SequenceLess(second.sequence_number, again.sequence_number))
      << second.sequence_number << " then " << again.sequence_number;
  EXPECT_EQ(Queued(), "3");
  // Expired entries are not restored by a later restart either: id-2 (5
  // minutes old) is new again, id-1 (just recorded) is still a duplicate.
  Reopen();
  ASSERT_OK_AND_ASSIGN(sns::PublishResult two_again, Publish("two", "id-2"));
  EXPECT_NE(two_again.message_id, second.message_id);
  ASSERT_OK_AND_ASSIGN(sns::PublishResult one_again, Publish("one", "id-1"));
  EXPECT_EQ(one_again.message_id, again.message_id);
  EXPECT_EQ(Queued(), "4");
}

TEST_F(DurableFifoTopicTest, SequenceNumbersKeepIncreasingWhenTheWindowIsEmpty) {
  std::string last;
  for (int i = 0; i < 3; ++i) {
    ASSERT_OK_AND_ASSIGN(sns::PublishResult published, Publish("m" + std::to_string(i)));
    last = published.sequence_number;
  }
  clock_->Advance(absl::Hours(1));
  Reopen();
  ASSERT_OK_AND_ASSIGN(sns::PublishResult next, Publish("later"));
  EXPECT_TRUE(SequenceLess(last, next.sequence_number)) << last << " then " << next.sequence_number;
}

TEST_F(DurableFifoTopicTest, ARecreatedTopicStartsWithAnEmptyWindow) {
  ASSERT_OK_AND_ASSIGN(sns::PublishResult first, Publish("one", "id-1"));
  ASSERT_THAT(sns().DeleteTopic({.topic_arn = topic_}), IsOk());
  ASSERT_OK_AND_ASSIGN(auto topic,
                       sns().CreateTopic({.name = "orders.fifo",
                                          .attributes = {{"FifoTopic", "true"},
                                                         {"ContentBasedDeduplication", "true"}}}));
  ASSERT_EQ(topic.topic_arn, topic_);
  Reopen();
  ASSERT_OK_AND_ASSIGN(sns::PublishResult again, Publish("one", "id-1"));
  EXPECT_NE(again.message_id, first.message_id);
}

// ---- CloudWatch alarms -------------------------------------------------------

class DurableAlarmTest : public DurableStateTest {
 protected:
  cloudwatch::Service& cw() { return broker_->cloudwatch(); }

  // The clock's start (a whole minute) plus `seconds`.
  static absl::Time T(int64_t seconds) { return absl::FromUnixSeconds(1767225600 + seconds); }

  // Sum of Errors{Service=api} > 5.5 over 60 s, notifying a topic.
  cloudwatch::PutMetricAlarmRequest ErrorsAlarm(const std::string& topic_arn) {
    cloudwatch::PutMetricAlarmRequest r;
    r.alarm_name = "errors";
    r.alarm_description = "Too many errors";
    r.alarm_actions = {topic_arn};
    r.ok_actions = {topic_arn};
    r.metric_name = "Errors";
    r.metric_namespace = "App";
    r.statistic = "Sum";
    r.dimensions = {{.name = "Service", .value = "api"}, {.name = "Stage", .value = "prod"}};
    r.period = 60;
    r.evaluation_periods = 2;
    r.datapoints_to_alarm = 1;
    r.threshold = 5.5;
    r.comparison_operator = "GreaterThanThreshold";
    r.treat_missing_data = "ignore";
    r.tags = {{.key = "team", .value = "core"}};
    return r;
  }

  void PutErrors(double n) {
    ASSERT_THAT(
        cw().PutMetricData({.metric_namespace = "App",
                            .metric_data = {{.metric_name = "Errors",
                                             .dimensions = {{"Service", "api"}, {"Stage", "prod"}},
                                             .value = n}}}),
        IsOk());
  }

  std::vector<cloudwatch::MetricAlarm> Alarms() {
    auto got = cw().DescribeAlarms({});
    EXPECT_THAT(got, IsOk());
    return got.ok() ? got->metric_alarms : std::vector<cloudwatch::MetricAlarm>();
  }
};

// Every field DescribeAlarms reports.
void ExpectSameAlarm(const cloudwatch::MetricAlarm& a, const cloudwatch::MetricAlarm& b) {
  EXPECT_EQ(a.alarm_name, b.alarm_name);
  EXPECT_EQ(a.alarm_arn, b.alarm_arn);
  EXPECT_EQ(a.alarm_description, b.alarm_description);
  EXPECT_EQ(a.alarm_configuration_updated_timestamp, b.alarm_configuration_updated_timestamp);
  EXPECT_EQ(a.actions_enabled, b.actions_enabled);
  EXPECT_EQ(a.ok_actions, b.ok_actions);
  EXPECT_EQ(a.alarm_actions, b.alarm_actions);
  EXPECT_EQ(a.insufficient_data_actions, b.insufficient_data_actions);
  EXPECT_EQ(a.state_value, b.state_value);
  EXPECT_EQ(a.state_reason, b.state_reason);
  EXPECT_EQ(a.state_reason_data, b.state_reason_data);
  EXPECT_EQ(a.state_updated_timestamp, b.state_updated_timestamp);
  EXPECT_EQ(a.state_transitioned_timestamp, b.state_transitioned_timestamp);
  EXPECT_EQ(a.metric_name, b.metric_name);
  EXPECT_EQ(a.metric_namespace, b.metric_namespace);
  EXPECT_EQ(a.statistic, b.statistic);
  EXPECT_EQ(a.extended_statistic, b.extended_statistic);
  EXPECT_EQ(a.dimensions, b.dimensions);
  EXPECT_EQ(a.period, b.period);
  EXPECT_EQ(a.unit, b.unit);
  EXPECT_EQ(a.evaluation_periods, b.evaluation_periods);
  EXPECT_EQ(a.datapoints_to_alarm, b.datapoints_to_alarm);
  EXPECT_EQ(a.threshold, b.threshold);
  EXPECT_EQ(a.comparison_operator, b.comparison_operator);
  EXPECT_EQ(a.treat_missing_data, b.treat_missing_data);
  EXPECT_EQ(a.evaluate_low_sample_count_percentile, b.evaluate_low_sample_count_percentile);
}

TEST_F(DurableAlarmTest, AlarmsKeepConfigurationAndStateAndEvaluationResumes) {
  ASSERT_OK_AND_ASSIGN(auto topic, sns().CreateTopic({.name = "ops"}));
  ASSERT_THAT(cw().PutMetricAlarm(ErrorsAlarm(topic.topic_arn)), IsOk());
  cloudwatch::PutMetricAlarmRequest latency;
  latency.alarm_name = "latency";
  latency.metric_name = "Latency";
  latency.metric_namespace = "App";
  latency.extended_statistic = "p99";
  latency.unit = "Milliseconds";
  latency.period = 10;
  latency.evaluation_periods = 3;
  latency.threshold = 250;
  latency.comparison_operator = "GreaterThanOrEqualToThreshold";
  latency.evaluate_low_sample_count_percentile = "ignore";
  latency.treat_missing_data = "ignore";  // Keeps the state SetAlarmState gives it.
  ASSERT_THAT(cw().PutMetricAlarm(latency), IsOk());
  ASSERT_THAT(cw().DisableAlarmActions({.alarm_names = {"latency"}}), IsOk());
  ASSERT_THAT(cw().SetAlarmState(
                  {.alarm_name = "latency", .state_value = "ALARM", .state_reason = "by hand"}),
              IsOk());
  cloudwatch::PutMetricAlarmRequest gone = latency;
  gone.alarm_name = "gone";
  ASSERT_THAT(cw().PutMetricAlarm(gone), IsOk());
  ASSERT_THAT(cw().DeleteAlarms({.alarm_names = {"gone"}}), IsOk());
  // 10 errors: ALARM when the minute is evaluated, at 60 s.
  PutErrors(10);
  clock_->SetTime(T(60));
  std::vector<cloudwatch::MetricAlarm> before = Alarms();
  ASSERT_THAT(before, SizeIs(2));
  EXPECT_EQ(before[0].state_value, "ALARM");
  EXPECT_EQ(before[1].state_value, "ALARM");

  Reopen();
  std::vector<cloudwatch::MetricAlarm> after = Alarms();
  ASSERT_THAT(after, SizeIs(2));
  for (size_t i = 0; i < after.size(); ++i) ExpectSameAlarm(after[i], before[i]);
  EXPECT_FALSE(after[1].actions_enabled);
  EXPECT_EQ(after[1].state_reason, "by hand");

  // Evaluation resumes on the clock: 1 error in the minute from 60 s is
  // under the threshold, so the evaluation at 120 s moves it to OK and runs
  // its OK action.
  PutErrors(1);
  clock_->SetTime(T(119));
  EXPECT_EQ(Alarms()[0].state_value, "ALARM");
  clock_->SetTime(T(120));
  after = Alarms();
  EXPECT_EQ(after[0].state_value, "OK");
  EXPECT_EQ(after[0].state_updated_timestamp, T(120));
  auto history = cw().DescribeAlarmHistory({.alarm_name = "errors", .history_item_type = "Action"});
  ASSERT_THAT(history, IsOk());
  EXPECT_THAT(history->alarm_history_items,
              Contains(Field(&cloudwatch::AlarmHistoryItem::history_summary,
                             HasSubstr("Successfully executed action " + topic.topic_arn))));
  // The state the evaluation set is kept too.
  Reopen();
  EXPECT_EQ(Alarms()[0].state_value, "OK");
  EXPECT_EQ(Alarms()[0].state_updated_timestamp, T(120));
}

TEST_F(DurableAlarmTest, AlarmTagsSurvive) {
  ASSERT_OK_AND_ASSIGN(auto topic, sns().CreateTopic({.name = "ops"}));
  ASSERT_THAT(cw().PutMetricAlarm(ErrorsAlarm(topic.topic_arn)), IsOk());  // team=core.
  const std::string arn = Alarms()[0].alarm_arn;
  ASSERT_THAT(cw().TagResource({.resource_arn = arn, .tags = {{"env", "ci"}, {"team", "ops"}}}),
              IsOk());
  ASSERT_THAT(cw().UntagResource({.resource_arn = arn, .tag_keys = {"env"}}), IsOk());
  Reopen();
  ASSERT_OK_AND_ASSIGN(cloudwatch::ListTagsForResourceResult tags,
                       cw().ListTagsForResource({.resource_arn = arn}));
  ASSERT_THAT(tags.tags, SizeIs(1));
  EXPECT_EQ(tags.tags[0].key, "team");
  EXPECT_EQ(tags.tags[0].value, "ops");
}

TEST_F(DurableAlarmTest, CompositeAlarmsSurviveAndFollowTheirChildrenAfterARestart) {
  ASSERT_OK_AND_ASSIGN(auto topic, sns().CreateTopic({.name = "ops"}));
  ASSERT_THAT(cw().PutMetricAlarm(ErrorsAlarm(topic.topic_arn)), IsOk());
  ASSERT_THAT(cw().PutCompositeAlarm({.alarm_name = "any",
                                      .alarm_rule = "ALARM(errors)",
                                      .alarm_description = "composite",
                                      .alarm_actions = {topic.topic_arn},
                                      .tags = {{"team", "core"}}}),
              IsOk());
  ASSERT_THAT(cw().PutCompositeAlarm({.alarm_name = "top", .alarm_rule = "NOT OK(\"any\")"}),
              IsOk());
  ASSERT_THAT(cw().DisableAlarmActions({.alarm_names = {"top"}}), IsOk());
  clock_->SetTime(T(5));
  ASSERT_THAT(
      cw().SetAlarmState({.alarm_name = "errors", .state_value = "ALARM", .state_reason = "hand"}),
      IsOk());
  auto describe = [&] {
    auto got = cw().DescribeAlarms({.alarm_types = {"CompositeAlarm"}});
    EXPECT_THAT(got, IsOk());
    return got.ok() ? got->composite_alarms : std::vector<cloudwatch::CompositeAlarm>();
  };
  std::vector<cloudwatch::CompositeAlarm> before = describe();
  ASSERT_THAT(before, SizeIs(2));
  EXPECT_EQ(before[0].state_value, "ALARM");
  EXPECT_EQ(before[1].state_value, "ALARM");

  Reopen();
  std::vector<cloudwatch::CompositeAlarm> after = describe();
  ASSERT_THAT(after, SizeIs(2));
  for (size_t i = 0; i < after.size(); ++i) {
    EXPECT_EQ(after[i].alarm_name, before[i].alarm_name);
    EXPECT_EQ(after[i].alarm_arn, before[i].alarm_arn);
    EXPECT_EQ(after[i].alarm_rule, before[i].alarm_rule);
    EXPECT_EQ(after[i].alarm_description, before[i].alarm_description);
    EXPECT_EQ(after[i].actions_enabled, before[i].actions_enabled);
    EXPECT_EQ(after[i].alarm_actions, before[i].alarm_actions);
    EXPECT_EQ(after[i].alarm_configuration_updated_timestamp,
              before[i].alarm_configuration_updated_timestamp);
    EXPECT_EQ(after[i].state_value, before[i].state_value);
    EXPECT_EQ(after[i].state_reason, before[i].state_reason);
    EXPECT_EQ(after[i].state_reason_data, before[i].state_reason_data);
    EXPECT_EQ(after[i].state_updated_timestamp, before[i].state_updated_timestamp);
    EXPECT_EQ(after[i].state_transitioned_timestamp, before[i].state_transitioned_timestamp);
  }
  EXPECT_FALSE(after[1].actions_enabled);
  ASSERT_OK_AND_ASSIGN(cloudwatch::ListTagsForResourceResult tags,
                       cw().ListTagsForResource({.resource_arn = after[0].alarm_arn}));
  ASSERT_THAT(tags.tags, SizeIs(1));
  // Still wired to their children: the child back to OK moves both.
  ASSERT_THAT(
      cw().SetAlarmState({.alarm_name = "errors", .state_value = "OK", .state_reason = "hand"}),
      IsOk());
  after = describe();
  EXPECT_EQ(after[0].state_value, "OK");
  EXPECT_EQ(after[1].state_value, "OK");
  EXPECT_THAT(cw().DeleteAlarms({.alarm_names = {"errors"}}), Not(IsOk()));
  ASSERT_THAT(cw().DeleteAlarms({.alarm_names = {"top"}}), IsOk());
  Reopen();
  EXPECT_THAT(describe(), SizeIs(1));
}

// A composite alarm's actions suppression: its configuration, the suppression
// under way and the actions it holds back come back; a period ends on time,
// or at the first step of the clock when it ended while the broker was down.
// (The history is not kept: each reopening starts without Action items.)
TEST_F(DurableAlarmTest, ActionsSuppressionSurvivesARestart) {
  ASSERT_OK_AND_ASSIGN(auto topic, sns().CreateTopic({.name = "ops"}));
  auto put = [&](const std::string& name, const std::string& rule) {
    ASSERT_THAT(cw().PutCompositeAlarm({.alarm_name = name, .alarm_rule = rule}), IsOk());
  };
  put("maint", "FALSE");
  put("cpu", "FALSE");
  ASSERT_THAT(cw().PutCompositeAlarm({.alarm_name = "svc",
                                      .alarm_rule = "ALARM(cpu)",
                                      .alarm_actions = {topic.topic_arn},
                                      .actions_suppressor = "maint",
                                      .actions_suppressor_wait_period = 60,
                                      .actions_suppressor_extension_period = 120}),
              IsOk());
  auto svc = [&] {
    auto got = cw().DescribeAlarms({.alarm_names = {"svc"}, .alarm_types = {"CompositeAlarm"}});
    EXPECT_THAT(got, IsOk());
    return got.ok() && got->composite_alarms.size() == 1 ? got->composite_alarms[0]
                                                         : cloudwatch::CompositeAlarm();
  };
  auto actions = [&] {
    auto got = cw().DescribeAlarmHistory(
        {.alarm_name = "svc", .alarm_types = {"CompositeAlarm"}, .history_item_type = "Action"});
    EXPECT_THAT(got, IsOk());
    return got.ok() ? got->alarm_history_items : std::vector<cloudwatch::AlarmHistoryItem>();
  };
  clock_->SetTime(T(100));
  put("cpu", "TRUE");  // svc to ALARM, its action held until 160.
  cloudwatch::CompositeAlarm before = svc();
  EXPECT_EQ(before.state_value, "ALARM");
  EXPECT_EQ(before.actions_suppressed_by, "WaitPeriod");

  Reopen();
  cloudwatch::CompositeAlarm after = svc();
  EXPECT_EQ(after.state_value, "ALARM");
  EXPECT_EQ(after.actions_suppressor, "maint");
  EXPECT_EQ(after.actions_suppressor_wait_period, 60);
  EXPECT_EQ(after.actions_suppressor_extension_period, 120);
  EXPECT_EQ(after.actions_suppressed_by, "WaitPeriod");
  EXPECT_EQ(after.actions_suppressed_reason, "Actions suppressed by WaitPeriod");
  clock_->SetTime(T(159));
  EXPECT_THAT(actions(), SizeIs(0));
  clock_->SetTime(T(160));
  ASSERT_THAT(actions(), SizeIs(1));
  EXPECT_EQ(actions()[0].timestamp, T(160));
  EXPECT_EQ(svc().actions_suppressed_by, "");

  // Held by the suppressor in ALARM, across a restart.
  clock_->SetTime(T(200));
  put("maint", "TRUE");
  put("cpu", "FALSE");
  put("cpu", "TRUE");  // Held from OK to ALARM at 200.
  Reopen();
  EXPECT_EQ(svc().actions_suppressed_by, "Alarm");
  clock_->SetTime(T(300));
  put("maint", "FALSE");  // An extension to 420.
  EXPECT_EQ(svc().actions_suppressed_by, "ExtensionPeriod");
  // Down past its end: it ends at the clock's first step after the restart.
  broker_.reset();
  clock_->SetTime(T(500));
  ASSERT_OK_AND_ASSIGN(broker_, Open());
  EXPECT_EQ(svc().actions_suppressed_by, "ExtensionPeriod");
  EXPECT_THAT(actions(), SizeIs(0));
  clock_->SetTime(T(501));
  ASSERT_THAT(actions(), SizeIs(1));
  EXPECT_THAT(actions()[0].history_data, HasSubstr("2026-01-01T00:03:20.000+0000"));
  EXPECT_EQ(svc().actions_suppressed_by, "");
}

// ---- Lambda event source mappings ---------------------------------------------

// A handler that keeps the bodies of the SQS records it is given.
class Bodies {
 public:
  lambda::Handler Handler() {
    return [this](const lambda::Invocation& in) -> absl::StatusOr<std::string> {
      MutexLock lock(&mu_);
      if (const lambda::SqsEvent* e = in.sqs()) {
        for (const lambda::SqsRecord& r : e->records) bodies_.push_back(r.body);
      }
      return std::string();
    };
  }
  std::vector<std::string> get() {
    MutexLock lock(&mu_);
    return bodies_;
  }

 private:
  Mutex mu_;
  std::vector<std::string> bodies_ ABSL_GUARDED_BY(mu_);
};

class DurableMappingTest : public DurableStateTest {
 protected:
  lambda::Service& lambda() { return broker_->lambda(); }

  static std::string QueueArn(const std::string& name) {
    return std::string("arn:aws:sqs:us-east-1:") + kAccount + ":" + name;
  }

  std::string CreateQueue(const std::string& name) {
    auto created = sqs().CreateQueue({.queue_name = name});
    EXPECT_THAT(created, IsOk());
    return created.ok() ? created->queue_url : "";
  }

  void Send(const std::string& url, const std::string& body) {
    ASSERT_THAT(sqs().SendMessage({.queue_url = url, .message_body = body}), IsOk());
  }

  std::string Attribute(const std::string& url, const std::string& name) {
    auto got = sqs().GetQueueAttributes({.queue_url = url, .attribute_names = {name}});
    EXPECT_THAT(got, IsOk());
    return got.ok() ? got->attributes[name] : "";
  }

  // Every mapping, by UUID (a restart does not keep the listing order).
  std::vector<lambda::EventSourceMappingConfiguration> Mappings() {
    auto listed = lambda().ListEventSourceMappings({});
    EXPECT_THAT(listed, IsOk());
    if (!listed.ok()) return {};
    std::vector<lambda::EventSourceMappingConfiguration> out = listed->event_source_mappings;
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.uuid < b.uuid; });
    return out;
  }

  // The listed mapping `uuid`.
  static const lambda::EventSourceMappingConfiguration& Named(
      const std::vector<lambda::EventSourceMappingConfiguration>& all, const std::string& uuid) {
    static const lambda::EventSourceMappingConfiguration kNone;
    for (const auto& m : all) {
      if (m.uuid == uuid) return m;
    }
    ADD_FAILURE() << "no mapping " << uuid;
    return kNone;
  }
};

void ExpectSameMapping(const lambda::EventSourceMappingConfiguration& a,
                       const lambda::EventSourceMappingConfiguration& b) {
  EXPECT_EQ(a.uuid, b.uuid);
  EXPECT_EQ(a.event_source_mapping_arn, b.event_source_mapping_arn);
  EXPECT_EQ(a.event_source_arn, b.event_source_arn);
  EXPECT_EQ(a.function_arn, b.function_arn);
  EXPECT_EQ(a.batch_size, b.batch_size);
  EXPECT_EQ(a.maximum_batching_window_in_seconds, b.maximum_batching_window_in_seconds);
  EXPECT_EQ(a.filter_criteria, b.filter_criteria);
  EXPECT_EQ(a.function_response_types, b.function_response_types);
  EXPECT_EQ(a.scaling_config, b.scaling_config);
  EXPECT_EQ(a.state, b.state);
}

TEST_F(DurableMappingTest, MappingsWaitForTheirFunctionAndResumeWithTheirUuid) {
  const std::string jobs = CreateQueue("jobs");
  CreateQueue("idle");
  CreateQueue("gone");
  Bodies before_restart;
  ASSERT_THAT(
      lambda().CreateFunction({.function_name = "worker", .handler = before_restart.Handler()}),
      IsOk());
  ASSERT_THAT(
      lambda().CreateFunction({.function_name = "idler", .handler = before_restart.Handler()}),
      IsOk());
  lambda::CreateEventSourceMappingRequest request;
  request.event_source_arn = QueueArn("jobs");
  request.function_name = "worker";
  request.batch_size = 20;
  request.maximum_batching_window_in_seconds = 5;
  request.filter_criteria = lambda::FilterCriteria{{{R"({"body":{"kind":["keep"]}})"}}};
  request.function_response_types = {"ReportBatchItemFailures"};
  request.scaling_config = lambda::ScalingConfig{5};
  ASSERT_OK_AND_ASSIGN(auto worker, lambda().CreateEventSourceMapping(request));
  ASSERT_OK_AND_ASSIGN(
      auto idle,
      lambda().CreateEventSourceMapping(
          {.event_source_arn = QueueArn("idle"), .function_name = "idler", .enabled = false}));
  ASSERT_OK_AND_ASSIGN(auto gone,
                       lambda().CreateEventSourceMapping(
                           {.event_source_arn = QueueArn("gone"), .function_name = "idler"}));
  ASSERT_THAT(lambda().RunUntilIdle(), IsOk());
  ASSERT_THAT(lambda().DeleteEventSourceMapping({.uuid = gone.uuid}), IsOk());
  ASSERT_THAT(lambda().RunUntilIdle(), IsOk());
  std::vector<lambda::EventSourceMappingConfiguration> before = Mappings();
  ASSERT_THAT(before, SizeIs(2));
  EXPECT_EQ(Named(before, worker.uuid).state, "Enabled");
  EXPECT_EQ(Named(before, idle.uuid).state, "Disabled");

  Reopen();
  // Listed as configured, but nothing polls before the function is back.
  std::vector<lambda::EventSourceMappingConfiguration> after = Mappings();
  ASSERT_THAT(after, SizeIs(2));
  for (size_t i = 0; i < after.size(); ++i) ExpectSameMapping(after[i], before[i]);
  ASSERT_OK_AND_ASSIGN(auto got, lambda().GetEventSourceMapping({.uuid = worker.uuid}));
  ExpectSameMapping(got, Named(before, worker.uuid));
  EXPECT_THAT(lambda().UpdateEventSourceMapping({.uuid = worker.uuid, .batch_size = 1}),
              HasErrorCode(ErrorCode::kLambdaResourceInUse));
  Send(jobs, R"({"kind":"keep","n":1})");
  Send(jobs, R"({"kind":"drop"})");
  ASSERT_THAT(lambda().RunUntilIdle(), IsOk());
  clock_->Advance(absl::Seconds(60));
  EXPECT_EQ(Attribute(jobs, "ApproximateNumberOfMessages"), "2");

  // The function is registered again: the mapping polls with its settings
  // (the filter drops one message) under its UUID.
  Bodies after_restart;
  ASSERT_THAT(
      lambda().CreateFunction({.function_name = "worker", .handler = after_restart.Handler()}),
      IsOk());
  ASSERT_THAT(lambda().RunUntilIdle(), IsOk());
  clock_->Advance(absl::Seconds(5));  // The batching window.
  EXPECT_THAT(after_restart.get(), ElementsAre(R"({"kind":"keep","n":1})"));
  EXPECT_EQ(Attribute(jobs, "ApproximateNumberOfMessages"), "0");
  EXPECT_EQ(Attribute(jobs, "ApproximateNumberOfMessagesNotVisible"), "0");
  ASSERT_OK_AND_ASSIGN(got, lambda().GetEventSourceMapping({.uuid = worker.uuid}));
  ExpectSameMapping(got, Named(before, worker.uuid));
  // A disabled mapping comes back disabled once its function exists.
  ASSERT_THAT(
      lambda().CreateFunction({.function_name = "idler", .handler = after_restart.Handler()}),
      IsOk());
  ASSERT_THAT(lambda().RunUntilIdle(), IsOk());
  ASSERT_OK_AND_ASSIGN(got, lambda().GetEventSourceMapping({.uuid = idle.uuid}));
  EXPECT_EQ(got.state, "Disabled");

  // Still there after another restart; a waiting mapping can be deleted.
  Reopen();
  ASSERT_THAT(Mappings(), SizeIs(2));
  ASSERT_THAT(lambda().DeleteEventSourceMapping({.uuid = idle.uuid}), IsOk());
  Reopen();
  after = Mappings();
  ASSERT_THAT(after, SizeIs(1));
  EXPECT_EQ(after[0].uuid, worker.uuid);
}

TEST_F(DurableMappingTest, AMappingWhoseFunctionWasDeletedStaysDisabled) {
  CreateQueue("jobs");
  Bodies calls;
  ASSERT_THAT(lambda().CreateFunction({.function_name = "worker", .handler = calls.Handler()}),
              IsOk());
  ASSERT_OK_AND_ASSIGN(auto mapping,
                       lambda().CreateEventSourceMapping(
                           {.event_source_arn = QueueArn("jobs"), .function_name = "worker"}));
  ASSERT_THAT(lambda().RunUntilIdle(), IsOk());
  ASSERT_THAT(lambda().DeleteFunction({.function_name = "worker"}), IsOk());
  ASSERT_THAT(lambda().RunUntilIdle(), IsOk());
  Reopen();
  ASSERT_THAT(lambda().CreateFunction({.function_name = "worker", .handler = calls.Handler()}),
              IsOk());
  ASSERT_THAT(lambda().RunUntilIdle(), IsOk());
  ASSERT_OK_AND_ASSIGN(auto got, lambda().GetEventSourceMapping({.uuid = mapping.uuid}));
  EXPECT_EQ(got.state, "Disabled");
}

using DurableStateFaultTest = WithFaultVfs<DurableFixture>;

TEST_F(DurableStateFaultTest, AFifoPublishThatCannotBeStoredFails) {
  ASSERT_OK_AND_ASSIGN(auto topic, sns().CreateTopic({.name = "orders.fifo",
                                                      .attributes = {{"FifoTopic", "true"}}}));
  ASSERT_OK_AND_ASSIGN(sns::PublishResult kept, sns().Publish({.topic_arn = topic.topic_arn,
                                                               .message = "kept",
                                                               .message_deduplication_id = "a",
                                                               .message_group_id = "g"}));
  vfs_.Arm(dir_.path(), FaultVfs::Fault::kDiskFull);
  EXPECT_THAT(sns().Publish({.topic_arn = topic.topic_arn,
                             .message = "refused",
                             .message_deduplication_id = "b",
                             .message_group_id = "g"}),
              HasErrorCode(ErrorCode::kServiceUnavailable));
  vfs_.Disarm();
  Reopen();
  // What was acknowledged is still deduplicated.
  ASSERT_OK_AND_ASSIGN(sns::PublishResult again, sns().Publish({.topic_arn = topic.topic_arn,
                                                                .message = "kept",
                                                                .message_deduplication_id = "a",
                                                                .message_group_id = "g"}));
  EXPECT_EQ(again.message_id, kept.message_id);
  EXPECT_EQ(again.sequence_number, kept.sequence_number);
}

TEST_F(DurableStateFaultTest, AnAlarmChangeThatCannotBeStoredFails) {
  cloudwatch::PutMetricAlarmRequest r;
  r.alarm_name = "kept";
  r.metric_name = "Errors";
  r.metric_namespace = "App";
  r.statistic = "Sum";
  r.period = 60;
  r.evaluation_periods = 1;
  r.threshold = 1;
  r.comparison_operator = "GreaterThanThreshold";
  ASSERT_THAT(broker_->cloudwatch().PutMetricAlarm(r), IsOk());
  vfs_.Arm(dir_.path(), FaultVfs::Fault::kDiskFull);
  r.alarm_name = "refused";
  EXPECT_THAT(broker_->cloudwatch().PutMetricAlarm(r),
              HasErrorCode(ErrorCode::kServiceUnavailable));
  EXPECT_THAT(broker_->cloudwatch().SetAlarmState(
                  {.alarm_name = "kept", .state_value = "ALARM", .state_reason = "refused"}),
              HasErrorCode(ErrorCode::kServiceUnavailable));
  vfs_.Disarm();
  Reopen();
  auto alarms = broker_->cloudwatch().DescribeAlarms({});
  ASSERT_THAT(alarms, IsOk());
  ASSERT_THAT(alarms->metric_alarms, SizeIs(1));
  EXPECT_EQ(alarms->metric_alarms[0].alarm_name, "kept");
  EXPECT_EQ(alarms->metric_alarms[0].state_value, "INSUFFICIENT_DATA");
}

TEST_F(DurableStateFaultTest, AMappingThatCannotBeStoredFails) {
  ASSERT_THAT(sqs().CreateQueue({.queue_name = "jobs"}), IsOk());
  ASSERT_THAT(broker_->lambda().CreateFunction(
                  {.function_name = "worker",
                   .handler = [](const lambda::Invocation&) -> absl::StatusOr<std::string> {
                     return std::string();
                   }}),
              IsOk());
  vfs_.Arm(dir_.path(), FaultVfs::Fault::kDiskFull);
  EXPECT_THAT(broker_->lambda().CreateEventSourceMapping(
                  {.event_source_arn = std::string("arn:aws:sqs:us-east-1:") + kAccount + ":jobs",
                   .function_name = "worker"}),
              HasErrorCode(ErrorCode::kServiceUnavailable));
  vfs_.Disarm();
  ASSERT_THAT(broker_->lambda().RunUntilIdle(), IsOk());
}

}  // namespace
}  // namespace wharf::testing
