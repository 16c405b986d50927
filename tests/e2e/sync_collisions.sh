#!/usr/bin/env bash
# Plan-level checks of a sync, end to end against daoctl-sim with an HR CSV
# as real exports have it: two employees mapped to one userName (case
# differs) or one e-mail, a login an administrator's own account already
# has, a manager cycle and a self-manager, a title with quotes in it.
#  - plan names every collision (both people, field, value, resolution) and
#    exits 3 before anything is sent; apply carries out the rest, sends no
#    request that the platform answers 409, reports each left-out person in
#    the results journal and exits 3;
#  - unique: {userName: suffix_number, email: suffix_number} resolves them
#    deterministically, and a rerun plans nothing;
#  - cycles are warned about and no manager link on them is set;
#  - the text plan lists users by userName, names managers and group
#    members by userName, and quotes values JSON-style.
source "$(dirname "$0")/lib.sh"
start_sim
export DAOCTL_STATE_DIR="$E2E_DIR/state"
job="$E2E_DIR/sync.yaml"
journal="$DAOCTL_STATE_DIR/e2e-unique.results.jsonl"

# An account an administrator made by hand: daoctl does not manage it.
check "an unmanaged account exists" "$DAOCTL_BIN" api POST /scim/v2/Users \
  -d '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"admin","active":true}'

cat >"$E2E_DIR/hr.csv" <<'CSV'
id,login,mail,boss,title,group
e10,zoe,zoe@corp.example,,Head,Staff
e02,Ivanov,i.ivanov@corp.example,e10,Engineer,Dev
e01,ivanov,ivanov@corp.example,e10,Engineer,Dev
e03,petrov,petrov@corp.example,e04,"Say ""hi""",Dev
e04,sidorov,PETROV@corp.example,e03,QA,Dev
e05,admin,admin@corp.example,e05,Admin,Staff
e06,anna,anna@corp.example,e03,Analyst,Staff
CSV
write_job() {  # write_job [UNIQUE-LINE]
  cat >"$job" <<YAML
version: 1
name: e2e-unique
sources:
  hr: {type: csv, path: hr.csv, key: id}
mapping:
  externalId: "{hr.id}"
  userName: "{hr.login}"
  email: "{hr.mail}"
  title: "{hr.title}"
  manager: "{hr.boss}"
groups:
  from: hr.group
$1
YAML
}
write_job ""
users() { "$DAOCTL_BIN" users list -o json | jq -c '[.[] | .userName] | sort'; }

expect_exit 3 "plan: collisions exit 3" "$DAOCTL_BIN" sync plan -f "$job" --out "$E2E_DIR/plan.json"
expect_match "plan: the userName collision names both people and the resolution" "$OUT" \
  'userName "ivanov" \(unique.userName: error\)'
expect_match "plan: first person" "$OUT" 'ivanov \(externalId "e01"\): left out: not created'
expect_match "plan: second person" "$OUT" 'Ivanov \(externalId "e02"\): left out: not created'
expect_match "plan: the e-mail collision" "$OUT" 'email "petrov@corp.example" \(unique.email: error\)'
expect_match "plan: the administrator's account holds its login" "$OUT" \
  'admin \(id [0-9]+\): holds it \(platform account not managed by daoctl, no externalId'
expect_match "plan: the message says how to resolve" "$ERR" 'left out by userName/email collisions'
expect_eq "plan --out: collisions are in the saved plan" \
  "$(jq -c '[.collisions[] | {field, value, people: [.parties[] | .userName + ":" + .outcome]}]' "$E2E_DIR/plan.json")" \
  '[{"field":"email","value":"petrov@corp.example","people":["petrov:left_out","sidorov:left_out"]},{"field":"userName","value":"admin","people":["admin:holds","admin:left_out"]},{"field":"userName","value":"ivanov","people":["ivanov:left_out","Ivanov:left_out"]}]'
expect_eq "plan: only the users with no collision are created, by userName" \
  "$(jq -c '[.users[] | .userName]' "$E2E_DIR/plan.json")" '["anna","zoe"]'
expect_eq "plan: nothing was sent" "$(users)" '["admin"]'

expect_exit 3 "apply: exit 3 (partial)" "$DAOCTL_BIN" sync apply -f "$job" --summary-file "$E2E_DIR/summary.json"
expect_eq "apply: the others are created" "$(users)" '["admin","anna","zoe"]'
expect_eq "apply: no request failed (no 409s)" "$(jq .http.failures "$E2E_DIR/summary.json")" 0
expect_eq "apply: each left-out person is a failed item in the journal" \
  "$(jq -rs '[.[] | select(.ok == false) | .object] | sort | join(",")' "$journal")" \
  "user Ivanov,user admin,user ivanov,user petrov,user sidorov"
expect_match "apply: the item says who else wants the value" \
  "$(jq -rs '.[] | select(.object == "user admin") | .error' "$journal")" \
  'userName "admin" collides with admin \(id [0-9]+\).*not created; fix the source or set unique.userName: suffix_number'

write_job "unique: {userName: suffix_number, email: suffix_number}"
expect_exit 0 "suffix_number: plan resolves every collision" "$DAOCTL_BIN" sync plan -f "$job" -o json
PLAN=$OUT
expect_eq "suffix_number: who gets which login" \
  "$(jq -c '[.users[] | select(.action == "create") | .externalId + "=" + .userName]' <<<"$PLAN")" \
  '["e05=admin2","e01=ivanov","e02=Ivanov2","e03=petrov","e04=sidorov"]'
expect_eq "suffix_number: the second e-mail gets a number" \
  "$(jq -r '.users[] | select(.externalId == "e04") | .changes[] | select(.field == "email") | .after' <<<"$PLAN")" \
  "PETROV2@corp.example"
expect_eq "plan: self-manager and cycle links are left out, the rest named by userName" \
  "$(jq -c '[.managers[] | .userName + "->" + .after_userName]' <<<"$PLAN")" \
  '["anna->petrov","ivanov->zoe","Ivanov2->zoe"]'
expect_match "plan: the cycle is warned about" "$(jq -r '.warnings[] | .object + ": " + .message' <<<"$PLAN")" \
  'user sidorov: manager cycle petrov -> sidorov -> petrov; this link is left out'
expect_match "plan: the self-manager is warned about" "$(jq -r '.warnings[] | .object + ": " + .message' <<<"$PLAN")" \
  'user admin2: is their own manager'
check "suffix_number: apply" "$DAOCTL_BIN" sync apply -f "$job"
expect_eq "apply: everyone is on the platform" "$(users)" \
  '["Ivanov2","admin","admin2","anna","ivanov","petrov","sidorov","zoe"]'
manager_of() { "$DAOCTL_BIN" users get "$1" -o json | jq -r '.["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"].manager.value // "none"'; }
expect_eq "apply: no manager link on the cycle" "$(manager_of petrov),$(manager_of sidorov)" "none,none"
expect_eq "apply: anna's manager is petrov" "$(manager_of anna)" "$("$DAOCTL_BIN" users get petrov -o json | jq -r .id)"
expect_exit 0 "rerun: nothing to do" "$DAOCTL_BIN" sync plan -f "$job" --detailed-exitcode
expect_match "rerun: the resolved collisions are still shown" "$OUT" 'Ivanov \(externalId "e02"\) \(id [0-9]+\): gets "Ivanov2"'

# Review: a title change with quotes, a manager change and a group change, by userName.
sed -i 's/^e06,anna,anna@corp.example,e03,Analyst,Staff$/e06,anna,anna@corp.example,e10,"Analyst ""senior""",Dev/' \
  "$E2E_DIR/hr.csv"
check "review: plan" "$DAOCTL_BIN" sync plan -f "$job"
expect_match "review: quotes inside a value are escaped" "$OUT" 'title: "Analyst" -> "Analyst \\"senior\\""'
expect_match "review: the manager change names both managers" "$OUT" '~ anna: petrov -> zoe'
expect_match "review: group members by userName" "$OUT" 'Dev: \+1 member\(s\): anna'
expect_match "review: removed members by userName" "$OUT" 'Staff: -1 member\(s\): anna'
expect_no_match "review: no platform ids for people" "$OUT" 'id [0-9]+\) ->|-> id '
finish
