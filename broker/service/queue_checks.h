// Checks and error constructors of SQS queue message operations
// (QueueImpl): AWS's texts for parameters invalid for the queue type, id
// tokens, visibility timeouts, FIFO ids, and the request-level checks every
// batch call shares (spec §10).
//
// Thread safety: pure functions.

#ifndef WHARF_BROKER_SERVICE_QUEUE_CHECKS_H_
#define WHARF_BROKER_SERVICE_QUEUE_CHECKS_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "broker/service/message_validation.h"
#include "wharf/errors.h"
#include "wharf/sqs.h"

namespace wharf::service_internal::queue_checks {

inline constexpr size_t kMaxBatchEntries = 10;
inline constexpr size_t kMaxBatchBytes = 1048576;

absl::Status InvalidParameter(std::string message);
absl::Status NotValidForQueueType(std::string_view parameter, std::string_view value);
absl::Status MissingGroupId(bool in_batch);
absl::Status MissingDeduplicationId();
absl::Status VisibilityTimeoutOutOfRange(int value);
// The failed entry of a batch result for `status`.
sqs::BatchResultErrorEntry FailedEntry(const std::string& id, const absl::Status& status);

// The request-level checks every batch call shares (spec §10), in order.
template <typename Entry>
absl::Status CheckBatchEntries(const std::vector<Entry>& entries, std::string_view entry_type) {
  if (entries.empty()) {
    return MakeError(
        ErrorCode::kEmptyBatchRequest,
        absl::StrCat("There should be at least one ",
                     absl::string_view(entry_type.data(), entry_type.size()), " in the request."));
  }
  if (entries.size() > kMaxBatchEntries) {
    return MakeError(ErrorCode::kTooManyEntriesInBatchRequest,
                     absl::StrCat("Maximum number of entries per request are 10. You have sent ",
                                  entries.size(), "."));
  }
  for (const Entry& entry : entries) {
    if (!IsValidBatchEntryId(entry.id)) {
      return MakeError(ErrorCode::kInvalidBatchEntryId,
                       "A batch entry id can only contain alphanumeric characters, hyphens and "
                       "underscores. It can be at most 80 letters long.");
    }
  }
  // At most 45 comparisons of short ids: cheaper than hashing them. Valid
  // ids are not empty; the last characters (where "msg-1" and "msg-2"
  // differ) are compared before the call that compares the rest.
  for (size_t i = 1; i < entries.size(); ++i) {
    const std::string& id = entries[i].id;
    for (size_t j = 0; j < i; ++j) {
      const std::string& other = entries[j].id;
      if (id.size() == other.size() && id.back() == other.back() && id == other) {
        return MakeError(ErrorCode::kBatchEntryIdsNotDistinct,
                         absl::StrCat("Id ", id, " repeated."));
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace wharf::service_internal::queue_checks

#endif  // WHARF_BROKER_SERVICE_QUEUE_CHECKS_H_
