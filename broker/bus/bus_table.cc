#include "broker/bus/bus_table.h"

#include <algorithm>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "broker/base/aws_errors.h"

namespace wharf::bus_internal {
namespace {

using base_internal::EventBusNotFoundError;
using base_internal::EventsLimitExceededError;
using base_internal::RuleNotFoundError;

absl::string_view Sv(std::string_view s) { return absl::string_view(s.data(), s.size()); }

// Later tags with the same key win.
TagMap ToTagMap(const TagList& tags) {
  TagMap out;
  for (const auto& [key, value] : tags) out.insert_or_assign(key, value);
  return out;
}

// `tags` merged into `into`: false (and `into` unchanged) when the result
// would hold more than kMaxTagsPerResource tags.
bool MergeTags(const TagList& tags, TagMap& into) {
  TagMap merged = into;
  for (const auto& [key, value] : tags) merged.insert_or_assign(key, value);
  if (merged.size() > kMaxTagsPerResource) return false;
  into = std::move(merged);
  return true;
}

}  // namespace

BusTable::BusTable(Clock& clock, Limits limits, bool metrics)
    : clock_(clock), limits_(limits), metrics_(metrics) {}

// ---- Buses ------------------------------------------------------------------

absl::StatusOr<BusInfo> BusTable::CreateBus(BusInfo info, const TagList& tags) {
  auto matcher = Matcher::Create(PatternDialect::kEventBridge);
  if (!matcher.ok()) return matcher.status();
  info.creation_time = clock_.Now();
  info.last_modified_time = info.creation_time;
  TagMap tag_map = ToTagMap(tags);
  if (tag_map.size() > kMaxTagsPerResource) return EventsLimitExceededError();
  MutexLock lock(&mu_);
  if (buses_.count(info.name) > 0) {
    return base_internal::EventsAlreadyExistsError("Event bus", info.name);
  }
  if (static_cast<int>(buses_.size()) >= limits_.max_event_buses) {
    return EventsLimitExceededError();
  }
  buses_.emplace(info.name, std::make_shared<Bus>(info, *std::move(matcher), std::move(tag_map)));
  return info;
}

std::shared_ptr<Bus> BusTable::DeleteBus(std::string_view name) {
  MutexLock lock(&mu_);
  auto it = buses_.find(name);
  if (it == buses_.end()) return nullptr;
  std::shared_ptr<Bus> bus = std::move(it->second);
  buses_.erase(it);
  return bus;
}

absl::StatusOr<std::shared_ptr<Bus>> BusTable::FindBus(std::string_view name) const {
  ReaderMutexLock lock(&mu_);
  auto it = buses_.find(name);
  if (it == buses_.end()) return EventBusNotFoundError(name);
  return it->second;
}

std::vector<BusInfo> BusTable::ListBuses(std::string_view prefix) const {
  std::vector<BusInfo> out;
  ReaderMutexLock lock(&mu_);
  for (const auto& [name, bus] : buses_) {
    if (!absl::StartsWith(name, Sv(prefix))) continue;
    ReaderMutexLock bus_lock(&bus->mu);
    out.push_back(bus->info);
  }
  return out;
}

absl::StatusOr<BusInfo> BusTable::DescribeBus(std::string_view name) const {
  auto bus = FindBus(name);
  if (!bus.ok()) return bus.status();
  ReaderMutexLock lock(&(*bus)->mu);
  return (*bus)->info;
}

absl::StatusOr<BusInfo> BusTable::UpdateBus(std::string_view name,
                                            absl::FunctionRef<absl::Status(BusInfo&)> change) {
  auto bus = FindBus(name);
  if (!bus.ok()) return bus.status();
  MutexLock lock(&(*bus)->mu);
  BusInfo info = (*bus)->info;
  absl::Status changed = change(info);
  if (!changed.ok()) return changed;
  info.name = (*bus)->name;
  info.last_modified_time = clock_.Now();
  (*bus)->info = info;
  return info;
}

// ---- Rules ------------------------------------------------------------------

void BusTable::Arm(const std::shared_ptr<Bus>& bus,
                   const std::shared_ptr<const RuleEntry>& entry) const {
  if (entry->enabled && entry->schedule.has_value() && schedule_hook_) schedule_hook_(bus, entry);
}

absl::Status BusTable::PutRule(std::string_view bus_name, RuleSpec rule,
                               std::optional<ScheduleExpression> schedule, const TagList& tags) {
  auto bus = FindBus(bus_name);
  if (!bus.ok()) return bus.status();
  Bus& b = **bus;
  if (rule.state.empty()) rule.state = "ENABLED";
  auto entry = std::make_shared<RuleEntry>();
  entry->enabled = rule.state != "DISABLED";
  entry->schedule = std::move(schedule);
  entry->generation = next_generation_.fetch_add(1);
  entry->created = clock_.Now();
  entry->armed_at = entry->created;
  TagMap new_tags = ToTagMap(tags);
  {
    MutexLock lock(&b.mu);
    auto it = b.rules.find(rule.name);
    // Checked before the matcher changes. An existing rule ignores `tags`.
    if (it == b.rules.end() &&
        (static_cast<int>(b.rules.size()) >= limits_.max_rules_per_event_bus ||
         new_tags.size() > kMaxTagsPerResource)) {
      return EventsLimitExceededError();
    }
    if (entry->enabled && !rule.event_pattern.empty()) {
      absl::Status added = b.matcher->Add(rule.name, rule.event_pattern);
      if (!added.ok()) return added;
    } else {
      b.matcher->Remove(rule.name).IgnoreError();
    }
    if (it != b.rules.end()) {
      entry->targets = it->second->targets;
      entry->tags = it->second->tags;
      entry->created = it->second->created;
      entry->stats = it->second->stats;
    } else {
      entry->tags = std::move(new_tags);
      if (metrics_) entry->stats = std::make_shared<RuleStats>();
    }
    entry->rule = std::move(rule);
    b.rules[entry->rule.name] = entry;
  }
  Arm(*bus, entry);
  return absl::OkStatus();
}

absl::Status BusTable::DeleteRule(std::string_view bus_name, std::string_view name) {
  auto bus = FindBus(bus_name);
  if (!bus.ok()) return bus.status();
  Bus& b = **bus;
  MutexLock lock(&b.mu);
  auto it = b.rules.find(name);
  if (it == b.rules.end()) return absl::OkStatus();
  if (!it->second->targets.empty()) {
    return base_internal::EventsValidationError("Rule can't be deleted since it has targets.");
  }
  b.matcher->Remove(name).IgnoreError();
  b.rules.erase(it);
  return absl::OkStatus();
}

absl::StatusOr<RuleSpec> BusTable::DescribeRule(std::string_view bus_name,
                                                std::string_view name) const {
  absl::StatusOr<std::shared_ptr<const RuleEntry>> entry = GetRule(bus_name, name);
  if (!entry.ok()) return entry.status();
  return (*entry)->rule;
}

absl::StatusOr<std::vector<RuleSpec>> BusTable::ListRules(std::string_view bus_name,
                                                          std::string_view prefix) const {
  auto bus = FindBus(bus_name);
  if (!bus.ok()) return bus.status();
  std::vector<RuleSpec> out;
  ReaderMutexLock lock(&(*bus)->mu);
  for (auto it = (*bus)->rules.lower_bound(prefix); it != (*bus)->rules.end(); ++it) {
    if (!absl::StartsWith(it->first, Sv(prefix))) break;
    out.push_back(it->second->rule);
  }
  return out;
}

absl::Status BusTable::SetRuleEnabled(std::string_view bus_name, std::string_view name,
                                      bool enabled) {
  auto bus = FindBus(bus_name);
  if (!bus.ok()) return bus.status();
  Bus& b = **bus;
  std::shared_ptr<RuleEntry> entry;
  {
    MutexLock lock(&b.mu);
    auto it = b.rules.find(name);
    if (it == b.rules.end()) return RuleNotFoundError(name, bus_name);
    entry = std::make_shared<RuleEntry>(*it->second);
    entry->enabled = enabled;
    entry->rule.state = enabled ? "ENABLED" : "DISABLED";
    entry->generation = next_generation_.fetch_add(1);
    entry->armed_at = clock_.Now();
    if (enabled && !entry->rule.event_pattern.empty()) {
      absl::Status added = b.matcher->Add(entry->rule.name, entry->rule.event_pattern);
      if (!added.ok()) return added;
    } else {
      b.matcher->Remove(name).IgnoreError();
    }
    it->second = entry;
  }
  Arm(*bus, entry);
  return absl::OkStatus();
}

absl::Status BusTable::UpdateRule(std::string_view bus_name, std::string_view name,
                                  const std::function<absl::Status(RuleEntry&)>& change) {
  auto bus = FindBus(bus_name);
  if (!bus.ok()) return bus.status();
  Bus& b = **bus;
  MutexLock lock(&b.mu);
  auto it = b.rules.find(name);
  if (it == b.rules.end()) return RuleNotFoundError(name, bus_name);
  auto entry = std::make_shared<RuleEntry>(*it->second);
  absl::Status changed = change(*entry);
  if (!changed.ok()) return changed;
  it->second = std::move(entry);
  return absl::OkStatus();
}

// ---- Durable mode ---------------------------------------------------------------

void BusTable::RestoreBus(const BusInfo& info, TagMap tags) {
  auto matcher = Matcher::Create(PatternDialect::kEventBridge);
  if (!matcher.ok()) return;  // Only fails for an unknown dialect.
  MutexLock lock(&mu_);
  buses_.insert_or_assign(info.name,
                          std::make_shared<Bus>(info, *std::move(matcher), std::move(tags)));
}

void BusTable::ReinsertBus(std::shared_ptr<Bus> bus) {
  MutexLock lock(&mu_);
  buses_.emplace(bus->name, std::move(bus));
}

absl::Status BusTable::SetBusTags(std::string_view bus_name, TagMap tags) {
  auto bus = FindBus(bus_name);
  if (!bus.ok()) return bus.status();
  MutexLock lock(&(*bus)->mu);
  (*bus)->tags = std::move(tags);
  return absl::OkStatus();
}

absl::Status BusTable::SetBusInfo(const BusInfo& info) {
  auto bus = FindBus(info.name);
  if (!bus.ok()) return bus.status();
  MutexLock lock(&(*bus)->mu);
  (*bus)->info = info;
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<const RuleEntry>> BusTable::GetRule(std::string_view bus_name,
                                                                   std::string_view name) const {
  auto bus = FindBus(bus_name);
  if (!bus.ok()) return bus.status();
  ReaderMutexLock lock(&(*bus)->mu);
  auto it = (*bus)->rules.find(name);
  if (it == (*bus)->rules.end()) return RuleNotFoundError(name, bus_name);
  return it->second;
}

absl::Status BusTable::RestoreRule(std::string_view bus_name, std::string_view name,
                                   std::shared_ptr<const RuleEntry> restored) {
  return InstallRule(bus_name, name, std::move(restored), /*check_limit=*/false);
}

absl::Status BusTable::PutManagedRule(std::string_view bus_name,
                                      std::shared_ptr<const RuleEntry> entry) {
  const std::string name = entry->rule.name;
  return InstallRule(bus_name, name, std::move(entry), /*check_limit=*/true);
}

absl::Status BusTable::InstallRule(std::string_view bus_name, std::string_view name,
                                   std::shared_ptr<const RuleEntry> restored, bool check_limit) {
  auto bus = FindBus(bus_name);
  if (!bus.ok()) return bus.status();
  Bus& b = **bus;
  std::shared_ptr<RuleEntry> entry;
  {
    MutexLock lock(&b.mu);
    if (restored == nullptr) {
      b.matcher->Remove(name).IgnoreError();
      b.rules.erase(std::string(name));
      return absl::OkStatus();
    }
    if (check_limit && b.rules.count(restored->rule.name) == 0 &&
        static_cast<int>(b.rules.size()) >= limits_.max_rules_per_event_bus) {
      return EventsLimitExceededError();
    }
    entry = std::make_shared<RuleEntry>(*restored);
    entry->generation = next_generation_.fetch_add(1);
    if (metrics_ && entry->stats == nullptr) entry->stats = std::make_shared<RuleStats>();
    if (entry->enabled && !entry->rule.event_pattern.empty()) {
      absl::Status added = b.matcher->Add(entry->rule.name, entry->rule.event_pattern);
      if (!added.ok()) return added;
    } else {
      b.matcher->Remove(entry->rule.name).IgnoreError();
    }
    b.rules[entry->rule.name] = entry;
  }
  Arm(*bus, entry);
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<const TargetEntry>> BusTable::MakeTarget(const TargetSpec& spec) {
  auto input = TargetInput::Create(spec);
  if (!input.ok()) return input.status();
  return std::make_shared<const TargetEntry>(TargetEntry{spec, *std::move(input), nullptr});
}

// ---- Targets ----------------------------------------------------------------

absl::Status BusTable::PutTargets(std::string_view bus_name, std::string_view rule,
                                  const std::vector<TargetSpec>& targets) {
  std::vector<std::shared_ptr<TargetEntry>> made;
  for (const TargetSpec& spec : targets) {
    auto input = TargetInput::Create(spec);
    if (!input.ok()) return input.status();
    made.push_back(std::make_shared<TargetEntry>(TargetEntry{spec, *std::move(input), nullptr}));
  }
  return UpdateRule(bus_name, rule, [&made](RuleEntry& entry) {
    for (auto& t : made) {
      auto pos = std::find_if(entry.targets.begin(), entry.targets.end(),
                              [&](const auto& old) { return old->spec.id == t->spec.id; });
      if (pos != entry.targets.end()) {
        *pos = std::move(t);
      } else {
        entry.targets.push_back(std::move(t));
      }
    }
    if (entry.targets.size() > kMaxTargetsPerRule) return EventsLimitExceededError();
    std::sort(entry.targets.begin(), entry.targets.end(),
              [](const auto& a, const auto& b) { return a->spec.id < b->spec.id; });
    return absl::OkStatus();
  });
}

absl::Status BusTable::RemoveTargets(std::string_view bus_name, std::string_view rule,
                                     const std::vector<std::string>& ids) {
  return UpdateRule(bus_name, rule, [&ids](RuleEntry& entry) {
    std::erase_if(entry.targets, [&](const auto& t) {
      return std::find(ids.begin(), ids.end(), t->spec.id) != ids.end();
    });
    return absl::OkStatus();
  });
}

absl::StatusOr<std::vector<TargetSpec>> BusTable::ListTargets(std::string_view bus_name,
                                                              std::string_view rule) const {
  auto bus = FindBus(bus_name);
  if (!bus.ok()) return bus.status();
  ReaderMutexLock lock(&(*bus)->mu);
  auto it = (*bus)->rules.find(rule);
  if (it == (*bus)->rules.end()) return RuleNotFoundError(rule, bus_name);
  std::vector<TargetSpec> out;
  for (const auto& t : it->second->targets) out.push_back(t->spec);
  return out;
}

absl::StatusOr<std::vector<std::string>> BusTable::ListRuleNamesByTarget(
    std::string_view bus_name, std::string_view target_arn) const {
  auto bus = FindBus(bus_name);
  if (!bus.ok()) return bus.status();
  std::vector<std::string> out;
  ReaderMutexLock lock(&(*bus)->mu);
  for (const auto& [name, rule] : (*bus)->rules) {
    for (const auto& t : rule->targets) {
      if (t->spec.arn == target_arn) {
        out.push_back(name);
        break;
      }
    }
  }
  return out;
}

// ---- Tags -------------------------------------------------------------------

// A rule's tags change by replacing its RuleEntry with a copy of the same
// generation, as PutTargets does: a scheduled rule's timer chain goes on.
absl::Status BusTable::TagResource(std::string_view bus_name, std::string_view rule,
                                   const TagList& tags) {
  if (!rule.empty()) {
    return UpdateRule(bus_name, rule, [&tags](RuleEntry& entry) {
      return MergeTags(tags, entry.tags) ? absl::OkStatus() : EventsLimitExceededError();
    });
  }
  auto bus = FindBus(bus_name);
  if (!bus.ok()) return bus.status();
  MutexLock lock(&(*bus)->mu);
  return MergeTags(tags, (*bus)->tags) ? absl::OkStatus() : EventsLimitExceededError();
}

absl::Status BusTable::UntagResource(std::string_view bus_name, std::string_view rule,
                                     const std::vector<std::string>& keys) {
  if (!rule.empty()) {
    return UpdateRule(bus_name, rule, [&keys](RuleEntry& entry) {
      for (const std::string& key : keys) entry.tags.erase(key);
      return absl::OkStatus();
    });
  }
  auto bus = FindBus(bus_name);
  if (!bus.ok()) return bus.status();
  MutexLock lock(&(*bus)->mu);
  for (const std::string& key : keys) (*bus)->tags.erase(key);
  return absl::OkStatus();
}

absl::StatusOr<TagMap> BusTable::ListTags(std::string_view bus_name, std::string_view rule) const {
  auto bus = FindBus(bus_name);
  if (!bus.ok()) return bus.status();
  ReaderMutexLock lock(&(*bus)->mu);
  if (rule.empty()) return (*bus)->tags;
  auto it = (*bus)->rules.find(rule);
  if (it == (*bus)->rules.end()) return RuleNotFoundError(rule, bus_name);
  return it->second->tags;
}

std::vector<BusTable::RuleStatsRef> BusTable::AllRuleStats() const {
  std::vector<RuleStatsRef> out;
  if (!metrics_) return out;
  std::vector<std::shared_ptr<Bus>> buses;
  {
    ReaderMutexLock lock(&mu_);
    for (const auto& [name, bus] : buses_) buses.push_back(bus);
  }
  for (const auto& bus : buses) {
    ReaderMutexLock lock(&bus->mu);
    for (const auto& [name, entry] : bus->rules) {
      if (entry->stats != nullptr) out.push_back({bus->name, name, entry->stats});
    }
  }
  return out;
}

}  // namespace wharf::bus_internal
