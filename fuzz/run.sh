#!/bin/sh
# Runs every libFuzzer target on its committed seed corpus, SECONDS in all (default 180), split
# evenly among the targets.
#
# Usage: fuzz/run.sh [SECONDS]     (from anywhere; builds build-fuzz/ at the repo root if absent)
# Env:   FUZZ_BUILD_DIR  build directory (default <repo>/build-fuzz)
#        FUZZ_JOBS       parallel fuzzing processes per target (default 1)
#        FUZZ_KEEP       directory to keep new corpus entries and crash files in (default: a
#                        temporary directory, removed on success)
# To fuzz longer, pass more seconds (e.g. fuzz/run.sh 14400), or run one target directly:
#   build-fuzz/fuzz/fuzz_decode -max_total_time=0 /tmp/new fuzz/corpus/decode
set -eu

total=${1:-180}
root=$(cd "$(dirname "$0")/.." && pwd)
build=${FUZZ_BUILD_DIR:-$root/build-fuzz}
jobs=${FUZZ_JOBS:-1}
targets="decode summary pcap_reader netlink"
set -- $targets
secs=$((total / $#))
[ "$secs" -ge 1 ] || secs=1

if [ ! -f "$build/build.ninja" ]; then
    CXX=${CXX:-clang++} meson setup "$build" "$root" -Dfuzz=true -Dtests=disabled -Dbench=disabled
fi
ninja -C "$build" $(for t in $targets; do printf 'fuzz/fuzz_%s ' "$t"; done)

keep=${FUZZ_KEEP:-}
work=${keep:-$(mktemp -d "${TMPDIR:-/tmp}/tapd-fuzz.XXXXXX")}
status=0
for t in $targets; do
    mkdir -p "$work/$t/corpus" "$work/$t/artifacts"
    echo "== fuzz_$t for ${secs}s"
    # New inputs go to the scratch corpus (listed first), so the committed seeds stay as they are.
    parallel=""
    [ "$jobs" -gt 1 ] && parallel="-jobs=$jobs -workers=$jobs"
    # shellcheck disable=SC2086 # $parallel is two options or nothing
    if ! "$build/fuzz/fuzz_$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
        $parallel -print_final_stats=1 \
        -artifact_prefix="$work/$t/artifacts/" \
        "$work/$t/corpus" "$root/fuzz/corpus/$t"; then
        echo "fuzz_$t FAILED; reproducer(s) in $work/$t/artifacts:" >&2
        ls -l "$work/$t/artifacts" >&2
        status=1
    fi
done
if [ "$status" -eq 0 ] && [ -z "$keep" ]; then
    rm -rf "$work"
fi
exit "$status"
