// Bounded JSON parsing: the depth limit holds for both parsers, at any depth
// (200,000 levels would overflow a recursive parser's stack), and documents
// within the limit parse as usual.

#include "broker/base/json.h"

#include <string>

#include "gtest/gtest.h"

namespace wharf::base_internal {
namespace {

std::string NestedArrays(size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

std::string NestedObjects(size_t depth) {
  std::string json;
  for (size_t i = 0; i < depth; ++i) json += R"({"a":)";
  json += "1";
  return json + std::string(depth, '}');
}

TEST(BoundedJsonTest, RapidJsonParsesUpToTheLimitAndRefusesOneLevelMore) {
  rapidjson::Document doc;
  EXPECT_TRUE(ParseJson(NestedArrays(kMaxJsonDepth), &doc));
  EXPECT_TRUE(doc.IsArray());
  EXPECT_FALSE(ParseJson(NestedArrays(kMaxJsonDepth + 1), &doc));
  EXPECT_TRUE(doc.IsNull());
  EXPECT_TRUE(ParseJson(NestedObjects(3), &doc, /*max_depth=*/3));
  EXPECT_FALSE(ParseJson(NestedObjects(4), &doc, /*max_depth=*/3));
}

TEST(BoundedJsonTest, RapidJsonRefusesTwoHundredThousandLevelsWithoutRecursing) {
  rapidjson::Document doc;
  EXPECT_FALSE(ParseJson(NestedArrays(200'000), &doc));
  EXPECT_FALSE(ParseJson(NestedObjects(200'000), &doc));
}

TEST(BoundedJsonTest, RapidJsonReadsAnOrdinaryDocumentAndRejectsTrailingText) {
  rapidjson::Document doc;
  ASSERT_TRUE(ParseJson(R"({"a":[1,{"b":"c"}]})", &doc));
  EXPECT_STREQ(doc["a"][1]["b"].GetString(), "c");
  EXPECT_FALSE(ParseJson(R"({"a":1} x)", &doc));
  EXPECT_FALSE(ParseJson("", &doc));
  EXPECT_FALSE(ParseJson(R"({"a":)", &doc));
  // Not NUL-terminated: only the view is read.
  std::string_view prefix = std::string_view(R"([1,2]]]]])").substr(0, 5);
  EXPECT_TRUE(ParseJson(prefix, &doc));
}

TEST(BoundedJsonTest, RapidJsonKeepsTheCallersFlags) {
  rapidjson::Document doc;
  ASSERT_TRUE(ParseJson<rapidjson::kParseFullPrecisionFlag>("[0.1]", &doc));
  EXPECT_DOUBLE_EQ(doc[0].GetDouble(), 0.1);
  EXPECT_FALSE(ParseJson<rapidjson::kParseValidateEncodingFlag>("[\"\xff\"]", &doc));
}

TEST(BoundedJsonTest, SimdjsonParsesUpToTheLimitAndRefusesOneLevelMore) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  EXPECT_EQ(ParseJson(parser, NestedArrays(kMaxJsonDepth), &root), simdjson::SUCCESS);
  EXPECT_EQ(ParseJson(parser, NestedArrays(kMaxJsonDepth + 1), &root), simdjson::DEPTH_ERROR);
  EXPECT_EQ(ParseJson(parser, NestedObjects(200'000), &root), simdjson::DEPTH_ERROR);
  EXPECT_EQ(ParseJson(parser, NestedArrays(5), &root, /*max_depth=*/5), simdjson::SUCCESS);
  EXPECT_EQ(ParseJson(parser, NestedArrays(6), &root, /*max_depth=*/5), simdjson::DEPTH_ERROR);
}

TEST(BoundedJsonTest, SimdjsonKeepsItsLimitWhenTheParserGrows) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  ASSERT_EQ(ParseJson(parser, "[]", &root, /*max_depth=*/4), simdjson::SUCCESS);
  // A document larger than the capacity so far makes simdjson reallocate.
  std::string padded = std::string(1 << 16, ' ') + NestedArrays(5);
  EXPECT_EQ(ParseJson(parser, padded, &root, /*max_depth=*/4), simdjson::DEPTH_ERROR);
  EXPECT_NE(ParseJson(parser, "", &root), simdjson::SUCCESS);
}

}  // namespace
}  // namespace wharf::base_internal
