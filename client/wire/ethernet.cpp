// Ethernet II frame check and header emission.
#include "wire/ethernet.hpp"

namespace tapd::wire {

Checked<EthernetFrame> EthernetFrame::check(Bytes frame) {
    if (frame.size() < kHeaderLen) return truncated(Layer::Eth, 0, kHeaderLen, frame.size());
    return EthernetFrame(frame);
}

void EthernetRepr::emit(MutBytes out) const {
    put_bytes(out, EthernetFrame::kDst, dst.bytes());
    put_bytes(out, EthernetFrame::kSrc, src.bytes());
    put16(out, EthernetFrame::kEtherType, ethertype);
}

}  // namespace tapd::wire
