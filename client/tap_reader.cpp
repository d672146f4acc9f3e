// TapReader: non-blocking read()s until EAGAIN into one packed buffer, epoll only when empty.
#include "tap_reader.hpp"

#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <new>
#include <optional>
#include <vector>

#include "link_stats.hpp"

namespace tapd {

namespace {

// The largest frame a tap hands to read(): a GSO skb of 64 KiB plus Ethernet and VLAN headers
// (tun_put_user() adds vlan_hlen when it inserts a tag). Larger ones exist only with BIG TCP on
// an offloading tap; tun_put_user() then copies what fits and still returns the whole length.
constexpr size_t kMaxFrame = 65536 + 64;
constexpr size_t kAlign = 64;  // each frame starts on its own cache line

struct BufferFree {
    void operator()(std::byte* p) const { ::operator delete[](p, std::align_val_t{kAlign}); }
};

std::string mac_text(const std::array<uint8_t, 6>& m) {
    char s[18];
    std::snprintf(s, sizeof s, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
    return s;
}

}  // namespace

struct TapReader::Impl {
    UniqueFd tap;
    UniqueFd epoll;
    std::string name;
    std::string what;     // "tap0 (fd 7)", for messages
    size_t pi_len = 0;    // struct tun_pi before each frame without IFF_NO_PI
    size_t vnet_len = 0;  // virtio_net_hdr after it with IFF_VNET_HDR
    size_t slot = 0;      // room every read() is given
    size_t max_frames = 0;
    size_t capacity = 0;
    std::unique_ptr<std::byte[], BufferFree> buffer;
    std::vector<std::span<const std::byte>> frames, vnets;
    size_t count = 0;
    int pending_error = 0;  // a read that failed after frames of its batch; thrown next time

    std::optional<LinkStatsSocket> stats;
    LinkCounters baseline;
    std::optional<TapReadError> baseline_failure;  // why there is no baseline

    void fill();
    // The link's counters here, checked to be the tap's (by name and MAC); throws TapReadError.
    LinkCounters counters();
};

void TapReader::Impl::fill() {
    count = 0;
    if (pending_error != 0) throw TapReadError(std::exchange(pending_error, 0), "read " + what);
    size_t header = pi_len + vnet_len;
    size_t off = 0;
    std::byte* base = buffer.get();
    while (count < max_frames && off + slot <= capacity) {
        ssize_t r = ::read(tap.get(), base + off, slot);
        if (r < 0) {
            if (errno == EAGAIN) return;
            if (errno == EINTR) continue;
            if (count > 0) {
                pending_error = errno;
                return;
            }
            throw TapReadError(errno, "read " + what);
        }
        // The kernel reports a cut frame's whole length (see kMaxFrame); the views keep to what
        // it wrote.
        size_t n = std::min(static_cast<size_t>(r), slot);
        if (n < header) continue;  // never sent by tun_put_user; nothing to show
        const std::byte* p = base + off;
        frames[count] = {p + header, n - header};
        if (vnet_len != 0) vnets[count] = {p + pi_len, vnet_len};
        ++count;
        off += (n + kAlign - 1) & ~(kAlign - 1);
    }
}

LinkCounters TapReader::Impl::counters() {
    ifreq ifr{};
    if (::ioctl(tap.get(), TUNGETIFF, &ifr) < 0) throw TapReadError(errno, "TUNGETIFF " + what);
    std::string now(ifr.ifr_name, strnlen(ifr.ifr_name, IFNAMSIZ));
    ifreq hw{};
    if (::ioctl(tap.get(), SIOCGIFHWADDR, &hw) < 0)
        throw TapReadError(errno, "SIOCGIFHWADDR " + what);
    if (!stats) stats.emplace();
    LinkReply r = stats->query(now);
    if (r.error != 0)
        throw TapReadError(
            -r.error,
            "RTM_GETLINK '" + now + "' (" + what +
                (r.error == -ENODEV ? "; the tap is in another network namespace)" : ")"));
    std::array<uint8_t, 6> mac{};
    std::memcpy(mac.data(), hw.ifr_hwaddr.sa_data, mac.size());
    if (!r.counters.has_mac || r.counters.mac != mac)
        throw TapReadError(ENODEV, "link '" + now + "' here has MAC " +
                                       (r.counters.has_mac ? mac_text(r.counters.mac) : "none") +
                                       ", not the tap's " + mac_text(mac) + " (" + what +
                                       " is in another network namespace)");
    return r.counters;
}

TapReader::TapReader(UniqueFd tap, const TapReaderOptions& options)
    : impl_(std::make_unique<Impl>()) {
    Impl& m = *impl_;
    int fd = tap.get();
    m.what = "fd " + std::to_string(fd);
    ifreq ifr{};
    if (::ioctl(fd, TUNGETIFF, &ifr) < 0) {
        int err = errno;
        const char* why = err == ENOTTY || err == EINVAL ? " (not a tun/tap fd)"
                          : err == EBADFD                ? " (attached to no device)"
                                                         : "";
        throw TapReadError(err, "TUNGETIFF " + m.what + why);
    }
    m.name.assign(ifr.ifr_name, strnlen(ifr.ifr_name, IFNAMSIZ));
    m.what = m.name + " (fd " + std::to_string(fd) + ")";
    if ((ifr.ifr_flags & IFF_TAP) == 0)
        throw TapReadError(EINVAL, m.what + " is a tun device (IP packets, no Ethernet header)");
    if ((ifr.ifr_flags & IFF_NO_PI) == 0) m.pi_len = sizeof(tun_pi);
    if ((ifr.ifr_flags & IFF_VNET_HDR) != 0) {
        int size = 0;
        if (::ioctl(fd, TUNGETVNETHDRSZ, &size) < 0)
            throw TapReadError(errno, "TUNGETVNETHDRSZ " + m.what);
        m.vnet_len = static_cast<size_t>(size);
    }
    int flags = ::fcntl(fd, F_GETFL);
    if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
        throw TapReadError(errno, "O_NONBLOCK on " + m.what);

    m.epoll = UniqueFd(::epoll_create1(EPOLL_CLOEXEC));
    if (!m.epoll) throw TapReadError(errno, "epoll_create1 for " + m.what);
    epoll_event ev{};
    ev.events = EPOLLIN;
    if (::epoll_ctl(m.epoll.get(), EPOLL_CTL_ADD, fd, &ev) < 0)
        throw TapReadError(errno, "EPOLL_CTL_ADD " + m.what);

    m.slot = m.pi_len + m.vnet_len + kMaxFrame;
    m.capacity = std::max(options.buffer_bytes, m.slot);
    m.capacity = (m.capacity + kAlign - 1) & ~(kAlign - 1);
    m.max_frames = std::max<size_t>(options.max_frames, 1);
    m.buffer.reset(new (std::align_val_t{kAlign}) std::byte[m.capacity]);
    m.frames.resize(m.max_frames);
    if (m.vnet_len != 0) m.vnets.resize(m.max_frames);
    m.tap = std::move(tap);

    // Drops count from here; a reader outside the tap's namespace fails in drops(), not here.
    try {
        m.baseline = m.counters();
    } catch (const TapReadError& e) {
        m.baseline_failure = e;
    }
}

TapReader::~TapReader() = default;
TapReader::TapReader(TapReader&&) noexcept = default;
TapReader& TapReader::operator=(TapReader&&) noexcept = default;

TapBatch TapReader::read(int timeout_ms) {
    Impl& m = *impl_;
    m.fill();
    if (m.count == 0 && timeout_ms != 0) {
        epoll_event ev;
        int n = ::epoll_wait(m.epoll.get(), &ev, 1, timeout_ms);
        if (n < 0 && errno != EINTR) throw TapReadError(errno, "epoll_wait " + m.what);
        if (n > 0) m.fill();
    }
    TapBatch b;
    b.frames = std::span(m.frames.data(), m.count);
    if (m.vnet_len != 0) b.vnet_headers = std::span(m.vnets.data(), m.count);
    return b;
}

TapDrops TapReader::drops() {
    Impl& m = *impl_;
    if (m.baseline_failure) throw *m.baseline_failure;
    LinkCounters now = m.counters();
    return {.tx_dropped = now.tx_dropped - m.baseline.tx_dropped,
            .rx_dropped = now.rx_dropped - m.baseline.rx_dropped};
}

int TapReader::fd() const {
    return impl_->tap.get();
}

const std::string& TapReader::name() const {
    return impl_->name;
}

size_t TapReader::vnet_hdr_size() const {
    return impl_->vnet_len;
}

}  // namespace tapd
