// Queue names, URLs and ARNs (spec/sqs.md §1.1).
//
// A queue URL is `<base>/<account-id>/<queue-name>`; the base (scheme and
// host) is treated as opaque, so URLs handed out by another endpoint, the AWS
// form and the legacy `https://<region>.queue.amazonaws.com` forms all
// resolve by (account, name). An ARN is `arn:<partition>:sqs:<region>:
// <account-id>:<queue-name>`.
//
// Thread safety: all functions are pure and thread-safe.

#ifndef WHARF_BROKER_SERVICE_SQS_NAMES_H_
#define WHARF_BROKER_SERVICE_SQS_NAMES_H_

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace wharf::service_internal {

// The (account, name) a queue URL designates; views into the parsed URL.
struct QueueAddress {
  std::string_view account_id;
  std::string_view name;
};

// Parses `[scheme://host]/<account>/<name>[/]`. Returns nullopt when the URL
// does not have that shape (the host, if any, is not checked).
std::optional<QueueAddress> ParseQueueUrl(std::string_view url);

// `<base>/<account>/<name>`; `base` has no trailing slash.
std::string MakeQueueUrl(std::string_view base, std::string_view account_id, std::string_view name);

// The default URL base: https://sqs.<region>.amazonaws.com
std::string DefaultSqsUrlBase(std::string_view region);

// arn:aws:sqs:<region>:<account>:<name>
std::string MakeQueueArn(std::string_view region, std::string_view account_id,
                         std::string_view name);

// True when `name` is a valid queue name for the type: 1-80 characters of
// [A-Za-z0-9_-], plus, for FIFO queues, the mandatory ".fifo" suffix (counted
// in the 80).
bool IsValidQueueName(std::string_view name, bool fifo);

// InvalidParameterValue with the AWS message for a bad name of that type.
absl::Status InvalidQueueNameError(bool fifo);

}  // namespace wharf::service_internal

#endif  // WHARF_BROKER_SERVICE_SQS_NAMES_H_
