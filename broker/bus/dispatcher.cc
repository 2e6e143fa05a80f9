#include "broker/bus/dispatcher.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "broker/base/text.h"
#include "broker/bus/archives.h"
#include "wharf/errors.h"

namespace wharf::bus_internal {
namespace {

constexpr int kDefaultMaxRetries = 185;
constexpr int kDefaultMaxAgeSeconds = 86400;

// An InputTemplate that does not give JSON for this event: AWS delivers
// nothing (a failed invocation, so the dead-letter queue if there is one).
DeliveryOutcome NotJson() {
  return DeliveryOutcome::Permanent("InvalidTargetInput",
                                    "The InputTemplate does not give valid JSON for the event.");
}
constexpr absl::Duration kMaxBackoff = absl::Seconds(300);
// An event may cross this many bus-to-bus targets; a further hop fails (a
// guard against rule loops between buses, which would otherwise recurse).
constexpr int kMaxHops = 5;

// Backoff before retry number `retry` (1-based): 1 s, 2 s, 4 s, … capped.
absl::Duration Backoff(int retry) {
  if (retry > 9) return kMaxBackoff;
  return std::min(kMaxBackoff, absl::Seconds(int64_t{1} << (retry - 1)));
}

bool IsRetryable(absl::StatusCode code) {
  return code == absl::StatusCode::kUnavailable || code == absl::StatusCode::kResourceExhausted ||
         code == absl::StatusCode::kDeadlineExceeded || code == absl::StatusCode::kInternal;
}

// The SQS message of `body`: AWSTraceHeader from the event, digests once.
base_internal::PayloadRef QueuePayload(std::string_view body, MessageAttributeMap attributes,
                                       const Event& event) {
  MessageAttributeMap system;
  if (!event.trace_header.empty()) {
    system["AWSTraceHeader"] = MessageAttributeValue::String(event.trace_header);
  }
  return base_internal::MakePayload(body, std::move(attributes), system);
}

}  // namespace

// The parsed envelope, and the SQS payload of the envelope itself, which
// every queue target without input shaping shares (one body, one MD5).
struct Dispatcher::Shared {
  explicit Shared(const Event& event) : view(event.envelope) {}

  const base_internal::PayloadRef& EnvelopePayload(const Event& event) {
    if (envelope == nullptr) envelope = QueuePayload(event.envelope, {}, event);
    return envelope;
  }

  EventView view;
  base_internal::PayloadRef envelope;
};

Dispatcher::Dispatcher(Clock& clock, TaskRunner& tasks, const BusTable& table, Endpoints* endpoints,
                       bool metrics)
    : clock_(clock),
      tasks_(tasks),
      table_(table),
      endpoints_(endpoints),
      totals_(metrics ? std::make_unique<RuleStats>() : nullptr) {}

absl::Status Dispatcher::PutEvent(std::string_view bus_name, std::shared_ptr<const Event> event) {
  auto bus = table_.FindBus(bus_name);
  if (!bus.ok()) return bus.status();
  Dispatch(**bus, event, nullptr);
  return absl::OkStatus();
}

void Dispatcher::Dispatch(Bus& bus, const std::shared_ptr<const Event>& event,
                          const std::vector<std::string>* filter_rule_arns) {
  auto names = bus.matcher->MatchJson(event->envelope);
  std::vector<std::shared_ptr<const RuleEntry>> rules;
  {
    ReaderMutexLock lock(&bus.mu);
    if (names.ok()) {
      rules.reserve(names->size());
      for (const std::string& name : *names) {
        auto it = bus.rules.find(name);
        if (it != bus.rules.end() && it->second->enabled) rules.push_back(it->second);
      }
    }
  }
  absl::Time now = clock_.Now();

  Shared shared(*event);
  bool matched = false;
  for (const auto& rule : rules) {
    if (filter_rule_arns != nullptr && std::find(filter_rule_arns->begin(), filter_rule_arns->end(),
                                                 rule->rule.arn) == filter_rule_arns->end()) {
      continue;
    }
    matched = true;
    stats_.events_matched.fetch_add(1, std::memory_order_relaxed);
    if (rule->stats != nullptr) {
      rule->stats->Add(RuleStats::kMatchedEvents);
      rule->stats->Add(RuleStats::kTriggeredRules);
    }
    if (totals_ != nullptr) totals_->Add(RuleStats::kTriggeredRules);
    for (const auto& target : rule->targets)
      Deliver(event, rule, target, 1, now, &shared, RetryOf{});
  }
  if (matched && totals_ != nullptr) totals_->Add(RuleStats::kMatchedEvents);
}

void Dispatcher::DeliverToTargets(const std::shared_ptr<const Event>& event,
                                  const std::shared_ptr<const RuleEntry>& rule, absl::Time at) {
  stats_.events_matched.fetch_add(1, std::memory_order_relaxed);
  Count(*rule, RuleStats::kTriggeredRules);
  Shared shared(*event);
  for (const auto& target : rule->targets) Deliver(event, rule, target, 1, at, &shared, RetryOf{});
}

void Dispatcher::Deliver(const std::shared_ptr<const Event>& event,
                         const std::shared_ptr<const RuleEntry>& rule,
                         const std::shared_ptr<const TargetEntry>& target, int attempt,
                         absl::Time at, Shared* shared, RetryOf retry) {
  // The delivery ends here unless a retry is scheduled below.
  auto end = [&] {
    if (retry.id != 0 && retry_observer_ != nullptr) retry_observer_->RetryEnded(retry.id);
  };
  if (target->spec.kind == TargetSpec::Kind::kBus && event->hops >= kMaxHops) {
    // Not invoked: the event would loop between buses.
    Count(*rule, RuleStats::kDeadLetterInvocations);
    DeadLetter(*event, *rule, *target,
               DeliveryOutcome::Permanent("LimitExceededException",
                                          "The event crossed too many event buses."),
               attempt - 1, "");
    end();
    return;
  }
  Count(*rule, RuleStats::kInvocationAttempts);
  if (attempt > 1) Count(*rule, RuleStats::kRetryInvocationAttempts);
  if (target->archive != nullptr) {  // An archive's managed rule (kArchive): cannot fail.
    target->archive->Store(event, at);
    Count(*rule, RuleStats::kSuccessfulInvocationAttempts);
    Count(*rule, RuleStats::kInvocations);
    end();
    return;
  }
  DeliveryOutcome outcome;
  if (shared != nullptr) {
    outcome = Attempt(*event, *rule, *target, attempt, retry.restored, *shared);
  } else {
    Shared own(*event);
    outcome = Attempt(*event, *rule, *target, attempt, retry.restored, own);
  }
  if (outcome.kind == DeliveryOutcome::Kind::kOk) {
    stats_.deliveries_ok.fetch_add(1, std::memory_order_relaxed);
    Count(*rule, RuleStats::kSuccessfulInvocationAttempts);
    Count(*rule, RuleStats::kInvocations);
    end();
    return;
  }
  stats_.delivery_failures.fetch_add(1, std::memory_order_relaxed);
  const int retries_done = attempt - 1;
  std::string_view exhausted;  // Stays empty for a permanent failure.
  if (outcome.kind == DeliveryOutcome::Kind::kRetryable) {
    int max_retries = kDefaultMaxRetries;
    int max_age = kDefaultMaxAgeSeconds;
    if (const auto& policy = target->spec.retry_policy; policy.has_value()) {
      max_retries = policy->maximum_retry_attempts.value_or(kDefaultMaxRetries);
      max_age = policy->maximum_event_age_in_seconds.value_or(kDefaultMaxAgeSeconds);
    }
    // From the attempt's own time, not Now(): when a ManualClock jumps far
    // ahead, the retries in between still happen at their own times.
    const absl::Time when = at + Backoff(attempt);
    if (retries_done >= max_retries) {
      exhausted = "MaximumRetryAttemptsExhausted";
    } else if (when > event->ingestion_time + absl::Seconds(max_age)) {
      exhausted = "MaximumEventAgeExhausted";
    } else {
      stats_.retries_scheduled.fetch_add(1, std::memory_order_relaxed);
      PendingRetry next{retry.id, event, rule, target, attempt + 1, when};
      if (retry_observer_ != nullptr) {
        if (next.id == 0) next.id = next_retry_id_.fetch_add(1, std::memory_order_relaxed);
        retry_observer_->RetryScheduled(next);
      }
      ScheduleRetry(std::move(next), retry.restored);
      return;
    }
  }
  Count(*rule, RuleStats::kInvocations);
  Count(*rule, RuleStats::kFailedInvocations);
  DeadLetter(*event, *rule, *target, outcome, retries_done, exhausted);
  end();
}

void Dispatcher::ScheduleRetry(PendingRetry retry, bool restored) {
  const absl::Time at = retry.at;
  tasks_.ScheduleAt(at, [this, retry = std::move(retry), restored] {
    Deliver(retry.event, retry.rule, retry.target, retry.attempt, retry.at, nullptr,
            RetryOf{retry.id, restored});
  });
}

void Dispatcher::RestoreRetry(PendingRetry retry) {
  // Ids handed out from here on stay above every restored one.
  uint64_t next = next_retry_id_.load(std::memory_order_relaxed);
  while (next <= retry.id &&
         !next_retry_id_.compare_exchange_weak(next, retry.id + 1, std::memory_order_relaxed)) {
  }
  ScheduleRetry(std::move(retry), /*restored=*/true);
}

DeliveryOutcome Dispatcher::Attempt(const Event& event, const RuleEntry& rule,
                                    const TargetEntry& target, int attempt, bool restored,
                                    Shared& shared) {
  EventView& view = shared.view;
  const TargetSpec& t = target.spec;
  DeliveryContext context{rule.rule.arn, rule.rule.name, event.ingestion_time};
  switch (t.kind) {
    case TargetSpec::Kind::kQueue: {
      if (endpoints_ == nullptr) break;
      std::string_view group = t.sqs_message_group_id.has_value()
                                   ? std::string_view(*t.sqs_message_group_id)
                                   : std::string_view();
      if (target.input->verbatim()) {
        return endpoints_->SendToQueue(t.arn, shared.EnvelopePayload(event), group);
      }
      std::optional<std::string> rendered = target.input->Render(view, context);
      if (!rendered.has_value()) return NotJson();
      std::string body = *std::move(rendered);
      // Shaping can make text SQS refuses (a transformed string's escapes
      // decoded); the envelope cannot (see Event::envelope).
      if (!base_internal::IsXmlText(body)) {
        return DeliveryOutcome::Permanent("InvalidMessageContents",
                                          "The target input holds characters SQS refuses.");
      }
      return endpoints_->SendToQueue(t.arn, QueuePayload(body, {}, event), group);
    }
    case TargetSpec::Kind::kTopic: {
      if (endpoints_ == nullptr) break;
      std::optional<std::string> body = target.input->Render(view, context);
      if (!body.has_value()) return NotJson();
      return endpoints_->PublishToTopic(t.arn, *std::move(body));
    }
    case TargetSpec::Kind::kFunction: {
      if (endpoints_ == nullptr) break;
      std::optional<std::string> body = target.input->Render(view, context);
      if (!body.has_value()) return NotJson();
      return endpoints_->InvokeFunction(t.arn, *std::move(body));
    }
    case TargetSpec::Kind::kBus: {  // Deliver refused it beyond kMaxHops.
      auto bus = table_.FindBus(t.resource);
      if (!bus.ok()) {
        return DeliveryOutcome::Permanent("ResourceNotFoundException",
                                          std::string(bus.status().message()));
      }
      auto hop = std::make_shared<Event>(event);
      hop->hops = event.hops + 1;
      Dispatch(**bus, hop, nullptr);
      return DeliveryOutcome::Ok();
    }
    case TargetSpec::Kind::kCallback: {
      std::shared_ptr<const CallbackFunction> callback;
      {
        ReaderMutexLock lock(&mu_);
        auto it = callbacks_.find(t.resource);
        if (it != callbacks_.end()) callback = it->second;
      }
      if (callback == nullptr) {
        std::string message = absl::StrCat("Callback ", t.resource, " does not exist.");
        return restored ? DeliveryOutcome::Retryable("ResourceNotFoundException", message)
                        : DeliveryOutcome::Permanent("ResourceNotFoundException", message);
      }
      std::optional<std::string> body = target.input->Render(view, context);
      if (!body.has_value()) return NotJson();
      CallbackInvocation invocation;
      invocation.body = *std::move(body);
      invocation.rule_arn = rule.rule.arn;
      invocation.target_id = t.id;
      invocation.event_id = event.id;
      invocation.attempt = attempt;
      absl::Status status = (*callback)(std::move(invocation));
      if (status.ok()) return DeliveryOutcome::Ok();
      std::optional<ErrorCode> code = GetErrorCode(status);
      std::string name = code.has_value() ? std::string(GetErrorInfo(*code).name)
                                          : absl::StatusCodeToString(status.code());
      std::string message(status.message());
      return IsRetryable(status.code()) ? DeliveryOutcome::Retryable(name, message)
                                        : DeliveryOutcome::Permanent(name, message);
    }
    case TargetSpec::Kind::kArchive:  // Deliver stores it; one without its archive is unsupported.
    case TargetSpec::Kind::kUnsupported:
      break;
  }
  return DeliveryOutcome::Permanent(
      "UnsupportedTarget", absl::StrCat("Target ", t.arn, " is not supported in process."));
}

void Dispatcher::DeadLetter(const Event& event, const RuleEntry& rule, const TargetEntry& target,
                            const DeliveryOutcome& outcome, int retries,
                            std::string_view exhausted) {
  const auto& dlq = target.spec.dead_letter_arn;
  if (!dlq.has_value() || dlq->empty() || endpoints_ == nullptr) {
    stats_.dropped.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  MessageAttributeMap attributes;
  auto add = [&](const char* name, std::string value, const char* type = "String") {
    if (value.empty()) return;
    attributes[name] = MessageAttributeValue{type, std::move(value), ""};
  };
  add("RULE_ARN", rule.rule.arn);
  add("TARGET_ARN", target.spec.arn);
  add("ERROR_CODE", outcome.error_code);
  add("ERROR_MESSAGE", outcome.error_message);
  add("EXHAUSTED_RETRY_CONDITION", std::string(exhausted));
  add("RETRY_ATTEMPTS", absl::StrCat(retries), "Number");
  DeliveryOutcome sent =
      endpoints_->SendToQueue(*dlq, QueuePayload(event.envelope, std::move(attributes), event), "");
  if (sent.kind == DeliveryOutcome::Kind::kOk) {
    stats_.dead_lettered.fetch_add(1, std::memory_order_relaxed);
    Count(rule, RuleStats::kInvocationsSentToDlq);
  } else {
    stats_.dropped.fetch_add(1, std::memory_order_relaxed);
    Count(rule, RuleStats::kInvocationsFailedToBeSentToDlq);
  }
}

void Dispatcher::RegisterCallback(const std::string& name, CallbackFunction callback) {
  auto shared = std::make_shared<const CallbackFunction>(std::move(callback));
  MutexLock lock(&mu_);
  callbacks_[name] = std::move(shared);
}

void Dispatcher::UnregisterCallback(const std::string& name) {
  MutexLock lock(&mu_);
  callbacks_.erase(name);
}

BusStats Dispatcher::stats() const {
  BusStats s;
  s.events_matched = stats_.events_matched.load();
  s.deliveries_ok = stats_.deliveries_ok.load();
  s.delivery_failures = stats_.delivery_failures.load();
  s.retries_scheduled = stats_.retries_scheduled.load();
  s.dead_lettered = stats_.dead_lettered.load();
  s.dropped = stats_.dropped.load();
  return s;
}

}  // namespace wharf::bus_internal
