#!/usr/bin/env bash
# Side-by-side speed of the sequential executor and the parallel one (--threads 2) on the
# wide workloads of issue 5.
#
# usage: bench/scripts/parallel_scaling.sh [BUILD_DIR]
#
#   BUILD_DIR  CMake build directory (default build/release; a relative path is looked up
#              from the current directory, then from the repo root). Uses $BUILD/cli/dfsim.
#
# Environment overrides:
#   DFSIM          explicit path of the dfsim binary
#   ROUNDS         interleaved rounds per workload (default 5)
#   THREADS        worker threads of the parallel runs (default 2)
#   TREE_LEAVES    (default 1024)      TREE_ELEMENTS (default 40000)   TREE_CAPACITY (default 8)
#   SDPA_N         (default 1024)      SDPA_HEADS    (default 8)
#   PIPE_ELEMENTS  (default 10000000)  PIPE_STAGES   (default 8)       PIPE_CAPACITY (default 8)
#   WORKLOADS      subset of "tree sdpa-heads sdpa-1 pipeline" (default: all four)
#   CEILING        1 (default): also measure the machine's ceiling; 0: skip it
#
# Workloads (each run once sequentially and once with --threads $THREADS per round, in the
# order A B A B ..., so both see the same machine):
#   tree        dfsim tree --leaves 1024 --elements 40000 --capacity 8
#   sdpa-heads  dfsim sdpa --variant reordered-stable --n 1024 --heads 8 --preset one-cycle
#   sdpa-1      dfsim sdpa --variant reordered-stable --n 1024 --heads 1 --preset one-cycle
#   pipeline    dfsim pipeline --elements 10000000 --stages 8 --capacity 8
# The sdpa rows are skipped, with a message, if `dfsim sdpa --help` does not list --heads.
#
# The machine's ceiling (tree and multi-head rows): 1/THREADS of the workload (half the
# leaves, half the heads), sequential, THREADS copies one after the other vs side by side as
# separate processes. No executor does better than independent processes, so this is what
# the cores, caches and the other load on the machine allow at that moment; the "of
# ceiling" column is speedup / ceiling.
#
# Times are the simulation's own wall seconds from --json (`simulation_wall_seconds` if the
# command reports it, else `wall_seconds`): graph building, input generation and reference
# checks are left out. The table also gives the end-to-end speedup of the whole process.
# Speedups are the median over rounds of the per-round ratio sequential / parallel.
# Issue 5's targets: >= 1.7x on 8 heads, >= 0.95x on a single head. Other load on the
# machine takes cores from the parallel runs: the script prints the load average and warns.
# Any failing run (non-zero exit, e.g. a wrong sum) aborts.
set -euo pipefail

PY=/usr/bin/python3
ROUNDS=${ROUNDS:-5}
THREADS=${THREADS:-2}
TREE_LEAVES=${TREE_LEAVES:-1024}
TREE_ELEMENTS=${TREE_ELEMENTS:-40000}
TREE_CAPACITY=${TREE_CAPACITY:-8}
SDPA_N=${SDPA_N:-1024}
SDPA_HEADS=${SDPA_HEADS:-8}
PIPE_ELEMENTS=${PIPE_ELEMENTS:-10000000}
PIPE_STAGES=${PIPE_STAGES:-8}
PIPE_CAPACITY=${PIPE_CAPACITY:-8}
WORKLOADS=${WORKLOADS:-"tree sdpa-heads sdpa-1 pipeline"}
CEILING=${CEILING:-1}

die() { echo "parallel_scaling: error: $*" >&2; exit 1; }

. "$(dirname "${BASH_SOURCE[0]}")/build_dir.sh"
build=$(bench_build_dir parallel_scaling "${1:-}") || exit 1
DFSIM=${DFSIM:-$build/cli/dfsim}

[[ -x $PY ]] || die "$PY not found (needed to parse the JSON output)"
[[ -x $DFSIM ]] || die "binary not found or not executable: $DFSIM (build the dfsim target)"

results=$(mktemp)
errlog=$(mktemp)
trap 'rm -f "$results" "$errlog"' EXIT

# parse_json: reads a command's stdout, prints "sim_wall cycles".
parse_json() {
    "$PY" -c '
import json, sys
text = sys.stdin.read()
start = text.find("{")
if start < 0:
    sys.exit("no JSON object in output")
obj = json.loads(text[start:])
wall = obj.get("simulation_wall_seconds", obj.get("wall_seconds"))
if wall is None:
    sys.exit("JSON output lacks wall_seconds")
cycles = obj.get("cycles", obj.get("elapsed_cycles", -1))
print(float(wall), int(cycles))
'
}

now() { date +%s.%N; }
elapsed() { "$PY" -c "print($2 - $1)"; }

# run NAME MODE ROUND CMD...: runs CMD, reads the JSON object it prints and appends
# "NAME MODE ROUND sim_wall process_wall cycles" to $results.
run() {
    local name=$1 mode=$2 round=$3
    shift 3
    local out start end
    start=$(now)
    if ! out=$("$@" 2>"$errlog"); then
        echo "parallel_scaling: error: '$*' failed:" >&2
        cat "$errlog" >&2
        printf '%s\n' "$out" | tail -20 >&2
        exit 1
    fi
    end=$(now)
    local sim_wall cycles
    read -r sim_wall cycles < <(printf '%s\n' "$out" | parse_json) ||
        die "could not parse the --json output of '$*'"
    [[ -n ${cycles:-} ]] || die "could not parse the --json output of '$*'"
    local process_wall
    process_wall=$(elapsed "$start" "$end")
    echo "$name $mode $round $sim_wall $process_wall $cycles" >>"$results"
    printf '  %-10s round %s  %-10s sim %8.3f s  process %8.3f s  cycles %s\n' \
        "$name" "$round" "$mode" "$sim_wall" "$process_wall" "$cycles" >&2
}

# ceiling NAME ROUND CMD...: the machine's own limit for this workload at this moment. CMD
# is 1/THREADS of the workload (half the leaves, half the heads); it runs THREADS times one
# after the other, then THREADS times side by side as separate processes, all sequential.
# Appends "NAME alone ROUND sum_of_walls" and "NAME side-by-side ROUND max_of_walls".
ceiling() {
    local name=$1 round=$2
    shift 2
    local i alone=0 out wall
    for ((i = 0; i < THREADS; i++)); do
        out=$("$@" --threads 1 --json 2>"$errlog") || die "'$*' failed: $(cat "$errlog")"
        wall=$(printf '%s\n' "$out" | parse_json | cut -d' ' -f1) ||
            die "could not parse the --json output of '$*'"
        alone=$("$PY" -c "print($alone + $wall)")
    done
    local files=() pids=()
    for ((i = 0; i < THREADS; i++)); do
        files+=("$(mktemp)")
        "$@" --threads 1 --json >"${files[i]}" 2>>"$errlog" &
        pids+=($!)
    done
    local side=0
    for ((i = 0; i < THREADS; i++)); do
        wait "${pids[i]}" || die "'$*' failed (side by side): $(cat "$errlog")"
        wall=$(parse_json <"${files[i]}" | cut -d' ' -f1) ||
            die "could not parse the --json output of '$*'"
        side=$("$PY" -c "print(max($side, $wall))")
        rm -f "${files[i]}"
    done
    echo "$name alone $round $alone 0 0" >>"$results"
    echo "$name side-by-side $round $side 0 0" >>"$results"
    printf '  %-10s round %s  ceiling    %s pieces: %.3f s one after another, %.3f s side by side\n' \
        "$name" "$round" "$THREADS" "$alone" "$side" >&2
}

# compare NAME [--half CMD... --] CMD...: ROUNDS rounds of (sequential, parallel), each
# followed, with --half, by the ceiling measurement on CMD.
compare() {
    local name=$1
    shift
    local half=()
    if [[ ${1:-} == --half ]]; then
        shift
        while [[ $1 != -- ]]; do half+=("$1"); shift; done
        shift
    fi
    for ((round = 1; round <= ROUNDS; round++)); do
        run "$name" sequential "$round" "$@" --threads 1 --json
        run "$name" parallel "$round" "$@" --threads "$THREADS" --json
        if (( ${#half[@]} )) && [[ $CEILING == 1 ]]; then ceiling "$name" "$round" "${half[@]}"; fi
    done
}

have_heads() { "$DFSIM" sdpa --help 2>/dev/null | grep -q -- '--heads'; }

read -r load1 _ < /proc/loadavg
echo "parallel_scaling: $ROUNDS interleaved rounds, sequential vs --threads $THREADS," \
     "$(nproc) hardware threads, load average $load1 at start" >&2

skipped=()
for w in $WORKLOADS; do
    case $w in
        tree)
            compare "tree" --half "$DFSIM" tree --leaves "$((TREE_LEAVES / THREADS))" \
                --elements "$TREE_ELEMENTS" --capacity "$TREE_CAPACITY" -- \
                "$DFSIM" tree --leaves "$TREE_LEAVES" --elements "$TREE_ELEMENTS" \
                --capacity "$TREE_CAPACITY" ;;
        sdpa-heads | sdpa-1)
            heads=$SDPA_HEADS
            [[ $w == sdpa-1 ]] && heads=1
            if ! have_heads; then
                skipped+=("sdpa --heads $heads: skipped, '$DFSIM sdpa --help' does not list --heads (not implemented in this build)")
                echo "parallel_scaling: ${skipped[-1]}" >&2
                continue
            fi
            half=()
            if (( heads >= THREADS )); then
                half=(--half "$DFSIM" sdpa --variant reordered-stable --n "$SDPA_N"
                      --heads "$((heads / THREADS))" --preset one-cycle --)
            fi
            compare "sdpa-h$heads" "${half[@]}" "$DFSIM" sdpa --variant reordered-stable \
                --n "$SDPA_N" --heads "$heads" --preset one-cycle ;;
        pipeline)
            compare "pipeline" "$DFSIM" pipeline --elements "$PIPE_ELEMENTS" \
                --stages "$PIPE_STAGES" --capacity "$PIPE_CAPACITY" ;;
        *) die "unknown workload '$w' (tree, sdpa-heads, sdpa-1, pipeline)" ;;
    esac
done

read -r load_end _ < /proc/loadavg

"$PY" - "$results" "$THREADS" "$load1" "$load_end" "$(nproc)" \
    "tree=tree L=$TREE_LEAVES T=$TREE_ELEMENTS C=$TREE_CAPACITY" \
    "sdpa-h$SDPA_HEADS=sdpa reordered-stable N=$SDPA_N heads=$SDPA_HEADS" \
    "sdpa-h1=sdpa reordered-stable N=$SDPA_N heads=1" \
    "pipeline=pipeline K=$PIPE_STAGES T=$PIPE_ELEMENTS C=$PIPE_CAPACITY" <<'EOF'
import statistics, sys
from collections import defaultdict

path, threads, load_start, load_end, cores = sys.argv[1:6]
labels = dict(arg.split("=", 1) for arg in sys.argv[6:])
runs = defaultdict(dict)  # (name, mode) -> round -> (sim, process, cycles)
order = []
for line in open(path):
    name, mode, rnd, sim, proc, cycles = line.split()
    if name not in order and mode in ("sequential", "parallel"):
        order.append(name)
    runs[(name, mode)][int(rnd)] = (float(sim), float(proc), int(cycles))

if not order:
    print("no workload ran")
    sys.exit(0)

head = ("workload", "sequential s", f"parallel s ({threads} thr)", "speedup",
        "end-to-end speedup", "machine ceiling", "of ceiling", "cycles")
rows = []
for name in order:
    seq, par = runs[(name, "sequential")], runs[(name, "parallel")]
    rounds = sorted(set(seq) & set(par))
    ratios = [seq[r][0] / par[r][0] for r in rounds]
    ratio = statistics.median(ratios)
    ratio_e2e = statistics.median(seq[r][1] / par[r][1] for r in rounds)
    alone, side = runs.get((name, "alone"), {}), runs.get((name, "side-by-side"), {})
    ceiling_rounds = sorted(set(alone) & set(side) & set(rounds))
    if ceiling_rounds:
        ceil = statistics.median(alone[r][0] / side[r][0] for r in ceiling_rounds)
        of = statistics.median(ratios[rounds.index(r)] / (alone[r][0] / side[r][0])
                               for r in ceiling_rounds)
        ceil_text, of_text = f"{ceil:.2f}x", f"{of:.0%}"
    else:
        ceil_text = of_text = "-"
    cycles = sorted({v[2] for v in list(seq.values()) + list(par.values())})
    rows.append((labels.get(name, name),
                 f"{statistics.median(v[0] for v in seq.values()):.3f}",
                 f"{statistics.median(v[0] for v in par.values()):.3f}",
                 f"{ratio:.2f}x", f"{ratio_e2e:.2f}x", ceil_text, of_text,
                 "/".join(str(c) for c in cycles)))

widths = [max(len(str(x[i])) for x in rows + [head]) for i in range(len(head))]
fmt = "  ".join("{:<%d}" % w if i == 0 else "{:>%d}" % w for i, w in enumerate(widths))
print(fmt.format(*head))
print("  ".join("-" * w for w in widths))
for row in rows:
    print(fmt.format(*row))
print(f"(medians over rounds; speedup = median of per-round sequential/parallel simulation wall;"
      f" {cores} hardware threads; load average {load_start} at start, {load_end} at end)")
if float(load_start) > 0.5:
    print("warning: the machine was busy with other work: parallel figures understate the "
          "executor", file=sys.stderr)
EOF
for s in "${skipped[@]}"; do echo "note: $s"; done
