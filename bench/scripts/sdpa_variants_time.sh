#!/usr/bin/env bash
# Every attention variant as a whole `dfsim sdpa` process, at the preset's published depths and
# with every FIFO unbounded, side by side: the process time (start included) and what an
# unbounded run costs against the bounded one on the same graph.
#
# usage: bench/scripts/sdpa_variants_time.sh [BUILD_DIR]
#
#   BUILD_DIR  CMake build directory (default build/release); uses $BUILD/cli/dfsim
#
# Environment overrides:
#   DFSIM                 explicit path of the binary
#   NS (default 1024)     sequence lengths, e.g. NS="1024 4096"
#   VARIANTS (default "naive naive-stable reordered reordered-stable")
#   ROUNDS (default 5)    rounds; each runs the bounded and the unbounded process in turn
#   PRESET (default spatial-calibrated)
#
# For every N and variant it runs ROUNDS times, alternating:
#   dfsim sdpa --variant V --n N --preset PRESET --json              (published depths)
#   dfsim sdpa --variant V --n N --preset PRESET --json --unbounded  (every FIFO unbounded)
# and prints per case the min and median of the whole process's wall and CPU seconds, the
# median of the engine's run alone (`simulation_wall_seconds`), and the median per round of
# unbounded / bounded (process CPU seconds). The cycles of each case are printed too: they must not vary.
set -euo pipefail

PY=/usr/bin/python3
NS=${NS:-1024}
VARIANTS=${VARIANTS:-"naive naive-stable reordered reordered-stable"}
ROUNDS=${ROUNDS:-5}
PRESET=${PRESET:-spatial-calibrated}

die() { echo "sdpa_variants_time: error: $*" >&2; exit 1; }

. "$(dirname "${BASH_SOURCE[0]}")/build_dir.sh"
build=$(bench_build_dir sdpa_variants_time "${1:-}") || exit 1
DFSIM=${DFSIM:-$build/cli/dfsim}
[[ -x $DFSIM ]] || die "binary not found or not executable: $DFSIM (build the target dfsim)"
[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || die "ROUNDS must be a positive whole number, not '$ROUNDS'"

"$PY" - "$DFSIM" "$PRESET" "$ROUNDS" "$NS" $VARIANTS <<'EOF'
import json, resource, statistics, subprocess, sys, time

dfsim, preset, rounds, ns = sys.argv[1:5]
variants = sys.argv[5:]

def cpu():
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime

# The whole process: wall seconds (what the target counts) and CPU seconds (user + system:
# what a loaded machine's waiting leaves out).
def timed(cmd):
    start, start_cpu = time.monotonic(), cpu()
    done = subprocess.run(cmd, capture_output=True, text=True)
    whole = (time.monotonic() - start, cpu() - start_cpu)
    if done.returncode != 0:
        sys.exit(f"sdpa_variants_time: error: '{' '.join(cmd)}' exited {done.returncode}: {done.stderr.strip()}")
    return json.loads(done.stdout), whole

print(f"preset {preset}, {rounds} rounds (bounded, unbounded in turn)", file=sys.stderr)
head = ("N", "variant", "depths", "process min s", "process median s", "CPU min s",
        "CPU median s", "run median s", "unbounded / bounded CPU", "cycles")
rows = []
med = statistics.median
for n in ns.split():
    for v in variants:
        cmd = [dfsim, "sdpa", "--variant", v, "--n", n, "--preset", preset, "--json"]
        runs = {"published": ([], [], set()), "unbounded": ([], [], set())}
        ratio = []
        for r in range(int(rounds)):
            for depths, extra in (("published", []), ("unbounded", ["--unbounded"])):
                out, whole = timed(cmd + extra)
                proc, sim, cycles = runs[depths]
                proc.append(whole); sim.append(out["simulation_wall_seconds"]); cycles.add(out["cycles"])
            ratio.append(runs["unbounded"][0][-1][1] / runs["published"][0][-1][1])
            print(f"  N={n} {v} round {r + 1}: published {runs['published'][0][-1][0]:.3f} s, "
                  f"unbounded {runs['unbounded'][0][-1][0]:.3f} s", file=sys.stderr)
        for depths, (proc, sim, cycles) in runs.items():
            wall, used = [w for w, _ in proc], [c for _, c in proc]
            rows.append((n, v, depths, f"{min(wall):.3f}", f"{med(wall):.3f}", f"{min(used):.3f}",
                         f"{med(used):.3f}", f"{med(sim):.3f}",
                         f"{med(ratio):.2f}x" if depths == "unbounded" else "",
                         "/".join(map(str, sorted(cycles)))))
widths = [max(len(str(x[i])) for x in rows + [head]) for i in range(len(head))]
for row in [head, tuple("-" * w for w in widths)] + rows:
    print("  ".join(str(c).rjust(w) for c, w in zip(row, widths)))
EOF
