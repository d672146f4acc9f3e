#!/bin/bash
# Command 2 of the README: install, build and run every test (unit, integration, differential,
# fuzzing for a bounded time) as root. Under CI=true a privileged test that cannot run fails.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
[ -d build ] || meson setup build
ninja -C build
meson test -C build --print-errorlogs --num-processes 2
if [ -x fuzz/run.sh ]; then
    fuzz/run.sh "${TAPD_FUZZ_SECONDS:-60}"
fi
