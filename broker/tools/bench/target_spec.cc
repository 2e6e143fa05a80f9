#include "broker/tools/bench/target_spec.h"

#include "absl/strings/str_cat.h"
#include "broker/tools/bench/text.h"

namespace wharf::bench {

std::string TargetSpec::Name() const {
  switch (kind) {
    case Kind::kInproc:
      return "inproc";
    case Kind::kNoop:
      return "noop";
    case Kind::kDurable: {
      const char* name = sync_level == SyncLevel::kFull ? "durable-full" : "durable";
      return data_dir.empty() ? name : absl::StrCat(name, ":", data_dir);
    }
    case Kind::kUrl:
      return url;
  }
  return "";
}

absl::StatusOr<TargetSpec> ParseTargetSpec(std::string_view text) {
  TargetSpec spec;
  if (text == "inproc") return spec;
  if (text == "noop") {
    spec.kind = TargetSpec::Kind::kNoop;
    return spec;
  }
  for (std::string_view durable : {"durable-full", "durable"}) {
    if (!text.starts_with(durable)) continue;
    std::string_view rest = text.substr(durable.size());
    if (!rest.empty() && rest.front() != ':') continue;
    spec.kind = TargetSpec::Kind::kDurable;
    if (durable == "durable-full") spec.sync_level = SyncLevel::kFull;
    if (!rest.empty()) {
      spec.data_dir = std::string(rest.substr(1));
      if (spec.data_dir.empty()) {
        return absl::InvalidArgumentError(
            absl::StrCat("target \"", Absl(durable), ":\" names no directory: ", Absl(durable),
                         ":DIR, or ", Absl(durable), " for a temporary one"));
      }
    }
    return spec;
  }
  if (text.starts_with("http://") || text.starts_with("https://")) {
    std::string_view rest = text.substr(text.find("//") + 2);
    if (rest.empty() || rest.front() == '/' || rest.front() == ':') {
      return absl::InvalidArgumentError(
          absl::StrCat("target URL \"", Absl(text), "\" has no host"));
    }
    while (!text.empty() && text.back() == '/') text.remove_suffix(1);
    spec.kind = TargetSpec::Kind::kUrl;
    spec.url = std::string(text);
    return spec;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown target \"", Absl(text),
                   "\": expected inproc, noop, durable[:DIR], durable-full[:DIR] or an http:// or "
                   "https:// URL"));
}

}  // namespace wharf::bench
