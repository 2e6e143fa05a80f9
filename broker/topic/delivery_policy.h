// Delivery retry policies (spec/sns.md §7): when a delivery to a "lambda"
// (in-process function) subscription fails, it is retried on the broker's
// clock with the delays a RetryPolicy gives, then dead-lettered.
//
// A policy has AWS's healthyRetryPolicy shape: after the first attempt,
// num_no_delay_retries immediate retries, then num_min_delay_retries at
// min_delay, then a back-off phase from min_delay to max_delay, then
// num_max_delay_retries at max_delay; num_retries in all.
//
// Thread safety: RetryPolicy is a value; functions are pure.

#ifndef WHARF_BROKER_TOPIC_DELIVERY_POLICY_H_
#define WHARF_BROKER_TOPIC_DELIVERY_POLICY_H_

#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace wharf::topic_internal {

struct RetryPolicy {
  enum class Backoff { kLinear, kArithmetic, kGeometric, kExponential };

  int num_retries = 0;
  int num_no_delay_retries = 0;
  int num_min_delay_retries = 0;
  int num_max_delay_retries = 0;
  absl::Duration min_delay = absl::Seconds(20);
  absl::Duration max_delay = absl::Seconds(20);
  Backoff backoff = Backoff::kLinear;

  // The delay before retry number `retry` (1-based; 1 <= retry <= num_retries).
  absl::Duration DelayBeforeRetry(int retry) const;

  friend bool operator==(const RetryPolicy&, const RetryPolicy&) = default;
};

// The policy of AWS-managed endpoints (SQS, Lambda), cut short for an
// in-process broker: 3 immediate retries, 2 after 1 s, then 10 with
// exponential back-off from 1 s to 20 s (AWS continues with 100,000 retries
// at 20 s, about 23 days; a process does not). 15 retries, ~90 s in all.
RetryPolicy ManagedEndpointRetryPolicy();

// Parses a DeliveryPolicy attribute value ({"healthyRetryPolicy":{...}}).
// Missing fields take AWS's HTTP defaults (3 retries, 20 s, linear); when
// there is no healthyRetryPolicy, returns `fallback`. Errors: InvalidArgument
// with a reason such as "DeliveryPolicy: numRetries must be between 0 and 100"
// (the service layer turns it into InvalidParameter).
absl::StatusOr<RetryPolicy> ParseDeliveryPolicy(std::string_view json, const RetryPolicy& fallback);

}  // namespace wharf::topic_internal

#endif  // WHARF_BROKER_TOPIC_DELIVERY_POLICY_H_
