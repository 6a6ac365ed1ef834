"""dfsim.sdpa.simulate and min_depths against the command line, a NumPy reference and by hand."""
import numpy as np
import pandas as pd
import pytest

import dfsim


def reference(q, k, v):
    """softmax(Q K^T / sqrt(d)) V, row by row, in float64."""
    scores = q @ k.T / np.sqrt(q.shape[1])
    weights = np.exp(scores - scores.max(axis=1, keepdims=True))
    return (weights / weights.sum(axis=1, keepdims=True)) @ v


def tensors(n, d, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    return [rng.uniform(-1, 1, (n, d)).astype(dtype) for _ in range(3)]


def without_wall_times(measures):
    return {key: value for key, value in measures.items() if "wall_seconds" not in key}


@pytest.mark.parametrize("variant", ["naive", "naive-stable", "reordered", "reordered-stable"])
def test_random_inputs_match_the_command_line(cli, tmp_path, variant):
    args = ["--variant", variant, "--n", 12, "--d", 3, "--seed", 5, "--preset", "spatial-calibrated"]
    expected = cli("sdpa", *args, "--json", "--save-outputs", tmp_path / "out.npy")
    r = dfsim.sdpa.simulate(variant=variant, n=12, d=3, seed=5, preset="spatial-calibrated")
    del expected["wall_seconds"], expected["outputs_file"]
    assert without_wall_times(r.to_dict()) == without_wall_times(expected)
    assert np.array_equal(r.outputs, np.load(tmp_path / "out.npy"))


def test_array_inputs_match_the_command_line_reading_the_same_files(cli, tmp_path):
    q, k, v = tensors(10, 2, seed=7)
    for name, a in zip("qkv", (q, k, v)):
        np.save(tmp_path / f"{name}.npy", a)
    expected = cli("sdpa", "--variant", "naive", "--inputs", tmp_path, "--depth", "long=12",
                   "--unit", "qk=3:1", "--json", "--save-outputs", tmp_path / "out.npy")
    r = dfsim.sdpa.simulate(variant="naive", q=q, k=k, v=v, depths={"long": 12},
                            units={"qk": (3, 1)})
    assert r.cycles == expected["cycles"]
    assert r.to_dict()["fifos"] == expected["fifos"]
    assert r.config["depths"] == expected["config"]["depths"]
    assert r.config["units"] == expected["config"]["units"]
    assert np.array_equal(r.outputs, np.load(tmp_path / "out.npy"))


def test_outputs_match_a_numpy_reference():
    q, k, v = tensors(16, 4, seed=1)
    r = dfsim.sdpa.simulate(variant="reordered-stable", q=q, k=k, v=v)
    assert r.outputs.shape == (16, 4) and r.outputs.dtype == np.float64
    assert np.max(np.abs(r.outputs - reference(q, k, v))) < 1e-14
    assert r.max_abs_error < 1e-14 and not r.non_finite


def test_fp32_arithmetic_is_less_exact_than_fp64():
    q, k, v = tensors(16, 4, seed=1)
    r = dfsim.sdpa.simulate(variant="reordered-stable", q=q, k=k, v=v, precision="fp32")
    error = np.max(np.abs(r.outputs - reference(q, k, v)))
    assert 1e-9 < error < 1e-5
    assert r.max_abs_error == pytest.approx(error, rel=1e-6)


def test_float32_inputs_are_their_float64_values():
    q, k, v = tensors(8, 2, seed=2, dtype=np.float32)
    r32 = dfsim.sdpa.simulate(variant="naive", q=q, k=k, v=v)
    r64 = dfsim.sdpa.simulate(variant="naive", q=q.astype(np.float64), k=k.astype(np.float64),
                              v=v.astype(np.float64))
    assert np.array_equal(r32.outputs, r64.outputs) and r32.cycles == r64.cycles


def test_unbounded_fifos_have_no_capacity():
    r = dfsim.sdpa.simulate(variant="reordered", n=8, unbounded=True)
    assert r.ideal_cycles == 64
    assert r.throughput == pytest.approx(64 / r.cycles)
    assert r.fifos["capacity"].isna().all()
    assert r.fifos["capacity"].dtype == "Int64"


def test_heads_each_match_a_single_head_run():
    rng = np.random.default_rng(3)
    q, k, v = (rng.uniform(-1, 1, (2, 6, 2)) for _ in range(3))
    r = dfsim.sdpa.simulate(variant="naive-stable", q=q, k=k, v=v)
    assert r.outputs.shape == (2, 6, 2)
    assert list(r.fifos["name"][:2]) == ["head0.q", "head0.k"]
    for h in range(2):
        alone = dfsim.sdpa.simulate(variant="naive-stable", q=q[h], k=k[h], v=v[h])
        assert np.array_equal(r.outputs[h], alone.outputs)


def test_one_set_of_inputs_serves_every_head():
    q, k, v = tensors(6, 1)
    r = dfsim.sdpa.simulate(variant="naive", q=q, k=k, v=v, heads=3)
    assert r.outputs.shape == (3, 6, 1)
    assert np.array_equal(r.outputs[0], r.outputs[2])


def test_random_heads_take_seed_plus_h(cli):
    expected = cli("sdpa", "--variant", "reordered", "--n", 6, "--heads", 2, "--seed", 4, "--json")
    r = dfsim.sdpa.simulate(variant="reordered", n=6, heads=2, seed=4)
    assert r.outputs.shape == (2, 6, 1)
    assert r.max_abs_error == expected["max_abs_error"] and r.cycles == expected["cycles"]


def test_threads_one_and_two_give_identical_results():
    q, k, v = tensors(16, 2, seed=9)
    runs = [dfsim.sdpa.simulate(variant="naive", q=q, k=k, v=v, heads=2, threads=t,
                                preset="spatial-calibrated") for t in (1, 2)]
    one, two = (without_wall_times(r.to_dict()) for r in runs)
    assert one.pop("config")["threads"] == 1 and two.pop("config")["threads"] == 2
    assert one == two
    assert np.array_equal(runs[0].outputs, runs[1].outputs)
    pd.testing.assert_frame_equal(runs[0].run.contexts, runs[1].run.contexts)
    pd.testing.assert_frame_equal(runs[0].run.channels, runs[1].run.channels)
    assert runs[1].run.threads == 2


def test_too_shallow_long_fifo_raises_deadlock_with_the_report():
    # The divide cannot start a row before its sum, which needs all N scores, while 'long'
    # holds only 8 of them: qk waits for credit on 'long' (full) forever.
    with pytest.raises(dfsim.Deadlock) as caught:
        dfsim.sdpa.simulate(variant="naive", n=64, depths={"long": 8})
    e = caught.value
    qk = next(b for b in e.blocked if b["context"] == "qk")
    assert qk["operation"] == "fan-out credit" and qk["channel"] == "long"
    assert qk["channel_state"] == "full (8 of 8)" and qk["other_end"] == "divide"
    assert not qk["other_end_finished"]
    assert str(e).startswith("simulated deadlock: 8 contexts are blocked")
    assert e.result.status == "deadlock" and e.result.run.deadlock == e.blocked


def test_deadlock_can_be_returned_with_the_rows_that_came_out():
    r = dfsim.sdpa.simulate(variant="naive", n=64, depths={"long": 8}, raise_on_deadlock=False)
    assert r.status == "deadlock" and r.rows_out == [0]
    assert np.isnan(r.outputs).all()
    assert r.problem.startswith("simulated deadlock")


def test_min_depths_of_naive_spatial_calibrated():
    # tests/cli_sdpa/sdpa_min_depth_test.cpp: at N = 64 the long FIFO needs 80 (N + 16).
    m = dfsim.sdpa.min_depths(variant="naive", n=64, preset="spatial-calibrated")
    assert m["min_depths"]["long"] == 80
    assert list(m["min_depths"]) == dfsim.sdpa.fifo_names("naive")
    assert m["cycles_with_min_depths"] == m["unbounded_cycles"]
    assert m["ideal_cycles"] == 2 * 64 * 64  # the preset's slowest unit takes a step in 2


def test_min_depths_match_the_command_line(cli):
    expected = cli("sdpa-min-depth", "--variant", "reordered", "--n", 16, "--preset",
                   "spatial-calibrated", "--json")
    m = dfsim.sdpa.min_depths(variant="reordered", n=16, preset="spatial-calibrated")
    for key in ("min_depths", "unbounded_cycles", "cycles_with_min_depths", "ideal_cycles"):
        assert m[key] == expected[key]
