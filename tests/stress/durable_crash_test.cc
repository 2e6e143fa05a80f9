// Acknowledged means durable, under kill -9. Each cycle starts
// durable_crash_child on one data directory (it recovers what the previous
// cycles left), reads the log of what it acknowledged until a random number of
// lines, kills it with SIGKILL, then reopens the directory in this process 60
// clock seconds later (past every visibility timeout the child set, inside
// the FIFO deduplication window) and checks the queues against the log:
//   - every acknowledged send is there, unless a delete of it was attempted;
//   - no acknowledged delete is back;
//   - no message is there twice, and nothing is there that was not sent;
//   - no id was acknowledged for two sends;
//   - each FIFO group comes back in send order;
//   - a FIFO send repeated with a logged deduplication id is deduplicated
//     (the original message id, nothing queued);
//   - every acknowledged SNS publish is in the topic's subscribed queue and
//     every acknowledged event in its rule's target queue, once each, and
//     the bus's archive holds at least every acknowledged event so far.
// It then drains the queues (acknowledged deletes) for the next cycle.
//
// WHARF_CRASH_CYCLES sets the number of cycles (default 24; e.g. 1000 for a
// long run by hand), WHARF_CRASH_SEED the first seed (default: random,
// printed so a failure can be replayed).

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"
#include "wharf/broker.h"
#include "wharf/clock.h"
#include "wharf/events.h"
#include "wharf/sqs.h"

extern char** environ;

namespace wharf::testing {
namespace {

constexpr int64_t kStart = 1767225600;  // The child's clock in cycle 0 (Unix seconds).
constexpr int64_t kCycleSeconds = 120;  // Clock time between cycles.
constexpr int64_t kCheckAfter = 60;     // > the child's visibility timeouts, < 5 minutes.
constexpr int kMaxLines = 800;          // The kill comes after 0..kMaxLines log lines.

int EnvInt(const char* name, int fallback) {
  const char* value = std::getenv(name);
  int n = 0;
  return value != nullptr && absl::SimpleAtoi(value, &n) ? n : fallback;
}

// What one child acknowledged, per queue ("std", "fifo", "sns", "ev").
struct Log {
  bool ready = false;
  std::string error;
  std::map<std::string, std::map<std::string, std::string>> sent;  // queue -> id -> body
  std::map<std::string, std::set<std::string>> delete_tried;       // queue -> ids
  std::map<std::string, std::set<std::string>> deleted;            // queue -> ids
  std::string last_fifo_id, last_fifo_body;
  int lines = 0;
};

void Parse(const std::string& line, Log& log) {
  std::vector<std::string> f = absl::StrSplit(line, absl::MaxSplits(' ', 3));
  ++log.lines;
  if (f[0] == "R") {
    log.ready = true;
  } else if (f[0] == "E") {
    log.error = line;
  } else if (f[0] == "S" && f.size() == 4) {
    auto [it, first] = log.sent[f[1]].try_emplace(f[2], f[3]);
    EXPECT_TRUE(first) << "one id for two messages: " << f[2] << " (" << it->second << ", " << f[3]
                       << ")";
    if (f[1] == "fifo") {
      log.last_fifo_id = f[2];
      log.last_fifo_body = f[3];
    }
  } else if (f[0] == "I" && f.size() == 3) {
    log.delete_tried[f[1]].insert(f[2]);
  } else if (f[0] == "D" && f.size() == 3) {
    log.deleted[f[1]].insert(f[2]);
  } else {
    ADD_FAILURE() << "bad log line: " << line;
  }
}

// Runs one child until it has logged `kill_after` lines (or ended), kills it
// and returns everything it logged.
Log RunChild(const std::string& dir, int cycle, uint32_t seed, int kill_after) {
  Log log;
  int fds[2];
  if (::pipe(fds) != 0) {
    ADD_FAILURE() << "pipe failed";
    return log;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, fds[0]);
  posix_spawn_file_actions_addclose(&actions, fds[1]);
  const std::string clock = absl::StrCat(kStart + cycle * kCycleSeconds);
  const std::string cycle_text = absl::StrCat(cycle);
  const std::string seed_text = absl::StrCat(seed);
  std::vector<char*> argv = {
      const_cast<char*>(WHARF_CRASH_CHILD), const_cast<char*>(dir.c_str()),
      const_cast<char*>(clock.c_str()),     const_cast<char*>(cycle_text.c_str()),
      const_cast<char*>(seed_text.c_str()), nullptr};
  pid_t pid = 0;
  const int spawned = posix_spawn(&pid, WHARF_CRASH_CHILD, &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(fds[1]);
  if (spawned != 0) {
    ::close(fds[0]);
    ADD_FAILURE() << "cannot start " << WHARF_CRASH_CHILD;
    return log;
  }
  std::string buffer;
  char chunk[4096];
  bool killed = false;
  for (;;) {
    const ssize_t n = ::read(fds[0], chunk, sizeof chunk);
    if (n <= 0) break;  // EOF: the child is gone.
    buffer.append(chunk, static_cast<size_t>(n));
    size_t newline;
    while ((newline = buffer.find('\n')) != std::string::npos) {
      Parse(buffer.substr(0, newline), log);
      buffer.erase(0, newline + 1);
    }
    if (!killed && log.ready && log.lines > kill_after) {
      ::kill(pid, SIGKILL);
      killed = true;  // Keep reading what it wrote before it died.
    }
  }
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
      << "the child ended by itself (status " << status << "): " << log.error;
  EXPECT_TRUE(buffer.empty()) << "a partial log line: " << buffer;
  return log;
}

// Receives and deletes every message of `url` (long visibility, so each
// comes once), in receive order.
std::vector<sqs::Message> Drain(sqs::Service& sqs, const std::string& url) {
  std::vector<sqs::Message> all;
  for (;;) {
    auto got = sqs.ReceiveMessage({.queue_url = url,
                                   .max_number_of_messages = 10,
                                   .visibility_timeout = 600,
                                   .wait_time_seconds = 0});
    EXPECT_THAT(got, IsOk());
    if (!got.ok()) return all;
    for (sqs::Message& m : got->messages) {
      EXPECT_THAT(sqs.DeleteMessage({.queue_url = url, .receipt_handle = m.receipt_handle}),
                  IsOk());
      all.push_back(std::move(m));
    }
    if (!got->messages.empty()) continue;
    auto counts = sqs.GetQueueAttributes(
        {.queue_url = url,
         .attribute_names = {"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesDelayed"}});
    EXPECT_THAT(counts, IsOk());
    if (!counts.ok() || (counts->attributes["ApproximateNumberOfMessages"] == "0" &&
                         counts->attributes["ApproximateNumberOfMessagesDelayed"] == "0")) {
      return all;
    }
  }
}

// Checks what came back of `queue` against the log.
void Check(const Log& log, const std::string& queue, const std::vector<sqs::Message>& back,
           int cycle) {
  SCOPED_TRACE(absl::StrCat("cycle ", cycle, ", queue ", queue));
  static const std::map<std::string, std::string> kNone;
  static const std::set<std::string> kNoIds;
  auto find = [](const auto& m, const std::string& k, const auto& none) -> const auto& {
    auto it = m.find(k);
    return it == m.end() ? none : it->second;
  };
  const std::map<std::string, std::string>& sent = find(log.sent, queue, kNone);
  const std::set<std::string>& tried = find(log.delete_tried, queue, kNoIds);
  const std::set<std::string>& deleted = find(log.deleted, queue, kNoIds);

  std::set<std::string> ids;
  std::set<std::string> bodies;
  std::map<int, int> last_n;  // FIFO: thread -> last n seen.
  for (const sqs::Message& m : back) {
    EXPECT_TRUE(ids.insert(m.message_id).second) << "twice: " << m.message_id;
    EXPECT_TRUE(bodies.insert(m.body).second) << "body twice: " << m.body;
    EXPECT_EQ(deleted.count(m.message_id), 0u) << "an acknowledged delete is back: " << m.body;
    if (auto it = sent.find(m.message_id); it != sent.end()) {
      EXPECT_EQ(it->second, m.body);
    }
    std::vector<std::string> parts = absl::StrSplit(m.body, '-');
    int c = 0, t = 0, n = 0;
    ASSERT_TRUE(parts.size() == 3 && absl::SimpleAtoi(parts[0], &c) &&
                absl::SimpleAtoi(parts[1], &t) && absl::SimpleAtoi(parts[2], &n))
        << "not sent by a child: " << m.body;
    EXPECT_EQ(c, cycle) << "left over from an earlier cycle: " << m.body;
    if (queue == "fifo") {
      auto [it, first] = last_n.emplace(t, n);
      if (!first) {
        EXPECT_LT(it->second, n) << "group g" << t << " out of order";
        it->second = n;
      }
    }
  }
  for (const auto& [id, body] : sent) {
    if (tried.count(id) == 0) {
      EXPECT_EQ(ids.count(id), 1u) << "an acknowledged send is missing: " << body;
    }
  }
}

// Checks a queue fed by SNS ("sns") or an EventBridge rule ("ev") against
// the log: each acknowledged publish or event is there once, its body as the
// child sent it between `before` and `after` (the target's shaping), and
// nothing is there that this cycle's child did not send.
void CheckFanOut(const Log& log, const std::string& queue, const std::vector<sqs::Message>& back,
                 int cycle, absl::string_view before, absl::string_view after) {
  SCOPED_TRACE(absl::StrCat("cycle ", cycle, ", queue ", queue));
  std::set<std::string> bodies;
  for (const sqs::Message& m : back) {
    absl::string_view body = m.body;
    EXPECT_TRUE(absl::ConsumePrefix(&body, before) && absl::ConsumeSuffix(&body, after))
        << "not shaped as sent: " << m.body;
    EXPECT_TRUE(absl::StartsWith(body, absl::StrCat(cycle, "-")))
        << "not sent by this cycle's child: " << m.body;
    EXPECT_TRUE(bodies.insert(std::string(body)).second) << "twice: " << m.body;
  }
  auto sent = log.sent.find(queue);
  if (sent == log.sent.end()) return;
  for (const auto& [id, body] : sent->second) {
    EXPECT_EQ(bodies.count(body), 1u) << "acknowledged " << id << " is missing: " << body;
  }
}

TEST(DurableCrashTest, NothingAcknowledgedIsLostAcrossKill9) {
  const int cycles = EnvInt("WHARF_CRASH_CYCLES", 24);
  const uint32_t first_seed =
      static_cast<uint32_t>(EnvInt("WHARF_CRASH_SEED", static_cast<int>(std::random_device()())));
  std::printf("WHARF_CRASH_SEED=%u WHARF_CRASH_CYCLES=%d\n", first_seed, cycles);
  std::mt19937 rng(first_seed);
  TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  std::map<std::string, int64_t> acknowledged;  // Queue -> sends, publishes or events.
  for (int cycle = 0; cycle < cycles && !HasFailure(); ++cycle) {
    const int kill_after = static_cast<int>(rng() % (kMaxLines + 1));
    const Log log =
        RunChild(dir.path(), cycle, first_seed + static_cast<uint32_t>(cycle), kill_after);
    ASSERT_TRUE(log.ready) << "cycle " << cycle << ": " << log.error;
    for (const auto& [queue, sent] : log.sent) {
      acknowledged[queue] += static_cast<int64_t>(sent.size());
    }

    auto clock = std::make_shared<ManualClock>(
        absl::FromUnixSeconds(kStart + cycle * kCycleSeconds + kCheckAfter));
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Broker> broker,
                         Broker::Open({.clock = clock, .data_dir = dir.path()}));
    sqs::Service& sqs = broker->sqs();
    ASSERT_OK_AND_ASSIGN(auto standard, sqs.GetQueueUrl({.queue_name = "std"}));
    ASSERT_OK_AND_ASSIGN(auto fifo, sqs.GetQueueUrl({.queue_name = "fifo.fifo"}));
    Check(log, "std", Drain(sqs, standard.queue_url), cycle);
    Check(log, "fifo", Drain(sqs, fifo.queue_url), cycle);
    ASSERT_OK_AND_ASSIGN(auto sns_queue, sqs.GetQueueUrl({.queue_name = "sns"}));
    ASSERT_OK_AND_ASSIGN(auto ev_queue, sqs.GetQueueUrl({.queue_name = "ev"}));
    CheckFanOut(log, "sns", Drain(sqs, sns_queue.queue_url), cycle, "", "");
    CheckFanOut(log, "ev", Drain(sqs, ev_queue.queue_url), cycle, R"({"b":")", R"("})");
    ASSERT_OK_AND_ASSIGN(auto archive, broker->events().DescribeArchive({.archive_name = "a"}));
    EXPECT_GE(archive.event_count, acknowledged["ev"])
        << "acknowledged events missing from the archive";

    if (!log.last_fifo_id.empty()) {
      const std::string thread =
          std::vector<std::string>(absl::StrSplit(log.last_fifo_body, '-'))[1];
      auto again = sqs.SendMessage({.queue_url = fifo.queue_url,
                                    .message_body = log.last_fifo_body,
                                    .message_deduplication_id = log.last_fifo_body,
                                    .message_group_id = "g" + thread});
      ASSERT_THAT(again, IsOk());
      EXPECT_EQ(again->message_id, log.last_fifo_id) << "deduplication lost in cycle " << cycle;
      EXPECT_THAT(Drain(sqs, fifo.queue_url), ::testing::IsEmpty());
    }
  }
  for (const auto& [queue, count] : acknowledged) {
    std::printf("%s: %lld acknowledged checked\n", queue.c_str(), static_cast<long long>(count));
  }
}

}  // namespace
}  // namespace wharf::testing
