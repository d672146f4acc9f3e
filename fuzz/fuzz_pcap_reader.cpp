// libFuzzer target: the pcap/pcapng stream reader on arbitrary bytes, decoding every record.
#include <cstdint>

#include "wire/decode.hpp"
#include "wire/pcap.hpp"

using namespace tapd::wire;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    MemorySource src(as_bytes(data, size));
    CaptureReader r(src, 4096);  // small, so the buffer's growth path runs too
    CaptureRecord rec;
    static Decoded d;
    size_t records = 0;
    for (;;) {
        auto s = r.next(rec);
        if (s != CaptureReader::Status::Record) {
            if (s == CaptureReader::Status::Error) {
                char text[256];
                r.describe_error(text, sizeof text);
            }
            break;
        }
        if (rec.data.size() > size || rec.ts_nsec >= 1000000000u) __builtin_trap();
        decode(rec.data, d, {}, rec.orig_len);
        if (++records > size) __builtin_trap();  // every record consumes input
    }
    return 0;
}
