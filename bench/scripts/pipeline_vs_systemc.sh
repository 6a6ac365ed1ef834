#!/usr/bin/env bash
# Side-by-side speed of dfsim and its SystemC peers on the "pipeline" workload.
#
# usage: bench/scripts/pipeline_vs_systemc.sh [BUILD_DIR]
#
#   BUILD_DIR  CMake build directory (default build/release; a relative path
#              is looked up from the current directory, then from the repo
#              root). Binaries used:
#                $BUILD/cli/dfsim
#                $BUILD/bench/peers/peer_systemc_thread
#                $BUILD/bench/peers/peer_systemc_cthread
#
# Environment overrides:
#   DFSIM, PEER_THREAD, PEER_CTHREAD  explicit paths of the three binaries
#   ELEMENTS  (default 1000000)   CAPACITY (default 8)
#   STAGES    (default "8 64")    ROUNDS   (default 3)
#
# For every K in STAGES it runs, ROUNDS times interleaved (dfsim, thread,
# cthread, dfsim, ...):
#   dfsim pipeline        --elements T --stages K --capacity C --json
#   peer_systemc_thread   --elements T --stages K --capacity C --json
#   peer_systemc_cthread  --elements T --stages K --capacity C --json
# and prints, per workload and simulator, the median wall seconds, the median
# transfers/s (T x (K+1) channel transfers / wall seconds) and the median over
# rounds of the per-round ratio peer wall / dfsim wall (how many times faster
# dfsim is). Any failing run (non-zero exit, e.g. a sink mismatch) aborts.
set -euo pipefail

PY=/usr/bin/python3
ELEMENTS=${ELEMENTS:-1000000}
CAPACITY=${CAPACITY:-8}
STAGES=${STAGES:-"8 64"}
ROUNDS=${ROUNDS:-3}

die() { echo "pipeline_vs_systemc: error: $*" >&2; exit 1; }

. "$(dirname "${BASH_SOURCE[0]}")/build_dir.sh"
build=$(bench_build_dir pipeline_vs_systemc "${1:-}") || exit 1

DFSIM=${DFSIM:-$build/cli/dfsim}
PEER_THREAD=${PEER_THREAD:-$build/bench/peers/peer_systemc_thread}
PEER_CTHREAD=${PEER_CTHREAD:-$build/bench/peers/peer_systemc_cthread}

[[ -x $PY ]] || die "$PY not found (needed to parse the JSON output)"
missing=0
for bin in "$DFSIM" "$PEER_THREAD" "$PEER_CTHREAD"; do
    if [[ ! -x $bin ]]; then
        echo "pipeline_vs_systemc: error: binary not found or not executable: $bin" >&2
        missing=1
    fi
done
if (( missing )); then
    die "build the missing target(s) first (dfsim: target in cli/; peers: peer_systemc_thread, peer_systemc_cthread from bench/peers, which need libsystemc-dev)"
fi

# SystemC prints its copyright banner on stderr before sc_main; keep it quiet.
export SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1

results=$(mktemp)
errlog=$(mktemp)
trap 'rm -f "$results" "$errlog"' EXIT

# run SIM K ROUND CMD...: runs CMD, extracts the last JSON object line of its
# stdout and appends "K SIM ROUND wall cycles elements" to $results.
run() {
    local sim=$1 k=$2 round=$3
    shift 3
    local out
    if ! out=$("$@" 2>"$errlog"); then
        echo "pipeline_vs_systemc: error: '$*' failed:" >&2
        cat "$errlog" >&2
        printf '%s\n' "$out" >&2
        exit 1
    fi
    local line
    line=$(printf '%s\n' "$out" | "$PY" -c '
import json, sys
text = sys.stdin.read()
obj = None
try:  # dfsim prints one indented document; the peers one line, possibly after other text
    obj = json.loads(text)
except ValueError:
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("{"):
            try:
                obj = json.loads(line)
            except ValueError:
                pass
if obj is None:
    sys.exit("no JSON object in output")
for key in ("wall_seconds", "cycles", "elements"):
    if key not in obj:
        sys.exit("JSON output lacks key %r" % key)
print(float(obj["wall_seconds"]), int(obj["cycles"]), int(obj["elements"]))
') || die "could not parse the --json output of '$*': $out"
    echo "$k $sim $round $line" >>"$results"
    printf '  K=%-4s round %s  %-16s %s\n' "$k" "$round" "$sim" "$line" >&2
}

echo "pipeline: elements $ELEMENTS capacity $CAPACITY stages {$STAGES}, $ROUNDS interleaved rounds" >&2
for k in $STAGES; do
    common=(--elements "$ELEMENTS" --stages "$k" --capacity "$CAPACITY" --json)
    for ((round = 1; round <= ROUNDS; round++)); do
        run dfsim "$k" "$round" "$DFSIM" pipeline "${common[@]}"
        run systemc-thread "$k" "$round" "$PEER_THREAD" "${common[@]}"
        run systemc-cthread "$k" "$round" "$PEER_CTHREAD" "${common[@]}"
    done
done

"$PY" - "$results" <<'EOF'
import statistics, sys
from collections import defaultdict

runs = defaultdict(dict)  # (k, sim) -> round -> (wall, cycles, elements)
order = []
for line in open(sys.argv[1]):
    k, sim, rnd, wall, cycles, elements = line.split()
    key = (int(k), sim)
    if key not in runs:
        order.append(key)
    runs[key][int(rnd)] = (float(wall), int(cycles), int(elements))

rows = []
for k, sim in order:
    r = runs[(k, sim)]
    walls = [w for w, _, _ in r.values()]
    elements = next(iter(r.values()))[2]
    cycles = sorted({c for _, c, _ in r.values()})
    wall = statistics.median(walls)
    tps = statistics.median(elements * (k + 1) / w for w in walls)
    base = runs[(k, "dfsim")]
    ratios = [r[n][0] / base[n][0] for n in r if n in base and base[n][0] > 0]
    ratio = statistics.median(ratios) if ratios else float("nan")
    rows.append((f"pipeline K={k} T={elements}", sim,
                 "/".join(str(c) for c in cycles),
                 f"{wall:.4f}", f"{tps:.4g}",
                 "-" if sim == "dfsim" else f"{ratio:.2f}x"))

head = ("workload", "simulator", "cycles", "wall_s(med)", "transfers/s(med)",
        "dfsim speedup = peer_wall/dfsim_wall (med)")
widths = [max(len(str(x[i])) for x in rows + [head]) for i in range(len(head))]
fmt = "  ".join("{:<%d}" % w if i < 3 else "{:>%d}" % w for i, w in enumerate(widths))
print(fmt.format(*head))
print("  ".join("-" * w for w in widths))
for row in rows:
    print(fmt.format(*row))
EOF
