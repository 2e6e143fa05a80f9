#include "broker/bus/bus_core.h"

namespace wharf::bus_internal {

BusCore::BusCore(const Options& options)
    : tasks_(*options.clock, options.scheduler),
      table_(*options.clock, options.table_limits, options.metrics),
      dispatcher_(*options.clock, tasks_, table_, options.endpoints, options.metrics),
      schedules_(options.account, options.region, tasks_, dispatcher_),
      archives_(*options.clock, tasks_, table_, dispatcher_, options.max_concurrent_replays) {
  Clock& clock = *options.clock;
  table_.SetScheduleHook(
      [this, &clock](const std::shared_ptr<Bus>& bus, std::shared_ptr<const RuleEntry> rule) {
        schedules_.Arm(bus, std::move(rule), clock.Now());
      });
}

BusCore::~BusCore() { tasks_.Close(); }

}  // namespace wharf::bus_internal
