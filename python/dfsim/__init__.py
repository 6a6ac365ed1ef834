"""dfsim: a cycle-accurate simulator of streaming dataflow hardware (docs/python.md).

    import dfsim
    r = dfsim.sdpa.simulate(variant="reordered-stable", n=64)
    r.cycles, r.fifos, r.outputs
    dfsim.__version__        # "0.1.0", as `dfsim --version` and a sweep's results.json say

Errors: dfsim.InvalidArgument (a ValueError: input the simulator refuses, and why),
dfsim.GraphError (an InvalidArgument listing a graph's problems), dfsim.Deadlock and
dfsim.UnitError (a run that did not complete; they carry its result).
"""

from dfsim import sdpa
from dfsim._dfsim import __version__
from dfsim.results import (Deadlock, GraphError, InvalidArgument, RunError, RunResult,
                           UnitError)

__all__ = ["sdpa", "Deadlock", "GraphError", "InvalidArgument", "RunError", "RunResult", "UnitError"]
from dfsim.graph import Graph, GraphFileError, GraphRun, load_graph  # noqa: E402 (graphs of your own)
__all__ += ["Graph", "GraphFileError", "GraphRun", "load_graph"]
