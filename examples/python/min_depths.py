import dfsim

m = dfsim.sdpa.min_depths(variant="naive", n=64, preset="spatial-calibrated")
print(m["min_depths"])  # the long FIFO needs 80 = N + 16
assert m["min_depths"]["long"] == 80

# With every FIFO at its minimum the graph runs as fast as with every FIFO unbounded.
r = dfsim.sdpa.simulate(variant="naive", n=64, preset="spatial-calibrated",
                        depths=m["min_depths"])
assert r.cycles == m["unbounded_cycles"] == m["cycles_with_min_depths"]
