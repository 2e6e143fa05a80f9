// StressSeed: the first seed of a stress test, `fallback` unless the
// environment variable WHARF_STRESS_SEED holds a number (to replay a failure
// whose seed the test printed).

#ifndef WHARF_TESTS_TESTING_STRESS_SEED_H_
#define WHARF_TESTS_TESTING_STRESS_SEED_H_

#include <cstdint>
#include <cstdlib>

#include "absl/strings/numbers.h"

namespace wharf::testing {

inline uint32_t StressSeed(uint32_t fallback) {
  const char* env = std::getenv("WHARF_STRESS_SEED");
  uint32_t seed = 0;
  return env != nullptr && absl::SimpleAtoi(env, &seed) ? seed : fallback;
}

}  // namespace wharf::testing

#endif  // WHARF_TESTS_TESTING_STRESS_SEED_H_
