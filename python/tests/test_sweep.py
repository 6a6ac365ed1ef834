"""dfsim.sdpa.sweep against `dfsim sdpa-sweep` on the same plan, and the folder it writes."""
import json

import pandas as pd
import pytest

import dfsim


def test_sweep_rows_and_folder_match_the_command_line(cli, tmp_path):
    plan = ["--n", "16,32", "--variants", "naive,reordered", "--no-plots"]
    cli("sdpa-sweep", *plan, "--out", tmp_path / "cli", "--json")
    table = dfsim.sdpa.sweep(["naive", "reordered"], [16, 32], out=tmp_path / "py", plots=False)
    expected = pd.read_csv(tmp_path / "cli" / "results.csv")
    assert list(table.columns) == list(expected.columns)
    assert list(table["variant"]) == ["naive", "naive", "reordered", "reordered"]
    for column in ("cycles", "ideal_cycles", "unbounded_unit_cycles", "min_depth_cycles",
                   "min_depth_max", "min_depth_sum"):
        assert list(table[column]) == list(expected[column]), column
    assert table.attrs["status"] == "complete"
    written = json.loads((tmp_path / "py" / "results.json").read_text())
    assert written["status"] == "complete" and len(written["results"]) == 4
    assert (tmp_path / "py" / "report.md").exists()
    assert list(pd.read_csv(tmp_path / "py" / "results.csv")["cycles"]) == list(expected["cycles"])


def test_a_bad_plan_is_refused_before_anything_runs(tmp_path):
    with pytest.raises(dfsim.InvalidArgument, match="unknown variant 'fast'"):
        dfsim.sdpa.sweep(["fast"], [16], out=tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_deadlock_message_says_what_to_change():
    with pytest.raises(dfsim.Deadlock) as caught:
        dfsim.sdpa.simulate(variant="naive", n=64, depths={"long": 8})
    assert "hint: in the naive graph the unit behind FIFO 'long'" in str(caught.value)
    assert caught.value.result.hint.startswith("hint:")
