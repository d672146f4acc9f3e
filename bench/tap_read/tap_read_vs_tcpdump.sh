#!/bin/sh
# Frames/s a tap delivers under a 64-byte UDP flood: TapReader (libtapd) and a plain read() loop
# as uid 65534 on a tap fd opened beforehand, io_uring multishot reads (Linux >= 6.7), and root's
# `TZ=UTC tcpdump -n -i TAP -w /dev/null`, in interleaved rounds of one run, in a scratch network
# namespace that tap_read_bench makes and that goes with it. Needs root, 2 CPUs (sender on CPU 0,
# reader on CPU 1) and a release build:
#
#   meson setup build-rel --buildtype=release -Dtests=enabled -Dbench=enabled && ninja -C build-rel
#   bench/tap_read/tap_read_vs_tcpdump.sh [BUILD_DIR] [ROUNDS] [SECONDS]   (build-rel, 7, 2)
#
# SCHED_FIFO (chrt) keeps other load of the machine off both CPUs for all consumers alike.
set -eu
build=${1:-build-rel}
rounds=${2:-7}
seconds=${3:-2}
export TZ=UTC
exec chrt -f 10 "$build/bench/tap_read/tap_read_bench" --rounds "$rounds" --seconds "$seconds"
