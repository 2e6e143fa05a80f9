// wharf::MessageAttributeValue: one type for SQS and SNS, and its helpers.

#include <type_traits>

#include "tests/service/sqs_test_fixture.h"
#include "wharf/message.h"
#include "wharf/sns.h"
#include "wharf/sqs.h"

namespace wharf::testing {
namespace {

static_assert(std::is_same_v<sqs::MessageAttributeValue, sns::MessageAttributeValue>);
static_assert(std::is_same_v<sqs::MessageAttributeMap, sns::MessageAttributeMap>);

TEST(MessageAttributeValueTest, HelpersFillTheAwsFields) {
  EXPECT_EQ(MessageAttributeValue::String("gold"),
            (MessageAttributeValue{.data_type = "String", .string_value = "gold"}));
  EXPECT_EQ(MessageAttributeValue::Number("-1.5e3"),
            (MessageAttributeValue{.data_type = "Number", .string_value = "-1.5e3"}));
  EXPECT_EQ(
      MessageAttributeValue::Binary(std::string("\0\xff", 2)),
      (MessageAttributeValue{.data_type = "Binary", .binary_value = std::string("\0\xff", 2)}));
  EXPECT_EQ(MessageAttributeValue::StringArray(R"(["a",1])"),
            (MessageAttributeValue{.data_type = "String.Array", .string_value = R"(["a",1])"}));
}

TEST(MessageAttributeValueTest, NumberOfAnIntegerIsItsDecimalText) {
  EXPECT_EQ(MessageAttributeValue::Number(42).string_value, "42");
  EXPECT_EQ(MessageAttributeValue::Number(-7L).string_value, "-7");
  EXPECT_EQ(MessageAttributeValue::Number(uint64_t{18446744073709551615u}).string_value,
            "18446744073709551615");
  EXPECT_EQ(MessageAttributeValue::Number(3).data_type, "Number");
}

class MessageAttributeSqsTest : public SqsTest {};

TEST_F(MessageAttributeSqsTest, HelperBuiltAttributesRoundTripWithTheSameDigest) {
  std::string url = Create("attrs");
  sqs::MessageAttributeMap helpers = {{"kind", MessageAttributeValue::String("order")},
                                      {"qty", MessageAttributeValue::Number(3)},
                                      {"sig", MessageAttributeValue::Binary("\x01\x02")}};
  sqs::MessageAttributeMap spelled = {{"kind", {.data_type = "String", .string_value = "order"}},
                                      {"qty", {.data_type = "Number", .string_value = "3"}},
                                      {"sig", {.data_type = "Binary", .binary_value = "\x01\x02"}}};
  auto a =
      sqs().SendMessage({.queue_url = url, .message_body = "a", .message_attributes = helpers});
  auto b =
      sqs().SendMessage({.queue_url = url, .message_body = "b", .message_attributes = spelled});
  ASSERT_OK(a);
  ASSERT_OK(b);
  EXPECT_EQ(a->md5_of_message_attributes, b->md5_of_message_attributes);
  std::vector<sqs::Message> got = Receive(url);
  ASSERT_EQ(got.size(), 2u);
  for (const sqs::Message& m : got) EXPECT_EQ(m.message_attributes, helpers);
}

}  // namespace
}  // namespace wharf::testing
