#!/bin/sh
# Frames kept by `tapctl capture -w` and lines/s of `tapctl sniff` (uid 65534, through tapd on a
# private bus) against root's `TZ=UTC tcpdump -w` and `TZ=UTC tcpdump -n -l` on the same tap under
# one 64-byte UDP flood, in interleaved rounds of one run, in scratch namespaces that
# capture_bench makes and removes. With OLD_TAPD, also through that (older) tapd's streamer, e.g.
# main's, built beside this one. Needs root, 2 CPUs (sender on CPU 0, readers and tapd on CPU 1)
# and release builds:
#
#   meson setup build-rel --buildtype=release -Dtests=enabled -Dbench=enabled && ninja -C build-rel
#   git worktree add --detach ../tapd-main main && (cd ../tapd-main &&
#       meson setup build-rel --buildtype=release && ninja -C build-rel daemon/tapd)
#   bench/capture/capture_vs_tcpdump.sh [BUILD_DIR] [ROUNDS] [SECONDS] [OLD_TAPD]
#                                       (build-rel, 7, 2, none)
#
# SCHED_RR (chrt -r) keeps other load of the machine off both CPUs for every reader alike. Not
# SCHED_FIFO: there a reader process that never blocks (the old streamer under a flood) keeps the
# CPU from the tapctl it feeds, which then gets ~1 % of the frames: a scheduling artefact.
set -eu
build=${1:-build-rel}
rounds=${2:-7}
seconds=${3:-2}
old=${4:-}
export TZ=UTC
exec chrt -r 10 "$build/bench/capture/capture_bench" --rounds "$rounds" --seconds "$seconds" \
    ${old:+--old-tapd "$old"}
