// Identifiers: random (version 4) UUIDs for message ids, request ids, etc.,
// and random 64-bit keys.
//
// Thread safety: thread-safe; each thread draws from its own generator, seeded
// from the OS, so no lock is taken and two brokers share no state.

#ifndef WHARF_BROKER_BASE_IDS_H_
#define WHARF_BROKER_BASE_IDS_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace wharf::base_internal {

// "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx", lower-case hex, 36 chars.
std::string NewUuid();

// Writes a UUID into `out` (36 chars, no terminator). Allocation-free.
void NewUuid(char out[36]);

// A UUID as its 128 bits, the first digit most significant: 16 bytes where
// the text takes 36 (the standard queue keeps message ids so).
struct Uuid {
  uint64_t hi = 0;
  uint64_t lo = 0;
};

// A new random version 4 UUID.
Uuid NewUuidBits();

// Writes the canonical text of `id` (36 chars, no terminator).
void FormatUuid(const Uuid& id, char out[36]);

// Parses exactly the text FormatUuid writes (lower-case hex, dashes at 8, 13,
// 18 and 23), so that text and bits convert back and forth; false otherwise.
bool ParseUuid(std::string_view text, Uuid* id);

// 64 random bits (not cryptographic), e.g. for receipt-handle keys.
uint64_t RandomUint64();

}  // namespace wharf::base_internal

#endif  // WHARF_BROKER_BASE_IDS_H_
