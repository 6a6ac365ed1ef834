#!/usr/bin/env bash
# Builds bench_switching, runs every case REPS times with the repetitions of all cases
# interleaved at random (so that a noisy machine slows all competitors alike), and prints
# the median tables of docs/design-notes.md, "Coroutines or fibers".
#
#   bench/switching/run.sh [extra Google Benchmark flags]
#   REPS=9 bench/switching/run.sh --benchmark_filter='C:1'
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD_DIR:-$root/build/switching}
out=${OUT:-$build/switching.json}
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DDFSIM_BUILD_TESTS=OFF >/dev/null
ninja -C "$build" bench_switching >/dev/null
"$build/bench/switching/bench_switching" \
  --benchmark_repetitions="${REPS:-7}" \
  --benchmark_enable_random_interleaving=true \
  --benchmark_report_aggregates_only=true \
  --benchmark_out="$out" --benchmark_out_format=json "$@" >&2
python3 "$root/bench/switching/summarize.py" "$out"
