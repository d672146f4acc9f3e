#!/usr/bin/env python3
"""Two builds in one run, old and new: the decode benchmarks (wire_decode_bench), or with --read
CAPTURE the whole program printing CAPTURE (read_file: one-line summaries, --json, -v). Each
round runs OLD_BUILD and NEW_BUILD in turn, the order swapped every round so that neither build
always runs on a warmer or a busier machine; then per row the median of the rounds, their
spread (min-max) and new/old of the medians, as a Markdown table.

Usage: bench/wire/old_vs_new.py OLD_BUILD NEW_BUILD [ROUNDS] [--filter REGEX] [--read CAPTURE]
(defaults: 7 rounds; the minimal parse and tapd::wire's rows of the decode benchmark)
"""
import argparse
import json
import statistics
import subprocess
import sys
import time


def decode_rows(build, flt):
    out = subprocess.run(
        [f"{build}/bench/wire/wire_decode_bench", f"--benchmark_filter={flt}",
         "--benchmark_format=json"],
        check=True, capture_output=True, text=True).stdout
    return {b["name"]: b["ns_per_frame"] for b in json.loads(out)["benchmarks"]}


def read_rows(build, capture):
    rows = {}
    for name, flags in (("read_file", []), ("read_file --json", ["--json"]),
                        ("read_file -v", ["-v"])):
        start = time.perf_counter()
        subprocess.run([f"{build}/bench/wire/read_file", *flags, capture], check=True,
                       stdout=subprocess.DEVNULL)
        rows[name] = (time.perf_counter() - start) * 1000
    return rows


def main():
    p = argparse.ArgumentParser(usage=__doc__)
    p.add_argument("old")
    p.add_argument("new")
    p.add_argument("rounds", nargs="?", type=int, default=7)
    p.add_argument("--filter", default="Minimal|TapdWire|TapdHeaders")
    p.add_argument("--read", metavar="CAPTURE")
    a = p.parse_args()
    measure = (lambda b: read_rows(b, a.read)) if a.read else (lambda b: decode_rows(b, a.filter))
    unit = "ms" if a.read else "ns/frame"
    results = {a.old: [], a.new: []}
    for r in range(a.rounds):
        for build in (a.old, a.new) if r % 2 == 0 else (a.new, a.old):
            results[build].append(measure(build))
        print(f"round {r + 1}/{a.rounds} done", file=sys.stderr)
    print(f"| {a.rounds} rounds, {unit} | old: median (min-max) | new: median (min-max) "
          "| new/old |")
    print("|---|---:|---:|---:|")
    for name in results[a.old][0]:
        cells, medians = [], []
        for build in (a.old, a.new):
            v = [x[name] for x in results[build]]
            medians.append(statistics.median(v))
            cells.append(f"{medians[-1]:.2f} ({min(v):.2f}-{max(v):.2f})")
        print(f"| {name} | {cells[0]} | {cells[1]} | {medians[1] / medians[0]:.3f} |")


if __name__ == "__main__":
    main()
