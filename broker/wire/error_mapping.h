// Error mapping: absl::Status (carrying a wharf::ErrorCode) to the AWS error
// a client expects, and its XML rendering (the JSON ones are json_codec's):
//
//   query (XML):  <ErrorResponse><Error><Type>Sender</Type><Code>Q</Code>
//                 <Message>..</Message><Detail/></Error><RequestId>..
//
// Errors that arise in the wire layer itself (malformed body, bad signature,
// oversized request) have no ErrorCode; WireError carries them directly.
//
// Thread safety: all functions are thread-safe.

#ifndef WHARF_BROKER_WIRE_ERROR_MAPPING_H_
#define WHARF_BROKER_WIRE_ERROR_MAPPING_H_

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "broker/wire/http_types.h"
#include "wharf/errors.h"

namespace wharf::wire {

struct WireError {
  int http_status = 400;
  std::string query_code;  // <Code> in XML; the x-amzn-query-error code.
  std::string json_type;   // JSON __type shape name (without prefix).
  Fault fault = Fault::kSender;
  std::string message;
};

// The row of errors.cc for `code`, with `message`.
WireError ErrorFor(ErrorCode code, std::string_view message);

// A failed status from a service. Statuses without a wharf code become
// InternalFailure (HTTP 500, Receiver) with their message.
WireError ErrorFromStatus(const absl::Status& status);

// An error of the endpoint rather than of a service (none of errors.cc):
// its status, its query code and its JSON __type.
WireError ProtocolError(int status, std::string_view query_code, std::string_view json_type,
                        std::string_view message);

// Wire-level errors shared by the protocols.
// A JSON body that does not parse or has a member of the wrong type.
WireError SerializationError(std::string_view message);
// Malformed url-encoding in a query-protocol request.
WireError MalformedQueryStringError(std::string_view message);
// A body over the endpoint's limit (HTTP 413).
WireError RequestTooLargeError(size_t limit);

// Adds "x-amzn-query-error: <QueryCode>;Sender|Receiver", which the SDKs of
// awsQuery-compatible services read from JSON and CBOR errors.
void AddQueryErrorHeader(const WireError& error, HttpResponse* response);

// `xmlns` e.g. "http://queue.amazonaws.com/doc/2012-11-05/"; `detail`: end
// the <Error> with an empty <Detail/> (SQS does, SNS does not).
HttpResponse RenderXmlError(const WireError& error, std::string_view request_id,
                            std::string_view xmlns, bool detail = true);

}  // namespace wharf::wire

#endif  // WHARF_BROKER_WIRE_ERROR_MAPPING_H_
