#!/bin/sh
# Whole-program comparison: `tapctl read FILE > /dev/null` (bench/wire/read_file, the same code)
# against `tcpdump -nr FILE > /dev/null` on one capture of mixed traffic, with hyperfine.
#
# Usage: bench/wire/read_vs_tcpdump.sh [BUILD_DIR] [FRAMES]   (defaults: build, 1000000)
# If build/client/tapctl exists it is measured too (`tapctl read`).
set -eu
build=${1:-build}
frames=${2:-1000000}
file=${TMPDIR:-/tmp}/tapd-bench-$frames.pcap
[ -f "$file" ] || "$build/bench/wire/make_capture" "$file" "$frames"
set -- "$build/bench/wire/read_file $file" "tcpdump -nr $file"
if [ -x "$build/client/tapctl" ]; then
    set -- "$@" "$build/client/tapctl read $file"
fi
hyperfine -N -w 1 -r 5 --output=null "$@"
