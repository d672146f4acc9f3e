// `tapctl read FILE [-v|--json]` without D-Bus: tapd::cli::print_file for benchmarking.
#include <cstring>

#include "packet_cli/packet_cli.hpp"

int main(int argc, char** argv) {
    tapd::cli::DecodeOptions opts;
    const char* path = nullptr;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "-v") == 0)
            opts.verbose = true;
        else if (std::strcmp(argv[i], "--json") == 0)
            opts.json = true;
        else
            path = argv[i];
    }
    if (!path) return 2;
    return tapd::cli::print_file(path, opts);
}
