// wharf-bench: runs a messaging design (a scenario file) against wharf in
// process or any AWS-compatible endpoint, with an open-loop load and honest
// latency percentiles, and writes results.json, results.csv and report.html.
//
//   wharf-bench list
//   wharf-bench run work-queue-dlq --duration=30 --out=results
//   wharf-bench run my-design.yaml --target=http://127.0.0.1:4566
//   wharf-bench compare fifo-1000-groups work-queue-dlq --out=cmp
//   wharf-bench compare work-queue-dlq --target=inproc --target=http://127.0.0.1:4566
//
// See the wharf-bench section of the README for the scenario format.

#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "broker/tools/bench/builtin_scenarios.h"
#include "broker/tools/bench/report.h"
#include "broker/tools/bench/results.h"
#include "broker/tools/bench/run_clock.h"
#include "broker/tools/bench/runner.h"
#include "broker/tools/bench/scenario.h"
#include "broker/tools/bench/target.h"
#include "broker/tools/bench/text.h"

namespace wharf::bench {
namespace {

constexpr char kUsage[] =
    "usage: wharf-bench list\n"
    "       wharf-bench show SCENARIO\n"
    "       wharf-bench run SCENARIO [flags]\n"
    "       wharf-bench compare SCENARIO... [--target=T]... [flags]\n"
    "\n"
    "SCENARIO is a YAML file or the name of a built-in scenario (wharf-bench list).\n"
    "compare runs every scenario against every --target (default: each scenario's own\n"
    "target, else inproc) and reports them side by side.\n"
    "\n"
    "flags:\n"
    "  --target=T        inproc (default), noop, durable[:DIR] (a broker with a data\n"
    "                    directory: DIR, kept, or a temporary one, removed),\n"
    "                    durable-full[:DIR] (the same, synced at every commit), or an\n"
    "                    AWS-compatible endpoint URL (http://HOST:PORT, https://...;\n"
    "                    no mapping consumers); credentials and region come\n"
    "                    from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION\n"
    "  --duration=S      measured window (overrides the scenario), e.g. 30 or 30s\n"
    "  --warmup=S        warm-up before it\n"
    "  --drain=S         longest wait for consumers to empty their queues after the load\n"
    "  --rate=N          messages/s of every load, or 'unlimited' (closed loop)\n"
    "  --seed=N          random seed (overrides the scenario)\n"
    "  --out=DIR         where results.json, results.csv and report.html go\n"
    "                    (default wharf-bench-results)\n"
    "  --ceiling=S       how long the generator's ceiling is measured (default 1s)\n"
    "  --no-ceiling      skip the ceiling (the no-op target row)\n"
    "  --quiet           no progress line\n";

std::atomic<bool> g_interrupted{false};

void OnInterrupt(int) { g_interrupted.store(true); }

struct Flags {
  std::vector<std::string> scenarios;
  std::vector<std::string> targets;
  std::optional<absl::Duration> duration;
  std::optional<absl::Duration> warmup;
  std::optional<absl::Duration> drain;
  std::optional<double> rate;
  bool unlimited = false;
  std::optional<uint64_t> seed;
  std::string out = "wharf-bench-results";
  absl::Duration ceiling = absl::Seconds(1);
  bool no_ceiling = false;
  bool quiet = false;
};

absl::Status ParseFlags(int argc, char** argv, int first, Flags* flags) {
  for (int i = first; i < argc; ++i) {
    std::string arg = argv[i];
    if (!absl::StartsWith(arg, "--")) {
      flags->scenarios.push_back(arg);
      continue;
    }
    size_t eq = arg.find('=');
    std::string name = arg.substr(0, eq);
    std::string value = eq == std::string::npos ? "" : arg.substr(eq + 1);
    auto need = [&]() -> absl::Status {
      if (eq == std::string::npos || value.empty()) {
        return absl::InvalidArgumentError(absl::StrCat(name, " needs =VALUE"));
      }
      return absl::OkStatus();
    };
    auto duration = [&](std::optional<absl::Duration>* out) -> absl::Status {
      if (absl::Status s = need(); !s.ok()) return s;
      *out = ParseDurationText(value);
      if (!*out) return absl::InvalidArgumentError(absl::StrCat(name, ": not a duration: ", value));
      return absl::OkStatus();
    };
    absl::Status status;
    if (name == "--target") {
      status = need();
      if (status.ok()) status = ParseTargetSpec(value).status();
      flags->targets.push_back(value);
    } else if (name == "--duration") {
      status = duration(&flags->duration);
      if (status.ok() && *flags->duration < absl::Milliseconds(100)) {
        status = absl::InvalidArgumentError("--duration must be at least 100ms");
      }
    } else if (name == "--warmup") {
      status = duration(&flags->warmup);
    } else if (name == "--drain") {
      status = duration(&flags->drain);
    } else if (name == "--ceiling") {
      std::optional<absl::Duration> d;
      status = duration(&d);
      if (status.ok()) flags->ceiling = *d;
    } else if (name == "--rate") {
      status = need();
      double rate = 0;
      if (status.ok() && value == "unlimited") {
        flags->unlimited = true;
      } else if (status.ok() && (!absl::SimpleAtod(value, &rate) || !(rate > 0) || rate > 1e7)) {
        status = absl::InvalidArgumentError(
            absl::StrCat("--rate: expected messages/s (up to 1e7) or unlimited, got ", value));
      } else {
        flags->rate = rate;
      }
    } else if (name == "--seed") {
      uint64_t seed = 0;
      status = need();
      if (status.ok() && !absl::SimpleAtoi(value, &seed)) {
        status = absl::InvalidArgumentError(absl::StrCat("--seed: not a number: ", value));
      }
      flags->seed = seed;
    } else if (name == "--out") {
      status = need();
      flags->out = value;
    } else if (name == "--no-ceiling") {
      flags->no_ceiling = true;
    } else if (name == "--quiet") {
      flags->quiet = true;
    } else if (name == "--help") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    } else {
      status = absl::InvalidArgumentError(absl::StrCat("unknown flag ", name));
    }
    if (!status.ok()) return status;
  }
  return absl::OkStatus();
}

// A file path, else a built-in scenario's name.
absl::StatusOr<Scenario> LoadScenario(const std::string& arg) {
  std::error_code ec;
  if (std::filesystem::is_regular_file(arg, ec)) return LoadScenarioFile(arg);
  if (const BuiltinScenario* builtin = FindBuiltinScenario(arg)) {
    return ParseScenario(builtin->yaml, absl::StrCat("builtin:", Absl(builtin->name), ".yaml"));
  }
  std::string names;
  for (const BuiltinScenario& s : BuiltinScenarios()) absl::StrAppend(&names, " ", Absl(s.name));
  return absl::NotFoundError(absl::StrCat(
      "no scenario file ", arg, " and no built-in scenario of that name (built-in:", names, ")"));
}

std::string FormatMs(int64_t ns) { return absl::StrFormat("%.3f ms", ns / 1e6); }

void PrintProgress(const Progress& p) {
  bool tty = isatty(STDERR_FILENO) != 0;
  std::string line = absl::StrFormat(
      "[%6.1fs/%gs %-7s] sent %8.0f/s  delivered %8.0f/s  backlog %7d  dlq %5d  p99 %s",
      p.elapsed_s, p.total_s, p.phase, p.sent_per_s, p.delivered_per_s, p.backlog, p.dlq,
      FormatMs(p.p99_ns));
  std::fprintf(stderr, tty ? "\r\033[K%s" : "%s\n", line.c_str());
  std::fflush(stderr);
}

void PrintSummary(const RunResult& r) {
  std::printf("%s\n", r.label.c_str());
  std::printf("  rate %s; measured %.1fs: sent %.0f/s, delivered %.0f/s (%lld refused)\n",
              r.rate.c_str(), r.duration_s, r.sent_per_s, r.delivered_per_s,
              static_cast<long long>(r.send_failed));
  std::printf("  latency (due -> %s): p50 %s  p90 %s  p99 %s  p99.9 %s  max %s\n",
              r.receipt_at.c_str(), FormatMs(r.receipt.p50).c_str(),
              FormatMs(r.receipt.p90).c_str(), FormatMs(r.receipt.p99).c_str(),
              FormatMs(r.receipt.p999).c_str(), FormatMs(r.receipt.max).c_str());
  std::printf(
      "  completion (due -> %s): p50 %s  p99 %s;  failed attempts %lld, "
      "redeliveries %lld\n",
      r.completion_at.c_str(), FormatMs(r.completion.p50).c_str(),
      FormatMs(r.completion.p99).c_str(), static_cast<long long>(r.failed),
      static_cast<long long>(r.redelivered));
  std::printf("  DLQ %lld, backlog at end %lld, CPU %.2f cores (%.1f s)",
              static_cast<long long>(r.dlq_end), static_cast<long long>(r.backlog_end), r.cpu_cores,
              r.cpu_seconds);
  if (r.fifo_order_violations > 0) {
    std::printf(", FIFO order violations %lld", static_cast<long long>(r.fifo_order_violations));
  }
  std::printf("\n");
  if (r.ceiling_per_s) {
    std::printf("  generator ceiling (noop target): %.0f messages/s\n", *r.ceiling_per_s);
  }
  for (const std::string& e : r.errors) std::printf("  error: %s\n", e.c_str());
}

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "wharf-bench: %s\n", std::string(status.message()).c_str());
  return 1;
}

std::string RandomPrefix() {
  std::random_device device;
  return absl::StrFormat("wb-%06x-", device() & 0xffffff);
}

int RunCommand(const Flags& flags, bool compare) {
  if (flags.scenarios.empty()) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  if (!compare && flags.scenarios.size() > 1) {
    std::fprintf(stderr, "wharf-bench: run takes one scenario (use compare for several)\n");
    return 2;
  }
  if (!compare && flags.targets.size() > 1) {
    std::fprintf(stderr, "wharf-bench: run takes one --target (use compare for several)\n");
    return 2;
  }
  std::vector<Scenario> scenarios;
  for (const std::string& arg : flags.scenarios) {
    absl::StatusOr<Scenario> s = LoadScenario(arg);
    if (!s.ok()) return Fail(s.status());
    if (flags.seed) s->seed = *flags.seed;
    scenarios.push_back(*std::move(s));
  }
  std::error_code ec;
  std::filesystem::create_directories(flags.out, ec);
  if (ec) {
    return Fail(absl::InternalError(absl::StrCat("cannot create ", flags.out, ": ", ec.message())));
  }

  struct sigaction action {};
  action.sa_handler = OnInterrupt;
  action.sa_flags = SA_RESETHAND;  // A second Ctrl-C ends the process.
  sigaction(SIGINT, &action, nullptr);

  RealClock clock;
  std::vector<RunResult> runs;
  for (const Scenario& scenario : scenarios) {
    std::vector<TargetSpec> targets;
    for (const std::string& t : flags.targets) targets.push_back(*ParseTargetSpec(t));
    if (targets.empty()) targets.push_back(scenario.target.value_or(TargetSpec()));
    std::optional<double> ceiling;
    if (!flags.no_ceiling) {
      absl::StatusOr<double> c = MeasureCeiling(scenario, clock, flags.ceiling);
      if (!c.ok()) return Fail(c.status());
      ceiling = *c;
    }
    for (const TargetSpec& spec : targets) {
      if (g_interrupted.load()) break;
      absl::StatusOr<std::unique_ptr<Target>> target = MakeTarget(spec, scenario);
      if (!target.ok()) return Fail(target.status());
      RunOptions options{.duration = flags.duration,
                         .warmup = flags.warmup,
                         .drain = flags.drain,
                         .rate = flags.rate,
                         .unlimited = flags.unlimited,
                         .consumers = true,
                         .prefix = RandomPrefix(),
                         .interval = absl::Seconds(1),
                         .drain_check = absl::Milliseconds(100),
                         .progress = nullptr,
                         .interrupt = &g_interrupted};
      if (!flags.quiet) options.progress = PrintProgress;
      std::fprintf(stderr, "wharf-bench: %s against %s\n", scenario.name.c_str(),
                   spec.Name().c_str());
      Runner runner(scenario, **target, clock, options);
      absl::StatusOr<RunResult> result = runner.Run();
      if (!flags.quiet && isatty(STDERR_FILENO)) std::fputs("\n", stderr);
      if (!result.ok()) return Fail(result.status());
      result->ceiling_per_s = ceiling;
      ceiling.reset();  // One ceiling row per scenario.
      PrintSummary(*result);
      runs.push_back(*std::move(result));
    }
  }
  std::string title =
      runs.size() == 1 ? runs.front().label : absl::StrCat("comparison of ", runs.size(), " runs");
  std::string dir = flags.out;
  for (absl::Status s :
       {WriteJson(runs, dir + "/results.json"), WriteCsv(runs, dir + "/results.csv"),
        WriteFile(dir + "/report.html", RenderReport(runs, title))}) {
    if (!s.ok()) return Fail(s);
  }
  std::printf("results: %s/results.json %s/results.csv %s/report.html\n", dir.c_str(), dir.c_str(),
              dir.c_str());
  return g_interrupted.load() ? 130 : 0;
}

int Main(int argc, char** argv) {
  if (argc < 2) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  std::string command = argv[1];
  if (command == "--help" || command == "help") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (command == "list") {
    for (const BuiltinScenario& b : BuiltinScenarios()) {
      absl::StatusOr<Scenario> s = ParseScenario(b.yaml, b.name);
      std::printf("%-24s %s\n", std::string(b.name).c_str(),
                  s.ok() ? s->description.c_str() : std::string(s.status().message()).c_str());
    }
    return 0;
  }
  if (command == "show") {
    const BuiltinScenario* b = argc == 3 ? FindBuiltinScenario(argv[2]) : nullptr;
    if (b == nullptr) {
      std::fprintf(stderr, "wharf-bench: show takes the name of a built-in scenario\n");
      return 2;
    }
    std::fwrite(b->yaml.data(), 1, b->yaml.size(), stdout);
    return 0;
  }
  if (command != "run" && command != "compare") {
    std::fprintf(stderr, "wharf-bench: unknown command %s\n%s", command.c_str(), kUsage);
    return 2;
  }
  Flags flags;
  if (absl::Status s = ParseFlags(argc, argv, 2, &flags); !s.ok()) {
    std::fprintf(stderr, "wharf-bench: %s\n", std::string(s.message()).c_str());
    return 2;
  }
  return RunCommand(flags, command == "compare");
}

}  // namespace
}  // namespace wharf::bench

int main(int argc, char** argv) { return wharf::bench::Main(argc, argv); }
