#include "broker/base/ids.h"

#include <cstdint>
#include <random>

namespace wharf::base_internal {
namespace {

// Per-thread generator: message ids are drawn on hot paths, so no shared
// state. Not absl::BitGen: it seeds from a process-wide pool whose locking
// ThreadSanitizer cannot see in Debian's prebuilt Abseil (false races).
std::mt19937_64& ThreadGen() {
  thread_local std::mt19937_64 gen = [] {
    std::random_device device;
    std::seed_seq seed{device(), device(), device(), device()};
    return std::mt19937_64(seed);
  }();
  return gen;
}

}  // namespace

uint64_t RandomUint64() { return ThreadGen()(); }

void NewUuid(char out[36]) {
  static constexpr char kDigits[] = "0123456789abcdef";
  uint64_t hi = RandomUint64();
  uint64_t lo = RandomUint64();
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
