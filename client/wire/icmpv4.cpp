// ICMPv4 message check and emission with checksum (RFC 792).
#include "wire/icmpv4.hpp"

namespace tapd::wire {

Checked<Icmpv4Packet> Icmpv4Packet::check(Bytes b) {
    if (b.size() < kHeaderLen) return truncated(Layer::Icmp, 0, kHeaderLen, b.size());
    return Icmpv4Packet(b);
}

void Icmpv4Repr::emit(MutBytes out) const {
    put8(out, Icmpv4Packet::kType, type);
    put8(out, Icmpv4Packet::kCode, code);
    put16(out, Icmpv4Packet::kChecksum, 0);
    put32(out, Icmpv4Packet::kRest, rest);
    put_bytes(out, Icmpv4Packet::kHeaderLen, data);
    put16(out, Icmpv4Packet::kChecksum,
          checksum::finish(checksum::accumulate(out.first(buffer_len()))));
}

}  // namespace tapd::wire
