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
// Protocols, on one URL, chosen per request by X-Amz-Target / Action (the
// path does not matter):
//   * SQS query protocol (form "Action=SendMessage&...", XML responses)
//   * SQS AWS JSON 1.0 ("X-Amz-Target: AmazonSQS.SendMessage")
//   * SNS query protocol (form "Action=Publish&...", XML responses; actions
//     SQS also has, e.g. AddPermission, go to the service the request's
//     SigV4 scope names)
//   * EventBridge AWS JSON 1.1 ("X-Amz-Target: AWSEvents.PutEvents";
//     timestamps as epoch seconds)
//   * CloudWatch query protocol (form "Action=PutMetricAlarm&...")
// and, outside the AWS protocols and unsigned:
//   * GET /metrics: every metric in the Prometheus text format
//   * GET /_wharf/clock and POST /_wharf/clock/advance {"seconds": N}: read
//     and move the broker's clock when it is a ManualClock (403 otherwise);
//     an advance fires everything that falls due before it answers
// Errors are the AWS errors of wharf/errors.h with their HTTP status, <Code>
// or __type, and the x-amzn-query-error header SDKs read.
//
// Queue URLs in responses point at this endpoint (http://host:port/<account>/
// <queue>) whatever BrokerOptions::sqs_url_base is; incoming queue URLs are
// resolved by their /<account>/<queue> path, whatever their host.
//
// Signatures are accepted unchecked by default; with verify_signatures each
// request must carry a valid SigV4 signature by one of `credentials`.
//
// Thread safety: thread-safe. The broker must outlive the endpoint. Requests
// are served on a pool of `threads` workers; a connection holds a worker
// while it is kept alive, and a long poll holds it for the poll. When a
// connection arrives with every worker taken, the connection idle the
// longest is closed to free one (clients reconnect, as HTTP allows).

#ifndef WHARF_ENDPOINT_H_
#define WHARF_ENDPOINT_H_

#include <cstddef>
#include <map>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "wharf/broker.h"

namespace wharf {

struct EndpointOptions {
  // Address to bind. The default keeps the endpoint private to this machine.
  std::string host = "127.0.0.1";
  // 0 picks a free port; url() and port() tell which.
  int port = 0;

  // Worker threads, i.e. connections served at once (each long poll in
  // progress occupies one; idle keep-alive connections give theirs up).
  int threads = 32;
  // Request bodies over this size are refused (HTTP 413,
  // RequestEntityTooLarge). The default fits a 1 MiB SendMessageBatch even
  // when url-encoding triples its size.
  size_t max_request_bytes = 8 << 20;
  // An idle keep-alive connection is closed after this long.
  int keep_alive_timeout_seconds = 5;

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
  // with the messages they have, usually none) and waits for the requests in
  // progress to be answered. Idempotent; the destructor calls it.
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
