import numpy as np

import dfsim

N, D = 64, 8
rng = np.random.default_rng(1)
q, k, v = (rng.uniform(-1, 1, (N, D)) for _ in range(3))

# The spatial-calibrated FIFO depths of the naive graph (docs/sdpa.md).
CALIBRATED = {"q": 2, "k": 2, "v": 2, "short": 13, "long": N + 34, "sum": 24, "p": 9, "out": 2}


def naive_attention(q, k, v, depths):
    """softmax(Q K^T / sqrt(d)) V, naively: exp(s), its row sum, a division, a weighted sum."""
    n, d = q.shape
    g = dfsim.Graph()
    fifo = {name: g.channel(name, dims=d if name in "qkv" or name == "out" else 0,
                            capacity=depths.get(name))
            for name in ["q", "k", "v", "short", "long", "sum", "p", "out"]}
    # The memories: q_i once per row; all of K and V once per row.
    g.source("q_source", out=fifo["q"], values=q, rows=n)
    g.source("k_source", out=fifo["k"], values=k, row_length=n, rows=n)
    g.source("v_source", out=fifo["v"], values=v, row_length=n, rows=n)
    # The units: latency / II as calibrated; q is held for a row, e fans out to two FIFOs.
    rows = dict(row_length=n, rows=n)
    g.map("qk", inputs=[fifo["q"], fifo["k"]], out=[fifo["short"], fifo["long"]],
          expr=f"exp(dot(a, b) * {1 / np.sqrt(d)!r})", latency=11, per_row=[0], **rows)
    g.reduce("row_sum", inputs=[fifo["short"]], out=fifo["sum"], update="acc + a",
             latency=23, ii=2, **rows)
    g.map("divide", inputs=[fifo["long"], fifo["sum"]], out=fifo["p"], expr="a / b",
          latency=8, per_row=[1], **rows)
    g.reduce("weighted_sum", inputs=[fifo["p"], fifo["v"]], out=fifo["out"],
             update="acc + a * b", latency=13, ii=2, inputs_together=False, **rows)
    g.sink("sink", inp=fifo["out"])
    return g


# Run it with the calibrated depths and compare with the built-in graph.
mine = naive_attention(q, k, v, CALIBRATED).run()
builtin = dfsim.sdpa.simulate(variant="naive", q=q, k=k, v=v, preset="spatial-calibrated")
assert mine.cycles == builtin.cycles == 2 * N * N + 2 * N + 52
peaks = mine.channels.set_index("name")["peak_occupancy"]
assert all(peaks[f.name] == f.peak_occupancy for f in builtin.fifos.itertuples())
assert np.allclose(mine.outputs["sink"], builtin.outputs)
print(f"{mine.cycles} cycles; peak occupancy of long: {peaks['long']} of {N + 34}")

# The long FIFO's minimal depth: the smallest that keeps the cycles of a run with every FIFO
# unbounded, by bisection (the other FIFOs unbounded; a deadlock counts as too shallow).
unbounded = {}
target = naive_attention(q, k, v, unbounded).run()
low, high = 1, int(target.channels.set_index("name")["peak_occupancy"]["long"])


def full_speed(depth):
    r = naive_attention(q, k, v, {"long": depth}).run(raise_on_deadlock=False)
    return r.ok and r.cycles == target.cycles


while low < high:
    middle = (low + high) // 2
    low, high = (low, middle) if full_speed(middle) else (middle + 1, high)
print(f"long needs {low} elements at N = {N}")
assert low == dfsim.sdpa.min_depths(variant="naive", q=q, k=k, v=v,
                                    preset="spatial-calibrated")["min_depths"]["long"]
