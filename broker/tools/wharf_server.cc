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
// Once listening, it prints "wharf-server: listening on <url>" on stdout
// (with the real port when --port=0) and serves until SIGINT or SIGTERM.
//
// With --clock=manual the broker runs on a ManualClock that only
// POST /_wharf/clock/advance moves, so a test in any language can make a
// visibility timeout, a delay, a schedule or an alarm fall due at once.

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
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
    "  --threads=N            HTTP worker threads = connections served at once (default 64)\n"
    "  --clock=system|manual  manual: time moves only by POST /_wharf/clock/advance\n"
    "                         {\"seconds\": N}, which fires what falls due before answering\n"
    "                         (starts at 2026-01-01T00:00:00Z; default system)\n"
    "  --verify-signatures    require SigV4 signatures by a configured credential\n"
    "  --credential=AKID:SECRET   add a credential (repeatable)\n";

struct ServerFlags {
  int port = 4566;
  std::string bind = "127.0.0.1";
  std::string region = "us-east-1";
  std::string account_id = "000000000000";
  std::string config;
  int threads = 64;
  bool manual_clock = false;
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
    } else if (name == "--clock") {
      status = need_value();
      if (status.ok() && value != "system" && value != "manual") {
        status = absl::InvalidArgumentError("--clock wants system or manual");
      }
      flags->manual_clock = value == "manual";
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
  std::printf("wharf-server: listening on %s (region %s, account %s%s)\n", endpoint.url().c_str(),
              flags.region.c_str(), flags.account_id.c_str(),
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
