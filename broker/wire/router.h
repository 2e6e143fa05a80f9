// Router: decides which service and protocol answer an HTTP request, checks
// its signature when asked to, and returns the response. Requests are routed
// by content, never by path:
//
//   X-Amz-Target "<Prefix>.<Operation>"  -> the JsonProtocol with that prefix
//   otherwise an "Action" in the form body or query string
//                                        -> the QueryProtocol having that
//                                           action (the SigV4 signing name
//                                           decides when several do)
//
// A request matching neither gets an AWS error in the protocol its
// Content-Type suggests (JSON for application/x-amz-json-*, XML otherwise).
//
// Thread safety: thread-safe after construction.

#ifndef WHARF_BROKER_WIRE_ROUTER_H_
#define WHARF_BROKER_WIRE_ROUTER_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "broker/wire/http_message.h"
#include "broker/wire/protocol.h"

namespace wharf::wire {

struct RouterOptions {
  // When true, every request must carry a SigV4 signature made with one of
  // `credentials` (access key id -> secret access key).
  bool verify_signatures = false;
  std::map<std::string, std::string> credentials;
  // Reported in errors for bodies the HTTP server flagged as too large.
  size_t max_body_bytes = 8 << 20;
};

class Router {
 public:
  explicit Router(RouterOptions options) : options_(std::move(options)) {}

  // Registration; call before the first Handle.
  void AddQueryProtocol(std::unique_ptr<QueryProtocol> protocol) {
    query_.push_back(std::move(protocol));
  }
  void AddJsonProtocol(std::unique_ptr<JsonProtocol> protocol) {
    json_.push_back(std::move(protocol));
  }

  HttpResponse Handle(const HttpRequest& request) const;

 private:
  HttpResponse HandleJson(const RequestContext& context, std::string_view target) const;
  HttpResponse HandleQuery(const RequestContext& context) const;
  // The error response for a request no protocol claimed.
  HttpResponse Unroutable(const RequestContext& context, const WireError& error) const;

  const RouterOptions options_;
  std::vector<std::unique_ptr<QueryProtocol>> query_;
  std::vector<std::unique_ptr<JsonProtocol>> json_;
};

}  // namespace wharf::wire

#endif  // WHARF_BROKER_WIRE_ROUTER_H_
