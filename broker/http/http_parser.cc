#include "broker/http/http_parser.h"

#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/error.hpp>
#include <limits>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"

namespace wharf::http_internal {
namespace {

namespace beast = boost::beast;
namespace http = boost::beast::http;
using beast::string_view;

std::string_view Std(string_view s) { return std::string_view(s.data(), s.size()); }
absl::string_view Absl(string_view s) { return absl::string_view(s.data(), s.size()); }

bool IsDecimal(std::string_view s) {
  if (s.empty() || s.size() > 19) return false;  // 19 digits stay below 2^64.
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

// Beast's request parser with the rules of the header comment. Each refusal
// sets `status` and an error code, which stops the parse.
class RequestParser final : public http::basic_parser<true> {
 public:
  explicit RequestParser(const HttpLimits& limits) : limits_(limits) {
    header_limit(static_cast<std::uint32_t>(limits.max_header_bytes));
    // The body limit is ours (on_header_impl, on_chunk_header_impl): Beast
    // takes a chunk's size off its limit before it parses the chunk's
    // extensions, again on each call that finds them incomplete, so a size
    // line split over reads would exhaust it (413) where one read would not.
    body_limit(std::numeric_limits<std::uint64_t>::max());
    eager(true);
  }

  HttpRequest request;
  int status = 0;  // Set by a refusal of our own.
  bool request_line_seen = false;
  bool expects_continue = false;
  bool chunk_seen = false;  // A chunk's size line was parsed.

 private:
  void Refuse(int http_status, beast::error_code& ec) {
    status = http_status;
    ec = http::error::bad_value;
  }

  void on_request_impl(http::verb, string_view method, string_view target, int version,
                       beast::error_code& ec) override {
    request_line_seen = true;
    // method SP target SP HTTP/x.y
    if (method.size() + target.size() + 10 > limits_.max_request_line_bytes) {
      return Refuse(414, ec);
    }
    if (target.empty() || target.front() != '/') return Refuse(400, ec);
    version_ = version;
    request.method = std::string(Std(method));
    const std::string_view whole = Std(target);
    const size_t q = whole.find('?');
    request.path = std::string(whole.substr(0, q));
    if (q != std::string_view::npos) request.query = std::string(whole.substr(q + 1));
  }

  void on_response_impl(int, string_view, int, beast::error_code& ec) override {
    ec = http::error::bad_version;  // Never a response here.
  }

  void on_field_impl(http::field field, string_view name, string_view value,
                     beast::error_code& ec) override {
    if (header_done_) return Refuse(400, ec);  // A trailer after a chunked body.
    if (++fields_ > limits_.max_header_count) return Refuse(431, ec);
    const absl::string_view text = Absl(value);
    switch (field) {
      case http::field::content_length:
        // Beast takes "5, 5" as 5; a list is refused here, as is a repeat.
        if (seen_length_ || !IsDecimal(Std(value))) return Refuse(400, ec);
        seen_length_ = true;
        break;
      case http::field::transfer_encoding:
        if (seen_encoding_ || version_ < 11 || !absl::EqualsIgnoreCase(text, "chunked")) {
          return Refuse(400, ec);
        }
        seen_encoding_ = true;
        break;
      case http::field::host:
        if (seen_host_) return Refuse(400, ec);
        seen_host_ = true;
        break;
      case http::field::expect:
        expects_continue = absl::EqualsIgnoreCase(text, "100-continue");
        break;
      default:
        break;
    }
    request.headers.emplace_back(absl::AsciiStrToLower(Absl(name)), std::string(Std(value)));
  }

  void on_header_impl(beast::error_code& ec) override {
    header_done_ = true;
    if (content_length().value_or(0) > limits_.max_body_bytes) {
      ec = http::error::body_limit;
      return;
    }
    if (version_ >= 11 && !seen_host_) return Refuse(400, ec);
  }

  void on_body_init_impl(const boost::optional<std::uint64_t>& content_length,
                         beast::error_code& ec) override {
    // Called even after on_header_impl refused the request (Beast's eager
    // loop goes on into the body's state when bytes follow the head), so
    // the length may be any the head carried.
    if (ec || !content_length || *content_length > limits_.max_body_bytes) return;
    request.body.reserve(static_cast<size_t>(*content_length));
  }

  size_t on_body_impl(string_view body, beast::error_code&) override {
    request.body.append(body.data(), body.size());
    return body.size();
  }

  void on_chunk_header_impl(std::uint64_t size, string_view, beast::error_code& ec) override {
    chunk_seen = true;
    if (size > limits_.max_body_bytes - chunked_bytes_) {
      ec = http::error::body_limit;
      return;
    }
    chunked_bytes_ += size;
  }

  size_t on_chunk_body_impl(std::uint64_t, string_view body, beast::error_code&) override {
    request.body.append(body.data(), body.size());
    return body.size();
  }

  void on_finish_impl(beast::error_code&) override {}

  const HttpLimits& limits_;
  int version_ = 11;
  size_t fields_ = 0;
  bool header_done_ = false;
  bool seen_length_ = false;
  bool seen_encoding_ = false;
  bool seen_host_ = false;
  std::uint64_t chunked_bytes_ = 0;  // The chunk sizes so far, <= max_body_bytes.
};

struct HttpRequestReader::Impl {
  std::optional<RequestParser> parser;
};

HttpRequestReader::HttpRequestReader(const HttpLimits& limits)
    : limits_(limits), impl_(std::make_unique<Impl>()) {
  impl_->parser.emplace(limits_);
}

HttpRequestReader::~HttpRequestReader() = default;

size_t HttpRequestReader::Feed(std::string_view data) {
  RequestParser& parser = *impl_->parser;
  started_ = true;
  // While the head is incomplete, Beast is shown no more than what remains
  // of max_header_bytes: its own header_limit counts from where each call
  // starts, which lets a head arriving in one piece run longer.
  const bool in_head = !parser.is_header_done();
  const std::string_view window =
      in_head ? data.substr(0, limits_.max_header_bytes - head_bytes_) : data;
  // Beast asserts that the first chunk's size line starts with at least 5
  // bytes in hand (basic_parser::parse_chunk_header; later ones start with
  // the previous chunk's CRLF, which it checks itself); no complete request
  // has fewer left there ("0\r\n\r\n"), so wait for more.
  if (!in_head && parser.chunked() && !parser.chunk_seen && window.size() < 5) return 0;
  beast::error_code ec;
  const size_t used = parser.put(boost::asio::const_buffer(window.data(), window.size()), ec);
  if (!parser.is_header_done()) head_bytes_ += used;
  // A head that does not end within max_header_bytes: 414 while its request
  // line is unfinished, else 431.
  auto head_too_large = [&] {
    return parser.request_line_seen || window.find('\n') != std::string_view::npos ? 431 : 414;
  };
  if (!ec) {
    if (parser.is_done()) state_ = State::kComplete;
    return used;
  }
  if (ec == http::error::need_more) {
    if (in_head && !parser.is_header_done()) {
      if (head_bytes_ + (window.size() - used) < limits_.max_header_bytes) return used;
      parser.status = head_too_large();
    } else if (data.size() - used <= limits_.max_header_bytes) {
      return used;
    } else {
      // Beast bounds the head's lines but not a chunk's size line: an
      // endless one would make the caller buffer it all.
      parser.status = 400;
    }
  }
  state_ = State::kFailed;
  if (parser.status != 0) {
    failure_status_ = parser.status;
  } else if (ec == http::error::header_limit) {
    failure_status_ = head_too_large();
  } else if (ec == http::error::body_limit) {
    failure_status_ = 413;
    parser.request.body.clear();
    parser.request.body.shrink_to_fit();
    parser.request.body_too_large = true;
  } else {
    failure_status_ = 400;
  }
  return used;
}

bool HttpRequestReader::header_done() const { return impl_->parser->is_header_done(); }

bool HttpRequestReader::ExpectsContinue() const {
  const RequestParser& parser = *impl_->parser;
  return state_ == State::kNeedMore && parser.is_header_done() && parser.expects_continue;
}

bool HttpRequestReader::keep_alive() const { return impl_->parser->keep_alive(); }

HttpRequest HttpRequestReader::TakeRequest() { return std::move(impl_->parser->request); }

void HttpRequestReader::Reset() {
  impl_->parser.emplace(limits_);
  state_ = State::kNeedMore;
  started_ = false;
  head_bytes_ = 0;
  failure_status_ = 0;
}

}  // namespace wharf::http_internal
