// libFuzzer target for the HTTP parsing boundary: bytes as a connection
// delivers them -> HttpRequestReader (framing, limits) -> OriginPolicy
// (Host and Origin parsing). The first input byte chooses how the stream is
// split into reads; the rest is the stream. Checked on every input:
//   * the same requests come out whatever the split, and a stream refused
//     in one piece is refused in pieces (the split is compared with
//     parsing the whole stream at once);
//   * what the caller must buffer stays within the header limit plus one
//     read, and a body within its limit;
//   * a refusal is one of the statuses the reader documents.
// Any sanitizer report or a failed check aborts.
//
//   ninja -C build-fuzz http_parser_fuzzer
//   build-fuzz/tests/http/http_parser_fuzzer -max_total_time=30 \
//       /tmp/http-fuzz tests/http/http_fuzz_corpus

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "broker/http/http_parser.h"
#include "broker/http/origin_policy.h"

namespace wharf::http_internal {
namespace {

// Small limits, so that inputs reach them.
HttpLimits Limits() {
  HttpLimits limits;
  limits.max_request_line_bytes = 256;
  limits.max_header_bytes = 512;
  limits.max_header_count = 16;
  limits.max_body_bytes = 1024;
  return limits;
}

struct Outcome {
  HttpRequestReader::State state;
  int status;
  HttpRequest request;
  bool operator==(const Outcome& other) const {
    return state == other.state && status == other.status &&
           request.method == other.request.method && request.path == other.request.path &&
           request.query == other.request.query && request.headers == other.request.headers &&
           request.body == other.request.body &&
           request.body_too_large == other.request.body_too_large;
  }
};

void Check(bool condition) {
  if (!condition) std::abort();
}

// Reads every request of `stream` as a connection would, `step` bytes per
// read, until the stream ends or a request is refused.
std::vector<Outcome> ReadAll(std::string_view stream, size_t step) {
  const HttpLimits limits = Limits();
  HttpRequestReader reader(limits);
  std::vector<Outcome> out;
  std::string pending;
  size_t offered = 0;
  while (offered < stream.size()) {
    const size_t piece = std::min(step, stream.size() - offered);
    pending.append(stream.substr(offered, piece));
    offered += piece;
    while (!pending.empty() && reader.state() == HttpRequestReader::State::kNeedMore) {
      const size_t used = reader.Feed(pending);
      Check(used <= pending.size());
      pending.erase(0, used);
      if (reader.state() == HttpRequestReader::State::kComplete) {
        Outcome outcome{reader.state(), 0, reader.TakeRequest()};
        Check(outcome.request.body.size() <= limits.max_body_bytes);
        out.push_back(std::move(outcome));
        reader.Reset();
        continue;
      }
      if (used == 0) break;
    }
    if (reader.state() == HttpRequestReader::State::kFailed) {
      const int status = reader.failure_status();
      Check(status == 400 || status == 413 || status == 414 || status == 431);
      Outcome outcome{reader.state(), status, {}};
      if (status == 413) {
        outcome.request = reader.TakeRequest();
        Check(outcome.request.body_too_large && outcome.request.body.empty());
      }
      out.push_back(std::move(outcome));
      return out;
    }
    // Bounded buffering: an incomplete line never grows past the limit.
    Check(pending.size() <= limits.max_header_bytes + step);
  }
  return out;
}

}  // namespace
}  // namespace wharf::http_internal

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace wharf::http_internal;
  if (size < 1) return 0;
  const size_t step = 1 + data[0] % 64;
  const std::string_view stream(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::vector<Outcome> whole = ReadAll(stream, stream.size() + 1);
  const std::vector<Outcome> split = ReadAll(stream, step);
  // The same requests in the same order. Beast scans for the end of a
  // head before parsing it once a read left it incomplete, so a malformed
  // head is refused as soon as the whole stream is seen, but only at its
  // end (or at the header limit, with 431) when it arrives in pieces: the
  // verdict is a refusal either way, its status and moment may differ.
  Check(split.size() <= whole.size() && whole.size() <= split.size() + 1);
  for (size_t i = 0; i < split.size(); ++i) {
    if (split[i].state == HttpRequestReader::State::kFailed) {
      Check(whole[i].state == HttpRequestReader::State::kFailed && i + 1 == split.size());
    } else {
      Check(whole[i] == split[i]);
    }
  }
  if (whole.size() > split.size()) Check(whole.back().state == HttpRequestReader::State::kFailed);

  static const OriginPolicy policy({.bound_host = "127.0.0.1",
                                    .port = 4566,
                                    .allowed_hosts = {"wharf.internal"},
                                    .allowed_origins = {"http://localhost:3000"}});
  for (const Outcome& outcome : whole) {
    std::string cors;
    if (std::optional<HttpResponse> answer = policy.Screen(outcome.request, &cors)) {
      Check(answer->status == 204 || answer->status == 400 || answer->status == 403);
    }
  }
  return 0;
}
