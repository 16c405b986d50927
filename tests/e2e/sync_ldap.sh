#!/usr/bin/env bash
# daoctl sync end to end: a throwaway slapd (generated directory with escaped
# DNs, Cyrillic names, photos, disabled accounts) joined with an HR CSV in
# Windows-1251, synced into daoctl-sim. Checks plan/apply/rerun, managers,
# departments, groups, the lock, a kill -9 mid-apply and the failed-source guard.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_ldap.sh"
ldapgen="$DAOCTL_BUILD_DIR/tests/ldapgen"
N=300

"$ldapgen" --employees $N --out "$E2E_DIR/people.ldif"
start_slapd "$E2E_DIR/slapd" "$E2E_DIR/people.ldif" || exit 1
start_sim

# HR export: 1C-style, Windows-1251, ';', dd.MM.yyyy; every employee but the last 20.
{
  echo "Табельный номер;Компетенции;Дата приёма"
  for ((i = 0; i < N - 20; i++)); do printf 'E%06d;"C++, SQL";15.01.20%02d\n' "$i" $((i % 20)); done
} | iconv -f UTF-8 -t WINDOWS-1251 >"$E2E_DIR/hr.csv"

cat >"$E2E_DIR/sync.yaml" <<YAML
version: 1
name: e2e-nightly
sources:
$(ldap_source "page_size: 100")
  hr:
    type: csv
    path: hr.csv
    encoding: windows-1251
    delimiter: ";"
    key: "Табельный номер"
join:
  - hr."Табельный номер" = ldap.employeeNumber
mapping:
  externalId: "{ldap.entryUUID}"
  userName: "{ldap.uid}"
  email: "{ldap.mail | first | lower}"
  name.givenName: "{ldap.givenName}"
  name.familyName: "{ldap.sn}"
  displayName: "{ldap.displayName}"
  title: "{ldap.title}"
  phone: "{ldap.telephoneNumber | first}"
  department: "Company/{ldap.ou}"
  manager: "{ldap.manager}"
  employeeNumber: "{ldap.employeeNumber}"
  skills: "{hr.Компетенции | split(',') | trim}"
  hireDate: "{hr.'Дата приёма' | date('dd.MM.yyyy')}"
  active: "{not ldap.disabled}"
groups:
  from: ldap.ou
  name: value
safety:
  max_deprovisions: 100
  max_deprovisions_percent: 50
apply:
  concurrency: 8
YAML
export DAOCTL_STATE_DIR="$E2E_DIR/state"
job="$E2E_DIR/sync.yaml"

check "sync validate accepts the job" "$DAOCTL_BIN" sync validate -f "$job"
expect_exit 8 "plan on an empty platform has changes (--detailed-exitcode)" \
  "$DAOCTL_BIN" sync plan -f "$job" --detailed-exitcode -o json
expect_eq "plan creates every employee" "$(jq '.summary.users.create' <<<"$OUT")" "$N"
expect_eq "plan creates the department tree" "$(jq '[.departments[] | select(.path == "Company")] | length' <<<"$OUT")" "1"

check "sync apply succeeds" "$DAOCTL_BIN" sync apply -f "$job" --summary-file "$E2E_DIR/summary.json" \
  --metrics-file "$E2E_DIR/metrics.prom"
expect_eq "summary says ok" "$(jq -r .result "$E2E_DIR/summary.json")" "ok"
expect_match "metrics file has the success gauge" "$(cat "$E2E_DIR/metrics.prom")" 'daoctl_sync_success\{job="e2e-nightly"\} 1'

run "$DAOCTL_BIN" users list -o json
expect_eq "platform has every employee" "$(jq 'length' <<<"$OUT")" "$N"
expect_eq "Cyrillic names arrive intact (the escaped-DN employee)" \
  "$(jq -r '.[] | select(.userName == "e000000") | .displayName' <<<"$OUT")" "Иван Иванов"
boss=$(jq -r '.[] | select(.userName == "e000000") | .id' <<<"$OUT")
expect_eq "managers given by escaped DN resolve to platform ids" \
  "$(jq -r '.[] | select(.userName == "e000001") | .["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"].manager.value' <<<"$OUT")" "$boss"
expect_eq "HR skills joined through Windows-1251 CSV" \
  "$(jq -c '.[] | select(.userName == "e000002") | .["urn:daoffice:scim:schemas:extension:profile:1.0:User"].skills' <<<"$OUT")" '["C++","SQL"]'
expect_eq "HR dates parsed" \
  "$(jq -r '.[] | select(.userName == "e000002") | .["urn:daoffice:scim:schemas:extension:profile:1.0:User"].hireDate' <<<"$OUT")" "2002-01-15"
disabled_in_ldap=$(grep -c '^shadowExpire\|^pwdAccountLockedTime' "$E2E_DIR/people.ldif" || true)
expect_eq "accounts disabled in the directory are inactive" \
  "$(jq '[.[] | select(.active == false)] | length' <<<"$OUT")" "$disabled_in_ldap"
run "$DAOCTL_BIN" departments list -o json
expect_match "departments created under Company" "$(jq -r '.[].path' <<<"$OUT")" '^Company/IT$'
run "$DAOCTL_BIN" groups list -o json
expect_match "groups created from the ou attribute" "$(jq -r '.[].displayName' <<<"$OUT")" '^IT$'

expect_exit 0 "a rerun plans nothing (--detailed-exitcode exits 0)" \
  "$DAOCTL_BIN" sync plan -f "$job" --detailed-exitcode
expect_match "the rerun says no changes" "$OUT" 'No changes'

# A saved plan is refused once the platform changed.
directory_title=$("$DAOCTL_BIN" users get e000006 -o json | jq -r .title)
"$DAOCTL_BIN" users update e000005 --set title=Changed >/dev/null
expect_exit 8 "plan sees the manual change" "$DAOCTL_BIN" sync plan -f "$job" --out "$E2E_DIR/plan.json" --detailed-exitcode
"$DAOCTL_BIN" users update e000006 --set title=AlsoChanged >/dev/null
expect_exit 5 "a saved plan is refused after the platform changed" "$DAOCTL_BIN" sync apply -f "$job" --plan "$E2E_DIR/plan.json"
expect_match "the refusal says why" "$ERR" 'platform changed since the plan was made'
check "apply repairs both manual changes" "$DAOCTL_BIN" sync apply -f "$job"
run "$DAOCTL_BIN" users get e000006 -o json
expect_eq "the title is the directory's again" "$(jq -r .title <<<"$OUT")" "$directory_title"

# The lock: a second run while one holds it exits 6 at once.
exec 9>"$DAOCTL_STATE_DIR/e2e-nightly.lock"
flock -n 9
expect_exit 6 "a second concurrent apply exits 6" "$DAOCTL_BIN" sync apply -f "$job"
expect_match "the lock message names the holder" "$ERR" 'already running'
exec 9>&-

# --incremental needs a way to read changes: this slapd has no syncprov
# overlay and is not Active Directory, and the error says what to load.
expect_exit 5 "--incremental on a slapd without syncprov is a failed source read" \
  "$DAOCTL_BIN" sync apply -f "$job" --incremental
expect_match "which names the overlay to load" "$ERR" 'overlay syncprov'

# A failed source read never changes anything (exit 5).
stop_slapd
before=$("$DAOCTL_BIN" users list -o json | jq -S '[.[] | {id, active, meta: .meta.version}]')
expect_exit 5 "apply with the directory down is a safety stop" "$DAOCTL_BIN" sync apply -f "$job"
expect_match "the stop names the source" "$ERR" 'cannot read source ldap'
after=$("$DAOCTL_BIN" users list -o json | jq -S '[.[] | {id, active, meta: .meta.version}]')
expect_eq "no user was touched" "$after" "$before"
finish
