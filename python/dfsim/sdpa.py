"""Scaled dot-product attention on streaming hardware, from Python (docs/python.md, docs/sdpa.md).

The same simulation as ``dfsim sdpa``: NumPy arrays in, the outputs and every measure of
``dfsim sdpa --json`` out::

    import numpy as np, dfsim
    q, k, v = (np.random.default_rng(s).uniform(-1, 1, (64, 4)) for s in range(3))
    r = dfsim.sdpa.simulate(variant="reordered-stable", q=q, k=k, v=v, preset="spatial-calibrated")
    r.cycles, r.throughput, r.outputs.shape        # outputs: (64, 4), like q
    r.fifos                                        # DataFrame: name, capacity, peak_occupancy, ...

A deadlock (FIFOs too shallow) raises :class:`dfsim.Deadlock`; input the simulator refuses
raises :class:`dfsim.InvalidArgument` (a ValueError) saying what is wrong and how to fix it.
"""

import json
import numbers
import warnings

import numpy as np
import pandas as pd

from dfsim import _dfsim
from dfsim.results import InvalidArgument, RunResult, checked

__all__ = ["simulate", "min_depths", "sweep", "variants", "fifo_names", "unit_names",
           "AttentionResult", "FolderInUse"]

FolderInUse = _dfsim.FolderInUse

_TIMING_FIELDS = ("latency", "initiation_interval", "startup_delay", "per_row_delay")


def variants():
    """The variants' names: naive, naive-stable, reordered, reordered-stable."""
    return _dfsim.sdpa.variants()


def fifo_names(variant):
    """The names ``depths=`` takes for ``variant``, in graph order (docs/sdpa.md)."""
    return _dfsim.sdpa.fifo_names(variant)


def unit_names(variant):
    """The names ``units=`` takes for ``variant``, in graph order."""
    return _dfsim.sdpa.unit_names(variant)


def _count(name, value, least=0):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < least:
        raise InvalidArgument(f"{name} must be an integer of at least {least}, got {value!r}")
    return int(value)


def _array(name, a):
    """A float64 (N, d) or (heads, N, d) array from a float64 or float32 one."""
    if not isinstance(a, np.ndarray):
        raise InvalidArgument(f"{name} must be a NumPy array of float64 or float32, "
                              f"got {type(a).__name__}")
    if a.dtype not in (np.float64, np.float32):
        raise InvalidArgument(f"{name} has dtype {a.dtype}; expected float64 or float32 "
                              f"(convert with {name}.astype(np.float64))")
    if a.ndim not in (2, 3):
        raise InvalidArgument(f"{name} has shape {a.shape}; expected (N, d) or (heads, N, d)")
    if 0 in a.shape:
        raise InvalidArgument(f"{name} has shape {a.shape}: heads, N and d must be at least 1")
    return np.ascontiguousarray(a, dtype=np.float64)


def _inputs(q, k, v, n, d, heads, kv_heads=None, decode=None):
    """Per head (q, k, v) float64 (N, d), and n, d, heads; no arrays: random ones. With
    kv_heads, k and v may hold one set per K/V head, (kv_heads, N, d): head h reads set
    h // (heads / kv_heads), as torch's repeat_interleave."""
    given = [x is not None for x in (q, k, v)]
    if not any(given):
        if n is None:
            raise InvalidArgument("n is required (or q, k and v, which give N)")
        return [], _count("n", n, 1), _count("d", 1 if d is None else d, 1), heads
    if not all(given):
        missing = ", ".join(x for x, g in zip("qkv", given) if not g)
        raise InvalidArgument(f"q, k and v go together: {missing} missing")
    if decode is not None:
        raise InvalidArgument("decode takes random inputs only (as dfsim sdpa --decode): "
                              "drop q, k and v, or decode")
    q, k, v = _array("q", q), _array("k", k), _array("v", v)
    if kv_heads and q.ndim == 3 and k.ndim == 3 and k.shape[0] == kv_heads != q.shape[0] \
            and q.shape[0] % kv_heads == 0:
        group = q.shape[0] // kv_heads
        k, v = np.repeat(k, group, axis=0), np.repeat(v, group, axis=0)
    for name, a in (("k", k), ("v", v)):
        if a.shape != q.shape:
            raise InvalidArgument(f"{name} has shape {a.shape}; expected {q.shape}, the shape "
                                  "of q: Q, K and V must have the same shape")
    N, D = q.shape[-2:]
    if n is not None and n != N:
        raise InvalidArgument(f"n={n} does not match the inputs: q has N = {N}")
    if d is not None and d != D:
        raise InvalidArgument(f"d={d} does not match the inputs: q has d = {D}")
    if q.ndim == 2:  # the same tensors for every head, as `dfsim sdpa --inputs` with q.npy
        return [(q, k, v)] * heads, N, D, heads
    if heads not in (1, q.shape[0]):
        raise InvalidArgument(f"heads={heads} does not match the inputs: q has shape {q.shape}, "
                              f"{q.shape[0]} heads")
    return [(q[h], k[h], v[h]) for h in range(q.shape[0])], N, D, q.shape[0]


def _timing(name, t):
    """units={name: (latency, ii[, startup[, per_row]])} or a dict of those fields."""
    if isinstance(t, dict):
        unknown = set(t) - set(_TIMING_FIELDS)
        if unknown or "latency" not in t or "initiation_interval" not in t:
            raise InvalidArgument(f"units[{name!r}] = {t!r}: expected the keys latency, "
                                  "initiation_interval and optionally startup_delay, per_row_delay")
        t = tuple(t.get(f, 0) for f in _TIMING_FIELDS)
    if not isinstance(t, (tuple, list)) or not 2 <= len(t) <= 4:
        raise InvalidArgument(f"units[{name!r}] = {t!r}: expected (latency, ii[, startup"
                              "[, per_row]]) in cycles, e.g. units={'qk': (11, 1)}")
    t = [_count(f"units[{name!r}].{f}", x) for f, x in zip(_TIMING_FIELDS, t)]
    return tuple(t + [0] * (4 - len(t)))


def _depth(name, k):
    if k is None or k == "unbounded":
        return None
    return _count(f"depths[{name!r}]", k)


def _config(variant, n, d, preset, precision, depths, unbounded, units, heads,
            causal=None, decode=None, kv_heads=None, lanes=1):
    if variant is None:
        raise InvalidArgument("variant is required: one of " + ", ".join(variants()))
    if causal is not None and not isinstance(causal, str):
        raise InvalidArgument(f"causal={causal!r}: give 'mask', 'skip' or 'none'")
    return {"variant": variant, "n": n, "d": d, "preset": preset, "precision": precision,
            "heads": _count("heads", heads, 1), "unbounded": bool(unbounded),
            "causal": causal or "none",
            "decode": 0 if decode is None else _count("decode", decode, 1),
            "kv_heads": 0 if kv_heads is None else _count("kv_heads", kv_heads, 1),
            "lanes": _count("lanes", lanes, 1),
            "depths": {name: _depth(name, k) for name, k in (depths or {}).items()},
            "units": {name: _timing(name, t) for name, t in (units or {}).items()}}


class AttentionResult:
    """One attention run: every measure of ``dfsim sdpa --json`` (docs/outputs.md).

    ``status``, ``cycles``, ``ideal_cycles`` (II_max x N^2), ``throughput`` (ideal / cycles),
    ``intermediate_memory_elements`` and ``_bytes`` (peak occupancy summed over the internal
    FIFOs), ``max_abs_error`` (against the fp64 reference), ``non_finite``,
    ``simulation_wall_seconds``, ``wall_seconds`` (with auto_depths, the search included),
    ``config`` (the resolved config: its ``depths`` and ``units`` after the preset and
    overrides), and when they apply ``problem`` (the run did not complete), ``hint`` (what to
    change after a deadlock), ``overflow`` (why outputs are inf or NaN); ``fifos``
    (DataFrame: name, capacity (<NA>: unbounded), peak_occupancy, elements, internal,
    element_bytes); ``outputs`` (float64, shaped as q: (N, d), or (heads, N, d) with several
    heads; rows that never reached the sink are NaN, ``rows_out`` says how many did per head);
    ``run`` (the engine's :class:`dfsim.RunResult`: per-context and per-channel statistics).
    """

    def __init__(self, raw, squeeze):
        self._measures = raw["measures"]
        self.run = RunResult(raw["run"])
        self.outputs = raw["outputs"][0] if squeeze else raw["outputs"]
        self.rows_out = raw["rows_out"]

    def __getattr__(self, name):
        measures = self.__dict__["_measures"]
        if name in measures:
            return measures[name]
        if name in ("problem", "hint", "overflow"):  # present only when they apply
            return None
        raise AttributeError(name)

    @property
    def fifos(self):
        frame = pd.DataFrame(self._measures["fifos"], columns=[
            "name", "capacity", "peak_occupancy", "elements", "internal", "element_bytes"])
        frame["capacity"] = pd.array(
            [None if c == "unbounded" else c for c in frame["capacity"]], dtype="Int64")
        return frame

    def to_dict(self):
        """The object ``dfsim sdpa --json`` prints, as plain values (fifos a list of dicts,
        capacity a number or "unbounded")."""
        return dict(self._measures)

    def __repr__(self):
        return (f"<dfsim AttentionResult {self.status}, {self.cycles} cycles, "
                f"throughput {self.throughput:.4f}>")


def simulate(variant=None, q=None, k=None, v=None, *, n=None, d=None, seed=1, scale=1.0,
             preset="one-cycle", precision="fp64", depths=None, unbounded=False, units=None, heads=1,
             threads=1, auto_depths=False, allow_non_finite=False, raise_on_deadlock=True,
             causal=None, decode=None, kv_heads=None, lanes=1):
    """Simulates attention on the ``variant``'s graph and measures it, as ``dfsim sdpa``.

    q, k, v: float64 or float32 arrays of shape (N, d), or (heads, N, d) for one set per head;
    without them, random ones of n x d (d default 1) from ``seed`` (head h: seed + h), uniform
    in [-scale, scale). preset: "one-cycle" (every unit at latency 1, II 1;
    "unit" is its old name) or "spatial-calibrated"; precision: "fp64", "fp32",
    "fp16" or "bf16"; causal: "mask" or "skip" (docs/sdpa.md); decode: B query rows against the
    N cached keys (random inputs only; outputs (B, d)); kv_heads: K/V heads shared by the
    heads (k and v may then be (kv_heads, N, d)); lanes: parallel lanes of the key loop;
    depths: {fifo: K or None (unbounded)}, overriding the preset's; unbounded: every FIFO
    unbounded but those in depths; units: {unit: (latency, ii[, startup[, per_row]])};
    threads: engine worker threads (the results never depend on them); auto_depths: every FIFO
    not in depths gets its smallest depth at full speed (the :func:`min_depths` search first).

    Returns an :class:`AttentionResult`. Raises :class:`dfsim.Deadlock` when the graph
    deadlocks, its message ending with what to change (``raise_on_deadlock=False`` returns the
    result instead), and :class:`dfsim.InvalidArgument` for input that cannot run. Outputs that
    overflowed to inf or NaN give a RuntimeWarning saying why (``non_finite`` is then true).

        >>> r = dfsim.sdpa.simulate(variant="naive", n=64, preset="spatial-calibrated")
        >>> r.cycles, r.fifos.set_index("name").loc["long", "peak_occupancy"]
    """
    arrays, n, d, heads = _inputs(q, k, v, n, d, heads, kv_heads, decode)
    config = _config(variant, n, d, preset, precision, depths, unbounded, units, heads,
                     causal, decode, kv_heads, lanes)
    threads = _count("threads", threads)
    if auto_depths and unbounded:
        raise InvalidArgument("auto_depths and unbounded exclude each other: auto_depths sizes "
                              "every FIFO not in depths, unbounded leaves them unbounded")
    raw = _dfsim.sdpa.simulate(config, arrays, _count("seed", seed), float(scale),
                               bool(allow_non_finite), threads, bool(auto_depths))
    # (N, d) out for (N, d) in; (heads, N, d) when there are several heads or q had a heads axis.
    result = AttentionResult(raw, squeeze=heads == 1 and (q is None or q.ndim == 2))
    if result.non_finite:
        warnings.warn(result.overflow, RuntimeWarning, stacklevel=2)
    return checked(result, raise_on_deadlock, details=result.to_dict().get("hint"))


def min_depths(variant=None, q=None, k=None, v=None, *, n=None, d=None, seed=1, scale=1.0,
               preset="one-cycle", precision="fp64", units=None, heads=1, threads=0,
               allow_non_finite=False, causal=None, decode=None, kv_heads=None, lanes=1):
    """The smallest depth of every FIFO that keeps the cycles of the run with every FIFO
    unbounded, as ``dfsim sdpa-min-depth``: a dict with min_depths ({fifo: depth}, graph
    order), unbounded_cycles, cycles_with_min_depths (0 if the minima together do not
    complete), ideal_cycles and runs (the simulations it took). Arguments as
    :func:`simulate`, but threads: how many FIFOs are searched at once (0: one per hardware
    thread; the depths never depend on it).

        >>> dfsim.sdpa.min_depths(variant="naive", n=64, preset="spatial-calibrated")["min_depths"]["long"]
        80
    """
    arrays, n, d, heads = _inputs(q, k, v, n, d, heads, kv_heads, decode)
    config = _config(variant, n, d, preset, precision, None, False, units, heads,
                     causal, decode, kv_heads, lanes)
    return _dfsim.sdpa.min_depths(config, arrays, _count("seed", seed), float(scale),
                                  bool(allow_non_finite), _count("threads", threads))


def sweep(variants=None, sizes=(64, 128, 256, 512, 1024), *, d=1, preset="spatial-calibrated",
          precision="fp64", causal="none", decode=0, heads=1, kv_heads=None, lanes=1, seed=1,
          threads=1, min_depth_max_n=None, out=None, plots=True, depth_curve=0, client=None,
          workers=None, fresh=False, progress=None, on_row=None):
    """The experiment of ``dfsim sdpa-sweep``: every variant at every N, three runs per point
    (the preset's depths; every FIFO unbounded at the one-cycle preset; the smallest depths at full
    speed, skipped above ``min_depth_max_n``, default 1,024). Returns a DataFrame, one row per
    (variant, N) in plan order, with the columns of results.csv (docs/outputs.md explains each;
    a run that did not happen leaves <NA>), and ``.attrs``: ``status`` ("complete" or "complete
    with problems": a run deadlocked, failed or overflowed, see the status column),
    ``points_run`` (this call's) and ``resumed`` (kept from an earlier call).

    ``out``: a folder to write as ``dfsim sdpa-sweep --out`` does: results.json, results.csv,
    and report.md with its plots (``plots=False``: the report without them). Raises
    :class:`FolderInUse` if another sweep is writing it. A folder holding an earlier run of the
    same sweep keeps its finished points, which are not run again (``fresh=True``: run all).

    The axes beyond variant and N, each a value or a list of values, crossed with the others
    (docs/outputs.md, "sdpa-sweep"): ``precision`` ("fp64", "fp32", "fp16", "bf16"), ``causal``
    ("none", "mask", "skip"), ``decode`` (B decode rows against the N cached keys; 0: prefill;
    a B > 0 is crossed with causal "none" only), ``kv_heads`` (K/V streams shared by the
    ``heads`` query heads; None: ``heads``), ``lanes`` (parallel lanes of the key loop).
    Each is a column of the table.

        >>> dfsim.sdpa.sweep(["reordered-stable"], [64], lanes=[1, 2, 4])["cycles"].tolist()

    ``depth_curve``: K > 0 adds to each point the depth-throughput curve of its long FIFO
    (naive) or deepest FIFO (reordered) at about K depths around its minimum: the row's
    ``depth_curve`` in ``.attrs["rows"]`` and results.json, and a plot in the report.

    ``client``: run the points on Dask (docs/distributed.md): "local" (a cluster of ``workers``
    processes on this machine, default one per core), a scheduler's address
    ("tcp://HOST:PORT"), or a ``dask.distributed.Client``. Without it the points run here,
    ``workers`` (default 1) at a time. ``progress``: a function given a line per point (default:
    print to stderr when it is a terminal); ``on_row``: given the rows so far after each point
    (on Dask). Ctrl-C stops the points at their next run or probe and raises
    KeyboardInterrupt; the folder, "interrupted", resumes with the same call.

        >>> table = dfsim.sdpa.sweep(["naive", "reordered"], [64, 128], out="results/mine")
        >>> table.pivot(index="n", columns="variant", values="cycles")
        >>> dfsim.sdpa.sweep(["naive"], [64, 128], client="local", workers=2).attrs["points_run"]
        2
    """
    import sys
    variants = list(variants or _dfsim.sdpa.variants())
    sizes = [_count("sizes", n, 1) for n in sizes]
    if min_depth_max_n is None:
        min_depth_max_n = _dfsim.sdpa.default_min_depth_max_n
    plan = {"n": sizes, "variants": variants, "preset": preset, "precision": _names(precision),
            "causal": _names(causal), "decode": _counts("decode", decode, 0),
            "heads": _count("heads", heads, 1),
            "kv_heads": [0] if kv_heads is None else _counts("kv_heads", kv_heads, 1),
            "lanes": _counts("lanes", lanes, 1),
            "d": _count("d", d, 1), "seed": _count("seed", seed),
            "threads": _count("threads", threads),
            "min_depth_max_n": _count("min_depth_max_n", min_depth_max_n),
            "depth_curve": _count("depth_curve", depth_curve)}
    run = _dfsim.sdpa.SweepRun(json.dumps(plan), _folder(out), bool(fresh))
    if progress is None and sys.stderr.isatty():
        progress = lambda line: print(line, file=sys.stderr, flush=True)  # noqa: E731
    try:
        if client is None:
            run.run_in_process(_count("workers", workers or 1, 1), progress)
        else:
            from dfsim.distributed import run_sweep
            run_sweep(run, client, workers, progress=progress, on_row=on_row)
    except BaseException as e:
        run.close("SIGINT" if isinstance(e, KeyboardInterrupt) else None)
        run.release()
        raise
    status = run.close()
    doc = run.document()
    run.release()
    columns = list(_dfsim.sdpa.columns)
    table = pd.DataFrame([{c: row.get(c) for c in columns} for row in doc["results"]],
                         columns=columns).convert_dtypes()
    table.attrs.update(status=status, config=doc["config"], rows=doc["results"],
                       points_run=run.points_run, resumed=run.resumed)
    if out is not None:
        _draw_report(out, plots)
    return table


def _names(value):
    """A sweep axis of names: one name, or a list of them."""
    return [value] if isinstance(value, str) else list(value)


def _counts(name, value, least):
    """A sweep axis of integers: one, or a list of them."""
    items = [value] if isinstance(value, numbers.Integral) else list(value)
    return [_count(name, x, least) for x in items]


def _folder(out):
    return None if out is None else str(out)


def _draw_report(out, plots):
    """The plots, drawn by the script ``dfsim sdpa-sweep`` runs (scripts/plot_sweep.py, shipped
    in the package), then report.md, written by the same C++ renderer as the command line's,
    saying why plots are missing when they are."""
    import os
    import subprocess
    import sys
    why = "" if plots else "plots=False"
    if plots:
        script = os.path.join(os.path.dirname(__file__), "plot_sweep.py")
        done = subprocess.run([sys.executable, script, str(out)], capture_output=True, text=True)
        if done.returncode == 3:
            why = "matplotlib is missing"
            warnings.warn("matplotlib is missing: report.md has no plots", RuntimeWarning,
                          stacklevel=3)
        elif done.returncode != 0:
            raise RuntimeError(f"{script} failed (status {done.returncode}): {done.stderr.strip()}")
    _dfsim.sdpa.write_report(str(out), why)
