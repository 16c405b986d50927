#!/usr/bin/env bash
# daoctl sync watch against a real slapd with syncprov: under a fake
# systemd notify socket it says READY/STATUS/WATCHDOG; a lock, an add and a
# delete in the directory reach the platform within seconds (and, with a
# 30 s poll interval, within seconds too: the change is pushed); slapd
# restarted mid-stream (same port) is retried with backoff and nothing is
# lost or deactivated meanwhile; 300 deletions in one burst are held until
# their hash is allowed while later changes still apply; SIGHUP re-reads the job; SIGTERM lets the
# batch finish and exits 0 with the cookie saved.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_ldap.sh"

B="dc=corp,dc=test"
{
  printf 'dn: %s\nobjectClass: dcObject\nobjectClass: organization\ndc: corp\no: Corp\n\n' "$B"
  printf 'dn: ou=People,%s\nobjectClass: organizationalUnit\nou: People\n\n' "$B"
  for i in 1 2 3 4 5; do
    printf 'dn: uid=w%s,ou=People,%s\nobjectClass: inetOrgPerson\nuid: w%s\ncn: W %s\nsn: W\nmail: w%s@corp.test\n\n' \
      "$i" "$B" "$i" "$i" "$i"
  done
} >"$E2E_DIR/people.ldif"
start_slapd "$E2E_DIR/slapd" "$E2E_DIR/people.ldif" "${LDAP_PPOLICY[@]}" "${LDAP_SYNCPROV[@]}" || exit 1
start_sim
cat >"$E2E_DIR/sync.yaml" <<YAML
version: 1
name: watch
sources:
$(ldap_source)
mapping:
  externalId: "{ldap.entryUUID}"
  userName: "{ldap.uid}"
  email: "{ldap.mail | first | lower}"
  displayName: "{ldap.cn}"
  active: "{not ldap.disabled}"
deprovision:
  dismissed_when: [missing_from_sources]
safety:
  max_deprovisions: 10
  max_deprovisions_percent: 100
YAML
export DAOCTL_STATE_DIR="$E2E_DIR/state"
ROOT=(-x -H "$LDAP_URL" -D "$LDAP_ROOT_DN" -w "$LDAP_ROOT_PASSWORD")

# A stand-in for systemd's notify socket: every datagram, one per line.
python3 - "$E2E_DIR/notify.sock" "$E2E_DIR/notify.log" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "a", buffering=1) as log:
    while True:
        log.write(s.recv(4096).decode().replace("\n", " ") + "\n")
PY
E2E_PIDS+=($!)
for ((i = 0; i < 50; i++)); do [ -S "$E2E_DIR/notify.sock" ] && break; sleep 0.1; done

NOTIFY_SOCKET="$E2E_DIR/notify.sock" "$DAOCTL_BIN" sync watch -f "$E2E_DIR/sync.yaml" --interval 0.3 --max-backoff 2 \
  >"$E2E_DIR/watch.out" 2>"$E2E_DIR/watch.err" &
WATCH=$!
E2E_PIDS+=("$WATCH")

active_of() { [ "$("$DAOCTL_BIN" users get "$1" -o json | jq -r .active)" = "$2" ]; }
count_is() { [ "$("$DAOCTL_BIN" users list -o json | jq length)" = "$1" ]; }

wait_for "the first batch (a full run) creates every employee" 60 count_is 5
wait_for "READY=1 is sent to the notify socket" 10 grep -q 'READY=1' "$E2E_DIR/notify.log"
expect_match "STATUS and WATCHDOG follow each batch" "$(cat "$E2E_DIR/notify.log")" 'STATUS=following: [0-9]+ batch.* WATCHDOG=1'
expect_match "the STATUS line carries the lag" "$(cat "$E2E_DIR/notify.log")" 'STATUS=following: .*, lag [0-9]+\.[0-9] s'

printf 'dn: uid=w2,ou=People,%s\nchangetype: modify\nadd: pwdAccountLockedTime\npwdAccountLockedTime: 000001010000Z\n' "$B" |
  ldapmodify "${ROOT[@]}" >/dev/null
wait_for "a lock in the directory blocks the account" 20 active_of w2 false

# slapd restarted mid-stream on the same port: the watcher retries, then goes on.
kill "$SLAPD_PID"; wait "$SLAPD_PID" 2>/dev/null
sleep 1.5
wait_for "the watcher reports the lost directory and backs off" 15 grep -q 'retrying in' "$E2E_DIR/watch.err"
expect_eq "nobody was deactivated while the directory was away" \
  "$("$DAOCTL_BIN" users list -o json | jq '[.[] | select(.active | not)] | length')" "1"
"$SLAPD_BIN" -d 0 -f "$E2E_DIR/slapd/slapd.conf" -h "$LDAP_URL/" >"$E2E_DIR/slapd/slapd2.log" 2>&1 &
SLAPD_PID=$!
E2E_PIDS+=("$SLAPD_PID")
for ((i = 0; i < 100; i++)); do ldapsearch -x -H "$LDAP_URL" -b "" -s base >/dev/null 2>&1 && break; sleep 0.1; done
ldapadd "${ROOT[@]}" >/dev/null <<LDIF
dn: uid=w6,ou=People,$B
objectClass: inetOrgPerson
uid: w6
cn: W 6
sn: W
mail: w6@corp.test
LDIF
wait_for "after the restart an added entry arrives" 30 count_is 6
ldapdelete "${ROOT[@]}" "uid=w3,ou=People,$B"
wait_for "a deleted entry's account is blocked" 20 active_of w3 false

kill -HUP "$WATCH"
wait_for "SIGHUP is acknowledged" 10 grep -q 'SIGHUP' "$E2E_DIR/watch.err"
kill -TERM "$WATCH"
code=0
wait "$WATCH" || code=$?
expect_eq "SIGTERM ends the watcher with exit 0" "$code" "0"
expect_match "after finishing its batch" "$(cat "$E2E_DIR/watch.err")" 'SIGTERM received'
expect_match "STOPPING=1 is sent" "$(cat "$E2E_DIR/notify.log")" 'STOPPING=1'
# Followed, not polled: a watcher that would poll only every 30 s learns of
# a change from its refreshAndPersist search and applies it at once.
: >"$E2E_DIR/notify.log"
NOTIFY_SOCKET="$E2E_DIR/notify.sock" "$DAOCTL_BIN" sync watch -f "$E2E_DIR/sync.yaml" --interval 30 \
  >"$E2E_DIR/watch2.out" 2>"$E2E_DIR/watch2.err" &
WATCH=$!
E2E_PIDS+=("$WATCH")
wait_for "the watcher says it follows changes as they happen" 20 \
  grep -q 'STATUS=following: .*following changes as they happen' "$E2E_DIR/notify.log"
T0=$(date +%s.%N)
printf 'dn: uid=w4,ou=People,%s\nchangetype: modify\nadd: pwdAccountLockedTime\npwdAccountLockedTime: 000001010000Z\n' "$B" |
  ldapmodify "${ROOT[@]}" >/dev/null
wait_for "with --interval 30, a lock reaches the platform in seconds (pushed, not polled)" 5 active_of w4 false
echo "# lock to blocked: $(echo "$(date +%s.%N) - $T0" | bc -l | cut -c1-5) s"
kill -TERM "$WATCH"
code=0
wait "$WATCH" || code=$?
expect_eq "the second watcher ends with exit 0 on SIGTERM" "$code" "0"

# 300 deletions in one burst (not a whole OU: ten stay) while the watcher
# follows. It applies each change as it comes, so the burst reaches it as
# many small change sets; over safety.window (1 h by default) they add up,
# so at most max_deprovisions (10, with the earlier ones in the hour) are
# deactivated and then the batch is held; the stream goes on; the batch's
# hash lets exactly it through. (Before the window had a default, the 300
# passed as 40 change sets of under 10 each.)
{
  printf 'dn: ou=Temp,ou=People,%s\nobjectClass: organizationalUnit\nou: Temp\n\n' "$B"
  for ((i = 0; i < 310; i++)); do
    printf 'dn: uid=t%03d,ou=Temp,ou=People,%s\nobjectClass: inetOrgPerson\nuid: t%03d\ncn: T %d\nsn: T\nmail: t%03d@corp.test\n\n' \
      "$i" "$B" "$i" "$i" "$i"
  done
} >"$E2E_DIR/temp.ldif"
ldapadd "${ROOT[@]}" -f "$E2E_DIR/temp.ldif" >/dev/null
active_t() { "$DAOCTL_BIN" users list -o json | jq '[.[] | select((.userName | startswith("t")) and .active)] | length'; }
"$DAOCTL_BIN" sync watch -f "$E2E_DIR/sync.yaml" --interval 30 --metrics-file "$E2E_DIR/watch.prom" \
  >"$E2E_DIR/watch3.out" 2>"$E2E_DIR/watch3.err" &
WATCH=$!
E2E_PIDS+=("$WATCH")
t_count() { [ "$(active_t)" = "$1" ]; }
wait_for "310 new employees arrive" 30 t_count 310
for ((i = 0; i < 300; i++)); do echo "uid=t$(printf %03d $i),ou=Temp,ou=People,$B"; done | ldapdelete "${ROOT[@]}"
wait_for "300 deletions in one burst: the batch is held" 15 grep -q 'allow-deprovision sha256:' "$E2E_DIR/watch3.err"
at_most_ten() { [ "$(active_t)" -ge 300 ]; }
expect_match "at most max_deprovisions of the burst were deactivated ($((310 - $(active_t))))" \
  "$(at_most_ten && echo yes)" "^yes$"
printf 'dn: uid=w5,ou=People,%s\nchangetype: modify\nreplace: cn\ncn: W Five\n' "$B" | ldapmodify "${ROOT[@]}" >/dev/null
wait_for "the stream goes on: a change after the burst is applied" 10 \
  bash -c '[ "$("$0" users get w5 -o json | jq -r .displayName)" = "W Five" ]' "$DAOCTL_BIN"
expect_match "still at most max_deprovisions of the burst deactivated" "$(at_most_ten && echo yes)" "^yes$"
# The held batch grows while the burst goes on: take its hash once it is whole.
sleep 1
kill -HUP "$WATCH"  # a batch now: the last message names the whole burst's batch
sleep 1
hash=$(grep -o 'allow-deprovision sha256:[0-9a-f]*' "$E2E_DIR/watch3.err" | tail -1 | cut -d' ' -f2)
# sync status and the metrics say the same while the watcher runs.
run "$DAOCTL_BIN" sync status -f "$E2E_DIR/sync.yaml" -o json
expect_eq "sync status: the watcher is running" "$(jq -r '.watch.running' <<<"$OUT")" "true"
expect_eq "and following (pushed, not polled)" "$(jq -r '.watch.mode' <<<"$OUT")" "following"
expect_eq "with the held batch's hash" "$(jq -r '.watch.held.hash' <<<"$OUT")" "$hash"
expect_match "and how many it holds" "$(jq -r '.watch.held.deactivations' <<<"$OUT")" '^(29[0-9]|300)$'
expect_match "the held changes count as lag" "$(jq -r '.watch.lag_seconds > 0' <<<"$OUT")" '^true$'
expect_match "what it applied, by kind" "$(jq -r '.watch.applied.create' <<<"$OUT")" '^[0-9]+$'
run "$DAOCTL_BIN" sync status -f "$E2E_DIR/sync.yaml"
expect_match "the text form names the hash and the command" "$OUT" "held: .*--allow-deprovision $hash"
expect_match "the metrics file has the held deactivations" "$(cat "$E2E_DIR/watch.prom")" \
  'daoctl_watch_held_deactivations\{job="watch"\} (29[0-9]|300)'
expect_match "and the lag" "$(cat "$E2E_DIR/watch.prom")" 'daoctl_watch_lag_seconds\{job="watch"\} [0-9.]+'
kill -TERM "$WATCH"
wait "$WATCH"
"$DAOCTL_BIN" sync watch -f "$E2E_DIR/sync.yaml" --interval 30 --allow-deprovision "$hash" \
  >"$E2E_DIR/watch4.out" 2>"$E2E_DIR/watch4.err" &
WATCH=$!
E2E_PIDS+=("$WATCH")
wait_for "with the batch's hash the 300 are deactivated" 30 t_count 10
kill -TERM "$WATCH"
wait "$WATCH"
run "$DAOCTL_BIN" sync status -f "$E2E_DIR/sync.yaml" -o json
expect_eq "once allowed, nothing is held" "$(jq -r '.watch.held' <<<"$OUT")" "null"
expect_eq "the watcher says it stopped" "$(jq -r '.watch.mode + " " + (.watch.running | tostring)' <<<"$OUT")" "stopped false"
expect_match "and counts the 300 deactivations" "$(jq -r '.watch.applied.deactivate' <<<"$OUT")" '^[0-9]+$'
expect_match "caught up: no lag" "$(jq -r '.watch.lag_seconds' <<<"$OUT")" '^0$'

# Killed without a word: the file still says "following", sync status
# knows better.
"$DAOCTL_BIN" sync watch -f "$E2E_DIR/sync.yaml" --interval 30 >"$E2E_DIR/watch5.out" 2>"$E2E_DIR/watch5.err" &
WATCH=$!
E2E_PIDS+=("$WATCH")
following() { "$DAOCTL_BIN" sync status -f "$E2E_DIR/sync.yaml" -o json | jq -e '.watch.mode == "following" and .watch.running' >/dev/null; }
wait_for "a new watcher reports itself following" 20 following
kill -KILL "$WATCH"
wait "$WATCH" 2>/dev/null
run "$DAOCTL_BIN" sync status -f "$E2E_DIR/sync.yaml"
expect_match "sync status says a killed watcher is NOT running" "$OUT" 'watch: +following \(pid [0-9]+, NOT running\)'

run "$DAOCTL_BIN" sync status -f "$E2E_DIR/sync.yaml" -o json
expect_eq "sync status shows the followed source" "$(jq -r .incremental.source <<<"$OUT")" "ldap"
expect_match "and the cookie's age" "$(jq -r .incremental.cookie_age_seconds <<<"$OUT")" '^[0-9]+$'
expect_exit 0 "a full plan agrees with what the watcher applied" \
  "$DAOCTL_BIN" sync plan -f "$E2E_DIR/sync.yaml" --detailed-exitcode

finish
