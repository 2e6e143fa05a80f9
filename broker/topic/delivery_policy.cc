#include "broker/topic/delivery_policy.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "absl/strings/str_cat.h"
#include "broker/base/json.h"
#include "rapidjson/document.h"

namespace wharf::topic_internal {

absl::Duration RetryPolicy::DelayBeforeRetry(int retry) const {
  if (retry <= num_no_delay_retries) return absl::ZeroDuration();
  retry -= num_no_delay_retries;
  if (retry <= num_min_delay_retries) return min_delay;
  retry -= num_min_delay_retries;
  int backoff_retries =
      num_retries - num_no_delay_retries - num_min_delay_retries - num_max_delay_retries;
  if (retry > backoff_retries) return max_delay;
  // Position in the back-off phase, in (0, 1]: the last back-off retry waits
  // max_delay.
  double t = static_cast<double>(retry) / backoff_retries;
  double f = t;
  switch (backoff) {
    case Backoff::kLinear:
      f = t;
      break;
    case Backoff::kArithmetic:
      f = t * t;
      break;
    case Backoff::kGeometric:
      f = t * t * t;
      break;
    case Backoff::kExponential:
      f = (std::exp(5 * t) - 1) / (std::exp(5.0) - 1);
      break;
  }
  absl::Duration d = min_delay + (max_delay - min_delay) * f;
  return absl::Trunc(std::max(d, min_delay), absl::Milliseconds(1));
}

RetryPolicy ManagedEndpointRetryPolicy() {
  RetryPolicy p;
  p.num_retries = 15;
  p.num_no_delay_retries = 3;
  p.num_min_delay_retries = 2;
  p.num_max_delay_retries = 0;
  p.min_delay = absl::Seconds(1);
  p.max_delay = absl::Seconds(20);
  p.backoff = RetryPolicy::Backoff::kExponential;
  return p;
}

namespace {

absl::Status Invalid(std::string reason) {
  return absl::InvalidArgumentError(absl::StrCat("DeliveryPolicy: ", reason));
}

absl::StatusOr<int> IntField(const rapidjson::Value& obj, const char* name, int def, int lo,
                             int hi) {
  auto it = obj.FindMember(name);
  if (it == obj.MemberEnd()) return def;
  if (!it->value.IsInt()) return Invalid(absl::StrCat(name, " must be an integer"));
  int v = it->value.GetInt();
  if (v < lo || v > hi) return Invalid(absl::StrCat(name, " must be between ", lo, " and ", hi));
  return v;
}

}  // namespace

absl::StatusOr<RetryPolicy> ParseDeliveryPolicy(std::string_view json,
                                                const RetryPolicy& fallback) {
  rapidjson::Document doc;
  if (!base_internal::ParseJson(json, &doc) || !doc.IsObject()) {
    return Invalid("failed to parse JSON");
  }
  rapidjson::Value::ConstMemberIterator healthy = doc.FindMember("healthyRetryPolicy");
  if (healthy == doc.MemberEnd()) return fallback;
  const rapidjson::Value& h = healthy->value;
  if (!h.IsObject()) return Invalid("healthyRetryPolicy must be an object");
  RetryPolicy p;
  auto get = [&](const char* name, int def, int lo, int hi, int* out) -> absl::Status {
    absl::StatusOr<int> v = IntField(h, name, def, lo, hi);
    if (!v.ok()) return v.status();
    *out = *v;
    return absl::OkStatus();
  };
  int min_delay = 20, max_delay = 20;
  for (absl::Status s : {get("numRetries", 3, 0, 100, &p.num_retries),
                         get("numNoDelayRetries", 0, 0, 100, &p.num_no_delay_retries),
                         get("numMinDelayRetries", 0, 0, 100, &p.num_min_delay_retries),
                         get("numMaxDelayRetries", 0, 0, 100, &p.num_max_delay_retries),
                         get("minDelayTarget", 20, 1, 3600, &min_delay),
                         get("maxDelayTarget", 20, 1, 3600, &max_delay)}) {
    if (!s.ok()) return s;
  }
  if (min_delay > max_delay) return Invalid("minDelayTarget must be <= maxDelayTarget");
  if (p.num_no_delay_retries + p.num_min_delay_retries + p.num_max_delay_retries > p.num_retries) {
    return Invalid(
        "numNoDelayRetries + numMinDelayRetries + numMaxDelayRetries must be <= numRetries");
  }
  p.min_delay = absl::Seconds(min_delay);
  p.max_delay = absl::Seconds(max_delay);
  auto backoff = h.FindMember("backoffFunction");
  if (backoff != h.MemberEnd()) {
    std::string b = backoff->value.IsString() ? backoff->value.GetString() : "";
    if (b == "linear") {
      p.backoff = RetryPolicy::Backoff::kLinear;
    } else if (b == "arithmetic") {
      p.backoff = RetryPolicy::Backoff::kArithmetic;
    } else if (b == "geometric") {
      p.backoff = RetryPolicy::Backoff::kGeometric;
    } else if (b == "exponential") {
      p.backoff = RetryPolicy::Backoff::kExponential;
    } else {
      return Invalid("backoffFunction must be one of linear, arithmetic, geometric, exponential");
    }
  }
  return p;
}

}  // namespace wharf::topic_internal
