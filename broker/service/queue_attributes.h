// Queue attributes (spec/sqs.md §2, §8): parsing the string map of
// CreateQueue/SetQueueAttributes into typed QueueSettings, validating names
// and values with the AWS error codes and messages, rendering them back for
// GetQueueAttributes, and deriving the engine's queue_internal::QueueConfig.
// Also the public sqs::QueueAttributes conversions (ToMap, FromMap), which
// share the RedrivePolicy parsers.
//
// RedrivePolicy and RedriveAllowPolicy are JSON documents; their syntax is
// checked here, while the checks that need other queues (the target exists,
// has the same type, allows this source) are the service's.
//
// Thread safety: all functions are pure and thread-safe.

#ifndef WHARF_BROKER_SERVICE_QUEUE_ATTRIBUTES_H_
#define WHARF_BROKER_SERVICE_QUEUE_ATTRIBUTES_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "broker/queue/queue_core.h"
#include "wharf/sqs.h"

namespace wharf::service_internal {

// The public types (wharf/sqs.h), which sqs::QueueAttributes converts.
using RedrivePolicy = sqs::RedrivePolicy;
using RedriveAllowPolicy = sqs::RedriveAllowPolicy;

// Parses a RedrivePolicy value. `json` empty means "remove" (nullopt).
// Errors: InvalidParameterValue with the §8 messages.
absl::StatusOr<std::optional<RedrivePolicy>> ParseRedrivePolicy(std::string_view json);
// {"deadLetterTargetArn":"...","maxReceiveCount":5}
std::string RenderRedrivePolicy(const RedrivePolicy& policy);

// Parses a RedriveAllowPolicy value; empty means "remove" (= allowAll).
absl::StatusOr<std::optional<RedriveAllowPolicy>> ParseRedriveAllowPolicy(std::string_view json);
std::string RenderRedriveAllowPolicy(const RedriveAllowPolicy& policy);

// Every user-settable attribute of a queue, typed, with the AWS defaults.
struct QueueSettings {
  bool fifo = false;
  int delay_seconds = 0;
  int maximum_message_size = 1048576;
  int message_retention_period = 345600;
  int receive_message_wait_time_seconds = 0;
  int visibility_timeout = 30;
  std::optional<std::string> policy;
  std::optional<RedrivePolicy> redrive_policy;
  std::optional<RedriveAllowPolicy> redrive_allow_policy;
  std::optional<std::string> kms_master_key_id;
  int kms_data_key_reuse_period_seconds = 300;
  bool sqs_managed_sse_enabled = true;
  // FIFO only.
  bool content_based_deduplication = false;
  std::string deduplication_scope = "queue";       // queue | messageGroup
  std::string fifo_throughput_limit = "perQueue";  // perQueue | perMessageGroupId
};

// Applies `attributes` on top of `settings`, validating every name and value
// for the queue type in `settings.fifo`. `creating` selects CreateQueue rules
// (FifoQueue was already consumed by the caller) versus SetQueueAttributes
// rules (FifoQueue cannot change). On error `settings` is unspecified.
// Errors: InvalidAttributeName, InvalidAttributeValue, InvalidParameterValue.
absl::Status ApplyAttributes(const sqs::AttributeMap& attributes, bool creating,
                             QueueSettings& settings);

// The wire value of settable attribute `name`, or nullopt when it is unset
// or does not apply to the queue type (e.g. Policy, FIFO-only attributes).
std::optional<std::string> RenderSetting(const QueueSettings& settings, std::string_view name);

// Names of the settable attributes, in the order GetQueueAttributes(All)
// considers them.
const std::vector<std::string_view>& SettableAttributeNames();

// Read-only attributes computed by the service.
bool IsReadOnlyAttributeName(std::string_view name);

// The engine configuration for these settings.
queue_internal::QueueConfig ToQueueConfig(const QueueSettings& settings, int max_inflight);

// Strict decimal integer (optional leading '-', digits only, at most 18).
std::optional<int64_t> ParseInteger(std::string_view text);

}  // namespace wharf::service_internal

#endif  // WHARF_BROKER_SERVICE_QUEUE_ATTRIBUTES_H_
