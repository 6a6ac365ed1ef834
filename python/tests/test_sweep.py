"""dfsim.sdpa.sweep against `dfsim sdpa-sweep` on the same plan, and the folder it writes."""
import json
import os
import signal
import subprocess
import sys
import textwrap

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


def test_ctrl_c_stops_an_in_process_sweep_at_its_next_run_and_the_folder_resumes(tmp_path):
    # Two threads of points taking about 3 s in all; SIGINT once the first point has ended.
    plan = (["naive-stable", "reordered-stable"], [128, 256, 384])
    script = textwrap.dedent(f"""
        import dfsim
        dfsim.sdpa.sweep({plan[0]!r}, {plan[1]!r}, out={str(tmp_path)!r}, plots=False,
                         workers=2, progress=lambda line: print(line, flush=True))
        """)
    sweep = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=os.environ)
    first = sweep.stdout.readline()
    assert first.startswith("[1/6 points]"), first + sweep.stderr.read()
    sweep.send_signal(signal.SIGINT)
    out, err = sweep.communicate(timeout=120)
    assert sweep.returncode == -signal.SIGINT and "KeyboardInterrupt" in err, err
    written = json.loads((tmp_path / "results.json").read_text())
    assert written["status"] == "interrupted" and written["signal"] == "SIGINT"
    statuses = [r["status"] for r in written["results"]]
    # The points running then ended at their next run, "interrupted after" the runs they had
    # done; no point began after the signal.
    assert all(s == "completed" or s.startswith("interrupted after ") for s in statuses), statuses
    done = statuses.count("completed")
    assert 1 <= done < 6 and len((first + out).splitlines()) == len(statuses)

    table = dfsim.sdpa.sweep(*plan, out=tmp_path, plots=False)
    assert (table.attrs["resumed"], table.attrs["points_run"]) == (done, 6 - done)
    assert table.attrs["status"] == "complete"
