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
    // The durable target is an InprocTarget whose broker is opened with a
    // data directory; it waits for durable mode (issue #17).
    return absl::InvalidArgumentError(
        "target \"durable\" is not available in this build: durable mode (a broker opened with "
        "a data directory, issue #17) has not landed yet; use inproc or a URL");
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
  return absl::InvalidArgumentError(absl::StrCat(
      "unknown target \"", Absl(text), "\": expected inproc, noop or an http:// or https:// URL"));
}

}  // namespace wharf::bench
