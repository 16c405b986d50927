#!/usr/bin/env bash
# Fields a job declares for a source (JSON fields:, LDAP attributes:): validate
# checks every name against them without data; at plan time a declared field
# that no record carries is empty, not an error, while an undeclared one that
# no record carries still stops the run (exit 5) naming the field.
source "$(dirname "$0")/lib.sh"
start_sim
export DAOCTL_STATE_DIR="$E2E_DIR/state"
job="$E2E_DIR/sync.yaml"

# No record has a phone yet (a new HR system); one has no Отчество.
cat >"$E2E_DIR/staff.json" <<'JSON'
[{"id": "1", "login": "elkina", "Фамилия": "Ёлкина", "Отчество": "Ивановна"},
 {"id": "2", "login": "petrov", "Фамилия": "Петров"}]
JSON
write_job() {  # write_job FIELDS-LINE PHONE-EXPRESSION
  cat >"$job" <<YAML
version: 1
name: e2e-declared
sources:
  hr:
    type: json
    path: staff.json
    key: id
$1
mapping:
  externalId: "hr-{hr.id}"
  userName: "{hr.login}"
  name.familyName: "{hr.Фамилия}"
  name.middleName: "{hr.Отчество}"
  phone: "$2"
YAML
}

write_job "    fields: [id, login, Фамилия, Отчество, phone]" "{hr.phnoe}"
expect_exit 2 "validate: a name fields: lacks is an error" "$DAOCTL_BIN" sync validate -f "$job"
expect_match "validate: it names the field, where, and the nearest name" "$ERR" \
  "sync.yaml:14:12: mapping.phone names hr.'phnoe', which its fields: lacks; nearest: 'phone'"

write_job "    fields: [id, login, Фамилия, Отчество, phone]" "{hr.phone}"
check "validate: declared names pass" "$DAOCTL_BIN" sync validate -f "$job"
expect_exit 8 "plan: a declared field no record has is empty, not an error" \
  "$DAOCTL_BIN" sync plan -f "$job" -o json --detailed-exitcode
expect_eq "plan: both people, without a phone; the missing Отчество is empty for one" \
  "$(jq -c '[.users[] | {u: .userName, f: [.changes[] | .field] | map(select(. == "phone" or . == "name.middleName"))}]' <<<"$OUT")" \
  '[{"u":"elkina","f":["name.middleName"]},{"u":"petrov","f":[]}]'

write_job "" "{hr.phone}"
check "validate: without fields: the data is not needed" "$DAOCTL_BIN" sync validate -f "$job"
expect_exit 5 "plan: without fields:, a field no record has stops the run" "$DAOCTL_BIN" sync plan -f "$job"
expect_match "plan: and names it" "$ERR" "mapping.phone names hr.'phone', which every record of .*staff.json lacks"
finish
