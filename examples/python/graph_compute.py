import numpy as np

import dfsim

rng = np.random.default_rng(0)
q = rng.uniform(-1, 1, (6, 4))
k = rng.uniform(-1, 1, (6, 4))
expected = np.exp((q * k).sum(axis=1) / 2)


def score_graph():
    """Two vector sources (d = 4) and a scalar channel for the unit under test to fill."""
    g = dfsim.Graph()
    a, b = g.channel("a", dims=4), g.channel("b", dims=4)
    s = g.channel("s", capacity=16)  # room for the 11 cycles in flight
    g.source("q", out=a, values=q)
    g.source("k", out=b, values=k)
    g.sink("out", inp=s)
    return g, a, b, s


# 1. A native expression: evaluated in C++, no Python while the graph runs.
g, a, b, s = score_graph()
g.map("score", inputs=[a, b], out=s, expr="exp(dot(a, b) * 0.5)", latency=11)
native = g.run()

# 2. A Python callable, called once per step (vectors arrive as NumPy arrays).
g, a, b, s = score_graph()
g.map("score", inputs=[a, b], out=s, fn=lambda x, y: np.exp(x @ y * 0.5), latency=11)
callable_ = g.run()


# 3. A generator: a whole context that yields channel operations and sees the clock.
def score(ctx, qa, kb, out):
    while (x := (yield qa.pop())) is not None:
        y = yield kb.pop()
        yield out.push(np.exp(x @ y * 0.5), latency=11)  # stamped 11 cycles from now
        yield ctx.advance(1)                             # initiation interval 1


g, a, b, s = score_graph()
g.process("score", score, inputs=[a, b], outputs=[s])
generator = g.run()

for r in (native, callable_, generator):
    assert r.cycles == 6 + 11
    assert np.allclose(r.outputs["out"], expected)
