"""Sweeps on dask.distributed (docs/distributed.md): the Dask executor of the one sweep
implementation (experiments/sweep_run.hpp, bound as ``_dfsim.sdpa.SweepRun``).

A point's work is split into Dask tasks as run_point splits it (sweep.hpp): its runs 1 and 2
and its min-depth search's unbounded run (``begin_point``), then each FIFO's search as rounds of
probes, a task per probe, several per round when workers would otherwise be idle
(``FifoSearch``), then the minima together and the depth curve (``end_point``), which give the
row run_point would. The largest points go first, all of a point's tasks at its priority. Each
row is written into the sweep's folder as it changes (results.json and results.csv, each write
atomic): "running" once its first task starts on a worker. A point a folder already holds is
not run again, so a sweep stopped in any way and started again with the same arguments runs
only the points still missing. Scheduling, transport and fault recovery are Dask's: a task
whose worker dies is run again on another one.

    import dfsim
    table = dfsim.sdpa.sweep(["naive"], [64, 128], out="results/mine", client="local")
    table = dfsim.sdpa.sweep(["naive"], [64, 128], out="results/mine",
                             client="tcp://10.0.0.1:8786")     # a running `dask scheduler`

``python -m dfsim.distributed --plan JSON --out DIR --scheduler ADDRESS`` is what
``dfsim sdpa-sweep --scheduler`` runs: the plan as the command line resolved it (results.json's
"config"), whatever fields it has.
"""

import argparse
import itertools
import json
import os
import queue
import signal
import sys
import time
import uuid

from dfsim import _dfsim
from dfsim.results import InvalidArgument

__all__ = ["run_sweep", "SchedulerUnreachable"]

# How long a scheduler address may take to answer before the sweep gives up.
CONNECT_TIMEOUT_SECONDS = 5

# A point of N = 8,192 with min depths runs for many minutes; a sweep silent that long (in a
# Slurm log, say) looks hung, so a line says what is in flight when no point has ended lately.
HEARTBEAT_SECONDS = 60


class SchedulerUnreachable(ConnectionError):
    """No Dask scheduler answered at the address given (``client=`` or ``--scheduler``)."""


# The tasks, run on workers: each releases the GIL and runs its part in C++.

def _begin(topic, task, point, plan):
    """Runs 1 and 2 and the search's unbounded run: the point's work (JSON). Says first, on
    ``topic``, that the point has started (its row becomes "running")."""
    from distributed import get_worker
    from dfsim import _dfsim as native
    get_worker().log_event(topic, task)
    return native.sdpa.begin_point(point, plan)


def _probe(point, fifo, depth, target):
    """One probe of a FIFO's search: (matches, wall seconds)."""
    from dfsim import _dfsim as native
    start = time.perf_counter()
    return native.sdpa.probe_point(point, fifo, depth, target), time.perf_counter() - start


def _end(point, plan, work, depths, probes, seconds, error):
    """The minima together and the depth curve: the point's row (JSON)."""
    from dfsim import _dfsim as native
    return native.sdpa.end_point(point, plan, work, depths, probes, seconds, error)


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


class _Search:
    """One FIFO's search: its rounds, and the probes of the round in flight."""

    def __init__(self, fifo, upper):
        self.fifo, self.search = fifo, _dfsim.sdpa.FifoSearch(upper)
        self.round, self.matches = [], []


class _Point:
    """Where one point's tasks are: begun (``work``), its searches, its end."""

    def __init__(self, task, point, priority):
        self.task, self.point, self.priority = task, point, priority
        self.started = self.ending = self.finished = False
        self.work = ""
        self.searches, self.depths = [], {}
        self.probes, self.seconds, self.error = 0, 0.0, ""
        self.futures = set()


def _in_flight(p):
    """"naive N=8192 (search: 12 probes done)": a running point and how far it is."""
    point = json.loads(p.point)
    stage = "first runs" if not p.work else f"search: {p.probes} probes done"
    if p.ending:
        stage = "last run"
    return f"{point['variant']} N={point['n']} ({stage})"


class _Executor:
    """The tasks of ``run.pending()`` on a client, and the events that move each point on: a
    point started on a worker, a task done. Every event is handled on the caller's thread."""

    def __init__(self, run, client, progress, on_row):
        self.run, self.client, self.progress, self.on_row = run, client, progress, on_row
        self.plan = json.dumps(run.config())
        self.events = queue.Queue()
        self.sweep = uuid.uuid4().hex[:12]
        self.topic = f"dfsim-started-{self.sweep}"
        self.keys = itertools.count()
        self.tasks = {}  # future -> (point, kind, (search, depth) of a probe)
        pending = run.pending()
        self.points = [_Point(t, p, len(pending) - t) for t, p in enumerate(pending)]
        self.unfinished = len(self.points)
        self._slots, self._slots_at = 1, -10.0
        self.begun_at = self.last_line = time.monotonic()

    def slots(self):
        """Threads on the workers (asked again every few seconds: workers come and go)."""
        if time.monotonic() - self._slots_at > 2:
            try:
                self._slots = max(1, sum(self.client.nthreads().values()))
            except Exception:  # noqa: BLE001 (a scheduler that stopped answering: keep the last)
                pass
            self._slots_at = time.monotonic()
        return self._slots

    def submit(self, point, kind, fn, *args, probe=None):
        future = self.client.submit(fn, *args, pure=False, priority=point.priority,
                                    key=f"dfsim-{kind}-{self.sweep}-{next(self.keys)}")
        self.tasks[future] = (point, kind, probe)
        point.futures.add(future)
        future.add_done_callback(lambda f: self.events.put(("done", f)))

    def run_all(self):
        self.client.subscribe_topic(self.topic, lambda event: self.events.put(("started", event[1])))
        try:
            for p in self.points:
                self.submit(p, "begin", _begin, self.topic, p.task, p.point, self.plan)
            while self.unfinished:
                try:
                    kind, what = self.events.get(timeout=0.5)
                except queue.Empty:
                    self.heartbeat()
                    continue
                if kind == "started":
                    self.started(self.points[what])
                elif what in self.tasks:
                    self.done(what)
                self.heartbeat()
        except BaseException:
            self.client.cancel(list(self.tasks))
            self.interrupt()
            raise
        finally:
            self.client.unsubscribe_topic(self.topic)

    def started(self, p):
        if not p.started:  # a task run again after its worker died starts twice
            p.started = True
            self.run.start(p.task)

    def done(self, future):
        p, kind, probe = self.tasks.pop(future)
        p.futures.discard(future)
        if p.ending and kind == "probe":
            return  # the point's search failed; what its other probes say no longer matters
        try:
            value = future.result()
        except Exception as e:  # noqa: BLE001 (the row says what it was)
            self.failed(p, kind, f"{type(e).__name__}: {e}")
            return
        if kind == "begin":
            self.begun(p, value)
        elif kind == "probe":
            self.probed(p, *probe, *value)
        else:
            self.finish(p, self.run.finish(p.task, value))

    def begun(self, p, work):
        self.started(p)
        p.work = work
        begun = json.loads(work)
        self.run.update(p.task, json.dumps(begun["row"]))
        if begun["search"] is None:
            self.end(p)
            return
        p.target = begun["search"]["unbounded_cycles"]
        p.searches = [_Search(f["fifo"], f["upper"]) for f in begun["search"]["fifos"]]
        self.next_rounds(p)

    def next_rounds(self, p):
        """A round for each of p's searches that has none in flight, k probes each: as many
        as leave no worker idle (at least one)."""
        waiting = [s for s in p.searches if not s.search.done() and not s.round]
        if not waiting:
            if all(s.search.done() for s in p.searches):
                p.depths = {s.fifo: s.search.depth() for s in p.searches}
                self.end(p)
            return
        free = self.slots() - len(self.tasks)
        k = max(1, free // len(waiting))
        for s in waiting:
            s.round = s.search.next(k)
            s.matches = [None] * len(s.round)
            for depth in s.round:
                self.submit(p, "probe", _probe, p.point, s.fifo, depth, p.target,
                            probe=(s, depth))

    def probed(self, p, s, depth, matches, seconds):
        s.matches[s.round.index(depth)] = matches
        p.probes += 1
        p.seconds += seconds
        if any(m is None for m in s.matches):
            return
        s.search.record(s.round, s.matches)
        s.round, s.matches = [], []
        self.next_rounds(p)

    def failed(self, p, kind, error):
        if kind == "begin" or kind == "end":
            self.finish(p, self.run.fail(p.task, error))
            return
        p.error = error  # a probe's: the row says "error in the min-depth search"
        self.client.cancel(list(p.futures))
        self.end(p)

    def end(self, p):
        p.ending = True
        self.submit(p, "end", _end, p.point, self.plan, p.work, p.depths, p.probes, p.seconds,
                    p.error)

    def finish(self, p, line):
        self.unfinished -= 1
        p.finished = True
        if self.progress:
            self.progress(line)
            self.last_line = time.monotonic()
        if self.on_row:
            self.on_row(self.run.document()["results"])

    def heartbeat(self):
        """After HEARTBEAT_SECONDS without a line: the points in flight and their probes."""
        now = time.monotonic()
        if not self.progress or now - self.last_line < HEARTBEAT_SECONDS or not self.unfinished:
            return
        self.last_line = now
        running = [p for p in self.points if p.started and not p.finished]
        what = ", ".join(_in_flight(p) for p in running) or "none started yet"
        self.progress(f"[{len(self.points) - self.unfinished}/{len(self.points)} points] in flight: "
                      f"{what}; {(now - self.begun_at) / 60:.1f} min so far")

    def interrupt(self):
        """The points started and not finished: rows "interrupted after ..." (their runs that
        ended), to be run again by the next sweep, as the in-process executor leaves them."""
        for p in self.points:
            if p.started and not p.finished:
                row = _dfsim.sdpa.end_point(p.point, self.plan, p.work, {}, 0, 0.0, "", True)
                self.run.finish(p.task, row)


def run_sweep(run, client=None, workers=None, progress=None, on_row=None):
    """Runs ``run.pending()`` (a ``_dfsim.sdpa.SweepRun``) on Dask and writes each row as it
    changes. ``client``: a Client, an address, or None/"local" (a local cluster started and
    stopped here); ``progress``: a function given each progress line; ``on_row``: given the
    rows (dicts) after each point ends. A task that raises, or that killed its workers more
    than Dask allows, makes its point's row say so ("error: ..."). Ctrl-C (KeyboardInterrupt)
    cancels what is left, writes the points in flight as "interrupted after ...", and
    propagates; the rows written stay."""
    dask_client, cluster = connect(client, workers)
    try:
        _Executor(run, dask_client, progress, on_row).run_all()
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
    """The executor's own arguments; the sweep itself comes whole as ``--plan``."""
    p = argparse.ArgumentParser(prog="dfsim sdpa-sweep", description="dfsim sdpa-sweep on Dask")
    p.add_argument("--plan", required=True, help="the plan as JSON (results.json's config)")
    p.add_argument("--out", default="results/sweep")
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
    try:
        run = _dfsim.sdpa.SweepRun(a.plan, a.out, a.fresh)
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
