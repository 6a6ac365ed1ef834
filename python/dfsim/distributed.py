"""Sweeps on dask.distributed (docs/distributed.md): the Dask executor of the one sweep
implementation (experiments/sweep_run.hpp, bound as ``_dfsim.sdpa.SweepRun``).

The sweep's points are Dask tasks, submitted largest first; each runs the point's three runs in
C++ on a worker (the GIL released) and returns its row, which this process writes into the
sweep's folder as it arrives (results.json and results.csv, each write atomic). A point a
folder already holds is not run again, so a sweep stopped in any way and started again with
the same arguments runs only the points still missing. Scheduling, transport and fault
recovery are Dask's: a task whose worker dies is run again on another one.

    import dfsim
    table = dfsim.sdpa.sweep(["naive"], [64, 128], out="results/mine", client="local")
    table = dfsim.sdpa.sweep(["naive"], [64, 128], out="results/mine",
                             client="tcp://10.0.0.1:8786")     # a running `dask scheduler`

``python -m dfsim.distributed`` takes the arguments of ``dfsim sdpa-sweep`` (which runs it
for ``--scheduler``) and behaves as that command.
"""

import argparse
import json
import os
import signal
import sys

from dfsim import _dfsim
from dfsim.results import InvalidArgument

__all__ = ["run_sweep", "SchedulerUnreachable"]

# How long a scheduler address may take to answer before the sweep gives up.
CONNECT_TIMEOUT_SECONDS = 5


class SchedulerUnreachable(ConnectionError):
    """No Dask scheduler answered at the address given (``client=`` or ``--scheduler``)."""


def _run_point(point, threads, min_depth_max_n, depth_curve):
    """One point's runs, on a worker: the row as JSON text. The worker is one process per core,
    so the min-depth search's probes run one at a time inside it."""
    from dfsim import _dfsim as native
    return native.sdpa.run_point(point, threads, min_depth_max_n, 1, depth_curve)


def _cores():
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


def connect(client=None, workers=None, timeout=CONNECT_TIMEOUT_SECONDS):
    """(client, cluster): a Client as given; for None or "local", a LocalCluster of ``workers``
    worker processes (default one per core) on 127.0.0.1, which the caller closes; for an
    address, a Client of the scheduler there, or :class:`SchedulerUnreachable` within
    ``timeout`` seconds."""
    from dask.distributed import Client, LocalCluster
    if client is not None and not isinstance(client, str):
        return client, None
    if client is None or client == "local":
        cluster = LocalCluster(n_workers=workers or _cores(), threads_per_worker=1, processes=True,
                               host="127.0.0.1", dashboard_address=None)
        return Client(cluster), cluster
    try:
        return Client(client, timeout=timeout), None
    except (OSError, TimeoutError, ValueError) as e:
        raise SchedulerUnreachable(
            f"no Dask scheduler answered at {client} within {timeout} s ({e}); start one with "
            "`dask scheduler` (and workers with `dask worker ADDRESS`), or use 'local'") from None


def _slots(client):
    try:
        return max(1, sum(client.nthreads().values()))
    except Exception:  # a scheduler that stopped answering: the progress line only
        return 1


def run_sweep(run, client=None, workers=None, progress=None, on_row=None):
    """Runs ``run.pending()`` (a ``_dfsim.sdpa.SweepRun``) on Dask and writes each row as it comes
    back. ``client``: a Client, an address, or None/"local" (a local cluster started and
    stopped here); ``progress``: a function given each progress line; ``on_row``: given each
    row (a dict) as it is written. A task that raises, or that killed its workers more than
    Dask allows, is a row with status "error: ...". Ctrl-C (KeyboardInterrupt) cancels what is
    left and propagates; the rows written stay."""
    from dask.distributed import as_completed
    dask_client, cluster = connect(client, workers)
    try:
        plan = run.config()
        pending = run.pending()
        futures = {}
        for task, point in enumerate(pending):
            future = dask_client.submit(_run_point, point, plan["threads"], plan["min_depth_max_n"],
                                        plan.get("depth_curve", 0), pure=False, priority=len(pending) - task,
                                        key=f"dfsim-point-{task}-{os.getpid()}-{id(run)}")
            futures[future] = task
        slots = _slots(dask_client)
        left = len(futures)
        try:
            for future in as_completed(futures):
                task = futures[future]
                left -= 1
                run.set_running(min(left, slots))
                try:
                    row = future.result()
                    line = run.finish(task, row)
                except Exception as e:  # noqa: BLE001 (the row says what it was)
                    line = run.fail(task, f"{type(e).__name__}: {e}")
                if progress:
                    progress(line)
                if on_row:
                    on_row(run.document()["results"])
        except BaseException:
            dask_client.cancel(list(futures))
            raise
    finally:
        if cluster is not None:
            dask_client.close()
            cluster.close()


# --- python -m dfsim.distributed: `dfsim sdpa-sweep --scheduler` -------------------------------

_EXIT = {"usage": 2, "failure": 1, "deadlock": 3, "overflow": 4, "busy": 5}


class _Stopped(BaseException):
    def __init__(self, name):
        super().__init__(name)
        self.name = name


def _arguments(argv):
    p = argparse.ArgumentParser(prog="dfsim sdpa-sweep", description="dfsim sdpa-sweep on Dask")
    p.add_argument("--n", default="64,128,256,512,1024")
    p.add_argument("--variants", default="all")
    p.add_argument("--preset", default="spatial-calibrated")
    p.add_argument("--precision", default="fp64")
    p.add_argument("--causal", default="none")
    p.add_argument("--decode", default="0")
    p.add_argument("--heads", type=int, default=1)
    p.add_argument("--kv-heads", default="")
    p.add_argument("--lanes", default="1")
    p.add_argument("--d", type=int, default=1)
    p.add_argument("--out", default="results/sweep")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--min-depth-max-n", type=int, default=_dfsim.sdpa.default_min_depth_max_n)
    p.add_argument("--depth-curve", type=int, default=0)
    p.add_argument("--scheduler", default="local")
    p.add_argument("--workers", type=int, default=0)
    p.add_argument("--no-plots", action="store_true")
    p.add_argument("--json", action="store_true")
    p.add_argument("--fresh", action="store_true")
    return p.parse_args(argv)


def _row_exit(status):
    if status in ("completed", "running") or status.startswith("interrupted"):
        return 0
    return _EXIT.get(status, _EXIT["failure"])


def _stop_on(signum, _frame):
    raise _Stopped(signal.Signals(signum).name)


def main(argv=None):
    from dfsim.sdpa import _draw_report
    a = _arguments(argv)
    variants = _dfsim.sdpa.variants() if a.variants == "all" else a.variants.split(",")
    try:
        sizes = [int(n) for n in a.n.split(",")]
        run = _dfsim.sdpa.SweepRun(variants, sizes, a.d, a.preset, a.precision.split(","), a.seed,
                                   a.threads, a.min_depth_max_n, a.depth_curve, a.out, a.fresh,
                                   causal=a.causal.split(","),
                                   decode=[int(b) for b in a.decode.split(",")], heads=a.heads,
                                   kv_heads=[int(h) for h in a.kv_heads.split(",")] if a.kv_heads else [0],
                                   lanes=[int(x) for x in a.lanes.split(",")])
    except (InvalidArgument, ValueError) as e:
        print(f"dfsim: error: {e}", file=sys.stderr)
        return _EXIT["usage"]
    except _dfsim.FolderInUse as e:
        print(f"dfsim: error: {e}", file=sys.stderr)
        return _EXIT["busy"]
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _stop_on)
    if run.resumed:
        print(f"{run.resumed} of {run.resumed + len(run.pending())} points are already in {a.out} "
              "(--fresh runs them again)", file=sys.stderr)
    say = lambda line: print(line, file=sys.stderr, flush=True)  # noqa: E731
    try:
        run_sweep(run, a.scheduler, a.workers or None, progress=say)
    except (KeyboardInterrupt, _Stopped) as e:
        name = e.name if isinstance(e, _Stopped) else "SIGINT"
        run.close(name)
        _dfsim.sdpa.write_report(a.out, f"the sweep was stopped by {name}")
        print(f"dfsim: stopped by {name} after {run.points_run} of {len(run.pending())} points; "
              f"the results so far are in {a.out}; run the same command again to run only the "
              "points still missing", file=sys.stderr)
        return 128 + signal.Signals[name].value
    except SchedulerUnreachable as e:
        run.close()
        print(f"dfsim: error: {e}", file=sys.stderr)
        return _EXIT["failure"]
    status = run.close()
    doc = run.document()
    run.release()
    _draw_report(a.out, not a.no_plots)
    if a.json:
        print(json.dumps(doc, indent=2))
    else:
        print("\n" + _dfsim.sdpa.summary_table(json.dumps(doc["results"])), end="")
        print(f"\n{len(run.pending())} points run on Dask ({a.scheduler}), {run.resumed} kept from an "
              f"earlier run; status {status}. Data: {a.out}/results.csv, {a.out}/results.json\n"
              f"Report: {a.out}/report.md")
    worst = max([_row_exit(r["status"]) for r in doc["results"]], default=0)
    if worst:
        print(f"dfsim: error: some runs did not complete cleanly: see the status column of "
              f"{a.out}/results.csv", file=sys.stderr)
    return worst


if __name__ == "__main__":
    sys.exit(main())
