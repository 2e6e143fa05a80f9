// EventsService: targets (PutTargets, RemoveTargets, ListTargetsByRule,
// ListRuleNamesByTarget) and what a target ARN names.

#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "broker/base/aws_errors.h"
#include "broker/base/status_macros.h"
#include "broker/service/events_checks.h"
#include "broker/service/events_service.h"
#include "wharf/errors.h"

namespace wharf::service_internal {

using base_internal::EventsConstraintError;
using base_internal::EventsValidationError;
using events_checks::CheckLimit;
using events_checks::CheckMaxLength;
using events_checks::CheckName;
using events_checks::PageOf;

namespace {

events::Target ToTarget(const bus_internal::TargetSpec& spec) {
  events::Target target;
  target.id = spec.id;
  target.arn = spec.arn;
  target.role_arn = spec.role_arn;
  target.input = spec.input;
  target.input_path = spec.input_path;
  if (spec.input_transformer.has_value()) {
    target.input_transformer = events::InputTransformer{spec.input_transformer->input_paths_map,
                                                        spec.input_transformer->input_template};
  }
  if (spec.sqs_message_group_id.has_value()) {
    target.sqs_parameters = events::SqsParameters{*spec.sqs_message_group_id};
  }
  if (spec.dead_letter_arn.has_value()) {
    target.dead_letter_config = events::DeadLetterConfig{*spec.dead_letter_arn};
  }
  if (spec.retry_policy.has_value()) {
    target.retry_policy = events::RetryPolicy{spec.retry_policy->maximum_retry_attempts,
                                              spec.retry_policy->maximum_event_age_in_seconds};
  }
  return target;
}

}  // namespace

bus_internal::TargetSpec EventsService::ToTargetSpec(const events::Target& target) const {
  using Kind = bus_internal::TargetSpec::Kind;
  bus_internal::TargetSpec spec;
  spec.id = target.id;
  spec.arn = target.arn;
  spec.role_arn = target.role_arn;
  spec.input = target.input;
  spec.input_path = target.input_path;
  if (target.input_transformer.has_value()) {
    spec.input_transformer = bus_internal::InputTransformerSpec{
        target.input_transformer->input_paths_map, target.input_transformer->input_template};
  }
  if (target.sqs_parameters.has_value()) {
    spec.sqs_message_group_id = target.sqs_parameters->message_group_id;
  }
  if (target.dead_letter_config.has_value()) spec.dead_letter_arn = target.dead_letter_config->arn;
  if (target.retry_policy.has_value()) {
    spec.retry_policy =
        bus_internal::RetryLimits{target.retry_policy->maximum_retry_attempts,
                                  target.retry_policy->maximum_event_age_in_seconds};
  }
  absl::string_view arn = target.arn;
  std::string callback_prefix = CallbackArn("");
  std::string bus_prefix = BusArn("");
  if (absl::StartsWith(arn, "arn:aws:sqs:")) {
    spec.kind = Kind::kQueue;
  } else if (absl::StartsWith(arn, "arn:aws:sns:")) {
    spec.kind = Kind::kTopic;
  } else if (absl::StartsWith(arn, "arn:aws:lambda:")) {
    spec.kind = Kind::kFunction;
  } else if (absl::StartsWith(arn, bus_prefix)) {
    spec.kind = Kind::kBus;
    spec.resource = std::string(arn.substr(bus_prefix.size()));
  } else if (absl::StartsWith(arn, callback_prefix)) {
    spec.kind = Kind::kCallback;
    spec.resource = std::string(arn.substr(callback_prefix.size()));
  }
  return spec;
}

// ---- Targets --------------------------------------------------------------------

absl::StatusOr<events::PutTargetsResult> EventsService::PutTargets(
    const events::PutTargetsRequest& request) {
  WHARF_RETURN_IF_ERROR(CheckName(request.rule, "rule", 64));
  WHARF_ASSIGN_OR_RETURN(std::string bus, ResolveBus(request.event_bus_name, "eventBusName"));
  if (request.targets.empty()) {
    return EventsConstraintError("[]", "targets",
                                 "Member must have length greater than or equal to 1");
  }
  if (request.targets.size() > 100) {
    return EventsConstraintError("[...]", "targets",
                                 "Member must have length less than or equal to 100");
  }
  for (size_t i = 0; i < request.targets.size(); ++i) {
    const events::Target& t = request.targets[i];
    std::string path = absl::StrCat("targets.", i + 1, ".member.");
    WHARF_RETURN_IF_ERROR(CheckName(t.id, path + "id", 64));
    if (t.arn.empty()) {
      return EventsConstraintError(t.arn, path + "arn",
                                   "Member must have length greater than or equal to 1");
    }
    WHARF_RETURN_IF_ERROR(CheckMaxLength(t.arn, path + "arn", 1600));
    if (t.sqs_parameters.has_value()) {
      WHARF_RETURN_IF_ERROR(CheckMaxLength(t.sqs_parameters->message_group_id,
                                           path + "sqsParameters.messageGroupId", 100));
    }
    if (absl::StartsWith(t.arn, "arn:aws:sqs:") && absl::EndsWith(t.arn, ".fifo") &&
        (!t.sqs_parameters.has_value() || t.sqs_parameters->message_group_id.empty())) {
      return EventsValidationError(
          absl::StrCat("Parameter(s) SqsParameters must be specified for target: ", t.id, "."));
    }
    if (t.retry_policy.has_value()) {
      const auto& p = *t.retry_policy;
      if (p.maximum_retry_attempts.has_value()) {
        int v = *p.maximum_retry_attempts;
        if (v < 0 || v > 185) {
          return EventsConstraintError(absl::StrCat(v), path + "retryPolicy.maximumRetryAttempts",
                                       v < 0 ? "Member must have value greater than or equal to 0"
                                             : "Member must have value less than or equal to 185");
        }
      }
      if (p.maximum_event_age_in_seconds.has_value()) {
        int v = *p.maximum_event_age_in_seconds;
        if (v < 60 || v > 86400) {
          return EventsConstraintError(
              absl::StrCat(v), path + "retryPolicy.maximumEventAgeInSeconds",
              v < 60 ? "Member must have value greater than or equal to 60"
                     : "Member must have value less than or equal to 86400");
        }
      }
    }
    if (t.dead_letter_config.has_value() && !t.dead_letter_config->arn.empty() &&
        !absl::StartsWith(t.dead_letter_config->arn, "arn:aws:sqs:")) {
      return EventsValidationError(
          absl::StrCat("Parameter DeadLetterConfig.Arn is not valid for target ", t.id,
                       ". It must be an SQS queue ARN."));
    }
  }
  std::vector<bus_internal::TargetSpec> specs;
  specs.reserve(request.targets.size());
  for (const events::Target& t : request.targets) specs.push_back(ToTargetSpec(t));
  WHARF_RETURN_IF_ERROR(ChangeRule(bus, request.rule, std::nullopt, [&] {
    return core_->table().PutTargets(bus, request.rule, specs);
  }));
  return events::PutTargetsResult{};
}

absl::StatusOr<events::RemoveTargetsResult> EventsService::RemoveTargets(
    const events::RemoveTargetsRequest& request) {
  WHARF_RETURN_IF_ERROR(CheckName(request.rule, "rule", 64));
  WHARF_ASSIGN_OR_RETURN(std::string bus, ResolveBus(request.event_bus_name, "eventBusName"));
  if (request.ids.empty()) {
    return EventsConstraintError("[]", "ids", "Member must have length greater than or equal to 1");
  }
  if (request.ids.size() > 100) {
    return EventsConstraintError("[...]", "ids",
                                 "Member must have length less than or equal to 100");
  }
  WHARF_RETURN_IF_ERROR(ChangeRule(bus, request.rule, request.force, [&] {
    return core_->table().RemoveTargets(bus, request.rule, request.ids);
  }));
  return events::RemoveTargetsResult{};
}

absl::StatusOr<events::ListTargetsByRuleResult> EventsService::ListTargetsByRule(
    const events::ListTargetsByRuleRequest& request) {
  WHARF_RETURN_IF_ERROR(CheckName(request.rule, "rule", 64));
  WHARF_RETURN_IF_ERROR(CheckLimit(request.limit));
  WHARF_ASSIGN_OR_RETURN(std::string bus, ResolveBus(request.event_bus_name, "eventBusName"));
  WHARF_ASSIGN_OR_RETURN(std::vector<bus_internal::TargetSpec> specs,
                         core_->table().ListTargets(bus, request.rule));
  std::vector<events::Target> targets;
  for (const auto& spec : specs) targets.push_back(ToTarget(spec));
  events::ListTargetsByRuleResult result;
  result.targets = PageOf(
      std::move(targets), request.next_token, request.limit,
      [](const events::Target& t) { return t.id; }, &result.next_token);
  return result;
}

absl::StatusOr<events::ListRuleNamesByTargetResult> EventsService::ListRuleNamesByTarget(
    const events::ListRuleNamesByTargetRequest& request) {
  if (request.target_arn.empty()) {
    return EventsConstraintError("", "targetArn",
                                 "Member must have length greater than or equal to 1");
  }
  WHARF_RETURN_IF_ERROR(CheckLimit(request.limit));
  WHARF_ASSIGN_OR_RETURN(std::string bus, ResolveBus(request.event_bus_name, "eventBusName"));
  WHARF_ASSIGN_OR_RETURN(std::vector<std::string> names,
                         core_->table().ListRuleNamesByTarget(bus, request.target_arn));
  events::ListRuleNamesByTargetResult result;
  result.rule_names = PageOf(
      std::move(names), request.next_token, request.limit, [](const std::string& n) { return n; },
      &result.next_token);
  return result;
}

}  // namespace wharf::service_internal
