// libFuzzer target for the REST-JSON codec, over the small table of
// tests/wire/things_api.h: the first byte picks the method, the first line is
// the path (and "?query"), the second line the value of a bound header, the
// rest the body. Every request must be answered exactly once with an AWS
// status and a valid UTF-8 JSON body (tests/wire/fuzz_util.h); any crash,
// sanitizer report or hang is a bug.
//
// Build and run (clang only):
//   CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DWHARF_BUILD_FUZZ=ON
//   ninja -C build-fuzz wire_rest_json_fuzzer
//   build-fuzz/tests/wire/wire_rest_json_fuzzer -max_total_time=30 -max_len=4096 \
//       /tmp/wharf-fuzz tests/wire/rest_json_fuzz_corpus

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "broker/wire/router.h"
#include "tests/wire/fuzz_util.h"
#include "tests/wire/things_api.h"

namespace {

constexpr std::string_view kMethods[] = {"GET", "POST", "PUT", "DELETE", "PATCH"};

// Cuts the first line off `rest`.
std::string_view Line(std::string_view* rest) {
  size_t eol = rest->find('\n');
  std::string_view line = rest->substr(0, eol);
  *rest = eol == std::string_view::npos ? std::string_view() : rest->substr(eol + 1);
  return line;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  // A fresh service per input keeps memory bounded whatever the inputs create.
  wharf::testing::ThingsService service;
  wharf::wire::Router router(wharf::wire::RouterOptions{});
  router.AddRestJson(wharf::testing::MakeThingsApi(service), wharf::testing::ThingsRoutes());

  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::string_view target = Line(&rest);
  std::string_view header = Line(&rest);
  wharf::wire::HttpRequest request;
  request.method = std::string(kMethods[data[0] % std::size(kMethods)]);
  size_t question = target.find('?');
  request.path = std::string(target.substr(0, question));
  if (question != std::string_view::npos) request.query = std::string(target.substr(question + 1));
  request.headers = {{"content-type", "application/json"},
                     {"x-amz-part-size", std::string(header)}};
  request.body = std::string(rest);
  // Twice, so that the second request meets what the first created.
  wharf::testing::FuzzHandle(router, request);
  wharf::testing::FuzzHandle(router, std::move(request));
  return 0;
}
