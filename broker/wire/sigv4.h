// AWS Signature Version 4 verification of incoming requests, in both forms:
//
//   header      "Authorization: AWS4-HMAC-SHA256 Credential=AKID/date/region/
//               service/aws4_request, SignedHeaders=..., Signature=..." with
//               the time in X-Amz-Date;
//   presigned   the same fields as query parameters (X-Amz-Algorithm,
//               X-Amz-Credential, X-Amz-Date, X-Amz-Expires,
//               X-Amz-SignedHeaders, X-Amz-Signature).
//
// The endpoint accepts requests unchecked by default, as local emulators do.
// With verification on, a request is accepted only when all of these hold,
// as AWS checks them for SQS, SNS and EventBridge:
//   * the key is a configured one, and the signature matches the request
//     as received: the payload hash is computed from the body, whatever
//     X-Amz-Content-Sha256 claims; UNSIGNED-PAYLOAD is never honoured (AWS
//     allows it for S3 only, and AWS SDKs sign payloads over plain HTTP);
//   * `host` is among the signed headers;
//   * the credential scope names the configured region, a service served,
//     and the date of X-Amz-Date;
//   * X-Amz-Date is within 15 minutes of the broker's Clock (so a request
//     cannot be replayed later), and a presigned request is used before
//     X-Amz-Date + X-Amz-Expires (at most 7 days, and never more than 15
//     minutes late, as AWS SQS and SNS enforce).
// Refusals are the errors AWS returns, in the protocol of the request: the
// query code (XML <Code>, x-amzn-query-error) and the JSON __type differ
// where AWS's do (SignatureDoesNotMatch / InvalidSignatureException,
// InvalidClientTokenId / UnrecognizedClientException, ...), with AWS's
// messages ("Signature expired: 20240101T000000Z is now earlier than ...").
//
// Thread safety: all functions are thread-safe; SigV4Verifier is immutable.

#ifndef WHARF_BROKER_WIRE_SIGV4_H_
#define WHARF_BROKER_WIRE_SIGV4_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"
#include "broker/wire/error_mapping.h"
#include "broker/wire/http_types.h"
#include "wharf/clock.h"

namespace wharf::wire {

// The parsed Authorization header (or presigned query parameters).
struct SigV4Authorization {
  std::string access_key_id;
  std::string date;  // yyyymmdd
  std::string region;
  std::string service;         // e.g. "sqs"
  std::string signed_headers;  // "host;x-amz-date", as sent.
  std::string signature;       // Lower-case hex.
};

// Parses the Authorization header, or nullopt when absent or not SigV4.
std::optional<SigV4Authorization> ParseSigV4Authorization(std::string_view header);

// The credential-scope service of a signed request ("sqs", "sns"), from its
// Authorization header or presigned query, or "" when unsigned. Used to
// route query-protocol actions that two services share.
std::string SigningService(const HttpRequest& request);

// The canonical request and string to sign of SigV4, exposed for tests.
// `payload_hash` is the hex SHA-256 of the body; a presigned request's
// X-Amz-Signature parameter is left out of the canonical query.
std::string CanonicalRequest(const HttpRequest& request, std::string_view signed_headers,
                             std::string_view payload_hash, bool presigned = false);
std::string StringToSign(std::string_view amz_date, std::string_view scope,
                         std::string_view canonical_request);
// Hex signature of `string_to_sign` under `secret` for the given scope parts.
std::string SigV4Signature(std::string_view secret, std::string_view date, std::string_view region,
                           std::string_view service, std::string_view string_to_sign);

struct SigV4Options {
  std::map<std::string, std::string> credentials;  // Access key id -> secret key.
  std::string region = "us-east-1";                // The credential scope's region.
  std::vector<std::string> services = {"sqs", "sns", "events", "monitoring"};
};

class SigV4Verifier {
 public:
  // `clock` must outlive the verifier.
  SigV4Verifier(SigV4Options options, const Clock& clock);

  // The error to answer `request` with, or nullopt when it is signed well.
  // Cost: a SHA-256 pass over the body, one over the canonical request, and
  // five HMACs.
  std::optional<WireError> Verify(const HttpRequest& request) const;

 private:
  const SigV4Options options_;
  const Clock& clock_;
};

}  // namespace wharf::wire

#endif  // WHARF_BROKER_WIRE_SIGV4_H_
