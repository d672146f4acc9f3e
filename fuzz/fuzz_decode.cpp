// libFuzzer target: decode() on arbitrary bytes, whole and as a snaplen cut, and the builder's
// round trip parse(decode(emit(parse(decode(x))))) == parse(decode(x)).
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "wire/frame.hpp"

using namespace tapd::wire;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    Bytes frame = as_bytes(data, size);
    static Decoded d;
    decode(frame, d, {}, size + 1);  // as if a snaplen cut it
    decode(frame, d);
    if (d.has_error && d.error.offset > size) abort();  // an error must point into the frame
    auto repr = FrameRepr::parse(d, /*ndp_as_generic=*/true);
    if (!repr) return 0;
    FrameRepr f = *repr;
    if (f.net == FrameRepr::Net::Ipv4 && f.ipv4.options_len % 4 != 0) return 0;
    std::vector<std::byte> buf(f.buffer_len());
    if (f.emit(buf) != buf.size()) abort();
    static Decoded again;
    decode(buf, again);
    auto back = FrameRepr::parse(again, /*ndp_as_generic=*/true);
    if (!back) abort();
    f.complete();
    if (!(*back == f)) abort();
    return 0;
}
