// events::ParseEvent: reads an EventBridge event envelope (spec/eventbridge.md
// §2.1) back into its fields.

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "broker/bus/event_envelope.h"
#include "simdjson.h"
#include "wharf/events.h"

namespace wharf::events {
namespace {

namespace od = simdjson::ondemand;

absl::string_view Sv(std::string_view s) { return absl::string_view(s.data(), s.size()); }

absl::Status Malformed(std::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("not an EventBridge event: ", Sv(what)));
}

absl::Status GetString(od::value value, std::string_view key, std::string& out) {
  std::string_view text;
  if (value.get_string().get(text) != simdjson::SUCCESS) {
    return Malformed(absl::StrCat(Sv(key), " is not a string"));
  }
  out.assign(text.data(), text.size());
  return absl::OkStatus();
}

absl::Status GetResources(od::value value, std::vector<std::string>& out) {
  od::array array;
  if (value.get_array().get(array) != simdjson::SUCCESS) {
    return Malformed("resources is not an array");
  }
  for (auto item : array) {
    std::string_view text;
    if (item.get_string().get(text) != simdjson::SUCCESS) {
      return Malformed("resources holds a value that is not a string");
    }
    out.emplace_back(text);
  }
  return absl::OkStatus();
}

// The detail object's text as written, then compacted (numbers keep their
// spelling).
absl::Status GetDetail(od::value value, std::string& out) {
  od::object object;
  std::string_view raw;
  if (value.get_object().get(object) != simdjson::SUCCESS ||
      object.raw_json().get(raw) != simdjson::SUCCESS || !bus_internal::CompactDetail(raw, &out)) {
    return Malformed("detail is not a JSON object");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Event> ParseEvent(std::string_view json) {
  simdjson::padded_string padded(json);
  // The DOM pass checks the whole text (it rejects anything after the
  // object); the on-demand pass below reads the fields, and the detail
  // object's text as written.
  simdjson::dom::parser checker;
  simdjson::dom::element root;
  if (checker.parse(padded).get(root) != simdjson::SUCCESS || !root.is_object()) {
    return Malformed("not a JSON object");
  }
  od::parser parser;
  od::document document;
  od::object object;
  if (parser.iterate(padded).get(document) != simdjson::SUCCESS ||
      document.get_object().get(object) != simdjson::SUCCESS) {
    return Malformed("not a JSON object");
  }
  Event out;
  std::string time;
  constexpr std::string_view kRequired[] = {"id",   "detail-type", "source", "account",
                                            "time", "region",      "detail"};
  bool seen[std::size(kRequired)] = {};
  for (auto field : object) {
    std::string_view key;
    if (field.unescaped_key().get(key) != simdjson::SUCCESS) return Malformed("not JSON");
    od::value value;
    if (field.value().get(value) != simdjson::SUCCESS) return Malformed("not JSON");
    for (size_t i = 0; i < std::size(kRequired); ++i) {
      if (key == kRequired[i]) seen[i] = true;
    }
    absl::Status s;
    if (key == "version") {
      s = GetString(value, key, out.version);
    } else if (key == "id") {
      s = GetString(value, key, out.id);
    } else if (key == "detail-type") {
      s = GetString(value, key, out.detail_type);
    } else if (key == "source") {
      s = GetString(value, key, out.source);
    } else if (key == "account") {
      s = GetString(value, key, out.account);
    } else if (key == "time") {
      s = GetString(value, key, time);
    } else if (key == "region") {
      s = GetString(value, key, out.region);
    } else if (key == "replay-name") {
      s = GetString(value, key, out.replay_name);
    } else if (key == "resources") {
      s = GetResources(value, out.resources);
    } else if (key == "detail") {
      s = GetDetail(value, out.detail);
    }
    if (!s.ok()) return s;
  }
  for (size_t i = 0; i < std::size(kRequired); ++i) {
    if (!seen[i]) return Malformed(absl::StrCat(Sv(kRequired[i]), " is missing"));
  }
  std::string error;
  if (!absl::ParseTime("%Y-%m-%dT%H:%M:%E*SZ", time, absl::UTCTimeZone(), &out.time, &error)) {
    return Malformed(absl::StrCat("time ", time, " is not an ISO-8601 UTC time"));
  }
  return out;
}

}  // namespace wharf::events
