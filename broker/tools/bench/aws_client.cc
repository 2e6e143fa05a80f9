#include "broker/tools/bench/aws_client.h"

#include <simdjson.h>

#include <cstdlib>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "broker/base/json.h"
#include "broker/tools/bench/text.h"
#include "broker/wire/form.h"

namespace wharf::bench {
namespace {

std::string Env(const char* name, std::string_view fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::string(v) : std::string(fallback);
}

absl::StatusCode CodeForHttpStatus(int status) {
  switch (status) {
    case 400:
      return absl::StatusCode::kInvalidArgument;
    case 403:
      return absl::StatusCode::kPermissionDenied;
    case 404:
      return absl::StatusCode::kNotFound;
    case 413:
      return absl::StatusCode::kResourceExhausted;
    default:
      return status >= 500 ? absl::StatusCode::kUnavailable : absl::StatusCode::kFailedPrecondition;
  }
}

// "Code: message" from a JSON error ({"__type": "...#Code", "message": ...})
// or a query/XML one (<Code>, <Message>).
std::string ErrorText(const http_internal::HttpResponse& response) {
  std::string code;
  std::string message;
  if (absl::StrContains(response.content_type, "json") ||
      (!response.body.empty() && response.body.front() == '{')) {
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    if (base_internal::ParseJson(parser, response.body, &root) == simdjson::SUCCESS) {
      std::string_view type;
      if (root["__type"].get(type) == simdjson::SUCCESS) {
        code = std::string(type.substr(type.rfind('#') + 1));
      }
      std::string_view text;
      if (root["message"].get(text) == simdjson::SUCCESS ||
          root["Message"].get(text) == simdjson::SUCCESS) {
        message = std::string(text);
      }
    }
  } else {
    code = XmlText(response.body, "Code").value_or("");
    message = XmlText(response.body, "Message").value_or("");
  }
  if (code.empty()) {
    return absl::StrCat("HTTP ", response.status, ": ", response.body.substr(0, 200));
  }
  return absl::StrCat(code, ": ", message);
}

}  // namespace

absl::StatusOr<AwsClientOptions> AwsClientOptions::FromEnvironment(std::string_view url) {
  absl::StatusOr<HttpConnection::Url> parsed = HttpConnection::ParseUrl(url);
  if (!parsed.ok()) return parsed.status();
  AwsClientOptions options;
  options.url = *std::move(parsed);
  options.region = Env("AWS_REGION", Env("AWS_DEFAULT_REGION", "us-east-1"));
  options.credentials.access_key_id = Env("AWS_ACCESS_KEY_ID", "test");
  options.credentials.secret_access_key = Env("AWS_SECRET_ACCESS_KEY", "test");
  options.credentials.session_token = Env("AWS_SESSION_TOKEN", "");
  return options;
}

AwsClient::AwsClient(AwsClientOptions options)
    : options_(std::move(options)), connection_(options_.url, options_.timeout) {}

absl::StatusOr<std::string> AwsClient::Call(std::string_view service, std::string content_type,
                                            std::string target, std::string body) {
  http_internal::HttpRequest request;
  request.method = "POST";
  request.path = options_.url.path;
  request.headers.emplace_back("host", options_.url.HostHeader());
  request.headers.emplace_back("content-type", std::move(content_type));
  if (!target.empty()) request.headers.emplace_back("x-amz-target", std::move(target));
  request.body = std::move(body);
  SignSigV4(options_.credentials, options_.region, service, absl::Now(), &request);
  absl::StatusOr<http_internal::HttpResponse> response = connection_.RoundTrip(request);
  if (!response.ok()) return response.status();
  if (response->status != 200) {
    return absl::Status(CodeForHttpStatus(response->status), ErrorText(*response));
  }
  return std::move(response->body);
}

absl::StatusOr<std::string> AwsClient::Sqs(std::string_view action, std::string body) {
  return Call("sqs", "application/x-amz-json-1.0", absl::StrCat("AmazonSQS.", Absl(action)),
              std::move(body));
}

absl::StatusOr<std::string> AwsClient::Events(std::string_view action, std::string body) {
  return Call("events", "application/x-amz-json-1.1", absl::StrCat("AWSEvents.", Absl(action)),
              std::move(body));
}

absl::StatusOr<std::string> AwsClient::Sns(
    std::string_view action, const std::vector<std::pair<std::string, std::string>>& params) {
  std::string body = absl::StrCat("Action=", Absl(action), "&Version=2010-03-31");
  for (const auto& [key, value] : params) {
    absl::StrAppend(&body, "&", wire::UriEncode(key, false), "=", wire::UriEncode(value, false));
  }
  return Call("sns", "application/x-www-form-urlencoded; charset=utf-8", "", std::move(body));
}

std::optional<std::string> XmlText(std::string_view xml, std::string_view tag) {
  std::string open = absl::StrCat("<", Absl(tag), ">");
  std::string close = absl::StrCat("</", Absl(tag), ">");
  size_t start = xml.find(open);
  if (start == std::string_view::npos) return std::nullopt;
  start += open.size();
  size_t end = xml.find(close, start);
  if (end == std::string_view::npos) return std::nullopt;
  // One pass (StrReplaceAll does not rescan), so "&amp;lt;" becomes "&lt;".
  return absl::StrReplaceAll(Absl(xml.substr(start, end - start)), {{"&lt;", "<"},
                                                                    {"&gt;", ">"},
                                                                    {"&quot;", "\""},
                                                                    {"&apos;", "'"},
                                                                    {"&#xD;", "\r"},
                                                                    {"&#13;", "\r"},
                                                                    {"&amp;", "&"}});
}

int XmlCountMembers(std::string_view xml, std::string_view tag) {
  std::string open = absl::StrCat("<", Absl(tag), ">");
  std::string close = absl::StrCat("</", Absl(tag), ">");
  size_t start = xml.find(open);
  if (start == std::string_view::npos) return 0;
  size_t end = xml.find(close, start);
  std::string_view inside =
      xml.substr(start, end == std::string_view::npos ? xml.npos : end - start);
  int count = 0;
  for (size_t at = inside.find("<member>"); at != std::string_view::npos;
       at = inside.find("<member>", at + 1)) {
    ++count;
  }
  return count;
}

}  // namespace wharf::bench
