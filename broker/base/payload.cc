#include "broker/base/payload.h"

#include <cstring>
#include <limits>
#include <new>
#include <ostream>
#include <stdexcept>
#include <utility>

#include "absl/strings/match.h"
#include "broker/base/block_cache.h"
#include "broker/base/hex.h"

namespace wharf {

Md5Hex::Md5Hex(const base_internal::PayloadRef& payload) noexcept : payload_(payload.get()) {
  if (payload_ != nullptr) payload_->Retain();
}

Md5Hex::Md5Hex(base_internal::PayloadRef&& payload) noexcept : payload_(payload.Leak()) {}

Md5Hex::Md5Hex(const Md5Hex& other) : text_(other.text_), payload_(other.payload_) {
  if (payload_ != nullptr) payload_->Retain();
}

Md5Hex& Md5Hex::operator=(const Md5Hex& other) {
  if (this != &other) {
    Md5Hex copy(other);
    *this = std::move(copy);
  }
  return *this;
}

void Md5Hex::ReleasePayload(const base_internal::Payload* payload) noexcept { payload->Release(); }

std::string Md5Hex::str() const {
  if (payload_ == nullptr) return text_;
  std::string text(kDigits, '\0');
  WriteDigits(text.data());
  return text;
}

void Md5Hex::WriteDigits(char* out) const {
  const base_internal::Md5 md5 = payload_->md5_of_body();
  base_internal::WriteHex(md5.data(), md5.size(), out);
}

bool Md5Hex::Equals(const Md5Hex& other) const {
  if (payload_ == other.payload_ && payload_ != nullptr) return true;
  if (other.payload_ == nullptr) return EqualsText(other.text_);
  if (payload_ == nullptr) return other.EqualsText(text_);
  return payload_->md5_of_body() == other.payload_->md5_of_body();
}

bool Md5Hex::EqualsText(std::string_view text) const {
  if (payload_ == nullptr) return std::string_view(text_) == text;
  if (text.size() != kDigits) return false;
  char digits[kDigits];
  WriteDigits(digits);
  return std::string_view(digits, kDigits) == text;
}

std::ostream& Md5Hex::Print(std::ostream& out) const {
  if (payload_ == nullptr) return out << text_;
  char digits[kDigits];
  WriteDigits(digits);
  return out.write(digits, kDigits);
}

}  // namespace wharf

namespace wharf::base_internal {

Md5 Payload::FromWords(uint64_t low, uint64_t high) {
  Md5 md5;
  std::memcpy(md5.data(), &low, sizeof low);
  std::memcpy(md5.data() + sizeof low, &high, sizeof high);
  return md5;
}

void Payload::Destroy() const noexcept {
  Payload* self = const_cast<Payload*>(this);
  const size_t bytes = BlockBytes(size_);
  self->~Payload();
  FreeBlock(self, bytes);
}

PayloadRef ConcatPayload(std::initializer_list<std::string_view> parts,
                         std::unique_ptr<const PayloadAttributes> attributes) {
  size_t size = 0;
  for (std::string_view part : parts) size += part.size();
  if (size > std::numeric_limits<uint32_t>::max()) throw std::length_error("payload too large");
  // From the block cache: the block is usually freed by another thread.
  void* block = AllocateBlock(Payload::BlockBytes(size));
  // From here nothing throws: the header owns `attributes`.
  Payload* payload = new (block) Payload(static_cast<uint32_t>(size), attributes.release());
  if (std::atomic<uint64_t>* words = payload->Md5Cache()) {
    new (&words[0]) std::atomic<uint64_t>(0);
    new (&words[1]) std::atomic<uint64_t>(0);
  }
  char* out = static_cast<char*>(block) + sizeof(Payload);
  for (std::string_view part : parts) {
    if (!part.empty()) std::memcpy(out, part.data(), part.size());
    out += part.size();
  }
  return PayloadRef::Adopt(payload);
}

Md5 Payload::ComputeMd5OfBody() const {
  const Md5 md5 = Md5Of(body());
  std::atomic<uint64_t>* const words = Md5Cache();
  if (words == nullptr) return md5;
  uint64_t low = 0, high = 0;
  std::memcpy(&low, md5.data(), sizeof low);
  std::memcpy(&high, md5.data() + sizeof low, sizeof high);
  words[0].store(low, std::memory_order_relaxed);
  words[1].store(high, std::memory_order_release);
  return md5;
}

std::string AttributesMd5(const MessageAttributeMap& attributes) {
  if (attributes.empty()) return {};
  AttributeMd5 md5;
  for (const auto& [name, value] : attributes) {  // std::map: ascending byte order.
    if (absl::StartsWith(value.data_type, "Binary")) {
      md5.AddBinary(name, value.data_type, value.binary_value);
    } else {
      md5.AddString(name, value.data_type, value.string_value);
    }
  }
  return md5.HexDigest();
}

PayloadRef MakePayload(std::string_view body, MessageAttributeMap attributes,
                       const MessageAttributeMap& system_attributes) {
  auto trace = system_attributes.find("AWSTraceHeader");
  if (attributes.empty() && trace == system_attributes.end()) return NewPayload(body);
  auto extra = std::make_unique<PayloadAttributes>();
  extra->md5_of_message_attributes = AttributesMd5(attributes);
  extra->message_attributes = std::move(attributes);
  if (trace != system_attributes.end()) {
    extra->aws_trace_header = trace->second.string_value;
    extra->md5_of_message_system_attributes = AttributesMd5(system_attributes);
  }
  return NewPayload(body, std::move(extra));
}

}  // namespace wharf::base_internal
