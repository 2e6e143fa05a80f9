// HttpConnection: one synchronous HTTP/1.1 keep-alive connection (Boost.Beast
// over Asio; TLS through OpenSSL for https). wharf-bench opens one per worker
// thread, so a call never waits for another thread's.
//
//   HttpConnection c(HttpConnection::ParseUrl("http://127.0.0.1:4566").value());
//   absl::StatusOr<http_internal::HttpResponse> r = c.RoundTrip(request);
//
// A connection the server closed (an idle keep-alive timeout) is reopened
// and the request sent again once, when nothing of its answer had arrived.
// Every call is bounded by the timeout (socket send and receive timeouts).
//
// Thread safety: not thread-safe; one thread at a time.

#ifndef WHARF_BROKER_TOOLS_BENCH_HTTP_CONNECTION_H_
#define WHARF_BROKER_TOOLS_BENCH_HTTP_CONNECTION_H_

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "broker/http/http_message.h"

namespace wharf::bench {

class HttpConnection {
 public:
  struct Url {
    bool tls = false;
    std::string host;
    std::string port;  // "80" / "443" when the URL names none.
    std::string path;  // "/" when the URL names none.
    // "host" or "host:port" as the Host header carries it.
    std::string HostHeader() const;
  };
  // Parses http://HOST[:PORT][/PATH] and https://... Errors: InvalidArgument.
  static absl::StatusOr<Url> ParseUrl(std::string_view url);

  // Connects lazily, on the first RoundTrip.
  explicit HttpConnection(Url url, absl::Duration timeout = absl::Seconds(60));
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;
  ~HttpConnection();

  // Sends request.method, path (url.path when empty), query, headers and
  // body, adding Host and Content-Length; returns the response with header
  // names in lower case. Errors: Unavailable (connect, send, receive,
  // timeout), with the system's reason.
  absl::StatusOr<http_internal::HttpResponse> RoundTrip(const http_internal::HttpRequest& request);

  const Url& url() const { return url_; }

 private:
  struct Impl;
  Url url_;
  absl::Duration timeout_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace wharf::bench

#endif  // WHARF_BROKER_TOOLS_BENCH_HTTP_CONNECTION_H_
