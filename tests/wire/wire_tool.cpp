// Test helper: print a capture file as tapctl would (summary/json/verbose), or rewrite it with
// tapd's own writers (convert IN OUT.pcap|OUT.pcapng) so external tools can read the result.
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "packet_cli/packet_cli.hpp"
#include "wire/pcap.hpp"

namespace {

int convert(const char* in, const char* out) {
    int ifd = open(in, O_RDONLY | O_CLOEXEC);
    if (ifd < 0) {
        std::fprintf(stderr, "open %s: %s\n", in, std::strerror(errno));
        return 1;
    }
    int ofd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (ofd < 0) {
        std::fprintf(stderr, "open %s: %s\n", out, std::strerror(errno));
        close(ifd);
        return 1;
    }
    std::string o(out);
    bool ng = o.size() > 7 && o.substr(o.size() - 7) == ".pcapng";
    bool ns = o.find("-ns") != std::string::npos;
    tapd::wire::FdSource src(ifd);
    tapd::wire::CaptureReader r(src);
    auto w = tapd::wire::CaptureWriter::create(
        ofd, ng ? tapd::wire::CaptureFormat::Pcapng : tapd::wire::CaptureFormat::Pcap, ns);
    tapd::wire::CaptureRecord rec;
    tapd::wire::CaptureReader::Status s;
    while ((s = r.next(rec)) == tapd::wire::CaptureReader::Status::Record) w->write(rec);
    int rc = 0;
    if (s == tapd::wire::CaptureReader::Status::Error) {
        char text[256];
        r.describe_error(text, sizeof text);
        std::fprintf(stderr, "%s: %s\n", in, text);
        rc = 1;
    }
    if (!w->flush()) {
        std::fprintf(stderr, "write %s: %s\n", out, std::strerror(w->error()));
        rc = 1;
    }
    close(ifd);
    close(ofd);
    return rc;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc == 3 && std::strcmp(argv[1], "json") == 0)
        return tapd::cli::print_file(argv[2], {.json = true});
    if (argc == 3 && std::strcmp(argv[1], "summary") == 0)
        return tapd::cli::print_file(argv[2], {});
    if (argc == 3 && std::strcmp(argv[1], "verbose") == 0)
        return tapd::cli::print_file(argv[2], {.verbose = true});
    if (argc == 4 && std::strcmp(argv[1], "convert") == 0) return convert(argv[2], argv[3]);
    std::fprintf(stderr, "usage: %s json|summary|verbose FILE | convert IN OUT\n", argv[0]);
    return 2;
}
