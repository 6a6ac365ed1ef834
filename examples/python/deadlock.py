import dfsim

try:
    dfsim.sdpa.simulate(variant="naive", n=64, depths={"long": 8})
except dfsim.Deadlock as e:
    print(e)  # the engine's report, one line per blocked context
    qk = next(b for b in e.blocked if b["context"] == "qk")
    assert (qk["channel"], qk["channel_state"]) == ("long", "full (8 of 8)")
    print("measured before it stopped:", e.result.cycles, "cycles")

r = dfsim.sdpa.simulate(variant="naive", n=64, depths={"long": 8}, raise_on_deadlock=False)
print(r.status, r.rows_out)  # deadlock [0]: no output row reached the sink
