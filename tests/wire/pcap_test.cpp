// Tests for the pcap/pcapng writers and the streaming capture reader.
#include <gtest/gtest.h>

#include <sys/mman.h>
#include <unistd.h>

#include <cstring>

#include "samples.hpp"
#include "wire/pcap.hpp"

namespace tapd::wire {
namespace {

using test::hex;

// An anonymous in-memory file that the writer writes to and the test reads back.
class MemFile {
  public:
    MemFile() : fd_(memfd_create("pcap_test", MFD_CLOEXEC)) {}
    ~MemFile() { ::close(fd_); }
    int fd() const { return fd_; }
    std::vector<std::byte> contents() const {
        std::vector<std::byte> out(static_cast<size_t>(lseek(fd_, 0, SEEK_END)));
        EXPECT_EQ(pread(fd_, out.data(), out.size(), 0), static_cast<ssize_t>(out.size()));
        return out;
    }

  private:
    int fd_;
};

std::vector<std::byte> write_capture(CaptureFormat fmt, bool ns,
                                     const std::vector<std::vector<std::byte>>& frames) {
    MemFile f;
    auto w = CaptureWriter::create(f.fd(), fmt, ns);
    int64_t sec = 1700000000;
    for (size_t i = 0; i < frames.size(); ++i)
        w->write({sec + static_cast<int64_t>(i), 123456789u,
                  static_cast<uint32_t>(frames[i].size() + i), frames[i]});
    EXPECT_TRUE(w->flush());
    EXPECT_EQ(w->records(), frames.size());
    return f.contents();
}

std::vector<std::vector<std::byte>> some_frames() {
    return {hex(test::kUdp4), hex(test::kTcpSyn), hex(test::kArpRequest), hex(test::kUdp6FragHbh)};
}

TEST(CaptureWriter, WritesAPcapHeaderWithTheMicrosecondMagicAndEthernetLinkType) {
    auto bytes = write_capture(CaptureFormat::Pcap, false, {});
    ASSERT_EQ(bytes.size(), 24u);
    uint32_t magic, snaplen, link;
    std::memcpy(&magic, bytes.data(), 4);
    std::memcpy(&snaplen, bytes.data() + 16, 4);
    std::memcpy(&link, bytes.data() + 20, 4);
    EXPECT_EQ(magic, 0xa1b2c3d4u);
    EXPECT_EQ(snaplen, 262144u);
    EXPECT_EQ(link, 1u);
}

TEST(CaptureReader, ReadsBackEveryRecordTheWritersWrote) {
    auto frames = some_frames();
    for (auto fmt : {CaptureFormat::Pcap, CaptureFormat::Pcapng}) {
        for (bool ns : {false, true}) {
            auto bytes = write_capture(fmt, ns, frames);
            MemorySource src(bytes);
            CaptureReader r(src);
            CaptureRecord rec;
            for (size_t i = 0; i < frames.size(); ++i) {
                ASSERT_EQ(r.next(rec), CaptureReader::Status::Record) << i;
                EXPECT_EQ(r.format(), fmt);
                EXPECT_EQ(r.nanosecond(), ns);
                EXPECT_EQ(r.linktype(), linktype::kEthernet);
                EXPECT_TRUE(std::ranges::equal(rec.data, frames[i]));
                EXPECT_EQ(rec.ts_sec, 1700000000 + static_cast<int64_t>(i));
                EXPECT_EQ(rec.ts_nsec, ns ? 123456789u : 123456000u);
                EXPECT_EQ(rec.orig_len, frames[i].size() + i);
            }
            EXPECT_EQ(r.next(rec), CaptureReader::Status::End);
        }
    }
}

TEST(CaptureReader, ReadsABigEndianPcapFile) {
    // Written on a big-endian host: magic a1b2c3d4 in big-endian order, one 4-byte record.
    auto bytes =
        hex("a1b2c3d4 0002 0004 00000000 00000000 0000ffff 00000001"
            "65538000 0001e240 00000004 0000003c deadbeef");
    MemorySource src(bytes);
    CaptureReader r(src);
    CaptureRecord rec;
    ASSERT_EQ(r.next(rec), CaptureReader::Status::Record);
    EXPECT_EQ(rec.ts_sec, 0x65538000);
    EXPECT_EQ(rec.ts_nsec, 123456000u);
    EXPECT_EQ(rec.orig_len, 60u);
    EXPECT_EQ(rec.data.size(), 4u);
    EXPECT_EQ(r.next(rec), CaptureReader::Status::End);
}

TEST(CaptureReader, ReportsEveryTruncationOfAFileAsAnErrorOrACleanEnd) {
    auto frames = some_frames();
    for (auto fmt : {CaptureFormat::Pcap, CaptureFormat::Pcapng}) {
        auto bytes = write_capture(fmt, false, frames);
        for (size_t n = 0; n < bytes.size(); ++n) {
            MemorySource src(Bytes(bytes).first(n));
            CaptureReader r(src);
            CaptureRecord rec;
            size_t records = 0;
            CaptureReader::Status s;
            while ((s = r.next(rec)) == CaptureReader::Status::Record) ++records;
            ASSERT_LT(records, frames.size()) << n;
            if (s == CaptureReader::Status::Error) {
                EXPECT_EQ(r.format_error_value().reason, Reason::Truncated) << n;
                char text[200];
                EXPECT_GT(r.describe_error(text, sizeof text), 0u);
            }
        }
    }
}

TEST(CaptureReader, RejectsAnUnknownMagicNumber) {
    auto bytes = hex("0badf00d 0002 0004 00000000 00000000 0000ffff 00000001");
    MemorySource src(bytes);
    CaptureReader r(src);
    CaptureRecord rec;
    ASSERT_EQ(r.next(rec), CaptureReader::Status::Error);
    EXPECT_EQ(r.format_error_value().reason, Reason::BadMagic);
    char text[200];
    r.describe_error(text, sizeof text);
    EXPECT_STREQ(text, "pcap: bad magic number 0x0df0ad0b at byte 0");
}

TEST(CaptureReader, RejectsARecordLongerThanItsLimit) {
    auto bytes = write_capture(CaptureFormat::Pcap, false, {hex(test::kUdp4)});
    uint32_t huge = CaptureReader::kMaxRecord + 1;
    std::memcpy(bytes.data() + 24 + 8, &huge, 4);
    MemorySource src(bytes);
    CaptureReader r(src);
    CaptureRecord rec;
    ASSERT_EQ(r.next(rec), CaptureReader::Status::Error);
    EXPECT_EQ(r.format_error_value().reason, Reason::BadRecordLength);
    EXPECT_EQ(r.error_offset(), 24u);
}

TEST(CaptureReader, RejectsAPcapngBlockWhoseTrailingLengthDisagrees) {
    auto bytes = write_capture(CaptureFormat::Pcapng, false, {hex(test::kUdp4)});
    bytes[bytes.size() - 1] = std::byte{0x7f};
    MemorySource src(bytes);
    CaptureReader r(src);
    CaptureRecord rec;
    EXPECT_EQ(r.next(rec), CaptureReader::Status::Error);
    EXPECT_EQ(r.format_error_value().reason, Reason::BadRecordLength);
}

TEST(CaptureReader, ReadsRecordsThatArriveOneByteAtATime) {
    class Trickle final : public ByteSource {
      public:
        explicit Trickle(Bytes b) : b_(b) {}
        ssize_t read(void* buf, size_t n) override {
            if (b_.empty() || n == 0) return 0;
            std::memcpy(buf, b_.data(), 1);
            b_ = b_.subspan(1);
            return 1;
        }

      private:
        Bytes b_;
    };
    auto frames = some_frames();
    auto bytes = write_capture(CaptureFormat::Pcapng, true, frames);
    Trickle src(bytes);
    CaptureReader r(src);
    CaptureRecord rec;
    size_t n = 0;
    while (r.next(rec) == CaptureReader::Status::Record)
        ASSERT_TRUE(std::ranges::equal(rec.data, frames[n++]));
    EXPECT_EQ(n, frames.size());
}

}  // namespace
}  // namespace tapd::wire
