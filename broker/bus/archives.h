// Archives and replays of the EventBridge core (spec/eventbridge.md §7): an
// archive keeps the events of one bus that match its pattern (for its
// retention period); a replay sends an archive's events of a time window back
// through the bus, one minute of event time per step on the TaskRunner, to
// every rule or to the rules it names.
//
// As on AWS, an archive is filled by a managed rule on its bus,
// "Events-Archive-<archive>" (ManagedBy kArchiveManagedBy): the archive's
// pattern plus "replay-name": [{"exists": false}], so that replayed events are
// not archived again, with one target of kind kArchive. Users see it in
// ListRules and may only remove it with Force (the service checks that); the
// archive then receives nothing more. The rule is not stored: the archive
// makes it again when it is restored.
//
// Identifiers such as ARNs are made by the service layer and kept here as
// given.
//
// Lock order: ArchiveStore::mu_ before ReplayState::mu before
// ArchiveState::mu, and ArchiveStore::mu_ before BusTable's locks.
//
// Thread safety: thread-safe.

#ifndef WHARF_BROKER_BUS_ARCHIVES_H_
#define WHARF_BROKER_BUS_ARCHIVES_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "broker/base/mutex.h"
#include "broker/base/task_runner.h"
#include "broker/bus/bus_table.h"
#include "broker/bus/dispatcher.h"
#include "wharf/clock.h"
#include "wharf/pattern.h"

namespace wharf::bus_internal {

// What AWS names the service owning an archive's rule (RuleSpec::managed_by).
inline constexpr std::string_view kArchiveManagedBy = "prod.vhs.events.aws.internal";

// The name of the managed rule of the archive `archive`.
std::string ArchiveRuleName(std::string_view archive);

struct ArchiveInfo {
  std::string name;
  std::string arn;
  std::string source_arn;  // The archived bus's ARN.
  // Given to CreateArchive and RestoreArchive: the ARNs of the managed rule
  // and of its target (arn:aws:events:<region>:::, as AWS shows it).
  std::string rule_arn;
  std::string rule_target_arn;
  std::string description;
  std::string event_pattern;  // Empty: every event.
  std::string state;          // ENABLED.
  int retention_days = 0;     // 0: forever.
  int64_t size_bytes = 0;
  int64_t event_count = 0;
  absl::Time creation_time;
};

struct ReplayInfo {
  std::string name;
  std::string arn;
  std::string description;
  std::string state;  // STARTING RUNNING CANCELLING COMPLETED CANCELLED FAILED
  std::string state_reason;
  std::string archive_arn;
  std::string destination_arn;           // The archive's bus.
  std::vector<std::string> filter_arns;  // Rule ARNs; empty: every rule.
  absl::Time event_start_time;
  absl::Time event_end_time;  // Exclusive.
  std::optional<absl::Time> event_last_replayed_time;
  absl::Time replay_start_time;
  std::optional<absl::Time> replay_end_time;
};

struct ArchiveState;

// An archived event and its number in its archive (1, 2, ... in ingestion
// order; never reused, even after the event expires).
struct ArchivedEvent {
  uint64_t seq = 0;
  std::shared_ptr<const Event> event;
};

// Durable mode (the service's store): told of every change to what an
// archive holds and to a replay's state or progress, in the order they
// happen: it is called under the lock that orders them (ArchiveState::mu,
// the replay's), so it must not call into the core.
class ArchiveObserver {
 public:
  virtual ~ArchiveObserver() = default;
  virtual void Archived(const ArchiveState& archive, const ArchivedEvent& event) = 0;
  // The event `seq` left `archive` (retention, or the archive was deleted).
  virtual void Dropped(const ArchiveState& archive, uint64_t seq) = 0;
  virtual void ReplayChanged(const ReplayInfo& info) = 0;
};

// One archive, shared with the target of its managed rule.
struct ArchiveState {
  ArchiveState(const ArchiveInfo& info, std::string bus_name, absl::Time creation_time,
               ArchiveObserver* observer)
      : name(info.name),
        arn(info.arn),
        bus_name(std::move(bus_name)),
        source_arn(info.source_arn),
        rule_arn(info.rule_arn),
        rule_target_arn(info.rule_target_arn),
        creation_time(creation_time),
        observer(observer) {}

  // Stores `event`, which its managed rule matched.
  void Store(const std::shared_ptr<const Event>& event, absl::Time now) ABSL_LOCKS_EXCLUDED(mu);
  // The archive as DescribeArchive shows it at `now`.
  ArchiveInfo Describe(absl::Time now) ABSL_LOCKS_EXCLUDED(mu);
  void DropExpired(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);

  const std::string name;
  const std::string arn;
  const std::string bus_name;
  const std::string source_arn;
  const std::string rule_arn;
  const std::string rule_target_arn;
  const absl::Time creation_time;
  ArchiveObserver* const observer;  // Null in memory.

  Mutex mu;
  std::string description ABSL_GUARDED_BY(mu);
  std::string pattern ABSL_GUARDED_BY(mu);  // As given; empty: every event.
  int retention_days ABSL_GUARDED_BY(mu) = 0;
  std::vector<ArchivedEvent> events ABSL_GUARDED_BY(mu);  // Ingestion (and seq) order.
  uint64_t next_seq ABSL_GUARDED_BY(mu) = 1;
  int64_t size_bytes ABSL_GUARDED_BY(mu) = 0;
};

class ArchiveStore {
 public:
  // Every argument must outlive the store.
  ArchiveStore(Clock& clock, TaskRunner& tasks, BusTable& table, Dispatcher& dispatcher,
               int max_concurrent_replays);
  ArchiveStore(const ArchiveStore&) = delete;
  ArchiveStore& operator=(const ArchiveStore&) = delete;

  // Set once, before the store is shared; must outlive it.
  void SetObserver(ArchiveObserver* observer) { observer_ = observer; }

  // `info` names the archive (name, arn, source_arn) and holds its settings
  // (description, event_pattern, retention_days); the rest is the store's.
  // Errors: ResourceNotFoundException (bus), ResourceAlreadyExistsException
  // (the archive, or a rule of its managed rule's name), LimitExceededException
  // (the bus's rules), InvalidEventPatternException.
  absl::StatusOr<ArchiveInfo> CreateArchive(std::string_view bus, const ArchiveInfo& info);
  // Changes the fields that are set (a new pattern makes the managed rule
  // again). Errors: ResourceNotFoundException, InvalidEventPatternException.
  absl::StatusOr<ArchiveInfo> UpdateArchive(std::string_view name,
                                            const std::optional<std::string>& description,
                                            const std::optional<std::string>& event_pattern,
                                            const std::optional<int>& retention_days);
  absl::StatusOr<ArchiveInfo> DescribeArchive(std::string_view name);
  // By name; empty filters match everything.
  std::vector<ArchiveInfo> ListArchives(std::string_view prefix, std::string_view source_arn,
                                        std::string_view state);
  // Removes the archive and its managed rule. Returns the archive removed
  // (for ReinsertArchive).
  absl::StatusOr<std::shared_ptr<ArchiveState>> DeleteArchive(std::string_view name);

  // `replay` names the replay, its archive (by name and ARN, which must be
  // the archive's) and destination; its state and times are the store's.
  // Errors: ResourceAlreadyExistsException, ValidationException (no such
  // archive, another bus as destination), LimitExceededException (too many
  // replays running), ResourceNotFoundException (the bus is gone).
  absl::StatusOr<ReplayInfo> StartReplay(std::string_view archive_name, ReplayInfo replay);
  absl::StatusOr<ReplayInfo> DescribeReplay(std::string_view name);
  // By name; empty filters match everything.
  std::vector<ReplayInfo> ListReplays(std::string_view prefix, std::string_view state,
                                      std::string_view archive_arn);
  // Errors: ResourceNotFoundException, IllegalStatusException (not STARTING
  // or RUNNING).
  absl::StatusOr<ReplayInfo> CancelReplay(std::string_view name);

  // ---- Durable mode: recovery, and undoing a change the store refused.
  // An archive as it was stored (info.creation_time included) with its
  // events (any order); those past retention are dropped. Without the bus
  // `bus` it is kept detached, as DeleteEventBus leaves it. Errors:
  // ResourceAlreadyExistsException, InvalidEventPatternException.
  absl::Status RestoreArchive(std::string_view bus, const ArchiveInfo& info,
                              std::vector<ArchivedEvent> events);
  // Puts back what DeleteArchive returned, with its managed rule.
  void ReinsertArchive(std::shared_ptr<ArchiveState> archive);
  // A replay as it was stored. One that was STARTING or RUNNING resumes
  // after its last replayed event (event_last_replayed_time: every event of
  // that time was sent), one CANCELLING ends CANCELLED; one whose archive is
  // gone ends FAILED. Errors: ResourceAlreadyExistsException.
  absl::Status RestoreReplay(std::string_view archive_name, ReplayInfo info);
  // Forgets the replay `name` (a StartReplay the store refused): it stops
  // before its next step and tells the observer nothing more.
  void AbortReplay(std::string_view name);

 private:
  struct ReplayState;

  absl::StatusOr<std::shared_ptr<ArchiveState>> FindArchive(std::string_view name);
  // Makes the managed rule of `archive` (with `pattern`, the archive's) on
  // its bus, replacing one there. A new one counts against the bus's rules
  // if `check_limit`. Errors: as CreateArchive's, but for the archive's own.
  absl::Status InstallRule(const std::shared_ptr<ArchiveState>& archive, std::string_view pattern,
                           bool check_limit);
  // Removes the managed rule of `archive` if it is there.
  void RemoveRule(const ArchiveState& archive);
  absl::StatusOr<std::shared_ptr<ReplayState>> FindReplay(std::string_view name);
  // Sends the next one-minute bucket of `replay` and schedules the next.
  void RunReplay(std::shared_ptr<ReplayState> replay);

  Clock& clock_;
  TaskRunner& tasks_;
  BusTable& table_;
  Dispatcher& dispatcher_;
  const int max_concurrent_replays_;
  ArchiveObserver* observer_ = nullptr;

  Mutex mu_;
  std::map<std::string, std::shared_ptr<ArchiveState>, std::less<>> archives_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::shared_ptr<ReplayState>, std::less<>> replays_ ABSL_GUARDED_BY(mu_);
};

}  // namespace wharf::bus_internal

#endif  // WHARF_BROKER_BUS_ARCHIVES_H_
