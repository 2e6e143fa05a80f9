// The EventBridge core, wired together: the tables (bus_table.h), dispatch
// with retries and dead-lettering (dispatcher.h), archives and replays
// (archives.h) and scheduled rules (schedules.h), sharing one TaskRunner for
// their timed work. The service layer (broker/service/events_service.h)
// drives it through the parts' own interfaces.
//
// Lifetime: the destructor closes the TaskRunner first, so no retry, replay
// step or scheduled firing runs once it has returned, then destroys the
// parts.
//
// Thread safety: thread-safe (each part is).

#ifndef WHARF_BROKER_BUS_BUS_CORE_H_
#define WHARF_BROKER_BUS_BUS_CORE_H_

#include <string>

#include "broker/base/scheduler.h"
#include "broker/base/task_runner.h"
#include "broker/bus/archives.h"
#include "broker/bus/bus_table.h"
#include "broker/bus/dispatcher.h"
#include "broker/bus/schedules.h"
#include "wharf/clock.h"

namespace wharf::bus_internal {

class BusCore {
 public:
  struct Options {
    std::string account;  // Envelope fields of scheduled events.
    std::string region;
    Clock* clock = nullptr;  // Required; must outlive the core.
    // Runs retries, schedules and replays. Null: the core owns one. Shared
    // (the broker's): must outlive the core; tasks the core left pending do
    // nothing once it is destroyed.
    Scheduler* scheduler = nullptr;
    Endpoints* endpoints = nullptr;  // Must outlive the core.
    BusTable::Limits table_limits;
    int max_concurrent_replays = 10;
    bool metrics = false;  // Keep the AWS/Events counters (rule_stats.h).
  };

  explicit BusCore(const Options& options);
  ~BusCore();
  BusCore(const BusCore&) = delete;
  BusCore& operator=(const BusCore&) = delete;

  BusTable& table() { return table_; }
  Dispatcher& dispatcher() { return dispatcher_; }
  ArchiveStore& archives() { return archives_; }

 private:
  // Declared first, destroyed last; closed explicitly before anything else.
  TaskRunner tasks_;
  BusTable table_;
  Dispatcher dispatcher_;
  ScheduleRunner schedules_;
  ArchiveStore archives_;
};

}  // namespace wharf::bus_internal

#endif  // WHARF_BROKER_BUS_BUS_CORE_H_
