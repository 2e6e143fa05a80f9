// The built-in scenarios: bench/scenarios/*.yaml, compiled into wharf-bench
// (embed_scenarios.cmake generates builtin_scenarios.cc), so that
// `wharf-bench run work-queue-dlq` works wherever the binary is.
//
// Thread safety: immutable.

#ifndef WHARF_BROKER_TOOLS_BENCH_BUILTIN_SCENARIOS_H_
#define WHARF_BROKER_TOOLS_BENCH_BUILTIN_SCENARIOS_H_

#include <string_view>
#include <vector>

namespace wharf::bench {

struct BuiltinScenario {
  std::string_view name;  // The file name without ".yaml".
  std::string_view yaml;
};

// By name.
const std::vector<BuiltinScenario>& BuiltinScenarios();

// The scenario called `name`, or null.
const BuiltinScenario* FindBuiltinScenario(std::string_view name);

}  // namespace wharf::bench

#endif  // WHARF_BROKER_TOOLS_BENCH_BUILTIN_SCENARIOS_H_
