#!/usr/bin/env bash
# kill -9 of `daoctl sync watch` at many points (issue 20), against a real
# slapd with syncprov and a daoctl-sim that fails 15 % of all requests with
# 500 or 503 (runs of several in a row come up): while a script keeps changing the directory (titles, locks, adds,
# deletes, moves between OUs), the watcher is killed with SIGKILL at
# staggered moments, during batches and between them, and started again.
# After the last one has caught up and stopped with SIGTERM, a full plan of
# the same job has nothing to do: no change was lost, and none applied twice
# left a trace (one account per employee, never a second one for a moved
# entry, and nobody blocked who is not locked or gone in the directory).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_ldap.sh"

B="dc=corp,dc=test"
N=40
{
  printf 'dn: %s\nobjectClass: dcObject\nobjectClass: organization\ndc: corp\no: Corp\n\n' "$B"
  printf 'dn: ou=People,%s\nobjectClass: organizationalUnit\nou: People\n\n' "$B"
  for ou in Sales Ops; do printf 'dn: ou=%s,ou=People,%s\nobjectClass: organizationalUnit\nou: %s\n\n' "$ou" "$B" "$ou"; done
  for ((i = 1; i <= N; i++)); do
    ou=$([ $((i % 2)) = 0 ] && echo Sales || echo Ops)
    printf 'dn: uid=k%s,ou=%s,ou=People,%s\nobjectClass: inetOrgPerson\nuid: k%s\ncn: K %s\nsn: K\nmail: k%s@corp.test\ntitle: start\n\n' \
      "$i" "$ou" "$B" "$i" "$i" "$i"
  done
} >"$E2E_DIR/people.ldif"
start_slapd "$E2E_DIR/slapd" "$E2E_DIR/people.ldif" "${LDAP_PPOLICY[@]}" "${LDAP_SYNCPROV[@]}" || { failed "slapd starts"; finish; exit 1; }
start_sim --fail-rate 0.15 --fault-seed 7
cat >"$E2E_DIR/sync.yaml" <<YAML
version: 1
name: crash
sources:
$(ldap_source)
mapping:
  externalId: "{ldap.entryUUID}"
  userName: "{ldap.uid}"
  email: "{ldap.mail | first | lower}"
  displayName: "{ldap.cn}"
  title: "{ldap.title}"
  active: "{not ldap.disabled}"
deprovision:
  dismissed_when: [missing_from_sources]
safety:
  max_deprovisions: 100
  max_deprovisions_percent: 100
apply: {retries: {attempts: 8, max_wait: 1}}
YAML
export DAOCTL_STATE_DIR="$E2E_DIR/state"
ROOT=(-x -H "$LDAP_URL" -D "$LDAP_ROOT_DN" -w "$LDAP_ROOT_PASSWORD")
ldap_root() { "$@" "${ROOT[@]}" >/dev/null 2>&1; }

# One round of directory changes: new titles for a few, a lock, an add, a
# delete and a move between OUs (a modrdn: the same entryUUID).
next_new=$((N + 1))
change_round() {
  local r=$1 i
  for i in $((r % N + 1)) $(((r * 7) % N + 1)) $(((r * 13) % N + 1)); do
    printf 'dn: uid=k%s,%s\nchangetype: modify\nreplace: title\ntitle: round %s\n' "$i" "$(ou_of "$i")" "$r" | ldap_root ldapmodify
  done
  i=$(((r * 5) % N + 1))
  printf 'dn: uid=k%s,%s\nchangetype: modify\nreplace: pwdAccountLockedTime\npwdAccountLockedTime: 000001010000Z\n' "$i" "$(ou_of "$i")" |
    ldap_root ldapmodify
  printf 'dn: uid=k%s,ou=Ops,ou=People,%s\nobjectClass: inetOrgPerson\nuid: k%s\ncn: K %s\nsn: K\nmail: k%s@corp.test\ntitle: new\n' \
    "$next_new" "$B" "$next_new" "$next_new" "$next_new" | ldap_root ldapadd
  OU_OF[$next_new]="ou=Ops,ou=People,$B"
  next_new=$((next_new + 1))
  i=$(((r * 11) % N + 1))
  if [ -n "${OU_OF[$i]}" ] && [ "$i" -gt 2 ]; then
    ldap_root ldapdelete "uid=k$i,${OU_OF[$i]}" && OU_OF[$i]=""
  fi
  i=$(((r * 3) % N + 1))
  if [ -n "${OU_OF[$i]}" ]; then
    local to="ou=Sales,ou=People,$B"
    [ "${OU_OF[$i]}" = "$to" ] && to="ou=Ops,ou=People,$B"
    ldap_root ldapmodrdn -s "$to" "uid=k$i,${OU_OF[$i]}" "uid=k$i" && OU_OF[$i]=$to
  fi
}
declare -a OU_OF
for ((i = 1; i <= N; i++)); do OU_OF[$i]="ou=$([ $((i % 2)) = 0 ] && echo Sales || echo Ops),ou=People,$B"; done
ou_of() { echo "${OU_OF[$1]:-ou=Ops,ou=People,$B}"; }

start_watch() {
  "$DAOCTL_BIN" sync watch -f "$E2E_DIR/sync.yaml" --interval 0.2 --max-backoff 1 \
    >>"$E2E_DIR/watch.out" 2>>"$E2E_DIR/watch.err" &
  WATCH=$!
}

# The first run (a full one) brings everybody over; then rounds of
# changes, each with a SIGKILL at a staggered moment after it.
start_watch
for ((i = 0; i < 300; i++)); do
  [ "$("$DAOCTL_BIN" users list -o json 2>/dev/null | jq length)" = "$N" ] && break
  sleep 0.1
done
expect_eq "the first batch brought every employee over" "$("$DAOCTL_BIN" users list -o json | jq length)" "$N"
KILLS=10 MID_BATCH=0 BETWEEN=0
for ((r = 1; r <= KILLS; r++)); do
  change_round "$r"
  sleep "0.$(((r * 37) % 10))$((r % 7))"  # 0.00 .. 0.96 s after the changes
  # The job's lock is held only while a batch runs. Every other round waits
  # for the batch to end, so kills land both inside batches and between.
  if [ $((r % 2)) = 0 ]; then
    for ((i = 0; i < 100; i++)); do flock -n "$DAOCTL_STATE_DIR/crash.lock" true 2>/dev/null && break; sleep 0.1; done
  fi
  if flock -n "$DAOCTL_STATE_DIR/crash.lock" true 2>/dev/null; then BETWEEN=$((BETWEEN + 1)); else MID_BATCH=$((MID_BATCH + 1)); fi
  kill -KILL "$WATCH" 2>/dev/null
  wait "$WATCH" 2>/dev/null
  start_watch
done
# Caught up: wait for a quiet moment, then stop it the proper way - once
# this last watcher has said (in its watch state) that it is up and has
# applied a batch: a SIGTERM before it blocks its signals is the CLI's
# "interrupted" (130), which is not what this checks.
for ((i = 0; i < 100; i++)); do
  "$DAOCTL_BIN" sync plan -f "$E2E_DIR/sync.yaml" --detailed-exitcode >/dev/null 2>&1 && break
  sleep 0.3
done
for ((i = 0; i < 100; i++)); do
  jq -e --argjson pid "$WATCH" '.pid == $pid and .batches >= 1' "$DAOCTL_STATE_DIR/crash.watch.json" >/dev/null 2>&1 && break
  sleep 0.1
done
kill -TERM "$WATCH"
code=0
wait "$WATCH" || code=$?
expect_eq "the last watcher ends with exit 0 on SIGTERM" "$code" "0"

expect_exit 0 "after $KILLS kill -9s under 500/503s, a full plan has nothing to do" \
  "$DAOCTL_BIN" sync plan -f "$E2E_DIR/sync.yaml" --detailed-exitcode
run "$DAOCTL_BIN" users list -o json
expect_eq "one account per userName (a move or a replayed batch made no second one)" \
  "$(jq '[.[].userName] | length' <<<"$OUT")" "$(jq '[.[].userName] | unique | length' <<<"$OUT")"
in_ldap=$(ldapsearch "${ROOT[@]}" -b "ou=People,$B" '(&(objectClass=inetOrgPerson)(!(pwdAccountLockedTime=*)))' uid -LLL |
  awk '/^uid: / { print $2 }' | sort | tr '\n' ' ')
active=$(jq -r '[.[] | select(.active) | .userName] | sort | .[]' <<<"$OUT" | tr '\n' ' ')
expect_eq "exactly the unlocked employees in the directory are active on the platform" "$active" "$in_ldap"
expect_match "some kills landed inside a batch ($MID_BATCH of $KILLS)" "$MID_BATCH" '^[1-9][0-9]*$'
expect_match "and some between batches ($BETWEEN of $KILLS)" "$BETWEEN" '^[1-9][0-9]*$'
finish
