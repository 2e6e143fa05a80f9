// Archives and replays (spec/eventbridge.md §6) on a ManualClock.

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tests/bus/events_fixture.h"

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

}  // namespace
}  // namespace wharf::testing
