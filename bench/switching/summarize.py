#!/usr/bin/env python3
"""Median tables (Markdown) from bench_switching's JSON output.

    summarize.py results.json

Reads the 'median' aggregate of every case (run with --benchmark_repetitions=N). Times are
the benchmark thread's CPU time: on a shared, loaded machine wall time counts other work.
"""
import json
import sys


def load(path):
    with open(path) as f:
        data = json.load(f)
    medians = {}
    for b in data["benchmarks"]:
        if b.get("aggregate_name", "median") != "median":
            continue
        medians[b.get("run_name", b["name"])] = b
    return data.get("context", {}), medians


def ns(x):
    return f"{x * 1e9:.1f}" if x is not None else "–"


def size(x):
    if x is None:
        return "–"
    if x >= 10_000:
        return f"{x / 1024:,.0f} KiB"
    return f"{x:,.0f}"


def count(x):
    if x is None:
        return "–"
    return f"{x:,.0f}" if x >= 100 else f"{x:.1f}"


def main():
    ctx, m = load(sys.argv[1])
    get = lambda name, key: m.get(name, {}).get(key)

    base = {c: get(f"coroutine/via_scheduler/C:{c}", "s_per_elem") for c in (1, 8)}
    base_chain = get("coroutine/via_scheduler/chain/N:2000", "s_per_elem")

    print(f"Machine: {ctx.get('num_cpus')} CPUs at {ctx.get('mhz_per_cpu')} MHz, "
          f"load average {ctx.get('load_avg')}; "
          f"{ctx.get('library_build_type', '?')} build of Google Benchmark; "
          f"medians of {next(iter(m.values()), {}).get('repetitions', '?')} repetitions.\n")

    # A switch's marginal cost: C=1 and C=8 move the same elements with 2 and 1/4 switches
    # per element, so the difference in time per element over the difference in switches
    # per element is the cost of one switch, free of the per-element work.
    print("| competitor | C=1 ns/element | C=1 ns/switch | C=8 ns/element | C=8 ns/switch "
          "| marginal ns/switch | chain of 2,000: ns/hop | ratio to coroutine "
          "(C=1 / C=8 / chain) |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for who in ("coroutine/via_scheduler", "coroutine/direct", "fiber/via_scheduler",
                "fiber/direct", "engine/sequential"):
        row = [who]
        ratios = []
        per = {}
        for c in (1, 8):
            e = get(f"{who}/C:{c}", "s_per_elem")
            s = get(f"{who}/C:{c}", "s_per_switch")
            sw = get(f"{who}/C:{c}", "switches")
            el = get(f"{who}/C:{c}", "elements")
            per[c] = (e, sw / el if sw and el else None)
            row += [ns(e), ns(s)]
            ratios.append(f"{e / base[c]:.2f}" if e and base[c] else "–")
        (e1, s1), (e8, s8) = per[1], per[8]
        row.append(ns((e1 - e8) / (s1 - s8)) if None not in (e1, e8, s1, s8) else "–")
        ch = get(f"{who}/chain/N:2000", "s_per_elem")
        row.append(ns(ch))
        ratios.append(f"{ch / base_chain:.2f}" if ch and base_chain else "–")
        row.append(" / ".join(ratios))
        print("| " + " | ".join(row) + " |")
    for c in (1, 8):
        r = get(f"engine/map_unit/C:{c}", "s_per_result")
        if r:
            print(f"\nengine Map unit graph (2 sources, map, sink), C={c}: {ns(r)} ns per result")

    print("\n| 10,000 contexts | frame or stack (B) | heap per context (B) "
          "| resident per context (B) | create, cold (ns/context) | create, warm "
          "| lifecycle, cold (ns/context) | lifecycle, warm |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for who, label in (("coroutine/create_10k", "coroutine"),
                       ("fiber/create_10k/fixedsize/stack:0", "fiber, default fixedsize_stack"),
                       ("fiber/create_10k/fixedsize/stack:16384", "fiber, 16 KiB fixedsize_stack"),
                       ("fiber/create_10k/protected/stack:0", "fiber, protected_fixedsize_stack"),
                       ("engine/create_10k", "engine (Program::add, not started)")):
        if who not in m:
            continue
        print(f"| {label} | {size(get(who, 'frame_B') or get(who, 'stack_B'))} "
              f"| {size(get(who, 'heap_B_per_ctx'))} | {size(get(who, 'rss_B_per_ctx'))} "
              f"| {count(get(who, 'create_cold_ns'))} | {count(get(who, 'create_warm_ns'))} "
              f"| {count(get(who, 'lifecycle_cold_ns'))} "
              f"| {count(get(who, 'lifecycle_warm_ns'))} |")


if __name__ == "__main__":
    main()
