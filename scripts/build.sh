#!/usr/bin/env bash
# build.sh [release|debug|asan|tsan] [extra cmake args...]: configures and builds into
# build/<kind>. Prints the build directory on its last line.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
kind=${1:-release}
shift || true
case "$kind" in
  release) args=(-DCMAKE_BUILD_TYPE=Release) ;;
  debug) args=(-DCMAKE_BUILD_TYPE=Debug) ;;
  asan) args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DDFSIM_SANITIZE=address,undefined -DDFSIM_BUILD_BENCH=OFF) ;;
  tsan) args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DDFSIM_SANITIZE=thread -DDFSIM_BUILD_BENCH=OFF) ;;
  *) echo "build.sh: unknown kind '$kind' (release, debug, asan, tsan)" >&2; exit 2 ;;
esac
dir="$root/build/$kind"
cmake -S "$root" -B "$dir" -G Ninja -DDFSIM_WERROR=ON "${args[@]}" "$@" >/dev/null
ninja -C "$dir" ${DFSIM_JOBS:+-j "$DFSIM_JOBS"} >&2
echo "$dir"
