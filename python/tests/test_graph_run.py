"""Around a run: scopes, fan-out ports, timing options, Graphviz text, the trace file, and the
NumPy types a Python step may return."""
import json

import numpy as np
import pytest

import dfsim


def test_scopes_fan_out_and_dot(tmp_path):
    g = dfsim.Graph()
    with g.scope("head0"):
        x = g.channel("x", capacity=4)
        with g.scope("inner"):
            a = g.channel("a", capacity=4)
        b = g.channel("b", capacity=4)
        g.source("src", out=x, values=np.arange(4.0))
        g.map("split", inputs=[x], out=[a, b], expr="a * 2")  # one port fanning out
        g.sink("keep_a", inp=a)
        g.sink("keep_b", inp=b)
    assert g.channels == ["head0.x", "head0.inner.a", "head0.b"]
    head1 = g.scope("head1")
    c = head1.scope("deep").channel("c")
    head1.source("src", out=c, values=np.arange(2.0))
    head1.sink("out", inp=c)
    assert c.name == "head1.deep.c" and g.units[-2:] == ["head1.src", "head1.out"]
    before = g.to_dot()
    assert '"head0.split" -> "head0.keep_a" [label="head0.inner.a\\nfloat64, capacity 4"];' in before
    assert '"head0.split" [label="head0.split\\nmap\\nP 1, II 1"];' in before
    r = g.run()
    assert r.outputs["head0.keep_a"].tolist() == r.outputs["head0.keep_b"].tolist() == [0, 2, 4, 6]
    assert r.outputs["head1.out"].tolist() == [0, 1]
    after = g.to_dot()
    assert after == r.to_dot() and "cluster" in after and "head0.split" in after


# A source with start-up delay 5, per-row delay 2, rows of 2, II 3: 5 + 2 = 7, writes at 7
# and 10 (row 0), then 13 + 2 = 15, writes at 15 and 18 (row 1); the last is visible at 19 and
# the map (latency 4) stamps it 23.
def test_every_timing_option_of_a_source():
    g = dfsim.Graph()
    x = g.channel("x", capacity=8)
    y = g.channel("y", capacity=8)
    g.source("src", out=x, values=np.arange(4.0), ii=3, startup_delay=5, per_row_delay=2,
             row_length=2)
    g.map("m", inputs=[x], out=y, expr="a", latency=4)
    g.sink("out", inp=y)
    r = g.run()
    assert r.cycles == 23


def test_channel_latency_and_repeat():
    g = dfsim.Graph()
    x = g.channel("x", dtype="int64", latency=5, capacity=8)
    y = g.channel("y", dtype="int64", capacity=8)
    g.source("src", out=x, values=np.array([7, 8]))
    g.repeat("rep", inp=x, out=y, count=3)
    g.sink("out", inp=y)
    r = g.run()
    assert r.outputs["out"].tolist() == [7, 7, 7, 8, 8, 8]
    ch = r.channels.set_index("name")
    assert ch.loc["x", "latency"] == 5 and ch.loc["y", "elements"] == 6


def test_trace_file(tmp_path):
    g = dfsim.Graph()
    x, y = g.channel("x"), g.channel("y")
    g.source("src", out=x, values=np.arange(3.0))
    g.map("m", inputs=[x], out=y, expr="a + 1")
    g.sink("out", inp=y)
    g.run(trace=tmp_path / "run.trace.json")
    events = json.loads((tmp_path / "run.trace.json").read_text())["traceEvents"]
    tracks = [e["args"]["name"] for e in events if e["name"] == "thread_name"]
    assert tracks == ["src", "m", "out"]  # a track per context
    # Element i of x: written at i, dequeued at i + 1, its slot free at i + 2 (R = 1): an async
    # begin at i and end at i + 2.
    x_lives = [(e["ph"], e["ts"]) for e in events if e["name"] == "x" and e["ph"] in "be"]
    assert x_lives == [("b", 0), ("e", 2), ("b", 1), ("e", 3), ("b", 2), ("e", 4)]
    # The map waits one cycle for its first element, then computes for three.
    m_track = [(e["name"], e["ts"], e["dur"]) for e in events if e["ph"] == "X" and e["tid"] == 2]
    assert m_track == [("starved on x", 0, 1), ("busy", 1, 3)]


@pytest.mark.parametrize("dtype, returned", [
    ("int64", np.int64(5)), ("int64", np.int32(5)), ("int64", 5),
    ("float64", np.float32(5.0)), ("float64", np.int64(5)), ("float64", 5),
    ("float32", np.float64(5.0)),
])
def test_numpy_scalars_from_a_step(dtype, returned):
    g = dfsim.Graph()
    x = g.channel("x", dtype=dtype)
    y = g.channel("y", dtype=dtype)
    g.source("src", out=x, values=np.arange(2).astype(dtype))
    g.map("m", inputs=[x], out=y, fn=lambda a: returned)
    g.sink("out", inp=y)
    out = g.run().outputs["out"]
    assert out.dtype == np.dtype(dtype) and out.tolist() == [5, 5]


def test_inputs_arrive_as_python_numbers_and_numpy_vectors():
    seen = []
    g = dfsim.Graph()
    i, f, v = g.channel("i", dtype="int64"), g.channel("f", dtype="float32"), g.channel("v", dims=2)
    o = g.channel("o")
    g.source("si", out=i, values=np.array([1]))
    g.source("sf", out=f, values=np.array([0.5], dtype=np.float32))
    g.source("sv", out=v, values=np.array([[1.0, 2.0]]))
    g.map("m", inputs=[i, f, v], out=o, fn=lambda a, b, c: seen.append((a, b, c)) or 0.0)
    g.sink("out", inp=o)
    g.run()
    (a, b, c), = seen
    assert type(a) is int and type(b) is float and b == 0.5
    assert isinstance(c, np.ndarray) and c.dtype == np.float64 and c.tolist() == [1.0, 2.0]
