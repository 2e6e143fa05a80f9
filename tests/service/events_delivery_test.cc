// Events end to end: the seed scenarios, targets (SQS standard and FIFO,
// other buses, callbacks), input shaping, scheduled rules, retries and
// dead-lettering on a ManualClock, and rules changing mid-stream.

#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "broker/base/digests.h"
#include "tests/service/events_fixture.h"

namespace wharf::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::SizeIs;

class EventsDeliveryTest : public EventsTest {
 protected:
  EventsDeliveryTest() : EventsTest({.allow_aws_event_sources = true}) {}

  absl::StatusOr<events::PutEventsResult> PutAt(const std::string& source,
                                                const std::string& detail_type,
                                                const std::string& detail,
                                                std::vector<std::string> resources = {}) {
    events::PutEventsRequestEntry e;
    e.source = source;
    e.detail_type = detail_type;
    e.detail = detail;
    e.resources = std::move(resources);
    return ev().PutEvents({.entries = {e}});
  }
};

// ---- Seed scenarios ---------------------------------------------------------

TEST_F(EventsDeliveryTest, Ec2StateChangeReachesTheQueueOnlyForStoppedOrTerminated) {
  TestQueue q = CreateQueue("ec2-alerts");
  RuleTo("ec2-stopped",
         R"({"source":["aws.ec2"],"detail-type":["EC2 Instance State-change Notification"],)"
         R"("detail":{"state":["stopped","terminated"]}})",
         q.arn);
  for (const char* state : {"pending", "running", "stopped", "terminated"}) {
    ASSERT_OK_AND_ASSIGN(auto r,
                         PutAt("aws.ec2", "EC2 Instance State-change Notification",
                               absl::StrCat(R"({"instance-id":"i-0abc","state":")", state, R"("})"),
                               {"arn:aws:ec2:us-east-1:123456789012:instance/i-0abc"}));
    ASSERT_EQ(r.failed_entry_count, 0);
  }
  std::vector<std::string> bodies = DrainBodies(q);
  ASSERT_THAT(bodies, SizeIs(2));
  std::string both = bodies[0] + bodies[1];
  EXPECT_THAT(both, HasSubstr(R"("detail":{"instance-id":"i-0abc","state":"stopped"})"));
  EXPECT_THAT(both, HasSubstr(R"("state":"terminated")"));
  EXPECT_THAT(bodies[0],
              HasSubstr(R"("resources":["arn:aws:ec2:us-east-1:123456789012:instance/i-0abc"])"));
}

TEST_F(EventsDeliveryTest, HighValueOrdersMatchANumericRange) {
  TestQueue q = CreateQueue("high-value");
  RuleTo("high-value",
         R"({"source":["com.example.orders"],"detail-type":["OrderPlaced"],)"
         R"("detail":{"total":[{"numeric":[">=",1000,"<",100000]}]}})",
         q.arn);
  for (const char* total : {"50", "999.99", "1000", "2500.75", "100000", "\"5000\""}) {
    ASSERT_THAT(PutAt("com.example.orders", "OrderPlaced",
                      absl::StrCat(R"({"orderId":1,"total":)", total, "}")),
                IsOk());
  }
  std::vector<std::string> bodies = DrainBodies(q);
  ASSERT_THAT(bodies, SizeIs(2));
  EXPECT_THAT(bodies[0] + bodies[1], HasSubstr(R"("total":1000})"));
  EXPECT_THAT(bodies[0] + bodies[1], HasSubstr(R"("total":2500.75})"));
}

TEST_F(EventsDeliveryTest, S3UploadsMatchAKeyPrefix) {
  TestQueue q = CreateQueue("uploads");
  RuleTo("uploads",
         R"({"source":["aws.s3"],"detail-type":["Object Created"],)"
         R"("detail":{"bucket":{"name":["media"]},"object":{"key":[{"prefix":"uploads/"}]}}})",
         q.arn);
  auto put = [&](const char* bucket, const char* key) {
    return PutAt("aws.s3", "Object Created",
                 absl::StrCat(R"({"bucket":{"name":")", bucket, R"("},"object":{"key":")", key,
                              R"(","size":1024}})"));
  };
  ASSERT_THAT(put("media", "uploads/cat.png"), IsOk());
  ASSERT_THAT(put("media", "thumbnails/cat.png"), IsOk());
  ASSERT_THAT(put("other", "uploads/dog.png"), IsOk());
  ASSERT_THAT(put("media", "uploads/"), IsOk());
  std::vector<std::string> bodies = DrainBodies(q);
  ASSERT_THAT(bodies, SizeIs(2));
  EXPECT_THAT(bodies[0] + bodies[1], HasSubstr("uploads/cat.png"));
}

TEST_F(EventsDeliveryTest, DailyCronReportFiresEveryMorningAtEight) {
  TestQueue q = CreateQueue("reports");
  ASSERT_OK_AND_ASSIGN(auto rule, ev().PutRule({.name = "daily-report",
                                                .schedule_expression = "cron(0 8 * * ? *)"}));
  events::Target t{.id = "report", .arn = q.arn};
  ASSERT_THAT(ev().PutTargets({.rule = "daily-report", .targets = {t}}), IsOk());

  clock_->Advance(absl::Hours(7) + absl::Minutes(59));  // 07:59 on day one.
  EXPECT_THAT(DrainBodies(q), SizeIs(0));
  clock_->Advance(absl::Minutes(1));  // 08:00.
  std::vector<std::string> first = DrainBodies(q);
  ASSERT_THAT(first, SizeIs(1));
  EXPECT_THAT(first[0], HasSubstr(R"("detail-type":"Scheduled Event","source":"aws.events",)"
                                  R"("account":"123456789012","time":"2026-01-01T08:00:00Z",)"
                                  R"("region":"us-east-1","resources":[")" +
                                  rule.rule_arn + R"("],"detail":{}})"));
  clock_->Advance(absl::Hours(72));  // Three more mornings.
  std::vector<std::string> later = DrainBodies(q);
  ASSERT_THAT(later, SizeIs(3));
  std::sort(later.begin(), later.end(), [](const std::string& a, const std::string& b) {
    return a.substr(a.find("\"time\"")) < b.substr(b.find("\"time\""));
  });
  EXPECT_THAT(later[2], HasSubstr(R"("time":"2026-01-04T08:00:00Z")"));
}

TEST_F(EventsDeliveryTest, RateRuleFiresEachPeriodUntilDisabled) {
  Recorder recorder;
  std::string arn = Callback("tick", recorder);
  ASSERT_THAT(ev().PutRule({.name = "tick", .schedule_expression = "rate(5 minutes)"}), IsOk());
  ASSERT_THAT(ev().PutTargets({.rule = "tick", .targets = {{.id = "t", .arn = arn}}}), IsOk());
  clock_->Advance(absl::Hours(1));
  EXPECT_EQ(recorder.size(), 12u);
  ASSERT_THAT(ev().DisableRule({.name = "tick"}), IsOk());
  clock_->Advance(absl::Hours(1));
  EXPECT_EQ(recorder.size(), 12u);
  ASSERT_THAT(ev().EnableRule({.name = "tick"}), IsOk());
  clock_->Advance(absl::Minutes(10));
  EXPECT_EQ(recorder.size(), 14u);
}

TEST_F(EventsDeliveryTest, ReplacingAScheduleRestartsItsTimer) {
  Recorder recorder;
  std::string arn = Callback("tick", recorder);
  ASSERT_THAT(ev().PutRule({.name = "tick", .schedule_expression = "rate(1 minute)"}), IsOk());
  ASSERT_THAT(ev().PutTargets({.rule = "tick", .targets = {{.id = "t", .arn = arn}}}), IsOk());
  ASSERT_THAT(ev().PutRule({.name = "tick", .schedule_expression = "rate(1 hour)"}), IsOk());
  clock_->Advance(absl::Minutes(59));
  EXPECT_EQ(recorder.size(), 0u);
  clock_->Advance(absl::Minutes(1));
  EXPECT_EQ(recorder.size(), 1u);
}

// ---- Targets ----------------------------------------------------------------

TEST_F(EventsDeliveryTest, FifoQueueTargetUsesTheMessageGroupId) {
  TestQueue q =
      CreateQueue("events.fifo", {{"FifoQueue", "true"}, {"ContentBasedDeduplication", "true"}});
  ASSERT_THAT(ev().PutRule({.name = "r", .event_pattern = R"({"source":["shop"]})"}), IsOk());
  events::Target t{.id = "fifo", .arn = q.arn};
  t.sqs_parameters = events::SqsParameters{.message_group_id = "orders"};
  ASSERT_THAT(ev().PutTargets({.rule = "r", .targets = {t}}), IsOk());
  ASSERT_THAT(PutAt("shop", "t", R"({"n":1})"), IsOk());
  ASSERT_THAT(PutAt("shop", "t", R"({"n":2})"), IsOk());
  std::vector<sqs::Message> got = Drain(q);
  ASSERT_THAT(got, SizeIs(2));
  EXPECT_EQ(got[0].attributes["MessageGroupId"], "orders");
  EXPECT_THAT(got[0].body, HasSubstr(R"("n":1)"));
  EXPECT_THAT(got[1].body, HasSubstr(R"("n":2)"));
}

TEST_F(EventsDeliveryTest, QueueTargetsOfOneEventGetTheSameMessage) {
  TestQueue a = CreateQueue("a");
  TestQueue b = CreateQueue("b");
  TestQueue c = CreateQueue("c", {{"DelaySeconds", "5"}});
  RuleTo("to-a", R"({"source":["shop"]})", a.arn);
  RuleTo("to-b", R"({"detail-type":["t"]})", b.arn);
  RuleTo("to-c", R"({"source":["shop"]})", c.arn);
  events::PutEventsRequestEntry e{.source = "shop", .detail_type = "t", .detail = R"({"n":1})"};
  e.trace_header = "Root=1-5759e988-bd862e3fe1be46a994272793";
  ASSERT_OK_AND_ASSIGN(auto put, ev().PutEvents({.entries = {e}}));
  ASSERT_EQ(put.failed_entry_count, 0);
  std::vector<sqs::Message> got_a = Drain(a);
  std::vector<sqs::Message> got_b = Drain(b);
  ASSERT_THAT(got_a, SizeIs(1));
  ASSERT_THAT(got_b, SizeIs(1));
  EXPECT_THAT(Drain(c), SizeIs(0));  // The queue's own delay still applies.
  clock_->Advance(absl::Seconds(5));
  std::vector<sqs::Message> got_c = Drain(c);
  ASSERT_THAT(got_c, SizeIs(1));
  std::set<std::string> ids;
  for (const sqs::Message* m : {&got_a[0], &got_b[0], &got_c[0]}) {
    EXPECT_THAT(m->body, HasSubstr(put.entries[0].event_id));
    EXPECT_EQ(m->body, got_a[0].body);
    EXPECT_EQ(m->md5_of_body, base_internal::Md5Hex(m->body));
    EXPECT_EQ(m->attributes.at("AWSTraceHeader"), e.trace_header);
    ids.insert(m->message_id);
  }
  EXPECT_THAT(ids, SizeIs(3));  // One message per queue.
}

TEST_F(EventsDeliveryTest, TraceHeaderOutsideTheMessageCharactersIsRefused) {
  events::PutEventsRequestEntry e{.source = "shop", .detail_type = "t", .detail = "{}"};
  e.trace_header = "Root=\x01";
  e.trace_header[5] = '\x01';
  ASSERT_OK_AND_ASSIGN(auto put, ev().PutEvents({.entries = {e}}));
  ASSERT_EQ(put.failed_entry_count, 1);
  EXPECT_EQ(put.entries[0].error_code, "InvalidArgument");
  EXPECT_THAT(put.entries[0].error_message, HasSubstr("TraceHeader"));
}

TEST_F(EventsDeliveryTest, EventBusTargetForwardsTheEventToTheOtherBus) {
  ASSERT_OK_AND_ASSIGN(auto orders, ev().CreateEventBus({.name = "orders"}));
  RuleTo("forward", R"({"source":["shop"]})", orders.event_bus_arn);
  Recorder recorder;
  RuleTo("on-orders", R"({"detail-type":["OrderPlaced"]})", Callback("cb", recorder), "orders");
  ASSERT_OK_AND_ASSIGN(auto r, PutAt("shop", "OrderPlaced", R"({"id":7})"));
  ASSERT_THAT(recorder.bodies(), SizeIs(1));
  EXPECT_THAT(recorder.bodies()[0], HasSubstr(r.entries[0].event_id));
  EXPECT_EQ(recorder.events()[0].rule_arn,
            "arn:aws:events:us-east-1:123456789012:rule/orders/on-orders");
}

TEST_F(EventsDeliveryTest, BusLoopsStopAfterAFewHops) {
  ASSERT_OK_AND_ASSIGN(auto a, ev().CreateEventBus({.name = "a"}));
  ASSERT_OK_AND_ASSIGN(auto b, ev().CreateEventBus({.name = "b"}));
  RuleTo("to-b", R"({"source":["s"]})", b.event_bus_arn, "a");
  RuleTo("to-a", R"({"source":["s"]})", a.event_bus_arn, "b");
  ASSERT_OK_AND_ASSIGN(auto r, Put("s", "t", "{}", "a"));
  EXPECT_EQ(r.failed_entry_count, 0);
  EXPECT_GE(events_->TEST_stats().dropped, 1);
}

TEST_F(EventsDeliveryTest, InputTransformerShapesTheQueueMessage) {
  TestQueue q = CreateQueue("shaped");
  ASSERT_THAT(ev().PutRule({.name = "r", .event_pattern = R"({"source":["shop"]})"}), IsOk());
  events::Target t{.id = "t", .arn = q.arn};
  t.input_transformer = events::InputTransformer{
      {{"order", "$.detail.orderId"}, {"type", "$.detail-type"}},
      R"({"message": "Order <order> (<type>) via <aws.events.rule-name>", "id": <order>})"};
  ASSERT_THAT(ev().PutTargets({.rule = "r", .targets = {t}}), IsOk());
  ASSERT_THAT(PutAt("shop", "OrderPlaced", R"({"orderId":"o-42"})"), IsOk());
  EXPECT_THAT(DrainBodies(q),
              ElementsAre(R"({"message": "Order o-42 (OrderPlaced) via r", "id": "o-42"})"));
}

TEST_F(EventsDeliveryTest, InputAndInputPathReachTheQueue) {
  TestQueue q = CreateQueue("shaped");
  ASSERT_THAT(ev().PutRule({.name = "r", .event_pattern = R"({"source":["shop"]})"}), IsOk());
  events::Target constant{.id = "c", .arn = q.arn, .input = R"({"fixed":true})"};
  events::Target path{.id = "p", .arn = q.arn, .input_path = "$.detail"};
  ASSERT_THAT(ev().PutTargets({.rule = "r", .targets = {constant, path}}), IsOk());
  ASSERT_THAT(PutAt("shop", "OrderPlaced", R"({"orderId":"o-42"})"), IsOk());
  std::vector<std::string> bodies = DrainBodies(q);
  std::sort(bodies.begin(), bodies.end());
  EXPECT_THAT(bodies, ElementsAre(R"({"fixed":true})", R"({"orderId":"o-42"})"));
}

TEST_F(EventsDeliveryTest, EachMatchingRuleDeliversOnce) {
  Recorder a, b, c;
  RuleTo("a", R"({"source":["shop"]})", Callback("a", a));
  RuleTo("b", R"({"detail":{"total":[{"numeric":[">",10]}]}})", Callback("b", b));
  RuleTo("c", R"({"source":["other"]})", Callback("c", c));
  ASSERT_THAT(PutAt("shop", "t", R"({"total":20})"), IsOk());
  EXPECT_EQ(a.size(), 1u);
  EXPECT_EQ(b.size(), 1u);
  EXPECT_EQ(c.size(), 0u);
}

// ---- Rules changing mid-stream ------------------------------------------------

TEST_F(EventsDeliveryTest, DisabledRuleDeliversNothingMore) {
  Recorder recorder;
  RuleTo("r", R"({"source":["s"]})", Callback("cb", recorder));
  for (int i = 0; i < 3; ++i) ASSERT_THAT(PutAt("s", "t", "{}"), IsOk());
  ASSERT_THAT(ev().DisableRule({.name = "r"}), IsOk());
  for (int i = 0; i < 3; ++i) ASSERT_THAT(PutAt("s", "t", "{}"), IsOk());
  EXPECT_EQ(recorder.size(), 3u);
  ASSERT_THAT(ev().EnableRule({.name = "r"}), IsOk());
  ASSERT_THAT(PutAt("s", "t", "{}"), IsOk());
  EXPECT_EQ(recorder.size(), 4u);
}

TEST_F(EventsDeliveryTest, DeletedRuleDeliversNothingMore) {
  Recorder recorder;
  RuleTo("r", R"({"source":["s"]})", Callback("cb", recorder));
  ASSERT_THAT(PutAt("s", "t", "{}"), IsOk());
  ASSERT_THAT(ev().RemoveTargets({.rule = "r", .ids = {"t1"}}), IsOk());
  ASSERT_THAT(PutAt("s", "t", "{}"), IsOk());
  ASSERT_THAT(ev().DeleteRule({.name = "r"}), IsOk());
  ASSERT_THAT(PutAt("s", "t", "{}"), IsOk());
  EXPECT_EQ(recorder.size(), 1u);
}

// ---- Retries and dead-letter queues -------------------------------------------

class EventsRetryTest : public EventsDeliveryTest {
 protected:
  // A rule "r" on source "s" whose target "t1" is the callback `recorder`.
  void TargetWithPolicy(Recorder& recorder, std::optional<events::RetryPolicy> policy,
                        const std::string& dlq_arn) {
    std::string arn = Callback("cb", recorder);
    ASSERT_THAT(ev().PutRule({.name = "r", .event_pattern = R"({"source":["s"]})"}), IsOk());
    events::Target t{.id = "t1", .arn = arn};
    t.retry_policy = policy;
    if (!dlq_arn.empty()) t.dead_letter_config = events::DeadLetterConfig{dlq_arn};
    ASSERT_THAT(ev().PutTargets({.rule = "r", .targets = {t}}), IsOk());
  }
};

TEST_F(EventsRetryTest, RetryableFailureIsRetriedWithBackoffUntilItSucceeds) {
  Recorder recorder;
  TestQueue dlq = CreateQueue("dlq");
  TargetWithPolicy(recorder, std::nullopt, dlq.arn);
  recorder.FailNext(2, absl::UnavailableError("busy"));
  ASSERT_THAT(PutAt("s", "t", "{}"), IsOk());
  EXPECT_EQ(recorder.size(), 1u);
  clock_->Advance(absl::Milliseconds(999));
  EXPECT_EQ(recorder.size(), 1u);
  clock_->Advance(absl::Milliseconds(1));  // First retry after 1 s.
  EXPECT_EQ(recorder.size(), 2u);
  clock_->Advance(absl::Seconds(2));  // Second retry 2 s later succeeds.
  ASSERT_EQ(recorder.size(), 3u);
  EXPECT_EQ(recorder.events()[2].attempt, 3);
  EXPECT_EQ(recorder.events()[0].body, recorder.events()[2].body);
  clock_->Advance(absl::Hours(1));
  EXPECT_EQ(recorder.size(), 3u);
  EXPECT_THAT(Drain(dlq), SizeIs(0));
}

TEST_F(EventsRetryTest, ExhaustedRetryAttemptsGoToTheDeadLetterQueue) {
  Recorder recorder;
  TestQueue dlq = CreateQueue("dlq");
  TargetWithPolicy(recorder, events::RetryPolicy{.maximum_retry_attempts = 2}, dlq.arn);
  recorder.FailNext(100, absl::UnavailableError("target is busy"));
  ASSERT_OK_AND_ASSIGN(auto put, PutAt("s", "t", R"({"k":"v"})"));
  clock_->Advance(absl::Minutes(5));
  EXPECT_EQ(recorder.size(), 3u);  // The first try and two retries.
  std::vector<sqs::Message> dead = Drain(dlq);
  ASSERT_THAT(dead, SizeIs(1));
  EXPECT_THAT(dead[0].body, HasSubstr(put.entries[0].event_id));
  EXPECT_THAT(dead[0].body, HasSubstr(R"("detail":{"k":"v"})"));
  auto& attrs = dead[0].message_attributes;
  EXPECT_EQ(attrs["RULE_ARN"].string_value, "arn:aws:events:us-east-1:123456789012:rule/r");
  EXPECT_EQ(attrs["TARGET_ARN"].string_value,
            "arn:wharf:events:us-east-1:123456789012:callback/cb");
  EXPECT_EQ(attrs["ERROR_CODE"].string_value, "UNAVAILABLE");
  EXPECT_EQ(attrs["ERROR_MESSAGE"].string_value, "target is busy");
  EXPECT_EQ(attrs["EXHAUSTED_RETRY_CONDITION"].string_value, "MaximumRetryAttemptsExhausted");
  EXPECT_EQ(attrs["RETRY_ATTEMPTS"].string_value, "2");
  EXPECT_EQ(attrs["RETRY_ATTEMPTS"].data_type, "Number");
}

TEST_F(EventsRetryTest, ExhaustedEventAgeGoesToTheDeadLetterQueue) {
  Recorder recorder;
  TestQueue dlq = CreateQueue("dlq");
  TargetWithPolicy(recorder, events::RetryPolicy{.maximum_event_age_in_seconds = 60}, dlq.arn);
  recorder.FailNext(1000, absl::UnavailableError("busy"));
  ASSERT_THAT(PutAt("s", "t", "{}"), IsOk());
  clock_->Advance(absl::Minutes(10));
  // Tries at 0, 1, 3, 7, 15 and 31 s; the next (63 s) would be too old.
  EXPECT_EQ(recorder.size(), 6u);
  std::vector<sqs::Message> dead = Drain(dlq);
  ASSERT_THAT(dead, SizeIs(1));
  EXPECT_EQ(dead[0].message_attributes["EXHAUSTED_RETRY_CONDITION"].string_value,
            "MaximumEventAgeExhausted");
  EXPECT_EQ(dead[0].message_attributes["RETRY_ATTEMPTS"].string_value, "5");
}

TEST_F(EventsRetryTest, NonRetryableFailureGoesStraightToTheDeadLetterQueue) {
  Recorder recorder;
  TestQueue dlq = CreateQueue("dlq");
  TargetWithPolicy(recorder, std::nullopt, dlq.arn);
  recorder.FailNext(1, absl::InvalidArgumentError("bad input"));
  ASSERT_THAT(PutAt("s", "t", "{}"), IsOk());
  EXPECT_EQ(recorder.size(), 1u);
  std::vector<sqs::Message> dead = Drain(dlq);
  ASSERT_THAT(dead, SizeIs(1));
  EXPECT_EQ(dead[0].message_attributes["RETRY_ATTEMPTS"].string_value, "0");
  EXPECT_EQ(dead[0].message_attributes.count("EXHAUSTED_RETRY_CONDITION"), 0u);
  clock_->Advance(absl::Hours(1));
  EXPECT_EQ(recorder.size(), 1u);
}

TEST_F(EventsRetryTest, MissingQueueTargetIsDeadLettered) {
  TestQueue dlq = CreateQueue("dlq");
  ASSERT_THAT(ev().PutRule({.name = "r", .event_pattern = R"({"source":["s"]})"}), IsOk());
  events::Target t{.id = "t1", .arn = "arn:aws:sqs:us-east-1:123456789012:missing"};
  t.dead_letter_config = events::DeadLetterConfig{dlq.arn};
  ASSERT_THAT(ev().PutTargets({.rule = "r", .targets = {t}}), IsOk());
  ASSERT_THAT(PutAt("s", "t", "{}"), IsOk());
  std::vector<sqs::Message> dead = Drain(dlq);
  ASSERT_THAT(dead, SizeIs(1));
  EXPECT_EQ(dead[0].message_attributes["ERROR_CODE"].string_value, "QueueDoesNotExist");
  EXPECT_EQ(dead[0].message_attributes["TARGET_ARN"].string_value, t.arn);
}

TEST_F(EventsRetryTest, FifoQueueWithoutContentBasedDeduplicationIsDeadLettered) {
  TestQueue dlq = CreateQueue("dlq");
  TestQueue fifo = CreateQueue("plain.fifo", {{"FifoQueue", "true"}});
  ASSERT_THAT(ev().PutRule({.name = "r", .event_pattern = R"({"source":["s"]})"}), IsOk());
  events::Target t{.id = "t1", .arn = fifo.arn};
  t.sqs_parameters = events::SqsParameters{.message_group_id = "g"};
  t.dead_letter_config = events::DeadLetterConfig{dlq.arn};
  ASSERT_THAT(ev().PutTargets({.rule = "r", .targets = {t}}), IsOk());
  ASSERT_THAT(PutAt("s", "t", "{}"), IsOk());
  EXPECT_THAT(Drain(fifo), SizeIs(0));
  std::vector<sqs::Message> dead = Drain(dlq);
  ASSERT_THAT(dead, SizeIs(1));
  EXPECT_EQ(dead[0].message_attributes["ERROR_CODE"].string_value, "InvalidParameterValue");
}

TEST_F(EventsRetryTest, ShapedInputSqsCannotCarryIsDeadLettered) {
  TestQueue dlq = CreateQueue("dlq");
  TestQueue q = CreateQueue("q");
  ASSERT_THAT(ev().PutRule({.name = "r", .event_pattern = R"({"source":["s"]})"}), IsOk());
  // Valid JSON, but U+FFFE is outside what an SQS message may hold.
  events::Target t{.id = "t1", .arn = q.arn, .input = "\"\xEF\xBF\xBE\""};
  t.dead_letter_config = events::DeadLetterConfig{dlq.arn};
  ASSERT_THAT(ev().PutTargets({.rule = "r", .targets = {t}}), IsOk());
  ASSERT_THAT(PutAt("s", "t", "{}"), IsOk());
  EXPECT_THAT(Drain(q), SizeIs(0));
  std::vector<sqs::Message> dead = Drain(dlq);
  ASSERT_THAT(dead, SizeIs(1));
  EXPECT_EQ(dead[0].message_attributes["ERROR_CODE"].string_value, "InvalidMessageContents");
}

TEST_F(EventsRetryTest, UnregisteredCallbackFailsAsAMissingTarget) {
  Recorder recorder;
  TestQueue dlq = CreateQueue("dlq");
  TargetWithPolicy(recorder, std::nullopt, dlq.arn);
  ev().UnregisterCallback("cb");
  ASSERT_THAT(PutAt("s", "t", "{}"), IsOk());
  EXPECT_EQ(recorder.size(), 0u);
  std::vector<sqs::Message> dead = Drain(dlq);
  ASSERT_THAT(dead, SizeIs(1));
  EXPECT_EQ(dead[0].message_attributes["ERROR_CODE"].string_value, "ResourceNotFoundException");
}

TEST_F(EventsRetryTest, FailureWithoutADeadLetterQueueIsDropped) {
  Recorder recorder;
  TargetWithPolicy(recorder, events::RetryPolicy{.maximum_retry_attempts = 0}, "");
  recorder.FailNext(1, absl::UnavailableError("busy"));
  ASSERT_THAT(PutAt("s", "t", "{}"), IsOk());
  clock_->Advance(absl::Hours(1));
  EXPECT_EQ(recorder.size(), 1u);
  EXPECT_EQ(events_->TEST_stats().dropped, 1);
}

}  // namespace
}  // namespace wharf::testing
