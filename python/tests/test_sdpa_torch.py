"""A second oracle that no one here wrote: the dfsim CLI's attention outputs against PyTorch.

torch computes softmax(Q K^T / sqrt(d)) V in float64 with its own causal mask (torch.triu and
masked_fill: torch 1.13 has no scaled_dot_product_attention). The simulated graphs compute in
fp64, fp32, fp16 or bf16; the tolerance is the worst-case rounding bound of
tests/sdpa/tolerance.hpp, (4 (d + 3) sqrt(d) + 3 N + 8) u max|V|, with u the format's unit
roundoff (2^-53, 2^-24, 2^-11, 2^-8): Q, K and V are rounded to the format (2u per score
term), the d-term dot product and the scaling add (d + 1) u sqrt(d), a weight inherits twice
the score error plus the N-term row sum's (N - 1) u (the online rescaling another N u), and
the weighted sum (N + 1) u; first order, a worst case.

Run: DFSIM_CLI=build/release/cli/dfsim /usr/bin/python3 -m pytest -q python/tests/test_sdpa_torch.py
"""
import math
import os
import subprocess

import numpy as np
import pytest

import torch  # python3-torch (scripts/setup.sh): the oracle must be there, not skipped

BINARY = os.environ.get("DFSIM_CLI", "build/release/cli/dfsim")
UNIT_ROUNDOFF = {"fp64": 2.0**-53, "fp32": 2.0**-24, "fp16": 2.0**-11, "bf16": 2.0**-8}
VARIANTS = ["naive", "naive-stable", "reordered", "reordered-stable"]
N, D = 24, 4


def torch_attention(q, k, v, causal):
    q, k, v = (torch.from_numpy(x) for x in (q, k, v))
    scores = q @ k.T / math.sqrt(q.shape[1])
    if causal:
        above_diagonal = torch.triu(torch.ones(scores.shape, dtype=torch.bool), diagonal=1)
        scores = scores.masked_fill(above_diagonal, float("-inf"))
    return (torch.softmax(scores, dim=-1) @ v).numpy()


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("qkv")
    rng = np.random.default_rng(2026)
    qkv = {name: rng.uniform(-1.0, 1.0, size=(N, D)) for name in "qkv"}
    for name, x in qkv.items():
        np.save(folder / f"{name}.npy", x)
    return folder, qkv


def simulate(folder, variant, precision, causal, out):
    args = [BINARY, "sdpa", "--inputs", str(folder), "--variant", variant,
            "--precision", precision, "--save-outputs", str(out)]
    if causal != "none":
        args += ["--causal", causal]
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return np.load(out)


@pytest.mark.parametrize("causal", ["none", "mask", "skip"])
@pytest.mark.parametrize("precision", ["fp64", "fp32", "fp16", "bf16"])
@pytest.mark.parametrize("variant", VARIANTS)
def test_outputs_match_torch(inputs, tmp_path, variant, precision, causal):
    folder, qkv = inputs
    got = simulate(folder, variant, precision, causal, tmp_path / "o.npy")
    expected = torch_attention(qkv["q"], qkv["k"], qkv["v"], causal != "none")
    assert got.shape == expected.shape == (N, D)
    u = UNIT_ROUNDOFF[precision]
    bound = (4 * (D + 3) * math.sqrt(D) + 3 * N + 8) * u * np.abs(qkv["v"]).max()
    # fp64: the bound is 1e-14; the two double-precision computations sum in different orders.
    error = np.abs(got - expected).max()
    assert error <= max(bound, 1e-13), f"{variant} {precision} {causal}: {error} > {bound}"
    if precision != "fp64":
        # Rounded to the format, not computed in double: errors of the order of u.
        assert error > u / 64


def test_the_mask_changes_the_outputs(inputs, tmp_path):
    # Row 0 of a causal run attends to key 0 alone: exactly v_0, as torch says.
    folder, qkv = inputs
    got = simulate(folder, "reordered-stable", "fp64", "skip", tmp_path / "o.npy")
    np.testing.assert_array_equal(got[0], qkv["v"][0])
    unmasked = torch_attention(qkv["q"], qkv["k"], qkv["v"], causal=False)
    assert np.abs(got - unmasked).max() > 1e-3


# Through the Python package: causal and grouped-query attention against torch. GQA: torch
# 1.13's attention has no enable_gqa, so K and V are repeated per query head
# (repeat_interleave), which is what sharing a K/V stream means. fp64: the bound above is
# below 1e-13 at N = 24; lanes sum a row in another order, within the same bound.
@pytest.mark.parametrize("variant", ["naive", "reordered-stable"])
@pytest.mark.parametrize("causal", ["mask", "skip"])
def test_python_causal_against_torch(variant, causal):
    import dfsim
    rng = np.random.default_rng(7)
    q, k, v = (rng.uniform(-1.0, 1.0, size=(N, D)) for _ in range(3))
    r = dfsim.sdpa.simulate(variant, q, k, v, causal=causal)
    assert r.config["causal"] == causal
    np.testing.assert_allclose(r.outputs, torch_attention(q, k, v, True), rtol=0, atol=1e-13)


@pytest.mark.parametrize("lanes", [1, 3])
@pytest.mark.parametrize("kv_heads", [1, 2])
@pytest.mark.parametrize("variant", ["naive", "reordered-stable"])
def test_python_grouped_query_against_torch(variant, kv_heads, lanes):
    import dfsim
    heads = 4
    rng = np.random.default_rng(8)
    q = rng.uniform(-1.0, 1.0, size=(heads, N, D))
    k, v = (rng.uniform(-1.0, 1.0, size=(kv_heads, N, D)) for _ in range(2))
    r = dfsim.sdpa.simulate(variant, q, k, v, kv_heads=kv_heads, lanes=lanes)
    assert r.config["kv_heads"] == kv_heads and r.config["lanes"] == lanes
    kt = torch.from_numpy(k).repeat_interleave(heads // kv_heads, dim=0).numpy()
    vt = torch.from_numpy(v).repeat_interleave(heads // kv_heads, dim=0).numpy()
    for h in range(heads):
        np.testing.assert_allclose(r.outputs[h], torch_attention(q[h], kt[h], vt[h], False),
                                   rtol=0, atol=1e-13)


def test_python_decode_rows():
    import dfsim
    r = dfsim.sdpa.simulate("reordered-stable", n=32, decode=2)
    assert r.outputs.shape == (2, 1)
    assert r.ideal_cycles == 64
    assert r.max_abs_error < 1e-12


# Lanes with the causal mask in the low-precision formats: lane l of row i sees only the keys
# l, l + L, ... <= i (rows 0 to L - 2 leave some lanes nothing but masked keys: masked, or
# skipped but for one masked key), and the merge rescales each lane's sums (the naive trees
# add them), a rounding more per level of the tree, which the bound's 8 u covers at L = 3
# (2 levels).
@pytest.mark.parametrize("causal", ["mask", "skip"])
@pytest.mark.parametrize("precision", ["fp64", "fp32", "fp16", "bf16"])
@pytest.mark.parametrize("variant", VARIANTS)
def test_python_lanes_causal_against_torch(variant, precision, causal):
    import dfsim
    rng = np.random.default_rng(9)
    q, k, v = (rng.uniform(-1.0, 1.0, size=(N, D)) for _ in range(3))
    r = dfsim.sdpa.simulate(variant, q, k, v, causal=causal, lanes=3, precision=precision)
    assert r.config["lanes"] == 3 and r.config["causal"] == causal
    u = UNIT_ROUNDOFF[precision]
    bound = (4 * (D + 3) * math.sqrt(D) + 3 * N + 8) * u * np.abs(v).max()
    error = np.abs(r.outputs - torch_attention(q, k, v, True)).max()
    assert error <= max(bound, 1e-13), f"{variant} {precision} {causal}: {error} > {bound}"
    if precision != "fp64":
        assert error > u / 64
