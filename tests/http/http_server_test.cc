// http_internal::HttpServer over raw loopback sockets: keep-alive and pipelining,
// "100 Continue", asynchronous answers and their cancellation, strict
// framing (each smuggling shape is refused and closes the connection),
// limits and deadlines, the connection cap, Host and Origin screening, and
// Stop. Deadlines here are real time (sockets): the options make them short
// and the client waits for them on its socket, never by sleeping.

#include "broker/http/http_server.h"

#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "broker/base/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/http/raw_http_client.h"

namespace wharf::testing {
namespace {

using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

// Answers every request with its own body, inline.
void Echo(http_internal::HttpRequest request, http_internal::Respond respond) {
  std::move(respond)({.status = 200, .content_type = "text/plain", .body = request.body});
}

http_internal::HttpServerOptions Options() {
  http_internal::HttpServerOptions options;
  options.idle_timeout = absl::Minutes(2);
  options.request_timeout = absl::Minutes(2);
  return options;
}

class HttpServerTest : public ::testing::Test {
 protected:
  void StartServer(http_internal::HttpServer::Handler handler = Echo,
                   http_internal::HttpServerOptions options = Options()) {
    auto server = http_internal::HttpServer::Start(options, std::move(handler));
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
  }

  std::string Host() const { return "127.0.0.1:" + std::to_string(server_->port()); }
  std::string Post(const std::string& body, const std::string& extra_headers = "") const {
    return RawPost(body, extra_headers, Host());
  }
  // The head of a POST up to its body, with the given framing headers.
  std::string Head(const std::string& framing, const std::string& version = "HTTP/1.1") const {
    return "POST / " + version + "\r\nHost: " + Host() + "\r\n" + framing + "\r\n";
  }
  RawClient Connect() const { return RawClient(server_->port()); }

  std::unique_ptr<http_internal::HttpServer> server_;
};

int CountOf(const std::string& text, const std::string& part) {
  int n = 0;
  for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

TEST_F(HttpServerTest, AnswersPipelinedRequestsInOrder) {
  StartServer();
  RawClient client = Connect();
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.Send(Post("first") + Post("second") + Post("third")));
  for (const char* body : {"first", "second", "third"}) {
    std::optional<RawResponse> response = client.ReadResponse();
    ASSERT_TRUE(response.has_value()) << body;
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->body, body);
    EXPECT_FALSE(response->HasHeader("connection"));
  }
}

// Clients (urllib3) send a request's head and body in two writes, and a
// large body grows the connection's buffer, which shrinks again when the
// connection falls idle: neither may corrupt the requests that follow.
TEST_F(HttpServerTest, KeepsServingWhenHeadsAndBodiesArriveApart) {
  StartServer();
  RawClient client = Connect();
  for (size_t size : {size_t{20'000}, size_t{5}, size_t{70'000}, size_t{3}, size_t{1}}) {
    const std::string body(size, 'x');
    const std::string request = Post(body);
    const size_t head = request.find("\r\n\r\n") + 4;
    ASSERT_TRUE(client.Send(request.substr(0, head)));
    ASSERT_TRUE(client.Send(request.substr(head)));
    std::optional<RawResponse> response = client.ReadResponse();
    ASSERT_TRUE(response.has_value()) << size;
    EXPECT_EQ(response->status, 200) << size;
    EXPECT_EQ(response->body.size(), size);
  }
}

TEST_F(HttpServerTest, SendsContinueBeforeWaitingForTheBody) {
  StartServer();
  RawClient client = Connect();
  const std::string request = Post("payload", "Expect: 100-continue\r\n");
  const size_t head = request.find("\r\n\r\n") + 4;
  ASSERT_TRUE(client.Send(request.substr(0, head)));
  // Without the interim response, the server would wait for the body here
  // while the client waits for "100 Continue".
  EXPECT_THAT(client.ReadUntil("\r\n\r\n"), StartsWith("HTTP/1.1 100 Continue"));
  ASSERT_TRUE(client.Send(request.substr(head)));
  std::optional<RawResponse> response = client.ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "payload");
}

TEST_F(HttpServerTest, ClosesTheConnectionWhenTheClientAsks) {
  StartServer();
  RawClient client = Connect();
  ASSERT_TRUE(client.Send(Post("bye", "Connection: close\r\n")));
  std::optional<RawResponse> response = client.ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->Header("connection"), "close");
  EXPECT_TRUE(client.ReadsEndOfStream());
}

TEST_F(HttpServerTest, AnswersHeadWithoutABody) {
  StartServer([](http_internal::HttpRequest, http_internal::Respond respond) {
    std::move(respond)({.status = 200, .content_type = "text/plain", .body = "hidden"});
  });
  RawClient client = Connect();
  ASSERT_TRUE(client.Send("HEAD / HTTP/1.1\r\nHost: " + Host() + "\r\n\r\n" + Post("")));
  std::string both = client.ReadUntil("hidden");
  EXPECT_EQ(CountOf(both, "HTTP/1.1 200"), 2) << both;
  EXPECT_EQ(CountOf(both, "hidden"), 1) << both;
}

// The handler keeps the Respond and answers from another thread later; the
// connection reads no further request meanwhile.
TEST_F(HttpServerTest, AnswersLaterFromAnotherThreadOneRequestAtATime) {
  Mutex mu;
  std::vector<std::pair<std::string, http_internal::Respond>> pending;
  CondVar arrived;
  StartServer([&](http_internal::HttpRequest request, http_internal::Respond respond) {
    MutexLock lock(&mu);
    pending.emplace_back(request.body, std::move(respond));
    arrived.SignalAll();
  });
  RawClient client = Connect();
  ASSERT_TRUE(client.Send(Post("one") + Post("two")));
  for (const char* body : {"one", "two"}) {
    std::pair<std::string, http_internal::Respond> next;
    {
      MutexLock lock(&mu);
      while (pending.empty()) arrived.Wait(&mu);
      // The second request is handed over only once the first is answered.
      ASSERT_EQ(pending.size(), 1u);
      next = std::move(pending.front());
      pending.clear();
    }
    EXPECT_EQ(next.first, body);
    std::thread([respond = std::move(next.second), text = next.first]() mutable {
      std::move(respond)({.status = 200, .content_type = "text/plain", .body = text + "!"});
    }).join();
    std::optional<RawResponse> response = client.ReadResponse();
    ASSERT_TRUE(response.has_value());
    EXPECT_EQ(response->body, std::string(body) + "!");
  }
}

// A handler that drops its Respond unanswered (a bug) still gets the client
// an answer: 500.
TEST_F(HttpServerTest, AnswersADroppedRequestWith500) {
  StartServer([](http_internal::HttpRequest, http_internal::Respond) {});
  RawClient client = Connect();
  ASSERT_TRUE(client.Send(Post("lost")));
  std::optional<RawResponse> response = client.ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 500);
}

// A client that goes away while its request is with the handler (a long
// poll) stops the request's cancel token, so the poll ends now.
TEST_F(HttpServerTest, CancelsTheRequestWhenTheClientCloses) {
  Notification received;
  Notification cancelled;
  Mutex mu;
  std::vector<std::unique_ptr<std::stop_callback<std::function<void()>>>> callbacks;
  std::vector<http_internal::Respond> held;
  StartServer([&](http_internal::HttpRequest request, http_internal::Respond respond) {
    MutexLock lock(&mu);
    callbacks.push_back(std::make_unique<std::stop_callback<std::function<void()>>>(
        request.cancel, [&] { cancelled.Notify(); }));
    held.push_back(std::move(respond));
    received.Notify();
  });
  {
    RawClient client = Connect();
    ASSERT_TRUE(client.Send(Post("poll")));
    // The request must be with the handler before the client leaves.
    received.WaitForNotification();
  }
  cancelled.WaitForNotification();
  MutexLock lock(&mu);
  for (http_internal::Respond& respond : held) std::move(respond)({.status = 200});
}

// ---- Framing: each shape a smuggler uses is refused (400) unread, and the
// connection closes, so what follows is never taken for a request.

struct FramingCase {
  const char* name;
  const char* head_fields;  // Header fields after Host.
  const char* version = "HTTP/1.1";
};

TEST_F(HttpServerTest, RefusesMalformedOrConflictingFramingAndCloses) {
  std::atomic<int> handled{0};
  StartServer([&](http_internal::HttpRequest request, http_internal::Respond respond) {
    ++handled;
    Echo(std::move(request), std::move(respond));
  });
  const FramingCase cases[] = {
      {"letters", "Content-Length: abc\r\n"},
      {"trailing garbage", "Content-Length: 68a\r\n"},
      {"list", "Content-Length: 66, 5\r\n"},
      {"equal list", "Content-Length: 5, 5\r\n"},
      {"negative", "Content-Length: -1\r\n"},
      {"plus sign", "Content-Length: +5\r\n"},
      {"2^64", "Content-Length: 18446744073709551616\r\n"},
      {"20 digits", "Content-Length: 00000000000000000005\r\n"},
      {"repeated", "Content-Length: 5\r\nContent-Length: 5\r\n"},
      {"conflicting", "Content-Length: 0\r\nContent-Length: 5\r\n"},
      {"CL then TE", "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n"},
      {"TE then CL", "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n"},
      {"TE list", "Transfer-Encoding: gzip, chunked\r\n"},
      {"TE unknown", "Transfer-Encoding: gzip\r\n"},
      {"TE repeated", "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n"},
      {"TE in HTTP/1.0", "Transfer-Encoding: chunked\r\n", "HTTP/1.0"},
      {"space before colon", "Content-Length : 5\r\n"},
      {"bare LF", "Content-Length: 5\n"},
      {"second Host", "Host: 127.0.0.1\r\n"},
  };
  for (const FramingCase& c : cases) {
    SCOPED_TRACE(c.name);
    RawClient client = Connect();
    ASSERT_TRUE(client.Send(Head(c.head_fields, c.version) + "0\r\n\r\n" + Post("smuggled")));
    const std::string answer = client.ReadToEnd();
    EXPECT_THAT(answer, StartsWith("HTTP/1.1 400 ")) << answer;
    EXPECT_EQ(CountOf(answer, "HTTP/1.1 "), 1) << answer;
    EXPECT_THAT(answer, HasSubstr("Connection: close"));
    EXPECT_THAT(answer, Not(HasSubstr("smuggled")));
  }
  EXPECT_EQ(handled.load(), 0);
}

TEST_F(HttpServerTest, RefusesRequestsWithoutAHostOrWithAnAbsoluteTarget) {
  StartServer();
  for (const std::string& request : {std::string("POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n"),
                                     "GET http://127.0.0.1:" + std::to_string(server_->port()) +
                                         "/ HTTP/1.1\r\nHost: " + Host() + "\r\n\r\n",
                                     "GET * HTTP/1.1\r\nHost: " + Host() + "\r\n\r\n"}) {
    RawClient client = Connect();
    ASSERT_TRUE(client.Send(request));
    EXPECT_THAT(client.ReadToEnd(), StartsWith("HTTP/1.1 400 ")) << request;
  }
}

TEST_F(HttpServerTest, RefusesAMalformedChunkAndTrailers) {
  StartServer();
  for (const char* body : {"5\r\nhelloXX\r\n", "zz\r\nhello\r\n0\r\n\r\n",
                           "5\r\nhello\r\n0\r\nX-Amz-Target: AmazonSQS.DeleteQueue\r\n\r\n"}) {
    RawClient client = Connect();
    ASSERT_TRUE(client.Send(Head("Transfer-Encoding: chunked\r\n") + body + Post("smuggled")));
    const std::string answer = client.ReadToEnd();
    EXPECT_THAT(answer, StartsWith("HTTP/1.1 400 ")) << body;
    EXPECT_EQ(CountOf(answer, "HTTP/1.1 "), 1) << answer;
    EXPECT_THAT(answer, Not(HasSubstr("smuggled")));
  }
}

TEST_F(HttpServerTest, ReadsAChunkedBodyAndKeepsTheConnection) {
  StartServer();
  RawClient client = Connect();
  ASSERT_TRUE(client.Send(Head("Transfer-Encoding: chunked\r\n") +
                          "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n" + Post("next")));
  std::optional<RawResponse> first = client.ReadResponse();
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->body, "hello world");
  std::optional<RawResponse> second = client.ReadResponse();
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->body, "next");
}

// A GET's body is read as its body (not taken for the next request).
TEST_F(HttpServerTest, ReadsTheBodyOfAGet) {
  StartServer();
  RawClient client = Connect();
  ASSERT_TRUE(client.Send("GET / HTTP/1.1\r\nHost: " + Host() +
                          "\r\nContent-Length: 24\r\n\r\nGET /smuggled HTTP/1.1\r\n" +
                          Post("next")));
  std::optional<RawResponse> first = client.ReadResponse();
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->body, "GET /smuggled HTTP/1.1\r\n");
  std::optional<RawResponse> second = client.ReadResponse();
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->body, "next");
}

// RFC 9112: a request with neither Content-Length nor Transfer-Encoding has
// no body; the next request on the connection is a request of its own.
TEST_F(HttpServerTest, TakesABodyWithoutALengthAsEmpty) {
  StartServer();
  RawClient client = Connect();
  ASSERT_TRUE(client.Send("POST / HTTP/1.1\r\nHost: " + Host() + "\r\n\r\n" + Post("second")));
  std::optional<RawResponse> first = client.ReadResponse();
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->Header("content-length"), "0");
  std::optional<RawResponse> second = client.ReadResponse();
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->body, "second");
}

TEST_F(HttpServerTest, NeverHandlesABodyCutShort) {
  StartServer();
  RawClient client = Connect();
  ASSERT_TRUE(client.Send(Head("Transfer-Encoding: chunked\r\n") + "5\r\nhello\r"));
  client.ShutdownWrite();
  EXPECT_THAT(client.ReadToEnd(), Not(HasSubstr("200 OK")));
}

// ---- Limits

// An oversized body is refused from its Content-Length alone: the handler
// sees the head flagged body_too_large (to answer with its own error), no
// "100 Continue" is sent, none of the body is awaited, and the connection
// closes after the answer.
TEST_F(HttpServerTest, RefusesAnOversizedBodyFromItsLengthAlone) {
  http_internal::HttpServerOptions options = Options();
  options.limits.max_body_bytes = 1024;
  StartServer(
      [](http_internal::HttpRequest request, http_internal::Respond respond) {
        std::move(respond)({.status = request.body_too_large ? 413 : 200,
                            .body = request.body_too_large ? "too large" : ""});
      },
      options);
  for (const std::string& length : {std::string("1025"), std::string("314572800")}) {
    RawClient client = Connect();
    ASSERT_TRUE(client.Send(Head("Content-Length: " + length + "\r\nExpect: 100-continue\r\n")));
    const std::string answer = client.ReadToEnd();
    EXPECT_THAT(answer, StartsWith("HTTP/1.1 413 ")) << answer;
    EXPECT_THAT(answer, Not(HasSubstr("100 Continue")));
    EXPECT_THAT(answer, HasSubstr("Connection: close"));
    EXPECT_THAT(answer, EndsWith("too large"));
  }
}

TEST_F(HttpServerTest, RefusesAChunkedBodyThatGrowsTooLarge) {
  http_internal::HttpServerOptions options = Options();
  options.limits.max_body_bytes = 8;
  StartServer(
      [](http_internal::HttpRequest request, http_internal::Respond respond) {
        std::move(respond)({.status = request.body_too_large ? 413 : 200});
      },
      options);
  RawClient client = Connect();
  ASSERT_TRUE(client.Send(Head("Transfer-Encoding: chunked\r\n") + "5\r\nhello\r\n5\r\nworld\r\n"));
  EXPECT_THAT(client.ReadToEnd(), StartsWith("HTTP/1.1 413 "));
}

TEST_F(HttpServerTest, CapsTheRequestLineAndTheHeader) {
  StartServer();
  {
    // A long request line: 414 as soon as the limit is passed, with the
    // rest never read.
    RawClient client = Connect();
    ASSERT_TRUE(client.Send("GET /" + std::string(40'000, 'a')));
    EXPECT_THAT(client.ReadToEnd(), StartsWith("HTTP/1.1 414 "));
  }
  {
    RawClient client = Connect();
    ASSERT_TRUE(client.Send("GET /" + std::string(9000, 'a') + " HTTP/1.1\r\nHost: " + Host() +
                            "\r\n\r\n"));
    EXPECT_THAT(client.ReadToEnd(), StartsWith("HTTP/1.1 414 "));
  }
  {
    RawClient client = Connect();
    ASSERT_TRUE(client.Send(Head("X-Big: " + std::string(20'000, 'b') + "\r\n")));
    EXPECT_THAT(client.ReadToEnd(), StartsWith("HTTP/1.1 431 "));
  }
  {
    std::string fields;
    for (int i = 0; i < 101; ++i) fields += "X-" + std::to_string(i) + ": v\r\n";
    RawClient client = Connect();
    ASSERT_TRUE(client.Send(Head(fields + "Content-Length: 0\r\n")));
    EXPECT_THAT(client.ReadToEnd(), StartsWith("HTTP/1.1 431 "));
  }
}

// ---- Deadlines (short here; the client waits on its socket)

TEST_F(HttpServerTest, ClosesAnIdleConnectionAfterTheIdleTimeout) {
  http_internal::HttpServerOptions options = Options();
  options.idle_timeout = absl::Milliseconds(300);
  StartServer(Echo, options);
  RawClient client = Connect();
  ASSERT_TRUE(client.Send(Post("hello")));
  ASSERT_TRUE(client.ReadResponse().has_value());
  EXPECT_TRUE(client.ReadsEndOfStream());
}

TEST_F(HttpServerTest, Answers408ToARequestThatDoesNotArriveInTime) {
  http_internal::HttpServerOptions options = Options();
  options.request_timeout = absl::Milliseconds(300);
  StartServer(Echo, options);
  RawClient client = Connect();
  ASSERT_TRUE(client.Send("POST / HTTP/1.1\r\nHost: " + Host() + "\r\nContent-Len"));
  const std::string answer = client.ReadToEnd();
  EXPECT_THAT(answer, StartsWith("HTTP/1.1 408 "));
  EXPECT_THAT(answer, HasSubstr("Connection: close"));
}

// ---- Connections: many on few threads; beyond the cap, a clear refusal.

TEST_F(HttpServerTest, ServesManyPendingRequestsOnTwoThreads) {
  constexpr int kClients = 300;
  Mutex mu;
  std::vector<http_internal::Respond> held;
  CondVar arrived;
  http_internal::HttpServerOptions options = Options();
  options.io_threads = 2;
  StartServer(
      [&](http_internal::HttpRequest, http_internal::Respond respond) {
        MutexLock lock(&mu);
        held.push_back(std::move(respond));
        arrived.SignalAll();
      },
      options);
  std::vector<std::unique_ptr<RawClient>> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.push_back(std::make_unique<RawClient>(server_->port()));
    ASSERT_TRUE(clients.back()->Send(Post("wait")));
  }
  {
    MutexLock lock(&mu);
    while (held.size() < kClients) arrived.Wait(&mu);
    for (http_internal::Respond& respond : held)
      std::move(respond)({.status = 200, .body = "done"});
  }
  for (auto& client : clients) {
    std::optional<RawResponse> response = client->ReadResponse();
    ASSERT_TRUE(response.has_value());
    EXPECT_EQ(response->body, "done");
  }
  EXPECT_EQ(server_->connections(), static_cast<size_t>(kClients));
}

TEST_F(HttpServerTest, RefusesConnectionsBeyondTheCapWith503) {
  http_internal::HttpServerOptions options = Options();
  options.max_connections = 3;
  StartServer(Echo, options);
  std::vector<std::unique_ptr<RawClient>> open;
  for (int i = 0; i < 3; ++i) {
    open.push_back(std::make_unique<RawClient>(server_->port()));
    ASSERT_TRUE(open.back()->Send(Post("in")));
    ASSERT_TRUE(open.back()->ReadResponse().has_value());
  }
  {
    RawClient extra = Connect();
    std::optional<RawResponse> refusal = extra.ReadResponse();
    ASSERT_TRUE(refusal.has_value());
    EXPECT_EQ(refusal->status, 503);
    EXPECT_EQ(refusal->Header("connection"), "close");
    EXPECT_TRUE(extra.ReadsEndOfStream());
  }
  // A connection that closes makes room.
  open.pop_back();
  for (;;) {
    RawClient next = Connect();
    ASSERT_TRUE(next.Send(Post("again")));
    std::optional<RawResponse> response = next.ReadResponse();
    ASSERT_TRUE(response.has_value());
    if (response->status == 503) continue;  // The close is not yet seen.
    EXPECT_EQ(response->body, "again");
    break;
  }
}

// ---- Host and Origin

TEST_F(HttpServerTest, RefusesAForeignHostAndAcceptsItsOwnAndConfiguredNames) {
  http_internal::HttpServerOptions options = Options();
  options.allowed_hosts = {"wharf.internal"};
  StartServer(Echo, options);
  const std::string port = std::to_string(server_->port());
  for (const std::string& host : std::vector<std::string>{
           "evil.example:" + port, "127.0.0.1:1", "127.0.0.1", "localhost.evil.example:" + port}) {
    RawClient client = Connect();
    ASSERT_TRUE(client.Send(RawPost("x", "", host)));
    std::optional<RawResponse> response = client.ReadResponse();
    ASSERT_TRUE(response.has_value());
    EXPECT_EQ(response->status, 403) << host;
  }
  for (const std::string& host :
       std::vector<std::string>{"127.0.0.1:" + port, "localhost:" + port, "LOCALHOST:" + port,
                                "127.1.2.3:" + port, "[::1]:" + port, "wharf.internal:8080"}) {
    RawClient client = Connect();
    ASSERT_TRUE(client.Send(RawPost("x", "", host)));
    std::optional<RawResponse> response = client.ReadResponse();
    ASSERT_TRUE(response.has_value());
    EXPECT_EQ(response->status, 200) << host;
  }
}

TEST_F(HttpServerTest, RefusesCrossOriginRequestsAndSendsNoCorsByDefault) {
  std::atomic<int> handled{0};
  StartServer([&](http_internal::HttpRequest request, http_internal::Respond respond) {
    ++handled;
    Echo(std::move(request), std::move(respond));
  });
  for (const std::string& headers :
       {std::string("Origin: http://evil.example\r\n"), std::string("Origin: null\r\n"),
        std::string("Sec-Fetch-Site: cross-site\r\n"),
        "Origin: http://localhost:" + std::to_string(server_->port() + 1) + "\r\n"}) {
    RawClient client = Connect();
    ASSERT_TRUE(client.Send(Post("x", headers)));
    std::optional<RawResponse> response = client.ReadResponse();
    ASSERT_TRUE(response.has_value());
    EXPECT_EQ(response->status, 403) << headers;
    EXPECT_FALSE(response->HasHeader("access-control-allow-origin"));
  }
  // Same origin (a page served by the endpoint's own address) passes.
  RawClient client = Connect();
  ASSERT_TRUE(
      client.Send(Post("x", "Origin: http://" + Host() + "\r\nSec-Fetch-Site: same-origin\r\n")));
  std::optional<RawResponse> response = client.ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200);
  EXPECT_FALSE(response->HasHeader("access-control-allow-origin"));
  EXPECT_EQ(handled.load(), 1);
}

TEST_F(HttpServerTest, AnswersCorsForAnAllowedOrigin) {
  http_internal::HttpServerOptions options = Options();
  options.allowed_origins = {"http://localhost:3000"};
  StartServer(Echo, options);
  RawClient client = Connect();
  ASSERT_TRUE(client.Send("OPTIONS / HTTP/1.1\r\nHost: " + Host() +
                          "\r\nOrigin: http://localhost:3000\r\n"
                          "Access-Control-Request-Method: POST\r\n"
                          "Access-Control-Request-Headers: authorization, x-amz-date, "
                          "content-type\r\n\r\n"));
  std::optional<RawResponse> preflight = client.ReadResponse();
  ASSERT_TRUE(preflight.has_value());
  EXPECT_EQ(preflight->status, 204);
  EXPECT_EQ(preflight->Header("access-control-allow-origin"), "http://localhost:3000");
  EXPECT_THAT(preflight->Header("access-control-allow-methods"), HasSubstr("POST"));
  EXPECT_EQ(preflight->Header("access-control-allow-headers"),
            "authorization, x-amz-date, content-type");
  ASSERT_TRUE(client.Send(Post("x", "Origin: http://localhost:3000\r\n")));
  std::optional<RawResponse> answer = client.ReadResponse();
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(answer->status, 200);
  EXPECT_EQ(answer->Header("access-control-allow-origin"), "http://localhost:3000");
  EXPECT_THAT(answer->Header("access-control-expose-headers"), HasSubstr("x-amzn-RequestId"));
  // Another origin is still refused.
  ASSERT_TRUE(client.Send(Post("x", "Origin: http://localhost:3001\r\n")));
  std::optional<RawResponse> refused = client.ReadResponse();
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->status, 403);
}

// ---- Stop

// The idle timeout is two minutes: only Stop can end the connection, and Stop
// must not wait for it.
TEST_F(HttpServerTest, StopClosesIdleKeepAliveConnections) {
  StartServer();
  RawClient client = Connect();
  ASSERT_TRUE(client.Send(Post("hello")));
  ASSERT_TRUE(client.ReadResponse().has_value());
  server_->Stop();
  EXPECT_TRUE(client.ReadsEndOfStream());
}

// Stop cancels what the handler holds; a handler that answers on cancel
// (as a long poll does) has its answer delivered, then the connection closes.
TEST_F(HttpServerTest, StopCancelsARequestInProgressWhoseAnswerIsDelivered) {
  Mutex mu;
  std::vector<std::unique_ptr<std::stop_callback<std::function<void()>>>> callbacks;
  Notification received;
  StartServer([&](http_internal::HttpRequest request, http_internal::Respond respond) {
    auto shared = std::make_shared<http_internal::Respond>(std::move(respond));
    MutexLock lock(&mu);
    callbacks.push_back(
        std::make_unique<std::stop_callback<std::function<void()>>>(request.cancel, [shared] {
          std::move (*shared)({.status = 200, .content_type = "text/plain", .body = "partial"});
        }));
    received.Notify();
  });
  RawClient client = Connect();
  ASSERT_TRUE(client.Send(Post("poll")));
  received.WaitForNotification();
  server_->Stop();
  const std::string answer = client.ReadToEnd();
  EXPECT_THAT(answer, StartsWith("HTTP/1.1 200"));
  EXPECT_THAT(answer, HasSubstr("Connection: close"));
  EXPECT_THAT(answer, EndsWith("partial"));
}

// Stop waits (briefly) for a request whose body is still arriving, and the
// handler sees the whole body.
TEST_F(HttpServerTest, StopLetsABodyStillArrivingBeReadWhole) {
  StartServer();
  RawClient client = Connect();
  const std::string request = Post("complete body", "Expect: 100-continue\r\n");
  const size_t head = request.find("\r\n\r\n") + 4;
  ASSERT_TRUE(client.Send(request.substr(0, head) + "complete"));
  // The interim answer shows the server has read the head: the request is
  // in progress, not idle.
  ASSERT_THAT(client.ReadUntil("\r\n\r\n"), StartsWith("HTTP/1.1 100 Continue"));
  std::thread stopper([&] { server_->Stop(); });
  while (RawClient(server_->port()).connected()) std::this_thread::yield();
  ASSERT_TRUE(client.Send(request.substr(head + 8)));
  std::optional<RawResponse> response = client.ReadResponse();
  stopper.join();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "complete body");
  EXPECT_TRUE(client.ReadsEndOfStream());
}

// Whatever clients do (trickle a request, never read, hold a request the
// handler never answers), Stop returns within a second.
TEST_F(HttpServerTest, StopReturnsWithinASecondWhateverClientsDo) {
  std::vector<http_internal::Respond> never_answered;
  Mutex mu;
  Notification held;
  StartServer([&](http_internal::HttpRequest, http_internal::Respond respond) {
    MutexLock lock(&mu);
    never_answered.push_back(std::move(respond));
    held.Notify();
  });
  RawClient trickling = Connect();
  ASSERT_TRUE(
      trickling.Send("POST / HTTP/1.1\r\nHost: " + Host() + "\r\nContent-Length: 100\r\n\r\nab"));
  RawClient holding = Connect();
  ASSERT_TRUE(holding.Send(Post("never")));
  held.WaitForNotification();
  RawClient idle = Connect();
  const auto start = std::chrono::steady_clock::now();
  server_->Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
  EXPECT_TRUE(trickling.ReadsEndOfStream());
  EXPECT_TRUE(holding.ReadsEndOfStream());
  // Closed, or reset if it was still in the listen backlog.
  EXPECT_TRUE(idle.ReadsEndOrReset());
  // A late answer is dropped, not delivered to a closed server.
  MutexLock lock(&mu);
  for (http_internal::Respond& respond : never_answered) std::move(respond)({.status = 200});
}

}  // namespace
}  // namespace wharf::testing
