#!/bin/bash
# Instructions per CreateTap at each n: scale_bench's rounds with tapd run under callgrind, which
# counts the user-space instructions each Service::create executes (one dump per call). Kernel
# time is not counted, and neither are cache misses: a count that stays flat from n = 10 to 1,000
# says tapd's own work does not grow with the taps on the host, whatever the caches do.
# Usage (root): bench/callgrind/creates.sh BUILD_DIR [ROUNDS [N...]]   (default: 3 rounds, n = 10 1000)
set -euo pipefail
build=${1:?usage: $0 BUILD_DIR [ROUNDS [N...]]}
rounds=${2:-3}
shift $(($# < 2 ? $# : 2))
ns=("$@")
[ ${#ns[@]} -gt 0 ] || ns=(10 1000)
command -v valgrind >/dev/null || { echo "$0: valgrind is not installed" >&2; exit 1; }
# Two creates per round (the D-Bus call and tapctl's), no older binary: what the count assumes.
unset SCALE_BENCH_CALLS_ONLY TAPD_OLD
out=$(mktemp -d /tmp/tapd-callgrind.XXXXXX)
trap 'rm -rf "$out"' EXIT
chmod 1777 "$out"  # tapd writes its dumps here
# tapd runs under a wrapper (the harness splits TAPD_TEST_WRAP on spaces, and create's name has
# some). TAPD_PROFILE is unset for tapd: the profile's own text is not counted.
cat > "$out/wrap" <<WRAP
#!/bin/sh
fn='tapd::Service::create(tapd::Caller const&, tapd::IfName const&, tapd::CreateOptions const&)'
exec env -u TAPD_PROFILE valgrind --tool=callgrind --collect-atstart=no "--toggle-collect=\$fn" \\
    "--dump-after=\$fn" "--callgrind-out-file=$out/callgrind.out.%p" "\$@"
WRAP
chmod 755 "$out/wrap"
export TAPD_TEST_WRAP="$out/wrap"
"$build/bench/scale_bench" "$rounds" "${ns[@]}" > "$out/bench.log" 2>&1 ||
    { cat "$out/bench.log" >&2; exit 1; }
# Each tapd (one per n) dumped once per create: first its n populating taps, then two per round
# (the D-Bus call and tapctl's).
python3 - "$out" "$rounds" <<'PY'
import collections, glob, os, re, statistics, sys
out, rounds = sys.argv[1], int(sys.argv[2])
calls = collections.defaultdict(dict)
for f in glob.glob(os.path.join(out, "callgrind.out.*.*")):
    m = re.search(r"callgrind\.out\.(\d+)\.(\d+)$", f)
    if not m:
        continue
    with open(f) as text:
        for line in text:
            if line.startswith(("summary:", "totals:")):
                calls[m.group(1)][int(m.group(2))] = int(line.split()[1])
                break
rows = []
for pid, by_part in calls.items():
    irs = [by_part[k] for k in sorted(by_part)]
    n = len(irs) - 2 * rounds
    if n < 1:
        continue
    measured = irs[n:]
    rows.append((n, statistics.median(measured), min(measured), max(measured), len(measured)))
rows.sort()
print("| n | instructions per CreateTap, median (min-max) | calls |")
print("|---:|---:|---:|")
for n, med, lo, hi, k in rows:
    print(f"| {n} | {med:,.0f} ({lo:,}-{hi:,}) | {k} |")
if len(rows) > 1:
    print(f"n={rows[-1][0]} / n={rows[0][0]} = {rows[-1][1] / rows[0][1]:.3f}x")
PY
