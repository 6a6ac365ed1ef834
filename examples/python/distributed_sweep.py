import tempfile

import dfsim

# The local cluster's worker processes import this file again: only the main one sweeps.
if __name__ == "__main__":
    out = tempfile.mkdtemp()  # results.json, results.csv and report.md go here
    table = dfsim.sdpa.sweep(["naive", "reordered"], [32, 64], out=out, plots=False,
                             client="local", workers=2)
    print(table.attrs["status"], table.attrs["points_run"], "points run, in", out)
    print(table.pivot(index="n", columns="variant", values="cycles"))
