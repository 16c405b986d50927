#!/usr/bin/env bash
# The whole test suite under AddressSanitizer + LeakSanitizer + UBSan (issue
# #10): configures and builds the "asan" preset (Debug, build-asan/, warnings
# are errors) and runs every test with the asan test preset. Any sanitizer
# report fails: the reporting process aborts (unit tests fail directly) and
# every report is also written to build-asan/sanitizer-logs/, which the last
# test, "sanitizer: no reports", requires to be empty (see ARCHITECTURE.md,
# "Sanitizer runs"). Extra arguments go to ctest (e.g. -R 'e2e: users').
# Exits non-zero on any build failure, test failure or report.
set -euo pipefail
cd "$(dirname "$0")/.."
# The test preset sets these too; repeated so that a bare `ctest` in the same
# environment behaves the same.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:abort_on_error=1}
cmake --preset asan >/dev/null
nice -n 5 cmake --build --preset asan
ctest --preset asan "$@"
