#!/usr/bin/env bash
# dfsim's reordered-stable attention against the bare fused loop that does the same
# arithmetic (bench/peers/fused_attention.cpp), side by side: what simulating every unit and
# FIFO costs over just computing the result.
#
# usage: bench/scripts/sdpa_vs_bare_loop.sh [BUILD_DIR]
#
#   BUILD_DIR  CMake build directory (default build/release). Binaries used:
#                $BUILD/cli/dfsim
#                $BUILD/bench/peers/peer_fused_attention
#
# Environment overrides:
#   DFSIM, PEER   explicit paths of the two binaries
#   N (default 4096)   DS (default "1 64")   ROUNDS (default 3)
#   PRESET (default spatial-calibrated)
#
# For every d in DS it runs, ROUNDS times alternating (dfsim, loop, dfsim, ...):
#   dfsim sdpa --variant reordered-stable --n N --d d --preset PRESET --json
#   peer_fused_attention --n N --d d
# both with the same inputs (seed 1, scale 1), and prints per d the medians of: dfsim's
# simulation seconds (the engine's run, `simulation_wall_seconds`), the loop's seconds (the
# loop alone), and per round the ratio of the two; and the same for the whole processes.
set -euo pipefail

PY=/usr/bin/python3
N=${N:-4096}
DS=${DS:-"1 64"}
ROUNDS=${ROUNDS:-3}
PRESET=${PRESET:-spatial-calibrated}

die() { echo "sdpa_vs_bare_loop: error: $*" >&2; exit 1; }

. "$(dirname "${BASH_SOURCE[0]}")/build_dir.sh"
build=$(bench_build_dir sdpa_vs_bare_loop "${1:-}") || exit 1
DFSIM=${DFSIM:-$build/cli/dfsim}
PEER=${PEER:-$build/bench/peers/peer_fused_attention}
for bin in "$DFSIM" "$PEER"; do
    [[ -x $bin ]] || die "binary not found or not executable: $bin (build the targets dfsim and peer_fused_attention)"
done

"$PY" - "$DFSIM" "$PEER" "$N" "$PRESET" "$ROUNDS" $DS <<'EOF'
import json, statistics, subprocess, sys, time

dfsim, peer, n, preset, rounds = sys.argv[1:6]
ds = sys.argv[6:]

def timed(cmd):
    start = time.monotonic()
    done = subprocess.run(cmd, capture_output=True, text=True)
    whole = time.monotonic() - start
    if done.returncode != 0:
        sys.exit(f"sdpa_vs_bare_loop: error: '{' '.join(cmd)}' exited {done.returncode}: {done.stderr.strip()}")
    return json.loads(done.stdout), whole

print(f"reordered-stable, N = {n}, preset {preset}, {rounds} alternating rounds", file=sys.stderr)
head = ("d", "dfsim run s", "loop s", "run / loop", "dfsim process s", "loop process s", "process ratio", "cycles")
rows = []
for d in ds:
    sim, loop, sim_p, loop_p, ratio, ratio_p, cycles = [], [], [], [], [], [], set()
    for r in range(int(rounds)):
        a, a_whole = timed([dfsim, "sdpa", "--variant", "reordered-stable", "--n", n, "--d", d,
                            "--preset", preset, "--json"])
        b, b_whole = timed([peer, "--n", n, "--d", d])
        sim.append(a["simulation_wall_seconds"]); loop.append(b["wall_seconds"])
        sim_p.append(a_whole); loop_p.append(b_whole); cycles.add(a["cycles"])
        ratio.append(sim[-1] / loop[-1]); ratio_p.append(a_whole / b_whole)
        print(f"  d={d} round {r + 1}: dfsim {sim[-1]:.3f} s ({a_whole:.3f} s process), "
              f"loop {loop[-1]:.4f} s ({b_whole:.3f} s): {ratio[-1]:.2f}x", file=sys.stderr)
    med = statistics.median
    rows.append((d, f"{med(sim):.4f}", f"{med(loop):.4f}", f"{med(ratio):.2f}x",
                 f"{med(sim_p):.4f}", f"{med(loop_p):.4f}", f"{med(ratio_p):.2f}x",
                 "/".join(map(str, sorted(cycles)))))
widths = [max(len(str(x[i])) for x in rows + [head]) for i in range(len(head))]
for row in [head, tuple("-" * w for w in widths)] + rows:
    print("  ".join(str(c).rjust(w) for c, w in zip(row, widths)))
EOF
