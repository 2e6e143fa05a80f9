#include "tests/testing/reference_matcher.h"

#include <arpa/inet.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <regex>
#include <string>
#include <utility>
#include <vector>

#include "rapidjson/document.h"
#include "utf8proc.h"

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

// ---- Ignore case, as aws/event-ruler's EqualsIgnoreCaseParser: pattern
// character c may appear as Java's toLowerCase or toUpperCase (Locale.ROOT)
// of c alone; the event's bytes are compared as they are. Per code point.

// SpecialCasing.txt's unconditional upper-case expansions (Unicode 14/15),
// which Java's String.toUpperCase applies; other characters map one to one.
struct SpecialUpper {
  char32_t c;
  char32_t upper[3];
};
constexpr SpecialUpper kSpecialUpper[] = {
    {0x00DF, {0x0053, 0x0053}},         {0x0149, {0x02BC, 0x004E}},
    {0x01F0, {0x004A, 0x030C}},         {0x0390, {0x0399, 0x0308, 0x0301}},
    {0x03B0, {0x03A5, 0x0308, 0x0301}}, {0x0587, {0x0535, 0x0552}},
    {0x1E96, {0x0048, 0x0331}},         {0x1E97, {0x0054, 0x0308}},
    {0x1E98, {0x0057, 0x030A}},         {0x1E99, {0x0059, 0x030A}},
    {0x1E9A, {0x0041, 0x02BE}},         {0x1F50, {0x03A5, 0x0313}},
    {0x1F52, {0x03A5, 0x0313, 0x0300}}, {0x1F54, {0x03A5, 0x0313, 0x0301}},
    {0x1F56, {0x03A5, 0x0313, 0x0342}}, {0x1F80, {0x1F08, 0x0399}},
    {0x1F81, {0x1F09, 0x0399}},         {0x1F82, {0x1F0A, 0x0399}},
    {0x1F83, {0x1F0B, 0x0399}},         {0x1F84, {0x1F0C, 0x0399}},
    {0x1F85, {0x1F0D, 0x0399}},         {0x1F86, {0x1F0E, 0x0399}},
    {0x1F87, {0x1F0F, 0x0399}},         {0x1F88, {0x1F08, 0x0399}},
    {0x1F89, {0x1F09, 0x0399}},         {0x1F8A, {0x1F0A, 0x0399}},
    {0x1F8B, {0x1F0B, 0x0399}},         {0x1F8C, {0x1F0C, 0x0399}},
    {0x1F8D, {0x1F0D, 0x0399}},         {0x1F8E, {0x1F0E, 0x0399}},
    {0x1F8F, {0x1F0F, 0x0399}},         {0x1F90, {0x1F28, 0x0399}},
    {0x1F91, {0x1F29, 0x0399}},         {0x1F92, {0x1F2A, 0x0399}},
    {0x1F93, {0x1F2B, 0x0399}},         {0x1F94, {0x1F2C, 0x0399}},
    {0x1F95, {0x1F2D, 0x0399}},         {0x1F96, {0x1F2E, 0x0399}},
    {0x1F97, {0x1F2F, 0x0399}},         {0x1F98, {0x1F28, 0x0399}},
    {0x1F99, {0x1F29, 0x0399}},         {0x1F9A, {0x1F2A, 0x0399}},
    {0x1F9B, {0x1F2B, 0x0399}},         {0x1F9C, {0x1F2C, 0x0399}},
    {0x1F9D, {0x1F2D, 0x0399}},         {0x1F9E, {0x1F2E, 0x0399}},
    {0x1F9F, {0x1F2F, 0x0399}},         {0x1FA0, {0x1F68, 0x0399}},
    {0x1FA1, {0x1F69, 0x0399}},         {0x1FA2, {0x1F6A, 0x0399}},
    {0x1FA3, {0x1F6B, 0x0399}},         {0x1FA4, {0x1F6C, 0x0399}},
    {0x1FA5, {0x1F6D, 0x0399}},         {0x1FA6, {0x1F6E, 0x0399}},
    {0x1FA7, {0x1F6F, 0x0399}},         {0x1FA8, {0x1F68, 0x0399}},
    {0x1FA9, {0x1F69, 0x0399}},         {0x1FAA, {0x1F6A, 0x0399}},
    {0x1FAB, {0x1F6B, 0x0399}},         {0x1FAC, {0x1F6C, 0x0399}},
    {0x1FAD, {0x1F6D, 0x0399}},         {0x1FAE, {0x1F6E, 0x0399}},
    {0x1FAF, {0x1F6F, 0x0399}},         {0x1FB2, {0x1FBA, 0x0399}},
    {0x1FB3, {0x0391, 0x0399}},         {0x1FB4, {0x0386, 0x0399}},
    {0x1FB6, {0x0391, 0x0342}},         {0x1FB7, {0x0391, 0x0342, 0x0399}},
    {0x1FBC, {0x0391, 0x0399}},         {0x1FC2, {0x1FCA, 0x0399}},
    {0x1FC3, {0x0397, 0x0399}},         {0x1FC4, {0x0389, 0x0399}},
    {0x1FC6, {0x0397, 0x0342}},         {0x1FC7, {0x0397, 0x0342, 0x0399}},
    {0x1FCC, {0x0397, 0x0399}},         {0x1FD2, {0x0399, 0x0308, 0x0300}},
    {0x1FD3, {0x0399, 0x0308, 0x0301}}, {0x1FD6, {0x0399, 0x0342}},
    {0x1FD7, {0x0399, 0x0308, 0x0342}}, {0x1FE2, {0x03A5, 0x0308, 0x0300}},
    {0x1FE3, {0x03A5, 0x0308, 0x0301}}, {0x1FE4, {0x03A1, 0x0313}},
    {0x1FE6, {0x03A5, 0x0342}},         {0x1FE7, {0x03A5, 0x0308, 0x0342}},
    {0x1FF2, {0x1FFA, 0x0399}},         {0x1FF3, {0x03A9, 0x0399}},
    {0x1FF4, {0x038F, 0x0399}},         {0x1FF6, {0x03A9, 0x0342}},
    {0x1FF7, {0x03A9, 0x0342, 0x0399}}, {0x1FFC, {0x03A9, 0x0399}},
    {0xFB00, {0x0046, 0x0046}},         {0xFB01, {0x0046, 0x0049}},
    {0xFB02, {0x0046, 0x004C}},         {0xFB03, {0x0046, 0x0046, 0x0049}},
    {0xFB04, {0x0046, 0x0046, 0x004C}}, {0xFB05, {0x0053, 0x0054}},
    {0xFB06, {0x0053, 0x0054}},         {0xFB13, {0x0544, 0x0546}},
    {0xFB14, {0x0544, 0x0535}},         {0xFB15, {0x0544, 0x053B}},
    {0xFB16, {0x054E, 0x0546}},         {0xFB17, {0x0544, 0x053D}},
};

std::string Utf8(char32_t c) {
  std::string out;
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
  return out;
}

// The code points of valid UTF-8 `s` (patterns are valid UTF-8).
std::vector<char32_t> CodePoints(const std::string& s) {
  std::vector<char32_t> out;
  for (size_t i = 0; i < s.size();) {
    unsigned char b = static_cast<unsigned char>(s[i]);
    int n = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
    char32_t c = n == 1 ? b : b & (0x7F >> n);
    for (int k = 1; k < n && i + k < s.size(); ++k) c = (c << 6) | (s[i + k] & 0x3F);
    out.push_back(c);
    i += n;
  }
  return out;
}

// Pattern characters [i, end) spell value[at, ...): all of the rest if `whole`.
bool SpellsFrom(const std::vector<std::vector<std::string>>& chars, size_t i,
                const std::string& value, size_t at, bool whole) {
  if (i == chars.size()) return !whole || at == value.size();
  for (const std::string& s : chars[i]) {
    if (value.compare(at, s.size(), s) == 0 &&
        SpellsFrom(chars, i + 1, value, at + s.size(), whole)) {
      return true;
    }
  }
  return false;
}

enum class Anchor { kWhole, kStart, kEnd };

bool IgnoreCase(const std::string& pattern, const std::string& value, Anchor anchor) {
  std::vector<std::vector<std::string>> chars;
  for (char32_t c : CodePoints(pattern)) chars.push_back(ReferenceCaseSpellings(c));
  if (anchor == Anchor::kEnd) {
    for (size_t at = 0; at <= value.size(); ++at) {
      if (SpellsFrom(chars, 0, value, at, true)) return true;
    }
    return false;
  }
  return SpellsFrom(chars, 0, value, 0, anchor == Anchor::kWhole);
}

bool StartsWith(const std::string& s, const std::string& p) { return s.rfind(p, 0) == 0; }
bool EndsWith(const std::string& s, const std::string& p) {
  return s.size() >= p.size() && s.compare(s.size() - p.size(), p.size(), p) == 0;
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

// EventBridge (aws/event-ruler) reads an address as Java's InetAddress reads
// a literal, once the text is shaped like one: IPv4 parts are decimal with
// any leading zeros, within 15 characters; an IPv6 group is any number of
// hex digits worth at most ffff, one "::" standing for at least one group;
// ::ffff:x:y is the IPv4 address x:y. The 4 or 16 bytes, or none.
std::vector<unsigned char> JavaIp(const std::string& s) {
  static const std::regex kV4("[0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+");
  static const std::regex kV6("[0-9a-fA-F:]*:[0-9a-fA-F:]*");
  auto split = [](const std::string& text, char sep) {
    std::vector<std::string> parts(1);
    for (char c : text) {
      if (c == sep) {
        parts.emplace_back();
      } else {
        parts.back() += c;
      }
    }
    return parts;
  };
  std::vector<unsigned char> out;
  if (std::regex_match(s, kV4)) {
    if (s.size() > 15) return {};
    for (const std::string& part : split(s, '.')) {
      unsigned long v = std::stoul(part);
      if (v > 255) return {};
      out.push_back(static_cast<unsigned char>(v));
    }
    return out;
  }
  if (!std::regex_match(s, kV6)) return {};
  size_t gap = s.find("::");
  if (gap != std::string::npos && s.find("::", gap + 1) != std::string::npos) return {};
  std::vector<unsigned> head, tail;
  auto groups = [&](const std::string& text, std::vector<unsigned>* into) {
    if (text.empty()) return true;
    for (const std::string& g : split(text, ':')) {
      if (g.empty()) return false;
      unsigned v = 0;
      for (char c : g) {
        v = v * 16 + static_cast<unsigned>(std::stoul(std::string(1, c), nullptr, 16));
        if (v > 0xffff) return false;
      }
      into->push_back(v);
    }
    return true;
  };
  if (gap == std::string::npos) {
    if (!groups(s, &head) || head.size() != 8) return {};
  } else if (!groups(s.substr(0, gap), &head) || !groups(s.substr(gap + 2), &tail) ||
             head.size() + tail.size() > 7) {
    return {};
  }
  std::vector<unsigned> all = head;
  all.resize(8 - tail.size(), 0);
  all.insert(all.end(), tail.begin(), tail.end());
  for (unsigned g : all) {
    out.push_back(static_cast<unsigned char>(g >> 8));
    out.push_back(static_cast<unsigned char>(g & 0xff));
  }
  if (all[0] == 0 && all[1] == 0 && all[2] == 0 && all[3] == 0 && all[4] == 0 && all[5] == 0xffff) {
    return std::vector<unsigned char>(out.begin() + 12, out.end());
  }
  return out;
}

bool CidrContains(bool event_ruler, const std::string& cidr, const std::string& ip) {
  size_t slash = cidr.find('/');
  int bits = std::atoi(cidr.c_str() + slash + 1);
  bool v6a, v6b;
  unsigned char a[16], b[16];
  if (event_ruler) {
    std::vector<unsigned char> base = JavaIp(cidr.substr(0, slash)), value = JavaIp(ip);
    if (base.empty() || base.size() != value.size()) return false;
    std::memcpy(a, base.data(), base.size());
    std::memcpy(b, value.data(), value.size());
  } else if (!ParseIp(cidr.substr(0, slash), &v6a, a) || !ParseIp(ip, &v6b, b) || v6a != v6b) {
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
  std::vector<std::string> list;
  if (arg.IsArray()) {
    for (const Value& e : arg.GetArray()) list.push_back(Str(e));
  } else {
    list.push_back(Str(arg));
  }
  for (const std::string& s : list) {
    if (name == "prefix" && StartsWith(leaf.text, s)) return false;
    if (name == "suffix" && EndsWith(leaf.text, s)) return false;
    if (name == "equals-ignore-case" && IgnoreCase(s, leaf.text, Anchor::kWhole)) return false;
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

// Whether one condition (an element of a leaf array) holds for a present leaf;
// `event_ruler` for EventBridge.
bool ConditionHolds(bool event_ruler, const Value& c, const RefLeaf& leaf) {
  if (event_ruler && c.IsString()) {
    // A string that reads as an IP address equals the same address.
    std::vector<unsigned char> ip = JavaIp(Str(c));
    if (!ip.empty()) return leaf.kind == Kind::kString && JavaIp(leaf.text) == ip;
  }
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
    const bool prefix = name == "prefix";
    if (arg.IsString())
      return prefix ? StartsWith(leaf.text, Str(arg)) : EndsWith(leaf.text, Str(arg));
    return IgnoreCase(Str(arg.MemberBegin()->value), leaf.text,
                      prefix ? Anchor::kStart : Anchor::kEnd);
  }
  if (name == "equals-ignore-case") return IgnoreCase(Str(arg), leaf.text, Anchor::kWhole);
  if (name == "wildcard") return Glob(Str(arg), 0, leaf.text, 0);
  if (name == "cidr") return CidrContains(event_ruler, Str(arg), leaf.text);
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

bool Assign(bool event_ruler, const Alternative& alt, size_t i, const std::vector<RefLeaf>& leaves,
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
    for (const Value& c : conditions->GetArray()) {
      holds = holds || ConditionHolds(event_ruler, c, leaf);
    }
    if (!holds) continue;
    chosen->push_back(&leaf);
    bool ok = Assign(event_ruler, alt, i + 1, leaves, chosen);
    chosen->pop_back();
    if (ok) return true;
  }
  if (present) return false;
  for (const Value& c : conditions->GetArray()) {
    if (c.IsObject() && Str(c.MemberBegin()->name) == "exists" &&
        !c.MemberBegin()->value.GetBool()) {
      return Assign(event_ruler, alt, i + 1, leaves, chosen);
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

std::vector<std::string> ReferenceCaseSpellings(char32_t c) {
  const auto cp = static_cast<utf8proc_int32_t>(c);
  std::string lower = c == 0x130 ? "i\xCC\x87" : Utf8(static_cast<char32_t>(utf8proc_tolower(cp)));
  std::string upper;
  for (const SpecialUpper& s : kSpecialUpper) {
    if (s.c != c) continue;
    for (char32_t u : s.upper) {
      if (u != 0) upper += Utf8(u);
    }
  }
  if (upper.empty()) upper = Utf8(static_cast<char32_t>(utf8proc_toupper(cp)));
  std::vector<std::string> out{lower};
  if (upper != lower) out.push_back(upper);
  return out;
}

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
  for (Alternative& alt : Expand(pattern, "")) {
    if (dialect == PatternDialect::kEventBridge) {
      // aws/event-ruler: a path given twice in one alternative keeps its
      // last value in the pattern (fields are in pattern order here).
      Alternative last;
      for (auto f = alt.rbegin(); f != alt.rend(); ++f) {
        bool seen = false;
        for (const Field& g : last) seen = seen || g.first == f->first;
        if (!seen) last.push_back(*f);
      }
      alt = std::move(last);
    }
    std::vector<const RefLeaf*> chosen;
    if (Assign(dialect == PatternDialect::kEventBridge, alt, 0, leaves, &chosen)) return true;
  }
  return false;
}

}  // namespace wharf::testing
