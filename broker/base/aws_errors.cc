#include "broker/base/aws_errors.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "wharf/errors.h"

namespace wharf::base_internal {
namespace {

absl::string_view Sv(std::string_view s) { return absl::string_view(s.data(), s.size()); }

}  // namespace

absl::Status QueueDoesNotExistError() {
  return MakeError(ErrorCode::kQueueDoesNotExist, "The specified queue does not exist.");
}

absl::Status InvalidIdTokenError(std::string_view parameter, std::string_view value) {
  absl::string_view p(parameter.data(), parameter.size());
  return MakeError(ErrorCode::kInvalidParameterValue,
                   absl::StrCat("Value ", absl::string_view(value.data(), value.size()),
                                " for parameter ", p, " is invalid. Reason: ", p,
                                " can only include alphanumeric and punctuation characters. 1 "
                                "to 128 in length."));
}

absl::Status TopicNotFoundError() {
  return MakeError(ErrorCode::kSnsNotFound, "Topic does not exist");
}

absl::Status SubscriptionNotFoundError() {
  return MakeError(ErrorCode::kSnsNotFound, "Subscription does not exist");
}

absl::Status SnsResourceNotFoundError() {
  return MakeError(ErrorCode::kSnsResourceNotFound, "Resource does not exist");
}

absl::Status EventBusNotFoundError(std::string_view bus) {
  return MakeError(ErrorCode::kEventsResourceNotFound,
                   absl::StrCat("Event bus ", Sv(bus), " does not exist."));
}

absl::Status RuleNotFoundError(std::string_view rule, std::string_view bus) {
  return MakeError(ErrorCode::kEventsResourceNotFound,
                   absl::StrCat("Rule ", Sv(rule), " does not exist on EventBus ", Sv(bus), "."));
}

absl::Status ArchiveNotFoundError(std::string_view name) {
  return MakeError(ErrorCode::kEventsResourceNotFound,
                   absl::StrCat("Archive ", Sv(name), " does not exist."));
}

absl::Status ReplayNotFoundError(std::string_view name) {
  return MakeError(ErrorCode::kEventsResourceNotFound,
                   absl::StrCat("Replay ", Sv(name), " does not exist."));
}

absl::Status EventsAlreadyExistsError(std::string_view kind, std::string_view name) {
  return MakeError(ErrorCode::kEventsResourceAlreadyExists,
                   absl::StrCat(Sv(kind), " ", Sv(name), " already exists."));
}

absl::Status EventsLimitExceededError() {
  return MakeError(ErrorCode::kEventsLimitExceeded,
                   "The requested resource exceeds the maximum number allowed.");
}

absl::Status EventsValidationError(std::string_view message) {
  return MakeError(ErrorCode::kEventsValidation, message);
}

absl::Status EventsConstraintError(std::string_view value, std::string_view path,
                                   std::string_view constraint) {
  return EventsValidationError(absl::StrCat("1 validation error detected: Value '", Sv(value),
                                            "' at '", Sv(path),
                                            "' failed to satisfy constraint: ", Sv(constraint)));
}

}  // namespace wharf::base_internal
