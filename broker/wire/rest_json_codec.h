// The AWS REST-JSON protocol (Lambda, API Gateway, ...): an operation is a
// method and a path template ("GET /2015-03-31/functions/{FunctionName}");
// members come from the path's labels, from query-string parameters and
// headers the route names, and otherwise from the JSON body; the result is
// the JSON body, with the route's success status. Errors carry the
// "x-amzn-ErrorType: <Shape>" header and {"Type":"User"|"Server",
// "message":..} (what botocore and the JS SDK read the code from).
//
// A label matches one non-empty path segment ("{Name}") or, last in the
// template, the rest of the path ("{Key+}"); labels are percent-decoded.
// Members bound to labels, parameters and headers are read as strings or
// integers; lists, maps and structures come only from the body.
//
// Thread safety: RestJsonApi is immutable after construction; thread-safe.

#ifndef WHARF_BROKER_WIRE_REST_JSON_CODEC_H_
#define WHARF_BROKER_WIRE_REST_JSON_CODEC_H_

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "broker/wire/codec.h"
#include "broker/wire/http_types.h"

namespace wharf::wire {

struct RestRoute {
  std::string method;     // "GET"
  std::string path;       // "/2015-03-31/functions/{FunctionName}"
  std::string operation;  // "GetFunction"
  int status = 200;       // Of a successful answer (201 Created, 204 No Content).
  // member -> query-string parameter / header (lower case) it is read from.
  std::vector<std::pair<std::string, std::string>> query;
  std::vector<std::pair<std::string, std::string>> headers;
};

// One REST-JSON API: an operation table and the routes to its operations.
class RestJsonApi {
 public:
  // Every route's operation must be one `api` Has.
  RestJsonApi(std::shared_ptr<const Api> api, const std::vector<RestRoute>& routes);

  // The route `method` and `path` (raw, percent-encoded) take, or null.
  const RestRoute* Match(std::string_view method, std::string_view path) const;
  // Runs the operation of `route` (from Match) for `request`.
  void Serve(const RestRoute& route, HttpRequest request, std::string_view request_id,
             Respond respond) const;

 private:
  struct Template {
    RestRoute route;
    std::vector<std::string> segments;  // "functions", "{FunctionName}", "{Key+}".
  };
  // Matches `path` against `t`, filling (label, decoded value) pairs.
  static bool MatchPath(const Template& t, std::string_view path,
                        std::vector<std::pair<std::string, std::string>>* labels);

  std::shared_ptr<const Api> api_;
  std::vector<Template> templates_;
};

// An error in the REST-JSON protocol.
HttpResponse RenderRestJsonError(std::string_view request_id, const WireError& error);

}  // namespace wharf::wire

#endif  // WHARF_BROKER_WIRE_REST_JSON_CODEC_H_
