// The request bodies SDKs compress: Content-Encoding: gzip, which current
// AWS SDKs set on CloudWatch PutMetricData once its body reaches 10 KiB
// (the requestCompression trait). The router inflates such a body after the
// signature check (which covers the compressed bytes) and before decoding.
//
// Thread safety: the function is thread-safe.

#ifndef WHARF_BROKER_WIRE_CONTENT_ENCODING_H_
#define WHARF_BROKER_WIRE_CONTENT_ENCODING_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace wharf::wire {

enum class InflateResult { kOk, kMalformed, kTooLarge };

// The gzip stream `in` (one or more members, RFC 1952) inflated into *out,
// stopping (kTooLarge) as soon as the output would pass `max_bytes`: a
// small body cannot become a large one. Linear in the output.
InflateResult Gunzip(std::string_view in, size_t max_bytes, std::string* out);

}  // namespace wharf::wire

#endif  // WHARF_BROKER_WIRE_CONTENT_ENCODING_H_
