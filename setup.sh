#!/usr/bin/env bash
# Installs wharf's build and test dependencies from Debian's packages.
# Idempotent: installs only what is missing. Safe to run on every build.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config clang clang-format libclang-rt-14-dev
  libabsl-dev libconcurrentqueue-dev libgtest-dev libgmock-dev libbenchmark-dev
  libsimdjson-dev rapidjson-dev libssl-dev libcpp-httplib-dev libsqlite3-dev
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
