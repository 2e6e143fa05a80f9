// File: wharf/message.h
//
// wharf::MessageAttributeValue: a message attribute as SQS and SNS carry it.
// One type serves both services (sqs::MessageAttributeValue and
// sns::MessageAttributeValue name it), so an attribute read from a queue can
// be published to a topic as it is. The fields keep the AWS names; the
// helpers build the common kinds:
//
//   sqs.SendMessage({.queue_url = url, .message_body = "order 42",
//                    .message_attributes = {
//                        {"kind", wharf::MessageAttributeValue::String("order")},
//                        {"qty", wharf::MessageAttributeValue::Number(3)},
//                        {"sig", wharf::MessageAttributeValue::Binary(bytes)}}});
//
// Thread safety: a value type; distinct objects may be used concurrently.

#ifndef WHARF_MESSAGE_H_
#define WHARF_MESSAGE_H_

#include <concepts>
#include <map>
#include <string>
#include <string_view>
#include <utility>

namespace wharf {

// DataType is "String", "Number" or "Binary" (SNS also takes
// "String.Array"), optionally followed by ".label" (e.g. "Number.float").
// String, String.Array and Number use string_value; Binary uses
// binary_value (raw bytes, not base64). The services validate values when a
// message is sent or published, not here.
struct MessageAttributeValue {
  std::string data_type{};
  std::string string_value{};
  std::string binary_value{};

  // {"String", value}.
  static MessageAttributeValue String(std::string value) {
    return {.data_type = "String", .string_value = std::move(value), .binary_value = {}};
  }
  // {"Number", text}: the decimal text as given, which SQS keeps verbatim
  // (e.g. "3", "-1.5", "6.02e23"; at most 38 significant digits).
  static MessageAttributeValue Number(std::string_view text) {
    return {.data_type = "Number", .string_value = std::string(text), .binary_value = {}};
  }
  // {"Number", decimal text of an integer}. Integers only: a floating-point
  // value has no text every reader agrees on, so pass that as text.
  template <std::integral T>
  requires(!std::same_as<T, bool>) static MessageAttributeValue Number(T value) {
    return Number(std::to_string(value));
  }
  // {"Binary", bytes}: raw bytes (the wire layer base64-encodes them).
  static MessageAttributeValue Binary(std::string bytes) {
    return {.data_type = "Binary", .string_value = {}, .binary_value = std::move(bytes)};
  }
  // SNS only: {"String.Array", json}, a JSON array of strings, numbers,
  // booleans and nulls, e.g. R"(["red", 7, null])".
  static MessageAttributeValue StringArray(std::string json_array) {
    return {.data_type = "String.Array", .string_value = std::move(json_array), .binary_value = {}};
  }

  friend bool operator==(const MessageAttributeValue&, const MessageAttributeValue&) = default;
};

// Attributes by name, ordered by name (byte order): the order in which SQS
// computes MD5OfMessageAttributes.
using MessageAttributeMap = std::map<std::string, MessageAttributeValue>;

}  // namespace wharf

#endif  // WHARF_MESSAGE_H_
