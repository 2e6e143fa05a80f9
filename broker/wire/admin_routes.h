// The endpoint's routes outside the AWS protocols:
//
//   GET  /metrics               the broker's metrics in the Prometheus text
//                               format (cloudwatch::Service::RenderPrometheus)
//   GET  /_wharf/clock          {"now":"2026-01-01T00:00:00.000Z","epochMillis":...}
//   POST /_wharf/clock/advance  {"seconds": N} (0 <= N <= 30 days): moves the
//                               broker's ManualClock, firing everything that
//                               falls due (visibility, delays, retention,
//                               retries, schedules, alarms) before answering
//                               as GET /_wharf/clock does
//
// The clock routes answer 403 unless the broker runs on a ManualClock
// (wharf-server --clock=manual); they let a test in any language move time.
//
// Thread safety: the handlers are thread-safe; the broker must outlive the
// router.

#ifndef WHARF_BROKER_WIRE_ADMIN_ROUTES_H_
#define WHARF_BROKER_WIRE_ADMIN_ROUTES_H_

#include "broker/wire/router.h"
#include "wharf/broker.h"

namespace wharf::wire {

void AddAdminRoutes(Router& router, Broker& broker);

}  // namespace wharf::wire

#endif  // WHARF_BROKER_WIRE_ADMIN_ROUTES_H_
