#!/usr/bin/env bash
# The README's test command (and exactly what .ci/run calls): installs the
# Debian packages, builds with warnings as errors, runs every test (unit,
# contract, end-to-end against real peers on loopback), then runs every
# libFuzzer target for a bounded time (tests/fuzz/run.sh; DAOCTL_FUZZ_SECONDS
# per target, default 5) after replaying the saved crash regressions.
# Both parts always run; the exit status is non-zero if either failed.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
cmake --preset ci >/dev/null
cmake --build --preset ci
status=0
ctest --preset ci "$@" || status=$?
tests/fuzz/run.sh "${DAOCTL_FUZZ_SECONDS:-5}" || status=$?
exit "$status"
