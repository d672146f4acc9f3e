// The verbose per-field dump (write_verbose), laid out like the classic raw_sock.c sniffer: the
// frame's line and summary, a block per layer (verbose_parts.hpp), the error, the payload.
#include "print/verbose.hpp"

#include "print/field_text.hpp"
#include "print/summary.hpp"
#include "print/verbose_lines.hpp"
#include "print/verbose_parts.hpp"

namespace tapd::print {

using namespace wire;

void write_verbose(TextBuffer& o, TimeFormatter& tf, const Decoded& d, const FrameMeta& m) {
    o.append("Frame ");
    o.dec(m.number);
    o.append(": ");
    o.dec(d.frame.size());
    o.append(" bytes captured, ");
    o.dec(m.orig_len ? m.orig_len : d.frame.size());
    o.append(" on wire, at ");
    tf.write_date(o, m.ts_sec, m.ts_nsec, m.nanosecond);
    o.append("\nSummary: ");
    write_summary(o, d);
    o.put('\n');
    Bytes rest = d.frame;
    verbose::ethernet(o, d, rest);
    verbose::llc(o, d, rest);
    verbose::arp(o, d, rest);
    verbose::ipv4(o, d, rest);
    verbose::ipv6(o, d, rest);
    verbose::transport(o, d, rest);
    if (d.has_error) {
        o.append("Error: ");
        o.append(ErrorText(d.error).view());
        o.put('\n');
    }
    o.append("Data Payload: ");
    o.dec(rest.size());
    o.append(" bytes\n");
    verbose::hex_dump(o, rest);
    o.put('\n');
}

}  // namespace tapd::print
