#include "broker/wire/router.h"

#include <optional>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "broker/base/ids.h"
#include "broker/wire/cbor_codec.h"
#include "broker/wire/content_encoding.h"
#include "broker/wire/form.h"
#include "broker/wire/json_codec.h"
#include "broker/wire/query_codec.h"
#include "broker/wire/sigv4.h"

namespace wharf::wire {
namespace {

// Inflates a body sent with "Content-Encoding: gzip" in place; the error
// to answer if it cannot be.
std::optional<WireError> InflateBody(HttpRequest& request, size_t max_bytes) {
  std::string encoding(request.Header("content-encoding"));
  absl::StripAsciiWhitespace(&encoding);
  if (!absl::EqualsIgnoreCase(encoding, "gzip")) return std::nullopt;
  std::string body;
  switch (Gunzip(request.body, max_bytes, &body)) {
    case InflateResult::kOk:
      request.body = std::move(body);
      return std::nullopt;
    case InflateResult::kTooLarge:
      return RequestTooLargeError(max_bytes);
    case InflateResult::kMalformed:
      break;
  }
  return SerializationError("The request body is not valid gzip (Content-Encoding: gzip).");
}

bool IsJsonContentType(std::string_view content_type) {
  return content_type.substr(0, 19) == "application/x-amz-j" ||
         content_type.substr(0, 16) == "application/json";
}

}  // namespace

void Router::Handle(HttpRequest request, Respond respond) const {
  char id_buffer[36];
  base_internal::NewUuid(id_buffer);
  const std::string_view request_id(id_buffer, sizeof(id_buffer));

  if (!request.body_too_large) {
    for (const PlainRoute& route : plain_) {
      if (route.path != request.path) continue;
      if (route.method == request.method) return std::move(respond)(route.handler(request));
      HttpResponse not_allowed;
      not_allowed.status = 405;
      not_allowed.content_type = "text/plain";
      not_allowed.headers.emplace_back("Allow", route.method);
      not_allowed.body = absl::StrCat(route.method, " only\n");
      return std::move(respond)(std::move(not_allowed));
    }
  }
  std::optional<WireError> refused;
  if (request.body_too_large) {
    refused = RequestTooLargeError(options_.max_body_bytes);
  } else if (options_.signatures) {
    refused = options_.signatures->Verify(request);
  }
  if (refused) return std::move(respond)(Unroutable(request, request_id, *refused));
  // After the signature, which covers the bytes as sent.
  if (std::optional<WireError> error = InflateBody(request, options_.max_body_bytes)) {
    return std::move(respond)(Unroutable(request, request_id, *error));
  }

  if (IsCborRequest(request)) return HandleCbor(std::move(request), request_id, std::move(respond));
  if (std::string target(request.Header("x-amz-target")); !target.empty()) {
    return HandleJson(std::move(request), request_id, target, std::move(respond));
  }
  for (const auto& rest : rest_) {
    if (const RestRoute* route = rest->Match(request.method, request.path)) {
      return rest->Serve(*route, std::move(request), request_id, std::move(respond));
    }
  }
  HandleQuery(std::move(request), request_id, std::move(respond));
}

void Router::HandleJson(HttpRequest request, std::string_view request_id, std::string_view target,
                        Respond respond) const {
  size_t dot = target.rfind('.');
  std::string_view prefix = target.substr(0, dot == std::string_view::npos ? 0 : dot);
  std::string_view operation = dot == std::string_view::npos ? target : target.substr(dot + 1);
  for (const auto& api : json_) {
    if (api->model().json_target_prefix != prefix) continue;
    if (!api->Has(operation)) {
      return std::move(respond)(
          RenderJsonError(api->model(), request_id, UnknownOperationError("action", operation)));
    }
    return ServeJson(*api, std::move(request), request_id, std::string(operation),
                     std::move(respond));
  }
  std::move(respond)(Unroutable(request, request_id, UnknownOperationError("target", target)));
}

void Router::HandleCbor(HttpRequest request, std::string_view request_id, Respond respond) const {
  // ".../service/<Service>/operation/<Operation>": a prefix is allowed.
  const std::string_view path = request.path;
  const size_t op_at = path.rfind("/operation/");
  const size_t service_at = op_at == std::string_view::npos || op_at == 0
                                ? std::string_view::npos
                                : path.rfind("/service/", op_at - 1);
  if (request.method != "POST" || service_at == std::string_view::npos || service_at + 9 > op_at) {
    return std::move(respond)(Unroutable(
        request, request_id,
        ErrorFor(ErrorCode::kInvalidAction,
                 "An RPC v2 CBOR request is a POST to /service/<Service>/operation/<Operation>.")));
  }
  const std::string_view service = path.substr(service_at + 9, op_at - service_at - 9);
  const std::string_view operation = path.substr(op_at + 11);
  for (const auto& api : cbor_) {
    if (api->model().json_target_prefix != service) continue;
    if (!api->Has(operation)) {
      return std::move(respond)(
          RenderCborError(api->model(), request_id, UnknownOperationError("action", operation)));
    }
    return ServeCbor(*api, std::move(request), request_id, std::string(operation),
                     std::move(respond));
  }
  std::move(respond)(Unroutable(request, request_id, UnknownOperationError("service", service)));
}

void Router::HandleQuery(HttpRequest request, std::string_view request_id, Respond respond) const {
  FormParams params;
  std::optional<WireError> error;
  if (!params.Parse(request.query)) {
    error = MalformedQueryStringError("The query string is malformed.");
  } else if (request.method == "POST" || request.method == "PUT") {
    if (IsJsonContentType(request.Header("content-type"))) {
      error = ErrorFor(ErrorCode::kInvalidAction,
                       "A JSON request must name its operation in the X-Amz-Target header.");
    } else if (!params.Parse(request.body)) {
      error = MalformedQueryStringError("The request body is malformed.");
    }
  }
  const std::string* action = params.Find("Action");
  if (!error && (action == nullptr || action->empty())) {
    error =
        ErrorFor(ErrorCode::kMissingParameter, "The request must contain the parameter Action.");
  }
  if (error) return std::move(respond)(Unroutable(request, request_id, *error));

  const Api* chosen = nullptr;
  std::string service;
  for (const auto& api : query_) {
    if (!api->Has(*action)) continue;
    if (chosen == nullptr) {
      chosen = api.get();
      continue;
    }
    // Two services know this action: the signature's scope decides.
    if (service.empty()) service = SigningService(request);
    if (api->model().signing_name == service) chosen = api.get();
  }
  if (chosen == nullptr) {
    return std::move(respond)(
        Unroutable(request, request_id, UnknownOperationError("action", *action)));
  }
  std::string name = *action;
  ServeQuery(*chosen, std::move(request), request_id, std::move(params), std::move(name),
             std::move(respond));
}

HttpResponse Router::Unroutable(const HttpRequest& request, std::string_view request_id,
                                const WireError& error) const {
  if (IsCborRequest(request)) {
    static constexpr ServiceModel kNoService;
    return RenderCborError(cbor_.empty() ? kNoService : cbor_.front()->model(), request_id, error);
  }
  bool json =
      request.HasHeader("x-amz-target") || IsJsonContentType(request.Header("content-type"));
  if (json && !json_.empty()) return RenderJsonError(json_.front()->model(), request_id, error);
  if (!json && !query_.empty()) return RenderQueryError(query_.front()->model(), request_id, error);
  return RenderXmlError(error, request_id, "");
}

}  // namespace wharf::wire
