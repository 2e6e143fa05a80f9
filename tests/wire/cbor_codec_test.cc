// The RPC v2 CBOR codec through the Router, over an API that echoes each
// member type back (decoding of every length form, floats of each width,
// tag 1, null and undefined; encoding), the refusal of malformed and hostile
// bodies, and the routing by path and smithy-protocol header.

#include "broker/wire/cbor_codec.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "broker/wire/codec.h"
#include "broker/wire/router.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/wire/wire_test_util.h"

namespace wharf::testing {
namespace {

using ::testing::HasSubstr;

// Echoes S (string), I (int), D (double), B (bool), T (timestamp), L (string
// list), N (number list), X (structure with S) and Y (list of such
// structures), in that order, each when present.
class EchoApi final : public wire::Api {
 public:
  const wire::ServiceModel& model() const override { return model_; }
  bool Has(std::string_view operation) const override { return operation == "Echo"; }
  void Run(std::string_view, wire::ExchangePtr exchange) const override {
    wire::Input& in = exchange->input();
    std::optional<std::string> s;
    std::optional<int> i;
    std::optional<double> d;
    bool b = false;
    std::optional<absl::Time> t;
    std::vector<std::string> l;
    std::vector<double> n;
    std::optional<std::string> x;
    std::vector<std::string> y;
    if (!in.Str("S", &s) || !in.Int("I", &i) || !in.Double("D", &d) || !in.Bool("B", &b) ||
        !in.Time("T", &t) || !in.StrList("L", &l) || !in.DoubleList("N", &n) ||
        !in.Struct("X", [&](wire::Input& m) { return m.Str("S", &x); }) ||
        !in.List("Y", [&](wire::Input& m) { return m.Str("S", &y.emplace_back(), true); })) {
      return exchange->ReplyDecodeError();
    }
    wire::Output& out = exchange->output();
    if (s) out.Str("S", *s);
    if (i) out.Int("I", *i);
    if (d) out.Double("D", *d);
    if (b) out.Bool("B", b);
    if (t) out.Time("T", *t);
    if (!l.empty()) out.StrList("L", l);
    if (!n.empty()) out.DoubleList("N", n);
    if (x) {
      out.BeginStruct("X");
      out.Str("S", *x);
      out.EndStruct();
    }
    if (!y.empty()) out.List("Y", y, [&](const std::string& v) { out.Str("S", v); });
    exchange->Reply();
  }

 private:
  wire::ServiceModel model_{
      .json_target_prefix = "Echo", .json_type_prefix = "test#", .query_compatible = true};
};

class CborCodecTest : public ::testing::Test {
 protected:
  CborCodecTest() { router_.AddCbor(std::make_shared<EchoApi>()); }

  wire::HttpResponse Call(std::string body, std::string path = "/service/Echo/operation/Echo") {
    wire::HttpRequest request;
    request.method = "POST";
    request.path = std::move(path);
    request.headers = {{"smithy-protocol", "rpc-v2-cbor"}, {"content-type", "application/cbor"}};
    request.body = std::move(body);
    return HandleNow(router_, std::move(request));
  }
  // The echo of `body`, which must succeed, as spaced hex.
  std::string Echo(std::string body) {
    wire::HttpResponse response = Call(std::move(body));
    EXPECT_EQ(response.status, 200) << Hex(response.body);
    EXPECT_EQ(response.content_type, "application/cbor");
    EXPECT_EQ(HeaderOf(response, "smithy-protocol"), "rpc-v2-cbor");
    EXPECT_TRUE(wire::IsCborMap(response.body)) << Hex(response.body);
    return Hex(response.body);
  }
  // Bytes as hex, a space between items for reading ("bf 6153 ff").
  static std::string Hex(std::string_view bytes) {
    std::string out;
    for (unsigned char c : bytes) absl::StrAppend(&out, absl::Hex(c, absl::kZeroPad2));
    return out;
  }
  // The bytes of hex written with spaces anywhere.
  static std::string Bytes(std::string_view spaced) {
    std::string hex;
    for (char c : spaced) {
      if (c != ' ') hex.push_back(c);
    }
    std::string out;
    for (size_t i = 0; i + 1 < hex.size(); i += 2) {
      out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
    }
    return out;
  }
  static std::string Unspaced(std::string_view spaced) { return Hex(Bytes(spaced)); }

  wire::Router router_{wire::RouterOptions{}};
};

TEST_F(CborCodecTest, EchoesEveryMemberTypeInTheShortestDefiniteForms) {
  // {"S": "hi", "I": -3, "B": true, "L": ["a"], "N": [1, -2]}
  EXPECT_EQ(Echo(Bytes("a5 6153 626869 6149 22 6142 f5 614c 816161 614e 820121")),
            // Structures are written open-ended; known counts are definite.
            Unspaced("bf 6153 626869 6149 22 6142 f5 614c 816161"
                     " 614e 82 fb3ff0000000000000 fbc000000000000000 ff"));
  EXPECT_EQ(Echo(""), "bfff");  // No body: no members.
  EXPECT_EQ(Echo(Bytes("a0")), "bfff");
}

TEST_F(CborCodecTest, DecodesIndefiniteLengthsFloatsOfEachWidthTagsAndNulls) {
  // {_ "S": (_ "ab", "c"), "D": half 1.5, "X": {_ "S": "z"}, "Y": [_ {"S": "y"}],
  //    "I": null, "T": 1(1767225600.5)}
  EXPECT_EQ(Echo(Bytes("bf 6153 7f 626162 6163 ff 6144 f93e00 6158 bf 6153 617a ff"
                       " 6159 9f a1 6153 6179 ff 6149 f6 6154 c1 fb41da556e40200000 ff")),
            Unspaced("bf 6153 63616263 6144 fb3ff8000000000000 6154 c1 fb41da556e40200000"
                     " 6158 bf 6153 617a ff 6159 9f bf 6153 6179 ff ff ff"));
  // A single float, a whole-second timestamp (written as an integer), an
  // integer given as text (query-compatible), undefined as absent.
  EXPECT_EQ(Echo(Bytes("a4 6144 fa3fc00000 6154 c1 1a6955b900 6149 623432 6142 f7")),
            Unspaced("bf 6149 182a 6144 fb3ff8000000000000 6154 c1 1a6955b900 ff"));
}

TEST_F(CborCodecTest, DecodesTheEdgesOfHalfFloatsAndStrings) {
  // The smallest subnormal half, negative infinity and NaN; an empty
  // indefinite string.
  EXPECT_EQ(Echo(Bytes("a1 6144 f90001")), Unspaced("bf 6144 fb3e70000000000000 ff"));
  EXPECT_EQ(Echo(Bytes("a1 6144 f9fc00")), Unspaced("bf 6144 fbfff0000000000000 ff"));
  EXPECT_EQ(Echo(Bytes("a1 6144 f97e00")), Unspaced("bf 6144 fb7ff8000000000000 ff"));
  EXPECT_EQ(Echo(Bytes("a1 6153 7fff")), Unspaced("bf 6153 60 ff"));
}

TEST_F(CborCodecTest, RefusesMalformedAndHostileBodies) {
  const std::vector<std::string> bad = {
      "a1",                          // Truncated.
      "a0 00",                       // Trailing bytes.
      "80",                          // Not a map.
      "a1 01 01",                    // A key that is not text.
      "a1 6153 62c328",              // Text that is not UTF-8.
      "a1 6153 c26161",              // A tag other than 1.
      "a1 6153 1c",                  // Reserved additional information.
      "a1 6153 ff",                  // A break outside an indefinite item.
      "bf 6153 ff",                  // A break where a value belongs.
      "a1 6153 f820",                // A simple value.
      "a1 6153 5bffffffffffffffff",  // A byte string longer than the body.
      "a1 614c 9bffffffffffffffff",  // An array longer than the body.
      "a1 6153 7f 4161 ff",          // A byte chunk inside a text string.
      "a1 6153 7f 7f ff ff",         // An indefinite chunk.
      "a1 6153 1f",                  // An indefinite integer.
  };
  for (const std::string& hex : bad) {
    wire::HttpResponse response = Call(Bytes(hex));
    EXPECT_EQ(response.status, 400) << hex;
    EXPECT_THAT(response.body, HasSubstr("test#SerializationException")) << hex;
    EXPECT_EQ(HeaderOf(response, "x-amzn-query-error"), "SerializationException;Sender") << hex;
  }
  // Nesting beyond kMaxCborDepth.
  std::string deep = Bytes("a1 614c");
  for (int i = 0; i < wire::kMaxCborDepth + 2; ++i) deep += Bytes("81");
  deep += Bytes("00");
  EXPECT_EQ(Call(deep).status, 400);
  // More items than a body may hold, each one byte.
  std::string many = Bytes("a1 614c 9f");
  many.append((size_t{1} << 20) + 1, '\0');
  many += Bytes("ff");
  EXPECT_EQ(Call(many).status, 400);
}

TEST_F(CborCodecTest, AMemberOfTheWrongTypeIsASerializationException) {
  wire::HttpResponse response = Call(Bytes("a1 6149 6161"));  // "I": "a"
  EXPECT_EQ(response.status, 400);
  EXPECT_THAT(response.body, HasSubstr("Member i must be a 32-bit integer."));
  response = Call(Bytes("a1 6149 1b0000000100000000"));  // "I": 2^32
  EXPECT_THAT(response.body, HasSubstr("Must be a 32-bit integer."));
  response = Call(Bytes("a1 6159 81 a0"));  // "Y": [{}]: S is required.
  EXPECT_EQ(response.status, 400);
  EXPECT_THAT(response.body, HasSubstr("The request must contain the parameter S."));
}

TEST_F(CborCodecTest, RoutesByPathAndHeader) {
  // A prefix before /service/ is allowed.
  EXPECT_EQ(Call(Bytes("a0"), "/prefix/service/Echo/operation/Echo").status, 200);
  wire::HttpResponse response = Call(Bytes("a0"), "/service/Echo/operation/Other");
  EXPECT_EQ(response.status, 400);
  EXPECT_THAT(response.body, HasSubstr("The action Other is not valid for this endpoint."));
  response = Call(Bytes("a0"), "/service/Nobody/operation/Echo");
  EXPECT_EQ(response.status, 400);
  EXPECT_TRUE(wire::IsCborMap(response.body));
  EXPECT_THAT(response.body, HasSubstr("The service Nobody is not valid for this endpoint."));
  EXPECT_EQ(Call(Bytes("a0"), "/operation/Echo").status, 400);
  EXPECT_EQ(Call(Bytes("a0"), "/service/operation/Echo").status, 400);
  EXPECT_EQ(Call(Bytes("a0"), "/").status, 400);
  wire::HttpRequest get;
  get.method = "GET";
  get.path = "/service/Echo/operation/Echo";
  get.headers = {{"smithy-protocol", "rpc-v2-cbor"}};
  response = HandleNow(router_, std::move(get));
  EXPECT_EQ(response.status, 400);
  EXPECT_TRUE(wire::IsCborMap(response.body));
  // A body the HTTP layer cut off is refused in CBOR too.
  wire::HttpRequest large;
  large.method = "POST";
  large.path = "/service/Echo/operation/Echo";
  large.headers = {{"smithy-protocol", "rpc-v2-cbor"}};
  large.body_too_large = true;
  response = HandleNow(router_, std::move(large));
  EXPECT_EQ(response.status, 413);
  EXPECT_EQ(response.content_type, "application/cbor");
  EXPECT_THAT(response.body, HasSubstr("RequestEntityTooLarge"));
}

}  // namespace
}  // namespace wharf::testing
