// wharf-server: runs a broker with its AWS wire endpoint on a port, so that
// programs in any language (AWS SDKs, the AWS CLI) can use wharf as a local
// emulator of SQS, SNS and EventBridge.
//
//   wharf-server --port=4566 --config=wharf.conf
//   aws --endpoint-url http://127.0.0.1:4566 sqs list-queues
//
// The configuration file (--config) declares queues, topics, subscriptions,
// event buses, rules and credentials; its format is in server_config.h.
//
// Credentials for --verify-signatures come from the configuration file
// (`credential` directives), from --credentials-file (an AWS shared
// credentials file, or lines "<access-key-id> <secret>"), or from the
// environment variable WHARF_CREDENTIALS ("AKID:SECRET[,AKID:SECRET]..."),
// never from the command line, where any local user could read them.
//
// Once listening, it prints "wharf-server: listening on <url>" on stdout
// (with the real port when --port=0) and serves until SIGINT or SIGTERM,
// which it answers within a second: long polls in progress answer with
// what they have, and every connection is closed.
//
// With --clock=manual the broker runs on a ManualClock that only
// POST /_wharf/clock/advance moves, so a test in any language can make a
// visibility timeout, a delay, a schedule or an alarm fall due at once.

#include <malloc.h>
#include <sys/resource.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "broker/base/mutex.h"
#include "broker/tools/server_config.h"
#include "wharf/broker.h"
#include "wharf/endpoint.h"

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
    "                         broker/tools/server_config.h)\n"
    "  --data-dir=DIR         durable mode: keep queues and messages in DIR (SQLite),\n"
    "                         restored at the next start; a call succeeds once its\n"
    "                         change is committed (default: in memory only)\n"
    "  --sync=normal|full     with --data-dir: normal survives a crash of the process\n"
    "                         (kill -9), full also a power loss (default normal)\n"
    "  --io-threads=N         threads serving the connections (default 2)\n"
    "  --max-connections=N    open connections before new ones are refused (503;\n"
    "                         default 10000, lowered to fit the descriptor limit)\n"
    "  --request-timeout=S    seconds for a request to arrive whole once begun, and\n"
    "                         for a client to take its answer (default 60)\n"
    "  --idle-timeout=S       seconds an idle keep-alive connection stays open\n"
    "                         (default 5)\n"
    "  --allow-host=NAME      a Host name clients may use besides the bound address\n"
    "                         (NAME: any port; NAME:PORT: that port); repeatable\n"
    "  --allow-origin=ORIGIN  a web origin whose pages may call the endpoint (CORS),\n"
    "                         e.g. http://localhost:3000, or * for any; repeatable\n"
    "  --clock=system|manual  manual: time moves only by POST /_wharf/clock/advance\n"
    "                         {\"seconds\": N}, which fires what falls due before answering\n"
    "                         (starts at 2026-01-01T00:00:00Z; default system)\n"
    "  --metrics=on|off       CloudWatch metrics of queues, topics and functions, kept\n"
    "                         24 h, also for deleted ones (default on)\n"
    "  --max-rules-per-event-bus=N  EventBridge rules per bus (default 300, AWS's quota)\n"
    "  --verify-signatures    require SigV4 signatures by a configured credential\n"
    "  --credentials-file=FILE  credentials for --verify-signatures: an AWS shared\n"
    "                         credentials file or lines \"<access-key-id> <secret>\"\n"
    "                         (also: the config file's credential directives, and\n"
    "                         WHARF_CREDENTIALS=AKID:SECRET[,AKID:SECRET]...)\n";

struct ServerFlags {
  int port = 4566;
  std::string bind = "127.0.0.1";
  std::string region = "us-east-1";
  std::string account_id = "000000000000";
  std::string config;
  int io_threads = 2;
  std::string data_dir;
  SyncLevel sync_level = SyncLevel::kNormal;
  int max_connections = 10'000;
  int request_timeout_seconds = 60;
  int idle_timeout_seconds = 5;
  std::vector<std::string> allowed_hosts;
  std::vector<std::string> allowed_origins;
  bool manual_clock = false;
  bool metrics = true;
  int max_rules_per_event_bus = events::ServiceOptions().max_rules_per_event_bus;
  bool verify_signatures = false;
  std::string credentials_file;
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
    } else if (name == "--io-threads") {
      status = integer(&flags->io_threads);
    } else if (name == "--max-connections") {
      status = integer(&flags->max_connections);
    } else if (name == "--request-timeout") {
      status = integer(&flags->request_timeout_seconds);
    } else if (name == "--idle-timeout") {
      status = integer(&flags->idle_timeout_seconds);
    } else if (name == "--allow-host") {
      status = need_value();
      flags->allowed_hosts.push_back(value);
    } else if (name == "--allow-origin") {
      status = need_value();
      flags->allowed_origins.push_back(value);
    } else if (name == "--credentials-file") {
      status = need_value();
      flags->credentials_file = value;
    } else if (name == "--max-rules-per-event-bus") {
      status = integer(&flags->max_rules_per_event_bus);
      if (status.ok() && flags->max_rules_per_event_bus < 1) {
        status = absl::InvalidArgumentError("--max-rules-per-event-bus must be at least 1");
      }
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
    } else if (name == "--clock") {
      status = need_value();
      if (status.ok() && value != "system" && value != "manual") {
        status = absl::InvalidArgumentError("--clock wants system or manual");
      }
      flags->manual_clock = value == "manual";
    } else if (name == "--metrics") {
      status = need_value();
      if (status.ok() && value != "on" && value != "off") {
        status = absl::InvalidArgumentError("--metrics wants on or off");
      }
      flags->metrics = value == "on";
    } else if (name == "--data-dir") {
      status = need_value();
      if (status.ok() && value.empty()) {
        status = absl::InvalidArgumentError("--data-dir needs a directory");
      }
      flags->data_dir = value;
    } else if (name == "--sync") {
      status = need_value();
      if (value == "normal") {
        flags->sync_level = SyncLevel::kNormal;
      } else if (value == "full") {
        flags->sync_level = SyncLevel::kFull;
      } else if (status.ok()) {
        status = absl::InvalidArgumentError("--sync wants normal or full");
      }
    } else if (name == "--verify-signatures") {
      flags->verify_signatures = true;
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

// Reads credentials from an AWS shared credentials file ("[profile]",
// "aws_access_key_id = ...", "aws_secret_access_key = ..."; every profile
// counts) or from lines "<access-key-id> <secret>"; '#' and ';' start
// comments.
absl::Status ReadCredentialsFile(const std::string& path,
                                 std::map<std::string, std::string>* credentials) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read credentials file ", path));
  std::string key_id;
  std::string secret;
  auto flush = [&] {
    if (!key_id.empty() && !secret.empty()) (*credentials)[key_id] = secret;
    key_id.clear();
    secret.clear();
  };
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    absl::string_view text = absl::StripAsciiWhitespace(line);
    if (text.empty() || text.front() == '#' || text.front() == ';') continue;
    if (text.front() == '[') {
      flush();
      continue;
    }
    if (size_t eq = text.find('='); eq != absl::string_view::npos) {
      absl::string_view name = absl::StripAsciiWhitespace(text.substr(0, eq));
      absl::string_view value = absl::StripAsciiWhitespace(text.substr(eq + 1));
      if (name == "aws_access_key_id") key_id = std::string(value);
      if (name == "aws_secret_access_key") secret = std::string(value);
      continue;
    }
    std::vector<std::string> words =
        absl::StrSplit(text, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    if (words.size() != 2) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ":", number, ": want \"<access-key-id> <secret>\""));
    }
    (*credentials)[words[0]] = words[1];
  }
  flush();
  return absl::OkStatus();
}

// WHARF_CREDENTIALS="AKID:SECRET[,AKID:SECRET]...".
absl::Status CredentialsFromEnvironment(std::map<std::string, std::string>* credentials) {
  const char* value = std::getenv("WHARF_CREDENTIALS");
  if (value == nullptr) return absl::OkStatus();
  for (absl::string_view pair : absl::StrSplit(value, ',', absl::SkipEmpty())) {
    size_t colon = pair.find(':');
    if (colon == absl::string_view::npos || colon == 0 || colon + 1 == pair.size()) {
      return absl::InvalidArgumentError("WHARF_CREDENTIALS wants AKID:SECRET[,AKID:SECRET]...");
    }
    (*credentials)[std::string(pair.substr(0, colon))] = std::string(pair.substr(colon + 1));
  }
  return absl::OkStatus();
}

// Gives back to the system memory that malloc holds free. Deleting queues
// (or a burst of large messages) frees their memory into glibc's arenas,
// which keep it: the process's RSS would stay at its high-water mark, e.g.
// 140 MB after creating and deleting 10,000 queues. Once a second, when
// more than kThreshold bytes sit free, malloc_trim returns them (26 MB after
// the same rounds). Bounding the number of arenas (M_ARENA_MAX) made no
// measurable difference: the memory is free, not spread.
class MemoryTrimmer {
 public:
  MemoryTrimmer() : thread_([this] { Loop(); }) {}
  ~MemoryTrimmer() {
    {
      MutexLock lock(&mu_);
      stop_ = true;
      wake_.SignalAll();
    }
    thread_.join();
  }

 private:
  static constexpr size_t kThreshold = 16 << 20;

  void Loop() ABSL_LOCKS_EXCLUDED(mu_) {
    for (;;) {
      {
        MutexLock lock(&mu_);
        const absl::Time next = absl::Now() + absl::Seconds(1);
        while (!stop_ && !wake_.WaitWithDeadline(&mu_, next)) {
        }
        if (stop_) return;
      }
      if (mallinfo2().fordblks > kThreshold) malloc_trim(0);
    }
  }

  Mutex mu_;
  CondVar wake_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

// Lets the process open as many descriptors as its hard limit allows: each
// connection is one.
void RaiseDescriptorLimit() {
  rlimit limit;
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
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
  if (flags.manual_clock) options.clock = std::make_shared<ManualClock>();
  options.metrics.enabled = flags.metrics;
  options.data_dir = flags.data_dir;
  options.sync_level = flags.sync_level;
  options.events.max_rules_per_event_bus = flags.max_rules_per_event_bus;
  absl::StatusOr<std::unique_ptr<Broker>> broker = Broker::Open(options);
  if (!broker.ok()) {
    std::fprintf(stderr, "wharf-server: %s\n", std::string(broker.status().message()).c_str());
    return 2;
  }
  if (!flags.config.empty()) {
    std::ifstream config(flags.config);
    absl::Status status =
        config ? tools::ApplyConfig(config, flags.config, **broker, &flags.credentials)
               : absl::NotFoundError(absl::StrCat("cannot read config file ", flags.config));
    if (!status.ok()) {
      std::fprintf(stderr, "wharf-server: %s\n", std::string(status.message()).c_str());
      return 2;
    }
  }
  absl::Status credentials = CredentialsFromEnvironment(&flags.credentials);
  if (credentials.ok() && !flags.credentials_file.empty()) {
    credentials = ReadCredentialsFile(flags.credentials_file, &flags.credentials);
  }
  if (!credentials.ok()) {
    std::fprintf(stderr, "wharf-server: %s\n", std::string(credentials.message()).c_str());
    return 2;
  }
  if (flags.verify_signatures && flags.credentials.empty()) {
    std::fprintf(stderr,
                 "wharf-server: --verify-signatures needs a credential (--credentials-file, "
                 "WHARF_CREDENTIALS or a credential directive)\n");
    return 2;
  }
  RaiseDescriptorLimit();
  MemoryTrimmer trimmer;
  EndpointOptions endpoint_options;
  endpoint_options.host = flags.bind;
  endpoint_options.port = flags.port;
  endpoint_options.io_threads = flags.io_threads;
  endpoint_options.max_connections = static_cast<size_t>(std::max(1, flags.max_connections));
  endpoint_options.request_timeout = absl::Seconds(std::max(1, flags.request_timeout_seconds));
  endpoint_options.idle_timeout = absl::Seconds(std::max(1, flags.idle_timeout_seconds));
  endpoint_options.allowed_hosts = flags.allowed_hosts;
  endpoint_options.allowed_origins = flags.allowed_origins;
  endpoint_options.verify_signatures = flags.verify_signatures;
  endpoint_options.credentials = flags.credentials;
  Endpoint endpoint(**broker, endpoint_options);
  if (!endpoint.ok()) {
    std::fprintf(stderr, "wharf-server: %s\n", std::string(endpoint.status().message()).c_str());
    return 1;
  }
  std::printf("wharf-server: listening on %s (region %s, account %s, %s%s)\n",
              endpoint.url().c_str(), flags.region.c_str(), flags.account_id.c_str(),
              flags.data_dir.empty() ? "in memory" : ("data in " + flags.data_dir).c_str(),
              flags.manual_clock ? ", manual clock" : "");
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
