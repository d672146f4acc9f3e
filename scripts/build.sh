#!/bin/bash
# Installs the packages (scripts/install-deps.sh) and builds everything into build/; the first
# step of the README's commands (scripts/demo.sh, scripts/test.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
# Everything that is optional elsewhere is required here, so that a missing package fails the
# build instead of silently leaving its tests out of CI.
[ -d build ] || meson setup build -Dtests=enabled -Dbench=enabled -Dman=enabled
ninja -C build
