// The EventBridge operation table (API 2015-10-07), served over AWS JSON 1.1.
// Timestamps travel as epoch seconds (requests may also give RFC 3339
// strings); tagging operations name their ARN member "ResourceARN".

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "broker/wire/apis.h"
#include "broker/wire/operation_table.h"

namespace wharf::wire {
namespace {

constexpr ServiceModel kEventsModel = {
    .signing_name = "events",
    .json_target_prefix = "AWSEvents",
    .json_content_type = "application/x-amz-json-1.1",
    .missing = ErrorCode::kEventsValidation,
    .invalid_value = ErrorCode::kEventsValidation,
};

using S = events::Service;

// [{"Key": .., "Value": ..}]
bool Tags(Input& in, std::vector<events::Tag>* tags, bool required = false) {
  return in.List(
      "Tags",
      [&](Input& element) {
        events::Tag& tag = tags->emplace_back();
        return element.Str("Key", &tag.key, kRequired) &&
               element.Str("Value", &tag.value, kRequired);
      },
      required);
}

bool DeadLetter(Input& in, std::optional<events::DeadLetterConfig>* out) {
  return in.Struct("DeadLetterConfig",
                   [&](Input& config) { return config.Str("Arn", &out->emplace().arn); });
}

void EncodeDeadLetter(Output& out, const events::DeadLetterConfig& config) {
  out.BeginStruct("DeadLetterConfig");
  out.StrIfSet("Arn", config.arn);
  out.EndStruct();
}

// Name (required) and EventBusName: how rules are addressed.
template <typename Request>
bool DecodeRuleName(Input& in, Request& r) {
  return in.Str("Name", &r.name, kRequired) && in.Str("EventBusName", &r.event_bus_name);
}

// NextToken and Limit of the List operations.
template <typename Request>
bool DecodePage(Input& in, Request& r) {
  return in.Str("NextToken", &r.next_token) && in.Int("Limit", &r.limit);
}

// ---- Event buses ------------------------------------------------------------

bool DecodeCreateEventBus(Input& in, events::CreateEventBusRequest& r) {
  return in.Str("Name", &r.name, kRequired) && in.Str("EventSourceName", &r.event_source_name) &&
         in.Str("Description", &r.description) &&
         in.Str("KmsKeyIdentifier", &r.kms_key_identifier) &&
         DeadLetter(in, &r.dead_letter_config) && Tags(in, &r.tags);
}

void EncodeCreateEventBus(Output& out, const events::CreateEventBusResult& r,
                          const events::CreateEventBusRequest& request) {
  out.Str("EventBusArn", r.event_bus_arn);
  out.StrIfSet("Description", r.description);
  out.StrIfSet("KmsKeyIdentifier", request.kms_key_identifier);
  if (request.dead_letter_config) EncodeDeadLetter(out, *request.dead_letter_config);
}

template <typename Request>
bool DecodeName(Input& in, Request& r) {
  return in.Str("Name", &r.name, kRequired);
}

bool DecodeDescribeEventBus(Input& in, events::DescribeEventBusRequest& r) {
  return in.Str("Name", &r.name);
}

// The EventBus shape (ListEventBuses); DescribeEventBus adds the key
// identifier and dead-letter config. Policy is a JSON string.
void EncodeEventBus(Output& out, const events::EventBus& bus) {
  out.Str("Name", bus.name);
  out.Str("Arn", bus.arn);
  out.StrIfSet("Description", bus.description);
  out.StrIfSet("KmsKeyIdentifier", bus.kms_key_identifier);
  if (bus.dead_letter_config) EncodeDeadLetter(out, *bus.dead_letter_config);
  out.StrIfSet("Policy", bus.policy);
  out.Time("CreationTime", bus.creation_time);
  out.Time("LastModifiedTime", bus.last_modified_time);
}

bool DecodeListEventBuses(Input& in, events::ListEventBusesRequest& r) {
  return in.Str("NamePrefix", &r.name_prefix) && DecodePage(in, r);
}

void EncodeListEventBuses(Output& out, const events::ListEventBusesResult& r) {
  out.List("EventBuses", r.event_buses,
           [&](const events::EventBus& bus) { EncodeEventBus(out, bus); });
  out.StrIfSet("NextToken", r.next_token);
}

bool DecodeUpdateEventBus(Input& in, events::UpdateEventBusRequest& r) {
  return in.Str("Name", &r.name) && in.Str("Description", &r.description) &&
         in.Str("KmsKeyIdentifier", &r.kms_key_identifier) && DeadLetter(in, &r.dead_letter_config);
}

void EncodeUpdateEventBus(Output& out, const events::UpdateEventBusResult& r) {
  out.Str("Arn", r.arn);
  out.Str("Name", r.name);
  out.StrIfSet("KmsKeyIdentifier", r.kms_key_identifier);
  out.StrIfSet("Description", r.description);
  if (r.dead_letter_config) EncodeDeadLetter(out, *r.dead_letter_config);
}

bool DecodePutPermission(Input& in, events::PutPermissionRequest& r) {
  return in.Str("EventBusName", &r.event_bus_name) && in.Str("Action", &r.action) &&
         in.Str("Principal", &r.principal) && in.Str("StatementId", &r.statement_id) &&
         in.Struct("Condition",
                   [&](Input& block) {
                     events::Condition& c = r.condition.emplace();
                     return block.Str("Type", &c.type, kRequired) &&
                            block.Str("Key", &c.key, kRequired) &&
                            block.Str("Value", &c.value, kRequired);
                   }) &&
         in.Str("Policy", &r.policy);
}

bool DecodeRemovePermission(Input& in, events::RemovePermissionRequest& r) {
  return in.Str("StatementId", &r.statement_id) &&
         in.Bool("RemoveAllPermissions", &r.remove_all_permissions) &&
         in.Str("EventBusName", &r.event_bus_name);
}

// ---- Events -----------------------------------------------------------------

bool DecodePutEvents(Input& in, events::PutEventsRequest& r) {
  return in.List(
             "Entries",
             [&](Input& element) {
               events::PutEventsRequestEntry& entry = r.entries.emplace_back();
               return element.Time("Time", &entry.time) && element.Str("Source", &entry.source) &&
                      element.StrList("Resources", &entry.resources) &&
                      element.Str("DetailType", &entry.detail_type) &&
                      element.Str("Detail", &entry.detail) &&
                      element.Str("EventBusName", &entry.event_bus_name) &&
                      element.Str("TraceHeader", &entry.trace_header);
             },
             kRequired) &&
         in.Str("EndpointId", &r.endpoint_id);
}

void EncodePutEvents(Output& out, const events::PutEventsResult& r) {
  out.Int("FailedEntryCount", r.failed_entry_count);
  out.List("Entries", r.entries, [&](const events::PutEventsResultEntry& entry) {
    out.StrIfSet("EventId", entry.event_id);
    out.StrIfSet("ErrorCode", entry.error_code);
    out.StrIfSet("ErrorMessage", entry.error_message);
  });
}

bool DecodeTestEventPattern(Input& in, events::TestEventPatternRequest& r) {
  return in.Str("EventPattern", &r.event_pattern, kRequired) &&
         in.Str("Event", &r.event, kRequired);
}

void EncodeTestEventPattern(Output& out, const events::TestEventPatternResult& r) {
  out.Bool("Result", r.result);
}

// ---- Rules ------------------------------------------------------------------

bool DecodePutRule(Input& in, events::PutRuleRequest& r) {
  return in.Str("Name", &r.name, kRequired) &&
         in.Str("ScheduleExpression", &r.schedule_expression) &&
         in.Str("EventPattern", &r.event_pattern) && in.Str("State", &r.state) &&
         in.Str("Description", &r.description) && in.Str("RoleArn", &r.role_arn) &&
         Tags(in, &r.tags) && in.Str("EventBusName", &r.event_bus_name);
}

void EncodePutRule(Output& out, const events::PutRuleResult& r) { out.Str("RuleArn", r.rule_arn); }

bool DecodeDeleteRule(Input& in, events::DeleteRuleRequest& r) {
  return DecodeRuleName(in, r) && in.Bool("Force", &r.force);
}

// The members of the Rule shape; DescribeRule adds CreatedBy.
void EncodeRule(Output& out, const events::Rule& rule) {
  out.Str("Name", rule.name);
  out.Str("Arn", rule.arn);
  out.StrIfSet("EventPattern", rule.event_pattern);
  out.StrIfSet("ScheduleExpression", rule.schedule_expression);
  out.Str("State", rule.state);
  out.StrIfSet("Description", rule.description);
  out.StrIfSet("RoleArn", rule.role_arn);
  out.StrIfSet("ManagedBy", rule.managed_by);
  out.Str("EventBusName", rule.event_bus_name);
}

void EncodeDescribeRule(Output& out, const events::DescribeRuleResult& rule) {
  EncodeRule(out, rule);
  out.StrIfSet("CreatedBy", rule.created_by);
}

bool DecodeListRules(Input& in, events::ListRulesRequest& r) {
  return in.Str("NamePrefix", &r.name_prefix) && in.Str("EventBusName", &r.event_bus_name) &&
         DecodePage(in, r);
}

void EncodeListRules(Output& out, const events::ListRulesResult& r) {
  out.List("Rules", r.rules, [&](const events::Rule& rule) { EncodeRule(out, rule); });
  out.StrIfSet("NextToken", r.next_token);
}

// ---- Targets ----------------------------------------------------------------

bool DecodeTarget(Input& in, events::Target* target) {
  return in.Str("Id", &target->id, kRequired) && in.Str("Arn", &target->arn, kRequired) &&
         in.Str("RoleArn", &target->role_arn) && in.Str("Input", &target->input) &&
         in.Str("InputPath", &target->input_path) && DeadLetter(in, &target->dead_letter_config) &&
         in.Struct("InputTransformer",
                   [&](Input& block) {
                     events::InputTransformer& t = target->input_transformer.emplace();
                     return block.StrMap("InputPathsMap", {}, &t.input_paths_map) &&
                            block.Str("InputTemplate", &t.input_template, kRequired);
                   }) &&
         in.Struct("SqsParameters",
                   [&](Input& block) {
                     return block.Str("MessageGroupId",
                                      &target->sqs_parameters.emplace().message_group_id);
                   }) &&
         in.Struct("RetryPolicy", [&](Input& block) {
           events::RetryPolicy& retry = target->retry_policy.emplace();
           return block.Int("MaximumRetryAttempts", &retry.maximum_retry_attempts) &&
                  block.Int("MaximumEventAgeInSeconds", &retry.maximum_event_age_in_seconds);
         });
}

void EncodeTarget(Output& out, const events::Target& target) {
  out.Str("Id", target.id);
  out.Str("Arn", target.arn);
  out.StrIfSet("RoleArn", target.role_arn);
  if (target.input) out.Str("Input", *target.input);
  out.StrIfSet("InputPath", target.input_path);
  if (target.input_transformer) {
    out.BeginStruct("InputTransformer");
    // Even empty: AWS shows {} on an archive's managed rule (moto's
    // test_archive_actual_events, verified against AWS).
    out.StrMap("InputPathsMap", {}, target.input_transformer->input_paths_map);
    out.Str("InputTemplate", target.input_transformer->input_template);
    out.EndStruct();
  }
  if (target.sqs_parameters) {
    out.BeginStruct("SqsParameters");
    out.StrIfSet("MessageGroupId", target.sqs_parameters->message_group_id);
    out.EndStruct();
  }
  if (target.dead_letter_config) EncodeDeadLetter(out, *target.dead_letter_config);
  if (target.retry_policy) {
    out.BeginStruct("RetryPolicy");
    if (target.retry_policy->maximum_retry_attempts) {
      out.Int("MaximumRetryAttempts", *target.retry_policy->maximum_retry_attempts);
    }
    if (target.retry_policy->maximum_event_age_in_seconds) {
      out.Int("MaximumEventAgeInSeconds", *target.retry_policy->maximum_event_age_in_seconds);
    }
    out.EndStruct();
  }
}

bool DecodePutTargets(Input& in, events::PutTargetsRequest& r) {
  return in.Str("Rule", &r.rule, kRequired) && in.Str("EventBusName", &r.event_bus_name) &&
         in.List(
             "Targets",
             [&](Input& element) { return DecodeTarget(element, &r.targets.emplace_back()); },
             kRequired);
}

void EncodeFailedTargets(Output& out, const events::PutTargetsResult& r) {
  out.Int("FailedEntryCount", r.failed_entry_count);
  out.List("FailedEntries", r.failed_entries, [&](const events::FailedTargetEntry& entry) {
    out.Str("TargetId", entry.target_id);
    out.Str("ErrorCode", entry.error_code);
    out.Str("ErrorMessage", entry.error_message);
  });
}

bool DecodeRemoveTargets(Input& in, events::RemoveTargetsRequest& r) {
  return in.Str("Rule", &r.rule, kRequired) && in.Str("EventBusName", &r.event_bus_name) &&
         in.StrList("Ids", &r.ids, kRequired) && in.Bool("Force", &r.force);
}

bool DecodeListTargetsByRule(Input& in, events::ListTargetsByRuleRequest& r) {
  return in.Str("Rule", &r.rule, kRequired) && in.Str("EventBusName", &r.event_bus_name) &&
         DecodePage(in, r);
}

void EncodeListTargetsByRule(Output& out, const events::ListTargetsByRuleResult& r) {
  out.List("Targets", r.targets, [&](const events::Target& target) { EncodeTarget(out, target); });
  out.StrIfSet("NextToken", r.next_token);
}

bool DecodeListRuleNamesByTarget(Input& in, events::ListRuleNamesByTargetRequest& r) {
  return in.Str("TargetArn", &r.target_arn, kRequired) &&
         in.Str("EventBusName", &r.event_bus_name) && DecodePage(in, r);
}

void EncodeListRuleNamesByTarget(Output& out, const events::ListRuleNamesByTargetResult& r) {
  out.StrList("RuleNames", r.rule_names);
  out.StrIfSet("NextToken", r.next_token);
}

// ---- Archives ---------------------------------------------------------------

bool DecodeCreateArchive(Input& in, events::CreateArchiveRequest& r) {
  return in.Str("ArchiveName", &r.archive_name, kRequired) &&
         in.Str("EventSourceArn", &r.event_source_arn, kRequired) &&
         in.Str("Description", &r.description) && in.Str("EventPattern", &r.event_pattern) &&
         in.Int("RetentionDays", &r.retention_days) &&
         in.Str("KmsKeyIdentifier", &r.kms_key_identifier);
}

// CreateArchive / UpdateArchive output.
void EncodeArchiveState(Output& out, const events::CreateArchiveResult& r) {
  out.Str("ArchiveArn", r.archive_arn);
  out.Str("State", r.state);
  out.StrIfSet("StateReason", r.state_reason);
  out.Time("CreationTime", r.creation_time);
}

bool DecodeUpdateArchive(Input& in, events::UpdateArchiveRequest& r) {
  return in.Str("ArchiveName", &r.archive_name, kRequired) &&
         in.Str("Description", &r.description) && in.Str("EventPattern", &r.event_pattern) &&
         in.Int("RetentionDays", &r.retention_days) &&
         in.Str("KmsKeyIdentifier", &r.kms_key_identifier);
}

template <typename Request>
bool DecodeArchiveName(Input& in, Request& r) {
  return in.Str("ArchiveName", &r.archive_name, kRequired);
}

// The Archive shape; DescribeArchive adds ArchiveArn and the pattern.
void EncodeArchive(Output& out, const events::Archive& archive, bool describe) {
  if (describe) out.Str("ArchiveArn", archive.archive_arn);
  out.Str("ArchiveName", archive.archive_name);
  out.Str("EventSourceArn", archive.event_source_arn);
  if (describe) {
    out.StrIfSet("Description", archive.description);
    out.StrIfSet("EventPattern", archive.event_pattern);
  }
  out.Str("State", archive.state);
  out.StrIfSet("StateReason", archive.state_reason);
  out.Int("RetentionDays", archive.retention_days);
  out.Int("SizeBytes", archive.size_bytes);
  out.Int("EventCount", archive.event_count);
  out.Time("CreationTime", archive.creation_time);
}

void EncodeDescribeArchive(Output& out, const events::DescribeArchiveResult& r) {
  EncodeArchive(out, r, /*describe=*/true);
}

bool DecodeListArchives(Input& in, events::ListArchivesRequest& r) {
  return in.Str("NamePrefix", &r.name_prefix) && in.Str("EventSourceArn", &r.event_source_arn) &&
         in.Str("State", &r.state) && DecodePage(in, r);
}

void EncodeListArchives(Output& out, const events::ListArchivesResult& r) {
  out.List("Archives", r.archives,
           [&](const events::Archive& archive) { EncodeArchive(out, archive, false); });
  out.StrIfSet("NextToken", r.next_token);
}

// ---- Replays ----------------------------------------------------------------

bool DecodeStartReplay(Input& in, events::StartReplayRequest& r) {
  std::optional<absl::Time> start;
  std::optional<absl::Time> end;
  if (!in.Str("ReplayName", &r.replay_name, kRequired) || !in.Str("Description", &r.description) ||
      !in.Str("EventSourceArn", &r.event_source_arn, kRequired) ||
      !in.Time("EventStartTime", &start, kRequired) || !in.Time("EventEndTime", &end, kRequired) ||
      !in.Struct(
          "Destination",
          [&](Input& destination) {
            return destination.Str("Arn", &r.destination.arn, kRequired) &&
                   destination.StrList("FilterArns", &r.destination.filter_arns);
          },
          kRequired)) {
    return false;
  }
  r.event_start_time = *start;
  r.event_end_time = *end;
  return true;
}

void EncodeStartReplay(Output& out, const events::StartReplayResult& r) {
  out.Str("ReplayArn", r.replay_arn);
  out.Str("State", r.state);
  out.StrIfSet("StateReason", r.state_reason);
  out.Time("ReplayStartTime", r.replay_start_time);
}

template <typename Request>
bool DecodeReplayName(Input& in, Request& r) {
  return in.Str("ReplayName", &r.replay_name, kRequired);
}

// The Replay shape; DescribeReplay adds ReplayArn, Description and
// Destination.
void EncodeReplay(Output& out, const events::Replay& replay, bool describe) {
  out.Str("ReplayName", replay.replay_name);
  if (describe) {
    out.Str("ReplayArn", replay.replay_arn);
    out.StrIfSet("Description", replay.description);
  }
  out.Str("EventSourceArn", replay.event_source_arn);
  if (describe) {
    out.BeginStruct("Destination");
    out.Str("Arn", replay.destination.arn);
    if (!replay.destination.filter_arns.empty()) {
      out.StrList("FilterArns", replay.destination.filter_arns);
    }
    out.EndStruct();
  }
  out.Str("State", replay.state);
  out.StrIfSet("StateReason", replay.state_reason);
  out.Time("EventStartTime", replay.event_start_time);
  out.Time("EventEndTime", replay.event_end_time);
  if (replay.event_last_replayed_time) {
    out.Time("EventLastReplayedTime", *replay.event_last_replayed_time);
  }
  out.Time("ReplayStartTime", replay.replay_start_time);
  if (replay.replay_end_time) out.Time("ReplayEndTime", *replay.replay_end_time);
}

void EncodeDescribeReplay(Output& out, const events::DescribeReplayResult& r) {
  EncodeReplay(out, r, /*describe=*/true);
}

bool DecodeListReplays(Input& in, events::ListReplaysRequest& r) {
  return in.Str("NamePrefix", &r.name_prefix) && in.Str("State", &r.state) &&
         in.Str("EventSourceArn", &r.event_source_arn) && DecodePage(in, r);
}

void EncodeListReplays(Output& out, const events::ListReplaysResult& r) {
  out.List("Replays", r.replays,
           [&](const events::Replay& replay) { EncodeReplay(out, replay, false); });
  out.StrIfSet("NextToken", r.next_token);
}

void EncodeCancelReplay(Output& out, const events::CancelReplayResult& r) {
  out.Str("ReplayArn", r.replay_arn);
  out.Str("State", r.state);
  out.StrIfSet("StateReason", r.state_reason);
}

// ---- Tags -------------------------------------------------------------------

template <typename Request>
bool DecodeResourceArn(Input& in, Request& r) {
  return in.Str("ResourceARN", &r.resource_arn, kRequired);
}

bool DecodeTagResource(Input& in, events::TagResourceRequest& r) {
  return DecodeResourceArn(in, r) && Tags(in, &r.tags, kRequired);
}

bool DecodeUntagResource(Input& in, events::UntagResourceRequest& r) {
  return DecodeResourceArn(in, r) && in.StrList("TagKeys", &r.tag_keys, kRequired);
}

}  // namespace

std::shared_ptr<const Api> MakeEventsApi(events::Service& service) {
  return MakeOperationTable(
      kEventsModel, ServiceTarget<S>{service},
      {
          {"CreateEventBus", RunOp<DecodeCreateEventBus, &S::CreateEventBus, EncodeCreateEventBus>},
          {"DeleteEventBus", RunOp<DecodeName<events::DeleteEventBusRequest>, &S::DeleteEventBus>},
          {"DescribeEventBus", RunOp<DecodeDescribeEventBus, &S::DescribeEventBus, EncodeEventBus>},
          {"ListEventBuses", RunOp<DecodeListEventBuses, &S::ListEventBuses, EncodeListEventBuses>},
          {"UpdateEventBus", RunOp<DecodeUpdateEventBus, &S::UpdateEventBus, EncodeUpdateEventBus>},
          {"PutPermission", RunOp<DecodePutPermission, &S::PutPermission>},
          {"RemovePermission", RunOp<DecodeRemovePermission, &S::RemovePermission>},
          {"PutEvents", RunOp<DecodePutEvents, &S::PutEvents, EncodePutEvents>},
          {"TestEventPattern",
           RunOp<DecodeTestEventPattern, &S::TestEventPattern, EncodeTestEventPattern>},
          {"PutRule", RunOp<DecodePutRule, &S::PutRule, EncodePutRule>},
          {"DeleteRule", RunOp<DecodeDeleteRule, &S::DeleteRule>},
          {"DescribeRule", RunOp<DecodeRuleName<events::DescribeRuleRequest>, &S::DescribeRule,
                                 EncodeDescribeRule>},
          {"ListRules", RunOp<DecodeListRules, &S::ListRules, EncodeListRules>},
          {"EnableRule", RunOp<DecodeRuleName<events::EnableRuleRequest>, &S::EnableRule>},
          {"DisableRule", RunOp<DecodeRuleName<events::DisableRuleRequest>, &S::DisableRule>},
          {"PutTargets", RunOp<DecodePutTargets, &S::PutTargets, EncodeFailedTargets>},
          {"RemoveTargets", RunOp<DecodeRemoveTargets, &S::RemoveTargets, EncodeFailedTargets>},
          {"ListTargetsByRule",
           RunOp<DecodeListTargetsByRule, &S::ListTargetsByRule, EncodeListTargetsByRule>},
          {"ListRuleNamesByTarget", RunOp<DecodeListRuleNamesByTarget, &S::ListRuleNamesByTarget,
                                          EncodeListRuleNamesByTarget>},
          {"CreateArchive", RunOp<DecodeCreateArchive, &S::CreateArchive, EncodeArchiveState>},
          {"UpdateArchive", RunOp<DecodeUpdateArchive, &S::UpdateArchive, EncodeArchiveState>},
          {"DescribeArchive", RunOp<DecodeArchiveName<events::DescribeArchiveRequest>,
                                    &S::DescribeArchive, EncodeDescribeArchive>},
          {"ListArchives", RunOp<DecodeListArchives, &S::ListArchives, EncodeListArchives>},
          {"DeleteArchive",
           RunOp<DecodeArchiveName<events::DeleteArchiveRequest>, &S::DeleteArchive>},
          {"StartReplay", RunOp<DecodeStartReplay, &S::StartReplay, EncodeStartReplay>},
          {"DescribeReplay", RunOp<DecodeReplayName<events::DescribeReplayRequest>,
                                   &S::DescribeReplay, EncodeDescribeReplay>},
          {"ListReplays", RunOp<DecodeListReplays, &S::ListReplays, EncodeListReplays>},
          {"CancelReplay", RunOp<DecodeReplayName<events::CancelReplayRequest>, &S::CancelReplay,
                                 EncodeCancelReplay>},
          {"TagResource", RunOp<DecodeTagResource, &S::TagResource>},
          {"UntagResource", RunOp<DecodeUntagResource, &S::UntagResource>},
          {"ListTagsForResource",
           RunOp<DecodeResourceArn<events::ListTagsForResourceRequest>, &S::ListTagsForResource,
                 EncodeListTagsForResource<events::ListTagsForResourceResult>>},
      });
}

}  // namespace wharf::wire
