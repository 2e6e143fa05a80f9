#include "broker/http/origin_policy.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <cstring>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace wharf::http_internal {
namespace {

absl::string_view Absl(std::string_view s) { return absl::string_view(s.data(), s.size()); }

// A parsed Host (or origin authority): the name in lower case, brackets
// removed from an IPv6 literal; port 0 when absent.
struct Authority {
  std::string name;
  int port = 0;
  bool ipv6 = false;
};

bool ParsePort(std::string_view digits, int* port) {
  if (digits.empty() || digits.size() > 5) return false;
  for (char c : digits) {
    if (c < '0' || c > '9') return false;
  }
  return absl::SimpleAtoi(Absl(digits), port) && *port <= 65535;
}

std::optional<Authority> ParseAuthority(std::string_view text) {
  Authority out;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    const size_t close = text.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    out.name = std::string(text.substr(1, close - 1));
    out.ipv6 = true;
    std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return std::nullopt;
      port = rest.substr(1);
    }
  } else {
    const size_t colon = text.find(':');
    out.name = std::string(text.substr(0, colon));
    if (colon != std::string_view::npos) port = text.substr(colon + 1);
  }
  if (out.name.empty()) return std::nullopt;
  for (char c : out.name) {
    // reg-name, IPv4 and IPv6 characters; never '@', '/', spaces or controls.
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.' && c != '_' &&
        c != '~' && !(out.ipv6 && c == ':')) {
      return std::nullopt;
    }
  }
  absl::AsciiStrToLower(&out.name);
  if (!port.empty() && !ParsePort(port, &out.port)) return std::nullopt;
  return out;
}

bool IsIpv4(const std::string& name) {
  in_addr addr;
  return inet_pton(AF_INET, name.c_str(), &addr) == 1;
}
bool IsIpv6(const std::string& name) {
  in6_addr addr;
  return inet_pton(AF_INET6, name.c_str(), &addr) == 1;
}
bool IsLoopbackLiteral(const std::string& name) {
  in_addr v4;
  if (inet_pton(AF_INET, name.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6;
  return inet_pton(AF_INET6, name.c_str(), &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6);
}
bool SameAddress(const std::string& a, const std::string& b) {
  in_addr a4, b4;
  if (inet_pton(AF_INET, a.c_str(), &a4) == 1 && inet_pton(AF_INET, b.c_str(), &b4) == 1) {
    return a4.s_addr == b4.s_addr;
  }
  in6_addr a6, b6;
  return inet_pton(AF_INET6, a.c_str(), &a6) == 1 && inet_pton(AF_INET6, b.c_str(), &b6) == 1 &&
         std::memcmp(&a6, &b6, sizeof(a6)) == 0;
}

// "scheme://authority" in lower case with the default port dropped, or ""
// when `origin` is not of that form.
std::string NormalizeOrigin(std::string_view origin) {
  while (!origin.empty() && origin.back() == '/') origin.remove_suffix(1);
  const size_t sep = origin.find("://");
  if (sep == std::string_view::npos || sep == 0) return "";
  std::string scheme = absl::AsciiStrToLower(Absl(origin.substr(0, sep)));
  std::optional<Authority> authority = ParseAuthority(origin.substr(sep + 3));
  if (!authority) return "";
  const int default_port = scheme == "https" ? 443 : 80;
  std::string out = absl::StrCat(scheme, "://");
  if (authority->ipv6) {
    absl::StrAppend(&out, "[", authority->name, "]");
  } else {
    absl::StrAppend(&out, authority->name);
  }
  if (authority->port != 0 && authority->port != default_port) {
    absl::StrAppend(&out, ":", authority->port);
  }
  return out;
}

// True for a comma-separated list of header names (what a preflight may ask
// for), so that it can be echoed back safely.
bool IsHeaderNameList(std::string_view list) {
  return std::all_of(list.begin(), list.end(), [](char c) {
    return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == ',' ||
           c == ' ';
  });
}

HttpResponse Refusal(int status, std::string reason) {
  HttpResponse response;
  response.status = status;
  response.content_type = "text/plain; charset=utf-8";
  response.body = std::move(reason);
  response.body.push_back('\n');
  return response;
}

constexpr char kExposedHeaders[] = "x-amzn-RequestId, x-amzn-query-error, x-amz-crc32";

}  // namespace

OriginPolicy::OriginPolicy(OriginPolicyOptions options) : options_(std::move(options)) {
  for (const std::string& host : options_.allowed_hosts) {
    if (std::optional<Authority> allowed = ParseAuthority(host)) {
      hosts_.emplace_back(std::move(allowed->name), allowed->port);
    }
  }
  for (const std::string& origin : options_.allowed_origins) {
    if (origin == "*") {
      any_origin_ = true;
    } else if (origin == "null") {
      origins_.push_back("null");
    } else if (std::string normalized = NormalizeOrigin(origin); !normalized.empty()) {
      origins_.push_back(std::move(normalized));
    }
  }
}

bool OriginPolicy::HostAllowed(std::string_view host) const {
  std::optional<Authority> authority = ParseAuthority(host);
  if (!authority) return false;
  const int port = authority->port != 0 ? authority->port : 80;
  for (const auto& [name, allowed_port] : hosts_) {
    if (name == authority->name && (allowed_port == 0 || allowed_port == port)) return true;
  }
  if (port != options_.port) return false;
  const std::string& name = authority->name;
  const bool literal = authority->ipv6 ? IsIpv6(name) : IsIpv4(name);
  if (authority->ipv6 && !literal) return false;
  std::string bound = absl::AsciiStrToLower(options_.bound_host);
  if (bound.size() > 2 && bound.front() == '[' && bound.back() == ']') {
    bound = bound.substr(1, bound.size() - 2);
  }
  if (bound.empty() || bound == "0.0.0.0" || bound == "::") {
    return literal || name == "localhost";
  }
  if (bound == "localhost" || IsLoopbackLiteral(bound)) {
    return name == "localhost" || (literal && IsLoopbackLiteral(name));
  }
  return literal ? SameAddress(name, bound) : name == bound;
}

OriginPolicy::OriginCheck OriginPolicy::CheckOrigin(const HttpRequest& request) const {
  if (!request.HasHeader("origin")) {
    const std::string_view site = request.Header("sec-fetch-site");
    if ((site == "cross-site" || site == "same-site") && !any_origin_) return OriginCheck::kRefused;
    return OriginCheck::kNone;
  }
  const std::string_view origin = request.Header("origin");
  if (origin == "null") {
    const bool allowed = any_origin_ || std::count(origins_.begin(), origins_.end(), "null") > 0;
    return allowed ? OriginCheck::kAllowed : OriginCheck::kRefused;
  }
  const std::string normalized = NormalizeOrigin(origin);
  if (normalized.empty()) return OriginCheck::kRefused;
  const std::string_view host = request.Header("host");
  if (!host.empty() && normalized == NormalizeOrigin(absl::StrCat("http://", Absl(host)))) {
    return OriginCheck::kSameOrigin;
  }
  if (any_origin_ || std::find(origins_.begin(), origins_.end(), normalized) != origins_.end()) {
    return OriginCheck::kAllowed;
  }
  return OriginCheck::kRefused;
}

std::optional<HttpResponse> OriginPolicy::Screen(const HttpRequest& request,
                                                 std::string* cors_origin) const {
  if (request.HasHeader("host")) {
    const std::string_view host = request.Header("host");
    if (!ParseAuthority(host)) return Refusal(400, "wharf: the Host header does not parse.");
    if (!HostAllowed(host)) {
      return Refusal(403, absl::StrCat("wharf: Host '", Absl(host),
                                       "' does not name this endpoint; allow the name "
                                       "explicitly (wharf-server --allow-host=NAME) if it "
                                       "does."));
    }
  }
  const OriginCheck origin = CheckOrigin(request);
  if (origin == OriginCheck::kRefused) {
    return Refusal(403,
                   "wharf: cross-origin requests are refused; allow the origin explicitly "
                   "(wharf-server --allow-origin=ORIGIN) to call the endpoint from a web page.");
  }
  if (origin == OriginCheck::kAllowed) *cors_origin = std::string(request.Header("origin"));
  if (request.method == "OPTIONS" && request.HasHeader("access-control-request-method") &&
      origin != OriginCheck::kNone) {
    HttpResponse preflight;
    preflight.status = 204;
    if (origin == OriginCheck::kAllowed) {
      AddCorsHeaders(*cors_origin, preflight);
      preflight.headers.emplace_back("Access-Control-Allow-Methods",
                                     "GET, POST, PUT, DELETE, HEAD");
      preflight.headers.emplace_back("Access-Control-Max-Age", "600");
      const std::string_view asked = request.Header("access-control-request-headers");
      if (!asked.empty() && IsHeaderNameList(asked)) {
        preflight.headers.emplace_back("Access-Control-Allow-Headers", std::string(asked));
      }
    }
    return preflight;
  }
  return std::nullopt;
}

void OriginPolicy::AddCorsHeaders(std::string_view origin, HttpResponse& response) {
  response.headers.emplace_back("Access-Control-Allow-Origin", std::string(origin));
  response.headers.emplace_back("Vary", "Origin");
  response.headers.emplace_back("Access-Control-Expose-Headers", kExposedHeaders);
}

}  // namespace wharf::http_internal
