#include "broker/base/digests.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <memory>

#include "broker/base/hex.h"

namespace wharf::base_internal {
namespace {

// The algorithms, fetched from OpenSSL's default provider once: EVP_md5()
// and the one-shot SHA256() look the implementation up again on every call
// (OpenSSL 3), which cost more than digesting a 600-byte message. Immutable
// and never freed; thread-safe after the first call.
const EVP_MD* Md5Algorithm() {
  static const EVP_MD* const md = EVP_MD_fetch(nullptr, "MD5", nullptr);
  return md;
}
const EVP_MD* Sha256Algorithm() {
  static const EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}

}  // namespace

Md5 Md5Of(std::string_view bytes) {
  // One context per thread, reused: EVP_Digest allocates and frees one per
  // call, which costs half as much as digesting a 256-byte body.
  thread_local const std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx(EVP_MD_CTX_new(),
                                                                            &EVP_MD_CTX_free);
  Md5 out;
  unsigned int len = 0;
  EVP_DigestInit_ex(ctx.get(), Md5Algorithm(), nullptr);
  EVP_DigestUpdate(ctx.get(), bytes.data(), bytes.size());
  EVP_DigestFinal_ex(ctx.get(), out.data(), &len);
  return out;
}

std::string ToHex(const uint8_t* data, size_t size) {
  std::string hex(size * 2, '\0');
  WriteHex(data, size, hex.data());
  return hex;
}

std::string Md5Hex(std::string_view bytes) { return ToHex(Md5Of(bytes)); }

std::string Sha256Hex(std::string_view bytes) {
  uint8_t out[SHA256_DIGEST_LENGTH];
  unsigned int len = 0;
  EVP_Digest(bytes.data(), bytes.size(), out, &len, Sha256Algorithm(), nullptr);
  return ToHex(out, len);
}

std::string HmacSha256(std::string_view key, std::string_view data) {
  uint8_t out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const uint8_t*>(data.data()), data.size(), out, &len);
  return std::string(reinterpret_cast<const char*>(out), len);
}

AttributeMd5::AttributeMd5() : ctx_(EVP_MD_CTX_new()) {
  EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(ctx_), Md5Algorithm(), nullptr);
}

AttributeMd5::~AttributeMd5() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_)); }

void AttributeMd5::AddLengthPrefixed(std::string_view bytes) {
  const uint32_t n = static_cast<uint32_t>(bytes.size());
  const uint8_t be[4] = {static_cast<uint8_t>(n >> 24), static_cast<uint8_t>(n >> 16),
                         static_cast<uint8_t>(n >> 8), static_cast<uint8_t>(n)};
  EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), be, 4);
  EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), bytes.data(), bytes.size());
}

void AttributeMd5::AddString(std::string_view name, std::string_view data_type,
                             std::string_view value) {
  AddLengthPrefixed(name);
  AddLengthPrefixed(data_type);
  const uint8_t marker = 1;
  EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), &marker, 1);
  AddLengthPrefixed(value);
}

void AttributeMd5::AddBinary(std::string_view name, std::string_view data_type,
                             std::string_view value) {
  AddLengthPrefixed(name);
  AddLengthPrefixed(data_type);
  const uint8_t marker = 2;
  EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), &marker, 1);
  AddLengthPrefixed(value);
}

std::string AttributeMd5::HexDigest() {
  uint8_t out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(ctx_), out, &len);
  return ToHex(out, len);
}

}  // namespace wharf::base_internal
