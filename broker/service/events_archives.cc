// EventsService: archives and replays.

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "broker/base/aws_errors.h"
#include "broker/base/status_macros.h"
#include "broker/service/events_checks.h"
#include "broker/service/events_service.h"
#include "wharf/errors.h"
#include "wharf/pattern.h"

namespace wharf::service_internal {

using base_internal::EventsConstraintError;
using base_internal::EventsValidationError;
using events_checks::AfterLast;
using events_checks::CheckLimit;
using events_checks::CheckMaxLength;
using events_checks::CheckName;
using events_checks::PageOf;

namespace {

events::Archive ToArchive(const bus_internal::ArchiveInfo& info) {
  events::Archive a;
  a.archive_arn = info.arn;
  a.archive_name = info.name;
  a.event_source_arn = info.source_arn;
  a.description = info.description;
  a.event_pattern = info.event_pattern;
  a.state = info.state;
  a.retention_days = info.retention_days;
  a.size_bytes = info.size_bytes;
  a.event_count = info.event_count;
  a.creation_time = info.creation_time;
  return a;
}

events::CreateArchiveResult ToArchiveResult(const bus_internal::ArchiveInfo& info) {
  events::CreateArchiveResult result;
  result.archive_arn = info.arn;
  result.state = info.state;
  result.creation_time = info.creation_time;
  return result;
}

events::Replay ToReplay(const bus_internal::ReplayInfo& info) {
  events::Replay r;
  r.replay_name = info.name;
  r.replay_arn = info.arn;
  r.description = info.description;
  r.state = info.state;
  r.state_reason = info.state_reason;
  r.event_source_arn = info.archive_arn;
  r.destination = {info.destination_arn, info.filter_arns};
  r.event_start_time = info.event_start_time;
  r.event_end_time = info.event_end_time;
  r.event_last_replayed_time = info.event_last_replayed_time;
  r.replay_start_time = info.replay_start_time;
  r.replay_end_time = info.replay_end_time;
  return r;
}

}  // namespace

// ---- Archives and replays ---------------------------------------------------------

absl::StatusOr<events::CreateArchiveResult> EventsService::CreateArchive(
    const events::CreateArchiveRequest& request) {
  WHARF_RETURN_IF_ERROR(CheckName(request.archive_name, "archiveName", 48));
  WHARF_RETURN_IF_ERROR(CheckMaxLength(request.description, "description", 512));
  if (request.retention_days.has_value() && *request.retention_days < 0) {
    return EventsConstraintError(absl::StrCat(*request.retention_days), "retentionDays",
                                 "Member must have value greater than or equal to 0");
  }
  if (request.event_source_arn.empty()) {
    return EventsConstraintError("", "eventSourceArn",
                                 "Member must have length greater than or equal to 1");
  }
  WHARF_ASSIGN_OR_RETURN(std::string bus, ResolveBus(request.event_source_arn, "eventSourceArn"));
  if (!request.event_pattern.empty()) {
    WHARF_RETURN_IF_ERROR(ValidatePattern(PatternDialect::kEventBridge, request.event_pattern));
  }
  bus_internal::ArchiveInfo info;
  info.name = request.archive_name;
  info.arn = ArchiveArn(request.archive_name);
  info.source_arn = BusArn(bus);
  info.description = request.description;
  info.event_pattern = request.event_pattern;
  info.retention_days = request.retention_days.value_or(0);
  NameArchiveRule(bus, info);
  MutexLock admin(&admin_mu_);
  WHARF_ASSIGN_OR_RETURN(info, core_->archives().CreateArchive(bus, info));
  const uint64_t since = Mark();
  PersistArchive(info.name);
  WHARF_RETURN_IF_ERROR(CommitOrUndo(since, [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(admin_mu_) {
    core_->archives().DeleteArchive(info.name).IgnoreError();
    PersistArchive(info.name);
  }));
  return ToArchiveResult(info);
}

absl::StatusOr<events::UpdateArchiveResult> EventsService::UpdateArchive(
    const events::UpdateArchiveRequest& request) {
  WHARF_RETURN_IF_ERROR(CheckName(request.archive_name, "archiveName", 48));
  if (!request.description.has_value() && !request.event_pattern.has_value() &&
      !request.retention_days.has_value()) {
    return EventsValidationError(
        "At least one of EventPattern, RetentionDays or Description must be provided.");
  }
  if (request.description.has_value()) {
    WHARF_RETURN_IF_ERROR(CheckMaxLength(*request.description, "description", 512));
  }
  if (request.retention_days.has_value() && *request.retention_days < 0) {
    return EventsConstraintError(absl::StrCat(*request.retention_days), "retentionDays",
                                 "Member must have value greater than or equal to 0");
  }
  if (request.event_pattern.has_value() && !request.event_pattern->empty()) {
    WHARF_RETURN_IF_ERROR(ValidatePattern(PatternDialect::kEventBridge, *request.event_pattern));
  }
  MutexLock admin(&admin_mu_);
  WHARF_ASSIGN_OR_RETURN(bus_internal::ArchiveInfo before,
                         core_->archives().DescribeArchive(request.archive_name));
  WHARF_ASSIGN_OR_RETURN(
      bus_internal::ArchiveInfo info,
      core_->archives().UpdateArchive(request.archive_name, request.description,
                                      request.event_pattern, request.retention_days));
  const uint64_t since = Mark();
  PersistArchive(info.name);
  WHARF_RETURN_IF_ERROR(CommitOrUndo(since, [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(admin_mu_) {
    core_->archives()
        .UpdateArchive(before.name, before.description, before.event_pattern, before.retention_days)
        .IgnoreError();
    PersistArchive(info.name);
  }));
  return ToArchiveResult(info);
}

absl::StatusOr<events::DescribeArchiveResult> EventsService::DescribeArchive(
    const events::DescribeArchiveRequest& request) {
  WHARF_RETURN_IF_ERROR(CheckName(request.archive_name, "archiveName", 48));
  WHARF_ASSIGN_OR_RETURN(bus_internal::ArchiveInfo info,
                         core_->archives().DescribeArchive(request.archive_name));
  return ToArchive(info);
}

absl::StatusOr<events::ListArchivesResult> EventsService::ListArchives(
    const events::ListArchivesRequest& request) {
  WHARF_RETURN_IF_ERROR(CheckLimit(request.limit));
  // An EventSourceArn naming no bus is an error, not an empty list (LocalStack
  // test_list_archive_error_unknown_source_arn, AWS-validated).
  if (!request.event_source_arn.empty()) {
    std::string bus(AfterLast(request.event_source_arn, '/'));
    if (!core_->table().FindBus(bus).ok()) return base_internal::EventBusNotFoundError(bus);
  }
  events::ListArchivesResult result;
  std::vector<events::Archive> archives;
  for (const auto& info : core_->archives().ListArchives(request.name_prefix,
                                                         request.event_source_arn, request.state)) {
    archives.push_back(ToArchive(info));
    archives.back().archive_arn.clear();  // ListArchives omits it, as AWS does.
  }
  result.archives = PageOf(
      std::move(archives), request.next_token, request.limit,
      [](const events::Archive& a) { return a.archive_name; }, &result.next_token);
  return result;
}

absl::Status EventsService::DeleteArchive(const events::DeleteArchiveRequest& request) {
  WHARF_RETURN_IF_ERROR(CheckName(request.archive_name, "archiveName", 48));
  MutexLock admin(&admin_mu_);
  WHARF_ASSIGN_OR_RETURN(std::shared_ptr<bus_internal::ArchiveState> removed,
                         core_->archives().DeleteArchive(request.archive_name));
  if (options_.store == nullptr) return absl::OkStatus();
  const uint64_t since = Mark();
  PersistArchive(removed->name);
  // Its managed rule is not stored, unless a forced change wrote it.
  PersistRule(removed->bus_name, bus_internal::ArchiveRuleName(removed->name));
  {
    // Its events go with it (an event offered concurrently may still be
    // written: recovery erases those of archives that are gone).
    MutexLock lock(&removed->mu);
    for (const bus_internal::ArchivedEvent& e : removed->events) {
      journal_->Dropped(*removed, e.seq);
    }
  }
  return CommitOrUndo(since, [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(admin_mu_) {
    core_->archives().ReinsertArchive(removed);
    PersistArchive(removed->name);
    MutexLock lock(&removed->mu);
    for (const bus_internal::ArchivedEvent& e : removed->events) {
      journal_->Archived(*removed, e);
    }
  });
}

absl::StatusOr<events::StartReplayResult> EventsService::StartReplay(
    const events::StartReplayRequest& request) {
  WHARF_RETURN_IF_ERROR(CheckName(request.replay_name, "replayName", 64));
  WHARF_RETURN_IF_ERROR(CheckMaxLength(request.description, "description", 512));
  if (request.event_start_time >= request.event_end_time) {
    return EventsValidationError(
        "Parameter EventEndTime is not valid. Reason: EventStartTime must be before "
        "EventEndTime.");
  }
  // A destination bus that does not exist is not found, before the
  // cross-bus check (LocalStack test_start_replay_error_unknown_event_bus,
  // AWS-validated).
  if (absl::StrContains(request.destination.arn, ":event-bus/")) {
    std::string bus(AfterLast(request.destination.arn, '/'));
    if (!core_->table().FindBus(bus).ok()) return base_internal::EventBusNotFoundError(bus);
  }
  bus_internal::ReplayInfo info;
  info.name = request.replay_name;
  info.arn = ReplayArn(request.replay_name);
  info.description = request.description;
  info.archive_arn = request.event_source_arn;
  info.destination_arn = request.destination.arn;
  info.filter_arns = request.destination.filter_arns;
  info.event_start_time = request.event_start_time;
  info.event_end_time = request.event_end_time;
  MutexLock admin(&admin_mu_);
  const uint64_t since = Mark();
  WHARF_ASSIGN_OR_RETURN(
      info, core_->archives().StartReplay(AfterLast(request.event_source_arn, '/'), info));
  WHARF_RETURN_IF_ERROR(CommitOrUndo(since, [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(admin_mu_) {
    core_->archives().AbortReplay(info.name);
    journal_->Forget(info.name);
  }));
  events::StartReplayResult result;
  result.replay_arn = info.arn;
  result.state = info.state;
  result.state_reason = info.state_reason;
  result.replay_start_time = info.replay_start_time;
  return result;
}

absl::StatusOr<events::DescribeReplayResult> EventsService::DescribeReplay(
    const events::DescribeReplayRequest& request) {
  WHARF_RETURN_IF_ERROR(CheckName(request.replay_name, "replayName", 64));
  WHARF_ASSIGN_OR_RETURN(bus_internal::ReplayInfo info,
                         core_->archives().DescribeReplay(request.replay_name));
  return ToReplay(info);
}

absl::StatusOr<events::ListReplaysResult> EventsService::ListReplays(
    const events::ListReplaysRequest& request) {
  WHARF_RETURN_IF_ERROR(CheckLimit(request.limit));
  events::ListReplaysResult result;
  std::vector<events::Replay> replays;
  for (const auto& info : core_->archives().ListReplays(request.name_prefix, request.state,
                                                        request.event_source_arn)) {
    replays.push_back(ToReplay(info));
  }
  result.replays = PageOf(
      std::move(replays), request.next_token, request.limit,
      [](const events::Replay& r) { return r.replay_name; }, &result.next_token);
  return result;
}

absl::StatusOr<events::CancelReplayResult> EventsService::CancelReplay(
    const events::CancelReplayRequest& request) {
  WHARF_RETURN_IF_ERROR(CheckName(request.replay_name, "replayName", 64));
  const uint64_t since = Mark();
  WHARF_ASSIGN_OR_RETURN(bus_internal::ReplayInfo info,
                         core_->archives().CancelReplay(request.replay_name));
  // The cancellation holds in memory either way (a replay is not resumed).
  WHARF_RETURN_IF_ERROR(Commit(since));
  events::CancelReplayResult result;
  result.replay_arn = info.arn;
  result.state = info.state;
  result.state_reason = info.state_reason;
  return result;
}

}  // namespace wharf::service_internal
