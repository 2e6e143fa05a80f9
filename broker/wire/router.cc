#include "broker/wire/router.h"

#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "broker/base/ids.h"
#include "broker/wire/error_mapping.h"
#include "broker/wire/form.h"
#include "broker/wire/sigv4.h"

namespace wharf::wire {
namespace {

absl::string_view Absl(std::string_view s) { return absl::string_view(s.data(), s.size()); }

bool IsJsonContentType(std::string_view content_type) {
  return content_type.substr(0, 19) == "application/x-amz-j" ||
         content_type.substr(0, 16) == "application/json";
}

}  // namespace

HttpResponse Router::Handle(const HttpRequest& request) const {
  char id[36];
  base_internal::NewUuid(id);
  RequestContext context{.http = request, .request_id = std::string_view(id, sizeof(id))};

  std::string_view target = request.Header("x-amz-target");
  if (request.body_too_large) {
    return Unroutable(context, RequestTooLargeError(options_.max_body_bytes));
  }
  if (options_.verify_signatures) {
    if (std::optional<WireError> error = VerifySigV4(request, options_.credentials)) {
      return Unroutable(context, *error);
    }
  }
  if (!target.empty()) return HandleJson(context, target);
  return HandleQuery(context);
}

HttpResponse Router::HandleJson(const RequestContext& context, std::string_view target) const {
  size_t dot = target.rfind('.');
  std::string_view prefix = target.substr(0, dot == std::string_view::npos ? 0 : dot);
  std::string_view operation = dot == std::string_view::npos ? target : target.substr(dot + 1);
  for (const auto& protocol : json_) {
    if (protocol->target_prefix() == prefix) return protocol->Handle(context, operation);
  }
  WireError error = ErrorFor(ErrorCode::kInvalidAction, absl::StrCat("The target ", Absl(target),
                                                                     " is not valid for this "
                                                                     "endpoint."));
  if (!json_.empty()) return json_.front()->RenderError(context, error);
  return Unroutable(context, error);
}

HttpResponse Router::HandleQuery(const RequestContext& context) const {
  FormParams params;
  if (!params.Parse(context.http.query)) {
    return Unroutable(context, MalformedQueryStringError("The query string is malformed."));
  }
  if (context.http.method == "POST" || context.http.method == "PUT") {
    std::string_view content_type = context.http.Header("content-type");
    if (IsJsonContentType(content_type)) {
      return Unroutable(context, ErrorFor(ErrorCode::kInvalidAction,
                                          "A JSON request must name its operation in the "
                                          "X-Amz-Target header."));
    }
    if (!params.Parse(context.http.body)) {
      return Unroutable(context, MalformedQueryStringError("The request body is malformed."));
    }
  }
  const std::string* action = params.Find("Action");
  if (action == nullptr || action->empty()) {
    return Unroutable(context, ErrorFor(ErrorCode::kMissingParameter,
                                        "The request must contain the parameter Action."));
  }
  const QueryProtocol* chosen = nullptr;
  std::string service;
  for (const auto& protocol : query_) {
    if (!protocol->HasAction(*action)) continue;
    if (chosen == nullptr) {
      chosen = protocol.get();
      continue;
    }
    // Two services know this action: the signature's scope decides.
    if (service.empty()) service = SigningService(context.http);
    if (protocol->signing_name() == service) chosen = protocol.get();
  }
  if (chosen == nullptr) {
    return Unroutable(context, ErrorFor(ErrorCode::kInvalidAction,
                                        absl::StrCat("The action ", *action,
                                                     " is not valid for this endpoint.")));
  }
  return chosen->Handle(context, *action, params);
}

HttpResponse Router::Unroutable(const RequestContext& context, const WireError& error) const {
  std::string_view content_type = context.http.Header("content-type");
  bool json = !context.http.Header("x-amz-target").empty() || IsJsonContentType(content_type);
  if (json && !json_.empty()) return json_.front()->RenderError(context, error);
  if (!json && !query_.empty()) return query_.front()->RenderError(context, error);
  return RenderXmlError(error, context.request_id, "");
}

}  // namespace wharf::wire
