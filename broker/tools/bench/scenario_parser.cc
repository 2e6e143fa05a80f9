// Parser (scenario_internal.h): typed, bounded reads of a scenario's YAML
// fields, and the JSON a filter or pattern written in YAML becomes.
// Thread safety: a Parser is used by one thread.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "broker/tools/bench/scenario_internal.h"
#include "broker/topic/envelope.h"

namespace wharf::bench::scenario_internal {
namespace {

constexpr size_t kMaxDocumentBytes = 256 << 10;  // A filter policy or pattern (AWS: 256 KB).
constexpr size_t kMaxExpandedBytes = 16 << 20;   // All of them, after "{i}" expansion.

}  // namespace

std::string Quote(absl::string_view s) {
  std::string shown(s.substr(0, 60));
  if (s.size() > 60) shown += "...";
  return absl::StrCat("\"", absl::CEscape(shown), "\"");
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

void Parser::Fail(const YAML::Mark& mark, absl::string_view path, absl::string_view message) {
  if (!status_.ok()) return;
  std::string where = file_;
  if (!mark.is_null()) absl::StrAppend(&where, ":", mark.line + 1, ":", mark.column + 1);
  status_ =
      absl::InvalidArgumentError(path.empty() ? absl::StrCat(where, ": ", message)
                                              : absl::StrCat(where, ": ", path, ": ", message));
}

void Parser::Fail(const YAML::Node& at, absl::string_view path, absl::string_view message) {
  Fail(at.Mark(), path, message);
}

void Parser::FailAtLine(int line, absl::string_view path, absl::string_view message) {
  if (!status_.ok()) return;
  status_ = absl::InvalidArgumentError(absl::StrCat(file_, ":", line, ":1: ", path, ": ", message));
}

bool Parser::Map(const YAML::Node& node, absl::string_view path, Keys allowed) {
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

YAML::Node Parser::Get(const YAML::Node& node, absl::string_view key) {
  for (auto it = node.begin(); it != node.end(); ++it) {
    if (it->first.Scalar() == key) return it->second;
  }
  return YAML::Node(YAML::NodeType::Undefined);
}

YAML::Node Parser::Require(const YAML::Node& map, absl::string_view path, absl::string_view key) {
  YAML::Node v = Get(map, key);
  if (!v.IsDefined()) Fail(map, path, absl::StrCat("missing field \"", key, "\""));
  return v;
}

std::string Parser::Str(const YAML::Node& node, absl::string_view path) {
  if (!ok()) return "";
  if (!node.IsScalar()) {
    Fail(node, path, "expected a string");
    return "";
  }
  return node.Scalar();
}

std::string Parser::Name(const YAML::Node& node, absl::string_view path) {
  std::string s = Str(node, path);
  if (ok() && (s.empty() || s.size() > 256)) {
    Fail(node, path, "expected a name of 1-256 characters");
  }
  return s;
}

int64_t Parser::Int(const YAML::Node& node, absl::string_view path, int64_t min, int64_t max) {
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

double Parser::Real(const YAML::Node& node, absl::string_view path, double min, double max) {
  if (!ok()) return min;
  double v = 0;
  if (!node.IsScalar() || !absl::SimpleAtod(node.Scalar(), &v) || !std::isfinite(v)) {
    Fail(node, path, absl::StrCat("expected a number, got ", Shown(node)));
    return min;
  }
  if (v < min || v > max) {
    Fail(node, path, absl::StrCat("must be between ", min, " and ", max, ", got ", node.Scalar()));
    return min;
  }
  return v;
}

bool Parser::Bool(const YAML::Node& node, absl::string_view path) {
  if (!ok()) return false;
  if (node.IsScalar()) {
    std::string s = absl::AsciiStrToLower(node.Scalar());
    if (s == "true" || s == "yes") return true;
    if (s == "false" || s == "no") return false;
  }
  Fail(node, path, absl::StrCat("expected true or false, got ", Shown(node)));
  return false;
}

absl::Duration Parser::Duration(const YAML::Node& node, absl::string_view path, absl::Duration min,
                                absl::Duration max) {
  if (!ok()) return min;
  std::optional<absl::Duration> d;
  if (node.IsScalar()) d = ParseDurationText(node.Scalar());
  if (!d) {
    Fail(
        node, path,
        absl::StrCat("expected a duration such as 10s, 250ms or 1.5 (seconds), got ", Shown(node)));
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

double Parser::Bytes(const YAML::Node& node, absl::string_view path, double max) {
  if (!ok()) return 0;
  std::optional<double> v;
  if (node.IsScalar()) v = ParseBytes(node.Scalar());
  if (!v) {
    Fail(node, path, absl::StrCat("expected a size such as 512, 4KiB or 1MiB, got ", Shown(node)));
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

Distribution Parser::Dist(const YAML::Node& node, absl::string_view path, absl::string_view unit,
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
  if (node.size() > 1 &&
      !(node.size() == 2 && Get(node, "exponential").IsDefined() && Get(node, "max").IsDefined())) {
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

std::string Parser::Json(const YAML::Node& node, absl::string_view path) {
  if (!ok()) return "";
  std::string out = node.IsScalar() ? node.Scalar() : "";
  if (!node.IsScalar()) AppendJson(node, path, 0, &out);
  if (ok() && out.size() > kMaxDocumentBytes) {
    // Aliases can make a small file a huge document (a "billion laughs").
    Fail(node, path, absl::StrCat("the document is larger than ", kMaxDocumentBytes, " bytes"));
  }
  return out;
}

void Parser::Charge(const YAML::Node& at, absl::string_view path, size_t bytes) {
  expanded_bytes_ += bytes;
  if (ok() && expanded_bytes_ > kMaxExpandedBytes) {
    Fail(at, path,
         absl::StrCat("the scenario's filters and patterns expand to more than ", kMaxExpandedBytes,
                      " bytes"));
  }
}

std::vector<std::string> Parser::Names(const YAML::Node& node, absl::string_view path) {
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

std::map<std::string, std::string> Parser::Attributes(const YAML::Node& node,
                                                      absl::string_view path) {
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

bool Parser::Seq(const YAML::Node& node, absl::string_view path) {
  if (!ok()) return false;
  if (!node.IsSequence()) {
    Fail(node, path, "expected a list");
    return false;
  }
  return true;
}

int Parser::Count(const YAML::Node& map, absl::string_view path) {
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

std::string Parser::Shown(const YAML::Node& node) {
  if (node.IsScalar()) return Quote(node.Scalar());
  if (node.IsMap()) return "a map";
  if (node.IsSequence()) return "a list";
  return "nothing";
}

std::optional<double> Parser::ParseBytes(absl::string_view text) {
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

void Parser::AppendJson(const YAML::Node& node, absl::string_view path, int depth,
                        std::string* out) {
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

}  // namespace wharf::bench::scenario_internal
