// HttpServer's connections (http_server_internal.h): reading and framing
// requests, deadlines, handing them to the handler, writing answers. A
// Session is touched on its worker's I/O thread only; a Responder may be
// called from any thread and posts to that one.
#include <sys/socket.h>

#include <array>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "broker/http/http_server_internal.h"

namespace wharf::http_internal {
namespace {

using namespace std::chrono_literals;

constexpr size_t kHeadReadBytes = 4096;        // A read while no body is expected.
constexpr size_t kBodyReadBytes = 64 << 10;    // A read while a body arrives.
constexpr size_t kKeptBufferBytes = 16 << 10;  // A larger idle buffer is freed.
constexpr auto kLinger = 1s;                   // Reading what a closed-on client still sends.

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

Session::Session(HttpServer::Impl& server, Worker& worker, tcp::socket socket)
    : server_(server),
      worker_(worker),
      socket_(std::move(socket)),
      reader_(server.options.limits),
      idle_timeout_(absl::ToChronoNanoseconds(server.options.idle_timeout)),
      request_timeout_(absl::ToChronoNanoseconds(server.options.request_timeout)) {}

void Session::Start() {
  error_code ignored;
  socket_.set_option(tcp::no_delay(true), ignored);
  EnterIdle();
}

void Session::Refuse() {
  refused_ = true;
  SetPhase(Phase::kHandling);
  keep_alive_ = false;
  HttpResponse response = PlainResponse(503, "too many connections; try again later");
  response.headers.emplace_back("Retry-After", "1");
  Answer(std::move(response), kLinger);
}

void Session::BeginStop() {
  keep_alive_ = false;
  if (phase_ == Phase::kIdle) return Close();
  if (phase_ == Phase::kHandling) cancel_.request_stop();
}

void Session::Tick(SteadyClock::time_point now) {
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

void Session::Deliver(uint64_t seq, HttpResponse response) {
  if (phase_ != Phase::kHandling || seq != seq_) return;
  Answer(std::move(response), request_timeout_);
}

void Session::Close() {
  if (phase_ == Phase::kClosed) return;
  SetPhase(Phase::kClosed);
  cancel_.request_stop();
  error_code ignored;
  socket_.close(ignored);
  std::shared_ptr<Session> self = shared_from_this();  // Outlives the erase.
  worker_.sessions.erase(this);
  server_.ConnectionClosed(refused_);
}

bool Session::Busy(Phase phase) {
  return phase == Phase::kReceiving || phase == Phase::kHandling || phase == Phase::kWriting;
}

void Session::SetPhase(Phase phase) {
  const bool was_busy = Busy(phase_) && !refused_;
  const bool busy = Busy(phase) && !refused_;
  phase_ = phase;
  if (busy && !was_busy) server_.busy.fetch_add(1, std::memory_order_relaxed);
  if (was_busy && !busy) server_.BusyEnded();
}

void Session::EnterIdle() {
  SetPhase(Phase::kIdle);
  deadline_ = SteadyClock::now() + idle_timeout_;
  if (reading_ != Reading::kBuffer && buffer_.size() == 0 &&
      buffer_.capacity() > kKeptBufferBytes) {
    buffer_.shrink_to_fit();
  }
  if (server_.stopping()) return Close();
  Read();
}

void Session::Read() {
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

void Session::OnRead(const error_code& ec, size_t n) {
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

void Session::Parse() {
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

void Session::SendContinue() {
  continue_sent_ = true;
  static constexpr char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";
  (void)::send(socket_.native_handle(), kContinue, sizeof(kContinue) - 1,
               MSG_NOSIGNAL | MSG_DONTWAIT);
}

void Session::Dispatch(bool close_after) {
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

void Session::Refusal(HttpResponse response) {
  head_only_ = false;
  cors_origin_.clear();
  SetPhase(Phase::kHandling);
  ++seq_;
  Answer(std::move(response), kLinger);
}

void Session::Answer(HttpResponse response, SteadyClock::duration timeout) {
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

void Session::OnWritten(const error_code& ec) {
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

void Session::Linger() {
  SetPhase(Phase::kLingering);
  deadline_ = SteadyClock::now() + kLinger;
  error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_send, ignored);
  if (peer_gone_) return Close();
  Read();
}

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

}  // namespace

}  // namespace wharf::http_internal
