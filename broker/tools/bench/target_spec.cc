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
    case Kind::kDurable:
      return data_dir.empty() ? "durable" : absl::StrCat("durable:", data_dir);
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
  if (text == "durable" || text.starts_with("durable:")) {
    spec.kind = TargetSpec::Kind::kDurable;
    if (text.starts_with("durable:")) {
      spec.data_dir = std::string(text.substr(8));
      if (spec.data_dir.empty()) {
        return absl::InvalidArgumentError(
            "target \"durable:\" names no directory: durable:DIR, or durable for a temporary one");
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
                   "\": expected inproc, noop, durable[:DIR] or an http:// or https:// URL"));
}

}  // namespace wharf::bench
