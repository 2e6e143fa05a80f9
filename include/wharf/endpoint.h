// File: wharf/endpoint.h
//
// wharf::Endpoint: an HTTP endpoint embedded in the process that speaks the
// AWS wire protocols, so unmodified AWS SDKs and the AWS CLI can be pointed
// at a broker (endpoint_url = ep.url()). It is started and stopped by its
// owner, typically a test:
//
//   auto broker = wharf::Broker::Open({}).value();
//   wharf::Endpoint ep(*broker, {.port = 0});   // 0: any free port
//   if (!ep.ok()) return ep.status();
//   // boto3.client("sqs", endpoint_url=ep.url(), region_name="us-east-1", ...)
//
// Protocols, on one URL, chosen per request by the smithy-protocol header,
// X-Amz-Target or Action (only RPC v2 CBOR looks at the path):
//   * SQS query protocol (form "Action=SendMessage&...", XML responses)
//   * SQS AWS JSON 1.0 ("X-Amz-Target: AmazonSQS.SendMessage")
//   * SNS query protocol (form "Action=Publish&...", XML responses; actions
//     SQS also has, e.g. AddPermission, go to the service the request's
//     SigV4 scope names)
//   * EventBridge AWS JSON 1.1 ("X-Amz-Target: AWSEvents.PutEvents";
//     timestamps as epoch seconds)
//   * CloudWatch query protocol (form "Action=PutMetricAlarm&..."), AWS JSON
//     1.0 ("X-Amz-Target: GraniteServiceVersion20100801.PutMetricAlarm", as
//     current botocore and the JavaScript SDK speak it) and Smithy RPC v2
//     CBOR ("POST /service/GraniteServiceVersion20100801/operation/
//     PutMetricAlarm" with "smithy-protocol: rpc-v2-cbor", as the SDKs for
//     C++, Go and Java speak it)
// and, outside the AWS protocols and unsigned:
//   * GET /metrics: every metric in the Prometheus text format
//   * GET /_wharf/clock and POST /_wharf/clock/advance {"seconds": N}: read
//     and move the broker's clock when it is a ManualClock (403 otherwise);
//     an advance fires everything that falls due before it answers
// Errors are the AWS errors of wharf/errors.h with their HTTP status, <Code>
// or __type, and the x-amzn-query-error header SDKs read (SQS over JSON 1.0,
// CloudWatch over JSON 1.0 and CBOR).
//
// Queue URLs in responses point at this endpoint (http://host:port/<account>/
// <queue>) whatever BrokerOptions::sqs_url_base is; incoming queue URLs are
// resolved by their /<account>/<queue> path, whatever their host.
//
// Signatures are accepted unchecked by default; with verify_signatures each
// request must carry a valid SigV4 signature by one of `credentials`, made
// within 15 minutes of the broker's Clock, for the broker's region and one
// of the services served (sqs, sns, events, monitoring), over the received body.
//
// Safety: the endpoint answers only requests whose Host names it (its
// address and port, or allowed_hosts) and refuses browsers' cross-origin
// requests unless allowed_origins lets them through (then with CORS). HTTP
// is parsed strictly and within bounds (max_request_bytes, header limits,
// request_timeout, idle_timeout, max_connections); see the fields below.
//
// Thread safety: thread-safe. The broker must outlive the endpoint.
// io_threads serve every connection and run every request; a long poll
// holds no thread while it waits (it parks in the SQS engine). Any of your
// callbacks that a service runs inline on the calling thread then runs on an
// I/O thread: it must not block.

#ifndef WHARF_ENDPOINT_H_
#define WHARF_ENDPOINT_H_

#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "wharf/broker.h"

namespace wharf {

struct EndpointOptions {
  // Address to bind. The default keeps the endpoint private to this machine.
  std::string host = "127.0.0.1";
  // 0 picks a free port; url() and port() tell which.
  int port = 0;

  // Threads serving the connections and running the requests.
  int io_threads = 2;
  // Request bodies over this size are refused (HTTP 413,
  // RequestEntityTooLarge) from their Content-Length, unread. The default
  // fits a 1 MiB SendMessageBatch even when url-encoding triples its size.
  size_t max_request_bytes = 8 << 20;
  // Request line plus header fields (HTTP 431 beyond; 414 for a request
  // line over half of it); at most 100 fields.
  size_t max_header_bytes = 16 << 10;
  // Open connections beyond this are answered 503 and closed. Lowered to
  // fit the process's descriptor limit (RLIMIT_NOFILE).
  size_t max_connections = 10'000;
  // An idle keep-alive connection is closed after this long.
  absl::Duration idle_timeout = absl::Seconds(5);
  // A request must arrive whole within this long of its first byte (else
  // HTTP 408 and close); an answer must be taken within it too.
  absl::Duration request_timeout = absl::Seconds(60);
  // Host names, besides the bound address, that clients may use: "name"
  // with any port (a port mapping), or "name:port".
  std::vector<std::string> allowed_hosts{};
  // Web origins ("https://app.example.com", "*" for any) whose pages may
  // call the endpoint (CORS). None by default: cross-origin requests from
  // browsers are refused (403) and no CORS header is sent.
  std::vector<std::string> allowed_origins{};

  // SigV4 verification. Off: any signature (or none) is accepted.
  bool verify_signatures = false;
  std::map<std::string, std::string> credentials{};  // access key id -> secret key
};

class Endpoint {
 public:
  // Binds and starts serving `broker`. On failure (address in use) ok() is
  // false and status() says why.
  Endpoint(Broker& broker, EndpointOptions options = {});
  Endpoint(const Endpoint&) = delete;
  Endpoint& operator=(const Endpoint&) = delete;
  ~Endpoint();  // Stops.

  bool ok() const { return status_.ok(); }
  const absl::Status& status() const { return status_; }

  // "http://<host>:<port>", without a trailing slash; empty when not ok().
  const std::string& url() const { return url_; }
  int port() const { return port_; }

  // Stops accepting connections, ends long polls in progress (they answer
  // with the messages they have, usually none), lets requests in progress
  // be answered and closes every connection; returns within a second
  // whatever clients do. Idempotent; the destructor calls it.
  void Stop();

  class Impl;

 private:
  absl::Status status_;
  std::string url_;
  int port_ = 0;
  std::unique_ptr<Impl> impl_;
};

}  // namespace wharf

#endif  // WHARF_ENDPOINT_H_
