#!/usr/bin/env python3
"""The plots of a `dfsim sdpa-sweep` folder.

    /usr/bin/python3 scripts/plot_sweep.py DIR

Reads DIR/results.json (written by dfsim sdpa-sweep) and draws DIR/memory.png, DIR/cycles.png,
DIR/min_depth.png (against N, every other axis at its first value: the report's base slice),
for a sweep with --depth-curve DIR/depth_curve.png, and for each axis swept over more than one
value one plot of it: causal.png (cycles against N, mask and skip), decode.png (cycles per query
row against B), kv_heads.png (intermediate memory against the K/V heads), lanes.png (cycles
against the lanes), with matplotlib (Agg backend: no display needed). report.md, which links
them, is written by dfsim itself (experiments/src/report.cpp): run the sweep again, or this
script before it, to have them linked. Without matplotlib the exit status is 3 (dfsim
sdpa-sweep turns that into a warning and a report that says the plots are missing).
"""
import json
import os
import sys

EXIT_NO_MATPLOTLIB = 3

VARIANT_STYLE = {  # colour, marker
    "naive": ("tab:red", "o"),
    "naive-stable": ("tab:orange", "s"),
    "reordered": ("tab:blue", "^"),
    "reordered-stable": ("tab:green", "D"),
}


def is_naive(variant):
    return variant.startswith("naive")


def number(row, key):
    v = row.get(key)
    return v if isinstance(v, (int, float)) and not isinstance(v, bool) else None


def series(rows, variant, key):
    """(N, value) pairs of one variant, sorted by N, where the value exists."""
    pts = [(r["n"], number(r, key)) for r in rows if r["variant"] == variant]
    return sorted((n, v) for n, v in pts if v is not None)


# The axes beyond variant and N: (key in the config, key in a row), as report.cpp has them.
AXES = [("precision", "precision"), ("causal", "causal"), ("decode", "decode_rows"),
        ("kv_heads", "kv_heads"), ("lanes", "lanes")]


def axis_values(config, key):
    """An axis' values as the rows hold them (kv_heads 0 stands for the number of heads)."""
    values = config.get(key)
    if values is None:
        return []
    values = values if isinstance(values, list) else [values]
    if key == "kv_heads":
        values = [v or config.get("heads", 1) for v in values]
    return values


def base_rows(rows, config, free=None):
    """The rows with every axis but `free` at its first value."""
    def at_base(r):
        return all(not axis_values(config, ck) or r.get(rk) == axis_values(config, ck)[0]
                   for ck, rk in AXES if ck != free)
    return [r for r in rows if at_base(r)]


def draw_axes(plt, rows, config, variants, outdir):
    """A plot per axis swept over more than one value; the names of those drawn."""
    drawn = {}
    if len(axis_values(config, "causal")) > 1:
        fig, ax = plt.subplots(figsize=(6.4, 4.6))
        slice_ = base_rows(rows, config, "causal")
        for v in variants:
            c, m = VARIANT_STYLE.get(v, ("black", "x"))
            for mode, ls in zip(axis_values(config, "causal"), ("-", "--", ":")):
                pts = series([r for r in slice_ if r.get("causal") == mode], v, "cycles")
                if pts:
                    ax.plot([n for n, _ in pts], [y for _, y in pts], marker=m, color=c, ls=ls,
                            label=f"{v}, causal {mode}")
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xlabel("sequence length N")
        ax.set_ylabel("cycles (preset depths)")
        ax.set_title("Causal masking: mask streams N^2 keys, skip N (N + 1) / 2")
        drawn["causal"] = finish(plt, fig, ax, outdir, "causal.png")
    for key, row_key, xlabel, ylabel, title, measure, logy in [
            ("decode", "decode_rows", "query rows: B decode rows (prefill: N)", "cycles per query row",
             "Decode: cycles per generated token", per_token, False),
            ("kv_heads", "kv_heads", "K/V heads", "intermediate memory (bytes)",
             f"Shared K/V heads ({config.get('heads', 1)} query heads): memory", memory, False),
            ("lanes", "lanes", "lanes L", "cycles (preset depths)", "Parallel lanes: cycles",
             lambda r: number(r, "cycles"), True)]:
        if len(axis_values(config, key)) < 2:
            continue
        slice_ = base_rows(rows, config, key)
        largest = max((r["n"] for r in slice_), default=None)
        fig, ax = plt.subplots(figsize=(6.4, 4.6))
        for v in variants:
            c, m = VARIANT_STYLE.get(v, ("black", "x"))
            # Prefill (decode 0) is N query rows: where it sits on the axis of B.
            pts = sorted(((r[row_key] or r["n"]) if key == "decode" else r[row_key], measure(r))
                         for r in slice_
                         if r["variant"] == v and r["n"] == largest and measure(r) is not None)
            if pts:
                ax.plot([x for x, _ in pts], [y for _, y in pts], marker=m, color=c, label=v)
        if key == "lanes" and largest:
            ls = axis_values(config, "lanes")
            ii = max((number(r, "ii_max") or 1 for r in slice_), default=1)
            ax.plot(ls, [ii * largest * -(-largest // x) for x in ls], color="gray", ls="--",
                    label=f"ideal {ii} N ceil(N / L)")
        if key in ("lanes", "decode"):
            ax.set_xscale("log", base=2)
        if logy:
            ax.set_yscale("log")
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.set_title(f"{title}, N = {largest}")
        drawn[key] = finish(plt, fig, ax, outdir, f"{key}.png")
    return drawn


def per_token(row):
    cycles = number(row, "cycles")
    return None if cycles is None else cycles / (row.get("decode_rows") or row["n"])


def memory(row):
    return number(row, "intermediate_memory_bytes")


def finish(plt, fig, ax, outdir, name):
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(os.path.join(outdir, name), dpi=110)
    plt.close(fig)
    return name


def draw(rows, variants, outdir, config=None):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    config = config or {}
    every_row = rows
    rows = base_rows(rows, config)
    files = draw_axes(plt, every_row, config, variants, outdir)
    # 1. Intermediate memory against N.
    fig, ax = plt.subplots(figsize=(6.4, 4.6))
    ns = sorted({r["n"] for r in rows})
    for v in variants:
        pts = series(rows, v, "intermediate_memory_elements")
        if pts:
            c, m = VARIANT_STYLE.get(v, ("black", "x"))
            ax.plot([n for n, _ in pts], [y for _, y in pts], marker=m, color=c, label=v)
    if ns:
        ax.plot(ns, ns, ls=":", color="gray", label="y = N")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("sequence length N")
    ax.set_ylabel("intermediate memory (elements)")
    ax.set_title("Intermediate memory: every FIFO unbounded, one-cycle preset")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(os.path.join(outdir, "memory.png"), dpi=110)
    plt.close(fig)
    files["memory"] = "memory.png"

    # 2. Cycles against II_max x N^2, and what is left over.
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(11, 4.6))
    ideals = []
    for v in variants:
        pts = [(number(r, "ideal_cycles"), number(r, "cycles")) for r in rows
               if r["variant"] == v]
        pts = sorted((x, y) for x, y in pts if x is not None and y is not None)
        over = series(rows, v, "overhead_cycles")
        c, m = VARIANT_STYLE.get(v, ("black", "x"))
        if pts:
            ideals += [x for x, _ in pts]
            ax.plot([x for x, _ in pts], [y for _, y in pts], marker=m, color=c, ls="none",
                    label=v, alpha=0.8)
        if over:
            ax2.plot([n for n, _ in over], [y for _, y in over], marker=m, color=c, label=v)
    if ideals:
        lo, hi = min(ideals), max(ideals)
        ax.plot([lo, hi], [lo, hi], color="gray", ls="--", label="y = x (full throughput)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("ideal cycles II_max x N^2")
    ax.set_ylabel("simulated cycles")
    ax.set_title("Cycles against the ideal (preset depths)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    ax2.set_xlabel("sequence length N")
    ax2.set_ylabel("cycles - II_max x N^2")
    ax2.set_title("Cycles over the ideal")
    ax2.grid(True, alpha=0.3)
    ax2.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(os.path.join(outdir, "cycles.png"), dpi=110)
    plt.close(fig)
    files["cycles"] = "cycles.png"

    # 3. Minimal depths against N.
    fig, ax = plt.subplots(figsize=(6.4, 4.6))
    any_points = False
    for v in variants:
        key = "min_depth_long" if is_naive(v) else "min_depth_max"
        pts = series(rows, v, key)
        if not pts:
            continue
        any_points = True
        c, m = VARIANT_STYLE.get(v, ("black", "x"))
        label = f"{v}: long FIFO" if is_naive(v) else f"{v}: deepest FIFO"
        size = 11 - 2 * variants.index(v)
        ax.plot([n for n, _ in pts], [y for _, y in pts], marker=m, color=c, ls="none",
                markersize=max(size, 4), markerfacecolor="none", markeredgewidth=1.5, label=label)
        if is_naive(v):
            cmean = sum(y - n for n, y in pts) / len(pts)
            xs = [pts[0][0], pts[-1][0]]
            ax.plot(xs, [x + cmean for x in xs], color=c, ls="--", alpha=0.7,
                    label=f"fit N + {cmean:.1f}")
        else:
            ax.plot([n for n, _ in pts], [y for _, y in pts], color=c, alpha=0.5)
            ax.annotate(f"{v}: {pts[-1][1]}", (pts[-1][0], pts[-1][1]), textcoords="offset points",
                        xytext=(-5, 6 + 12 * variants.index(v) - 24), ha="right", fontsize=8,
                        color=c)
    ax.set_xlabel("sequence length N")
    ax.set_ylabel("minimal depth at full throughput (elements)")
    ax.set_title("Minimal FIFO depth against N")
    ax.grid(True, alpha=0.3)
    if any_points:
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(os.path.join(outdir, "min_depth.png"), dpi=110)
    plt.close(fig)
    files["min_depth"] = "min_depth.png"
    if draw_depth_curves(plt, rows, variants, outdir):
        files["depth_curve"] = "depth_curve.png"
    return files


def draw_depth_curves(plt, rows, variants, outdir):
    """4. Throughput against one FIFO's depth (sweeps with --depth-curve): a panel per variant,
    a line per N; a deadlocked run is a cross at throughput 0."""
    curved = [v for v in variants if any(r["variant"] == v and r.get("depth_curve") for r in rows)]
    if not curved:
        return False
    cols = min(2, len(curved))
    lines = (len(curved) + cols - 1) // cols
    fig, axes = plt.subplots(lines, cols, figsize=(6.4 * cols, 4.2 * lines), squeeze=False)
    for ax, v in zip(axes.flat, curved):
        curves = sorted((r["n"], r["depth_curve"]) for r in rows
                        if r["variant"] == v and r.get("depth_curve"))
        for i, (n, curve) in enumerate(curves):
            points = curve["points"]
            line, = ax.plot([p["depth"] for p in points if p["status"] == "completed"],
                            [p["throughput"] for p in points if p["status"] == "completed"],
                            marker=".", label=f"N = {n}")
            dead = [p["depth"] for p in points if p["status"] != "completed"]
            ax.plot(dead, [0] * len(dead), ls="none", marker="x", color=line.get_color())
        ax.set_title(f"{v}: FIFO {curves[-1][1]['fifo']}", fontsize=10)
        ax.set_xlabel("depth (elements)")
        ax.set_ylabel("throughput (ideal / cycles)")
        ax.set_ylim(-0.05, 1.05)
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=8)
    for ax in list(axes.flat)[len(curved):]:
        ax.set_visible(False)
    fig.suptitle("Throughput against one FIFO's depth (x: deadlock)")
    fig.tight_layout()
    fig.savefig(os.path.join(outdir, "depth_curve.png"), dpi=110)
    plt.close(fig)
    return True


def main(argv):
    args = [a for a in argv[1:] if not a.startswith("--")]
    if len(args) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    outdir = args[0]
    with open(os.path.join(outdir, "results.json")) as f:
        doc = json.load(f)
    rows = doc.get("results", [])
    variants = [v for v in doc.get("config", {}).get("variants", [])
                if any(r["variant"] == v for r in rows)]
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        print("plot_sweep.py: matplotlib is not installed (apt install python3-matplotlib)",
              file=sys.stderr)
        return EXIT_NO_MATPLOTLIB
    draw(rows, variants, outdir, doc.get("config", {}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
