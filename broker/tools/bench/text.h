// Small text helpers of wharf-bench.
//
// Thread safety: thread-safe.

#ifndef WHARF_BROKER_TOOLS_BENCH_TEXT_H_
#define WHARF_BROKER_TOOLS_BENCH_TEXT_H_

#include <string>
#include <string_view>

#include "absl/strings/string_view.h"

namespace wharf::bench {

// Debian's Abseil has its own string_view, which std::string_view does not
// convert to: pass std::string_view to absl::StrCat & co through this.
inline absl::string_view Absl(std::string_view s) { return absl::string_view(s.data(), s.size()); }

// Appends `s` as a JSON string literal (quotes and escapes).
inline void AppendJsonString(std::string_view s, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        if (c < 0x20) {
          out->append("\\u00");
          out->push_back(kHex[c >> 4]);
          out->push_back(kHex[c & 0xf]);
        } else {
          out->push_back(ch);
        }
    }
  }
  out->push_back('"');
}

}  // namespace wharf::bench

#endif  // WHARF_BROKER_TOOLS_BENCH_TEXT_H_
