"""The 8-stage pipeline built in Python with native expressions against the same pipeline in
C++ (`dfsim pipeline`), side by side in one run, alternating; and what units that run Python
cost (elements per second). docs/performance.md, "Graphs from Python", has the figures.

    PYTHONPATH=build/release/python /usr/bin/python3 bench/python/pipeline_bench.py \
        --cli build/release/cli/dfsim [--elements 1000000] [--repetitions 5]
"""
import argparse
import json
import statistics
import subprocess
import time

import numpy as np

import dfsim


def pipeline(elements, stages, capacity):
    """workloads/pipeline.hpp in Python: a source, K Maps "a + 1", a checking sink."""
    g = dfsim.Graph()
    c = [g.channel(f"c{k}", dtype="int64", capacity=capacity) for k in range(stages + 1)]
    g.source("source", out=c[0], values=np.arange(elements))
    for k in range(stages):
        g.map(f"stage{k}", inputs=[c[k]], out=c[k + 1], expr="a + 1")
    g.sink("sink", inp=c[stages], expect=np.arange(elements) + stages)
    return g


def python_run(elements, stages, capacity):
    g = pipeline(elements, stages, capacity)
    start = time.perf_counter()
    r = g.run()
    return r.cycles, r.wall_seconds, time.perf_counter() - start


def cpp_run(cli, elements, stages, capacity):
    out = subprocess.run([cli, "pipeline", "--elements", str(elements), "--stages", str(stages),
                          "--capacity", str(capacity), "--json"],
                         capture_output=True, text=True, check=True)
    r = json.loads(out.stdout)
    return r["cycles"], r["wall_seconds"]


def per_element_cost(kind, elements):
    """Elements per second through one unit computing in Python (`kind`: callable or
    generator), in a source -> unit -> sink graph (wall time of the run)."""
    g = dfsim.Graph()
    x, y = g.channel("x", dtype="int64", capacity=8), g.channel("y", dtype="int64", capacity=8)
    g.source("src", out=x, values=np.arange(elements))
    if kind == "callable":
        g.map("inc", inputs=[x], out=y, fn=lambda a: a + 1)
    elif kind == "expression":
        g.map("inc", inputs=[x], out=y, expr="a + 1")
    else:
        def inc(ctx, inp, out):
            while (v := (yield inp.pop())) is not None:
                yield out.push(v + 1, latency=1)
                yield ctx.advance(1)
        g.process("inc", inc, inputs=[x], outputs=[y])
    g.sink("out", inp=y, keep=False)
    r = g.run()
    return elements / r.wall_seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cli", default="build/release/cli/dfsim")
    parser.add_argument("--elements", type=int, default=1_000_000)
    parser.add_argument("--stages", type=int, default=8)
    parser.add_argument("--capacity", type=int, default=8)
    parser.add_argument("--repetitions", type=int, default=5)
    parser.add_argument("--python-elements", type=int, default=100_000)
    a = parser.parse_args()

    ratios = []
    for rep in range(a.repetitions):
        cpp_cycles, cpp_wall = cpp_run(a.cli, a.elements, a.stages, a.capacity)
        py_cycles, py_wall, py_total = python_run(a.elements, a.stages, a.capacity)
        assert py_cycles == cpp_cycles, (py_cycles, cpp_cycles)
        ratios.append(py_wall / cpp_wall)
        print(f"rep {rep}: C++ {cpp_wall:.3f} s, Python-built {py_wall:.3f} s "
              f"(run() {py_total:.3f} s), ratio {py_wall / cpp_wall:.2f}, {py_cycles} cycles")
    print(f"pipeline T = {a.elements}, K = {a.stages}, capacity {a.capacity}: Python-built / C++ "
          f"wall time, median {statistics.median(ratios):.2f} (min {min(ratios):.2f}, "
          f"max {max(ratios):.2f})")
    for kind in ["expression", "callable", "generator"]:
        rates = [per_element_cost(kind, a.python_elements) for _ in range(3)]
        print(f"one unit, {kind}: {statistics.median(rates) / 1e6:.3f} M elements/s (median of 3)")


if __name__ == "__main__":
    main()
