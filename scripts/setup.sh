#!/usr/bin/env bash
# The README's set-up command: installs the Debian packages, builds, and runs
# the demo job against a throwaway daoctl-sim on loopback with bundled sample
# data, then stops the simulator and removes its data.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
cmake --preset dev >/dev/null
cmake --build --preset dev
exec ./scripts/demo.sh
