// Digests AWS clients verify: MD5 of bodies and message attributes (SQS), and
// SHA-256 for content-based deduplication. OpenSSL underneath.
//
// Thread safety: all functions are thread-safe and allocate only their result.

#ifndef WHARF_BROKER_BASE_DIGESTS_H_
#define WHARF_BROKER_BASE_DIGESTS_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace wharf::base_internal {

using Md5 = std::array<uint8_t, 16>;

Md5 Md5Of(std::string_view bytes);
// Lower-case hex, e.g. "9f5f155ec5da7b214e3a43b0386514d9".
std::string Md5Hex(std::string_view bytes);
std::string ToHex(const uint8_t* data, size_t size);
inline std::string ToHex(const Md5& md5) { return ToHex(md5.data(), md5.size()); }

// Lower-case hex SHA-256 (64 chars).
std::string Sha256Hex(std::string_view bytes);

// HMAC-SHA256 of `data` under `key` (raw 32 bytes); for SigV4.
std::string HmacSha256(std::string_view key, std::string_view data);

// Incremental builder for SQS's MD5OfMessageAttributes encoding (spec/sqs.md
// §6). Feed attributes in ascending byte order of their names.
class AttributeMd5 {
 public:
  AttributeMd5();
  ~AttributeMd5();
  AttributeMd5(const AttributeMd5&) = delete;
  AttributeMd5& operator=(const AttributeMd5&) = delete;

  void AddString(std::string_view name, std::string_view data_type, std::string_view value);
  void AddBinary(std::string_view name, std::string_view data_type, std::string_view value);
  std::string HexDigest();

 private:
  void AddLengthPrefixed(std::string_view bytes);
  void* ctx_;  // EVP_MD_CTX*
};

}  // namespace wharf::base_internal

#endif  // WHARF_BROKER_BASE_DIGESTS_H_
