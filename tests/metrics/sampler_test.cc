// The sampler (cumulative counters -> one datapoint per minute) and the
// Prometheus renderer, over a fake source whose values the test sets.

#include "broker/metrics/sampler.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "broker/base/completion_scope.h"
#include "broker/metrics/prometheus.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace wharf::metrics_internal {
namespace {

using ::testing::HasSubstr;

constexpr int64_t kT0 = 1767225600;

constexpr MetricDef kSent{
    "AWS/SQS",     "NumberOfMessagesSent",          "Count",         MetricKind::kCounter,
    Emit::kAlways, "wharf_sqs_messages_sent_total", "Messages sent."};
constexpr MetricDef kPublished{"AWS/SNS",
                               "NumberOfMessagesPublished",
                               "Count",
                               MetricKind::kCounter,
                               Emit::kWhenNonZero,
                               "wharf_sns_messages_published_total",
                               "Messages published."};
constexpr MetricDef kVisible{"AWS/SQS",
                             "ApproximateNumberOfMessagesVisible",
                             "Count",
                             MetricKind::kGauge,
                             Emit::kAlways,
                             "wharf_sqs_messages_visible",
                             "Visible messages."};
constexpr MetricDef kSize{"AWS/SQS",
                          "SentMessageSize",
                          "Bytes",
                          MetricKind::kSize,
                          Emit::kWhenNonZero,
                          "wharf_sqs_sent_message_size_bytes",
                          "Sizes of sent messages."};

struct FakeQueue {
  std::string name;
  uint64_t id = NewObjectId();
  uint64_t sent = 0;
  uint64_t published = 0;
  double visible = 0;
  SizeStat sizes;
};

class FakeSource final : public MetricSource {
 public:
  void CollectMetrics(Collector& out) override {
    for (auto& q : queues) {
      const Dimension dims[] = {{"QueueName", q->name}};
      const Label labels[] = {{"queue", q->name}};
      const Object o{q->id, dims, labels};
      out.Counter(kSent, o, q->sent);
      out.Counter(kPublished, o, q->published);
      out.Gauge(kVisible, o, q->visible);
      out.Size(kSize, o, q->sizes);
    }
  }
  std::vector<std::unique_ptr<FakeQueue>> queues;
};

absl::Time At(int64_t second) { return absl::FromUnixSeconds(second); }

class SamplerTest : public ::testing::Test {
 protected:
  SamplerTest() : store_({}), sampler_(store_) { sampler_.AddSource(&source_); }

  FakeQueue& AddQueue(std::string name) {
    source_.queues.push_back(std::make_unique<FakeQueue>());
    source_.queues.back()->name = std::move(name);
    return *source_.queues.back();
  }
  std::vector<PeriodStats> Get(const MetricDef& def, const std::string& queue, int64_t start,
                               int64_t end, int64_t period) {
    auto s = store_.Find(
        {std::string(def.aws_namespace), std::string(def.aws_name), {{"QueueName", queue}}});
    if (s.empty()) return {};
    EXPECT_EQ(s.size(), 1u);
    EXPECT_EQ(s[0]->unit(), def.unit);
    return s[0]->Aggregate(start, end, period);
  }

  FakeSource source_;
  MetricStore store_;
  Sampler sampler_;
};

TEST_F(SamplerTest, CountersBecomeOneDatapointPerMinute) {
  FakeQueue& q = AddQueue("jobs");
  q.sent = 3;
  sampler_.Flush(At(kT0), At(kT0));
  q.sent = 5;  // 2 more in the same second...
  sampler_.Flush(At(kT0) + absl::Milliseconds(500), At(kT0 + 10));
  q.sent = 9;  // ...and 4 in another second of the same minute: one datapoint of 9.
  sampler_.Flush(At(kT0 + 10), At(kT0 + 10));
  std::vector<PeriodStats> p = Get(kSent, "jobs", kT0, kT0 + 60, 60);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].sample, Sample::Of(9));
  EXPECT_EQ(sampler_.LastFlushedSecond(), kT0 + 10);
  // At any period the minute is one sample at its first second.
  p = Get(kSent, "jobs", kT0, kT0 + 60, 1);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].start, At(kT0));
  EXPECT_EQ(p[0].sample, Sample::Of(9));

  // Emit::kAlways: 0 for the minutes the clock jumps over (1 to 3: 239 is in 3).
  q.sent = 10;
  sampler_.Flush(At(kT0 + 59), At(kT0 + 240));
  p = Get(kSent, "jobs", kT0, kT0 + 300, 60);
  ASSERT_EQ(p.size(), 4u);
  EXPECT_EQ(p[0].sample, Sample::Of(10));
  for (size_t i = 1; i < 4; ++i) {
    EXPECT_EQ(p[i].start, At(kT0 + 60 * static_cast<int64_t>(i)));
    EXPECT_EQ(p[i].sample, Sample::Of(0));
  }
  p = Get(kSent, "jobs", kT0, kT0 + 300, 300);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].sample, (Sample{4, 10, 0, 10}));
}

TEST_F(SamplerTest, OneMessageInAMinuteIsSampleCountOneAverageOne) {
  // As AWS records NumberOfMessagesSent (LocalStack
  // TestSQSMetrics::test_alarm_number_of_messages_sent, AWS-validated:
  // SampleCount over 60 s is 1.0 for one message).
  FakeQueue& q = AddQueue("jobs");
  sampler_.Flush(At(kT0), At(kT0 + 20));
  q.sent = 1;
  for (int64_t t = 20; t < 60; ++t) sampler_.Flush(At(kT0 + t), At(kT0 + t + 1));
  std::vector<PeriodStats> p = Get(kSent, "jobs", kT0, kT0 + 60, 60);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].sample.count, 1);
  EXPECT_EQ(p[0].sample.sum, 1);
  EXPECT_EQ(p[0].sample.sum / p[0].sample.count, 1);
}

TEST_F(SamplerTest, NonZeroOnlyCountersSkipQuietMinutes) {
  FakeQueue& q = AddQueue("jobs");
  sampler_.Flush(At(kT0), At(kT0 + 65));
  EXPECT_TRUE(Get(kPublished, "jobs", kT0, kT0 + 120, 60).empty());
  q.published = 2;
  sampler_.Flush(At(kT0 + 65), At(kT0 + 66));
  q.published = 3;
  sampler_.Flush(At(kT0 + 66), At(kT0 + 300));
  std::vector<PeriodStats> p = Get(kPublished, "jobs", kT0, kT0 + 300, 1);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].start, At(kT0 + 60));
  EXPECT_EQ(p[0].sample, Sample::Of(3));
}

TEST_F(SamplerTest, GaugesAreTheMinutesLatestValueAndHoldUntilTheClockMovesOn) {
  FakeQueue& q = AddQueue("jobs");
  q.visible = 4;
  sampler_.Flush(At(kT0), At(kT0 + 90));  // 4 for minutes 0 and 1.
  q.visible = 1;
  sampler_.Flush(At(kT0 + 90), At(kT0 + 91));  // 1 for minute 1: its latest.
  std::vector<PeriodStats> p = Get(kVisible, "jobs", kT0, kT0 + 180, 60);
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[0].sample, Sample::Of(4));
  EXPECT_EQ(p[1].sample, Sample::Of(1));
  // Minutes 1-4 hold a constant 1: SampleCount 4, Sum 4.
  sampler_.Flush(At(kT0 + 91), At(kT0 + 300));
  p = Get(kVisible, "jobs", kT0 + 60, kT0 + 360, 300);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].sample, (Sample{4, 4, 1, 1}));
}

TEST_F(SamplerTest, SizesRecordCountSumAndExtremesPerMinute) {
  FakeQueue& q = AddQueue("jobs");
  q.sizes.Record(10);
  q.sizes.Record(300);
  q.sizes.Record(20);
  sampler_.Flush(At(kT0), At(kT0 + 1));
  q.sizes.Record(7);
  sampler_.Flush(At(kT0 + 1), At(kT0 + 2));
  sampler_.Flush(At(kT0 + 2), At(kT0 + 61));  // Nothing new: no datapoint.
  q.sizes.Record(8);
  sampler_.Flush(At(kT0 + 61), At(kT0 + 62));
  std::vector<PeriodStats> p = Get(kSize, "jobs", kT0, kT0 + 120, 60);
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[0].sample, (Sample{4, 337, 7, 300}));  // One sample per message.
  EXPECT_FALSE(p[0].values.has_value());             // SentMessageSize has no percentiles.
  EXPECT_EQ(p[1].sample, Sample::Of(8));
}

TEST_F(SamplerTest, ADeletedObjectIsForgottenAndItsNamesakeStartsAfresh) {
  FakeQueue& q = AddQueue("jobs");
  q.sent = 100;
  sampler_.Flush(At(kT0), At(kT0 + 1));
  source_.queues.clear();  // Deleted...
  sampler_.Flush(At(kT0 + 1), At(kT0 + 120));
  FakeQueue& again = AddQueue("jobs");  // ...and created again: a new object id.
  again.sent = 2;
  sampler_.Flush(At(kT0 + 120), At(kT0 + 121));
  std::vector<PeriodStats> p = Get(kSent, "jobs", kT0, kT0 + 180, 60);
  ASSERT_EQ(p.size(), 2u);  // No datapoint while the queue did not exist.
  EXPECT_EQ(p[0].sample, Sample::Of(100));
  EXPECT_EQ(p[1].start, At(kT0 + 120));
  EXPECT_EQ(p[1].sample, Sample::Of(2));
}

// A source that completes something while it reports, as SQS does: reading
// a queue's counts applies its due deadlines, which may complete parked
// receives (user code).
class CompletingSource final : public MetricSource {
 public:
  void CollectMetrics(Collector&) override { CompletionScope::Run(std::move(completion)); }
  absl::AnyInvocable<void() &&> completion;
};

TEST_F(SamplerTest, CompletionsCausedWhileCollectingRunAfterTheFlushMayCallTheSampler) {
  CompletingSource completing;
  int64_t seen = 0;
  completing.completion = [&] {
    // Both take the sampler's lock, which Flush held while collecting.
    sampler_.RemoveSource(&completing);
    seen = sampler_.LastFlushedSecond();
  };
  sampler_.AddSource(&completing);
  sampler_.Flush(At(kT0), At(kT0));
  EXPECT_EQ(seen, kT0);  // Ran after the flush had finished.
}

TEST_F(SamplerTest, PrometheusGroupsFamiliesAndWritesHistograms) {
  FakeQueue& a = AddQueue("a");
  FakeQueue& b = AddQueue("b\"quoted\\\n");
  a.sent = 3;
  b.sent = 4;
  a.visible = 2;
  a.sizes.Record(64);
  a.sizes.Record(65);
  a.sizes.Record(2000000);
  PrometheusCollector prometheus;
  source_.CollectMetrics(prometheus);
  const std::string text = prometheus.Render();
  EXPECT_THAT(text, HasSubstr("# HELP wharf_sqs_messages_sent_total Messages sent.\n"
                              "# TYPE wharf_sqs_messages_sent_total counter\n"
                              "wharf_sqs_messages_sent_total{queue=\"a\"} 3\n"
                              "wharf_sqs_messages_sent_total{queue=\"b\\\"quoted\\\\\\n\"} 4\n"));
  EXPECT_THAT(text, HasSubstr("# TYPE wharf_sqs_messages_visible gauge\n"
                              "wharf_sqs_messages_visible{queue=\"a\"} 2\n"));
  EXPECT_THAT(text,
              HasSubstr("# TYPE wharf_sqs_sent_message_size_bytes histogram\n"
                        "wharf_sqs_sent_message_size_bytes_bucket{queue=\"a\",le=\"64\"} 1\n"
                        "wharf_sqs_sent_message_size_bytes_bucket{queue=\"a\",le=\"256\"} 2\n"));
  EXPECT_THAT(text,
              HasSubstr("wharf_sqs_sent_message_size_bytes_bucket{queue=\"a\",le=\"1048576\"} 2\n"
                        "wharf_sqs_sent_message_size_bytes_bucket{queue=\"a\",le=\"+Inf\"} 3\n"
                        "wharf_sqs_sent_message_size_bytes_sum{queue=\"a\"} 2000129\n"
                        "wharf_sqs_sent_message_size_bytes_count{queue=\"a\"} 3\n"));
  // Each family appears once, even though the source interleaves them.
  size_t first = text.find("# TYPE wharf_sqs_messages_sent_total");
  EXPECT_EQ(text.find("# TYPE wharf_sqs_messages_sent_total", first + 1), std::string::npos);
}

TEST(SizeStatTest, BucketsAndExtremes) {
  EXPECT_EQ(SizeBucket(0), 0);
  EXPECT_EQ(SizeBucket(64), 0);
  EXPECT_EQ(SizeBucket(65), 1);
  EXPECT_EQ(SizeBucket(256), 1);
  EXPECT_EQ(SizeBucket(257), 2);
  EXPECT_EQ(SizeBucket(1048576), 7);
  EXPECT_EQ(SizeBucket(1048577), 8);
  SizeStat s;
  EXPECT_FALSE(s.TakeExtremes().any());
  s.Record(5);
  s.Record(3);
  Extremes::Taken t = s.TakeExtremes();
  EXPECT_EQ(t.min, 3u);
  EXPECT_EQ(t.max, 5u);
  EXPECT_FALSE(s.TakeExtremes().any());
  EXPECT_EQ(s.Count(), 2u);
  EXPECT_EQ(s.Sum(), 8u);
}

}  // namespace
}  // namespace wharf::metrics_internal
