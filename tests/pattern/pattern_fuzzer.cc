// libFuzzer target for pattern and event parsing: never crash, whatever the
// bytes. Input layout: byte 0 picks the dialect; the rest is split at the
// first newline into a pattern and an event. The pattern is validated and
// added; if it is accepted, the event is matched as JSON, as SNS message
// attributes and as flattened fields.
//
// Built only with clang and -DWHARF_BUILD_FUZZ=ON (see tests/pattern/CMakeLists.txt):
//   ninja -C build-fuzz run_pattern_fuzzer

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "wharf/pattern.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const wharf::PatternDialect dialects[] = {wharf::PatternDialect::kEventBridge,
                                            wharf::PatternDialect::kSnsMessageAttributes,
                                            wharf::PatternDialect::kSnsMessageBody};
  const wharf::PatternDialect dialect = dialects[data[0] % 3];
  std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  size_t newline = rest.find('\n');
  std::string_view pattern = rest.substr(0, newline);
  std::string_view event = newline == std::string_view::npos ? "" : rest.substr(newline + 1);

  auto matcher = wharf::Matcher::Create(dialect);
  if (!matcher.ok()) __builtin_trap();
  if (!(*matcher)->Add("p", pattern).ok()) return 0;
  (void)(*matcher)->Add("q", R"({"a":[{"exists":false}]})");
  (void)(*matcher)->MatchJson(event);

  // The same bytes as attribute values and as flattened fields.
  std::vector<wharf::MessageAttributeRef> attributes = {
      {"a", "String.Array", event}, {"b", "Number", event}, {"c", "String", event}};
  (void)(*matcher)->MatchAttributes(attributes);
  wharf::FlatEvent flat;
  flat.AddString("a", event);
  flat.AddNumber("a", static_cast<double>(event.size()));
  (void)(*matcher)->Match(flat);
  return 0;
}
