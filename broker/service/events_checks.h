// Parameter checks of the EventBridge service, shared by its files
// (events_service.cc, events_targets.cc, events_archives.cc), with the
// messages AWS returns (spec/eventbridge.md §9).
//
// Thread safety: pure functions.

#ifndef WHARF_BROKER_SERVICE_EVENTS_CHECKS_H_
#define WHARF_BROKER_SERVICE_EVENTS_CHECKS_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "broker/bus/bus_table.h"
#include "broker/service/pagination.h"
#include "wharf/events.h"

namespace wharf::service_internal::events_checks {

inline constexpr char kDefaultBus[] = "default";
inline constexpr int kMaxPageSize = 100;

// Every character is one of [.\-_A-Za-z0-9] (or '/', if allowed).
bool IsNameChars(std::string_view s, bool allow_slash);

// A name of 1..max chars of [.\-_A-Za-z0-9] (and '/' if allowed), else a
// ValidationException naming `path` and every constraint the name fails.
absl::Status CheckName(std::string_view value, std::string_view path, size_t max,
                       bool allow_slash = false);

// A member constraint of the model: min..max chars that `valid` accepts,
// else the Coral ValidationException naming `path` and every constraint the
// value fails, the pattern first ("1 validation error detected: ..." for
// one, "N validation errors detected: ...; ..." for several; too short is
// reported alone).
absl::Status CheckMember(std::string_view value, std::string_view path, size_t min, size_t max,
                         bool valid, std::string_view pattern);
absl::Status CheckMaxLength(std::string_view value, std::string_view path, size_t max);
// A List* Limit: 1-100 when set.
absl::Status CheckLimit(const std::optional<int>& limit);
// AWS's Tag shape: key 1-128 characters, value 0-256. The count (50 per
// resource) is checked where the tags land, since TagResource adds to the
// tags a resource has.
absl::Status CheckTags(const std::vector<events::Tag>& tags);

// Unicode characters (code points) of valid UTF-8 text.
size_t Utf8Chars(std::string_view s);

// Source + DetailType + Detail + each Resources entry, in UTF-8 bytes, plus 14
// when Time is set (AWS "Calculating PutEvents event entry size").
int64_t EntrySize(const events::PutEventsRequestEntry& entry);

// The text after the last `c` of `s` (all of `s` when there is none).
std::string_view AfterLast(std::string_view s, char c);

bus_internal::TagList ToTagList(const std::vector<events::Tag>& tags);

// Pages `items` (sorted by `key`). The token is the key of the first item of
// the next page.
template <typename T, typename KeyFn>
std::vector<T> PageOf(std::vector<T> items, const std::string& token,
                      const std::optional<int>& limit, const KeyFn& key, std::string* next_token) {
  Page<T> page = TakePage(std::move(items), key, token, PageStart::kAtKey,
                          static_cast<size_t>(limit.value_or(kMaxPageSize)));
  *next_token = std::move(page.next_key);
  return std::move(page.items);
}

}  // namespace wharf::service_internal::events_checks

#endif  // WHARF_BROKER_SERVICE_EVENTS_CHECKS_H_
