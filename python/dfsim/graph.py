"""Graphs of your own: channels and units described in a few lines of Python, run by the C++
engine (docs/python.md, "Graphs of your own").

    import numpy as np, dfsim
    g = dfsim.Graph()
    x = g.channel("x", dtype="int64", capacity=8)
    y = g.channel("y", dtype="int64", capacity=8)
    g.source("src", out=x, values=np.arange(10))
    g.map("inc", inputs=[x], out=y, expr="a + 1", latency=3, ii=1)
    g.sink("out", inp=y)
    r = g.run(threads=1)
    r.cycles, r.outputs["out"], r.contexts

A unit computes in one of three ways:

* ``expr=`` a native expression (docs/graph-files.md, "Expressions"): evaluated in C++ with
  no Python involved, and the only kind a graph file can hold;
* ``fn=`` a Python callable, called once per step holding the GIL;
* :meth:`Graph.process`: a whole context written as a Python generator that yields channel
  operations (pop, peek, push, advance, select), for what is not a Map, Reduce or Scan.

Names may be scoped: ``with g.scope("head0"):`` prefixes every channel and unit made inside
with ``head0.``.
"""

import json
import os

import numpy as np

from dfsim import _dfsim
from dfsim.results import RunResult, checked

__all__ = ["Graph", "Channel", "GraphRun", "GraphFileError", "load_graph", "Input", "Output",
           "ProcessContext"]

GraphFileError = _dfsim.GraphFileError

_SCALARS = {"float64": _dfsim.ScalarType.float64, "float32": _dfsim.ScalarType.float32,
            "int64": _dfsim.ScalarType.int64}
_DISCIPLINES = {"together": _dfsim.Discipline.together, "in_order": _dfsim.Discipline.in_order}
_SINK_MODES = {"keep": _dfsim.SinkMode.keep, "check": _dfsim.SinkMode.check,
               "discard": _dfsim.SinkMode.discard}

# The operation codes python/src/graph.cpp reads from what a process yields.
_POP, _PEEK, _PUSH, _ADVANCE, _SELECT = 0, 1, 2, 3, 4


def _element_type(dtype, dims):
    """ElementType from a dtype name (or NumPy dtype) and a vector size (0: a scalar)."""
    name = np.dtype(dtype).name if not isinstance(dtype, str) else dtype
    if name not in _SCALARS:
        raise ValueError(f"dtype {dtype!r} is not supported: use float64, float32 or int64")
    if dims < 0 or (dims > 0 and name == "int64"):
        raise ValueError(f"dims={dims}: a vector has dims >= 1 values of float64 or float32 "
                         "(dims=0 for a scalar)")
    return _dfsim.ElementType(_SCALARS[name], int(dims))


def _whole(value, what, least, alternative=""):
    """Refuses what is not a whole number >= least, naming it (`what`) and the fix."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < least:
        raise ValueError(f"{what} {value!r}: give a whole number >= {least}"
                         + (f", {alternative}" if alternative else ""))


class Channel:
    """A bounded (or unbounded) time-stamped FIFO between two units. Made by
    :meth:`Graph.channel`; pass it to units as an input or output."""

    def __init__(self, name, element_type):
        self.name = name
        self.type = element_type

    @property
    def dtype(self):
        """The NumPy dtype of one value (a vector's values for a vector channel)."""
        return np.dtype(self.type.scalar.name)

    @property
    def dims(self):
        """0 for scalars, d for vectors of d values."""
        return self.type.dims

    def __repr__(self):
        return f"<dfsim Channel {self.name} {self.type}>"


class Input:
    """A process's input end: yield ``end.pop()`` (the value, or None at end of stream) or
    ``end.peek()`` (the same, left in the channel)."""

    def __init__(self, name, index):
        self.name, self._index = name, index

    def pop(self):
        """The next value, dequeued; None once the channel has ended."""
        return (_POP, self._index)

    def peek(self):
        """The next value, left in the channel; None once the channel has ended."""
        return (_PEEK, self._index)


class Output:
    """A process's output end: yield ``end.push(value)``."""

    def __init__(self, name, index):
        self.name, self._index = name, index

    def push(self, value, latency=None, at=None):
        """Writes `value`, waiting for a free slot. Visible downstream at the channel's latency
        after the write; ``latency=P`` stamps it P cycles after the clock at which the write is
        issued (a pipelined unit); ``at=t`` stamps it at cycle t (docs/semantics.md)."""
        if latency is not None and at is not None:
            raise ValueError(f"push to {self.name}: give latency= or at=, not both")
        return (_PUSH, self._index, value, latency, at)


class ProcessContext:
    """What a process generator receives first: the clock and the two clock operations.

        def merge(ctx, a, b, out):
            while (i := (yield ctx.select(a, b))) is not None:
                v = yield (a, b)[i].pop()
                yield out.push(v, latency=1)
                yield ctx.advance(1)
    """

    def __init__(self, clock):
        self._clock = clock

    @property
    def now(self):
        """The context's clock (cycles)."""
        return self._clock.now

    @property
    def name(self):
        return self._clock.name

    def advance(self, cycles):
        """Yield it to let `cycles` cycles pass."""
        if cycles < 0:
            raise ValueError(f"advance({cycles}): time only moves forward")
        return (_ADVANCE, int(cycles))

    def select(self, *inputs):
        """Yield it to wait for the earliest next element among `inputs` (Input ends): the
        position of the chosen one in `inputs` (ties to the first), None once all ended. The
        clock moves to that element's time; pop it next."""
        return (_SELECT, tuple(i._index for i in inputs))


class Scope:
    """A prefix for names: a context manager (``with g.scope("head0"):``), and the graph's
    methods with the prefix applied (``g.scope("head0").map(...)``)."""

    def __init__(self, graph, names):
        self._graph, self._names = graph, names

    def __enter__(self):
        self._graph._prefix.extend(self._names)
        return self._graph

    def __exit__(self, *exc):
        del self._graph._prefix[len(self._graph._prefix) - len(self._names):]

    def scope(self, name):
        """A scope inside this one."""
        return Scope(self._graph, self._names + [name])

    def __getattr__(self, attr):
        method = getattr(self._graph, attr)

        def scoped(*args, **kwargs):
            with self:
                return method(*args, **kwargs)
        return scoped


class GraphRun(RunResult):
    """A run's statistics (:class:`dfsim.RunResult`: cycles, contexts, channels) and
    ``outputs``: each keeping sink's values as a NumPy array (shape (count,) for scalars,
    (count, d) for vectors)."""

    def __init__(self, raw, outputs):
        super().__init__(raw)
        self.outputs = outputs

    def to_dot(self):
        """The run's graph for Graphviz: units with their final clocks, channels with their
        capacity, elements and peak occupancy; dotted scopes as clusters."""
        return _dfsim.run_to_dot(self._raw)


class Graph:
    """A graph of units joined by channels, described in Python and run by the engine.

    Every method that adds a unit takes its timing: ``latency`` (P, cycles from issue to
    visibility), ``ii`` (initiation interval), ``startup_delay``, ``per_row_delay``; and the
    shape of its rows: ``row_length`` (steps per row; a Reduce writes once per row), ``rows``
    (None: until an input ends), ``per_row`` (indices of inputs read once per row);
    ``inputs_together`` / ``outputs_together`` choose the disciplines (docs/semantics.md,
    "Several inputs, several outputs"). An output may be a list of channels: a fan-out port.
    """

    def __init__(self):
        self._spec = _dfsim.GraphSpec()
        self._channels = {}
        self._prefix = []
        self._last_run = None

    # ---- names ----

    def _name(self, name):
        if not isinstance(name, str):
            raise TypeError(f"a name is a string, got {name!r}")
        return ".".join(self._prefix + [name])

    def scope(self, name):
        """Names made inside ``with g.scope("head0"):``, or by its methods
        (``g.scope("head0").channel("x")``), start with ``head0.``; scopes nest."""
        return Scope(self, [name])

    # ---- channels ----

    def channel(self, name, dtype="float64", dims=0, capacity=2, latency=1, response_latency=1):
        """A channel of `dtype` (float64, float32, int64) scalars, or of vectors of `dims`
        values. ``capacity=None`` makes it unbounded; ``latency`` (L) is the cycles from a
        write to its visibility, ``response_latency`` (R) those from a dequeue to the freed
        slot's return."""
        c = _dfsim.ChannelSpec()
        c.name = self._name(name)
        if capacity is not None:
            _whole(capacity, f"channel {c.name!r}: capacity", 1,
                   "or capacity=None for an unbounded channel")
        _whole(latency, f"channel {c.name!r}: latency", 1)
        _whole(response_latency, f"channel {c.name!r}: response_latency", 1)
        c.type = _element_type(dtype, dims)
        c.capacity = capacity
        c.latency = latency
        c.response_latency = response_latency
        self._spec.add_channel(c)
        channel = Channel(c.name, c.type)
        self._channels[c.name] = channel
        return channel

    def _channel(self, ref):
        """A Channel, or a channel's full name."""
        if isinstance(ref, Channel):
            return ref
        if ref in self._channels:
            return self._channels[ref]
        raise ValueError(f"no channel named {ref!r}: make it with g.channel() first")

    def _port(self, out):
        outs = out if isinstance(out, (list, tuple)) else [out]
        return [self._channel(c).name for c in outs]

    # ---- units ----

    def _node(self, kind, name, inputs=(), outputs=(), latency=1, ii=1, startup_delay=0,
              per_row_delay=0, row_length=1, rows=None, per_row=(), inputs_together=True,
              outputs_together=True):
        n = _dfsim.NodeSpec()
        n.name = self._name(name)
        n.kind = kind
        # Zeros are left to the graph's validation, which lists every problem at once.
        for what, value in [("latency", latency), ("ii", ii), ("startup_delay", startup_delay),
                            ("per_row_delay", per_row_delay), ("row_length", row_length)]:
            _whole(value, f"unit {n.name!r}: {what}", 0)
        if rows is not None:
            _whole(rows, f"unit {n.name!r}: rows", 0, "or rows=None to run until an input ends")
        n.inputs = [self._channel(c).name for c in inputs]
        n.outputs = [self._port(p) for p in outputs]
        n.timing.latency = latency
        n.timing.initiation_interval = ii
        n.timing.startup_delay = startup_delay
        n.timing.per_row_delay = per_row_delay
        n.row_length = row_length
        n.rows = rows
        n.per_row_inputs = list(per_row)
        n.input_discipline = _DISCIPLINES["together" if inputs_together else "in_order"]
        n.output_discipline = _DISCIPLINES["together" if outputs_together else "in_order"]
        return n

    @staticmethod
    def _compute(n, expr, fn, variables, what):
        if (expr is None) == (fn is None):
            raise ValueError(f"unit {n.name!r}: give what it computes as expr= (a native "
                             f"expression) or fn= (a Python callable), exactly one ({what})")
        if fn is not None:
            if not callable(fn):
                raise TypeError(f"unit {n.name!r}: fn= must be callable, got {fn!r}")
            n.set_python_step(fn)
        elif expr is not None:
            n.expressions = [expr] if isinstance(expr, str) else list(expr)
        if variables:
            n.variables = list(variables)

    def source(self, name, out, values, latency=1, ii=1, startup_delay=0, per_row_delay=0,
               row_length=1, rows=None, outputs_together=True):
        """A memory streaming `values` (a NumPy array: shape (count,), or (count, d) for a
        vector channel), one per step. Element (row, j) is value (row * row_length + j) mod
        count, so ``rows`` greater than count / row_length repeats them (K streamed once per
        query row); rows=None streams every value once. `values` may also be the path of a
        .npy file, read when the graph runs (a saved graph then refers to the file)."""
        n = self._node(_dfsim.NodeKind.source, name, (), [out], latency, ii, startup_delay,
                       per_row_delay, row_length, rows, (), True, outputs_together)
        if isinstance(values, (str, os.PathLike)):
            n.data_file = os.fspath(values)  # read when the graph is built, and saved as a path
        else:
            self._set_data(n, self._channel(self._port(out)[0]), values, "values")
        self._spec.add_node(n)

    def _set_data(self, n, channel, values, what):
        a = np.asarray(values)
        t = channel.type
        want = "(count,)" if t.dims == 0 else f"(count, {t.dims})"
        if a.ndim != (1 if t.dims == 0 else 2) or (t.dims and a.shape[1] != t.dims):
            raise ValueError(f"unit {n.name!r}: {what} of shape {a.shape} for channel "
                             f"{channel.name!r} ({t}): give an array of shape {want}")
        if t.scalar == _dfsim.ScalarType.int64:
            if a.size and not np.issubdtype(a.dtype, np.integer):
                raise ValueError(f"unit {n.name!r}: {what} of dtype {a.dtype} for the int64 "
                                 f"channel {channel.name!r}: give integers")
            n.set_integers(a.astype(np.int64, copy=False).reshape(-1))
        else:
            if a.size and not (np.issubdtype(a.dtype, np.number) and
                               not np.issubdtype(a.dtype, np.complexfloating)):
                raise ValueError(f"unit {n.name!r}: {what} of dtype {a.dtype} for channel "
                                 f"{channel.name!r} ({t}): give real numbers")
            n.set_reals(a.astype(np.float64).reshape(-1))

    def map(self, name, inputs, out, expr=None, fn=None, variables=None, **timing):
        """A Map: one output per step from the step's inputs. ``expr`` is an expression of the
        inputs a, b, c, ... (or the names in ``variables``), a list of them for several output
        ports; ``fn(a, b, ...)`` returns the output (a tuple of them for several ports). `out`
        is a channel, a list of channels (one fan-out port), or, for several ports, a tuple of
        those."""
        ports = list(out) if isinstance(out, tuple) else [out]
        n = self._node(_dfsim.NodeKind.map, name, inputs, ports, **timing)
        self._compute(n, expr, fn, variables, "a map")
        self._spec.add_node(n)

    def reduce(self, name, inputs, out, update=None, fn=None, init=None, state_dtype=None,
               state_dims=0, variables=None, **timing):
        """A Reduce: folds each row of ``row_length`` steps into one output. ``update`` is the
        new state from ``acc`` (the old state) and the inputs, e.g. "acc + a"; ``fn(acc, a,
        ...)`` returns it. The state starts every row at ``init`` (zeros by default); its type
        is the output channel's unless given."""
        n = self._node(_dfsim.NodeKind.reduce, name, inputs, [out], **timing)
        self._state(n, update, fn, init, state_dtype, state_dims, variables, "a reduce")
        self._spec.add_node(n)

    def scan(self, name, inputs, out, update=None, fn=None, expr=None, init=None,
             state_dtype=None, state_dims=0, variables=None, **timing):
        """A Scan: like a Reduce, but writes every step. ``update`` gives the new state; each
        output port writes ``expr`` (of the inputs and the new acc; default: acc). ``fn(acc,
        a, ...)`` returns the new acc, or (acc, output, ...) one per port."""
        ports = list(out) if isinstance(out, tuple) else [out]
        n = self._node(_dfsim.NodeKind.scan, name, inputs, ports, **timing)
        self._state(n, update, fn, init, state_dtype, state_dims, variables, "a scan")
        if expr is not None:
            if fn is not None:
                raise ValueError(f"unit {n.name!r}: expr= goes with update=, not with fn=")
            n.expressions = [expr] if isinstance(expr, str) else list(expr)
        self._spec.add_node(n)

    def _state(self, n, update, fn, init, state_dtype, state_dims, variables, what):
        if (update is None) == (fn is None):
            raise ValueError(f"unit {n.name!r}: give the new state as update= (a native "
                             f"expression of acc and the inputs) or fn= (a Python callable), "
                             f"exactly one ({what})")
        if fn is not None:
            if not callable(fn):
                raise TypeError(f"unit {n.name!r}: fn= must be callable, got {fn!r}")
            n.set_python_step(fn)
        else:
            n.update = update
        if variables:
            n.variables = list(variables)
        if state_dtype is not None:
            n.state_type = _element_type(state_dtype, state_dims)
        if init is not None:
            n.init = [float(v) for v in np.atleast_1d(np.asarray(init, dtype=np.float64))]

    def repeat(self, name, inp, out, count, latency=1, ii=1, startup_delay=0, per_row_delay=0,
               rows=None):
        """A Repeat: writes each input `count` times (a per-row value broadcast over a row)."""
        n = self._node(_dfsim.NodeKind.repeat, name, [inp], [out], latency, ii, startup_delay,
                       per_row_delay, 1, rows)
        n.repeat_count = count
        self._spec.add_node(n)

    def sink(self, name, inp, keep=True, expect=None, abs_tolerance=0.0, rel_tolerance=0.0):
        """The end of a stream. By default it keeps every value (``run().outputs[name]``);
        ``expect=`` (an array like a source's values) checks them instead, failing the run at
        the first that differs by more than abs_tolerance + rel_tolerance * |expected|;
        ``keep=False`` drops them."""
        n = self._node(_dfsim.NodeKind.sink, name, [inp])
        if expect is not None:
            n.sink = _SINK_MODES["check"]
            n.abs_tolerance, n.rel_tolerance = abs_tolerance, rel_tolerance
            self._set_data(n, self._channel(inp), expect, "expect")
        else:
            n.sink = _SINK_MODES["keep" if keep else "discard"]
        self._spec.add_node(n)

    def process(self, name, fn=None, inputs=(), outputs=()):
        """A context of its own, written as a generator function ``fn(ctx, *inputs,
        *outputs)`` in the SimPy style: it yields ``inp.pop()``, ``inp.peek()``,
        ``out.push(v, latency=P)``, ``ctx.advance(n)``, ``ctx.select(a, b, ...)`` and is sent
        back each result; ``ctx.now`` is its clock. Returning ends it (its outputs end). As a
        decorator: ``@g.process("merge", inputs=[a, b], outputs=[m])``."""
        if fn is None:
            def decorate(f):
                self.process(name, f, inputs, outputs)
                return f
            return decorate
        if not callable(fn):
            raise TypeError(f"process {name!r}: fn must be a generator function, got {fn!r}")
        n = self._node(_dfsim.NodeKind.custom, name, inputs, [[o] for o in outputs])
        ins = [Input(self._channel(c).name, i) for i, c in enumerate(inputs)]
        outs = [Output(self._channel(c).name, i) for i, c in enumerate(outputs)]
        n.set_python_process(lambda clock: fn(ProcessContext(clock), *ins, *outs))
        self._spec.add_node(n)

    # ---- checking, running, files ----

    def problems(self):
        """Everything wrong with the graph, each naming its channel or unit ([] if none)."""
        return list(_dfsim.graph_problems(self._spec))

    def run(self, threads=1, trace=None, raise_on_deadlock=True):
        """Runs the graph; returns a :class:`GraphRun`. Results are the same for any number
        of `threads`. ``trace="run.trace.json"`` writes a Chrome trace (Perfetto opens it).
        Raises dfsim.GraphError (every problem of the graph), dfsim.Deadlock (carrying the
        report and the result) and dfsim.UnitError (the unit's name and cycle)."""
        raw, outputs = _dfsim.run_graph(self._spec, threads, os.fspath(trace) if trace else "")
        self._last_run = GraphRun(raw, outputs)
        return checked(self._last_run, raise_on_deadlock)

    def to_dot(self):
        """Graphviz text: after a run, the run's graph with its statistics (units with their
        final clocks, channels with elements and peak occupancy); before, the graph's units
        (kind, timing) and channels (type, capacity)."""
        if self._last_run is not None:
            return self._last_run.to_dot()
        return _dfsim.graph_to_dot(self._spec)

    def to_dict(self):
        """The graph as the JSON object of a graph file (docs/graph-files.md). Units that run
        Python cannot be saved: the error names the first."""
        return json.loads(_dfsim.graph_to_json_text(self._spec))

    def save(self, path):
        """Writes the graph file (docs/graph-files.md); `dfsim run path` runs it."""
        _dfsim.save_graph(self._spec, os.fspath(path))

    @property
    def channels(self):
        """Channel names, in the order they were made."""
        return [c.name for c in self._spec.channels]

    @property
    def units(self):
        """Unit names, in the order they were added."""
        return [n.name for n in self._spec.nodes]


def load_graph(path):
    """A :class:`Graph` from a graph file (docs/graph-files.md); relative .npy paths in it are
    found beside the file. A bad file raises dfsim.GraphFileError naming where in the file."""
    g = Graph()
    g._spec = _dfsim.load_graph(os.fspath(path))
    for c in g._spec.channels:
        g._channels[c.name] = Channel(c.name, c.type)
    return g
