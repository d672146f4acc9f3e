// libFuzzer target: the summary, verbose and JSON writers on whatever decode() makes of the input.
#include <cstdint>
#include <string>

#include "print/json.hpp"
#include "print/summary.hpp"
#include "print/verbose.hpp"

using namespace tapd::wire;
using namespace tapd::print;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static Decoded d;
    static TimeFormatter tf;
    Bytes frame = as_bytes(data, size);
    std::string out;
    {
        TextBuffer text(&out);
        FrameMeta m{1, static_cast<int64_t>(size) * 1000003,
                    static_cast<uint32_t>(size) * 7919u % 1000000000u, static_cast<uint32_t>(size),
                    (size & 1) != 0};
        for (size_t wire_len : {size_t{0}, size + 100}) {
            decode(frame, d, {}, wire_len);
            write_summary_line(text, tf, d, m);
            write_verbose(text, tf, d, m);
            write_json(text, d, m);
        }
    }
    // JSON Lines: every line must be one object with no raw control characters.
    for (char c : out)
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n') __builtin_trap();
    return 0;
}
