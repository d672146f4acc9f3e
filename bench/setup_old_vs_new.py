#!/usr/bin/env python3
"""setup_bench of two builds in one run, old and new: each round runs OLD_BUILD's and NEW_BUILD's
bench/setup_bench (ROUNDS_PER_RUN rounds each, TAPD_PROFILE=1), the order swapped every round so
that neither build always runs on a warmer or a busier machine; then per row the median of the
runs' medians, their spread (min-max) and new/old, as a Markdown table.

Usage (root): bench/setup_old_vs_new.py OLD_BUILD NEW_BUILD [RUNS] [ROUNDS_PER_RUN]
(defaults: 5 runs of 12 rounds)
"""
import os
import re
import statistics
import subprocess
import sys

ROWS = ("CreateTap (one D-Bus call)", "DeleteTap (one D-Bus call)", "tapctl create (process)",
        "tapctl delete (process)", "D-Bus floor: ListTaps (one call)",
        "warm: CreateTap back to back")


def run(build, rounds):
    env = dict(os.environ, TAPD_PROFILE="1")
    out = subprocess.run([f"{build}/bench/setup_bench", str(rounds)], check=True,
                         capture_output=True, text=True, env=env).stdout
    rows = {}
    for line in out.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 2 and cells[0] in ROWS:
            rows[cells[0]] = float(cells[1])
        m = re.match(r"tapd profile, (\w+) .*total ([0-9.]+) ms", line)
        if m:
            rows[f"tapd's own work: {m.group(1)} (profile total)"] = float(m.group(2))
    return rows


def main():
    old, new = sys.argv[1], sys.argv[2]
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    rounds = int(sys.argv[4]) if len(sys.argv) > 4 else 12
    got = {old: [], new: []}
    for i in range(runs):
        order = (old, new) if i % 2 == 0 else (new, old)
        for build in order:
            got[build].append(run(build, rounds))
            print(f"run {i + 1}/{runs} {build} done", file=sys.stderr)
    print(f"| operation (ms) | old median | old min-max | new median | new min-max | new/old |")
    print("|---|---:|---:|---:|---:|---:|")
    for row in got[old][0]:
        o = [r[row] for r in got[old] if row in r]
        n = [r[row] for r in got[new] if row in r]
        if not o or not n:
            continue
        mo, mn = statistics.median(o), statistics.median(n)
        print(f"| {row} | {mo:.3f} | {min(o):.3f}-{max(o):.3f} | {mn:.3f} | "
              f"{min(n):.3f}-{max(n):.3f} | {mn / mo:.2f} |")
    print(f"\n{runs} runs of {rounds} rounds each, alternating")


if __name__ == "__main__":
    main()
