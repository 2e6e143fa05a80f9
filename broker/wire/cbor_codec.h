// Smithy RPC v2 CBOR (CloudWatch, as the AWS SDKs for C++, Go, Java 2.x,
// .NET, Kotlin and Swift speak it): "POST .../service/<Service>/operation/
// <Operation>" with "smithy-protocol: rpc-v2-cbor", a CBOR map of the model's
// member names as the body (absent or empty: no members), answered with a
// CBOR map of the output shape and the same header. Timestamps are tag 1
// (epoch seconds); errors are {"__type":"<prefix><Shape>","message":..}, plus
// "x-amzn-query-error: <QueryCode>;Sender" for awsQuery-compatible services.
// <Service> is the model's json_target_prefix (the service shape's name).
//
// Decoding: RFC 8949 items of every length form (indefinite ones included),
// half, single and double floats; a body that is not one well-formed map, is
// nested deeper than kMaxCborDepth, has a text string that is not UTF-8, a
// map key that is not text, or a tag other than 1, is a
// SerializationException, as is a member of the wrong type; null and
// undefined are absent. Declared lengths are never trusted for allocation:
// every item costs at least one byte of the body, which the HTTP layer bounds.
//
// Thread safety: the functions are thread-safe.

#ifndef WHARF_BROKER_WIRE_CBOR_CODEC_H_
#define WHARF_BROKER_WIRE_CBOR_CODEC_H_

#include <string>
#include <string_view>

#include "broker/wire/codec.h"
#include "broker/wire/http_types.h"

namespace wharf::wire {

inline constexpr int kMaxCborDepth = 128;

// Runs `operation` (which api Has) with the CBOR body of `request`.
void ServeCbor(const Api& api, HttpRequest request, std::string_view request_id,
               std::string operation, Respond respond);

// An error in the RPC v2 CBOR protocol of `model`.
HttpResponse RenderCborError(const ServiceModel& model, std::string_view request_id,
                             const WireError& error);

// Whether `request` says it speaks RPC v2 CBOR (its smithy-protocol header).
bool IsCborRequest(const HttpRequest& request);

// Whether `bytes` is exactly one map this codec decodes (every body it
// writes is one); for tests and fuzzers.
bool IsCborMap(std::string_view bytes);

}  // namespace wharf::wire

#endif  // WHARF_BROKER_WIRE_CBOR_CODEC_H_
