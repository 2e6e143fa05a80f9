#include "broker/wire/sigv4.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "broker/base/digests.h"
#include "broker/wire/form.h"

namespace wharf::wire {
namespace {

using base_internal::HmacSha256;
using base_internal::Sha256Hex;
using base_internal::ToHex;

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";

absl::string_view Absl(std::string_view s) { return absl::string_view(s.data(), s.size()); }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Header value as SigV4 canonicalizes it: trimmed, inner runs of spaces
// collapsed to one.
void AppendCanonicalValue(std::string_view value, std::string* out) {
  value = Trim(value);
  bool space = false;
  for (char c : value) {
    if (c == ' ' || c == '\t') {
      space = true;
      continue;
    }
    if (space) out->push_back(' ');
    space = false;
    out->push_back(c);
  }
}

std::string CanonicalQuery(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> pairs;
  for (absl::string_view part : absl::StrSplit(Absl(query), '&', absl::SkipEmpty())) {
    size_t eq = part.find('=');
    std::string key;
    std::string value;
    std::string_view raw_key(part.data(), eq == absl::string_view::npos ? part.size() : eq);
    std::string_view raw_value;
    if (eq != absl::string_view::npos) {
      raw_value = std::string_view(part.data() + eq + 1, part.size() - eq - 1);
    }
    if (!PercentDecode(raw_key, false, &key)) key = std::string(raw_key);
    if (!PercentDecode(raw_value, false, &value)) value = std::string(raw_value);
    pairs.emplace_back(UriEncode(key, false), UriEncode(value, false));
  }
  std::sort(pairs.begin(), pairs.end());
  std::string out;
  for (const auto& [key, value] : pairs) {
    if (!out.empty()) out.push_back('&');
    absl::StrAppend(&out, key, "=", value);
  }
  return out;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

}  // namespace

std::optional<SigV4Authorization> ParseSigV4Authorization(std::string_view header) {
  header = Trim(header);
  if (header.substr(0, kAlgorithm.size()) != kAlgorithm) return std::nullopt;
  header.remove_prefix(kAlgorithm.size());
  SigV4Authorization auth;
  std::string credential;
  for (absl::string_view part : absl::StrSplit(Absl(header), ',', absl::SkipEmpty())) {
    std::string_view field = Trim(std::string_view(part.data(), part.size()));
    size_t eq = field.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view name = field.substr(0, eq);
    std::string_view value = field.substr(eq + 1);
    if (name == "Credential") credential = std::string(value);
    if (name == "SignedHeaders") auth.signed_headers = std::string(value);
    if (name == "Signature") auth.signature = absl::AsciiStrToLower(Absl(value));
  }
  std::vector<std::string> scope = absl::StrSplit(credential, '/');
  if (scope.size() != 5 || scope[4] != "aws4_request" || auth.signed_headers.empty() ||
      auth.signature.empty()) {
    return std::nullopt;
  }
  auth.access_key_id = scope[0];
  auth.date = scope[1];
  auth.region = scope[2];
  auth.service = scope[3];
  return auth;
}

std::string SigningService(const HttpRequest& request) {
  std::optional<SigV4Authorization> auth = ParseSigV4Authorization(request.Header("authorization"));
  return auth ? auth->service : std::string();
}

std::string CanonicalRequest(const HttpRequest& request, std::string_view signed_headers) {
  std::string out;
  out.reserve(512);
  absl::StrAppend(&out, request.method, "\n");
  absl::StrAppend(&out, request.path.empty() ? "/" : UriEncode(request.path, true), "\n");
  absl::StrAppend(&out, CanonicalQuery(request.query), "\n");
  for (absl::string_view name : absl::StrSplit(Absl(signed_headers), ';', absl::SkipEmpty())) {
    absl::StrAppend(&out, name, ":");
    bool first = true;
    for (const auto& [header, value] : request.headers) {
      if (header != std::string_view(name.data(), name.size())) continue;
      if (!first) out.push_back(',');
      first = false;
      AppendCanonicalValue(value, &out);
    }
    out.push_back('\n');
  }
  absl::StrAppend(&out, "\n", Absl(signed_headers), "\n");
  std::string_view payload_hash = request.Header("x-amz-content-sha256");
  if (payload_hash.empty()) {
    out.append(Sha256Hex(request.body));
  } else {
    out.append(payload_hash);
  }
  return out;
}

std::string StringToSign(std::string_view amz_date, std::string_view scope,
                         std::string_view canonical_request) {
  return absl::StrCat(Absl(kAlgorithm), "\n", Absl(amz_date), "\n", Absl(scope), "\n",
                      Sha256Hex(canonical_request));
}

std::string SigV4Signature(std::string_view secret, std::string_view date, std::string_view region,
                           std::string_view service, std::string_view string_to_sign) {
  std::string key = HmacSha256(absl::StrCat("AWS4", Absl(secret)), date);
  key = HmacSha256(key, region);
  key = HmacSha256(key, service);
  key = HmacSha256(key, "aws4_request");
  std::string mac = HmacSha256(key, string_to_sign);
  return ToHex(reinterpret_cast<const uint8_t*>(mac.data()), mac.size());
}

std::optional<WireError> VerifySigV4(const HttpRequest& request,
                                     const std::map<std::string, std::string>& credentials) {
  std::string_view header = request.Header("authorization");
  if (header.empty()) {
    return MissingAuthenticationTokenError("Request is missing Authentication Token");
  }
  std::optional<SigV4Authorization> auth = ParseSigV4Authorization(header);
  if (!auth) {
    return IncompleteSignatureError(
        "Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' "
        "parameters of the AWS4-HMAC-SHA256 algorithm.");
  }
  auto secret = credentials.find(auth->access_key_id);
  if (secret == credentials.end()) {
    return InvalidClientTokenIdError("The security token included in the request is invalid.");
  }
  std::string_view amz_date = request.Header("x-amz-date");
  if (amz_date.size() < 8 || amz_date.substr(0, 8) != auth->date) {
    return IncompleteSignatureError(
        "Date must be in ISO-8601 'basic format' in the X-Amz-Date header and match the "
        "credential scope.");
  }
  std::string scope =
      absl::StrCat(auth->date, "/", auth->region, "/", auth->service, "/aws4_request");
  std::string expected = SigV4Signature(
      secret->second, auth->date, auth->region, auth->service,
      StringToSign(amz_date, scope, CanonicalRequest(request, auth->signed_headers)));
  if (!ConstantTimeEquals(expected, auth->signature)) {
    return SignatureDoesNotMatchError(
        "The request signature we calculated does not match the signature you provided. Check "
        "your AWS Secret Access Key and signing method. Consult the service documentation for "
        "details.");
  }
  return std::nullopt;
}

}  // namespace wharf::wire
