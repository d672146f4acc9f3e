// tapctl's capture side: print or save frames from a tap fd, a pcap stream or a capture file.
#pragma once

#include <string>

namespace tapd::cli {

struct DecodeOptions {
    bool verbose = false;  // every field of every layer (see tapd::print::write_verbose)
    bool json = false;     // JSON Lines with Wireshark field names; wins over verbose
    long count = -1;       // stop after this many frames; -1 = unlimited
};

// All functions below return a process exit code (0 success, 1 failure) and print failures to
// stderr naming the file or value and the errno text.
//
// Signals: for their duration they block SIGINT and SIGTERM and wait with ppoll(), which
// unblocks them atomically, so Ctrl-C ends the capture cleanly between frames: buffered output
// is flushed, capture files are complete, and the exit code is 0. The previous signal mask and
// handlers are restored on return. SIGPIPE is left alone.

// fd is a tap fd opened with IFF_NO_PI and without IFF_VNET_HDR (as OpenTap gives it): each
// read() returns one Ethernet frame, timestamped when read. Only tests/wire/packet_cli_test.cpp
// calls this and capture_tap_fd_to_file: tapctl's sniff and capture read tapd's OpenCapture
// stream instead, which also works for a tap that another program holds.
int print_frames_from_tap_fd(int fd, const DecodeOptions& opts);

// fd carries a pcap or pcapng byte stream (global header, then records), e.g. from a pipe or a
// socket. Used by `tapctl sniff` through tapd's OpenCapture.
int print_frames_from_pcap_fd(int fd, const DecodeOptions& opts);

// `tapctl capture NAME -w FILE -c N` (capture_pcap_fd_to_file, on tapd's OpenCapture stream):
// FILE ending in .pcapng is written as pcapng (nanosecond timestamps), .pcap as pcap
// (microseconds), "-" as pcap to stdout; other names are refused. count -1 = until interrupted.
// Output is flushed whenever no input is waiting, so a reader of "-" sees each record promptly.
// Prints "N packets captured" to stderr at the end. capture_tap_fd_to_file: the same from a tap
// fd (see print_frames_from_tap_fd).
int capture_tap_fd_to_file(int fd, const std::string& path, long count);
int capture_pcap_fd_to_file(int fd, const std::string& path, long count);

// `tapctl read FILE [-v] [--json]`: a pcap or pcapng file ("-" = stdin).
int print_file(const std::string& path, const DecodeOptions& opts);

}  // namespace tapd::cli
