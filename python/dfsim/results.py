"""Results of a run, and the exceptions a run raises (docs/python.md, "Results and errors").

A run's statistics come from the C++ engine (engine/include/dfsim/engine/run_result.hpp) as
one object; :class:`RunResult` shows them as pandas DataFrames and plain values::

    result = dfsim.results.RunResult(raw)          # raw: dfsim._dfsim.RunResult
    result.cycles                                   # int
    result.contexts                                 # DataFrame, one row per context
    result.channels.set_index("name")["peak_occupancy"]

A simulated deadlock raises :class:`Deadlock` and a context (unit) that failed raises
:class:`UnitError`; both carry the whole result, so nothing computed is lost.
"""

import pandas as pd

from dfsim._dfsim import GraphError, InvalidArgument

__all__ = ["RunResult", "RunError", "Deadlock", "UnitError", "GraphError", "InvalidArgument",
           "checked"]

_CONTEXT_COLUMNS = ["name", "final_clock", "starved_cycles", "backpressured_cycles", "finished"]
_CHANNEL_COLUMNS = ["name", "capacity", "latency", "response_latency", "elements",
                    "peak_occupancy", "sender", "receiver"]


def _capacity_column(frame):
    """'unbounded' as <NA> in a nullable integer column, so capacities compare as numbers."""
    if "capacity" in frame:
        frame["capacity"] = pd.array(
            [None if c == "unbounded" else c for c in frame["capacity"]], dtype="Int64")
    return frame


class RunResult:
    """The statistics of one run: the same values, bit for bit, for any number of threads.

    ``status`` is "completed", "deadlock" or "failed"; ``cycles`` the largest clock any context
    reached; ``contexts`` and ``channels`` DataFrames (one row per context or channel, columns
    as in :meth:`to_dict`; a channel's ``capacity`` is <NA> when unbounded); ``deadlock`` the
    blocked contexts (a list of dicts) or None; ``failure`` a dict (context, clock, message) or
    None.

        >>> result.channels[["name", "capacity", "peak_occupancy"]]
    """

    def __init__(self, raw):
        self._raw = raw
        self._dict = raw.to_dict()

    @property
    def status(self):
        return self._dict["status"]

    @property
    def ok(self):
        return self.status == "completed"

    @property
    def cycles(self):
        return self._dict["cycles"]

    @property
    def wall_seconds(self):
        return self._dict["wall_seconds"]

    @property
    def threads(self):
        return self._dict["threads"]

    @property
    def transfers(self):
        """Elements enqueued over the run, summed over every channel."""
        return self._dict["transfers"]

    @property
    def contexts(self):
        return pd.DataFrame(self._dict["contexts"], columns=_CONTEXT_COLUMNS)

    @property
    def channels(self):
        return _capacity_column(pd.DataFrame(self._dict["channels"], columns=_CHANNEL_COLUMNS))

    @property
    def deadlock(self):
        return self._dict.get("deadlock")

    @property
    def failure(self):
        return self._dict.get("failure")

    def describe_problem(self):
        """The deadlock report or the failure, for people; "" when the run completed."""
        return self._raw.describe_problem()

    def to_dict(self):
        """The JSON object of the C++ side (run_result_json.hpp), as plain Python values:
        status, cycles, wall_seconds, threads, transfers, contexts, channels (capacity a number
        or "unbounded"), and deadlock or failure when they apply."""
        return dict(self._dict)

    def __repr__(self):
        return f"<dfsim RunResult {self.status}, {self.cycles} cycles>"


class RunError(RuntimeError):
    """A run that did not complete. ``result`` holds everything it computed."""

    def __init__(self, message, result):
        super().__init__(message)
        self.result = result


class Deadlock(RunError):
    """The simulated hardware deadlocked.

    ``blocked`` lists each blocked context as a dict: context, clock, operation ("dequeue",
    "enqueue", ...), channel, channel_state ("empty", "full", ...), other_end (the context at
    the channel's other end) and other_end_finished. ``str()`` is the engine's report.

        >>> try: dfsim.sdpa.simulate(variant="naive", n=64, depths={"long": 8})
        ... except dfsim.Deadlock as e: print(e.blocked[0]["channel_state"])
    """

    def __init__(self, message, result, blocked):
        super().__init__(message, result)
        self.blocked = blocked


class UnitError(RunError):
    """A context (a unit's process) raised an error: ``context`` names it, ``clock`` is the
    cycle it was at, ``message`` what it said."""

    def __init__(self, message, result, context, clock, unit_message):
        super().__init__(message, result)
        self.context = context
        self.clock = clock
        self.message = unit_message


def checked(result, raise_on_deadlock=True, details=None):
    """Returns ``result`` (a :class:`RunResult`, or any object with a ``.run`` that is one) if
    its run completed; raises :class:`UnitError` if a context failed, and :class:`Deadlock` if
    the run deadlocked unless ``raise_on_deadlock`` is false. ``details`` (text) is appended to
    the message, e.g. a hint on what to change."""
    run = getattr(result, "run", result)
    message = run.describe_problem() + (f"\n{details}" if details else "")
    if run.status == "failed":
        f = run.failure
        raise UnitError(message, result, f["context"], f["clock"], f["message"])
    if run.status == "deadlock" and raise_on_deadlock:
        raise Deadlock(message, result, run.deadlock)
    return result
