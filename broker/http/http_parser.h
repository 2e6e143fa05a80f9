// HttpRequestReader: strict, bounded framing of HTTP/1.1 requests, fed the
// bytes of a connection as they arrive. It turns them into HttpRequests or
// into the status that refuses them, on Boost.Beast's parser with wharf's
// own rules on top:
//
//   400  malformed request line or header; Content-Length that is not one
//        plain decimal number below 2^64 (no sign, no list: "66, 5"), or
//        repeated; Transfer-Encoding other than exactly "chunked", or
//        repeated, or beside Content-Length, or in HTTP/1.0; Host missing
//        (HTTP/1.1) or repeated; a request target not starting with '/';
//        trailer fields after a chunked body; a malformed chunk.
//   413  a body longer than max_body_bytes: refused from Content-Length
//        alone, before any of the body is read (or as soon as chunks
//        exceed it). The request head is still available, with
//        body_too_large set, so the answer can be an AWS error.
//   414  a request line longer than max_request_line_bytes.
//   431  request line and header fields over max_header_bytes, or more than
//        max_header_count fields.
//
// After any failure the connection must be closed once the refusal is sent:
// where the next request would begin is unknown.
//
// Memory: the reader keeps at most one request (head plus a body of at most
// max_body_bytes); it reads nothing itself, and the caller's buffer of
// unconsumed bytes needs at most max_header_bytes while a head is incomplete.
//
// Thread safety: not thread-safe (one per connection).

#ifndef WHARF_BROKER_HTTP_HTTP_PARSER_H_
#define WHARF_BROKER_HTTP_HTTP_PARSER_H_

#include <cstddef>
#include <memory>
#include <string_view>

#include "broker/http/http_message.h"

namespace wharf::http_internal {

struct HttpLimits {
  size_t max_request_line_bytes = 8 << 10;  // 414 beyond.
  size_t max_header_bytes = 16 << 10;       // Request line + fields; 431 beyond.
  size_t max_header_count = 100;            // 431 beyond.
  size_t max_body_bytes = 8 << 20;          // 413 beyond.
};

class HttpRequestReader {
 public:
  enum class State {
    kNeedMore,  // Feed more bytes.
    kComplete,  // TakeRequest() returns the request.
    kFailed,    // failure_status() says why; the connection must close.
  };

  explicit HttpRequestReader(const HttpLimits& limits);
  ~HttpRequestReader();
  HttpRequestReader(const HttpRequestReader&) = delete;
  HttpRequestReader& operator=(const HttpRequestReader&) = delete;

  // Parses a prefix of `data` and returns its length. Bytes not consumed
  // (an incomplete line) must be passed again, followed by more, in the next
  // call. Stops at the end of one request: what follows is the next one.
  // REQUIRES: state() == kNeedMore and !data.empty().
  size_t Feed(std::string_view data);

  State state() const { return state_; }
  // True once any byte of the request has been fed.
  bool started() const { return started_; }
  // The request head is complete and parsed (its body may still be coming).
  bool header_done() const;
  // The head is complete, asks for "100-continue", and its body is still to
  // come: the client waits for an interim "100 Continue" before sending it.
  bool ExpectsContinue() const;
  // Whether the client lets the connection stay open after the answer.
  // REQUIRES: header_done().
  bool keep_alive() const;
  // 400, 413, 414 or 431 once state() == kFailed.
  int failure_status() const { return failure_status_; }

  // The request, moved out. REQUIRES: state() == kComplete, or kFailed with
  // failure_status() 413 (then body is empty and body_too_large is set).
  HttpRequest TakeRequest();

  // Starts over for the next request on the connection.
  void Reset();

 private:
  struct Impl;  // Beast's parser, kept out of this header.

  const HttpLimits limits_;
  std::unique_ptr<Impl> impl_;
  State state_ = State::kNeedMore;
  bool started_ = false;
  size_t head_bytes_ = 0;  // Of the head, consumed so far.
  int failure_status_ = 0;
};

}  // namespace wharf::http_internal

#endif  // WHARF_BROKER_HTTP_HTTP_PARSER_H_
