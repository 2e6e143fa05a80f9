// HttpServer: the embedded HTTP/1.1 server under the wire endpoint, on
// Boost.Asio and Boost.Beast's parser. A few I/O threads serve any number of
// connections; nothing in it blocks a thread. Requests are framed strictly
// (HttpRequestReader), screened by Host and Origin (OriginPolicy) and handed
// to one asynchronous handler, which answers through a Respond callback,
// now or later (a long poll), from any thread.
//
// Per connection: requests are answered in order, one at a time. While a
// request is with the handler the connection reads no further request (it
// keeps at most max_header_bytes of what the client sends ahead) but notices
// the client closing (within a quarter of a second), and then stops the
// request's `cancel` token. Deadlines are checked as often. An idle
// keep-alive connection is closed after idle_timeout; a request must arrive
// whole within request_timeout of its first byte (else 408 and close), and
// an answer must be taken by the client within request_timeout (else the
// connection is closed). A connection over max_connections is answered 503
// and closed. The refusals of HttpRequestReader and OriginPolicy are
// answered here, without the handler.
//
// Memory: per connection a buffer of at most max(4 KiB, max_header_bytes)
// while no body is read, plus the request in progress (its body is bounded
// by max_body_bytes) and its answer.
//
// Stop: stops accepting, closes idle connections, cancels the requests with
// the handler (so long polls answer with what they have), lets requests
// being received or answered finish for at most 0.4 s, then closes
// everything; it returns within a second whatever clients do. Answers that
// arrive after Stop are dropped.
//
// Thread safety: Start, Stop and the accessors are thread-safe. The handler
// is called from the I/O threads, concurrently; it must not block.

#ifndef WHARF_BROKER_HTTP_HTTP_SERVER_H_
#define WHARF_BROKER_HTTP_HTTP_SERVER_H_

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "broker/http/http_message.h"
#include "broker/http/http_parser.h"

namespace wharf::http_internal {

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  int port = 0;        // 0: any free port.
  int io_threads = 2;  // Threads serving every connection.
  HttpLimits limits;
  absl::Duration request_timeout = absl::Seconds(60);
  absl::Duration idle_timeout = absl::Seconds(5);
  // Beyond this many open connections a new one is answered 503 and closed.
  // Lowered to fit the process's descriptor limit (RLIMIT_NOFILE) at Start.
  size_t max_connections = 10'000;
  int listen_backlog = 4096;  // The kernel caps it (net.core.somaxconn).
  // Host and Origin screening (see origin_policy.h).
  std::vector<std::string> allowed_hosts;
  std::vector<std::string> allowed_origins;
};

class HttpServer {
 public:
  // Called once per request on an I/O thread. Must not block; answers by
  // calling `respond` exactly once, from any thread.
  using Handler = std::function<void(HttpRequest request, Respond respond)>;

  // Binds host:port and starts serving. Fails with Unavailable when the
  // address cannot be bound.
  static absl::StatusOr<std::unique_ptr<HttpServer>> Start(const HttpServerOptions& options,
                                                           Handler handler);
  // Start in two steps, for a handler that needs the bound port: Bind
  // listens (connections wait in the backlog), Serve starts serving them.
  static absl::StatusOr<std::unique_ptr<HttpServer>> Bind(const HttpServerOptions& options);
  // REQUIRES: called once, on a server from Bind.
  void Serve(Handler handler);

  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;
  ~HttpServer();  // Stops.

  // The bound port (the real one when options.port was 0).
  int port() const;
  const std::string& host() const;
  // Connections open now (refused ones excepted).
  size_t connections() const;
  // The connection cap in force (options.max_connections, maybe lowered).
  size_t max_connections() const;

  // See the header comment. Idempotent.
  void Stop();

  class Impl;

 private:
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace wharf::http_internal

#endif  // WHARF_BROKER_HTTP_HTTP_SERVER_H_
