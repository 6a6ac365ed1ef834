"""The sweep's axes beyond variant and N (precision, causal, decode, kv_heads, lanes) from
Python: the rows against cycles derived by hand (as tests/experiments/sweep_axes_test.cpp:
II_max = 2 and reordered-stable's fill of 46 cycles at the spatial-calibrated preset, 21 more
per level of the lanes' merge tree) and against `dfsim sdpa-sweep` with the same flags; the
min-depth search's lane FIFOs; a point that cannot run."""
import pandas as pd
import pytest

import dfsim

AXES = ["reordered-stable"], [16]


def test_rows_of_decode_and_lanes_match_the_command_line(cli, tmp_path):
    table = dfsim.sdpa.sweep(*AXES, decode=[0, 1], lanes=[1, 2], min_depth_max_n=0)
    # decode outside lanes: (prefill, L = 1), (prefill, L = 2), (B = 1, L = 1), (B = 1, L = 2).
    assert list(table["decode_rows"]) == [0, 0, 1, 1]
    assert list(table["lanes"]) == [1, 2, 1, 2]
    assert list(table["ideal_cycles"]) == [2 * 16 * 16, 2 * 16 * 8, 2 * 16, 2 * 8]
    assert list(table["cycles"]) == [2 * 16 * 16 + 46, 2 * 16 * 8 + 46 + 21, 2 * 16 + 46,
                                     2 * 8 + 46 + 21]
    cli("sdpa-sweep", "--variants", "reordered-stable", "--n", "16", "--decode", "0,1",
        "--lanes", "1,2", "--min-depth-max-n", "0", "--no-plots", "--json", "--out", tmp_path)
    expected = pd.read_csv(tmp_path / "results.csv")
    assert list(table.columns) == list(expected.columns)
    for column in ("decode_rows", "lanes", "kv_heads", "causal", "cycles", "ideal_cycles"):
        assert list(table[column]) == list(expected[column]), column


def test_rows_of_causal_precision_and_kv_heads(tmp_path):
    table = dfsim.sdpa.sweep(*AXES, causal=["mask", "skip"], precision=["fp64", "bf16"], heads=2,
                             kv_heads=[1, 2], min_depth_max_n=0, out=tmp_path, plots=False)
    assert list(table["precision"]) == ["fp64"] * 4 + ["bf16"] * 4
    assert list(table["causal"]) == ["mask", "mask", "skip", "skip"] * 2
    assert list(table["kv_heads"]) == [1, 2] * 4
    # Masking costs nothing, skipping streams N (N + 1) / 2 keys; neither format nor sharing
    # changes the timing.
    assert list(table["cycles"]) == [2 * 16 * 16 + 46] * 2 + [16 * 17 + 46] * 2 + \
        [2 * 16 * 16 + 46] * 2 + [16 * 17 + 46] * 2
    assert (table["max_abs_error"][:4] < 1e-14).all()
    assert (table["max_abs_error"][4:] > 1e-4).all()  # bf16's 8 bits
    assert table.attrs["config"]["kv_heads"] == [1, 2]
    report = (tmp_path / "report.md").read_text()
    assert "| variant | fp64 | bf16 |" in report
    assert "## Causal masking" in report and "## Shared K/V heads" in report


def test_a_point_that_cannot_run_is_named(tmp_path):
    with pytest.raises(dfsim.InvalidArgument,
                       match="point naive N=8 lanes=9: lanes = 9 is more than n = 8"):
        dfsim.sdpa.sweep(["naive"], [8], lanes=[1, 9], out=tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_min_depths_list_the_lane_fifos():
    m = dfsim.sdpa.min_depths(variant="reordered-stable", n=16, lanes=2)
    names = dfsim.sdpa.fifo_names("reordered-stable")
    scores = names.index("scores")
    names = names[:scores + 1] + ["lane_scores"] + names[scores + 1:]
    names.insert(names.index("sum"), "max")
    assert list(m["min_depths"]) == names


@pytest.mark.parametrize("axis, value, message", [
    ("causal", ["none", "triangle"], "unknown causal 'triangle': give mask (stream every key, "
                                     "mask j > i to -inf), skip (stream only the keys j <= i) or none"),
    ("precision", "fp8", "unknown precision 'fp8': valid precisions are fp64, fp32, fp16, bf16"),
])
def test_bad_axis_values_say_what_the_command_line_says(axis, value, message):
    # One reader (experiments/arguments.hpp) for both: tests/cli_sdpa has the same messages.
    with pytest.raises(dfsim.InvalidArgument) as caught:
        dfsim.sdpa.sweep(["reordered"], [8], **{axis: value})
    assert str(caught.value) == message
