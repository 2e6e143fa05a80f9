// SigV4 verification against requests signed by botocore (header and
// presigned forms, made with its signer at a fixed time) and against
// requests this test signs itself to probe each rule: the body as received,
// the 15-minute window on the broker's clock (ManualClock), the credential
// scope, `host` among the signed headers, presigned expiry.

#include "broker/wire/sigv4.h"

#include <map>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "broker/base/digests.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "wharf/clock.h"

namespace wharf::wire {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr char kKeyId[] = "AKIDEXAMPLE";
constexpr char kSecret[] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
// The instant botocore signed the requests below at.
const absl::Time kSignedAt =
    absl::FromCivil(absl::CivilSecond(2026, 11, 23, 8, 42, 16), absl::UTCTimeZone());

// botocore's SigV4Auth, query protocol.
HttpRequest BotocoreSignedRequest() {
  HttpRequest request;
  request.method = "POST";
  request.path = "/";
  request.body = "Action=ListQueues&Version=2012-11-05";
  request.headers = {
      {"content-type", "application/x-www-form-urlencoded; charset=utf-8"},
      {"host", "127.0.0.1:4566"},
      {"x-amz-date", "20261123T084216Z"},
      {"authorization",
       "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261123/us-east-1/sqs/aws4_request, "
       "SignedHeaders=content-type;host;x-amz-date, "
       "Signature=874aa77a2428f631ed9412ec173e384daabf7ec52563d35b3eb46c412db03f09"},
  };
  return request;
}

// botocore's SigV4Auth, JSON 1.0.
HttpRequest BotocoreSignedJsonRequest() {
  HttpRequest request;
  request.method = "POST";
  request.path = "/";
  request.body = R"({"QueueName":"jobs"})";
  request.headers = {
      {"content-type", "application/x-amz-json-1.0"},
      {"x-amz-target", "AmazonSQS.GetQueueUrl"},
      {"host", "127.0.0.1:4566"},
      {"x-amz-date", "20261123T084216Z"},
      {"authorization",
       "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261123/us-east-1/sqs/aws4_request, "
       "SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
       "Signature=f504a4bae8f8db2ed91db8c147c5323044a80be2028f7c118ed315afd13f69bd"},
  };
  return request;
}

// botocore's SigV4QueryAuth (generate_presigned_url), expires in 300 s.
HttpRequest BotocorePresignedRequest() {
  HttpRequest request;
  request.method = "GET";
  request.path = "/000000000000/jobs";
  request.query =
      "Action=ReceiveMessage&Version=2012-11-05&MaxNumberOfMessages=2&X-Amz-Algorithm=AWS4-HMAC-"
      "SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20261123%2Fus-east-1%2Fsqs%2Faws4_request&X-Amz-"
      "Date=20261123T084216Z&X-Amz-Expires=300&X-Amz-SignedHeaders=host&X-Amz-Signature="
      "be344017e272194d39bd57e8582f88aafcbdbfec3d7b69ebe645f888334cb4ce";
  request.headers = {{"host", "127.0.0.1:4566"}};
  return request;
}

// Signs `request` (header form) the way an SDK would, with the given scope
// and signed headers; `payload_hash` defaults to the body's.
void Sign(HttpRequest& request, absl::Time at, const std::string& region = "us-east-1",
          const std::string& service = "sqs", const std::string& signed_headers = "host;x-amz-date",
          std::optional<std::string> payload_hash = std::nullopt) {
  const std::string amz_date = absl::FormatTime("%Y%m%dT%H%M%SZ", at, absl::UTCTimeZone());
  const std::string date = amz_date.substr(0, 8);
  request.headers.emplace_back("x-amz-date", amz_date);
  const std::string hash = payload_hash.value_or(base_internal::Sha256Hex(request.body));
  const std::string scope = absl::StrCat(date, "/", region, "/", service, "/aws4_request");
  const std::string signature = SigV4Signature(
      kSecret, date, region, service,
      StringToSign(amz_date, scope, CanonicalRequest(request, signed_headers, hash)));
  request.headers.emplace_back(
      "authorization", absl::StrCat("AWS4-HMAC-SHA256 Credential=", kKeyId, "/", scope,
                                    ", SignedHeaders=", signed_headers, ", Signature=", signature));
}

HttpRequest Unsigned(std::string body = "Action=ListQueues&Version=2012-11-05") {
  HttpRequest request;
  request.method = "POST";
  request.path = "/";
  request.body = std::move(body);
  request.headers = {{"host", "127.0.0.1:4566"}};
  return request;
}

class SigV4Test : public ::testing::Test {
 protected:
  std::optional<WireError> Verify(const HttpRequest& request) const {
    return verifier_.Verify(request);
  }

  ManualClock clock_{kSignedAt};
  SigV4Verifier verifier_{{.credentials = {{kKeyId, kSecret}}, .region = "us-east-1"}, clock_};
};

TEST_F(SigV4Test, AcceptsRequestsSignedByBotocore) {
  for (const HttpRequest& request :
       {BotocoreSignedRequest(), BotocoreSignedJsonRequest(), BotocorePresignedRequest()}) {
    std::optional<WireError> error = Verify(request);
    EXPECT_FALSE(error.has_value()) << error->query_code << ": " << error->message;
  }
}

TEST_F(SigV4Test, ParsesTheCredentialScope) {
  std::optional<SigV4Authorization> auth =
      ParseSigV4Authorization(BotocoreSignedRequest().Header("authorization"));
  ASSERT_TRUE(auth.has_value());
  EXPECT_EQ(auth->access_key_id, "AKIDEXAMPLE");
  EXPECT_EQ(auth->date, "20261123");
  EXPECT_EQ(auth->region, "us-east-1");
  EXPECT_EQ(auth->service, "sqs");
  EXPECT_EQ(auth->signed_headers, "content-type;host;x-amz-date");
  EXPECT_EQ(SigningService(BotocoreSignedRequest()), "sqs");
  EXPECT_EQ(SigningService(BotocorePresignedRequest()), "sqs");
  EXPECT_EQ(SigningService(Unsigned()), "");
}

// A captured request with its body swapped does not run: the body is hashed
// as received.
TEST_F(SigV4Test, RejectsASwappedBody) {
  HttpRequest request = BotocoreSignedRequest();
  request.body = "Action=DeleteQueue&Version=2012-11-05";
  std::optional<WireError> error = Verify(request);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->query_code, "SignatureDoesNotMatch");
  EXPECT_EQ(error->json_type, "InvalidSignatureException");
  EXPECT_EQ(error->http_status, 403);
}

// X-Amz-Content-Sha256 is not trusted: a client cannot claim the hash of
// the body it signed while sending another, nor sign UNSIGNED-PAYLOAD.
TEST_F(SigV4Test, HashesTheBodyWhateverTheClaimedPayloadHash) {
  HttpRequest swapped = Unsigned("Action=ListQueues");
  const std::string signed_hash = base_internal::Sha256Hex(swapped.body);
  swapped.headers.emplace_back("x-amz-content-sha256", signed_hash);
  Sign(swapped, kSignedAt, "us-east-1", "sqs", "host;x-amz-content-sha256;x-amz-date");
  ASSERT_FALSE(Verify(swapped).has_value());
  swapped.body = "Action=DeleteQueue&QueueUrl=x";
  EXPECT_EQ(Verify(swapped)->query_code, "SignatureDoesNotMatch");

  HttpRequest unsigned_payload = Unsigned();
  unsigned_payload.headers.emplace_back("x-amz-content-sha256", "UNSIGNED-PAYLOAD");
  Sign(unsigned_payload, kSignedAt, "us-east-1", "sqs", "host;x-amz-content-sha256;x-amz-date",
       "UNSIGNED-PAYLOAD");
  EXPECT_EQ(Verify(unsigned_payload)->query_code, "SignatureDoesNotMatch");
}

TEST_F(SigV4Test, AcceptsARequestWithinFifteenMinutesOfTheClock) {
  clock_.SetTime(kSignedAt + absl::Minutes(15));
  EXPECT_FALSE(Verify(BotocoreSignedRequest()).has_value());
  HttpRequest early = Unsigned();
  Sign(early, kSignedAt + absl::Minutes(30));  // 15 minutes ahead of the clock.
  EXPECT_FALSE(Verify(early).has_value());
}

// A request replayed later than 15 minutes after it was signed is refused,
// as AWS refuses it.
TEST_F(SigV4Test, RejectsAReplayAfterFifteenMinutes) {
  clock_.SetTime(kSignedAt + absl::Minutes(15) + absl::Seconds(1));
  std::optional<WireError> error = Verify(BotocoreSignedRequest());
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->query_code, "SignatureDoesNotMatch");
  EXPECT_EQ(error->json_type, "InvalidSignatureException");
  EXPECT_EQ(error->http_status, 403);
  EXPECT_EQ(error->message,
            "Signature expired: 20261123T084216Z is now earlier than 20261123T084217Z "
            "(20261123T085717Z - 15 min.)");
}

TEST_F(SigV4Test, RejectsARequestFromTheFuture) {
  HttpRequest request = Unsigned();
  Sign(request, kSignedAt + absl::Minutes(16));
  std::optional<WireError> error = Verify(request);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->query_code, "SignatureDoesNotMatch");
  EXPECT_EQ(error->message,
            "Signature not yet current: 20261123T085816Z is still later than 20261123T085716Z "
            "(20261123T084216Z + 15 min.)");
}

TEST_F(SigV4Test, ChecksTheCredentialScope) {
  HttpRequest other_region = Unsigned();
  Sign(other_region, kSignedAt, "eu-west-1");
  std::optional<WireError> error = Verify(other_region);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->query_code, "SignatureDoesNotMatch");
  EXPECT_THAT(error->message, HasSubstr("scoped to a valid region, not 'eu-west-1'"));

  HttpRequest other_service = Unsigned();
  Sign(other_service, kSignedAt, "us-east-1", "s3");
  error = Verify(other_service);
  ASSERT_TRUE(error.has_value());
  EXPECT_THAT(error->message, HasSubstr("scoped to correct service, not 's3'"));

  for (const char* service : {"sqs", "sns", "events"}) {
    HttpRequest served = Unsigned();
    Sign(served, kSignedAt, "us-east-1", service);
    EXPECT_FALSE(Verify(served).has_value()) << service;
  }

  // The scope's date must be the date signed.
  HttpRequest request = BotocoreSignedRequest();
  request.headers[2].second = "20261124T084216Z";
  clock_.SetTime(kSignedAt + absl::Minutes(1));
  EXPECT_THAT(Verify(request)->message, StartsWith("Date in Credential scope does not match"));
}

TEST_F(SigV4Test, RequiresHostAmongTheSignedHeaders) {
  HttpRequest request = Unsigned();
  Sign(request, kSignedAt, "us-east-1", "sqs", "x-amz-date");
  std::optional<WireError> error = Verify(request);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->query_code, "IncompleteSignature");
  EXPECT_THAT(error->message, HasSubstr("'Host'"));
}

TEST_F(SigV4Test, RejectsAWrongSecretAnUnknownKeyAndMissingOrGarbledAuthorization) {
  ManualClock clock(kSignedAt);
  SigV4Verifier other_secret({.credentials = {{kKeyId, "another secret"}}}, clock);
  EXPECT_EQ(other_secret.Verify(BotocoreSignedRequest())->query_code, "SignatureDoesNotMatch");

  SigV4Verifier other_key({.credentials = {{"OTHER", "x"}}}, clock);
  std::optional<WireError> error = other_key.Verify(BotocoreSignedRequest());
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->query_code, "InvalidClientTokenId");
  EXPECT_EQ(error->json_type, "UnrecognizedClientException");
  EXPECT_EQ(error->http_status, 403);

  error = Verify(Unsigned());
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->query_code, "MissingAuthenticationToken");
  EXPECT_EQ(error->json_type, "MissingAuthenticationTokenException");

  HttpRequest garbled = BotocoreSignedRequest();
  garbled.headers.back().second = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE";
  EXPECT_EQ(Verify(garbled)->query_code, "IncompleteSignature");

  HttpRequest no_date = BotocoreSignedRequest();
  no_date.headers.erase(no_date.headers.begin() + 2);
  EXPECT_EQ(Verify(no_date)->query_code, "IncompleteSignature");

  HttpRequest bad_date = BotocoreSignedRequest();
  bad_date.headers[2].second = "20261323T084216Z";
  EXPECT_EQ(Verify(bad_date)->query_code, "IncompleteSignature");
}

TEST_F(SigV4Test, ExpiresAPresignedRequestAfterXAmzExpires) {
  clock_.SetTime(kSignedAt + absl::Seconds(300));
  EXPECT_FALSE(Verify(BotocorePresignedRequest()).has_value());
  clock_.SetTime(kSignedAt + absl::Seconds(301));
  std::optional<WireError> error = Verify(BotocorePresignedRequest());
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->query_code, "SignatureDoesNotMatch");
  EXPECT_THAT(error->message, StartsWith("Signature expired: 20261123T084216Z"));
  EXPECT_THAT(error->message, HasSubstr("- 300 sec.)"));
}

TEST_F(SigV4Test, RejectsAnAlteredOrMalformedPresignedRequest) {
  HttpRequest altered = BotocorePresignedRequest();
  altered.query.replace(altered.query.find("MaxNumberOfMessages=2"), 21, "MaxNumberOfMessages=9");
  EXPECT_EQ(Verify(altered)->query_code, "SignatureDoesNotMatch");

  HttpRequest both = BotocorePresignedRequest();
  both.headers.emplace_back("authorization", BotocoreSignedRequest().Header("authorization"));
  EXPECT_EQ(Verify(both)->query_code, "IncompleteSignature");

  for (const char* expires : {"X-Amz-Expires=0", "X-Amz-Expires=604801", "X-Amz-Expires=x"}) {
    HttpRequest request = BotocorePresignedRequest();
    request.query.replace(request.query.find("X-Amz-Expires=300"), 17, expires);
    EXPECT_EQ(Verify(request)->query_code, "IncompleteSignature") << expires;
  }

  HttpRequest repeated = BotocorePresignedRequest();
  repeated.query += "&X-Amz-Date=20261123T084216Z";
  EXPECT_EQ(Verify(repeated)->query_code, "IncompleteSignature");
}

}  // namespace
}  // namespace wharf::wire
