// File: broker/http/http_server_internal.h
//
// The insides of HttpServer (http_server.h), shared by http_server.cc (the
// acceptor, the I/O threads, Stop) and http_session.cc (one connection).
// Thread safety: a Worker and its Sessions are touched on the worker's I/O
// thread only; Impl's counters are atomics; its other fields are set before
// Run and then only read.

#ifndef WHARF_BROKER_HTTP_HTTP_SERVER_INTERNAL_H_
#define WHARF_BROKER_HTTP_HTTP_SERVER_INTERNAL_H_

#include <array>
#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <chrono>
#include <cstdint>
#include <ctime>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "broker/base/mutex.h"
#include "broker/http/http_parser.h"
#include "broker/http/http_server.h"
#include "broker/http/origin_policy.h"

namespace wharf::http_internal {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using boost::system::error_code;
using SteadyClock = std::chrono::steady_clock;

// Lets answers find their connection while the server runs, and drops those
// that arrive after Stop (the I/O threads are gone then).
struct Gate {
  Mutex mu;
  bool open ABSL_GUARDED_BY(mu) = true;
};

class Session;

// One I/O thread: its io_context and the connections it serves. Everything
// but `io` (whose post is thread-safe) is touched on the thread only.
struct Worker {
  asio::io_context io{1};
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> guard;
  asio::steady_timer sweep{io};
  absl::flat_hash_map<Session*, std::shared_ptr<Session>> sessions;
  std::string date;  // "Date: ...\r\n" of date_second.
  std::time_t date_second = 0;
  std::thread thread;

  const std::string& DateHeader() {
    const std::time_t now = std::time(nullptr);
    if (now != date_second) {
      date_second = now;
      std::tm tm;
      gmtime_r(&now, &tm);
      char text[64];
      std::strftime(text, sizeof(text), "Date: %a, %d %b %Y %H:%M:%S GMT\r\n", &tm);
      date = text;
    }
    return date;
  }
};

class HttpServer::Impl {
 public:
  explicit Impl(const HttpServerOptions& options) : options(options) {}
  ~Impl() { Stop(); }

  absl::Status Bind();
  void Run();
  void Stop() ABSL_LOCKS_EXCLUDED(mu);

  // A connection closed (on its I/O thread).
  void ConnectionClosed(bool refused);
  // A connection's busy phase ended (on its I/O thread).
  void BusyEnded();
  bool stopping() const { return stopping_.load(std::memory_order_relaxed); }

  const HttpServerOptions options;
  Handler handler;                               // Set once, before Run.
  std::vector<std::unique_ptr<Worker>> workers;  // Before the acceptor: destroyed after it.
  std::optional<tcp::acceptor> acceptor;         // On workers[0].
  std::optional<asio::steady_timer> accept_retry;
  std::optional<OriginPolicy> policy;
  const std::shared_ptr<Gate> gate = std::make_shared<Gate>();
  size_t max_connections = 0;
  int port = 0;
  std::atomic<size_t> open{0};      // Connections counted against max_connections.
  std::atomic<size_t> refusing{0};  // Connections being answered 503.
  std::atomic<size_t> busy{0};      // Connections with a request in progress.

 private:
  void Accept();
  void Accepted(Worker& worker, tcp::socket socket);

  size_t next_worker_ = 0;  // Acceptor thread only.
  std::atomic<bool> stopping_{false};
  Mutex mu;
  CondVar drained_;
  bool stopped_ ABSL_GUARDED_BY(mu) = false;
};

// One connection. Lives on its Worker's thread: every member is touched
// there only. Owned by the worker's table while open, and by the handlers
// of its pending operations.
class Session final : public std::enable_shared_from_this<Session> {
 public:
  Session(HttpServer::Impl& server, Worker& worker, tcp::socket socket);
  void Start();

  // Answers 503 and closes: the server has max_connections open.
  void Refuse();

  // The server stops: no new request starts; what is with the handler is
  // cancelled so that it answers now.
  void BeginStop();

  // Every kSweepInterval: deadlines, and a request with the handler since
  // the last tick starts being watched for the client closing. (Not at
  // once: most answers come within microseconds, and a read started before
  // the answer costs a failed system call.)
  void Tick(SteadyClock::time_point now);

  // From a Responder, on this thread.
  void Deliver(uint64_t seq, HttpResponse response);
  void Close();

 private:
  enum class Phase {
    kIdle,       // Waiting for a request's first byte (idle_timeout).
    kReceiving,  // A request is arriving (request_timeout from its first byte).
    kHandling,   // With the handler; no deadline.
    kWriting,    // The answer is being sent (request_timeout).
    kLingering,  // Write side shut; reading until the client closes (kLinger).
    kClosed,
  };

  // Busy phases (a request arriving, with the handler, or being answered)
  // are counted for Stop, which waits for them to end.
  static bool Busy(Phase phase);
  void SetPhase(Phase phase);
  void EnterIdle();

  // One read at a time. While no answer is pending, reads go straight into
  // buffer_; while one is (kHandling, kWriting), they go into watch_ and
  // are appended to buffer_ on completion, so that buffer_ can be parsed
  // and consumed meanwhile without moving memory under a pending read.
  void Read();
  void OnRead(const error_code& ec, size_t n);
  void Parse();

  // The interim answer a client that sent "Expect: 100-continue" waits for.
  // 25 bytes into a socket with nothing else queued: sent without waiting;
  // if the socket is full the client sends its body after its own delay.
  void SendContinue();

  // A complete request (or a 413 one): screened, then given to the handler.
  void Dispatch(bool close_after);

  // Answers on the server's own account (malformed, late) and closes; the
  // client gets kLinger to take the answer.
  void Refusal(HttpResponse response);

  // Sends `response`; the client must take it within `timeout`.
  void Answer(HttpResponse response, SteadyClock::duration timeout);
  void OnWritten(const error_code& ec);

  // Closes once the client has had the answer: a close with unread input
  // sends a reset, which can destroy the answer before the client reads
  // it. So the write side is shut and input drained until the client
  // closes, for at most kLinger.
  void Linger();

  HttpServer::Impl& server_;
  Worker& worker_;
  tcp::socket socket_;
  enum class Reading { kNone, kBuffer, kWatch };

  boost::beast::flat_buffer buffer_;  // Received, not yet parsed.
  std::array<char, 512> watch_;       // See Read.
  HttpRequestReader reader_;
  const SteadyClock::duration idle_timeout_;
  const SteadyClock::duration request_timeout_;

  Phase phase_ = Phase::kIdle;  // Set through SetPhase only.
  SteadyClock::time_point deadline_ = SteadyClock::time_point::max();
  Reading reading_ = Reading::kNone;
  bool keep_alive_ = true;
  bool peer_gone_ = false;
  bool continue_sent_ = false;
  bool head_only_ = false;
  bool refused_ = false;
  uint64_t seq_ = 0;         // The request with the handler.
  std::stop_source cancel_;  // Its cancel token's source.
  std::string cors_origin_;  // Its allowed foreign origin, if any.
  std::string head_;         // The answer being written.
  std::string body_;
};

}  // namespace wharf::http_internal

#endif  // WHARF_BROKER_HTTP_HTTP_SERVER_INTERNAL_H_
