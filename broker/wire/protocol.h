// The two kinds of AWS protocol a service plugs into the endpoint with:
//
//   QueryProtocol  form-encoded "Action=...&Version=..." requests answered in
//                  XML (SQS query, later SNS). Chosen by the Action name.
//   JsonProtocol   "X-Amz-Target: <Prefix>.<Operation>" requests with a JSON
//                  body (SQS JSON 1.0, later EventBridge JSON 1.1). Chosen by
//                  the target prefix.
//
// The Router owns one instance per protocol and service; adding a service to
// the endpoint is adding an implementation of one of these (its own file)
// and registering it in the Router.
//
// Thread safety: implementations must be thread-safe; Handle is called from
// many HTTP worker threads at once.

#ifndef WHARF_BROKER_WIRE_PROTOCOL_H_
#define WHARF_BROKER_WIRE_PROTOCOL_H_

#include <string>
#include <string_view>

#include "broker/wire/error_mapping.h"
#include "broker/wire/form.h"
#include "broker/wire/http_message.h"

namespace wharf::wire {

// What every handler gets besides its decoded input.
struct RequestContext {
  const HttpRequest& http;
  std::string_view request_id;  // Echoed as RequestId / x-amzn-RequestId.
};

class QueryProtocol {
 public:
  virtual ~QueryProtocol() = default;
  // The SigV4 signing name ("sqs"); decides between services that share an
  // action name (AddPermission exists in SQS and SNS).
  virtual std::string_view signing_name() const = 0;
  virtual bool HasAction(std::string_view action) const = 0;
  // Renders the error for a request whose Action is missing or unknown.
  virtual HttpResponse RenderError(const RequestContext& context, const WireError& error) const = 0;
  virtual HttpResponse Handle(const RequestContext& context, std::string_view action,
                              const FormParams& params) const = 0;
};

class JsonProtocol {
 public:
  virtual ~JsonProtocol() = default;
  // "AmazonSQS" for "X-Amz-Target: AmazonSQS.SendMessage".
  virtual std::string_view target_prefix() const = 0;
  virtual HttpResponse RenderError(const RequestContext& context, const WireError& error) const = 0;
  // `operation` is the part of the target after the prefix and '.'.
  virtual HttpResponse Handle(const RequestContext& context, std::string_view operation) const = 0;
};

}  // namespace wharf::wire

#endif  // WHARF_BROKER_WIRE_PROTOCOL_H_
