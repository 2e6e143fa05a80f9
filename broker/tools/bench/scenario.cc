#include "broker/tools/bench/scenario.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <set>
#include <span>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "broker/tools/bench/text.h"
#include "broker/topic/envelope.h"

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

// ---- The parser -------------------------------------------------------------------

namespace {

using Keys = std::initializer_list<absl::string_view>;

constexpr size_t kMaxDocumentBytes = 256 << 10;  // A filter policy or pattern (AWS: 256 KB).
constexpr size_t kMaxExpandedBytes = 16 << 20;   // All of them, after "{i}" expansion.

std::string Quote(absl::string_view s) {
  std::string shown(s.substr(0, 60));
  if (s.size() > 60) shown += "...";
  return absl::StrCat("\"", absl::CEscape(shown), "\"");
}

bool MatchGlob(absl::string_view pattern, absl::string_view name) {
  size_t star = pattern.find('*');
  if (star == absl::string_view::npos) return pattern == name;
  absl::string_view head = pattern.substr(0, star);
  if (!absl::StartsWith(name, head)) return false;
  pattern.remove_prefix(star + 1);
  name.remove_prefix(head.size());
  // Try every split point for the rest (patterns are short).
  for (size_t i = 0; i <= name.size(); ++i) {
    if (MatchGlob(pattern, name.substr(i))) return true;
  }
  return false;
}

bool LooksLikeJsonNumber(absl::string_view s) {
  size_t i = 0;
  if (i < s.size() && s[i] == '-') ++i;
  if (i >= s.size() || !absl::ascii_isdigit(s[i])) return false;
  if (s[i] == '0' && i + 1 < s.size() && absl::ascii_isdigit(s[i + 1])) return false;
  while (i < s.size() && absl::ascii_isdigit(s[i])) ++i;
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (i >= s.size() || !absl::ascii_isdigit(s[i])) return false;
    while (i < s.size() && absl::ascii_isdigit(s[i])) ++i;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (i >= s.size() || !absl::ascii_isdigit(s[i])) return false;
    while (i < s.size() && absl::ascii_isdigit(s[i])) ++i;
  }
  return i == s.size();
}

class Parser {
 public:
  explicit Parser(absl::string_view file) : file_(file) {}

  const absl::Status& status() const { return status_; }
  bool ok() const { return status_.ok(); }

  void Fail(const YAML::Mark& mark, absl::string_view path, absl::string_view message) {
    if (!status_.ok()) return;
    std::string where = file_;
    if (!mark.is_null()) absl::StrAppend(&where, ":", mark.line + 1, ":", mark.column + 1);
    status_ =
        absl::InvalidArgumentError(path.empty() ? absl::StrCat(where, ": ", message)
                                                : absl::StrCat(where, ": ", path, ": ", message));
  }
  void Fail(const YAML::Node& at, absl::string_view path, absl::string_view message) {
    Fail(at.Mark(), path, message);
  }
  // At the start of (1-based) `line`.
  void FailAtLine(int line, absl::string_view path, absl::string_view message) {
    if (!status_.ok()) return;
    status_ =
        absl::InvalidArgumentError(absl::StrCat(file_, ":", line, ":1: ", path, ": ", message));
  }

  // Checks that `node` is a map with unique keys, all in `allowed`.
  bool Map(const YAML::Node& node, absl::string_view path, Keys allowed) {
    if (!ok()) return false;
    if (!node.IsMap()) {
      Fail(node, path, "expected a map of fields");
      return false;
    }
    std::set<std::string> seen;
    for (auto it = node.begin(); it != node.end(); ++it) {
      const std::string& key = it->first.Scalar();
      std::string field = path.empty() ? key : absl::StrCat(path, ".", key);
      if (!seen.insert(key).second) {
        Fail(it->first, field, "duplicate field");
        return false;
      }
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
        std::vector<absl::string_view> names(allowed);
        Fail(it->first, field,
             absl::StrCat("unknown field; expected one of: ", absl::StrJoin(names, ", ")));
        return false;
      }
    }
    return true;
  }

  // The value of `key` in the map `node`, or an undefined node.
  static YAML::Node Get(const YAML::Node& node, absl::string_view key) {
    for (auto it = node.begin(); it != node.end(); ++it) {
      if (it->first.Scalar() == key) return it->second;
    }
    return YAML::Node(YAML::NodeType::Undefined);
  }

  YAML::Node Require(const YAML::Node& map, absl::string_view path, absl::string_view key) {
    YAML::Node v = Get(map, key);
    if (!v.IsDefined()) Fail(map, path, absl::StrCat("missing field \"", key, "\""));
    return v;
  }

  std::string Str(const YAML::Node& node, absl::string_view path) {
    if (!ok()) return "";
    if (!node.IsScalar()) {
      Fail(node, path, "expected a string");
      return "";
    }
    return node.Scalar();
  }

  std::string Name(const YAML::Node& node, absl::string_view path) {
    std::string s = Str(node, path);
    if (ok() && (s.empty() || s.size() > 256)) {
      Fail(node, path, "expected a name of 1-256 characters");
    }
    return s;
  }

  int64_t Int(const YAML::Node& node, absl::string_view path, int64_t min, int64_t max) {
    if (!ok()) return min;
    int64_t v = 0;
    if (!node.IsScalar() || !absl::SimpleAtoi(node.Scalar(), &v)) {
      Fail(node, path, absl::StrCat("expected an integer, got ", Shown(node)));
      return min;
    }
    if (v < min || v > max) {
      Fail(node, path, absl::StrCat("must be between ", min, " and ", max, ", got ", v));
      return min;
    }
    return v;
  }

  double Real(const YAML::Node& node, absl::string_view path, double min, double max) {
    if (!ok()) return min;
    double v = 0;
    if (!node.IsScalar() || !absl::SimpleAtod(node.Scalar(), &v) || !std::isfinite(v)) {
      Fail(node, path, absl::StrCat("expected a number, got ", Shown(node)));
      return min;
    }
    if (v < min || v > max) {
      Fail(node, path,
           absl::StrCat("must be between ", min, " and ", max, ", got ", node.Scalar()));
      return min;
    }
    return v;
  }

  bool Bool(const YAML::Node& node, absl::string_view path) {
    if (!ok()) return false;
    if (node.IsScalar()) {
      std::string s = absl::AsciiStrToLower(node.Scalar());
      if (s == "true" || s == "yes") return true;
      if (s == "false" || s == "no") return false;
    }
    Fail(node, path, absl::StrCat("expected true or false, got ", Shown(node)));
    return false;
  }

  absl::Duration Duration(const YAML::Node& node, absl::string_view path, absl::Duration min,
                          absl::Duration max) {
    if (!ok()) return min;
    std::optional<absl::Duration> d;
    if (node.IsScalar()) d = ParseDurationText(node.Scalar());
    if (!d) {
      Fail(node, path,
           absl::StrCat("expected a duration such as 10s, 250ms or 1.5 (seconds), got ",
                        Shown(node)));
      return min;
    }
    if (*d < min || *d > max) {
      Fail(node, path,
           absl::StrCat("must be between ", absl::FormatDuration(min), " and ",
                        absl::FormatDuration(max), ", got ", node.Scalar()));
      return min;
    }
    return *d;
  }

  // Bytes: 512, "4KiB", "1 MiB", "2KB".
  double Bytes(const YAML::Node& node, absl::string_view path, double max) {
    if (!ok()) return 0;
    std::optional<double> v;
    if (node.IsScalar()) v = ParseBytes(node.Scalar());
    if (!v) {
      Fail(node, path,
           absl::StrCat("expected a size such as 512, 4KiB or 1MiB, got ", Shown(node)));
      return 0;
    }
    if (*v < 0 || *v > max) {
      Fail(node, path,
           absl::StrCat("must be between 0 and ", static_cast<int64_t>(max), " bytes, got ",
                        node.Scalar()));
      return 0;
    }
    return *v;
  }

  // A Distribution of sizes (unit "B") or durations (unit "ns").
  Distribution Dist(const YAML::Node& node, absl::string_view path, absl::string_view unit,
                    double max) {
    auto amount = [&](const YAML::Node& n, absl::string_view p) {
      return unit == "B" ? Bytes(n, p, max)
                         : absl::ToDoubleNanoseconds(
                               Duration(n, p, absl::ZeroDuration(), absl::Nanoseconds(max)));
    };
    Distribution d;
    if (!ok()) return d;
    if (node.IsScalar()) return Distribution::Fixed(amount(node, path));
    if (!node.IsMap() || node.size() == 0) {
      Fail(node, path,
           "expected a value or one of {fixed: X}, {uniform: [A, B]}, {exponential: MEAN}, "
           "{normal: [MEAN, STDDEV]}, {weighted: {X: W, ...}}");
      return d;
    }
    if (!Map(node, path, {"fixed", "uniform", "exponential", "max", "normal", "weighted"})) {
      return d;
    }
    std::string kind = node.begin()->first.Scalar();
    if (node.size() > 1 && !(node.size() == 2 && Get(node, "exponential").IsDefined() &&
                             Get(node, "max").IsDefined())) {
      Fail(node, path, "expected exactly one distribution (max goes with exponential only)");
      return d;
    }
    if (kind == "max") kind = "exponential";
    std::string sub = absl::StrCat(path, ".", kind);
    YAML::Node v = Get(node, kind);
    if (kind == "fixed") return Distribution::Fixed(amount(v, sub));
    if (kind == "uniform" || kind == "normal") {
      if (!v.IsSequence() || v.size() != 2) {
        Fail(v, sub, kind == "uniform" ? "expected [LOW, HIGH]" : "expected [MEAN, STDDEV]");
        return d;
      }
      d.kind = kind == "uniform" ? Distribution::Kind::kUniform : Distribution::Kind::kNormal;
      d.a = amount(v[0], absl::StrCat(sub, "[0]"));
      d.b = amount(v[1], absl::StrCat(sub, "[1]"));
      if (ok() && d.kind == Distribution::Kind::kUniform && d.b < d.a) {
        Fail(v, sub, "the high bound is below the low bound");
      }
      return d;
    }
    if (kind == "exponential") {
      d.kind = Distribution::Kind::kExponential;
      d.a = amount(v, sub);
      YAML::Node cap = Get(node, "max");
      if (cap.IsDefined()) d.b = amount(cap, absl::StrCat(path, ".max"));
      return d;
    }
    // weighted
    if (!v.IsMap() || v.size() == 0) {
      Fail(v, sub, "expected a map of value: weight");
      return d;
    }
    d.kind = Distribution::Kind::kWeighted;
    double total = 0;
    for (auto it = v.begin(); it != v.end(); ++it) {
      double value = amount(it->first, sub);
      double weight = Real(it->second, absl::StrCat(sub, ".", it->first.Scalar()), 0, 1e12);
      total += weight;
      d.weighted.emplace_back(value, total);
    }
    if (ok() && total <= 0) Fail(v, sub, "the weights add up to 0");
    for (auto& entry : d.weighted) entry.second /= total;
    return d;
  }

  // A JSON document: a YAML map or sequence converted, or a string taken as is.
  std::string Json(const YAML::Node& node, absl::string_view path) {
    if (!ok()) return "";
    std::string out = node.IsScalar() ? node.Scalar() : "";
    if (!node.IsScalar()) AppendJson(node, path, 0, &out);
    if (ok() && out.size() > kMaxDocumentBytes) {
      // Aliases can make a small file a huge document (a "billion laughs").
      Fail(node, path, absl::StrCat("the document is larger than ", kMaxDocumentBytes, " bytes"));
    }
    return out;
  }

  // Counts `bytes` of expanded filters and patterns against the scenario's budget.
  void Charge(const YAML::Node& at, absl::string_view path, size_t bytes) {
    expanded_bytes_ += bytes;
    if (ok() && expanded_bytes_ > kMaxExpandedBytes) {
      Fail(at, path,
           absl::StrCat("the scenario's filters and patterns expand to more than ",
                        kMaxExpandedBytes, " bytes"));
    }
  }

  // A list of names: a scalar or a sequence of scalars.
  std::vector<std::string> Names(const YAML::Node& node, absl::string_view path) {
    std::vector<std::string> out;
    if (!ok()) return out;
    if (node.IsScalar()) {
      out.push_back(Name(node, path));
      return out;
    }
    if (!node.IsSequence() || node.size() == 0) {
      Fail(node, path, "expected a name or a list of names");
      return out;
    }
    for (size_t i = 0; i < node.size(); ++i) {
      out.push_back(Name(node[i], absl::StrCat(path, "[", i, "]")));
    }
    return out;
  }

  // String-to-string attributes (queue or topic attributes).
  std::map<std::string, std::string> Attributes(const YAML::Node& node, absl::string_view path) {
    std::map<std::string, std::string> out;
    if (!ok()) return out;
    if (!node.IsMap()) {
      Fail(node, path, "expected a map of attribute: value");
      return out;
    }
    std::set<std::string> seen;
    for (auto it = node.begin(); it != node.end(); ++it) {
      std::string key = it->first.Scalar();
      std::string sub = absl::StrCat(path, ".", key);
      if (!seen.insert(key).second) {
        Fail(it->first, sub, "duplicate field");
        return out;
      }
      out[key] = it->second.IsScalar() ? it->second.Scalar() : Json(it->second, sub);
    }
    return out;
  }

  // The sequence at `node`, or an error.
  bool Seq(const YAML::Node& node, absl::string_view path) {
    if (!ok()) return false;
    if (!node.IsSequence()) {
      Fail(node, path, "expected a list");
      return false;
    }
    return true;
  }

  // Reads `count` (default 1) and checks the expansion budget.
  int Count(const YAML::Node& map, absl::string_view path) {
    YAML::Node n = Get(map, "count");
    if (!n.IsDefined()) return 1;
    int count = static_cast<int>(Int(n, absl::StrCat(path, ".count"), 1, kMaxExpandedEntries));
    expanded_ += count;
    if (ok() && expanded_ > kMaxExpandedEntries) {
      Fail(n, absl::StrCat(path, ".count"),
           absl::StrCat("the scenario expands to more than ", kMaxExpandedEntries, " entries"));
    }
    return count;
  }

 private:
  static std::string Shown(const YAML::Node& node) {
    if (node.IsScalar()) return Quote(node.Scalar());
    if (node.IsMap()) return "a map";
    if (node.IsSequence()) return "a list";
    return "nothing";
  }

  static std::optional<double> ParseBytes(absl::string_view text) {
    text = absl::StripAsciiWhitespace(text);
    size_t end = 0;
    while (end < text.size() && (absl::ascii_isdigit(text[end]) || text[end] == '.')) ++end;
    double v = 0;
    if (!absl::SimpleAtod(text.substr(0, end), &v)) return std::nullopt;
    std::string unit = absl::AsciiStrToLower(absl::StripAsciiWhitespace(text.substr(end)));
    static const std::map<std::string, double> kUnits = {
        {"", 1},     {"b", 1},         {"kb", 1e3}, {"kib", 1024},
        {"mb", 1e6}, {"mib", 1 << 20}, {"k", 1024}, {"m", 1 << 20}};
    auto it = kUnits.find(unit);
    if (it == kUnits.end()) return std::nullopt;
    return std::round(v * it->second);
  }

  void AppendJson(const YAML::Node& node, absl::string_view path, int depth, std::string* out) {
    if (!ok() || out->size() > kMaxDocumentBytes) return;
    if (depth > 32) {
      Fail(node, path, "nested more than 32 levels");
      return;
    }
    if (node.IsMap()) {
      out->push_back('{');
      bool first = true;
      for (auto it = node.begin(); it != node.end(); ++it) {
        if (!first) out->push_back(',');
        first = false;
        topic_internal::AppendJsonString(out, it->first.Scalar());
        out->push_back(':');
        AppendJson(it->second, path, depth + 1, out);
      }
      out->push_back('}');
    } else if (node.IsSequence()) {
      out->push_back('[');
      for (size_t i = 0; i < node.size(); ++i) {
        if (i > 0) out->push_back(',');
        AppendJson(node[i], path, depth + 1, out);
      }
      out->push_back(']');
    } else if (node.IsScalar()) {
      const std::string& s = node.Scalar();
      // Plain (unquoted) scalars that read as JSON literals stay literals.
      bool plain = node.Tag() == "?";
      if (plain && (LooksLikeJsonNumber(s) || s == "true" || s == "false" || s == "null")) {
        out->append(s);
      } else {
        topic_internal::AppendJsonString(out, s);
      }
    } else {
      out->append("null");
    }
  }

  std::string file_;
  absl::Status status_;
  int expanded_ = 0;
  size_t expanded_bytes_ = 0;
};

std::string Expand(absl::string_view text, int i) {
  return absl::StrReplaceAll(text, {{"{i}", absl::StrCat(i)}});
}

constexpr int kMaxThreads = 256;

// The harness threads a consumer runs (a mapping's run on the broker).
int64_t ReceiveThreads(const ConsumerSpec& c) {
  if (c.type != ConsumerType::kReceive) return 0;
  return static_cast<int64_t>(c.count) * static_cast<int64_t>(c.queues.size());
}

constexpr double kMaxMessageBytes = 1 << 20;

class ScenarioReader {
 public:
  ScenarioReader(absl::string_view file) : p_(file) { scenario_.file = std::string(file); }

  absl::StatusOr<Scenario> Read(const YAML::Node& root) {
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

 private:
  void ReadLimits(const YAML::Node& n) {
    if (!p_.Map(n, "limits", {"max_rules_per_event_bus"})) return;
    if (YAML::Node v = Parser::Get(n, "max_rules_per_event_bus"); v.IsDefined()) {
      scenario_.limits.max_rules_per_event_bus =
          static_cast<int>(p_.Int(v, "limits.max_rules_per_event_bus", 1, kMaxExpandedEntries));
    }
  }

  // A declared queue by name, or an error at `at`.
  bool CheckQueue(const std::string& name, const YAML::Node& at, absl::string_view path) {
    if (!p_.ok()) return false;
    if (declared_queues_.count(name) == 0) {
      p_.Fail(at, path, absl::StrCat("no queue ", Quote(name), " is declared under queues"));
      return false;
    }
    return true;
  }

  void ReadQueues(const YAML::Node& list) {
    if (!p_.Seq(list, "queues")) return;
    // Names first, so that a dead-letter queue may be declared after its user.
    std::vector<int> counts;
    for (size_t i = 0; i < list.size() && p_.ok(); ++i) {
      std::string path = absl::StrCat("queues[", i, "]");
      if (!p_.Map(list[i], path, {"name", "count", "attributes", "dead_letter"})) return;
      std::string name = p_.Name(p_.Require(list[i], path, "name"), path + ".name");
      counts.push_back(p_.Count(list[i], path));
      for (int k = 0; k < counts.back() && p_.ok(); ++k) {
        std::string expanded = Expand(name, k);
        if (!declared_queues_.insert(expanded).second) {
          p_.Fail(Parser::Get(list[i], "name"), path + ".name",
                  absl::StrCat("queue ", Quote(expanded), " is declared twice"));
        }
        declared_queue_order_.push_back(expanded);
      }
    }
    for (size_t i = 0; i < list.size() && p_.ok(); ++i) {
      const YAML::Node& q = list[i];
      std::string path = absl::StrCat("queues[", i, "]");
      std::string name = Parser::Get(q, "name").Scalar();
      int count = counts[i];
      std::map<std::string, std::string> attributes;
      if (YAML::Node a = Parser::Get(q, "attributes"); a.IsDefined()) {
        attributes = p_.Attributes(a, path + ".attributes");
        for (const char* managed : {"FifoQueue", "RedrivePolicy"}) {
          if (attributes.count(managed) != 0) {
            p_.Fail(a, path + ".attributes." + managed,
                    absl::StrCat(managed,
                                 " is set by the harness (from the .fifo suffix and "
                                 "dead_letter); remove it"));
          }
        }
      }
      std::optional<DeadLetterSpec> dead_letter;
      YAML::Node dl = Parser::Get(q, "dead_letter");
      if (dl.IsDefined() && p_.Map(dl, path + ".dead_letter", {"queue", "max_receive_count"})) {
        dead_letter.emplace();
        dead_letter->queue =
            p_.Name(p_.Require(dl, path + ".dead_letter", "queue"), path + ".dead_letter.queue");
        if (YAML::Node m = Parser::Get(dl, "max_receive_count"); m.IsDefined()) {
          dead_letter->max_receive_count =
              static_cast<int>(p_.Int(m, path + ".dead_letter.max_receive_count", 1, 1000));
        }
      }
      for (int k = 0; k < count && p_.ok(); ++k) {
        QueueSpec spec;
        spec.name = Expand(name, k);
        spec.fifo = absl::EndsWith(spec.name, ".fifo");
        spec.attributes = attributes;
        spec.line = q.Mark().line + 1;
        if (dead_letter) {
          spec.dead_letter = dead_letter;
          spec.dead_letter->queue = Expand(dead_letter->queue, k);
          if (!CheckQueue(spec.dead_letter->queue, Parser::Get(dl, "queue"),
                          path + ".dead_letter.queue")) {
            return;
          }
          if (spec.dead_letter->queue == spec.name) {
            p_.Fail(Parser::Get(dl, "queue"), path + ".dead_letter.queue",
                    "a queue cannot be its own dead-letter queue");
            return;
          }
        }
        scenario_.queues.push_back(std::move(spec));
      }
    }
  }

  void ReadTopics(const YAML::Node& list) {
    if (!p_.Seq(list, "topics")) return;
    for (size_t i = 0; i < list.size() && p_.ok(); ++i) {
      const YAML::Node& t = list[i];
      std::string path = absl::StrCat("topics[", i, "]");
      if (!p_.Map(t, path, {"name", "count", "attributes", "subscriptions"})) return;
      std::string name = p_.Name(p_.Require(t, path, "name"), path + ".name");
      int count = p_.Count(t, path);
      std::map<std::string, std::string> attributes;
      if (YAML::Node a = Parser::Get(t, "attributes"); a.IsDefined()) {
        attributes = p_.Attributes(a, path + ".attributes");
      }
      for (int k = 0; k < count && p_.ok(); ++k) {
        TopicSpec spec;
        spec.name = Expand(name, k);
        spec.fifo = absl::EndsWith(spec.name, ".fifo");
        spec.attributes = attributes;
        if (spec.fifo) spec.attributes["FifoTopic"] = "true";
        spec.line = t.Mark().line + 1;
        if (scenario_.TopicIndex(spec.name) >= 0) {
          p_.Fail(Parser::Get(t, "name"), path + ".name",
                  absl::StrCat("topic ", Quote(spec.name), " is declared twice"));
          return;
        }
        if (YAML::Node subs = Parser::Get(t, "subscriptions"); subs.IsDefined()) {
          ReadSubscriptions(subs, path + ".subscriptions", k, &spec);
        }
        scenario_.topics.push_back(std::move(spec));
      }
    }
  }

  void ReadSubscriptions(const YAML::Node& list, const std::string& path, int outer,
                         TopicSpec* topic) {
    if (!p_.Seq(list, path)) return;
    for (size_t i = 0; i < list.size() && p_.ok(); ++i) {
      const YAML::Node& s = list[i];
      std::string sub = absl::StrCat(path, "[", i, "]");
      if (!p_.Map(s, sub, {"queue", "count", "filter", "filter_scope", "raw"})) return;
      std::string queue = p_.Name(p_.Require(s, sub, "queue"), sub + ".queue");
      int count = p_.Count(s, sub);
      std::string filter;
      if (YAML::Node f = Parser::Get(s, "filter"); f.IsDefined()) {
        filter = p_.Json(f, sub + ".filter");
      }
      std::string scope;
      if (YAML::Node f = Parser::Get(s, "filter_scope"); f.IsDefined()) {
        scope = p_.Str(f, sub + ".filter_scope");
        if (p_.ok() && scope != "MessageAttributes" && scope != "MessageBody") {
          p_.Fail(f, sub + ".filter_scope", "expected MessageAttributes or MessageBody");
        }
      }
      bool raw = true;
      if (YAML::Node r = Parser::Get(s, "raw"); r.IsDefined()) raw = p_.Bool(r, sub + ".raw");
      for (int k = 0; k < count && p_.ok(); ++k) {
        // "{i}" counts the subscription when it repeats, else the topic.
        int i_value = count > 1 ? k : outer;
        SubscriptionSpec spec{.queue = Expand(queue, i_value),
                              .filter_policy = Expand(filter, i_value),
                              .filter_scope = scope,
                              .raw = raw,
                              .line = s.Mark().line + 1};
        if (!CheckQueue(spec.queue, Parser::Get(s, "queue"), sub + ".queue")) return;
        p_.Charge(s, sub, spec.filter_policy.size());
        topic->subscriptions.push_back(std::move(spec));
      }
    }
  }

  void ReadBuses(const YAML::Node& list) {
    if (!p_.Seq(list, "buses")) return;
    for (size_t i = 0; i < list.size() && p_.ok(); ++i) {
      const YAML::Node& b = list[i];
      std::string path = absl::StrCat("buses[", i, "]");
      if (!p_.Map(b, path, {"name", "rules"})) return;
      BusSpec bus;
      bus.name = p_.Name(p_.Require(b, path, "name"), path + ".name");
      bus.line = b.Mark().line + 1;
      if (p_.ok() && scenario_.BusIndex(bus.name) >= 0) {
        p_.Fail(Parser::Get(b, "name"), path + ".name",
                absl::StrCat("bus ", Quote(bus.name), " is declared twice"));
        return;
      }
      if (YAML::Node rules = Parser::Get(b, "rules"); rules.IsDefined()) {
        ReadRules(rules, path + ".rules", &bus);
      }
      if (p_.ok() &&
          static_cast<int>(bus.rules.size()) > scenario_.limits.max_rules_per_event_bus) {
        p_.Fail(b, path,
                absl::StrCat("bus ", Quote(bus.name), " has ", bus.rules.size(),
                             " rules, more than limits.max_rules_per_event_bus (",
                             scenario_.limits.max_rules_per_event_bus,
                             "); raise the limit (an adjustable quota on AWS, 300 by default)"));
      }
      scenario_.buses.push_back(std::move(bus));
    }
  }

  void ReadRules(const YAML::Node& list, const std::string& path, BusSpec* bus) {
    if (!p_.Seq(list, path)) return;
    std::set<std::string> names;
    for (size_t i = 0; i < list.size() && p_.ok(); ++i) {
      const YAML::Node& r = list[i];
      std::string sub = absl::StrCat(path, "[", i, "]");
      if (!p_.Map(r, sub, {"name", "count", "pattern", "targets", "message_group_id"})) return;
      std::string name = p_.Name(p_.Require(r, sub, "name"), sub + ".name");
      int count = p_.Count(r, sub);
      std::string pattern = p_.Json(p_.Require(r, sub, "pattern"), sub + ".pattern");
      YAML::Node targets_node = p_.Require(r, sub, "targets");
      std::vector<std::string> targets = p_.Names(targets_node, sub + ".targets");
      if (p_.ok() && targets.size() > 5) {
        p_.Fail(targets_node, sub + ".targets", "a rule has at most 5 targets");
      }
      std::string group;
      if (YAML::Node g = Parser::Get(r, "message_group_id"); g.IsDefined()) {
        group = p_.Name(g, sub + ".message_group_id");
      }
      for (int k = 0; k < count && p_.ok(); ++k) {
        RuleSpec rule{.name = Expand(name, k),
                      .pattern = Expand(pattern, k),
                      .target_queues = {},
                      .message_group_id = Expand(group, k),
                      .line = r.Mark().line + 1};
        if (!names.insert(rule.name).second) {
          p_.Fail(Parser::Get(r, "name"), sub + ".name",
                  absl::StrCat("rule ", Quote(rule.name), " is declared twice on this bus"));
          return;
        }
        p_.Charge(r, sub, rule.pattern.size());
        for (const std::string& t : targets) {
          rule.target_queues.push_back(Expand(t, k));
          if (!CheckQueue(rule.target_queues.back(), targets_node, sub + ".targets")) return;
        }
        bus->rules.push_back(std::move(rule));
      }
    }
  }

  void ReadAttributes(const YAML::Node& list, const std::string& path, LoadSpec* load) {
    if (!p_.Seq(list, path)) return;
    for (size_t i = 0; i < list.size() && p_.ok(); ++i) {
      const YAML::Node& a = list[i];
      std::string sub = absl::StrCat(path, "[", i, "]");
      if (!p_.Map(a, sub, {"name", "type", "present", "values", "format", "range"})) return;
      AttributeSpec spec;
      spec.line = a.Mark().line + 1;
      spec.name = p_.Name(p_.Require(a, sub, "name"), sub + ".name");
      if (YAML::Node t = Parser::Get(a, "type"); t.IsDefined()) {
        std::string type = p_.Str(t, sub + ".type");
        if (p_.ok() && type != "String" && type != "Number") {
          p_.Fail(t, sub + ".type", "expected String or Number");
        }
        spec.number = type == "Number";
      }
      if (YAML::Node v = Parser::Get(a, "present"); v.IsDefined()) {
        spec.present = p_.Real(v, sub + ".present", 0, 1);
      }
      YAML::Node values = Parser::Get(a, "values");
      YAML::Node range = Parser::Get(a, "range");
      if (values.IsDefined() == range.IsDefined()) {
        p_.Fail(a, sub, "expected either values (a map of value: weight) or range (with format)");
        return;
      }
      if (values.IsDefined()) {
        if (Parser::Get(a, "format").IsDefined()) {
          p_.Fail(Parser::Get(a, "format"), sub + ".format", "format goes with range, not values");
          return;
        }
        if (!values.IsMap() || values.size() == 0) {
          p_.Fail(values, sub + ".values", "expected a map of value: weight");
          return;
        }
        double total = 0;
        for (auto it = values.begin(); it != values.end(); ++it) {
          std::string value = it->first.Scalar();
          total += p_.Real(it->second, absl::StrCat(sub, ".values.", value), 0, 1e12);
          if (p_.ok() && spec.number && !LooksLikeJsonNumber(value)) {
            p_.Fail(it->first, sub + ".values", absl::StrCat(Quote(value), " is not a number"));
          }
          spec.values.emplace_back(value, total);
        }
        if (p_.ok() && total <= 0) p_.Fail(values, sub + ".values", "the weights add up to 0");
        for (auto& v : spec.values) v.second /= total;
      } else {
        spec.range = p_.Int(range, sub + ".range", 1, int64_t{1} << 40);
        if (YAML::Node f = Parser::Get(a, "format"); f.IsDefined()) {
          spec.format = p_.Str(f, sub + ".format");
          if (p_.ok() && !absl::StrContains(spec.format, "{n}")) {
            p_.Fail(f, sub + ".format", "expected a format containing {n}");
          }
          if (p_.ok() && spec.number && spec.format != "{n}") {
            p_.Fail(f, sub + ".format", "a Number attribute takes no format");
          }
        }
      }
      load->attributes.push_back(std::move(spec));
    }
  }

  void ReadLoads(const YAML::Node& list) {
    if (!p_.Seq(list, "load")) return;
    if (p_.ok() && list.size() == 0) p_.Fail(list, "load", "expected at least one load");
    for (size_t i = 0; i < list.size() && p_.ok(); ++i) {
      const YAML::Node& l = list[i];
      std::string path = absl::StrCat("load[", i, "]");
      if (!p_.Map(l, path,
                  {"queue", "topic", "bus", "producers", "rate", "batch", "size", "groups",
                   "source", "detail_type", "attributes"})) {
        return;
      }
      LoadSpec load;
      load.line = l.Mark().line + 1;
      int destinations = 0;
      for (auto [key, kind] :
           {std::pair{"queue", DestinationKind::kQueue},
            std::pair{"topic", DestinationKind::kTopic}, std::pair{"bus", DestinationKind::kBus}}) {
        YAML::Node d = Parser::Get(l, key);
        if (!d.IsDefined()) continue;
        ++destinations;
        load.kind = kind;
        load.destination = p_.Name(d, absl::StrCat(path, ".", key));
        if (!p_.ok()) return;
        bool known = kind == DestinationKind::kQueue   ? declared_queues_.count(load.destination)
                     : kind == DestinationKind::kTopic ? scenario_.TopicIndex(load.destination) >= 0
                                                       : scenario_.BusIndex(load.destination) >= 0;
        if (!known) {
          p_.Fail(d, absl::StrCat(path, ".", key),
                  absl::StrCat("no ", key, " ", Quote(load.destination), " is declared under ", key,
                               key == absl::string_view("bus") ? "es" : "s"));
          return;
        }
      }
      if (destinations != 1) {
        p_.Fail(l, path, "expected exactly one destination: queue, topic or bus");
        return;
      }
      if (YAML::Node n = Parser::Get(l, "producers"); n.IsDefined()) {
        load.producers = static_cast<int>(p_.Int(n, path + ".producers", 1, kMaxThreads));
      }
      if (YAML::Node n = Parser::Get(l, "rate"); n.IsDefined()) {
        if (n.IsScalar() && n.Scalar() == "unlimited") {
          load.rate.reset();
        } else {
          double rate = 0;
          if (!n.IsScalar() || !absl::SimpleAtod(n.Scalar(), &rate) || !(rate > 0) || rate > 1e7) {
            p_.Fail(n, path + ".rate",
                    absl::StrCat("expected messages per second (0 < rate <= 10000000) or "
                                 "\"unlimited\", got ",
                                 n.IsScalar() ? Quote(n.Scalar()) : "a collection"));
            return;
          }
          load.rate = rate;
        }
      } else {
        p_.Fail(l, path, "missing field \"rate\" (messages per second, or unlimited)");
        return;
      }
      if (YAML::Node n = Parser::Get(l, "batch"); n.IsDefined()) {
        load.batch = static_cast<int>(p_.Int(n, path + ".batch", 1, 10));
      }
      if (YAML::Node n = Parser::Get(l, "size"); n.IsDefined()) {
        load.size = p_.Dist(n, path + ".size", "B", kMaxMessageBytes);
      }
      bool fifo = load.kind != DestinationKind::kBus && absl::EndsWith(load.destination, ".fifo");
      if (YAML::Node n = Parser::Get(l, "groups"); n.IsDefined()) {
        load.groups = static_cast<int>(p_.Int(n, path + ".groups", 1, 1000000));
        if (p_.ok() && !fifo) {
          p_.Fail(n, path + ".groups", "message groups apply to FIFO queues and topics only");
        }
      }
      if (p_.ok() && fifo && load.groups < load.producers) {
        // Each group belongs to one producer so that its order is defined.
        p_.Fail(l, path,
                absl::StrCat("a FIFO load needs at least as many groups (", load.groups,
                             ") as producers (", load.producers, ")"));
      }
      for (auto [key, field] :
           {std::pair{"source", &load.source}, std::pair{"detail_type", &load.detail_type}}) {
        YAML::Node n = Parser::Get(l, key);
        if (!n.IsDefined()) continue;
        *field = p_.Name(n, absl::StrCat(path, ".", key));
        if (p_.ok() && load.kind != DestinationKind::kBus) {
          p_.Fail(n, absl::StrCat(path, ".", key), "applies to a bus load only");
        }
      }
      if (YAML::Node n = Parser::Get(l, "attributes"); n.IsDefined()) {
        ReadAttributes(n, path + ".attributes", &load);
        if (p_.ok() && load.kind != DestinationKind::kBus && load.attributes.size() > 10) {
          p_.Fail(n, path + ".attributes", "SQS and SNS messages carry at most 10 attributes");
        }
      }
      scenario_.loads.push_back(std::move(load));
    }
  }

  void ReadConsumers(const YAML::Node& list) {
    if (!p_.Seq(list, "consumers")) return;
    for (size_t i = 0; i < list.size() && p_.ok(); ++i) {
      const YAML::Node& c = list[i];
      std::string path = absl::StrCat("consumers[", i, "]");
      if (!p_.Map(c, path,
                  {"queue", "type", "count", "batch", "wait", "visibility_timeout", "processing",
                   "failure", "poison", "retry_delay", "window", "concurrency"})) {
        return;
      }
      ConsumerSpec spec;
      spec.line = c.Mark().line + 1;
      if (YAML::Node t = Parser::Get(c, "type"); t.IsDefined()) {
        std::string type = p_.Str(t, path + ".type");
        const ConsumerTypeInfo* info = nullptr;
        std::vector<absl::string_view> names;
        for (const ConsumerTypeInfo& candidate : ConsumerTypes()) {
          names.push_back(Absl(candidate.name));
          if (candidate.name == type) info = &candidate;
        }
        if (!p_.ok()) return;
        if (info == nullptr) {
          p_.Fail(t, path + ".type",
                  absl::StrCat("unknown consumer type ", Quote(type),
                               "; expected one of: ", absl::StrJoin(names, ", ")));
          return;
        }
        spec.type = info->type;
      }
      YAML::Node queue = p_.Require(c, path, "queue");
      for (const std::string& pattern : p_.Names(queue, path + ".queue")) {
        size_t before = spec.queues.size();
        for (const std::string& name : declared_queue_order_) {
          if (MatchGlob(pattern, name)) spec.queues.push_back(name);
        }
        if (p_.ok() && spec.queues.size() == before) {
          p_.Fail(queue, path + ".queue",
                  absl::StrCat("no declared queue matches ", Quote(pattern)));
          return;
        }
      }
      const bool mapping = spec.type == ConsumerType::kMapping;
      // Fields of the other kind of consumer.
      static constexpr std::string_view kReceiveOnly[] = {"count", "wait", "visibility_timeout",
                                                          "retry_delay"};
      static constexpr std::string_view kMappingOnly[] = {"window", "concurrency"};
      for (std::string_view key : mapping ? std::span<const std::string_view>(kReceiveOnly)
                                          : std::span<const std::string_view>(kMappingOnly)) {
        if (YAML::Node n = Parser::Get(c, Absl(key)); n.IsDefined()) {
          p_.Fail(n, absl::StrCat(path, ".", Absl(key)),
                  mapping ? "applies to receive loops only: a mapping runs up to its concurrency "
                            "batches at once and a failed record comes back after the queue's "
                            "visibility timeout"
                          : "applies to type: mapping only");
          return;
        }
      }
      if (YAML::Node n = Parser::Get(c, "count"); n.IsDefined()) {
        spec.count = static_cast<int>(p_.Int(n, path + ".count", 1, kMaxThreads));
      }
      YAML::Node batch = Parser::Get(c, "batch");
      if (batch.IsDefined()) {
        spec.batch = static_cast<int>(p_.Int(batch, path + ".batch", 1, mapping ? 10000 : 10));
      }
      YAML::Node window = Parser::Get(c, "window");
      if (window.IsDefined()) {
        spec.window_seconds = static_cast<int>(p_.Int(window, path + ".window", 0, 300));
      }
      if (YAML::Node n = Parser::Get(c, "concurrency"); n.IsDefined()) {
        spec.concurrency = static_cast<int>(p_.Int(n, path + ".concurrency", 2, 1000));
      }
      if (mapping && p_.ok()) {
        // AWS's rules for BatchSize and MaximumBatchingWindowInSeconds.
        if (spec.batch > 10 && spec.window_seconds == 0) {
          p_.Fail(batch, path + ".batch",
                  "a mapping's batch above 10 needs a window above 0 "
                  "(MaximumBatchingWindowInSeconds)");
          return;
        }
        for (const std::string& name : spec.queues) {
          if (!name.ends_with(".fifo")) continue;
          if (spec.batch > 10) {
            p_.Fail(batch, path + ".batch",
                    absl::StrCat("at most 10 for FIFO queue ", Quote(name)));
            return;
          }
          if (spec.window_seconds > 0) {
            p_.Fail(window, path + ".window",
                    absl::StrCat("FIFO queue ", Quote(name), " takes no batching window"));
            return;
          }
        }
      }
      if (YAML::Node n = Parser::Get(c, "wait"); n.IsDefined()) {
        spec.wait = p_.Duration(n, path + ".wait", absl::ZeroDuration(), absl::Seconds(20));
        if (p_.ok() && spec.wait != absl::Seconds(absl::ToInt64Seconds(spec.wait))) {
          p_.Fail(n, path + ".wait", "WaitTimeSeconds is a whole number of seconds");
        }
      }
      if (YAML::Node n = Parser::Get(c, "visibility_timeout"); n.IsDefined()) {
        spec.visibility_timeout =
            static_cast<int>(p_.Int(n, path + ".visibility_timeout", 0, 43200));
      }
      if (YAML::Node n = Parser::Get(c, "processing"); n.IsDefined()) {
        spec.processing = p_.Dist(n, path + ".processing", "ns", 3600e9);
      }
      if (YAML::Node n = Parser::Get(c, "failure"); n.IsDefined()) {
        spec.failure = p_.Real(n, path + ".failure", 0, 1);
      }
      if (YAML::Node n = Parser::Get(c, "poison"); n.IsDefined()) {
        spec.poison = p_.Real(n, path + ".poison", 0, 1);
      }
      if (YAML::Node n = Parser::Get(c, "retry_delay"); n.IsDefined()) {
        spec.retry_delay =
            p_.Duration(n, path + ".retry_delay", absl::ZeroDuration(), absl::Hours(12));
        if (p_.ok() &&
            *spec.retry_delay != absl::Seconds(absl::ToInt64Seconds(*spec.retry_delay))) {
          p_.Fail(n, path + ".retry_delay", "a visibility timeout is a whole number of seconds");
        }
      }
      int64_t threads = 0;
      for (const ConsumerSpec& other : scenario_.consumers) {
        threads += ReceiveThreads(other);
      }
      threads += ReceiveThreads(spec);
      if (p_.ok() && threads > 4 * kMaxThreads) {
        p_.Fail(
            c, path,
            absl::StrCat("the consumers need ", threads, " threads, more than ", 4 * kMaxThreads));
      }
      scenario_.consumers.push_back(std::move(spec));
    }
  }

  // Moves each dead-letter queue (and its own, recursively) just before its
  // first user; otherwise keeps file order.
  void OrderQueues() {
    std::vector<QueueSpec> ordered;
    std::vector<int> state(scenario_.queues.size(), 0);  // 0 new, 1 placing, 2 placed.
    std::function<bool(int)> place = [&](int i) {
      if (state[i] == 2) return true;
      const QueueSpec& q = scenario_.queues[i];
      if (state[i] == 1) {
        p_.FailAtLine(
            q.line, "queues",
            absl::StrCat("dead_letter references form a cycle (queue ", Quote(q.name), ")"));
        return false;
      }
      state[i] = 1;
      if (q.dead_letter && !place(scenario_.QueueIndex(q.dead_letter->queue))) return false;
      state[i] = 2;
      ordered.push_back(q);
      return true;
    };
    for (size_t i = 0; i < scenario_.queues.size(); ++i) {
      if (!place(static_cast<int>(i))) return;
    }
    scenario_.queues = std::move(ordered);
  }

  Parser p_;
  Scenario scenario_;
  std::set<std::string> declared_queues_;
  std::vector<std::string> declared_queue_order_;  // File order, for consumer globs.
};

}  // namespace

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
    ScenarioReader reader(file);
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
