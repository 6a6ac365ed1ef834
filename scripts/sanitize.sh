#!/usr/bin/env bash
# The test suite under AddressSanitizer + UndefinedBehaviorSanitizer, and the threaded
# tests under ThreadSanitizer. sanitize.sh [asan|tsan|all]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
which=${1:-all}
"$root/scripts/setup.sh"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1
# Fewer random graphs: the sanitized engine is several times slower.
export DFSIM_DIFF_GRAPHS=${DFSIM_DIFF_GRAPHS:-300}
if [ "$which" = asan ] || [ "$which" = all ]; then
  dir=$("$root/scripts/build.sh" asan)
  if [ -n "${DFSIM_ASAN_EXCLUDE:-}" ]; then
    ctest --test-dir "$dir" --output-on-failure -j "$(nproc)" -L '^case$' -E "$DFSIM_ASAN_EXCLUDE"
  else
    # Each test executable whole, in one process (its CTest test NAME.all_cases), and the
    # tests that are not GoogleTest cases: an instrumented process takes 0.15-0.25 s of CPU
    # to start and leak-check, which one process per case paid 990 times.
    ctest --test-dir "$dir" --output-on-failure -j "$(nproc)" -LE '^case$'
  fi
fi
if [ "$which" = tsan ] || [ "$which" = all ]; then
  # Only the executables that hold threaded cases (the filter below), and of sdpa, experiments,
  # graph and cli_sdpa tests only the files that hold them (TSAN_SOURCES in their
  # CMakeLists.txt: a case added elsewhere in them is not built here); cli_sdpa_tests runs the
  # attention commands on several threads (SdpaParallel.*).
  dir=$(DFSIM_TARGETS="engine_tests verification_tests workloads_tests sdpa_tests experiments_tests graph_tests cli_tests cli_sdpa_tests dfsim" \
        "$root/scripts/build.sh" tsan)
  # Threaded cases: every test that runs the parallel executor. 'Executor' takes the cases
  # run once per executor (the engine's Executors/*, the workloads' Executors/ReductionTree.*);
  # 'Parallel' the engine's thread-start failures, the parallel regressions, the attention
  # library's (Correctness.TheSameUnderTheParallelExecutor) and the command line's pipeline
  # and attention runs on threads (CliPipeline.Parallel*, SdpaParallel.*). 'Threads' takes the
  # min-depth search's probe threads (MinDepthSearch.*Threads) and the graph layer's cases run
  # on one and two threads (Threads/Equivalence.*).
  threaded=${DFSIM_TSAN_TESTS:-Parallel|parallel|Executor|Differential|threads|Threads}
  ctest --test-dir "$dir" --output-on-failure -j "$(nproc)" -R "$threaded"
  # TSAN_SOURCES leaves files out of this build, so a threaded case written in another file
  # would go unchecked without a word. The Release build (CI's test.sh builds it first) has
  # every case: each one of its threaded cases must be here too.
  release="$root/build/release"
  if [ -f "$release/CTestTestfile.cmake" ]; then
    cases() { ctest --test-dir "$1" -N -R "$threaded" | sed -n 's/^ *Test *#[0-9]*: //p' | sort; }
    missing=$(comm -23 <(cases "$release") <(cases "$dir"))
    if [ -n "$missing" ]; then
      echo "sanitize.sh: these threaded cases are not built under TSan: add their files to" \
           "TSAN_SOURCES in their tests/*/CMakeLists.txt (or rebuild $release if it is" \
           "older than the sources):" >&2
      echo "$missing" >&2
      exit 1
    fi
  fi
fi
