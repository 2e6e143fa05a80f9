// Small text helpers of wharf-bench.
//
// Thread safety: thread-safe.

#ifndef WHARF_BROKER_TOOLS_BENCH_TEXT_H_
#define WHARF_BROKER_TOOLS_BENCH_TEXT_H_

#include <string_view>

#include "absl/strings/string_view.h"

namespace wharf::bench {

// Debian's Abseil has its own string_view, which std::string_view does not
// convert to: pass std::string_view to absl::StrCat & co through this.
inline absl::string_view Absl(std::string_view s) { return absl::string_view(s.data(), s.size()); }

}  // namespace wharf::bench

#endif  // WHARF_BROKER_TOOLS_BENCH_TEXT_H_
