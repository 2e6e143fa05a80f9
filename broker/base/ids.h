// Identifiers: random (version 4) UUIDs for message ids, request ids, etc.,
// and random 64-bit keys.
//
// Thread safety: thread-safe; each thread draws from its own generator, seeded
// from the OS, so no lock is taken and two brokers share no state.

#ifndef WHARF_BROKER_BASE_IDS_H_
#define WHARF_BROKER_BASE_IDS_H_

#include <cstdint>
#include <string>

namespace wharf::base_internal {

// "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx", lower-case hex, 36 chars.
std::string NewUuid();

// Writes a UUID into `out` (36 chars, no terminator). Allocation-free.
void NewUuid(char out[36]);

// 64 random bits (not cryptographic), e.g. for receipt-handle keys.
uint64_t RandomUint64();

}  // namespace wharf::base_internal

#endif  // WHARF_BROKER_BASE_IDS_H_
