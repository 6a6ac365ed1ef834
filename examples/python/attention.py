import numpy as np

import dfsim

rng = np.random.default_rng(0)
q, k, v = (rng.uniform(-1, 1, (64, 8)) for _ in range(3))
r = dfsim.sdpa.simulate(variant="reordered-stable", q=q, k=k, v=v, preset="spatial-calibrated")
print(r.status, r.cycles, r.ideal_cycles, f"throughput {r.throughput:.3f}")
print(r.fifos[["name", "capacity", "peak_occupancy", "internal"]])

# The outputs against softmax(Q K^T / sqrt(d)) V computed here.
scores = q @ k.T / np.sqrt(q.shape[1])
weights = np.exp(scores - scores.max(axis=1, keepdims=True))
expected = weights / weights.sum(axis=1, keepdims=True) @ v
assert r.outputs.shape == (64, 8)
assert np.abs(r.outputs - expected).max() < 1e-12
