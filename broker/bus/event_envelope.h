// The EventBridge event envelope (spec/eventbridge.md §2.1): validation of a
// PutEvents entry's Detail and the envelope text in AWS key order.
//
//   {"version":"0","id":"…","detail-type":"…","source":"…","account":"…",
//    "time":"2026-01-15T12:34:56Z","region":"…",["replay-name":"…",]
//    "resources":[…],"detail":{…}}
//
// Thread safety: stateless functions; thread-safe.

#ifndef WHARF_BROKER_BUS_EVENT_ENVELOPE_H_
#define WHARF_BROKER_BUS_EVENT_ENVELOPE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"

namespace wharf::bus_internal {

// Checks that `detail` is a JSON object nested at most 1000 levels deep whose
// integers fit in a signed 64-bit integer, and writes its compact form to
// `*compact`. Returns false (MalformedDetail) otherwise. One pass, no DOM.
bool CompactDetail(std::string_view detail, std::string* compact);

// "YYYY-MM-DDThh:mm:ssZ" (UTC, whole seconds), as envelopes carry it.
std::string FormatEventTime(absl::Time t);

struct EnvelopeFields {
  std::string_view id;
  std::string_view detail_type;
  std::string_view source;
  std::string_view account;
  absl::Time time;
  std::string_view region;
  std::string_view replay_name;                         // Empty: not a replay.
  const std::vector<std::string>* resources = nullptr;  // Null: [].
  std::string_view compact_detail;                      // From CompactDetail.
};

// The envelope text, compact JSON, keys in AWS order.
std::string BuildEnvelope(const EnvelopeFields& fields);

// Returns `envelope` with "replay-name" inserted after "region" (replacing
// any there). REQUIRES: `envelope` was built by BuildEnvelope.
std::string WithReplayName(std::string_view envelope, std::string_view replay_name);

}  // namespace wharf::bus_internal

#endif  // WHARF_BROKER_BUS_EVENT_ENVELOPE_H_
