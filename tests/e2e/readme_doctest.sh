#!/usr/bin/env bash
# README doctest: every command line in README.md's ```sh blocks runs, as
# written, against a real daoctl-sim, in the order a reader meets them; a
# README example that fails fails CI (issue 19, "Docs that run").
#
# How a block is run (tests/e2e/readme_doctest.py turns README.md into one
# bash script, sourced here so `export` lines carry over like in a shell):
#  - Each command (continuation lines joined) must exit 0, or the code its
#    comment states: `... --detailed-exitcode   # exit 8: changes pending`.
#  - `daoctl` and `daoctl-sim` are the binaries under test. `daoctl-sim
#    seed --data D` seeds D and from then on the harness's simulator serves D
#    (DAOCTL_URL follows), as a reader would start it; `daoctl-sim --listen`
#    must print its URL within 30 s and is then stopped. `man SECTION PAGE`
#    renders the checked-in page from man/ (the pages are not installed here).
#  - Paths a reader's machine has are mapped into the test's directory, and
#    nothing else is changed: https://intranet.example.com -> the simulator,
#    /etc/daoctl/ /var/lib/ /tmp/sim -> under $W, 127.0.0.1:8080 ->
#    127.0.0.1:0 (a free port).
#  - Files the examples name (nightly.yaml, env.yaml, rules.yaml, logo.svg,
#    mattermost.jsonl, slack-export.zip, export.xml, authors.yaml) are made
#    below from examples/ and ../shared/realdata, and the people the examples
#    name (ivanov.i, petrov.p, intranet-admins) exist on the platform.
#  - `<!-- doctest: setup: CMD -->` before a block runs CMD first (must pass);
#    `<!-- doctest: skip: WHY -->` leaves a block out and says why in the
#    output; every ```sh block without it is run.
#  - What a command writes with -O/--out/--summary-file/--metrics-file must
#    exist and not be empty, and a CSV must have a row below its header.
source "$(dirname "$0")/lib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib_doctest.sh"

cd "$W" || exit 1
# The harness first proves it can fail: a README whose examples are wrong
# (a missing user, a wrong stated exit code, a CSV with no row) fails three checks.
cat >"$E2E_DIR/wrong.md" <<'MD'
```sh
daoctl users get no.such.person
daoctl sync validate -f nightly.yaml   # exit 3: stated wrongly
daoctl stats export activity --from 2001-01-01 --to 2001-02-01 -O empty.csv
```
MD
wrong=$( E2E_PASSED=0 E2E_FAILED=0
  # shellcheck disable=SC1090
  source <(python3 "$HERE/readme_doctest.py" "$E2E_DIR/wrong.md" "$W") 2>/dev/null >/dev/null
  echo "$E2E_FAILED" )
expect_eq "the doctest fails a README whose examples are wrong (3 of 3)" "$wrong" "3"
script="$E2E_DIR/readme.sh"
python3 "$HERE/readme_doctest.py" "$SRC/README.md" "$W" >"$script" || {
  failed "README.md parses into runnable blocks"; finish; exit 1; }
# shellcheck disable=SC1090
source "$script"
cd "$E2E_DIR" || exit 1
expect_match "README: every runnable block ran (none silently dropped)" "$DOC_BLOCKS_RUN" '^[1-9][0-9]*$'
finish
