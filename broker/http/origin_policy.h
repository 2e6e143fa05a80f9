// OriginPolicy: refuses the requests a web page could make a browser send
// to the endpoint against its user's will, and answers CORS for the origins
// the owner allows.
//
//   Host     must name this endpoint (DNS rebinding sends the attacker's
//            name): with the bound port, an IP literal when bound to all
//            interfaces, a loopback literal or "localhost" when bound to
//            loopback, the bound address otherwise; or a configured name
//            ("name" with any port, for port mappings; "name:port" exactly).
//            A request without Host (HTTP/1.0 only) passes.
//   Origin   a browser's cross-origin request (an Origin header that is not
//            http://<Host>, or Sec-Fetch-Site cross-site/same-site without an
//            Origin) is refused unless its origin is allowed ("*" allows
//            every origin, "null" the opaque one). AWS SDKs outside a
//            browser send neither header.
//   CORS     none by default; for an allowed origin, preflights (OPTIONS
//            with Access-Control-Request-Method) get 204 with the allowed
//            methods and headers, and answers carry
//            Access-Control-Allow-Origin and the AWS headers SDKs read.
//
// Refusals are 403 with a plain-text reason (400 for a Host that does not
// parse); the connection stays usable.
//
// Thread safety: immutable after construction; thread-safe.

#ifndef WHARF_BROKER_HTTP_ORIGIN_POLICY_H_
#define WHARF_BROKER_HTTP_ORIGIN_POLICY_H_

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "broker/http/http_message.h"

namespace wharf::http_internal {

struct OriginPolicyOptions {
  std::string bound_host;  // As bound: "127.0.0.1", "::1", "0.0.0.0", "10.1.2.3", ...
  int port = 0;            // The bound port.
  std::vector<std::string> allowed_hosts;    // "name" (any port) or "name:port".
  std::vector<std::string> allowed_origins;  // "https://app.example:8443", "*", "null".
};

class OriginPolicy {
 public:
  explicit OriginPolicy(OriginPolicyOptions options);

  // nullopt when `request` may be handled; otherwise the answer to send in
  // its place (a refusal, or the answer to an allowed preflight). When the
  // request comes from an allowed foreign origin, `*cors_origin` is set to
  // it: its answer then needs AddCorsHeaders.
  std::optional<HttpResponse> Screen(const HttpRequest& request, std::string* cors_origin) const;

  // The CORS headers of an answer to a request from allowed `origin`.
  static void AddCorsHeaders(std::string_view origin, HttpResponse& response);

 private:
  enum class OriginCheck { kNone, kSameOrigin, kAllowed, kRefused };

  bool HostAllowed(std::string_view host) const;
  OriginCheck CheckOrigin(const HttpRequest& request) const;

  const OriginPolicyOptions options_;
  std::vector<std::pair<std::string, int>> hosts_;  // Parsed allowed_hosts; port 0: any.
  std::vector<std::string> origins_;                // Normalized allowed_origins.
  bool any_origin_ = false;
};

}  // namespace wharf::http_internal

#endif  // WHARF_BROKER_HTTP_ORIGIN_POLICY_H_
