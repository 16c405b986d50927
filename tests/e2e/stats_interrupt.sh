#!/usr/bin/env bash
# Interrupted writes leave nothing (issue 19): Ctrl-C (SIGINT) or SIGTERM
# while `stats export -O FILE` is writing removes its temporary file
# (.FILE.tmp-XXXXXX beside the target) and leaves any earlier FILE as it was;
# an XLSX workbook to stdout removes its private temporary directory too.
# The platform is a peer that never answers, so the export is surely
# mid-way (file created, no byte yet) when the signal comes; and then a real
# daoctl-sim with a large export, interrupted while rows are being written.
# A kill -9 leaves them, and the next run sweeps them (never a live run's).
source "$(dirname "$0")/lib.sh"

start_http_peer SILENT silent silent
D=$DAOCTL_BIN
export TMPDIR="$E2E_DIR/tmp"
mkdir -p "$TMPDIR"

# interrupt SIGNAL NAME DIR GLOB ARGS...: starts daoctl ARGS in the
# background, waits until a file matching GLOB exists in DIR, sends SIGNAL,
# and checks exit 130 and that nothing matching GLOB is left.
interrupt() {
  local sig=$1 name=$2 dir=$3 glob=$4 i pid status
  shift 4
  "$D" "$@" >"$E2E_DIR/int.out" 2>"$E2E_DIR/int.err" &
  pid=$!
  for ((i = 0; i < 200; i++)); do
    compgen -G "$dir/$glob" >/dev/null && break
    sleep 0.05
  done
  if ! compgen -G "$dir/$glob" >/dev/null; then
    failed "$name: the temporary file appeared" "$(cat "$E2E_DIR/int.err")"
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    return
  fi
  kill "-$sig" "$pid"
  wait "$pid"
  status=$?
  expect_eq "$name: exit 130" "$status" "130"
  expect_eq "$name: no temporary file left" "$(compgen -G "$dir/$glob" | wc -l)" "0"
}

OUTDIR="$E2E_DIR/out"
mkdir -p "$OUTDIR"
echo "yesterday's report" >"$OUTDIR/report.csv"
export DAOCTL_URL=$SILENT DAOCTL_TOKEN=t0ken
interrupt INT "SIGINT during -O report.csv" "$OUTDIR" '.report.csv.tmp-*' \
  stats export activity --from 2026-11-01 --to 2026-11-02 -O "$OUTDIR/report.csv"
expect_eq "SIGINT: the earlier report.csv is untouched" "$(cat "$OUTDIR/report.csv")" "yesterday's report"
interrupt TERM "SIGTERM during -O report.json" "$OUTDIR" '.report.json.tmp-*' \
  stats export activity --from 2026-11-01 --to 2026-11-02 -O "$OUTDIR/report.json"
expect_eq "SIGTERM: no report.json appeared" "$(ls "$OUTDIR")" "report.csv"
interrupt INT "SIGINT during -O book.xlsx" "$OUTDIR" '.book.xlsx.tmp-*' \
  stats export activity events --format xlsx --from 2026-11-01 --to 2026-11-02 -O "$OUTDIR/book.xlsx"
interrupt INT "SIGINT during an XLSX workbook to stdout" "$TMPDIR" 'daoctl-xlsx-*' \
  stats export activity --format xlsx --from 2026-11-01 --to 2026-11-02
expect_eq "the temporary directory is empty at the end" "$(ls -A "$TMPDIR" | wc -l)" "0"

# SIGTERM at staggered moments from the very start: before the handler is
# installed (the default action, 143), between the temporary file's creation
# and its registration (a gap there once left the file behind under load),
# and while waiting for the platform (130). Whatever the moment, nothing is
# left beside the target. The signal waits until the child is daoctl: the
# forked shell before its exec still holds this script's EXIT trap, and bash
# runs it on SIGTERM (it would remove $E2E_DIR and stop the peers).
DAOCTL_REAL=$(readlink -f "$D")
leftovers=0 bad_status=""
# Three kinds of output in turn: CSV to -O, XLSX to -O, XLSX to stdout.
# libxlsxwriter makes its own temporaries (tmp.XXXXXXXXXX, created then
# unlinked), which a signal in between once left in $TMPDIR.
for ((i = 0; i < 24; i++)); do
  case $((i % 3)) in
    0) args=(-O "$OUTDIR/race.csv") ;;
    1) args=(--format xlsx -O "$OUTDIR/race.xlsx") ;;
    2) args=(--format xlsx) ;;
  esac
  "$D" stats export activity --from 2026-11-01 --to 2026-11-02 "${args[@]}" >/dev/null 2>&1 &
  pid=$!
  for ((j = 0; j < 2000; j++)); do
    [ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = "$DAOCTL_REAL" ] && break
    sleep 0.001
  done
  sleep "0.00$((i % 10))"
  kill -TERM "$pid"
  wait "$pid"
  status=$?
  [ "$status" = 130 ] || [ "$status" = 143 ] || bad_status+=" $status"
  leftovers=$((leftovers + $(ls -A "$OUTDIR" | grep -c race)))
done
expect_eq "SIGTERM at 24 staggered moments: every run ends by the signal" "$bad_status" ""
expect_eq "SIGTERM at 24 staggered moments: no temporary file left" "$leftovers" "0"
expect_eq "SIGTERM at 24 staggered moments: nothing left in the temporary directory" \
  "$(ls -A "$TMPDIR")" ""

# kill -9 runs no handler: the temporaries stay. The next run sweeps what a
# killed run left (unlocked, over 10 s old; `touch -d` ages them here), and
# never what a live run holds, however old it looks.
wait_for_glob() { # GLOB: until it matches (5 s)
  local i
  for ((i = 0; i < 100; i++)); do
    compgen -G "$1" >/dev/null && return 0
    sleep 0.05
  done
  return 1
}
"$D" stats export activity --from 2026-11-01 --to 2026-11-02 -O "$OUTDIR/killed.csv" >/dev/null 2>&1 &
pid=$!
wait_for_glob "$OUTDIR/.killed.csv.tmp-*" || failed "kill -9: the temporary appeared"
"$D" stats export activity --format xlsx --from 2026-11-01 --to 2026-11-02 >/dev/null 2>&1 &
pid2=$!
wait_for_glob "$TMPDIR/daoctl-xlsx-tmp-*" || failed "kill -9: the XLSX temporaries appeared"
kill -KILL "$pid" "$pid2"
wait "$pid" "$pid2" 2>/dev/null
expect_eq "kill -9 leaves the -O temporary (no handler runs)" "$(compgen -G "$OUTDIR/.killed.csv.tmp-*" | wc -l)" "1"
expect_eq "kill -9 leaves the XLSX directories (no handler runs)" "$(ls -A "$TMPDIR" | wc -l)" "2"
# A live run beside them: its temporary looks old too, but it holds its lock.
"$D" stats export activity --from 2026-11-01 --to 2026-11-02 -O "$OUTDIR/killed.csv" >/dev/null 2>&1 &
live=$!
for ((i = 0; i < 100; i++)); do
  [ "$(compgen -G "$OUTDIR/.killed.csv.tmp-*" | wc -l)" = 2 ] && break
  sleep 0.05
done
expect_eq "a live run has its own temporary beside the leftover" "$(compgen -G "$OUTDIR/.killed.csv.tmp-*" | wc -l)" "2"
touch -d '-1 minute' "$OUTDIR"/.killed.csv.tmp-* "$TMPDIR"/daoctl-xlsx-*
"$D" --timeout 1 stats export activity --from 2026-11-01 --to 2026-11-02 -O "$OUTDIR/killed.csv" >/dev/null 2>&1
expect_eq "the next run swept the killed run's temporary, not the live run's" \
  "$(compgen -G "$OUTDIR/.killed.csv.tmp-*" | wc -l)" "1"
"$D" --timeout 1 stats export activity --format xlsx --from 2026-11-01 --to 2026-11-02 >/dev/null 2>&1
expect_eq "the next XLSX run swept the killed run's directories" "$(ls -A "$TMPDIR")" ""
kill -TERM "$live"
wait "$live"
expect_eq "the live run, ended by SIGTERM, removed its own temporary" \
  "$(compgen -G "$OUTDIR/.killed.csv.tmp-*" | wc -l)" "0"

# A real export, interrupted while its rows are being written.
"$DAOCTL_SIM_BIN" seed --data "$E2E_DIR/sim" --users 500 --departments 10 --activity-days 60 \
  >/dev/null 2>"$E2E_DIR/seed.err" || failed "seed" "$(cat "$E2E_DIR/seed.err")"
start_sim
"$D" --rate-limit 20 stats export activity --group-by user --from 2025-01-01 --to 2025-03-01 --page-size 50 -O "$OUTDIR/big.csv" \
  >/dev/null 2>"$E2E_DIR/big.err" &
PID=$!
for ((i = 0; i < 400; i++)); do
  F=$(compgen -G "$OUTDIR/.big.csv.tmp-*" | head -n1)
  [ -n "$F" ] && [ -s "$F" ] && break
  sleep 0.05
done
if [ -n "${F:-}" ] && [ -s "$F" ]; then
  pass "a real export has written rows to its temporary file"
  kill -INT "$PID"
  wait "$PID"
  expect_eq "real export: SIGINT exits 130" "$?" "130"
  expect_eq "real export: neither the temporary nor the target file is left" \
    "$(ls -A "$OUTDIR" | grep -c big)" "0"
else
  failed "a real export has written rows to its temporary file" "$(cat "$E2E_DIR/big.err")"
  kill "$PID" 2>/dev/null
  wait "$PID" 2>/dev/null
fi
finish
