#include "broker/service/events_checks.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "broker/base/aws_errors.h"

namespace wharf::service_internal::events_checks {

using base_internal::EventsConstraintError;

bool IsNameChars(std::string_view s, bool allow_slash) {
  for (char c : s) {
    if (absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_') {
      continue;
    }
    if (allow_slash && c == '/') continue;
    return false;
  }
  return true;
}

namespace {

absl::Status ConstraintErrors(std::string_view value, std::string_view path,
                              const std::vector<std::string>& constraints) {
  if (constraints.size() == 1) return EventsConstraintError(value, path, constraints[0]);
  std::vector<std::string> errors;
  for (const std::string& constraint : constraints) {
    errors.push_back(absl::StrCat("Value '", absl::string_view(value.data(), value.size()),
                                  "' at '", absl::string_view(path.data(), path.size()),
                                  "' failed to satisfy constraint: ", constraint));
  }
  return base_internal::EventsValidationError(absl::StrCat(
      constraints.size(), " validation errors detected: ", absl::StrJoin(errors, "; ")));
}

}  // namespace

absl::Status CheckMember(std::string_view value, std::string_view path, size_t min, size_t max,
                         bool valid, std::string_view pattern) {
  if (value.size() < min) {
    return EventsConstraintError(
        value, path, absl::StrCat("Member must have length greater than or equal to ", min));
  }
  // AWS reports each constraint the value fails, the pattern first
  // (LocalStack test_create_connection_validations, AWS-validated: a
  // connection name, constrained as rule names are).
  std::vector<std::string> failed;
  if (!valid) {
    failed.push_back(absl::StrCat("Member must satisfy regular expression pattern: ",
                                  absl::string_view(pattern.data(), pattern.size())));
  }
  if (value.size() > max) {
    failed.push_back(absl::StrCat("Member must have length less than or equal to ", max));
  }
  if (failed.empty()) return absl::OkStatus();
  return ConstraintErrors(value, path, failed);
}

absl::Status CheckName(std::string_view value, std::string_view path, size_t max,
                       bool allow_slash) {
  return CheckMember(value, path, 1, max, IsNameChars(value, allow_slash),
                     allow_slash ? "[/\\.\\-_A-Za-z0-9]+" : "[\\.\\-_A-Za-z0-9]+");
}

absl::Status CheckMaxLength(std::string_view value, std::string_view path, size_t max) {
  if (value.size() <= max) return absl::OkStatus();
  return EventsConstraintError(value, path,
                               absl::StrCat("Member must have length less than or equal to ", max));
}

absl::Status CheckLimit(const std::optional<int>& limit) {
  if (!limit.has_value() || (*limit >= 1 && *limit <= kMaxPageSize)) return absl::OkStatus();
  return EventsConstraintError(absl::StrCat(*limit), "limit",
                               *limit < 1 ? "Member must have value greater than or equal to 1"
                                          : "Member must have value less than or equal to 100");
}

size_t Utf8Chars(std::string_view s) {
  size_t n = 0;
  for (char c : s) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  }
  return n;
}

absl::Status CheckTags(const std::vector<events::Tag>& tags) {
  for (size_t i = 0; i < tags.size(); ++i) {
    std::string path = absl::StrCat("tags.", i + 1, ".member.");
    const events::Tag& tag = tags[i];
    if (tag.key.empty()) {
      return EventsConstraintError(tag.key, path + "key",
                                   "Member must have length greater than or equal to 1");
    }
    if (Utf8Chars(tag.key) > 128) {
      return EventsConstraintError(tag.key, path + "key",
                                   "Member must have length less than or equal to 128");
    }
    if (Utf8Chars(tag.value) > 256) {
      return EventsConstraintError(tag.value, path + "value",
                                   "Member must have length less than or equal to 256");
    }
  }
  return absl::OkStatus();
}

int64_t EntrySize(const events::PutEventsRequestEntry& entry) {
  int64_t size =
      static_cast<int64_t>(entry.source.size() + entry.detail_type.size() + entry.detail.size());
  for (const std::string& r : entry.resources) size += static_cast<int64_t>(r.size());
  if (entry.time.has_value()) size += 14;
  return size;
}

std::string_view AfterLast(std::string_view s, char c) {
  size_t pos = s.rfind(c);
  return pos == std::string_view::npos ? s : s.substr(pos + 1);
}

bus_internal::TagList ToTagList(const std::vector<events::Tag>& tags) {
  bus_internal::TagList out;
  out.reserve(tags.size());
  for (const events::Tag& tag : tags) out.emplace_back(tag.key, tag.value);
  return out;
}

}  // namespace wharf::service_internal::events_checks
