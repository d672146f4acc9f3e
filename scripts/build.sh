#!/bin/bash
# Installs the packages (scripts/install-deps.sh) and builds everything into build/; the first
# step of the README's commands (scripts/demo.sh, scripts/test.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
[ -d build ] || meson setup build
ninja -C build
