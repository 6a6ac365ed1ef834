import numpy as np

import dfsim

# Two heads on two threads: the same cycles, statistics and outputs as on one.
r2 = dfsim.sdpa.simulate(variant="naive-stable", n=64, heads=2, threads=2)
r1 = dfsim.sdpa.simulate(variant="naive-stable", n=64, heads=2, threads=1)
assert r1.cycles == r2.cycles and np.array_equal(r1.outputs, r2.outputs)
assert r1.run.channels.equals(r2.run.channels)

run = r2.run  # the engine's statistics of the run
print(run.status, run.cycles, "cycles,", run.transfers, "transfers,", run.threads, "threads")
print(run.contexts.sort_values("backpressured_cycles", ascending=False).head(3))
print(run.channels.set_index("name")[["capacity", "elements", "peak_occupancy"]])
print(run.to_dict()["cycles"])  # the same as JSON-ready values
