// Capture files: pcap and pcapng writers, and a streaming reader for both (Ethernet link type).
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "pcap_format.hpp"
#include "wire/bytes.hpp"
#include "wire/error.hpp"

namespace tapd::wire {

namespace linktype {
inline constexpr uint32_t kEthernet = pcap::kLinktypeEthernet;
}

enum class CaptureFormat : uint8_t { Pcap, Pcapng };

struct CaptureRecord {
    int64_t ts_sec = 0;
    uint32_t ts_nsec = 0;
    uint32_t orig_len = 0;
    Bytes data;  // valid until the reader's next call
};

// Writes one capture file or stream to an fd it does not own, buffered; the caller checks
// error() (an errno) after write()/flush(). Link type is Ethernet.
class CaptureWriter {
  public:
    static constexpr uint32_t kSnapLen = pcap::kMaxSnapLen;

    virtual ~CaptureWriter();
    CaptureWriter(const CaptureWriter&) = delete;
    CaptureWriter& operator=(const CaptureWriter&) = delete;

    // Pcap (pcap_format.hpp): microsecond or nanosecond magic, native byte order.
    // Pcapng: one section, one interface with if_tsresol 6 or 9. The header is buffered at once.
    static std::unique_ptr<CaptureWriter> create(int fd, CaptureFormat format, bool nanosecond);

    // Appends a record; data longer than kSnapLen is cut to it (orig_len keeps the truth).
    virtual void write(const CaptureRecord& r) = 0;
    bool flush();
    int error() const { return err_; }
    uint64_t records() const { return records_; }

  protected:
    CaptureWriter(int fd, bool nanosecond);
    void put(const void* p, size_t n);
    void put32(uint32_t v) { put(&v, 4); }
    void put16(uint16_t v) { put(&v, 2); }

    int fd_;
    bool nanosecond_;
    uint64_t records_ = 0;

  private:
    std::vector<std::byte> buf_;
    size_t len_ = 0;
    int err_ = 0;
};

// Where a reader gets bytes: a file or pipe fd, or memory (tests, fuzzing).
class ByteSource {
  public:
    virtual ~ByteSource() = default;
    // Like read(2): bytes read, 0 at end, -1 with errno set.
    virtual ssize_t read(void* buf, size_t n) = 0;
};

class FdSource final : public ByteSource {
  public:
    explicit FdSource(int fd) : fd_(fd) {}
    // Retries EINTR unless stop_on_eintr, so that SIGINT can end a blocking read.
    ssize_t read(void* buf, size_t n) override;
    bool stop_on_eintr = false;

  private:
    int fd_;
};

class MemorySource final : public ByteSource {
  public:
    explicit MemorySource(Bytes data) : data_(data) {}
    ssize_t read(void* buf, size_t n) override;

  private:
    Bytes data_;
};

// Reads pcap (either byte order, micro- or nanosecond magic) and pcapng (SHB, IDB, EPB, SPB,
// obsolete PB; other blocks skipped; per-interface if_tsresol) from a stream, without seeking,
// so a pipe works. The buffer grows only for records larger than it, up to kMaxRecord.
class CaptureReader {
  public:
    static constexpr size_t kMaxRecord = 16 << 20;

    enum class Status { Record, End, Error };

    static constexpr size_t kDefaultBuffer = 1 << 20;

    // buffer_size is the initial read buffer; it grows for larger records.
    explicit CaptureReader(ByteSource& src, size_t buffer_size = kDefaultBuffer);

    // Reads the next record (the file header first, on the first call).
    Status next(CaptureRecord& out);

    CaptureFormat format() const { return format_; }
    bool nanosecond() const { return nanosecond_; }
    // Link type of the last record's interface (pcap: the file's).
    uint32_t linktype() const { return linktype_; }
    // After Status::Error: errno of a failed read (0 for a format error), the format error
    // (layer Pcap, reason, value, limit; its offset is 0), and the byte offset in the stream
    // where it was found (64-bit: a stream may pass 4 GiB).
    int sys_error() const { return sys_err_; }
    const WireError& format_error_value() const { return err_; }
    uint64_t error_offset() const { return err_offset_; }
    // "what went wrong at byte N" (NUL-terminated, cut to size); returns the length.
    size_t describe_error(char* out, size_t size) const;

  private:
    bool fill(size_t need);  // ensures need bytes are buffered; false at EOF/error
    Status fail(Reason reason, uint32_t value, uint32_t limit);
    // fill(n), or why not: Record when n bytes are buffered; else Error (a failed read, or the
    // stream ends short of them), or End when at_boundary and it ended with nothing buffered.
    Status need(size_t n, bool at_boundary = false);
    Status read_header();
    Status next_pcap(CaptureRecord& out);
    Status next_pcapng(CaptureRecord& out);
    uint32_t rd32(size_t at) const;
    uint16_t rd16(size_t at) const;
    void consume(size_t n);

    ByteSource& src_;
    std::vector<std::byte> buf_;
    size_t start_ = 0;
    size_t end_ = 0;
    uint64_t consumed_ = 0;  // stream offset of buf_[start_]
    bool eof_ = false;
    bool header_done_ = false;
    bool swapped_ = false;
    bool nanosecond_ = false;
    CaptureFormat format_ = CaptureFormat::Pcap;
    uint32_t linktype_ = 0;
    struct Interface {
        uint32_t linktype;
        uint64_t units_per_sec;  // from if_tsresol
        uint32_t snaplen;
    };
    std::vector<Interface> interfaces_;
    int sys_err_ = 0;
    WireError err_{};
    uint64_t err_offset_ = 0;
};

}  // namespace tapd::wire
