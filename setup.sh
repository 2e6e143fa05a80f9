#!/usr/bin/env bash
# Installs wharf's build and test dependencies from Debian's packages.
# Idempotent: installs only what is missing. Safe to run on every build.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config clang clang-format libclang-rt-14-dev
  libabsl-dev libconcurrentqueue-dev libgtest-dev libgmock-dev libbenchmark-dev
  libsimdjson-dev rapidjson-dev libssl-dev libcpp-httplib-dev libsqlite3-dev
  libutf8proc-dev  # Unicode case mappings for the ignore-case pattern operators
  ccache  # the top-level build compiles through it when present (CMakeLists.txt)
  libboost-dev  # Boost.Asio and Boost.Beast (header-only): the HTTP endpoint
  zlib1g-dev  # gzip request bodies (Content-Encoding: gzip) at the HTTP endpoint
  python3-boto3 awscli  # real clients for the wire tests (tests/wire)
  python3-prometheus-client  # parses GET /metrics in tests/wire/prometheus_scrape_test.py
  libyaml-cpp-dev  # wharf-bench's scenario files (its HTTP client uses Boost.Beast too)
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo_cmd apt-get update -qq
  $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The JavaScript SDK for the wire tests (tests/wire/js): Node.js from Debian
# when there is none, then the locked npm packages when they changed.
sudo_cmd=""
[ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "setup: installing nodejs npm"
  { $sudo_cmd apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends nodejs npm; } ||
    echo "setup: nodejs/npm unavailable; the JavaScript wire tests will skip"
fi
js_dir="$(dirname "$0")/tests/wire/js"
if command -v npm >/dev/null &&
  { [ ! -f "$js_dir/node_modules/.package-lock.json" ] ||
    [ "$js_dir/package-lock.json" -nt "$js_dir/node_modules/.package-lock.json" ]; }; then
  npm ci --prefix "$js_dir" --no-audit --no-fund --loglevel=error ||
    echo "setup: npm ci failed; the JavaScript wire tests will skip"
fi
