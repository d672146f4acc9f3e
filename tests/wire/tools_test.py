#!/usr/bin/env python3
# Checks that tcpdump and tshark read the pcap/pcapng files tapd::wire writes, and that
# tapd::wire's one-line summaries match tcpdump -nS line for line on well-formed frames.
"""Usage: tools_test.py WIRE_TOOL [FRAMES]

Exit status: 0 pass, 1 fail, 77 skip when tcpdump, tshark or scapy is missing (a failure under
CI=true).
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gen_frames  # noqa: E402

gen_frames.require("tcpdump", "tshark")
from scapy.all import wrpcap  # noqa: E402


def run(cmd, **kw):
    env = dict(os.environ, TZ="UTC")
    return subprocess.run(cmd, capture_output=True, text=True, env=env, **kw)


def main():
    tool = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    failures = []
    tmp = tempfile.mkdtemp(prefix="wire_tools.")
    try:
        src = os.path.join(tmp, "scapy.pcap")
        wrpcap(src, gen_frames.frames(n, 5))
        ref = run(["tshark", "-r", src, "-T", "fields", "-e", "frame.time_epoch", "-e",
                   "frame.len", "-e", "frame.cap_len"], check=True).stdout.splitlines()
        outputs = {}
        for name in ("us.pcap", "ns-ns.pcap", "us.pcapng", "ns-ns.pcapng"):
            out = os.path.join(tmp, name)
            r = run([tool, "convert", src, out])
            if r.returncode != 0:
                failures.append(f"convert to {name}: {r.stderr.strip()}")
                continue
            outputs[name] = out
            td = run(["tcpdump", "-n", "-r", out])
            if td.returncode != 0 or len(td.stdout.splitlines()) != n:
                failures.append(f"tcpdump -r {name}: exit {td.returncode}, "
                                f"{len(td.stdout.splitlines())} lines: {td.stderr.strip()}")
            ts = run(["tshark", "-r", out, "-T", "fields", "-e", "frame.time_epoch", "-e",
                      "frame.len", "-e", "frame.cap_len"])
            if ts.returncode != 0 or ts.stdout.splitlines() != ref:
                got = ts.stdout.splitlines()
                first = next((i for i, (a, b) in enumerate(zip(ref, got)) if a != b), None)
                failures.append(f"tshark -r {name}: exit {ts.returncode}, {len(got)} frames, "
                                f"first difference at frame {first}: {ts.stderr.strip()[:200]}")
        pcap = outputs.get("us.pcap")
        if pcap:
            theirs = run(["tcpdump", "-nS", "-r", pcap], check=True).stdout.splitlines()
            ours = run([tool, "summary", pcap], check=True).stdout.splitlines()
            verdicts = [json.loads(l) for l in run([tool, "json", pcap], check=True).stdout.splitlines()]
            compared = 0
            for i, (t, o, v) in enumerate(zip(theirs, ours, verdicts), 1):
                # tcpdump's "truncated-ip" wording and protocols tapd does not decode differ by
                # design; everything else must match to the byte.
                if "error" in v or "ip-proto-" in o:
                    continue
                compared += 1
                if t != o:
                    failures.append(f"frame {i} summary:\n    tcpdump: {t}\n    tapd:    {o}")
            print(f"{compared} of {n} summaries compared with tcpdump -nS")
            if compared < n * 0.8:
                failures.append(f"only {compared} of {n} frames were comparable")
    finally:
        shutil.rmtree(tmp)
    for f in failures[:30]:
        print("FAIL: " + f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
