#include "broker/service/sqs_names.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "wharf/errors.h"

namespace wharf::service_internal {
namespace {

constexpr std::string_view kFifoSuffix = ".fifo";

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

absl::string_view AbslView(std::string_view s) { return absl::string_view(s.data(), s.size()); }

}  // namespace

std::optional<QueueAddress> ParseQueueUrl(std::string_view url) {
  std::string_view path = url;
  size_t scheme = url.find("://");
  if (scheme != std::string_view::npos) {
    size_t slash = url.find('/', scheme + 3);
    if (slash == std::string_view::npos) return std::nullopt;
    path = url.substr(slash);
  }
  if (path.empty() || path.front() != '/') return std::nullopt;
  path.remove_prefix(1);
  if (!path.empty() && path.back() == '/') path.remove_suffix(1);
  size_t slash = path.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == path.size()) {
    return std::nullopt;
  }
  std::string_view name = path.substr(slash + 1);
  if (name.find('/') != std::string_view::npos) return std::nullopt;
  return QueueAddress{path.substr(0, slash), name};
}

std::string MakeQueueUrl(std::string_view base, std::string_view account_id,
                         std::string_view name) {
  return absl::StrCat(AbslView(base), "/", AbslView(account_id), "/", AbslView(name));
}

std::string DefaultSqsUrlBase(std::string_view region) {
  return absl::StrCat("https://sqs.", AbslView(region), ".amazonaws.com");
}

std::string MakeQueueArn(std::string_view region, std::string_view account_id,
                         std::string_view name) {
  return absl::StrCat("arn:aws:sqs:", AbslView(region), ":", AbslView(account_id), ":",
                      AbslView(name));
}

bool IsValidQueueName(std::string_view name, bool fifo) {
  if (name.empty() || name.size() > 80) return false;
  std::string_view stem = name;
  if (fifo) {
    if (!absl::EndsWith(AbslView(name), AbslView(kFifoSuffix))) return false;
    stem.remove_suffix(kFifoSuffix.size());
    if (stem.empty()) return false;
  }
  for (char c : stem) {
    if (!IsNameChar(c)) return false;
  }
  return true;
}

absl::Status InvalidQueueNameError(bool fifo) {
  return MakeError(ErrorCode::kInvalidParameterValue,
                   fifo ? "The name of a FIFO queue can only include alphanumeric characters, "
                          "hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in "
                          "length"
                        : "Can only include alphanumeric characters, hyphens, or underscores. 1 "
                          "to 80 in length");
}

}  // namespace wharf::service_internal
