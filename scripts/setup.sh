#!/usr/bin/env bash
# The README's set-up command: installs the Debian packages, builds, and runs
# the demo job against a throwaway daoctl-sim on loopback with bundled sample
# data, then stops the simulator and removes its data.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
cmake --preset dev >/dev/null
# The demo needs the two binaries, not the ~25 test executables (the test
# command builds those): a third of the cold build.
cmake --build --preset dev --target daoctl daoctl-sim
exec ./scripts/demo.sh
