// TapReader: a tap fd's frames in batches (many per wakeup) as zero-copy views, and its drops.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <system_error>

#include "unique_fd.hpp"

namespace tapd {

// A failing system call of TapReader: code() holds the errno, what() names the call and the
// tap, e.g. "read tap0 (fd 7): File descriptor in bad state".
class TapReadError : public std::system_error {
  public:
    TapReadError(int err, const std::string& what)
        : std::system_error(err, std::generic_category(), what) {}
    int error_number() const { return code().value(); }
};

struct TapReaderOptions {
    // At most this many frames per read().
    size_t max_frames = 256;
    // The buffer frames are read into, packed one after another (each at a 64-byte boundary).
    // Every read() asks the kernel with room for the largest frame a tap sends (64 KiB plus
    // headers), so the buffer holds at least that; a batch ends early when less is left.
    size_t buffer_bytes = 1 << 20;
};

// One read()'s frames, in the order the kernel sent them to the tap. The views point into the
// reader's buffer and stay valid until its next read() (or its end).
struct TapBatch {
    // The Ethernet frames, after any tun_pi and virtio_net_hdr: give each to wire::decode().
    std::span<const std::span<const std::byte>> frames;
    // On a tap with IFF_VNET_HDR, the struct virtio_net_hdr the kernel put before each frame
    // (vnet_hdr_size() bytes, in the byte order TUNSETVNETLE/BE chose; flags, GSO type and
    // sizes, checksum start and offset), one per frame; empty on other taps. A frame whose
    // header has VIRTIO_NET_HDR_F_NEEDS_CSUM carries a partial checksum, which a decoder that
    // verifies checksums reports as bad: that happens only once the holder enabled checksum
    // offload (TUNSETOFFLOAD).
    std::span<const std::span<const std::byte>> vnet_headers;

    size_t size() const { return frames.size(); }
    bool empty() const { return frames.empty(); }
};

// Frames the kernel dropped on the tap since the reader was made (the link's rtnl_link_stats64).
struct TapDrops {
    // Frames the kernel sent to the tap and dropped there, nearly always because the queue to
    // the fd (txqueuelen frames, 500 by default) was full: the reader was too slow.
    uint64_t tx_dropped = 0;
    // Frames written into the tap that the kernel's stack dropped.
    uint64_t rx_dropped = 0;
};

// Reads a tap fd (from Client::open_tap, `tapctl exec`'s $TAPD_FD, or TUNSETIFF) in batches:
// read() drains the fd with non-blocking read()s until EAGAIN (or the batch is full) and only
// then waits in epoll, so a busy tap costs one wakeup per batch rather than per frame (each
// frame is still one read() system call; bench/README.md "Tap read path" measures it).
//
// It sets O_NONBLOCK on the tap's open file (shared with any duplicate of the fd). Not
// thread-safe: one thread reads. A moved-from reader may only be destroyed or assigned to.
class TapReader {
  public:
    // Takes TAP over (it is closed with the reader). Throws TapReadError when TAP is not an open
    // fd (EBADF), not a tun fd (ENOTTY), attached to no device (EBADFD), or a tun device
    // without Ethernet headers (EINVAL), or when epoll_create1 fails (std::bad_alloc when its
    // buffer cannot be had).
    explicit TapReader(UniqueFd tap, const TapReaderOptions& options = {});
    ~TapReader();
    TapReader(TapReader&&) noexcept;
    TapReader& operator=(TapReader&&) noexcept;
    TapReader(const TapReader&) = delete;
    TapReader& operator=(const TapReader&) = delete;

    // The frames that are there, waiting up to TIMEOUT_MS (-1: forever, 0: not at all) for the
    // first if there is none. Empty when the wait ran out or a signal interrupted it (EINTR).
    // Throws TapReadError when a read fails (EBADFD: the tap was deleted); frames read before
    // the failure are returned first, and the next read() throws.
    TapBatch read(int timeout_ms);

    // The tap's drops since the reader was made, from RTM_GETLINK in this process's network
    // namespace (any user may ask; sysfs would show the namespace it was mounted in instead).
    // Throws TapReadError ENODEV when the tap was not in this process's namespace when the
    // reader was made or is not now (no link there has the tap's name and MAC), or for a
    // failing netlink call.
    TapDrops drops();

    // The tap fd, to poll in a loop of the caller's own (then read(0) when it is readable).
    int fd() const;
    // The tap's name when the reader was made (TUNGETIFF).
    const std::string& name() const;
    // The virtio_net_hdr's size before each frame (TUNGETVNETHDRSZ: 10, or 12 with
    // VIRTIO_NET_F_MRG_RXBUF), 0 on a tap without IFF_VNET_HDR.
    size_t vnet_hdr_size() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace tapd
