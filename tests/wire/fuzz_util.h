// Checks shared by the wire fuzzers: every request is answered exactly once,
// with an AWS status, and the answer's body is valid UTF-8 JSON, a CBOR map
// or well-formed XML text, whatever bytes the request held.

#ifndef WHARF_TESTS_WIRE_FUZZ_UTIL_H_
#define WHARF_TESTS_WIRE_FUZZ_UTIL_H_

#include <optional>
#include <utility>

#include "broker/base/json.h"
#include "broker/base/text.h"
#include "broker/wire/cbor_codec.h"
#include "broker/wire/http_types.h"
#include "broker/wire/router.h"

namespace wharf::testing {

// Traps unless `response` has an AWS status and a well-formed body.
inline void CheckFuzzAnswer(const wire::HttpResponse& response) {
  if (response.status < 200 || response.status > 599) __builtin_trap();
  if (response.content_type == "text/xml") {
    if (!base_internal::IsXmlText(response.body)) __builtin_trap();
  } else if (response.content_type == "application/cbor") {
    if (!wire::IsCborMap(response.body)) __builtin_trap();
  } else if (response.status != 204) {
    rapidjson::Document doc;
    if (!base_internal::ParseJson<rapidjson::kParseValidateEncodingFlag>(response.body, &doc) ||
        !doc.IsObject()) {
      __builtin_trap();
    }
  }
}

// Handles `request` on a router whose services answer inline, checks the
// answer (CheckFuzzAnswer) and returns it.
inline wire::HttpResponse FuzzHandle(const wire::Router& router, wire::HttpRequest request) {
  std::optional<wire::HttpResponse> answer;
  router.Handle(std::move(request), [&](wire::HttpResponse response) {
    if (answer.has_value()) __builtin_trap();  // Answered twice.
    answer = std::move(response);
  });
  if (!answer.has_value()) __builtin_trap();  // The stub services answer inline.
  CheckFuzzAnswer(*answer);
  return std::move(*answer);
}

}  // namespace wharf::testing

#endif  // WHARF_TESTS_WIRE_FUZZ_UTIL_H_
