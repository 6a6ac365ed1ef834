import dfsim

r = dfsim.sdpa.simulate(variant="reordered-stable", n=256, preset="spatial-calibrated")
print(r.cycles, f"{r.throughput:.3f}", r.intermediate_memory_elements, r.outputs.shape)
