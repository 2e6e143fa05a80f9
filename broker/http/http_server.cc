// HttpServer (http_server.h): binding, the I/O threads, accepting, Stop; the
// connections themselves are in http_session.cc. Thread-safe as documented
// in http_server.h.
#include "broker/http/http_server.h"

#include <pthread.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/post.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "broker/base/mutex.h"
#include "broker/http/http_server_internal.h"

namespace wharf::http_internal {
namespace {

using namespace std::chrono_literals;

constexpr auto kSweepInterval = 250ms;  // Deadlines are checked this often.
constexpr auto kStopGrace = 400ms;      // Stop waits this long for work in progress.
constexpr size_t kMaxRefusing = 256;    // 503 answers in flight; beyond, a plain close.
constexpr int kDescriptorReserve = 64;  // Descriptors left to the rest of the process.

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

}  // namespace wharf::http_internal
