#!/usr/bin/env bash
# The main job: installs what is missing, builds in Release, and runs the attention
# experiment with its default sizes. The report lands in results/sweep/report.md. It also
# builds the Python package into build/release/python (docs/python.md) and says how to import it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
# Only the command line and the Python module: the tests and benchmarks are scripts/test.sh's.
dir=$(DFSIM_TARGETS="dfsim _dfsim" "$root/scripts/build.sh" release)
cd "$root"
echo "run.sh: Python: PYTHONPATH=$dir/python /usr/bin/python3 -c 'import dfsim' (docs/python.md)" >&2
exec "$dir/cli/dfsim" sdpa-sweep "$@"
