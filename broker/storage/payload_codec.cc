#include "broker/storage/payload_codec.h"

#include <utility>

#include "absl/status/status.h"

namespace wharf::storage_internal {
namespace {

using base_internal::PayloadAttributes;
using base_internal::PayloadRef;

constexpr char kVersion = 1;

void PutVarint(uint64_t v, std::string& out) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

void PutString(std::string_view s, std::string& out) {
  PutVarint(s.size(), out);
  out.append(s.data(), s.size());
}

// Reads fields from a blob; any overrun leaves it failed.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}

  bool Varint(uint64_t& v) {
    v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (in_.empty()) return false;
      const uint8_t b = static_cast<uint8_t>(in_.front());
      in_.remove_prefix(1);
      v |= uint64_t{b & 0x7fu} << shift;
      if ((b & 0x80) == 0) return true;
    }
    return false;
  }
  bool String(std::string& s) {
    uint64_t n;
    if (!Varint(n) || n > in_.size()) return false;
    s.assign(in_.data(), n);
    in_.remove_prefix(n);
    return true;
  }
  bool Byte(char& c) {
    if (in_.empty()) return false;
    c = in_.front();
    in_.remove_prefix(1);
    return true;
  }
  bool done() const { return in_.empty(); }

 private:
  std::string_view in_;
};

absl::Status Damaged(std::string_view what) {
  return absl::DataLossError(
      std::string("stored message is damaged: ").append(what.data(), what.size()));
}

}  // namespace

void EncodePayloadAttributes(const PayloadAttributes& attributes, std::string& out) {
  out.push_back(kVersion);
  PutVarint(attributes.message_attributes.size(), out);
  for (const auto& [name, value] : attributes.message_attributes) {
    PutString(name, out);
    PutString(value.data_type, out);
    PutString(value.string_value, out);
    PutString(value.binary_value, out);
  }
  PutString(attributes.md5_of_message_attributes, out);
  PutString(attributes.aws_trace_header, out);
  PutString(attributes.md5_of_message_system_attributes, out);
}

absl::StatusOr<PayloadRef> DecodePayload(std::string_view body, std::string_view md5,
                                         std::string_view attributes) {
  if (!md5.empty() && md5.size() != sizeof(base_internal::Md5)) return Damaged("MD5 of body");
  std::unique_ptr<PayloadAttributes> parts;
  if (!attributes.empty()) {
    parts = std::make_unique<PayloadAttributes>();
    Reader in(attributes);
    char version;
    uint64_t count;
    if (!in.Byte(version) || version != kVersion) return Damaged("attribute encoding version");
    if (!in.Varint(count) || count > attributes.size()) return Damaged("attribute count");
    for (uint64_t i = 0; i < count; ++i) {
      std::string name;
      MessageAttributeValue value;
      if (!in.String(name) || !in.String(value.data_type) || !in.String(value.string_value) ||
          !in.String(value.binary_value)) {
        return Damaged("message attribute");
      }
      parts->message_attributes.emplace(std::move(name), std::move(value));
    }
    if (!in.String(parts->md5_of_message_attributes) || !in.String(parts->aws_trace_header) ||
        !in.String(parts->md5_of_message_system_attributes) || !in.done()) {
      return Damaged("attribute digests");
    }
  }
  return base_internal::NewPayload(body, std::move(parts));
}

}  // namespace wharf::storage_internal
