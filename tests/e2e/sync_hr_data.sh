#!/usr/bin/env bash
# Sync on HR data as 1C writes it: a Windows-1251 (and KOI8-R) export read
# with encoding: auto, Russian headers, a rehire (two rows with one personnel
# number), dd.MM.yyyy dates, and a directory whose personnel numbers are
# formatted differently (000017 / 00000017 / 17). Each silent mistake of
# issue 15 must be loud: a missing column, a join that matches nothing.
source "$(dirname "$0")/lib.sh"
start_sim
export DAOCTL_STATE_DIR="$E2E_DIR/state"
job="$E2E_DIR/sync.yaml"

# The 1C export: CRLF, ';', "Дата приема" with е, and the rehire of 00000017:
# the dismissed row of 2013 after the active row of 2024.
printf '%s\r\n' \
  'Табельный номер;ФИО;Логин;Должность;Дата приема;Дата увольнения' \
  '00000017;Петров Пётр Петрович;petrov;Ведущий менеджер;01.03.2024;' \
  '00000018;Сидорова Анна Игоревна;sidorova;Главный бухгалтер;10.10.2010;' \
  '00000017;Петров Пётр Петрович;petrov;Менеджер;24.04.2013;31.12.2020' \
  '00000019;Щукина Юлия Эдуардовна;shchukina;Кладовщик;05.06.2019;' |
  iconv -f utf-8 -t cp1251 >"$E2E_DIR/zup.csv"

write_job() {  # write_job ACTIVE_EXPR [DUPLICATES]
  cat >"$job" <<YAML
version: 1
name: zup
sources:
  hr:
    type: csv
    path: zup.csv
    delimiter: ";"
    key: "Табельный номер"
    dates: dd.MM.yyyy
    duplicates: ${2:-prefer_active}
mapping:
  externalId: "zup-{hr.'Табельный номер' | digits | replace('^0+', '')}"
  userName: "{hr.Логин}"
  displayName: "{hr.ФИО}"
  title: "{hr.Должность}"
  hireDate: "{hr.'Дата приема'}"
  active: "$1"
YAML
}

# 1. The mapping names a column the export does not have (the dismissal
#    column is called "Дата увольнения", the job says "fired"). Today's
#    reading as empty would keep every dismissed employee active.
write_job "{not hr.fired}"
expect_exit 2 "validate refuses a column the CSV header lacks" "$DAOCTL_BIN" sync validate -f "$job"
expect_match "the error names the field, where, and what the header has" "$ERR" \
  "sync.yaml:17:17: mapping.active names hr.'fired', which the header of .*zup.csv lacks"
expect_exit 5 "plan stops on the missing column before anything exists" "$DAOCTL_BIN" sync plan -f "$job"
expect_match "plan names the field too" "$ERR" "names hr.'fired'"
run "$DAOCTL_BIN" users list -o json
expect_eq "nothing was created" "$(jq length <<<"$OUT")" "0"
run "$DAOCTL_BIN" doctor --job "$job"
expect_match "doctor --job reports it on the source" "$OUT$ERR" "names hr.'fired'"

# 2. A near miss: 'Дата увольнения' spelled 'Дата увольненя'.
write_job "{not hr.'Дата увольненя'}"
expect_exit 2 "a typo in a Russian column name is an error" "$DAOCTL_BIN" sync validate -f "$job"
expect_match "with the nearest column" "$ERR" "nearest: 'Дата увольнения'"

# 3. The right column: the rehire syncs the active row, and the plan says so.
write_job "{not hr.'Дата увольнения'}"
check "validate accepts the job" "$DAOCTL_BIN" sync validate -f "$job"
run "$DAOCTL_BIN" sync plan -f "$job"
expect_eq "plan succeeds" "$STATUS" "0"
expect_match "the plan shows which row of the rehire won and why" "$ERR" \
  "user petrov: 2 records of hr have externalId 'zup-17' \(.*zup.csv:2 active, .*zup.csv:4 inactive\); synced .*zup.csv:2: the only active one \(duplicates: prefer_active\)"
check "apply" "$DAOCTL_BIN" sync apply -f "$job"
run "$DAOCTL_BIN" users list -o json
expect_eq "three employees" "$(jq length <<<"$OUT")" "3"
petrov=$(jq -c '.[] | select(.userName == "petrov")' <<<"$OUT")
expect_eq "the rehired employee is active" "$(jq -r .active <<<"$petrov")" "true"
expect_eq "with the new title" "$(jq -r .title <<<"$petrov")" "Ведущий менеджер"
expect_eq "and hireDate in YYYY-MM-DD" "$(jq -r '[.. | .hireDate? // empty] | first' <<<"$petrov")" "2024-03-01"
expect_exit 0 "a second plan changes nothing" "$DAOCTL_BIN" sync plan -f "$job" --detailed-exitcode

# 4. duplicates: error stops the run and lists the rows.
write_job "{not hr.'Дата увольнения'}" error
expect_exit 5 "duplicates: error stops the run" "$DAOCTL_BIN" sync plan -f "$job"
expect_match "naming both rows" "$ERR" "zup.csv:2 active, .*zup.csv:4 inactive"

# 5. The same export in KOI8-R reads the same with encoding: auto.
iconv -f cp1251 -t koi8-r "$E2E_DIR/zup.csv" >"$E2E_DIR/zup.koi8" && mv "$E2E_DIR/zup.koi8" "$E2E_DIR/zup.csv"
write_job "{not hr.'Дата увольнения'}"
expect_exit 0 "a KOI8-R export plans no change" "$DAOCTL_BIN" sync plan -f "$job" --detailed-exitcode

# 6. A join of a directory export (JSON) with the HR export on personnel
#    numbers written 000017 / 00000017 / 17.
cat >"$E2E_DIR/dir.json" <<'JSON'
[
  {"uid": "petrov", "employeeNumber": "000017", "mail": "petrov@corp.example"},
  {"uid": "sidorova", "employeeNumber": "18", "mail": "sidorova@corp.example"},
  {"uid": "shchukina", "employeeNumber": "000019 ", "mail": "shchukina@corp.example"},
  {"uid": "svc-backup", "mail": "backup@corp.example"}
]
JSON
write_join_job() {  # write_join_job JOIN
  cat >"$job" <<YAML
version: 1
name: zup
sources:
  dir: {type: json, path: dir.json, key: uid}
  hr:
    type: csv
    path: zup.csv
    delimiter: ";"
    key: "Табельный номер"
    dates: dd.MM.yyyy
join:
  - "$1"
mapping:
  externalId: "zup-{dir.employeeNumber | digits | replace('^0+', '') | default('none')}"
  userName: "{dir.uid}"
  email: "{dir.mail}"
  title: "{hr.Должность}"
  hireDate: "{hr.'Дата приема'}"
  active: "{not hr.'Дата увольнения'}"
YAML
}
write_join_job "hr.'Табельный номер' = dir.employeeNumber"
expect_exit 5 "a join that matches nothing is a safety stop" "$DAOCTL_BIN" sync plan -f "$job"
expect_match "naming the join, the numbers and the setting" "$ERR" "matched 0 of 3 record\(s\) \(0.0%\), less than safety.min_join_rate \(50%\)"

write_join_job "hr.'Табельный номер' | digits | replace('^0+', '') = dir.employeeNumber | digits | replace('^0+', '')"
check "validate accepts a normalised join" "$DAOCTL_BIN" sync validate -f "$job"
run "$DAOCTL_BIN" sync plan -f "$job" -o json
expect_eq "the normalised join plans" "$STATUS" "0"
expect_eq "join stats: matched" "$(jq '.joins[0].matched' <<<"$OUT")" "3"
expect_eq "join stats: the directory entry without an HR record" "$(jq -r '.joins[0].left_unmatched[0]' <<<"$OUT")" "user svc-backup ($E2E_DIR/dir.json#/3)"
expect_eq "join stats: no HR record left over" "$(jq '.joins[0].right_unmatched | length' <<<"$OUT")" "0"
run "$DAOCTL_BIN" sync plan -f "$job"
expect_match "the text plan reports the join" "$OUT" "join hr: 3 matched, 1 without hr, 0 hr record\(s\) without a match"
expect_match "the rehire on the joined side names the person" "$ERR" \
  "user petrov \(.*\): 2 records of hr have the join key '17' \(.*zup.csv:2 active, .*zup.csv:4 inactive\); joined .*zup.csv:2"

# 7. A join that names a field the JSON records do not have.
write_join_job "hr.'Табельный номер' | digits = dir.employeNumber | digits"
expect_exit 5 "a join on a field no record has stops the plan" "$DAOCTL_BIN" sync plan -f "$job"
expect_match "naming it and the nearest field" "$ERR" "join\[0\] names dir.'employeNumber'.*nearest: 'employeeNumber'"
finish
