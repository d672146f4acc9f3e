// The one-line summary of TCP segments (flags, sequence numbers, options) and UDP datagrams.
#include "print/summary_parts.hpp"

namespace tapd::print {

using namespace wire;

namespace {

// tcpdump's tcp_flag_values order (print-tcp.c): F S R P . U E W.
void tcp_flags(TextBuffer& o, uint16_t f) {
    static constexpr struct {
        uint16_t bit;
        char c;
    } kFlags[] = {{tcp::kFin, 'F'}, {tcp::kSyn, 'S'}, {tcp::kRst, 'R'}, {tcp::kPsh, 'P'},
                  {tcp::kAck, '.'}, {tcp::kUrg, 'U'}, {tcp::kEce, 'E'}, {tcp::kCwr, 'W'}};
    bool any = false;
    for (auto fl : kFlags) {
        if (f & fl.bit) {
            o.put(fl.c);
            any = true;
        }
    }
    if (!any) o.append("none");
}

void tcp_options(TextBuffer& o, Bytes options) {
    TlvOptionWalker walk(options);
    bool first = true;
    for (TlvOption opt; walk.next(opt);) {
        if (!first) o.put(',');
        first = false;
        switch (opt.kind) {
            case tcp::kOptNop:
                o.append("nop");
                break;
            case tcp::kOptMss:
                o.append("mss ");
                o.dec(get16(opt.data, 2));
                break;
            case tcp::kOptWindowScale:
                o.append("wscale ");
                o.dec(get8(opt.data, 2));
                break;
            case tcp::kOptSackPermitted:
                o.append("sackOK");
                break;
            case tcp::kOptTimestamps:
                o.append("TS val ");
                o.dec(get32(opt.data, 2));
                o.append(" ecr ");
                o.dec(get32(opt.data, 6));
                break;
            case tcp::kOptSack: {
                size_t n = (opt.data.size() - 2) / 8;
                o.append("sack ");
                o.dec(n);
                o.put(' ');
                for (size_t i = 0; i < n; ++i) {
                    o.put('{');
                    o.dec(get32(opt.data, 2 + 8 * i));
                    o.put(':');
                    o.dec(get32(opt.data, 6 + 8 * i));
                    o.put('}');
                }
                break;
            }
            default:
                o.append("unknown-");
                o.dec(opt.kind);
                break;
        }
    }
    // RFC 9293 3.2: the list may end early with End of Option List; tcpdump shows it.
    if (walk.offset() < options.size() && get8(options, walk.offset()) == tcp::kOptEnd)
        o.append(first ? "eol" : ",eol");
}

}  // namespace

void summary::tcp(TextBuffer& o, const Decoded& d) {
    const TcpSegment& t = d.tcp;
    uint16_t f = t.flags();
    size_t declared = d.l4_declared_len();
    size_t len = declared > t.header_len() ? declared - t.header_len() : 0;
    o.append("Flags [");
    tcp_flags(o, f);
    o.put(']');
    if (len > 0 || (f & (tcp::kSyn | tcp::kFin | tcp::kRst))) {
        o.append(", seq ");
        o.dec(t.seq());
        if (len > 0) {
            o.put(':');
            o.dec(static_cast<uint32_t>(t.seq() + len));
        }
    }
    if (f & tcp::kAck) {
        o.append(", ack ");
        o.dec(t.ack());
    }
    o.append(", win ");
    o.dec(t.window());
    if (f & tcp::kUrg) {
        o.append(", urg ");
        o.dec(t.urgent());
    }
    if (!t.options().empty()) {
        o.append(", options [");
        tcp_options(o, t.options());
        o.put(']');
    }
    o.append(", length ");
    o.dec(len);
}

void summary::udp(TextBuffer& o, const Decoded& d) {
    const UdpDatagram& u = d.udp;
    if (d.has_error && d.error.layer == Layer::Udp &&
        d.error.reason == Reason::LengthExceedsEnclosing) {
        o.append("UDP, bad length ");
        o.dec(u.length() - UdpDatagram::kHeaderLen);
        o.append(" > ");
        o.dec(d.error.limit - UdpDatagram::kHeaderLen);
        return;
    }
    o.append("UDP, length ");
    o.dec(u.length() - UdpDatagram::kHeaderLen);
}

}  // namespace tapd::print
