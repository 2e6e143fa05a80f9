// libFuzzer target for the tools' files from outside: the wharf-server
// configuration file (ApplyConfig, applied to a fresh broker on a
// ManualClock) when the first byte is even, a wharf-bench scenario
// (ParseScenario, YAML) when it is odd; the rest of the input is the file.
// A crash, a sanitizer report or a hang is a bug: a bad file must end in an
// error naming the line.
//
// Build and run (clang only):
//   ninja -C build-fuzz config_fuzzer
//   mkdir -p /tmp/wharf-config-fuzz   # new inputs go to the first directory
//   build-fuzz/tests/tools/config_fuzzer -max_total_time=60 -max_len=4096 \
//       /tmp/wharf-config-fuzz tests/tools/config_fuzz_corpus

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>

#include "broker/tools/bench/scenario.h"
#include "broker/tools/server_config.h"
#include "wharf/broker.h"
#include "wharf/clock.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const std::string_view file(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] % 2 == 1) {
    (void)wharf::bench::ParseScenario(file, "fuzz.yaml");
    return 0;
  }
  auto broker = wharf::Broker::Open({.clock = std::make_shared<wharf::ManualClock>()});
  if (!broker.ok()) __builtin_trap();
  std::istringstream in{std::string(file)};
  std::map<std::string, std::string> credentials;
  (void)wharf::tools::ApplyConfig(in, "fuzz.conf", **broker, &credentials);
  return 0;
}
