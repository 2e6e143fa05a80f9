#include "broker/bus/bus_core.h"

namespace wharf::bus_internal {

BusCore::BusCore(const Options& options)
    : tasks_(*options.clock, options.scheduler),
      table_(*options.clock, options.table_limits, options.metrics),
      dispatcher_(*options.clock, tasks_, table_, options.endpoints, options.metrics),
      schedules_(options.account, options.region, tasks_, dispatcher_),
      archives_(*options.clock, tasks_, table_, dispatcher_, options.max_concurrent_replays) {
  table_.SetScheduleHook(
      [this](const std::shared_ptr<Bus>& bus, std::shared_ptr<const RuleEntry> rule) {
        const absl::Time after = rule->armed_at;
        schedules_.Arm(bus, std::move(rule), after);
      });
}

BusCore::~BusCore() { tasks_.Close(); }

}  // namespace wharf::bus_internal
