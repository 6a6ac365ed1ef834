"""Input dfsim.sdpa refuses: the exception and its exact message."""
import numpy as np
import pytest

import dfsim


def ones(shape, dtype=np.float64):
    return np.ones(shape, dtype=dtype)


def refused(message, **kwargs):
    kwargs.setdefault("variant", "naive")
    with pytest.raises(dfsim.InvalidArgument) as caught:
        dfsim.sdpa.simulate(**kwargs)
    assert str(caught.value) == message
    assert isinstance(caught.value, ValueError)


def test_wrong_dtype():
    refused("k has dtype int64; expected float64 or float32 (convert with k.astype(np.float64))",
            q=ones((4, 2)), k=ones((4, 2), np.int64), v=ones((4, 2)))


def test_not_an_array():
    refused("q must be a NumPy array of float64 or float32, got list",
            q=[[1.0]], k=ones((1, 1)), v=ones((1, 1)))


def test_wrong_rank():
    refused("v has shape (4,); expected (N, d) or (heads, N, d)",
            q=ones((4, 1)), k=ones((4, 1)), v=ones(4))


def test_shapes_that_differ():
    refused("v has shape (4, 3); expected (4, 2), the shape of q: Q, K and V must have the same "
            "shape", q=ones((4, 2)), k=ones((4, 2)), v=ones((4, 3)))


def test_empty_array():
    refused("q has shape (0, 2): heads, N and d must be at least 1",
            q=ones((0, 2)), k=ones((0, 2)), v=ones((0, 2)))


def test_heads_that_do_not_match_the_arrays():
    refused("heads=3 does not match the inputs: q has shape (2, 4, 1), 2 heads",
            q=ones((2, 4, 1)), k=ones((2, 4, 1)), v=ones((2, 4, 1)), heads=3)


def test_n_that_does_not_match_the_arrays():
    refused("n=5 does not match the inputs: q has N = 4",
            q=ones((4, 1)), k=ones((4, 1)), v=ones((4, 1)), n=5)


def test_missing_arrays_and_sizes():
    refused("q, k and v go together: v missing", q=ones((4, 1)), k=ones((4, 1)))
    refused("n is required (or q, k and v, which give N)")
    refused("variant is required: one of naive, naive-stable, reordered, reordered-stable",
            variant=None, n=4)


def test_non_finite_values():
    q = ones((4, 2))
    q[1, 1] = np.nan
    refused("q (head 0): row 1, column 1 is NaN (counting from 0); Q, K and V must be finite: "
            "fix them, or pass allow_non_finite=True to simulate them as they are",
            q=q, k=ones((4, 2)), v=ones((4, 2)))
    r = dfsim.sdpa.simulate(variant="naive", q=q, k=ones((4, 2)), v=ones((4, 2)),
                            allow_non_finite=True)
    assert r.non_finite and r.max_abs_error == float("inf")


def test_unknown_names():
    refused("unknown variant 'fast': valid variants are naive, naive-stable, reordered, "
            "reordered-stable", variant="fast", n=4)
    refused("unknown preset 'big': valid presets are one-cycle, spatial-calibrated", n=4, preset="big")
    refused("unknown precision 'fp8': valid precisions are fp64, fp32, fp16, bf16", n=4,
            precision="fp8")


def test_bad_numbers():
    refused("n must be an integer of at least 1, got 0", n=0)
    refused("depths['long'] must be an integer of at least 0, got -1", n=4, depths={"long": -1})
    refused("units['qk'] = (1,): expected (latency, ii[, startup[, per_row]]) in cycles, e.g. "
            "units={'qk': (11, 1)}", n=4, units={"qk": (1,)})


def test_config_errors_come_from_the_simulator():
    refused("unknown FIFO 'longg' in variant naive: its FIFOs are q, k, v, short, long, sum, p, "
            "out", n=4, depths={"longg": 3})
    refused("FIFO 'long' has depth 0: give at least 1, or make it unbounded", n=4,
            depths={"long": 0})
    refused("unit 'qk': latency 0: a unit's latency is at least 1 cycle (a result is visible "
            "downstream the cycle after it is written at the earliest)", n=4, units={"qk": (0, 1)})
