# Random but reproducible Ethernet frames of every kind tapd::wire decodes, built with scapy.
"""Frame generator for the differential and tool tests.

frames(n, seed) returns a list of scapy packets (or raw bytes wrapped in Ether for deliberately
cut frames): ARP, IPv4 (options, DF/MF, fragments), IPv6 (hop-by-hop, routing, fragment,
destination options), TCP (flags and options), UDP (including zero checksums), ICMP and ICMPv6
(echo, errors, NDP with options), under 0-2 VLAN tags, some with bad checksums, some cut short.
Ports stay in 30000-39999 so tcpdump prints no application-layer decode.

edge_frames(n, seed) returns frames at the edges of what a decoder must refuse or tell apart:
IEEE 802.3 frames (a length where the EtherType goes) with LLC (STP, SNAP, I/S/U control
fields, Novell raw), lengths shorter or longer than the payload, values 1501-1535 and 0 in the
type field, IPv4 and TCP option lists with malformed lengths, and truncated VLAN tags.
"""
import os
import random
import shutil
import sys

try:
    from scapy.all import (ARP, ICMP, IP, STP, TCP, UDP, Dot1AD, Dot1Q, Ether, ICMPv6DestUnreach,
                           ICMPv6EchoReply, ICMPv6EchoRequest, ICMPv6ND_NA, ICMPv6ND_NS,
                           ICMPv6ND_RA, ICMPv6ND_RS, ICMPv6NDOptDstLLAddr, ICMPv6NDOptMTU,
                           ICMPv6NDOptPrefixInfo, ICMPv6NDOptSrcLLAddr, ICMPv6PacketTooBig,
                           ICMPv6TimeExceeded, IPOption_RR, IPOption_Router_Alert, IPv6,
                           IPv6ExtHdrDestOpt, IPv6ExtHdrFragment, IPv6ExtHdrHopByHop,
                           IPv6ExtHdrRouting, Raw, checksum, conf, in4_chksum)
    conf.verb = 0
    _scapy_error = None
except ImportError as e:
    _scapy_error = e


def _missing(what):
    if os.environ.get("CI") == "true":
        print(f"FAIL: {what} is required under CI=true but missing")
        sys.exit(1)
    print(f"SKIP: {what} is missing")
    sys.exit(77)


def require(*tools):
    """Exits unless scapy and every program in TOOLS are there: 77 (meson's skip code), or 1
    (a failure) under CI=true."""
    if _scapy_error:
        _missing(f"python3-scapy ({_scapy_error})")
    for tool in tools:
        if not shutil.which(tool):
            _missing(tool)


def _mac(r):
    return "02:%02x:%02x:%02x:%02x:%02x" % tuple(r.randrange(256) for _ in range(5))


def _ip4(r):
    return "%d.%d.%d.%d" % (r.choice([10, 172, 192, 198, 203]), r.randrange(256),
                            r.randrange(256), r.randrange(1, 255))


def _ip6(r):
    # Random 2001:db8::/32 and fe80::/64 addresses; never IPv4-compatible forms.
    if r.random() < 0.3:
        return "fe80::%x:%x" % (r.randrange(1, 0xffff), r.randrange(1, 0xffff))
    return "2001:db8:%x:%x::%x:%x" % (r.randrange(0xffff), r.randrange(0xffff),
                                      r.randrange(1, 0xffff), r.randrange(0xffff))


def _port(r):
    return r.randrange(30000, 40000)


def _payload(r, lo=0, hi=64):
    return bytes(r.randrange(256) for _ in range(r.randrange(lo, hi)))


def _tcp(r):
    flags = r.randrange(0, 0x200)
    opts = []
    if r.random() < 0.5:
        choices = [("MSS", r.randrange(536, 9000)), ("WScale", r.randrange(15)),
                   ("SAckOK", b""), ("Timestamp", (r.randrange(2**32), r.randrange(2**32))),
                   ("NOP", None)]
        opts = r.sample(choices, r.randrange(1, 4))
    if r.random() < 0.1:
        opts = [("NOP", None), ("NOP", None),
                ("SAck", tuple(r.randrange(2**32) for _ in range(2 * r.randrange(1, 4))))]
    kw = dict(sport=_port(r), dport=_port(r), seq=r.randrange(2**32), ack=r.randrange(2**32),
              flags=flags, window=r.randrange(65536), options=opts)
    if r.random() < 0.15:
        kw["chksum"] = r.randrange(65536)
    return TCP(**kw) / _payload(r)


def _udp(r):
    kw = dict(sport=_port(r), dport=_port(r))
    x = r.random()
    if x < 0.1:
        kw["chksum"] = 0
    elif x < 0.2:
        kw["chksum"] = r.randrange(1, 65536)
    return UDP(**kw) / _payload(r)


def _icmp4(r, src, dst):
    x = r.random()
    if x < 0.5:
        m = ICMP(type=r.choice([0, 8]), id=r.randrange(65536), seq=r.randrange(65536)) / _payload(r)
    elif x < 0.8:
        inner = IP(src=dst, dst=src) / UDP(sport=_port(r), dport=_port(r))
        m = ICMP(type=3, code=r.choice([0, 1, 3, 4, 13])) / inner
    else:
        m = ICMP(type=11, code=r.randrange(2)) / IP(src=dst, dst=src) / TCP(sport=_port(r), dport=_port(r))
    if r.random() < 0.1:
        m.chksum = r.randrange(65536)
    return m


def _icmp6(r, src, dst):
    x = r.random()
    if x < 0.3:
        cls = r.choice([ICMPv6EchoRequest, ICMPv6EchoReply])
        m = cls(id=r.randrange(65536), seq=r.randrange(65536), data=_payload(r))
    elif x < 0.45:
        m = ICMPv6ND_NS(tgt=_ip6(r)) / ICMPv6NDOptSrcLLAddr(lladdr=_mac(r))
    elif x < 0.6:
        m = ICMPv6ND_NA(tgt=_ip6(r), R=r.randrange(2), S=r.randrange(2), O=r.randrange(2)) / \
            ICMPv6NDOptDstLLAddr(lladdr=_mac(r))
    elif x < 0.65:
        m = ICMPv6ND_RS() / ICMPv6NDOptSrcLLAddr(lladdr=_mac(r))
    elif x < 0.75:
        m = ICMPv6ND_RA(chlim=64, routerlifetime=r.randrange(65536)) / \
            ICMPv6NDOptSrcLLAddr(lladdr=_mac(r)) / ICMPv6NDOptMTU(mtu=1500) / \
            ICMPv6NDOptPrefixInfo(prefix="2001:db8:%x::" % r.randrange(0xffff), prefixlen=64)
    elif x < 0.85:
        m = ICMPv6DestUnreach(code=r.choice([0, 1, 3, 4])) / IPv6(src=dst, dst=src) / \
            UDP(sport=_port(r), dport=_port(r))
    elif x < 0.93:
        m = ICMPv6PacketTooBig(mtu=1280) / IPv6(src=dst, dst=src) / UDP(sport=_port(r), dport=_port(r))
    else:
        m = ICMPv6TimeExceeded(code=0) / IPv6(src=dst, dst=src) / UDP(sport=_port(r), dport=_port(r))
    if r.random() < 0.1:
        m.cksum = r.randrange(65536)
    return m


def _ipv4(r):
    src, dst = _ip4(r), _ip4(r)
    kw = dict(src=src, dst=dst, ttl=r.randrange(1, 256), id=r.randrange(65536),
              tos=r.randrange(256))
    if r.random() < 0.2:
        kw["options"] = [r.choice([IPOption_Router_Alert(), IPOption_RR(routers=[_ip4(r)])])]
    x = r.random()
    if x < 0.1:  # a later fragment: no upper-layer header
        kw.update(frag=r.randrange(1, 8000), flags=r.choice(["MF", 0]), proto=r.choice([6, 17, 1]))
        return IP(**kw) / _payload(r, 8, 64)
    if x < 0.2:  # a first fragment
        kw["flags"] = "MF"
    elif r.random() < 0.5:
        kw["flags"] = "DF"
    if r.random() < 0.1:
        kw["chksum"] = r.randrange(65536)
    upper = r.random()
    if upper < 0.4:
        return IP(**kw) / _tcp(r)
    if upper < 0.75:
        return IP(**kw) / _udp(r)
    if upper < 0.95:
        return IP(**kw) / _icmp4(r, src, dst)
    kw["proto"] = r.choice([47, 132, 253])
    return IP(**kw) / _payload(r, 4, 40)


def _ipv6(r):
    src, dst = _ip6(r), _ip6(r)
    p = IPv6(src=src, dst=dst, hlim=r.randrange(256), tc=r.randrange(256), fl=r.randrange(1 << 20))
    ext = []
    if r.random() < 0.3:
        ext.append(IPv6ExtHdrHopByHop())
    if r.random() < 0.15:
        ext.append(IPv6ExtHdrRouting(addresses=[_ip6(r)]))
    if r.random() < 0.15:
        ext.append(IPv6ExtHdrDestOpt())
    frag = None
    if r.random() < 0.15:
        off = 0 if r.random() < 0.5 else r.randrange(1, 8000)
        frag = IPv6ExtHdrFragment(id=r.randrange(2**32), offset=off, m=r.randrange(2))
    upper = r.random()
    if upper < 0.35:
        l4 = _tcp(r)
    elif upper < 0.7:
        l4 = _udp(r)
    else:
        l4 = _icmp6(r, src, dst)
    for e in ext:
        p = p / e
    if frag is not None:
        if frag.offset:
            frag.nh = r.choice([6, 17, 58])
            return p / frag / _payload(r, 8, 64)
        p = p / frag
    return p / l4


def _arp(r):
    return ARP(op=r.choice([1, 2]), hwsrc=_mac(r), psrc=_ip4(r),
               hwdst=r.choice(["00:00:00:00:00:00", _mac(r)]), pdst=_ip4(r))


def frames(n, seed=1):
    r = random.Random(seed)
    out = []
    for _ in range(n):
        eth = Ether(src=_mac(r), dst=r.choice([_mac(r), "ff:ff:ff:ff:ff:ff", "33:33:00:00:00:01"]))
        tags = r.choices([0, 1, 2], weights=[7, 2, 1])[0]
        head = eth
        if tags == 1:
            head = head / Dot1Q(vlan=r.randrange(4096), prio=r.randrange(8))
        elif tags == 2:
            head = head / Dot1AD(vlan=r.randrange(4096)) / Dot1Q(vlan=r.randrange(4096))
        kind = r.random()
        if kind < 0.1:
            p = head / _arp(r)
        elif kind < 0.55:
            p = head / _ipv4(r)
        else:
            p = head / _ipv6(r)
        if r.random() < 0.05:
            raw = bytes(p)
            p = Ether(raw[:r.randrange(14, len(raw))])  # cut short, as a small snaplen would
        out.append(p)
    return out


# --- Edge cases (edge_frames) ---------------------------------------------------------------

def _eth_head(r, dst=None):
    """Ethernet addresses as bytes, then 0-1 VLAN tags whose TPIDs the caller's type follows."""
    dst = dst or r.choice([_mac(r), "01:80:c2:00:00:00", "ff:ff:ff:ff:ff:ff"])
    return bytes(Ether(dst=dst, src=_mac(r)))[:12]


def _tag(r, tpid=0x8100):
    return tpid.to_bytes(2, "big") + (r.randrange(8) << 13 | r.randrange(4096)).to_bytes(2, "big")


def _llc(r):
    """An LLC header (DSAP, SSAP, 1- or 2-byte control, SNAP when both SAPs are 0xaa) and what
    follows it; sometimes cut inside the header."""
    dsap, ssap = r.choice([(0x42, 0x42), (0xaa, 0xaa), (0xe0, 0xe0), (0xf0, 0xf0), (0xfe, 0xfe),
                           (0x42, 0x43), (r.randrange(256), r.randrange(256))])
    # U-format controls are one byte (low bits 11), I- and S-format two (IEEE 802.2 5.2).
    ctl = r.choice([b"\x03", b"\x13", b"\xaf", bytes([r.randrange(256) & 0xfe, r.randrange(256)]),
                    bytes([r.randrange(256) & 0xfc | 1, r.randrange(256)])])
    head = bytes([dsap, ssap]) + ctl
    if dsap == ssap == 0xaa:
        head += bytes(r.randrange(256) for _ in range(3)) + r.choice(
            [b"\x08\x00", b"\x86\xdd", b"\x20\x00", b"\x88\xcc", bytes([r.randrange(256)] * 2)])
    if dsap == 0x42 and r.random() < 0.7:
        body = bytes(STP(rootid=r.randrange(65536), bridgeid=r.randrange(65536)))
    else:
        body = _payload(r, 0, 50)
    if r.random() < 0.15:
        return head[:r.randrange(len(head))]
    return head + body


def _dot3(r):
    """802.3 framing: a length field (right, short, long, tiny), LLC or Novell raw after it,
    Ethernet padding to 60 bytes sometimes."""
    tags = r.choices([0, 1, 2, 3], weights=[6, 3, 1, 1])[0]
    head = _eth_head(r)
    if tags >= 2:  # 3: an S-tag alone, after which Wireshark reads any value as an EtherType
        head += _tag(r, 0x88a8)
    if tags in (1, 2):
        head += _tag(r, r.choice([0x8100, 0x8100, 0x9100]))
    body = b"\xff\xff" + _payload(r, 0, 40) if r.random() < 0.1 else _llc(r)
    x = r.random()
    if x < 0.6:
        length = len(body)
    elif x < 0.75:
        length = r.randrange(0, len(body) + 1)
    elif x < 0.9:
        length = r.randrange(len(body) + 1, 1501)
    else:
        length = r.choice([0, 1, 2, 3, 1500])
    frame = head + length.to_bytes(2, "big") + body
    if r.random() < 0.4 and len(frame) < 60:
        frame += bytes(60 - len(frame))
    return Ether(frame)


def _odd_type(r):
    """Type field values that are neither a length nor an EtherType (1501-1535), and 0, under
    0-1 tags."""
    head = _eth_head(r) + (_tag(r) if r.random() < 0.3 else b"")
    t = r.choice([1501, 1535, r.randrange(1501, 1536), 0])
    return Ether(head + t.to_bytes(2, "big") + _llc(r) + _payload(r, 0, 30))


def _short_vlan(r):
    """A frame that ends inside a VLAN tag: after the Ethernet header or after a whole S-tag."""
    head = _eth_head(r)
    if r.random() < 0.4:
        head += _tag(r, 0x88a8)
    tpid = r.choice([0x8100, 0x88a8, 0x9100])
    return Ether(head + tpid.to_bytes(2, "big") + _tag(r)[2:][:r.randrange(4)])


# RFC 791 options and the lengths they must have: fixed (RFC 1063 MTU probe/reply, RFC 4782
# Quick-Start, RFC 1393 traceroute, stream id, RFC 2113 router alert) or a minimum.
_IP_OPT_FIXED = {11: 4, 12: 4, 25: 8, 82: 12, 136: 4, 148: 4}
_IP_OPT_MIN = {7: 3, 68: 4, 130: 3, 131: 3, 133: 3, 134: 6, 137: 3}


def _ip_option(r):
    x = r.random()
    if x < 0.15:
        return b"\x01"
    if x < 0.2:
        return b"\x00" + _payload(r, 0, 4)  # end of list, then anything
    if x < 0.3:  # CIPSO (type 134): DOI, then tags
        tags = b""
        for _ in range(r.randrange(3)):
            tl = r.choice([2, 3, 4, 5, 6, 8, r.randrange(10)])
            tags += bytes([r.choice([0, 1, 2, 5, 6, 7, r.randrange(256)]), tl]) + \
                _payload(r, max(0, tl - 2), max(0, tl - 2) + 1)
        body = _payload(r, 4, 5) + tags
        return bytes([134, r.choice([len(body) + 2, r.randrange(2, 12)])]) + body
    t = r.choice(list(_IP_OPT_FIXED) + list(_IP_OPT_MIN) + [r.randrange(2, 256)])
    good = _IP_OPT_FIXED.get(t) or _IP_OPT_MIN.get(t, 2) + r.randrange(3) * 4
    y = r.random()
    length = good if y < 0.5 else r.choice([0, 1, good - 1, good + 1, r.randrange(2, 16)])
    if t in (131, 137) and length >= 3:
        # A source route only below its minimum length: tshark takes a source-routed packet's
        # ip.dst (and its pseudo-header) from the route, tapd::wire from the header.
        length = r.choice([0, 1, 2])
    if t in (7, 131, 137):  # route options: the pointer at its first address
        body = b"\x04" + _payload(r, max(0, good - 3), max(0, good - 3) + 1)
    else:
        body = _payload(r, max(0, good - 2), max(0, good - 2) + 1)
    return bytes([t, length]) + body


def _with_ip_options(r, ip):
    """ip (a scapy IP without options) as bytes with a random option list spliced in."""
    opts = b"".join(_ip_option(r) for _ in range(r.randrange(1, 4)))[:40]
    if r.random() < 0.1:
        opts = opts[:-1] + bytes([r.choice([7, 68, 148])])  # a type with no room for its length
    opts += bytes(-len(opts) % 4)
    raw = bytearray(bytes(ip))
    rest = raw[20:]
    hdr = raw[:20]
    hl = 20 + len(opts)
    hdr[0] = 0x40 | hl // 4
    hdr[2:4] = (hl + len(rest)).to_bytes(2, "big")
    hdr[10:12] = b"\x00\x00"
    hdr = bytes(hdr) + opts
    hdr = hdr[:10] + checksum(hdr).to_bytes(2, "big") + hdr[12:]
    return hdr + bytes(rest)


# TCP option kinds with a fixed length (RFC 9293 MSS, RFC 7323 window scale and timestamps,
# RFC 2018 SACK permitted). Kinds whose tshark dissectors judge their contents (SCPS 20-22,
# MPTCP 30, Riverbed 76/78) are left out: tapd::wire checks option lengths, not contents.
_TCP_OPT_FIXED = {2: 4, 3: 3, 4: 2, 8: 10}


def _tcp_option(r):
    x = r.random()
    if x < 0.15:
        return b"\x01"
    if x < 0.2:
        return b"\x00" + _payload(r, 0, 4)
    k = r.choice(list(_TCP_OPT_FIXED) + [5, r.randrange(100, 250)])
    good = _TCP_OPT_FIXED.get(k) or (2 + 8 * r.randrange(1, 4) if k == 5 else r.randrange(2, 10))
    length = good if r.random() < 0.5 else r.choice([0, 1, good - 1, good + 1, good + 8])
    return bytes([k, length]) + _payload(r, max(0, good - 2), max(0, good - 2) + 1)


def _tcp_bad_options(r, ip):
    """A TCP segment (bytes, checksum right) with a random option list under ip."""
    opts = b"".join(_tcp_option(r) for _ in range(r.randrange(1, 5)))[:40]
    if r.random() < 0.1:
        opts = opts[:-1] + bytes([r.choice([2, 3, 8])])
    opts += bytes(-len(opts) % 4)
    seg = bytearray(bytes(TCP(sport=_port(r), dport=_port(r), seq=r.randrange(2**32),
                              ack=r.randrange(2**32), flags=r.randrange(0x200),
                              window=r.randrange(65536))))
    seg[12] = (20 + len(opts)) // 4 << 4 | seg[12] & 0x0f
    seg = bytes(seg[:16]) + b"\x00\x00" + bytes(seg[18:20]) + opts + _payload(r)
    ip.proto = 6
    c = in4_chksum(6, ip, seg)
    return seg[:16] + c.to_bytes(2, "big") + seg[18:]


def _bad_options(r):
    """IPv4 with a malformed (or good) option list over UDP/TCP/ICMP, or IPv4 without options
    over TCP with a malformed option list; 0-1 VLAN tags."""
    head = _eth_head(r) + (_tag(r) if r.random() < 0.3 else b"") + b"\x08\x00"
    ip = IP(src=_ip4(r), dst=_ip4(r), ttl=r.randrange(1, 256), id=r.randrange(65536))
    if r.random() < 0.5:
        seg = _tcp_bad_options(r, ip)
        return Ether(head + bytes(ip / Raw(seg)))
    upper = r.choice([_udp(r), _tcp(r), ICMP(id=r.randrange(65536)) / _payload(r)])
    return Ether(head + _with_ip_options(r, ip / upper))


def edge_frames(n, seed=1):
    r = random.Random(seed * 7919 + 1)
    kinds = [_dot3, _dot3, _dot3, _odd_type, _short_vlan, _bad_options, _bad_options,
             _bad_options]
    return [r.choice(kinds)(r) for _ in range(n)]
