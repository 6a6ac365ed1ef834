"""Graph files from Python: save, load_graph, the round trip, and the errors of each."""
import json

import numpy as np
import pytest

import dfsim


def native_graph():
    g = dfsim.Graph()
    with g.scope("head0"):
        x = g.channel("x", dtype="float32", capacity=None, latency=2, response_latency=3)
        y = g.channel("y", dims=2, capacity=4)
        z = g.channel("z", dims=2)
        w = g.channel("w", dims=2)
        s = g.channel("s")
        g.source("src", out=x, values=np.arange(6, dtype=np.float32), ii=2, startup_delay=3,
                 per_row_delay=1, row_length=3)
        g.map("spread", inputs=[x], out=y, expr="a * 0.5", latency=4, variables=["a"])
        g.scan("running", inputs=[y], out=(z, w), update="acc + a", expr=["acc", "acc * 2"],
               row_length=3, init=[1.0, 2.0])
        g.reduce("total", inputs=[z], out=s, update="acc + dot(a, a)", row_length=3,
                 state_dtype="float64")
        g.sink("kept", inp=s)
        g.sink("dropped", inp=w, keep=False)
    return g


def test_round_trip_keeps_the_graph_and_its_results(tmp_path):
    g = native_graph()
    g.save(tmp_path / "g.json")
    loaded = dfsim.load_graph(tmp_path / "g.json")
    assert loaded.to_dict() == g.to_dict()
    assert loaded.channels == g.channels and loaded.units == g.units
    first, second = g.run(), loaded.run()
    assert first.to_dict()["contexts"] == second.to_dict()["contexts"]
    assert first.to_dict()["channels"] == second.to_dict()["channels"]
    assert np.array_equal(first.outputs["head0.kept"], second.outputs["head0.kept"])
    saved = json.loads((tmp_path / "g.json").read_text())
    assert saved["version"] == 1
    assert [c["name"] for c in saved["channels"]] == ["head0.x", "head0.y", "head0.z", "head0.w",
                                                      "head0.s"]


def test_a_source_reading_a_npy_file_saves_its_path(tmp_path):
    np.save(tmp_path / "values.npy", np.array([3.0, 4.0]))
    g = dfsim.Graph()
    x, y = g.channel("x"), g.channel("y")
    g.source("src", out=x, values=tmp_path / "values.npy")
    g.map("sq", inputs=[x], out=y, expr="a * a")
    g.sink("out", inp=y)
    assert g.run().outputs["out"].tolist() == [9.0, 16.0]
    g.save(tmp_path / "g.json")
    assert dfsim.load_graph(tmp_path / "g.json").run().outputs["out"].tolist() == [9.0, 16.0]


def test_a_graph_with_python_units_cannot_be_saved(tmp_path):
    g = dfsim.Graph()
    x, y = g.channel("x"), g.channel("y")
    g.source("src", out=x, values=np.arange(3.0))
    g.map("py", inputs=[x], out=y, fn=lambda a: a)
    g.sink("out", inp=y)
    with pytest.raises(dfsim.InvalidArgument) as e:
        g.save(tmp_path / "g.json")
    assert str(e.value) == ("node 'py' computes with a foreign step: a graph file holds only "
                            "expressions")
    assert not (tmp_path / "g.json").exists()


def test_load_errors_name_the_place_in_the_file(tmp_path):
    with pytest.raises(dfsim.GraphFileError) as e:
        dfsim.load_graph(tmp_path / "missing.json")
    assert "missing.json" in str(e.value)
    bad = tmp_path / "bad.json"
    bad.write_text('{"version": 1, "channels": [], "nodes": [{"name": "m", "kind": "mapp"}]}')
    with pytest.raises(dfsim.GraphFileError) as e:
        dfsim.load_graph(bad)
    assert str(e.value).startswith("nodes[0].kind: \"mapp\" is not allowed: one of source, map")
    bad.write_text("{not json")
    with pytest.raises(dfsim.GraphFileError, match="not valid JSON"):
        dfsim.load_graph(bad)
    bad.write_text('{"version": 1, "channels": [{"name": "x", "type": "float64", "depth": 3}], '
                   '"nodes": []}')
    with pytest.raises(dfsim.GraphFileError) as e:
        dfsim.load_graph(bad)
    assert str(e.value).startswith("channels[0]: unknown key 'depth' in a channel")
