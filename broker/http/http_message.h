// HttpRequest / HttpResponse: the protocol-independent view of one HTTP
// exchange that the wire layer decodes and encodes, and Respond, how an
// answer goes back. Keeping the protocols off the HTTP server's types lets
// unit tests and the fuzzer drive them without a socket.
//
// Thread safety: plain values; not synchronized. A Respond may be called from
// any thread (once).

#ifndef WHARF_BROKER_HTTP_HTTP_MESSAGE_H_
#define WHARF_BROKER_HTTP_HTTP_MESSAGE_H_

#include <stop_token>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/functional/any_invocable.h"

namespace wharf::http_internal {

struct HttpRequest {
  std::string method;  // "POST", "GET", ...
  std::string path;    // Raw (still percent-encoded) path, without the query.
  std::string query;   // Raw query string after '?', may be empty.
  // Header names in lower case, values as received, in arrival order.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // Set by the HTTP server when the body exceeded its limit; `body` is then
  // empty and the request must be answered with an error.
  bool body_too_large = false;
  // Stopped by the HTTP layer when the client disconnects or the endpoint
  // stops: a long poll in progress ends then (with what it has).
  std::stop_token cancel;

  // The first value of header `lower_name`, or "" when absent.
  std::string_view Header(std::string_view lower_name) const {
    for (const auto& [name, value] : headers) {
      if (name == lower_name) return value;
    }
    return {};
  }
  bool HasHeader(std::string_view lower_name) const {
    for (const auto& header : headers) {
      if (header.first == lower_name) return true;
    }
    return false;
  }
};

struct HttpResponse {
  int status = 200;
  std::string content_type;
  std::vector<std::pair<std::string, std::string>> headers;  // Besides Content-Type.
  std::string body;
};

// Sends the answer to a request: called exactly once, possibly later and from
// another thread than the one that received the request.
using Respond = absl::AnyInvocable<void(HttpResponse) &&>;

}  // namespace wharf::http_internal

#endif  // WHARF_BROKER_HTTP_HTTP_MESSAGE_H_
