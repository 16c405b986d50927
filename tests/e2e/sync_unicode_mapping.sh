#!/usr/bin/env bash
# A 1C-style export in Windows-1251 with Cyrillic logins and e-mails, end to
# end against daoctl-sim:
#  - the mapping coalesces (`hr.email or login(hr.Фамилия)`: the first value,
#    not `true`), chooses with if(), and default() takes an expression;
#  - userName/e-mail collisions that differ only in Cyrillic case (Ёлкина vs
#    ёлкина, an administrator's own ЩУКИНА) are found by plan before anything
#    is sent: apply gets no 409 from the platform, whose unique index folds
#    Cyrillic case too; suffix_number resolves them and a rerun plans nothing.
source "$(dirname "$0")/lib.sh"
start_sim
export DAOCTL_STATE_DIR="$E2E_DIR/state"
job="$E2E_DIR/sync.yaml"

check "an unmanaged account holds a Cyrillic login" "$DAOCTL_BIN" api POST /scim/v2/Users \
  -d '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ЩУКИНА","active":true}'

# The e-mail column is empty for some people; Уволен is a 0/1 flag.
printf '%s\n' \
  'Таб;Логин;Фамилия;Email;Должность;Уволен' \
  '1;Ёлкина;Ёлкина;ёлкина@corp.example;Бухгалтер;0' \
  '2;ёлкина;Ёлкина;ЁЛКИНА@corp.example;;0' \
  '3;щукина;Щукина;shchukina@corp.example;Инженер;0' \
  '4;петров;Петров;;Аналитик;1' |
  iconv -f utf-8 -t windows-1251 >"$E2E_DIR/hr.csv"
write_job() {  # write_job [UNIQUE-LINE]
  cat >"$job" <<YAML
version: 1
name: e2e-unicode
sources:
  hr: {type: csv, path: hr.csv, key: Таб, delimiter: ";", encoding: windows-1251}
mapping:
  externalId: "hr-{hr.Таб}"
  userName: "{hr.Логин}"
  email: "{hr.Email or login(hr.Фамилия) | suffix('@corp.example')}"
  title: "{if(hr.Должность, hr.Должность, 'Сотрудник')}"
  employeeNumber: "{hr.Таб | default(hr.Логин)}"
  active: "{not hr.Уволен}"
$1
YAML
}
write_job ""
users() { "$DAOCTL_BIN" users list -o json | jq -c '[.[] | .userName] | sort'; }

expect_exit 3 "plan: collisions exit 3" "$DAOCTL_BIN" sync plan -f "$job" --out "$E2E_DIR/plan.json"
# (Both Ёлкина are left out for their userName already, so their e-mails,
# ёлкина@ and ЁЛКИНА@, are not listed again here; suffix_number below shows it.)
expect_eq "plan: Cyrillic case is one value" \
  "$(jq -c '[.collisions[] | {field, value, people: [.parties[] | .userName + ":" + .outcome]}]' "$E2E_DIR/plan.json")" \
  '[{"field":"userName","value":"Ёлкина","people":["Ёлкина:left_out","ёлкина:left_out"]},{"field":"userName","value":"ЩУКИНА","people":["ЩУКИНА:holds","щукина:left_out"]}]'
expect_eq "plan: only петров is created" "$(jq -c '[.users[] | .userName]' "$E2E_DIR/plan.json")" '["петров"]'
expect_eq "plan: or gives the value, not true" \
  "$(jq -c '[.users[0].changes[] | select(.field == "email" or .field == "title" or .field == "active") | .after]' "$E2E_DIR/plan.json")" \
  '["petrov@corp.example","Аналитик",false]'

expect_exit 3 "apply: exit 3 (partial)" "$DAOCTL_BIN" sync apply -f "$job" --summary-file "$E2E_DIR/summary.json"
expect_eq "apply: no request failed (no 409s)" "$(jq .http.failures "$E2E_DIR/summary.json")" 0
expect_eq "apply: петров is created" "$(users)" '["ЩУКИНА","петров"]'

write_job "unique: {userName: suffix_number, email: suffix_number}"
expect_exit 0 "suffix_number: plan resolves every collision" "$DAOCTL_BIN" sync plan -f "$job" -o json
expect_eq "suffix_number: who gets which login" \
  "$(jq -c '[.users[] | select(.action == "create") | .externalId + "=" + .userName] | sort' <<<"$OUT")" \
  '["hr-1=Ёлкина","hr-2=ёлкина2","hr-3=щукина2"]'
check "suffix_number: apply" "$DAOCTL_BIN" sync apply -f "$job" --summary-file "$E2E_DIR/summary2.json"
expect_eq "suffix_number: no request failed" "$(jq .http.failures "$E2E_DIR/summary2.json")" 0
expect_eq "suffix_number: e-mails as the platform has them" \
  "$("$DAOCTL_BIN" users list -o json | jq -c '[.[] | select(.userName | startswith("Ё") or startswith("ё")) | .emails[0].value] | sort')" \
  '["ЁЛКИНА2@corp.example","ёлкина@corp.example"]'
expect_exit 0 "rerun: nothing to do" "$DAOCTL_BIN" sync plan -f "$job" --detailed-exitcode
finish
