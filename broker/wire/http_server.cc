#include "broker/wire/http_server.h"

#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <functional>
#include <string>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace wharf::wire {
namespace {

// Copies what the wire layer needs out of cpp-httplib's request.
HttpRequest Convert(const httplib::Request& req) {
  HttpRequest out;
  out.method = req.method;
  const std::string& target = req.target;
  size_t q = target.find('?');
  out.path = target.substr(0, q);
  if (q != std::string::npos) out.query = target.substr(q + 1);
  out.headers.reserve(req.headers.size());
  for (const auto& [name, value] : req.headers) {
    out.headers.emplace_back(absl::AsciiStrToLower(name), value);
  }
  return out;
}

void Fill(HttpResponse&& from, httplib::Response& to) {
  to.status = from.status;
  for (auto& [name, value] : from.headers) to.set_header(name.c_str(), value);
  to.set_content(std::move(from.body), from.content_type.c_str());
}

// The numeric address and port of a socket's local or peer end.
void SocketAddress(int fd, bool peer, std::string& ip, int& port) {
  sockaddr_storage addr{};
  socklen_t len = sizeof(addr);
  auto* sa = reinterpret_cast<sockaddr*>(&addr);
  if ((peer ? getpeername(fd, sa, &len) : getsockname(fd, sa, &len)) != 0) return;
  char text[INET6_ADDRSTRLEN] = "";
  if (addr.ss_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(&addr);
    inet_ntop(AF_INET, &in->sin_addr, text, sizeof(text));
    port = ntohs(in->sin_port);
  } else if (addr.ss_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&addr);
    inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof(text));
    port = ntohs(in6->sin6_port);
  }
  ip = text;
}

// One open connection, as the server's registry sees it. Lives on its
// worker's stack while registered.
struct Connection {
  int fd;
  // While the worker waits for the first byte of a request: when the wait
  // began (steady-clock nanoseconds, odd so never 0); otherwise 0.
  std::atomic<int64_t> idle_since{0};
};

// What a server's connections read while they wait for a request.
struct ServerState {
  explicit ServerState(size_t threads) : threads(threads) {}

  // An idle connection gives up its worker: the server stops, or a newer
  // connection waits for a worker.
  bool IdleMustYield() const { return closing.load() || held.load() > threads; }

  const size_t threads;              // Workers.
  std::atomic<bool> closing{false};  // Stop was called.
  std::atomic<size_t> held{0};       // Connections being served or waiting for a worker.
};

// A connection as cpp-httplib's request parser sees it. Reads block in recv
// (SO_RCVTIMEO bounds each wait) and are buffered; writes are buffered and
// leave in one send per response (Flush), or earlier when a read must wait,
// so that an interim "100 Continue" reaches the client. cpp-httplib's own
// socket stream polls before every recv and send and asks for both addresses
// on every request: about six times the system calls.
//
// Thread safety: used by one worker thread.
class BufferedSocketStream final : public httplib::Stream {
 public:
  // A wait for a new request ends when `server` says an idle connection
  // must yield.
  BufferedSocketStream(Connection& connection, const ServerState& server,
                       std::chrono::seconds idle_timeout, std::chrono::seconds read_timeout)
      : connection_(connection),
        server_(server),
        idle_timeout_(idle_timeout),
        read_timeout_(read_timeout) {
    SocketAddress(connection.fd, /*peer=*/true, remote_ip_, remote_port_);
    SocketAddress(connection.fd, /*peer=*/false, local_ip_, local_port_);
  }

  // A request begins: until its first byte arrives, waiting for it is
  // bounded by the idle timeout rather than the read timeout.
  void StartRequest() { request_started_ = in_begin_ < in_end_; }

  // True once a response said "Connection: close": the server must close.
  bool close_requested() const { return close_requested_; }
  // Bytes received beyond the requests parsed so far.
  bool has_unread_input() const { return in_begin_ < in_end_; }

  // Sends what write() buffered. False once the connection failed.
  bool Flush() {
    for (size_t sent = 0; sent < out_.size() && !failed_;) {
      ssize_t n = send(connection_.fd, out_.data() + sent, out_.size() - sent, MSG_NOSIGNAL);
      if (n > 0) {
        sent += static_cast<size_t>(n);
      } else if (n < 0 && errno != EINTR) {
        failed_ = true;
      }
    }
    out_.clear();
    return !failed_;
  }

  bool is_readable() const override {
    if (in_begin_ < in_end_) return true;
    pollfd p{.fd = connection_.fd, .events = POLLIN, .revents = 0};
    return poll(&p, 1, static_cast<int>(read_timeout_.count() * 1000)) > 0;
  }
  bool is_writable() const override { return !failed_; }

  ssize_t read(char* ptr, size_t size) override {
    if (in_begin_ == in_end_) {
      if (ssize_t n = Fill(); n <= 0) return n;
    }
    const size_t n = std::min(size, in_end_ - in_begin_);
    std::memcpy(ptr, in_.data() + in_begin_, n);
    in_begin_ += n;
    return static_cast<ssize_t>(n);
  }

  ssize_t write(const char* ptr, size_t size) override {
    if (failed_) return -1;
    // cpp-httplib writes a response's status line and headers in one call.
    const std::string_view data(ptr, size);
    if (data.starts_with("HTTP/1.")) {
      const std::string_view head = data.substr(0, data.find("\r\n\r\n") + 2);
      if (head.find("\r\nConnection: close\r\n") != std::string_view::npos) {
        close_requested_ = true;
      }
    }
    out_.append(ptr, size);
    if (out_.size() >= kFlushBytes && !Flush()) return -1;
    return static_cast<ssize_t>(size);
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    ip = remote_ip_;
    port = remote_port_;
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    ip = local_ip_;
    port = local_port_;
  }
  socket_t socket() const override { return connection_.fd; }

 private:
  static constexpr size_t kFlushBytes = 64 << 10;

  // Refills the empty input buffer: the number of bytes read; 0 when the
  // connection ends between requests (end of stream, or the server closes
  // it); -1 on an error, a timeout, or an end of stream inside a request
  // (cpp-httplib would take 0 there for a complete body). SO_RCVTIMEO is at
  // most either timeout, so a timeout is noticed within one SO_RCVTIMEO.
  ssize_t Fill() {
    if (!Flush()) return -1;
    const bool idle = !request_started_;
    const auto start = std::chrono::steady_clock::now();
    const std::chrono::seconds limit = idle ? idle_timeout_ : read_timeout_;
    for (;;) {
      if (idle) {
        // Announced before the server state is read, while Stop and a new
        // connection change that state before they look for idle
        // connections (all sequentially consistent): either this sees the
        // change or the change sees this wait.
        connection_.idle_since.store(start.time_since_epoch().count() | 1);
        if (server_.IdleMustYield()) return 0;
      }
      ssize_t n = recv(connection_.fd, in_.data(), in_.size(), 0);
      // A closer claims an idle connection by swapping idle_since to 0
      // before it shuts the socket: if one did, whatever arrived is dropped
      // unanswered (the client retries, as for any closed idle connection)
      // rather than read short and answered with an error.
      if (idle && connection_.idle_since.exchange(0) == 0) {
        failed_ = true;
        return 0;
      }
      if (n > 0) {
        in_begin_ = 0;
        in_end_ = static_cast<size_t>(n);
        request_started_ = true;
        return n;
      }
      if (n == 0) return idle ? 0 : -1;
      if (errno == EINTR) continue;
      if ((errno != EAGAIN && errno != EWOULDBLOCK) ||
          std::chrono::steady_clock::now() - start >= limit) {
        return -1;
      }
    }
  }

  Connection& connection_;
  const ServerState& server_;
  const std::chrono::seconds idle_timeout_;
  const std::chrono::seconds read_timeout_;
  std::string remote_ip_, local_ip_;
  int remote_port_ = 0, local_port_ = 0;
  std::array<char, 16 << 10> in_;
  size_t in_begin_ = 0, in_end_ = 0;
  bool request_started_ = false;
  bool close_requested_ = false;
  std::string out_;
  bool failed_ = false;
};

// Closes `fd`, which may have unread input, once the peer has had what was
// sent. A plain close with unread input sends a reset, which can destroy the
// last response before the peer reads it; so the write side is shut first
// and input is drained until the peer closes, for at most a second.
void LingeringClose(int fd) {
  shutdown(fd, SHUT_WR);
  timeval step{.tv_sec = 0, .tv_usec = 100'000};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &step, sizeof(step));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  std::array<char, 4096> scratch;
  while (std::chrono::steady_clock::now() < deadline) {
    ssize_t n = recv(fd, scratch.data(), scratch.size(), 0);
    if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK)) break;
  }
  close(fd);
}

// True when cpp-httplib reads the body of a request with this method; for
// other methods a body is left unread.
bool BodyIsRead(const std::string& method) {
  return method == "POST" || method == "PUT" || method == "PATCH" || method == "DELETE" ||
         method == "PRI";
}

// Framing a request smuggler could use: Transfer-Encoding other than plain
// "chunked", or with Content-Length, or either header repeated. cpp-httplib
// 0.11.4 would pick one reading; such requests are refused unread.
bool FramingIsAmbiguous(const httplib::Request& req) {
  const size_t te = req.get_header_value_count("Transfer-Encoding");
  const size_t cl = req.get_header_value_count("Content-Length");
  return te > 1 || cl > 1 ||
         (te == 1 && (cl > 0 || !absl::EqualsIgnoreCase(req.get_header_value("Transfer-Encoding"),
                                                        "chunked")));
}

// Called by cpp-httplib once a request's head is parsed, before its body.
// Returns true (and marks the request "Connection: close", which the answer
// repeats) when the connection must close after the answer because the
// bytes after the head may not end where cpp-httplib thinks: a body it does
// not read (a GET's), a chunked body (0.11.4's chunk parser is lenient), or
// ambiguous framing. A body-carrying request with neither length header
// has an empty body (RFC 9112 section 6.3), not one that runs to the end of
// the stream.
bool PrepareRequest(httplib::Request& req) {
  const bool reads_body = BodyIsRead(req.method);
  const bool has_length = req.has_header("Content-Length");
  const bool chunked = req.has_header("Transfer-Encoding");
  if (reads_body && !has_length && !chunked) req.set_header("Content-Length", "0");
  const bool close = chunked || FramingIsAmbiguous(req) ||
                     (!reads_body && has_length && req.get_header_value("Content-Length") != "0");
  if (close) {
    req.headers.erase("Connection");
    req.set_header("Connection", "close");
  }
  return close;
}

}  // namespace

// cpp-httplib's Server with its per-connection loop replaced (the virtual
// process_and_close_socket): requests are still parsed, routed and answered
// by cpp-httplib (process_request), over a BufferedSocketStream. The
// connection is closed after a response that says "Connection: close" and
// after a request that could not be parsed, so that bytes cpp-httplib left
// unread are never taken for the next request.
//
// A connection holds its worker while kept alive, so idle connections could
// starve new ones. When a connection arrives with every worker taken, the
// connection idle the longest is closed, and while one waits, a connection
// that falls idle closes at once (HTTP lets a server close an idle connection
// at any time; clients reconnect).
//
// Thread safety: the loop runs on cpp-httplib's workers; the public methods
// may be called from any thread.
class HttpServer::KeepAliveServer final : public httplib::Server {
 public:
  explicit KeepAliveServer(size_t threads) : state_(threads) {
    // A response given while the server stops says that the connection
    // closes after it.
    set_post_routing_handler([this](const httplib::Request&, httplib::Response& res) {
      if (Closing()) res.set_header("Connection", "close");
    });
    // Ambiguous framing is refused before any of the body is read.
    set_pre_routing_handler([](const httplib::Request& req, httplib::Response& res) {
      if (!FramingIsAmbiguous(req)) return HandlerResponse::Unhandled;
      res.status = 400;
      return HandlerResponse::Handled;
    });
  }

  // Stops serving: connections waiting for a request close at once, others
  // once their request in progress is answered, and connections accepted
  // later close unanswered.
  void CloseConnections() ABSL_LOCKS_EXCLUDED(mu_) {
    MutexLock lock(&mu_);
    state_.closing.store(true);  // Sequentially consistent: see Fill.
    for (Connection* c : open_) {
      if (Claim(*c)) shutdown(c->fd, SHUT_RD);
    }
  }

  // A connection was accepted: it is served when a worker is free. With
  // every worker taken, the connection idle the longest makes room.
  void ConnectionArrived() ABSL_LOCKS_EXCLUDED(mu_) {
    if (state_.held.fetch_add(1) >= state_.threads) CloseIdlestConnection();
  }
  // A connection's worker is free again.
  void ConnectionDone() { state_.held.fetch_sub(1); }

  // cpp-httplib's thread pool, telling the server when a connection arrives
  // and when its worker is free again.
  class WorkerPool final : public httplib::TaskQueue {
   public:
    WorkerPool(size_t threads, KeepAliveServer& server) : server_(server), pool_(threads) {}

    void enqueue(std::function<void()> job) override {
      server_.ConnectionArrived();
      pool_.enqueue([this, job = std::move(job)] {
        job();
        server_.ConnectionDone();
      });
    }
    void shutdown() override { pool_.shutdown(); }

   private:
    KeepAliveServer& server_;
    httplib::ThreadPool pool_;
  };

 private:
  // Takes an idle connection from its worker (see Fill): true if it was
  // idle and nobody else took it.
  static bool Claim(Connection& c) {
    int64_t since = c.idle_since.load();  // Sequentially consistent: see Fill.
    return since != 0 && c.idle_since.compare_exchange_strong(since, 0);
  }

  // Closes the connection that has waited longest for its next request, if
  // any waits. O(open connections) per attempt.
  void CloseIdlestConnection() ABSL_LOCKS_EXCLUDED(mu_) {
    MutexLock lock(&mu_);
    for (;;) {
      Connection* idlest = nullptr;
      int64_t oldest = 0;
      for (Connection* c : open_) {
        const int64_t since = c->idle_since.load();  // Sequentially consistent: see Fill.
        if (since != 0 && (idlest == nullptr || since < oldest)) {
          idlest = c;
          oldest = since;
        }
      }
      if (idlest == nullptr) return;
      if (idlest->idle_since.compare_exchange_strong(oldest, 0)) {  // Claimed (see Claim).
        shutdown(idlest->fd, SHUT_RD);
        return;
      }  // Its request arrived meanwhile: look again.
    }
  }

  bool process_and_close_socket(socket_t fd) override {
    Connection connection{.fd = fd};
    bool ok = Register(&connection);
    bool linger = false;
    if (ok) {
      int one = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
      timeval wait{.tv_sec = std::min(keep_alive_timeout_sec_, read_timeout_sec_), .tv_usec = 0};
      setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof(wait));
      BufferedSocketStream stream(connection, state_, std::chrono::seconds(keep_alive_timeout_sec_),
                                  std::chrono::seconds(read_timeout_sec_));
      for (size_t left = keep_alive_max_count_; left > 0; --left) {
        stream.StartRequest();
        bool parsed = false;
        bool untrusted = false;  // What follows the request may be misread.
        bool closed = false;
        ok = process_request(stream, /*close_connection=*/left == 1 || Closing(), closed,
                             [&](httplib::Request& req) {
                               parsed = true;
                               untrusted = PrepareRequest(req);
                             });
        if (!stream.Flush() || !ok) break;
        if (!parsed || untrusted || closed || stream.close_requested() || Closing()) {
          // Input may be left unread when the server is the one to close.
          linger = !parsed || untrusted || stream.close_requested() || stream.has_unread_input();
          break;
        }
      }
      Unregister(&connection);
    }
    if (linger) {
      LingeringClose(fd);
    } else {
      close(fd);
    }
    return ok;
  }

  bool Register(Connection* c) ABSL_LOCKS_EXCLUDED(mu_) {
    MutexLock lock(&mu_);
    if (state_.closing.load(std::memory_order_relaxed)) return false;
    open_.insert(c);
    return true;
  }
  // Before the socket is closed, so a reused descriptor is never shut down.
  void Unregister(Connection* c) ABSL_LOCKS_EXCLUDED(mu_) {
    MutexLock lock(&mu_);
    open_.erase(c);
  }
  bool Closing() const { return state_.closing.load(std::memory_order_relaxed); }

  Mutex mu_;
  ServerState state_;  // closing is set under mu_, so Register sees it.
  absl::flat_hash_set<Connection*> open_ ABSL_GUARDED_BY(mu_);
};

HttpServer::HttpServer(const HttpServerOptions& options, Handler handler)
    : options_(options),
      handler_(std::move(handler)),
      server_(
          std::make_unique<KeepAliveServer>(static_cast<size_t>(std::max(1, options.threads)))) {}

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(const HttpServerOptions& options,
                                                              Handler handler) {
  std::unique_ptr<HttpServer> self(new HttpServer(options, std::move(handler)));
  KeepAliveServer& server = *self->server_;
  const size_t threads = static_cast<size_t>(std::max(1, options.threads));
  server.new_task_queue = [threads, &server] {
    return new KeepAliveServer::WorkerPool(threads, server);
  };
  server.set_keep_alive_max_count(
      static_cast<size_t>(std::max(1, options.keep_alive_max_requests)));
  server.set_keep_alive_timeout(std::max(1, options.keep_alive_timeout_seconds));
  server.set_read_timeout(std::max(1, options.read_timeout_seconds));
  server.set_write_timeout(std::max(1, options.read_timeout_seconds));
  server.set_tcp_nodelay(true);
  // cpp-httplib's default also sets SO_REUSEPORT, which would let a second
  // server bind the same port and silently share its traffic.
  server.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, reinterpret_cast<const void*>(&yes), sizeof(yes));
  });
  // Hard cap far above max_body_bytes: between the two the body is drained
  // and discarded so the client still gets an AWS-style error.
  server.set_payload_max_length(options.max_body_bytes * 4 + 4096);

  const HttpServer* raw = self.get();
  // Bodies are read through a ContentReader so that cpp-httplib does not
  // parse url-encoded forms itself (it refuses forms over 8 KiB).
  auto with_body = [raw](const httplib::Request& req, httplib::Response& res,
                         const httplib::ContentReader& content_reader) {
    HttpRequest request = Convert(req);
    bool complete;
    if (req.is_multipart_form_data()) {
      // Not an AWS protocol: drain and drop the parts; the handler answers
      // the (empty) request with an error.
      complete = content_reader([](const httplib::MultipartFormData&) { return true; },
                                [](const char*, size_t) { return true; });
    } else {
      const size_t limit = raw->options_.max_body_bytes;
      complete = content_reader([&request, limit](const char* data, size_t size) {
        if (request.body_too_large) return true;
        if (request.body.size() + size > limit) {
          request.body_too_large = true;
          request.body.clear();
          request.body.shrink_to_fit();
          return true;
        }
        request.body.append(data, size);
        return true;
      });
    }
    if (!complete) {
      // A body cut short (the client went away or stalled) or malformed is
      // never handled: what arrived could still parse.
      if (res.status == -1) res.status = 400;
      res.set_header("Connection", "close");
      return;
    }
    Fill(raw->handler_(request), res);
  };
  auto without_body = [raw](const httplib::Request& req, httplib::Response& res) {
    Fill(raw->handler_(Convert(req)), res);
  };
  server.Post(".*", with_body);
  server.Put(".*", with_body);
  server.Get(".*", without_body);
  server.Delete(".*", without_body);
  server.set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
        res.status = 500;
        res.set_content("", "text/plain");
      });

  int port = options.port;
  if (port == 0) {
    port = server.bind_to_any_port(options.host);
    if (port < 0) {
      return absl::UnavailableError(absl::StrCat("cannot bind ", options.host, ":0"));
    }
  } else if (!server.bind_to_port(options.host, port)) {
    return absl::UnavailableError(absl::StrCat("cannot bind ", options.host, ":", port));
  }
  self->port_ = port;
  {
    MutexLock lock(&self->mu_);
    self->listener_ = std::thread([raw] {
      raw->server_->listen_after_bind();
      raw->listener_done_.store(true, std::memory_order_release);
    });
  }
  // listen_after_bind flips is_running() on its own thread; wait so that a
  // Stop() right after Start() cannot race with it.
  while (!server.is_running() && !self->listener_done_.load(std::memory_order_acquire)) {
    std::this_thread::yield();
  }
  return self;
}

HttpServer::~HttpServer() { Stop(); }

void HttpServer::Stop() {
  MutexLock lock(&mu_);
  if (!listener_.joinable()) return;
  server_->stop();
  server_->CloseConnections();
  listener_.join();
}

}  // namespace wharf::wire
