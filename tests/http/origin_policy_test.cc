// http_internal::OriginPolicy: which Host and Origin headers pass for each kind of
// bound address, and the CORS answers for allowed origins.

#include "broker/http/origin_policy.h"

#include <optional>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace wharf::http_internal {
namespace {

using ::testing::Contains;
using ::testing::Pair;

HttpRequest Request(const std::string& host,
                    std::vector<std::pair<std::string, std::string>> more = {}) {
  HttpRequest request;
  request.method = "POST";
  request.path = "/";
  if (!host.empty()) request.headers.emplace_back("host", host);
  for (auto& header : more) request.headers.push_back(std::move(header));
  return request;
}

int StatusOf(const OriginPolicy& policy, const HttpRequest& request) {
  std::string cors;
  std::optional<HttpResponse> answer = policy.Screen(request, &cors);
  return answer ? answer->status : 0;  // 0: passes to the handler.
}

OriginPolicy Policy(const std::string& bound, std::vector<std::string> hosts = {},
                    std::vector<std::string> origins = {}) {
  return OriginPolicy({.bound_host = bound,
                       .port = 4566,
                       .allowed_hosts = std::move(hosts),
                       .allowed_origins = std::move(origins)});
}

TEST(OriginPolicyTest, OnLoopbackAcceptsLoopbackNamesWithThePort) {
  const OriginPolicy policy = Policy("127.0.0.1");
  for (const char* host :
       {"127.0.0.1:4566", "localhost:4566", "LocalHost:4566", "127.0.0.2:4566", "[::1]:4566", ""}) {
    EXPECT_EQ(StatusOf(policy, Request(host)), 0) << host;
  }
  for (const char* host : {"attacker.example:4566", "127.0.0.1", "127.0.0.1:80", "10.0.0.1:4566",
                           "localhost.attacker.example:4566", "127.0.0.1.nip.io:4566"}) {
    EXPECT_EQ(StatusOf(policy, Request(host)), 403) << host;
  }
  for (const char* host :
       {"a b:4566", "h:99999", "h:x", "[::1:4566", "user@127.0.0.1:4566", ":4566"}) {
    EXPECT_EQ(StatusOf(policy, Request(host)), 400) << host;
  }
}

TEST(OriginPolicyTest, OnAllInterfacesAcceptsAnyAddressLiteral) {
  const OriginPolicy policy = Policy("0.0.0.0");
  EXPECT_EQ(StatusOf(policy, Request("192.168.1.20:4566")), 0);
  EXPECT_EQ(StatusOf(policy, Request("[fe80::1]:4566")), 0);
  EXPECT_EQ(StatusOf(policy, Request("localhost:4566")), 0);
  EXPECT_EQ(StatusOf(policy, Request("myhost.lan:4566")), 403);
}

TEST(OriginPolicyTest, OnASpecificAddressAcceptsThatAddressOnly) {
  const OriginPolicy policy = Policy("192.168.1.20");
  EXPECT_EQ(StatusOf(policy, Request("192.168.1.20:4566")), 0);
  EXPECT_EQ(StatusOf(policy, Request("192.168.1.21:4566")), 403);
  EXPECT_EQ(StatusOf(policy, Request("localhost:4566")), 403);
}

TEST(OriginPolicyTest, AcceptsConfiguredNamesWithAnyOrTheirPort) {
  const OriginPolicy policy = Policy("0.0.0.0", {"wharf", "proxy.local:8080"});
  EXPECT_EQ(StatusOf(policy, Request("wharf:4566")), 0);
  EXPECT_EQ(StatusOf(policy, Request("WHARF:14566")), 0);  // A port mapping.
  EXPECT_EQ(StatusOf(policy, Request("wharf")), 0);
  EXPECT_EQ(StatusOf(policy, Request("proxy.local:8080")), 0);
  EXPECT_EQ(StatusOf(policy, Request("proxy.local:4566")), 403);
  EXPECT_EQ(StatusOf(policy, Request("wharf.attacker.example:4566")), 403);
}

TEST(OriginPolicyTest, RefusesBrowserCrossOriginRequestsByDefault) {
  const OriginPolicy policy = Policy("127.0.0.1");
  auto with = [](std::vector<std::pair<std::string, std::string>> headers) {
    return Request("127.0.0.1:4566", std::move(headers));
  };
  EXPECT_EQ(StatusOf(policy, with({{"origin", "http://attacker.example"}})), 403);
  EXPECT_EQ(StatusOf(policy, with({{"origin", "null"}})), 403);
  EXPECT_EQ(StatusOf(policy, with({{"origin", "garbage"}})), 403);
  EXPECT_EQ(StatusOf(policy, with({{"origin", "http://127.0.0.1:4567"}})), 403);
  EXPECT_EQ(StatusOf(policy, with({{"sec-fetch-site", "cross-site"}})), 403);
  EXPECT_EQ(StatusOf(policy, with({{"sec-fetch-site", "same-site"}})), 403);
  // Same origin, and requests from outside a browser, pass.
  EXPECT_EQ(StatusOf(policy, with({{"origin", "http://127.0.0.1:4566"}})), 0);
  EXPECT_EQ(StatusOf(policy, with({{"sec-fetch-site", "same-origin"}})), 0);
  EXPECT_EQ(StatusOf(policy, with({{"sec-fetch-site", "none"}})), 0);
  EXPECT_EQ(StatusOf(policy, with({})), 0);
  // A preflight from a foreign origin is refused too.
  HttpRequest preflight =
      with({{"origin", "http://attacker.example"}, {"access-control-request-method", "POST"}});
  preflight.method = "OPTIONS";
  EXPECT_EQ(StatusOf(policy, preflight), 403);
}

TEST(OriginPolicyTest, AllowsConfiguredOriginsWithCors) {
  const OriginPolicy policy =
      Policy("127.0.0.1", {}, {"HTTP://LocalHost:3000/", "https://app.example"});
  std::string cors;
  HttpRequest request = Request("127.0.0.1:4566", {{"origin", "http://localhost:3000"}});
  EXPECT_FALSE(policy.Screen(request, &cors).has_value());
  EXPECT_EQ(cors, "http://localhost:3000");
  cors.clear();
  EXPECT_FALSE(
      policy.Screen(Request("127.0.0.1:4566", {{"origin", "https://app.example:443"}}), &cors)
          .has_value());
  EXPECT_EQ(cors, "https://app.example:443");
  EXPECT_EQ(StatusOf(policy, Request("127.0.0.1:4566", {{"origin", "http://app.example"}})), 403);

  HttpRequest preflight =
      Request("127.0.0.1:4566", {{"origin", "http://localhost:3000"},
                                 {"access-control-request-method", "POST"},
                                 {"access-control-request-headers", "authorization,x-amz-target"}});
  preflight.method = "OPTIONS";
  std::optional<HttpResponse> answer = policy.Screen(preflight, &cors);
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(answer->status, 204);
  EXPECT_THAT(answer->headers,
              Contains(Pair("Access-Control-Allow-Origin", "http://localhost:3000")));
  EXPECT_THAT(answer->headers,
              Contains(Pair("Access-Control-Allow-Headers", "authorization,x-amz-target")));
  EXPECT_THAT(answer->headers, Contains(Pair("Vary", "Origin")));
}

TEST(OriginPolicyTest, AnyOriginAllowsEveryOrigin) {
  const OriginPolicy policy = Policy("127.0.0.1", {}, {"*"});
  EXPECT_EQ(StatusOf(policy, Request("127.0.0.1:4566", {{"origin", "http://x.example"}})), 0);
  EXPECT_EQ(StatusOf(policy, Request("127.0.0.1:4566", {{"origin", "null"}})), 0);
  EXPECT_EQ(StatusOf(policy, Request("127.0.0.1:4566", {{"sec-fetch-site", "cross-site"}})), 0);
  // The Host check still applies.
  EXPECT_EQ(StatusOf(policy, Request("x.example:4566", {{"origin", "http://x.example"}})), 403);
}

}  // namespace
}  // namespace wharf::http_internal
