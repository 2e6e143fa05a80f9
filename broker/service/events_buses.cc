// EventsService: event buses, their settings and their resource policies
// (see events_service.h).

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "broker/base/aws_errors.h"
#include "broker/base/status_macros.h"
#include "broker/service/events_checks.h"
#include "broker/service/events_service.h"
#include "broker/service/permission_policy.h"
#include "wharf/errors.h"

namespace wharf::service_internal {

using base_internal::EventsConstraintError;
using base_internal::EventsValidationError;
using events_checks::CheckLimit;
using events_checks::CheckMaxLength;
using events_checks::CheckMember;
using events_checks::CheckName;
using events_checks::CheckTags;
using events_checks::kDefaultBus;
using events_checks::PageOf;
using events_checks::ToTagList;

namespace {

bool AllOf(std::string_view s, bool (*ok)(char)) { return std::all_of(s.begin(), s.end(), ok); }

// KmsKeyIdentifier and DeadLetterConfig of CreateEventBus and UpdateEventBus.
absl::Status CheckBusSettings(std::string_view kms_key_identifier,
                              const std::optional<events::DeadLetterConfig>& dead_letter) {
  WHARF_RETURN_IF_ERROR(CheckMember(kms_key_identifier, "kmsKeyIdentifier", 0, 2048,
                                    AllOf(kms_key_identifier,
                                          [](char c) {
                                            return absl::ascii_isalnum(
                                                       static_cast<unsigned char>(c)) ||
                                                   c == '_' || c == '-' || c == '/' || c == ':';
                                          }),
                                    "^[a-zA-Z0-9_\\-/:]*$"));
  if (dead_letter.has_value()) {
    WHARF_RETURN_IF_ERROR(CheckMaxLength(dead_letter->arn, "deadLetterConfig.arn", 1600));
  }
  return absl::OkStatus();
}

// StatementId of PutPermission and RemovePermission.
absl::Status CheckStatementId(std::string_view id) {
  return CheckMember(id, "statementId", 1, 64,
                     AllOf(id,
                           [](char c) {
                             return absl::ascii_isalnum(static_cast<unsigned char>(c)) ||
                                    c == '-' || c == '_';
                           }),
                     "[a-zA-Z0-9-_]+");
}

// The bus's dead-letter ARN a DeadLetterConfig sets (none without an ARN).
std::optional<std::string> DeadLetterArn(const std::optional<events::DeadLetterConfig>& config) {
  if (!config.has_value() || config->arn.empty()) return std::nullopt;
  return config->arn;
}

// EventBridge's quota on a bus's resource policy (the PutPermission docs:
// "cannot exceed 10 KB").
constexpr size_t kMaxPolicyBytes = 10240;

absl::Status PolicyTooLongError() {
  // The message AWS answers (aws-solutions/quota-monitor-for-aws#26).
  return MakeError(ErrorCode::kEventsPolicyLengthExceeded,
                   "Policy size would be larger than the maximum allowed.");
}

// The bus a member that takes a name, not an ARN, names: "default" when
// empty.
absl::StatusOr<std::string> NamedBus(const std::string& name, std::string_view path,
                                     bool allow_slash = false) {
  if (name.empty()) return std::string(kDefaultBus);
  WHARF_RETURN_IF_ERROR(CheckName(name, path, 256, allow_slash));
  return name;
}

}  // namespace

absl::StatusOr<events::CreateEventBusResult> EventsService::CreateEventBus(
    const events::CreateEventBusRequest& request) {
  WHARF_RETURN_IF_ERROR(CheckName(request.name, "name", 256, /*allow_slash=*/true));
  if (request.name.find('/') != std::string::npos) {
    return EventsValidationError(
        absl::StrCat("Event bus name ", request.name,
                     " is not valid. Custom event bus names cannot contain '/'."));
  }
  WHARF_RETURN_IF_ERROR(CheckMaxLength(request.description, "description", 512));
  WHARF_RETURN_IF_ERROR(CheckBusSettings(request.kms_key_identifier, request.dead_letter_config));
  WHARF_RETURN_IF_ERROR(CheckTags(request.tags));
  bus_internal::BusInfo info;
  info.name = request.name;
  info.description = request.description;
  info.kms_key_identifier = request.kms_key_identifier;
  info.dead_letter_arn = DeadLetterArn(request.dead_letter_config);
  MutexLock admin(&admin_mu_);
  WHARF_ASSIGN_OR_RETURN(bus_internal::BusInfo bus,
                         core_->table().CreateBus(std::move(info), ToTagList(request.tags)));
  const uint64_t since = Mark();
  PersistBus(bus.name);
  WHARF_RETURN_IF_ERROR(CommitOrUndo(since, [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(admin_mu_) {
    core_->table().DeleteBus(bus.name);
    PersistBus(bus.name);
  }));
  events::CreateEventBusResult result;
  result.event_bus_arn = BusArn(bus.name);
  result.description = bus.description;
  return result;
}

absl::Status EventsService::DeleteEventBus(const events::DeleteEventBusRequest& request) {
  WHARF_ASSIGN_OR_RETURN(std::string name, ResolveBus(request.name, "name"));
  if (name == kDefaultBus) return EventsValidationError("Cannot delete event bus default.");
  MutexLock admin(&admin_mu_);
  // Its rules go with it; its archives stay (detached), as on AWS.
  std::vector<bus_internal::RuleSpec> rules =
      core_->table().ListRules(name, "").value_or(std::vector<bus_internal::RuleSpec>());
  std::shared_ptr<bus_internal::Bus> removed = core_->table().DeleteBus(name);
  const uint64_t since = Mark();
  auto persist = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(admin_mu_) {
    PersistBus(name);
    for (const bus_internal::RuleSpec& rule : rules) PersistRule(name, rule.name);
  };
  persist();
  return CommitOrUndo(since, [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(admin_mu_) {
    if (removed != nullptr) core_->table().ReinsertBus(removed);
    persist();
  });
}

absl::StatusOr<events::DescribeEventBusResult> EventsService::DescribeEventBus(
    const events::DescribeEventBusRequest& request) {
  WHARF_ASSIGN_OR_RETURN(std::string name, ResolveBus(request.name, "name"));
  WHARF_ASSIGN_OR_RETURN(bus_internal::BusInfo bus, core_->table().DescribeBus(name));
  return ToEventBus(bus);
}

absl::StatusOr<events::ListEventBusesResult> EventsService::ListEventBuses(
    const events::ListEventBusesRequest& request) {
  WHARF_RETURN_IF_ERROR(CheckLimit(request.limit));
  events::ListEventBusesResult result;
  std::vector<events::EventBus> buses;
  for (const auto& info : core_->table().ListBuses(request.name_prefix)) {
    events::EventBus& bus = buses.emplace_back(ToEventBus(info));
    bus.kms_key_identifier.clear();  // Not in AWS's EventBus shape.
    bus.dead_letter_config.reset();
  }
  result.event_buses = PageOf(
      std::move(buses), request.next_token, request.limit,
      [](const events::EventBus& b) { return b.name; }, &result.next_token);
  return result;
}

// No AWS recording covers UpdateEventBus. A member left out keeps its value
// and an empty one removes it: that is how the Terraform AWS provider (tested
// against AWS) unsets a description. The response is the bus as it is then.
absl::StatusOr<events::UpdateEventBusResult> EventsService::UpdateEventBus(
    const events::UpdateEventBusRequest& request) {
  WHARF_ASSIGN_OR_RETURN(std::string name, NamedBus(request.name, "name", /*allow_slash=*/true));
  WHARF_RETURN_IF_ERROR(CheckMaxLength(request.description.value_or(""), "description", 512));
  WHARF_RETURN_IF_ERROR(
      CheckBusSettings(request.kms_key_identifier.value_or(""), request.dead_letter_config));
  WHARF_ASSIGN_OR_RETURN(bus_internal::BusInfo bus,
                         ChangeBus(name, [&](bus_internal::BusInfo& info) {
                           if (request.description) info.description = *request.description;
                           if (request.kms_key_identifier) {
                             info.kms_key_identifier = *request.kms_key_identifier;
                           }
                           if (request.dead_letter_config) {
                             info.dead_letter_arn = DeadLetterArn(request.dead_letter_config);
                           }
                           return absl::OkStatus();
                         }));
  events::UpdateEventBusResult result;
  result.arn = BusArn(bus.name);
  result.name = bus.name;
  result.description = bus.description;
  result.kms_key_identifier = bus.kms_key_identifier;
  if (bus.dead_letter_arn) {
    result.dead_letter_config = events::DeadLetterConfig{*bus.dead_letter_arn};
  }
  return result;
}

// PutPermission and RemovePermission: what AWS answers is recorded in
// LocalStack's tests/aws/services/events/test_events.py (TestEventBus:
// test_put_permission, test_put_permission_non_existing_event_bus,
// test_remove_permission, test_remove_permission_non_existing_sid;
// AWS-validated). The other messages are unrecorded (see the checks).
absl::Status EventsService::PutPermission(const events::PutPermissionRequest& request) {
  WHARF_ASSIGN_OR_RETURN(std::string name, NamedBus(request.event_bus_name, "eventBusName"));
  if (!request.policy.empty()) {
    // A whole document replaces the bus's policy (test_put_permission,
    // "put-permission-policy"), kept without its whitespace. Unrecorded: the
    // wording when it is not JSON, and whether AWS keeps the text as sent.
    std::optional<std::string> policy = CompactPolicy(request.policy);
    if (!policy) return EventsValidationError("Parameter Policy is not valid.");
    if (policy->size() > kMaxPolicyBytes) return PolicyTooLongError();
    return ChangeBus(name,
                     [&](bus_internal::BusInfo& info) {
                       info.policy = *std::move(policy);
                       return absl::OkStatus();
                     })
        .status();
  }
  // The model's member constraints, in the Coral wording.
  if (!request.action.empty()) {
    WHARF_RETURN_IF_ERROR(CheckMember(
        request.action, "action", 1, 64,
        absl::StartsWith(request.action, "events:") && request.action.size() > 7 &&
            AllOf(std::string_view(request.action).substr(7),
                  [](char c) { return absl::ascii_isalpha(static_cast<unsigned char>(c)); }),
        "events:[a-zA-Z]+"));
  }
  if (!request.principal.empty()) {
    WHARF_RETURN_IF_ERROR(CheckMember(
        request.principal, "principal", 1, 12,
        request.principal == "*" ||
            (request.principal.size() == 12 &&
             AllOf(request.principal,
                   [](char c) { return absl::ascii_isdigit(static_cast<unsigned char>(c)); })),
        "(\\d{12}|\\*)"));
  }
  if (!request.statement_id.empty()) {
    WHARF_RETURN_IF_ERROR(CheckStatementId(request.statement_id));
  }
  // Unrecorded: AWS's wording for a missing field, another action (only
  // events:PutEvents can be granted) and a condition with an account.
  if (request.action.empty()) return EventsValidationError("Parameter Action must be specified.");
  if (request.principal.empty()) {
    return EventsValidationError("Parameter Principal must be specified.");
  }
  if (request.statement_id.empty()) {
    return EventsValidationError("Parameter StatementId must be specified.");
  }
  if (request.action != "events:PutEvents") {
    return EventsValidationError("Provided value in parameter 'action' is not supported.");
  }
  if (request.condition.has_value() && request.principal != "*") {
    return EventsValidationError(
        "Value of the parameter 'principal' must be '*' when the parameter 'condition' is set.");
  }
  BusPolicyStatement statement;
  statement.sid = request.statement_id;
  statement.principal = request.principal;
  statement.action = request.action;
  statement.resource = BusArn(name);
  if (request.condition.has_value()) {
    statement.condition_type = request.condition->type;
    statement.condition_key = request.condition->key;
    statement.condition_value = request.condition->value;
  }
  return ChangeBus(name,
                   [&](bus_internal::BusInfo& info) {
                     // A statement with the id given replaces the one there
                     // (test_put_permission, "describe-event-bus-put-permission").
                     std::string policy = PutBusPolicyStatement(info.policy, statement);
                     if (policy.size() > kMaxPolicyBytes) return PolicyTooLongError();
                     info.policy = std::move(policy);
                     return absl::OkStatus();
                   })
      .status();
}

absl::Status EventsService::RemovePermission(const events::RemovePermissionRequest& request) {
  WHARF_ASSIGN_OR_RETURN(std::string name, NamedBus(request.event_bus_name, "eventBusName"));
  if (!request.remove_all_permissions) {
    if (request.statement_id.empty()) {
      return EventsValidationError("Parameter StatementId must be specified.");  // Unrecorded.
    }
    WHARF_RETURN_IF_ERROR(CheckStatementId(request.statement_id));
  }
  return ChangeBus(name,
                   [&](bus_internal::BusInfo& info) -> absl::Status {
                     if (request.remove_all_permissions) {
                       // Unrecorded: LocalStack's tests note that AWS fails this on a
                       // bus without a policy; the wording is moto's.
                       if (info.policy.empty()) {
                         return MakeError(ErrorCode::kEventsResourceNotFound,
                                          "EventBus does not have a policy.");
                       }
                       info.policy.clear();  // DescribeEventBus then has no Policy (recorded).
                       return absl::OkStatus();
                     }
                     // Also when the bus has no policy at all
                     // (test_remove_permission_non_existing_sid[False-*]).
                     std::optional<RemovedStatement> removed =
                         RemovePolicyStatement(info.policy, request.statement_id);
                     if (!removed) {
                       return MakeError(ErrorCode::kEventsResourceNotFound,
                                        "Statement with the provided id does not exist.");
                     }
                     // Without statements left the bus has no policy, as after
                     // RemoveAllPermissions.
                     info.policy =
                         removed->statements_left == 0 ? "" : std::move(removed->document);
                     return absl::OkStatus();
                   })
      .status();
}

absl::StatusOr<bus_internal::BusInfo> EventsService::ChangeBus(
    const std::string& bus, absl::FunctionRef<absl::Status(bus_internal::BusInfo&)> change) {
  MutexLock admin(&admin_mu_);
  WHARF_ASSIGN_OR_RETURN(bus_internal::BusInfo before, core_->table().DescribeBus(bus));
  WHARF_ASSIGN_OR_RETURN(bus_internal::BusInfo after, core_->table().UpdateBus(bus, change));
  const uint64_t since = Mark();
  PersistBus(bus);
  WHARF_RETURN_IF_ERROR(CommitOrUndo(since, [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(admin_mu_) {
    core_->table().SetBusInfo(before).IgnoreError();
    PersistBus(bus);
  }));
  return after;
}

}  // namespace wharf::service_internal
