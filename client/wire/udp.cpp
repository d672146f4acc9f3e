// UDP datagram check and emission.
#include "wire/udp.hpp"

namespace tapd::wire {

Checked<UdpDatagram> UdpDatagram::check(Bytes b) {
    if (b.size() < kHeaderLen) return truncated(Layer::Udp, 0, kHeaderLen, b.size());
    uint16_t len = get16(b, kLength);
    if (len < kHeaderLen)
        return WireError{Layer::Udp, Reason::TotalLengthTooShort, kLength, len, kHeaderLen};
    return UdpDatagram(b.first(std::min<size_t>(len, b.size())));
}

void UdpRepr::emit(MutBytes out, uint64_t pseudo) const {
    size_t len = buffer_len();
    put16(out, UdpDatagram::kSrcPort, src_port);
    put16(out, UdpDatagram::kDstPort, dst_port);
    put16(out, UdpDatagram::kLength, static_cast<uint16_t>(len));
    put16(out, UdpDatagram::kChecksum, 0);
    put_bytes(out, UdpDatagram::kHeaderLen, payload);
    uint16_t sum = checksum::finish(checksum::accumulate(out.first(len), pseudo));
    put16(out, UdpDatagram::kChecksum, sum == 0 ? 0xffff : sum);
}

}  // namespace tapd::wire
