#!/usr/bin/env bash
# Fuzzes the .npy reader (fuzz/npy_fuzz.cpp) for FUZZ_SECONDS (default 60) under libFuzzer
# with AddressSanitizer and UndefinedBehaviorSanitizer, from the seeds in fuzz/corpus/npy/.
# Built with clang++ directly, outside the g++ CMake build. A crash, a sanitizer report, a
# timeout or running out of memory makes it exit non-zero, with the input in
# build/fuzz/artifacts/. fuzz.sh [libFuzzer flags...], e.g. fuzz.sh -jobs=2
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
seconds=${FUZZ_SECONDS:-60}
cxx=${FUZZ_CXX:-clang++-14}
out="$root/build/fuzz"
binary="$out/npy_fuzz"
sources=("$root/fuzz/npy_fuzz.cpp" "$root/io/src/npy.cpp" "$root/io/include/dfsim/io/npy.hpp")
mkdir -p "$out/corpus" "$out/artifacts"

stale=0
for f in "${sources[@]}" "$0"; do [ "$binary" -nt "$f" ] || stale=1; done
if [ "$stale" = 1 ]; then
  echo "fuzz: building $binary" >&2
  "$cxx" -std=c++20 -O1 -g -fno-omit-frame-pointer \
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
    -Wall -Wextra -Wno-missing-field-initializers -Werror \
    -I "$root/io/include" -I "$root/sdpa/include" "$root/fuzz/npy_fuzz.cpp" "$root/io/src/npy.cpp" -o "$binary"
fi

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# New inputs go to build/fuzz/corpus (the first folder), so the checked-in seeds stay as they
# are and a later run starts where this one stopped. -max_len keeps inputs near the seeds'
# size; the seeds' largest is 2 KB.
status=0
"$binary" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=4096 \
  -dict="$root/fuzz/npy.dict" -artifact_prefix="$out/artifacts/" -print_final_stats=1 \
  "$@" "$out/corpus" "$root/fuzz/corpus/npy" || status=$?
if [ "$status" -ne 0 ]; then
  echo "fuzz: the .npy reader failed (libFuzzer exit status $status); the input is in" \
       "$out/artifacts/; replay it with: $binary FILE" >&2
  exit "$status"
fi
