#!/usr/bin/env bash
# Waiting is visible and bounded (issue 19). A platform that accepts the
# connection and never answers (tests/tools/http_peer silent): on a terminal
# each retry prints one line ("no answer from HOST in N s, retry 2/5 in ...");
# through a pipe there is none; --timeout bounds the whole command, retries
# included (before, it bounded each attempt: 5 attempts of 7 s were 35 s);
# a job command without --timeout gets all its attempts.
source "$(dirname "$0")/lib.sh"
command -v script >/dev/null || { failed "util-linux script(1) is installed (scripts/install-deps.sh)"; finish; exit 1; }

start_http_peer SILENT silent silent --record "$E2E_DIR/silent.rec"
HOSTPORT=${SILENT#http://}
export DAOCTL_URL=$SILENT DAOCTL_TOKEN=t0ken
D=$DAOCTL_BIN
q() { printf '%q' "$1"; }
in_pty() {
  TTY_OUT=$(TERM=xterm script -qfec "$1" /dev/null </dev/null 2>&1)
  TTY_STATUS=$?
}

# --- a terminal: one line per retry, and the whole command ends by --timeout.
T0=$(date +%s.%N)
in_pty "$(q "$D") --attempt-timeout 2 --timeout 7 users list"
T1=$(date +%s.%N)
expect_eq "pty: a silent platform is a failure (exit 1)" "$TTY_STATUS" "1"
expect_match "pty: each retry is told in one line" "$TTY_OUT" \
  "daoctl: no answer from $HOSTPORT in 2 s, retry 2/5 in [0-9.]+ s"
expect_match "pty: the next retry too" "$TTY_OUT" "daoctl: no answer from $HOSTPORT in 2 s, retry 3/5 in [0-9.]+ s"
expect_no_match "pty: no retry is started past the limit" "$TTY_OUT" "retry 5/5"
expect_match "pty: the error says the command's time limit ran out" "$TTY_OUT" \
  "time limit \\(--timeout 7 s\\) ran out before attempt [0-9] of 5"
ELAPSED=$(awk -v a="$T0" -v b="$T1" 'BEGIN { printf "%.1f", b - a }')
expect_eq "pty: --timeout 7 bounds the whole command, not each attempt ($ELAPSED s)" \
  "$(awk -v e="$ELAPSED" 'BEGIN { print (e >= 6 && e < 9.5) ? 1 : 0 }')" "1"

# --- a pipe: no retry lines, the same bound.
T0=$(date +%s.%N)
expect_exit 1 "pipe: a silent platform is exit 1" "$D" --attempt-timeout 2 --timeout 5 users list
T1=$(date +%s.%N)
expect_no_match "pipe: no retry lines off a terminal" "$ERR" 'retry [0-9]/'
expect_match "pipe: the error names the request and the limit" "$ERR" \
  "GET /scim/v2/Users.* failed after [0-9] attempts.*--timeout 5 s"
expect_eq "pipe: --timeout 5 ends the command in time" "$(awk -v a="$T0" -v b="$T1" 'BEGIN { print (b - a < 7.5) ? 1 : 0 }')" "1"
# -v tells retries through a pipe too.
run "$D" -v --attempt-timeout 1 --timeout 3 users list
expect_match "pipe -v: retries are told" "$ERR" "no answer from $HOSTPORT in 1 s, retry 2/5"

# --- an interactive command's default limit is 60 s; each attempt 30 s. A
# job command (stats export) has no overall limit by default: all 5 attempts.
expect_exit 1 "job: stats export against a silent platform fails" \
  "$D" --attempt-timeout 1 stats export activity --from 2026-11-01 --to 2026-11-02 -O "$E2E_DIR/a.csv"
expect_match "job: every attempt was made" "$ERR" "failed after 5 attempts"
expect_no_match "job: no time limit was applied" "$ERR" "time limit"
expect_eq "job: no output file, no temporary file" "$(ls -A "$E2E_DIR" | grep -c 'a\.csv')" "0"

# --- the limit counts from the command's start over several requests: the
# peer saw no request start after the limit.
rm -f "$E2E_DIR/silent.rec"
run "$D" --attempt-timeout 1 --timeout 4 users list
expect_match "the peer saw the attempts" "$(wc -l <"$E2E_DIR/silent.rec")" '^[2-4]$'
# --- a retry while a progress bar is drawn: the notice is a line of its own
# above the bar (the bar is cleared, then drawn again below it), never text
# run into the bar. A real export through a proxy that stalls one page
# mid-body, on a terminal.
"$DAOCTL_SIM_BIN" seed --data "$E2E_DIR/sim" --users 200 --departments 5 --activity-days 30 \
  >/dev/null 2>"$E2E_DIR/seed.err" || failed "seed" "$(cat "$E2E_DIR/seed.err")"
start_sim
start_http_peer STALLER staller proxy --upstream "$SIM_URL" --stall-path cursor= --stall-count 1
in_pty "DAOCTL_URL=$(q "$STALLER") DAOCTL_TOKEN=$(q "$DAOCTL_SIM_TOKEN") $(q "$D") --attempt-timeout 1 stats export activity --group-by user --from 2025-01-01 --to 2025-01-31 --page-size 100 -O $(q "$E2E_DIR/bar.csv")"
expect_eq "bar: the export through one stalled page succeeds" "$TTY_STATUS" "0"
# Split the terminal's output into what each \r or \n starts: the notice
# must be a whole segment (nothing of the bar before it on its line).
SEGMENTS=$(printf '%s' "$TTY_OUT" | tr '\r' '\n')
expect_match "bar: the retry is told" "$SEGMENTS" "^daoctl: no answer from [0-9.:]+ in 1 s, retry 2/5 in [0-9.]+ s *$"
expect_no_match "bar: the notice is not run into the bar" "$SEGMENTS" ".+daoctl: no answer from"
expect_match "bar: the bar is drawn again after the notice" \
  "$(printf '%s' "$SEGMENTS" | sed -n '/retry 2\/5/,$p' | sed -n '2,$p')" "^exporting"
expect_eq "bar: every row is in the file" "$(($(wc -l <"$E2E_DIR/bar.csv") - 1))" \
  "$(DAOCTL_URL=$SIM_URL DAOCTL_TOKEN=$DAOCTL_SIM_TOKEN "$D" stats export activity --group-by user --from 2025-01-01 --to 2025-01-31 -o csv | tail -n +2 | wc -l)"
finish
