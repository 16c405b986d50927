#!/usr/bin/env bash
# The set-up command's demo (scripts/demo.sh) runs as the README promises: it
# is the first thing a new administrator sees, so it is tested like any other
# doc. It runs against the binaries of the build under test (plain or ASan).
# Regression: on a loaded fresh machine `users list | head -n 11` died of
# SIGPIPE and pipefail failed the whole set-up with exit 141.
source "$(dirname "$0")/lib.sh"

build=$(cd "$(dirname "$DAOCTL_BIN")/.." && pwd)
[ "$build/cli/daoctl" -ef "$DAOCTL_BIN" ] || { echo "demo: $DAOCTL_BIN is not <build>/cli/daoctl"; exit 1; }

expect_exit 0 "demo runs to the end" bash "$DAOCTL_SOURCE_DIR/scripts/demo.sh" "$build"
expect_match "doctor ran" "$OUT" '==> daoctl doctor'
expect_match "the sync applied" "$OUT" '"result":"(ok|success)"'
expect_match "users are listed (10 rows and a header)" "$(sed -n '/users list (first 10 rows)/,/second plan/p' <<<"$OUT" | wc -l)" '^13$'
expect_match "the second plan finds nothing" "$OUT" '(No changes|nothing to do)'
expect_match "the demo finishes" "$OUT" 'demo finished'
# A reader that stops early must not fail the demo: no pipeline into head.
expect_eq "no pipeline ends in head in the demo" \
  "$(grep -cE '^[^#]*\| *head( |$)' "$DAOCTL_SOURCE_DIR/scripts/demo.sh" | tr -d ' ')" 0
finish
