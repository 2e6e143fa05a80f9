// wire::HttpServer's connection handling over raw loopback sockets: the
// buffered keep-alive loop must answer pipelined requests in order, send an
// interim "100 Continue" before waiting for the body, honour
// "Connection: close", and let Stop close idle connections at once while a
// request in progress is still answered.

#include "broker/wire/http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace wharf::testing {
namespace {

using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

// A blocking client socket. A read waits at most a minute, so that a server
// that never answers fails the test instead of hanging it.
class RawClient {
 public:
  explicit RawClient(int port) : fd_(socket(AF_INET, SOCK_STREAM, 0)) {
    timeval guard{.tv_sec = 60, .tv_usec = 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &guard, sizeof(guard));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  }
  ~RawClient() { close(fd_); }

  bool connected() const { return connected_; }
  int fd() const { return fd_; }
  void ShutdownWrite() { shutdown(fd_, SHUT_WR); }

  bool Send(const std::string& data) {
    return send(fd_, data.data(), data.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(data.size());
  }

  // Reads until what arrived ends with `suffix`, or the server closes.
  std::string ReadUntil(const std::string& suffix) {
    while (received_.size() < suffix.size() ||
           received_.compare(received_.size() - suffix.size(), suffix.size(), suffix) != 0) {
      if (!Fill()) break;
    }
    return std::exchange(received_, "");
  }

  // Reads until the server closes its end; false if it does not.
  bool ReadsEndOfStream() {
    ReadToEnd();
    return closed_;
  }

  // Everything the server sends until it closes (or the guard expires).
  std::string ReadToEnd() {
    while (Fill()) {
    }
    return std::exchange(received_, "");
  }

 private:
  bool Fill() {
    char chunk[4096];
    ssize_t n = recv(fd_, chunk, sizeof(chunk), 0);
    if (n <= 0) {
      closed_ = n == 0;
      return false;
    }
    received_.append(chunk, static_cast<size_t>(n));
    return true;
  }

  int fd_;
  bool connected_ = false;
  bool closed_ = false;
  std::string received_;
};

std::string Post(const std::string& body, const std::string& extra_headers = "") {
  return "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n" + extra_headers +
         "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

// Answers every request with its own body.
wire::HttpResponse Echo(const wire::HttpRequest& request) {
  return {.status = 200, .content_type = "text/plain", .body = request.body};
}

std::unique_ptr<wire::HttpServer> StartServer(wire::HttpServer::Handler handler = Echo,
                                              wire::HttpServerOptions options = {
                                                  .keep_alive_timeout_seconds = 120}) {
  auto server = wire::HttpServer::Start(options, std::move(handler));
  EXPECT_TRUE(server.ok()) << server.status();
  return server.ok() ? *std::move(server) : nullptr;
}

TEST(HttpServerTest, AnswersPipelinedRequestsInOrder) {
  auto server = StartServer();
  ASSERT_NE(server, nullptr);
  RawClient client(server->port());
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.Send(Post("first") + Post("second") + Post("third")));
  std::string responses = client.ReadUntil("third");
  const size_t first = responses.find("\r\n\r\nfirst");
  const size_t second = responses.find("\r\n\r\nsecond");
  ASSERT_NE(first, std::string::npos) << responses;
  ASSERT_NE(second, std::string::npos) << responses;
  EXPECT_LT(first, second);
  EXPECT_THAT(responses, EndsWith("\r\n\r\nthird"));
}

TEST(HttpServerTest, SendsContinueBeforeWaitingForTheBody) {
  auto server = StartServer();
  ASSERT_NE(server, nullptr);
  RawClient client(server->port());
  ASSERT_TRUE(client.connected());
  const std::string request = Post("payload", "Expect: 100-continue\r\n");
  const size_t head = request.find("\r\n\r\n") + 4;
  ASSERT_TRUE(client.Send(request.substr(0, head)));
  // Without the interim response, the server would wait for the body here
  // while the client waits for "100 Continue".
  EXPECT_THAT(client.ReadUntil("\r\n\r\n"), StartsWith("HTTP/1.1 100 Continue"));
  ASSERT_TRUE(client.Send(request.substr(head)));
  std::string response = client.ReadUntil("payload");
  EXPECT_THAT(response, StartsWith("HTTP/1.1 200"));
  EXPECT_THAT(response, EndsWith("\r\n\r\npayload"));
}

TEST(HttpServerTest, ClosesTheConnectionWhenTheClientAsks) {
  auto server = StartServer();
  ASSERT_NE(server, nullptr);
  RawClient client(server->port());
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.Send(Post("bye", "Connection: close\r\n")));
  EXPECT_THAT(client.ReadUntil("bye"), HasSubstr("Connection: close"));
  EXPECT_TRUE(client.ReadsEndOfStream());
}

// The idle timeout is two minutes: only Stop can end the connection, and Stop
// must not wait for it.
TEST(HttpServerTest, StopClosesIdleKeepAliveConnections) {
  auto server = StartServer();
  ASSERT_NE(server, nullptr);
  RawClient client(server->port());
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.Send(Post("hello")));
  ASSERT_THAT(client.ReadUntil("hello"), StartsWith("HTTP/1.1 200"));
  std::future<void> stopped = std::async(std::launch::async, [&] { server->Stop(); });
  // A guard against a hang, not a timing assertion.
  ASSERT_EQ(stopped.wait_for(std::chrono::seconds(60)), std::future_status::ready);
  EXPECT_TRUE(client.ReadsEndOfStream());
}

// Two workers, both held by idle keep-alive connections: a third connection
// is served because an idle one is closed (the idlest if one is already
// waiting when the third arrives; else each that falls idle while the third
// waits, so both may close).
TEST(HttpServerTest, ClosesAnIdleConnectionWhenEveryWorkerIsTaken) {
  auto server = StartServer(Echo, {.threads = 2, .keep_alive_timeout_seconds = 120});
  ASSERT_NE(server, nullptr);
  RawClient first(server->port());
  RawClient second(server->port());
  ASSERT_TRUE(first.Send(Post("one")));
  ASSERT_THAT(first.ReadUntil("one"), StartsWith("HTTP/1.1 200"));
  ASSERT_TRUE(second.Send(Post("two")));
  ASSERT_THAT(second.ReadUntil("two"), StartsWith("HTTP/1.1 200"));
  RawClient third(server->port());
  ASSERT_TRUE(third.Send(Post("three")));
  EXPECT_THAT(third.ReadUntil("three"), StartsWith("HTTP/1.1 200"));
  // Third was served, so at least one of the others was closed before.
  pollfd fds[] = {{.fd = first.fd(), .events = POLLIN, .revents = 0},
                  {.fd = second.fd(), .events = POLLIN, .revents = 0}};
  ASSERT_GT(poll(fds, 2, 60'000), 0);
  if (fds[0].revents != 0) {
    EXPECT_TRUE(first.ReadsEndOfStream());
  }
  if (fds[1].revents != 0) {
    EXPECT_TRUE(second.ReadsEndOfStream());
  }
}

int CountOf(const std::string& text, const std::string& part) {
  int n = 0;
  for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

// cpp-httplib does not read the body of a GET: the connection closes after
// the answer rather than take the body for the next request.
TEST(HttpServerTest, ClosesAfterARequestWhoseBodyIsLeftUnread) {
  auto server = StartServer();
  ASSERT_NE(server, nullptr);
  RawClient client(server->port());
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(
      client.Send("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 24\r\n\r\n"
                  "GET /smuggled HTTP/1.1\r\n" +
                  Post("next")));
  std::string responses = client.ReadToEnd();
  EXPECT_EQ(CountOf(responses, "HTTP/1.1 "), 1) << responses;
  EXPECT_THAT(responses, HasSubstr("Connection: close"));
  EXPECT_TRUE(client.ReadsEndOfStream());
}

// A request that cannot be parsed (here, a URI over cpp-httplib's limit) is
// answered with an error and the connection closes: what follows it on the
// connection is never taken for a request.
TEST(HttpServerTest, ClosesAfterARequestThatCannotBeParsed) {
  auto server = StartServer();
  ASSERT_NE(server, nullptr);
  RawClient client(server->port());
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.Send("GET /" + std::string(9000, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n" +
                          Post("smuggled")));
  std::string responses = client.ReadToEnd();
  EXPECT_EQ(CountOf(responses, "HTTP/1.1 "), 1) << responses.substr(0, 200);
  EXPECT_THAT(responses, StartsWith("HTTP/1.1 414"));
  EXPECT_THAT(responses, Not(HasSubstr("smuggled")));
}

// Bodies whose end cpp-httplib could misjudge: the connection never carries
// another request after them.
TEST(HttpServerTest, ClosesAfterAChunkedBody) {
  auto server = StartServer();
  ASSERT_NE(server, nullptr);
  RawClient client(server->port());
  ASSERT_TRUE(client.connected());
  // A malformed chunk end that cpp-httplib 0.11.4 takes for the end of the body.
  ASSERT_TRUE(client.Send(
      "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX\r\n" +
      Post("smuggled")));
  std::string responses = client.ReadToEnd();
  EXPECT_EQ(CountOf(responses, "HTTP/1.1 "), 1) << responses;
  EXPECT_THAT(responses, Not(HasSubstr("smuggled")));
}

TEST(HttpServerTest, RefusesAmbiguousFramingUnread) {
  auto server = StartServer();
  ASSERT_NE(server, nullptr);
  for (const char* framing :
       {"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n",
        "Transfer-Encoding: gzip, chunked\r\n", "Content-Length: 0\r\nContent-Length: 5\r\n"}) {
    RawClient client(server->port());
    ASSERT_TRUE(client.connected());
    ASSERT_TRUE(client.Send(std::string("POST / HTTP/1.1\r\nHost: x\r\n") + framing +
                            "\r\n0\r\n\r\n" + Post("smuggled")));
    std::string responses = client.ReadToEnd();
    EXPECT_THAT(responses, StartsWith("HTTP/1.1 400")) << framing;
    EXPECT_EQ(CountOf(responses, "HTTP/1.1 "), 1) << framing;
    EXPECT_THAT(responses, Not(HasSubstr("smuggled"))) << framing;
  }
}

TEST(HttpServerTest, NeverHandlesABodyCutShort) {
  auto server = StartServer();
  ASSERT_NE(server, nullptr);
  RawClient client(server->port());
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(
      client.Send("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r"));
  client.ShutdownWrite();
  EXPECT_THAT(client.ReadToEnd(), Not(HasSubstr("200 OK")));
}

// RFC 9112: a request with neither Content-Length nor Transfer-Encoding has
// no body; the next request on the connection is a request of its own.
TEST(HttpServerTest, TakesABodyWithoutALengthAsEmpty) {
  auto server = StartServer();
  ASSERT_NE(server, nullptr);
  RawClient client(server->port());
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.Send("POST / HTTP/1.1\r\nHost: x\r\n\r\n" + Post("second")));
  std::string responses = client.ReadUntil("second");
  EXPECT_EQ(CountOf(responses, "HTTP/1.1 200"), 2) << responses;
  EXPECT_THAT(responses, HasSubstr("Content-Length: 0\r\n"));
}

// Stop waits for a request whose body is still arriving, and the handler
// sees the whole body.
TEST(HttpServerTest, StopLetsABodyStillArrivingBeReadWhole) {
  auto server = StartServer();
  ASSERT_NE(server, nullptr);
  RawClient client(server->port());
  ASSERT_TRUE(client.connected());
  const std::string request = Post("complete body", "Expect: 100-continue\r\n");
  const size_t head = request.find("\r\n\r\n") + 4;
  ASSERT_TRUE(client.Send(request.substr(0, head) + "complete"));
  // The interim answer shows the server has read the head: the request is
  // in progress, not idle.
  ASSERT_THAT(client.ReadUntil("\r\n\r\n"), StartsWith("HTTP/1.1 100 Continue"));
  std::thread stopper([&] { server->Stop(); });
  while (RawClient(server->port()).connected()) std::this_thread::yield();
  ASSERT_TRUE(client.Send(request.substr(head + 8)));
  std::string response = client.ReadUntil("complete body");
  stopper.join();
  EXPECT_THAT(response, StartsWith("HTTP/1.1 200"));
  EXPECT_THAT(response, EndsWith("\r\n\r\ncomplete body"));
  EXPECT_TRUE(client.ReadsEndOfStream());
}

TEST(HttpServerTest, StopLetsARequestInProgressBeAnswered) {
  std::promise<void> entered;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  auto server = StartServer([&](const wire::HttpRequest& request) {
    entered.set_value();
    released.wait();
    return Echo(request);
  });
  ASSERT_NE(server, nullptr);
  RawClient client(server->port());
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.Send(Post("late")));
  entered.get_future().wait();
  std::thread stopper([&] { server->Stop(); });
  // Stop has closed the listening socket once a new connection is refused;
  // closing the open connections follows at once, usually before the
  // handler is released (either order must work).
  while (RawClient(server->port()).connected()) std::this_thread::yield();
  release.set_value();
  std::string response = client.ReadUntil("late");
  stopper.join();
  EXPECT_THAT(response, StartsWith("HTTP/1.1 200"));
  EXPECT_THAT(response, EndsWith("\r\n\r\nlate"));
  EXPECT_TRUE(client.ReadsEndOfStream());
}

}  // namespace
}  // namespace wharf::testing
