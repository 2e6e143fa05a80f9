#include "broker/base/ids.h"

#include <cstdint>
#include <random>

#include "absl/random/random.h"

namespace wharf::base_internal {
namespace {

// Per-thread generator: message ids are drawn on hot paths, so no shared state.
absl::BitGen& ThreadGen() {
  thread_local absl::BitGen gen;
  return gen;
}

}  // namespace

void NewUuid(char out[36]) {
  static constexpr char kDigits[] = "0123456789abcdef";
  uint64_t hi = absl::Uniform<uint64_t>(ThreadGen());
  uint64_t lo = absl::Uniform<uint64_t>(ThreadGen());
  hi = (hi & ~0xF000ull) | 0x4000ull;                  // Version 4.
  lo = (lo & ~(0xC000ull << 48)) | (0x8000ull << 48);  // Variant 10xx.
  uint8_t bytes[16];
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<uint8_t>(hi >> (56 - 8 * i));
  for (int i = 0; i < 8; ++i) bytes[8 + i] = static_cast<uint8_t>(lo >> (56 - 8 * i));
  int o = 0;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out[o++] = '-';
    out[o++] = kDigits[bytes[i] >> 4];
    out[o++] = kDigits[bytes[i] & 0xf];
  }
}

std::string NewUuid() {
  std::string s(36, '\0');
  NewUuid(s.data());
  return s;
}

}  // namespace wharf::base_internal
