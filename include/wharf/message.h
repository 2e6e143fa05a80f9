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
// wharf::Md5Hex: the MD5 of a message body as AWS reports it, computed the
// first time someone reads it (results of SendMessage, received messages).
//
// Thread safety: value types; distinct objects may be used concurrently, and
// the const methods of one Md5Hex may be called from any number of threads.

#ifndef WHARF_MESSAGE_H_
#define WHARF_MESSAGE_H_

#include <concepts>
#include <cstddef>
#include <iosfwd>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

namespace wharf {
namespace base_internal {
class Payload;
template <typename T>
class RefPtr;
}  // namespace base_internal

// The hex text of an MD5 as AWS reports it (32 lower-case digits), e.g. a
// SendMessageResult's md5_of_message_body. Either a known text (any string:
// a test or a mock sets it like a std::string) or the digest of a message's
// body, computed when read (str(), ==, <<, conversion), so a producer that
// never looks pays nothing; cached with the message for bodies of 512 bytes
// or more (a shorter body's digest is computed on each read: ~1 us). A
// lazy Md5Hex holds a reference to the message's content: the body stays in
// memory while the Md5Hex (or a copy) lives. Default: empty (no digest).
//
//   sqs::SendMessageResult sent = *queue.SendMessage({.message_body = "hi"});
//   if (sent.md5_of_message_body == expected) ...   // Computed here.
//   std::string text = sent.md5_of_message_body;    // Or .str().
//
// Thread safety: a value type; the const methods may be called concurrently
// (concurrent first reads compute the same text). O(body size) once per
// message (per read below 512 bytes), then O(1) per read plus the 32-byte
// text.
class Md5Hex {
 public:
  Md5Hex() = default;
  Md5Hex(const char* text) : text_(text) {}             // NOLINT: implicit.
  Md5Hex(std::string text) : text_(std::move(text)) {}  // NOLINT: implicit.
  Md5Hex(std::string_view text) : text_(text) {}        // NOLINT: implicit.
  // Internal (the library builds these): the digest of `payload`'s body.
  explicit Md5Hex(const base_internal::RefPtr<const base_internal::Payload>& payload) noexcept;
  explicit Md5Hex(base_internal::RefPtr<const base_internal::Payload>&& payload) noexcept;
  Md5Hex(const Md5Hex& other);
  Md5Hex(Md5Hex&& other) noexcept
      : text_(std::move(other.text_)), payload_(std::exchange(other.payload_, nullptr)) {}
  Md5Hex& operator=(const Md5Hex& other);
  Md5Hex& operator=(Md5Hex&& other) noexcept {
    if (this != &other) {
      text_ = std::move(other.text_);
      if (payload_ != nullptr) ReleasePayload(payload_);
      payload_ = std::exchange(other.payload_, nullptr);
    }
    return *this;
  }
  ~Md5Hex() {
    if (payload_ != nullptr) ReleasePayload(payload_);
  }

  // The text; computes the digest on the first read of a lazy value.
  std::string str() const;
  operator std::string() const { return str(); }  // NOLINT: implicit.
  // Neither computes the digest.
  bool empty() const noexcept { return payload_ == nullptr && text_.empty(); }
  size_t size() const noexcept { return payload_ != nullptr ? kDigits : text_.size(); }

  // Text equality (a digest compares as its 32 digits).
  friend bool operator==(const Md5Hex& a, const Md5Hex& b) { return a.Equals(b); }
  friend bool operator==(const Md5Hex& a, std::string_view b) { return a.EqualsText(b); }
  friend bool operator==(const Md5Hex& a, const std::string& b) { return a.EqualsText(b); }
  friend bool operator==(const Md5Hex& a, const char* b) { return a.EqualsText(b); }
  friend std::ostream& operator<<(std::ostream& out, const Md5Hex& md5) { return md5.Print(out); }

 private:
  static constexpr size_t kDigits = 32;
  bool Equals(const Md5Hex& other) const;
  bool EqualsText(std::string_view text) const;
  std::ostream& Print(std::ostream& out) const;
  // Writes the 32 digits of payload_'s digest at `out` (payload_ set).
  void WriteDigits(char* out) const;

  // Drops the reference payload_ holds (out of line: the payload's layout
  // is internal).
  static void ReleasePayload(const base_internal::Payload* payload) noexcept;

  std::string text_{};                               // Known text.
  const base_internal::Payload* payload_ = nullptr;  // Set (one reference): lazy; text_ unused.
};

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
