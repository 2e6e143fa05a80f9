// EventsService in durable mode: the documents of buses, rules (with their
// targets), archives, archived events and replays, and their recovery (see
// events_service.h). Kinds and keys:
//   "events.bus"       bus name        description, key identifier, dead-letter
//                                      ARN, resource policy, times, tags
//   "events.rule"      rule ARN        bus, fields, tags, times, targets
//   "events.archive"   archive name    bus, settings, creation time
//   "events.archived"  <archive>/<seq> one archived event (seq: 20 digits)
//   "events.replay"    replay name     every DescribeReplay field
//   "events.retry"     retry id        a delivery waiting for its retry: the
//                                      event, its rule and target, the next
//                                      attempt and its time (20 digits)

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "broker/base/status_macros.h"
#include "broker/bus/schedule_expression.h"
#include "broker/service/events_checks.h"
#include "broker/service/events_service.h"
#include "broker/storage/document.h"
#include "wharf/errors.h"

namespace wharf::service_internal {
namespace {

using events_checks::AfterLast;
using events_checks::kDefaultBus;
using storage_internal::DocumentReader;
using storage_internal::DocumentWriter;
using storage_internal::StoredDocument;

constexpr char kBusDocument[] = "events.bus";
constexpr char kRuleDocument[] = "events.rule";
constexpr char kArchiveDocument[] = "events.archive";
constexpr char kArchivedDocument[] = "events.archived";
constexpr char kReplayDocument[] = "events.replay";
constexpr char kRetryDocument[] = "events.retry";

std::string ArchivedKey(std::string_view archive, uint64_t seq) {
  return absl::StrFormat("%s/%020d", absl::string_view(archive.data(), archive.size()), seq);
}

std::string RetryKey(uint64_t id) { return absl::StrFormat("%020d", id); }

// An event's fields, as archived events and retries keep them.
void WriteEvent(const bus_internal::Event& e, DocumentWriter& doc) {
  doc.String("id", e.id);
  doc.String("envelope", e.envelope);
  doc.Time("time", e.time);
  doc.Time("ingestion_time", e.ingestion_time);
  doc.String("trace_header", e.trace_header);
  doc.Int("hops", e.hops);
}
std::shared_ptr<bus_internal::Event> ReadEvent(DocumentReader& r) {
  auto event = std::make_shared<bus_internal::Event>();
  event->id = r.String("id");
  event->envelope = r.String("envelope");
  event->time = r.Time("time");
  event->ingestion_time = r.Time("ingestion_time");
  event->trace_header = r.String("trace_header");
  event->hops = static_cast<int>(r.Int("hops"));
  return event;
}

std::map<std::string, std::string> ToStdMap(const bus_internal::TagMap& tags) {
  return std::map<std::string, std::string>(tags.begin(), tags.end());
}

absl::Status Refused(absl::string_view what, absl::string_view why) {
  return absl::DataLossError(absl::StrCat("storage: the stored ", what, " is refused: ", why));
}

std::string TargetDocument(const bus_internal::TargetSpec& t) {
  DocumentWriter doc;
  doc.String("id", t.id);
  doc.String("arn", t.arn);
  doc.String("role_arn", t.role_arn);
  if (t.input.has_value()) doc.String("input", *t.input);
  doc.String("input_path", t.input_path);
  if (t.input_transformer.has_value()) {
    doc.StringMap("input_paths_map", t.input_transformer->input_paths_map);
    doc.String("input_template", t.input_transformer->input_template);
  }
  if (t.sqs_message_group_id.has_value()) {
    doc.String("sqs_message_group_id", *t.sqs_message_group_id);
  }
  if (t.dead_letter_arn.has_value()) doc.String("dead_letter_arn", *t.dead_letter_arn);
  if (t.retry_policy.has_value()) {
    doc.Bool("retry_policy", true);
    if (t.retry_policy->maximum_retry_attempts.has_value()) {
      doc.Int("maximum_retry_attempts", *t.retry_policy->maximum_retry_attempts);
    }
    if (t.retry_policy->maximum_event_age_in_seconds.has_value()) {
      doc.Int("maximum_event_age_in_seconds", *t.retry_policy->maximum_event_age_in_seconds);
    }
  }
  return doc.Finish();
}

// The AWS shape of a stored target (the service resolves its ARN again).
events::Target ReadTarget(DocumentReader& r) {
  events::Target t;
  t.id = r.String("id");
  t.arn = r.String("arn");
  t.role_arn = r.String("role_arn");
  t.input = r.OptionalString("input");
  t.input_path = r.String("input_path");
  if (r.Has("input_template")) {
    t.input_transformer =
        events::InputTransformer{r.StringMap("input_paths_map"), r.String("input_template")};
  }
  if (std::optional<std::string> group = r.OptionalString("sqs_message_group_id")) {
    t.sqs_parameters = events::SqsParameters{*std::move(group)};
  }
  if (std::optional<std::string> dlq = r.OptionalString("dead_letter_arn")) {
    t.dead_letter_config = events::DeadLetterConfig{*std::move(dlq)};
  }
  if (r.Has("retry_policy")) {
    events::RetryPolicy policy;
    if (r.Has("maximum_retry_attempts")) {
      policy.maximum_retry_attempts = static_cast<int>(r.Int("maximum_retry_attempts"));
    }
    if (r.Has("maximum_event_age_in_seconds")) {
      policy.maximum_event_age_in_seconds = static_cast<int>(r.Int("maximum_event_age_in_seconds"));
    }
    t.retry_policy = policy;
  }
  return t;
}

}  // namespace

// ---- Journal: archived events and replays ------------------------------------------

void EventsService::Journal::Archived(const bus_internal::ArchiveState& archive,
                                      const bus_internal::ArchivedEvent& archived) {
  DocumentWriter doc;
  WriteEvent(*archived.event, doc);
  store_.Put(kArchivedDocument, ArchivedKey(archive.name, archived.seq), doc.Finish());
}

void EventsService::Journal::Dropped(const bus_internal::ArchiveState& archive, uint64_t seq) {
  store_.Erase(kArchivedDocument, ArchivedKey(archive.name, seq));
}

void EventsService::Journal::ReplayChanged(const bus_internal::ReplayInfo& info) {
  DocumentWriter doc;
  doc.String("arn", info.arn);
  doc.String("description", info.description);
  doc.String("state", info.state);
  doc.String("state_reason", info.state_reason);
  doc.String("archive_arn", info.archive_arn);
  doc.String("destination_arn", info.destination_arn);
  doc.StringList("filter_arns", info.filter_arns);
  doc.Time("event_start_time", info.event_start_time);
  doc.Time("event_end_time", info.event_end_time);
  if (info.event_last_replayed_time.has_value()) {
    doc.Time("event_last_replayed_time", *info.event_last_replayed_time);
  }
  doc.Time("replay_start_time", info.replay_start_time);
  if (info.replay_end_time.has_value()) doc.Time("replay_end_time", *info.replay_end_time);
  store_.Put(kReplayDocument, info.name, doc.Finish());
}

void EventsService::Journal::Forget(const std::string& replay) {
  store_.Erase(kReplayDocument, replay);
}

// Written behind (nobody waits), except inside PutEvents, which commits what
// its first attempts wrote: an acknowledged event waiting for a retry is kept.
void EventsService::Journal::RetryScheduled(const bus_internal::PendingRetry& retry) {
  DocumentWriter doc;
  WriteEvent(*retry.event, doc);
  doc.String("replay_name", retry.event->replay_name);
  doc.String("rule_arn", retry.rule->rule.arn);
  doc.String("target_id", retry.target->spec.id);
  doc.Int("attempt", retry.attempt);
  doc.Time("at", retry.at);
  store_.Put(kRetryDocument, RetryKey(retry.id), doc.Finish());
}

void EventsService::Journal::RetryEnded(uint64_t id) { store_.Erase(kRetryDocument, RetryKey(id)); }

// ---- Configuration documents ------------------------------------------------------

void EventsService::PersistBus(const std::string& name) {
  storage_internal::Store* store = options_.store;
  if (store == nullptr) return;
  absl::StatusOr<bus_internal::BusInfo> info = core_->table().DescribeBus(name);
  absl::StatusOr<bus_internal::TagMap> tags = core_->table().ListTags(name, "");
  if (!info.ok() || !tags.ok()) {
    store->Erase(kBusDocument, name);
    return;
  }
  DocumentWriter doc;
  doc.String("description", info->description);
  doc.String("kms_key_identifier", info->kms_key_identifier);
  if (info->dead_letter_arn.has_value()) doc.String("dead_letter_arn", *info->dead_letter_arn);
  doc.String("policy", info->policy);
  doc.Time("created", info->creation_time);
  doc.Time("last_modified", info->last_modified_time);
  doc.StringMap("tags", ToStdMap(*tags));
  store->Put(kBusDocument, name, doc.Finish());
}

void EventsService::PersistRule(const std::string& bus, const std::string& name) {
  storage_internal::Store* store = options_.store;
  if (store == nullptr) return;
  absl::StatusOr<std::shared_ptr<const bus_internal::RuleEntry>> rule =
      core_->table().GetRule(bus, name);
  if (!rule.ok()) {
    store->Erase(kRuleDocument, RuleArn(bus, name));
    return;
  }
  const bus_internal::RuleSpec& spec = (*rule)->rule;
  DocumentWriter doc;
  doc.String("bus", bus);
  doc.String("name", spec.name);
  doc.String("event_pattern", spec.event_pattern);
  doc.String("schedule_expression", spec.schedule_expression);
  doc.String("state", spec.state);
  doc.String("description", spec.description);
  doc.String("role_arn", spec.role_arn);
  doc.String("managed_by", spec.managed_by);
  doc.StringMap("tags", ToStdMap((*rule)->tags));
  doc.Time("created", (*rule)->created);
  doc.Time("armed_at", (*rule)->armed_at);
  std::vector<std::string> targets;
  for (const auto& target : (*rule)->targets) targets.push_back(TargetDocument(target->spec));
  doc.StringList("targets", targets);
  store->Put(kRuleDocument, spec.arn, doc.Finish());
}

void EventsService::PersistArchive(const std::string& name) {
  storage_internal::Store* store = options_.store;
  if (store == nullptr) return;
  absl::StatusOr<bus_internal::ArchiveInfo> archive = core_->archives().DescribeArchive(name);
  if (!archive.ok()) {
    store->Erase(kArchiveDocument, name);
    return;
  }
  DocumentWriter doc;
  doc.String("arn", archive->arn);
  doc.String("source_arn", archive->source_arn);
  doc.String("description", archive->description);
  doc.String("event_pattern", archive->event_pattern);
  doc.Int("retention_days", archive->retention_days);
  doc.Time("created", archive->creation_time);
  store->Put(kArchiveDocument, name, doc.Finish());
}

absl::Status EventsService::ChangeRule(const std::string& bus, const std::string& rule,
                                       std::optional<bool> force,
                                       absl::FunctionRef<absl::Status()> change) {
  MutexLock admin(&admin_mu_);
  WHARF_RETURN_IF_ERROR(CheckNotManaged(bus, rule, force));
  absl::StatusOr<std::shared_ptr<const bus_internal::RuleEntry>> before =
      core_->table().GetRule(bus, rule);
  WHARF_RETURN_IF_ERROR(change());
  if (options_.store == nullptr) return absl::OkStatus();
  const uint64_t since = Mark();
  PersistRule(bus, rule);
  return CommitOrUndo(since, [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(admin_mu_) {
    core_->table().RestoreRule(bus, rule, before.ok() ? *before : nullptr).IgnoreError();
    PersistRule(bus, rule);  // Written behind, in case the refused batch was a later one.
  });
}

absl::Status EventsService::CommitOrUndo(uint64_t since, absl::FunctionRef<void()> undo) {
  absl::Status committed = Commit(since);
  if (!committed.ok()) undo();
  return committed;
}

// ---- Recovery ---------------------------------------------------------------------

absl::Status EventsService::Recover() {
  storage_internal::Store* store = options_.store;
  if (store == nullptr) return absl::OkStatus();
  MutexLock admin(&admin_mu_);
  const uint64_t since = Mark();
  WHARF_ASSIGN_OR_RETURN(std::vector<StoredDocument> buses, store->LoadDocuments(kBusDocument));
  for (const StoredDocument& doc : buses) {
    const std::string what = absl::StrCat("EventBridge event bus ", doc.name);
    DocumentReader reader(doc.value);
    bus_internal::BusInfo info;
    info.name = doc.name;
    info.description = reader.String("description");
    // Optional: documents written before these settings lack them.
    info.kms_key_identifier = reader.OptionalString("kms_key_identifier").value_or("");
    info.dead_letter_arn = reader.OptionalString("dead_letter_arn");
    info.policy = reader.OptionalString("policy").value_or("");
    info.creation_time = reader.Time("created");
    info.last_modified_time = reader.Time("last_modified");
    std::map<std::string, std::string> tags = reader.StringMap("tags");
    if (!reader.ok()) return reader.Error(what);
    core_->table().RestoreBus(info, bus_internal::TagMap(tags.begin(), tags.end()));
  }
  // The default bus exists from the start: stored once, so that its
  // creation time survives too.
  if (std::none_of(buses.begin(), buses.end(),
                   [](const StoredDocument& doc) { return doc.name == kDefaultBus; })) {
    PersistBus(std::string(kDefaultBus));
  }
  WHARF_RETURN_IF_ERROR(RecoverRules());
  WHARF_RETURN_IF_ERROR(RecoverArchives());
  WHARF_RETURN_IF_ERROR(RecoverRetries());
  // What recovery itself wrote (expired events erased, replays it ended) is
  // durable before the broker is handed out.
  return Commit(since);
}

absl::Status EventsService::RecoverRules() {
  WHARF_ASSIGN_OR_RETURN(std::vector<StoredDocument> rules,
                         options_.store->LoadDocuments(kRuleDocument));
  const absl::Time now = options_.clock->Now();
  for (const StoredDocument& doc : rules) {
    const std::string what = absl::StrCat("EventBridge rule ", doc.name);
    DocumentReader reader(doc.value);
    const std::string bus = reader.String("bus");
    auto entry = std::make_shared<bus_internal::RuleEntry>();
    bus_internal::RuleSpec& spec = entry->rule;
    spec.name = reader.String("name");
    spec.arn = doc.name;
    spec.event_pattern = reader.String("event_pattern");
    spec.schedule_expression = reader.String("schedule_expression");
    spec.state = reader.String("state");
    spec.description = reader.String("description");
    spec.role_arn = reader.String("role_arn");
    spec.managed_by = reader.String("managed_by");
    std::map<std::string, std::string> tags = reader.StringMap("tags");
    entry->created = reader.Time("created");
    entry->armed_at = reader.Time("armed_at");
    const std::vector<std::string> targets = reader.StringList("targets");
    if (!reader.ok()) return reader.Error(what);
    entry->tags = bus_internal::TagMap(tags.begin(), tags.end());
    entry->enabled = spec.state != "DISABLED";
    entry->resume_after = now;
    if (spec.arn != RuleArn(bus, spec.name)) return Refused(what, "another ARN");
    if (!spec.schedule_expression.empty()) {
      absl::StatusOr<bus_internal::ScheduleExpression> schedule =
          bus_internal::ScheduleExpression::Parse(spec.schedule_expression);
      if (!schedule.ok()) return Refused(what, schedule.status().message());
      entry->schedule = *std::move(schedule);
    }
    for (const std::string& target_doc : targets) {
      DocumentReader target_reader(target_doc);
      events::Target target = ReadTarget(target_reader);
      if (!target_reader.ok()) return target_reader.Error(absl::StrCat(what, "'s target"));
      absl::StatusOr<std::shared_ptr<const bus_internal::TargetEntry>> made =
          bus_internal::BusTable::MakeTarget(ToTargetSpec(target));
      if (!made.ok()) return Refused(what, made.status().message());
      entry->targets.push_back(*std::move(made));
    }
    if (!core_->table().FindBus(bus).ok()) return Refused(what, "its event bus is not stored");
    absl::Status restored = core_->table().RestoreRule(bus, spec.name, entry);
    if (GetErrorCode(restored) == ErrorCode::kInvalidEventPattern && entry->enabled) {
      // A pattern an earlier version accepted and this one refuses (one that
      // event-ruler, hence AWS, refuses): the rule comes back DISABLED rather
      // than failing the whole store; PutRule with a valid pattern mends it.
      entry->enabled = false;
      spec.state = "DISABLED";
      restored = core_->table().RestoreRule(bus, spec.name, entry);
    }
    if (!restored.ok()) return Refused(what, restored.message());
  }
  return absl::OkStatus();
}

absl::Status EventsService::RecoverArchives() {
  storage_internal::Store* store = options_.store;
  // Archived events, by archive.
  WHARF_ASSIGN_OR_RETURN(std::vector<StoredDocument> archived,
                         store->LoadDocuments(kArchivedDocument));
  absl::flat_hash_map<std::string, std::vector<bus_internal::ArchivedEvent>> events;
  for (const StoredDocument& doc : archived) {
    const std::string what = absl::StrCat("EventBridge archived event ", doc.name);
    const size_t slash = doc.name.rfind('/');
    uint64_t seq = 0;
    if (slash == std::string::npos || !absl::SimpleAtoi(doc.name.substr(slash + 1), &seq)) {
      return Refused(what, "its key is not <archive>/<number>");
    }
    DocumentReader reader(doc.value);
    std::shared_ptr<bus_internal::Event> event = ReadEvent(reader);
    if (!reader.ok()) return reader.Error(what);
    events[doc.name.substr(0, slash)].push_back({seq, std::move(event)});
  }
  WHARF_ASSIGN_OR_RETURN(std::vector<StoredDocument> archives,
                         store->LoadDocuments(kArchiveDocument));
  for (const StoredDocument& doc : archives) {
    const std::string what = absl::StrCat("EventBridge archive ", doc.name);
    DocumentReader reader(doc.value);
    bus_internal::ArchiveInfo info;
    info.name = doc.name;
    info.arn = reader.String("arn");
    info.source_arn = reader.String("source_arn");
    info.description = reader.String("description");
    info.event_pattern = reader.String("event_pattern");
    info.retention_days = static_cast<int>(reader.Int("retention_days"));
    info.creation_time = reader.Time("created");
    if (!reader.ok()) return reader.Error(what);
    if (info.arn != ArchiveArn(info.name)) return Refused(what, "another ARN");
    NameArchiveRule(AfterLast(info.source_arn, '/'), info);
    std::vector<bus_internal::ArchivedEvent> own;
    if (auto it = events.find(doc.name); it != events.end()) {
      own = std::move(it->second);
      events.erase(it);
    }
    if (absl::Status s = core_->archives().RestoreArchive(
            std::string(AfterLast(info.source_arn, '/')), info, std::move(own));
        !s.ok()) {
      return Refused(what, s.message());
    }
  }
  // Events left by an archive deleted while PutEvents still offered to it.
  for (const auto& [archive, orphans] : events) {
    for (const bus_internal::ArchivedEvent& e : orphans) {
      store->Erase(kArchivedDocument, ArchivedKey(archive, e.seq));
    }
  }
  WHARF_ASSIGN_OR_RETURN(std::vector<StoredDocument> replays,
                         store->LoadDocuments(kReplayDocument));
  for (const StoredDocument& doc : replays) {
    const std::string what = absl::StrCat("EventBridge replay ", doc.name);
    DocumentReader reader(doc.value);
    bus_internal::ReplayInfo info;
    info.name = doc.name;
    info.arn = reader.String("arn");
    info.description = reader.String("description");
    info.state = reader.String("state");
    info.state_reason = reader.String("state_reason");
    info.archive_arn = reader.String("archive_arn");
    info.destination_arn = reader.String("destination_arn");
    info.filter_arns = reader.StringList("filter_arns");
    info.event_start_time = reader.Time("event_start_time");
    info.event_end_time = reader.Time("event_end_time");
    if (reader.Has("event_last_replayed_time")) {
      info.event_last_replayed_time = reader.Time("event_last_replayed_time");
    }
    info.replay_start_time = reader.Time("replay_start_time");
    if (reader.Has("replay_end_time")) info.replay_end_time = reader.Time("replay_end_time");
    if (!reader.ok()) return reader.Error(what);
    const std::string archive(AfterLast(info.archive_arn, '/'));
    if (absl::Status s = core_->archives().RestoreReplay(archive, std::move(info)); !s.ok()) {
      return Refused(what, s.message());
    }
  }
  return absl::OkStatus();
}

absl::Status EventsService::RecoverRetries() {
  storage_internal::Store* store = options_.store;
  WHARF_ASSIGN_OR_RETURN(std::vector<StoredDocument> retries, store->LoadDocuments(kRetryDocument));
  for (const StoredDocument& doc : retries) {
    const std::string what = absl::StrCat("EventBridge retry ", doc.name);
    bus_internal::PendingRetry retry;
    if (!absl::SimpleAtoi(doc.name, &retry.id) || retry.id == 0) {
      return Refused(what, "its key is not a number");
    }
    DocumentReader reader(doc.value);
    std::shared_ptr<bus_internal::Event> event = ReadEvent(reader);
    event->replay_name = reader.String("replay_name");
    const std::string rule_arn = reader.String("rule_arn");
    const std::string target_id = reader.String("target_id");
    retry.attempt = static_cast<int>(reader.Int("attempt"));
    retry.at = reader.Time("at");
    if (!reader.ok()) return reader.Error(what);
    if (retry.attempt < 2) return Refused(what, "its attempt is not a retry");
    retry.event = std::move(event);
    // ".../rule/<name>" on the default bus, ".../rule/<bus>/<name>" on others.
    const std::string_view path = AfterLast(rule_arn, ':');
    const size_t slash = path.rfind('/');
    const std::string name(path.substr(slash + 1));
    const std::string bus = slash > 4 ? std::string(path.substr(5, slash - 5)) : kDefaultBus;
    absl::StatusOr<std::shared_ptr<const bus_internal::RuleEntry>> rule =
        core_->table().GetRule(bus, name);
    if (rule.ok() && (*rule)->rule.arn == rule_arn) {
      for (const auto& target : (*rule)->targets) {
        if (target->spec.id == target_id) retry.target = target;
      }
      retry.rule = *std::move(rule);
    }
    if (retry.target == nullptr) {
      // Its rule or target was removed before the restart: nothing to retry.
      store->Erase(kRetryDocument, doc.name);
      continue;
    }
    core_->dispatcher().RestoreRetry(std::move(retry));
  }
  return absl::OkStatus();
}

}  // namespace wharf::service_internal
