// The AWS JSON 1.0 / 1.1 protocols (SQS, EventBridge): "POST /",
// "X-Amz-Target: <Prefix>.<Operation>", a JSON body with the model's member
// names (absent or empty: no members), answered with a JSON object of the
// output shape (timestamps as epoch seconds). Errors are
// {"__type":"<prefix><Shape>","message":..} with the HTTP status of
// wharf/errors.h, plus "x-amzn-query-error: <QueryCode>;Sender" for
// awsQuery-compatible services (SQS).
//
// Decoding errors: a body that is not a JSON object, is nested deeper than
// base_internal::kMaxJsonDepth, or has a member of the wrong type is a
// SerializationException ("Member entries.1.member.detail must be a
// string."); a missing required member is the service's missing-member
// error. Every string written is valid UTF-8 (malformed bytes, which only
// query-protocol input can bring in, become U+FFFD).
//
// Thread safety: the functions are thread-safe.

#ifndef WHARF_BROKER_WIRE_JSON_CODEC_H_
#define WHARF_BROKER_WIRE_JSON_CODEC_H_

#include <simdjson.h>

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "broker/wire/codec.h"
#include "broker/wire/http_types.h"
#include "rapidjson/stringbuffer.h"
#include "rapidjson/writer.h"

namespace wharf::wire {

// Runs `operation` (which api Has) with the JSON body of `request`.
void ServeJson(const Api& api, HttpRequest request, std::string_view request_id,
               std::string operation, Respond respond);

// An error in the JSON protocol of `model`.
HttpResponse RenderJsonError(const ServiceModel& model, std::string_view request_id,
                             const WireError& error);

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

// Writes `text` as a JSON string (or key): as is when it is valid UTF-8, else
// with each malformed sequence replaced by U+FFFD.
void WriteJsonString(JsonWriter& writer, std::string_view text, bool key = false);

// An exchange whose request and result are JSON objects, for the codecs that
// carry JSON bodies (JSON 1.x, REST-JSON): the body is parsed on
// construction, output() writes the result object.
class JsonBodyExchange : public Exchange {
 public:
  JsonBodyExchange(HttpRequest request, std::string_view request_id, const ServiceModel& model,
                   Respond respond);
  ~JsonBodyExchange() override;

  // The members of the body (empty: none); null, with a SerializationException
  // recorded, when the body is not a JSON object.
  Input* body() { return body_.get(); }
  Output& output() override;

 protected:
  // The result written to output(), as a response (without a body for 204).
  HttpResponse RenderJson(int status, std::string_view content_type);

 private:
  simdjson::dom::parser parser_;
  std::unique_ptr<Input> body_;
  rapidjson::StringBuffer buffer_;
  JsonWriter writer_;
  std::unique_ptr<Output> output_;
  bool started_ = false;
};

// Runs `operation` of `api` in process, with `input` (a JSON object of its
// members) decoded as the JSON protocol decodes a body: the JSON object of
// the result, or the AWS error as InvalidArgument with the AWS message. For
// configuration files and tools; an operation that would answer later (a
// long poll) is FailedPrecondition.
absl::StatusOr<std::string> CallOperation(const Api& api, std::string_view operation,
                                          std::string input);

}  // namespace wharf::wire

#endif  // WHARF_BROKER_WIRE_JSON_CODEC_H_
