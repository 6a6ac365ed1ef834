"""Sweeps on dask.distributed (dfsim.distributed, docs/distributed.md) on a local cluster of 2
worker processes on 127.0.0.1: the same rows as the in-process sweep, a worker killed mid-sweep,
a sweep interrupted and started again, a scheduler that does not answer."""
import json
import os
import re
import signal
import socket
import subprocess
import threading
import time

import pytest

import dfsim
from dfsim.distributed import SchedulerUnreachable

distributed = pytest.importorskip("distributed")

VARIANTS = ["naive", "naive-stable", "reordered", "reordered-stable"]
SIZES = [32, 48]  # 8 points of a few tens of milliseconds each


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as c:
        with distributed.Client(c) as client:
            yield c, client


@pytest.fixture(scope="module")
def in_process(tmp_path_factory):
    return dfsim.sdpa.sweep(VARIANTS, SIZES, out=tmp_path_factory.mktemp("here"), plots=False)


def without_wall_times(table):
    return table.drop(columns=["wall_seconds"])


def test_the_distributed_rows_equal_the_in_process_rows(cluster, in_process, tmp_path):
    _, client = cluster
    table = dfsim.sdpa.sweep(VARIANTS, SIZES, out=tmp_path, plots=False, client=client)
    assert table.attrs["points_run"] == 8 and table.attrs["resumed"] == 0
    assert without_wall_times(table).equals(without_wall_times(in_process))
    written = json.loads((tmp_path / "results.json").read_text())
    assert written["status"] == "complete"
    # The files hold the rows in plan order, whatever order they finished in.
    assert [(r["variant"], r["n"]) for r in written["results"]] == \
        [(v, n) for v in VARIANTS for n in SIZES]
    assert len((tmp_path / "results.csv").read_text().splitlines()) == 9


def test_the_command_line_runs_the_same_sweep_on_a_scheduler(cluster, in_process, cli, tmp_path):
    c, _ = cluster
    doc = cli("sdpa-sweep", "--n", "32,48", "--variants", ",".join(VARIANTS), "--no-plots",
              "--json", "--out", tmp_path, "--scheduler", c.scheduler_address)
    rows = [{k: v for k, v in r.items() if k != "wall_seconds"} for r in doc["results"]]
    expected = [{k: v for k, v in r.items() if k != "wall_seconds"}
                for r in in_process.attrs["rows"]]
    assert rows == expected


def test_the_new_axes_reach_the_workers(cluster, cli, tmp_path):
    # `dfsim sdpa-sweep --scheduler` hands its flags to python -m dfsim.distributed: an axis it
    # dropped would run the default's single point instead of these four.
    c, _ = cluster
    doc = cli("sdpa-sweep", "--n", "16", "--variants", "reordered-stable", "--lanes", "1,2",
              "--causal", "none,mask", "--precision", "fp32", "--heads", "2", "--kv-heads", "2",
              "--min-depth-max-n", "0", "--no-plots", "--json", "--out", tmp_path,
              "--scheduler", c.scheduler_address)
    here = dfsim.sdpa.sweep(["reordered-stable"], [16], lanes=[1, 2], causal=["none", "mask"],
                            precision="fp32", heads=2, kv_heads=2, min_depth_max_n=0)
    assert {k: v for k, v in doc["config"].items() if k != "threads"} == \
        {k: v for k, v in here.attrs["config"].items() if k != "threads"}
    rows = [{k: v for k, v in r.items() if k != "wall_seconds"} for r in doc["results"]]
    assert rows == [{k: v for k, v in r.items() if k != "wall_seconds"}
                    for r in here.attrs["rows"]]
    assert [(r["causal"], r["lanes"], r["precision"], r["kv_heads"]) for r in rows] == \
        [("none", 1, "fp32", 2), ("none", 2, "fp32", 2), ("mask", 1, "fp32", 2),
         ("mask", 2, "fp32", 2)]


def test_a_worker_killed_mid_sweep_and_every_row_still_comes(cluster, tmp_path):
    _, client = cluster
    # Points of a few tenths of a second, whose tasks keep both workers busy: the first worker
    # seen with a task is killed while the sweep goes on.
    variants, sizes = ["naive-stable", "reordered-stable"], [128, 192]
    killed, ended = [], threading.Event()

    def kill_a_busy_worker():
        while not ended.is_set():
            busy = [w for w, tasks in client.processing().items() if tasks]
            if busy:
                pid = client.run(os.getpid, workers=[busy[0]])[busy[0]]
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
                return
            time.sleep(0.01)

    killer = threading.Thread(target=kill_a_busy_worker)
    killer.start()
    try:
        table = dfsim.sdpa.sweep(variants, sizes, out=tmp_path / "dask", plots=False,
                                 client=client)
    finally:
        ended.set()
        killer.join()
    assert killed
    assert table.attrs["status"] == "complete" and table.attrs["points_run"] == 4
    here = dfsim.sdpa.sweep(variants, sizes, out=tmp_path / "here", plots=False)
    assert without_wall_times(table).equals(without_wall_times(here))
    client.wait_for_workers(2)  # the nanny restarts it, for the tests after this one


def test_an_interrupted_sweep_started_again_runs_only_the_missing_points(cluster, in_process,
                                                                          tmp_path):
    _, client = cluster
    seen = []

    def interrupt_after_three(rows):
        seen.extend(r["status"] for r in rows)
        if sum(r["status"] == "completed" for r in rows) == 3:
            raise KeyboardInterrupt  # what Ctrl-C raises

    with pytest.raises(KeyboardInterrupt):
        dfsim.sdpa.sweep(VARIANTS, SIZES, out=tmp_path, plots=False, client=client,
                         on_row=interrupt_after_three)
    # Points in flight were rows "running" as soon as their first task started on a worker.
    assert "running" in seen
    written = json.loads((tmp_path / "results.json").read_text())
    assert written["status"] == "interrupted" and written["signal"] == "SIGINT"
    statuses = [r["status"] for r in written["results"]]
    assert statuses.count("completed") == 3
    # Those in flight when it stopped say so, with the runs they had done, as in process.
    assert all(s == "completed" or s.startswith("interrupted ") for s in statuses), statuses

    table = dfsim.sdpa.sweep(VARIANTS, SIZES, out=tmp_path, plots=False, client=client)
    assert (table.attrs["resumed"], table.attrs["points_run"]) == (3, 5)
    assert without_wall_times(table).equals(without_wall_times(in_process))
    assert json.loads((tmp_path / "results.json").read_text())["status"] == "complete"


def a_port_nobody_listens_on():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_scheduler_that_does_not_answer_is_a_clear_error(cli, tmp_path):
    address = f"tcp://127.0.0.1:{a_port_nobody_listens_on()}"
    # The command line and Python side by side: each waits out the connection's timeout.
    command = subprocess.Popen([os.environ["DFSIM_CLI"], "sdpa-sweep", "--n", "16", "--variants",
                                "naive", "--out", str(tmp_path / "cli"), "--scheduler", address],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    with pytest.raises(SchedulerUnreachable, match=f"no Dask scheduler answered at {address}"):
        dfsim.sdpa.sweep(["naive"], [16], out=tmp_path / "py", client=address)
    _, err = command.communicate()
    assert command.returncode == 1
    assert err.splitlines()[-1].startswith(
        f"dfsim: error: no Dask scheduler answered at {address} within 5 s"), err


def test_the_executor_takes_the_plan_as_json_and_refuses_a_bad_one(tmp_path, capsys):
    # What `dfsim sdpa-sweep --scheduler` runs (python -m dfsim.distributed); the plan is read
    # by the one C++ reader, whatever fields it has.
    for plan, message in (('{"variants": ["fast"]}', "unknown variant 'fast': valid variants"),
                          ('{"variants": ', "a sweep plan is JSON text"),
                          ('{"sizes": [16]}', "unknown key 'sizes' in a sweep plan")):
        status = dfsim.distributed.main(["--plan", plan, "--out", str(tmp_path / "out")])
        err = capsys.readouterr().err
        assert status == 2 and err.startswith(f"dfsim: error: {message}"), err
    assert not (tmp_path / "out").exists()


def test_a_long_silence_gets_a_line_of_what_is_in_flight(cluster, tmp_path, monkeypatch):
    # With no wait at all, a line follows every event of the sweep: each names the points in
    # flight and how far each is (its first runs, its search's probes, its last run).
    monkeypatch.setattr(dfsim.distributed, "HEARTBEAT_SECONDS", 0)
    _, client = cluster
    lines = []
    dfsim.sdpa.sweep(["naive", "reordered"], [32], out=tmp_path, plots=False, client=client,
                     progress=lines.append)
    heartbeats = [line for line in lines if "in flight" in line]
    points = [line for line in lines if "in flight" not in line]
    assert len(points) == 2 and heartbeats, lines
    pattern = (r"\[[01]/2 points\] in flight: (none started yet|((naive|reordered) N=32 "
               r"\((first runs|search: \d+ probes done|last run)\)(, )?)+); \d+\.\d min so far")
    for line in heartbeats:
        assert re.fullmatch(pattern, line), line
    assert any("(search: " in line for line in heartbeats), heartbeats
