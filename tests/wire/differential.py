#!/usr/bin/env python3
# Differential test: the same scapy-built frames decoded by tapd::wire (JSON) and by tshark.
"""Usage: differential.py WIRE_TOOL [FRAMES] [SEED]

Generates FRAMES (default 3000) frames with gen_frames.frames() and a third as many more with
gen_frames.edge_frames() (802.3/LLC, odd type fields, malformed IPv4 and TCP option lists,
truncated VLAN tags), decodes them with `WIRE_TOOL json FILE` and with `tshark -T fields`, and
asserts that for every layer both decoded they agree on addresses, ports, protocol numbers,
flags, VLAN ids, 802.3 lengths, LLC SAPs and control, fragment fields, lengths and checksum
verdicts; that both decoded the same layers; that tapd::wire reports no field of a layer tshark
did not decode (a key tshark left empty is a disagreement, not a skip); and that a frame tshark
calls malformed in a layer tapd::wire decodes has an error. tshark runs with checksum validation
on and reassembly off, which is what tapd::wire's verdicts mean.

Exit status: 0 pass, 1 fail, 77 skip (meson's skip code) when tshark or scapy is missing,
except that under CI=true a missing tool is a failure.
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

gen_frames.require("tshark")
from scapy.all import wrpcap  # noqa: E402

# (field, layer, kind): our JSON key and tshark's field have the same name.
# kind: int, hex, str, bool, list.
FIELDS = [
    ("eth.src", "eth", "str"),
    ("eth.dst", "eth", "str"),
    ("eth.type", "eth", "hex"),
    ("eth.len", "eth", "int"),
    ("eth.invalid_lentype", "eth", "int"),
    ("vlan.id", "vlan", "list"),
    ("ieee8021ad.id", "vlan", "list"),
    ("vlan.len", "vlan", "int"),
    ("llc.dsap", "llc", "hex"),
    ("llc.ssap", "llc", "hex"),
    ("llc.control", "llc", "hex"),
    ("arp.opcode", "arp", "int"),
    ("arp.src.hw_mac", "arp", "str"),
    ("arp.src.proto_ipv4", "arp", "str"),
    ("arp.dst.hw_mac", "arp", "str"),
    ("arp.dst.proto_ipv4", "arp", "str"),
    ("ip.src", "ip", "str"),
    ("ip.dst", "ip", "str"),
    ("ip.proto", "ip", "int"),
    ("ip.ttl", "ip", "int"),
    ("ip.id", "ip", "hex"),
    ("ip.flags.df", "ip", "bool"),
    ("ip.flags.mf", "ip", "bool"),
    ("ip.frag_offset", "ip", "int"),
    ("ip.hdr_len", "ip", "int"),
    ("ip.len", "ip", "int"),
    ("ip.checksum.status", "ip", "int"),
    ("ipv6.src", "ipv6", "str"),
    ("ipv6.dst", "ipv6", "str"),
    ("ipv6.nxt", "ipv6", "int"),
    ("ipv6.plen", "ipv6", "int"),
    ("ipv6.hlim", "ipv6", "int"),
    ("ipv6.fraghdr.offset", "ipv6", "int"),
    ("ipv6.fraghdr.more", "ipv6", "bool"),
    ("ipv6.fraghdr.ident", "ipv6", "hex"),
    ("tcp.srcport", "tcp", "int"),
    ("tcp.dstport", "tcp", "int"),
    ("tcp.seq_raw", "tcp", "int"),
    ("tcp.ack_raw", "tcp", "int"),
    ("tcp.flags", "tcp", "hex"),
    ("tcp.hdr_len", "tcp", "int"),
    ("tcp.len", "tcp", "int"),
    ("tcp.window_size_value", "tcp", "int"),
    ("tcp.checksum.status", "tcp", "int"),
    ("udp.srcport", "udp", "int"),
    ("udp.dstport", "udp", "int"),
    ("udp.length", "udp", "int"),
    ("udp.checksum.status", "udp", "int"),
    ("icmp.type", "icmp", "int"),
    ("icmp.code", "icmp", "int"),
    ("icmp.checksum.status", "icmp", "int"),
    ("icmpv6.type", "icmpv6", "int"),
    ("icmpv6.code", "icmpv6", "int"),
    ("icmpv6.checksum.status", "icmpv6", "int"),
]
LAYERS = ["eth", "vlan", "llc", "arp", "ip", "ipv6", "tcp", "udp", "icmp", "icmpv6"]
# Where tapd::wire stops: it does not decode what these carry (ICMP errors quote a datagram,
# LLC carries STP, SNAP and others).
TERMINAL = {"llc", "arp", "tcp", "udp", "icmp", "icmpv6"}
# tshark protocol names that are part of a layer we decode, not layers of their own.
ALIASES = {"ieee8021ad": "vlan", "ethertype": None, "ipv6.hopopts": "ipv6",
           "ipv6.routing": "ipv6", "ipv6.fraghdr": "ipv6", "ipv6.dstopts": "ipv6"}
# The layer of each of our JSON keys, by the name before its first dot.
KEY_LAYER = {"ieee8021ad": "vlan"}
ERROR_LAYER = {"eth": "eth", "vlan": "vlan", "llc": "llc", "arp": "arp", "ip": "ip", "ipv6": "ipv6",
               "ipv6.hopopts": "ipv6", "ipv6.routing": "ipv6", "ipv6.fraghdr": "ipv6",
               "ipv6.dstopts": "ipv6", "ah": "ipv6", "tcp": "tcp", "udp": "udp", "icmp": "icmp",
               "icmpv6": "icmpv6"}


def first(v):
    return v.split(",")[0] if v else ""


def convert(kind, v):
    if kind == "list":
        return [int(x, 0) for x in v.split(",")] if v else None
    v = first(v)
    if v == "":
        return None
    if kind == "str":
        return v
    if kind == "bool":
        return {"True": 1, "False": 0}.get(v, None) if not v.isdigit() else int(v)
    return int(v, 0)


def tshark_chain(protocols):
    """The layers tshark decoded that tapd::wire also decodes, in order, up to where we stop."""
    chain = []
    for p in protocols.split(":"):
        p = ALIASES.get(p, p)
        if p is None:
            continue
        if p not in LAYERS:
            break
        if not chain or chain[-1] != p:
            chain.append(p)
        if p in TERMINAL:
            break
    return chain


def main():
    tool = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else int(os.environ.get("WIRE_DIFF_FRAMES", 3000))
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else int(os.environ.get("WIRE_DIFF_SEED", 1))
    tmp = tempfile.mkdtemp(prefix="wire_diff.")
    frames = gen_frames.frames(n, seed) + gen_frames.edge_frames(n // 3, seed)
    n = len(frames)
    try:
        path = os.path.join(tmp, "frames.pcap")
        wrpcap(path, frames)
        cmd = ["tshark", "-n", "-r", path,
               "-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE",
               "-o", "udp.check_checksum:TRUE", "-o", "ip.defragment:FALSE",
               "-o", "ipv6.defragment:FALSE", "-o", "tcp.analyze_sequence_numbers:FALSE",
               "-T", "fields", "-E", "separator=\t", "-E", "occurrence=a", "-E", "aggregator=,",
               "-e", "frame.number", "-e", "frame.protocols", "-e", "_ws.malformed"]
        for field, _, _ in FIELDS:
            cmd += ["-e", field]
        ts = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.splitlines()
        ours = subprocess.run([tool, "json", path], capture_output=True, text=True,
                              check=True).stdout.splitlines()
    finally:
        shutil.rmtree(tmp)
    if len(ts) != n or len(ours) != n:
        print(f"FAIL: expected {n} frames, tshark gave {len(ts)}, tapd::wire {len(ours)}")
        return 1
    failures = []
    compared = 0
    malformed = 0
    for line, js in zip(ts, ours):
        cols = line.split("\t")
        num, protocols, ws_malformed = cols[0], cols[1], cols[2]
        values = cols[3:]
        o = json.loads(js)
        err = o.get("error")
        if err:
            malformed += 1
        expected = tshark_chain(protocols)
        keys = {KEY_LAYER.get(k.split(".")[0], k.split(".")[0]) for k in o}
        have = [l for l in LAYERS if l in keys]
        have = [l for l in expected + [x for x in have if x not in expected] if l in have]
        # A length past the end of the frame is reported but decoding goes on, as in tshark.
        cut = ERROR_LAYER.get(err["layer"]) if err and err["reason"] != "length-exceeds-enclosing" else None
        # Layers both should have: tshark's chain, up to the layer we found malformed.
        want = expected[:expected.index(cut)] if cut in expected else expected
        for layer in want:
            if layer not in have:
                failures.append(f"frame {num}: tshark decoded {layer} ({protocols}), tapd::wire "
                                f"did not{' (error ' + err['text'] + ')' if err else ''}")
        for layer in have:
            if layer not in expected:
                failures.append(f"frame {num}: tapd::wire decoded {layer}, tshark did not "
                                f"({protocols})")
        # Malformed in a layer we decode (not in one past where we stop, such as STP after LLC).
        last = ALIASES.get(protocols.split(":")[-1], protocols.split(":")[-1])
        if ws_malformed and not err and last in expected:
            failures.append(f"frame {num}: tshark says malformed ({protocols}), tapd::wire "
                            f"reported no error")
        for (key, layer, kind), raw in zip(FIELDS, values):
            mine = o.get(key)
            if layer not in want or layer not in have:
                # Never a field of a layer tshark did not decode, nor past a malformed header.
                if mine is not None and layer not in expected:
                    failures.append(f"frame {num}: {key}: tapd::wire {mine!r} in a layer tshark "
                                    f"did not decode ({protocols})")
                continue
            theirs = convert(kind, raw)
            compared += 1
            if theirs != mine:
                failures.append(f"frame {num}: {key}: tshark {theirs!r}, tapd::wire {mine!r} "
                                f"({protocols})")
    print(f"{n} frames, {compared} field comparisons, {malformed} frames tapd::wire called "
          f"malformed, {len(failures)} disagreements")
    for f in failures[:40]:
        print("  " + f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
