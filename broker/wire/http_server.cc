#include "broker/wire/http_server.h"

#include <pthread.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <chrono>
#include <cstring>
#include <ctime>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "broker/base/mutex.h"
#include "broker/wire/origin_policy.h"

namespace wharf::wire {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using boost::system::error_code;
using SteadyClock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr size_t kHeadReadBytes = 4096;        // A read while no body is expected.
constexpr size_t kBodyReadBytes = 64 << 10;    // A read while a body arrives.
constexpr size_t kKeptBufferBytes = 16 << 10;  // A larger idle buffer is freed.
constexpr auto kSweepInterval = 250ms;         // Deadlines are checked this often.
constexpr auto kLinger = 1s;                   // Reading what a closed-on client still sends.
constexpr auto kStopGrace = 400ms;             // Stop waits this long for work in progress.
constexpr size_t kMaxRefusing = 256;           // 503 answers in flight; beyond, a plain close.
constexpr int kDescriptorReserve = 64;         // Descriptors left to the rest of the process.

const char* Reason(int status) {
  switch (status) {
    case 100:
      return "Continue";
    case 200:
      return "OK";
    case 204:
      return "No Content";
    case 400:
      return "Bad Request";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 413:
      return "Payload Too Large";
    case 414:
      return "URI Too Long";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 503:
      return "Service Unavailable";
    default:
      return status < 400 ? "OK" : status < 500 ? "Client Error" : "Server Error";
  }
}

// An answer the server gives on its own (refusals, deadlines).
HttpResponse PlainResponse(int status, std::string_view text) {
  HttpResponse response;
  response.status = status;
  response.content_type = "text/plain; charset=utf-8";
  response.body = absl::StrCat("wharf: ", absl::string_view(text.data(), text.size()), "\n");
  return response;
}

bool HasBody(int status) { return status >= 200 && status != 204 && status != 304; }

// Lets answers find their connection while the server runs, and drops those
// that arrive after Stop (the I/O threads are gone then).
struct Gate {
  Mutex mu;
  bool open ABSL_GUARDED_BY(mu) = true;
};

}  // namespace

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

namespace {

// The Respond of one request: posts the answer to the connection's thread.
// Dropped without being called (a handler bug, or an exception), it answers
// 500 so that the connection does not wait forever.
class Responder {
 public:
  Responder(std::weak_ptr<Session> session, std::shared_ptr<Gate> gate, asio::io_context* io,
            uint64_t seq)
      : session_(std::move(session)), gate_(std::move(gate)), io_(io), seq_(seq) {}
  Responder(Responder&& other) noexcept
      : session_(std::move(other.session_)),
        gate_(std::move(other.gate_)),
        io_(other.io_),
        seq_(other.seq_),
        armed_(std::exchange(other.armed_, false)) {}
  Responder& operator=(Responder&&) = delete;
  ~Responder() {
    if (armed_) Send(PlainResponse(500, "the request was dropped unanswered"));
  }

  void operator()(HttpResponse response) && {
    armed_ = false;
    Send(std::move(response));
  }

 private:
  void Send(HttpResponse response);

  std::weak_ptr<Session> session_;
  std::shared_ptr<Gate> gate_;
  asio::io_context* io_;
  uint64_t seq_;
  bool armed_ = true;
};

}  // namespace

// One connection. Lives on its Worker's thread: every member is touched
// there only. Owned by the worker's table while open, and by the handlers
// of its pending operations.
class Session final : public std::enable_shared_from_this<Session> {
 public:
  Session(HttpServer::Impl& server, Worker& worker, tcp::socket socket)
      : server_(server),
        worker_(worker),
        socket_(std::move(socket)),
        reader_(server.options.limits),
        idle_timeout_(absl::ToChronoNanoseconds(server.options.idle_timeout)),
        request_timeout_(absl::ToChronoNanoseconds(server.options.request_timeout)) {}

  void Start() {
    error_code ignored;
    socket_.set_option(tcp::no_delay(true), ignored);
    EnterIdle();
  }

  // Answers 503 and closes: the server has max_connections open.
  void Refuse() {
    refused_ = true;
    SetPhase(Phase::kHandling);
    keep_alive_ = false;
    HttpResponse response = PlainResponse(503, "too many connections; try again later");
    response.headers.emplace_back("Retry-After", "1");
    Answer(std::move(response), kLinger);
  }

  // The server stops: no new request starts; what is with the handler is
  // cancelled so that it answers now.
  void BeginStop() {
    keep_alive_ = false;
    if (phase_ == Phase::kIdle) return Close();
    if (phase_ == Phase::kHandling) cancel_.request_stop();
  }

  // Every kSweepInterval: deadlines, and a request with the handler since
  // the last tick starts being watched for the client closing. (Not at
  // once: most answers come within microseconds, and a read started before
  // the answer costs a failed system call.)
  void Tick(SteadyClock::time_point now) {
    if (phase_ == Phase::kHandling) Read();
    if (now < deadline_) return;
    switch (phase_) {
      case Phase::kReceiving:
        keep_alive_ = false;
        reader_.Reset();
        return Refusal(PlainResponse(408, "the request did not arrive in time"));
      case Phase::kHandling:
        return;
      default:
        return Close();
    }
  }

  // From a Responder, on this thread.
  void Deliver(uint64_t seq, HttpResponse response) {
    if (phase_ != Phase::kHandling || seq != seq_) return;
    Answer(std::move(response), request_timeout_);
  }

  void Close() {
    if (phase_ == Phase::kClosed) return;
    SetPhase(Phase::kClosed);
    cancel_.request_stop();
    error_code ignored;
    socket_.close(ignored);
    std::shared_ptr<Session> self = shared_from_this();  // Outlives the erase.
    worker_.sessions.erase(this);
    server_.ConnectionClosed(refused_);
  }

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
  static bool Busy(Phase phase) {
    return phase == Phase::kReceiving || phase == Phase::kHandling || phase == Phase::kWriting;
  }
  void SetPhase(Phase phase) {
    const bool was_busy = Busy(phase_) && !refused_;
    const bool busy = Busy(phase) && !refused_;
    phase_ = phase;
    if (busy && !was_busy) server_.busy.fetch_add(1, std::memory_order_relaxed);
    if (was_busy && !busy) server_.BusyEnded();
  }

  void EnterIdle() {
    SetPhase(Phase::kIdle);
    deadline_ = SteadyClock::now() + idle_timeout_;
    if (reading_ != Reading::kBuffer && buffer_.size() == 0 &&
        buffer_.capacity() > kKeptBufferBytes) {
      buffer_.shrink_to_fit();
    }
    if (server_.stopping()) return Close();
    Read();
  }

  // One read at a time. While no answer is pending, reads go straight into
  // buffer_; while one is (kHandling, kWriting), they go into watch_ and
  // are appended to buffer_ on completion, so that buffer_ can be parsed
  // and consumed meanwhile without moving memory under a pending read.
  void Read() {
    if (reading_ != Reading::kNone || phase_ == Phase::kClosed) return;
    if (phase_ == Phase::kHandling || phase_ == Phase::kWriting) {
      // Watching for the client closing; what it sends ahead is kept, up
      // to a bound, for after the answer.
      if (buffer_.size() >= server_.options.limits.max_header_bytes) return;
      reading_ = Reading::kWatch;
      socket_.async_read_some(
          asio::buffer(watch_),
          [self = shared_from_this()](const error_code& ec, size_t n) { self->OnRead(ec, n); });
      return;
    }
    size_t want = kHeadReadBytes;
    if (phase_ == Phase::kReceiving && reader_.header_done()) want = kBodyReadBytes;
    if (phase_ == Phase::kLingering) buffer_.clear();
    reading_ = Reading::kBuffer;
    socket_.async_read_some(
        buffer_.prepare(want),
        [self = shared_from_this()](const error_code& ec, size_t n) { self->OnRead(ec, n); });
  }

  void OnRead(const error_code& ec, size_t n) {
    const Reading read = std::exchange(reading_, Reading::kNone);
    if (phase_ == Phase::kClosed) return;
    if (ec) {  // The client closed (or the connection failed).
      peer_gone_ = true;
      keep_alive_ = false;
      if (phase_ == Phase::kHandling) {
        cancel_.request_stop();
      } else if (phase_ != Phase::kWriting) {
        Close();
      }
      return;
    }
    if (read == Reading::kWatch) {
      const auto space = buffer_.prepare(n);
      std::memcpy(space.data(), watch_.data(), n);
    }
    buffer_.commit(n);
    switch (phase_) {
      case Phase::kIdle:
        SetPhase(Phase::kReceiving);
        deadline_ = SteadyClock::now() + request_timeout_;
        [[fallthrough]];
      case Phase::kReceiving:
        return Parse();
      default:
        return Read();
    }
  }

  void Parse() {
    while (buffer_.size() > 0 && reader_.state() == HttpRequestReader::State::kNeedMore) {
      const auto data = buffer_.data();
      const size_t used =
          reader_.Feed(std::string_view(static_cast<const char*>(data.data()), data.size()));
      buffer_.consume(used);
      if (used == 0) break;  // An incomplete line: wait for more.
    }
    switch (reader_.state()) {
      case HttpRequestReader::State::kNeedMore:
        if (reader_.ExpectsContinue() && !continue_sent_) SendContinue();
        return Read();
      case HttpRequestReader::State::kComplete:
        return Dispatch(/*close_after=*/false);
      case HttpRequestReader::State::kFailed: {
        const int status = reader_.failure_status();
        if (status == 413) return Dispatch(/*close_after=*/true);
        keep_alive_ = false;
        reader_.Reset();
        return Refusal(PlainResponse(status, status == 414   ? "the request line is too long"
                                             : status == 431 ? "the request header is too large"
                                                             : "malformed request"));
      }
    }
  }

  // The interim answer a client that sent "Expect: 100-continue" waits for.
  // 25 bytes into a socket with nothing else queued: sent without waiting;
  // if the socket is full the client sends its body after its own delay.
  void SendContinue() {
    continue_sent_ = true;
    static constexpr char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";
    (void)::send(socket_.native_handle(), kContinue, sizeof(kContinue) - 1,
                 MSG_NOSIGNAL | MSG_DONTWAIT);
  }

  // A complete request (or a 413 one): screened, then given to the handler.
  void Dispatch(bool close_after) {
    keep_alive_ = !close_after && reader_.keep_alive() && !server_.stopping() && !peer_gone_;
    HttpRequest request = reader_.TakeRequest();
    reader_.Reset();
    continue_sent_ = false;
    head_only_ = request.method == "HEAD";
    cors_origin_.clear();
    if (std::optional<HttpResponse> answer = server_.policy->Screen(request, &cors_origin_)) {
      SetPhase(Phase::kHandling);
      ++seq_;
      return Answer(*std::move(answer), request_timeout_);
    }
    SetPhase(Phase::kHandling);
    deadline_ = SteadyClock::time_point::max();
    cancel_ = std::stop_source();
    request.cancel = cancel_.get_token();
    ++seq_;
    Respond respond = Responder(weak_from_this(), server_.gate, &worker_.io, seq_);
    try {
      server_.handler(std::move(request), std::move(respond));
    } catch (...) {
      // Unwinding destroyed the Respond if the handler had not taken it:
      // the Responder answers 500.
    }
  }

  // Answers on the server's own account (malformed, late) and closes; the
  // client gets kLinger to take the answer.
  void Refusal(HttpResponse response) {
    head_only_ = false;
    cors_origin_.clear();
    SetPhase(Phase::kHandling);
    ++seq_;
    Answer(std::move(response), kLinger);
  }

  // Sends `response`; the client must take it within `timeout`.
  void Answer(HttpResponse response, SteadyClock::duration timeout) {
    if (!cors_origin_.empty()) OriginPolicy::AddCorsHeaders(cors_origin_, response);
    if (server_.stopping() || peer_gone_) keep_alive_ = false;
    head_.clear();
    absl::StrAppend(&head_, "HTTP/1.1 ", response.status, " ", Reason(response.status), "\r\n",
                    worker_.DateHeader());
    if (!response.content_type.empty()) {
      absl::StrAppend(&head_, "Content-Type: ", response.content_type, "\r\n");
    }
    const bool has_body = HasBody(response.status);
    if (has_body) absl::StrAppend(&head_, "Content-Length: ", response.body.size(), "\r\n");
    if (!keep_alive_) head_.append("Connection: close\r\n");
    for (const auto& [name, value] : response.headers) {
      absl::StrAppend(&head_, name, ": ", value, "\r\n");
    }
    head_.append("\r\n");
    body_ = has_body && !head_only_ ? std::move(response.body) : std::string();
    SetPhase(Phase::kWriting);
    deadline_ = SteadyClock::now() + timeout;
    const std::array<asio::const_buffer, 2> buffers = {asio::buffer(head_), asio::buffer(body_)};
    asio::async_write(socket_, buffers, [self = shared_from_this()](const error_code& ec, size_t) {
      self->OnWritten(ec);
    });
  }

  void OnWritten(const error_code& ec) {
    if (phase_ == Phase::kClosed) return;
    if (ec) return Close();
    if (body_.capacity() > kKeptBufferBytes) {
      body_ = std::string();
    } else {
      body_.clear();
    }
    if (!keep_alive_) return Linger();
    if (buffer_.size() == 0) return EnterIdle();
    SetPhase(Phase::kReceiving);  // A pipelined request is waiting.
    deadline_ = SteadyClock::now() + request_timeout_;
    Parse();
  }

  // Closes once the client has had the answer: a close with unread input
  // sends a reset, which can destroy the answer before the client reads
  // it. So the write side is shut and input drained until the client
  // closes, for at most kLinger.
  void Linger() {
    SetPhase(Phase::kLingering);
    deadline_ = SteadyClock::now() + kLinger;
    error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_send, ignored);
    if (peer_gone_) return Close();
    Read();
  }

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

namespace {

void Responder::Send(HttpResponse response) {
  ReaderMutexLock lock(&gate_->mu);
  if (!gate_->open) return;
  asio::post(*io_,
             [session = std::move(session_), seq = seq_, response = std::move(response)]() mutable {
               if (std::shared_ptr<Session> live = session.lock())
                 live->Deliver(seq, std::move(response));
             });
}

void Sweep(Worker& worker) {
  worker.sweep.expires_after(kSweepInterval);
  worker.sweep.async_wait([&worker](const error_code& ec) {
    if (ec) return;
    const SteadyClock::time_point now = SteadyClock::now();
    std::vector<std::shared_ptr<Session>> all;
    all.reserve(worker.sessions.size());
    for (const auto& [raw, session] : worker.sessions) all.push_back(session);
    for (const std::shared_ptr<Session>& session : all) session->Tick(now);
    Sweep(worker);
  });
}

// The descriptors the process may open (RLIMIT_NOFILE's soft limit).
size_t DescriptorLimit() {
  rlimit limit;
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return SIZE_MAX;
  return static_cast<size_t>(limit.rlim_cur);
}

}  // namespace

absl::Status HttpServer::Impl::Bind() {
  const int threads = std::max(1, options.io_threads);
  for (int i = 0; i < threads; ++i) workers.push_back(std::make_unique<Worker>());
  asio::io_context& io = workers.front()->io;
  error_code ec;
  tcp::endpoint endpoint;
  asio::ip::address address = asio::ip::make_address(options.host, ec);
  if (ec) {
    tcp::resolver resolver(io);
    auto results = resolver.resolve(options.host, std::to_string(options.port), ec);
    if (ec || results.empty()) {
      return absl::UnavailableError(absl::StrCat("cannot resolve ", options.host));
    }
    endpoint = results.begin()->endpoint();
  } else {
    endpoint = tcp::endpoint(address, static_cast<uint16_t>(options.port));
  }
  acceptor.emplace(io);
  acceptor->open(endpoint.protocol(), ec);
  if (!ec) acceptor->set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor->bind(endpoint, ec);
  if (!ec) acceptor->listen(std::max(1, options.listen_backlog), ec);
  if (ec) {
    return absl::UnavailableError(
        absl::StrCat("cannot bind ", options.host, ":", options.port, ": ", ec.message()));
  }
  port = acceptor->local_endpoint().port();
  accept_retry.emplace(io);

  const size_t descriptors = DescriptorLimit();
  const size_t reserve = kDescriptorReserve + kMaxRefusing + static_cast<size_t>(threads) * 4;
  max_connections = std::min(options.max_connections,
                             descriptors > reserve * 2 ? descriptors - reserve : descriptors / 2);
  max_connections = std::max<size_t>(max_connections, 1);

  OriginPolicyOptions policy_options;
  policy_options.bound_host = options.host;
  policy_options.port = port;
  policy_options.allowed_hosts = options.allowed_hosts;
  policy_options.allowed_origins = options.allowed_origins;
  policy.emplace(std::move(policy_options));
  return absl::OkStatus();
}

void HttpServer::Impl::Run() {
  for (size_t i = 0; i < workers.size(); ++i) {
    Worker& worker = *workers[i];
    worker.guard.emplace(worker.io.get_executor());
    Sweep(worker);
    worker.thread = std::thread([&worker, i] {
      pthread_setname_np(pthread_self(), absl::StrCat("wharf-io-", i).c_str());
      worker.io.run();
    });
  }
  asio::post(workers.front()->io, [this] { Accept(); });
}

void HttpServer::Impl::Accept() {
  Worker& worker = *workers[next_worker_++ % workers.size()];
  acceptor->async_accept(worker.io, [this, &worker](const error_code& ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || stopping() || !acceptor->is_open()) return;
    if (ec) {
      // Out of descriptors or memory: try again shortly rather than spin.
      // Other failures concern one connection only.
      if (ec == asio::error::no_descriptors || ec == asio::error::no_buffer_space ||
          ec == asio::error::no_memory || ec.value() == ENFILE) {
        accept_retry->expires_after(50ms);
        accept_retry->async_wait([this](const error_code& wait) {
          if (!wait) Accept();
        });
        return;
      }
      return Accept();
    }
    Accepted(worker, std::move(socket));
    Accept();
  });
}

void HttpServer::Impl::Accepted(Worker& worker, tcp::socket socket) {
  bool refuse = false;
  if (open.load(std::memory_order_relaxed) >= max_connections) {
    if (refusing.load(std::memory_order_relaxed) >= kMaxRefusing) {
      error_code ignored;
      socket.close(ignored);
      return;
    }
    refuse = true;
    refusing.fetch_add(1, std::memory_order_relaxed);
  } else {
    open.fetch_add(1, std::memory_order_relaxed);
  }
  asio::post(worker.io, [this, &worker, refuse, socket = std::move(socket)]() mutable {
    auto session = std::make_shared<Session>(*this, worker, std::move(socket));
    worker.sessions.emplace(session.get(), session);
    if (refuse) {
      session->Refuse();
    } else if (stopping()) {
      session->Close();
    } else {
      session->Start();
    }
  });
}

void HttpServer::Impl::ConnectionClosed(bool refused) {
  if (refused) {
    refusing.fetch_sub(1, std::memory_order_relaxed);
    return;
  }
  open.fetch_sub(1, std::memory_order_relaxed);
}

void HttpServer::Impl::BusyEnded() {
  // Sequentially consistent, as Stop's store of stopping_ and load of busy:
  // either Stop sees the count drop or this sees Stop waiting.
  if (busy.fetch_sub(1) == 1 && stopping_.load()) {
    MutexLock lock(&mu);
    drained_.SignalAll();
  }
}

void HttpServer::Impl::Stop() {
  {
    MutexLock lock(&mu);
    if (stopped_ || workers.empty() || !workers.front()->thread.joinable()) return;
    stopped_ = true;
  }
  stopping_.store(true);
  asio::post(workers.front()->io, [this] {
    error_code ignored;
    acceptor->close(ignored);
    accept_retry->cancel();
  });
  for (const auto& worker : workers) {
    asio::post(worker->io, [w = worker.get()] {
      std::vector<std::shared_ptr<Session>> all;
      for (const auto& [raw, session] : w->sessions) all.push_back(session);
      for (const std::shared_ptr<Session>& session : all) session->BeginStop();
    });
  }
  {
    const absl::Time deadline = absl::Now() + absl::FromChrono(kStopGrace);
    MutexLock lock(&mu);
    while (busy.load() > 0) {
      if (drained_.WaitWithDeadline(&mu, deadline)) break;
    }
  }
  {
    MutexLock lock(&gate->mu);
    gate->open = false;
  }
  for (const auto& worker : workers) {
    asio::post(worker->io, [w = worker.get()] {
      std::vector<std::shared_ptr<Session>> all;
      for (const auto& [raw, session] : w->sessions) all.push_back(session);
      for (const std::shared_ptr<Session>& session : all) session->Close();
      w->sweep.cancel();
      w->guard.reset();
      w->io.stop();
    });
  }
  for (const auto& worker : workers) worker->thread.join();
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(const HttpServerOptions& options,
                                                              Handler handler) {
  absl::StatusOr<std::unique_ptr<HttpServer>> server = Bind(options);
  if (server.ok()) (*server)->Serve(std::move(handler));
  return server;
}

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::Bind(const HttpServerOptions& options) {
  auto impl = std::make_unique<Impl>(options);
  if (absl::Status status = impl->Bind(); !status.ok()) return status;
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

void HttpServer::Serve(Handler handler) {
  impl_->handler = std::move(handler);
  impl_->Run();
}

HttpServer::~HttpServer() { Stop(); }

int HttpServer::port() const { return impl_->port; }
const std::string& HttpServer::host() const { return impl_->options.host; }
size_t HttpServer::connections() const { return impl_->open.load(std::memory_order_relaxed); }
size_t HttpServer::max_connections() const { return impl_->max_connections; }
void HttpServer::Stop() { impl_->Stop(); }

}  // namespace wharf::wire
