#include "broker/base/ids.h"

#include <bit>
#include <cstdint>
#include <cstring>
#include <random>

#include "broker/base/hex.h"

namespace wharf::base_internal {
namespace {

// Per-thread generator: message ids are drawn on hot paths, so no shared
// state. Not absl::BitGen: it seeds from a process-wide pool whose locking
// ThreadSanitizer cannot see in Debian's prebuilt Abseil (false races).
// xoshiro256** (Blackman and Vigna): 256 bits of state, a few instructions
// per draw where std::mt19937_64 cost ~45 (two draws per message id); seeded
// from the OS through a std::mt19937_64.
class Xoshiro256 {
 public:
  Xoshiro256() {
    std::random_device device;
    std::seed_seq seq{device(), device(), device(), device()};
    std::mt19937_64 seeder(seq);
    for (uint64_t& word : s_) word = seeder();
    if ((s_[0] | s_[1] | s_[2] | s_[3]) == 0) s_[0] = 1;  // The one invalid state.
  }
  uint64_t operator()() {
    const uint64_t result = std::rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = std::rotl(s_[3], 45);
    return result;
  }

 private:
  uint64_t s_[4];
};

Xoshiro256& ThreadGen() {
  thread_local Xoshiro256 gen;
  return gen;
}

}  // namespace

uint64_t RandomUint64() { return ThreadGen()(); }

Uuid NewUuidBits() {
  Xoshiro256& gen = ThreadGen();
  Uuid id;
  id.hi = gen();
  id.lo = gen();
  id.hi = (id.hi & ~0xF000ull) | 0x4000ull;                  // Version 4.
  id.lo = (id.lo & ~(0xC000ull << 48)) | (0x8000ull << 48);  // Variant 10xx.
  return id;
}

void FormatUuid(const Uuid& id, char out[36]) {
  // 8-4-4-4-12 digits, cut from the 32 digits of the two words.
  char digits[32];
  WriteHex16(id.hi, digits);
  WriteHex16(id.lo, digits + 16);
  std::memcpy(out, digits, 8);
  out[8] = '-';
  std::memcpy(out + 9, digits + 8, 4);
  out[13] = '-';
  std::memcpy(out + 14, digits + 12, 4);
  out[18] = '-';
  std::memcpy(out + 19, digits + 16, 4);
  out[23] = '-';
  std::memcpy(out + 24, digits + 20, 12);
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
