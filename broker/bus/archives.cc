#include "broker/bus/archives.h"

#include <algorithm>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "broker/base/aws_errors.h"
#include "broker/bus/event_envelope.h"
#include "wharf/errors.h"

namespace wharf::bus_internal {
namespace {

absl::string_view Sv(std::string_view s) { return absl::string_view(s.data(), s.size()); }

constexpr std::string_view kNotReplayed = R"("replay-name":[{"exists":false}])";

bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// The managed rule's pattern: the archive's (a non-empty object, or empty for
// every event) with kNotReplayed as one more field, spliced into the text so
// that the user's numbers stay as written. A pattern that does not end an
// object is returned as is, for the matcher to refuse.
std::string ManagedPattern(std::string_view pattern) {
  size_t end = pattern.size();
  while (end > 0 && IsJsonSpace(pattern[end - 1])) --end;
  if (end == 0) return absl::StrCat("{", Sv(kNotReplayed), "}");
  if (pattern[end - 1] != '}') return std::string(pattern);
  return absl::StrCat(Sv(pattern.substr(0, end - 1)), ",", Sv(kNotReplayed), "}");
}

// Gives `archive` the settings of `info`.
void Configure(ArchiveState& archive, const ArchiveInfo& info)
    ABSL_EXCLUSIVE_LOCKS_REQUIRED(archive.mu) {
  archive.description = info.description;
  archive.pattern = info.event_pattern;
  archive.retention_days = info.retention_days;
}

// What CreateArchive and UpdateArchive report: the archive's identity and
// state (its events are not looked at, so none expire here).
ArchiveInfo Created(const ArchiveState& archive) {
  ArchiveInfo info;
  info.name = archive.name;
  info.arn = archive.arn;
  info.source_arn = archive.source_arn;
  info.state = "ENABLED";
  info.creation_time = archive.creation_time;
  return info;
}

bool IsActive(std::string_view state) {
  return state == "STARTING" || state == "RUNNING" || state == "CANCELLING";
}

}  // namespace

std::string ArchiveRuleName(std::string_view archive) {
  return absl::StrCat("Events-Archive-", Sv(archive));
}

// ---- ArchiveState -----------------------------------------------------------

void ArchiveState::DropExpired(absl::Time now) {
  if (retention_days <= 0) return;
  absl::Time cutoff = now - absl::Hours(24) * retention_days;
  auto keep = std::find_if(events.begin(), events.end(),
                           [&](const auto& e) { return e.event->ingestion_time >= cutoff; });
  for (auto it = events.begin(); it != keep; ++it) {
    size_bytes -= static_cast<int64_t>(it->event->envelope.size());
    if (observer != nullptr) observer->Dropped(*this, it->seq);
  }
  events.erase(events.begin(), keep);
}

ArchiveInfo ArchiveState::Describe(absl::Time now) {
  MutexLock lock(&mu);
  DropExpired(now);
  ArchiveInfo a;
  a.name = name;
  a.arn = arn;
  a.source_arn = source_arn;
  a.description = description;
  a.event_pattern = pattern;
  a.state = "ENABLED";
  a.retention_days = retention_days;
  a.size_bytes = size_bytes;
  a.event_count = static_cast<int64_t>(events.size());
  a.creation_time = creation_time;
  return a;
}

void ArchiveState::Store(const std::shared_ptr<const Event>& event, absl::Time now) {
  MutexLock lock(&mu);
  DropExpired(now);
  events.push_back({next_seq++, event});
  size_bytes += static_cast<int64_t>(event->envelope.size());
  if (observer != nullptr) observer->Archived(*this, events.back());
}

// ---- ArchiveStore -----------------------------------------------------------

struct ArchiveStore::ReplayState {
  std::shared_ptr<ArchiveState> archive;
  std::weak_ptr<Bus> bus;

  Mutex mu;
  ReplayInfo info ABSL_GUARDED_BY(mu);
  bool cancel_requested ABSL_GUARDED_BY(mu) = false;
  // Filled when the replay starts running: the events to send, by event time.
  std::vector<std::shared_ptr<const Event>> pending ABSL_GUARDED_BY(mu);
  size_t next ABSL_GUARDED_BY(mu) = 0;
  bool loaded ABSL_GUARDED_BY(mu) = false;
  // Restored after a restart: the events up to this time were sent.
  std::optional<absl::Time> resume_after ABSL_GUARDED_BY(mu);
  bool aborted ABSL_GUARDED_BY(mu) = false;  // AbortReplay: silent from now on.
};

ArchiveStore::ArchiveStore(Clock& clock, TaskRunner& tasks, BusTable& table, Dispatcher& dispatcher,
                           int max_concurrent_replays)
    : clock_(clock),
      tasks_(tasks),
      table_(table),
      dispatcher_(dispatcher),
      max_concurrent_replays_(max_concurrent_replays) {}

absl::StatusOr<std::shared_ptr<ArchiveState>> ArchiveStore::FindArchive(std::string_view name) {
  MutexLock lock(&mu_);
  auto it = archives_.find(name);
  if (it == archives_.end()) return base_internal::ArchiveNotFoundError(name);
  return it->second;
}

absl::StatusOr<ArchiveInfo> ArchiveStore::CreateArchive(std::string_view bus_name,
                                                        const ArchiveInfo& info) {
  if (auto bus = table_.FindBus(bus_name); !bus.ok()) return bus.status();
  auto archive =
      std::make_shared<ArchiveState>(info, std::string(bus_name), clock_.Now(), observer_);
  {
    MutexLock lock(&archive->mu);
    Configure(*archive, info);
  }
  MutexLock lock(&mu_);
  if (archives_.count(info.name) > 0) {
    return base_internal::EventsAlreadyExistsError("Archive", info.name);
  }
  if (auto rule = table_.GetRule(bus_name, ArchiveRuleName(info.name)); rule.ok()) {
    return base_internal::EventsAlreadyExistsError("Rule", (*rule)->rule.name);
  }
  if (absl::Status s = InstallRule(archive, info.event_pattern, /*check_limit=*/true); !s.ok()) {
    return s;
  }
  archives_.emplace(info.name, archive);
  return Created(*archive);
}

absl::Status ArchiveStore::InstallRule(const std::shared_ptr<ArchiveState>& archive,
                                       std::string_view pattern, bool check_limit) {
  auto entry = std::make_shared<RuleEntry>();
  auto current = table_.GetRule(archive->bus_name, ArchiveRuleName(archive->name));
  if (current.ok()) {
    *entry = **current;  // Keeps its creation time, tags and counters.
  } else {
    entry->created = clock_.Now();
    entry->armed_at = entry->created;
  }
  entry->rule = RuleSpec{};
  entry->rule.name = ArchiveRuleName(archive->name);
  entry->rule.arn = archive->rule_arn;
  entry->rule.event_pattern = ManagedPattern(pattern);
  entry->rule.state = "ENABLED";
  entry->rule.managed_by = std::string(kArchiveManagedBy);
  entry->enabled = true;
  TargetSpec target;
  target.id = entry->rule.name;
  target.arn = archive->rule_target_arn;
  target.kind = TargetSpec::Kind::kArchive;
  target.resource = archive->name;
  // What AWS shows; the archive keeps the event itself, not this text.
  target.input_transformer = InputTransformerSpec{
      {},
      absl::StrCat(R"({"archive-arn": ")", archive->arn,
                   R"(", "event": <aws.events.event.json>, "ingestion-time": )",
                   R"(<aws.events.event.ingestion-time>})")};
  auto made = BusTable::MakeTarget(target);
  if (!made.ok()) return made.status();
  auto filled = std::make_shared<TargetEntry>(**made);
  filled->archive = archive;
  entry->targets = {std::move(filled)};
  return check_limit ? table_.PutManagedRule(archive->bus_name, std::move(entry))
                     : table_.RestoreRule(archive->bus_name, ArchiveRuleName(archive->name),
                                          std::move(entry));
}

void ArchiveStore::RemoveRule(const ArchiveState& archive) {
  const std::string name = ArchiveRuleName(archive.name);
  auto rule = table_.GetRule(archive.bus_name, name);
  if (rule.ok() && (*rule)->rule.managed_by == kArchiveManagedBy) {
    table_.RestoreRule(archive.bus_name, name, nullptr).IgnoreError();
  }
}

absl::StatusOr<ArchiveInfo> ArchiveStore::UpdateArchive(
    std::string_view name, const std::optional<std::string>& description,
    const std::optional<std::string>& event_pattern, const std::optional<int>& retention_days) {
  MutexLock store_lock(&mu_);
  auto it = archives_.find(name);
  if (it == archives_.end()) return base_internal::ArchiveNotFoundError(name);
  const std::shared_ptr<ArchiveState>& archive = it->second;
  if (event_pattern.has_value()) {
    // Made again even if it was removed (with Force): the archive is in use.
    if (absl::Status s = InstallRule(archive, *event_pattern, /*check_limit=*/false); !s.ok()) {
      return s;
    }
  }
  MutexLock lock(&archive->mu);
  if (description.has_value()) archive->description = *description;
  if (retention_days.has_value()) archive->retention_days = *retention_days;
  if (event_pattern.has_value()) archive->pattern = *event_pattern;
  return Created(*archive);
}

absl::StatusOr<ArchiveInfo> ArchiveStore::DescribeArchive(std::string_view name) {
  auto archive = FindArchive(name);
  if (!archive.ok()) return archive.status();
  return (*archive)->Describe(clock_.Now());
}

std::vector<ArchiveInfo> ArchiveStore::ListArchives(std::string_view prefix,
                                                    std::string_view source_arn,
                                                    std::string_view state) {
  std::vector<std::shared_ptr<ArchiveState>> archives;
  {
    MutexLock lock(&mu_);
    for (const auto& [name, archive] : archives_) {
      if (!absl::StartsWith(name, Sv(prefix))) continue;
      if (!source_arn.empty() && archive->source_arn != source_arn) continue;
      archives.push_back(archive);
    }
  }
  std::vector<ArchiveInfo> out;
  for (const auto& archive : archives) {
    ArchiveInfo a = archive->Describe(clock_.Now());
    if (!state.empty() && a.state != state) continue;
    out.push_back(std::move(a));
  }
  return out;
}

absl::StatusOr<std::shared_ptr<ArchiveState>> ArchiveStore::DeleteArchive(std::string_view name) {
  MutexLock lock(&mu_);
  auto it = archives_.find(name);
  if (it == archives_.end()) return base_internal::ArchiveNotFoundError(name);
  std::shared_ptr<ArchiveState> archive = it->second;
  archives_.erase(it);
  RemoveRule(*archive);
  return archive;
}

void ArchiveStore::ReinsertArchive(std::shared_ptr<ArchiveState> archive) {
  MutexLock lock(&mu_);
  std::string pattern;
  {
    MutexLock archive_lock(&archive->mu);
    pattern = archive->pattern;
  }
  // Its pattern was accepted before; only a deleted bus stops it.
  InstallRule(archive, pattern, /*check_limit=*/false).IgnoreError();
  archives_.emplace(archive->name, std::move(archive));
}

absl::Status ArchiveStore::RestoreArchive(std::string_view bus_name, const ArchiveInfo& info,
                                          std::vector<ArchivedEvent> events) {
  auto archive =
      std::make_shared<ArchiveState>(info, std::string(bus_name), info.creation_time, observer_);
  {
    MutexLock lock(&archive->mu);
    Configure(*archive, info);
    std::sort(events.begin(), events.end(),
              [](const auto& a, const auto& b) { return a.seq < b.seq; });
    for (const ArchivedEvent& e : events) {
      archive->size_bytes += static_cast<int64_t>(e.event->envelope.size());
    }
    if (!events.empty()) archive->next_seq = events.back().seq + 1;
    archive->events = std::move(events);
    archive->DropExpired(clock_.Now());
  }
  MutexLock lock(&mu_);
  if (archives_.count(info.name) > 0) {
    return base_internal::EventsAlreadyExistsError("Archive", info.name);
  }
  // An archive outlives its bus (DeleteEventBus keeps it, detached, with no
  // rule to fill it).
  if (table_.FindBus(bus_name).ok()) {
    if (absl::Status s = InstallRule(archive, info.event_pattern, /*check_limit=*/false); !s.ok()) {
      return s;
    }
  }
  archives_.emplace(info.name, archive);
  return absl::OkStatus();
}

// ---- Replays ------------------------------------------------------------------

absl::StatusOr<std::shared_ptr<ArchiveStore::ReplayState>> ArchiveStore::FindReplay(
    std::string_view name) {
  MutexLock lock(&mu_);
  auto it = replays_.find(name);
  if (it == replays_.end()) return base_internal::ReplayNotFoundError(name);
  return it->second;
}

absl::StatusOr<ReplayInfo> ArchiveStore::StartReplay(std::string_view archive_name,
                                                     ReplayInfo info) {
  auto replay = std::make_shared<ReplayState>();
  ReplayInfo started;
  {
    MutexLock lock(&mu_);
    if (replays_.count(info.name) > 0) {
      return base_internal::EventsAlreadyExistsError("Replay", info.name);
    }
    auto archive = archives_.find(archive_name);
    if (archive == archives_.end() || archive->second->arn != info.archive_arn) {
      return base_internal::EventsValidationError(
          absl::StrCat("Parameter EventSourceArn is not valid. Reason: Archive ", Sv(archive_name),
                       " does not exist."));
    }
    if (info.destination_arn != archive->second->source_arn) {
      return base_internal::EventsValidationError(
          "Parameter Destination.Arn is not valid. Reason: Cross event bus replay is not "
          "permitted.");
    }
    int active = 0;
    for (const auto& [name, r] : replays_) {
      MutexLock replay_lock(&r->mu);
      if (IsActive(r->info.state)) ++active;
    }
    if (active >= max_concurrent_replays_) return base_internal::EventsLimitExceededError();
    auto bus = table_.FindBus(archive->second->bus_name);
    if (!bus.ok()) return bus.status();
    replay->archive = archive->second;
    replay->bus = *bus;
    MutexLock replay_lock(&replay->mu);
    info.state = "STARTING";
    info.replay_start_time = clock_.Now();
    replay->info = info;
    started = info;
    replays_.emplace(info.name, replay);
    if (observer_ != nullptr) observer_->ReplayChanged(info);
  }
  tasks_.ScheduleAt(clock_.Now(), [this, replay] { RunReplay(replay); });
  return started;
}

void ArchiveStore::RunReplay(std::shared_ptr<ReplayState> replay) {
  // One call sends one one-minute bucket of event time, then schedules the
  // next, so CancelReplay takes effect between buckets.
  std::vector<std::shared_ptr<const Event>> bucket;
  std::vector<std::string> filter;
  std::string replay_name;
  {
    MutexLock lock(&replay->mu);
    if (replay->aborted) return;
    ReplayInfo& info = replay->info;
    if (!replay->loaded) {
      replay->loaded = true;
      // A replay cancelled before it ran goes straight to CANCELLED below.
      if (!replay->cancel_requested) info.state = "RUNNING";
      MutexLock archive_lock(&replay->archive->mu);
      for (const ArchivedEvent& archived : replay->archive->events) {
        const auto& e = archived.event;
        if (e->time >= info.event_start_time && e->time < info.event_end_time &&
            (!replay->resume_after.has_value() || e->time > *replay->resume_after)) {
          replay->pending.push_back(e);
        }
      }
      std::stable_sort(replay->pending.begin(), replay->pending.end(),
                       [](const auto& a, const auto& b) { return a->time < b->time; });
    }
    if (replay->cancel_requested) {
      info.state = "CANCELLED";
      info.replay_end_time = clock_.Now();
      if (observer_ != nullptr) observer_->ReplayChanged(info);
      return;
    }
    if (replay->next < replay->pending.size()) {
      // IDivDuration writes the remainder unconditionally: it must not be null.
      absl::Duration remainder;
      absl::Time bucket_end = info.event_start_time +
                              absl::Minutes(absl::IDivDuration(replay->pending[replay->next]->time -
                                                                   info.event_start_time,
                                                               absl::Minutes(1), &remainder) +
                                            1);
      while (replay->next < replay->pending.size() &&
             replay->pending[replay->next]->time < bucket_end) {
        bucket.push_back(replay->pending[replay->next++]);
      }
    }
    filter = info.filter_arns;
    replay_name = info.name;
  }
  std::shared_ptr<Bus> bus = replay->bus.lock();
  if (bus != nullptr) {
    for (const auto& archived : bucket) {
      auto event = std::make_shared<Event>(*archived);
      event->replay_name = replay_name;
      event->envelope = WithReplayName(archived->envelope, replay_name);
      event->ingestion_time = clock_.Now();
      event->hops = 0;
      dispatcher_.Dispatch(*bus, event, filter.empty() ? nullptr : &filter);
    }
  }
  MutexLock lock(&replay->mu);
  if (replay->aborted) return;
  if (!bucket.empty()) replay->info.event_last_replayed_time = bucket.back()->time;
  if (replay->next < replay->pending.size() && !replay->cancel_requested) {
    // Progress is written behind: a crash before it is stored sends this
    // bucket again after the restart (replays are at least once).
    if (observer_ != nullptr && !bucket.empty()) observer_->ReplayChanged(replay->info);
    tasks_.ScheduleAt(clock_.Now(), [this, replay] { RunReplay(replay); });
    return;
  }
  replay->info.state = replay->cancel_requested ? "CANCELLED" : "COMPLETED";
  replay->info.replay_end_time = clock_.Now();
  replay->pending.clear();
  if (observer_ != nullptr) observer_->ReplayChanged(replay->info);
}

absl::Status ArchiveStore::RestoreReplay(std::string_view archive_name, ReplayInfo info) {
  auto replay = std::make_shared<ReplayState>();
  bool resume = false;
  {
    MutexLock lock(&mu_);
    if (replays_.count(info.name) > 0) {
      return base_internal::EventsAlreadyExistsError("Replay", info.name);
    }
    auto archive = archives_.find(archive_name);
    absl::StatusOr<std::shared_ptr<Bus>> bus =
        archive == archives_.end() ? absl::StatusOr<std::shared_ptr<Bus>>(
                                         base_internal::ArchiveNotFoundError(archive_name))
                                   : table_.FindBus(archive->second->bus_name);
    MutexLock replay_lock(&replay->mu);
    if (IsActive(info.state)) {
      if (info.state == "CANCELLING") {
        info.state = "CANCELLED";
      } else if (!bus.ok()) {
        info.state = "FAILED";
        info.state_reason = "The archive or its event bus was deleted while the replay ran.";
      } else {
        resume = true;
        replay->archive = archive->second;
        replay->bus = *bus;
        replay->resume_after = info.event_last_replayed_time;
      }
      if (!resume) {
        info.replay_end_time = clock_.Now();
        if (observer_ != nullptr) observer_->ReplayChanged(info);
      }
    }
    replay->info = std::move(info);
    replays_.emplace(replay->info.name, replay);
  }
  if (resume) tasks_.ScheduleAt(clock_.Now(), [this, replay] { RunReplay(replay); });
  return absl::OkStatus();
}

void ArchiveStore::AbortReplay(std::string_view name) {
  MutexLock lock(&mu_);
  auto it = replays_.find(name);
  if (it == replays_.end()) return;
  {
    MutexLock replay_lock(&it->second->mu);
    it->second->aborted = true;
  }
  replays_.erase(it);
}

absl::StatusOr<ReplayInfo> ArchiveStore::DescribeReplay(std::string_view name) {
  auto replay = FindReplay(name);
  if (!replay.ok()) return replay.status();
  MutexLock lock(&(*replay)->mu);
  return (*replay)->info;
}

std::vector<ReplayInfo> ArchiveStore::ListReplays(std::string_view prefix, std::string_view state,
                                                  std::string_view archive_arn) {
  std::vector<ReplayInfo> out;
  MutexLock lock(&mu_);
  for (const auto& [name, replay] : replays_) {
    if (!absl::StartsWith(name, Sv(prefix))) continue;
    MutexLock replay_lock(&replay->mu);
    if (!state.empty() && replay->info.state != state) continue;
    if (!archive_arn.empty() && replay->info.archive_arn != archive_arn) continue;
    out.push_back(replay->info);
  }
  return out;
}

absl::StatusOr<ReplayInfo> ArchiveStore::CancelReplay(std::string_view name) {
  auto replay = FindReplay(name);
  if (!replay.ok()) return replay.status();
  MutexLock lock(&(*replay)->mu);
  ReplayInfo& info = (*replay)->info;
  if (info.state != "STARTING" && info.state != "RUNNING") {
    return MakeError(
        ErrorCode::kEventsIllegalStatus,
        absl::StrCat("Replay ", info.name, " is not in a valid state for this operation."));
  }
  (*replay)->cancel_requested = true;
  info.state = "CANCELLING";
  if (observer_ != nullptr) observer_->ReplayChanged(info);
  return info;
}

}  // namespace wharf::bus_internal
