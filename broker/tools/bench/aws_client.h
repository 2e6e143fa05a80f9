// AwsClient: SigV4-signed calls to one AWS-compatible endpoint in the three
// protocols wharf speaks: SQS over AWS JSON 1.0, SNS over the query protocol,
// EventBridge over AWS JSON 1.1. It carries bodies and maps errors; building
// the request bodies and reading the answers is the caller's (http_target.cc).
//
//   AwsClient client(AwsClientOptions::FromEnvironment("http://127.0.0.1:4566").value());
//   absl::StatusOr<std::string> body = client.Sqs("ListQueues", "{}");
//
// An AWS error comes back as a status whose message starts with the error
// code ("QueueDoesNotExist: The specified queue does not exist."), with a
// canonical code from the HTTP status (400 InvalidArgument, 403
// PermissionDenied, 404 NotFound, 5xx Unavailable).
//
// Thread safety: not thread-safe (one connection); use one per thread.

#ifndef WHARF_BROKER_TOOLS_BENCH_AWS_CLIENT_H_
#define WHARF_BROKER_TOOLS_BENCH_AWS_CLIENT_H_

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "broker/tools/bench/http_connection.h"
#include "broker/tools/bench/sigv4_signer.h"

namespace wharf::bench {

struct AwsClientOptions {
  HttpConnection::Url url;
  std::string region = "us-east-1";
  SigV4Credentials credentials;
  absl::Duration timeout = absl::Seconds(60);  // Per call; long polls add their wait.

  // `url` with credentials and region from the environment
  // (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION
  // or AWS_DEFAULT_REGION), defaulting to "test"/"test" in us-east-1, which
  // local emulators accept. Errors: InvalidArgument (a bad URL).
  static absl::StatusOr<AwsClientOptions> FromEnvironment(std::string_view url);
};

class AwsClient {
 public:
  explicit AwsClient(AwsClientOptions options);

  // POST with X-Amz-Target AmazonSQS.<action>, a JSON 1.0 body; returns the
  // JSON answer.
  absl::StatusOr<std::string> Sqs(std::string_view action, std::string body);
  // POST Action=<action>&Version=2010-03-31&<params>; returns the XML answer.
  absl::StatusOr<std::string> Sns(std::string_view action,
                                  const std::vector<std::pair<std::string, std::string>>& params);
  // POST with X-Amz-Target AWSEvents.<action>, a JSON 1.1 body.
  absl::StatusOr<std::string> Events(std::string_view action, std::string body);

 private:
  absl::StatusOr<std::string> Call(std::string_view service, std::string content_type,
                                   std::string target, std::string body);

  AwsClientOptions options_;
  HttpConnection connection_;
};

// The text of the first <tag>...</tag> in `xml`, entities decoded.
std::optional<std::string> XmlText(std::string_view xml, std::string_view tag);
// The number of <member> elements inside the first <tag>...</tag>.
int XmlCountMembers(std::string_view xml, std::string_view tag);

}  // namespace wharf::bench

#endif  // WHARF_BROKER_TOOLS_BENCH_AWS_CLIENT_H_
