import numpy as np

import dfsim

# A graph of native units only is data: save it, load it, or run it with `dfsim run`.
g = dfsim.Graph()
x = g.channel("x", capacity=4)
m = g.channel("m", capacity=4)
g.source("src", out=x, values=np.linspace(0, 1, 8))
g.reduce("row_max", inputs=[x], out=m, update="max(acc, a)", init=-1e300, row_length=4,
         latency=2)
g.sink("out", inp=m)
g.save("rowmax.json")

again = dfsim.load_graph("rowmax.json")
assert again.run().outputs["out"].tolist() == g.run().outputs["out"].tolist()
print(open("rowmax.json").read())
