#!/usr/bin/env bash
# Build-time benchmark (issue: set-up <= 6 min, one command's .cpp rebuilt <= 30 s).
#
#   bench/build.sh [--full] [--rev REV]
#
# Clones REV (default HEAD) into a temporary folder and, with ccache disabled
# (a new user's first build), measures with the ci preset:
#   1. the set-up build: the two binaries the demo needs (daoctl, daoctl-sim);
#   2. with --full, the rest of the default target (every test executable);
#   3. touching one command's .cpp (commands/backup/download.cpp) and
#      rebuilding what the set-up builds, and with --full everything.
# Prints wall and CPU (user+sys) seconds per step. Run it on a quiet machine:
# wall times on 2 cores shared with other work are not comparable; CPU seconds
# mostly are. Compare two revisions by running it with --rev for each.
set -euo pipefail
full=0
rev=HEAD
while [ $# -gt 0 ]; do
  case "$1" in
    --full) full=1 ;;
    --rev) rev=$2; shift ;;
    *) echo "bench/build.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
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
  local t
  t=$({ /usr/bin/time -f '%e %U %S' "$@" >"$work/$name.log" 2>&1; } 2>&1 | tail -1) ||
    { tail -30 "$work/$name.log" >&2; echo "bench/build.sh: $name failed" >&2; exit 1; }
  read -r wall user sys <<<"$t"
  printf '%-28s wall %7.1f s   cpu %7.1f s\n' "$name" "$wall" "$(echo "$user + $sys" | bc)"
}

echo "bench/build.sh: $(git rev-parse --short HEAD), $(nproc) cores, ccache disabled"
step configure cmake --preset ci
step "set-up build (2 binaries)" cmake --build build --target daoctl daoctl-sim
if [ "$full" = 1 ]; then
  step "rest of the build (tests)" cmake --build build
fi
touch commands/backup/download.cpp
step "touch 1 command, 2 binaries" cmake --build build --target daoctl daoctl-sim
if [ "$full" = 1 ]; then
  touch commands/backup/download.cpp
  step "touch 1 command, everything" cmake --build build
fi
