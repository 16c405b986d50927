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
# CI keeps only the end of this output, so every part's result is repeated in
# a recap at the very end: the failed tests' names, the fuzz targets that did
# not pass with their first report lines, and each part's exit status.
recap=()
failed_tests() {
  local f="$1/Testing/Temporary/LastTestsFailed.log"
  if [ -s "$f" ]; then sed 's/^/    failed: /' "$f"; fi
  return 0
}
rc=0
rm -f build/Testing/Temporary/LastTestsFailed.log build-asan/Testing/Temporary/LastTestsFailed.log  # CTest keeps a stale one
ctest --preset ci "$@" || rc=$?
recap+=("tests (build/): exit $rc")
[ $rc -eq 0 ] || { status=$rc; recap+=("$(failed_tests build)"); }

fuzz_log="$(mktemp "${TMPDIR:-/tmp}/daoctl-fuzz-log.XXXXXX")"
rc=0
tests/fuzz/run.sh "${DAOCTL_FUZZ_SECONDS:-5}" 2>&1 | tee "$fuzz_log" || rc=$?
recap+=("fuzz: exit $rc")
if [ $rc -ne 0 ]; then
  status=$rc
  recap+=("$( (grep -v -E '^fuzz: .* ok +execs' "$fuzz_log" || true) | tail -40 | sed 's/^/    /')")
fi
rm -f "$fuzz_log"

if [ "${DAOCTL_SKIP_ASAN:-0}" != 1 ]; then
  rc=0
  ./scripts/test-asan.sh || rc=$?
  recap+=("tests under ASan+UBSan (build-asan/): exit $rc")
  [ $rc -eq 0 ] || { status=$rc; recap+=("$(failed_tests build-asan)"); }
else
  recap+=("tests under ASan+UBSan: skipped (DAOCTL_SKIP_ASAN=1)")
fi

echo
echo "== recap =="
for line in "${recap[@]}"; do [ -n "$line" ] && printf '%s\n' "$line"; done
echo "== exit $status =="
exit "$status"
