#!/usr/bin/env bash
# Build-time benchmark (issue: set-up <= 6 min, one command's .cpp rebuilt <= 30 s).
#
#   bench/build.sh [--full] [--rev REV] [-- CMAKE_ARG...]
#   bench/build.sh --test-command [--rev REV] [-- CMAKE_ARG...]
#
# Clones REV (default HEAD) into a temporary folder and, with ccache disabled
# (a new user's first build), measures with the ci preset:
#   1. the set-up command's parts, as scripts/setup.sh runs them: the package
#      check (install-deps.sh, which installs nothing on a machine that has
#      the packages), the configure, the set-up build (the two binaries the
#      demo needs: daoctl, daoctl-sim) and the demo, then their sum;
#   2. with --full, the rest of the default target (every test executable);
#   3. touching one command's .cpp (commands/backup/download.cpp) and
#      rebuilding what the set-up builds, and with --full everything.
# With --test-command it measures instead each part of scripts/test.sh (the
# README's test command) from that fresh clone, ccache disabled, apt left out
# (install-deps.sh is timed by scripts/fresh-machine-check.sh): the plain
# build (every target), the plain tests, the fuzz build, the fuzz run
# (DAOCTL_FUZZ_SECONDS, default 5, per target), the sanitized build and the
# sanitized tests, then the sum. Parts that fail are reported and the rest
# still run, as in scripts/test.sh.
# Prints wall and CPU (user+sys) seconds per step. Run it on a quiet machine:
# wall times on 2 cores shared with other work are not comparable; CPU seconds
# mostly are. Compare two revisions by running it with --rev for each, or
# two configurations of one revision with the cache variables after "--"
# (given to every `cmake --preset` configure step), e.g.
#   bench/build.sh --full -- -DDAOCTL_UNITY=OFF  (every file its own TU; the
#                                                default compiles a folder as
#                                                one, cmake/Unity.cmake)
#   bench/build.sh --full -- -DDAOCTL_PCH=ON   (precompiled headers, cmake/Pch.cmake)
# (CMake's own -DCMAKE_UNITY_BUILD=ON is not the same: its batches cross
# folders and include sources by absolute path, which misses ccache in
# another clone; ARCHITECTURE.md, "Build time".)
set -euo pipefail
full=0
testcmd=0
rev=HEAD
cmake_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --full) full=1 ;;
    --test-command) testcmd=1 ;;
    --rev) rev=$2; shift ;;
    --) shift; break ;;
    *) echo "bench/build.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
cmake_args=("$@")
here="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/daoctl-bench-build.XXXXXX")"
trap 'rm -rf "$work"' EXIT
git clone -q "$here" "$work/main"
git -C "$work/main" checkout -q "$rev"
ln -s "$here/../shared" "$work/shared" 2>/dev/null || true
cd "$work/main"
export CCACHE_DISABLE=1

step() {  # step NAME COMMAND...: runs it, prints wall and CPU seconds
  local name=$1; shift
  # time -o: the command's own stderr goes to its log, not into the numbers.
  /usr/bin/time -o "$work/time" -f '%e %U %S' "$@" >"$work/$name.log" 2>&1 ||
    { tail -30 "$work/$name.log" >&2; echo "bench/build.sh: $name failed" >&2; exit 1; }
  read -r wall user sys < <(tail -1 "$work/time")
  steps_wall=$(echo "$steps_wall + $wall" | bc)
  printf '%-28s wall %7.1f s   cpu %7.1f s\n' "$name" "$wall" "$(echo "$user + $sys" | bc)"
}
steps_wall=0

echo "bench/build.sh: $(git rev-parse --short HEAD), $(nproc) cores, ccache disabled${cmake_args[*]:+, ${cmake_args[*]}}"
if [ "$testcmd" = 1 ]; then
  # The parts of scripts/test.sh, in its order, with its commands. CPU seconds
  # count every process the part waited for (compilers, tests, the peers they
  # start); "cpu/2" is the wall the part needs at least on 2 idle cores when
  # CPU-bound (builds are; tests also wait on sleeps, timeouts and peers).
  total_wall=0 total_cpu=0 failed_parts=()
  part() {  # part NAME COMMAND...: like step, but a failure is noted, not fatal
    local name=$1; shift
    local rc=0
    /usr/bin/time -o "$work/time" -f '%e %U %S' "$@" >"$work/$name.log" 2>&1 || rc=$?
    read -r wall user sys < <(tail -1 "$work/time")
    cpu=$(echo "$user + $sys" | bc)
    total_wall=$(echo "$total_wall + $wall" | bc)
    total_cpu=$(echo "$total_cpu + $cpu" | bc)
    printf '%-22s wall %7.1f s   cpu %7.1f s   cpu/2 %7.1f s%s\n' "$name" "$wall" "$cpu" \
      "$(echo "$cpu / 2" | bc -l)" "$([ $rc -eq 0 ] || echo "   FAILED (exit $rc, log kept)")"
    if [ $rc -ne 0 ]; then failed_parts+=("$name"); trap - EXIT; fi
  }
  export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
  export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:abort_on_error=1}
  part "plain build" sh -c 'cmake --preset ci "$@" >/dev/null && cmake --build --preset ci' sh "${cmake_args[@]}"
  part "plain tests" ctest --preset ci
  part "fuzz build" env DAOCTL_FUZZ_BUILD_ONLY=1 tests/fuzz/run.sh "${DAOCTL_FUZZ_SECONDS:-5}"
  part "fuzz run" tests/fuzz/run.sh "${DAOCTL_FUZZ_SECONDS:-5}"
  part "sanitized build" sh -c 'cmake --preset asan "$@" >/dev/null && cmake --build --preset asan' sh "${cmake_args[@]}"
  part "sanitized tests" ctest --preset asan
  printf '%-22s wall %7.1f s   cpu %7.1f s   cpu/2 %7.1f s\n' "test command" "$total_wall" "$total_cpu" \
    "$(echo "$total_cpu / 2" | bc -l)"
  if [ ${#failed_parts[@]} -gt 0 ]; then
    echo "bench/build.sh: failed: ${failed_parts[*]}; logs in $work" >&2
    exit 1
  fi
  exit 0
fi
step "package check" ./scripts/install-deps.sh
step configure cmake --preset ci "${cmake_args[@]}"
step "set-up build (2 binaries)" cmake --build build --target daoctl daoctl-sim
step demo ./scripts/demo.sh
printf '%-28s wall %7.1f s\n' "set-up command (sum)" "$steps_wall"
if [ "$full" = 1 ]; then
  step "rest of the build (tests)" cmake --build build
fi
touch commands/backup/download.cpp
step "touch 1 command, 2 binaries" cmake --build build --target daoctl daoctl-sim
if [ "$full" = 1 ]; then
  touch commands/backup/download.cpp
  step "touch 1 command, everything" cmake --build build
fi
