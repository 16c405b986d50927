#!/usr/bin/env bash
# The README's test command (and exactly what .ci/run calls): installs the
# Debian packages, builds with warnings as errors, runs every test (unit,
# contract, end-to-end against real peers on loopback).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
cmake --preset ci >/dev/null
cmake --build --preset ci
ctest --preset ci "$@"
