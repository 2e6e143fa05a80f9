// InprocTarget: a wharf::Broker in the harness's own process, driven through
// the public services (include/wharf/). Sessions use sqs::Queue handles, so a
// send or receive costs no URL lookup; long polls end at once when the run
// stops (ReceiveMessageRequest::stop_token). Event source mappings are
// broker->lambda() mappings to a function that calls the harness's handler.
// The durable target is the same over a broker with a data directory.
//
// Thread safety: see target.h.

#ifndef WHARF_BROKER_TOOLS_BENCH_INPROC_TARGET_H_
#define WHARF_BROKER_TOOLS_BENCH_INPROC_TARGET_H_

#include <memory>

#include "absl/status/statusor.h"
#include "broker/tools/bench/scenario.h"
#include "broker/tools/bench/target.h"
#include "broker/tools/bench/target_spec.h"
#include "wharf/broker.h"

namespace wharf::bench {

// A target over a new broker sized for `scenario` (its limits and mappings).
// `spec` is inproc or durable; durable without a directory makes a fresh one
// under $TMPDIR (or /tmp) that the target removes when it is destroyed.
// Errors: the broker's (Broker::Open), or the temporary directory's.
absl::StatusOr<std::unique_ptr<Target>> MakeInprocTarget(const Scenario& scenario,
                                                         const TargetSpec& spec = {});

// The options MakeInprocTarget opens its broker with (a durable spec's
// directory as given: empty until MakeInprocTarget makes a temporary one).
BrokerOptions InprocBrokerOptions(const Scenario& scenario, const TargetSpec& spec);

// A target over `broker`, which must outlive it (tests).
std::unique_ptr<Target> MakeInprocTarget(Broker& broker);

}  // namespace wharf::bench

#endif  // WHARF_BROKER_TOOLS_BENCH_INPROC_TARGET_H_
