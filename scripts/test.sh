#!/bin/bash
# Command 2 of the README: install, build and run every test (unit, integration, differential,
# the Debian packages, fuzzing for a bounded time) as root. Under CI=true a privileged test that
# cannot run fails.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh
meson test -C build --no-rebuild --print-errorlogs --num-processes 2
# The Debian packages build, pass lintian and hold what they should (scripts/package.sh).
debs=$(mktemp -d /tmp/tapd-debs.XXXXXX)
trap 'rm -rf "$debs"' EXIT
scripts/package.sh "$debs"
fuzz/run.sh "${TAPD_FUZZ_SECONDS:-180}"  # in all, split among the targets
