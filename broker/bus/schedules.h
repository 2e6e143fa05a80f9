// Scheduled rules of the EventBridge core (spec/eventbridge.md §3.3): a rule
// with a rate(...) or cron(...) expression fires on the broker's clock and
// sends its targets a "Scheduled Event". Each firing arms the next; a chain
// belongs to one rule generation (bus_table.h) and ends when the rule is
// replaced, disabled or deleted.
//
// Thread safety: thread-safe.

#ifndef WHARF_BROKER_BUS_SCHEDULES_H_
#define WHARF_BROKER_BUS_SCHEDULES_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/time/time.h"
#include "broker/base/task_runner.h"
#include "broker/bus/bus_table.h"
#include "broker/bus/dispatcher.h"

namespace wharf::bus_internal {

class ScheduleRunner {
 public:
  // `account` and `region` go into the scheduled events' envelopes. The
  // references must outlive the runner.
  ScheduleRunner(std::string account, std::string region, TaskRunner& tasks,
                 Dispatcher& dispatcher);
  ScheduleRunner(const ScheduleRunner&) = delete;
  ScheduleRunner& operator=(const ScheduleRunner&) = delete;

  // Arms the first firing of `rule` on `bus` after `after` (and after
  // rule->resume_after).
  // REQUIRES: `rule` is enabled and has a schedule.
  void Arm(const std::shared_ptr<Bus>& bus, std::shared_ptr<const RuleEntry> rule,
           absl::Time after);

 private:
  void Fire(const std::weak_ptr<Bus>& bus, const std::string& rule_name, uint64_t generation,
            absl::Time when);

  const std::string account_;
  const std::string region_;
  TaskRunner& tasks_;
  Dispatcher& dispatcher_;
};

}  // namespace wharf::bus_internal

#endif  // WHARF_BROKER_BUS_SCHEDULES_H_
