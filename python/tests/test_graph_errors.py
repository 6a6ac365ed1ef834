"""Graphs that cannot run, runs that deadlock or fail, and wrong NumPy input: each a Python
exception whose message names the channel or unit and says what to do."""
import numpy as np
import pytest

import dfsim


def small(capacity=2):
    g = dfsim.Graph()
    x = g.channel("x", dtype="int64", capacity=capacity)
    y = g.channel("y", dtype="int64", capacity=capacity)
    g.source("src", out=x, values=np.arange(5))
    return g, x, y


def problems_of(g):
    with pytest.raises(dfsim.GraphError) as e:
        g.run()
    assert e.value.problems == g.problems()
    return e.value.problems


def test_validation_names_every_channel_and_unit_at_fault():
    g, x, y = small()
    z = g.channel("z", dtype="int64")
    g.map("inc", inputs=[x], out=y, expr="a + q", latency=0, ii=0)
    g.map("dup", inputs=[x], out=z, expr="a", per_row=[3])
    assert problems_of(g) == [
        "node 'inc': latency 0: a unit's latency is at least 1 cycle (a result is visible "
        "downstream the cycle after it is written at the earliest)",
        "node 'inc': initiation interval 0: a unit accepts at most one input per cycle, so the "
        "initiation interval is at least 1",
        "node 'inc': output 0: expression 'a + q': unknown name 'q': the variables are a (int64)",
        "node 'dup': per-row input 3 does not exist: it has 1 inputs, numbered from 0 in the "
        "order they are passed",
        "channel 'x' has two receivers: 'inc' and 'dup'",
        "channel 'y' has no receiver: name it in a node's inputs",
        "channel 'z' has no receiver: name it in a node's inputs",
    ]
    with pytest.raises(dfsim.GraphError) as e:
        g.run()
    assert str(e.value).startswith("the graph cannot run (7 problems):\n"
                                   "  - node 'inc': latency 0: a unit's latency is at least 1 cycle")


@pytest.mark.parametrize("make, message", [
    (lambda g: g.channel("c", capacity=0),
     "channel 'c': capacity 0: give a whole number >= 1, or capacity=None for an unbounded channel"),
    (lambda g: g.channel("c", latency=0), "channel 'c': latency 0: give a whole number >= 1"),
    (lambda g: g.channel("c", response_latency=1.5),
     "channel 'c': response_latency 1.5: give a whole number >= 1"),
    (lambda g: g.map("m", inputs=[], out=[], expr="1", latency=-2),
     "unit 'm': latency -2: give a whole number >= 0"),
    (lambda g: g.reduce("r", inputs=[], out=[], update="acc", rows=-1),
     "unit 'r': rows -1: give a whole number >= 0, or rows=None to run until an input ends"),
])
def test_bad_numbers_are_refused_at_the_call(make, message):
    with pytest.raises(ValueError) as e:
        make(dfsim.Graph())
    assert str(e.value) == message


def test_validation_of_arity_types_and_names():
    g = dfsim.Graph()
    a = g.channel("a", dims=3)
    b = g.channel("b")
    g.source("src", out=a, values=np.zeros((2, 3)))
    g.reduce("sum", inputs=[a], out=b, update="acc + a")
    g.sink("sum", inp=b)
    assert problems_of(g) == [
        "two nodes are named 'sum'",
        "node 'sum': update: expression 'acc + a': a vector outside sum() or dot() gives a "
        "vector, but the result is a scalar (float64)",
    ]
    g2 = dfsim.Graph()
    i, f = g2.channel("i", dtype="int64"), g2.channel("f")
    g2.source("src", out=i, values=np.arange(3))
    g2.repeat("rep", inp=i, out=f, count=0)
    g2.sink("out", inp=f)
    assert problems_of(g2) == [
        "node 'rep': count 0: each input is written at least once",
        "node 'rep': a repeat writes what it reads: its input is int64, its output float64",
    ]


def test_scoped_names_in_messages():
    g = dfsim.Graph()
    with g.scope("head0"):
        x = g.channel("x")
        g.source("src", out=x, values=np.arange(3.0))
    assert g.channels == ["head0.x"] and g.units == ["head0.src"]
    assert problems_of(g) == ["channel 'head0.x' has no receiver: name it in a node's inputs"]


def tiny_naive(long_depth, n=4):
    """The naive attention structure at N = 4: a row's sum is needed before its first
    division, so 'long' must hold a row."""
    g = dfsim.Graph()
    x, short, long, total, p = (g.channel(c, capacity=cap) for c, cap in
                                [("x", 2), ("short", 2), ("long", long_depth), ("sum", 2), ("p", 2)])
    g.source("src", out=x, values=np.arange(1.0, n * n + 1))
    g.map("qk", inputs=[x], out=[short, long], expr="exp(a / 16)")
    g.reduce("row_sum", inputs=[short], out=total, update="acc + a", row_length=n)
    g.map("divide", inputs=[long, total], out=p, expr="a / b", row_length=n, per_row=[1])
    g.sink("sink", inp=p)
    return g


def test_deadlock_raises_with_the_structured_report():
    assert tiny_naive(long_depth=4).run().ok  # a row fits
    with pytest.raises(dfsim.Deadlock) as e:
        tiny_naive(long_depth=2).run()
    blocked = {b["context"]: b for b in e.value.blocked}
    assert blocked["qk"]["channel"] == "long"
    assert blocked["qk"]["channel_state"].startswith("full")
    assert blocked["qk"]["other_end"] == "divide"
    assert blocked["divide"]["channel"] == "sum" and blocked["divide"]["channel_state"] == "empty"
    assert e.value.result.status == "deadlock"
    assert "long" in str(e.value)
    # Asked not to raise: the result, with the same report.
    r = tiny_naive(long_depth=2).run(raise_on_deadlock=False)
    assert r.status == "deadlock" and r.deadlock == e.value.blocked


def test_a_python_exception_in_a_step_names_the_unit_and_cycle():
    g, x, y = small()

    def fussy(a):
        if a == 2:
            raise ValueError("two is not allowed")
        return a

    g.map("fussy", inputs=[x], out=y, fn=fussy)
    g.sink("out", inp=y)
    with pytest.raises(dfsim.UnitError) as e:
        g.run()
    assert e.value.context == "fussy"
    assert e.value.clock == 3  # value 2 is visible at cycle 3
    assert e.value.message == "ValueError: two is not allowed"
    assert "fussy" in str(e.value)


def test_a_python_exception_in_a_process_names_it():
    g, x, y = small()

    def broken(ctx, inp, out):
        v = yield inp.pop()
        yield ctx.advance(4)
        raise RuntimeError(f"stuck at {ctx.now} after {v}")

    g.process("broken", broken, inputs=[x], outputs=[y])
    g.sink("out", inp=y)
    with pytest.raises(dfsim.UnitError) as e:
        g.run(threads=2)
    assert (e.value.context, e.value.clock) == ("broken", 5)
    assert e.value.message == "RuntimeError: stuck at 5 after 0"


@pytest.mark.parametrize("returned, message", [
    ("text", "unit 'bad' output: expected an integer (int64), got 'text' (str)"),
    (2.5, "unit 'bad' output: expected an integer (int64), got 2.5 (float)"),
    ((1, 2), "unit 'bad': expected a tuple of 1 values (one per output port), got (1, 2) (tuple)"),
])
def test_a_step_returning_the_wrong_type(returned, message):
    g, x, y = small()
    g.map("bad", inputs=[x], out=y, fn=lambda a: returned)
    g.sink("out", inp=y)
    with pytest.raises(dfsim.UnitError) as e:
        g.run()
    assert e.value.message == message


def test_a_vector_of_the_wrong_shape_from_python():
    g = dfsim.Graph()
    x = g.channel("x", dims=3)
    y = g.channel("y", dims=3)
    g.source("src", out=x, values=np.ones((2, 3)))
    g.map("shrink", inputs=[x], out=y, fn=lambda a: a[:2])
    g.sink("out", inp=y)
    with pytest.raises(dfsim.UnitError) as e:
        g.run()
    assert e.value.message == ("unit 'shrink' output: expected a 1-D array of 3 numbers "
                               "(float64[3]), got array([1., 1.]) (ndarray)")


def test_a_process_that_yields_something_else():
    g, x, y = small()

    def confused(ctx, inp, out):
        yield 42

    g.process("confused", confused, inputs=[x], outputs=[y])
    g.sink("out", inp=y)
    with pytest.raises(dfsim.UnitError) as e:
        g.run()
    assert e.value.message.startswith("process 'confused' yielded 42 (int): yield an operation")


def test_a_process_that_selects_among_nothing():
    g, x, y = small()

    def lost(ctx, inp, out):
        yield ctx.select()

    g.process("lost", lost, inputs=[x], outputs=[y])
    g.sink("out", inp=y)
    with pytest.raises(dfsim.UnitError) as e:
        g.run()
    assert e.value.message == "process 'lost': select() needs at least one input"


def test_a_process_that_is_not_a_generator():
    g, x, y = small()
    g.process("plain", lambda ctx, inp, out: None, inputs=[x], outputs=[y])
    g.sink("out", inp=y)
    with pytest.raises(dfsim.UnitError) as e:
        g.run()
    assert e.value.message == ("process 'plain': its function must be a generator (a def with "
                               "yield), it returned None (NoneType)")


@pytest.mark.parametrize("values, message", [
    (np.arange(6).reshape(2, 3), "unit 'src': values of shape (2, 3) for channel 'x' (int64): "
                                 "give an array of shape (count,)"),
    (np.array([0.5, 1.5]), "unit 'src': values of dtype float64 for the int64 channel 'x': "
                           "give integers"),
])
def test_source_values_of_the_wrong_shape_or_dtype(values, message):
    g = dfsim.Graph()
    x = g.channel("x", dtype="int64")
    with pytest.raises(ValueError) as e:
        g.source("src", out=x, values=values)
    assert str(e.value) == message


def test_vector_source_values_of_the_wrong_width():
    g = dfsim.Graph()
    x = g.channel("x", dims=4)
    with pytest.raises(ValueError) as e:
        g.source("src", out=x, values=np.zeros((3, 2)))
    assert str(e.value) == ("unit 'src': values of shape (3, 2) for channel 'x' (float64[4]): "
                            "give an array of shape (count, 4)")
    with pytest.raises(ValueError) as e:
        g.source("src", out=x, values=np.array(["a", "b"]))
    assert "give an array of shape (count, 4)" in str(e.value)


def test_bad_channel_types_and_compute_arguments():
    g = dfsim.Graph()
    with pytest.raises(ValueError, match=r"dtype 'complex128' is not supported: use float64, "
                                         r"float32 or int64"):
        g.channel("c", dtype="complex128")
    with pytest.raises(ValueError, match=r"dims=2: a vector has dims >= 1 values of float64 or "
                                         r"float32"):
        g.channel("c", dtype="int64", dims=2)
    x, y = g.channel("x"), g.channel("y")
    with pytest.raises(ValueError, match=r"unit 'm': give what it computes as expr= .* or fn= "):
        g.map("m", inputs=[x], out=y)
    with pytest.raises(ValueError, match=r"unit 'm': give what it computes"):
        g.map("m", inputs=[x], out=y, expr="a", fn=abs)
    with pytest.raises(ValueError, match=r"no channel named 'nope': make it with g.channel\(\)"):
        g.map("m", inputs=["nope"], out=y, expr="a")


def test_threads_beyond_the_limit():
    g, x, y = small()
    g.map("inc", inputs=[x], out=y, expr="a + 1")
    g.sink("out", inp=y)
    with pytest.raises(dfsim.InvalidArgument, match="1024"):
        g.run(threads=100_000)


def test_a_checking_sink_fails_at_the_first_wrong_value():
    g, x, y = small()
    g.map("inc", inputs=[x], out=y, expr="a + 1")
    g.sink("check", inp=y, expect=np.array([1, 2, 30, 4, 5]))
    with pytest.raises(dfsim.UnitError) as e:
        g.run()
    assert e.value.context == "check"
    assert e.value.clock == 4  # value 2 leaves the source visible at 3, the map's output at 4
    assert "30" in e.value.message and "3" in e.value.message
    assert g.problems() == []
