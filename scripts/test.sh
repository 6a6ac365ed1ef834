#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test (CTest). Extra arguments go to ctest.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
dir=$("$root/scripts/build.sh" release)
ctest --test-dir "$dir" --output-on-failure -j "$(nproc)" "$@"
