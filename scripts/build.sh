#!/usr/bin/env bash
# build.sh [release|debug|asan|tsan] [extra cmake args...]: configures and builds into
# build/<kind>. Prints the build directory on its last line. DFSIM_TARGETS limits what is built.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
kind=${1:-release}
shift || true
case "$kind" in
  release) args=(-DCMAKE_BUILD_TYPE=Release) ;;
  debug) args=(-DCMAKE_BUILD_TYPE=Debug) ;;
  # -O1 -g1, as the sanitizers' manuals advise: fast enough to run, line numbers in reports,
  # and a third of the compile time of -O2 -g (UBSan's checks make template-heavy code slow).
  # UBSan's null and alignment checks (one instrumentation: either alone saves nothing) cost
  # another 25-35% of it: ASan reports a null access itself, and x86 has no alignment traps
  # for them to foresee (docs/testing.md, "Time in CI", says what else they would catch).
  # DFSIM_NO_SANITIZE, not CMAKE_CXX_FLAGS: g++ applies -fsanitize and -fno-sanitize in order.
  # No Python package: an instrumented extension cannot load into an uninstrumented python.
  # The attention graphs (dfsim_sdpa), the graph builder (dfsim_graph) and, under ASan, the
  # sweeps and searches (dfsim_experiments), the command line (dfsim), the tests' own code
  # and the examples at -O0: instrumented at -O1 they took most of the sanitizer builds'
  # compile time, and with ASan+UBSan -O0 compiles them 1.9 to 2.8 times faster (TSan: 1.4
  # for the attention graphs, 1.2 for the tests, which stay at -O1). A sanitizer checks -O0
  # code at least as closely, and the tests run them on small sizes (the experiments' time
  # is in the simulations, whose code is the attention graphs'). The engine and the other
  # libraries stay at -O1: the differential tests run them hard.
  asan) args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1"
              -DDFSIM_NO_SANITIZE=alignment,null "-DDFSIM_O0_TARGETS=dfsim_sdpa;dfsim_graph;dfsim_experiments;dfsim"
              -DDFSIM_TEST_O0=ON
              -DDFSIM_SANITIZE=address,undefined -DDFSIM_BUILD_BENCH=OFF -DDFSIM_BUILD_PYTHON=OFF) ;;
  tsan) args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1"
              "-DDFSIM_O0_TARGETS=dfsim_sdpa;dfsim_graph"
              -DDFSIM_SANITIZE=thread -DDFSIM_BUILD_BENCH=OFF -DDFSIM_BUILD_PYTHON=OFF) ;;
  *) echo "build.sh: unknown kind '$kind' (release, debug, asan, tsan)" >&2; exit 2 ;;
esac
dir="$root/build/$kind"
cmake -S "$root" -B "$dir" -G Ninja -DDFSIM_WERROR=ON "${args[@]}" "$@" >/dev/null
# DFSIM_TARGETS: build only these (default: everything).
ninja -C "$dir" ${DFSIM_JOBS:+-j "$DFSIM_JOBS"} ${DFSIM_TARGETS:-} >&2
echo "$dir"
