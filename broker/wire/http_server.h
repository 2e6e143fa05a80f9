// HttpServer: the embedded HTTP/1.1 server under the wire endpoint, built on
// cpp-httplib. It binds a listening socket, serves requests on a fixed pool
// of worker threads with keep-alive, reads request bodies itself (bounded by
// max_body_bytes, so an oversized body is drained and flagged rather than
// buffered) and hands each request, as an HttpRequest, to one handler.
//
// Each connection is served on one worker for as long as it is kept alive,
// so `threads` bounds the number of connections served at once; a long poll
// holds its worker for the length of the poll. A connection that arrives
// with every worker taken makes the server close the connection idle the
// longest, if any (otherwise it waits for a worker). cpp-httplib parses,
// routes and answers the requests; the connection loop is wharf's own (fewer
// system calls per request, see http_server.cc).
//
// Thread safety: Start, Stop and the accessors are thread-safe. The handler
// is called concurrently from the worker threads.

#ifndef WHARF_BROKER_WIRE_HTTP_SERVER_H_
#define WHARF_BROKER_WIRE_HTTP_SERVER_H_

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "broker/base/mutex.h"
#include "broker/wire/http_message.h"

namespace wharf::wire {

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  int port = 0;  // 0: any free port.
  int threads = 32;
  // Bodies longer than this are read and discarded; the handler sees
  // body_too_large. Far larger bodies (over 4x) are refused by cpp-httplib
  // with a bare 413 and the connection is closed.
  size_t max_body_bytes = 8 << 20;
  int keep_alive_timeout_seconds = 5;
  int keep_alive_max_requests = 1'000'000;
  int read_timeout_seconds = 30;
};

class HttpServer {
 public:
  using Handler = std::function<HttpResponse(const HttpRequest&)>;

  // Binds host:port and starts serving on a background thread. Fails with
  // Unavailable when the address cannot be bound.
  static absl::StatusOr<std::unique_ptr<HttpServer>> Start(const HttpServerOptions& options,
                                                           Handler handler);

  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;
  ~HttpServer();  // Stops.

  // The bound port (the real one when options.port was 0).
  int port() const { return port_; }
  const std::string& host() const { return options_.host; }

  // Stops accepting, closes idle keep-alive connections, lets requests in
  // progress finish (a long poll finishes at its own deadline) and joins the
  // workers. Idempotent.
  void Stop() ABSL_LOCKS_EXCLUDED(mu_);

 private:
  class KeepAliveServer;
  HttpServer(const HttpServerOptions& options, Handler handler);

  const HttpServerOptions options_;
  const Handler handler_;
  std::unique_ptr<KeepAliveServer> server_;
  int port_ = 0;
  mutable std::atomic<bool> listener_done_{false};

  Mutex mu_;
  std::thread listener_ ABSL_GUARDED_BY(mu_);
};

}  // namespace wharf::wire

#endif  // WHARF_BROKER_WIRE_HTTP_SERVER_H_
