// The classic pcap file format (pcap-savefile(5), draft-ietf-opsawg-pcap): file and record
// headers, magic numbers, the Ethernet link type and the largest snap length. One definition for
// tapd's capture streamer and for libtapd's capture writer and reader.
#pragma once

#include <cstdint>

namespace tapd::pcap {

// A file is written in the writer's byte order; a reader knows it, and the timestamps'
// resolution, by the magic number, which it sees byte-swapped in a file from the other order.
inline constexpr uint32_t kMagicMicroseconds = 0xa1b2c3d4;
inline constexpr uint32_t kMagicNanoseconds = 0xa1b23c4d;
inline constexpr uint16_t kVersionMajor = 2;
inline constexpr uint16_t kVersionMinor = 4;

inline constexpr uint32_t kLinktypeEthernet = 1;  // LINKTYPE_ETHERNET
// libpcap's MAXIMUM_SNAPLEN, which is also tcpdump's default.
inline constexpr uint32_t kMaxSnapLen = 262144;

struct FileHeader {
    uint32_t magic = kMagicMicroseconds;
    uint16_t version_major = kVersionMajor;
    uint16_t version_minor = kVersionMinor;
    int32_t thiszone = 0;  // always 0 (UTC)
    uint32_t sigfigs = 0;  // always 0
    uint32_t snaplen = kMaxSnapLen;
    // The link type in the low 16 bits; the upper bits may carry FCS information.
    uint32_t linktype = kLinktypeEthernet;
};
static_assert(sizeof(FileHeader) == 24);

struct RecordHeader {
    uint32_t ts_sec = 0;
    uint32_t ts_frac = 0;   // microseconds or nanoseconds, as the magic says
    uint32_t incl_len = 0;  // bytes of the frame that follow, at most the snap length
    uint32_t orig_len = 0;  // the frame's length on the wire
};
static_assert(sizeof(RecordHeader) == 16);

}  // namespace tapd::pcap
