#include "broker/tools/bench/http_connection.h"

#include <openssl/ssl.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <optional>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "broker/tools/bench/text.h"

namespace wharf::bench {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

// Responses larger than this are refused (a ReceiveMessage of 10 x 1 MiB
// messages, JSON-escaped, fits).
constexpr uint64_t kMaxResponseBytes = 64 << 20;

absl::Status Unavailable(std::string_view what, const beast::error_code& ec) {
  return absl::UnavailableError(absl::StrCat(Absl(what), ": ", ec.message()));
}

}  // namespace

std::string HttpConnection::Url::HostHeader() const {
  bool default_port = (tls && port == "443") || (!tls && port == "80");
  return default_port ? host : absl::StrCat(host, ":", port);
}

absl::StatusOr<HttpConnection::Url> HttpConnection::ParseUrl(std::string_view text) {
  Url url;
  if (text.starts_with("https://")) {
    url.tls = true;
    text.remove_prefix(8);
  } else if (text.starts_with("http://")) {
    text.remove_prefix(7);
  } else {
    return absl::InvalidArgumentError(absl::StrCat("not an http:// or https:// URL: ", Absl(text)));
  }
  size_t slash = text.find('/');
  std::string_view authority = text.substr(0, slash);
  url.path = slash == std::string_view::npos ? "/" : std::string(text.substr(slash));
  size_t colon = authority.rfind(':');
  if (colon != std::string_view::npos && authority.find(']') == std::string_view::npos) {
    url.host = std::string(authority.substr(0, colon));
    url.port = std::string(authority.substr(colon + 1));
    int port = 0;
    if (!absl::SimpleAtoi(url.port, &port) || port <= 0 || port > 65535) {
      return absl::InvalidArgumentError(absl::StrCat("bad port in URL: ", url.port));
    }
  } else {
    url.host = std::string(authority);
    url.port = url.tls ? "443" : "80";
  }
  if (url.host.empty()) return absl::InvalidArgumentError("URL without a host");
  return url;
}

struct HttpConnection::Impl {
  asio::io_context ioc;
  std::optional<asio::ssl::context> tls_context;
  std::optional<beast::tcp_stream> plain;
  std::optional<beast::ssl_stream<beast::tcp_stream>> secure;
  beast::flat_buffer buffer;

  beast::tcp_stream& lowest() { return secure ? beast::get_lowest_layer(*secure) : *plain; }
  bool open() { return (plain || secure) && lowest().socket().is_open(); }

  void Close() {
    if (plain || secure) {
      beast::error_code ignored;
      lowest().socket().shutdown(tcp::socket::shutdown_both, ignored);
      lowest().socket().close(ignored);
    }
    secure.reset();
    plain.reset();
    buffer.clear();
  }

  // Runs one asynchronous operation to completion on this thread: Asio's
  // blocking calls have no timeout, its stream expiry applies to these.
  template <typename Start>
  beast::error_code Run(Start start) {
    beast::error_code result = asio::error::would_block;
    start([&result](beast::error_code ec, auto&&...) { result = ec; });
    ioc.restart();
    ioc.run();
    return result;
  }
};

HttpConnection::HttpConnection(Url url, absl::Duration timeout)
    : url_(std::move(url)), timeout_(timeout), impl_(std::make_unique<Impl>()) {}

HttpConnection::~HttpConnection() { impl_->Close(); }

absl::StatusOr<http_internal::HttpResponse> HttpConnection::RoundTrip(
    const http_internal::HttpRequest& request) {
  http::request<http::string_body> req;
  http::verb verb = http::string_to_verb(request.method);
  if (verb == http::verb::unknown) {
    return absl::InvalidArgumentError(absl::StrCat("unknown HTTP method ", request.method));
  }
  req.method(verb);
  std::string target = request.path.empty() ? url_.path : request.path;
  if (!request.query.empty()) absl::StrAppend(&target, "?", request.query);
  req.target(target);
  req.version(11);
  for (const auto& [name, value] : request.headers) {
    if (name == "content-length") continue;
    req.set(name, value);
  }
  if (request.Header("host").empty()) req.set(http::field::host, url_.HostHeader());
  req.body() = request.body;
  req.prepare_payload();
  req.keep_alive(true);
  auto expiry = std::chrono::nanoseconds(absl::ToInt64Nanoseconds(timeout_));

  Impl& c = *impl_;
  for (int attempt = 0;; ++attempt) {
    bool reused = c.open();
    if (!reused) {
      c.Close();
      tcp::resolver resolver(c.ioc);
      beast::error_code ec;
      tcp::resolver::results_type endpoints = resolver.resolve(url_.host, url_.port, ec);
      if (ec) return Unavailable(absl::StrCat("resolving ", url_.host), ec);
      if (url_.tls) {
        if (!c.tls_context) {
          c.tls_context.emplace(asio::ssl::context::tls_client);
          c.tls_context->set_default_verify_paths();
          c.tls_context->set_verify_mode(asio::ssl::verify_peer);
        }
        c.secure.emplace(c.ioc, *c.tls_context);
      } else {
        c.plain.emplace(c.ioc);
      }
      c.lowest().expires_after(expiry);
      ec = c.Run([&](auto done) { c.lowest().async_connect(endpoints, done); });
      if (ec) {
        c.Close();
        return Unavailable(absl::StrCat("connecting to ", url_.HostHeader()), ec);
      }
      c.lowest().socket().set_option(tcp::no_delay(true), ec);
      if (c.secure) {
        // SNI and certificate name checks for the host.
        SSL_set_tlsext_host_name(c.secure->native_handle(), url_.host.c_str());
        c.secure->set_verify_callback(asio::ssl::host_name_verification(url_.host));
        ec = c.Run(
            [&](auto done) { c.secure->async_handshake(asio::ssl::stream_base::client, done); });
        if (ec) {
          c.Close();
          return Unavailable(absl::StrCat("TLS handshake with ", url_.HostHeader()), ec);
        }
      }
    }

    c.lowest().expires_after(expiry);
    beast::error_code ec = c.Run([&](auto done) {
      if (c.secure) {
        http::async_write(*c.secure, req, done);
      } else {
        http::async_write(*c.plain, req, done);
      }
    });
    http::response_parser<http::string_body> parser;
    parser.body_limit(kMaxResponseBytes);
    if (!ec) {
      ec = c.Run([&](auto done) {
        if (c.secure) {
          http::async_read(*c.secure, c.buffer, parser, done);
        } else {
          http::async_read(*c.plain, c.buffer, parser, done);
        }
      });
    }
    if (ec) {
      // A reused connection the server had closed: reconnect and resend once,
      // unless part of an answer came (the request may have been served).
      bool closed_idle = reused && attempt == 0 && !parser.got_some() &&
                         (ec == http::error::end_of_stream || ec == asio::error::connection_reset ||
                          ec == asio::error::broken_pipe || ec == asio::error::eof ||
                          ec == asio::ssl::error::stream_truncated);
      c.Close();
      if (closed_idle) continue;
      return Unavailable(absl::StrCat(request.method, " ", url_.HostHeader(), target), ec);
    }
    http::response<http::string_body> res = parser.release();
    http_internal::HttpResponse out;
    out.status = static_cast<int>(res.result_int());
    for (const auto& field : res) {
      std::string name = absl::AsciiStrToLower(std::string(field.name_string()));
      if (name == "content-type") {
        out.content_type = std::string(field.value());
      } else {
        out.headers.emplace_back(std::move(name), std::string(field.value()));
      }
    }
    out.body = std::move(res.body());
    if (!res.keep_alive()) c.Close();
    return out;
  }
}

}  // namespace wharf::bench
