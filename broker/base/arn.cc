#include "broker/base/arn.h"

#include <algorithm>

namespace wharf::base_internal {

std::optional<Arn> ParseArn(std::string_view arn) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (parts.size() < 5) {
    size_t colon = arn.find(':', start);
    if (colon == std::string_view::npos) return std::nullopt;
    parts.push_back(arn.substr(start, colon - start));
    start = colon + 1;
  }
  std::string_view resource = arn.substr(start);
  if (parts[0] != "arn" || parts[1].empty() || parts[2].empty() || resource.empty()) {
    return std::nullopt;
  }
  return Arn{std::string(parts[1]), std::string(parts[2]), std::string(parts[3]),
             std::string(parts[4]), std::string(resource)};
}

std::vector<std::string_view> ArnFields(std::string_view arn) {
  std::vector<std::string_view> fields;
  size_t start = 0;
  for (;;) {
    size_t colon = arn.find(':', start);
    if (colon == std::string_view::npos) {
      fields.push_back(arn.substr(start));
      return fields;
    }
    fields.push_back(arn.substr(start, colon - start));
    start = colon + 1;
  }
}

bool IsAwsAccountId(std::string_view id) {
  return id.size() == 12 &&
         std::all_of(id.begin(), id.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace wharf::base_internal
