"""dfsim.RunResult's DataFrames and dict, and the exceptions dfsim.results.checked raises."""
import pytest

import dfsim
from dfsim.results import checked


@pytest.fixture(scope="module")
def run():
    return dfsim.sdpa.simulate(variant="naive", n=8, preset="spatial-calibrated").run


def test_contexts_frame(run):
    assert list(run.contexts.columns) == ["name", "final_clock", "starved_cycles",
                                          "backpressured_cycles", "finished"]
    assert list(run.contexts["name"]) == [
        "q_source", "k_source", "v_source", "qk", "row_sum", "divide", "weighted_sum", "sink"]
    assert run.contexts["finished"].all()
    assert run.contexts["final_clock"].max() == run.cycles


def test_channels_frame(run):
    channels = run.channels.set_index("name")
    assert list(run.channels.columns) == ["name", "capacity", "latency", "response_latency",
                                          "elements", "peak_occupancy", "sender", "receiver"]
    assert channels.loc["long", "sender"] == "qk" and channels.loc["long", "receiver"] == "divide"
    assert channels.loc["k", "elements"] == 8 * 8  # a key per (query, key) pair
    assert run.channels["elements"].sum() == run.transfers


def test_to_dict_is_the_engines_json(run):
    d = run.to_dict()
    assert list(d) == ["bound", "channels", "contexts", "cycles", "status", "threads",
                       "transfers", "wall_seconds"]
    assert d["status"] == run.status == "completed" and d["cycles"] == run.cycles
    assert run.deadlock is None and run.failure is None and run.describe_problem() == ""


class FailedRun:
    """What the engine reports when a context threw (no graph from Python throws yet)."""
    status = "failed"
    failure = {"context": "divide", "clock": 17, "message": "division by zero"}
    deadlock = None

    def describe_problem(self):
        return "context 'divide' failed at cycle 17: division by zero"


def test_a_failed_context_raises_unit_error():
    run = FailedRun()
    with pytest.raises(dfsim.UnitError) as caught:
        checked(run)
    e = caught.value
    assert (e.context, e.clock, e.message) == ("divide", 17, "division by zero")
    assert str(e) == "context 'divide' failed at cycle 17: division by zero" and e.result is run


def test_a_deadlock_is_returned_when_asked():
    r = dfsim.sdpa.simulate(variant="naive", n=16, depths={"long": 4}, raise_on_deadlock=False)
    assert checked(r, raise_on_deadlock=False) is r
    with pytest.raises(dfsim.Deadlock):
        checked(r)
    assert r.run.deadlock == r.run.to_dict()["deadlock"]
