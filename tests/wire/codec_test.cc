// Building blocks of the wire layer: form decoding, XML escaping, queue URL
// mapping and JSON doubles (SigV4 verification is in sigv4_test.cc).

#include "broker/wire/codec.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "broker/wire/form.h"
#include "broker/wire/json_codec.h"
#include "broker/wire/queue_url_mapper.h"
#include "broker/wire/xml_writer.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace wharf::wire {
namespace {

TEST(FormParamsTest, DecodesPercentEscapesAndPlusAsSpace) {
  FormParams params;
  ASSERT_TRUE(params.Parse("Action=SendMessage&MessageBody=a+b%26c%3D%C3%BC&Empty=&Flag"));
  EXPECT_EQ(*params.Find("Action"), "SendMessage");
  EXPECT_EQ(*params.Find("MessageBody"), "a b&c=\xC3\xBC");
  EXPECT_EQ(*params.Find("Empty"), "");
  EXPECT_EQ(*params.Find("Flag"), "");
  EXPECT_EQ(params.Find("Missing"), nullptr);
}

TEST(FormParamsTest, RejectsTruncatedOrNonHexEscapes) {
  EXPECT_FALSE(FormParams().Parse("a=%4"));
  EXPECT_FALSE(FormParams().Parse("a=%"));
  EXPECT_FALSE(FormParams().Parse("a=%zz"));
}

TEST(PercentDecodeTest, InvertsUriEncodeForEveryByte) {
  std::string all;
  for (int c = 0; c < 256; ++c) all.push_back(static_cast<char>(c));
  std::string decoded;
  ASSERT_TRUE(PercentDecode(UriEncode(all, false), /*plus_is_space=*/true, &decoded));
  EXPECT_EQ(decoded, all);
  EXPECT_FALSE(PercentDecode("a+b%2Bc%", false, &decoded));
  ASSERT_TRUE(PercentDecode("a+b%2bc", false, &decoded));
  EXPECT_EQ(decoded, "a+b+c");
}

TEST(UriEncodeTest, KeepsUnreservedAndEncodesTheRestInUpperCaseHex) {
  EXPECT_EQ(UriEncode("a-Z_0.9~ /+=", false), "a-Z_0.9~%20%2F%2B%3D");
  EXPECT_EQ(UriEncode("/000/q", true), "/000/q");
}

TEST(XmlEscapeTest, EscapesMarkupAndCarriageReturn) {
  std::string out;
  AppendXmlEscaped("a&b<c>d\"e\r\n\tf", &out);
  EXPECT_EQ(out, "a&amp;b&lt;c&gt;d&quot;e&#xD;\n\tf");
}

TEST(XmlEscapeTest, KeepsValidUtf8AndReplacesWhatXmlCannotCarry) {
  std::string out;
  AppendXmlEscaped("\xC3\xBC\xF0\x9F\x98\x80|\x01|\xFF|\xEF\xBF\xBF|\xED\xA0\x80", &out);
  EXPECT_EQ(out,
            "\xC3\xBC\xF0\x9F\x98\x80|\xEF\xBF\xBD|\xEF\xBF\xBD|\xEF\xBF\xBD|"
            "\xEF\xBF\xBD");
}

TEST(QueueUrlMapperTest, MapsAnyHostToTheBrokerBaseByPath) {
  QueueUrlMapper urls("https://sqs.us-east-1.amazonaws.com", "http://127.0.0.1:9");
  EXPECT_EQ(urls.ToBroker("http://localhost:9/000000000000/jobs"),
            "https://sqs.us-east-1.amazonaws.com/000000000000/jobs");
  EXPECT_EQ(urls.ToBroker("https://sqs.us-east-1.amazonaws.com/000000000000/jobs"),
            "https://sqs.us-east-1.amazonaws.com/000000000000/jobs");
  EXPECT_EQ(urls.ToBroker("not a url"), "not a url");
  EXPECT_EQ(urls.ToBroker("http://h/too/many/parts"), "http://h/too/many/parts");
}

TEST(QueueUrlMapperTest, RewritesBrokerUrlsToTheEndpoint) {
  QueueUrlMapper urls("https://sqs.us-east-1.amazonaws.com", "http://127.0.0.1:9");
  EXPECT_EQ(urls.ToClient("https://sqs.us-east-1.amazonaws.com/000000000000/jobs"),
            "http://127.0.0.1:9/000000000000/jobs");
  EXPECT_EQ(urls.ToClient("https://elsewhere/000000000000/jobs"),
            "https://elsewhere/000000000000/jobs");
  EXPECT_EQ(urls.FromPath("/000000000000/jobs"),
            "https://sqs.us-east-1.amazonaws.com/000000000000/jobs");
  EXPECT_EQ(urls.FromPath("/"), "");
}

// Echoes a double and a list of doubles through the JSON codec.
class EchoDoublesApi final : public Api {
 public:
  const ServiceModel& model() const override { return model_; }
  bool Has(std::string_view operation) const override { return operation == "Echo"; }
  void Run(std::string_view, ExchangePtr exchange) const override {
    std::optional<double> one;
    std::vector<double> many;
    if (!exchange->input().Double("One", &one) || !exchange->input().DoubleList("Many", &many)) {
      return exchange->ReplyDecodeError();
    }
    Output& out = exchange->output();
    if (one) out.Double("One", *one);
    out.DoubleList("Many", many);
    exchange->Reply();
  }

 private:
  ServiceModel model_{.json_content_type = "application/x-amz-json-1.0"};
};

TEST(JsonCodecTest, NonFiniteDoublesAreSpelledAsSmithyDoes) {
  EchoDoublesApi api;
  EXPECT_THAT(
      CallOperation(api, "Echo", R"({"One": "NaN", "Many": ["Infinity", "-Infinity", 1.5]})"),
      testing::IsOkAndHolds(R"({"One":"NaN","Many":["Infinity","-Infinity",1.5]})"));
  for (const char* bad :
       {R"({"One": "nan"})", R"({"One": "1"})", R"({"Many": ["Inf"]})", R"({"One": true})"}) {
    absl::StatusOr<std::string> got = CallOperation(api, "Echo", bad);
    ASSERT_FALSE(got.ok()) << bad;
    EXPECT_THAT(std::string(got.status().message()), ::testing::HasSubstr("must be")) << bad;
  }
}

}  // namespace
}  // namespace wharf::wire
