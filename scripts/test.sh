#!/usr/bin/env bash
# The README's test command (and exactly what .ci/run calls): installs the
# Debian packages, builds with warnings as errors, runs every test (unit,
# contract, end-to-end against real peers on loopback), then runs every
# libFuzzer target for a bounded time (tests/fuzz/run.sh; DAOCTL_FUZZ_SECONDS
# per target, default 5) after replaying the saved crash regressions, then
# builds the whole suite again with ASan + UBSan and runs it there
# (scripts/test-asan.sh: every sanitizer report fails the run).
# All three parts always run; the exit status is non-zero if any failed.
# DAOCTL_SKIP_ASAN=1 leaves the sanitizer part out for a quicker local loop;
# CI never sets it.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
cmake --preset ci >/dev/null
cmake --build --preset ci
status=0
ctest --preset ci "$@" || status=$?
tests/fuzz/run.sh "${DAOCTL_FUZZ_SECONDS:-5}" || status=$?
if [ "${DAOCTL_SKIP_ASAN:-0}" != 1 ]; then
  ./scripts/test-asan.sh || status=$?
fi
exit "$status"
