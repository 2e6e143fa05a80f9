// AWS Signature Version 4 verification of incoming requests (header form:
// "Authorization: AWS4-HMAC-SHA256 Credential=AKID/date/region/service/
// aws4_request, SignedHeaders=..., Signature=..."). The endpoint accepts
// requests without checking by default, as local emulators do; with
// verification on, a request must be signed with one of the configured
// credentials, and a missing, unknown or wrong signature is refused with the
// error AWS returns (MissingAuthenticationToken, InvalidClientTokenId,
// SignatureDoesNotMatch, IncompleteSignature). The request time is not
// compared with the clock (a test may run on a ManualClock).
//
// Thread safety: all functions are thread-safe.

#ifndef WHARF_BROKER_WIRE_SIGV4_H_
#define WHARF_BROKER_WIRE_SIGV4_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "broker/wire/error_mapping.h"
#include "broker/wire/http_message.h"

namespace wharf::wire {

// The parsed Authorization header.
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

// The credential-scope service of a signed request ("sqs", "sns"), or "" when
// unsigned. Used to route query-protocol actions that two services share.
std::string SigningService(const HttpRequest& request);

// The canonical request and string to sign of SigV4, exposed for tests.
std::string CanonicalRequest(const HttpRequest& request, std::string_view signed_headers);
std::string StringToSign(std::string_view amz_date, std::string_view scope,
                         std::string_view canonical_request);
// Hex signature of `string_to_sign` under `secret` for the given scope parts.
std::string SigV4Signature(std::string_view secret, std::string_view date, std::string_view region,
                           std::string_view service, std::string_view string_to_sign);

// Checks `request` against `credentials` (access key id -> secret access
// key). Returns the error to send, or nullopt when the signature is good.
std::optional<WireError> VerifySigV4(const HttpRequest& request,
                                     const std::map<std::string, std::string>& credentials);

}  // namespace wharf::wire

#endif  // WHARF_BROKER_WIRE_SIGV4_H_
