// SignSigV4: the client side of AWS Signature Version 4 (header form), with
// the canonical request, string to sign and key derivation the endpoint's
// verifier uses (broker/wire/sigv4.h). wharf-bench signs every request to a
// URL target with it.
//
// Thread safety: thread-safe (no shared state).

#ifndef WHARF_BROKER_TOOLS_BENCH_SIGV4_SIGNER_H_
#define WHARF_BROKER_TOOLS_BENCH_SIGV4_SIGNER_H_

#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "broker/http/http_message.h"

namespace wharf::bench {

struct SigV4Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // Sent as X-Amz-Security-Token when not empty.
};

// Signs `request` for `region` and `service` at `now`: sets x-amz-date (and
// x-amz-security-token), then an Authorization header over every header the
// request carries. REQUIRES: header names in lower case, a "host" header, no
// header named twice.
void SignSigV4(const SigV4Credentials& credentials, std::string_view region,
               std::string_view service, absl::Time now, http_internal::HttpRequest* request);

}  // namespace wharf::bench

#endif  // WHARF_BROKER_TOOLS_BENCH_SIGV4_SIGNER_H_
