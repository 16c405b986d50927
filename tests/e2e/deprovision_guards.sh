#!/usr/bin/env bash
# daoctl deprovision guards end to end: every broken or suspicious source read
# ends with exit 5, a message naming the cause, and not one user changed in
# daoctl-sim (compared by listing them before and after). Real peers: slapd
# (generated directory) joined with an HR CSV.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_ldap.sh"
ldapgen="$DAOCTL_BUILD_DIR/tests/ldapgen"
N=300
"$ldapgen" --employees $N --out "$E2E_DIR/people.ldif"
start_slapd "$E2E_DIR/slapd" "$E2E_DIR/people.ldif" || exit 1
start_sim
export DAOCTL_STATE_DIR="$E2E_DIR/state"

write_hr() {  # write_hr ROWS [DISMISSED]: the first ROWS employees, the first DISMISSED of them dismissed
  local rows=$1 dismissed=${2:-0} i
  {
    echo "Табельный номер,Дата увольнения"
    for ((i = 0; i < rows; i++)); do
      if [ "$i" -lt "$dismissed" ]; then printf 'E%06d,01.03.2025\n' "$i"; else printf 'E%06d,\n' "$i"; fi
    done
  } >"$E2E_DIR/hr.csv"
}
write_job() {  # write_job [PAGE_SIZE] [BASE_DN]
  cat >"$E2E_DIR/sync.yaml" <<YAML
version: 1
name: e2e-guards
sources:
  ldap:
    type: ldap
    url: $LDAP_URL
    bind_dn: "$LDAP_BIND_DN"
    bind_password_file: ldap.pass
    base_dn: "${2:-ou=People,$LDAP_BASE_DN}"
    page_size: ${1:-100}
    timeout: 5
  hr:
    type: csv
    path: hr.csv
    key: "Табельный номер"
    dates: dd.MM.yyyy
join:
  - hr."Табельный номер" = ldap.employeeNumber
mapping:
  externalId: "{ldap.employeeNumber}"
  userName: "{ldap.uid}"
  displayName: "{ldap.displayName}"
deprovision:
  dismissed_when:
    - ldap.disabled
    - "hr.'Дата увольнения' | date('dd.MM.yyyy') <= today"
    - missing_from_sources
  after_days: 30
  then: [remove_from_groups, archive]
safety:
  max_deprovisions: 50
  max_deprovisions_percent: 50
  max_source_shrink_percent: 30
YAML
}
write_pass() { printf '%s' "$1" >"$E2E_DIR/ldap.pass"; chmod 600 "$E2E_DIR/ldap.pass"; }
write_pass "$LDAP_BIND_PASSWORD"
write_hr $((N - 20))
write_job
job="$E2E_DIR/sync.yaml"
check "initial sync" "$DAOCTL_BIN" sync apply -f "$job" --today 2025-03-01
snapshot() { "$DAOCTL_BIN" users list -o json | jq -S '[.[] | {id, active, v: .meta.version}]'; }
expect_eq "platform has every employee" "$(snapshot | jq length)" "$N"
BEFORE=$(snapshot)
guard() {  # guard NAME REGEX: deprovision apply must stop with exit 5, ERR matching REGEX, no user changed
  expect_exit 5 "$1: exit 5" "$DAOCTL_BIN" deprovision apply -f "$job" --today 2025-03-01
  expect_match "$1: the message names the cause" "$ERR" "$2"
  expect_eq "$1: no user changed" "$(snapshot)" "$BEFORE"
}

# Wrong bind password.
write_pass "wrong-$RANDOM"
guard "wrong bind password" "cannot read source ldap.*(nvalid credentials|bind)"
write_pass "$LDAP_BIND_PASSWORD"

# An empty OU: the search succeeds and returns nothing.
ldapadd -x -H "$LDAP_URL" -D "$LDAP_ROOT_DN" -w "$LDAP_ROOT_PASSWORD" >/dev/null <<LDIF
dn: ou=Empty,$LDAP_BASE_DN
objectClass: organizationalUnit
ou: Empty
LDIF
write_job 100 "ou=Empty,$LDAP_BASE_DN"
guard "empty OU" "source ldap returned 0 record"
write_job

# The HR CSV cut in half (mid-row).
cp "$E2E_DIR/hr.csv" "$E2E_DIR/hr.full"
head -c $(($(stat -c %s "$E2E_DIR/hr.full") / 2 + 5)) "$E2E_DIR/hr.full" | head -c -1 >"$E2E_DIR/hr.csv"
printf ',extra,"unterminated' >>"$E2E_DIR/hr.csv"
guard "CSV cut in half" "cannot read source hr"
cp "$E2E_DIR/hr.full" "$E2E_DIR/hr.csv"

# The HR file lost 40% of its rows since the last good run.
write_hr $(((N - 20) * 60 / 100))
guard "HR file lost 40% of rows" "source hr shrank by 40"
write_hr $((N - 20))

# 60 dismissals at once: over max_deprovisions; the message names the plan hash to allow.
write_hr $((N - 20)) 60
# (60 HR dismissals; the few of them the directory already disabled are blocked already)
guard "60 dismissals at once" "deactivates 5[5-9] accounts, more than safety.max_deprovisions \(50\)"
planned=$(grep -Eo 'deactivates [0-9]+' <<<"$ERR" | cut -d' ' -f2)
hash=$(grep -Eo 'allow-deprovision sha256:[0-9a-f]+' <<<"$ERR" | head -n1 | cut -d' ' -f2)
expect_match "the stop names the plan hash to allow" "$hash" '^sha256:'
check "the exact plan allowed by its hash goes through" \
  "$DAOCTL_BIN" deprovision apply -f "$job" --today 2025-03-01 --allow-deprovision "$hash"
expect_eq "the 60 dismissed are blocked now" \
  "$("$DAOCTL_BIN" users list -o json | jq '[.[] | select(.active == false)] | length')" \
  "$(($(jq '[.[] | select(.active == false)] | length' <<<"$BEFORE") + planned))"
write_hr $((N - 20))  # rehired: the next run reactivates them
check "rehire reactivates the 60" "$DAOCTL_BIN" deprovision apply -f "$job" --today 2025-03-01
expect_eq "back to the state before" "$(snapshot | jq -S '[.[] | {id, active}]')" "$(jq -S '[.[] | {id, active}]' <<<"$BEFORE")"
BEFORE=$(snapshot)

# slapd stopped mid-run: frozen (SIGSTOP) so daoctl's connection and read
# hang inside the run, then killed; a 300-entry read of page size 1 is too
# fast on loopback to hit between pages reliably.
write_job 1
kill -STOP "$SLAPD_PID"
"$DAOCTL_BIN" deprovision apply -f "$job" --today 2025-03-01 >"$E2E_DIR/kill.out" 2>"$E2E_DIR/kill.err" &
apply_pid=$!
sleep 1
kill -9 "$SLAPD_PID"
wait "$apply_pid"
status=$?
expect_eq "slapd killed mid-read: exit 5" "$status" "5"
expect_match "slapd killed mid-read: the message names the source" "$(cat "$E2E_DIR/kill.err")" "cannot read source ldap"
expect_eq "slapd killed mid-read: no user changed" "$(snapshot)" "$BEFORE"
SLAPD_PID=""

# slapd with a low size limit: a page size over the limit is sizeLimitExceeded.
start_slapd "$E2E_DIR/slapd-limited" "$E2E_DIR/people.ldif" \
  "sizelimit size.soft=100 size.hard=100 size.pr=100 size.prtotal=unlimited" || exit 1
write_pass "$LDAP_BIND_PASSWORD"
write_job 500
guard "slapd size limit" "cannot read source ldap.*(server limit|[Ss]ize ?[Ll]imit)"
finish
