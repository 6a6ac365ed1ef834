#!/usr/bin/env python3
"""Plots and a Markdown report for a `dfsim sdpa-sweep` folder.

    /usr/bin/python3 scripts/plot_sweep.py DIR [--no-plots]

Reads DIR/results.json (written by dfsim sdpa-sweep), draws DIR/memory.png, DIR/cycles.png and
DIR/min_depth.png with matplotlib (Agg backend: no display needed), and writes DIR/report.md with
the plots, a table and conclusions computed from the data. The analysis is plain Python; only
the drawing needs matplotlib. Without matplotlib the report is still written, without plots, and
the exit status is 3 (dfsim sdpa-sweep turns that into a warning).
"""
import json
import math
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


def linear_fit(pts):
    """Least-squares y = a x + b; returns (a, b, max |residual|), or None with < 2 points."""
    if len(pts) < 2:
        return None
    n = len(pts)
    mx = sum(x for x, _ in pts) / n
    my = sum(y for _, y in pts) / n
    sxx = sum((x - mx) ** 2 for x, _ in pts)
    if sxx == 0:
        return None
    a = sum((x - mx) * (y - my) for x, y in pts) / sxx
    b = my - a * mx
    return a, b, max(abs(y - (a * x + b)) for x, y in pts)


def loglog_slope(pts):
    pos = [(math.log(x), math.log(y)) for x, y in pts if x > 0 and y > 0]
    fit = linear_fit(pos)
    return fit[0] if fit else None


def fmt_num(v, digits=4):
    if v is None:
        return "-"
    if isinstance(v, float):
        if v == 0:
            return "0"
        if abs(v) >= 1e5 or abs(v) < 1e-3:
            return f"{v:.2e}"
        return f"{v:.{digits}g}"
    return str(v)


def growth_words(pts):
    """How a quantity changes with N, in words, from the data."""
    if len(pts) < 2:
        return "only one size measured"
    (n0, y0), (n1, y1) = pts[0], pts[-1]
    lo, hi = min(y for _, y in pts), max(y for _, y in pts)
    if lo == hi:
        return f"constant at {fmt_num(lo)} for every N from {n0} to {n1}"
    slope = loglog_slope(pts)
    fit = linear_fit(pts)
    text = (f"{fmt_num(y0)} at N = {n0} to {fmt_num(y1)} at N = {n1} "
            f"(x{y1 / y0:.2f} for x{n1 / n0:.2f} in N; log-log slope {slope:.2f}")
    if fit:
        text += f"; fit {fit[0]:.3f} N {'+' if fit[1] >= 0 else '-'} {abs(fit[1]):.1f}"
    text += ")"
    if slope is not None and slope > 0.8:
        return "grows linearly with N: " + text
    if hi - lo <= 0.1 * hi:
        return "is nearly constant: " + text
    return "grows sub-linearly: " + text


def conclusions(rows, variants):
    out = {"memory": [], "cycles": [], "depth": [], "other": []}
    # 1. Intermediate memory, every FIFO unbounded, unit preset.
    for v in variants:
        pts = series(rows, v, "intermediate_memory_elements")
        if pts:
            out["memory"].append(f"**{v}**: intermediate memory {growth_words(pts)}.")
    # 2. Cycles against the ideal.
    all_tp = [number(r, "throughput") for r in rows if number(r, "throughput") is not None]
    for v in variants:
        over = series(rows, v, "overhead_cycles")
        tps = series(rows, v, "throughput")
        if not over:
            continue
        fit = linear_fit(over)
        line = (f"**{v}**: cycles - II_max N^2 is {', '.join(str(int(y)) for _, y in over)} "
                f"at N = {', '.join(str(n) for n, _ in over)}")
        ys = [y for _, y in over]
        if max(ys) - min(ys) <= max(2, 0.05 * max(abs(y) for y in ys)):
            line += ": constant in N, the pipeline's fill and drain only"
        elif fit:
            line += (f": a fit {fit[0]:.2f} N {'+' if fit[1] >= 0 else '-'} {abs(fit[1]):.1f} "
                     f"(largest residual {fit[2]:.1f} cycles)")
            if fit[2] <= 0.05 * max(abs(y) for y in ys) + 2:
                ii = [number(r, "ii_max") for r in rows if r["variant"] == v][0] or 1
                line += (f", O(N): {fit[0] / ii:.2f} x II_max x N, the time of about "
                         f"{fit[0] / ii:.1f} row(s) of N elements before the first output")
        line += (f"; throughput {min(t for _, t in tps):.4f} to {max(t for _, t in tps):.4f} "
                 "of full.")
        out["cycles"].append(line)
    if all_tp:
        worst = min(all_tp)
        out["cycles"].append(
            f"Lowest throughput of any run: {worst:.4f} of full"
            + (" - every run is within 5% of II_max N^2." if worst >= 0.95 else "."))
    # 3. Minimal depths.
    for v in variants:
        if is_naive(v):
            pts = series(rows, v, "min_depth_long")
            if not pts:
                continue
            cs = [d - n for n, d in pts]
            fit = linear_fit(pts)
            line = (f"**{v}**: the minimal long-FIFO depth is "
                    f"{', '.join(f'{d} (N + {d - n})' for n, d in pts)}")
            if fit:
                line += f"; fit {fit[0]:.3f} N {'+' if fit[1] >= 0 else '-'} {abs(fit[1]):.1f}"
            line += (f": N + c with c = {min(cs)}" if min(cs) == max(cs)
                     else f": N + c with c from {min(cs)} to {max(cs)}") + "."
            out["depth"].append(line)
        else:
            pts = series(rows, v, "min_depth_max")
            if pts:
                out["depth"].append(
                    f"**{v}**: the largest minimal depth of any FIFO {growth_words(pts)}.")
    # 4. The preset's depths against unbounded FIFOs (docs/sdpa.md: for the reordered graphs the
    # constant depths must cost no cycle at all).
    for v in variants:
        pairs = [(r["n"], number(r, "cycles"), number(r, "unbounded_cycles"))
                 for r in rows if r["variant"] == v]
        pairs = [(n, a, b) for n, a, b in pairs if a is not None and b is not None]
        if pairs:
            same = all(a == b for _, a, b in pairs)
            out["other"].append(
                f"**{v}**: with the preset's {'constant ' if not is_naive(v) else ''}FIFO "
                "depths the run takes "
                + ("exactly the cycles of the all-unbounded run at every N."
                   if same else "different cycles from the unbounded run: "
                   + ", ".join(f"N = {n}: {a} vs {b}" for n, a, b in pairs if a != b) + "."))
    errors = [number(r, "max_abs_error") for r in rows]
    errors = [e for e in errors if e is not None and math.isfinite(e)]
    if errors:
        out["other"].append(f"Largest |output - fp64 reference| over all runs: {max(errors):.3g}.")
    bad = [f"{r['variant']} N = {r['n']}: {r.get('status')}" for r in rows
           if r.get("status") not in ("completed", None)]
    if bad:
        out["other"].append("Runs that did not complete cleanly: " + "; ".join(bad) + ".")
    return out


def draw(rows, variants, outdir):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    files = {}
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
    ax.set_title("Intermediate memory: every FIFO unbounded, unit preset")
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
    return files


def table(rows):
    head = ("| variant | N | II_max | cycles | ideal | throughput | memory (elements) | "
            "memory (bytes) | long-FIFO peak | min long depth | deepest min depth | "
            "max abs error | status |")
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for r in rows:
        lines.append("| " + " | ".join(fmt_num(x) for x in [
            r["variant"], r["n"], r.get("ii_max"), r.get("cycles"), r.get("ideal_cycles"),
            number(r, "throughput"), r.get("intermediate_memory_elements"),
            r.get("intermediate_memory_bytes"), r.get("long_fifo_peak"), r.get("min_depth_long"),
            r.get("min_depth_max"), number(r, "max_abs_error"), r.get("status")]) + " |")
    return "\n".join(lines)


def report(doc, files, why_no_plots):
    cfg = doc.get("config", {})
    rows = doc.get("results", [])
    variants = [v for v in cfg.get("variants", []) if any(r["variant"] == v for r in rows)]
    c = conclusions(rows, variants)

    def image(key, alt):
        if key in files:
            return f"![{alt}]({files[key]})\n"
        return f"*(plot not drawn: {why_no_plots})*\n"

    def bullets(items):
        return "\n".join(f"- {x}" for x in items) + "\n" if items else "- (no data)\n"

    md = ["# Scaled dot-product attention on streaming dataflow: sweep report\n"]
    md.append(
        f"Variants {', '.join(variants)}; N = {', '.join(str(n) for n in cfg.get('n', []))}; "
        f"d = {cfg.get('d')}; {cfg.get('precision')}; timing preset `{cfg.get('preset')}` for "
        f"the depth runs; random Q, K, V uniform in [-1, 1) from seed {cfg.get('seed')}. "
        f"Sweep status: {doc.get('status')}"
        + (f", {doc['wall_seconds']:.1f} s of wall time." if "wall_seconds" in doc else ".") + "\n")
    md.append(
        "Every number below was measured by the simulator (`results.csv`, `results.json`); the "
        "sentences are generated from those numbers by `scripts/plot_sweep.py`. Each (variant, N) "
        "point is three runs: (1) the preset's FIFO depths, which give the cycles, the throughput "
        "and the error; (2) every FIFO unbounded with the `unit` preset (every unit at the same "
        "rate), whose peak occupancies give the intermediate memory; (3) a search for each FIFO's "
        "smallest depth that keeps the cycles of the unbounded run at the preset's timing.\n")
    md.append("## 1. Intermediate memory against N\n")
    md.append(image("memory", "intermediate memory against N"))
    md.append(
        "\nIntermediate memory is the sum over the FIFOs between units of their peak occupancy "
        "(Q, K and V memories excluded). With every FIFO unbounded and every unit at the same "
        "rate, a FIFO holds what the graph forces it to hold. Both axes are logarithmic: a line "
        "parallel to the dotted y = N grows linearly; a flat line is O(1).\n")
    md.append(bullets(c["memory"]))
    md.append("\n## 2. Cycles against II_max x N^2\n")
    md.append(image("cycles", "cycles against the ideal"))
    md.append(
        "\nLeft: each run's cycles against the ideal II_max x N^2 (the slowest unit's initiation "
        "interval times the N^2 score elements). Points on the dashed y = x line are at full "
        "throughput. Right: cycles minus the ideal, the time the pipeline takes to fill and "
        "drain. A flat line is a constant fill; a straight rising line is a fill of O(N), e.g. "
        "a graph that must see a whole row before its first output. Either way the extra is "
        "o(N^2), so the throughput tends to 1 as N grows.\n")
    md.append(bullets(c["cycles"]))
    md.append("\n## 3. Minimal FIFO depth against N\n")
    md.append(image("min_depth", "minimal depth against N"))
    md.append(
        "\nFor the naive graphs: the smallest depth of the long FIFO(s) for which the run takes "
        "as many cycles as with unbounded FIFOs, with the fitted line N + c. Shallower deadlocks "
        "or slows down. For the reordered graphs: the largest minimal depth over all their "
        "FIFOs, which should not depend on N.\n")
    md.append(bullets(c["depth"]))
    md.append("\n## Other checks\n")
    md.append(bullets(c["other"]))
    md.append("\n## Results\n")
    md.append(table(rows) + "\n")
    md.append(
        "\nColumns: memory is run (2)'s intermediate memory; long-FIFO peak is its largest peak "
        "occupancy of a naive long FIFO; min long depth and deepest min depth come from run (3). "
        "Every column of results.csv is explained in docs/outputs.md.\n")
    return "\n".join(md)


def main(argv):
    args = [a for a in argv[1:] if not a.startswith("--")]
    no_plots = "--no-plots" in argv[1:]
    if len(args) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    outdir = args[0]
    with open(os.path.join(outdir, "results.json")) as f:
        doc = json.load(f)
    rows = doc.get("results", [])
    variants = [v for v in doc.get("config", {}).get("variants", [])
                if any(r["variant"] == v for r in rows)]
    files, why, status = {}, "", 0
    if no_plots:
        why = "--no-plots"
    else:
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            why = "matplotlib is not installed (apt install python3-matplotlib)"
            print(f"plot_sweep.py: {why}; writing the report without plots", file=sys.stderr)
            status = EXIT_NO_MATPLOTLIB
        else:
            files = draw(rows, variants, outdir)
    text = report(doc, files, why)
    tmp = os.path.join(outdir, "report.md.tmp")
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, os.path.join(outdir, "report.md"))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv))
