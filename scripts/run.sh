#!/usr/bin/env bash
# The main job: installs what is missing, builds in Release, and runs the attention
# experiment with its default sizes. The report lands in results/sweep/report.md.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
# Only the command line: the tests and benchmarks are scripts/test.sh's business.
dir=$(DFSIM_TARGETS=dfsim "$root/scripts/build.sh" release)
cd "$root"
exec "$dir/cli/dfsim" sdpa-sweep "$@"
