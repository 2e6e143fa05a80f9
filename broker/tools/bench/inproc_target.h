// InprocTarget: a wharf::Broker in the harness's own process, driven through
// the public services (include/wharf/). Sessions use sqs::Queue handles, so a
// send or receive costs no URL lookup; long polls end at once when the run
// stops (ReceiveMessageRequest::stop_token).
//
// Thread safety: see target.h.

#ifndef WHARF_BROKER_TOOLS_BENCH_INPROC_TARGET_H_
#define WHARF_BROKER_TOOLS_BENCH_INPROC_TARGET_H_

#include <memory>

#include "absl/status/statusor.h"
#include "broker/tools/bench/scenario.h"
#include "broker/tools/bench/target.h"
#include "wharf/broker.h"

namespace wharf::bench {

// A target over a new broker sized for `scenario` (its limits).
absl::StatusOr<std::unique_ptr<Target>> MakeInprocTarget(const Scenario& scenario);

// A target over `broker`, which must outlive it (tests).
std::unique_ptr<Target> MakeInprocTarget(Broker& broker);

}  // namespace wharf::bench

#endif  // WHARF_BROKER_TOOLS_BENCH_INPROC_TARGET_H_
