// Archives and replays (spec/eventbridge.md §6) on a ManualClock.

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "broker/base/mutex.h"
#include "tests/service/events_fixture.h"

namespace wharf::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::SizeIs;

constexpr char kBusArn[] = "arn:aws:events:us-east-1:123456789012:event-bus/default";

class EventsArchiveTest : public EventsTest {
 protected:
  // An archive "arch" of the default bus, a rule "r" to `recorder`, and three
  // events one minute apart starting at the clock's start (t0).
  void ArchiveThreeEvents(Recorder& recorder) {
    t0_ = clock_->Now();
    ASSERT_THAT(ev().CreateArchive({.archive_name = "arch", .event_source_arn = kBusArn}), IsOk());
    RuleTo("r", R"({"source":["shop"]})", Callback("cb", recorder));
    for (int i = 0; i < 3; ++i) {
      ASSERT_THAT(Put("shop", "t", absl::StrCat(R"({"n":)", i, "}")), IsOk());
      clock_->Advance(absl::Minutes(1));
    }
  }
  events::StartReplayRequest Replay(const std::string& name, absl::Time start, absl::Time end) {
    events::StartReplayRequest r;
    r.replay_name = name;
    r.event_source_arn = "arn:aws:events:us-east-1:123456789012:archive/arch";
    r.event_start_time = start;
    r.event_end_time = end;
    r.destination.arn = kBusArn;
    return r;
  }
  absl::Time t0_;
};

TEST_F(EventsArchiveTest, ArchiveStoresEveryEventOfItsBus) {
  Recorder recorder;
  ArchiveThreeEvents(recorder);
  ASSERT_OK_AND_ASSIGN(auto a, ev().DescribeArchive({.archive_name = "arch"}));
  EXPECT_EQ(a.archive_arn, "arn:aws:events:us-east-1:123456789012:archive/arch");
  EXPECT_EQ(a.event_source_arn, kBusArn);
  EXPECT_EQ(a.state, "ENABLED");
  EXPECT_EQ(a.event_count, 3);
  EXPECT_GT(a.size_bytes, 0);
}

TEST_F(EventsArchiveTest, ArchivePatternSelectsEvents) {
  ASSERT_THAT(ev().CreateArchive({.archive_name = "big",
                                  .event_source_arn = kBusArn,
                                  .event_pattern = R"({"detail":{"n":[{"numeric":[">",1]}]}})"}),
              IsOk());
  for (int i = 0; i < 4; ++i) ASSERT_THAT(Put("s", "t", absl::StrCat(R"({"n":)", i, "}")), IsOk());
  EXPECT_EQ(ev().DescribeArchive({.archive_name = "big"})->event_count, 2);
}

TEST_F(EventsArchiveTest, ArchiveErrors) {
  ASSERT_THAT(ev().CreateArchive({.archive_name = "a", .event_source_arn = kBusArn}), IsOk());
  EXPECT_THAT(ev().CreateArchive({.archive_name = "a", .event_source_arn = kBusArn}),
              HasError(ErrorCode::kEventsResourceAlreadyExists, "Archive a already exists."));
  EXPECT_THAT(ev().CreateArchive(
                  {.archive_name = "b",
                   .event_source_arn = "arn:aws:events:us-east-1:123456789012:event-bus/nope"}),
              HasError(ErrorCode::kEventsResourceNotFound, "Event bus nope does not exist."));
  EXPECT_THAT(
      ev().CreateArchive(
          {.archive_name = "c", .event_source_arn = kBusArn, .event_pattern = R"({"source":"x"})"}),
      HasErrorCode(ErrorCode::kInvalidEventPattern));
  EXPECT_THAT(
      ev().CreateArchive({.archive_name = std::string(49, 'a'), .event_source_arn = kBusArn}),
      HasErrorCode(ErrorCode::kEventsValidation));
  EXPECT_THAT(ev().DescribeArchive({.archive_name = "nope"}),
              HasError(ErrorCode::kEventsResourceNotFound, "Archive nope does not exist."));
  EXPECT_THAT(ev().DeleteArchive({.archive_name = "nope"}),
              HasError(ErrorCode::kEventsResourceNotFound, "Archive nope does not exist."));
  EXPECT_THAT(ev().UpdateArchive({.archive_name = "a"}),
              HasError(ErrorCode::kEventsValidation,
                       "At least one of EventPattern, RetentionDays or Description must be "
                       "provided."));
}

TEST_F(EventsArchiveTest, UpdateArchiveChangesWhatItKeeps) {
  ASSERT_THAT(ev().CreateArchive({.archive_name = "a", .event_source_arn = kBusArn}), IsOk());
  ASSERT_THAT(
      ev().UpdateArchive(
          {.archive_name = "a", .description = "only x", .event_pattern = R"({"source":["x"]})"}),
      IsOk());
  ASSERT_THAT(Put("y", "t", "{}"), IsOk());
  ASSERT_THAT(Put("x", "t", "{}"), IsOk());
  ASSERT_OK_AND_ASSIGN(auto a, ev().DescribeArchive({.archive_name = "a"}));
  EXPECT_EQ(a.description, "only x");
  EXPECT_EQ(a.event_count, 1);
}

TEST_F(EventsArchiveTest, RetentionDropsOldEvents) {
  ASSERT_THAT(
      ev().CreateArchive({.archive_name = "a", .event_source_arn = kBusArn, .retention_days = 1}),
      IsOk());
  ASSERT_THAT(Put("s", "t", "{}"), IsOk());
  clock_->Advance(absl::Hours(23));
  EXPECT_EQ(ev().DescribeArchive({.archive_name = "a"})->event_count, 1);
  clock_->Advance(absl::Hours(2));
  EXPECT_EQ(ev().DescribeArchive({.archive_name = "a"})->event_count, 0);
}

TEST_F(EventsArchiveTest, ListAndDeleteArchives) {
  ASSERT_THAT(ev().CreateArchive({.archive_name = "a1", .event_source_arn = kBusArn}), IsOk());
  ASSERT_THAT(ev().CreateArchive({.archive_name = "a2", .event_source_arn = kBusArn}), IsOk());
  ASSERT_OK_AND_ASSIGN(auto listed, ev().ListArchives({.name_prefix = "a"}));
  EXPECT_THAT(listed.archives, SizeIs(2));
  ASSERT_THAT(ev().DeleteArchive({.archive_name = "a1"}), IsOk());
  ASSERT_OK_AND_ASSIGN(auto after, ev().ListArchives({}));
  ASSERT_THAT(after.archives, SizeIs(1));
  EXPECT_EQ(after.archives[0].archive_name, "a2");
}

// As on AWS (moto's test_archive_actual_events, verified against AWS): an
// archive is filled by a managed rule on its bus, which users see.
TEST_F(EventsArchiveTest, ArchiveMakesAManagedRuleOnItsBus) {
  ASSERT_THAT(ev().CreateArchive({.archive_name = "all", .event_source_arn = kBusArn}), IsOk());
  ASSERT_THAT(ev().CreateArchive({.archive_name = "some",
                                  .event_source_arn = kBusArn,
                                  .event_pattern = R"( {"source": ["test"]} )"}),
              IsOk());
  ASSERT_OK_AND_ASSIGN(auto listed, ev().ListRules({}));
  ASSERT_THAT(listed.rules, SizeIs(2));
  EXPECT_EQ(listed.rules[0].name, "Events-Archive-all");
  EXPECT_EQ(listed.rules[0].event_pattern, R"({"replay-name":[{"exists":false}]})");
  EXPECT_EQ(listed.rules[1].name, "Events-Archive-some");
  EXPECT_EQ(listed.rules[1].event_pattern,
            R"( {"source": ["test"],"replay-name":[{"exists":false}]})");
  ASSERT_OK_AND_ASSIGN(auto rule, ev().DescribeRule({.name = "Events-Archive-all"}));
  EXPECT_EQ(rule.arn, "arn:aws:events:us-east-1:123456789012:rule/Events-Archive-all");
  EXPECT_EQ(rule.managed_by, "prod.vhs.events.aws.internal");
  EXPECT_EQ(rule.state, "ENABLED");
  EXPECT_EQ(rule.event_bus_name, "default");
  EXPECT_EQ(rule.created_by, "123456789012");
  EXPECT_EQ(rule.description, "");
  ASSERT_OK_AND_ASSIGN(auto targets, ev().ListTargetsByRule({.rule = "Events-Archive-all"}));
  ASSERT_THAT(targets.targets, SizeIs(1));
  const events::Target& target = targets.targets[0];
  EXPECT_EQ(target.id, "Events-Archive-all");
  EXPECT_EQ(target.arn, "arn:aws:events:us-east-1:::");
  ASSERT_TRUE(target.input_transformer.has_value());
  EXPECT_TRUE(target.input_transformer->input_paths_map.empty());
  EXPECT_THAT(target.input_transformer->input_template,
              HasSubstr(R"("archive-arn": "arn:aws:events:us-east-1:123456789012:archive/all")"));
  EXPECT_THAT(target.input_transformer->input_template,
              HasSubstr(R"("event": <aws.events.event.json>)"));
  EXPECT_THAT(target.input_transformer->input_template,
              HasSubstr(R"("ingestion-time": <aws.events.event.ingestion-time>)"));

  ASSERT_THAT(Put("source", "type", "{}"), IsOk());
  EXPECT_EQ(ev().DescribeArchive({.archive_name = "all"})->event_count, 1);
  EXPECT_EQ(ev().DescribeArchive({.archive_name = "some"})->event_count, 0);

  ASSERT_THAT(ev().DeleteArchive({.archive_name = "all"}), IsOk());
  ASSERT_THAT(ev().DeleteArchive({.archive_name = "some"}), IsOk());
  EXPECT_THAT(ev().ListRules({})->rules, SizeIs(0));
}

TEST_F(EventsArchiveTest, ArchiveRuleOfACustomBusFollowsItsPattern) {
  ASSERT_THAT(ev().CreateEventBus({.name = "orders"}), IsOk());
  ASSERT_THAT(ev().CreateArchive(
                  {.archive_name = "a",
                   .event_source_arn = "arn:aws:events:us-east-1:123456789012:event-bus/orders"}),
              IsOk());
  ASSERT_OK_AND_ASSIGN(auto rule,
                       ev().DescribeRule({.name = "Events-Archive-a", .event_bus_name = "orders"}));
  EXPECT_EQ(rule.arn, "arn:aws:events:us-east-1:123456789012:rule/orders/Events-Archive-a");
  EXPECT_EQ(rule.event_pattern, R"({"replay-name":[{"exists":false}]})");
  ASSERT_THAT(ev().UpdateArchive({.archive_name = "a", .event_pattern = R"({"source":["x"]})"}),
              IsOk());
  rule = *ev().DescribeRule({.name = "Events-Archive-a", .event_bus_name = "orders"});
  EXPECT_EQ(rule.event_pattern, R"({"source":["x"],"replay-name":[{"exists":false}]})");
  EXPECT_EQ(rule.managed_by, "prod.vhs.events.aws.internal");
  ASSERT_THAT(
      ev().ListTargetsByRule({.rule = "Events-Archive-a", .event_bus_name = "orders"})->targets,
      SizeIs(1));
}

TEST_F(EventsArchiveTest, ManagedRuleRefusesChangesWithoutForce) {
  ASSERT_THAT(ev().CreateArchive({.archive_name = "a", .event_source_arn = kBusArn}), IsOk());
  const std::string name = "Events-Archive-a";
  const std::string forceable =
      "Events-Archive-a is a managed rule. Set 'force' parameter to true to override.";
  EXPECT_THAT(ev().DeleteRule({.name = name}), HasError(ErrorCode::kEventsManagedRule, forceable));
  EXPECT_THAT(ev().RemoveTargets({.rule = name, .ids = {name}}),
              HasError(ErrorCode::kEventsManagedRule, forceable));
  EXPECT_THAT(ev().PutRule({.name = name, .event_pattern = R"({"source":["x"]})"}),
              HasErrorCode(ErrorCode::kEventsManagedRule));
  EXPECT_THAT(ev().DisableRule({.name = name}), HasErrorCode(ErrorCode::kEventsManagedRule));
  EXPECT_THAT(ev().EnableRule({.name = name}), HasErrorCode(ErrorCode::kEventsManagedRule));
  EXPECT_THAT(
      ev().PutTargets({.rule = name, .targets = {{.id = "t", .arn = "arn:aws:sqs:us-east-1:1:q"}}}),
      HasErrorCode(ErrorCode::kEventsManagedRule));
  const std::string arn = "arn:aws:events:us-east-1:123456789012:rule/Events-Archive-a";
  EXPECT_THAT(ev().TagResource({.resource_arn = arn, .tags = {{"k", "v"}}}),
              HasErrorCode(ErrorCode::kEventsManagedRule));
  EXPECT_THAT(ev().UntagResource({.resource_arn = arn, .tag_keys = {"k"}}),
              HasErrorCode(ErrorCode::kEventsManagedRule));
  ASSERT_THAT(Put("s", "t", "{}"), IsOk());
  EXPECT_EQ(ev().DescribeArchive({.archive_name = "a"})->event_count, 1);

  // Forced: the rule goes, and the archive receives nothing more.
  ASSERT_THAT(ev().RemoveTargets({.rule = name, .ids = {name}, .force = true}), IsOk());
  ASSERT_THAT(ev().DeleteRule({.name = name, .force = true}), IsOk());
  EXPECT_THAT(ev().ListRules({})->rules, SizeIs(0));
  ASSERT_THAT(Put("s", "t", "{}"), IsOk());
  EXPECT_EQ(ev().DescribeArchive({.archive_name = "a"})->event_count, 1);
  ASSERT_THAT(ev().DeleteArchive({.archive_name = "a"}), IsOk());
}

TEST_F(EventsArchiveTest, ArchiveRefusesARuleOfItsRulesName) {
  ASSERT_THAT(ev().PutRule({.name = "Events-Archive-a", .event_pattern = R"({"source":["x"]})"}),
              IsOk());
  EXPECT_THAT(
      ev().CreateArchive({.archive_name = "a", .event_source_arn = kBusArn}),
      HasError(ErrorCode::kEventsResourceAlreadyExists, "Rule Events-Archive-a already exists."));
  EXPECT_THAT(ev().DescribeArchive({.archive_name = "a"}),
              HasErrorCode(ErrorCode::kEventsResourceNotFound));
  EXPECT_EQ(ev().DescribeRule({.name = "Events-Archive-a"})->managed_by, "");
}

// ---- Replays ----------------------------------------------------------------

constexpr char kArchiveArn[] = "arn:aws:events:us-east-1:123456789012:archive/arch";

TEST_F(EventsArchiveTest, ReplaySendsTheWindowsEventsToTheBusRulesWithReplayName) {
  Recorder recorder;
  ArchiveThreeEvents(recorder);
  std::vector<events::CallbackEvent> originals = recorder.events();
  ASSERT_THAT(originals, SizeIs(3));
  // [t0, t0+2m): the first two events; the third (at t0+2m) is outside.
  ASSERT_THAT(ev().StartReplay(Replay("rp", t0_, t0_ + absl::Minutes(2))), IsOk());
  clock_->Advance(absl::ZeroDuration());
  std::vector<events::CallbackEvent> got = recorder.events();
  ASSERT_THAT(got, SizeIs(5));
  for (int i = 0; i < 2; ++i) {
    const events::CallbackEvent& replayed = got[3 + i];
    EXPECT_EQ(replayed.event_id, originals[i].event_id);
    EXPECT_THAT(replayed.body, HasSubstr(R"("region":"us-east-1","replay-name":"rp","resources")"));
    EXPECT_THAT(replayed.body, HasSubstr(absl::StrCat(R"("detail":{"n":)", i, "}")));
  }
  for (const auto& e : originals) EXPECT_THAT(e.body, Not(HasSubstr("replay-name")));
}

TEST_F(EventsArchiveTest, ReplaySelectsByEventTimeNotArrival) {
  Recorder recorder;
  t0_ = clock_->Now();
  ASSERT_THAT(ev().CreateArchive({.archive_name = "arch", .event_source_arn = kBusArn}), IsOk());
  RuleTo("r", R"({"source":["shop"]})", Callback("cb", recorder));
  events::PutEventsRequestEntry old;
  old.source = "shop";
  old.detail_type = "t";
  old.detail = R"({"old":true})";
  old.time = t0_ - absl::Hours(1);
  ASSERT_THAT(ev().PutEvents({.entries = {old}}), IsOk());
  ASSERT_THAT(Put("shop", "t", R"({"old":false})"), IsOk());
  ASSERT_THAT(ev().StartReplay(Replay("rp", t0_ - absl::Hours(2), t0_ - absl::Minutes(30))),
              IsOk());
  clock_->Advance(absl::ZeroDuration());
  ASSERT_THAT(recorder.bodies(), SizeIs(3));
  EXPECT_THAT(recorder.bodies()[2], HasSubstr(R"("old":true)"));
}

TEST_F(EventsArchiveTest, ReplayStartsThenCompletesWhenTheSchedulerRuns) {
  Recorder recorder;
  ArchiveThreeEvents(recorder);
  absl::Time started = clock_->Now();
  ASSERT_OK_AND_ASSIGN(auto result, ev().StartReplay(Replay("rp", t0_, t0_ + absl::Minutes(10))));
  EXPECT_EQ(result.replay_arn, "arn:aws:events:us-east-1:123456789012:replay/rp");
  EXPECT_EQ(result.state, "STARTING");
  EXPECT_EQ(result.replay_start_time, started);
  ASSERT_OK_AND_ASSIGN(auto before, ev().DescribeReplay({.replay_name = "rp"}));
  EXPECT_EQ(before.state, "STARTING");
  EXPECT_FALSE(before.replay_end_time.has_value());
  EXPECT_FALSE(before.event_last_replayed_time.has_value());

  clock_->Advance(absl::Seconds(5));
  ASSERT_OK_AND_ASSIGN(auto after, ev().DescribeReplay({.replay_name = "rp"}));
  EXPECT_EQ(after.state, "COMPLETED");
  EXPECT_EQ(after.replay_arn, result.replay_arn);
  EXPECT_EQ(after.event_source_arn, kArchiveArn);
  EXPECT_EQ(after.destination.arn, kBusArn);
  EXPECT_EQ(after.event_start_time, t0_);
  EXPECT_EQ(after.event_end_time, t0_ + absl::Minutes(10));
  EXPECT_EQ(after.replay_start_time, started);
  EXPECT_EQ(after.replay_end_time, clock_->Now());
  EXPECT_EQ(after.event_last_replayed_time, t0_ + absl::Minutes(2));
  EXPECT_EQ(recorder.size(), 6u);
}

TEST_F(EventsArchiveTest, ReplayOfAnEmptyWindowCompletesWithNothingSent) {
  Recorder recorder;
  ArchiveThreeEvents(recorder);
  ASSERT_THAT(ev().StartReplay(Replay("rp", t0_ + absl::Hours(1), t0_ + absl::Hours(2))), IsOk());
  clock_->Advance(absl::ZeroDuration());
  EXPECT_EQ(ev().DescribeReplay({.replay_name = "rp"})->state, "COMPLETED");
  EXPECT_EQ(recorder.size(), 3u);
}

TEST_F(EventsArchiveTest, ReplayWithFilterArnsReachesOnlyThoseRules) {
  Recorder recorder;
  Recorder other;
  ArchiveThreeEvents(recorder);
  RuleTo("r2", R"({"source":["shop"]})", Callback("cb2", other));
  events::StartReplayRequest request = Replay("rp", t0_, t0_ + absl::Minutes(3));
  request.destination.filter_arns = {"arn:aws:events:us-east-1:123456789012:rule/r2"};
  ASSERT_THAT(ev().StartReplay(request), IsOk());
  clock_->Advance(absl::ZeroDuration());
  EXPECT_EQ(recorder.size(), 3u);  // Only the original deliveries.
  ASSERT_THAT(other.bodies(), SizeIs(3));
  for (const auto& body : other.bodies()) EXPECT_THAT(body, HasSubstr(R"("replay-name":"rp")"));
}

TEST_F(EventsArchiveTest, ReplayedEventsSkipDisabledRules) {
  Recorder recorder;
  ArchiveThreeEvents(recorder);
  ASSERT_THAT(ev().DisableRule({.name = "r"}), IsOk());
  ASSERT_THAT(ev().StartReplay(Replay("rp", t0_, t0_ + absl::Minutes(3))), IsOk());
  clock_->Advance(absl::ZeroDuration());
  EXPECT_EQ(recorder.size(), 3u);
  EXPECT_EQ(ev().DescribeReplay({.replay_name = "rp"})->state, "COMPLETED");
}

TEST_F(EventsArchiveTest, ReplayedEventsAreNotArchivedAgain) {
  Recorder recorder;
  ArchiveThreeEvents(recorder);
  ASSERT_THAT(ev().StartReplay(Replay("rp", t0_, t0_ + absl::Minutes(3))), IsOk());
  clock_->Advance(absl::ZeroDuration());
  EXPECT_EQ(recorder.size(), 6u);
  EXPECT_EQ(ev().DescribeArchive({.archive_name = "arch"})->event_count, 3);
}

TEST_F(EventsArchiveTest, ReplayDeliversIntoAnSqsTarget) {
  Recorder recorder;
  ArchiveThreeEvents(recorder);
  TestQueue q = CreateQueue("replayed");
  RuleTo("to-queue", R"({"source":["shop"]})", q.arn);
  ASSERT_THAT(ev().StartReplay(Replay("rp", t0_, t0_ + absl::Minutes(1))), IsOk());
  clock_->Advance(absl::ZeroDuration());
  std::vector<std::string> bodies = DrainBodies(q);
  ASSERT_THAT(bodies, SizeIs(1));
  EXPECT_THAT(bodies[0], HasSubstr(R"("replay-name":"rp")"));
  EXPECT_THAT(bodies[0], HasSubstr(R"("detail":{"n":0})"));
}

TEST_F(EventsArchiveTest, CancelBeforeTheReplayRunsSendsNothing) {
  Recorder recorder;
  ArchiveThreeEvents(recorder);
  ASSERT_THAT(ev().StartReplay(Replay("rp", t0_, t0_ + absl::Minutes(3))), IsOk());
  ASSERT_OK_AND_ASSIGN(auto cancelled, ev().CancelReplay({.replay_name = "rp"}));
  EXPECT_EQ(cancelled.replay_arn, "arn:aws:events:us-east-1:123456789012:replay/rp");
  EXPECT_EQ(cancelled.state, "CANCELLING");
  EXPECT_EQ(ev().DescribeReplay({.replay_name = "rp"})->state, "CANCELLING");
  clock_->Advance(absl::ZeroDuration());
  ASSERT_OK_AND_ASSIGN(auto after, ev().DescribeReplay({.replay_name = "rp"}));
  EXPECT_EQ(after.state, "CANCELLED");
  EXPECT_TRUE(after.replay_end_time.has_value());
  EXPECT_EQ(recorder.size(), 3u);
}

TEST_F(EventsArchiveTest, CancelDuringAReplayStopsItsLaterBuckets) {
  Recorder recorder;
  ArchiveThreeEvents(recorder);
  // A target that cancels the replay when the first replayed event arrives:
  // the rest of that one-minute bucket is sent, later buckets are not.
  std::vector<std::string> seen;
  Mutex mu;
  ASSERT_OK_AND_ASSIGN(std::string arn,
                       ev().RegisterCallback("canceller", [&](const events::CallbackEvent& e) {
                         if (absl::StrContains(e.body, "replay-name")) {
                           EXPECT_THAT(ev().CancelReplay({.replay_name = "rp"}), IsOk());
                         }
                         MutexLock lock(&mu);
                         seen.push_back(e.body);
                         return absl::OkStatus();
                       }));
  RuleTo("cancel", R"({"source":["shop"]})", arn);
  ASSERT_THAT(ev().StartReplay(Replay("rp", t0_, t0_ + absl::Minutes(3))), IsOk());
  clock_->Advance(absl::ZeroDuration());
  ASSERT_OK_AND_ASSIGN(auto after, ev().DescribeReplay({.replay_name = "rp"}));
  EXPECT_EQ(after.state, "CANCELLED");
  EXPECT_EQ(after.event_last_replayed_time, t0_);
  EXPECT_EQ(recorder.size(), 4u);  // 3 originals + the first bucket's one event.
  MutexLock lock(&mu);
  EXPECT_THAT(seen, SizeIs(1));
}

TEST_F(EventsArchiveTest, CancelOfAFinishedReplayFails) {
  Recorder recorder;
  ArchiveThreeEvents(recorder);
  ASSERT_THAT(ev().StartReplay(Replay("rp", t0_, t0_ + absl::Minutes(3))), IsOk());
  clock_->Advance(absl::ZeroDuration());
  EXPECT_THAT(ev().CancelReplay({.replay_name = "rp"}),
              HasError(ErrorCode::kEventsIllegalStatus,
                       "Replay rp is not in a valid state for this operation."));
}

TEST_F(EventsArchiveTest, UnknownReplayIsNotFound) {
  EXPECT_THAT(ev().DescribeReplay({.replay_name = "nope"}),
              HasError(ErrorCode::kEventsResourceNotFound, "Replay nope does not exist."));
  EXPECT_THAT(ev().CancelReplay({.replay_name = "nope"}),
              HasError(ErrorCode::kEventsResourceNotFound, "Replay nope does not exist."));
}

TEST_F(EventsArchiveTest, StartReplayRejectsAnEmptyOrBackwardWindow) {
  Recorder recorder;
  ArchiveThreeEvents(recorder);
  constexpr char kMessage[] =
      "Parameter EventEndTime is not valid. Reason: EventStartTime must be before EventEndTime.";
  EXPECT_THAT(ev().StartReplay(Replay("rp", t0_, t0_)),
              HasError(ErrorCode::kEventsValidation, kMessage));
  EXPECT_THAT(ev().StartReplay(Replay("rp", t0_ + absl::Minutes(1), t0_)),
              HasError(ErrorCode::kEventsValidation, kMessage));
  EXPECT_THAT(ev().DescribeReplay({.replay_name = "rp"}),
              HasErrorCode(ErrorCode::kEventsResourceNotFound));
}

TEST_F(EventsArchiveTest, StartReplayRejectsAnUnknownArchive) {
  events::StartReplayRequest request = Replay("rp", t0_, t0_ + absl::Minutes(1));
  request.event_source_arn = "arn:aws:events:us-east-1:123456789012:archive/nope";
  EXPECT_THAT(
      ev().StartReplay(request),
      HasError(ErrorCode::kEventsValidation,
               "Parameter EventSourceArn is not valid. Reason: Archive nope does not exist."));
}

// A destination bus that does not exist is not found (LocalStack
// test_start_replay_error_unknown_event_bus, AWS-validated).
TEST_F(EventsArchiveTest, StartReplayToAnUnknownBusIsNotFound) {
  Recorder recorder;
  ArchiveThreeEvents(recorder);
  events::StartReplayRequest request = Replay("rp", t0_, t0_ + absl::Minutes(1));
  request.destination.arn = "arn:aws:events:us-east-1:123456789012:event-bus/nope";
  EXPECT_THAT(ev().StartReplay(request),
              HasError(ErrorCode::kEventsResourceNotFound, "Event bus nope does not exist."));
}

// Listing the archives of a bus that does not exist is an error, not an empty
// list (LocalStack test_list_archive_error_unknown_source_arn, AWS-validated).
TEST_F(EventsArchiveTest, ListArchivesOfAnUnknownBusIsNotFound) {
  EXPECT_THAT(ev().ListArchives(
                  {.event_source_arn = "arn:aws:events:us-east-1:123456789012:event-bus/nope"}),
              HasError(ErrorCode::kEventsResourceNotFound, "Event bus nope does not exist."));
  EXPECT_THAT(ev().ListArchives({.event_source_arn = kBusArn}), IsOk());
}

TEST_F(EventsArchiveTest, StartReplayRejectsAnotherBus) {
  Recorder recorder;
  ArchiveThreeEvents(recorder);
  ASSERT_THAT(ev().CreateEventBus({.name = "other"}), IsOk());
  events::StartReplayRequest request = Replay("rp", t0_, t0_ + absl::Minutes(1));
  request.destination.arn = "arn:aws:events:us-east-1:123456789012:event-bus/other";
  EXPECT_THAT(ev().StartReplay(request),
              HasError(ErrorCode::kEventsValidation,
                       "Parameter Destination.Arn is not valid. Reason: Cross event bus replay "
                       "is not permitted."));
}

TEST_F(EventsArchiveTest, StartReplayRejectsAReusedName) {
  Recorder recorder;
  ArchiveThreeEvents(recorder);
  ASSERT_THAT(ev().StartReplay(Replay("rp", t0_, t0_ + absl::Minutes(1))), IsOk());
  clock_->Advance(absl::ZeroDuration());
  EXPECT_THAT(ev().StartReplay(Replay("rp", t0_, t0_ + absl::Minutes(1))),
              HasError(ErrorCode::kEventsResourceAlreadyExists, "Replay rp already exists."));
}

TEST_F(EventsArchiveTest, StartReplayRejectsABadName) {
  Recorder recorder;
  ArchiveThreeEvents(recorder);
  EXPECT_THAT(ev().StartReplay(Replay(std::string(65, 'r'), t0_, t0_ + absl::Minutes(1))),
              HasErrorCode(ErrorCode::kEventsValidation));
  EXPECT_THAT(ev().StartReplay(Replay("r p", t0_, t0_ + absl::Minutes(1))),
              HasErrorCode(ErrorCode::kEventsValidation));
  EXPECT_THAT(ev().StartReplay(Replay("", t0_, t0_ + absl::Minutes(1))),
              HasErrorCode(ErrorCode::kEventsValidation));
}

TEST_F(EventsArchiveTest, AnEleventhConcurrentReplayExceedsTheLimit) {
  Recorder recorder;
  ArchiveThreeEvents(recorder);
  // Started but not yet run (the clock has not moved): all ten are active.
  for (int i = 0; i < 10; ++i) {
    ASSERT_THAT(ev().StartReplay(Replay(absl::StrCat("rp", i), t0_, t0_ + absl::Minutes(1))),
                IsOk());
  }
  EXPECT_THAT(ev().StartReplay(Replay("rp10", t0_, t0_ + absl::Minutes(1))),
              HasError(ErrorCode::kEventsLimitExceeded,
                       "The requested resource exceeds the maximum number allowed."));
  clock_->Advance(absl::ZeroDuration());  // All ten complete.
  EXPECT_THAT(ev().StartReplay(Replay("rp10", t0_, t0_ + absl::Minutes(1))), IsOk());
}

TEST_F(EventsArchiveTest, ListReplaysFiltersByPrefixStateAndSource) {
  Recorder recorder;
  ArchiveThreeEvents(recorder);
  ASSERT_THAT(ev().StartReplay(Replay("a1", t0_, t0_ + absl::Minutes(1))), IsOk());
  clock_->Advance(absl::ZeroDuration());  // a1 completes.
  ASSERT_THAT(ev().StartReplay(Replay("a2", t0_, t0_ + absl::Minutes(1))), IsOk());
  ASSERT_THAT(ev().StartReplay(Replay("b1", t0_, t0_ + absl::Minutes(1))), IsOk());

  auto names = [](const events::ListReplaysResult& r) {
    std::vector<std::string> out;
    for (const auto& replay : r.replays) out.push_back(replay.replay_name);
    return out;
  };
  ASSERT_OK_AND_ASSIGN(auto all, ev().ListReplays({}));
  EXPECT_THAT(names(all), ::testing::ElementsAre("a1", "a2", "b1"));
  ASSERT_OK_AND_ASSIGN(auto prefixed, ev().ListReplays({.name_prefix = "a"}));
  EXPECT_THAT(names(prefixed), ::testing::ElementsAre("a1", "a2"));
  ASSERT_OK_AND_ASSIGN(auto starting, ev().ListReplays({.state = "STARTING"}));
  EXPECT_THAT(names(starting), ::testing::ElementsAre("a2", "b1"));
  ASSERT_OK_AND_ASSIGN(auto completed, ev().ListReplays({.state = "COMPLETED"}));
  EXPECT_THAT(names(completed), ::testing::ElementsAre("a1"));
  ASSERT_OK_AND_ASSIGN(auto by_source, ev().ListReplays({.event_source_arn = kArchiveArn}));
  EXPECT_THAT(names(by_source), SizeIs(3));
  ASSERT_OK_AND_ASSIGN(
      auto other_source,
      ev().ListReplays({.event_source_arn = "arn:aws:events:us-east-1:123456789012:archive/x"}));
  EXPECT_THAT(names(other_source), ::testing::IsEmpty());
  ASSERT_OK_AND_ASSIGN(auto page, ev().ListReplays({.limit = 2}));
  EXPECT_THAT(names(page), ::testing::ElementsAre("a1", "a2"));
  ASSERT_OK_AND_ASSIGN(auto rest, ev().ListReplays({.next_token = page.next_token, .limit = 2}));
  EXPECT_THAT(names(rest), ::testing::ElementsAre("b1"));
}

}  // namespace
}  // namespace wharf::testing
