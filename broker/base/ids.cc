#include "broker/base/ids.h"

#include <cstdint>
#include <random>

#include "broker/base/hex.h"

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
  uint64_t hi = RandomUint64();
  uint64_t lo = RandomUint64();
  hi = (hi & ~0xF000ull) | 0x4000ull;                  // Version 4.
  lo = (lo & ~(0xC000ull << 48)) | (0x8000ull << 48);  // Variant 10xx.
  // 8-4-4-4-12 digits.
  char* o = WriteHexNumber(hi >> 32, 8, out);
  *o++ = '-';
  o = WriteHexNumber(hi >> 16, 4, o);
  *o++ = '-';
  o = WriteHexNumber(hi, 4, o);
  *o++ = '-';
  o = WriteHexNumber(lo >> 48, 4, o);
  *o++ = '-';
  WriteHexNumber(lo, 12, o);
}

std::string NewUuid() {
  std::string s(36, '\0');
  NewUuid(s.data());
  return s;
}

}  // namespace wharf::base_internal
