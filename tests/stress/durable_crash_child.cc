// The load of durable_crash_test: a durable broker in its own process, used
// by four threads (sends, batches, receives, deletes, visibility changes on a
// standard and a FIFO queue) until the test kills it with SIGKILL.
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
//                          deduplication id = body)
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
  Log("R");
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
  return 0;
}

}  // namespace
}  // namespace wharf

int main(int argc, char** argv) { return wharf::Run(argc, argv); }
