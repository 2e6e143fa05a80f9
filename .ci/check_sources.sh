#!/bin/sh
# Checks on the sources that no compiler makes. A ctest (source_checks) and
# CI's first step; runs from any directory.
set -u
cd "$(dirname "$0")/.."
status=0

# Time-dependent tests move a ManualClock; they never sleep.
if grep -rnE 'sleep_for|SleepFor|usleep\(' tests/; then
  echo "error: tests must not sleep: use ManualClock" >&2
  status=1
fi

# Debian's Abseil is not instrumented for ThreadSanitizer, so its Mutex,
# CondVar, Notification and BlockingCounter hide real ordering from TSan
# (false races). Use broker/base/mutex.h.
if grep -rnE 'absl::(Mutex|MutexLock|ReaderMutexLock|WriterMutexLock|CondVar|Notification|BlockingCounter|Condition)\b' \
  broker include tests bench examples; then
  echo "error: use wharf::Mutex/CondVar/Notification from broker/base/mutex.h, not absl:: (TSan cannot see Debian Abseil)" >&2
  status=1
fi

# Designated initializers that skip members compile clean under g++ 12's
# -Wextra only when every member of a public struct has an initializer.
python3 .ci/check_field_initializers.py || status=1

# The README's quick start is examples/hello_queue.cc, which the build
# compiles with -Wall -Wextra -Werror.
if ! awk '/^## Hello, queue/ { section = 1 }
          section && /^```$/ { exit }
          section && code { print }
          section && /^```cpp$/ { code = 1 }' README.md | diff -u examples/hello_queue.cc -; then
  echo "error: README.md's \"Hello, queue\" snippet differs from examples/hello_queue.cc" >&2
  status=1
fi

exit $status
