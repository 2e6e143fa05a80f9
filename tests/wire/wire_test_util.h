// Helpers for wire-layer tests: building query-protocol and JSON requests
// and a Router wired to a mock sqs::Service.

#ifndef WHARF_TESTS_WIRE_WIRE_TEST_UTIL_H_
#define WHARF_TESTS_WIRE_WIRE_TEST_UTIL_H_

#include <zlib.h>

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "broker/wire/apis.h"
#include "broker/wire/form.h"
#include "broker/wire/http_types.h"
#include "broker/wire/queue_url_mapper.h"
#include "broker/wire/router.h"
#include "rapidjson/document.h"
#include "tests/wire/mock_sqs_service.h"

namespace wharf::testing {

inline constexpr char kBrokerBase[] = "https://sqs.us-east-1.amazonaws.com";
inline constexpr char kEndpointBase[] = "http://127.0.0.1:4566";
inline constexpr char kBrokerQueueUrl[] = "https://sqs.us-east-1.amazonaws.com/000000000000/jobs";
inline constexpr char kClientQueueUrl[] = "http://127.0.0.1:4566/000000000000/jobs";

// A query-protocol POST of `pairs` (encoded here).
inline wire::HttpRequest QueryRequest(const std::vector<std::pair<std::string, std::string>>& pairs,
                                      std::string path = "/") {
  wire::HttpRequest request;
  request.method = "POST";
  request.path = std::move(path);
  request.headers = {{"content-type", "application/x-www-form-urlencoded; charset=utf-8"},
                     {"host", "127.0.0.1:4566"}};
  for (const auto& [key, value] : pairs) {
    if (!request.body.empty()) request.body.push_back('&');
    request.body += wire::UriEncode(key, false) + "=" + wire::UriEncode(value, false);
  }
  return request;
}

// A JSON 1.0 POST with "X-Amz-Target: <prefix>.<operation>".
inline wire::HttpRequest JsonRequest(const std::string& operation, std::string body,
                                     const std::string& prefix = "AmazonSQS") {
  wire::HttpRequest request;
  request.method = "POST";
  request.path = "/";
  request.headers = {{"content-type", "application/x-amz-json-1.0"},
                     {"x-amz-target", prefix + "." + operation},
                     {"host", "127.0.0.1:4566"}};
  request.body = std::move(body);
  return request;
}

// `text` as one gzip member (a body sent with Content-Encoding: gzip).
inline std::string Gzip(const std::string& text) {
  z_stream zs{};
  EXPECT_EQ(
      deflateInit2(&zs, Z_BEST_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY),
      Z_OK);
  std::string out(deflateBound(&zs, text.size()), '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  zs.avail_in = static_cast<uInt>(text.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

// Runs `request` through `router` and returns the answer, which the router
// gives before returning when the service answers inline (as the mocks do).
inline wire::HttpResponse HandleNow(const wire::Router& router, wire::HttpRequest request) {
  std::optional<wire::HttpResponse> answer;
  router.Handle(std::move(request), [&](wire::HttpResponse response) {
    EXPECT_FALSE(answer.has_value()) << "answered twice";
    answer = std::move(response);
  });
  EXPECT_TRUE(answer.has_value()) << "not answered inline";
  return answer.value_or(wire::HttpResponse{.status = 0});
}

// A Router with the SQS protocols over a strict mock service.
class WireFixture {
 public:
  explicit WireFixture(wire::RouterOptions options = {})
      : urls_(kBrokerBase, kEndpointBase), router_(std::move(options)) {
    std::shared_ptr<const wire::Api> sqs = wire::MakeSqsApi(service_, urls_);
    router_.AddQuery(sqs);
    router_.AddJson(sqs);
  }

  ::testing::StrictMock<MockSqsService>& service() { return service_; }
  wire::HttpResponse Handle(const wire::HttpRequest& request) {
    return HandleNow(router_, request);
  }

 private:
  ::testing::StrictMock<MockSqsService> service_;
  wire::QueueUrlMapper urls_;
  wire::Router router_;
};

inline std::string HeaderOf(const wire::HttpResponse& response, const std::string& name) {
  for (const auto& [key, value] : response.headers) {
    if (key == name) return value;
  }
  return "";
}

// Parses a JSON response body (asserting it parses).
inline rapidjson::Document ParseJson(const std::string& body) {
  rapidjson::Document document;
  document.Parse(body.c_str(), body.size());
  EXPECT_FALSE(document.HasParseError()) << body;
  return document;
}

}  // namespace wharf::testing

#endif  // WHARF_TESTS_WIRE_WIRE_TEST_UTIL_H_
