// A blocking HTTP/1.1 client over a raw loopback socket, for tests that
// must send exactly the bytes they mean (malformed framing, pipelining,
// trickled bytes) and see exactly what the server answers. Every read waits
// at most `guard` (a minute by default), so that a server that never
// answers fails the test instead of hanging it.

#ifndef WHARF_TESTS_HTTP_RAW_HTTP_CLIENT_H_
#define WHARF_TESTS_HTTP_RAW_HTTP_CLIENT_H_

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace wharf::testing {

struct RawResponse {
  int status = 0;
  std::string head;  // Status line and header fields, without the blank line.
  std::vector<std::pair<std::string, std::string>> headers;  // Names in lower case.
  std::string body;

  std::string Header(std::string_view lower_name) const {
    for (const auto& [name, value] : headers) {
      if (name == lower_name) return value;
    }
    return "";
  }
  bool HasHeader(std::string_view lower_name) const {
    for (const auto& header : headers) {
      if (header.first == lower_name) return true;
    }
    return false;
  }
};

class RawClient {
 public:
  explicit RawClient(int port, std::chrono::seconds guard = std::chrono::seconds(60))
      : fd_(socket(AF_INET, SOCK_STREAM, 0)) {
    if (fd_ < 0) return;
    timeval wait{.tv_sec = static_cast<time_t>(guard.count()), .tv_usec = 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof(wait));
    setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &wait, sizeof(wait));
    int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;
  ~RawClient() {
    if (fd_ >= 0) close(fd_);
  }

  bool connected() const { return connected_; }
  int fd() const { return fd_; }
  void ShutdownWrite() { shutdown(fd_, SHUT_WR); }
  // Closes at once; with unread input, the kernel sends a reset.
  void Close() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }

  bool Send(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  // Reads until what arrived ends with `suffix`, or the server closes.
  std::string ReadUntil(const std::string& suffix) {
    while (received_.size() < suffix.size() ||
           received_.compare(received_.size() - suffix.size(), suffix.size(), suffix) != 0) {
      if (!Fill()) break;
    }
    return std::exchange(received_, "");
  }

  // Reads until the server closes its end; false if it does not (guard).
  bool ReadsEndOfStream() {
    ReadToEnd();
    return closed_;
  }

  // Reads until the server closes or resets the connection; false if the
  // guard expires first.
  bool ReadsEndOrReset() {
    ReadToEnd();
    return closed_ || reset_;
  }

  // Everything the server sends until it closes (or the guard expires).
  std::string ReadToEnd() {
    while (Fill()) {
    }
    return std::exchange(received_, "");
  }

  // One response, framed by its Content-Length (none: no body); nullopt
  // when the connection ends first. Interim 1xx responses are returned too.
  std::optional<RawResponse> ReadResponse() {
    size_t end;
    while ((end = received_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill()) return std::nullopt;
    }
    RawResponse response;
    response.head = received_.substr(0, end);
    size_t line_end = response.head.find("\r\n");
    const std::string status_line = response.head.substr(0, line_end);
    if (status_line.size() < 12 || status_line.compare(0, 5, "HTTP/") != 0) return std::nullopt;
    response.status = std::stoi(status_line.substr(9, 3));
    size_t length = 0;
    while (line_end != std::string::npos && line_end < response.head.size()) {
      const size_t start = line_end + 2;
      line_end = response.head.find("\r\n", start);
      const std::string line = response.head.substr(
          start, line_end == std::string::npos ? std::string::npos : line_end - start);
      const size_t colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::string name = line.substr(0, colon);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      std::string value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      if (name == "content-length") length = std::stoul(value);
      response.headers.emplace_back(std::move(name), std::move(value));
    }
    while (received_.size() < end + 4 + length) {
      if (!Fill()) return std::nullopt;
    }
    response.body = received_.substr(end + 4, length);
    received_.erase(0, end + 4 + length);
    return response;
  }

  // Bytes received and not yet returned.
  const std::string& pending() const { return received_; }

 private:
  bool Fill() {
    char chunk[16384];
    ssize_t n = recv(fd_, chunk, sizeof(chunk), 0);
    if (n <= 0) {
      closed_ = n == 0;
      reset_ = n < 0 && errno == ECONNRESET;
      return false;
    }
    received_.append(chunk, static_cast<size_t>(n));
    return true;
  }

  int fd_;
  bool connected_ = false;
  bool closed_ = false;
  bool reset_ = false;
  std::string received_;
};

// A POST of `body` with a Content-Length, to Host `host`.
inline std::string RawPost(const std::string& body, const std::string& extra_headers = "",
                           const std::string& host = "127.0.0.1") {
  return "POST / HTTP/1.1\r\nHost: " + host + "\r\nContent-Type: text/plain\r\n" + extra_headers +
         "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

}  // namespace wharf::testing

#endif  // WHARF_TESTS_HTTP_RAW_HTTP_CLIENT_H_
