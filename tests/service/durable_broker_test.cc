// A durable broker (BrokerOptions::data_dir): what a broker reopened on the
// same directory (same ManualClock) gives back. SQS: queues with their
// attributes, tags and policies; messages with their state, history and
// deadlines; FIFO order, group locks, deduplication and sequence numbers;
// dead-letter moves and move tasks. SNS: topics with their attributes, tags
// and policies; subscriptions with their ARNs, attributes and filter
// policies; published messages in the queues. EventBridge: buses, rules and
// targets with every field, tags, archives with their events (and
// retention), replays, schedules on their phase. Then the error paths: a
// full disk or an I/O error fails the call and loses nothing acknowledged
// (nor leaves half an EventBridge object); a directory in use, a damaged
// file or a damaged record fails Open clearly.

#include <sqlite3.h>

#include <fstream>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/service/durable_fixture.h"
#include "tests/testing/status_matchers.h"
#include "wharf/broker.h"
#include "wharf/clock.h"
#include "wharf/errors.h"
#include "wharf/events.h"
#include "wharf/sns.h"
#include "wharf/sqs.h"

namespace wharf::testing {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

constexpr char kUrlBase[] = "https://sqs.us-east-1.amazonaws.com/123456789012/";
constexpr char kArnBase[] = "arn:aws:sqs:us-east-1:123456789012:";
constexpr char kEventsArn[] = "arn:aws:events:us-east-1:123456789012:";

class DurableBrokerTest : public DurableFixture {
 protected:
  events::Service& ev() { return broker_->events(); }

  // Every EventBridge object as the Describe and List calls show it, as text.
  std::string EventsSnapshot() {
    std::string out;
    auto time = [](absl::Time t) { return absl::FormatTime(t); };
    auto tags = [&](const std::string& arn) {
      auto listed = ev().ListTagsForResource({.resource_arn = arn});
      EXPECT_THAT(listed, IsOk());
      std::string text;
      if (listed.ok()) {
        for (const events::Tag& t : listed->tags) absl::StrAppend(&text, t.key, "=", t.value, ",");
      }
      return text;
    };
    auto buses = ev().ListEventBuses({});
    EXPECT_THAT(buses, IsOk());
    if (!buses.ok()) return out;
    for (const events::EventBus& bus : buses->event_buses) {
      auto described = ev().DescribeEventBus({.name = bus.name});
      EXPECT_THAT(described, IsOk());
      absl::StrAppend(&out, "bus ", bus.name, " ", bus.arn, " [", bus.description, "] ",
                      time(bus.creation_time), " ", time(bus.last_modified_time), " tags ",
                      tags(bus.arn), " described ",
                      described.ok() ? time(described->creation_time) : "?", " policy ", bus.policy,
                      "\n");
      if (described.ok()) {
        absl::StrAppend(&out, " key ", described->kms_key_identifier, " dlq ",
                        described->dead_letter_config ? described->dead_letter_config->arn : "-",
                        " policy ", described->policy, "\n");
      }
      auto rules = ev().ListRules({.event_bus_name = bus.name});
      EXPECT_THAT(rules, IsOk());
      if (!rules.ok()) continue;
      for (const events::Rule& r : rules->rules) {
        absl::StrAppend(&out, " rule ", r.name, " ", r.arn, " ", r.event_pattern, " ",
                        r.schedule_expression, " ", r.state, " [", r.description, "] ", r.role_arn,
                        " ", r.managed_by, " ", r.event_bus_name, " ", r.created_by, " tags ",
                        tags(r.arn), "\n");
        auto targets = ev().ListTargetsByRule({.rule = r.name, .event_bus_name = bus.name});
        EXPECT_THAT(targets, IsOk());
        if (!targets.ok()) continue;
        for (const events::Target& t : targets->targets) {
          absl::StrAppend(&out, "  target ", t.id, " ", t.arn, " ", t.role_arn, " input ",
                          t.input.value_or("<none>"), " path ", t.input_path);
          if (t.input_transformer) {
            for (const auto& [k, v] : t.input_transformer->input_paths_map) {
              absl::StrAppend(&out, " ", k, ":", v);
            }
            absl::StrAppend(&out, " template ", t.input_transformer->input_template);
          }
          if (t.sqs_parameters)
            absl::StrAppend(&out, " group ", t.sqs_parameters->message_group_id);
          if (t.dead_letter_config) absl::StrAppend(&out, " dlq ", t.dead_letter_config->arn);
          if (t.retry_policy) {
            absl::StrAppend(&out, " retry ", t.retry_policy->maximum_retry_attempts.value_or(-1),
                            " ", t.retry_policy->maximum_event_age_in_seconds.value_or(-1));
          }
          absl::StrAppend(&out, "\n");
        }
      }
    }
    auto archives = ev().ListArchives({});
    EXPECT_THAT(archives, IsOk());
    if (archives.ok()) {
      for (const events::Archive& listed : archives->archives) {
        auto a = ev().DescribeArchive({.archive_name = listed.archive_name});
        EXPECT_THAT(a, IsOk());
        if (!a.ok()) continue;
        absl::StrAppend(&out, "archive ", a->archive_name, " ", a->archive_arn, " ",
                        a->event_source_arn, " [", a->description, "] ", a->event_pattern, " ",
                        a->state, " ", a->retention_days, " days ", a->event_count, " events ",
                        a->size_bytes, " bytes ", time(a->creation_time), "\n");
      }
    }
    auto replays = ev().ListReplays({});
    EXPECT_THAT(replays, IsOk());
    if (replays.ok()) {
      for (const events::Replay& r : replays->replays) {
        absl::StrAppend(&out, "replay ", r.replay_name, " ", r.replay_arn, " [", r.description,
                        "] ", r.state, " ", r.state_reason, " ", r.event_source_arn, " ",
                        r.destination.arn, " ", absl::StrJoin(r.destination.filter_arns, ","), " ",
                        time(r.event_start_time), " ", time(r.event_end_time), " ",
                        r.event_last_replayed_time ? time(*r.event_last_replayed_time) : "-", " ",
                        time(r.replay_start_time), " ",
                        r.replay_end_time ? time(*r.replay_end_time) : "-", "\n");
      }
    }
    return out;
  }

  // A rule sending the default bus's "shop" events to the queue inbox, and
  // the replay "again" of the archive "all" over [from, to).
  void ReplayToInbox(absl::Time from, absl::Time to) {
    ASSERT_THAT(ev().PutRule({.name = "r", .event_pattern = R"({"source":["shop"]})"}), IsOk());
    ASSERT_THAT(ev().PutTargets({.rule = "r",
                                 .targets = {{.id = "q", .arn = std::string(kArnBase) + "inbox"}}}),
                IsOk());
    ASSERT_THAT(
        ev().StartReplay({.replay_name = "again",
                          .event_source_arn = std::string(kEventsArn) + "archive/all",
                          .event_start_time = from,
                          .event_end_time = to,
                          .destination = {.arn = std::string(kEventsArn) + "event-bus/default"}}),
        IsOk());
  }

  absl::Status PutEvent(const std::string& detail, const std::string& bus = "") {
    auto put = ev().PutEvents(
        {.entries = {
             {.source = "shop", .detail_type = "order", .detail = detail, .event_bus_name = bus}}});
    if (!put.ok()) return put.status();
    return put->failed_entry_count == 0 ? absl::OkStatus() : absl::InternalError("entry failed");
  }

  std::string Create(const std::string& name, sqs::AttributeMap attributes = {}) {
    auto result = sqs().CreateQueue({.queue_name = name, .attributes = std::move(attributes)});
    EXPECT_THAT(result, IsOk());
    return result.ok() ? result->queue_url : std::string();
  }

  std::string Send(const std::string& url, const std::string& body, int delay = 0) {
    auto result =
        sqs().SendMessage({.queue_url = url, .message_body = body, .delay_seconds = delay});
    EXPECT_THAT(result, IsOk());
    return result.ok() ? result->message_id : std::string();
  }

  std::vector<sqs::Message> Receive(const std::string& url, int max = 10,
                                    std::optional<int> visibility = std::nullopt) {
    auto result = sqs().ReceiveMessage({.queue_url = url,
                                        .max_number_of_messages = max,
                                        .visibility_timeout = visibility,
                                        .wait_time_seconds = 0,
                                        .message_attribute_names = {"All"},
                                        .message_system_attribute_names = {"All"}});
    EXPECT_THAT(result, IsOk());
    return result.ok() ? std::move(result->messages) : std::vector<sqs::Message>();
  }

  // Receives and deletes what is visible; the bodies.
  std::vector<std::string> Take(const std::string& url) {
    std::vector<sqs::Message> got = Receive(url);
    for (const sqs::Message& m : got) {
      EXPECT_THAT(sqs().DeleteMessage({.queue_url = url, .receipt_handle = m.receipt_handle}),
                  IsOk());
    }
    return Bodies(got);
  }

  std::vector<std::string> Bodies(const std::vector<sqs::Message>& messages) {
    std::vector<std::string> bodies;
    for (const sqs::Message& m : messages) bodies.push_back(m.body);
    return bodies;
  }

  std::string Attribute(const std::string& url, const std::string& name) {
    auto result = sqs().GetQueueAttributes({.queue_url = url, .attribute_names = {name}});
    EXPECT_THAT(result, IsOk());
    if (!result.ok()) return {};
    auto it = result->attributes.find(name);
    return it == result->attributes.end() ? std::string("<absent>") : it->second;
  }
};

TEST_F(DurableBrokerTest, QueuesKeepTheirAttributesTagsAndPolicy) {
  const std::string url = Create("jobs", {{"VisibilityTimeout", "45"}, {"DelaySeconds", "3"}});
  ASSERT_THAT(sqs().TagQueue({.queue_url = url, .tags = {{"team", "core"}, {"env", "ci"}}}),
              IsOk());
  ASSERT_THAT(sqs().UntagQueue({.queue_url = url, .tag_keys = {"env"}}), IsOk());
  ASSERT_THAT(sqs().AddPermission({.queue_url = url,
                                   .label = "peer",
                                   .aws_account_ids = {"210987654321"},
                                   .actions = {"SendMessage"}}),
              IsOk());
  clock_->Advance(absl::Seconds(5));
  ASSERT_THAT(sqs().SetQueueAttributes({.queue_url = url, .attributes = {{"DelaySeconds", "7"}}}),
              IsOk());
  Create("other.fifo", {{"FifoQueue", "true"}, {"ContentBasedDeduplication", "true"}});
  const std::string policy = Attribute(url, "Policy");
  const std::string created = Attribute(url, "CreatedTimestamp");
  const std::string modified = Attribute(url, "LastModifiedTimestamp");
  const std::string gone = Create("gone");
  ASSERT_THAT(sqs().DeleteQueue({.queue_url = gone}), IsOk());

  Reopen();
  auto list = sqs().ListQueues({});
  ASSERT_THAT(list, IsOk());
  EXPECT_THAT(list->queue_urls,
              ElementsAre(std::string(kUrlBase) + "jobs", std::string(kUrlBase) + "other.fifo"));
  EXPECT_EQ(Attribute(url, "VisibilityTimeout"), "45");
  EXPECT_EQ(Attribute(url, "DelaySeconds"), "7");
  EXPECT_EQ(Attribute(url, "Policy"), policy);
  EXPECT_EQ(Attribute(url, "CreatedTimestamp"), created);
  EXPECT_EQ(Attribute(url, "LastModifiedTimestamp"), modified);
  auto tags = sqs().ListQueueTags({.queue_url = url});
  ASSERT_THAT(tags, IsOk());
  EXPECT_EQ(tags->tags, (sqs::TagMap{{"team", "core"}}));
  EXPECT_EQ(Attribute(std::string(kUrlBase) + "other.fifo", "ContentBasedDeduplication"), "true");
  // A queue created after the restart gets a fresh storage id: nothing of the
  // deleted queue comes back with its name.
  const std::string again = Create("gone");
  EXPECT_THAT(Receive(again), IsEmpty());
}

TEST_F(DurableBrokerTest, MessagesKeepTheirStateAndHistory) {
  const std::string url = Create("jobs");
  ASSERT_THAT(
      sqs().SendMessage({.queue_url = url,
                         .message_body = "with attributes",
                         .message_attributes = {{"n", MessageAttributeValue::Number("7")}}}),
      IsOk());
  Send(url, "delayed", /*delay=*/60);
  const std::string deleted = Send(url, "deleted");
  Send(url, "in flight");
  // Receive the three visible ones: delete one, keep one in flight 100 s and
  // make one visible again.
  std::vector<sqs::Message> got = Receive(url, 10, 100);
  ASSERT_THAT(got, SizeIs(3));
  std::string in_flight_handle, md5_of_body, md5_of_attributes;
  for (const sqs::Message& m : got) {
    if (m.body == "deleted") {
      ASSERT_THAT(sqs().DeleteMessage({.queue_url = url, .receipt_handle = m.receipt_handle}),
                  IsOk());
    } else if (m.body == "with attributes") {
      md5_of_body = m.md5_of_body;
      md5_of_attributes = m.md5_of_message_attributes;
      ASSERT_THAT(
          sqs().ChangeMessageVisibility(
              {.queue_url = url, .receipt_handle = m.receipt_handle, .visibility_timeout = 0}),
          IsOk());
    } else {
      in_flight_handle = m.receipt_handle;
    }
  }
  clock_->Advance(absl::Seconds(10));

  Reopen();
  EXPECT_EQ(Attribute(url, "ApproximateNumberOfMessages"), "1");
  EXPECT_EQ(Attribute(url, "ApproximateNumberOfMessagesNotVisible"), "1");
  EXPECT_EQ(Attribute(url, "ApproximateNumberOfMessagesDelayed"), "1");
  // A receipt handle from before the restart fails as a stale one does.
  EXPECT_THAT(sqs().DeleteMessage({.queue_url = url, .receipt_handle = in_flight_handle}),
              HasErrorCode(ErrorCode::kReceiptHandleIsInvalid));

  got = Receive(url, 10, 1000);
  ASSERT_THAT(got, SizeIs(1));
  EXPECT_EQ(got[0].body, "with attributes");
  EXPECT_EQ(got[0].message_attributes.at("n").string_value, "7");
  EXPECT_EQ(got[0].md5_of_body, md5_of_body);
  EXPECT_EQ(got[0].md5_of_message_attributes, md5_of_attributes);
  EXPECT_EQ(got[0].attributes.at("ApproximateReceiveCount"), "2");
  // The delay and the visibility deadline count in clock time across the
  // restart: 60 s and 100 s from before it.
  clock_->Advance(absl::Seconds(51));
  EXPECT_THAT(Bodies(Receive(url, 10, 1000)), ElementsAre("delayed"));
  clock_->Advance(absl::Seconds(40));
  got = Receive(url);
  ASSERT_THAT(got, SizeIs(1));
  EXPECT_EQ(got[0].body, "in flight");
  EXPECT_EQ(got[0].attributes.at("ApproximateReceiveCount"), "2");
  EXPECT_NE(got[0].message_id, deleted);
}

TEST_F(DurableBrokerTest, APurgeAndADeletedQueueStayGone) {
  const std::string url = Create("jobs");
  Send(url, "before purge");
  ASSERT_THAT(sqs().PurgeQueue({.queue_url = url}), IsOk());
  Send(url, "after purge");
  const std::string gone = Create("gone");
  Send(gone, "lost with its queue");
  ASSERT_THAT(sqs().DeleteQueue({.queue_url = gone}), IsOk());
  Reopen();
  EXPECT_THAT(Bodies(Receive(url)), ElementsAre("after purge"));
  EXPECT_THAT(sqs().GetQueueUrl({.queue_name = "gone"}),
              HasErrorCode(ErrorCode::kQueueDoesNotExist));
}

TEST_F(DurableBrokerTest, APurgedFifoQueueForgetsDeduplicationIdsAcrossARestart) {
  const std::string url = Create("jobs.fifo", {{"FifoQueue", "true"}});
  auto send = [&](const char* body) {
    auto sent = sqs().SendMessage({.queue_url = url,
                                   .message_body = body,
                                   .message_deduplication_id = "same",
                                   .message_group_id = "g"});
    EXPECT_THAT(sent, IsOk());
    return sent.ok() ? sent->message_id : std::string();
  };
  const std::string purged = send("before purge");
  ASSERT_THAT(sqs().PurgeQueue({.queue_url = url}), IsOk());
  Reopen();
  const std::string after = send("after purge");
  EXPECT_NE(after, purged);
  EXPECT_THAT(Bodies(Receive(url)), ElementsAre("after purge"));
}

TEST_F(DurableBrokerTest, FifoOrderLocksDeduplicationAndSequencesSurvive) {
  const std::string url = Create("jobs.fifo", {{"FifoQueue", "true"}});
  std::vector<std::string> sequences;
  auto send = [&](const char* body) {
    auto sent = sqs().SendMessage({.queue_url = url,
                                   .message_body = body,
                                   .message_deduplication_id = body,
                                   .message_group_id = std::string(1, body[0])});
    ASSERT_THAT(sent, IsOk());
    sequences.push_back(sent->sequence_number);
  };
  send("a1");
  send("a2");
  // a1 in flight: group a is locked across the restart. (b1 is sent after
  // the receive: which group a receive serves first is not specified.)
  std::vector<sqs::Message> got = Receive(url, 1, 30);
  ASSERT_THAT(Bodies(got), ElementsAre("a1"));
  send("b1");
  send("a3");
  Reopen();
  got = Receive(url, 10, 30);
  ASSERT_THAT(Bodies(got), ElementsAre("b1"));
  ASSERT_THAT(sqs().DeleteMessage({.queue_url = url, .receipt_handle = got[0].receipt_handle}),
              IsOk());
  clock_->Advance(absl::Seconds(31));
  got = Receive(url, 10, 30);
  EXPECT_THAT(Bodies(got), ElementsAre("a1", "a2", "a3"));
  // Deduplication: a1 again within 5 minutes is accepted but not queued, with
  // the first send's sequence number.
  auto again = sqs().SendMessage({.queue_url = url,
                                  .message_body = "a1",
                                  .message_deduplication_id = "a1",
                                  .message_group_id = "a"});
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ(again->sequence_number, sequences[0]);
  // New sends continue the sequence.
  auto next = sqs().SendMessage({.queue_url = url,
                                 .message_body = "c1",
                                 .message_deduplication_id = "c1",
                                 .message_group_id = "c"});
  ASSERT_THAT(next, IsOk());
  EXPECT_TRUE(SequenceLess(sequences[3], next->sequence_number))
      << sequences[3] << " then " << next->sequence_number;
  for (const sqs::Message& m : got) {
    ASSERT_THAT(sqs().DeleteMessage({.queue_url = url, .receipt_handle = m.receipt_handle}),
                IsOk());
  }
  Reopen();
  EXPECT_THAT(Bodies(Receive(url)), ElementsAre("c1"));
}

TEST_F(DurableBrokerTest, DeadLetterMovesAndMoveTasksSurvive) {
  const std::string dlq = Create("dead");
  const std::string url =
      Create("jobs", {{"RedrivePolicy", std::string(R"({"deadLetterTargetArn":")") + kArnBase +
                                            R"(dead","maxReceiveCount":"1"})"}});
  Send(url, "poison");
  ASSERT_THAT(Receive(url, 1, 0), SizeIs(1));
  // The second receive moves it to the dead-letter queue.
  EXPECT_THAT(Receive(url), IsEmpty());
  Reopen();
  EXPECT_THAT(Receive(url), IsEmpty());
  std::vector<sqs::Message> dead = Receive(dlq, 10, 0);
  ASSERT_THAT(Bodies(dead), ElementsAre("poison"));
  EXPECT_EQ(dead[0].attributes.at("DeadLetterQueueSourceArn"), std::string(kArnBase) + "jobs");

  // A move task back to the source: its result and the moved message persist.
  auto task = sqs().StartMessageMoveTask({.source_arn = std::string(kArnBase) + "dead"});
  ASSERT_THAT(task, IsOk());
  Reopen();
  EXPECT_THAT(Receive(dlq), IsEmpty());
  EXPECT_THAT(Bodies(Receive(url)), ElementsAre("poison"));
  auto tasks = sqs().ListMessageMoveTasks({.source_arn = std::string(kArnBase) + "dead"});
  ASSERT_THAT(tasks, IsOk());
  ASSERT_THAT(tasks->results, SizeIs(1));
  EXPECT_EQ(tasks->results[0].status, "COMPLETED");
  EXPECT_EQ(tasks->results[0].approximate_number_of_messages_moved, 1);
}

TEST_F(DurableBrokerTest, ARunningPacedMoveTaskResumesAfterTheRestart) {
  const std::string dlq = Create("dead");
  const std::string url =
      Create("jobs", {{"RedrivePolicy", std::string(R"({"deadLetterTargetArn":")") + kArnBase +
                                            R"(dead","maxReceiveCount":"1"})"}});
  for (int i = 0; i < 5; ++i) {
    ASSERT_THAT(sqs().SendMessage({.queue_url = dlq, .message_body = "m"}), IsOk());
  }
  const std::string dest = std::string(kArnBase) + "jobs";
  ASSERT_THAT(sqs().StartMessageMoveTask({.source_arn = std::string(kArnBase) + "dead",
                                          .destination_arn = dest,
                                          .max_number_of_messages_per_second = 2}),
              IsOk());
  Reopen();
  clock_->Advance(absl::Seconds(1));
  clock_->Advance(absl::Seconds(1));
  auto tasks = sqs().ListMessageMoveTasks({.source_arn = std::string(kArnBase) + "dead"});
  ASSERT_THAT(tasks, IsOk());
  ASSERT_THAT(tasks->results, SizeIs(1));
  EXPECT_EQ(tasks->results[0].status, "COMPLETED");
  EXPECT_EQ(tasks->results[0].approximate_number_of_messages_moved, 5);
  EXPECT_EQ(Attribute(url, "ApproximateNumberOfMessages"), "5");
  EXPECT_EQ(Attribute(dlq, "ApproximateNumberOfMessages"), "0");
}

TEST_F(DurableBrokerTest, TopicsAndSubscriptionsSurvive) {
  const std::string url = Create("inbox");
  ASSERT_OK_AND_ASSIGN(auto topic, sns().CreateTopic({.name = "orders",
                                                      .attributes = {{"DisplayName", "Orders"}},
                                                      .tags = {{.key = "team", .value = "core"}}}));
  const std::string data_protection = R"({"Name":"p","Version":"2021-06-01","Statement":[]})";
  ASSERT_THAT(sns().PutDataProtectionPolicy(
                  {.resource_arn = topic.topic_arn, .data_protection_policy = data_protection}),
              IsOk());
  ASSERT_THAT(sns().AddPermission({.topic_arn = topic.topic_arn,
                                   .label = "peer",
                                   .aws_account_ids = {"210987654321"},
                                   .actions = {"Publish"}}),
              IsOk());
  ASSERT_OK_AND_ASSIGN(auto queue_sub,
                       sns().Subscribe({.topic_arn = topic.topic_arn,
                                        .protocol = "sqs",
                                        .endpoint = std::string(kArnBase) + "inbox",
                                        .attributes = {{"FilterPolicy", R"({"kind":["book"]})"}}}));
  ASSERT_THAT(sns().SetSubscriptionAttributes({.subscription_arn = queue_sub.subscription_arn,
                                               .attribute_name = "RawMessageDelivery",
                                               .attribute_value = "true"}),
              IsOk());
  ASSERT_OK_AND_ASSIGN(auto pending, sns().Subscribe({.topic_arn = topic.topic_arn,
                                                      .protocol = "https",
                                                      .endpoint = "https://example.com/hook",
                                                      .return_subscription_arn = true}));
  ASSERT_OK_AND_ASSIGN(auto gone_sub, sns().Subscribe({.topic_arn = topic.topic_arn,
                                                       .protocol = "email",
                                                       .endpoint = "ops@example.com",
                                                       .return_subscription_arn = true}));
  ASSERT_THAT(sns().Unsubscribe({.subscription_arn = gone_sub.subscription_arn}), IsOk());
  ASSERT_OK_AND_ASSIGN(auto gone, sns().CreateTopic({.name = "gone"}));
  ASSERT_THAT(sns().Subscribe({.topic_arn = gone.topic_arn,
                               .protocol = "sqs",
                               .endpoint = std::string(kArnBase) + "inbox"}),
              IsOk());
  ASSERT_THAT(sns().DeleteTopic({.topic_arn = gone.topic_arn}), IsOk());
  ASSERT_OK_AND_ASSIGN(auto attributes_before,
                       sns().GetTopicAttributes({.topic_arn = topic.topic_arn}));
  ASSERT_OK_AND_ASSIGN(auto subs_before,
                       sns().ListSubscriptionsByTopic({.topic_arn = topic.topic_arn}));
  ASSERT_OK_AND_ASSIGN(
      auto sub_attributes_before,
      sns().GetSubscriptionAttributes({.subscription_arn = queue_sub.subscription_arn}));

  Reopen();
  ASSERT_OK_AND_ASSIGN(auto topics, sns().ListTopics({}));
  ASSERT_THAT(topics.topics, SizeIs(1));
  EXPECT_EQ(topics.topics[0].topic_arn, topic.topic_arn);
  ASSERT_OK_AND_ASSIGN(auto attributes, sns().GetTopicAttributes({.topic_arn = topic.topic_arn}));
  for (const char* name : {"DisplayName", "Policy", "SubscriptionsConfirmed",
                           "SubscriptionsPending", "EffectiveDeliveryPolicy"}) {
    EXPECT_EQ(attributes.attributes[name], attributes_before.attributes[name]) << name;
  }
  ASSERT_OK_AND_ASSIGN(auto tags, sns().ListTagsForResource({.resource_arn = topic.topic_arn}));
  EXPECT_THAT(tags.tags, ElementsAre(sns::Tag{.key = "team", .value = "core"}));
  ASSERT_OK_AND_ASSIGN(auto protection,
                       sns().GetDataProtectionPolicy({.resource_arn = topic.topic_arn}));
  EXPECT_EQ(protection.data_protection_policy, data_protection);
  ASSERT_OK_AND_ASSIGN(auto subs, sns().ListSubscriptionsByTopic({.topic_arn = topic.topic_arn}));
  ASSERT_THAT(subs.subscriptions, SizeIs(subs_before.subscriptions.size()));
  for (size_t i = 0; i < subs.subscriptions.size(); ++i) {
    EXPECT_EQ(subs.subscriptions[i].subscription_arn,
              subs_before.subscriptions[i].subscription_arn);
    EXPECT_EQ(subs.subscriptions[i].protocol, subs_before.subscriptions[i].protocol);
    EXPECT_EQ(subs.subscriptions[i].endpoint, subs_before.subscriptions[i].endpoint);
  }
  ASSERT_OK_AND_ASSIGN(auto sub_attributes, sns().GetSubscriptionAttributes(
                                                {.subscription_arn = queue_sub.subscription_arn}));
  EXPECT_EQ(sub_attributes.attributes, sub_attributes_before.attributes);
  ASSERT_OK_AND_ASSIGN(
      auto pending_attributes,
      sns().GetSubscriptionAttributes({.subscription_arn = pending.subscription_arn}));
  EXPECT_EQ(pending_attributes.attributes["PendingConfirmation"], "true");

  // The filter policy and raw delivery still apply.
  ASSERT_THAT(
      sns().Publish({.topic_arn = topic.topic_arn,
                     .message = "a book",
                     .message_attributes = {{"kind", MessageAttributeValue::String("book")}}}),
      IsOk());
  ASSERT_THAT(
      sns().Publish({.topic_arn = topic.topic_arn,
                     .message = "a pen",
                     .message_attributes = {{"kind", MessageAttributeValue::String("pen")}}}),
      IsOk());
  // A published message is in the queue after the next restart.
  Reopen();
  EXPECT_THAT(Bodies(Receive(url)), ElementsAre("a book"));
}

TEST_F(DurableBrokerTest, EventBridgeBusesRulesAndTargetsSurvive) {
  Create("inbox");
  Create("orders.fifo", {{"FifoQueue", "true"}, {"ContentBasedDeduplication", "true"}});
  Create("dlq");
  ASSERT_THAT(ev().CreateEventBus({.name = "shop",
                                   .description = "the shop's bus",
                                   .tags = {{"team", "core"}, {"env", "ci"}}}),
              IsOk());
  ASSERT_THAT(ev().CreateEventBus({.name = "gone"}), IsOk());
  ASSERT_THAT(
      ev().PutRule(
          {.name = "gone-rule", .event_pattern = R"({"source":["x"]})", .event_bus_name = "gone"}),
      IsOk());
  ASSERT_THAT(ev().DeleteEventBus({.name = "gone"}), IsOk());
  clock_->Advance(absl::Seconds(3));
  ASSERT_THAT(
      ev().PutRule({.name = "orders",
                    .event_pattern = R"({"source":["shop"],"detail":{"n":[{"numeric":[">",1]}]}})",
                    .state = "DISABLED",
                    .description = "big orders",
                    .role_arn = "arn:aws:iam::123456789012:role/events",
                    .tags = {{"owner", "ann"}},
                    .event_bus_name = "shop"}),
      IsOk());
  ASSERT_THAT(ev().PutRule({.name = "tick", .schedule_expression = "rate(5 minutes)"}), IsOk());
  ASSERT_THAT(ev().PutRule({.name = "dropped", .event_pattern = R"({"source":["y"]})"}), IsOk());
  ASSERT_THAT(ev().DeleteRule({.name = "dropped"}), IsOk());
  events::Target full;
  full.id = "full";
  full.arn = std::string(kArnBase) + "inbox";
  full.role_arn = "arn:aws:iam::123456789012:role/target";
  full.input_transformer = events::InputTransformer{{{"n", "$.detail.n"}, {"src", "$.source"}},
                                                    R"({"n":<n>,"s":<src>})"};
  full.dead_letter_config = events::DeadLetterConfig{std::string(kArnBase) + "dlq"};
  full.retry_policy = events::RetryPolicy{3, 120};
  events::Target constant;
  constant.id = "constant";
  constant.arn = std::string(kArnBase) + "inbox";
  constant.input = R"({"fixed":true})";
  events::Target path;
  path.id = "path";
  path.arn = std::string(kArnBase) + "orders.fifo";
  path.input_path = "$.detail";
  path.sqs_parameters = events::SqsParameters{"group-1"};
  path.retry_policy = events::RetryPolicy{std::nullopt, 600};
  ASSERT_THAT(ev().PutTargets(
                  {.rule = "orders", .event_bus_name = "shop", .targets = {full, constant, path}}),
              IsOk());
  ASSERT_THAT(ev().RemoveTargets({.rule = "orders", .event_bus_name = "shop", .ids = {"constant"}}),
              IsOk());
  ASSERT_THAT(ev().TagResource({.resource_arn = std::string(kEventsArn) + "event-bus/default",
                                .tags = {{"scope", "all"}}}),
              IsOk());
  ASSERT_THAT(ev().UntagResource({.resource_arn = std::string(kEventsArn) + "event-bus/shop",
                                  .tag_keys = {"env"}}),
              IsOk());
  ASSERT_THAT(ev().TagResource({.resource_arn = std::string(kEventsArn) + "rule/shop/orders",
                                .tags = {{"cost", "low"}}}),
              IsOk());
  // The bus's settings and resource policy.
  ASSERT_THAT(ev().UpdateEventBus(
                  {.name = "shop",
                   .kms_key_identifier = "alias/shop",
                   .dead_letter_config = events::DeadLetterConfig{std::string(kArnBase) + "dlq"}}),
              IsOk());
  ASSERT_THAT(ev().PutPermission({.event_bus_name = "shop",
                                  .action = "events:PutEvents",
                                  .principal = "111122223333",
                                  .statement_id = "partner"}),
              IsOk());
  ASSERT_THAT(ev().PutPermission(
                  {.action = "events:PutEvents",
                   .principal = "*",
                   .statement_id = "org",
                   .condition = events::Condition{"StringEquals", "aws:PrincipalOrgID", "o-1"}}),
              IsOk());
  const std::string before = EventsSnapshot();
  ASSERT_THAT(before, HasSubstr("target full"));
  ASSERT_THAT(before, HasSubstr("retry 3 120"));
  ASSERT_THAT(before, HasSubstr("key alias/shop dlq " + std::string(kArnBase) + "dlq"));
  ASSERT_THAT(before, HasSubstr(R"("Sid":"partner")"));
  ASSERT_THAT(before, HasSubstr(R"("aws:PrincipalOrgID":"o-1")"));

  clock_->Advance(absl::Seconds(2));
  Reopen();
  EXPECT_EQ(EventsSnapshot(), before);
  EXPECT_THAT(ev().DescribeEventBus({.name = "gone"}),
              HasErrorCode(ErrorCode::kEventsResourceNotFound));

  // The restored rule works: enabled again, it delivers through its targets
  // with their input shaping.
  ASSERT_THAT(ev().EnableRule({.name = "orders", .event_bus_name = "shop"}), IsOk());
  ASSERT_THAT(PutEvent(R"({"n":5})", "shop"), IsOk());
  EXPECT_THAT(Bodies(Receive(std::string(kUrlBase) + "inbox")),
              ElementsAre(R"({"n":5,"s":"shop"})"));
  EXPECT_THAT(Bodies(Receive(std::string(kUrlBase) + "orders.fifo")), ElementsAre(R"({"n":5})"));
  Reopen();
  auto rule = ev().DescribeRule({.name = "orders", .event_bus_name = "shop"});
  ASSERT_THAT(rule, IsOk());
  EXPECT_EQ(rule->state, "ENABLED");
}

TEST_F(DurableBrokerTest, ArchivedEventsSurviveAndReplayAfterARestart) {
  const std::string url = Create("inbox");
  ASSERT_THAT(ev().CreateArchive({.archive_name = "all",
                                  .event_source_arn = std::string(kEventsArn) + "event-bus/default",
                                  .description = "everything"}),
              IsOk());
  ASSERT_THAT(ev().CreateArchive({.archive_name = "short",
                                  .event_source_arn = std::string(kEventsArn) + "event-bus/default",
                                  .event_pattern = R"({"detail":{"n":[1]}})",
                                  .retention_days = 1}),
              IsOk());
  const absl::Time start = clock_->Now();
  for (int n = 1; n <= 3; ++n) {
    ASSERT_THAT(PutEvent(absl::StrCat(R"({"n":)", n, "}")), IsOk());
    clock_->Advance(absl::Minutes(2));
  }
  Reopen();
  // Their managed rules are made again (they are not stored).
  EXPECT_THAT(ev().ListRules({.name_prefix = "Events-Archive-"})->rules, SizeIs(2));
  auto all = ev().DescribeArchive({.archive_name = "all"});
  ASSERT_THAT(all, IsOk());
  EXPECT_EQ(all->event_count, 3);
  EXPECT_GT(all->size_bytes, 0);
  auto short_archive = ev().DescribeArchive({.archive_name = "short"});
  ASSERT_THAT(short_archive, IsOk());
  EXPECT_EQ(short_archive->event_count, 1);

  // Retention: a day later the short archive's event is gone, also from the
  // store (it stays gone after another restart); new events get new numbers.
  clock_->Advance(absl::Hours(25));
  short_archive = ev().DescribeArchive({.archive_name = "short"});
  ASSERT_THAT(short_archive, IsOk());
  EXPECT_EQ(short_archive->event_count, 0);
  ASSERT_THAT(PutEvent(R"({"n":4})"), IsOk());
  Reopen();
  all = ev().DescribeArchive({.archive_name = "all"});
  ASSERT_THAT(all, IsOk());
  EXPECT_EQ(all->event_count, 4);
  short_archive = ev().DescribeArchive({.archive_name = "short"});
  ASSERT_THAT(short_archive, IsOk());
  EXPECT_EQ(short_archive->event_count, 0);

  // The archived events replay through a rule made after the restart.
  ReplayToInbox(start, start + absl::Minutes(5));
  std::vector<std::string> replayed;
  for (int i = 0; i < 100 && replayed.size() < 3; ++i) {
    clock_->Advance(absl::Seconds(1));
    for (const std::string& body : Bodies(Receive(url))) replayed.push_back(body);
  }
  ASSERT_THAT(replayed, SizeIs(3));
  for (const std::string& body : replayed) EXPECT_THAT(body, HasSubstr(R"("replay-name":"again")"));
  auto replay = ev().DescribeReplay({.replay_name = "again"});
  ASSERT_THAT(replay, IsOk());
  EXPECT_EQ(replay->state, "COMPLETED");
  const std::string before = EventsSnapshot();
  Reopen();
  EXPECT_EQ(EventsSnapshot(), before);
  EXPECT_THAT(Receive(url), IsEmpty());  // A completed replay is not run again.

  // A forced change to a managed rule is stored, and undone by its archive
  // after a restart; deleting the archive erases it.
  ASSERT_THAT(ev().RemoveTargets(
                  {.rule = "Events-Archive-all", .ids = {"Events-Archive-all"}, .force = true}),
              IsOk());
  Reopen();
  EXPECT_THAT(ev().ListTargetsByRule({.rule = "Events-Archive-all"})->targets, SizeIs(1));
  ASSERT_THAT(ev().DeleteArchive({.archive_name = "all"}), IsOk());
  Reopen();
  EXPECT_THAT(ev().DescribeArchive({.archive_name = "all"}),
              HasErrorCode(ErrorCode::kEventsResourceNotFound));
  EXPECT_THAT(ev().DescribeRule({.name = "Events-Archive-all"}),
              HasErrorCode(ErrorCode::kEventsResourceNotFound));
  ASSERT_THAT(
      ev().CreateArchive({.archive_name = "all",
                          .event_source_arn = std::string(kEventsArn) + "event-bus/default"}),
      IsOk());
  all = ev().DescribeArchive({.archive_name = "all"});
  ASSERT_THAT(all, IsOk());
  EXPECT_EQ(all->event_count, 0);  // The old archive's events went with it.
}

// A delivery that failed and waits for its retry is kept: after a restart the
// retry happens at its time, the same event with the next attempt number,
// and once it is delivered it is not delivered again.
TEST_F(DurableBrokerTest, AnEventWaitingForARetryIsRetriedAfterARestart) {
  bool up = false;
  std::vector<std::pair<std::string, int>> calls;  // Event id, attempt.
  auto register_callback = [&] {
    return ev().RegisterCallback("flaky", [&](const events::CallbackEvent& e) {
      calls.emplace_back(e.event_id, e.attempt);
      return up ? absl::OkStatus() : absl::UnavailableError("down");
    });
  };
  ASSERT_OK_AND_ASSIGN(const std::string callback, register_callback());
  ASSERT_THAT(ev().PutRule({.name = "orders", .event_pattern = R"({"source":["shop"]})"}), IsOk());
  ASSERT_THAT(ev().PutTargets({.rule = "orders", .targets = {{.id = "cb", .arn = callback}}}),
              IsOk());
  ASSERT_THAT(PutEvent(R"({"n":1})"), IsOk());
  ASSERT_THAT(calls, SizeIs(1));
  const std::string event_id = calls[0].first;
  EXPECT_EQ(calls[0].second, 1);

  // The first retry (1 s later) finds the callback not registered again yet:
  // retried again 2 s later rather than dropped.
  Reopen();
  clock_->Advance(absl::Seconds(1));
  EXPECT_THAT(calls, SizeIs(1));
  up = true;
  ASSERT_THAT(register_callback(), IsOk());
  clock_->Advance(absl::Seconds(2));
  EXPECT_THAT(calls, ElementsAre(std::pair(event_id, 1), std::pair(event_id, 3)));

  Reopen();
  ASSERT_THAT(register_callback(), IsOk());
  clock_->Advance(absl::Hours(1));
  EXPECT_THAT(calls, SizeIs(2));
}

// A retry whose rule is gone by the restart is dropped, also from the store.
TEST_F(DurableBrokerTest, ARetryOfADeletedRuleIsDropped) {
  int calls = 0;
  ASSERT_OK_AND_ASSIGN(const std::string callback,
                       ev().RegisterCallback("down", [&](const events::CallbackEvent&) {
                         ++calls;
                         return absl::UnavailableError("down");
                       }));
  ASSERT_THAT(ev().PutRule({.name = "orders", .event_pattern = R"({"source":["shop"]})"}), IsOk());
  ASSERT_THAT(ev().PutTargets({.rule = "orders", .targets = {{.id = "cb", .arn = callback}}}),
              IsOk());
  ASSERT_THAT(PutEvent(R"({"n":1})"), IsOk());
  ASSERT_THAT(ev().RemoveTargets({.rule = "orders", .ids = {"cb"}}), IsOk());
  ASSERT_THAT(ev().DeleteRule({.name = "orders"}), IsOk());
  auto counting = [&](const events::CallbackEvent&) {
    ++calls;
    return absl::OkStatus();
  };
  Reopen();
  ASSERT_OK_AND_ASSIGN(const std::string again, ev().RegisterCallback("down", counting));
  clock_->Advance(absl::Hours(1));
  // The same rule and target made again: the dropped retry stays dropped.
  ASSERT_THAT(ev().PutRule({.name = "orders", .event_pattern = R"({"source":["shop"]})"}), IsOk());
  ASSERT_THAT(ev().PutTargets({.rule = "orders", .targets = {{.id = "cb", .arn = again}}}), IsOk());
  Reopen();
  ASSERT_THAT(ev().RegisterCallback("down", counting), IsOk());
  clock_->Advance(absl::Hours(1));
  EXPECT_EQ(calls, 1);
}

TEST_F(DurableBrokerTest, AReplayRunningAtACrashResumesAfterItsLastReplayedEvent) {
  const std::string url = Create("inbox");
  ASSERT_THAT(
      ev().CreateArchive({.archive_name = "all",
                          .event_source_arn = std::string(kEventsArn) + "event-bus/default"}),
      IsOk());
  const absl::Time start = clock_->Now();
  for (int n = 1; n <= 3; ++n) {
    ASSERT_THAT(PutEvent(absl::StrCat(R"({"n":)", n, "}")), IsOk());
    clock_->Advance(absl::Minutes(2));
  }
  ReplayToInbox(start, start + absl::Hours(1));
  // The process dies after the first one-minute step was sent and recorded
  // (its first step has not run yet: no clock advance; the record is made
  // to say so, as a crash at that point leaves it).
  broker_.reset();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir_.path() + "/wharf.db").c_str(), &db), SQLITE_OK);
  const std::string update = absl::StrCat(
      "UPDATE documents SET value=json_set(value,'$.state','RUNNING',"
      "'$.event_last_replayed_time',",
      absl::ToUnixNanos(start), ") WHERE kind='events.replay'");
  ASSERT_EQ(sqlite3_exec(db, update.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  EXPECT_EQ(sqlite3_changes(db), 1);
  sqlite3_close(db);
  Reopen();
  std::vector<std::string> replayed;
  for (int i = 0; i < 100; ++i) {
    clock_->Advance(absl::Seconds(1));
    for (const std::string& body : Take(url)) replayed.push_back(body);
    auto replay = ev().DescribeReplay({.replay_name = "again"});
    ASSERT_THAT(replay, IsOk());
    if (replay->state == "COMPLETED") break;
  }
  // Events 2 and 3, not 1 again.
  ASSERT_THAT(replayed, SizeIs(2));
  EXPECT_THAT(replayed[0], HasSubstr(R"("detail":{"n":2})"));
  EXPECT_THAT(replayed[1], HasSubstr(R"("detail":{"n":3})"));
  auto replay = ev().DescribeReplay({.replay_name = "again"});
  ASSERT_THAT(replay, IsOk());
  EXPECT_EQ(replay->state, "COMPLETED");
  ASSERT_TRUE(replay->event_last_replayed_time.has_value());
  EXPECT_EQ(*replay->event_last_replayed_time, start + absl::Minutes(4));
}

TEST_F(DurableBrokerTest, AScheduleFiresOnItsPhaseAfterARestartWithoutMakingUpMissedFirings) {
  const std::string url = Create("ticks");
  clock_->Advance(absl::Seconds(30));  // The phase: firings at :30 past each 5 minutes.
  ASSERT_THAT(ev().PutRule({.name = "tick", .schedule_expression = "rate(5 minutes)"}), IsOk());
  ASSERT_THAT(ev().PutTargets({.rule = "tick",
                               .targets = {{.id = "q", .arn = std::string(kArnBase) + "ticks"}}}),
              IsOk());
  clock_->Advance(absl::Minutes(3));
  Reopen();
  clock_->Advance(absl::Minutes(2) - absl::Seconds(1));
  EXPECT_THAT(Take(url), IsEmpty());
  clock_->Advance(absl::Seconds(1));  // 5 minutes after PutRule.
  EXPECT_THAT(Take(url), SizeIs(1));

  // Down for 22 minutes (four firings missed): none is made up, and the
  // next comes on the phase.
  broker_.reset();
  clock_->Advance(absl::Minutes(22));
  Reopen();
  clock_->Advance(absl::Minutes(3) - absl::Seconds(1));
  EXPECT_THAT(Take(url), IsEmpty());
  clock_->Advance(absl::Seconds(1));  // 30 minutes after PutRule.
  EXPECT_THAT(Take(url), SizeIs(1));

  // A disabled schedule stays silent after a restart.
  ASSERT_THAT(ev().DisableRule({.name = "tick"}), IsOk());
  Reopen();
  clock_->Advance(absl::Minutes(20));
  EXPECT_THAT(Take(url), IsEmpty());
}

// Sets `assignment` on the one stored EventBridge rule of the closed store in
// `dir`, as a damaged file or an earlier version would have it.
void RewriteStoredRule(const std::string& dir, const std::string& assignment) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir + "/wharf.db").c_str(), &db), SQLITE_OK);
  const std::string sql = "UPDATE documents SET " + assignment + " WHERE kind='events.rule'";
  ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  EXPECT_EQ(sqlite3_changes(db), 1);
  sqlite3_close(db);
}

// A bus stored before buses had a key identifier, dead-letter config and
// resource policy comes back without them.
TEST_F(DurableBrokerTest, ABusStoredWithoutItsNewerSettingsComesBackWithoutThem) {
  ASSERT_THAT(ev().CreateEventBus({.name = "shop", .description = "d"}), IsOk());
  ASSERT_THAT(ev().UpdateEventBus(
                  {.name = "shop",
                   .kms_key_identifier = "alias/k",
                   .dead_letter_config = events::DeadLetterConfig{std::string(kArnBase) + "dlq"}}),
              IsOk());
  ASSERT_THAT(ev().PutPermission({.event_bus_name = "shop",
                                  .action = "events:PutEvents",
                                  .principal = "*",
                                  .statement_id = "s"}),
              IsOk());
  broker_.reset();
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir_.path() + "/wharf.db").c_str(), &db), SQLITE_OK);
    const char* sql =
        "UPDATE documents SET value=json_remove(value,'$.kms_key_identifier',"
        "'$.dead_letter_arn','$.policy') WHERE kind='events.bus' AND name='shop'";
    ASSERT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), SQLITE_OK);
    EXPECT_EQ(sqlite3_changes(db), 1);
    sqlite3_close(db);
  }
  Reopen();
  ASSERT_OK_AND_ASSIGN(auto bus, ev().DescribeEventBus({.name = "shop"}));
  EXPECT_EQ(bus.description, "d");
  EXPECT_EQ(bus.kms_key_identifier, "");
  EXPECT_FALSE(bus.dead_letter_config.has_value());
  EXPECT_EQ(bus.policy, "");
}

TEST_F(DurableBrokerTest, ADamagedEventBridgeRecordFailsOpenNamingIt) {
  ASSERT_THAT(ev().PutRule({.name = "r", .event_pattern = R"({"source":["shop"]})"}), IsOk());
  broker_.reset();
  RewriteStoredRule(dir_.path(), "value='{\"bus\":\"default\"}'");
  absl::StatusOr<std::unique_ptr<Broker>> broker = Open();
  EXPECT_EQ(broker.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(broker.status().message(),
              HasSubstr(std::string("EventBridge rule ") + kEventsArn + "rule/r"));
}

// A pattern stored by an earlier version that this one refuses (event-ruler,
// hence AWS, refuses "{}") does not fail the store: its rule comes back
// DISABLED, and PutRule mends it.
TEST_F(DurableBrokerTest, AStoredPatternNowRefusedComesBackDisabled) {
  ASSERT_THAT(ev().PutRule({.name = "r", .event_pattern = R"({"source":["shop"]})"}), IsOk());
  broker_.reset();
  RewriteStoredRule(dir_.path(), "value=json_set(value,'$.event_pattern','{}')");
  Reopen();
  ASSERT_OK_AND_ASSIGN(auto rule, ev().DescribeRule({.name = "r"}));
  EXPECT_EQ(rule.event_pattern, "{}");
  EXPECT_EQ(rule.state, "DISABLED");
  EXPECT_THAT(ev().EnableRule({.name = "r"}), HasErrorCode(ErrorCode::kInvalidEventPattern));
  EXPECT_THAT(ev().PutRule({.name = "r", .event_pattern = R"({"source":["shop"]})"}), IsOk());
}

TEST_F(DurableBrokerTest, ASecondBrokerOnTheSameDirectoryIsRefused) {
  absl::StatusOr<std::unique_ptr<Broker>> second = Open();
  EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(second.status().message(), HasSubstr(dir_.path()));
}

TEST_F(DurableBrokerTest, ADamagedFileFailsOpenNamingIt) {
  broker_.reset();
  {
    std::ofstream out(dir_.path() + "/wharf.db", std::ios::binary | std::ios::trunc);
    out << std::string(8192, 'x');
  }
  // The WAL of the clean shutdown is gone already; a stale one would be
  // replayed over the damaged file, so remove it for a deterministic test.
  std::remove((dir_.path() + "/wharf.db-wal").c_str());
  absl::StatusOr<std::unique_ptr<Broker>> broker = Open();
  EXPECT_EQ(broker.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(broker.status().message(), HasSubstr(dir_.path() + "/wharf.db"));
}

using DurableBrokerFaultTest = WithFaultVfs<DurableBrokerTest>;

TEST_F(DurableBrokerFaultTest, AFullDiskFailsTheCallAndLosesNothingAcknowledged) {
  const std::string url = Create("jobs");
  Send(url, "kept");
  vfs_.Arm(dir_.path(), FaultVfs::Fault::kDiskFull);
  EXPECT_THAT(sqs().SendMessage({.queue_url = url, .message_body = "refused"}),
              HasErrorCode(ErrorCode::kServiceUnavailable));
  auto batch = sqs().SendMessageBatch(
      {.queue_url = url, .entries = {{.id = "1", .message_body = "refused too"}}});
  EXPECT_THAT(batch, HasErrorCode(ErrorCode::kServiceUnavailable));
  EXPECT_THAT(sqs().CreateQueue({.queue_name = "new"}),
              HasErrorCode(ErrorCode::kServiceUnavailable));
  EXPECT_THAT(sqs().TagQueue({.queue_url = url, .tags = {{"k", "v"}}}),
              HasErrorCode(ErrorCode::kServiceUnavailable));
  vfs_.Disarm();
  Send(url, "after");
  Reopen();
  std::set<std::string> bodies;
  for (const sqs::Message& m : Receive(url)) bodies.insert(m.body);
  // What was refused may or may not be there (it was never acknowledged);
  // what was acknowledged is.
  EXPECT_TRUE(bodies.count("kept") == 1 && bodies.count("after") == 1);
  EXPECT_THAT(sqs().GetQueueUrl({.queue_name = "new"}),
              HasErrorCode(ErrorCode::kQueueDoesNotExist));
  auto tags = sqs().ListQueueTags({.queue_url = url});
  ASSERT_THAT(tags, IsOk());
  EXPECT_THAT(tags->tags, IsEmpty());
}

TEST_F(DurableBrokerFaultTest, AnIoErrorFailsADeleteAndTheMessageComesBack) {
  const std::string url = Create("jobs");
  Send(url, "m");
  std::vector<sqs::Message> got = Receive(url, 1, 0);
  ASSERT_THAT(got, SizeIs(1));
  vfs_.Arm(dir_.path(), FaultVfs::Fault::kIoError);
  EXPECT_THAT(sqs().DeleteMessage({.queue_url = url, .receipt_handle = got[0].receipt_handle}),
              HasErrorCode(ErrorCode::kInternalFailure));
  vfs_.Disarm();
  Reopen();
  // The delete was not acknowledged: the message is still there.
  EXPECT_THAT(Bodies(Receive(url)), ElementsAre("m"));
}

TEST_F(DurableBrokerFaultTest, AnEventBridgeChangeTheStoreRefusesLeavesNothingHalfMade) {
  Create("inbox");
  ASSERT_THAT(ev().PutRule({.name = "kept", .event_pattern = R"({"source":["shop"]})"}), IsOk());
  ASSERT_THAT(
      ev().PutPermission({.action = "events:PutEvents", .principal = "*", .statement_id = "kept"}),
      IsOk());
  ASSERT_THAT(
      ev().CreateArchive({.archive_name = "kept",
                          .event_source_arn = std::string(kEventsArn) + "event-bus/default"}),
      IsOk());
  const std::string before = EventsSnapshot();
  vfs_.Arm(dir_.path(), FaultVfs::Fault::kDiskFull);
  EXPECT_THAT(ev().CreateEventBus({.name = "new"}), HasErrorCode(ErrorCode::kServiceUnavailable));
  EXPECT_THAT(ev().PutRule({.name = "new", .event_pattern = R"({"source":["x"]})"}),
              HasErrorCode(ErrorCode::kServiceUnavailable));
  EXPECT_THAT(ev().PutRule({.name = "kept", .event_pattern = R"({"source":["changed"]})"}),
              HasErrorCode(ErrorCode::kServiceUnavailable));
  EXPECT_THAT(ev().PutTargets({.rule = "kept",
                               .targets = {{.id = "q", .arn = std::string(kArnBase) + "inbox"}}}),
              HasErrorCode(ErrorCode::kServiceUnavailable));
  EXPECT_THAT(ev().TagResource({.resource_arn = std::string(kEventsArn) + "event-bus/default",
                                .tags = {{"k", "v"}}}),
              HasErrorCode(ErrorCode::kServiceUnavailable));
  EXPECT_THAT(ev().UpdateEventBus({.description = "changed"}),
              HasErrorCode(ErrorCode::kServiceUnavailable));
  EXPECT_THAT(
      ev().PutPermission({.action = "events:PutEvents", .principal = "*", .statement_id = "new"}),
      HasErrorCode(ErrorCode::kServiceUnavailable));
  EXPECT_THAT(ev().RemovePermission({.statement_id = "kept"}),
              HasErrorCode(ErrorCode::kServiceUnavailable));
  EXPECT_THAT(
      ev().CreateArchive({.archive_name = "new",
                          .event_source_arn = std::string(kEventsArn) + "event-bus/default"}),
      HasErrorCode(ErrorCode::kServiceUnavailable));
  EXPECT_THAT(ev().DeleteArchive({.archive_name = "kept"}),
              HasErrorCode(ErrorCode::kServiceUnavailable));
  EXPECT_THAT(ev().DeleteRule({.name = "kept"}), HasErrorCode(ErrorCode::kServiceUnavailable));
  EXPECT_THAT(PutEvent(R"({"n":1})"), HasErrorCode(ErrorCode::kServiceUnavailable));
  vfs_.Disarm();
  // Nothing of the refused calls in memory (the refused event may be in the
  // archive: it was never acknowledged, and AWS may keep such an event too)...
  auto without_counts = [](std::string text) {
    const size_t at = text.find(" days ");
    return at == std::string::npos ? text : text.substr(0, at);
  };
  EXPECT_EQ(without_counts(EventsSnapshot()), without_counts(before));
  // ... nor in the store.
  Reopen();
  EXPECT_EQ(without_counts(EventsSnapshot()), without_counts(before));
}

TEST_F(DurableBrokerFaultTest, PutEventsReturnsOnceWhatItPlacedInQueuesIsCommitted) {
  const std::string url = Create("inbox");
  events::Service& events = broker_->events();
  ASSERT_THAT(events.PutRule({.name = "r", .event_pattern = R"({"source":["shop"]})"}), IsOk());
  ASSERT_THAT(events.PutTargets(
                  {.rule = "r",
                   .targets = {{.id = "t", .arn = "arn:aws:sqs:us-east-1:123456789012:inbox"}}}),
              IsOk());
  auto put = [&](const std::string& detail) {
    return events.PutEvents(
        {.entries = {{.source = "shop", .detail_type = "order", .detail = detail}}});
  };
  vfs_.Arm(dir_.path(), FaultVfs::Fault::kDiskFull);
  EXPECT_THAT(put(R"({"n":"refused"})"), HasErrorCode(ErrorCode::kServiceUnavailable));
  vfs_.Disarm();
  ASSERT_THAT(put(R"({"n":"kept"})"), IsOk());
  Reopen();
  std::vector<sqs::Message> got = Receive(url);
  // The refused event may be there (it was never acknowledged); the
  // acknowledged one is.
  EXPECT_THAT(got, Contains(Field(&sqs::Message::body, HasSubstr(R"({"n":"kept"})"))));
}

}  // namespace
}  // namespace wharf::testing
