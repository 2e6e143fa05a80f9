#include "broker/tools/bench/sigv4_signer.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "broker/base/digests.h"
#include "broker/tools/bench/text.h"
#include "broker/wire/sigv4.h"

namespace wharf::bench {

void SignSigV4(const SigV4Credentials& credentials, std::string_view region,
               std::string_view service, absl::Time now, http_internal::HttpRequest* request) {
  std::string amz_date = absl::FormatTime("%Y%m%dT%H%M%SZ", now, absl::UTCTimeZone());
  std::string date = amz_date.substr(0, 8);
  auto set_header = [&](std::string_view name, std::string value) {
    for (auto& [header, old] : request->headers) {
      if (header == name) {
        old = std::move(value);
        return;
      }
    }
    request->headers.emplace_back(std::string(name), std::move(value));
  };
  std::erase_if(request->headers, [](const auto& h) { return h.first == "authorization"; });
  set_header("x-amz-date", amz_date);
  if (!credentials.session_token.empty()) {
    set_header("x-amz-security-token", credentials.session_token);
  }
  std::vector<std::string> names;
  for (const auto& header : request->headers) names.push_back(header.first);
  std::sort(names.begin(), names.end());
  std::string signed_headers = absl::StrJoin(names, ";");
  std::string scope = absl::StrCat(date, "/", Absl(region), "/", Absl(service), "/aws4_request");
  std::string signature = wire::SigV4Signature(
      credentials.secret_access_key, date, region, service,
      wire::StringToSign(amz_date, scope,
                         wire::CanonicalRequest(*request, signed_headers,
                                                base_internal::Sha256Hex(request->body))));
  request->headers.emplace_back(
      "authorization",
      absl::StrCat("AWS4-HMAC-SHA256 Credential=", credentials.access_key_id, "/", scope,
                   ", SignedHeaders=", signed_headers, ", Signature=", signature));
}

}  // namespace wharf::bench
