import numpy as np

import dfsim

# A source, two pipelined units and a sink, joined by FIFOs of 8 int64 elements.
g = dfsim.Graph()
x = g.channel("x", dtype="int64", capacity=8)
y = g.channel("y", dtype="int64", capacity=8)
z = g.channel("z", dtype="int64", capacity=8)
g.source("src", out=x, values=np.arange(10))
g.map("inc", inputs=[x], out=y, expr="a + 1", latency=3, ii=1)
g.map("double", inputs=[y], out=z, expr="a * 2", latency=2, ii=1)
g.sink("out", inp=z)

r = g.run(threads=1)
# Value 9 leaves the source visible at cycle 10, then 3 + 2 cycles of latency.
assert r.cycles == 15
assert r.outputs["out"].tolist() == [2 * (i + 1) for i in range(10)]
print(r.contexts[["name", "final_clock", "starved_cycles", "backpressured_cycles"]])
print(r.channels[["name", "capacity", "elements", "peak_occupancy"]])
