#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan+UBSan) in build-fuzz and runs each
# for a bounded time on a copy of its seed corpus, after replaying every saved
# crash in tests/fuzz/regressions/<target>/. Exits non-zero when any target
# crashes, leaks, times out, runs out of memory or fails a replay.
#
#   tests/fuzz/run.sh [seconds-per-target] [target ...]     (default 20 s, all targets)
#
# Environment: DAOCTL_FUZZ_BUILD_DIR (default <repo>/build-fuzz),
# DAOCTL_FUZZ_CXX (default clang++-16), DAOCTL_FUZZ_JOBS (build jobs, default 2),
# DAOCTL_FUZZ_KEEP=1 keeps the work dir (grown corpora, logs),
# DAOCTL_FUZZ_BUILD_ONLY=1 stops after the build (bench/build.sh times the two apart),
# DAOCTL_FUZZ_PARALLEL (targets fuzzed at once, default 2).
# Crashes found are copied to <build>/fuzz-crashes/<target>/; see README.md.
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
SECONDS_PER_TARGET="${1:-20}"
shift || true
BUILD="${DAOCTL_FUZZ_BUILD_DIR:-$ROOT/build-fuzz}"
CXX_BIN="${DAOCTL_FUZZ_CXX:-clang++-16}"
JOBS="${DAOCTL_FUZZ_JOBS:-2}"

if ! [[ "$SECONDS_PER_TARGET" =~ ^[0-9]+$ ]]; then
  echo "usage: $0 [seconds-per-target] [target ...]" >&2
  exit 2
fi
if ! command -v "$CXX_BIN" >/dev/null; then
  echo "fuzz: $CXX_BIN not found (Debian: apt-get install clang-16 libclang-rt-16-dev)" >&2
  exit 2
fi

# Largest input the fuzzer makes per target (bytes); seeds may be larger.
declare -A MAX_LEN=([slack]=16384 [wxr]=16384 [mattermost]=16384 [archive]=8192 [sync_job]=8192
                    [env]=8192 [manifest]=8192 [scim_page]=8192)
DEFAULT_MAX_LEN=4096

t0=$(date +%s)
launcher=()
# The same cache for every clone of the repository (paths relative to it), as
# the presets do: a fresh clone on a machine that built before compiles little.
command -v ccache >/dev/null &&
  launcher=("-DCMAKE_CXX_COMPILER_LAUNCHER=/usr/bin/env;CCACHE_BASEDIR=$ROOT;CCACHE_NOHASHDIR=true;ccache")
if [ ! -f "$BUILD/build.ninja" ]; then
  cmake -S "$ROOT" -B "$BUILD" -G Ninja -DDAOCTL_FUZZ=ON -DDAOCTL_BUILD_TESTS=OFF \
    -DCMAKE_BUILD_TYPE= -DCMAKE_CXX_COMPILER="$CXX_BIN" "${launcher[@]}" >"$BUILD.configure.log" 2>&1 ||
    { cat "$BUILD.configure.log" >&2; echo "fuzz: configure failed" >&2; exit 1; }
fi
targets=()
if [ $# -gt 0 ]; then
  targets=("$@")
else
  for src in "$HERE"/targets/*.cpp; do targets+=("$(basename "$src" .cpp)"); done
fi
build_targets=()
for t in "${targets[@]}"; do build_targets+=("fuzz_$t"); done
if ! nice -n 5 cmake --build "$BUILD" -j "$JOBS" --target "${build_targets[@]}" >"$BUILD/fuzz-build.log" 2>&1; then
  tail -50 "$BUILD/fuzz-build.log" >&2
  echo "fuzz: build failed (full log: $BUILD/fuzz-build.log)" >&2
  exit 1
fi
t1=$(date +%s)
echo "fuzz: built ${#targets[@]} targets in $((t1 - t0)) s; $SECONDS_PER_TARGET s each"
[ "${DAOCTL_FUZZ_BUILD_ONLY:-0}" = 1 ] && exit 0

WORK="$(mktemp -d "${TMPDIR:-/tmp}/daoctl-fuzz.XXXXXX")"
[ "${DAOCTL_FUZZ_KEEP:-0}" = 1 ] || trap 'rm -rf "$WORK"' EXIT
export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:allocator_may_return_null=1}"
for s in llvm-symbolizer-16 llvm-symbolizer llvm-symbolizer-14; do
  if command -v "$s" >/dev/null; then export ASAN_SYMBOLIZER_PATH="${ASAN_SYMBOLIZER_PATH:-$(command -v "$s")}"; break; fi
done
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

# One target: replays its regressions, fuzzes it, prints its result line on
# stdout and any report on stderr; succeeds when the target passed.
fuzz_one() {
  local t=$1 bin max_len log status regress f execs cov ft corp rc last a
  bin="$BUILD/tests/fuzz/fuzz_$t"
  max_len="${MAX_LEN[$t]:-$DEFAULT_MAX_LEN}"
  mkdir -p "$WORK/$t/corpus" "$WORK/$t/artifacts"
  log="$WORK/$t/log"
  status=ok

  # 1. Every crash found before must stay fixed.
  regress=()
  if [ -d "$HERE/regressions/$t" ]; then
    while IFS= read -r -d '' f; do regress+=("$f"); done < <(find "$HERE/regressions/$t" -type f -print0 | sort -z)
  fi
  if [ ${#regress[@]} -gt 0 ]; then
    if ! "$bin" -runs=1 -timeout=10 -rss_limit_mb=2048 "${regress[@]}" >"$WORK/$t/regress.log" 2>&1; then
      status="REGRESSION"
      tail -40 "$WORK/$t/regress.log" >&2
    fi
  fi

  # 2. Fuzz for a bounded time on a copy of the seeds (the committed corpus is never written).
  execs=0 cov=0 ft=0 corp=0
  if [ "$status" = ok ]; then
    [ -d "$HERE/corpus/$t" ] && cp -r "$HERE/corpus/$t/." "$WORK/$t/corpus/"
    "$bin" -max_total_time="$SECONDS_PER_TARGET" -max_len="$max_len" -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 -artifact_prefix="$WORK/$t/artifacts/" "$WORK/$t/corpus" >"$log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    last=$(grep -E '^#[0-9]+' "$log" | tail -1)
    cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
    ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
    corp=$(sed -n 's/.* corp: \([0-9]*\).*/\1/p' <<<"$last")
    if [ $rc -ne 0 ] || compgen -G "$WORK/$t/artifacts/*" >/dev/null; then
      status="CRASH"
      mkdir -p "$BUILD/fuzz-crashes/$t"
      cp "$WORK/$t/artifacts/"* "$BUILD/fuzz-crashes/$t/" 2>/dev/null
      grep -E 'INFO: Seed:|ERROR:|FUZZ_CHECK|runtime error|SUMMARY|Test unit written' "$log" | head -8 >&2
      [ $rc -ne 0 ] && ! compgen -G "$WORK/$t/artifacts/*" >/dev/null && tail -15 "$log" >&2
      for a in "$WORK/$t/artifacts/"*; do
        [ -e "$a" ] || continue
        echo "  reproduce: $bin $BUILD/fuzz-crashes/$t/$(basename "$a")" >&2
        # CI keeps only its log: the input itself, to rebuild the file from it
        # (base64 -d > crash) on another machine.
        if [ "$(stat -c %s "$a")" -le 16384 ]; then
          echo "  input ($(stat -c %s "$a") bytes, base64): $(base64 -w0 "$a")" >&2
        fi
      done
    fi
  fi
  printf 'fuzz: %-16s %-10s execs %-9s cov %-6s ft %-6s corpus %-5s regressions %s\n' \
    "$t" "$status" "${execs:-0}" "${cov:-0}" "${ft:-0}" "${corp:-0}" "${#regress[@]}"
  [ "$status" = ok ]
}

# Targets run DAOCTL_FUZZ_PARALLEL at a time (default 2, one per core: each
# libFuzzer process is single-threaded, so one at a time left a core idle);
# each still gets its full time. Results are printed in target order.
PARALLEL="${DAOCTL_FUZZ_PARALLEL:-2}"
passed=0
failed=0
running=0
for t in "${targets[@]}"; do
  mkdir -p "$WORK/$t"
  (fuzz_one "$t" >"$WORK/$t/line" 2>"$WORK/$t/report"; echo $? >"$WORK/$t/rc") &
  running=$((running + 1))
  if [ "$running" -ge "$PARALLEL" ]; then wait -n; running=$((running - 1)); fi
done
wait
for t in "${targets[@]}"; do
  cat "$WORK/$t/report" >&2
  cat "$WORK/$t/line"
  if [ "$(cat "$WORK/$t/rc" 2>/dev/null)" = 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
done
echo "fuzz: $(($(date +%s) - t0)) s in all"
echo "fuzz: $passed passed, $failed failed"
[ $failed -eq 0 ]
