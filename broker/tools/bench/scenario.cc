#include "broker/tools/bench/scenario.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "broker/tools/bench/scenario_internal.h"
#include "broker/tools/bench/text.h"

namespace wharf::bench {

// ---- Distribution -------------------------------------------------------------

double Distribution::Sample(std::mt19937_64& rng) const {
  switch (kind) {
    case Kind::kFixed:
      return a;
    case Kind::kUniform:
      return std::uniform_real_distribution<double>(a, b)(rng);
    case Kind::kExponential: {
      double v = a <= 0 ? 0 : std::exponential_distribution<double>(1 / a)(rng);
      return b > 0 ? std::min(v, b) : v;
    }
    case Kind::kNormal:
      return std::max(0.0, std::normal_distribution<double>(a, b)(rng));
    case Kind::kWeighted: {
      double u = std::uniform_real_distribution<double>(0, 1)(rng);
      for (const auto& [value, cumulative] : weighted) {
        if (u < cumulative) return value;
      }
      return weighted.empty() ? 0 : weighted.back().first;
    }
  }
  return a;
}

double Distribution::Mean() const {
  switch (kind) {
    case Kind::kFixed:
      return a;
    case Kind::kUniform:
      return (a + b) / 2;
    case Kind::kExponential:
      // Capping lowers the mean: E[min(X, b)] = a (1 - e^(-b/a)).
      return b > 0 && a > 0 ? a * (1 - std::exp(-b / a)) : a;
    case Kind::kNormal:
      return std::max(0.0, a);
    case Kind::kWeighted: {
      double mean = 0;
      double previous = 0;
      for (const auto& [value, cumulative] : weighted) {
        mean += value * (cumulative - previous);
        previous = cumulative;
      }
      return mean;
    }
  }
  return a;
}

namespace {

std::string FormatAmount(double v, std::string_view unit) {
  if (unit == "ns") {
    if (v >= 1e9) return absl::StrFormat("%gs", v / 1e9);
    if (v >= 1e6) return absl::StrFormat("%gms", v / 1e6);
    if (v >= 1e3) return absl::StrFormat("%gus", v / 1e3);
    return absl::StrFormat("%gns", v);
  }
  if (v >= 1 << 20 && std::fmod(v, 1 << 20) == 0) return absl::StrFormat("%g MiB", v / (1 << 20));
  if (v >= 1024 && std::fmod(v, 1024) == 0) return absl::StrFormat("%g KiB", v / 1024);
  return absl::StrFormat("%g B", v);
}

}  // namespace

std::string Distribution::ToString(std::string_view unit) const {
  switch (kind) {
    case Kind::kFixed:
      return FormatAmount(a, unit);
    case Kind::kUniform:
      return absl::StrCat("uniform ", FormatAmount(a, unit), "..", FormatAmount(b, unit));
    case Kind::kExponential:
      return absl::StrCat("exponential, mean ", FormatAmount(a, unit),
                          b > 0 ? absl::StrCat(", max ", FormatAmount(b, unit)) : "");
    case Kind::kNormal:
      return absl::StrCat("normal ", FormatAmount(a, unit), " +- ", FormatAmount(b, unit));
    case Kind::kWeighted: {
      std::vector<std::string> parts;
      double previous = 0;
      for (const auto& [value, cumulative] : weighted) {
        parts.push_back(
            absl::StrFormat("%s %.0f%%", FormatAmount(value, unit), 100 * (cumulative - previous)));
        previous = cumulative;
      }
      return absl::StrCat("weighted ", absl::StrJoin(parts, ", "));
    }
  }
  return "";
}

// ---- Scenario lookups -----------------------------------------------------------

namespace {

template <typename T>
int IndexByName(const std::vector<T>& items, std::string_view name) {
  for (size_t i = 0; i < items.size(); ++i) {
    if (items[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace

int Scenario::QueueIndex(std::string_view name) const { return IndexByName(queues, name); }
int Scenario::TopicIndex(std::string_view name) const { return IndexByName(topics, name); }
int Scenario::BusIndex(std::string_view name) const { return IndexByName(buses, name); }

std::vector<int> Scenario::DeadLetterQueues() const {
  std::set<int> out;
  for (const QueueSpec& q : queues) {
    if (q.dead_letter) out.insert(QueueIndex(q.dead_letter->queue));
  }
  return {out.begin(), out.end()};
}

std::vector<int> Scenario::ConsumedQueues() const {
  std::set<int> out;
  for (const ConsumerSpec& c : consumers) {
    for (const std::string& q : c.queues) out.insert(QueueIndex(q));
  }
  return {out.begin(), out.end()};
}

const std::vector<ConsumerTypeInfo>& ConsumerTypes() {
  static const std::vector<ConsumerTypeInfo> kTypes = {
      {ConsumerType::kReceive, "receive"},
      {ConsumerType::kMapping, "mapping"},
  };
  return kTypes;
}

std::optional<absl::Duration> ParseDurationText(std::string_view input) {
  absl::string_view text = absl::StripAsciiWhitespace(Absl(input));
  double seconds = 0;
  if (absl::SimpleAtod(text, &seconds)) {
    if (!std::isfinite(seconds) || seconds < 0 || seconds > 1e9) return std::nullopt;
    return absl::Seconds(seconds);
  }
  std::string normalized = absl::StrReplaceAll(text, {{"µs", "us"}});
  absl::Duration d;
  if (!absl::ParseDuration(normalized, &d) || d < absl::ZeroDuration() ||
      d == absl::InfiniteDuration()) {
    return std::nullopt;
  }
  return d;
}

// ---- The reader --------------------------------------------------------------------
// The top-level fields here; the sections in scenario_topology.cc and
// scenario_load.cc, the field reads in scenario_parser.cc.

namespace scenario_internal {

absl::StatusOr<Scenario> ScenarioReader::Read(const YAML::Node& root) {
  if (!p_.Map(root, "",
              {"name", "description", "duration", "warmup", "drain", "seed", "target", "limits",
               "queues", "topics", "buses", "load", "consumers"})) {
    return p_.status();
  }
  scenario_.name = p_.Name(p_.Require(root, "", "name"), "name");
  if (YAML::Node n = Parser::Get(root, "description"); n.IsDefined()) {
    scenario_.description = p_.Str(n, "description");
  }
  if (YAML::Node n = Parser::Get(root, "duration"); n.IsDefined()) {
    scenario_.duration = p_.Duration(n, "duration", absl::Milliseconds(100), absl::Hours(24));
  }
  if (YAML::Node n = Parser::Get(root, "warmup"); n.IsDefined()) {
    scenario_.warmup = p_.Duration(n, "warmup", absl::ZeroDuration(), absl::Hours(1));
  }
  if (YAML::Node n = Parser::Get(root, "drain"); n.IsDefined()) {
    scenario_.drain = p_.Duration(n, "drain", absl::ZeroDuration(), absl::Hours(1));
  }
  if (YAML::Node n = Parser::Get(root, "seed"); n.IsDefined()) {
    scenario_.seed = static_cast<uint64_t>(p_.Int(n, "seed", 0, INT64_MAX));
  }
  if (YAML::Node n = Parser::Get(root, "target"); n.IsDefined()) {
    std::string text = p_.Str(n, "target");
    if (p_.ok()) {
      absl::StatusOr<TargetSpec> target = ParseTargetSpec(text);
      if (!target.ok()) {
        p_.Fail(n, "target", target.status().message());
      } else {
        scenario_.target = *target;
      }
    }
  }
  if (YAML::Node n = Parser::Get(root, "limits"); n.IsDefined()) ReadLimits(n);
  if (YAML::Node n = Parser::Get(root, "queues"); n.IsDefined()) ReadQueues(n);
  if (YAML::Node n = Parser::Get(root, "topics"); n.IsDefined()) ReadTopics(n);
  if (YAML::Node n = Parser::Get(root, "buses"); n.IsDefined()) ReadBuses(n);
  YAML::Node load = p_.Require(root, "", "load");
  ReadLoads(load);
  if (YAML::Node n = Parser::Get(root, "consumers"); n.IsDefined()) ReadConsumers(n);
  if (p_.ok()) OrderQueues();
  if (!p_.ok()) return p_.status();
  return std::move(scenario_);
}

}  // namespace scenario_internal

absl::StatusOr<Scenario> ParseScenario(std::string_view yaml_text, std::string_view file_name) {
  absl::string_view yaml = Absl(yaml_text);
  absl::string_view file = Absl(file_name);
  if (yaml.size() > kMaxScenarioBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(file, ": the scenario is larger than ", kMaxScenarioBytes, " bytes"));
  }
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::ParserException& e) {
    return absl::InvalidArgumentError(
        absl::StrCat(file, ":", e.mark.line + 1, ":", e.mark.column + 1, ": ", e.msg));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat(file, ": ", e.what()));
  }
  try {
    scenario_internal::ScenarioReader reader(file);
    return reader.Read(root);
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat(file, ": ", e.what()));
  }
}

absl::StatusOr<Scenario> LoadScenarioFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open scenario file ", path));
  std::string text;
  char buffer[65536];
  while (in.read(buffer, sizeof(buffer)) || in.gcount() > 0) {
    text.append(buffer, static_cast<size_t>(in.gcount()));
    if (text.size() > kMaxScenarioBytes) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": the scenario is larger than ", kMaxScenarioBytes, " bytes"));
    }
  }
  return ParseScenario(text, path);
}

}  // namespace wharf::bench
