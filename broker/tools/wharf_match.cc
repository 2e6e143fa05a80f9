// wharf-match: runs a file of events against a file of patterns with
// wharf::Matcher and prints, per event, the ids of the matching patterns.
// See kUsage below (or --help) for the file formats and the summary line.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_join.h"
#include "broker/base/json.h"
#include "simdjson.h"
#include "wharf/pattern.h"

namespace {

constexpr std::string_view kUsage =
    R"(usage: wharf-match --patterns P.jsonl --events E.jsonl [options]

Matches every event against every pattern with wharf::Matcher (the compiled
EventBridge / SNS filter-policy matcher) and prints one line per event: the
sorted, de-duplicated ids of the matching patterns, separated by single
spaces (an empty line when none match).

  --patterns FILE   JSON lines: {"id": "...", "pattern": {...}}. "pattern" may
                    also be a string holding the pattern JSON (as the AWS APIs
                    take it).
  --events FILE     JSON lines, one event per line (blank lines are skipped).
                    eventbridge, sns-body: the event / message body JSON.
                    sns-attributes: the MessageAttributes map in JSON form,
                      {"store": {"Type": "String", "Value": "x"},
                       "n": {"Type": "Number", "Value": "5"},
                       "sizes": {"Type": "String.Array", "Value": "[\"s\",\"m\"]"}}
                      ("DataType" / "StringValue" are accepted as key names).
  --dialect D       eventbridge (default) | sns-attributes | sns-body
  --out FILE        write the match lines to FILE instead of stdout
  --warmup N        untimed matching passes over all events first (default 0)
  --repeat N        timed matching passes (default 1); output is from the first

stderr gets one summary line:
  patterns=<n> events=<n> add_s=<seconds to add and compile all patterns>
  matches=<(event, id) pairs in one pass> median_events_per_s=<median over the
  timed passes of events / pass time; matching only, loading excluded>
Invalid patterns are reported as "invalid pattern <id>: <reason>" and the tool
exits with status 1 without matching. Events that are not JSON are reported on
stderr and get an empty line.
)";

struct Args {
  std::string patterns, events, out;
  int repeat = 1, warmup = 0;
  wharf::PatternDialect dialect = wharf::PatternDialect::kEventBridge;
};

bool ParseArgs(int argc, char** argv, Args* args) {
  for (int i = 1; i < argc; ++i) {
    std::string_view flag = argv[i];
    if (flag == "--help" || flag == "-h") {
      std::cout << kUsage;
      std::exit(0);
    }
    if (i + 1 >= argc) {
      std::cerr << "missing value for " << flag << "\n";
      return false;
    }
    std::string value = argv[++i];
    if (flag == "--patterns") {
      args->patterns = value;
    } else if (flag == "--events") {
      args->events = value;
    } else if (flag == "--out") {
      args->out = value;
    } else if (flag == "--repeat" || flag == "--warmup") {
      int n;
      if (!absl::SimpleAtoi(value, &n) || n < (flag == "--repeat" ? 1 : 0)) {
        std::cerr << "bad value for " << flag << ": " << value << "\n";
        return false;
      }
      (flag == "--repeat" ? args->repeat : args->warmup) = n;
    } else if (flag == "--dialect") {
      if (value == "eventbridge") {
        args->dialect = wharf::PatternDialect::kEventBridge;
      } else if (value == "sns-attributes") {
        args->dialect = wharf::PatternDialect::kSnsMessageAttributes;
      } else if (value == "sns-body") {
        args->dialect = wharf::PatternDialect::kSnsMessageBody;
      } else {
        std::cerr << "unknown dialect " << value << "\n";
        return false;
      }
    } else {
      std::cerr << "unknown flag " << flag << "\n";
      return false;
    }
  }
  if (args->patterns.empty() || args->events.empty()) {
    std::cerr << "--patterns and --events are required (see --help)\n";
    return false;
  }
  return true;
}

bool ReadLines(const std::string& path, std::vector<std::string>* lines) {
  std::ifstream in(path);
  if (!in) {
    std::cerr << "cannot open " << path << "\n";
    return false;
  }
  std::string line;
  while (std::getline(in, line)) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    lines->push_back(line);
  }
  return true;
}

double Seconds(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  if (!ParseArgs(argc, argv, &args)) return 2;
  std::vector<std::string> pattern_lines, events;
  if (!ReadLines(args.patterns, &pattern_lines) || !ReadLines(args.events, &events)) return 2;

  // Decode the pattern lines before timing: add_s covers Add and Compile.
  std::vector<std::pair<std::string, std::string>> patterns;
  simdjson::dom::parser parser;
  bool bad_input = false;
  for (size_t i = 0; i < pattern_lines.size(); ++i) {
    simdjson::dom::element line;
    std::string_view id;
    simdjson::dom::element pattern;
    if (wharf::base_internal::ParseJson(parser, pattern_lines[i], &line) != simdjson::SUCCESS ||
        line["id"].get(id) != simdjson::SUCCESS ||
        line["pattern"].get(pattern) != simdjson::SUCCESS) {
      std::cerr << args.patterns << ":" << i + 1 << ": expected {\"id\": ..., \"pattern\": ...}\n";
      bad_input = true;
      continue;
    }
    std::string text =
        pattern.is_string() ? std::string(std::string_view(pattern)) : simdjson::minify(pattern);
    patterns.emplace_back(std::string(id), std::move(text));
  }
  if (bad_input) return 1;

  auto created = wharf::Matcher::Create(args.dialect);
  if (!created.ok()) {
    std::cerr << created.status() << "\n";
    return 1;
  }
  std::unique_ptr<wharf::Matcher> matcher = std::move(created).value();
  auto add_start = std::chrono::steady_clock::now();
  for (const auto& [id, text] : patterns) {
    absl::Status s = matcher->Add(id, text);
    if (!s.ok()) {
      std::cerr << "invalid pattern " << id << ": " << s.message() << "\n";
      bad_input = true;
    }
  }
  matcher->Compile();
  const double add_s = Seconds(std::chrono::steady_clock::now() - add_start);
  if (bad_input) return 1;

  std::vector<std::vector<std::string>> results(events.size());
  for (size_t i = 0; i < events.size(); ++i) {
    auto ids = matcher->MatchJson(events[i]);
    if (!ids.ok()) {
      std::cerr << args.events << ": event " << i + 1 << ": " << ids.status().message() << "\n";
      continue;
    }
    results[i] = std::move(ids).value();
  }
  size_t matches = 0;
  for (const auto& r : results) matches += r.size();

  size_t sink = 0;
  auto pass = [&] {
    for (const std::string& e : events) {
      auto ids = matcher->MatchJson(e);
      if (ids.ok()) sink += ids->size();
    }
  };
  for (int w = 0; w < args.warmup; ++w) pass();
  std::vector<double> rates;
  for (int r = 0; r < args.repeat; ++r) {
    auto start = std::chrono::steady_clock::now();
    pass();
    double s = Seconds(std::chrono::steady_clock::now() - start);
    rates.push_back(s > 0 ? static_cast<double>(events.size()) / s : 0);
  }
  std::sort(rates.begin(), rates.end());
  const double median = rates.size() % 2 == 1
                            ? rates[rates.size() / 2]
                            : (rates[rates.size() / 2 - 1] + rates[rates.size() / 2]) / 2;

  std::ofstream file;
  if (!args.out.empty()) {
    file.open(args.out);
    if (!file) {
      std::cerr << "cannot write " << args.out << "\n";
      return 2;
    }
  }
  std::ostream& out = args.out.empty() ? std::cout : file;
  for (const auto& r : results) out << absl::StrJoin(r, " ") << "\n";
  out.flush();

  char summary[256];
  std::snprintf(summary, sizeof(summary),
                "patterns=%zu events=%zu add_s=%.6f matches=%zu median_events_per_s=%.1f\n",
                patterns.size(), events.size(), add_s, matches, median);
  std::cerr << summary;
  return sink == static_cast<size_t>(-1) ? 3 : 0;  // Keeps the timed passes observable.
}
