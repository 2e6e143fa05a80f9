#include "broker/wire/error_mapping.h"

#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "broker/wire/xml_writer.h"

namespace wharf::wire {

WireError ErrorFor(ErrorCode code, std::string_view message) {
  const ErrorInfo& info = GetErrorInfo(code);
  WireError error;
  error.http_status = info.http_status;
  error.query_code = std::string(info.query_code);
  error.json_type = std::string(info.json_type);
  error.fault = info.fault;
  error.message = std::string(message);
  return error;
}

WireError ErrorFromStatus(const absl::Status& status) {
  std::optional<ErrorCode> code = GetErrorCode(status);
  return ErrorFor(code.value_or(ErrorCode::kInternalFailure), std::string(status.message()));
}

WireError ProtocolError(int status, std::string_view query_code, std::string_view json_type,
                        std::string_view message) {
  WireError error;
  error.http_status = status;
  error.query_code = std::string(query_code);
  error.json_type = std::string(json_type);
  error.message = std::string(message);
  return error;
}

WireError SerializationError(std::string_view message) {
  return ProtocolError(400, "SerializationException", "SerializationException", message);
}

WireError MalformedQueryStringError(std::string_view message) {
  return ProtocolError(400, "MalformedQueryString", "MalformedQueryString", message);
}

WireError RequestTooLargeError(size_t limit) {
  return ProtocolError(413, "RequestEntityTooLarge", "RequestEntityTooLarge",
                       absl::StrCat("Request body must not be longer than ", limit, " bytes."));
}

void AddQueryErrorHeader(const WireError& error, HttpResponse* response) {
  response->headers.emplace_back(
      "x-amzn-query-error",
      absl::StrCat(error.query_code, ";", error.fault == Fault::kSender ? "Sender" : "Receiver"));
}

HttpResponse RenderXmlError(const WireError& error, std::string_view request_id,
                            std::string_view xmlns, bool detail) {
  HttpResponse response;
  response.status = error.http_status;
  response.content_type = "text/xml";
  std::string& out = response.body;
  out.reserve(256 + error.message.size());
  XmlWriter xml(&out);
  xml.Declaration();
  xml.Open("ErrorResponse", xmlns);
  xml.Open("Error");
  xml.Element("Type", error.fault == Fault::kSender ? "Sender" : "Receiver");
  xml.Element("Code", error.query_code);
  // AWS leaves out an empty one (CloudWatch's ResourceNotFound from
  // SetAlarmState: LocalStack test_set_alarm_invalid_input, AWS-validated).
  if (!error.message.empty()) xml.Element("Message", error.message);
  if (detail) xml.Empty("Detail");
  xml.Close("Error");
  xml.Element("RequestId", request_id);
  xml.Close("ErrorResponse");
  response.headers.emplace_back("x-amzn-RequestId", std::string(request_id));
  return response;
}

}  // namespace wharf::wire
