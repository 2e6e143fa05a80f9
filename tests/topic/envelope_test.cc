#include "broker/topic/envelope.h"

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "broker/base/digests.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rapidjson/document.h"

namespace wharf::topic_internal {
namespace {

using ::testing::ElementsAre;

constexpr char kTopicArn[] = "arn:aws:sns:us-east-1:123456789012:orders";
constexpr char kSubArn[] =
    "arn:aws:sns:us-east-1:123456789012:orders:6f1c5a4e-0d6b-4c36-9a43-1b2a3c4d5e6f";

std::vector<std::string> Keys(const rapidjson::Value& obj) {
  std::vector<std::string> keys;
  for (const auto& m : obj.GetObject()) keys.push_back(m.name.GetString());
  return keys;
}

class EnvelopeTest : public ::testing::Test {
 protected:
  EnvelopeFields Fields() {
    EnvelopeFields f;
    f.message_id = "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324";
    f.topic_arn = kTopicArn;
    f.message = "hello \"world\"\n";
    f.timestamp = "2026-01-15T12:34:56.789Z";
    f.attributes = &attributes_;
    f.region = "us-east-1";
    return f;
  }

  MessageAttributeMap attributes_ = {
      {"attr1", {.data_type = "Number", .string_value = "99.12", .binary_value = ""}},
      {"bin", {.data_type = "Binary", .string_value = "", .binary_value = "\x02\x03\x04"}}};
};

TEST(AppendJsonStringTest, EscapesQuotesBackslashesAndControlCharacters) {
  std::string out;
  AppendJsonString(&out, std::string_view("a\"b\\c\n\t\x01z\xc3\xa9", 11));
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\n\\t\\u0001z\xc3\xa9\"");
}

TEST(FormatTimestampTest, HasExactlyThreeFractionalDigitsAndZ) {
  EXPECT_EQ(FormatTimestamp(absl::FromUnixMillis(1768480496789)), "2026-01-15T12:34:56.789Z");
  EXPECT_EQ(FormatTimestamp(absl::FromUnixSeconds(1767225600)), "2026-01-01T00:00:00.000Z");
}

TEST(FormatTimestampTest, TruncatesToTheMillisecond) {
  EXPECT_EQ(FormatTimestamp(absl::FromUnixMicros(1768480496789999)), "2026-01-15T12:34:56.789Z");
  EXPECT_EQ(FormatTimestamp(absl::FromUnixMicros(951868799999999)), "2000-02-29T23:59:59.999Z");
}

TEST(FormatTimestampTest, AgreesWithAbslFormatTimeOverFourCenturies) {
  std::mt19937_64 rng(20261123);
  for (int i = 0; i < 20000; ++i) {
    // 1900-01-01 .. 2300-01-01, in microseconds.
    const int64_t micros = -2208988800000000 + static_cast<int64_t>(rng() % 12623040000000000);
    const absl::Time t = absl::FromUnixMicros(micros);
    ASSERT_EQ(FormatTimestamp(t), absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", t, absl::UTCTimeZone()))
        << "unix micros " << micros;
  }
}

TEST_F(EnvelopeTest, StandardEnvelopeHasAwsFieldsInAwsOrder) {
  SqsEnvelope envelope(Fields());
  rapidjson::Document doc;
  doc.Parse(envelope.Text(kSubArn).c_str());
  ASSERT_FALSE(doc.HasParseError()) << envelope.Text(kSubArn);
  EXPECT_THAT(Keys(doc), ElementsAre("Type", "MessageId", "TopicArn", "Message", "Timestamp",
                                     "SignatureVersion", "Signature", "SigningCertURL",
                                     "UnsubscribeURL", "MessageAttributes"));
  EXPECT_STREQ(doc["Type"].GetString(), "Notification");
  EXPECT_STREQ(doc["MessageId"].GetString(), "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324");
  EXPECT_STREQ(doc["TopicArn"].GetString(), kTopicArn);
  EXPECT_STREQ(doc["Message"].GetString(), "hello \"world\"\n");
  EXPECT_STREQ(doc["Timestamp"].GetString(), "2026-01-15T12:34:56.789Z");
  EXPECT_STREQ(doc["SignatureVersion"].GetString(), "1");
  EXPECT_GT(doc["Signature"].GetStringLength(), 0u);
  EXPECT_THAT(doc["SigningCertURL"].GetString(),
              ::testing::MatchesRegex("https://sns\\.us-east-1\\.amazonaws\\.com/"
                                      "SimpleNotificationService-[0-9a-f]+\\.pem"));
  EXPECT_EQ(std::string(doc["UnsubscribeURL"].GetString()),
            std::string("https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&"
                        "SubscriptionArn=") +
                kSubArn);
  const rapidjson::Value& attrs = doc["MessageAttributes"];
  EXPECT_STREQ(attrs["attr1"]["Type"].GetString(), "Number");
  EXPECT_STREQ(attrs["attr1"]["Value"].GetString(), "99.12");
  EXPECT_STREQ(attrs["bin"]["Type"].GetString(), "Binary");
  EXPECT_STREQ(attrs["bin"]["Value"].GetString(), "AgME");  // Base64.
}

TEST_F(EnvelopeTest, SignatureVersionTwoShowsInTheSqsEnvelopeButNotTheLambdaEvent) {
  EnvelopeFields f = Fields();
  f.signature_version_2 = true;
  rapidjson::Document doc;
  doc.Parse(SqsEnvelope(f).Text(kSubArn).c_str());
  EXPECT_STREQ(doc["SignatureVersion"].GetString(), "2");
  doc.Parse(LambdaEvent(f, kSubArn).c_str());
  EXPECT_STREQ(doc["Records"][0]["Sns"]["SignatureVersion"].GetString(), "1");
}

TEST_F(EnvelopeTest, SubjectAppearsOnlyWhenGiven) {
  EnvelopeFields f = Fields();
  f.has_subject = true;
  f.subject = "Order shipped";
  rapidjson::Document doc;
  doc.Parse(SqsEnvelope(f).Text(kSubArn).c_str());
  EXPECT_THAT(Keys(doc), ElementsAre("Type", "MessageId", "TopicArn", "Subject", "Message",
                                     "Timestamp", "SignatureVersion", "Signature", "SigningCertURL",
                                     "UnsubscribeURL", "MessageAttributes"));
  EXPECT_STREQ(doc["Subject"].GetString(), "Order shipped");
}

TEST_F(EnvelopeTest, MessageAttributesAreOmittedWhenThereAreNone) {
  EnvelopeFields f = Fields();
  f.attributes = nullptr;
  rapidjson::Document doc;
  doc.Parse(SqsEnvelope(f).Text(kSubArn).c_str());
  EXPECT_FALSE(doc.HasMember("MessageAttributes"));
}

TEST_F(EnvelopeTest, FifoEnvelopeHasSequenceNumberAndNoSignature) {
  EnvelopeFields f = Fields();
  f.fifo = true;
  f.sequence_number = "10000000000000000001";
  f.attributes = nullptr;
  rapidjson::Document doc;
  doc.Parse(SqsEnvelope(f).Text(kSubArn).c_str());
  EXPECT_THAT(Keys(doc), ElementsAre("Type", "MessageId", "SequenceNumber", "TopicArn", "Message",
                                     "Timestamp", "UnsubscribeURL"));
  EXPECT_STREQ(doc["SequenceNumber"].GetString(), "10000000000000000001");
}

TEST_F(EnvelopeTest, PayloadDigestIsTheMd5OfTheCompleteEnvelope) {
  SqsEnvelope envelope(Fields());
  auto payload = envelope.ForSubscription(kSubArn);
  EXPECT_EQ(payload->body(), envelope.Text(kSubArn));
  EXPECT_EQ(payload->md5_of_body(), base_internal::Md5Of(payload->body()));
  EXPECT_EQ(payload->attributes(), nullptr);
  auto other = envelope.ForSubscription("arn:aws:sns:us-east-1:123456789012:orders:other");
  EXPECT_EQ(other->md5_of_body(), base_internal::Md5Of(other->body()));
  EXPECT_NE(other->md5_of_body(), payload->md5_of_body());
}

TEST_F(EnvelopeTest, LambdaEventHasRecordsWithSnsObject) {
  rapidjson::Document doc;
  std::string event = LambdaEvent(Fields(), kSubArn);
  doc.Parse(event.c_str());
  ASSERT_FALSE(doc.HasParseError()) << event;
  const rapidjson::Value& record = doc["Records"][0];
  EXPECT_STREQ(record["EventSource"].GetString(), "aws:sns");
  EXPECT_STREQ(record["EventVersion"].GetString(), "1.0");
  EXPECT_STREQ(record["EventSubscriptionArn"].GetString(), kSubArn);
  const rapidjson::Value& sns = record["Sns"];
  EXPECT_THAT(Keys(sns), ElementsAre("Type", "MessageId", "TopicArn", "Subject", "Message",
                                     "Timestamp", "SignatureVersion", "Signature", "SigningCertUrl",
                                     "UnsubscribeUrl", "MessageAttributes"));
  EXPECT_TRUE(sns["Subject"].IsNull());
  EXPECT_STREQ(sns["MessageAttributes"]["attr1"]["Value"].GetString(), "99.12");
}

TEST_F(EnvelopeTest, RawPayloadCarriesAttributesWithTheSqsDigest) {
  MessageAttributeMap attrs = {
      {"attr1", {.data_type = "Number", .string_value = "99.12", .binary_value = ""}}};
  auto payload = RawPayload("hello", attrs);
  EXPECT_EQ(payload->body(), "hello");
  EXPECT_EQ(payload->md5_of_body(), base_internal::Md5Of("hello"));
  ASSERT_NE(payload->attributes(), nullptr);
  const queue_internal::PayloadAttributes& attributes = *payload->attributes();
  ASSERT_EQ(attributes.message_attributes.size(), 1u);
  EXPECT_EQ(attributes.message_attributes.at("attr1").data_type, "Number");
  EXPECT_EQ(attributes.message_attributes.at("attr1").string_value, "99.12");
  // The value AWS records for this attribute (spec/sns.md §4.2).
  EXPECT_EQ(attributes.md5_of_message_attributes, "d302007e9aa062660afc85fd0a482472");
}

// A trace header rides along as the AWSTraceHeader system attribute, with
// the digest SQS gives it (spec/sqs.md §6's example).
TEST_F(EnvelopeTest, TraceHeaderBecomesTheSystemAttributeOfEveryPayload) {
  const std::string value =
      "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";
  const TraceHeader trace = MakeTraceHeader(value);
  EXPECT_EQ(trace.md5, "5ae4d5d7636402d80f4eb6d213245a88");
  SqsEnvelope envelope(Fields());
  auto enveloped = envelope.ForSubscription(kSubArn, nullptr, &trace);
  ASSERT_NE(enveloped->attributes(), nullptr);
  EXPECT_EQ(enveloped->attributes()->aws_trace_header, value);
  EXPECT_EQ(enveloped->attributes()->md5_of_message_system_attributes, trace.md5);
  EXPECT_THAT(enveloped->attributes()->message_attributes, ::testing::IsEmpty());
  EXPECT_EQ(enveloped->attributes()->md5_of_message_attributes, "");
  auto raw = RawPayload("hello", {}, &trace);
  ASSERT_NE(raw->attributes(), nullptr);
  EXPECT_EQ(raw->attributes()->aws_trace_header, value);
  EXPECT_EQ(raw->attributes()->md5_of_message_system_attributes, trace.md5);
  // None: no attributes block at all.
  const TraceHeader none = MakeTraceHeader("");
  EXPECT_EQ(none.md5, "");
  EXPECT_EQ(envelope.ForSubscription(kSubArn, nullptr, &none)->attributes(), nullptr);
  EXPECT_EQ(RawPayload("hello", {}, &none)->attributes(), nullptr);
}

}  // namespace
}  // namespace wharf::topic_internal
