#include "tests/testing/reference_matcher.h"

#include <arpa/inet.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "rapidjson/document.h"

namespace wharf::testing {
namespace {

using rapidjson::Value;

enum class Kind { kString, kNumber, kTrue, kFalse, kNull };

struct RefLeaf {
  std::string path;
  Kind kind;
  std::string text;
  double number = 0;
  std::vector<std::pair<int, int>> trail;  // (array id, index), root first.
};

struct Flattener {
  std::vector<RefLeaf> leaves;
  int arrays = 0;

  void Add(const std::string& path, const Value& v, std::vector<std::pair<int, int>>* trail) {
    if (v.IsObject()) {
      for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) {
        std::string key(it->name.GetString(), it->name.GetStringLength());
        Add(path.empty() ? key : path + "." + key, it->value, trail);
      }
    } else if (v.IsArray()) {
      int id = arrays++;
      for (rapidjson::SizeType i = 0; i < v.Size(); ++i) {
        trail->push_back({id, static_cast<int>(i)});
        Add(path, v[i], trail);
        trail->pop_back();
      }
    } else {
      RefLeaf leaf{path, Kind::kNull, "", 0, *trail};
      if (v.IsString()) {
        leaf.kind = Kind::kString;
        leaf.text.assign(v.GetString(), v.GetStringLength());
      } else if (v.IsNumber()) {
        leaf.kind = Kind::kNumber;
        leaf.number = v.GetDouble();
      } else if (v.IsBool()) {
        leaf.kind = v.GetBool() ? Kind::kTrue : Kind::kFalse;
      }
      leaves.push_back(std::move(leaf));
    }
  }
};

std::string Str(const Value& v) { return std::string(v.GetString(), v.GetStringLength()); }

std::string Lower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

bool InRange(double x) { return std::isfinite(x) && std::fabs(x) <= 5e9; }

long long Scaled(double x) { return std::llroundl(static_cast<long double>(x) * 1000000.0L); }

bool NumberEquals(double a, double b) {
  if (InRange(a) && InRange(b)) return Scaled(a) == Scaled(b);
  return a == b;
}

// -1, 0, 1 comparing leaf number x with an in-range bound b at 6 decimals.
int Compare(double x, double b) {
  if (x > 5e9) return 1;
  if (x < -5e9) return -1;
  long long sx = Scaled(x), sb = Scaled(b);
  return sx < sb ? -1 : (sx > sb ? 1 : 0);
}

// Glob with '*' and the escapes \* and \\, by plain recursion.
bool Glob(const std::string& p, size_t i, const std::string& s, size_t j) {
  if (i == p.size()) return j == s.size();
  if (p[i] == '*') {
    for (size_t k = j; k <= s.size(); ++k) {
      if (Glob(p, i + 1, s, k)) return true;
    }
    return false;
  }
  char literal = p[i];
  size_t step = 1;
  if (literal == '\\') {
    literal = p[i + 1];
    step = 2;
  }
  return j < s.size() && s[j] == literal && Glob(p, i + step, s, j + 1);
}

bool ParseIp(const std::string& s, bool* v6, unsigned char bytes[16]) {
  std::memset(bytes, 0, 16);
  *v6 = s.find(':') != std::string::npos;
  return inet_pton(*v6 ? AF_INET6 : AF_INET, s.c_str(), bytes) == 1;
}

bool CidrContains(const std::string& cidr, const std::string& ip) {
  size_t slash = cidr.find('/');
  int bits = std::atoi(cidr.c_str() + slash + 1);
  bool v6a, v6b;
  unsigned char a[16], b[16];
  if (!ParseIp(cidr.substr(0, slash), &v6a, a) || !ParseIp(ip, &v6b, b) || v6a != v6b) {
    return false;
  }
  for (int bit = 0; bit < bits; ++bit) {
    int mask = 0x80 >> (bit % 8);
    if ((a[bit / 8] & mask) != (b[bit / 8] & mask)) return false;
  }
  return true;
}

bool ValueEquals(const Value& c, const RefLeaf& leaf) {
  if (c.IsString()) return leaf.kind == Kind::kString && leaf.text == Str(c);
  if (c.IsNumber()) return leaf.kind == Kind::kNumber && NumberEquals(leaf.number, c.GetDouble());
  return false;
}

bool AnythingBut(const Value& v, const RefLeaf& leaf) {
  bool is_string = leaf.kind == Kind::kString;
  if (v.IsString() || v.IsNumber()) return !ValueEquals(v, leaf);
  if (v.IsArray()) {
    for (const Value& e : v.GetArray()) {
      if (ValueEquals(e, leaf)) return false;
    }
    return true;
  }
  const auto& op = *v.MemberBegin();
  std::string name = Str(op.name);
  const Value& arg = op.value;
  if (!is_string) return true;
  if (name == "prefix") return leaf.text.rfind(Str(arg), 0) != 0;
  if (name == "suffix") {
    std::string s = Str(arg);
    return !(leaf.text.size() >= s.size() &&
             leaf.text.compare(leaf.text.size() - s.size(), s.size(), s) == 0);
  }
  std::vector<std::string> list;
  if (arg.IsArray()) {
    for (const Value& e : arg.GetArray()) list.push_back(Str(e));
  } else {
    list.push_back(Str(arg));
  }
  for (const std::string& s : list) {
    if (name == "equals-ignore-case" && Lower(s) == Lower(leaf.text)) return false;
    if (name == "wildcard" && Glob(s, 0, leaf.text, 0)) return false;
  }
  return true;
}

bool Numeric(const Value& terms, const RefLeaf& leaf) {
  if (leaf.kind != Kind::kNumber) return false;
  for (rapidjson::SizeType i = 0; i + 1 < terms.Size(); i += 2) {
    std::string op = Str(terms[i]);
    int c = Compare(leaf.number, terms[i + 1].GetDouble());
    bool ok = (op == "=" && c == 0) || (op == "<" && c < 0) || (op == "<=" && c <= 0) ||
              (op == ">" && c > 0) || (op == ">=" && c >= 0);
    if (!ok) return false;
  }
  return true;
}

// Whether one condition (an element of a leaf array) holds for a present leaf.
bool ConditionHolds(const Value& c, const RefLeaf& leaf) {
  if (c.IsString() || c.IsNumber()) return ValueEquals(c, leaf);
  if (c.IsBool()) return leaf.kind == (c.GetBool() ? Kind::kTrue : Kind::kFalse);
  if (c.IsNull()) return leaf.kind == Kind::kNull;
  const auto& op = *c.MemberBegin();
  std::string name = Str(op.name);
  const Value& arg = op.value;
  bool is_string = leaf.kind == Kind::kString;
  if (name == "exists") return arg.GetBool();
  if (name == "anything-but") return AnythingBut(arg, leaf);
  if (name == "numeric") return Numeric(arg, leaf);
  if (!is_string) return false;
  if (name == "prefix" || name == "suffix") {
    std::string want = arg.IsString() ? Str(arg) : Lower(Str(arg.MemberBegin()->value));
    std::string have = arg.IsString() ? leaf.text : Lower(leaf.text);
    if (have.size() < want.size()) return false;
    size_t at = name == "prefix" ? 0 : have.size() - want.size();
    return have.compare(at, want.size(), want) == 0;
  }
  if (name == "equals-ignore-case") return Lower(leaf.text) == Lower(Str(arg));
  if (name == "wildcard") return Glob(Str(arg), 0, leaf.text, 0);
  if (name == "cidr") return CidrContains(Str(arg), leaf.text);
  return false;
}

using Field = std::pair<std::string, const Value*>;  // (path, leaf array)
using Alternative = std::vector<Field>;

std::vector<Alternative> Expand(const Value& obj, const std::string& prefix) {
  std::vector<Alternative> acc(1);
  for (auto it = obj.MemberBegin(); it != obj.MemberEnd(); ++it) {
    std::string key = Str(it->name);
    std::vector<Alternative> options;
    if (key == "$or") {
      for (const Value& branch : it->value.GetArray()) {
        for (Alternative& a : Expand(branch, prefix)) options.push_back(std::move(a));
      }
    } else {
      std::string path = prefix.empty() ? key : prefix + "." + key;
      if (it->value.IsArray()) {
        options.push_back({{path, &it->value}});
      } else {
        options = Expand(it->value, path);
      }
    }
    std::vector<Alternative> next;
    for (const Alternative& left : acc) {
      for (const Alternative& right : options) {
        next.push_back(left);
        next.back().insert(next.back().end(), right.begin(), right.end());
      }
    }
    acc = std::move(next);
  }
  return acc;
}

bool Consistent(const RefLeaf& a, const RefLeaf& b) {
  for (const auto& [id_a, index_a] : a.trail) {
    for (const auto& [id_b, index_b] : b.trail) {
      if (id_a == id_b && index_a != index_b) return false;
    }
  }
  return true;
}

bool Assign(const Alternative& alt, size_t i, const std::vector<RefLeaf>& leaves,
            std::vector<const RefLeaf*>* chosen) {
  if (i == alt.size()) return true;
  const auto& [path, conditions] = alt[i];
  bool present = false;
  for (const RefLeaf& leaf : leaves) {
    if (leaf.path != path) continue;
    present = true;
    bool consistent = true;
    for (const RefLeaf* c : *chosen) consistent = consistent && Consistent(*c, leaf);
    if (!consistent) continue;
    bool holds = false;
    for (const Value& c : conditions->GetArray()) holds = holds || ConditionHolds(c, leaf);
    if (!holds) continue;
    chosen->push_back(&leaf);
    bool ok = Assign(alt, i + 1, leaves, chosen);
    chosen->pop_back();
    if (ok) return true;
  }
  if (present) return false;
  for (const Value& c : conditions->GetArray()) {
    if (c.IsObject() && Str(c.MemberBegin()->name) == "exists" &&
        !c.MemberBegin()->value.GetBool()) {
      return Assign(alt, i + 1, leaves, chosen);
    }
  }
  return false;
}

void FlattenAttributes(const Value& map, std::vector<RefLeaf>* leaves, int* arrays) {
  if (!map.IsObject()) return;
  for (auto it = map.MemberBegin(); it != map.MemberEnd(); ++it) {
    if (!it->value.IsObject()) continue;
    std::string name = Str(it->name), type, value;
    for (auto f = it->value.MemberBegin(); f != it->value.MemberEnd(); ++f) {
      if (!f->value.IsString()) continue;
      std::string k = Str(f->name);
      if (k == "Type" || k == "DataType") type = Str(f->value);
      if (k == "Value" || k == "StringValue" || k == "BinaryValue") value = Str(f->value);
    }
    RefLeaf leaf{name, Kind::kString, value, 0, {}};
    if (type.rfind("String.Array", 0) == 0) {
      rapidjson::Document doc;
      doc.Parse(value.c_str(), value.size());
      if (!doc.HasParseError() && doc.IsArray()) {
        int id = (*arrays)++;
        for (rapidjson::SizeType i = 0; i < doc.Size(); ++i) {
          const Value& e = doc[i];
          if (e.IsArray() || e.IsObject()) continue;
          RefLeaf element{name, Kind::kNull, "", 0, {{id, static_cast<int>(i)}}};
          if (e.IsString()) {
            element.kind = Kind::kString;
            element.text = Str(e);
          } else if (e.IsNumber()) {
            element.kind = Kind::kNumber;
            element.number = e.GetDouble();
          } else if (e.IsBool()) {
            element.kind = e.GetBool() ? Kind::kTrue : Kind::kFalse;
          }
          leaves->push_back(std::move(element));
        }
        continue;
      }
      leaves->push_back(std::move(leaf));
    } else if (type.rfind("String", 0) == 0) {
      leaves->push_back(std::move(leaf));
    } else if (type.rfind("Number", 0) == 0) {
      char* end = nullptr;
      double d = std::strtod(value.c_str(), &end);
      if (!value.empty() && end == value.c_str() + value.size() && std::isfinite(d)) {
        leaf.kind = Kind::kNumber;
        leaf.number = d;
      }
      leaves->push_back(std::move(leaf));
    }
  }
}

}  // namespace

bool ReferenceMatches(PatternDialect dialect, std::string_view pattern_json,
                      std::string_view event_json) {
  rapidjson::Document pattern;
  pattern.Parse(pattern_json.data(), pattern_json.size());
  rapidjson::Document event;
  event.Parse(event_json.data(), event_json.size());
  if (pattern.HasParseError() || !pattern.IsObject() || event.HasParseError()) return false;
  std::vector<RefLeaf> leaves;
  if (dialect == PatternDialect::kSnsMessageAttributes) {
    int arrays = 0;
    FlattenAttributes(event, &leaves, &arrays);
  } else {
    Flattener f;
    std::vector<std::pair<int, int>> trail;
    f.Add("", event, &trail);
    leaves = std::move(f.leaves);
  }
  for (const Alternative& alt : Expand(pattern, "")) {
    std::vector<const RefLeaf*> chosen;
    if (Assign(alt, 0, leaves, &chosen)) return true;
  }
  return false;
}

}  // namespace wharf::testing
