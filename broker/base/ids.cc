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

Uuid NewUuidBits() {
  Uuid id{RandomUint64(), RandomUint64()};
  id.hi = (id.hi & ~0xF000ull) | 0x4000ull;                  // Version 4.
  id.lo = (id.lo & ~(0xC000ull << 48)) | (0x8000ull << 48);  // Variant 10xx.
  return id;
}

void FormatUuid(const Uuid& id, char out[36]) {
  // 8-4-4-4-12 digits.
  char* o = WriteHexNumber(id.hi >> 32, 8, out);
  *o++ = '-';
  o = WriteHexNumber(id.hi >> 16, 4, o);
  *o++ = '-';
  o = WriteHexNumber(id.hi, 4, o);
  *o++ = '-';
  o = WriteHexNumber(id.lo >> 48, 4, o);
  *o++ = '-';
  WriteHexNumber(id.lo, 12, o);
}

bool ParseUuid(std::string_view text, Uuid* id) {
  if (text.size() != 36 || text[8] != '-' || text[13] != '-' || text[18] != '-' ||
      text[23] != '-') {
    return false;
  }
  uint64_t a, b, c, d, e;
  if (!ParseHexNumber(text.substr(0, 8), &a) || !ParseHexNumber(text.substr(9, 4), &b) ||
      !ParseHexNumber(text.substr(14, 4), &c) || !ParseHexNumber(text.substr(19, 4), &d) ||
      !ParseHexNumber(text.substr(24, 12), &e)) {
    return false;
  }
  id->hi = (a << 32) | (b << 16) | c;
  id->lo = (d << 48) | e;
  return true;
}

void NewUuid(char out[36]) { FormatUuid(NewUuidBits(), out); }

std::string NewUuid() {
  std::string s(36, '\0');
  NewUuid(s.data());
  return s;
}

}  // namespace wharf::base_internal
