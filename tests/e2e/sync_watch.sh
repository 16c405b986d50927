#!/usr/bin/env bash
# daoctl sync watch against a real slapd with syncprov: under a fake
# systemd notify socket it says READY/STATUS/WATCHDOG; a lock, an add and a
# delete in the directory reach the platform within seconds (and, with a
# 30 s poll interval, within seconds too: the change is pushed); slapd
# restarted mid-stream (same port) is retried with backoff and nothing is
# lost or deactivated meanwhile; SIGHUP re-reads the job; SIGTERM lets the
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
printf '%s' "$LDAP_BIND_PASSWORD" >"$E2E_DIR/ldap.pass"
chmod 600 "$E2E_DIR/ldap.pass"
cat >"$E2E_DIR/sync.yaml" <<YAML
version: 1
name: watch
sources:
  ldap:
    type: ldap
    url: $LDAP_URL
    bind_dn: "$LDAP_BIND_DN"
    bind_password_file: ldap.pass
    base_dn: "ou=People,$B"
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

# wait_for DESCRIPTION SECONDS CMD...: polls CMD until it succeeds.
wait_for() {
  local what=$1 limit=$2 start=$SECONDS
  shift 2
  while ((SECONDS - start < limit)); do
    if "$@" >/dev/null 2>&1; then pass "$what ($((SECONDS - start)) s)"; return 0; fi
    sleep 0.2
  done
  failed "$what (not within $limit s)" "$(tail -5 "$E2E_DIR/watch.err")"
}
active_of() { [ "$("$DAOCTL_BIN" users get "$1" -o json | jq -r .active)" = "$2" ]; }
count_is() { [ "$("$DAOCTL_BIN" users list -o json | jq length)" = "$1" ]; }

wait_for "the first batch (a full run) creates every employee" 60 count_is 5
wait_for "READY=1 is sent to the notify socket" 10 grep -q 'READY=1' "$E2E_DIR/notify.log"
expect_match "STATUS and WATCHDOG follow each batch" "$(cat "$E2E_DIR/notify.log")" 'STATUS=following: [0-9]+ batch.* WATCHDOG=1'

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

run "$DAOCTL_BIN" sync status -f "$E2E_DIR/sync.yaml" -o json
expect_eq "sync status shows the followed source" "$(jq -r .incremental.source <<<"$OUT")" "ldap"
expect_match "and the cookie's age" "$(jq -r .incremental.cookie_age_seconds <<<"$OUT")" '^[0-9]+$'
expect_exit 0 "a full plan agrees with what the watcher applied" \
  "$DAOCTL_BIN" sync plan -f "$E2E_DIR/sync.yaml" --detailed-exitcode

finish
