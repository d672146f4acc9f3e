#!/bin/bash
# libtapd as a library user gets it: `meson install --destdir`, then a C++ program built with
# the installed libtapd.pc only decodes a static Ethernet/IPv4/UDP frame with the installed
# <tapd/wire/...> headers and prints what tapctl would (decode_frame: with the headers the text
# forms had before they moved to <tapd/print/...>, which stay installed; print_frame: with
# today's); a C11 program does the same through the C API (<tapd/tapd.h>). (c_api_test runs that
# C program against tapd.)
# Usage: install_test.sh BUILD_DIR DECODE_FRAME_CPP TAP_FD_C PRINT_FRAME_CPP
set -eu
here=$(dirname "$0")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/install-test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
libdir=$("$here/build_installed.sh" "$1" "$tmp" "$2" "$3" "$4")
failures=0
inc=$(find "$tmp/root" -path '*/include/tapd' -type d -print -quit)
for h in client.hpp unique_fd.hpp pcap_format.hpp tapd.h wire/decode.hpp wire/summary.hpp \
    wire/bytes.hpp wire/tlv_option.hpp print/summary.hpp print/verbose.hpp print/json.hpp; do
    [ -f "$inc/$h" ] || { echo "FAIL: tapd/$h is not installed"; failures=$((failures + 1)); }
done
# Helpers of the library's own .cpp files are not part of the API.
for h in wire/internal.hpp wire/write_all.hpp wire/snprintf_length.hpp print/names.hpp \
    print/field_text.hpp print/summary_parts.hpp print/verbose_lines.hpp print/verbose_parts.hpp; do
    if [ -e "$inc/$h" ]; then
        echo "FAIL: tapd/$h is installed"
        failures=$((failures + 1))
    fi
done
# expect WHAT GOT WANT: a failure unless the program WHAT printed WANT.
expect() {
    if [ "$2" != "$3" ]; then
        printf 'FAIL: %s printed\n%s\ninstead of\n%s\n' "$1" "$2" "$3"
        failures=$((failures + 1))
    fi
}
line='IP 192.168.69.1.40000 > 203.0.113.1.7777: UDP, length 5'
got=$(LD_LIBRARY_PATH=$libdir "$tmp/decode_frame")
expect decode_frame "$got" "eth=1 ipv4=1 udp=1 error=0
$line"
expect print_frame "$(LD_LIBRARY_PATH=$libdir "$tmp/print_frame")" "$line
snaplen=262144"
expect "tap_fd summary" "$(LD_LIBRARY_PATH=$libdir "$tmp/tap_fd" summary)" "${#line} $line
${#line} IP 192.168"
# The program runs against the installed library, not the build tree's.
if ! LD_LIBRARY_PATH=$libdir ldd "$tmp/decode_frame" | grep -q "$libdir/libtapd.so.0"; then
    echo "FAIL: decode_frame does not load $libdir/libtapd.so.0"
    failures=$((failures + 1))
fi
[ "$failures" -eq 0 ] || exit 1
echo "ok: $got"
