// CloudWatch composite alarms through the broker, on the ManualClock: the
// AlarmRule grammar (AT_LEAST too) and its errors, evaluation when created and
// whenever a child changes state (SetAlarmState, a metric alarm's
// evaluation, another composite alarm), StateReason and StateReasonData, SNS
// notifications with TriggeringChildren, history, DescribeAlarms,
// DeleteAlarms, tags; actions suppression (ActionsSuppressor, its WaitPeriod
// and ExtensionPeriod) through the User Guide's examples.

#include <rapidjson/document.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tests/service/cloudwatch_fixture.h"

namespace wharf::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::SizeIs;

class CloudWatchCompositeAlarmTest : public CloudWatchTest {
 protected:
  CloudWatchCompositeAlarmTest() {
    alarm_queue_ = Create("alarm-queue");
    ok_queue_ = Create("ok-queue");
    alarm_topic_ = CreateTopic("topic-alarm");
    ok_topic_ = CreateTopic("topic-ok");
    SubscribeQueue(alarm_topic_, "alarm-queue");
    SubscribeQueue(ok_topic_, "ok-queue");
  }

  // As LocalStack's test_trigger_composite_alarm puts its children: Sum of
  // CPUUtilization > 30 over 10 s (in AWS/EC2 there; App/EC2 here, which a
  // client may publish).
  absl::Status PutMetricAlarmOver(const std::string& name) {
    cloudwatch::PutMetricAlarmRequest r;
    r.alarm_name = name;
    r.metric_name = "CPUUtilization";
    r.metric_namespace = "App/EC2";
    r.statistic = "Sum";
    r.period = 10;
    r.evaluation_periods = 1;
    r.threshold = 30;
    r.comparison_operator = "GreaterThanThreshold";
    return cw().PutMetricAlarm(r);
  }
  void PutChild(const std::string& name) { ASSERT_OK(PutMetricAlarmOver(name)); }
  std::string Arn(const std::string& name) {
    return absl::StrCat("arn:aws:cloudwatch:us-east-1:", kAccount, ":alarm:", name);
  }
  absl::Status PutComposite(const std::string& name, const std::string& rule) {
    return cw().PutCompositeAlarm({.alarm_name = name, .alarm_rule = rule});
  }
  cloudwatch::CompositeAlarm Composite(const std::string& name) {
    auto r = cw().DescribeAlarms({.alarm_names = {name}, .alarm_types = {"CompositeAlarm"}});
    EXPECT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->composite_alarms.size(), 1u);
    return r.ok() && !r->composite_alarms.empty() ? r->composite_alarms[0]
                                                  : cloudwatch::CompositeAlarm();
  }
  std::string State(const std::string& name) {
    auto r = cw().DescribeAlarms({.alarm_names = {name}, .alarm_types = {"CompositeAlarm"}});
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() && !r->composite_alarms.empty() ? r->composite_alarms[0].state_value : "";
  }
  void SetState(const std::string& name, const std::string& state) {
    ASSERT_OK(cw().SetAlarmState(
        {.alarm_name = name, .state_value = state, .state_reason = "set by the test"}));
  }
  // The alarm notifications a queue received, parsed (each deleted).
  std::vector<rapidjson::Document> Messages(const std::string& queue) {
    std::vector<rapidjson::Document> out;
    for (const sqs::Message& m : Receive(queue)) {
      rapidjson::Document envelope;
      envelope.Parse(m.body.c_str());
      EXPECT_FALSE(envelope.HasParseError()) << m.body;
      if (envelope.HasParseError()) continue;
      rapidjson::Document& message = out.emplace_back();
      message.Parse(envelope["Message"].GetString());
      EXPECT_FALSE(message.HasParseError());
      EXPECT_OK(sqs().DeleteMessage({.queue_url = queue, .receipt_handle = m.receipt_handle}));
    }
    return out;
  }
  absl::Status ValidationError(const std::string& message) {
    return MakeError(ErrorCode::kCloudWatchValidation, message);
  }
  // A composite alarm standing for a child whose state a test sets: ALARM
  // when `on`, else OK (no evaluation of the clock moves it back).
  void Switch(const std::string& name, bool on) {
    ASSERT_OK(PutComposite(name, on ? "TRUE" : "FALSE"));
  }
  // "svc": ALARM(cpu), its ALARM and OK actions held back by "maint" (wait
  // 60 s, extension 120 s), created at `now` in OK with cpu and maint OK.
  void PutSuppressed() {
    Switch("cpu", false);
    Switch("maint", false);
    ASSERT_OK(cw().PutCompositeAlarm({.alarm_name = "svc",
                                      .alarm_rule = "ALARM(cpu)",
                                      .ok_actions = {ok_topic_},
                                      .alarm_actions = {alarm_topic_},
                                      .actions_suppressor = "maint",
                                      .actions_suppressor_wait_period = 60,
                                      .actions_suppressor_extension_period = 120}));
  }
  std::string SuppressedBy(const std::string& name) {
    return Composite(name).actions_suppressed_by;
  }
  // The StateChangeTime and OldStateValue of the one notification `queue`
  // received ("" when none or more).
  std::string OneNotification(const std::string& queue) {
    std::vector<rapidjson::Document> m = Messages(queue);
    EXPECT_THAT(m, SizeIs(::testing::Le(1u)));
    if (m.size() != 1) return "";
    return absl::StrCat(m[0]["OldStateValue"].GetString(), "->", m[0]["NewStateValue"].GetString(),
                        " ", m[0]["StateChangeTime"].GetString());
  }

  std::string alarm_queue_, ok_queue_, alarm_topic_, ok_topic_;
};

TEST_F(CloudWatchCompositeAlarmTest, FollowsItsChildrenAsAwsDoes) {
  // LocalStack test_trigger_composite_alarm, AWS-validated.
  PutChild("simple-alarm-1");
  PutChild("simple-alarm-2");
  const std::string rule = absl::StrCat("ALARM(\"", Arn("simple-alarm-1"), "\") OR ALARM(\"",
                                        Arn("simple-alarm-2"), "\")");
  ASSERT_OK(cw().PutCompositeAlarm({.alarm_name = "composite-alarm",
                                    .alarm_rule = rule,
                                    .alarm_description = "composite alarm description",
                                    .ok_actions = {ok_topic_},
                                    .alarm_actions = {alarm_topic_}}));
  // Evaluated at once: the rule does not hold, so OK, every child counted as
  // triggering, and the OK action runs.
  cloudwatch::CompositeAlarm c = Composite("composite-alarm");
  EXPECT_EQ(c.alarm_arn, Arn("composite-alarm"));
  EXPECT_EQ(c.alarm_rule, rule);
  EXPECT_EQ(c.alarm_description, "composite alarm description");
  EXPECT_TRUE(c.actions_enabled);
  EXPECT_THAT(c.alarm_actions, ElementsAre(alarm_topic_));
  EXPECT_THAT(c.ok_actions, ElementsAre(ok_topic_));
  EXPECT_THAT(c.insufficient_data_actions, IsEmpty());
  EXPECT_EQ(c.state_value, "OK");
  EXPECT_EQ(c.alarm_configuration_updated_timestamp, T(0));
  EXPECT_EQ(c.state_updated_timestamp, T(0));
  EXPECT_EQ(c.state_reason_data,
            absl::StrCat("{\"triggeringAlarms\":[{\"arn\":\"", Arn("simple-alarm-1"),
                         "\",\"state\":{\"value\":\"INSUFFICIENT_DATA\",\"timestamp\":\"2026-01-"
                         "01T00:00:00.000+0000\"}},{\"arn\":\"",
                         Arn("simple-alarm-2"),
                         "\",\"state\":{\"value\":\"INSUFFICIENT_DATA\",\"timestamp\":\"2026-01-"
                         "01T00:00:00.000+0000\"}}]}"));
  EXPECT_THAT(Messages(ok_queue_), SizeIs(1));

  // Alarm 1 to ALARM: the composite follows, alarm 1 its trigger.
  clock_->Advance(absl::Seconds(5));
  SetState("simple-alarm-1", "ALARM");
  c = Composite("composite-alarm");
  EXPECT_EQ(c.state_value, "ALARM");
  EXPECT_EQ(c.state_updated_timestamp, T(5));
  EXPECT_EQ(c.state_transitioned_timestamp, T(5));
  EXPECT_EQ(c.state_reason_data,
            absl::StrCat("{\"triggeringAlarms\":[{\"arn\":\"", Arn("simple-alarm-1"),
                         "\",\"state\":{\"value\":\"ALARM\",\"timestamp\":\"2026-01-01T00:00:05."
                         "000+0000\"}}]}"));
  // As AWS words it (a composite alarm's StateReason as DescribeAlarms
  // returns it).
  EXPECT_EQ(c.state_reason, absl::StrCat(Arn("simple-alarm-1"),
                                         " transitioned to ALARM at Thursday 01 January, 2026 "
                                         "00:00:05 UTC"));
  std::vector<rapidjson::Document> m = Messages(alarm_queue_);
  ASSERT_THAT(m, SizeIs(1));
  EXPECT_STREQ(m[0]["NewStateValue"].GetString(), "ALARM");
  EXPECT_STREQ(m[0]["OldStateValue"].GetString(), "OK");
  EXPECT_STREQ(m[0]["AlarmName"].GetString(), "composite-alarm");
  EXPECT_STREQ(m[0]["AlarmDescription"].GetString(), "composite alarm description");
  EXPECT_STREQ(m[0]["AlarmArn"].GetString(), Arn("composite-alarm").c_str());
  EXPECT_STREQ(m[0]["AlarmRule"].GetString(), rule.c_str());
  EXPECT_STREQ(m[0]["AWSAccountId"].GetString(), kAccount);
  EXPECT_STREQ(m[0]["Region"].GetString(), "US East (N. Virginia)");
  EXPECT_EQ(m[0]["NewStateReason"].GetString(), c.state_reason);
  EXPECT_STREQ(m[0]["StateChangeTime"].GetString(), "2026-01-01T00:00:05.000+0000");
  EXPECT_FALSE(m[0].HasMember("Trigger"));
  ASSERT_EQ(m[0]["TriggeringChildren"].Size(), 1u);
  const rapidjson::Value& child = m[0]["TriggeringChildren"][0];
  EXPECT_STREQ(child["Arn"].GetString(), Arn("simple-alarm-1").c_str());
  EXPECT_STREQ(child["State"]["Value"].GetString(), "ALARM");
  EXPECT_STREQ(child["State"]["Timestamp"].GetString(), "2026-01-01T00:00:05.000+0000");

  // Back to OK with alarm 1; then the same with alarm 2.
  SetState("simple-alarm-1", "OK");
  EXPECT_EQ(State("composite-alarm"), "OK");
  m = Messages(ok_queue_);
  ASSERT_THAT(m, SizeIs(1));
  EXPECT_STREQ(m[0]["TriggeringChildren"][0]["Arn"].GetString(), Arn("simple-alarm-1").c_str());
  EXPECT_STREQ(m[0]["TriggeringChildren"][0]["State"]["Value"].GetString(), "OK");
  SetState("simple-alarm-2", "ALARM");
  m = Messages(alarm_queue_);
  ASSERT_THAT(m, SizeIs(1));
  EXPECT_STREQ(m[0]["TriggeringChildren"][0]["Arn"].GetString(), Arn("simple-alarm-2").c_str());
  SetState("simple-alarm-2", "OK");
  EXPECT_THAT(Messages(ok_queue_), SizeIs(1));

  // Alarm 2 to ALARM while alarm 1 holds the composite there: no change, the
  // trigger stays alarm 1, no second notification.
  SetState("simple-alarm-1", "ALARM");
  clock_->Advance(absl::Seconds(1));
  SetState("simple-alarm-2", "ALARM");
  c = Composite("composite-alarm");
  EXPECT_EQ(c.state_value, "ALARM");
  EXPECT_EQ(c.state_updated_timestamp, T(5));
  EXPECT_NE(c.state_reason_data.find(Arn("simple-alarm-1")), std::string::npos);
  EXPECT_EQ(c.state_reason_data.find(Arn("simple-alarm-2")), std::string::npos);
  EXPECT_THAT(Messages(alarm_queue_), SizeIs(1));

  // Its history, as a composite alarm's (not listed without AlarmTypes).
  auto history = cw().DescribeAlarmHistory({.alarm_name = "composite-alarm",
                                            .alarm_types = {"CompositeAlarm"},
                                            .history_item_type = "StateUpdate",
                                            .scan_by = "TimestampAscending"});
  ASSERT_OK(history.status());
  ASSERT_THAT(history->alarm_history_items, SizeIs(6));
  EXPECT_EQ(history->alarm_history_items[0].alarm_type, "CompositeAlarm");
  EXPECT_EQ(history->alarm_history_items[0].history_summary,
            "Alarm updated from INSUFFICIENT_DATA to OK");
  EXPECT_EQ(history->alarm_history_items[1].history_summary, "Alarm updated from OK to ALARM");
  auto actions = cw().DescribeAlarmHistory({.alarm_name = "composite-alarm",
                                            .alarm_types = {"CompositeAlarm"},
                                            .history_item_type = "Action"});
  ASSERT_OK(actions.status());
  EXPECT_THAT(actions->alarm_history_items, SizeIs(6));
  auto metric_only = cw().DescribeAlarmHistory({.alarm_name = "composite-alarm"});
  ASSERT_OK(metric_only.status());
  EXPECT_THAT(metric_only->alarm_history_items, IsEmpty());
}

TEST_F(CloudWatchCompositeAlarmTest, AMetricAlarmsEvaluationMovesItsParents) {
  PutChild("cpu");
  ASSERT_OK(cw().PutCompositeAlarm(
      {.alarm_name = "parent", .alarm_rule = "ALARM(cpu)", .alarm_actions = {alarm_topic_}}));
  ASSERT_OK(PutComposite("grandparent", "ALARM(\"parent\")"));
  EXPECT_EQ(State("parent"), "OK");
  ASSERT_OK(cw().PutMetricData({.metric_namespace = "App/EC2",
                                .metric_data = {{.metric_name = "CPUUtilization", .value = 50}}}));
  // The evaluation at 10 s: the child to ALARM, and both composites with it.
  AdvanceTo(10);
  EXPECT_EQ(State("parent"), "ALARM");
  EXPECT_EQ(State("grandparent"), "ALARM");
  EXPECT_EQ(Composite("parent").state_reason,
            absl::StrCat(Arn("cpu"),
                         " transitioned to ALARM at Thursday 01 January, 2026 "
                         "00:00:10 UTC"));
  // The grandparent's trigger is the parent.
  EXPECT_EQ(Composite("grandparent").state_reason,
            absl::StrCat(Arn("parent"),
                         " transitioned to ALARM at Thursday 01 January, 2026 "
                         "00:00:10 UTC"));
  // Once the evaluation range holds no datapoint the child goes to
  // INSUFFICIENT_DATA, and both composites to OK.
  AdvanceTo(120);
  auto child = cw().DescribeAlarms({.alarm_names = {"cpu"}});
  ASSERT_OK(child.status());
  EXPECT_EQ(child->metric_alarms[0].state_value, "INSUFFICIENT_DATA");
  EXPECT_EQ(State("parent"), "OK");
  EXPECT_EQ(State("grandparent"), "OK");
  EXPECT_THAT(Messages(alarm_queue_), SizeIs(1));
}

TEST_F(CloudWatchCompositeAlarmTest, RuleGrammar) {
  PutChild("a");
  PutChild("b");
  SetState("a", "ALARM");
  SetState("b", "OK");
  struct Case {
    std::string rule;
    std::string state;
  };
  for (const Case& c : std::vector<Case>{
           {"TRUE", "ALARM"},
           {"false", "OK"},
           {"ALARM(a)", "ALARM"},
           {"alarm(\"a\") and ok(b)", "ALARM"},
           {"ALARM(a) AND ALARM(b)", "OK"},
           {"NOT ALARM(b)", "ALARM"},
           {"NOT (ALARM(a) OR ALARM(b))", "OK"},
           {"ALARM(b) OR ALARM(a) AND OK(b)", "ALARM"},  // AND binds tighter.
           {"(ALARM(b) OR ALARM(a)) AND INSUFFICIENT_DATA(b)", "OK"},
           {"INSUFFICIENT_DATA(\"a\") OR NOT NOT TRUE", "ALARM"},
           {absl::StrCat("OK(", Arn("b"), ")"), "ALARM"},
       }) {
    ASSERT_OK(PutComposite("c", c.rule));
    // Each update re-evaluates it (from its previous state).
    EXPECT_EQ(State("c"), c.state) << c.rule;
    EXPECT_EQ(Composite("c").alarm_rule, c.rule);
  }
}

TEST_F(CloudWatchCompositeAlarmTest, BadRulesAreRefusedInAwsWords) {
  PutChild("a");
  EXPECT_EQ(
      cw().PutCompositeAlarm({.alarm_name = "c"}),
      MakeError(ErrorCode::kCloudWatchMissingParameter, "The parameter AlarmRule is required."));
  EXPECT_EQ(
      PutComposite("c", " ALARM(a)"),
      ValidationError("AlarmRule must not contain leading or trailing whitespace or be null"));
  EXPECT_EQ(PutComposite("c", "()"),
            ValidationError("Error in AlarmRule [Unsupported token ')' at char 1]"));
  EXPECT_EQ(PutComposite("c", "(ALARM(a) OR ALARM(my alarm))"),
            ValidationError("Error in AlarmRule [Unsupported token 'alarm' at char 22, must be: "
                            "')']"));
  EXPECT_EQ(PutComposite("c", "ALARM(a) ALARM(a)"),
            ValidationError("Error in AlarmRule [Unsupported token 'ALARM' at char 9]"));
  EXPECT_EQ(PutComposite("c", "ALARM a"),
            ValidationError("Error in AlarmRule [Unsupported token 'a' at char 6, must be: '(']"));
  EXPECT_EQ(PutComposite("c", "ALARM(a) AND"),
            ValidationError("Error in AlarmRule [Unexpected end of rule at char 12]"));
  EXPECT_EQ(PutComposite("c", "ALARM(\"a)"),
            ValidationError("Error in AlarmRule [Unterminated quoted alarm name at char 6]"));
  EXPECT_EQ(PutComposite("c", std::string(10241, 'x')),
            MakeError(ErrorCode::kCloudWatchInvalidParameterValue,
                      "The parameter AlarmRule must be between 1 and 10240 characters long."));
  std::string deep;
  for (int i = 0; i < 200; ++i) deep += "NOT ";
  EXPECT_EQ(PutComposite("c", deep + "TRUE").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(PutComposite(
                "c", "ALARM(a) OR ALARM(nope) OR OK(\"arn:aws:cloudwatch:eu-west-1:1:alarm:a\")"),
            ValidationError("Could not save the composite alarm as alarms [nope, "
                            "arn:aws:cloudwatch:eu-west-1:1:alarm:a] in the alarm rule do not "
                            "exist"));
  EXPECT_EQ(cw().PutCompositeAlarm({.alarm_name = "c",
                                    .alarm_rule = "ALARM(a)",
                                    .alarm_actions = {"arn:aws:ec2:us-east-1:1:x"}})
                .code(),
            absl::StatusCode::kInvalidArgument);
  // Names are shared with metric alarms.
  EXPECT_EQ(PutComposite("a", "TRUE"),
            ValidationError("The alarm a is a metric alarm; PutCompositeAlarm cannot replace it."));
  // None was made.
  auto all = cw().DescribeAlarms({.alarm_types = {"CompositeAlarm", "MetricAlarm"}});
  ASSERT_OK(all.status());
  EXPECT_THAT(all->composite_alarms, IsEmpty());
  EXPECT_THAT(all->metric_alarms, SizeIs(1));
}

// AT_LEAST(M, [NOT] STATE, (alarms...)), in the form CloudFormation documents
// and the CDK writes (a deployed CDK integration test's template:
// "AT_LEAST(2, ALARM , (arn, arn, arn))", "AT_LEAST(60%, NOT OK , (...))").
TEST_F(CloudWatchCompositeAlarmTest, AtLeastCountsItsAlarms) {
  PutChild("a");
  PutChild("b");
  PutChild("c");  // INSUFFICIENT_DATA.
  SetState("a", "ALARM");
  SetState("b", "OK");
  struct Case {
    std::string rule;
    std::string state;
  };
  for (const Case& c : std::vector<Case>{
           {"AT_LEAST(1, ALARM, (a, b, c))", "ALARM"},
           {"AT_LEAST(2, ALARM, (a, b, c))", "OK"},
           {"AT_LEAST(2, NOT ALARM, (a, b, c))", "ALARM"},
           {"AT_LEAST(3, NOT ALARM, (a, b, c))", "OK"},
           {"AT_LEAST(33%, ALARM, (a, b, c))", "ALARM"},  // 1 of 3 is 33.3%.
           {"AT_LEAST(34%, ALARM, (a, b, c))", "OK"},
           {"at_least(100%,not insufficient_data,(\"a\",b))", "ALARM"},
           {"AT_LEAST(1, INSUFFICIENT_DATA, (a, a, c))", "ALARM"},
           {"AT_LEAST(2, ALARM, (a, a))", "ALARM"},  // Listed twice, counted twice.
           {absl::StrCat("AT_LEAST(2, OK , (", Arn("a"), ", ", Arn("b"), ", ", Arn("c"), "))"),
            "OK"},
           {absl::StrCat("AT_LEAST(60%, NOT OK , (", Arn("a"), ", ", Arn("b"), ", ", Arn("c"),
                         "))"),
            "ALARM"},
           {"AT_LEAST(1, OK, (b)) AND NOT AT_LEAST(1, INSUFFICIENT_DATA, (a, b))", "ALARM"},
       }) {
    ASSERT_OK(PutComposite("x", c.rule));
    EXPECT_EQ(State("x"), c.state) << c.rule;
    EXPECT_EQ(Composite("x").alarm_rule, c.rule);
  }

  // It follows its alarms: a second one in ALARM moves it, and triggers it.
  ASSERT_OK(cw().PutCompositeAlarm({.alarm_name = "x",
                                    .alarm_rule = "AT_LEAST(2, ALARM, (a, b, c))",
                                    .alarm_actions = {alarm_topic_}}));
  EXPECT_EQ(State("x"), "OK");
  SetState("b", "ALARM");
  EXPECT_EQ(State("x"), "ALARM");
  std::vector<rapidjson::Document> m = Messages(alarm_queue_);
  ASSERT_THAT(m, SizeIs(1));
  EXPECT_STREQ(m[0]["TriggeringChildren"][0]["Arn"].GetString(), Arn("b").c_str());
  SetState("a", "OK");
  EXPECT_EQ(State("x"), "OK");

  // Its alarms are its children: listed as such, not deletable under it.
  auto children = cw().DescribeAlarms({.children_of_alarm_name = "x"});
  ASSERT_OK(children.status());
  EXPECT_THAT(children->metric_alarms, SizeIs(3));
  EXPECT_EQ(cw().DeleteAlarms({.alarm_names = {"c"}}),
            ValidationError("Cannot delete c as there are composite alarm(s) depending on it."));
}

TEST_F(CloudWatchCompositeAlarmTest, BadAtLeastRulesAreRefused) {
  PutChild("a");
  PutChild("b");
  // The words are wharf's, in the shape of AWS's parse errors; the bounds
  // are the CDK's (a count up to the alarms listed, a percentage 1-100).
  EXPECT_EQ(PutComposite("x", "AT_LEAST(0, ALARM, (a))"),
            ValidationError("Error in AlarmRule [AT_LEAST count 0 at char 9 must be between 1 "
                            "and the number of alarms listed (1)]"));
  EXPECT_EQ(PutComposite("x", "AT_LEAST(3, ALARM, (a, b))"),
            ValidationError("Error in AlarmRule [AT_LEAST count 3 at char 9 must be between 1 "
                            "and the number of alarms listed (2)]"));
  EXPECT_EQ(PutComposite("x", "AT_LEAST(101%, OK, (a))"),
            ValidationError("Error in AlarmRule [AT_LEAST percentage 101% at char 9 must be "
                            "between 1% and 100%]"));
  EXPECT_EQ(PutComposite("x", "AT_LEAST(0%, OK, (a))"),
            ValidationError("Error in AlarmRule [AT_LEAST percentage 0% at char 9 must be "
                            "between 1% and 100%]"));
  EXPECT_EQ(PutComposite("x", "AT_LEAST(two, ALARM, (a))"),
            ValidationError("Error in AlarmRule [Unsupported token 'two' at char 9]"));
  EXPECT_EQ(PutComposite("x", "AT_LEAST(-1, ALARM, (a))"),
            ValidationError("Error in AlarmRule [Unsupported token '-1' at char 9]"));
  EXPECT_EQ(PutComposite("x", "AT_LEAST(2 ALARM, (a))"),
            ValidationError("Error in AlarmRule [Unsupported token 'ALARM' at char 11, must be: "
                            "',']"));
  EXPECT_EQ(PutComposite("x", "AT_LEAST(1, ALARM, a)"),
            ValidationError("Error in AlarmRule [Unsupported token 'a' at char 19, must be: "
                            "'(']"));
  EXPECT_EQ(PutComposite("x", "AT_LEAST(1, ALARM, (a b))"),
            ValidationError("Error in AlarmRule [Unsupported token 'b' at char 22, must be: "
                            "')']"));
  EXPECT_EQ(PutComposite("x", "AT_LEAST(1, ALARM, ())"),
            ValidationError("Error in AlarmRule [Unsupported token ')' at char 20]"));
  EXPECT_EQ(PutComposite("x", "AT_LEAST(1, NOT, (a))"),
            ValidationError("Error in AlarmRule [Unsupported token ',' at char 15]"));
  EXPECT_EQ(PutComposite("x", "AT_LEAST(1, ALARM, (a))  OR"),
            ValidationError("Error in AlarmRule [Unexpected end of rule at char 27]"));
  EXPECT_EQ(PutComposite("x", "ALARM(a, b)"),
            ValidationError("Error in AlarmRule [Unsupported token ',' at char 7, must be: ')']"));
  EXPECT_EQ(PutComposite("x", "AT_LEAST(1, ALARM, (a, nope))"),
            ValidationError("Could not save the composite alarm as alarms [nope] in the alarm "
                            "rule do not exist"));
  auto all = cw().DescribeAlarms({.alarm_types = {"CompositeAlarm"}});
  ASSERT_OK(all.status());
  EXPECT_THAT(all->composite_alarms, IsEmpty());
}

// ---- Actions suppression ------------------------------------------------------
// The User Guide's "Suppressing composite alarm actions", its examples in turn
// (WaitPeriod 60 s and ExtensionPeriod 120 s here).

TEST_F(CloudWatchCompositeAlarmTest, AWaitPeriodHoldsActionsUntilItEnds) {
  PutSuppressed();
  // Created: INSUFFICIENT_DATA to OK, its OK action waiting for the
  // suppressor.
  cloudwatch::CompositeAlarm c = Composite("svc");
  EXPECT_EQ(c.state_value, "OK");
  EXPECT_EQ(c.actions_suppressor, "maint");
  EXPECT_EQ(c.actions_suppressor_wait_period, 60);
  EXPECT_EQ(c.actions_suppressor_extension_period, 120);
  EXPECT_EQ(c.actions_suppressed_by, "WaitPeriod");
  // AWS's words (the User Guide's example alarm state change event).
  EXPECT_EQ(c.actions_suppressed_reason, "Actions suppressed by WaitPeriod");
  AdvanceTo(59);
  EXPECT_EQ(OneNotification(ok_queue_), "");
  // Example 1: the WaitPeriod ends with the suppressor not in ALARM: the
  // actions run, for the change they were held for.
  AdvanceTo(60);
  EXPECT_EQ(OneNotification(ok_queue_), "INSUFFICIENT_DATA->OK 2026-01-01T00:00:00.000+0000");
  c = Composite("svc");
  EXPECT_EQ(c.actions_suppressed_by, "");
  EXPECT_EQ(c.actions_suppressed_reason, "");

  AdvanceTo(100);
  Switch("cpu", true);
  EXPECT_EQ(State("svc"), "ALARM");
  EXPECT_EQ(SuppressedBy("svc"), "WaitPeriod");
  AdvanceTo(159);
  EXPECT_EQ(OneNotification(alarm_queue_), "");
  AdvanceTo(200);  // Past its end: it ran at 160.
  EXPECT_EQ(OneNotification(alarm_queue_), "OK->ALARM 2026-01-01T00:01:40.000+0000");
  // History: the change at 100 names the suppression (wharf's place for it);
  // the action at 160, for the state updated at 100.
  auto history = cw().DescribeAlarmHistory(
      {.alarm_name = "svc", .alarm_types = {"CompositeAlarm"}, .start_date = T(100)});
  ASSERT_OK(history.status());
  ASSERT_THAT(history->alarm_history_items, SizeIs(2));
  const cloudwatch::AlarmHistoryItem& action = history->alarm_history_items[0];
  EXPECT_EQ(action.history_item_type, "Action");
  EXPECT_EQ(action.timestamp, T(160));
  EXPECT_EQ(action.history_summary, absl::StrCat("Successfully executed action ", alarm_topic_));
  EXPECT_NE(action.history_data.find("\"stateUpdateTimestamp\":\"2026-01-01T00:01:40.000+0000\""),
            std::string::npos)
      << action.history_data;
  const cloudwatch::AlarmHistoryItem& update = history->alarm_history_items[1];
  EXPECT_EQ(update.history_item_type, "StateUpdate");
  EXPECT_EQ(update.timestamp, T(100));
  EXPECT_NE(update.history_data.find("\"actionsSuppressedBy\":\"WaitPeriod\",\"actionsSuppressed"
                                     "Reason\":\"Actions suppressed by WaitPeriod\""),
            std::string::npos)
      << update.history_data;
}

TEST_F(CloudWatchCompositeAlarmTest, TheSuppressorInAlarmThenAnExtensionPeriod) {
  PutSuppressed();
  AdvanceTo(60);
  EXPECT_EQ(OneNotification(ok_queue_), "INSUFFICIENT_DATA->OK 2026-01-01T00:00:00.000+0000");
  // Example 2: the suppressor goes into ALARM during the WaitPeriod, which is
  // discarded; its end passes without actions.
  AdvanceTo(100);
  Switch("cpu", true);
  AdvanceTo(130);
  Switch("maint", true);
  cloudwatch::CompositeAlarm c = Composite("svc");
  EXPECT_EQ(c.actions_suppressed_by, "Alarm");
  EXPECT_EQ(c.actions_suppressed_reason, "Actions suppressed by Alarm");
  AdvanceTo(400);
  EXPECT_EQ(OneNotification(alarm_queue_), "");
  // Example 5: the suppressor leaves ALARM; after the ExtensionPeriod the
  // held actions run.
  Switch("maint", false);
  EXPECT_EQ(SuppressedBy("svc"), "ExtensionPeriod");
  EXPECT_EQ(Composite("svc").actions_suppressed_reason, "Actions suppressed by ExtensionPeriod");
  AdvanceTo(519);
  EXPECT_EQ(OneNotification(alarm_queue_), "");
  AdvanceTo(520);
  EXPECT_EQ(OneNotification(alarm_queue_), "OK->ALARM 2026-01-01T00:01:40.000+0000");
  EXPECT_EQ(SuppressedBy("svc"), "");

  // Example 4: the suppressor already in ALARM when the composite alarm
  // changes: suppressed at once, for as long as it stays there.
  Switch("maint", true);
  EXPECT_EQ(SuppressedBy("svc"), "Alarm");  // Nothing held, but suppressed.
  AdvanceTo(600);
  Switch("cpu", false);
  EXPECT_EQ(State("svc"), "OK");
  AdvanceTo(3600);
  EXPECT_EQ(OneNotification(ok_queue_), "");
  // A suppressor that leaves and re-enters ALARM within the extension keeps
  // them held; the extension after the last exit releases them.
  Switch("maint", false);
  AdvanceTo(3700);
  Switch("maint", true);
  AdvanceTo(3900);
  EXPECT_EQ(OneNotification(ok_queue_), "");
  Switch("maint", false);
  AdvanceTo(4020);
  EXPECT_EQ(OneNotification(ok_queue_), "ALARM->OK 2026-01-01T00:10:00.000+0000");
  // With nothing held, an extension ends without actions.
  Switch("maint", true);
  Switch("maint", false);
  AdvanceTo(5000);
  EXPECT_EQ(OneNotification(ok_queue_), "");
  EXPECT_EQ(OneNotification(alarm_queue_), "");
}

TEST_F(CloudWatchCompositeAlarmTest, AChangeDuringAWaitStartsANewOne) {
  PutSuppressed();
  AdvanceTo(60);
  EXPECT_EQ(OneNotification(ok_queue_), "INSUFFICIENT_DATA->OK 2026-01-01T00:00:00.000+0000");
  // Example 3: to ALARM at 100, back to OK at 130: a new WaitPeriod to 190,
  // then the OK actions only.
  AdvanceTo(100);
  Switch("cpu", true);
  AdvanceTo(130);
  Switch("cpu", false);
  AdvanceTo(189);
  EXPECT_EQ(OneNotification(alarm_queue_), "");
  EXPECT_EQ(OneNotification(ok_queue_), "");
  AdvanceTo(190);
  EXPECT_EQ(OneNotification(ok_queue_), "ALARM->OK 2026-01-01T00:02:10.000+0000");
  EXPECT_EQ(OneNotification(alarm_queue_), "");

  // Example 6: a change during an ExtensionPeriod discards it for a new
  // WaitPeriod.
  AdvanceTo(200);
  Switch("cpu", true);
  Switch("maint", true);
  AdvanceTo(300);
  Switch("maint", false);  // Extension to 420.
  AdvanceTo(350);
  Switch("cpu", false);  // Wait to 410.
  EXPECT_EQ(SuppressedBy("svc"), "WaitPeriod");
  AdvanceTo(409);
  EXPECT_EQ(OneNotification(ok_queue_), "");
  AdvanceTo(410);
  EXPECT_EQ(OneNotification(ok_queue_), "ALARM->OK 2026-01-01T00:05:50.000+0000");
  AdvanceTo(1000);
  EXPECT_EQ(OneNotification(alarm_queue_), "");
  EXPECT_EQ(OneNotification(ok_queue_), "");
}

TEST_F(CloudWatchCompositeAlarmTest, SuppressorParameters) {
  PutChild("m");
  Switch("cpu", false);
  // The periods are the suppressor's; with it, both are required
  // (PutCompositeAlarm's API reference) and not negative (CloudFormation's
  // schema).
  EXPECT_EQ(
      cw().PutCompositeAlarm(
          {.alarm_name = "x", .alarm_rule = "ALARM(cpu)", .actions_suppressor_wait_period = 60}),
      MakeError(ErrorCode::kCloudWatchInvalidParameterCombination,
                "The parameters ActionsSuppressorWaitPeriod and "
                "ActionsSuppressorExtensionPeriod require ActionsSuppressor."));
  EXPECT_EQ(cw().PutCompositeAlarm({.alarm_name = "x",
                                    .alarm_rule = "ALARM(cpu)",
                                    .actions_suppressor = "m",
                                    .actions_suppressor_extension_period = 60}),
            MakeError(ErrorCode::kCloudWatchMissingParameter,
                      "The parameter ActionsSuppressorWaitPeriod is required."));
  EXPECT_EQ(cw().PutCompositeAlarm({.alarm_name = "x",
                                    .alarm_rule = "ALARM(cpu)",
                                    .actions_suppressor = "m",
                                    .actions_suppressor_wait_period = 60}),
            MakeError(ErrorCode::kCloudWatchMissingParameter,
                      "The parameter ActionsSuppressorExtensionPeriod is required."));
  EXPECT_EQ(cw().PutCompositeAlarm({.alarm_name = "x",
                                    .alarm_rule = "ALARM(cpu)",
                                    .actions_suppressor = "m",
                                    .actions_suppressor_wait_period = -1,
                                    .actions_suppressor_extension_period = 60}),
            MakeError(ErrorCode::kCloudWatchInvalidParameterValue,
                      "The parameter ActionsSuppressorWaitPeriod must be greater than or equal "
                      "to 0."));
  EXPECT_EQ(cw().PutCompositeAlarm({.alarm_name = "x",
                                    .alarm_rule = "ALARM(cpu)",
                                    .actions_suppressor = std::string(1601, 'm'),
                                    .actions_suppressor_wait_period = 60,
                                    .actions_suppressor_extension_period = 60}),
            MakeError(ErrorCode::kCloudWatchInvalidParameterValue,
                      "The parameter ActionsSuppressor must be between 1 and 1600 characters "
                      "long."));
  EXPECT_EQ(cw().PutCompositeAlarm({.alarm_name = "x",
                                    .alarm_rule = "ALARM(cpu)",
                                    .actions_suppressor = "nope",
                                    .actions_suppressor_wait_period = 60,
                                    .actions_suppressor_extension_period = 60}),
            ValidationError("Could not save the composite alarm as the ActionsSuppressor alarm "
                            "[nope] does not exist"));
  auto none = cw().DescribeAlarms({.alarm_names = {"x"}, .alarm_types = {"CompositeAlarm"}});
  ASSERT_OK(none.status());
  EXPECT_THAT(none->composite_alarms, IsEmpty());

  // Any alarm suppresses, named by its ARN too (described as given); one in
  // ALARM at the creation suppresses the first change's actions at once.
  SetState("m", "ALARM");
  ASSERT_OK(cw().PutCompositeAlarm({.alarm_name = "x",
                                    .alarm_rule = "OK(cpu)",
                                    .alarm_actions = {alarm_topic_},
                                    .actions_suppressor = Arn("m"),
                                    .actions_suppressor_wait_period = 0,
                                    .actions_suppressor_extension_period = 0}));
  cloudwatch::CompositeAlarm c = Composite("x");
  EXPECT_EQ(c.state_value, "ALARM");
  EXPECT_EQ(c.actions_suppressor, Arn("m"));
  EXPECT_EQ(c.actions_suppressed_by, "Alarm");
  EXPECT_EQ(OneNotification(alarm_queue_), "");
  // Periods of 0: no wait. The suppressor out of ALARM releases them at once.
  SetState("m", "OK");
  EXPECT_EQ(SuppressedBy("x"), "");
  EXPECT_EQ(OneNotification(alarm_queue_), "INSUFFICIENT_DATA->ALARM 2026-01-01T00:00:00.000+0000");
  Switch("cpu", true);
  Switch("cpu", false);
  EXPECT_EQ(OneNotification(alarm_queue_), "OK->ALARM 2026-01-01T00:00:00.000+0000");
  // Without a suppressor again: no suppression fields.
  ASSERT_OK(PutComposite("x", "OK(cpu)"));
  c = Composite("x");
  EXPECT_EQ(c.actions_suppressor, "");
  EXPECT_EQ(c.actions_suppressor_wait_period, 0);
  EXPECT_EQ(c.actions_suppressed_by, "");
}

TEST_F(CloudWatchCompositeAlarmTest, ReplacingOrDeletingTheSuppressorEndsItsSuppression) {
  PutSuppressed();
  Switch("other", true);
  AdvanceTo(100);
  EXPECT_EQ(OneNotification(ok_queue_), "INSUFFICIENT_DATA->OK 2026-01-01T00:00:00.000+0000");
  Switch("cpu", true);
  EXPECT_EQ(SuppressedBy("svc"), "WaitPeriod");
  // The same suppressor: the WaitPeriod goes on (to 160).
  ASSERT_OK(cw().PutCompositeAlarm({.alarm_name = "svc",
                                    .alarm_rule = "ALARM(cpu)",
                                    .ok_actions = {ok_topic_},
                                    .alarm_actions = {alarm_topic_},
                                    .actions_suppressor = "maint",
                                    .actions_suppressor_wait_period = 30,
                                    .actions_suppressor_extension_period = 120}));
  EXPECT_EQ(SuppressedBy("svc"), "WaitPeriod");
  AdvanceTo(159);
  EXPECT_EQ(OneNotification(alarm_queue_), "");
  AdvanceTo(160);
  EXPECT_EQ(OneNotification(alarm_queue_), "OK->ALARM 2026-01-01T00:01:40.000+0000");

  // "If you replace the action suppressor alarm, any active WaitPeriod or
  // ExtensionPeriod is discarded" (the User Guide): a new suppressor in ALARM
  // holds the actions on.
  AdvanceTo(200);
  Switch("cpu", false);
  ASSERT_OK(cw().PutCompositeAlarm({.alarm_name = "svc",
                                    .alarm_rule = "ALARM(cpu)",
                                    .ok_actions = {ok_topic_},
                                    .alarm_actions = {alarm_topic_},
                                    .actions_suppressor = "other",
                                    .actions_suppressor_wait_period = 60,
                                    .actions_suppressor_extension_period = 0}));
  EXPECT_EQ(SuppressedBy("svc"), "Alarm");
  AdvanceTo(1000);
  EXPECT_EQ(OneNotification(ok_queue_), "");
  // Deleted while in ALARM, it has left it: an extension of 0 releases them.
  ASSERT_OK(cw().DeleteAlarms({.alarm_names = {"other"}}));
  EXPECT_EQ(SuppressedBy("svc"), "");
  EXPECT_EQ(OneNotification(ok_queue_), "ALARM->OK 2026-01-01T00:03:20.000+0000");

  // A suppressor not in ALARM replaced: the discarded wait's actions run
  // (wharf's choice: the User Guide does not say).
  AdvanceTo(1100);
  Switch("other", false);  // Back, in OK.
  Switch("cpu", true);
  EXPECT_EQ(SuppressedBy("svc"), "WaitPeriod");
  ASSERT_OK(cw().PutCompositeAlarm({.alarm_name = "svc",
                                    .alarm_rule = "ALARM(cpu)",
                                    .alarm_actions = {alarm_topic_},
                                    .actions_suppressor = "maint",
                                    .actions_suppressor_wait_period = 60,
                                    .actions_suppressor_extension_period = 60}));
  EXPECT_EQ(SuppressedBy("svc"), "");
  EXPECT_EQ(OneNotification(alarm_queue_), "OK->ALARM 2026-01-01T00:18:20.000+0000");
  AdvanceTo(2000);
  EXPECT_EQ(OneNotification(alarm_queue_), "");
}

// As the PutCompositeAlarm reference describes: a rule may make alarms depend
// on themselves, evaluation stops at the cycle, and no alarm of the cycle can
// be deleted until a rule breaks it.
TEST_F(CloudWatchCompositeAlarmTest, CyclesAreAcceptedAndEvaluationStopsThere) {
  PutChild("m");
  ASSERT_OK(PutComposite("x", "ALARM(m)"));
  ASSERT_OK(PutComposite("y", "ALARM(x)"));
  ASSERT_OK(PutComposite("x", "ALARM(m) OR ALARM(y)"));
  // A rule that would flip forever: z is in ALARM while it is not.
  ASSERT_OK(PutComposite("z", "NOT ALARM(z) AND ALARM(m)"));
  SetState("m", "ALARM");
  EXPECT_EQ(State("x"), "ALARM");
  EXPECT_EQ(State("y"), "ALARM");
  EXPECT_EQ(State("z"), "ALARM");
  SetState("m", "OK");
  EXPECT_EQ(State("x"), "ALARM");  // Held by y, which x holds.
  EXPECT_EQ(State("z"), "OK");
  EXPECT_EQ(cw().DeleteAlarms({.alarm_names = {"x"}}),
            ValidationError("Cannot delete x as there are composite alarm(s) depending on it."));
  ASSERT_OK(PutComposite("x", "FALSE"));
  EXPECT_EQ(State("x"), "OK");
  EXPECT_EQ(State("y"), "OK");
  ASSERT_OK(cw().DeleteAlarms({.alarm_names = {"y"}}));
  ASSERT_OK(cw().DeleteAlarms({.alarm_names = {"x"}}));
  EXPECT_EQ(PutMetricAlarmOver("z"),
            ValidationError("The alarm z is a composite alarm; PutMetricAlarm cannot replace it."));
}

// A chain of composite alarms is followed to its end (within the depth bound).
TEST_F(CloudWatchCompositeAlarmTest, ALongChainFollowsItsFirstChild) {
  PutChild("m");
  ASSERT_OK(PutComposite("c0", "ALARM(m)"));
  for (int i = 1; i < 200; ++i) {
    ASSERT_OK(PutComposite(absl::StrCat("c", i), absl::StrCat("ALARM(c", i - 1, ")")));
  }
  SetState("m", "ALARM");
  EXPECT_EQ(State("c199"), "ALARM");
  SetState("m", "OK");
  EXPECT_EQ(State("c199"), "OK");
}

TEST_F(CloudWatchCompositeAlarmTest, DescribeDeleteAndTags) {
  PutChild("a-metric");
  ASSERT_OK(cw().PutCompositeAlarm({.alarm_name = "b-composite",
                                    .alarm_rule = "ALARM(\"a-metric\")",
                                    .tags = {{"Environment", "Production"}}}));
  ASSERT_OK(PutComposite("c-composite", "OK(\"b-composite\")"));

  // Without AlarmTypes: metric alarms only (DescribeAlarms' API reference).
  auto r = cw().DescribeAlarms({});
  ASSERT_OK(r.status());
  EXPECT_THAT(r->metric_alarms, SizeIs(1));
  EXPECT_THAT(r->composite_alarms, IsEmpty());
  // Both types, paged together by name.
  r = cw().DescribeAlarms({.alarm_types = {"MetricAlarm", "CompositeAlarm"}, .max_records = 2});
  ASSERT_OK(r.status());
  EXPECT_THAT(r->metric_alarms, SizeIs(1));
  ASSERT_THAT(r->composite_alarms, SizeIs(1));
  EXPECT_EQ(r->composite_alarms[0].alarm_name, "b-composite");
  r = cw().DescribeAlarms({.alarm_types = {"MetricAlarm", "CompositeAlarm"},
                           .max_records = 2,
                           .next_token = r->next_token});
  ASSERT_OK(r.status());
  ASSERT_THAT(r->composite_alarms, SizeIs(1));
  EXPECT_EQ(r->composite_alarms[0].alarm_name, "c-composite");
  EXPECT_EQ(r->next_token, "");
  r = cw().DescribeAlarms({.alarm_types = {"CompositeAlarm"}, .state_value = "ALARM"});
  ASSERT_OK(r.status());
  ASSERT_THAT(r->composite_alarms, SizeIs(1));
  EXPECT_EQ(r->composite_alarms[0].alarm_name, "c-composite");
  r = cw().DescribeAlarms({.alarm_name_prefix = "b-", .alarm_types = {"CompositeAlarm"}});
  ASSERT_OK(r.status());
  EXPECT_THAT(r->composite_alarms, SizeIs(1));
  // Children and parents, of both types.
  r = cw().DescribeAlarms({.children_of_alarm_name = "b-composite"});
  ASSERT_OK(r.status());
  ASSERT_THAT(r->metric_alarms, SizeIs(1));
  EXPECT_EQ(r->metric_alarms[0].alarm_name, "a-metric");
  r = cw().DescribeAlarms({.parents_of_alarm_name = "b-composite"});
  ASSERT_OK(r.status());
  ASSERT_THAT(r->composite_alarms, SizeIs(1));
  EXPECT_EQ(r->composite_alarms[0].alarm_name, "c-composite");

  // Tags (LocalStack test_tagging_composite_alarm, AWS-validated).
  const std::string arn = Arn("b-composite");
  ASSERT_OK(cw().TagResource({.resource_arn = arn, .tags = {{"tag1", "foo"}, {"tag2", "bar"}}}));
  ASSERT_OK(cw().UntagResource({.resource_arn = arn, .tag_keys = {"tag1"}}));
  auto tags = cw().ListTagsForResource({.resource_arn = arn});
  ASSERT_OK(tags.status());
  ASSERT_THAT(tags->tags, SizeIs(2));
  EXPECT_EQ(tags->tags[0].key, "Environment");
  EXPECT_EQ(tags->tags[1].key, "tag2");

  // An alarm a remaining composite alarm names cannot go (AWS's words, as SDK
  // users report them).
  EXPECT_EQ(cw().DeleteAlarms({.alarm_names = {"a-metric"}}),
            ValidationError("Cannot delete a-metric as there are composite alarm(s) depending on "
                            "it."));
  EXPECT_EQ(cw().DeleteAlarms({.alarm_names = {"a-metric", "b-composite"}}),
            ValidationError("Cannot delete b-composite as there are composite alarm(s) depending "
                            "on it."));
  ASSERT_OK(cw().DeleteAlarms({.alarm_names = {"c-composite"}}));
  ASSERT_OK(cw().DeleteAlarms({.alarm_names = {"b-composite", "a-metric"}}));
  tags = cw().ListTagsForResource({.resource_arn = arn});
  ASSERT_OK(tags.status());
  EXPECT_THAT(tags->tags, IsEmpty());
  auto history =
      cw().DescribeAlarmHistory({.alarm_name = "b-composite", .alarm_types = {"CompositeAlarm"}});
  ASSERT_OK(history.status());
  EXPECT_EQ(history->alarm_history_items[0].history_summary, "Alarm \"b-composite\" deleted");
}

TEST_F(CloudWatchCompositeAlarmTest, SetStateAndDisabledActions) {
  PutChild("a");
  ASSERT_OK(cw().PutCompositeAlarm(
      {.alarm_name = "c", .alarm_rule = "ALARM(a)", .alarm_actions = {alarm_topic_}}));
  ASSERT_OK(PutComposite("parent", "ALARM(c)"));
  // SetAlarmState on a composite alarm holds until a child changes; its own
  // parents follow it.
  SetState("c", "ALARM");
  EXPECT_EQ(State("c"), "ALARM");
  EXPECT_EQ(Composite("c").state_reason, "set by the test");
  EXPECT_EQ(State("parent"), "ALARM");
  EXPECT_THAT(Messages(alarm_queue_), SizeIs(1));
  SetState("a", "OK");
  EXPECT_EQ(State("c"), "OK");
  EXPECT_EQ(State("parent"), "OK");

  ASSERT_OK(cw().DisableAlarmActions({.alarm_names = {"c"}}));
  EXPECT_FALSE(Composite("c").actions_enabled);
  SetState("a", "ALARM");
  EXPECT_EQ(State("c"), "ALARM");
  EXPECT_THAT(Messages(alarm_queue_), IsEmpty());
  ASSERT_OK(cw().EnableAlarmActions({.alarm_names = {"c"}}));
  SetState("a", "OK");
  SetState("a", "ALARM");
  EXPECT_THAT(Messages(alarm_queue_), SizeIs(1));
}

}  // namespace
}  // namespace wharf::testing
