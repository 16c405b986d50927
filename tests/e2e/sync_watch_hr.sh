#!/usr/bin/env bash
# daoctl sync watch of a job whose sources are HR files (issue 20): the
# watcher waits on the files (inotify) and applies the whole job when one
# changes: an export replaced by rename (as exporters and rsync do), one
# rewritten in place, a dismissal (a row gone: missing_from_sources), a
# rehire (the row back). Its poll interval is 30 s, so each change seen
# within seconds was pushed, not polled. A truncated export (an unclosed
# quote) changes nothing and the watcher goes on; SIGTERM exits 0.
source "$(dirname "$0")/lib.sh"
start_sim
export DAOCTL_STATE_DIR="$E2E_DIR/state"
mkdir -p "$E2E_DIR/hr"
row() { printf '%s,%s,"%s",%s@corp.test\r\n' "$1" "$2" "$3" "$2"; }
header() { printf 'Табельный номер,login,ФИО,email\r\n'; }
{
  header
  row 1001 ivanov "Иванов Иван"
  row 1002 petrova "Петрова Анна"
  row 1003 sidorov "Сидоров Пётр"
} >"$E2E_DIR/hr/staff.csv"
cat >"$E2E_DIR/hr/watch.yaml" <<'YAML'
version: 1
name: hrwatch
sources:
  hr:
    type: csv
    path: staff.csv
    key: Табельный номер
mapping:
  externalId: "{hr.'Табельный номер'}"
  userName: "{hr.login}"
  displayName: "{hr.ФИО}"
  email: "{hr.email}"
deprovision:
  dismissed_when: [missing_from_sources]
safety:
  max_deprovisions: 10
  max_deprovisions_percent: 100
YAML

"$DAOCTL_BIN" sync watch -f "$E2E_DIR/hr/watch.yaml" --interval 30 >"$E2E_DIR/watch.out" 2>"$E2E_DIR/watch.err" &
WATCH=$!
E2E_PIDS+=("$WATCH")
count_is() { [ "$("$DAOCTL_BIN" users list -o json | jq length)" = "$1" ]; }
active_of() { [ "$("$DAOCTL_BIN" users get "$1" -o json | jq -r .active)" = "$2" ]; }
name_of() { [ "$("$DAOCTL_BIN" users get "$1" -o json | jq -r .displayName)" = "$2" ]; }

wait_for "the first batch brings the export over" 30 count_is 3
# Wait until the watcher waits on the file (its first notice is its own).
sleep 1

# 1. A new export written elsewhere and renamed over the old one.
{
  header
  row 1001 ivanov "Иванов Иван"
  row 1002 petrova "Петрова-Смирнова Анна"
  row 1003 sidorov "Сидоров Пётр"
  row 1004 kuznetsov "Кузнецов Олег"
} >"$E2E_DIR/hr/.staff.csv.new"
mv "$E2E_DIR/hr/.staff.csv.new" "$E2E_DIR/hr/staff.csv"
wait_for "an export renamed into place: the new employee arrives" 5 count_is 4
wait_for "...and the changed name" 5 name_of petrova "Петрова-Смирнова Анна"

# 2. A dismissal: the row is gone from an export rewritten in place.
{
  header
  row 1001 ivanov "Иванов Иван"
  row 1002 petrova "Петрова-Смирнова Анна"
  row 1004 kuznetsov "Кузнецов Олег"
} >"$E2E_DIR/hr/staff.csv"
wait_for "a row gone from an export rewritten in place: the account is blocked" 5 active_of sidorov false

# 3. A truncated export (an unclosed quote): a safety stop, nothing changes.
printf 'Табельный номер,login,ФИО,email\r\n1001,ivanov,"Иванов\r\n' >"$E2E_DIR/hr/staff.csv"
wait_for "a truncated export is refused and reported" 5 grep -q 'ends inside a quoted field' "$E2E_DIR/watch.err"
expect_eq "...and nobody was blocked for it" \
  "$("$DAOCTL_BIN" users list -o json | jq '[.[] | select(.active | not)] | length')" "1"

# 4. The rehire: the row is back.
{
  header
  row 1001 ivanov "Иванов Иван"
  row 1002 petrova "Петрова-Смирнова Анна"
  row 1003 sidorov "Сидоров Пётр"
  row 1004 kuznetsov "Кузнецов Олег"
} >"$E2E_DIR/hr/staff.csv.tmp"
mv "$E2E_DIR/hr/staff.csv.tmp" "$E2E_DIR/hr/staff.csv"
wait_for "a rehire (the row back) reactivates the same account" 5 active_of sidorov true
expect_eq "one account per employee" "$("$DAOCTL_BIN" users list -o json | jq length)" "4"

kill -TERM "$WATCH"
code=0
wait "$WATCH" || code=$?
expect_eq "SIGTERM ends the watcher with exit 0" "$code" "0"
expect_exit 0 "a full plan agrees with what the watcher applied" \
  "$DAOCTL_BIN" sync plan -f "$E2E_DIR/hr/watch.yaml" --detailed-exitcode
finish
