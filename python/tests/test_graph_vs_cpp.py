"""Graphs built in Python against the same graphs built in C++: the engine's pipeline
(`dfsim pipeline --json`), the naive attention graph (`dfsim sdpa --json`), and a saved graph
file run by `dfsim run --json`. Cycles, per-context and per-channel statistics and values
must be identical."""
import json
import os
import subprocess

import numpy as np
import pytest

import dfsim


def cli(*args, expect_status=0):
    binary = os.environ.get("DFSIM_CLI")
    if not binary:
        pytest.fail("DFSIM_CLI is not set: run the tests through ctest, or set it to "
                    "build/release/cli/dfsim")
    done = subprocess.run([binary, *map(str, args)], capture_output=True, text=True)
    assert done.returncode == expect_status, done.stderr
    return json.loads(done.stdout)


def pipeline(elements, stages, capacity, latency=1):
    """workloads/pipeline.hpp in Python: a source of 0 .. T-1, K stages adding 1, a checking
    sink; the same names."""
    g = dfsim.Graph()
    c = [g.channel(f"c{k}", dtype="int64", capacity=capacity) for k in range(stages + 1)]
    g.source("source", out=c[0], values=np.arange(elements))
    for k in range(stages):
        g.map(f"stage{k}", inputs=[c[k]], out=c[k + 1], expr="a + 1", latency=latency)
    g.sink("sink", inp=c[stages], expect=np.arange(elements) + stages)
    return g


def statistics(d):
    return {key: d[key] for key in ("status", "cycles", "transfers", "contexts", "channels")}


@pytest.mark.parametrize("capacity, latency", [(2, 1), (8, 3), (1, 2), (None, 4)])
def test_pipeline_matches_the_cpp_pipeline(capacity, latency):
    cap = "unbounded" if capacity is None else capacity
    expected = cli("pipeline", "--elements", 300, "--stages", 4, "--capacity", cap,
                   "--latency", latency, "--json")
    for threads in (1, 2):
        r = pipeline(300, 4, capacity, latency).run(threads=threads)
        assert statistics(r.to_dict()) == statistics(expected)


def naive_attention(q, k, v):
    """The naive graph of docs/sdpa.md with the spatial-calibrated timing, depths and
    disciplines, from units."""
    n, d = q.shape
    g = dfsim.Graph()
    qc = g.channel("q", dims=d)
    kc = g.channel("k", dims=d)
    vc = g.channel("v", dims=d)
    short = g.channel("short", capacity=13)
    long = g.channel("long", capacity=n + 34)
    total = g.channel("sum", capacity=24)
    p = g.channel("p", capacity=9)
    out = g.channel("out", dims=d)
    g.source("q_source", out=qc, values=q, rows=n)
    g.source("k_source", out=kc, values=k, row_length=n, rows=n)
    g.source("v_source", out=vc, values=v, row_length=n, rows=n)
    g.map("qk", inputs=[qc, kc], out=[short, long], expr=f"exp(dot(a, b) * {1 / np.sqrt(d)!r})",
          latency=11, row_length=n, rows=n, per_row=[0])
    g.reduce("row_sum", inputs=[short], out=total, update="acc + a", latency=23, ii=2,
             row_length=n, rows=n)
    g.map("divide", inputs=[long, total], out=p, expr="a / b", latency=8, row_length=n, rows=n,
          per_row=[1])
    g.reduce("weighted_sum", inputs=[p, vc], out=out, update="acc + a * b", latency=13, ii=2,
             row_length=n, rows=n, inputs_together=False)
    g.sink("sink", inp=out)
    return g


@pytest.mark.parametrize("n, d", [(8, 1), (16, 4)])
def test_naive_attention_from_units_matches_the_builtin_graph(tmp_path, n, d):
    rng = np.random.default_rng(3)
    q, k, v = (rng.uniform(-1, 1, (n, d)) for _ in range(3))
    for name, a in zip("qkv", (q, k, v)):
        np.save(tmp_path / f"{name}.npy", a)
    expected = cli("sdpa", "--variant", "naive", "--preset", "spatial-calibrated",
                   "--inputs", tmp_path, "--json", "--save-outputs", tmp_path / "out.npy")
    r = naive_attention(q, k, v).run()
    assert r.cycles == expected["cycles"] == 2 * n * n + 2 * n + 52
    peaks = r.channels.set_index("name")["peak_occupancy"]
    for fifo in expected["fifos"]:
        assert peaks[fifo["name"]] == fifo["peak_occupancy"], fifo["name"]
        assert r.channels.set_index("name")["elements"][fifo["name"]] == fifo["elements"]
    np.testing.assert_allclose(r.outputs["sink"], np.load(tmp_path / "out.npy"), rtol=1e-13)


def test_a_saved_graph_runs_the_same_from_the_command_line(tmp_path):
    g = pipeline(100, 3, 2, latency=2)
    g.save(tmp_path / "pipeline.json")
    expected = cli("run", tmp_path / "pipeline.json", "--json")
    r = g.run()
    assert statistics(r.to_dict()) == statistics(expected)
    again = dfsim.load_graph(tmp_path / "pipeline.json").run()
    assert statistics(again.to_dict()) == statistics(r.to_dict())


def test_the_attention_graph_saved_and_run_by_the_command_line(tmp_path):
    rng = np.random.default_rng(4)
    q, k, v = (rng.uniform(-1, 1, (6, 3)) for _ in range(3))
    g = naive_attention(q, k, v)
    g.save(tmp_path / "naive.json")
    expected = cli("run", tmp_path / "naive.json", "--json", "--threads", 2,
                   "--npy", tmp_path / "kept")
    r = g.run()
    assert statistics(r.to_dict()) == statistics(expected)
    assert np.array_equal(r.outputs["sink"], np.load(tmp_path / "kept" / "sink.npy"))
