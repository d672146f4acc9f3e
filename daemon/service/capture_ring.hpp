// The capture streamer's view of its tap: a libpcap handle on a TPACKET_V3 ring (as tcpdump
// reads), opened by name and checked to be bound to the tap tapd authorized, with the caller's
// filter compiled and attached in the kernel.
#pragma once

#include <pcap/pcap.h>

#include <cstdint>
#include <string>

#include "result.hpp"

namespace tapd {

// The ring's size: tcpdump's default (-B 2048). It is allocated up front, in kernel memory that
// no cgroup is charged for, so limits.captures bounds it for the host (64 captures: 128 MiB).
inline constexpr int kRingBytes = 2 << 20;
// How long a TPACKET_V3 block may wait half full before the kernel hands it over (the latency of
// a quiet tap's frames); under load blocks fill long before.
inline constexpr int kBlockTimeoutMs = 10;

// Owns one activated pcap handle; closing it unmaps the ring and closes its socket.
class PcapRing {
  public:
    PcapRing() = default;
    explicit PcapRing(pcap_t* p) : p_(p) {}
    PcapRing(PcapRing&& o) noexcept : p_(o.p_) { o.p_ = nullptr; }
    PcapRing& operator=(PcapRing&&) = delete;
    PcapRing(const PcapRing&) = delete;
    ~PcapRing() {
        if (p_) ::pcap_close(p_);
    }
    pcap_t* get() const { return p_; }

  private:
    pcap_t* p_ = nullptr;
};

// Opens IFNAME's ring, keeping SNAPLEN bytes of each frame, non-blocking, and checks that its
// socket is bound to IFINDEX (a tap deleted and made again under the same name is refused).
// Needs CAP_NET_RAW. Errors are Failed and name the tap and libpcap's reason.
Result<PcapRing> open_ring(const std::string& ifname, int ifindex, uint32_t snaplen);

// Compiles EXPRESSION (pcap-filter(7), optimized as tcpdump does) for RING's link type and snap
// length and attaches it in the kernel (in libpcap's userland filter when the kernel refuses a
// program that long); needs no capability. While it compiles, a program that keeps no frame
// holds the socket. Returns how many frames the ring stored, unfiltered, before that hold,
// which the stream skips (0 when libpcap filters them). A bad expression is InvalidArgument
// quoting the expression and libpcap's message.
Result<unsigned long> attach_filter(const PcapRing& ring, const std::string& expression);

}  // namespace tapd
