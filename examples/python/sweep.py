import tempfile

import dfsim

out = tempfile.mkdtemp()  # results.json, results.csv and report.md go here
table = dfsim.sdpa.sweep(["naive", "reordered-stable"], [64, 128], out=out, plots=False)
print(table.attrs["status"], out)
print(table.pivot(index="n", columns="variant", values="cycles"))
print(table[["variant", "n", "min_depth_long", "intermediate_memory_elements"]])
