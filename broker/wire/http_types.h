// File: broker/wire/http_types.h
//
// The HTTP layer's request and response (broker/http) are the wire layer's
// vocabulary: every codec, the router and SigV4 take and give them.

#ifndef WHARF_BROKER_WIRE_HTTP_TYPES_H_
#define WHARF_BROKER_WIRE_HTTP_TYPES_H_

#include "broker/http/http_message.h"

namespace wharf::wire {

using http_internal::HttpRequest;
using http_internal::HttpResponse;
using http_internal::Respond;

}  // namespace wharf::wire

#endif  // WHARF_BROKER_WIRE_HTTP_TYPES_H_
