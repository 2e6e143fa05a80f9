// wharf-server: runs a broker with its AWS wire endpoint on a port, so that
// programs in any language (AWS SDKs, the AWS CLI) can use wharf as a local
// emulator of SQS, SNS and EventBridge.
//
//   wharf-server --port=4566 --config=wharf.conf
//   aws --endpoint-url http://127.0.0.1:4566 sqs list-queues
//
// The configuration file is line-based: one directive per line, words
// separated by blanks, '#' starts a comment, a word may be double-quoted
// (with \" and \\ escapes) to hold blanks:
//
//   # queues are created in file order (a dead-letter queue before its users)
//   queue orders-dlq
//   queue orders VisibilityTimeout=60 RedrivePolicy="{\"deadLetterTargetArn\":
//       \"arn:aws:sqs:us-east-1:000000000000:orders-dlq\",\"maxReceiveCount\":3}"
//   queue events.fifo FifoQueue=true ContentBasedDeduplication=true tag:team=core
//   credential AKIDEXAMPLE wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY
//   bus orders-bus description="all orders" tag:team=core
//   rule orders-bus placed pattern="{\"detail-type\":[\"OrderPlaced\"]}"
//       target=arn:aws:sqs:us-east-1:000000000000:orders
//   topic order-events DisplayName=Orders tag:team=core
//   subscription order-events sqs orders RawMessageDelivery=true
//       FilterPolicy="{\"kind\":[\"placed\"]}"
//
// (one line each; the RedrivePolicy, rule and subscription above are wrapped
// here only for reading). Directives:
//   queue <name> [<Attribute>=<value> | tag:<key>=<value>]...
//   credential <access-key-id> <secret>       (used with --verify-signatures)
//   bus <name> [description=<text>] [tag:<key>=<value>]...
//   rule <bus> <name> [pattern=<json>] [schedule=<expression>] [state=DISABLED]
//       [description=<text>] [target=<arn> | target:<id>=<arn>]...
//   topic <name> [<Attribute>=<value> | tag:<key>=<value>]...
//   subscription <topic> <protocol> <endpoint> [<Attribute>=<value>]...
//       (<topic>, and the endpoint of protocol sqs, by name or ARN)
// A rule needs a pattern or a schedule (schedules only on bus "default");
// target=<arn> targets get the ids t1, t2, ... in line order. Resources are
// created in file order: a queue or bus before the rules that use it, a
// topic and queue before their subscriptions.
//
// Once listening, it prints "wharf-server: listening on <url>" on stdout
// (with the real port when --port=0) and serves until SIGINT or SIGTERM.

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "wharf/broker.h"
#include "wharf/endpoint.h"
#include "wharf/events.h"
#include "wharf/sns.h"

namespace wharf {
namespace {

constexpr char kUsage[] =
    "usage: wharf-server [flags]\n"
    "  --port=N               port to listen on (default 4566; 0 picks a free one)\n"
    "  --bind=ADDRESS         address to bind (default 127.0.0.1)\n"
    "  --region=REGION        region in queue URLs and ARNs (default us-east-1)\n"
    "  --account-id=ID        12-digit account id (default 000000000000)\n"
    "  --config=FILE          line-based configuration (queues, topics, subscriptions,\n"
    "                         event buses, rules, credentials; see the comment in\n"
    "                         wharf_server.cc)\n"
    "  --threads=N            HTTP worker threads = connections served at once (default 64)\n"
    "  --verify-signatures    require SigV4 signatures by a configured credential\n"
    "  --credential=AKID:SECRET   add a credential (repeatable)\n";

struct ServerFlags {
  int port = 4566;
  std::string bind = "127.0.0.1";
  std::string region = "us-east-1";
  std::string account_id = "000000000000";
  std::string config;
  int threads = 64;
  bool verify_signatures = false;
  std::map<std::string, std::string> credentials;
};

absl::Status ParseFlags(int argc, char** argv, ServerFlags* flags) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    std::string name = arg;
    std::string value;
    size_t eq = arg.find('=');
    if (eq != std::string::npos) {
      name = arg.substr(0, eq);
      value = arg.substr(eq + 1);
    }
    auto need_value = [&]() -> absl::Status {
      if (eq == std::string::npos) {
        return absl::InvalidArgumentError(absl::StrCat("flag ", name, " needs =VALUE"));
      }
      return absl::OkStatus();
    };
    auto integer = [&](int* out) -> absl::Status {
      if (absl::Status s = need_value(); !s.ok()) return s;
      if (!absl::SimpleAtoi(value, out)) {
        return absl::InvalidArgumentError(absl::StrCat("flag ", name, ": not a number: ", value));
      }
      return absl::OkStatus();
    };
    absl::Status status;
    if (name == "--port") {
      status = integer(&flags->port);
    } else if (name == "--threads") {
      status = integer(&flags->threads);
    } else if (name == "--bind") {
      status = need_value();
      flags->bind = value;
    } else if (name == "--region") {
      status = need_value();
      flags->region = value;
    } else if (name == "--account-id") {
      status = need_value();
      flags->account_id = value;
    } else if (name == "--config") {
      status = need_value();
      flags->config = value;
    } else if (name == "--verify-signatures") {
      flags->verify_signatures = true;
    } else if (name == "--credential") {
      status = need_value();
      size_t colon = value.find(':');
      if (status.ok() && colon == std::string::npos) {
        status = absl::InvalidArgumentError("--credential wants ACCESS_KEY_ID:SECRET");
      }
      if (status.ok()) flags->credentials[value.substr(0, colon)] = value.substr(colon + 1);
    } else if (name == "--help" || name == "-h") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    } else {
      status = absl::InvalidArgumentError(absl::StrCat("unknown flag ", arg));
    }
    if (!status.ok()) return status;
  }
  return absl::OkStatus();
}

// Splits a configuration line into words: blanks separate, '#' outside
// quotes ends the line, "..." groups (with \" and \\).
absl::Status SplitWords(const std::string& line, std::vector<std::string>* words) {
  std::string word;
  bool in_word = false;
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted) {
      if (c == '\\' && i + 1 < line.size()) {
        word.push_back(line[++i]);
      } else if (c == '"') {
        quoted = false;
      } else {
        word.push_back(c);
      }
      continue;
    }
    if (c == '#') break;
    if (c == ' ' || c == '\t' || c == '\r') {
      if (in_word) words->push_back(std::move(word));
      word.clear();
      in_word = false;
      continue;
    }
    in_word = true;
    if (c == '"') {
      quoted = true;
    } else {
      word.push_back(c);
    }
  }
  if (quoted) return absl::InvalidArgumentError("unterminated quote");
  if (in_word) words->push_back(std::move(word));
  return absl::OkStatus();
}

// "queue <name> [Attr=value | tag:key=value]..."
absl::Status QueueDirective(Broker& broker, const std::vector<std::string>& words) {
  if (words.size() < 2) return absl::InvalidArgumentError("queue: missing queue name");
  sqs::CreateQueueRequest request;
  request.queue_name = words[1];
  for (size_t i = 2; i < words.size(); ++i) {
    size_t eq = words[i].find('=');
    if (eq == std::string::npos || eq == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("queue: expected Attribute=value, got '", words[i], "'"));
    }
    std::string key = words[i].substr(0, eq);
    std::string value = words[i].substr(eq + 1);
    if (key.rfind("tag:", 0) == 0) {
      request.tags[key.substr(4)] = value;
    } else {
      request.attributes[key] = value;
    }
  }
  absl::StatusOr<sqs::CreateQueueResult> result = broker.sqs().CreateQueue(request);
  if (!result.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("queue ", request.queue_name, ": ", result.status().message()));
  }
  return absl::OkStatus();
}

// Splits "key=value" (or "key:sub=value"); false when there is no '='.
bool SplitSetting(const std::string& word, std::string* key, std::string* value) {
  size_t eq = word.find('=');
  if (eq == std::string::npos || eq == 0) return false;
  *key = word.substr(0, eq);
  *value = word.substr(eq + 1);
  return true;
}

// "bus <name> [description=<text>] [tag:<key>=<value>]..."
absl::Status BusDirective(Broker& broker, const std::vector<std::string>& words) {
  if (words.size() < 2) return absl::InvalidArgumentError("bus: missing bus name");
  events::CreateEventBusRequest request;
  request.name = words[1];
  for (size_t i = 2; i < words.size(); ++i) {
    std::string key;
    std::string value;
    if (!SplitSetting(words[i], &key, &value)) {
      return absl::InvalidArgumentError(
          absl::StrCat("bus: expected description=... or tag:key=value, got '", words[i], "'"));
    }
    if (key == "description") {
      request.description = value;
    } else if (key.rfind("tag:", 0) == 0) {
      request.tags.push_back({.key = key.substr(4), .value = value});
    } else {
      return absl::InvalidArgumentError(absl::StrCat("bus: unknown setting '", key, "'"));
    }
  }
  absl::StatusOr<events::CreateEventBusResult> result = broker.events().CreateEventBus(request);
  if (!result.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("bus ", request.name, ": ", result.status().message()));
  }
  return absl::OkStatus();
}

// "rule <bus> <name> [pattern=..] [schedule=..] [state=..] [description=..]
//  [target=<arn> | target:<id>=<arn>]..."
absl::Status RuleDirective(Broker& broker, const std::vector<std::string>& words) {
  if (words.size() < 3) return absl::InvalidArgumentError("rule: want <bus> <name> [settings]");
  events::PutRuleRequest rule;
  rule.event_bus_name = words[1];
  rule.name = words[2];
  events::PutTargetsRequest targets;
  targets.rule = rule.name;
  targets.event_bus_name = rule.event_bus_name;
  for (size_t i = 3; i < words.size(); ++i) {
    std::string key;
    std::string value;
    if (!SplitSetting(words[i], &key, &value)) {
      return absl::InvalidArgumentError(
          absl::StrCat("rule: expected setting=value, got '", words[i], "'"));
    }
    if (key == "pattern") {
      rule.event_pattern = value;
    } else if (key == "schedule") {
      rule.schedule_expression = value;
    } else if (key == "state") {
      rule.state = value;
    } else if (key == "description") {
      rule.description = value;
    } else if (key == "target" || key.rfind("target:", 0) == 0) {
      events::Target& target = targets.targets.emplace_back();
      target.id = key == "target" ? absl::StrCat("t", targets.targets.size()) : key.substr(7);
      target.arn = value;
    } else {
      return absl::InvalidArgumentError(absl::StrCat("rule: unknown setting '", key, "'"));
    }
  }
  std::string where = absl::StrCat("rule ", rule.event_bus_name, "/", rule.name, ": ");
  if (absl::StatusOr<events::PutRuleResult> put = broker.events().PutRule(rule); !put.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(where, put.status().message()));
  }
  if (targets.targets.empty()) return absl::OkStatus();
  absl::StatusOr<events::PutTargetsResult> put = broker.events().PutTargets(targets);
  if (!put.ok()) return absl::InvalidArgumentError(absl::StrCat(where, put.status().message()));
  if (put->failed_entry_count > 0) {
    const events::FailedTargetEntry& failed = put->failed_entries.front();
    return absl::InvalidArgumentError(
        absl::StrCat(where, "target ", failed.target_id, ": ", failed.error_message));
  }
  return absl::OkStatus();
}

// "topic <name> [Attr=value | tag:key=value]..."
absl::Status TopicDirective(Broker& broker, const std::vector<std::string>& words) {
  if (words.size() < 2) return absl::InvalidArgumentError("topic: missing topic name");
  sns::CreateTopicRequest request;
  request.name = words[1];
  for (size_t i = 2; i < words.size(); ++i) {
    std::string key;
    std::string value;
    if (!SplitSetting(words[i], &key, &value)) {
      return absl::InvalidArgumentError(
          absl::StrCat("topic: expected Attribute=value, got '", words[i], "'"));
    }
    if (key.rfind("tag:", 0) == 0) {
      request.tags.push_back({.key = key.substr(4), .value = value});
    } else {
      request.attributes[key] = value;
    }
  }
  absl::StatusOr<sns::CreateTopicResult> result = broker.sns().CreateTopic(request);
  if (!result.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("topic ", request.name, ": ", result.status().message()));
  }
  return absl::OkStatus();
}

// "subscription <topic> <protocol> <endpoint> [Attr=value]...". The topic
// and an sqs endpoint may be given by name instead of ARN.
absl::Status SubscriptionDirective(Broker& broker, const std::vector<std::string>& words) {
  if (words.size() < 4) {
    return absl::InvalidArgumentError("subscription: want <topic> <protocol> <endpoint>");
  }
  const BrokerOptions& options = broker.options();
  auto arn = [&](const char* service, const std::string& name) -> std::string {
    if (name.rfind("arn:", 0) == 0) return name;
    return absl::StrCat("arn:aws:", service, ":", options.region, ":", options.account_id, ":",
                        name);
  };
  sns::SubscribeRequest request;
  request.topic_arn = arn("sns", words[1]);
  request.protocol = words[2];
  request.endpoint = request.protocol == "sqs" ? arn("sqs", words[3]) : words[3];
  for (size_t i = 4; i < words.size(); ++i) {
    std::string key;
    std::string value;
    if (!SplitSetting(words[i], &key, &value)) {
      return absl::InvalidArgumentError(
          absl::StrCat("subscription: expected Attribute=value, got '", words[i], "'"));
    }
    request.attributes[key] = value;
  }
  absl::StatusOr<sns::SubscribeResult> result = broker.sns().Subscribe(request);
  if (!result.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("subscription ", words[1], " ", words[3], ": ", result.status().message()));
  }
  return absl::OkStatus();
}

absl::Status ApplyConfig(const std::string& path, Broker& broker, ServerFlags* flags) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read config file ", path));
  using Directive = std::function<absl::Status(const std::vector<std::string>&)>;
  const std::map<std::string, Directive> directives = {
      {"queue", [&](const std::vector<std::string>& w) { return QueueDirective(broker, w); }},
      {"bus", [&](const std::vector<std::string>& w) { return BusDirective(broker, w); }},
      {"rule", [&](const std::vector<std::string>& w) { return RuleDirective(broker, w); }},
      {"topic", [&](const std::vector<std::string>& w) { return TopicDirective(broker, w); }},
      {"subscription",
       [&](const std::vector<std::string>& w) { return SubscriptionDirective(broker, w); }},
      {"credential",
       [&](const std::vector<std::string>& w) {
         if (w.size() != 3) {
           return absl::InvalidArgumentError("credential: want <access-key-id> <secret>");
         }
         flags->credentials[w[1]] = w[2];
         return absl::OkStatus();
       }},
  };
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    std::vector<std::string> words;
    absl::Status status = SplitWords(line, &words);
    if (status.ok() && !words.empty()) {
      auto directive = directives.find(words[0]);
      status = directive == directives.end()
                   ? absl::InvalidArgumentError(absl::StrCat("unknown directive '", words[0], "'"))
                   : directive->second(words);
    }
    if (!status.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(path, ":", number, ": ", status.message()));
    }
  }
  return absl::OkStatus();
}

int Run(int argc, char** argv) {
  ServerFlags flags;
  if (absl::Status status = ParseFlags(argc, argv, &flags); !status.ok()) {
    std::fprintf(stderr, "wharf-server: %s\n%s", std::string(status.message()).c_str(), kUsage);
    return 2;
  }
  // Block the stop signals before any thread starts, so that every thread
  // inherits the mask and only sigwait below receives them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  BrokerOptions options;
  options.region = flags.region;
  options.account_id = flags.account_id;
  absl::StatusOr<std::unique_ptr<Broker>> broker = Broker::Open(options);
  if (!broker.ok()) {
    std::fprintf(stderr, "wharf-server: %s\n", std::string(broker.status().message()).c_str());
    return 2;
  }
  if (!flags.config.empty()) {
    if (absl::Status status = ApplyConfig(flags.config, **broker, &flags); !status.ok()) {
      std::fprintf(stderr, "wharf-server: %s\n", std::string(status.message()).c_str());
      return 2;
    }
  }
  EndpointOptions endpoint_options;
  endpoint_options.host = flags.bind;
  endpoint_options.port = flags.port;
  endpoint_options.threads = flags.threads;
  endpoint_options.verify_signatures = flags.verify_signatures;
  endpoint_options.credentials = flags.credentials;
  if (flags.verify_signatures && flags.credentials.empty()) {
    std::fprintf(stderr, "wharf-server: --verify-signatures needs a credential\n");
    return 2;
  }
  Endpoint endpoint(**broker, endpoint_options);
  if (!endpoint.ok()) {
    std::fprintf(stderr, "wharf-server: %s\n", std::string(endpoint.status().message()).c_str());
    return 1;
  }
  std::printf("wharf-server: listening on %s (region %s, account %s)\n", endpoint.url().c_str(),
              flags.region.c_str(), flags.account_id.c_str());
  std::fflush(stdout);

  int signal = 0;
  sigwait(&stop_signals, &signal);
  std::printf("wharf-server: stopping on signal %d\n", signal);
  std::fflush(stdout);
  endpoint.Stop();
  return 0;
}

}  // namespace
}  // namespace wharf

int main(int argc, char** argv) { return wharf::Run(argc, argv); }
