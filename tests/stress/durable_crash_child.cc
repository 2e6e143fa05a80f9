// The load of durable_crash_test: a durable broker in its own process, used
// by six threads until the test kills it with SIGKILL: four on SQS (sends,
// batches, receives, deletes, visibility changes on a standard and a FIFO
// queue), one publishing to an SNS topic whose raw subscription is the queue
// "sns", one putting events on the default bus, where a rule sends each
// event's detail to the queue "ev" and an archive keeps every event.
//
//   durable_crash_child DATA_DIR CLOCK_SECONDS CYCLE SEED
//
// The broker runs on a ManualClock at CLOCK_SECONDS (Unix time) that never
// moves, so no deadline passes in the child. Every acknowledged change is
// written to stdout as one line, with one write(2) of less than PIPE_BUF
// bytes, so lines never interleave and a line is either whole or absent:
//
//   R                      the broker is open and the queues exist
//   S <queue> <id> <body>  a send was acknowledged (FIFO: group g<thread>,
//                          deduplication id = body); for "sns" a publish
//                          (<id>: the SNS message id), for "ev" an event
//                          (<id>: the event id; its detail is {"b":"<body>"})
//   I <queue> <id>         a delete of <id> is about to be attempted
//   D <queue> <id>         that delete was acknowledged
//   E <message>            the broker could not be opened (exit status 3)
//
// Bodies are "<cycle>-<thread>-<n>" with n counting up per thread, so a FIFO
// group's sends are in increasing n.

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "wharf/broker.h"
#include "wharf/clock.h"
#include "wharf/events.h"
#include "wharf/sns.h"
#include "wharf/sqs.h"

namespace wharf {
namespace {

void Log(const std::string& line) {
  const std::string out = line + "\n";
  // A pipe write of at most PIPE_BUF bytes is atomic. A failure (the test
  // went away) ends the child.
  if (::write(STDOUT_FILENO, out.data(), out.size()) != static_cast<ssize_t>(out.size())) {
    std::_Exit(4);
  }
}

void DeleteAll(sqs::Service& sqs, const std::string& url, const std::string& queue,
               const std::vector<sqs::Message>& messages, bool batch) {
  if (messages.empty()) return;
  for (const sqs::Message& m : messages) Log(absl::StrCat("I ", queue, " ", m.message_id));
  if (batch) {
    sqs::DeleteMessageBatchRequest request{.queue_url = url, .entries = {}};
    for (size_t i = 0; i < messages.size(); ++i) {
      request.entries.push_back(
          {.id = absl::StrCat(i), .receipt_handle = messages[i].receipt_handle});
    }
    auto result = sqs.DeleteMessageBatch(request);
    if (!result.ok()) return;
    for (const std::string& id : result->successful) {
      size_t i = 0;
      if (absl::SimpleAtoi(id, &i) && i < messages.size()) {
        Log(absl::StrCat("D ", queue, " ", messages[i].message_id));
      }
    }
    return;
  }
  for (const sqs::Message& m : messages) {
    if (sqs.DeleteMessage({.queue_url = url, .receipt_handle = m.receipt_handle}).ok()) {
      Log(absl::StrCat("D ", queue, " ", m.message_id));
    }
  }
}

void StandardLoad(sqs::Service& sqs, const std::string& url, int cycle, int thread, uint32_t seed) {
  std::mt19937 rng(seed);
  int n = 0;
  for (;;) {
    const int op = static_cast<int>(rng() % 10);
    if (op < 3) {
      const std::string body = absl::StrCat(cycle, "-", thread, "-", n++);
      auto sent = sqs.SendMessage({.queue_url = url, .message_body = body});
      if (sent.ok()) Log(absl::StrCat("S std ", sent->message_id, " ", body));
    } else if (op < 5) {
      sqs::SendMessageBatchRequest request{.queue_url = url, .entries = {}};
      std::vector<std::string> bodies;
      for (int i = 0; i < 10; ++i) {
        bodies.push_back(absl::StrCat(cycle, "-", thread, "-", n++));
        request.entries.push_back({.id = absl::StrCat(i), .message_body = bodies.back()});
      }
      auto sent = sqs.SendMessageBatch(request);
      if (!sent.ok()) continue;
      for (const auto& ok : sent->successful) {
        size_t i = 0;
        if (absl::SimpleAtoi(ok.id, &i) && i < bodies.size()) {
          Log(absl::StrCat("S std ", ok.message_id, " ", bodies[i]));
        }
      }
    } else {
      auto got = sqs.ReceiveMessage({.queue_url = url,
                                     .max_number_of_messages = 10,
                                     .visibility_timeout = static_cast<int>(rng() % 31),
                                     .wait_time_seconds = 0});
      if (!got.ok()) continue;
      std::vector<sqs::Message> to_delete;
      for (const sqs::Message& m : got->messages) {
        switch (rng() % 3) {
          case 0:
            to_delete.push_back(m);
            break;
          case 1:
            (void)sqs.ChangeMessageVisibility({.queue_url = url,
                                               .receipt_handle = m.receipt_handle,
                                               .visibility_timeout = static_cast<int>(rng() % 2)});
            break;
          default:
            break;  // Left in flight.
        }
      }
      DeleteAll(sqs, url, "std", to_delete, rng() % 2 == 0);
    }
  }
}

void FifoLoad(sqs::Service& sqs, const std::string& url, int cycle, int thread, uint32_t seed) {
  std::mt19937 rng(seed);
  const std::string group = absl::StrCat("g", thread);
  int n = 0;
  for (;;) {
    if (rng() % 2 == 0) {
      const std::string body = absl::StrCat(cycle, "-", thread, "-", n++);
      auto sent = sqs.SendMessage({.queue_url = url,
                                   .message_body = body,
                                   .message_deduplication_id = body,
                                   .message_group_id = group});
      if (sent.ok()) Log(absl::StrCat("S fifo ", sent->message_id, " ", body));
      continue;
    }
    auto got = sqs.ReceiveMessage({.queue_url = url,
                                   .max_number_of_messages = static_cast<int>(1 + rng() % 10),
                                   .visibility_timeout = 30,
                                   .wait_time_seconds = 0});
    if (!got.ok() || got->messages.empty()) continue;
    if (rng() % 4 == 0) {
      // Give them back: they return at the head of their groups.
      for (const sqs::Message& m : got->messages) {
        (void)sqs.ChangeMessageVisibility(
            {.queue_url = url, .receipt_handle = m.receipt_handle, .visibility_timeout = 0});
      }
      continue;
    }
    DeleteAll(sqs, url, "fifo", got->messages, rng() % 2 == 0);
  }
}

void SnsLoad(sns::Service& sns, const std::string& topic, int cycle, int thread, uint32_t seed) {
  std::mt19937 rng(seed);
  int n = 0;
  for (;;) {
    if (rng() % 2 == 0) {
      const std::string body = absl::StrCat(cycle, "-", thread, "-", n++);
      auto published = sns.Publish({.topic_arn = topic, .message = body});
      if (published.ok()) Log(absl::StrCat("S sns ", published->message_id, " ", body));
      continue;
    }
    sns::PublishBatchRequest request{.topic_arn = topic, .publish_batch_request_entries = {}};
    std::vector<std::string> bodies;
    const int count = static_cast<int>(1 + rng() % 10);
    for (int i = 0; i < count; ++i) {
      bodies.push_back(absl::StrCat(cycle, "-", thread, "-", n++));
      request.publish_batch_request_entries.push_back(
          {.id = absl::StrCat(i), .message = bodies.back()});
    }
    auto published = sns.PublishBatch(request);
    if (!published.ok()) continue;
    for (const auto& ok : published->successful) {
      size_t i = 0;
      if (absl::SimpleAtoi(ok.id, &i) && i < bodies.size()) {
        Log(absl::StrCat("S sns ", ok.message_id, " ", bodies[i]));
      }
    }
  }
}

void EventsLoad(events::Service& events, int cycle, int thread, uint32_t seed) {
  std::mt19937 rng(seed);
  int n = 0;
  for (;;) {
    events::PutEventsRequest request;
    std::vector<std::string> bodies;
    const int count = static_cast<int>(1 + rng() % 10);
    for (int i = 0; i < count; ++i) {
      bodies.push_back(absl::StrCat(cycle, "-", thread, "-", n++));
      request.entries.push_back({.source = "crash",
                                 .detail_type = "load",
                                 .detail = absl::StrCat(R"({"b":")", bodies.back(), R"("})")});
    }
    auto put = events.PutEvents(request);
    if (!put.ok()) continue;
    for (size_t i = 0; i < put->entries.size() && i < bodies.size(); ++i) {
      if (!put->entries[i].event_id.empty()) {
        Log(absl::StrCat("S ev ", put->entries[i].event_id, " ", bodies[i]));
      }
    }
  }
}

// The topic, the bus rule and the archive feeding the queues "sns" and "ev"
// (each call is idempotent, so every cycle makes them again on restored
// state). Returns the topic ARN, or an error text starting with "E ".
std::string FanOut(Broker& broker) {
  sqs::Service& sqs = broker.sqs();
  auto queue_arn = [&](const std::string& name) -> absl::StatusOr<std::string> {
    auto created = sqs.CreateQueue({.queue_name = name});
    if (!created.ok()) return created.status();
    auto attributes =
        sqs.GetQueueAttributes({.queue_url = created->queue_url, .attribute_names = {"QueueArn"}});
    if (!attributes.ok()) return attributes.status();
    return attributes->attributes["QueueArn"];
  };
  auto sns_queue = queue_arn("sns");
  auto ev_queue = queue_arn("ev");
  if (!sns_queue.ok()) return absl::StrCat("E ", sns_queue.status().ToString());
  if (!ev_queue.ok()) return absl::StrCat("E ", ev_queue.status().ToString());
  auto topic = broker.sns().CreateTopic({.name = "t"});
  if (!topic.ok()) return absl::StrCat("E ", topic.status().ToString());
  auto subscribed = broker.sns().Subscribe({.topic_arn = topic->topic_arn,
                                            .protocol = "sqs",
                                            .endpoint = *sns_queue,
                                            .attributes = {{"RawMessageDelivery", "true"}}});
  if (!subscribed.ok()) return absl::StrCat("E ", subscribed.status().ToString());
  events::Service& events = broker.events();
  auto rule = events.PutRule({.name = "r", .event_pattern = R"({"source":["crash"]})"});
  if (!rule.ok()) return absl::StrCat("E ", rule.status().ToString());
  auto targets = events.PutTargets(
      {.rule = "r", .targets = {{.id = "ev", .arn = *ev_queue, .input_path = "$.detail"}}});
  if (!targets.ok() || targets->failed_entry_count != 0) return "E PutTargets failed";
  if (!events.DescribeArchive({.archive_name = "a"}).ok()) {
    auto bus = events.DescribeEventBus({});
    if (!bus.ok()) return absl::StrCat("E ", bus.status().ToString());
    auto archive = events.CreateArchive({.archive_name = "a", .event_source_arn = bus->arn});
    if (!archive.ok()) return absl::StrCat("E ", archive.status().ToString());
  }
  return topic->topic_arn;
}

int Run(int argc, char** argv) {
  int64_t clock_seconds = 0;
  int cycle = 0;
  uint32_t seed = 0;
  if (argc != 5 || !absl::SimpleAtoi(argv[2], &clock_seconds) ||
      !absl::SimpleAtoi(argv[3], &cycle) || !absl::SimpleAtoi(argv[4], &seed)) {
    std::fprintf(stderr, "usage: durable_crash_child DATA_DIR CLOCK_SECONDS CYCLE SEED\n");
    return 2;
  }
  auto clock = std::make_shared<ManualClock>(absl::FromUnixSeconds(clock_seconds));
  absl::StatusOr<std::unique_ptr<Broker>> broker =
      Broker::Open({.clock = clock, .data_dir = argv[1]});
  if (!broker.ok()) {
    Log(absl::StrCat("E ", broker.status().ToString()));
    return 3;
  }
  sqs::Service& sqs = (*broker)->sqs();
  auto standard = sqs.CreateQueue({.queue_name = "std"});
  auto fifo = sqs.CreateQueue({.queue_name = "fifo.fifo", .attributes = {{"FifoQueue", "true"}}});
  if (!standard.ok() || !fifo.ok()) {
    Log(absl::StrCat("E ",
                     standard.ok() ? fifo.status().ToString() : standard.status().ToString()));
    return 3;
  }
  const std::string topic = FanOut(**broker);
  if (topic.rfind("E ", 0) == 0) {
    Log(topic);
    return 3;
  }
  Log("R");
  std::thread publisher([&] { SnsLoad((*broker)->sns(), topic, cycle, 4, seed * 8 + 4); });
  std::thread putter([&] { EventsLoad((*broker)->events(), cycle, 5, seed * 8 + 5); });
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&, t] {
      StandardLoad(sqs, standard->queue_url, cycle, t, seed * 4 + static_cast<uint32_t>(t));
    });
    threads.emplace_back([&, t] {
      FifoLoad(sqs, fifo->queue_url, cycle, t + 2, seed * 4 + static_cast<uint32_t>(t + 2));
    });
  }
  // Runs until killed.
  for (std::thread& t : threads) t.join();
  publisher.join();
  putter.join();
  return 0;
}

}  // namespace
}  // namespace wharf

int main(int argc, char** argv) { return wharf::Run(argc, argv); }
