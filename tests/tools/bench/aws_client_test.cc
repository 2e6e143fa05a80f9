// The HTTP client: SigV4 signing (against AWS's published example and the
// endpoint's own verifier), URL parsing, reading query-protocol XML answers,
// and a keep-alive connection the server closes between requests.

#include "broker/tools/bench/aws_client.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "broker/tools/bench/http_connection.h"
#include "broker/tools/bench/sigv4_signer.h"
#include "broker/wire/sigv4.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "wharf/clock.h"

namespace wharf::bench {
namespace {

using ::testing::HasSubstr;

SigV4Credentials Example() {
  return {.access_key_id = "AKIDEXAMPLE",
          .secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
          .session_token = ""};
}

TEST(SigV4SigningTest, MatchesTheAwsGetVanillaExample) {
  // From the AWS SigV4 test suite ("get-vanilla").
  http_internal::HttpRequest request;
  request.method = "GET";
  request.path = "/";
  request.headers = {{"host", "example.amazonaws.com"}};
  absl::Time when = absl::FromCivil(absl::CivilSecond(2015, 8, 30, 12, 36, 0), absl::UTCTimeZone());
  SignSigV4(Example(), "us-east-1", "service", when, &request);
  EXPECT_EQ(request.Header("x-amz-date"), "20150830T123600Z");
  EXPECT_EQ(request.Header("authorization"),
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
            "SignedHeaders=host;x-amz-date, "
            "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
}

TEST(SigV4SigningTest, ASignedRequestPassesVerificationUntilItIsChanged) {
  http_internal::HttpRequest request;
  request.method = "POST";
  request.path = "/";
  request.headers = {{"host", "127.0.0.1:4566"},
                     {"content-type", "application/x-amz-json-1.0"},
                     {"x-amz-target", "AmazonSQS.ListQueues"}};
  request.body = "{}";
  SigV4Credentials credentials = Example();
  credentials.session_token = "token-1";
  SignSigV4(credentials, "eu-west-1", "sqs", absl::Now(), &request);
  EXPECT_EQ(request.Header("x-amz-security-token"), "token-1");
  EXPECT_THAT(std::string(request.Header("authorization")),
              HasSubstr("SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;"
                        "x-amz-target,"));
  SystemClock clock;
  wire::SigV4Verifier known(
      {.credentials = {{"AKIDEXAMPLE", credentials.secret_access_key}}, .region = "eu-west-1"},
      clock);
  EXPECT_EQ(known.Verify(request), std::nullopt);

  // Signing again replaces the signature instead of adding a second one.
  SignSigV4(credentials, "eu-west-1", "sqs", absl::Now(), &request);
  int authorizations = 0;
  for (const auto& header : request.headers) authorizations += header.first == "authorization";
  EXPECT_EQ(authorizations, 1);
  EXPECT_EQ(known.Verify(request), std::nullopt);

  http_internal::HttpRequest tampered = request;
  tampered.body = "{\"QueueNamePrefix\":\"x\"}";
  EXPECT_NE(known.Verify(tampered), std::nullopt);
  wire::SigV4Verifier other(
      {.credentials = {{"AKIDEXAMPLE", "another secret"}}, .region = "eu-west-1"}, clock);
  EXPECT_NE(other.Verify(request), std::nullopt);
}

TEST(HttpConnectionTest, ParsesUrls) {
  HttpConnection::Url u = HttpConnection::ParseUrl("http://127.0.0.1:4566").value();
  EXPECT_FALSE(u.tls);
  EXPECT_EQ(u.host, "127.0.0.1");
  EXPECT_EQ(u.port, "4566");
  EXPECT_EQ(u.path, "/");
  EXPECT_EQ(u.HostHeader(), "127.0.0.1:4566");
  u = HttpConnection::ParseUrl("https://sqs.eu-west-1.amazonaws.com/base").value();
  EXPECT_TRUE(u.tls);
  EXPECT_EQ(u.port, "443");
  EXPECT_EQ(u.path, "/base");
  EXPECT_EQ(u.HostHeader(), "sqs.eu-west-1.amazonaws.com");
  EXPECT_EQ(HttpConnection::ParseUrl("http://localhost").value().HostHeader(), "localhost");
  EXPECT_FALSE(HttpConnection::ParseUrl("ftp://x").ok());
  EXPECT_FALSE(HttpConnection::ParseUrl("http://:80").ok());
  EXPECT_FALSE(HttpConnection::ParseUrl("http://host:99999").ok());
  EXPECT_FALSE(HttpConnection::ParseUrl("http://host:abc").ok());
}

TEST(XmlTest, ReadsElementTextAndCountsMembers) {
  constexpr char kAnswer[] =
      "<PublishBatchResponse><PublishBatchResult><Successful><member><Id>0</Id></member>"
      "</Successful><Failed><member><Id>1</Id><Code>InvalidParameter</Code>"
      "<Message>a &lt;b&gt; &amp;amp; &quot;c&quot;</Message></member><member><Id>2</Id>"
      "</member></Failed></PublishBatchResult></PublishBatchResponse>";
  EXPECT_EQ(XmlText(kAnswer, "Code"), "InvalidParameter");
  EXPECT_EQ(XmlText(kAnswer, "Message"), "a <b> &amp; \"c\"");
  EXPECT_EQ(XmlText(kAnswer, "TopicArn"), std::nullopt);
  EXPECT_EQ(XmlCountMembers(kAnswer, "Failed"), 2);
  EXPECT_EQ(XmlCountMembers(kAnswer, "Successful"), 1);
  EXPECT_EQ(XmlCountMembers("<Failed/>", "Failed"), 0);
}

// A server that answers each connection's first request with `answer`, then
// closes it (as an idle keep-alive timeout does), for `connections`
// connections.
class OneShotServer {
 public:
  OneShotServer(std::string answer, int connections) : answer_(std::move(answer)) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    listen(fd_, 8);
    socklen_t len = sizeof(addr);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this, connections] {
      for (int i = 0; i < connections; ++i) {
        int c = accept(fd_, nullptr, nullptr);
        if (c < 0) return;
        std::string request;
        char buffer[4096];
        while (request.find("\r\n\r\n") == std::string::npos) {
          ssize_t n = read(c, buffer, sizeof(buffer));
          if (n <= 0) break;
          request.append(buffer, static_cast<size_t>(n));
        }
        ++accepted_;
        (void)!write(c, answer_.data(), answer_.size());
        close(c);
      }
    });
  }
  ~OneShotServer() {
    shutdown(fd_, SHUT_RDWR);
    close(fd_);
    thread_.join();
  }
  std::string url() const { return absl::StrCat("http://127.0.0.1:", port_); }
  int accepted() const { return accepted_.load(); }

 private:
  const std::string answer_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<int> accepted_{0};
  std::thread thread_;
};

http_internal::HttpRequest Get() {
  http_internal::HttpRequest r;
  r.method = "GET";
  r.path = "/";
  return r;
}

TEST(HttpConnectionTest, ReconnectsWhenTheServerClosedAKeptAliveConnection) {
  OneShotServer server("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", 2);
  HttpConnection c(HttpConnection::ParseUrl(server.url()).value());
  absl::StatusOr<http_internal::HttpResponse> first = c.RoundTrip(Get());
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->body, "ok");
  // The connection looks open to the client, but the server has closed it:
  // the request is sent again on a new one.
  absl::StatusOr<http_internal::HttpResponse> second = c.RoundTrip(Get());
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->status, 200);
  EXPECT_EQ(server.accepted(), 2);
}

TEST(HttpConnectionTest, AnAnswerCutShortIsAnErrorNotARetry) {
  // Part of an answer came: the request may have been served, so it is not
  // sent again.
  OneShotServer server("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nok", 1);
  HttpConnection c(HttpConnection::ParseUrl(server.url()).value());
  absl::StatusOr<http_internal::HttpResponse> r = c.RoundTrip(Get());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(server.accepted(), 1);
}

}  // namespace
}  // namespace wharf::bench
