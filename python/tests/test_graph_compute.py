"""What a unit computes, three ways (native expression, Python callable, Python generator), each
with cycles derived by hand from docs/semantics.md and values against NumPy."""
import numpy as np
import pytest

import dfsim


def chain(dtype="int64", dims=0, values=None, capacity=8):
    """source -> x -> (the unit under test) -> y -> sink "out"."""
    g = dfsim.Graph()
    x = g.channel("x", dtype=dtype, dims=dims, capacity=capacity)
    y = g.channel("y", dtype=dtype, dims=dims, capacity=capacity)
    g.source("src", out=x, values=values if values is not None else np.arange(4))
    return g, x, y


# The source writes value i at clock i, visible at i + 1 (latency 1, II 1); a Map of latency 3
# steps at clock i + 1 and stamps i + 4; the sink dequeues the last (i = 3) at 7.
@pytest.mark.parametrize("how", ["expr", "fn", "generator"])
def test_map_three_ways_same_cycles_and_values(how):
    g, x, y = chain()
    if how == "expr":
        g.map("inc", inputs=[x], out=y, expr="a + 1", latency=3)
    elif how == "fn":
        g.map("inc", inputs=[x], out=y, fn=lambda a: a + 1, latency=3)
    else:
        def inc(ctx, inp, out):
            while (v := (yield inp.pop())) is not None:
                yield out.push(v + 1, latency=3)
                yield ctx.advance(1)
        g.process("inc", inc, inputs=[x], outputs=[y])
    g.sink("out", inp=y)
    r = g.run()
    assert r.cycles == 7
    assert r.outputs["out"].dtype == np.int64
    assert r.outputs["out"].tolist() == [1, 2, 3, 4]
    peaks = r.channels.set_index("name")["peak_occupancy"]
    # Element i of x is written at i and freed at its dequeue (i + 1) + R = i + 2: two in
    # flight. Element i of y is written at i + 1 and freed at i + 4 + R = i + 5: four.
    assert peaks["x"] == 2 and peaks["y"] == 4


# Rows of 3: steps at clocks 1, 2, 3 write acc at 3 + 2 = 5; the second row's last step at 6
# writes at 8.
@pytest.mark.parametrize("how", ["expr", "fn"])
def test_reduce_rows(how):
    g, x, y = chain(dtype="float64", values=np.arange(1.0, 7.0))
    if how == "expr":
        g.reduce("sum", inputs=[x], out=y, update="acc + a", latency=2, row_length=3)
    else:
        g.reduce("sum", inputs=[x], out=y, fn=lambda acc, a: acc + a, latency=2, row_length=3)
    g.sink("out", inp=y)
    r = g.run()
    assert r.cycles == 8
    assert r.outputs["out"].tolist() == [6.0, 15.0]


@pytest.mark.parametrize("how", ["expr", "fn", "fn-tuple"])
def test_scan_running_sum_per_row(how):
    g, x, y = chain(dtype="int64", values=np.arange(1, 7))
    if how == "expr":
        g.scan("psum", inputs=[x], out=y, update="acc + a", row_length=3, init=0)
    elif how == "fn":
        g.scan("psum", inputs=[x], out=y, fn=lambda acc, a: acc + a, row_length=3)
    else:
        g.scan("psum", inputs=[x], out=y, fn=lambda acc, a: (acc + a, 10 * (acc + a)), row_length=3)
    g.sink("out", inp=y)
    r = g.run()
    assert r.cycles == 7  # one output per step, stamped one cycle after it: 2 .. 7
    expected = np.array([1, 3, 6, 4, 9, 15])
    assert r.outputs["out"].tolist() == (10 * expected if how == "fn-tuple" else expected).tolist()


def test_vectors_in_and_out_three_ways():
    rng = np.random.default_rng(1)
    k = rng.uniform(-1, 1, (5, 4))
    q = rng.uniform(-1, 1, (5, 4))
    expected = np.exp((q * k).sum(axis=1) * 0.5)
    results = []
    for how in ["expr", "fn", "generator"]:
        g = dfsim.Graph()
        a = g.channel("a", dims=4)
        b = g.channel("b", dims=4)
        s = g.channel("s", capacity=16)  # room for the 11 cycles in flight
        g.source("q", out=a, values=q)
        g.source("k", out=b, values=k)
        if how == "expr":
            g.map("score", inputs=[a, b], out=s, expr="exp(dot(a, b) * 0.5)", latency=11)
        elif how == "fn":
            g.map("score", inputs=[a, b], out=s, fn=lambda x, y: np.exp(np.dot(x, y) * 0.5),
                  latency=11)
        else:
            def score(ctx, qa, kb, out):
                while (x := (yield qa.pop())) is not None:
                    y = yield kb.pop()
                    yield out.push(np.exp(np.dot(x, y) * 0.5), latency=11)
                    yield ctx.advance(1)
            g.process("score", score, inputs=[a, b], outputs=[s])
        g.sink("out", inp=s)
        results.append(g.run())
    for r in results:
        assert r.cycles == 5 + 11  # the last pair visible at 5, stamped 5 + 11
        np.testing.assert_allclose(r.outputs["out"], expected, rtol=1e-15)
    # dot sums the products in order, as np.dot of 4 values does here.
    assert np.array_equal(results[0].outputs["out"], results[1].outputs["out"])


@pytest.mark.parametrize("how", ["expr", "fn"])
def test_vector_state_reduce_axpy_and_scale(how):
    p = np.array([0.5, 0.25, 2.0, 1.0])
    v = np.arange(8.0).reshape(4, 2)
    g = dfsim.Graph()
    pc = g.channel("p")
    vc = g.channel("v", dims=2)
    acc = g.channel("acc", dims=2)
    out = g.channel("o", dims=2)
    g.source("p_src", out=pc, values=p)
    g.source("v_src", out=vc, values=v)
    timing = dict(row_length=2, latency=13, ii=2, inputs_together=False)
    if how == "expr":
        g.reduce("weighted_sum", inputs=[pc, vc], out=acc, update="acc + a * b", **timing)
        g.map("scale", inputs=[acc], out=out, expr="a * 3")
    else:
        g.reduce("weighted_sum", inputs=[pc, vc], out=acc, fn=lambda s, a, b: s + a * b, **timing)
        g.map("scale", inputs=[acc], out=out, fn=lambda a: a * 3)
    g.sink("out", inp=out)
    r = g.run()
    got = r.outputs["out"]
    assert got.shape == (2, 2) and got.dtype == np.float64
    expected = np.stack([p[0] * v[0] + p[1] * v[1], p[2] * v[2] + p[3] * v[3]]) * 3
    assert np.array_equal(got, expected)


def test_float32_rounds_like_numpy():
    values = np.array([0.1, 0.2, 1 / 3], dtype=np.float32)
    for fn in [None, lambda a: a * 3]:
        g, x, y = chain(dtype="float32", values=values)
        g.map("triple", inputs=[x], out=y, expr=None if fn else "a * 3", fn=fn)
        g.sink("out", inp=y)
        out = g.run().outputs["out"]
        assert out.dtype == np.float32
        assert np.array_equal(out, values * np.float32(3))


def test_float32_vectors_out():
    values = np.array([[0.1, 0.2], [0.3, 0.4]], dtype=np.float32)
    g, x, y = chain(dtype="float32", dims=2, values=values)
    g.map("half", inputs=[x], out=y, fn=lambda a: a / 2)
    g.sink("out", inp=y)
    out = g.run().outputs["out"]
    assert out.dtype == np.float32 and out.shape == (2, 2)
    assert np.array_equal(out, values / np.float32(2))


# Two sources, a at clocks 0, 2, 4 (visible 1, 3, 5), b started one cycle later (visible 2, 4,
# 6); the merge takes the earliest each time, so ctx.now after each select is 1, 2, ..., 6, and
# each push is visible one cycle later (L = 1): the sink's last dequeue is at 7.
def test_generator_merge_with_select_sees_the_clock():
    g = dfsim.Graph()
    a = g.channel("a", dtype="int64")
    b = g.channel("b", dtype="int64")
    m = g.channel("m", dtype="int64", capacity=8)
    g.source("a_src", out=a, values=np.array([10, 11, 12]), ii=2)
    g.source("b_src", out=b, values=np.array([20, 21, 22]), ii=2, startup_delay=1)
    clocks = []

    @g.process("merge", inputs=[a, b], outputs=[m])
    def merge(ctx, a_in, b_in, out):
        while (i := (yield ctx.select(a_in, b_in))) is not None:
            clocks.append(ctx.now)
            v = yield (a_in, b_in)[i].pop()
            yield out.push(v)

    g.sink("out", inp=m)
    r = g.run()
    assert clocks == [1, 2, 3, 4, 5, 6]
    assert r.outputs["out"].tolist() == [10, 20, 11, 21, 12, 22]
    assert r.cycles == 7


def test_generator_peek_push_at_and_end_of_stream():
    g, x, y = chain(values=np.array([5, 6]))
    seen = []

    def stamp_by_value(ctx, inp, out):
        while True:
            head = yield inp.peek()
            v = yield inp.pop()
            seen.append((head, v))
            if v is None:
                return
            yield out.push(v, at=10 * v)  # an explicit stamp: visible at cycle 10 v

    g.process("stamp", stamp_by_value, inputs=[x], outputs=[y])
    g.sink("out", inp=y)
    r = g.run()
    assert seen == [(5, 5), (6, 6), (None, None)]
    assert r.cycles == 60
    assert r.outputs["out"].tolist() == [5, 6]


def test_threads_one_and_two_identical_with_every_kind_of_compute():
    def build():
        g = dfsim.Graph()
        c = [g.channel(f"c{i}", dtype="int64", capacity=4) for i in range(5)]
        g.source("src", out=c[0], values=np.arange(200))
        g.map("native", inputs=[c[0]], out=c[1], expr="a * 2", latency=3)
        g.map("callable", inputs=[c[1]], out=c[2], fn=lambda a: a + 7, latency=2)

        def echo(ctx, inp, out):
            while (v := (yield inp.pop())) is not None:
                yield out.push(v - 1, latency=4)
                yield ctx.advance(2)
        g.process("generator", echo, inputs=[c[2]], outputs=[c[3]])
        g.scan("running", inputs=[c[3]], out=c[4], update="acc + a", row_length=10)
        g.sink("out", inp=c[4])
        return g
    one, two = build().run(threads=1), build().run(threads=2)
    assert one.cycles == two.cycles
    assert one.contexts.equals(two.contexts) and one.channels.equals(two.channels)
    assert np.array_equal(one.outputs["out"], two.outputs["out"])
    steps = np.arange(200) * 2 + 7 - 1
    assert one.outputs["out"].tolist() == np.cumsum(steps.reshape(20, 10), axis=1).ravel().tolist()
