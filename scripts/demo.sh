#!/bin/bash
# Command 1 of the README: install, build, and run the demo (examples/demo.sh) as root.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh
exec examples/demo.sh build
