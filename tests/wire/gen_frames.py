# Random but reproducible Ethernet frames of every kind tapd::wire decodes, built with scapy.
"""Frame generator for the differential and tool tests.

frames(n, seed) returns a list of scapy packets (or raw bytes wrapped in Ether for deliberately
cut frames): ARP, IPv4 (options, DF/MF, fragments), IPv6 (hop-by-hop, routing, fragment,
destination options), TCP (flags and options), UDP (including zero checksums), ICMP and ICMPv6
(echo, errors, NDP with options), under 0-2 VLAN tags, some with bad checksums, some cut short.
Ports stay in 30000-39999 so tcpdump prints no application-layer decode.
"""
import os
import random
import shutil
import sys

try:
    from scapy.all import (ARP, ICMP, IP, TCP, UDP, Dot1AD, Dot1Q, Ether, ICMPv6DestUnreach,
                           ICMPv6EchoReply, ICMPv6EchoRequest, ICMPv6ND_NA, ICMPv6ND_NS,
                           ICMPv6ND_RA, ICMPv6ND_RS, ICMPv6NDOptDstLLAddr, ICMPv6NDOptMTU,
                           ICMPv6NDOptPrefixInfo, ICMPv6NDOptSrcLLAddr, ICMPv6PacketTooBig,
                           ICMPv6TimeExceeded, IPOption_RR, IPOption_Router_Alert, IPv6,
                           IPv6ExtHdrDestOpt, IPv6ExtHdrFragment, IPv6ExtHdrHopByHop,
                           IPv6ExtHdrRouting, Raw, conf)
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
