// pcap (libpcap format) and pcapng (draft-ietf-opsawg-pcapng) writers and a streaming reader.
#include "wire/pcap.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstring>

#include "wire/snprintf_length.hpp"
#include "wire/write_all.hpp"

namespace tapd::wire {
namespace {

constexpr uint32_t kBlockShb = 0x0a0d0d0a;
constexpr uint32_t kBlockIdb = 1;
constexpr uint32_t kBlockPb = 2;  // obsolete Packet Block
constexpr uint32_t kBlockSpb = 3;
constexpr uint32_t kBlockEpb = 6;
constexpr uint32_t kByteOrderMagic = 0x1a2b3c4d;
constexpr uint16_t kOptEnd = 0;
constexpr uint16_t kOptIfTsresol = 9;

constexpr size_t kWriteBuffer = 1 << 18;

uint32_t bswap32(uint32_t v) {
    return __builtin_bswap32(v);
}
uint16_t bswap16(uint16_t v) {
    return __builtin_bswap16(v);
}

class PcapWriter final : public CaptureWriter {
  public:
    PcapWriter(int fd, bool ns) : CaptureWriter(fd, ns) {
        pcap::FileHeader h;
        h.magic = nanosecond_ ? pcap::kMagicNanoseconds : pcap::kMagicMicroseconds;
        h.snaplen = kSnapLen;
        put(&h, sizeof h);
    }
    void write(const CaptureRecord& r) override {
        pcap::RecordHeader h;
        h.incl_len = static_cast<uint32_t>(std::min<size_t>(r.data.size(), kSnapLen));
        h.ts_sec = static_cast<uint32_t>(r.ts_sec);
        h.ts_frac = nanosecond_ ? r.ts_nsec : r.ts_nsec / 1000;
        h.orig_len = std::max(r.orig_len, h.incl_len);
        put(&h, sizeof h);
        put(r.data.data(), h.incl_len);
        ++records_;
    }
};

class PcapngWriter final : public CaptureWriter {
  public:
    PcapngWriter(int fd, bool ns) : CaptureWriter(fd, ns) {
        // Section Header Block: no options, section length unknown (-1).
        put32(kBlockShb);
        put32(28);
        put32(kByteOrderMagic);
        put16(1);
        put16(0);
        put32(0xffffffff);
        put32(0xffffffff);
        put32(28);
        // Interface Description Block with if_tsresol (10^-6 or 10^-9) and opt_endofopt.
        put32(kBlockIdb);
        put32(32);
        put16(static_cast<uint16_t>(linktype::kEthernet));
        put16(0);
        put32(kSnapLen);
        put16(kOptIfTsresol);
        put16(1);
        uint8_t res[4] = {static_cast<uint8_t>(nanosecond_ ? 9 : 6), 0, 0, 0};
        put(res, 4);
        put16(kOptEnd);
        put16(0);
        put32(32);
    }
    void write(const CaptureRecord& r) override {
        uint32_t caplen = static_cast<uint32_t>(std::min<size_t>(r.data.size(), kSnapLen));
        uint32_t padded = (caplen + 3) & ~3u;
        uint32_t total = 32 + padded;
        uint64_t units =
            static_cast<uint64_t>(r.ts_sec) * (nanosecond_ ? 1000000000ull : 1000000ull) +
            (nanosecond_ ? r.ts_nsec : r.ts_nsec / 1000);
        put32(kBlockEpb);
        put32(total);
        put32(0);  // interface 0
        put32(static_cast<uint32_t>(units >> 32));
        put32(static_cast<uint32_t>(units));
        put32(caplen);
        put32(std::max(r.orig_len, caplen));
        put(r.data.data(), caplen);
        static constexpr uint8_t kZero[4] = {};
        put(kZero, padded - caplen);
        put32(total);
        ++records_;
    }
};

}  // namespace

CaptureWriter::CaptureWriter(int fd, bool nanosecond)
    : fd_(fd), nanosecond_(nanosecond), buf_(kWriteBuffer) {}

CaptureWriter::~CaptureWriter() = default;

std::unique_ptr<CaptureWriter> CaptureWriter::create(int fd, CaptureFormat format, bool ns) {
    if (format == CaptureFormat::Pcapng) return std::make_unique<PcapngWriter>(fd, ns);
    return std::make_unique<PcapWriter>(fd, ns);
}

void CaptureWriter::put(const void* p, size_t n) {
    const auto* src = static_cast<const std::byte*>(p);
    while (n) {
        if (len_ == buf_.size()) flush();
        size_t k = std::min(n, buf_.size() - len_);
        std::memcpy(buf_.data() + len_, src, k);
        len_ += k;
        src += k;
        n -= k;
    }
}

bool CaptureWriter::flush() {
    if (!err_) err_ = write_all(fd_, buf_.data(), len_);
    len_ = 0;
    return err_ == 0;
}

ssize_t FdSource::read(void* buf, size_t n) {
    for (;;) {
        ssize_t r = ::read(fd_, buf, n);
        if (r < 0 && errno == EINTR && !stop_on_eintr) continue;
        return r;
    }
}

ssize_t MemorySource::read(void* buf, size_t n) {
    size_t k = std::min(n, data_.size());
    if (k) std::memcpy(buf, data_.data(), k);
    data_ = data_.subspan(k);
    return static_cast<ssize_t>(k);
}

CaptureReader::CaptureReader(ByteSource& src, size_t buffer_size)
    : src_(src), buf_(std::max<size_t>(buffer_size, 64)) {}

bool CaptureReader::fill(size_t need) {
    if (end_ - start_ >= need) return true;
    if (start_ + need > buf_.size()) {
        std::memmove(buf_.data(), buf_.data() + start_, end_ - start_);
        end_ -= start_;
        start_ = 0;
        if (need > buf_.size()) buf_.resize(need);
    }
    while (end_ - start_ < need && !eof_) {
        ssize_t n = src_.read(buf_.data() + end_, buf_.size() - end_);
        if (n < 0) {
            sys_err_ = errno;
            return false;
        }
        if (n == 0) eof_ = true;
        end_ += static_cast<size_t>(n);
    }
    return end_ - start_ >= need;
}

void CaptureReader::consume(size_t n) {
    start_ += n;
    consumed_ += n;
}

uint32_t CaptureReader::rd32(size_t at) const {
    uint32_t v;
    std::memcpy(&v, buf_.data() + start_ + at, 4);
    return swapped_ ? bswap32(v) : v;
}

uint16_t CaptureReader::rd16(size_t at) const {
    uint16_t v;
    std::memcpy(&v, buf_.data() + start_ + at, 2);
    return swapped_ ? bswap16(v) : v;
}

CaptureReader::Status CaptureReader::fail(Reason reason, uint32_t value, uint32_t limit) {
    // The stream offset may pass WireError's 32 bits: it is kept in err_offset_ alone.
    err_ = WireError{Layer::Pcap, reason, 0, value, limit};
    err_offset_ = consumed_;
    return Status::Error;
}

CaptureReader::Status CaptureReader::need(size_t n, bool at_boundary) {
    if (fill(n)) return Status::Record;
    if (sys_err_) return Status::Error;
    if (at_boundary && end_ == start_) return Status::End;
    return fail(Reason::Truncated, static_cast<uint32_t>(n), static_cast<uint32_t>(end_ - start_));
}

CaptureReader::Status CaptureReader::read_header() {
    if (Status s = need(4); s != Status::Record) return s;
    uint32_t magic;
    std::memcpy(&magic, buf_.data() + start_, 4);
    if (magic == kBlockShb) {
        format_ = CaptureFormat::Pcapng;
        header_done_ = true;
        return Status::Record;  // the SHB is read as a block by next_pcapng
    }
    if (Status s = need(sizeof(pcap::FileHeader)); s != Status::Record) return s;
    if (magic == pcap::kMagicMicroseconds || magic == pcap::kMagicNanoseconds) {
        swapped_ = false;
    } else if (bswap32(magic) == pcap::kMagicMicroseconds ||
               bswap32(magic) == pcap::kMagicNanoseconds) {
        swapped_ = true;
        magic = bswap32(magic);
    } else {
        return fail(Reason::BadMagic, magic, 0);
    }
    nanosecond_ = magic == pcap::kMagicNanoseconds;
    // The link type's low 16 bits; the upper bits carry FCS information (pcap-savefile(5)).
    linktype_ = rd32(offsetof(pcap::FileHeader, linktype)) & 0xffff;
    format_ = CaptureFormat::Pcap;
    consume(sizeof(pcap::FileHeader));
    header_done_ = true;
    return Status::Record;
}

CaptureReader::Status CaptureReader::next(CaptureRecord& out) {
    if (!header_done_) {
        Status s = read_header();
        if (s != Status::Record) return s;
    }
    return format_ == CaptureFormat::Pcap ? next_pcap(out) : next_pcapng(out);
}

CaptureReader::Status CaptureReader::next_pcap(CaptureRecord& out) {
    if (Status s = need(sizeof(pcap::RecordHeader), /*at_boundary=*/true); s != Status::Record)
        return s;
    uint32_t sec = rd32(offsetof(pcap::RecordHeader, ts_sec)),
             frac = rd32(offsetof(pcap::RecordHeader, ts_frac)),
             caplen = rd32(offsetof(pcap::RecordHeader, incl_len)),
             origlen = rd32(offsetof(pcap::RecordHeader, orig_len));
    if (caplen > kMaxRecord) return fail(Reason::BadRecordLength, caplen, kMaxRecord);
    if (Status s = need(sizeof(pcap::RecordHeader) + caplen); s != Status::Record) return s;
    out.ts_sec = sec;
    out.ts_nsec = nanosecond_ ? frac : frac * 1000;
    if (out.ts_nsec >= 1000000000) out.ts_nsec = 999999999;  // a malformed fraction
    out.orig_len = std::max(origlen, caplen);
    out.data = Bytes(buf_.data() + start_ + sizeof(pcap::RecordHeader), caplen);
    consume(sizeof(pcap::RecordHeader) + caplen);
    return Status::Record;
}

CaptureReader::Status CaptureReader::next_pcapng(CaptureRecord& out) {
    for (;;) {
        if (Status s = need(12, /*at_boundary=*/true); s != Status::Record) return s;
        uint32_t raw_type;
        std::memcpy(&raw_type, buf_.data() + start_, 4);
        if (raw_type == kBlockShb) {
            // A new section: its byte-order magic decides how to read everything after it.
            uint32_t bom;
            std::memcpy(&bom, buf_.data() + start_ + 8, 4);
            if (bom == kByteOrderMagic)
                swapped_ = false;
            else if (bswap32(bom) == kByteOrderMagic)
                swapped_ = true;
            else
                return fail(Reason::BadMagic, bom, kByteOrderMagic);
            interfaces_.clear();
        }
        uint32_t type = rd32(0), len = rd32(4);
        if (len < 12 || len % 4 != 0 || len > kMaxRecord)
            return fail(Reason::BadRecordLength, len, kMaxRecord);
        if (Status s = need(len); s != Status::Record) return s;
        if (rd32(len - 4) != len) return fail(Reason::BadRecordLength, rd32(len - 4), len);
        if (type == kBlockIdb) {
            if (len < 20) return fail(Reason::BadRecordLength, len, 20);
            Interface itf{rd16(8), 1000000, rd32(12)};
            // Options: code, length, value padded to 4 (pcapng 3.5).
            for (size_t at = 16; at + 4 <= len - 4;) {
                uint16_t code = rd16(at), olen = rd16(at + 2);
                if (code == kOptEnd) break;
                if (at + 4 + olen > len - 4) return fail(Reason::BadOptionLength, olen, len);
                if (code == kOptIfTsresol && olen >= 1) {
                    uint8_t v = static_cast<uint8_t>(buf_[start_ + at + 4]);
                    uint64_t units = 1;
                    if (v & 0x80) {
                        unsigned exp = v & 0x7f;
                        units = exp < 64 ? (uint64_t{1} << exp) : 0;
                    } else {
                        for (unsigned i = 0; i < v && units; ++i)
                            units = units > UINT64_MAX / 10 ? 0 : units * 10;
                    }
                    if (units == 0) return fail(Reason::BadOption, v, 0);
                    itf.units_per_sec = units;
                }
                at += 4 + ((olen + 3u) & ~3u);
            }
            if (interfaces_.size() < 1024) interfaces_.push_back(itf);
            consume(len);
            continue;
        }
        if (type == kBlockEpb || type == kBlockPb) {
            if (len < 32) return fail(Reason::BadRecordLength, len, 32);
            uint32_t itf = type == kBlockEpb ? rd32(8) : rd16(8);
            if (itf >= interfaces_.size())
                return fail(Reason::BadOption, itf, static_cast<uint32_t>(interfaces_.size()));
            const Interface& i = interfaces_[itf];
            uint64_t ts = uint64_t{rd32(12)} << 32 | rd32(16);
            uint32_t caplen = rd32(20), origlen = rd32(24);
            if (caplen > len - 32) return fail(Reason::BadRecordLength, caplen, len - 32);
            out.ts_sec = static_cast<int64_t>(ts / i.units_per_sec);
            uint64_t rem = ts % i.units_per_sec;
            out.ts_nsec = static_cast<uint32_t>(i.units_per_sec >= 1000000000
                                                    ? rem / (i.units_per_sec / 1000000000)
                                                    : rem * (1000000000 / i.units_per_sec));
            out.orig_len = std::max(origlen, caplen);
            out.data = Bytes(buf_.data() + start_ + 28, caplen);
            linktype_ = i.linktype;
            nanosecond_ = i.units_per_sec > 1000000;
            consume(len);
            return Status::Record;
        }
        if (type == kBlockSpb) {
            if (len < 16) return fail(Reason::BadRecordLength, len, 16);
            if (interfaces_.empty()) return fail(Reason::BadOption, 0, 0);
            const Interface& i = interfaces_[0];
            uint32_t origlen = rd32(8);
            uint32_t caplen = std::min(origlen, len - 16);
            if (i.snaplen) caplen = std::min(caplen, i.snaplen);
            out.ts_sec = 0;
            out.ts_nsec = 0;
            out.orig_len = origlen;
            out.data = Bytes(buf_.data() + start_ + 12, caplen);
            linktype_ = i.linktype;
            consume(len);
            return Status::Record;
        }
        consume(len);  // SHB body, name resolution, statistics, custom blocks
    }
}

size_t CaptureReader::describe_error(char* out, size_t size) const {
    if (sys_err_)
        return snprintf_length(
            std::snprintf(out, size, "read failed at byte %llu: %s",
                          static_cast<unsigned long long>(consumed_ + (end_ - start_)),
                          std::strerror(sys_err_)),
            size);
    size_t k = format_error_text(err_, out, size);
    return k + snprintf_length(std::snprintf(out + k, size - k, " at byte %llu",
                                             static_cast<unsigned long long>(err_offset_)),
                               size - k);
}

}  // namespace tapd::wire
