#include "broker/wire/codec.h"

#include <charconv>
#include <climits>
#include <cmath>
#include <cstdint>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace wharf::wire {
namespace {

absl::string_view Absl(std::string_view s) { return absl::string_view(s.data(), s.size()); }

}  // namespace

std::string LowerFirst(std::string_view name) {
  std::string out(name);
  if (!out.empty()) out[0] = absl::ascii_tolower(static_cast<unsigned char>(out[0]));
  return out;
}

WireError UnknownOperationError(std::string_view what, std::string_view name) {
  return ErrorFor(ErrorCode::kInvalidAction, absl::StrCat("The ", Absl(what), " ", Absl(name),
                                                          " is not valid for this endpoint."));
}

bool TimestampFromSeconds(double seconds, absl::Time* out) {
  if (!std::isfinite(seconds) || std::fabs(seconds) > 1e12) return false;
  *out = absl::FromUnixMicros(static_cast<int64_t>(std::llround(seconds * 1e6)));
  return true;
}

std::string FormatDouble(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "Infinity" : "-Infinity";
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value);
  std::string out(buf, ec == std::errc() ? end : buf);
  if (out.find_first_of(".e") == std::string::npos) out += ".0";
  return out;
}

bool ParseTimestamp(std::string_view text, absl::Time* out) {
  double seconds = 0;
  if (absl::SimpleAtod(Absl(text), &seconds)) return TimestampFromSeconds(seconds, out);
  std::string error;
  return absl::ParseTime(absl::RFC3339_full, Absl(text), out, &error);
}

// ---- Input ------------------------------------------------------------------

bool Input::Fail(WireError error) {
  if (!state_->error) state_->error = std::move(error);
  return false;
}

std::string Input::PathOf(Name name) const { return path_ + LowerFirst(name.json); }

bool Input::Missing(Name name, std::string_view protocol_name) {
  const ErrorCode code = model().missing;
  if (code == ErrorCode::kMissingParameter) {
    return Fail(ErrorFor(
        code, absl::StrCat("The request must contain the parameter ", Absl(protocol_name), ".")));
  }
  return Fail(
      ErrorFor(code, absl::StrCat("1 validation error detected: Value null at '", PathOf(name),
                                  "' failed to satisfy constraint: Member must not be "
                                  "null")));
}

bool Input::WrongType(Name name, std::string_view expected) {
  return Fail(
      SerializationError(absl::StrCat("Member ", PathOf(name), " must be ", Absl(expected), ".")));
}

bool Input::StoreInt32(Name name, bool ok, int64_t value, std::optional<int>* out) {
  const bool in_range = value >= INT_MIN && value <= INT_MAX;
  if (ok && !in_range && model().query_compatible) {
    return Fail(ErrorFor(model().invalid_value,
                         absl::StrCat("Value ", value, " for parameter ", Absl(name.json),
                                      " is invalid. Reason: Must be a 32-bit integer.")));
  }
  if (!ok || !in_range) return WrongType(name, "a 32-bit integer");
  *out = static_cast<int>(value);
  return true;
}

// ---- Exchange ---------------------------------------------------------------

Exchange::Exchange(HttpRequest request, std::string_view request_id, const ServiceModel& model,
                   Respond respond)
    : request_(std::move(request)),
      request_id_(request_id),
      decode_(model),
      respond_(std::move(respond)) {}

Exchange::~Exchange() = default;

void Exchange::ReplyIfUnanswered() {
  if (respond_) Reply(ErrorFor(ErrorCode::kInternalFailure, "The request was not answered."));
}

void Exchange::Send(HttpResponse response) {
  Respond respond = std::move(respond_);
  respond_ = nullptr;
  if (respond) std::move(respond)(std::move(response));
}

void Exchange::Reply() { Send(RenderResult()); }

std::string QualifiedErrorType(const ServiceModel& model, const WireError& error) {
  if (error.json_type.find('#') != std::string::npos) return error.json_type;
  std::string type(model.json_type_prefix);
  type += error.json_type;
  return type;
}

WireError Exchange::JsonProtocolError(WireError error) const {
  if (model().query_status_needs_query_mode && error.http_status < 500 &&
      request().Header("x-amzn-query-mode") != "true") {
    error.http_status = 400;
  }
  return error;
}

void Exchange::Reply(const WireError& error) { Send(RenderError(error)); }

void Exchange::Reply(const absl::Status& status) {
  WireError error = ErrorFromStatus(status);
  if (std::optional<ErrorCode> code = GetErrorCode(status)) AdjustServiceError(*code, &error);
  Reply(error);
}

void Exchange::ReplyDecodeError() {
  Reply(decode_.error ? *decode_.error
                      : ErrorFor(ErrorCode::kInternalFailure, "The request could not be decoded."));
}

}  // namespace wharf::wire
