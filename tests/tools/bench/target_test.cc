// The two AWS-shaped targets against one broker: InprocTarget through the
// public services, HttpTarget through an Endpoint of the same broker that
// verifies SigV4 signatures. Each builds a scenario's topology (checked
// through the broker's own API), carries messages to queues, topics and
// buses, and tears it all down.

#include "broker/tools/bench/target.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "broker/tools/bench/http_target.h"
#include "broker/tools/bench/inproc_target.h"
#include "broker/tools/bench/messages.h"
#include "broker/tools/bench/scenario.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "wharf/broker.h"
#include "wharf/clock.h"
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
  EXPECT_EQ(ParseTargetSpec("http://").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseTargetSpec("sqs").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseTargetSpec("durable:").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(TargetKindsTest, DurableTargetsNameTheirSyncLevel) {
  EXPECT_EQ(ParseTargetSpec("durable").value().sync_level, SyncLevel::kNormal);
  EXPECT_EQ(ParseTargetSpec("durable:/d").value().sync_level, SyncLevel::kNormal);
  TargetSpec full = ParseTargetSpec("durable-full").value();
  EXPECT_EQ(full.kind, TargetSpec::Kind::kDurable);
  EXPECT_EQ(full.sync_level, SyncLevel::kFull);
  EXPECT_EQ(full.Name(), "durable-full");
  full = ParseTargetSpec("durable-full:/var/tmp/wb").value();
  EXPECT_EQ(full.sync_level, SyncLevel::kFull);
  EXPECT_EQ(full.data_dir, "/var/tmp/wb");
  EXPECT_EQ(full.Name(), "durable-full:/var/tmp/wb");
  EXPECT_THAT(std::string(ParseTargetSpec("durable-full:").status().message()),
              HasSubstr("\"durable-full:\" names no directory"));
  EXPECT_EQ(ParseTargetSpec("durable-fullx").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseTargetSpec("durablex").status().code(), absl::StatusCode::kInvalidArgument);
}

// A data directory under the test's scratch space, removed afterwards.
class DurableTargetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = std::filesystem::path(::testing::TempDir()) /
            absl::StrCat("durable_target_test_", getpid());
    std::filesystem::remove_all(root_);
    std::filesystem::create_directories(root_);
    scenario_ =
        ParseScenario("name: t\nqueues: [{name: q}]\nload: [{queue: q, rate: 1}]\n", "t.yaml")
            .value();
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  std::filesystem::path root_;
  Scenario scenario_;
};

TEST_F(DurableTargetTest, AnExplicitDirectoryHoldsTheQueuesAndIsKept) {
  std::string dir = (root_ / "data").string();
  TargetSpec spec = ParseTargetSpec("durable:" + dir).value();
  {
    std::unique_ptr<Target> target = MakeTarget(spec, scenario_).value();
    EXPECT_EQ(target->name(), "durable:" + dir);
    ASSERT_TRUE(target->Setup(scenario_, "d-").ok());
    std::unique_ptr<Session> session = target->NewSession().value();
    OutMessage m{.body = "kept", .attributes = {}, .group_id = "", .dedup_id = ""};
    ASSERT_EQ(session->Send({.kind = DestinationKind::kQueue, .index = 0}, {&m, 1})->failed, 0);
    // One broker per directory: a second target on it is refused.
    EXPECT_EQ(MakeTarget(spec, scenario_).status().code(), absl::StatusCode::kFailedPrecondition);
  }
  // Reopened, the queue and its message are still there.
  std::unique_ptr<Broker> broker = Broker::Open({.data_dir = dir}).value();
  absl::StatusOr<sqs::ListQueuesResult> listed = broker->sqs().ListQueues({});
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ(listed->queue_urls.size(), 1u);
  sqs::ReceiveMessageResult got =
      broker->sqs().ReceiveMessage({.queue_url = listed->queue_urls[0]}).value();
  ASSERT_EQ(got.messages.size(), 1u);
  EXPECT_EQ(got.messages[0].body, "kept");
}

TEST_F(DurableTargetTest, FullSyncTargetOpensItsBrokerWithFullSync) {
  std::string dir = (root_ / "full").string();
  std::unique_ptr<Target> target =
      MakeTarget(ParseTargetSpec("durable-full:" + dir).value(), scenario_).value();
  EXPECT_EQ(target->name(), "durable-full:" + dir);
  ASSERT_TRUE(target->Setup(scenario_, "d-").ok());
  std::unique_ptr<Session> session = target->NewSession().value();
  OutMessage m{.body = "synced", .attributes = {}, .group_id = "", .dedup_id = ""};
  ASSERT_EQ(session->Send({.kind = DestinationKind::kQueue, .index = 0}, {&m, 1})->failed, 0);
  EXPECT_EQ(InprocBrokerOptions(scenario_, ParseTargetSpec("durable-full").value()).sync_level,
            SyncLevel::kFull);
  EXPECT_EQ(InprocBrokerOptions(scenario_, ParseTargetSpec("durable").value()).sync_level,
            SyncLevel::kNormal);
}

TEST_F(DurableTargetTest, WithoutADirectoryATemporaryOneIsUsedAndRemoved) {
  std::string tmp = (root_ / "tmp").string();
  std::filesystem::create_directories(tmp);
  const char* old = std::getenv("TMPDIR");
  std::string saved = old != nullptr ? old : "";
  setenv("TMPDIR", tmp.c_str(), 1);
  absl::StatusOr<std::unique_ptr<Target>> target =
      MakeTarget(ParseTargetSpec("durable").value(), scenario_);
  if (old != nullptr) {
    setenv("TMPDIR", saved.c_str(), 1);
  } else {
    unsetenv("TMPDIR");
  }
  ASSERT_TRUE(target.ok()) << target.status();
  EXPECT_EQ((*target)->name(), "durable");
  EXPECT_TRUE((*target)->Setup(scenario_, "d-").ok());
  EXPECT_FALSE(std::filesystem::is_empty(tmp));  // The broker's store is there.
  EXPECT_TRUE((*target)->Teardown().ok());
  target->reset();
  EXPECT_TRUE(std::filesystem::is_empty(tmp));
}

// An in-process mapping with a ManualClock: batches reach the handler when
// the test drains, only the records it reports as failed come back, and a
// record failed past the redrive policy lands in the dead-letter queue.
TEST(InprocMappingTest, OnlyReportedFailuresComeBackAndReachTheDeadLetterQueue) {
  auto clock = std::make_shared<ManualClock>();
  std::unique_ptr<Broker> broker = Broker::Open({.clock = clock}).value();
  Scenario s = ParseScenario(
                   "name: m\nqueues:\n  - name: dlq\n  - name: work\n    attributes: "
                   "{VisibilityTimeout: 5}\n    dead_letter: {queue: dlq, max_receive_count: 2}\n"
                   "load: [{queue: work, rate: 1}]\n"
                   "consumers:\n  - queue: work\n    type: mapping\n",
                   "m.yaml")
                   .value();
  std::unique_ptr<Target> target = MakeInprocTarget(*broker);
  ASSERT_TRUE(target->RunsMappings());
  ASSERT_TRUE(target->Setup(s, "m-").ok());
  const int work = s.QueueIndex("work");
  const int dlq = s.QueueIndex("dlq");

  // Handlers run on the thread that drains (RunUntilIdle, Advance).
  std::vector<std::vector<std::pair<std::string, int>>> calls;
  absl::StatusOr<std::unique_ptr<Mapping>> mapping =
      target->StartMapping(work, {.batch_size = 10, .window_seconds = 0, .concurrency = 2},
                           [&calls](std::span<const InMessage> batch) {
                             std::vector<size_t> failed;
                             calls.emplace_back();
                             for (size_t i = 0; i < batch.size(); ++i) {
                               calls.back().emplace_back(batch[i].body, batch[i].receive_count);
                               if (batch[i].body == "b") failed.push_back(i);
                             }
                             return failed;
                           });
  ASSERT_TRUE(mapping.ok()) << mapping.status();
  std::unique_ptr<Session> session = target->NewSession().value();
  std::vector<OutMessage> batch(3);
  batch[0].body = "a";
  batch[1].body = "b";
  batch[2].body = "c";
  ASSERT_EQ(session->Send({.kind = DestinationKind::kQueue, .index = work}, batch)->failed, 0);
  ASSERT_TRUE(broker->lambda().RunUntilIdle().ok());
  ASSERT_THAT(calls, SizeIs(1));
  EXPECT_THAT(calls[0],
              ::testing::UnorderedElementsAre(::testing::Pair("a", 1), ::testing::Pair("b", 1),
                                              ::testing::Pair("c", 1)));
  QueueDepth depth = session->Depth(work).value();
  EXPECT_EQ(depth.visible, 0);
  EXPECT_EQ(depth.in_flight, 1);  // "b", until the visibility timeout.

  clock->Advance(absl::Seconds(5));
  ASSERT_TRUE(broker->lambda().RunUntilIdle().ok());
  ASSERT_THAT(calls, SizeIs(2));
  EXPECT_THAT(calls[1], ::testing::ElementsAre(::testing::Pair("b", 2)));
  clock->Advance(absl::Seconds(5));
  ASSERT_TRUE(broker->lambda().RunUntilIdle().ok());
  EXPECT_THAT(calls, SizeIs(2));  // The third receive moved it instead.
  EXPECT_EQ(session->Depth(dlq)->visible, 1);
  EXPECT_EQ(session->Depth(work)->in_flight, 0);

  // Stopped, the handler is not called again, and the function is gone.
  ASSERT_TRUE((*mapping)->Stop().ok());
  ASSERT_TRUE((*mapping)->Stop().ok());  // Idempotent.
  ASSERT_EQ(
      session->Send({.kind = DestinationKind::kQueue, .index = work}, {batch.data(), 1})->failed,
      0);
  ASSERT_TRUE(broker->lambda().RunUntilIdle().ok());
  EXPECT_THAT(calls, SizeIs(2));
  EXPECT_EQ(broker->lambda().ListFunctions({}).value().functions.size(), 0u);
  mapping->reset();
  session.reset();
  EXPECT_TRUE(target->Teardown().ok());
}

TEST(InprocMappingTest, TargetsWithoutLambdaRefuseMappingsSayingWhichTargetsRunThem) {
  std::unique_ptr<Target> http = MakeHttpTarget("http://127.0.0.1:1").value();
  EXPECT_FALSE(http->RunsMappings());
  absl::StatusOr<std::unique_ptr<Mapping>> mapping =
      http->StartMapping(0, {}, [](std::span<const InMessage>) { return std::vector<size_t>(); });
  EXPECT_EQ(mapping.status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_THAT(std::string(mapping.status().message()),
              HasSubstr("needs --target=inproc or --target=durable"));
}

}  // namespace
}  // namespace wharf::bench
