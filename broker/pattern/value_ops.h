// Value-level building blocks shared by the pattern parser and the automaton:
// number encoding, IP/CIDR parsing and wildcard globs (case folding:
// case_fold.h).
//
// Invariants: every function here is pure and thread-safe.

#ifndef WHARF_BROKER_PATTERN_VALUE_OPS_H_
#define WHARF_BROKER_PATTERN_VALUE_OPS_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wharf::pattern_internal {

// ---- Numbers ----------------------------------------------------------------
// Numbers compare as decimals scaled by 10^6 (EventBridge: 6 decimal places)
// so 0.1 + 0.2 style float drift never decides a match. Values with
// |v| <= kMaxNumber have an exact scaled form; larger magnitudes are beyond
// what AWS accepts in numeric conditions.

inline constexpr double kMaxNumber = 5e9;
inline constexpr double kNumberScale = 1e6;

// The scaled form of `v`, or nullopt if v is not finite or |v| > kMaxNumber.
std::optional<int64_t> ScaledNumber(double v);

// The scaled form clamped for range comparisons: values beyond kMaxNumber
// compare above (below) every representable bound.
int64_t ClampedScaledNumber(double v);

// A key for exact numeric equality valid for every finite double: the scaled
// value when representable, else the bit pattern tagged so it cannot collide.
struct NumberKey {
  bool scaled;
  int64_t value;
  friend bool operator==(const NumberKey&, const NumberKey&) = default;
  template <typename H>
  friend H AbslHashValue(H h, const NumberKey& k) {
    return H::combine(std::move(h), k.scaled, k.value);
  }
};
NumberKey MakeNumberKey(double v);

// Shortest text that round-trips `v` (for canonical keys and messages).
std::string NumberToString(double v);

// ---- IP addresses and CIDR blocks -------------------------------------------

struct IpAddress {
  bool v6 = false;
  std::array<uint8_t, 16> bytes{};  // v4 uses the first 4.
};

// Parses a standard textual IPv4 (dotted quad, no leading zeros) or IPv6
// address. False if `s` is not one.
bool ParseIpAddress(std::string_view s, IpAddress* out);

// EventBridge reads an address as aws/event-ruler's CIDR.ipToBytes does:
// text shaped like one (four dot-separated runs of ASCII digits, or only hex
// digits and colons with at least one colon) is parsed as Java's InetAddress
// parses a literal, else it is kNotAnAddress. IPv4 runs are decimal and may
// carry leading zeros ("10.0.0.01" is 10.0.0.1), within 15 characters in
// all; an IPv6 group is any number of hex digits worth at most ffff; an
// IPv4-mapped IPv6 address (::ffff:a00:1) is the IPv4 address. Shaped text
// that does not parse is kInvalid (Java then asks DNS, which names no host
// such as "10.0.0.256").
enum class EventRulerIp { kAddress, kNotAnAddress, kInvalid };
EventRulerIp ParseEventRulerIp(std::string_view s, IpAddress* out);

struct Cidr {
  IpAddress base;  // Host bits cleared.
  int bits = 0;
  // Event values are read by ParseEventRulerIp (EventBridge), else by
  // ParseIpAddress (SNS).
  bool event_ruler = false;
};

// Parses "a.b.c.d/n" or "x::y/n". On failure returns false and sets `error`
// to the AWS reason ("Malformed CIDR, one '/' required", ...).
bool ParseCidr(std::string_view s, Cidr* out, std::string* error);

// EventBridge: as aws/event-ruler's CIDR.cidr checks, in its order. The text
// splits on '/' into two parts (trailing empty parts dropped, as Java's
// String.split); the mask is a Java int (optional sign); then "Malformed
// CIDR, mask bits must not be negative"; the address (ParseEventRulerIp:
// "Nonstandard IP address: <a>", or "Invalid IP address: <a>" when shaped
// like one); and the mask must be shorter than the address: "IPv4 mask bits
// must be < 32", "IPv6 mask bits must be < 128" (so /32 and /128 are
// rejected; an IPv4-mapped address is IPv4).
bool ParseEventRulerCidr(std::string_view s, Cidr* out, std::string* error);

// Clears the bits of `ip` beyond the first `bits`.
IpAddress MaskAddress(const IpAddress& ip, int bits);

// ---- Wildcards --------------------------------------------------------------
// A wildcard "a*b*c" is kept as its literal segments {"a","b","c"} with
// escapes resolved, plus whether it starts/ends with '*'.

struct Wildcard {
  std::vector<std::string> segments;
  bool leading_star = false;
  bool trailing_star = false;
  std::string source;  // As written in the pattern (for canonical keys).
};

// Parses a wildcard value. Errors (AWS reasons): "Consecutive wildcard
// characters at pos <n>", "Invalid escape character at pos <n>", and the
// "Rule is too complex ..." reason for more than kMaxWildcardStars stars.
inline constexpr int kMaxWildcardStars = 5;
bool ParseWildcard(std::string_view s, Wildcard* out, std::string* error);

bool WildcardMatches(const Wildcard& w, std::string_view value);

inline constexpr std::string_view kTooComplexReason =
    "Rule is too complex - try using fewer wildcard characters or fewer repeating character "
    "sequences after a wildcard character";

}  // namespace wharf::pattern_internal

#endif  // WHARF_BROKER_PATTERN_VALUE_OPS_H_
