// Decoding throughput: tapd::wire vs libtins vs a minimal hand-written parse, extracting the
// 5-tuple and TCP flags from mixed traffic, hot (4096 frames in cache) and cold (100 MB).
#include <benchmark/benchmark.h>

#include <tins/tins.h>

#include <cstring>

#include "traffic.hpp"
#include "wire/decode.hpp"

namespace {

using namespace tapd::wire;
using tapd::wire::bench::Traffic;

struct FiveTuple {
    uint64_t acc = 0;  // folded into one value the optimizer cannot drop
    void add(uint32_t a, uint32_t b, uint16_t sp, uint16_t dp, uint8_t proto, uint16_t flags) {
        acc += a ^ (uint64_t{b} << 7) ^ (uint64_t{sp} << 17) ^ (uint64_t{dp} << 33) ^
               (uint64_t{proto} << 49) ^ (uint64_t{flags} << 53);
    }
};

uint32_t fold(const std::array<uint8_t, 16>& a) {
    uint32_t v;
    std::memcpy(&v, a.data() + 12, 4);
    return v;
}

// The practical limit: bounds-checked reads of exactly the fields needed, no validation beyond
// "is it there", no IPv6 extension headers, no options.
[[gnu::always_inline]] inline void minimal(Bytes f, FiveTuple& out) {
    const auto* p = reinterpret_cast<const uint8_t*>(f.data());
    size_t n = f.size();
    if (n < 14) return;
    size_t at = 12;
    uint16_t type = static_cast<uint16_t>(p[at] << 8 | p[at + 1]);
    at = 14;
    while (type == 0x8100 || type == 0x88a8) {
        if (n < at + 4) return;
        type = static_cast<uint16_t>(p[at + 2] << 8 | p[at + 3]);
        at += 4;
    }
    uint32_t s = 0, d = 0;
    uint8_t proto;
    if (type == 0x0800) {
        if (n < at + 20) return;
        size_t ihl = (p[at] & 0xf) * 4u;
        proto = p[at + 9];
        std::memcpy(&s, p + at + 12, 4);
        std::memcpy(&d, p + at + 16, 4);
        at += ihl;
    } else if (type == 0x86dd) {
        if (n < at + 40) return;
        proto = p[at + 6];
        std::memcpy(&s, p + at + 20, 4);
        std::memcpy(&d, p + at + 36, 4);
        at += 40;
    } else {
        return;
    }
    uint16_t sp = 0, dp = 0, flags = 0;
    if ((proto == 6 && n >= at + 20) || (proto == 17 && n >= at + 8)) {
        sp = static_cast<uint16_t>(p[at] << 8 | p[at + 1]);
        dp = static_cast<uint16_t>(p[at + 2] << 8 | p[at + 3]);
        if (proto == 6) flags = static_cast<uint16_t>((p[at + 12] & 1) << 8 | p[at + 13]);
    }
    out.add(s, d, sp, dp, proto, flags);
}

[[gnu::always_inline]] inline void tapd_wire(Bytes f, Decoded& d, FiveTuple& out,
                                             const DecodeFlags& flags) {
    decode(f, d, flags);
    uint32_t s = 0, dst = 0;
    if (d.has(kHasIpv4)) {
        std::memcpy(&s, d.ipv4.header().data() + Ipv4Packet::kSrc, 4);
        std::memcpy(&dst, d.ipv4.header().data() + Ipv4Packet::kDst, 4);
    } else if (d.has(kHasIpv6)) {
        s = fold(d.ipv6.src().b);
        dst = fold(d.ipv6.dst().b);
    } else {
        return;
    }
    uint16_t sp = 0, dp = 0, fl = 0;
    if (d.has(kHasTcp)) {
        sp = d.tcp.src_port();
        dp = d.tcp.dst_port();
        fl = d.tcp.flags();
    } else if (d.has(kHasUdp)) {
        sp = d.udp.src_port();
        dp = d.udp.dst_port();
    }
    out.add(s, dst, sp, dp, d.l4_proto, fl);
}

// The same fields through decode_headers(), the API for tools that need only header fields.
[[gnu::always_inline]] inline void tapd_headers(Bytes f, FrameHeaders& h, FiveTuple& out) {
    decode_headers(f, h);
    uint32_t s = 0, dst = 0;
    if (h.has(kHasIpv4)) {
        Bytes ip = h.ipv4(f).header();
        std::memcpy(&s, ip.data() + Ipv4Packet::kSrc, 4);
        std::memcpy(&dst, ip.data() + Ipv4Packet::kDst, 4);
    } else if (h.has(kHasIpv6)) {
        Ipv6Packet ip6 = h.ipv6(f);
        s = fold(ip6.src().b);
        dst = fold(ip6.dst().b);
    } else {
        return;
    }
    uint16_t sp = 0, dp = 0, fl = 0;
    if (h.has(kHasTcp)) {
        TcpSegment t = h.tcp(f);
        sp = t.src_port();
        dp = t.dst_port();
        fl = t.flags();
    } else if (h.has(kHasUdp)) {
        UdpDatagram u = h.udp(f);
        sp = u.src_port();
        dp = u.dst_port();
    }
    out.add(s, dst, sp, dp, h.l4_proto, fl);
}

inline void libtins(Bytes f, FiveTuple& out) {
    try {
        Tins::EthernetII eth(reinterpret_cast<const uint8_t*>(f.data()),
                             static_cast<uint32_t>(f.size()));
        uint32_t s = 0, d = 0;
        uint8_t proto = 0;
        if (const auto* ip = eth.find_pdu<Tins::IP>()) {
            s = ip->src_addr();
            d = ip->dst_addr();
            proto = ip->protocol();
        } else if (const auto* ip6 = eth.find_pdu<Tins::IPv6>()) {
            auto a = ip6->src_addr(), b = ip6->dst_addr();
            std::memcpy(&s, a.begin() + 12, 4);
            std::memcpy(&d, b.begin() + 12, 4);
            proto = ip6->next_header();
        } else {
            return;
        }
        uint16_t sp = 0, dp = 0, fl = 0;
        if (const auto* t = eth.find_pdu<Tins::TCP>()) {
            sp = t->sport();
            dp = t->dport();
            fl = t->flags();
        } else if (const auto* u = eth.find_pdu<Tins::UDP>()) {
            sp = u->sport();
            dp = u->dport();
        }
        out.add(s, d, sp, dp, proto, fl);
    } catch (const Tins::exception_base&) {
        out.acc += 1;
    }
}

const Traffic& hot() {
    static const Traffic t = tapd::wire::bench::make_traffic(4096, 1);
    return t;
}
const Traffic& cold() {
    // About 100 MB: far beyond any cache, read once per pass.
    static const Traffic t = [] {
        size_t per = hot().bytes.size() / hot().count();
        return tapd::wire::bench::make_traffic(100'000'000 / per, 3);
    }();
    return t;
}
const Traffic& malformed() {
    static const Traffic t = tapd::wire::bench::make_malformed(hot(), 2);
    return t;
}

template <class F>
void run(benchmark::State& state, const Traffic& t, F&& one) {
    FiveTuple out;
    size_t frames = 0;
    // Frame bounds in locals: stores through a Decoded& could otherwise alias t's vectors in
    // the compiler's eyes and make it reload them for every frame.
    const std::byte* const base = t.bytes.data();
    const uint32_t* const offsets = t.offsets.data();
    const size_t count = t.count();
    for (auto _ : state) {
        for (size_t i = 0; i < count; ++i)
            one(Bytes(base + offsets[i], offsets[i + 1] - offsets[i]), out);
        frames += count;
    }
    benchmark::DoNotOptimize(out.acc);
    state.counters["frames/s"] =
        benchmark::Counter(static_cast<double>(frames), benchmark::Counter::kIsRate);
    state.counters["ns_per_frame"] =
        benchmark::Counter(static_cast<double>(frames) * 1e-9,
                           benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

const DecodeFlags kNoChecksums{.verify_checksums = false};
const DecodeFlags kChecksums{.verify_checksums = true};

void BM_Minimal_Hot(benchmark::State& s) {
    run(s, hot(), [](Bytes f, FiveTuple& o) { minimal(f, o); });
}
void BM_TapdWire_Hot(benchmark::State& s) {
    Decoded d;
    run(s, hot(), [&](Bytes f, FiveTuple& o) { tapd_wire(f, d, o, kNoChecksums); });
}
void BM_TapdWireChecksums_Hot(benchmark::State& s) {
    Decoded d;
    run(s, hot(), [&](Bytes f, FiveTuple& o) { tapd_wire(f, d, o, kChecksums); });
}
void BM_TapdHeaders_Hot(benchmark::State& s) {
    FrameHeaders h;
    run(s, hot(), [&](Bytes f, FiveTuple& o) { tapd_headers(f, h, o); });
}
void BM_Libtins_Hot(benchmark::State& s) {
    run(s, hot(), [](Bytes f, FiveTuple& o) { libtins(f, o); });
}

void BM_Minimal_Cold(benchmark::State& s) {
    run(s, cold(), [](Bytes f, FiveTuple& o) { minimal(f, o); });
}
void BM_TapdWire_Cold(benchmark::State& s) {
    Decoded d;
    run(s, cold(), [&](Bytes f, FiveTuple& o) { tapd_wire(f, d, o, kNoChecksums); });
}
void BM_TapdHeaders_Cold(benchmark::State& s) {
    FrameHeaders h;
    run(s, cold(), [&](Bytes f, FiveTuple& o) { tapd_headers(f, h, o); });
}
void BM_Libtins_Cold(benchmark::State& s) {
    run(s, cold(), [](Bytes f, FiveTuple& o) { libtins(f, o); });
}

void BM_TapdWire_Malformed(benchmark::State& s) {
    Decoded d;
    run(s, malformed(), [&](Bytes f, FiveTuple& o) { tapd_wire(f, d, o, kNoChecksums); });
}
void BM_TapdHeaders_Malformed(benchmark::State& s) {
    FrameHeaders h;
    run(s, malformed(), [&](Bytes f, FiveTuple& o) { tapd_headers(f, h, o); });
}
void BM_Libtins_Malformed(benchmark::State& s) {
    run(s, malformed(), [](Bytes f, FiveTuple& o) { libtins(f, o); });
}

BENCHMARK(BM_Minimal_Hot);
BENCHMARK(BM_TapdWire_Hot);
BENCHMARK(BM_TapdWireChecksums_Hot);
BENCHMARK(BM_TapdHeaders_Hot);
BENCHMARK(BM_Libtins_Hot);
BENCHMARK(BM_Minimal_Cold)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_TapdWire_Cold)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_TapdHeaders_Cold)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Libtins_Cold)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_TapdWire_Malformed);
BENCHMARK(BM_TapdHeaders_Malformed);
BENCHMARK(BM_Libtins_Malformed);

}  // namespace

BENCHMARK_MAIN();
