// The two AWS-shaped targets against one broker: InprocTarget through the
// public services, HttpTarget through an Endpoint of the same broker that
// verifies SigV4 signatures. Each builds a scenario's topology (checked
// through the broker's own API), carries messages to queues, topics and
// buses, and tears it all down.

#include "broker/tools/bench/target.h"

#include <memory>
#include <string>
#include <vector>

#include "broker/tools/bench/http_target.h"
#include "broker/tools/bench/inproc_target.h"
#include "broker/tools/bench/messages.h"
#include "broker/tools/bench/scenario.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "wharf/broker.h"
#include "wharf/endpoint.h"

namespace wharf::bench {
namespace {

using ::testing::HasSubstr;
using ::testing::SizeIs;

constexpr char kTopology[] = R"(name: topology
queues:
  - name: dlq
  - name: work
    attributes: {VisibilityTimeout: 7}
    dead_letter: {queue: dlq, max_receive_count: 2}
  - name: red
  - name: blue
  - name: routed
  - name: jobs.fifo
topics:
  - name: colours
    subscriptions:
      - queue: red
        filter: {colour: [red]}
      - queue: blue
        filter: {colour: [blue]}
buses:
  - name: events
    rules:
      - name: big
        pattern: {source: [test], detail: {size: [{numeric: [">", 10]}]}}
        targets: routed
load:
  - queue: work
    rate: 1
)";

enum class Kind { kInproc, kHttp };

class TargetTest : public ::testing::TestWithParam<Kind> {
 protected:
  void SetUp() override {
    broker_ = Broker::Open({}).value();
    if (GetParam() == Kind::kHttp) {
      EndpointOptions options;
      options.verify_signatures = true;
      options.credentials = {{"AKIDBENCH", "bench-secret"}};
      endpoint_ = std::make_unique<Endpoint>(*broker_, options);
      ASSERT_TRUE(endpoint_->ok()) << endpoint_->status();
      target_ = MakeHttpTarget(ClientOptions("bench-secret"));
    } else {
      target_ = MakeInprocTarget(*broker_);
    }
    absl::StatusOr<Scenario> s = ParseScenario(kTopology, "topology.yaml");
    ASSERT_TRUE(s.ok()) << s.status();
    scenario_ = *std::move(s);
  }

  AwsClientOptions ClientOptions(std::string secret) {
    AwsClientOptions options = AwsClientOptions::FromEnvironment(endpoint_->url()).value();
    options.credentials = {
        .access_key_id = "AKIDBENCH", .secret_access_key = std::move(secret), .session_token = ""};
    options.region = "us-east-1";
    return options;
  }

  std::string QueueUrl(const std::string& name) {
    absl::StatusOr<sqs::GetQueueUrlResult> got = broker_->sqs().GetQueueUrl({.queue_name = name});
    return got.ok() ? got->queue_url : "";
  }

  std::map<std::string, std::string> Attributes(const std::string& name) {
    sqs::GetQueueAttributesRequest request;
    request.queue_url = QueueUrl(name);
    request.attribute_names = {"All"};
    auto got = broker_->sqs().GetQueueAttributes(request);
    if (!got.ok()) return {};
    return {got->attributes.begin(), got->attributes.end()};
  }

  std::unique_ptr<Session> NewSession() {
    absl::StatusOr<std::unique_ptr<Session>> s = target_->NewSession();
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? *std::move(s) : nullptr;
  }

  static OutMessage Message(int seq, std::vector<MessageAttribute> attributes = {}) {
    OutMessage m;
    m.body = "{\"wharf_bench\":\"";
    AppendStamp({.intended = 1, .producer = 0, .seq = seq, .group = 0}, &m.body);
    m.body += "\",\"size\":" + std::to_string(seq) + "}";
    m.attributes = std::move(attributes);
    return m;
  }

  std::unique_ptr<Broker> broker_;
  std::unique_ptr<Endpoint> endpoint_;
  std::unique_ptr<Target> target_;
  Scenario scenario_;
};

TEST_P(TargetTest, SetupCreatesTheTopologyUnderThePrefix) {
  ASSERT_TRUE(target_->Setup(scenario_, "p1-").ok());
  for (const char* q : {"p1-dlq", "p1-work", "p1-red", "p1-blue", "p1-routed", "p1-jobs.fifo"}) {
    EXPECT_FALSE(QueueUrl(q).empty()) << q;
  }
  std::map<std::string, std::string> work = Attributes("p1-work");
  EXPECT_EQ(work["VisibilityTimeout"], "7");
  EXPECT_THAT(work["RedrivePolicy"], HasSubstr("p1-dlq"));
  EXPECT_THAT(work["RedrivePolicy"], HasSubstr("\"maxReceiveCount\":2"));
  EXPECT_EQ(Attributes("p1-jobs.fifo")["FifoQueue"], "true");
  // Queues that topics and rules deliver to carry a policy that lets them.
  EXPECT_THAT(Attributes("p1-red")["Policy"], HasSubstr("sns.amazonaws.com"));
  EXPECT_THAT(Attributes("p1-routed")["Policy"], HasSubstr("events.amazonaws.com"));
  EXPECT_TRUE(Attributes("p1-work")["Policy"].empty());

  auto topics = broker_->sns().ListTopics({}).value();
  ASSERT_THAT(topics.topics, SizeIs(1));
  EXPECT_THAT(topics.topics[0].topic_arn, HasSubstr(":p1-colours"));
  auto subs =
      broker_->sns().ListSubscriptionsByTopic({.topic_arn = topics.topics[0].topic_arn}).value();
  ASSERT_THAT(subs.subscriptions, SizeIs(2));
  auto sub =
      broker_->sns()
          .GetSubscriptionAttributes({.subscription_arn = subs.subscriptions[0].subscription_arn})
          .value();
  EXPECT_THAT(sub.attributes["FilterPolicy"], HasSubstr("colour"));
  EXPECT_EQ(sub.attributes["RawMessageDelivery"], "true");

  events::ListRulesRequest rules_request;
  rules_request.event_bus_name = "p1-events";
  auto rules = broker_->events().ListRules(rules_request).value();
  ASSERT_THAT(rules.rules, SizeIs(1));
  EXPECT_EQ(rules.rules[0].name, "p1-big");
  events::ListTargetsByRuleRequest targets_request;
  targets_request.rule = "p1-big";
  targets_request.event_bus_name = "p1-events";
  auto targets = broker_->events().ListTargetsByRule(targets_request).value();
  ASSERT_THAT(targets.targets, SizeIs(1));
  EXPECT_THAT(targets.targets[0].arn, HasSubstr(":p1-routed"));

  ASSERT_TRUE(target_->Teardown().ok());
  EXPECT_TRUE(broker_->sqs().ListQueues({}).value().queue_urls.empty());
  EXPECT_TRUE(broker_->sns().ListTopics({}).value().topics.empty());
  EXPECT_THAT(broker_->events().ListEventBuses({}).value().event_buses, SizeIs(1));  // default
}

TEST_P(TargetTest, SessionsCarryMessagesToQueuesTopicsAndBuses) {
  ASSERT_TRUE(target_->Setup(scenario_, "p2-").ok());
  std::unique_ptr<Session> s = NewSession();
  ASSERT_NE(s, nullptr);
  int work = scenario_.QueueIndex("work");
  int red = scenario_.QueueIndex("red");
  int blue = scenario_.QueueIndex("blue");
  int routed = scenario_.QueueIndex("routed");

  // A queue: a batch of three, then one alone.
  std::vector<OutMessage> batch = {Message(1), Message(2), Message(3)};
  absl::StatusOr<BatchOutcome> sent = s->Send(
      {.kind = DestinationKind::kQueue, .index = work, .source = "", .detail_type = ""}, batch);
  ASSERT_TRUE(sent.ok()) << sent.status();
  EXPECT_EQ(sent->failed, 0);
  ASSERT_TRUE(s->Send({DestinationKind::kQueue, work, "", ""}, std::vector{Message(4)}).ok());
  EXPECT_EQ(s->Depth(work)->visible, 4);
  std::vector<InMessage> got;
  ASSERT_TRUE(
      s->Receive(work,
                 {.max_messages = 10, .wait_seconds = 0, .visibility_timeout = {}, .stop = {}},
                 &got)
          .ok());
  ASSERT_THAT(got, SizeIs(4));
  EXPECT_EQ(got[0].receive_count, 1);
  EXPECT_TRUE(FindStamp(got[0].body).has_value());
  EXPECT_EQ(s->Depth(work)->in_flight, 4);
  // Two go back (visible at once), two are deleted.
  std::vector<std::string> back = {got[0].receipt_handle, got[1].receipt_handle};
  std::vector<std::string> done = {got[2].receipt_handle, got[3].receipt_handle};
  EXPECT_EQ(s->ChangeVisibility(work, back, 0)->failed, 0);
  EXPECT_EQ(s->Delete(work, done)->failed, 0);
  got.clear();
  ASSERT_TRUE(s->Receive(work, {10, 0, {}, {}}, &got).ok());
  ASSERT_THAT(got, SizeIs(2));
  EXPECT_EQ(got[0].receive_count, 2);
  // A bad handle fails as an entry, not as the call.
  std::vector<std::string> bad = {"not-a-receipt-handle", got[0].receipt_handle};
  absl::StatusOr<BatchOutcome> partly = s->Delete(work, bad);
  ASSERT_TRUE(partly.ok()) << partly.status();
  EXPECT_EQ(partly->failed, 1);
  EXPECT_THAT(partly->first_error, HasSubstr("ReceiptHandleIsInvalid"));

  // A topic: the filter policies pick the queue by attribute.
  std::vector<OutMessage> colours = {Message(5, {{"colour", "red", false}}),
                                     Message(6, {{"colour", "blue", false}}),
                                     Message(7, {{"colour", "green", false}})};
  ASSERT_TRUE(s->Send({DestinationKind::kTopic, 0, "", ""}, colours).ok());
  ASSERT_TRUE(s->Send({DestinationKind::kTopic, 0, "", ""},
                      std::vector{Message(8, {{"colour", "red", false}})})
                  .ok());
  EXPECT_EQ(s->Depth(red)->visible, 2);
  EXPECT_EQ(s->Depth(blue)->visible, 1);

  // A bus: the rule matches detail.size > 10.
  std::vector<OutMessage> events = {Message(5), Message(50), Message(500)};
  absl::StatusOr<BatchOutcome> put = s->Send({DestinationKind::kBus, 0, "test", "Thing"}, events);
  ASSERT_TRUE(put.ok()) << put.status();
  EXPECT_EQ(put->failed, 0);
  got.clear();
  ASSERT_TRUE(s->Receive(routed, {10, 0, {}, {}}, &got).ok());
  ASSERT_THAT(got, SizeIs(2));
  for (const InMessage& m : got) {
    EXPECT_THAT(m.body, HasSubstr("\"detail-type\":\"Thing\""));
    ASSERT_TRUE(FindStamp(m.body).has_value());
    EXPECT_GE(FindStamp(m.body)->seq, 50);
  }
  s.reset();
  EXPECT_TRUE(target_->Teardown().ok());
}

TEST_P(TargetTest, ASetupErrorNamesTheScenarioLine) {
  absl::StatusOr<Scenario> s = ParseScenario(
      "name: t\nqueues: [{name: q}]\ntopics:\n  - name: t\n    subscriptions:\n"
      "      - queue: q\n        filter: {colour: red}\nload: [{topic: t, rate: 1}]\n",
      "bad.yaml");
  ASSERT_TRUE(s.ok()) << s.status();
  absl::Status status = target_->Setup(*s, "p3-");
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(std::string(status.message()), HasSubstr("bad.yaml:6: subscription of q to t: "));
  EXPECT_THAT(std::string(status.message()), HasSubstr("InvalidParameter"));
  EXPECT_TRUE(target_->Teardown().ok());
}

TEST_P(TargetTest, AMissingQueueIsReportedWithItsAwsCode) {
  ASSERT_TRUE(target_->Setup(scenario_, "p4-").ok());
  std::unique_ptr<Session> s = NewSession();
  ASSERT_TRUE(broker_->sqs().DeleteQueue({.queue_url = QueueUrl("p4-work")}).ok());
  absl::StatusOr<QueueDepth> depth = s->Depth(scenario_.QueueIndex("work"));
  ASSERT_FALSE(depth.ok());
  EXPECT_THAT(std::string(depth.status().message()), HasSubstr("QueueDoesNotExist"));
}

INSTANTIATE_TEST_SUITE_P(Targets, TargetTest, ::testing::Values(Kind::kInproc, Kind::kHttp),
                         [](const ::testing::TestParamInfo<Kind>& info) {
                           return info.param == Kind::kInproc ? "Inproc" : "Http";
                         });

TEST(HttpTargetTest, AWrongSecretIsRefusedByAVerifyingEndpoint) {
  std::unique_ptr<Broker> broker = Broker::Open({}).value();
  EndpointOptions options;
  options.verify_signatures = true;
  options.credentials = {{"AKIDBENCH", "bench-secret"}};
  Endpoint endpoint(*broker, options);
  ASSERT_TRUE(endpoint.ok()) << endpoint.status();
  AwsClientOptions client = AwsClientOptions::FromEnvironment(endpoint.url()).value();
  client.credentials = {
      .access_key_id = "AKIDBENCH", .secret_access_key = "wrong", .session_token = ""};
  std::unique_ptr<Target> target = MakeHttpTarget(client);
  Scenario s =
      ParseScenario("name: t\nqueues: [{name: q}]\nload: [{queue: q, rate: 1}]\n", "t.yaml")
          .value();
  absl::Status status = target->Setup(s, "x-");
  EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied) << status;
  // SQS over JSON 1.0 names it as AWS does in that protocol.
  EXPECT_THAT(std::string(status.message()), HasSubstr("InvalidSignatureException"));
}

TEST(HttpTargetTest, AnUnreachableEndpointIsUnavailable) {
  // Port 1 on the loopback refuses connections.
  std::unique_ptr<Target> target = MakeHttpTarget("http://127.0.0.1:1").value();
  Scenario s =
      ParseScenario("name: t\nqueues: [{name: q}]\nload: [{queue: q, rate: 1}]\n", "t.yaml")
          .value();
  absl::Status status = target->Setup(s, "x-");
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << status;
  EXPECT_THAT(std::string(status.message()),
              HasSubstr("t.yaml:2: queue q: connecting to 127.0.0.1:1"));
}

TEST(TargetKindsTest, MakeTargetBuildsEachKindThisBuildHas) {
  Scenario s =
      ParseScenario("name: t\nqueues: [{name: q}]\nload: [{queue: q, rate: 1}]\n", "t.yaml")
          .value();
  EXPECT_EQ(MakeTarget(ParseTargetSpec("inproc").value(), s).value()->name(), "inproc");
  EXPECT_EQ(MakeTarget(ParseTargetSpec("noop").value(), s).value()->name(), "noop");
  EXPECT_EQ(MakeTarget(ParseTargetSpec("http://localhost:4566/").value(), s).value()->name(),
            "http://localhost:4566");
  EXPECT_THAT(std::string(ParseTargetSpec("durable").status().message()), HasSubstr("issue #17"));
  EXPECT_EQ(ParseTargetSpec("http://").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseTargetSpec("sqs").status().code(), absl::StatusCode::kInvalidArgument);
  TargetSpec durable{.kind = TargetSpec::Kind::kDurable, .url = "", .data_dir = "/tmp/x"};
  EXPECT_EQ(MakeTarget(durable, s).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace wharf::bench
