#include "broker/wire/sigv4.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "broker/base/digests.h"
#include "broker/wire/form.h"

namespace wharf::wire {
namespace {

using base_internal::HmacSha256;
using base_internal::Sha256Hex;
using base_internal::ToHex;

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
constexpr absl::Duration kMaxSkew = absl::Minutes(15);
constexpr int64_t kMaxExpiresSeconds = 7 * 24 * 3600;  // SigV4's limit for X-Amz-Expires.

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

// The query's pairs, percent-decoded (a malformed escape is kept as sent).
std::vector<std::pair<std::string, std::string>> QueryPairs(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> pairs;
  for (absl::string_view part : absl::StrSplit(Absl(query), '&', absl::SkipEmpty())) {
    size_t eq = part.find('=');
    std::string_view raw_key(part.data(), eq == absl::string_view::npos ? part.size() : eq);
    std::string_view raw_value;
    if (eq != absl::string_view::npos) {
      raw_value = std::string_view(part.data() + eq + 1, part.size() - eq - 1);
    }
    std::string key;
    std::string value;
    if (!PercentDecode(raw_key, false, &key)) key = std::string(raw_key);
    if (!PercentDecode(raw_value, false, &value)) value = std::string(raw_value);
    pairs.emplace_back(std::move(key), std::move(value));
  }
  return pairs;
}

std::string CanonicalQuery(std::string_view query, bool presigned) {
  std::vector<std::pair<std::string, std::string>> pairs;
  for (auto& [key, value] : QueryPairs(query)) {
    if (presigned && key == "X-Amz-Signature") continue;
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

// Splits "AKID/date/region/service/aws4_request" into `auth`.
bool ParseCredential(std::string_view credential, SigV4Authorization* auth) {
  std::vector<std::string> scope = absl::StrSplit(Absl(credential), '/');
  if (scope.size() != 5 || scope[4] != "aws4_request") return false;
  auth->access_key_id = scope[0];
  auth->date = scope[1];
  auth->region = scope[2];
  auth->service = scope[3];
  return true;
}

// "yyyymmddThhmmssZ" (SigV4's basic ISO-8601), strictly.
std::optional<absl::Time> ParseAmzDate(std::string_view text) {
  if (text.size() != 16 || text[8] != 'T' || text[15] != 'Z') return std::nullopt;
  auto number = [&](size_t at, size_t length, int* out) {
    for (size_t i = at; i < at + length; ++i) {
      if (text[i] < '0' || text[i] > '9') return false;
    }
    return absl::SimpleAtoi(Absl(text.substr(at, length)), out);
  };
  int year, month, day, hour, minute, second;
  if (!number(0, 4, &year) || !number(4, 2, &month) || !number(6, 2, &day) ||
      !number(9, 2, &hour) || !number(11, 2, &minute) || !number(13, 2, &second)) {
    return std::nullopt;
  }
  const absl::CivilSecond civil(year, month, day, hour, minute, second);
  if (civil.year() != year || civil.month() != month || civil.day() != day ||
      civil.hour() != hour || civil.minute() != minute || civil.second() != second) {
    return std::nullopt;  // 20261332T250000Z and the like.
  }
  return absl::FromCivil(civil, absl::UTCTimeZone());
}

std::string AmzDate(absl::Time time) {
  return absl::FormatTime("%Y%m%dT%H%M%SZ", time, absl::UTCTimeZone());
}

// The errors, with the query code and the JSON __type AWS uses for each.
WireError SignatureMismatch(std::string_view message) {
  return ProtocolError(403, "SignatureDoesNotMatch", "InvalidSignatureException", message);
}
WireError Incomplete(std::string_view message) {
  return ProtocolError(403, "IncompleteSignature", "IncompleteSignatureException", message);
}

// A request's signature as sent, in either form.
struct Signed {
  SigV4Authorization auth;
  std::string amz_date;
  std::optional<int64_t> expires_seconds;  // Presigned only.
  bool presigned = false;
};

// Reads the presigned query parameters. nullopt with `error` unset when the
// request is not presigned.
std::optional<Signed> ReadPresigned(const HttpRequest& request, std::optional<WireError>* error) {
  if (request.query.find("X-Amz-") == std::string::npos) return std::nullopt;
  std::map<std::string, std::string> fields;
  for (auto& [key, value] : QueryPairs(request.query)) {
    if (!key.starts_with("X-Amz-")) continue;
    if (!fields.emplace(key, std::move(value)).second) {
      *error = Incomplete(absl::StrCat("The query parameter ", key, " is repeated."));
      return std::nullopt;
    }
  }
  if (!fields.contains("X-Amz-Signature") && !fields.contains("X-Amz-Credential")) {
    return std::nullopt;
  }
  Signed out;
  out.presigned = true;
  int64_t expires = 0;
  if (fields["X-Amz-Algorithm"] != kAlgorithm ||
      !ParseCredential(fields["X-Amz-Credential"], &out.auth) ||
      fields["X-Amz-SignedHeaders"].empty() || fields["X-Amz-Signature"].empty() ||
      fields["X-Amz-Date"].empty() || !absl::SimpleAtoi(fields["X-Amz-Expires"], &expires)) {
    *error = Incomplete(
        "AWS query-string parameters must include 'X-Amz-Algorithm', 'X-Amz-Credential', "
        "'X-Amz-Signature', 'X-Amz-Date', 'X-Amz-SignedHeaders' and 'X-Amz-Expires'.");
    return std::nullopt;
  }
  if (expires <= 0 || expires > kMaxExpiresSeconds) {
    *error = Incomplete(absl::StrCat("X-Amz-Expires must be between 1 and ", kMaxExpiresSeconds,
                                     " seconds, not ", expires, "."));
    return std::nullopt;
  }
  out.auth.signed_headers = fields["X-Amz-SignedHeaders"];
  out.auth.signature = absl::AsciiStrToLower(fields["X-Amz-Signature"]);
  out.amz_date = fields["X-Amz-Date"];
  out.expires_seconds = expires;
  return out;
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
  if (!ParseCredential(credential, &auth) || auth.signed_headers.empty() ||
      auth.signature.empty()) {
    return std::nullopt;
  }
  return auth;
}

std::string SigningService(const HttpRequest& request) {
  if (std::optional<SigV4Authorization> auth =
          ParseSigV4Authorization(request.Header("authorization"))) {
    return auth->service;
  }
  std::optional<WireError> ignored;
  if (std::optional<Signed> presigned = ReadPresigned(request, &ignored)) {
    return presigned->auth.service;
  }
  return "";
}

std::string CanonicalRequest(const HttpRequest& request, std::string_view signed_headers,
                             std::string_view payload_hash, bool presigned) {
  std::string out;
  out.reserve(512);
  absl::StrAppend(&out, request.method, "\n");
  absl::StrAppend(&out, request.path.empty() ? "/" : UriEncode(request.path, true), "\n");
  absl::StrAppend(&out, CanonicalQuery(request.query, presigned), "\n");
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
  absl::StrAppend(&out, "\n", Absl(signed_headers), "\n", Absl(payload_hash));
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

SigV4Verifier::SigV4Verifier(SigV4Options options, const Clock& clock)
    : options_(std::move(options)), clock_(clock) {}

std::optional<WireError> SigV4Verifier::Verify(const HttpRequest& request) const {
  const std::string_view header = request.Header("authorization");
  std::optional<WireError> error;
  std::optional<Signed> request_signature = ReadPresigned(request, &error);
  if (error) return error;
  if (request_signature && !header.empty()) {
    return Incomplete(
        "Only one auth mechanism allowed; only the X-Amz-Algorithm query "
        "parameter or the Authorization header should be specified.");
  }
  if (!request_signature) {
    if (header.empty()) {
      return ProtocolError(403, "MissingAuthenticationToken", "MissingAuthenticationTokenException",
                           "Request is missing Authentication Token");
    }
    std::optional<SigV4Authorization> auth = ParseSigV4Authorization(header);
    if (!auth) {
      return Incomplete(
          "Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' "
          "parameters of the AWS4-HMAC-SHA256 algorithm.");
    }
    request_signature.emplace();
    request_signature->auth = *std::move(auth);
    request_signature->amz_date = std::string(request.Header("x-amz-date"));
    if (request_signature->amz_date.empty()) {
      return Incomplete(
          "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' "
          "header.");
    }
  }
  const Signed& sig = *request_signature;
  const SigV4Authorization& auth = sig.auth;

  auto secret = options_.credentials.find(auth.access_key_id);
  if (secret == options_.credentials.end()) {
    return ProtocolError(403, "InvalidClientTokenId", "UnrecognizedClientException",
                         "The security token included in the request is invalid.");
  }
  std::vector<absl::string_view> signed_names =
      absl::StrSplit(Absl(auth.signed_headers), ';', absl::SkipEmpty());
  if (std::find(signed_names.begin(), signed_names.end(), "host") == signed_names.end()) {
    return Incomplete("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
  }
  const std::optional<absl::Time> signed_at = ParseAmzDate(sig.amz_date);
  if (!signed_at) {
    return Incomplete(absl::StrCat("Date must be in ISO-8601 'basic format'. Got '", sig.amz_date,
                                   "'. See http://en.wikipedia.org/wiki/ISO_8601"));
  }
  if (sig.amz_date.substr(0, 8) != auth.date) {
    return SignatureMismatch(absl::StrCat(
        "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from "
        "HTTP: '",
        auth.date, "' != '", sig.amz_date.substr(0, 8), "', from '", sig.amz_date, "'."));
  }
  if (auth.region != options_.region) {
    return SignatureMismatch(
        absl::StrCat("Credential should be scoped to a valid region, not '", auth.region, "'. "));
  }
  if (std::find(options_.services.begin(), options_.services.end(), auth.service) ==
      options_.services.end()) {
    return SignatureMismatch(
        absl::StrCat("Credential should be scoped to correct service, not '", auth.service, "'. "));
  }

  const absl::Time now = clock_.Now();
  absl::Duration window = kMaxSkew;
  if (sig.expires_seconds) window = std::min(window, absl::Seconds(*sig.expires_seconds));
  if (*signed_at < now - window) {
    return SignatureMismatch(absl::StrCat(
        "Signature expired: ", sig.amz_date, " is now earlier than ", AmzDate(now - window), " (",
        AmzDate(now), " - ",
        window == kMaxSkew ? "15 min.)" : absl::StrCat(absl::ToInt64Seconds(window), " sec.)")));
  }
  if (*signed_at > now + kMaxSkew) {
    return SignatureMismatch(absl::StrCat("Signature not yet current: ", sig.amz_date,
                                          " is still later than ", AmzDate(now + kMaxSkew), " (",
                                          AmzDate(now), " + 15 min.)"));
  }

  const std::string scope =
      absl::StrCat(auth.date, "/", auth.region, "/", auth.service, "/aws4_request");
  const std::string expected = SigV4Signature(
      secret->second, auth.date, auth.region, auth.service,
      StringToSign(
          sig.amz_date, scope,
          CanonicalRequest(request, auth.signed_headers, Sha256Hex(request.body), sig.presigned)));
  if (!ConstantTimeEquals(expected, auth.signature)) {
    return SignatureMismatch(
        "The request signature we calculated does not match the signature you provided. Check "
        "your AWS Secret Access Key and signing method. Consult the service documentation for "
        "details.");
  }
  return std::nullopt;
}

}  // namespace wharf::wire
