#include "broker/wire/http_server.h"

#include <httplib.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
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

}  // namespace

HttpServer::HttpServer(const HttpServerOptions& options, Handler handler)
    : options_(options),
      handler_(std::move(handler)),
      server_(std::make_unique<httplib::Server>()) {}

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(const HttpServerOptions& options,
                                                              Handler handler) {
  std::unique_ptr<HttpServer> self(new HttpServer(options, std::move(handler)));
  httplib::Server& server = *self->server_;
  const size_t threads = static_cast<size_t>(std::max(1, options.threads));
  server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
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
    if (req.is_multipart_form_data()) {
      // Not an AWS protocol: drain and drop the parts; the handler answers
      // the (empty) request with an error.
      content_reader([](const httplib::MultipartFormData&) { return true; },
                     [](const char*, size_t) { return true; });
    } else {
      const size_t limit = raw->options_.max_body_bytes;
      content_reader([&request, limit](const char* data, size_t size) {
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
  listener_.join();
}

}  // namespace wharf::wire
