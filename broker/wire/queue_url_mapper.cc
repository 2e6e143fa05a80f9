#include "broker/wire/queue_url_mapper.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"

namespace wharf::wire {
namespace {

// "/<account>/<name>" with both parts non-empty and no further '/'.
bool IsQueuePath(std::string_view path) {
  if (path.size() < 4 || path[0] != '/') return false;
  size_t slash = path.find('/', 1);
  if (slash == std::string_view::npos || slash == 1 || slash + 1 >= path.size()) return false;
  return path.find('/', slash + 1) == std::string_view::npos;
}

absl::string_view Absl(std::string_view s) { return absl::string_view(s.data(), s.size()); }

}  // namespace

QueueUrlMapper::QueueUrlMapper(std::string broker_base, std::string endpoint_base)
    : broker_base_(std::move(broker_base)), endpoint_base_(std::move(endpoint_base)) {}

std::string QueueUrlMapper::ToBroker(std::string_view url) const {
  size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return std::string(url);
  size_t path = url.find('/', scheme + 3);
  if (path == std::string_view::npos) return std::string(url);
  std::string_view rest = url.substr(path);
  if (!IsQueuePath(rest)) return std::string(url);
  return absl::StrCat(broker_base_, Absl(rest));
}

std::string QueueUrlMapper::ToClient(std::string_view url) const {
  if (url.size() > broker_base_.size() && url.substr(0, broker_base_.size()) == broker_base_ &&
      url[broker_base_.size()] == '/') {
    return absl::StrCat(endpoint_base_, Absl(url.substr(broker_base_.size())));
  }
  return std::string(url);
}

std::string QueueUrlMapper::FromPath(std::string_view path) const {
  if (!IsQueuePath(path)) return std::string();
  return absl::StrCat(broker_base_, Absl(path));
}

}  // namespace wharf::wire
