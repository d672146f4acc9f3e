// Instructions per frame, for callgrind: decode_bench's hot and malformed traffic decoded a fixed
// number of passes. Instruction counts repeat exactly where timings on a shared machine do not,
// so a change to the decoder can be weighed to a fraction of an instruction per frame.
//
// Usage: decode_count MODE PASSES, MODE 0 decode() without checksums, 1 decode_headers(),
// 2 decode() with checksums, 3 decode() of the malformed frames. Run it under
// `valgrind --tool=callgrind` with PASSES 0 (building the traffic only) and N; the difference in
// instructions divided by N * 4096 is the cost per frame.
#include <cstdio>
#include <cstdlib>

#include "traffic.hpp"
#include "wire/decode.hpp"

using namespace tapd::wire;

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: decode_count MODE(0-3) PASSES\n");
        return 2;
    }
    const int mode = std::atoi(argv[1]);
    const int passes = std::atoi(argv[2]);
    const bench::Traffic hot = bench::make_traffic(4096, 1);
    const bench::Traffic bad = bench::make_malformed(hot, 2);
    const bench::Traffic& t = mode == 3 ? bad : hot;
    const DecodeFlags flags{.verify_checksums = mode == 2};
    Decoded d;
    FrameHeaders h;
    uint64_t acc = 0;  // printed, so that no decode is optimised away
    for (int p = 0; p < passes; ++p) {
        for (size_t i = 0; i < t.count(); ++i) {
            Bytes f = t.frame(i);
            if (mode == 1) {
                decode_headers(f, h);
                acc += h.layers + h.l4_offset;
            } else {
                decode(f, d, flags);
                acc += d.layers + d.l4_offset + static_cast<unsigned>(d.l4_checksum);
            }
        }
    }
    std::printf("%llu\n", static_cast<unsigned long long>(acc));
    return 0;
}
