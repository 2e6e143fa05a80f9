#include "broker/bus/schedules.h"

#include <utility>
#include <vector>

#include "broker/base/ids.h"
#include "broker/bus/event_envelope.h"

namespace wharf::bus_internal {

ScheduleRunner::ScheduleRunner(std::string account, std::string region, TaskRunner& tasks,
                               Dispatcher& dispatcher)
    : account_(std::move(account)),
      region_(std::move(region)),
      tasks_(tasks),
      dispatcher_(dispatcher) {}

void ScheduleRunner::Arm(const std::shared_ptr<Bus>& bus, std::shared_ptr<const RuleEntry> rule,
                         absl::Time after) {
  absl::Time when = rule->schedule->NextAfter(after);
  if (when <= rule->resume_after) {
    // Restored after a restart: the next firing on the rule's phase after
    // the restart; those missed meanwhile are not made up (as on AWS).
    const ScheduleExpression& s = *rule->schedule;
    absl::Duration remainder;  // IDivDuration writes it: never null.
    when = s.is_rate() ? after + s.period() * (absl::IDivDuration(rule->resume_after - after,
                                                                  s.period(), &remainder) +
                                               1)
                       : s.NextAfter(rule->resume_after);
  }
  if (when == absl::InfiniteFuture()) return;
  std::weak_ptr<Bus> weak = bus;
  tasks_.ScheduleAt(when, [this, weak, name = rule->rule.name, generation = rule->generation,
                           when] { Fire(weak, name, generation, when); });
}

void ScheduleRunner::Fire(const std::weak_ptr<Bus>& weak, const std::string& rule_name,
                          uint64_t generation, absl::Time when) {
  std::shared_ptr<Bus> bus = weak.lock();
  if (bus == nullptr) return;
  std::shared_ptr<const RuleEntry> rule;
  {
    ReaderMutexLock lock(&bus->mu);
    auto it = bus->rules.find(rule_name);
    if (it == bus->rules.end()) return;
    rule = it->second;
  }
  // A newer PutRule / EnableRule / DisableRule started its own chain (or
  // none): this one ends here.
  if (rule->generation != generation || !rule->enabled) return;
  auto event = std::make_shared<Event>();
  event->id = base_internal::NewUuid();
  event->time = when;
  event->ingestion_time = when;
  std::vector<std::string> resources = {rule->rule.arn};
  EnvelopeFields fields;
  fields.id = event->id;
  fields.detail_type = "Scheduled Event";
  fields.source = "aws.events";
  fields.account = account_;
  fields.time = when;
  fields.region = region_;
  fields.resources = &resources;
  fields.compact_detail = "{}";
  event->envelope = BuildEnvelope(fields);
  dispatcher_.DeliverToTargets(event, rule, when);
  Arm(bus, rule, when);
}

}  // namespace wharf::bus_internal
