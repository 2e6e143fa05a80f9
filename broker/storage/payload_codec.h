// Encoding of a message's optional parts (message attributes, AWSTraceHeader
// and their digests) as one blob of the messages table, and the Payload
// rebuilt from a stored row.
//
// The blob is a version byte (1) followed by length-prefixed fields (varint
// lengths); decoding checks every length against what is left, so a damaged
// blob is reported, never read past.
//
// Thread safety: the functions are pure and thread-safe.

#ifndef WHARF_BROKER_STORAGE_PAYLOAD_CODEC_H_
#define WHARF_BROKER_STORAGE_PAYLOAD_CODEC_H_

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "broker/base/payload.h"

namespace wharf::storage_internal {

// Appends the encoding of `attributes` to `out`.
void EncodePayloadAttributes(const base_internal::PayloadAttributes& attributes, std::string& out);

// The payload of a stored row. `attributes` is the blob above, or empty when
// the message has none. `md5` is the row's md5 column: empty since the body's
// MD5 is computed when read (base_internal::Payload), 16 bytes in files
// written before (the MD5 of the body, recomputed likewise). Fails with
// DataLoss on a damaged blob or md5 column.
absl::StatusOr<base_internal::PayloadRef> DecodePayload(std::string_view body, std::string_view md5,
                                                        std::string_view attributes);

}  // namespace wharf::storage_internal

#endif  // WHARF_BROKER_STORAGE_PAYLOAD_CODEC_H_
