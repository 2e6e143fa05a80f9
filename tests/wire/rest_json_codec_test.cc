// The REST-JSON codec over a small table (tests/wire/things_api.h): routes by
// method and path, members from labels, query parameters, headers and the
// JSON body, success statuses, and REST-JSON errors.

#include "broker/wire/rest_json_codec.h"

#include <string>
#include <utility>

#include "broker/wire/router.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/wire/things_api.h"
#include "tests/wire/wire_test_util.h"

namespace wharf::testing {
namespace {

using ::testing::HasSubstr;

class RestJsonTest : public ::testing::Test {
 protected:
  RestJsonTest() : router_(wire::RouterOptions{}) {
    router_.AddRestJson(MakeThingsApi(service_), ThingsRoutes());
  }

  wire::HttpResponse Call(std::string method, std::string path, std::string body = "",
                          std::string query = "") {
    wire::HttpRequest request;
    request.method = std::move(method);
    request.path = std::move(path);
    request.query = std::move(query);
    request.headers = {{"content-type", "application/json"}};
    request.body = std::move(body);
    return HandleNow(router_, std::move(request));
  }

  ThingsService service_;
  wire::Router router_;
};

TEST_F(RestJsonTest, CreateReadsTheBodyAndAnswersWithTheRoutesStatus) {
  wire::HttpResponse created =
      Call("POST", "/2024-01-01/things", R"({"Name":"a b","Size":3,"Tags":{"k":"v"}})");
  EXPECT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.content_type, "application/json");
  EXPECT_EQ(created.body, R"({"Name":"a b","Size":3,"Tags":{"k":"v"}})");
  EXPECT_FALSE(HeaderOf(created, "x-amzn-RequestId").empty());
}

TEST_F(RestJsonTest, LabelsArePercentDecodedPathSegments) {
  Call("POST", "/2024-01-01/things", R"({"Name":"a b/c"})");
  wire::HttpResponse got = Call("GET", "/2024-01-01/things/a%20b%2Fc");
  EXPECT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(got.body, R"({"Name":"a b/c","Size":1})");
}

TEST_F(RestJsonTest, QueryParametersBindToMembers) {
  for (const char* name : {"x1", "x2", "y1"}) {
    Call("POST", "/2024-01-01/things", std::string(R"({"Name":")") + name + R"("})");
  }
  wire::HttpResponse listed = Call("GET", "/2024-01-01/things", "", "prefix=x&maxItems=1");
  EXPECT_EQ(listed.status, 200);
  EXPECT_EQ(listed.body, R"({"Things":[{"Name":"x1","Size":1}]})");
  wire::HttpResponse bad = Call("GET", "/2024-01-01/things", "", "maxItems=many");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(HeaderOf(bad, "x-amzn-ErrorType"), "SerializationException");
}

TEST_F(RestJsonTest, GreedyLabelTakesTheRestOfThePathAndHeadersBindToMembers) {
  Call("POST", "/2024-01-01/things", R"({"Name":"t"})");
  wire::HttpRequest request;
  request.method = "PUT";
  request.path = "/2024-01-01/things/t/parts/dir/file%2B1.txt";
  request.headers = {{"x-amz-part-size", "42"}};
  wire::HttpResponse put = HandleNow(router_, std::move(request));
  EXPECT_EQ(put.status, 200) << put.body;
  EXPECT_THAT(put.body, HasSubstr(R"("Parts":{"dir/file+1.txt":{"Size":42}})"));
}

TEST_F(RestJsonTest, NoContentHasNoBody) {
  Call("POST", "/2024-01-01/things", R"({"Name":"gone"})");
  wire::HttpResponse deleted = Call("DELETE", "/2024-01-01/things/gone");
  EXPECT_EQ(deleted.status, 204);
  EXPECT_EQ(deleted.body, "");
  EXPECT_EQ(Call("GET", "/2024-01-01/things/gone").status, 400);
}

TEST_F(RestJsonTest, ErrorsCarryTheTypeHeaderAndAMessage) {
  wire::HttpResponse missing = Call("POST", "/2024-01-01/things", R"({"Size":1})");
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(HeaderOf(missing, "x-amzn-ErrorType"), "ValidationException");
  rapidjson::Document body = ParseJson(missing.body);
  EXPECT_STREQ(body["Type"].GetString(), "User");
  EXPECT_STREQ(body["message"].GetString(),
               "1 validation error detected: Value null at 'name' failed to satisfy constraint: "
               "Member must not be null");

  wire::HttpResponse unknown = Call("GET", "/2024-01-01/things/nope");
  EXPECT_EQ(HeaderOf(unknown, "x-amzn-ErrorType"), "ResourceNotFoundException");
  EXPECT_STREQ(ParseJson(unknown.body)["message"].GetString(), "Thing not found: nope");

  wire::HttpResponse wrong = Call("POST", "/2024-01-01/things", R"({"Name":7})");
  EXPECT_EQ(HeaderOf(wrong, "x-amzn-ErrorType"), "SerializationException");
  EXPECT_STREQ(ParseJson(wrong.body)["message"].GetString(), "Member name must be a string.");
}

TEST_F(RestJsonTest, BodyNestedTooDeeplyIsSerializationException) {
  std::string deep =
      R"({"Name":"d","Tags":)" + std::string(200'000, '[') + std::string(200'000, ']') + "}";
  wire::HttpResponse response = Call("POST", "/2024-01-01/things", deep);
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(HeaderOf(response, "x-amzn-ErrorType"), "SerializationException");
  EXPECT_STREQ(ParseJson(response.body)["message"].GetString(),
               "The request body is not valid JSON.");
}

TEST_F(RestJsonTest, ARouteMatchesOnlyItsMethodAndWholePath) {
  wire::RestJsonApi api(MakeThingsApi(service_), ThingsRoutes());
  EXPECT_NE(api.Match("GET", "/2024-01-01/things/x"), nullptr);
  EXPECT_EQ(api.Match("PATCH", "/2024-01-01/things/x"), nullptr);
  EXPECT_EQ(api.Match("GET", "/2024-01-01/things/x/y"), nullptr);
  EXPECT_EQ(api.Match("GET", "/2024-01-01/other"), nullptr);
  EXPECT_EQ(api.Match("PUT", "/2024-01-01/things/x/parts"), nullptr);
  EXPECT_EQ(api.Match("GET", "/2024-01-01/things/%zz"), nullptr);
  ASSERT_NE(api.Match("GET", "/2024-01-01/things"), nullptr);
  EXPECT_EQ(api.Match("GET", "/2024-01-01/things")->operation, "ListThings");
}

TEST_F(RestJsonTest, APathNoRouteTakesIsLeftToTheQueryProtocol) {
  wire::HttpResponse response = Call("POST", "/", "Action=Nothing");
  EXPECT_EQ(response.status, 400);
  EXPECT_THAT(response.body, HasSubstr("<Code>InvalidAction</Code>"));
}

}  // namespace
}  // namespace wharf::testing
