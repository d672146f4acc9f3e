#!/bin/bash
# Command 1 of the README: install, build, and run the demo (examples/demo.sh) as root.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
[ -d build ] || meson setup build
ninja -C build
exec examples/demo.sh build
