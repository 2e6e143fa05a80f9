// Router: decides which service and protocol answer an HTTP request, checks
// its signature when asked to, and hands it to that protocol's codec with the
// service's operation table (Api). Requests are routed by content:
//
//   smithy-protocol: rpc-v2-cbor, path ".../service/<Service>/operation/<Op>"
//                                        -> the RPC v2 CBOR API of that service
//   X-Amz-Target "<Prefix>.<Operation>"  -> the JSON API with that prefix
//   a method and path of a REST route    -> that REST-JSON API
//   otherwise an "Action" in the form body or query string
//                                        -> the query API having that action
//                                           (the SigV4 signing name decides
//                                           when several do)
//
// A body sent with "Content-Encoding: gzip" (CloudWatch PutMetricData from
// current SDKs) is inflated first, up to max_body_bytes.
//
// A request matching none gets an AWS error in the protocol it suggests
// (CBOR for the smithy-protocol header, JSON for application/x-amz-json-*,
// XML otherwise).
//
// Asynchronous: Handle answers through `respond`, exactly once, inline for
// most operations and later, from the thread that completes it, for a long
// poll (SQS ReceiveMessage), which ends early when request.cancel is stopped.
//
// Thread safety: thread-safe after construction (registration first).

#ifndef WHARF_BROKER_WIRE_ROUTER_H_
#define WHARF_BROKER_WIRE_ROUTER_H_

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "broker/wire/codec.h"
#include "broker/wire/http_types.h"
#include "broker/wire/rest_json_codec.h"
#include "broker/wire/sigv4.h"

namespace wharf::wire {

struct RouterOptions {
  // When set, every request must carry a SigV4 signature it accepts.
  std::shared_ptr<const SigV4Verifier> signatures;
  // Reported in errors for bodies the HTTP server flagged as too large; also
  // the most a gzip body may inflate to.
  size_t max_body_bytes = 8 << 20;
};

class Router {
 public:
  explicit Router(RouterOptions options) : options_(std::move(options)) {}

  // Registration; call before the first Handle. An API may be registered
  // with several protocols (SQS: query and JSON 1.0).
  void AddQuery(std::shared_ptr<const Api> api) { query_.push_back(std::move(api)); }
  void AddJson(std::shared_ptr<const Api> api) { json_.push_back(std::move(api)); }
  void AddCbor(std::shared_ptr<const Api> api) { cbor_.push_back(std::move(api)); }
  void AddRestJson(std::shared_ptr<const Api> api, const std::vector<RestRoute>& routes) {
    rest_.push_back(std::make_unique<RestJsonApi>(std::move(api), routes));
  }
  // A route outside the AWS protocols (the Prometheus text, the test clock):
  // matched first, on its exact path, before any signature check; another
  // method on that path is answered 405.
  using PlainHandler = std::function<HttpResponse(const HttpRequest&)>;
  void AddPlainRoute(std::string method, std::string path, PlainHandler handler) {
    plain_.push_back({std::move(method), std::move(path), std::move(handler)});
  }

  // Answers `request` through `respond` (exactly once, see above).
  void Handle(HttpRequest request, Respond respond) const;

 private:
  void HandleJson(HttpRequest request, std::string_view request_id, std::string_view target,
                  Respond respond) const;
  void HandleQuery(HttpRequest request, std::string_view request_id, Respond respond) const;
  void HandleCbor(HttpRequest request, std::string_view request_id, Respond respond) const;
  // The error response for a request no API took.
  HttpResponse Unroutable(const HttpRequest& request, std::string_view request_id,
                          const WireError& error) const;

  struct PlainRoute {
    std::string method;
    std::string path;
    PlainHandler handler;
  };

  const RouterOptions options_;
  std::vector<PlainRoute> plain_;
  std::vector<std::shared_ptr<const Api>> query_;
  std::vector<std::shared_ptr<const Api>> json_;
  std::vector<std::shared_ptr<const Api>> cbor_;
  std::vector<std::unique_ptr<RestJsonApi>> rest_;
};

}  // namespace wharf::wire

#endif  // WHARF_BROKER_WIRE_ROUTER_H_
