// The EventBridge core's state: event buses, their rules, the rules' targets
// and the tags of buses and rules (spec/eventbridge.md §3, §4). The service
// layer (broker/service/events_service.h) validates AWS parameters, makes the
// ARNs and resolves target ARNs before it calls in; this layer keeps the
// tables consistent. Dispatch (dispatcher.h), archives and replays
// (archives.h) and scheduled rules (schedules.h) read them.
//
// Invariants: a rule's pattern is in its bus's Matcher iff the rule is enabled
// and has a pattern. Every change to a rule replaces its RuleEntry (entries are
// immutable); PutRule, EnableRule and DisableRule give the new entry a new
// generation, while target and tag changes keep it. A scheduled rule's timer
// chain belongs to one generation and stops when it is superseded.
//
// Lock order: BusTable::mu_ before Bus::mu. The schedule hook runs with no
// lock held.
//
// Thread safety: thread-safe.

#ifndef WHARF_BROKER_BUS_BUS_TABLE_H_
#define WHARF_BROKER_BUS_BUS_TABLE_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "broker/base/mutex.h"
#include "broker/bus/input_transformer.h"
#include "broker/bus/rule_stats.h"
#include "broker/bus/schedule_expression.h"
#include "broker/bus/target.h"
#include "wharf/clock.h"
#include "wharf/pattern.h"

namespace wharf::bus_internal {

// A resource's tags, by key.
using TagMap = std::map<std::string, std::string, std::less<>>;
// Tags as given, in order; a later pair overrides an earlier one with the
// same key.
using TagList = std::vector<std::pair<std::string, std::string>>;
// The EventBridge quota of tags on one event bus or rule.
inline constexpr size_t kMaxTagsPerResource = 50;
// The EventBridge quota of targets on one rule.
inline constexpr size_t kMaxTargetsPerRule = 5;

struct BusInfo {
  std::string name;
  std::string description;
  std::string kms_key_identifier;
  std::optional<std::string> dead_letter_arn;
  std::string policy;  // The resource policy (JSON); empty: none.
  absl::Time creation_time;
  absl::Time last_modified_time;
};

// A rule's fields as the service gave them.
struct RuleSpec {
  std::string name;
  std::string arn;  // Made by the service; carried into deliveries.
  std::string event_pattern;
  std::string schedule_expression;
  std::string state;  // ENABLED | DISABLED | ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS
  std::string description;
  std::string role_arn;
  std::string managed_by;
};

struct ArchiveState;  // archives.h

struct TargetEntry {
  TargetSpec spec;
  std::shared_ptr<const TargetInput> input;
  std::shared_ptr<ArchiveState> archive;  // kArchive: the archive the rule fills.
};

struct RuleEntry {
  RuleSpec rule;
  TagMap tags;
  bool enabled = true;
  std::optional<ScheduleExpression> schedule;
  std::vector<std::shared_ptr<const TargetEntry>> targets;  // Sorted by id.
  uint64_t generation = 0;
  absl::Time created;
  // A scheduled rule's rate() firings are armed_at + k * period: the time of
  // the PutRule, EnableRule or DisableRule that made this generation.
  absl::Time armed_at;
  // A rule restored after a restart skips the firings due up to this time
  // (missed while the process was down: AWS does not backfill them).
  absl::Time resume_after = absl::InfinitePast();
  // The rule's counters, shared by all its entries; null when metrics are off.
  std::shared_ptr<RuleStats> stats;
};

// One event bus. The table shares it with dispatches, replays and timers in
// progress, which keep using it after the bus is deleted.
class Bus {
 public:
  Bus(BusInfo info, std::unique_ptr<Matcher> matcher, TagMap tags)
      : name(info.name),
        matcher(std::move(matcher)),
        info(std::move(info)),
        tags(std::move(tags)) {}

  const std::string name;
  // Patterns of the enabled rules, under the rule names. Thread-safe itself;
  // changed only with `mu` held so that it agrees with `rules`.
  const std::unique_ptr<Matcher> matcher;

  Mutex mu;
  BusInfo info ABSL_GUARDED_BY(mu);  // Its name is `name`.
  std::map<std::string, std::shared_ptr<const RuleEntry>, std::less<>> rules ABSL_GUARDED_BY(mu);
  TagMap tags ABSL_GUARDED_BY(mu);  // The bus's own; a rule's are in its RuleEntry.
};

class BusTable {
 public:
  struct Limits {
    int max_event_buses = 100;
    int max_rules_per_event_bus = 300;
  };
  // One rule's counters, for the metrics.
  struct RuleStatsRef {
    std::string bus;
    std::string rule;
    std::shared_ptr<const RuleStats> stats;
  };
  // Called with no lock held after PutRule, EnableRule or DisableRule made
  // `rule` the current entry of an enabled rule with a schedule.
  using ScheduleHook =
      std::function<void(const std::shared_ptr<Bus>& bus, std::shared_ptr<const RuleEntry> rule)>;

  // `clock` must outlive the table. `metrics`: rules keep RuleStats.
  BusTable(Clock& clock, Limits limits, bool metrics);
  BusTable(const BusTable&) = delete;
  BusTable& operator=(const BusTable&) = delete;

  // Set once, before the table is shared.
  void SetScheduleHook(ScheduleHook hook) { schedule_hook_ = std::move(hook); }

  // ---- Buses. Errors: ResourceAlreadyExistsException, LimitExceededException
  // (too many buses or tags), ResourceNotFoundException.
  // `info` gives the name and settings; the times are the clock's.
  absl::StatusOr<BusInfo> CreateBus(BusInfo info, const TagList& tags);
  // Unknown names are ignored. Returns the bus removed (null: none).
  std::shared_ptr<Bus> DeleteBus(std::string_view name);
  absl::StatusOr<std::shared_ptr<Bus>> FindBus(std::string_view name) const;
  // By name.
  std::vector<BusInfo> ListBuses(std::string_view prefix) const;
  absl::StatusOr<BusInfo> DescribeBus(std::string_view name) const;
  // Runs `change` on a copy of the bus's settings (it must keep the name and
  // may fail) and makes the copy current, modified now. Returns it.
  absl::StatusOr<BusInfo> UpdateBus(std::string_view name,
                                    absl::FunctionRef<absl::Status(BusInfo&)> change);

  // ---- Rules. `rule` carries the validated fields; `schedule` is parsed
  // already. `tags` are the new rule's; a rule that exists keeps its own.
  // Errors: ResourceNotFoundException (bus, rule), LimitExceededException,
  // InvalidEventPatternException, ValidationException (delete with targets).
  absl::Status PutRule(std::string_view bus, RuleSpec rule,
                       std::optional<ScheduleExpression> schedule, const TagList& tags);
  // Deleting an unknown rule succeeds.
  absl::Status DeleteRule(std::string_view bus, std::string_view name);
  absl::StatusOr<RuleSpec> DescribeRule(std::string_view bus, std::string_view name) const;
  // By name.
  absl::StatusOr<std::vector<RuleSpec>> ListRules(std::string_view bus,
                                                  std::string_view prefix) const;
  absl::Status SetRuleEnabled(std::string_view bus, std::string_view name, bool enabled);

  // ---- Targets. Errors: ResourceNotFoundException, LimitExceededException
  // (more than kMaxTargetsPerRule), ValidationException (input shaping).
  absl::Status PutTargets(std::string_view bus, std::string_view rule,
                          const std::vector<TargetSpec>& targets);
  absl::Status RemoveTargets(std::string_view bus, std::string_view rule,
                             const std::vector<std::string>& ids);
  // By id.
  absl::StatusOr<std::vector<TargetSpec>> ListTargets(std::string_view bus,
                                                      std::string_view rule) const;
  // By rule name.
  absl::StatusOr<std::vector<std::string>> ListRuleNamesByTarget(std::string_view bus,
                                                                 std::string_view target_arn) const;

  // ---- Tags of the bus `bus` (when `rule` is empty) or the rule `rule` on
  // it. TagResource fails with LimitExceededException (and changes nothing)
  // when the resource would end up with more than kMaxTagsPerResource tags.
  absl::Status TagResource(std::string_view bus, std::string_view rule, const TagList& tags);
  absl::Status UntagResource(std::string_view bus, std::string_view rule,
                             const std::vector<std::string>& keys);
  absl::StatusOr<TagMap> ListTags(std::string_view bus, std::string_view rule) const;

  // ---- Durable mode: recovery, and undoing a change the store refused.
  // Makes `info` and `tags` the bus `info.name`, replacing one of that name
  // (with its rules and archives: call it before restoring those).
  void RestoreBus(const BusInfo& info, TagMap tags);
  // Puts back the bus object DeleteBus returned, with its rules and archives.
  void ReinsertBus(std::shared_ptr<Bus> bus);
  absl::Status SetBusTags(std::string_view bus, TagMap tags);
  absl::Status SetBusInfo(const BusInfo& info);
  // The current entry of a rule.
  absl::StatusOr<std::shared_ptr<const RuleEntry>> GetRule(std::string_view bus,
                                                           std::string_view name) const;
  // Makes a copy of `entry` the current entry of rule entry->rule.name under
  // a new generation, or (null `entry`) removes the rule `name` even with
  // targets. A scheduled rule is armed again on its phase (armed_at); firings
  // due up to entry->resume_after are skipped.
  absl::Status RestoreRule(std::string_view bus, std::string_view name,
                           std::shared_ptr<const RuleEntry> entry);
  // RestoreRule for a rule the core manages (an archive's): a new one counts
  // against the bus's rules (LimitExceededException).
  absl::Status PutManagedRule(std::string_view bus, std::shared_ptr<const RuleEntry> entry);
  // A target as PutTargets keeps it. Errors: ValidationException.
  static absl::StatusOr<std::shared_ptr<const TargetEntry>> MakeTarget(const TargetSpec& spec);

  // The counters of every rule (none when metrics are off).
  std::vector<RuleStatsRef> AllRuleStats() const;

 private:
  // Replaces the current entry of `bus`/`name` by `change(copy)` (which may
  // fail), keeping its generation.
  absl::Status UpdateRule(std::string_view bus_name, std::string_view name,
                          const std::function<absl::Status(RuleEntry&)>& change);
  // RestoreRule, refusing a new rule beyond the limit if `check_limit`.
  absl::Status InstallRule(std::string_view bus, std::string_view name,
                           std::shared_ptr<const RuleEntry> entry, bool check_limit);
  // Runs the schedule hook for `entry` when it is an enabled scheduled rule.
  void Arm(const std::shared_ptr<Bus>& bus, const std::shared_ptr<const RuleEntry>& entry) const;

  Clock& clock_;
  const Limits limits_;
  const bool metrics_;
  ScheduleHook schedule_hook_;
  std::atomic<uint64_t> next_generation_{1};

  mutable Mutex mu_;
  std::map<std::string, std::shared_ptr<Bus>, std::less<>> buses_ ABSL_GUARDED_BY(mu_);
};

}  // namespace wharf::bus_internal

#endif  // WHARF_BROKER_BUS_BUS_TABLE_H_
