// The insides of ParseScenario (scenario.h), shared by scenario.cc (the
// top-level fields, the entry points), scenario_parser.cc (Parser: typed,
// bounded reads of YAML fields), scenario_topology.cc (queues, topics,
// buses) and scenario_load.cc (load and consumers).
// Thread safety: a Parser and a ScenarioReader are used by one thread, for
// one file.

#ifndef WHARF_BROKER_TOOLS_BENCH_SCENARIO_INTERNAL_H_
#define WHARF_BROKER_TOOLS_BENCH_SCENARIO_INTERNAL_H_

#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "broker/tools/bench/scenario.h"

namespace wharf::bench::scenario_internal {

using Keys = std::initializer_list<absl::string_view>;

// `s` quoted and escaped for an error message, cut after 60 characters.
std::string Quote(absl::string_view s);
// Whether `s` is a number as JSON spells it.
bool LooksLikeJsonNumber(absl::string_view s);

// Reads the fields of one scenario file, checking type and range. Keeps the
// first error (file:line:column: path: message) and drops later ones; once
// there is one, the typed reads return defaults. Also keeps the file's
// budgets ("{i}" expansion, bytes of filters and patterns).
class Parser {
 public:
  explicit Parser(absl::string_view file) : file_(file) {}

  const absl::Status& status() const { return status_; }
  bool ok() const { return status_.ok(); }

  void Fail(const YAML::Mark& mark, absl::string_view path, absl::string_view message);
  void Fail(const YAML::Node& at, absl::string_view path, absl::string_view message);
  // At the start of (1-based) `line`.
  void FailAtLine(int line, absl::string_view path, absl::string_view message);

  // Checks that `node` is a map with unique keys, all in `allowed`.
  bool Map(const YAML::Node& node, absl::string_view path, Keys allowed);

  // The value of `key` in the map `node`, or an undefined node.
  static YAML::Node Get(const YAML::Node& node, absl::string_view key);

  YAML::Node Require(const YAML::Node& map, absl::string_view path, absl::string_view key);

  std::string Str(const YAML::Node& node, absl::string_view path);

  std::string Name(const YAML::Node& node, absl::string_view path);

  int64_t Int(const YAML::Node& node, absl::string_view path, int64_t min, int64_t max);

  double Real(const YAML::Node& node, absl::string_view path, double min, double max);

  bool Bool(const YAML::Node& node, absl::string_view path);

  absl::Duration Duration(const YAML::Node& node, absl::string_view path, absl::Duration min,
                          absl::Duration max);

  // Bytes: 512, "4KiB", "1 MiB", "2KB".
  double Bytes(const YAML::Node& node, absl::string_view path, double max);

  // A Distribution of sizes (unit "B") or durations (unit "ns").
  Distribution Dist(const YAML::Node& node, absl::string_view path, absl::string_view unit,
                    double max);

  // A JSON document: a YAML map or sequence converted, or a string taken as is.
  std::string Json(const YAML::Node& node, absl::string_view path);

  // Counts `bytes` of expanded filters and patterns against the scenario's budget.
  void Charge(const YAML::Node& at, absl::string_view path, size_t bytes);

  // A list of names: a scalar or a sequence of scalars.
  std::vector<std::string> Names(const YAML::Node& node, absl::string_view path);

  // String-to-string attributes (queue or topic attributes).
  std::map<std::string, std::string> Attributes(const YAML::Node& node, absl::string_view path);

  // The sequence at `node`, or an error.
  bool Seq(const YAML::Node& node, absl::string_view path);

  // Reads `count` (default 1) and checks the expansion budget.
  int Count(const YAML::Node& map, absl::string_view path);

 private:
  static std::string Shown(const YAML::Node& node);

  static std::optional<double> ParseBytes(absl::string_view text);

  void AppendJson(const YAML::Node& node, absl::string_view path, int depth, std::string* out);

  std::string file_;
  absl::Status status_;
  int expanded_ = 0;
  size_t expanded_bytes_ = 0;
};

// Reads a whole scenario, section by section, checking every reference.
class ScenarioReader {
 public:
  ScenarioReader(absl::string_view file) : p_(file) { scenario_.file = std::string(file); }

  absl::StatusOr<Scenario> Read(const YAML::Node& root);

 private:
  // scenario_topology.cc
  void ReadLimits(const YAML::Node& n);

  // A declared queue by name, or an error at `at`.
  bool CheckQueue(const std::string& name, const YAML::Node& at, absl::string_view path);

  void ReadQueues(const YAML::Node& list);

  void ReadTopics(const YAML::Node& list);

  void ReadSubscriptions(const YAML::Node& list, const std::string& path, int outer,
                         TopicSpec* topic);

  void ReadBuses(const YAML::Node& list);

  void ReadRules(const YAML::Node& list, const std::string& path, BusSpec* bus);

  // Moves each dead-letter queue (and its own, recursively) just before its
  // first user; otherwise keeps file order.
  void OrderQueues();

  // scenario_load.cc
  void ReadAttributes(const YAML::Node& list, const std::string& path, LoadSpec* load);

  void ReadLoads(const YAML::Node& list);

  void ReadConsumers(const YAML::Node& list);

  Parser p_;
  Scenario scenario_;
  std::set<std::string> declared_queues_;
  std::vector<std::string> declared_queue_order_;  // File order, for consumer globs.
};

}  // namespace wharf::bench::scenario_internal

#endif  // WHARF_BROKER_TOOLS_BENCH_SCENARIO_INTERNAL_H_
