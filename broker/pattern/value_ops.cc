#include "broker/pattern/value_ops.h"

#include <arpa/inet.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "broker/base/hex.h"

namespace wharf::pattern_internal {

std::optional<int64_t> ScaledNumber(double v) {
  if (!std::isfinite(v) || v > kMaxNumber || v < -kMaxNumber) return std::nullopt;
  return static_cast<int64_t>(std::llround(v * kNumberScale));
}

int64_t ClampedScaledNumber(double v) {
  if (std::isnan(v)) return std::numeric_limits<int64_t>::min();
  if (v > kMaxNumber) return std::numeric_limits<int64_t>::max();
  if (v < -kMaxNumber) return std::numeric_limits<int64_t>::min();
  return static_cast<int64_t>(std::llround(v * kNumberScale));
}

NumberKey MakeNumberKey(double v) {
  if (std::optional<int64_t> s = ScaledNumber(v)) return NumberKey{true, *s};
  int64_t bits;
  static_assert(sizeof(bits) == sizeof(v));
  std::memcpy(&bits, &v, sizeof(v));
  return NumberKey{false, bits};
}

std::string NumberToString(double v) {
  char buf[64];
  if (std::isfinite(v) && v == std::trunc(v) && std::fabs(v) < 1e18) {
    std::snprintf(buf, sizeof(buf), "%.0f", v);
    return buf;
  }
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof(buf), "%.*g", precision, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

bool ParseIpAddress(std::string_view s, IpAddress* out) {
  // inet_pton wants a NUL-terminated string; addresses are short.
  if (s.empty() || s.size() > 45) return false;
  char buf[46];
  std::memcpy(buf, s.data(), s.size());
  buf[s.size()] = '\0';
  IpAddress ip;
  if (s.find(':') != std::string_view::npos) {
    ip.v6 = true;
    if (inet_pton(AF_INET6, buf, ip.bytes.data()) != 1) return false;
  } else {
    if (inet_pton(AF_INET, buf, ip.bytes.data()) != 1) return false;
  }
  *out = ip;
  return true;
}

namespace {

// Four runs of ASCII digits joined by dots.
bool ShapedLikeIpv4(std::string_view s) {
  int dots = 0;
  size_t run = 0;
  for (char c : s) {
    if (c >= '0' && c <= '9') {
      ++run;
    } else if (c == '.' && run > 0) {
      ++dots;
      run = 0;
    } else {
      return false;
    }
  }
  return dots == 3 && run > 0;
}

// Only hex digits and colons, at least one colon.
bool ShapedLikeIpv6(std::string_view s) {
  bool colon = false;
  for (char c : s) {
    if (c == ':') {
      colon = true;
    } else if (base_internal::HexDigitValue(c) < 0) {
      return false;
    }
  }
  return colon;
}

// `s` is ShapedLikeIpv4.
bool ParseJavaIpv4(std::string_view s, IpAddress* out) {
  if (s.size() > 15) return false;
  IpAddress ip;
  int part = 0, value = 0;
  for (char c : s) {
    if (c == '.') {
      ip.bytes[part++] = static_cast<uint8_t>(value);
      value = 0;
      continue;
    }
    value = value * 10 + (c - '0');
    if (value > 255) return false;
  }
  ip.bytes[3] = static_cast<uint8_t>(value);
  *out = ip;
  return true;
}

// `s` is ShapedLikeIpv6. Groups before and after one "::" (which stands for
// at least one zero group).
bool ParseJavaIpv6(std::string_view s, IpAddress* out) {
  std::array<uint16_t, 8> head{}, tail{};
  int heads = 0, tails = 0;
  bool gap = false;
  size_t i = 0;
  if (s.starts_with("::")) {
    gap = true;
    i = 2;
  } else if (s.starts_with(":")) {
    return false;
  }
  while (i < s.size()) {
    uint32_t value = 0;
    const size_t start = i;
    for (; i < s.size() && s[i] != ':'; ++i) {
      value = value * 16 + static_cast<uint32_t>(base_internal::HexDigitValue(s[i]));
      if (value > 0xffff) return false;
    }
    if (i == start || heads + tails == 8) return false;
    (gap ? tail[tails++] : head[heads++]) = static_cast<uint16_t>(value);
    if (i == s.size()) break;
    if (++i == s.size()) return false;  // A trailing single ':'.
    if (s[i] == ':') {
      if (gap) return false;
      gap = true;
      ++i;
    }
  }
  if (gap ? heads + tails > 7 : heads != 8) return false;
  IpAddress ip;
  ip.v6 = true;
  for (int g = 0; g < heads; ++g) {
    ip.bytes[2 * g] = static_cast<uint8_t>(head[g] >> 8);
    ip.bytes[2 * g + 1] = static_cast<uint8_t>(head[g]);
  }
  for (int g = 0; g < tails; ++g) {
    const int at = 16 - 2 * (tails - g);
    ip.bytes[at] = static_cast<uint8_t>(tail[g] >> 8);
    ip.bytes[at + 1] = static_cast<uint8_t>(tail[g]);
  }
  bool mapped = ip.bytes[10] == 0xff && ip.bytes[11] == 0xff;
  for (int b = 0; b < 10; ++b) mapped = mapped && ip.bytes[b] == 0;
  if (mapped) {
    IpAddress v4;
    std::memcpy(v4.bytes.data(), ip.bytes.data() + 12, 4);
    ip = v4;
  }
  *out = ip;
  return true;
}

}  // namespace

EventRulerIp ParseEventRulerIp(std::string_view s, IpAddress* out) {
  if (ShapedLikeIpv4(s))
    return ParseJavaIpv4(s, out) ? EventRulerIp::kAddress : EventRulerIp::kInvalid;
  if (ShapedLikeIpv6(s))
    return ParseJavaIpv6(s, out) ? EventRulerIp::kAddress : EventRulerIp::kInvalid;
  return EventRulerIp::kNotAnAddress;
}

IpAddress MaskAddress(const IpAddress& ip, int bits) {
  IpAddress out = ip;
  const int total = ip.v6 ? 128 : 32;
  for (int i = 0; i < total / 8; ++i) {
    int keep = bits - 8 * i;
    if (keep >= 8) continue;
    out.bytes[i] = keep <= 0 ? 0 : static_cast<uint8_t>(out.bytes[i] & (0xFF << (8 - keep)));
  }
  return out;
}

bool ParseCidr(std::string_view s, Cidr* out, std::string* error) {
  size_t slash = s.find('/');
  if (slash == std::string_view::npos || s.find('/', slash + 1) != std::string_view::npos) {
    *error = "Malformed CIDR, one '/' required";
    return false;
  }
  std::string_view addr = s.substr(0, slash);
  std::string_view mask = s.substr(slash + 1);
  int bits = 0;
  bool digits = !mask.empty() && mask.size() <= 3;
  for (char c : mask) digits = digits && c >= '0' && c <= '9';
  if (!digits || !absl::SimpleAtoi(absl::string_view(mask.data(), mask.size()), &bits)) {
    *error = "Malformed CIDR, mask bits must be an integer";
    return false;
  }
  IpAddress ip;
  if (!ParseIpAddress(addr, &ip)) {
    *error = absl::StrCat("Nonstandard IP address: ", absl::string_view(addr.data(), addr.size()));
    return false;
  }
  if (bits > (ip.v6 ? 128 : 32)) {
    *error = "Malformed CIDR, mask bits must be an integer";
    return false;
  }
  out->base = MaskAddress(ip, bits);
  out->bits = bits;
  return true;
}

bool ParseEventRulerCidr(std::string_view s, Cidr* out, std::string* error) {
  std::string_view trimmed = s;
  while (!trimmed.empty() && trimmed.back() == '/') trimmed.remove_suffix(1);
  const size_t slash = trimmed.find('/');
  if (trimmed.empty() || slash == std::string_view::npos ||
      trimmed.find('/', slash + 1) != std::string_view::npos) {
    *error = "Malformed CIDR, one '/' required";
    return false;
  }
  std::string_view addr = trimmed.substr(0, slash);
  std::string_view mask = trimmed.substr(slash + 1);
  // Java's Integer.parseInt: an optional sign, then digits, in range (Java
  // also takes non-ASCII decimal digits; these are refused here).
  std::string_view digits = mask;
  if (!digits.empty() && (digits[0] == '+' || digits[0] == '-')) digits.remove_prefix(1);
  bool valid = !digits.empty();
  for (char c : digits) valid = valid && c >= '0' && c <= '9';
  int64_t bits = 0;
  if (valid) {
    for (char c : digits) {
      bits = bits * 10 + (c - '0');
      if (bits > int64_t{1} << 31) break;
    }
    if (mask[0] == '-') bits = -bits;
    valid = bits >= -(int64_t{1} << 31) && bits < (int64_t{1} << 31);
  }
  if (!valid) {
    *error = "Malformed CIDR, mask bits must be an integer";
    return false;
  }
  if (bits < 0) {
    *error = "Malformed CIDR, mask bits must not be negative";
    return false;
  }
  IpAddress ip;
  switch (ParseEventRulerIp(addr, &ip)) {
    case EventRulerIp::kAddress:
      break;
    case EventRulerIp::kNotAnAddress:
      *error =
          absl::StrCat("Nonstandard IP address: ", absl::string_view(addr.data(), addr.size()));
      return false;
    case EventRulerIp::kInvalid:
      *error = absl::StrCat("Invalid IP address: ", absl::string_view(addr.data(), addr.size()));
      return false;
  }
  if (!ip.v6 && bits >= 32) {
    *error = "IPv4 mask bits must be < 32";
    return false;
  }
  if (ip.v6 && bits >= 128) {
    *error = "IPv6 mask bits must be < 128";
    return false;
  }
  out->base = MaskAddress(ip, static_cast<int>(bits));
  out->bits = static_cast<int>(bits);
  out->event_ruler = true;
  return true;
}

bool ParseWildcard(std::string_view s, Wildcard* out, std::string* error) {
  Wildcard w;
  w.source = std::string(s);
  std::string current;
  int stars = 0;
  bool last_was_star = false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '\\') {
      if (i + 1 >= s.size() || (s[i + 1] != '*' && s[i + 1] != '\\')) {
        *error = absl::StrCat("Invalid escape character at pos ", i);
        return false;
      }
      current.push_back(s[++i]);
      last_was_star = false;
    } else if (c == '*') {
      if (last_was_star) {
        *error = absl::StrCat("Consecutive wildcard characters at pos ", i);
        return false;
      }
      if (i == 0) w.leading_star = true;
      if (i > 0) w.segments.push_back(std::move(current));
      current.clear();
      ++stars;
      last_was_star = true;
    } else {
      current.push_back(c);
      last_was_star = false;
    }
  }
  if (stars > kMaxWildcardStars) {
    *error = std::string(kTooComplexReason);
    return false;
  }
  if (last_was_star) {
    w.trailing_star = true;
  } else {
    w.segments.push_back(std::move(current));
  }
  // A lone "*" has no segments at all.
  *out = std::move(w);
  return true;
}

bool WildcardMatches(const Wildcard& w, std::string_view value) {
  const std::vector<std::string>& segs = w.segments;
  if (segs.empty()) return w.leading_star || value.empty();
  size_t first = 0, last = segs.size();  // Segments still to place: [first, last).
  std::string_view rest = value;
  if (!w.leading_star) {
    if (rest.substr(0, segs[0].size()) != segs[0]) return false;
    rest.remove_prefix(segs[0].size());
    ++first;
    if (first == last && !w.trailing_star) return rest.empty();
  }
  if (!w.trailing_star && first < last) {
    const std::string& tail = segs[last - 1];
    if (rest.size() < tail.size() || rest.substr(rest.size() - tail.size()) != tail) return false;
    rest.remove_suffix(tail.size());
    --last;
  }
  // Middle segments float: greedy leftmost placement is optimal for '*'.
  for (size_t i = first; i < last; ++i) {
    size_t pos = rest.find(segs[i]);
    if (pos == std::string_view::npos) return false;
    rest.remove_prefix(pos + segs[i].size());
  }
  return true;
}

}  // namespace wharf::pattern_internal
